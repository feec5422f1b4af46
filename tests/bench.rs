//! Browser throughput of the benchmark preset (`cargo xtask bench` runs this in release mode and
//! compares it with `dsplay bench`). Ignored in the normal test run: it is a measurement.

mod common;

use dsplay_core::{presets, registry};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const PRESET: &str = "t1-power-of-two";

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}

#[wasm_bindgen_test]
#[ignore = "a measurement: run with `cargo xtask bench`"]
fn bench_power_of_two() {
    let sc = presets::get(PRESET).expect("benchmark preset loads");
    let want = common::golden_hash(PRESET).expect("golden hash listed");
    // Best of three runs: the figure is a throughput, and the first run also warms the JIT.
    let mut best: Option<(f64, u64)> = None;
    for _ in 0..3 {
        let mut sim = registry::build(&sc).expect("benchmark preset builds");
        let stop = sim.stop_at();
        let t0 = now_ms();
        sim.run_until(stop);
        let wall_ms = (now_ms() - t0).max(0.001);
        assert!(sim.events() > 0, "the benchmark ran no events");
        assert_eq!(format!("{:016x}", sim.trace_hash()), want, "benchmark run diverged from native");
        if best.is_none_or(|(b, _)| wall_ms < b) {
            best = Some((wall_ms, sim.events()));
        }
    }
    let (wall_ms, events) = best.expect("three runs");
    let eps = events as f64 / (wall_ms / 1000.0);
    console_log!("DSPLAY_BENCH {{\"id\":\"{PRESET}\",\"events\":{events},\"wall_ms\":{wall_ms:.1},\"events_per_sec\":{eps:.0}}}");
}
