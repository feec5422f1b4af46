//! A D1 replica: stores the register; in cp mode coordinates majority-quorum operations, in ap
//! mode serves locally and reconciles by version vectors and last-writer-wins.

use super::node::{CapMsg, CapTimer, ClientResult};
use super::{CapConfig, CapMode};
use crate::ids::NodeId;
use crate::node::Ctx;
use crate::time::SimDuration;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

type C<'a> = Ctx<'a, CapMsg, CapTimer>;

/// A value's tag, ordered by `(ts, node)`: a logical counter in cp mode, clock µs in ap mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tag {
    pub ts: u64,
    pub node: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Query,
    Store,
}

/// A cp operation this replica coordinates.
#[derive(Clone, Debug)]
struct Coord {
    client: NodeId,
    client_op: u64,
    write: Option<i64>,
    phase: Phase,
    /// The replicas that answered this phase, one bit each: a duplicated reply counts once.
    replies: u32,
    best: (Tag, Option<i64>),
}

/// Reads this replica served (ap), kept to count stale ones once a newer write arrives.
const READ_LOG: usize = 4096;
/// Tags of the newest writes a replica knows (ap); each tag's `ts` is when the write was acknowledged.
const WRITE_LOG: usize = 256;

#[derive(Clone, Debug)]
pub struct Replica {
    cfg: Arc<CapConfig>,
    pub value: Option<i64>,
    pub tag: Tag,
    /// ap: writes coordinated per replica that this copy includes.
    pub vv: Vec<u64>,
    coords: BTreeMap<u64, Coord>,
    next_op: u64,
    /// cp: the highest tag counter this replica has issued as a coordinator.
    issued_ts: u64,
    /// ap: (served at µs, tag read, already counted stale).
    reads: VecDeque<(u64, Tag, bool)>,
    /// ap: the newest writes this copy has seen (shipped with `Replicate`).
    writes: BTreeSet<Tag>,
}

/// `Some(Less)`/`Some(Greater)`/`Some(Equal)` when ordered, `None` when concurrent.
fn compare(a: &[u64], b: &[u64]) -> Option<std::cmp::Ordering> {
    use std::cmp::Ordering::*;
    let (le, ge) = a.iter().zip(b).fold((true, true), |(le, ge), (x, y)| (le && x <= y, ge && x >= y));
    match (le, ge) {
        (true, true) => Some(Equal),
        (true, false) => Some(Less),
        (false, true) => Some(Greater),
        (false, false) => None,
    }
}

impl Replica {
    pub fn new(cfg: Arc<CapConfig>) -> Self {
        let vv = vec![0; cfg.replicas as usize];
        Replica {
            cfg,
            value: None,
            tag: Tag::default(),
            vv,
            coords: BTreeMap::new(),
            next_op: 0,
            issued_ts: 0,
            reads: VecDeque::new(),
            writes: BTreeSet::new(),
        }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        if self.cfg.mode == CapMode::Ap {
            let jitter = ctx.rng().below(self.cfg.sync_ms * 1000);
            ctx.set_timer(CapTimer::Sync, SimDuration(1 + jitter));
        }
    }

    pub fn crash(&mut self) {
        self.coords.clear();
        self.reads.clear();
        self.writes.clear();
    }

    pub fn coordinating(&self) -> usize {
        self.coords.len()
    }

    fn peers(&self, ctx: &C<'_>) -> Vec<NodeId> {
        (0..self.cfg.replicas).map(NodeId).filter(|p| *p != ctx.id()).collect()
    }

    /// A client's read (`write == None`) or write.
    pub fn on_client(&mut self, ctx: &mut C<'_>, client: NodeId, client_op: u64, write: Option<i64>) {
        match self.cfg.mode {
            CapMode::Cp => self.start_quorum(ctx, client, client_op, write),
            CapMode::Ap => self.serve_locally(ctx, client, client_op, write),
        }
    }

    fn start_quorum(&mut self, ctx: &mut C<'_>, client: NodeId, client_op: u64, write: Option<i64>) {
        self.next_op += 1;
        let op = self.next_op;
        let best = (Tag::default(), None);
        self.coords.insert(op, Coord { client, client_op, write, phase: Phase::Query, replies: 0, best });
        for r in 0..self.cfg.replicas {
            ctx.send(NodeId(r), CapMsg::Query { op });
        }
        ctx.set_timer(CapTimer::RequestTimeout(op), SimDuration::from_ms(self.cfg.request_timeout_ms));
    }

    pub fn on_query_reply(&mut self, ctx: &mut C<'_>, from: NodeId, op: u64, tag: Tag, value: Option<i64>) {
        let majority = self.cfg.majority();
        let me = ctx.id().0;
        let Some(c) = self.coords.get_mut(&op).filter(|c| c.phase == Phase::Query) else {
            ctx.ignored("late_replies", "ignored QueryReply: the operation is past its query phase or gone");
            return;
        };
        c.replies |= 1 << from.0;
        if tag >= c.best.0 {
            c.best = (tag, value);
        }
        if c.replies.count_ones() < majority {
            return;
        }
        // Two writes this replica coordinates at once must not pick the same tag.
        let (tag, value) = match c.write {
            Some(v) => {
                self.issued_ts = self.issued_ts.max(c.best.0.ts) + 1;
                (Tag { ts: self.issued_ts, node: me }, Some(v))
            }
            None => c.best,
        };
        c.phase = Phase::Store;
        c.replies = 0;
        c.best = (tag, value);
        for r in 0..self.cfg.replicas {
            ctx.send(NodeId(r), CapMsg::Store { op, tag, value });
        }
    }

    pub fn on_store_ack(&mut self, ctx: &mut C<'_>, from: NodeId, op: u64) {
        let Some(c) = self.coords.get_mut(&op).filter(|c| c.phase == Phase::Store) else {
            ctx.ignored("late_replies", "ignored StoreAck: the operation already finished");
            return;
        };
        c.replies |= 1 << from.0;
        if c.replies.count_ones() >= self.cfg.majority() {
            let c = self.coords.remove(&op).expect("present");
            ctx.cancel_timer(CapTimer::RequestTimeout(op));
            let result = ClientResult::Ok(if c.write.is_some() { None } else { c.best.1 });
            ctx.send(c.client, CapMsg::ClientReply { op: c.client_op, result });
        }
    }

    pub fn on_request_timeout(&mut self, ctx: &mut C<'_>, op: u64) {
        if let Some(c) = self.coords.remove(&op) {
            let maybe_applied = c.write.is_some() && c.phase == Phase::Store;
            ctx.note(format!("no majority within {} ms: refusing", self.cfg.request_timeout_ms));
            ctx.send(
                c.client,
                CapMsg::ClientReply { op: c.client_op, result: ClientResult::Refused { maybe_applied } },
            );
        }
    }

    /// A replica's part of a cp operation: report, or store a newer tagged value.
    pub fn on_query(&mut self, ctx: &mut C<'_>, from: NodeId, op: u64) {
        ctx.send(from, CapMsg::QueryReply { op, tag: self.tag, value: self.value });
    }

    pub fn on_store(&mut self, ctx: &mut C<'_>, from: NodeId, op: u64, tag: Tag, value: Option<i64>) {
        if tag > self.tag {
            self.tag = tag;
            self.value = value;
        }
        ctx.send(from, CapMsg::StoreAck { op });
    }

    fn serve_locally(&mut self, ctx: &mut C<'_>, client: NodeId, client_op: u64, write: Option<i64>) {
        let me = ctx.id();
        let result = match write {
            Some(v) => {
                self.tag = Tag { ts: ctx.now().as_us().max(self.tag.ts + 1), node: me.0 };
                self.value = Some(v);
                self.vv[me.index()] += 1;
                self.log_write(self.tag);
                self.push_to_peers(ctx);
                ClientResult::Ok(None)
            }
            None => {
                if self.reads.len() >= READ_LOG {
                    self.reads.pop_front();
                }
                self.reads.push_back((ctx.now().as_us(), self.tag, false));
                ClientResult::Ok(self.value)
            }
        };
        ctx.send(client, CapMsg::ClientReply { op: client_op, result });
    }

    fn push_to_peers(&self, ctx: &mut C<'_>) {
        for p in self.peers(ctx) {
            let copy = Copy {
                tag: self.tag,
                value: self.value,
                vv: self.vv.clone(),
                writes: self.writes.iter().copied().collect(),
            };
            ctx.send(p, CapMsg::Replicate(Box::new(copy)));
        }
    }

    pub fn on_sync_timer(&mut self, ctx: &mut C<'_>) {
        self.push_to_peers(ctx);
        ctx.set_timer(CapTimer::Sync, SimDuration::from_ms(self.cfg.sync_ms));
    }

    /// ap: merge a peer's copy by version vector, breaking concurrent versions by LWW tag.
    pub fn on_replicate(&mut self, ctx: &mut C<'_>, from: NodeId, copy: Copy) {
        use std::cmp::Ordering::*;
        self.count_stale_reads(ctx, &copy.writes);
        match compare(&copy.vv, &self.vv) {
            Some(Less | Equal) => {}
            Some(Greater) => {
                self.tag = copy.tag;
                self.value = copy.value;
                self.vv = copy.vv;
            }
            None => {
                ctx.count("conflicts", 1);
                let keep_theirs = copy.tag > self.tag;
                let ((winner, won_vv), (loser, lost_vv, lost)) = if keep_theirs {
                    ((copy.value, &copy.vv), (self.value, &self.vv, self.tag))
                } else {
                    ((self.value, &self.vv), (copy.value, &copy.vv, copy.tag))
                };
                // A register never written holds no value: said as "nothing", not `None`.
                let shown = |v: Option<i64>| v.map_or_else(|| "nothing".to_string(), |v| v.to_string());
                // The versions are concurrent, but the winning copy may have seen the very write
                // whose value is set aside (its writer's count in the winner's vector reaches it)
                // and overwritten it since: r1's own successive writes, relayed while r1 still
                // lacked r3's, read as data lost (review 39 C2).
                let k = lost.node as usize;
                let seen = lost.ts > 0 && won_vv.get(k).is_some_and(|n| Some(n) >= lost_vv.get(k));
                let dropped = if seen {
                    format!("sets aside {}, which the winning copy had already overwritten", shown(loser))
                } else {
                    format!("discards {}", shown(loser))
                };
                ctx.note(format!(
                    "conflict with r{}: concurrent versions {:?} and {:?}; last-writer-wins keeps {}, {dropped}",
                    from.0 + 1,
                    self.vv,
                    copy.vv,
                    shown(winner),
                ));
                if keep_theirs {
                    self.tag = copy.tag;
                    self.value = copy.value;
                }
                self.vv.iter_mut().zip(&copy.vv).for_each(|(a, b)| *a = (*a).max(*b));
            }
        }
    }

    fn log_write(&mut self, tag: Tag) {
        self.writes.insert(tag);
        while self.writes.len() > WRITE_LOG {
            self.writes.pop_first();
        }
    }

    /// Writes acknowledged elsewhere that this replica had not seen: every read it served after
    /// such a write was acknowledged, returning something older, was stale.
    fn count_stale_reads(&mut self, ctx: &mut C<'_>, writes: &[Tag]) {
        let full = self.writes.len() >= WRITE_LOG;
        let oldest = self.writes.first().copied().unwrap_or_default();
        let new: Vec<Tag> =
            writes.iter().copied().filter(|t| !self.writes.contains(t) && (!full || *t > oldest)).collect();
        if new.is_empty() {
            return;
        }
        let mut stale = 0;
        for (at, read_tag, counted) in self.reads.iter_mut().filter(|r| !r.2) {
            if new.iter().any(|t| t.ts < *at && t > read_tag) {
                *counted = true;
                stale += 1;
            }
        }
        new.iter().for_each(|t| self.log_write(*t));
        if stale > 0 {
            ctx.count("stale_reads", stale);
            ctx.note(format!(
                "learned of {} writes acknowledged elsewhere: {stale} reads served here missed them",
                new.len()
            ));
        }
    }
}

/// A replica's copy as shipped by `Replicate` (ap).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copy {
    pub tag: Tag,
    pub value: Option<i64>,
    pub vv: Vec<u64>,
    pub writes: Vec<Tag>,
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::*;

    #[test]
    fn version_vectors_order_or_are_concurrent() {
        assert_eq!(compare(&[1, 2, 0], &[1, 2, 0]), Some(Equal));
        assert_eq!(compare(&[1, 1, 0], &[1, 2, 0]), Some(Less));
        assert_eq!(compare(&[2, 2, 1], &[1, 2, 0]), Some(Greater));
        assert_eq!(compare(&[2, 0, 0], &[0, 0, 1]), None);
    }
}
