//! Accessible tabs: one label per child, one child shown. The WAI-ARIA tabs pattern: only the
//! selected tab is in the Tab order, and ←/→ (wrapping), Home and End select and focus another.
//! A panel is mounted when first shown and then kept, `hidden`, so what the user typed or built in
//! it (an unapplied edit, Compare's run B) survives a visit to another tab. A kept panel learns
//! whether it is shown from [`use_panel_shown`], so a hidden canvas is not painted every frame.

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

/// Whether the tab panel around a component is the one shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PanelShown(pub bool);

/// `false` inside a hidden tab panel; `true` inside the shown one and outside any tabs.
#[hook]
pub fn use_panel_shown() -> bool {
    use_context::<PanelShown>().is_none_or(|s| s.0)
}

#[derive(Properties, PartialEq)]
pub struct TabsProps {
    pub labels: Vec<&'static str>,
    /// What the tab list is, for a screen reader ("Run views"): two lists on one page were both
    /// just "tab list".
    #[prop_or_default]
    pub name: &'static str,
    /// The tab shown first (the first one unless said).
    #[prop_or_default]
    pub first: usize,
    pub children: Children,
}

#[function_component(Tabs)]
pub fn tabs(props: &TabsProps) -> Html {
    let active = use_state(|| props.first);
    // Which panels have been shown: those stay mounted.
    let shown_once = use_mut_ref(Vec::<bool>::new);
    {
        let mut seen = shown_once.borrow_mut();
        seen.resize(props.labels.len(), false);
        if let Some(s) = seen.get_mut(*active) {
            *s = true;
        }
    }
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
                tabindex={if selected { "0" } else { "-1" }} aria-controls={format!("{}-panel", tab_id(label))}
                class={classes!("tab", selected.then_some("active"))} {onclick} {onkeydown}>
                { label }
            </button>
        }
    };
    let seen = shown_once.borrow().clone();
    let panel = |(i, child): (usize, Html)| {
        let label = props.labels.get(i).copied().unwrap_or_default();
        let mounted = seen.get(i).copied().unwrap_or(false);
        html! {
            // Focusable, as the ARIA tabs pattern has it: Tab from the tab lands on the panel's
            // top. The lesson's first focusable was its foot's Edit button, so Tab past the
            // Lesson tab scrolled the lesson to its end (review 15 C19).
            <div role="tabpanel" id={format!("{}-panel", tab_id(label))} aria-labelledby={tab_id(label)}
                class="tab-panel" tabindex="0" hidden={i != *active}>
                if mounted {
                    <ContextProvider<PanelShown> context={PanelShown(i == *active)}>{child}</ContextProvider<PanelShown>>
                }
            </div>
        }
    };
    html! {
        <section class="tabs">
            <div role="tablist" aria-label={(!props.name.is_empty()).then_some(props.name)}>{ for props.labels.iter().enumerate().map(|(i, l)| tab(i, l)) }</div>
            { for props.children.iter().enumerate().map(panel) }
        </section>
    }
}
