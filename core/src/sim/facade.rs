//! The one object-safe façade the CLI, the web app and the tests drive every protocol through.

use super::metrics::Metrics;
use super::queue::Ev;
use super::trace::{Trace, TraceMark};
use super::{Sim, Status};
use crate::node::Node;
use crate::scenario::{Scenario, ScenarioError, ScenarioEvent};
use crate::time::SimTime;
use crate::view::{MsgView, NodeState, TimerView, WorldView};
use serde::{Deserialize, Serialize};
use std::any::Any;

/// An invariant that did not hold, reported instead of panicking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub at: SimTime,
    pub rule: String,
    pub detail: String,
}

/// A saved state to seek back to. Only valid for the simulation that made it.
#[derive(Debug)]
pub struct Checkpoint {
    pub at: SimTime,
    state: Box<dyn Any>,
    mark: TraceMark,
}

/// Everything outside the core sees a simulation through this trait.
pub trait Simulation {
    fn scenario(&self) -> &Scenario;
    fn node_names(&self) -> &[String];
    fn now(&self) -> SimTime;
    /// Events handled so far.
    fn events(&self) -> u64;
    /// When the next event would happen (`None` if nothing is left before the stop time).
    fn next_event_at(&self) -> Option<SimTime>;
    /// Handle one event; returns its time.
    fn step(&mut self) -> Option<SimTime>;
    /// Handle every event up to and including `t` (capped at the stop time) and set the clock to it.
    fn run_until(&mut self, t: SimTime) -> u64;
    /// Like `run_until`, but handle at most `budget` events (for a frame budget). The clock only
    /// moves to `t` if everything before it was handled.
    fn run_bounded(&mut self, t: SimTime, budget: u64) -> u64;
    /// Apply a fault or action now (a user's click). Record it in the scenario to replay it.
    fn inject(&mut self, ev: &ScenarioEvent) -> Result<(), ScenarioError>;
    /// Discard scripted events after now (forking a new future from the past).
    fn fork(&mut self);
    fn view(&self) -> WorldView;
    fn metrics(&self) -> &Metrics;
    /// Client operations recorded by key-value protocols (empty for others).
    fn history(&self) -> &super::history::History;
    fn violations(&self) -> &[Violation];
    fn invariants(&self) -> &'static [&'static str];
    fn trace(&self) -> &Trace;
    fn trace_hash(&self) -> u64 {
        self.trace().hash()
    }
    fn checkpoint(&self) -> Checkpoint;
    /// Go back to a checkpoint of this simulation; `false` if it belongs to another one.
    fn restore(&mut self, cp: &Checkpoint) -> bool;
    /// Why the run stopped early, if it did.
    fn halted(&self) -> Option<&str>;
    fn stop_at(&self) -> SimTime;
}

impl std::fmt::Debug for dyn Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Simulation({} at {})", self.scenario().meta.id, self.now())
    }
}

impl<N: Node> Simulation for Sim<N> {
    fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    fn node_names(&self) -> &[String] {
        &self.names
    }
    fn now(&self) -> SimTime {
        self.now_time()
    }
    fn events(&self) -> u64 {
        self.st.events
    }
    fn next_event_at(&self) -> Option<SimTime> {
        self.next_at().filter(|t| *t <= self.stop_at() && self.st.halted.is_none())
    }
    fn step(&mut self) -> Option<SimTime> {
        self.step_one()
    }
    fn run_until(&mut self, t: SimTime) -> u64 {
        self.run_bounded(t, u64::MAX)
    }
    fn run_bounded(&mut self, t: SimTime, budget: u64) -> u64 {
        let t = t.min(self.stop_at());
        let start = self.st.events;
        loop {
            if self.st.events - start >= budget {
                // Out of budget: the clock stays at the last handled event.
                return self.st.events - start;
            }
            match self.next_at() {
                // This may only skip stale timers and find nothing due by `t`: loop and look again.
                Some(at) if at <= t && self.st.halted.is_none() => {
                    self.step_until(t);
                }
                _ => break,
            }
        }
        if t > self.st.now && self.st.halted.is_none() {
            self.st.now = t;
            self.st.metrics.advance_to(t);
        }
        self.st.events - start
    }
    fn inject(&mut self, ev: &ScenarioEvent) -> Result<(), ScenarioError> {
        self.check_event(ev)?;
        self.apply_scenario_event(ev);
        super::Sim::after_event(self);
        Ok(())
    }
    fn fork(&mut self) {
        let now = self.st.now;
        let keep = self.st.script.iter().take_while(|e| SimTime::from_ms(e.at_ms) <= now).count();
        self.st.script.truncate(keep.max(self.st.script_pos));
    }
    fn view(&self) -> WorldView {
        let st = &self.st;
        let region_name = |i: usize| {
            let r = self.scenario.network.regions.as_ref()?;
            st.net.region[i].and_then(|x| r.names.get(x as usize).cloned())
        };
        let nodes = st
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| NodeState {
                id: crate::ids::NodeId(i as u32),
                name: self.names[i].clone(),
                status: st.status[i],
                group: st.net.group[i],
                region: region_name(i),
                view: n.view(),
            })
            .collect();
        let mut in_flight = Vec::new();
        let mut timers = Vec::new();
        let stashed = st.stash.iter().flatten().map(|ev| (st.now, ev));
        for (at, ev) in st.queue.iter().map(|e| (e.at, &e.ev)).chain(stashed) {
            match ev {
                Ev::Deliver { from, to, msg, id, sent, dup } => in_flight.push(MsgView {
                    id: *id,
                    from: *from,
                    to: *to,
                    kind: crate::node::Kind::kind(msg).to_string(),
                    detail: format!("{msg:?}"),
                    sent_at: *sent,
                    deliver_at: at,
                    duplicate: *dup,
                }),
                Ev::Timer { node, timer, gen } => {
                    if st.timers[node.index()].get(timer) == Some(gen) {
                        timers.push(TimerView { node: *node, timer: format!("{timer:?}"), fires_at: at });
                    }
                }
            }
        }
        in_flight.sort_by_key(|m| (m.deliver_at, m.id));
        timers.sort_by_key(|t| (t.fires_at, t.node));
        let blocked =
            st.net.blocked.iter().map(|&(a, b)| (crate::ids::NodeId(a), crate::ids::NodeId(b))).collect();
        WorldView { now: st.now, events: st.events, nodes, in_flight, timers, blocked }
    }
    fn metrics(&self) -> &Metrics {
        &self.st.metrics
    }
    fn history(&self) -> &super::history::History {
        &self.st.history
    }
    fn violations(&self) -> &[Violation] {
        &self.st.violations
    }
    fn invariants(&self) -> &'static [&'static str] {
        N::invariants()
    }
    fn trace(&self) -> &Trace {
        &self.trace
    }
    fn checkpoint(&self) -> Checkpoint {
        Checkpoint { at: self.st.now, state: Box::new(self.st.clone()), mark: self.trace.mark() }
    }
    fn restore(&mut self, cp: &Checkpoint) -> bool {
        match cp.state.downcast_ref::<super::state::State<N>>() {
            Some(st) => {
                self.st = st.clone();
                self.trace.rewind(cp.mark);
                true
            }
            None => false,
        }
    }
    fn halted(&self) -> Option<&str> {
        self.st.halted.as_deref()
    }
    fn stop_at(&self) -> SimTime {
        Sim::stop_at(self)
    }
}

impl<N: Node> Sim<N> {
    /// Is this node up, down or paused?
    pub fn status(&self, i: usize) -> Status {
        self.st.status[i]
    }
}
