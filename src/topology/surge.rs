//! The ⚡ Surge button: a flash crowd by hand. Every open-loop client sends five times as fast for
//! five seconds from the playhead (a `surge` event, so the link replays it). Beside it, a load
//! knob: the clients' rate from the playhead to the end of the run, turned at any time while the
//! run plays (review 17, gap 2: the Editor's rate replays the run from 0).

use crate::player::{Action, Player};
use dsplay_core::scenario::{Arrival, Scenario};
use dsplay_core::ScenarioEvent;
use yew::prelude::*;

/// What one press does: load ×5 for 5 s.
pub const PRESS: ScenarioEvent = ScenarioEvent::Surge { rate_pct: 500, duration_ms: 5_000 };

/// Whether the scenario's clients generate open-loop load (a surge scales nothing else).
pub fn applies(sc: &Scenario) -> bool {
    matches!(sc.workload.arrival, Arrival::Open { rate_per_s } if rate_per_s > 0)
}

/// The button, pressed while a surge is in force; disabled (and saying why) without open-loop load.
pub fn button(p: &Player) -> Html {
    let applies = applies(p.session.borrow().scenario());
    // Pressed while its own ×5 is in force (the load knob beside it shows any other load).
    let on = p.view.load_pct == 500;
    let onclick = {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(Action::Act(PRESS)))
    };
    let title = if applies {
        "A flash crowd: every client sends 5× as fast for 5 s from now"
    } else {
        "No open-loop client load to surge here: the clients keep a fixed number of requests going, or send none"
    };
    html! {
        <button class={classes!("surge", on.then_some("on"))} aria-pressed={on.to_string()}
            disabled={!applies} {onclick} {title}><span aria-hidden="true">{"⚡ "}</span>{"Surge ×5"}</button>
    }
}

/// The load knob's settings, in percent of the workload's rate.
pub const LOADS_PCT: [u32; 8] = [25, 50, 100, 150, 200, 300, 500, 1_000];

/// A surge from `now_ms` to the run's end (at most an hour): the load knob set to `pct`.
pub fn from_now_on(pct: u32, now_ms: u64, stop_ms: u64) -> Option<ScenarioEvent> {
    let left = stop_ms.saturating_sub(now_ms).min(3_600_000);
    (left > 0).then_some(ScenarioEvent::Surge { rate_pct: pct, duration_ms: left })
}

/// The knob: the load in force now is the one selected (a setting the knob does not offer, such
/// as a scripted ×4 surge, is listed while it lasts).
pub fn knob(p: &Player) -> Html {
    let (applies, now_ms, stop_ms) = {
        let s = p.session.borrow();
        (applies(s.scenario()), s.now().as_us().div_ceil(1000), s.scenario().stop_at_ms)
    };
    let now_pct = p.view.load_pct;
    let mut offered = LOADS_PCT.to_vec();
    if !offered.contains(&now_pct) {
        offered.push(now_pct);
        offered.sort_unstable();
    }
    let onchange = {
        let (d, session) = (p.dispatch.clone(), p.session.clone());
        Callback::from(move |e: Event| {
            // The playhead as the knob is set, not as it was drawn: a frame or a seek later, the
            // surge ran to the end from an earlier instant (review 42).
            let now_ms = session.borrow().now().as_us().div_ceil(1000);
            let pct = e.target_dyn_into::<web_sys::HtmlSelectElement>().and_then(|s| s.value().parse().ok());
            if let Some(ev) = pct.and_then(|pct| from_now_on(pct, now_ms, stop_ms)) {
                d.emit(Action::Act(ev));
            }
        })
    };
    let title = if applies {
        "The clients' request rate from now to the end of the run (a surge event: the link replays it)"
    } else {
        "No open-loop client load to change here"
    };
    let ended = now_ms >= stop_ms;
    html! {
        <label class="load-knob" {title}>{"Load "}
            <select aria-label="Client load from now on" disabled={!applies || ended} {onchange}>
                {for offered.iter().map(|&pct| html! {
                    <option value={pct.to_string()} selected={pct == now_pct}>{format!("×{}", pct as f64 / 100.0)}</option>
                })}
            </select>
        </label>
    }
}
