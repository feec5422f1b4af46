//! Snapshots: every `snapshot_every` records a projection applying in partition order saves its
//! state with the offsets it covers, durably. After a crash it restores the last snapshot and
//! replays only what came after. (A projection applying records as they come never has a clean
//! prefix to save, so it takes none.)

use super::msg::{balances_line, C};
use super::projection::Projection;
use std::collections::BTreeMap;

/// The state after the first `processed` records: each partition's prefix up to `next`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub processed: u64,
    pub next: Vec<u64>,
    pub balances: BTreeMap<u32, i64>,
    pub seen: BTreeMap<u32, u64>,
}

impl Projection {
    /// Save a snapshot if one is due: ordered, not travelling in time, a multiple of the interval.
    pub(super) fn maybe_snapshot(&mut self, ctx: &mut C<'_>) {
        let due = self.snapshot_every > 0 && self.processed % self.snapshot_every == 0;
        if !due || !self.ordered || self.as_of.is_some() {
            return;
        }
        self.snapshot = Some(Box::new(Snapshot {
            processed: self.processed,
            next: self.next.clone(),
            balances: self.balances.clone(),
            seen: self.seen.clone(),
        }));
        ctx.count("snapshots", 1);
    }

    /// Start from the last snapshot instead of from nothing; the offsets to replay from.
    pub(super) fn restore(&mut self, ctx: &mut C<'_>) -> Option<Vec<u64>> {
        let s = *self.snapshot.clone()?;
        let offsets: Vec<String> = s.next.iter().map(u64::to_string).collect();
        ctx.note(format!(
            "p{} restores its snapshot after {} events (offsets {}; balances {}) and replays only what \
             came after",
            self.number,
            s.processed,
            offsets.join(" · "),
            balances_line(&s.balances)
        ));
        self.processed = s.processed;
        self.next.clone_from(&s.next);
        self.balances = s.balances;
        self.seen = s.seen;
        Some(s.next)
    }
}
