//! Peers on a ring (Raft's servers, a CRDT's replicas), and room for their log strips.
//!
//! A log strip hangs under its node, below the label lines, and is drawn only where it clears
//! every other node's drawing (`log_strip::has_room`). On a plain circle with the first node at
//! the top, five Raft servers at 1280×800 left two strips out: n5's ran into n4's badge, n2's into
//! n3's, though d4-raft-partition's lesson asks the student to watch the cells under n5. So a ring
//! whose nodes keep a log tries the circle turned, stretched sideways and nudged up or down within
//! the room it has, and keeps the shape under which the most strips fit; among equals, the one
//! closest to the plain circle. Laid out once per stage size (the layout is cached).

use super::log_strip;
use std::f64::consts::{FRAC_PI_2, TAU};

/// An ellipse through the ring's nodes, the first node at the top turned clockwise by `turn`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ring {
    pub cx: f64,
    pub cy: f64,
    pub rx: f64,
    pub ry: f64,
    pub turn: f64,
}

impl Ring {
    /// A circle of radius `r` around (`cx`, `cy`), its first node at the top.
    pub fn circle(cx: f64, cy: f64, r: f64) -> Ring {
        Ring { cx, cy, rx: r, ry: r, turn: 0.0 }
    }

    /// Put `members` (node indices) on the ring, in order.
    pub fn place(&self, pos: &mut [(f64, f64)], members: &[usize]) {
        let k = members.len().max(1) as f64;
        for (j, &i) in members.iter().enumerate() {
            let a = -FRAC_PI_2 + self.turn + TAU * j as f64 / k;
            if let Some(p) = pos.get_mut(i) {
                *p = (self.cx + self.rx * a.cos(), self.cy + self.ry * a.sin());
            }
        }
    }

    /// How far from `plain` this ring is (turns count as much as 100 units a radian).
    fn change(&self, plain: &Ring) -> f64 {
        (self.rx - plain.rx).abs()
            + (self.ry - plain.ry).abs()
            + (self.cx - plain.cx).abs()
            + (self.cy - plain.cy).abs()
            + 100.0 * self.turn
    }
}

/// What the search may use: radii up to `max_rx` and `max_ry`, in a frame `w` × `h` that is
/// drawn turned on its side when `turned` (a portrait stage: x and y swap on screen).
#[derive(Clone, Copy, Debug)]
pub struct Room {
    pub max_rx: f64,
    pub max_ry: f64,
    pub w: f64,
    pub h: f64,
    pub turned: bool,
}

/// `plain`, or the turned, stretched or nudged ring under which the most of the `members`' log
/// strips fit, the other nodes staying where `pos` has them; `r` is the nodes' radius.
pub fn for_strips(pos: &[(f64, f64)], members: &[usize], plain: Ring, room: Room, r: f64) -> Ring {
    let k = members.len().max(1) as f64;
    let steps = |from: f64, to: f64, n: usize| {
        (0..n).map(move |s| from + (to - from).max(0.0) * s as f64 / (n - 1) as f64)
    };
    let mut scratch = pos.to_vec();
    let mut best = (score(&mut scratch, members, &plain, room, r), plain);
    for turn in (0..12).map(|s| TAU / k * s as f64 / 12.0) {
        for rx in steps(plain.rx, room.max_rx, 5) {
            for ry in steps(plain.ry, room.max_ry, 3) {
                for nudge in [-15.0, -10.0, -5.0, 0.0, 5.0, 10.0, 15.0] {
                    // Up or down on screen: along y, or along x in a frame drawn turned.
                    let (cx, cy) =
                        if room.turned { (plain.cx + nudge, plain.cy) } else { (plain.cx, plain.cy + nudge) };
                    let ring = Ring { cx, cy, rx, ry, turn };
                    let fit = score(&mut scratch, members, &ring, room, r);
                    if fit > best.0
                        || (fit == best.0 && fit.is_some() && ring.change(&plain) < best.1.change(&plain))
                    {
                        best = (fit, ring);
                    }
                }
            }
        }
    }
    best.1
}

/// How many of the members' strips fit under `ring` (`None` when a member or its strip would
/// leave the frame).
fn score(scratch: &mut [(f64, f64)], members: &[usize], ring: &Ring, room: Room, r: f64) -> Option<usize> {
    ring.place(scratch, members);
    let screen: Vec<(f64, f64)> =
        scratch.iter().map(|&(x, y)| if room.turned { (y, x) } else { (x, y) }).collect();
    let (w, h) = if room.turned { (room.h, room.w) } else { (room.w, room.h) };
    let top = r + log_strip::BELOW_CENTRE;
    let inside = members
        .iter()
        .filter_map(|&i| screen.get(i))
        .all(|&(x, y)| x >= 45.0 && x <= w - 45.0 && y >= r + 11.0 && y + top + log_strip::HEIGHT <= h);
    inside.then(|| members.iter().filter(|&&i| log_strip::has_room(&screen, i, r, top)).count())
}

#[cfg(test)]
mod tests {
    use super::{for_strips, Ring, Room};
    use crate::topology::log_strip::{has_room, BELOW_CENTRE};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn five_servers_at_a_laptops_stage_all_get_their_strips() {
        // d4's frame at 1280×800 (560×311, clients at x 124): the plain circle leaves two out.
        let mut pos =
            vec![(124.0, 100.0), (124.0, 200.0), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0)];
        let members = [2, 3, 4, 5, 6];
        let plain = Ring::circle(360.0, 149.5, 97.5);
        let strips = |pos: &[(f64, f64)]| {
            members.iter().filter(|&&i| has_room(pos, i, 28.0, 28.0 + BELOW_CENTRE)).count()
        };
        plain.place(&mut pos, &members);
        assert_eq!(strips(&pos), 3, "the plain circle");
        let room = Room { max_rx: 136.0, max_ry: 107.5, w: 560.0, h: 311.0, turned: false };
        let best = for_strips(&pos, &members, plain, room, 28.0);
        best.place(&mut pos, &members);
        assert_eq!(strips(&pos), 5, "{best:?}");
        assert!(pos.iter().all(|&(_, y)| y >= 39.0 && y + 28.0 + BELOW_CENTRE + 12.0 <= 311.0), "{pos:?}");
    }

    #[wasm_bindgen_test]
    fn a_ring_with_room_for_every_strip_stays_the_plain_circle() {
        let mut pos = vec![(0.0, 0.0); 3];
        let plain = Ring::circle(500.0, 300.0, 200.0);
        let room = Room { max_rx: 300.0, max_ry: 260.0, w: 1000.0, h: 640.0, turned: false };
        assert_eq!(for_strips(&pos, &[0, 1, 2], plain, room, 28.0), plain);
        plain.place(&mut pos, &[0, 1, 2]);
        assert!((pos[0].1 - 100.0).abs() < 1e-9, "the first node on top");
    }
}
