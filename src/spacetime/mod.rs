//! Helpers of the space-time diagram: choosing the time window and painting the canvas.

pub mod cones;
pub mod cursor;
pub mod export;
pub mod hover;
pub mod key;
pub mod labels;
pub mod network;
pub mod paint;
pub mod pen;
pub mod pick;
pub mod picked;
pub mod states;

use crate::topology::particles::KindColours;
use dsplay_core::sim::trace::{TraceEvent, TraceKind};
use std::collections::HashMap;

/// Most message arrows drawn per frame.
pub const MAX_ARROWS: usize = 2_000;
/// Window widths the auto window picks from (ms).
pub const WINDOWS: [f64; 9] = [50.0, 100.0, 200.0, 500.0, 1_000.0, 2_000.0, 5_000.0, 10_000.0, 30_000.0];
/// Narrower widths offered only in the menu: a crowd of 25 nodes fills even 50 ms with 2,000
/// arrows (review 24 B6), and a student can close in on a few milliseconds of it.
pub const NARROW_WINDOWS: [f64; 2] = [10.0, 20.0];

/// About this many messages in the auto window at most: beyond it arrows tangle into a mat (a
/// quorum run at 200 ms held about 270).
const READABLE_MESSAGES: f64 = 120.0;

/// The auto window, kept once found (per scenario revision) so the diagram does not flicker.
pub type Sticky = std::rc::Rc<std::cell::Cell<(u64, Option<f64>)>>;

/// The window for a typical message latency: about 25 latencies wide (200 ms at least), narrower
/// where that would hold more than [`READABLE_MESSAGES`] at the records' rate, but never under
/// four latencies; snapped to `WINDOWS` (`None` before any message was delivered).
pub fn auto_window<'a>(records: impl IntoIterator<Item = &'a TraceEvent>) -> Option<f64> {
    let mut sent = HashMap::new();
    let mut lat: Vec<f64> = Vec::new();
    let (mut first, mut last) = (f64::MAX, f64::MIN);
    for r in records {
        let t = r.at.as_ms_f64();
        match r.kind {
            TraceKind::Send => drop(sent.insert(r.msg, t)),
            TraceKind::Deliver => {
                lat.extend(sent.get(&r.msg).map(|s| t - s));
                (first, last) = (first.min(t), last.max(t));
            }
            _ => {}
        }
    }
    lat.sort_by(f64::total_cmp);
    let median = *lat.get(lat.len() / 2)?;
    let per_ms = if last > first { lat.len() as f64 / (last - first) } else { 0.0 };
    let crowded = if per_ms > 0.0 { READABLE_MESSAGES / per_ms } else { f64::MAX };
    let want = (median * 25.0).clamp(USUAL_MIN, 10_000.0);
    if crowded < want {
        // Narrowed for a crowd: the widest window that keeps it readable.
        let narrow = crowded.max(median * 4.0);
        return WINDOWS.into_iter().rev().find(|w| *w <= narrow).or(Some(WINDOWS[0]));
    }
    WINDOWS.into_iter().find(|w| *w >= want)
}

/// `window`, or the narrowest window that holds the whole run (`run_ms`) if that is narrower.
pub fn within_run(window: f64, run_ms: f64) -> f64 {
    WINDOWS.into_iter().find(|w| *w >= run_ms).map_or(window, |whole| window.min(whole))
}

/// The narrowest auto window for a run that is not crowded (narrower ones are for crowds).
const USUAL_MIN: f64 = 200.0;

/// The times to label on an axis from `t0` over `window` ms: a round step (1, 2 or 5 × a power of
/// ten ms) giving about five labels.
pub fn ticks(t0: f64, window: f64) -> Vec<f64> {
    let rough = window / 5.0;
    let power = 10f64.powf(rough.max(1e-3).log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * power).find(|s| *s >= rough).unwrap_or(rough);
    let first = (t0 / step).ceil() * step;
    (0..).map(|k| first + k as f64 * step).take_while(|t| *t <= t0 + window + 1e-9).collect()
}

/// A tick's label, as precise as the `step` between ticks needs: `850 ms`, `1.85 s`, `12 s`.
pub fn tick_label(t: f64, step: f64) -> String {
    if t < 1_000.0 {
        return format!("{t:.0} ms");
    }
    let decimals = (-(step / 1_000.0).log10()).ceil().max(0.0) as usize;
    format!("{:.*} s", decimals, t / 1_000.0)
}

/// `850 ms`, `1.5 s`.
pub fn label_ms(t: f64) -> String {
    if t >= 1_000.0 {
        format!("{} s", (t / 100.0).round() / 10.0)
    } else {
        format!("{t:.0} ms")
    }
}

/// How a message is drawn: in its kind's colour, full, bolder or faint as the legend's spotlight
/// has it. Ordered as painted: faint first, spotlit last (on top).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Focus {
    pub level: Level,
    /// The kind's colour: its index in the palette.
    pub colour: usize,
}

/// Where a kind stands under the spotlight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Another kind is spotlit.
    Dim,
    /// Nothing is spotlit.
    Plain,
    /// Spotlit.
    Lit,
}

/// What the diagram brings forward: the kinds spotlit in the legend, and the node selected on
/// the stage (the messages it sent or was sent). With 25 lanes at the narrowest window the
/// diagram is a mat of arrows; one client's requests read again once the others fade (review 24
/// B6).
#[derive(Clone, Copy, Debug, Default)]
pub struct Spotlight<'a> {
    pub kinds: &'a [String],
    /// The selected node's lane.
    pub node: Option<usize>,
}

/// The focus of a message of `kind` between the lanes `ends` (from, to), given the kinds'
/// colours and the spotlight: lit if it is what the spotlight asks for (all of it), faint if not.
pub fn focus(colours: &KindColours, spot: Spotlight, kind: &str, ends: (usize, usize)) -> Focus {
    let kind_lit = spot.kinds.is_empty() || spot.kinds.iter().any(|k| k == kind);
    let node_lit = spot.node.is_none_or(|n| ends.0 == n || ends.1 == n);
    let level = match (spot.kinds.is_empty() && spot.node.is_none(), kind_lit && node_lit) {
        (true, _) => Level::Plain,
        (false, true) => Level::Lit,
        (false, false) => Level::Dim,
    };
    Focus { level, colour: colours.of(kind) }
}
