//! The `metrics` object of a run report (`dsplay run --json`): one key per metric name, whose
//! value has the same shape whatever happened in the run (review 27 B2), so a script's columns do
//! not come and go with it:
//!
//! - A metric a node listed at start ([`Metrics::list`]) is there before its first reading: a
//!   counter as 0, a gauge as `null` (no reading), a histogram as an empty summary.
//! - A histogram summary always has every field; with no sample, every field but `count` is null.
//! - A per-node metric is a map `{node: value}` over every node that listed or recorded it, in
//!   node order; a global one is a single value.
//! - A name recorded both globally and per node (no protocol does: a test over every preset
//!   checks) keeps both: the map, with the global value under [`GLOBAL_KEY`]. Neither silently
//!   replaces the other.
//!
//! Names are in alphabetical order. Charts and the CSV export do not read this: they show the
//! series that were recorded, so a listed metric adds no flat line to them.

use super::{ms, MetricKind, Metrics};
use crate::ids::NodeId;
use hdrhistogram::Histogram;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The key of a global value in a per-node map when a name was recorded both ways. No node is
/// called `*`: scenarios use it for "every node", so it cannot be a node's name.
pub const GLOBAL_KEY: &str = "*";

/// What a metric's report value looks like before anything is recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A count: 0.
    Counter,
    /// A reading: `null` until the first one.
    Gauge,
    /// Durations: a summary with `count` 0 and every other field null.
    Histogram,
}

impl Shape {
    /// The report value of a metric of this shape with nothing recorded.
    pub fn empty(self) -> Value {
        match self {
            Shape::Counter => json!(0),
            Shape::Gauge => Value::Null,
            Shape::Histogram => empty_hist_summary(),
        }
    }
}

/// One name's values: the global one and each node's.
#[derive(Default)]
struct Entry {
    global: Option<Value>,
    nodes: BTreeMap<NodeId, Value>,
}

impl Entry {
    fn put(&mut self, node: Option<NodeId>, v: Value) {
        match node {
            None => self.global = Some(v),
            Some(n) => {
                self.nodes.insert(n, v);
            }
        }
    }

    fn into_value(self, names: &[String]) -> Value {
        if self.nodes.is_empty() {
            return self.global.unwrap_or(Value::Null);
        }
        let mut map = Map::new();
        for (n, v) in self.nodes {
            map.insert(names.get(n.index()).cloned().unwrap_or_else(|| n.to_string()), v);
        }
        if let Some(g) = self.global {
            map.insert(GLOBAL_KEY.to_string(), g);
        }
        Value::Object(map)
    }
}

impl Metrics {
    /// The report object: metric name → value, or → { node name → value } for per-node metrics
    /// (the rules are in this module's documentation). `names` are the nodes' names by index.
    pub fn report(&self, names: &[String]) -> Value {
        let mut by_name: BTreeMap<&str, Entry> = BTreeMap::new();
        for (&(name, node), &shape) in &self.listed {
            by_name.entry(name).or_default().put(node, shape.empty());
        }
        for m in &self.metrics {
            by_name.entry(m.name).or_default().put(m.node, summary(&m.kind));
        }
        let out = by_name.into_iter().map(|(name, e)| (name.to_string(), e.into_value(names)));
        Value::Object(out.collect())
    }
}

/// A metric's final value as JSON.
pub fn summary(kind: &MetricKind) -> Value {
    match kind {
        MetricKind::Counter { total, .. } => json!(total),
        MetricKind::Gauge { value } => json!(value),
        MetricKind::Unset => Value::Null,
        MetricKind::Histogram { all, .. } => hist_summary(all),
    }
}

fn empty_hist_summary() -> Value {
    let none = Value::Null;
    json!({
        "count": 0, "mean": none, "min": none, "max": none,
        "p10": none, "p50": none, "p90": none, "p95": none, "p99": none,
    })
}

/// `count, mean, min, max, p10, p50, p90, p95, p99` in milliseconds; with no sample, every field
/// but the count is null, so a script's columns do not come and go with the run (review 27 B2: an
/// empty histogram was `{"count": 0}` alone).
pub fn hist_summary(h: &Histogram<u32>) -> Value {
    if h.is_empty() {
        return empty_hist_summary();
    }
    let q = |x: f64| ms(h.value_at_quantile(x));
    json!({
        "count": h.len(),
        "mean": (h.mean() / 1000.0 * 1000.0).round() / 1000.0,
        "min": ms(h.min()), "max": ms(h.max()),
        "p10": q(0.10), "p50": q(0.50), "p90": q(0.90), "p95": q(0.95), "p99": q(0.99),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimTime;

    fn names() -> Vec<String> {
        ["b1", "b2", "b3"].map(String::from).to_vec()
    }

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default()
    }

    #[test]
    fn an_empty_histogram_reports_every_field() {
        let h = Histogram::<u32>::new(3).expect("histogram");
        let v = hist_summary(&h);
        assert_eq!(keys(&v), ["count", "mean", "min", "max", "p10", "p50", "p90", "p95", "p99"]);
        assert_eq!((v["count"].as_u64(), v["p50"].is_null()), (Some(0), true));
    }

    #[test]
    fn a_histogram_has_the_same_fields_with_and_without_samples() {
        let mut m = Metrics::new(100_000, 1_000_000);
        m.list("latency_ms", None, Shape::Histogram);
        let before = m.report(&[]);
        m.observe("latency_ms", None, 2_000, SimTime(0));
        let after = m.report(&[]);
        assert_eq!(keys(&before["latency_ms"]), keys(&after["latency_ms"]));
        assert_eq!(
            (before["latency_ms"]["p99"].is_null(), after["latency_ms"]["count"].as_u64()),
            (true, Some(1))
        );
    }

    #[test]
    fn listed_metrics_are_reported_before_anything_is_recorded() {
        let mut m = Metrics::new(100_000, 1_000_000);
        m.list("rejected", None, Shape::Counter);
        m.list("util_pct", None, Shape::Gauge);
        let rep = m.report(&[]);
        assert_eq!((&rep["rejected"], &rep["util_pct"]), (&json!(0), &Value::Null));
        assert!(m.all().is_empty(), "no series: charts and the CSV export show what was recorded");
        m.count("rejected", None, 3, SimTime(0));
        m.list("rejected", None, Shape::Counter);
        assert_eq!(m.report(&[])["rejected"], json!(3), "listing again keeps the count");
    }

    #[test]
    fn a_per_node_map_has_every_node_that_listed_the_metric_in_node_order() {
        let mut m = Metrics::new(100_000, 1_000_000);
        for n in [2, 0, 1] {
            m.list("rejected", Some(NodeId(n)), Shape::Counter);
        }
        m.count("rejected", Some(NodeId(2)), 1438, SimTime(0));
        let rep = m.report(&names());
        assert_eq!(rep["rejected"], json!({"b1": 0, "b2": 0, "b3": 1438}));
        assert_eq!(keys(&rep["rejected"]), ["b1", "b2", "b3"]);
    }

    #[test]
    fn names_are_in_alphabetical_order_whatever_was_recorded_first() {
        let mut m = Metrics::new(100_000, 1_000_000);
        m.count("timeouts", None, 1, SimTime(0));
        m.list("errors", None, Shape::Counter);
        m.count("backend_requests", Some(NodeId(0)), 1, SimTime(0));
        assert_eq!(keys(&m.report(&names())), ["backend_requests", "errors", "timeouts"]);
    }

    #[test]
    fn a_name_recorded_globally_and_per_node_keeps_both_values_whatever_the_order() {
        let mut global_first = Metrics::new(100_000, 1_000_000);
        global_first.count("rejected", None, 5, SimTime(0));
        global_first.count("rejected", Some(NodeId(1)), 2, SimTime(0));
        let mut node_first = Metrics::new(100_000, 1_000_000);
        node_first.count("rejected", Some(NodeId(1)), 2, SimTime(0));
        node_first.count("rejected", None, 5, SimTime(0));
        let want = json!({"b2": 2, GLOBAL_KEY: 5});
        assert_eq!(global_first.report(&names())["rejected"], want, "the node's value is not dropped");
        assert_eq!(
            node_first.report(&names())["rejected"],
            want,
            "the global value does not replace the map"
        );
    }

    #[test]
    fn a_node_without_a_name_is_keyed_by_its_id() {
        let mut m = Metrics::new(100_000, 1_000_000);
        m.list("held_back", Some(NodeId(7)), Shape::Counter);
        let rep = m.report(&names());
        assert_eq!(keys(&rep["held_back"]), [NodeId(7).to_string()]);
    }
}
