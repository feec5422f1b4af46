//! E7: the spans the service graph records, checked on r1-timeouts (a dependency that slows
//! down 50× from 5 s to 15 s behind a 200 ms timeout) with tracing on.

use dsplay_core::session::Session;
use dsplay_core::spans::{Span, SpanKind, SpanStatus};
use dsplay_core::{registry, Scenario, SimTime};
use std::collections::BTreeMap;

use crate::common;

fn traced(id: &str) -> Scenario {
    common::scenario(id, |v| v["protocol"]["tracing"] = true.into())
}

fn spans_at(id: &str, ms: u64) -> (Vec<Span>, Vec<String>) {
    let mut sim = registry::build(&traced(id)).expect("build");
    sim.run_until(SimTime::from_ms(ms));
    (sim.spans(), sim.node_names().to_vec())
}

#[test]
fn every_span_joins_its_parents_trace_and_starts_within_it() {
    let (spans, _) = spans_at("r1-timeouts", 8_000);
    let by_id: BTreeMap<u64, &Span> = spans.iter().map(|s| (s.id, s)).collect();
    assert_eq!(by_id.len(), spans.len(), "span ids are unique across nodes");
    let mut joined = 0;
    for s in &spans {
        match s.parent.and_then(|p| by_id.get(&p)) {
            Some(parent) => {
                assert_eq!(s.trace, parent.trace, "{s:?}");
                assert!(s.start >= parent.start, "a child starts after its parent: {s:?}");
                joined += 1;
            }
            None if s.parent.is_none() => assert_eq!((s.trace, s.kind), (s.id, SpanKind::Request)),
            None => {} // its parent was older than what its node keeps
        }
        assert!(s.end.is_none_or(|e| e >= s.start) && (s.end.is_none() == (s.status == SpanStatus::Open)));
    }
    let children = spans.iter().filter(|s| s.parent.is_some()).count();
    assert_eq!(joined, children, "8 s of this run is within what every node keeps");
}

#[test]
fn a_trace_shows_the_timeout_and_the_work_the_dependency_did_after_it() {
    let (spans, names) = spans_at("r1-timeouts", 8_000);
    let name = |s: &Span| names[s.node.index()].clone();
    // A call from shop to inventory that timed out after 200 ms...
    let timed_out: Vec<&Span> = spans
        .iter()
        .filter(|s| s.kind == SpanKind::Call && s.status == SpanStatus::TimedOut && name(s) == "shop")
        .collect();
    assert!(!timed_out.is_empty(), "the slow dependency times calls out");
    for call in &timed_out {
        let took = call.end.expect("closed").as_us() - call.start.as_us();
        assert_eq!(took, 200_000, "the timeout is the call's length");
        assert_eq!(&*call.name, "inventory");
    }
    // ...whose serve span on inventory went on after the caller stopped waiting (or still goes on).
    let orphaned = timed_out.iter().filter(|call| {
        spans.iter().any(|s| {
            s.parent == Some(call.id)
                && s.kind == SpanKind::Serve
                && s.end.is_none_or(|e| e > call.end.expect("closed"))
        })
    });
    assert!(orphaned.count() * 2 > timed_out.len(), "most timed-out calls leave work running on inventory");
    // Before the slowdown, none: every trace ends well.
    let (early, _) = spans_at("r1-timeouts", 4_000);
    assert!(early.iter().all(|s| !s.status.failed()), "nothing fails before 5 s");
    assert!(early.iter().any(|s| s.kind == SpanKind::Serve && &*s.name == "stock"));
}

#[test]
fn without_tracing_no_span_is_kept() {
    let mut sim = registry::build(&dsplay_core::presets::get("r1-timeouts").expect("preset")).expect("build");
    sim.run_until(SimTime::from_ms(6_000));
    assert!(sim.spans().is_empty());
    assert_eq!(
        sim.trace_hash(),
        registry::build(&traced("r1-timeouts"))
            .map(|mut t| {
                t.run_until(SimTime::from_ms(6_000));
                t.trace_hash()
            })
            .expect("build"),
        "tracing changes no message: the same run, observed"
    );
}

#[test]
fn spans_rewind_with_the_playhead() {
    let mut s = Session::new(traced("r1-timeouts")).expect("session");
    s.seek(SimTime::from_ms(9_000));
    s.seek(SimTime::from_ms(3_000));
    let spans = s.sim().spans();
    assert!(spans.iter().all(|sp| sp.start <= SimTime::from_ms(3_000)), "nothing from the future");
    let (fresh, _) = spans_at("r1-timeouts", 3_000);
    assert_eq!(spans, fresh, "the same spans as a run that stopped there");
}
