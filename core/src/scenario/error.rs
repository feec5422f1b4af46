//! Scenario errors: values with messages that say what is wrong and how to fix it.

use super::validate::range_of;
use thiserror::Error;

/// " at `workload.clients`"; nothing where serde names no field (`?`: JSON cut short before
/// any field, which read "invalid at `?`": review 18).
fn at_path(path: &str) -> String {
    match path.trim_end_matches(".?") {
        "" | "?" | "." => String::new(),
        p => format!(" at `{p}`"),
    }
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ScenarioError {
    /// `message` is `serde`'s `raw` text in a reader's words, for the field at `path`.
    #[error("scenario JSON is invalid{}: {message}", at_path(.path))]
    Json { path: String, message: String, raw: String },
    #[error("`{field}`: {message}")]
    Invalid { field: String, message: String },
    #[error("unsupported scenario version {0}; this build reads version 1")]
    Version(u32),
    #[error("scenario is {bytes} bytes; the limit is {limit}")]
    TooLarge { bytes: usize, limit: usize },
    #[error("bad link: {0}")]
    Link(String),
}

impl ScenarioError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError::Invalid { field: field.into(), message: message.into() }
    }

    /// `Ok` if the rule `holds`, else [`invalid`](Self::invalid): checks written one rule a line,
    /// so a message names the one field and the one rule that fails.
    pub fn require(holds: bool, field: impl Into<String>, message: impl Into<String>) -> Result<(), Self> {
        if holds {
            Ok(())
        } else {
            Err(Self::invalid(field, message))
        }
    }

    pub(crate) fn from_path(e: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let path = if path == "." { "(top level)".to_string() } else { path };
        // The position helps only in JSON of several lines (a file); a link or a form is one
        // line, where "column 1604" helps nobody.
        let text = inner.to_string();
        let raw = match text.rfind(" at line ") {
            Some(i) if inner.line() <= 1 => text[..i].to_string(),
            _ => text,
        };
        ScenarioError::Json { message: plain(&raw, &path), path, raw }
    }

    /// This error of parsing `text`, at the very field when serde stopped at a tagged enum above it
    /// (a link's `-1` deep in r2's services was reported "at protocol"): the one field under the
    /// reported one that holds the value serde names. Several such fields: left where it was.
    pub(crate) fn deepened(self, text: &str) -> ScenarioError {
        let ScenarioError::Json { path, raw, .. } = &self else { return self };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else { return self };
        match culprit(&v, path, raw) {
            Some(field) if field != *path => self.at_in(&v, &field),
            _ => self,
        }
    }

    /// The field this error points at, for showing it next to a form input.
    pub fn field(&self) -> Option<&str> {
        match self {
            ScenarioError::Json { path, .. } => Some(path),
            ScenarioError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The same error at `field`, a field inside the one it names (serde reports an error inside
    /// a tagged enum, such as `protocol` or `workload.arrival`, at the enum): the message then
    /// names that field's own limits.
    pub fn at(&self, field: &str) -> ScenarioError {
        match self {
            ScenarioError::Json { raw, .. } => {
                ScenarioError::Json { path: field.to_string(), message: plain(raw, field), raw: raw.clone() }
            }
            ScenarioError::Invalid { message, .. } => ScenarioError::invalid(field, message.clone()),
            other => other.clone(),
        }
    }

    /// [`at`](Self::at) for the `scenario` (as JSON) the error came from. A field whose limits
    /// only its protocol's check knows (`protocol.r`: 1 to n) is bounded by its type alone when
    /// the value is not even of that type (-1, 2.5, "abc"): the check is asked with 0 in the field,
    /// and its "must be 1 to n (3)" replaces the type's "0 or more".
    ///
    /// A number the protocol's check refused with a range is named with it: "0 is out of range: it
    /// must be 1 to 149" (review 45 F6: "must be 1 to 149" alone did not say what broke it).
    pub fn at_in(&self, scenario: &serde_json::Value, field: &str) -> ScenarioError {
        if let ScenarioError::Invalid { field: f, message } = self {
            let number = scenario.pointer(&pointer(field)).filter(|v| v.is_number() && f == field);
            let limit = message.strip_prefix("must be ").map(|rest| {
                if rest.contains(" to ") {
                    "out of range"
                } else if rest.starts_with("at most") || rest.starts_with("below") {
                    "too big"
                } else if rest.starts_with("at least") || rest.starts_with("more than") {
                    "too small"
                } else {
                    ""
                }
            });
            return match (number, limit) {
                (Some(v), Some(broke)) if !broke.is_empty() => {
                    ScenarioError::invalid(field, format!("{v} is {broke}: it {message}"))
                }
                _ => self.at(field),
            };
        }
        let e = if self.field() == Some(field) { self.clone() } else { self.at(field) };
        let ScenarioError::Json { path, message, raw } = &e else { return e };
        // "5.0 is written as a decimal: write it as the whole number 5" is the fix itself: the
        // field's limits in its place told a 5.0 of servers "it must be 2 to 9" (review 50 B4).
        if got_and_wanted(raw).is_none() || message.contains(DECIMAL) {
            return e;
        }
        if let Some((lo, hi)) = range_of(field) {
            let floor = floor_of(scenario, field, lo, hi).unwrap_or(lo);
            let ceiling = ceiling_of(scenario, field, floor, hi).unwrap_or(hi);
            if (floor, ceiling) == (lo, hi) {
                return e;
            }
            let message = message.replace(&whole(lo.into(), hi.into()), &whole(floor.into(), ceiling.into()));
            return ScenarioError::Json { path: path.clone(), message, raw: raw.clone() };
        }
        let limits = [0, u64::from(u32::MAX)].into_iter().find_map(|probe_value| {
            let mut probe = scenario.clone();
            *probe.pointer_mut(&pointer(field))? = probe_value.into();
            match super::Scenario::parsed(&probe.to_string()) {
                // 0 passed, so the check's "at most" is the whole range (a -1 told only "must be at
                // most 3600000" was told nothing about what it broke).
                Err(ScenarioError::Invalid { field: f, message }) if f == field && probe_value > 0 => {
                    let top = message.strip_prefix("must be at most ");
                    top.map(|top| format!("must be 0 to {top}"))
                        .or(message.starts_with("must be ").then_some(message))
                }
                Err(ScenarioError::Invalid { field: f, message })
                    if f == field && message.starts_with("must be ") =>
                {
                    Some(message)
                }
                _ => None,
            }
        });
        let Some(limits) = limits else { return e };
        // What is wrong with the value ("-150 is out of range"), before its advice ("use …" or,
        // once worded here, "it …"): a message already given its limits is not given them again
        // (review 49 C2: the Editor said "it must be 2 to 300: it must be 2 to 300: …").
        let advice = [": it ", ": use "].iter().filter_map(|a| message.find(a)).min();
        let what = match advice {
            Some(at) => &message[..at],
            None => message.rsplit_once(": ").map_or(message.as_str(), |(what, _)| what),
        };
        ScenarioError::Json { path: path.clone(), message: format!("{what}: it {limits}"), raw: raw.clone() }
    }

    /// What is wrong, without the field (for a form that shows it next to the field).
    pub fn message(&self) -> String {
        match self {
            ScenarioError::Json { message, .. } | ScenarioError::Invalid { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}

/// What a whole number written with a decimal point is told, before the number to write.
const DECIMAL: &str = " is written as a decimal: write it as the whole number ";

/// A whole number JSON read as a float, as it was most likely typed: digits below 10^21 (a seed
/// of 18446744073709551616 was told "1.8446744073709552e+19 is out of range": review 52 C6), and
/// `None` beyond, where the digits would be a wall, or for a fraction. The Editor shows a number
/// so too.
pub fn whole_in_digits(f: f64) -> Option<String> {
    (f.fract() == 0.0 && f.abs() < 1e21).then(|| format!("{:.0}", f + 0.0))
}

/// `protocol.backends[2].weight` as a JSON pointer: `/protocol/backends/2/weight`.
fn pointer(field: &str) -> String {
    field
        .split(['.', '['])
        .filter(|s| !s.is_empty())
        .map(|s| format!("/{}", s.trim_end_matches(']')))
        .collect()
}

/// The one field at or under `path` in `v` whose value is the one serde's `raw` message names
/// ("invalid value: integer `-1`, expected u32").
fn culprit(v: &serde_json::Value, path: &str, raw: &str) -> Option<String> {
    use serde_json::Value;
    let (kind, value, _) = got_and_wanted(raw)?;
    let value = value.trim_start_matches("point ").trim_matches('`');
    let same = |leaf: &Value| match (kind, leaf) {
        ("integer", Value::Number(n)) => n.to_string() == value,
        ("floating", Value::Number(n)) => n.as_f64().is_some_and(|f| value.parse() == Ok(f)),
        ("string", Value::String(s)) => value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) == Some(s),
        _ => false,
    };
    fn walk(v: &Value, at: &str, same: &dyn Fn(&Value) -> bool, found: &mut Vec<String>) {
        match v {
            Value::Object(o) => o.iter().for_each(|(k, c)| walk(c, &format!("{at}.{k}"), same, found)),
            Value::Array(a) => {
                a.iter().enumerate().for_each(|(i, c)| walk(c, &format!("{at}[{i}]"), same, found))
            }
            leaf if same(leaf) => found.push(at.trim_start_matches('.').to_string()),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(v.pointer(&pointer(path))?, path, &same, &mut found);
    (found.len() == 1).then(|| found.remove(0))
}

/// The whole numbers a Rust integer type holds, by the name serde gives it.
fn int_range(ty: &str) -> Option<(i128, i128)> {
    Some(match ty {
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" => (0, u64::MAX.into()),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "i64" | "isize" => (i64::MIN.into(), i64::MAX.into()),
        _ => return None,
    })
}

/// The least value above `lo` that the scenario's checks take in `field`, where they refuse `lo`
/// itself (load balancing needs a client: `workload.clients` is 0 to 256 in general, 1 to 256
/// there). Tried up to 8 above `lo`; `None` if `lo` is taken, or nothing near it is.
fn floor_of(scenario: &serde_json::Value, field: &str, lo: u64, hi: u64) -> Option<u64> {
    let refused = |v: u64| refused_at(scenario, field, v);
    if !refused(lo)? {
        return None;
    }
    (lo + 1..=(lo + 8).min(hi)).find(|&v| refused(v) == Some(false))
}

/// The most `field` takes in this scenario when its protocol's own check refuses `hi`, the
/// scenario-wide limit (raft's open-loop rate: 20000 of the 200000 any rate may be; a 10^12
/// typed there was told "0 to 200000", and 200000 was then refused). Found by halving, as the
/// checks refuse everything above their limit.
fn ceiling_of(scenario: &serde_json::Value, field: &str, lo: u64, hi: u64) -> Option<u64> {
    let refused = |v: u64| refused_at(scenario, field, v);
    if !refused(hi)? || refused(lo)? {
        return None;
    }
    let (mut taken, mut too_many) = (lo, hi);
    while too_many - taken > 1 {
        let mid = taken + (too_many - taken) / 2;
        if refused(mid)? {
            too_many = mid;
        } else {
            taken = mid;
        }
    }
    Some(taken)
}

/// Whether the scenario with `v` in `field` is refused at that field (None: no such field).
fn refused_at(scenario: &serde_json::Value, field: &str, v: u64) -> Option<bool> {
    let mut probe = scenario.clone();
    *probe.pointer_mut(&pointer(field))? = v.into();
    let refused =
        super::Scenario::parsed(&probe.to_string()).err().and_then(|e| e.field().map(str::to_string));
    Some(refused.as_deref() == Some(field))
}

/// "a whole number from 0 to 256" (or "0 or more" when only the type bounds it).
fn whole(min: i128, max: i128) -> String {
    if max >= i128::from(i64::MAX) && min == 0 {
        "a whole number, 0 or more".to_string()
    } else if max >= i128::from(i64::MAX) {
        "a whole number".to_string()
    } else {
        format!("a whole number from {min} to {max}")
    }
}

/// The parts of serde's "invalid value: integer `5`, expected u32" / "invalid type: string "",
/// expected f64": what it got, and the type it wanted.
fn got_and_wanted(raw: &str) -> Option<(&str, &str, &str)> {
    let rest = raw.strip_prefix("invalid value: ").or_else(|| raw.strip_prefix("invalid type: "))?;
    let (got, wanted) = rest.rsplit_once(", expected ")?;
    let (kind, value) = got.split_once(' ')?;
    Some((kind, value, wanted))
}

/// serde's message in a reader's words, for the field at `path`: what is wrong with the value,
/// and what the field takes (its limits, when validation has them, else its type's).
fn plain(raw: &str, path: &str) -> String {
    if let Some((kind, value, wanted)) = got_and_wanted(raw) {
        let value = value.trim_matches('`');
        let negative = value.trim_matches('`').starts_with('-');
        let range = int_range(wanted).map(|r| match range_of(path) {
            Some((lo, hi)) => (i128::from(lo), i128::from(hi)),
            // The type's own top (4294967295) is no advice for a value below its bottom: the
            // protocol's check may well allow far less.
            None if negative && r.0 == 0 => (0, i128::from(i64::MAX)),
            None => r,
        });
        let number = wanted == "f64" || wanted == "f32";
        // Nor is it advice for a value that is not a whole number at all (2.5 backends, "abc"):
        // "0 or more", and the protocol's own check names its limits once the number is whole.
        let typed_only = range_of(path).is_none();
        let advice = |(lo, hi): (i128, i128)| {
            if typed_only && hi >= i128::from(u32::MAX) {
                whole(lo, i128::from(i64::MAX))
            } else {
                whole(lo, hi)
            }
        };
        match (kind, range) {
            ("integer", Some((lo, hi))) => {
                return format!("{value} is out of range: use {}", whole(lo, hi));
            }
            ("floating", Some((lo, hi))) => {
                let value = value.trim_start_matches("point ").trim_matches('`');
                // 1e30 is whole, only far too big for the field; 1e3 or 1000.0 is in range, but
                // written as a decimal (it was called out of range: review 18).
                let parsed = value.parse::<f64>().ok().filter(|f| f.fract() == 0.0);
                // Compared as whole numbers: 2^64 as a float equals u64::MAX as a float, and a seed
                // of 18446744073709551616 was told to be written as itself (review 50 B4).
                let in_range = parsed.filter(|f| (lo..=hi).contains(&(*f as i128)));
                return if let Some(f) = in_range {
                    // JSON's -0 comes as -0.0, whose whole number is 0, not "-0".
                    let f = if f == 0.0 { 0.0 } else { f };
                    format!("{value}{DECIMAL}{f:.0}")
                } else if let Some(f) = parsed.filter(|f| *f as i128 > hi) {
                    // Above the top, the top is the advice, however high ("0 or more" is not).
                    let value = whole_in_digits(f).unwrap_or_else(|| value.to_string());
                    format!("{value} is out of range: use a whole number from {lo} to {hi}")
                } else if let Some(f) = parsed {
                    format!(
                        "{} is out of range: use {}",
                        whole_in_digits(f).unwrap_or_else(|| value.to_string()),
                        whole(lo, hi)
                    )
                } else {
                    format!("{value} is not a whole number: use {}", advice((lo, hi)))
                };
            }
            ("string", r) if r.is_some() || number => {
                let what = r.map_or("a number".to_string(), advice);
                let typed = value.trim_matches('"');
                return if typed.trim().is_empty() {
                    format!("an empty string \"\" is not a number: enter {what}")
                } else {
                    format!("{value} is not a number: use {what}")
                };
            }
            _ => {}
        }
    }
    if raw.starts_with("EOF while parsing") {
        return "the JSON ends too early: was it cut short?".to_string();
    }
    if let Some(moved) = misplaced_part(raw, path) {
        return moved;
    }
    let words = [
        ("integer `", "`"),
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        ("expected u32", "expected a whole number, 0 or more"),
        ("expected u64", "expected a whole number, 0 or more"),
        ("expected usize", "expected a whole number, 0 or more"),
        ("expected i32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
    ];
    words.iter().fold(raw.to_string(), |t, (from, to)| t.replace(from, to))
}

/// The parts of a scenario, at its top level.
const TOP_LEVEL: [&str; 10] =
    ["v", "meta", "seed", "stop_at_ms", "protocol", "network", "workload", "events", "sim", "chaos"];

/// An unknown field deeper in that is one of the scenario's own parts (review 43: a `meta` pasted
/// inside `meta` was told only the fields `meta` has): where it belongs, besides what is allowed.
fn misplaced_part(raw: &str, path: &str) -> Option<String> {
    let name = raw.strip_prefix("unknown field `")?.split('`').next()?;
    let (parent, _) = path.rsplit_once('.')?;
    if !TOP_LEVEL.contains(&name) || parent.is_empty() {
        return None;
    }
    let allowed =
        raw.split_once(", expected ").map_or(String::new(), |(_, a)| format!(" (`{parent}` takes {a})"));
    Some(format!(
        "`{name}` is a part of the whole scenario, not of `{parent}`: move it out to the top level{allowed}"
    ))
}

#[cfg(test)]
mod tests {
    use crate::presets;
    use crate::scenario::Scenario;

    /// t1's JSON with `edit` applied, as the scenario parser sees it.
    fn error_with(edit: impl FnOnce(&mut serde_json::Value)) -> super::ScenarioError {
        let sc = presets::get("t1-round-robin").expect("preset");
        let mut v: serde_json::Value = serde_json::from_str(&sc.to_json()).expect("json");
        edit(&mut v);
        Scenario::from_json(&v.to_string()).and_then(|s| s.validate()).expect_err("refused")
    }

    /// Preset `id`'s JSON with `edit` applied, refused, as the form words it at `field`.
    fn message_at(id: &str, field: &str, edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let sc = presets::get(id).expect("preset");
        let mut bad: serde_json::Value = serde_json::from_str(&sc.to_json()).expect("json");
        edit(&mut bad);
        let e = Scenario::from_json(&bad.to_string()).expect_err("refused");
        e.at_in(&bad, field).message()
    }

    /// A part of the scenario inside another part is told to move out (review 43 C9).
    #[test]
    fn a_scenario_part_nested_in_another_is_told_where_it_belongs() {
        let e = error_with(|v| {
            let meta = v["meta"].take();
            v["meta"] = serde_json::json!({ "meta": meta });
        });
        assert_eq!(e.field(), Some("meta.meta"));
        assert_eq!(
            e.message(),
            "`meta` is a part of the whole scenario, not of `meta`: move it out to the top level \
             (`meta` takes one of `id`, `title`, `concepts`, `lesson`, `slow_motion`, `opens_on`)"
        );
        let e = error_with(|v| v["workload"]["events"] = serde_json::json!([]));
        assert!(
            e.message().starts_with("`events` is a part of the whole scenario, not of `workload`"),
            "{e}"
        );
        // The list of parts is the scenario's own, as serde names it at the top level.
        let e = error_with(|v| v["zzz"] = 1.into());
        let listed: Vec<String> = e.message().split('`').skip(3).step_by(2).map(str::to_string).collect();
        assert_eq!(listed, super::TOP_LEVEL, "{e}");
        // A field of no part keeps serde's list of what is allowed.
        let e = error_with(|v| v["meta"]["colour"] = "red".into());
        assert!(e.message().starts_with("unknown field `colour`, expected one of `id`"), "{e}");
    }

    /// Review 11: "invalid type: 2, expected struct Meta" and "EOF while parsing a value".
    #[test]
    fn json_that_is_no_scenario_or_is_cut_short_is_said_in_words() {
        let e = Scenario::from_json("[1,2,3]").expect_err("refused");
        assert_eq!(e.message(), "a scenario is a JSON object, {\"v\": 1, …}; this is a list");
        let whole = presets::get("t1-round-robin").expect("preset").to_json();
        let e = Scenario::from_json(&whole[..whole.len() / 2]).expect_err("refused");
        assert_eq!(e.message(), "the JSON ends too early: was it cut short?", "{e}");
    }

    /// A student's review: "-3" in t1's clients was told "use a whole number from 0 to 256", and
    /// 0 was then refused ("load balancing needs at least one client").
    #[test]
    fn a_general_range_is_raised_to_what_the_protocol_takes() {
        let said = |id: &str, value: serde_json::Value| {
            message_at(id, "workload.clients", |v| v["workload"]["clients"] = value)
        };
        assert_eq!(
            said("t1-round-robin", (-3).into()),
            "-3 is out of range: use a whole number from 1 to 256"
        );
        assert_eq!(
            said("t1-round-robin", "abc".into()),
            "\"abc\" is not a number: use a whole number from 1 to 256"
        );
        // Raft runs without clients: 0 is taken there.
        assert_eq!(
            said("d4-raft-election", (-3).into()),
            "-3 is out of range: use a whole number from 0 to 256"
        );
    }

    /// Review 43: 10^12 in raft's rate was told "0 to 200000", the limit of every scenario, and
    /// 200000 was then refused as over raft's own 20000.
    #[test]
    fn a_general_range_is_lowered_to_what_the_protocol_takes() {
        let said = |id: &str, value: serde_json::Value| {
            message_at(id, "workload.arrival.rate_per_s", |v| {
                v["workload"]["arrival"] = serde_json::json!({"type": "open", "rate_per_s": value})
            })
        };
        assert_eq!(
            said("d4-raft-election", 1_000_000_000_000u64.into()),
            "1000000000000 is out of range: use a whole number from 0 to 20000"
        );
        assert_eq!(
            said("e5-2pc-no-crash", "x".into()),
            "\"x\" is not a number: use a whole number from 0 to 10000"
        );
        assert_eq!(
            said("t1-round-robin", (-1).into()),
            "-1 is out of range: use a whole number from 0 to 200000"
        );
    }

    #[test]
    fn a_protocol_field_of_the_wrong_type_names_the_protocols_limits() {
        let sc = presets::get("d3-quorum-stale-read").expect("preset");
        let v: serde_json::Value = serde_json::from_str(&sc.to_json()).expect("json");
        for (value, said) in [
            (serde_json::json!(-1), "-1 is out of range: it must be 1 to n (3)"),
            (serde_json::json!(2.5), "2.5 is not a whole number: it must be 1 to n (3)"),
            (serde_json::json!("a: b"), "\"a: b\" is not a number: it must be 1 to n (3)"),
        ] {
            let mut bad = v.clone();
            bad["protocol"]["r"] = value;
            let e = Scenario::from_json(&bad.to_string()).expect_err("refused");
            let e = e.at_in(&bad, "protocol.r");
            assert_eq!((e.field(), e.message().as_str()), (Some("protocol.r"), said));
        }
        // A field inside a list; and one whose check passes 0 and refuses only too much.
        assert_eq!(
            message_at("t1-round-robin", "protocol.backends[0].weight", |v| {
                v["protocol"]["backends"][0]["weight"] = (-2).into()
            }),
            "-2 is out of range: it must be 1 to 1000"
        );
        assert_eq!(
            message_at("d6-lamport-vector-clocks", "protocol.send_permille", |v| {
                v["protocol"]["send_permille"] = (-1).into()
            }),
            "-1 is out of range: it must be 0 to 1000"
        );
        // A server's workers, whose check is the server block's own: -1 is told 1 to 10000, not
        // "0 or more" (review 48 C7), and so is a 0.
        let workers = "protocol.backends[0].server.workers";
        let edit = |n: i64| {
            move |v: &mut serde_json::Value| v["protocol"]["backends"][0]["server"]["workers"] = n.into()
        };
        assert_eq!(
            message_at("t1-round-robin", workers, edit(-1)),
            "-1 is out of range: it must be 1 to 10000"
        );
        assert_eq!(
            message_at("t1-round-robin", workers, edit(0)),
            "0 is out of range: it must be 1 to 10000"
        );
        // Worded at its field twice (the parser does it, then a form), it is said once (review 49
        // C2: "it must be 2 to 300: it must be 2 to 300: …").
        let min = "protocol.election_timeout_ms_min";
        let mut raft: serde_json::Value =
            serde_json::from_str(&presets::get("d4-raft-election").expect("preset").to_json()).expect("json");
        raft["protocol"]["election_timeout_ms_min"] = (-150).into();
        let once = Scenario::from_json(&raft.to_string()).expect_err("refused").at_in(&raft, min);
        assert_eq!(
            once.message(),
            "-150 is out of range: it must be 51 to 300: above the heartbeat (50 ms) and at most the max"
        );
        assert_eq!(once.at_in(&raft, min).message(), once.message());
        // A check that refuses only too much says its top; 0 passed, so the range starts there
        // (review 11: a -1 timeout was told "it must be at most 3600000").
        let sc = presets::get("r2-circuit-breaker-cascade").expect("preset");
        let mut bad: serde_json::Value = serde_json::from_str(&sc.to_json()).expect("json");
        let field = "protocol.services[1].endpoints[0].calls[0].timeout_ms";
        bad["protocol"]["services"][1]["endpoints"][0]["calls"][0]["timeout_ms"] = (-1).into();
        let e = Scenario::from_json(&bad.to_string()).expect_err("refused");
        assert_eq!(e.at_in(&bad, field).message(), "-1 is out of range: it must be 0 to 3600000");
        // Read from a link, with no form to say which field was edited last, the error names that
        // field all the same (it said "invalid at protocol").
        assert_eq!(
            (e.field(), e.message().as_str()),
            (Some(field), "-1 is out of range: it must be 0 to 3600000")
        );
        // A whole number the check refuses is named too (review 45 F6).
        bad["protocol"]["services"][1]["endpoints"][0]["calls"][0]["timeout_ms"] = 5_000_000.into();
        let e = Scenario::parsed(&bad.to_string()).expect_err("too long");
        assert_eq!(e.at_in(&bad, field).message(), "5000000 is too big: it must be at most 3600000");
        bad["protocol"]["services"][1]["endpoints"][0]["calls"][0]["timeout_ms"] = 2000.into();
        let mut raft: serde_json::Value =
            serde_json::from_str(&presets::get("d4-raft-election").expect("preset").to_json()).expect("json");
        raft["protocol"]["heartbeat_ms"] = 0.into();
        let e = Scenario::parsed(&raft.to_string()).expect_err("no heartbeat");
        let said = e.at_in(&raft, "protocol.heartbeat_ms").message();
        assert!(said.starts_with("0 is out of range: it must be 1 to 149 ("), "{said}");
        bad["protocol"]["services"][1]["endpoints"][0]["calls"][0]["timeout_ms"] = 2000.into();
        bad["protocol"]["services"][2]["pools"][0]["workers"] = "many".into();
        let e = Scenario::from_json(&bad.to_string()).expect_err("refused");
        assert_eq!(e.field(), Some("protocol.services[2].pools[0].workers"), "{e}");
        // Many bad fields: the first is named, and the probes that find its limits do not deepen
        // in turn (nested, that was two parses per bad field: 2^30 for thirty).
        let mut many = bad.clone();
        for (i, s) in many["protocol"]["services"].as_array_mut().expect("services").iter_mut().enumerate() {
            for (j, p) in s["pools"].as_array_mut().into_iter().flatten().enumerate() {
                p["workers"] = format!("w{i}{j}").into();
                p["queue_cap"] = format!("q{i}{j}").into();
            }
        }
        let e = Scenario::from_json(&many.to_string()).expect_err("refused");
        assert!(e.field().is_some_and(|f| f.starts_with("protocol.services[")), "{e}");
        // The same value in two fields: which one serde meant is not known, so not guessed.
        bad["protocol"]["services"][2]["pools"][0]["workers"] = 8.into();
        bad["protocol"]["services"][1]["endpoints"][0]["calls"][0]["timeout_ms"] = (-7).into();
        bad["protocol"]["services"][0]["endpoints"][0]["calls"][0]["timeout_ms"] = (-7).into();
        let e = Scenario::from_json(&bad.to_string()).expect_err("refused");
        assert_eq!(e.field(), Some("protocol"), "{e}");
    }

    #[test]
    fn a_number_too_large_for_its_type_names_the_fields_limit() {
        let e = error_with(|v| v["workload"]["arrival"]["rate_per_s"] = 1_000_000_000_000u64.into());
        // serde reports it at the tagged enum; the form knows the field and asks for its words.
        let e = e.at("workload.arrival.rate_per_s");
        assert_eq!(
            e.to_string(),
            "scenario JSON is invalid at `workload.arrival.rate_per_s`: 1000000000000 is out of range: \
             use a whole number from 0 to 200000"
        );
        let e = error_with(|v| v["workload"]["clients"] = (-5).into());
        assert_eq!(e.message(), "-5 is out of range: use a whole number from 0 to 256");
    }

    #[test]
    fn text_and_fractions_in_a_whole_number_field_say_so() {
        let e = error_with(|v| v["workload"]["clients"] = "".into());
        assert_eq!(e.field(), Some("workload.clients"));
        assert_eq!(e.message(), "an empty string \"\" is not a number: enter a whole number from 0 to 256");
        let e = error_with(|v| v["workload"]["clients"] = "abc".into());
        assert_eq!(e.message(), "\"abc\" is not a number: use a whole number from 0 to 256");
        let e = error_with(|v| v["workload"]["clients"] = 2.5.into());
        assert_eq!(e.message(), "2.5 is not a whole number: use a whole number from 0 to 256");
        let e = error_with(|v| v["stop_at_ms"] = 0.5.into());
        assert_eq!(e.message(), "0.5 is not a whole number: use a whole number from 1 to 86400000");
    }

    #[test]
    fn a_negative_count_is_told_to_be_0_or_more_not_given_the_types_top() {
        let e = error_with(|v| v["protocol"]["backends"][0]["count"] = (-3).into());
        assert!(
            e.message().ends_with("-3 is out of range: use a whole number, 0 or more"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn a_whole_number_read_as_a_float_is_told_in_digits_below_10_to_the_21() {
        let e = error_with(|v| v["seed"] = serde_json::json!(18446744073709551616.0));
        assert_eq!(
            e.message(),
            "18446744073709551616 is out of range: use a whole number from 0 to 18446744073709551615"
        );
        let e = error_with(|v| v["sim"]["max_events"] = serde_json::json!(1e20));
        assert!(e.message().starts_with("100000000000000000000 is out of range: "), "{}", e.message());
        let e = error_with(|v| v["seed"] = serde_json::json!(-1e3));
        assert!(e.message().starts_with("-1000 is out of range: "), "{}", e.message());
    }

    #[test]
    fn a_whole_number_too_big_for_its_field_is_out_of_range_not_a_fraction() {
        let e = error_with(|v| v["stop_at_ms"] = 1e30.into());
        assert_eq!(e.message(), "1e+30 is out of range: use a whole number from 1 to 86400000");
    }
}
