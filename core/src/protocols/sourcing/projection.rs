//! A projection (read model): balances built by applying the log's records. It rebuilds from
//! offset 0 whenever it starts, follows new records as they are delivered, and applies them per
//! partition in offset order or as they come.

use super::msg::{balances_line, secs, Change, Record, SourcingMsg, SourcingTimer, C};
use super::{Delivery, Layout, SourcingConfig};
use crate::ids::NodeId;
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A rebuild under way: which partitions are still being read, the batches waiting to be applied.
#[derive(Clone, Debug)]
pub struct Replay {
    started: SimTime,
    /// Per partition, the offset the next fetch asks for; partitions not yet read to the end.
    cursor: Vec<u64>,
    remaining: BTreeSet<u32>,
    inbox: VecDeque<(u32, Vec<Record>, u64)>,
    busy: bool,
    replayed: u64,
}

#[derive(Clone, Debug)]
pub struct Projection {
    /// Its number: this is `p{number}`.
    pub number: u32,
    log: NodeId,
    ordered: bool,
    batch: u32,
    per_event: SimDuration,
    pub balances: BTreeMap<u32, i64>,
    /// Per partition: every offset below it has been processed.
    next: Vec<u64>,
    /// Per partition: records received beyond `next`, and whether each is applied already.
    ahead: Vec<BTreeMap<u64, (Record, bool)>>,
    /// Records applied (or dropped as unappliable): the projection's position in the log.
    pub processed: u64,
    /// Per account, how many of its records have been processed.
    pub seen: BTreeMap<u32, u64>,
    /// The log's length as last heard.
    head: u64,
    pub replay: Option<Replay>,
    /// Time travel: only records with a sequence number below this are applied.
    pub as_of: Option<u64>,
    misapplied: u64,
    negative: u64,
    held_back: u64,
    last_rebuild: Option<String>,
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
            head: 0,
            replay: None,
            as_of: None,
            misapplied: 0,
            negative: 0,
            held_back: 0,
            last_rebuild: None,
        }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["replayed", "misapplied", "negative_applies"]);
        if self.ordered {
            ctx.declare(&["held_back"]);
        }
        ctx.declare_histogram_here("rebuild_ms");
        ctx.declare_gauge("replay_events_per_s");
        self.start(ctx, None);
    }

    /// Everything a projection holds is a cache of the log: a crash loses it all.
    pub fn crash(&mut self) {
        self.as_of = None;
        self.reset();
    }

    fn reset(&mut self) {
        self.balances.clear();
        self.next.iter_mut().for_each(|n| *n = 0);
        self.ahead.iter_mut().for_each(BTreeMap::clear);
        self.processed = 0;
        self.seen.clear();
        self.misapplied = 0;
        self.replay = None;
    }

    /// Throw the state away and replay the log from offset 0 (up to event `as_of` if given).
    pub fn start(&mut self, ctx: &mut C<'_>, as_of: Option<u64>) {
        self.reset();
        self.as_of = as_of;
        ctx.cancel_timer(SourcingTimer::ApplyBatch);
        let parts = self.next.len() as u32;
        self.replay = Some(Replay {
            started: ctx.now(),
            cursor: vec![0; parts as usize],
            remaining: (0..parts).collect(),
            inbox: VecDeque::new(),
            busy: false,
            replayed: 0,
        });
        let upto = as_of.map_or(String::new(), |n| format!(", up to event {n}"));
        ctx.note(format!(
            "p{} starts empty and replays the log from offset 0{upto}: {parts} partitions, {} events per batch",
            self.number, self.batch
        ));
        for partition in 0..parts {
            ctx.send(self.log, SourcingMsg::Fetch { partition, from: 0, max: self.batch });
        }
        self.show_lag(ctx);
    }

    pub fn on_deliver(&mut self, ctx: &mut C<'_>, record: Record, head: u64) {
        self.head = self.head.max(head);
        self.receive(ctx, record, false);
        self.show_lag(ctx);
    }

    /// A replayed batch: queued, applied when the projection is done with the ones before it.
    pub fn on_batch(&mut self, ctx: &mut C<'_>, partition: u32, from: u64, records: Vec<Record>, end: u64) {
        let Some(r) = self.replay.as_mut() else { return };
        if r.cursor.get(partition as usize) != Some(&from) {
            return; // an answer to a fetch of an earlier rebuild
        }
        r.inbox.push_back((partition, records, end));
        if !r.busy {
            self.apply_later(ctx);
        }
    }

    fn apply_later(&mut self, ctx: &mut C<'_>) {
        let Some(r) = self.replay.as_mut() else { return };
        let Some((_, records, _)) = r.inbox.front() else {
            r.busy = false;
            return;
        };
        r.busy = true;
        let cost = self.per_event.as_us().saturating_mul(records.len() as u64);
        ctx.set_timer(SourcingTimer::ApplyBatch, SimDuration::from_us(cost));
    }

    /// The batch at the head of the inbox is applied; fetch more of its partition or finish.
    pub fn on_apply_batch(&mut self, ctx: &mut C<'_>) {
        let Some((partition, records, end)) = self.replay.as_mut().and_then(|r| r.inbox.pop_front()) else {
            return;
        };
        let n = records.len() as u64;
        // Time travel needs nothing past its point: a batch that reaches it ends the partition.
        let past = self.as_of.is_some_and(|k| records.iter().any(|r| r.seq >= k));
        let wanted = records.iter().filter(|r| self.as_of.is_none_or(|k| r.seq < k)).count() as u64;
        for rec in records {
            self.receive(ctx, rec, true);
        }
        ctx.count("replayed", wanted);
        let Some(r) = self.replay.as_mut() else { return };
        r.replayed += wanted;
        let Some(cursor) = r.cursor.get_mut(partition as usize) else { return };
        *cursor += n;
        if *cursor < end && n > 0 && !past {
            let from = *cursor;
            ctx.send(self.log, SourcingMsg::Fetch { partition, from, max: self.batch });
        } else {
            r.remaining.remove(&partition);
        }
        self.head = self.head.max(end);
        self.show_lag(ctx);
        if self.replay.as_ref().is_some_and(|r| r.remaining.is_empty() && r.inbox.is_empty()) {
            return self.finish(ctx);
        }
        self.apply_later(ctx);
    }

    fn finish(&mut self, ctx: &mut C<'_>) {
        let Some(r) = self.replay.take() else { return };
        self.settle(ctx);
        let took = ctx.now().since(r.started);
        let ms = took.as_us() / 1000;
        let rate = (r.replayed * 1_000_000).checked_div(took.as_us()).unwrap_or(0);
        if r.replayed == 0 {
            return; // the log was empty: nothing was rebuilt
        }
        ctx.observe_here("rebuild_ms", took);
        ctx.gauge("replay_events_per_s", rate as i64);
        let upto = self.as_of.map_or(String::new(), |n| format!(" up to event {n}"));
        let me = format!("p{}", self.number);
        let said = format!("{} events in {ms} ms ({rate} events/s)", r.replayed);
        ctx.note(format!(
            "{me} rebuilt its state from the log{upto}: replayed {said} since {}; balances {}",
            secs(r.started),
            balances_line(&self.balances)
        ));
        self.last_rebuild = Some(said);
    }

    /// Take one record: skip it if already had; hold it back if it is early (ordered), past the
    /// time-travel point, or delivered live while a replay is under way; apply it otherwise.
    fn receive(&mut self, ctx: &mut C<'_>, rec: Record, replayed: bool) {
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

    fn hold_back(&mut self, ctx: &mut C<'_>, rec: &Record, next: u64) {
        self.held_back += 1;
        ctx.count("held_back", 1);
        if self.held_back == 1 {
            ctx.note(format!(
                "p{} holds back {rec}: offset {next} of that partition has not arrived yet (from now on \
                 this is only counted, in held_back)",
                self.number
            ));
        }
    }

    /// After a replay, the records delivered live meanwhile: in order (ordered), or all of them
    /// as if they came now (unordered).
    fn settle(&mut self, ctx: &mut C<'_>) {
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

    /// Apply one record to the balances, as a read model with a foreign key would: a change to an
    /// account it has no row for is dropped.
    fn apply(&mut self, ctx: &mut C<'_>, rec: &Record) {
        self.processed += 1;
        let account = rec.event.account;
        *self.seen.entry(account).or_insert(0) += 1;
        let me = self.number;
        let Some(balance) = self.balances.get_mut(&account) else {
            if rec.event.change == Change::Opened {
                self.balances.insert(account, 0);
            } else {
                self.misapplied += 1;
                ctx.count("misapplied", 1);
                ctx.note(format!(
                    "p{me} drops {rec}: it has no acct {account} yet — the Opened event has not arrived; \
                     its balance will be wrong from now on"
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
                    ctx.note(format!(
                        "p{me} applies {rec} to a balance of {was}: acct {account} goes to {}, which the log \
                         never allowed — this projection has not applied acct {account}'s events in the \
                         log's order",
                        *balance
                    ));
                }
            }
        }
    }

    fn show_lag(&self, ctx: &mut C<'_>) {
        ctx.gauge_peak_here("lag_events", self.head.saturating_sub(self.processed) as i64);
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
            .field("lag (events)", self.head.saturating_sub(self.processed))
            .field("last rebuild", self.last_rebuild.as_deref().unwrap_or("-"))
            .field("misapplied (since its last rebuild)", self.misapplied);
        v = if self.ordered {
            v.field("held back", self.held_back).badge("per-partition order")
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
            v = v.alert(&format!("dropped {} events: diverged from the log", self.misapplied));
        }
        v
    }
}
