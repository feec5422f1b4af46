//! D6: the laws of vector clocks, on clocks reachable by random local events, sends and receives
//! among four processes. `≤` is a partial order (reflexive, antisymmetric, transitive); merge is its
//! least upper bound (commutative, associative, idempotent, an upper bound, the least one); and
//! happened-before — traced through the actual messages — holds iff one clock is strictly less.
//! Lamport clocks respect happened-before (the clock condition) but not conversely.

use dsplay_core::protocols::clocks::{Lamport, VectorClock};
use proptest::prelude::*;
use std::cmp::Ordering;

/// An event as a (clock, Lamport time, set of events that happened before it, inclusive).
#[derive(Clone, Debug)]
struct Ev {
    vc: VectorClock,
    lamport: u64,
    past: Vec<bool>,
}

/// (process, action, peer): action 0 = local, 1 = send to peer, 2 = receive the oldest message for it.
type Step = (u32, u8, u32);

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec((0..4u32, 0..3u8, 0..4u32), 1..40)
}

/// Run the steps; return every event with its clocks and its true causal past.
fn simulate(steps: &[Step]) -> Vec<Ev> {
    let n = 4usize;
    let mut events: Vec<Ev> = Vec::new();
    let mut last: Vec<Option<usize>> = vec![None; n];
    let mut vcs = vec![VectorClock::new(4); n];
    let mut lamports = vec![Lamport::default(); n];
    let mut inbox: Vec<Vec<usize>> = vec![Vec::new(); n]; // send-event indices per receiver
    for &(p, action, peer) in steps {
        let p = p as usize;
        let mut past: Vec<bool> = last[p].map(|i| events[i].past.clone()).unwrap_or_default();
        let lamport = match action {
            2 if !inbox[p].is_empty() => {
                let send = inbox[p].remove(0);
                vcs[p].merge(&events[send].vc);
                merge_past(&mut past, &events[send].past);
                lamports[p].receive(events[send].lamport)
            }
            _ => lamports[p].tick(),
        };
        vcs[p].tick(p as u32);
        let me = events.len();
        past.resize(me + 1, false);
        past[me] = true;
        events.push(Ev { vc: vcs[p].clone(), lamport, past });
        last[p] = Some(me);
        if action == 1 && peer as usize != p {
            inbox[peer as usize].push(me);
        }
    }
    events
}

fn merge_past(into: &mut Vec<bool>, from: &[bool]) {
    if into.len() < from.len() {
        into.resize(from.len(), false);
    }
    for (a, b) in into.iter_mut().zip(from) {
        *a |= *b;
    }
}

fn pick(evs: &[Ev], i: usize) -> &VectorClock {
    &evs[i % evs.len()].vc
}

proptest! {
    #[test]
    fn leq_is_a_partial_order(s in steps(), i in 0..64usize, j in 0..64usize, k in 0..64usize) {
        let evs = simulate(&s);
        let (a, b, c) = (pick(&evs, i), pick(&evs, j), pick(&evs, k));
        prop_assert!(a.leq(a), "reflexive");
        if a.leq(b) && b.leq(a) {
            prop_assert_eq!(a, b, "antisymmetric");
        }
        if a.leq(b) && b.leq(c) {
            prop_assert!(a.leq(c), "transitive");
        }
    }

    #[test]
    fn merge_is_the_least_upper_bound(s in steps(), i in 0..64usize, j in 0..64usize, k in 0..64usize) {
        let evs = simulate(&s);
        let (a, b, c) = (pick(&evs, i), pick(&evs, j), pick(&evs, k));
        prop_assert_eq!(a.join(b), b.join(a), "commutative");
        prop_assert_eq!(a.join(b).join(c), a.join(&b.join(c)), "associative");
        prop_assert_eq!(a.join(a), a.clone(), "idempotent");
        let j = a.join(b);
        prop_assert!(a.leq(&j) && b.leq(&j), "an upper bound");
        if a.leq(c) && b.leq(c) {
            prop_assert!(j.leq(c), "the least one");
        }
    }

    #[test]
    fn happened_before_iff_strictly_less(s in steps()) {
        let evs = simulate(&s);
        for (x, a) in evs.iter().enumerate() {
            for (y, b) in evs.iter().enumerate() {
                let hb = x != y && b.past.get(x).copied().unwrap_or(false);
                prop_assert_eq!(hb, a.vc.happened_before(&b.vc), "events {} and {}", x, y);
                prop_assert_eq!(hb, a.vc.partial_cmp(&b.vc) == Some(Ordering::Less));
                let concurrent = x != y && !hb && !a.past.get(y).copied().unwrap_or(false);
                prop_assert_eq!(concurrent, a.vc.concurrent(&b.vc));
                if hb {
                    prop_assert!(a.lamport < b.lamport, "clock condition");
                }
            }
        }
    }
}

#[test]
fn lamport_orders_concurrent_events_anyway() {
    // p0: local; p1: local, local. Concurrent, yet L = 1 < 2.
    let evs = simulate(&[(0, 0, 0), (1, 0, 0), (1, 0, 0)]);
    assert!(evs[0].vc.concurrent(&evs[2].vc));
    assert!(evs[0].lamport < evs[2].lamport);
}
