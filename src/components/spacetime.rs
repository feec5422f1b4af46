//! Space-time diagram: one lane per node, time left→right over a window ending at the playhead,
//! an arrow per message (send → delivery, drops end in ✕, in-flight ones dashed up to now), dots
//! for timers, faults and notes, and "clock" notes as text. Drawn on a canvas, capped per frame.

use crate::player::Player;
use dsplay_core::session::Session;
use dsplay_core::sim::trace::{TraceEvent, TraceKind};
use dsplay_core::view::WorldView;
use std::collections::HashMap;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d as Ctx, HtmlCanvasElement, HtmlSelectElement};
use yew::prelude::*;

/// Most message arrows drawn per frame.
pub const MAX_ARROWS: usize = 2_000;
/// Window widths offered (ms).
pub const WINDOWS: [f64; 7] = [200.0, 500.0, 1_000.0, 2_000.0, 5_000.0, 10_000.0, 30_000.0];
const LEFT: f64 = 84.0;
const TOP: f64 = 8.0;
const AXIS: f64 = 18.0;

/// The window for a typical message latency: about 25 latencies wide, snapped to `WINDOWS`
/// (`None` before any message was delivered).
pub fn auto_window<'a>(records: impl IntoIterator<Item = &'a TraceEvent>) -> Option<f64> {
    let mut sent = HashMap::new();
    let mut lat: Vec<f64> = Vec::new();
    for r in records {
        match r.kind {
            TraceKind::Send => drop(sent.insert(r.msg, r.at.as_ms_f64())),
            TraceKind::Deliver => lat.extend(sent.get(&r.msg).map(|s| r.at.as_ms_f64() - s)),
            _ => {}
        }
    }
    lat.sort_by(f64::total_cmp);
    let median = lat.get(lat.len() / 2)?;
    let want = (median * 25.0).clamp(WINDOWS[0], 10_000.0);
    WINDOWS.into_iter().find(|w| *w >= want)
}

fn label_ms(t: f64) -> String {
    if t >= 1_000.0 {
        format!("{} s", (t / 100.0).round() / 10.0)
    } else {
        format!("{t:.0} ms")
    }
}

/// The auto window, kept once found (per scenario revision) so the diagram does not flicker.
pub type Sticky = std::rc::Rc<std::cell::Cell<(u64, Option<f64>)>>;

/// Draw the diagram at the session's playhead (`choice`: window width in ms, `None` = auto).
pub fn paint(
    canvas: &HtmlCanvasElement,
    session: &Session,
    view: &WorldView,
    choice: Option<f64>,
    auto: (u64, &Sticky),
) -> Option<()> {
    let ctx: Ctx = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let sim = session.sim();
    let names = sim.node_names();
    let lane = if names.len() > 24 { 12.0 } else { 22.0 };
    let (w, h) = (canvas.client_width().max(320) as f64, TOP + AXIS + lane * names.len().max(1) as f64);
    if canvas.width() != w as u32 || canvas.height() != h as u32 {
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
    }
    let now = view.now.as_ms_f64();
    let all = sim.trace().records();
    let (rev, sticky) = auto;
    let known = Some(sticky.get()).filter(|s| s.0 == rev).and_then(|s| s.1);
    let found = known.or_else(|| auto_window(all.range(all.len().saturating_sub(2_000)..)));
    sticky.set((rev, found));
    let window = choice.or(found).unwrap_or(1_000.0);
    let t0 = now - window;
    let start = all.partition_point(|r| r.at.as_ms_f64() < t0 - window);
    let x = |t: f64| LEFT + (t - t0) / window * (w - LEFT - 8.0);
    let y = |i: usize| TOP + (i as f64 + 0.5) * lane;
    let dark = crate::charts::draw::current_palette() == crate::charts::draw::DARK;
    let (bg, fg, grid) =
        if dark { ("#1d2026", "#e6e8eb", "#32363e") } else { ("#ffffff", "#1d1f23", "#dcdfe4") };
    ctx.set_fill_style_str(bg);
    ctx.fill_rect(0.0, 0.0, w, h);
    ctx.set_font("11px sans-serif");
    ctx.set_stroke_style_str(grid);
    ctx.set_line_width(1.0);
    ctx.begin_path();
    ctx.set_fill_style_str(fg);
    for (i, n) in names.iter().enumerate() {
        ctx.move_to(LEFT, y(i));
        ctx.line_to(w - 8.0, y(i));
        ctx.fill_text_with_max_width(n, 4.0, y(i) + 4.0, LEFT - 8.0).ok();
    }
    ctx.stroke();
    ctx.fill_text(&label_ms(t0.max(0.0)), LEFT, h - 4.0).ok();
    ctx.fill_text(&label_ms(now), w - 60.0, h - 4.0).ok();
    // Messages: one path per style, so thousands of arrows cost a few draw calls. Clipped to the
    // lanes (messages sent before the window start off the left edge).
    ctx.save();
    ctx.begin_path();
    ctx.rect(LEFT, 0.0, w - LEFT, h - AXIS);
    ctx.clip();
    let mut sent: HashMap<u64, (f64, usize)> = HashMap::new();
    let (mut arrows, mut drops, mut dots) = (Vec::new(), Vec::new(), Vec::new());
    for r in all.range(start..) {
        let (t, n) = (r.at.as_ms_f64(), r.node.index());
        match r.kind {
            TraceKind::Send => drop(sent.insert(r.msg, (t, n))),
            TraceKind::Deliver if t >= t0 && arrows.len() < MAX_ARROWS => {
                arrows.extend(sent.get(&r.msg).map(|&(ts, from)| (x(ts), y(from), x(t), y(n))));
            }
            TraceKind::Drop if t >= t0 && drops.len() < MAX_ARROWS => {
                // A drop names its intended receiver as `node`, its sender as `peer`.
                let to = n;
                let (ts, from) = sent.get(&r.msg).copied().unwrap_or((t, r.peer.map_or(n, |p| p.index())));
                drops.push((x(ts), y(from), x(t).max(x(ts) + 6.0), (y(from) + y(to)) / 2.0));
            }
            _ if t >= t0 && dots.len() < MAX_ARROWS => dots.push(r),
            _ => {}
        }
    }
    stroke_arrows(&ctx, &arrows, "#0072b2", true);
    stroke_arrows(&ctx, &drops, "#d62828", false);
    for &(_, _, x2, y2) in &drops {
        ctx.fill_text("✕", x2 - 4.0, y2 + 4.0).ok();
    }
    let flying = view.in_flight.iter().take(MAX_ARROWS).map(|m| {
        let (ts, td) = (m.sent_at.as_ms_f64(), m.deliver_at.as_ms_f64());
        let f = if td > ts { ((now - ts) / (td - ts)).clamp(0.0, 1.0) } else { 1.0 };
        let (ya, yb) = (y(m.from.index()), y(m.to.index()));
        (x(ts), ya, x(now), ya + (yb - ya) * f)
    });
    ctx.set_line_dash(&js_sys::Array::of2(&JsValue::from(4.0), &JsValue::from(3.0))).ok();
    stroke_arrows(&ctx, &flying.collect::<Vec<_>>(), "#e69f00", false);
    ctx.set_line_dash(&js_sys::Array::new()).ok();
    let mut label_end = vec![f64::MIN; names.len()]; // clock labels never overlap on a lane
    for r in dots {
        let (px, py) = (x(r.at.as_ms_f64()), y(r.node.index()));
        let colour = match r.kind {
            TraceKind::Fault | TraceKind::Violation => "#d62828",
            TraceKind::Client => "#009e73",
            TraceKind::Note => "#8e44ad",
            _ => "#888888",
        };
        ctx.set_fill_style_str(colour);
        ctx.begin_path();
        ctx.arc(px, py, 2.5, 0.0, std::f64::consts::TAU).ok();
        ctx.fill();
        let text = r.text.as_deref().filter(|_| r.kind == TraceKind::Note && r.label == "clock");
        if let (Some(text), Some(end)) = (text, label_end.get_mut(r.node.index())) {
            if px > *end {
                ctx.fill_text(text, px + 3.0, py - 3.0).ok();
                *end = px + 3.0 + 6.0 * text.chars().count() as f64;
            }
        }
    }
    ctx.restore();
    ctx.set_stroke_style_str("#2457c5");
    ctx.set_line_width(2.0);
    ctx.begin_path();
    ctx.move_to(x(now), 0.0);
    ctx.line_to(x(now), h - AXIS);
    ctx.stroke();
    Some(())
}

fn stroke_arrows(ctx: &Ctx, lines: &[(f64, f64, f64, f64)], colour: &str, heads: bool) {
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(1.0);
    ctx.begin_path();
    for &(x1, y1, x2, y2) in lines {
        ctx.move_to(x1, y1);
        ctx.line_to(x2, y2);
        if heads {
            let a = (y2 - y1).atan2(x2 - x1);
            for d in [2.6, -2.6] {
                ctx.move_to(x2, y2);
                ctx.line_to(x2 - 6.0 * (a + d / 6.0).cos(), y2 - 6.0 * (a + d / 6.0).sin());
            }
        }
    }
    ctx.stroke();
}

/// The diagram with its window-width select ("auto" picks from message latency).
#[function_component(SpaceTime)]
pub fn space_time() -> Html {
    let canvas = use_node_ref();
    let choice = use_state(|| None::<f64>);
    let sticky: Sticky = use_memo((), |_| std::rc::Rc::new(std::cell::Cell::new((0, None)))).as_ref().clone();
    let player = use_context::<Player>();
    {
        let (canvas, choice) = (canvas.clone(), *choice);
        let session = player.as_ref().map(|p| (p.session.clone(), p.view.clone()));
        let rev = player.as_ref().map_or(0, |p| p.scenario_rev);
        let deps = (player.as_ref().map(|p| p.frame), rev, choice.map(|c| c as u64));
        use_effect_with(deps, move |_| {
            if let (Some(el), Some((s, view))) = (canvas.cast::<HtmlCanvasElement>(), session) {
                paint(&el, &s.borrow(), &view, choice, (rev, &sticky));
            }
        });
    }
    let on_window = {
        let choice = choice.clone();
        Callback::from(move |e: Event| {
            choice.set(e.target_unchecked_into::<HtmlSelectElement>().value().parse().ok())
        })
    };
    html! {
        <section class="spacetime" aria-label="Space-time diagram">
            <label class="spacetime-window">{"Window "}
                <select onchange={on_window}>
                    <option value="auto" selected={choice.is_none()}>{"auto"}</option>
                    { for WINDOWS.iter().map(|w| html! {
                        <option value={w.to_string()} selected={*choice == Some(*w)}>{label_ms(*w)}</option>
                    }) }
                </select>
            </label>
            <canvas ref={canvas} class="spacetime-canvas" role="img"
                aria-label="Space-time diagram: one lane per node, one arrow per message" />
        </section>
    }
}
