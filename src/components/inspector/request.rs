//! The inspector's request form: the operations the node takes by hand, the fields each reads
//! (as the node says, [`dsplay_core::node::Node::request_form`]), what is wrong with what was
//! typed, and what became of the last request.

use crate::player::{Action, Player};
use dsplay_core::node::{ClientRequest, RequestField, RequestForm};
use dsplay_core::scenario::{Scenario, Timed};
use dsplay_core::sim::trace::{TraceEvent, TraceKind};
use dsplay_core::{NodeId, ScenarioEvent as Ev, SimTime, Simulation};
use std::collections::VecDeque;
use yew::prelude::*;

/// The request typed into the form, or what is wrong with it. Only the fields `form` asks for
/// are read; one left empty is an error unless the node picks for it.
pub fn typed_request(op: &str, form: RequestForm, key: &str, value: &str) -> Result<ClientRequest, String> {
    let an = if op.starts_with(['a', 'e', 'i', 'o', 'u']) { "An" } else { "A" };
    let missing = |f: RequestField, kind: &str| {
        format!("{an} {op} needs {}: type {kind} such as {}.", f.what, f.example)
    };
    let key = match form.key {
        Some(f) => match key.trim() {
            "" if f.optional => None,
            "" => return Err(missing(f, "one")),
            k => Some(k.to_string()),
        },
        None => None,
    };
    let value = match form.value {
        Some(f) => match value.trim() {
            "" if f.optional => None,
            "" => return Err(missing(f, "a whole number")),
            v => Some(v.parse::<i64>().map_err(|e| match e.kind() {
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                    format!("The {} {v} is too large: it goes from {} to {}.", f.label, i64::MIN, i64::MAX)
                }
                _ => format!("The {} {v:?} is not a whole number: type one such as {}.", f.label, f.example),
            })?),
        },
        None => None,
    };
    Ok(ClientRequest { op: op.to_string(), key, value })
}

/// Why the simulation would not take `ev` now, if it would not: the message of its
/// [`Simulation::check_action`] refusal.
pub fn refusal(sim: &dyn Simulation, ev: &Ev) -> Option<String> {
    match sim.check_action(ev) {
        Err(dsplay_core::ScenarioError::Invalid { message, .. }) => Some(message),
        Err(e) => Some(e.to_string()),
        Ok(()) => None,
    }
}

fn capital(word: &str) -> String {
    let mut c = word.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[derive(Properties, PartialEq)]
pub struct HandRequestProps {
    pub id: NodeId,
    pub node: AttrValue,
}

/// The form for the node `id`, named `node`; nothing for a node that takes no request by hand.
/// Keyed by the node where it is used: what was typed for one node is not sent to the next.
#[function_component(HandRequest)]
pub fn hand_request(props: &HandRequestProps) -> Html {
    let p = use_context::<Player>();
    let (op, key, value) = (use_state(String::new), use_state(String::new), use_state(String::new));
    // What is wrong with the typed request, said under the form until it is fixed.
    let wrong = use_state(|| None::<String>);
    let Some(p) = p else { return html! {} };
    let (id, node) = (props.id, props.node.to_string());
    let s = p.session.borrow();
    // The operation picked, else the node's first.
    let ops = s.sim().requests(id);
    let Some(chosen) = ops.iter().copied().find(|o| **o == *op).or(ops.first().copied()) else {
        return html! {};
    };
    let form = s.sim().request_form(id, chosen);
    let send = {
        let (d, node, key, value, wrong) =
            (p.dispatch.clone(), node.clone(), key.clone(), value.clone(), wrong.clone());
        let session = p.session.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let ev = typed_request(chosen, form, &key, &value)
                .map(|request| Ev::Client { node: node.clone(), request });
            // The node's own refusal (a send to a process that does not exist) is said here too,
            // before the run forks over a request it would only note as ignored (review 18).
            let ev = ev.and_then(|ev| match refusal(session.borrow().sim(), &ev) {
                Some(why) => Err(crate::link::sentence(&why)),
                None => Ok(ev),
            });
            // Said here, where the eyes are, not only in the banner at the page's top (review
            // 20: a request sent at the end of e4's run seemed to do nothing).
            let ev = ev.and_then(|ev| match session.borrow().finished() {
                true => Err(crate::player::run_ended(&ev)),
                false => Ok(ev),
            });
            match ev {
                Ok(ev) => {
                    wrong.set(None);
                    d.emit(Action::Act(ev));
                }
                Err(why) => wrong.set(Some(why)),
            }
        })
    };
    let names: Vec<&str> = p.view.nodes.iter().map(|m| m.name.as_str()).collect();
    let records = s.sim().trace().records();
    let answer = last_request(s.scenario(), &node, p.view.now)
        .and_then(|at| Some((at, outcome(records, id, at, &names)?)));
    let typed = |h: &UseStateHandle<String>| {
        let (h, w) = (h.clone(), wrong.clone());
        move |e: InputEvent| {
            w.set(None);
            h.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value());
        }
    };
    let pick = {
        let (op, w) = (op.clone(), wrong.clone());
        move |e: Event| {
            w.set(None);
            op.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value());
        }
    };
    let invalid = wrong.is_some().then_some("true");
    // The fields point at the message that says what is wrong with them (review 22).
    let described = wrong.is_some().then_some("request-invalid");
    // Wide enough for its placeholder ("amount: 10" was cut at the old 5 characters).
    let field = |f: RequestField| {
        let placeholder = format!("{}: {}", f.label, f.example);
        (capital(f.label), (placeholder.chars().count() - 1).max(5).to_string(), placeholder)
    };
    html! {
        <form class="request" onsubmit={send} aria-label="Send a client request">
            if ops.len() > 1 {
                <select aria-label="Operation" onchange={pick}>
                    {for ops.iter().map(|o| html! { <option selected={*o == chosen}>{*o}</option> })}</select>
            }
            if let Some((label, size, placeholder)) = form.key.map(field) {
                <input class="key" aria-label={label} {placeholder} {size} value={(*key).clone()}
                    aria-invalid={invalid} aria-describedby={described} oninput={typed(&key)} />
            }
            if let Some((label, size, placeholder)) = form.value.map(field) {
                <input class="value" aria-label={label} {placeholder} {size} inputmode="numeric"
                    value={(*value).clone()} aria-invalid={invalid} aria-describedby={described} oninput={typed(&value)} />
            }
            <button type="submit" class="send">{if chosen == "publish" { "Publish" } else { "Send request" }}</button>
            if let Some(why) = (*wrong).clone() { <p id="request-invalid" class="invalid" role="alert">{why}</p> }
            if let Some((at, said)) = answer {
                <div class="outcome" role="status">
                    <span class="muted">{format!("Request handed in at {}:", crate::components::invariants::secs(at))}</span>
                    if said.is_empty() { <span>{" no answer yet"}</span> }
                    <ul>{for said.iter().map(|w| html! { <li>{w}</li> })}</ul>
                </div>
            }
        </form>
    }
}

/// What became of the request handed to `id` at `at` (by hand or by the scenario): what the node
/// said and sent at that instant, and the first message back from a node it sent to. `None` if
/// the trace no longer holds it. Records are in time order, so finding it costs a binary search.
pub fn outcome(
    records: &VecDeque<TraceEvent>,
    id: NodeId,
    at: SimTime,
    names: &[&str],
) -> Option<Vec<String>> {
    let from = records.partition_point(|r| r.at < at);
    let start = from
        + records
            .range(from..)
            .take_while(|r| r.at == at)
            .position(|r| r.kind == TraceKind::Client && r.node == id)?;
    let name = |n: Option<NodeId>| n.and_then(|n| names.get(n.index()).copied()).unwrap_or("?");
    let mut said = Vec::new();
    let mut asked: Vec<NodeId> = Vec::new();
    for r in records.range(start + 1..) {
        let mine = r.node == id;
        if r.at == at && mine && r.kind == TraceKind::Client {
            break; // the next request
        }
        match r.kind {
            TraceKind::Note if mine && r.at == at && r.label == "note" => {
                said.push(r.text.as_deref().unwrap_or_default().to_string())
            }
            TraceKind::Drop if mine && r.at == at && r.label == "client" => {
                said.push(format!("not taken: {}", r.text.as_deref().unwrap_or("dropped")))
            }
            TraceKind::Send if mine && r.at == at => {
                asked.extend(r.peer);
                said.push(format!("→ {} to {}", r.label, name(r.peer)));
            }
            TraceKind::Deliver if mine && r.peer.is_some_and(|p| asked.contains(&p)) => {
                let after = r.at.since(at).as_ms_f64();
                said.push(format!("← {} from {}, {after:.1} ms later", r.label, name(r.peer)));
                break;
            }
            _ => {}
        }
    }
    Some(said)
}

/// When the newest request was handed to `node`, up to `now` (the scenario's `client` events).
pub fn last_request(sc: &Scenario, node: &str, now: SimTime) -> Option<SimTime> {
    let handed = |e: &&Timed| matches!(&e.event, Ev::Client { node: n, .. } if n == node);
    let at = sc.events.iter().rev().filter(|e| SimTime::from_ms(e.at_ms) <= now).find(handed)?.at_ms;
    Some(SimTime::from_ms(at))
}
