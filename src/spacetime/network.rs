//! Faults of the whole network on the space-time diagram: a partition, a one-way block, the heal,
//! links reset, a surge. They belong to no node's lane (review 24 B1: a partition was a red dot on
//! p1's lane, read as an event of p1's), so each is a dashed line across every lane with its word
//! at the foot, and while the network is cut a faint band lies over the lanes, as a crashed node's
//! lane is shaded.

use super::paint::{Frame, AXIS, LEFT};
use super::pen::Pen;
use dsplay_core::sim::trace::TraceEvent;

const CUT: &str = "#d62828";

/// A fault drawn across the lanes: its x and what it says (for the hover).
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub x: f64,
    pub t_ms: f64,
    pub text: String,
}

/// Whether a fault labelled `label` leaves the network cut (some pairs of nodes cannot talk),
/// ends a cut, or neither.
fn cuts(label: &str) -> Option<bool> {
    match label {
        "partition" | "block" => Some(true),
        "heal" => Some(false),
        _ => None,
    }
}

/// The stretches of `[t0, now]` when the network was cut, from the network faults in the window
/// (`faults`, in time order) and whether it is cut at `now`. Before the window's first cut or
/// heal the state is the one that fault ends: cut before a heal, whole before a partition.
pub fn cut_spans(faults: &[(f64, &str)], cut_now: bool, t0: f64, now: f64) -> Vec<(f64, f64)> {
    let changes: Vec<(f64, bool)> = faults.iter().filter_map(|&(t, l)| cuts(l).map(|c| (t, c))).collect();
    let mut cut = match changes.first() {
        Some(&(_, c)) => !c,
        None => cut_now,
    };
    let (mut from, mut out) = (t0, Vec::new());
    for (t, c) in changes {
        if cut {
            out.push((from, t));
        }
        (cut, from) = (c, t);
    }
    if cut && now > from {
        out.push((from, now));
    }
    out.retain(|(a, b)| b > a);
    out
}

/// Draw the bands and lines of the network faults `faults` (in the window, in time order).
pub fn draw(pen: &dyn Pen, f: &Frame, faults: &[&TraceEvent], cut_now: bool, now: f64) -> Vec<Line> {
    let bottom = f.h - AXIS;
    let at: Vec<(f64, &str)> = faults.iter().map(|r| (r.at.as_ms_f64(), r.label)).collect();
    pen.set_fill_style_str("rgba(214, 40, 40, 0.07)");
    for (a, b) in cut_spans(&at, cut_now, f.t0, now) {
        let (x1, x2) = (f.x(a).max(LEFT), f.x(b));
        pen.fill_rect(x1, 0.0, (x2 - x1).max(1.0), bottom);
    }
    let mut out = Vec::with_capacity(faults.len());
    pen.set_stroke_style_str(CUT);
    pen.set_line_width(1.0);
    pen.set_line_dash(&[3.0, 3.0]);
    for r in faults {
        let (t, text) = (r.at.as_ms_f64(), r.text.as_deref().unwrap_or(r.label));
        let x = f.x(t);
        pen.begin_path();
        pen.move_to(x, 0.0);
        pen.line_to(x, bottom);
        pen.stroke();
        out.push(Line { x, t_ms: t, text: text.to_string() });
    }
    pen.set_line_dash(&[]);
    // The words just over the time axis (the top right is the cap note's), right of the line
    // (left of it near the right edge); a word that would run into the one before is left to the
    // hover ('partition' and 'heal' 300 ms apart in a 30 s window read 'healtion': review 28 C3).
    pen.set_fill_style_str(CUT);
    let mut free_from = f64::MIN;
    for l in &out {
        let word = l.text.split_whitespace().next().unwrap_or("");
        let w = pen.measure(word);
        let x = if l.x + 3.0 + w > f.w - 8.0 { l.x - 3.0 - w } else { l.x + 3.0 };
        if x >= free_from {
            pen.fill_text(word, x, bottom - 3.0, None);
            free_from = x + w + 4.0;
        }
    }
    out
}

/// The line within `max_d` px of `x`, the nearest.
pub fn nearest(lines: &[Line], x: f64, max_d: f64) -> Option<&Line> {
    lines
        .iter()
        .filter(|l| (l.x - x).abs() <= max_d)
        .min_by(|a, b| (a.x - x).abs().total_cmp(&(b.x - x).abs()))
}

#[cfg(test)]
mod tests {
    use super::cut_spans;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_network_is_cut_between_a_partition_and_its_heal() {
        // Partition at 600, heal at 900, window 0–1000, whole now.
        assert_eq!(cut_spans(&[(600.0, "partition"), (900.0, "heal")], false, 0.0, 1000.0), [(600.0, 900.0)]);
        // Still cut at the playhead.
        assert_eq!(cut_spans(&[(600.0, "partition")], true, 0.0, 800.0), [(600.0, 800.0)]);
        // Cut since before the window: its heal is the first change in it.
        assert_eq!(cut_spans(&[(300.0, "heal")], false, 100.0, 500.0), [(100.0, 300.0)]);
        // Cut all through the window, no change in it.
        assert_eq!(cut_spans(&[], true, 100.0, 500.0), [(100.0, 500.0)]);
        // A second partition replaces the first: one band, unbroken. A surge changes nothing.
        let faults = [(100.0, "partition"), (200.0, "surge"), (300.0, "partition"), (400.0, "heal")];
        assert_eq!(cut_spans(&faults, false, 0.0, 500.0), [(100.0, 300.0), (300.0, 400.0)]);
        assert!(cut_spans(&[(200.0, "reset_links")], false, 0.0, 500.0).is_empty());
    }
}
