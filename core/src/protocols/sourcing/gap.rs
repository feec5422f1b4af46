//! Per-partition order at a projection: a record that arrives before the ones ahead of it in
//! its partition waits (`held_back`); a partition that waits for `GAP` without moving has lost a
//! delivery on the way, and the projection fetches the missing offsets from the log. The version
//! check (unordered) arms the same check when it parks an event: the one it waits for may be lost.

use super::msg::{Record, SourcingMsg, SourcingTimer, C};
use super::projection::Projection;
use crate::time::SimDuration;

/// How long records may wait behind a gap before the projection fetches what is missing (a
/// `Deliver` lost on the way would otherwise hold its partition up for good).
const GAP: SimDuration = SimDuration::from_ms(250);

impl Projection {
    pub(super) fn hold_back(&mut self, ctx: &mut C<'_>, rec: &Record, next: u64) {
        self.held_back += 1;
        ctx.count("held_back", 1);
        if !self.gap_armed {
            self.arm_gap(ctx);
        }
        if self.held_back == 1 {
            ctx.note(format!(
                "p{} holds back {rec}: offset {next} of that partition has not arrived yet (from now on \
                 this is only counted, in held_back)",
                self.number
            ));
        }
    }

    pub(super) fn arm_gap(&mut self, ctx: &mut C<'_>) {
        self.gap_armed = true;
        self.gap_mark.clone_from(&self.next);
        ctx.set_timer(SourcingTimer::Gap, GAP);
    }

    /// The first offset of partition `p` received beyond a gap and waiting for it: in partition
    /// order, one held back; unordered, any (it was applied, or parked by the version check, but
    /// the partition's `next` cannot pass the gap until the missing record comes).
    fn first_behind_gap(&self, p: usize) -> Option<u64> {
        let ahead = self.ahead.get(p)?;
        let waits = |(_, (r, applied)): &(&u64, &(Record, bool))| {
            (!applied || !self.ordered) && self.as_of.is_none_or(|n| r.seq < n)
        };
        ahead.iter().find(waits).map(|(&first, _)| first)
    }

    /// A gap fetch filled a gap of `partition`: if records still wait behind another, fetch that
    /// one now. Lost deliveries leave many gaps, and one per `Gap` check (each waits for a check
    /// in which the partition has not moved) took half a second each: 33 lost ones, 15 s. A copy
    /// of the answer fills nothing, so asks for nothing.
    pub(super) fn fetch_next_gap(&mut self, ctx: &mut C<'_>, partition: u32) {
        let p = partition as usize;
        let Some(&next) = self.next.get(p) else { return };
        if let Some(first) = self.first_behind_gap(p).filter(|&first| first > next) {
            let max = u32::try_from(first - next).unwrap_or(u32::MAX);
            ctx.count("gap_fetches", 1);
            ctx.send(self.log, SourcingMsg::Fetch { partition, from: next, max });
        }
    }

    /// A partition that has held records back for `GAP` without moving is missing a delivery:
    /// fetch its missing offsets from the log.
    pub fn on_gap(&mut self, ctx: &mut C<'_>) {
        self.gap_armed = false;
        if self.replay.is_some() {
            return;
        }
        let mut waiting = false;
        for (p, (&next, &mark)) in self.next.iter().zip(&self.gap_mark).enumerate() {
            let Some(first) = self.first_behind_gap(p) else { continue };
            waiting = true;
            if first > next && next == mark {
                let max = u32::try_from(first - next).unwrap_or(u32::MAX);
                ctx.count("gap_fetches", 1);
                ctx.send(self.log, SourcingMsg::Fetch { partition: p as u32, from: next, max });
            }
        }
        if waiting {
            self.arm_gap(ctx);
        }
    }
}
