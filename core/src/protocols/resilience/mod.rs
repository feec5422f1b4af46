//! # R1–R5 — Resilience patterns in a service graph
//!
//! **The problem.** A service that calls other services inherits their failures. A slow dependency
//! holds the caller's worker threads; once they are all waiting, the caller cannot serve even the
//! endpoints that never touch the dependency, and its own callers start failing: one slow service
//! takes down a chain. Retries meant to hide a blip multiply the load on a struggling service and
//! turn the blip into an outage. The patterns here contain that: timeouts (R1), circuit breakers
//! (R2), bulkheads (R3), retries with backoff, jitter and budgets (R4), and graceful degradation (R5).
//!
//! **Message flow.** A client sends `Call` to an entry service's endpoint. The service takes a
//! worker from the endpoint's pool (or queues the request, or rejects it when the queue is full),
//! does its local work, then makes the endpoint's calls one after the other, each a `Call` to a
//! dependency answered by `Reply` (or `ErrorReply`). The worker is held for all of it
//! (thread-per-request), and freed when the service sends its own `Reply`.
//!
//! **Roles and timers.** Clients: `Next` (open-loop arrival), `Think` (closed loop, which needs a
//! timeout on each entry call or the workload's: a request lost at a crashed service would hold its
//! slot for good). Services: `Work` (local work done). Every caller: `Timeout` (an attempt gave up)
//! and `Retry` (a backoff is over). Per call site a caller may have a timeout, a retry policy
//! (none, constant, exponential, full / equal / decorrelated jitter, with base and cap, and an
//! optional retry budget), a circuit breaker (count- or time-based window, failure-rate and
//! slow-call thresholds, minimum calls, open duration, half-open probes) and a fallback (a static
//! "product information temporarily unavailable" answer, or the last good answer from a stale
//! cache). Optional calls are shed while the pool is busier than `shed_above_pct`.
//!
//! **What to watch.** `pool_busy` of each service (a pool pinned at its maximum is a service that
//! is down for everything); with bulkheads, `pool_busy_<pool>` and `pool_queued_<pool>` per
//! pool; `breaker_state` (0 closed, 1 open, 2 half-open: drawn as a band),
//! `client_ok` / `client_failed` per client (each client calls one entry endpoint),
//! `availability_permille` (of all clients' requests answered in the last second, the share that
//! succeeded, degraded answers included: the availability SLI), `latency_ms`,
//! `attempts` and `retries` per caller (amplification), `fallbacks`, `shed` and `stale_served`.
//!
//! **Invariants.** None: this family is about availability and latency, and the metrics tell it.
//!
//! **References.** M. Nygard, *Release It!* (2nd ed., 2018), stability patterns; Resilience4j
//! CircuitBreaker documentation (sliding windows, half-open); M. Brooker, "Exponential Backoff And
//! Jitter", AWS Architecture Blog (2015); Finagle retry budgets; Google SRE book, "Handling
//! Overload" and "Addressing Cascading Failures".

pub mod backoff;
pub mod breaker;
mod call;
mod config;
pub mod contention;
mod node;
mod service;

pub use backoff::{BackoffKind, BudgetConfig, RetryPolicy};
pub use breaker::{Breaker, BreakerConfig, Window};
pub use config::{CallSpec, EndpointSpec, Fallback, MeshConfig, PoolSpec, ServiceSpec};
pub use contention::ContentionConfig;
pub use node::{MeshMsg, MeshNode, MeshTimer};

use crate::blocks::{Generator, Server, ServerSpec};
use crate::dist::Dist;
use crate::ids::NodeId;
use crate::scenario::Scenario;
use call::{Caller, Site};

/// The nodes: clients `c1…`, then one node per service, named after it.
pub fn build(sc: &Scenario, cfg: &MeshConfig) -> Vec<(String, MeshNode)> {
    let clients = sc.workload.clients;
    let site = |call: &CallSpec| {
        let (s, e) = cfg.endpoint_index(call).unwrap_or((0, 0));
        Site::new(call.clone(), NodeId(clients + s as u32), e as u32)
    };
    let gen = Generator::new(&sc.workload);
    let mut out: Vec<(String, MeshNode)> = (0..clients)
        .map(|k| {
            let mut entry = cfg.entries[k as usize % cfg.entries.len()].clone();
            if entry.timeout_ms == 0 {
                entry.timeout_ms = sc.workload.timeout_ms;
            }
            let caller = Caller::new(vec![site(&entry)]).traced(cfg.tracing);
            (format!("c{}", k + 1), MeshNode::client(gen.clone(), caller))
        })
        .collect();
    for s in &cfg.services {
        let pools = s
            .pools
            .iter()
            .map(|p| {
                let service = Dist::Constant { us: 0 };
                Server::new(ServerSpec { workers: p.workers, queue_cap: p.queue_cap, service })
            })
            .collect();
        let mut sites = Vec::new();
        let mut endpoints = Vec::new();
        for e in &s.endpoints {
            let pool = e.pool.as_ref().and_then(|n| s.pools.iter().position(|p| &p.name == n)).unwrap_or(0);
            endpoints.push((e.clone(), pool as u32, sites.len() as u32));
            sites.extend(e.calls.iter().map(site));
        }
        let mut node = MeshNode::service(pools, endpoints, Caller::new(sites).traced(cfg.tracing));
        if let MeshNode::Service(svc) = &mut node {
            svc.name_pools(&s.pools.iter().map(|p| p.name.clone()).collect::<Vec<_>>());
        }
        out.push((s.name.clone(), node));
    }
    out
}
