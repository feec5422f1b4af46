//! `lose_message`: one message on the wire lost by hand (RaftScope's "drop"), on the D4 election
//! preset: it never arrives (nor its duplicate), the run says so, a replay loses the same one,
//! and an id that is not on the wire is a one-line note, not a panic.

use dsplay_core::registry::build;
use dsplay_core::scenario::Timed;
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::sim::Simulation;
use dsplay_core::{presets, Scenario, ScenarioEvent, SimTime};

fn election() -> Scenario {
    presets::get("d4-raft-election").expect("preset")
}

fn losing(mut sc: Scenario, at_ms: u64, id: u64) -> Scenario {
    sc.events.push(Timed::at(at_ms, ScenarioEvent::LoseMessage { id }));
    sc.events.sort_by_key(|e| e.at_ms);
    sc
}

fn run(sc: &Scenario, until_ms: u64) -> Box<dyn Simulation> {
    let mut sim = build(sc).expect("builds");
    sim.run_until(SimTime::from_ms(until_ms));
    sim
}

/// A message on the wire at `at_ms` in the plain run: its id, kind and when it is due.
fn in_flight_at(at_ms: u64) -> (u64, String, SimTime) {
    let sim = run(&election(), at_ms);
    let view = sim.view();
    let m = view.in_flight.iter().find(|m| m.deliver_at > view.now).expect("something on the wire");
    (m.id, m.kind.clone(), m.deliver_at)
}

#[test]
fn a_lost_message_never_arrives_and_the_run_says_so() {
    let (id, kind, due) = in_flight_at(3_000);
    let sim = run(&losing(election(), 3_000, id), 6_000);
    let of_it: Vec<_> = sim.trace().records().iter().filter(|r| r.msg == id).collect();
    assert!(of_it.iter().all(|r| r.kind != TraceKind::Deliver), "message #{id} was delivered anyway");
    let drop = of_it.iter().find(|r| r.kind == TraceKind::Drop).expect("its drop is traced");
    assert_eq!((drop.at, drop.label), (due, kind.as_str()), "dropped when it would have arrived");
    assert_eq!(drop.text.as_deref(), Some("lost by hand"));
    let said = of_it.iter().find(|r| r.kind == TraceKind::Fault).expect("the action is on the timeline");
    assert_eq!((said.label, said.at), ("lose", SimTime::from_ms(3_000)));
    assert!(said.text.as_deref().is_some_and(|t| t.starts_with(&format!("lose {kind} "))), "{:?}", said.text);
}

#[test]
fn losing_one_message_changes_the_run_and_a_replay_loses_the_same_one() {
    let (id, _, _) = in_flight_at(3_000);
    let sc = losing(election(), 3_000, id);
    let plain = run(&election(), 6_000).trace().hash();
    let (a, b) = (run(&sc, 6_000).trace().hash(), run(&sc, 6_000).trace().hash());
    assert_eq!(a, b, "same scenario, same trace");
    assert_ne!(a, plain, "losing a message is seen in the trace");
    // Through JSON, as a link carries it.
    let json = serde_json::to_string(&sc).expect("serialises");
    assert!(json.contains(r#""type":"lose_message""#), "{json}");
    let back: Scenario = serde_json::from_str(&json).expect("parses");
    assert_eq!(run(&back, 6_000).trace().hash(), a);
}

#[test]
fn an_id_not_on_the_wire_is_a_note_and_id_zero_is_refused() {
    let sim = run(&losing(election(), 3_000, 999_999_999), 4_000);
    let at = SimTime::from_ms(3_000);
    let note = sim.trace().records().iter().find(|r| r.at == at && r.label == "skipped");
    let text = note.and_then(|r| r.text.as_deref()).expect("a note says why nothing was lost");
    assert!(text.contains("#999999999 is not on the wire"), "{text}");
    let Err(err) = build(&losing(election(), 3_000, 0)) else { panic!("id 0 is refused") };
    let err = err.to_string();
    assert!(err.contains("ids start at 1"), "{err}");
}

#[test]
fn by_hand_a_message_on_the_wire_is_lost_and_one_that_arrived_is_refused_leaving_the_run_as_it_was() {
    use dsplay_core::session::Session;
    let (id, _, due) = in_flight_at(3_000);
    let mut s = Session::new(election()).expect("session");
    s.seek(SimTime::from_ms(3_000));
    assert_eq!(s.act(ScenarioEvent::LoseMessage { id }), Ok(vec![]));
    let lost = s.scenario().events.iter().find(|e| e.event == ScenarioEvent::LoseMessage { id });
    assert!(lost.is_some_and(|e| e.by_hand && e.at_ms == 3_000), "the action is in the scenario");
    // Once it has arrived (in the plain run), losing it is refused and nothing changes.
    let mut s = Session::new(election()).expect("session");
    s.seek(SimTime::from_ms(due.as_us() / 1000 + 1)); // a whole millisecond: act runs no further
    let (events, hash) = (s.scenario().events.clone(), s.sim().trace_hash());
    let err = s.act(ScenarioEvent::LoseMessage { id }).expect_err("it is not on the wire").to_string();
    assert!(err.contains(&format!("message #{id} is not on the wire")) && err.contains("go back"), "{err}");
    assert_eq!((s.scenario().events.clone(), s.sim().trace_hash()), (events, hash));
}
