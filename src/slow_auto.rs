//! Slow motion for the elections a reader causes. A lesson marks its own key moments as
//! slow-motion stretches (`meta.slow_motion`), but an election started by hand (crash the leader,
//! time a follower out, heal a cut) came and went in one frame at 1×: the new leader appeared,
//! the votes that made it were never seen (review 17, gap 5).
//!
//! So, for a while after an action done by hand, and anywhere in a run changed from its preset
//! (another seed, more servers: the lesson's stretches were timed for the run as shipped, and its
//! elections now fall elsewhere; review 30 C1), in a scenario whose lesson plays its key moments
//! slower (its Slow motion button turns this off too): a candidate that stood up in the last
//! [`CANDIDACY_US`] plays at the lesson's slowest stretch speed while its messages are on the
//! way (one cut off from everyone plays on at 1×), and a frame stops where the next
//! election timer of a node that is up would run out, so the candidacy is not skipped over. The
//! roles and timers come from the nodes' views (Raft's `candidate` and its election countdown).
//! It changes the wall clock, never the trace.

use dsplay_core::session::Session;
use dsplay_core::view::Status;
use dsplay_core::SimTime;

/// How long after an action by hand its elections are slowed.
pub const AFTER_ACTION_MS: u64 = 2_000;
/// How long a candidacy plays slower: long enough for votes to go out and come back.
pub const CANDIDACY_US: u64 = 100_000;

/// The speed factor at `now` for elections caused by hand, or in a run changed from its preset
/// from `changed_from` on (1 if none), and when the next election timer would run out, for a
/// frame not to run past it.
pub fn factor(s: &Session, now: SimTime, changed_from: Option<SimTime>) -> (f64, Option<SimTime>) {
    let sc = s.scenario();
    let Some(pct) = sc.meta.slow_motion.iter().map(|m| m.speed_pct).min() else { return (1.0, None) };
    let ms = now.as_us() / 1000;
    let acted = sc.events.iter().filter(|e| e.by_hand && e.at_ms <= ms).map(|e| e.at_ms).max();
    let after_action = acted.map(|at| at + AFTER_ACTION_MS).filter(|&end| ms < end);
    let changed = changed_from.filter(|&c| now >= c).map(|_| s.stop_at().as_us() / 1000);
    let Some(window_end) = changed.or(after_action) else {
        return (1.0, None);
    };
    let view = s.sim().view();
    // Only while its votes are on the way: a candidacy nobody can hear shows nothing slowed down,
    // and an isolated follower stands every 150–300 ms, so at 0.01× two seconds after Isolate
    // took a minute and a half (review 34 B1).
    let heard = |i: usize| view.in_flight.iter().any(|m| m.from.index() == i || m.to.index() == i);
    let mut next: Option<SimTime> = None;
    for (i, n) in view.nodes.iter().enumerate().filter(|(_, n)| n.status == Status::Up) {
        let Some((set_at, fires_at)) = n.view.countdown else { continue };
        let standing =
            n.view.role == "candidate" && now.as_us().saturating_sub(set_at.as_us()) <= CANDIDACY_US;
        if standing && heard(i) {
            return (f64::from(pct) / 100.0, None);
        }
        if fires_at > now && fires_at <= SimTime::from_ms(window_end) {
            next = Some(next.map_or(fires_at, |t| t.min(fires_at)));
        }
    }
    (1.0, next)
}
