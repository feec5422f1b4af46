//! The simulator's cloneable state (what a checkpoint copies) and how it is set up.

use super::metrics::Metrics;
use super::network::NetState;
use super::queue::{Entry, Ev};
use super::recent::Recent;
use super::{unknown_node, Violation};
use crate::ids::NodeId;
use crate::node::Node;
use crate::rng::{Purpose, Rng};
use crate::scenario::{Scenario, ScenarioError};
use crate::time::SimTime;
pub use crate::view::Status;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

/// A node's local clock: `local = real × (1 + drift) + offset`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeClock {
    pub offset_us: i64,
    pub drift_ppm: i32,
}

impl NodeClock {
    pub fn local(&self, now: SimTime) -> SimTime {
        if self.offset_us == 0 && self.drift_ppm == 0 {
            return now;
        }
        let t = now.as_us() as i128;
        let local = t + t * self.drift_ppm as i128 / 1_000_000 + self.offset_us as i128;
        SimTime(local.clamp(0, u64::MAX as i128) as u64)
    }

    /// Real time that passes while this clock advances by `local_us`.
    pub fn real_span(&self, local_us: u64) -> u64 {
        if self.drift_ppm == 0 {
            return local_us;
        }
        let denom = (1_000_000 + self.drift_ppm as i128).max(1);
        (local_us as i128 * 1_000_000 / denom).clamp(0, u64::MAX as i128) as u64
    }
}

/// Everything a checkpoint copies that does not depend on the protocol's types. Kept apart from
/// [`Parts`] so the code that touches only this (faults, tracing, limits) is compiled once, not once
/// per protocol.
#[derive(Clone, Debug)]
pub struct Shared {
    pub now: SimTime,
    pub seq: u64,
    pub events: u64,
    pub next_msg: u64,
    pub status: Vec<Status>,
    /// Per node: crashed refusing connections (see `ScenarioEvent::CrashRefusing`), so what
    /// reaches it is answered with a reset; cleared by a restart or a plain crash.
    pub refusing: Vec<bool>,
    pub rngs: Vec<Rng>,
    pub clocks: Vec<NodeClock>,
    pub slow_pct: Vec<u32>,
    /// The ids of messages lost by hand (`ScenarioEvent::LoseMessage`) that may still be on the
    /// wire: a delivery (or a duplicate's) with one of them is dropped when it comes due.
    pub lost: std::collections::BTreeSet<u64>,
    /// A surge of client load in force until the time given, at that percent of normal.
    pub surge: Option<(SimTime, u32)>,
    pub net: NetState,
    pub metrics: Metrics,
    pub history: super::history::History,
    pub violations: Vec<Violation>,
    pub active_rules: Vec<&'static str>,
    /// How many entries of the world's script have run (the script itself is not state: it is
    /// what the scenario says will happen, kept across a restore).
    pub script_pos: usize,
    pub halted: Option<String>,
}

/// Fewest stale timer entries worth a compaction (it costs a pass over the queue).
pub(super) const COMPACT_AT: usize = 50_000;

/// The part of a checkpoint typed by the protocol: its nodes and what is scheduled for them.
#[derive(Clone, Debug)]
pub struct Parts<N: Node> {
    pub queue: BinaryHeap<Entry<N::Msg, N::Timer>>,
    pub nodes: Vec<N>,
    /// Pending timers per node: timer → (generation, the seq it was scheduled with; when it
    /// fires). The queue also holds cancelled and replaced timers until their time comes; these
    /// maps hold only the live ones, which is what a view lists.
    pub timers: Vec<BTreeMap<N::Timer, (u64, SimTime)>>,
    /// Events that reached a paused node, replayed in order when it resumes.
    pub stash: Vec<Vec<Ev<N::Msg, N::Timer>>>,
    /// Timer entries in the queue and the stashes that were cancelled or replaced (or belonged
    /// to a node that crashed): skipped when their time comes, and dropped by
    /// [`Parts::compact`] when they crowd the queue.
    pub stale: usize,
    /// The newest messages sent (delivered, dropped or on their way), to describe on request.
    pub sent: Recent<N::Msg>,
}

impl<N: Node> Parts<N> {
    pub fn new(nodes: Vec<N>) -> Self {
        let n = nodes.len();
        Parts {
            queue: BinaryHeap::new(),
            nodes,
            timers: vec![BTreeMap::new(); n],
            stash: vec![Vec::new(); n],
            stale: 0,
            sent: Recent::default(),
        }
    }

    /// Whether a timer entry is still the live one (not cancelled, replaced or crashed away).
    pub fn is_live(&self, node: NodeId, timer: &N::Timer, gen: u64) -> bool {
        self.timers[node.index()].get(timer).is_some_and(|&(g, _)| g == gen)
    }

    /// Drop the stale timer entries from the queue once they are most of it. A client with a
    /// timeout per request cancels nearly every timer it sets: at 200,000 requests per second and
    /// 2 s timeouts the queue held 400,000 dead entries, which every checkpoint copied and every
    /// view walked. Skipping one is a no-op, so dropping them early changes nothing in the run.
    pub fn compact(&mut self) {
        if self.stale < COMPACT_AT || self.stale * 2 < self.queue.len() {
            return;
        }
        let mut queue = std::mem::take(&mut self.queue).into_vec();
        queue.retain(|e| match &e.ev {
            Ev::Timer { node, timer, gen } => self.is_live(*node, timer, *gen),
            Ev::Deliver { .. } | Ev::Refusal { .. } => true,
        });
        self.queue = BinaryHeap::from(queue);
        let stashed = self.stash.iter().flatten();
        self.stale = stashed
            .filter(|ev| matches!(ev, Ev::Timer { node, timer, gen } if !self.is_live(*node, timer, *gen)))
            .count();
    }

    /// Schedule `ev` at `at` with the next sequence number (taken from `seq`).
    pub fn push(&mut self, seq: &mut u64, at: SimTime, ev: Ev<N::Msg, N::Timer>) -> u64 {
        let s = *seq;
        *seq += 1;
        self.queue.push(Entry { at, seq: s, ev });
        s
    }
}

impl Shared {
    /// Real time until a timer a node sets for `after` on its own clock fires (its clock may run
    /// fast or slow, and a slowed node's timers stretch too).
    pub fn real_delay(&self, node: NodeId, after: crate::time::SimDuration) -> u64 {
        let i = node.index();
        let real = self.clocks[i].real_span(after.as_us());
        if self.slow_pct[i] == 100 {
            real
        } else {
            real * self.slow_pct[i] as u64 / 100
        }
    }

    /// Client load now, in percent of normal (a surge in force, or 100).
    pub fn load_pct(&self) -> u32 {
        match self.surge {
            Some((until, pct)) if self.now < until => pct,
            _ => 100,
        }
    }

    pub fn new(sc: &Scenario, n: usize, net: NetState) -> Self {
        let interval = sc.sim.metrics_interval_ms * 1000;
        Shared {
            now: SimTime::ZERO,
            seq: 0,
            events: 0,
            next_msg: 1,
            status: vec![Status::Up; n],
            refusing: vec![false; n],
            rngs: (0..n as u64).map(|i| Rng::stream(sc.seed, Purpose::Node, i)).collect(),
            clocks: vec![NodeClock::default(); n],
            slow_pct: vec![100; n],
            lost: Default::default(),
            surge: None,
            net,
            metrics: Metrics::new(interval, sc.stop_at_ms * 1000),
            history: super::history::History::default(),
            violations: Vec::new(),
            active_rules: Vec::new(),
            script_pos: 0,
            halted: None,
        }
    }
}

fn resolve(
    by_name: &BTreeMap<String, NodeId>,
    names: &[String],
    field: &str,
    pat: &str,
) -> Result<Vec<NodeId>, ScenarioError> {
    if pat == "*" {
        return Ok(by_name.values().copied().collect());
    }
    by_name.get(pat).map(|&id| vec![id]).ok_or_else(|| unknown_node(field, pat, names))
}

/// Set up the network from the scenario, resolving node names.
pub fn build_network(
    sc: &Scenario,
    by_name: &BTreeMap<String, NodeId>,
    n: usize,
) -> Result<NetState, ScenarioError> {
    let mut names = vec![String::new(); n];
    for (k, v) in by_name {
        names[v.index()] = k.clone();
    }
    let mut overrides = BTreeMap::new();
    for (i, l) in sc.network.links.iter().enumerate() {
        let field = format!("network.links[{i}]");
        for a in resolve(by_name, &names, &format!("{field}.from"), &l.from)? {
            for b in resolve(by_name, &names, &format!("{field}.to"), &l.to)? {
                overrides.insert((a.0, b.0), l.spec.clone());
                if l.both_ways {
                    overrides.insert((b.0, a.0), l.spec.clone());
                }
            }
        }
    }
    let mut region = vec![None; n];
    let mut region_us = Vec::new();
    if let Some(r) = &sc.network.regions {
        for (node, reg) in &r.of {
            let id = by_name
                .get(node)
                .ok_or_else(|| unknown_node(&format!("network.regions.of.{node}"), node, &names))?;
            region[id.index()] = r.names.iter().position(|x| x == reg).map(|p| p as u32);
        }
        region_us = r.latency_ms.iter().map(|row| row.iter().map(|ms| ms * 1000).collect()).collect();
    }
    Ok(NetState {
        default_link: sc.network.default_link.clone(),
        overrides,
        group: vec![0; n],
        blocked: BTreeSet::new(),
        region,
        region_us,
        rng: Rng::stream(sc.seed, Purpose::Network, 0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skewed_clock() {
        let c = NodeClock { offset_us: 500, drift_ppm: 100_000 };
        assert_eq!(c.local(SimTime(1_000_000)), SimTime(1_100_500));
        assert_eq!(c.real_span(1_100_000), 1_000_000);
        assert_eq!(NodeClock { offset_us: -5_000, drift_ppm: 0 }.local(SimTime(10)), SimTime(0));
    }
}
