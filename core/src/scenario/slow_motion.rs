//! Slow motion: stretches of a run the player plays slower than the speed the user chose.
//!
//! A Raft election is over in 20 ms of simulated time, one frame at 1×: a student pressing play
//! sees a leader, never the votes that made it. A lesson marks such moments (the first election,
//! the re-election after the crash) and the player multiplies its speed by `speed_pct` / 100
//! while the playhead is inside one, so each 10 ms hop takes a visible fraction of a second and
//! the seconds of steady state between them still pass at the chosen pace. The simulation does
//! not see any of it: it changes the wall clock, never the trace.

use super::ScenarioError;
use crate::SimTime;
use serde::{Deserialize, Serialize};

/// At most this many stretches in a scenario.
pub const MAX_STRETCHES: usize = 32;

/// One stretch played slower.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlowMotion {
    pub from_ms: u64,
    pub until_ms: u64,
    /// The player's speed inside, in percent of the speed chosen: 10 plays 1× at 0.1×.
    pub speed_pct: u32,
}

/// The speed factor at `now` (1 outside every stretch) and, outside, when the next stretch
/// starts: a frame should not run past it at full speed.
pub fn factor_at(stretches: &[SlowMotion], now: SimTime) -> (f64, Option<SimTime>) {
    let ms = now.as_us() / 1000;
    match stretches.iter().find(|s| (s.from_ms..s.until_ms).contains(&ms)) {
        Some(s) => (f64::from(s.speed_pct) / 100.0, None),
        None => {
            let next = stretches.iter().filter(|s| s.from_ms > ms).map(|s| s.from_ms).min();
            (1.0, next.map(SimTime::from_ms))
        }
    }
}

/// Each stretch lies in the run, lasts at least 1 ms, and slows the run down by 1 to 100 %.
pub fn check(stretches: &[SlowMotion], stop_at_ms: u64) -> Result<(), ScenarioError> {
    let n = stretches.len();
    ScenarioError::require(
        n <= MAX_STRETCHES,
        "meta.slow_motion",
        format!("{n} stretches; at most {MAX_STRETCHES}"),
    )?;
    for (i, s) in stretches.iter().enumerate() {
        let f = |name: &str| format!("meta.slow_motion[{i}].{name}");
        let within = format!("must be less than until_ms ({}) and stop_at_ms ({stop_at_ms})", s.until_ms);
        ScenarioError::require(s.from_ms < s.until_ms && s.from_ms < stop_at_ms, f("from_ms"), within)?;
        ScenarioError::require(
            (1..=100).contains(&s.speed_pct),
            f("speed_pct"),
            "must be 1 to 100 (100 = no slower)",
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAFT: [SlowMotion; 2] = [
        SlowMotion { from_ms: 150, until_ms: 260, speed_pct: 5 },
        SlowMotion { from_ms: 5_000, until_ms: 5_300, speed_pct: 10 },
    ];

    #[test]
    fn inside_a_stretch_the_factor_is_its_percentage_and_outside_the_next_one_is_named() {
        assert_eq!(factor_at(&RAFT, SimTime::from_ms(0)), (1.0, Some(SimTime::from_ms(150))));
        assert_eq!(factor_at(&RAFT, SimTime::from_ms(150)), (0.05, None));
        assert_eq!(factor_at(&RAFT, SimTime::from_ms(259)), (0.05, None));
        assert_eq!(factor_at(&RAFT, SimTime::from_ms(260)), (1.0, Some(SimTime::from_ms(5_000))));
        assert_eq!(factor_at(&RAFT, SimTime::from_ms(5_100)), (0.1, None));
        assert_eq!(factor_at(&RAFT, SimTime::from_ms(6_000)), (1.0, None));
        assert_eq!(factor_at(&[], SimTime::from_ms(6_000)), (1.0, None));
    }

    #[test]
    fn a_stretch_that_is_empty_outside_the_run_or_not_slower_is_refused_by_field() {
        let bad =
            |s: SlowMotion| check(&[RAFT[0], s], 10_000).expect_err("refused").field().map(str::to_string);
        let field = |f: &str| Some(format!("meta.slow_motion[1].{f}"));
        assert_eq!(bad(SlowMotion { from_ms: 300, until_ms: 300, speed_pct: 5 }), field("from_ms"));
        assert_eq!(bad(SlowMotion { from_ms: 20_000, until_ms: 30_000, speed_pct: 5 }), field("from_ms"));
        assert_eq!(bad(SlowMotion { from_ms: 300, until_ms: 400, speed_pct: 0 }), field("speed_pct"));
        assert_eq!(bad(SlowMotion { from_ms: 300, until_ms: 400, speed_pct: 101 }), field("speed_pct"));
        assert!(check(&RAFT, 10_000).is_ok());
        assert!(check(&[RAFT[0]; MAX_STRETCHES + 1], 10_000).is_err());
    }
}
