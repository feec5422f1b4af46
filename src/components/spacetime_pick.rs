//! Under the space-time diagram, what is picked: the event (lane, time, what it did, its
//! clocks), the cones' key, a second event and the verdict on the two; buttons step the pick
//! along its lane without a mouse, and clear it. A screen reader hears the pick from a live
//! region of its own that is always there (one put in the page with its text is often not
//! said), holding only the pick and the verdict, in words (review 41 C1, C2: "b right arrow a",
//! and the buttons and the key re-read at every pick).

use super::narrator::spoken;
use crate::spacetime::pick::HEADS;
use crate::spacetime::picked::Said;
use yew::prelude::*;

/// The pick as it should be heard: the verdict's arrows in words, then [`spoken`].
pub fn heard(said: &Said) -> String {
    let mut lines = vec![format!("a: {}", said.first)];
    lines.extend(said.second.as_ref().map(|b| format!("b: {b}")));
    lines.extend(
        said.verdict
            .as_ref()
            .map(|v| HEADS.iter().fold(v.clone(), |v, (head, words)| v.replacen(head, words, 1))),
    );
    spoken(&lines.join(". "))
}

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
    let live = html! {
        <p class="sr-only pick-heard" aria-live="polite" aria-atomic="true">{p.said.as_ref().map(heard)}</p>
    };
    let Some(said) = &p.said else {
        return html! {<>
            {live}
            <p class="spacetime-pick">
                {"Click (tap) a dot or an arrow's end to pick an event and see its causal past and future; then click (or shift-click) a second to ask which happened first. From the keyboard: Tab to the diagram, then the arrows (Home and End for a lane's first and last) and Enter. A node selected on the stage has its messages brought forward."}
            </p>
        </>};
    };
    let lane = p.lane.clone().unwrap_or_default();
    let step = |by: isize| p.on_step.reform(move |_: MouseEvent| by);
    // Clear takes these buttons away, Clear too: the key goes back to the diagram (review 41
    // B3: it fell to the page's body).
    let clear = p.on_clear.reform(|_: MouseEvent| {
        crate::focus::rescue(vec![".spacetime-canvas".into()]);
    });
    html! {<>
        {live}
        <div class="spacetime-pick">
            <div aria-hidden="true">
                <p class="pick-first"><b>{"a: "}</b>{&said.first}</p>
                if let Some(second) = &said.second {
                    <p class="pick-second"><b>{"b: "}</b>{second}</p>
                }
                if let Some(verdict) = &said.verdict {
                    <p class="pick-verdict">{verdict}</p>
                }
            </div>
            <p class="pick-key">
                <span class="pick-past"><span aria-hidden="true">{"● "}</span>{"its past"}</span>{" · "}
                <span class="pick-future"><span aria-hidden="true">{"○ "}</span>{"its future"}</span>
                {" · faded: concurrent. "}
                if said.beyond { {"Its past goes on before the window. "} }
                if said.second.is_none() { {"Click (or shift-click) a second event, or press Enter, to compare; "} }
                {"Esc or a click on empty space clears."}
            </p>
            <p class="pick-buttons">
                <button class="pick-prev" onclick={step(-1)} aria-label={format!("Previous event on {lane}")}>{format!("◀ Previous on {lane}")}</button>
                <button class="pick-next" onclick={step(1)} aria-label={format!("Next event on {lane}")}>{format!("Next on {lane} ▶")}</button>
                <button class="pick-clear" onclick={clear}>{"Clear"}</button>
            </p>
        </div>
    </>}
}
