//! A message or timer as a person reads it, made from its `Debug` text.
//!
//! Protocols derive `Debug` for their messages, and that is all the app has to show when a student
//! hovers one: `Forward { id: 114, client: #2 }`, `Response { id: 10, value: Some(6000000005) }`,
//! a CRDT's gossip several kilobytes long. This module reads that text back into a small tree and
//! writes it for people ([`fields`] for a message, whose kind is shown beside it; [`value`] for a
//! timer): nodes by name (`#2` → `c2`), `Some` and `Ok` dropped and `None` as "none", field names
//! with spaces, long lists and maps cut to their first few items with the count, deep nesting cut
//! with "…", and the whole capped in length. Writing a describer per message of fifteen protocols
//! would say the same thing in many more bytes of wasm.
//!
//! A payload read with its run ([`message`]) also says what the run knows of its numbers: a key in
//! the protocol's words (`key 3`, "a fresh probe key"), and a value a client wrote as whose write
//! it was and when (`c4's write at 2.310 s`; the values are unique per run but opaque, such as
//! 4000000027). A number too long to be a quantity, or under a field named `digest` or `hash`, is a
//! hash, shown as [`short_hash`] writes it (`ab176571`), the form node views use too, so a digest
//! in a message can be matched with the replica's. A protocol offers words for its own values
//! through their `Debug`: a phrase such as `4273 by #4` reads as one value, nodes named. A few
//! value types whose derived `Debug` is machinery (vector clocks, CRDTs) are read by name (the
//! `known` submodule says which, and why there).
//!
//! Text that does not parse as `Debug` output comes back unchanged (trimmed to the cap): no
//! function here fails or panics.

mod known;

use crate::sim::Simulation;

/// At most this many characters come back.
pub const MAX_CHARS: usize = 240;
/// Items of a list, map or set shown before "… N in all".
const ITEMS_SHOWN: usize = 4;
/// Structures nested deeper than this are written "Name(…)".
const DEPTH_SHOWN: usize = 3;
/// Deeper than this the text is not read as a tree at all (it is not one of ours).
const DEPTH_PARSED: usize = 64;

/// A message's fields, without its type's name: `Forward { id: 114, client: #2 }` →
/// `id: 114 · client: c2` (`names`: the run's node names).
pub fn fields(debug: &str, names: &[String]) -> String {
    read(debug, |tree| Writer::new(names, None).top(tree))
}

/// Message `id`'s payload in words, as [`fields`] writes it and with what the run knows of its
/// keys and values: `Write { req: 4, key: 3, value: 4000000027 }` → `req: 4 · key 3 · value: c4's
/// write at 2.310 s`. `None` when the simulation no longer has it (see
/// [`Simulation::message_detail`]).
pub fn message(sim: &dyn Simulation, id: u64) -> Option<String> {
    let debug = sim.message_detail(id)?;
    Some(read(&debug, |tree| Writer::new(sim.node_names(), Some(sim)).top(tree)))
}

/// A value with its name: `Timeout { id: 5 }` → `Timeout(id: 5)`, `AckTimeout(105)` →
/// `AckTimeout 105`.
pub fn value(debug: &str, names: &[String]) -> String {
    read(debug, |tree| Writer::new(names, None).write(tree, 0))
}

/// A count as lessons and limits write it, thousands grouped: `5673` → "5,673".
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A 64-bit hash as people compare it: its top 32 bits in hex (`ab176571`). Node views and message
/// words both use it, so the same hash reads the same everywhere.
pub fn short_hash(hash: u64) -> String {
    format!("{:08x}", hash >> 32)
}

fn read(debug: &str, write: impl Fn(&Tree) -> String) -> String {
    let tokens = tokenize(debug);
    let mut p = Parser { tokens: &tokens, at: 0 };
    let tree = p.value(0).filter(|_| p.at == tokens.len());
    cap(tree.map_or_else(|| debug.trim().to_string(), |t| write(&t)))
}

fn cap(text: String) -> String {
    match text.char_indices().nth(MAX_CHARS - 1) {
        Some((i, _)) => format!("{}…", text[..i].trim_end()),
        None => text,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Text(String),
    Punct(char),
}

/// Words (identifiers, numbers, `#3`, `0.25s`, `..`), quoted strings, and `{}()[],:`.
fn tokenize(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if "{}()[],:".contains(c) {
            out.push(Tok::Punct(c));
            chars.next();
        } else if c == '"' || c == '\'' {
            out.push(Tok::Text(quoted(&mut chars)));
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || "{}()[],:\"".contains(c) {
                    break;
                }
                word.push(c);
                chars.next();
            }
            out.push(Tok::Word(word));
        }
    }
    out
}

/// A quoted string or char as written, escapes kept.
fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut text = String::new();
    let Some(quote) = chars.next() else { return text };
    text.push(quote);
    while let Some(c) = chars.next() {
        text.push(c);
        if c == '\\' {
            text.extend(chars.next());
        } else if c == quote {
            break;
        }
    }
    text
}

#[derive(Debug, PartialEq)]
enum Tree {
    Atom(String),
    /// Words in a row, one value: `4273 by #4`.
    Phrase(Vec<String>),
    /// `Name { field: value }` (a name is `None` for a map: `{key: value}`, keys written plain).
    Fields(Option<String>, Vec<(String, Tree)>),
    /// `Name(a, b)`, or a tuple `(a, b)`.
    Tuple(Option<String>, Vec<Tree>),
    /// `[a, b]`, or a set `{a, b}` (`true` for braces).
    Items(Vec<Tree>, bool),
}

struct Parser<'a> {
    tokens: &'a [Tok],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at)
    }
    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(&Tok::Punct(c));
        self.at += usize::from(hit);
        hit
    }

    fn value(&mut self, depth: usize) -> Option<Tree> {
        if depth > DEPTH_PARSED {
            return None;
        }
        let tok = self.peek()?.clone();
        self.at += 1;
        match tok {
            Tok::Text(t) => Some(Tree::Atom(t)),
            Tok::Punct('[') => Some(Tree::Items(self.list(']', depth)?, false)),
            Tok::Punct('(') => Some(Tree::Tuple(None, self.list(')', depth)?)),
            Tok::Punct('{') => self.braces(None, depth),
            Tok::Punct(_) => None,
            Tok::Word(w) if self.eat('(') => Some(Tree::Tuple(Some(w), self.list(')', depth)?)),
            Tok::Word(w) if self.eat('{') => self.braces(Some(w), depth),
            Tok::Word(w) => Some(self.phrase(w)),
        }
    }

    /// `first` and the plain words right after it (derived `Debug` never puts two in a row; a
    /// protocol's own may, for a value in words).
    fn phrase(&mut self, first: String) -> Tree {
        let mut words = vec![first];
        while let (Some(Tok::Word(w)), next) = (self.peek(), self.tokens.get(self.at + 1)) {
            if matches!(next, Some(Tok::Punct('(' | '{' | ':'))) {
                break;
            }
            words.push(w.clone());
            self.at += 1;
        }
        match words.len() {
            1 => Tree::Atom(words.remove(0)),
            _ => Tree::Phrase(words),
        }
    }

    /// Values separated by commas up to `close` (a trailing comma allowed).
    fn list(&mut self, close: char, depth: usize) -> Option<Vec<Tree>> {
        let mut items = Vec::new();
        while !self.eat(close) {
            items.push(self.value(depth + 1)?);
            if !self.eat(',') && self.peek() != Some(&Tok::Punct(close)) {
                return None;
            }
        }
        Some(items)
    }

    /// After `{`: a struct's fields, a map's entries or a set's items.
    fn braces(&mut self, name: Option<String>, depth: usize) -> Option<Tree> {
        let mut fields = Vec::new();
        let mut items = Vec::new();
        while !self.eat('}') {
            if matches!(self.peek(), Some(Tok::Word(w)) if w == "..") {
                self.at += 1;
            } else {
                let key = self.value(depth + 1)?;
                if self.eat(':') {
                    let label = match key {
                        Tree::Atom(k) => k,
                        _ => return None,
                    };
                    fields.push((label, self.value(depth + 1)?));
                } else if name.is_none() && fields.is_empty() {
                    items.push(key);
                } else {
                    return None;
                }
            }
            if !self.eat(',') && self.peek() != Some(&Tok::Punct('}')) {
                return None;
            }
        }
        Some(if items.is_empty() { Tree::Fields(name, fields) } else { Tree::Items(items, true) })
    }
}

/// Fields whose number may be a value a client wrote (besides unnamed places: tuples, lists).
const VALUE_FIELDS: [&str; 3] = ["value", "write", "result"];
/// Numbers below this read well as they are (a value typed by hand); generated values are larger.
const OPAQUE_FROM: i64 = 10_000;
/// A number with this many digits or more is a hash or an id, not a quantity.
const HASH_DIGITS: usize = 16;
/// Fields whose number is a hash, however many digits it happens to have.
const HASH_FIELDS: [&str; 2] = ["digest", "hash"];

#[derive(Clone, Copy)]
struct Writer<'a> {
    names: &'a [String],
    /// The run the text came from, for its keys' and values' words.
    run: Option<&'a dyn Simulation>,
    /// Whether a number here may be a value a client wrote (not under a field such as `id`).
    values: bool,
}

impl<'a> Writer<'a> {
    fn new(names: &'a [String], run: Option<&'a dyn Simulation>) -> Self {
        Writer { names, run, values: true }
    }

    /// The outermost value: its fields, without the type's name (the message's kind is shown).
    fn top(&self, tree: &Tree) -> String {
        match tree {
            Tree::Fields(Some(_), fields) if !fields.is_empty() => self.fields(fields, " · ", 0),
            Tree::Tuple(Some(_), items) if matches!(items[..], [Tree::Fields(Some(_), _)]) => {
                self.top(&items[0])
            }
            other => self.write(other, 0),
        }
    }

    fn write(&self, tree: &Tree, depth: usize) -> String {
        if let Some(words) = self.known(tree, depth) {
            return words;
        }
        match tree {
            Tree::Atom(a) => self.atom(a),
            Tree::Phrase(words) => words.iter().map(|w| self.node(w)).collect::<Vec<_>>().join(" "),
            Tree::Fields(Some(name), _) | Tree::Tuple(Some(name), _) if depth >= DEPTH_SHOWN => {
                format!("{name}(…)")
            }
            Tree::Fields(Some(name), fields) if fields.is_empty() => name.clone(),
            Tree::Fields(Some(name), fields) => format!("{name}({})", self.fields(fields, ", ", depth + 1)),
            Tree::Fields(None, entries) => {
                let each =
                    entries.iter().map(|(k, v)| format!("{}: {}", self.atom(k), self.write(v, depth + 1)));
                format!("{{{}}}", shortened(each, entries.len()))
            }
            Tree::Tuple(Some(name), items) => self.wrapped(name, items, depth),
            Tree::Tuple(None, items) => format!("({})", self.items(items, depth)),
            Tree::Items(items, false) => format!("[{}]", shortened(self.each(items, depth), items.len())),
            Tree::Items(items, true) => format!("{{{}}}", shortened(self.each(items, depth), items.len())),
        }
    }

    /// `Some(x)` is `x`; `Stamped(Stamped { … })` is the inner one; `AckTimeout(105)` is
    /// `AckTimeout 105`.
    fn wrapped(&self, name: &str, items: &[Tree], depth: usize) -> String {
        match items {
            // `Some` and `Ok` say nothing a reader needs; an `Err` is an error.
            [only] if name == "Some" || name == "Ok" => self.write(only, depth),
            [only] if name == "Err" => format!("error {}", self.write(only, depth)),
            [inner @ (Tree::Fields(Some(n), _) | Tree::Tuple(Some(n), _))] if n == name => {
                self.write(inner, depth)
            }
            [only] => {
                let inner = self.write(only, depth + 1);
                if inner.contains([' ', '(', '[', '{']) {
                    format!("{name}({inner})")
                } else {
                    format!("{name} {inner}")
                }
            }
            _ => format!("{name}({})", self.items(items, depth + 1)),
        }
    }

    fn fields(&self, fields: &[(String, Tree)], sep: &str, depth: usize) -> String {
        let each = fields.iter().map(|(k, v)| self.field(k, v, depth));
        each.collect::<Vec<_>>().join(sep)
    }

    /// `name: value`; a key in the protocol's words (`key 3`). A number right under a field that
    /// is not a value (`id`, `counter`) is only a number, even if some client wrote it too.
    fn field(&self, name: &str, v: &Tree, depth: usize) -> String {
        let number = match unwrapped(v) {
            Tree::Atom(a) => a.parse::<u64>().ok(),
            _ => None,
        };
        if let (Some(run), Some(key), "key") = (self.run, number, name) {
            return run.key_label(key);
        }
        if let (Some(hash), true) = (number, HASH_FIELDS.contains(&name)) {
            return format!("{name}: {}", short_hash(hash));
        }
        let values = VALUE_FIELDS.contains(&name) || number.is_none();
        format!("{}: {}", name.replace('_', " "), Writer { values, ..*self }.write(v, depth))
    }

    fn items(&self, items: &[Tree], depth: usize) -> String {
        self.each(items, depth).collect::<Vec<_>>().join(", ")
    }

    fn each<'t>(&'t self, items: &'t [Tree], depth: usize) -> impl Iterator<Item = String> + 't {
        items.iter().map(move |t| self.write(t, depth + 1))
    }

    /// `None` → none; `#2` → the node's name; a written value → whose write it was; a hash → its
    /// last digits.
    fn atom(&self, a: &str) -> String {
        if a == "None" {
            return "none".into();
        }
        if a.len() >= HASH_DIGITS && a.bytes().all(|b| b.is_ascii_digit()) {
            return a.parse().map_or_else(|_| format!("…{}", &a[a.len() - 4..]), short_hash);
        }
        let written = a.parse::<i64>().ok().filter(|v| self.values && *v >= OPAQUE_FROM);
        match (self.run, written) {
            (Some(run), Some(v)) => writer(run, v).unwrap_or_else(|| a.to_string()),
            _ => self.node(a),
        }
    }

    /// `#2` → the node's name.
    fn node(&self, a: &str) -> String {
        let node = a.strip_prefix('#').and_then(|n| n.parse::<usize>().ok());
        match node.and_then(|i| self.names.get(i)) {
            Some(name) => name.clone(),
            None => a.to_string(),
        }
    }
}

/// `Some(x)` and `Ok(x)` are `x`.
fn unwrapped(tree: &Tree) -> &Tree {
    match tree {
        Tree::Tuple(Some(name), items) if items.len() == 1 && (name == "Some" || name == "Ok") => {
            unwrapped(&items[0])
        }
        other => other,
    }
}

/// Whose write `value` was, and when it was called: "c4's write at 2.310 s" (the newest such
/// operation of the run's history; `None` if no client wrote it).
fn writer(run: &dyn Simulation, value: i64) -> Option<String> {
    use crate::sim::history::OpKind;
    let op = run.history().ops.iter().rev().find(|o| match o.op {
        OpKind::Write { value: v } | OpKind::Cas { value: v, .. } => v == value,
        OpKind::Read => false,
    })?;
    let who = run.node_names().get(op.client.index()).map_or("a client", String::as_str);
    let what = if matches!(op.op, OpKind::Cas { .. }) { "compare-and-set" } else { "write" };
    Some(format!("{who}'s {what} at {:.3} s", op.call.as_ms_f64() / 1000.0))
}

/// The first few items, then how many there are in all.
fn shortened(items: impl Iterator<Item = String>, len: usize) -> String {
    let shown: Vec<String> = items.take(ITEMS_SHOWN).collect();
    if len > ITEMS_SHOWN {
        format!("{}, … {len} in all", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        let said: Vec<String> = [0, 999, 1_000, 5_673, 1_234_567].into_iter().map(grouped).collect();
        assert_eq!(said, ["0", "999", "1,000", "5,673", "1,234,567"]);
    }

    fn names() -> Vec<String> {
        ["c0", "c1", "lb", "s1"].map(String::from).to_vec()
    }
    fn read(s: &str) -> String {
        fields(s, &names())
    }

    #[test]
    fn fields_with_nodes_named() {
        assert_eq!(read("Forward { id: 114, client: #2 }"), "id: 114 · client: lb");
        assert_eq!(read("Reply { id: 43, client: #9, ok: true }"), "id: 43 · client: #9 · ok: true");
    }

    #[test]
    fn options_and_wrappers() {
        assert_eq!(read("Response { id: 10, value: Some(6000000005) }"), "id: 10 · value: 6000000005");
        assert_eq!(read("NotLeader { id: 108, hint: Some(#0) }"), "id: 108 · hint: c0");
        assert_eq!(read("ClientReply { op: 9, result: Ok(None) }"), "op: 9 · result: none");
        assert_eq!(read("ClientReply { op: 5, result: Ok(Some(7)) }"), "op: 5 · result: 7");
        assert_eq!(read("Reply { result: Err(\"busy\") }"), "result: error \"busy\"");
        assert_eq!(read("Op { a: AddToCart(Some(#0)) }"), "a: AddToCart c0");
        assert_eq!(read("Replicate(Copy { tag: 3 })"), "tag: 3");
        assert_eq!(value("AckTimeout(105)", &names()), "AckTimeout 105");
        assert_eq!(value("Timeout { id: 5, to: #3 }", &names()), "Timeout(id: 5, to: s1)");
        assert_eq!(read("Election"), "Election");
        assert_eq!(read("CasOk"), "CasOk");
        assert_eq!(
            read("Replicate { cart: 0, state: Stamped(Stamped { version: 0, node: 2 }) }"),
            "cart: 0 · state: Stamped(version: 0, node: 2)"
        );
    }

    #[test]
    fn nested_structs_lists_and_maps() {
        let ae = "AppendEntries { term: 1, prev_index: 2, entries: [Entry { term: 1, cmd: Put { key: 8, \
                  value: 5 }, origin: Some((#3, 3)) }], commit: 2 }";
        assert_eq!(
            read(ae),
            "term: 1 · prev index: 2 · entries: [Entry(term: 1, cmd: Put(key: 8, value: 5), origin: (s1, 3))] \
             · commit: 2"
        );
        assert_eq!(read("G { counts: {0: 1, 1: 1, 2: 2} }"), "counts: {0: 1, 1: 1, 2: 2}");
        assert_eq!(read("S { items: {1, 3, 6} }"), "items: {1, 3, 6}");
        assert_eq!(read("D { a: A { b: B { c: C { d: E { e: 1 } } } } }"), "a: A(b: B(c: C(d: E(…))))");
    }

    #[test]
    fn strings_times_and_empty_things() {
        assert_eq!(read(r#"Note { text: "a, b: {c}", at: 0.25s }"#), r#"text: "a, b: {c}" · at: 0.25s"#);
        assert_eq!(read("Append { entries: [], marks: {} }"), "entries: [] · marks: {}");
        assert_eq!(read("Stop { .. }"), "Stop");
    }

    #[test]
    fn what_is_not_debug_text_comes_back_as_it_was() {
        assert_eq!(read("  not { debug"), "not { debug");
        assert_eq!(read(""), "");
        let long = "x".repeat(1000);
        assert_eq!(read(&long).chars().count(), MAX_CHARS);
    }

    #[test]
    fn a_long_message_is_capped() {
        let many: Vec<String> = (0..500).map(|i| format!("F{i} {{ v: {i} }}")).collect();
        let text = read(&format!("Big {{ a: [{}], b: \"{}\" }}", many.join(", "), "y".repeat(400)));
        assert!(text.chars().count() <= MAX_CHARS, "{text}");
        assert!(text.contains("500 in all"), "{text}");
    }

    #[test]
    fn phrases_and_hashes() {
        assert_eq!(
            read("Write { key: 3, version: 4273 by #3, value: 5 }"),
            "key: 3 · version: 4273 by s1 · value: 5"
        );
        assert_eq!(read("ReadReply { stored: Some((12 by #0, 7)) }"), "stored: (12 by c0, 7)");
        assert_eq!(read("Digest { digest: 11573569732163983077 }"), "digest: a09d945a");
        assert_eq!(read("Digest { digest: 4294967296 }"), "digest: 00000001", "a hash by its field");
        assert_eq!(read("Summary { id: 11573569732163983077 }"), "id: a09d945a", "a hash by its length");
        assert_eq!(
            read("Entry { term: 1, cmd: Noop, origin: None, .. }"),
            "term: 1 · cmd: Noop · origin: none"
        );
        // A word before a name or a field is not part of a phrase: not Debug text.
        assert_eq!(read("A { b: 1 c: 2 }"), "A { b: 1 c: 2 }");
    }

    #[test]
    fn a_trace_context_names_its_spans_by_node() {
        let mut log = crate::spans::SpanLog::new(true);
        let root =
            log.open(crate::NodeId(1), crate::SimTime::ZERO, None, crate::spans::SpanKind::Request, || {
                "x".into()
            });
        let call = log.open(
            crate::NodeId(1),
            crate::SimTime::ZERO,
            Some(root),
            crate::spans::SpanKind::Call,
            || "x".into(),
        );
        let said = read(&format!("Call {{ id: 1, trace: {call:?} }}"));
        let c2 = &names()[1];
        assert_eq!(said, format!("id: 1 · trace: {c2}·1 (parent span {c2}·2)"));
        let untraced = crate::spans::TraceParent::default();
        assert_eq!(read(&format!("Call {{ id: 1, trace: {untraced:?} }}")), "id: 1 · trace: none");
    }

    #[test]
    fn a_vector_clock_reads_as_the_clock_notes_write_it() {
        assert_eq!(
            read("Ping { lamport: 4, vc: VectorClock([0, 1, 0, 3]) }"),
            "lamport: 4 · vc: V=[0,1,0,3]"
        );
        // Every entry: a clock cut short compares with nothing.
        assert_eq!(read("Ping { vc: VectorClock([65, 53, 54, 61, 7]) }"), "vc: V=[65,53,54,61,7]");
        let vc = crate::protocols::clocks::VectorClock(vec![2, 0, 7]);
        assert_eq!(read(&format!("Ping {{ vc: {vc:?} }}")), format!("vc: V={vc}"));
    }

    #[test]
    fn a_crdt_document_reads_as_its_values() {
        use crate::protocols::crdt::types::Crdt;
        use crate::protocols::crdt::{CrdtMsg, Doc};
        let mut doc = Doc::default();
        (0..4).for_each(|r| doc.likes.increment(r % 2, 1));
        doc.likes.decrement(3, 1);
        doc.cart.add(0, 5);
        doc.cart.add(1, 2);
        doc.cart.add(0, 7);
        doc.cart.remove(&7);
        doc.profile.put(10, 0, 3, 30);
        doc.profile.put(11, 1, 1, 12);
        doc.profile.remove(12, 0, 3);
        let words = read(&format!("{:?}", CrdtMsg::Gossip { doc: Box::new(doc.clone()) }));
        assert_eq!(words, "doc: Doc(likes: 3 (+4 −1), cart: [2, 5], profile: {1: 12})");
        // The same facts as the types' own accessors.
        assert_eq!(doc.likes.value(), 3);
        assert_eq!(doc.cart.elements(), vec![2, 5]);
        assert_eq!((doc.profile.len(), doc.profile.get(&1)), (1, Some(&12)));
        // A concurrent add survives a remove that did not observe it (add wins).
        let mut other = doc.clone();
        other.cart.remove(&5);
        doc.cart.add(2, 5);
        doc.cart.merge(&other.cart);
        assert!(doc.cart.contains(&5));
        assert_eq!(read(&format!("S {{ cart: {:?} }}", doc.cart)), "cart: [2, 5]");
        assert_eq!(read(&format!("{:?}", Doc::default())), "likes: 0 (+0 −0) · cart: [] · profile: {}");
    }

    #[test]
    fn a_digest_in_words_matches_the_replica_view() {
        use crate::protocols::crdt::{CrdtMsg, Doc};
        let mut doc = Doc::default();
        doc.likes.increment(1, 2);
        let words = read(&format!("{:?}", CrdtMsg::Digest { digest: doc.digest() }));
        assert_eq!(words, format!("digest: {}", short_hash(doc.digest())));
        assert_eq!(short_hash(0xab17_6571_0000_0001), "ab176571");
    }

    /// The first message of `kind` sent in `preset` by `ms`, in words.
    fn first_in_words(preset: &str, ms: u64, kind: &str) -> String {
        let sc = crate::presets::get(preset).expect("preset");
        let mut sim = crate::registry::build(&sc).expect("sim");
        sim.run_until(crate::SimTime::from_ms(ms));
        let sent = sim.trace().records().iter().find(|r| r.label == kind && r.msg > 0).expect("one sent");
        message(&*sim, sent.msg).expect("a message kept")
    }

    #[test]
    fn a_quorum_write_says_its_key_version_and_whose_value() {
        let w = first_in_words("d3-quorum-stale-read", 500, "Write");
        // "req: 1 · key 1 · version: 4273 by r5 · value: c4's write at 0.004 s · hint: none"
        let version = regex_like(&w, "version: ", " by r");
        assert!(w.contains(" · key ") && !w.contains("key:"), "{w}");
        assert!(version.parse::<u64>().is_ok(), "{w}");
        assert!(w.contains("· value: c") && w.contains("'s write at 0.") && w.ends_with("hint: none"), "{w}");
        let put = first_in_words("d3-quorum-stale-read", 500, "ClientPut");
        assert!(put.starts_with("op: 1 · key ") && put.contains("'s write at 0."), "{put}");
        let probe = first_in_words("d3-quorum-tvisibility", 500, "Read");
        assert!(probe.contains("a fresh probe key"), "{probe}");
    }

    /// What lies between `before` and `after` in `s`.
    fn regex_like<'s>(s: &'s str, before: &str, after: &str) -> &'s str {
        let from = s.find(before).map(|i| i + before.len()).unwrap_or(0);
        let to = s[from..].find(after).map_or(s.len(), |i| from + i);
        &s[from..to]
    }

    #[test]
    fn a_raft_entry_has_no_hash_and_a_put_says_whose_value() {
        let ae = first_in_words("d4-raft-election", 2_000, "AppendEntries");
        assert!(!ae.contains("chain"), "{ae}");
        let put = first_in_words("d4-raft-election", 2_000, "Request");
        assert!(put.contains("Put(key 4, value: c") && put.contains("'s write at "), "{put}");
    }

    proptest! {
        #[test]
        fn never_panics_and_never_runs_long(s in "[{}()\\[\\],: a-z0-9#\"\\\\.]{0,300}") {
            prop_assert!(fields(&s, &names()).chars().count() <= MAX_CHARS);
            prop_assert!(value(&s, &names()).chars().count() <= MAX_CHARS);
        }

        #[test]
        fn deep_nesting_is_not_a_stack_overflow(n in 0usize..5000) {
            let s = format!("{}{}", "A(".repeat(n), ")".repeat(n));
            prop_assert!(fields(&s, &names()).chars().count() <= MAX_CHARS);
        }
    }
}
