//! D5 quorum leases: the holder checks its lease's end against the clock, and grants of an
//! earlier renewal round still count (review 58 B3, B4). The presets' own facts are in `raft.rs`.

use crate::common;

use common::{counter, run, scenario};
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::SimTime;
use serde_json::json;

/// The quorum preset with no partition: p1 is paused from 3 s to 5 s. Its last renewal round
/// was asked at about 3.0 s, so its lease ends by 4 s; p2 takes the lease and is promoted at
/// about 4.19 s. When p1 wakes up at 5 s it handles the grants of its old round before its
/// `LeaseExpiry` timer: it installed that lease, already over, and acknowledged 43 writes
/// beside p2 (and the check saw two primaries while p1 was still frozen).
#[test]
fn a_paused_holder_acknowledges_no_write_on_a_lease_that_ran_out() {
    let sim = run(&scenario("d5-split-brain-quorum", |v| {
        v["events"] = json!([
            {"at_ms": 3_000, "event": {"type": "pause", "node": "p1"}},
            {"at_ms": 5_000, "event": {"type": "resume", "node": "p1"}}
        ]);
    }));
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    assert_eq!(counter(&*sim, "conflicting_writes"), 0);
    assert_eq!(counter(&*sim, "promotions"), 1, "p2 took over");
    let p1 = common::node_id(&*sim, "p1");
    let late_acks: Vec<SimTime> = (sim.trace().records().iter())
        .filter(|e| e.kind == TraceKind::Send && e.node == p1 && e.label == "Ack")
        .map(|e| e.at)
        .filter(|at| *at >= SimTime::from_ms(4_000))
        .collect();
    assert!(late_acks.is_empty(), "p1 acknowledged writes with its lease over: {late_acks:?}");
}

/// A 20 ms lease on the preset's 2–10 ms links, no faults: renewals go out every 6.7 ms and a
/// round trip to the witnesses can take longer. Only the current round's grants counted, so p1
/// rarely held a majority of one round and refused nearly every write (9 acknowledged, 470
/// refused). Each grant gives a lease from when its round was asked, whichever round it is.
#[test]
fn a_lease_shorter_than_three_round_trips_still_serves_writes() {
    let sim = run(&scenario("d5-split-brain-quorum", |v| {
        v["protocol"]["lease_ms"] = 20.into();
        v["events"] = json!([]);
    }));
    let (acked, rejected) = (counter(&*sim, "acked_writes"), counter(&*sim, "rejected_writes"));
    assert!(acked > 400 && rejected * 10 < acked, "acked {acked}, rejected {rejected}");
    assert_eq!(counter(&*sim, "promotions"), 0, "nothing went wrong: no failover");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
}
