//! The selected node: status, role, fields, pending timers, recent messages, and the hand tools
//! (crash / restart / pause / resume, send a request, slow it, shape one of its links).

use crate::player::{Action, Player};
use crate::topology::status_word;
use dsplay_core::dist::Dist;
use dsplay_core::node::ClientRequest;
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::view::Status;
use dsplay_core::ScenarioEvent as Ev;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

fn text(e: &Event) -> String {
    e.target_dyn_into::<HtmlInputElement>()
        .map(|i| i.value())
        .or_else(|| e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()))
        .unwrap_or_default()
}

/// A state setter for inputs and selects (`input` events for text, `change` for selects).
fn set<T: 'static>(h: &UseStateHandle<T>, f: fn(String) -> T) -> Callback<Event> {
    let h = h.clone();
    Callback::from(move |e: Event| h.set(f(text(&e))))
}

fn ms(t: u64) -> String {
    format!("{:.3} s", t as f64 / 1e6)
}

#[function_component(Inspector)]
pub fn inspector() -> Html {
    let p = use_context::<Player>();
    let (op, key, value) =
        (use_state(|| "request".to_string()), use_state(String::new), use_state(String::new));
    // The link sliders show the link's settings in force; `latency`/`loss` hold a value only while
    // its slider is being dragged.
    let (peer, latency, loss, slow) =
        (use_state(String::new), use_state(|| None::<u64>), use_state(|| None::<u32>), use_state(|| 1u32));
    let Some(p) = p else { return html! {} };
    let Some(id) = p.selected else {
        return html! { <section class="inspector empty" aria-label="Inspector">{"Click a node to inspect it."}</section> };
    };
    let s = p.session.borrow();
    let view = &p.view;
    let Some(n) = view.nodes.get(id.index()) else { return html! {} };
    let names: Vec<&str> = view.nodes.iter().map(|m| m.name.as_str()).collect();
    let name_of =
        |i: Option<dsplay_core::NodeId>| i.and_then(|i| names.get(i.index()).copied()).unwrap_or("-");
    let timers = view.timers.iter().filter(|t| t.node == id).take(12).map(|t| {
        html! { <li><span>{&t.timer}</span><span class="muted">{format!("in {:.1} ms", t.fires_at.since(view.now).as_ms_f64())}</span></li> }
    });
    let recent: Vec<Html> = s
        .sim()
        .trace()
        .records()
        .iter()
        .rev()
        .take(5_000)
        .filter(|r| match r.kind {
            TraceKind::Send | TraceKind::Deliver | TraceKind::Duplicate => r.node == id,
            TraceKind::Drop => r.node == id || r.peer == Some(id),
            _ => false,
        })
        .take(20)
        .map(|r| {
            let (arrow, other) = match r.kind {
                TraceKind::Send => ("→", r.peer),
                TraceKind::Deliver => ("←", r.peer),
                TraceKind::Duplicate => ("⇉", r.peer),
                _ if r.node == id => ("✕", r.peer),
                _ => ("✕", Some(r.node)),
            };
            let why = r.text.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
            html! { <tr class={r.kind.name()}><td class="muted">{ms(r.at.as_us())}</td><td>{arrow}</td>
            <td>{name_of(other)}</td><td>{r.label}{why}</td></tr> }
        })
        .collect();
    let node = n.name.clone();
    let act = |ev: Ev| {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(Action::Act(ev.clone())))
    };
    let send = {
        let (d, node, op, key, value) =
            (p.dispatch.clone(), node.clone(), op.clone(), key.clone(), value.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let key = Some(key.trim().to_string()).filter(|k| !k.is_empty());
            let request = ClientRequest { op: (*op).clone(), key, value: value.trim().parse().ok() };
            d.emit(Action::Act(Ev::Client { node: node.clone(), request }));
        })
    };
    let to = if peer.is_empty() || *peer == node {
        names.iter().find(|m| **m != node).map(|m| m.to_string())
    } else {
        Some((*peer).clone())
    };
    let to_id = to.as_deref().and_then(|t| names.iter().position(|m| *m == t));
    let current = to_id.map(|t| s.sim().link(id, dsplay_core::NodeId(t as u32))).unwrap_or_default();
    let shown_ms = latency.unwrap_or((current.latency.mean_us() / 1000.0).round() as u64);
    let shown_pct = loss.unwrap_or(current.loss_ppm / 10_000);
    // Sent on release (`change`), not on every `input`. Only the moved slider's setting changes;
    // the link keeps the rest (its latency distribution when only the loss moves, and so on).
    let link = |moved_latency: bool| {
        let (d, node, to, spec) = (p.dispatch.clone(), node.clone(), to.clone(), current.clone());
        let (latency, loss) = (latency.clone(), loss.clone());
        Callback::from(move |e: Event| {
            let Some(to) = to.clone() else { return };
            let v = text(&e).parse::<u64>().unwrap_or(0);
            let mut spec = spec.clone();
            if moved_latency {
                spec.latency = Dist::Uniform { min_us: v * 900, max_us: v * 1100 };
            } else {
                spec.loss_ppm = (v.min(100) * 10_000) as u32;
            }
            d.emit(Action::Act(Ev::Link { from: node.clone(), to, spec, both_ways: true }));
            latency.set(None);
            loss.set(None);
        })
    };
    let drag_latency = set(&latency, |v| v.parse().ok());
    let drag_loss = set(&loss, |v| v.parse().ok());
    let pick_peer = {
        let (peer, latency, loss) = (peer.clone(), latency.clone(), loss.clone());
        Callback::from(move |e: Event| {
            peer.set(text(&e));
            latency.set(None);
            loss.set(None);
        })
    };
    let (up, down, paused) = (n.status == Status::Up, n.status == Status::Down, n.status == Status::Paused);
    html! {
        <section class="inspector" aria-label={format!("Inspector: {}", n.name)}>
            <header>
                <h2>{&n.name}</h2>
                <span class={classes!("status", status_word(n.status))}>{status_word(n.status)}</span>
                <span class="role">{&n.view.role}</span>
                // Raft's leader has role "leader" and a "leader" badge (the topology draws the badge).
                {for n.view.badges.iter().filter(|b| **b != n.view.role).map(|b| html! { <span class="badge">{b}</span> })}
                <button class="close" aria-label="Close inspector" onclick={{ let d = p.dispatch.clone(); Callback::from(move |_: MouseEvent| d.emit(Action::Select(None))) }}>{"×"}</button>
            </header>
            <p class="label">{&n.view.label}</p>
            <div class="actions">
                <button class="crash" disabled={down} onclick={act(Ev::Crash { node: node.clone() })}>{"Crash"}</button>
                <button class="restart" disabled={!down} onclick={act(Ev::Restart { node: node.clone() })}>{"Restart"}</button>
                <button class="pause" disabled={!up} onclick={act(Ev::Pause { node: node.clone() })}>{"Pause"}</button>
                <button class="resume" disabled={!paused} onclick={act(Ev::Resume { node: node.clone() })}>{"Resume"}</button>
                <button class="isolate" onclick={act(Ev::Partition { groups: vec![vec![node.clone()]] })}>{"Isolate"}</button>
                <label class="slow">{"Slow ×"}<select onchange={set(&slow, |v| v.parse().unwrap_or(1))}>
                    {for [1u32, 2, 5, 10, 50].iter().map(|f| html! { <option value={f.to_string()} selected={*f == *slow}>{f}</option> })}</select>
                    <button data-factor={slow.to_string()} onclick={act(Ev::Slow { node: node.clone(), factor_pct: *slow * 100 })}>{"Apply"}</button></label>
            </div>
            <table class="fields"><tbody>
                {for n.view.fields.iter().map(|(k, v)| html! { <tr><th scope="row">{k}</th><td>{v}</td></tr> })}
            </tbody></table>
            <form class="request" onsubmit={send} aria-label="Send a client request">
                <select aria-label="Operation" onchange={set(&op, |v| v)}>
                    {for ["request", "read", "write"].iter().map(|o| html! { <option selected={*o == *op}>{*o}</option> })}</select>
                <input aria-label="Key" placeholder="key" size="6" value={(*key).clone()} oninput={{ let k = set(&key, |v| v); move |e: InputEvent| k.emit(e.into()) }} />
                <input aria-label="Value" placeholder="value" size="5" inputmode="numeric" value={(*value).clone()} oninput={{ let v = set(&value, |v| v); move |e: InputEvent| v.emit(e.into()) }} />
                <button type="submit" class="send">{"Send request"}</button>
            </form>
            <fieldset class="link"><legend>{"Link to"}</legend>
                <select aria-label="Peer" onchange={pick_peer}>
                    {for names.iter().filter(|m| **m != node).map(|m| html! { <option selected={to.as_deref() == Some(*m)}>{*m}</option> })}</select>
                <label>{format!("latency {shown_ms} ms")}<input type="range" class="latency" min="0" max="1000" step="1"
                    value={shown_ms.to_string()} oninput={move |e: InputEvent| drag_latency.emit(e.into())} onchange={link(true)} /></label>
                <label>{format!("loss {shown_pct} %")}<input type="range" class="loss" min="0" max="100"
                    value={shown_pct.to_string()} oninput={move |e: InputEvent| drag_loss.emit(e.into())} onchange={link(false)} /></label>
            </fieldset>
            <h3>{"Timers"}</h3><ul class="timers">{for timers}</ul>
            <h3>{"Recent messages"}</h3>
            <table class="recent"><tbody>{for recent}</tbody></table>
        </section>
    }
}
