//! # T2–T7 — Traffic: health checks, redundancy, auto-scaling, sessions, rate limits, caching
//!
//! **The problem.** A service is a pool of tasks (containers, VMs) behind a gateway. Tasks die,
//! load spikes, some clients misbehave, and the database is slow. Each mechanism here is what real
//! gateways and orchestrators do about one of those, running request by request.
//!
//! **Message flow.** Clients send `Request` to the gateway `lb`. The gateway may reject it (HTTP
//! 429, rate limiting) or hold it back (leaky bucket), may answer it from its cache (T7, a caching
//! reverse proxy in front of the database `db`), or picks a serving task and sends `Forward`. The
//! task runs it on its workers (and, with a shared session store, asks `db` to add to the cart:
//! `StoreOp` / `StoreDone`), answers `Reply`, and the gateway relays `Response`. If no reply comes
//! within `upstream_timeout_ms` the gateway answers 504 and counts a passive failure for that task
//! (a request lost at the gateway itself only the client's timeout ends: a closed loop needs one).
//! A task crashed refusing connections (`crash_refusing`) fails faster: the reset for a `Forward`
//! makes the gateway answer 503 and count the passive failure at once (`refused`), and a refused
//! `Probe` fails the active check without waiting for its timeout.
//!
//! **Roles and timers.** Clients `c1…`: `Next` (Poisson arrivals) or `Think` (closed loop: the
//! pause before a slot's next request), `Abuse` (the abusive client's extra stream, on top of
//! either and holding no closed-loop slot), `Timeout`. Gateway `lb`: `Tick` (active health checks,
//! bookkeeping), `ProbeTimeout`, `Upstream` (per-request timeout), `Release` (leaky bucket),
//! `Scale` (auto-scaler). Task slots `b1…`: `Boot`, `Done`. Store `db`: `Done`.
//!
//! **Task slots.** The node set is fixed, so the pool is `tasks.slots` slots, of which `tasks.count`
//! run at the start; the others stand by (no cost). The orchestrator (in the gateway) replaces a task
//! that fails its health checks by launching a spare slot, which serves after a random delay in
//! `replace.min_ms..=max_ms`; the auto-scaler launches and stops slots the same way. A crashed slot
//! that is restarted comes back empty and on standby.
//!
//! **Mechanisms.** [`health`]: active checks (interval, timeout, healthy/unhealthy thresholds) and
//! passive ones (max fails within a window, then out for a while). [`autoscale`]: target tracking on
//! worker utilisation with cool-downs. [`limiter`]: token bucket, leaky bucket, fixed and sliding
//! windows per client. [`cache`]: TTL + LRU. Sessions: `sticky_local` (carts live in the task that
//! served the client first) or `shared_store` (stateless tasks, carts in `db`).
//!
//! **What to watch.** `downtime_ms` (time with no serving task, as the gateway sees it),
//! `healthy_tasks`, `errors`, `latency_ms` (all clients) and, when a client abuses,
//! `polite_latency_ms` (all but the abusive
//! one), `rejected_429`, `items_lost`, `cache_hits` / `cache_misses` / `hit_ratio_permille`,
//! `stale_reads`, `tasks_running`, `task_seconds` (cost), `util_pct`.
//!
//! **References.** AWS ELB target health checks; nginx `max_fails`/`fail_timeout`; ECS service
//! `minimumHealthyPercent`; AWS target-tracking scaling; Stripe, *Scaling your API with rate
//! limiters* (2017); RFC 6585 (429); RFC 9111 (HTTP caching).

pub mod autoscale;
pub mod cache;
mod client;
mod gateway;
pub mod health;
mod knobs;
pub mod limiter;
mod node;
mod orchestrate;
mod task;

pub use autoscale::AutoscaleConfig;
pub use limiter::LimitAlgorithm;
pub use node::{TrafficMsg, TrafficNode, TrafficTimer};

use crate::blocks::{Generator, ServerSpec};
use crate::ids::NodeId;
use crate::scenario::{limits, Scenario, ScenarioError};
use serde::{Deserialize, Serialize};

/// The traffic family's configuration. Client count and load come from the scenario's `workload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficConfig {
    #[serde(default)]
    pub dispatch: Dispatch,
    pub tasks: TaskPool,
    /// The gateway answers 504 if a task has not replied within this long.
    #[serde(default = "default_upstream_ms")]
    pub upstream_timeout_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_check: Option<ActiveCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passive_check: Option<PassiveCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace: Option<Replace>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<AutoscaleConfig>,
    #[serde(default)]
    pub sessions: Sessions,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Client c1 misbehaves: an extra Poisson stream during a window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abuser: Option<Abuser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheConfig>,
    /// The database / session store `db` (present with `shared_store` sessions or a cache).
    #[serde(default)]
    pub store: ServerSpec,
}

fn default_upstream_ms() -> u64 {
    1000
}

/// How the gateway chooses among serving tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Dispatch {
    #[default]
    RoundRobin,
    LeastConnections,
}

/// `slots` task nodes, `count` of them running at the start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskPool {
    pub count: u32,
    pub slots: u32,
    #[serde(default)]
    pub server: ServerSpec,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveCheck {
    pub interval_ms: u64,
    pub timeout_ms: u64,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassiveCheck {
    pub max_fails: u32,
    pub window_ms: u64,
    pub eject_ms: u64,
}

/// Replace tasks that fail their active checks, each after a delay drawn from `min_ms` to `max_ms`
/// (scheduling and booting a new one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replace {
    pub min_ms: u64,
    pub max_ms: u64,
    /// The promise `below_min_healthy_ms` is measured against: the time with fewer than this
    /// share of `tasks.count` healthy. Nothing acts on it (in ECS, `minimumHealthyPercent` bounds
    /// how many tasks a deployment may stop; there are no deployments here).
    #[serde(default)]
    pub min_healthy_pct: u32,
}

/// Where shopping carts live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Sessions {
    /// No carts: requests are independent.
    #[default]
    None,
    /// Each client sticks to one task; the cart lives in that task's memory.
    StickyLocal,
    /// Tasks are stateless; carts live in `db`.
    SharedStore,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub algorithm: LimitAlgorithm,
    pub rate_per_s: u32,
    /// Bucket size (token and leaky buckets).
    #[serde(default = "default_burst")]
    pub burst: u32,
    /// Window length (fixed and sliding windows).
    #[serde(default = "default_window")]
    pub window_ms: u64,
}

fn default_burst() -> u32 {
    10
}
fn default_window() -> u64 {
    1000
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Abuser {
    pub rate_per_s: u32,
    pub at_ms: u64,
    pub duration_ms: u64,
}

/// The gateway caches reads of `db` (a caching reverse proxy / CDN edge).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheConfig {
    pub capacity: u32,
    pub ttl_ms: u64,
    /// Drop the cached entry when a write to its key succeeds.
    #[serde(default)]
    pub invalidate_on_write: bool,
}

fn bad(field: &str, msg: impl Into<String>) -> ScenarioError {
    ScenarioError::invalid(format!("protocol.{field}"), msg)
}

impl TrafficConfig {
    /// Whether the `db` node exists.
    pub fn has_store(&self) -> bool {
        self.cache.is_some() || self.sessions == Sessions::SharedStore
    }

    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        let max = limits::MAX_NODES - sc.workload.clients - 2;
        let t = &self.tasks;
        // A cache in front of db uses no task: it may have no slot either (a standby slot drawn
        // beside it played no part; review 16).
        let least = u32::from(self.cache.is_none());
        if t.slots < least || t.slots > max {
            return Err(bad(
                "tasks.slots",
                format!("must be {least} to {max} (512 nodes with the clients, gateway and db)"),
            ));
        }
        if t.count > t.slots {
            return Err(bad(
                "tasks.count",
                format!("{} tasks do not fit in tasks.slots ({})", t.count, t.slots),
            ));
        }
        if t.count == 0 && self.cache.is_none() {
            return Err(bad("tasks.count", "at least one task must run (or use a cache in front of db)"));
        }
        t.server.check().map_err(|(f, m)| bad(&format!("tasks.server.{f}"), m))?;
        self.store.check().map_err(|(f, m)| bad(&format!("store.{f}"), m))?;
        if self.upstream_timeout_ms == 0 || self.upstream_timeout_ms > 600_000 {
            return Err(bad("upstream_timeout_ms", "must be 1 to 600000"));
        }
        if sc.workload.clients == 0 {
            return Err(ScenarioError::invalid("workload.clients", "traffic needs at least one client"));
        }
        if sc.workload.closed_without_timeout() {
            return Err(ScenarioError::invalid(
                "workload.timeout_ms",
                "a closed loop needs a client timeout: a request lost at a crashed gateway or on the \
                 wire is never answered (upstream_timeout_ms only covers the tasks), so it would hold \
                 its slot for good; use 1 or more (the presets use 2000 to 5000)",
            ));
        }
        self.validate_features()
    }

    /// Each optional section's rules, one at a time: the message names the field that breaks one.
    fn validate_features(&self) -> Result<(), ScenarioError> {
        if let Some(a) = &self.active_check {
            // Bounded above as well as below: "more than 0" let 99999999999 be told only that it
            // was too small (review 50 B4), and an hour is past any run worth watching.
            rule((1..=HOUR_MS).contains(&a.interval_ms), "active_check.interval_ms", IN_AN_HOUR)?;
            let most = a.interval_ms.min(HOUR_MS);
            let said = format!("must be 1 to {most}: at most interval_ms");
            rule((1..=most).contains(&a.timeout_ms), "active_check.timeout_ms", said)?;
            rule(
                (1..=100).contains(&a.healthy_threshold),
                "active_check.healthy_threshold",
                "must be 1 to 100",
            )?;
            rule(
                (1..=100).contains(&a.unhealthy_threshold),
                "active_check.unhealthy_threshold",
                "must be 1 to 100",
            )?;
        }
        if let Some(p) = &self.passive_check {
            rule((1..=1000).contains(&p.max_fails), "passive_check.max_fails", "must be 1 to 1000")?;
            rule((1..=HOUR_MS).contains(&p.window_ms), "passive_check.window_ms", IN_AN_HOUR)?;
        }
        let needs_probes = "needs an active_check section: the gateway learns of tasks from its probes";
        if let Some(r) = &self.replace {
            rule(self.active_check.is_some(), "replace", needs_probes)?;
            rule(r.min_ms <= r.max_ms, "replace.min_ms", format!("must be at most max_ms ({})", r.max_ms))?;
            rule(r.min_healthy_pct <= 100, "replace.min_healthy_pct", "must be 0 to 100")?;
        }
        if let Some(a) = &self.autoscale {
            rule(
                self.active_check.is_some(),
                "autoscale",
                "needs an active_check section: tasks report their utilisation in probe replies",
            )?;
            rule((1..=100).contains(&a.target_util_pct), "autoscale.target_util_pct", "must be 1 to 100")?;
            let slots = self.tasks.slots;
            let said = format!("must be 1 to {slots}: at most tasks.slots");
            rule(a.max_tasks >= 1, "autoscale.max_tasks", said)?;
            // The bound said with its number (review 50 C9: "must be at most max_tasks" alone).
            let said = format!("must be 1 to {}: at most max_tasks", a.max_tasks);
            rule((1..=a.max_tasks).contains(&a.min_tasks), "autoscale.min_tasks", said)?;
            let msg = format!(
                "is {} but tasks.slots is {slots}: raise tasks.slots or lower max_tasks",
                a.max_tasks
            );
            rule(a.max_tasks <= slots, "autoscale.max_tasks", msg)?;
            rule((1..=HOUR_MS).contains(&a.eval_ms), "autoscale.eval_ms", IN_AN_HOUR)?;
        }
        if let Some(r) = &self.rate_limit {
            rule((1..=1_000_000).contains(&r.rate_per_s), "rate_limit.rate_per_s", "must be 1 to 1000000")?;
            rule((1..=1_000_000).contains(&r.burst), "rate_limit.burst", "must be 1 to 1000000")?;
            rule((1..=HOUR_MS).contains(&r.window_ms), "rate_limit.window_ms", IN_AN_HOUR)?;
            // Checked whatever the algorithm: a window limiter may be picked at run time.
            if let Err(why) = whole_window(r.rate_per_s, r.window_ms) {
                return Err(bad("rate_limit.window_ms", why));
            }
        }
        if let Some(c) = &self.cache {
            rule(c.capacity <= 1_000_000, "cache.capacity", "must be at most 1000000")?;
            rule((1..=DAY_MS).contains(&c.ttl_ms), "cache.ttl_ms", "must be 1 to 86400000 (a day)")?;
        }
        if self.abuser.as_ref().is_some_and(|a| a.rate_per_s == 0 || a.rate_per_s > 200_000) {
            return Err(bad("abuser.rate_per_s", "must be 1 to 200000"));
        }
        Ok(())
    }
}

/// A window limiter counts whole requests: `rate_per_s × window_ms / 1000` must be one, or the
/// limit silently rounds (review 55 B4: 50/s over 30 ms admitted 1 a window, 33/s).
fn whole_window(rate_per_s: u32, window_ms: u64) -> Result<(), String> {
    let thousandths = u64::from(rate_per_s) * window_ms;
    if thousandths % 1000 == 0 {
        return Ok(());
    }
    let step = 1000 / super::gcd(u64::from(rate_per_s), 1000);
    let fraction = format!("{:03}", thousandths % 1000);
    let per_window = format!("{}.{}", thousandths / 1000, fraction.trim_end_matches('0'));
    Err(format!(
        "{rate_per_s}/s over {window_ms} ms is {per_window} requests a window, and a window limiter \
         counts whole requests: use a multiple of {step} ms"
    ))
}

/// The longest period a check, a window or an evaluation may have, and its words.
const HOUR_MS: u64 = 3_600_000;
const IN_AN_HOUR: &str = "must be 1 to 3600000 (an hour)";
const DAY_MS: u64 = 86_400_000;

/// `Ok` if the rule holds, else the error at `protocol.{field}`.
fn rule(holds: bool, field: &str, msg: impl Into<String>) -> Result<(), ScenarioError> {
    ScenarioError::require(holds, format!("protocol.{field}"), msg)
}

/// The nodes: clients `c1…`, the gateway `lb`, task slots `b1…`, and `db` when needed.
pub fn build(sc: &Scenario, cfg: &TrafficConfig) -> Vec<(String, TrafficNode)> {
    let clients = sc.workload.clients;
    let lb = NodeId(clients);
    let gen = Generator::new(&sc.workload);
    let mut out: Vec<(String, TrafficNode)> = (1..=clients)
        .map(|i| {
            let abuser = if i == 1 { cfg.abuser.clone() } else { None };
            (format!("c{i}"), TrafficNode::client(gen.clone(), lb, abuser, cfg.abuser.is_some()))
        })
        .collect();
    let store = cfg.has_store().then_some(NodeId(clients + 1 + cfg.tasks.slots));
    out.push(("lb".into(), TrafficNode::gateway(cfg.clone(), NodeId(clients + 1), store)));
    for i in 0..cfg.tasks.slots {
        let task = TrafficNode::task(cfg.tasks.server.clone(), lb, i < cfg.tasks.count, cfg.sessions, store);
        out.push((format!("b{}", i + 1), task));
    }
    if store.is_some() {
        out.push(("db".into(), TrafficNode::store(cfg.store.clone())));
    }
    out
}
