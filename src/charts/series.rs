//! Metrics → chart series. Pure (no web APIs), so it is unit-tested natively.
//!
//! Histograms give p50/p95/p99 lines (ms), a counter its running total (lessons speak of counters
//! that "climb", "jump" or "stay 0"; the throughput chart shows rates), gauges their values, and
//! gauges named `*_state` (e.g. `breaker_state`: 0 closed, 1 open, 2 half-open) give bands:
//! spans of constant state drawn as coloured background. Only points up to `now` are used, so a
//! chart rewinds with the playhead.

use dsplay_core::scenario::fault_spans::FaultMarks;
use dsplay_core::sim::metrics::{Metric, MetricKind, Metrics, Point};
use dsplay_core::NodeId;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Most lines per chart; beyond it per-node series are folded into max and mean.
pub const MAX_LINES: usize = 8;
/// How many line colours there are (`draw`'s palettes).
pub const LINE_HUES: usize = 8;
/// Most points per line handed to the drawing code (buckets are averaged).
pub const MAX_DRAW_POINTS: usize = 600;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Histogram,
    Counter,
    Gauge,
}

pub fn kind_of(m: &Metric) -> Kind {
    match m.kind {
        MetricKind::Counter { .. } => Kind::Counter,
        MetricKind::Gauge { .. } | MetricKind::Unset => Kind::Gauge,
        MetricKind::Histogram { .. } => Kind::Histogram,
    }
}

/// A gauge whose values are states, drawn as bands.
pub fn is_band(name: &str) -> bool {
    name.ends_with("_state")
}

/// What one chart shows.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ChartSpec {
    /// One metric, the natural way for its kind (global series, else one line per node).
    Metric(String),
    /// Rates of several counters (each summed over nodes).
    Throughput(Vec<String>),
    /// Running totals of several failure counters (each summed over nodes).
    Failures(Vec<String>),
    /// Failed client requests ÷ client requests, in percent: the `errors` and `requests` counters
    /// (see `Ctx::count` for the convention every protocol follows).
    ErrorRate,
    /// A t-visibility curve (probabilistically bounded staleness): for each delay t, the share of
    /// reads started t ms after a write that returned it, `tvis_fresh_<t>ms` ÷ `tvis_reads_<t>ms`,
    /// over the run so far. Its x axis is t, not time.
    Visibility,
}

impl ChartSpec {
    /// A stable key (file names, Yew keys).
    pub fn key(&self) -> String {
        match self {
            ChartSpec::Metric(n) => n.clone(),
            ChartSpec::Throughput(_) => "throughput".into(),
            ChartSpec::Failures(_) => "failures".into(),
            ChartSpec::ErrorRate => "error_rate".into(),
            ChartSpec::Visibility => "t_visibility".into(),
        }
    }

    /// The counters of a chart of several.
    pub fn counters(&self) -> Option<&Vec<String>> {
        match self {
            ChartSpec::Throughput(names) | ChartSpec::Failures(names) => Some(names),
            _ => None,
        }
    }

    pub(super) fn counters_mut(&mut self) -> Option<&mut Vec<String>> {
        match self {
            ChartSpec::Throughput(names) | ChartSpec::Failures(names) => Some(names),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub label: String,
    /// `(t_ms, value)`, in time order. A NaN value breaks the line there (see [`broken`]).
    pub points: Vec<(f64, f64)>,
    pub pen: Pen,
}

impl Line {
    /// A line in the default pen, decimated to at most `MAX_DRAW_POINTS` points.
    pub fn new(label: String, points: Vec<(f64, f64)>) -> Line {
        Line { label, points: decimate(points), pen: Pen::default() }
    }
}

/// How a line is drawn: its colour (an index into the line colours; `None`: its position in the
/// chart), whether it is dashed (the second run in Compare), and whether it is the total of the
/// chart's other lines (drawn last, on top of them, in short dashes: under them it hid).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pen {
    pub hue: Option<usize>,
    pub dashed: bool,
    pub total: bool,
    /// A latency line's step between samples: two points further apart than this have empty
    /// intervals between them, and the stretch that bridges them is drawn thin and dashed, not as
    /// a reading (review 51 C5: r2's empty 5.2–5.4 s read as latency ramping up).
    pub bridge_ms: Option<f64>,
}

/// The failures chart's `errors` line where other lines share the chart: every failed request,
/// so their sum (t1's `rejected` plus `timeouts`) or more.
pub const ERRORS_TOTAL: &str = "errors (every failed request)";

/// A span of constant state `[from_ms, to_ms)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    pub from_ms: f64,
    pub to_ms: f64,
    pub state: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub label: String,
    pub spans: Vec<Span>,
}

/// Everything `draw::draw_chart` needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartData {
    pub title: String,
    /// Unit of the y axis: "ms", "/s", "%" or "".
    pub y_unit: &'static str,
    pub lines: Vec<Line>,
    pub bands: Vec<Band>,
    /// The playhead.
    pub now_ms: f64,
    /// The right end of the x axis (the stop time).
    pub end_ms: f64,
    /// A chart whose x axis is not time: its categories' labels, line point `i` at x = `i` (no
    /// playhead). Empty for a chart over time.
    pub x_ticks: Vec<String>,
    /// The run's faults, shaded behind the series up to the playhead (worked out once per
    /// scenario and shared by every chart, hence the `Rc`).
    pub faults: Rc<FaultMarks>,
}

impl ChartData {
    /// The same chart with the run's `faults` shaded.
    pub fn shaded(self, faults: Rc<FaultMarks>) -> ChartData {
        ChartData { faults, ..self }
    }

    /// A chart of bands only (a breaker's states): a row per band, its states' colours as the
    /// legend, no y labels.
    pub fn only_bands(&self) -> bool {
        self.lines.is_empty() && !self.bands.is_empty()
    }

    /// Whether `band` is a circuit breaker's (its states have names): the chart's own, or one
    /// shown beside a latency line.
    pub fn is_breaker(&self, band: &Band) -> bool {
        self.title.starts_with("breaker_state") || band.label.contains("breaker_state")
    }

    /// No line has a point and there are no bands: nothing measured yet.
    pub fn is_empty(&self) -> bool {
        self.bands.is_empty() && self.lines.iter().all(|l| l.points.is_empty())
    }

    /// What the chart shows at the playhead, in words, for a screen reader (a canvas is only
    /// pixels): "latency_ms (ms) at 12.3 s: p50 15.2, p95 37.1, p99 54.3", each line with its
    /// shape so far (see [`shape`]).
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for l in &self.lines {
            if !self.x_ticks.is_empty() {
                // Over categories, every point: "fresh reads 0 ms 65, 1 ms 70, …".
                let each = l.points.iter().map(|&(x, v)| {
                    let tick = self.x_ticks.get(x as usize).map_or("?", String::as_str);
                    format!("{tick} {v:.0}")
                });
                parts.push(format!("{} {}", l.label, each.collect::<Vec<_>>().join(", ")));
            } else if l.points.last().is_some_and(|p| p.1.is_nan()) {
                parts.push(format!("{} no reading", l.label));
            } else if let Some(&(_, v)) = l.points.iter().rev().find(|p| !p.1.is_nan()) {
                let shape = shape(&l.points, self.now_ms, self.y_unit == "total");
                parts.push(format!("{} {}{shape}", l.label, num(v)));
            }
        }
        for b in &self.bands {
            if let Some(span) = b.spans.last() {
                parts.push(format!("{} {}", b.label, state_word(self.is_breaker(b), span.state)));
            }
        }
        let unit = if self.y_unit.is_empty() { String::new() } else { format!(" ({})", self.y_unit) };
        let at = format!("{}{unit} at {:.1} s", self.title, self.now_ms / 1000.0);
        let said = match parts.is_empty() {
            true => format!("{at}: no value yet"),
            false => format!("{at}: {}", parts.join(", ")),
        };
        // The faults shaded at the playhead, in words too ("r2 down since 12.0 s").
        let broken: Vec<String> = match self.x_ticks.is_empty() {
            true => super::shade::in_effect(&self.faults, self.now_ms)
                .map(|f| format!("{} since {:.1} s", f.label, f.from_ms as f64 / 1000.0))
                .collect(),
            false => Vec::new(),
        };
        match broken.is_empty() {
            true => said,
            false => format!("{said}; {}", broken.join(", ")),
        }
    }
}

/// A band's state as a name: a circuit breaker's ("open"), any other's by number ("state 3").
pub fn state_name(breaker: bool, state: i64) -> String {
    use dsplay_core::protocols::resilience::breaker::STATE_NAMES;
    match usize::try_from(state).ok().and_then(|i| STATE_NAMES.get(i)).filter(|_| breaker) {
        Some(name) => name.to_string(),
        None => format!("state {state}"),
    }
}

/// A band's state after its label: "b1 open", "b1 in state 3".
pub fn state_word(breaker: bool, state: i64) -> String {
    match breaker && (0..=2).contains(&state) {
        true => state_name(breaker, state),
        false => format!("in {}", state_name(breaker, state)),
    }
}

/// The worst (highest) state over every `*_state` gauge and node, as one band: shaded behind
/// latency charts so a breaker opening lines up with the latency it causes.
pub fn worst_state(metrics: &Metrics, now_ms: f64) -> Option<Band> {
    let interval_ms = metrics.interval_us() as f64 / 1000.0;
    let mut acc: BTreeMap<i64, Point> = BTreeMap::new();
    let mut names: Vec<&str> = Vec::new();
    for m in metrics.all().iter().filter(|m| is_band(m.name) && kind_of(m) == Kind::Gauge) {
        if !names.contains(&m.name) {
            names.push(m.name);
        }
        for p in upto(&m.series, now_ms) {
            let e = acc.entry((p.t_ms * 1000.0).round() as i64).or_insert(Point { value: f64::MIN, ..*p });
            e.value = e.value.max(p.value);
        }
    }
    let pts: Vec<Point> = acc.into_values().collect();
    (!pts.is_empty()).then(|| Band {
        label: format!("worst {}", names.join(", ")),
        spans: spans(&pts, now_ms, interval_ms),
    })
}

/// A histogram chart's whole run up to the playhead, in words: "run so far: p50 172 · p95 268 ·
/// p99 358 ms (50 samples)". The chart's lines are each interval's percentiles, which jump about;
/// a lesson's figure is usually this one. `None` for other charts, and for a histogram kept
/// per node by several nodes (one line each, no whole).
pub fn run_so_far(metrics: &Metrics, spec: &ChartSpec) -> Option<String> {
    let ChartSpec::Metric(name) = spec else { return None };
    let mut kept = metrics.all().iter().filter(|m| m.name == name.as_str());
    let global = kept.clone().find(|m| m.node.is_none());
    let only = kept.next().filter(|_| kept.next().is_none());
    let MetricKind::Histogram { all, .. } = &global.or(only)?.kind else { return None };
    if all.is_empty() {
        return None;
    }
    let ms = |q: f64| {
        let v = all.value_at_quantile(q) as f64 / 1000.0;
        if v >= 100.0 {
            format!("{v:.0}")
        } else if v >= 10.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.2}")
        }
    };
    let n = all.len();
    Some(format!(
        "run so far: p50 {} · p95 {} · p99 {} ms ({n} sample{})",
        ms(0.5),
        ms(0.95),
        ms(0.99),
        if n == 1 { "" } else { "s" }
    ))
}

fn upto(series: &[Point], now_ms: f64) -> &[Point] {
    &series[..series.partition_point(|p| p.t_ms <= now_ms)]
}

/// Average buckets so a line has at most `MAX_DRAW_POINTS` points (the last point is kept).
pub fn decimate(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    if points.len() <= MAX_DRAW_POINTS {
        return points;
    }
    let per = points.len().div_ceil(MAX_DRAW_POINTS);
    points
        .chunks(per)
        .map(|c| (c[c.len() - 1].0, c.iter().map(|p| p.1).sum::<f64>() / c.len() as f64))
        .collect()
}

fn points(pts: &[Point], f: impl Fn(&Point) -> Option<f64>) -> Vec<(f64, f64)> {
    pts.iter().filter_map(|p| f(p).map(|v| (p.t_ms, v))).collect()
}

/// A line of `pts` read by `f`, with a break wherever two points are more than `gap` ms apart, found before the line
/// is decimated: after, a long run's points lie further apart than any gap (t4's gauge charts
/// went blank past 60 s, 600 samples).
fn broken_line(label: String, pts: &[Point], f: impl Fn(&Point) -> Option<f64>, interval_us: u64) -> Line {
    let read = points(pts, f);
    // Decimated, each point stands for `per` samples: the step between points is that many.
    let per = read.len().div_ceil(MAX_DRAW_POINTS).max(1) as f64;
    let mut line = Line::new(label, breaks(read, gap_ms(interval_us)));
    // A bridge is a hole unlike the line's own rhythm (longer than nine in ten of its steps): a
    // quiet client answered every 0.5 s, or one of four clients answered now and then, is a
    // line, not a row of dashes.
    let mut steps: Vec<f64> =
        line.points.windows(2).map(|w| w[1].0 - w[0].0).filter(|d| !d.is_nan()).collect();
    steps.sort_unstable_by(f64::total_cmp);
    let usual = steps.get(steps.len() * 9 / 10).copied().unwrap_or(0.0);
    let bridge = (interval_us as f64 / 1000.0 * per).max(usual) * 1.5;
    // Holes everywhere are the line's rhythm too (a backend of fifty answering now and then):
    // drawn solid, as one stroke, not hundreds (each piece is a stroke: bench-ui's frames with a
    // node inspected went from a p95 of 16.8 ms to 33.4).
    let holes = steps.iter().rev().take_while(|&&d| d > bridge).count();
    line.pen.bridge_ms = (holes <= MAX_BRIDGES.max(steps.len() / 20)).then_some(bridge);
    line
}

/// Most bridges a line is drawn with (or one in twenty of its steps, if more): beyond, holes are
/// how the line goes.
const MAX_BRIDGES: usize = 8;

/// The shortest stretch with no sample that breaks a latency line: a line drawn straight across
/// a second in which nothing was answered reads as latency rising steadily (r6's 1.3 s outage
/// when cart crashes). Shorter holes (a quiet client between two requests, 0.5 s apart) are
/// bridged, or sparse lines would fall apart into dots.
pub fn gap_ms(interval_us: u64) -> f64 {
    (interval_us as f64 / 1000.0 * 8.0).max(1_000.0)
}

/// `points` with a break (a NaN point) wherever two are more than `gap` ms apart.
pub fn breaks(points: Vec<(f64, f64)>, gap: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len());
    for p in points {
        if out.last().is_some_and(|q: &(f64, f64)| p.0 - q.0 > gap) {
            out.push((p.0, f64::NAN));
        }
        out.push(p);
    }
    out
}

fn percentiles(prefix: &str, pts: &[Point], interval_us: u64) -> Vec<Line> {
    let has = |p: &Point| p.value > 0.0; // no samples in the interval: no point
    vec![
        broken_line(format!("{prefix}p50"), pts, |p| has(p).then_some(p.p50), interval_us),
        broken_line(format!("{prefix}p95"), pts, |p| has(p).then_some(p.p95), interval_us),
        broken_line(format!("{prefix}p99"), pts, |p| has(p).then_some(p.p99), interval_us),
    ]
}

/// Time-aligned sum of a counter's rate over its global and per-node series.
fn summed(metrics: &Metrics, name: &str, now_ms: f64) -> Vec<(f64, f64)> {
    let mut acc: BTreeMap<i64, (f64, f64)> = BTreeMap::new();
    for m in metrics.all().iter().filter(|m| m.name == name) {
        for p in upto(&m.series, now_ms) {
            acc.entry((p.t_ms * 1000.0).round() as i64).or_insert((p.t_ms, 0.0)).1 += p.value;
        }
    }
    acc.into_values().collect()
}

/// A figure as the summary says it: whole, or to one decimal.
pub(super) fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A line's shape up to `now_ms`, in words, after its latest value: a running total's "(rose from
/// 7.0 s to 9.1 s)" or "(rising since 7.0 s)"; any other line's mean over the last second and, if
/// well above it, its peak: "(mean 21.4 over the last second, peak 50 at 5.3 s)". One bucket
/// alone misled: d4's "requests 0" at 8 s, where 34 were sent in the second before, and a total
/// never said when it grew (review 46 B4).
fn shape(points: &[(f64, f64)], now_ms: f64, total: bool) -> String {
    let read: Vec<(f64, f64)> = points.iter().copied().filter(|p| !p.1.is_nan()).collect();
    let Some(&(_, last)) = read.last() else { return String::new() };
    if total {
        if last <= 0.0 {
            return String::new();
        }
        let first = read.iter().find(|p| p.1 > 0.0).map_or(0.0, |p| p.0);
        let rose = read.windows(2).filter(|w| w[1].1 > w[0].1).map(|w| w[1].0).next_back().unwrap_or(first);
        let s = |ms: f64| format!("{:.1} s", ms / 1000.0);
        return match now_ms - rose > 1_000.0 {
            true => format!(" (rose from {} to {})", s(first), s(rose)),
            false => format!(" (rising since {})", s(first)),
        };
    }
    let recent: Vec<f64> = read.iter().filter(|p| p.0 > now_ms - 1_000.0).map(|p| p.1).collect();
    if recent.len() < 2 {
        return String::new();
    }
    let mean = recent.iter().sum::<f64>() / recent.len() as f64;
    let mean = (mean * 10.0).round() / 10.0;
    let peak = read.iter().copied().fold((0.0, f64::MIN), |m, p| if p.1 > m.1 { p } else { m });
    // Only what the latest value does not already say.
    let mut said = Vec::new();
    // Within a tenth of the latest value, the mean says nothing more.
    if (mean - last).abs() > 0.1 * last.abs().max(1.0) {
        said.push(format!("mean {} over the last second", num(mean)));
    }
    if peak.1 > 0.0 && peak.1 >= 1.5 * mean.max(1.0) && peak.1 > last {
        said.push(format!("peak {} at {:.1} s", num(peak.1), peak.0 / 1000.0));
    }
    match said.is_empty() {
        true => String::new(),
        false => format!(" ({})", said.join(", ")),
    }
}

/// A counter's summed samples, or, if the run never counted it, a 0 at each of the run's sample
/// times (Compare draws B's failures of A's kinds, which B may never have had).
fn summed_or_zero(metrics: &Metrics, name: &str, now_ms: f64) -> Vec<(f64, f64)> {
    if metrics.all().iter().any(|m| m.name == name) {
        return summed(metrics, name, now_ms);
    }
    let longest = metrics.all().iter().max_by_key(|m| m.series.len());
    longest.map(|m| upto(&m.series, now_ms).iter().map(|p| (p.t_ms, 0.0)).collect()).unwrap_or_default()
}

/// Rates per second, one per sample interval of `interval_s`, in → the running total after each.
pub(crate) fn running_total(interval_s: f64) -> impl FnMut(f64) -> f64 {
    let mut sum = 0.0;
    move |rate| {
        sum += rate * interval_s;
        sum.round()
    }
}

/// A counter's samples (rates per second over `interval_s`) as its running total.
fn totals(rates: &[Point], interval_s: f64) -> Vec<Point> {
    let mut add = running_total(interval_s);
    rates.iter().map(|p| Point { value: add(p.value), ..*p }).collect()
}

/// Fold many per-node series into `max` and `mean` lines.
fn folded(name: &str, per: &[(&str, &[Point])]) -> Vec<Line> {
    let mut acc: BTreeMap<i64, (f64, f64, f64, f64)> = BTreeMap::new();
    for (_, pts) in per {
        for p in *pts {
            let e = acc.entry((p.t_ms * 1000.0).round() as i64).or_insert((p.t_ms, f64::MIN, 0.0, 0.0));
            e.1 = e.1.max(p.value);
            e.2 += p.value;
            e.3 += 1.0;
        }
    }
    let max = acc.values().map(|e| (e.0, e.1)).collect();
    let mean = acc.values().map(|e| (e.0, e.2 / e.3)).collect();
    vec![Line::new(format!("{name} max ({} nodes)", per.len()), max), Line::new(format!("{name} mean"), mean)]
}

/// Spans of constant state from a gauge's samples, taken every `interval_ms`: each sample holds
/// until the next, or for one interval when the next is missing (a crashed node's gauges have no
/// reading until it sets them again: the band stops rather than claim a state across the outage).
pub fn spans(pts: &[Point], now_ms: f64, interval_ms: f64) -> Vec<Span> {
    let unread = unread_ms(interval_ms);
    let mut out: Vec<Span> = Vec::new();
    for p in pts {
        let state = p.value.round() as i64;
        match out.last_mut() {
            Some(s) if p.t_ms - s.to_ms > unread => {
                s.to_ms += interval_ms;
                out.push(Span { from_ms: p.t_ms, to_ms: p.t_ms, state });
            }
            Some(s) if s.state == state => s.to_ms = p.t_ms,
            Some(s) => {
                s.to_ms = p.t_ms;
                out.push(Span { from_ms: p.t_ms, to_ms: p.t_ms, state });
            }
            None => out.push(Span { from_ms: 0.0, to_ms: p.t_ms, state }),
        }
    }
    if let Some(s) = out.last_mut() {
        s.to_ms = if now_ms - s.to_ms > unread { s.to_ms + interval_ms } else { s.to_ms.max(now_ms) };
    }
    out
}

/// A stretch longer than this between a gauge's samples (taken every `interval_ms`) had no
/// reading: its line breaks there.
fn unread_ms(interval_ms: f64) -> f64 {
    interval_ms * 1.5
}

fn metric_chart<'a>(
    metrics: &'a Metrics,
    name: &str,
    names: &[String],
    now_ms: f64,
) -> (&'static str, Vec<Line>, Vec<Band>) {
    let mut all: Vec<&Metric> = metrics.all().iter().filter(|m| m.name == name).collect();
    // By node, not by when each node first recorded: a node keeps its colour from chart to chart
    // (r4's registers were blue in one chart and green in the next).
    all.sort_by_key(|m| m.node);
    // A name in ms is charted in ms from the start: before its first sample (a chart the lesson
    // names is shown from 0 s) as after, so the title does not change when the data comes.
    let named_ms = name.ends_with("_ms");
    let Some(first) = all.first() else { return (if named_ms { "ms" } else { "" }, Vec::new(), Vec::new()) };
    let node_name = |m: &Metric| {
        m.node.map_or_else(
            || name.to_string(),
            |n| names.get(n.index()).cloned().unwrap_or_else(|| n.to_string()),
        )
    };
    let global = all.iter().find(|m| m.node.is_none());
    let kind = kind_of(first);
    let interval_ms = metrics.interval_us() as f64 / 1000.0;
    if kind == Kind::Gauge && is_band(name) {
        let band = |m: &&Metric| Band {
            label: node_name(m),
            spans: spans(upto(&m.series, now_ms), now_ms, interval_ms),
        };
        return ("", Vec::new(), all.iter().map(band).collect());
    }
    // A counter's running total, or a gauge's readings: its line breaks where it had none (see
    // `Metrics::forget_gauges_of`).
    let values = |label: String, pts: &[Point]| {
        let mut raw = points(pts, |p| Some(p.value));
        if kind != Kind::Gauge {
            return Line::new(label, raw);
        }
        // No reading since: the line ends in a break, and the chart's words say so.
        let last = raw.last().map(|p| p.0);
        if let Some(t) = last.filter(|t| now_ms - t > unread_ms(interval_ms)) {
            raw.push((t + interval_ms, f64::NAN));
        }
        Line::new(label, breaks(raw, unread_ms(interval_ms)))
    };
    let unit = match kind {
        Kind::Histogram => "ms",
        Kind::Counter => "total",
        Kind::Gauge if named_ms => "ms",
        Kind::Gauge => "",
    };
    let interval_s = metrics.interval_us() as f64 / 1e6;
    let step_us = metrics.interval_us();
    let pts = |m: &'a Metric| -> Cow<'a, [Point]> {
        let raw = upto(&m.series, now_ms);
        if kind == Kind::Counter {
            Cow::Owned(totals(raw, interval_s))
        } else {
            Cow::Borrowed(raw)
        }
    };
    let lines = match (kind, global) {
        (Kind::Histogram, Some(g)) => percentiles("", &pts(g), step_us),
        (_, Some(g)) => vec![values(name.to_string(), &pts(g))],
        (Kind::Histogram, None) if all.len() == 1 => {
            percentiles(&format!("{} ", node_name(first)), &pts(first), step_us)
        }
        (Kind::Histogram, None) => {
            let f = |p: &Point| (p.value > 0.0).then_some(p.p99);
            let p99 = |m: &&'a Metric| broken_line(format!("{} p99", node_name(m)), &pts(m), f, step_us);
            node_hues(metrics, &all, all.iter().take(MAX_LINES).map(p99).collect())
        }
        (_, None) if all.len() > MAX_LINES => {
            let labels: Vec<String> = all.iter().map(|m| node_name(m)).collect();
            let series: Vec<Cow<[Point]>> = all.iter().map(|m| pts(m)).collect();
            let per: Vec<(&str, &[Point])> =
                labels.iter().zip(&series).map(|(l, s)| (l.as_str(), &**s)).collect();
            folded(name, &per)
        }
        (_, None) => node_hues(metrics, &all, all.iter().map(|m| values(node_name(m), &pts(m))).collect()),
    };
    (unit, lines, Vec::new())
}

/// Per-node `lines` (one per metric of `of`, in its order) coloured by their node's place among
/// its peers, the nodes that record any metric these nodes record: a node keeps its colour in a
/// chart that lacks some of its peers (r4's `done_ms` has only the registers that have finished,
/// and its lines took the colours of other registers in the charts above it), and a chart of
/// backends still starts at the first colours. Where places more than 8 apart would share a
/// colour in one chart, the lines keep the colours of their order.
fn node_hues(metrics: &Metrics, of: &[&Metric], mut lines: Vec<Line>) -> Vec<Line> {
    let here: BTreeSet<NodeId> = of.iter().filter_map(|m| m.node).collect();
    let recorded = |m: &&Metric| m.node.is_some_and(|n| here.contains(&n));
    let names: BTreeSet<&str> = metrics.all().iter().filter(recorded).map(|m| m.name).collect();
    let peers: BTreeSet<NodeId> =
        metrics.all().iter().filter(|m| names.contains(m.name)).filter_map(|m| m.node).collect();
    let place = |m: &&Metric| m.node.and_then(|n| peers.iter().position(|r| *r == n));
    let hues: Vec<usize> = of.iter().take(lines.len()).filter_map(place).map(|p| p % LINE_HUES).collect();
    let distinct = hues.iter().collect::<BTreeSet<_>>().len() == lines.len();
    if distinct {
        for (line, hue) in lines.iter_mut().zip(hues) {
            line.pen.hue = Some(hue);
        }
    }
    lines
}

/// The data of one chart at the playhead `now_ms`, on an x axis ending at `end_ms`.
pub fn chart(metrics: &Metrics, spec: &ChartSpec, names: &[String], now_ms: f64, end_ms: f64) -> ChartData {
    let (title, y_unit, lines, bands) = match spec {
        ChartSpec::Metric(name) => {
            let (unit, lines, mut bands) = metric_chart(metrics, name, names, now_ms);
            if unit == "ms" {
                bands.extend(worst_state(metrics, now_ms));
            }
            (name.clone(), unit, lines, bands)
        }
        ChartSpec::Throughput(names) => {
            let lines = names.iter().map(|n| Line::new(n.clone(), summed(metrics, n, now_ms)));
            ("throughput".to_string(), "/s", lines.collect(), Vec::new())
        }
        ChartSpec::Failures(names) => {
            let interval_s = metrics.interval_us() as f64 / 1e6;
            let total = |n: &String| {
                let mut add = running_total(interval_s);
                let pts = summed_or_zero(metrics, n, now_ms).into_iter().map(|(t, v)| (t, add(v)));
                let line = Line::new(n.clone(), pts.collect());
                // Beside its breakdown, `errors` is their total: said so, and drawn so.
                match n == "errors" && names.len() > 1 {
                    true => Line { label: ERRORS_TOTAL.into(), pen: Pen { total: true, ..line.pen }, ..line },
                    false => line,
                }
            };
            ("failures".to_string(), "total", names.iter().map(total).collect(), Vec::new())
        }
        ChartSpec::Visibility => ("fresh reads, t after the write".to_string(), "%", Vec::new(), Vec::new()),
        ChartSpec::ErrorRate => {
            let err: BTreeMap<i64, f64> = summed(metrics, "errors", now_ms)
                .into_iter()
                .map(|(t, v)| ((t * 1000.0).round() as i64, v))
                .collect();
            // A request that fails in a later bucket than it was sent can push one bucket past 100 %.
            let pts =
                summed(metrics, "requests", now_ms).into_iter().filter(|(_, v)| *v > 0.0).map(|(t, v)| {
                    let e = err.get(&((t * 1000.0).round() as i64)).copied().unwrap_or(0.0);
                    (t, (100.0 * e / v).min(100.0))
                });
            (
                "error rate".to_string(),
                "%",
                vec![Line::new("errors / requests".into(), pts.collect())],
                Vec::new(),
            )
        }
    };
    let end_ms = end_ms.max(now_ms).max(1.0);
    let faults = Rc::default();
    let mut data = ChartData { title, y_unit, lines, bands, now_ms, end_ms, x_ticks: Vec::new(), faults };
    if *spec == ChartSpec::Visibility {
        (data.lines, data.x_ticks) = visibility(metrics);
    }
    data
}

/// The counters of a t-visibility experiment: reads started t ms after a write, and those of
/// them that returned it (`…_<t>ms`).
pub const TVIS_READS: &str = "tvis_reads_";
const TVIS_FRESH: &str = "tvis_fresh_";

/// The t-visibility curve so far: one point per delay t with reads, at x = its index among the
/// delays (sorted by t: 0, 1, 2, 5 … ms), y = the percentage of them that were fresh.
fn visibility(metrics: &Metrics) -> (Vec<Line>, Vec<String>) {
    let mut delays: Vec<u64> = metrics
        .all()
        .iter()
        .filter_map(|m| m.name.strip_prefix(TVIS_READS)?.strip_suffix("ms")?.parse().ok())
        .collect();
    delays.sort_unstable();
    delays.dedup();
    let points = delays.iter().enumerate().filter_map(|(i, t)| {
        let reads = metrics.counter_sum(&format!("{TVIS_READS}{t}ms"));
        let fresh = metrics.counter_sum(&format!("{TVIS_FRESH}{t}ms"));
        (reads > 0).then(|| (i as f64, 100.0 * fresh as f64 / reads as f64))
    });
    let ticks = delays.iter().map(|t| format!("{t} ms")).collect();
    (vec![Line::new("fresh reads".into(), points.collect())], ticks)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::charts::choice::defaults;
    use dsplay_core::sim::metrics::static_name;
    use dsplay_core::{ids::NodeId, SimTime};
    use wasm_bindgen_test::wasm_bindgen_test;

    pub(crate) fn sample() -> Metrics {
        let mut m = Metrics::new(100_000, 10_000_000);
        for step in 0..20u64 {
            let t = SimTime(step * 100_000);
            for i in 0..50 {
                m.observe("latency_ms", None, 1_000 + i * 400 + step * 10, t);
            }
            m.count("requests", None, 10, t);
            m.count("errors", Some(NodeId(1)), step % 3, t);
            m.gauge("backend_load", Some(NodeId(0)), step as i64, t);
            m.gauge("backend_load", Some(NodeId(1)), 2, t);
            m.gauge("breaker_state", Some(NodeId(1)), if (5..9).contains(&step) { 1 } else { 0 }, t);
            m.advance_to(SimTime((step + 1) * 100_000));
        }
        m
    }

    #[wasm_bindgen_test]
    fn a_node_has_the_same_place_and_so_colour_in_every_chart() {
        let mut m = Metrics::new(100_000, 10_000_000);
        m.gauge("calls", Some(NodeId(1)), 1, SimTime::ZERO);
        m.gauge("calls", Some(NodeId(0)), 1, SimTime::ZERO);
        m.gauge("done", Some(NodeId(0)), 1, SimTime::ZERO);
        m.gauge("done", Some(NodeId(1)), 1, SimTime::ZERO);
        m.advance_to(SimTime(200_000));
        let names = ["reg-a".to_string(), "reg-b".to_string()];
        let labels = |name: &str| -> Vec<String> {
            let d = chart(&m, &ChartSpec::Metric(name.into()), &names, 200.0, 1_000.0);
            d.lines.into_iter().map(|l| l.label).collect()
        };
        assert_eq!(labels("calls"), ["reg-a", "reg-b"]);
        assert_eq!(labels("done"), labels("calls"));
    }

    #[wasm_bindgen_test]
    fn a_node_keeps_its_colour_in_a_chart_without_some_of_the_others() {
        // r4: every register (nodes 2 to 5) counts its calls; only those that finished have a
        // `done_ms`. The clients (nodes 0 and 1) count what they have pending.
        let mut m = Metrics::new(100_000, 10_000_000);
        for n in 0..2 {
            m.gauge("pending", Some(NodeId(n)), 1, SimTime::ZERO);
        }
        for n in 2..6 {
            m.gauge("calls", Some(NodeId(n)), 1, SimTime::ZERO);
        }
        m.gauge("done_ms", Some(NodeId(3)), 5, SimTime::ZERO);
        m.gauge("done_ms", Some(NodeId(5)), 7, SimTime::ZERO);
        m.advance_to(SimTime(200_000));
        let names: Vec<String> = ["c1", "c2", "reg-a", "reg-b", "reg-c", "reg-d"].map(String::from).to_vec();
        // The colour drawn: a line's own hue, else its place in the chart (`draw::pen`).
        let hues = |name: &str| -> Vec<(String, usize)> {
            let d = chart(&m, &ChartSpec::Metric(name.into()), &names, 200.0, 1_000.0);
            d.lines.into_iter().enumerate().map(|(i, l)| (l.label, l.pen.hue.unwrap_or(i))).collect()
        };
        let calls = hues("calls");
        // The registers take the first colours: the clients' are no reason to skip them.
        assert_eq!(calls.iter().map(|(_, h)| *h).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!(hues("done_ms"), [("reg-b".to_string(), 1), ("reg-d".to_string(), 3)]);
    }

    #[wasm_bindgen_test]
    fn lines_more_than_the_colours_apart_keep_the_colours_of_their_order() {
        let mut m = Metrics::new(100_000, 10_000_000);
        for n in 0..10 {
            m.gauge("calls", Some(NodeId(n)), 1, SimTime::ZERO);
        }
        m.gauge("far", Some(NodeId(0)), 1, SimTime::ZERO);
        m.gauge("far", Some(NodeId(8)), 1, SimTime::ZERO);
        m.advance_to(SimTime(200_000));
        let names: Vec<String> = (0..10).map(|i| format!("n{i}")).collect();
        let d = chart(&m, &ChartSpec::Metric("far".into()), &names, 200.0, 1_000.0);
        let hues: Vec<Option<usize>> = d.lines.iter().map(|l| l.pen.hue).collect();
        assert_eq!(hues, [None, None], "places 0 and 8 would share a colour");
    }

    #[wasm_bindgen_test]
    fn histograms_give_ordered_percentiles() {
        let m = sample();
        let d = chart(&m, &ChartSpec::Metric("latency_ms".into()), &[], 2_000.0, 10_000.0);
        assert_eq!(d.y_unit, "ms");
        let labels: Vec<&str> = d.lines.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["p50", "p95", "p99"]);
        assert_eq!(d.lines[0].points.len(), 20);
        for (p50, p99) in d.lines[0].points.iter().zip(&d.lines[2].points) {
            assert!(p99.1 >= p50.1 && p50.1 > 0.0, "p99 {p99:?} ≥ p50 {p50:?}");
        }
        // Before its first sample a chart in ms says so already: its title does not change
        // when the data comes.
        let empty = Metrics::new(100_000, 10_000_000);
        let d = chart(&empty, &ChartSpec::Metric("commit_latency_ms".into()), &[], 0.0, 10_000.0);
        assert_eq!((d.y_unit, d.lines.len()), ("ms", 0));
    }

    #[wasm_bindgen_test]
    fn a_latency_line_breaks_over_seconds_with_no_answer_and_bridges_short_holes() {
        let mut m = Metrics::new(100_000, 20_000_000);
        // Answers every 0.5 s (a quiet client: holes of 4 samples) up to 5 s, none until 12 s,
        // and none from 15 s to 16.5 s (a crashed service: 1.5 s with no answer).
        for step in 0..200u64 {
            let t = SimTime(step * 100_000);
            if step % 5 == 0 && !(50..120).contains(&step) && !(151..165).contains(&step) {
                m.observe("latency_ms", None, 2_000, t);
            }
            m.advance_to(SimTime((step + 1) * 100_000));
        }
        let d = chart(&m, &ChartSpec::Metric("latency_ms".into()), &[], 20_000.0, 20_000.0);
        let p50 = &d.lines[0].points;
        let breaks: Vec<f64> = p50.iter().filter(|p| p.1.is_nan()).map(|p| p.0).collect();
        assert_eq!(breaks, [12_100.0, 16_600.0], "a break where each outage ends");
        let svg = crate::charts::draw::to_svg(&d, (640, 220), &crate::charts::draw::LIGHT).expect("draws");
        assert!(!svg.contains("NaN"), "a break is not drawn as a point");
        // The quiet client's rhythm (0.5 s) is the line's own: not drawn as bridges, which are
        // holes longer than it (review 51 C5: r2's empty 5.2–5.4 s read as a ramp).
        let bridge = d.lines[0].pen.bridge_ms.expect("a latency line has a step");
        assert_eq!(bridge, 750.0);
        let mut m = Metrics::new(100_000, 2_000_000);
        for step in 0..20u64 {
            if !(6..9).contains(&step) {
                m.observe("latency_ms", None, 2_000, SimTime(step * 100_000 + 50_000));
            }
            m.advance_to(SimTime((step + 1) * 100_000));
        }
        let d = chart(&m, &ChartSpec::Metric("latency_ms".into()), &[], 2_000.0, 2_000.0);
        let (p99, bridge) = (&d.lines[2].points, d.lines[2].pen.bridge_ms.expect("a step"));
        let holes: Vec<f64> = p99.windows(2).filter(|w| w[1].0 - w[0].0 > bridge).map(|w| w[0].0).collect();
        assert_eq!((bridge, holes), (150.0, vec![600.0]), "the one hole, not broken: {p99:?}");
        // Holes everywhere (four answered intervals, then three with none, for 20 s) are how the
        // line goes: one solid stroke, not a hundred pieces.
        let mut m = Metrics::new(100_000, 20_000_000);
        for step in 0..200u64 {
            if step % 7 < 4 {
                m.observe("latency_ms", None, 2_000, SimTime(step * 100_000 + 50_000));
            }
            m.advance_to(SimTime((step + 1) * 100_000));
        }
        let d = chart(&m, &ChartSpec::Metric("latency_ms".into()), &[], 20_000.0, 20_000.0);
        let (p99, bridge) = (&d.lines[2].points, d.lines[2].pen.bridge_ms.unwrap_or(0.0));
        assert!(p99.windows(2).all(|w| w[1].0 - w[0].0 <= bridge), "no bridge in {bridge}: {p99:?}");
        // A gauge's line has a point at every sample: nothing to bridge.
        m.gauge("load", None, 3, SimTime::from_ms(50));
        let d = chart(&m, &ChartSpec::Metric("load".into()), &[], 2_000.0, 2_000.0);
        assert_eq!(d.lines[0].pen.bridge_ms, None);
    }

    #[wasm_bindgen_test]
    fn series_stop_at_the_playhead() {
        let m = sample();
        let d = chart(&m, &ChartSpec::Metric("requests".into()), &[], 550.0, 10_000.0);
        let totals: Vec<f64> = d.lines[0].points.iter().map(|p| p.1).collect();
        assert_eq!(totals, [10.0, 20.0, 30.0, 40.0, 50.0], "a counter's chart is its running total");
        assert_eq!(d.y_unit, "total");
        let t = chart(&m, &ChartSpec::Throughput(vec!["requests".into()]), &[], 550.0, 10_000.0);
        assert!(t.lines[0].points.iter().all(|p| (p.1 - 100.0).abs() < 1e-9), "10 per 100 ms is 100/s");
    }

    #[wasm_bindgen_test]
    fn per_node_gauges_are_lines_named_by_node_and_states_are_bands() {
        let m = sample();
        let names = vec!["b0".to_string(), "b1".to_string()];
        let d = chart(&m, &ChartSpec::Metric("backend_load".into()), &names, 10_000.0, 10_000.0);
        assert_eq!(d.lines.iter().map(|l| l.label.as_str()).collect::<Vec<_>>(), ["b0", "b1"]);
        let l = chart(&m, &ChartSpec::Metric("latency_ms".into()), &names, 10_000.0, 10_000.0);
        assert_eq!(l.bands.len(), 1, "the worst state is shaded behind latency");
        let b = chart(&m, &ChartSpec::Metric("breaker_state".into()), &names, 10_000.0, 10_000.0);
        assert!(b.lines.is_empty());
        let states: Vec<i64> = b.bands[0].spans.iter().map(|s| s.state).collect();
        assert_eq!((b.bands[0].label.as_str(), states), ("b1", vec![0, 1, 0]));
        assert!((b.bands[0].spans[1].from_ms - 600.0).abs() < 1e-9);
    }

    /// `steps` samples 100 ms apart of node `n`'s gauges set by `read`, the node crashing at the
    /// start of `down` and reading again from its end; `each` runs at every step.
    fn with_outage(
        steps: u64,
        (n, down): (NodeId, std::ops::Range<u64>),
        read: impl Fn(&mut Metrics, SimTime),
        each: impl Fn(&mut Metrics, SimTime),
    ) -> Metrics {
        let mut m = Metrics::new(100_000, 10_000_000);
        for step in 0..steps {
            let t = SimTime(step * 100_000);
            if step == down.start {
                m.forget_gauges_of(n);
            }
            if !down.contains(&step) {
                read(&mut m, t);
            }
            each(&mut m, t);
            m.advance_to(SimTime((step + 1) * 100_000));
        }
        m
    }

    #[wasm_bindgen_test]
    fn a_crashed_nodes_gauges_break_their_line_and_band_until_read_again() {
        let read = |m: &mut Metrics, t| {
            m.gauge("busy", Some(NodeId(1)), 2, t);
            m.gauge("breaker_state", Some(NodeId(1)), 1, t);
        };
        let m = with_outage(20, (NodeId(1), 5..12), read, |m, t| m.gauge("busy", Some(NodeId(0)), 1, t));
        let names = vec!["a".to_string(), "b".to_string()];
        let d = chart(&m, &ChartSpec::Metric("busy".into()), &names, 2_000.0, 2_000.0);
        let breaks = |l: &Line| l.points.iter().filter(|p| p.1.is_nan()).count();
        assert_eq!((breaks(&d.lines[0]), breaks(&d.lines[1])), (0, 1), "only b's line breaks");
        let b = chart(&m, &ChartSpec::Metric("breaker_state".into()), &names, 2_000.0, 2_000.0);
        let spans: Vec<(f64, f64)> = b.bands[0].spans.iter().map(|s| (s.from_ms, s.to_ms)).collect();
        assert_eq!(spans, [(0.0, 600.0), (1_300.0, 2_000.0)], "no state claimed while down");
        let down = chart(&m, &ChartSpec::Metric("busy".into()), &names, 1_000.0, 2_000.0);
        assert_eq!(down.summary(), "busy at 1.0 s: a 1, b no reading", "not b's last value before the crash");
    }

    #[wasm_bindgen_test]
    fn the_error_rate_is_errors_over_requests_without_adding_their_breakdown_again() {
        // t1-round-robin's shape: errors = rejected + timeouts; summing all three read 40 % for 20 %.
        let mut m = Metrics::new(100_000, 10_000_000);
        for step in 0..10u64 {
            let t = SimTime(step * 100_000);
            m.count("requests", None, 10, t);
            m.count("errors", None, 2, t);
            m.count("timeouts", None, 1, t);
            m.count("rejected", Some(NodeId(3)), 1, t);
            m.count("probe_failures", None, 5, t);
            m.advance_to(SimTime((step + 1) * 100_000));
        }
        assert!(defaults(&m).contains(&ChartSpec::ErrorRate));
        let d = chart(&m, &ChartSpec::ErrorRate, &[], 1_000.0, 1_000.0);
        assert_eq!(d.lines[0].label, "errors / requests");
        assert_eq!(d.lines[0].points.len(), 10);
        assert!(d.lines[0].points.iter().all(|p| (p.1 - 20.0).abs() < 1e-9), "{:?}", d.lines[0].points);
        // Error-ish counters without the `errors` convention give no error rate at all.
        let mut n = Metrics::new(100_000, 10_000_000);
        n.count("requests", None, 10, SimTime(0));
        n.count("call_timeouts", None, 3, SimTime(0));
        n.advance_to(SimTime(100_000));
        assert!(!defaults(&n).contains(&ChartSpec::ErrorRate));
    }

    #[wasm_bindgen_test]
    fn the_failures_chart_is_running_totals() {
        let d = chart(&sample(), &ChartSpec::Failures(vec!["errors".into()]), &[], 550.0, 10_000.0);
        let totals: Vec<f64> = d.lines[0].points.iter().map(|p| p.1).collect();
        assert_eq!((d.y_unit, totals), ("total", vec![0.0, 1.0, 3.0, 3.0, 4.0]));
    }

    #[wasm_bindgen_test]
    fn errors_beside_their_breakdown_are_the_total_and_say_so() {
        let mut m = Metrics::new(100_000, 10_000_000);
        m.count("errors", None, 2, SimTime(0));
        m.count("rejected", None, 2, SimTime(0));
        m.advance_to(SimTime(100_000));
        let both =
            chart(&m, &ChartSpec::Failures(vec!["errors".into(), "rejected".into()]), &[], 100.0, 1_000.0);
        let pens: Vec<(&str, bool)> = both.lines.iter().map(|l| (l.label.as_str(), l.pen.total)).collect();
        assert_eq!(pens, [(ERRORS_TOTAL, true), ("rejected", false)]);
        let alone = chart(&m, &ChartSpec::Failures(vec!["errors".into()]), &[], 100.0, 1_000.0);
        assert_eq!(
            (alone.lines[0].label.as_str(), alone.lines[0].pen.total),
            ("errors", false),
            "no breakdown"
        );
        // In Compare the caption's rule wins (review 24 C2: A's total was dotted under "A solid, B
        // dashed"): A's total solid, B's dashed, each still named the total.
        let both = crate::charts::overlay::overlay(both.clone(), Some(both));
        let totals: Vec<(bool, bool, bool)> = both
            .lines
            .iter()
            .filter(|l| l.label.ends_with(ERRORS_TOTAL))
            .map(|l| (l.pen.total, l.pen.dashed, l.label.starts_with("B")))
            .collect();
        assert_eq!(totals, [(false, false, false), (false, true, true)]);
    }

    #[wasm_bindgen_test]
    fn a_histogram_chart_gives_the_whole_run_so_far() {
        let m = sample();
        // 20 intervals of 50 samples from 1 ms to about 20.8 ms, evenly: the median is near 10.9 ms.
        let text = run_so_far(&m, &ChartSpec::Metric("latency_ms".into())).expect("a histogram");
        assert!(text.starts_with("run so far: p50 10.") && text.ends_with("ms (1000 samples)"), "{text}");
        assert!(text.contains("p99 20."), "{text}");
        assert_eq!(run_so_far(&m, &ChartSpec::Metric("backend_load".into())), None, "a gauge");
        assert_eq!(run_so_far(&m, &ChartSpec::ErrorRate), None);
        let mut per = Metrics::new(100_000, 1_000_000);
        per.observe("rtt_ms", Some(NodeId(0)), 5_000, SimTime::ZERO);
        // One node's histogram is the whole; HDR buckets give 5 ms back as 5.02 (as the CLI does).
        let one = run_so_far(&per, &ChartSpec::Metric("rtt_ms".into())).expect("one node's");
        assert!(one.starts_with("run so far: p50 5.0") && one.ends_with(" ms (1 sample)"), "{one}");
        per.observe("rtt_ms", Some(NodeId(1)), 5_000, SimTime::ZERO);
        assert_eq!(run_so_far(&per, &ChartSpec::Metric("rtt_ms".into())), None, "two nodes, no whole");
    }

    #[wasm_bindgen_test]
    fn a_t_visibility_curve_is_fresh_over_reads_per_delay_in_order_of_t() {
        let mut m = sample();
        assert!(!defaults(&m).contains(&ChartSpec::Visibility), "no experiment, no curve");
        // Two clients; delays registered out of order, as names sort ("10ms" before "2ms").
        for (t, reads, fresh) in [(10u64, 4u64, 4u64), (0, 3, 2), (2, 4, 3), (50, 0, 0)] {
            for node in [NodeId(0), NodeId(1)] {
                m.count(
                    static_name(format!("{TVIS_READS}{t}ms")).expect("name"),
                    Some(node),
                    reads,
                    SimTime::ZERO,
                );
                m.count(
                    static_name(format!("{TVIS_FRESH}{t}ms")).expect("name"),
                    Some(node),
                    fresh,
                    SimTime::ZERO,
                );
            }
        }
        assert_eq!(defaults(&m).first(), Some(&ChartSpec::Visibility), "the experiment's figure comes first");
        let d = chart(&m, &ChartSpec::Visibility, &[], 500.0, 1_000.0);
        assert_eq!(d.x_ticks, ["0 ms", "2 ms", "10 ms", "50 ms"]);
        // 4 of 6, 6 of 8, 8 of 8; no reads yet at 50 ms, so no point there.
        let pts: Vec<(f64, f64)> =
            d.lines[0].points.iter().map(|&(x, y)| (x, (y * 10.0).round() / 10.0)).collect();
        assert_eq!(pts, [(0.0, 66.7), (1.0, 75.0), (2.0, 100.0)]);
        assert_eq!(
            d.summary(),
            "fresh reads, t after the write (%) at 0.5 s: fresh reads 0 ms 67, 2 ms 75, 10 ms 100"
        );
    }

    #[wasm_bindgen_test]
    fn a_chart_says_its_latest_values_in_words() {
        let names = vec!["b0".to_string(), "b1".to_string()];
        let d = chart(&sample(), &ChartSpec::Metric("backend_load".into()), &names, 550.0, 10_000.0);
        // The interval ending at 0.5 s, the last one complete at 0.55 s, had b0 at 4.
        // With what the latest value alone does not say (review 46 B4): b0 climbed to it.
        assert_eq!(d.summary(), "backend_load at 0.6 s: b0 4 (mean 2 over the last second), b1 2");
        // A total says when it grew: still growing, then done growing.
        let errors = ChartSpec::Failures(vec!["errors".into()]);
        let growing = chart(&sample(), &errors, &[], 1_500.0, 10_000.0).summary();
        assert!(growing.contains(": errors ") && growing.ends_with("(rising since 0.2 s)"), "{growing}");
        let done = chart(&sample(), &errors, &[], 9_000.0, 10_000.0).summary();
        assert!(done.ends_with("(rose from 0.2 s to 2.0 s)"), "{done}");
        let l = chart(&sample(), &ChartSpec::Metric("latency_ms".into()), &[], 550.0, 10_000.0);
        assert!(l.summary().starts_with("latency_ms (ms) at 0.6 s: p50 "), "{}", l.summary());
        let b = chart(&sample(), &ChartSpec::Metric("breaker_state".into()), &names, 10_000.0, 10_000.0);
        assert!(b.summary().ends_with("b1 closed"), "a breaker's state by name: {}", b.summary());
        let none = chart(&Metrics::new(100_000, 1_000_000), &ChartSpec::Metric("x".into()), &[], 0.0, 1.0);
        assert_eq!(none.summary(), "x at 0.0 s: no value yet");
    }

    #[wasm_bindgen_test]
    fn a_long_runs_lines_are_decimated_whole_and_break_only_where_readings_stop() {
        // 3,000 samples: decimated 5 to a point, 500 ms apart, more than any gap between samples.
        let read = |m: &mut Metrics, t| m.gauge("busy", Some(NodeId(0)), 3, t);
        let m = with_outage(3_000, (NodeId(0), 2_000..2_100), read, |m, t| {
            m.observe("latency_ms", None, 2_000, t)
        });
        let at = |name: &str| chart(&m, &ChartSpec::Metric(name.into()), &[], 300_000.0, 300_000.0);
        let breaks = |d: &ChartData| {
            d.lines.iter().map(|l| l.points.iter().filter(|p| p.1.is_nan()).count()).sum::<usize>()
        };
        let busy = at("busy");
        assert!(busy.lines[0].points.len() <= MAX_DRAW_POINTS && busy.lines[0].points.len() > 500);
        assert_eq!(breaks(&busy), 1, "one break, where the node was down 10 s");
        assert_eq!(breaks(&at("latency_ms")), 0, "no hole, no break");
    }

    #[wasm_bindgen_test]
    fn decimation_bounds_points() {
        let pts: Vec<(f64, f64)> = (0..5000).map(|i| (i as f64, 1.0)).collect();
        let d = decimate(pts);
        assert!(d.len() <= MAX_DRAW_POINTS && d.last() == Some(&(4999.0, 1.0)));
    }
}
