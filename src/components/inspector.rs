//! The selected node: status, role, fields, pending timers, recent messages, and the hand tools
//! (crash / restart / pause / resume, time out, change a setting, send a request, slow it, shape
//! one of its links, lose a message on the wire).

mod knobs;
pub(crate) mod readings;
mod request;
mod wire;

pub use readings::{clipped, PAYLOAD_SHOWN};
use readings::{list_tick, readings, recent, FRAMES_PER_READING};
pub use request::{last_request, outcome, refusal, typed_request};

use crate::player::{Action, Player};
use crate::topology::{cut_off, status_word};
use dsplay_core::dist::Dist;
use dsplay_core::scenario::{LinkSpec, Scenario, Timed};
use dsplay_core::sim::trace::{TraceEvent, TraceKind};
use dsplay_core::view::Status;
use dsplay_core::{NodeId, ScenarioEvent as Ev};
use std::collections::VecDeque;
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

/// The selector of `node` in the topology, where focus goes when its inspector closes.
pub fn node_focus(node: &str) -> String {
    format!("[data-node=\"{}\"]", node.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The peer `id` exchanged the most messages with among `records` (the newest few thousand).
pub fn busiest_peer(records: &VecDeque<TraceEvent>, id: NodeId, n: usize) -> Option<NodeId> {
    let mut count = vec![0u32; n];
    for r in records.iter().rev().take(5_000) {
        if r.node == id && matches!(r.kind, TraceKind::Send | TraceKind::Deliver) {
            if let Some(c) = r.peer.and_then(|p| count.get_mut(p.index())) {
                *c += 1;
            }
        }
    }
    let (best, most) = count.iter().enumerate().max_by_key(|&(i, c)| (*c, std::cmp::Reverse(i)))?;
    (*most > 0 && best != id.index()).then_some(NodeId(best as u32))
}

/// A link's settings in words: "latency 5–15 ms, loss 0 %".
pub fn link_words(spec: &LinkSpec) -> String {
    let ms = |us: u64| format!("{}", us as f64 / 1000.0);
    let latency = match &spec.latency {
        Dist::Constant { us } => format!("{} ms", ms(*us)),
        Dist::Uniform { min_us, max_us } => format!("{}–{} ms", ms(*min_us), ms(*max_us)),
        other => format!("mean {:.1} ms", other.mean_us() / 1000.0),
    };
    let mut out = format!("latency {latency}, loss {} %", spec.loss_ppm as f64 / 10_000.0);
    if spec.dup_ppm > 0 {
        out.push_str(&format!(", duplicates {} %", spec.dup_ppm as f64 / 10_000.0));
    }
    if spec.reorder_ppm > 0 {
        out.push_str(&format!(", reordering {} %", spec.reorder_ppm as f64 / 10_000.0));
    }
    out
}

/// `sc` with its newest event at `ms` replaced by `ev`, if that event changed the same link (a
/// second step of one slider gesture, arrow keys pressed in a row): one event, not a pile.
pub fn restep(sc: &Scenario, ms: u64, ev: &Ev) -> Option<Scenario> {
    let Ev::Link { from, to, both_ways, .. } = ev else { return None };
    let i = sc.events.iter().rposition(|e| e.at_ms <= ms)?;
    let same = matches!(&sc.events[i], Timed { at_ms, event: Ev::Link { from: f, to: t, both_ways: b, .. }, .. }
        if *at_ms == ms && f == from && t == to && b == both_ways);
    same.then(|| {
        let mut next = sc.clone();
        next.events[i].event = ev.clone();
        next
    })
}

/// "Time out" for a node that keeps an election timer (a Raft server; nothing for others):
/// enabled when a `timeout` would be taken now (up, not a leader), its title saying what it does
/// or why not.
fn time_out_button(
    sim: &dyn dsplay_core::Simulation,
    id: NodeId,
    node: &str,
    status: Status,
    onclick: Callback<MouseEvent>,
) -> Html {
    if !sim.keeps_election_timer(id) {
        return html! {};
    }
    let refused = refusal(sim, &Ev::Timeout { node: node.to_string() });
    let disabled = refused.is_some();
    let title = match refused {
        Some(why) => format!("{} (T)", why.trim_start_matches("timeout: ")),
        // Its timers wait while it is frozen, this one too.
        None if status == Status::Paused => {
            "Fire this node's election timer now: frozen, it becomes a candidate when resumed (T)".into()
        }
        None => "Fire this node's election timer now: it becomes a candidate (T)".to_string(),
    };
    html! {
        <button class="timeout" {disabled} aria-keyshortcuts="T" {title} {onclick}>{"Time out"}</button>
    }
}

/// Why an action button is off at the run's end.
pub const ENDED: &str = "The run has ended: drag the playhead back to act earlier";

#[function_component(Inspector)]
pub fn inspector() -> Html {
    let p = use_context::<Player>();
    // The link sliders show the link's settings in force; `latency`/`loss` hold a value only while
    // its slider is being dragged. A peer picked is kept with the node it was picked for.
    let (peer, latency, loss, slow) = (
        use_state(|| None::<(NodeId, String)>),
        use_state(|| None::<u64>),
        use_state(|| None::<u32>),
        use_state(|| 1u32),
    );
    // Two columns: a node clicked brings the inspector's actions (Crash, Isolate, Time out: what
    // the lessons name) into view, the page moving no further than that, so as much of the stage
    // as the window holds stays above them. At 1366×768 they sat 60 px under the fold and nothing
    // moved (review 34 B3); a whole inspector under the fold was scrolled to its top, and the
    // stage left the screen. One column (a phone) and Present have the node bar over the stage
    // instead: scrolling here took the stage, and the crash just caused, out of sight (review 35
    // B1: the projector showed the inspector).
    let section = use_node_ref();
    {
        let section = section.clone();
        let presenting = p.as_ref().is_some_and(|p| p.presenting);
        use_effect_with(p.as_ref().and_then(|p| p.selected), move |selected| {
            if selected.is_none() || presenting || crate::shell::one_column() {
                return;
            }
            let row =
                section.cast::<web_sys::Element>().and_then(|s| s.query_selector(".actions").ok().flatten());
            let window_h =
                web_sys::window().and_then(|w| w.inner_height().ok()?.as_f64()).unwrap_or(f64::MAX);
            if let Some(row) = row.filter(|r| r.get_bounding_client_rect().bottom() > window_h) {
                let opts = web_sys::ScrollIntoViewOptions::new();
                opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                row.scroll_into_view_with_scroll_into_view_options(&opts);
            }
        });
    }
    // The peer the selected node talks to most: looked for again at most once a simulated second,
    // not on every frame.
    let busiest = {
        let session = p.as_ref().map(|p| p.session.clone());
        let key = p.as_ref().map(|p| (p.selected, p.view.now.as_us() / 1_000_000));
        use_memo(key, move |key| {
            let (s, id) = (session?, key.and_then(|k| k.0)?);
            let s = s.borrow();
            busiest_peer(s.sim().trace().records(), id, s.sim().node_names().len())
        })
    };
    // Read again each frame while paused (a step, a seek), every few frames while playing.
    let read = {
        let (session, view) = (p.as_ref().map(|p| p.session.clone()), p.as_ref().map(|p| p.view.clone()));
        let tick = |p: &Player| if p.playing { p.frame / FRAMES_PER_READING } else { p.frame };
        let key = p.as_ref().map(|p| (p.selected, tick(p), p.playing, p.scenario_rev));
        use_memo(key, move |key| {
            let (s, view, id) = (session?, view?, key.and_then(|k| k.0)?);
            let s = s.borrow();
            Some(readings(s.sim(), &view, id))
        })
    };
    let list = {
        let session = p.as_ref().map(|p| p.session.clone());
        let tick = |p: &Player| if p.playing { list_tick(p.frame) } else { p.frame };
        let key = p.as_ref().map(|p| (p.selected, tick(p), p.playing, p.scenario_rev));
        use_memo(key, move |key| {
            let (s, id) = (session?, key.and_then(|k| k.0)?);
            let s = s.borrow();
            Some(recent(s.sim(), id))
        })
    };
    let Some(p) = p else { return html! {} };
    let Some(id) = p.selected else {
        return html! { <section class="inspector empty" aria-label="Inspector">{"Click a node to inspect it."}</section> };
    };
    let s = p.session.borrow();
    let view = &p.view;
    let Some(n) = view.nodes.get(id.index()) else { return html! {} };
    let names: Vec<&str> = view.nodes.iter().map(|m| m.name.as_str()).collect();
    let (fields, tail) = (*read).clone().unwrap_or_default();
    let node = n.name.clone();
    let act = |ev: Ev| {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Act(ev.clone()));
            // Crash disables Crash: the key goes on to its counterpart (Isolate, to the
            // network's Heal), else to the Slow menu, else the first action still open.
            let actions = ".inspector .actions button";
            let then = match &ev {
                Ev::Crash { .. } | Ev::CrashRefusing { .. } => format!("{actions}.restart"),
                Ev::Restart { .. } => format!("{actions}.crash"),
                Ev::Pause { .. } => format!("{actions}.resume"),
                Ev::Resume { .. } => format!("{actions}.pause"),
                // A candidate times out again: the key stays for a second press.
                Ev::Timeout { .. } => format!("{actions}.timeout"),
                // What undoes it, as Crash gives way to Restart: the network's Heal (review 46
                // C8: the key went on to the Slow × menu), or the control after it where the
                // tools are hidden (an embed's minimal controls).
                Ev::Partition { .. } => ".topo-tools button.heal".into(),
                _ => ".inspector .actions .slow button".into(),
            };
            crate::focus::rescue(vec![then, ".inspector .actions .slow select".into(), actions.into()]);
        })
    };
    // Until one is picked for this node, the link shown is the one it uses most (a peer picked
    // for the node selected before is not this one's: its slider would change the wrong link).
    let picked =
        (*peer).as_ref().filter(|(made_for, m)| *made_for == id && *m != node).map(|(_, m)| m.clone());
    let to = picked.or_else(|| {
        (*busiest)
            .or_else(|| names.iter().position(|m| *m != node).map(|i| NodeId(i as u32)))
            .and_then(|i| names.get(i.index()).map(|m| m.to_string()))
    });
    let to_id = to.as_deref().and_then(|t| names.iter().position(|m| *m == t));
    let current = to_id.map(|t| s.sim().link(id, dsplay_core::NodeId(t as u32))).unwrap_or_default();
    let shown_ms = latency.unwrap_or((current.latency.mean_us() / 1000.0).round() as u64);
    let shown_pct = loss.unwrap_or(current.loss_ppm / 10_000);
    // Sent on release (`change`), not on every `input`. Only the moved slider's setting changes;
    // the link keeps the rest (its latency distribution when only the loss moves, and so on).
    let link = |moved_latency: bool| {
        let (d, node, to, spec) = (p.dispatch.clone(), node.clone(), to.clone(), current.clone());
        let (latency, loss, session) = (latency.clone(), loss.clone(), p.session.clone());
        Callback::from(move |e: Event| {
            let Some(to) = to.clone() else { return };
            let v = text(&e).parse::<u64>().unwrap_or(0);
            let mut spec = spec.clone();
            if moved_latency {
                spec.latency = Dist::Uniform { min_us: v * 900, max_us: v * 1100 };
            } else {
                spec.loss_ppm = (v.min(100) * 10_000) as u32;
            }
            let ev = Ev::Link { from: node.clone(), to, spec, both_ways: true };
            let again = {
                let s = session.borrow();
                restep(s.scenario(), s.now().as_us().div_ceil(1000), &ev)
            };
            d.emit(again.map_or(Action::Act(ev), Action::Replace));
            latency.set(None);
            loss.set(None);
        })
    };
    let drag_latency = set(&latency, |v| v.parse().ok());
    let drag_loss = set(&loss, |v| v.parse().ok());
    let pick_peer = {
        let (peer, latency, loss) = (peer.clone(), latency.clone(), loss.clone());
        Callback::from(move |e: Event| {
            peer.set(Some((id, text(&e))));
            latency.set(None);
            loss.set(None);
        })
    };
    let isolate = cut_off(&view.nodes, &[id.index()]);
    let time_out = time_out_button(s.sim(), id, &node, n.status, act(Ev::Timeout { node: node.clone() }));
    let (up, down, paused) = (n.status == Status::Up, n.status == Status::Down, n.status == Status::Paused);
    let ended = s.finished();
    html! {
        <section ref={section} class="inspector" aria-label={format!("Inspector: {}", n.name)}>
            <header>
                <h2>{&n.name}</h2>
                <span class={classes!("status", status_word(n.status))}>{status_word(n.status)}</span>
                <span class="role">{&n.view.role}</span>
                // Raft's leader has role "leader" and a "leader" badge (the topology draws the badge).
                {for n.view.alerts.iter().map(|b| html! { <span class="badge alert">{b}</span> })}
                {for n.view.badges.iter().filter(|b| **b != n.view.role).map(|b| html! { <span class="badge">{b}</span> })}
                <button class="close" aria-label="Close inspector" onclick={{
                    let (d, back) = (p.dispatch.clone(), node_focus(&node));
                    Callback::from(move |_: MouseEvent| { d.emit(Action::Select(None)); crate::focus::rescue(vec![back.clone()]) })
                }}>{"×"}</button>
            </header>
            // Raft's label "term 4" is also its first field: say it once, in the table.
            if !n.view.fields.iter().any(|(k, v)| format!("{k} {v}") == n.view.label) {
                <p class="label">{&n.view.label}</p>
            }
            // At the run's end an action has nothing left to run in (review 25 C1: these looked
            // live and answered only with the refusal's banner).
            <fieldset class="actions" disabled={ended} title={ended.then_some(ENDED)}>
                <button class="crash" disabled={down} aria-keyshortcuts="X" title="Stop the node: messages to it are lost without a word (X)"
                    onclick={act(Ev::Crash { node: node.clone() })}>{"Crash"}</button>
                <button class="crash-refusing" disabled={down}
                    title="Crash the process, keep the host: every message to it is answered with a reset (RST), a fast failure"
                    onclick={act(Ev::CrashRefusing { node: node.clone() })}>{"Crash, refusing"}</button>
                <button class="restart" disabled={!down} aria-keyshortcuts="X" title="Start it again from what it keeps on disk (X)" onclick={act(Ev::Restart { node: node.clone() })}>{"Restart"}</button>
                <button class="pause" disabled={!up} aria-keyshortcuts="P" title="Freeze it, as a long GC pause does: alive but silent (P)" onclick={act(Ev::Pause { node: node.clone() })}>{"Pause"}</button>
                <button class="resume" disabled={!paused} aria-keyshortcuts="P" title="Let it run again (P)" onclick={act(Ev::Resume { node: node.clone() })}>{"Resume"}</button>
                {time_out}
                <button class="isolate" disabled={isolate.is_none()} title="Cut this node off, on top of any partition in force"
                    onclick={act(Ev::Partition { groups: isolate.unwrap_or_default() })}>{"Isolate"}</button>
                <label class="slow">{"Slow ×"}<select onchange={set(&slow, |v| v.parse().unwrap_or(1))}>
                    {for [1u32, 2, 5, 10, 50].iter().map(|f| html! { <option value={f.to_string()} selected={*f == *slow}>{f}</option> })}</select>
                    <button data-factor={slow.to_string()} onclick={act(Ev::Slow { node: node.clone(), factor_pct: *slow * 100 })}>{"Apply"}</button></label>
            </fieldset>
            {knobs::knobs(s.sim(), id, &node, &p.dispatch)}
            {fields}
            <request::HandRequest key={node.clone()} {id} node={node.clone()} />
            <fieldset class="link"><legend>{"Link to"}</legend>
                // Keyed by the node: a select the user has changed keeps its choice whatever its
                // options say, so each node gets a new one, starting from its own peer.
                <select key={node.clone()} aria-label="Peer" onchange={pick_peer}>
                    {for names.iter().filter(|m| **m != node).map(|m| html! { <option selected={to.as_deref() == Some(*m)}>{*m}</option> })}</select>
                <label>{format!("latency {shown_ms} ms")}<input type="range" class="latency" min="0" max="1000" step="1"
                    value={shown_ms.to_string()} oninput={move |e: InputEvent| drag_latency.emit(e.into())} onchange={link(true)} /></label>
                <label>{format!("loss {shown_pct} %")}<input type="range" class="loss" min="0" max="100"
                    value={shown_pct.to_string()} oninput={move |e: InputEvent| drag_loss.emit(e.into())} onchange={link(false)} /></label>
                <p class="in-force muted">{format!("now: {}", link_words(&current))}</p>
            </fieldset>
            {tail}
            {wire::on_the_wire(view, id, (p.playing, ended), &p.dispatch)}
            {(*list).clone().unwrap_or_default()}
        </section>
    }
}
