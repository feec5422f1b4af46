//! # D10 — Multi-region: data locality, stale nearest reads, region failover
//!
//! **The problem.** Users live in several regions (Africa, Europe, US, Asia) and the speed of light
//! puts tens to hundreds of milliseconds between them. One region holds the *primary* copy of the
//! data; every other region holds an asynchronously updated replica. A read can cross the world to
//! the primary (always up to date, slow for far regions) or be served by the replica next door
//! (fast, but possibly behind: a client may read an older version than one it already saw or
//! wrote). And when the primary's region goes dark, another region must take over.
//!
//! **Layout.** One replica per region, `db-<region>` (ids 0…, in `network.regions.names` order),
//! then the clients `c<k>-<region>`: `workload.clients` must be a multiple of the region count
//! and they are spread evenly. Every node must appear in `network.regions.of` with its region: the
//! simulator adds the regions' latency matrix to each link's own latency.
//!
//! **Message flow.** A client sends `ClientRead` / `ClientWrite` to its *local* replica, open
//! loop (at a rate, whatever the replicas do) or closed loop (it keeps `concurrency` operations
//! going; an answer or a timeout frees a slot for the next after a think time).
//! - Writes: the local replica `Forward`s them to the primary (unless it is the primary), which
//!   assigns the next version `(epoch, seq)`, answers `ForwardReply`, and the answer travels back
//!   as `ClientReply`. Replication is *asynchronous and batched*: every `replicate_ms` the primary
//!   ships its latest state to every other replica (`Replicate`). The primary knows a write by its
//!   client and operation id: the network's duplicate of a `ClientWrite` or `Forward` is answered
//!   again, not applied again (applied late, it would bring back a value newer writes replaced).
//! - Reads, `reads: primary`: forwarded to the primary like writes — slow far away, and never
//!   stale while the primary keeps its role: no client reads a version older than one it saw or
//!   wrote, and the history is linearizable. Across a failover that promise is gone: the new
//!   primary may lack acknowledged writes (below), and a client that saw one reads an older
//!   version.
//! - Reads, `reads: nearest`: answered at once by the local replica from its own copy — stale
//!   whenever it lags, except in the primary's own region, whose replica *is* the primary.
//!
//! **Failover rule.** The primary sends `Heartbeat` (epoch, its state) every `heartbeat_ms`.
//! Regions are ranked by `failover_order` (the first one starts as primary). A replica `d` places
//! after the current primary in that order (cyclically) takes over after `d × failover_after_ms`
//! without a heartbeat: the next region first, the one after it only if the next one is silent
//! too. Taking over raises the epoch by that same distance `d`, so an epoch's number says whose
//! it is — epoch `k` can only be led by the region at place `(k − 1) mod n` in the order (as
//! Paxos numbers its ballots): two regions that take over cut off from each other lead different
//! epochs, and when they hear each other the higher epoch wins. There is no quorum, so a cut
//! network gets a primary on each side for as long as it lasts (D5's split brain), but never
//! two in one epoch, and one again once it heals. `failover_ms` records how long the new primary
//! had not heard from the old one. Each `Heartbeat` names the newest version the primary has
//! acknowledged: a replica taking over counts as `lost_writes` at once those it lacks up to the
//! one the last heartbeat it heard named (asynchronous replication loses them), whether or not
//! the old region ever comes back. A replica that hears an older epoch answers `NewEpoch`; the
//! old primary then steps down and counts the writes it acknowledged after that, past where its
//! successor's count stopped (the epoch's `fork`), when that is of its own epoch — the usual
//! case, the next region taking over from it. After several failovers in a row it cannot always
//! tell, so the count is then an estimate. Replicas
//! keep their copy, epoch and primary across a crash; a restarted replica waits for a heartbeat
//! before serving as primary again, and takes over only as the primary of a new epoch.
//!
//! **Roles and timers.** Replicas: `Heartbeat`, `Replicate` (primary), `Silence` (others).
//! Clients: `Next` (open-loop arrivals from the scenario's workload), `Think(op)` (closed loop: the
//! pause after `op` before the next operation), `Timeout(op)`.
//!
//! **Metrics.** Per client: `read_latency_ms`, `write_latency_ms` histograms, `client_stale_reads`.
//! Global: `reads`, `writes`, `failed_ops` (timed out), `stale_reads` (a read returned a version
//! older than one this client already saw or wrote), `failovers`, `failover_ms`, `lost_writes`.
//! Per replica: `writes_coordinated`. Invariant: at most one primary per epoch — under any fault
//! (crashes, cuts, lost or duplicated messages, pauses, skewed clocks), by the epoch numbering.
//!
//! **What to watch.** In nearest mode the Asia client's reads stay on its own region and come
//! back in milliseconds; in primary mode each one crosses to Europe and back. Right after a write,
//! a nearest read can come back with the previous version (note the `stale read` on the client).
//! When a region is crashed, heartbeats stop, the next region's replica notes `taking over` and
//! writes resume there.
//!
//! **References.** D. Abadi, *Consistency tradeoffs in modern distributed database system design*
//! (PACELC, 2012); D. Terry et al., *Session guarantees for weakly consistent replicated data*
//! (1994); J. C. Corbett et al., *Spanner* (OSDI 2012); M. Kleppmann, *Designing Data-Intensive
//! Applications*, ch. 5.

mod node;
mod replica;

pub use node::{Client, MrMsg, MrNode, MrTimer, Reply};
pub use replica::{Replica, Tag};

use crate::blocks::Generator;
use crate::scenario::{limits, Regions, Scenario, ScenarioError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where reads are served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadMode {
    /// Forwarded to the primary region: never stale, slow for far regions.
    #[default]
    Primary,
    /// Served by the client's own region's replica: fast, possibly behind.
    Nearest,
}

/// D10 configuration. Regions and their latencies come from `network.regions`, clients from
/// `workload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultiRegionConfig {
    pub reads: ReadMode,
    /// Region names, the initial primary first; failover goes to the next one. Empty = the order
    /// of `network.regions.names`.
    #[serde(default)]
    pub failover_order: Vec<String>,
    /// The primary ships its state to the other regions this often (asynchronous replication).
    #[serde(default = "default_replicate_ms")]
    pub replicate_ms: u64,
    #[serde(default = "default_heartbeat_ms")]
    pub heartbeat_ms: u64,
    /// Silence after which the next region takes over (times its distance in the order).
    #[serde(default = "default_failover_after_ms")]
    pub failover_after_ms: u64,
    /// A client gives up on an operation after this long.
    #[serde(default = "default_client_timeout_ms")]
    pub client_timeout_ms: u64,
    /// Region index (into `network.regions.names`) of each rank in the failover order; filled by
    /// `build`.
    #[serde(skip)]
    pub order: Vec<u32>,
}

fn default_replicate_ms() -> u64 {
    200
}
fn default_heartbeat_ms() -> u64 {
    100
}
fn default_failover_after_ms() -> u64 {
    1000
}
fn default_client_timeout_ms() -> u64 {
    2000
}

/// Replica name of a region.
pub fn replica_name(region: &str) -> String {
    format!("db-{region}")
}

/// Name of the `k`-th (1-based) client of a region.
pub fn client_name(k: u32, region: &str) -> String {
    format!("c{k}-{region}")
}

impl MultiRegionConfig {
    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        let Some(r) = &sc.network.regions else {
            return Err(ScenarioError::invalid("network.regions", "multi_region needs regions"));
        };
        let n = r.names.len() as u32;
        if !(2..=8).contains(&n) {
            return Err(ScenarioError::invalid("network.regions.names", "multi_region needs 2 to 8 regions"));
        }
        for (field, v) in [
            ("protocol.replicate_ms", self.replicate_ms),
            ("protocol.heartbeat_ms", self.heartbeat_ms),
            ("protocol.failover_after_ms", self.failover_after_ms),
            ("protocol.client_timeout_ms", self.client_timeout_ms),
        ] {
            if v == 0 || v > 600_000 {
                return Err(ScenarioError::invalid(field, "must be 1 to 600000 ms"));
            }
        }
        if self.failover_after_ms <= self.heartbeat_ms {
            return Err(ScenarioError::invalid("protocol.failover_after_ms", "must exceed heartbeat_ms"));
        }
        if !self.failover_order.is_empty() {
            let mut sorted = self.failover_order.clone();
            sorted.sort();
            let mut names = r.names.clone();
            names.sort();
            if sorted != names {
                return Err(ScenarioError::invalid(
                    "protocol.failover_order",
                    "must list every region of network.regions.names exactly once",
                ));
            }
        }
        let per = sc.workload.clients / n;
        let max = limits::MAX_NODES.saturating_sub(n);
        if per == 0 || sc.workload.clients % n != 0 || sc.workload.clients > max {
            return Err(ScenarioError::invalid(
                "workload.clients",
                format!("must be a multiple of the {n} regions, at most {max}"),
            ));
        }
        for (node, region) in layout(r, per) {
            if r.of.get(&node) != Some(&region) {
                return Err(ScenarioError::invalid(
                    format!("network.regions.of.{node}"),
                    format!("must be {region:?}"),
                ));
            }
        }
        Ok(())
    }
}

/// Every node name with its region: replicas, then clients region by region.
fn layout(r: &Regions, clients_per_region: u32) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = r.names.iter().map(|g| (replica_name(g), g.clone())).collect();
    for g in &r.names {
        out.extend((1..=clients_per_region).map(|k| (client_name(k, g), g.clone())));
    }
    out
}

/// The nodes of a D10 run: one replica per region, then the clients.
pub fn build(sc: &Scenario, cfg: &MultiRegionConfig) -> Vec<(String, MrNode)> {
    let regions = sc.network.regions.clone().unwrap_or_else(|| Regions {
        names: vec![],
        latency_ms: vec![],
        of: Default::default(),
    });
    let n = regions.names.len() as u32;
    let mut cfg = cfg.clone();
    let position = |name: &String| regions.names.iter().position(|x| x == name).map_or(0, |p| p as u32);
    cfg.order = if cfg.failover_order.is_empty() {
        (0..n).collect()
    } else {
        cfg.failover_order.iter().map(position).collect()
    };
    let cfg = Arc::new(cfg);
    let names = regions.names.clone();
    let mut out: Vec<(String, MrNode)> = (0..n)
        .map(|i| {
            (
                replica_name(&names[i as usize]),
                MrNode::Replica(Box::new(Replica::new(cfg.clone(), i, names.clone()))),
            )
        })
        .collect();
    let gen = Generator::new(&sc.workload);
    let per = sc.workload.clients / n.max(1);
    for (i, g) in names.iter().enumerate() {
        for k in 1..=per {
            let index = i as u32 * per + k - 1;
            let client = Client::new(cfg.clone(), gen.clone(), index, i as u32, g.clone());
            out.push((client_name(k, g), MrNode::Client(Box::new(client))));
        }
    }
    out
}
