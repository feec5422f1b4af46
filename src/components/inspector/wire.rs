//! The messages on the wire to and from the node, with a button to lose each: what a click on a
//! message's dot does on the stage, from the keyboard and for a screen reader (review 22: the dots
//! are drawn on a canvas, so losing one needed a pointer). Listed while paused, as RaftScope's
//! drop is used; while the run plays they come and go faster than a row can be read.

use crate::components::invariants::secs;
use crate::player::Action;
use dsplay_core::view::WorldView;
use dsplay_core::{NodeId, ScenarioEvent};
use yew::prelude::*;

/// Most messages listed; the rest are counted.
const LISTED: usize = 8;

/// The list for node `id`, soonest to arrive first.
pub fn on_the_wire(
    view: &WorldView,
    id: NodeId,
    (playing, ended): (bool, bool),
    dispatch: &Callback<Action>,
) -> Html {
    let mut ends: Vec<_> = view.in_flight.iter().filter(|m| m.from == id || m.to == id).collect();
    if ends.is_empty() {
        return html! {};
    }
    if playing {
        let n = ends.len();
        let said =
            format!("{n} message{} on the wire: pause to list and lose one.", if n == 1 { "" } else { "s" });
        return html! { <><h3>{"On the wire"}</h3><p class="muted wire-count">{said}</p></> };
    }
    ends.sort_by_key(|m| (m.deliver_at, m.id));
    let name = |n: NodeId| view.nodes.get(n.index()).map_or("?", |v| v.name.as_str());
    let rows = ends.iter().take(LISTED).map(|m| {
        let what = format!("{} {} → {}", m.kind, name(m.from), name(m.to));
        let copy = if m.duplicate { " (a copy)" } else { "" };
        let onclick = {
            let (d, id) = (dispatch.clone(), m.id);
            Callback::from(move |_: MouseEvent| {
                d.emit(Action::Act(ScenarioEvent::LoseMessage { id }));
                // Its row goes: the key goes on to the next message's button, or the actions.
                crate::focus::rescue(vec![".wire button.lose".into(), ".inspector .actions button".into()]);
            })
        };
        html! {
            <li key={m.id}>
                <span>{format!("#{} {what}{copy}", m.id)}</span>
                <span class="muted">{format!("arrives {}", secs(m.deliver_at))}</span>
                <button class="lose" {onclick} aria-label={format!("Lose message #{}, {what}, on the wire", m.id)}
                    disabled={ended} title={if ended { super::ENDED } else { "It never arrives, nor any copy of it" }}>{"Lose it"}</button>
            </li>
        }
    });
    let more = ends.len().saturating_sub(LISTED);
    html! { <>
        <h3>{"On the wire"}</h3>
        <ul class="wire">{for rows}</ul>
        if more > 0 { <p class="muted">{format!("and {more} more, arriving later")}</p> }
    </> }
}
