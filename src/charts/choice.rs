//! Which charts a run gets: its metrics' catalog, sensible defaults (latency, throughput,
//! failures, error rate, per-node gauges, state bands), what the lesson names first, and keeping
//! charts in place as new metrics appear. Pure, so it is unit-tested natively.

use super::series::{is_band, kind_of, ChartSpec, Kind, MAX_LINES, TVIS_READS};
use dsplay_core::sim::metrics::Metrics;
use std::collections::BTreeMap;

/// Distinct metric names with their kind, sorted by name.
pub fn catalog(metrics: &Metrics) -> Vec<(String, Kind)> {
    let mut seen = BTreeMap::new();
    for m in metrics.all() {
        seen.entry(m.name.to_string()).or_insert(kind_of(m));
    }
    seen.into_iter().collect()
}

/// The metrics in the menu's order: by name, numbers by value (`tvis_fresh_2ms` before
/// `tvis_fresh_10ms`, not after `tvis_fresh_100ms`).
pub fn by_number(names: &[(String, Kind)]) -> Vec<&(String, Kind)> {
    // Runs of text and of digits, a number's run by value: "a10b" → [("a", 0), ("", 10), ("b", 0)].
    let key = |n: &str| -> Vec<(String, u64)> {
        let mut parts: Vec<(String, u64)> = Vec::new();
        let mut rest = n;
        while let Some(c) = rest.chars().next() {
            let digit = c.is_ascii_digit();
            let end = rest.find(|x: char| x.is_ascii_digit() != digit).unwrap_or(rest.len());
            let (run, tail) = rest.split_at(end);
            parts.push(if digit {
                (String::new(), run.parse().unwrap_or(u64::MAX))
            } else {
                (run.into(), 0)
            });
            rest = tail;
        }
        parts
    };
    let mut out: Vec<&(String, Kind)> = names.iter().collect();
    out.sort_by_cached_key(|(n, _)| key(n));
    out
}

/// Words of a counter's snake_case name that make it a count of failures (`call_timeouts`,
/// `rejected_429`, `stale_reads`, `lost_acked_writes`, `double_charges`…). Whole words:
/// `published` holds "shed" and `failovers` "fail", and neither is a failure.
const FAILURE_WORDS: [&str; 20] = [
    "error",
    "errors",
    "reject",
    "rejected",
    "refused",
    "timeout",
    "timeouts",
    "shed",
    "dropped",
    "failed",
    "failure",
    "failures",
    "stale",
    "lost",
    "violation",
    "violations",
    "conflicts",
    "conflicting",
    "double",
    "denied",
];

/// Whether a counter counts failures: client errors and their breakdown, and what a lesson
/// watches go wrong (stale reads, lost writes, violations, out-of-order deliveries).
pub fn is_failure_counter(name: &str) -> bool {
    name.split('_').any(|w| FAILURE_WORDS.contains(&w)) || name.split("out_of_order").count() > 1
}

/// Counters of work done, charted as rates, in this order: client requests and responses (see
/// `Ctx::count`), messages through a queue, reads and writes, commits, messages sent.
const FLOW: [&str; 14] = [
    "requests",
    "responses",
    "published",
    "consumed",
    "reads",
    "writes",
    "reads_ok",
    "writes_ok",
    "acked_writes",
    "ok",
    "commits",
    "sends",
    "updates",
    "adds",
];

/// Sensible charts for whatever metrics exist (see [`defaults_of`]).
pub fn defaults(metrics: &Metrics) -> Vec<ChartSpec> {
    defaults_of(&catalog(metrics))
}

/// Sensible charts for the metrics `cat` (name and kind, sorted by name): latency percentiles,
/// throughput, failure counts and error rate, per-node load/queue/lag gauges, and state bands.
pub fn defaults_of(cat: &[(String, Kind)]) -> Vec<ChartSpec> {
    let names = |k: Kind, f: &dyn Fn(&str) -> bool| -> Vec<String> {
        cat.iter().filter(|(n, kk)| *kk == k && f(n)).map(|(n, _)| n.clone()).collect()
    };
    let counted = |name: &str| cat.iter().any(|(n, k)| n == name && *k == Kind::Counter);
    let mut out: Vec<ChartSpec> = Vec::new();
    if cat.iter().any(|(n, k)| *k == Kind::Counter && n.starts_with(TVIS_READS)) {
        out.push(ChartSpec::Visibility);
    }
    let latency = names(Kind::Histogram, &|n| n.contains("latency") || n.ends_with("_ms"));
    out.extend(latency.into_iter().take(3).map(ChartSpec::Metric));
    let through: Vec<String> =
        FLOW.into_iter().filter(|n| counted(n)).take(MAX_LINES).map(String::from).collect();
    if !through.is_empty() {
        out.push(ChartSpec::Throughput(through));
    }
    let failures: Vec<String> =
        names(Kind::Counter, &is_failure_counter).into_iter().take(MAX_LINES).collect();
    if !failures.is_empty() {
        out.push(ChartSpec::Failures(failures));
    }
    if counted("errors") && counted("requests") {
        out.push(ChartSpec::ErrorRate);
    }
    let per_node = ["load", "queue", "depth", "lag", "backlog", "busy"];
    out.extend(
        names(Kind::Gauge, &|n| !is_band(n) && per_node.iter().any(|w| n.contains(w)))
            .into_iter()
            .take(4)
            .map(ChartSpec::Metric),
    );
    out.extend(names(Kind::Gauge, &|n| is_band(n)).into_iter().map(ChartSpec::Metric));
    if out.is_empty() {
        out.extend(cat.iter().take(2).map(|(n, _)| ChartSpec::Metric(n.clone())));
    }
    out
}

/// The metrics a lesson names (in `backticks`) that the run has, in the lesson's order.
pub fn named_in(lesson: &str, cat: &[(String, Kind)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in lesson.split('`').skip(1).step_by(2) {
        if cat.iter().any(|(n, _)| n == part) && !out.iter().any(|n| n == part) {
            out.push(part.to_string());
        }
    }
    out
}

/// Counters kept per node only, by two nodes or more: a chart of several counters sums each over
/// its nodes, which hides who counted what.
pub fn split_counters(metrics: &Metrics) -> Vec<String> {
    let mut per: BTreeMap<&str, (usize, bool)> = BTreeMap::new();
    for m in metrics.all().iter().filter(|m| kind_of(m) == Kind::Counter) {
        let e = per.entry(m.name).or_default();
        e.0 += usize::from(m.node.is_some());
        e.1 |= m.node.is_none();
    }
    per.into_iter()
        .filter(|(_, (nodes, global))| *nodes >= 2 && !global)
        .map(|(n, _)| n.to_string())
        .collect()
}

/// The `defaults` with what a lesson points at first: for each metric `named` (in order), the
/// default chart that already draws it, else a chart of its own; then the other defaults. A
/// student told to watch `healthy_tasks` finds it at the top, not in the "Add a chart" menu.
/// A named counter in `split` (see [`split_counters`]) gets a chart of its own, a line per node,
/// even when a default chart sums it: r4's lesson compares `cas_conflicts` register by register.
pub fn lesson_first(named: &[String], split: &[String], defaults: Vec<ChartSpec>) -> Vec<ChartSpec> {
    let draws =
        |s: &ChartSpec, n: &str| s.key() == n || s.counters().is_some_and(|c| c.iter().any(|x| x == n));
    let mut out: Vec<ChartSpec> = Vec::new();
    for n in named {
        let summed = defaults.iter().find(|s| draws(s, n)).filter(|_| !split.contains(n));
        let spec = summed.cloned().unwrap_or(ChartSpec::Metric(n.clone()));
        if !out.contains(&spec) {
            out.push(spec);
        }
    }
    out.extend(defaults.into_iter().filter(|s| !out.contains(s)).collect::<Vec<_>>());
    out
}

/// The charts `shown` so far, brought up to date with `fresh` defaults without moving anything:
/// a chart once shown stays where it is, a chart of several counters keeps its counters in
/// order (so each keeps its colour) and takes new ones at its end, and a new chart goes after
/// the charts that precede it among the defaults.
pub fn keep(shown: &[ChartSpec], fresh: Vec<ChartSpec>) -> Vec<ChartSpec> {
    let mut out: Vec<ChartSpec> = shown.to_vec();
    let mut after = 0;
    for spec in fresh {
        match out.iter().position(|s| s.key() == spec.key()) {
            Some(i) => {
                if let (Some(have), Some(new)) = (out[i].counters_mut(), spec.counters()) {
                    for n in new {
                        if !have.contains(n) {
                            have.push(n.clone());
                        }
                    }
                }
                after = i + 1;
            }
            None => {
                out.insert(after, spec);
                after += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::series::{chart, tests::sample};
    use dsplay_core::{ids::NodeId, SimTime};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn defaults_pick_latency_throughput_errors_load_and_bands() {
        let keys: Vec<String> = defaults(&sample()).iter().map(ChartSpec::key).collect();
        assert_eq!(
            keys,
            ["latency_ms", "throughput", "failures", "error_rate", "backend_load", "breaker_state"]
        );
        let d = chart(&sample(), &ChartSpec::ErrorRate, &[], 10_000.0, 10_000.0);
        assert!(d.lines[0].points.iter().all(|p| (0.0..=100.0).contains(&p.1)));
    }

    #[wasm_bindgen_test]
    fn failures_are_whole_words_of_a_counters_name() {
        for n in ["errors", "call_timeouts", "rejected_429", "stale_reads", "lost_acked_writes", "shed"] {
            assert!(is_failure_counter(n), "{n}");
        }
        for n in ["double_charges", "out_of_order", "client_failed", "probe_failures"] {
            assert!(is_failure_counter(n), "{n}");
        }
        // Lamport clocks ordering concurrent events is what they do, not a failure (review 24 B5:
        // d6 charted it under "Failures (total)").
        for n in ["lamport_false_order", "concurrent_receipts", "ordered_receipts"] {
            assert!(!is_failure_counter(n), "{n}");
        }
        for n in ["published", "failovers", "requests", "consumed", "shedding_level", "terror"] {
            assert!(!is_failure_counter(n), "{n}");
        }
    }

    #[wasm_bindgen_test]
    fn charts_once_shown_keep_their_place_and_their_counters_order() {
        let t = |v: &[&str]| ChartSpec::Throughput(v.iter().map(|s| s.to_string()).collect());
        let m = |n: &str| ChartSpec::Metric(n.into());
        let shown = vec![t(&["errors"]), m("load")];
        // Later: a latency chart comes first among the defaults, requests sort before errors, and
        // `load` is gone after a rewind.
        let fresh = vec![m("latency_ms"), t(&["requests", "errors"]), m("queue")];
        let kept = keep(&shown, fresh);
        assert_eq!(kept, [m("latency_ms"), t(&["errors", "requests"]), m("queue"), m("load")]);
    }

    #[wasm_bindgen_test]
    fn what_a_lesson_names_comes_first_drawn_once() {
        let cat = catalog(&sample());
        let lesson = "Watch `backend_load`, then `errors` and `no_such_metric`; `backend_load` again.";
        let named = named_in(lesson, &cat);
        assert_eq!(named, ["backend_load", "errors"], "known metrics, once, in the lesson's order");
        let keys: Vec<String> =
            lesson_first(&named, &[], defaults(&sample())).iter().map(ChartSpec::key).collect();
        assert_eq!(
            keys,
            ["backend_load", "failures", "latency_ms", "throughput", "error_rate", "breaker_state"],
            "`errors` is drawn by the failures chart, which moves up rather than being repeated"
        );
        let own = lesson_first(
            &["requests".into(), "breaker_state".into()],
            &[],
            vec![ChartSpec::Metric("latency_ms".into())],
        );
        assert_eq!(
            own.iter().map(ChartSpec::key).collect::<Vec<_>>(),
            ["requests", "breaker_state", "latency_ms"]
        );
    }

    #[wasm_bindgen_test]
    fn a_named_counter_kept_per_node_gets_a_line_per_node() {
        let mut m = sample();
        m.count("conflicts", Some(NodeId(0)), 3, SimTime::ZERO);
        m.count("conflicts", Some(NodeId(1)), 1, SimTime::ZERO);
        assert_eq!(split_counters(&m), ["conflicts"], "`errors` has one node, `requests` no node");
        let named = ["conflicts".to_string(), "errors".to_string()];
        let keys: Vec<String> =
            lesson_first(&named, &split_counters(&m), defaults(&m)).iter().map(ChartSpec::key).collect();
        assert_eq!(&keys[..2], ["conflicts", "failures"], "{keys:?}");
        assert!(
            defaults(&m).iter().any(|s| s.counters().is_some_and(|c| c.contains(&named[0]))),
            "the failures chart still sums it"
        );
        let lines =
            chart(&m, &ChartSpec::Metric("conflicts".into()), &["a".into(), "b".into()], 100.0, 1e3).lines;
        assert_eq!(lines.iter().map(|l| l.label.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    }

    #[wasm_bindgen_test]
    fn the_menu_orders_numbers_in_names_by_value() {
        let names: Vec<(String, Kind)> = ["b", "t_100ms", "t_10ms", "t_2ms", "a10", "a9"]
            .iter()
            .map(|n| (n.to_string(), Kind::Counter))
            .collect();
        let order: Vec<&str> = by_number(&names).iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(order, ["a9", "a10", "b", "t_2ms", "t_10ms", "t_100ms"]);
    }
}
