//! The caller side of every call: attempts, timeouts, retries with backoff and budget, the
//! circuit breaker, and the fallback. Shared by clients and services.

use super::backoff::{BackoffState, RetryBudget};
use super::breaker::{self, Breaker, Permit, State};
use super::config::{CallSpec, Fallback};
use super::node::{MeshMsg, MeshTimer};
use crate::ids::NodeId;
use crate::node::{Ctx, Shape};
use crate::spans::{SpanKind, SpanLog, SpanStatus, TraceParent};
use crate::time::SimTime;
use std::collections::BTreeMap;
use std::rc::Rc;

type C<'a> = Ctx<'a, MeshMsg, MeshTimer>;

/// A call site, resolved: the policy, the target node and endpoint, and the site's running state.
#[derive(Clone, Debug)]
pub struct Site {
    pub spec: CallSpec,
    pub to: NodeId,
    pub endpoint: u32,
    breaker: Option<Breaker>,
    /// The breaker's state last published for this site.
    shown: State,
    budget: Option<RetryBudget>,
    /// When the last good answer arrived (for a stale-cache fallback).
    last_ok: Option<SimTime>,
    /// What its spans are called: `cart.add`, or the service alone for its first endpoint.
    label: Rc<str>,
}

impl Site {
    pub fn new(spec: CallSpec, to: NodeId, endpoint: u32) -> Self {
        let breaker = spec.breaker.clone().map(Breaker::new);
        let budget = spec.retry.budget.clone().map(RetryBudget::new);
        let label = match &spec.endpoint {
            Some(e) => format!("{}.{e}", spec.service),
            None => spec.service.clone(),
        };
        Site { spec, to, endpoint, breaker, shown: State::Closed, budget, last_ok: None, label: label.into() }
    }

    /// The name of a span of this site, for attempt `retry` (0: the first).
    fn span_name(&self, retry: u32) -> Rc<str> {
        match retry {
            0 => self.label.clone(),
            n => format!("{} (retry {n})", self.label).into(),
        }
    }
}

/// How a call ended, as seen by the code that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An answer (possibly itself degraded further down).
    Ok {
        degraded: bool,
    },
    /// Failed, but the fallback answered instead.
    Fallback,
    Failed,
}

/// One attempt in flight, or one retry waiting for its backoff.
#[derive(Clone, Debug)]
struct Attempt {
    owner: u64,
    site: u32,
    retry: u32,
    sent: SimTime,
    backoff: BackoffState,
    /// The owner's span (each attempt's span is its child).
    parent: TraceParent,
    /// This attempt's span, while it is in flight.
    span: u64,
    /// The breaker's leave for it (none without a breaker), handed back with its outcome.
    permit: Option<Permit>,
}

/// All call sites of one node and their attempts.
#[derive(Clone, Debug)]
pub struct Caller {
    pub sites: Vec<Site>,
    in_flight: BTreeMap<u64, Attempt>,
    waiting: BTreeMap<u64, Attempt>,
    next_id: u64,
    /// This node's spans: its attempts' and, for its owner, requests or serves.
    pub spans: SpanLog,
}

impl Caller {
    pub fn new(sites: Vec<Site>) -> Self {
        Caller {
            sites,
            in_flight: BTreeMap::new(),
            waiting: BTreeMap::new(),
            next_id: 0,
            spans: SpanLog::default(),
        }
    }

    /// Record spans (distributed tracing) or not.
    pub fn traced(mut self, on: bool) -> Self {
        self.spans = SpanLog::new(on);
        self
    }

    /// The span name of `site`'s first attempt (a client's request is named after its entry).
    pub fn label(&self, site: u32) -> Rc<str> {
        self.sites.get(site as usize).map_or_else(|| "request".into(), |s| s.label.clone())
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// List this caller's counters at 0, and its staleness histogram if it serves stale data,
    /// so a lesson can point at them before the first failure.
    pub fn declare(&self, ctx: &mut C<'_>) {
        ctx.declare_here(&self.counters());
        if self.sites.iter().any(|s| s.spec.fallback == Fallback::StaleCache) {
            ctx.declare_histogram_here("staleness_ms");
        }
    }

    /// Everything a caller may record, whatever its sites' retry, fallback and breaker settings,
    /// listed for the run report from the start (review 27 B2). A node that calls nothing lists
    /// none of it.
    pub fn list_report_keys(&self, ctx: &mut C<'_>) {
        if self.sites.is_empty() {
            return;
        }
        let calls = ["attempts", "call_timeouts", "late_replies", "retries", "retries_denied"];
        ctx.reports_here(Shape::Counter, &calls);
        let failures = ["fallbacks", "stale_served", "short_circuited", "breaker_transitions"];
        ctx.reports_here(Shape::Counter, &failures);
        ctx.reports_here(Shape::Gauge, &["breaker_state"]);
        ctx.reports_here(Shape::Histogram, &["staleness_ms"]);
    }

    fn counters(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for s in &self.sites {
            out.extend(["attempts", "call_timeouts", "late_replies"]);
            if s.spec.retry.max_retries > 0 {
                out.push("retries");
                if s.budget.is_some() {
                    out.push("retries_denied");
                }
            }
            match s.spec.fallback {
                Fallback::None => {}
                Fallback::Static => out.push("fallbacks"),
                Fallback::StaleCache => out.push("stale_served"),
            }
            if s.breaker.is_some() {
                out.extend(["short_circuited", "breaker_transitions"]);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The breaker state last published (`None` if this node has no breaker).
    pub fn breaker_label(&self) -> Option<&'static str> {
        self.worst_shown().map(|w| breaker::STATE_NAMES[w as usize])
    }

    /// The worst state published among this node's breakers (open, then half-open, then closed).
    fn worst_shown(&self) -> Option<State> {
        let shown = self.sites.iter().filter(|s| s.breaker.is_some()).map(|s| s.shown);
        shown.max_by_key(|&state| match state {
            State::Closed => 0,
            State::HalfOpen => 1,
            State::Open => 2,
        })
    }

    /// Start a call for `owner` (whose span is `parent`) at `site`. Returns the outcome at once
    /// if there is no attempt to wait for (the breaker refused it), else `None` and the outcome
    /// comes later.
    pub fn start(&mut self, ctx: &mut C<'_>, owner: u64, site: u32, parent: TraceParent) -> Option<Outcome> {
        let now = ctx.now();
        if let Some(b) = self.sites[site as usize].budget.as_mut() {
            b.deposit(now);
        }
        let a = Attempt {
            owner,
            site,
            retry: 0,
            sent: now,
            backoff: BackoffState::default(),
            parent,
            span: 0,
            permit: None,
        };
        self.attempt(ctx, a)
    }

    fn attempt(&mut self, ctx: &mut C<'_>, mut a: Attempt) -> Option<Outcome> {
        let now = ctx.now();
        let s = &mut self.sites[a.site as usize];
        let span = self.spans.open(ctx.id(), now, Some(a.parent), SpanKind::Call, || s.span_name(a.retry));
        if let Some(b) = s.breaker.as_mut() {
            a.permit = b.try_acquire(now);
            self.show_breakers(ctx);
            if a.permit.is_none() {
                ctx.count_here("short_circuited", 1);
                self.spans.close(span.span, now, SpanStatus::Refused);
                return Some(self.give_up(ctx, a.site));
            }
        }
        let s = &self.sites[a.site as usize];
        self.next_id += 1;
        let id = self.next_id;
        a.sent = now;
        a.span = span.span;
        ctx.count_here("attempts", 1);
        ctx.send(s.to, MeshMsg::Call { id, endpoint: s.endpoint, trace: span });
        if s.spec.timeout_ms > 0 {
            ctx.set_timer(
                MeshTimer::AttemptTimeout(id),
                crate::time::SimDuration::from_ms(s.spec.timeout_ms),
            );
        }
        self.in_flight.insert(id, a);
        None
    }

    /// An answer arrived. Returns `(owner, outcome)` when the call is over.
    pub fn on_reply(&mut self, ctx: &mut C<'_>, id: u64, ok: bool, degraded: bool) -> Option<(u64, Outcome)> {
        let Some(a) = self.in_flight.remove(&id) else {
            ctx.ignored("late_replies", &format!("ignored reply to attempt {id}: it had already timed out"));
            return None;
        };
        ctx.cancel_timer(MeshTimer::AttemptTimeout(id));
        let now = ctx.now();
        let status = match (ok, degraded) {
            (true, false) => SpanStatus::Ok,
            (true, true) => SpanStatus::Degraded,
            (false, _) => SpanStatus::Error,
        };
        self.spans.close(a.span, now, status);
        let took = now.since(a.sent);
        let s = &mut self.sites[a.site as usize];
        if let (Some(b), Some(permit)) = (s.breaker.as_mut(), a.permit) {
            b.record(now, permit, !ok, took);
            self.show_breakers(ctx);
        }
        if ok {
            self.sites[a.site as usize].last_ok = Some(now);
            return Some((a.owner, Outcome::Ok { degraded }));
        }
        self.failed(ctx, a)
    }

    /// An attempt's timeout fired.
    pub fn on_timeout(&mut self, ctx: &mut C<'_>, id: u64) -> Option<(u64, Outcome)> {
        let a = self.in_flight.remove(&id)?;
        ctx.count_here("call_timeouts", 1);
        let now = ctx.now();
        self.spans.close(a.span, now, SpanStatus::TimedOut);
        if let (Some(b), Some(permit)) = (self.sites[a.site as usize].breaker.as_mut(), a.permit) {
            b.record(now, permit, true, now.since(a.sent));
            self.show_breakers(ctx);
        }
        self.failed(ctx, a)
    }

    /// A retry's backoff is over: try again.
    pub fn on_retry(&mut self, ctx: &mut C<'_>, id: u64) -> Option<(u64, Outcome)> {
        let a = self.waiting.remove(&id)?;
        let owner = a.owner;
        self.attempt(ctx, a).map(|o| (owner, o))
    }

    fn failed(&mut self, ctx: &mut C<'_>, mut a: Attempt) -> Option<(u64, Outcome)> {
        let now = ctx.now();
        let s = &mut self.sites[a.site as usize];
        let may_retry =
            a.retry < s.spec.retry.max_retries && s.budget.as_mut().is_none_or(|b| b.try_withdraw(now));
        if !may_retry {
            if a.retry < s.spec.retry.max_retries {
                ctx.count_here("retries_denied", 1);
            }
            return Some((a.owner, self.give_up(ctx, a.site)));
        }
        a.retry += 1;
        ctx.count_here("retries", 1);
        let policy = s.spec.retry.clone();
        let delay = a.backoff.next_delay(&policy, a.retry, ctx.rng());
        if delay.as_us() == 0 {
            let owner = a.owner;
            return self.attempt(ctx, a).map(|o| (owner, o));
        }
        self.next_id += 1;
        ctx.set_timer(MeshTimer::Retry(self.next_id), delay);
        self.waiting.insert(self.next_id, a);
        None
    }

    /// The call failed for good: fall back if the site allows it.
    fn give_up(&mut self, ctx: &mut C<'_>, site: u32) -> Outcome {
        let s = &self.sites[site as usize];
        match s.spec.fallback {
            Fallback::None => Outcome::Failed,
            Fallback::Static => {
                ctx.count_here("fallbacks", 1);
                Outcome::Fallback
            }
            Fallback::StaleCache => match s.last_ok {
                Some(t) => {
                    ctx.count_here("stale_served", 1);
                    ctx.observe_here("staleness_ms", ctx.now().since(t));
                    Outcome::Fallback
                }
                None => Outcome::Failed,
            },
        }
    }

    /// Publish `breaker_state` (0 closed, 1 open, 2 half-open; the worst of this node's breakers),
    /// and note and count each breaker's transitions (review 55 C4: two breakers on a node cycling
    /// counted as one). A node with more than one breaker says which.
    fn show_breakers(&mut self, ctx: &mut C<'_>) {
        let now = ctx.now();
        let several = self.sites.iter().filter(|s| s.breaker.is_some()).count() > 1;
        for s in self.sites.iter_mut() {
            let Some(b) = s.breaker.as_mut() else { continue };
            let state = b.state(now);
            if state != s.shown {
                let name = breaker::STATE_NAMES[state as usize];
                match several {
                    true => ctx.note(format!("circuit breaker to {} {name}", s.label)),
                    false => ctx.note(format!("circuit breaker {name}")),
                }
                ctx.count_here("breaker_transitions", 1);
                s.shown = state;
            }
        }
        let worst = self.worst_shown().unwrap_or(State::Closed);
        ctx.gauge_here("breaker_state", worst as i64);
    }

    /// Forget every attempt and the breakers' memory (a crash).
    pub fn reset(&mut self) {
        self.spans.crash();
        self.in_flight.clear();
        self.waiting.clear();
        for s in self.sites.iter_mut() {
            s.breaker = s.spec.breaker.clone().map(Breaker::new);
            s.shown = State::Closed;
            s.budget = s.spec.retry.budget.clone().map(RetryBudget::new);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::Bench;
    use crate::node::Effect;
    use crate::protocols::resilience::backoff::{BackoffKind, RetryPolicy};
    use crate::protocols::resilience::breaker::BreakerConfig;

    use crate::time::SimDuration;

    /// What one step did: the outcome and the sends/timers it recorded.
    #[derive(Debug, PartialEq, Eq)]
    enum Did {
        Sent(u64),
        Timer(MeshTimer, u64),
    }

    fn step<R>(c: &mut Caller, at_ms: u64, f: impl FnOnce(&mut Caller, &mut C<'_>) -> R) -> (R, Vec<Did>) {
        let (r, out) = Bench::new(0).run((NodeId(0), SimTime::from_ms(at_ms), 2), |ctx| f(c, ctx));
        let did = out
            .into_iter()
            .filter_map(|e| match e {
                Effect::Send { msg: MeshMsg::Call { id, .. }, .. } => Some(Did::Sent(id)),
                Effect::SetTimer { timer, after } => Some(Did::Timer(timer, after.as_us() / 1000)),
                _ => None,
            })
            .collect();
        (r, did)
    }

    fn spec(fallback: Fallback) -> CallSpec {
        CallSpec {
            service: "s".into(),
            endpoint: None,
            timeout_ms: 100,
            retry: RetryPolicy {
                max_retries: 2,
                backoff: BackoffKind::Exponential,
                base_ms: 10,
                cap_ms: 1000,
                budget: None,
            },
            breaker: None,
            fallback,
            optional: false,
        }
    }

    #[test]
    fn timeouts_then_exponential_retries_then_fallback() {
        let mut c = Caller::new(vec![Site::new(spec(Fallback::Static), NodeId(1), 0)]);
        let (o, did) = step(&mut c, 0, |c, x| c.start(x, 7, 0, TraceParent::default()));
        assert_eq!((o, did), (None, vec![Did::Sent(1), Did::Timer(MeshTimer::AttemptTimeout(1), 100)]));
        let (o, did) = step(&mut c, 100, |c, x| c.on_timeout(x, 1));
        assert_eq!((o, did), (None, vec![Did::Timer(MeshTimer::Retry(2), 10)]), "first retry after base");
        let (o, did) = step(&mut c, 110, |c, x| c.on_retry(x, 2));
        assert_eq!((o, did), (None, vec![Did::Sent(3), Did::Timer(MeshTimer::AttemptTimeout(3), 100)]));
        let (_, did) = step(&mut c, 210, |c, x| c.on_timeout(x, 3));
        assert_eq!(did, vec![Did::Timer(MeshTimer::Retry(4), 20)], "then 2 × base");
        step(&mut c, 230, |c, x| c.on_retry(x, 4));
        let (o, _) = step(&mut c, 330, |c, x| c.on_timeout(x, 5));
        assert_eq!(o, Some((7, Outcome::Fallback)), "retries exhausted: the fallback answers");
        let (o, _) = step(&mut c, 331, |c, x| c.on_reply(x, 5, true, false));
        assert_eq!(o, None, "a late reply is ignored");
    }

    #[test]
    fn an_open_breaker_short_circuits_without_sending() {
        let mut s = spec(Fallback::None);
        s.retry.max_retries = 0;
        s.breaker = Some(BreakerConfig { minimum_calls: 2, ..BreakerConfig::default() });
        let mut c = Caller::new(vec![Site::new(s, NodeId(1), 0)]);
        for (i, t) in [(1u64, 0u64), (2, 10)] {
            step(&mut c, t, |c, x| c.start(x, i, 0, TraceParent::default()));
            let (o, _) = step(&mut c, t + 1, |c, x| c.on_reply(x, i, false, false));
            assert_eq!(o, Some((i, Outcome::Failed)));
        }
        let (o, did) = step(&mut c, 20, |c, x| c.start(x, 3, 0, TraceParent::default()));
        assert_eq!((o, did), (Some(Outcome::Failed), vec![]), "open: refused at once, nothing sent");
        let later = SimDuration::from_ms(BreakerConfig::default().open_ms).as_us() / 1000 + 11;
        let (o, did) = step(&mut c, later, |c, x| c.start(x, 4, 0, TraceParent::default()));
        assert_eq!((o, did.len()), (None, 2), "half-open: a probe goes through");
    }

    #[test]
    fn each_of_two_breakers_is_noted_by_its_service() {
        let site = |service: &str| {
            let mut s = spec(Fallback::None);
            s.service = service.into();
            s.retry.max_retries = 0;
            s.breaker = Some(BreakerConfig { minimum_calls: 1, ..BreakerConfig::default() });
            s
        };
        let mut c = Caller::new(vec![Site::new(site("a"), NodeId(1), 0), Site::new(site("b"), NodeId(2), 0)]);
        let mut notes = Vec::new();
        for (id, s) in [(1u64, 0u32), (2, 1)] {
            step(&mut c, 0, |c, x| c.start(x, id, s, TraceParent::default()));
            let (_, out) =
                Bench::new(0).run((NodeId(0), SimTime::from_ms(1), 2), |x| c.on_reply(x, id, false, false));
            notes.extend(out.into_iter().filter_map(|e| match e {
                Effect::Note(n) => Some(n),
                _ => None,
            }));
        }
        // The first breaker was already open when the second opened: one note each, not one for
        // the node's worst state.
        assert_eq!(notes, ["circuit breaker to a open", "circuit breaker to b open"]);
    }
}
