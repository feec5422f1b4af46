//! D1 CAP: the same partition in CP and AP mode. CP refuses on the minority side only and stays
//! linearizable; AP serves everyone, reads stale data, is not linearizable, and converges on heal.

use dsplay_core::check::{check_history, Verdict};
use dsplay_core::Simulation;
use serde_json::Value;

mod common;
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
    let sim = run(&scenario("d1-cap-ap", |_| {}));
    let value = field(&*sim, "r1", "value");
    for r in ["r2", "r3"] {
        assert_eq!(field(&*sim, r, "value"), value, "{r} converged with r1");
    }
}
