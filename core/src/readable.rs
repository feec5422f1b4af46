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
//! Text that does not parse as `Debug` output comes back unchanged (trimmed to the cap): neither
//! function fails or panics.

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
    read(debug, |tree| Writer { names }.top(tree))
}

/// A value with its name: `Timeout { id: 5 }` → `Timeout(id: 5)`, `AckTimeout(105)` →
/// `AckTimeout 105`.
pub fn value(debug: &str, names: &[String]) -> String {
    read(debug, |tree| Writer { names }.write(tree, 0))
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

#[derive(Debug)]
enum Tree {
    Atom(String),
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
            Tok::Word(w) => Some(Tree::Atom(w)),
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

struct Writer<'a> {
    names: &'a [String],
}

impl Writer<'_> {
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
        match tree {
            Tree::Atom(a) => self.atom(a),
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
        let each = fields.iter().map(|(k, v)| format!("{}: {}", k.replace('_', " "), self.write(v, depth)));
        each.collect::<Vec<_>>().join(sep)
    }

    fn items(&self, items: &[Tree], depth: usize) -> String {
        self.each(items, depth).collect::<Vec<_>>().join(", ")
    }

    fn each<'t>(&'t self, items: &'t [Tree], depth: usize) -> impl Iterator<Item = String> + 't {
        items.iter().map(move |t| self.write(t, depth + 1))
    }

    /// `None` → none; `#2` → the node's name.
    fn atom(&self, a: &str) -> String {
        if a == "None" {
            return "none".into();
        }
        let node = a.strip_prefix('#').and_then(|n| n.parse::<usize>().ok());
        match node.and_then(|i| self.names.get(i)) {
            Some(name) => name.clone(),
            None => a.to_string(),
        }
    }
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
        assert_eq!(
            read("Ping { vc: VectorClock([65, 53, 54, 61, 7]) }"),
            "vc: VectorClock([65, 53, 54, 61, … 5 in all])"
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
