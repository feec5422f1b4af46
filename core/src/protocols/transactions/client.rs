//! A client: places orders and reads stock levels, open loop (Poisson arrivals from the
//! workload) or closed loop (`concurrency` requests kept going, a think time between one's end and
//! the next), and by hand.

use super::node::{TxMsg, TxTimer, C};
use crate::blocks::Generator;
use crate::ids::NodeId;
use crate::node::{ClientRequest, Kind};
use crate::time::SimTime;
use crate::view::NodeView;
use std::collections::BTreeMap;

/// A request awaiting its answer.
#[derive(Clone, Copy, Debug)]
struct Pending {
    sent: SimTime,
    /// An order (else a stock read).
    is_order: bool,
    /// One of the closed loop's: its end starts the next (one by hand or open-loop does not).
    in_loop: bool,
}

#[derive(Clone, Debug)]
pub struct Client {
    gen: Generator,
    hub: NodeId,
    inventory: NodeId,
    customers: u32,
    next_req: u64,
    pending: BTreeMap<u64, Pending>,
    confirmed: u64,
    cancelled: u64,
}

impl Client {
    pub fn new(gen: Generator, hub: NodeId, inventory: NodeId, customers: u32) -> Self {
        Client {
            gen,
            hub,
            inventory,
            customers,
            next_req: 0,
            pending: BTreeMap::new(),
            confirmed: 0,
            cancelled: 0,
        }
    }

    /// At the start and after a restart (a crash lost the pending requests and the sim dropped
    /// the timers, so the closed loop starts afresh at `concurrency`).
    pub fn init(&mut self, ctx: &mut C<'_>) {
        self.schedule_next(ctx);
        for _ in 0..self.gen.concurrency() {
            self.start_generated(ctx, true);
        }
    }

    /// Open loop: the next arrival (none in a closed loop).
    fn schedule_next(&mut self, ctx: &mut C<'_>) {
        if let Some(gap) = self.gen.next_gap(ctx.now(), ctx.load_pct(), ctx.rng()) {
            ctx.set_timer(TxTimer::Next, gap);
        }
    }

    /// An order or a stock read of a random item, as the workload mixes them.
    fn start_generated(&mut self, ctx: &mut C<'_>, in_loop: bool) {
        let item = self.gen.key(ctx.rng());
        if self.gen.is_read(ctx.rng()) {
            self.read(ctx, item, in_loop);
        } else {
            self.order(ctx, item, in_loop);
        }
    }

    /// Closed loop: `req` is over (answered or timed out); think, then start the next in its place.
    fn think(&mut self, ctx: &mut C<'_>, req: u64, p: Pending) {
        if let Some(think) = self.gen.think_after(p.in_loop, ctx.rng()) {
            ctx.set_timer(TxTimer::Think(req), think);
        }
    }

    pub fn crash(&mut self) {
        self.pending.clear();
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: TxTimer) {
        match timer {
            TxTimer::Next => {
                if self.gen.rate_pct(ctx.now()) > 0 {
                    self.start_generated(ctx, false);
                }
                self.schedule_next(ctx);
            }
            TxTimer::Think(_) => self.start_generated(ctx, true),
            TxTimer::Timeout(req) => {
                if let Some(p) = self.pending.remove(&req) {
                    ctx.count("timeouts", 1);
                    ctx.count("errors", 1);
                    let what = if p.is_order { "order" } else { "stock read" };
                    ctx.note(format!("request {req} ({what}) timed out: no answer"));
                    self.think(ctx, req, p);
                }
            }
            t => ctx.ignored_timer(&t),
        }
    }

    /// `order` or `read`, of the item named by the key ("2" or "item 2"; any other: a random one).
    pub fn on_request(&mut self, ctx: &mut C<'_>, req: &ClientRequest) {
        let item = match self.item_named(req) {
            Ok(Some(i)) => i,
            Ok(None) => self.gen.key(ctx.rng()),
            Err(why) => return ctx.note(format!("ignored request: {why}")),
        };
        match req.op.as_str() {
            "order" => self.order(ctx, item, false),
            "read" => self.read(ctx, item, false),
            other => ctx.note(format!("ignored request {other:?}: use order or read")),
        }
    }

    /// The item a request by hand names (`key`: "3" or "item 3"), `None` for a random one, or
    /// why it names none the shop sells.
    pub fn item_named(&self, req: &ClientRequest) -> Result<Option<u64>, String> {
        let key = req.key.as_deref().unwrap_or_default().trim();
        if key.is_empty() {
            return Ok(None);
        }
        let digits = key.trim_start_matches("item").trim();
        match digits.parse::<u64>() {
            Ok(i) if i < self.gen.keys.count() => Ok(Some(i)),
            _ => Err(format!(
                "{} of item {digits:?}: name one from 0 to {}, or none for a random one",
                req.op,
                self.gen.keys.count().saturating_sub(1)
            )),
        }
    }

    fn start(&mut self, ctx: &mut C<'_>, is_order: bool, in_loop: bool) -> u64 {
        self.next_req += 1;
        let req = self.next_req;
        self.pending.insert(req, Pending { sent: ctx.now(), is_order, in_loop });
        ctx.count("requests", 1);
        if let Some(t) = self.gen.timeout {
            ctx.set_timer(TxTimer::Timeout(req), t);
        }
        req
    }

    fn order(&mut self, ctx: &mut C<'_>, item: u64, in_loop: bool) {
        let customer = ctx.rng().below(self.customers.max(1) as u64);
        let req = self.start(ctx, true, in_loop);
        ctx.send(self.hub, TxMsg::Submit { req, customer, item });
    }

    fn read(&mut self, ctx: &mut C<'_>, item: u64, in_loop: bool) {
        let req = self.start(ctx, false, in_loop);
        ctx.count("reads", 1);
        ctx.send(self.inventory, TxMsg::Read { req, item });
    }

    fn finish(&mut self, ctx: &mut C<'_>, req: u64, ok: bool) -> Option<SimTime> {
        let p = self.pending.remove(&req)?;
        ctx.cancel_timer(TxTimer::Timeout(req));
        ctx.count(if ok { "responses" } else { "errors" }, 1);
        self.think(ctx, req, p);
        Some(p.sent)
    }

    pub fn on_message(&mut self, ctx: &mut C<'_>, msg: TxMsg) {
        match msg {
            TxMsg::Outcome { req, order, ok } => {
                let Some(sent) = self.finish(ctx, req, ok) else {
                    ctx.note(format!("late outcome of order {order}: request {req} had timed out"));
                    return;
                };
                ctx.observe("order_latency_ms", ctx.now().since(sent));
                if ok {
                    self.confirmed += 1;
                } else {
                    self.cancelled += 1;
                }
            }
            TxMsg::Stock { req, count, .. } => {
                if self.finish(ctx, req, count.is_some()).is_none() {
                    return;
                }
                if count.is_none() {
                    ctx.count("reads_refused", 1);
                }
            }
            m => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    pub fn view(&self) -> NodeView {
        NodeView::new("client", format!("{} pending", self.pending.len()))
            .field("requests", self.next_req)
            .field("orders confirmed", self.confirmed)
            .field("orders cancelled", self.cancelled)
    }
}
