//! E6's roles as one node type: buyers, the lock service, the store.

use super::buyer::Buyer;
use super::msg::{LockMsg, LockTimer, C};
use super::service::{LockService, ONE_LEASE};
use super::store::{Store, NO_DOUBLE_SALE, ONE_HOLDER};
use super::LocksConfig;
use crate::ids::NodeId;
use crate::node::{ClientRequest, Kind, Node, Shape};
use crate::view::NodeView;

#[derive(Clone, Debug)]
pub enum LockNode {
    Buyer(Buyer),
    Service(LockService),
    Store(Store),
}

impl LockNode {
    pub fn buyer(cfg: &LocksConfig, lock: Option<NodeId>, store: NodeId) -> Self {
        LockNode::Buyer(Buyer::new(cfg, lock, store))
    }
    pub fn service(lease_ms: u64) -> Self {
        LockNode::Service(LockService::new(lease_ms))
    }
    pub fn store(cfg: &LocksConfig) -> Self {
        LockNode::Store(Store::new(cfg))
    }
}

/// Whether the run has a lock service, and whether its store fences.
fn shape(nodes: &[LockNode]) -> (bool, bool) {
    let lock = nodes.iter().any(|n| matches!(n, LockNode::Service(_)));
    let fencing = nodes.iter().any(|n| matches!(n, LockNode::Store(s) if s.fencing));
    (lock, fencing)
}

impl Node for LockNode {
    type Msg = LockMsg;
    type Timer = LockTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        // What each role may record beyond what it declares at 0 itself, listed for the run
        // report from the start (review 27 B2).
        match self {
            LockNode::Buyer(_) => {
                ctx.reports(Shape::Counter, &["lease_lost_before_write", "wrote_after_lease_end"])
            }
            LockNode::Service(_) => ctx.reports(Shape::Histogram, &["lock_wait_ms"]),
            LockNode::Store(_) => ctx.reports(Shape::Counter, &["refused_stale_token"]),
        }
        match self {
            LockNode::Buyer(b) => b.init(ctx),
            LockNode::Service(s) => s.init(ctx),
            LockNode::Store(s) => s.init(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: LockMsg) {
        match (self, msg) {
            (LockNode::Service(s), LockMsg::Acquire) => s.on_acquire(ctx, from),
            (LockNode::Service(s), LockMsg::Release { token }) => s.on_release(ctx, from, token),
            (LockNode::Store(s), LockMsg::Read { token }) => s.on_read(ctx, from, token),
            (LockNode::Store(s), LockMsg::Write { stock, token }) => s.on_write(ctx, from, stock, token),
            (LockNode::Buyer(b), LockMsg::Granted { token, lease_ms }) => b.on_granted(ctx, token, lease_ms),
            (LockNode::Buyer(b), LockMsg::Value { stock, token }) => b.on_value(ctx, stock, token),
            (LockNode::Buyer(b), LockMsg::Written { stock, token }) => b.on_written(ctx, stock, token),
            (LockNode::Buyer(b), LockMsg::Refused { token, highest }) => b.on_refused(ctx, token, highest),
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: LockTimer) {
        match (self, timer) {
            (LockNode::Buyer(b), LockTimer::Shop) => b.shop(ctx),
            (LockNode::Buyer(b), LockTimer::Think) => b.on_think(ctx),
            (LockNode::Buyer(b), LockTimer::Send) => b.on_send(ctx),
            (LockNode::Buyer(b), LockTimer::Timeout) => b.on_timeout(ctx),
            (LockNode::Service(s), LockTimer::LeaseEnd(token)) => s.on_lease_end(ctx, token),
            (LockNode::Service(s), LockTimer::Recovered) => s.on_recovered(ctx),
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    fn requests(&self) -> &'static [&'static str] {
        match self {
            LockNode::Buyer(_) => &["buy"],
            _ => &[],
        }
    }

    fn on_client(&mut self, ctx: &mut C<'_>, req: &ClientRequest) {
        match self {
            LockNode::Buyer(b) if req.op == "buy" => b.buy_now(ctx),
            LockNode::Buyer(_) => ctx.note(format!("ignored request {:?}: a buyer takes \"buy\"", req.op)),
            _ => ctx.note("only buyers take requests by hand"),
        }
    }

    fn on_crash(&mut self) {
        match self {
            LockNode::Buyer(b) => b.crash(),
            LockNode::Service(s) => s.crash(),
            // The stock and the highest token seen are durable.
            LockNode::Store(_) => {}
        }
    }

    fn view(&self) -> NodeView {
        match self {
            LockNode::Buyer(b) => b.view(),
            LockNode::Service(s) => s.view(),
            LockNode::Store(s) => s.view(),
        }
    }

    fn kinds(nodes: &[Self]) -> Vec<&'static str> {
        let (lock, fencing) = shape(nodes);
        let lock_kinds = ["Acquire", "Granted", "Release"];
        LockMsg::KINDS
            .iter()
            .copied()
            .filter(|k| lock || !lock_kinds.contains(k))
            .filter(|&k| fencing || k != "Refused")
            .collect()
    }

    fn invariants(nodes: &[Self]) -> &'static [&'static str] {
        match shape(nodes) {
            (true, _) => &[NO_DOUBLE_SALE, ONE_HOLDER, ONE_LEASE],
            (false, _) => &[NO_DOUBLE_SALE],
        }
    }
}
