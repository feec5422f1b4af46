//! D2 messages, timers, the client and the node enum.

use super::server::Server;
use super::ReplicationConfig;
use crate::blocks::Generator;
use crate::ids::NodeId;
use crate::node::{ClientRequest, Ctx, Kind, Node, RequestForm, Shape};
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplMsg {
    Write { op: u64, value: i64 },
    WriteAck { op: u64, index: u64, epoch: u64 },
    NotLeader { op: u64, leader: NodeId },
    Append { epoch: u64, first: u64, entries: Vec<(i64, SimTime)> },
    Ack { epoch: u64, applied: u64 },
    Heartbeat { epoch: u64, last: u64 },
    Probe { epoch: u64 },
    ProbeReply { epoch: u64, last: u64 },
    NewLeader { epoch: u64, last: u64 },
}

impl Kind for ReplMsg {
    const KINDS: &'static [&'static str] =
        &["Write", "WriteAck", "NotLeader", "Append", "Ack", "Heartbeat", "Probe", "ProbeReply", "NewLeader"];

    fn kind(&self) -> &'static str {
        match self {
            ReplMsg::Write { .. } => "Write",
            ReplMsg::WriteAck { .. } => "WriteAck",
            ReplMsg::NotLeader { .. } => "NotLeader",
            ReplMsg::Append { .. } => "Append",
            ReplMsg::Ack { .. } => "Ack",
            ReplMsg::Heartbeat { .. } => "Heartbeat",
            ReplMsg::Probe { .. } => "Probe",
            ReplMsg::ProbeReply { .. } => "ProbeReply",
            ReplMsg::NewLeader { .. } => "NewLeader",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReplTimer {
    Heartbeat,
    Failover,
    ProbeDone,
    Ship,
    Next,
    Timeout(u64),
    /// Closed loop: the pause after write `op` before the next one.
    Think(u64),
}

impl Kind for ReplTimer {
    fn kind(&self) -> &'static str {
        match self {
            ReplTimer::Heartbeat => "Heartbeat",
            ReplTimer::Failover => "Failover",
            ReplTimer::ProbeDone => "ProbeDone",
            ReplTimer::Ship => "Ship",
            ReplTimer::Next => "Next",
            ReplTimer::Timeout(_) => "Timeout",
            ReplTimer::Think(_) => "Think",
        }
    }
}

type C<'a> = Ctx<'a, ReplMsg, ReplTimer>;

/// A write sent and not answered yet.
#[derive(Clone, Debug)]
struct Pending {
    sent: SimTime,
    value: i64,
    /// The workload's: it holds a closed-loop slot (a write sent by hand does not).
    generated: bool,
}

/// A client: open- or closed-loop writes to the leader it knows; remembers which writes were
/// acknowledged.
#[derive(Clone, Debug)]
pub struct Client {
    gen: Generator,
    index: u32,
    timeout: SimDuration,
    leader: NodeId,
    epoch: u64,
    next_op: u64,
    pending: BTreeMap<u64, Pending>,
    /// Acknowledged writes of the current epoch (or a newer one not yet announced to it), by log
    /// index: (epoch of the acknowledgement, value).
    acked: BTreeMap<u64, (u64, i64)>,
    /// Each epoch it heard announced, with the new leader's log length as it took over (where the
    /// older epochs' logs were cut).
    forks: BTreeMap<u64, u64>,
    lost: u64,
}

impl Client {
    /// At start and on restart: the next open-loop arrival, or the closed loop's writes (a crash
    /// forgot the ones it had going, and dropped their timers).
    fn init(&mut self, ctx: &mut C<'_>) {
        self.schedule(ctx);
        for _ in 0..self.gen.concurrency() {
            self.write_generated(ctx);
        }
    }

    fn schedule(&self, ctx: &mut C<'_>) {
        if let Some(gap) = self.gen.next_gap(ctx.now(), ctx.load_pct(), ctx.rng()) {
            ctx.set_timer(ReplTimer::Next, gap);
        }
    }

    fn write(&mut self, ctx: &mut C<'_>, value: i64, generated: bool) {
        self.next_op += 1;
        let op = self.next_op;
        self.pending.insert(op, Pending { sent: ctx.now(), value, generated });
        ctx.send(self.leader, ReplMsg::Write { op, value });
        ctx.set_timer(ReplTimer::Timeout(op), self.timeout);
    }

    /// The workload's next write, of a value no other write of the run uses.
    fn write_generated(&mut self, ctx: &mut C<'_>) {
        let value = i64::from(self.index + 1) * 1_000_000 + self.next_op as i64 + 1;
        self.write(ctx, value, true);
    }

    /// Closed loop: write `op` is done (acknowledged, redirected or timed out); if the workload
    /// generated it, think, then send the next one in its slot.
    fn after_op(&mut self, ctx: &mut C<'_>, op: u64, generated: bool) {
        if let Some(think) = self.gen.think_after(generated, ctx.rng()) {
            ctx.set_timer(ReplTimer::Think(op), think);
        }
    }

    fn on_write_ack(&mut self, ctx: &mut C<'_>, op: u64, index: u64, epoch: u64) {
        let Some(p) = self.pending.remove(&op) else {
            ctx.ignored("late_replies", "ignored WriteAck: the write already timed out");
            return;
        };
        ctx.cancel_timer(ReplTimer::Timeout(op));
        ctx.observe("write_latency_ms", ctx.now().since(p.sent));
        ctx.count("acked_writes", 1);
        if epoch >= self.epoch {
            self.acked.insert(index, (epoch, p.value));
        } else {
            self.late_ack(ctx, epoch, index, p.value);
        }
        self.after_op(ctx, op, p.generated);
    }

    /// An acknowledgement from a leader of an epoch older than the one this client follows (a
    /// paused leader that woke up still leading, say): the client was told the write was done
    /// all the same. The newer epochs cut the old log at their start; past the lowest such cut
    /// the write is in no surviving log (review 58 B1: it was counted as acknowledged, never as
    /// lost).
    fn late_ack(&mut self, ctx: &mut C<'_>, epoch: u64, index: u64, value: i64) {
        let cut = self.forks.range(epoch + 1..).map(|(_, last)| *last).min();
        let Some(cut) = cut.filter(|cut| index > *cut) else { return };
        self.lost += 1;
        ctx.count("lost_acked_writes", 1);
        ctx.note(format!(
            "write {value} was acknowledged by the leader of old epoch {epoch} at index {index}, past \
             the {cut} entries epoch {} kept: it is gone",
            self.epoch
        ));
    }

    /// Not the leader: the write is dropped, and the next one goes to `leader`.
    fn on_not_leader(&mut self, ctx: &mut C<'_>, op: u64, leader: NodeId) {
        let dropped = self.pending.remove(&op);
        ctx.cancel_timer(ReplTimer::Timeout(op));
        self.leader = leader;
        ctx.count("redirected_writes", 1);
        if let Some(p) = dropped {
            self.after_op(ctx, op, p.generated);
        }
    }

    /// A new leader whose log ends at `last`: every acknowledged write past it is gone.
    fn on_new_leader(&mut self, ctx: &mut C<'_>, from: NodeId, epoch: u64, last: u64) {
        if epoch <= self.epoch {
            return;
        }
        self.epoch = epoch;
        self.leader = from;
        self.forks.insert(epoch, last);
        // Acknowledged by older epochs' leaders past the new one's start: gone. (One of this
        // epoch's, acknowledged before its announcement arrived, is in the new leader's log.)
        let (gone, kept): (BTreeMap<_, _>, BTreeMap<_, _>) =
            std::mem::take(&mut self.acked).into_iter().partition(|(i, (e, _))| *i > last && *e < epoch);
        if !gone.is_empty() {
            self.lost += gone.len() as u64;
            ctx.count("lost_acked_writes", gone.len() as u64);
            let values: Vec<i64> = gone.values().map(|(_, v)| *v).collect();
            ctx.note(format!(
                "new leader s{} has {last} entries: {} writes I was told were done are gone: {values:?}",
                from.0 + 1,
                gone.len()
            ));
        }
        self.acked = kept.into_iter().filter(|(_, (e, _))| *e >= epoch).collect();
    }

    fn on_timeout(&mut self, ctx: &mut C<'_>, op: u64) {
        if let Some(p) = self.pending.remove(&op) {
            ctx.count("write_timeouts", 1);
            self.after_op(ctx, op, p.generated);
        }
    }
}

/// A D2 participant.
#[derive(Clone, Debug)]
pub enum ReplNode {
    Server(Box<Server>),
    Client(Box<Client>),
}

impl ReplNode {
    pub fn client(_cfg: Arc<ReplicationConfig>, gen: Generator, index: u32, timeout_ms: u64) -> Self {
        ReplNode::Client(Box::new(Client {
            gen,
            index,
            timeout: SimDuration::from_ms(timeout_ms),
            leader: NodeId(0),
            epoch: 1,
            next_op: 0,
            pending: BTreeMap::new(),
            acked: BTreeMap::new(),
            forks: BTreeMap::new(),
            lost: 0,
        }))
    }

    pub fn as_server(&self) -> Option<&Server> {
        match self {
            ReplNode::Server(s) => Some(s),
            ReplNode::Client(_) => None,
        }
    }
}

impl Node for ReplNode {
    type Msg = ReplMsg;
    type Timer = ReplTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["lost_acked_writes", "write_timeouts"]);
        // Everything each role may record, listed for the run report from the start (review 27
        // B2): every server, since any may follow after a failover.
        match self {
            ReplNode::Server(_) => {
                ctx.reports(Shape::Counter, &["failovers"]);
                ctx.reports_here(Shape::Gauge, &["lag_entries", "lag_ms", "max_lag_entries"]);
                ctx.reports_here(Shape::Histogram, &["replication_lag_ms"]);
            }
            ReplNode::Client(_) => {
                let writes = ["acked_writes", "lost_acked_writes", "redirected_writes", "write_timeouts"];
                ctx.reports(Shape::Counter, &writes);
                ctx.reports_here(Shape::Counter, &["late_replies"]);
                ctx.reports(Shape::Histogram, &["write_latency_ms"]);
            }
        }
        match self {
            ReplNode::Server(s) => s.init(ctx),
            ReplNode::Client(c) => c.init(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: ReplMsg) {
        match (self, msg) {
            (ReplNode::Client(c), ReplMsg::WriteAck { op, index, epoch }) => {
                c.on_write_ack(ctx, op, index, epoch)
            }
            (ReplNode::Client(c), ReplMsg::NewLeader { epoch, last }) => {
                c.on_new_leader(ctx, from, epoch, last)
            }
            (ReplNode::Client(c), ReplMsg::NotLeader { op, leader }) => c.on_not_leader(ctx, op, leader),
            (ReplNode::Server(s), ReplMsg::Write { op, value }) => s.on_write(ctx, from, op, value),
            (ReplNode::Server(s), ReplMsg::Append { epoch, first, entries }) => {
                s.on_append(ctx, from, epoch, first, entries)
            }
            (ReplNode::Server(s), ReplMsg::Ack { epoch, applied }) => s.on_ack(ctx, from, epoch, applied),
            (ReplNode::Server(s), ReplMsg::Heartbeat { epoch, last }) => {
                s.on_heartbeat(ctx, from, epoch, last)
            }
            (ReplNode::Server(s), ReplMsg::Probe { epoch }) => s.on_probe(ctx, from, epoch),
            (ReplNode::Server(s), ReplMsg::ProbeReply { epoch, last }) => {
                s.on_probe_reply(ctx, from, epoch, last)
            }
            (ReplNode::Server(s), ReplMsg::NewLeader { epoch, last }) => {
                s.on_new_leader(ctx, from, epoch, last)
            }
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: ReplTimer) {
        match (self, timer) {
            (ReplNode::Client(c), ReplTimer::Next) => {
                c.write_generated(ctx);
                c.schedule(ctx);
            }
            (ReplNode::Client(c), ReplTimer::Timeout(op)) => c.on_timeout(ctx, op),
            (ReplNode::Client(c), ReplTimer::Think(_)) => c.write_generated(ctx),
            (ReplNode::Server(s), ReplTimer::Heartbeat) => s.on_heartbeat_timer(ctx),
            (ReplNode::Server(s), ReplTimer::Failover) => s.on_failover_timer(ctx),
            (ReplNode::Server(s), ReplTimer::ProbeDone) => s.on_probe_done(ctx),
            (ReplNode::Server(s), ReplTimer::Ship) => s.ship(ctx),
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    fn requests(&self) -> &'static [&'static str] {
        match self {
            ReplNode::Client(_) => &["write"],
            _ => &[],
        }
    }

    /// One register: a write takes a value, a read nothing.
    fn request_form(&self, op: &str) -> RequestForm {
        match self {
            ReplNode::Client(_) => RequestForm::register(op),
            _ => RequestForm::default(),
        }
    }

    /// Clients take `write` (value) by hand.
    fn on_client(&mut self, ctx: &mut C<'_>, req: &ClientRequest) {
        match self {
            ReplNode::Client(c) if req.op == "write" || req.op == "put" => {
                c.write(ctx, req.value.unwrap_or(0), false)
            }
            _ => ctx.note(format!("ignored request {:?}: clients take write", req.op)),
        }
    }

    fn on_crash(&mut self) {
        match self {
            ReplNode::Server(s) => s.crash(),
            ReplNode::Client(c) => c.pending.clear(),
        }
    }

    fn view(&self) -> NodeView {
        match self {
            ReplNode::Server(s) => {
                // Only a server acting as leader says so: a crashed leader is not one any more.
                let role = if s.leading { "leader" } else { "follower" };
                let mut v = NodeView::new(role, format!("epoch {}, {} entries", s.epoch, s.log.len()))
                    .field("epoch", s.epoch)
                    .field("log length", s.log.len())
                    .field("leader", format!("s{}", s.leader.0 + 1));
                if s.leading {
                    let acked: Vec<String> =
                        s.followers.iter().map(|(f, (m, _))| format!("s{}: {m}", f + 1)).collect();
                    v = v.field("follower progress", acked.join(", ")).badge("leader");
                }
                v
            }
            ReplNode::Client(c) => NodeView::new("client", format!("{} pending", c.pending.len()))
                .field("leader", format!("s{}", c.leader.0 + 1))
                .field("pending", c.pending.len())
                .field("lost acknowledged writes", c.lost),
        }
    }
}
