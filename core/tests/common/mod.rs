//! Shared by the scenario tests: a preset with JSON edits applied, run to its stop time.
// Each test file uses the helpers it needs.
#![allow(dead_code)]

use dsplay_core::scenario::Scenario;
use dsplay_core::{presets, registry, SimTime, Simulation};
use serde_json::Value;

/// The preset `id` with `edit` applied to its JSON, re-validated.
pub fn scenario(id: &str, edit: impl FnOnce(&mut Value)) -> Scenario {
    let mut v = serde_json::to_value(presets::get(id).expect("preset")).expect("json");
    edit(&mut v);
    Scenario::from_json(&v.to_string()).expect("valid")
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

/// A global counter's total.
pub fn counter(sim: &dyn Simulation, name: &str) -> u64 {
    sim.metrics().counter(name, None)
}
