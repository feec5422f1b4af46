//! # D3 — Quorums (Dynamo-style), with read repair, sloppy quorum, hinted handoff, and ABD
//!
//! **The problem.** Keep N copies of every key on a ring of replicas and stay available when some
//! are slow or down. A write waits for W acknowledgements and a read for R answers: with
//! R + W > N every read quorum overlaps every write quorum, with R + W ≤ N a read can miss the
//! latest write entirely (a *stale read*). Even R + W > N is not linearizable in plain Dynamo: a
//! read racing a write can see the new value and a later read the old one.
//!
//! **Message flow.** A client sends `ClientGet`/`ClientPut` to a random replica, which
//! *coordinates* that request: it sends `Read`/`Write` to the key's preference list (the N
//! replicas following the key's position on the ring, key mod replicas), waits for R
//! `ReadReply`s (answering with the newest version) or W `WriteAck`s, and answers
//! `ClientReply`. Versions are (coordinator clock µs, node, seq): last writer wins.
//! - *Read repair* (Dynamo gets): the client gets the newest of the first R replies, but the
//!   coordinator keeps taking replies until all are in or the `Deadline`, and keeps the newest
//!   version among *all* of them. Every replier known to hold an older one gets a `Repair` with it
//!   — the coordinator's own copy too, a reply answered before a newer one came in, and again if
//!   a later reply is newer still. (ABD's write-back takes its place.)
//! - *Sloppy quorum + hinted handoff*: if the quorum is not in after `sloppy_after_ms`, the
//!   coordinator asks the next replicas down the ring in place of the silent ones; a fallback
//!   keeps such a write as a *hint* for its owner and offers it back (`Handoff`, every
//!   `handoff_interval_ms`) until the owner acks (`HandoffAck`).
//! - *Linearizable mode (ABD, Attiya–Bar-Noy–Dolev)*: a put first reads the highest version from
//!   R replicas and writes counter + 1 to W; a get reads R replicas and *writes back* the newest
//!   value to W replicas before answering. With R + W > N (and no sloppy quorum) every history is
//!   linearizable; the checker (`crate::check`) proves it on the recorded history.
//!
//! **Per-leg latency.** The network samples one latency per link. To shape the four legs of the
//! PBS model (Bailis et al.) separately — write request (W), ack (A), read request (R), read
//! response (S) — a replica *holds* each leg for an extra delay sampled from `legs.write`,
//! `legs.ack`, `legs.read`, `legs.response` (a `Leg` timer): a held write is applied only when its
//! delay ends, a held ack or response is sent only then. Legs left out add nothing.
//!
//! **Roles and timers.** Replicas r1…: `Leg` (a held leg ends), `Deadline` (a request gives up and
//! answers failure), `Sloppy` (ask fallbacks), `Handoff` (offer hints). Clients c1…: `Next`
//! (open loop), `Think` (closed loop), `Timeout`, `ProbeRead` (t-visibility).
//!
//! **Metrics.** `stale_reads`: a client read a version older than one it had already seen (its
//! own write, or an earlier read) — a read-your-writes / monotonic-reads failure, which R + W ≤ N
//! makes common. `read_repairs`, `sloppy_fallbacks`, `hints_stored`, `hints_handed_off`,
//! `quorum_failures`, `read_latency_ms`, `write_latency_ms`. `late_replies` (per coordinator;
//! only the first is noted) counts the replies the coordinator no longer uses: `WriteAck`s after
//! the request finished (those beyond the write quorum — N − W per write when every replica
//! answers — and any after the `Deadline`), and `ReadReply`s after the `Deadline` or, in ABD,
//! after the request moved on to its store phase. A `ReadReply` beyond R in a Dynamo get is
//! *not* counted: it feeds read repair. So in Dynamo mode the count is almost all surplus
//! `WriteAck`s. In probe mode (`probe_visibility`), each client writes a fresh key, and when the
//! write commits reads it back after each of t = 0, 1, 2, 5, 10, 20, 50, 100 ms
//! ([`msg::TVIS_MS`]; metric names are fixed strings, so the buckets are fixed):
//! `tvis_reads_<t>ms` and `tvis_fresh_<t>ms` count probe reads and the ones that returned the
//! write; `tvis_fresh_ppm_<t>ms` (per client) is the ratio. Probe reads never read-repair, so
//! `read_repair` changes nothing there: they are the instrument, and a probe that repaired would
//! bring the key up to date for the later ones, lifting the curve it measures (PBS measures
//! staleness without read repair).
//!
//! **Invariants.** In linearizable mode a client that reads an older version than it has seen
//! reports `monotonic_reads`. The full judgement is the linearizability checker run on the
//! history (tests do it for hundreds of seeds).
//!
//! **What to watch.** R + W ≤ N: `stale_reads` climbs; raise R or W and it drops to zero while
//! latency rises. Crash a replica with sloppy quorum on: writes still succeed, fallbacks show the
//! *hinted* badge, and the hints drain when the replica restarts.
//!
//! **References.** DeCandia et al., *Dynamo* (SOSP 2007); Bailis et al., *Probabilistically
//! Bounded Staleness* (VLDB 2012); Attiya, Bar-Noy, Dolev, *Sharing memory robustly in
//! message-passing systems* (JACM 1995).

mod client;
mod coordinator;
pub mod msg;
mod node;
mod replica;

pub use client::{Client, PROBE_KEY_BASE};
pub use msg::{QMsg, QTimer, Version};
pub use node::{QuorumNode, Server};

use crate::blocks::Generator;
use crate::dist::Dist;
use crate::ids::NodeId;
use crate::scenario::{limits, Scenario, ScenarioError};
use crate::time::SimDuration;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How versions are chosen and whether reads write back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuorumMode {
    /// Dynamo: last writer wins by coordinator clock; reads answer straight away.
    #[default]
    Dynamo,
    /// ABD: versioned two-phase writes and reads that write back before answering.
    Linearizable,
}

/// Extra per-leg delays (see the module docs); a missing leg adds nothing.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Legs {
    pub write: Option<Dist>,
    pub ack: Option<Dist>,
    pub read: Option<Dist>,
    pub response: Option<Dist>,
}

/// D3 configuration. Clients and their load come from the scenario's `workload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuorumConfig {
    /// Replicas on the ring (at least `n`; more leaves room for sloppy-quorum fallbacks).
    pub replicas: u32,
    /// Copies of each key.
    pub n: u32,
    /// Replies a read waits for.
    pub r: u32,
    /// Acks a write waits for.
    pub w: u32,
    #[serde(default)]
    pub mode: QuorumMode,
    #[serde(default = "yes")]
    pub read_repair: bool,
    #[serde(default)]
    pub sloppy_quorum: bool,
    #[serde(default = "default_sloppy_after_ms")]
    pub sloppy_after_ms: u64,
    #[serde(default = "default_handoff_interval_ms")]
    pub handoff_interval_ms: u64,
    /// A coordinator answers failure if its quorum is not in after this long.
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
    #[serde(default)]
    pub legs: Legs,
    /// Run the t-visibility experiment instead of the generated workload's keys.
    #[serde(default)]
    pub probe_visibility: bool,
}

fn yes() -> bool {
    true
}
fn default_sloppy_after_ms() -> u64 {
    50
}
fn default_handoff_interval_ms() -> u64 {
    200
}
fn default_request_timeout_ms() -> u64 {
    1000
}

impl QuorumConfig {
    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        let max = limits::MAX_NODES.saturating_sub(sc.workload.clients);
        if self.replicas == 0 || self.replicas > max {
            return Err(ScenarioError::invalid("protocol.replicas", format!("must be 1 to {max}")));
        }
        if self.n == 0 || self.n > self.replicas {
            return Err(ScenarioError::invalid(
                "protocol.n",
                format!("must be 1 to replicas ({})", self.replicas),
            ));
        }
        for (field, v) in [("protocol.r", self.r), ("protocol.w", self.w)] {
            if v == 0 || v > self.n {
                return Err(ScenarioError::invalid(field, format!("must be 1 to n ({})", self.n)));
            }
        }
        for (field, v) in [
            ("protocol.sloppy_after_ms", self.sloppy_after_ms),
            ("protocol.handoff_interval_ms", self.handoff_interval_ms),
            ("protocol.request_timeout_ms", self.request_timeout_ms),
        ] {
            if v == 0 || v > 600_000 {
                return Err(ScenarioError::invalid(field, "must be 1 to 600000 ms"));
            }
        }
        let legs = [("write", &self.legs.write), ("ack", &self.legs.ack), ("read", &self.legs.read)];
        for (name, leg) in legs.into_iter().chain([("response", &self.legs.response)]) {
            if let Some(d) = leg {
                d.check(0).map_err(|m| ScenarioError::invalid(format!("protocol.legs.{name}"), m))?;
            }
        }
        if sc.workload.clients == 0 {
            return Err(ScenarioError::invalid("workload.clients", "quorums need at least one client"));
        }
        Ok(())
    }
}

/// What every node of a run shares (read-only).
#[derive(Clone, Debug)]
pub struct Params {
    pub replicas: u32,
    pub n: u32,
    pub r: u32,
    pub w: u32,
    pub mode: QuorumMode,
    pub read_repair: bool,
    pub sloppy_quorum: bool,
    pub sloppy_after_ms: u64,
    pub handoff_interval_ms: u64,
    pub request_timeout_ms: u64,
    pub legs: Legs,
    pub probe_visibility: bool,
    pub client_timeout: SimDuration,
}

impl Params {
    /// The ring order for `key`: its N preferred replicas first, then the fallbacks.
    pub fn preference(&self, key: u64) -> impl Iterator<Item = NodeId> {
        let m = u64::from(self.replicas);
        let start = key % m;
        (0..m).map(move |i| NodeId(((start + i) % m) as u32))
    }
}

/// The nodes of a D3 run: replicas `r1…` (ids 0…), then clients `c1…`.
pub fn build(sc: &Scenario, cfg: &QuorumConfig) -> Vec<(String, QuorumNode)> {
    let client_timeout_ms =
        if sc.workload.timeout_ms > 0 { sc.workload.timeout_ms } else { 2 * cfg.request_timeout_ms };
    let params = Arc::new(Params {
        replicas: cfg.replicas,
        n: cfg.n,
        r: cfg.r,
        w: cfg.w,
        mode: cfg.mode,
        read_repair: cfg.read_repair,
        sloppy_quorum: cfg.sloppy_quorum,
        sloppy_after_ms: cfg.sloppy_after_ms,
        handoff_interval_ms: cfg.handoff_interval_ms,
        request_timeout_ms: cfg.request_timeout_ms,
        legs: cfg.legs.clone(),
        probe_visibility: cfg.probe_visibility,
        client_timeout: SimDuration::from_ms(client_timeout_ms),
    });
    let mut out: Vec<(String, QuorumNode)> =
        (1..=cfg.replicas).map(|i| (format!("r{i}"), QuorumNode::server(params.clone()))).collect();
    let gen = Generator::new(&sc.workload);
    for i in 0..sc.workload.clients {
        let client = Client::new(params.clone(), gen.clone(), i);
        out.push((format!("c{}", i + 1), QuorumNode::Client(Box::new(client))));
    }
    out
}
