//! The event log: the newest things the run said up to the playhead, in words and with their
//! times: the protocol's notes ("n4 became leader in term 1"), faults and broken invariants. The
//! lessons point at it; the narrator reads the same records aloud, one headline at a time.

use super::invariants::secs;
use crate::player::Player;
use dsplay_core::sim::trace::{TraceEvent, TraceKind};
use yew::prelude::*;

/// Lines shown.
pub const SHOWN: usize = 5;
/// Most records looked back over per render (a busy run writes thousands between two notes).
const LOOK_BACK: usize = 20_000;

/// The newest lines worth reading among `records` (oldest first), newest first: (time, text).
pub fn lines<'a>(
    records: impl DoubleEndedIterator<Item = &'a TraceEvent>,
    names: &[String],
) -> Vec<(String, String)> {
    let name = |r: &TraceEvent| names.get(r.node.index()).cloned().unwrap_or_default();
    records
        .rev()
        .filter_map(|r| {
            let text = r.text.as_deref().unwrap_or("");
            let line = match r.kind {
                TraceKind::Note if r.label == "note" && !text.is_empty() => {
                    let who = name(r);
                    if who.is_empty() || text.starts_with(&who) {
                        text.to_string()
                    } else {
                        format!("{who}: {text}")
                    }
                }
                TraceKind::Fault if !text.is_empty() => text.to_string(),
                TraceKind::Violation => format!("✗ {}: {text}", r.label),
                _ => return None,
            };
            Some((secs(r.at), line))
        })
        .take(SHOWN)
        .collect()
}

#[function_component(EventLog)]
pub fn event_log() -> Html {
    let Some(p) = use_context::<Player>() else { return html! {} };
    let shown = {
        let s = p.session.borrow();
        let records = s.sim().trace().records();
        lines(records.range(records.len().saturating_sub(LOOK_BACK)..), s.sim().node_names())
    };
    html! {
        <section class="event-log" aria-label="Event log">
            <h2>{"Event log"}</h2>
            if shown.is_empty() {
                <p class="log-empty">{"Nothing said yet: notes, faults and broken invariants appear here as the run goes."}</p>
            } else {
                <ol class="log-lines">
                    {for shown.iter().map(|(at, text)| html! { <li><span class="at">{at}</span><span class="what">{text}</span></li> })}
                </ol>
            }
        </section>
    }
}
