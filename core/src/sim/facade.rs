//! The one object-safe façade the CLI, the web app and the tests drive every protocol through.

use super::metrics::Metrics;
use super::queue::Ev;
use super::state::{Parts, Shared};
use super::trace::{Trace, TraceMark};
use super::{Sim, Status};
use crate::ids::NodeId;
use crate::node::Node;
use crate::scenario::LinkSpec;
use crate::scenario::{Scenario, ScenarioError, ScenarioEvent, Timed};
use crate::time::SimTime;
use crate::view::{MsgView, TimerView, WorldView, TIMERS_SHOWN};
use serde::{Deserialize, Serialize};
use std::any::Any;

/// An invariant that did not hold, reported instead of panicking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub at: SimTime,
    pub rule: String,
    pub detail: String,
    /// The node that reported it; `None` for a rule the simulator checks across all nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeId>,
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
    /// Apply a fault or action now (a user's click; a session acts at whole milliseconds, which a
    /// link can name). It is also written into the script, so going back before it and playing
    /// again applies it again. Record it in the scenario too, for the link.
    fn inject(&mut self, ev: &ScenarioEvent) -> Result<(), ScenarioError>;
    /// Whether [`Simulation::inject`] would take `ev` now, without applying it: it names real
    /// nodes, and a `timeout` names a node whose election timer runs (up, not a leader).
    fn check_action(&self, ev: &ScenarioEvent) -> Result<(), ScenarioError>;
    /// Whether node `id` keeps an election timer a `timeout` can fire (a Raft server), whatever
    /// its state now: the inspector offers "Time out" only then.
    fn keeps_election_timer(&self, id: NodeId) -> bool;
    /// The settings node `id` lets a user change while it runs (see [`crate::node::Node::knobs`]).
    fn knobs(&self, id: NodeId) -> Vec<crate::node::Knob>;
    /// Discard scripted events after now (forking a new future from the past).
    fn fork(&mut self);
    /// Every scripted event in time order: the scenario's events and its chaos faults.
    fn script(&self) -> &[Timed];
    /// The whole world as plain data, for drawing. Message payloads are left out: formatting
    /// every one each frame costs milliseconds at a few thousand in flight; ask for one with
    /// [`Simulation::message_detail`].
    fn view(&self) -> WorldView;
    /// The payload of a message as its `Debug` text, for a hover label (see
    /// [`crate::readable::message`] for words): one in flight (or held), or one of the newest
    /// [`super::MESSAGES_KEPT`] sent, delivered or dropped since. `None` for an older one that has
    /// left the network, or an id never used. Formatted only when asked; a restored checkpoint
    /// answers as the run did at its time.
    fn message_detail(&self, id: u64) -> Option<String>;
    /// From now on keep every message sent, so [`Simulation::message_detail`] answers for all of
    /// them (an export's payloads); a watched run keeps only the newest.
    fn keep_every_message(&mut self);
    /// The operations node `id` takes by hand (see [`crate::node::Node::requests`]).
    fn requests(&self, id: NodeId) -> &'static [&'static str];
    /// The fields node `id`'s request `op` takes (see [`crate::node::Node::request_form`]).
    fn request_form(&self, id: NodeId, op: &str) -> crate::node::RequestForm;
    /// The network settings in force now on the link `from` → `to`.
    fn link(&self, from: NodeId, to: NodeId) -> LinkSpec;
    /// Every span the nodes keep (distributed tracing; empty for protocols that record none).
    fn spans(&self) -> Vec<crate::spans::Span>;
    fn metrics(&self) -> &Metrics;
    /// Client operations recorded by key-value protocols (empty for others).
    fn history(&self) -> &super::history::History;
    /// Whether this protocol's clients record a history at all (see [`crate::node::Node::KEEPS_HISTORY`]):
    /// known before the first operation, so a view of it can be offered from the start.
    fn keeps_history(&self) -> bool;
    fn violations(&self) -> &[Violation];
    fn invariants(&self) -> &'static [&'static str];
    /// The protocol's message kinds, in its fixed order (see [`crate::node::Kind::KINDS`]).
    fn message_kinds(&self) -> &'static [&'static str];
    /// Those of them this run's nodes can send (see [`crate::node::Node::kinds`]).
    fn sendable_kinds(&self) -> &[&'static str];
    /// Whether an answer can turn a request away (see [`crate::node::Kind::CAN_SAY_NO`]).
    fn can_say_no(&self) -> bool;
    /// A key of the history in words (see [`crate::node::Node::key_label`]).
    fn key_label(&self, key: u64) -> String;
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

/// A node's [`TIMERS_SHOWN`] soonest live timers, formatted, onto `out` (a paused node's due
/// timers wait in its stash and fire when it resumes: due now). Not generic, so one copy serves
/// every protocol.
fn soonest_timers(
    node: NodeId,
    now: SimTime,
    live: &mut dyn Iterator<Item = (&dyn std::fmt::Debug, SimTime)>,
    out: &mut Vec<TimerView>,
) {
    let mut all: Vec<(SimTime, usize, &dyn std::fmt::Debug)> =
        live.enumerate().map(|(k, (timer, at))| (at.max(now), k, timer)).collect();
    if all.len() > TIMERS_SHOWN {
        all.select_nth_unstable_by_key(TIMERS_SHOWN - 1, |&(at, k, _)| (at, k));
        all.truncate(TIMERS_SHOWN);
    }
    out.extend(all.into_iter().map(|(fires_at, _, timer)| TimerView {
        node,
        timer: format!("{timer:?}"),
        fires_at,
    }));
}

impl<N: Node> Simulation for Sim<N> {
    fn scenario(&self) -> &Scenario {
        &self.w.scenario
    }
    fn node_names(&self) -> &[String] {
        &self.w.names
    }
    fn now(&self) -> SimTime {
        self.w.sh.now
    }
    fn events(&self) -> u64 {
        self.w.sh.events
    }
    fn next_event_at(&self) -> Option<SimTime> {
        self.next_at().filter(|t| *t <= self.w.stop_at() && self.w.sh.halted.is_none())
    }
    fn step(&mut self) -> Option<SimTime> {
        self.step_one()
    }
    fn run_until(&mut self, t: SimTime) -> u64 {
        self.run_bounded(t, u64::MAX)
    }
    fn run_bounded(&mut self, t: SimTime, budget: u64) -> u64 {
        let t = t.min(self.w.stop_at());
        let start = self.w.sh.events;
        loop {
            if self.w.sh.events - start >= budget {
                // Out of budget: the clock stays at the last handled event.
                return self.w.sh.events - start;
            }
            match self.next_at() {
                // This may only skip stale timers and find nothing due by `t`: loop and look again.
                Some(at) if at <= t && self.w.sh.halted.is_none() => {
                    self.step_until(t);
                }
                _ => break,
            }
        }
        // Every event up to `t` is handled: the samples due by `t` (one at `t` included) are taken.
        let sh = &mut self.w.sh;
        if t >= sh.now && sh.halted.is_none() {
            sh.now = t;
            sh.metrics.advance_to(t);
        }
        sh.events - start
    }
    fn inject(&mut self, ev: &ScenarioEvent) -> Result<(), ScenarioError> {
        self.check_action(ev)?;
        self.apply_scenario_event(ev);
        self.w.record(ev);
        self.after_event();
        Ok(())
    }
    fn check_action(&self, ev: &ScenarioEvent) -> Result<(), ScenarioError> {
        self.w.check_event(ev)?;
        let closed = matches!(self.scenario().workload.arrival, crate::scenario::Arrival::Closed { .. });
        if closed && matches!(ev, ScenarioEvent::Surge { .. }) {
            return Err(ScenarioError::invalid("event", crate::scenario::CLOSED_LOOP_HAS_NO_RATE));
        }
        if let ScenarioEvent::Timeout { node } = ev {
            let id = self.w.by_name[node];
            if let Some(why) = self.time_out_refusal(id) {
                return Err(ScenarioError::invalid("event", why));
            }
        }
        if let Some(why) = self.refusal(ev) {
            return Err(ScenarioError::invalid("event", why));
        }
        // By hand, a message that already arrived is refused rather than noted as skipped.
        if let ScenarioEvent::LoseMessage { id } = ev {
            if self.on_wire(*id).is_none() {
                let at = self.w.sh.now.as_ms_f64() / 1000.0;
                let why = format!(
                    "message #{id} is not on the wire at {at:.3} s (it has arrived, was dropped, or was \
                     never sent): go back to a time its arrow is drawn and lose it there"
                );
                return Err(ScenarioError::invalid("event", why));
            }
        }
        Ok(())
    }
    fn knobs(&self, id: NodeId) -> Vec<crate::node::Knob> {
        self.p.nodes.get(id.index()).map(Node::knobs).unwrap_or_default()
    }
    fn keeps_election_timer(&self, id: NodeId) -> bool {
        let node = self.p.nodes.get(id.index());
        node.is_some_and(|n| !matches!(n.election_timer(), crate::node::ElectionTimer::None))
    }
    fn fork(&mut self) {
        self.w.fork();
    }
    fn script(&self) -> &[Timed] {
        &self.w.script
    }
    fn view(&self) -> WorldView {
        let (p, now) = (&self.p, self.w.sh.now);
        let mut in_flight = Vec::new();
        let stashed = p.stash.iter().flatten().map(|ev| (now, ev));
        for (at, ev) in p.queue.iter().map(|e| (e.at, &e.ev)).chain(stashed) {
            let (from, to, kind, id, sent, duplicate, says_no) = match ev {
                Ev::Deliver { from, to, msg, id, sent, dup } => {
                    use crate::node::Kind;
                    (from, to, msg.kind(), id, sent, *dup, msg.says_no())
                }
                Ev::Refusal { from, to, id, sent, .. } => (from, to, super::REFUSAL, id, sent, false, false),
                Ev::Timer { .. } => continue,
            };
            in_flight.push(MsgView {
                id: *id,
                from: *from,
                to: *to,
                kind: kind.to_string(),
                sent_at: *sent,
                deliver_at: at,
                duplicate,
                says_no,
            });
        }
        let mut timers = Vec::new();
        for (i, live) in p.timers.iter().enumerate() {
            let mut each = live.iter().map(|(t, &(_, at))| (t as &dyn std::fmt::Debug, at));
            soonest_timers(NodeId(i as u32), now, &mut each, &mut timers);
        }
        let pending = p.timers.iter().map(|live| live.len() as u32).collect();
        let mut nodes: Vec<_> = p.nodes.iter().map(Node::view).collect();
        // A paused node has not seen what reached it: its own count says 0 queued while hundreds
        // of calls wait at its door (review 51 C3: r4's db during its pause). Said beside it.
        for (v, stash) in nodes.iter_mut().zip(&p.stash) {
            let held = stash.iter().filter(|ev| !matches!(ev, Ev::Timer { .. })).count();
            if held > 0 {
                v.alerts.push(format!("{held} waiting"));
            }
        }
        self.w.view(nodes, in_flight, (timers, pending))
    }
    fn message_detail(&self, id: u64) -> Option<String> {
        if let Some(msg) = self.p.sent.get(id) {
            return Some(format!("{msg:?}"));
        }
        // Still on its way, but sent before the newest kept (a long delay, a paused receiver).
        let queued = self.p.queue.iter().map(|e| &e.ev);
        queued.chain(self.p.stash.iter().flatten()).find_map(|ev| match ev {
            Ev::Deliver { msg, id: i, .. } | Ev::Refusal { msg, id: i, .. } if *i == id => {
                Some(format!("{msg:?}"))
            }
            _ => None,
        })
    }
    fn keep_every_message(&mut self) {
        self.p.sent.keep_all();
    }
    fn requests(&self, id: NodeId) -> &'static [&'static str] {
        self.p.nodes.get(id.index()).map_or(&[], Node::requests)
    }
    fn request_form(&self, id: NodeId, op: &str) -> crate::node::RequestForm {
        self.p.nodes.get(id.index()).map(|n| n.request_form(op)).unwrap_or_default()
    }
    fn link(&self, from: NodeId, to: NodeId) -> LinkSpec {
        self.w.sh.net.link(from, to).clone()
    }
    fn spans(&self) -> Vec<crate::spans::Span> {
        let mut out = Vec::new();
        self.p.nodes.iter().for_each(|n| n.spans(&mut out));
        out
    }
    fn metrics(&self) -> &Metrics {
        &self.w.sh.metrics
    }
    fn keeps_history(&self) -> bool {
        N::KEEPS_HISTORY
    }
    fn history(&self) -> &super::history::History {
        &self.w.sh.history
    }
    fn violations(&self) -> &[Violation] {
        &self.w.sh.violations
    }
    fn invariants(&self) -> &'static [&'static str] {
        Sim::invariants(self)
    }
    fn message_kinds(&self) -> &'static [&'static str] {
        <N::Msg as crate::node::Kind>::KINDS
    }
    fn sendable_kinds(&self) -> &[&'static str] {
        Sim::sendable_kinds(self)
    }
    fn can_say_no(&self) -> bool {
        <N::Msg as crate::node::Kind>::CAN_SAY_NO
    }
    fn key_label(&self, key: u64) -> String {
        N::key_label(key)
    }
    fn trace(&self) -> &Trace {
        &self.w.trace
    }
    fn checkpoint(&self) -> Checkpoint {
        let state = Box::new((self.w.sh.clone(), self.p.clone()));
        Checkpoint { at: self.w.sh.now, state, mark: self.w.trace.mark() }
    }
    fn restore(&mut self, cp: &Checkpoint) -> bool {
        match cp.state.downcast_ref::<(Shared, Parts<N>)>() {
            Some((sh, p)) => {
                self.w.sh = sh.clone();
                self.p = p.clone();
                self.w.trace.rewind(cp.mark);
                true
            }
            None => false,
        }
    }
    fn halted(&self) -> Option<&str> {
        self.w.sh.halted.as_deref()
    }
    fn stop_at(&self) -> SimTime {
        self.w.stop_at()
    }
}

impl<N: Node> Sim<N> {
    /// Is this node up, down or paused?
    pub fn status(&self, i: usize) -> Status {
        self.w.sh.status[i]
    }
}
