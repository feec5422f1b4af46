//! The colour key an exported space-time diagram carries under its lanes: each message kind this
//! run sends in its colour, a lost message's ✕, and what the dots are. On screen the topology's
//! legend says this; a PNG or SVG on a slide had no key at all (review 47 B6).

use super::paint::{dot_colour, DROP};
use super::pen::Pen;
use crate::topology::particles::{palette, KindColours};
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::sim::Simulation;

/// One row's height, and the room a swatch and its gap take before the text.
const ROW: f64 = 16.0;
const SWATCH: f64 = 18.0;
const GAP: f64 = 12.0;
const MARGIN: f64 = 4.0;

/// How an entry of the key is drawn before its name.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Swatch {
    /// A message's arrow.
    Line(&'static str),
    /// A lost message's end.
    Cross,
    /// A dot on a lane.
    Dot(&'static str),
}

/// The key's entries: the kinds this run's nodes send (the legend's list and order), then the
/// lost message's ✕ and the dots.
pub fn entries(sim: &dyn Simulation, dark: bool) -> Vec<(Swatch, String)> {
    let hues = KindColours::new(sim.message_kinds(), sim.sendable_kinds());
    let hexes = palette(dark);
    let mut out: Vec<(Swatch, String)> =
        sim.sendable_kinds().iter().map(|k| (Swatch::Line(hexes[hues.of(k)]), (*k).to_string())).collect();
    out.push((Swatch::Cross, "lost".into()));
    for (kind, said) in [
        (TraceKind::Timer, "timer"),
        (TraceKind::Client, "request handed in"),
        (TraceKind::Note, "note"),
        (TraceKind::Fault, "fault or broken invariant"),
    ] {
        out.push((Swatch::Dot(dot_colour(kind)), said.into()));
    }
    out
}

/// Where each entry goes, wrapped to `w`: its row and x, left to right.
fn placed(pen: &dyn Pen, entries: &[(Swatch, String)], w: f64) -> Vec<(usize, f64)> {
    let (mut row, mut x) = (0, MARGIN);
    entries
        .iter()
        .map(|(_, name)| {
            let width = SWATCH + pen.measure(name);
            if x > MARGIN && x + width > w - MARGIN {
                (row, x) = (row + 1, MARGIN);
            }
            let at = (row, x);
            x += width + GAP;
            at
        })
        .collect()
}

/// The key's height at width `w`.
pub fn height(pen: &dyn Pen, entries: &[(Swatch, String)], w: f64) -> f64 {
    let rows = placed(pen, entries, w).last().map_or(0, |(row, _)| row + 1);
    rows as f64 * ROW + if rows > 0 { MARGIN } else { 0.0 }
}

/// Draw the key from `top`, `w` wide, its names in `fg`.
pub fn draw(pen: &dyn Pen, entries: &[(Swatch, String)], (top, w): (f64, f64), fg: &str) {
    for ((swatch, name), (row, x)) in entries.iter().zip(placed(pen, entries, w)) {
        let mid = top + MARGIN + row as f64 * ROW + ROW / 2.0;
        match swatch {
            Swatch::Line(colour) => {
                pen.set_stroke_style_str(colour);
                pen.set_line_width(2.0);
                pen.begin_path();
                pen.move_to(x, mid);
                pen.line_to(x + SWATCH - 4.0, mid);
                pen.stroke();
            }
            Swatch::Cross => {
                pen.set_fill_style_str(DROP);
                pen.fill_text("✕", x + 2.0, mid + 4.0, None);
            }
            Swatch::Dot(colour) => {
                pen.set_fill_style_str(colour);
                pen.begin_path();
                pen.circle(x + 6.0, mid, 2.5);
                pen.fill();
            }
        }
        pen.set_fill_style_str(fg);
        pen.fill_text(name, x + SWATCH, mid + 4.0, None);
    }
}
