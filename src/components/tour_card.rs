//! The guided tour's card, under the stage: "Step k of N", the note said there
//! (untrusted link text, rendered by [`super::markdown`]), Back, Continue (Finish at the last
//! stop) and ×. The player pauses at each stop (see [`crate::player::TourMove`]); the card only
//! shows where the playhead is and asks for the next move.

use super::markdown::Markdown;
use crate::player::{Action, Player, TourMove};
use dsplay_core::scenario::tour::Tour;
use yew::prelude::*;

/// Marks the control that starts a tour, so the card may take the focus from it.
pub const START_MARK: &str = "data-tour-start";

/// Whether the card may take the focus: it is on the page (`<body>`, after a click on the stage
/// or a key), already in the card, or on the button that started the tour. Never from a field
/// the reader is typing in, or a control they went to; and never while the document does not
/// have the focus at all. In an embed that means the reader is on the course page, whose frame's
/// `<body>` looks focused: a tour's stop pulled the focus into the frame, and Space stopped
/// scrolling the chapter around it (review 56 A1).
fn may_take_focus() -> bool {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return false };
    if !doc.has_focus().unwrap_or(false) {
        return false;
    }
    doc.active_element().is_none_or(|el| {
        el.tag_name() == "BODY"
            || el.closest(".tour-card").ok().flatten().is_some()
            || el.has_attribute(START_MARK)
    })
}

#[derive(Properties, PartialEq)]
pub struct TourCardProps {
    /// Scroll the page to show the whole card at each stop (not in an embed: scrolling there
    /// would move the course page around the frame).
    #[prop_or(true)]
    pub scroll: bool,
}

#[function_component(TourCard)]
pub fn tour_card(props: &TourCardProps) -> Html {
    let scroll = props.scroll;
    let p = use_context::<Player>();
    let rev = p.as_ref().map(|p| p.scenario_rev);
    let memo = {
        let p = p.clone();
        use_memo(rev, move |_| {
            p.map(|p| {
                let s = p.session.borrow();
                let tour = Tour::of(s.scenario());
                let stale = stale_stops(s.scenario(), &tour);
                (tour, stale)
            })
            .unwrap_or_default()
        })
    };
    let (tour, stale_from) = (&memo.0, &memo.1);
    let (next, card) = (use_node_ref(), use_node_ref());
    let on = p.as_ref().is_some_and(|p| p.tour) && !tour.is_empty();
    // While a seek travels, the card already shows where it is heading.
    let now = p.as_ref().map(|p| p.travel.map_or(p.session.borrow().now(), |t| t.at)).unwrap_or_default();
    let shown = tour.shown(now);
    let at_stop =
        on && shown.is_some_and(|k| tour.stops[k].at == now) && !p.as_ref().is_some_and(|p| p.playing);
    {
        let (next, card) = (next.clone(), card.clone());
        use_effect_with((on, shown, at_stop), move |&(on, _, at_stop)| {
            if !(on && (at_stop || shown.is_none())) {
                return;
            }
            // The whole card in sight, its buttons too: under the stage at 1366×768 it started
            // below the fold, and Continue could not be seen. And as much of the stage above it as
            // the window holds: on a phone a tour started from the lesson below scrolled up only
            // until the card's top showed, and step 1's servers were off the screen above it
            // (review 32 B5). So the stage and card together when they fit, else the card at the
            // window's foot.
            if let Some(c) = card.cast::<web_sys::Element>().filter(|_| scroll) {
                let opts = web_sys::ScrollIntoViewOptions::new();
                let window_h = web_sys::window().and_then(|w| w.inner_height().ok()?.as_f64()).unwrap_or(0.0);
                let stage = c.closest(".stage-view").ok().flatten();
                match stage.filter(|v| v.get_bounding_client_rect().height() <= window_h) {
                    Some(both) => {
                        opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                        both.scroll_into_view_with_scroll_into_view_options(&opts);
                    }
                    None => {
                        opts.set_block(web_sys::ScrollLogicalPosition::End);
                        c.scroll_into_view_with_scroll_into_view_options(&opts);
                    }
                }
            }
            if may_take_focus() {
                if let Some(b) = next.cast::<web_sys::HtmlElement>() {
                    let opts = web_sys::FocusOptions::new();
                    opts.set_prevent_scroll(true);
                    let _ = b.focus_with_options(&opts);
                }
            }
        });
    }
    let Some(p) = p.filter(|_| on) else { return html! {} };
    let go = |m: TourMove| p.dispatch.reform(move |_: MouseEvent| Action::Tour(m));
    // A move that may take the card away, and the key with it: the key goes on from Play. The ×
    // (review 22), and Finish (review 41 B2: focus fell to the page's body and a screen reader
    // lost its place). A rescue moves it only if it was lost.
    let go_on_from_play = |m: TourMove| {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Tour(m));
            crate::focus::rescue(vec!["#play".into()]);
        })
    };
    let (exit, continue_) = (go_on_from_play(TourMove::Exit), go_on_from_play(TourMove::Continue));
    let last = shown == Some(tour.len() - 1);
    // A stop after a change tells the run as shipped, not the one on the screen.
    let stale = shown.and_then(|k| stale_from.get(k).copied().flatten());
    let (step, text) = match shown {
        Some(k) => (format!("Step {} of {}", k + 1, tour.len()), tour.stops[k].text.clone()),
        None => (
            format!("A tour in {} steps", tour.len()),
            "The run plays to the first step and stops there.".into(),
        ),
    };
    html! {
        <section ref={card} class={classes!("tour-card", p.playing.then_some("playing"))} aria-label="Tour">
            // Read once on arriving at a stop (the narrator leaves the tour's notes to this).
            <div class="tour-said" aria-live="polite" aria-atomic="true">
                <p class="tour-step">{step}</p>
                <Markdown text={AttrValue::from(text)} />
                if let Some(at) = stale {
                    <p class="tour-stale">{format!(
                        "You changed this run at {:.2} s: from there on the tour tells the run as shipped.",
                        at.as_ms_f64() / 1000.0
                    )}</p>
                }
            </div>
            <div class="tour-buttons">
                <button class="tour-back" onclick={go(TourMove::Back)} disabled={shown.is_none() && now.as_us() == 0}
                    title="Back to the step before (←)">{"← Back"}</button>
                <button ref={next} class="tour-next primary" onclick={continue_}
                    title={if last { "Play to the end and leave the tour (Enter)" } else { "Play to the next step (Enter or →)" }}>
                    {if last { "Finish" } else { "Continue →" }}</button>
            </div>
            <button class="tour-exit icon" onclick={exit} aria-label="Exit the tour" title="Exit the tour (Esc)">{"×"}</button>
        </section>
    }
}

/// Per stop of `tour`, when the run was changed if the stop says one of the preset's own notes
/// from then on (it tells the run as shipped); `None` for a stop of the teacher's own notes,
/// which were written for this run (review 30 B1: an author's own tour said "You changed this
/// run" on every step, in course pages too).
fn stale_stops(sc: &dsplay_core::Scenario, tour: &Tour) -> Vec<Option<dsplay_core::SimTime>> {
    let Some(stale) = dsplay_core::presets::StaleNotes::of(sc) else { return vec![None; tour.len()] };
    let said_at = |at: dsplay_core::SimTime| {
        sc.events.iter().filter(move |e| dsplay_core::SimTime::from_ms(e.at_ms) == at).filter_map(
            |e| match &e.event {
                dsplay_core::ScenarioEvent::Note { text } => Some(text.as_str()),
                _ => None,
            },
        )
    };
    let marked = |at| said_at(at).any(|text| stale.covers(at, text)).then_some(stale.from);
    tour.stops.iter().map(|stop| marked(stop.at)).collect()
}
