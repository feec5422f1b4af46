//! D9 preset: the keys-moved figures per scheme when a fifth shard is added, and the hot spot a
//! Zipf-popular key makes under consistent hashing (compared with uniform popularity).

use crate::common;

use dsplay_core::blocks::KeyPicker;
use dsplay_core::scenario::Keys;
use dsplay_core::scenario::Scenario;
use dsplay_core::shard::{Placement, Scheme};
use dsplay_core::sim::metrics::MetricKind;
use dsplay_core::view::WorldView;
use dsplay_core::{presets, registry, NodeId, SimTime, Simulation};
use serde_json::{json, Value};

/// The preset with `edit`, run to `until_ms` (or to its stop time).
fn sim(edit: impl FnOnce(&mut Value), until_ms: Option<u64>) -> Box<dyn Simulation> {
    let mut v = serde_json::to_value(presets::get("d9-sharding").expect("preset")).expect("json");
    edit(&mut v);
    let sc = Scenario::from_json(&v.to_string()).expect("valid");
    let mut sim = registry::build(&sc).expect("build");
    let stop = until_ms.map_or(sim.stop_at(), SimTime::from_ms);
    sim.run_until(stop);
    sim
}

fn read_gauge(sim: &dyn Simulation, name: &str) -> i64 {
    match sim.metrics().get(name, None).map(|m| &m.kind) {
        Some(MetricKind::Gauge { value }) => *value,
        other => panic!("{name}: {other:?}"),
    }
}

fn gauge(edit: impl FnOnce(&mut Value), name: &str) -> i64 {
    read_gauge(&*sim(edit, None), name)
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

/// `range` re-cuts the key space into five equal ranges: about half the keys move, as the lesson says.
#[test]
fn range_re_cuts_every_range_and_moves_about_half() {
    let range = moved("range");
    assert!((430..=500).contains(&range), "range: {range} ‰");
    let lesson = presets::get("d9-sharding").expect("preset").meta.lesson;
    assert!(lesson.contains(&format!("({range} ‰;")), "the lesson quotes {range} ‰");
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

fn uniform(v: &mut Value) {
    v["workload"]["keys"] = json!({"type": "uniform", "count": 10_000});
}

/// Up to the resize (4 shards: 250 ‰ is a fair share), Zipf keys vs uniform keys, per scheme (the
/// ring: `a_hot_key_makes_a_hot_shard`).
#[test]
fn whatever_the_scheme_some_shard_stays_well_above_its_fair_share() {
    let hottest = |scheme: &str, keys: fn(&mut Value)| -> i64 {
        let edit = |v: &mut Value| {
            v["protocol"]["scheme"] = scheme.into();
            keys(v);
        };
        read_gauge(&*sim(edit, Some(9_990)), "hottest_shard_permille")
    };
    for scheme in ["jump", "mod", "range"] {
        let (zipf, even) = (hottest(scheme, |_| {}), hottest(scheme, uniform));
        assert!(zipf >= 280 && zipf >= even + 30, "{scheme}: zipf {zipf} ‰ vs uniform {even} ‰");
    }
}

#[test]
fn before_the_resize_s2_with_the_next_popular_keys_outworks_s1_with_the_hottest() {
    let ring = Placement::new(Scheme::Ring { vnodes: 100 }, 4);
    assert_eq!(ring.shard_of("a-0"), 0, "the hottest key is on s1");
    for key in ["h-1", "o-2", "c-4"] {
        assert_eq!(ring.shard_of(key), 1, "{key} is on s2");
    }
    let KeyPicker::Zipf(cdf) = KeyPicker::new(&Keys::Zipf { count: 10_000, s_milli: 1100 }) else { panic!() };
    assert!((0.13..0.17).contains(&cdf[0]), "the hottest key gets about 15 %: {}", cdf[0]);
    for ms in [1_000, 5_000, 9_990] {
        let sim = sim(|_| {}, Some(ms));
        let requests: Vec<u64> =
            (0..4).map(|s| sim.metrics().counter("shard_requests", Some(shard_node(&*sim, s)))).collect();
        let busiest = requests.iter().max().expect("shards");
        assert_eq!(requests[1], *busiest, "s2 is the busiest at {ms} ms: {requests:?}");
        assert!(requests[1] > requests[0] * 21 / 20, "clearly above s1 at {ms} ms: {requests:?}");
    }
}

/// Shard `s` (0-based: 0 is s1).
fn shard_node(sim: &dyn Simulation, s: usize) -> NodeId {
    let name = format!("s{}", s + 1);
    NodeId(sim.node_names().iter().position(|n| *n == name).expect("shard") as u32)
}

/// The sharding swarm's seed 2: the router crashed after adding its shard and, restarted, armed
/// `AddShard` again, which fired at once and added a second shard no node was built for — the
/// next request routed to it ran off the end of the router's per-shard counts (a panic). The
/// router remembers the shard it added.
#[test]
fn a_router_restarted_after_the_resize_adds_no_second_shard() {
    let crash = |v: &mut Value| {
        v["events"] = json!([
            {"at_ms": 10_500, "event": {"type": "crash", "node": "router"}},
            {"at_ms": 11_000, "event": {"type": "restart", "node": "router"}}
        ]);
    };
    let sim = sim(crash, None);
    assert!(sim.halted().is_none(), "{:?}", sim.halted());
    assert_eq!(read_gauge(&*sim, "active_shards"), 5, "four shards and the one added");
    assert_eq!(read_gauge(&*sim, "keys_moved_permille"), moved("ring"), "the 4 → 5 figure");
    let added = sim
        .trace()
        .records()
        .iter()
        .filter(|e| e.text.as_deref().is_some_and(|t| t.starts_with("added shard")));
    assert_eq!(added.count(), 1);
    let after = sim.metrics().counter("shard_requests", Some(shard_node(&*sim, 4)));
    assert!(after > 0, "s5 serves after the restart too");
}

/// Each client's requests out now (its label: "3 pending") and sent so far.
fn client_counts(view: &WorldView) -> Vec<(u64, u64)> {
    let clients = view.nodes.iter().filter(|n| n.view.role == "client");
    clients.map(|n| (common::label_count(&n.view), common::field_count(&n.view, "sent"))).collect()
}

/// A closed loop of three requests per client, 20 ms of thought between them: every client has
/// three going, never more, and keeps sending to the end; c1 too, which crashes at 1 s (losing
/// its requests; the simulator drops its think timers) and starts its loop afresh at 1.5 s.
#[test]
fn a_closed_loop_keeps_each_client_at_its_concurrency_through_a_crash() {
    let sc = common::scenario("d9-sharding", |v| {
        let think = json!({"type": "constant", "us": 20_000});
        v["workload"]["arrival"] = json!({"type": "closed", "concurrency": 3, "think": think});
        v["events"] = json!([
            {"at_ms": 1_000, "event": {"type": "crash", "node": "c1"}},
            {"at_ms": 1_500, "event": {"type": "restart", "node": "c1"}}
        ]);
    });
    let mut sim = registry::build(&sc).expect("build");
    let mut most = 0;
    let mut count = |w: &WorldView| most = client_counts(w).iter().map(|c| c.0).fold(most, u64::max);
    common::run_watching(&mut *sim, 2_000, &mut count);
    let at_2s = client_counts(&sim.view());
    common::run_watching(&mut *sim, 3_000, &mut count);
    assert_eq!(most, 3, "three requests going per client at most, and at times all three");
    for (c, (before, after)) in at_2s.iter().zip(client_counts(&sim.view())).enumerate() {
        let sent = after.1 - before.1;
        assert!(sent > 20, "c{} sent only {sent} requests in the last second", c + 1);
    }
}
