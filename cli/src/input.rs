//! Loading scenarios for the CLI: a preset id or a file, plus `--set PATH=VALUE` overrides.

use dsplay_core::{presets, Scenario, ScenarioError};
use serde_json::Value;
use std::path::Path;

/// A one-line reason the CLI prints before exiting with code 2.
pub type CliError = String;

/// Whether `spec` is a link (a URL or a fragment: `#s=…`, `#preset=…`, wherever in the fragment
/// its scenario part is: `#v=2&preset=…` was looked for as a file, review 50 C10), not an id or
/// a path.
pub fn is_link(spec: &str) -> bool {
    spec.split_once('#')
        .is_some_and(|(_, frag)| frag.split('&').any(|p| p.starts_with("s=") || p.starts_with("preset=")))
}

/// A key a link gives twice (`preset=`), in the CLI's words: the page opens the first and says
/// so; a script must not get a run it did not ask for without a word (review 50 C10: a link with
/// two presets ran the first, exit 0).
fn twice(link: &str) -> Result<(), CliError> {
    let frag = link.split_once('#').map_or(link, |(_, f)| f);
    let keys: Vec<&str> = frag.split('&').filter_map(|p| p.split_once('=').map(|(k, _)| k)).collect();
    match keys.iter().enumerate().find(|(i, k)| keys[..*i].contains(k)) {
        Some((_, key)) => Err(format!("the link has {key}= twice: keep one")),
        None => Ok(()),
    }
}

/// A scenario argument as given, except an embed's address (`https://host/?embed=1&preset=ID&t=3000`,
/// what the app's "Copy embed code" puts in a course page), which becomes the link it opens:
/// `#preset=ID&t=3000`. The embed's other options (speed, controls, theme, until, loop, tour) say
/// how the page plays the run, not what runs, and are not carried. A clap value parser.
pub fn spec(arg: &str) -> Result<String, String> {
    // Copied out of HTML (the Embed dialog's code writes `&` as `&amp;`): no link has an `&amp;`
    // of its own (review 31 N1: such an address was refused as naming no preset).
    let arg = &arg.replace("&amp;", "&");
    let Some(query) = embed_query(arg) else { return Ok(arg.to_string()) };
    let value = |key: &str| query.split('&').find_map(|p| p.strip_prefix(key).map(str::to_string));
    let preset = value("preset=").filter(|id| !id.is_empty()).ok_or_else(|| {
        "the embed's address names no preset: it needs preset=ID, such as preset=d4-raft-election".to_string()
    })?;
    Ok(match value("t=") {
        Some(t) => format!("#preset={preset}&t={t}"),
        None => format!("#preset={preset}"),
    })
}

/// The query of an embed's address (`?embed=1&…`), if `arg` is one and carries no link of its own.
fn embed_query(arg: &str) -> Option<&str> {
    if is_link(arg) {
        return None;
    }
    let query = arg.split_once('?')?.1.split('#').next()?;
    query.split('&').any(|p| p == "embed" || p.starts_with("embed=")).then_some(query)
}

/// Load `FILE|ID|LINK`: a preset id wins, then a link, then a path to a JSON scenario.
pub fn load(spec: &str) -> Result<Scenario, CliError> {
    if presets::json(spec).is_some() {
        return presets::get(spec).map_err(|e| format!("preset {spec}: {e}"));
    }
    if is_link(spec) {
        twice(spec)?;
        return dsplay_core::scenario::decode_fragment(spec).map_err(|e| e.to_string());
    }
    let path = Path::new(spec);
    if !path.exists() {
        let near: Vec<String> = presets::suggest(spec).iter().map(|k| format!("{k:?}")).collect();
        let hint =
            if near.is_empty() { String::new() } else { format!("; did you mean {}?", near.join(" or ")) };
        return Err(format!("no preset or file named {spec:?}{hint} (`dsplay presets` lists them)"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {spec}: {e}"))?;
    Scenario::from_json(&text).map_err(|e| format!("{spec}: {e}"))
}

/// Apply `PATH=VALUE` overrides (`workload.arrival.rate_per_s=900`, `protocol.backends[0].count=3`).
/// VALUE is parsed as JSON when it can be, else taken as a string. The result is re-validated.
pub fn apply_sets(sc: Scenario, sets: &[String]) -> Result<Scenario, CliError> {
    if sets.is_empty() {
        return Ok(sc);
    }
    let mut v = serde_json::to_value(&sc).map_err(|e| format!("internal: {e}"))?;
    for s in sets {
        let (path, raw) = s.split_once('=').ok_or_else(|| format!("--set {s:?}: expected PATH=VALUE"))?;
        let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
        let slot = walk(&mut v, path).map_err(|e| format!("--set {path}: {e}"))?;
        *slot = value;
    }
    let text = serde_json::to_string(&v).map_err(|e| format!("internal: {e}"))?;
    Scenario::from_json(&text).map_err(|e| format!("after --set: {}", at_the_set(e, &v, sets)))
}

/// serde reports an error inside a tagged enum (`protocol`) at the enum; when a `--set` went
/// deeper into it, the error is the set field's.
fn at_the_set(e: ScenarioError, v: &Value, sets: &[String]) -> ScenarioError {
    let Some(field) = e.field() else { return e };
    let deeper = sets.iter().rev().filter_map(|s| s.split_once('=')).map(|(path, _)| path).find(|path| {
        path.len() > field.len()
            && path.starts_with(field)
            && matches!(path.as_bytes()[field.len()], b'.' | b'[')
    });
    match deeper {
        Some(path) => e.at_in(v, path),
        None => e,
    }
}

fn walk<'a>(mut v: &'a mut Value, path: &str) -> Result<&'a mut Value, String> {
    let steps = path.split('.').flat_map(|seg| {
        let mut parts = Vec::new();
        let mut rest = seg;
        if let Some(i) = rest.find('[') {
            parts.push(rest[..i].to_string());
            rest = &rest[i..];
            while let Some(end) = rest.find(']') {
                parts.push(rest[1..end].to_string());
                rest = &rest[end + 1..];
            }
        } else {
            parts.push(rest.to_string());
        }
        parts.into_iter().filter(|p| !p.is_empty())
    });
    let steps: Vec<String> = steps.collect();
    if steps.is_empty() {
        return Err("empty path".into());
    }
    let last = steps.len() - 1;
    for (i, key) in steps.iter().enumerate() {
        v = match v {
            Value::Object(m) => {
                if !m.contains_key(key) && i != last {
                    return Err(format!("no field {key:?}"));
                }
                m.entry(key.clone()).or_insert(Value::Null)
            }
            Value::Array(a) => {
                let idx: usize = key.parse().map_err(|_| format!("{key:?} is not an index"))?;
                let len = a.len();
                a.get_mut(idx).ok_or_else(|| format!("index {idx} out of range (length {len})"))?
            }
            _ => return Err(format!("cannot go into {key:?}: not an object or list")),
        };
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_overrides_nested_fields_and_revalidates() {
        let sc = load("t1-round-robin").expect("preset");
        let sc2 =
            apply_sets(sc.clone(), &["seed=99".into(), "protocol.backends[1].count=2".into()]).expect("set");
        assert_eq!(sc2.seed, 99);
        assert!(serde_json::to_string(&sc2).unwrap_or_default().contains("\"count\":2"));
        assert!(apply_sets(sc.clone(), &["stop_at_ms=-5".into()]).is_err());
        assert!(apply_sets(sc.clone(), &["nope.deeper=1".into()]).is_err());
        assert!(apply_sets(sc, &["noequals".into()]).is_err());
    }

    #[test]
    fn an_embeds_address_is_read_as_the_link_it_opens() {
        let at =
            "https://course.example/dsplay/?embed=1&preset=d4-raft-election&autoplay=1&t=3000&theme=dark";
        assert_eq!(spec(at).as_deref(), Ok("#preset=d4-raft-election&t=3000"));
        assert_eq!(spec("/x/?embed=1&preset=t1-round-robin").as_deref(), Ok("#preset=t1-round-robin"));
        assert!(spec("/x/?embed=1&t=5").is_err_and(|e| e.contains("names no preset")));
        // As it stands in HTML: the dialog's iframe code escapes `&`.
        let escaped = "https://h/?embed=1&amp;autoplay=1&amp;preset=d4-raft-election&amp;t=3000";
        assert_eq!(spec(escaped).as_deref(), Ok("#preset=d4-raft-election&t=3000"));
        assert_eq!(spec("https://h/?embed=1#s=abc&amp;t=9").as_deref(), Ok("https://h/?embed=1#s=abc&t=9"));
        // Not an embed: left as given (a file may have a `?` in its name; a link keeps its own).
        for as_given in ["odd?name.json", "t1-round-robin", "https://h/?embed=1#preset=d4-raft-election&t=9"]
        {
            assert_eq!(spec(as_given).as_deref(), Ok(as_given));
        }
    }

    #[test]
    fn an_error_inside_the_protocol_names_the_field_that_was_set() {
        let sc = load("t1-round-robin").expect("preset");
        let e = apply_sets(sc, &["seed=2".into(), "protocol.backends[0].count=1e30".into()])
            .expect_err("out of range");
        assert_eq!(
            e,
            "after --set: scenario JSON is invalid at `protocol.backends[0].count`: \
             1e+30 is out of range: use a whole number from 0 to 4294967295"
        );
    }
}
