//! Hostile input to the scenario front doors: the URL codec and the JSON parser. Whatever
//! decodes must also build and run (for a bounded number of events) without panicking.
#![no_main]

use dsplay_core::scenario::decode_fragment;
use dsplay_core::{registry, Scenario};
use libfuzzer_sys::fuzz_target;

/// Events per accepted scenario: enough to exercise the simulator, small enough to stay fast.
const EVENT_BUDGET: u64 = 10_000;

fn exercise(sc: &Scenario) {
    if let Ok(mut sim) = registry::build(sc) {
        let stop = sim.stop_at();
        sim.run_bounded(stop, EVENT_BUDGET);
        let _ = sim.trace_hash();
        let _ = sim.view();
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(sc) = decode_fragment(&text) {
        exercise(&sc);
    }
    if let Ok(sc) = Scenario::from_json(&text) {
        exercise(&sc);
    }
});
