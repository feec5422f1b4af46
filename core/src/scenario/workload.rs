//! Client workload as data (the generators live in `blocks::workload`).

use crate::dist::Dist;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Workload {
    /// Number of client nodes.
    pub clients: u32,
    pub arrival: Arrival,
    /// Periods of changed load (a traffic spike).
    pub bursts: Vec<Burst>,
    pub keys: Keys,
    /// Share of reads among key-value operations, in per-mille.
    pub read_permille: u32,
    /// Clients give up on a request after this long (0 = never).
    pub timeout_ms: u64,
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            clients: 2,
            arrival: Arrival::Open { rate_per_s: 100 },
            bursts: Vec::new(),
            keys: Keys::Uniform { count: 100 },
            read_permille: 500,
            timeout_ms: 0,
        }
    }
}

impl Workload {
    /// A closed loop whose clients never give up on a request. A slot is freed only when its
    /// request ends, so a protocol in which a request can be lost (at a crashed node, on the wire)
    /// and only the client's timeout would end it must refuse this: the loop would stall for good.
    pub fn closed_without_timeout(&self) -> bool {
        matches!(self.arrival, Arrival::Closed { .. }) && self.timeout_ms == 0
    }
}

/// How requests arrive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Arrival {
    /// Open loop: Poisson arrivals at `rate_per_s` in total, shared by all clients,
    /// whatever the system does (load does not back off when it slows down).
    Open { rate_per_s: u32 },
    /// Closed loop: each client keeps `concurrency` requests going, thinking between them.
    Closed { concurrency: u32, think: Dist },
    /// No generated load: only requests sent by hand or by the scenario.
    None,
}

/// Between `at_ms` and `at_ms + duration_ms`, the open-loop rate is scaled by `rate_pct`/100
/// (where bursts overlap, the one listed last). At 0 the clients send nothing and schedule
/// nothing until it ends. A closed loop has no rate to scale: its scenario refuses bursts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Burst {
    pub at_ms: u64,
    pub duration_ms: u64,
    pub rate_pct: u32,
}

/// Which keys requests touch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Keys {
    Uniform {
        count: u32,
    },
    /// Zipf popularity with exponent `s_milli`/1000 (1000 = classic Zipf: a few hot keys).
    Zipf {
        count: u32,
        s_milli: u32,
    },
}
