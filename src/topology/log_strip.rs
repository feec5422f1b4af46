//! A replicated log under its node, as RaftScope draws it: one cell per entry with the entry's
//! term in it, solid once committed, hollow before, dashed where this node has no entry yet. All
//! strips show the same indices (the newest [`CELLS`] across the nodes), so a follower that lags,
//! or a restarted leader with entries from an old term, stands out from its neighbours.

use dsplay_core::view::{LogTail, WorldView};
use yew::prelude::*;

/// Cells per strip.
pub const CELLS: u64 = 6;
/// A cell's side and the step from one cell to the next.
const SIDE: f64 = 12.0;
const STEP: f64 = 14.0;
/// The strip's height below its top (the partition cut keeps clear of it).
pub const HEIGHT: f64 = SIDE;
/// The strip's top below its node's rim: under the label lines.
pub const BELOW_CENTRE: f64 = 31.0;

/// The indices every strip shows: the newest [`CELLS`] of the longest log, or the first ones
/// while the logs are shorter. `None` when no node publishes a log.
pub fn window(view: &WorldView) -> Option<(u64, u64)> {
    let newest = view.nodes.iter().filter_map(|n| n.view.log.as_ref()).map(LogTail::last).max()?;
    let first = newest.saturating_sub(CELLS - 1).max(1);
    Some((first, first + CELLS - 1))
}

/// Whether node `i`'s strip, its top `top` below the node's centre, clears every other node's
/// drawing (its shape, a badge on its rim, its two label lines, about 50 units either side). The
/// layout keeps room for a node and its labels, not for a strip: with 9 Raft servers on a ring,
/// strips ran into the next server's badge and labels, so there only the inspector and the
/// node's description tell the log.
/// Two strips side by side (nodes in a row) must not touch either.
pub fn has_room(pos: &[(f64, f64)], i: usize, r: f64, top: f64) -> bool {
    let Some(&(x, y)) = pos.get(i) else { return false };
    let (from, to) = (y + top, y + top + HEIGHT);
    pos.iter().enumerate().all(|(j, &(u, v))| {
        let clear_of_body = (u - x).abs() >= HALF + 50.0 || v - r - 14.0 >= to || v + r + 30.0 <= from;
        let clear_of_strip = (u - x).abs() >= 2.0 * HALF + 4.0 || (v - y).abs() >= HEIGHT;
        j == i || (clear_of_body && clear_of_strip)
    })
}

/// Half a strip's width.
const HALF: f64 = STEP * CELLS as f64 / 2.0;

/// The width free right of node `i`'s strip for its "ends at …" note: up to the next drawing at
/// the strip's height, a neighbour's strip or its shape and labels (about 50 either side of its
/// centre). In a small embed d4's n4 said "empty" over n3's strip beside it.
pub fn room_right(pos: &[(f64, f64)], i: usize, r: f64, top: f64) -> f64 {
    let Some(&(x, y)) = pos.get(i) else { return 0.0 };
    let (from, to) = (y + top, y + top + HEIGHT);
    let edges = pos.iter().enumerate().filter(|&(j, &(u, _))| j != i && u > x).filter_map(|(_, &(u, v))| {
        if (v - y).abs() < HEIGHT {
            Some(u - HALF)
        } else {
            (v - r - 14.0 < to && v + r + 30.0 > from).then_some(u - 50.0)
        }
    });
    edges.fold(f64::INFINITY, f64::min) - (x + HALF) - 4.0
}

/// About how wide the "ends at …" note is (9 px text).
fn note_width(note: &str) -> f64 {
    5.2 * note.chars().count() as f64
}

/// What a strip says in words (its tooltip and the node's description).
pub fn describe(tail: &LogTail) -> String {
    match tail.last() {
        0 => "log empty".to_string(),
        last => format!(
            "log: {last} entries, last in term {}, committed through {}",
            last_term(tail),
            tail.commit
        ),
    }
}

fn last_term(tail: &LogTail) -> u64 {
    tail.terms.last().copied().unwrap_or(0)
}

/// `tail`'s cells for the indices `first..=last`, centred under the node with their tops at `top`.
/// A log that ends before them (a server cut off or down while the others went on) shows its own
/// newest entries instead, and says where it ends: hollow cells of an old term are what a stale
/// leader accepted and never committed.
pub fn strip(tail: &LogTail, (first, last): (u64, u64), top: f64, room: f64) -> Html {
    let behind = tail.last() < first;
    let own = tail.last().saturating_sub(CELLS - 1).max(1);
    let (first, last) = if behind && tail.last() > 0 { (own, own + CELLS - 1) } else { (first, last) };
    let width = STEP * (last - first) as f64 + SIDE;
    let cells = (first..=last).enumerate().map(|(k, index)| {
        let x = -width / 2.0 + STEP * k as f64;
        let (term, committed) = (tail.term(index), index <= tail.commit);
        let class = match term {
            None => classes!("cell", "missing"),
            Some(t) => classes!("cell", format!("term-{}", t % 6), committed.then_some("committed")),
        };
        html! { <g {class} transform={format!("translate({x:.1} {top:.1})")}>
            <rect width={SIDE.to_string()} height={SIDE.to_string()} rx="2" />
            if let Some(t) = term { <text x={(SIDE / 2.0).to_string()} y="9">{t}</text> }
        </g> }
    });
    // Where it does not fit the tooltip says it (`describe`).
    let note = if tail.last() == 0 { "empty".to_string() } else { format!("ends at {}", tail.last()) };
    let ends = (behind && note_width(&note) <= room + HALF - width / 2.0).then(|| {
        html! { <text class="ends" x={format!("{:.1}", width / 2.0 + 4.0)} y={format!("{:.1}", top + 9.0)}>
        {note}</text> }
    });
    html! {
        <g class="log-strip"><title>{format!("{}; showing entries {first}–{last}", describe(tail))}</title>
            {for cells}{for ends}</g>
    }
}

#[cfg(test)]
mod tests {
    use super::{describe, has_room, room_right, CELLS};
    use dsplay_core::view::LogTail;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_strip_is_drawn_only_clear_of_its_neighbours() {
        // Five servers on a wide ring: room under each. A neighbour just below and beside: none.
        let ring = [(500.0, 100.0), (700.0, 250.0), (300.0, 250.0)];
        assert!((0..3).all(|i| has_room(&ring, i, 22.0, 53.0)));
        let crowded = [(575.0, 178.0), (558.0, 272.0)];
        assert!(!has_room(&crowded, 0, 22.0, 53.0) && has_room(&crowded, 1, 22.0, 53.0));
        // Two in a row: their strips (84 wide) clear each other 100 apart, not 80 apart.
        assert!(has_room(&[(0.0, 0.0), (100.0, 0.0)], 0, 22.0, 53.0));
        assert!(!has_room(&[(0.0, 0.0), (80.0, 0.0)], 0, 22.0, 53.0));
    }

    #[wasm_bindgen_test]
    fn a_strips_note_gets_the_room_up_to_its_right_neighbour() {
        // d4 in a small embed: n4 and n3 in a row 110 apart; 'empty' (about 26 wide) ran onto
        // n3's strip, which starts 110 - 42 = 68 right of n4, 26 past n4's strip's end.
        let row = [(0.0, 0.0), (110.0, 0.0)];
        assert!((room_right(&row, 0, 28.0, 59.0) - 22.0).abs() < 1e-9);
        assert!(room_right(&row, 1, 28.0, 59.0).is_infinite(), "nothing right of n3");
        // A node far above or below takes none of it.
        assert!(room_right(&[(0.0, 0.0), (60.0, 300.0)], 0, 28.0, 59.0).is_infinite());
    }

    #[wasm_bindgen_test]
    fn a_strip_says_its_log_in_words() {
        assert_eq!(describe(&LogTail::of(0, 0, |_| 0)), "log empty");
        let tail = LogTail::of(12, 10, |i| if i > 9 { 2 } else { 1 });
        assert_eq!(describe(&tail), "log: 12 entries, last in term 2, committed through 10");
        assert!(CELLS as usize <= LogTail::LEN, "strips line up on entries nodes publish");
    }
}
