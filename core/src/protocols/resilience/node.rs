//! The two roles of the service graph: clients and services.

use super::call::{Caller, Outcome};
use super::config::EndpointSpec;
pub use super::service::Service;
use crate::blocks::{Generator, Server};
use crate::ids::NodeId;
use crate::node::{ClientRequest, Ctx, Kind, Node, Shape};
use crate::spans::{Span, SpanKind, SpanStatus, TraceParent};
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MeshMsg {
    /// Run `endpoint` for attempt `id` of the sender, within the sender's trace and span.
    Call { id: u64, endpoint: u32, trace: TraceParent },
    /// The answer to attempt `id`; `degraded` if a fallback or shed feature shaped it.
    Reply { id: u64, ok: bool, degraded: bool },
}

impl Kind for MeshMsg {
    const KINDS: &'static [&'static str] = &["Call", "Reply", "ErrorReply"];

    fn kind(&self) -> &'static str {
        match self {
            MeshMsg::Call { .. } => "Call",
            MeshMsg::Reply { ok: true, .. } => "Reply",
            MeshMsg::Reply { ok: false, .. } => "ErrorReply",
        }
    }

    const CAN_SAY_NO: bool = true;

    fn says_no(&self) -> bool {
        matches!(self, MeshMsg::Reply { ok: false, .. })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MeshTimer {
    /// Client: the next open-loop request.
    Next,
    /// Client: closed-loop think time is over.
    Think(u64),
    /// Service: local work for a job is done.
    Work(u64),
    AttemptTimeout(u64),
    /// A retry's backoff is over.
    Retry(u64),
}

impl Kind for MeshTimer {
    fn kind(&self) -> &'static str {
        match self {
            MeshTimer::Next => "Next",
            MeshTimer::Think(_) => "Think",
            MeshTimer::Work(_) => "Work",
            MeshTimer::AttemptTimeout(_) => "Timeout",
            MeshTimer::Retry(_) => "Retry",
        }
    }
}

pub(super) type C<'a> = Ctx<'a, MeshMsg, MeshTimer>;

/// `availability_permille` counts the client outcomes of the last second.
const AVAILABILITY_WINDOW_MS: u64 = 1_000;

/// A client: sends requests to its entry call site (site 0) and records what came back.
#[derive(Clone, Debug)]
pub struct Client {
    gen: Generator,
    caller: Caller,
    next_id: u64,
    /// Requests waiting for an answer: when each was sent, its trace's root span, and whether the
    /// workload generated it (only those hold a closed-loop slot; a request sent by hand does not).
    pending: BTreeMap<u64, (SimTime, u64, bool)>,
}

#[derive(Clone, Debug)]
pub enum MeshNode {
    Client(Client),
    Service(Service),
}

impl MeshNode {
    pub fn client(gen: Generator, caller: Caller) -> Self {
        MeshNode::Client(Client { gen, caller, next_id: 0, pending: BTreeMap::new() })
    }
    /// `endpoints`: spec, pool index, index of its first call site in `caller`.
    pub fn service(
        pools: Vec<Server<u64>>,
        endpoints: Vec<(EndpointSpec, u32, u32)>,
        caller: Caller,
    ) -> Self {
        MeshNode::Service(Service::new(pools, endpoints, caller))
    }
}

impl Client {
    fn send_request(&mut self, ctx: &mut C<'_>, generated: bool) {
        self.next_id += 1;
        let id = self.next_id;
        let entry = self.caller.label(0);
        let name = move || format!("request to {entry}").into();
        let root = self.caller.spans.open(ctx.id(), ctx.now(), None, SpanKind::Request, name);
        self.pending.insert(id, (ctx.now(), root.span, generated));
        ctx.count("requests", 1);
        if let Some(o) = self.caller.start(ctx, id, 0, root) {
            self.finish(ctx, id, o);
        }
    }

    fn finish(&mut self, ctx: &mut C<'_>, id: u64, o: Outcome) {
        let Some((sent, span, generated)) = self.pending.remove(&id) else { return };
        let took = ctx.now().since(sent);
        let ok = matches!(o, Outcome::Ok { .. });
        let status = match o {
            Outcome::Ok { degraded: false } => SpanStatus::Ok,
            Outcome::Ok { degraded: true } => SpanStatus::Degraded,
            // The client's own fallback answered: counted in `errors`, so an error here too.
            Outcome::Fallback | Outcome::Failed => SpanStatus::Error,
        };
        self.caller.spans.close(span, ctx.now(), status);
        ctx.gauge_ok_permille("availability_permille", ok, SimDuration::from_ms(AVAILABILITY_WINDOW_MS));
        match o {
            Outcome::Ok { degraded } => {
                ctx.count("responses", 1);
                ctx.count_here("client_ok", 1);
                if degraded {
                    ctx.count("degraded", 1);
                }
                ctx.observe("latency_ms", took);
                ctx.observe_here("client_latency_ms", took);
            }
            Outcome::Fallback | Outcome::Failed => {
                ctx.count("errors", 1);
                ctx.count_here("client_failed", 1);
            }
        }
        // Closed loop: a generated request's slot goes to the next one after a think time.
        if let Some(think) = self.gen.think_after(generated, ctx.rng()) {
            ctx.set_timer(MeshTimer::Think(id), think);
        }
    }

    fn schedule_next(&mut self, ctx: &mut C<'_>) {
        let now = ctx.now();
        if let Some(gap) = self.gen.next_gap(now, ctx.load_pct(), ctx.rng()) {
            ctx.set_timer(MeshTimer::Next, gap);
        }
    }
}

impl Node for MeshNode {
    type Msg = MeshMsg;
    type Timer = MeshTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["errors", "degraded"]);
        match self {
            MeshNode::Client(c) => {
                ctx.reports(Shape::Counter, &["requests", "responses", "errors", "degraded"]);
                ctx.reports(Shape::Histogram, &["latency_ms"]);
                ctx.reports_here(Shape::Histogram, &["client_latency_ms"]);
                c.caller.list_report_keys(ctx);
                ctx.declare_here(&["client_ok", "client_failed"]);
                ctx.declare_gauge("availability_permille");
                c.caller.declare(ctx);
                c.schedule_next(ctx);
                for _ in 0..c.gen.concurrency() {
                    c.send_request(ctx, true);
                }
            }
            MeshNode::Service(s) => {
                ctx.reports(Shape::Counter, &["errors", "degraded"]);
                ctx.reports_here(Shape::Counter, &["shed"]);
                ctx.reports_here(Shape::Histogram, &["service_ms"]);
                s.caller.list_report_keys(ctx);
                ctx.declare_here(&["served_ok", "served_failed", "rejected"]);
                s.caller.declare(ctx);
                s.show_pools(ctx);
            }
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: MeshMsg) {
        match (self, msg) {
            (MeshNode::Service(s), MeshMsg::Call { id, endpoint, trace }) => {
                s.on_call(ctx, from, id, endpoint, trace)
            }
            (MeshNode::Service(s), MeshMsg::Reply { id, ok, degraded }) => {
                let done = s.caller.on_reply(ctx, id, ok, degraded);
                s.resume(ctx, done);
            }
            (MeshNode::Client(c), MeshMsg::Reply { id, ok, degraded }) => {
                if let Some((req, o)) = c.caller.on_reply(ctx, id, ok, degraded) {
                    c.finish(ctx, req, o);
                }
            }
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: MeshTimer) {
        match (self, timer) {
            (MeshNode::Client(c), MeshTimer::Next) => {
                c.send_request(ctx, true);
                c.schedule_next(ctx);
            }
            (MeshNode::Client(c), MeshTimer::Think(_)) => c.send_request(ctx, true),
            (MeshNode::Client(c), MeshTimer::AttemptTimeout(id)) => {
                if let Some((req, o)) = c.caller.on_timeout(ctx, id) {
                    c.finish(ctx, req, o);
                }
            }
            (MeshNode::Client(c), MeshTimer::Retry(id)) => {
                if let Some((req, o)) = c.caller.on_retry(ctx, id) {
                    c.finish(ctx, req, o);
                }
            }
            (MeshNode::Service(s), MeshTimer::Work(job)) => s.on_work_done(ctx, job),
            (MeshNode::Service(s), MeshTimer::AttemptTimeout(id)) => {
                let done = s.caller.on_timeout(ctx, id);
                s.resume(ctx, done);
            }
            (MeshNode::Service(s), MeshTimer::Retry(id)) => {
                let done = s.caller.on_retry(ctx, id);
                s.resume(ctx, done);
            }
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    fn requests(&self) -> &'static [&'static str] {
        match self {
            MeshNode::Client(_) => &["request"],
            MeshNode::Service(_) => &[],
        }
    }

    fn on_client(&mut self, ctx: &mut C<'_>, req: &ClientRequest) {
        match self {
            MeshNode::Client(c) => {
                ctx.note(format!("user sent a request ({})", req.op));
                c.send_request(ctx, false);
            }
            MeshNode::Service(_) => ctx.note("only clients take requests by hand"),
        }
    }

    fn on_crash(&mut self) {
        match self {
            MeshNode::Client(c) => {
                c.pending.clear();
                c.caller.reset();
            }
            MeshNode::Service(s) => s.crash(),
        }
    }

    fn spans(&self, out: &mut Vec<Span>) {
        let caller = match self {
            MeshNode::Client(c) => &c.caller,
            MeshNode::Service(s) => &s.caller,
        };
        out.extend(caller.spans.all().cloned());
    }

    fn view(&self) -> NodeView {
        match self {
            MeshNode::Client(c) => NodeView::new("client", format!("{} pending", c.pending.len()))
                .field("sent", c.next_id)
                .field("pending", c.pending.len()),
            MeshNode::Service(s) => s.view(),
        }
    }
}
