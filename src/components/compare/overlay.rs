//! Compare's charts: every default chart of A, one canvas each, with B's chart of the same kind
//! drawn over it (A solid, B dashed; A only where B has no such chart), over A's faults. They
//! follow A's playhead.

use super::SharedB;
use crate::charts::choice::{catalog, defaults, lesson_first, named_in, split_counters};
use crate::charts::draw::{chart_data, paint};
use crate::charts::overlay::{counterpart, overlay};
use crate::charts::paint::use_paint;
use crate::charts::series::{ChartData, ChartSpec};
use crate::export::{export_stem, save_chart};
use crate::player::Player;
use dsplay_core::scenario::fault_spans::FaultMarks;
use dsplay_core::session::Session;
use std::rc::Rc;
use yew::prelude::*;

/// A chart of bands only draws its first row at the bottom: B's rows go first, so that A's sit
/// above them, as A comes first everywhere else (`a_rows`: how many of the bands are A's).
pub fn a_rows_on_top(mut data: ChartData, a_rows: usize) -> ChartData {
    if data.lines.is_empty() && a_rows <= data.bands.len() {
        data.bands.rotate_left(a_rows);
    }
    data
}

#[derive(Properties, PartialEq)]
pub struct OverlaysProps {
    pub b: SharedB,
    /// Bumped whenever B is rebuilt (repaints even when A's playhead did not move).
    pub built: u64,
    /// How far B has run (µs): B catches up with A over several frames after A stopped moving,
    /// and each step it takes is drawn.
    pub b_now: u64,
}

/// One overlaid chart per default chart of A.
#[function_component(Overlays)]
pub fn overlays(props: &OverlaysProps) -> Html {
    let Some(player) = use_context::<Player>() else { return html! {} };
    // As on the Charts tab: what the lesson says to watch first (d4's lesson compares runs by
    // `election_downtime_p50_ms`, which was not among the charts here).
    let specs = {
        let s = player.session.borrow();
        let named = named_in(&s.scenario().meta.lesson, &catalog(s.sim().metrics()));
        lesson_first(&named, &split_counters(s.sim().metrics()), defaults(s.sim().metrics()))
    };
    let pairs: Vec<(ChartSpec, Option<ChartSpec>)> = {
        let b = props.b.0.borrow();
        let b_session = b.as_ref().map(|r| r.session.borrow());
        let b_metrics = b_session.as_ref().map(|s| s.sim().metrics());
        specs.into_iter().map(|s| (s.clone(), b_metrics.and_then(|m| counterpart(m, &s)))).collect()
    };
    let b_now = props.b_now;
    html! {
        <div class="chart-grid compare-charts">
            { for pairs.into_iter().map(|(a, b)| {
                let key = a.key();
                html! { <OverlayView {key} {a} {b} run_b={props.b.clone()} built={props.built} {b_now} /> }
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct OverlayViewProps {
    /// A's chart, and B's version of it if B has one.
    pub a: ChartSpec,
    pub b: Option<ChartSpec>,
    pub run_b: SharedB,
    pub built: u64,
    /// See [`OverlaysProps::b_now`].
    pub b_now: u64,
}

/// Which runs a chart draws, in words.
fn runs_of(has_b: bool) -> &'static str {
    if has_b {
        "A solid, B dashed"
    } else {
        "A only: B has no such chart"
    }
}

/// A's chart with B's drawn over it, as painted and exported, over A's faults (B's may differ,
/// and two runs' bands on one chart could not be told apart).
fn overlay_data(
    session: &Session,
    (a, b): (&ChartSpec, Option<&ChartSpec>),
    run_b: &SharedB,
    a_faults: &Rc<FaultMarks>,
) -> ChartData {
    let run_b = run_b.0.borrow();
    let b_data = b.zip(run_b.as_ref()).map(|(spec, r)| chart_data(&r.session.borrow(), spec));
    let a_data = chart_data(session, a).shaded(a_faults.clone());
    let a_rows = a_data.bands.len();
    a_rows_on_top(overlay(a_data, b_data), a_rows)
}

#[function_component(OverlayView)]
fn overlay_view(props: &OverlayViewProps) -> Html {
    let player = use_context::<Player>();
    let canvas = use_node_ref();
    let faults = crate::components::faults::use_fault_marks(player.as_ref());
    {
        let shown = crate::components::tabs::use_panel_shown();
        let frame = player.as_ref().map(|p| (p.frame, p.scenario_rev)).filter(|_| shown);
        let zoom = crate::charts::hidpi::zoom(player.as_ref().is_some_and(|p| p.presenting));
        let deps = (frame, (props.built, props.b_now), props.a.clone(), props.b.clone(), zoom.to_bits());
        let session = player.as_ref().map(|p| p.session.clone());
        let (a, b, run_b) = (props.a.clone(), props.b.clone(), props.run_b.clone());
        let rev = player.as_ref().map_or(0, |p| p.scenario_rev);
        let faults = faults.clone();
        use_paint(canvas.clone(), deps, rev, move |el| {
            let Some(session) = &session else { return Ok(()) };
            // How far B's lines go in this paint (tests wait for B's whole run to be drawn).
            if let Some(r) = run_b.0.borrow().as_ref() {
                el.set_attribute("data-b-ms", &(r.session.borrow().now().as_us() / 1000).to_string()).ok();
            }
            let data = overlay_data(&session.borrow(), (&a, b.as_ref()), &run_b, &faults);
            el.set_attribute("aria-label", &format!("{} ({})", data.summary(), runs_of(b.is_some()))).ok();
            paint(el, &data, zoom).map(drop)
        });
    }
    let Some(player) = player else { return html! {} };
    let key = props.a.key();
    // Saved as drawn, A and B together, named for the comparison.
    let save = |as_png: bool| {
        let (canvas, session) = (canvas.clone(), player.session.clone());
        let (a, b, run_b) = (props.a.clone(), props.b.clone(), props.run_b.clone());
        let faults = faults.clone();
        Callback::from(move |_: MouseEvent| {
            let s = session.borrow();
            let data = overlay_data(&s, (&a, b.as_ref()), &run_b, &faults);
            let stem = export_stem(&s, &format!("{}-compare", a.key()));
            let b_is = run_b.0.borrow().as_ref().map(|r| format!(" · B: {}", r.label())).unwrap_or_default();
            save_chart(&data, &canvas, &stem, &format!("{}{b_is}", crate::export::about(&s)), as_png);
        })
    };
    let (png, svg) = (save(true), save(false));
    let runs = runs_of(props.b.is_some());
    html! {
        <figure class="chart" data-chart={key.clone()} aria-label={format!("{key} chart")} data-runs={if props.b.is_some() { "A B" } else { "A" }}>
            <canvas ref={canvas} role="img" aria-label={format!("{key}, {runs}: not drawn yet")} />
            <figcaption class="chart-exports">
                <button class="export-png" onclick={png} aria-label={format!("Save {key}, A and B, as PNG")}>{"PNG"}</button>
                <button class="export-svg" onclick={svg} aria-label={format!("Save {key}, A and B, as SVG")}>{"SVG"}</button>
            </figcaption>
        </figure>
    }
}
