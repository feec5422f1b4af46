//! The protocol side of the simulator: a `Node` reacts to one input at a time and records effects.
//!
//! Handlers are infallible and never see the network, the queue or the wall clock. They get a
//! [`Ctx`]: their id, their *local* clock (which may be skewed), their own random stream, and a
//! buffer of effects (send, set/cancel a timer, note, violation) that the simulator applies after
//! the handler returns. Metrics are recorded straight into the simulator's registry.

use crate::ids::NodeId;
pub use crate::request_form::{RequestField, RequestForm};
use crate::rng::Rng;
use crate::sim::history::{History, OpKind, Outcome};
use crate::sim::metrics::Metrics;
pub use crate::sim::metrics::Shape;
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;
use serde::{Deserialize, Serialize};
use std::fmt::Debug;

/// What the note of [`Ctx::ignored`] ends with: the event log shows such a routine line muted.
pub const ONLY_COUNTED: &str = "from now on such replies are only counted";

/// Messages and timers name their kind: the protocol verb (`RequestVote`) or timer (`Election`)
/// shown in traces and on the animation.
pub trait Kind: Clone + Debug + 'static {
    /// Every name [`Kind::kind`] can return, in a fixed order. Message types list theirs: the
    /// web app colours messages by position here, so no two kinds of a protocol share a colour
    /// (the preset tests check the list is complete). Timers need none.
    const KINDS: &'static [&'static str] = &[];

    fn kind(&self) -> &'static str;

    /// Whether some message of this type can turn a request away (see [`Kind::says_no`]): the
    /// stage's legend keys the red only for such protocols.
    const CAN_SAY_NO: bool = false;

    /// Whether this message turns a request away: a 429 or 503, a queue full, an error reply.
    /// The stage draws such answers in red, so a flood's rejections are seen as they fly back.
    fn says_no(&self) -> bool {
        false
    }
}

/// A request a user (or a scenario event) hands to a node, e.g. "write x = 3".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ClientRequest {
    /// The operation: `request`, `read`, `write`, `cas`, … (each protocol documents its own).
    pub op: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
}

impl ClientRequest {
    /// A key-value request made by hand: `Ok(None)` to read, `Ok(Some(v))` to write `v` (0 when
    /// no value was given); any other op is an error naming the ones understood.
    pub fn read_or_write(&self) -> Result<Option<i64>, String> {
        match self.op.as_str() {
            "read" | "get" => Ok(None),
            "write" | "put" => Ok(Some(self.value.unwrap_or(0))),
            other => Err(format!("ignored request {other:?}: use read or write")),
        }
    }

    /// The key a key-value request names, `k12` or `12` for key 12. A missing key, or text that
    /// is no key, is an error that says what a key looks like (a typo read as key 0 sent a
    /// student's write to the wrong key without a word: review 18).
    pub fn numbered_key(&self) -> Result<u64, String> {
        let typed = self.key.as_deref().map(str::trim).unwrap_or_default();
        let digits = typed.strip_prefix('k').unwrap_or(typed);
        match digits.parse::<u64>() {
            Ok(key) if !digits.starts_with('+') => Ok(key),
            _ if typed.is_empty() => Err("it needs a key such as \"k3\" or \"3\"".into()),
            _ => Err(format!("{typed:?} is not a key: name one such as \"k3\" or \"3\"")),
        }
    }
}

/// What a node does when its election timer is made to run out by hand (see
/// [`Node::election_timer`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElectionTimer<T> {
    /// This node keeps no election timer at all (a client; every node of most protocols).
    None,
    /// It keeps one, but none is running now, and why, after the node's name (or "it"): "is the
    /// leader, which keeps no election timer".
    Idle(&'static str),
    /// This timer, fired now as if it had run out.
    Running(T),
}

/// A setting a user may change while a node runs ([`crate::ScenarioEvent::Tune`]): its name, the
/// values it takes, and the one in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Knob {
    pub name: &'static str,
    pub values: &'static [&'static str],
    pub now: &'static str,
}

/// One participant of a protocol. Protocols whose participants differ make this an enum of roles.
pub trait Node: Clone + 'static {
    type Msg: Kind;
    /// Timers are values: setting a timer that is already pending replaces it.
    type Timer: Kind + Ord;

    /// Called at start and again on restart after a crash.
    fn init(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Timer>);
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Timer>, from: NodeId, msg: Self::Msg);
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Timer>, timer: Self::Timer);
    /// The operations this node takes by hand (`read`, `write`, `request`, …), for the
    /// inspector's request form: none, no form. Whatever [`Node::on_client`] acts on.
    fn requests(&self) -> &'static [&'static str] {
        &[]
    }
    /// What a request `op` (one of [`Node::requests`]) reads besides its operation, for the
    /// request form: a key (or the process to send to, the account…) and a value, named in the
    /// node's words. The form asks for these only (CAP's single register once got a key it
    /// ignored; a projection's `as_of`, no count). Default: nothing.
    fn request_form(&self, _op: &str) -> RequestForm {
        RequestForm::default()
    }
    /// Why node `me` would ignore `req`, if it would (a send to a process that does not exist):
    /// such a request is refused when the scenario is built or the click made, not recorded and
    /// then only noted as ignored. Default: none refused.
    fn request_refusal(&self, _me: NodeId, _req: &ClientRequest) -> Option<String> {
        None
    }
    /// A request handed in by the user or the scenario. Default: noted and ignored.
    fn on_client(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Timer>, req: &ClientRequest) {
        ctx.note(format!("ignored client request {:?}: this node takes none", req.op));
    }
    /// The timer a `timeout` event fires on this node, in its present state (RaftScope's "time
    /// out": an election on demand, a split vote when two fire at once). Default: none, and the
    /// event is refused when the scenario is built or the click made.
    fn election_timer(&self) -> ElectionTimer<Self::Timer> {
        ElectionTimer::None
    }
    /// The settings this node lets a user change while it runs (a balancer's algorithm): a
    /// `tune` event naming any other is refused when the scenario is built or the click made.
    /// Default: none.
    fn knobs(&self) -> Vec<Knob> {
        Vec::new()
    }
    /// Set `knob` to `to`, from now on, as if configured so; the simulator has checked both
    /// against [`Node::knobs`]. Default: nothing (no knobs to set).
    fn on_tune(&mut self, _ctx: &mut Ctx<'_, Self::Msg, Self::Timer>, _knob: &str, _to: &str) {}
    /// A message this node sent to `to` was refused: `to` crashed refusing connections (its host
    /// is up, its process is not), and the reset came back one network hop later. `msg` is the
    /// message refused. Default: nothing, so the message is as lost as to a silent crash, and
    /// whatever notices a lost message (a timeout) notices this one.
    fn on_refused(&mut self, _ctx: &mut Ctx<'_, Self::Msg, Self::Timer>, _to: NodeId, _msg: Self::Msg) {}
    /// A crash: drop everything volatile, keep what the protocol declares durable.
    /// (The simulator has already cancelled this node's timers.)
    fn on_crash(&mut self);
    fn view(&self) -> NodeView;

    /// The message kinds this run's nodes can send, in [`Kind::KINDS`] order: the legend lists
    /// these, not every kind the protocol knows (d4-raft-election has no experiment driver to
    /// send `Report`, t6 no orchestrator to `Launch`). Default: all of them. A preset test checks
    /// that no run sends a kind left out.
    fn kinds(_nodes: &[Self]) -> Vec<&'static str> {
        <Self::Msg as Kind>::KINDS.to_vec()
    }

    /// The spans this node has recorded for distributed tracing (see [`crate::spans`]), pushed
    /// onto `out`. Default: none (the Traces view then stays out of the way).
    fn spans(&self, _out: &mut Vec<crate::spans::Span>) {}

    /// Names of the invariants this run checks (for the ✓/✗ panel); a check that only some
    /// configurations make can look at the nodes to say whether this one does.
    fn invariants(_nodes: &[Self]) -> &'static [&'static str] {
        &[]
    }
    /// Whether `check` looks at anything: the simulator calls it after every event only then
    /// (an invariant reported from a handler, such as quorum's `monotonic_reads`, needs no pass).
    const GLOBAL_CHECK: bool = false;
    /// Whether its clients record their reads and writes with [`Ctx::history_invoke`] (key-value
    /// protocols): the app offers a History view, and linearizability is checked, only then.
    const KEEPS_HISTORY: bool = false;
    /// Check global invariants over all nodes after an event; report, never panic. Called only
    /// when [`Node::GLOBAL_CHECK`] is set.
    fn check(_nodes: &[Self], _up: &[bool], _out: &mut Vec<(&'static str, String)>) {}
    /// A key of this protocol's history as a person reads it (the linearizability verdict names
    /// the key of its first bad operation).
    fn key_label(key: u64) -> String {
        format!("key {key}")
    }
}

/// What a handler asks the simulator to do.
#[derive(Clone, Debug)]
pub enum Effect<M, T> {
    Send {
        to: NodeId,
        msg: M,
    },
    SetTimer {
        timer: T,
        after: SimDuration,
    },
    CancelTimer {
        timer: T,
    },
    Note(String),
    /// A logical-clock annotation for the space-time diagram (`L=5 V=[1,0,2]`), traced as a note
    /// labelled `clock`.
    Clock(String),
    Violation {
        rule: &'static str,
        detail: String,
    },
    /// Ask the simulator to apply a fault or action now, as a scripted event would be (traced as a
    /// fault). For experiment drivers only ("crash the current leader at a random moment").
    Inject(crate::scenario::ScenarioEvent),
}

/// A handler's window on the world.
#[derive(Debug)]
pub struct Ctx<'a, M, T> {
    id: NodeId,
    local_now: SimTime,
    true_now: SimTime,
    n_nodes: u32,
    rng: &'a mut Rng,
    metrics: &'a mut Metrics,
    history: &'a mut History,
    out: &'a mut Vec<Effect<M, T>>,
    load_pct: u32,
}

impl<'a, M, T> Ctx<'a, M, T> {
    pub(crate) fn new(
        id: NodeId,
        (true_now, local_now): (SimTime, SimTime),
        n_nodes: u32,
        rng: &'a mut Rng,
        (metrics, history): (&'a mut Metrics, &'a mut History),
        out: &'a mut Vec<Effect<M, T>>,
    ) -> Self {
        Ctx { id, local_now, true_now, n_nodes, rng, metrics, history, out, load_pct: 100 }
    }

    /// With client load at `pct` percent of normal (a surge in force).
    pub(crate) fn with_load(mut self, pct: u32) -> Self {
        self.load_pct = pct;
        self
    }

    /// Client load in percent of normal: above 100 while a surge is in force. Open-loop clients
    /// pass it to [`crate::blocks::workload::Generator::next_gap`].
    pub fn load_pct(&self) -> u32 {
        self.load_pct
    }

    pub fn id(&self) -> NodeId {
        self.id
    }
    /// This node's local clock (skewed if the scenario skews it).
    pub fn now(&self) -> SimTime {
        self.local_now
    }
    /// All node ids of the simulation, in order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> {
        (0..self.n_nodes).map(NodeId)
    }
    pub fn node_count(&self) -> u32 {
        self.n_nodes
    }
    /// This node's own random stream.
    pub fn rng(&mut self) -> &mut Rng {
        self.rng
    }
    pub fn send(&mut self, to: NodeId, msg: M) {
        self.out.push(Effect::Send { to, msg });
    }
    pub fn set_timer(&mut self, timer: T, after: SimDuration) {
        self.out.push(Effect::SetTimer { timer, after });
    }
    pub fn cancel_timer(&mut self, timer: T) {
        self.out.push(Effect::CancelTimer { timer });
    }
    /// A line in the trace and the event log ("became leader in term 4").
    pub fn note(&mut self, text: impl Into<String>) {
        self.out.push(Effect::Note(text.into()));
    }
    /// A reply ignored as a matter of course (the quorum was already met, the caller had timed
    /// out): counted in this node's `counter`, and noted only the first time, saying so. A
    /// majority protocol ignores a surplus reply for nearly every operation; one note each buried
    /// the event log.
    pub fn ignored(&mut self, counter: &'static str, why: &str) {
        let first = self.metrics.counter(counter, Some(self.id)) == 0;
        self.metrics.count(counter, Some(self.id), 1, self.true_now);
        if first {
            self.note(format!("{why} ({ONLY_COUNTED}, in {counter})"));
        }
    }
    /// A timer this node has no use for in its state (a role's timer firing at another role):
    /// said by its kind, not its `Debug` text.
    pub fn ignored_timer(&mut self, timer: &T)
    where
        T: Kind,
    {
        self.note(format!("ignored timer {}", timer.kind()));
    }
    /// Annotate this event with the node's logical clocks (`L=5 V=[1,0,2]`): a trace note labelled
    /// `clock`, drawn on the space-time diagram next to the send, receive or local event.
    pub fn clock(&mut self, text: impl Into<String>) {
        self.out.push(Effect::Clock(text.into()));
    }
    /// Report a safety violation this node can see locally (e.g. a stale fencing token).
    pub fn violation(&mut self, rule: &'static str, detail: impl Into<String>) {
        self.out.push(Effect::Violation { rule, detail: detail.into() });
    }
    /// Ask the simulator to apply a fault or action now (after this handler returns), e.g. an
    /// experiment driver crashing the current leader. Ordinary protocol nodes never do this.
    pub fn inject(&mut self, ev: crate::scenario::ScenarioEvent) {
        self.out.push(Effect::Inject(ev));
    }
    /// Record a client operation's call (real time) in the run's history; returns its id.
    pub fn history_invoke(&mut self, key: u64, op: OpKind) -> u64 {
        self.history.invoke(self.id, key, op, self.true_now)
    }
    /// Record the return of a client operation started with [`Ctx::history_invoke`].
    pub fn history_complete(&mut self, op_id: u64, outcome: Outcome) {
        self.history.complete(op_id, outcome, self.true_now)
    }
    /// Add to a global counter.
    ///
    /// Names the app reads by convention: `requests` counts client requests sent, `responses` the
    /// successful ones, and `errors` every client request that did not succeed, whatever the
    /// reason (a failure, a timeout, a rejection); finer counters (`timeouts`, `rejected_429`…)
    /// break `errors` down. The error-rate chart is `errors` ÷ `requests`.
    pub fn count(&mut self, name: &'static str, delta: u64) {
        self.metrics.count(name, None, delta, self.true_now);
    }
    /// Show these global counters at 0 before anything is counted. A counter otherwise appears on
    /// its first increment, so one whose zero is the lesson ("`lost_acked_writes` stays 0") would
    /// be nowhere to be found. Call from `init`; declaring twice changes nothing.
    pub fn declare(&mut self, names: &[&'static str]) {
        for &name in names {
            self.metrics.count(name, None, 0, self.true_now);
        }
    }
    /// Show these counters of this node at 0 before anything is counted (see [`Ctx::declare`]).
    pub fn declare_here(&mut self, names: &[&'static str]) {
        for &name in names {
            self.metrics.count(name, Some(self.id), 0, self.true_now);
        }
    }
    /// List these global metrics in the run report from the start, as `shape` reads with nothing
    /// recorded (a counter 0, a gauge null, a histogram an empty summary), so the report's keys
    /// do not depend on what happened in the run (review 27 B2). Unlike [`Ctx::declare`], this
    /// draws nothing: charts keep to what was recorded. Call from `init` for every metric the
    /// node may record; the preset tests check that a run records nothing it did not list.
    pub fn reports(&mut self, shape: Shape, names: &[&'static str]) {
        for &name in names {
            self.metrics.list(name, None, shape);
        }
    }
    /// List these metrics of this node in the run report from the start (see [`Ctx::reports`]):
    /// a per-node map then names every node that may record it, not only those that did.
    pub fn reports_here(&mut self, shape: Shape, names: &[&'static str]) {
        for &name in names {
            self.metrics.list(name, Some(self.id), shape);
        }
    }
    /// List a global gauge before its first reading: charts and exports have it, with no
    /// points until it is set (a 0 there would be a false reading).
    pub fn declare_gauge(&mut self, name: &'static str) {
        self.metrics.declare_gauge(name, None);
    }
    /// List this node's histogram before its first observation.
    pub fn declare_histogram_here(&mut self, name: &'static str) {
        self.metrics.declare_histogram(name, Some(self.id));
    }
    /// Add to this node's counter.
    pub fn count_here(&mut self, name: &'static str, delta: u64) {
        self.metrics.count(name, Some(self.id), delta, self.true_now);
    }
    /// Set a global gauge.
    pub fn gauge(&mut self, name: &'static str, value: i64) {
        self.metrics.gauge(name, None, value, self.true_now);
    }
    /// Raise a global gauge to `value` if it stands lower, and say by how much it rose (see
    /// [`Metrics::gauge_high`]).
    pub fn gauge_high(&mut self, name: &'static str, value: i64) -> u64 {
        self.metrics.gauge_high(name, None, value, self.true_now)
    }
    /// Take a global gauge's reading back: no value (a gap on its chart, `null` in the report)
    /// until it is set again. For a figure that turned out not to hold.
    pub fn clear_gauge(&mut self, name: &'static str) {
        self.metrics.clear_gauge(name, None);
    }
    /// Set this node's gauge.
    pub fn gauge_here(&mut self, name: &'static str, value: i64) {
        self.metrics.gauge(name, Some(self.id), value, self.true_now);
    }
    /// Set a per-node gauge sampled at its peak since the last sample (a queue that fills and
    /// drains between samples); see [`Metrics::gauge_peak`].
    pub fn gauge_peak_here(&mut self, name: &'static str, value: i64) {
        self.metrics.gauge_peak(name, Some(self.id), value, self.true_now);
    }
    /// Add a sample to a global gauge that shows the exact mean of all samples so far, from
    /// every node (`latency_mean_us`); see [`Metrics::mean_gauge`].
    pub fn gauge_mean(&mut self, name: &'static str, sample: u64) {
        self.metrics.mean_gauge(name, None, sample, self.true_now);
    }
    /// Count a client outcome into a global gauge: per-mille of the outcomes of the last `window`
    /// that were ok, from every node (`availability_permille`); see [`Metrics::window_permille`].
    pub fn gauge_ok_permille(&mut self, name: &'static str, ok: bool, window: SimDuration) {
        self.metrics.window_permille(name, None, ok, window.as_us(), self.true_now);
    }
    /// Record a duration into a global histogram (stored in µs, reported in ms).
    pub fn observe(&mut self, name: &'static str, d: SimDuration) {
        self.metrics.observe(name, None, d.as_us(), self.true_now);
    }
    /// Record a duration into this node's histogram.
    pub fn observe_here(&mut self, name: &'static str, d: SimDuration) {
        self.metrics.observe(name, Some(self.id), d.as_us(), self.true_now);
    }
}

/// A detached world for unit tests of a protocol's handlers: no simulator, one handler call at
/// a time, its effects handed back for inspection.
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct Bench {
    rng: Rng,
    metrics: Metrics,
    history: History,
}

#[cfg(test)]
impl Bench {
    pub(crate) fn new(seed: u64) -> Self {
        Bench {
            rng: Rng::seed_from(seed),
            metrics: Metrics::new(100_000, 10_000_000),
            history: History::default(),
        }
    }

    /// Run `f` as node `id` at `now` among `n` nodes; return its result and the effects it recorded.
    pub(crate) fn run<M, T, R>(
        &mut self,
        (id, now, n): (NodeId, SimTime, u32),
        f: impl FnOnce(&mut Ctx<'_, M, T>) -> R,
    ) -> (R, Vec<Effect<M, T>>) {
        let mut out = Vec::new();
        let mut ctx =
            Ctx::new(id, (now, now), n, &mut self.rng, (&mut self.metrics, &mut self.history), &mut out);
        let r = f(&mut ctx);
        (r, out)
    }

    /// The metrics the handlers recorded.
    pub(crate) fn metrics(&self) -> &Metrics {
        &self.metrics
    }
    /// The client operations the handlers recorded.
    pub(crate) fn history(&self) -> &History {
        &self.history
    }
}
