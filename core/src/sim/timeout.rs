//! A node's election timer made to run out by hand (`timeout`, RaftScope's "time out"): an
//! election on demand, and a split vote when two run out at one instant. The protocol says which
//! timer that is ([`Node::election_timer`]); the simulator fires it as if its time had come.

use super::queue::Ev;
use super::trace::TraceKind;
use super::{Input, Sim, Status};
use crate::ids::NodeId;
use crate::node::{ElectionTimer, Node};
use crate::scenario::{Scenario, ScenarioError, ScenarioEvent};

impl<N: Node> Sim<N> {
    /// Refuse, when the scenario is built, a scripted `timeout` of a node that keeps no election
    /// timer: a silent no-op would leave a teacher wondering why no election came.
    pub(super) fn check_timeouts(&self, scenario: &Scenario) -> Result<(), ScenarioError> {
        for (i, e) in scenario.events.iter().enumerate() {
            if let ScenarioEvent::Timeout { node } = &e.event {
                let id = self.w.by_name.get(node).copied().unwrap_or(NodeId(0));
                if let Some(why) = self.never_times_out(id, node) {
                    return Err(ScenarioError::invalid(format!("events[{i}].event"), why));
                }
            }
        }
        Ok(())
    }

    /// Why `node` (`id`) can never be timed out, if it cannot: its protocol keeps no election
    /// timer anywhere, or this node (a client) keeps none.
    fn never_times_out(&self, id: NodeId, node: &str) -> Option<String> {
        let none = |n: &N| matches!(n.election_timer(), ElectionTimer::None);
        if self.p.nodes.iter().all(none) {
            // The node, not the protocol's internal name (review 52: "load_balancing's nodes").
            return Some(format!("{node} cannot be timed out: no node here keeps an election timer"));
        }
        let theirs = self.p.nodes.get(id.index()).is_none_or(none);
        theirs.then(|| format!("{node} cannot be timed out: it has no election timer"))
    }

    /// Why a `timeout` of `id` cannot be done now, if it cannot (a click: the button and the key
    /// say so instead of doing nothing).
    pub(super) fn time_out_refusal(&self, id: NodeId) -> Option<String> {
        let node = self.w.names.get(id.index())?;
        if let Some(why) = self.never_times_out(id, node) {
            return Some(why);
        }
        if self.w.sh.status[id.index()] == Status::Down {
            return Some(format!("{node} cannot be timed out: it is down"));
        }
        match self.p.nodes[id.index()].election_timer() {
            ElectionTimer::Idle(why) => Some(format!("{node} cannot be timed out: it {why}")),
            ElectionTimer::None | ElectionTimer::Running(_) => None,
        }
    }

    /// Fire `id`'s election timer now (the node is up or paused). The timer it had pending goes
    /// stale, as when a node sets a timer again. A paused node notices when it resumes, as it
    /// would its own timer.
    pub(super) fn time_out(&mut self, id: NodeId) {
        let i = id.index();
        let timer = match self.p.nodes[i].election_timer() {
            ElectionTimer::Running(timer) => timer,
            ElectionTimer::Idle(why) => {
                let said = format!("{} {why}", self.w.names[i]);
                return self.w.push_trace(TraceKind::Note, id, None, 0, "note", Some(said));
            }
            ElectionTimer::None => {
                let said = format!("{} has no election timer", self.w.names[i]);
                return self.w.push_trace(TraceKind::Note, id, None, 0, super::trace::SKIPPED, Some(said));
            }
        };
        let now = self.w.sh.now;
        if self.w.sh.status[i] == Status::Paused {
            let gen = self.w.sh.seq;
            if self.p.timers[i].insert(timer.clone(), (gen, now)).is_some() {
                self.p.stale += 1;
            }
            self.p.push(&mut self.w.sh.seq, now, Ev::Timer { node: id, timer, gen });
            return;
        }
        if self.p.timers[i].remove(&timer).is_some() {
            self.p.stale += 1;
        }
        self.w.push_trace(TraceKind::Timer, id, None, 0, crate::node::Kind::kind(&timer), None);
        self.dispatch(id, Input::Timer(timer));
    }
}
