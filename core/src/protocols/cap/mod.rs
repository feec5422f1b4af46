//! # D1 — CAP under partition
//!
//! **The problem.** One replicated register, three to seven replicas, clients attached to their
//! nearest replica. Cut the network: a client on the small side of the cut can either be refused
//! (the system stays *consistent*: CP) or be served from the replica it can reach, which then no
//! longer agrees with the others (the system stays *available*: AP). Brewer's conjecture, proved by
//! Gilbert and Lynch: under a partition you cannot have both. The same seed and the same partition
//! run in both modes so the two outcomes can be compared side by side.
//!
//! **Message flow.** Client `cI` sends `ClientRead`/`ClientWrite` to its home replica
//! `r((I−1) mod N + 1)`, which answers `ClientReply`. Clients run the workload open loop (arrivals
//! at a rate, whatever the replicas do) or closed loop (each keeps `concurrency` operations going;
//! an answer, a refusal or a timeout frees a slot for the next after a think time).
//! - `cp`: the home replica *coordinates* a majority-quorum operation (ABD, multi-writer): `Query`
//!   every replica for its tagged value and wait for a majority of `QueryReply`; a write picks the
//!   tag `(highest counter + 1, own id)`, a read keeps the highest tag it saw; then `Store` that
//!   tagged value on every replica and wait for a majority of `StoreAck` before answering (a read
//!   writes back so no later read can return something older). A replica that cannot gather a
//!   majority within `request_timeout_ms` refuses: `ClientReply` with an error.
//! - `ap`: the home replica answers at once from its own copy. A write is stamped with the
//!   replica's clock (last-writer-wins tag `(µs, replica)`) and a version vector, acknowledged, and
//!   pushed to the peers (`Replicate`); every `sync_ms` each replica also pushes its copy to every
//!   peer (anti-entropy), so divergent copies reconcile after the heal. On receipt, a version vector
//!   that dominates wins; concurrent vectors are a *conflict*: the higher LWW tag wins and the other
//!   side's writes are discarded.
//!
//! **Roles and timers.** Replicas: `RequestTimeout(op)` (cp), `Sync` (ap). Clients: `Next`
//! (open-loop arrivals from the scenario's workload), `Think(op)` (closed loop: the pause after
//! `op` before the next operation), `Timeout(op)`.
//!
//! **Metrics.** `ok`; `refused`: refusals, and the requests the client gave up on (`Timeout`,
//! 2 × `request_timeout_ms` + 1 s after sending: a lost message, a home replica down or cut off);
//! `client_availability_permille` per client (ok / all finished, cumulative: a timeout counts
//! against it as a refusal does, for a request never answered was not served); `op_latency_ms`;
//! `late_replies` per replica (replies past the majority, ignored; only the first is noted); in ap mode `stale_reads` (a read served
//! after some other replica had already acknowledged a newer write — counted when the replica learns
//! of that write; the replicas' view, so a read that overlapped that write at its client counts,
//! though a linearizable history may have it either way) and `conflicts` (merges of concurrent versions; the losing side's value is dropped).
//! Every client operation is recorded in the history: `dsplay lincheck` finds cp runs linearizable
//! and ap runs with a partition not.
//!
//! **What to watch.** In cp mode the minority client's requests turn into `Query` messages that die
//! at the cut and come back as refusals; the majority side carries on. In ap mode everybody is
//! served, the replicas' `value` fields drift apart, and a `Sync` after the heal makes one side's
//! value win (note: *conflict*).
//!
//! **References.** E. Brewer, *Towards robust distributed systems* (PODC 2000 keynote); S. Gilbert,
//! N. Lynch, *Brewer's conjecture and the feasibility of consistent, available, partition-tolerant
//! web services* (2002); H. Attiya, A. Bar-Noy, D. Dolev, *Sharing memory robustly in
//! message-passing systems* (1995); M. Kleppmann, *A critique of the CAP theorem* (2015).

mod node;
mod replica;

pub use node::{CapMsg, CapNode, CapTimer};
pub use replica::{Replica, Tag};

use crate::blocks::Generator;
use crate::scenario::{limits, Scenario, ScenarioError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Consistent-or-available choice under partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapMode {
    /// Majority quorums (ABD): linearizable, the minority side refuses.
    #[default]
    Cp,
    /// Local reads and writes, async replication, last-writer-wins reconciliation.
    Ap,
}

/// D1 configuration. Clients and their load come from the scenario's `workload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapConfig {
    pub mode: CapMode,
    pub replicas: u32,
    /// cp: a coordinator refuses if it has no majority after this long.
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// ap: anti-entropy period.
    #[serde(default = "default_sync_ms")]
    pub sync_ms: u64,
}

fn default_request_timeout_ms() -> u64 {
    500
}
fn default_sync_ms() -> u64 {
    1000
}

impl CapConfig {
    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        if !(2..=7).contains(&self.replicas) {
            return Err(ScenarioError::invalid("protocol.replicas", "must be 2 to 7"));
        }
        for (field, v) in
            [("protocol.request_timeout_ms", self.request_timeout_ms), ("protocol.sync_ms", self.sync_ms)]
        {
            if v == 0 || v > 600_000 {
                return Err(ScenarioError::invalid(field, "must be 1 to 600000 ms"));
            }
        }
        let max = limits::MAX_NODES.saturating_sub(self.replicas);
        if sc.workload.clients == 0 || sc.workload.clients > max {
            return Err(ScenarioError::invalid("workload.clients", format!("must be 1 to {max}")));
        }
        Ok(())
    }

    /// Smallest majority of the replicas.
    pub fn majority(&self) -> u32 {
        self.replicas / 2 + 1
    }
}

/// The nodes of a D1 run: replicas `r1…` (ids 0…), then clients `c1…`.
pub fn build(sc: &Scenario, cfg: &CapConfig) -> Vec<(String, CapNode)> {
    let cfg = Arc::new(cfg.clone());
    let mut out: Vec<(String, CapNode)> =
        (1..=cfg.replicas).map(|i| (format!("r{i}"), CapNode::Replica(Replica::new(cfg.clone())))).collect();
    let gen = Generator::new(&sc.workload);
    for i in 0..sc.workload.clients {
        out.push((format!("c{}", i + 1), CapNode::client(cfg.clone(), gen.clone(), i)));
    }
    out
}
