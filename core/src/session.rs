//! A playground session: the scenario a user is building, its running simulation, and checkpoints
//! for time travel. Platform-free, so the web app's player logic is tested natively.
//!
//! Rules that keep "the URL is the replay" true:
//! - A user action at the playhead is recorded as a scenario event at a whole millisecond, and the
//!   simulation is first advanced to exactly that millisecond (scripted events at `t` run after
//!   queued events at `t`, which is when a live injection runs), so replaying the link gives the
//!   same trace.
//! - Acting in the past forks: every scenario event after the playhead is discarded (the old
//!   future), the new event is appended, and checkpoints of the old future are dropped.

use crate::registry;
use crate::scenario::{encode_fragment, Scenario, ScenarioError, ScenarioEvent, Timed};
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
    pub fn new(scenario: Scenario) -> Result<Self, ScenarioError> {
        let sim = registry::build(&scenario)?;
        let spacing = SimDuration::from_ms((scenario.stop_at_ms / 64).max(250));
        let mut s = Session { scenario, sim, checkpoints: Vec::new(), spacing };
        s.checkpoints.push(s.sim.checkpoint());
        Ok(s)
    }

    /// The scenario including every action the user took: what the link encodes.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
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

    /// The link fragment: `#s=…&t=<playhead ms>`.
    pub fn fragment(&self) -> String {
        format!("{}&t={}", encode_fragment(&self.scenario), self.now().as_us() / 1000)
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

    /// Move the playhead to `t` (back or forward): restore the nearest checkpoint at or before `t`
    /// and replay. Forward seeks run the simulation (bounded only by the stop time).
    pub fn seek(&mut self, t: SimTime) {
        let t = t.min(self.stop_at());
        if t < self.now() {
            let idx = self.checkpoints.iter().rposition(|c| c.at <= t).unwrap_or(0);
            let ok = self.sim.restore(&self.checkpoints[idx]);
            debug_assert!(ok, "checkpoints belong to this simulation");
        }
        while self.now() < t && !self.finished() {
            let leg = t.min(self.next_checkpoint_time());
            self.sim.run_until(leg);
            if self.now() >= self.next_checkpoint_time() {
                self.take_checkpoint();
            }
        }
    }

    /// A user action at the playhead. In the past this forks a new future. Returns the events the
    /// old future held after the playhead, which the new one no longer has.
    pub fn act(&mut self, event: ScenarioEvent) -> Result<Vec<Timed>, ScenarioError> {
        let ms = self.now().as_us().div_ceil(1000);
        if ms > self.scenario.stop_at_ms {
            return Err(ScenarioError::invalid("event", "the run has ended; restart or extend stop_at_ms"));
        }
        self.sim.run_until(SimTime::from_ms(ms));
        let mut next = self.scenario.clone();
        let (kept, gone): (Vec<Timed>, Vec<Timed>) = next.events.drain(..).partition(|e| e.at_ms <= ms);
        next.events = kept;
        next.events.push(Timed { at_ms: ms, event: event.clone() });
        next.validate()?;
        self.sim.fork();
        self.sim.inject(&event)?;
        self.scenario = next;
        let now = self.now();
        self.checkpoints.retain(|c| c.at <= now);
        Ok(gone)
    }

    /// Replace the scenario (an edit in the form, a new seed) and return to the same playhead.
    /// On error nothing changes.
    pub fn replace(&mut self, scenario: Scenario) -> Result<(), ScenarioError> {
        let playhead = self.now();
        let mut fresh = Session::new(scenario)?;
        fresh.seek(playhead);
        *self = fresh;
        Ok(())
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

    fn session() -> Session {
        let mut sc = presets::get("t1-round-robin").expect("preset");
        sc.stop_at_ms = 5_000;
        sc.events.clear();
        Session::new(sc).expect("session")
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
        let link = crate::scenario::decode_fragment(&s.fragment()).expect("link");
        let t = crate::scenario::playhead_ms(&s.fragment()).expect("t");
        let mut fresh = Session::new(link).expect("session");
        fresh.seek(SimTime::from_ms(t));
        assert_eq!(fresh.sim().trace_hash(), s.sim().trace_hash());
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
        let restart = Timed { at_ms: 3_000, event: ScenarioEvent::Restart { node: "b3".into() } };
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
        let mut bad = before.clone();
        bad.workload.clients = 10_000_000;
        assert!(s.replace(bad).is_err());
        assert_eq!(s.scenario(), &before);
        assert_eq!(s.now(), SimTime::from_ms(100));
    }
}
