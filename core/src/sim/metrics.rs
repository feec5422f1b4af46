//! Metrics: counters, gauges and histograms, each sampled into a time series at a fixed interval of
//! simulated time, so charts can follow (and rewind with) the playhead.
//!
//! Histograms are HDR histograms of microseconds; reports give milliseconds. Memory is bounded: the
//! sample interval is chosen so a run has at most [`MAX_POINTS`] points per series.

use crate::ids::NodeId;
use crate::time::SimTime;
use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;

mod report;
pub use report::{hist_summary, summary, Shape, GLOBAL_KEY};

/// Upper bound on points per series over a whole run.
pub const MAX_POINTS: u64 = 4_000;
const HIST_MAX_US: u64 = 3_600_000_000;

/// Which kind of metric, and its running state.
#[derive(Clone, Debug)]
pub enum MetricKind {
    Counter {
        total: u64,
        at_last_sample: u64,
    },
    Gauge {
        value: i64,
    },
    /// A gauge declared before its first reading (`convergence_ms` before anything has
    /// converged): listed, so it can be charted, but with no points until it is set. A 0 would
    /// be a false reading.
    Unset,
    Histogram {
        all: Box<Histogram<u32>>,
        window: Box<Histogram<u32>>,
    },
}

/// One sample of a series. Counters: `value` = rate per second over the interval. Gauges: the value.
/// Histograms: `value` = count in the interval, and its percentiles in ms.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Point {
    pub t_ms: f64,
    pub value: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

/// A named metric, global (`node == None`) or per node.
#[derive(Clone, Debug)]
pub struct Metric {
    pub name: &'static str,
    pub node: Option<NodeId>,
    pub kind: MetricKind,
    pub series: Vec<Point>,
}

/// The registry of all metrics of a run.
#[derive(Clone, Debug)]
pub struct Metrics {
    interval_us: u64,
    next_sample: u64,
    index: BTreeMap<(&'static str, Option<NodeId>), usize>,
    /// Fast path: the same name literal is usually passed every time, so look it up by its
    /// address first (integer compares) and fall back to the by-name index. Never iterated.
    by_ptr: BTreeMap<(usize, usize, Option<NodeId>), usize>,
    metrics: Vec<Metric>,
    /// Running (sum, count) behind each gauge set with [`Metrics::mean_gauge`].
    sums: BTreeMap<(&'static str, Option<NodeId>), (u128, u64)>,
    /// Recent outcomes behind each gauge set with [`Metrics::window_permille`].
    windows: BTreeMap<(&'static str, Option<NodeId>), OkWindow>,
    /// The highest value since the last sample of each gauge set with [`Metrics::gauge_peak`].
    peaks: BTreeMap<(&'static str, Option<NodeId>), i64>,
    /// Metrics a node may record, listed at start for the run report (see [`Metrics::list`]).
    listed: BTreeMap<(&'static str, Option<NodeId>), Shape>,
}

/// Outcomes of the last `WINDOW_SLICES` slices of a sliding window: (slice index, ok, all).
#[derive(Clone, Debug, Default)]
struct OkWindow {
    slices: std::collections::VecDeque<(u64, u64, u64)>,
}

/// A sliding window is kept as this many slices, so it slides in steps of a tenth of its length.
const WINDOW_SLICES: u64 = 10;

/// Most distinct names [`static_name`] hands out over the life of the program.
pub const MAX_STATIC_NAMES: usize = 1_024;

/// A metric name made from configuration (`pool_busy_products`), as the `&'static str` the
/// registry keys on. Each distinct name is allocated once and kept for good, so rebuilding a
/// scenario costs nothing; past [`MAX_STATIC_NAMES`] distinct names the answer is `None` (the
/// caller leaves that metric out), so a stream of edited names cannot grow memory without bound.
pub fn static_name(name: String) -> Option<&'static str> {
    static NAMES: std::sync::Mutex<std::collections::BTreeSet<&'static str>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&known) = names.get(name.as_str()) {
        return Some(known);
    }
    if names.len() >= MAX_STATIC_NAMES {
        return None;
    }
    let kept: &'static str = Box::leak(name.into_boxed_str());
    names.insert(kept);
    Some(kept)
}

fn new_hist() -> Box<Histogram<u32>> {
    // Bounds and precision are constants, so construction cannot fail; fall back defensively.
    Box::new(
        Histogram::new_with_bounds(1, HIST_MAX_US, 2)
            .unwrap_or_else(|_| Histogram::new(2).unwrap_or_else(|_| unreachable!())),
    )
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

impl Metrics {
    /// `interval_us` is the requested sample interval; it is widened if the run is long.
    pub fn new(interval_us: u64, stop_at_us: u64) -> Self {
        let interval_us = interval_us.max(stop_at_us.div_ceil(MAX_POINTS)).max(1_000);
        Metrics {
            interval_us,
            next_sample: interval_us,
            index: BTreeMap::new(),
            by_ptr: BTreeMap::new(),
            metrics: Vec::new(),
            sums: BTreeMap::new(),
            windows: BTreeMap::new(),
            peaks: BTreeMap::new(),
            listed: BTreeMap::new(),
        }
    }

    pub fn interval_us(&self) -> u64 {
        self.interval_us
    }

    fn slot(
        &mut self,
        name: &'static str,
        node: Option<NodeId>,
        make: fn() -> MetricKind,
    ) -> &mut MetricKind {
        let fast = (name.as_ptr() as usize, name.len(), node);
        if let Some(&i) = self.by_ptr.get(&fast) {
            return &mut self.metrics[i].kind;
        }
        let i = match self.index.get(&(name, node)) {
            Some(&i) => i,
            None => {
                // A counter first counted mid-run counted 0 before: its series says so from the
                // first sample, as every other counter's does (review 50 C8: `blocked` began at
                // 2.1 s in the CSV, and its total chart started in mid-air).
                let kind = make();
                let mut series = Vec::new();
                if matches!(kind, MetricKind::Counter { .. }) {
                    let taken = (self.interval_us..self.next_sample).step_by(self.interval_us as usize);
                    series.extend(taken.map(|t| Point {
                        t_ms: ms(t),
                        value: 0.0,
                        p50: 0.0,
                        p95: 0.0,
                        p99: 0.0,
                    }));
                }
                self.metrics.push(Metric { name, node, kind, series });
                self.index.insert((name, node), self.metrics.len() - 1);
                self.metrics.len() - 1
            }
        };
        self.by_ptr.insert(fast, i);
        &mut self.metrics[i].kind
    }

    pub fn count(&mut self, name: &'static str, node: Option<NodeId>, delta: u64, _now: SimTime) {
        if let MetricKind::Counter { total, .. } =
            self.slot(name, node, || MetricKind::Counter { total: 0, at_last_sample: 0 })
        {
            *total += delta;
        }
    }

    pub fn gauge(&mut self, name: &'static str, node: Option<NodeId>, v: i64, _now: SimTime) {
        match self.slot(name, node, || MetricKind::Gauge { value: 0 }) {
            MetricKind::Gauge { value } => *value = v,
            unset @ MetricKind::Unset => *unset = MetricKind::Gauge { value: v },
            _ => {}
        }
    }

    /// Raise a gauge to `v` if that is higher than it stands (an unset gauge counts as 0): a
    /// high-water mark several nodes keep together (Raft's commit index: a new leader that learns
    /// of an entry the old one committed must not commit it again). Returns how much it rose.
    /// One lookup through the registry's fast path: Raft calls it at every commit.
    pub fn gauge_high(&mut self, name: &'static str, node: Option<NodeId>, v: i64, _now: SimTime) -> u64 {
        let was = match self.slot(name, node, || MetricKind::Gauge { value: 0 }) {
            MetricKind::Gauge { value } if v <= *value => return 0,
            MetricKind::Gauge { value } => std::mem::replace(value, v),
            unset @ MetricKind::Unset => {
                *unset = MetricKind::Gauge { value: v };
                0
            }
            _ => return 0,
        };
        u64::try_from(v - was).unwrap_or(0)
    }

    /// A gauge whose samples are the highest value since the previous sample, not the value at
    /// the sample's instant: a queue that fills and drains between two samples (d6's hold-back
    /// queue: 30–50 ms holds, 100 ms samples) shows its depth instead of a flat 0.
    pub fn gauge_peak(&mut self, name: &'static str, node: Option<NodeId>, v: i64, now: SimTime) {
        self.gauge(name, node, v, now);
        let peak = self.peaks.entry((name, node)).or_insert(v);
        *peak = (*peak).max(v);
    }

    /// A gauge whose value is the exact mean (rounded) of every sample given so far, by any node:
    /// a running average to hold against a formula (M/M/c's mean response time).
    pub fn mean_gauge(&mut self, name: &'static str, node: Option<NodeId>, sample: u64, now: SimTime) {
        let (sum, n) = self.sums.entry((name, node)).or_insert((0, 0));
        *sum += u128::from(sample);
        *n += 1;
        let mean = (*sum + u128::from(*n / 2)) / u128::from(*n);
        self.gauge(name, node, i64::try_from(mean).unwrap_or(i64::MAX), now);
    }

    /// A gauge in per-mille of the outcomes of the last `window_us` (by true time) that were ok,
    /// from every node: an availability SLI. It moves when an outcome arrives.
    pub fn window_permille(
        &mut self,
        name: &'static str,
        node: Option<NodeId>,
        ok: bool,
        window_us: u64,
        now: SimTime,
    ) {
        let slice = (window_us / WINDOW_SLICES).max(1);
        let at = now.as_us() / slice;
        let w = self.windows.entry((name, node)).or_default();
        while w.slices.front().is_some_and(|&(i, _, _)| i + WINDOW_SLICES <= at) {
            w.slices.pop_front();
        }
        if w.slices.back().is_none_or(|&(i, _, _)| i != at) {
            w.slices.push_back((at, 0, 0));
        }
        if let Some(last) = w.slices.back_mut() {
            last.1 += u64::from(ok);
            last.2 += 1;
        }
        let (good, all) = w.slices.iter().fold((0, 0), |(g, a), &(_, o, n)| (g + o, a + n));
        self.gauge(name, node, (good * 1000 / all.max(1)) as i64, now);
    }

    /// A crashed node's gauges have no reading until it sets them again: a crash takes its
    /// in-memory state (the requests its workers held, its queue), so the last value before the
    /// crash would be a false reading, drawn flat across the outage (r2's crashed service kept
    /// "2 busy" for 10 s while its inspector said 0). Charts show the gap.
    pub fn forget_gauges_of(&mut self, node: NodeId) {
        let theirs: Vec<&'static str> =
            self.metrics.iter().filter(|m| m.node == Some(node)).map(|m| m.name).collect();
        for name in theirs {
            self.clear_gauge(name, Some(node));
        }
    }

    /// Take a gauge's reading back: no value until it is set again (see [`MetricKind::Unset`]).
    pub fn clear_gauge(&mut self, name: &'static str, node: Option<NodeId>) {
        if let Some(m) = self.metrics.iter_mut().find(|m| m.name == name && m.node == node) {
            if matches!(m.kind, MetricKind::Gauge { .. }) {
                m.kind = MetricKind::Unset;
                self.peaks.remove(&(name, node));
            }
        }
    }

    /// List a gauge that has no reading yet (see [`MetricKind::Unset`]).
    pub fn declare_gauge(&mut self, name: &'static str, node: Option<NodeId>) {
        self.slot(name, node, || MetricKind::Unset);
    }

    /// List a metric in the run report before (or without) its first reading, as `shape` reads
    /// with nothing recorded, so the report's keys do not depend on what happened (review 27
    /// B2). It gets no series: charts and the CSV export keep to what was recorded, with no flat
    /// line for each metric a run never touched. Listing again, or after a reading, changes
    /// nothing.
    pub fn list(&mut self, name: &'static str, node: Option<NodeId>, shape: Shape) {
        self.listed.entry((name, node)).or_insert(shape);
    }

    /// The metrics listed (see [`Metrics::list`]) that have recorded nothing: the run report
    /// has them at their empty value, the charts have no series for them.
    pub fn listed_unrecorded(&self) -> impl Iterator<Item = (&'static str, Option<NodeId>, Shape)> + '_ {
        let recorded =
            |name: &str, node: Option<NodeId>| self.metrics.iter().any(|m| m.name == name && m.node == node);
        self.listed.iter().filter(move |((n, at), _)| !recorded(n, *at)).map(|(&(n, at), &s)| (n, at, s))
    }

    /// The shape a metric was listed with (see [`Metrics::list`]), recorded or not.
    pub fn listed_as(&self, name: &str, node: Option<NodeId>) -> Option<Shape> {
        self.listed.iter().find(|((n, at), _)| *n == name && *at == node).map(|(_, s)| *s)
    }

    /// List a histogram before its first observation: its windows are empty until then.
    pub fn declare_histogram(&mut self, name: &'static str, node: Option<NodeId>) {
        self.slot(name, node, || MetricKind::Histogram { all: new_hist(), window: new_hist() });
    }

    pub fn observe(&mut self, name: &'static str, node: Option<NodeId>, us: u64, _now: SimTime) {
        let make = || MetricKind::Histogram { all: new_hist(), window: new_hist() };
        if let MetricKind::Histogram { all, window } = self.slot(name, node, make) {
            all.saturating_record(us.max(1));
            window.saturating_record(us.max(1));
        }
    }

    /// Take every sample due at or before `now`: call it once every event at `now` is handled,
    /// so a sample at `t` holds what happened at `t` (as a run stopped at `t` reports it).
    pub fn advance_to(&mut self, now: SimTime) {
        self.advance_before(SimTime(now.as_us().saturating_add(1)));
    }

    /// Take every sample due before `at`, the time of the next event: a sample due at `at`
    /// waits until that instant's events are handled (review 48 A1: charts and the CSV at a
    /// whole second showed the state before that second's events, the CLI after them).
    pub fn advance_before(&mut self, at: SimTime) {
        while self.next_sample < at.as_us() {
            let t = self.next_sample;
            self.sample(t);
            self.next_sample += self.interval_us;
        }
    }

    fn sample(&mut self, t_us: u64) {
        let secs = self.interval_us as f64 / 1e6;
        for m in &mut self.metrics {
            let mut p = Point { t_ms: ms(t_us), value: 0.0, p50: 0.0, p95: 0.0, p99: 0.0 };
            match &mut m.kind {
                MetricKind::Counter { total, at_last_sample } => {
                    p.value = (*total - *at_last_sample) as f64 / secs;
                    *at_last_sample = *total;
                }
                MetricKind::Gauge { value } => {
                    let peak = self.peaks.get_mut(&(m.name, m.node)).map(|pk| std::mem::replace(pk, *value));
                    p.value = peak.map_or(*value, |pk| pk.max(*value)) as f64;
                }
                MetricKind::Unset => continue,
                MetricKind::Histogram { window, .. } => {
                    p.value = window.len() as f64;
                    if !window.is_empty() {
                        p.p50 = ms(window.value_at_quantile(0.5));
                        p.p95 = ms(window.value_at_quantile(0.95));
                        p.p99 = ms(window.value_at_quantile(0.99));
                    }
                    window.reset();
                }
            }
            m.series.push(p);
        }
    }

    pub fn all(&self) -> &[Metric] {
        &self.metrics
    }

    pub fn get(&self, name: &str, node: Option<NodeId>) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.name == name && m.node == node)
    }

    /// A counter's total (0 if never counted).
    pub fn counter(&self, name: &str, node: Option<NodeId>) -> u64 {
        match self.get(name, node).map(|m| &m.kind) {
            Some(MetricKind::Counter { total, .. }) => *total,
            _ => 0,
        }
    }

    /// Sum of a counter over the global entry and every node.
    pub fn counter_sum(&self, name: &str) -> u64 {
        self.metrics
            .iter()
            .filter(|m| m.name == name)
            .map(|m| match m.kind {
                MetricKind::Counter { total, .. } => total,
                _ => 0,
            })
            .sum()
    }

    pub fn histogram(&self, name: &str, node: Option<NodeId>) -> Option<&Histogram<u32>> {
        match self.get(name, node).map(|m| &m.kind) {
            Some(MetricKind::Histogram { all, .. }) => Some(all),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn counters_become_rates_and_histograms_percentiles() {
        let mut m = Metrics::new(100_000, 1_000_000);
        for i in 0..10 {
            m.count("req", None, 1, SimTime(i * 1000));
            m.observe("lat_ms", None, (i + 1) * 1000, SimTime(i * 1000));
        }
        m.advance_to(SimTime(100_000));
        let req = m.get("req", None).map(|x| x.series.clone()).unwrap_or_default();
        assert_eq!(req.len(), 1);
        assert!((req[0].value - 100.0).abs() < 1e-9, "10 in 0.1 s is 100/s");
        let h = m.histogram("lat_ms", None).map(|h| h.len());
        assert_eq!(h, Some(10));
        let rep = m.report(&[]);
        assert_eq!(rep["req"], json!(10));
        assert_eq!(rep["lat_ms"]["count"], json!(10));
        assert!((rep["lat_ms"]["max"].as_f64().unwrap_or(0.0) - 10.0).abs() < 0.1);
    }

    #[test]
    fn a_declared_gauge_is_listed_with_no_points_until_its_first_reading() {
        let mut m = Metrics::new(100_000, 1_000_000);
        m.declare_gauge("convergence_ms", None);
        m.advance_to(SimTime(200_000));
        let series = |m: &Metrics| m.get("convergence_ms", None).map(|x| x.series.len());
        assert_eq!(series(&m), Some(0), "listed, with no false 0");
        assert_eq!(m.report(&[])["convergence_ms"], Value::Null);
        m.gauge("convergence_ms", None, 850, SimTime(250_000));
        m.declare_gauge("convergence_ms", None);
        m.advance_to(SimTime(300_000));
        assert_eq!(series(&m), Some(1), "points from the first reading on");
        assert_eq!(m.report(&[])["convergence_ms"], json!(850), "declaring again keeps the reading");
    }

    #[test]
    fn a_mean_gauge_is_the_exact_running_mean_of_its_samples() {
        let mut m = Metrics::new(100_000, 1_000_000);
        for (i, us) in [1_000, 2_000, 6_001].into_iter().enumerate() {
            m.mean_gauge("latency_mean_us", None, us, SimTime(i as u64));
        }
        m.advance_to(SimTime(100_000));
        m.mean_gauge("latency_mean_us", None, 1, SimTime(150_000));
        m.advance_to(SimTime(200_000));
        let s = m.get("latency_mean_us", None).map(|x| x.series.clone()).unwrap_or_default();
        let v: Vec<f64> = s.iter().map(|p| p.value).collect();
        assert_eq!(v, [3_000.0, 2_251.0], "9001/3 rounds to 3000, then 9002/4 to 2251");
    }

    #[test]
    fn a_window_permille_gauge_forgets_outcomes_older_than_its_window() {
        let mut m = Metrics::new(100_000, 10_000_000);
        let at = |m: &mut Metrics, ms: u64, ok: bool| {
            m.window_permille("availability_permille", None, ok, 1_000_000, SimTime(ms * 1000));
            m.advance_to(SimTime(ms * 1000 + 1));
            m.get("availability_permille", None).and_then(|x| x.series.last()).map(|p| p.value)
        };
        let _ = at(&mut m, 0, true);
        let _ = at(&mut m, 300, true);
        assert_eq!(at(&mut m, 600, false), Some(666.0), "two of three ok");
        assert_eq!(at(&mut m, 1_050, false), Some(333.0), "the one at 0 ms has left the window");
        assert_eq!(at(&mut m, 2_700, true), Some(1000.0), "only the latest is left");
    }

    #[test]
    fn a_peak_gauge_samples_the_highest_value_since_the_last_sample() {
        let mut m = Metrics::new(100_000, 1_000_000);
        // Up to 2 and back to 0 within the first interval; nothing in the second.
        m.gauge_peak("holdback_queue", None, 1, SimTime(10_000));
        m.gauge_peak("holdback_queue", None, 2, SimTime(20_000));
        m.gauge_peak("holdback_queue", None, 0, SimTime(50_000));
        m.advance_to(SimTime(200_000));
        let v: Vec<f64> =
            m.get("holdback_queue", None).map_or(Vec::new(), |x| x.series.iter().map(|p| p.value).collect());
        assert_eq!(v, [2.0, 0.0], "the first interval's peak, then the value it was left at");
        assert_eq!(m.report(&[])["holdback_queue"], json!(0), "the report says the value now");
    }

    #[test]
    fn a_static_name_is_allocated_once_per_distinct_name() {
        let a = static_name("pool_busy_test_products".to_string());
        let b = static_name(String::from("pool_busy_test_products"));
        assert_eq!(a, Some("pool_busy_test_products"));
        assert!(a.zip(b).is_some_and(|(a, b)| std::ptr::eq(a, b)), "the same allocation");
    }

    /// A counter first counted mid-run has a 0 at every sample before, as one counted from the
    /// start does: its total chart starts at 0, and the CSV has a row at every time (review 50 C8).
    #[test]
    fn a_counter_first_counted_mid_run_counted_zero_before() {
        let mut m = Metrics::new(100_000, 1_000_000);
        m.count("sent", None, 1, SimTime(0));
        m.advance_to(SimTime(300_000));
        m.count("blocked", None, 2, SimTime(350_000));
        m.gauge("depth", None, 4, SimTime(350_000));
        m.advance_to(SimTime(400_000));
        let series = |name: &str| {
            m.get(name, None).map_or(Vec::new(), |x| x.series.iter().map(|p| (p.t_ms, p.value)).collect())
        };
        assert_eq!(series("blocked"), [(100.0, 0.0), (200.0, 0.0), (300.0, 0.0), (400.0, 20.0)]);
        assert_eq!(series("sent").len(), 4);
        assert_eq!(series("depth"), [(400.0, 4.0)], "a gauge was not read before: no point");
    }

    #[test]
    fn long_runs_widen_the_interval() {
        let m = Metrics::new(100_000, 3_600_000_000);
        assert!(3_600_000_000 / m.interval_us() <= MAX_POINTS);
    }
}
