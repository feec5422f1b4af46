//! The event log: the newest things the run said up to the playhead, in words and with their
//! times: the protocol's notes ("n4 became leader in term 1"), faults and broken invariants. The
//! lessons point at it; the narrator reads the same records aloud, one headline at a time.

use super::invariants::secs;
use crate::player::Player;
use dsplay_core::sim::trace::{TraceEvent, TraceKind};
use yew::prelude::*;

/// Lines kept (the newest few are in view; the list scrolls to the others, so a note a lesson
/// points at is not lost under a burst of later ones).
pub const SHOWN: usize = 40;

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
    // It renders every frame: the trace indexes what was said, so this reads a few dozen
    // records however many messages the run wrote between them, and however far a seek went.
    let shown = {
        let s = p.session.borrow();
        lines(s.sim().trace().said(), s.sim().node_names())
    };
    html! {
        <section class="event-log" aria-label="Event log">
            <h2>{"Event log"}</h2>
            if shown.is_empty() {
                <p class="log-empty">{"Nothing said yet: notes, faults and broken invariants appear here as the run goes."}</p>
            } else {
                <ol class="log-lines" tabindex="0" aria-label="Newest first">
                    {for shown.iter().map(|(at, text)| html! { <li><span class="at">{at}</span><span class="what">{text}</span></li> })}
                </ol>
            }
        </section>
    }
}
