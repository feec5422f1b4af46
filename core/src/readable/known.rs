//! Values of the core whose derived `Debug` shows their machinery rather than their value, read
//! by their type's name: a `VectorClock([0, 0, 3, 0])` is `V=[0,0,3,0]` (as the clock notes and
//! the inspector write it), and the CRDTs of D8 are their values — a G-Counter its sum, a
//! PN-Counter `3 (+4 −1)`, an OR-Set its elements, an LWW-Register its value, an LWW-Map its live
//! entries.
//!
//! Why here and not a custom `Debug` in the protocol modules: `Debug` there stays the whole
//! state, which is what a failing `assert_eq!` must print (two OR-Sets with the same elements but
//! different tags are different states), and the protocol modules stay free of presentation. The
//! price is that the OR-Set's membership rule is restated below; a test in the parent module
//! holds these words against the types' own `value()` and `elements()`.

use super::{shortened, Tree, Writer};

impl Writer<'_> {
    /// `tree` written as the value it stands for, if it is one of the types above.
    pub(super) fn known(&self, tree: &Tree, depth: usize) -> Option<String> {
        match tree {
            Tree::Tuple(Some(name), items) if name == "VectorClock" => vector(items),
            Tree::Fields(Some(name), fields) => match name.as_str() {
                "GCounter" => g_counter(tree).map(|n| n.to_string()),
                "PnCounter" => {
                    let (p, n) = (g_counter(get(fields, "p")?)?, g_counter(get(fields, "n")?)?);
                    Some(format!("{} (+{p} −{n})", i128::from(p) - i128::from(n)))
                }
                "OrSet" => self.or_set(fields),
                "LwwRegister" => Some(self.write(get(fields, "value")?, depth)),
                "LwwMap" => self.lww_map(fields, depth),
                // A run that does not trace sends the empty parent: "trace: none", where the
                // inspector showed `TraceParent(trace: 0, span: 0)` (review 48 C9).
                "TraceParent"
                    if [get(fields, "trace")?, get(fields, "span")?]
                        .iter()
                        .all(|t| matches!(t, Tree::Atom(a) if a == "0")) =>
                {
                    Some("none".to_string())
                }
                "TraceParent" => {
                    let (trace, span) =
                        (self.span_id(get(fields, "trace")?)?, self.span_id(get(fields, "span")?)?);
                    Some(format!("{trace} (parent span {span})"))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// A span id as its node and number (`c1·2`).
    fn span_id(&self, tree: &Tree) -> Option<String> {
        let Tree::Atom(a) = tree else { return None };
        crate::spans::span_label(a.parse().ok()?, self.names)
    }

    /// The elements with an add tag that no remove has cancelled (add wins), in order.
    fn or_set(&self, fields: &[(String, Tree)]) -> Option<String> {
        let (adds, removed) = (map(get(fields, "adds")?)?, map(get(fields, "removed")?)?);
        let mut present = Vec::new();
        for (elem, tags) in adds {
            let gone = match removed.iter().find(|(e, _)| e == elem) {
                Some((_, g)) => set(g)?,
                None => &[],
            };
            if set(tags)?.iter().any(|t| !gone.contains(t)) {
                present.push(self.atom(elem));
            }
        }
        let n = present.len();
        Some(format!("[{}]", shortened(present.into_iter(), n)))
    }

    /// `{key: value}` for the registers that hold a value (tombstones left out).
    fn lww_map(&self, fields: &[(String, Tree)], depth: usize) -> Option<String> {
        let mut live = Vec::new();
        for (key, register) in map(get(fields, "entries")?)? {
            let Tree::Fields(Some(_), reg) = register else { return None };
            let value = get(reg, "value")?;
            if !matches!(value, Tree::Atom(a) if a == "None") {
                live.push(format!("{}: {}", self.atom(key), self.write(value, depth + 1)));
            }
        }
        let n = live.len();
        Some(format!("{{{}}}", shortened(live.into_iter(), n)))
    }
}

/// `VectorClock([0, 0, 3, 0])` → `V=[0,0,3,0]`, every entry (a clock cut short compares with
/// nothing).
fn vector(items: &[Tree]) -> Option<String> {
    let [Tree::Items(entries, false)] = items else { return None };
    let each: Option<Vec<&str>> =
        entries.iter().map(|e| if let Tree::Atom(a) = e { Some(a.as_str()) } else { None }).collect();
    Some(format!("V=[{}]", each?.join(",")))
}

/// A G-Counter's value: the sum of its per-replica counts.
fn g_counter(tree: &Tree) -> Option<u64> {
    let Tree::Fields(Some(name), fields) = tree else { return None };
    if name != "GCounter" {
        return None;
    }
    map(get(fields, "counts")?)?.iter().try_fold(0u64, |sum, (_, c)| match c {
        Tree::Atom(a) => Some(sum.saturating_add(a.parse().ok()?)),
        _ => None,
    })
}

fn get<'t>(fields: &'t [(String, Tree)], name: &str) -> Option<&'t Tree> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// A map's entries (`{}` is an empty map).
fn map(tree: &Tree) -> Option<&[(String, Tree)]> {
    match tree {
        Tree::Fields(None, entries) => Some(entries),
        _ => None,
    }
}

/// A set's items (`{}` is an empty set).
fn set(tree: &Tree) -> Option<&[Tree]> {
    match tree {
        Tree::Items(items, true) => Some(items),
        Tree::Fields(None, entries) if entries.is_empty() => Some(&[]),
        _ => None,
    }
}
