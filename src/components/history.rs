//! The History tab: the clients' reads and writes as Jepsen and Knossos draw a history, one lane
//! per client and a bar per operation from its call to its return, coloured by how it ended (ok,
//! failed, unknown after a timeout, still pending), over a window that ends at the playhead
//! (review 17, gap 9), and under it every operation's latency since the start (gap 15). With the
//! run paused, the first operation no linear order explains (the same check as the Invariants
//! panel's) is ringed in red. Clicking a bar moves the playhead to where that operation returned.
//! Offered for protocols whose clients keep a history (see `Simulation::keeps_history`). History
//! JSON saves the operations up to the playhead, for `dsplay lincheck FILE`.

mod latency;
mod model;
mod svg;

pub use model::{figure, Ended, Figure};

use super::inspector::readings::FRAMES_PER_READING;
use super::tabs::use_panel_shown;
use crate::player::{Action, Player};
use dsplay_core::check::{check_history_with, Partitioning, Verdict};
use dsplay_core::SimTime;
use std::rc::Rc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// The windows offered, in seconds of run before the playhead.
const SPANS_S: [u64; 4] = [1, 2, 5, 20];

#[function_component(History)]
pub fn history() -> Html {
    let p = use_context::<Player>();
    let shown = use_panel_shown();
    let span_s = use_state(|| 2u64);
    let tick = |p: &Player| if p.playing { p.frame / FRAMES_PER_READING } else { p.frame };
    let key = p.as_ref().filter(|_| shown).map(|p| (tick(p), p.playing, p.scenario_rev, *span_s));
    let fig = {
        let p = p.clone();
        use_memo(key, move |key| {
            let (p, (_, playing, _, span)) = (p?, (*key)?);
            let s = p.session.borrow();
            let sim = s.sim();
            let names = sim.node_names();
            let name = |n: dsplay_core::NodeId| names.get(n.index()).cloned().unwrap_or_else(|| "?".into());
            let key = |k: u64| sim.key_label(k).replace("key ", "k");
            let f = figure(&sim.history().ops, s.now(), span * 1_000_000, &name, &key);
            // The first bad operation, judged while paused (playing, the Invariants panel's
            // cheaper check is enough).
            let bad = match playing {
                true => None,
                false => {
                    match check_history_with(sim.history(), Partitioning::ByKey, super::lincheck::BUDGET)
                        .verdict
                    {
                        Verdict::NotLinearizable { first_bad } => {
                            let op = sim.history().ops.iter().find(|o| o.id == first_bad.op_id);
                            op.map(|o| (o.id, o.ret.unwrap_or(o.call)))
                        }
                        _ => None,
                    }
                }
            };
            Some((f, bad, s.now()))
        })
    };
    // The latency plot, every operation since the start (up to 2,000 dots), is read five times
    // less often while playing: thinned evenly, each reading moved every dot, and at 10× on d3 the
    // two figures together made a 50 ms frame every 100 ms (review 26 B4).
    let slow = |p: &Player| if p.playing { p.frame / (FRAMES_PER_READING * 5) } else { p.frame };
    let dots_key = p.as_ref().filter(|_| shown).map(|p| (slow(p), p.playing, p.scenario_rev));
    let dots = {
        let p = p.clone();
        use_memo(dots_key, move |key| {
            let p = p.as_ref().filter(|_| key.is_some())?;
            let s = p.session.borrow();
            Some((latency::dots(&s.sim().history().ops, s.now()), s.now()))
        })
    };
    let Some(p) = p else { return html! {} };
    let on_span = {
        let span_s = span_s.clone();
        Callback::from(move |e: Event| {
            let v = e.target_dyn_into::<HtmlSelectElement>().and_then(|s| s.value().parse().ok());
            span_s.set(v.unwrap_or(2));
        })
    };
    let Some((f, bad, ..)) = fig.as_ref().as_ref() else {
        return html! { <section class="history-view" /> };
    };
    // What `dsplay lincheck FILE` reads: the operations up to the playhead (review 49 C6).
    let on_save = {
        let session = p.session.clone();
        Callback::from(move |_: MouseEvent| {
            let s = session.borrow();
            let name = format!("{}.json", crate::export::export_stem(&s, "history"));
            let text = crate::export::history_json(s.sim(), &s.fragment());
            crate::export::download_text(&name, "application/json", &text).ok();
        })
    };
    let counts = |e: Ended| f.lanes.iter().flat_map(|l| &l.bars).filter(|b| b.ended == e).count();
    let summary = format!(
        "{} ok, {} failed, {} unknown, {} pending in the {} s before the playhead{}",
        counts(Ended::Ok),
        counts(Ended::Failed),
        counts(Ended::Unknown),
        counts(Ended::Pending),
        *span_s,
        if f.left_out > 0 { format!(" (the oldest {} not drawn)", f.left_out) } else { String::new() }
    );
    html! {
        <section class="history-view" aria-label="History">
            <div class="history-head">
                <p class="history-summary">{summary}</p>
                <label>{"Window "}<select class="history-span" onchange={on_span}>
                    {for SPANS_S.iter().map(|s| html! { <option value={s.to_string()} selected={*s == *span_s}>{format!("{s} s")}</option> })}
                </select></label>
                <button class="export-history" onclick={on_save}
                    title="Every operation up to the playhead, as `dsplay lincheck FILE` checks it">{"History JSON"}</button>
            </div>
            // The ringed bar's action from the keyboard too (the bars are drawn, not buttons).
            if let Some((_, at)) = *bad {
                <button class="history-bad" onclick={p.dispatch.reform(move |_: MouseEvent| Action::Seek(at))}>
                    {format!("Go to where the first bad operation returned ({})", super::invariants::secs(at))}</button>
            }
            <Figures data={Reading(fig.clone())} dots={Reading(dots.clone())} dispatch={p.dispatch.clone()} />
        </section>
    }
}

/// What one reading of the history draws: the bars, the first bad operation (and where it
/// returned) and the playhead.
type Drawn = Option<(Figure, Option<(u64, SimTime)>, SimTime)>;

/// One reading of the latency plot: its dots and the playhead.
type Dots = Option<(Vec<latency::Dot>, SimTime)>;

/// A reading, compared by pointer: the same reading is the same picture, so a frame between
/// readings (the player renders every frame) costs no diff of hundreds of bars and dots.
struct Reading<T>(Rc<T>);

impl<T> Clone for Reading<T> {
    fn clone(&self) -> Self {
        Reading(self.0.clone())
    }
}

impl<T> PartialEq for Reading<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// `dispatch` is left out of the comparison: the player's is a new `Callback` each frame that
/// does the same thing.
#[derive(Properties)]
struct FiguresProps {
    data: Reading<Drawn>,
    dots: Reading<Dots>,
    dispatch: Callback<Action>,
}

impl PartialEq for FiguresProps {
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data && self.dots == other.dots
    }
}

#[function_component(Figures)]
fn figures(props: &FiguresProps) -> Html {
    let Some((f, bad, _)) = props.data.0.as_ref() else { return html! {} };
    let seek = props.dispatch.reform(Action::Seek);
    html! {
        <>
            {svg::draw(f, bad.map(|(id, _)| id), seek)}
            <p class="history-key muted">{"A bar per operation, from its call to its return: "}
                <span class="k ok">{"ok"}</span>{", "}<span class="k failed">{"failed"}</span>{", "}
                <span class="k unknown">{"unknown (timed out: it may or may not have happened)"}</span>{", "}
                <span class="k pending">{"pending"}</span>
                {". w k1=5 writes 5; r k1→5 read 5, → ∅ nothing. Ringed in red: the first operation no linear order explains. Click a bar to go to its return."}</p>
            <h3 class="latency-title">{"How long each operation took, since the start"}</h3>
            <LatencyPlot dots={props.dots.clone()} />
        </>
    }
}

#[derive(Properties, PartialEq)]
struct LatencyPlotProps {
    dots: Reading<Dots>,
}

/// The latency plot, drawn again only for a new reading of its own (see `slow` in [`history`]).
#[function_component(LatencyPlot)]
fn latency_plot(props: &LatencyPlotProps) -> Html {
    match props.dots.0.as_ref() {
        Some((dots, now)) => latency::draw(dots, *now),
        None => html! {},
    }
}
