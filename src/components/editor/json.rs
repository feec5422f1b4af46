//! Paths into the scenario JSON: segments, the dotted form errors use (`protocol.backends[0].count`),
//! the index-free form used to compare presets (`protocol.backends[].count`), and edits.

use dsplay_core::scenario::Scenario;
use serde_json::Value;

/// The scenario as a JSON value to edit. It goes through the compact text the link codec already
/// writes, so the app carries one serializer for every scenario type instead of two
/// (`serde_json::to_value` would instantiate a second one, for `serde_json::value::Serializer`).
pub fn of_scenario(sc: &Scenario) -> Value {
    serde_json::from_str(&sc.to_json()).unwrap_or(Value::Null)
}

/// One step into a JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// `a.b[0].c`.
pub fn dotted(path: &[Seg]) -> String {
    render(path, |i| format!("[{i}]"))
}

/// `a.b[].c`: the same field in every element of an array.
pub fn general(path: &[Seg]) -> String {
    render(path, |_| "[]".to_string())
}

fn render(path: &[Seg], index: impl Fn(usize) -> String) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&index(*i)),
        }
    }
    s
}

/// Parse an error's path (`ScenarioError::field()` or a serde path such as `.a.b[0]`,
/// `(top level)`) into segments. Unknown parts (`?`) end the path.
pub fn parse(path: &str) -> Vec<Seg> {
    let path = path.trim().trim_matches('`');
    if path == "(top level)" || path == "." {
        return Vec::new();
    }
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if key == "?" {
            break;
        }
        if !key.is_empty() {
            out.push(Seg::Key(key.to_string()));
        }
        for idx in rest.split('[').map(|i| i.trim_end_matches(']')).filter(|i| !i.is_empty()) {
            match idx.parse() {
                Ok(i) => out.push(Seg::Index(i)),
                Err(_) => return out,
            }
        }
    }
    out
}

pub fn get<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, seg| match seg {
        Seg::Key(k) => v.get(k.as_str()),
        Seg::Index(i) => v.get(*i),
    })
}

pub fn get_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, seg| match seg {
        Seg::Key(k) => v.get_mut(k.as_str()),
        Seg::Index(i) => v.get_mut(*i),
    })
}

/// The longest prefix of `path` that exists in `v`.
pub fn existing_prefix(v: &Value, path: &[Seg]) -> Vec<Seg> {
    let mut n = 0;
    while n < path.len() && get(v, &path[..=n]).is_some() {
        n += 1;
    }
    path[..n].to_vec()
}

/// Where to show an error: the deepest existing part of its path; if that is an ancestor of the
/// field the user edited last (serde reports errors inside tagged enums at the enum), the deepest
/// existing part of that field (an element just removed is gone: its array shows the error).
pub fn anchor(v: &Value, err_path: &str, last_edit: Option<&[Seg]>) -> String {
    let at = existing_prefix(v, &parse(err_path));
    match last_edit {
        Some(edit) if edit.len() > at.len() && edit.starts_with(&at) => dotted(&existing_prefix(v, edit)),
        _ => dotted(&at),
    }
}

/// A number input's text as JSON: integers stay integers (`1e9` becomes 1000000000), other text
/// is kept as a string so the scenario parser reports it at this field.
pub fn number_from(text: &str) -> Value {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Value::from(i);
    }
    if let Ok(u) = t.parse::<u64>() {
        return Value::from(u);
    }
    match t.parse::<f64>() {
        Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
        Ok(f) if f.is_finite() => Value::from(f),
        _ => Value::String(t.to_string()),
    }
}
