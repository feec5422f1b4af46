//! The messages, timers and roles of E5, and the `Node` impl that hands each input to its role.

use super::client::Client;
use super::coordinator::Coordinator;
use super::orchestrator::Orchestrator;
use super::service::ServiceNode;
use super::{check, Layout, Service, TransactionsConfig};
use crate::blocks::Generator;
use crate::ids::NodeId;
use crate::node::{ClientRequest, Ctx, Kind, Node, RequestField, RequestForm, Shape};
use crate::view::NodeView;

/// One order as the coordinator numbered it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Order {
    pub id: u64,
    pub customer: u64,
    pub item: u64,
    pub price: u64,
}

/// The price of an item: 10 to 55 in steps of 5, so that sums are easy to follow.
pub fn price_of(item: u64) -> u64 {
    10 + 5 * (item % 10)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxMsg {
    /// Client → coordinator/orchestrator: place an order (`req` is the client's own number).
    Submit {
        req: u64,
        customer: u64,
        item: u64,
    },
    Prepare {
        order: Order,
    },
    Vote {
        order: u64,
        yes: bool,
    },
    Commit {
        order: u64,
    },
    Abort {
        order: u64,
    },
    Ack {
        order: u64,
    },
    StatusQuery {
        order: u64,
    },
    /// Saga: run a step (`undo` = its compensation).
    Step {
        order: Order,
        service: Service,
        undo: bool,
    },
    StepResult {
        order: u64,
        service: Service,
        ok: bool,
    },
    Undone {
        order: u64,
        service: Service,
    },
    /// To the client: its order's outcome.
    Outcome {
        req: u64,
        order: u64,
        ok: bool,
    },
    Read {
        req: u64,
        item: u64,
    },
    /// `None`: refused after waiting too long for the item's lock.
    Stock {
        req: u64,
        item: u64,
        count: Option<u32>,
    },
}

impl Kind for TxMsg {
    const KINDS: &'static [&'static str] = &[
        "Submit",
        "Prepare",
        "VoteYes",
        "VoteNo",
        "Commit",
        "Abort",
        "Ack",
        "StatusQuery",
        "Charge",
        "Reserve",
        "Ship",
        "Notify",
        "Done",
        "Failed",
        "Refund",
        "Restock",
        "CancelShipment",
        "Retract",
        "Undone",
        "Confirmed",
        "Cancelled",
        "Read",
        "Stock",
        "ReadRefused",
    ];

    fn kind(&self) -> &'static str {
        match self {
            TxMsg::Submit { .. } => "Submit",
            TxMsg::Prepare { .. } => "Prepare",
            TxMsg::Vote { yes: true, .. } => "VoteYes",
            TxMsg::Vote { yes: false, .. } => "VoteNo",
            TxMsg::Commit { .. } => "Commit",
            TxMsg::Abort { .. } => "Abort",
            TxMsg::Ack { .. } => "Ack",
            TxMsg::StatusQuery { .. } => "StatusQuery",
            TxMsg::Step { service, undo, .. } => step_kind(*service, *undo),
            TxMsg::StepResult { ok: true, .. } => "Done",
            TxMsg::StepResult { ok: false, .. } => "Failed",
            TxMsg::Undone { .. } => "Undone",
            TxMsg::Outcome { ok: true, .. } => "Confirmed",
            TxMsg::Outcome { ok: false, .. } => "Cancelled",
            TxMsg::Read { .. } => "Read",
            TxMsg::Stock { count: Some(_), .. } => "Stock",
            TxMsg::Stock { count: None, .. } => "ReadRefused",
        }
    }
}

/// A saga step's verb, or its compensation's. The last step (notification) is never compensated:
/// when it fails there is nothing of it to undo, so `Retract` is listed but never sent.
pub fn step_kind(s: Service, undo: bool) -> &'static str {
    match (s, undo) {
        (Service::Payment, false) => "Charge",
        (Service::Inventory, false) => "Reserve",
        (Service::Shipping, false) => "Ship",
        (Service::Notification, false) => "Notify",
        (Service::Payment, true) => "Refund",
        (Service::Inventory, true) => "Restock",
        (Service::Shipping, true) => "CancelShipment",
        (Service::Notification, true) => "Retract",
    }
}

/// Kinds only a two-phase-commit run sends (the rest of `KINDS` but the saga's are shared).
const TWO_PC_ONLY: &[&str] = &["Prepare", "VoteYes", "VoteNo", "Commit", "Abort", "Ack", "StatusQuery"];

/// Kinds only a saga run sends: the steps, their results and compensations ([`step_kind`]).
fn saga_only(kind: &str) -> bool {
    let steps = [Service::Payment, Service::Inventory, Service::Shipping, Service::Notification];
    ["Done", "Failed", "Undone"].contains(&kind)
        || steps.iter().any(|&s| step_kind(s, false) == kind || step_kind(s, true) == kind)
}

/// A read waiting for a lock is named by its client and request number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Waiter {
    Order(u64),
    Read(NodeId, u64),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TxTimer {
    Next,
    /// Client: closed-loop think time over.
    Think(u64),
    Timeout(u64),
    LogWritten(u64),
    ResendDecision(u64),
    VoteTimeout(u64),
    StepTimeout(u64),
    Work(u64),
    LockTimeout(Waiter),
    StatusQuery(u64),
    GiveUp(u64),
}

impl Kind for TxTimer {
    fn kind(&self) -> &'static str {
        match self {
            TxTimer::Next => "Next",
            TxTimer::Think(_) => "Think",
            TxTimer::Timeout(_) => "Timeout",
            TxTimer::LogWritten(_) => "LogWritten",
            TxTimer::ResendDecision(_) => "ResendDecision",
            TxTimer::VoteTimeout(_) => "VoteTimeout",
            TxTimer::StepTimeout(_) => "StepTimeout",
            TxTimer::Work(_) => "Work",
            TxTimer::LockTimeout(_) => "LockTimeout",
            TxTimer::StatusQuery(_) => "StatusQuery",
            TxTimer::GiveUp(_) => "GiveUp",
        }
    }
}

pub(super) type C<'a> = Ctx<'a, TxMsg, TxTimer>;

#[derive(Clone, Debug)]
pub enum TxNode {
    Client(Client),
    Coordinator(Box<Coordinator>),
    Orchestrator(Box<Orchestrator>),
    Service(Box<ServiceNode>),
}

impl TxNode {
    pub fn client(gen: Generator, layout: Layout, customers: u32) -> Self {
        TxNode::Client(Client::new(gen, layout.hub(), layout.service(Service::Inventory), customers))
    }
    pub fn coordinator(cfg: &TransactionsConfig, layout: Layout) -> Self {
        TxNode::Coordinator(Box::new(Coordinator::new(cfg, layout)))
    }
    pub fn orchestrator(cfg: &TransactionsConfig, layout: Layout) -> Self {
        TxNode::Orchestrator(Box::new(Orchestrator::new(cfg, layout)))
    }
    pub fn service(cfg: &TransactionsConfig, s: Service, layout: Layout, items: u64) -> Self {
        TxNode::Service(Box::new(ServiceNode::new(cfg, s, layout.hub(), items)))
    }
}

impl TxNode {
    /// Everything this role may record, in either mode, listed for the run report from the start
    /// (review 27 B2).
    fn list_report_keys(&self, ctx: &mut C<'_>) {
        match self {
            TxNode::Client(_) => {
                let orders = ["requests", "responses", "errors", "timeouts", "reads", "reads_refused"];
                ctx.reports(Shape::Counter, &orders);
                ctx.reports(Shape::Histogram, &["order_latency_ms"]);
            }
            TxNode::Coordinator(_) => {
                let decisions = ["committed", "aborted", "presumed_aborts", "decisions_resent"];
                ctx.reports(Shape::Counter, &decisions);
                ctx.reports_here(Shape::Counter, &["late_votes"]);
                ctx.reports_here(Shape::Gauge, &["unacknowledged_commits"]);
            }
            TxNode::Orchestrator(_) => {
                let sagas = ["completed", "compensated", "steps_compensated", "step_retries"];
                ctx.reports(Shape::Counter, &sagas);
                ctx.reports_here(Shape::Counter, &["stale_replies"]);
                ctx.reports_here(Shape::Gauge, &["sagas_in_flight"]);
            }
            TxNode::Service(_) => {
                let local = ["lock_timeouts", "status_queries", "heuristic_aborts", "dirty_reads"];
                ctx.reports(Shape::Counter, &local);
                ctx.reports_here(Shape::Gauge, &["locks_held", "in_doubt"]);
                ctx.reports(Shape::Histogram, &["lock_wait_ms"]);
            }
        }
    }
}

impl Node for TxNode {
    type Msg = TxMsg;
    type Timer = TxTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["requests", "responses", "errors", "timeouts", "reads", "reads_refused"]);
        self.list_report_keys(ctx);
        match self {
            TxNode::Client(c) => c.init(ctx),
            TxNode::Coordinator(c) => c.init(ctx),
            TxNode::Orchestrator(o) => o.init(ctx),
            TxNode::Service(s) => s.init(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: TxMsg) {
        match self {
            TxNode::Client(c) => c.on_message(ctx, msg),
            TxNode::Coordinator(c) => c.on_message(ctx, from, msg),
            TxNode::Orchestrator(o) => o.on_message(ctx, from, msg),
            TxNode::Service(s) => s.on_message(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: TxTimer) {
        match self {
            TxNode::Client(c) => c.on_timer(ctx, timer),
            TxNode::Coordinator(c) => c.on_timer(ctx, timer),
            TxNode::Orchestrator(o) => o.on_timer(ctx, timer),
            TxNode::Service(s) => s.on_timer(ctx, timer),
        }
    }

    fn requests(&self) -> &'static [&'static str] {
        match self {
            TxNode::Client(_) => &["order", "read"],
            _ => &[],
        }
    }

    fn request_form(&self, _op: &str) -> RequestForm {
        let item = RequestField { optional: true, ..RequestField::needed("item", "an item", "3") };
        match self {
            TxNode::Client(_) => RequestForm { key: Some(item), value: None },
            _ => RequestForm::default(),
        }
    }

    fn request_refusal(&self, _me: NodeId, req: &ClientRequest) -> Option<String> {
        match self {
            TxNode::Client(c) => c.item_named(req).err(),
            _ => None,
        }
    }

    fn on_client(&mut self, ctx: &mut C<'_>, req: &ClientRequest) {
        match self {
            TxNode::Client(c) => c.on_request(ctx, req),
            _ => ctx.note(format!("ignored request {:?}: only clients take orders by hand", req.op)),
        }
    }

    fn on_crash(&mut self) {
        match self {
            TxNode::Client(c) => c.crash(),
            TxNode::Coordinator(c) => c.crash(),
            TxNode::Orchestrator(o) => o.crash(),
            TxNode::Service(s) => s.crash(),
        }
    }

    fn view(&self) -> NodeView {
        match self {
            TxNode::Client(c) => c.view(),
            TxNode::Coordinator(c) => c.view(),
            TxNode::Orchestrator(o) => o.view(),
            TxNode::Service(s) => s.view(),
        }
    }

    fn kinds(nodes: &[Self]) -> Vec<&'static str> {
        let kinds = <TxMsg as Kind>::KINDS.iter().copied();
        if nodes.iter().any(|n| matches!(n, TxNode::Orchestrator(_))) {
            // No read waits for a lock in a saga, and the last step is never compensated.
            let never = |k: &str| TWO_PC_ONLY.contains(&k) || k == "ReadRefused" || k == "Retract";
            kinds.filter(|k| !never(k)).collect()
        } else {
            // A read is refused only after a lock-wait timeout; without one it waits for ever.
            let refuses =
                nodes.iter().any(|n| matches!(n, TxNode::Service(s) if s.lock_wait_timeout.is_some()));
            kinds.filter(|&k| !saga_only(k) && (refuses || k != "ReadRefused")).collect()
        }
    }

    fn invariants(nodes: &[Self]) -> &'static [&'static str] {
        if nodes.iter().any(|n| matches!(n, TxNode::Orchestrator(_))) {
            &[check::ALL_OR_NOTHING, check::MONEY]
        } else {
            &[check::ATOMIC, check::MONEY]
        }
    }

    const GLOBAL_CHECK: bool = true;
    fn check(nodes: &[Self], _up: &[bool], out: &mut Vec<(&'static str, String)>) {
        check::check(nodes, out);
    }
}
