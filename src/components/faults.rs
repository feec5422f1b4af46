//! The fault toolbar: heal, reset links, partition mode, and the scenario's event list (click an
//! event to jump to it).

use crate::player::{Action, Player};
use crate::topology::use_partition_mode;
use dsplay_core::{ScenarioEvent, SimTime};
use yew::prelude::*;

fn at_label(ms: u64) -> String {
    if ms >= 1000 {
        format!("{:.3} s", ms as f64 / 1000.0)
    } else {
        format!("{ms} ms")
    }
}

#[function_component(Faults)]
pub fn faults() -> Html {
    let p = use_context::<Player>();
    let mode = use_partition_mode();
    let Some(p) = p else { return html! {} };
    let act = |ev: ScenarioEvent| {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(Action::Act(ev.clone())))
    };
    let toggle = {
        let (set, on) = (mode.set.clone(), mode.on);
        Callback::from(move |_: MouseEvent| set.emit(!on))
    };
    let (events, now_ms) = {
        let s = p.session.borrow();
        let ev: Vec<(u64, String)> =
            s.scenario().events.iter().map(|e| (e.at_ms, e.event.describe())).collect();
        (ev, s.now().as_us() / 1000)
    };
    let items = events.iter().enumerate().map(|(i, (at, what))| {
        let d = p.dispatch.clone();
        let at = *at;
        let onclick = Callback::from(move |_: MouseEvent| d.emit(Action::Seek(SimTime::from_ms(at))));
        let class = classes!("fault-item", (at <= now_ms).then_some("past"));
        html! {
            <li key={i}>
                <button {class} {onclick} aria-label={format!("Jump to {what} at {}", at_label(at))}>
                    <span class="at">{at_label(at)}</span><span class="what">{what}</span>
                </button>
            </li>
        }
    });
    html! {
        <section class="faults" aria-label="Faults">
            <div class="fault-tools" role="toolbar" aria-label="Fault tools">
                <button class="heal" onclick={act(ScenarioEvent::Heal)} title="Remove all partitions and blocks">
                    {"Heal"}</button>
                <button class="reset-links" onclick={act(ScenarioEvent::ResetLinks)}
                    title="Restore the default network on every link">{"Reset links"}</button>
                <button class={classes!("partition-mode", mode.on.then_some("on"))} onclick={toggle}
                    aria-pressed={mode.on.to_string()} title="Tap nodes or drag a box in the topology">
                    {"✂ Partition mode"}</button>
            </div>
            if events.is_empty() {
                <p class="fault-empty">{"No scripted events yet. Everything you break by hand lands here."}</p>
            } else {
                <ol class="fault-list">{for items}</ol>
            }
        </section>
    }
}
