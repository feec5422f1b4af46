//! The inspector's readings of the node: its fields, its pending timers and the messages it
//! sent, received or lost lately. While the run plays they are read again about ten times a
//! second, not every frame: redrawn at 60 Hz they cost the page about 3 ms of layout and paint per
//! frame (bench-ui with a node inspected: p95 frame 33 ms) and changed too fast to read.
//!
//! The recent messages are read less often still, and never in the same frame as the fields: a
//! busy backend's 20 rows are all new at every reading (bench-ui's b7 logs about 220 a second),
//! and building and laying out 20 new rows made each reading's frame miss its vsync.

use super::ms;
use dsplay_core::sim::trace::{TraceEvent, TraceKind};
use dsplay_core::sim::Simulation;
use dsplay_core::view::WorldView;
use dsplay_core::NodeId;
use yew::prelude::*;

/// Frames between two readings while playing (60 Hz frames: ten readings a second).
pub const FRAMES_PER_READING: u64 = 6;

/// Frames between two readings of the recent messages while playing (2.5 a second), and how many
/// frames after the other readings they are taken.
const FRAMES_PER_LIST: u64 = 24;
const LIST_PHASE: u64 = 3;

/// Which reading of the recent messages frame `frame` shows while playing.
pub fn list_tick(frame: u64) -> u64 {
    (frame + FRAMES_PER_READING - LIST_PHASE) / FRAMES_PER_LIST
}

/// The fields table, and the timers, of node `id`.
pub fn readings(sim: &dyn Simulation, view: &WorldView, id: NodeId) -> (Html, Html) {
    let Some(n) = view.nodes.get(id.index()) else { return (Html::default(), Html::default()) };
    let fields = html! {
        <table class="fields"><tbody>
            {for n.view.fields.iter().map(|(k, v)| html! { <tr><th scope="row">{k}</th><td>{v}</td></tr> })}
        </tbody></table>
    };
    let timers = view.timers.iter().filter(|t| t.node == id).map(|t| {
        let timer = dsplay_core::readable::value(&t.timer, sim.node_names());
        html! { <li><span>{timer}</span><span class="muted">{format!("in {:.1} ms", t.fires_at.since(view.now).as_ms_f64())}</span></li> }
    });
    let tail = html! { <>
        <h3>{"Timers"}</h3><ul class="timers">{for timers}</ul>
        if let Some(more) = more_timers(n) { <p class="muted">{more}</p> }
    </> };
    (fields, tail)
}

/// The recent messages of node `id`.
pub fn recent(sim: &dyn Simulation, id: NodeId) -> Html {
    html! { <>
        <h3>{"Recent messages"}</h3>
        <table class="recent"><tbody>{for recent_rows(sim, id)}</tbody></table>
    </> }
}

/// Most characters of a payload shown in a row of recent messages (the whole is in its title).
pub const PAYLOAD_SHOWN: usize = 60;

/// `text` cut to at most `max` characters, the last of them "…", if it is longer: at the end of a
/// word when one ends in the second half.
pub fn clipped(text: &str, max: usize) -> String {
    if text.char_indices().nth(max).is_none() {
        return text.to_string();
    }
    let end = text.char_indices().nth(max.saturating_sub(1)).map_or(0, |(i, _)| i);
    let head = &text[..end];
    let cut = match head.rfind(' ') {
        _ if text[end..].starts_with(' ') => head,
        Some(i) if i > end / 2 => &head[..i],
        _ => head,
    };
    format!("{}…", cut.trim_end_matches([' ', '·']))
}

/// The newest 20 messages `id` sent, received or lost (among the trace's newest 5,000 records):
/// when, which way, the other node, the kind (and why it was lost), and the payload in words while
/// the simulator still keeps it, cut to [`PAYLOAD_SHOWN`] with the whole in its title.
fn recent_rows(sim: &dyn Simulation, id: NodeId) -> Vec<Html> {
    let names = sim.node_names();
    let name_of = |i: Option<NodeId>| i.and_then(|i| names.get(i.index())).map_or("-", String::as_str);
    let mine = |r: &&TraceEvent| match r.kind {
        TraceKind::Send | TraceKind::Deliver | TraceKind::Duplicate => r.node == id,
        TraceKind::Drop => r.node == id || r.peer == Some(id),
        _ => false,
    };
    // Keyed by the record's place in the whole trace: as the newest rows come in at the top,
    // the rows already shown are moved, not rewritten cell by cell (and laid out again).
    let first = sim.trace().first_index();
    let records = sim.trace().records().iter().enumerate().rev().take(5_000);
    let row = |(i, r): (usize, &TraceEvent)| {
        let (arrow, other) = match r.kind {
            TraceKind::Send => ("→", r.peer),
            TraceKind::Deliver => ("←", r.peer),
            TraceKind::Duplicate => ("⇉", r.peer),
            _ if r.node == id => ("✕", r.peer),
            _ => ("✕", Some(r.node)),
        };
        let why = r.text.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
        let payload = dsplay_core::readable::message(sim, r.msg).unwrap_or_default();
        let shown = clipped(&payload, PAYLOAD_SHOWN);
        // Cut short for the eye; whole for a screen reader (review 22) and in the tooltip.
        let cell = if shown == payload {
            html! { <td class="payload">{shown}</td> }
        } else {
            html! { <td class="payload" title={payload.clone()}><span class="sr-only">{payload}</span>
            <span aria-hidden="true">{shown}</span></td> }
        };
        html! { <tr key={first + i as u64} class={r.kind.name()}><td class="muted">{ms(r.at.as_us())}</td><td>{arrow}</td>
        <td>{name_of(other)}</td><td>{r.label}{why}</td>{cell}</tr> }
    };
    records.filter(|(_, r)| mine(r)).take(20).map(row).collect()
}

/// "and 3912 more": the view lists a node's soonest few timers.
fn more_timers(n: &dsplay_core::view::NodeState) -> Option<String> {
    let more = (n.timers_pending as usize).checked_sub(dsplay_core::view::TIMERS_SHOWN).filter(|&m| m > 0)?;
    Some(format!("and {more} more"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_list_is_read_every_24_frames_never_in_a_frame_that_reads_the_fields() {
        let changes =
            |tick: &dyn Fn(u64) -> u64| (1..480).filter(|&f| tick(f) != tick(f - 1)).collect::<Vec<_>>();
        let fields = changes(&|f| f / FRAMES_PER_READING);
        let list = changes(&list_tick);
        assert_eq!(list.len(), 20, "2.5 a second: {list:?}");
        assert!(list.windows(2).all(|w| w[1] - w[0] == FRAMES_PER_LIST), "{list:?}");
        assert!(list.iter().all(|f| !fields.contains(f)), "{list:?}");
    }
}
