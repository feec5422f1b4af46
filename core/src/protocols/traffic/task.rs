//! Task slots (application servers) and the store `db` (session store / database).

use super::node::{StoreOp, TrafficMsg, TrafficTimer, C};
use super::Sessions;
use crate::blocks::{Admit, Server, ServerSpec};
use crate::ids::NodeId;
use crate::node::Kind;
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    Standby,
    Booting,
    Running,
    /// Taken out of the pool by the auto-scaler (no longer billed); may be launched again.
    Stopped,
}

impl TaskState {
    /// The state in words, for notes and the inspector.
    pub fn word(self) -> &'static str {
        match self {
            TaskState::Standby => "standby",
            TaskState::Booting => "booting",
            TaskState::Running => "running",
            TaskState::Stopped => "stopped",
        }
    }
}

/// A job: the gateway's request id and the client it is for.
type Job = (u64, NodeId);

#[derive(Clone, Debug)]
pub struct Task {
    lb: NodeId,
    server: Server<Job>,
    state: TaskState,
    /// Runs from the start of the simulation (durable: a restart does not re-run it).
    initial: bool,
    sessions: Sessions,
    store: Option<NodeId>,
    /// Sticky sessions: carts in this task's memory (lost on a crash).
    carts: BTreeMap<NodeId, u32>,
    next_job: u64,
    running: BTreeMap<u64, Job>,
    /// Worker-microseconds spent busy, for the utilisation reported to health checks.
    busy_us: u64,
    busy_since: SimTime,
    probed_at: SimTime,
    busy_at_probe: u64,
}

impl Task {
    pub fn new(
        spec: ServerSpec,
        lb: NodeId,
        running: bool,
        sessions: Sessions,
        store: Option<NodeId>,
    ) -> Self {
        Task {
            lb,
            server: Server::new(spec),
            state: TaskState::Standby,
            initial: running,
            sessions,
            store,
            carts: BTreeMap::new(),
            next_job: 0,
            running: BTreeMap::new(),
            busy_us: 0,
            busy_since: SimTime::ZERO,
            probed_at: SimTime::ZERO,
            busy_at_probe: 0,
        }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        if self.initial && ctx.now() == SimTime::ZERO {
            self.state = TaskState::Running;
        } else {
            self.state = TaskState::Standby;
        }
    }

    /// Integrate busy workers over time (call before the busy count changes).
    fn integrate(&mut self, now: SimTime) {
        self.busy_us += self.server.busy() as u64 * now.since(self.busy_since).as_us();
        self.busy_since = now;
    }

    pub fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: TrafficMsg) {
        match msg {
            TrafficMsg::Forward { gid, client } if self.state == TaskState::Running => {
                self.integrate(ctx.now());
                ctx.count_here("task_requests", 1);
                match self.server.arrive((gid, client), ctx.rng()) {
                    Admit::Start(d) => self.start(ctx, (gid, client), d),
                    Admit::Queued => {}
                    Admit::Rejected(_) => ctx.send(from, TrafficMsg::Reply { gid, ok: false, cart: 0 }),
                }
            }
            TrafficMsg::Probe { seq } if self.state == TaskState::Running => {
                let util = self.utilisation(ctx.now());
                ctx.send(from, TrafficMsg::ProbeOk { seq, util_permille: util });
            }
            TrafficMsg::Launch { boot_ms }
                if matches!(self.state, TaskState::Standby | TaskState::Stopped) =>
            {
                self.state = TaskState::Booting;
                ctx.note(format!("launching, serving in {boot_ms} ms"));
                ctx.set_timer(TrafficTimer::Boot, SimDuration::from_ms(boot_ms));
            }
            TrafficMsg::Stop => {
                ctx.note("stopped by the auto-scaler");
                self.state = TaskState::Stopped;
            }
            TrafficMsg::StoreDone { tag, value } => {
                ctx.send(self.lb, TrafficMsg::Reply { gid: tag, ok: true, cart: value as u32 });
            }
            m => ctx.note(format!("ignored a {} while {}", m.kind(), self.state.word())),
        }
    }

    fn utilisation(&mut self, now: SimTime) -> u32 {
        self.integrate(now);
        let span = now.since(self.probed_at).as_us() * self.server.spec.workers as u64;
        let busy = self.busy_us - self.busy_at_probe;
        self.probed_at = now;
        self.busy_at_probe = self.busy_us;
        (busy * 1000).checked_div(span).unwrap_or(0).min(1000) as u32
    }

    fn start(&mut self, ctx: &mut C<'_>, job: Job, d: SimDuration) {
        self.next_job += 1;
        self.running.insert(self.next_job, job);
        ctx.set_timer(TrafficTimer::Done(self.next_job), d);
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: TrafficTimer) {
        match timer {
            TrafficTimer::Boot => {
                self.state = TaskState::Running;
                self.probed_at = ctx.now();
                self.busy_at_probe = self.busy_us;
                ctx.send(self.lb, TrafficMsg::Ready);
            }
            TrafficTimer::Done(job) => self.done(ctx, job),
            t => ctx.ignored_timer(&t),
        }
    }

    fn done(&mut self, ctx: &mut C<'_>, job: u64) {
        let Some((gid, client)) = self.running.remove(&job) else { return };
        self.integrate(ctx.now());
        match (self.sessions, self.store) {
            (Sessions::SharedStore, Some(db)) => {
                ctx.send(db, TrafficMsg::StoreReq { tag: gid, op: StoreOp::AddToCart(client) })
            }
            (Sessions::StickyLocal, _) => {
                let cart = self.carts.entry(client).or_insert(0);
                *cart += 1;
                ctx.send(self.lb, TrafficMsg::Reply { gid, ok: true, cart: *cart });
            }
            _ => ctx.send(self.lb, TrafficMsg::Reply { gid, ok: true, cart: 0 }),
        }
        if let Some((next, d)) = self.server.complete(ctx.rng()) {
            self.start(ctx, next, d);
        }
    }

    pub fn on_crash(&mut self) {
        self.server.reset();
        self.running.clear();
        self.carts.clear();
        self.busy_us = 0;
        self.busy_at_probe = 0;
    }

    pub fn view(&self) -> NodeView {
        let label = match self.state {
            TaskState::Running => format!("{}/{} busy", self.server.busy(), self.server.spec.workers),
            s => s.word().to_string(),
        };
        NodeView::new("task", label)
            .work(self.server.work())
            .field("state", self.state.word())
            .field("busy", self.server.busy())
            .field("queued", self.server.queued())
            .field("carts", self.carts.len())
    }
}

/// The store: carts and versioned keys, on disk (they survive a crash), behind a server model.
#[derive(Clone, Debug)]
pub struct Store {
    server: Server<(NodeId, u64, StoreOp)>,
    carts: BTreeMap<NodeId, u32>,
    versions: BTreeMap<u64, u64>,
    next_job: u64,
    running: BTreeMap<u64, (NodeId, u64, StoreOp)>,
}

impl Store {
    pub fn new(spec: ServerSpec) -> Self {
        Store {
            server: Server::new(spec),
            carts: BTreeMap::new(),
            versions: BTreeMap::new(),
            next_job: 0,
            running: BTreeMap::new(),
        }
    }

    pub fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: TrafficMsg) {
        let TrafficMsg::StoreReq { tag, op } = msg else {
            return ctx.note("ignored: the store only takes StoreReq");
        };
        ctx.count("db_requests", 1);
        match self.server.arrive((from, tag, op), ctx.rng()) {
            Admit::Start(d) => self.start(ctx, (from, tag, op), d),
            Admit::Queued => {}
            Admit::Rejected(_) => ctx.note("store queue full: request dropped"),
        }
    }

    fn start(&mut self, ctx: &mut C<'_>, job: (NodeId, u64, StoreOp), d: SimDuration) {
        self.next_job += 1;
        self.running.insert(self.next_job, job);
        ctx.set_timer(TrafficTimer::Done(self.next_job), d);
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: TrafficTimer) {
        let TrafficTimer::Done(job) = timer else { return };
        let Some((from, tag, op)) = self.running.remove(&job) else { return };
        let value = match op {
            StoreOp::AddToCart(client) => {
                let c = self.carts.entry(client).or_insert(0);
                *c += 1;
                *c as u64
            }
            StoreOp::Get(key) => self.versions.get(&key).copied().unwrap_or(0),
            StoreOp::Put(key) => {
                let v = self.versions.entry(key).or_insert(0);
                *v += 1;
                *v
            }
        };
        ctx.send(from, TrafficMsg::StoreDone { tag, value });
        if let Some((next, d)) = self.server.complete(ctx.rng()) {
            self.start(ctx, next, d);
        }
    }

    pub fn on_crash(&mut self) {
        self.server.reset();
        self.running.clear();
    }

    pub fn view(&self) -> NodeView {
        NodeView::new("store", format!("{}/{} busy", self.server.busy(), self.server.spec.workers))
            .work(self.server.work())
            .field("carts", self.carts.len())
            .field("keys", self.versions.len())
    }
}
