//! A D9 client: sends random keys to the router, open loop (Poisson arrivals) or closed loop
//! (`concurrency` requests kept going, a think time between one's end and the next).

use super::node::{ShardMsg, ShardTimer, C};
use crate::blocks::Generator;
use crate::ids::NodeId;
use crate::time::SimTime;
use crate::view::NodeView;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct Client {
    gen: Generator,
    router: NodeId,
    next_id: u64,
    /// Requests awaiting a response, and when each was sent.
    pending: BTreeMap<u64, SimTime>,
}

impl Client {
    pub fn new(gen: Generator, router: NodeId) -> Self {
        Client { gen, router, next_id: 0, pending: BTreeMap::new() }
    }

    /// At the start and after a restart (a crash lost the pending requests and the sim dropped
    /// the timers, so the closed loop starts afresh at `concurrency`).
    pub fn init(&mut self, ctx: &mut C<'_>) {
        self.schedule_next(ctx);
        for _ in 0..self.gen.concurrency() {
            self.send_request(ctx);
        }
    }

    pub fn crash(&mut self) {
        self.pending.clear();
    }

    fn send_request(&mut self, ctx: &mut C<'_>) {
        self.next_id += 1;
        let id = self.next_id;
        let key = self.gen.key(ctx.rng());
        self.pending.insert(id, ctx.now());
        ctx.count("requests", 1);
        ctx.send(self.router, ShardMsg::Request { id, key });
        if let Some(t) = self.gen.timeout {
            ctx.set_timer(ShardTimer::Timeout(id), t);
        }
    }

    /// Open loop: the next arrival (none in a closed loop).
    fn schedule_next(&mut self, ctx: &mut C<'_>) {
        let now = ctx.now();
        if let Some(gap) = self.gen.next_gap(now, ctx.load_pct(), ctx.rng()) {
            ctx.set_timer(ShardTimer::Next, gap);
        }
    }

    /// Closed loop: request `id` is over (answered, rejected or timed out); think, then send the
    /// next in its place.
    fn think(&mut self, ctx: &mut C<'_>, id: u64) {
        if let Some(think) = self.gen.think_after(true, ctx.rng()) {
            ctx.set_timer(ShardTimer::Think(id), think);
        }
    }

    pub fn on_response(&mut self, ctx: &mut C<'_>, id: u64, ok: bool) {
        let Some(sent) = self.pending.remove(&id) else {
            ctx.ignored("late_replies", "ignored Response: the request already timed out");
            return;
        };
        ctx.cancel_timer(ShardTimer::Timeout(id));
        if ok {
            ctx.observe("latency_ms", ctx.now().since(sent));
        } else {
            ctx.count("errors", 1);
        }
        self.think(ctx, id);
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: ShardTimer) {
        match timer {
            ShardTimer::Next => {
                self.send_request(ctx);
                self.schedule_next(ctx);
            }
            ShardTimer::Think(_) => self.send_request(ctx),
            ShardTimer::Timeout(id) => {
                if self.pending.remove(&id).is_some() {
                    ctx.count("timeouts", 1);
                    ctx.count("errors", 1);
                    self.think(ctx, id);
                }
            }
            t => ctx.ignored_timer(&t),
        }
    }

    pub fn view(&self) -> NodeView {
        NodeView::new("client", format!("{} pending", self.pending.len())).field("sent", self.next_id)
    }
}
