//! A D5 client: writes to the server it prefers, switches on `NotPrimary` or a timeout. Open loop
//! or closed loop; in a closed loop every write is the workload's, so each holds a slot.

use super::node::{name, SbMsg, SbTimer, C};
use crate::blocks::Generator;
use crate::ids::NodeId;
use crate::node::Kind;
use crate::time::SimTime;
use crate::view::NodeView;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct Client {
    gen: Generator,
    target: u32,
    next_id: u64,
    pending: BTreeMap<u64, (SimTime, u32)>,
}

impl Client {
    pub fn new(gen: Generator, target: u32) -> Self {
        Client { gen, target, next_id: 0, pending: BTreeMap::new() }
    }

    /// At start and on restart: the next open-loop arrival, or the closed loop's writes (a crash
    /// forgot the ones it had going, and dropped their timers).
    pub fn init(&mut self, ctx: &mut C<'_>) {
        self.schedule_next(ctx);
        for _ in 0..self.gen.concurrency() {
            self.send(ctx);
        }
    }

    fn schedule_next(&mut self, ctx: &mut C<'_>) {
        if let Some(gap) = self.gen.next_gap(ctx.now(), ctx.load_pct(), ctx.rng()) {
            ctx.set_timer(SbTimer::Next, gap);
        }
    }

    pub fn crash(&mut self) {
        self.pending.clear();
    }

    pub fn view(&self) -> NodeView {
        NodeView::new("client", format!("{} pending", self.pending.len()))
            .field("sent", self.next_id)
            .field("pending", self.pending.len())
            .field("target", name(self.target))
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: SbTimer) {
        match timer {
            SbTimer::Next => {
                if self.gen.rate_pct(ctx.now()) > 0 {
                    self.send(ctx);
                }
                self.schedule_next(ctx);
            }
            SbTimer::Timeout(id) => {
                if self.pending.remove(&id).is_some() {
                    ctx.count("timeouts", 1);
                    ctx.count("errors", 1);
                    self.target = 1 - self.target;
                    self.after_write(ctx, id);
                }
            }
            SbTimer::Think(_) => self.send(ctx),
            t => ctx.ignored_timer(&t),
        }
    }

    /// Closed loop: write `id` is done (acknowledged, rejected or timed out): think, then send the
    /// next one in its slot.
    fn after_write(&mut self, ctx: &mut C<'_>, id: u64) {
        if let Some(think) = self.gen.think_after(true, ctx.rng()) {
            ctx.set_timer(SbTimer::Think(id), think);
        }
    }

    fn send(&mut self, ctx: &mut C<'_>) {
        self.next_id += 1;
        let id = self.next_id;
        self.pending.insert(id, (ctx.now(), 0));
        ctx.count("writes", 1);
        ctx.send(NodeId(self.target), SbMsg::Write { id });
        if let Some(t) = self.gen.timeout {
            ctx.set_timer(SbTimer::Timeout(id), t);
        }
    }

    pub fn on_reply(&mut self, ctx: &mut C<'_>, msg: SbMsg) {
        match msg {
            SbMsg::Ack { id } => {
                if let Some((sent, _)) = self.pending.remove(&id) {
                    ctx.count("acked_writes", 1);
                    ctx.observe("latency_ms", ctx.now().since(sent));
                    ctx.cancel_timer(SbTimer::Timeout(id));
                    self.after_write(ctx, id);
                }
            }
            SbMsg::Rejected { id } => {
                if self.pending.remove(&id).is_some() {
                    ctx.count("rejected_writes", 1);
                    ctx.cancel_timer(SbTimer::Timeout(id));
                    self.after_write(ctx, id);
                }
            }
            SbMsg::NotPrimary { id } => {
                self.target = 1 - self.target;
                if let Some(p) = self.pending.get_mut(&id) {
                    p.1 += 1;
                    if p.1 <= 2 {
                        ctx.send(NodeId(self.target), SbMsg::Write { id });
                    }
                }
            }
            m => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }
}
