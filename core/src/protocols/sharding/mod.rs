//! # D9 — Sharding: placement schemes, hot spots, and the keys that move
//!
//! **The problem.** One machine cannot hold or serve every key, so keys are split across
//! shards. The placement function decides how even the load is, whether a hot key or a hot range
//! melts one shard, and how many keys must move when a shard is added.
//!
//! **Message flow.** Clients send `Request { key }` to the `router`, which computes the key's
//! shard with the configured scheme ([`crate::shard`]: range, mod N, consistent-hash ring with
//! virtual nodes, jump consistent hash) and sends `Forward` to that shard; the shard serves it on
//! its worker pool (`Server` block) and answers `Reply`; the router relays `Response`. Clients
//! run open loop (Poisson arrivals at the workload's rate) or closed loop (each keeps
//! `concurrency` requests going; a response, a rejection or a timeout frees a place, taken again
//! after a think time). A closed loop needs the client timeout: a request lost at a crashed router
//! would otherwise hold its place for good.
//! Key k is named `<letter>-<k>` with the letter spread evenly over a–z, so the range scheme
//! (which splits the alphabet, A–M / N–Z for two shards) sees an even key space too.
//!
//! **Roles and timers.** Clients: `Next` (open loop), `Think` (closed loop), `Timeout`. Router:
//! `AddShard` at `add_shard_at_ms`: from then on placement uses one more shard, and the router
//! counts, over the whole key space, the keys whose shard changed. Its state is durable: a router restarted
//! after the resize keeps the shard it added, and adds no other. Shards: `Done` (a job finished).
//!
//! **Metrics.** `shard_requests` and `shard_load` per shard (the load picture), and from the
//! router `hottest_shard_permille` (the busiest shard's share of all requests), `keys_moved`
//! and `keys_moved_permille` when the shard is added, `latency_ms`, `rejected`, `timeouts`.
//!
//! **What to watch.** With Zipf-popular keys some shard is hot under every scheme, and not
//! necessarily the one holding the hottest key: the busiest is the one whose keys add up to the
//! most traffic. Placement spreads *keys*, not *load*. At the resize, mod N reshuffles nearly
//! every key (~N/(N+1)), the ring and jump move about 1/(N+1) — only what the new shard takes.
//! Removing a shard is not simulated; `dsplay shard --removed S` shows which keys it moves.
//!
//! **References.** Karger et al., *Consistent hashing and random trees* (STOC 1997); Lamping &
//! Veach, *A Fast, Minimal Memory, Consistent Hash Algorithm* (2014); DeCandia et al., *Dynamo*.

mod client;
mod node;

pub use node::{key_name, ShardMsg, ShardNode, ShardTimer};

use crate::blocks::{Generator, ServerSpec};
use crate::scenario::{limits, Keys, Scenario, ScenarioError};
use crate::shard::Scheme;
use serde::{Deserialize, Serialize};

/// Which placement function the router uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchemeName {
    Range,
    Mod,
    Ring,
    Jump,
}

/// D9 configuration. Clients, load and key popularity come from the scenario's `workload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardingConfig {
    pub scheme: SchemeName,
    pub shards: u32,
    /// Virtual nodes per shard (ring only).
    #[serde(default = "default_vnodes")]
    pub vnodes: u32,
    /// Add one shard at this time (0 = never).
    #[serde(default)]
    pub add_shard_at_ms: u64,
    #[serde(default)]
    pub server: ServerSpec,
}

fn default_vnodes() -> u32 {
    100
}

/// Largest key space the router scans when counting moved keys.
pub const MAX_KEYS: u32 = 200_000;

/// A placement scheme in words, for the router's label: "range", "hash mod N",
/// "ring, 100 vnodes", "jump hash".
impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scheme::Range => write!(f, "range"),
            Scheme::Mod => write!(f, "hash mod N"),
            Scheme::Ring { vnodes } => write!(f, "ring, {vnodes} vnodes"),
            Scheme::Jump => write!(f, "jump hash"),
        }
    }
}

impl ShardingConfig {
    pub fn scheme(&self) -> Scheme {
        match self.scheme {
            SchemeName::Range => Scheme::Range,
            SchemeName::Mod => Scheme::Mod,
            SchemeName::Ring => Scheme::Ring { vnodes: self.vnodes },
            SchemeName::Jump => Scheme::Jump,
        }
    }

    /// Shard nodes built (one spare if a shard is added later).
    pub fn shard_nodes(&self) -> u32 {
        self.shards + u32::from(self.add_shard_at_ms > 0)
    }

    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        let max = limits::MAX_NODES.saturating_sub(sc.workload.clients + 2);
        if self.shards == 0 || self.shards > max {
            return Err(ScenarioError::invalid("protocol.shards", format!("must be 1 to {max}")));
        }
        if self.vnodes == 0 || self.vnodes > 1000 {
            return Err(ScenarioError::invalid("protocol.vnodes", "must be 1 to 1000"));
        }
        self.server.check().map_err(|(f, m)| ScenarioError::invalid(format!("protocol.server.{f}"), m))?;
        let keys = match sc.workload.keys {
            Keys::Uniform { count } | Keys::Zipf { count, .. } => count,
        };
        if keys == 0 || keys > MAX_KEYS {
            return Err(ScenarioError::invalid(
                "workload.keys.count",
                format!("sharding needs 1 to {MAX_KEYS} keys"),
            ));
        }
        if sc.workload.clients == 0 {
            return Err(ScenarioError::invalid("workload.clients", "sharding needs at least one client"));
        }
        if sc.workload.closed_without_timeout() {
            return Err(ScenarioError::invalid(
                "workload.timeout_ms",
                "a closed loop needs a client timeout: a request lost at a crashed router or shard, \
                 or on the wire, is never answered, so it would hold its slot for good; use 1 or \
                 more (d9-sharding uses 2000)",
            ));
        }
        Ok(())
    }
}

/// The nodes of a D9 run: clients `c1…`, the `router`, shards `s1…`.
pub fn build(sc: &Scenario, cfg: &ShardingConfig) -> Vec<(String, ShardNode)> {
    let clients = sc.workload.clients;
    let router = crate::ids::NodeId(clients);
    let gen = Generator::new(&sc.workload);
    let mut out: Vec<(String, ShardNode)> =
        (1..=clients).map(|i| (format!("c{i}"), ShardNode::client(gen.clone(), router))).collect();
    out.push(("router".into(), ShardNode::router(cfg, clients + 1, gen.keys.count())));
    for i in 1..=cfg.shard_nodes() {
        out.push((format!("s{i}"), ShardNode::shard(cfg.server.clone(), router)));
    }
    out
}

#[cfg(test)]
mod label_tests {
    use super::*;

    #[test]
    fn the_router_says_its_scheme_in_words() {
        assert_eq!(Scheme::Ring { vnodes: 100 }.to_string(), "ring, 100 vnodes");
        assert_eq!(Scheme::Range.to_string(), "range");
        let sc = crate::presets::get("d9-sharding").expect("preset");
        let mut sim = crate::registry::build(&sc).expect("build");
        sim.run_until(crate::SimTime::from_ms(10));
        let view = sim.view();
        let router = view.nodes.iter().find(|n| n.view.role == "router").expect("a router");
        assert!(!router.view.label.contains('{'), "no debug text: {}", router.view.label);
        assert!(router.view.label.ends_with(" shards"), "{}", router.view.label);
    }
}
