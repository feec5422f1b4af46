//! The run's faults on a chart over time, as Jepsen's and Maelstrom's plots shade their nemesis:
//! a light band for each stretch something was broken, behind the series, in its kind's colour,
//! with a strip along the top of the plot and its name where there is room; a short tick at the
//! top for an instant (a request by hand, a note). Drawn only up to the playhead, as the series
//! are: a fault still to come is not drawn ahead of its time, and one under way grows with it.

use super::draw::{err, Chart2d, DrawResult, Palette};
use dsplay_core::scenario::fault_spans::{FaultKind, FaultMarks, FaultSpan};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A kind's colour: down red (as a down lane in the space-time diagram), paused amber, a cut
/// wine, a changed link blue, a slow node or clock teal, a surge grey. Apart for a red-green
/// colour-blind reader too: down, paused and slow were red, amber and ochre, and a cut's purple
/// the link's blue to a deuteranope (ΔE 4.1, 1.5 and 0.7; review 35 B5).
pub fn kind_colour(kind: FaultKind) -> RGBColor {
    match kind {
        FaultKind::Down => RGBColor(0xcc, 0x33, 0x11),
        FaultKind::Paused => RGBColor(0xdd, 0xaa, 0x33),
        FaultKind::Cut => RGBColor(0x88, 0x22, 0x55),
        FaultKind::Link => RGBColor(0x00, 0x77, 0xbb),
        FaultKind::Slow => RGBColor(0x44, 0xbb, 0x99),
        FaultKind::Surge => RGBColor(0x80, 0x80, 0x80),
    }
}

/// A kind in a word, for a band too narrow for its label.
fn word(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::Down => "down",
        FaultKind::Paused => "paused",
        FaultKind::Cut => "cut",
        FaultKind::Link => "link",
        FaultKind::Slow => "slow",
        FaultKind::Surge => "surge",
    }
}

/// The faults under way at `now_ms`.
pub fn in_effect(marks: &FaultMarks, now_ms: f64) -> impl Iterator<Item = &FaultSpan> {
    let under_way =
        move |s: &&FaultSpan| s.from_ms as f64 <= now_ms && s.until_ms.is_none_or(|u| u as f64 > now_ms);
    marks.spans.iter().filter(under_way)
}

/// Where `span` is drawn on a time axis shown up to `shown_ms`: from its start to its end, or to
/// `shown_ms` if that comes first; `None` if it starts later.
pub fn visible(span: &FaultSpan, shown_ms: f64) -> Option<(f64, f64)> {
    let from = span.from_ms as f64;
    let to = span.until_ms.map_or(shown_ms, |u| (u as f64).min(shown_ms));
    (from <= shown_ms).then_some((from, to))
}

/// Height of the strip along the top of a band, and of an instant's tick, in pixels.
const STRIP_PX: f64 = 3.0;
const TICK_PX: f64 = 7.0;

/// The room a label needs in 10 px text.
fn label_px(label: &str) -> f64 {
    label.chars().count() as f64 * 5.5 + 4.0
}

/// Shade `marks` on `chart`, a time axis from 0 to `end_ms` and values from 0 to `y_max`, up to
/// `shown_ms` (the playhead).
pub(super) fn draw_faults<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    marks: &FaultMarks,
    (shown_ms, end_ms, y_max): (f64, f64, f64),
    pal: &Palette,
) -> DrawResult {
    if marks.spans.is_empty() && marks.ticks.is_empty() {
        return Ok(());
    }
    let (w, h) = chart.plotting_area().dim_in_pixel();
    let (ms_per_px, y_per_px) = (end_ms / w.max(1) as f64, y_max / h.max(1) as f64);
    let shown_ms = shown_ms.min(end_ms);
    // At least 2 px wide (a 50 ms pause in a 30 s run is less than one), never past the playhead.
    let bands: Vec<(f64, f64, &FaultSpan)> = marks
        .spans
        .iter()
        .filter_map(|s| visible(s, shown_ms).map(|(a, b)| (a, b.max(a + 2.0 * ms_per_px).min(shown_ms), s)))
        .filter(|(a, b, _)| b > a)
        .collect();
    let fill = bands.iter().map(|&(a, b, s)| {
        Rectangle::new([(a, 0.0), (b, y_max)], kind_colour(s.kind).mix(pal.shade).filled())
    });
    chart.draw_series(fill).map_err(err)?;
    let strip_lo = y_max - STRIP_PX * y_per_px;
    let strips = bands.iter().map(|&(a, b, s)| {
        Rectangle::new([(a, strip_lo), (b, y_max)], kind_colour(s.kind).mix(0.85).filled())
    });
    chart.draw_series(strips).map_err(err)?;
    let tick_lo = y_max - TICK_PX * y_per_px;
    let ticks = marks.ticks.iter().map(|t| t.at_ms as f64).filter(|&t| t <= shown_ms);
    let ticks =
        ticks.map(|t| PathElement::new(vec![(t, y_max), (t, tick_lo)], pal.fg.mix(0.6).stroke_width(1)));
    chart.draw_series(ticks).map_err(err)?;
    // Names in one row under the strips, each inside its band ("r2 down", or just "down" in a
    // narrow one), none over another: a name running on over the next bands read as theirs (r6's
    // chaos).
    let font = ("sans-serif", 10).into_font().color(&pal.fg.mix(0.8)).pos(Pos::new(HPos::Left, VPos::Top));
    let y = strip_lo - 2.0 * y_per_px;
    let mut free_px = f64::MIN;
    let mut names = Vec::new();
    for &(a, b, s) in &bands {
        let (x_px, room) = (a / ms_per_px, (b - a) / ms_per_px);
        let name = [s.label.as_str(), word(s.kind)].into_iter().find(|n| label_px(n) <= room);
        if let Some(name) = name.filter(|_| x_px >= free_px) {
            names.push(Text::new(name.to_string(), (a + 2.0 * ms_per_px, y), font.clone()));
            free_px = x_px + room;
        }
    }
    chart.draw_series(names).map_err(err)?;
    Ok(())
}
