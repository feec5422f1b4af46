//! A client: places orders (open-loop arrivals from the workload) and reads stock levels.

use super::node::{TxMsg, TxTimer, C};
use crate::blocks::Generator;
use crate::ids::NodeId;
use crate::node::{ClientRequest, Kind};
use crate::time::SimTime;
use crate::view::NodeView;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct Client {
    gen: Generator,
    hub: NodeId,
    inventory: NodeId,
    customers: u32,
    next_req: u64,
    /// Requests awaiting an answer: when sent, and whether it is an order (else a read).
    pending: BTreeMap<u64, (SimTime, bool)>,
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

    pub fn init(&mut self, ctx: &mut C<'_>) {
        if let Some(gap) = self.gen.next_gap(ctx.now(), ctx.load_pct(), ctx.rng()) {
            ctx.set_timer(TxTimer::Next, gap);
        }
    }

    pub fn crash(&mut self) {
        self.pending.clear();
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: TxTimer) {
        match timer {
            TxTimer::Next => {
                if self.gen.rate_pct(ctx.now()) > 0 {
                    let item = self.gen.key(ctx.rng());
                    if self.gen.is_read(ctx.rng()) {
                        self.read(ctx, item);
                    } else {
                        self.order(ctx, item);
                    }
                }
                self.init(ctx);
            }
            TxTimer::Timeout(req) => {
                if let Some((_, is_order)) = self.pending.remove(&req) {
                    ctx.count("timeouts", 1);
                    ctx.count("errors", 1);
                    let what = if is_order { "order" } else { "stock read" };
                    ctx.note(format!("request {req} ({what}) timed out: no answer"));
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
            "order" => self.order(ctx, item),
            "read" => self.read(ctx, item),
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

    fn start(&mut self, ctx: &mut C<'_>, is_order: bool) -> u64 {
        self.next_req += 1;
        let req = self.next_req;
        self.pending.insert(req, (ctx.now(), is_order));
        ctx.count("requests", 1);
        if let Some(t) = self.gen.timeout {
            ctx.set_timer(TxTimer::Timeout(req), t);
        }
        req
    }

    fn order(&mut self, ctx: &mut C<'_>, item: u64) {
        let customer = ctx.rng().below(self.customers.max(1) as u64);
        let req = self.start(ctx, true);
        ctx.send(self.hub, TxMsg::Submit { req, customer, item });
    }

    fn read(&mut self, ctx: &mut C<'_>, item: u64) {
        let req = self.start(ctx, false);
        ctx.count("reads", 1);
        ctx.send(self.inventory, TxMsg::Read { req, item });
    }

    fn finish(&mut self, ctx: &mut C<'_>, req: u64, ok: bool) -> Option<SimTime> {
        let (sent, _) = self.pending.remove(&req)?;
        ctx.cancel_timer(TxTimer::Timeout(req));
        ctx.count(if ok { "responses" } else { "errors" }, 1);
        Some(sent)
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
