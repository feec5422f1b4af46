//! Limits and checks. Everything a scenario can ask for is bounded, so a shared link can never
//! freeze a tab; every error names the field and says what would be acceptable.

use super::{Arrival, Keys, LinkSpec, Meta, Scenario, ScenarioError, ScenarioEvent, FORMAT_VERSION};

/// Why a closed loop refuses bursts and surges: they scale the open-loop rate, and ignoring them
/// (as the clients did) left a spike that validated and never came.
pub(crate) const CLOSED_LOOP_HAS_NO_RATE: &str =
    "bursts and surges scale the open-loop rate, and a closed loop has \
     none (its load is its concurrency and think time): remove them, or use an open arrival";

/// The limits, public so the UI can show them next to inputs.
pub mod limits {
    pub const MAX_NODES: u32 = 512;
    pub const MAX_CLIENTS: u32 = 256;
    pub const MAX_STOP_MS: u64 = 24 * 3_600_000;
    /// Each event is a row in the app's event list, a timeline marker and a row of the Editor's
    /// form: at 1,000 the page still plays at 60 frames a second, at 2,000 it did not, and 10,000
    /// froze it for seconds (review 18). The presets script at most a dozen.
    pub const MAX_EVENTS: usize = 1_000;
    pub const MAX_RATE_PER_S: u32 = 200_000;
    pub const MAX_KEYS: u32 = 1_000_000;
    pub const MAX_ZIPF_KEYS: u32 = 100_000;
    pub const MAX_TRACE_CAPACITY: u32 = 2_000_000;
    pub const MAX_SIM_EVENTS: u64 = 2_000_000_000;
    /// Characters in a lesson.
    pub const MAX_TEXT: usize = 20_000;
    /// Characters in a title.
    pub const MAX_TITLE: usize = 200;
    pub const PPM: u32 = 1_000_000;
    pub const MAX_CONCURRENCY: u32 = 1_000;
    /// Requests a closed loop keeps going, all clients together. The page draws every message in
    /// flight: at 50,000 it played without a task over 50 ms, at 256,000 (256 clients × 1,000)
    /// it reached 55 ms of the run in two minutes, in tasks of up to 97 ms.
    pub const MAX_OUTSTANDING: u32 = 50_000;
    pub const MAX_BURST_PCT: u32 = 10_000;
    pub const MAX_ZIPF_S_MILLI: u32 = 5_000;
    pub const MAX_METRICS_INTERVAL_MS: u64 = 3_600_000;
}
use limits::*;

/// The values a numeric field allows, by its path (`workload.clients`, `network.links[2].spec.loss_ppm`),
/// where validation bounds it more tightly than its type: for messages about a value that did not
/// even parse (`1e12` requests per second does not fit in the field at all).
pub(crate) fn range_of(field: &str) -> Option<(u64, u64)> {
    let general: String = {
        let mut out = String::new();
        let mut in_index = false;
        for c in field.trim_start_matches('.').chars() {
            match c {
                '[' => in_index = true,
                ']' => {
                    in_index = false;
                    out.push_str("[]");
                }
                _ if !in_index => out.push(c),
                _ => {}
            }
        }
        out
    };
    let last = general.rsplit('.').next().unwrap_or_default();
    Some(match general.as_str() {
        "stop_at_ms" => (1, MAX_STOP_MS),
        "workload.clients" => (0, MAX_CLIENTS.into()),
        "workload.arrival.rate_per_s" => (0, MAX_RATE_PER_S.into()),
        "workload.arrival.concurrency" => (1, MAX_CONCURRENCY.into()),
        "workload.bursts[].rate_pct" => (0, MAX_BURST_PCT.into()),
        "workload.keys.count" => (1, MAX_KEYS.into()),
        "workload.keys.s_milli" => (0, MAX_ZIPF_S_MILLI.into()),
        "workload.read_permille" => (0, 1000),
        "sim.metrics_interval_ms" => (1, MAX_METRICS_INTERVAL_MS),
        "sim.trace_capacity" => (1, MAX_TRACE_CAPACITY.into()),
        "sim.max_events" => (1, MAX_SIM_EVENTS),
        _ if general.starts_with("network.") && ["loss_ppm", "dup_ppm", "reorder_ppm"].contains(&last) => {
            (0, PPM.into())
        }
        _ => return None,
    })
}

impl Meta {
    /// The title and the lesson fit their limits (in characters, as a teacher counts them); the
    /// error names the field, `meta.title` or `meta.lesson`.
    pub fn check(&self) -> Result<(), ScenarioError> {
        for (field, text, max) in [("title", &self.title, MAX_TITLE), ("lesson", &self.lesson, MAX_TEXT)] {
            let n = text.chars().count();
            if n > max {
                return Err(bad(
                    format!("meta.{field}"),
                    format!("at most {max} characters; this one has {n}: shorten it by {}", n - max),
                ));
            }
        }
        Ok(())
    }
}

impl Scenario {
    /// The open-loop rate at its peak (a burst or a surge scales it) within the protocol's own
    /// limit, if it has one.
    fn check_peak_rate(&self) -> Result<(), ScenarioError> {
        let (Arrival::Open { rate_per_s }, Some((max, why))) =
            (&self.workload.arrival, self.protocol.max_rate_per_s())
        else {
            return Ok(());
        };
        let bursts = self.workload.bursts.iter().map(|b| b.rate_pct);
        let surges = self.events.iter().filter_map(|e| match &e.event {
            ScenarioEvent::Surge { rate_pct, .. } => Some(*rate_pct),
            _ => None,
        });
        let pct = bursts.chain(surges).fold(100, u32::max);
        let peak = u64::from(*rate_per_s) * u64::from(pct) / 100;
        if peak <= u64::from(max) {
            return Ok(());
        }
        let kind = self.protocol.kind();
        let what = if pct > 100 {
            format!(
                "{rate_per_s} a second, ×{} at its peak (a burst or surge), is {peak}",
                pct as f64 / 100.0
            )
        } else {
            format!("{rate_per_s} a second")
        };
        let most = u64::from(max) * 100 / u64::from(pct);
        Err(bad(
            "workload.arrival.rate_per_s",
            format!("{what}, over {kind}'s limit of {max}: {why}, so a simulated second would take many seconds to minutes; use at most {most}"),
        ))
    }
}

fn bad(field: impl Into<String>, msg: impl Into<String>) -> ScenarioError {
    ScenarioError::invalid(field, msg)
}

/// Check a link spec; `field` is its path for messages.
pub fn check_link(spec: &LinkSpec, field: &str) -> Result<(), ScenarioError> {
    spec.latency.check(0).map_err(|m| bad(format!("{field}.latency"), m))?;
    for (name, v) in
        [("loss_ppm", spec.loss_ppm), ("dup_ppm", spec.dup_ppm), ("reorder_ppm", spec.reorder_ppm)]
    {
        if v > PPM {
            return Err(bad(format!("{field}.{name}"), format!("{v} is over 1000000 (100 %)")));
        }
    }
    Ok(())
}

impl Scenario {
    /// Check every limit. Node names are checked against the protocol's nodes by the registry.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.v != FORMAT_VERSION {
            return Err(ScenarioError::Version(self.v));
        }
        if self.stop_at_ms == 0 || self.stop_at_ms > MAX_STOP_MS {
            return Err(bad(
                "stop_at_ms",
                format!("must be 1 to {MAX_STOP_MS} (24 h); got {}", self.stop_at_ms),
            ));
        }
        self.meta.check()?;
        self.check_script_ends_in_time()?;
        super::slow_motion::check(&self.meta.slow_motion, self.stop_at_ms)?;
        self.check_network()?;
        self.check_workload()?;
        self.check_events()?;
        if let Some(c) = &self.chaos {
            c.check()?;
        }
        let s = &self.sim;
        if s.metrics_interval_ms == 0 || s.metrics_interval_ms > MAX_METRICS_INTERVAL_MS {
            return Err(bad("sim.metrics_interval_ms", "must be 1 to 3600000"));
        }
        if s.trace_capacity == 0 || s.trace_capacity > MAX_TRACE_CAPACITY {
            return Err(bad("sim.trace_capacity", format!("must be 1 to {MAX_TRACE_CAPACITY}")));
        }
        if s.max_events == 0 || s.max_events > MAX_SIM_EVENTS {
            return Err(bad("sim.max_events", format!("must be 1 to {MAX_SIM_EVENTS}")));
        }
        self.protocol.validate(self)
    }

    fn check_network(&self) -> Result<(), ScenarioError> {
        check_link(&self.network.default_link, "network.default")?;
        if self.network.links.len() > 4096 {
            return Err(bad("network.links", "at most 4096 link overrides"));
        }
        for (i, l) in self.network.links.iter().enumerate() {
            check_link(&l.spec, &format!("network.links[{i}].spec"))?;
        }
        if let Some(r) = &self.network.regions {
            let n = r.names.len();
            if n == 0 || n > 32 {
                return Err(bad("network.regions.names", "need 1 to 32 regions"));
            }
            if r.latency_ms.len() != n || r.latency_ms.iter().any(|row| row.len() != n) {
                return Err(bad(
                    "network.regions.latency_ms",
                    format!("must be a {n}×{n} matrix, one row per region"),
                ));
            }
            if r.latency_ms.iter().flatten().any(|&v| v > 60_000) {
                return Err(bad("network.regions.latency_ms", "latencies must be at most 60000 ms"));
            }
            for (node, region) in &r.of {
                if !r.names.contains(region) {
                    return Err(bad(
                        format!("network.regions.of.{node}"),
                        format!("unknown region {region:?}"),
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_workload(&self) -> Result<(), ScenarioError> {
        let w = &self.workload;
        if w.clients > MAX_CLIENTS {
            return Err(bad(
                "workload.clients",
                // Not "use 0 to 256": most protocols then refuse 0 (review 18).
                format!(
                    "{} clients is over the limit of {MAX_CLIENTS}: use at most {MAX_CLIENTS}",
                    w.clients
                ),
            ));
        }
        match &w.arrival {
            Arrival::Open { rate_per_s } if *rate_per_s > MAX_RATE_PER_S => {
                return Err(bad(
                    "workload.arrival.rate_per_s",
                    format!("{rate_per_s} is over the limit of {MAX_RATE_PER_S}: use 0 to {MAX_RATE_PER_S}"),
                ));
            }
            Arrival::Closed { concurrency, think } => {
                if *concurrency == 0 || *concurrency > MAX_CONCURRENCY {
                    return Err(bad("workload.arrival.concurrency", "must be 1 to 1000"));
                }
                let outstanding = concurrency.saturating_mul(w.clients);
                if outstanding > MAX_OUTSTANDING {
                    let why = format!(
                        "{} clients × {concurrency} is {outstanding} requests kept going; the limit is \
                         {MAX_OUTSTANDING} in all: use at most {} per client, or fewer clients",
                        w.clients,
                        MAX_OUTSTANDING / w.clients
                    );
                    return Err(bad("workload.arrival.concurrency", why));
                }
                // A think time of 0 is taken as 1 µs (`Generator::think_after`), so it never
                // spins in one instant: no think time is a closed loop's classic benchmark.
                think.check(0).map_err(|m| bad("workload.arrival.think", m))?;
                if !w.bursts.is_empty() {
                    return Err(bad("workload.bursts", CLOSED_LOOP_HAS_NO_RATE));
                }
            }
            _ => {}
        }
        self.check_peak_rate()?;
        for (i, b) in w.bursts.iter().enumerate() {
            if b.at_ms > self.stop_at_ms {
                let why = format!("{} is after stop_at_ms ({})", b.at_ms, self.stop_at_ms);
                return Err(bad(format!("workload.bursts[{i}].at_ms"), why));
            }
            if b.rate_pct > MAX_BURST_PCT {
                return Err(bad(format!("workload.bursts[{i}].rate_pct"), "at most 10000 (100×)"));
            }
        }
        let (count, zipf) = match w.keys {
            Keys::Uniform { count } => (count, false),
            Keys::Zipf { count, s_milli } => {
                if s_milli > MAX_ZIPF_S_MILLI {
                    return Err(bad("workload.keys.s_milli", "at most 5000"));
                }
                (count, true)
            }
        };
        let max = if zipf { MAX_ZIPF_KEYS } else { MAX_KEYS };
        if count == 0 || count > max {
            return Err(bad("workload.keys.count", format!("must be 1 to {max}")));
        }
        if w.read_permille > 1000 {
            return Err(bad("workload.read_permille", "at most 1000"));
        }
        Ok(())
    }

    /// Scripted things that would start after the run ends: one is reported at its own field
    /// (it was likely the one moved); several at `stop_at_ms` (likely shortened), with the value
    /// that keeps them all, so shortening a run is not refused one event per Apply.
    fn check_script_ends_in_time(&self) -> Result<(), ScenarioError> {
        let stop = self.stop_at_ms;
        // The least stop_at_ms each needs: an event or burst may start on the stop, a stretch before it.
        let needs = |name: &'static str, plural: &'static str, least: Vec<u64>| {
            let late: Vec<u64> = least.into_iter().filter(|&n| n > stop).collect();
            (if late.len() == 1 { name } else { plural }, late)
        };
        let late = [
            needs("scripted event", "scripted events", self.events.iter().map(|e| e.at_ms).collect()),
            needs(
                "slow-motion stretch",
                "slow-motion stretches",
                self.meta.slow_motion.iter().map(|s| s.from_ms.saturating_add(1)).collect(),
            ),
            needs("burst", "bursts", self.workload.bursts.iter().map(|b| b.at_ms).collect()),
        ];
        let late: Vec<_> = late.iter().filter(|(_, v)| !v.is_empty()).collect();
        if late.iter().map(|(_, v)| v.len()).sum::<usize>() < 2 {
            return Ok(());
        }
        let needed = late.iter().flat_map(|(_, v)| v).max().copied().unwrap_or(stop);
        let what: Vec<String> = late.iter().map(|(name, v)| format!("{} {name}", v.len())).collect();
        let what = match what.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => what.concat(),
        };
        let why =
            format!("{stop} ends the run before {what} start: make it at least {needed}, or remove them");
        Err(bad("stop_at_ms", why))
    }

    fn check_events(&self) -> Result<(), ScenarioError> {
        if self.events.len() > MAX_EVENTS {
            let n = self.events.len();
            let why = format!("{n} events; the limit is {MAX_EVENTS}: remove {} of them", n - MAX_EVENTS);
            return Err(bad("events", why));
        }
        for (i, e) in self.events.iter().enumerate() {
            let field = format!("events[{i}]");
            if e.at_ms > self.stop_at_ms {
                return Err(bad(
                    format!("{field}.at_ms"),
                    format!("{} is after stop_at_ms ({})", e.at_ms, self.stop_at_ms),
                ));
            }
            match &e.event {
                ScenarioEvent::Link { spec, .. } => check_link(spec, &format!("{field}.event.spec"))?,
                ScenarioEvent::Partition { groups } => {
                    if let Some(why) = twice_in_a_partition(groups) {
                        return Err(bad(format!("{field}.event.groups"), why));
                    }
                }
                ScenarioEvent::Slow { factor_pct, .. } if !(1..=100_000).contains(factor_pct) => {
                    return Err(bad(
                        format!("{field}.event.factor_pct"),
                        "must be 1 to 100000 (100 = normal speed)",
                    ));
                }
                ScenarioEvent::ClockSkew { offset_us, .. } if offset_us.unsigned_abs() > 3_600_000_000 => {
                    return Err(bad(format!("{field}.event.offset_us"), "must be within ±3600000000 (1 h)"));
                }
                ScenarioEvent::ClockSkew { drift_ppm, .. } if drift_ppm.unsigned_abs() > 500_000 => {
                    return Err(bad(format!("{field}.event.drift_ppm"), "must be within ±500000"));
                }
                ScenarioEvent::Surge { .. } if matches!(self.workload.arrival, Arrival::Closed { .. }) => {
                    return Err(bad(format!("{field}.event"), CLOSED_LOOP_HAS_NO_RATE));
                }
                ScenarioEvent::Surge { rate_pct, .. } if !(1..=10_000).contains(rate_pct) => {
                    return Err(bad(
                        format!("{field}.event.rate_pct"),
                        "must be 1 to 10000 (100 = normal load)",
                    ));
                }
                ScenarioEvent::Surge { duration_ms, .. } if !(1..=3_600_000).contains(duration_ms) => {
                    return Err(bad(format!("{field}.event.duration_ms"), "must be 1 to 3600000"));
                }
                ScenarioEvent::LoseMessage { id: 0 } => {
                    return Err(bad(
                        format!("{field}.event.id"),
                        "message ids start at 1 (hover a message in flight to see its id)",
                    ));
                }
                ScenarioEvent::Tune { knob, to, .. } if knob.len() > 64 || to.len() > 64 => {
                    return Err(bad(
                        format!("{field}.event"),
                        "a knob and its value are at most 64 characters each",
                    ));
                }
                ScenarioEvent::Note { text } if text.len() > 500 => {
                    return Err(bad(format!("{field}.event.text"), "at most 500 characters"));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// A node named in two groups of a partition, in words: it cannot be on both sides (review 50 A1:
/// accepted, the list showed `n1,n2 | n2,n3` while the network put n2 with n3 alone).
fn twice_in_a_partition(groups: &[Vec<String>]) -> Option<String> {
    for (g, group) in groups.iter().enumerate() {
        for (k, node) in group.iter().enumerate() {
            if group[..k].contains(node) {
                return Some(format!("{node} is named twice in group {}: name each node once", g + 1));
            }
            if let Some(h) = groups[..g].iter().position(|other| other.contains(node)) {
                return Some(format!(
                    "{node} is in group {} and group {}: a node is on one side of a partition only; \
                     take it out of one of them",
                    h + 1,
                    g + 1
                ));
            }
        }
    }
    None
}
