//! A producer: publishes messages to the broker, open loop (Poisson arrivals) or closed loop
//! (`concurrency` publishes kept unconfirmed, a think time between one's `Accepted` and the next),
//! and by hand. In block mode it keeps at most `publish_window` publishes unconfirmed and
//! publishes again one the broker has not accepted in time.

use super::node::{EvMsg, EvTimer, Message, MsgId, C};
use crate::blocks::Generator;
use crate::ids::NodeId;
use crate::time::SimDuration;
use crate::view::NodeView;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// How long a producer in block mode waits for `Accepted` before publishing again: a lost
/// `Publish` or `Accepted` (or a broker crash, which loses the publishes it holds) would otherwise
/// take a place in its window for good. Longer than a publish waits at a full broker that is
/// working (e1-backpressure's wait well under 0.1 s), so it fires on faults, not on backpressure.
const CONFIRM_TIMEOUT: SimDuration = SimDuration::from_ms(1000);

#[derive(Clone, Debug)]
pub struct Producer {
    gen: Generator,
    broker: NodeId,
    poison_ppm: u32,
    next_seq: u64,
    /// Block mode: at most this many publishes unconfirmed (0 = no confirmations, send freely).
    window: u32,
    /// Sent and not yet accepted, by id (a duplicated `Accepted` frees one place, not two).
    unconfirmed: BTreeMap<MsgId, Message>,
    backlog: VecDeque<Message>,
    /// The closed loop's publishes not yet accepted: each one's `Accepted` starts the next (a
    /// publish by hand or an open-loop one does not).
    in_loop: BTreeSet<MsgId>,
}

impl Producer {
    pub fn new(gen: Generator, broker: NodeId, poison_ppm: u32, window: u32) -> Self {
        Producer {
            gen,
            broker,
            poison_ppm,
            next_seq: 0,
            window,
            unconfirmed: BTreeMap::new(),
            backlog: VecDeque::new(),
            in_loop: BTreeSet::new(),
        }
    }

    /// At the start and after a restart (a crash lost the backlog and the unconfirmed publishes,
    /// and the sim dropped the timers, so the closed loop starts afresh at `concurrency`).
    pub fn init(&mut self, ctx: &mut C<'_>) {
        self.schedule_next(ctx);
        for _ in 0..self.gen.concurrency() {
            self.produce(ctx, true);
        }
    }

    pub fn crash(&mut self) {
        self.backlog.clear();
        self.unconfirmed.clear();
        self.in_loop.clear();
    }

    /// Open loop: the next arrival (none in a closed loop).
    fn schedule_next(&mut self, ctx: &mut C<'_>) {
        let now = ctx.now();
        if let Some(gap) = self.gen.next_gap(now, ctx.load_pct(), ctx.rng()) {
            ctx.set_timer(EvTimer::Next, gap);
        }
    }

    /// A new message, published as soon as the window allows; `in_loop`: one of the closed loop's.
    pub fn produce(&mut self, ctx: &mut C<'_>, in_loop: bool) {
        self.next_seq += 1;
        let id = MsgId { producer: ctx.id().0, seq: self.next_seq };
        if in_loop {
            self.in_loop.insert(id);
        }
        let poison = ctx.rng().chance_ppm(self.poison_ppm);
        let m = Message { id, created: ctx.now(), enqueued: ctx.now(), poison, deliveries: 0, tag: 0 };
        ctx.count("published", 1);
        self.backlog.push_back(m);
        self.send_some(ctx);
    }

    /// Send from the backlog while the window allows (always, without confirmations).
    fn send_some(&mut self, ctx: &mut C<'_>) {
        while self.window == 0 || self.unconfirmed.len() < self.window as usize {
            let Some(m) = self.backlog.pop_front() else { break };
            if self.window > 0 {
                self.unconfirmed.insert(m.id, m);
                ctx.set_timer(EvTimer::Confirm(m.id), CONFIRM_TIMEOUT);
            }
            ctx.send(self.broker, EvMsg::Publish { msg: m, again: false });
        }
        ctx.gauge_here("producer_backlog", self.backlog.len() as i64);
    }

    /// The broker took `id` (again, if `Accepted` was duplicated: then nothing changes). In the
    /// closed loop, think, then publish the next in its place.
    pub fn on_accepted(&mut self, ctx: &mut C<'_>, id: MsgId) {
        if self.unconfirmed.remove(&id).is_some() {
            ctx.cancel_timer(EvTimer::Confirm(id));
            self.send_some(ctx);
            if let Some(think) = self.gen.think_after(self.in_loop.remove(&id), ctx.rng()) {
                ctx.set_timer(EvTimer::Think(id), think);
            }
        }
    }

    /// No `Accepted` for `id` in time: the publish or its answer was lost, or the broker crashed
    /// holding it. Publish it again; a broker that still has it takes it once.
    fn on_confirm_timeout(&mut self, ctx: &mut C<'_>, id: MsgId) {
        let Some(&m) = self.unconfirmed.get(&id) else { return };
        ctx.count("republished", 1);
        ctx.note(format!("no Accepted for message {id} from the broker: publishing it again"));
        ctx.send(self.broker, EvMsg::Publish { msg: m, again: true });
        ctx.set_timer(EvTimer::Confirm(id), CONFIRM_TIMEOUT);
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: EvTimer) {
        match timer {
            EvTimer::Next => {
                self.produce(ctx, false);
                self.schedule_next(ctx);
            }
            EvTimer::Think(_) => self.produce(ctx, true),
            EvTimer::Confirm(id) => self.on_confirm_timeout(ctx, id),
            t => ctx.ignored_timer(&t),
        }
    }

    pub fn view(&self) -> NodeView {
        NodeView::new("producer", format!("{} waiting", self.backlog.len()))
            .field("published", self.next_seq)
            .field("unconfirmed", self.unconfirmed.len())
    }
}
