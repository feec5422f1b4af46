//! # D4 — Raft
//!
//! **The problem.** A replicated key-value store must agree on one sequence of commands although
//! servers crash and the network splits. Raft (Ongaro & Ousterhout, 2014) elects one leader per
//! term, which orders commands in its log and replicates them; an entry is *committed* once a
//! majority stores it, and committed entries are never lost.
//!
//! **Message flow.** A follower that hears nothing for a randomized *election timeout* becomes a
//! candidate: it increments its term, votes for itself and sends `RequestVote` (with its last log
//! index and term). A server grants at most one vote per term, and only to a candidate whose log is
//! at least as up to date as its own (§5.4.1). With a majority of votes the candidate becomes
//! leader, appends a no-op, and sends `AppendEntries` to everyone, every heartbeat interval and
//! whenever a command arrives. A follower accepts entries only if its log holds the entry just
//! before them (`prev_index`, `prev_term`), truncating any conflicting suffix; it answers
//! `AppendReply`, and the leader moves that follower's nextIndex/matchIndex. The leader commits the
//! highest index stored on a majority *whose entry is from its current term* (§5.4.2, Figure 8),
//! then every server applies committed entries in order to its key-value map. Any message with a
//! higher term turns its receiver into a follower: a stale leader steps down.
//!
//! **Roles and timers.** Servers `n1…nN` (3–9): `Election` (randomized in
//! `[election_timeout_ms_min, election_timeout_ms_max]`), `Heartbeat` (leader). Clients `c1…` (from
//! `workload`): send `Request` to the server they believe leads, follow `NotLeader` hints,
//! `Timeout` gives up (the outcome is then unknown); in a closed loop, `Think` is the pause before
//! a slot's next request (a closed loop needs `workload.timeout_ms`: a request lost at a crashed
//! leader would hold its slot for good). `currentTerm`, `votedFor` and the log are durable: a crash
//! drops the commit index, the applied state and the leader's bookkeeping, and a restarted server
//! replays its log once it learns the commit index again. A user can type `write`/`read` with `key`
//! and `value` on a server: the leader appends it, others refuse.
//!
//! **Invariants.** Election safety (at most one leader per term), log matching, leader
//! completeness, state-machine safety; see [`check`]. `unsafe_skip_log_check: true` grants votes
//! without the up-to-date check: a server with a stale log can then win and overwrite committed
//! entries, which the checks catch (the swarm test proves it).
//!
//! **Election-downtime experiment.** With `experiment`, a driver node crashes the leader at a
//! random point of its heartbeat interval, measures the time until every survivor has heard the
//! new leader's first AppendEntries (`election_downtime_ms`, one sample per trial), restarts the
//! old leader, and repeats; `election_downtime_p50_ms` is the median over every trial so far (the
//! histogram's chart only shows each sample interval's trials). `commit_latency_ms` is something
//! else: how long an entry, such as each new leader's no-op, takes to reach a majority.
//! `ineligible: k` keeps the last k servers' logs stale (leaders send them no entries), so they
//! can never win: fewer candidates, longer downtime.
//!
//! **What to watch.** Terms rising on the labels; the vote burst after a crash; `AppendEntries`
//! fanning out; commit index following a majority; in a partition, the minority leader's commit
//! index frozen while the majority elects a new leader, and its step-down after heal.
//!
//! **References.** D. Ongaro, J. Ousterhout, *In Search of an Understandable Consensus Algorithm*
//! (USENIX ATC 2014), Figures 2, 3 and 8; Ongaro's thesis (2014) §9 on election timeouts;
//! RaftScope; tikv/raft-rs.

pub mod check;
mod client;
mod driver;
mod msg;
mod node;
mod replicate;
mod server;

pub use msg::{Cmd, Entry, Observed, RaftMsg, RaftTimer};
pub use node::RaftNode;
pub use server::{Params, Role, Server};

use crate::blocks::Generator;
use crate::ids::NodeId;
use crate::scenario::{limits, Scenario, ScenarioError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// D4 configuration. Clients and their load come from the scenario's `workload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaftConfig {
    /// Cluster size, 2 to 9 (with 2, one crash stops the cluster).
    pub servers: u32,
    pub election_timeout_ms_min: u64,
    pub election_timeout_ms_max: u64,
    pub heartbeat_ms: u64,
    /// The mutation the swarm test must catch: votes without the log up-to-date check.
    #[serde(default)]
    pub unsafe_skip_log_check: bool,
    /// The election-downtime experiment, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<Experiment>,
}

/// Crash the leader `trials` times; `ineligible` servers keep stale logs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    pub trials: u32,
    #[serde(default)]
    pub ineligible: u32,
}

fn bad(field: &str, msg: impl Into<String>) -> ScenarioError {
    ScenarioError::invalid(format!("protocol.{field}"), msg)
}

impl RaftConfig {
    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        if !(2..=9).contains(&self.servers) {
            // In the words of other range checks, which a form's advice for a value not even of
            // the field's type (-3) takes up: it said "0 or more", then refused 0 (review 47 C8).
            // Two servers run, for the classic "why not two?" (review 49 C3): a majority of two
            // is both, so one crash stops the cluster.
            return Err(bad(
                "servers",
                "must be 2 to 9 (a majority survives a crash from 3 on; with 2, one crash stops it)",
            ));
        }
        let (lo, hi) = (self.election_timeout_ms_min, self.election_timeout_ms_max);
        // At the bound that is broken: a max over 60 s was reported at min (review 18).
        // The minimum is 2: the heartbeat (at least 1 ms) must come before it. At 1, the error
        // fell on the heartbeat and asked for "1 to 0" (review 43).
        if lo < 2 || hi < lo {
            // Saying the max it was held against: "need min ≤ max" did not (review 47 C8).
            // Above this heartbeat, not any: "2 to 300" let 30 through to fail at a heartbeat of 50
            // (review 50 C9).
            let floor = (self.heartbeat_ms + 1).max(2);
            let said = match hi {
                _ if self.heartbeat_ms > 0 && (floor..=60_000).contains(&hi) => format!(
                    "must be {floor} to {hi}: above the heartbeat ({} ms) and at most the max",
                    self.heartbeat_ms
                ),
                2..=60_000 => {
                    format!("must be 2 to {hi}: at most the max, and above the heartbeat (at least 1 ms)")
                }
                _ => "need 2 ≤ min ≤ max ≤ 60000 ms (above the heartbeat, which is at least 1 ms)".into(),
            };
            return Err(bad("election_timeout_ms_min", said));
        }
        if hi > 60_000 {
            return Err(bad("election_timeout_ms_max", "need 2 ≤ min ≤ max ≤ 60000 ms"));
        }
        if self.heartbeat_ms == 0 || self.heartbeat_ms >= lo {
            return Err(bad(
                "heartbeat_ms",
                format!("must be 1 to {} (below the election timeout, or followers keep electing)", lo - 1),
            ));
        }
        if sc.workload.clients > limits::MAX_CLIENTS {
            return Err(ScenarioError::invalid("workload.clients", "too many clients"));
        }
        // A request ends on an answer, after `MAX_TRIES` redirects (`NotLeader`) or at the client's
        // timeout: one sent to a crashed server, or lost on the wire, gets neither answer nor
        // redirect.
        if sc.workload.closed_without_timeout() {
            return Err(ScenarioError::invalid(
                "workload.timeout_ms",
                "a closed loop needs a client timeout: a request lost at a crashed leader or on the \
                 wire is never answered nor redirected, so it would hold its slot for good; use 1 or \
                 more (the presets use 2000)",
            ));
        }
        if let Some(e) = &self.experiment {
            if e.trials == 0 || e.trials > 100_000 {
                return Err(bad("experiment.trials", "must be 1 to 100000"));
            }
            let max = self.servers - self.majority();
            if e.ineligible > max {
                return Err(bad(
                    "experiment.ineligible",
                    format!(
                        "at most {max} for {} servers (the others must still form a majority)",
                        self.servers
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn majority(&self) -> u32 {
        self.servers / 2 + 1
    }
}

/// The nodes of a D4 run: servers `n1…`, clients `c1…`, then `driver` if an experiment runs.
pub fn build(sc: &Scenario, cfg: &RaftConfig) -> Vec<(String, RaftNode)> {
    let servers = cfg.servers;
    let clients = sc.workload.clients;
    let driver = cfg.experiment.as_ref().map(|_| NodeId(servers + clients));
    let params = Arc::new(Params {
        servers,
        timeout_min_us: cfg.election_timeout_ms_min * 1000,
        timeout_max_us: cfg.election_timeout_ms_max * 1000,
        heartbeat_us: cfg.heartbeat_ms * 1000,
        unsafe_skip_log_check: cfg.unsafe_skip_log_check,
        driver,
        ineligible: cfg.experiment.as_ref().map_or(0, |e| e.ineligible),
    });
    let mut out: Vec<(String, RaftNode)> = (0..servers)
        .map(|i| {
            (
                server::server_name(NodeId(i)),
                RaftNode::Server(Box::new(Server::new(params.clone(), NodeId(i)))),
            )
        })
        .collect();
    let gen = Generator::new(&sc.workload);
    for i in 0..clients {
        out.push((format!("c{}", i + 1), RaftNode::Client(client::Client::new(gen.clone(), servers, i))));
    }
    if let Some(e) = &cfg.experiment {
        let d =
            driver::Driver::new(e.trials, servers, e.ineligible, params.heartbeat_us, params.timeout_max_us);
        out.push(("driver".into(), RaftNode::Driver(d)));
    }
    out
}

#[cfg(test)]
mod tests;
