//! A projection (read model): balances built by applying the log's records. It rebuilds from
//! offset 0 whenever it starts, follows new records as they are delivered, and applies them per
//! partition in offset order or as they come.

use super::msg::{balances_line, Change, Record, C};
use super::replay::Replay;
use super::{Delivery, Layout, SourcingConfig};
use crate::ids::NodeId;
use crate::time::SimDuration;
use crate::view::NodeView;
use std::collections::BTreeMap;

/// An account's events that come before the ones they follow.
#[derive(Clone, Debug, Default)]
pub struct Early {
    /// `version_check`: an account's event is applied only when it is the next of that account's.
    pub(super) version_check: bool,
    /// Events parked by the version check, by (account, version), until their turn.
    pub(super) parked: BTreeMap<(u32, u64), Record>,
    /// Events ever parked (the first one is noted, the rest counted).
    pub(super) parked_total: u64,
    /// Per account, how many of its records were dropped (no row for it yet) since the last reset.
    pub(super) dropped: BTreeMap<u32, u64>,
}

#[derive(Clone, Debug)]
pub struct Projection {
    /// Its number: this is `p{number}`.
    pub number: u32,
    pub(super) log: NodeId,
    pub(super) ordered: bool,
    pub(super) batch: u32,
    pub(super) per_event: SimDuration,
    pub balances: BTreeMap<u32, i64>,
    /// Per partition: every offset below it has been processed.
    pub(super) next: Vec<u64>,
    /// Per partition: records received beyond `next`, and whether each is applied already.
    pub(super) ahead: Vec<BTreeMap<u64, (Record, bool)>>,
    /// Records applied (or dropped as unappliable): the projection's position in the log.
    pub processed: u64,
    /// Per account, how many of its records have been processed.
    pub seen: BTreeMap<u32, u64>,
    /// What it does with an account's events that come too early (boxed: rarely used).
    pub(super) early: Box<Early>,
    /// The log's length as last heard (in a `Deliver` or a `Batch`); 0 after a crash or a reset.
    pub(super) head: u64,
    pub replay: Option<Replay>,
    /// Time travel: only records with a sequence number below this are applied.
    pub as_of: Option<u64>,
    pub(super) misapplied: u64,
    pub(super) negative: u64,
    pub(super) held_back: u64,
    pub(super) last_rebuild: Option<String>,
    pub(super) snapshot_every: u64,
    /// The last snapshot: durable, a crash keeps it.
    pub(super) snapshot: Option<Box<super::snapshot::Snapshot>>,
    /// A `Gap` timer is pending, and `next` when it was set: a partition that has not moved since
    /// while records wait is missing one.
    pub(super) gap_armed: bool,
    pub(super) gap_mark: Vec<u64>,
}

impl Projection {
    pub fn new(cfg: &SourcingConfig, layout: Layout, number: u32) -> Self {
        let n = cfg.partitions as usize;
        Projection {
            number,
            log: layout.log(),
            ordered: cfg.delivery == Delivery::PerPartition,
            batch: cfg.batch,
            per_event: SimDuration::from_us(cfg.replay_us_per_event),
            balances: BTreeMap::new(),
            next: vec![0; n],
            ahead: vec![BTreeMap::new(); n],
            processed: 0,
            seen: BTreeMap::new(),
            early: Box::new(Early { version_check: cfg.version_check, ..Early::default() }),
            head: 0,
            replay: None,
            as_of: None,
            misapplied: 0,
            negative: 0,
            held_back: 0,
            last_rebuild: None,
            snapshot_every: cfg.snapshot_every,
            snapshot: None,
            gap_armed: false,
            gap_mark: vec![0; n],
        }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["replayed", "misapplied", "negative_applies"]);
        if self.ordered {
            ctx.declare(&["held_back", "gap_fetches"]);
        }
        if self.snapshot_every > 0 && self.ordered {
            ctx.declare(&["snapshots"]);
        }
        if self.early.version_check {
            ctx.declare(&["parked", "gap_fetches"]);
        }
        ctx.declare_histogram_here("rebuild_ms");
        ctx.declare_gauge("replay_events_per_s");
        self.start(ctx, None, true);
    }

    /// Everything a projection holds is a cache of the log: a crash loses it all.
    pub fn crash(&mut self) {
        self.as_of = None;
        self.gap_armed = false;
        self.reset();
    }

    pub(super) fn reset(&mut self) {
        self.balances.clear();
        self.next.iter_mut().for_each(|n| *n = 0);
        self.ahead.iter_mut().for_each(BTreeMap::clear);
        self.processed = 0;
        self.seen.clear();
        self.early.dropped.clear();
        self.early.parked.clear();
        self.head = 0;
        self.misapplied = 0;
        self.replay = None;
    }

    pub fn on_deliver(&mut self, ctx: &mut C<'_>, record: Record, head: u64) {
        self.head = self.head.max(head);
        self.receive(ctx, record, false);
        self.show_lag(ctx);
    }

    /// Take one record: skip it if already had; hold it back if it is early (ordered), past the
    /// time-travel point, or delivered live while a replay is under way; apply it otherwise.
    pub(super) fn receive(&mut self, ctx: &mut C<'_>, rec: Record, replayed: bool) {
        let p = rec.partition as usize;
        let (Some(&next), Some(ahead)) = (self.next.get(p), self.ahead.get_mut(p)) else { return };
        if rec.offset < next || ahead.contains_key(&rec.offset) {
            return; // a duplicate: delivered live and replayed too
        }
        let blocked = self.as_of.is_some_and(|n| rec.seq >= n) || (!replayed && self.replay.is_some());
        if blocked || (self.ordered && rec.offset > next) {
            ahead.insert(rec.offset, (rec, false));
            if !blocked && self.replay.is_none() {
                self.hold_back(ctx, &rec, next);
            }
            return;
        }
        if !self.ordered && rec.offset > next {
            ahead.insert(rec.offset, (rec, true));
        } else if let Some(n) = self.next.get_mut(p) {
            *n += 1;
        }
        self.apply(ctx, &rec);
        self.drain(ctx, p);
    }

    /// After a replay, the records delivered live meanwhile: in order (ordered), or all of them
    /// as if they came now (unordered).
    pub(super) fn settle(&mut self, ctx: &mut C<'_>) {
        for p in 0..self.ahead.len() {
            if !self.ordered {
                let Some(ahead) = self.ahead.get_mut(p) else { continue };
                let waiting: Vec<Record> = ahead
                    .values_mut()
                    .filter(|(r, applied)| !*applied && self.as_of.is_none_or(|n| r.seq < n))
                    .map(|(r, applied)| {
                        *applied = true;
                        *r
                    })
                    .collect();
                for rec in waiting {
                    self.apply(ctx, &rec);
                }
            }
            self.drain(ctx, p);
        }
    }

    /// Apply what has become contiguous in partition `p`.
    fn drain(&mut self, ctx: &mut C<'_>, p: usize) {
        loop {
            let (Some(&next), Some(ahead)) = (self.next.get(p), self.ahead.get_mut(p)) else { return };
            let Some(&(rec, applied)) = ahead.get(&next) else { return };
            if !applied
                && (self.as_of.is_some_and(|n| rec.seq >= n) || self.replay.is_some() && !self.ordered)
            {
                return;
            }
            ahead.remove(&next);
            if let Some(n) = self.next.get_mut(p) {
                *n += 1;
            }
            if !applied {
                self.apply(ctx, &rec);
            }
        }
    }

    /// Apply one record to the balances. A change to an account it has no row for yet is dropped
    /// and counted as processed: this projection's bug, kept to show what it costs. (A real
    /// consumer whose write fails fails the record and retries it, or parks it in a dead-letter
    /// queue; the standard fix is a per-account version check that holds back an event until the
    /// row's version is the one before it.)
    fn apply(&mut self, ctx: &mut C<'_>, rec: &Record) {
        if self.early.version_check && !self.its_turn(rec) {
            return self.park(ctx, rec);
        }
        self.apply_one(ctx, rec);
        self.maybe_snapshot(ctx);
        // The version check: the events of this account parked behind this one, now in turn.
        let account = rec.event.account;
        while let Some(next) =
            self.early.parked.remove(&(account, self.seen.get(&account).copied().unwrap_or(0)))
        {
            self.apply_one(ctx, &next);
            self.maybe_snapshot(ctx);
        }
    }

    /// Is this the account's next event: its version the number of the account's events applied?
    fn its_turn(&self, rec: &Record) -> bool {
        rec.version == self.seen.get(&rec.event.account).copied().unwrap_or(0)
    }

    fn park(&mut self, ctx: &mut C<'_>, rec: &Record) {
        if self.early.parked.insert((rec.event.account, rec.version), *rec).is_some() {
            return; // the same event again (delivered live and replayed)
        }
        ctx.count("parked", 1);
        self.early.parked_total += 1;
        // The event it waits for may have been lost on the way: check for a stuck partition.
        if !self.gap_armed {
            self.arm_gap(ctx);
        }
        if self.early.parked_total == 1 {
            let (me, a) = (self.number, rec.event.account);
            let had = self.seen.get(&a).copied().unwrap_or(0);
            ctx.note(format!(
                "p{me} parks {rec}: it is acct {a}'s event {} and p{me} has applied only {had} of acct {a}'s \
                 events — the version check applies it when the ones before it have arrived (from now on \
                 this is only counted, in parked)",
                rec.version + 1
            ));
        }
    }

    fn apply_one(&mut self, ctx: &mut C<'_>, rec: &Record) {
        self.processed += 1;
        let account = rec.event.account;
        *self.seen.entry(account).or_insert(0) += 1;
        let me = self.number;
        let Some(balance) = self.balances.get_mut(&account) else {
            if rec.event.change == Change::Opened {
                self.balances.insert(account, 0);
            } else {
                self.misapplied += 1;
                *self.early.dropped.entry(account).or_insert(0) += 1;
                ctx.count("misapplied", 1);
                ctx.note(format!(
                    "p{me} drops {rec}: it has no acct {account} yet — the Opened event has not arrived. \
                     Its code skips an event it cannot apply (a real consumer would fail and retry it, \
                     or park it): acct {account} misses this change for good"
                ));
            }
            return;
        };
        let signed = |x: u64| i64::try_from(x).unwrap_or(i64::MAX);
        match rec.event.change {
            Change::Opened => {}
            Change::Deposited(x) => *balance = balance.saturating_add(signed(x)),
            Change::Withdrew(x) => {
                let was = *balance;
                *balance = balance.saturating_sub(signed(x));
                if *balance < 0 && was >= 0 {
                    self.negative += 1;
                    ctx.count("negative_applies", 1);
                    let now = *balance;
                    let why = match self.early.dropped.get(&account) {
                        Some(k) => format!(
                            "not a fresh reordering: p{me} dropped {k} of acct {account}'s earlier events, so \
                             this balance is wrong for good"
                        ),
                        None => "a deposit before it in the log has not reached this projection yet; \
                                 amounts add up in any order, so the dip is temporary and heals when the \
                                 deposit lands"
                            .to_string(),
                    };
                    ctx.note(format!(
                        "p{me} applies {rec} to a balance of {was}: acct {account} goes to {now}, which the \
                         log never allowed — {why}"
                    ));
                }
            }
        }
    }

    /// The lag as far as the projection knows: the log's length in the last `Deliver` or `Batch`
    /// it received, minus the records it has processed. Records still on their way to it are not
    /// counted (as a Kafka consumer's own `records-lag` counts from the high watermark of its last
    /// fetch, not from the broker's log end now).
    pub(super) fn show_lag(&self, ctx: &mut C<'_>) {
        ctx.gauge_peak_here("known_lag", self.head.saturating_sub(self.processed) as i64);
    }

    /// The first account whose balance is not the log's after as many of its events as this
    /// projection has processed: (account, shown, the log's, events processed).
    pub fn mismatch(&self, history: &BTreeMap<u32, Vec<i64>>) -> Option<(u32, Option<i64>, i64, u64)> {
        self.seen.iter().find_map(|(&a, &k)| {
            let due = history.get(&a)?.get(usize::try_from(k).ok()?.checked_sub(1)?).copied()?;
            let shown = self.balances.get(&a).copied();
            (shown != Some(due)).then_some((a, shown, due, k))
        })
    }

    pub fn view(&self) -> NodeView {
        let label = match (&self.replay, self.as_of) {
            (Some(r), _) => format!("replaying: {} of {}", r.replayed, self.head),
            (None, Some(n)) => format!("as of event {n}"),
            (None, None) => format!("at {} of {}", self.processed, self.head),
        };
        let mut v = NodeView::new("projection (read model)", label)
            .field("balances", balances_line(&self.balances))
            .field("processed", self.processed)
            .field("known lag (events)", self.head.saturating_sub(self.processed))
            .field("last rebuild", self.last_rebuild.as_deref().unwrap_or("-"))
            .field("misapplied (since its last rebuild)", self.misapplied)
            .field("went negative", self.negative);
        v = if self.ordered {
            v.field("held back", self.held_back).badge("per-partition order")
        } else if self.early.version_check {
            v.field("parked", self.early.parked_total).badge("unordered, version check")
        } else {
            v.badge("unordered")
        };
        if self.replay.is_some() {
            v = v.badge("rebuilding");
        }
        if let Some(n) = self.as_of {
            v = v.badge(&format!("as of event {n}"));
        }
        for (a, b) in self.balances.iter().filter(|(_, b)| **b < 0) {
            v = v.alert(&format!("acct {a} at {b}"));
        }
        if self.misapplied > 0 {
            let events = if self.misapplied == 1 { "event" } else { "events" };
            v = v.alert(&format!("dropped {} {events}: diverged from the log", self.misapplied));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::node::Bench;
    use crate::protocols::sourcing::msg::Event;
    use crate::time::SimTime;

    fn projection(delivery: Delivery) -> Projection {
        let cfg = SourcingConfig {
            delivery,
            clients: 1,
            accounts: 1,
            partitions: 1,
            projections: 1,
            think: Dist::constant_ms(1),
            withdraw_permille: 500,
            max_amount: 100,
            batch: 50,
            replay_us_per_event: 0,
            snapshot_every: 0,
            version_check: false,
        };
        Projection::new(&cfg, Layout { clients: 1 }, 1)
    }

    /// Acct 1's first three records, as the log numbers them.
    fn records() -> [Record; 3] {
        let rec = |offset: u64, change| Record {
            seq: offset,
            partition: 0,
            offset,
            version: offset,
            event: Event { account: 1, change },
        };
        [rec(0, Change::Opened), rec(1, Change::Deposited(50)), rec(2, Change::Withdrew(30))]
    }

    /// Deliver `order` (indices into `records()`), each once, then the first again.
    fn deliver(p: &mut Projection, order: [usize; 3]) -> Bench {
        let mut bench = Bench::new(1);
        let all = records();
        for i in order.into_iter().chain([0]) {
            let ((), _) = bench.run((NodeId(3), SimTime::from_ms(1), 4), |ctx| p.on_deliver(ctx, all[i], 3));
        }
        bench
    }

    #[test]
    fn in_partition_order_early_records_wait_for_the_gap() {
        let mut p = projection(Delivery::PerPartition);
        let bench = deliver(&mut p, [2, 1, 0]);
        assert_eq!(p.balances.get(&1), Some(&20), "applied 0, 1, 2 whatever the arrival");
        assert_eq!((p.processed, p.held_back, p.misapplied, p.negative), (3, 2, 0, 0));
        assert_eq!(bench.metrics().counter("held_back", None), 2);
        let mut history = BTreeMap::new();
        history.insert(1, vec![0, 50, 20]);
        assert_eq!(p.mismatch(&history), None);
    }

    #[test]
    fn as_they_come_a_deposit_before_its_opening_is_lost_for_good() {
        let mut p = projection(Delivery::Unordered);
        let bench = deliver(&mut p, [1, 2, 0]);
        assert_eq!(p.balances.get(&1), Some(&0), "the deposit and the withdrawal were dropped");
        assert_eq!((p.processed, p.misapplied), (3, 2), "the duplicate Opened is not processed twice");
        assert_eq!(bench.metrics().counter("misapplied", None), 2);
        let mut history = BTreeMap::new();
        history.insert(1, vec![0, 50, 20]);
        assert_eq!(p.mismatch(&history), Some((1, Some(0), 20, 3)));
        // Withdrawal before deposit: below zero, then right again once the deposit lands.
        let mut q = projection(Delivery::Unordered);
        let all = records();
        let mut bench = Bench::new(1);
        for i in [0, 2] {
            let ((), _) = bench.run((NodeId(3), SimTime::from_ms(1), 4), |ctx| q.on_deliver(ctx, all[i], 3));
        }
        assert_eq!((q.balances.get(&1), q.negative), (Some(&-30), 1));
        assert_eq!(q.mismatch(&history), Some((1, Some(-30), 50, 2)));
        let ((), _) = bench.run((NodeId(3), SimTime::from_ms(2), 4), |ctx| q.on_deliver(ctx, all[1], 3));
        assert_eq!((q.balances.get(&1), q.mismatch(&history)), (Some(&20), None));
    }
}
