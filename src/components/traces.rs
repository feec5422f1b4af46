//! The Traces tab (catalog E7), for runs that trace their requests: RED metrics per service, the
//! traces of the last seconds to pick from (slowest, with failures, newest), and the one picked
//! as a span waterfall, as Jaeger draws one, plus what a tracing backend cannot show: the spans
//! still open at the playhead (hatched, drawn up to it; a backend sees a span only once it ends).
//! Everything rewinds with the playhead (spans are node state). The data comes from
//! [`crate::traces`]; this only draws it.

use super::inspector::readings::FRAMES_PER_READING;
use super::invariants::secs;
use super::tabs::use_panel_shown;
use crate::player::{Action, Player};
use crate::traces::{id_label, recent, red, tally, took_label, waterfall, Order, Red, TraceRow, WINDOW};
use dsplay_core::spans::{Span, SpanKind, SpanStatus};
use dsplay_core::SimTime;
use std::rc::Rc;
use yew::prelude::*;

/// Traces listed at most.
const LISTED: usize = 12;

fn status_class(s: SpanStatus) -> &'static str {
    match s {
        SpanStatus::Open => "st-open",
        SpanStatus::Ok => "st-ok",
        SpanStatus::Degraded => "st-degraded",
        SpanStatus::Error => "st-error",
        SpanStatus::TimedOut => "st-timeout",
        SpanStatus::Refused => "st-refused",
    }
}

fn red_table(rows: &[Red], names: &[String]) -> Html {
    let secs_over = |r: &Red| r.over.as_us() as f64 / 1e6;
    html! {
        <table class="red">
            <caption>{ format!("Per service, the last {} s: rate, errors, duration", WINDOW.as_us() / 1_000_000) }</caption>
            <thead><tr><th scope="col">{"Service"}</th><th scope="col">{"Rate"}</th><th scope="col">{"Errors"}</th>
                <th scope="col">{"p50"}</th><th scope="col">{"p99"}</th></tr></thead>
            <tbody>
                { for rows.iter().map(|r| html! {
                    <tr title={format!("over {:.1} s of serve spans", secs_over(r))}>
                        <th scope="row">{ names.get(r.node.index()).cloned().unwrap_or_default() }</th>
                        <td>{ format!("{:.1}/s", r.rate) }</td>
                        <td class={classes!((r.errors > 0.0).then_some("bad"))}>{ format!("{:.1} %", r.errors * 100.0) }</td>
                        <td>{ took_label(r.p50) }</td>
                        <td>{ took_label(r.p99) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn trace_list(rows: &[TraceRow], names: &[String], selected: Option<u64>, pick: &Callback<u64>) -> Html {
    if rows.is_empty() {
        return html! { <p class="muted">{"None in the last seconds."}</p> };
    }
    html! {
        <ol class="trace-list">
            { for rows.iter().map(|r| {
                let trace = r.trace;
                let who = names.get(r.client.index()).cloned().unwrap_or_default();
                let failed = if r.failures > 0 { format!(", {} failed", r.failures) } else { String::new() };
                // Keyed by trace: as the list re-sorts while playing, a focused row moves with its
                // trace instead of the focus staying in place on whichever trace comes there
                // (review 22, C13).
                html! { <li key={trace}>
                    <button class="trace-row" aria-pressed={(selected == Some(trace)).to_string()} data-trace={trace.to_string()}
                        onclick={pick.reform(move |_: MouseEvent| trace)}>
                        <span class="who">{ format!("{who}: {}", r.name) }</span>
                        <span class="took">{ took_label(r.took) }</span>
                        <span class={classes!("st", status_class(r.status))}>{ r.status.word() }</span>
                        <span class="n">{ format!("{} spans{failed}", r.spans) }</span>
                    </button>
                </li> }
            }) }
        </ol>
    }
}

fn bar_title(s: &Span, names: &[String], took: &str) -> String {
    let node = names.get(s.node.index()).cloned().unwrap_or_default();
    let side = match s.kind {
        SpanKind::Request => "request, from the client",
        SpanKind::Call => "call, as its caller waited",
        SpanKind::Serve => "serve, from arrival (queue included) to the answer",
    };
    format!("{node}: {} ({side}), {}, {took}, from {}", s.name, s.status.word(), secs(s.start))
}

fn waterfall_view(
    spans: &[Span],
    trace: u64,
    now: SimTime,
    names: &[String],
    go: Callback<MouseEvent>,
) -> Html {
    let (bars, whole) = waterfall(spans, trace, now);
    let Some(first) = bars.first() else { return Html::default() };
    let span_us = whole.as_us().max(1) as f64;
    // While a span is open the trace's extent runs to the playhead: it is not over yet.
    let open = bars.iter().any(|b| b.span.end.is_none());
    let so_far = if open { " so far" } else { "" };
    let pct = |us: u64| us as f64 * 100.0 / span_us;
    html! {
        <section class="waterfall" aria-label="The trace's spans, as a waterfall">
            <header>
                <h3>{ format!("Trace {}", id_label(trace, names)) }</h3>
                <span class="muted">{ format!("{} spans, {}{so_far} from {}", bars.len(), took_label(whole), secs(first.span.start)) }</span>
                <button class="go" onclick={go} title="Move the playhead to the trace's first span, to watch its messages">
                    {"Go to its start"}</button>
            </header>
            <div class="wf-axis" aria-hidden="true">
                { for [0u64, 25, 50, 75, 100].iter().map(|q| html! {
                    <span style={format!("left: {q}%")}>{ took_label(dsplay_core::SimDuration(whole.as_us() * q / 100)) }</span>
                }) }
            </div>
            <ul class="wf">
                { for bars.iter().map(|b| {
                    let s = &b.span;
                    let took = took_label(b.length);
                    let node = names.get(s.node.index()).cloned().unwrap_or_default();
                    let style = format!("left: {:.2}%; width: max({:.2}%, 2px)", pct(b.offset.as_us()), pct(b.length.as_us()));
                    html! { <li class="wf-row">
                        <span class="wf-label" style={format!("padding-left: {:.1}rem", b.depth as f64 * 0.8)}>
                            <span class="node">{ node }</span>{" "}<span class="name">{ s.name.to_string() }</span>
                        </span>
                        <span class="wf-track">
                            <span class={classes!("wf-bar", status_class(s.status), format!("kind-{:?}", s.kind).to_lowercase())}
                                style={style} title={bar_title(s, names, &took)} />
                        </span>
                        <span class={classes!("wf-took", status_class(s.status))}>
                            { if s.status == SpanStatus::Ok { took } else { format!("{took} {}", s.status.word()) } }
                        </span>
                    </li> }
                }) }
            </ul>
            <p class="wf-key muted">
                <span class="key kind-call" />{"a caller waiting · "}
                <span class="key kind-serve" />{"a callee's serve, from the call's arrival (queue included) · "}
                <span class="key st-open" />{"still open at the playhead (a tracing backend sees a span only once it ends) · red: failed"}
            </p>
        </section>
    }
}

#[function_component(Traces)]
pub fn traces() -> Html {
    let p = use_context::<Player>();
    let shown = use_panel_shown();
    let order = use_state(|| Order::Slowest);
    let picked = use_state(|| None::<u64>);
    // Read like the inspector: every few frames while playing, at every change while paused;
    // not at all while the tab is hidden.
    let (frame, playing, rev) = p.as_ref().map_or((0, false, 0), |p| (p.frame, p.playing, p.scenario_rev));
    let reading = if playing { frame / FRAMES_PER_READING } else { frame };
    let session = p.as_ref().map(|p| p.session.clone());
    let data = use_memo((reading, rev, shown), move |_| {
        let s = session.as_ref().filter(|_| shown)?.borrow();
        let spans = s.sim().spans();
        // Counted once per reading, not at every render.
        let counted = tally(&spans, s.now());
        Some(Rc::new((spans, s.now(), s.sim().node_names().to_vec(), counted)))
    });
    let Some(p) = p else { return html! {} };
    let Some(data) = (*data).clone() else { return html! { <div class="traces" /> } };
    let (spans, now, names, (started, failed)) = (&data.0, data.1, &data.2, data.3);
    if spans.is_empty() {
        return html! { <div class="traces"><p class="muted">
            {"No spans yet. Press play: every request a client sends becomes a trace, and every call and serve on its way a span."}
        </p></div> };
    }
    let rows = recent(spans, now, *order, LISTED);
    let selected =
        (*picked).filter(|t| spans.iter().any(|s| s.trace == *t)).or(rows.first().map(|r| r.trace));
    let pick = {
        let picked = picked.clone();
        Callback::from(move |t: u64| picked.set(Some(t)))
    };
    let order_button = |o: Order, label: &'static str| {
        let order = order.clone();
        html! { <button aria-pressed={(*order == o).to_string()} onclick={Callback::from(move |_: MouseEvent| order.set(o))}>{label}</button> }
    };
    let go = {
        let start = selected.and_then(|t| spans.iter().filter(|s| s.trace == t).map(|s| s.start).min());
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(t) = start {
                d.emit(Action::Pause);
                d.emit(Action::Seek(t));
            }
        })
    };
    html! {
        <div class="traces">
            { red_table(&red(spans, now), names) }
            <section class="trace-pick" aria-label="Traces to look at">
                <header>
                    <h3>{ format!("Traces started in the last {} s: {started}, {failed} with a failure", WINDOW.as_us() / 1_000_000) }</h3>
                    <div class="order" role="group" aria-label="Order">
                        { order_button(Order::Slowest, "Slowest") }
                        { order_button(Order::Failures, "With failures") }
                        { order_button(Order::Newest, "Newest") }
                    </div>
                </header>
                { trace_list(&rows, names, selected, &pick) }
            </section>
            if let Some(t) = selected { { waterfall_view(spans, t, now, names, go) } }
        </div>
    }
}
