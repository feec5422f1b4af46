//! Space-time diagram: one lane per node, time left→right over a window ending at the playhead,
//! an arrow per message in its kind's colour (send → delivery, drops end in a red ✕, in-flight ones
//! dashed up to now), dots for timers, faults and notes, and "clock" notes as text; it follows the
//! legend's spotlight. Hovering an arrow says what the message was and what became of it.
//! Painted by `crate::spacetime::paint`.

use crate::player::Player;
use crate::spacetime::hover::{describe, nearest, Arrow, Fate};
use crate::spacetime::paint::paint;
use crate::spacetime::{label_ms, Sticky, WINDOWS};
use dsplay_core::sim::trace::TraceKind;
use web_sys::{HtmlCanvasElement, HtmlSelectElement};
use yew::prelude::*;

/// How near (CSS px) the pointer must be to an arrow to describe it.
const HOVER_PX: f64 = 5.0;

/// The diagram with its window-width select ("auto" picks from message latency).
#[function_component(SpaceTime)]
pub fn space_time() -> Html {
    let canvas = use_node_ref();
    let choice = use_state(|| None::<f64>);
    let sticky: Sticky = use_memo((), |_| std::rc::Rc::new(std::cell::Cell::new((0, None)))).as_ref().clone();
    let arrows = use_mut_ref(Vec::<Arrow>::new);
    let tip = use_state_eq(|| None::<(String, String)>); // (text, position)
    let player = use_context::<Player>();
    {
        let (canvas, choice, arrows) = (canvas.clone(), *choice, arrows.clone());
        let session = player.as_ref().map(|p| (p.session.clone(), p.view.clone(), p.spotlight.clone()));
        let rev = player.as_ref().map_or(0, |p| p.scenario_rev);
        let deps = (player.as_ref().map(|p| p.frame), rev, choice.map(|c| c as u64));
        use_effect_with(deps, move |_| {
            if let (Some(el), Some((s, view, spot))) = (canvas.cast::<HtmlCanvasElement>(), session) {
                *arrows.borrow_mut() =
                    paint(&el, &s.borrow(), &view, choice, (rev, &sticky), &spot).unwrap_or_default();
            }
        });
    }
    let on_window = {
        let choice = choice.clone();
        Callback::from(move |e: Event| {
            choice.set(e.target_unchecked_into::<HtmlSelectElement>().value().parse().ok())
        })
    };
    let on_move = {
        let (tip, session) = (tip.clone(), player.as_ref().map(|p| p.session.clone()));
        Callback::from(move |e: PointerEvent| {
            let (x, y) = (e.offset_x() as f64, e.offset_y() as f64);
            let said = session.as_ref().and_then(|s| {
                let arrows = arrows.borrow();
                let a = nearest(&arrows, x, y, HOVER_PX)?;
                let s = s.borrow();
                let sim = s.sim();
                let records = sim.trace().records();
                let reason = (a.fate == Fate::Dropped)
                    .then(|| records.iter().rev().find(|r| r.kind == TraceKind::Drop && r.msg == a.msg))
                    .flatten()
                    .and_then(|r| r.text.as_deref());
                let detail = (a.fate == Fate::InFlight).then(|| sim.message_detail(a.msg)).flatten();
                Some(describe(a, sim.node_names(), reason, detail.as_deref()))
            });
            // In the right half it is anchored by its right edge and opens leftwards, on the canvas.
            let w = e.target_dyn_into::<web_sys::HtmlElement>().map_or(0.0, |c| c.offset_width() as f64);
            let place = if x > w / 2.0 {
                format!("right:{:.0}px;top:{y:.0}px", w - x)
            } else {
                format!("left:{x:.0}px;top:{y:.0}px")
            };
            tip.set(said.map(|text| (text, place)));
        })
    };
    let on_leave = {
        let tip = tip.clone();
        Callback::from(move |_: PointerEvent| tip.set(None))
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
            <div class="spacetime-plot">
                <canvas ref={canvas} class="spacetime-canvas" role="img" onpointermove={on_move}
                    onpointerleave={on_leave}
                    aria-label="Space-time diagram: one lane per node, one arrow per message, coloured by kind as in the topology's legend" />
                if let Some((text, place)) = (*tip).clone() {
                    <div class={classes!("tip", "spacetime-tip", place.starts_with("right").then_some("flip"))}
                        role="tooltip" style={place.clone()}>{text}</div>
                }
            </div>
        </section>
    }
}
