//! What the Traces view shows, from the spans the run keeps (see `dsplay_core::spans`): the
//! recent traces to pick from, one trace as a waterfall, and RED metrics per service (rate,
//! errors, duration), computed from serve spans as a tracing backend does. Plain data, so it is
//! tested without a page.

use dsplay_core::spans::{Span, SpanKind, SpanStatus};
use dsplay_core::{NodeId, SimDuration, SimTime};
use std::collections::BTreeMap;

/// How far back the list and the RED table look.
pub const WINDOW: SimDuration = SimDuration::from_ms(5_000);

/// One trace in the list: its root request and how it went.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRow {
    pub trace: u64,
    pub client: NodeId,
    pub name: String,
    pub start: SimTime,
    /// How long it took, or has taken so far while open.
    pub took: SimDuration,
    pub status: SpanStatus,
    pub spans: usize,
    /// Spans in it that failed (timeouts, errors, refusals), at any depth.
    pub failures: usize,
}

/// How the list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Slowest,
    /// Failed first (most failed spans first), then slowest.
    Failures,
    Newest,
}

fn took(s: &Span, now: SimTime) -> SimDuration {
    s.end.unwrap_or(now).since(s.start)
}

/// The traces whose request started in the last [`WINDOW`] before `now`, in `order`, at most
/// `limit`. A trace whose root its client no longer keeps is left out.
pub fn recent(spans: &[Span], now: SimTime, order: Order, limit: usize) -> Vec<TraceRow> {
    let since = SimTime(now.as_us().saturating_sub(WINDOW.as_us()));
    let mut rows: BTreeMap<u64, TraceRow> = spans
        .iter()
        .filter(|s| s.kind == SpanKind::Request && s.start >= since && s.start <= now)
        .map(|s| {
            let row = TraceRow {
                trace: s.trace,
                client: s.node,
                name: s.name.to_string(),
                start: s.start,
                took: took(s, now),
                status: s.status,
                spans: 0,
                failures: 0,
            };
            (s.trace, row)
        })
        .collect();
    for s in spans {
        if let Some(r) = rows.get_mut(&s.trace) {
            r.spans += 1;
            r.failures += usize::from(s.status.failed());
        }
    }
    let mut rows: Vec<TraceRow> = rows.into_values().collect();
    match order {
        Order::Slowest => rows.sort_by_key(|r| (std::cmp::Reverse(r.took), r.start)),
        Order::Failures => {
            rows.retain(|r| r.failures > 0 || r.status.failed());
            rows.sort_by_key(|r| (std::cmp::Reverse((r.failures, r.took)), r.start));
        }
        Order::Newest => rows.sort_by_key(|r| std::cmp::Reverse((r.start, r.trace))),
    }
    rows.truncate(limit);
    rows
}

/// How many traces started in the last [`WINDOW`] before `now`, and how many of them hold a
/// failure: the list's header says both (e7's lesson counts 75 of 148 at 11 s).
pub fn tally(spans: &[Span], now: SimTime) -> (usize, usize) {
    let all = recent(spans, now, Order::Newest, usize::MAX);
    (all.len(), all.iter().filter(|r| r.failures > 0 || r.status.failed()).count())
}

/// One row of a waterfall: a span, how deep it sits, and where its bar goes.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub depth: usize,
    pub span: Span,
    /// From the trace's start, and the bar's length (to `now` while open).
    pub offset: SimDuration,
    pub length: SimDuration,
}

/// The spans of `trace` in tree order (each after its parent, siblings by start), with their
/// bars, and the trace's whole extent. Spans whose parent is not kept hang under the root.
pub fn waterfall(spans: &[Span], trace: u64, now: SimTime) -> (Vec<Bar>, SimDuration) {
    let mine: Vec<&Span> = spans.iter().filter(|s| s.trace == trace).collect();
    let Some(start) = mine.iter().map(|s| s.start).min() else { return (Vec::new(), SimDuration::ZERO) };
    let end = mine.iter().map(|s| s.end.unwrap_or(now)).max().unwrap_or(start);
    let known: Vec<u64> = mine.iter().map(|s| s.id).collect();
    let root = known.contains(&trace).then_some(trace);
    let mut children: BTreeMap<Option<u64>, Vec<&Span>> = BTreeMap::new();
    for s in &mine {
        // A parent its node no longer keeps: under the root, or at the top without one.
        let parent = match s.parent {
            Some(p) if known.contains(&p) => Some(p),
            Some(_) => root,
            None => None,
        };
        children.entry(parent).or_default().push(s);
    }
    children.values_mut().for_each(|c| c.sort_by_key(|s| (s.start, s.id)));
    let mut out = Vec::new();
    let mut stack: Vec<(&Span, usize)> =
        children.get(&None).into_iter().flatten().rev().map(|s| (*s, 0)).collect();
    while let Some((s, depth)) = stack.pop() {
        out.push(Bar { depth, span: s.clone(), offset: s.start.since(start), length: took(s, now) });
        if let Some(kids) = children.get(&Some(s.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    (out, end.since(start))
}

/// RED metrics of one service over the window.
#[derive(Clone, Debug, PartialEq)]
pub struct Red {
    pub node: NodeId,
    /// Requests served per second.
    pub rate: f64,
    /// Share of them that failed, 0–1.
    pub errors: f64,
    pub p50: SimDuration,
    pub p99: SimDuration,
    /// How much time the figures cover: the window, or less if the service keeps fewer spans.
    pub over: SimDuration,
}

/// Per service (every node with serve spans), from the serve spans that ended in the last
/// [`WINDOW`], in node order.
pub fn red(spans: &[Span], now: SimTime) -> Vec<Red> {
    let since = SimTime(now.as_us().saturating_sub(WINDOW.as_us()));
    let mut by_node: BTreeMap<NodeId, (Vec<SimDuration>, usize, SimTime)> = BTreeMap::new();
    for s in spans.iter().filter(|s| s.kind == SpanKind::Serve) {
        let e = by_node.entry(s.node).or_insert((Vec::new(), 0, s.start));
        e.2 = e.2.min(s.start);
        if let Some(end) = s.end.filter(|&t| t > since && t <= now) {
            e.0.push(end.since(s.start));
            e.1 += usize::from(s.status.failed());
        }
    }
    by_node
        .into_iter()
        .map(|(node, (mut took, failed, oldest))| {
            took.sort_unstable();
            let over = now.since(since.max(oldest));
            let q = |p: usize| {
                took.get((took.len() * p).div_ceil(100).saturating_sub(1)).copied().unwrap_or_default()
            };
            Red {
                node,
                rate: if over.as_us() == 0 { 0.0 } else { took.len() as f64 / (over.as_us() as f64 / 1e6) },
                errors: if took.is_empty() { 0.0 } else { failed as f64 / took.len() as f64 },
                p50: q(50),
                p99: q(99),
                over,
            }
        })
        .collect()
}

/// A span or trace id as its node and number, `c1·17`; `#id` if it is not one.
pub fn id_label(id: u64, names: &[String]) -> String {
    dsplay_core::spans::span_label(id, names).unwrap_or_else(|| format!("#{id}"))
}

/// A duration as a person reads it: `0.4 ms`, `12 ms`, `1.51 s`.
pub fn took_label(d: SimDuration) -> String {
    let ms = d.as_us() as f64 / 1000.0;
    if ms < 1.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsplay_core::spans::{SpanLog, TraceParent};
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A client request to `api` that calls `db` twice: the first attempt times out at 100 ms
    /// while db goes on serving it until 150 ms; the retry succeeds.
    fn one_trace() -> (Vec<Span>, u64) {
        let t = SimTime::from_ms;
        let (mut c, mut api, mut db) = (SpanLog::new(true), SpanLog::new(true), SpanLog::new(true));
        let open =
            |log: &mut SpanLog, n: u32, at: u64, p: Option<TraceParent>, k: SpanKind, name: &'static str| {
                log.open(NodeId(n), t(at), p, k, || name.into())
            };
        let root = open(&mut c, 0, 0, None, SpanKind::Request, "api");
        let call = open(&mut c, 0, 0, Some(root), SpanKind::Call, "api");
        let serve = open(&mut api, 1, 2, Some(call), SpanKind::Serve, "get");
        let a1 = open(&mut api, 1, 5, Some(serve), SpanKind::Call, "db");
        let s1 = open(&mut db, 2, 6, Some(a1), SpanKind::Serve, "query");
        api.close(a1.span, t(105), SpanStatus::TimedOut);
        let a2 = open(&mut api, 1, 110, Some(serve), SpanKind::Call, "db (retry 1)");
        db.close(s1.span, t(150), SpanStatus::Ok);
        let s2 = open(&mut db, 2, 151, Some(a2), SpanKind::Serve, "query");
        db.close(s2.span, t(160), SpanStatus::Ok);
        api.close(a2.span, t(161), SpanStatus::Ok);
        api.close(serve.span, t(162), SpanStatus::Ok);
        c.close(call.span, t(164), SpanStatus::Ok);
        c.close(root.span, t(164), SpanStatus::Ok);
        let all = [c, api, db].iter().flat_map(|l| l.all().cloned().collect::<Vec<_>>()).collect();
        (all, root.trace)
    }

    #[wasm_bindgen_test]
    fn a_waterfall_nests_calls_under_serves_in_start_order() {
        let (spans, trace) = one_trace();
        let (bars, whole) = waterfall(&spans, trace, SimTime::from_ms(200));
        let rows: Vec<(usize, &str, u64, u64)> = bars
            .iter()
            .map(|b| (b.depth, &*b.span.name, b.offset.as_us() / 1000, b.length.as_us() / 1000))
            .collect();
        assert_eq!(
            rows,
            [
                (0, "api", 0, 164),
                (1, "api", 0, 164),
                (2, "get", 2, 160),
                (3, "db", 5, 100),
                (4, "query", 6, 144), // served on after its caller gave up at 105 ms
                (3, "db (retry 1)", 110, 51),
                (4, "query", 151, 9),
            ]
        );
        assert_eq!(whole, SimDuration::from_ms(164));
    }

    #[wasm_bindgen_test]
    fn ids_and_durations_read_as_words() {
        let names = ["c1".to_string(), "api".to_string()];
        assert_eq!(id_label((2 << 32) | 17, &names), "api·17");
        assert_eq!(id_label(5, &names), "#5", "not a span id");
        let d = SimDuration::from_us;
        assert_eq!([d(400), d(12_400), d(1_512_000)].map(took_label), ["0.4 ms", "12 ms", "1.51 s"]);
    }

    #[wasm_bindgen_test]
    fn the_list_orders_and_counts_failures_and_red_counts_serves() {
        let (spans, trace) = one_trace();
        let rows = recent(&spans, SimTime::from_ms(200), Order::Failures, 10);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].trace, rows[0].spans, rows[0].failures), (trace, 7, 1));
        assert_eq!((rows[0].took, rows[0].status), (SimDuration::from_ms(164), SpanStatus::Ok));
        assert!(
            recent(&spans, SimTime::from_ms(6_000), Order::Newest, 10).is_empty(),
            "older than the window"
        );
        let red = red(&spans, SimTime::from_ms(1_000));
        let db = red.iter().find(|r| r.node == NodeId(2)).expect("db");
        assert_eq!((db.p50, db.p99, db.errors), (SimDuration::from_ms(9), SimDuration::from_ms(144), 0.0));
        assert_eq!(db.over, SimDuration::from_ms(994), "db keeps spans from 6 ms on");
        assert!((db.rate - 2.0 / 0.994).abs() < 1e-9);
    }
}
