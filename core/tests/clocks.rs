//! D6: every event carries its clocks in the trace; concurrency is common and Lamport clocks order
//! concurrent events anyway; causal delivery removes the "payment before account" violation.

use dsplay_core::sim::trace::TraceKind;

mod common;
use common::{counter, run, scenario};

#[test]
fn every_send_receive_and_local_event_is_annotated_with_its_clocks() {
    let sim = run(&scenario("d6-lamport-vector-clocks", |_| {}));
    let clocks: Vec<&str> = sim
        .trace()
        .records()
        .iter()
        .filter(|e| e.kind == TraceKind::Note && e.label == "clock")
        .filter_map(|e| e.text.as_deref())
        .collect();
    let receipts = counter(&*sim, "concurrent_receipts") + counter(&*sim, "ordered_receipts");
    let events = counter(&*sim, "sends") + counter(&*sim, "local_events") + receipts;
    assert!(events > 500);
    assert_eq!(clocks.len() as u64, events, "one clock note per event");
    assert!(clocks.iter().all(|t| t.starts_with("L=") && t.contains(" V=[")));
    assert_eq!(
        receipts,
        sim.trace().records().iter().filter(|e| e.kind == TraceKind::Deliver).count() as u64
    );
}

#[test]
fn concurrency_is_common_and_lamport_orders_it_anyway() {
    let sim = run(&scenario("d6-lamport-vector-clocks", |_| {}));
    assert!(counter(&*sim, "concurrent_receipts") > counter(&*sim, "ordered_receipts"));
    assert!(counter(&*sim, "lamport_false_order") > 0);
    // One process talking to one other: everything is ordered.
    let two = run(&scenario("d6-lamport-vector-clocks", |v| {
        v["protocol"]["processes"] = 2.into();
        v["protocol"]["send_permille"] = 1000.into();
    }));
    assert!(counter(&*two, "ordered_receipts") > 0);
}

#[test]
fn without_causal_delivery_payments_overtake_accounts() {
    let sim = run(&scenario("d6-causal-delivery", |v| v["protocol"]["causal_delivery"] = false.into()));
    assert!(counter(&*sim, "out_of_order") > 50);
    assert!(sim.violations().iter().any(|v| v.rule == "causal_order"));
}

#[test]
fn causal_delivery_holds_payments_back_and_applies_everything_in_order() {
    let sim = run(&scenario("d6-causal-delivery", |_| {}));
    assert_eq!(counter(&*sim, "out_of_order"), 0);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    assert!(counter(&*sim, "held_back") > 50, "p3 must wait for the slow account broadcasts");
    let h = sim.metrics().histogram("holdback_ms", None).expect("histogram");
    assert!(h.value_at_quantile(0.5) > 10_000, "holding back costs the slow link's delay");
}
