//! A picked event's light cones drawn over the space-time diagram: a veil fades everything (what
//! stays faded is concurrent with it), then its causal past is drawn solid in one accent, its
//! future as rings and dashed arrows in another, and the picked events ringed. Only the cones
//! are drawn, so a frame's cost is the past and future, not the run.

use super::paint::{Frame, AXIS, LEFT};
use super::pen::Pen;
use dsplay_core::sim::causality::{Causality, Cones};

/// The accents of a pick, readable on the light and the dark background: its past, its future,
/// the veil (the background colour) and the ring round a picked event (the text colour).
pub struct Accents {
    pub past: &'static str,
    pub future: &'static str,
    pub veil: &'static str,
    pub ring: &'static str,
}

/// Okabe–Ito vermilion and blue (sky blue on dark, where the deep blue sinks into it).
pub fn accents(dark: bool) -> Accents {
    if dark {
        Accents { past: "#f07b3f", future: "#56b4e9", veil: "#1d2026", ring: "#e6e8eb" }
    } else {
        Accents { past: "#d55e00", future: "#0072b2", veil: "#ffffff", ring: "#1d1f23" }
    }
}

/// How much the veil hides: concurrent events stay visible, well behind the cones.
const VEIL: f64 = 0.7;

/// Draw `cones` of the graph `c` (and a second picked event, ringed dashed) on the diagram
/// painted in `f`.
pub fn draw_cones(
    pen: &dyn Pen,
    f: &Frame,
    c: &Causality,
    cones: &Cones,
    second: Option<usize>,
    a: &Accents,
) {
    let at = |e: usize| (f.x(c.events[e].at.as_ms_f64()), f.y(c.events[e].lane));
    pen.save();
    pen.begin_path();
    pen.rect(LEFT, 0.0, f.w - LEFT, f.h - AXIS);
    pen.clip();
    pen.set_fill_style_str(a.veil);
    pen.set_global_alpha(VEIL);
    pen.fill_rect(LEFT, 0.0, f.w - LEFT, f.h - AXIS);
    pen.set_global_alpha(1.0);
    let picked = cones.picked;
    let in_past = |e: usize| cones.past[e] || e == picked;
    let in_future = |e: usize| cones.future[e] || e == picked;
    // Messages along which the past reached the pick, and the future spreads from it.
    let past_links = c.links.iter().filter(|l| cones.past[l.from] && in_past(l.to));
    let future_links = c.links.iter().filter(|l| in_future(l.from) && cones.future[l.to]);
    stroke(pen, past_links.map(|l| (at(l.from), at(l.to))), a.past, &[]);
    stroke(pen, future_links.map(|l| (at(l.from), at(l.to))), a.future, &[5.0, 3.0]);
    pen.set_fill_style_str(a.past);
    pen.begin_path();
    for e in (0..c.events.len()).filter(|&e| cones.past[e]) {
        let (x, y) = at(e);
        pen.circle(x, y, 4.0);
    }
    pen.fill();
    pen.set_stroke_style_str(a.future);
    pen.set_line_width(1.5);
    pen.begin_path();
    for e in (0..c.events.len()).filter(|&e| cones.future[e]) {
        let (x, y) = at(e);
        pen.circle(x, y, 4.5);
    }
    pen.stroke();
    ring(pen, at(picked), a.ring, &[]);
    if let Some(b) = second.filter(|&b| b < c.events.len()) {
        ring(pen, at(b), a.ring, &[3.0, 2.0]);
    }
    pen.restore();
}

fn stroke(pen: &dyn Pen, lines: impl Iterator<Item = ((f64, f64), (f64, f64))>, colour: &str, dash: &[f64]) {
    pen.set_stroke_style_str(colour);
    pen.set_line_width(2.0);
    pen.set_line_dash(dash);
    pen.begin_path();
    for ((x1, y1), (x2, y2)) in lines {
        pen.move_to(x1, y1);
        pen.line_to(x2, y2);
    }
    pen.stroke();
    pen.set_line_dash(&[]);
}

/// A picked event: a dot in `colour` inside a ring (dashed for the second).
fn ring(pen: &dyn Pen, (x, y): (f64, f64), colour: &str, dash: &[f64]) {
    pen.set_fill_style_str(colour);
    pen.begin_path();
    pen.circle(x, y, 3.0);
    pen.fill();
    pen.set_stroke_style_str(colour);
    pen.set_line_width(2.0);
    pen.set_line_dash(dash);
    pen.begin_path();
    pen.circle(x, y, 7.5);
    pen.stroke();
    pen.set_line_dash(&[]);
}
