//! The speed control's arithmetic: its label, the ladder + and − step on, the slider's log
//! scale, and the speed at which a hop can be followed by eye.

use super::{MAX_SPEED, MIN_SPEED};
use dsplay_core::view::MsgView;

/// Speed label: "0.1×", "0.8×", "1×", "1.6×", "10×", "100×" (one decimal below 10, none above,
/// never a trailing ".0").
pub fn speed_label(speed: f64) -> String {
    if speed >= 9.95 {
        format!("{speed:.0}×")
    } else if speed < 0.095 {
        // Below 0.1×: one significant digit (0.05×, 0.005×).
        let digits = (-speed.max(1e-6).log10()).ceil() as usize;
        format!("{speed:.digits$}×")
    } else {
        format!("{}×", format!("{speed:.1}").trim_end_matches(".0"))
    }
}

/// The speeds + and − step through, so a few presses always land back on 1×.
const LADDER: [f64; 16] =
    [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];

/// The next speed up the ladder (from any speed, even one the slider left between rungs).
pub fn faster(speed: f64) -> f64 {
    LADDER.into_iter().find(|&r| r > speed * 1.001).unwrap_or(MAX_SPEED)
}
pub fn slower(speed: f64) -> f64 {
    LADDER.into_iter().rev().find(|&r| r < speed / 1.001).unwrap_or(MIN_SPEED)
}

/// How long one hop takes on screen when following requests by eye.
const HOP_WALL_MS: f64 = 600.0;

/// The speed at which the median message on the wire takes [`HOP_WALL_MS`] to cross, on the
/// ladder's rung at or below it, never faster than 1×; `None` with nothing on the wire. At 1× a
/// 2 ms hop crosses in a tenth of a frame: only streaks show who talks to whom.
pub fn follow_speed(msgs: &[MsgView]) -> Option<f64> {
    let mut hops: Vec<u64> = msgs.iter().map(|m| m.deliver_at.since(m.sent_at).as_us()).collect();
    if hops.is_empty() {
        return None;
    }
    let mid = hops.len() / 2;
    let hop_ms = *hops.select_nth_unstable(mid).1 as f64 / 1000.0;
    let s = (hop_ms / HOP_WALL_MS).clamp(MIN_SPEED, 1.0);
    Some(LADDER.into_iter().rev().find(|&r| r <= s * 1.001).unwrap_or(MIN_SPEED))
}

/// Slider position 0–1000 ↔ speed on a log scale from 0.001× to 100×.
pub fn speed_from_slider(pos: f64) -> f64 {
    let (lo, hi) = (MIN_SPEED.ln(), MAX_SPEED.ln());
    (lo + (hi - lo) * (pos / 1000.0).clamp(0.0, 1.0)).exp()
}
pub fn slider_from_speed(speed: f64) -> f64 {
    let (lo, hi) = (MIN_SPEED.ln(), MAX_SPEED.ln());
    ((speed.clamp(MIN_SPEED, MAX_SPEED).ln() - lo) / (hi - lo) * 1000.0).round()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsplay_core::{NodeId, SimTime};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn speed_labels_read_the_same_way_at_every_speed() {
        let said: Vec<String> = [0.1, 0.8, 0.97, 1.0, 1.04, 1.56, 9.96, 12.4, 100.0].map(speed_label).into();
        assert_eq!(said, ["0.1×", "0.8×", "1×", "1×", "1×", "1.6×", "10×", "12×", "100×"]);
        let slow: Vec<String> = [0.05, 0.02, 0.01, 0.005, 0.001].map(speed_label).into();
        assert_eq!(slow, ["0.05×", "0.02×", "0.01×", "0.005×", "0.001×"]);
    }

    #[wasm_bindgen_test]
    fn following_slows_a_hop_to_about_half_a_second_on_a_rung() {
        let hop = |id, us| MsgView {
            id,
            from: NodeId(0),
            to: NodeId(1),
            kind: "Request".into(),
            sent_at: SimTime::ZERO,
            deliver_at: SimTime(us),
            duplicate: false,
            says_no: false,
        };
        // Median 3 ms: 3/600 = 0.005×; a 300 ms hop is at most 0.5×, a minute's never past 1×.
        assert_eq!(follow_speed(&[hop(1, 1_000), hop(2, 3_000), hop(3, 900_000)]), Some(0.005));
        assert_eq!(follow_speed(&[hop(1, 300_000)]), Some(0.5));
        assert_eq!(follow_speed(&[hop(1, 60_000_000)]), Some(1.0));
        assert_eq!(follow_speed(&[hop(1, 10)]), Some(MIN_SPEED));
        assert_eq!(follow_speed(&[]), None);
    }

    #[wasm_bindgen_test]
    fn plus_and_minus_walk_a_ladder_that_comes_back_to_one() {
        assert_eq!(faster(0.8), 1.0, "from a slider position between rungs");
        assert_eq!(slower(1.6), 1.0);
        let mut s = 100.0;
        let mut down = vec![];
        while s > MIN_SPEED {
            s = slower(s);
            down.push(s);
        }
        let rungs = [50.0, 20.0, 10.0, 5.0, 2.0, 1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001];
        assert_eq!(down, rungs);
        assert_eq!((faster(MAX_SPEED), slower(MIN_SPEED)), (MAX_SPEED, MIN_SPEED));
    }
}
