//! Protocol families. Each is a module of sans-IO node state machines plus its config;
//! `ProtocolConfig` is the serde-tagged choice a scenario makes.

pub mod cap;
pub mod clocks;
pub mod conflict;
pub mod crdt;
pub mod events;
pub mod lb;
pub mod locks;
pub mod multiregion;
pub mod quorum;
pub mod raft;
pub mod replication;
pub mod resilience;
pub mod sharding;
pub mod sourcing;
pub mod splitbrain;
pub mod traffic;
pub mod transactions;

use crate::scenario::{Scenario, ScenarioError};
use serde::{Deserialize, Serialize};

/// Which protocol a scenario runs, with its knobs. Tagged by `kind`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProtocolConfig {
    /// T1: clients → balancer → heterogeneous backends.
    LoadBalancing(lb::LbConfig),
    /// T2–T7: health checks, redundancy, auto-scaling, sessions, rate limiting, caching.
    Traffic(Box<traffic::TrafficConfig>),
    /// D4: Raft — elections, log replication, commit on majority; election-downtime experiment.
    Raft(raft::RaftConfig),
    /// D5: primary/backup failover, naive or with a majority-quorum lease.
    SplitBrain(splitbrain::SplitBrainConfig),
    /// R1–R5: a service graph with timeouts, breakers, bulkheads, retries, fallbacks.
    Resilience(resilience::MeshConfig),
    /// R4: clients contending on compare-and-set registers, one retry policy per group.
    RetryContention(resilience::ContentionConfig),
    /// E1–E3: producers, a broker queue, consumers; backpressure, dead letters, idempotency.
    Messaging(events::MessagingConfig),
    /// D3: Dynamo-style N/R/W quorums, read repair, sloppy quorum + hinted handoff, ABD mode.
    Quorum(quorum::QuorumConfig),
    /// D8: CRDTs (counters, OR-Set, LWW) replicated by gossip anti-entropy.
    Crdt(crdt::CrdtConfig),
    /// D9: a router placing keys on shards (range, mod N, ring, jump); hot spots and moved keys.
    Sharding(sharding::ShardingConfig),
    /// D1: one replicated register, CP (majority quorums) or AP (local + LWW) under partition.
    Cap(cap::CapConfig),
    /// D6: Lamport and vector clocks on every event; causal delivery with a hold-back queue.
    Clocks(clocks::ClocksConfig),
    /// D2: leader + followers, synchronous / asynchronous / semi-sync; failover loses async writes.
    Replication(replication::ReplicationConfig),
    /// D7: last-writer-wins with clock skew, versions, vector-clock siblings merged by the app.
    Conflict(conflict::ConflictConfig),
    /// D10: regions with a latency matrix; primary vs nearest reads; region outage and failover.
    MultiRegion(multiregion::MultiRegionConfig),
    /// E6: a lock service with leases; a paused holder makes two holders; fencing tokens fix it.
    Locks(locks::LocksConfig),
    /// E5: an order across four services, by two-phase commit or by a saga with compensations.
    Transactions(transactions::TransactionsConfig),
    /// E4: an event log with partitions, projections rebuilt by replay, per-key order vs none.
    Sourcing(sourcing::SourcingConfig),
}

impl ProtocolConfig {
    /// The highest open-loop rate (commands a second, surges and bursts included) this protocol
    /// runs at in reasonable time, and why, where it is under the scenario-wide limit. Raft and
    /// 2PC at 200,000 a second took minutes per simulated second and a gigabyte (review 43): at
    /// these, a simulated second takes about a second natively.
    pub fn max_rate_per_s(&self) -> Option<(u32, &'static str)> {
        match self {
            ProtocolConfig::Raft(_) => Some((20_000, "every command is replicated to every server")),
            ProtocolConfig::Quorum(_) => Some((20_000, "every operation asks a quorum of replicas")),
            ProtocolConfig::Transactions(_) => {
                Some((10_000, "every order is a transaction across four services"))
            }
            _ => None,
        }
    }

    /// Protocol-specific limits; errors name the field under `protocol.`.
    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        match self {
            ProtocolConfig::LoadBalancing(c) => c.validate(sc),
            ProtocolConfig::Traffic(c) => c.validate(sc),
            ProtocolConfig::Raft(c) => c.validate(sc),
            ProtocolConfig::SplitBrain(c) => c.validate(sc),
            ProtocolConfig::Resilience(c) => c.validate(sc),
            ProtocolConfig::RetryContention(c) => c.validate(sc),
            ProtocolConfig::Messaging(c) => c.validate(sc),
            ProtocolConfig::Quorum(c) => c.validate(sc),
            ProtocolConfig::Crdt(c) => c.validate(sc),
            ProtocolConfig::Sharding(c) => c.validate(sc),
            ProtocolConfig::Cap(c) => c.validate(sc),
            ProtocolConfig::Clocks(c) => c.validate(sc),
            ProtocolConfig::Replication(c) => c.validate(sc),
            ProtocolConfig::Conflict(c) => c.validate(sc),
            ProtocolConfig::MultiRegion(c) => c.validate(sc),
            ProtocolConfig::Locks(c) => c.validate(sc),
            ProtocolConfig::Transactions(c) => c.validate(sc),
            ProtocolConfig::Sourcing(c) => c.validate(sc),
        }
    }

    /// Whether runs of it record traces (spans per request; see [`crate::spans`]).
    pub fn traces(&self) -> bool {
        matches!(self, ProtocolConfig::Resilience(m) if m.tracing)
    }

    /// The `kind` tag, for display.
    pub fn kind(&self) -> &'static str {
        match self {
            ProtocolConfig::LoadBalancing(_) => "load_balancing",
            ProtocolConfig::Traffic(_) => "traffic",
            ProtocolConfig::Raft(_) => "raft",
            ProtocolConfig::SplitBrain(_) => "split_brain",
            ProtocolConfig::Resilience(_) => "resilience",
            ProtocolConfig::RetryContention(_) => "retry_contention",
            ProtocolConfig::Messaging(_) => "messaging",
            ProtocolConfig::Quorum(_) => "quorum",
            ProtocolConfig::Crdt(_) => "crdt",
            ProtocolConfig::Sharding(_) => "sharding",
            ProtocolConfig::Cap(_) => "cap",
            ProtocolConfig::Clocks(_) => "clocks",
            ProtocolConfig::Replication(_) => "replication",
            ProtocolConfig::Conflict(_) => "conflict",
            ProtocolConfig::MultiRegion(_) => "multi_region",
            ProtocolConfig::Locks(_) => "locks",
            ProtocolConfig::Transactions(_) => "transactions",
            ProtocolConfig::Sourcing(_) => "sourcing",
        }
    }
}

/// The greatest common divisor: a weighted cycle's length ({2,2} repeats every 2 picks), a
/// window's whole count of requests.
pub(crate) fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
