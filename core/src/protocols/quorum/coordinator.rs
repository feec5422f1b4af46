//! The coordinator role: any replica coordinates the client requests sent to it. It asks the
//! key's preference list, waits for R replies or W acks, optionally falls back to other nodes
//! (sloppy quorum), repairs stale replicas, and in ABD mode runs the two-phase protocol.

use super::msg::{QMsg, QTimer, Stored, Version};
use super::{Params, QuorumMode};
use crate::ids::NodeId;
use crate::node::Ctx;
use crate::time::SimDuration;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

type C<'a> = Ctx<'a, QMsg, QTimer>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReqKind {
    Get,
    Put(i64),
}

/// Query: collecting R replies (every get; ABD puts too). Store: collecting W acks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Query,
    Store,
}

#[derive(Clone, Debug)]
struct Request {
    client: NodeId,
    op: u64,
    key: u64,
    kind: ReqKind,
    phase: Phase,
    asked: Vec<NodeId>,
    /// What each replier answered; in a Dynamo get, raised to the version read repair sent it.
    replies: BTreeMap<u32, Stored>,
    acks: BTreeSet<u32>,
    /// The newest value the query phase found: in the first R replies when it ends, then (Dynamo
    /// get) in every reply that comes in before the request finishes.
    best: Stored,
    /// What the store phase writes.
    store: Option<(Version, i64)>,
    answered: bool,
}

#[derive(Clone, Debug)]
pub struct Coordinator {
    params: Arc<Params>,
    requests: BTreeMap<u64, Request>,
    next_req: u64,
    /// Operation ids taken per client (durable, like a dedup table on disk): the network may
    /// duplicate a `ClientPut`, and running it twice would write an old value again *later*,
    /// after newer writes — a linearizability violation the swarm test found.
    seen: BTreeMap<u32, Seen>,
}

/// The operation ids one client has had taken. A set, not the highest id: an open-loop client has
/// several requests in flight, and one that the network delivers after a later one is still owed
/// an answer (dropping it made the client time out with no fault in the run).
#[derive(Clone, Debug, Default)]
struct Seen {
    /// Every id up to this one counts as taken (the list forgets its oldest past `KEEP`).
    below: u64,
    /// Sorted. (A `Vec`, not a `BTreeSet`: ids arrive nearly in order, and the set's code cost
    /// the page 1.9 KB gzipped.)
    ids: Vec<u64>,
}

impl Seen {
    /// Ids remembered one by one: more than a client ever has in flight.
    const KEEP: usize = 256;

    /// Take `op`; `false` if it was taken before.
    fn take(&mut self, op: u64) -> bool {
        if op <= self.below {
            return false;
        }
        let Err(at) = self.ids.binary_search(&op) else { return false };
        self.ids.insert(at, op);
        if self.ids.len() > Self::KEEP {
            self.below = self.ids.remove(0);
        }
        true
    }
}

impl Coordinator {
    pub fn new(params: Arc<Params>) -> Self {
        Coordinator { params, requests: BTreeMap::new(), next_req: 0, seen: BTreeMap::new() }
    }

    pub fn crash(&mut self) {
        self.requests.clear();
    }

    pub fn open_requests(&self) -> usize {
        self.requests.len()
    }

    /// A client's get or put arrives.
    pub fn on_client(&mut self, ctx: &mut C<'_>, client: NodeId, op: u64, key: u64, put: Option<i64>) {
        if !self.seen.entry(client.0).or_default().take(op) {
            let name = format!("c{}", client.0 + 1 - self.params.replicas);
            ctx.note(format!("ignored a duplicate of {name}'s request {op}"));
            return;
        }
        self.next_req += 1;
        let id = self.next_req;
        let kind = put.map_or(ReqKind::Get, ReqKind::Put);
        let mut req = Request {
            client,
            op,
            key,
            kind,
            phase: Phase::Query,
            asked: Vec::new(),
            replies: BTreeMap::new(),
            acks: BTreeSet::new(),
            best: None,
            store: None,
            answered: false,
        };
        ctx.set_timer(QTimer::Deadline(id), SimDuration::from_ms(self.params.request_timeout_ms));
        match (kind, self.params.mode) {
            (ReqKind::Put(value), QuorumMode::Dynamo) => {
                let version = Version { counter: ctx.now().as_us(), node: ctx.id().0, seq: id };
                self.begin_store(ctx, id, &mut req, (version, value));
            }
            _ => self.begin_query(ctx, id, &mut req),
        }
        self.requests.insert(id, req);
    }

    fn begin_query(&self, ctx: &mut C<'_>, id: u64, req: &mut Request) {
        req.phase = Phase::Query;
        req.asked = self.params.preference(req.key).take(self.params.n as usize).collect();
        for &to in &req.asked {
            ctx.send(to, QMsg::Read { req: id, key: req.key });
        }
        self.arm_sloppy(ctx, id);
    }

    fn begin_store(&self, ctx: &mut C<'_>, id: u64, req: &mut Request, store: (Version, i64)) {
        req.phase = Phase::Store;
        req.store = Some(store);
        req.acks.clear();
        req.asked = self.params.preference(req.key).take(self.params.n as usize).collect();
        for &to in &req.asked {
            ctx.send(to, QMsg::Write { req: id, key: req.key, version: store.0, value: store.1, hint: None });
        }
        self.arm_sloppy(ctx, id);
    }

    fn arm_sloppy(&self, ctx: &mut C<'_>, id: u64) {
        if self.params.sloppy_quorum {
            ctx.set_timer(QTimer::Sloppy(id), SimDuration::from_ms(self.params.sloppy_after_ms));
        }
    }

    pub fn on_read_reply(&mut self, ctx: &mut C<'_>, from: NodeId, id: u64, stored: Stored) {
        let Some(mut req) = self.requests.remove(&id) else {
            ctx.ignored("late_replies", "ignored ReadReply: request already finished");
            return;
        };
        if req.phase != Phase::Query {
            ctx.ignored("late_replies", "ignored ReadReply: request moved on to its store phase");
            self.requests.insert(id, req);
            return;
        }
        req.replies.insert(from.0, stored);
        if req.answered {
            // A late reply may be newer than the answer: repair everyone to the newest seen so
            // far. (ABD's get answers here only when nothing was found, and repairs nothing.)
            if self.params.mode == QuorumMode::Dynamo {
                req.best = req.best.max(stored);
            }
            self.repair_stale(ctx, &mut req);
        } else if req.replies.len() as u32 >= self.params.r {
            req.best = req.replies.values().copied().max().flatten();
            self.query_done(ctx, id, &mut req);
        }
        let all_replied = req.asked.iter().all(|n| req.replies.contains_key(&n.0));
        if !(req.answered && all_replied) {
            self.requests.insert(id, req);
        }
    }

    /// R replies are in: answer (Dynamo get), write back (ABD get) or write a new version (ABD put).
    fn query_done(&mut self, ctx: &mut C<'_>, id: u64, req: &mut Request) {
        match (req.kind, self.params.mode, req.best) {
            (ReqKind::Get, QuorumMode::Dynamo, best)
            | (ReqKind::Get, QuorumMode::Linearizable, best @ None) => {
                self.answer(ctx, req, Some((best.map_or_else(Version::default, |b| b.0), best.map(|b| b.1))));
                self.repair_stale(ctx, req);
            }
            (ReqKind::Get, QuorumMode::Linearizable, Some(best)) => self.begin_store(ctx, id, req, best),
            (ReqKind::Put(value), _, best) => {
                let counter = best.map_or(0, |(v, _)| v.counter) + 1;
                let version = Version { counter, node: ctx.id().0, seq: id };
                self.begin_store(ctx, id, req, (version, value));
            }
        }
    }

    /// Read repair: send the newest value seen to every replier still known to hold an older one
    /// (the coordinator's own copy too: it answered like any replica), and remember it as theirs,
    /// so a replier is repaired again only if a newer reply comes in later. A t-visibility probe
    /// never repairs: it is the instrument, and repairing would freshen the key for the next probe.
    fn repair_stale(&self, ctx: &mut C<'_>, req: &mut Request) {
        let best @ Some((version, value)) = req.best else { return };
        if !self.params.read_repair || req.key >= super::PROBE_KEY_BASE {
            return;
        }
        for (&node, stored) in req.replies.iter_mut().filter(|(_, s)| **s < best) {
            ctx.count("read_repairs", 1);
            ctx.send(NodeId(node), QMsg::Repair { key: req.key, version, value });
            *stored = best;
        }
    }

    pub fn on_write_ack(&mut self, ctx: &mut C<'_>, from: NodeId, id: u64) {
        let Some(req) = self.requests.get_mut(&id) else {
            ctx.ignored("late_replies", "ignored WriteAck: request already finished");
            return;
        };
        if req.phase != Phase::Store {
            return;
        }
        req.acks.insert(from.0);
        if req.acks.len() as u32 >= self.params.w {
            let Some(mut req) = self.requests.remove(&id) else { return };
            let Some((version, value)) = req.store else { return };
            let result = match req.kind {
                ReqKind::Put(_) => (version, None),
                ReqKind::Get => (version, Some(value)),
            };
            self.answer(ctx, &mut req, Some(result));
        }
    }

    fn answer(&self, ctx: &mut C<'_>, req: &mut Request, result: Option<(Version, Option<i64>)>) {
        if !req.answered {
            req.answered = true;
            ctx.send(req.client, QMsg::ClientReply { op: req.op, result });
        }
    }

    /// Deadline: a request still without its quorum fails; a finished one stops repairing.
    pub fn on_deadline(&mut self, ctx: &mut C<'_>, id: u64) {
        if let Some(mut req) = self.requests.remove(&id) {
            if !req.answered {
                ctx.count("quorum_failures", 1);
                self.answer(ctx, &mut req, None);
            }
        }
    }

    /// Sloppy quorum: for every preferred node that has not answered yet, ask the next node
    /// down the ring instead (a write carries a hint naming the node it is meant for).
    pub fn on_sloppy(&mut self, ctx: &mut C<'_>, id: u64) {
        let Some(req) = self.requests.get_mut(&id) else { return };
        if req.answered {
            return;
        }
        let silent: Vec<NodeId> = req
            .asked
            .iter()
            .copied()
            .filter(|n| {
                if req.phase == Phase::Query {
                    !req.replies.contains_key(&n.0)
                } else {
                    !req.acks.contains(&n.0)
                }
            })
            .collect();
        let fallbacks = self.params.preference(req.key).filter(|n| !req.asked.contains(n));
        for (owner, fallback) in silent.into_iter().zip(fallbacks.collect::<Vec<_>>()) {
            ctx.count("sloppy_fallbacks", 1);
            req.asked.push(fallback);
            match (req.phase, req.store) {
                (Phase::Store, Some((version, value))) => ctx
                    .send(fallback, QMsg::Write { req: id, key: req.key, version, value, hint: Some(owner) }),
                _ => ctx.send(fallback, QMsg::Read { req: id, key: req.key }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::{Bench, Effect};
    use crate::time::SimTime;

    /// r1 (node 0) coordinating among three replicas, N = 3, R = 1, read repair on; c1 is node 3.
    fn coordinator(mode: QuorumMode) -> Coordinator {
        Coordinator::new(Arc::new(Params {
            replicas: 3,
            n: 3,
            r: 1,
            w: 1,
            mode,
            read_repair: true,
            sloppy_quorum: false,
            sloppy_after_ms: 50,
            handoff_interval_ms: 200,
            request_timeout_ms: 1000,
            legs: Default::default(),
            probe_visibility: false,
            client_timeout: SimDuration::from_ms(2000),
        }))
    }

    fn version(counter: u64, node: u32) -> Stored {
        Some((Version { counter, node, seq: 1 }, counter as i64))
    }

    /// One coordinator call; the messages it sent, as (to, message).
    fn step(
        bench: &mut Bench,
        c: &mut Coordinator,
        f: impl FnOnce(&mut Coordinator, &mut C<'_>),
    ) -> Vec<(u32, QMsg)> {
        let ((), out) = bench.run((NodeId(0), SimTime::ZERO, 4), |ctx| f(c, ctx));
        out.into_iter()
            .filter_map(|e| match e {
                Effect::Send { to, msg } => Some((to.0, msg)),
                _ => None,
            })
            .collect()
    }

    fn repair(to: u32, stored: Stored) -> (u32, QMsg) {
        let (version, value) = stored.expect("a value");
        (to, QMsg::Repair { key: 0, version, value })
    }

    /// Review 58 B2: with R = 1 the coordinator answers with its own copy; a later reply that is
    /// newer must repair that copy and every other replier older than it, not be measured against
    /// the frozen answer. The client's answer stays the first reply's.
    #[test]
    fn a_late_newer_reply_repairs_every_older_replier_and_the_answer_stays() {
        let (mut bench, mut c) = (Bench::new(1), coordinator(QuorumMode::Dynamo));
        step(&mut bench, &mut c, |c, ctx| c.on_client(ctx, NodeId(3), 1, 0, None));
        let (old, new) = (version(100, 1), version(200, 2));
        let sent = step(&mut bench, &mut c, |c, ctx| c.on_read_reply(ctx, NodeId(0), 1, old));
        let (v, x) = old.expect("a value");
        assert_eq!(sent, [(3, QMsg::ClientReply { op: 1, result: Some((v, Some(x))) })]);
        let sent = step(&mut bench, &mut c, |c, ctx| c.on_read_reply(ctx, NodeId(1), 1, new));
        assert_eq!(sent, [repair(0, new)], "the coordinator's own copy is brought up to r2's");
        let sent = step(&mut bench, &mut c, |c, ctx| c.on_read_reply(ctx, NodeId(2), 1, old));
        assert_eq!(sent, [repair(2, new)], "a replier after the newer one is repaired to it too");
        assert_eq!(bench.metrics().counter_sum("read_repairs"), 2, "r1 once, not again for r3's reply");
        assert_eq!(c.open_requests(), 0, "every reply is in: the get is done");
    }

    /// ABD answers a get in its query phase only when no replica holds the key, and its write-back
    /// replaces read repair: a later reply repairs nothing there.
    #[test]
    fn abd_does_not_repair_from_replies_after_its_answer() {
        let (mut bench, mut c) = (Bench::new(1), coordinator(QuorumMode::Linearizable));
        step(&mut bench, &mut c, |c, ctx| c.on_client(ctx, NodeId(3), 1, 0, None));
        let sent = step(&mut bench, &mut c, |c, ctx| c.on_read_reply(ctx, NodeId(0), 1, None));
        assert_eq!(sent, [(3, QMsg::ClientReply { op: 1, result: Some((Version::default(), None)) })]);
        let sent = step(&mut bench, &mut c, |c, ctx| c.on_read_reply(ctx, NodeId(1), 1, version(200, 2)));
        assert!(sent.is_empty(), "{sent:?}");
    }
}
