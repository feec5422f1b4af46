//! The gateway `lb`: rate limiting, caching, dispatch to serving tasks, upstream timeouts.
//! Health checks, replacement and scaling are in `orchestrate.rs`.

use super::autoscale::Scaler;
use super::cache::{Lookup, TtlLru};
use super::health::{ActiveHealth, PassiveHealth};
use super::limiter::{Decision, Limiter};
use super::node::{StoreOp, TrafficMsg, TrafficTimer, C};
use super::{Dispatch, Sessions, TrafficConfig};
use crate::ids::NodeId;
use crate::node::Kind;
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotState {
    /// Not running, no cost; may be launched.
    Standby,
    /// Launched, booting (costs money, serves nothing yet).
    Launching,
    /// Registered with the gateway: serves if its checks pass.
    Serving,
    /// Failed its checks and was replaced; never used again.
    Retired,
}

impl SlotState {
    /// The state in words, for the inspector ("serving healthy, 2 open").
    pub fn word(self) -> &'static str {
        match self {
            SlotState::Standby => "standby",
            SlotState::Launching => "launching",
            SlotState::Serving => "serving",
            SlotState::Retired => "retired",
        }
    }
}

/// The gateway's view of one task slot.
#[derive(Clone, Debug)]
pub struct Slot {
    pub state: SlotState,
    pub active: ActiveHealth,
    pub passive: PassiveHealth,
    pub open: u32,
    pub probe: Option<u64>,
    pub util_permille: u32,
}

/// A request the gateway is working on.
#[derive(Clone, Debug)]
pub struct Inflight {
    client: NodeId,
    id: u64,
    key: u64,
    write: bool,
    /// The task serving it (`None`: the store, for cache fills and writes).
    slot: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct Gateway {
    pub(super) cfg: TrafficConfig,
    pub(super) first_task: u32,
    store: Option<NodeId>,
    pub(super) slots: Vec<Slot>,
    next_gid: u64,
    inflight: BTreeMap<u64, Inflight>,
    held: BTreeMap<u64, Inflight>,
    pub(super) limiters: BTreeMap<NodeId, Limiter>,
    sticky: BTreeMap<NodeId, u32>,
    rr_next: usize,
    cache: Option<TtlLru>,
    latest_write: BTreeMap<u64, u64>,
    hits: u64,
    reads: u64,
    pub(super) probe_seq: u64,
    pub(super) scaler: Scaler,
    pub(super) books: super::orchestrate::Books,
}

impl Gateway {
    pub fn new(cfg: TrafficConfig, first_task: NodeId, store: Option<NodeId>) -> Self {
        let healthy_at_start = Slot {
            state: SlotState::Serving,
            active: ActiveHealth::new(true),
            passive: PassiveHealth::default(),
            open: 0,
            probe: None,
            util_permille: 0,
        };
        let standby = Slot { state: SlotState::Standby, ..healthy_at_start.clone() };
        let slots = (0..cfg.tasks.slots)
            .map(|i| if i < cfg.tasks.count { healthy_at_start.clone() } else { standby.clone() })
            .collect();
        let cache = cfg.cache.as_ref().map(|c| TtlLru::new(c.capacity, c.ttl_ms));
        Gateway {
            first_task: first_task.0,
            store,
            slots,
            next_gid: 0,
            inflight: BTreeMap::new(),
            held: BTreeMap::new(),
            limiters: BTreeMap::new(),
            sticky: BTreeMap::new(),
            rr_next: 0,
            cache,
            latest_write: BTreeMap::new(),
            hits: 0,
            reads: 0,
            probe_seq: 0,
            scaler: Default::default(),
            books: Default::default(),
            cfg,
        }
    }

    pub(super) fn slot_of(&self, node: NodeId) -> Option<u32> {
        node.0.checked_sub(self.first_task).filter(|&i| i < self.slots.len() as u32)
    }

    /// Serving, passing its active checks, and not ejected by passive ones.
    pub(super) fn eligible(&self, i: usize, now: SimTime) -> bool {
        let s = &self.slots[i];
        s.state == SlotState::Serving && s.active.healthy && !s.passive.ejected(now)
    }

    pub fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: TrafficMsg) {
        match msg {
            TrafficMsg::Request { id, key, write } => self.on_request(ctx, from, id, key, write),
            TrafficMsg::Reply { gid, ok, cart } => self.on_reply(ctx, gid, ok, cart),
            TrafficMsg::StoreDone { tag, value } => self.on_store_done(ctx, tag, value),
            TrafficMsg::ProbeOk { seq, util_permille } => self.on_probe_ok(ctx, from, seq, util_permille),
            TrafficMsg::Ready => self.on_ready(ctx, from),
            m => ctx.note(format!("ignored an unexpected {}", m.kind())),
        }
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: TrafficTimer) {
        match timer {
            TrafficTimer::Tick => self.on_tick(ctx),
            TrafficTimer::Books => self.on_books(ctx),
            TrafficTimer::Scale => self.on_scale(ctx),
            TrafficTimer::ProbeTimeout(i) => self.on_probe_timeout(ctx, i),
            TrafficTimer::Upstream(gid) => self.on_upstream_timeout(ctx, gid),
            TrafficTimer::Release(gid) => {
                if let Some(req) = self.held.remove(&gid) {
                    self.route(ctx, gid, req);
                }
            }
            t => ctx.ignored_timer(&t),
        }
    }

    fn on_request(&mut self, ctx: &mut C<'_>, client: NodeId, id: u64, key: u64, write: bool) {
        self.next_gid += 1;
        let gid = self.next_gid;
        let req = Inflight { client, id, key, write, slot: None };
        let Some(rl) = &self.cfg.rate_limit else { return self.route(ctx, gid, req) };
        let now = ctx.now();
        let limiter = self
            .limiters
            .entry(client)
            .or_insert_with(|| Limiter::new(rl.algorithm, rl.rate_per_s, rl.burst, rl.window_ms));
        match limiter.offer(now) {
            Decision::Admit => self.route(ctx, gid, req),
            Decision::Delay(d) => {
                ctx.count("rate_delayed", 1);
                self.held.insert(gid, req);
                ctx.set_timer(TrafficTimer::Release(gid), d);
            }
            Decision::Reject => {
                ctx.count_here("limited", 1);
                ctx.send(client, TrafficMsg::Response { id, status: 429, cart: 0 });
            }
        }
    }

    /// Send an admitted request on: to the cache and store, or to a serving task.
    fn route(&mut self, ctx: &mut C<'_>, gid: u64, mut req: Inflight) {
        if self.cache.is_some() {
            return self.via_cache(ctx, gid, req);
        }
        let Some(i) = self.choose(ctx.now(), req.client) else {
            ctx.count("no_backend", 1);
            return ctx.send(req.client, TrafficMsg::Response { id: req.id, status: 503, cart: 0 });
        };
        self.slots[i as usize].open += 1;
        req.slot = Some(i);
        ctx.count_here("forwarded", 1);
        ctx.send(NodeId(self.first_task + i), TrafficMsg::Forward { gid, client: req.client });
        self.inflight.insert(gid, req);
        ctx.set_timer(TrafficTimer::Upstream(gid), SimDuration::from_ms(self.cfg.upstream_timeout_ms));
    }

    fn choose(&mut self, now: SimTime, client: NodeId) -> Option<u32> {
        let sticky = self.cfg.sessions == Sessions::StickyLocal;
        if let Some(&i) = self.sticky.get(&client).filter(|_| sticky) {
            if self.eligible(i as usize, now) {
                return Some(i);
            }
        }
        let n = self.slots.len();
        let order = (0..n).map(|k| (self.rr_next + k) % n).filter(|&i| self.eligible(i, now));
        let pick = match self.cfg.dispatch {
            Dispatch::RoundRobin => order.take(1).next(),
            Dispatch::LeastConnections => order.min_by_key(|&i| self.slots[i].open),
        }?;
        self.rr_next = (pick + 1) % n;
        if sticky {
            self.sticky.insert(client, pick as u32);
        }
        Some(pick as u32)
    }

    fn via_cache(&mut self, ctx: &mut C<'_>, gid: u64, req: Inflight) {
        let (Some(cache), Some(db)) = (self.cache.as_mut(), self.store) else { return };
        if req.write {
            ctx.send(db, TrafficMsg::StoreReq { tag: gid, op: StoreOp::Put(req.key) });
        } else {
            self.reads += 1;
            match cache.get(req.key, ctx.now()) {
                Lookup::Hit(version) => {
                    self.hits += 1;
                    ctx.count("cache_hits", 1);
                    if self.latest_write.get(&req.key).is_some_and(|&w| w > version) {
                        ctx.count("stale_reads", 1);
                    }
                    ctx.send(req.client, TrafficMsg::Response { id: req.id, status: 200, cart: 0 });
                    return self.hit_ratio(ctx);
                }
                Lookup::Expired | Lookup::Miss => {
                    ctx.count("cache_misses", 1);
                    ctx.send(db, TrafficMsg::StoreReq { tag: gid, op: StoreOp::Get(req.key) });
                    self.hit_ratio(ctx);
                }
            }
        }
        self.inflight.insert(gid, req);
        ctx.set_timer(TrafficTimer::Upstream(gid), SimDuration::from_ms(self.cfg.upstream_timeout_ms));
    }

    fn hit_ratio(&self, ctx: &mut C<'_>) {
        ctx.gauge("hit_ratio_permille", (self.hits * 1000 / self.reads.max(1)) as i64);
    }

    fn on_store_done(&mut self, ctx: &mut C<'_>, gid: u64, version: u64) {
        let Some(req) = self.inflight.remove(&gid) else { return ctx.note("late store answer ignored") };
        ctx.cancel_timer(TrafficTimer::Upstream(gid));
        let now = ctx.now();
        let invalidate = self.cfg.cache.as_ref().is_some_and(|c| c.invalidate_on_write);
        if let Some(cache) = self.cache.as_mut() {
            if req.write {
                self.latest_write.insert(req.key, version);
                if invalidate {
                    cache.remove(req.key);
                }
            } else {
                cache.put(req.key, version, now);
            }
        }
        ctx.send(req.client, TrafficMsg::Response { id: req.id, status: 200, cart: 0 });
    }

    fn on_reply(&mut self, ctx: &mut C<'_>, gid: u64, ok: bool, cart: u32) {
        let Some(req) = self.inflight.remove(&gid) else {
            return ctx.ignored("late_replies", "late reply ignored (already timed out)");
        };
        ctx.cancel_timer(TrafficTimer::Upstream(gid));
        if let Some(i) = req.slot {
            let s = &mut self.slots[i as usize];
            s.open = s.open.saturating_sub(1);
            if !ok {
                self.passive_failure(ctx, i);
            }
        }
        let status = if ok { 200 } else { 503 };
        ctx.send(req.client, TrafficMsg::Response { id: req.id, status, cart });
    }

    /// A task refused request `gid` (it crashed refusing connections): the request failed, as if
    /// the task had answered 503, but now rather than at the upstream timeout, and it counts
    /// toward the passive check like any failure.
    pub fn on_refused(&mut self, ctx: &mut C<'_>, gid: u64) {
        if self.inflight.contains_key(&gid) {
            ctx.count("refused", 1);
            self.on_reply(ctx, gid, false, 0);
        }
    }

    fn on_upstream_timeout(&mut self, ctx: &mut C<'_>, gid: u64) {
        let Some(req) = self.inflight.remove(&gid) else { return };
        ctx.count("upstream_timeouts", 1);
        if let Some(i) = req.slot {
            let s = &mut self.slots[i as usize];
            s.open = s.open.saturating_sub(1);
            self.passive_failure(ctx, i);
        }
        ctx.send(req.client, TrafficMsg::Response { id: req.id, status: 504, cart: 0 });
    }

    fn passive_failure(&mut self, ctx: &mut C<'_>, i: u32) {
        let Some(p) = self.cfg.passive_check.clone() else { return };
        let now = ctx.now();
        if self.slots[i as usize].passive.record_failure(now, p.max_fails, p.window_ms, p.eject_ms) {
            ctx.count("ejections", 1);
            ctx.note(format!("b{} ejected for {} ms after {} failures", i + 1, p.eject_ms, p.max_fails));
            self.account(ctx);
        }
    }

    pub fn on_crash(&mut self) {
        self.inflight.clear();
        self.held.clear();
        self.limiters.clear();
        self.sticky.clear();
        if let Some(c) = self.cache.as_mut() {
            c.clear();
        }
        self.slots.iter_mut().for_each(|s| {
            s.open = 0;
            s.probe = None;
        });
    }

    pub fn view(&self) -> NodeView {
        const GAUGES_SHOWN: usize = 8;
        let serving = self.slots.iter().filter(|s| s.state == SlotState::Serving && s.active.healthy).count();
        let mut v = NodeView::new("gateway", format!("{serving} serving"))
            .field("in flight", self.inflight.len())
            .field("held (leaky bucket)", self.held.len());
        // A bucket per client that has called, drawn beside the gateway (at most a few).
        v.gauges = self.limiters.iter().map(|(&client, l)| l.gauge(client)).take(GAUGES_SHOWN).collect();
        if let Some(c) = &self.cache {
            v = v.field("cached keys", c.len()).field("hits", self.hits).field("reads", self.reads);
        }
        for (i, s) in self.slots.iter().enumerate() {
            let health = if s.active.healthy { "healthy" } else { "unhealthy" };
            v = v.field(&format!("b{}", i + 1), format!("{} {health}, {} open", s.state.word(), s.open));
        }
        v
    }
}
