//! Every arrival mode a protocol accepts sends load. A scenario that validates with a closed-loop
//! workload (each client keeps `concurrency` requests going, thinking between them) must put
//! requests on the wire; a protocol that cannot run one must refuse it at a `workload` field,
//! with the reason, before the run starts (E1's broker in a mode that never answers a publish).
//!
//! Until this was checked, the clients of seven protocol families (D1 CAP, D2 replication, D5
//! split brain, D9 sharding, D10 multi-region, E1–E3 messaging, E5 2PC and sagas) accepted a
//! closed loop and then never sent a request: the editor showed a valid scenario whose charts
//! stayed empty.

use dsplay_core::scenario::Arrival;
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::{presets, registry, Scenario, ScenarioError, SimTime, Simulation};
use serde_json::json;

/// `id` with two requests kept going per client, 20 ms of thought between them.
fn closed_loop(id: &str) -> Result<Scenario, ScenarioError> {
    Scenario::from_json(&closed_loop_json(id).to_string())
}

/// [`closed_loop`]'s scenario as JSON, to edit further.
fn closed_loop_json(id: &str) -> serde_json::Value {
    let mut v = serde_json::to_value(presets::get(id).expect("preset")).expect("json");
    let think = json!({"type": "constant", "us": 20_000});
    v["workload"]["arrival"] = json!({"type": "closed", "concurrency": 2, "think": think});
    v["workload"]["bursts"] = json!([]);
    v
}

/// Messages the client nodes (a broker's producers too) sent in the first 3 s.
fn client_sends(sim: &mut dyn Simulation) -> usize {
    sim.run_until(SimTime::from_ms(3_000));
    let view = sim.view();
    let client =
        |n: usize| view.nodes.get(n).is_some_and(|s| matches!(s.view.role.as_str(), "client" | "producer"));
    let records = sim.trace().records().iter();
    records.filter(|r| r.kind == TraceKind::Send && client(r.node.index())).count()
}

#[test]
fn a_closed_loop_workload_sends_requests_or_is_refused_at_the_arrival_field() {
    let (mut ran, mut refused, mut silent) = (Vec::new(), Vec::new(), Vec::new());
    for id in presets::ids() {
        let open = presets::get(id).expect("preset");
        if open.workload.clients == 0 || open.workload.arrival == Arrival::None {
            continue;
        }
        if client_sends(&mut *registry::build(&open).expect("the preset builds")) == 0 {
            continue; // its clients start later
        }
        match closed_loop(id).and_then(|sc| registry::build(&sc)) {
            Ok(mut sim) => if client_sends(&mut *sim) > 0 { &mut ran } else { &mut silent }.push(id),
            Err(ScenarioError::Invalid { field, message }) => {
                assert!(
                    field.starts_with("workload."),
                    "{id}: refused at `{field}`, not the workload: {message}"
                );
                refused.push(id);
            }
            Err(e) => panic!("{id}: {e}"),
        }
    }
    assert!(silent.is_empty(), "a closed loop validates but no client sent a request in 3 s: {silent:?}");
    assert!(ran.len() >= 40, "only {} presets ran a closed loop: {ran:?} (refused: {refused:?})", ran.len());
}

/// Bursts and surges scale the open-loop rate, and a closed loop has none: they validated and the
/// spike never came. A closed loop refuses them, scripted or by hand, saying why.
#[test]
fn a_closed_loop_refuses_bursts_and_surges_scripted_or_by_hand() {
    use dsplay_core::ScenarioEvent;
    let burst = json!([{"at_ms": 1_000, "duration_ms": 1_000, "rate_pct": 300}]);
    let surge = json!([{"at_ms": 1_000, "event": {"type": "surge", "rate_pct": 300, "duration_ms": 1_000}}]);
    for (field, set, to) in
        [("workload.bursts", "/workload/bursts", burst), ("events[0].event", "/events", surge)]
    {
        let mut v = serde_json::to_value(closed_loop("t4-autoscaling").expect("closed t4")).expect("json");
        *v.pointer_mut(set).expect("the field") = to;
        match Scenario::from_json(&v.to_string()) {
            Err(ScenarioError::Invalid { field: at, message }) => {
                assert_eq!(at, field);
                assert!(message.contains("closed loop") && message.contains("open arrival"), "{message}");
            }
            other => panic!("{field}: {other:?}"),
        }
    }
    let sim = registry::build(&closed_loop("t4-autoscaling").expect("closed t4")).expect("builds");
    let by_hand = sim.check_action(&ScenarioEvent::Surge { rate_pct: 500, duration_ms: 5_000 });
    assert!(by_hand.is_err_and(|e| e.to_string().contains("closed loop")), "a surge by hand is refused too");
    let open = registry::build(&presets::get("t4-autoscaling").expect("t4")).expect("builds");
    assert!(open.check_action(&ScenarioEvent::Surge { rate_pct: 500, duration_ms: 5_000 }).is_ok());
}

/// 256 clients × 1,000 requests each validated, and the page crawled (55 ms of the run in two
/// minutes, tasks up to 97 ms): the total a closed loop keeps going is bounded, and the message
/// says how many per client would do.
#[test]
fn a_closed_loop_keeping_too_many_requests_going_is_refused_saying_how_many_would_do() {
    let mut v = serde_json::to_value(closed_loop("t1-round-robin").expect("closed t1")).expect("json");
    v["workload"]["clients"] = 256.into();
    v["workload"]["arrival"]["concurrency"] = 1_000.into();
    match Scenario::from_json(&v.to_string()) {
        Err(ScenarioError::Invalid { field, message }) => {
            assert_eq!(field, "workload.arrival.concurrency");
            assert!(
                message.contains("256000 requests") && message.contains("at most 195 per client"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    v["workload"]["arrival"]["concurrency"] = 195.into();
    assert!(Scenario::from_json(&v.to_string()).is_ok(), "at the limit");
}

/// No think time at all is a closed loop's classic benchmark: taken as 1 µs, it runs (it was
/// refused as "would spin forever", while an exponential think time of mean 0, the same thing,
/// was accepted). On a network without delay, with every request refused at once, time still
/// moves: 1 µs a turn. (The request lost in the crash holds its place until its 1 s timeout.)
#[test]
fn a_think_time_of_zero_runs_and_time_moves_on() {
    let mut v = serde_json::to_value(presets::get("t1-queueing").expect("preset")).expect("json");
    let think = json!({"type": "constant", "us": 0});
    v["workload"]["arrival"] = json!({"type": "closed", "concurrency": 1, "think": think});
    v["workload"]["timeout_ms"] = json!(1000);
    v["events"] = json!([{"at_ms": 100, "event": {"type": "crash_refusing", "node": "lb"}}]);
    let sc = Scenario::from_json(&v.to_string()).expect("accepted");
    let mut sim = registry::build(&sc).expect("builds");
    sim.run_until(SimTime::from_ms(1_110));
    assert!(sim.now() >= SimTime::from_ms(1_110), "time moved on: {:?}", sim.now());
    let refused = sim.metrics().counter("refused", None);
    assert!((5_000..=12_000).contains(&refused), "a refusal a µs for about 10 ms: {refused}");
}

/// A closed loop frees a slot only on an answer, a refusal or the client's timeout. Where a
/// request lost at a crashed node is never answered, a closed loop without a client timeout
/// would lose a slot for good with each lost request; it is refused at `workload.timeout_ms`,
/// saying what to set. One preset per protocol, with what stalled before the refusal.
#[test]
fn a_closed_loop_without_a_client_timeout_is_refused_where_a_lost_request_is_never_answered() {
    let stalled = [
        // T1: all four clients, once b2 crashed (the balancer has no timers).
        "t1-round-robin",
        // T2–T7: the gateway answers 504 for a task, but nothing answers for a crashed gateway.
        "t2-health-checks",
        // D4: c2 sent nothing for the last 10 s after n4 crashed (no answer, no redirect).
        "d4-raft-election",
        // D5: a write lost at a crashed or cut-off server.
        "d5-split-brain-naive",
        // D9: with the router down from 3 s to 4 s, the clients sent nothing in the last second.
        "d9-sharding",
    ];
    for id in stalled {
        let mut v = closed_loop_json(id);
        v["workload"]["timeout_ms"] = json!(0);
        let e = Scenario::from_json(&v.to_string()).expect_err("refused").to_string();
        assert!(e.contains("workload.timeout_ms") && e.contains("closed loop"), "{id}: {e}");
    }
}
