//! The service-graph configuration: services with worker pools and endpoints, and the calls
//! between them with their resilience policies (timeout, retries, breaker, fallback, shedding).

use super::backoff::RetryPolicy;
use super::breaker::BreakerConfig;
use crate::dist::Dist;
use crate::scenario::{limits, Scenario, ScenarioError};
use serde::{Deserialize, Serialize};

/// R1–R5: clients call entry endpoints; services call each other.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeshConfig {
    pub services: Vec<ServiceSpec>,
    /// What clients call: client k (from 0) calls `entries[k % entries.len()]`.
    pub entries: Vec<CallSpec>,
    /// Record a trace of every request (E7): a span per request, call attempt and serve, shown
    /// in the Traces view. Off by default: it costs simulator speed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tracing: bool,
}

/// One service: its worker pools (one shared, or one per dependency = bulkheads) and endpoints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    pub name: String,
    #[serde(default = "default_pools")]
    pub pools: Vec<PoolSpec>,
    pub endpoints: Vec<EndpointSpec>,
}

/// A worker pool: a request holds a worker from arrival until it answers (thread-per-request).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    pub name: String,
    pub workers: u32,
    /// Requests that may wait for a worker; more are rejected at once.
    #[serde(default)]
    pub queue_cap: u32,
}

fn default_pools() -> Vec<PoolSpec> {
    vec![PoolSpec { name: "main".into(), workers: 8, queue_cap: 64 }]
}

/// An endpoint: local work, then its calls in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointSpec {
    pub name: String,
    /// The pool it runs on (default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// Local processing time.
    #[serde(default)]
    pub work: Dist,
    /// Share of requests that fail on their own, in parts per million.
    #[serde(default)]
    pub fail_ppm: u32,
    #[serde(default)]
    pub calls: Vec<CallSpec>,
    /// Graceful degradation: skip `optional` calls while the pool's busy workers are at or above
    /// this percentage (0 = never shed).
    #[serde(default)]
    pub shed_above_pct: u32,
}

/// What a caller does when a call fails for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// The caller's request fails too.
    #[default]
    None,
    /// Answer without it ("product information temporarily unavailable").
    Static,
    /// Serve the last good answer if there is one (stale), else fail.
    StaleCache,
}

/// One call site: a caller's policy towards one dependency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallSpec {
    pub service: String,
    /// The endpoint called (default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Give up on an attempt after this long (0 = wait forever).
    #[serde(default)]
    pub timeout_ms: u64,
    #[serde(default)]
    pub retry: RetryPolicy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaker: Option<BreakerConfig>,
    #[serde(default)]
    pub fallback: Fallback,
    /// Non-critical: may be shed under overload (see `shed_above_pct`).
    #[serde(default)]
    pub optional: bool,
}

fn bad(field: impl Into<String>, msg: impl Into<String>) -> ScenarioError {
    ScenarioError::invalid(field, msg)
}

impl MeshConfig {
    pub fn service_index(&self, name: &str) -> Option<usize> {
        self.services.iter().position(|s| s.name == name)
    }

    /// The endpoint index a call targets, if the service and endpoint exist.
    pub fn endpoint_index(&self, call: &CallSpec) -> Option<(usize, usize)> {
        let s = self.service_index(&call.service)?;
        let eps = &self.services[s].endpoints;
        let e = match &call.endpoint {
            None => 0,
            Some(n) => eps.iter().position(|e| &e.name == n)?,
        };
        Some((s, e))
    }

    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        let clients = sc.workload.clients;
        if clients == 0 {
            return Err(bad("workload.clients", "the service graph needs at least one client"));
        }
        let max = (limits::MAX_NODES - clients) as usize;
        if self.services.is_empty() || self.services.len() > max {
            return Err(bad("protocol.services", format!("need 1 to {max} services")));
        }
        if self.entries.is_empty() || self.entries.len() > 64 {
            return Err(bad("protocol.entries", "need 1 to 64 entry calls"));
        }
        for (i, s) in self.services.iter().enumerate() {
            self.check_service(s, &format!("protocol.services[{i}]"), clients)?;
        }
        for (i, c) in self.entries.iter().enumerate() {
            self.check_call(c, &format!("protocol.entries[{i}]"))?;
        }
        // Client k calls entry k mod n and gives up on it only at that entry's timeout, else at
        // the workload's.
        let mut used = self.entries.iter().take(clients as usize);
        if let Some(i) = used.position(|c| c.timeout_ms == 0) {
            if sc.workload.closed_without_timeout() {
                return Err(bad(
                    "workload.timeout_ms",
                    format!(
                        "a closed loop needs a client timeout: a request lost at a crashed service or \
                         on the wire is never answered, so it would hold its slot for good; use 1 or \
                         more, or set protocol.entries[{i}].timeout_ms (the presets set 1000 to 3000)"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_service(&self, s: &ServiceSpec, f: &str, clients: u32) -> Result<(), ScenarioError> {
        let client_like =
            s.name.strip_prefix('c').is_some_and(|n| n.parse::<u32>().is_ok_and(|k| k <= clients));
        if s.name.is_empty() || s.name.len() > 40 || client_like {
            return Err(bad(format!("{f}.name"), "1 to 40 characters, not a client name (c1, c2, …)"));
        }
        // `*` means every node in a link or fault, and is a run report's key for a global value.
        if s.name == "*" {
            return Err(bad(format!("{f}.name"), "\"*\" stands for every node: name the service in words"));
        }
        if self.services.iter().filter(|o| o.name == s.name).count() > 1 {
            return Err(bad(format!("{f}.name"), format!("two services are named {:?}", s.name)));
        }
        if s.pools.is_empty() || s.pools.len() > 16 {
            return Err(bad(format!("{f}.pools"), "need 1 to 16 pools"));
        }
        for (j, p) in s.pools.iter().enumerate() {
            let pf = format!("{f}.pools[{j}]");
            ScenarioError::require(
                (1..=10_000).contains(&p.workers),
                format!("{pf}.workers"),
                "must be 1 to 10000",
            )?;
            ScenarioError::require(
                p.queue_cap <= 1_000_000,
                format!("{pf}.queue_cap"),
                "must be at most 1000000",
            )?;
        }
        if s.endpoints.is_empty() || s.endpoints.len() > 16 {
            return Err(bad(format!("{f}.endpoints"), "need 1 to 16 endpoints"));
        }
        for (j, e) in s.endpoints.iter().enumerate() {
            let ef = format!("{f}.endpoints[{j}]");
            if let Some(p) = &e.pool {
                if !s.pools.iter().any(|q| &q.name == p) {
                    return Err(bad(format!("{ef}.pool"), format!("no pool named {p:?}")));
                }
            }
            e.work.check(0).map_err(|m| bad(format!("{ef}.work"), m))?;
            let rule =
                |holds: bool, name: &str, m: &str| ScenarioError::require(holds, format!("{ef}.{name}"), m);
            rule(e.fail_ppm <= limits::PPM, "fail_ppm", "must be at most 1000000 (100 %)")?;
            rule(e.shed_above_pct <= 100, "shed_above_pct", "must be 0 to 100")?;
            rule(e.calls.len() <= 16, "calls", "at most 16 calls")?;
            for (k, c) in e.calls.iter().enumerate() {
                self.check_call(c, &format!("{ef}.calls[{k}]"))?;
            }
        }
        Ok(())
    }

    fn check_call(&self, c: &CallSpec, f: &str) -> Result<(), ScenarioError> {
        if self.endpoint_index(c).is_none() {
            // In words: the field at fault, and the names it may take (it printed Rust's
            // `Some("zz")` and named the service for a wrong endpoint: review 18).
            let quoted =
                |names: Vec<&str>| names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
            let Some(s) = self.service_index(&c.service) else {
                let names = quoted(self.services.iter().map(|s| s.name.as_str()).collect());
                return Err(bad(
                    format!("{f}.service"),
                    format!("no service \"{}\"; services are {names}", c.service),
                ));
            };
            let eps = quoted(self.services[s].endpoints.iter().map(|e| e.name.as_str()).collect());
            let named = c.endpoint.as_deref().unwrap_or_default();
            let why =
                format!("service \"{}\" has no endpoint \"{named}\"; its endpoints are {eps}", c.service);
            return Err(bad(format!("{f}.endpoint"), why));
        }
        if c.timeout_ms > 3_600_000 {
            return Err(bad(format!("{f}.timeout_ms"), "must be at most 3600000"));
        }
        c.retry.check().map_err(|m| bad(format!("{f}.retry"), m))?;
        if let Some(b) = &c.breaker {
            b.check().map_err(|(field, m)| bad(format!("{f}.breaker.{field}"), m))?;
        }
        Ok(())
    }
}
