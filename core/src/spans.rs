//! Distributed tracing (catalog E7): the spans a node records about the work it did for a
//! request, and the small buffer that keeps them.
//!
//! A client starts a *trace* when it sends a request; every piece of work done for it is a
//! *span* with the trace's id and its parent's span id, which travel with each call (as a
//! `traceparent` header would, in W3C Trace Context). A caller's span covers one attempt, from
//! sending to the answer, the timeout or the breaker's refusal; the callee's span covers the
//! request from arrival (queueing included) to its answer. The two need not agree: a callee
//! still working after its caller gave up is the orphaned work a trace makes visible.
//!
//! Spans live in the node that made them, like a tracer's buffer: a crash loses the ones still
//! open (never reported), and only the newest [`KEPT_PER_NODE`] finished ones are kept (about the
//! last [`KEPT_PER_NODE`] requests a service served). Being node state, they rewind with the
//! timeline; finished spans are kept in shared chunks of [`CHUNK`], so a checkpoint copies at most
//! one chunk's worth of them, not the whole buffer.

use crate::ids::NodeId;
use crate::time::SimTime;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

/// Finished spans a node keeps (the oldest go first, a chunk at a time).
pub const KEPT_PER_NODE: usize = 2048;
/// Finished spans per shared chunk.
pub const CHUNK: usize = 64;

/// How a span ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanStatus {
    /// Still open: the work goes on (or its node will never say: see [`SpanLog`]).
    Open,
    Ok,
    /// Answered, but by a fallback or with optional parts left out.
    Degraded,
    Error,
    /// The caller stopped waiting.
    TimedOut,
    /// Refused on arrival (a full queue) or by an open circuit breaker, without being tried.
    Refused,
}

impl SpanStatus {
    pub fn word(self) -> &'static str {
        match self {
            SpanStatus::Open => "in progress",
            SpanStatus::Ok => "ok",
            SpanStatus::Degraded => "degraded",
            SpanStatus::Error => "error",
            SpanStatus::TimedOut => "timed out",
            SpanStatus::Refused => "refused",
        }
    }

    /// Whether the span counts as an error in RED metrics.
    pub fn failed(self) -> bool {
        matches!(self, SpanStatus::Error | SpanStatus::TimedOut | SpanStatus::Refused)
    }
}

/// Which side of a call a span is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanKind {
    /// A client's whole request: the trace's root.
    Request,
    /// One attempt of a call, on the caller.
    Call,
    /// Serving a call, on the callee.
    Serve,
}

/// One unit of work in a trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub trace: u64,
    pub id: u64,
    pub parent: Option<u64>,
    pub node: NodeId,
    pub kind: SpanKind,
    /// What was done: `cart.add`, or `cart.add (retry 2)`.
    pub name: Rc<str>,
    pub start: SimTime,
    /// When it ended; `None` while open.
    pub end: Option<SimTime>,
    pub status: SpanStatus,
}

/// What a call carries so the callee's span joins the trace: the trace and the caller's span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TraceParent {
    pub trace: u64,
    pub span: u64,
}

/// Span ids are unique across nodes: the node's index + 1 in the high 32 bits, its own count
/// below (so 0 is no span).
fn span_id(node: NodeId, seq: u64) -> u64 {
    (u64::from(node.0) + 1) << 32 | seq
}

/// A span or trace id as people read it, its node and number: `c1·17` (`None` if it is not
/// one, or names no node of `names`).
pub fn span_label(id: u64, names: &[String]) -> Option<String> {
    let node = usize::try_from((id >> 32).checked_sub(1)?).ok()?;
    Some(format!("{}·{}", names.get(node)?, id & 0xffff_ffff))
}

/// A node's spans: open ones by id, and the newest finished ones (full chunks, shared between
/// the copies a checkpoint makes, then the chunk being filled). A log that is not on records
/// nothing and costs nothing: tracing is a scenario's choice (it costs about a third of the
/// simulator's speed on a busy service graph, measured with `dsplay bench`).
#[derive(Clone, Debug, Default)]
pub struct SpanLog {
    on: bool,
    next: u64,
    open: BTreeMap<u64, Span>,
    chunks: VecDeque<Rc<[Span]>>,
    tail: Vec<Span>,
}

impl SpanLog {
    /// A log that records (`on`) or not.
    pub fn new(on: bool) -> Self {
        SpanLog { on, ..SpanLog::default() }
    }

    /// Open a span at `node` now, named by `name` (asked only when recording); `parent: None`
    /// starts a trace (its id is the span's). Ids are unique across nodes: the node's index + 1
    /// in the high 32 bits. Off, nothing is recorded and the context is all zeros.
    pub fn open(
        &mut self,
        node: NodeId,
        now: SimTime,
        parent: Option<TraceParent>,
        kind: SpanKind,
        name: impl FnOnce() -> Rc<str>,
    ) -> TraceParent {
        if !self.on {
            return TraceParent::default();
        }
        let name = name();
        self.next += 1;
        let id = span_id(node, self.next);
        let trace = parent.map_or(id, |p| p.trace);
        let span = Span {
            trace,
            id,
            parent: parent.map(|p| p.span),
            node,
            kind,
            name,
            start: now,
            end: None,
            status: SpanStatus::Open,
        };
        self.open.insert(id, span);
        TraceParent { trace, span: id }
    }

    /// Close span `id` now with `status` (nothing if it is not open).
    pub fn close(&mut self, id: u64, now: SimTime, status: SpanStatus) {
        if !self.on {
            return;
        }
        if let Some(mut s) = self.open.remove(&id) {
            s.end = Some(now);
            s.status = status;
            self.tail.push(s);
            if self.tail.len() == CHUNK {
                if (self.chunks.len() + 1) * CHUNK > KEPT_PER_NODE {
                    self.chunks.pop_front();
                }
                self.chunks.push_back(std::mem::take(&mut self.tail).into());
            }
        }
    }

    /// A crash: spans not yet finished were never reported, and are gone.
    pub fn crash(&mut self) {
        self.open.clear();
    }

    /// Every span kept, finished ones first (oldest first), then the open ones.
    pub fn all(&self) -> impl Iterator<Item = &Span> {
        self.chunks.iter().flat_map(|c| c.iter()).chain(&self.tail).chain(self.open.values())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_join_their_trace_and_keep_the_newest() {
        let mut log = SpanLog::new(true);
        let t = SimTime::from_ms;
        let root = log.open(NodeId(0), t(1), None, SpanKind::Request, || "c1".into());
        assert_eq!(root.trace, root.span, "a root span names its trace");
        let child = log.open(NodeId(0), t(2), Some(root), SpanKind::Call, || "api.get".into());
        assert_eq!(child.trace, root.trace);
        let other = SpanLog::new(true).open(NodeId(3), t(2), Some(child), SpanKind::Serve, || "get".into());
        assert_ne!(other.span, child.span, "ids differ across nodes");
        log.close(child.span, t(5), SpanStatus::TimedOut);
        let spans: Vec<_> = log.all().collect();
        assert_eq!(spans.len(), 2);
        assert_eq!(
            (spans[0].id, spans[0].end, spans[0].status),
            (child.span, Some(t(5)), SpanStatus::TimedOut)
        );
        assert_eq!((spans[1].status, spans[1].end), (SpanStatus::Open, None), "the root is still open");
        log.crash();
        assert_eq!(log.all().count(), 1, "the open root was never reported");
        // 1 + 2,047 finished fill the buffer; one more chunk's worth drops the oldest chunk.
        for i in 0..(KEPT_PER_NODE + CHUNK) as u64 - 1 {
            let s = log.open(NodeId(0), t(10 + i), None, SpanKind::Request, || "c1".into());
            log.close(s.span, t(11 + i), SpanStatus::Ok);
        }
        assert_eq!(log.all().count(), KEPT_PER_NODE);
        let first = (CHUNK - 1) as u64; // the child and 63 requests went with the first chunk
        assert_eq!(log.all().next().map(|s| s.start), Some(t(10 + first)), "the oldest went first");
        let copy = log.clone();
        assert!(Rc::ptr_eq(&copy.chunks[0], &log.chunks[0]), "a copy shares the full chunks");
    }

    #[test]
    fn a_log_that_is_off_records_nothing() {
        let mut log = SpanLog::default();
        let p = log.open(NodeId(0), SimTime::ZERO, None, SpanKind::Request, || unreachable!("not asked"));
        assert_eq!(p, TraceParent::default());
        log.close(p.span, SimTime::ZERO, SpanStatus::Ok);
        assert_eq!(log.all().count(), 0);
    }
}
