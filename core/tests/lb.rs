//! T1 load balancing: the lessons' claims hold for their presets.

use dsplay_core::scenario::Scenario;
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::{presets, registry, NodeId, SimTime, Simulation};
use serde_json::Value;

use crate::common;

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

/// The backends the balancer forwards the first `n` requests to, e.g. "b1 b1 b2".
fn first_picks(algorithm: &str, n: usize) -> String {
    let sim = run_with("t1-smooth-wrr", |v| {
        v["sim"]["trace_capacity"] = 2_000_000.into();
        v["protocol"]["algorithm"] = algorithm.into();
    });
    let names = sim.node_names();
    let picks: Vec<&str> = sim
        .trace()
        .records()
        .iter()
        .filter(|r| r.kind == TraceKind::Send && r.label == "Forward")
        .take(n)
        .map(|r| names[r.peer.expect("peer").index()].as_str())
        .collect();
    picks.join(" ")
}

/// The picks repeat with period 7 (the total weight) and the lesson quotes one period in bold.
fn assert_picks(algorithm: &str, period: &str) {
    assert_eq!(first_picks(algorithm, 14), format!("{period} {period}"), "{algorithm}");
    let lesson = presets::get("t1-smooth-wrr").expect("preset").meta.lesson;
    assert!(lesson.contains(&format!("**{period}**")), "the lesson quotes {period}");
}

#[test]
fn smooth_wrr_forwards_in_nginx_order() {
    assert_picks("smooth_weighted_round_robin", "b1 b1 b2 b1 b3 b1 b1");
}

#[test]
fn classic_wrr_sends_five_in_a_row_to_b1() {
    assert_picks("weighted_round_robin", "b1 b1 b1 b1 b1 b2 b3");
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

/// Quantile `q` of `latency_ms`, in ms.
fn latency_ms(sim: &dyn Simulation, q: f64) -> f64 {
    sim.metrics().histogram("latency_ms", None).map_or(f64::NAN, |h| h.value_at_quantile(q) as f64 / 1000.0)
}

#[test]
fn least_connections_cuts_p99_from_about_660_to_about_105_ms() {
    let rr = run_with("t1-round-robin", |_| {});
    let lc = run_with("t1-least-connections", |_| {});
    let (rr_p99, lc_p99, lc_p50) = (latency_ms(&*rr, 0.99), latency_ms(&*lc, 0.99), latency_ms(&*lc, 0.5));
    assert!((600.0..720.0).contains(&rr_p99), "round robin p99 {rr_p99} ms");
    assert!((90.0..120.0).contains(&lc_p99), "least connections p99 {lc_p99} ms");
    assert!((13.0..19.0).contains(&lc_p50), "least connections p50 {lc_p50} ms");
}

#[test]
fn round_robin_leaves_the_cluster_half_busy_while_b4_queue_stays_full() {
    // Before b2's crash at 20 s: the mean of each backend's `backend_load` samples from 2 s.
    let sim = run_with("t1-round-robin", |_| {});
    let mean_load = |name: &str, cap: f64| {
        let node = sim.node_names().iter().position(|n| n == name).map(|i| NodeId(i as u32));
        let series = sim.metrics().get("backend_load", node).map(|m| m.series.clone()).unwrap_or_default();
        let window: Vec<f64> = series
            .iter()
            .filter(|p| p.t_ms > 2_000.0 && p.t_ms <= 20_000.0)
            .map(|p| p.value.min(cap))
            .collect();
        assert!(window.len() > 100, "{name}: {} samples", window.len());
        window.iter().sum::<f64>() / window.len() as f64
    };
    for fast in ["b1", "b2", "b3"] {
        let load = mean_load(fast, f64::MAX);
        assert!((1.2..1.9).contains(&load), "{fast}: {load:.2} open requests on average");
    }
    let b4 = mean_load("b4", f64::MAX);
    assert!(b4 > 50.0, "b4's queue stays full: {b4:.1} open requests on average");
    // Busy workers: at most 4 of a backend's open requests are in service.
    let busy: f64 = ["b1", "b2", "b3", "b4"].iter().map(|b| mean_load(b, 4.0)).sum::<f64>() / 16.0;
    assert!((0.45..0.6).contains(&busy), "the cluster's workers are {:.0} % busy", busy * 100.0);
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

/// The final reading of a global gauge.
fn gauge(sim: &dyn Simulation, name: &str) -> f64 {
    let m = sim.metrics().get(name, None).unwrap_or_else(|| panic!("no {name}"));
    m.series.last().map_or(f64::NAN, |p| p.value)
}

#[test]
fn latency_mean_us_is_the_mean_over_every_client_to_hold_against_erlang_c() {
    // The lesson compares a mean with 1/(1−ρ)-style theory; only percentiles were on screen.
    for (id, algorithm) in [("t1-queueing", "central_queue"), ("t1-round-robin", "round_robin")] {
        let sim = run_with(id, |v| v["protocol"]["algorithm"] = algorithm.into());
        let hist_mean = sim.metrics().histogram("latency_ms", None).map_or(0.0, |h| h.mean());
        let mean = gauge(&*sim, "latency_mean_us");
        assert!((mean - hist_mean).abs() < hist_mean / 100.0, "{id}: {mean} µs vs {hist_mean} µs");
    }
    let mean = |a: &str| {
        gauge(&*run_with("t1-queueing", |v| v["protocol"]["algorithm"] = a.into()), "latency_mean_us")
    };
    let (shared, rr, random) = (mean("central_queue"), mean("round_robin"), mean("random"));
    assert!(shared < rr && rr < random, "shared {shared}, round robin {rr}, random {random} µs");
    assert!((2_500.0..3_200.0).contains(&shared), "near Erlang C's 2,970 µs: {shared}");
}

#[test]
fn each_weighted_pick_is_noted_with_its_backend_and_weights_at_the_forward() {
    // Stepping through t1-smooth-wrr showed the Forward but nothing of the weights behind it.
    let first_100_ms = |id: &str| {
        let mut sim = registry::build(&presets::get(id).expect("preset")).expect("build");
        sim.run_until(SimTime::from_ms(100));
        sim
    };
    let sim = first_100_ms("t1-smooth-wrr");
    let records: Vec<_> = sim.trace().records().iter().collect();
    let names = sim.node_names();
    let mut checked = 0;
    for (i, r) in
        records.iter().enumerate().filter(|(_, r)| r.kind == TraceKind::Send && r.label == "Forward")
    {
        let to = &names[r.peer.expect("peer").index()];
        let note = records[..i]
            .iter()
            .rev()
            .copied()
            .take_while(|n| n.at == r.at && n.node == r.node)
            .find(|n| n.kind == TraceKind::Note && n.text.as_deref().is_some_and(|t| t.contains(" → ")))
            .and_then(|n| n.text.clone())
            .unwrap_or_else(|| panic!("no note beside the Forward at {:?}", r.at));
        assert!(note.contains(&format!("→ {to}: current [")) && note.contains("+ weights [5,1,1]"), "{note}");
        checked += 1;
        if checked == 21 {
            break;
        }
    }
    assert_eq!(checked, 21, "three cycles of weights 5 + 1 + 1 are noted");
    // Then one note says the rest are not: a note per request buried the event log (14,000 of them).
    let mut whole = registry::build(&presets::get("t1-smooth-wrr").expect("preset")).expect("build");
    whole.run_until(SimTime::from_ms(60_000));
    let notes: Vec<String> = whole
        .trace()
        .said()
        .filter_map(|r| r.text.as_deref().map(String::from))
        .filter(|t| t.contains("request"))
        .collect();
    assert_eq!(notes.len(), 22, "{notes:?}");
    assert_eq!(notes[21], "the picks repeat every 7 requests; the rest are not noted");
    let rr = first_100_ms("t1-round-robin");
    let chatty =
        rr.trace().records().iter().any(|n| n.text.as_deref().is_some_and(|t| t.starts_with("request ")));
    assert!(!chatty, "unweighted picks need no note");
}

/// Review 18 C1: a count set in one group was reported as the groups' sum alone, a number
/// nobody typed.
#[test]
fn too_many_backends_names_each_groups_count() {
    let mut v: Value = serde_json::from_str(presets::json("t1-round-robin").expect("preset")).expect("json");
    v["protocol"]["backends"][0]["count"] = 1_000_000.into();
    let said = Scenario::from_json(&v.to_string()).expect_err("too many").to_string();
    assert!(said.contains("1000001 backends in all (1000000 + 1); need 1 to"), "{said}");
}

/// A refusal comes back one network hop after the send (2–6 ms on the default links); a client
/// whose 1 ms timeout has already ended the request hears it as nothing: not a late response
/// (none came), not a refusal it counts. Responses that did come after a timeout, before the
/// balancer went down, stay late ones.
#[test]
fn a_refusal_after_the_clients_timeout_is_no_late_response() {
    let sc = common::scenario("t1-round-robin", |v| {
        v["workload"]["timeout_ms"] = 1.into();
        v["events"] = serde_json::json!([{"at_ms": 100, "event": {"type": "crash_refusing", "node": "lb"}}]);
    });
    let late = |sim: &dyn Simulation| sim.metrics().counter("late_responses", None);
    let (down, end) = (common::run_to(&sc, 120), common::run_to(&sc, 1_000));
    assert!(late(&*down) > 0, "responses after a 1 ms timeout are late");
    let timeouts = |sim: &dyn Simulation| sim.metrics().counter("timeouts", None);
    assert!(timeouts(&*end) > timeouts(&*down) + 500, "every request times out");
    assert_eq!((late(&*end), end.metrics().counter("refused", None)), (late(&*down), 0));
}

/// What the Editor writes beside each group of backends names the nodes that group makes, so
/// taking a group out shows the backends after it renamed (review 45).
#[test]
fn group_names_are_the_names_the_groups_make() {
    use dsplay_core::protocols::lb::group_names;
    let sim = run_with("t1-round-robin", |v| {
        v["protocol"]["backends"][0]["count"] = 2.into();
        v["stop_at_ms"] = 1.into();
        v["events"] = Value::Array(Vec::new());
    });
    let backends: Vec<&String> = sim.node_names().iter().filter(|n| n.starts_with('b')).collect();
    assert_eq!(backends, ["b1", "b2", "b3"]);
    assert_eq!(group_names(&[2, 1]), ["b1–b2", "b3"]);
    assert_eq!(group_names(&[1, 0, 3]), ["b1", "none", "b2–b4"]);
}
