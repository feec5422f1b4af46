//! # D2 — Replication modes: synchronous, asynchronous, semi-synchronous
//!
//! **The problem.** A leader copies every write to its followers. When does it tell the client
//! "done"? After *every* follower has it (synchronous: safe, but as slow as the slowest follower
//! and stuck when one is down), after *k* followers have it (semi-synchronous: the usual
//! compromise), or right away (asynchronous: fast, but writes the leader acknowledged and had not
//! shipped yet vanish when it dies and a follower takes over).
//!
//! **Message flow.** Clients `c1…` send `Write` to the server they believe leads (`s1` at first),
//! open loop (at a rate, whatever the servers do) or closed loop (each keeps `concurrency` writes
//! going; an acknowledgement, a redirect or a timeout frees a slot for the next after a think
//! time).
//! The leader appends the value to its log and, every `ship_ms` (batching, as a WAL sender or
//! binlog dump thread does; 0 = at once), sends each follower the entries it has not been sent in
//! one `Append { first, entries }`; a follower applies entries in index order (buffering early
//! arrivals) and answers `Ack { applied }`. A follower whose acks have not advanced for
//! `failover_ms` while entries are outstanding is sent them again (the `Append` or its `Ack` was
//! lost). The leader answers `WriteAck { index }` — immediately (`async`), after `acks` followers
//! (`semi_sync`) or after all of its followers (`sync`). Every `heartbeat_ms` the leader sends
//! `Heartbeat { last }`.
//!
//! **Failover rule.** A follower that hears nothing from the leader for `failover_ms` sends `Probe`
//! to the other servers and collects `ProbeReply { epoch, last }` for `probe_ms`. The most up-to-date
//! responder (newest epoch, then longest log; ties to the lowest id) promotes itself: new epoch,
//! followers = the servers that answered from its own epoch, and it announces
//! `NewLeader { epoch, last }` (its log length as it takes over) to every node. The others follow
//! whoever announces a higher epoch, keeping at most `last` entries: anything past it came from the
//! old leader after the probe. A newer epoch is joined only on a `NewLeader` or an `Append` (which
//! says where its entries start), never on a bare `Heartbeat`. Because followers apply entries in
//! order, the most up-to-date follower holds every entry any follower holds, so semi-sync and sync
//! lose nothing (but see below).
//!
//! **Restarts.** The log and epoch are durable; leading is not. A leader that crashes comes back
//! as a follower (its view stops saying "leader" at the crash). It hears of the new epoch either
//! from `NewLeader` or, if the failover is over, by probing: the leader answers an old-epoch
//! `Probe` with `NewLeader`. Its log may end in writes that never left it, so it drops the log (as
//! does any server that missed whole epochs), answers `Ack` with what it holds, and the leader
//! takes it on and ships it the whole log. Every server answers `NewLeader` with an `Ack` for the
//! same reason.
//!
//! **Pauses.** A leader frozen by a GC pause while the others fail over wakes up still leading
//! its old epoch. It first handles what reached it while it slept, in order (in async mode it may
//! acknowledge writes that arrived then, not having heard anything newer yet: those are lost, and
//! their clients count them); if `NewLeader` is
//! among them, it follows as a restarted leader does. If it missed `NewLeader`, it still finds
//! out: a server answers any `Heartbeat` or `Append` of an older epoch with an `Ack` of its own
//! epoch (as a Raft follower answers a stale `AppendEntries` with its term), and a leader that
//! hears of a newer epoch in any message (`Ack`, `Probe`, `ProbeReply`, `Heartbeat`) stops leading
//! at once: it acknowledges no more writes (those still waiting for acks time out at their
//! clients) and probes; the new leader answers its old-epoch `Probe` with `NewLeader`, and it
//! drops its log and rejoins. Until its first heartbeat is answered it acts as leader, as a
//! Redis primary back from a stall does until Sentinel demotes it. It hears only from its own
//! followers, though: after a cut network heals, a leader whose followers were all on its side
//! never hears of the other side's newer epoch (D5's lesson again).
//!
//! **What is promised.** No acknowledged write is lost in sync and semi-sync mode as long as one
//! server is down (crashed or paused) at a time and the failover hears from every live server.
//! Without a majority there is no more: if every follower is down the leader is its only copy
//! (sync then waits for no one), and a cut network or a lost `ProbeReply` can promote a server
//! that lacks writes, or two at once (D5's lesson). `tests/swarm_replication.rs` checks both halves of this.
//!
//! **Roles and timers.** Leader: `Heartbeat`. Followers: `Failover`, `ProbeDone`. Clients:
//! `Next` (open-loop arrivals), `Think(op)` (closed loop: the pause after `op` before the next
//! write), `Timeout(op)`.
//!
//! **Metrics.** `write_latency_ms` (histogram: p50/p99), `acked_writes`, `write_timeouts`; per
//! follower `lag_entries` and `max_lag_entries` (leader's last index minus the follower's, at each
//! heartbeat),
//! `lag_ms` (a gauge: how long ago the *newest* entry it just applied was written, i.e. how far
//! behind it is right after a batch, about one trip from the leader) and `replication_lag_ms` (a
//! histogram of *every* entry's delay from written to applied, so it includes the wait for the
//! next batch: about `ship_ms / 2` more at the median; this is how long a follower read can miss
//! a write); `lost_acked_writes`: when a client hears `NewLeader`, the writes it was told were
//! done whose index is past the new leader's log, and afterwards every `WriteAck` of an older
//! epoch for an index past where the newer epochs cut that epoch's log (a paused old leader's
//! acks: the client was told "done" all the same). The leader's unshipped batch dies with it:
//! that, plus whatever had not reached the promoted follower, is what async mode loses.
//! (Messages already on the wire when the leader crashes still arrive.) Writes that survive a
//! failover are forgotten there: a later failover that loses them does not count them.
//!
//! **What to watch.** In sync mode each `WriteAck` waits for the far follower's `Ack`; in async the
//! `WriteAck` leaves at once while `Append`s trail behind. Crash the leader: after the silence, the
//! `Probe` round and the `NewLeader` note, async clients count the writes that are gone.
//!
//! **References.** M. Kleppmann, *Designing Data-Intensive Applications*, ch. 5 (leaders and
//! followers, replication lag); MySQL semi-synchronous replication; PostgreSQL
//! `synchronous_commit` and `synchronous_standby_names`.

mod node;
mod server;

pub use node::{ReplMsg, ReplNode, ReplTimer};
pub use server::Server;

use crate::blocks::Generator;
use crate::scenario::{limits, Scenario, ScenarioError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// When the leader acknowledges a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplMode {
    /// After every follower has applied it.
    Sync,
    /// As soon as the leader has it.
    #[default]
    Async,
    /// After `acks` followers have applied it.
    SemiSync,
}

/// D2 configuration. Clients and their load come from the scenario's `workload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicationConfig {
    pub mode: ReplMode,
    /// Leader plus followers.
    pub servers: u32,
    /// Semi-sync: follower acks before the leader answers.
    #[serde(default = "one")]
    pub acks: u32,
    #[serde(default = "default_heartbeat_ms")]
    pub heartbeat_ms: u64,
    #[serde(default = "default_failover_ms")]
    pub failover_ms: u64,
    #[serde(default = "default_probe_ms")]
    pub probe_ms: u64,
    /// The leader ships new log entries to followers in batches every `ship_ms` (0 = at once),
    /// like a WAL sender or binlog dump thread.
    #[serde(default)]
    pub ship_ms: u64,
}

fn one() -> u32 {
    1
}
fn default_heartbeat_ms() -> u64 {
    50
}
fn default_failover_ms() -> u64 {
    500
}
fn default_probe_ms() -> u64 {
    100
}

impl ReplicationConfig {
    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        if !(2..=9).contains(&self.servers) {
            return Err(ScenarioError::invalid("protocol.servers", "must be 2 to 9"));
        }
        if self.acks == 0 || self.acks >= self.servers {
            let most = self.servers - 1;
            let why = format!(
                "{} is out of range: use 1 to {most} (the acks of followers: servers − 1 of them)",
                self.acks
            );
            return Err(ScenarioError::invalid("protocol.acks", why));
        }
        for (field, v) in [
            ("protocol.heartbeat_ms", self.heartbeat_ms),
            ("protocol.failover_ms", self.failover_ms),
            ("protocol.probe_ms", self.probe_ms),
        ] {
            if v == 0 || v > 600_000 {
                return Err(ScenarioError::invalid(field, "must be 1 to 600000 ms"));
            }
        }
        if self.ship_ms > 60_000 {
            return Err(ScenarioError::invalid("protocol.ship_ms", "must be 0 to 60000 ms"));
        }
        if self.failover_ms <= self.heartbeat_ms {
            return Err(ScenarioError::invalid("protocol.failover_ms", "must exceed protocol.heartbeat_ms"));
        }
        let max = limits::MAX_NODES.saturating_sub(self.servers);
        if sc.workload.clients == 0 || sc.workload.clients > max {
            return Err(ScenarioError::invalid("workload.clients", format!("must be 1 to {max}")));
        }
        Ok(())
    }
}

/// The nodes of a D2 run: servers `s1…` (ids 0…; `s1` leads first), then clients `c1…`.
pub fn build(sc: &Scenario, cfg: &ReplicationConfig) -> Vec<(String, ReplNode)> {
    let cfg = Arc::new(cfg.clone());
    let timeout_ms = if sc.workload.timeout_ms > 0 { sc.workload.timeout_ms } else { 1000 };
    let mut out: Vec<(String, ReplNode)> = (0..cfg.servers)
        .map(|i| (format!("s{}", i + 1), ReplNode::Server(Box::new(Server::new(cfg.clone(), i)))))
        .collect();
    let gen = Generator::new(&sc.workload);
    for i in 0..sc.workload.clients {
        out.push((format!("c{}", i + 1), ReplNode::client(cfg.clone(), gen.clone(), i, timeout_ms)));
    }
    out
}
