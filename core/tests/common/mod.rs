//! Shared by the scenario tests: a preset with JSON edits applied, run to its stop time.
// Each test file uses the helpers it needs.
#![allow(dead_code)]

pub mod outstanding;
pub mod swarm;

use dsplay_core::scenario::Scenario;
use dsplay_core::view::{NodeView, WorldView};
use dsplay_core::{presets, registry, SimTime, Simulation};
use serde_json::Value;

/// The preset `id` with `edit` applied to its JSON, re-validated.
pub fn scenario(id: &str, edit: impl FnOnce(&mut Value)) -> Scenario {
    let mut v = serde_json::to_value(presets::get(id).expect("preset")).expect("json");
    edit(&mut v);
    Scenario::from_json(&v.to_string()).expect("valid")
}

/// Why the preset `id` with `edit` applied to its JSON is refused (a test of the limits).
pub fn refused(id: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut v = serde_json::to_value(presets::get(id).expect("preset")).expect("json");
    edit(&mut v);
    Scenario::from_json(&v.to_string()).expect_err("refused").to_string()
}

/// Each `(field, value, range)`: the preset `id` with `protocol.<field>` set to `value` is
/// refused, and the reason names the field and its allowed range.
pub fn each_refused_naming_its_range(id: &str, cases: &[(&str, Value, &str)]) {
    for (field, value, range) in cases {
        let e = refused(id, |v| v["protocol"][*field] = value.clone());
        assert!(e.contains(&format!("protocol.{field}")) && e.contains(range), "{field}: {e}");
    }
}

/// Build and run to the stop time.
pub fn run(sc: &Scenario) -> Box<dyn Simulation> {
    let mut sim = registry::build(sc).expect("build");
    let stop = sim.stop_at();
    sim.run_until(stop);
    sim
}

/// Build and run only up to `ms`, to read counters at a cut point (and subtract two cuts).
pub fn run_to(sc: &Scenario, ms: u64) -> Box<dyn Simulation> {
    let mut sim = registry::build(sc).expect("build");
    sim.run_until(SimTime::from_ms(ms));
    sim
}

/// Run the preset `id` to its stop time; it must not halt.
pub fn run_preset(id: &str) -> Box<dyn Simulation> {
    let sim = run(&presets::get(id).unwrap_or_else(|e| panic!("{id}: {e}")));
    assert!(sim.halted().is_none(), "{id} halted: {:?}", sim.halted());
    sim
}

/// Run the preset `id` only up to `ms`.
pub fn run_preset_to(id: &str, ms: u64) -> Box<dyn Simulation> {
    run_to(&presets::get(id).expect("preset"), ms)
}

/// Run `sim` up to `ms` one event at a time, handing `each` the world after every event (to
/// check a bound that must hold at every instant, not only at the cut points).
pub fn run_watching(sim: &mut dyn Simulation, ms: u64, mut each: impl FnMut(&WorldView)) {
    while sim.run_bounded(SimTime::from_ms(ms), 1) == 1 {
        each(&sim.view());
    }
}

/// The count a node's label opens with ("3 pending": 3).
pub fn label_count(view: &NodeView) -> u64 {
    let first = view.label.split(' ').next().unwrap_or_default();
    first.parse().unwrap_or_else(|_| panic!("{:?} opens with no count", view.label))
}

/// A node's field `name`, a count.
pub fn field_count(view: &NodeView, name: &str) -> u64 {
    let value = view.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.parse().ok());
    value.flatten().unwrap_or_else(|| panic!("no count {name} in {:?}", view.fields))
}

/// The node called `name`.
pub fn node_id(sim: &dyn Simulation, name: &str) -> dsplay_core::NodeId {
    dsplay_core::NodeId(sim.node_names().iter().position(|x| x == name).expect("node") as u32)
}

/// A gauge's current value: global (`node` None) or a node's.
pub fn gauge(sim: &dyn Simulation, name: &str, node: Option<&str>) -> i64 {
    let id = node.map(|n| node_id(sim, n));
    match sim.metrics().get(name, id).map(|m| &m.kind) {
        Some(dsplay_core::sim::metrics::MetricKind::Gauge { value }) => *value,
        other => panic!("{name} is not a gauge: {other:?}"),
    }
}

/// What node `name` shows now.
pub fn view(sim: &dyn Simulation, name: &str) -> dsplay_core::view::NodeView {
    sim.view().nodes.into_iter().find(|n| n.name == name).expect("node").view
}

/// A global counter's total.
pub fn counter(sim: &dyn Simulation, name: &str) -> u64 {
    sim.metrics().counter(name, None)
}
