//! The fault and action vocabulary: everything a user can do to a running system, as data.

use super::network::LinkSpec;
use crate::node::ClientRequest;
use serde::{Deserialize, Serialize};

/// An event at a point in simulated time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timed {
    pub at_ms: u64,
    pub event: ScenarioEvent,
}

/// Faults (after turmoil, raft-rs and TigerBeetle) and user actions. Nodes are named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScenarioEvent {
    /// Stop a node: volatile state and timers are lost; messages to it are dropped.
    Crash {
        node: String,
    },
    /// Start a crashed node again from its durable state.
    Restart {
        node: String,
    },
    /// Freeze a node (a GC pause): messages and timers wait until it resumes.
    Pause {
        node: String,
    },
    Resume {
        node: String,
    },
    /// Split the nodes into groups that cannot talk to each other. Unlisted nodes form one more group.
    Partition {
        groups: Vec<Vec<String>>,
    },
    /// Drop everything sent from any of `from` to any of `to` (a one-way partition).
    Block {
        from: Vec<String>,
        to: Vec<String>,
    },
    /// Remove all partitions and blocks.
    Heal,
    /// Override the link(s) between two nodes (`*` matches every node).
    Link {
        from: String,
        to: String,
        spec: LinkSpec,
        #[serde(default)]
        both_ways: bool,
    },
    /// Restore the default network on every link.
    ResetLinks,
    /// Make a node slow: messages to it take `factor_pct`/100 times longer, its timers too.
    Slow {
        node: String,
        factor_pct: u32,
    },
    /// Skew a node's local clock: `offset_us` now, plus `drift_ppm` per second of real time.
    ClockSkew {
        node: String,
        #[serde(default)]
        offset_us: i64,
        #[serde(default)]
        drift_ppm: i32,
    },
    /// A flash crowd: every client's open-loop request rate times `rate_pct`/100 for `duration_ms`
    /// (on top of the workload's own bursts; a newer surge replaces an older one). Closed-loop
    /// clients are unaffected.
    Surge {
        rate_pct: u32,
        duration_ms: u64,
    },
    /// Hand a request to a node, as a user would.
    Client {
        node: String,
        request: ClientRequest,
    },
    /// A teacher's annotation on the timeline.
    Note {
        text: String,
    },
}

impl ScenarioEvent {
    /// Short words for timelines and logs: "crash b2".
    pub fn describe(&self) -> String {
        use ScenarioEvent::*;
        match self {
            Crash { node } => format!("crash {node}"),
            Restart { node } => format!("restart {node}"),
            Pause { node } => format!("pause {node}"),
            Resume { node } => format!("resume {node}"),
            Partition { groups } => {
                let g: Vec<String> = groups.iter().map(|g| g.join(",")).collect();
                format!("partition {}", g.join(" | "))
            }
            Block { from, to } => format!("block {} -> {}", from.join(","), to.join(",")),
            Heal => "heal".into(),
            Link { from, to, .. } => format!("link {from}->{to} changed"),
            ResetLinks => "reset links".into(),
            Slow { node, factor_pct } => format!("slow {node} x{}.{:02}", factor_pct / 100, factor_pct % 100),
            ClockSkew { node, offset_us, drift_ppm } => {
                format!("clock skew {node} {offset_us}us {drift_ppm}ppm")
            }
            Surge { rate_pct, duration_ms } => {
                let times = format!("{}", *rate_pct as f64 / 100.0);
                let lasting = if duration_ms % 1000 == 0 {
                    format!("{} s", duration_ms / 1000)
                } else {
                    format!("{duration_ms} ms")
                };
                format!("surge: client load x{times} for {lasting}")
            }
            Client { node, request } => format!("client {} -> {node}", request.op),
            Note { text } => text.clone(),
        }
    }

    /// The node names this event refers to.
    pub fn node_names(&self) -> Vec<&str> {
        use ScenarioEvent::*;
        match self {
            Crash { node } | Restart { node } | Pause { node } | Resume { node } => vec![node],
            Slow { node, .. } | ClockSkew { node, .. } | Client { node, .. } => vec![node],
            Partition { groups } => groups.iter().flatten().map(String::as_str).collect(),
            Block { from, to } => from.iter().chain(to).map(String::as_str).collect(),
            Link { from, to, .. } => {
                [from, to].into_iter().filter(|n| *n != "*").map(String::as_str).collect()
            }
            Heal | ResetLinks | Surge { .. } | Note { .. } => vec![],
        }
    }
}
