//! # D5 — Split brain
//!
//! **The problem.** A primary serves writes and a backup takes over when the primary seems dead.
//! But "I stopped hearing its heartbeats" does not mean "it is dead": in a partition both sides
//! live on. If the backup promotes itself on silence alone, two primaries accept writes at once,
//! and whatever one side accepted is lost or must be merged by hand when the network heals.
//!
//! **Message flow.** The primary `p1` sends `Heartbeat { epoch, since }` to the backup `p2` every
//! `heartbeat_ms`. Clients send `Write` to the server they prefer and switch on `NotPrimary` or
//! on a timeout of a write sent since their last switch (not on every stale timeout), open loop (at a rate, whatever the servers do) or closed loop (each keeps `concurrency` writes
//! going; an `Ack`, a `Rejected` or a timeout frees a slot for the next after a think time, so a
//! closed loop needs `workload.timeout_ms`: a write lost at a crashed or cut-off server would
//! hold its slot for good).
//! - `naive`: when `p2` hears nothing for `failover_ms`, it promotes itself (epoch + 1).
//! - `quorum`: a server accepts writes only while it holds a *lease* granted by a majority of the
//!   three witnesses `w1…w3` (`LeaseRequest` → `LeaseGrant`/`LeaseDenied`, renewed every
//!   `lease_ms / 3`). A witness grants to one holder at a time, until `lease_ms` after it granted.
//!   The holder counts its lease from when it *asked*, so it always stops before any witness
//!   would grant to someone else; for the same reason a late grant of an earlier round still
//!   counts, extending the lease to that round's asking time + `lease_ms` (so round trips only
//!   need to stay below the lease, not below the renewal period). Before it acknowledges a write
//!   the holder checks the lease's end against its clock, and a grant whose lease has already
//!   run out (the holder was paused) grants nothing. The backup asks for the lease only after
//!   `failover_ms` of silence, and stops asking when it hears a primary's heartbeat: late grants
//!   of its rounds are ignored. A majority is two *distinct* witnesses of one round (a
//!   duplicated `LeaseGrant` counts once). A witness that crashes forgets its holder, so on
//!   restart it grants nothing for `lease_ms`, until any lease it granted before the crash has
//!   run out.
//!
//! When a primary hears a heartbeat from a primary of a higher epoch it steps down and counts the
//! writes it accepted after that primary was promoted: `conflicting_writes`.
//!
//! **Roles and timers.** Servers: `Heartbeat`, `Failover` (backup), `Renew`, `LeaseExpiry`.
//! Witnesses: none. Clients: `Next` (open-loop arrivals), `Think` (closed loop), `Timeout`.
//!
//! **Invariant.** "at most one primary accepting writes" among running servers: violated in naive
//! mode during a partition, never in quorum mode (without clock skew; skew the clocks and leases
//! break too, which is E6's lesson).
//!
//! **What to watch.** In naive mode both servers wear the `accepting` badge during the partition
//! and both clients' writes succeed; in quorum mode the side without two witnesses rejects writes.
//!
//! **References.** M. Kleppmann, *Designing Data-Intensive Applications*, ch. 8 ("The truth is
//! defined by the majority"); C. Gray, D. Cheriton, *Leases* (SOSP 1989).

mod client;
mod node;

pub use node::{SbMsg, SbNode, SbTimer};

use crate::blocks::Generator;
use crate::scenario::{Scenario, ScenarioError};
use serde::{Deserialize, Serialize};

/// How the backup decides to take over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailoverMode {
    /// Promote on missing heartbeats alone.
    Naive,
    /// Accept writes only while holding a lease from a majority of three witnesses.
    Quorum,
}

/// D5 configuration. Clients and their load come from the scenario's `workload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitBrainConfig {
    pub mode: FailoverMode,
    pub heartbeat_ms: u64,
    pub failover_ms: u64,
    pub lease_ms: u64,
}

impl SplitBrainConfig {
    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        let bad = |f: &str, m: &str| ScenarioError::invalid(format!("protocol.{f}"), m);
        if self.heartbeat_ms == 0 || self.heartbeat_ms > 60_000 {
            return Err(bad("heartbeat_ms", "must be 1 to 60000"));
        }
        if self.failover_ms <= self.heartbeat_ms || self.failover_ms > 600_000 {
            return Err(bad("failover_ms", "must be above heartbeat_ms and at most 600000"));
        }
        if self.lease_ms < 3 || self.lease_ms > 600_000 {
            return Err(bad("lease_ms", "must be 3 to 600000"));
        }
        if sc.workload.clients == 0 || sc.workload.clients > 64 {
            return Err(ScenarioError::invalid("workload.clients", "split brain needs 1 to 64 clients"));
        }
        if sc.workload.closed_without_timeout() {
            return Err(ScenarioError::invalid(
                "workload.timeout_ms",
                "a closed loop needs a client timeout: a write lost at a crashed or cut-off server \
                 would hold its slot for good; use 1 or more (the presets use 1000)",
            ));
        }
        Ok(())
    }
}

/// Nodes: servers `p1` (primary) and `p2` (backup), witnesses `w1…w3`, clients `c1…`.
pub fn build(sc: &Scenario, cfg: &SplitBrainConfig) -> Vec<(String, SbNode)> {
    let mut out =
        vec![("p1".to_string(), SbNode::server(cfg, 0)), ("p2".to_string(), SbNode::server(cfg, 1))];
    for i in 0..3 {
        out.push((format!("w{}", i + 1), SbNode::witness(cfg.lease_ms)));
    }
    let gen = Generator::new(&sc.workload);
    for i in 0..sc.workload.clients {
        out.push((format!("c{}", i + 1), SbNode::client(gen.clone(), i % 2)));
    }
    out
}
