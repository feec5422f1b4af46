//! A D5 client: writes to the server it prefers, switches on `NotPrimary` or on a timeout of a
//! write sent since its last switch (the older ones' timeouts say nothing new: it already left
//! that server). Open loop or closed loop; in a closed loop every write is the workload's, so
//! each holds a slot.

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
    /// Times it has switched server.
    switches: u64,
    /// Per write: when first sent, how often redirected, and `switches` when last sent.
    pending: BTreeMap<u64, (SimTime, u32, u64)>,
}

impl Client {
    pub fn new(gen: Generator, target: u32) -> Self {
        Client { gen, target, next_id: 0, switches: 0, pending: BTreeMap::new() }
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
                if let Some((_, _, sent_after)) = self.pending.remove(&id) {
                    ctx.count("timeouts", 1);
                    ctx.count("errors", 1);
                    if sent_after == self.switches {
                        self.switch();
                    }
                    self.after_write(ctx, id);
                }
            }
            SbTimer::Think(_) => self.send(ctx),
            t => ctx.ignored_timer(&t),
        }
    }

    fn switch(&mut self) {
        self.target = 1 - self.target;
        self.switches += 1;
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
        self.pending.insert(id, (ctx.now(), 0, self.switches));
        ctx.count("writes", 1);
        ctx.send(NodeId(self.target), SbMsg::Write { id });
        if let Some(t) = self.gen.timeout {
            ctx.set_timer(SbTimer::Timeout(id), t);
        }
    }

    pub fn on_reply(&mut self, ctx: &mut C<'_>, msg: SbMsg) {
        match msg {
            SbMsg::Ack { id } => {
                if let Some((sent, _, _)) = self.pending.remove(&id) {
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
            // Switch unless it already has since sending this write; send it again, twice at most.
            SbMsg::NotPrimary { id } => {
                let Some(&(_, tries, sent_after)) = self.pending.get(&id) else { return };
                if sent_after == self.switches {
                    self.switch();
                }
                if tries < 2 {
                    self.pending.insert(id, (self.pending[&id].0, tries + 1, self.switches));
                    ctx.send(NodeId(self.target), SbMsg::Write { id });
                }
            }
            m => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }
}
