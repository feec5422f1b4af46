//! Accessible tabs: one label per child, one child shown. The WAI-ARIA tabs pattern: only the
//! selected tab is in the Tab order, and ←/→ (wrapping), Home and End select and focus another.

use wasm_bindgen::JsCast;
use yew::prelude::*;

fn tab_id(label: &str) -> String {
    format!("tab-{}", label.to_lowercase().replace(' ', "-"))
}

/// Where a key moves the selection among `n` tabs from `i`, if it is one of the tab keys.
fn moved(key: &str, i: usize, n: usize) -> Option<usize> {
    match key {
        "ArrowRight" => Some((i + 1) % n),
        "ArrowLeft" => Some((i + n - 1) % n),
        "Home" => Some(0),
        "End" => Some(n - 1),
        _ => None,
    }
}

#[derive(Properties, PartialEq)]
pub struct TabsProps {
    pub labels: Vec<&'static str>,
    pub children: Children,
}

#[function_component(Tabs)]
pub fn tabs(props: &TabsProps) -> Html {
    let active = use_state(|| 0usize);
    let labels = props.labels.clone();
    let tab = |i: usize, label: &'static str| {
        let selected = *active == i;
        let onclick = {
            let active = active.clone();
            Callback::from(move |_: MouseEvent| active.set(i))
        };
        let onkeydown = {
            let (active, labels) = (active.clone(), labels.clone());
            Callback::from(move |e: KeyboardEvent| {
                let Some(j) = moved(&e.key(), i, labels.len()) else { return };
                e.prevent_default();
                active.set(j);
                let doc = web_sys::window().and_then(|w| w.document());
                if let Some(el) = doc.and_then(|d| d.get_element_by_id(&tab_id(labels[j]))) {
                    let _ = el.dyn_into::<web_sys::HtmlElement>().map(|el| el.focus());
                }
            })
        };
        html! {
            <button id={tab_id(label)} role="tab" aria-selected={selected.to_string()}
                tabindex={if selected { "0" } else { "-1" }} aria-controls={selected.then(|| format!("{}-panel", tab_id(label)))}
                class={classes!("tab", selected.then_some("active"))} {onclick} {onkeydown}>
                { label }
            </button>
        }
    };
    let shown = props.labels.get(*active).copied().unwrap_or_default();
    html! {
        <section class="tabs">
            <div role="tablist">{ for props.labels.iter().enumerate().map(|(i, l)| tab(i, l)) }</div>
            <div role="tabpanel" id={format!("{}-panel", tab_id(shown))} aria-labelledby={tab_id(shown)}
                class="tab-panel">{ for props.children.iter().nth(*active) }</div>
        </section>
    }
}
