//! Live charts: default charts picked from the metrics the run has or will soon have, those the
//! lesson names first (kept once shown), plus any metric added from a select. Each chart draws on
//! a `<canvas>` after render, at most ~10 times per second, and shows series up to the playhead
//! (so it rewinds with it), over the run's faults so far (shaded once worked out per scenario).
//! PNG/SVG export per chart; trace JSON and metrics CSV for the whole run.

use crate::charts::choice::{by_number, catalog, defaults_of, keep, lesson_first, named_in, split_counters};
pub use crate::charts::draw::chart_data;
use crate::charts::draw::paint;
use crate::charts::paint::use_paint;
use crate::charts::probe::{early_catalog, union};
use crate::charts::readout::{readout, time_at};
use crate::charts::series::{run_so_far, ChartSpec};
use crate::charts::watch::use_repaint_on_change;
use crate::components::run_exports::{save_csv, use_trace_download};
use crate::export::{about, export_stem, save_chart};
use crate::player::Player;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq, Debug)]
pub struct ChartViewProps {
    pub spec: ChartSpec,
    /// Shown as a "remove" button (charts the user added).
    #[prop_or_default]
    pub on_remove: Option<Callback<MouseEvent>>,
}

/// One chart on a canvas, with its PNG and SVG export buttons.
#[function_component(ChartView)]
pub fn chart_view(props: &ChartViewProps) -> Html {
    let player = use_context::<Player>();
    let canvas = use_node_ref();
    let surroundings = use_repaint_on_change(canvas.clone());
    let shown = super::tabs::use_panel_shown();
    let faults = super::faults::use_fault_marks(player.as_ref());
    // The plot's left and right edges on the canvas (CSS px), as last painted, and what the
    // pointer reads: the x of the samples read, and the words.
    let across = use_mut_ref(|| None::<(f64, f64)>);
    let hover = use_state(|| None::<(f64, String)>);
    {
        let frame = player.as_ref().map(|p| (p.frame, p.scenario_rev)).filter(|_| shown);
        let zoom = crate::charts::hidpi::zoom(player.as_ref().is_some_and(|p| p.presenting));
        let deps = (frame, props.spec.clone(), surroundings, shown, zoom.to_bits());
        let (session, spec) = (player.as_ref().map(|p| p.session.clone()), props.spec.clone());
        let rev = player.as_ref().map_or(0, |p| p.scenario_rev);
        let faults = faults.clone();
        let across = across.clone();
        use_paint(canvas.clone(), deps, rev, move |el| match &session {
            Some(_) if !shown => Ok(()),
            Some(s) => {
                let data = chart_data(&s.borrow(), &spec).shaded(faults.clone());
                // Said when the chart is reached, not announced as it changes.
                el.set_attribute("aria-label", &data.summary()).ok();
                *across.borrow_mut() = Some(paint(el, &data, zoom)?);
                Ok(())
            }
            None => Ok(()),
        });
    }
    let on_move = {
        let (session, spec, hover, across) =
            (player.as_ref().map(|p| p.session.clone()), props.spec.clone(), hover.clone(), across.clone());
        Callback::from(move |e: MouseEvent| {
            let (Some(session), Some(plot)) = (&session, *across.borrow()) else { return };
            let s = session.borrow();
            let (now, end) = (s.now().as_ms_f64(), s.stop_at().as_ms_f64().max(s.now().as_ms_f64()).max(1.0));
            let read = time_at(e.offset_x() as f64, plot, end, now).and_then(|t| {
                let sim = s.sim();
                let window = sim.metrics().interval_us() as f64 / 1000.0;
                let data = crate::charts::series::chart(sim.metrics(), &spec, sim.node_names(), t, end);
                readout(&data, window)
            });
            let at = |t: f64| plot.0 + t / end * (plot.1 - plot.0);
            hover.set(read.map(|(t, words)| (at(t), words)));
        })
    };
    let on_leave = {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(None))
    };
    let Some(player) = player else { return html! {} };
    let save = |png: bool| {
        let (canvas, session, spec) = (canvas.clone(), player.session.clone(), props.spec.clone());
        let faults = faults.clone();
        Callback::from(move |_: MouseEvent| {
            let s = session.borrow();
            let data = chart_data(&s, &spec).shaded(faults.clone());
            save_chart(&data, &canvas, &export_stem(&s, &spec.key()), &about(&s), png);
        })
    };
    let (png, svg) = (save(true), save(false));
    let key = props.spec.key();
    // Per render (every frame of playback), so only while the chart is in view.
    let so_far = shown.then(|| run_so_far(player.session.borrow().sim().metrics(), &props.spec)).flatten();
    html! {
        <figure class="chart" data-chart={key.clone()} aria-label={format!("{key} chart")}>
            <div class="plot">
                <canvas ref={canvas} role="img" aria-label={format!("{key}: not drawn yet")}
                    onmousemove={on_move} onmouseleave={on_leave} />
                if let Some((x, _)) = &*hover {
                    <div class="hover-at" style={format!("left: {x:.1}px")} aria-hidden="true"></div>
                }
            </div>
            <figcaption class="chart-exports">
                // Under the pointer: the values there (the screen reader's label says the
                // playhead's); else the run so far.
                if let Some((_, words)) = &*hover {
                    <span class="so-far readout" aria-hidden="true">{words.clone()}</span>
                } else if let Some(text) = so_far { <span class="so-far">{text}</span> }
                <button class="export-png" onclick={png} aria-label={format!("Save {key} as PNG")}>{"PNG"}</button>
                <button class="export-svg" onclick={svg} aria-label={format!("Save {key} as SVG")}>{"SVG"}</button>
                if let Some(cb) = props.on_remove.clone() {
                    <button class="remove" onclick={cb} aria-label={format!("Remove the {key} chart")}>{"×"}</button>
                }
            </figcaption>
        </figure>
    }
}

/// The chart panel: defaults for the run's metrics, a select to add any metric, exports.
#[function_component(Charts)]
pub fn charts() -> Html {
    let extra = use_state(Vec::<ChartSpec>::new);
    // The default charts shown so far for this scenario revision: kept, so they do not come and
    // go or move as metrics appear (or vanish on a rewind).
    let shown = use_mut_ref(|| (u64::MAX, Vec::<ChartSpec>::new()));
    let player = use_context::<Player>();
    let (on_trace, trace_label, preparing) =
        use_trace_download(player.as_ref().map(|p| p.session.clone()), "trace");
    let rev = player.as_ref().map_or(0, |p| p.scenario_rev);
    let ahead = {
        // Looked ahead once per scenario revision, not per frame.
        let session = player.as_ref().map(|p| p.session.clone());
        use_memo(rev, move |_| session.map(|s| early_catalog(s.borrow().scenario())).unwrap_or_default())
    };
    let Some(player) = player else { return html! {} };
    // Metrics the run has, and those it will soon have (their charts fill in as they appear).
    let names = union(&catalog(player.session.borrow().sim().metrics()), &ahead.0);
    let mut specs = {
        let mut split = split_counters(player.session.borrow().sim().metrics());
        split.extend(ahead.1.iter().filter(|n| !split.contains(n)).cloned().collect::<Vec<_>>());
        let named = named_in(&player.session.borrow().scenario().meta.lesson, &names);
        let fresh = lesson_first(&named, &split, defaults_of(&names));
        let mut shown = shown.borrow_mut();
        let specs = if shown.0 == rev { keep(&shown.1, fresh) } else { fresh };
        *shown = (rev, specs.clone());
        specs
    };
    let defaults = specs.clone();
    for e in extra.iter() {
        let known = matches!(e, ChartSpec::Metric(n) if names.iter().any(|(m, _)| m == n));
        if known && !specs.contains(e) {
            specs.push(e.clone());
        }
    }
    let on_add = {
        let extra = extra.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let name = select.value();
            select.set_value("");
            if !name.is_empty() {
                let mut v = (*extra).clone();
                v.push(ChartSpec::Metric(name));
                extra.set(v);
            }
        })
    };
    let session = player.session.clone();
    // A trace that let its oldest records go says so at the button, not only inside the file:
    // t1's default run keeps the newest 100000 of 172757, and its first 12 s were missing from a
    // download a teacher would count requests in (review 45).
    let cut = {
        let s = session.borrow();
        let trace = s.sim().trace();
        let (kept, total) = (trace.records().len() as u64, trace.len_total());
        (kept < total).then(|| {
            format!(
                "Holds the newest {kept} of {total} records: raise “trace capacity” in the Editor (under Advanced) to keep them all."
            )
        })
    };
    let on_csv = Callback::from(move |_: MouseEvent| save_csv(&session.borrow(), "metrics"));
    html! {
        <section class="charts" aria-label="Charts">
            <div class="charts-bar">
                <label>{"Add a chart "}
                    <select class="chart-add" onchange={on_add}>
                        <option value="" selected=true>{"metric…"}</option>
                        { for by_number(&names).into_iter().map(|(n, k)| html! { <option value={n.clone()}>{format!("{n} ({k:?})").to_lowercase()}</option> }) }
                    </select>
                </label>
                <button class="export-trace" onclick={on_trace} aria-busy={preparing.to_string()}
                    aria-describedby={cut.as_ref().map(|_| "export-trace-cut")}>{trace_label}</button>
                <button class="export-csv" onclick={on_csv}>{"Metrics CSV"}</button>
                if let Some(cut) = cut { <p class="export-cut" id="export-trace-cut">{cut}</p> }
            </div>
            <div class="chart-grid">
                { for specs.iter().map(|s| {
                    let on_remove = (!defaults.contains(s)).then(|| {
                        let (extra, s) = (extra.clone(), s.clone());
                        Callback::from(move |_: MouseEvent| {
                            extra.set(extra.iter().filter(|e| **e != s).cloned().collect());
                            // The × goes with its chart: the key goes on from another's, or the menu.
                            crate::focus::rescue(vec![".chart-grid button.remove".into(), "select.chart-add".into()]);
                        })
                    });
                    html! { <ChartView key={s.key()} spec={s.clone()} {on_remove} /> }
                }) }
            </div>
        </section>
    }
}
