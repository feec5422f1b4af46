//! Accessible tabs: one label per child, one child shown.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TabsProps {
    pub labels: Vec<&'static str>,
    pub children: Children,
}

#[function_component(Tabs)]
pub fn tabs(props: &TabsProps) -> Html {
    let active = use_state(|| 0usize);
    let tab = |i: usize, label: &'static str| {
        let active = active.clone();
        let selected = *active == i;
        let onclick = Callback::from(move |_: MouseEvent| active.set(i));
        let id = format!("tab-{}", label.to_lowercase().replace(' ', "-"));
        html! {
            <button {id} role="tab" aria-selected={selected.to_string()} class={classes!("tab", selected.then_some("active"))} {onclick}>
                { label }
            </button>
        }
    };
    html! {
        <section class="tabs">
            <div role="tablist">{ for props.labels.iter().enumerate().map(|(i, l)| tab(i, l)) }</div>
            <div role="tabpanel" class="tab-panel">{ for props.children.iter().nth(*active) }</div>
        </section>
    }
}
