//! Happened-before over a run's trace, for any protocol: what a picked event's causal past and
//! future are, and whether two events are ordered or concurrent, and why.
//!
//! An *event* is what one node did at one instant: every record it left at that time (a timer
//! firing, the sends it made, a delivery, its notes) is one dot on its lane in the space-time
//! diagram, so they are one event here too. Drops are left out: a message lost on the wire is not
//! something its intended receiver did; so are the notes no node wrote (the script's). Edges are
//! process order along a lane and send → delivery of the same message id (Lamport's definition);
//! `a → b` iff a chain of edges leads from a to b.
//!
//! Built from whatever records are at hand (the diagram's window), on demand: a pick costs one
//! pass over them and one walk of the graph, never work per frame per event.

use super::trace::{TraceEvent, TraceKind};
use crate::time::SimTime;
use std::collections::BTreeMap;

/// One thing an event did besides writing its clock: a send, a delivery, a timer, a note…
#[derive(Clone, Debug, PartialEq)]
pub struct Act {
    pub kind: TraceKind,
    /// The message kind, timer name, fault or note label.
    pub label: &'static str,
    /// The other end of a message (receiver of a send, sender of a delivery).
    pub peer: Option<usize>,
}

/// What one node did at one instant.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub lane: usize,
    pub at: SimTime,
    /// Its "clock" note's text (`L=5 V=[2,1,0,4] receive from p1`), where the protocol keeps one.
    pub clock: Option<Box<str>>,
    pub acts: Vec<Act>,
}

/// A message from the event that sent it to one that received it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub label: &'static str,
    pub from: usize,
    pub to: usize,
}

/// How two events are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Same,
    /// The first happened before the second.
    Before,
    /// The second happened before the first.
    After,
    Concurrent,
}

/// The happened-before graph of some records.
#[derive(Clone, Debug, Default)]
pub struct Causality {
    pub events: Vec<Event>,
    pub links: Vec<Link>,
    /// Each lane's events, in time order.
    lanes: Vec<Vec<usize>>,
    /// Each event's place in its lane.
    place: Vec<usize>,
    /// The links into and out of each event.
    ins: Vec<Vec<usize>>,
    outs: Vec<Vec<usize>>,
    /// Events with a cause outside the records: a delivery whose send is older, or the first
    /// event of a lane when older records were left out.
    cut: Vec<bool>,
}

impl Causality {
    /// The graph of `records` (in trace order). `older` says records before them exist (let go
    /// by the trace, or outside the window), so a lane's first event here may have causes.
    pub fn new<'a>(records: impl IntoIterator<Item = &'a TraceEvent>, older: bool) -> Causality {
        let mut c = Causality::default();
        let mut sent: BTreeMap<u64, usize> = BTreeMap::new();
        for r in records {
            if r.kind == TraceKind::Drop || r.is_by_no_node() {
                continue;
            }
            let e = c.event_at(r.node.index(), r.at, older);
            match r.kind {
                TraceKind::Send => drop(sent.insert(r.msg, e)),
                TraceKind::Deliver => match sent.get(&r.msg) {
                    Some(&from) if from != e => c.link(r.label, from, e),
                    Some(_) => {}
                    None => c.cut[e] = true,
                },
                _ => {}
            }
            if r.kind == TraceKind::Note && r.label == "clock" {
                c.events[e].clock = r.text.clone();
            } else {
                let peer = r.peer.map(|p| p.index());
                c.events[e].acts.push(Act { kind: r.kind, label: r.label, peer });
            }
        }
        c
    }

    /// The event of `lane` at `at`, begun if it is new.
    fn event_at(&mut self, lane: usize, at: SimTime, older: bool) -> usize {
        if self.lanes.len() <= lane {
            self.lanes.resize(lane + 1, Vec::new());
        }
        if let Some(&last) = self.lanes[lane].last().filter(|&&e| self.events[e].at == at) {
            return last;
        }
        let e = self.events.len();
        self.events.push(Event { lane, at, clock: None, acts: Vec::new() });
        self.place.push(self.lanes[lane].len());
        self.cut.push(older && self.lanes[lane].is_empty());
        self.lanes[lane].push(e);
        self.ins.push(Vec::new());
        self.outs.push(Vec::new());
        e
    }

    fn link(&mut self, label: &'static str, from: usize, to: usize) {
        self.ins[to].push(self.links.len());
        self.outs[from].push(self.links.len());
        self.links.push(Link { label, from, to });
    }

    /// The event of `lane` at `at`, if the records hold one.
    pub fn find(&self, lane: usize, at: SimTime) -> Option<usize> {
        let on = self.lanes.get(lane)?;
        let i = on.partition_point(|&e| self.events[e].at < at);
        on.get(i).copied().filter(|&e| self.events[e].at == at)
    }

    /// The first (`last` false) or last event of `e`'s lane.
    pub fn lane_end(&self, e: usize, last: bool) -> Option<usize> {
        let on = &self.lanes[self.events.get(e)?.lane];
        if last { on.last() } else { on.first() }.copied()
    }

    /// The event before (`step` −1) or after (+1) `e` on its lane.
    pub fn along_lane(&self, e: usize, step: isize) -> Option<usize> {
        let on = &self.lanes[self.events.get(e)?.lane];
        on.get(self.place[e].checked_add_signed(step)?).copied()
    }

    /// The direct causes of `e` (`back`) or its direct effects: the lane's neighbour and the
    /// other ends of its messages.
    fn next(&self, e: usize, back: bool) -> impl Iterator<Item = usize> + '_ {
        let lane = self.along_lane(e, if back { -1 } else { 1 });
        let links = if back { &self.ins[e] } else { &self.outs[e] };
        let ends = links.iter().map(move |&l| if back { self.links[l].from } else { self.links[l].to });
        lane.into_iter().chain(ends)
    }

    /// Every event `e` can reach going back (its causal past) or forward (its future), itself
    /// excluded, with for each the neighbour it was reached from (so a chain can be read off).
    fn walk(&self, e: usize, back: bool) -> Vec<Option<usize>> {
        let mut from = vec![None; self.events.len()];
        let mut todo = vec![e];
        while let Some(x) = todo.pop() {
            for y in self.next(x, back) {
                if y != e && from[y].is_none() {
                    from[y] = Some(x);
                    todo.push(y);
                }
            }
        }
        from
    }

    /// The cones of `e`: which events are in its past, which in its future.
    pub fn cones(&self, e: usize) -> Cones {
        let past: Vec<bool> = self.walk(e, true).iter().map(Option::is_some).collect();
        let beyond = past.iter().zip(&self.cut).any(|(p, c)| *p && *c) || self.cut.get(e) == Some(&true);
        let future = self.walk(e, false).iter().map(Option::is_some).collect();
        Cones { picked: e, past, future, beyond }
    }

    /// How `a` and `b` are ordered, and the chain of events from the earlier to the later (both
    /// ends included; empty when they are concurrent or the same).
    pub fn order(&self, a: usize, b: usize) -> (Order, Vec<usize>) {
        if a == b {
            return (Order::Same, Vec::new());
        }
        for (order, (x, y)) in [(Order::Before, (a, b)), (Order::After, (b, a))] {
            let from = self.walk(y, true);
            if from[x].is_some() {
                // Walking back from y reached x: follow the neighbours forward from x to y.
                let (mut chain, mut at) = (vec![x], x);
                while let Some(n) = from[at].filter(|_| at != y) {
                    chain.push(n);
                    at = n;
                }
                return (order, chain);
            }
        }
        (Order::Concurrent, Vec::new())
    }

    /// The message from `a` received by `b`, if one is.
    pub fn message(&self, a: usize, b: usize) -> Option<&Link> {
        self.outs.get(a)?.iter().map(|&l| &self.links[l]).find(|l| l.to == b)
    }
}

/// A picked event's causal past and future among the records.
#[derive(Clone, Debug, PartialEq)]
pub struct Cones {
    pub picked: usize,
    pub past: Vec<bool>,
    pub future: Vec<bool>,
    /// The past goes on before the oldest records here.
    pub beyond: bool,
}

/// The vector clock in a clock note (`V=[2,1,0,4]`), if it has one.
pub fn vector(clock: &str) -> Option<Vec<u64>> {
    let rest = &clock[clock.find("V=[")? + 3..];
    let inner = &rest[..rest.find(']')?];
    inner.split(',').map(|n| n.trim().parse().ok()).collect()
}

/// How two vector clocks are ordered: `Before` iff every entry of `a` is ≤ `b`'s and they differ.
pub fn vector_order(a: &[u64], b: &[u64]) -> Order {
    let le = |x: &[u64], y: &[u64]| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p <= q);
    match (le(a, b), le(b, a)) {
        (true, true) => Order::Same,
        (true, false) => Order::Before,
        (false, true) => Order::After,
        (false, false) => Order::Concurrent,
    }
}

#[cfg(test)]
#[path = "causality_tests.rs"]
mod tests;
