//! A surge (a flash crowd by hand): open-loop clients send faster while it lasts, a live one
//! replays identically from the link's event list, and absurd ones are refused.

use dsplay_core::scenario::{Scenario, ScenarioEvent, Timed};
use dsplay_core::session::Session;
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::{presets, SimTime};

fn round_robin(events: Vec<Timed>) -> Scenario {
    let mut sc = presets::get("t1-round-robin").expect("preset");
    sc.stop_at_ms = 10_000;
    sc.sim.trace_capacity = 2_000_000;
    sc.events = events;
    sc
}

fn surge(rate_pct: u32, duration_ms: u64) -> ScenarioEvent {
    ScenarioEvent::Surge { rate_pct, duration_ms }
}

/// Client requests sent in `[from, to)` ms.
fn requests(s: &Session, from: u64, to: u64) -> usize {
    let (a, b) = (SimTime::from_ms(from), SimTime::from_ms(to));
    let records = s.sim().trace().records();
    records
        .iter()
        .filter(|r| r.kind == TraceKind::Send && r.label == "Request" && r.at >= a && r.at < b)
        .count()
}

#[test]
fn open_loop_clients_send_five_times_as_fast_during_a_surge_and_then_calm_down() {
    let mut s = Session::new(round_robin(vec![Timed::at(4_000, surge(500, 2_000))])).expect("valid");
    // The view says what load is in force, for the button to show.
    let load_at = |s: &mut Session, ms| {
        s.seek(SimTime::from_ms(ms));
        s.sim().view().load_pct
    };
    assert_eq!((load_at(&mut s, 3_000), load_at(&mut s, 5_000), load_at(&mut s, 6_500)), (100, 500, 100));
    s.seek(SimTime::from_ms(10_000));
    let (before, during, after) =
        (requests(&s, 2_000, 4_000), requests(&s, 4_000, 6_000), requests(&s, 6_000, 8_000));
    let ratio = during as f64 / before as f64;
    assert!((4.0..6.0).contains(&ratio), "×{ratio:.2}: {before} requests before, {during} during");
    let calm = after as f64 / before as f64;
    assert!((0.8..1.25).contains(&calm), "×{calm:.2} after: {after} requests");
    let marked = s.sim().trace().records().iter().any(|r| r.kind == TraceKind::Fault && r.label == "surge");
    assert!(marked, "the surge is traced as a fault");
    assert_eq!(surge(500, 2_000).describe(), "surge: client load x5 for 2 s");
    assert_eq!(surge(250, 800).describe(), "surge: client load x2.5 for 800 ms");
}

#[test]
fn a_surge_by_hand_replays_identically_from_the_scenario_it_leaves() {
    let mut live = Session::new(round_robin(Vec::new())).expect("valid");
    live.seek(SimTime::from_ms(3_000));
    live.act(surge(300, 1_500)).expect("a valid surge");
    live.seek(SimTime::from_ms(10_000));
    let mut replay = Session::new(live.scenario().clone()).expect("the scenario it left is valid");
    replay.seek(SimTime::from_ms(10_000));
    assert_eq!(live.sim().trace_hash(), replay.sim().trace_hash());
    let plain = {
        let mut p = Session::new(round_robin(Vec::new())).expect("valid");
        p.seek(SimTime::from_ms(10_000));
        p.sim().trace_hash()
    };
    assert_ne!(live.sim().trace_hash(), plain, "the surge changed the run");
}

#[test]
fn absurd_surges_are_refused_with_the_field_named() {
    for bad in [surge(0, 1_000), surge(20_000, 1_000), surge(500, 0), surge(500, 7_200_000)] {
        let err = Scenario::from_json(&round_robin(vec![Timed::at(1_000, bad.clone())]).to_json())
            .expect_err("refused");
        assert!(err.to_string().contains("events[0].event"), "{bad:?}: {err}");
    }
    let mut s = Session::new(round_robin(Vec::new())).expect("valid");
    s.seek(SimTime::from_ms(1_000));
    assert!(s.act(surge(0, 1_000)).is_err(), "a live one too");
}
