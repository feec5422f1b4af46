//! With `controls=none` an embed has no transport bar. Without autoplay (or under
//! `prefers-reduced-motion`, which turns autoplay off) a mouse or touch reader still needs a way
//! to start it: one play button at the stage's corner while paused, "replay" once it has ended.

use crate::player::{Action, Player};
use yew::prelude::*;

#[function_component(PlayOverlay)]
pub fn play_overlay() -> Html {
    let Some(p) = use_context::<Player>() else { return html! {} };
    if p.playing {
        return html! {};
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
