//! A pick on the painted diagram: the happened-before graph of the window's records (built on
//! a pick, rebuilt only when the records or the window change, never per frame when nothing is
//! picked), the cones drawn over the paint, and what the caption says.

use super::cones::{accents, draw_cones};
use super::paint::Painted;
use super::pen::CanvasPen;
use super::pick::{describe_event, verdict, Pick, Spot};
use dsplay_core::session::Session;
use dsplay_core::sim::causality::Causality;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;

/// What the graph was built from: the scenario revision, records pushed, the oldest kept, and
/// the window's start (µs).
type Key = (u64, u64, u64, u64);

/// The graph of the last pick, and what it was built from.
pub type Memo = Rc<RefCell<Option<(Key, Rc<Causality>)>>>;

/// The graph of the records in the window `t0` (ms) on, from `memo` while they are unchanged.
/// Only the window's records: a chain between two drawn events never leaves their time span,
/// and a past older than the window is only said, not drawn.
pub fn graph(memo: &Memo, s: &Session, t0: f64, rev: u64) -> Rc<Causality> {
    let trace = s.sim().trace();
    let key = (rev, trace.len_total(), trace.first_index(), (t0 * 1_000.0) as u64);
    if let Some((k, g)) = &*memo.borrow() {
        if *k == key {
            return g.clone();
        }
    }
    let records = trace.records();
    let start = records.partition_point(|r| r.at.as_ms_f64() < t0);
    let g = Rc::new(Causality::new(records.range(start..), start > 0 || trace.first_index() > 0));
    *memo.borrow_mut() = Some((key, g.clone()));
    g
}

/// What the caption says of a pick.
#[derive(Clone, Debug, PartialEq)]
pub struct Said {
    pub first: String,
    pub second: Option<String>,
    pub verdict: Option<String>,
    /// The picked event's past goes on before the window (or the records kept).
    pub beyond: bool,
}

/// Draw `pick`'s cones over the diagram just painted on `canvas` and say what they are. The
/// pick as it still stands comes back with it: `None` once its event is no longer drawn (the
/// playhead went back before it, or the window moved past it), without the second event if that
/// one went.
pub fn show(
    canvas: &HtmlCanvasElement,
    c: &Causality,
    drawn: &Painted,
    pick: Pick,
    names: &[String],
) -> Option<(Said, Pick)> {
    let a = c.find(pick.first.0, pick.first.1)?;
    let b = pick.second.and_then(|(lane, at)| c.find(lane, at));
    let cones = c.cones(a);
    let dark = crate::charts::draw::current_palette() == crate::charts::draw::DARK;
    if let Some(ctx) = canvas.get_context("2d").ok().flatten().and_then(|x| x.dyn_into().ok()) {
        draw_cones(&CanvasPen(ctx), &drawn.frame, c, &cones, b, &accents(dark));
    }
    let said = Said {
        first: describe_event(c, a, names),
        second: b.map(|b| describe_event(c, b, names)),
        verdict: b.map(|b| verdict(c, a, b, names)),
        beyond: cones.beyond,
    };
    Some((said, Pick { second: pick.second.filter(|_| b.is_some()), ..pick }))
}

/// The event next to the last picked one on its lane (`step` −1 or +1), if the window holds one.
pub fn step(c: &Causality, pick: Pick, step: isize) -> Option<Pick> {
    from_last(c, pick, |e| c.along_lane(e, step))
}

/// The first (`last` false) or last event the window holds on the last picked one's lane: Home
/// and End, as on the stage's nodes and the gallery.
pub fn lane_end(c: &Causality, pick: Pick, last: bool) -> Option<Pick> {
    from_last(c, pick, |e| c.lane_end(e, last))
}

/// The pick moved to the event `to` finds from the last picked one.
fn from_last(c: &Causality, pick: Pick, to: impl FnOnce(usize) -> Option<usize>) -> Option<Pick> {
    let last: Spot = pick.second.unwrap_or(pick.first);
    let e = to(c.find(last.0, last.1)?)?;
    Some(super::cursor::moved(pick, (c.events[e].lane, c.events[e].at)))
}
