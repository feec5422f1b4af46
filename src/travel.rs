//! Travelling to a far playhead in slices of wall-clock time, so the page never freezes.
//!
//! A seek forward past what has been played runs the simulation, and a busy scenario (200,000
//! requests per second) takes seconds of wall-clock time to reach 10 s. Done in one go that is a
//! frozen tab, a scrubber that ignores the hand on it and no way to change one's mind. So the
//! player moves toward the target for at most [`SLICE_MS`] per frame, drawing where it has got
//! to, until it arrives or the user stops it (Esc, or the Stop button by the timeline). Where a
//! slice stops is an ordinary exact state: the simulation is deterministic whatever the slicing.

use dsplay_core::scenario::Playhead;
use dsplay_core::session::Session;
use dsplay_core::SimTime;

/// Wall-clock time one frame spends travelling, leaving the rest of a 16.7 ms frame to drawing.
pub const SLICE_MS: f64 = 10.0;
/// Events between two looks at the clock: about 0.1 ms of simulation in a release build.
const EVENTS_PER_LOOK: u64 = 1_000;

/// Move toward `to` for about [`SLICE_MS`]; true once there (or the run ended first).
pub fn slice(session: &mut Session, to: Playhead) -> bool {
    run_for(session, to, SLICE_MS, u64::MAX)
}

/// Wall-clock time one frame of playing spends simulating; the rest of the frame draws.
pub const PLAY_SLICE_MS: f64 = 8.0;

/// Play toward `to` (one frame's share of simulated time) for at most
/// [`PLAY_SLICE_MS`] and `budget` events; true once there. At 100× a frame asks for 1.6 s of
/// simulated time: bounded by events alone, a busy run's frame took 50 to 260 ms (review 13).
pub fn play_slice(session: &mut Session, to: SimTime, budget: u64) -> bool {
    run_for(session, Playhead::at(to), PLAY_SLICE_MS, budget)
}

/// Move toward `to` for at most `ms` of wall time and `budget` events, looking at the clock every
/// [`EVENTS_PER_LOOK`] events; true once there (or the run ended first).
fn run_for(session: &mut Session, to: Playhead, ms: f64, budget: u64) -> bool {
    let start = now_ms();
    let first = session.sim().events();
    loop {
        let done = session.sim().events().saturating_sub(first);
        if session.travel(to, EVENTS_PER_LOOK.min(budget.saturating_sub(done)).max(1)) {
            return true;
        }
        let done = session.sim().events().saturating_sub(first);
        if done >= budget || now_ms() - start >= ms {
            return false;
        }
    }
}

/// Wall-clock ms (the page's `performance.now()`).
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
