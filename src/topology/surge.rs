//! The ⚡ Surge button: a flash crowd by hand. Every open-loop client sends five times as fast for
//! five seconds from the playhead (a `surge` event, so the link replays it).

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
    let on = p.view.load_pct != 100;
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
            disabled={!applies} {onclick} {title}>{"⚡ Surge ×5"}</button>
    }
}
