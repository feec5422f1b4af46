//! Space-time diagram: one lane per node, time left→right over a window ending at the playhead,
//! an arrow per message in its kind's colour (send → delivery, drops end in a red ✕, in-flight ones
//! dashed up to now), dots for timers, faults and notes, and "clock" notes as text; it follows the
//! legend's spotlight.
//! Painted by `crate::spacetime::paint`.

use crate::player::Player;
use crate::spacetime::paint::paint;
use crate::spacetime::{label_ms, Sticky, WINDOWS};
use web_sys::{HtmlCanvasElement, HtmlSelectElement};
use yew::prelude::*;

/// The diagram with its window-width select ("auto" picks from message latency).
#[function_component(SpaceTime)]
pub fn space_time() -> Html {
    let canvas = use_node_ref();
    let choice = use_state(|| None::<f64>);
    let sticky: Sticky = use_memo((), |_| std::rc::Rc::new(std::cell::Cell::new((0, None)))).as_ref().clone();
    let player = use_context::<Player>();
    {
        let (canvas, choice) = (canvas.clone(), *choice);
        let session = player.as_ref().map(|p| (p.session.clone(), p.view.clone(), p.spotlight.clone()));
        let rev = player.as_ref().map_or(0, |p| p.scenario_rev);
        let deps = (player.as_ref().map(|p| p.frame), rev, choice.map(|c| c as u64));
        use_effect_with(deps, move |_| {
            if let (Some(el), Some((s, view, spot))) = (canvas.cast::<HtmlCanvasElement>(), session) {
                paint(&el, &s.borrow(), &view, choice, (rev, &sticky), &spot);
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
                aria-label="Space-time diagram: one lane per node, one arrow per message, coloured by kind as in the topology's legend" />
        </section>
    }
}
