//! Messages, timers and the role enum of the traffic family.

use super::client::Client;
use super::gateway::Gateway;
use super::task::{Store, Task};
use super::{Abuser, Sessions, TrafficConfig};
use crate::blocks::{Generator, ServerSpec};
use crate::ids::NodeId;
use crate::node::{ClientRequest, Ctx, Kind, Knob, Node, Shape};
use crate::view::NodeView;

/// An operation on the store `db`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreOp {
    /// Add one item to this client's cart; the answer is the cart's new size.
    AddToCart(NodeId),
    /// Read a key; the answer is its version.
    Get(u64),
    /// Write a key; the answer is its new version.
    Put(u64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrafficMsg {
    Request {
        id: u64,
        key: u64,
        write: bool,
    },
    /// `status`: 200, 429 (rate limited), 503 (no task / task full), 504 (task did not answer).
    /// `cart`: the cart's size after this request (0 without sessions).
    Response {
        id: u64,
        status: u16,
        cart: u32,
    },
    Forward {
        gid: u64,
        client: NodeId,
    },
    Reply {
        gid: u64,
        ok: bool,
        cart: u32,
    },
    Probe {
        seq: u64,
    },
    /// A health-check answer, with the worker utilisation since the previous one (‰).
    ProbeOk {
        seq: u64,
        util_permille: u32,
    },
    /// The orchestrator starts a task in this slot; it serves after `boot_ms`.
    Launch {
        boot_ms: u64,
    },
    Ready,
    /// Scale-in: this task leaves the pool.
    Stop,
    StoreReq {
        tag: u64,
        op: StoreOp,
    },
    StoreDone {
        tag: u64,
        value: u64,
    },
}

impl Kind for TrafficMsg {
    const KINDS: &'static [&'static str] = &[
        "Request",
        "Response",
        "Forward",
        "Reply",
        "Probe",
        "ProbeOk",
        "Launch",
        "Ready",
        "Stop",
        "StoreReq",
        "StoreDone",
    ];

    fn kind(&self) -> &'static str {
        match self {
            TrafficMsg::Request { .. } => "Request",
            TrafficMsg::Response { .. } => "Response",
            TrafficMsg::Forward { .. } => "Forward",
            TrafficMsg::Reply { .. } => "Reply",
            TrafficMsg::Probe { .. } => "Probe",
            TrafficMsg::ProbeOk { .. } => "ProbeOk",
            TrafficMsg::Launch { .. } => "Launch",
            TrafficMsg::Ready => "Ready",
            TrafficMsg::Stop => "Stop",
            TrafficMsg::StoreReq { .. } => "StoreReq",
            TrafficMsg::StoreDone { .. } => "StoreDone",
        }
    }

    const CAN_SAY_NO: bool = true;

    fn says_no(&self) -> bool {
        match self {
            TrafficMsg::Response { status, .. } => *status >= 400,
            TrafficMsg::Reply { ok, .. } => !ok,
            _ => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TrafficTimer {
    Next,
    Abuse,
    Think(u64),
    Timeout(u64),
    Tick,
    Scale,
    ProbeTimeout(u32),
    Upstream(u64),
    Release(u64),
    Boot,
    Done(u64),
    Books,
}

impl Kind for TrafficTimer {
    fn kind(&self) -> &'static str {
        match self {
            TrafficTimer::Next => "Next",
            TrafficTimer::Abuse => "Abuse",
            TrafficTimer::Think(_) => "Think",
            TrafficTimer::Timeout(_) => "Timeout",
            TrafficTimer::Tick => "Tick",
            TrafficTimer::Scale => "Scale",
            TrafficTimer::ProbeTimeout(_) => "ProbeTimeout",
            TrafficTimer::Upstream(_) => "Upstream",
            TrafficTimer::Release(_) => "Release",
            TrafficTimer::Boot => "Boot",
            TrafficTimer::Done(_) => "Done",
            TrafficTimer::Books => "Books",
        }
    }
}

pub(super) type C<'a> = Ctx<'a, TrafficMsg, TrafficTimer>;

/// A participant of the traffic family.
#[derive(Clone, Debug)]
pub enum TrafficNode {
    Client(Client),
    Gateway(Box<Gateway>),
    Task(Task),
    Store(Store),
}

impl TrafficNode {
    pub fn client(gen: Generator, lb: NodeId, abuser: Option<Abuser>, split: bool) -> Self {
        TrafficNode::Client(Client::new(gen, lb, abuser, split))
    }
    pub fn gateway(cfg: TrafficConfig, first_task: NodeId, store: Option<NodeId>) -> Self {
        TrafficNode::Gateway(Box::new(Gateway::new(cfg, first_task, store)))
    }
    pub fn task(
        spec: ServerSpec,
        lb: NodeId,
        running: bool,
        sessions: Sessions,
        store: Option<NodeId>,
    ) -> Self {
        TrafficNode::Task(Task::new(spec, lb, running, sessions, store))
    }
    pub fn store(spec: ServerSpec) -> Self {
        TrafficNode::Store(Store::new(spec))
    }
}

impl TrafficNode {
    /// Everything this role may record, whatever the gateway's features, listed for the run
    /// report from the start (review 27 B2).
    fn list_report_keys(&self, ctx: &mut C<'_>) {
        match self {
            TrafficNode::Client(_) => {
                let outcomes = ["requests", "responses", "late_responses", "errors", "timeouts"];
                ctx.reports(Shape::Counter, &outcomes);
                let features =
                    ["abusive_requests", "carts_lost", "items_lost", "rejected_429", "polite_rejected_429"];
                ctx.reports(Shape::Counter, &features);
                ctx.reports(Shape::Histogram, &["latency_ms", "polite_latency_ms"]);
            }
            TrafficNode::Gateway(_) => {
                let proxy =
                    ["errors", "upstream_timeouts", "refused", "no_backend", "rate_delayed", "ejections"];
                ctx.reports(Shape::Counter, &proxy);
                ctx.reports(Shape::Counter, &["cache_hits", "cache_misses", "stale_reads"]);
                let fleet = [
                    "launches",
                    "launch_failed",
                    "marked_unhealthy",
                    "probe_failures",
                    "scale_ins",
                    "scale_outs",
                ];
                ctx.reports(Shape::Counter, &fleet);
                ctx.reports_here(Shape::Counter, &["forwarded", "limited", "late_replies"]);
                let books =
                    ["downtime_ms", "below_min_healthy_ms", "task_seconds", "healthy_tasks", "tasks_running"];
                ctx.reports(Shape::Gauge, &books);
                ctx.reports(Shape::Gauge, &["util_pct", "hit_ratio_permille"]);
            }
            TrafficNode::Task(_) => ctx.reports_here(Shape::Counter, &["task_requests"]),
            TrafficNode::Store(_) => ctx.reports(Shape::Counter, &["db_requests"]),
        }
    }
}

impl Node for TrafficNode {
    type Msg = TrafficMsg;
    type Timer = TrafficTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        self.list_report_keys(ctx);
        match self {
            TrafficNode::Client(c) => c.init(ctx),
            TrafficNode::Gateway(g) => g.init(ctx),
            TrafficNode::Task(t) => t.init(ctx),
            TrafficNode::Store(_) => {}
        }
    }

    fn knobs(&self) -> Vec<Knob> {
        match self {
            TrafficNode::Gateway(g) => g.knobs(),
            _ => Vec::new(),
        }
    }

    fn on_tune(&mut self, ctx: &mut C<'_>, knob: &str, to: &str) {
        if let TrafficNode::Gateway(g) = self {
            g.on_tune(ctx, knob, to);
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: TrafficMsg) {
        match self {
            TrafficNode::Client(c) => c.on_message(ctx, msg),
            TrafficNode::Gateway(g) => g.on_message(ctx, from, msg),
            TrafficNode::Task(t) => t.on_message(ctx, from, msg),
            TrafficNode::Store(s) => s.on_message(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: TrafficTimer) {
        match self {
            TrafficNode::Client(c) => c.on_timer(ctx, timer),
            TrafficNode::Gateway(g) => g.on_timer(ctx, timer),
            TrafficNode::Task(t) => t.on_timer(ctx, timer),
            TrafficNode::Store(s) => s.on_timer(ctx, timer),
        }
    }

    /// The gateway takes a refusal as the failure it is: a refused `Forward` fails its request at
    /// once and counts toward the passive check, a refused `Probe` fails the active check at once.
    /// Other refusals are lost messages, left to their timeouts.
    fn on_refused(&mut self, ctx: &mut C<'_>, to: NodeId, msg: TrafficMsg) {
        let TrafficNode::Gateway(g) = self else { return };
        match msg {
            TrafficMsg::Forward { gid, .. } => g.on_refused(ctx, gid),
            TrafficMsg::Probe { seq } => g.on_probe_refused(ctx, to, seq),
            _ => {}
        }
    }

    fn requests(&self) -> &'static [&'static str] {
        match self {
            TrafficNode::Client(_) => &["request", "write"],
            _ => &[],
        }
    }

    fn on_client(&mut self, ctx: &mut C<'_>, req: &ClientRequest) {
        match self {
            TrafficNode::Client(c) => {
                ctx.note(format!("user sent a request ({})", req.op));
                c.send_request(ctx, req.op == "write", false);
            }
            _ => ctx.note("only clients take requests by hand"),
        }
    }

    fn on_crash(&mut self) {
        match self {
            TrafficNode::Client(c) => c.on_crash(),
            TrafficNode::Gateway(g) => g.on_crash(),
            TrafficNode::Task(t) => t.on_crash(),
            TrafficNode::Store(s) => s.on_crash(),
        }
    }

    /// Health-check, orchestration and store traffic only where the configuration has them:
    /// t1-t6's plain balancer sends 4 of the 11 kinds.
    fn kinds(nodes: &[Self]) -> Vec<&'static str> {
        let cfg = nodes.iter().find_map(|n| match n {
            TrafficNode::Gateway(g) => Some(&g.cfg),
            _ => None,
        });
        let tasks = nodes.iter().any(|n| matches!(n, TrafficNode::Task(_)));
        let store = nodes.iter().any(|n| matches!(n, TrafficNode::Store(_)));
        let (checks, launches, scales) = cfg.map_or((false, false, false), |c| {
            (c.active_check.is_some(), c.replace.is_some() || c.autoscale.is_some(), c.autoscale.is_some())
        });
        let wanted = |k: &&str| match *k {
            "Forward" | "Reply" => tasks,
            "Probe" | "ProbeOk" => checks,
            "Launch" | "Ready" => launches,
            "Stop" => scales,
            "StoreReq" | "StoreDone" => store,
            _ => true,
        };
        TrafficMsg::KINDS.iter().copied().filter(wanted).collect()
    }

    fn view(&self) -> NodeView {
        match self {
            TrafficNode::Client(c) => c.view(),
            TrafficNode::Gateway(g) => g.view(),
            TrafficNode::Task(t) => t.view(),
            TrafficNode::Store(s) => s.view(),
        }
    }
}
