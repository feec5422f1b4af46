//! T1/T3 scaling by hand (`t1-scale-out`): a spare backend takes no request until the balancer's
//! `in_rotation` takes it in; then the backlog clears and rejections stop, as the lesson says. Taken
//! out again, a backend drains: what it holds finishes, nothing new reaches it. A rotation the
//! backends cannot fill is refused, naming the field.

use crate::common;

use common::{counter, gauge, node_id, run_to, scenario, view};
use dsplay_core::scenario::Timed;
use dsplay_core::{presets, Scenario, ScenarioEvent, Simulation};
use serde_json::json;

fn tune_at(at_ms: u64, to: &str) -> Timed {
    Timed::at(at_ms, ScenarioEvent::Tune { node: "lb".into(), knob: "in_rotation".into(), to: to.into() })
}

fn preset() -> Scenario {
    presets::get("t1-scale-out").expect("preset")
}

fn load(sim: &dyn Simulation, backend: &str) -> i64 {
    gauge(sim, "backend_load", Some(backend))
}

fn sent_to(sim: &dyn Simulation, backend: &str) -> u64 {
    sim.metrics().counter("backend_requests", Some(node_id(sim, backend)))
}

fn said(sim: &dyn Simulation) -> Vec<String> {
    sim.trace().records().iter().filter_map(|r| r.text.as_deref().map(String::from)).collect()
}

#[test]
fn a_spare_takes_nothing_until_it_joins_and_then_the_backlog_clears() {
    let sc = preset();
    let before = run_to(&sc, 9_999);
    assert_eq!(sent_to(&*before, "b4"), 0, "b4 is a spare");
    let b4 = view(&*before, "b4");
    assert_eq!((b4.label.as_str(), b4.badges.clone()), ("spare: not in rotation", vec!["spare".to_string()]));
    let lb = view(&*before, "lb");
    assert!(lb.fields.contains(&("in rotation".into(), "b1–b3 of 4".into())), "{:?}", lb.fields);
    assert_eq!(lb.label, "least connections, b1–b3 in rotation");
    // The lesson's figures before the join: about 1,800 errors, a median near 130 ms.
    let errors = counter(&*before, "errors");
    assert!((1_600..=2_000).contains(&errors), "errors by 10 s: {errors}");
    let p50 = before.metrics().histogram("latency_ms", None).expect("latency").value_at_quantile(0.5);
    assert!((115_000..=145_000).contains(&p50), "median before the join: {p50} µs");
    for b in ["b1", "b2", "b3"] {
        assert!(load(&*before, b) >= 45, "{b} is full before the join: {}", load(&*before, b));
    }
    // Within half a second of the join every queue is below 30; nothing is rejected after it.
    let soon = run_to(&sc, 10_500);
    for b in ["b1", "b2", "b3", "b4"] {
        assert!(load(&*soon, b) < 30, "{b} at 10.5 s: {}", load(&*soon, b));
    }
    assert!(sent_to(&*soon, "b4") > 0 && view(&*soon, "b4").badges.is_empty(), "b4 serves");
    assert_eq!(view(&*soon, "lb").label, "least connections");
    assert!(said(&*soon).iter().any(|s| s == "b4 joins the rotation, now b1–b4"), "the balancer says so");
    let end = run_to(&sc, 30_000);
    assert_eq!(counter(&*end, "errors"), counter(&*run_to(&sc, 10_000), "errors"), "no error after the join");
}

#[test]
fn a_backend_taken_out_drains_and_the_others_fill_again() {
    let mut sc = preset();
    sc.events.push(tune_at(20_000, "3"));
    let at = run_to(&sc, 20_000);
    let held = load(&*at, "b4");
    assert!(held > 0, "b4 holds work at 20 s");
    // The balancer counts what it forwarded and has not heard back on: at b4, or on the way.
    let note =
        said(&*at).into_iter().rev().find(|s| s.starts_with("b4 leaves the rotation, now b1–b3: the "));
    let tail = "requests it holds finish there, and nothing new goes to it";
    assert!(note.as_deref().is_some_and(|n| n.ends_with(tail)), "{note:?}");
    // What was already on its way arrives; after that, nothing new.
    let (a, end) = (run_to(&sc, 20_100), run_to(&sc, 30_000));
    assert_eq!(sent_to(&*a, "b4"), sent_to(&*end, "b4"), "nothing reaches b4 after it left");
    assert_eq!(load(&*end, "b4"), 0, "b4 finished what it held");
    assert_eq!(view(&*end, "lb").label, "least connections, b1–b3 in rotation", "the stage says b4 is out");
    let errors_at = counter(&*at, "errors");
    assert!(counter(&*end, "errors") > errors_at + 500, "three backends overflow again");
}

#[test]
fn joining_by_hand_earlier_leaves_the_run_before_it_alone() {
    let mut sc = preset();
    sc.events.insert(0, Timed { by_hand: true, ..tune_at(5_000, "4") });
    let (plain, early) = (run_to(&preset(), 4_999), run_to(&sc, 4_999));
    assert_eq!(counter(&*plain, "errors"), counter(&*early, "errors"));
    let later = run_to(&sc, 10_000);
    assert!(
        said(&*later).iter().any(|s| s == "b1–b4 in rotation, as before"),
        "the script's join is a no-op"
    );
    assert!(counter(&*later, "errors") < counter(&*run_to(&preset(), 10_000), "errors"));
}

#[test]
fn a_rotation_the_backends_cannot_fill_is_refused() {
    // A value that is not even a count says the same limits, not its type's "0 or more".
    for k in [json!(0), json!(5), json!(-1), json!("abc")] {
        let e = common::refused("t1-scale-out", |v| v["protocol"]["in_rotation"] = k.clone());
        assert!(e.contains("protocol.in_rotation") && e.contains("must be 1 to 4"), "{k}: {e}");
    }
    let mut sc = preset();
    sc.events.push(tune_at(12_000, "5"));
    let e = dsplay_core::registry::build(&sc).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("in_rotation") && e.contains('4'), "a fifth backend that is not there: {e}");
}

#[test]
fn the_knob_offers_every_count_of_backends_and_none_for_one() {
    let sim = run_to(&preset(), 0);
    let knobs = sim.knobs(node_id(&*sim, "lb"));
    let k = knobs.iter().find(|k| k.name == "in_rotation").expect("in_rotation");
    assert_eq!((k.values, k.now), (&["1", "2", "3", "4"][..], "3"));
    let one = scenario("t1-scale-out", |v| {
        v["protocol"]["backends"][0]["count"] = json!(1);
        v["protocol"]["in_rotation"] = json!(1);
        v["events"] = json!([]);
    });
    let sim = run_to(&one, 0);
    assert!(sim.knobs(node_id(&*sim, "lb")).iter().all(|k| k.name != "in_rotation"), "nothing to choose");
}

/// The central queue hands work only to idle workers in rotation: with two of t1-queueing's four
/// single-worker backends in rotation (3,600 requests/s against 2,000/s of service) the queue at
/// the balancer grows, and taking the other two in hands it to them at once.
#[test]
fn the_central_queue_waits_for_the_backends_in_rotation_and_empties_into_new_ones() {
    let mut sc = scenario("t1-queueing", |v| v["protocol"]["in_rotation"] = json!(2));
    sc.events.push(tune_at(2_000, "4"));
    let before = run_to(&sc, 1_999);
    assert_eq!((sent_to(&*before, "b3"), sent_to(&*before, "b4")), (0, 0), "spares take nothing");
    let queued = gauge(&*before, "lb_queue", Some("lb"));
    assert!(queued > 500, "two workers cannot keep up: {queued} waiting");
    let after = run_to(&sc, 2_000);
    assert!(sent_to(&*after, "b3") + sent_to(&*after, "b4") >= 2, "both new workers took a request at once");
}
