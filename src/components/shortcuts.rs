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

/// A modal sheet: it takes the focus when it opens (Close), keeps Tab among its buttons, and
/// gives the focus back to where it was when it closes. It opens at its top, with a way straight
/// to the keys and the gestures under the picture's key (review 15 C18: focusing Close scrolled it
/// to its foot, or half-way, and the keys were a screen down). In a short window it scrolls, with
/// Close kept in sight at its foot.
#[function_component(Shortcuts)]
pub fn shortcuts(props: &ShortcutsProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    let (sheet, button) = (use_node_ref(), use_node_ref());
    {
        let (sheet, button) = (sheet.clone(), button.clone());
        use_effect_with((), move |_| {
            let doc = web_sys::window().and_then(|w| w.document());
            let before = doc.and_then(|d| d.active_element()).and_then(|e| e.dyn_into::<HtmlElement>().ok());
            if let Some(b) = button.cast::<HtmlElement>() {
                let opts = web_sys::FocusOptions::new();
                opts.set_prevent_scroll(true);
                let _ = b.focus_with_options(&opts);
            }
            if let Some(s) = sheet.cast::<HtmlElement>() {
                s.set_scroll_top(0);
            }
            move || {
                if let Some(el) = before {
                    let _ = el.focus();
                }
            }
        });
    }
    let trap = {
        let sheet = sheet.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Tab" {
                e.prevent_default();
                if let Some(s) = sheet.cast::<HtmlElement>() {
                    cycle(&s, e.shift_key());
                }
            }
        })
    };
    let jump = |id: &'static str, label: &'static str| {
        let sheet = sheet.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let to =
                sheet.cast::<HtmlElement>().and_then(|s| s.query_selector(&format!("#{id}")).ok().flatten());
            if let Some(el) = to {
                el.scroll_into_view_with_bool(true);
            }
        });
        html! { <button class="jump" {onclick}>{label}</button> }
    };
    let jumps = html! { <>{jump("help-keys", "Keyboard ↓")}{jump("help-gestures", "Mouse and touch ↓")}</> };
    html! {
        <div class="dialog-backdrop" onclick={close.clone()}>
            <div id="shortcuts" class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title"
                ref={sheet} onclick={Callback::from(|e: MouseEvent| e.stop_propagation())} onkeydown={trap}>
                <h2 id="shortcuts-title">{"Help"}</h2>
                <nav class="jumps" aria-label="On this sheet">
                    {jumps}
                </nav>
                <h3>{"Reading the picture"}</h3>
                <PictureKey />
                <h3 id="help-keys">{"Keyboard"}</h3>
                <table class="keys">
                    { for SHORTCUTS.iter().map(|(k, what)| html! { <tr><td><kbd>{*k}</kbd></td><td>{*what}</td></tr> }) }
                </table>
                <h3 id="help-gestures">{"Mouse and touch"}</h3>
                <table class="gestures">
                    { for GESTURES.iter().map(|(g, what)| html! { <tr><td>{*g}</td><td>{*what}</td></tr> }) }
                </table>
                <div class="dialog-foot"><button ref={button} class="primary" onclick={close}>{"Close"}</button></div>
            </div>
        </div>
    }
}

/// Move the focus to the sheet's next (or previous) button, round from the last to the first.
fn cycle(sheet: &HtmlElement, back: bool) {
    let Ok(list) = sheet.query_selector_all("button") else { return };
    let buttons: Vec<HtmlElement> = (0..list.length()).filter_map(|i| list.get(i)?.dyn_into().ok()).collect();
    let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
    let at =
        buttons.iter().position(|b| active.as_ref().is_some_and(|a| a == b.as_ref() as &web_sys::Element));
    let n = buttons.len();
    if n == 0 {
        return;
    }
    let next = match (at, back) {
        (Some(i), false) => (i + 1) % n,
        (Some(i), true) => (i + n - 1) % n,
        (None, _) => n - 1,
    };
    let _ = buttons[next].focus();
}
