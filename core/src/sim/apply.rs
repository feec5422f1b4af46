//! Applying what happens: a node's effects, and the scenario's faults and actions.

use super::queue::Ev;
use super::trace::TraceKind;
use super::{Fate, Sim, Status};
use crate::ids::NodeId;
use crate::node::{Effect, Node};
use crate::scenario::{ScenarioError, ScenarioEvent};
use crate::time::SimTime;

impl<N: Node> Sim<N> {
    pub(super) fn apply_effect(&mut self, from: NodeId, eff: Effect<N::Msg, N::Timer>) {
        match eff {
            Effect::Send { to, msg } => self.send(from, to, msg),
            Effect::SetTimer { timer, after } => {
                let i = from.index();
                let real = self.st.clocks[i].real_span(after.as_us());
                let real =
                    if self.st.slow_pct[i] == 100 { real } else { real * self.st.slow_pct[i] as u64 / 100 };
                let at = self.st.now + crate::time::SimDuration(real);
                let seq = self.st.seq;
                self.st.timers[i].insert(timer.clone(), seq);
                self.st.push(at, Ev::Timer { node: from, timer, gen: seq });
            }
            Effect::CancelTimer { timer } => {
                self.st.timers[from.index()].remove(&timer);
            }
            Effect::Note(text) => self.push_trace(TraceKind::Note, from, None, 0, "note", Some(text)),
            Effect::Clock(text) => self.push_trace(TraceKind::Note, from, None, 0, "clock", Some(text)),
            Effect::Violation { rule, detail } => self.record_violation(rule, detail, from),
            Effect::Inject(ev) => self.apply_scenario_event(&ev),
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: N::Msg) {
        if to.index() >= self.st.nodes.len() {
            self.push_trace(
                TraceKind::Note,
                from,
                None,
                0,
                "note",
                Some(format!("sent to unknown node {to}")),
            );
            return;
        }
        let id = self.st.next_msg;
        self.st.next_msg += 1;
        let kind = crate::node::Kind::kind(&msg);
        self.push_trace(TraceKind::Send, from, Some(to), id, kind, None);
        let slow = self.st.slow_pct[to.index()];
        match self.st.net.fate(from, to, slow) {
            Fate::Dropped(why) => {
                // Like a delivery, a drop names the receiver it was meant for as `node`.
                self.push_trace(TraceKind::Drop, to, Some(from), id, kind, Some(why.into()))
            }
            Fate::Arrives { latency_us, dup_latency_us } => {
                let now = self.st.now;
                if let Some(d) = dup_latency_us {
                    self.push_trace(TraceKind::Duplicate, from, Some(to), id, kind, None);
                    let ev = Ev::Deliver { from, to, msg: msg.clone(), id, sent: now, dup: true };
                    self.st.push(now + crate::time::SimDuration(d), ev);
                }
                let ev = Ev::Deliver { from, to, msg, id, sent: now, dup: false };
                self.st.push(now + crate::time::SimDuration(latency_us), ev);
            }
        }
    }

    fn id_of(&self, name: &str) -> Result<NodeId, ScenarioError> {
        self.by_name.get(name).copied().ok_or_else(|| super::unknown_node("event", name, &self.names))
    }

    fn ids_of(&self, names: &[String]) -> Result<Vec<NodeId>, ScenarioError> {
        names.iter().map(|n| self.id_of(n)).collect()
    }

    /// Check that an event names real nodes, without applying it.
    pub(super) fn check_event(&self, ev: &ScenarioEvent) -> Result<(), ScenarioError> {
        ev.node_names().into_iter().try_for_each(|n| self.id_of(n).map(|_| ()))
    }

    /// Apply a fault or action now. Names were checked when the scenario was built.
    pub(super) fn apply_scenario_event(&mut self, ev: &ScenarioEvent) {
        if let Err(e) = self.try_apply(ev) {
            self.push_trace(TraceKind::Note, NodeId(0), None, 0, "skipped", Some(e.to_string()));
        }
    }

    fn fault(&mut self, node: NodeId, label: &'static str, text: String) {
        self.push_trace(TraceKind::Fault, node, None, 0, label, Some(text));
    }

    fn try_apply(&mut self, ev: &ScenarioEvent) -> Result<(), ScenarioError> {
        use ScenarioEvent as E;
        let text = ev.describe();
        match ev {
            E::Crash { node } => {
                let id = self.id_of(node)?;
                self.fault(id, "crash", text);
                if self.st.status[id.index()] != Status::Down {
                    self.st.status[id.index()] = Status::Down;
                    self.st.timers[id.index()].clear();
                    self.st.stash[id.index()].clear();
                    self.st.nodes[id.index()].on_crash();
                }
            }
            E::Restart { node } => {
                let id = self.id_of(node)?;
                self.fault(id, "restart", text);
                if self.st.status[id.index()] == Status::Down {
                    self.st.status[id.index()] = Status::Up;
                    self.dispatch(id, |n, ctx| n.init(ctx));
                }
            }
            E::Pause { node } => {
                let id = self.id_of(node)?;
                self.fault(id, "pause", text);
                if self.st.status[id.index()] == Status::Up {
                    self.st.status[id.index()] = Status::Paused;
                }
            }
            E::Resume { node } => {
                let id = self.id_of(node)?;
                self.fault(id, "resume", text);
                if self.st.status[id.index()] == Status::Paused {
                    self.st.status[id.index()] = Status::Up;
                    let now = self.st.now;
                    for ev in std::mem::take(&mut self.st.stash[id.index()]) {
                        self.st.push(now, ev);
                    }
                }
            }
            E::Partition { groups } => {
                let ids = groups.iter().map(|g| self.ids_of(g)).collect::<Result<Vec<_>, _>>()?;
                self.fault(NodeId(0), "partition", text);
                self.st.net.partition(&ids);
            }
            E::Block { from, to } => {
                let (a, b) = (self.ids_of(from)?, self.ids_of(to)?);
                self.fault(NodeId(0), "block", text);
                for x in &a {
                    for y in &b {
                        self.st.net.blocked.insert((x.0, y.0));
                    }
                }
            }
            E::Heal => {
                self.fault(NodeId(0), "heal", text);
                self.st.net.heal();
            }
            E::Link { from, to, spec, both_ways } => {
                let all = |s: &Sim<N>, p: &str| -> Result<Vec<NodeId>, ScenarioError> {
                    if p == "*" {
                        Ok((0..s.st.nodes.len() as u32).map(NodeId).collect())
                    } else {
                        Ok(vec![s.id_of(p)?])
                    }
                };
                let (a, b) = (all(self, from)?, all(self, to)?);
                self.fault(NodeId(0), "link", text);
                for x in &a {
                    for y in &b {
                        self.st.net.overrides.insert((x.0, y.0), spec.clone());
                        if *both_ways {
                            self.st.net.overrides.insert((y.0, x.0), spec.clone());
                        }
                    }
                }
            }
            E::ResetLinks => {
                self.fault(NodeId(0), "reset_links", text);
                self.st.net.overrides.clear();
            }
            E::Slow { node, factor_pct } => {
                let id = self.id_of(node)?;
                self.fault(id, "slow", text);
                self.st.slow_pct[id.index()] = (*factor_pct).max(1);
            }
            E::ClockSkew { node, offset_us, drift_ppm } => {
                let id = self.id_of(node)?;
                self.fault(id, "clock_skew", text);
                self.st.clocks[id.index()] =
                    super::NodeClock { offset_us: *offset_us, drift_ppm: *drift_ppm };
            }
            E::Client { node, request } => {
                let id = self.id_of(node)?;
                self.push_trace(TraceKind::Client, id, None, 0, "client", Some(text));
                if self.st.status[id.index()] == Status::Up {
                    let req = request.clone();
                    self.dispatch(id, |n, ctx| n.on_client(ctx, &req));
                } else {
                    self.push_trace(TraceKind::Drop, id, None, 0, "client", Some("node not running".into()));
                }
            }
            E::Note { text } => {
                self.push_trace(TraceKind::Note, NodeId(0), None, 0, "note", Some(text.clone()))
            }
        }
        Ok(())
    }

    pub(super) fn now_time(&self) -> SimTime {
        self.st.now
    }
}
