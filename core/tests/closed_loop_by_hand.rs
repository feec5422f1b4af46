//! A request handed to a closed-loop client by hand is extra: it goes out at once, on top of the
//! `concurrency` requests the workload keeps going, and holds no slot of the loop. Once it is
//! answered (or times out) the client does not think and send another in its place.
//!
//! Until this was checked, raft, quorum, load-balancing, traffic and resilience clients followed
//! every finished request, hand requests too, with a think time and a generated request: each
//! request sent by hand added one to the loop for the rest of the run.

use dsplay_core::{registry, SimTime};
use serde_json::{json, Value};

use crate::common;
use common::outstanding::{closed, pending_at_most, pending_at_most_until};
use common::scenario;

const CONCURRENCY: usize = 2;
/// Hand requests sent to `c1`, all at `HAND_AT_MS`.
const HANDS: usize = 3;
const HAND_AT_MS: u64 = 3_000;
/// By then every hand request is answered or timed out (every preset here times out by 2 s).
const HANDS_DONE_MS: u64 = 5_500;

/// `c1` of preset `id`, running a closed loop, is handed `request` `HANDS` times at once: it has
/// them on top of its loop while they are out, and only its loop once they are done.
fn hand_requests_hold_no_slot(id: &str, request: Value) {
    let sc = scenario(id, |v| {
        v["workload"]["arrival"] = closed(CONCURRENCY as u32, 20);
        let hand =
            json!({"at_ms": HAND_AT_MS, "event": {"type": "client", "node": "c1", "request": request}});
        let events = v["events"].as_array_mut().expect("events");
        events.extend(std::iter::repeat_n(hand, HANDS));
    });
    let mut sim = registry::build(&sc).expect("build");
    let most = pending_at_most_until(&mut *sim, CONCURRENCY + HANDS, SimTime::from_ms(HANDS_DONE_MS));
    assert!(most > CONCURRENCY, "c1 has its hand requests on top of its loop");
    pending_at_most(&mut *sim, CONCURRENCY);
}

#[test]
fn raft() {
    hand_requests_hold_no_slot("d4-raft-election", json!({"op": "request"}));
}

#[test]
fn quorum() {
    hand_requests_hold_no_slot("d3-quorum-stale-read", json!({"op": "write", "key": "k1", "value": 7}));
}

#[test]
fn load_balancing() {
    hand_requests_hold_no_slot("t1-round-robin", json!({"op": "request"}));
}

#[test]
fn traffic() {
    hand_requests_hold_no_slot("t2-health-checks", json!({"op": "write"}));
}

#[test]
fn resilience() {
    hand_requests_hold_no_slot("r1-timeouts", json!({"op": "request"}));
}
