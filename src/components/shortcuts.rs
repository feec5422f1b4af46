//! The keyboard shortcut sheet (opened with `?`).

use crate::keys::SHORTCUTS;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShortcutsProps {
    pub on_close: Callback<()>,
}

#[function_component(Shortcuts)]
pub fn shortcuts(props: &ShortcutsProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="dialog-backdrop" onclick={close.clone()}>
            <div id="shortcuts" class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title"
                onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <h2 id="shortcuts-title">{"Keyboard shortcuts"}</h2>
                <table>
                    { for SHORTCUTS.iter().map(|(k, what)| html! { <tr><td><kbd>{*k}</kbd></td><td>{*what}</td></tr> }) }
                </table>
                <button class="primary" onclick={close} autofocus=true>{"Close"}</button>
            </div>
        </div>
    }
}
