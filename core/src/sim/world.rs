//! The protocol-independent half of a simulation: names, the script, faults, the network, tracing,
//! limits. `Sim<N>` is generic over the protocol and so compiled once per protocol; everything here
//! is compiled once, which keeps the web page small (see the size notes in `cargo xtask build`).

use super::state::{self, Shared};
use super::trace::{Trace, TraceEvent, TraceKind, ANNOTATION, HALTED, SKIPPED};
use super::{unknown_node, Fate, NodeClock, Status, Violation, MAX_QUEUE, MAX_VIOLATIONS};
use crate::ids::NodeId;
use crate::node::ClientRequest;
use crate::scenario::{Scenario, ScenarioError, ScenarioEvent, Timed};
use crate::time::SimTime;
use crate::view::{MsgView, NodeState, NodeView, TimerView, WorldView};
use std::collections::BTreeMap;

/// What a fault or action asks of the protocol's nodes once the shared state has been updated.
#[derive(Debug)]
pub(super) enum NodeOp {
    None,
    /// The node went down: drop its timers and stash, and tell it.
    Crash(NodeId),
    /// The node came back: run `init` again.
    Init(NodeId),
    /// The node was unpaused: requeue what reached it meanwhile.
    Resume(NodeId),
    Client(NodeId, ClientRequest),
    /// Fire the node's election timer now.
    TimeOut(NodeId),
    /// Lose the message with this id, if it is on the wire.
    Lose(u64),
    /// Set one of the node's knobs: `(knob, to)`.
    Tune(NodeId, String, String),
}

/// How long a message that arrives takes, and its duplicate if the network made one (µs).
pub(super) type Latencies = (u64, Option<u64>);

#[derive(Debug)]
pub(super) struct World {
    pub sh: Shared,
    /// Every scripted event in time order: the scenario's, its chaos faults, and the user's
    /// actions as they are taken. Outside `sh`, so a restored checkpoint replays the script as it
    /// is now (with an action taken after the checkpoint, without a forked-away future).
    pub script: Vec<Timed>,
    pub trace: Trace,
    pub scenario: Scenario,
    pub names: Vec<String>,
    pub by_name: BTreeMap<String, NodeId>,
}

impl World {
    /// Check the names the scenario uses against the nodes, and set up the shared state.
    pub fn new(scenario: &Scenario, names: Vec<String>) -> Result<Self, ScenarioError> {
        let n = names.len();
        let by_name: BTreeMap<String, NodeId> =
            names.iter().enumerate().map(|(i, s)| (s.clone(), NodeId(i as u32))).collect();
        if by_name.len() != n {
            return Err(ScenarioError::invalid("protocol", "two nodes have the same name"));
        }
        let net = state::build_network(scenario, &by_name, n)?;
        for (i, e) in scenario.events.iter().enumerate() {
            for name in e.event.node_names() {
                if !by_name.contains_key(name) {
                    return Err(unknown_node(&format!("events[{i}].event"), name, &names));
                }
            }
        }
        let script = with_chaos(scenario, &names, &by_name)?;
        Ok(World {
            sh: Shared::new(scenario, n, net),
            script,
            trace: Trace::new(scenario.sim.trace_capacity as usize, true),
            scenario: scenario.clone(),
            names,
            by_name,
        })
    }

    pub fn stop_at(&self) -> SimTime {
        SimTime::from_ms(self.scenario.stop_at_ms)
    }

    pub fn script_at(&self) -> Option<SimTime> {
        self.script.get(self.sh.script_pos).map(|t: &Timed| SimTime::from_ms(t.at_ms))
    }

    /// Time of the next thing to happen: the earlier of the queue's head and the script.
    pub fn next_at(&self, queued: Option<SimTime>) -> Option<SimTime> {
        match (queued, self.script_at()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Take the next scripted event if it comes before the queue's head (`queued`).
    pub fn take_scripted(&mut self, queued: Option<SimTime>) -> Option<ScenarioEvent> {
        let s = self.script_at()?;
        if queued.is_some_and(|q| s >= q) {
            return None;
        }
        let ev = self.script[self.sh.script_pos].event.clone();
        self.sh.script_pos += 1;
        Some(ev)
    }

    pub fn push_trace(
        &mut self,
        kind: TraceKind,
        node: NodeId,
        peer: Option<NodeId>,
        msg: u64,
        label: &'static str,
        text: Option<String>,
    ) {
        self.trace.push(TraceEvent {
            at: self.sh.now,
            kind,
            node,
            peer,
            msg,
            label,
            text: text.map(String::into_boxed_str),
        });
    }

    pub fn halt(&mut self, why: String) {
        self.push_trace(TraceKind::Note, NodeId(0), None, 0, HALTED, Some(why.clone()));
        self.sh.halted = Some(why);
    }

    /// After each event: stop runs that exceed the event limit or flood the queue.
    pub fn check_limits(&mut self, queued: usize) {
        self.sh.events += 1;
        if self.sh.events >= self.scenario.sim.max_events {
            self.halt(format!("stopped after {} events (sim.max_events)", self.sh.events));
        } else if queued > MAX_QUEUE {
            self.halt(format!(
                "stopped: {MAX_QUEUE} events waiting; the scenario overloads the simulator (lower the request rate or the run time)"
            ));
        }
    }

    /// Trace a send and decide its fate on the network: the message's id (`None` if it was
    /// addressed to no node) and, if it will arrive, `(latency, duplicate's latency)` (`None` if it
    /// was dropped, traced).
    pub fn send(&mut self, from: NodeId, to: NodeId, kind: &'static str) -> Option<(u64, Option<Latencies>)> {
        if to.index() >= self.names.len() {
            let text = Some(format!("sent to unknown node {to}"));
            self.push_trace(TraceKind::Note, from, None, 0, "note", text);
            return None;
        }
        let id = self.sh.next_msg;
        self.sh.next_msg += 1;
        self.push_trace(TraceKind::Send, from, Some(to), id, kind, None);
        let slow = self.sh.slow_pct[to.index()];
        match self.sh.net.fate(from, to, slow) {
            Fate::Dropped(why) => {
                // Like a delivery, a drop names the receiver it was meant for as `node`.
                self.push_trace(TraceKind::Drop, to, Some(from), id, kind, Some(why.into()));
                Some((id, None))
            }
            Fate::Arrives { latency_us, dup_latency_us } => {
                if dup_latency_us.is_some() {
                    self.push_trace(TraceKind::Duplicate, from, Some(to), id, kind, None);
                }
                Some((id, Some((latency_us, dup_latency_us))))
            }
        }
    }

    /// Message `id` (a `kind`) from `sender` reached `dead`, a node crashed refusing connections:
    /// trace its drop ("refused") and the reset its host sends back, which the network treats as
    /// any message (a partition, a block or a loss stops it; a duplicate of it is not made). The
    /// reset's id and, if it will arrive, its latency.
    pub fn refuse(
        &mut self,
        dead: NodeId,
        sender: NodeId,
        id: u64,
        kind: &'static str,
    ) -> (u64, Option<u64>) {
        self.push_trace(TraceKind::Drop, dead, Some(sender), id, kind, Some(super::REFUSED.into()));
        let rst = self.sh.next_msg;
        self.sh.next_msg += 1;
        self.push_trace(TraceKind::Send, dead, Some(sender), rst, super::REFUSAL, None);
        match self.sh.net.fate(dead, sender, self.sh.slow_pct[sender.index()]) {
            Fate::Dropped(why) => {
                self.push_trace(TraceKind::Drop, sender, Some(dead), rst, super::REFUSAL, Some(why.into()));
                (rst, None)
            }
            Fate::Arrives { latency_us, .. } => (rst, Some(latency_us)),
        }
    }

    /// `reporter` is the node whose check failed, `None` for a check across all nodes (its
    /// trace record is filed under node 0, as it always was, so trace hashes keep).
    pub fn record_violation(&mut self, rule: &'static str, detail: String, reporter: Option<NodeId>) {
        if self.sh.violations.len() < MAX_VIOLATIONS {
            let node = reporter.unwrap_or(NodeId(0));
            self.push_trace(TraceKind::Violation, node, None, 0, rule, Some(detail.clone()));
            let v = Violation { at: self.sh.now, rule: rule.to_string(), detail, node: reporter };
            self.sh.violations.push(v);
        }
    }

    /// Record the rules a global check found broken; only newly broken rules count as violations.
    pub fn record_broken(&mut self, found: &mut Vec<(&'static str, String)>) {
        if found.is_empty() && self.sh.active_rules.is_empty() {
            return; // the usual case: nothing broken before or now
        }
        let now_rules: Vec<&'static str> = found.iter().map(|(r, _)| *r).collect();
        // A rule newly broken is one violation, however many places show it (review 49 C4: one
        // state machine safety break was listed four times at the same instant).
        let mut fresh: Vec<(&'static str, String, usize)> = Vec::new();
        for (rule, detail) in found.drain(..) {
            if self.sh.active_rules.contains(&rule) {
                continue;
            }
            match fresh.iter_mut().find(|f| f.0 == rule) {
                Some(f) => f.2 += 1,
                None => fresh.push((rule, detail, 1)),
            }
        }
        for (rule, detail, places) in fresh {
            let detail = if places == 1 {
                detail
            } else {
                format!("{detail} (one of {places} found at this instant)")
            };
            self.record_violation(rule, detail, None);
        }
        self.sh.active_rules = now_rules;
    }

    fn id_of(&self, name: &str) -> Result<NodeId, ScenarioError> {
        self.by_name.get(name).copied().ok_or_else(|| unknown_node("event", name, &self.names))
    }

    fn ids_of(&self, names: &[String]) -> Result<Vec<NodeId>, ScenarioError> {
        names.iter().map(|n| self.id_of(n)).collect()
    }

    /// `*` or one node's name.
    fn ids_or_all(&self, pat: &str) -> Result<Vec<NodeId>, ScenarioError> {
        if pat == "*" {
            Ok((0..self.names.len() as u32).map(NodeId).collect())
        } else {
            Ok(vec![self.id_of(pat)?])
        }
    }

    /// Check that an event names real nodes, without applying it.
    pub fn check_event(&self, ev: &ScenarioEvent) -> Result<(), ScenarioError> {
        ev.node_names().into_iter().try_for_each(|n| self.id_of(n).map(|_| ()))
    }

    /// Apply a fault or action to the shared state now; an event naming no such node is traced as
    /// skipped. Returns what the nodes themselves must do.
    pub fn apply(&mut self, ev: &ScenarioEvent) -> NodeOp {
        match self.try_apply(ev) {
            Ok(op) => op,
            Err(e) => {
                self.push_trace(TraceKind::Note, NodeId(0), None, 0, SKIPPED, Some(e.to_string()));
                NodeOp::None
            }
        }
    }

    /// Lose message `id`, found on the wire going `from` → `to` (or not found: it arrived, was
    /// dropped, or was never sent). Said at the receiver, as the drop will be.
    pub fn lose(&mut self, id: u64, on_wire: Option<(NodeId, NodeId, &'static str)>) {
        let Some((from, to, kind)) = on_wire else {
            let said = format!("message #{id} is not on the wire: nothing to lose");
            self.push_trace(TraceKind::Note, NodeId(0), None, 0, SKIPPED, Some(said));
            return;
        };
        let name = |n: NodeId| self.names.get(n.index()).map_or("?", String::as_str);
        let said = format!("lose {kind} {}→{} (#{id})", name(from), name(to));
        self.push_trace(TraceKind::Fault, to, Some(from), id, "lose", Some(said));
        self.sh.lost.insert(id);
    }

    /// Whether message `id` was lost by hand; if so, its drop is traced.
    pub fn drops_lost(&mut self, id: u64, from: NodeId, to: NodeId, kind: &'static str) -> bool {
        let lost = !self.sh.lost.is_empty() && self.sh.lost.contains(&id);
        if lost {
            self.push_trace(TraceKind::Drop, to, Some(from), id, kind, Some("lost by hand".into()));
        }
        lost
    }

    fn fault(&mut self, node: NodeId, label: &'static str, text: String) {
        self.push_trace(TraceKind::Fault, node, None, 0, label, Some(text));
    }

    /// Set a node's status from `from` to `to` if it is `from`; whether it changed.
    fn flip(&mut self, id: NodeId, from: Status, to: Status) -> bool {
        let s = &mut self.sh.status[id.index()];
        let flips = *s == from;
        if flips {
            *s = to;
        }
        flips
    }

    fn try_apply(&mut self, ev: &ScenarioEvent) -> Result<NodeOp, ScenarioError> {
        use ScenarioEvent as E;
        let text = ev.describe();
        let op = match ev {
            E::Crash { node } | E::CrashRefusing { node } => {
                let id = self.id_of(node)?;
                // Labelled "crash" either way: its words say whether it refuses.
                self.fault(id, "crash", text);
                self.sh.refusing[id.index()] = matches!(ev, E::CrashRefusing { .. });
                let was_down = self.sh.status[id.index()] == Status::Down;
                self.sh.status[id.index()] = Status::Down;
                if was_down {
                    NodeOp::None
                } else {
                    self.sh.metrics.forget_gauges_of(id);
                    NodeOp::Crash(id)
                }
            }
            E::Restart { node } => {
                let id = self.id_of(node)?;
                self.fault(id, "restart", text);
                self.sh.refusing[id.index()] = false;
                if self.flip(id, Status::Down, Status::Up) {
                    NodeOp::Init(id)
                } else {
                    NodeOp::None
                }
            }
            E::Pause { node } => {
                let id = self.id_of(node)?;
                self.fault(id, "pause", text);
                self.flip(id, Status::Up, Status::Paused);
                NodeOp::None
            }
            E::Resume { node } => {
                let id = self.id_of(node)?;
                self.fault(id, "resume", text);
                if self.flip(id, Status::Paused, Status::Up) {
                    NodeOp::Resume(id)
                } else {
                    NodeOp::None
                }
            }
            E::Timeout { node } => {
                let id = self.id_of(node)?;
                self.fault(id, "timeout", text);
                if self.sh.status[id.index()] == Status::Down {
                    let said = Some(format!("{node} is down: no timer of it runs"));
                    self.push_trace(TraceKind::Note, id, None, 0, "note", said);
                    NodeOp::None
                } else {
                    NodeOp::TimeOut(id)
                }
            }
            // Which message is on the wire is known only to the typed side (the queue).
            E::LoseMessage { id } => NodeOp::Lose(*id),
            E::Tune { node, knob, to } => {
                let id = self.id_of(node)?;
                self.fault(id, "tune", text);
                if self.sh.status[id.index()] == Status::Down {
                    let said = Some(format!("{node} is down: its {knob} stays as it was"));
                    self.push_trace(TraceKind::Note, id, None, 0, "note", said);
                    NodeOp::None
                } else {
                    NodeOp::Tune(id, knob.clone(), to.clone())
                }
            }
            E::Client { node, request } => {
                let id = self.id_of(node)?;
                self.push_trace(TraceKind::Client, id, None, 0, "client", Some(text));
                if self.sh.status[id.index()] == Status::Up {
                    NodeOp::Client(id, request.clone())
                } else {
                    self.push_trace(TraceKind::Drop, id, None, 0, "client", Some("node not running".into()));
                    NodeOp::None
                }
            }
            _ => {
                self.apply_to_network(ev, text)?;
                NodeOp::None
            }
        };
        Ok(op)
    }

    /// Faults that change only the network, a node's speed or its clock.
    fn apply_to_network(&mut self, ev: &ScenarioEvent, text: String) -> Result<(), ScenarioError> {
        use ScenarioEvent as E;
        match ev {
            E::Partition { groups } => {
                let ids = groups.iter().map(|g| self.ids_of(g)).collect::<Result<Vec<_>, _>>()?;
                self.fault(NodeId(0), "partition", text);
                self.sh.net.partition(&ids);
            }
            E::Block { from, to } => {
                let (a, b) = (self.ids_of(from)?, self.ids_of(to)?);
                self.fault(NodeId(0), "block", text);
                for x in &a {
                    for y in &b {
                        self.sh.net.blocked.insert((x.0, y.0));
                    }
                }
            }
            E::Heal => {
                self.fault(NodeId(0), "heal", text);
                self.sh.net.heal();
            }
            E::Link { from, to, spec, both_ways } => {
                let (a, b) = (self.ids_or_all(from)?, self.ids_or_all(to)?);
                // Said on a node the link is about, with the other end as its peer: `*<->r` at r,
                // not at whichever node is first (c1, which never talks to r).
                let (node, peer) = match (&a[..], &b[..]) {
                    ([x], [y]) => (*x, Some(*y)),
                    ([x], _) | (_, [x]) => (*x, None),
                    _ => (NodeId(0), None),
                };
                self.push_trace(TraceKind::Fault, node, peer, 0, "link", Some(text));
                for x in &a {
                    for y in &b {
                        self.sh.net.overrides.insert((x.0, y.0), spec.clone());
                        if *both_ways {
                            self.sh.net.overrides.insert((y.0, x.0), spec.clone());
                        }
                    }
                }
            }
            E::ResetLinks => {
                self.fault(NodeId(0), "reset_links", text);
                self.sh.net.overrides.clear();
            }
            E::Slow { node, factor_pct } => {
                let id = self.id_of(node)?;
                self.fault(id, "slow", text);
                self.sh.slow_pct[id.index()] = (*factor_pct).max(1);
            }
            E::ClockSkew { node, offset_us, drift_ppm } => {
                let id = self.id_of(node)?;
                self.fault(id, "clock_skew", text);
                self.sh.clocks[id.index()] = NodeClock { offset_us: *offset_us, drift_ppm: *drift_ppm };
            }
            E::Surge { rate_pct, duration_ms } => {
                self.fault(NodeId(0), "surge", text);
                let until = self.sh.now + crate::time::SimDuration::from_ms(*duration_ms);
                self.sh.surge = Some((until, *rate_pct));
            }
            // Nobody's words about a node: the log must not credit them to the first one.
            E::Note { text } => {
                self.push_trace(TraceKind::Note, NodeId(0), None, 0, ANNOTATION, Some(text.clone()))
            }
            E::Crash { .. }
            | E::CrashRefusing { .. }
            | E::Restart { .. }
            | E::Pause { .. }
            | E::Resume { .. }
            | E::Timeout { .. }
            | E::LoseMessage { .. }
            | E::Tune { .. }
            | E::Client { .. } => {}
        }
        Ok(())
    }

    /// Fork a new future from now: the actions done by hand after now belonged to the old future
    /// and are dropped. The script stays (the scenario's events and its chaos section's faults):
    /// it is the experiment, not what one run of it did, so the same action at the same time
    /// forks the same future however far the old one had been played.
    pub fn fork(&mut self) {
        let (now, applied) = (self.sh.now, self.sh.script_pos);
        let mut i = 0;
        self.script.retain(|e| {
            let keep = i < applied || SimTime::from_ms(e.at_ms) <= now || !e.by_hand;
            i += 1;
            keep
        });
    }

    /// Write an action just applied by hand into the script, as run: going back before it and
    /// playing again applies it at the same point, as its link does (after everything already due
    /// at its millisecond).
    pub fn record(&mut self, event: &ScenarioEvent) {
        let at_ms = self.sh.now.as_us().div_ceil(1000);
        self.script.insert(self.sh.script_pos, Timed { at_ms, event: event.clone(), by_hand: true });
        self.sh.script_pos += 1;
    }

    /// Assemble the view from the protocol's parts (node views, in-flight messages, live timers).
    pub fn view(
        &self,
        node_views: Vec<NodeView>,
        mut in_flight: Vec<MsgView>,
        (mut timers, timers_pending): (Vec<TimerView>, Vec<u32>),
    ) -> WorldView {
        let sh = &self.sh;
        let region_name = |i: usize| {
            let r = self.scenario.network.regions.as_ref()?;
            sh.net.region[i].and_then(|x| r.names.get(x as usize).cloned())
        };
        let nodes = node_views
            .into_iter()
            .enumerate()
            .map(|(i, view)| NodeState {
                id: NodeId(i as u32),
                timers_pending: timers_pending[i],
                name: self.names[i].clone(),
                status: sh.status[i],
                group: sh.net.group[i],
                region: region_name(i),
                view,
            })
            .collect();
        in_flight.sort_by_key(|m| (m.deliver_at, m.id));
        timers.sort_by_key(|t| (t.fires_at, t.node));
        let blocked = sh.net.blocked.iter().map(|&(a, b)| (NodeId(a), NodeId(b))).collect();
        WorldView {
            now: sh.now,
            events: sh.events,
            nodes,
            in_flight,
            timers,
            blocked,
            links: links_apart(&sh.net),
            load_pct: sh.load_pct(),
        }
    }
}

/// The links in force that differ from the default, a pair set alike both ways as one.
fn links_apart(net: &super::network::NetState) -> Vec<crate::view::LinkView> {
    let apart = |spec: &&crate::scenario::LinkSpec| **spec != net.default_link;
    let mut out = Vec::new();
    for (&(a, b), spec) in net.overrides.iter().filter(|(_, s)| apart(s)) {
        let back = net.overrides.get(&(b, a));
        if back.is_some_and(|s| s == spec) && b < a {
            continue; // said with (b, a)
        }
        let both_ways = back.is_some_and(|s| s == spec);
        out.push(crate::view::LinkView { from: NodeId(a), to: NodeId(b), both_ways, said: spec.said() });
        if out.len() == crate::view::LINKS_SHOWN {
            break;
        }
    }
    out
}

/// The scripted events, merged with the faults of the scenario's chaos section (R6) if it has one.
/// Sorted by time, stably: events listed out of order still run at their own time, and at equal
/// times they keep their listed order, chaos faults before the scenario's own events.
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
    // Faults first: an event at the same millisecond as a fault runs after it, as a click does
    // (a user's action runs after everything already due at its millisecond).
    let mut all: Vec<Timed> = faults.into_iter().chain(sc.events.iter().cloned()).collect();
    all.sort_by_key(|e| e.at_ms);
    Ok(all)
}
