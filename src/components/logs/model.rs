//! What the logs table shows, read from a frame's view: one row per node that publishes a log,
//! the indices every row shows, and which leader's nextIndex / matchIndex are marked.

use dsplay_core::view::{LogTail, NodeState, PeerProgress, Status, WorldView};
use dsplay_core::NodeId;

/// Columns shown: the entries nodes publish, one of them kept for the index after the newest
/// (where a leader's nextIndex points while its followers are up to date).
pub const COLUMNS: u64 = LogTail::LEN as u64;

/// One server's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub id: NodeId,
    pub name: String,
    /// What the topology shows under the node: its role, "down" once crashed.
    pub role: String,
    /// The protocol's status line ("term 2 · voted n3").
    pub label: String,
    pub status: Status,
    /// While the network is split: the servers this one still reaches, itself included.
    pub reaches: Option<Vec<String>>,
    pub tail: LogTail,
}

/// The whole table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logs {
    /// The indices shown, `first..=last` (empty while every log is).
    pub first: u64,
    pub last: u64,
    pub rows: Vec<Row>,
    /// The row of the leader whose view of its followers is marked.
    pub leader: Option<usize>,
}

impl Logs {
    /// Where the marked leader stands with the server of row `i` (none for the leader itself).
    pub fn progress(&self, i: usize) -> Option<PeerProgress> {
        let leader = &self.rows[self.leader?].tail;
        leader.peers.iter().find(|p| p.peer == self.rows[i].id).copied()
    }

    /// The oldest shown index where a server's log disagrees with the marked leader's (an entry
    /// of another term, or one the leader does not hold): where a repair is under way, and what
    /// the table scrolls to rather than the newest entries.
    pub fn conflict(&self) -> Option<u64> {
        let leader = &self.rows[self.leader?].tail;
        let differs = |r: &Row, i: u64| r.tail.term(i).is_some() && r.tail.term(i) != leader.term(i);
        (self.first..=self.last).find(|&i| self.rows.iter().any(|r| differs(r, i)))
    }

    /// Whether the server of row `i` is cut off from the larger side of a split network.
    pub fn cut_off(&self, i: usize) -> bool {
        let side = |r: &Row| r.reaches.as_ref().map_or(self.rows.len(), Vec::len);
        let widest = self.rows.iter().map(side).max().unwrap_or(0);
        side(&self.rows[i]) < self.rows.len()
            && (side(&self.rows[i]) < widest || widest * 2 <= self.rows.len())
    }
}

/// The logs in `view`, `None` when no node publishes one. The leader marked is `selected` if it
/// is one (a student comparing two leaders across a partition picks which), else the up leader
/// whose newest entry has the highest term: a new leader appends an entry in its own term at
/// once, so that is the leader of the newest term, not a deposed one that has not heard yet.
pub fn read(view: &WorldView, selected: Option<NodeId>) -> Option<Logs> {
    let servers: Vec<&NodeState> = view.nodes.iter().filter(|n| n.view.log.is_some()).collect();
    if servers.is_empty() {
        return None;
    }
    let split = servers.iter().any(|n| n.group != servers[0].group);
    let reaches = |n: &NodeState| {
        split.then(|| servers.iter().filter(|m| m.group == n.group).map(|m| m.name.clone()).collect())
    };
    let rows: Vec<Row> = servers
        .iter()
        .map(|n| Row {
            id: n.id,
            name: n.name.clone(),
            role: crate::topology::shown_role(n).to_string(),
            label: n.view.label.clone(),
            status: n.status,
            reaches: reaches(n),
            tail: n.view.log.clone().unwrap_or_default(),
        })
        .collect();
    let leads = |r: &&Row| !r.tail.peers.is_empty() && r.status != Status::Down;
    let newest_term = |r: &&Row| (r.tail.terms.last().copied(), std::cmp::Reverse(r.id));
    let leader = rows
        .iter()
        .filter(leads)
        .find(|r| Some(r.id) == selected)
        .or_else(|| rows.iter().filter(leads).max_by_key(newest_term))
        .map(|r| rows.iter().position(|s| s.id == r.id).unwrap_or(0));
    let newest = rows.iter().map(|r| r.tail.last()).max().unwrap_or(0);
    let last = newest + u64::from(leader.is_some() && newest > 0);
    let first = last.saturating_sub(COLUMNS - 1).max(1);
    Some(Logs { first, last, rows, leader })
}

#[cfg(test)]
mod tests {
    use super::{read, COLUMNS};
    use dsplay_core::view::{LogTail, NodeState, NodeView, PeerProgress, Status, WorldView};
    use dsplay_core::{NodeId, SimTime};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn node(id: u32, tail: Option<LogTail>, group: u32) -> NodeState {
        let view = NodeView { log: tail, ..NodeView::new("follower", "term 1") };
        let name = format!("n{}", id + 1);
        NodeState { id: NodeId(id), name, status: Status::Up, group, region: None, view, timers_pending: 0 }
    }

    fn world(nodes: Vec<NodeState>) -> WorldView {
        let (in_flight, timers, blocked, links) = (vec![], vec![], vec![], vec![]);
        WorldView { now: SimTime::ZERO, events: 0, nodes, in_flight, timers, blocked, links, load_pct: 100 }
    }

    fn leading(last: u64, term: u64, follower: u32) -> LogTail {
        let peer = PeerProgress { peer: NodeId(follower), next: last, matched: last - 1 };
        LogTail::of(last, last - 1, |_| term).progress(vec![peer])
    }

    #[wasm_bindgen_test]
    fn the_table_lines_logs_up_on_the_newest_index_and_marks_the_newest_terms_leader() {
        let old = leading(50, 1, 1);
        let new = leading(40, 2, 0);
        let client = node(3, None, 0);
        let v = world(vec![node(0, Some(old), 1), node(1, Some(new), 2), node(2, None, 2), client]);
        let logs = read(&v, None).expect("servers publish logs");
        assert_eq!(logs.rows.len(), 2, "only nodes with a log");
        assert_eq!(
            (logs.first, logs.last),
            (51 - COLUMNS + 1, 51),
            "the newest entry and the index after it"
        );
        assert_eq!(logs.leader, Some(1), "n2 leads the newer term");
        assert_eq!(read(&v, Some(NodeId(0))).and_then(|l| l.leader), Some(0), "the selected leader");
        assert_eq!(logs.rows[0].reaches, Some(vec!["n1".to_string()]), "split: n1 alone");
        assert_eq!(logs.progress(0).map(|p| (p.next, p.matched)), Some((40, 39)), "n2's view of n1");
        assert_eq!(logs.progress(1), None, "none of the leader itself");
        assert_eq!(logs.conflict(), Some(logs.first), "n1's term-1 entries where n2 has term 2 or none");
        assert!(logs.cut_off(0) && logs.cut_off(1), "an even split: both sides are cut off");
        assert!(read(&world(vec![node(0, None, 0)]), None).is_none(), "no logs: no table");
        let empty = read(&world(vec![node(0, Some(LogTail::of(0, 0, |_| 0)), 0)]), None).expect("a log");
        assert!(empty.last < empty.first && empty.rows[0].reaches.is_none());
    }
}
