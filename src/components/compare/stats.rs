//! The key figures of one run, for Compare's table (`table`).

use crate::charts::choice::{catalog, is_failure_counter, named_in};
use crate::charts::series::Kind;
use crate::components::invariants::secs;
use dsplay_core::check::{check_history_with, Partitioning, Verdict};
use dsplay_core::sim::metrics::{Metric, MetricKind, Shape};
use dsplay_core::{SimTime, Simulation};

/// The key figures of one run so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// The request latency histograms' names with their p50, p95, p99 in ms (d3 has a read's
    /// and a write's); no figures before a sample. What they time is said by [`timed`].
    pub latency: Vec<(&'static str, Option<[f64; 3]>)>,
    /// How many requests those histograms timed (their samples).
    pub timed: u64,
    pub errors: u64,
    /// Timed requests per simulated second.
    pub throughput: f64,
    /// Broken invariants; `None` if the run declares none and no node reported one (d3's Dynamo
    /// mode: its stale reads are counted, not checked, and "0 violations" would read as
    /// "consistent").
    pub violations: Option<usize>,
    /// The counters of failures the lesson names, summed over nodes (d3's `stale_reads`), and
    /// the run-wide gauges it names, as they stand (t7's `hit_ratio_permille`); `None` for a
    /// gauge with no reading (t4's `util_pct` with no tasks to measure).
    pub named: Vec<(String, Option<i64>)>,
}

/// Most run-wide gauges a lesson names in the table.
const MOST_GAUGES: usize = 3;

/// Most latency histograms in the table (three rows each).
const MOST_LATENCIES: usize = 3;

/// The run's request latency histograms: global `latency_ms` if there is one (others are parts
/// of it), else every global `*latency*` (d3's `read_latency_ms` and `write_latency_ms`).
fn latency_metrics(sim: &dyn Simulation) -> Vec<&Metric> {
    let hists = || {
        sim.metrics()
            .all()
            .iter()
            .filter(|m| m.node.is_none() && matches!(m.kind, MetricKind::Histogram { .. }))
    };
    match hists().find(|m| m.name == "latency_ms") {
        Some(m) => vec![m],
        None => hists().filter(|m| m.name.contains("latency")).take(MOST_LATENCIES).collect(),
    }
}

/// Counters of the protocol's own turns of state, which the knobs being compared most often move:
/// a Raft heartbeat against a slower one showed 298 successes against 297 and "no difference",
/// while B held two more elections (review 45).
const TURNS: [&str; 7] =
    ["elections", "leader_changes", "step_downs", "failovers", "promotions", "scale_outs", "scale_ins"];

/// The table's extra rows: the failure counters a lesson names (in `backticks`), in its order,
/// then the first few run-wide gauges it names (t7's headline `hit_ratio_permille` was missing
/// from the table of a lesson about it; review 16), then the protocol's [turns](TURNS) it counts.
pub fn named_rows(lesson: &str, sim: &dyn Simulation) -> Vec<String> {
    let cat = catalog(sim.metrics());
    let is = |n: &str, kind: Kind| cat.iter().any(|(m, k)| m == n && *k == kind);
    let named = named_in(lesson, &cat);
    let failures = named.iter().filter(|n| is(n, Kind::Counter) && is_failure_counter(n) && *n != "errors");
    let run_wide = |n: &&String| is(n, Kind::Gauge) && sim.metrics().get(n, None).is_some();
    let gauges = named.iter().filter(run_wide).take(MOST_GAUGES);
    let mut rows: Vec<String> = failures.chain(gauges).cloned().collect();
    let turns = TURNS.iter().filter(|t| is(t, Kind::Counter) && !rows.iter().any(|r| r == *t));
    rows.extend(turns.map(|t| t.to_string()).collect::<Vec<_>>());
    rows
}

/// A named row's figure: a counter's total over the nodes, a gauge's value now (`None` with no
/// reading, as the CLI's `null`: review 48 B4 read "util_pct 0" for a run that measured none).
fn figure(sim: &dyn Simulation, name: &str) -> Option<i64> {
    match sim.metrics().get(name, None).map(|m| &m.kind) {
        Some(MetricKind::Gauge { value }) => Some(*value),
        Some(MetricKind::Unset) => None,
        None if sim.metrics().listed_as(name, None) == Some(Shape::Gauge) => None,
        _ => Some(sim.metrics().counter_sum(name) as i64),
    }
}

pub fn summary(sim: &dyn Simulation, named: &[String]) -> Summary {
    let secs = sim.now().as_us() as f64 / 1e6;
    let mut s = Summary {
        errors: sim.metrics().counter_sum("errors"),
        // A rule a node reports is counted even where the protocol declares none.
        violations: (!sim.invariants().is_empty() || !sim.violations().is_empty())
            .then(|| sim.violations().len()),
        named: named.iter().map(|n| (n.clone(), figure(sim, n))).collect(),
        ..Summary::default()
    };
    let (mut done, mut consumed) = (0, 0);
    for m in latency_metrics(sim) {
        if let MetricKind::Histogram { all, .. } = &m.kind {
            let q = |x: f64| all.value_at_quantile(x) as f64 / 1000.0;
            s.latency.push((m.name, (!all.is_empty()).then(|| [q(0.5), q(0.95), q(0.99)])));
            // A queue's two histograms time the same messages (in the queue, and end to end):
            // counted once (review 48 A2: "messages consumed" was twice the CLI's `consumed`).
            // d3's reads and writes are different requests, added up.
            match timed(m.name) {
                "messages consumed" => consumed = consumed.max(all.len()),
                _ => done += all.len(),
            }
        }
    }
    let done = done + consumed;
    s.timed = done;
    s.throughput = if secs > 0.0 { done as f64 / secs } else { 0.0 };
    s
}

/// What a latency histogram times, in a word: which requests its figures are of. Each protocol
/// observes its request latency when a request succeeds (`ctx.observe` next to `responses`,
/// `acked_writes`, `reads_ok`: core/src/protocols/*/client.rs, node.rs); a failed or timed-out
/// request is counted in `errors` and has no latency. So a run whose requests mostly fail has the
/// latency of its few successes (review 19: r4's retry storm looked faster than the fix). Three
/// histograms time something else: e5's orders, confirmed or cancelled, the event queues'
/// messages, and Raft's committed entries.
pub fn timed(name: &str) -> &'static str {
    match name {
        // transactions/client.rs: observed on every outcome, `errors` counting the cancelled too.
        "order_latency_ms" => "answers",
        // events/broker.rs: observed when a consumer acknowledges the message.
        "queue_latency_ms" | "e2e_latency_ms" => "messages consumed",
        // raft/replicate.rs: observed when an entry commits, a client's or a new leader's no-op
        // (d4-election-downtime has no clients, and its 51 no-ops read as "successes": review 21).
        "commit_latency_ms" => "commits",
        _ => "successes",
    }
}

/// Whether the run's key-value history so far is linearizable, in a word or two (`None`: the run
/// keeps no history). The same check as the Invariants tab's, with its budget.
pub fn linearizable(sim: &dyn Simulation) -> Option<String> {
    let h = sim.history();
    if h.is_empty() {
        return None;
    }
    Some(match check_history_with(h, Partitioning::ByKey, super::super::lincheck::BUDGET).verdict {
        Verdict::Linearizable => "✓ yes".to_string(),
        // The operation's kind, who and on what: its value is the history's code for a write
        // ("read → 3000000004"), said in words only by the Invariants tab.
        Verdict::NotLinearizable { first_bad } => {
            let op = first_bad.description.split(' ').next().unwrap_or("operation");
            let who = sim.node_names().get(first_bad.client as usize).cloned().unwrap_or_default();
            let key = h.ops.iter().find(|o| o.id == first_bad.op_id).map(|o| sim.key_label(o.key));
            let on = key.map(|k| format!(" on {k}")).unwrap_or_default();
            format!("✗ no: {who}'s {op}{on} at {}", secs(SimTime(first_bad.call)))
        }
        Verdict::Unknown { .. } => "? undecided (too long to check)".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::{summary, timed};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn ran(id: &str) -> Box<dyn dsplay_core::Simulation> {
        let sc = dsplay_core::presets::get(id).expect("preset");
        let mut sim = dsplay_core::registry::build(&sc).expect("build");
        sim.run_until(sim.stop_at());
        sim
    }

    #[wasm_bindgen_test]
    fn the_count_of_timed_requests_is_the_runs_own() {
        let e1 = ran("e1-backpressure");
        assert_eq!(
            summary(e1.as_ref(), &[]).timed,
            e1.metrics().counter_sum("consumed"),
            "each message once"
        );
        let d3 = ran("d3-quorum-stale-read");
        let h = |n: &str| d3.metrics().histogram(n, None).map_or(0, |h| h.len());
        assert_eq!(summary(d3.as_ref(), &[]).timed, h("read_latency_ms") + h("write_latency_ms"));
    }

    /// t4 without its autoscaler measures no utilisation: the CLI says `null`, the table "–".
    #[wasm_bindgen_test]
    fn a_gauge_with_no_reading_has_no_figure() {
        let mut v =
            serde_json::to_value(dsplay_core::presets::get("t4-autoscaling").expect("preset")).expect("json");
        v["protocol"].as_object_mut().map(|p| p.remove("autoscale"));
        v["protocol"]["tasks"]["count"] = 8.into();
        let sc = dsplay_core::Scenario::from_json(&v.to_string()).expect("valid");
        let mut sim = dsplay_core::registry::build(&sc).expect("build");
        sim.run_until(sim.stop_at());
        assert_eq!(dsplay_core::report::report(sim.as_ref())["metrics"]["util_pct"], serde_json::Value::Null);
        let named = summary(sim.as_ref(), &["util_pct".to_string(), "errors".to_string()]).named;
        assert_eq!(named, [("util_pct".to_string(), None), ("errors".to_string(), Some(0))]);
    }

    #[wasm_bindgen_test]
    fn a_latency_row_names_what_its_histogram_times() {
        assert_eq!(timed("latency_ms"), "successes");
        assert_eq!(timed("order_latency_ms"), "answers");
        // d4-election-downtime has no clients: its commits are new leaders' no-ops.
        assert_eq!(timed("commit_latency_ms"), "commits");
    }
}
