//! Happened-before on hand-built records (a chain through a message, process order,
//! concurrency), and agreement with the vector clocks d6 writes, over every pair of its events.

use super::*;
use crate::ids::NodeId;

fn rec(ms: u64, kind: TraceKind, node: u32, peer: Option<u32>, msg: u64) -> TraceEvent {
    let label = if msg == 0 { "Event" } else { "Ping" };
    TraceEvent {
        at: SimTime::from_ms(ms),
        kind,
        node: NodeId(node),
        peer: peer.map(NodeId),
        msg,
        label,
        text: None,
    }
}

fn send(ms: u64, from: u32, to: u32, msg: u64) -> TraceEvent {
    rec(ms, TraceKind::Send, from, Some(to), msg)
}
fn deliver(ms: u64, from: u32, to: u32, msg: u64) -> TraceEvent {
    rec(ms, TraceKind::Deliver, to, Some(from), msg)
}
fn local(ms: u64, node: u32) -> TraceEvent {
    rec(ms, TraceKind::Timer, node, None, 0)
}

fn at(c: &Causality, lane: usize, ms: u64) -> usize {
    c.find(lane, SimTime::from_ms(ms)).expect("an event there")
}

#[test]
fn a_message_orders_its_send_before_its_delivery_and_what_follows() {
    // p0 sends at 1 ms, p1 receives it at 3 ms and sends on to p2 (5 → 6 ms).
    let records = [send(1, 0, 1, 1), deliver(3, 0, 1, 1), send(5, 1, 2, 2), deliver(6, 1, 2, 2)];
    let c = Causality::new(&records, false);
    let (a, b, d) = (at(&c, 0, 1), at(&c, 1, 3), at(&c, 2, 6));
    assert_eq!(c.order(a, b), (Order::Before, vec![a, b]));
    assert_eq!(c.order(b, a).0, Order::After);
    assert_eq!(c.message(a, b).map(|l| l.label), Some("Ping"));
    let (order, chain) = c.order(a, d);
    assert_eq!(order, Order::Before);
    assert_eq!(chain, vec![a, b, at(&c, 1, 5), d], "through p1's receive and its send");
    let cones = c.cones(b);
    assert!(cones.past[a] && !cones.past[d] && cones.future[d] && !cones.future[a]);
    assert!(!cones.past[b] && !cones.future[b], "an event is neither its own past nor future");
    assert!(!cones.beyond);
}

#[test]
fn process_order_alone_orders_a_lanes_events() {
    let records = [local(1, 0), local(2, 1), local(4, 0)];
    let c = Causality::new(&records, false);
    let (a, b) = (at(&c, 0, 1), at(&c, 0, 4));
    assert_eq!(c.order(a, b), (Order::Before, vec![a, b]));
    assert_eq!(c.along_lane(a, 1), Some(b));
    assert_eq!(c.along_lane(a, -1), None);
    assert_eq!((c.lane_end(b, false), c.lane_end(a, true)), (Some(a), Some(b)), "a lane's ends");
    assert_eq!(c.order(a, a).0, Order::Same);
}

#[test]
fn events_with_no_chain_between_them_are_concurrent_whatever_their_times() {
    // p1 sends to p2 after p0's local event: no message links p0 to the others.
    let records = [local(1, 0), send(2, 1, 2, 7), deliver(9, 1, 2, 7), local(10, 0)];
    let c = Causality::new(&records, false);
    for (lane, ms) in [(1, 2), (2, 9)] {
        assert_eq!(c.order(at(&c, 0, 1), at(&c, lane, ms)), (Order::Concurrent, vec![]));
        assert_eq!(c.order(at(&c, 0, 10), at(&c, lane, ms)).0, Order::Concurrent);
    }
    let cones = c.cones(at(&c, 0, 1));
    assert_eq!(cones.past.iter().filter(|p| **p).count(), 0);
    assert_eq!(cones.future.iter().filter(|f| **f).count(), 1, "only p0's later event");
}

#[test]
fn one_nodes_records_at_one_instant_are_one_event_and_drops_are_none() {
    let mut note = rec(1, TraceKind::Note, 0, None, 0);
    note.label = "clock";
    note.text = Some("L=1 V=[1,0] send to p1".into());
    let lost = rec(4, TraceKind::Drop, 1, Some(0), 3);
    let records = [local(1, 0), send(1, 0, 1, 3), note, lost];
    let c = Causality::new(&records, false);
    assert_eq!(c.events.len(), 1, "{:?}", c.events);
    assert_eq!(c.events[0].clock.as_deref(), Some("L=1 V=[1,0] send to p1"));
    assert_eq!(c.events[0].acts.len(), 2, "the timer and the send");
    assert_eq!(c.find(1, SimTime::from_ms(4)), None, "a lost message is nothing its receiver did");
}

#[test]
fn a_past_that_goes_on_before_the_records_says_so() {
    // A delivery whose send is older than the records, then a later event on that lane.
    let records = [deliver(5, 0, 1, 1), local(6, 1), local(7, 0)];
    let c = Causality::new(&records, false);
    assert!(c.cones(at(&c, 1, 6)).beyond);
    assert!(!c.cones(at(&c, 0, 7)).beyond, "p0's first event here is its first ever");
    let older = Causality::new(&records, true);
    assert!(older.cones(at(&older, 0, 7)).beyond, "older records were left out");
}

#[test]
fn vector_clocks_are_read_from_a_clock_note_and_compared_entrywise() {
    assert_eq!(vector("L=5 V=[2,1,0,4] receive from p1"), Some(vec![2, 1, 0, 4]));
    assert_eq!(vector("L=5"), None);
    assert_eq!(vector("V=[2,x]"), None);
    assert_eq!(vector_order(&[2, 1, 0, 0], &[3, 1, 2, 0]), Order::Before);
    assert_eq!(vector_order(&[3, 1, 2, 0], &[2, 1, 0, 0]), Order::After);
    assert_eq!(vector_order(&[1, 0], &[0, 1]), Order::Concurrent);
    assert_eq!(vector_order(&[1, 0], &[1, 0]), Order::Same);
}

#[test]
fn the_trace_and_d6s_vector_clocks_agree_on_every_pair_of_events() {
    let scenario = crate::presets::get("d6-lamport-vector-clocks").expect("preset");
    let mut s = crate::session::Session::new(scenario).expect("session");
    s.seek(SimTime::from_ms(3_000));
    let c = Causality::new(s.sim().trace().records(), s.sim().trace().first_index() > 0);
    let clocks: Vec<(usize, Vec<u64>)> =
        (0..c.events.len()).filter_map(|e| Some((e, vector(c.events[e].clock.as_deref()?)?))).collect();
    assert!(clocks.len() > 100, "{} events with vectors", clocks.len());
    assert_eq!(clocks.len(), c.events.len(), "every d6 event writes its clock");
    let (mut pairs, mut concurrent) = (0, 0);
    for (i, (a, va)) in clocks.iter().enumerate() {
        let cones = c.cones(*a);
        for (b, vb) in &clocks {
            let by_trace = if a == b {
                Order::Same
            } else if cones.future[*b] {
                Order::Before
            } else if cones.past[*b] {
                Order::After
            } else {
                Order::Concurrent
            };
            assert_eq!(by_trace, vector_order(va, vb), "{:?} vs {:?}", c.events[*a], c.events[*b]);
            pairs += 1;
            concurrent += usize::from(by_trace == Order::Concurrent);
            // The chain named for a sample of pairs: each step a lane's next event or a message.
            if (i + b) % 11 == 0 {
                let (order, chain) = c.order(*a, *b);
                assert_eq!(order, by_trace);
                for w in chain.windows(2) {
                    let step = c.along_lane(w[0], 1) == Some(w[1]) || c.message(w[0], w[1]).is_some();
                    assert!(step, "{w:?} is no edge");
                }
            }
        }
    }
    assert!(concurrent > pairs / 20 && concurrent < pairs / 2, "{concurrent} of {pairs} concurrent");
}
