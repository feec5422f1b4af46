//! What the form knows of the scenario's enum fields: every value one takes, asked of serde
//! itself (so a variant no preset uses is offered too: `random` balancing, `full_jitter` backoff,
//! a `pareto` latency), and for serde-tagged enums (`type`, `kind`) an example object of each
//! variant, to switch to it. Also an example element for each array. Collected from every
//! preset's JSON (a field's values are asked of serde when a form first shows the field) and a
//! few examples of variants no preset uses. And the optional sections an object may have or
//! leave out (`autoscale`, `chaos`), with a preset's value of each to add.

use super::json::{general, get_mut, of_scenario, Seg};
use dsplay_core::{presets, Scenario};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Keys that hold a serde tag: the variant decides the object's other fields.
const TAGS: &[&str] = &["type", "kind"];

/// A value no enum has: serde's refusal of it lists the values the field takes.
const PROBE: &str = "?probe?";

/// Objects of tagged variants that no preset uses, so that switching to one fills its fields.
const EXAMPLES: &[&str] = &[
    r#"{"type":"normal","mean_us":10000,"std_us":2000}"#,
    r#"{"type":"log_normal","median_us":10000,"sigma_milli":500}"#,
    r#"{"type":"pareto","scale_us":5000,"alpha_milli":1500}"#,
    r#"{"type":"mixture","parts":[{"weight":99,"dist":{"type":"constant","us":5000}},{"weight":1,"dist":{"type":"constant","us":200000}}]}"#,
    r#"{"type":"empirical","samples_us":[4000,5000,6000,20000]}"#,
    r#"{"type":"closed","concurrency":4,"think":{"type":"exponential","mean_us":100000}}"#,
    r#"{"type":"time","seconds":10}"#,
    // Scenario events no preset scripts (their names are fitted to the scenario's nodes).
    r#"{"type":"block","from":["?"],"to":["?"]}"#,
    r#"{"type":"surge","rate_pct":300,"duration_ms":5000}"#,
    r#"{"type":"note","text":"look here"}"#,
    r#"{"type":"client","node":"?","request":{"op":"request"}}"#,
    r#"{"type":"timeout","node":"?"}"#,
    r#"{"type":"lose_message","id":1}"#,
    r#"{"type":"tune","node":"?","knob":"algorithm","to":"least_connections"}"#,
];

/// One enum: the key that holds it and its values, in serde's order.
#[derive(Debug)]
struct Enum {
    key: String,
    variants: Vec<String>,
}

/// An object holding a tagged variant in a preset, told apart by its other keys.
#[derive(Debug)]
struct Member {
    slot: String,
    key: String,
    value: String,
    shape: String,
    example: Map<String, Value>,
}

/// What probing has found so far.
#[derive(Debug, Default)]
struct Known {
    enums: Vec<Enum>,
    /// A string field (`slot`) → its enum, or `None` for free text.
    slots: BTreeMap<String, Option<usize>>,
}

#[derive(Debug, Default)]
pub struct Catalog {
    presets: Vec<Value>,
    /// Each string field seen in a preset (`slot`) → a preset and the path of one, to probe.
    sites: BTreeMap<String, (usize, Vec<Seg>)>,
    members: Vec<Member>,
    elements: BTreeMap<String, Value>,
    /// Fields are probed when a form first asks about them: a probe parses a whole scenario,
    /// and probing every field of every preset at once held the first click on Edit ~70 ms.
    known: RefCell<Known>,
    /// Optional sections, by object ([`section_key`]): each key some preset's scenario has and
    /// another's leaves out when written (`autoscale`, `passive_check`, `chaos`), with that
    /// preset's value as the example to add.
    optional: BTreeMap<String, Vec<(String, Value)>>,
}

/// Where an object's optional sections are looked up: the protocol's kind (a field of one
/// protocol's knobs means nothing to another's) and the index-free path.
fn section_key(kind: &str, path: &[Seg]) -> String {
    let in_protocol = matches!(path.first(), Some(Seg::Key(k)) if k == "protocol");
    format!("{}|{}", if in_protocol { kind } else { "" }, general(path))
}

/// Per object ([`section_key`]): how many were seen, and per key how many had it and its first
/// value.
type Seen = BTreeMap<String, (usize, BTreeMap<String, (usize, Value)>)>;

/// Count the keys of every untagged object of a written scenario `v` (not its events or meta,
/// which the form does not show) into `seen`, and note in `first` where each kind of object was
/// first met (`doc`, the scenario's index, and the path in it).
fn count_sections(
    v: &Value,
    kind: &str,
    path: &mut Vec<Seg>,
    seen: &mut Seen,
    first: &mut Sites,
    doc: usize,
) {
    match v {
        // A tagged variant's keys are decided by its tag, not optional.
        Value::Object(obj) if !obj.contains_key("type") => {
            let shown = |k: &String| !(path.is_empty() && (k == "events" || k == "meta"));
            let at = section_key(kind, path);
            first.entry(at.clone()).or_insert_with(|| (doc, path.clone()));
            let entry = seen.entry(at).or_default();
            entry.0 += 1;
            for (k, child) in obj.iter().filter(|(k, _)| shown(k)) {
                entry.1.entry(k.clone()).or_insert_with(|| (0, child.clone())).0 += 1;
            }
            let children: Vec<(&String, &Value)> = obj.iter().filter(|(k, _)| shown(k)).collect();
            for (k, child) in children {
                path.push(Seg::Key(k.clone()));
                count_sections(child, kind, path, seen, first, doc);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                count_sections(item, kind, path, seen, first, doc);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Per object ([`section_key`]): a scenario and the path of one such object in it.
type Sites = BTreeMap<String, (usize, Vec<Seg>)>;

/// The fields serde reads in the object at `path` of the valid scenario `doc`, sorted (its
/// refusal of an unknown key lists them: every config is `deny_unknown_fields`); `None` for what
/// is not a struct (a map's entries). Objects with the same fields are one struct met at
/// different places: a call's `breaker` is as much an option on a client's entry call as on a
/// service's call.
pub fn fields(doc: &Value, path: &[Seg]) -> Option<Vec<String>> {
    let mut d = doc.clone();
    get_mut(&mut d, path)?.as_object_mut()?.insert(PROBE.into(), Value::Null);
    let err = Scenario::from_json(&serde_json::to_string(&d).ok()?).err()?.to_string();
    let (_, listed) = err.split_once(&format!("unknown field `{PROBE}`, expected"))?;
    let mut names: Vec<String> = listed.split('`').skip(1).step_by(2).map(str::to_string).collect();
    names.sort_unstable();
    Some(names)
}

/// The other keys of `obj` plus its `kind` (variants of different protocols stay apart).
fn shape(obj: &Map<String, Value>, key: &str) -> String {
    let keys: Vec<&str> = obj.keys().map(String::as_str).filter(|k| *k != key).collect();
    format!("{}|{}", context(obj, key), keys.join(","))
}

/// The protocol an object belongs to, when that decides what `key` means (not for `kind` itself).
fn context<'a>(obj: &'a Map<String, Value>, key: &str) -> &'a str {
    if key == "kind" {
        return "";
    }
    obj.get("kind").and_then(Value::as_str).unwrap_or("")
}

/// The field at `path` (its last segment the key) in `obj`, wherever it is in the scenario.
fn slot(path: &[Seg], obj: &Map<String, Value>) -> Option<String> {
    let Some(Seg::Key(key)) = path.last() else { return None };
    Some(format!("{}|{}", general(path), context(obj, key)))
}

/// The values serde accepts at `path` in the valid scenario `doc`, if it is an enum.
fn probe(doc: &Value, path: &[Seg]) -> Option<Vec<String>> {
    let mut d = doc.clone();
    *get_mut(&mut d, path)? = Value::String(PROBE.into());
    let err = Scenario::from_json(&serde_json::to_string(&d).ok()?).err()?.to_string();
    let (_, listed) = err.split_once(&format!("unknown variant `{PROBE}`, expected"))?;
    Some(listed.split('`').skip(1).step_by(2).map(str::to_string).collect())
}

/// An example object of the tagged variant `value` that no preset uses.
fn example(value: &str) -> Option<Value> {
    EXAMPLES
        .iter()
        .filter_map(|text| serde_json::from_str::<Value>(text).ok())
        .find(|v| v.get("type").and_then(Value::as_str) == Some(value))
}

impl Catalog {
    fn walk(&mut self, preset: usize, v: &Value, path: &mut Vec<Seg>) {
        match v {
            Value::Object(obj) => {
                for (k, child) in obj {
                    if path.is_empty() && k == "meta" {
                        continue;
                    }
                    path.push(Seg::Key(k.clone()));
                    if let (Value::String(value), Some(at)) = (child, slot(path, obj)) {
                        self.sites.entry(at.clone()).or_insert_with(|| (preset, path.clone()));
                        let sh = shape(obj, k);
                        let seen = |m: &Member| m.slot == at && m.value == *value && m.shape == sh;
                        if TAGS.contains(&k.as_str()) && !self.members.iter().any(seen) {
                            let (key, value, example) = (k.clone(), value.clone(), obj.clone());
                            self.members.push(Member { slot: at, key, value, shape: sh, example });
                        }
                    }
                    self.walk(preset, child, path);
                    path.pop();
                }
            }
            Value::Array(items) => {
                if let Some(first) = items.first() {
                    self.elements.entry(general(path)).or_insert_with(|| first.clone());
                }
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    self.walk(preset, item, path);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// The enum at `slot`, probing a preset that has it the first time.
    fn resolve(&self, slot: &str) -> Option<usize> {
        if let Some(found) = self.known.borrow().slots.get(slot) {
            return *found;
        }
        let (preset, path) = self.sites.get(slot)?;
        let Some(Seg::Key(key)) = path.last() else { return None };
        let found = probe(&self.presets[*preset], path).map(|variants| {
            let mut known = self.known.borrow_mut();
            let same = |e: &Enum| e.key == *key && e.variants == variants;
            known.enums.iter().position(same).unwrap_or_else(|| {
                known.enums.push(Enum { key: key.clone(), variants });
                known.enums.len() - 1
            })
        });
        self.known.borrow_mut().slots.insert(slot.to_string(), found);
        found
    }

    /// The enum of the field at `path` in `obj`: where presets have it, else by a preset's
    /// object of the same variant and shape (a field of an element the user added, say).
    fn enum_of(&self, path: &[Seg], obj: &Map<String, Value>) -> Option<usize> {
        let at = slot(path, obj)?;
        if self.sites.contains_key(&at) {
            return self.resolve(&at);
        }
        let Some(Seg::Key(key)) = path.last() else { return None };
        let value = obj.get(key)?.as_str()?;
        let sh = shape(obj, key);
        let m = self.members.iter().find(|m| m.key == *key && m.value == value && m.shape == sh)?;
        self.resolve(&m.slot)
    }

    /// The values offered for the field at `path` in `obj` (always including the current one),
    /// or `None` if it is free text.
    pub fn options(&self, path: &[Seg], obj: &Map<String, Value>) -> Option<Vec<String>> {
        let e = self.enum_of(path, obj)?;
        let known = self.known.borrow();
        let e = &known.enums[e];
        let current = obj.get(&e.key).and_then(Value::as_str).unwrap_or_default();
        let mut out = e.variants.clone();
        if !out.iter().any(|v| v == current) {
            out.insert(0, current.to_string());
        }
        Some(out)
    }

    /// `obj` with its field at `path` set to `value`: for a tagged enum whose variant has other
    /// fields, an example of that variant instead.
    pub fn switch(&self, path: &[Seg], obj: &Map<String, Value>, value: &str) -> Value {
        let Some(Seg::Key(key)) = path.last() else { return Value::Object(obj.clone()) };
        let mut same = obj.clone();
        same.insert(key.clone(), Value::String(value.to_string()));
        let of = self.enum_of(path, obj).filter(|_| TAGS.contains(&key.as_str()));
        let Some(of) = of else { return Value::Object(same) };
        let sh = shape(&same, key);
        let variants: Vec<&Member> = (self.members.iter())
            .filter(|m| m.key == *key && m.value == value && self.resolve(&m.slot) == Some(of))
            .collect();
        let new = match variants.iter().find(|m| m.shape == sh).or(variants.first()) {
            Some(m) if m.shape != sh => Value::Object(kept(&m.example, obj, key)),
            Some(_) => Value::Object(same),
            None => example(value).unwrap_or(Value::Object(same)),
        };
        super::spread::keep_scale(obj, new)
    }

    /// The optional sections of the object at `path` in a scenario of protocol `kind`: each key a
    /// scenario may leave out, with a value to add. (A key every written scenario has, even one
    /// with a default, is not optional: it is always there to edit.)
    pub fn optional(&self, kind: &str, path: &[Seg]) -> &[(String, Value)] {
        self.optional.get(&section_key(kind, path)).map_or(&[], Vec::as_slice)
    }

    /// An element to add to the array at `path` (index-free form), if any preset has one.
    pub fn element(&self, general_path: &str) -> Option<&Value> {
        self.elements.get(general_path)
    }
}

/// The catalog of every preset, built on first use (the app has one thread).
/// A variant's example with the values the user had in fields of the same name and kind (a
/// number stays a number): switching T7's keys from zipf to uniform keeps `count` at 1000, where
/// the example's 100 quietly changed the experiment the lesson describes.
fn kept(example: &Map<String, Value>, old: &Map<String, Value>, tag: &str) -> Map<String, Value> {
    let mut out = example.clone();
    for (k, v) in out.iter_mut().filter(|(k, _)| *k != tag) {
        let same_kind = |a: &Value, b: &Value| {
            matches!((a, b), (Value::Number(_), Value::Number(_)) | (Value::Bool(_), Value::Bool(_)))
        };
        if let Some(had) = old.get(k).filter(|had| same_kind(had, v)) {
            *v = had.clone();
        }
    }
    out
}

pub fn catalog() -> &'static Catalog {
    thread_local! {
        static CATALOG: &'static Catalog = Box::leak(Box::new(build()));
    }
    CATALOG.with(|c| *c)
}

fn build() -> Catalog {
    let mut c = Catalog::default();
    let (mut seen, mut first, mut written) = (Seen::new(), Sites::new(), Vec::new());
    for (_, text) in presets::PRESETS {
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            c.walk(c.presets.len(), &v, &mut Vec::new());
            c.presets.push(v);
        }
        // Optional sections are told by the scenario as written back (what the form edits): a
        // preset's text may leave out a key that has a default, which is written all the same.
        if let Ok(sc) = Scenario::from_json(text) {
            let doc = of_scenario(&sc);
            count_sections(&doc, sc.protocol.kind(), &mut Vec::new(), &mut seen, &mut first, written.len());
            written.push(doc);
        }
    }
    for (at, (objects, keys)) in &seen {
        let some: Vec<(String, Value)> =
            keys.iter().filter(|(_, (n, _))| n < objects).map(|(k, (_, v))| (k.clone(), v.clone())).collect();
        if !some.is_empty() {
            c.optional.insert(at.clone(), some);
        }
    }
    share_by_fields(&mut c.optional, &seen, &first, &written);
    c
}

/// An object also offers the options that objects with the same fields elsewhere offer, unless it
/// has the key already (r2's entry calls had no `breaker` to add, though services' calls did).
fn share_by_fields(
    optional: &mut BTreeMap<String, Vec<(String, Value)>>,
    seen: &Seen,
    first: &Sites,
    written: &[Value],
) {
    let shapes: BTreeMap<&String, String> = first
        .iter()
        .filter_map(|(at, (doc, path))| Some((at, fields(written.get(*doc)?, path)?.join(","))))
        .collect();
    let mut by_shape: BTreeMap<&str, Vec<(String, Value)>> = BTreeMap::new();
    for (at, shape) in &shapes {
        let list = by_shape.entry(shape.as_str()).or_default();
        for (k, v) in optional.get(*at).into_iter().flatten() {
            if !list.iter().any(|(have, _)| have == k) {
                list.push((k.clone(), v.clone()));
            }
        }
    }
    for (at, shape) in &shapes {
        let has = |k: &String| seen.get(*at).is_some_and(|(_, keys)| keys.contains_key(k));
        let extra: Vec<(String, Value)> =
            by_shape.get(shape.as_str()).into_iter().flatten().filter(|(k, _)| !has(k)).cloned().collect();
        if !extra.is_empty() {
            optional.entry((*at).clone()).or_default().extend(extra);
        }
    }
}
