//! Live charts: default charts picked from whatever metrics exist, plus any metric added from a
//! select. Each chart draws on a `<canvas>` after render, at most ~10 times per second, and shows
//! series up to the playhead (so it rewinds with it). PNG/SVG export per chart; trace JSON and
//! metrics CSV for the whole run.

pub use crate::charts::draw::{chart_data, chart_svg};
use crate::charts::draw::{paint_canvas, HEIGHT};
use crate::charts::series::{catalog, defaults, ChartSpec};
use crate::export::{download_text, download_url, file_stem, metrics_csv, trace_json};
use crate::player::Player;
use dsplay_core::session::Session;
use gloo::timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{HtmlCanvasElement, HtmlSelectElement};
use yew::prelude::*;

/// Shortest wall-clock gap between two redraws of one chart.
const REDRAW_MS: f64 = 100.0;

/// Last draw (wall ms), whether a trailing draw is pending, and its timer.
type Throttle = Rc<RefCell<(f64, bool, Option<Timeout>)>>;

thread_local! {
    /// When any chart last drew: charts take turns, one per task, so no task grows long.
    static LAST_ANY: std::cell::Cell<f64> = const { std::cell::Cell::new(f64::MIN) };
}

fn now_wall() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}

fn redraw(canvas: NodeRef, session: Rc<RefCell<Session>>, spec: ChartSpec, slot: Throttle) {
    let draw = move |slot: &Throttle| {
        slot.borrow_mut().0 = now_wall();
        LAST_ANY.with(|l| l.set(now_wall()));
        let Some(el) = canvas.cast::<HtmlCanvasElement>() else { return };
        if let Err(e) = paint_canvas(&el, &session.borrow(), &spec) {
            gloo::console::warn!(e);
        }
    };
    let elapsed = now_wall() - slot.borrow().0;
    let turn_taken = now_wall() - LAST_ANY.with(|l| l.get()) < 4.0; // another chart drew just now
    if elapsed >= REDRAW_MS && !turn_taken {
        draw(&slot);
    } else if !slot.borrow().1 {
        // Throttled: draw once more when the gap is over (in a task of its own), so the last
        // state is always shown.
        let s = slot.clone();
        let timer = Timeout::new((REDRAW_MS - elapsed).max(1.0).ceil() as u32, move || {
            s.borrow_mut().1 = false;
            draw(&s);
        });
        let mut st = slot.borrow_mut();
        st.1 = true;
        st.2 = Some(timer);
    }
}

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
    let slot: Throttle = use_mut_ref(|| (f64::MIN, false, None));
    {
        let slot = slot.clone();
        use_effect_with((), move |_| move || drop(slot.borrow_mut().2.take()));
    }
    let Some(player) = player else { return html! {} };
    {
        let (canvas, session, slot) = (canvas.clone(), player.session.clone(), slot.clone());
        let deps = (player.frame, player.scenario_rev, props.spec.clone());
        use_effect_with(deps, move |(_, _, spec)| redraw(canvas, session, spec.clone(), slot));
    }
    let stem = file_stem(&props.spec.key());
    let png = {
        let (canvas, stem) = (canvas.clone(), stem.clone());
        Callback::from(move |_: MouseEvent| {
            let url = canvas.cast::<HtmlCanvasElement>().and_then(|c| c.to_data_url().ok());
            if let Some(url) = url {
                download_url(&format!("{stem}.png"), &url).ok();
            }
        })
    };
    let svg = {
        let (canvas, session, spec) = (canvas.clone(), player.session.clone(), props.spec.clone());
        Callback::from(move |_: MouseEvent| {
            let w = canvas.cast::<HtmlCanvasElement>().map_or(640, |c| c.width());
            if let Ok(text) = chart_svg(&session.borrow(), &spec, w) {
                download_text(&format!("{stem}.svg"), "image/svg+xml", &text).ok();
            }
        })
    };
    let key = props.spec.key();
    html! {
        <figure class="chart" data-chart={key.clone()}>
            <canvas ref={canvas} height={HEIGHT.to_string()} role="img" aria-label={format!("Chart: {key}")} />
            <figcaption class="chart-exports">
                <button class="export-png" onclick={png} aria-label={format!("Save {key} as PNG")}>{"PNG"}</button>
                <button class="export-svg" onclick={svg} aria-label={format!("Save {key} as SVG")}>{"SVG"}</button>
                if let Some(cb) = props.on_remove.clone() {
                    <button class="remove" onclick={cb} aria-label={format!("Remove the {key} chart")}>{"×"}</button>
                }
            </figcaption>
        </figure>
    }
}

/// The chart panel: defaults for the metrics that exist, a select to add any metric, exports.
#[function_component(Charts)]
pub fn charts() -> Html {
    let extra = use_state(Vec::<ChartSpec>::new);
    let Some(player) = use_context::<Player>() else { return html! {} };
    let (mut specs, names) = {
        let s = player.session.borrow();
        (defaults(s.sim().metrics()), catalog(s.sim().metrics()))
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
    let stem = move |s: &Session| file_stem(&s.scenario().meta.id);
    let on_trace = {
        let session = session.clone();
        Callback::from(move |_: MouseEvent| {
            let s = session.borrow();
            download_text(
                &format!("{}-trace.json", stem(&s)),
                "application/json",
                &trace_json(s.sim().trace()),
            )
            .ok();
        })
    };
    let on_csv = Callback::from(move |_: MouseEvent| {
        let s = session.borrow();
        let csv = metrics_csv(s.sim().metrics(), s.sim().node_names());
        download_text(&format!("{}-metrics.csv", stem(&s)), "text/csv", &csv).ok();
    });
    html! {
        <section class="charts" aria-label="Charts">
            <div class="charts-bar">
                <label>{"Add a chart "}
                    <select class="chart-add" onchange={on_add}>
                        <option value="" selected=true>{"metric…"}</option>
                        { for names.iter().map(|(n, k)| html! { <option value={n.clone()}>{format!("{n} ({k:?})").to_lowercase()}</option> }) }
                    </select>
                </label>
                <button class="export-trace" onclick={on_trace}>{"Trace JSON"}</button>
                <button class="export-csv" onclick={on_csv}>{"Metrics CSV"}</button>
            </div>
            <div class="chart-grid">
                { for specs.iter().map(|s| {
                    let on_remove = (!defaults.contains(s)).then(|| {
                        let (extra, s) = (extra.clone(), s.clone());
                        Callback::from(move |_: MouseEvent| extra.set(extra.iter().filter(|e| **e != s).cloned().collect()))
                    });
                    html! { <ChartView key={s.key()} spec={s.clone()} {on_remove} /> }
                }) }
            </div>
        </section>
    }
}
