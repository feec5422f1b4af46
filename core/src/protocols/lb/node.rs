//! The three roles of T1: client, balancer, backend.

use super::picker::{Algorithm, Picker};
use crate::blocks::{Admit, Generator, Server, ServerSpec};
use crate::ids::NodeId;
use crate::node::{Ctx, Kind, Node};
use crate::time::SimTime;
use crate::view::NodeView;
use std::collections::{BTreeMap, VecDeque};

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
    pending: BTreeMap<u64, SimTime>,
}

#[derive(Clone, Debug)]
pub struct Balancer {
    picker: Picker,
    first_backend: u32,
    active: Vec<u32>,
    /// Workers per backend (the central queue dispatches only to a free worker).
    capacity: Vec<u32>,
    /// Central queue: requests waiting for a free worker anywhere.
    waiting: VecDeque<(u64, NodeId)>,
    next_free: usize,
    /// Weighted picks noted so far (see `on_request`).
    noted: u32,
}

/// Weighted picks are noted for this many full cycles of the weights: enough to step through and
/// see the pattern repeat, not a note per request for the whole run (14,000 in t1-smooth-wrr).
const NOTED_CYCLES: u32 = 3;

#[derive(Clone, Debug)]
pub struct Backend {
    lb: NodeId,
    server: Server<(u64, NodeId)>,
    weight: u32,
    next_job: u64,
    running: BTreeMap<u64, (u64, NodeId)>,
}

/// A T1 participant.
#[derive(Clone, Debug)]
pub enum LbNode {
    Client(Client),
    Balancer(Balancer),
    Backend(Backend),
}

type C<'a> = Ctx<'a, LbMsg, LbTimer>;

impl LbNode {
    pub fn client(gen: Generator, lb: NodeId) -> Self {
        LbNode::Client(Client { gen, lb, next_id: 0, pending: BTreeMap::new() })
    }
    /// `capacity[i]` is backend i's worker count (used by the central queue).
    pub fn balancer(picker: Picker, first_backend: u32, capacity: Vec<u32>) -> Self {
        let n = picker.len();
        LbNode::Balancer(Balancer {
            picker,
            first_backend,
            active: vec![0; n],
            capacity,
            waiting: VecDeque::new(),
            next_free: 0,
            noted: 0,
        })
    }
    pub fn backend(spec: ServerSpec, weight: u32, lb: NodeId) -> Self {
        LbNode::Backend(Backend {
            lb,
            server: Server::new(spec),
            weight,
            next_job: 0,
            running: BTreeMap::new(),
        })
    }
}

impl Client {
    fn send_request(&mut self, ctx: &mut C<'_>) {
        self.next_id += 1;
        let id = self.next_id;
        self.pending.insert(id, ctx.now());
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
        let Some(sent) = self.pending.remove(&id) else {
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
        if self.gen.concurrency() > 0 {
            let think = self.gen.think(ctx.rng());
            ctx.set_timer(LbTimer::Think(id), think);
        }
    }
}

impl Node for LbNode {
    type Msg = LbMsg;
    type Timer = LbTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["errors", "timeouts"]);
        if let LbNode::Client(c) = self {
            ctx.declare_gauge("latency_mean_us");
            c.schedule_next(ctx);
            for _ in 0..c.gen.concurrency() {
                c.send_request(ctx);
            }
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: LbMsg) {
        match (self, msg) {
            (LbNode::Balancer(b), LbMsg::Request { id }) => b.on_request(ctx, id, from),
            (LbNode::Balancer(b), LbMsg::Reply { id, client, ok }) => {
                if let Some(a) =
                    from.0.checked_sub(b.first_backend).and_then(|i| b.active.get_mut(i as usize))
                {
                    *a = a.saturating_sub(1);
                }
                ctx.send(client, LbMsg::Response { id, ok });
                b.drain_queue(ctx);
            }
            (LbNode::Backend(s), LbMsg::Forward { id, client }) => {
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
                c.send_request(ctx);
                c.schedule_next(ctx);
            }
            (LbNode::Client(c), LbTimer::Think(_)) => c.send_request(ctx),
            (LbNode::Client(c), LbTimer::Timeout(id)) => {
                if c.pending.remove(&id).is_some() {
                    ctx.count("timeouts", 1);
                    ctx.count("errors", 1);
                    if c.gen.concurrency() > 0 {
                        let think = c.gen.think(ctx.rng());
                        ctx.set_timer(LbTimer::Think(id), think);
                    }
                }
            }
            (LbNode::Backend(s), LbTimer::Done(job)) => s.done(ctx, job),
            (_, t) => ctx.ignored_timer(&t),
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
                c.send_request(ctx);
            }
            _ => ctx.note("only clients take requests by hand"),
        }
    }

    fn on_crash(&mut self) {
        match self {
            LbNode::Client(c) => c.pending.clear(),
            LbNode::Balancer(b) => {
                b.active.iter_mut().for_each(|a| *a = 0);
                b.waiting.clear();
            }
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
            LbNode::Balancer(b) => {
                // The name the editor and the links use (`smooth_weighted_round_robin`), not Rust's.
                let algorithm = serde_json::to_value(b.picker.algorithm).ok();
                let name = algorithm.as_ref().and_then(|a| a.as_str()).unwrap_or_default();
                let mut v = NodeView::new("balancer", name.replace('_', " "));
                if b.picker.algorithm == Algorithm::CentralQueue {
                    v = v.field("queued", b.waiting.len());
                }
                for (i, a) in b.active.iter().enumerate() {
                    v = v.field(&format!("active b{}", i + 1), a);
                }
                v
            }
            LbNode::Backend(s) => NodeView::new(
                "backend",
                format!("{}/{} busy, {} queued", s.server.busy(), s.server.spec.workers, s.server.queued()),
            )
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

impl Balancer {
    fn forward(&mut self, ctx: &mut C<'_>, i: usize, id: u64, client: NodeId) {
        self.active[i] += 1;
        ctx.count_here("forwarded", 1);
        ctx.send(NodeId(self.first_backend + i as u32), LbMsg::Forward { id, client });
    }

    fn on_request(&mut self, ctx: &mut C<'_>, id: u64, client: NodeId) {
        if self.picker.algorithm != Algorithm::CentralQueue {
            let i = self.picker.pick(&self.active, ctx.rng());
            let cycle = self.picker.total_weight().min(20);
            if self.noted < NOTED_CYCLES * cycle {
                if let Some(why) = self.picker.why(i) {
                    self.noted += 1;
                    // Clients are the first nodes, c1…
                    ctx.note(format!("c{}'s request {id} → {why}", client.0 + 1));
                    if self.noted == NOTED_CYCLES * cycle {
                        ctx.note(format!("the picks repeat every {cycle} requests; the rest are not noted"));
                    }
                }
            }
            self.forward(ctx, i, id, client);
        } else if let Some(i) = self.free_backend() {
            self.forward(ctx, i, id, client);
        } else {
            self.waiting.push_back((id, client));
            ctx.gauge_here("lb_queue", self.waiting.len() as i64);
        }
    }

    /// A backend with an idle worker, searching round-robin from after the last one chosen.
    fn free_backend(&mut self) -> Option<usize> {
        let n = self.active.len();
        let i = (0..n).map(|k| (self.next_free + k) % n).find(|&i| self.active[i] < self.capacity[i])?;
        self.next_free = (i + 1) % n;
        Some(i)
    }

    /// Central queue: hand waiting requests to idle workers.
    fn drain_queue(&mut self, ctx: &mut C<'_>) {
        while !self.waiting.is_empty() {
            let Some(i) = self.free_backend() else { break };
            let Some((id, client)) = self.waiting.pop_front() else { break };
            self.forward(ctx, i, id, client);
            ctx.gauge_here("lb_queue", self.waiting.len() as i64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn central_queue_hands_work_only_to_idle_workers_in_rotation() {
        let picker = Picker::new(Algorithm::CentralQueue, &[1, 1, 1]);
        let LbNode::Balancer(mut b) = LbNode::balancer(picker, 4, vec![1, 2, 1]) else {
            panic!("a balancer")
        };
        let mut picks = Vec::new();
        while let Some(i) = b.free_backend() {
            b.active[i] += 1;
            picks.push(i);
        }
        assert_eq!(picks, [0, 1, 2, 1], "b2 has two workers; then everyone is busy");
        b.active[2] -= 1;
        assert_eq!(b.free_backend(), Some(2));
        b.active[2] += 1;
        b.active[0] -= 1;
        b.active[1] -= 1;
        assert_eq!(b.free_backend(), Some(0), "search starts after the last pick and wraps");
        assert_eq!(b.free_backend(), Some(1), "the rotation moves on to b2, which has an idle worker too");
    }
}
