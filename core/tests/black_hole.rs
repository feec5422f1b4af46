//! t1-least-connections-black-hole: every number its lesson states, checked on the run, against
//! the same run with a silent crash, with round robin, and T2's gateway with the crash refusing.

use dsplay_core::scenario::limits::MAX_TRACE_CAPACITY;
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::sim::REFUSAL;
use dsplay_core::{presets, Simulation};
use serde_json::Value;

use crate::common;

const ID: &str = "t1-least-connections-black-hole";

fn lesson() -> String {
    presets::get(ID).expect("preset").meta.lesson
}

/// `n` as the lesson writes it: 5,674.
fn said(n: u64) -> String {
    dsplay_core::readable::grouped(n)
}

fn says(text: &str) {
    assert!(lesson().contains(text), "the lesson says {text:?}");
}

fn backend(sim: &dyn Simulation, name: &str, b: &str) -> u64 {
    sim.metrics().counter(name, Some(common::node_id(sim, b)))
}

fn forwarded(sim: &dyn Simulation) -> u64 {
    backend(sim, "forwarded", "lb")
}

fn quantile_ms(sim: &dyn Simulation, q: f64) -> u64 {
    let h = sim.metrics().histogram("latency_ms", None).expect("latency");
    (h.value_at_quantile(q) as f64 / 1000.0).round() as u64
}

fn with(edit: impl FnOnce(&mut Value)) -> Box<dyn Simulation> {
    common::run(&common::scenario(ID, edit))
}

fn silent(v: &mut Value) {
    v["events"][0]["event"]["type"] = "crash".into();
}

/// Forwards the balancer sent b1 before 10 s and after, and all it sent before and after, read
/// from the whole trace.
fn handed_to_b1(sim: &dyn Simulation) -> ((u64, u64), (u64, u64)) {
    let (lb, b1) = (common::node_id(sim, "lb"), common::node_id(sim, "b1"));
    let (mut before, mut after) = ((0, 0), (0, 0));
    let forwards = sim.trace().records().iter().filter(|r| r.kind == TraceKind::Send && r.label == "Forward");
    for r in forwards.filter(|r| r.node == lb) {
        let side = if r.at.as_ms_f64() < 10_000.0 { &mut before } else { &mut after };
        side.0 += u64::from(r.peer == Some(b1));
        side.1 += 1;
    }
    (before, after)
}

#[test]
fn b1_refusing_gets_more_of_the_traffic_than_before_it_died() {
    let sim = with(|v| v["sim"]["trace_capacity"] = MAX_TRACE_CAPACITY.into());
    assert_eq!(sim.trace().first_index(), 0, "the whole trace is kept");
    let ((b1_before, all_before), (b1_after, all_after)) = handed_to_b1(&*sim);
    assert_eq!((b1_before, all_before), (1_745, 5_983));
    assert_eq!(b1_before * 100 / all_before, 29);
    says(&format!("handed b1 {} of the {} requests it forwarded (29 %)", said(b1_before), said(all_before)));
    assert_eq!((b1_after, all_after), (5_671, 12_111));
    assert_eq!((b1_after * 100 + all_after / 2) / all_after, 47);
    says(&format!("hands b1 {} of {} (47 %), every one refused", said(b1_after), said(all_after)));
    // b1 counts nothing itself after the crash: all of them came back refused, with the 2 it held
    // when it died and the 1 on its way then.
    let before = common::run_preset_to(ID, 10_000);
    assert_eq!(backend(&*before, "backend_requests", "b1"), 1_744);
    assert_eq!(backend(&*sim, "backend_requests", "b1"), 1_744, "b1 served nothing after 10 s");
    assert_eq!(common::counter(&*sim, "refused"), b1_after + 3);
    let errors = common::counter(&*sim, "errors");
    assert_eq!(errors, 5_673, "one refused request's error is still on its way at 30 s");
    assert_eq!(common::counter(&*sim, "timeouts"), 0, "no request waits for its timeout");
    assert_eq!((errors + 10) / 20, 284);
    says(&format!("about 284 `errors` per second, {} by the", said(errors)));
    let requests = common::counter(&*sim, "requests") - common::counter(&*before, "requests");
    assert!(errors * 100 / requests >= 45, "nearly half of all requests: {errors} of {requests}");
}

#[test]
fn the_live_backends_get_less_work_and_latency_looks_healthy() {
    let before = common::run_preset_to(ID, 10_000);
    let sim = common::run_preset(ID);
    let b2_before = backend(&*before, "backend_requests", "b2");
    let b2_after = backend(&*sim, "backend_requests", "b2") - b2_before;
    assert_eq!(((b2_before + 5) / 10, (b2_after + 10) / 20), (176, 140));
    says("b2 served 176 requests a second before\n  it and 140 after");
    assert_eq!((quantile_ms(&*sim, 0.5), quantile_ms(&*sim, 0.99)), (16, 108));
    says("(median 16 ms, p99 108 ms)");
}

#[test]
fn the_trace_and_the_log_tell_the_story() {
    let sim = common::run_preset_to(ID, 10_050);
    let names = sim.node_names();
    let at_10 = |r: &&dsplay_core::sim::trace::TraceEvent| r.at.as_ms_f64() >= 10_000.0;
    let records: Vec<_> = sim.trace().records().iter().filter(at_10).collect();
    let name = |i: dsplay_core::NodeId| names[i.index()].as_str();
    let refused = records
        .iter()
        .find(|r| r.kind == TraceKind::Drop && r.text.as_deref() == Some("refused"))
        .expect("a drop at b1, refused");
    assert_eq!((name(refused.node), refused.label), ("b1", "Forward"));
    let rst = records.iter().find(|r| r.kind == TraceKind::Send && r.label == REFUSAL).expect("a reset");
    assert_eq!((name(rst.node), rst.peer.map(name)), ("b1", Some("lb")));
    let back = records.iter().find(|r| r.kind == TraceKind::Deliver && r.msg == rst.msg).expect("it arrives");
    assert_eq!(name(back.node), "lb");
    assert!(back.at > rst.at, "one network hop later");
    let note = sim.trace().said().find(|r| r.text.as_deref().is_some_and(|t| t.starts_with("b1 refused")));
    let note = note.expect("the balancer notes the first reset").text.as_deref().unwrap_or_default();
    assert!(note.contains("b1's open count drops to 0"), "{note}");
    says("the event log notes the first reset; `refused` counts them all");
}

#[test]
fn with_a_silent_crash_least_connections_learns_to_avoid_b1() {
    let sim = with(silent);
    assert_eq!(common::counter(&*sim, "errors"), 11);
    assert_eq!(common::counter(&*sim, "timeouts"), 11, "all timeouts");
    assert!(sim.metrics().get("refused", None).is_none(), "nothing refused, nor listed");
    says("the same balancer loses only 11 requests");
    says("`--set events[0].event.type=crash`): 11\n  errors in the whole run, all timeouts");
    // b1 is picked a few times after the crash (the 11 lost), then never: its count stays high.
    let b1 = sim.view().nodes.into_iter().find(|n| n.name == "lb").expect("lb").view;
    let open = b1.fields.iter().find(|(k, _)| k == "active b1").map(|(_, v)| v.clone());
    assert_eq!(open.as_deref(), Some("11"), "the 11 never answered stay open");
}

#[test]
fn round_robin_hands_the_dead_backend_only_its_quarter() {
    let sim = with(|v| v["protocol"]["algorithm"] = "round_robin".into());
    let refused = common::counter(&*sim, "refused");
    assert_eq!(refused, 3_030);
    let after = forwarded(&*sim) - 5_983;
    assert!((refused * 4).abs_diff(after) <= 12, "a quarter of the {after} forwarded after 10 s");
    let rejected = backend(&*sim, "rejected", "b4");
    assert_eq!(rejected, 1_438);
    says(&format!("{} refused, far fewer than least connections", said(refused)));
    // In backticks: Compare's table then has a `rejected` row (review 12, C7).
    says(&format!("(slow b4 rejects {}: `rejected`)", said(rejected)));
}

#[test]
fn t2_s_passive_check_ejects_a_refusing_task_within_milliseconds() {
    let crash = |refusing: bool| {
        common::run(&common::scenario("t2-health-checks", |v| {
            if refusing {
                v["events"][0]["event"]["type"] = "crash_refusing".into();
            }
        }))
    };
    let (loud, quiet) = (crash(true), crash(false));
    assert_eq!(common::counter(&*loud, "refused"), 3);
    assert_eq!(common::counter(&*loud, "ejections"), 1);
    assert_eq!((common::counter(&*loud, "errors"), common::counter(&*quiet, "errors")), (4, 36));
    // The ejection comes at the third refusal, 27 ms after the crash at 5 s.
    let eject = loud.trace().said().find(|r| r.text.as_deref().is_some_and(|t| t.contains("ejected")));
    let at = eject.expect("an ejection note").at.as_ms_f64();
    assert_eq!((at - 5_000.0).round(), 27.0, "ejected at {at} ms");
    says("ejects b2 at its third refusal, 27 ms after the crash: 4 errors in the whole run, against 36 with\nits silent crash");
}

#[test]
fn a_refusing_crash_is_said_and_round_trips() {
    let sc = presets::get(ID).expect("preset");
    let json = serde_json::to_string(&sc).expect("json");
    assert!(json.contains(r#"{"type":"crash_refusing","node":"b1"}"#), "{json}");
    assert_eq!(dsplay_core::Scenario::from_json(&json).expect("parse"), sc);
    assert_eq!(sc.events[0].event.describe(), "crash b1 (refusing connections)");
    let e = common::refused(ID, |v| v["events"][0]["event"]["refuse"] = true.into());
    assert!(e.contains("refuse"), "an unknown field is refused: {e}");
    let ghost = common::scenario(ID, |v| v["events"][0]["event"]["node"] = "b9".into());
    let e = dsplay_core::registry::build(&ghost).map(|_| ()).expect_err("no b9").to_string();
    assert!(e.contains("events[0]") && e.contains("b9"), "an unknown node is refused: {e}");
}

#[test]
fn clients_of_a_refusing_balancer_fail_at_once_not_at_their_timeout() {
    let down = |kind: &str| {
        with(|v| {
            v["events"][0]["event"]["type"] = kind.into();
            v["events"][0]["event"]["node"] = "lb".into();
        })
    };
    let (silent, refusing) = (down("crash"), down("crash_refusing"));
    let sent_after = common::counter(&*refusing, "requests") - 5_983;
    // Silent: every request after 10 s waits 2 s and times out (those of the last 2 s are still
    // waiting at the end).
    assert_eq!(common::counter(&*silent, "timeouts"), common::counter(&*silent, "errors"));
    assert!(common::counter(&*silent, "timeouts") > 10_000);
    // Refusing: each one fails one round trip later; only those the balancer held time out.
    let (refused, timeouts) =
        (common::counter(&*refusing, "refused"), common::counter(&*refusing, "timeouts"));
    assert!(refused + 20 >= sent_after && refused <= sent_after, "{refused} of {sent_after}");
    assert!(timeouts < 20, "{timeouts} held by the balancer when it died");
    assert_eq!(common::counter(&*refusing, "errors"), refused + timeouts);
}
