//! An embed has no inspector (no room for it), so a node clicked there got a ring and nothing
//! else: a student could break nothing but the network. This bar, over the stage's foot while a
//! node is selected, names the node and offers what a student breaks a node with: crash or
//! restart, pause or resume. Each is a timed scenario event, as in the full app.
//!
//! The full app on a phone has the inspector, but under the stage: scrolled to on a tap, it took
//! the stage out of sight, and a Crash pressed there showed nothing happen. There the bar appears
//! too (the stylesheet shows it only in one column), with "Details" to go down to the inspector.

use crate::player::{Action, Player};
use dsplay_core::view::Status;
use dsplay_core::ScenarioEvent as Ev;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NodeBarProps {
    /// Offer a button down to the inspector (the full app's bar).
    #[prop_or_default]
    pub details: bool,
}

#[function_component(NodeBar)]
pub fn node_bar(props: &NodeBarProps) -> Html {
    let p = use_context::<Player>();
    let bar = use_node_ref();
    let picked = p
        .as_ref()
        .and_then(|p| p.selected.and_then(|id| p.view.nodes.get(id.index())))
        .map(|n| n.name.clone());
    {
        let bar = bar.clone();
        use_effect_with(picked, move |picked| clear_of_bar(&bar, picked.as_deref()));
    }
    let Some(p) = p else { return html! {} };
    let Some(n) = p.selected.and_then(|id| p.view.nodes.get(id.index())) else { return html! {} };
    let node = n.name.clone();
    let act = |ev: Ev| {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Act(ev.clone()));
            // The button pressed goes (Crash becomes Restart): the key goes on from its counterpart.
            let then = match &ev {
                Ev::Crash { .. } => ".node-bar button.restart",
                Ev::Restart { .. } => ".node-bar button.crash",
                Ev::Pause { .. } => ".node-bar button.resume",
                _ => ".node-bar button.pause",
            };
            crate::focus::rescue(vec![then.into(), ".node-bar button.close".into()]);
        })
    };
    let (crash_or_restart, pause_or_resume) = match n.status {
        Status::Up => (
            html! { <button class="crash" onclick={act(Ev::Crash { node: node.clone() })}>{"Crash"}</button> },
            html! { <button class="pause" onclick={act(Ev::Pause { node: node.clone() })}>{"Pause"}</button> },
        ),
        Status::Down => (
            html! { <button class="restart" onclick={act(Ev::Restart { node: node.clone() })}>{"Restart"}</button> },
            html! {},
        ),
        Status::Paused => (
            html! {},
            html! { <button class="resume" onclick={act(Ev::Resume { node: node.clone() })}>{"Resume"}</button> },
        ),
    };
    let close = {
        let (d, back) = (p.dispatch.clone(), crate::components::inspector::node_focus(&node));
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Select(None));
            // The bar goes with its ×: the key goes back to the node (review 22).
            crate::focus::rescue(vec![back.clone()]);
        })
    };
    html! {
        <div class="node-bar" ref={bar} role="group" aria-label={format!("{node}: actions")}>
            <span class="who"><strong>{&node}</strong>{" "}<span class="muted">{&n.view.label}</span></span>
            {crash_or_restart}
            {pause_or_resume}
            if props.details {
                <button class="details" onclick={Callback::from(|_: MouseEvent| to_inspector())}
                    title="The node's fields, timers and messages, under the stage">{"Details ↓"}</button>
            }
            <button class="close" aria-label="Deselect" onclick={close}>{"×"}</button>
        </div>
    }
}

/// On a phone the bar sticks to the screen's foot, over the stage: a node picked near the foot
/// had its labels and log under the bar (review 32 B8). The page scrolls the node's whole drawing
/// clear of it: the one-column layout keeps `scroll-padding-bottom` free for the bar. Nothing
/// moves where the bar is not shown (an embed's bar floats in the stage, wider screens hide it).
fn clear_of_bar(bar: &NodeRef, picked: Option<&str>) {
    let shown = bar.cast::<web_sys::HtmlElement>().is_some_and(|b| b.offset_parent().is_some());
    let in_app =
        bar.cast::<web_sys::Element>().is_some_and(|b| b.closest(".app.embed").ok().flatten().is_none());
    let Some(name) = picked.filter(|_| shown && in_app) else { return };
    let doc = web_sys::window().and_then(|w| w.document());
    let selector = format!(".topo-svg .node[data-node=\"{}\"]", name.replace(['"', '\\'], ""));
    if let Some(node) = doc.and_then(|d| d.query_selector(&selector).ok().flatten()) {
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
        opts.set_inline(web_sys::ScrollLogicalPosition::Nearest);
        node.scroll_into_view_with_scroll_into_view_options(&opts);
    }
}

fn to_inspector() {
    let doc = web_sys::window().and_then(|w| w.document());
    if let Some(el) = doc.and_then(|d| d.query_selector(".inspector").ok().flatten()) {
        el.scroll_into_view_with_bool(true);
    }
}
