//! `tune`: a node's setting changed while it runs. Round robin switched to least connections at
//! 10 s drains the slow backend's queue from then on, the run before the switch is the run
//! without it, the same link replays the same trace, and a setting a node does not have (or a
//! value it does not take) is refused with what it does take.

use crate::common;

use common::{node_id, run_to, view};
use dsplay_core::scenario::Timed;
use dsplay_core::scenario::{decode_fragment, encode_fragment};
use dsplay_core::{presets, registry, Scenario, ScenarioEvent, SimTime};

fn tune(node: &str, knob: &str, to: &str) -> ScenarioEvent {
    ScenarioEvent::Tune { node: node.into(), knob: knob.into(), to: to.into() }
}

fn with(id: &str, at_ms: u64, ev: ScenarioEvent) -> Scenario {
    let mut sc = presets::get(id).expect("preset");
    sc.events.push(Timed::at(at_ms, ev));
    sc.events.sort_by_key(|e| e.at_ms);
    sc
}

fn queued(sim: &dyn dsplay_core::Simulation, node: &str) -> u32 {
    view(sim, node).work.expect("a backend's work").queued
}

#[test]
fn least_connections_from_10_s_drains_the_slow_backends_queue() {
    let plain = presets::get("t1-round-robin").expect("preset");
    let tuned = with("t1-round-robin", 10_000, tune("lb", "algorithm", "least_connections"));
    // Up to the switch, the same run.
    let (a, b) = (run_to(&plain, 10_000), run_to(&tuned, 9_999));
    assert_eq!(queued(&*a, "b4"), queued(&*run_to(&plain, 9_999), "b4"));
    assert_eq!(queued(&*b, "b4"), queued(&*run_to(&plain, 9_999), "b4"));
    let before = queued(&*a, "b4");
    assert!(before > 20, "round robin has piled up b4 by 10 s: {before}");
    // Five seconds on: round robin's pile is still there, least connections' is gone.
    let (a, b) = (run_to(&plain, 15_000), run_to(&tuned, 15_000));
    assert!(queued(&*a, "b4") > 20, "{}", queued(&*a, "b4"));
    assert!(queued(&*b, "b4") < 5, "{}", queued(&*b, "b4"));
    assert_eq!(view(&*b, "lb").label, "least connections");
    let lb = node_id(&*b, "lb");
    assert_eq!(b.knobs(lb).first().map(|k| k.now), Some("least_connections"));
    let said: Vec<&str> = b.trace().records().iter().filter_map(|r| r.text.as_deref()).collect();
    assert!(said.contains(&"lb: algorithm → least connections"), "the event is in the trace");
    assert!(said.contains(&"balancing by least_connections from now on (was round_robin)"));
}

#[test]
fn the_link_carries_the_switch_and_replays_it() {
    let tuned = with("t1-round-robin", 10_000, tune("lb", "algorithm", "least_connections"));
    let back = decode_fragment(&encode_fragment(&tuned)).expect("decodes");
    assert_eq!(back, tuned);
    let (a, b) = (run_to(&tuned, 12_000), run_to(&back, 12_000));
    assert_eq!(a.trace_hash(), b.trace_hash());
}

#[test]
fn leaving_the_central_queue_sends_what_waits_in_it_at_once() {
    let sc = with("t1-queueing", 5_000, tune("lb", "algorithm", "round_robin"));
    let mut sim = registry::build(&sc).expect("builds");
    sim.run_until(SimTime::from_ms(4_999));
    let waiting: usize = view(&*sim, "lb")
        .fields
        .iter()
        .find(|(k, _)| k == "queued")
        .map_or(0, |(_, v)| v.parse().expect("n"));
    sim.run_until(SimTime::from_ms(5_000));
    let lb = view(&*sim, "lb");
    assert!(!lb.fields.iter().any(|(k, _)| k == "queued"), "no central queue any more: {lb:?}");
    assert_eq!(common::gauge(&*sim, "lb_queue", Some("lb")), 0, "{waiting} were waiting");
}

#[test]
fn a_new_limiter_starts_every_client_afresh() {
    let sc = with("t6-rate-limiting", 8_000, tune("lb", "rate_limit", "sliding_window"));
    let before = run_to(&sc, 7_999);
    assert!(!view(&*before, "lb").gauges.is_empty(), "token buckets");
    let after = run_to(&sc, 8_000);
    assert!(view(&*after, "lb").gauges.is_empty(), "a window has no bucket to draw");
    let knobs = after.knobs(node_id(&*after, "lb"));
    let now: Vec<(&str, &str)> = knobs.iter().map(|k| (k.name, k.now)).collect();
    assert_eq!(now, [("dispatch", "least_connections"), ("rate_limit", "sliding_window")]);
}

#[test]
fn a_setting_the_node_lacks_or_a_value_it_does_not_take_is_refused_with_what_it_takes() {
    let cases = [
        (tune("lb", "speed", "fast"), "tune: lb has no `speed`; it has algorithm"),
        (tune("lb", "algorithm", "fastest"), "tune: lb's algorithm takes round_robin, weighted_round_robin"),
        (tune("c1", "algorithm", "random"), "tune: c1 has no settings to change while it runs"),
    ];
    for (ev, want) in cases {
        let sc = with("t1-round-robin", 1_000, ev.clone());
        let e = registry::build(&sc).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains(want) && e.contains("events[0]"), "{e}");
        // By hand, the same words, and nothing changes.
        let sim = run_to(&presets::get("t1-round-robin").expect("preset"), 1_000);
        let by_hand = sim.check_action(&ev).expect_err("refused").to_string();
        assert!(by_hand.contains(want), "{by_hand}");
    }
    let raft = with("d4-raft-election", 1_000, tune("n1", "algorithm", "random"));
    let e = registry::build(&raft).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("n1 has no settings"), "{e}");
}
