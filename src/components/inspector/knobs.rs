//! The node's settings that can change while it runs (a balancer's algorithm, a gateway's
//! dispatch and rate limiter): a menu each, showing the one in force. A choice is a `tune` event
//! at the playhead, so the run before it stays as it was, the link carries it, and its × in the
//! event list takes it back: switch round robin to least connections at 10 s and watch the slow backend's pile drain.

use crate::player::Action;
use dsplay_core::sim::Simulation;
use dsplay_core::{NodeId, ScenarioEvent};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// A menu per knob of node `id` (`node` by name); nothing for a node without knobs.
pub fn knobs(sim: &dyn Simulation, id: NodeId, node: &str, dispatch: &Callback<Action>) -> Html {
    let knobs = sim.knobs(id);
    if knobs.is_empty() {
        return html! {};
    }
    let menus = knobs.into_iter().map(|k| {
        let onchange = {
            let (d, node, knob) = (dispatch.clone(), node.to_string(), k.name);
            Callback::from(move |e: Event| {
                let Some(to) = e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()) else { return };
                d.emit(Action::Act(ScenarioEvent::Tune { node: node.clone(), knob: knob.into(), to }));
            })
        };
        // Keyed by what is in force: a menu the user changed shows the new value once it holds,
        // and the old one again after Undo.
        let key = format!("{node}/{}/{}", k.name, k.now);
        html! {
            <label {key} class="knob" data-knob={k.name}>{k.name.replace('_', " ")}
                <select {onchange}>{for k.values.iter().map(|v| html! {
                    <option value={*v} selected={*v == k.now}>{v.replace('_', " ")}</option>
                })}</select>
            </label>
        }
    });
    html! {
        <fieldset class="knobs" title="A change takes effect from the playhead on: the run before it stays as it was">
            <legend>{"Settings, from now on"}</legend>
            {for menus}
        </fieldset>
    }
}
