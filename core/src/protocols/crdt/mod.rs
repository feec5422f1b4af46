//! # D8 — CRDTs with gossip anti-entropy
//!
//! **The problem.** Replicas that accept writes on both sides of a partition (AP, as in D1) must
//! agree again after the heal without a coordinator and without losing updates. CRDTs make
//! that automatic: each replica's state is a value in a join-semilattice, and `merge` (the join)
//! is commutative, associative and idempotent, so any two replicas that have received the same
//! updates — in any order, any number of times — are equal.
//!
//! **Data types** ([`types`]): G-Counter (one count per replica, merge = max), PN-Counter (two
//! G-Counters), OR-Set with add-wins semantics (adds carry unique tags; a remove cancels only the
//! tags it observed), LWW-Register (highest (timestamp, replica) wins) and LWW-Map (a register
//! per key, removals as tombstones).
//!
//! **Message flow.** Each replica r1… holds a document — a PN-Counter `likes`, an OR-Set `cart`
//! and an LWW-Map `profile` — and applies local updates on its `Update` timer (a random increment,
//! decrement, add, remove or put). On its `Gossip` timer it sends its whole state to `fanout`
//! distinct random peers (`Gossip`); a receiver merges and notes what changed ("merge shown step by
//! step"). After every change a replica reports a digest of its state to the monitor `m`
//! (`Digest`); the monitor counts the replicas whose digest differs from the most common one.
//!
//! **Invariants and metrics.** `divergent_replicas` (gauge, monitor's view), `merges` and
//! `merge_changes` (merges that changed something), `converged_at_ms` (when every digest became
//! equal once local updates had stopped at `updates_until_ms` — in the preset, the heal), and
//! `convergence_ms`: how long after `updates_until_ms` that was. Both stay empty until then (and
//! for good if updates never stop): before, equality is momentary — five empty documents at the
//! start are equal — and `divergent_replicas = 0` shows it. If the replicas are not equal
//! `converge_within_ms` after `updates_until_ms`, the monitor reports the `convergence`
//! violation. The monitor keeps its record through a crash; one down at its deadline judges two
//! gossip rounds after it is back, and dates a convergence it missed while down when it sees it.
//!
//! **What to watch.** During the partition each side's counter and cart drift apart; at the heal
//! the gossip messages cross the old cut, the notes show merges pulling in the other side's
//! updates, and `divergent_replicas` falls to 0 within a few gossip rounds (with fanout 1, about
//! log2 n + ln n rounds for n replicas, Pittel's bound for rumour spreading: 3 to 4 for five). The monitor sits with one side of the partition: it only
//! hears the other side's digests again after the heal.
//!
//! **References.** Shapiro, Preguiça, Baquero, Zawirski, *Conflict-free Replicated Data Types*
//! (SSS 2011) and the comprehensive study (INRIA RR-7506); Demers et al., *Epidemic algorithms
//! for replicated database maintenance* (PODC 1987); rust-crdt.

mod node;
pub mod types;

pub use node::{CrdtMsg, CrdtNode, CrdtTimer, Doc};

use crate::scenario::{limits, Scenario, ScenarioError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// D8 configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrdtConfig {
    pub replicas: u32,
    /// Anti-entropy period.
    pub gossip_ms: u64,
    /// Peers each gossip round goes to.
    #[serde(default = "one")]
    pub fanout: u32,
    /// Mean time between local updates on each replica (exponential).
    pub update_every_ms: u64,
    /// Local updates stop here (0 = never).
    pub updates_until_ms: u64,
    /// Bound for the `convergence` check, counted from `updates_until_ms`.
    pub converge_within_ms: u64,
}

fn one() -> u32 {
    1
}

impl CrdtConfig {
    pub fn validate(&self, _sc: &Scenario) -> Result<(), ScenarioError> {
        if self.replicas < 2 || self.replicas >= limits::MAX_NODES {
            return Err(ScenarioError::invalid(
                "protocol.replicas",
                format!("must be 2 to {}", limits::MAX_NODES - 1),
            ));
        }
        if self.fanout == 0 || self.fanout >= self.replicas {
            return Err(ScenarioError::invalid("protocol.fanout", "must be 1 to replicas − 1"));
        }
        for (field, v) in [
            ("protocol.gossip_ms", self.gossip_ms),
            ("protocol.update_every_ms", self.update_every_ms),
            ("protocol.converge_within_ms", self.converge_within_ms),
        ] {
            if v == 0 || v > 3_600_000 {
                return Err(ScenarioError::invalid(field, "must be 1 to 3600000 ms"));
            }
        }
        Ok(())
    }
}

/// The nodes of a D8 run: replicas `r1…` (ids 0…), then the monitor `m`.
pub fn build(_sc: &Scenario, cfg: &CrdtConfig) -> Vec<(String, CrdtNode)> {
    let cfg = Arc::new(cfg.clone());
    let mut out: Vec<(String, CrdtNode)> =
        (1..=cfg.replicas).map(|i| (format!("r{i}"), CrdtNode::replica(cfg.clone()))).collect();
    out.push(("m".into(), CrdtNode::monitor(cfg)));
    out
}
