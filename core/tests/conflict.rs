//! D7: LWW loses updates once a clock is skewed (and not before); versions fix the skew;
//! vector-clock siblings merged by the application lose nothing across a partition, LWW does.

use dsplay_core::sim::metrics::MetricKind;
use dsplay_core::{NodeId, Simulation};
use serde_json::Value;

mod common;
use common::{run, scenario};

fn lost_items(sim: &dyn Simulation) -> Vec<i64> {
    (0..3)
        .map(|i| match sim.metrics().get("lost_items", Some(NodeId(i))).map(|m| &m.kind) {
            Some(MetricKind::Gauge { value }) => *value,
            _ => 0,
        })
        .collect()
}

#[test]
fn lww_loses_the_skewed_replicas_updates() {
    let sim = run(&scenario("d7-lww-clock-skew", |_| {}));
    let lost = sim.metrics().counter("lost_updates", None);
    assert!(lost > 50, "r3 writes after seeing newer-stamped values: {lost}");
    assert!(sim.violations().iter().all(|v| v.rule == "no_lost_updates" && v.at.as_us() >= 5_000_000));
    assert!(lost_items(&*sim).iter().all(|l| *l > 50));
    let unskewed = run(&scenario("d7-lww-clock-skew", |v| v["events"] = Value::Array(vec![])));
    assert_eq!(unskewed.metrics().counter("lost_updates", None), 0, "no skew, no lost updates");
}

#[test]
fn versions_make_the_skew_harmless() {
    let sim = run(&scenario("d7-lww-clock-skew", |v| v["protocol"]["resolution"] = "versioned".into()));
    assert_eq!(sim.metrics().counter("lost_updates", None), 0);
    assert!(sim.violations().is_empty());
    let lww = run(&scenario("d7-lww-clock-skew", |_| {}));
    assert!(lost_items(&*sim)[0] * 5 < lost_items(&*lww)[0], "only truly concurrent writes still collide");
}

#[test]
fn siblings_keep_every_item_and_the_application_merges_them() {
    let sim = run(&scenario("d7-vector-clock-siblings", |_| {}));
    assert_eq!(lost_items(&*sim), vec![0, 0, 0]);
    assert!(sim.metrics().counter("siblings_created", None) > 0);
    assert!(sim.metrics().counter("sibling_merges", None) > 0);
    let lww = run(&scenario("d7-vector-clock-siblings", |v| v["protocol"]["resolution"] = "lww".into()));
    assert!(lost_items(&*lww).iter().any(|l| *l > 20), "LWW drops one side's items: {:?}", lost_items(&*lww));
}

#[test]
fn replicas_agree_on_every_cart_after_adds_stop() {
    for res in ["lww", "versioned", "siblings"] {
        let sim = run(&scenario("d7-vector-clock-siblings", |v| {
            v["protocol"]["resolution"] = res.into();
            v["protocol"]["updates_until_ms"] = 15_000.into();
        }));
        let view = sim.view();
        let carts = |i: usize| -> Vec<String> {
            view.nodes[i]
                .view
                .fields
                .iter()
                .filter(|(k, _)| k.starts_with("cart"))
                .map(|(_, v)| v.clone())
                .collect()
        };
        assert_eq!(carts(0), carts(1), "{res}");
        assert_eq!(carts(0), carts(2), "{res}");
    }
}
