//! Picking events from the keyboard (review 22: the diagram took only clicks). With the diagram
//! focused, an arrow picks the newest event when nothing is picked; then ← and → step along the
//! lane, ↑ and ↓ go to the nearest event in time on the lane above or below; Enter keeps the
//! event as *a* and picks a *b* beside it to compare (the caption gives the verdict), and with
//! two picked starts again from *b*, as a click does.

use super::pick::{Pick, Spot};
use dsplay_core::sim::causality::Causality;

/// The newest event in the graph (the one nearest the playhead), the top lane's first.
pub fn start(c: &Causality) -> Option<Pick> {
    let e = c.events.iter().min_by_key(|e| (std::cmp::Reverse(e.at), e.lane))?;
    Some(Pick { first: (e.lane, e.at), second: None })
}

/// `pick` with its last picked event (the second, else the first) moved to `spot`.
pub fn moved(pick: Pick, spot: Spot) -> Pick {
    match pick.second {
        Some(_) => Pick { second: Some(spot).filter(|s| *s != pick.first), ..pick },
        None => Pick { first: spot, second: None },
    }
}

/// The last picked event moved to the nearest in time on the next lane up (`by` −1) or down (+1)
/// that has any (the earlier of two as near); `None` past the top or bottom lane.
pub fn across(c: &Causality, pick: Pick, by: isize) -> Option<Pick> {
    let (mut lane, at) = pick.second.unwrap_or(pick.first);
    let lanes = c.events.iter().map(|e| e.lane + 1).max()?;
    loop {
        lane = lane.checked_add_signed(by).filter(|l| *l < lanes)?;
        let on = c.events.iter().filter(|e| e.lane == lane);
        if let Some(e) = on.min_by_key(|e| (e.at.as_us().abs_diff(at.as_us()), e.at)) {
            return Some(moved(pick, (lane, e.at)));
        }
    }
}

/// Enter: with one event picked, it stays as *a* and *b* is the one before it on its lane (else
/// after it, else the nearest on another lane); with two, *b* becomes the only one picked.
pub fn compare(c: &Causality, pick: Pick) -> Pick {
    if let Some(b) = pick.second {
        return Pick { first: b, second: None };
    }
    let a = pick.first;
    let beside = |by: isize| {
        let e = c.along_lane(c.find(a.0, a.1)?, by)?;
        Some((c.events[e].lane, c.events[e].at))
    };
    let lane = |by: isize| across(c, pick, by).map(|p| p.first);
    let b = beside(-1).or_else(|| beside(1)).or_else(|| lane(1)).or_else(|| lane(-1));
    Pick { second: b, ..pick }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsplay_core::sim::trace::{TraceEvent, TraceKind};
    use dsplay_core::{NodeId, SimTime};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn rec(ms: u64, kind: TraceKind, node: u32, peer: Option<u32>, msg: u64) -> TraceEvent {
        let at = SimTime::from_ms(ms);
        TraceEvent { at, kind, node: NodeId(node), peer: peer.map(NodeId), msg, label: "Ping", text: None }
    }

    /// p0 sends to p1 at 1 ms (arrives 3 ms) and to p2 at 5 ms (arrives 9 ms); p1 sends to p2 at
    /// 4 ms (arrives 6 ms).
    fn graph() -> Causality {
        use TraceKind::{Deliver, Send};
        let records = [
            rec(1, Send, 0, Some(1), 1),
            rec(3, Deliver, 1, Some(0), 1),
            rec(4, Send, 1, Some(2), 2),
            rec(5, Send, 0, Some(2), 3),
            rec(6, Deliver, 2, Some(1), 2),
            rec(9, Deliver, 2, Some(0), 3),
        ];
        Causality::new(&records, false)
    }

    fn spot(lane: usize, ms: u64) -> Spot {
        (lane, SimTime::from_ms(ms))
    }

    #[wasm_bindgen_test]
    fn the_keys_walk_lanes_and_pick_a_pair() {
        let c = graph();
        let a = start(&c).expect("events");
        assert_eq!(a, Pick { first: spot(2, 9), second: None }, "the newest first");
        // Up from p2 at 9 ms: p1's nearest is 4 ms; up again, p0's nearest to 4 ms is 5 ms.
        let up = across(&c, a, -1).expect("p1");
        assert_eq!(up.first, spot(1, 4));
        assert_eq!(across(&c, up, -1).expect("p0").first, spot(0, 5));
        assert_eq!(across(&c, a, 1), None, "nothing below the last lane");
        // Enter: p1's 4 ms stays as a, b is the one before it on p1's lane; Enter again: b alone.
        let pair = compare(&c, up);
        assert_eq!(pair, Pick { first: spot(1, 4), second: Some(spot(1, 3)) });
        let b_moved = across(&c, pair, 1).expect("b to p2");
        assert_eq!(b_moved, Pick { first: spot(1, 4), second: Some(spot(2, 6)) }, "the keys move b");
        assert_eq!(compare(&c, b_moved), Pick { first: spot(2, 6), second: None });
    }
}
