//! The scenario's event list: every scripted fault, the faults its chaos section draws, and
//! everything broken by hand, in time order. Click an event to pause and jump to it; its × takes
//! it out of the scenario (the run replays without it, and the banner offers Undo). A long list
//! shows the thousand or so rows around the playhead and counts the rest. (The network tools sit
//! under the topology.)

use super::invariants::secs;
use super::narrator::spoken;
use crate::player::{Action, Player};
use dsplay_core::scenario::fault_spans::{fault_marks, FaultMarks};
use dsplay_core::scenario::Timed;
use dsplay_core::session::Session;
use dsplay_core::SimTime;
use std::collections::HashMap;
use std::rc::Rc;
use yew::prelude::*;

/// Every event of the run in time order, each with its index in the scenario's own events
/// (scripted or added by hand), or `None` if the chaos section drew it: the scenario's events
/// and the simulation's script less those.
pub fn every_event(s: &Session) -> Vec<(Timed, Option<usize>)> {
    let own = &s.scenario().events;
    // The scenario's events not yet matched to the script, by time: a script event is looked for
    // among those at its own time only (a search of every event made 1,000 events a million
    // comparisons).
    let mut unmatched: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, e) in own.iter().enumerate() {
        unmatched.entry(e.at_ms).or_default().push(i);
    }
    let mut out: Vec<(Timed, Option<usize>)> = own.iter().cloned().zip((0..).map(Some)).collect();
    for e in s.sim().script() {
        let same_time = unmatched.get_mut(&e.at_ms);
        match same_time.and_then(|at| at.iter().position(|&i| own[i] == *e).map(|k| at.remove(k))) {
            Some(_) => {}
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

/// × on the scenario's event `i`: take it out. Focus goes to the banner's Undo (what a keyboard
/// user may want next), else to the next ×, not back to the top of the page. Moved, not rescued:
/// the rows are keyed by place, so the × stays focused and becomes the next event's, and a second
/// Enter removed that one too (review 46 B3).
fn removed(d: &Callback<Action>, i: usize) -> Callback<MouseEvent> {
    let d = d.clone();
    Callback::from(move |_: MouseEvent| {
        d.emit(Action::Remove(i));
        crate::focus::move_to(vec!["#banner button.undo".into(), ".fault-remove".into()]);
    })
}

/// One row of the list: worked out once per scenario revision.
#[derive(PartialEq)]
struct Row {
    at_ms: u64,
    what: String,
    by: Option<&'static str>,
    /// The event's index in the scenario's own events (`None`: drawn by chaos).
    own: Option<usize>,
}

fn rows(s: &Session) -> Vec<Row> {
    let names = s.sim().node_names();
    every_event(s)
        .into_iter()
        .map(|(e, own)| {
            let by = match own {
                None => Some("chaos"),
                Some(_) => e.by_hand.then_some("by hand"),
            };
            let what = match &e.event {
                dsplay_core::ScenarioEvent::Note { text } => super::markdown::plain(text),
                other => other.describe_among(names),
            };
            Row { at_ms: e.at_ms, what, by, own }
        })
        .collect()
}

fn item(d: &Callback<Action>, i: usize, row: &Row, past: bool) -> Html {
    let Row { at_ms: at, what, by, own } = row;
    let chaos = *by == Some("chaos");
    let class = classes!("fault-item", past.then_some("past"), chaos.then_some("chaos"));
    let said = by.map(|b| format!(" ({b})")).unwrap_or_default();
    let title = if chaos {
        "drawn by the scenario's chaos section"
    } else {
        "done by hand: a fork from before it drops it"
    };
    let when = secs(SimTime::from_ms(*at));
    let remove = own.map(|i| {
        let label = format!("Remove {} at {when} from the scenario", spoken(what));
        html! {
            <button class="fault-remove" title={label.clone()} aria-label={label} data-at-ms={at.to_string()}
                onclick={removed(d, i)}>{"×"}</button>
        }
    });
    html! {
        <li key={i}>
            <button {class} onclick={jump(d, *at)} aria-label={format!("{when}: {}{said}; jump to it", spoken(what))}>
                <span class="at">{when.clone()}</span><span class="what">{arrows_kept_whole(what)}</span>
                if let Some(b) = by { <span class="by" {title}>{format!("({b})")}</span> }
            </button>
            {remove}
        </li>
    }
}

/// Rows drawn together: a block is drawn again only when the playhead passes one of its rows.
const BLOCK: usize = 50;

#[derive(Properties)]
struct BlockProps {
    rows: Rc<Vec<Row>>,
    from: usize,
    /// How many of the block's rows the playhead has passed.
    past: usize,
    dispatch: Callback<Action>,
}

impl PartialEq for BlockProps {
    /// The dispatch is the player's, whichever render handed it over.
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.rows, &o.rows) && (self.from, self.past) == (o.from, o.past)
    }
}

#[function_component(Block)]
fn block(p: &BlockProps) -> Html {
    let rows = p.rows.iter().enumerate().skip(p.from).take(BLOCK);
    html! { <>{for rows.map(|(i, r)| item(&p.dispatch, i, r, i < p.from + p.past))}</> }
}

/// Blocks listed before the playhead's block, and after it.
const BLOCKS_BEFORE: usize = 4;
const BLOCKS_AFTER: usize = 16;

/// The rows listed, `[first, last)`, for a playhead past `past` of `len` rows: whole blocks
/// around the playhead's.
fn shown_rows(past: usize, len: usize) -> (usize, usize) {
    let here = past.min(len.saturating_sub(1)) / BLOCK;
    let first = here.saturating_sub(BLOCKS_BEFORE) * BLOCK;
    (first, ((here + 1 + BLOCKS_AFTER) * BLOCK).min(len))
}

#[function_component(Faults)]
pub fn faults() -> Html {
    let p = use_context::<Player>();
    // The rows change with the scenario, not as the run plays: once per revision.
    let rows = {
        let session = p.as_ref().map(|p| p.session.clone());
        let key = p.as_ref().map(|p| (p.scenario_rev, Rc::as_ptr(&p.session) as usize));
        use_memo(key, move |_| session.map(|s| rows(&s.borrow())).unwrap_or_default())
    };
    let Some(p) = p else { return html! {} };
    let now_ms = p.session.borrow().now().as_us() / 1000;
    // Sorted by time: the rows already played are the first `past`. A thousand rows drawn on every
    // frame made each frame 50 ms (review 18); in blocks, a frame draws at most the block the
    // playhead is in.
    let past = rows.partition_point(|r| r.at_ms <= now_ms);
    // Only the blocks around the playhead: r6's chaos over a day drew 5,000 rows (41,000 nodes),
    // a 1.1 s task to open and 33–50 ms frames (review 54 B4). The rest are counted.
    let (first, last) = shown_rows(past, rows.len());
    let blocks = (first..last).step_by(BLOCK).map(|from| {
        let past = past.clamp(from, from + BLOCK) - from;
        html! { <Block key={from} rows={rows.clone()} {from} {past} dispatch={p.dispatch.clone()} /> }
    });
    let more = |n: usize, which: &str| {
        (n > 0).then(|| html! { <li class="fault-more">{format!("… {n} {which} events: move the playhead to list them")}</li> })
    };
    html! {
        <section class="faults" aria-label="Scenario events">
            <h2>{"Scenario events"}</h2>
            if rows.is_empty() {
                <p class="fault-empty">{"No scripted events yet. Everything you break by hand lands here."}</p>
            } else {
                <ol class="fault-list">{more(first, "earlier")}{for blocks}{more(rows.len() - last, "later")}</ol>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_long_list_shows_whole_blocks_around_the_playhead() {
        assert_eq!(shown_rows(0, 0), (0, 0));
        assert_eq!(shown_rows(0, 120), (0, 120), "a short list whole");
        assert_eq!(shown_rows(0, 5_000), (0, 850));
        assert_eq!(shown_rows(2_510, 5_000), (2_300, 3_350), "4 blocks before the playhead's, 16 after");
        assert_eq!(shown_rows(5_000, 5_000), (4_750, 5_000), "all played: the last blocks");
    }
}
