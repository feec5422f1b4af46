//! A workload burst at 0 % stops the open-loop clients of every protocol that has them: while it
//! lasts they send nothing and schedule nothing, and when it ends they start again.
//!
//! Until this was fixed a client at 0 % "checked back" every 100 ms: ten `Next` timers a second per
//! client, and in the protocols whose clients did not look at the rate again when the timer fired
//! (cap, replication, quorum, sharding, messaging, resilience, load balancing, traffic) a request
//! at each: a stopped load went on at ten requests a second per client.

use dsplay_core::sim::trace::TraceKind;
use dsplay_core::{presets, registry, Scenario, SimTime, Simulation};
use serde_json::{json, Value};

/// One preset per protocol whose clients draw open-loop load from the workload generator.
const PRESETS: [&str; 12] = [
    "d1-cap-cp",
    "d2-replication-async",
    "d3-quorum-abd",
    "d4-raft-election",
    "d5-split-brain-naive",
    "d9-sharding",
    "d10-reads-primary",
    "e1-backpressure",
    "e5-2pc-no-crash",
    "r1-timeouts",
    "t1-round-robin",
    "t6-rate-limiting",
];

/// `id` cut to 6 s, with the load at 0 % from 2 s to 4 s (and no other burst); faults after the
/// stop are dropped.
fn quiet_from_2_to_4_s(id: &str) -> Scenario {
    let mut v = serde_json::to_value(presets::get(id).expect("preset")).expect("json");
    v["stop_at_ms"] = 6_000.into();
    v["sim"]["trace_capacity"] = 2_000_000.into();
    v["workload"]["bursts"] = json!([{"at_ms": 2_000, "duration_ms": 2_000, "rate_pct": 0}]);
    let events = v["events"].as_array().cloned().unwrap_or_default();
    let kept: Vec<Value> = events.into_iter().filter(|e| e["at_ms"].as_u64() < Some(6_000)).collect();
    v["events"] = Value::Array(kept);
    Scenario::from_json(&v.to_string()).unwrap_or_else(|e| panic!("{id}: {e}"))
}

/// `Next` timers (a client's open-loop arrivals) that fired in `[from, to)` ms.
fn arrivals(sim: &dyn Simulation, from: u64, to: u64) -> usize {
    let (a, b) = (SimTime::from_ms(from), SimTime::from_ms(to));
    let records = sim.trace().records().iter();
    records.filter(|r| r.kind == TraceKind::Timer && r.label == "Next" && r.at >= a && r.at < b).count()
}

#[test]
fn a_burst_at_zero_percent_stops_every_protocols_clients_and_the_load_comes_back_after_it() {
    for id in PRESETS {
        let sc = quiet_from_2_to_4_s(id);
        let mut sim = registry::build(&sc).expect("builds");
        sim.run_until(SimTime::from_ms(2_000));
        let before = sim.events();
        sim.run_until(SimTime::from_ms(4_000));
        let quiet = sim.events() - before;
        sim.run_until(SimTime::from_ms(6_000));
        let (first, during, after) =
            (arrivals(&*sim, 0, 2_000), arrivals(&*sim, 2_000, 4_000), arrivals(&*sim, 4_000, 6_000));
        eprintln!(
            "{id}: {first} arrivals before, {during} during the burst at 0 % ({quiet} events), {after} after"
        );
        assert!(first > 20, "{id}: the load before: {first}");
        assert_eq!(during, 0, "{id}: no client arrival during the burst at 0 % ({quiet} events in it)");
        let ratio = after as f64 / first as f64;
        assert!(
            (0.7..1.4).contains(&ratio),
            "{id}: the load comes back after it: {first} before, {after} after"
        );
        // Same scenario, same seed: the same run.
        let mut again = registry::build(&sc).expect("builds");
        again.run_until(SimTime::from_ms(6_000));
        assert_eq!(sim.trace_hash(), again.trace_hash(), "{id}: deterministic");
    }
}
