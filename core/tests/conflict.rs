//! D7: LWW loses updates once a clock is skewed (and not before); versions fix the skew;
//! vector-clock siblings merged by the application lose nothing across a partition, LWW does.

use dsplay_core::sim::metrics::MetricKind;
use dsplay_core::{NodeId, Simulation};
use serde_json::Value;

use crate::common;
use common::{run, run_to, scenario};

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

/// The preset with `edit`, run to `ms`.
fn cut(id: &str, edit: impl FnOnce(&mut Value), ms: u64) -> Box<dyn Simulation> {
    run_to(&scenario(id, edit), ms)
}

#[test]
fn before_the_skew_lww_loses_no_update_only_one_truly_concurrent_item() {
    let before = cut("d7-lww-clock-skew", |_| {}, 2_800);
    assert_eq!(lost_items(&*before), vec![0, 0, 0]);
    // r2 and r3 add to cart 0 at 2.835 s and 2.836 s, before either hears of the other.
    let sim = cut("d7-lww-clock-skew", |_| {}, 4_999);
    assert_eq!(sim.metrics().counter("lost_updates", None), 0);
    assert_eq!(lost_items(&*sim), vec![1, 1, 1]);
}

#[test]
fn with_lww_r3_loses_its_partition_items_at_the_heal_and_only_r3_counts_them() {
    let lww = |v: &mut Value| v["protocol"]["resolution"] = "lww".into();
    let r3_before = lost_items(&*cut("d7-vector-clock-siblings", lww, 11_900))[2];
    let after = lost_items(&*cut("d7-vector-clock-siblings", lww, 12_500));
    assert!(r3_before <= 3, "r3 before the heal: {r3_before}");
    assert!((55..=75).contains(&after[2]), "r3 jumps to about 65 at the heal: {after:?}");
    let end = lost_items(&*run(&scenario("d7-vector-clock-siblings", lww)));
    assert!(end[0] <= 20 && end[1] <= 20, "r1 and r2 never saw r3's items: {end:?}");
}

#[test]
fn right_after_the_heal_r3_holds_the_siblings_the_lesson_shows() {
    let sim = cut("d7-vector-clock-siblings", |_| {}, 12_030);
    let view = sim.view();
    let r3 = view.nodes.iter().find(|n| n.name == "r3").expect("r3");
    let cart0 = r3.view.fields.iter().find(|(k, _)| k == "cart 0").map(|(_, v)| v.as_str()).expect("cart 0");
    let clocks = cart0.split("clocks ").nth(1).unwrap_or_else(|| panic!("no siblings: {cart0}"));
    let vvs: Vec<Vec<i64>> = clocks
        .split(" ∥ ")
        .map(|s| s.trim_matches(['[', ']']).split(", ").map(|x| x.parse().expect("number")).collect())
        .collect();
    let lesson = [[11, 13, 47], [43, 44, 14]];
    assert_eq!(vvs.len(), 2, "{cart0}");
    for (got, want) in vvs.iter().zip(lesson) {
        assert!(got.iter().zip(want).all(|(g, w)| g.abs_diff(w) <= 3), "{cart0}: lesson says {lesson:?}");
    }
}
