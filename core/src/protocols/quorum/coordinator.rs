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
    replies: BTreeMap<u32, Stored>,
    acks: BTreeSet<u32>,
    /// The newest value the query phase found.
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
            self.repair(ctx, &req, from, stored);
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
                let stale: Vec<(u32, Stored)> = req.replies.iter().map(|(n, s)| (*n, *s)).collect();
                for (node, stored) in stale {
                    self.repair(ctx, req, NodeId(node), stored);
                }
            }
            (ReqKind::Get, QuorumMode::Linearizable, Some(best)) => self.begin_store(ctx, id, req, best),
            (ReqKind::Put(value), _, best) => {
                let counter = best.map_or(0, |(v, _)| v.counter) + 1;
                let version = Version { counter, node: ctx.id().0, seq: id };
                self.begin_store(ctx, id, req, (version, value));
            }
        }
    }

    /// Read repair: send the newest value to a replica that answered with an older one.
    fn repair(&self, ctx: &mut C<'_>, req: &Request, to: NodeId, stored: Stored) {
        let Some((version, value)) = req.best else { return };
        if self.params.read_repair && stored.is_none_or(|(v, _)| v < version) {
            ctx.count("read_repairs", 1);
            ctx.send(to, QMsg::Repair { key: req.key, version, value });
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
