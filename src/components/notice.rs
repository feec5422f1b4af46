//! The notice at the foot of the window: why a link or an action was refused, or what a change
//! cost (a fork dropped later actions, an event was removed) with its Undo. A problem stays until
//! dismissed. A change's notice folds after [`FOLD_MS`] into a chip that keeps its Undo: spread
//! across the page for the rest of a lecture it covered the legend, the lesson and the gallery
//! item about to be picked (review 15).

use crate::player::{Action, Player};
use yew::prelude::*;

/// How long a change's notice stays whole.
pub const FOLD_MS: u32 = 8_000;

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub reason: AttrValue,
}

/// The chip's words: the notice up to its first comma or colon ("A change at 4.992 s starts a new
/// future", "Removed crash n4 from the scenario").
pub fn headline(reason: &str) -> &str {
    reason.split([',', ':']).next().unwrap_or(reason).trim_end_matches('.')
}

#[function_component(Notice)]
pub fn notice(props: &NoticeProps) -> Html {
    let p = use_context::<Player>().expect("a player");
    // Beside the words that offered it only: a later message (a refusal) is not about the change.
    let undoable = p.undo.as_ref().is_some_and(|u| u.said == props.reason.as_str());
    let folded = use_state_eq(|| false);
    let banner = use_node_ref();
    {
        let (folded, banner) = (folded.clone(), banner.clone());
        use_effect_with((props.reason.clone(), undoable), move |(_, undoable)| {
            folded.set(false);
            // Not while the keyboard is on its buttons: folding would move them away. (The focus
            // a click's action rescued onto Undo does not hold it.)
            let fold = undoable.then(|| {
                gloo::timers::callback::Timeout::new(FOLD_MS, move || {
                    let doc = web_sys::window().and_then(|w| w.document());
                    let focus = doc.and_then(|d| d.active_element());
                    let inside = banner.get().zip(focus).is_some_and(|(b, f)| b.contains(Some(&f)));
                    if !(inside && crate::keys::focused_by_keyboard()) {
                        folded.set(true);
                    }
                })
            });
            move || drop(fold)
        });
    }
    let undo = {
        let (d, change) = (p.dispatch.clone(), p.undo.clone());
        Callback::from(move |_: MouseEvent| {
            // The button goes with the banner: the key goes to what Undo brings back, the first
            // event the change took out (its ×), else to the player (review 46 B3: it fell to
            // the page). Found on the click: quadratic in the events, not for every render.
            let back = change.as_ref().and_then(|u| u.before.events.iter().find(|e| !u.after.contains(e)));
            let mut to: Vec<String> =
                back.map(|e| format!(".fault-remove[data-at-ms=\"{}\"]", e.at_ms)).into_iter().collect();
            to.push("#play".into());
            d.emit(Action::Undo);
            crate::focus::rescue(to);
        })
    };
    let dismiss = {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Notice(None));
            // The banner goes with its button: the key goes on from the player (review 22).
            crate::focus::rescue(vec!["#play".into()]);
        })
    };
    let unfold = {
        let folded = folded.clone();
        Callback::from(move |_: MouseEvent| folded.set(false))
    };
    let text = if *folded {
        html! { <button class="unfold" aria-expanded="false" title={props.reason.clone()} onclick={unfold}>
        {crate::components::markdown::message(headline(&props.reason))}</button> }
    } else {
        html! { <span>{crate::components::markdown::message(&props.reason)}</span> }
    };
    html! {
        <div id="banner" ref={banner} class={classes!("banner", folded.then_some("folded"))} role="alert"
            aria-live={folded.then_some("off")}>
            {text}
            if undoable {
                <button class="undo" onclick={undo} aria-keyshortcuts="Control+Z Meta+Z" title="Undo (Ctrl+Z)">{"Undo"}</button>
            }
            <button class="dismiss" onclick={dismiss} aria-label="Dismiss">{"×"}</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::headline;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_folded_notice_keeps_its_first_clause() {
        let fork = "A change at 4.992 s starts a new future, without what you did later: crash n1.";
        assert_eq!(headline(fork), "A change at 4.992 s starts a new future");
        assert_eq!(
            headline("Removed `crash n4` from the scenario: the run replays without it."),
            "Removed `crash n4` from the scenario"
        );
        assert_eq!(headline("Nothing to fold."), "Nothing to fold");
    }
}
