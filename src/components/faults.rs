//! The scenario's event list: every scripted fault, the faults its chaos section draws, and
//! everything broken by hand, in time order. Click an event to pause and jump to it; its × takes
//! it out of the scenario (the run replays without it, and the banner offers Undo). (The network
//! tools sit under the topology.)

use super::invariants::secs;
use super::narrator::spoken;
use crate::player::{Action, Player};
use dsplay_core::scenario::fault_spans::{fault_marks, FaultMarks};
use dsplay_core::scenario::Timed;
use dsplay_core::session::Session;
use dsplay_core::SimTime;
use std::rc::Rc;
use yew::prelude::*;

/// Every event of the run in time order, each with its index in the scenario's own events
/// (scripted or added by hand), or `None` if the chaos section drew it: the scenario's events
/// and the simulation's script less those.
pub fn every_event(s: &Session) -> Vec<(Timed, Option<usize>)> {
    let own = &s.scenario().events;
    let mut matched = vec![false; own.len()];
    let mut out: Vec<(Timed, Option<usize>)> = own.iter().cloned().zip((0..).map(Some)).collect();
    for e in s.sim().script() {
        match (0..own.len()).find(|&i| !matched[i] && own[i] == *e) {
            Some(i) => matched[i] = true,
            None => out.push((e.clone(), None)),
        }
    }
    out.sort_by_key(|(e, _)| e.at_ms);
    out
}

/// What the run's events break, and when (the chaos section's faults too).
pub fn fault_marks_of(s: &Session) -> FaultMarks {
    let events = every_event(s);
    fault_marks(events.iter().map(|(e, _)| e), &s.scenario().network.default_link)
}

/// [`fault_marks_of`] the player's run, worked out once per scenario revision: the events do not
/// change as the run plays, so a frame costs nothing.
#[hook]
pub fn use_fault_marks(p: Option<&Player>) -> Rc<FaultMarks> {
    let session = p.map(|p| p.session.clone());
    let key = p.map(|p| (p.scenario_rev, Rc::as_ptr(&p.session) as usize));
    use_memo(key, move |_| session.map(|s| fault_marks_of(&s.borrow())).unwrap_or_default())
}

/// Pause, then move the playhead to `ms`: what the event list and the timeline's markers do.
pub fn jump(d: &Callback<Action>, ms: u64) -> Callback<MouseEvent> {
    let d = d.clone();
    Callback::from(move |_: MouseEvent| {
        d.emit(Action::Pause);
        d.emit(Action::Seek(SimTime::from_ms(ms)));
    })
}

/// `what` with its arrows kept whole ("*<-" on one line and ">recommendation" on the next read
/// as nonsense on a phone): a line may break before or after an arrow, never inside it.
pub fn arrows_kept_whole(what: &str) -> String {
    let (zwsp, join) = ('\u{200B}', '\u{2060}');
    what.replace("<->", &format!("{zwsp}<{join}-{join}>{zwsp}"))
        .replace("->", &format!("{zwsp}-{join}>{zwsp}"))
}

/// × on the scenario's event `i`: take it out. The button goes with its row, so focus goes to the
/// banner's Undo (what a keyboard user may want next), else to the next ×, not back to the top of
/// the page.
fn removed(d: &Callback<Action>, i: usize) -> Callback<MouseEvent> {
    let d = d.clone();
    Callback::from(move |_: MouseEvent| {
        d.emit(Action::Remove(i));
        crate::focus::rescue(vec!["#banner button.undo".into(), ".fault-remove".into()]);
    })
}

#[function_component(Faults)]
pub fn faults() -> Html {
    let p = use_context::<Player>();
    let Some(p) = p else { return html! {} };
    let (events, now_ms) = {
        let s = p.session.borrow();
        let ev: Vec<(u64, String, Option<&'static str>, Option<usize>)> = every_event(&s)
            .into_iter()
            .map(|(e, own)| {
                let by = match own {
                    None => Some("chaos"),
                    Some(_) => e.by_hand.then_some("by hand"),
                };
                (e.at_ms, e.event.describe(), by, own)
            })
            .collect();
        (ev, s.now().as_us() / 1000)
    };
    let items = events.iter().enumerate().map(|(i, (at, what, by, own))| {
        let at = *at;
        let chaos = *by == Some("chaos");
        let class = classes!("fault-item", (at <= now_ms).then_some("past"), chaos.then_some("chaos"));
        let said = by.map(|b| format!(" ({b})")).unwrap_or_default();
        let title = if chaos {
            "drawn by the scenario's chaos section"
        } else {
            "done by hand: a fork from before it drops it"
        };
        let when = secs(SimTime::from_ms(at));
        let remove = own.map(|i| {
            let label = format!("Remove {} at {when} from the scenario", spoken(what));
            html! {
                <button class="fault-remove" title={label.clone()} aria-label={label}
                    onclick={removed(&p.dispatch, i)}>{"×"}</button>
            }
        });
        html! {
            <li key={i}>
                <button {class} onclick={jump(&p.dispatch, at)} aria-label={format!("Jump to {}{said} at {when}", spoken(what))}>
                    <span class="at">{when.clone()}</span><span class="what">{arrows_kept_whole(what)}</span>
                    if let Some(b) = by { <span class="by" {title}>{format!("({b})")}</span> }
                </button>
                {remove}
            </li>
        }
    });
    html! {
        <section class="faults" aria-label="Scenario events">
            <h2>{"Scenario events"}</h2>
            if events.is_empty() {
                <p class="fault-empty">{"No scripted events yet. Everything you break by hand lands here."}</p>
            } else {
                <ol class="fault-list">{for items}</ol>
            }
        </section>
    }
}
