//! Messages, timers and versions of D3.

use crate::ids::NodeId;
use crate::node::Kind;
use std::fmt;

/// A write's version. Ordered: the greater version wins everywhere (last writer wins).
/// `counter` is the coordinator's clock in µs (Dynamo mode) or the highest counter read from a
/// quorum plus one (ABD); `node` and `seq` make every version unique.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Version {
    pub counter: u64,
    pub node: u32,
    pub seq: u64,
}

/// `4273 by #4`: the counter and the coordinator that versioned the write, which is what a reader
/// compares (`seq` only breaks a tie between two writes one coordinator gave the same counter); the
/// version of a key never written is `0`.
impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Version::default() {
            return write!(f, "0");
        }
        write!(f, "{} by {:?}", self.counter, NodeId(self.node))
    }
}

/// A stored value with its version.
pub type Stored = Option<(Version, i64)>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QMsg {
    /// Client → coordinator.
    ClientGet {
        op: u64,
        key: u64,
    },
    ClientPut {
        op: u64,
        key: u64,
        value: i64,
    },
    /// Coordinator → client: `None` = the coordinator could not gather its quorum in time.
    ClientReply {
        op: u64,
        result: Option<(Version, Option<i64>)>,
    },
    /// Coordinator → replica: what do you hold for `key`?
    Read {
        req: u64,
        key: u64,
    },
    ReadReply {
        req: u64,
        stored: Stored,
    },
    /// Coordinator → replica: store this if newer. `hint` names the intended owner when a fallback
    /// node is asked to hold the value for it (sloppy quorum).
    Write {
        req: u64,
        key: u64,
        version: Version,
        value: i64,
        hint: Option<NodeId>,
    },
    WriteAck {
        req: u64,
    },
    /// Coordinator → a replica that answered a read with an older version (no answer expected).
    Repair {
        key: u64,
        version: Version,
        value: i64,
    },
    /// Fallback → intended owner: the hinted value it kept.
    Handoff {
        key: u64,
        version: Version,
        value: i64,
    },
    HandoffAck {
        key: u64,
        version: Version,
    },
}

impl Kind for QMsg {
    const KINDS: &'static [&'static str] = &[
        "ClientGet",
        "ClientPut",
        "ClientReply",
        "Read",
        "ReadReply",
        "Write",
        "WriteAck",
        "Repair",
        "Handoff",
        "HandoffAck",
    ];

    fn kind(&self) -> &'static str {
        match self {
            QMsg::ClientGet { .. } => "ClientGet",
            QMsg::ClientPut { .. } => "ClientPut",
            QMsg::ClientReply { .. } => "ClientReply",
            QMsg::Read { .. } => "Read",
            QMsg::ReadReply { .. } => "ReadReply",
            QMsg::Write { .. } => "Write",
            QMsg::WriteAck { .. } => "WriteAck",
            QMsg::Repair { .. } => "Repair",
            QMsg::Handoff { .. } => "Handoff",
            QMsg::HandoffAck { .. } => "HandoffAck",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum QTimer {
    /// Client: next open-loop operation.
    Next,
    /// Client: closed-loop think time before the next operation.
    Think(u64),
    /// Client: give up on an operation.
    Timeout(u64),
    /// Client (t-visibility probe): read `key` now; `bucket` indexes [`TVIS_MS`].
    ProbeRead { key: u64, bucket: u8 },
    /// Coordinator: give up on a request (answer failure, stop read repair).
    Deadline(u64),
    /// Coordinator: quorum not reached yet, ask fallback nodes (sloppy quorum).
    Sloppy(u64),
    /// Replica: a per-leg delay has elapsed (see `Legs`).
    Leg(u64),
    /// Replica: try to hand hinted values back to their owners.
    Handoff,
}

impl Kind for QTimer {
    fn kind(&self) -> &'static str {
        match self {
            QTimer::Next => "Next",
            QTimer::Think(_) => "Think",
            QTimer::Timeout(_) => "Timeout",
            QTimer::ProbeRead { .. } => "ProbeRead",
            QTimer::Deadline(_) => "Deadline",
            QTimer::Sloppy(_) => "Sloppy",
            QTimer::Leg(_) => "Leg",
            QTimer::Handoff => "Handoff",
        }
    }
}

/// The t-visibility experiment reads this long after a write commits (ms). Metric names cannot
/// be built at run time, so the buckets are fixed; each has a counter of probe reads, a counter of
/// fresh ones, and a gauge with the fresh fraction in ppm.
pub const TVIS_MS: [u64; 8] = [0, 1, 2, 5, 10, 20, 50, 100];
pub const TVIS_READS: [&str; 8] = [
    "tvis_reads_0ms",
    "tvis_reads_1ms",
    "tvis_reads_2ms",
    "tvis_reads_5ms",
    "tvis_reads_10ms",
    "tvis_reads_20ms",
    "tvis_reads_50ms",
    "tvis_reads_100ms",
];
pub const TVIS_FRESH: [&str; 8] = [
    "tvis_fresh_0ms",
    "tvis_fresh_1ms",
    "tvis_fresh_2ms",
    "tvis_fresh_5ms",
    "tvis_fresh_10ms",
    "tvis_fresh_20ms",
    "tvis_fresh_50ms",
    "tvis_fresh_100ms",
];
pub const TVIS_PPM: [&str; 8] = [
    "tvis_fresh_ppm_0ms",
    "tvis_fresh_ppm_1ms",
    "tvis_fresh_ppm_2ms",
    "tvis_fresh_ppm_5ms",
    "tvis_fresh_ppm_10ms",
    "tvis_fresh_ppm_20ms",
    "tvis_fresh_ppm_50ms",
    "tvis_fresh_ppm_100ms",
];
