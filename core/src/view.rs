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
    /// The newest entries of a replicated log (Raft's), drawn as a strip of cells under the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogTail>,
    /// The term (epoch) the node is in, where the protocol has one (Raft's): its countdown ring
    /// and vote dots are drawn in that term's colour, as its log cells are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<u64>,
    /// A candidate's votes granted this term (itself included): a dot on its rim toward each
    /// peer that voted for it, as RaftScope draws them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub votes: Vec<NodeId>,
    /// The requests a server holds: drawn as a slot per worker and its queue as a pile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work: Option<Work>,
    /// Levels that fill or drain with time (a rate limiter's token bucket per client).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gauges: Vec<Gauge>,
}

/// The requests a server holds, as samwho draws a server: workers busy out of all (none for a
/// broker's queue), and the queue behind them, which turns requests away once it holds
/// `queue_cap` (`None`: no limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Work {
    pub busy: u32,
    pub workers: u32,
    pub queued: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_cap: Option<u32>,
}

/// A level between 0 and `max` that moves between the events that change it, either at a steady
/// rate (a token bucket refills at `per_s`, positive; a leaky bucket drains, negative) or in
/// steps at known times (a window's count falls as its requests leave it: `leaves`). The node
/// says its level at `at`; the renderer works out the level now, so a view needs no clock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gauge {
    /// What it measures, short: "tokens".
    pub label: String,
    /// Whose it is, when not the node's own (a gateway's bucket for each client).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<NodeId>,
    pub level: f64,
    pub max: f64,
    pub per_s: f64,
    pub at: SimTime,
    /// When units leave the level, and how many: a fixed window's whole count when the window
    /// ends, a sliding window's requests one by one as they age out. In time order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaves: Vec<(SimTime, u32)>,
}

impl Gauge {
    /// The level at `now`, kept between 0 and `max`.
    pub fn level_at(&self, now: SimTime) -> f64 {
        let secs = now.since(self.at).as_us() as f64 / 1e6;
        let gone: u32 = self.leaves.iter().take_while(|(t, _)| *t <= now).map(|(_, n)| n).sum();
        (self.level + self.per_s * secs - f64::from(gone)).clamp(0.0, self.max.max(0.0))
    }

    /// Whether a request arriving at `now` would be turned away: no whole token left in a bucket
    /// that refills; no room for one more in a bucket that drains or a window that counts.
    pub fn says_no_at(&self, now: SimTime) -> bool {
        // The limiters count in millionths of a token or of a request, so a level within a
        // billionth of the edge is on it: f64's drain of a leaky bucket of rate 51 once left 1e-16
        // after exactly one request's time, turning away a request the bucket admits.
        const EDGE: f64 = 1e-9;
        let level = self.level_at(now);
        match self.per_s > 0.0 {
            true => level < 1.0 - EDGE,
            false => level > self.max - 1.0 + EDGE,
        }
    }
}

/// The newest entries of a node's replicated log, as RaftScope draws them: one cell per entry
/// holding its term, solid once committed. Renderers line the logs of all nodes up by index, so
/// a follower that lags shows empty cells where the leader has entries.
///
/// Cost: views are built every frame, so a node publishes a window, not its whole log: at most
/// [`LogTail::LEN`] terms and as many command texts of a few characters each (for Raft's five
/// servers, about 120 short strings a frame: a few microseconds), and on a leader one
/// [`PeerProgress`] per follower.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LogTail {
    /// The index of the first entry in `terms` (indices start at 1).
    pub first: u64,
    /// Each entry's term, oldest first: at most [`LogTail::LEN`] of them.
    pub terms: Vec<u64>,
    /// Each entry's command in a few characters ("k3=5", "noop"), in step with `terms`; empty
    /// when the protocol does not say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cmds: Vec<String>,
    /// The highest index this node knows to be committed.
    pub commit: u64,
    /// A leader's view of each follower's replication (Raft's nextIndex and matchIndex); empty
    /// on any other node.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub peers: Vec<PeerProgress>,
}

/// Where a leader stands with one follower's log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerProgress {
    pub peer: NodeId,
    /// The index of the next entry the leader will send it (nextIndex): it steps back after the
    /// follower refuses an append whose previous entry it does not hold.
    pub next: u64,
    /// The highest index known to match the leader's log there (matchIndex).
    pub matched: u64,
}

impl LogTail {
    /// How many entries a node publishes: more than a log strip shows, so strips lined up on
    /// the newest index across nodes still find their entries, and enough for the logs table to
    /// show a repair (the 20 conflicting entries d4-raft-partition's old leader drops).
    pub const LEN: usize = 24;

    /// The tail of a log whose entry `i` (1-based) has term `term_of(i)`, `last` entries long.
    pub fn of(last: u64, commit: u64, term_of: impl Fn(u64) -> u64) -> LogTail {
        let first = last.saturating_sub(Self::LEN as u64 - 1).max(1);
        LogTail { first, terms: (first..=last).map(term_of).collect(), commit, ..LogTail::default() }
    }

    /// With each entry's command, `cmd_of(i)` for entry `i`.
    pub fn commands(mut self, cmd_of: impl Fn(u64) -> String) -> LogTail {
        self.cmds = (self.first..=self.last()).map(cmd_of).collect();
        self
    }

    /// With a leader's progress on each follower.
    pub fn progress(mut self, peers: Vec<PeerProgress>) -> LogTail {
        self.peers = peers;
        self
    }

    /// The index of the newest entry (0 for an empty log).
    pub fn last(&self) -> u64 {
        (self.first + self.terms.len() as u64).saturating_sub(1)
    }

    fn slot(&self, index: u64) -> Option<usize> {
        usize::try_from(index.checked_sub(self.first)?).ok()
    }

    /// The term of entry `index`, if this tail holds it.
    pub fn term(&self, index: u64) -> Option<u64> {
        self.terms.get(self.slot(index)?).copied()
    }

    /// The command of entry `index`, if this tail holds it and the protocol said it.
    pub fn cmd(&self, index: u64) -> Option<&str> {
        self.cmds.get(self.slot(index)?).map(String::as_str)
    }
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
    pub fn log(mut self, tail: LogTail) -> Self {
        self.log = Some(tail);
        self
    }
    pub fn term(mut self, term: u64) -> Self {
        self.term = Some(term);
        self
    }
    pub fn votes(mut self, from: Vec<NodeId>) -> Self {
        self.votes = from;
        self
    }
    pub fn work(mut self, work: Work) -> Self {
        self.work = Some(work);
        self
    }
    pub fn gauge(mut self, gauge: Gauge) -> Self {
        self.gauges.push(gauge);
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
    /// An answer that turns its request away (see [`crate::node::Kind::says_no`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub says_no: bool,
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

#[cfg(test)]
mod tests {
    use super::{LogTail, PeerProgress};
    use crate::ids::NodeId;

    #[test]
    fn a_log_tail_holds_the_newest_entries_by_index() {
        let empty = LogTail::of(0, 0, |_| unreachable!("no entries"));
        assert_eq!((empty.first, empty.last(), empty.term(1)), (1, 0, None));
        let short = LogTail::of(3, 2, |i| i * 10);
        assert_eq!((short.first, short.terms.clone(), short.last()), (1, vec![10, 20, 30], 3));
        let long = LogTail::of(40, 38, |i| i);
        assert_eq!((long.first, long.last(), long.terms.len()), (17, 40, LogTail::LEN));
        assert_eq!(
            (long.term(16), long.term(17), long.term(40), long.term(41)),
            (None, Some(17), Some(40), None)
        );
    }

    #[test]
    fn a_log_tail_carries_commands_in_step_with_terms_and_a_leaders_progress() {
        let first = 40 - LogTail::LEN as u64 + 1;
        let tail = LogTail::of(40, 38, |i| i / 10)
            .commands(|i| format!("k{i}"))
            .progress(vec![PeerProgress { peer: NodeId(1), next: 39, matched: 38 }]);
        assert_eq!(tail.cmds.len(), tail.terms.len());
        assert_eq!(
            (tail.cmd(first - 1), tail.cmd(first), tail.cmd(40), tail.cmd(41)),
            (None, Some(&*format!("k{first}")), Some("k40"), None)
        );
        assert_eq!(tail.peers[0].next, 39);
        assert_eq!(LogTail::of(3, 0, |_| 1).cmd(2), None, "no commands said: none shown");
    }
}
