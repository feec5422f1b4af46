//! # E4 — Event sourcing and replay
//!
//! **The problem.** A bank keeps account balances. The usual way is to store the balance and
//! overwrite it on every deposit; the history is gone, and a bug that corrupted a balance cannot
//! be undone. *Event sourcing* turns this round: what is stored is the append-only log of what
//! happened (`Opened`, `Deposited 40`, `Withdrew 25`), and a balance is only a *fold* of that log.
//! Any state can be thrown away and rebuilt by replaying the log from offset 0, and any past state
//! can be had by replaying a prefix of it ("as of event 500": time travel). The price is ordering.
//! Deposits and withdrawals are signed amounts, and additions commute: applied in another order
//! they reach the same balance, and only the states in between are wrong (a `Withdrew` applied
//! before the `Deposited` it depends on dips below zero until the deposit lands). Order matters
//! for what does not commute — a change that needs the row to exist, a set-style update (an
//! address, a status, `Closed`), a rule such as "no overdraft". Here that is `Opened`: this
//! projection drops a change to an account it has no row for yet and moves on, and that balance is
//! wrong for good. That is a bug of the projection, not a law — a real consumer whose write fails
//! fails the record and retries it, or parks it in a dead-letter queue — and the standard fix is a
//! per-account version check (`version_check`): apply an event only if its version is the row's
//! version + 1, and hold it back otherwise. Ordering comes from the log itself: one writer appends,
//! every record gets the next offset, and a consumer reads in offset order. Kafka *relaxes* that
//! total order for parallelism: a topic is split into `partitions` by a hash of the key, so one
//! key's records stay in one partition, and each partition is ordered by its offsets — records of
//! different keys in one partition too — with no order across partitions.
//!
//! **Message flow.** A client `c1…` sends `Command { deposit | withdraw, account, amount }` to the
//! `writer` (the command handler), which validates it against its own balances (no withdrawal
//! beyond the balance, none from an account never opened) and either answers `Rejected` or sends
//! the resulting events in one `Append` to the `log` (a first deposit makes two: `Opened`, then
//! `Deposited`). Appends are numbered and the log takes them in the writer's order, as over one
//! TCP connection: the order the commands were validated in is the log's order. That numbering and
//! the log's dedup (an append it already has is acknowledged again, not appended twice) are a
//! miniature of Kafka's idempotent producer (a producer id and a sequence number per partition).
//! There is a single writer here, so validating against its own balances has no race; a real event
//! store with several command handlers serialises them with an expected-version append (append to
//! acct 3's stream only if it is still at version 7, else reload and retry), and a writer would
//! rebuild its write model from its streams rather than keep it apart. The log puts each event in
//! its partition with the next offset, numbers it within its account's stream (its version) and
//! with a global sequence number, answers `Appended` — the writer then answers `Accepted` — and
//! pushes each new record to every subscribed projection in a `Deliver`. A projection `p1…` starts
//! (and restarts after a crash) with nothing: it sends `Fetch { partition, from: 0 }` for every
//! partition, which also subscribes it, and the log answers `Batch`es of up to `batch` records
//! until the partition's end. Records are applied one by one to the projection's balances;
//! records delivered live while a replay is under way are kept aside until it ends.
//!
//! **Ordering.** The network does not keep order: two `Deliver`s sent a millisecond apart on a
//! link with jitter arrive either way round (every projection gets every record, pushed over its
//! own jittery link). With `delivery: per_partition` a projection applies the records of each
//! partition strictly in offset order, holding back one that arrives early until the gap before it
//! is filled (`held_back`) — reassembly as TCP does it. A Kafka consumer never needs this: it pulls
//! contiguous batches over one TCP connection and sees no gaps, and offsets may legitimately skip
//! (compaction, transaction markers), so "wait for offset n+1" would stall there. With `delivery:
//! unordered` it applies each record the moment it arrives; adding `version_check` makes it apply
//! an account's events in their version order, parking the early ones (`parked`). The event a
//! parked one waits for may have been lost on the way, and then every later event of that account
//! would wait for good with both invariants green (they compare what was processed): a projection
//! that parks arms the same `Gap` check as partition order and fetches a partition stuck behind a
//! missing offset.
//!
//! **Roles and timers.** Clients (`Next`: the next command after `think`; `Timeout`: no answer in a
//! second). The writer: `Resend` (appends the log has not acknowledged in 500 ms are sent again;
//! the log takes each once). The log: none. A projection: `ApplyBatch` (applying a replayed batch
//! takes `replay_us_per_event` per record: the rebuild's speed, far slower than a real rebuild so
//! that it can be watched), `Gap` (a partition holding records back for 250 ms without moving has
//! lost a delivery: it fetches the missing offsets, `gap_fetches`, and each time a fetch fills a
//! gap, the next gap at once; a lost last `Deliver` of a partition waits for the next record, and
//! with `unordered` a lost `Deliver` is lost for good, unless `version_check` parks an event behind
//! it) and `Refetch` (a rebuild that has had no batch for 500 ms fetches again the partitions it is
//! still reading, `refetches`: a lost `Fetch` or `Batch` would stall it).
//! Durable: the log (the source of truth), the writer's balances and unacknowledged appends.
//! Volatile: everything a projection holds — it is a cache.
//! With `snapshot_every` N, a projection applying in partition order saves its state every N
//! records (durably: a snapshot survives a crash), and a restart replays only what came after
//! the last one — rebuild time against snapshot interval. (This is a read-model checkpoint:
//! per-partition offsets and state; "snapshot" in event sourcing more often means a write-side
//! aggregate's. After fixing a bug in a projection its old checkpoints must be thrown away; a
//! `rebuild` by hand ignores them.)
//! A projection takes `rebuild` (throw the state away, replay from 0) and `as_of` (value N:
//! rebuild from the first N events of the log only, and stay there: time travel; `rebuild`
//! brings it back to the present). `as_of` assumes what one event store has (EventStoreDB's
//! `$all` position): a global sequence number across all accounts. A multi-partition Kafka topic
//! has none; time travel there is per partition, by offset or by timestamp (`offsetsForTimes`).
//! Mid-replay, each account shows a balance it really had, but the partitions are read to
//! different depths, so the combination shown side by side need not be any past state of the log;
//! only a cut at one global position (`as_of`) is.
//!
//! **Invariants.** `projection matches the log`: for every account, a projection shows the
//! balance the log's fold gives after as many of that account's events as the projection has
//! processed — its state is a fold of a per-key prefix of the log, whether it is following,
//! replaying or travelling in time (checked after every event). A projection applying one
//! account's events out of order, or dropping one, breaks it. `no negative balance`: no
//! projection shows an account below 0. The writer never lets a withdrawal overdraw, so the log
//! never goes below 0 — an assumption, not a check: both invariants compare projections with the
//! log, never the log with the rules, and a writer bug that overdrew would leave them green.
//!
//! **What to watch.** `log_length` growing; each projection's `known_lag`: the log's length in
//! the last `Deliver` or `Batch` it received minus the records it has processed, jumping to the
//! whole log when it restarts and falling as it replays. It is the lag as the projection knows it,
//! as a Kafka consumer's own `records-lag` is counted from the high watermark of its last fetch;
//! the lag against the log's end now (Kafka's consumer-group lag: log-end offset minus the
//! consumer's position) also counts the records still on their way, which the projection cannot
//! know of. `replayed`, `rebuild_ms` (per projection) and `replay_events_per_s` (of the last
//! rebuild); `held_back` (ordered) against `misapplied` and `negative_applies` (unordered) and
//! `parked` (unordered with `version_check`); `commands` and `rejected_commands`; `snapshots`. The
//! projection's notes say what it did with an event that came too early, and whether a balance
//! below 0 is a temporary dip or the after-effect of a dropped event.
//!
//! Cross-partition order is not kept and need not be here, because no event depends on another
//! account's: there are no transfers. A transfer would put events in two accounts' streams
//! (possibly two partitions) and a reader could see one without the other; systems write both
//! events and let readers tolerate the gap, or run the transfer as a saga of per-account steps.
//!
//! **References.** M. Fowler, *Event Sourcing* (2005); M. Kleppmann, *Designing Data-Intensive
//! Applications*, ch. 11 ("Event sourcing", "State, streams and immutability"); J. Kreps, *The
//! Log: what every software engineer should know about real-time data's unifying abstraction*
//! (2013); the Kafka documentation, "Partitions and ordering".

mod client;
mod gap;
mod log;
mod msg;
mod node;
mod projection;
mod replay;
mod snapshot;
mod writer;

pub use msg::{Change, Event, Record, SourcingMsg, SourcingTimer};
pub use node::SourcingNode;

use crate::dist::Dist;
use crate::ids::NodeId;
use crate::scenario::{Scenario, ScenarioError};
use serde::{Deserialize, Serialize};

/// How a projection applies the records the log delivers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Each partition's records strictly in offset order; early ones are held back.
    PerPartition,
    /// Each record as it arrives.
    Unordered,
}

/// E4 configuration: clients, accounts, the log's partitions, the projections.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcingConfig {
    pub delivery: Delivery,
    /// Client nodes `c1…`.
    pub clients: u32,
    /// Accounts the clients' commands pick from (`acct 1…`).
    pub accounts: u32,
    /// Partitions of the log; an account's events go to partition hash(account) mod this.
    pub partitions: u32,
    /// Projection nodes `p1…`.
    pub projections: u32,
    /// A client's pause between an answer and its next command.
    pub think: Dist,
    /// Share of commands that are withdrawals, per mille (the rest are deposits).
    #[serde(default = "half")]
    pub withdraw_permille: u32,
    /// Amounts are drawn from 1 to this.
    #[serde(default = "hundred")]
    pub max_amount: u64,
    /// Records per `Batch` when a projection replays the log.
    #[serde(default = "fifty")]
    pub batch: u32,
    /// A projection's time to read and apply one record while it replays.
    #[serde(default = "thousand")]
    pub replay_us_per_event: u64,
    /// A projection applying in partition order snapshots its state every this many records, and
    /// a restart replays from the last snapshot (0 = no snapshots: always from offset 0).
    /// Always written, though no preset sets it, so the Editor shows it (e4-event-replay's lesson
    /// asks for it).
    #[serde(default)]
    pub snapshot_every: u64,
    /// With `delivery: unordered`: apply an account's event only if its version is the row's
    /// version + 1 (the next of that account's events), and park it until then.
    /// Always written, as `snapshot_every` is (e4-out-of-order's lesson asks for it).
    #[serde(default)]
    pub version_check: bool,
}

fn half() -> u32 {
    500
}
fn hundred() -> u64 {
    100
}
fn fifty() -> u32 {
    50
}
fn thousand() -> u64 {
    1000
}

impl SourcingConfig {
    pub fn validate(&self, _sc: &Scenario) -> Result<(), ScenarioError> {
        let bad = |f: &str, m: &str| ScenarioError::invalid(format!("protocol.{f}"), m.to_string());
        if !(1..=3).contains(&self.clients) {
            return Err(bad("clients", "must be 1 to 3"));
        }
        if !(1..=1000).contains(&self.accounts) {
            return Err(bad("accounts", "must be 1 to 1000"));
        }
        if !(1..=16).contains(&self.partitions) {
            return Err(bad("partitions", "must be 1 to 16"));
        }
        if !(1..=3).contains(&self.projections) {
            return Err(bad("projections", "must be 1 to 3"));
        }
        if self.withdraw_permille > 1000 {
            return Err(bad("withdraw_permille", "must be 0 to 1000 (per mille)"));
        }
        if !(1..=1_000_000).contains(&self.max_amount) {
            return Err(bad("max_amount", "must be 1 to 1000000"));
        }
        if !(1..=10_000).contains(&self.batch) {
            return Err(bad("batch", "must be 1 to 10000"));
        }
        if self.replay_us_per_event > 100_000 {
            return Err(bad("replay_us_per_event", "must be 0 to 100000"));
        }
        if self.version_check && self.delivery != Delivery::Unordered {
            return Err(bad(
                "version_check",
                "needs delivery unordered (per_partition already applies each account's events in order)",
            ));
        }
        if self.snapshot_every > 1_000_000 {
            return Err(bad("snapshot_every", "must be 0 (none) to 1000000"));
        }
        self.think.check(0).map_err(|m| bad("think", &m))
    }
}

/// Where everyone is: clients `0..clients`, then the writer, the log, the projections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub clients: u32,
}

impl Layout {
    pub fn writer(self) -> NodeId {
        NodeId(self.clients)
    }
    pub fn log(self) -> NodeId {
        NodeId(self.clients + 1)
    }
}

/// Nodes: clients `c1…`, the `writer`, the `log`, projections `p1…`.
pub fn build(_sc: &Scenario, cfg: &SourcingConfig) -> Vec<(String, SourcingNode)> {
    let layout = Layout { clients: cfg.clients };
    let mut out: Vec<(String, SourcingNode)> =
        (1..=cfg.clients).map(|i| (format!("c{i}"), SourcingNode::client(cfg, layout))).collect();
    out.push(("writer".into(), SourcingNode::writer(layout)));
    out.push(("log".into(), SourcingNode::log(cfg)));
    for i in 1..=cfg.projections {
        out.push((format!("p{i}"), SourcingNode::projection(cfg, layout, i)));
    }
    out
}
