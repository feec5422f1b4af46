//! D8 gossip: the preset's claim — replicas diverge during the partition and converge within the
//! bound after the heal — and what breaks it.

use dsplay_core::protocols::crdt::CrdtNode;
use dsplay_core::protocols::ProtocolConfig;
use dsplay_core::scenario::{Scenario, ScenarioEvent};
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::sim::{Sim, Simulation};
use dsplay_core::{presets, SimTime};
use serde_json::Value;

use crate::common;

fn scenario(edit: impl FnOnce(&mut Value)) -> Scenario {
    let mut v = serde_json::to_value(presets::get("d8-crdt-partition").expect("preset")).expect("json");
    edit(&mut v);
    Scenario::from_json(&v.to_string()).expect("valid")
}

fn build(sc: &Scenario) -> Sim<CrdtNode> {
    let ProtocolConfig::Crdt(cfg) = &sc.protocol else { panic!("not a crdt scenario") };
    Sim::new(sc, dsplay_core::protocols::crdt::build(sc, cfg)).expect("builds")
}

fn distinct_docs(sim: &Sim<CrdtNode>) -> usize {
    let mut digests: Vec<u64> = sim.nodes().iter().filter_map(|n| n.doc()).map(|d| d.digest()).collect();
    digests.sort_unstable();
    digests.dedup();
    digests.len()
}

#[test]
fn replicas_diverge_in_the_partition_and_converge_after_the_heal() {
    let sc = scenario(|_| {});
    let mut sim = build(&sc);
    sim.run_until(SimTime::from_ms(8_900));
    assert!(distinct_docs(&sim) >= 2, "the two sides of the partition differ");
    let stop = sim.stop_at();
    sim.run_until(stop);
    assert_eq!(distinct_docs(&sim), 1, "every replica holds the same document");
    let gauge = |name: &str| match sim.metrics().get(name, None).map(|m| &m.kind) {
        Some(dsplay_core::sim::metrics::MetricKind::Gauge { value }) => *value,
        other => panic!("{name}: {other:?}"),
    };
    let took = gauge("convergence_ms");
    assert!((0..3_000).contains(&took), "converged {took} ms after the heal");
    assert_eq!(gauge("divergent_replicas"), 0);
    assert!(sim.violations().is_empty());
}

#[test]
fn slow_gossip_misses_the_convergence_bound() {
    let sc = scenario(|v| v["protocol"]["gossip_ms"] = 5_000.into());
    let mut sim = build(&sc);
    let stop = sim.stop_at();
    sim.run_until(stop);
    assert!(sim.violations().iter().any(|v| v.rule == "convergence"), "{:?}", sim.violations());
    assert!(distinct_docs(&sim) > 1, "the run ends divergent");
    let report = sim.metrics().report(&[]);
    assert_eq!(report["converged_at_ms"], Value::Null, "no converged time for a divergent run: {report}");
    assert_eq!(report["convergence_ms"], Value::Null, "{report}");
    never_claims_convergence_while_divergent(&sim);
}

#[test]
fn the_converged_time_is_after_the_heal_and_the_last_update() {
    let sc = scenario(|_| {});
    let mut sim = build(&sc);
    let stop = sim.stop_at();
    sim.run_until(stop);
    let report = sim.metrics().report(&[]);
    let at = report["converged_at_ms"].as_i64().expect("a converged time");
    let heals = sc.events.iter().filter(|e| matches!(e.event, ScenarioEvent::Heal));
    let heal = heals.map(|e| e.at_ms).max().expect("a heal") as i64;
    let ProtocolConfig::Crdt(cfg) = &sc.protocol else { unreachable!() };
    assert!(at > heal && at > cfg.updates_until_ms as i64, "converged at {at} ms");
    assert_eq!(report["convergence_ms"].as_i64(), Some(at - cfg.updates_until_ms as i64));
    never_claims_convergence_while_divergent(&sim);
}

/// At every sample where `converged_at_ms` has a time, the monitor counts no divergent replica.
fn never_claims_convergence_while_divergent(sim: &Sim<CrdtNode>) {
    let series = |name: &str| sim.metrics().get(name, None).map_or(Vec::new(), |m| m.series.clone());
    let divergent = series("divergent_replicas");
    for p in series("converged_at_ms").iter().filter(|p| p.value >= 0.0) {
        let d = divergent.iter().find(|q| q.t_ms == p.t_ms).map_or(0.0, |q| q.value);
        assert_eq!(d, 0.0, "converged_at_ms = {} at {} ms while {d} replicas differ", p.value, p.t_ms);
    }
}

/// Review 59 F2: the monitor crashed after the replicas converged (10.03 s) and restarted past
/// its deadline (12 s). It had forgotten the convergence, so the deadline fired at the restart
/// as "replicas still differ", and the converged time read 12.6 s. Its record is durable now.
#[test]
fn a_monitor_restart_keeps_the_convergence_it_saw() {
    let crash_monitor = |at_ms: u64, back_ms: u64| {
        scenario(|v| {
            let events = v["events"].as_array_mut().expect("events");
            events.push(serde_json::json!({"at_ms": at_ms, "event": {"type": "crash", "node": "m"}}));
            events.push(serde_json::json!({"at_ms": back_ms, "event": {"type": "restart", "node": "m"}}));
        })
    };
    let plain = common::run(&scenario(|_| {}));
    let converged = common::gauge(&*plain, "converged_at_ms", None);
    assert!(converged > 9000 && converged < 11_000, "{converged}");
    for (at, back) in [(11_000, 12_500), (11_000, 11_500)] {
        let sim = common::run(&crash_monitor(at, back));
        assert!(sim.violations().is_empty(), "down {at}–{back}: {:?}", sim.violations().first());
        assert_eq!(common::gauge(&*sim, "converged_at_ms", None), converged, "down {at}–{back}");
    }
}

/// Review 59 F3: each round's `fanout` peers were drawn with replacement, so a fanout of every
/// peer (4 of 4) reached 2.8 of them a round. They are distinct now.
#[test]
fn a_gossip_round_reaches_fanout_distinct_peers() {
    let sc = scenario(|v| v["protocol"]["fanout"] = 4.into());
    let sim = common::run_to(&sc, 2_000);
    let mut rounds: std::collections::BTreeMap<(u64, u32), Vec<u32>> = Default::default();
    for r in sim.trace().records().iter().filter(|r| r.kind == TraceKind::Send && r.label == "Gossip") {
        rounds.entry((r.at.as_us(), r.node.0)).or_default().push(r.peer.expect("a peer").0);
    }
    assert!(rounds.len() > 20, "{} rounds", rounds.len());
    for ((at, from), mut peers) in rounds {
        peers.sort_unstable();
        assert_eq!(peers, (0..5).filter(|&p| p != from).collect::<Vec<_>>(), "r{} at {at} µs", from + 1);
    }
}
