//! The key figures of A and B, side by side in a table.

use crate::charts::series::{catalog, is_failure_counter, named_in, Kind};
use dsplay_core::sim::metrics::{Metric, MetricKind};
use dsplay_core::Simulation;
use yew::prelude::*;

/// The key figures of one run so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// The latency histogram's name and its p50, p95, p99 in ms, if the protocol has one.
    pub latency: Option<(&'static str, [f64; 3])>,
    pub errors: u64,
    /// Completed requests per simulated second.
    pub throughput: f64,
    /// Broken invariants; `None` if the run checks none (d3's Dynamo mode: its stale reads are
    /// counted, not checked, and "0 violations" would read as "consistent").
    pub violations: Option<usize>,
    /// The counters of failures the lesson names, summed over nodes (d3's `stale_reads`).
    pub named: Vec<(String, u64)>,
}

/// The run's request latency histogram: global `latency_ms`, else the first global `*latency*`.
fn latency_metric(sim: &dyn Simulation) -> Option<&Metric> {
    let hists = || {
        sim.metrics()
            .all()
            .iter()
            .filter(|m| m.node.is_none() && matches!(m.kind, MetricKind::Histogram { .. }))
    };
    hists().find(|m| m.name == "latency_ms").or_else(|| hists().find(|m| m.name.contains("latency")))
}

/// The failure counters a lesson names (in `backticks`), in its order: the table's extra rows.
pub fn named_failures(lesson: &str, sim: &dyn Simulation) -> Vec<String> {
    let cat = catalog(sim.metrics());
    let counter = |n: &String| cat.iter().any(|(m, k)| m == n && *k == Kind::Counter);
    named_in(lesson, &cat)
        .into_iter()
        .filter(|n| counter(n) && is_failure_counter(n) && n != "errors")
        .collect()
}

pub fn summary(sim: &dyn Simulation, named: &[String]) -> Summary {
    let secs = sim.now().as_us() as f64 / 1e6;
    let mut s = Summary {
        errors: sim.metrics().counter_sum("errors"),
        violations: (!sim.invariants().is_empty()).then(|| sim.violations().len()),
        named: named.iter().map(|n| (n.clone(), sim.metrics().counter_sum(n))).collect(),
        ..Summary::default()
    };
    if let Some(m) = latency_metric(sim) {
        if let MetricKind::Histogram { all, .. } = &m.kind {
            if !all.is_empty() {
                let q = |x: f64| all.value_at_quantile(x) as f64 / 1000.0;
                s.latency = Some((m.name, [q(0.5), q(0.95), q(0.99)]));
            }
            s.throughput = if secs > 0.0 { all.len() as f64 / secs } else { 0.0 };
        }
    }
    s
}

fn row(name: &str, a: String, b: String) -> Html {
    html! { <tr><th scope="row">{name.to_string()}</th><td class="a">{a}</td><td class="b">{b}</td></tr> }
}

/// A's and B's figures in two columns.
pub fn table(a: &Summary, b: &Summary) -> Html {
    let lat = |s: &Summary, i: usize| s.latency.map_or("–".to_string(), |(_, l)| format!("{:.1} ms", l[i]));
    // Which latency: d3's is write_latency_ms, not the read latency a reader might assume.
    let name = a.latency.or(b.latency).map_or("latency", |(n, _)| n);
    let checked = |s: &Summary| s.violations.map_or("not checked".to_string(), |v| v.to_string());
    let named = a.named.iter().zip(&b.named).map(|((n, va), (_, vb))| row(n, va.to_string(), vb.to_string()));
    html! {
        <table class="compare-table">
            <thead><tr><th></th><th class="a">{"A"}</th><th class="b">{"B"}</th></tr></thead>
            <tbody>
                {row(&format!("{name} p50"), lat(a, 0), lat(b, 0))}
                {row(&format!("{name} p95"), lat(a, 1), lat(b, 1))}
                {row(&format!("{name} p99"), lat(a, 2), lat(b, 2))}
                {row("errors", a.errors.to_string(), b.errors.to_string())}
                {for named}
                {row("throughput", format!("{:.0}/s", a.throughput), format!("{:.0}/s", b.throughput))}
                {row("invariants broken", checked(a), checked(b))}
            </tbody>
        </table>
    }
}
