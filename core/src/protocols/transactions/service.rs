//! A service (payment, inventory, shipping, notification): its records, its effects (money
//! charged, stock taken, parcels shipped), saga steps and compensations, stock reads, its view.
//! The 2PC participant's handlers are in `prepare.rs`.

use super::locks::{Locks, Queued, Resource};
use super::node::{Order, TxMsg, TxTimer, Waiter, C};
use super::{Service, TransactionsConfig, TxMode};
use crate::dist::Dist;
use crate::ids::NodeId;
use crate::node::Kind;
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// How long a saga reservation is watched for reads that saw it (it is compensated within a few
/// step round trips, or never).
const EXPOSURE_WINDOW: SimDuration = SimDuration::from_secs(10);
/// Decisions kept for the live checks.
pub const RECENT: usize = 32;

/// Where an order stands at this service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Local {
    /// 2PC: queued for a lock.
    Waiting,
    /// Doing the work of a prepare or a saga step.
    Working,
    /// 2PC: voted yes, in doubt until told.
    Prepared,
    Committed,
    /// 2PC: aborted (`heuristic`: on its own, while in doubt).
    Aborted {
        heuristic: bool,
    },
    /// Saga: the local transaction committed.
    Done,
    Failed,
    /// Saga: undone (or cancelled before it ever ran: a late step is refused).
    Compensated,
}

impl Local {
    /// Where the order stands, in words: "in doubt (voted yes)", "aborted on its own".
    pub fn said(self) -> &'static str {
        match self {
            Local::Waiting => "waiting for a lock",
            Local::Working => "working",
            Local::Prepared => "in doubt (voted yes)",
            Local::Committed => "committed",
            Local::Aborted { heuristic: true } => "aborted on its own",
            Local::Aborted { heuristic: false } => "aborted",
            Local::Done => "done",
            Local::Failed => "failed",
            Local::Compensated => "compensated",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Record {
    pub order: Order,
    pub state: Local,
    /// When it was queued, started or prepared (lock waits and doubt are counted from here).
    pub since: SimTime,
}

#[derive(Clone, Debug)]
pub struct ServiceNode {
    pub service: Service,
    pub(super) hub: NodeId,
    pub(super) mode: TxMode,
    work: Dist,
    fail_ppm: u32,
    stock_per_item: u32,
    items: u64,
    pub(super) lock_wait_timeout: Option<SimDuration>,
    pub(super) status_query: SimDuration,
    pub(super) heuristic_abort: Option<SimDuration>,
    // Durable: records, effects, prepared orders (and so their locks).
    pub records: BTreeMap<u64, Record>,
    pub(super) in_doubt: BTreeSet<u64>,
    taken: BTreeMap<u64, u32>,
    pub charged: u64,
    pub refunded: u64,
    applied: u64,
    /// Per order, what this service's ledger holds for it: money (payment) or units (the others),
    /// kept apart from the records so the conservation check can catch a double charge.
    net: BTreeMap<u64, i64>,
    /// Orders decided (2PC) or settled (saga) lately, for the live checks.
    pub recent: VecDeque<u64>,
    /// Saga inventory: reservations lately made (order, item, when), and the reads (numbered by
    /// `reads`) that counted each; a read counted as dirty leaves every list, so that a read
    /// that saw two reservations later undone counts once.
    pub(super) exposed: VecDeque<(u64, u64, SimTime, Vec<u64>)>,
    pub(super) reads: u64,
    // Volatile.
    pub(super) locks: Locks,
}

impl ServiceNode {
    pub fn new(cfg: &TransactionsConfig, service: Service, hub: NodeId, items: u64) -> Self {
        let ms = |v: u64| (v > 0).then(|| SimDuration::from_ms(v));
        ServiceNode {
            service,
            hub,
            mode: cfg.mode,
            work: cfg.work.clone(),
            fail_ppm: cfg.fail_ppm()[service.index()],
            stock_per_item: cfg.stock_per_item,
            items,
            lock_wait_timeout: ms(cfg.lock_wait_timeout_ms),
            status_query: SimDuration::from_ms(cfg.status_query_ms),
            heuristic_abort: ms(cfg.heuristic_abort_ms),
            records: BTreeMap::new(),
            in_doubt: BTreeSet::new(),
            taken: BTreeMap::new(),
            charged: 0,
            refunded: 0,
            applied: 0,
            net: BTreeMap::new(),
            recent: VecDeque::new(),
            exposed: VecDeque::new(),
            reads: 0,
            locks: Locks::default(),
        }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        match self.mode {
            TxMode::TwoPhaseCommit => {
                ctx.declare(&["lock_timeouts", "status_queries", "heuristic_aborts"]);
                self.rearm_in_doubt(ctx);
            }
            TxMode::Saga => ctx.declare(&["dirty_reads"]),
        }
        self.show(ctx);
    }

    /// A crash loses the lock queue and the work in hand; prepared orders keep their locks.
    pub fn crash(&mut self) {
        self.locks.clear();
        self.records.retain(|_, r| !matches!(r.state, Local::Waiting | Local::Working));
        for r in self.records.values().filter(|r| r.state == Local::Prepared) {
            if let Some(res) = self.resource(&r.order) {
                self.locks.insert(res, r.order.id);
            }
        }
    }

    /// What this service locks for an order in 2PC.
    pub fn resource(&self, o: &Order) -> Option<Resource> {
        match self.service {
            Service::Payment => Some(Resource::Account(o.customer)),
            Service::Inventory => Some(Resource::Item(o.item)),
            Service::Shipping | Service::Notification => None,
        }
    }

    pub fn stock_left(&self, item: u64) -> u32 {
        self.stock_per_item.saturating_sub(self.taken.get(&item).copied().unwrap_or(0))
    }

    /// Whether the order's effect is in force here (charged, taken from stock, shipped, notified).
    pub fn applied(&self, order: u64) -> bool {
        self.records.get(&order).is_some_and(|r| matches!(r.state, Local::Committed | Local::Done))
    }

    /// The order's net effect in this service's ledger: money kept (payment) or units.
    pub fn net(&self, order: u64) -> i64 {
        self.net.get(&order).copied().unwrap_or(0)
    }

    /// The order's price, as this service was told it.
    pub fn price(&self, order: u64) -> Option<u64> {
        self.records.get(&order).map(|r| r.order.price)
    }

    /// 2PC: the outcome this participant recorded, if any.
    pub fn decided(&self, order: u64) -> Option<bool> {
        match self.records.get(&order)?.state {
            Local::Committed => Some(true),
            Local::Aborted { .. } => Some(false),
            _ => None,
        }
    }

    pub(super) fn start_work(&mut self, ctx: &mut C<'_>, order: Order) {
        let since = ctx.now();
        self.records.insert(order.id, Record { order, state: Local::Working, since });
        let d = SimDuration(self.work.sample(ctx.rng()));
        ctx.set_timer(TxTimer::Work(order.id), d);
    }

    /// The local check at the end of the work: `Err` says why this service cannot do its part.
    pub(super) fn can_do(&self, ctx: &mut C<'_>, o: &Order) -> Result<(), &'static str> {
        if self.service == Service::Inventory && self.stock_left(o.item) == 0 {
            return Err("out of stock");
        }
        if ctx.rng().chance_ppm(self.fail_ppm) {
            return Err(match self.service {
                Service::Payment => "card declined",
                Service::Inventory => "stock record unavailable",
                Service::Shipping => "no courier available",
                Service::Notification => "mail server refused",
            });
        }
        Ok(())
    }

    /// Apply the order's effect (`undo`: take it back).
    pub(super) fn apply(&mut self, o: &Order, undo: bool) {
        let amount = if self.service == Service::Payment { o.price as i64 } else { 1 };
        *self.net.entry(o.id).or_default() += if undo { -amount } else { amount };
        match (self.service, undo) {
            (Service::Payment, false) => self.charged += o.price,
            (Service::Payment, true) => self.refunded += o.price,
            (Service::Inventory, false) => *self.taken.entry(o.item).or_default() += 1,
            (Service::Inventory, true) => {
                let t = self.taken.entry(o.item).or_default();
                *t = t.saturating_sub(1);
            }
            (_, false) => self.applied += 1,
            (_, true) => self.applied = self.applied.saturating_sub(1),
        }
    }

    pub(super) fn settle(&mut self, order: u64, state: Local) {
        if let Some(r) = self.records.get_mut(&order) {
            r.state = state;
        }
        self.recent.push_back(order);
        if self.recent.len() > RECENT {
            self.recent.pop_front();
        }
    }

    pub fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: TxMsg) {
        match msg {
            TxMsg::Prepare { order } => self.on_prepare(ctx, order),
            TxMsg::Commit { order } => self.on_commit(ctx, order),
            TxMsg::Abort { order } => self.on_abort(ctx, order),
            TxMsg::Step { order, undo: false, .. } => self.on_step(ctx, order),
            TxMsg::Step { order, undo: true, .. } => self.on_undo(ctx, order),
            TxMsg::Read { req, item } => self.on_read(ctx, from, req, item),
            m => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
        self.show(ctx);
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: TxTimer) {
        match (self.mode, timer) {
            (TxMode::TwoPhaseCommit, TxTimer::Work(o)) => self.on_prepared_work(ctx, o),
            (TxMode::Saga, TxTimer::Work(o)) => self.on_step_work(ctx, o),
            (_, TxTimer::LockTimeout(w)) => self.on_lock_timeout(ctx, w),
            (_, TxTimer::StatusQuery(o)) => self.on_status_timer(ctx, o),
            (_, TxTimer::GiveUp(o)) => self.on_give_up(ctx, o),
            (_, t) => ctx.ignored_timer(&t),
        }
        self.show(ctx);
    }

    /// A stock read. 2PC: it waits while an order holds the item's lock. Saga: answered at once,
    /// whatever sagas are half-way.
    fn on_read(&mut self, ctx: &mut C<'_>, from: NodeId, req: u64, item: u64) {
        if self.service != Service::Inventory {
            ctx.note("ignored a stock read: only inventory keeps stock");
            return;
        }
        let res = Resource::Item(item);
        if self.mode == TxMode::TwoPhaseCommit && self.locks.read_must_wait(res) {
            self.locks.enqueue(res, Queued::Read { from, req, item, since: ctx.now() });
            if let Some(t) = self.lock_wait_timeout {
                ctx.set_timer(TxTimer::LockTimeout(Waiter::Read(from, req)), t);
            }
            return;
        }
        let now = ctx.now();
        while self.exposed.front().is_some_and(|e| now.since(e.2) > EXPOSURE_WINDOW) {
            self.exposed.pop_front();
        }
        self.reads += 1;
        let read = self.reads;
        self.exposed.iter_mut().filter(|e| e.1 == item).for_each(|e| e.3.push(read));
        self.answer_read(ctx, from, req, item, None);
    }

    /// Answer a read; `waited_since`: it had queued for the lock.
    pub(super) fn answer_read(
        &mut self,
        ctx: &mut C<'_>,
        from: NodeId,
        req: u64,
        item: u64,
        waited_since: Option<SimTime>,
    ) {
        if self.mode == TxMode::TwoPhaseCommit {
            let waited = waited_since.map_or(SimDuration::ZERO, |s| ctx.now().since(s));
            ctx.observe("lock_wait_ms", waited);
        }
        ctx.send(from, TxMsg::Stock { req, item, count: Some(self.stock_left(item)) });
    }

    pub(super) fn show(&self, ctx: &mut C<'_>) {
        if self.mode == TxMode::TwoPhaseCommit {
            ctx.gauge_here("in_doubt", self.in_doubt.len() as i64);
            ctx.gauge_here("locks_held", self.locks.held() as i64);
        }
    }

    pub fn view(&self) -> NodeView {
        let role = format!("{} service", self.service.name());
        let label = match self.mode {
            TxMode::TwoPhaseCommit => {
                let held = self.locks.held();
                format!("{held} lock{}, {} in doubt", if held == 1 { "" } else { "s" }, self.in_doubt.len())
            }
            TxMode::Saga => format!("{} orders", self.records.len()),
        };
        let mut v = NodeView::new(&role, label);
        v = match self.service {
            Service::Payment => v.field("charged", self.charged).field("refunded", self.refunded),
            Service::Inventory => {
                let left: u64 = (0..self.items.min(1000)).map(|i| self.stock_left(i) as u64).sum();
                v.field("units in stock", left)
            }
            Service::Shipping => v.field("parcels shipped", self.applied),
            Service::Notification => v.field("confirmations sent", self.applied),
        };
        if self.mode == TxMode::TwoPhaseCommit {
            v = v.field("lock waiters", self.locks.waiting());
            // One short badge, not two: stacked badges run into the node above in a column of
            // four, and a long one into its neighbour's in an embed. The locks held are in the
            // label line under the node either way.
            let held = self.locks.held();
            if let Some(first) = self.in_doubt.first() {
                let more = self.in_doubt.len() - 1;
                let extra = if more > 0 { format!(" (+{more})") } else { String::new() };
                v = v.alert(&format!("in doubt: order {first}{extra}"));
            } else if held > 0 {
                v = v.badge(&format!("holds {held} lock{}", if held == 1 { "" } else { "s" }));
            }
        }
        v
    }
}
