//! The election-downtime experiment driver: a node outside the cluster that, trial after trial,
//! crashes the current leader at a random moment within its heartbeat interval and measures the
//! time until every survivor has heard the new leader's first AppendEntries.
//!
//! Servers report to it (`Report` messages carry the time of the event, so the report's own
//! network delay does not count). It crashes and restarts servers through `Ctx::inject`, exactly
//! as a scripted crash would; the crash moment comes from its own random stream, so the run is
//! still a pure function of the scenario.

use super::msg::{Observed, RaftMsg, RaftTimer};
use super::server::server_name;
use crate::ids::NodeId;
use crate::node::Ctx;
use crate::scenario::ScenarioEvent;
use crate::time::{SimDuration, SimTime};

type C<'a> = Ctx<'a, RaftMsg, RaftTimer>;

#[derive(Clone, Debug)]
struct Trial {
    crashed: NodeId,
    term: u64,
    at: SimTime,
    heard: Vec<Option<SimTime>>,
}

#[derive(Clone, Debug)]
pub struct Driver {
    pub trials: u32,
    pub done: u32,
    servers: u32,
    ineligible: u32,
    heartbeat_us: u64,
    settle_us: u64,
    deadline_us: u64,
    /// The latest leader reported: (who, term, elected at).
    leader: Option<(NodeId, u64, SimTime)>,
    target: Option<(NodeId, u64)>,
    trial: Option<Trial>,
    pub last_downtime_us: Option<u64>,
    /// Every measured downtime so far, sorted: the overall median is charted as it moves.
    downtimes_us: Vec<u64>,
}

impl Driver {
    pub fn new(trials: u32, servers: u32, ineligible: u32, heartbeat_us: u64, timeout_max_us: u64) -> Self {
        Driver {
            trials,
            done: 0,
            servers,
            ineligible,
            heartbeat_us,
            settle_us: 2 * timeout_max_us + 4 * heartbeat_us,
            deadline_us: 40 * timeout_max_us,
            leader: None,
            target: None,
            trial: None,
            last_downtime_us: None,
            downtimes_us: Vec::new(),
        }
    }

    pub fn leader(&self) -> Option<NodeId> {
        self.leader.map(|l| l.0)
    }
    pub fn in_trial(&self) -> bool {
        self.trial.is_some()
    }

    /// The median of every downtime measured so far (the lower one of an even count), in µs.
    pub fn median_downtime_us(&self) -> Option<u64> {
        let n = self.downtimes_us.len();
        (n > 0).then(|| self.downtimes_us[(n - 1) / 2])
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        // Charted from the start, with no point until the first trial ends (a 0 would be false).
        ctx.declare_gauge("election_downtime_p50_ms");
        ctx.set_timer(RaftTimer::Settle, SimDuration(self.settle_us));
    }

    fn is_laggard(&self, id: NodeId) -> bool {
        self.ineligible > 0 && id.0 >= self.servers - self.ineligible
    }

    pub fn on_report(&mut self, ctx: &mut C<'_>, from: NodeId, event: Observed, term: u64, at: SimTime) {
        match event {
            Observed::BecameLeader => {
                if self.leader.is_none_or(|(_, t, _)| term >= t) {
                    self.leader = Some((from, term, at));
                }
            }
            Observed::HeardLeader => {
                if let Some(t) = self.trial.as_mut() {
                    let slot = &mut t.heard[from.index()];
                    if term > t.term && at >= t.at && slot.is_none() && from != t.crashed {
                        *slot = Some(at);
                    }
                }
            }
        }
        self.maybe_finish(ctx);
    }

    fn maybe_finish(&mut self, ctx: &mut C<'_>) {
        let Some(t) = &self.trial else { return };
        let new_leader = self.leader.filter(|l| l.1 > t.term).map(|l| l.0);
        let mut last = None;
        for s in (0..self.servers).map(NodeId) {
            if s == t.crashed || Some(s) == new_leader {
                continue;
            }
            match t.heard[s.index()] {
                Some(at) => last = last.max(Some(at)),
                None => return,
            }
        }
        let (Some(_), Some(last)) = (new_leader, last) else { return };
        let down = last.since(t.at);
        let crashed = t.crashed;
        if self.is_laggard(crashed) {
            ctx.count("warmup_trials", 1);
            ctx.note(format!("warm-up: {} has a stale log by design; not counted", server_name(crashed)));
        } else {
            self.done += 1;
            ctx.count("trials", 1);
            ctx.observe("election_downtime_ms", down);
            self.last_downtime_us = Some(down.as_us());
            self.record(ctx, down.as_us());
            ctx.note(format!(
                "trial {}: survivors heard the new leader after {:.1} ms",
                self.done,
                down.as_ms_f64()
            ));
        }
        self.end_trial(ctx, crashed);
    }

    /// Keep the downtime and publish the overall median: `election_downtime_ms` is charted per
    /// sample interval (one trial each), so only this gauge shows the figure the lesson quotes.
    fn record(&mut self, ctx: &mut C<'_>, us: u64) {
        let at = self.downtimes_us.partition_point(|&d| d <= us);
        self.downtimes_us.insert(at, us);
        if let Some(m) = self.median_downtime_us() {
            ctx.gauge("election_downtime_p50_ms", ((m + 500) / 1000) as i64);
        }
    }

    fn end_trial(&mut self, ctx: &mut C<'_>, crashed: NodeId) {
        self.trial = None;
        ctx.inject(ScenarioEvent::Restart { node: server_name(crashed) });
        if self.done < self.trials {
            ctx.set_timer(RaftTimer::Settle, SimDuration(self.settle_us));
        } else {
            // The trial's deadline is still pending; left alone it would start one more trial.
            ctx.cancel_timer(RaftTimer::Settle);
            ctx.note(format!("experiment finished: {} trials", self.done));
        }
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: RaftTimer) {
        match timer {
            RaftTimer::Settle => self.on_settle(ctx),
            RaftTimer::CrashLeader => self.crash_now(ctx),
            t => ctx.ignored_timer(&t),
        }
    }

    /// Between trials: pick the crash moment, a uniformly random point of the leader's current
    /// heartbeat interval. During a trial: the deadline passed, give up on it.
    fn on_settle(&mut self, ctx: &mut C<'_>) {
        if let Some(t) = &self.trial {
            let crashed = t.crashed;
            ctx.count("trials_aborted", 1);
            ctx.note("trial aborted: no new leader reached every survivor before the deadline");
            self.end_trial(ctx, crashed);
            return;
        }
        let Some((who, term, elected)) = self.leader else {
            ctx.set_timer(RaftTimer::Settle, SimDuration(self.heartbeat_us));
            return;
        };
        let hb = self.heartbeat_us.max(1);
        let now = ctx.now().as_us();
        let since = now.saturating_sub(elected.as_us());
        let base = elected.as_us() + since.div_ceil(hb) * hb;
        let at = base + ctx.rng().below(hb);
        self.target = Some((who, term));
        ctx.set_timer(RaftTimer::CrashLeader, SimDuration(at - now));
    }

    fn crash_now(&mut self, ctx: &mut C<'_>) {
        let current = self.leader.map(|l| (l.0, l.1));
        if current != self.target || current.is_none() {
            ctx.set_timer(RaftTimer::Settle, SimDuration(self.heartbeat_us));
            return;
        }
        let Some((who, term)) = current else { return };
        ctx.inject(ScenarioEvent::Crash { node: server_name(who) });
        self.trial =
            Some(Trial { crashed: who, term, at: ctx.now(), heard: vec![None; self.servers as usize] });
        ctx.set_timer(RaftTimer::Settle, SimDuration(self.deadline_us));
    }
}
