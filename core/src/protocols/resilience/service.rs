//! A service of the graph: pools of workers (bulkheads), endpoints that do local work and then
//! call their dependencies through a [`Caller`] (timeouts, retries, breaker), shedding and
//! degraded answers.

use super::call::{Caller, Outcome};
use super::config::EndpointSpec;
use super::node::{MeshMsg, MeshTimer, C};
use crate::blocks::{Admit, Server};
use crate::ids::NodeId;
use crate::sim::metrics::static_name;
use crate::spans::{SpanKind, SpanStatus, TraceParent};
use crate::time::SimTime;
use crate::view::{NodeView, Work};
use std::collections::BTreeMap;
use std::rc::Rc;

/// A request being served.
#[derive(Clone, Debug)]
struct Job {
    from: NodeId,
    call_id: u64,
    endpoint: u32,
    next_call: u32,
    degraded: bool,
    arrived: SimTime,
    /// This job's span (its calls' spans are children of it).
    span: TraceParent,
}

/// A service: pools of workers; endpoints that work locally and then call their dependencies.
#[derive(Clone, Debug)]
pub struct Service {
    pools: Vec<Server<u64>>,
    endpoints: Vec<(EndpointSpec, u32, u32)>,
    /// Each endpoint's name, for its spans.
    names: Vec<Rc<str>>,
    pub(super) caller: Caller,
    jobs: BTreeMap<u64, Job>,
    next_job: u64,
    /// With bulkheads (more than one pool): each pool's name and its gauges' names.
    bulkheads: Vec<Bulkhead>,
}

/// The gauges of one pool of a service that has several: `pool_busy_<pool>`, `pool_queued_<pool>`.
#[derive(Clone, Debug)]
struct Bulkhead {
    name: String,
    busy: Option<&'static str>,
    queued: Option<&'static str>,
}

impl Service {
    /// `endpoints`: spec, pool index, index of its first call site in `caller`.
    pub(super) fn new(
        pools: Vec<Server<u64>>,
        endpoints: Vec<(EndpointSpec, u32, u32)>,
        caller: Caller,
    ) -> Self {
        let names = endpoints.iter().map(|(e, _, _)| Rc::from(e.name.as_str())).collect();
        Service { pools, endpoints, names, caller, jobs: BTreeMap::new(), next_job: 0, bulkheads: Vec::new() }
    }

    /// Name the pools (in order). With more than one (bulkheads), each pool gets its own gauges,
    /// so a student sees which compartment fills; one pool is already `pool_busy`.
    pub(super) fn name_pools(&mut self, names: &[String]) {
        if names.len() < 2 {
            return;
        }
        let gauge = |what: &str, pool: &str| static_name(format!("pool_{what}_{pool}"));
        self.bulkheads = names
            .iter()
            .map(|n| Bulkhead { name: n.clone(), busy: gauge("busy", n), queued: gauge("queued", n) })
            .collect();
    }

    /// A crash loses every job, queued or running, and every call in flight.
    pub(super) fn crash(&mut self) {
        self.pools.iter_mut().for_each(|p| p.reset());
        self.jobs.clear();
        self.caller.reset();
    }

    pub(super) fn view(&self) -> NodeView {
        let busy: u32 = self.pools.iter().map(|p| p.busy()).sum();
        let workers: u32 = self.pools.iter().map(|p| p.spec.workers).sum();
        let queued: u32 = self.pools.iter().map(|p| p.queued()).sum();
        let queue_cap = Some(self.pools.iter().map(|p| p.spec.queue_cap).sum());
        let v = NodeView::new("service", format!("{busy}/{workers} busy, {queued} queued"))
            .work(Work { busy, workers, queued, queue_cap })
            .field("busy", busy)
            .field("queued", queued)
            .field("calls in flight", self.caller.in_flight());
        let v = self.bulkheads.iter().zip(&self.pools).fold(v, |v, (b, p)| {
            let line = format!("{}/{} busy, {} queued", p.busy(), p.spec.workers, p.queued());
            v.field(&format!("pool {}", b.name), line)
        });
        match self.caller.breaker_label() {
            Some(b) if b != "closed" => v.field("breaker", b).alert(&format!("breaker {b}")),
            Some(b) => v.field("breaker", b),
            None => v,
        }
    }

    pub(super) fn on_call(
        &mut self,
        ctx: &mut C<'_>,
        from: NodeId,
        call_id: u64,
        endpoint: u32,
        parent: TraceParent,
    ) {
        let (now, name) = (ctx.now(), self.names.get(endpoint as usize).cloned());
        let span = self
            .caller
            .spans
            .open(ctx.id(), now, Some(parent), SpanKind::Serve, || name.unwrap_or("?".into()));
        let Some((_, pool, _)) = self.endpoints.get(endpoint as usize) else {
            ctx.note(format!("no endpoint {endpoint}"));
            self.caller.spans.close(span.span, now, SpanStatus::Error);
            ctx.send(from, MeshMsg::Reply { id: call_id, ok: false, degraded: false });
            return;
        };
        let pool = *pool as usize;
        self.next_job += 1;
        let job = self.next_job;
        let j = Job { from, call_id, endpoint, next_call: 0, degraded: false, arrived: now, span };
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
                self.caller.spans.close(span.span, now, SpanStatus::Refused);
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

    pub(super) fn on_work_done(&mut self, ctx: &mut C<'_>, job: u64) {
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
            let span = j.span;
            match self.caller.start(ctx, job, site, span) {
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

    pub(super) fn resume(&mut self, ctx: &mut C<'_>, done: Option<(u64, Outcome)>) {
        if let Some((job, o)) = done {
            if self.apply_outcome(ctx, job, o) {
                self.proceed(ctx, job);
            }
        }
    }

    fn finish(&mut self, ctx: &mut C<'_>, job: u64, ok: bool) {
        let Some(j) = self.jobs.remove(&job) else { return };
        let status = match (ok, j.degraded) {
            (true, false) => SpanStatus::Ok,
            (true, true) => SpanStatus::Degraded,
            (false, _) => SpanStatus::Error,
        };
        self.caller.spans.close(j.span.span, ctx.now(), status);
        ctx.send(j.from, MeshMsg::Reply { id: j.call_id, ok, degraded: ok && j.degraded });
        ctx.count_here(if ok { "served_ok" } else { "served_failed" }, 1);
        ctx.observe_here("service_ms", ctx.now().since(j.arrived));
        let pool = self.endpoints[j.endpoint as usize].1 as usize;
        if let Some((next, _)) = self.pools[pool].complete(ctx.rng()) {
            self.begin(ctx, next);
        }
        self.show_pools(ctx);
    }

    pub(super) fn show_pools(&self, ctx: &mut C<'_>) {
        ctx.gauge_here("pool_busy", self.pools.iter().map(|p| p.busy() as i64).sum());
        ctx.gauge_here("pool_queued", self.pools.iter().map(|p| p.queued() as i64).sum());
        for (b, p) in self.bulkheads.iter().zip(&self.pools) {
            if let (Some(busy), Some(queued)) = (b.busy, b.queued) {
                ctx.gauge_here(busy, i64::from(p.busy()));
                ctx.gauge_here(queued, i64::from(p.queued()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::node::MeshNode;
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
        let ((), out) = Bench::new(0).run((NodeId(0), SimTime::ZERO, 2), |ctx| {
            s.on_call(ctx, NodeId(1), id, endpoint, TraceParent::default())
        });
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
