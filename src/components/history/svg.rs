//! The History figure as SVG: a lane per client, a bar per operation, the playhead at the right
//! edge. A bar is clicked, or reached from the keyboard: the figure is one Tab stop, the arrows
//! move from bar to bar (Home and End: the first and the last) and Enter goes to where the
//! operation returned; a screen reader hears each bar's words (review 22: the bars were a
//! picture, out of reach without a pointer).

use super::model::{Ended, Figure};
use dsplay_core::SimTime;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

const W: f64 = 800.0;
const NAME_W: f64 = 56.0;
const LANE_H: f64 = 26.0;
const BAR_H: f64 = 16.0;
/// Narrowest a bar is drawn, and widest one whose words are left off.
const MIN_W: f64 = 3.0;
const PX_PER_CHAR: f64 = 6.2;

pub fn draw(f: &Figure, bad: Option<u64>, seek: Callback<SimTime>) -> Html {
    let span = (f.to.as_us().saturating_sub(f.from.as_us())).max(1) as f64;
    let x =
        |t: SimTime| NAME_W + (t.as_us().saturating_sub(f.from.as_us()) as f64 / span) * (W - NAME_W - 4.0);
    // Where each lane starts, in rows.
    let starts: Vec<usize> = f
        .lanes
        .iter()
        .scan(0, |at, l| {
            let s = *at;
            *at += l.rows;
            Some(s)
        })
        .collect();
    let rows: usize = f.lanes.iter().map(|l| l.rows).sum();
    let h = LANE_H * rows.max(1) as f64 + 18.0;
    let mut first = true;
    let lanes = f.lanes.iter().zip(&starts).map(|(lane, &start)| {
        let top = LANE_H * start as f64;
        let bottom = top + LANE_H * lane.rows as f64;
        let bars = lane.bars.iter().map(|b| {
            let y = top + LANE_H * b.row as f64;
            let (x0, x1) = (x(b.from.max(f.from)), x(b.to));
            let w = (x1 - x0).max(MIN_W);
            let label = (w > b.label.chars().count() as f64 * PX_PER_CHAR + 6.0).then(|| b.label.clone());
            let class = classes!("op", b.ended.class(), (bad == Some(b.op_id)).then_some("bad"),
                (b.from < f.from).then_some("cut"));
            let at = if b.ended == Ended::Pending { b.from } else { b.to };
            let onclick = seek.reform(move |_: MouseEvent| at);
            let tabindex = if std::mem::take(&mut first) { "0" } else { "-1" };
            // One string for the name and the tooltip (a window holds hundreds of bars). The bad
            // one says so: only its red ring did (review 46 C6).
            let flag = if bad == Some(b.op_id) { "; the first operation no linearizable order explains" } else { "" };
            let said = AttrValue::from(format!("{}: {}{flag}", lane.client, b.said));
            html! {
                <g {class} {onclick} role="button" {tabindex} aria-label={said.clone()} data-at={at.as_us().to_string()}>
                    <title>{said}</title>
                    <rect x={format!("{x0:.1}")} y={format!("{:.1}", y + (LANE_H - BAR_H) / 2.0)} width={format!("{w:.1}")}
                        height={BAR_H.to_string()} rx="3" />
                    if let Some(l) = label { <text x={format!("{:.1}", x0 + 3.0)} y={format!("{:.1}", y + LANE_H / 2.0 + 4.0)}>{l}</text> }
                </g>
            }
        });
        html! {
            <g class="lane">
                <text class="client" x="0" y={format!("{:.1}", top + LANE_H / 2.0 + 4.0)}>{&lane.client}</text>
                <line x1={NAME_W.to_string()} x2={W.to_string()} y1={format!("{bottom:.1}")} y2={format!("{bottom:.1}")} />
                {for bars}
            </g>
        }
    });
    let secs = |t: SimTime| format!("{:.3} s", t.as_ms_f64() / 1000.0);
    // One listener for the figure, not one per bar (a window holds hundreds).
    let on_key = {
        let seek = seek.clone();
        Callback::from(move |e: KeyboardEvent| {
            if let Some(at) = keys(e) {
                seek.emit(at);
            }
        })
    };
    html! {
        <svg class="history-svg" viewBox={format!("0 0 {W} {h:.0}")} role="group" onkeydown={on_key}
            aria-label={format!("Client operations from {} to {}: arrows move between them, Enter goes to one's return",
                secs(f.from), secs(f.to))}>
            {for lanes}
            <line class="now" x1={format!("{:.1}", x(f.to))} x2={format!("{:.1}", x(f.to))} y1="0" y2={format!("{:.0}", h - 16.0)} />
            <text class="tick" x={NAME_W.to_string()} y={format!("{:.0}", h - 3.0)}>{secs(f.from)}</text>
            <text class="tick end" x={format!("{:.1}", x(f.to))} y={format!("{:.0}", h - 3.0)}>{secs(f.to)}</text>
        </svg>
    }
}

/// The arrows on a bar move the focus to the next one (→ and ↓) or the one before (← and ↑), in
/// lane order; Home and End to the first and the last (see `keys::claimed_by_focus`). Enter or
/// Space on a bar: the time to go to (its return, a pending one's call).
fn keys(e: KeyboardEvent) -> Option<SimTime> {
    let at = e.target().and_then(|t| t.dyn_into::<Element>().ok())?;
    let figure = at.closest(".history-svg").ok().flatten().filter(|_| at.matches(".op").unwrap_or(false))?;
    if e.key() == "Enter" || e.key() == " " {
        e.prevent_default();
        return at.get_attribute("data-at")?.parse().ok().map(SimTime);
    }
    crate::focus::rove(&e, &at, &figure, ".op", crate::focus::Arrows::All);
    None
}
