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
/// Said records read per frame at most (the newest): repeats of one line are counted among them.
const READ: usize = 5_000;

/// One line of the log: what was said, when it was last said, and how often.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub at: String,
    pub text: String,
    /// How many times it was said among the records read (1: once), and when first.
    pub times: usize,
    pub first_at: String,
}

/// The newest lines worth reading among `records` (oldest first), newest first. A line said again
/// and again (CP's "no majority: refusing" on every read of a partition) is one line with its
/// count, at its newest time: the fault that caused it stays in view below it.
pub fn lines<'a>(records: impl DoubleEndedIterator<Item = &'a TraceEvent>, names: &[String]) -> Vec<Line> {
    let mut shown: Vec<Line> = Vec::new();
    for r in records.rev().take(READ) {
        let Some(text) = line_of(r, names) else { continue };
        let at = secs(r.at);
        if let Some(l) = shown.iter_mut().find(|l| l.text == text) {
            l.times += 1;
            l.first_at = at;
        } else if shown.len() < SHOWN {
            shown.push(Line { at: at.clone(), text, times: 1, first_at: at });
        }
    }
    shown
}

/// A record in words, if it is one worth reading: a note, a fault or a broken invariant.
fn line_of(r: &TraceEvent, names: &[String]) -> Option<String> {
    let text = r.text.as_deref().unwrap_or("");
    Some(match r.kind {
        TraceKind::Note if r.label == "note" && !text.is_empty() => {
            let who = names.get(r.node.index()).map_or("", String::as_str);
            if who.is_empty() || text.starts_with(who) {
                text.to_string()
            } else {
                format!("{who}: {text}")
            }
        }
        TraceKind::Fault if !text.is_empty() => text.to_string(),
        TraceKind::Violation => format!("✗ {}: {text}", r.label),
        _ => return None,
    })
}

fn line(l: &Line) -> Html {
    let repeats = (l.times > 1).then(|| {
        let said = format!("said {} times, first at {}", l.times, l.first_at);
        html! { <span class="times" title={said.clone()} aria-label={said}>{format!("×{}", l.times)}</span> }
    });
    html! { <li><span class="at">{&l.at}</span><span class="what">{&l.text}{repeats}</span></li> }
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
                    {for shown.iter().map(line)}
                </ol>
            }
        </section>
    }
}
