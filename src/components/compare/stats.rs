//! The key figures of A and B, side by side in a table.

use crate::charts::choice::{catalog, is_failure_counter, named_in};
use crate::charts::series::Kind;
use crate::components::invariants::secs;
use dsplay_core::check::{check_history_with, Partitioning, Verdict};
use dsplay_core::sim::metrics::{Metric, MetricKind};
use dsplay_core::{SimTime, Simulation};
use yew::prelude::*;

/// The key figures of one run so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// The request latency histograms' names with their p50, p95, p99 in ms (d3 has a read's
    /// and a write's); no figures before a sample.
    pub latency: Vec<(&'static str, Option<[f64; 3]>)>,
    pub errors: u64,
    /// Completed requests per simulated second (samples of those histograms).
    pub throughput: f64,
    /// Broken invariants; `None` if the run checks none (d3's Dynamo mode: its stale reads are
    /// counted, not checked, and "0 violations" would read as "consistent").
    pub violations: Option<usize>,
    /// The counters of failures the lesson names, summed over nodes (d3's `stale_reads`), and
    /// the run-wide gauges it names, as they stand (t7's `hit_ratio_permille`).
    pub named: Vec<(String, i64)>,
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

/// The table's extra rows: the failure counters a lesson names (in `backticks`), in its order,
/// then the first few run-wide gauges it names (t7's headline `hit_ratio_permille` was missing
/// from the table of a lesson about it; review 16).
pub fn named_rows(lesson: &str, sim: &dyn Simulation) -> Vec<String> {
    let cat = catalog(sim.metrics());
    let is = |n: &String, kind: Kind| cat.iter().any(|(m, k)| m == n && *k == kind);
    let named = named_in(lesson, &cat);
    let failures = named.iter().filter(|n| is(n, Kind::Counter) && is_failure_counter(n) && *n != "errors");
    let run_wide = |n: &&String| is(n, Kind::Gauge) && sim.metrics().get(n, None).is_some();
    let gauges = named.iter().filter(run_wide).take(MOST_GAUGES);
    failures.chain(gauges).cloned().collect()
}

/// A named row's figure: a counter's total over the nodes, a gauge's value now (0 before any).
fn figure(sim: &dyn Simulation, name: &str) -> i64 {
    match sim.metrics().get(name, None).map(|m| &m.kind) {
        Some(MetricKind::Gauge { value }) => *value,
        _ => sim.metrics().counter_sum(name) as i64,
    }
}

pub fn summary(sim: &dyn Simulation, named: &[String]) -> Summary {
    let secs = sim.now().as_us() as f64 / 1e6;
    let mut s = Summary {
        errors: sim.metrics().counter_sum("errors"),
        violations: (!sim.invariants().is_empty()).then(|| sim.violations().len()),
        named: named.iter().map(|n| (n.clone(), figure(sim, n))).collect(),
        ..Summary::default()
    };
    let mut done = 0;
    for m in latency_metrics(sim) {
        if let MetricKind::Histogram { all, .. } = &m.kind {
            let q = |x: f64| all.value_at_quantile(x) as f64 / 1000.0;
            s.latency.push((m.name, (!all.is_empty()).then(|| [q(0.5), q(0.95), q(0.99)])));
            done += all.len();
        }
    }
    s.throughput = if secs > 0.0 { done as f64 / secs } else { 0.0 };
    s
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

fn row(name: &str, a: String, b: String) -> Html {
    html! { <tr><th scope="row">{name.to_string()}</th><td class="a">{a}</td><td class="b">{b}</td></tr> }
}

/// A's and B's figures in two columns, so far: the caption says up to when (`now` of `stop`), as
/// at time 0 every figure reads 0 (review 16: the zeros read as results); `linearizable` for runs
/// that keep a key-value history (checked only while paused: a check per frame of playback would
/// cost too much).
pub fn table(
    a: &Summary,
    b: &Summary,
    (now, stop): (SimTime, SimTime),
    linearizable: Option<(String, String)>,
) -> Html {
    let caption = match now >= stop {
        true => format!("The whole run, to {}", secs(stop)),
        false => format!(
            "So far: the first {} of {} (Run both to the end for the whole run)",
            secs(now),
            secs(stop)
        ),
    };
    // Each latency by name (d3's read_latency_ms and write_latency_ms); "–" before a sample.
    let lat = |s: &Summary, name: &str, i: usize| {
        let l = s.latency.iter().find(|(n, _)| *n == name).and_then(|(_, l)| l.map(|l| l[i]));
        l.map_or("–".to_string(), |l| format!("{l:.1} ms"))
    };
    let names = if a.latency.is_empty() { &b.latency } else { &a.latency };
    let latency = names.iter().flat_map(|(name, _)| {
        [("p50", 0), ("p95", 1), ("p99", 2)]
            .map(|(p, i)| row(&format!("{name} {p}"), lat(a, name, i), lat(b, name, i)))
    });
    let checked = |s: &Summary| s.violations.map_or("not checked".to_string(), |v| v.to_string());
    let named = a.named.iter().zip(&b.named).map(|((n, va), (_, vb))| row(n, va.to_string(), vb.to_string()));
    html! {
        <table class="compare-table">
            <caption>{caption}</caption>
            <thead><tr><th></th><th class="a">{"A"}</th><th class="b">{"B"}</th></tr></thead>
            <tbody>
                {for latency}
                {row("errors", a.errors.to_string(), b.errors.to_string())}
                {for named}
                // Completed requests are counted from the latency samples: none, no row (d6's
                // broadcasts read "throughput 0/s").
                if !names.is_empty() {
                    {row("throughput", format!("{:.0}/s", a.throughput), format!("{:.0}/s", b.throughput))}
                }
                {row("invariants broken", checked(a), checked(b))}
                if let Some((la, lb)) = linearizable { {row("linearizable", la, lb)} }
            </tbody>
        </table>
    }
}
