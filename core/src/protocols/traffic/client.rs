//! Clients: open-loop (or closed-loop) load, one abusive extra stream, carts they keep count of.

use super::node::{TrafficMsg, TrafficTimer, C};
use super::Abuser;
use crate::blocks::Generator;
use crate::dist::Dist;
use crate::ids::NodeId;
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct Client {
    gen: Generator,
    lb: NodeId,
    abuser: Option<Abuser>,
    /// Some client of the run abuses: the others' latency is also measured apart.
    split: bool,
    next_id: u64,
    /// Open requests: when sent, how many adds had been acknowledged by then, and whether the
    /// workload generated it (only those hold a closed-loop slot; a request sent by hand or by the
    /// abusive stream does not).
    pending: BTreeMap<u64, (SimTime, u32, bool)>,
    /// Adds to the cart acknowledged so far.
    acked: u32,
    /// Items found missing so far (already counted).
    lost: u32,
}

impl Client {
    pub fn new(gen: Generator, lb: NodeId, abuser: Option<Abuser>, split: bool) -> Self {
        Client { gen, lb, abuser, split, next_id: 0, pending: BTreeMap::new(), acked: 0, lost: 0 }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        self.schedule_next(ctx);
        if let Some(a) = &self.abuser {
            let wait = a.at_ms.saturating_sub(ctx.now().as_us() / 1000);
            ctx.set_timer(TrafficTimer::Abuse, SimDuration::from_ms(wait));
        }
        for _ in 0..self.gen.concurrency() {
            let write = self.random_write(ctx);
            self.send_request(ctx, write, true);
        }
    }

    pub fn send_request(&mut self, ctx: &mut C<'_>, write: bool, generated: bool) {
        self.next_id += 1;
        let id = self.next_id;
        self.pending.insert(id, (ctx.now(), self.acked, generated));
        ctx.count("requests", 1);
        let key = self.gen.key(ctx.rng());
        ctx.send(self.lb, TrafficMsg::Request { id, key, write });
        if let Some(t) = self.gen.timeout {
            ctx.set_timer(TrafficTimer::Timeout(id), t);
        }
    }

    fn schedule_next(&mut self, ctx: &mut C<'_>) {
        let now = ctx.now();
        if let Some(gap) = self.gen.next_gap(now, ctx.load_pct(), ctx.rng()) {
            ctx.set_timer(TrafficTimer::Next, gap);
        }
    }

    fn polite(&self) -> bool {
        self.abuser.is_none()
    }

    pub fn on_message(&mut self, ctx: &mut C<'_>, msg: TrafficMsg) {
        let TrafficMsg::Response { id, status, cart } = msg else {
            return ctx.note("ignored: clients only take responses");
        };
        let Some((sent, acked_before, generated)) = self.pending.remove(&id) else {
            ctx.count("late_responses", 1);
            return;
        };
        ctx.cancel_timer(TrafficTimer::Timeout(id));
        match status {
            200 => {
                let latency = ctx.now().since(sent);
                ctx.count("responses", 1);
                ctx.observe("latency_ms", latency);
                // Without an abuser it would only repeat `latency_ms` (as a chart of its own).
                if self.polite() && self.split {
                    ctx.observe("polite_latency_ms", latency);
                }
                self.check_cart(ctx, cart, acked_before);
            }
            429 => {
                ctx.count("rejected_429", 1);
                ctx.count("errors", 1);
                if self.polite() {
                    ctx.count("polite_rejected_429", 1);
                }
            }
            _ => ctx.count("errors", 1),
        }
        self.after(ctx, id, generated);
    }

    /// Every add acknowledged before this request was sent was applied before it, so the cart
    /// must hold at least that many plus this one; fewer means items were lost (with a dead task).
    /// Responses may arrive out of order, hence the count at send time rather than the latest cart.
    fn check_cart(&mut self, ctx: &mut C<'_>, cart: u32, acked_before: u32) {
        if cart == 0 {
            return;
        }
        self.acked += 1;
        let missing = acked_before.saturating_sub(cart - 1);
        if missing > self.lost {
            if self.lost == 0 {
                ctx.count("carts_lost", 1);
            }
            ctx.count("items_lost", (missing - self.lost) as u64);
            let items = if cart == 1 { "item" } else { "items" };
            ctx.note(format!("cart has {cart} {items}, expected at least {}", acked_before + 1));
            self.lost = missing;
        }
    }

    /// Closed loop: request `id` is done; if the workload generated it, think, then send the next
    /// one in its slot.
    fn after(&mut self, ctx: &mut C<'_>, id: u64, generated: bool) {
        if let Some(think) = self.gen.think_after(generated, ctx.rng()) {
            ctx.set_timer(TrafficTimer::Think(id), think);
        }
    }

    fn random_write(&self, ctx: &mut C<'_>) -> bool {
        !self.gen.is_read(ctx.rng())
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: TrafficTimer) {
        match timer {
            TrafficTimer::Next => {
                let write = self.random_write(ctx);
                self.send_request(ctx, write, true);
                self.schedule_next(ctx);
            }
            TrafficTimer::Think(_) => {
                let write = self.random_write(ctx);
                self.send_request(ctx, write, true);
            }
            TrafficTimer::Abuse => self.abuse(ctx),
            TrafficTimer::Timeout(id) => {
                if let Some((_, _, generated)) = self.pending.remove(&id) {
                    ctx.count("timeouts", 1);
                    ctx.count("errors", 1);
                    self.after(ctx, id, generated);
                }
            }
            t => ctx.ignored_timer(&t),
        }
    }

    /// The abusive stream: Poisson at `rate_per_s` inside the window.
    fn abuse(&mut self, ctx: &mut C<'_>) {
        let Some(a) = self.abuser.clone() else { return };
        let now_ms = ctx.now().as_us() / 1000;
        if now_ms >= a.at_ms + a.duration_ms {
            return;
        }
        let write = self.random_write(ctx);
        self.send_request(ctx, write, false);
        ctx.count("abusive_requests", 1);
        let gap = Dist::Exponential { mean_us: 1_000_000 / a.rate_per_s as u64 }.sample(ctx.rng());
        ctx.set_timer(TrafficTimer::Abuse, SimDuration(gap.max(1)));
    }

    pub fn on_crash(&mut self) {
        self.pending.clear();
    }

    pub fn view(&self) -> NodeView {
        let role = if self.polite() { "client" } else { "abusive client" };
        NodeView::new(role, format!("{} pending", self.pending.len()))
            .field("sent", self.next_id)
            .field("pending", self.pending.len())
            .field("cart items acknowledged", self.acked)
            .field("items lost", self.lost)
    }
}
