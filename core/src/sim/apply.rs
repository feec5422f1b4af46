//! Applying what happens to the protocol's nodes: a handler's effects, and the node side of a fault
//! or action (the shared side is in `world.rs`).

use super::queue::Ev;
use super::trace::TraceKind;
use super::world::NodeOp;
use super::{Input, Sim};
use crate::ids::NodeId;
use crate::node::{Effect, Node};
use crate::scenario::ScenarioEvent;
use crate::time::SimDuration;

impl<N: Node> Sim<N> {
    pub(super) fn apply_effect(&mut self, from: NodeId, eff: Effect<N::Msg, N::Timer>) {
        match eff {
            Effect::Send { to, msg } => self.send(from, to, msg),
            Effect::SetTimer { timer, after } => {
                let at = self.w.sh.now + SimDuration(self.w.sh.real_delay(from, after));
                let seq = self.w.sh.seq;
                if self.p.timers[from.index()].insert(timer.clone(), (seq, at)).is_some() {
                    self.p.stale += 1; // the replaced one's entry
                }
                self.p.push(&mut self.w.sh.seq, at, Ev::Timer { node: from, timer, gen: seq });
            }
            Effect::CancelTimer { timer } => {
                if self.p.timers[from.index()].remove(&timer).is_some() {
                    self.p.stale += 1;
                }
            }
            Effect::Note(text) => self.w.push_trace(TraceKind::Note, from, None, 0, "note", Some(text)),
            Effect::Clock(text) => self.w.push_trace(TraceKind::Note, from, None, 0, "clock", Some(text)),
            Effect::Violation { rule, detail } => self.w.record_violation(rule, detail, Some(from)),
            Effect::Inject(ev) => self.apply_scenario_event(&ev),
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: N::Msg) {
        let kind = crate::node::Kind::kind(&msg);
        let Some((id, fate)) = self.w.send(from, to, kind) else { return };
        // Kept whatever its fate, so a dropped message can be described too.
        self.p.sent.keep(id, &msg);
        let Some((latency_us, dup_latency_us)) = fate else { return };
        let now = self.w.sh.now;
        if let Some(d) = dup_latency_us {
            let ev = Ev::Deliver { from, to, msg: msg.clone(), id, sent: now, dup: true };
            self.p.push(&mut self.w.sh.seq, now + SimDuration(d), ev);
        }
        let ev = Ev::Deliver { from, to, msg, id, sent: now, dup: false };
        self.p.push(&mut self.w.sh.seq, now + SimDuration(latency_us), ev);
    }

    /// Apply a fault or action now. Names were checked when the scenario was built.
    pub(super) fn apply_scenario_event(&mut self, ev: &ScenarioEvent) {
        match self.w.apply(ev) {
            NodeOp::None => {}
            NodeOp::Crash(id) => {
                let i = id.index();
                self.p.stale += self.p.timers[i].len();
                self.p.timers[i].clear();
                // Its stash goes too, stale entries and all.
                let stashed = std::mem::take(&mut self.p.stash[i]);
                let dead = stashed.iter().filter(|ev| matches!(ev, Ev::Timer { .. })).count();
                self.p.stale -= dead;
                self.p.nodes[i].on_crash();
            }
            NodeOp::Init(id) => self.dispatch(id, Input::Init),
            NodeOp::Resume(id) => {
                let now = self.w.sh.now;
                for ev in std::mem::take(&mut self.p.stash[id.index()]) {
                    self.p.push(&mut self.w.sh.seq, now, ev);
                }
            }
            NodeOp::Client(id, req) => self.dispatch(id, Input::Client(&req)),
            NodeOp::TimeOut(id) => self.time_out(id),
            NodeOp::Tune(id, knob, to) => self.dispatch(id, Input::Tune(&knob, &to)),
            NodeOp::Lose(id) => {
                let on_wire = self.on_wire(id);
                self.w.lose(id, on_wire);
            }
        }
    }

    /// Message `id` if it is on the wire now (queued for delivery, or held for a paused node):
    /// who sent it, to whom, and its kind. Only the finding is typed (the queue holds the
    /// protocol's messages); what is done with it is the world's, compiled once rather than once
    /// per protocol.
    pub(super) fn on_wire(&self, id: u64) -> Option<(NodeId, NodeId, &'static str)> {
        let mut queued = self.p.queue.iter().map(|e| &e.ev).chain(self.p.stash.iter().flatten());
        queued.find_map(|ev| match ev {
            Ev::Deliver { from, to, msg, id: i, .. } if *i == id => {
                Some((*from, *to, crate::node::Kind::kind(msg)))
            }
            Ev::Refusal { from, to, id: i, .. } if *i == id => Some((*from, *to, super::REFUSAL)),
            _ => None,
        })
    }
}
