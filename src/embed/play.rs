//! With `controls=none` an embed has no transport bar, but a mouse or touch reader still needs to
//! start and stop it: one button at the stage's corner. Paused, it says Play (or "Replay" once the
//! run has ended), which is how a reader who prefers reduced motion starts it. Playing, it is a
//! small, faint Pause that brightens under the pointer or the focus: content that moves on its own
//! needs a pause control the reader can see (WCAG 2.2.2; review 23 B1: only Space or K, after
//! tabbing into the frame, could stop a widget playing on a phone).

use crate::player::{Action, Player};
use yew::prelude::*;

#[function_component(PlayOverlay)]
pub fn play_overlay() -> Html {
    let Some(p) = use_context::<Player>() else { return html! {} };
    if p.playing {
        let onclick = p.dispatch.reform(|_: MouseEvent| Action::Pause);
        return html! {
            <button class="embed-play playing" {onclick} aria-label="Pause" title="Pause (Space)">
                <span aria-hidden="true">{"❚❚"}</span>
            </button>
        };
    }
    let ended = p.session.borrow().finished();
    let onclick = {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            if ended {
                d.emit(Action::Restart);
            }
            d.emit(Action::Play);
        })
    };
    let (label, glyph) = if ended { ("Replay", "↺") } else { ("Play", "▶") };
    html! { <button class="embed-play" {onclick}><span aria-hidden="true">{glyph}</span>{format!(" {label}")}</button> }
}
