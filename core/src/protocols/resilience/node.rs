//! The two roles of the service graph: clients and services.

use super::call::{Caller, Outcome};
use super::config::EndpointSpec;
use crate::blocks::{Admit, Generator, Server};
use crate::ids::NodeId;
use crate::node::{ClientRequest, Ctx, Kind, Node};
use crate::time::SimTime;
use crate::view::NodeView;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MeshMsg {
    /// Run `endpoint` for attempt `id` of the sender.
    Call { id: u64, endpoint: u32 },
    /// The answer to attempt `id`; `degraded` if a fallback or shed feature shaped it.
    Reply { id: u64, ok: bool, degraded: bool },
}

impl Kind for MeshMsg {
    fn kind(&self) -> &'static str {
        match self {
            MeshMsg::Call { .. } => "Call",
            MeshMsg::Reply { ok: true, .. } => "Reply",
            MeshMsg::Reply { ok: false, .. } => "ErrorReply",
        }
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

/// A client: sends requests to its entry call site (site 0) and records what came back.
#[derive(Clone, Debug)]
pub struct Client {
    gen: Generator,
    caller: Caller,
    next_id: u64,
    pending: BTreeMap<u64, SimTime>,
}

/// A request being served.
#[derive(Clone, Debug)]
struct Job {
    from: NodeId,
    call_id: u64,
    endpoint: u32,
    next_call: u32,
    degraded: bool,
    arrived: SimTime,
}

/// A service: pools of workers; endpoints that work locally and then call their dependencies.
#[derive(Clone, Debug)]
pub struct Service {
    pools: Vec<Server<u64>>,
    endpoints: Vec<(EndpointSpec, u32, u32)>,
    caller: Caller,
    jobs: BTreeMap<u64, Job>,
    next_job: u64,
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
        MeshNode::Service(Service { pools, endpoints, caller, jobs: BTreeMap::new(), next_job: 0 })
    }
}

impl Client {
    fn send_request(&mut self, ctx: &mut C<'_>) {
        self.next_id += 1;
        let id = self.next_id;
        self.pending.insert(id, ctx.now());
        ctx.count("requests", 1);
        if let Some(o) = self.caller.start(ctx, id, 0) {
            self.finish(ctx, id, o);
        }
    }

    fn finish(&mut self, ctx: &mut C<'_>, id: u64, o: Outcome) {
        let Some(sent) = self.pending.remove(&id) else { return };
        let took = ctx.now().since(sent);
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
        if self.gen.concurrency() > 0 {
            let think = self.gen.think(ctx.rng());
            ctx.set_timer(MeshTimer::Think(id), think);
        }
    }

    fn schedule_next(&mut self, ctx: &mut C<'_>) {
        let now = ctx.now();
        if let Some(gap) = self.gen.next_gap(now, ctx.rng()) {
            ctx.set_timer(MeshTimer::Next, gap);
        }
    }
}

impl Service {
    fn on_call(&mut self, ctx: &mut C<'_>, from: NodeId, call_id: u64, endpoint: u32) {
        let Some((_, pool, _)) = self.endpoints.get(endpoint as usize) else {
            ctx.note(format!("no endpoint {endpoint}"));
            ctx.send(from, MeshMsg::Reply { id: call_id, ok: false, degraded: false });
            return;
        };
        let pool = *pool as usize;
        self.next_job += 1;
        let job = self.next_job;
        let j = Job { from, call_id, endpoint, next_call: 0, degraded: false, arrived: ctx.now() };
        match self.pools[pool].arrive(job, ctx.rng()) {
            Admit::Start(_) => {
                self.jobs.insert(job, j);
                self.begin(ctx, job);
            }
            Admit::Queued => {
                self.jobs.insert(job, j);
            }
            Admit::Rejected(_) => {
                ctx.count_here("rejected", 1);
                ctx.send(from, MeshMsg::Reply { id: call_id, ok: false, degraded: false });
            }
        }
        self.show_pools(ctx);
    }

    fn begin(&mut self, ctx: &mut C<'_>, job: u64) {
        let Some(j) = self.jobs.get(&job) else { return };
        let work = self.endpoints[j.endpoint as usize].0.work.sample(ctx.rng());
        ctx.set_timer(MeshTimer::Work(job), crate::time::SimDuration(work));
    }

    fn on_work_done(&mut self, ctx: &mut C<'_>, job: u64) {
        let Some(j) = self.jobs.get(&job) else { return };
        let fail_ppm = self.endpoints[j.endpoint as usize].0.fail_ppm;
        if ctx.rng().chance_ppm(fail_ppm) {
            self.finish(ctx, job, false);
        } else {
            self.proceed(ctx, job);
        }
    }

    /// Make the job's next call, or answer when there is none left.
    fn proceed(&mut self, ctx: &mut C<'_>, job: u64) {
        loop {
            let Some(j) = self.jobs.get_mut(&job) else { return };
            let (spec, pool, first_site) = &self.endpoints[j.endpoint as usize];
            let Some(call) = spec.calls.get(j.next_call as usize) else {
                self.finish(ctx, job, true);
                return;
            };
            let site = first_site + j.next_call;
            j.next_call += 1;
            let p = &self.pools[*pool as usize];
            if call.optional
                && spec.shed_above_pct > 0
                && p.busy() * 100 >= spec.shed_above_pct * p.spec.workers
            {
                ctx.count_here("shed", 1);
                j.degraded = true;
                continue;
            }
            match self.caller.start(ctx, job, site) {
                None => return,
                Some(o) => {
                    if !self.apply_outcome(ctx, job, o) {
                        return;
                    }
                }
            }
        }
    }

    /// Fold a finished call into its job; `false` if the job is over (failed).
    fn apply_outcome(&mut self, ctx: &mut C<'_>, job: u64, o: Outcome) -> bool {
        let Some(j) = self.jobs.get_mut(&job) else { return false };
        match o {
            Outcome::Ok { degraded } => j.degraded |= degraded,
            Outcome::Fallback => j.degraded = true,
            Outcome::Failed => {
                self.finish(ctx, job, false);
                return false;
            }
        }
        true
    }

    fn resume(&mut self, ctx: &mut C<'_>, done: Option<(u64, Outcome)>) {
        if let Some((job, o)) = done {
            if self.apply_outcome(ctx, job, o) {
                self.proceed(ctx, job);
            }
        }
    }

    fn finish(&mut self, ctx: &mut C<'_>, job: u64, ok: bool) {
        let Some(j) = self.jobs.remove(&job) else { return };
        ctx.send(j.from, MeshMsg::Reply { id: j.call_id, ok, degraded: ok && j.degraded });
        ctx.count_here(if ok { "served_ok" } else { "served_failed" }, 1);
        ctx.observe_here("service_ms", ctx.now().since(j.arrived));
        let pool = self.endpoints[j.endpoint as usize].1 as usize;
        if let Some((next, _)) = self.pools[pool].complete(ctx.rng()) {
            self.begin(ctx, next);
        }
        self.show_pools(ctx);
    }

    fn show_pools(&self, ctx: &mut C<'_>) {
        ctx.gauge_here("pool_busy", self.pools.iter().map(|p| p.busy() as i64).sum());
        ctx.gauge_here("pool_queued", self.pools.iter().map(|p| p.queued() as i64).sum());
    }
}

impl Node for MeshNode {
    type Msg = MeshMsg;
    type Timer = MeshTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        if let MeshNode::Client(c) = self {
            c.schedule_next(ctx);
            for _ in 0..c.gen.concurrency() {
                c.send_request(ctx);
            }
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: MeshMsg) {
        match (self, msg) {
            (MeshNode::Service(s), MeshMsg::Call { id, endpoint }) => s.on_call(ctx, from, id, endpoint),
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
                c.send_request(ctx);
                c.schedule_next(ctx);
            }
            (MeshNode::Client(c), MeshTimer::Think(_)) => c.send_request(ctx),
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
            (_, t) => ctx.note(format!("ignored timer {t:?}")),
        }
    }

    fn on_client(&mut self, ctx: &mut C<'_>, req: &ClientRequest) {
        match self {
            MeshNode::Client(c) => {
                ctx.note(format!("user sent a request ({})", req.op));
                c.send_request(ctx);
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
            MeshNode::Service(s) => {
                s.pools.iter_mut().for_each(|p| p.reset());
                s.jobs.clear();
                s.caller.reset();
            }
        }
    }

    fn view(&self) -> NodeView {
        match self {
            MeshNode::Client(c) => NodeView::new("client", format!("{} pending", c.pending.len()))
                .field("sent", c.next_id)
                .field("pending", c.pending.len()),
            MeshNode::Service(s) => {
                let busy: u32 = s.pools.iter().map(|p| p.busy()).sum();
                let workers: u32 = s.pools.iter().map(|p| p.spec.workers).sum();
                let queued: u32 = s.pools.iter().map(|p| p.queued()).sum();
                let v = NodeView::new("service", format!("{busy}/{workers} busy, {queued} queued"))
                    .field("busy", busy)
                    .field("queued", queued)
                    .field("calls in flight", s.caller.in_flight());
                match s.caller.breaker_label() {
                    Some(b) if b != "closed" => v.field("breaker", b).badge(&format!("breaker {b}")),
                    Some(b) => v.field("breaker", b),
                    None => v,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocks::ServerSpec;
    use crate::dist::Dist;
    use crate::node::Bench;
    use crate::node::Effect;

    fn endpoint(name: &str, pool: &str) -> EndpointSpec {
        EndpointSpec {
            name: name.into(),
            pool: Some(pool.into()),
            work: Dist::constant_ms(5),
            fail_ppm: 0,
            calls: vec![],
            shed_above_pct: 0,
        }
    }

    /// Deliver one call and return the replies it produced at once: `(attempt id, ok)`.
    fn call(s: &mut Service, id: u64, endpoint: u32) -> Vec<(u64, bool)> {
        let ((), out) =
            Bench::new(0).run((NodeId(0), SimTime::ZERO, 2), |ctx| s.on_call(ctx, NodeId(1), id, endpoint));
        out.iter()
            .filter_map(|e| match e {
                Effect::Send { msg: MeshMsg::Reply { id, ok, .. }, .. } => Some((*id, *ok)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn bulkheads_admit_per_pool() {
        let pool = |_name: &str| {
            Server::new(ServerSpec { workers: 2, queue_cap: 1, service: Dist::Constant { us: 0 } })
        };
        let MeshNode::Service(mut s) = MeshNode::service(
            vec![pool("a"), pool("b")],
            vec![(endpoint("slow", "a"), 0, 0), (endpoint("fast", "b"), 1, 0)],
            Caller::new(vec![]),
        ) else {
            unreachable!()
        };
        // Pool a: 2 workers + 1 queue slot; the 4th request to `slow` is rejected at once.
        for id in 1..=3 {
            assert_eq!(call(&mut s, id, 0), vec![], "request {id} admitted");
        }
        assert_eq!(call(&mut s, 4, 0), vec![(4, false)], "pool a is full");
        // Pool b is a separate compartment: `fast` still gets a worker.
        assert_eq!(call(&mut s, 5, 1), vec![]);
        assert_eq!((s.pools[0].load(), s.pools[1].load()), (3, 1));
    }
}
