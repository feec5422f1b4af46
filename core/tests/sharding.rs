//! D9 preset: the keys-moved figures per scheme when a fifth shard is added, and the hot spot a
//! Zipf-popular key makes under consistent hashing (compared with uniform popularity).

use dsplay_core::scenario::Scenario;
use dsplay_core::sim::metrics::MetricKind;
use dsplay_core::{presets, registry};
use serde_json::{json, Value};

fn gauge(edit: impl FnOnce(&mut Value), name: &str) -> i64 {
    let mut v = serde_json::to_value(presets::get("d9-sharding").expect("preset")).expect("json");
    edit(&mut v);
    let sc = Scenario::from_json(&v.to_string()).expect("valid");
    let mut sim = registry::build(&sc).expect("build");
    let stop = sim.stop_at();
    sim.run_until(stop);
    match sim.metrics().get(name, None).map(|m| &m.kind) {
        Some(MetricKind::Gauge { value }) => *value,
        other => panic!("{name}: {other:?}"),
    }
}

fn moved(scheme: &str) -> i64 {
    gauge(|v| v["protocol"]["scheme"] = scheme.into(), "keys_moved_permille")
}

#[test]
fn adding_a_fifth_shard_moves_a_fifth_with_consistent_schemes_and_most_with_mod() {
    let (ring, jump, modulo) = (moved("ring"), moved("jump"), moved("mod"));
    assert!((170..=230).contains(&jump), "jump: {jump} ‰");
    assert!((130..=300).contains(&ring), "ring: {ring} ‰");
    assert!(modulo > 700, "mod N: {modulo} ‰");
}

#[test]
fn a_hot_key_makes_a_hot_shard() {
    let zipf = gauge(|_| {}, "hottest_shard_permille");
    let uniform = gauge(
        |v| v["workload"]["keys"] = json!({"type": "uniform", "count": 10_000}),
        "hottest_shard_permille",
    );
    assert!(zipf > uniform + 20, "zipf {zipf} ‰ vs uniform {uniform} ‰");
}
