//! A modal sheet over the page: the help sheet and the Embed dialog.
//!
//! It takes the focus when it opens (its foot's primary button, without scrolling the sheet off
//! its top), keeps Tab among its own controls, closes on its closing keys and on a click outside,
//! and gives the focus back to where it was when it closes. Keys pressed in it stay in it: Space on
//! one of its buttons must not also play the run behind it.

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ModalProps {
    pub id: AttrValue,
    pub title: AttrValue,
    pub on_close: Callback<()>,
    /// Keys that close it besides Esc (`?` closes the help sheet it opened).
    #[prop_or_default]
    pub also_closed_by: Option<&'static str>,
    #[prop_or_default]
    pub class: Classes,
    /// What sits in the sticky foot, first its primary button (which gets the focus).
    pub foot: Html,
    #[prop_or_default]
    pub children: Html,
}

/// What Tab moves among inside the sheet.
const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select, textarea, [tabindex=\"0\"]";

#[function_component(Modal)]
pub fn modal(props: &ModalProps) -> Html {
    let sheet = use_node_ref();
    {
        let sheet = sheet.clone();
        use_effect_with((), move |_| {
            let doc = web_sys::window().and_then(|w| w.document());
            let before = doc.and_then(|d| d.active_element()).and_then(|e| e.dyn_into::<HtmlElement>().ok());
            if let Some(s) = sheet.cast::<HtmlElement>() {
                let primary = s.query_selector(".dialog-foot .primary").ok().flatten();
                if let Some(b) = primary.and_then(|b| b.dyn_into::<HtmlElement>().ok()) {
                    let opts = web_sys::FocusOptions::new();
                    opts.set_prevent_scroll(true);
                    let _ = b.focus_with_options(&opts);
                }
                s.set_scroll_top(0);
            }
            move || {
                if let Some(el) = before {
                    let _ = el.focus();
                }
            }
        });
    }
    let on_key = {
        let (sheet, close, also) = (sheet.clone(), props.on_close.clone(), props.also_closed_by);
        Callback::from(move |e: KeyboardEvent| {
            let key = e.key();
            // The page's own shortcuts listen on the document, past this.
            e.stop_propagation();
            if key == "Tab" {
                e.prevent_default();
                if let Some(s) = sheet.cast::<HtmlElement>() {
                    cycle(&s, e.shift_key());
                }
            } else if key == "Escape" || (Some(key.as_str()) == also && !in_a_field(&e)) {
                e.prevent_default();
                close.emit(());
            }
        })
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    let title_id = format!("{}-title", props.id);
    html! {
        <div class="dialog-backdrop" onclick={close}>
            <div id={props.id.clone()} class={classes!("dialog", props.class.clone())} role="dialog"
                aria-modal="true" aria-labelledby={title_id.clone()} ref={sheet}
                onclick={Callback::from(|e: MouseEvent| e.stop_propagation())} onkeydown={on_key}>
                <h2 id={title_id}>{props.title.clone()}</h2>
                { props.children.clone() }
                <div class="dialog-foot">{ props.foot.clone() }</div>
            </div>
        </div>
    }
}

fn in_a_field(e: &KeyboardEvent) -> bool {
    let el = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    el.is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// Move the focus to the sheet's next (or previous) control, round from the last to the first.
fn cycle(sheet: &HtmlElement, back: bool) {
    let Ok(list) = sheet.query_selector_all(FOCUSABLE) else { return };
    let controls: Vec<HtmlElement> =
        (0..list.length()).filter_map(|i| list.get(i)?.dyn_into().ok()).collect();
    let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
    let at =
        controls.iter().position(|b| active.as_ref().is_some_and(|a| a == b.as_ref() as &web_sys::Element));
    let n = controls.len();
    if n == 0 {
        return;
    }
    let next = match (at, back) {
        (Some(i), false) => (i + 1) % n,
        (Some(i), true) => (i + n - 1) % n,
        (None, _) => n - 1,
    };
    let _ = controls[next].focus();
}
