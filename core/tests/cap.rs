//! D1 CAP: the same partition in CP and AP mode. CP refuses on the minority side only and stays
//! linearizable; AP serves everyone, reads stale data, is not linearizable, and converges on heal.

use dsplay_core::check::{check_history, Verdict};
use dsplay_core::{registry, SimTime, Simulation};
use serde_json::Value;

use crate::common;
use common::outstanding::{closed, pending_at_most, sends_between};
use common::{counter, run, scenario};

fn availability(sim: &dyn Simulation, client: &str) -> i64 {
    let i = sim.node_names().iter().position(|n| n == client).expect("client");
    match sim
        .metrics()
        .get("client_availability_permille", Some(dsplay_core::NodeId(i as u32)))
        .map(|m| &m.kind)
    {
        Some(dsplay_core::sim::metrics::MetricKind::Gauge { value }) => *value,
        other => panic!("no availability gauge for {client}: {other:?}"),
    }
}

fn field(sim: &dyn Simulation, node: &str, key: &str) -> String {
    let view = sim.view();
    let n = view.nodes.iter().find(|n| n.name == node).expect("node");
    n.view.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).expect("field")
}

fn no_partition(v: &mut Value) {
    v["events"] = Value::Array(vec![]);
}

/// `counter` read at each of the times `at_ms`, in one run of the preset.
fn counter_at(id: &str, name: &str, at_ms: &[u64]) -> Vec<u64> {
    let mut sim = registry::build(&scenario(id, |_| {})).expect("build");
    at_ms
        .iter()
        .map(|&t| {
            sim.run_until(SimTime::from_ms(t));
            counter(&*sim, name)
        })
        .collect()
}

#[test]
fn cp_refuses_on_the_minority_side_only() {
    let sim = run(&scenario("d1-cap-cp", |_| {}));
    assert!(counter(&*sim, "refused") > 30, "the minority client is refused during the partition");
    assert_eq!(availability(&*sim, "c1"), 1000);
    assert_eq!(availability(&*sim, "c2"), 1000);
    assert!(availability(&*sim, "c3") < 800, "c3 lost availability: {}", availability(&*sim, "c3"));
    let whole = run(&scenario("d1-cap-cp", no_partition));
    assert_eq!(counter(&*whole, "refused"), 0, "without a partition nobody is refused");
}

/// Review 58 C4, what the essay says: a request the client gives up on counts in `refused` and
/// against `client_availability_permille` (ok / all finished), as a refusal does. c3 cut off alone
/// from 4 s to 10 s is refused by no one: every one of its failures there is a timeout.
#[test]
fn a_timeout_counts_as_refused_and_against_availability() {
    let sim = run(&scenario("d1-cap-cp", |v| {
        v["events"][0]["event"]["groups"] = serde_json::json!([["r1", "r2", "r3", "c1", "c2"], ["c3"]])
    }));
    let label = sim.view().nodes.iter().find(|n| n.name == "c3").expect("c3").view.label.clone();
    let counts: Vec<i64> = label.split(' ').filter_map(|w| w.parse().ok()).collect();
    let [ok, refused] = counts[..] else { panic!("{label}") };
    assert_eq!(refused as u64, counter(&*sim, "refused"), "only c3 fails: {label}");
    assert!(refused > 100, "c3's requests from 4 s to 8 s time out: {label}");
    assert_eq!(availability(&*sim, "c3"), ok * 1000 / (ok + refused));
}

#[test]
fn cp_refuses_from_about_4_5_s_until_just_after_the_heal() {
    let refused = counter_at("d1-cap-cp", "refused", &[4_400, 4_600, 10_000, 10_500, 15_000]);
    assert_eq!(refused[0], 0, "nothing is refused in the first 400 ms of the partition");
    assert!(refused[1] > 0, "r3 refuses from about 4.5 s: {refused:?}");
    assert!(refused[3] > refused[2], "requests sent before the heal are refused just after it: {refused:?}");
    assert_eq!(refused[4], refused[3], "nothing is refused once the heal is 500 ms old: {refused:?}");
}

#[test]
fn cp_is_linearizable_under_partition_for_many_seeds() {
    for seed in 1..=12u64 {
        let sim = run(&scenario("d1-cap-cp", |v| v["seed"] = seed.into()));
        assert!(sim.history().ops.len() > 500);
        let verdict = check_history(sim.history());
        assert_eq!(verdict, Verdict::Linearizable, "seed {seed}: {verdict}");
    }
}

#[test]
fn ap_stays_available_but_reads_stale_and_is_not_linearizable() {
    let sim = run(&scenario("d1-cap-ap", |_| {}));
    assert_eq!(counter(&*sim, "refused"), 0);
    for c in ["c1", "c2", "c3"] {
        assert_eq!(availability(&*sim, c), 1000, "{c} is always served");
    }
    let verdict = check_history(sim.history());
    assert!(matches!(verdict, Verdict::NotLinearizable { .. }), "AP under partition: {verdict}");
    let whole = run(&scenario("d1-cap-ap", no_partition));
    let (cut, calm) = (counter(&*sim, "stale_reads"), counter(&*whole, "stale_reads"));
    assert!(cut > 3 * calm.max(1), "the partition multiplies stale reads: {cut} vs {calm}");
}

#[test]
fn ap_detects_the_conflict_at_the_heal_and_converges() {
    let sim = run(&scenario("d1-cap-ap", |v| v["stop_at_ms"] = 10_500.into()));
    let after_heal = sim
        .trace()
        .records()
        .iter()
        .filter(|e| e.at.as_us() >= 10_000_000)
        .filter(|e| e.text.as_deref().is_some_and(|t| t.starts_with("conflict")))
        .count();
    assert!(after_heal > 0, "the first anti-entropy round across the old cut finds concurrent versions");
    // A value is said to be discarded only when the winning copy never had the write: r3's last
    // write before the heal is; r1's writes relayed while it lacked r3's are overwrites r1 made
    // itself, set aside (review 39 C2).
    let said: Vec<&str> = sim.trace().records().iter().filter_map(|e| e.text.as_deref()).collect();
    let said_of = |v: &str| said.iter().find(|t| t.starts_with("conflict") && t.ends_with(v)).copied();
    assert!(said_of("discards 3000185").is_some(), "r3's forked write is lost at the heal");
    let relayed = "sets aside 1000217, which the winning copy had already overwritten";
    assert!(said_of(relayed).is_some_and(|t| t.contains("keeps 1000218")), "{:?}", said_of(relayed));
    let sim = run(&scenario("d1-cap-ap", |_| {}));
    let value = field(&*sim, "r1", "value");
    for r in ["r2", "r3"] {
        assert_eq!(field(&*sim, r, "value"), value, "{r} converged with r1");
    }
}

#[test]
fn ap_cut_triples_stale_reads_at_the_heal_but_not_conflicts() {
    let cut = run(&scenario("d1-cap-ap", |_| {}));
    let calm = run(&scenario("d1-cap-ap", no_partition));
    let (stale, stale_calm) = (counter(&*cut, "stale_reads"), counter(&*calm, "stale_reads"));
    assert!(
        (90..=125).contains(&stale) && (25..=45).contains(&stale_calm),
        "106 against 33 (the lesson): {stale} {stale_calm}"
    );
    let (conflicts, conflicts_calm) = (counter(&*cut, "conflicts"), counter(&*calm, "conflicts"));
    assert!(
        (35..=55).contains(&conflicts) && (40..=60).contains(&conflicts_calm),
        "44 against 50: {conflicts} {conflicts_calm}"
    );
    assert!(conflicts <= conflicts_calm, "the cut does not add conflicts: {conflicts} vs {conflicts_calm}");
    let stale_at = counter_at("d1-cap-ap", "stale_reads", &[10_000, 10_500]);
    assert!(
        2 * (stale_at[1] - stale_at[0]) > stale,
        "most stale reads are counted at the heal: {stale_at:?} of {stale}"
    );
    let conflicts_at = counter_at("d1-cap-ap", "conflicts", &[10_000, 10_500]);
    assert!(
        conflicts_at[1] - conflicts_at[0] <= 10,
        "the fork merges in a handful of conflicts: {conflicts_at:?}"
    );
}

/// Found by the CAP swarm (cp, seed 269): a coordinator counted replies, not replicas, so a
/// duplicated `QueryReply` and `StoreAck` from one replica made a "majority" of two out of five
/// and served a client on the minority side of a cut. (Here every message r4 sends r3 arrives
/// twice; c3's home is r3, cut off with r4 from the other three.)
#[test]
fn cp_counts_a_duplicated_reply_once_and_still_refuses_the_minority() {
    let sc = scenario("d1-cap-cp", |v| {
        v["protocol"]["replicas"] = 5.into();
        v["events"] = serde_json::json!([
            {"at_ms": 0, "event": {"type": "link", "from": "r4", "to": "r3", "spec": {"latency":
                {"type": "uniform", "min_us": 1000, "max_us": 5000}, "dup_ppm": 1_000_000}}},
            {"at_ms": 4000, "event": {"type": "partition", "groups": [["r1", "r2", "r5", "c1", "c2"], ["r3", "r4", "c3"]]}},
            {"at_ms": 10000, "event": {"type": "heal"}}
        ]);
    });
    let sim = run(&sc);
    let c3 = sim.node_names().iter().position(|n| n == "c3").expect("c3") as u32;
    let served = sim.history().ops.iter().filter(|o| {
        let inside = |t: SimTime| (4_000_000..10_000_000).contains(&t.as_us());
        o.client.0 == c3 && inside(o.call) && o.ret.is_some_and(inside)
    });
    let served = served.filter(|o| matches!(o.outcome, dsplay_core::sim::history::Outcome::Ok { .. }));
    assert_eq!(served.count(), 0, "r3 and r4 are no majority of 5, however often r4 answers");
    assert_eq!(check_history(sim.history()), Verdict::Linearizable);
}

/// Closed loop (3 operations per client, 20 ms of thought): the minority client's refusals free
/// its slots as answers do, so it keeps asking through the partition; a client crashed and
/// restarted starts its loop again; and no client ever has more than 3 operations going.
#[test]
fn a_closed_loop_keeps_three_operations_going_through_refusals_and_a_restart() {
    let sc = scenario("d1-cap-cp", |v| {
        v["workload"]["arrival"] = closed(3, 20);
        let events = v["events"].as_array_mut().expect("events");
        events.push(serde_json::json!({"at_ms": 6000, "event": {"type": "crash", "node": "c1"}}));
        events.push(serde_json::json!({"at_ms": 7000, "event": {"type": "restart", "node": "c1"}}));
    });
    let mut sim = registry::build(&sc).expect("build");
    assert_eq!(pending_at_most(&mut *sim, 3), 3, "each client keeps 3 operations going");
    assert!(counter(&*sim, "refused") > 0, "the minority side is refused");
    assert!(sends_between(&*sim, "c3", 5_000, 9_000) >= 12, "c3 asks again after each refusal");
    assert!(sends_between(&*sim, "c1", 7_000, 8_000) > 0, "c1 starts its loop again on restart");
    for c in ["c1", "c2", "c3"] {
        assert!(sends_between(&*sim, c, 14_000, 15_000) > 0, "{c} still sends in the last second");
    }
}
