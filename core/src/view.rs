//! What the renderer sees: plain serde values, never a protocol's internal state.

use crate::ids::NodeId;
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// Up, crashed or paused (a GC pause: alive but not running).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Up,
    Down,
    Paused,
}

/// One node as a protocol chooses to show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct NodeView {
    /// The role, used for layout and colour: `client`, `balancer`, `backend`, `leader`, …
    pub role: String,
    /// A short status line under the name ("term 4", "12 in flight").
    pub label: String,
    /// Key–value fields for the inspector.
    pub fields: Vec<(String, String)>,
    /// Small tags ("leader", "accepting").
    pub badges: Vec<String>,
    /// Tags that signal trouble ("breaker open", "stale log"): drawn in the warning colour,
    /// before the badges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<String>,
    /// A timer worth watching, drawn as a ring that drains until it fires (Raft's election
    /// timeout, reset by every heartbeat): set at `.0`, fires at `.1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countdown: Option<(SimTime, SimTime)>,
}

impl NodeView {
    pub fn new(role: &str, label: impl Into<String>) -> Self {
        NodeView { role: role.into(), label: label.into(), ..NodeView::default() }
    }
    pub fn field(mut self, k: &str, v: impl ToString) -> Self {
        self.fields.push((k.into(), v.to_string()));
        self
    }
    pub fn badge(mut self, b: &str) -> Self {
        self.badges.push(b.into());
        self
    }
    pub fn alert(mut self, b: &str) -> Self {
        self.alerts.push(b.into());
        self
    }
    pub fn countdown(mut self, set_at: SimTime, fires_at: SimTime) -> Self {
        self.countdown = Some((set_at, fires_at));
        self
    }
}

/// A node as the simulator shows it: the protocol's view plus identity and status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeState {
    pub id: NodeId,
    pub name: String,
    pub status: Status,
    /// Partition group (nodes in different groups cannot talk); 0 when the network is whole.
    pub group: u32,
    pub region: Option<String>,
    pub view: NodeView,
    /// How many timers this node has pending ([`WorldView::timers`] lists the soonest few).
    pub timers_pending: u32,
}

/// A message on the wire.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MsgView {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: String,
    pub sent_at: SimTime,
    pub deliver_at: SimTime,
    /// A copy made by network duplication.
    pub duplicate: bool,
}

/// Most timers listed per node in a view.
pub const TIMERS_SHOWN: usize = 12;

/// A pending timer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimerView {
    pub node: NodeId,
    pub timer: String,
    pub fires_at: SimTime,
}

/// At most this many links set apart are in a view (a scenario may set one per pair).
pub const LINKS_SHOWN: usize = 200;

/// A link in force that is not the network's default: a slow or lossy one to draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkView {
    pub from: NodeId,
    pub to: NodeId,
    /// The link back behaves the same: one line for both.
    pub both_ways: bool,
    /// "~200 ms, 20 % loss".
    pub said: String,
}

/// Everything needed to draw one frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorldView {
    pub now: SimTime,
    pub events: u64,
    pub nodes: Vec<NodeState>,
    pub in_flight: Vec<MsgView>,
    /// Each node's soonest [`TIMERS_SHOWN`] pending timers, in firing order. (A client with a
    /// timeout per request can have thousands; formatting them all each frame cost milliseconds.)
    pub timers: Vec<TimerView>,
    /// One-way blocked links `(from, to)`.
    pub blocked: Vec<(NodeId, NodeId)>,
    /// Links set apart from the network's default (slower, lossy), at most [`LINKS_SHOWN`].
    pub links: Vec<LinkView>,
    /// Client load in percent of normal: not 100 while a surge is in force.
    pub load_pct: u32,
}
