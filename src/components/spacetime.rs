//! Space-time diagram: one lane per node, time left→right over a window ending at the playhead,
//! an arrow per message in its kind's colour (send → delivery, drops end in a red ✕, in-flight ones
//! dashed up to now), dots for timers, faults and notes, and "clock" notes as text; it follows the
//! legend's spotlight. Hovering an arrow says what the message was and what became of it; hovering
//! a dot, what it marks (a clock note's value). Under it, a caption (how many clocks are written
//! beside their dots; hover gives the rest) and PNG and SVG buttons, as under every chart.
//! A click picks an event and draws its causal past and future; a second pick gets a verdict on
//! the two (see `crate::spacetime::pick` and `super::spacetime_pick`).
//! Painted by `crate::spacetime::paint`.

use super::spacetime_pick::PickCaption;
use crate::charts::watch::use_repaint_on_change;
use crate::export::{about, download_text, download_url, export_stem};
use crate::player::Player;
use crate::spacetime::cursor;
use crate::spacetime::export::{measured, to_png, to_svg};
use crate::spacetime::hover::{describe, describe_spot, nearest, nearest_dot, Fate};
use crate::spacetime::paint::{paint, Painted, Scene};
use crate::spacetime::pick::{after_click, hit, Pick};
use crate::spacetime::picked::{self, Memo, Said};
use crate::spacetime::{label_ms, Spotlight, Sticky, NARROW_WINDOWS, WINDOWS};
use dsplay_core::session::Session;
use dsplay_core::sim::trace::TraceKind;
use web_sys::{HtmlCanvasElement, HtmlSelectElement};
use yew::prelude::*;

/// How near (CSS px) the pointer must be to an arrow to describe it.
const HOVER_PX: f64 = 5.0;

/// A tooltip: its text and its CSS position.
type Tip = Option<(String, String)>;

/// A point on the canvas (CSS px, the canvas `w` wide) in the drawing's own units: Present
/// draws it larger than it is laid out (and a phone's canvas narrower than the 320 px it is
/// drawn for is squeezed).
fn on_drawing(drawn: &Painted, (x, y): (f64, f64), w: f64) -> (f64, f64) {
    let k = if w > 0.0 && drawn.frame.w > 0.0 { w / drawn.frame.w } else { 1.0 };
    (x / k, y / k)
}

/// What the pointer at `(x, y)` on a canvas `w` px wide is over: a dot (its clock value or
/// text), else the nearest arrow, described (a drop's reason from the trace; the message's payload
/// in words, delivered, dropped or in flight, while the simulator still keeps it). In the right
/// half the tooltip is anchored by its right edge and opens leftwards, on the canvas.
fn tip_at(session: &Session, drawn: &Painted, (x, y, w): (f64, f64, f64)) -> Tip {
    let place = if x > w / 2.0 {
        format!("right:{:.0}px;top:{y:.0}px", w - x)
    } else {
        format!("left:{x:.0}px;top:{y:.0}px")
    };
    let sim = session.sim();
    let (x, y) = on_drawing(drawn, (x, y), w);
    if let Some(d) = nearest_dot(&drawn.dots, x, y, HOVER_PX) {
        return Some((describe_spot(&drawn.dots, d, sim.node_names()), place));
    }
    if let Some(l) = crate::spacetime::network::nearest(&drawn.network, x, 4.0) {
        return Some((format!("{} · {:.3} s", l.text, l.t_ms / 1000.0), place));
    }
    let a = nearest(&drawn.arrows, x, y, HOVER_PX)?;
    let records = sim.trace().records();
    // The records from the send on: a message's drop or deliveries come after it.
    let since = records.range(records.partition_point(|r| r.at.as_ms_f64() < a.sent_ms)..);
    let reason = match a.fate {
        Fate::Dropped => {
            since.rev().find(|r| r.kind == TraceKind::Drop && r.msg == a.msg).and_then(|r| r.text.as_deref())
        }
        // Both copies of a duplicated message are drawn from one send (review 24 C2: neither
        // said it was a copy).
        Fate::Delivered => {
            let copies = since.filter(|r| r.kind == TraceKind::Deliver && r.msg == a.msg).count();
            (copies > 1).then_some("one of two copies: the network duplicated it")
        }
        Fate::InFlight => None,
    };
    let detail = dsplay_core::readable::message(sim, a.msg);
    Some((describe(a, sim.node_names(), reason, detail.as_deref()), place))
}

/// What the caption says of the clock labels: how many are written, and that hovering a dot
/// gives any event's clock (none: nothing, the run has no clocks).
pub fn caption((written, of): (usize, usize)) -> String {
    match (written, of) {
        (_, 0) => "Hover an arrow or a dot for what it is.".to_string(),
        (w, o) if w == o => format!("Every event's clock is written beside its dot ({o})."),
        (w, o) => format!(
            "Clocks beside {w} of {o} events (no room for the rest without crossing an arrow or a label): hover any dot for its clock."
        ),
    }
}

/// The diagram with its window-width select ("auto" picks from message latency).
#[function_component(SpaceTime)]
pub fn space_time() -> Html {
    let canvas = use_node_ref();
    let surroundings = use_repaint_on_change(canvas.clone());
    let choice = use_state(|| None::<f64>);
    let sticky: Sticky = use_memo((), |_| std::rc::Rc::new(std::cell::Cell::new((0, None)))).as_ref().clone();
    let drawn = use_mut_ref(Painted::default);
    // Where the pointer rests on the canvas (x, y, canvas width), so a tooltip follows the run.
    let pointer = use_mut_ref(|| None::<(f64, f64, f64)>);
    let tip = use_state_eq(|| None as Tip);
    let player = use_context::<Player>();
    let shown = super::tabs::use_panel_shown();
    // The caption is written by the paint, not rendered: a new count each frame needs no render.
    let note = use_node_ref();
    // The picked events, the graph they were found in (memoised: built on a pick, not per frame)
    // and what the caption says of them.
    let pick = use_state_eq(|| None::<Pick>);
    let memo: Memo = use_memo((), |_| Memo::default()).as_ref().clone();
    let said = use_state_eq(|| None::<Said>);
    {
        let (canvas, choice, drawn, pointer, tip, note) =
            (canvas.clone(), *choice, drawn.clone(), pointer.clone(), tip.clone(), note.clone());
        let (pick, memo, said) = (pick.clone(), memo.clone(), said.clone());
        let sticky = sticky.clone();
        let session = player.as_ref().map(|p| (p.session.clone(), p.view.clone(), p.spotlight.clone()));
        let selected = player.as_ref().and_then(|p| p.selected).map(|n| n.index());
        let rev = player.as_ref().map_or(0, |p| p.scenario_rev);
        // A hidden panel's canvas waits: its frame is left out, and it paints once shown again.
        let frame = player.as_ref().map(|p| p.frame).filter(|_| shown);
        let zoom = crate::charts::hidpi::zoom(player.as_ref().is_some_and(|p| p.presenting));
        let deps =
            (frame, rev, choice.map(|c| c as u64), surroundings, shown, *pick, zoom.to_bits(), selected);
        use_effect_with(deps, move |_| {
            let session = session.filter(|_| shown);
            if let (Some(el), Some((s, view, spot))) = (canvas.cast::<HtmlCanvasElement>(), session) {
                let s = s.borrow();
                let lit = Spotlight { kinds: &spot, node: selected };
                let painted = paint(&el, &s, &view, choice, (rev, &sticky), lit, zoom).unwrap_or_default();
                // How many of the window's messages are drawn, for tests and tools.
                let _ = el.set_attribute("data-messages", &format!("{} of {}", painted.shown, painted.total));
                let from = painted.from_ms.map(|t| format!("{t:.3}")).unwrap_or_default();
                let _ = el.set_attribute("data-drawn-from-ms", &from);
                let (written, of) = painted.clocks;
                let _ = el.set_attribute("data-clock-labels", &format!("{written} of {of}"));
                if let Some(n) = note.get() {
                    n.set_text_content(Some(&caption(painted.clocks)));
                }
                // A pick is drawn over the paint while its event is still drawn, else let go.
                let shown = (*pick).and_then(|p| {
                    let graph = picked::graph(&memo, &s, painted.frame.t0, rev);
                    picked::show(&el, &graph, &painted, p, s.sim().node_names())
                });
                pick.set(shown.as_ref().map(|(_, p)| *p));
                said.set(shown.map(|(w, _)| w));
                *drawn.borrow_mut() = painted;
                if let Some(at) = *pointer.borrow() {
                    tip.set(tip_at(&s, &drawn.borrow(), at));
                }
            }
        });
    }
    let save = |png: bool| {
        let (canvas, sticky, choice) = (canvas.clone(), sticky.clone(), *choice);
        let player = player.clone();
        Callback::from(move |_: MouseEvent| {
            let (Some(p), Some(el)) = (&player, canvas.cast::<HtmlCanvasElement>()) else { return };
            let s = p.session.borrow();
            let scene = Scene {
                session: &s,
                view: &p.view,
                choice,
                auto: (p.scenario_rev, &sticky),
                spot: Spotlight { kinds: &p.spotlight, node: p.selected.map(|n| n.index()) },
            };
            let (w, measure) = measured(&el);
            let (stem, about) = (export_stem(&s, "spacetime"), about(&s));
            let _ = if png {
                to_png(&scene, w, &about).and_then(|url| download_url(&format!("{stem}.png"), &url))
            } else {
                download_text(&format!("{stem}.svg"), "image/svg+xml", &to_svg(&scene, w, measure, &about))
            };
        })
    };
    let (png, svg) = (save(true), save(false));
    let on_window = {
        let choice = choice.clone();
        Callback::from(move |e: Event| {
            choice.set(e.target_unchecked_into::<HtmlSelectElement>().value().parse().ok())
        })
    };
    let on_move = {
        let (tip, pointer, drawn) = (tip.clone(), pointer.clone(), drawn.clone());
        let session = player.as_ref().map(|p| p.session.clone());
        Callback::from(move |e: PointerEvent| {
            let w = e.target_dyn_into::<web_sys::HtmlElement>().map_or(0.0, |c| c.offset_width() as f64);
            let at = (e.offset_x() as f64, e.offset_y() as f64, w);
            *pointer.borrow_mut() = Some(at);
            tip.set(session.as_ref().and_then(|s| tip_at(&s.borrow(), &drawn.borrow(), at)));
        })
    };
    let on_click = {
        let (pick, drawn) = (pick.clone(), drawn.clone());
        Callback::from(move |e: MouseEvent| {
            let w = e.target_dyn_into::<web_sys::HtmlElement>().map_or(0.0, |c| c.offset_width() as f64);
            let drawn = drawn.borrow();
            let (x, y) = on_drawing(&drawn, (e.offset_x() as f64, e.offset_y() as f64), w);
            let spot = hit(&drawn, x, y);
            pick.set(after_click(*pick, spot, e.shift_key()));
        })
    };
    let on_step = {
        let (pick, memo) = (pick.clone(), memo.clone());
        Callback::from(move |by: isize| {
            let graph = memo.borrow().as_ref().map(|(_, g)| g.clone());
            if let Some(moved) = (*pick).zip(graph).and_then(|(p, g)| picked::step(&g, p, by)) {
                pick.set(Some(moved));
            }
        })
    };
    let on_clear = {
        let pick = pick.clone();
        Callback::from(move |_: ()| pick.set(None))
    };
    let on_key = {
        let pick = pick.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" && pick.is_some() {
                e.prevent_default();
                // The diagram's own: the page's Esc (which sends the focus to Play) is not meant.
                e.stop_propagation();
                pick.set(None);
            }
        })
    };
    // The arrows, Home, End and Enter on the focused diagram pick events (see
    // `crate::spacetime::cursor`). Home had gone on to the page and restarted the run (review 41
    // B4).
    let on_canvas_key = {
        let (pick, memo, drawn) = (pick.clone(), memo.clone(), drawn.clone());
        let session = player.as_ref().map(|p| (p.session.clone(), p.scenario_rev));
        Callback::from(move |e: KeyboardEvent| {
            let Some((s, rev)) = &session else { return };
            let graph = picked::graph(&memo, &s.borrow(), drawn.borrow().frame.t0, *rev);
            let next = match (e.key().as_str(), *pick) {
                (
                    "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" | "Enter" | " " | "Home" | "End",
                    None,
                ) => cursor::start(&graph),
                ("Home", Some(p)) => picked::lane_end(&graph, p, false).or(Some(p)),
                ("End", Some(p)) => picked::lane_end(&graph, p, true).or(Some(p)),
                ("ArrowLeft", Some(p)) => picked::step(&graph, p, -1).or(Some(p)),
                ("ArrowRight", Some(p)) => picked::step(&graph, p, 1).or(Some(p)),
                ("ArrowUp", Some(p)) => cursor::across(&graph, p, -1).or(Some(p)),
                ("ArrowDown", Some(p)) => cursor::across(&graph, p, 1).or(Some(p)),
                ("Enter" | " ", Some(p)) => Some(cursor::compare(&graph, p)),
                _ => return,
            };
            e.prevent_default();
            pick.set(next);
        })
    };
    let lane = (*pick).map(|p| p.second.unwrap_or(p.first).0).and_then(|lane| {
        let p = player.as_ref()?;
        let name = p.session.borrow().sim().node_names().get(lane).cloned();
        name.map(AttrValue::from)
    });
    let on_leave = {
        let tip = tip.clone();
        Callback::from(move |_: PointerEvent| {
            *pointer.borrow_mut() = None;
            tip.set(None)
        })
    };
    html! {
        <section class="spacetime" aria-label="Space-time diagram" onkeydown={on_key}>
            <label class="spacetime-window">{"Window "}
                <select onchange={on_window}>
                    <option value="auto" selected={choice.is_none()}>{"auto"}</option>
                    { for NARROW_WINDOWS.iter().chain(&WINDOWS).map(|w| html! {
                        <option value={w.to_string()} selected={*choice == Some(*w)}>{label_ms(*w)}</option>
                    }) }
                </select>
            </label>
            <div class="spacetime-plot">
                // A Tab stop whose keys pick events (an application, so a screen reader lets the
                // arrows through); the caption below says each pick aloud.
                <canvas ref={canvas} class="spacetime-canvas" role="application" tabindex="0" onpointermove={on_move}
                    onpointerleave={on_leave} onclick={on_click} onkeydown={on_canvas_key}
                    aria-roledescription="space-time diagram"
                    aria-label="Space-time diagram: one lane per node, one arrow per message, coloured by kind as in the topology's legend. Arrows pick an event: left and right along its lane, up and down to the nearest on the next lane; Home and End go to the lane's first and last; Enter keeps it as a and picks b, the event before it, which the arrows then move; Enter again makes b the new a; Escape clears." />
                if let Some((text, place)) = (*tip).clone() {
                    <div class={classes!("tip", "spacetime-tip", place.starts_with("right").then_some("flip"))}
                        role="tooltip" style={place.clone()}>{text}</div>
                }
            </div>
            <PickCaption said={(*said).clone()} {lane} {on_step} {on_clear} />
            <figcaption class="spacetime-caption chart-exports">
                <span class="so-far" ref={note} aria-live="off"></span>
                <button class="export-png" onclick={png} aria-label="Save the space-time diagram as PNG">{"PNG"}</button>
                <button class="export-svg" onclick={svg} aria-label="Save the space-time diagram as SVG">{"SVG"}</button>
            </figcaption>
        </section>
    }
}
