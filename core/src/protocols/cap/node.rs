//! D1 messages, timers, the client, and the node enum.

use super::replica::{Copy, Replica, Tag};
use super::{CapConfig, CapMode};
use crate::blocks::{Generator, OpBook};
use crate::ids::NodeId;
use crate::node::{ClientRequest, Ctx, Kind, Node, RequestForm, Shape};
use crate::sim::history::Outcome;
use crate::time::SimDuration;
use crate::view::NodeView;
use std::sync::Arc;

/// What a client is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientResult {
    /// Done; a read carries the value.
    Ok(Option<i64>),
    /// No majority: refused. A write that reached its store phase may still have taken effect.
    Refused { maybe_applied: bool },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CapMsg {
    ClientRead { op: u64 },
    ClientWrite { op: u64, value: i64 },
    ClientReply { op: u64, result: ClientResult },
    Query { op: u64 },
    QueryReply { op: u64, tag: Tag, value: Option<i64> },
    Store { op: u64, tag: Tag, value: Option<i64> },
    StoreAck { op: u64 },
    Replicate(Box<Copy>),
}

impl Kind for CapMsg {
    const KINDS: &'static [&'static str] = &[
        "ClientRead",
        "ClientWrite",
        "ClientReply",
        "Query",
        "QueryReply",
        "Store",
        "StoreAck",
        "Replicate",
    ];

    fn kind(&self) -> &'static str {
        match self {
            CapMsg::ClientRead { .. } => "ClientRead",
            CapMsg::ClientWrite { .. } => "ClientWrite",
            CapMsg::ClientReply { .. } => "ClientReply",
            CapMsg::Query { .. } => "Query",
            CapMsg::QueryReply { .. } => "QueryReply",
            CapMsg::Store { .. } => "Store",
            CapMsg::StoreAck { .. } => "StoreAck",
            CapMsg::Replicate(_) => "Replicate",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CapTimer {
    RequestTimeout(u64),
    Sync,
    Next,
    Timeout(u64),
    /// Closed loop: the pause after operation `op` before the next one.
    Think(u64),
}

impl Kind for CapTimer {
    fn kind(&self) -> &'static str {
        match self {
            CapTimer::RequestTimeout(_) => "RequestTimeout",
            CapTimer::Sync => "Sync",
            CapTimer::Next => "Next",
            CapTimer::Timeout(_) => "Timeout",
            CapTimer::Think(_) => "Think",
        }
    }
}

type C<'a> = Ctx<'a, CapMsg, CapTimer>;

/// A client bound to its home replica; records every operation in the history.
#[derive(Clone, Debug)]
pub struct Client {
    cfg: Arc<CapConfig>,
    gen: Generator,
    index: u32,
    /// Open operations, each remembering whether the workload generated it: only those hold a
    /// closed-loop slot (a request sent by hand does not).
    ops: OpBook<bool>,
    ok: u64,
    refused: u64,
}

impl Client {
    fn home(&self) -> NodeId {
        NodeId(self.index % self.cfg.replicas)
    }

    /// At start and on restart: the next open-loop arrival, or the closed loop's operations
    /// (a crash forgot the ones it had going, and dropped their timers).
    fn init(&mut self, ctx: &mut C<'_>) {
        self.schedule(ctx);
        for _ in 0..self.gen.concurrency() {
            self.start_generated(ctx);
        }
    }

    fn schedule(&self, ctx: &mut C<'_>) {
        if let Some(gap) = self.gen.next_gap(ctx.now(), ctx.load_pct(), ctx.rng()) {
            ctx.set_timer(CapTimer::Next, gap);
        }
    }

    fn start(&mut self, ctx: &mut C<'_>, write: Option<i64>, generated: bool) {
        let op = self.ops.start(ctx, 0, write, generated);
        let msg = write.map_or(CapMsg::ClientRead { op }, |value| CapMsg::ClientWrite { op, value });
        ctx.send(self.home(), msg);
        ctx.set_timer(CapTimer::Timeout(op), SimDuration::from_ms(2 * self.cfg.request_timeout_ms + 1000));
    }

    fn start_generated(&mut self, ctx: &mut C<'_>) {
        let write = self.ops.generated_write(&self.gen, ctx.rng(), self.index, 1_000_000);
        self.start(ctx, write, true);
    }

    /// Closed loop: operation `op` is done (answered, refused or timed out); if the workload
    /// generated it, think, then start the next one in its slot.
    fn after_op(&mut self, ctx: &mut C<'_>, op: u64, generated: bool) {
        if let Some(think) = self.gen.think_after(generated, ctx.rng()) {
            ctx.set_timer(CapTimer::Think(op), think);
        }
    }

    fn on_reply(&mut self, ctx: &mut C<'_>, op: u64, result: ClientResult) {
        let Some(o) = self.ops.reply(ctx, op, CapTimer::Timeout(op)) else { return };
        match result {
            ClientResult::Ok(value) => {
                ctx.history_complete(o.hist, Outcome::Ok { value });
                ctx.observe("op_latency_ms", ctx.now().since(o.sent));
                self.record(ctx, true);
            }
            ClientResult::Refused { maybe_applied } => {
                ctx.history_complete(o.hist, if maybe_applied { Outcome::Info } else { Outcome::Fail });
                self.record(ctx, false);
            }
        }
        self.after_op(ctx, op, o.extra);
    }

    fn on_timeout(&mut self, ctx: &mut C<'_>, op: u64) {
        if let Some(o) = self.ops.time_out(ctx, op) {
            self.record(ctx, false);
            self.after_op(ctx, op, o.extra);
        }
    }

    /// One finished operation: answered ok, or failed (refused, or timed out: counted as refused).
    fn record(&mut self, ctx: &mut C<'_>, ok: bool) {
        if ok {
            self.ok += 1;
            ctx.count("ok", 1);
        } else {
            self.refused += 1;
            ctx.count("refused", 1);
        }
        ctx.gauge_here("client_availability_permille", (self.ok * 1000 / (self.ok + self.refused)) as i64);
    }
}

/// A D1 participant.
#[derive(Clone, Debug)]
pub enum CapNode {
    Replica(Replica),
    Client(Box<Client>),
}

impl CapNode {
    pub fn client(cfg: Arc<CapConfig>, gen: Generator, index: u32) -> Self {
        let c = Client { cfg, gen, index, ops: OpBook::default(), ok: 0, refused: 0 };
        CapNode::Client(Box::new(c))
    }
    pub fn as_replica(&self) -> Option<&Replica> {
        match self {
            CapNode::Replica(r) => Some(r),
            CapNode::Client(_) => None,
        }
    }
}

impl Node for CapNode {
    type Msg = CapMsg;
    type Timer = CapTimer;
    const KEEPS_HISTORY: bool = true;

    fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["refused", "stale_reads", "conflicts"]);
        // Everything each role may record, listed for the run report from the start (review 27 B2).
        match self {
            CapNode::Replica(_) => {
                ctx.reports(Shape::Counter, &["stale_reads", "conflicts"]);
                ctx.reports_here(Shape::Counter, &["late_replies"]);
            }
            CapNode::Client(c) => {
                ctx.reports(Shape::Counter, &["ok", "refused"]);
                ctx.reports(Shape::Histogram, &["op_latency_ms"]);
                ctx.reports_here(Shape::Gauge, &["client_availability_permille"]);
                c.ops.list_report_keys(ctx);
            }
        }
        match self {
            CapNode::Replica(r) => r.init(ctx),
            CapNode::Client(c) => c.init(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: CapMsg) {
        match (self, msg) {
            (CapNode::Client(c), CapMsg::ClientReply { op, result }) => c.on_reply(ctx, op, result),
            (CapNode::Replica(r), CapMsg::ClientRead { op }) => r.on_client(ctx, from, op, None),
            (CapNode::Replica(r), CapMsg::ClientWrite { op, value }) => {
                r.on_client(ctx, from, op, Some(value))
            }
            (CapNode::Replica(r), CapMsg::Query { op }) => r.on_query(ctx, from, op),
            (CapNode::Replica(r), CapMsg::QueryReply { op, tag, value }) => {
                r.on_query_reply(ctx, from, op, tag, value)
            }
            (CapNode::Replica(r), CapMsg::Store { op, tag, value }) => r.on_store(ctx, from, op, tag, value),
            (CapNode::Replica(r), CapMsg::StoreAck { op }) => r.on_store_ack(ctx, from, op),
            (CapNode::Replica(r), CapMsg::Replicate(copy)) => r.on_replicate(ctx, from, *copy),
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: CapTimer) {
        match (self, timer) {
            (CapNode::Client(c), CapTimer::Next) => {
                c.start_generated(ctx);
                c.schedule(ctx);
            }
            (CapNode::Client(c), CapTimer::Timeout(op)) => c.on_timeout(ctx, op),
            (CapNode::Client(c), CapTimer::Think(_)) => c.start_generated(ctx),
            (CapNode::Replica(r), CapTimer::RequestTimeout(op)) => r.on_request_timeout(ctx, op),
            (CapNode::Replica(r), CapTimer::Sync) => r.on_sync_timer(ctx),
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    fn requests(&self) -> &'static [&'static str] {
        match self {
            CapNode::Client(_) => &["read", "write"],
            _ => &[],
        }
    }

    /// One register: a write takes a value, a read nothing.
    fn request_form(&self, op: &str) -> RequestForm {
        match self {
            CapNode::Client(_) => RequestForm::register(op),
            _ => RequestForm::default(),
        }
    }

    /// Clients take `read` and `write` (value) by hand.
    fn on_client(&mut self, ctx: &mut C<'_>, req: &ClientRequest) {
        let CapNode::Client(c) = self else {
            ctx.note("only clients take requests by hand");
            return;
        };
        match req.read_or_write() {
            Ok(write) => c.start(ctx, write, false),
            Err(why) => ctx.note(why),
        }
    }

    fn on_crash(&mut self) {
        match self {
            CapNode::Replica(r) => r.crash(),
            CapNode::Client(c) => c.ops.clear(),
        }
    }

    /// cp's quorum rounds or ap's replication, never both.
    fn kinds(nodes: &[Self]) -> Vec<&'static str> {
        let ap = nodes.iter().any(|n| matches!(n, CapNode::Client(c) if c.cfg.mode == CapMode::Ap));
        let wanted = |k: &&str| match *k {
            "Replicate" => ap,
            "Query" | "QueryReply" | "Store" | "StoreAck" => !ap,
            _ => true,
        };
        CapMsg::KINDS.iter().copied().filter(wanted).collect()
    }

    fn view(&self) -> NodeView {
        match self {
            CapNode::Replica(r) => {
                let shown = r.value.map_or("∅".into(), |v| v.to_string());
                let mut v = NodeView::new("replica", format!("value {shown}"))
                    .field("value", &shown)
                    .field("tag", format!("({}, r{})", r.tag.ts, r.tag.node + 1))
                    .field("coordinating", r.coordinating());
                if r.vv.iter().any(|x| *x > 0) {
                    v = v.field("version vector", format!("{:?}", r.vv));
                }
                v
            }
            CapNode::Client(c) => {
                let mode = if c.cfg.mode == CapMode::Cp { "cp" } else { "ap" };
                NodeView::new("client", format!("{} ok, {} refused", c.ok, c.refused))
                    .field("home", format!("r{}", c.home().0 + 1))
                    .field("mode", mode)
                    .field("pending", c.ops.open_count())
            }
        }
    }
}
