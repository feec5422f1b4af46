//! The fields Compare offers B to change, and what B can do with each: pick another variant of an
//! enum, type another number, flip a switch (d6's `causal_delivery`), or run without an optional
//! section A has (t2's `passive_check`, t4's `autoscale`) or with one A leaves out.

use crate::components::editor::catalog::catalog;
use crate::components::editor::form::Edit;
use crate::components::editor::json::{get, number_from, Seg};
use serde_json::{Map, Value};

/// What a listed field is, and so what B may choose for it.
#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    /// A number: B types one.
    Number,
    /// An enum field: B picks one of the other variants.
    Choice(Vec<String>),
    /// A switch, on (`true`) or off in A: B has the other.
    Flag(bool),
    /// An optional section A has: B runs without it.
    Present,
    /// An optional section A leaves out: B runs with it, as the preset that has one writes it.
    Absent(Value),
}

const PRESENT: &str = "present";
const REMOVED: &str = "removed";
const ADDED: &str = "added";

impl Field {
    /// The field at `path` of scenario `v` (a number if it is nothing else).
    pub fn of(v: &Value, path: &[Seg]) -> Field {
        let Some((Seg::Key(key), parent)) = path.split_last() else { return Field::Number };
        let section = catalog().optional(kind(v), parent).iter().find(|(k, _)| k == key);
        match (get(v, path), section) {
            (None, Some((_, example))) => Field::Absent(example.clone()),
            (Some(Value::Object(_)), Some(_)) => Field::Present,
            (Some(Value::Bool(on)), _) => Field::Flag(*on),
            (Some(Value::String(cur)), _) => {
                let options =
                    get(v, parent).and_then(Value::as_object).and_then(|o| catalog().options(path, o));
                Field::Choice(options.unwrap_or_default().into_iter().filter(|x| x != cur).collect())
            }
            _ => Field::Number,
        }
    }

    /// What B may choose (empty for a number, which is typed).
    pub fn options(&self) -> Vec<String> {
        match self {
            Field::Number => Vec::new(),
            Field::Choice(options) => options.clone(),
            Field::Flag(on) => vec![(!on).to_string()],
            Field::Present => vec![REMOVED.to_string()],
            Field::Absent(_) => vec![ADDED.to_string()],
        }
    }

    /// A's value as the form shows it ("smooth_weighted_round_robin", not its JSON with quotes).
    pub fn current(&self, v: &Value, path: &[Seg]) -> String {
        match (self, get(v, path)) {
            (Field::Present, _) => PRESENT.to_string(),
            (Field::Absent(_), _) => "absent".to_string(),
            (_, Some(Value::String(s))) => s.clone(),
            (_, Some(v)) => v.to_string(),
            (_, None) => String::new(),
        }
    }

    /// The edit B makes with `chosen` (typed or picked).
    pub fn edit(&self, path: &[Seg], chosen: &str) -> Edit {
        let path = path.to_vec();
        match self {
            Field::Number => Edit::Set(path, number_from(chosen)),
            Field::Choice(_) => Edit::Tag(path, chosen.to_string()),
            Field::Flag(on) => Edit::Set(path, Value::Bool(!on)),
            Field::Present => Edit::Drop(path),
            Field::Absent(example) => Edit::Add(path, example.clone()),
        }
    }

    /// How B's label says that edit of the field called `at` ("protocol.r = 2", "no
    /// protocol.autoscale").
    pub fn said(&self, at: &str, chosen: &str) -> String {
        match self {
            Field::Number | Field::Choice(_) => format!("{at} = {chosen}"),
            Field::Flag(on) => format!("{at} = {}", !on),
            Field::Present => format!("no {at}"),
            Field::Absent(_) => format!("with {at}"),
        }
    }
}

/// The protocol's kind (`load_balancing`): optional sections are looked up per protocol.
fn kind(v: &Value) -> &str {
    v.get("protocol").and_then(|p| p.get("kind")).and_then(Value::as_str).unwrap_or("")
}

/// Fields worth comparing, at most `limit`: enum fields with alternatives first, then switches and
/// optional sections (present or not), then numbers. Not the seed, version, metadata, events,
/// the run's length or simulator knobs, nor the protocol's kind: another protocol's nodes are
/// another scenario, not a variant of this one.
pub fn listed(v: &Value, limit: usize) -> Vec<Vec<Seg>> {
    let mut found = [Vec::new(), Vec::new(), Vec::new()];
    walk(v, kind(v), &mut Vec::new(), &mut found);
    let [mut out, mut toggles, mut numbers] = found;
    out.append(&mut toggles);
    out.append(&mut numbers);
    out.truncate(limit);
    out
}

/// Collect the fields under `path` into `found`: enums, toggles (switches and sections), numbers.
fn walk(v: &Value, kind: &str, path: &mut Vec<Seg>, found: &mut [Vec<Vec<Seg>>; 3]) {
    match v {
        Value::Object(obj) => {
            for (k, child) in obj {
                if skipped(path, k) {
                    continue;
                }
                path.push(Seg::Key(k.clone()));
                match child {
                    Value::String(_) if catalog().options(path, obj).is_some_and(|o| o.len() > 1) => {
                        found[0].push(path.clone())
                    }
                    Value::Bool(_) => found[1].push(path.clone()),
                    _ => walk(child, kind, path, found),
                }
                path.pop();
            }
            sections(obj, kind, path, &mut found[1]);
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk(item, kind, path, found);
                path.pop();
            }
        }
        Value::Number(_) => found[2].push(path.clone()),
        _ => {}
    }
}

/// Keys Compare leaves alone (see [`listed`]).
fn skipped(path: &[Seg], key: &str) -> bool {
    match path {
        // Not `stop_at_ms` either: both runs share one playhead and stop at A's end, so B's
        // longer run was cut there and its table called "the whole run" (review 45).
        [] => ["v", "seed", "meta", "events", "sim", "stop_at_ms"].contains(&key),
        [Seg::Key(p)] => p == "protocol" && key == "kind",
        _ => false,
    }
}

/// The optional sections of the object `obj` at `path`, whether it has them or not.
fn sections(obj: &Map<String, Value>, kind: &str, path: &[Seg], into: &mut Vec<Vec<Seg>>) {
    for (key, _) in catalog().optional(kind, path) {
        let mut at = path.to_vec();
        at.push(Seg::Key(key.clone()));
        if obj.get(key).is_none_or(Value::is_object) {
            into.push(at);
        }
    }
}
