//! The scenario's event list: every scripted fault and everything broken by hand, in time order.
//! Click an event to jump to it. (The network tools sit under the topology.)

use crate::player::{Action, Player};
use dsplay_core::SimTime;
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
    let Some(p) = p else { return html! {} };
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
        <section class="faults" aria-label="Scenario events">
            if events.is_empty() {
                <p class="fault-empty">{"No scripted events yet. Everything you break by hand lands here."}</p>
            } else {
                <ol class="fault-list">{for items}</ol>
            }
        </section>
    }
}
