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

/// What the log showed, for which scenario revision, after how many records in all.
type Shown = (u64, u64, Vec<(String, String)>);

#[function_component(EventLog)]
pub fn event_log() -> Html {
    let memo = use_mut_ref(|| None::<Shown>);
    let Some(p) = use_context::<Player>() else { return html! {} };
    // It renders every frame: only the records added since the last render are read (about what
    // the frame simulated), and the whole window again only after a seek back or another scenario.
    let shown = {
        let s = p.session.borrow();
        let (trace, names) = (s.sim().trace(), s.sim().node_names());
        let (total, records) = (trace.len_total(), trace.records());
        let mut memo = memo.borrow_mut();
        let fresh = match memo.as_ref() {
            Some((rev, seen, _)) if *rev == p.scenario_rev && *seen <= total => (total - *seen) as usize,
            _ => usize::MAX,
        };
        let fresh_lines = lines(records.range(records.len().saturating_sub(fresh.min(LOOK_BACK))..), names);
        let mut next = fresh_lines;
        if fresh < LOOK_BACK {
            if let Some((.., before)) = memo.as_ref() {
                next.extend(before.iter().cloned());
                next.truncate(SHOWN);
            }
        }
        *memo = Some((p.scenario_rev, total, next.clone()));
        next
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
