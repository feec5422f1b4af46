//! # T1 — Load balancing
//!
//! **The problem.** Many clients, several backends of different capacity, one balancer in front.
//! Which backend should take the next request? A bad choice queues work on a slow or busy machine
//! while others sit idle, and tail latency explodes long before average utilisation looks high.
//!
//! **Message flow.** A client sends `Request` to the balancer; the balancer picks a backend and sends
//! `Forward`; the backend runs the job on its worker pool (or queues it, or rejects it when the queue
//! is full) and answers `Reply`; the balancer relays `Response` to the client, which records the
//! end-to-end latency. The balancer counts open requests per backend from `Forward`/`Reply`.
//!
//! **Roles and timers.** Clients: `Next` (open-loop Poisson arrival), `Think` (closed loop),
//! `Timeout` (give up). Backends: `Done` (a job finished). The balancer has no timers: it counts
//! open requests per backend, and a refusal ends them (see below). So only the client's timeout
//! ends a request lost at a silently crashed node: a closed loop needs `workload.timeout_ms`.
//!
//! **Algorithms.** Round robin; classic weighted round robin (LVS's interleaved one: a threshold
//! steps down from the largest weight and each pass picks every backend whose weight reaches it, so
//! {5,1,1} gives a a a a a b c and {5,3} a a a b a b a b); smooth weighted round robin (nginx: for
//! {5,1,1} the picks are a a b a c a a, ties to the earlier backend); least connections; power of
//! two choices (Mitzenmacher); random. Only the two weighted round robins read the weights: least
//! connections and two choices compare open requests alone (nginx's `least_conn` divides them by
//! the weight).
//!
//! **What to watch.** With the weighted algorithms, the balancer's note at each of the first
//! three cycles of picks (60 picks at most): the backend and the weights behind the choice (smooth
//! WRR's current values before and after); the pattern then repeats unnoted. Per-backend
//! load and queue depth: round robin sends a slow backend as much as a
//! fast one, so its queue grows; least connections and two choices steer around it. Crash a backend:
//! the balancer in T1 has no health checks, so its share of requests times out (T2 fixes that).
//!
//! **A dead backend that refuses** (`t1-least-connections-black-hole`). A plain crash is silent:
//! what is sent to the backend vanishes, the balancer's open count for it never goes down, and
//! least connections soon stops picking it (the lost requests time out at the client). A machine
//! whose server process died but whose kernel still runs answers differently: each connection
//! attempt gets a reset (RST), one network hop later (`crash_refusing` in a scenario; see
//! `Node::on_refused`). The balancer takes a refusal as a fast failure: the client gets an error
//! at once, the backend's open count goes down, and every request it still counted open at that
//! backend before the refused one ends with it (the process that held them is gone; a real kernel
//! resets those connections when the process dies). So a refusing backend's count stays near 0,
//! least connections reads it as the least loaded backend there is, and it draws *more* traffic
//! than it did alive: the well-known "black hole". Round robin is indifferent (a quarter still);
//! the cure is to count failures, not only connections: health checks and outlier ejection (T2;
//! nginx `max_fails`, Envoy `consecutive_5xx`, HAProxy `observe layer4`).
//!
//! **Scaling by hand** (`t1-scale-out`). `in_rotation: k` puts only b1…bk in rotation; the rest
//! are spares, running and idle. A `tune` of the balancer's `in_rotation` changes k at the
//! playhead: a backend taken in is picked from the next request on (least connections pours
//! requests onto it until its open count catches up, which is why real balancers offer a slow
//! start: NGINX Plus `slow_start`, HAProxy `slowstart`); one taken out gets nothing new and finishes
//! what it holds (it drains, as a deregistered target does behind an AWS load balancer). The
//! balancer knows its backends by configuration, not by their telling it, so the change is the
//! balancer's alone and sends no message.
//!
//! **Invariants.** No global invariant: T1 is about performance. The metrics tell the story:
//! `latency_ms` (end to end), `latency_mean_us` (the exact mean of every response so far, all
//! clients together), `backend_requests`, `backend_load`, `errors`, `timeouts`, and `refused`
//! (requests failed by a refusal, listed from the start where the scenario crashes a node refusing).
//!
//! **References.** nginx `ngx_http_upstream_round_robin.c` (smooth WRR); LVS scheduling docs (WRR);
//! M. Mitzenmacher, *The Power of Two Choices in Randomized Load Balancing* (2001).
//!
//! **The queueing experiment** (`t1-queueing`). Poisson arrivals, exponential service, c
//! single-worker backends, zero network delay: each dispatch rule is a queueing system. With
//! `central_queue` the balancer keeps one FIFO queue and hands a request over only when a worker is
//! idle: that is exactly M/M/c, whose mean response time is the Erlang-C formula
//! `1/μ + C(c, λ/μ) / (cμ − λ)`. Per-backend queues (round robin, random) are c separate M/M/1-like
//! queues and do markedly worse at high utilisation; least connections and two choices come close
//! to the shared queue. References: L. Kleinrock, *Queueing Systems* vol. 1 (1975), §3.5.

mod balancer;
mod node;
mod picker;

pub use node::{LbMsg, LbNode, LbTimer};
pub use picker::{Algorithm, Picker};

use crate::blocks::{Generator, ServerSpec};
use crate::scenario::{limits, Scenario, ScenarioError};
use balancer::Balancer;
use serde::{Deserialize, Serialize};

/// T1 configuration. Client count and load come from the scenario's `workload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LbConfig {
    pub algorithm: Algorithm,
    /// Groups of identical backends, in order (b1, b2, … across groups).
    pub backends: Vec<BackendGroup>,
    /// How many backends take requests from the start (b1…bk); the rest are spares, idle until
    /// a `tune` of the balancer's `in_rotation` takes them in. Default: all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_rotation: Option<u32>,
}

/// `count` backends with the same weight and server model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendGroup {
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default = "one")]
    pub weight: u32,
    #[serde(default)]
    pub server: ServerSpec,
}

fn one() -> u32 {
    1
}

/// The `i`-th backend's node name (from 0): `b1` for the first.
pub fn backend_name(i: usize) -> String {
    format!("b{}", i + 1)
}

/// The names each group of `counts` backends makes, as a form says them: `b1–b3`, `b4`, and
/// `none` for a group of 0. Names run on across the groups, so taking a group out renames every
/// backend after it (review 45: the Editor did that without a word).
pub fn group_names(counts: &[u32]) -> Vec<String> {
    let mut first = 0usize;
    counts
        .iter()
        .map(|&n| {
            let n = n as usize;
            let said = match n {
                0 => "none".to_string(),
                1 => backend_name(first),
                _ => format!("{}–{}", backend_name(first), backend_name(first + n - 1)),
            };
            first += n;
            said
        })
        .collect()
}

impl LbConfig {
    pub fn backend_count(&self) -> u32 {
        self.backends.iter().map(|g| g.count).sum()
    }

    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        let total = self.backends.iter().fold(0u64, |a, g| a + g.count as u64);
        let max = (limits::MAX_NODES - sc.workload.clients - 1) as u64;
        if total == 0 || total > max {
            // The groups' counts added up, so a number nobody typed is not named alone.
            let counts: Vec<String> = self.backends.iter().map(|g| g.count.to_string()).collect();
            let total = match counts.len() {
                0 | 1 => format!("{total} backends"),
                _ => format!("{total} backends in all ({})", counts.join(" + ")),
            };
            return Err(ScenarioError::invalid(
                "protocol.backends",
                format!("{total}; need 1 to {max} (at most {} nodes in all)", limits::MAX_NODES),
            ));
        }
        if self.in_rotation.is_some_and(|k| k == 0 || u64::from(k) > total) {
            return Err(ScenarioError::invalid(
                "protocol.in_rotation",
                format!("must be 1 to {total}: the backends, from b1 on, that take requests from the start (the rest are spares)"),
            ));
        }
        for (i, g) in self.backends.iter().enumerate() {
            if g.weight == 0 || g.weight > 1000 {
                return Err(ScenarioError::invalid(
                    format!("protocol.backends[{i}].weight"),
                    "must be 1 to 1000",
                ));
            }
            g.server
                .check()
                .map_err(|(f, m)| ScenarioError::invalid(format!("protocol.backends[{i}].server.{f}"), m))?;
        }
        if sc.workload.clients == 0 {
            return Err(ScenarioError::invalid(
                "workload.clients",
                "load balancing needs at least one client",
            ));
        }
        if sc.workload.closed_without_timeout() {
            return Err(ScenarioError::invalid(
                "workload.timeout_ms",
                "a closed loop needs a client timeout: a request lost at a crashed balancer or \
                 backend, or on the wire, is never answered, so it would hold its slot for good; use \
                 1 or more (the presets use 1000 or 2000)",
            ));
        }
        Ok(())
    }
}

/// The nodes of a T1 run: clients `c1…`, the balancer `lb`, backends `b1…`.
pub fn build(sc: &Scenario, cfg: &LbConfig) -> Vec<(String, LbNode)> {
    let clients = sc.workload.clients;
    let lb = crate::ids::NodeId(clients);
    let first_backend = clients + 1;
    let gen = Generator::new(&sc.workload);
    let mut out: Vec<(String, LbNode)> =
        (1..=clients).map(|i| (format!("c{i}"), LbNode::client(gen.clone(), lb))).collect();
    let weights: Vec<u32> =
        cfg.backends.iter().flat_map(|g| std::iter::repeat_n(g.weight, g.count as usize)).collect();
    let capacity: Vec<u32> =
        cfg.backends.iter().flat_map(|g| std::iter::repeat_n(g.server.workers, g.count as usize)).collect();
    let mut balancer = Balancer::new(cfg.algorithm, &weights, first_backend, capacity);
    let rotation = cfg.in_rotation.map_or(weights.len(), |k| k as usize);
    balancer.rotate(rotation);
    // A run whose script crashes a node refusing lists `refused` from the start (at 0 until then).
    balancer.expect_refusals = sc.crashes_refusing();
    out.push(("lb".into(), LbNode::Balancer(balancer)));
    let specs = cfg.backends.iter().flat_map(|g| std::iter::repeat_n(g, g.count as usize));
    for (i, g) in specs.enumerate() {
        let spare = i >= rotation;
        out.push((backend_name(i), LbNode::backend(g.server.clone(), g.weight, lb, spare)));
    }
    out
}
