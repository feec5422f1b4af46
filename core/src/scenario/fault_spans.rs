//! What is broken when: a run's events read as intervals (a node down from its crash to its
//! restart, a partition until the heal, a lossy link until it is reset, a surge for its duration)
//! and instants (a request handed to a node, a note). The timeline draws the intervals as bars
//! from their markers and the charts shade them behind their series, both from this one reading,
//! made once per scenario (it depends on the events alone, not on how far the run has got).

use super::{LinkSpec, ScenarioEvent, Timed};

/// What kind of fault an interval is (each is shaded in its own colour).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Crashed, until restarted.
    Down,
    /// Frozen, until resumed (or crashed).
    Paused,
    /// A partition or a one-way block, until the heal.
    Cut,
    /// A link changed from the network's default, until it is set back or links are reset.
    Link,
    /// A slowed node or a skewed clock, until set back.
    Slow,
    /// More client load, for the surge's duration.
    Surge,
}

/// Something broken from `from_ms` until `until_ms` (`None`: to the end of the run).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultSpan {
    pub from_ms: u64,
    pub until_ms: Option<u64>,
    pub kind: FaultKind,
    /// What it is, in a few words: "r2 down", "partition r1,r2 | r3".
    pub label: String,
}

/// An event that breaks nothing for a while: a request by hand, a note, a heal with nothing cut.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultTick {
    pub at_ms: u64,
    pub label: String,
}

/// A run's faults: intervals in order of their start, instants in time order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultMarks {
    pub spans: Vec<FaultSpan>,
    pub ticks: Vec<FaultTick>,
}

/// What an interval still open is about: the event that ends it must be about the same.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    Down(String),
    Paused(String),
    Slow(String),
    Skew(String),
    Partition,
    Block,
    /// A link's ends, in order if it goes both ways (b->a both ways is a<->b).
    Link(String, String, bool),
    Surge,
}

struct Reading {
    marks: FaultMarks,
    open: Vec<(Key, usize)>,
}

impl Reading {
    /// End every open interval `ends` picks at `at`; whether there was one.
    fn close(&mut self, at: u64, ends: impl Fn(&Key) -> bool) -> bool {
        let before = self.open.len();
        let spans = &mut self.marks.spans;
        self.open.retain(|(key, i)| {
            let keep = !ends(key);
            if !keep {
                // A surge ends on its own: a later one only cuts it short.
                spans[*i].until_ms = Some(spans[*i].until_ms.map_or(at, |u| u.min(at)));
            }
            keep
        });
        self.open.len() < before
    }

    fn open(&mut self, at: u64, key: Key, kind: FaultKind, label: String, until_ms: Option<u64>) {
        self.open.push((key, self.marks.spans.len()));
        self.marks.spans.push(FaultSpan { from_ms: at, until_ms, kind, label });
    }

    fn is_open(&self, key: &Key) -> bool {
        self.open.iter().any(|(k, _)| k == key)
    }

    fn tick(&mut self, at: u64, ev: &ScenarioEvent) {
        self.marks.ticks.push(FaultTick { at_ms: at, label: ev.describe() });
    }

    /// Read one event at `at`; whether it opened or closed an interval.
    fn read(&mut self, at: u64, ev: &ScenarioEvent, normal: &LinkSpec) -> bool {
        use ScenarioEvent as E;
        let said = || ev.describe();
        match ev {
            E::Crash { node } | E::CrashRefusing { node } => {
                if self.is_open(&Key::Down(node.clone())) {
                    return false;
                }
                self.close(at, |k| *k == Key::Paused(node.clone()));
                let refusing = if matches!(ev, E::CrashRefusing { .. }) { ", refusing" } else { "" };
                self.open(
                    at,
                    Key::Down(node.clone()),
                    FaultKind::Down,
                    format!("{node} down{refusing}"),
                    None,
                );
                true
            }
            E::Restart { node } => self.close(at, |k| *k == Key::Down(node.clone())),
            E::Pause { node } => {
                let (down, paused) = (Key::Down(node.clone()), Key::Paused(node.clone()));
                if self.is_open(&down) || self.is_open(&paused) {
                    return false;
                }
                self.open(at, paused, FaultKind::Paused, format!("{node} paused"), None);
                true
            }
            E::Resume { node } => self.close(at, |k| *k == Key::Paused(node.clone())),
            E::Partition { groups } => {
                let closed = self.close(at, |k| *k == Key::Partition);
                if groups.is_empty() {
                    return closed;
                }
                self.open(at, Key::Partition, FaultKind::Cut, said(), None);
                true
            }
            E::Block { .. } => {
                self.open(at, Key::Block, FaultKind::Cut, said(), None);
                true
            }
            E::Heal => self.close(at, |k| matches!(k, Key::Partition | Key::Block)),
            E::Link { from, to, spec, both_ways } => {
                let (a, b) = match *both_ways && from > to {
                    true => (to.clone(), from.clone()),
                    false => (from.clone(), to.clone()),
                };
                let key = Key::Link(a, b, *both_ways);
                let closed = self.close(at, |k| *k == key);
                if spec == normal {
                    return closed;
                }
                self.open(at, key, FaultKind::Link, said(), None);
                true
            }
            E::ResetLinks => self.close(at, |k| matches!(k, Key::Link(..))),
            E::Slow { node, factor_pct } => {
                let closed = self.close(at, |k| *k == Key::Slow(node.clone()));
                if *factor_pct == 100 {
                    return closed;
                }
                self.open(at, Key::Slow(node.clone()), FaultKind::Slow, said(), None);
                true
            }
            E::ClockSkew { node, offset_us, drift_ppm } => {
                let closed = self.close(at, |k| *k == Key::Skew(node.clone()));
                if (*offset_us, *drift_ppm) == (0, 0) {
                    return closed;
                }
                self.open(at, Key::Skew(node.clone()), FaultKind::Slow, said(), None);
                true
            }
            E::Surge { duration_ms, .. } => {
                // A newer surge replaces an older one (see `ScenarioEvent::Surge`).
                self.close(at, |k| *k == Key::Surge);
                let until = Some(at.saturating_add(*duration_ms));
                self.open(at, Key::Surge, FaultKind::Surge, said(), until);
                true
            }
            E::Client { .. }
            | E::Note { .. }
            | E::Timeout { .. }
            | E::LoseMessage { .. }
            | E::Tune { .. } => false,
        }
    }
}

/// The intervals and instants of `events` (in time order, as a run applies them), where
/// `normal` is the network's default link: a link set back to it is no longer a fault (chaos
/// undoes a lossy link so). An event that neither starts nor ends an interval is an instant.
pub fn fault_marks<'a>(events: impl IntoIterator<Item = &'a Timed>, normal: &LinkSpec) -> FaultMarks {
    let mut r = Reading { marks: FaultMarks::default(), open: Vec::new() };
    for e in events {
        if !r.read(e.at_ms, &e.event, normal) {
            r.tick(e.at_ms, &e.event);
        }
    }
    r.marks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    fn at(ms: u64, event: ScenarioEvent) -> Timed {
        Timed::at(ms, event)
    }

    fn node(n: &str) -> String {
        n.to_string()
    }

    #[test]
    fn a_crash_is_down_until_its_restart_and_a_pause_until_the_resume_or_a_crash() {
        let events = [
            at(1_000, ScenarioEvent::Crash { node: node("r2") }),
            at(1_500, ScenarioEvent::Crash { node: node("r2") }),
            at(2_000, ScenarioEvent::Restart { node: node("r2") }),
            at(3_000, ScenarioEvent::Pause { node: node("r3") }),
            at(4_000, ScenarioEvent::CrashRefusing { node: node("r3") }),
        ];
        let marks = fault_marks(&events, &LinkSpec::default());
        let spans: Vec<_> = marks.spans.iter().map(|s| (s.from_ms, s.until_ms, s.label.as_str())).collect();
        assert_eq!(
            spans,
            [
                (1_000, Some(2_000), "r2 down"),
                (3_000, Some(4_000), "r3 paused"),
                (4_000, None, "r3 down, refusing")
            ]
        );
        // The second crash of a node already down changes nothing: an instant.
        assert_eq!(marks.ticks, [FaultTick { at_ms: 1_500, label: "crash r2".into() }]);
    }

    #[test]
    fn a_heal_ends_every_cut_and_a_reset_every_link() {
        let lossy = LinkSpec { loss_ppm: 300_000, ..LinkSpec::default() };
        let link = |from: &str, to: &str, spec: &LinkSpec| ScenarioEvent::Link {
            from: node(from),
            to: node(to),
            spec: spec.clone(),
            both_ways: true,
        };
        let events = [
            at(100, ScenarioEvent::Partition { groups: vec![vec![node("a")], vec![node("b")]] }),
            at(200, ScenarioEvent::Block { from: vec![node("c")], to: vec![node("a")] }),
            at(300, ScenarioEvent::Heal),
            at(400, ScenarioEvent::Heal),
            at(500, link("*", "cart", &lossy)),
            // Chaos's undo: the same links back to the default.
            at(600, link("*", "cart", &LinkSpec::default())),
            at(700, link("b", "a", &lossy)),
            at(800, ScenarioEvent::ResetLinks),
            at(900, ScenarioEvent::Note { text: "look".into() }),
        ];
        let marks = fault_marks(&events, &LinkSpec::default());
        let spans: Vec<_> = marks.spans.iter().map(|s| (s.from_ms, s.until_ms, s.kind)).collect();
        assert_eq!(
            spans,
            [
                (100, Some(300), FaultKind::Cut),
                (200, Some(300), FaultKind::Cut),
                (500, Some(600), FaultKind::Link),
                (700, Some(800), FaultKind::Link)
            ]
        );
        let ticks: Vec<_> = marks.ticks.iter().map(|t| (t.at_ms, t.label.as_str())).collect();
        assert_eq!(ticks, [(400, "heal"), (900, "look")]);
    }

    #[test]
    fn a_slow_node_or_skewed_clock_lasts_until_set_back_and_a_newer_surge_cuts_an_older_short() {
        let events = [
            at(0, ScenarioEvent::Slow { node: node("n1"), factor_pct: 1000 }),
            at(10, ScenarioEvent::Slow { node: node("n1"), factor_pct: 300 }),
            at(20, ScenarioEvent::Slow { node: node("n1"), factor_pct: 100 }),
            at(30, ScenarioEvent::ClockSkew { node: node("n2"), offset_us: 5_000, drift_ppm: 0 }),
            at(40, ScenarioEvent::Surge { rate_pct: 300, duration_ms: 1_000 }),
            at(50, ScenarioEvent::Surge { rate_pct: 200, duration_ms: 10 }),
        ];
        let marks = fault_marks(&events, &LinkSpec::default());
        let spans: Vec<_> = marks.spans.iter().map(|s| (s.from_ms, s.until_ms)).collect();
        assert_eq!(spans, [(0, Some(10)), (10, Some(20)), (30, None), (40, Some(50)), (50, Some(60))]);
        assert!(marks.ticks.is_empty(), "{:?}", marks.ticks);
    }

    #[test]
    fn the_stale_read_lessons_crash_is_r2_down_from_12_to_16_s() {
        let sc = presets::get("d3-quorum-stale-read").expect("preset");
        let marks = fault_marks(&sc.events, &sc.network.default_link);
        let down: Vec<_> = marks.spans.iter().map(|s| (s.from_ms, s.until_ms, s.label.as_str())).collect();
        assert_eq!(down, [(12_000, Some(16_000), "r2 down")]);
    }
}
