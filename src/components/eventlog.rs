//! The event log: the newest things the run said up to the playhead, in words and with their
//! times: the protocol's notes ("n4 became leader in term 1"), faults and broken invariants. The
//! lessons point at it; the narrator reads the same records aloud, one headline at a time.

use super::invariants::secs;
use crate::player::Player;
use dsplay_core::node::ONLY_COUNTED;
use dsplay_core::presets::StaleNotes;
use dsplay_core::sim::trace::{TraceEvent, TraceKind, ANNOTATION};
use dsplay_core::SimTime;
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
    /// Routine (a reply ignored as a matter of course): shown muted, not as the news.
    pub routine: bool,
    /// A preset's note from after the run was changed: it tells the run as shipped, not this one.
    pub stale: bool,
}

/// The newest lines worth reading among `records` (oldest first), newest first. A line said again
/// and again with nothing else said between (CP's "no majority: refusing" on every read of a
/// partition) is one line with its count, at its newest time: the fault that caused it stays in
/// view below it. Lines said in turn are not folded (r2's breaker opens and goes half-open four
/// times: the log keeps that order). Per frame this compares records (no text is written for a
/// repeat) and writes at most [`SHOWN`] lines. A preset's note among `stale` is marked so (review
/// 19: after a crash by hand, d4's "n1 won a majority: it leads term 2" was shown over a run
/// where n1 was down).
pub fn lines<'a>(
    records: impl DoubleEndedIterator<Item = &'a TraceEvent>,
    names: &[String],
    stale: Option<&StaleNotes>,
) -> Vec<Line> {
    // (the newest record of a line, the time it was first said, how often)
    let mut seen: Vec<(&TraceEvent, SimTime, usize)> = Vec::new();
    let same = |a: &TraceEvent, b: &TraceEvent| {
        (a.kind, a.node, a.label, a.text.as_deref()) == (b.kind, b.node, b.label, b.text.as_deref())
    };
    for r in records.rev().take(READ).filter(|r| worth_reading(r)) {
        let full = seen.len() >= SHOWN;
        match seen.last_mut() {
            Some(l) if same(l.0, r) => {
                l.1 = r.at;
                l.2 += 1;
            }
            _ if full => break,
            _ => seen.push((r, r.at, 1)),
        }
    }
    let line = |&(r, first, times): &(&TraceEvent, SimTime, usize)| Line {
        at: secs(r.at),
        text: line_of(r, names),
        times,
        first_at: secs(first),
        routine: r.kind == TraceKind::Note && r.text.as_deref().is_some_and(|t| t.contains(ONLY_COUNTED)),
        stale: r.label == ANNOTATION
            && stale.is_some_and(|s| s.covers(r.at, r.text.as_deref().unwrap_or(""))),
    };
    seen.iter().map(line).collect()
}

/// A note, a fault or a broken invariant: what the log shows.
fn worth_reading(r: &TraceEvent) -> bool {
    let said = r.text.as_deref().is_some_and(|t| !t.is_empty());
    match r.kind {
        TraceKind::Note => r.is_said_note() && said,
        TraceKind::Fault => said,
        TraceKind::Violation => true,
        _ => false,
    }
}

/// A record worth reading, in words ("n4 became leader in term 1", "r3: no majority…").
fn line_of(r: &TraceEvent, names: &[String]) -> String {
    let text = r.text.as_deref().unwrap_or("");
    match r.kind {
        TraceKind::Violation => format!("✗ {}: {text}", r.label),
        TraceKind::Note if r.label == "note" => {
            let who = names.get(r.node.index()).map_or("", String::as_str);
            if who.is_empty() || text.starts_with(who) {
                text.to_string()
            } else {
                format!("{who}: {text}")
            }
        }
        // The scenario's own notes are Markdown (the tour card renders them).
        TraceKind::Note if r.label == ANNOTATION => super::markdown::plain(text),
        _ => text.to_string(),
    }
}

fn line(l: &Line, stale: Option<&StaleNotes>) -> Html {
    let repeats = (l.times > 1).then(|| {
        let said = format!("said {} times, first at {}", l.times, l.first_at);
        html! { <span class="times" title={said.clone()} aria-label={said}>{format!("×{}", l.times)}</span> }
    });
    // First, so it is read before the note it qualifies (a long note runs past the panel's foot).
    let shipped = stale.filter(|_| l.stale).map(|s| {
        let why = format!(
            "The preset's note, written for the run as it ships: you changed this run at {:.2} s",
            s.from.as_ms_f64() / 1000.0
        );
        html! { <span class="as-shipped" title={why}>{"as shipped"}</span> }
    });
    let class = classes!(l.routine.then_some("routine"), l.stale.then_some("stale"));
    html! { <li {class}><span class="at">{&l.at}</span><span class="what">{shipped}{&l.text}{repeats}</span></li> }
}

#[function_component(EventLog)]
pub fn event_log() -> Html {
    let p = use_context::<Player>();
    let stale = {
        let (rev, session) = (p.as_ref().map(|p| p.scenario_rev), p.as_ref().map(|p| p.session.clone()));
        use_memo(rev, move |_| session.and_then(|s| StaleNotes::of(s.borrow().scenario())))
    };
    let Some(p) = p else { return html! {} };
    // It renders every frame: the trace indexes what was said, so this reads a few dozen
    // records however many messages the run wrote between them, and however far a seek went.
    let shown = {
        let s = p.session.borrow();
        lines(s.sim().trace().said(), s.sim().node_names(), stale.as_ref().as_ref())
    };
    html! {
        <section class="event-log" aria-label="Event log">
            <h2>{"Event log"}</h2>
            if shown.is_empty() {
                <p class="log-empty">{"Nothing said yet: notes, faults and broken invariants appear here as the run goes."}</p>
            } else {
                <ol class="log-lines" tabindex="0" aria-label="Newest first">
                    {for shown.iter().map(|l| line(l, stale.as_ref().as_ref()))}
                </ol>
            }
        </section>
    }
}
