//! A projection's rebuild: throw the state away, fetch every partition from offset 0 in
//! batches, apply each batch at `replay_us_per_event` per record, finish when all partitions are
//! read to their end — or, travelling in time, to the chosen event.

use super::msg::{balances_line, secs, Record, SourcingMsg, SourcingTimer, C};
use super::projection::Projection;
use crate::time::{SimDuration, SimTime};
use std::collections::{BTreeSet, VecDeque};

/// How long a rebuild waits with no batch coming before it fetches again what it asked for: a
/// `Fetch` or `Batch` lost on the way (a cut, a lossy link, the log down) would otherwise stall the
/// rebuild for good, and with it the projection, which follows the log only once it is done.
const REFETCH: SimDuration = SimDuration::from_ms(500);

/// A rebuild under way: which partitions are still being read, the batches waiting to be applied.
#[derive(Clone, Debug)]
pub struct Replay {
    pub(super) started: SimTime,
    /// Per partition, the offset the next fetch asks for; partitions not yet read to the end.
    pub(super) cursor: Vec<u64>,
    pub(super) remaining: BTreeSet<u32>,
    pub(super) inbox: VecDeque<(u32, Vec<Record>, u64)>,
    pub(super) busy: bool,
    pub(super) replayed: u64,
    /// Events the restored snapshot already covered (0: replayed from offset 0).
    pub(super) restored: u64,
}

impl Projection {
    /// Throw the state away and replay the log from offset 0 (up to event `as_of` if given), or
    /// from the last snapshot if `snapshot` says it may.
    pub fn start(&mut self, ctx: &mut C<'_>, as_of: Option<u64>, snapshot: bool) {
        self.reset();
        self.as_of = as_of;
        ctx.cancel_timer(SourcingTimer::ApplyBatch);
        let parts = self.next.len() as u32;
        let restored = if snapshot { self.restore(ctx) } else { None };
        let cursor = restored.unwrap_or_else(|| vec![0; parts as usize]);
        self.replay = Some(Replay {
            started: ctx.now(),
            cursor: cursor.clone(),
            remaining: (0..parts).collect(),
            inbox: VecDeque::new(),
            busy: false,
            replayed: 0,
            restored: self.processed,
        });
        if self.processed == 0 {
            let upto = as_of.map_or(String::new(), |n| format!(", up to event {n}"));
            ctx.note(format!(
                "p{} starts empty and replays the log from offset 0{upto}: {parts} partitions, {} events \
                 per batch",
                self.number, self.batch
            ));
        }
        for (partition, &from) in (0..parts).zip(&cursor) {
            ctx.send(self.log, SourcingMsg::Fetch { partition, from, max: self.batch });
        }
        ctx.set_timer(SourcingTimer::Refetch, REFETCH);
        self.show_lag(ctx);
    }

    /// No batch for `REFETCH`: fetch again each partition still being read whose batch has not
    /// come (a copy of an answer that was only late is dropped: only one batch is taken per fetch).
    pub fn on_refetch(&mut self, ctx: &mut C<'_>) {
        let Some(r) = self.replay.as_ref() else { return };
        let waiting: Vec<(u32, u64)> = r
            .remaining
            .iter()
            .filter(|p| !r.inbox.iter().any(|(q, _, _)| q == *p))
            .filter_map(|&p| r.cursor.get(p as usize).map(|&from| (p, from)))
            .collect();
        if !waiting.is_empty() {
            ctx.count("refetches", waiting.len() as u64);
            ctx.note(format!(
                "p{}: no batch for {} ms; fetching again {} partitions it is still reading",
                self.number,
                REFETCH.as_us() / 1000,
                waiting.len()
            ));
        }
        for (partition, from) in waiting {
            ctx.send(self.log, SourcingMsg::Fetch { partition, from, max: self.batch });
        }
        ctx.set_timer(SourcingTimer::Refetch, REFETCH);
    }

    /// A replayed batch: queued, applied when the projection is done with the ones before it.
    /// `end` is the partition's length, `head` the whole log's.
    pub fn on_batch(
        &mut self,
        ctx: &mut C<'_>,
        partition: u32,
        from: u64,
        records: Vec<Record>,
        end: u64,
        head: u64,
    ) {
        self.head = self.head.max(head);
        let Some(r) = self.replay.as_mut() else {
            // The answer to a gap fetch: the records a lost delivery left out.
            let before = self.next.get(partition as usize).copied();
            for rec in records {
                self.receive(ctx, rec, true);
            }
            if self.next.get(partition as usize).copied() > before {
                self.fetch_next_gap(ctx, partition);
            }
            return self.show_lag(ctx);
        };
        // Only the answer to the fetch outstanding: not one of an earlier rebuild, and not a copy
        // (a duplicated message) of one already queued, whose records would count twice and
        // move the cursor past records never read.
        let queued = r.inbox.iter().any(|(p, _, _)| *p == partition);
        if r.cursor.get(partition as usize) != Some(&from) || !r.remaining.contains(&partition) || queued {
            return;
        }
        r.inbox.push_back((partition, records, end));
        ctx.set_timer(SourcingTimer::Refetch, REFETCH);
        if !r.busy {
            self.apply_later(ctx);
        }
        self.show_lag(ctx);
    }

    pub(super) fn apply_later(&mut self, ctx: &mut C<'_>) {
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
        self.show_lag(ctx);
        if self.replay.as_ref().is_some_and(|r| r.remaining.is_empty() && r.inbox.is_empty()) {
            return self.finish(ctx);
        }
        self.apply_later(ctx);
    }

    fn finish(&mut self, ctx: &mut C<'_>) {
        let Some(r) = self.replay.take() else { return };
        ctx.cancel_timer(SourcingTimer::Refetch);
        self.settle(ctx);
        let took = ctx.now().since(r.started);
        let ms = took.as_us() / 1000;
        let rate = (r.replayed * 1_000_000).checked_div(took.as_us()).unwrap_or(0);
        if r.replayed == 0 {
            return; // the log was empty: nothing was rebuilt
        }
        ctx.observe_here("rebuild_ms", took);
        ctx.gauge("replay_events_per_s", rate as i64);
        let mut upto = self.as_of.map_or(String::new(), |n| format!(" up to event {n}"));
        if r.restored > 0 {
            upto = format!(" after its snapshot of {} events", r.restored);
        }
        let me = format!("p{}", self.number);
        let said = format!("{} events in {ms} ms ({rate} events/s)", r.replayed);
        ctx.note(format!(
            "{me} rebuilt its state from the log{upto}: replayed {said} since {}; balances {}",
            secs(r.started),
            balances_line(&self.balances)
        ));
        self.last_rebuild = Some(said);
    }
}
