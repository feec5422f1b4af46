//! The help sheet (opened with `?`): how to read the picture, the keys, and what clicking and
//! dragging do, since the topology's gestures are otherwise found only by accident.

use super::modal::Modal;
use super::picture_key::PictureKey;
use crate::keys::SHORTCUTS;
use yew::prelude::*;

/// What pointing does: (gesture, effect).
pub const GESTURES: &[(&str, &str)] = &[
    ("Click a node", "inspect it: fields, timers, recent messages; crash, pause, slow it"),
    ("Shift-drag a box", "cut the nodes inside off from the rest (or ✂ Partition, then tap)"),
    ("Hover a message", "its kind and payload"),
    ("Click a message", "hold it: read it, and lose it on the wire (it never arrives)"),
    ("Hover a space-time arrow", "which message it was: ends, send time, delivered or lost"),
    ("Click a space-time dot or arrow end", "pick that event: its causal past solid, its future ringed"),
    ("Then click (or shift-click) another", "which happened first, or concurrent, and why; Esc clears"),
    ("Press a kind in the legend", "spotlight it; the other kinds dim (in the space-time diagram too)"),
    ("Drag the timeline back", "travel in time; a change there starts a new future"),
];

#[derive(Properties, PartialEq)]
pub struct ShortcutsProps {
    pub on_close: Callback<()>,
}

/// The sheet opens at its top, with a way straight to the keys and the gestures under the
/// picture's key (review 15 C18: focusing Close scrolled it to its foot, or half-way, and the keys
/// were a screen down). In a short window it scrolls, with Close kept in sight at its foot.
#[function_component(Shortcuts)]
pub fn shortcuts(props: &ShortcutsProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    let jump = |id: &'static str, label: &'static str| {
        let onclick = Callback::from(move |_: MouseEvent| {
            let doc = web_sys::window().and_then(|w| w.document());
            if let Some(el) = doc.and_then(|d| d.query_selector(&format!("#shortcuts #{id}")).ok().flatten())
            {
                el.scroll_into_view_with_bool(true);
            }
        });
        html! { <button class="jump" {onclick}>{label}<span aria-hidden="true">{" ↓"}</span></button> }
    };
    let foot = html! { <button class="primary" onclick={close}>{"Close"}</button> };
    let single = use_state(crate::single_keys::on);
    let on_single = {
        let single = single.clone();
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
            crate::single_keys::set(on);
            single.set(on);
        })
    };
    html! {
        <Modal id="shortcuts" class="help" title="Help" on_close={props.on_close.clone()} also_closed_by="?" {foot}>
            <nav class="jumps" aria-label="On this sheet">
                {jump("help-keys", "Keyboard")}{jump("help-gestures", "Mouse and touch")}
            </nav>
            <h3>{"Reading the picture"}</h3>
            <PictureKey />
            <h3 id="help-keys">{"Keyboard"}</h3>
            <label class="single-keys">
                <input type="checkbox" checked={*single} onchange={on_single} />
                {" Single-key shortcuts: the letters and signs below (X, P, T, C, K, F, /, ?, + and −). \
                  Off, only Space, the arrows, Home and Esc act; kept for your next visit."}
            </label>
            <table class="keys">
                { for SHORTCUTS.iter().map(|(k, what)| html! { <tr><td><kbd>{*k}</kbd></td><td>{*what}</td></tr> }) }
            </table>
            <h3 id="help-gestures">{"Mouse and touch"}</h3>
            <table class="gestures">
                { for GESTURES.iter().map(|(g, what)| html! { <tr><td>{*g}</td><td>{*what}</td></tr> }) }
            </table>
        </Modal>
    }
}
