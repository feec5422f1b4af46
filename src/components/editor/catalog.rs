//! What the form knows of the scenario's enum fields: every value one takes, asked of serde
//! itself (so a variant no preset uses is offered too: `random` balancing, `full_jitter` backoff,
//! a `pareto` latency), and for serde-tagged enums (`type`, `kind`) an example object of each
//! variant, to switch to it. Also an example element for each array. Collected once from every
//! preset's JSON and a few examples of variants no preset uses.

use super::json::{general, get_mut, Seg};
use dsplay_core::{presets, Scenario};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

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
];

/// One enum: the key that holds it and its values, in serde's order.
#[derive(Debug)]
struct Enum {
    key: String,
    variants: Vec<String>,
}

/// An object holding one variant of an enum, told apart by its other keys.
#[derive(Debug)]
struct Member {
    of: usize,
    value: String,
    shape: String,
    example: Map<String, Value>,
}

#[derive(Debug, Default)]
pub struct Catalog {
    enums: Vec<Enum>,
    /// Each string field seen in a preset (`slot`) → its enum, or `None` for free text.
    slots: BTreeMap<String, Option<usize>>,
    members: Vec<Member>,
    elements: BTreeMap<String, Value>,
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
    // `to_string(&d)`, not `d.to_string()`: the editor already instantiates this serializer.
    let err = Scenario::from_json(&serde_json::to_string(&d).ok()?).err()?.to_string();
    let (_, listed) = err.split_once(&format!("unknown variant `{PROBE}`, expected"))?;
    Some(listed.split('`').skip(1).step_by(2).map(str::to_string).collect())
}

impl Catalog {
    fn enum_id(&mut self, key: &str, variants: Vec<String>) -> usize {
        let same = |e: &Enum| e.key == key && e.variants == variants;
        self.enums.iter().position(same).unwrap_or_else(|| {
            self.enums.push(Enum { key: key.to_string(), variants });
            self.enums.len() - 1
        })
    }

    fn add_member(&mut self, of: usize, key: &str, obj: &Map<String, Value>) {
        let Some(value) = obj.get(key).and_then(Value::as_str) else { return };
        let sh = shape(obj, key);
        if !self.members.iter().any(|m| m.of == of && m.value == value && m.shape == sh) {
            let example = obj.clone();
            self.members.push(Member { of, value: value.to_string(), shape: sh, example });
        }
    }

    fn walk(&mut self, doc: &Value, v: &Value, path: &mut Vec<Seg>) {
        match v {
            Value::Object(obj) => {
                for (k, child) in obj {
                    if path.is_empty() && (k == "events" || k == "meta") {
                        continue;
                    }
                    path.push(Seg::Key(k.clone()));
                    if child.is_string() {
                        if let Some(at) = slot(path, obj) {
                            if !self.slots.contains_key(&at) {
                                let of = probe(doc, path).map(|vs| self.enum_id(k, vs));
                                self.slots.insert(at.clone(), of);
                            }
                            if let Some(&Some(of)) = self.slots.get(&at) {
                                self.add_member(of, k, obj);
                            }
                        }
                    }
                    self.walk(doc, child, path);
                    path.pop();
                }
            }
            Value::Array(items) => {
                if let Some(first) = items.first() {
                    self.elements.entry(general(path)).or_insert_with(|| first.clone());
                }
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    self.walk(doc, item, path);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// The examples' variants, filed under every enum of their key that has them.
    fn add_examples(&mut self) {
        for text in EXAMPLES {
            let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(text) else { continue };
            let value = obj.get("type").and_then(Value::as_str).unwrap_or_default();
            let of: Vec<usize> = (0..self.enums.len())
                .filter(|&e| self.enums[e].key == "type" && self.enums[e].variants.iter().any(|v| v == value))
                .collect();
            for e in of {
                self.add_member(e, "type", &obj);
            }
        }
    }

    /// The enum of the field at `path` in `obj`: where presets have it, else by an object of
    /// the same variant and shape (a field of an element the user added, say).
    fn enum_of(&self, path: &[Seg], obj: &Map<String, Value>) -> Option<usize> {
        if let Some(known) = slot(path, obj).and_then(|at| self.slots.get(&at)) {
            return *known;
        }
        let Some(Seg::Key(key)) = path.last() else { return None };
        let value = obj.get(key)?.as_str()?;
        let sh = shape(obj, key);
        let m = self
            .members
            .iter()
            .find(|m| m.value == value && m.shape == sh && self.enums[m.of].key == *key)?;
        Some(m.of)
    }

    /// The values offered for the field at `path` in `obj` (always including the current one),
    /// or `None` if it is free text.
    pub fn options(&self, path: &[Seg], obj: &Map<String, Value>) -> Option<Vec<String>> {
        let e = &self.enums[self.enum_of(path, obj)?];
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
        let variants: Vec<&Member> = self.members.iter().filter(|m| m.of == of && m.value == value).collect();
        match variants.iter().find(|m| m.shape == sh).or(variants.first()) {
            Some(m) if m.shape != sh => Value::Object(m.example.clone()),
            _ => Value::Object(same),
        }
    }

    /// An element to add to the array at `path` (index-free form), if any preset has one.
    pub fn element(&self, general_path: &str) -> Option<&Value> {
        self.elements.get(general_path)
    }
}

/// The catalog of every preset, built on first use.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut c = Catalog::default();
        for (_, text) in presets::PRESETS {
            if let Ok(v) = serde_json::from_str::<Value>(text) {
                c.walk(&v, &v, &mut Vec::new());
            }
        }
        c.add_examples();
        c
    })
}

/// Fields worth comparing: enum fields with alternatives first, then numbers (not the seed,
/// version, metadata, events or simulator knobs, nor the protocol's kind: another protocol's
/// nodes are another scenario, not a variant of this one). At most `limit`.
pub fn interesting(v: &Value, limit: usize) -> Vec<Vec<Seg>> {
    fn walk(v: &Value, path: &mut Vec<Seg>, enums: &mut Vec<Vec<Seg>>, nums: &mut Vec<Vec<Seg>>) {
        match v {
            Value::Object(obj) => {
                for (k, child) in obj {
                    if path.is_empty() && ["v", "seed", "meta", "events", "sim"].contains(&k.as_str()) {
                        continue;
                    }
                    if path.len() == 1 && path[0] == Seg::Key("protocol".into()) && k == "kind" {
                        continue;
                    }
                    path.push(Seg::Key(k.clone()));
                    if child.is_string() && catalog().options(path, obj).is_some_and(|o| o.len() > 1) {
                        enums.push(path.clone());
                    } else {
                        walk(child, path, enums, nums);
                    }
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    walk(item, path, enums, nums);
                    path.pop();
                }
            }
            Value::Number(_) => nums.push(path.clone()),
            _ => {}
        }
    }
    let (mut enums, mut nums) = (Vec::new(), Vec::new());
    walk(v, &mut Vec::new(), &mut enums, &mut nums);
    enums.append(&mut nums);
    enums.truncate(limit);
    enums
}
