//! # D7 — Conflict resolution: last-writer-wins, versions, and siblings
//!
//! **The problem.** Replicas that accept writes independently (D1's AP side, Dynamo, Cassandra,
//! Riak) must decide what happens when two writes to the same key meet. Each replica `r1…` here
//! holds shopping carts; on its `Update` timer a user adds an item to a random cart *at that
//! replica* — read the cart, add the item, write it back — and the replica pushes the new value to
//! its peers (`Replicate`); every `sync_ms` it also sends all its carts (`Sync`, anti-entropy).
//!
//! **Resolutions** (`protocol.resolution`).
//! - `lww`: every write is stamped `(timestamp, node id)` from the writer's *local clock*; the
//!   larger stamp wins everywhere. Skew one replica's clock behind (the `clock_skew` event) and its
//!   writes — made after it had seen the others' — carry smaller stamps and silently lose:
//!   `lost_updates` counts them at the writer (violation `no_lost_updates`).
//! - `versioned`: stamps are `(version, timestamp, node id)` where a write's version is the version
//!   it read plus one, so a write always beats what its writer had seen, whatever the clocks say;
//!   timestamps and ids only break ties between truly concurrent writes (whose items still lose).
//! - `siblings`: each value carries a version vector; a write's vector is the join of what it read
//!   plus one on the writer's entry. Values whose vectors are concurrent are all kept, as
//!   *siblings* (`siblings_created`); the next read hands them to the application, which merges
//!   carts by union (`sibling_merges`) — no added item is lost (deleted items could come back:
//!   the Dynamo paper's caveat; this cart only adds).
//!
//! **Metrics.** `adds`, `lost_updates`, per replica `lost_items` (items it has seen added that its
//! carts no longer hold) and `max_siblings`.
//!
//! **What to watch.** LWW with skew: r3's notes, *my write … loses to an earlier write … my clock
//! is behind*, and its `lost_items` climbing. Siblings: during the partition each side extends its
//! own carts; after the heal the `Sync` turns them into siblings (the `siblings` badge and the
//! vectors `[3,2,0] ∥ [2,1,4]` in the inspector), and the next add merges them.
//!
//! **References.** G. DeCandia et al., *Dynamo: Amazon's highly available key-value store* (SOSP
//! 2007); Kyle Kingsbury, *Jepsen: Cassandra* and *The trouble with timestamps* (2013); M.
//! Kleppmann, *Designing Data-Intensive Applications*, ch. 5 ("Detecting concurrent writes").

mod node;
pub mod store;

pub use node::{CartState, ConflictMsg, ConflictTimer, Replica};

use crate::scenario::{Scenario, ScenarioError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How replicas resolve two writes to the same cart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Highest `(timestamp, node)` wins.
    #[default]
    Lww,
    /// Highest `(version, timestamp, node)` wins.
    Versioned,
    /// Concurrent values kept as siblings, merged by the application.
    Siblings,
}

/// D7 configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictConfig {
    pub resolution: Resolution,
    pub replicas: u32,
    pub carts: u32,
    /// Mean time between adds at each replica (exponential).
    pub update_every_ms: u64,
    #[serde(default = "default_sync_ms")]
    pub sync_ms: u64,
    /// Adds stop here (0 = never).
    #[serde(default)]
    pub updates_until_ms: u64,
}

fn default_sync_ms() -> u64 {
    1000
}

impl ConflictConfig {
    pub fn validate(&self, _sc: &Scenario) -> Result<(), ScenarioError> {
        if !(2..=7).contains(&self.replicas) {
            return Err(ScenarioError::invalid("protocol.replicas", "must be 2 to 7"));
        }
        if !(1..=100).contains(&self.carts) {
            return Err(ScenarioError::invalid("protocol.carts", "must be 1 to 100"));
        }
        for (field, v) in
            [("protocol.update_every_ms", self.update_every_ms), ("protocol.sync_ms", self.sync_ms)]
        {
            if v == 0 || v > 600_000 {
                return Err(ScenarioError::invalid(field, "must be 1 to 600000 ms"));
            }
        }
        Ok(())
    }
}

/// The replicas `r1…` of a D7 run.
pub fn build(_sc: &Scenario, cfg: &ConflictConfig) -> Vec<(String, Replica)> {
    let cfg = Arc::new(cfg.clone());
    (1..=cfg.replicas).map(|i| (format!("r{i}"), Replica::new(cfg.clone()))).collect()
}
