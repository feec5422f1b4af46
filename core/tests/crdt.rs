//! D8 gossip: the preset's claim — replicas diverge during the partition and converge within the
//! bound after the heal — and what breaks it.

use dsplay_core::protocols::crdt::CrdtNode;
use dsplay_core::protocols::ProtocolConfig;
use dsplay_core::scenario::Scenario;
use dsplay_core::sim::{Sim, Simulation};
use dsplay_core::{presets, SimTime};
use serde_json::Value;

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
}
