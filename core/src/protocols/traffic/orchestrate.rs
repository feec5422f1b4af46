//! The gateway's orchestrator half: active health checks, replacement of failed tasks,
//! auto-scaling, and the books (downtime, time below the minimum healthy, task-seconds of cost).

use super::autoscale::ScaleAction;
use super::gateway::{Gateway, SlotState};
use super::health::{ActiveHealth, Transition};
use super::node::{TrafficMsg, TrafficTimer, C};
use super::Sessions;
use crate::ids::NodeId;
use crate::time::{SimDuration, SimTime};

/// Running totals, integrated exactly between state changes.
#[derive(Clone, Debug, Default)]
pub struct Books {
    last: SimTime,
    serving: u32,
    billed: u32,
    downtime_us: u64,
    below_min_us: u64,
    task_us: u64,
    /// A [`BOOKS_MS`] timer is set: the books are closed that often while short of tasks.
    ticking: bool,
}

/// While no task serves (or fewer than the promised minimum), the books are closed this often, so
/// `downtime_ms` and `below_min_healthy_ms` climb as the outage goes on. Closed only at the
/// health-check rounds, t3's `downtime_ms` read 0 for the first 4.3 s of its outage, while the
/// event log already said so (review 16).
const BOOKS_MS: u64 = 200;

/// Without active checks the gateway still ticks (once a second) to keep its books.
const DEFAULT_TICK_MS: u64 = 1000;

impl Gateway {
    pub fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["errors", "upstream_timeouts"]);
        if self.cfg.sessions != Sessions::None {
            ctx.declare(&["carts_lost", "items_lost"]);
        }
        if self.cfg.rate_limit.is_some() {
            ctx.declare(&["rejected_429", "polite_rejected_429"]);
        }
        if self.cfg.cache.is_some() {
            ctx.declare(&["stale_reads"]);
        }
        if self.cfg.passive_check.is_some() {
            ctx.declare(&["ejections"]);
        }
        if self.cfg.active_check.is_some() {
            ctx.declare(&["marked_unhealthy"]);
        }
        let tick = self.cfg.active_check.as_ref().map_or(DEFAULT_TICK_MS, |a| a.interval_ms);
        ctx.set_timer(TrafficTimer::Tick, SimDuration::from_ms(tick));
        if let Some(a) = &self.cfg.autoscale {
            ctx.set_timer(TrafficTimer::Scale, SimDuration::from_ms(a.eval_ms));
        }
        self.books.last = ctx.now();
        self.books.ticking = false;
        self.account(ctx);
    }

    /// Close the books up to now with the previous counts, then take the new counts.
    pub(super) fn account(&mut self, ctx: &mut C<'_>) {
        if self.cfg.cache.is_some() {
            return; // a caching proxy in front of db: the task pool is not used
        }
        let now = ctx.now();
        let min_healthy = self.min_healthy();
        let b = &mut self.books;
        let dt = now.since(b.last).as_us();
        if b.serving == 0 {
            b.downtime_us += dt;
        }
        if b.serving < min_healthy {
            b.below_min_us += dt;
        }
        b.task_us += b.billed as u64 * dt;
        b.last = now;
        let serving = (0..self.slots.len()).filter(|&i| self.eligible(i, now)).count() as u32;
        let billed = self
            .slots
            .iter()
            .filter(|s| matches!(s.state, SlotState::Serving | SlotState::Launching))
            .count();
        if serving == 0 && self.books.serving > 0 {
            ctx.note("no task can serve: outage");
        } else if serving > 0 && self.books.serving == 0 && now > SimTime::ZERO {
            ctx.note("serving again");
        }
        self.books.serving = serving;
        self.books.billed = billed as u32;
        if (serving == 0 || serving < min_healthy) && !self.books.ticking {
            self.books.ticking = true;
            ctx.set_timer(TrafficTimer::Books, SimDuration::from_ms(BOOKS_MS));
        }
        ctx.gauge("healthy_tasks", serving as i64);
        ctx.gauge("tasks_running", billed as i64);
        ctx.gauge("downtime_ms", (self.books.downtime_us / 1000) as i64);
        ctx.gauge("below_min_healthy_ms", (self.books.below_min_us / 1000) as i64);
        ctx.gauge("task_seconds", (self.books.task_us / 1_000_000) as i64);
    }

    /// The books' own timer, set while short of tasks: close them again.
    pub(super) fn on_books(&mut self, ctx: &mut C<'_>) {
        self.books.ticking = false;
        self.account(ctx);
    }

    /// Healthy tasks the service promises: `min_healthy_pct` of the desired count, rounded up.
    fn min_healthy(&self) -> u32 {
        let pct = self.cfg.replace.as_ref().map_or(0, |r| r.min_healthy_pct);
        (self.cfg.tasks.count * pct).div_ceil(100)
    }

    pub(super) fn on_tick(&mut self, ctx: &mut C<'_>) {
        if let Some(a) = self.cfg.active_check.clone() {
            for i in 0..self.slots.len() {
                if self.slots[i].state != SlotState::Serving {
                    continue;
                }
                if self.slots[i].probe.is_some() {
                    continue; // the previous probe is still within its timeout
                }
                self.probe_seq += 1;
                self.slots[i].probe = Some(self.probe_seq);
                ctx.send(NodeId(self.first_task + i as u32), TrafficMsg::Probe { seq: self.probe_seq });
                ctx.set_timer(TrafficTimer::ProbeTimeout(i as u32), SimDuration::from_ms(a.timeout_ms));
            }
        }
        self.account(ctx);
        let tick = self.cfg.active_check.as_ref().map_or(DEFAULT_TICK_MS, |a| a.interval_ms);
        ctx.set_timer(TrafficTimer::Tick, SimDuration::from_ms(tick));
    }

    pub(super) fn on_probe_ok(&mut self, ctx: &mut C<'_>, from: NodeId, seq: u64, util: u32) {
        let Some(i) = self.slot_of(from) else { return };
        if self.slots[i as usize].probe != Some(seq) {
            return ctx.note("late probe answer ignored");
        }
        ctx.cancel_timer(TrafficTimer::ProbeTimeout(i));
        self.slots[i as usize].probe = None;
        self.slots[i as usize].util_permille = util;
        self.probe_result(ctx, i, true);
    }

    pub(super) fn on_probe_timeout(&mut self, ctx: &mut C<'_>, i: u32) {
        if self.slots.get(i as usize).and_then(|s| s.probe).is_none() {
            return;
        }
        self.slots[i as usize].probe = None;
        ctx.count("probe_failures", 1);
        self.probe_result(ctx, i, false);
    }

    /// Task `from` refused probe `seq` (it crashed refusing connections): a failed check now,
    /// not at the probe's timeout.
    pub(super) fn on_probe_refused(&mut self, ctx: &mut C<'_>, from: NodeId, seq: u64) {
        let Some(i) = self.slot_of(from) else { return };
        if self.slots[i as usize].probe != Some(seq) {
            return;
        }
        ctx.cancel_timer(TrafficTimer::ProbeTimeout(i));
        self.slots[i as usize].probe = None;
        ctx.count("probe_failures", 1);
        self.probe_result(ctx, i, false);
    }

    fn probe_result(&mut self, ctx: &mut C<'_>, i: u32, ok: bool) {
        let Some(a) = self.cfg.active_check.clone() else { return };
        let slot = &mut self.slots[i as usize];
        match slot.active.record(ok, a.healthy_threshold, a.unhealthy_threshold) {
            Some(Transition::BecameHealthy) => ctx.note(format!("b{} passed its checks: in service", i + 1)),
            Some(Transition::BecameUnhealthy) => {
                ctx.count("marked_unhealthy", 1);
                ctx.note(format!(
                    "b{} failed {} checks in a row: out of service",
                    i + 1,
                    a.unhealthy_threshold
                ));
                if let Some(r) = self.cfg.replace.clone() {
                    self.slots[i as usize].state = SlotState::Retired;
                    let delay = r.min_ms + ctx.rng().below(r.max_ms - r.min_ms + 1);
                    self.launch(ctx, delay, "replacement");
                }
            }
            None => return,
        }
        self.account(ctx);
    }

    /// Start a standby slot; it serves after `boot_ms` (and, with active checks, after passing them).
    fn launch(&mut self, ctx: &mut C<'_>, boot_ms: u64, why: &str) {
        let Some(i) = self.slots.iter().position(|s| s.state == SlotState::Standby) else {
            ctx.count("launch_failed", 1);
            return ctx.note(format!("no spare slot for a {why}"));
        };
        self.slots[i].state = SlotState::Launching;
        ctx.count("launches", 1);
        ctx.note(format!("{why}: launching b{} (ready in {boot_ms} ms)", i + 1));
        ctx.send(NodeId(self.first_task + i as u32), TrafficMsg::Launch { boot_ms });
        self.account(ctx);
    }

    pub(super) fn on_ready(&mut self, ctx: &mut C<'_>, from: NodeId) {
        let Some(i) = self.slot_of(from) else { return };
        let slot = &mut self.slots[i as usize];
        if slot.state != SlotState::Launching {
            return ctx.note(format!("b{} is ready but was not launched: ignored", i + 1));
        }
        slot.state = SlotState::Serving;
        // With active checks a new task must pass `healthy_threshold` probes first.
        slot.active = ActiveHealth::new(self.cfg.active_check.is_none());
        slot.passive = Default::default();
        slot.util_permille = 0;
        self.account(ctx);
    }

    pub(super) fn on_scale(&mut self, ctx: &mut C<'_>) {
        let Some(cfg) = self.cfg.autoscale.clone() else { return };
        ctx.set_timer(TrafficTimer::Scale, SimDuration::from_ms(cfg.eval_ms));
        let now = ctx.now();
        let tasks = self
            .slots
            .iter()
            .filter(|s| matches!(s.state, SlotState::Serving | SlotState::Launching))
            .count() as u32;
        let serving: Vec<usize> = (0..self.slots.len()).filter(|&i| self.eligible(i, now)).collect();
        if serving.is_empty() {
            return;
        }
        let util =
            serving.iter().map(|&i| self.slots[i].util_permille as u64).sum::<u64>() / serving.len() as u64;
        ctx.gauge("util_pct", (util / 10) as i64);
        match self.scaler.decide(&cfg, now, tasks, util as u32) {
            ScaleAction::Out(n) => {
                ctx.count("scale_outs", 1);
                for _ in 0..n {
                    self.launch(ctx, cfg.boot_ms, "scale-out");
                }
            }
            ScaleAction::In(_) => {
                let Some(&i) = serving.last() else { return };
                ctx.count("scale_ins", 1);
                ctx.note(format!("scale-in: stopping b{}", i + 1));
                self.slots[i].state = SlotState::Standby;
                ctx.send(NodeId(self.first_task + i as u32), TrafficMsg::Stop);
                self.account(ctx);
            }
            ScaleAction::Hold => {}
        }
    }
}
