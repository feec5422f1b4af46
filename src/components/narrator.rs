//! An ARIA live region narrating key events: faults, violations and the protocol's notes
//! ("n3 became leader in term 4"); when paused, the event a step ran if nothing bigger happened,
//! and where a scrub back landed. At most one announcement per two seconds of wall time while
//! playing (about the time a screen reader takes to say one; more often, they queue up behind the
//! run); when the run stops, what happened since the last one is said at once, and likewise when
//! a long seek arrives; a jump back to an event says what happened there. Each says when in the
//! run it happened; symbols written for the eye ("b2<->lb: ~40 ms") are said in words.

use crate::player::Player;
use dsplay_core::presets::StaleNotes;
use dsplay_core::scenario::ScenarioEvent;
use dsplay_core::session::Session;
use dsplay_core::sim::trace::{TraceEvent, TraceKind, ANNOTATION};
use dsplay_core::{SimTime, Violation};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// Most records looked at per announcement (a fast run writes many between two).
const WINDOW: usize = 20_000;

/// Wall-clock milliseconds between two announcements while playing.
const EVERY_MS: f64 = 2_000.0;

/// What is said when Present is turned on, and off.
pub const PRESENTING: &str = "Presenting: the stage across the window, drawn larger. F leaves.";
pub const PRESENT_OFF: &str = "Present off: the page as it was.";

/// `text` as it should be heard: arrows, tildes, bars and wildcards become words ("link b2<->lb:
/// ~40 ms" is "link b2 to and from lb: about 40 ms"; "slow b2 ×2.5" is "slow b2 times 2.5").
pub fn spoken(text: &str) -> String {
    let words = [
        ("<->", " to and from "),
        ("->", " to "),
        ("<-", " from "),
        (" | ", " and "),
        ("~", "about "),
        ("≈", "about "),
        ("*", "every node"),
        (" (∥)", ""),
        ("∥", " concurrent with "),
        ("✗", ""),
        ("✓", ""),
        ("→", " to "),
        ("×", " times "),
        (" < ", " less than "),
        (" > ", " more than "),
        (" ≤ ", " at most "),
        (" ≥ ", " at least "),
        ("µs", " microseconds"),
    ];
    let mut out = text.to_string();
    for (sym, word) in words {
        out = out.replace(sym, word);
    }
    // "x2.00" after a space: a factor.
    let out = out.split(' ').map(|w| match w.strip_prefix('x') {
        Some(n) if n.starts_with(|c: char| c.is_ascii_digit()) => format!("times {n}"),
        _ => w.to_string(),
    });
    out.collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most this many things are said in one announcement; the rest are counted ("and 2 more").
const MOST_SAID: usize = 4;

/// One thing worth saying: when, how much it matters (see [`said_of`]), and its words.
struct Said {
    at: SimTime,
    rank: u8,
    text: String,
}

/// What is worth saying among `fresh` records (oldest first), in order: every broken invariant
/// (one that broke again said once, with how often), fault, note that says what became of a node
/// ("n4 became leader in term 1", "n4 stepped down: …": a crash and the election it causes often
/// fall between two announcements, and the new leader is the news; at 10× it was dropped, review
/// 46 A1) and note of the scenario's script (the lesson's words: d3's "its first stale read" was
/// lost behind a newer note, review 46 B2). Past [`MOST_SAID`], they are kept in that order of
/// importance (the earliest broken invariants and faults, the newest notes: what is on screen)
/// and the rest are counted. With none of these, the newest note of what a node did ("n5: conflict at index 93:
/// dropped 20 entries"), with its name in front; after d4's heal the step-down was lost behind
/// the truncation that follows it at the same instant.
///
/// `all` is every violation so far: a rule broken more often than the fresh records show (a jump
/// past many, or past the records kept) says how often in all (review 51 C9: "broken 21 times"
/// where the run had broken it 76 times).
fn said_of<'a>(
    fresh: impl Iterator<Item = &'a TraceEvent>,
    names: &[String],
    all: &[Violation],
) -> (Vec<Said>, usize) {
    let mut items: Vec<Said> = Vec::new();
    // Per broken invariant, where in `items` it is, how often it broke, and its newest case.
    let mut broken: Vec<(&str, usize, usize, &str)> = Vec::new();
    let mut newest_note: Option<Said> = None;
    for r in fresh {
        let text = r.text.as_deref().unwrap_or("");
        let item = |rank: u8, text: String| Said { at: r.at, rank, text };
        match r.kind {
            TraceKind::Violation => match broken.iter_mut().find(|(label, ..)| *label == r.label) {
                // The same invariant again (e3 breaks one for every duplicate charge): said once,
                // counted, with its newest case, when its newest case happened.
                // Worded once all are counted, below.
                Some((_, slot, times, newest)) => {
                    *times += 1;
                    *newest = text;
                    items[*slot].at = r.at;
                }
                None => {
                    broken.push((r.label, items.len(), 1, text));
                    items.push(item(4, format!("Invariant broken: {} ({text})", r.label)));
                }
            },
            // A request handed to a client by hand is the user's action, as a fault is: "write
            // handed to c1 (key k1, value 5)" (review 46 C7: it went unsaid).
            TraceKind::Fault | TraceKind::Client => items.push(item(3, text.to_string())),
            TraceKind::Note if r.is_said_note() && !text.is_empty() => {
                let who = match r.label == "note" {
                    true => names.get(r.node.index()).map_or("", String::as_str),
                    false => "",
                };
                match (who.is_empty(), text.starts_with(who)) {
                    (true, _) => items.push(item(1, text.to_string())),
                    (false, true) => items.push(item(2, text.to_string())),
                    (false, false) => newest_note = Some(item(0, format!("{who}: {text}"))),
                }
            }
            _ => {}
        }
    }
    // Once per rule, not per case: e3 breaks one at every duplicate charge, and each case counted
    // the run's violations again.
    for (label, slot, times, newest) in broken.into_iter().filter(|b| b.2 > 1) {
        let at = items[slot].at;
        let in_all = all.iter().filter(|v| v.rule == label && v.at <= at).count();
        let more = match in_all > times {
            true => format!("{times} more times, {in_all} in all"),
            false => format!("{times} times"),
        };
        items[slot].text = format!("Invariant broken {more}: {label} (newest: {newest})");
    }
    if items.is_empty() {
        return (newest_note.into_iter().collect(), 0);
    }
    // A repeated invariant took its newest case's time: back in order.
    items.sort_by_key(|s| s.at);
    let more = items.len().saturating_sub(MOST_SAID);
    if more > 0 {
        let n = items.len();
        let mut ranked: Vec<(usize, Said)> = items.into_iter().enumerate().collect();
        ranked.sort_by_key(|(i, s)| (std::cmp::Reverse(s.rank), if s.rank <= 2 { n - i } else { *i }));
        ranked.truncate(MOST_SAID);
        ranked.sort_by_key(|(i, _)| *i);
        items = ranked.into_iter().map(|(_, s)| s).collect();
    }
    (items, more)
}

/// What is worth saying among `fresh` records (see [`said_of`]), one thing after another.
pub fn headline<'a>(fresh: impl Iterator<Item = &'a TraceEvent>, names: &[String]) -> Option<String> {
    told(fresh, names, &[], false)
}

/// The [`headline`] of `fresh` records, each thing with the simulated time it happened ("At 5.00
/// seconds: crash n4; at 5.19 seconds: n3 became leader in term 2"), a time once for things at the
/// same instant: announcements lag the run by up to two seconds of wall time, which at 100× is
/// minutes of the run, and one time for all of them put the crash at the restart's 10 s (review
/// 46 A1).
pub fn announcement<'a>(fresh: impl Iterator<Item = &'a TraceEvent>, names: &[String]) -> Option<String> {
    told(fresh, names, &[], true)
}

/// The [`announcement`] of `fresh` records of a run whose violations so far are `all`: a rule
/// broken again says how often in all.
pub fn announcement_of<'a>(
    fresh: impl Iterator<Item = &'a TraceEvent>,
    names: &[String],
    all: &[Violation],
) -> Option<String> {
    told(fresh, names, all, true)
}

/// [`said_of`] in one sentence, each thing's time in front of it if `timed`.
fn told<'a>(
    fresh: impl Iterator<Item = &'a TraceEvent>,
    names: &[String],
    all: &[Violation],
    timed: bool,
) -> Option<String> {
    let (items, more) = said_of(fresh, names, all);
    let secs = |at: SimTime| format!("{:.2} seconds", at.as_ms_f64() / 1000.0);
    let mut out = String::new();
    let mut last: Option<SimTime> = None;
    for s in items {
        // A note's full stop goes before the next ("…only NotLeader; at 0.17 seconds: …").
        out.truncate(out.trim_end_matches('.').len());
        out += &match last {
            None if timed => format!("At {}: {}", secs(s.at), s.text),
            None => s.text,
            Some(t) if !timed || secs(t) == secs(s.at) => format!("; then {}", s.text),
            Some(_) => format!("; at {}: {}", secs(s.at), s.text),
        };
        last = Some(s.at);
    }
    if more > 0 {
        out.truncate(out.trim_end_matches('.').len());
        out += &format!("; and {more} more");
    }
    (!out.is_empty()).then_some(out)
}

/// Most records a step by hand writes for its event to be said when nothing bigger happened
/// (a delivery writes its own record and the sends it causes; a scrub writes thousands).
const STEP_RECORDS: u64 = 64;

/// The event a step by hand ran, in words: "At 0.41 seconds: n1 received Vote from n3 (granted,
/// term 2)". Sends are what the event did, not the event.
pub fn step_said(r: &TraceEvent, names: &[String], payload: Option<String>) -> Option<String> {
    let name = |id: dsplay_core::NodeId| names.get(id.index()).map_or("?", String::as_str);
    let from = r.peer.map(name).unwrap_or("?");
    let payload = payload.filter(|p| !p.is_empty()).map(|p| format!(" ({p})")).unwrap_or_default();
    let what = match r.kind {
        TraceKind::Deliver => format!("{} received {} from {from}{payload}", name(r.node), r.label),
        TraceKind::Drop => {
            let why = r.text.as_deref().map(|t| format!(": {t}")).unwrap_or_default();
            format!("{} from {from} to {} was dropped{why}", r.label, name(r.node))
        }
        TraceKind::Timer => format!("{}'s {} timer fired", name(r.node), r.label),
        // A request handed in, by hand or by the script: "local handed to p1".
        TraceKind::Client => r.text.as_deref().unwrap_or_default().to_string(),
        _ => return None,
    };
    Some(format!("At {:.2} seconds: {what}", r.at.as_ms_f64() / 1000.0))
}

/// A message record's payload in words (`None` for a record of no message, or one forgotten).
fn payload(s: &Session, r: &TraceEvent) -> Option<String> {
    (r.msg > 0).then(|| dsplay_core::readable::message(s.sim(), r.msg)).flatten()
}

/// The [`announcement`] of the records written since the record numbered `since`, if they hold
/// news (a crash, a leader, a broken invariant…), not a stray delivery.
fn news_since(p: &Player, since: u64, stale: Option<&StaleNotes>) -> Option<String> {
    let s = p.session.borrow();
    let fresh = fresh_records(&s, p.tour, since, stale).filter(news(&s));
    announcement_of(fresh, s.sim().node_names(), s.sim().violations())
}

/// The records written since the record numbered `since` (the newest [`WINDOW`]), less the notes
/// not to be said: on a tour its card says them, once, as each stop is reached; `stale` ones are
/// a preset's, after the run was changed, and tell another run.
fn fresh_records<'a>(
    s: &'a Session,
    tour: bool,
    since: u64,
    stale: Option<&'a StaleNotes>,
) -> impl DoubleEndedIterator<Item = &'a TraceEvent> + Clone {
    let trace = s.sim().trace();
    let fresh = (trace.len_total().saturating_sub(since) as usize).min(WINDOW);
    let records = trace.records();
    let stale = move |r: &TraceEvent| stale.is_some_and(|s| s.covers(r.at, r.text.as_deref().unwrap_or("")));
    records
        .range(records.len().saturating_sub(fresh)..)
        .filter(move |r| !(r.label == ANNOTATION && (tour || stale(r))))
}

/// Whether a record is news to announce: a request handed in is, only if it was handed in by
/// hand (a script's are its steps: d6-textbook-figure's every event read "local handed to p1;
/// then local handed to p3", review 49 C9). A step on one still says it.
fn news<'a>(s: &'a Session) -> impl Fn(&&TraceEvent) -> bool + Clone + 'a {
    move |r: &&TraceEvent| {
        let node = s.sim().node_names().get(r.node.index()).map(String::as_str);
        r.kind != TraceKind::Client
            || s.scenario().events.iter().any(|e| {
                e.by_hand
                    && SimTime::from_ms(e.at_ms) == r.at
                    && matches!(&e.event, ScenarioEvent::Client { node: n, .. } if Some(n.as_str()) == node)
            })
    }
}

/// What to say of the records written since the record numbered `since` (see [`fresh_records`]).
fn newest_headline(p: &Player, since: u64, stale: Option<&StaleNotes>) -> Option<String> {
    let s = p.session.borrow();
    let new = s.sim().trace().len_total().saturating_sub(since);
    let names = s.sim().node_names();
    let recent = fresh_records(&s, p.tour, since, stale);
    let news = announcement_of(recent.clone().filter(news(&s)), names, s.sim().violations());
    // Paused after a step or two: with no news, the event itself (a screen reader heard nothing
    // after Step or Next message). That is the newest record a step is said by (a delivery, a
    // drop, a timer), not the clock note a clock lesson writes after each: with it, d6's steps
    // said nothing (review 49 B1). That note, the node's clock after the event, is said with it.
    let step = || {
        // Found from the newest back, its payload worded once: a pause after a fast stretch has
        // up to WINDOW records, and each was worded to keep the last.
        let r = recent.clone().rev().find(|r| step_said(r, names, None).is_some())?;
        let said = step_said(r, names, payload(&s, r))?;
        let after = recent.clone().rev().take_while(|c| !std::ptr::eq(*c, r));
        let clock = after.filter(|c| c.label == "clock" && c.node == r.node && c.at == r.at).last();
        Some(match clock.and_then(|c| c.text.as_deref()) {
            // "L=2 V=[0,1,0,1] receive from p2": the clock, without what the note says of it.
            Some(text) => {
                let clock =
                    text.find(']').map_or_else(|| text.split(' ').next().unwrap_or(text), |e| &text[..=e]);
                format!("{said}; its clock is now {clock}")
            }
            None => said,
        })
    };
    if p.playing {
        return news;
    }
    if new <= STEP_RECORDS {
        return news.or_else(step);
    }
    // Paused after a scrub or seek forward: where the playhead is first; the news of the span
    // passed over may be seconds older (review 12: "At 0.19 seconds: n4 became leader" was heard
    // with the playhead at 3.5 s as if it had just happened).
    let here = format!("Now at {:.2} seconds", s.now().as_ms_f64() / 1000.0);
    Some(match news {
        Some(n) => format!("{here}. Latest on the way: {}", n.replacen("At ", "at ", 1)),
        None => here,
    })
}

/// Where a trip back in time landed, and what happened at that very instant when it landed on
/// an event: a violation's or a fault's "jump to" said only "Back at 3.40 seconds", not what broke
/// there (review 41 C8). Tour notes are left to the tour card.
fn back_at(p: &Player) -> String {
    let s = p.session.borrow();
    let now = s.now();
    let here = format!("Back at {:.2} seconds", now.as_ms_f64() / 1000.0);
    let records = s.sim().trace().records();
    let at_now = records.iter().rev().take_while(|r| r.at == now).count();
    let there = records.range(records.len() - at_now..).filter(|r| r.label != ANNOTATION);
    let names = s.sim().node_names();
    // With no news there, what the selected node received at that instant: a linearizability
    // jump selects the client whose read went wrong and lands on its answer arriving, and said
    // only "Back at 0.18 seconds" (review 46 C6).
    let received = || {
        let to = p.selected?;
        let r = records
            .range(records.len() - at_now..)
            .rev()
            .find(|r| r.kind == TraceKind::Deliver && r.node == to)?;
        let said = step_said(r, names, payload(&s, r))?;
        // Without step_said's "At 0.18 seconds: ", which "Back at …" already says.
        Some(said.split_once(": ").map_or(said.clone(), |(_, what)| what.to_string()))
    };
    match headline(there, names).or_else(received) {
        Some(what) => format!("{here}: {}", spoken(&what)),
        None => here,
    }
}

#[function_component(Narrator)]
pub fn narrator() -> Html {
    let p = use_context::<Player>();
    let seen = use_mut_ref(|| 0u64);
    let last_wall = use_memo((), |_| Rc::new(Cell::new(0.0f64)));
    let stale = {
        let (rev, session) = (p.as_ref().map(|p| p.scenario_rev), p.as_ref().map(|p| p.session.clone()));
        use_memo(rev, move |_| session.and_then(|s| StaleNotes::of(s.borrow().scenario())))
    };
    let said = use_state(String::new);
    let was_playing = use_mut_ref(|| false);
    let was_presenting = use_mut_ref(|| false);
    // The scenario on screen, by title: another one opened is said by name (review 46 C8: a pick
    // from the gallery was heard only as "Back at 0.00 seconds").
    let shown_title = use_mut_ref(|| {
        p.as_ref().map(|p| p.session.borrow().scenario().meta.title.clone()).unwrap_or_default()
    });
    if let Some(p) = &p {
        // Compared on every frame, copied only when it changed.
        let opened = *shown_title.borrow() != p.session.borrow().scenario().meta.title;
        let total = p.session.borrow().sim().trace().len_total();
        let now = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |perf| perf.now());
        let paused_now = std::mem::replace(&mut *was_playing.borrow_mut(), p.playing) && !p.playing;
        let present_toggled =
            std::mem::replace(&mut *was_presenting.borrow_mut(), p.presenting) != p.presenting;
        if present_toggled {
            // F from anywhere changed the whole page and said nothing (review 41). The run's news
            // waits its usual gap behind this.
            said.set(if p.presenting { PRESENTING } else { PRESENT_OFF }.to_string());
            last_wall.set(now);
        } else if paused_now && p.unseen {
            // Paused by scrolling away: nobody is looking, and a course page is being read.
            *seen.borrow_mut() = total;
        } else if paused_now && p.travel.is_none() {
            // Play → pause: where it stopped (review 22: the last few records' stray delivery was
            // said instead, "n1 received AppendReply from n2"), after the headline not yet said:
            // a run that ended within the 2 s gap after the last news said only where it stopped,
            // and a broken invariant went unsaid (review 41 B1).
            let news = (total > *seen.borrow())
                .then(|| news_since(p, *seen.borrow(), stale.as_ref().as_ref()).map(|h| spoken(&h)))
                .flatten()
                .filter(|h| *said != *h);
            *seen.borrow_mut() = total;
            let at = p.session.borrow().now().as_ms_f64() / 1000.0;
            let stop = format!("Paused at {at:.2} seconds");
            if p.tour {
                // At a tour's stop its card is speaking: "Paused at …" only talked over it
                // (review 41 C4). News the card does not tell is still said.
                if let Some(news) = news {
                    said.set(news);
                }
            } else {
                said.set(news.map_or(stop.clone(), |h| format!("{}. {stop}", h.trim_end_matches('.'))));
            }
        } else if opened && p.travel.is_none() {
            // Said once it has arrived where the link asked (`&t=`).
            let title = p.session.borrow().scenario().meta.title.clone();
            *shown_title.borrow_mut() = title.clone();
            *seen.borrow_mut() = total;
            let at = p.session.borrow().now().as_ms_f64() / 1000.0;
            said.set(format!("Opened “{title}”, at {at:.2} seconds"));
        } else if p.travel.is_some() {
            // A long seek: the timeline says where it is heading; the news waits for arrival.
        } else if total < *seen.borrow() {
            // Travelled back in time: what was said belongs to a future not yet played; where the
            // playhead now stands is the news.
            *seen.borrow_mut() = total;
            said.set(back_at(p));
        } else if total > *seen.borrow() && (!p.playing || now - last_wall.get() > EVERY_MS) {
            if let Some(h) = newest_headline(p, *seen.borrow(), stale.as_ref().as_ref()).map(|h| spoken(&h)) {
                if *said != h {
                    said.set(h);
                }
            }
            *seen.borrow_mut() = total;
            last_wall.set(now);
        }
    }
    html! { <div id="narration" class="sr-only" role="status" aria-live="polite" aria-atomic="true">{ (*said).clone() }</div> }
}
