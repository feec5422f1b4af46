//! The help sheet (opened with `?`): how to read the picture, the keys, and what clicking and
//! dragging do, since the topology's gestures are otherwise found only by accident.

use super::picture_key::PictureKey;
use crate::keys::SHORTCUTS;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

/// What pointing does: (gesture, effect).
pub const GESTURES: &[(&str, &str)] = &[
    ("Click a node", "inspect it: fields, timers, recent messages; crash, pause, slow it"),
    ("Shift-drag a box", "cut the nodes inside off from the rest (or ✂ Partition, then tap)"),
    ("Hover a message", "its kind and payload"),
    ("Hover a space-time arrow", "which message it was: ends, send time, delivered or lost"),
    ("Press a kind in the legend", "spotlight it; the other kinds dim (in the space-time diagram too)"),
    ("Drag the timeline back", "travel in time; a change there starts a new future"),
];

#[derive(Properties, PartialEq)]
pub struct ShortcutsProps {
    pub on_close: Callback<()>,
}

/// A modal sheet: it takes the focus when it opens (its one control, Close), keeps Tab inside, and
/// gives the focus back to where it was when it closes. In a short window it scrolls, with Close
/// kept in sight at its foot.
#[function_component(Shortcuts)]
pub fn shortcuts(props: &ShortcutsProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    let button = use_node_ref();
    {
        let button = button.clone();
        use_effect_with((), move |_| {
            let doc = web_sys::window().and_then(|w| w.document());
            let before = doc.and_then(|d| d.active_element()).and_then(|e| e.dyn_into::<HtmlElement>().ok());
            if let Some(b) = button.cast::<HtmlElement>() {
                let _ = b.focus();
            }
            move || {
                if let Some(el) = before {
                    let _ = el.focus();
                }
            }
        });
    }
    let trap = Callback::from(|e: KeyboardEvent| {
        if e.key() == "Tab" {
            e.prevent_default();
        }
    });
    html! {
        <div class="dialog-backdrop" onclick={close.clone()}>
            <div id="shortcuts" class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title"
                onclick={Callback::from(|e: MouseEvent| e.stop_propagation())} onkeydown={trap}>
                <h2 id="shortcuts-title">{"Help"}</h2>
                <h3>{"Reading the picture"}</h3>
                <PictureKey />
                <h3>{"Keyboard"}</h3>
                <table class="keys">
                    { for SHORTCUTS.iter().map(|(k, what)| html! { <tr><td><kbd>{*k}</kbd></td><td>{*what}</td></tr> }) }
                </table>
                <h3>{"Mouse and touch"}</h3>
                <table class="gestures">
                    { for GESTURES.iter().map(|(g, what)| html! { <tr><td>{*g}</td><td>{*what}</td></tr> }) }
                </table>
                <div class="dialog-foot"><button ref={button} class="primary" onclick={close}>{"Close"}</button></div>
            </div>
        </div>
    }
}
