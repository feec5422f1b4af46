//! T1 load balancing: the lessons' claims hold for their presets.

use dsplay_core::scenario::Scenario;
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::{presets, registry, SimTime, Simulation};
use serde_json::Value;

fn run_with(id: &str, edit: impl FnOnce(&mut Value)) -> Box<dyn Simulation> {
    let mut v = serde_json::to_value(presets::get(id).expect("preset")).expect("json");
    edit(&mut v);
    let sc = Scenario::from_json(&v.to_string()).expect("valid");
    let mut sim = registry::build(&sc).expect("build");
    let stop = sim.stop_at();
    sim.run_until(stop);
    sim
}

fn p99(sim: &dyn Simulation) -> u64 {
    sim.metrics().histogram("latency_ms", None).map_or(u64::MAX, |h| h.value_at_quantile(0.99))
}

fn per_node(sim: &dyn Simulation, name: &str) -> Vec<u64> {
    let names = sim.node_names();
    names
        .iter()
        .enumerate()
        .filter(|(_, n)| n.starts_with('b'))
        .map(|(i, _)| sim.metrics().counter(name, Some(dsplay_core::NodeId(i as u32))))
        .collect()
}

#[test]
fn smooth_wrr_forwards_in_nginx_order() {
    let sim = run_with("t1-smooth-wrr", |v| v["sim"]["trace_capacity"] = 2_000_000.into());
    let names = sim.node_names();
    let picks: String = sim
        .trace()
        .records()
        .iter()
        .filter(|r| r.kind == TraceKind::Send && r.label == "Forward")
        .take(14)
        .map(|r| match names[r.peer.expect("peer").index()].as_str() {
            "b1" => 'a',
            "b2" => 'b',
            _ => 'c',
        })
        .collect();
    assert_eq!(picks, "aabacaaaabacaa");
}

#[test]
fn round_robin_overloads_the_slow_backend_and_least_connections_does_not() {
    let rr = run_with("t1-round-robin", |v| v["events"] = Value::Array(vec![]));
    let lc = run_with("t1-least-connections", |_| {});
    assert_eq!(rr.scenario().seed, lc.scenario().seed);
    let rr_req = per_node(&*rr, "backend_requests");
    let lc_req = per_node(&*lc, "backend_requests");
    let spread = rr_req.iter().max().unwrap_or(&0) - rr_req.iter().min().unwrap_or(&0);
    assert!(spread <= 1, "round robin splits requests evenly: {rr_req:?}");
    assert!(lc_req[3] * 2 < lc_req[0], "least connections sends b4 far less: {lc_req:?}");
    assert!(
        rr.metrics().counter("rejected", Some(dsplay_core::NodeId(8))) > 0,
        "b4 rejects under round robin"
    );
    assert!(p99(&*lc) * 4 < p99(&*rr), "p99 lc {} µs vs rr {} µs", p99(&*lc), p99(&*rr));
}

#[test]
fn a_crashed_backend_without_health_checks_causes_timeouts() {
    let sim = run_with("t1-round-robin", |_| {});
    assert!(sim.metrics().counter("timeouts", None) > 500);
    let no_crash = run_with("t1-round-robin", |v| v["events"] = Value::Array(vec![]));
    assert_eq!(no_crash.metrics().counter("timeouts", None), 0);
}

#[test]
fn two_choices_beat_random_on_tail_latency() {
    let p2c = run_with("t1-power-of-two", |_| {});
    let rnd = run_with("t1-power-of-two", |v| v["protocol"]["algorithm"] = "random".into());
    // At 78 % utilisation two choices cut the random p99 by a fifth or more (32 vs 42 ms here).
    assert!(p99(&*p2c) * 5 < p99(&*rnd) * 4, "p2c p99 {} µs, random {} µs", p99(&*p2c), p99(&*rnd));
}

#[test]
fn an_hour_long_run_stays_bounded() {
    let sim = run_with("t1-round-robin", |v| {
        v["stop_at_ms"] = 3_600_000.into();
        v["workload"]["arrival"]["rate_per_s"] = 10.into();
        v["sim"]["trace_capacity"] = 10_000.into();
    });
    assert_eq!(sim.now(), SimTime::from_ms(3_600_000));
    assert!(sim.trace().records().len() <= 10_000);
    assert!(sim.trace().len_total() > 100_000);
    let max_points = sim.metrics().all().iter().map(|m| m.series.len()).max().unwrap_or(0);
    assert!(max_points as u64 <= dsplay_core::sim::metrics::MAX_POINTS, "{max_points} points");
}
