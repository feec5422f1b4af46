//! Under the space-time diagram, what is picked: the event (lane, time, what it did, its
//! clocks), the cones' key, a second event and the verdict on the two, in a live region so a
//! screen reader hears it; buttons step the pick along its lane without a mouse, and clear it.

use crate::spacetime::picked::Said;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PickCaptionProps {
    pub said: Option<Said>,
    /// The lane the buttons step along.
    pub lane: Option<AttrValue>,
    pub on_step: Callback<isize>,
    pub on_clear: Callback<()>,
}

/// The pick's caption, or how to pick when nothing is.
#[function_component(PickCaption)]
pub fn pick_caption(p: &PickCaptionProps) -> Html {
    let Some(said) = &p.said else {
        return html! {
            <p class="spacetime-pick" aria-live="polite">
                {"Click (tap) a dot or an arrow's end to pick an event and see its causal past and future; then click (or shift-click) a second to ask which happened first. From the keyboard: Tab to the diagram, then the arrows (Home and End for a lane's first and last) and Enter. A node selected on the stage has its messages brought forward."}
            </p>
        };
    };
    let lane = p.lane.clone().unwrap_or_default();
    let step = |by: isize| p.on_step.reform(move |_: MouseEvent| by);
    // Clear takes these buttons away, Clear too: the key goes back to the diagram (review 41
    // B3: it fell to the page's body).
    let clear = p.on_clear.reform(|_: MouseEvent| {
        crate::focus::rescue(vec![".spacetime-canvas".into()]);
    });
    html! {
        <div class="spacetime-pick" aria-live="polite">
            <p class="pick-first"><b>{"a: "}</b>{&said.first}</p>
            if let Some(second) = &said.second {
                <p class="pick-second"><b>{"b: "}</b>{second}</p>
            }
            if let Some(verdict) = &said.verdict {
                <p class="pick-verdict">{verdict}</p>
            }
            <p class="pick-key">
                <span class="pick-past">{"● its past"}</span>{" · "}
                <span class="pick-future">{"○ its future"}</span>
                {" · faded: concurrent. "}
                if said.beyond { {"Its past goes on before the window. "} }
                if said.second.is_none() { {"Click (or shift-click) a second event, or press Enter, to compare; "} }
                {"Esc or a click on empty space clears."}
            </p>
            <p class="pick-buttons">
                <button class="pick-prev" onclick={step(-1)}>{format!("◀ Previous on {lane}")}</button>
                <button class="pick-next" onclick={step(1)}>{format!("Next on {lane} ▶")}</button>
                <button class="pick-clear" onclick={clear}>{"Clear"}</button>
            </p>
        </div>
    }
}
