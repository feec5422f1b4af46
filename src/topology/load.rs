//! A server's load as samwho draws one: a slot per worker round its rim, filled while busy; its
//! queue as a pile of requests beside it, amber as it fills and red once it turns requests away;
//! and a rate limiter's bucket for each client on the link toward that client, its level moving
//! between requests at the bucket's rate (or, for a window, falling as counted requests leave it),
//! rimmed red while that client is turned away.

use super::layout::Layout;
use super::route::{route, Route};
use dsplay_core::view::{Gauge, NodeState, Work};
use dsplay_core::SimTime;
use std::f64::consts::TAU;
use yew::prelude::*;

/// Past this many workers the ring is one arc, busy over all, not a slot each.
const SLOTS_MAX: u32 = 24;
/// One queued request in the pile: its height and the step to the next one up.
const ITEM_H: f64 = 3.0;
const ITEM_STEP: f64 = 4.5;

/// The worker ring and the queue pile of a node of radius `r`.
pub fn work(w: &Work, r: f64) -> Html {
    html! { <g class="work">{slots(w, r)}{pile(w, r)}</g> }
}

/// A dash pattern that draws the first `busy` of `workers` equal slots round a circle of
/// circumference `around`, each `gap` short of its share.
fn busy_dashes(busy: u32, workers: u32, around: f64, gap: f64) -> String {
    let share = around / workers.max(1) as f64;
    let mut s: String = (0..busy).map(|_| format!("{:.2} {gap:.2} ", share - gap)).collect();
    s.push_str(&format!("0 {around:.2}"));
    s
}

fn slots(w: &Work, r: f64) -> Html {
    if w.workers == 0 {
        return html! {};
    }
    let ring = r + 4.0;
    let around = TAU * ring;
    let (idle, busy) = if w.workers > SLOTS_MAX {
        let done = around * (w.busy.min(w.workers) as f64 / w.workers as f64);
        ("none".to_string(), format!("{done:.2} {around:.2}"))
    } else {
        let gap = if w.workers == 1 { 0.0 } else { 2.5 };
        let idle = busy_dashes(w.workers, w.workers, around, gap);
        (idle, busy_dashes(w.busy.min(w.workers), w.workers, around, gap))
    };
    let title = format!("{} of {} workers busy", w.busy, w.workers);
    html! {
        <g class="slots" transform="rotate(-90)"><title>{title}</title>
            <circle class="slot-idle" r={format!("{ring:.1}")} stroke-dasharray={idle} />
            if w.busy > 0 { <circle class="slot-busy" r={format!("{ring:.1}")} stroke-dasharray={busy} /> }
        </g>
    }
}

/// How full a queue is, for its colour: `full` once it turns requests away, `filling` from
/// three quarters.
fn fullness(w: &Work) -> Option<&'static str> {
    let cap = w.queue_cap?;
    if w.queued >= cap {
        Some("full")
    } else {
        (w.queued as u64 * 4 >= cap as u64 * 3).then_some("filling")
    }
}

fn pile(w: &Work, r: f64) -> Html {
    if w.queued == 0 {
        return html! {};
    }
    // As high as the node, from its bottom; a longer queue says its length on top.
    let room = ((2.0 * r) / ITEM_STEP).floor().max(1.0) as u32;
    let shown = w.queued.min(room);
    let x = r + 7.0;
    let items = (0..shown).map(|k| {
        let y = r - ITEM_H - k as f64 * ITEM_STEP;
        html! { <rect x={format!("{x:.1}")} y={format!("{y:.1}")} width="9" height={ITEM_H.to_string()} rx="1" /> }
    });
    let top = r - shown as f64 * ITEM_STEP - 3.0;
    let cap = w.queue_cap.filter(|&c| c < 100_000).map_or(String::new(), |c| format!(" of {c}"));
    let title = format!("{} queued{cap}", w.queued);
    html! {
        <g class={classes!("pile", fullness(w))}><title>{title}</title>
            {for items}
            if w.queued > shown {
                <text x={format!("{:.1}", x + 4.5)} y={format!("{top:.1}")}>{w.queued}</text>
            }
        </g>
    }
}

/// A node's gauges: a bucket for another node (`of`) on the link toward it, just outside the rim;
/// the node's own beside its left side, among the nodes of `lay`. `name` names the node of an id.
pub fn gauges(
    n: &NodeState,
    at: (f64, f64),
    lay: &Layout,
    now: SimTime,
    name: &dyn Fn(usize) -> String,
) -> Html {
    let drawn = n.view.gauges.iter().zip(gauge_spots(n, at, lay)).filter_map(|(g, spot)| {
        let whose = g.of.map_or_else(String::new, |of| format!(" for {}", name(of.index())));
        Some(bucket(g, spot?, now, &whose))
    });
    html! { <g class="gauges">{for drawn}</g> }
}

/// Where each of node `n`'s gauges sits (at `(x, y)` in `lay`), from its centre: a bucket for
/// another node on the link toward it as the link is drawn (one bowed round a node in its way
/// leaves at an angle: t6's c2, behind c4, had its bucket under c4's), its own beside its left
/// side; `None` for another node that has no place.
pub fn gauge_spots(n: &NodeState, (x, y): (f64, f64), lay: &Layout) -> Vec<Option<(f64, f64)>> {
    let (pos, r) = (&lay.pos, lay.r);
    // Each bucket's link, routed once (a route looks at every node).
    let links: Vec<Option<Route>> =
        n.view.gauges.iter().map(|g| route(pos, r, lay.frame, n.id, g.of?)).collect();
    let length = |way: &Route| ((way.b.0 - x).powi(2) + (way.b.1 - y).powi(2)).sqrt().max(1.0);
    let dir = |way: &Route| {
        let (ux, uy) = way.leaving();
        (ux, uy, length(way))
    };
    let dirs: Vec<(f64, f64, f64)> = links.iter().flatten().map(dir).collect();
    let reach = reach(&dirs, r);
    // Where links leave close together and one is short (t6's c4), the common distance is not
    // enough: a bucket that would touch one already placed moves out along its link, up to
    // half-way.
    let mut placed: Vec<(f64, f64)> = Vec::new();
    let mut own = 0.0;
    let mut spot = |(g, link): (&Gauge, &Option<Route>)| match (g.of, link) {
        (Some(_), Some(way)) => {
            let half = length(way) / 2.0;
            let clear = |p: (f64, f64)| placed.iter().all(|q| !touching(p, *q));
            let mut d = reach;
            while d + 4.0 <= half && !clear(way.at_distance(d)) {
                d += 4.0;
            }
            let (px, py) = way.at_distance(d);
            placed.push((px, py));
            Some((px - x, py - y))
        }
        (Some(_), None) => None,
        (None, _) => {
            own += 14.0;
            Some((-r - own, 0.0))
        }
    };
    n.view.gauges.iter().zip(&links).map(&mut spot).collect()
}

/// Whether buckets centred at `a` and `b` would touch (a little room kept round each).
fn touching(a: (f64, f64), b: (f64, f64)) -> bool {
    (a.0 - b.0).abs() < BUCKET_W + 2.0 && (a.1 - b.1).abs() < BUCKET_H + 2.0
}

/// How far out along their links a node's buckets sit (`dirs`: unit vectors and link lengths):
/// just outside the rim, or further where two links leave at a narrow angle, so that neighbours
/// are [`BUCKETS_APART`] apart (a bucket is taller than wide, and links to a column of clients
/// fan out vertically); never past a third of the shortest link.
fn reach(dirs: &[(f64, f64, f64)], r: f64) -> f64 {
    let near = r + 16.0;
    let mut apart = near;
    for (i, a) in dirs.iter().enumerate() {
        for b in &dirs[..i] {
            // The distance between the two points at 1 from the centre along each link.
            let gap = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt().max(1e-3);
            apart = apart.max(BUCKETS_APART / gap);
        }
    }
    let shortest = dirs.iter().map(|d| d.2).fold(f64::INFINITY, f64::min);
    apart.min((shortest / 3.0).max(near))
}

/// A bucket's size, and the distance kept between the centres of two.
const BUCKET_W: f64 = 8.0;
const BUCKET_H: f64 = 18.0;
const BUCKETS_APART: f64 = BUCKET_H + 6.0;

/// One bucket, 8 × 18, centred at `(cx, cy)`, filled from the bottom to its level at `now`.
fn bucket(g: &Gauge, (cx, cy): (f64, f64), now: SimTime, whose: &str) -> Html {
    let level = g.level_at(now);
    let share = if g.max > 0.0 { level / g.max } else { 0.0 };
    let (w, h) = (BUCKET_W, BUCKET_H);
    let (x, y) = (cx - w / 2.0, cy - h / 2.0);
    let fill = h * share;
    let title = match g.per_s {
        // A window counts whole requests, and they leave in steps.
        0.0 => format!("{}{whose}: {level:.0} of {:.0}", g.label, g.max),
        r if r > 0.0 => format!("{}{whose}: {level:.1} of {:.0} (+{r:.0} a second)", g.label, g.max),
        r => format!("{}{whose}: {level:.1} of {:.0} ({r:.0} a second)", g.label, g.max),
    };
    html! {
        <g class={classes!("bucket", g.says_no_at(now).then_some("refusing"))}><title>{title}</title>
            <rect class="bucket-rim" x={format!("{x:.1}")} y={format!("{y:.1}")} width={w.to_string()}
                height={h.to_string()} rx="1.5" />
            <rect class="bucket-level" x={format!("{x:.1}")} y={format!("{:.1}", y + h - fill)}
                width={w.to_string()} height={format!("{fill:.1}")} rx="1.5" />
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn busy_slots_are_the_first_of_equal_shares() {
        // Four slots round a circumference of 40: shares of 10, each 2 short.
        assert_eq!(busy_dashes(2, 4, 40.0, 2.0), "8.00 2.00 8.00 2.00 0 40.00");
        assert_eq!(busy_dashes(0, 4, 40.0, 2.0), "0 40.00");
    }

    #[wasm_bindgen_test]
    fn buckets_on_links_at_a_narrow_angle_sit_further_out_but_within_a_third_of_the_link() {
        // Two links 90° apart: just outside the rim of 20.
        assert_eq!(reach(&[(1.0, 0.0, 300.0), (0.0, 1.0, 300.0)], 20.0), 36.0);
        // 0.1 apart at unit distance: 24 / 0.1 = 240, but a third of 300 is 100.
        let narrow = [(1.0, 0.0, 300.0), (0.995, 0.0999, 300.0)];
        assert!((reach(&narrow, 20.0) - 100.0).abs() < 1e-9);
        // 0.2 apart: 120, within a third of 600.
        let wider = [(1.0, 0.0, 600.0), (0.98, 0.199, 600.0)];
        let at = reach(&wider, 20.0);
        assert!((at - 24.0 / 0.2).abs() < 1.0, "{at}");
    }

    #[wasm_bindgen_test]
    fn a_queue_turns_amber_at_three_quarters_and_red_when_full() {
        let w = |queued, cap| Work { busy: 1, workers: 1, queued, queue_cap: cap };
        assert_eq!(fullness(&w(5, Some(10))), None);
        assert_eq!(fullness(&w(8, Some(10))), Some("filling"));
        assert_eq!(fullness(&w(10, Some(10))), Some("full"));
        assert_eq!(fullness(&w(500, None)), None, "no limit, never full");
    }
}
