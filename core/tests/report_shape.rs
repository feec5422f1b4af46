//! The `metrics` of a run report have one shape per run, whatever happened in it (review 27 B2):
//! every key a preset's report has at its stop time is there at time 0, with the same nodes in
//! each per-node map, and the same kind of value (a number or null, or a histogram summary). A
//! spreadsheet fed from `dsplay run --json` keeps its columns when a run is cut short or a
//! counter never fires.

use dsplay_core::sim::metrics::GLOBAL_KEY;
use dsplay_core::{presets, registry, report, Simulation};
use serde_json::Value;
use std::collections::BTreeMap;

/// A value's shape: `value` for a number or null (a gauge with no reading), `histogram` for a
/// summary, and a map's shape key by key.
fn shape(v: &Value) -> String {
    match v {
        Value::Number(_) | Value::Null => "value".into(),
        Value::Object(o) if o.contains_key("count") && o.contains_key("p50") => "histogram".into(),
        Value::Object(o) => {
            let parts: Vec<String> = o.iter().map(|(k, v)| format!("{k}: {}", shape(v))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => format!("unexpected {other}"),
    }
}

fn shapes(sim: &dyn Simulation) -> BTreeMap<String, String> {
    let metrics = report::report(sim)["metrics"].clone();
    let o = metrics.as_object().cloned().unwrap_or_default();
    o.iter().map(|(k, v)| (k.clone(), shape(v))).collect()
}

/// What differs between two reports' shapes, one line per metric.
fn differences(start: &BTreeMap<String, String>, end: &BTreeMap<String, String>) -> Vec<String> {
    let names: std::collections::BTreeSet<&String> = start.keys().chain(end.keys()).collect();
    let none = String::from("absent");
    let differ = names.into_iter().filter(|n| start.get(*n) != end.get(*n));
    differ
        .map(|n| {
            format!("{n}: {} at 0, {} at the end", start.get(n).unwrap_or(&none), end.get(n).unwrap_or(&none))
        })
        .collect()
}

#[test]
fn every_presets_report_has_at_its_end_the_keys_and_shapes_it_had_at_time_0() {
    let mut wrong = Vec::new();
    for id in presets::ids() {
        let sc = presets::get(id).expect("preset");
        let mut sim = registry::build(&sc).expect("builds");
        let start = shapes(&*sim);
        let stop = sim.stop_at();
        sim.run_until(stop);
        let end = shapes(&*sim);
        wrong.extend(differences(&start, &end).into_iter().map(|d| format!("{id}: {d}")));
        // A name recorded both globally and per node would be reported under `*` in the map.
        let both = end.iter().filter(|(_, s)| s.contains(&format!("{GLOBAL_KEY}: ")));
        wrong.extend(both.map(|(n, _)| format!("{id}: {n} is recorded both globally and per node")));
    }
    assert!(wrong.is_empty(), "list these with Ctx::reports / reports_here in init:\n{}", wrong.join("\n"));
}

#[test]
fn the_shape_check_sees_a_key_that_comes_late_and_a_node_that_comes_late() {
    let at = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let start = at(&[("errors", "value"), ("rejected", "{b1: value}")]);
    let end = at(&[("errors", "value"), ("rejected", "{b1: value, b4: value}"), ("shed", "value")]);
    assert_eq!(differences(&start, &end).len(), 2);
    let v: Value = serde_json::json!({"b1": null, "b2": {"count": 0, "p50": null}});
    assert_eq!(shape(&v), "{b1: value, b2: histogram}");
}

/// `*` is the report's key for a global value in a per-node map, and a link's or fault's word for
/// every node, so no node may be called that: a service is the one node a user names.
#[test]
fn no_service_is_named_star() {
    let json = dsplay_core::presets::json("r1-timeouts").expect("preset").replace("\"inventory\"", "\"*\"");
    let err = dsplay_core::Scenario::from_json(&json)
        .and_then(|sc| registry::build(&sc).map(|_| ()))
        .expect_err("refused")
        .to_string();
    assert!(err.contains("services[1].name") && err.contains("every node"), "{err}");
}
