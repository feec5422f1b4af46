//! The three roles of T1 (client, balancer, backend), their messages and timers; the balancer's
//! own work is in `balancer.rs`.

use super::balancer::Balancer;
use crate::blocks::{Admit, Generator, Server, ServerSpec};
use crate::ids::NodeId;
use crate::node::{Ctx, Kind, Knob, Node, Shape};
use crate::time::SimTime;
use crate::view::NodeView;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LbMsg {
    Request { id: u64 },
    Forward { id: u64, client: NodeId },
    Reply { id: u64, client: NodeId, ok: bool },
    Response { id: u64, ok: bool },
}

impl Kind for LbMsg {
    const KINDS: &'static [&'static str] = &["Request", "Forward", "Reply", "Response"];

    fn kind(&self) -> &'static str {
        match self {
            LbMsg::Request { .. } => "Request",
            LbMsg::Forward { .. } => "Forward",
            LbMsg::Reply { .. } => "Reply",
            LbMsg::Response { .. } => "Response",
        }
    }

    const CAN_SAY_NO: bool = true;

    fn says_no(&self) -> bool {
        matches!(self, LbMsg::Reply { ok: false, .. } | LbMsg::Response { ok: false, .. })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LbTimer {
    Next,
    Think(u64),
    Timeout(u64),
    Done(u64),
}

impl Kind for LbTimer {
    fn kind(&self) -> &'static str {
        match self {
            LbTimer::Next => "Next",
            LbTimer::Think(_) => "Think",
            LbTimer::Timeout(_) => "Timeout",
            LbTimer::Done(_) => "Done",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Client {
    gen: Generator,
    lb: NodeId,
    next_id: u64,
    /// Open requests: when each was sent, and whether the workload generated it (only those
    /// hold a closed-loop slot; a request sent by hand does not).
    pending: BTreeMap<u64, (SimTime, bool)>,
}

#[derive(Clone, Debug)]
pub struct Backend {
    lb: NodeId,
    server: Server<(u64, NodeId)>,
    weight: u32,
    next_job: u64,
    running: BTreeMap<u64, (u64, NodeId)>,
    /// Out of rotation from the start, and sent nothing yet: shown as a spare.
    spare: bool,
}

/// A T1 participant.
#[derive(Clone, Debug)]
pub enum LbNode {
    Client(Client),
    Balancer(Balancer),
    Backend(Backend),
}

pub(super) type C<'a> = Ctx<'a, LbMsg, LbTimer>;

impl LbNode {
    pub fn client(gen: Generator, lb: NodeId) -> Self {
        LbNode::Client(Client { gen, lb, next_id: 0, pending: BTreeMap::new() })
    }
    /// A backend; a `spare` is out of rotation at the start.
    pub fn backend(spec: ServerSpec, weight: u32, lb: NodeId, spare: bool) -> Self {
        LbNode::Backend(Backend {
            lb,
            server: Server::new(spec),
            weight,
            next_job: 0,
            running: BTreeMap::new(),
            spare,
        })
    }
}

impl Client {
    fn send_request(&mut self, ctx: &mut C<'_>, generated: bool) {
        self.next_id += 1;
        let id = self.next_id;
        self.pending.insert(id, (ctx.now(), generated));
        ctx.count("requests", 1);
        ctx.send(self.lb, LbMsg::Request { id });
        if let Some(t) = self.gen.timeout {
            ctx.set_timer(LbTimer::Timeout(id), t);
        }
    }

    fn schedule_next(&mut self, ctx: &mut C<'_>) {
        let now = ctx.now();
        if let Some(gap) = self.gen.next_gap(now, ctx.load_pct(), ctx.rng()) {
            ctx.set_timer(LbTimer::Next, gap);
        }
    }

    fn finish(&mut self, ctx: &mut C<'_>, id: u64, ok: bool) {
        let Some((sent, generated)) = self.pending.remove(&id) else {
            ctx.count("late_responses", 1);
            return;
        };
        ctx.cancel_timer(LbTimer::Timeout(id));
        if ok {
            ctx.count("responses", 1);
            let took = ctx.now().since(sent);
            ctx.observe("latency_ms", took);
            ctx.gauge_mean("latency_mean_us", took.as_us());
        } else {
            ctx.count("errors", 1);
        }
        self.after(ctx, id, generated);
    }

    /// Closed loop: request `id` is done; if the workload generated it, think, then send the
    /// next one in its slot.
    fn after(&mut self, ctx: &mut C<'_>, id: u64, generated: bool) {
        if let Some(think) = self.gen.think_after(generated, ctx.rng()) {
            ctx.set_timer(LbTimer::Think(id), think);
        }
    }
}

impl LbNode {
    /// Everything this role may record, listed for the run report from the start (review 27 B2).
    fn list_report_keys(&self, ctx: &mut C<'_>) {
        match self {
            LbNode::Client(_) => {
                let counters = ["requests", "responses", "late_responses", "errors", "timeouts", "refused"];
                ctx.reports(Shape::Counter, &counters);
                ctx.reports(Shape::Histogram, &["latency_ms"]);
                ctx.reports(Shape::Gauge, &["latency_mean_us"]);
            }
            LbNode::Balancer(_) => {
                ctx.reports(Shape::Counter, &["refused"]);
                ctx.reports_here(Shape::Counter, &["forwarded"]);
                ctx.reports_here(Shape::Gauge, &["lb_queue"]);
            }
            LbNode::Backend(_) => {
                ctx.reports_here(Shape::Counter, &["backend_requests", "rejected"]);
                ctx.reports_here(Shape::Gauge, &["backend_load"]);
            }
        }
    }
}

impl Node for LbNode {
    type Msg = LbMsg;
    type Timer = LbTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["errors", "timeouts"]);
        self.list_report_keys(ctx);
        if let LbNode::Balancer(b) = self {
            b.init(ctx);
        }
        if let LbNode::Client(c) = self {
            ctx.declare_gauge("latency_mean_us");
            c.schedule_next(ctx);
            for _ in 0..c.gen.concurrency() {
                c.send_request(ctx, true);
            }
        }
    }

    fn knobs(&self) -> Vec<Knob> {
        match self {
            LbNode::Balancer(b) => b.knobs(),
            _ => Vec::new(),
        }
    }

    fn on_tune(&mut self, ctx: &mut C<'_>, knob: &str, to: &str) {
        if let LbNode::Balancer(b) = self {
            b.on_tune(ctx, knob, to);
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: LbMsg) {
        match (self, msg) {
            (LbNode::Balancer(b), LbMsg::Request { id }) => b.on_request(ctx, id, from),
            (LbNode::Balancer(b), LbMsg::Reply { id, client, ok }) => b.on_reply(ctx, from, id, client, ok),
            (LbNode::Backend(s), LbMsg::Forward { id, client }) => {
                s.spare = false;
                ctx.count_here("backend_requests", 1);
                match s.server.arrive((id, client), ctx.rng()) {
                    Admit::Start(d) => s.start(ctx, (id, client), d),
                    Admit::Queued => {}
                    Admit::Rejected(_) => {
                        ctx.count_here("rejected", 1);
                        ctx.send(from, LbMsg::Reply { id, client, ok: false });
                    }
                }
                ctx.gauge_here("backend_load", s.server.load() as i64);
            }
            (LbNode::Client(c), LbMsg::Response { id, ok }) => c.finish(ctx, id, ok),
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: LbTimer) {
        match (self, timer) {
            (LbNode::Client(c), LbTimer::Next) => {
                c.send_request(ctx, true);
                c.schedule_next(ctx);
            }
            (LbNode::Client(c), LbTimer::Think(_)) => c.send_request(ctx, true),
            (LbNode::Client(c), LbTimer::Timeout(id)) => {
                if let Some((_, generated)) = c.pending.remove(&id) {
                    ctx.count("timeouts", 1);
                    ctx.count("errors", 1);
                    c.after(ctx, id, generated);
                }
            }
            (LbNode::Backend(s), LbTimer::Done(job)) => s.done(ctx, job),
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    /// A refused `Forward` (its backend crashed refusing connections) is a fast failure: the
    /// balancer answers the client with an error at once (see [`Balancer::on_refused`]). A refused
    /// `Request` (the balancer is down, refusing) fails the client's request at once. A refused
    /// `Reply` is lost, as to a silent crash.
    fn on_refused(&mut self, ctx: &mut C<'_>, to: NodeId, msg: LbMsg) {
        match (self, msg) {
            (LbNode::Balancer(b), LbMsg::Forward { id, client }) => b.on_refused(ctx, to, id, client),
            // A refusal of a request the client already gave up on is no response, late or not.
            (LbNode::Client(c), LbMsg::Request { id }) if c.pending.contains_key(&id) => {
                ctx.count("refused", 1);
                c.finish(ctx, id, false);
            }
            _ => {}
        }
    }

    fn requests(&self) -> &'static [&'static str] {
        match self {
            LbNode::Client(_) => &["request"],
            _ => &[],
        }
    }

    fn on_client(&mut self, ctx: &mut C<'_>, req: &crate::node::ClientRequest) {
        match self {
            LbNode::Client(c) => {
                ctx.note(format!("user sent a request ({})", req.op));
                c.send_request(ctx, false);
            }
            _ => ctx.note("only clients take requests by hand"),
        }
    }

    fn on_crash(&mut self) {
        match self {
            LbNode::Client(c) => c.pending.clear(),
            LbNode::Balancer(b) => b.on_crash(),
            LbNode::Backend(s) => {
                s.server.reset();
                s.running.clear();
            }
        }
    }

    fn view(&self) -> NodeView {
        match self {
            LbNode::Client(c) => NodeView::new("client", format!("{} pending", c.pending.len()))
                .field("sent", c.next_id)
                .field("pending", c.pending.len()),
            LbNode::Balancer(b) => b.view(),
            LbNode::Backend(s) if s.spare => NodeView::new("backend", "spare: not in rotation")
                .badge("spare")
                .field("weight", s.weight)
                .field("workers", s.server.spec.workers),
            LbNode::Backend(s) => NodeView::new(
                "backend",
                format!("{}/{} busy, {} queued", s.server.busy(), s.server.spec.workers, s.server.queued()),
            )
            .work(s.server.work())
            .field("weight", s.weight)
            .field("busy", s.server.busy())
            .field("queued", s.server.queued())
            .field("workers", s.server.spec.workers),
        }
    }
}

impl Backend {
    fn start(&mut self, ctx: &mut C<'_>, job: (u64, NodeId), d: crate::time::SimDuration) {
        self.next_job += 1;
        self.running.insert(self.next_job, job);
        ctx.set_timer(LbTimer::Done(self.next_job), d);
    }

    fn done(&mut self, ctx: &mut C<'_>, job: u64) {
        let Some((id, client)) = self.running.remove(&job) else { return };
        ctx.send(self.lb, LbMsg::Reply { id, client, ok: true });
        if let Some((next, d)) = self.server.complete(ctx.rng()) {
            self.start(ctx, next, d);
        }
        ctx.gauge_here("backend_load", self.server.load() as i64);
    }
}
