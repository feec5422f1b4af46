//! The deterministic discrete-event simulator.
//!
//! One loop: pop the earliest event (by `(time, seq)`), hand it to its node, apply the effects the
//! node recorded (sample the network for each send, schedule timers), trace everything, check the
//! protocol's invariants. Scripted scenario events at time `t` run after every queued event at `t`,
//! which is exactly when a user's click at `t` would run, so a live session and its link replay
//! identically. The simulator owns time, the network, faults and randomness; nodes only compute.
//!
//! A crashed node is silent: what reaches it is dropped and its senders hear nothing. A node
//! crashed *refusing* (`crash_refusing`: the process is gone, its host is up) drops it too, but
//! its host answers with a reset ([`REFUSAL`]), one network hop back, and the sender's
//! [`Node::on_refused`] runs when that arrives.

mod apply;
pub mod causality;
mod facade;
pub mod history;
pub mod metrics;
mod network;
mod queue;
mod recent;
#[cfg(test)]
mod refusal_tests;
mod state;
mod timeout;
pub mod trace;
mod tune;
mod world;

pub use facade::{Checkpoint, Simulation, Violation};
pub use network::{Fate, NetState};
pub use recent::KEPT as MESSAGES_KEPT;
pub use state::{NodeClock, Status};

use crate::ids::NodeId;
use crate::node::{Ctx, Effect, Node};
use crate::scenario::{Scenario, ScenarioError};
use crate::time::SimTime;
use queue::{Entry, Ev};
use state::Parts;
use trace::TraceKind;
use world::World;

/// The label of the reset a node crashed refusing connections sends back for each message that
/// reaches it (a TCP RST): the trace shows it sent and delivered like a message. Not a kind of any
/// protocol: the simulator sends it, not a node.
pub const REFUSAL: &str = "RST";

/// Why a message was dropped, in its trace record, when a node crashed refusing connections
/// turned it away: it reached the node (a reset goes back), unlike one lost or cut off.
pub const REFUSED: &str = "refused";

/// Most events waiting in the queue before the run halts with an explanation.
pub const MAX_QUEUE: usize = 4_000_000;
const MAX_VIOLATIONS: usize = 10_000;

/// A simulation of one protocol's nodes: the typed parts (nodes, queue, timers) here, the rest in
/// a [`World`] shared by every protocol.
#[derive(Debug)]
pub struct Sim<N: Node> {
    w: World,
    p: Parts<N>,
    scratch: Vec<Effect<N::Msg, N::Timer>>,
    /// Buffers of the invariant check: which nodes are up, and the rules found broken.
    checking: (Vec<bool>, Vec<(&'static str, String)>),
    /// What this run checks, asked of the protocol once (the node set never changes).
    invariants: &'static [&'static str],
    /// The message kinds its nodes can send (see [`Node::kinds`]), asked once likewise.
    kinds: Vec<&'static str>,
}

impl<N: Node> Sim<N> {
    /// Build from a validated scenario and the protocol's nodes (with their names).
    pub fn new(scenario: &Scenario, named: Vec<(String, N)>) -> Result<Self, ScenarioError> {
        let (names, nodes): (Vec<String>, Vec<N>) = named.into_iter().unzip();
        let w = World::new(scenario, names)?;
        let (invariants, mut kinds) = (N::invariants(&nodes), N::kinds(&nodes));
        // A scripted refusing crash sends resets: the legend lists them with the protocol's kinds.
        if scenario.crashes_refusing() {
            kinds.push(REFUSAL);
        }
        let p = Parts::new(nodes);
        let mut sim = Sim { w, p, scratch: Vec::new(), checking: Default::default(), invariants, kinds };
        sim.check_timeouts(scenario)?;
        sim.check_tunes(scenario)?;
        for i in 0..sim.p.nodes.len() {
            sim.dispatch(NodeId(i as u32), Input::Init);
        }
        Ok(sim)
    }

    /// The invariants this run checks (for the ✓/✗ panel).
    pub fn invariants(&self) -> &'static [&'static str] {
        self.invariants
    }

    /// The message kinds this run's nodes can send (see [`Node::kinds`]).
    pub fn sendable_kinds(&self) -> &[&'static str] {
        &self.kinds
    }

    pub fn nodes(&self) -> &[N] {
        &self.p.nodes
    }

    fn queued_at(&self) -> Option<SimTime> {
        self.p.queue.peek().map(|e| e.at)
    }

    /// Time of the next thing to happen, scripted or queued.
    fn next_at(&self) -> Option<SimTime> {
        self.w.next_at(self.queued_at())
    }

    /// Run one event (skipping stale timers). Returns its time, or `None` when nothing is left
    /// before the stop time (or the run halted).
    pub fn step_one(&mut self) -> Option<SimTime> {
        self.step_until(self.w.stop_at())
    }

    /// Like `step_one`, but never handles an event after `limit` (stale timers before it are
    /// skipped silently; what comes after them waits for the next call).
    pub fn step_until(&mut self, limit: SimTime) -> Option<SimTime> {
        let limit = limit.min(self.w.stop_at());
        loop {
            if self.w.sh.halted.is_some() {
                return None;
            }
            let at = self.next_at()?;
            if at > limit {
                return None;
            }
            self.w.sh.metrics.advance_before(at);
            self.w.sh.now = at;
            if let Some(ev) = self.w.take_scripted(self.queued_at()) {
                self.apply_scenario_event(&ev);
                self.after_event();
                return Some(at);
            }
            let entry = self.p.queue.pop()?;
            if self.handle(entry) {
                self.after_event();
                return Some(at);
            }
        }
    }

    fn after_event(&mut self) {
        if N::GLOBAL_CHECK {
            self.check_invariants();
        }
        self.p.compact();
        self.w.check_limits(self.p.queue.len());
    }

    /// Handle a popped entry; `false` if it was stale (a cancelled or replaced timer).
    fn handle(&mut self, entry: Entry<N::Msg, N::Timer>) -> bool {
        let node = entry.ev.node();
        if let Ev::Timer { node, timer, gen } = &entry.ev {
            if !self.p.is_live(*node, timer, *gen) {
                // Cancelled or replaced: nothing happens, whatever the node's state.
                self.p.stale -= 1;
                return false;
            }
        }
        let lost = match &entry.ev {
            Ev::Deliver { from, to, msg, id, .. } => self.w.drops_lost(*id, *from, *to, msg_kind::<N>(msg)),
            Ev::Refusal { from, to, id, .. } => self.w.drops_lost(*id, *from, *to, REFUSAL),
            Ev::Timer { .. } => false,
        };
        if lost {
            return true;
        }
        match self.w.sh.status[node.index()] {
            Status::Paused => {
                self.p.stash[node.index()].push(entry.ev);
                return true;
            }
            Status::Down => {
                match entry.ev {
                    Ev::Deliver { from, to, msg, id, .. } => {
                        let kind = msg_kind::<N>(&msg);
                        if self.w.sh.refusing[to.index()] && !self.w.sh.net.is_cut(from, to) {
                            self.refuse(to, from, msg, id);
                        } else {
                            let why = Some("node down".into());
                            self.w.push_trace(TraceKind::Drop, to, Some(from), id, kind, why);
                        }
                    }
                    Ev::Refusal { from, to, id, .. } => {
                        let why = Some("node down".into());
                        self.w.push_trace(TraceKind::Drop, to, Some(from), id, REFUSAL, why);
                    }
                    Ev::Timer { .. } => return false,
                }
                return true;
            }
            Status::Up => {}
        }
        self.run_ev(entry.ev)
    }

    fn run_ev(&mut self, ev: Ev<N::Msg, N::Timer>) -> bool {
        let (node, input) = match ev {
            Ev::Deliver { from, to, msg, id, .. } => {
                let kind = msg_kind::<N>(&msg);
                if self.w.sh.net.is_cut(from, to) {
                    self.w.push_trace(TraceKind::Drop, to, Some(from), id, kind, Some("partitioned".into()));
                    return true;
                }
                self.w.push_trace(TraceKind::Deliver, to, Some(from), id, kind, None);
                (to, Input::Message(from, msg))
            }
            Ev::Refusal { from, to, msg, id, .. } => {
                if self.w.sh.net.is_cut(from, to) {
                    self.w.push_trace(
                        TraceKind::Drop,
                        to,
                        Some(from),
                        id,
                        REFUSAL,
                        Some("partitioned".into()),
                    );
                    return true;
                }
                self.w.push_trace(TraceKind::Deliver, to, Some(from), id, REFUSAL, None);
                (to, Input::Refused(from, msg))
            }
            Ev::Timer { node, timer, .. } => {
                // `handle` skipped it if it was stale.
                self.p.timers[node.index()].remove(&timer);
                self.w.push_trace(TraceKind::Timer, node, None, 0, timer_kind::<N>(&timer), None);
                (node, Input::Timer(timer))
            }
        };
        self.dispatch(node, input);
        true
    }

    /// Call the handler for `input` on one node with a fresh context, then apply its effects.
    /// One function for every kind of input, not one per call site: the context set-up and the
    /// effect loop are compiled once per protocol instead of five times.
    fn dispatch(&mut self, id: NodeId, input: Input<'_, N>) {
        let i = id.index();
        let sh = &mut self.w.sh;
        let local = sh.clocks[i].local(sh.now);
        let load = sh.load_pct();
        let mut out = std::mem::take(&mut self.scratch);
        {
            let mut ctx = Ctx::new(
                id,
                (sh.now, local),
                self.p.nodes.len() as u32,
                &mut sh.rngs[i],
                (&mut sh.metrics, &mut sh.history),
                &mut out,
            )
            .with_load(load);
            let node = &mut self.p.nodes[i];
            match input {
                Input::Init => node.init(&mut ctx),
                Input::Message(from, msg) => node.on_message(&mut ctx, from, msg),
                Input::Refused(to, msg) => node.on_refused(&mut ctx, to, msg),
                Input::Timer(timer) => node.on_timer(&mut ctx, timer),
                Input::Client(req) => node.on_client(&mut ctx, req),
                Input::Tune(knob, to) => node.on_tune(&mut ctx, knob, to),
            }
        }
        for eff in out.drain(..) {
            self.apply_effect(id, eff);
        }
        self.scratch = out;
    }

    /// `msg` from `sender` reached `dead`, crashed refusing connections: the drop and the reset
    /// are traced, and the reset is on its way back unless the network stops it.
    fn refuse(&mut self, dead: NodeId, sender: NodeId, msg: N::Msg, id: u64) {
        let (rst, arrives) = self.w.refuse(dead, sender, id, msg_kind::<N>(&msg));
        // Kept under the reset's id too: asked what the reset was, the run says what it refused.
        self.p.sent.keep(rst, &msg);
        if let Some(latency_us) = arrives {
            let now = self.w.sh.now;
            let ev = Ev::Refusal { from: dead, to: sender, msg, id: rst, sent: now };
            self.p.push(&mut self.w.sh.seq, now + crate::time::SimDuration(latency_us), ev);
        }
    }

    /// After every event of a protocol with invariants: reuses its buffers, allocates nothing.
    fn check_invariants(&mut self) {
        let (mut up, mut found) = std::mem::take(&mut self.checking);
        up.clear();
        up.extend(self.w.sh.status.iter().map(|s| *s != Status::Down));
        found.clear();
        N::check(&self.p.nodes, &up, &mut found);
        self.w.record_broken(&mut found);
        self.checking = (up, found);
    }
}

/// What a node's handler is called with.
enum Input<'a, N: Node> {
    Init,
    Message(NodeId, N::Msg),
    /// The reset for a message sent to this node, who refused it.
    Refused(NodeId, N::Msg),
    Timer(N::Timer),
    Client(&'a crate::node::ClientRequest),
    /// A knob set: `(knob, to)`, checked against the node's knobs.
    Tune(&'a str, &'a str),
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

#[cfg(test)]
mod tests {
    use super::state::COMPACT_AT;
    use super::*;
    use crate::protocols::{lb, ProtocolConfig};
    use crate::time::SimTime;

    /// Stale timer entries, counted the slow way.
    fn stale_by_hand<N: Node>(p: &Parts<N>) -> usize {
        let queued = p.queue.iter().map(|e| &e.ev);
        queued
            .chain(p.stash.iter().flatten())
            .filter(|ev| matches!(ev, Ev::Timer { node, timer, gen } if !p.is_live(*node, timer, *gen)))
            .count()
    }

    /// A rule newly broken in several places at one instant is one violation that says how many;
    /// while it stays broken it is not counted again (review 49 C4).
    #[test]
    fn a_rule_broken_in_several_places_at_once_is_one_violation() {
        let sc = crate::presets::get("d4-raft-election").expect("preset");
        let names = (1..=5).map(|i| format!("n{i}")).collect();
        let mut w = world::World::new(&sc, names).expect("world");
        let mut found = vec![("r", "a".to_string()), ("r", "b".to_string()), ("s", "c".to_string())];
        w.record_broken(&mut found);
        let said: Vec<(&str, &str)> =
            w.sh.violations.iter().map(|v| (v.rule.as_str(), v.detail.as_str())).collect();
        assert_eq!(said, [("r", "a (one of 2 found at this instant)"), ("s", "c")]);
        w.record_broken(&mut vec![("r", "a".to_string())]);
        assert_eq!(w.sh.violations.len(), 2, "r was broken already");
    }

    #[test]
    fn cancelled_timeouts_are_counted_and_compacted_away() {
        // Every request sets a 2 s timeout and cancels it when answered: at 60,000 requests/s the
        // queue would fill with dead entries.
        let mut sc = crate::presets::get("t1-round-robin").expect("preset");
        sc.workload.arrival = crate::scenario::Arrival::Open { rate_per_s: 60_000 };
        sc.events.clear();
        let ProtocolConfig::LoadBalancing(cfg) = &sc.protocol else { panic!("an LB preset") };
        let mut sim = Sim::new(&sc, lb::build(&sc, cfg)).expect("sim");
        let mut shrank = false;
        let mut before = 0;
        for ms in (100..=1_500).step_by(100) {
            sim.run_until(SimTime::from_ms(ms));
            assert_eq!(sim.p.stale, stale_by_hand(&sim.p), "the count at {ms} ms");
            // Without compaction the queue only grows until the first timeouts come due at 2 s.
            shrank |= sim.p.queue.len() < before;
            before = sim.p.queue.len();
        }
        assert!(shrank, "the queue was compacted");
        assert!(sim.p.stale < COMPACT_AT, "{} stale of {} queued", sim.p.stale, sim.p.queue.len());
    }

    /// Every message the trace still names, with what `message_detail` says of it.
    fn details(s: &crate::session::Session) -> Vec<(u64, TraceKind, Option<String>)> {
        let records = s.sim().trace().records().iter();
        let sent = records.filter(|r| matches!(r.kind, TraceKind::Deliver | TraceKind::Drop) && r.msg > 0);
        sent.map(|r| (r.msg, r.kind, s.sim().message_detail(r.msg))).collect()
    }

    #[test]
    fn delivered_and_dropped_messages_are_described_after_a_seek_as_in_a_straight_run() {
        use crate::session::Session;
        // r2 is down from 12 s to 16 s: messages to it are dropped ("node down").
        let sc = crate::presets::get("d3-quorum-stale-read").expect("preset");
        let at = SimTime::from_ms(13_000);
        let mut straight = Session::new(sc.clone()).expect("session");
        straight.seek(at);
        let seen = details(&straight);
        let records = straight.sim().trace().records();
        let newest =
            records.iter().filter(|r| r.kind == TraceKind::Send).map(|r| r.msg).max().expect("sends");
        assert!(newest > 3 * recent::KEPT as u64, "{newest} messages: more than are kept");
        let described = |kind| seen.iter().filter(|d| d.1 == kind && d.2.is_some()).count();
        assert!(described(TraceKind::Deliver) > 1_000, "{} delivered ones", described(TraceKind::Deliver));
        assert!(described(TraceKind::Drop) > 0, "a dropped one");
        let delivered = seen.iter().rev().find(|d| d.1 == TraceKind::Deliver).expect("a delivery");
        let text = delivered.2.as_deref().expect("the newest delivery is described");
        let kind = records.iter().rev().find(|r| r.msg == delivered.0).expect("its record");
        assert!(text.starts_with(kind.label), "{text:?} is a {}", kind.label);
        // The newest `KEPT` sent are described; a message that has arrived is not, once a few
        // hundred more than that have been sent after it.
        let kept = newest - recent::KEPT as u64;
        assert!(seen.iter().filter(|d| d.0 > kept).all(|d| d.2.is_some()), "the kept ones: all");
        let old = kept - 256;
        assert!(seen.iter().filter(|d| d.0 <= old).all(|d| d.2.is_none()), "older ones: none");
        assert!(seen.iter().any(|d| d.0 <= old), "the trace still names older ones");
        // Played on, then back: a checkpoint before 13 s is restored and replayed.
        let mut back = Session::new(sc).expect("session");
        back.seek(SimTime::from_ms(15_000));
        back.seek(at);
        assert_eq!(back.now(), at);
        assert!(details(&back) == seen, "the same answers after a seek back as in a straight run");
    }
}
