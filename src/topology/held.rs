//! A message held by a click on its particle: a card that names it (kind, who to whom, when, its
//! fields) and offers to lose it on the wire, RaftScope's "drop" (review 17). Losing it is a timed
//! `lose_message` event like any action by hand, so the link replays it and Undo takes it back.
//! The card follows the run: when the message is no longer on the wire, it is gone.

use crate::components::invariants::secs;
use crate::player::{Action, Player};
use dsplay_core::sim::Simulation;
use dsplay_core::view::MsgView;
use dsplay_core::{NodeId, ScenarioEvent};
use yew::prelude::*;

/// What the hover tip and the card say of message `m`: "Vote #812 n3 → n1, sent 0.184 s, arrives
/// 0.191 s", then its fields in words.
pub fn describe(sim: &dyn Simulation, m: &MsgView) -> String {
    let dup = if m.duplicate { " (duplicate)" } else { "" };
    let detail = dsplay_core::readable::message(sim, m.id).unwrap_or_default();
    let names = sim.node_names();
    let name = |n: NodeId| names.get(n.index()).map_or("?", String::as_str);
    let when = format!("sent {}, arrives {}", secs(m.sent_at), secs(m.deliver_at));
    format!("{} #{}{dup} {} → {}, {when}\n{detail}", m.kind, m.id, name(m.from), name(m.to))
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The message held.
    pub id: u64,
    /// Where on the stage it was clicked (px from the stage's top left).
    pub at: (f64, f64),
    /// The card opens above the click (in the stage's lower half), else below it.
    pub above: bool,
    pub onclose: Callback<()>,
}

#[function_component(HeldCard)]
pub fn held_card(props: &Props) -> Html {
    let p = use_context::<Player>();
    let lose_ref = use_node_ref();
    {
        let lose_ref = lose_ref.clone();
        use_effect_with(props.id, move |_| {
            if let Some(b) = lose_ref.cast::<web_sys::HtmlElement>() {
                // Without scrolling the stage: the picture stays where the reader clicked.
                let opts = web_sys::FocusOptions::new();
                opts.set_prevent_scroll(true);
                let _ = b.focus_with_options(&opts);
            }
        });
    }
    let Some(p) = p else { return html! {} };
    let Some(m) = p.view.in_flight.iter().find(|m| m.id == props.id) else { return html! {} };
    let said = describe(p.session.borrow().sim(), m);
    let ended = p.session.borrow().finished();
    let id = props.id;
    let lose = {
        let (d, close) = (p.dispatch.clone(), props.onclose.clone());
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Act(ScenarioEvent::LoseMessage { id }));
            close.emit(());
        })
    };
    let close = props.onclose.reform(|_: MouseEvent| ());
    let on_key = {
        let close = props.onclose.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                // The card's own: the player's Esc (deselect, leave the tour) is not meant.
                e.stop_propagation();
                close.emit(());
                // The card took the focus; it goes back to the stage's first tool (review 22).
                crate::focus::rescue(vec![".topo-tools button.partition-mode".into(), "#play".into()]);
            }
        })
    };
    let (x, y) = props.at;
    html! {
        <div class={classes!("msg-card", props.above.then_some("above"))} role="dialog" aria-label={format!("Message #{id}")} onkeydown={on_key}
            style={format!("left:{x:.0}px;top:{y:.0}px")}>
            <p class="msg-said">{said}</p>
            <div class="msg-buttons">
                <button ref={lose_ref} class="lose-msg" onclick={lose} disabled={ended}
                    title={if ended { crate::components::inspector::ENDED } else { "It never arrives: a lose_message event at this time, in the link and the event list" }}>
                    {"✕ Lose it on the wire"}</button>
                <button class="msg-close icon" onclick={close} aria-label="Close" title="Close (Esc)">{"×"}</button>
            </div>
        </div>
    }
}
