//! The key figures of A and B, side by side in a table.

use dsplay_core::sim::metrics::{Metric, MetricKind};
use dsplay_core::Simulation;
use yew::prelude::*;

/// The key figures of one run so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// p50, p95, p99 in ms of the latency histogram, if the protocol has one.
    pub latency: Option<[f64; 3]>,
    pub errors: u64,
    /// Completed requests per simulated second.
    pub throughput: f64,
    pub violations: usize,
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

pub fn summary(sim: &dyn Simulation) -> Summary {
    let secs = sim.now().as_us() as f64 / 1e6;
    let mut s = Summary {
        errors: sim.metrics().counter_sum("errors"),
        violations: sim.violations().len(),
        ..Summary::default()
    };
    if let Some(MetricKind::Histogram { all, .. }) = latency_metric(sim).map(|m| &m.kind) {
        if !all.is_empty() {
            let q = |x: f64| all.value_at_quantile(x) as f64 / 1000.0;
            s.latency = Some([q(0.5), q(0.95), q(0.99)]);
        }
        s.throughput = if secs > 0.0 { all.len() as f64 / secs } else { 0.0 };
    }
    s
}

fn row(name: &str, a: String, b: String) -> Html {
    html! { <tr><th scope="row">{name.to_string()}</th><td class="a">{a}</td><td class="b">{b}</td></tr> }
}

/// A's and B's figures in two columns.
pub fn table(a: &Summary, b: &Summary) -> Html {
    let lat = |s: &Summary, i: usize| s.latency.map_or("–".to_string(), |l| format!("{:.1} ms", l[i]));
    html! {
        <table class="compare-table">
            <thead><tr><th></th><th class="a">{"A"}</th><th class="b">{"B"}</th></tr></thead>
            <tbody>
                {row("p50", lat(a, 0), lat(b, 0))}{row("p95", lat(a, 1), lat(b, 1))}{row("p99", lat(a, 2), lat(b, 2))}
                {row("errors", a.errors.to_string(), b.errors.to_string())}
                {row("throughput", format!("{:.0}/s", a.throughput), format!("{:.0}/s", b.throughput))}
                {row("violations", a.violations.to_string(), b.violations.to_string())}
            </tbody>
        </table>
    }
}
