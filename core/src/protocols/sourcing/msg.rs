//! E4's vocabulary: the domain events, the log's records, the messages and the timers.

use crate::ids::NodeId;
use crate::node::{Ctx, Kind};
use std::fmt;

/// What happened to an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Opened,
    Deposited(u64),
    Withdrew(u64),
}

/// A domain event: a change to one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub account: u32,
    pub change: Change,
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.change {
            Change::Opened => write!(f, "Opened(acct {})", self.account),
            Change::Deposited(x) => write!(f, "Deposited(acct {}, {x})", self.account),
            Change::Withdrew(x) => write!(f, "Withdrew(acct {}, {x})", self.account),
        }
    }
}

/// An event as the log stores it: its global sequence number, its partition and its offset there,
/// and its version: how many of its account's events come before it (the position in the
/// account's own stream, as an event store numbers a stream's events).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub seq: u64,
    pub partition: u32,
    pub offset: u64,
    pub version: u64,
    pub event: Event,
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (partition {} offset {})", self.event, self.partition, self.offset)
    }
}

/// The partition of an account: a fixed hash of its number, mod the partition count.
pub fn partition_of(account: u32, partitions: u32) -> u32 {
    let mut x = u64::from(account);
    let h = crate::rng::splitmix64(&mut x);
    (h % u64::from(partitions.max(1))) as u32
}

/// What a client asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Deposit,
    Withdraw,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourcingMsg {
    /// Client → writer: deposit or withdraw `amount` on `account`; `cmd` numbers it per client.
    Command { cmd: u64, op: Op, account: u32, amount: u64 },
    /// Writer → client: done; the account's balance is now `balance`.
    Accepted { cmd: u64, balance: i64 },
    /// Writer → client: refused (`reason`), nothing appended.
    Rejected { cmd: u64, reason: String },
    /// Writer → log: append these events, for `client`'s command `cmd`. `n` numbers the writer's
    /// appends: the log takes them in that order, as over one TCP connection.
    Append { n: u64, client: NodeId, cmd: u64, events: Vec<Event>, balance: i64 },
    /// Log → writer: append `n` is in; the log now holds `length` events.
    Appended { n: u64, client: NodeId, cmd: u64, length: u64, balance: i64 },
    /// Log → projection: a new record; the log holds `head` events.
    Deliver { record: Record, head: u64 },
    /// Projection → log: records of `partition` from offset `from` (and keep delivering new ones).
    Fetch { partition: u32, from: u64, max: u32 },
    /// Log → projection: the records of `partition` from `from`; the partition holds `end`, the
    /// log `head`.
    Batch { partition: u32, from: u64, records: Vec<Record>, end: u64, head: u64 },
}

impl Kind for SourcingMsg {
    const KINDS: &'static [&'static str] =
        &["Command", "Accepted", "Rejected", "Append", "Appended", "Deliver", "Fetch", "Batch"];

    fn kind(&self) -> &'static str {
        match self {
            SourcingMsg::Command { .. } => "Command",
            SourcingMsg::Accepted { .. } => "Accepted",
            SourcingMsg::Rejected { .. } => "Rejected",
            SourcingMsg::Append { .. } => "Append",
            SourcingMsg::Appended { .. } => "Appended",
            SourcingMsg::Deliver { .. } => "Deliver",
            SourcingMsg::Fetch { .. } => "Fetch",
            SourcingMsg::Batch { .. } => "Batch",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SourcingTimer {
    /// Client: send the next command.
    Next,
    /// Client: no answer to command `cmd` in time.
    Timeout(u64),
    /// Projection: done applying the replayed batch at the head of its inbox.
    ApplyBatch,
    /// Projection: records are still held back behind a gap; fetch what is missing.
    Gap,
    /// Projection, rebuilding: no batch has come for a while; fetch again what is outstanding.
    Refetch,
    /// Writer: send again the appends the log has not acknowledged.
    Resend,
}

impl Kind for SourcingTimer {
    fn kind(&self) -> &'static str {
        match self {
            SourcingTimer::Next => "Next",
            SourcingTimer::Timeout(_) => "Timeout",
            SourcingTimer::ApplyBatch => "ApplyBatch",
            SourcingTimer::Gap => "Gap",
            SourcingTimer::Refetch => "Refetch",
            SourcingTimer::Resend => "Resend",
        }
    }
}

pub(super) type C<'a> = Ctx<'a, SourcingMsg, SourcingTimer>;

/// Seconds with three decimals, as notes show times ("3.412 s").
pub(super) fn secs(t: crate::time::SimTime) -> String {
    format!("{:.3} s", t.as_ms_f64() / 1000.0)
}

/// Balances as a short line: "acct 1: 40 · acct 2: 0".
pub(super) fn balances_line(b: &std::collections::BTreeMap<u32, i64>) -> String {
    if b.is_empty() {
        return "-".into();
    }
    b.iter().map(|(a, v)| format!("acct {a}: {v}")).collect::<Vec<_>>().join(" · ")
}
