//! Raft's vocabulary: log entries, messages and timers.

use crate::ids::NodeId;
use crate::node::Kind;
use crate::rng::splitmix64;
use crate::time::SimTime;

/// A command of the key-value state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    /// Appended by every new leader so it can commit entries of earlier terms (§5.4.2, §8).
    Noop,
    Put {
        key: u64,
        value: i64,
    },
    Get {
        key: u64,
    },
}

impl Cmd {
    /// The command in words, for notes a student reads: "put 42 at key 3", "get key 3".
    pub fn said(self) -> String {
        match self {
            Cmd::Noop => "a no-op".to_string(),
            Cmd::Put { key, value } => format!("put {value} at key {key}"),
            Cmd::Get { key } => format!("get key {key}"),
        }
    }

    /// The command in a log cell's few characters: "k3=42", "get k3", "noop".
    pub fn short(self) -> String {
        match self {
            Cmd::Noop => "noop".to_string(),
            Cmd::Put { key, value } => format!("k{key}={value}"),
            Cmd::Get { key } => format!("get k{key}"),
        }
    }

    fn code(self) -> u64 {
        match self {
            Cmd::Noop => 1,
            Cmd::Put { key, value } => 2 ^ key.rotate_left(8) ^ (value as u64).rotate_left(32),
            Cmd::Get { key } => 3 ^ key.rotate_left(8),
        }
    }
}

/// One log entry. `chain` is a hash of the whole log prefix ending here, computed by each node
/// locally (never trusted from the wire); it makes the log-matching checks O(1).
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    pub term: u64,
    pub cmd: Cmd,
    /// The client and request id to answer once applied (none for no-ops and hand-typed commands).
    pub origin: Option<(NodeId, u64)>,
    pub chain: u64,
}

/// Without `chain`: it is the checker's bookkeeping, not something the entry says.
impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut e = f.debug_struct("Entry");
        e.field("term", &self.term).field("cmd", &self.cmd).field("origin", &self.origin);
        e.finish_non_exhaustive()
    }
}

impl Entry {
    pub fn new(term: u64, cmd: Cmd, origin: Option<(NodeId, u64)>) -> Self {
        Entry { term, cmd, origin, chain: 0 }
    }

    /// The prefix hash after appending this entry to a prefix hashed `prev`.
    pub fn chained(&self, prev: u64) -> u64 {
        let mut x = prev ^ self.term.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.cmd.code();
        splitmix64(&mut x)
    }
}

/// What a Raft run sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RaftMsg {
    RequestVote {
        term: u64,
        last_index: u64,
        last_term: u64,
    },
    Vote {
        term: u64,
        granted: bool,
    },
    AppendEntries {
        term: u64,
        prev_index: u64,
        prev_term: u64,
        entries: Vec<Entry>,
        commit: u64,
    },
    /// `match_index`: on success the last index now known to match; on failure a hint (the
    /// follower's log is no longer than this where it could match).
    AppendReply {
        term: u64,
        success: bool,
        match_index: u64,
    },
    /// Client → server.
    Request {
        id: u64,
        cmd: Cmd,
    },
    /// Server → client, once the command is applied.
    Response {
        id: u64,
        value: Option<i64>,
    },
    /// Server → client: "I am not the leader; try `hint`".
    NotLeader {
        id: u64,
        hint: Option<NodeId>,
    },
    /// Server → experiment driver (only when an experiment runs).
    Report {
        event: Observed,
        term: u64,
        at: SimTime,
    },
}

/// What a server tells the experiment driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observed {
    BecameLeader,
    /// First AppendEntries accepted from the leader of `term`.
    HeardLeader,
}

impl Kind for RaftMsg {
    const KINDS: &'static [&'static str] = &[
        "RequestVote",
        "Vote",
        "AppendEntries",
        "AppendReply",
        "Request",
        "Response",
        "NotLeader",
        "Report",
    ];

    fn kind(&self) -> &'static str {
        match self {
            RaftMsg::RequestVote { .. } => "RequestVote",
            RaftMsg::Vote { .. } => "Vote",
            RaftMsg::AppendEntries { .. } => "AppendEntries",
            RaftMsg::AppendReply { .. } => "AppendReply",
            RaftMsg::Request { .. } => "Request",
            RaftMsg::Response { .. } => "Response",
            RaftMsg::NotLeader { .. } => "NotLeader",
            RaftMsg::Report { .. } => "Report",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RaftTimer {
    /// Follower/candidate: no leader heard for a randomized timeout.
    Election,
    /// Leader: send AppendEntries (empty = heartbeat) to every follower.
    Heartbeat,
    /// Client: next open-loop request.
    Next,
    /// Client: retry a request after "no leader known".
    Retry(u64),
    /// Client: closed-loop think time over.
    Think(u64),
    /// Client: give up on a request.
    Timeout(u64),
    /// Experiment driver: crash the leader now.
    CrashLeader,
    /// Experiment driver: look again for a leader to crash.
    Settle,
}

impl Kind for RaftTimer {
    fn kind(&self) -> &'static str {
        match self {
            RaftTimer::Election => "Election",
            RaftTimer::Heartbeat => "Heartbeat",
            RaftTimer::Next => "Next",
            RaftTimer::Retry(_) => "Retry",
            RaftTimer::Think(_) => "Think",
            RaftTimer::Timeout(_) => "Timeout",
            RaftTimer::CrashLeader => "CrashLeader",
            RaftTimer::Settle => "Settle",
        }
    }
}
