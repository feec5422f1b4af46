//! What the editor checks that needs node names: the whole scenario as the player would build it,
//! the nodes a draft's topology has, the events another protocol cannot run (dropped, and said),
//! a new link override between nodes that exist, and an added section (chaos, regions) fitted
//! to them, or an added call `endpoint` to its service.

use super::json::{get, get_mut, Seg};
use super::parse_draft;
use dsplay_core::{registry, Scenario, ScenarioError};
use serde_json::{Map, Value};

/// The draft as the player would run it: parsed, validated, and built (which checks every node
/// name in events and link overrides against the protocol's nodes).
pub fn check(draft: &Value) -> Result<Scenario, ScenarioError> {
    let sc = parse_draft(draft)?;
    registry::build(&sc)?;
    Ok(sc)
}

/// The nodes of the draft's topology (built without its events and link overrides, which may name
/// nodes it lacks), if the rest of it is valid.
pub fn names_of(draft: &Value) -> Option<Vec<String>> {
    let mut bare = draft.clone();
    for (part, key) in [("events", None), ("network", Some("links"))] {
        let slot = match key {
            None => bare.get_mut(part),
            Some(k) => bare.get_mut(part).and_then(|n| n.get_mut(k)),
        };
        if let Some(Value::Array(items)) = slot {
            items.clear();
        }
    }
    let sc = parse_draft(&bare).ok()?;
    registry::build(&sc).ok().map(|sim| sim.node_names().to_vec())
}

/// The protocol kind of a scenario's JSON.
pub fn kind(v: &Value) -> Option<&str> {
    v.get("protocol")?.get("kind")?.as_str()
}

/// Drop the draft's events that name a node its topology lacks (after a switch of protocol, the
/// old one's nodes are gone). Returns what was dropped, described ("crash b2 at 3.000 s").
pub fn drop_foreign_events(draft: &mut Value) -> Vec<String> {
    let Some(names) = names_of(draft) else { return Vec::new() };
    let Some(Value::Array(events)) = draft.get_mut("events") else { return Vec::new() };
    let mut dropped = Vec::new();
    events.retain(|e| {
        let Ok(t) = serde_json::from_str::<dsplay_core::scenario::Timed>(&e.to_string()) else { return true };
        let fits = t.event.node_names().iter().all(|n| names.iter().any(|m| m == n));
        if !fits {
            dropped.push(format!("{} at {:.3} s", t.event.describe(), t.at_ms as f64 / 1000.0));
        }
        fits
    });
    dropped
}

/// Whether `draft` lacks nodes `base` has, in the words of [`dropped_note`]: another protocol
/// ("raft does not have"), or a smaller topology of the same one (fewer servers).
pub fn lacks(draft: &Value, base: &Value) -> Option<String> {
    let now_kind = kind(draft).unwrap_or_default();
    if kind(base) != Some(now_kind) {
        return Some(format!("{now_kind} does not have"));
    }
    let now = names_of(draft);
    (now.is_some() && now != names_of(base)).then(|| "the edited scenario lacks".to_string())
}

/// What to tell the user about events dropped for naming nodes the draft lacks (`lacks`: "raft
/// does not have", after a protocol switch).
pub fn dropped_note(lacks: &str, dropped: &[String]) -> Option<String> {
    (!dropped.is_empty()).then(|| {
        let n = dropped.len();
        let events = if n == 1 { "event names a node" } else { "events name nodes" };
        format!(
            "{n} {events} that {lacks}, so {} left out: {}. (Reset before Apply, or Back after it, brings {} back.)",
            if n == 1 { "it is" } else { "they are" },
            dropped.join(", "),
            if n == 1 { "it" } else { "them" }
        )
    })
}

/// Point the element just added to the array at `path` (a link override or an event copied from
/// another preset names that preset's nodes) at nodes of the draft: its first ones, by default.
pub fn fit_new_element(draft: &mut Value, path: &[Seg], fallback: &[String]) {
    let names = names_of(draft).unwrap_or_else(|| fallback.to_vec());
    let Some(Value::Array(items)) = get_mut(draft, path) else { return };
    if let Some(Value::Object(item)) = items.last_mut() {
        fit_names(item, &names);
    }
}

/// After an enum switch at `path` (an event's `type`: its fields come from another preset's
/// event of that type), point the object's names at nodes of the draft.
pub fn fit_switched(draft: &mut Value, path: &[Seg], fallback: &[String]) {
    let names = names_of(draft).unwrap_or_else(|| fallback.to_vec());
    let Some((_, object)) = path.split_last() else { return };
    if let Some(Value::Object(obj)) = get_mut(draft, object) {
        fit_names(obj, &names);
    }
}

/// Replace the names in `obj` (and in its `event`, for a scenario event) that no node of `names`
/// has: a name by the next spare node, a list by those of its names that exist (a spare one if
/// none). `*` (every node) stays.
fn fit_names(obj: &mut Map<String, Value>, names: &[String]) {
    if let Some(Value::Object(inner)) = obj.get_mut("event") {
        fit_names(inner, names);
    }
    let known = |n: &str| n == "*" || names.iter().any(|m| m == n);
    let mut spare = names.iter().cycle().cloned();
    for (key, v) in obj.iter_mut() {
        let mut lists: Vec<&mut Vec<Value>> = match (key.as_str(), v) {
            ("from" | "to" | "node", Value::String(name)) => {
                if !known(name) {
                    if let Some(n) = spare.next() {
                        *name = n;
                    }
                }
                continue;
            }
            ("from" | "to", Value::Array(list)) => vec![list],
            ("groups", Value::Array(groups)) => groups.iter_mut().filter_map(Value::as_array_mut).collect(),
            _ => continue,
        };
        for list in lists.iter_mut() {
            list.retain(|n| n.as_str().is_some_and(known));
            if list.is_empty() {
                list.extend(spare.next().map(Value::String));
            }
        }
        if key == "groups" {
            join_the_largest(&mut lists, names);
        }
    }
}

/// Put the nodes no group of a partition lists into its largest group (the last of equals). A
/// partition copied from a 5-server preset into a 7-server draft left n6 and n7 out, and the run
/// made them a third side: no side had a majority, and no leader was elected for the rest of the
/// run, by accident (review 47 B3).
fn join_the_largest(groups: &mut [&mut Vec<Value>], names: &[String]) {
    let listed = |n: &String| groups.iter().any(|g| g.iter().any(|v| v.as_str() == Some(n)));
    let left: Vec<Value> = names.iter().filter(|n| !listed(n)).cloned().map(Value::String).collect();
    let largest = groups.iter().enumerate().max_by_key(|(_, g)| g.len()).map(|(i, _)| i);
    if let Some(i) = largest {
        groups[i].extend(left);
    }
}

/// Point a section just added at `path` (copied from another preset, it names that preset's
/// nodes) at the draft's nodes: chaos `targets` it lacks are left out (none left: every node is a
/// target), and a region map naming none of its nodes spreads them over the regions in turn.
pub fn fit_new_section(draft: &mut Value, path: &[Seg], fallback: &[String]) {
    fit_endpoint(draft, path);
    let names = names_of(draft).unwrap_or_else(|| fallback.to_vec());
    let Some(Value::Object(section)) = get_mut(draft, path) else { return };
    let known = |n: &str| names.iter().any(|m| m == n);
    if let Some(Value::Array(targets)) = section.get_mut("targets") {
        targets.retain(|t| t.as_str().is_some_and(known));
    }
    let regions: Vec<Value> = match section.get("names") {
        Some(Value::Array(r)) => r.clone(),
        _ => Vec::new(),
    };
    if let Some(Value::Object(of)) = section.get_mut("of") {
        of.retain(|node, _| known(node));
        if of.is_empty() && !regions.is_empty() {
            for (node, region) in names.iter().zip(regions.iter().cycle()) {
                of.insert(node.clone(), region.clone());
            }
        }
    }
}

/// An `endpoint` added to a call names one its service has: the example is another preset's
/// (r1's "catalog", added to e7's call to the fraud service, whose one endpoint is "score"),
/// which the form then refused (review 20). A name the service has is kept.
fn fit_endpoint(draft: &mut Value, path: &[Seg]) {
    let Some((Seg::Key(key), call)) = path.split_last() else { return };
    let service = get(draft, call).and_then(|c| c.get("service")).and_then(Value::as_str);
    let services = draft.get("protocol").and_then(|p| p.get("services")).and_then(Value::as_array);
    let (Some(service), Some(services), true) = (service, services, key == "endpoint") else { return };
    let of = |s: &&Value| s.get("name").and_then(Value::as_str) == Some(service);
    let endpoints = services.iter().find(of).and_then(|s| s.get("endpoints")).and_then(Value::as_array);
    let names: Vec<&str> = endpoints.into_iter().flatten().filter_map(|e| e.get("name")?.as_str()).collect();
    let now = get(draft, path).and_then(Value::as_str);
    let fitted = match names.first() {
        Some(first) if !now.is_some_and(|n| names.contains(&n)) => Value::String((*first).to_string()),
        _ => return,
    };
    if let Some(slot) = get_mut(draft, path) {
        *slot = fitted;
    }
}
