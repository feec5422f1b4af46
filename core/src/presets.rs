//! Preset scenarios: files in `core/presets/`, compiled in. They are the gallery, the lessons and
//! the golden-test inputs at once.

use crate::scenario::{Scenario, ScenarioError, ScenarioEvent};
use crate::time::SimTime;

macro_rules! presets {
    ($($id:literal),* $(,)?) => {
        /// `(id, JSON)` for every preset, in gallery order.
        pub const PRESETS: &[(&str, &str)] = &[$(($id, include_str!(concat!("../presets/", $id, ".json")))),*];
    };
}

presets![
    "t1-round-robin",
    "t1-smooth-wrr",
    "t1-least-connections",
    "t1-power-of-two",
    "t1-queueing",
    "t1-least-connections-black-hole",
    "t1-scale-out",
    "t2-health-checks",
    "t3-redundancy-2-tasks",
    "t3-redundancy-3-tasks",
    "t4-autoscaling",
    "t5-sticky-sessions",
    "t5-shared-store",
    "t6-rate-limiting",
    "t7-caching",
    "r2-circuit-breaker-cascade",
    "r2-no-breaker-cascade",
    "r4-backoff-contention",
    "r4-retry-storm",
    "r4-retry-budget",
    "d4-raft-election",
    "d4-raft-partition",
    "d4-election-downtime",
    "d5-split-brain-naive",
    "d5-split-brain-quorum",
    "d3-quorum-stale-read",
    "d3-quorum-tvisibility",
    "d3-quorum-abd",
    "d8-crdt-partition",
    "d9-sharding",
    "d1-cap-cp",
    "d1-cap-ap",
    "d6-lamport-vector-clocks",
    "d6-causal-delivery",
    "d6-textbook-figure",
    "d2-replication-sync",
    "d2-replication-semisync",
    "d2-replication-async",
    "d7-lww-clock-skew",
    "d7-vector-clock-siblings",
    "e1-unbounded-queue",
    "e1-backpressure",
    "e1-load-shedding",
    "e1-consumer-scaling",
    "e2-dead-letter-queue",
    "e2-poison-message",
    "e3-at-least-once-duplicates",
    "e3-idempotency-keys",
    "e4-event-replay",
    "e4-ordering-per-partition",
    "e4-out-of-order",
    "e5-2pc-no-crash",
    "e5-2pc-coordinator-crash",
    "e5-2pc-lost-acks",
    "e5-saga-compensation",
    "e6-no-lock-race",
    "e6-lock-lease-expiry",
    "e6-fencing-tokens",
    "e7-distributed-tracing",
    "r1-no-timeouts",
    "r1-timeouts",
    "r3-shared-pool",
    "r3-bulkheads",
    "r5-graceful-degradation",
    "r6-chaos",
    "d10-reads-primary",
    "d10-reads-nearest",
    "d10-region-failover",
];

/// The preset ids, in gallery order.
pub fn ids() -> impl Iterator<Item = &'static str> {
    PRESETS.iter().map(|(id, _)| *id)
}

/// A preset's JSON text.
pub fn json(id: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(i, _)| *i == id).map(|(_, j)| *j)
}

/// A parsed, validated preset.
pub fn get(id: &str) -> Result<Scenario, ScenarioError> {
    let text = json(id).ok_or_else(|| ScenarioError::invalid("preset", not_found(id)))?;
    Scenario::from_json(text)
}

/// Whether `sc` is its preset exactly as it ships (a link may name it; anything changed is
/// "edited").
pub fn as_shipped(sc: &Scenario) -> bool {
    get(&sc.meta.id).is_ok_and(|p| p == *sc)
}

/// The title of the preset whose lesson `sc` still carries though its run was changed (the seed,
/// a knob, the network, the workload or a scripted event; an action done by hand is one of the
/// lesson's own "Try"s): the lesson's times and counts may no longer hold. `None` for a preset as
/// shipped, a scenario of no preset, or a lesson rewritten for the new run.
pub fn lesson_outdated(sc: &Scenario) -> Option<String> {
    let p = get(&sc.meta.id).ok()?;
    if sc.meta.lesson != p.meta.lesson {
        return None;
    }
    let mut run = sc.clone();
    run.events.retain(|e| !e.by_hand);
    run.meta = p.meta.clone();
    (run != p).then_some(p.meta.title)
}

/// When the run stopped being the one the preset `shipped`'s notes were written for: the start if
/// the scenario itself was changed (seed, knobs, network, scripted faults; notes added or
/// rewritten are the teacher's own tour), else the first action done by hand. `None` for a run as
/// shipped. The tour, the event log and the narrator mark or leave out the preset's notes from
/// then on: they tell another run.
fn changed_from(sc: &Scenario, shipped: &Scenario) -> Option<SimTime> {
    let run = |sc: &Scenario| {
        let mut run = sc.clone();
        run.events.retain(|e| !matches!(e.event, ScenarioEvent::Note { .. }) && !e.by_hand);
        run.meta = shipped.meta.clone();
        run
    };
    if run(sc) != run(shipped) {
        return Some(SimTime::ZERO);
    }
    sc.events.iter().filter(|e| e.by_hand).map(|e| SimTime::from_ms(e.at_ms)).min()
}

/// The preset's notes that no longer tell this run: those from the moment it was changed on
/// (see [`changed_from`]). A note the preset does not ship (the teacher's own) is never among them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StaleNotes {
    pub from: SimTime,
    shipped: Vec<String>,
}

impl StaleNotes {
    /// `None` when every note still holds: a run as shipped, or a scenario of no preset.
    pub fn of(sc: &Scenario) -> Option<Self> {
        let preset = get(&sc.meta.id).ok()?;
        let from = changed_from(sc, &preset)?;
        let shipped = preset.events.into_iter().filter_map(|e| match e.event {
            ScenarioEvent::Note { text } => Some(text),
            _ => None,
        });
        Some(Self { from, shipped: shipped.collect() })
    }

    /// Whether the note `text` said at `at` is one of these.
    pub fn covers(&self, at: SimTime, text: &str) -> bool {
        at >= self.from && self.shipped.iter().any(|t| t == text)
    }
}

/// Why `id` is not a preset, with the likeliest ids it was meant to be.
pub fn not_found(id: &str) -> String {
    match suggest(id).as_slice() {
        [] => format!("no preset {id:?}; preset ids look like \"d4-raft-election\" or \"t1-round-robin\""),
        near => {
            let quoted: Vec<String> = near.iter().map(|k| format!("{k:?}")).collect();
            format!("no preset {id:?}; did you mean {}?", quoted.join(" or "))
        }
    }
}

/// Up to three preset ids `id` was probably meant to be: those it begins, else the nearest by
/// spelling (a list of all of them would bury the message).
pub fn suggest(id: &str) -> Vec<&'static str> {
    let id = id.trim().to_ascii_lowercase();
    let begun: Vec<&str> = ids().filter(|k| id.len() >= 2 && k.starts_with(&id)).take(3).collect();
    if !begun.is_empty() {
        return begun;
    }
    let near: Vec<(usize, &str)> =
        ids().map(|k| (strsim::levenshtein(&id, k), k)).filter(|&(d, k)| d <= 3.max(k.len() / 4)).collect();
    let best = near.iter().map(|&(d, _)| d).min();
    near.into_iter().filter(|&(d, _)| Some(d) == best).take(3).map(|(_, k)| k).collect()
}

/// Every preset, parsed. Presets are checked by the test suite, so failures here are bugs.
pub fn all() -> Vec<Scenario> {
    ids().filter_map(|id| get(id).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{ScenarioEvent, Timed};

    #[test]
    fn a_changed_run_under_its_presets_lesson_is_told_and_a_try_or_a_new_lesson_is_not() {
        let shipped = get("d4-raft-election").expect("preset");
        assert_eq!(lesson_outdated(&shipped), None);
        let mut tried = shipped.clone();
        tried.events.push(Timed {
            at_ms: 2_000,
            event: ScenarioEvent::Crash { node: "n2".into() },
            by_hand: true,
        });
        assert_eq!(lesson_outdated(&tried), None, "a crash by hand is what the lesson's Try asks for");
        let mut reseeded = shipped.clone();
        reseeded.seed += 1;
        assert_eq!(lesson_outdated(&reseeded), Some(shipped.meta.title.clone()));
        reseeded.meta.title = "Week 3".into();
        assert_eq!(lesson_outdated(&reseeded), Some(shipped.meta.title.clone()), "a new title alone");
        reseeded.meta.lesson = "## Week 3\n\nAnother seed.".into();
        assert_eq!(lesson_outdated(&reseeded), None, "the teacher wrote its lesson");
    }
}
