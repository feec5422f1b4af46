//! The deterministic discrete-event simulator.
//!
//! One loop: pop the earliest event (by `(time, seq)`), hand it to its node, apply the effects the
//! node recorded (sample the network for each send, schedule timers), trace everything, check the
//! protocol's invariants. Scripted scenario events at time `t` run after every queued event at `t`,
//! which is exactly when a user's click at `t` would run, so a live session and its link replay
//! identically. The simulator owns time, the network, faults and randomness; nodes only compute.

mod apply;
mod facade;
pub mod history;
pub mod metrics;
mod network;
mod queue;
mod state;
pub mod trace;

pub use facade::{Checkpoint, Simulation, Violation};
pub use network::{Fate, NetState};
pub use state::{NodeClock, Status};

use crate::ids::NodeId;
use crate::node::{Ctx, Effect, Node};
use crate::rng::{Purpose, Rng};
use crate::scenario::{Scenario, ScenarioError, Timed};
use crate::time::SimTime;
use metrics::Metrics;
use queue::{Entry, Ev};
use state::State;
use std::collections::{BTreeMap, BinaryHeap};
use trace::{Trace, TraceEvent, TraceKind};

/// Most events waiting in the queue before the run halts with an explanation.
pub const MAX_QUEUE: usize = 4_000_000;
const MAX_VIOLATIONS: usize = 10_000;

/// A simulation of one protocol's nodes.
#[derive(Debug)]
pub struct Sim<N: Node> {
    st: State<N>,
    trace: Trace,
    scenario: Scenario,
    names: Vec<String>,
    by_name: BTreeMap<String, NodeId>,
    scratch: Vec<Effect<N::Msg, N::Timer>>,
    found: Vec<(&'static str, String)>,
}

impl<N: Node> Sim<N> {
    /// Build from a validated scenario and the protocol's nodes (with their names).
    pub fn new(scenario: &Scenario, named: Vec<(String, N)>) -> Result<Self, ScenarioError> {
        let n = named.len();
        let by_name: BTreeMap<String, NodeId> =
            named.iter().enumerate().map(|(i, (s, _))| (s.clone(), NodeId(i as u32))).collect();
        if by_name.len() != n {
            return Err(ScenarioError::invalid("protocol", "two nodes have the same name"));
        }
        let names: Vec<String> = named.iter().map(|(s, _)| s.clone()).collect();
        let nodes: Vec<N> = named.into_iter().map(|(_, node)| node).collect();
        let net = state::build_network(scenario, &by_name, n)?;
        for (i, e) in scenario.events.iter().enumerate() {
            for name in e.event.node_names() {
                if !by_name.contains_key(name) {
                    return Err(unknown_node(&format!("events[{i}].event"), name, &names));
                }
            }
        }
        let script = with_chaos(scenario, &names, &by_name)?;
        let seed = scenario.seed;
        let interval = scenario.sim.metrics_interval_ms * 1000;
        let st = State {
            now: SimTime::ZERO,
            seq: 0,
            events: 0,
            next_msg: 1,
            queue: BinaryHeap::new(),
            nodes,
            status: vec![Status::Up; n],
            rngs: (0..n as u64).map(|i| Rng::stream(seed, Purpose::Node, i)).collect(),
            timers: vec![BTreeMap::new(); n],
            stash: vec![Vec::new(); n],
            clocks: vec![NodeClock::default(); n],
            slow_pct: vec![100; n],
            net,
            metrics: Metrics::new(interval, scenario.stop_at_ms * 1000),
            history: history::History::default(),
            violations: Vec::new(),
            active_rules: Vec::new(),
            script,
            script_pos: 0,
            halted: None,
        };
        let cap = scenario.sim.trace_capacity as usize;
        let mut sim = Sim {
            st,
            trace: Trace::new(cap, true),
            scenario: scenario.clone(),
            names,
            by_name,
            scratch: Vec::new(),
            found: Vec::new(),
        };
        for i in 0..n {
            sim.dispatch(NodeId(i as u32), |node, ctx| node.init(ctx));
        }
        Ok(sim)
    }

    pub fn nodes(&self) -> &[N] {
        &self.st.nodes
    }

    fn stop_at(&self) -> SimTime {
        SimTime::from_ms(self.scenario.stop_at_ms)
    }

    fn script_at(&self) -> Option<SimTime> {
        self.st.script.get(self.st.script_pos).map(|t: &Timed| SimTime::from_ms(t.at_ms))
    }

    /// Time of the next thing to happen, scripted or queued.
    fn next_at(&self) -> Option<SimTime> {
        let q = self.st.queue.peek().map(|e| e.at);
        match (q, self.script_at()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Run one event (skipping stale timers). Returns its time, or `None` when nothing is left
    /// before the stop time (or the run halted).
    pub fn step_one(&mut self) -> Option<SimTime> {
        self.step_until(self.stop_at())
    }

    /// Like `step_one`, but never handles an event after `limit` (stale timers before it are
    /// skipped silently; what comes after them waits for the next call).
    pub fn step_until(&mut self, limit: SimTime) -> Option<SimTime> {
        let limit = limit.min(self.stop_at());
        loop {
            if self.st.halted.is_some() {
                return None;
            }
            let at = self.next_at()?;
            if at > limit {
                return None;
            }
            self.st.metrics.advance_to(at);
            self.st.now = at;
            let q_at = self.st.queue.peek().map(|e| e.at);
            let scripted = match (q_at, self.script_at()) {
                (Some(q), Some(s)) => s < q,
                (None, Some(_)) => true,
                _ => false,
            };
            if scripted {
                let ev = self.st.script[self.st.script_pos].event.clone();
                self.st.script_pos += 1;
                self.apply_scenario_event(&ev);
                self.after_event();
                return Some(at);
            }
            let entry = self.st.queue.pop()?;
            if self.handle(entry) {
                self.after_event();
                return Some(at);
            }
        }
    }

    fn after_event(&mut self) {
        self.st.events += 1;
        if N::invariants().is_empty() {
        } else {
            self.check_invariants();
        }
        if self.st.events >= self.scenario.sim.max_events {
            self.halt(format!("stopped after {} events (sim.max_events)", self.st.events));
        } else if self.st.queue.len() > MAX_QUEUE {
            self.halt(format!(
                "stopped: {MAX_QUEUE} events waiting; the scenario overloads the simulator (lower the request rate or the run time)"
            ));
        }
    }

    fn halt(&mut self, why: String) {
        self.push_trace(TraceKind::Note, NodeId(0), None, 0, "halted", Some(why.clone()));
        self.st.halted = Some(why);
    }

    /// Handle a popped entry; `false` if it was stale (a cancelled or replaced timer).
    fn handle(&mut self, entry: Entry<N::Msg, N::Timer>) -> bool {
        let node = entry.ev.node();
        match self.st.status[node.index()] {
            Status::Paused => {
                self.st.stash[node.index()].push(entry.ev);
                return true;
            }
            Status::Down => {
                if let Ev::Deliver { from, to, msg, id, .. } = entry.ev {
                    self.push_trace(
                        TraceKind::Drop,
                        to,
                        Some(from),
                        id,
                        msg_kind::<N>(&msg),
                        Some("node down".into()),
                    );
                    return true;
                }
                return false;
            }
            Status::Up => {}
        }
        self.run_ev(entry.ev)
    }

    fn run_ev(&mut self, ev: Ev<N::Msg, N::Timer>) -> bool {
        match ev {
            Ev::Deliver { from, to, msg, id, .. } => {
                if self.st.net.is_cut(from, to) {
                    self.push_trace(
                        TraceKind::Drop,
                        to,
                        Some(from),
                        id,
                        msg_kind::<N>(&msg),
                        Some("partitioned".into()),
                    );
                    return true;
                }
                self.push_trace(TraceKind::Deliver, to, Some(from), id, msg_kind::<N>(&msg), None);
                self.dispatch(to, |node, ctx| node.on_message(ctx, from, msg));
                true
            }
            Ev::Timer { node, timer, gen } => {
                let timers = &mut self.st.timers[node.index()];
                if timers.get(&timer) != Some(&gen) {
                    return false;
                }
                timers.remove(&timer);
                self.push_trace(TraceKind::Timer, node, None, 0, timer_kind::<N>(&timer), None);
                self.dispatch(node, |n, ctx| n.on_timer(ctx, timer));
                true
            }
        }
    }

    /// Call a handler on one node with a fresh context, then apply its effects.
    fn dispatch(&mut self, id: NodeId, f: impl FnOnce(&mut N, &mut Ctx<'_, N::Msg, N::Timer>)) {
        let i = id.index();
        let st = &mut self.st;
        let local = st.clocks[i].local(st.now);
        let mut out = std::mem::take(&mut self.scratch);
        {
            let mut ctx = Ctx::new(
                id,
                (st.now, local),
                st.nodes.len() as u32,
                &mut st.rngs[i],
                (&mut st.metrics, &mut st.history),
                &mut out,
            );
            f(&mut st.nodes[i], &mut ctx);
        }
        for eff in out.drain(..) {
            self.apply_effect(id, eff);
        }
        self.scratch = out;
    }

    fn check_invariants(&mut self) {
        let up: Vec<bool> = self.st.status.iter().map(|s| *s != Status::Down).collect();
        let mut found = std::mem::take(&mut self.found);
        found.clear();
        N::check(&self.st.nodes, &up, &mut found);
        let now_rules: Vec<&'static str> = found.iter().map(|(r, _)| *r).collect();
        for (rule, detail) in found.drain(..) {
            if !self.st.active_rules.contains(&rule) {
                self.record_violation(rule, detail, NodeId(0));
            }
        }
        self.st.active_rules = now_rules;
        self.found = found;
    }

    fn record_violation(&mut self, rule: &'static str, detail: String, node: NodeId) {
        if self.st.violations.len() < MAX_VIOLATIONS {
            self.push_trace(TraceKind::Violation, node, None, 0, rule, Some(detail.clone()));
            self.st.violations.push(Violation { at: self.st.now, rule: rule.to_string(), detail });
        }
    }

    fn push_trace(
        &mut self,
        kind: TraceKind,
        node: NodeId,
        peer: Option<NodeId>,
        msg: u64,
        label: &'static str,
        text: Option<String>,
    ) {
        self.trace.push(TraceEvent {
            at: self.st.now,
            kind,
            node,
            peer,
            msg,
            label,
            text: text.map(String::into_boxed_str),
        });
    }
}

/// The scripted events, merged with the faults of the scenario's chaos section (R6) if it has one.
/// Sorted by time, stably: events listed out of order still run at their own time, and at equal
/// times they keep their listed order (the scenario's own events before chaos faults).
fn with_chaos(
    sc: &Scenario,
    names: &[String],
    by_name: &BTreeMap<String, NodeId>,
) -> Result<Vec<Timed>, ScenarioError> {
    let Some(chaos) = &sc.chaos else {
        let mut events = sc.events.clone();
        events.sort_by_key(|e| e.at_ms);
        return Ok(events);
    };
    for name in &chaos.targets {
        if !by_name.contains_key(name) {
            return Err(unknown_node("chaos.targets", name, names));
        }
    }
    let faults = chaos.expand(sc.seed, sc.stop_at_ms, names, &sc.network.default_link);
    let mut all: Vec<Timed> = sc.events.iter().cloned().chain(faults).collect();
    all.sort_by_key(|e| e.at_ms);
    Ok(all)
}

fn msg_kind<N: Node>(m: &N::Msg) -> &'static str {
    crate::node::Kind::kind(m)
}
fn timer_kind<N: Node>(t: &N::Timer) -> &'static str {
    crate::node::Kind::kind(t)
}

pub(crate) fn unknown_node(field: &str, name: &str, names: &[String]) -> ScenarioError {
    let shown: Vec<&str> = names.iter().take(12).map(String::as_str).collect();
    let more = if names.len() > 12 { ", …" } else { "" };
    ScenarioError::invalid(field, format!("no node named {name:?}; nodes are {}{more}", shown.join(", ")))
}
