//! The path a link is drawn along. Straight, unless a third node stands in the way: in d10 the
//! four regions' replicas sit in a row, and a message from Africa to Asia flew straight through
//! Europe's and the US's nodes, as if it passed them by. Such a link bows around them (a quadratic
//! curve, to the side with more room, labels counted), and its messages, streaks and drops follow the curve.

use super::layout::Frame;
use dsplay_core::NodeId;

/// How far to the right of its link's curve a message travels, so the two directions of a link
/// do not overlap.
const SIDE: f64 = 3.5;

/// A link from `a` to `b`, bent towards the control point `c` (the midpoint when straight).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Route {
    pub a: (f64, f64),
    pub b: (f64, f64),
    pub c: (f64, f64),
    /// The node radius: messages leave and arrive at a node's rim, not its centre.
    r: f64,
}

/// Distance from `o` to the segment `p`–`q`, if `o` lies alongside it (not beyond either end).
fn beside(o: (f64, f64), p: (f64, f64), q: (f64, f64)) -> Option<f64> {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let len2 = dx * dx + dy * dy;
    let u = ((o.0 - p.0) * dx + (o.1 - p.1) * dy) / len2.max(1e-9);
    (u > 0.0 && u < 1.0).then(|| ((o.0 - p.0 - u * dx).powi(2) + (o.1 - p.1 - u * dy).powi(2)).sqrt())
}

/// How far from `p` along the unit direction `d` a point stays `margin` inside `frame`.
fn reach(p: (f64, f64), d: (f64, f64), frame: Frame, margin: f64) -> f64 {
    let axis = |at: f64, d: f64, size: f64| match d {
        d if d > 1e-9 => (size - margin - at) / d,
        d if d < -1e-9 => (margin - at) / d,
        _ => f64::INFINITY,
    };
    axis(p.0, d.0, frame.w).min(axis(p.1, d.1, frame.h)).max(0.0)
}

/// The route of the link `from` → `to` among nodes at `pos` (radius `r`) in `frame`. Both
/// directions of a link share one curve.
pub fn route(pos: &[(f64, f64)], r: f64, frame: Frame, from: NodeId, to: NodeId) -> Option<Route> {
    let (a, b) = (*pos.get(from.index())?, *pos.get(to.index())?);
    let (lo, hi) = if from.0 <= to.0 { (from, to) } else { (to, from) };
    let (p, q) = (pos[lo.index()], pos[hi.index()]);
    let mid = ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0);
    let len = ((q.0 - p.0).powi(2) + (q.1 - p.1).powi(2)).sqrt();
    let others = || pos.iter().enumerate().filter(move |(i, _)| *i != lo.index() && *i != hi.index());
    let blocked = len > 1e-6 && others().any(|(_, &o)| beside(o, p, q).is_some_and(|d| d < 1.3 * r));
    if !blocked {
        return Some(Route { a, b, c: mid, r });
    }
    // The control point sits twice as far out as the curve's apex.
    let n = (-(q.1 - p.1) / len, (q.0 - p.0) / len);
    let off = (0.3 * len).max(3.5 * r);
    // Room: how far the apex stays from other nodes and from their labels (set under them).
    let room = |side: f64| {
        let apex = (mid.0 + n.0 * off * side / 2.0, mid.1 + n.1 * off * side / 2.0);
        let d2 = |x: f64, y: f64| (x - apex.0).powi(2) + (y - apex.1).powi(2);
        others().map(|(_, o)| d2(o.0, o.1).min(d2(o.0, o.1 + 1.6 * r))).fold(f64::INFINITY, f64::min)
    };
    // The apex stays inside the frame: in a short, wide stage a long link bowed past its top or
    // bottom edge and looked cut off (review 30 C6). The side that keeps the whole bow in wins.
    let fits = |side: f64| 2.0 * reach(mid, (n.0 * side, n.1 * side), frame, r);
    let side = match (fits(1.0) >= off, fits(-1.0) >= off) {
        (true, true) if room(1.0) < room(-1.0) => -1.0,
        (true, _) => 1.0,
        (false, true) => -1.0,
        (false, false) if fits(1.0) < fits(-1.0) => -1.0,
        (false, false) => 1.0,
    };
    let off = off.min(fits(side));
    Some(Route { a, b, c: (mid.0 + n.0 * off * side, mid.1 + n.1 * off * side), r })
}

impl Route {
    /// The curve's point and direction at `u` (0 at `a`, 1 at `b`).
    fn at(&self, u: f64) -> ((f64, f64), (f64, f64)) {
        let (a, b, c, v) = (self.a, self.b, self.c, 1.0 - u);
        let p =
            (v * v * a.0 + 2.0 * v * u * c.0 + u * u * b.0, v * v * a.1 + 2.0 * v * u * c.1 + u * u * b.1);
        let d =
            (2.0 * v * (c.0 - a.0) + 2.0 * u * (b.0 - c.0), 2.0 * v * (c.1 - a.1) + 2.0 * u * (b.1 - c.1));
        (p, d)
    }

    /// The point a share `t` (0–1) of the way from the sender's rim to the receiver's, [`SIDE`] to
    /// the right of the way it goes.
    pub fn point(&self, t: f64) -> (f64, f64) {
        self.point_beside(t, SIDE)
    }

    /// [`Route::point`], `side` to the right of the curve instead of [`SIDE`].
    fn point_beside(&self, t: f64, side: f64) -> (f64, f64) {
        let len = ((self.b.0 - self.a.0).powi(2) + (self.b.1 - self.a.1).powi(2)).sqrt().max(1e-6);
        let inset = (self.r / len).min(0.5);
        let ((x, y), (dx, dy)) = self.at(inset + (1.0 - 2.0 * inset) * t);
        let dl = (dx * dx + dy * dy).sqrt().max(1e-6);
        (x - dy / dl * side, y + dx / dl * side)
    }

    /// The way the route leaves `a` (its tangent there), as a unit vector.
    pub fn leaving(&self) -> (f64, f64) {
        let (_, (dx, dy)) = self.at(0.0);
        let dl = (dx * dx + dy * dy).sqrt().max(1e-9);
        (dx / dl, dy / dl)
    }

    /// The point on the curve `d` from `a` (as the crow flies), on the half of it nearer `a`.
    pub fn at_distance(&self, d: f64) -> (f64, f64) {
        let from_a = |u: f64| {
            let ((x, y), _) = self.at(u);
            ((x - self.a.0).powi(2) + (y - self.a.1).powi(2)).sqrt()
        };
        let (mut lo, mut hi) = (0.0, 0.5);
        for _ in 0..24 {
            let mid = (lo + hi) / 2.0;
            if from_a(mid) < d {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        self.at(lo).0
    }

    /// Whether the route bows around a node in its way.
    pub fn bowed(&self) -> bool {
        let mid = ((self.a.0 + self.b.0) / 2.0, (self.a.1 + self.b.1) / 2.0);
        (self.c.0 - mid.0).abs() + (self.c.1 - mid.1).abs() > 1e-6
    }

    /// Trace the route, centre to centre, onto `ctx`'s current path.
    pub fn trace(&self, ctx: &web_sys::CanvasRenderingContext2d) {
        ctx.move_to(self.a.0, self.a.1);
        ctx.quadratic_curve_to(self.c.0, self.c.1, self.b.0, self.b.1);
    }

    /// Trace the part a message travels (rim to rim, to its side) onto `ctx`'s path, moved `shift`
    /// further to the right (one of several hairlines that make a wider line).
    pub fn trace_travel(&self, ctx: &web_sys::CanvasRenderingContext2d, shift: f64) {
        let start = self.point_beside(0.0, SIDE + shift);
        ctx.move_to(start.0, start.1);
        let steps = if self.bowed() { 16 } else { 1 };
        for i in 1..=steps {
            let p = self.point_beside(i as f64 / steps as f64, SIDE + shift);
            ctx.line_to(p.0, p.1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_link_bows_around_a_node_in_its_way_and_stays_straight_otherwise() {
        // Four in a row (d10's replicas), and one above the second.
        let pos = [(0.0, 100.0), (100.0, 100.0), (200.0, 100.0), (300.0, 100.0), (100.0, 20.0)];
        let r = 20.0;
        const FRAME: Frame = Frame { w: 400.0, h: 300.0 };
        let near = route(&pos, r, FRAME, NodeId(0), NodeId(1)).expect("route");
        assert!(!near.bowed(), "neighbours are joined straight");
        assert_eq!(near.point(0.5), (50.0, 103.5), "halfway, 3.5 to the right of the way");
        let far = route(&pos, r, FRAME, NodeId(0), NodeId(3)).expect("route");
        assert!(far.bowed());
        // The curve clears the nodes it passes by a radius or more, on the side with room (below:
        // node 4 is above, and its label under it).
        for (i, t) in [(1usize, 1.0 / 3.0), (2, 2.0 / 3.0)] {
            let p = far.point(t);
            let d = ((p.0 - pos[i].0).powi(2) + (p.1 - pos[i].1).powi(2)).sqrt();
            assert!(d > r && p.1 > pos[i].1, "clear of node {i}: {p:?}");
        }
        let back = route(&pos, r, FRAME, NodeId(3), NodeId(0)).expect("route");
        assert_eq!(back.c, far.c, "both directions share one curve");
        let start = far.point(0.0);
        let from_centre = (start.0.powi(2) + (start.1 - 100.0).powi(2)).sqrt();
        assert!((r..r + 4.0).contains(&from_centre), "leaves at the rim: {start:?}");
    }

    #[wasm_bindgen_test]
    fn a_bow_stays_inside_the_frame() {
        // A row near the top of the stage, a node below the middle: the side with more room from
        // the nodes is up, off the stage (review 30 C6); the bow goes down, where it fits.
        let (pos, r) = ([(100.0, 40.0), (500.0, 40.0), (900.0, 40.0), (500.0, 120.0)], 10.0);
        let inside = |way: &Route, frame: Frame| {
            (0..=20)
                .map(|i| way.point(f64::from(i) / 20.0))
                .all(|(x, y)| (0.0..=frame.w).contains(&x) && (0.0..=frame.h).contains(&y))
        };
        let tall = Frame { w: 1000.0, h: 400.0 };
        let down = route(&pos, r, tall, NodeId(0), NodeId(2)).expect("route");
        assert!(down.bowed() && down.c.1 > 40.0 && inside(&down, tall), "{down:?}");
        // No room for the whole bow either way: the roomier side, as far as the frame lets it.
        let strip = Frame { w: 1000.0, h: 140.0 };
        let flat = route(&pos, r, strip, NodeId(0), NodeId(2)).expect("route");
        assert!(flat.bowed() && inside(&flat, strip), "{flat:?}");
    }
}
