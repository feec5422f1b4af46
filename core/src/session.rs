//! A playground session: the scenario a user is building, its running simulation, and checkpoints
//! for time travel. Platform-free, so the web app's player logic is tested natively.
//!
//! Rules that keep "the URL is the replay" true:
//! - A user action at the playhead is recorded as a scenario event at a whole millisecond, and the
//!   simulation is first advanced to exactly that millisecond (scripted events at `t` run after
//!   queued events at `t`, which is when a live injection runs), so replaying the link gives the
//!   same trace.
//! - Acting in the past (before the furthest time this future has been played to) forks: every
//!   scenario event after the playhead is discarded (the old future the user has seen), the new
//!   event is added, and checkpoints of the old future are dropped. Acting at the frontier forks
//!   nothing: a lesson's scripted crash at 5 s still happens after a click at 2 s.
//! - A link names the playhead exactly, even one a step left between milliseconds or between
//!   two events of the same instant ([`Playhead`]).

use crate::registry;
#[cfg(test)]
use crate::scenario::limits;
use crate::scenario::{encode_fragment, Playhead, Scenario, ScenarioError, ScenarioEvent, Timed};
use crate::sim::trace::TraceKind;
use crate::sim::{Checkpoint, Simulation};
use crate::time::{SimDuration, SimTime};

/// Most checkpoints kept; beyond that the spacing doubles.
const MAX_CHECKPOINTS: usize = 128;

#[derive(Debug)]
pub struct Session {
    scenario: Scenario,
    sim: Box<dyn Simulation>,
    checkpoints: Vec<Checkpoint>,
    spacing: SimDuration,
}

impl Session {
    pub fn new(mut scenario: Scenario) -> Result<Self, ScenarioError> {
        let sim = registry::build(&scenario)?;
        // The simulation runs events in time order (a stable sort); listing them so keeps the
        // timeline readable and lets an action be inserted where it runs.
        scenario.events.sort_by_key(|e| e.at_ms);
        let spacing = SimDuration::from_ms((scenario.stop_at_ms / 64).max(250));
        let mut s = Session { scenario, sim, checkpoints: Vec::new(), spacing };
        s.checkpoints.push(s.sim.checkpoint());
        Ok(s)
    }

    /// A session that keeps every message sent, so each can be described (see
    /// [`Simulation::keep_every_message`]): for exporting a run with its payloads.
    pub fn keeping_every_message(scenario: Scenario) -> Result<Self, ScenarioError> {
        let mut s = Session::new(scenario)?;
        s.sim.keep_every_message();
        s.checkpoints = vec![s.sim.checkpoint()];
        Ok(s)
    }

    /// The scenario including every action the user took: what the link encodes.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    /// Retitle the scenario and rewrite its lesson (a teacher's own words for a changed run). The
    /// run does not change, so nothing is replayed; the link carries the new text.
    pub fn describe(&mut self, title: &str, lesson: &str) -> Result<(), ScenarioError> {
        let meta = crate::scenario::Meta {
            title: title.to_string(),
            lesson: lesson.to_string(),
            ..self.scenario.meta.clone()
        };
        meta.check()?;
        self.scenario.meta = meta;
        Ok(())
    }

    pub fn sim(&self) -> &dyn Simulation {
        &*self.sim
    }
    pub fn now(&self) -> SimTime {
        self.sim.now()
    }
    pub fn stop_at(&self) -> SimTime {
        self.sim.stop_at()
    }
    pub fn finished(&self) -> bool {
        self.now() >= self.stop_at() || self.sim.halted().is_some()
    }

    /// The link fragment: `#s=…&t=<playhead ms>` (see [`Playhead`]), or `#preset=ID&t=…` for a
    /// preset as it ships.
    pub fn fragment(&self) -> String {
        self.fragment_at(self.playhead())
    }

    /// The link fragment with another playhead (where a long seek is heading). A preset as it
    /// ships goes by name: short enough for a printed lab sheet, and it reads as what it is (an
    /// embed names it so too); anything changed carries the whole scenario.
    pub fn fragment_at(&self, p: Playhead) -> String {
        let scenario = match crate::presets::as_shipped(&self.scenario) {
            true => format!("#preset={}", self.scenario.meta.id),
            false => encode_fragment(&self.scenario),
        };
        format!("{scenario}&{}", p.to_query())
    }

    /// Where the playhead stands, exactly enough for [`Session::goto`] to return to it.
    pub fn playhead(&self) -> Playhead {
        Playhead::of(&*self.sim)
    }

    /// Move to a playhead from a link (see [`Session::travel`]), however long it takes.
    pub fn goto(&mut self, p: Playhead) {
        self.travel(p, u64::MAX);
    }

    /// Move toward a playhead, handling at most `budget` events; true once it is reached (or the
    /// run ends first). Call again with the same playhead to go on: a long way forward (a link to
    /// 10 s of 200,000 requests per second) is travelled over many frames, and where it stops in
    /// between is an ordinary, exact state. Going back restores the nearest checkpoint at or
    /// before the target and replays from there.
    ///
    /// A playhead that stopped partway through an instant is rebuilt by running up to just before
    /// it and stepping until as many events have been handled (never past the instant, whatever
    /// the link says).
    pub fn travel(&mut self, p: Playhead, budget: u64) -> bool {
        if self.is_at(p) {
            return true;
        }
        let Some(events) = p.events else {
            return self.run_toward(p.at, budget);
        };
        if p.at == SimTime::ZERO {
            // The first instant: only the first checkpoint stands before it.
            if self.now() > SimTime::ZERO || self.sim.events() > events {
                let ok = self.sim.restore(&self.checkpoints[0]);
                debug_assert!(ok, "the first checkpoint belongs to this simulation");
            }
        } else if !self.run_toward(SimTime(p.at.as_us() - 1), budget) {
            return false;
        }
        while self.sim.events() < events && self.sim.next_event_at() == Some(p.at) {
            self.sim.step();
        }
        true
    }

    /// Whether the playhead already stands at `p`.
    fn is_at(&self, p: Playhead) -> bool {
        self.now() == p.at && p.events.map_or(self.has_run_through(p.at), |e| e == self.sim.events())
    }

    /// Run toward `t` (restoring a checkpoint first if it is behind), at most `budget` events,
    /// taking checkpoints on the way; true once at `t` or the run has ended.
    fn run_toward(&mut self, t: SimTime, budget: u64) -> bool {
        let t = t.min(self.stop_at());
        if t < self.now() {
            let idx = self.checkpoints.iter().rposition(|c| c.at <= t).unwrap_or(0);
            let ok = self.sim.restore(&self.checkpoints[idx]);
            debug_assert!(ok, "checkpoints belong to this simulation");
        }
        let mut done = 0;
        while !self.has_run_through(t) && done < budget {
            let leg = t.min(self.next_checkpoint_time());
            done += self.sim.run_bounded(leg, budget - done);
            if self.now() >= self.next_checkpoint_time() {
                self.take_checkpoint();
            }
        }
        self.has_run_through(t)
    }

    /// Whether every event up to and including `t` has been handled. The clock standing at `t` is
    /// not enough: a budget may run out between two events of that instant.
    fn has_run_through(&self, t: SimTime) -> bool {
        let pending = self.sim.next_event_at().is_some_and(|next| next <= t);
        self.sim.halted().is_some() || (!pending && (self.now() >= t || self.finished()))
    }

    /// Play: advance simulated time by `dt` (rounded up so the playhead lands on a whole
    /// millisecond, which a link's `&t=` can name), handling at most `budget` events (a frame
    /// budget). Returns the number of events handled.
    pub fn advance(&mut self, dt: SimDuration, budget: u64) -> u64 {
        let target = SimTime::from_ms((self.now() + dt).as_us().div_ceil(1000));
        let mut done = 0;
        while done < budget {
            let next_cp = self.next_checkpoint_time();
            let leg = target.min(next_cp);
            done += self.sim.run_bounded(leg, budget - done);
            if self.now() >= next_cp {
                self.take_checkpoint();
            }
            if self.now() >= target || self.finished() {
                break;
            }
        }
        done
    }

    fn next_checkpoint_time(&self) -> SimTime {
        let last = self.checkpoints.last().map_or(SimTime::ZERO, |c| c.at);
        last + self.spacing
    }

    fn take_checkpoint(&mut self) {
        if self.checkpoints.last().is_some_and(|c| c.at >= self.now()) {
            return;
        }
        self.checkpoints.push(self.sim.checkpoint());
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            // Keep every other one (always the first) and space future ones twice as far.
            let mut i = 0;
            self.checkpoints.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.spacing = SimDuration(self.spacing.as_us() * 2);
        }
    }

    /// Bring the playhead to the next whole millisecond (when pausing: a frame that ran out of
    /// budget, or a step, may stop between milliseconds, and a link names whole milliseconds).
    pub fn settle(&mut self) {
        let ms = self.now().as_us().div_ceil(1000);
        self.sim.run_until(SimTime::from_ms(ms));
    }

    /// Handle exactly one event.
    pub fn step_event(&mut self) -> Option<SimTime> {
        self.sim.step()
    }

    /// Handle events until a message is delivered (or `limit` events pass).
    pub fn step_message(&mut self, limit: u64) -> Option<SimTime> {
        for _ in 0..limit {
            let before = self.sim.trace().len_total();
            let t = self.sim.step()?;
            let added = (self.sim.trace().len_total() - before) as usize;
            let records = self.sim.trace().records();
            if records.iter().rev().take(added).any(|r| r.kind == TraceKind::Deliver) {
                return Some(t);
            }
        }
        Some(self.now())
    }

    /// Move the playhead to `t` (back or forward), however long it takes: see [`Session::travel`].
    pub fn seek(&mut self, t: SimTime) {
        self.run_toward(t, u64::MAX);
    }

    /// A user action at the playhead, which forks a new future from there: the actions done by
    /// hand after the playhead belonged to the old future and are dropped (and returned, to be
    /// said); the scenario's own events stay. The result depends only on the scenario, the time
    /// and the action, never on how far the old future had been played.
    pub fn act(&mut self, event: ScenarioEvent) -> Result<Vec<Timed>, ScenarioError> {
        let ms = self.now().as_us().div_ceil(1000);
        if ms > self.scenario.stop_at_ms {
            return Err(ScenarioError::invalid("event", "the run has ended; restart or extend stop_at_ms"));
        }
        self.sim.run_until(SimTime::from_ms(ms));
        let mut next = self.scenario.clone();
        let (mut kept, gone): (Vec<Timed>, Vec<Timed>) =
            next.events.drain(..).partition(|e| e.at_ms <= ms || !e.by_hand);
        // After every event at `ms`: scripted events at the action's millisecond ran before it.
        let at = kept.partition_point(|e| e.at_ms <= ms);
        kept.insert(at, Timed { at_ms: ms, event: event.clone(), by_hand: true });
        next.events = kept;
        next.validate()?;
        // Refused before the fork: a refused action must not drop the old future's actions.
        self.sim.check_action(&event)?;
        self.sim.fork();
        self.sim.inject(&event)?;
        self.scenario = next;
        let now = self.now();
        self.checkpoints.retain(|c| c.at <= now);
        if now.as_us() > 0 && now.as_us() % self.sim.metrics().interval_us() == 0 {
            self.replay_into(now);
        }
        Ok(gone)
    }

    /// Handle `t`'s instant again, from the checkpoint before it: the metrics sample due at `t`
    /// was taken before an action just done at `t`, where a replay of the link (the action
    /// scripted at `t`) takes it after. Charts and the CSV then read as the link's do.
    fn replay_into(&mut self, t: SimTime) {
        self.checkpoints.retain(|c| c.at < t);
        if let Some(cp) = self.checkpoints.last() {
            let ok = self.sim.restore(cp);
            debug_assert!(ok, "checkpoints belong to this simulation");
            self.seek(t);
        }
    }

    /// Back to time zero with the same scenario.
    pub fn restart(&mut self) {
        self.seek(SimTime::ZERO);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;
    use crate::sim::trace::TraceKind;
    use crate::sim::Status;

    fn session() -> Session {
        let mut sc = presets::get("t1-round-robin").expect("preset");
        sc.stop_at_ms = 5_000;
        sc.events.clear();
        Session::new(sc).expect("session")
    }

    #[test]
    fn a_new_lesson_travels_in_the_link_and_leaves_the_run_alone() {
        let mut s = session();
        s.seek(SimTime::from_ms(2_000));
        let hash = s.sim().trace_hash();
        s.describe("Week 3: round robin", "## Watch b3\n\nIt is the slow one.").expect("fits");
        assert_eq!((s.now(), s.sim().trace_hash()), (SimTime::from_ms(2_000), hash), "nothing replayed");
        let opened = crate::scenario::decode_fragment(&s.fragment()).expect("link");
        assert_eq!(
            (opened.meta.title.as_str(), opened.meta.id.as_str()),
            ("Week 3: round robin", "t1-round-robin")
        );
        assert!(opened.meta.lesson.starts_with("## Watch b3"));
        // Too long: refused, naming the field and by how much; the old text is kept.
        let long = "é".repeat(limits::MAX_TEXT + 5);
        let e = s.describe("t", &long).expect_err("too long").to_string();
        assert!(e.contains("meta.lesson") && e.contains("shorten it by 5"), "{e}");
        assert_eq!(s.scenario().meta.title, "Week 3: round robin");
        assert!(s.describe(&"t".repeat(201), "").expect_err("title").to_string().contains("meta.title"));
    }

    #[test]
    fn play_in_frames_equals_one_run() {
        let mut s = session();
        while !s.finished() {
            s.advance(SimDuration::from_us(16_667), 10_000);
        }
        let mut whole = registry::build(s.scenario()).expect("build");
        whole.run_until(whole.stop_at());
        assert_eq!(s.sim().trace_hash(), whole.trace_hash());
        assert!(s.checkpoints.len() > 5);
    }

    #[test]
    fn a_paused_playhead_replays_exactly_from_its_link() {
        let mut s = session();
        s.play_frames_for_test();
        s.settle();
        assert_eq!(s.now().as_us() % 1000, 0, "whole milliseconds");
        let fresh = reopen(&s);
        assert_eq!(fresh.sim().trace_hash(), s.sim().trace_hash());
    }

    #[test]
    fn a_preset_as_it_ships_is_linked_by_name_and_a_changed_one_whole() {
        let mut s = Session::new(presets::get("d4-raft-election").expect("preset")).expect("session");
        s.seek(SimTime::from_ms(6_000));
        assert_eq!(s.fragment(), "#preset=d4-raft-election&t=6000");
        let mut changed = s.scenario().clone();
        changed.seed += 1;
        let c = Session::new(changed.clone()).expect("session");
        assert!(c.fragment().starts_with("#s="), "{}", c.fragment());
        assert_eq!(crate::scenario::decode_fragment(&c.fragment()).expect("link"), changed);
        assert_eq!(reopen(&s).sim().trace_hash(), s.sim().trace_hash());
    }

    /// What a fresh page makes of this session's link.
    fn reopen(s: &Session) -> Session {
        let link = crate::scenario::decode_fragment(&s.fragment()).expect("link");
        let mut fresh = Session::new(link).expect("session");
        fresh.goto(Playhead::parse(&s.fragment()).expect("t"));
        fresh
    }

    #[test]
    fn a_stepped_playhead_replays_exactly_from_its_link() {
        for id in ["t1-round-robin", "d4-raft-election", "d3-quorum-stale-read", "r6-chaos"] {
            let mut s = Session::new(presets::get(id).expect("preset")).expect("session");
            let mut mid_instant = 0;
            for k in 1..=400 {
                if k % 3 == 0 {
                    s.step_message(50);
                } else {
                    s.step_event();
                }
                mid_instant += usize::from(s.playhead().events.is_some());
                if k % 7 == 0 || s.playhead().events.is_some() {
                    let fresh = reopen(&s);
                    let same =
                        (fresh.now(), fresh.sim().events(), fresh.sim().trace_hash(), fresh.sim().view());
                    let live = (s.now(), s.sim().events(), s.sim().trace_hash(), s.sim().view());
                    assert_eq!(same, live, "{id} after {k} steps: {}", s.playhead().to_query());
                }
            }
            // Its replicas answer a quorum read at the same microsecond.
            assert!(id != "d3-quorum-stale-read" || mid_instant > 0, "no step stopped inside an instant");
        }
    }

    /// An action on a sample's instant: the live charts must read as the link's, whose replay
    /// handles the action (scripted at that millisecond) before taking the sample.
    #[test]
    fn acting_on_a_samples_instant_charts_as_the_link_replays_it() {
        let mut s = Session::new(presets::get("t1-round-robin").expect("preset")).expect("session");
        s.seek(SimTime::from_ms(10_000));
        assert_eq!(s.act(ScenarioEvent::Crash { node: "b1".into() }), Ok(vec![]));
        s.seek(SimTime::from_ms(10_500));
        let fresh = reopen(&s);
        let series = |s: &Session| -> Vec<(String, Vec<crate::sim::metrics::Point>)> {
            let all = s.sim().metrics().all();
            all.iter().map(|m| (format!("{} {:?}", m.name, m.node), m.series.clone())).collect()
        };
        let (want, got) = (series(&fresh), series(&s));
        assert_eq!(want.len(), got.len());
        let differ = want.iter().zip(&got).find(|(w, g)| w != g);
        let first = differ.map(|(w, g)| {
            let at = w.1.iter().zip(&g.1).find(|(a, b)| a != b);
            (&w.0, at.map(|(a, b)| (*a, *b)), w.1.len(), g.1.len())
        });
        assert_eq!(first, None, "the first series that differs (link, live), and its point");
    }

    #[test]
    fn acting_at_the_frontier_keeps_the_scripted_future() {
        let mut s = Session::new(presets::get("d4-raft-election").expect("preset")).expect("session");
        let script: Vec<u64> = s.scenario().events.iter().map(|e| e.at_ms).collect();
        assert!(script.iter().any(|&t| t > 2_000), "the lesson crashes the leader later on");
        let note = |e: &&crate::scenario::Timed| matches!(e.event, ScenarioEvent::Note { .. });
        let scripted_faults = s.scenario().events.iter().filter(|e| !note(e)).count();
        s.seek(SimTime::from_ms(2_000));
        assert_eq!(s.act(ScenarioEvent::Crash { node: "n1".into() }), Ok(vec![]));
        let at: Vec<u64> = s.scenario().events.iter().map(|e| e.at_ms).collect();
        assert_eq!(at.len(), script.len() + 1);
        assert!(at.windows(2).all(|w| w[0] <= w[1]), "listed in time order: {at:?}");
        s.seek(SimTime::from_ms(4_000));
        assert_eq!(s.act(ScenarioEvent::Restart { node: "n1".into() }), Ok(vec![]));
        s.seek(s.stop_at());
        let fired = s.sim().trace().records().iter().filter(|r| r.kind == TraceKind::Fault).count();
        // The script's notes (its tour) are annotations, not faults.
        assert!(fired >= scripted_faults + 2, "every scripted fault still happened ({fired})");
        assert_eq!(reopen(&s).sim().trace_hash(), s.sim().trace_hash());
        // Back in the past, an action forks: the old future's actions by hand after it are gone,
        // the lesson's script stays.
        s.seek(SimTime::from_ms(3_000));
        let gone = s.act(ScenarioEvent::Crash { node: "n2".into() }).expect("fork");
        let restart_n1 =
            Timed { at_ms: 4_000, event: ScenarioEvent::Restart { node: "n1".into() }, by_hand: true };
        assert_eq!(gone, vec![restart_n1]);
        let later: Vec<u64> =
            s.scenario().events.iter().filter(|e| e.at_ms > 3_000).map(|e| e.at_ms).collect();
        assert_eq!(
            later,
            script.iter().copied().filter(|&t| t > 3_000).collect::<Vec<_>>(),
            "the script stays"
        );
        s.seek(s.stop_at());
        assert_eq!(reopen(&s).sim().trace_hash(), s.sim().trace_hash());
    }

    #[test]
    fn the_same_action_at_the_same_time_forks_the_same_future_however_far_one_had_played() {
        let fresh = || Session::new(presets::get("d4-raft-election").expect("preset")).expect("session");
        let crash_n2 = || ScenarioEvent::Crash { node: "n2".into() };
        // Straight to 3 s, then the action.
        let mut a = fresh();
        a.seek(SimTime::from_ms(3_000));
        assert_eq!(a.act(crash_n2()), Ok(vec![]));
        // Played past the lesson's crash at 5 s, back to 3 s, then the same action.
        let mut b = fresh();
        b.seek(SimTime::from_ms(8_000));
        b.seek(SimTime::from_ms(3_000));
        assert_eq!(b.act(crash_n2()), Ok(vec![]), "nothing done by hand is lost");
        assert_eq!(a.scenario(), b.scenario());
        a.seek(SimTime::from_ms(8_000));
        b.seek(SimTime::from_ms(8_000));
        assert_eq!(a.sim().trace_hash(), b.sim().trace_hash());
        let faults = a.sim().trace().records().iter().filter(|r| r.kind == TraceKind::Fault).count();
        assert_eq!(faults, 2, "crash n2 by hand, then the lesson's crash n4 at 5 s");
    }

    #[test]
    fn an_action_survives_going_back_before_it_and_playing_again() {
        let mut s = Session::new(presets::get("d4-raft-election").expect("preset")).expect("session");
        let down =
            |s: &Session| s.sim().view().nodes.iter().any(|n| n.name == "n1" && n.status != Status::Up);
        s.seek(SimTime::from_ms(2_000));
        s.act(ScenarioEvent::Crash { node: "n1".into() }).expect("at the frontier");
        s.seek(SimTime::from_ms(3_000));
        let (hash, events) = (s.sim().trace_hash(), s.sim().events());
        s.seek(SimTime::from_ms(1_000));
        assert!(!down(&s), "before the crash");
        s.seek(SimTime::from_ms(3_000));
        assert!(down(&s), "the crash is replayed");
        assert_eq!((s.sim().trace_hash(), s.sim().events()), (hash, events));
        // The same after a fork in the past: the new action stays, the dropped future stays gone.
        s.seek(SimTime::from_ms(1_500));
        s.act(ScenarioEvent::Pause { node: "n2".into() }).expect("fork");
        s.seek(SimTime::from_ms(6_000));
        let (hash, events) = (s.sim().trace_hash(), s.sim().events());
        s.seek(SimTime::from_ms(500));
        s.seek(SimTime::from_ms(6_000));
        assert_eq!((s.sim().trace_hash(), s.sim().events()), (hash, events));
        assert_eq!(reopen(&s).sim().trace_hash(), hash);
    }

    #[test]
    fn a_fork_in_a_chaos_run_keeps_its_faults_and_replays_from_its_link() {
        let mut s = Session::new(presets::get("r6-chaos").expect("preset")).expect("session");
        s.seek(SimTime::from_ms(8_000));
        s.seek(SimTime::from_ms(3_000));
        let victim = s.sim().node_names()[1].clone();
        s.act(ScenarioEvent::Pause { node: victim }).expect("act");
        s.seek(s.stop_at());
        let faults = |s: &Session| s.sim().script().iter().filter(|e| e.at_ms > 3_000).count();
        assert!(faults(&s) > 3, "the chaos section still draws faults after the fork");
        assert_eq!(reopen(&s).sim().trace_hash(), s.sim().trace_hash());
    }

    impl Session {
        /// Odd frame lengths and a tiny event budget, as a slow tab would produce.
        fn play_frames_for_test(&mut self) {
            for i in 0..40u64 {
                self.advance(SimDuration::from_us(16_667 + i * 37), 7);
            }
        }
    }

    #[test]
    fn travel_in_small_budgets_arrives_where_goto_does() {
        let mut s = Session::new(presets::get("d3-quorum-stale-read").expect("preset")).expect("session");
        // Step to a playhead inside an instant (its replicas answer a read at the same µs).
        for _ in 0..2_000 {
            s.step_event();
            if s.playhead().events.is_some() && s.now() > SimTime::from_ms(50) {
                break;
            }
        }
        let p = s.playhead();
        assert!(p.events.is_some(), "no step stopped inside an instant: {}", p.to_query());
        let expected = (s.now(), s.sim().events(), s.sim().trace_hash());
        s.seek(SimTime::from_ms(6_000));
        let mut calls = 0;
        while !s.travel(p, 9) {
            calls += 1;
            assert!(s.now() <= p.at, "never past the target");
        }
        assert!(calls > 3, "a small budget takes several calls ({calls})");
        assert_eq!((s.now(), s.sim().events(), s.sim().trace_hash()), expected);
        assert!(s.travel(p, 0), "already there: nothing to do, even with no budget");
        // Forward in slices, to a whole millisecond.
        let far = Playhead::at(SimTime::from_ms(4_000));
        while !s.travel(far, 50) {}
        let (h, ev) = (s.sim().trace_hash(), s.sim().events());
        s.seek(SimTime::ZERO);
        s.goto(far);
        assert_eq!((s.now(), s.sim().trace_hash(), s.sim().events()), (far.at, h, ev));
    }

    /// A slice of travel that runs out of budget inside the target's own instant has not arrived:
    /// the rest of that instant is still to run (flake audit F10: a link opened in a fresh page
    /// could stop there, with a different trace hash from the page that made the link).
    #[test]
    fn travel_that_runs_out_inside_the_target_instant_goes_on() {
        let mut sc = presets::get("t1-round-robin").expect("preset");
        // Three scripted notes share one instant at a whole millisecond.
        let t = SimTime::from_ms(1_000);
        for i in 0..3 {
            let event = crate::scenario::ScenarioEvent::Note { text: format!("note {i}") };
            sc.events.push(crate::scenario::Timed { at_ms: 1_000, event, by_hand: false });
        }
        let mut s = Session::new(sc).expect("session");
        s.seek(t);
        let expected = (s.sim().events(), s.sim().trace_hash());
        for budget in 1..=4 {
            let mut fresh = Session::new(s.scenario().clone()).expect("session");
            while !fresh.travel(Playhead::at(t), budget) {}
            assert_eq!((fresh.sim().events(), fresh.sim().trace_hash()), expected, "budget {budget}");
        }
    }

    #[test]
    fn a_session_keeping_every_message_runs_the_same_and_describes_the_first() {
        let mut watched = session();
        let mut all = Session::keeping_every_message(watched.scenario().clone()).expect("session");
        for s in [&mut watched, &mut all] {
            s.seek(SimTime::from_ms(4_000));
        }
        assert_eq!(all.sim().trace_hash(), watched.sim().trace_hash());
        let first_sent =
            |s: &Session| s.sim().trace().records().iter().find(|r| r.kind == TraceKind::Send).map(|r| r.msg);
        let id = first_sent(&all).expect("a message");
        assert_eq!(watched.sim().message_detail(id), None, "long delivered: forgotten");
        assert!(all.sim().message_detail(id).is_some_and(|d| d.contains("Request")), "kept");
    }

    #[test]
    fn seek_back_and_forward_is_exact() {
        let mut s = session();
        s.seek(SimTime::from_ms(4_000));
        let (h, ev) = (s.sim().trace_hash(), s.sim().events());
        s.seek(SimTime::from_ms(1_234));
        assert_eq!(s.now(), SimTime::from_ms(1_234));
        s.seek(SimTime::from_ms(4_000));
        assert_eq!((s.sim().trace_hash(), s.sim().events()), (h, ev));
    }

    #[test]
    fn an_action_in_the_past_forks_and_the_link_replays_it() {
        let mut s = session();
        assert_eq!(s.act(ScenarioEvent::Crash { node: "b3".into() }), Ok(vec![]), "crash at 0");
        s.seek(SimTime::from_ms(3_000));
        s.act(ScenarioEvent::Restart { node: "b3".into() }).expect("restart");
        s.seek(SimTime::from_ms(4_000));
        s.seek(SimTime::from_ms(1_000) + SimDuration::from_us(400));
        let gone = s.act(ScenarioEvent::Crash { node: "b1".into() }).expect("fork");
        let restart =
            Timed { at_ms: 3_000, event: ScenarioEvent::Restart { node: "b3".into() }, by_hand: true };
        assert_eq!(gone, vec![restart], "the fork says what the old future loses");
        let at: Vec<u64> = s.scenario().events.iter().map(|e| e.at_ms).collect();
        assert_eq!(at, vec![0, 1_001], "the restart at 3 s belonged to the old future");
        s.seek(s.stop_at());
        let replay = crate::scenario::decode_fragment(&s.fragment()).expect("link");
        let mut r = registry::build(&replay).expect("build");
        r.run_until(r.stop_at());
        assert_eq!(r.trace_hash(), s.sim().trace_hash());
    }

    #[test]
    fn step_message_stops_at_a_delivery() {
        let mut s = session();
        let t = s.step_message(1_000).expect("a message arrives");
        let last = s.sim().trace().records().iter().rev().find(|r| r.at == t).map(|r| r.kind);
        assert!(s.sim().trace().records().iter().any(|r| r.kind == TraceKind::Deliver));
        assert!(last.is_some());
        assert!(s.sim().events() < 20);
    }

    #[test]
    fn bad_actions_change_nothing() {
        let mut s = session();
        s.seek(SimTime::from_ms(100));
        let before = s.scenario().clone();
        assert!(s.act(ScenarioEvent::Crash { node: "nope".into() }).is_err());
        assert_eq!(s.scenario(), &before);
        assert_eq!(s.now(), SimTime::from_ms(100));
    }
}
