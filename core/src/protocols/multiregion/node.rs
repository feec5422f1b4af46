//! D10 messages, timers, the client, and the node enum.

use super::replica::{Replica, Shipped, Tag};
use super::{MultiRegionConfig, ReadMode};
use crate::blocks::{Generator, OpBook};
use crate::ids::NodeId;
use crate::node::{ClientRequest, Ctx, Kind, Node, RequestForm, Shape};
use crate::sim::history::Outcome;
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;
use std::sync::Arc;

/// What an operation returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    Read { tag: Tag, value: Option<i64> },
    Written { tag: Tag },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MrMsg {
    ClientRead {
        op: u64,
    },
    ClientWrite {
        op: u64,
        value: i64,
    },
    ClientReply {
        op: u64,
        reply: Reply,
    },
    /// A replica passes its client's operation `op` on to the primary; `client` and `op` name
    /// a write, so the primary applies the network's duplicate of it only once.
    Forward {
        fwd: u64,
        write: Option<i64>,
        client: NodeId,
        op: u64,
    },
    ForwardReply {
        fwd: u64,
        reply: Reply,
    },
    /// `sent_us`: the primary's clock when it sent this, to measure `failover_ms`; `last`: the
    /// newest version it has acknowledged, so a successor knows what it lacks.
    Heartbeat {
        epoch: u64,
        fork: Tag,
        last: Tag,
        sent_us: u64,
    },
    Replicate(Shipped),
    NewEpoch {
        epoch: u64,
        primary: u32,
        fork: Tag,
    },
}

impl Kind for MrMsg {
    const KINDS: &'static [&'static str] = &[
        "ClientRead",
        "ClientWrite",
        "ClientReply",
        "Forward",
        "ForwardReply",
        "Heartbeat",
        "Replicate",
        "NewEpoch",
    ];

    fn kind(&self) -> &'static str {
        match self {
            MrMsg::ClientRead { .. } => "ClientRead",
            MrMsg::ClientWrite { .. } => "ClientWrite",
            MrMsg::ClientReply { .. } => "ClientReply",
            MrMsg::Forward { .. } => "Forward",
            MrMsg::ForwardReply { .. } => "ForwardReply",
            MrMsg::Heartbeat { .. } => "Heartbeat",
            MrMsg::Replicate(_) => "Replicate",
            MrMsg::NewEpoch { .. } => "NewEpoch",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MrTimer {
    Heartbeat,
    Replicate,
    Silence,
    Next,
    Timeout(u64),
    /// Closed loop: the pause after operation `op` before the next one.
    Think(u64),
}

impl Kind for MrTimer {
    fn kind(&self) -> &'static str {
        match self {
            MrTimer::Heartbeat => "Heartbeat",
            MrTimer::Replicate => "Replicate",
            MrTimer::Silence => "Silence",
            MrTimer::Next => "Next",
            MrTimer::Timeout(_) => "Timeout",
            MrTimer::Think(_) => "Think",
        }
    }
}

type C<'a> = Ctx<'a, MrMsg, MrTimer>;

/// What an open operation remembers.
#[derive(Clone, Copy, Debug)]
struct Asked {
    /// The newest version the client had seen when it sent the operation.
    seen_before: Tag,
    /// The workload's: it holds a closed-loop slot (a request sent by hand does not).
    generated: bool,
}

/// A client in one region, talking to that region's replica; records every operation in the
/// history and remembers the newest version it saw to detect stale reads.
#[derive(Clone, Debug)]
pub struct Client {
    cfg: Arc<MultiRegionConfig>,
    gen: Generator,
    index: u32,
    pub region: u32,
    region_name: String,
    ops: OpBook<Asked>,
    /// The newest version this client has read or written.
    pub seen: Tag,
    pub done: u64,
    pub stale: u64,
    pub failed: u64,
}

impl Client {
    pub fn new(
        cfg: Arc<MultiRegionConfig>,
        gen: Generator,
        index: u32,
        region: u32,
        region_name: String,
    ) -> Self {
        Client {
            cfg,
            gen,
            index,
            region,
            region_name,
            ops: OpBook::default(),
            seen: Tag::default(),
            done: 0,
            stale: 0,
            failed: 0,
        }
    }

    /// At start and on restart: the next open-loop arrival, or the closed loop's operations (a
    /// crash forgot the ones it had going, and dropped their timers).
    fn init(&mut self, ctx: &mut C<'_>) {
        self.schedule(ctx);
        for _ in 0..self.gen.concurrency() {
            self.start_generated(ctx);
        }
    }

    fn schedule(&self, ctx: &mut C<'_>) {
        if let Some(gap) = self.gen.next_gap(ctx.now(), ctx.load_pct(), ctx.rng()) {
            ctx.set_timer(MrTimer::Next, gap);
        }
    }

    fn start(&mut self, ctx: &mut C<'_>, write: Option<i64>, generated: bool) {
        let op = self.ops.start(ctx, 0, write, Asked { seen_before: self.seen, generated });
        let msg = write.map_or(MrMsg::ClientRead { op }, |value| MrMsg::ClientWrite { op, value });
        ctx.send(NodeId(self.region), msg);
        ctx.set_timer(MrTimer::Timeout(op), SimDuration::from_ms(self.cfg.client_timeout_ms));
    }

    fn start_generated(&mut self, ctx: &mut C<'_>) {
        let write = self.ops.generated_write(&self.gen, ctx.rng(), self.index, 1_000_000);
        self.start(ctx, write, true);
    }

    /// Closed loop: operation `op` is done (answered or timed out); if the workload generated it,
    /// think, then start the next one in its slot.
    fn after_op(&mut self, ctx: &mut C<'_>, op: u64, generated: bool) {
        if let Some(think) = self.gen.think_after(generated, ctx.rng()) {
            ctx.set_timer(MrTimer::Think(op), think);
        }
    }

    fn on_reply(&mut self, ctx: &mut C<'_>, op: u64, reply: Reply) {
        let Some(o) = self.ops.reply(ctx, op, MrTimer::Timeout(op)) else { return };
        let (hist, seen_before) = (o.hist, o.extra.seen_before);
        let took = ctx.now().since(o.sent);
        self.done += 1;
        match reply {
            Reply::Read { tag, value } => {
                ctx.history_complete(hist, Outcome::Ok { value });
                ctx.observe_here("read_latency_ms", took);
                ctx.count("reads", 1);
                // Older than what this client had seen before asking (a write acknowledged while
                // the read was in flight does not count: the two overlapped).
                if tag < seen_before {
                    self.stale += 1;
                    ctx.count("stale_reads", 1);
                    ctx.count_here("client_stale_reads", 1);
                    ctx.note(format!("stale read: got {tag} after having seen {seen_before}"));
                }
                self.seen = self.seen.max(tag);
            }
            Reply::Written { tag } => {
                ctx.history_complete(hist, Outcome::Ok { value: None });
                ctx.observe_here("write_latency_ms", took);
                ctx.count("writes", 1);
                self.seen = self.seen.max(tag);
            }
        }
        self.after_op(ctx, op, o.extra.generated);
    }

    fn on_timeout(&mut self, ctx: &mut C<'_>, op: u64) {
        if let Some(o) = self.ops.time_out(ctx, op) {
            self.failed += 1;
            ctx.count("failed_ops", 1);
            self.after_op(ctx, op, o.extra.generated);
        }
    }
}

/// A D10 participant.
#[derive(Clone, Debug)]
pub enum MrNode {
    Replica(Box<Replica>),
    Client(Box<Client>),
}

impl MrNode {
    pub fn as_replica(&self) -> Option<&Replica> {
        match self {
            MrNode::Replica(r) => Some(r.as_ref()),
            MrNode::Client(_) => None,
        }
    }
}

impl Node for MrNode {
    type Msg = MrMsg;
    type Timer = MrTimer;
    const KEEPS_HISTORY: bool = true;

    fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["stale_reads", "lost_writes", "failed_ops"]);
        // Everything each role may record, listed for the run report from the start (review 27 B2).
        match self {
            MrNode::Replica(_) => {
                ctx.reports(Shape::Counter, &["failovers", "lost_writes"]);
                ctx.reports_here(Shape::Counter, &["writes_coordinated", "duplicate_replies"]);
                ctx.reports(Shape::Gauge, &["failover_ms"]);
            }
            MrNode::Client(c) => {
                ctx.reports(Shape::Counter, &["reads", "writes", "stale_reads", "failed_ops"]);
                ctx.reports_here(Shape::Counter, &["client_stale_reads"]);
                ctx.reports_here(Shape::Histogram, &["read_latency_ms", "write_latency_ms"]);
                c.ops.list_report_keys(ctx);
            }
        }
        match self {
            MrNode::Replica(r) => r.init(ctx),
            MrNode::Client(c) => c.init(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: MrMsg) {
        match (self, msg) {
            (MrNode::Client(c), MrMsg::ClientReply { op, reply }) => c.on_reply(ctx, op, reply),
            (MrNode::Replica(r), MrMsg::ClientRead { op }) => r.on_client(ctx, from, op, None),
            (MrNode::Replica(r), MrMsg::ClientWrite { op, value }) => r.on_client(ctx, from, op, Some(value)),
            (MrNode::Replica(r), MrMsg::Forward { fwd, write, client, op }) => {
                r.on_forward(ctx, from, fwd, write, (client, op))
            }
            (MrNode::Replica(r), MrMsg::ForwardReply { fwd, reply }) => r.on_forward_reply(ctx, fwd, reply),
            (MrNode::Replica(r), MrMsg::Heartbeat { epoch, fork, last, sent_us }) => {
                r.last_sign_of_life = SimTime(sent_us);
                r.on_primary_msg(ctx, from, (epoch, fork, last), None)
            }
            (MrNode::Replica(r), MrMsg::Replicate(s)) => {
                r.on_primary_msg(ctx, from, (s.epoch, s.fork, s.tag), Some(s))
            }
            (MrNode::Replica(r), MrMsg::NewEpoch { epoch, primary, fork }) => {
                r.on_new_epoch(ctx, epoch, primary, fork)
            }
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: MrTimer) {
        match (self, timer) {
            (MrNode::Client(c), MrTimer::Next) => {
                // The generator schedules nothing inside a burst at 0 %; a guard all the same,
                // as the Raft client keeps one.
                if c.gen.rate_pct(ctx.now()) > 0 {
                    c.start_generated(ctx);
                }
                c.schedule(ctx);
            }
            (MrNode::Client(c), MrTimer::Timeout(op)) => c.on_timeout(ctx, op),
            (MrNode::Client(c), MrTimer::Think(_)) => c.start_generated(ctx),
            (MrNode::Replica(r), MrTimer::Heartbeat) => r.on_heartbeat_timer(ctx),
            (MrNode::Replica(r), MrTimer::Replicate) => r.on_replicate_timer(ctx),
            (MrNode::Replica(r), MrTimer::Silence) => r.on_silence(ctx),
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    fn requests(&self) -> &'static [&'static str] {
        match self {
            MrNode::Client(_) => &["read", "write"],
            _ => &[],
        }
    }

    /// One register: a write takes a value, a read nothing.
    fn request_form(&self, op: &str) -> RequestForm {
        match self {
            MrNode::Client(_) => RequestForm::register(op),
            _ => RequestForm::default(),
        }
    }

    /// Clients take `read` and `write` (value) by hand.
    fn on_client(&mut self, ctx: &mut C<'_>, req: &ClientRequest) {
        let MrNode::Client(c) = self else {
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
            MrNode::Replica(r) => r.crash(),
            MrNode::Client(c) => c.ops.clear(),
        }
    }

    fn view(&self) -> NodeView {
        match self {
            MrNode::Replica(r) => {
                let role = if r.leading { "primary" } else { "replica" };
                let shown = r.value.map_or("∅".into(), |v| v.to_string());
                let v = NodeView::new(role, format!("{} {}", r.region_name(r.region), r.tag))
                    .field("region", r.region_name(r.region))
                    .field("version", r.tag)
                    .field("value", shown)
                    .field("epoch", r.epoch)
                    .field("primary", r.region_name(r.primary));
                if r.leading {
                    v.badge("primary")
                } else {
                    v
                }
            }
            MrNode::Client(c) => {
                let reads = if c.cfg.reads == ReadMode::Nearest { "nearest" } else { "primary" };
                NodeView::new("client", format!("{} done, {} stale", c.done, c.stale))
                    .field("region", &c.region_name)
                    .field("reads", reads)
                    .field("seen", c.seen)
                    .field("failed", c.failed)
                    .field("pending", c.ops.open_count())
            }
        }
    }

    fn invariants(_nodes: &[Self]) -> &'static [&'static str] {
        &["one primary per epoch"]
    }

    const GLOBAL_CHECK: bool = true;
    fn check(nodes: &[Self], up: &[bool], out: &mut Vec<(&'static str, String)>) {
        let mut leaders: Vec<(u64, u32)> = nodes
            .iter()
            .zip(up)
            .filter_map(|(n, u)| n.as_replica().filter(|r| *u && r.leading).map(|r| (r.epoch, r.region)))
            .collect();
        leaders.sort();
        for w in leaders.windows(2) {
            if w[0].0 == w[1].0 {
                out.push((
                    "one primary per epoch",
                    format!("regions {} and {} both lead epoch {}", w[0].1, w[1].1, w[0].0),
                ));
            }
        }
    }
}
