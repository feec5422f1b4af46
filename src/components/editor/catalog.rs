//! What the presets teach the form: which values an enum field takes (`type`, `kind`,
//! `algorithm`, `mode`), a whole example object for each (to switch variants), and an example
//! element for each array. Collected once from every preset's JSON.

use super::json::{general, Seg};
use dsplay_core::presets;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Field names that hold a serde enum's variant.
pub const TAG_KEYS: &[&str] = &["type", "kind", "algorithm", "mode"];

/// One variant seen in a preset: the object holding it, told apart by its other keys.
#[derive(Debug)]
struct Member {
    key: String,
    value: String,
    shape: String,
    example: Map<String, Value>,
}

#[derive(Debug, Default)]
pub struct Catalog {
    members: Vec<Member>,
    parent: Vec<usize>,
    elements: BTreeMap<String, Value>,
}

/// The other keys of `obj` plus its `kind` (variants of different protocols stay apart).
fn shape(obj: &Map<String, Value>, key: &str) -> String {
    let keys: Vec<&str> = obj.keys().map(String::as_str).filter(|k| *k != key).collect();
    let kind = if key == "kind" { "" } else { obj.get("kind").and_then(Value::as_str).unwrap_or("") };
    format!("{kind}|{}", keys.join(","))
}

impl Catalog {
    fn root(&self, mut i: usize) -> usize {
        while self.parent[i] != i {
            i = self.parent[i];
        }
        i
    }

    fn find(&self, obj: &Map<String, Value>, key: &str) -> Option<usize> {
        let value = obj.get(key)?.as_str()?;
        let sh = shape(obj, key);
        let same = |m: &&Member| m.key == key && m.value == value;
        let exact = self.members.iter().position(|m| same(&m) && m.shape == sh);
        exact.or_else(|| self.members.iter().position(|m| same(&m)))
    }

    fn walk(&mut self, v: &Value, path: &mut Vec<Seg>, groups: &mut BTreeMap<String, usize>) {
        match v {
            Value::Object(obj) => {
                for key in TAG_KEYS {
                    let Some(value) = obj.get(*key).and_then(Value::as_str) else { continue };
                    let sh = shape(obj, key);
                    let id = match self.find(obj, key).filter(|&i| self.members[i].shape == sh) {
                        Some(i) => i,
                        None => {
                            let example = obj.clone();
                            let m = Member { key: key.to_string(), value: value.into(), shape: sh, example };
                            self.members.push(m);
                            self.parent.push(self.members.len() - 1);
                            self.members.len() - 1
                        }
                    };
                    let ctx = if *key == "kind" {
                        ""
                    } else {
                        obj.get("kind").and_then(Value::as_str).unwrap_or("")
                    };
                    let group = format!("{}.{key}|{ctx}", general(path));
                    let first = *groups.entry(group).or_insert(id);
                    let (a, b) = (self.root(first), self.root(id));
                    self.parent[b] = a;
                }
                for (k, child) in obj {
                    if path.is_empty() && (k == "events" || k == "meta") {
                        continue;
                    }
                    path.push(Seg::Key(k.clone()));
                    self.walk(child, path, groups);
                    path.pop();
                }
            }
            Value::Array(items) => {
                if let Some(first) = items.first() {
                    self.elements.entry(general(path)).or_insert_with(|| first.clone());
                }
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    self.walk(item, path, groups);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// The values offered for `obj[key]` (always including the current one).
    pub fn options(&self, obj: &Map<String, Value>, key: &str) -> Vec<String> {
        let current = obj.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let mut out = vec![current];
        if let Some(i) = self.find(obj, key) {
            let r = self.root(i);
            for (j, m) in self.members.iter().enumerate() {
                if self.root(j) == r {
                    out.push(m.value.clone());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// `obj` with `obj[key] = value`: the same object if the variant has the same fields,
    /// otherwise a preset's example of that variant.
    pub fn switch(&self, obj: &Map<String, Value>, key: &str, value: &str) -> Value {
        let mut same = obj.clone();
        same.insert(key.to_string(), Value::String(value.to_string()));
        let Some(i) = self.find(obj, key) else { return Value::Object(same) };
        let r = self.root(i);
        let sh = shape(&same, key);
        let variants: Vec<&Member> = (0..self.members.len())
            .filter(|&j| self.root(j) == r && self.members[j].value == value)
            .map(|j| &self.members[j])
            .collect();
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
        let mut groups = BTreeMap::new();
        for (_, text) in presets::PRESETS {
            if let Ok(v) = serde_json::from_str::<Value>(text) {
                c.walk(&v, &mut Vec::new(), &mut groups);
            }
        }
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
                    if TAG_KEYS.contains(&k.as_str())
                        && child.is_string()
                        && catalog().options(obj, k).len() > 1
                    {
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
