//! The actions that change the scenario, not only the playhead: an action at the playhead (which
//! forks the future when done in the past), taking an event out, Undo, opening another scenario
//! and replacing its configuration; and the words the banner says of them.

use super::reduce::travel_to;
use super::UiState;
use dsplay_core::scenario::{Playhead, Timed};
use dsplay_core::session::Session;
use dsplay_core::{Scenario, ScenarioError, ScenarioEvent, SimTime};
use std::cell::RefCell;
use std::rc::Rc;

/// A change Undo can take back (a fork that dropped the old future's actions, or a removal).
#[derive(Clone, Debug, PartialEq)]
pub struct Undo {
    /// The scenario and playhead before it.
    pub before: Scenario,
    pub at: SimTime,
    /// The scenario's events just after it: what is in the scenario besides these at Undo was
    /// done since, and is kept (review 25 A2: Undo threw away every action after a fork).
    pub after: Vec<Timed>,
    /// The banner that offers it: Undo shows beside that text only (review 25 B1: a later
    /// refusal's banner kept the fork's Undo).
    pub said: String,
}

impl Undo {
    /// `before`, with the events done since the change (in `now` and not in `after`) put back in
    /// time order after the events of their millisecond, as an action is; the events kept; and
    /// those not kept. A message's id names a message of the run it was picked in only: in the run
    /// restored it is another message, or none (review 28 B2: a kept 'lose message #1223' pointed
    /// at a reply delivered long before), so messages lost by hand since are not kept.
    pub fn restored(&self, now: &[Timed]) -> (Scenario, Vec<Timed>, Vec<Timed>) {
        let mut after = self.after.clone();
        let mut since = Vec::new();
        for e in now {
            match after.iter().position(|a| a == e) {
                Some(i) => drop(after.remove(i)),
                None => since.push(e.clone()),
            }
        }
        let (lost, kept): (Vec<Timed>, Vec<Timed>) =
            since.into_iter().partition(|e| matches!(e.event, ScenarioEvent::LoseMessage { .. }));
        let mut sc = self.before.clone();
        for e in &kept {
            let at = sc.events.partition_point(|x| x.at_ms <= e.at_ms);
            sc.events.insert(at, e.clone());
        }
        (sc, kept, lost)
    }
}

/// An action at the playhead: in the past it forks a new future, and what was done by hand later
/// in the old one is gone (said in the banner, with an Undo).
pub(super) fn act(session: &RefCell<Session>, ui: &mut UiState, ev: ScenarioEvent) {
    let mut s = session.borrow_mut();
    let before = (s.scenario().clone(), s.now());
    match s.act(ev) {
        Ok(gone) => {
            ui.scenario_rev += 1;
            if !gone.is_empty() {
                let said = forked(s.now(), &gone);
                let (before, at) = before;
                let after = s.scenario().events.clone();
                ui.undo = Some(Rc::new(Undo { before, at, after, said: said.clone() }));
                ui.error = Some(said);
            } else {
                // A fork's banner and its Undo stay until dismissed: the next click must not hide
                // what the fork cost. Any other message (a refusal) goes.
                ui.error = ui.undo.as_ref().map(|u| u.said.clone());
            }
        }
        // An action refused ("n4 cannot be timed out: it is down") is said as it is: the field
        // name a scenario file's error carries (`event`) means nothing after a click (review 43).
        Err(ScenarioError::Invalid { field, message }) if field == "event" => {
            ui.error = Some(crate::link::sentence(&message))
        }
        Err(e) => ui.error = Some(e.to_string()),
    }
}

/// Take the scenario's event `i` out: the run replays without it, to the playhead or to where a
/// travel under way (`target`) was heading.
pub(super) fn remove(session: &RefCell<Session>, ui: &mut UiState, i: usize, target: Option<Playhead>) {
    let (before, now) = {
        let s = session.borrow();
        (s.scenario().clone(), s.now())
    };
    let mut sc = before.clone();
    if i >= sc.events.len() {
        return;
    }
    let gone = sc.events.remove(i);
    let after = sc.events.clone();
    match rebuild(session, ui, sc, target.unwrap_or(Playhead::at(now))) {
        Ok(()) => {
            let said = format!("Removed {} from the scenario: the run replays without it.", said(&gone));
            ui.undo = Some(Rc::new(Undo { before, at: now, after, said: said.clone() }));
            ui.error = Some(said);
        }
        Err(e) => ui.error = Some(e.to_string()),
    }
}

/// Take back the last fork or removal, keeping what was done since (see [`Undo::restored`]).
pub(super) fn undo(session: &RefCell<Session>, ui: &mut UiState) {
    if let Some(u) = ui.undo.take() {
        let (sc, since, lost) = u.restored(&session.borrow().scenario().events);
        if rebuild(session, ui, sc, Playhead::at(u.at)).is_ok() {
            ui.error = kept(&since, &lost);
        }
    }
}

/// Open another scenario from its start, paused; one that does not start keeps the current one.
pub(super) fn load(session: &RefCell<Session>, ui: &mut UiState, sc: Scenario) {
    match Session::new(sc) {
        Ok(s) => {
            *session.borrow_mut() = s;
            ui.error = None;
            ui.undo = None;
            ui.selected = None;
            ui.playing = false;
            ui.tour = false;
            ui.scenario_rev += 1;
            forget_foreign_kinds(session, &mut ui.spotlight);
        }
        Err(e) => ui.error = Some(format!("That scenario could not be opened: {e}")),
    }
}

/// Run `sc` instead (an edit, a new seed) and head back to the playhead, or to where a travel
/// under way (`target`) was heading.
pub(super) fn replace(session: &RefCell<Session>, ui: &mut UiState, sc: Scenario, target: Option<Playhead>) {
    let back_to = target.unwrap_or(Playhead::at(session.borrow().now()));
    match rebuild(session, ui, sc, back_to) {
        Ok(()) => {
            ui.undo = None;
            ui.error = None;
            forget_foreign_kinds(session, &mut ui.spotlight);
        }
        // The scenario (and so the editor's draft, which follows its revision) is kept, and so is
        // a travel under way.
        Err(e) => ui.error = Some(e.to_string()),
    }
}
/// Run `sc` in place of the current scenario and head for `to` in it (an edit, a removal, an
/// Undo). A scenario that does not start changes nothing.
fn rebuild(
    session: &RefCell<Session>,
    ui: &mut UiState,
    sc: Scenario,
    to: Playhead,
) -> Result<(), ScenarioError> {
    *session.borrow_mut() = Session::new(sc)?;
    ui.scenario_rev += 1;
    travel_to(session, ui, to);
    Ok(())
}

/// "crash n2 at 5.000 s".
pub fn said(e: &Timed) -> String {
    format!("{} at {:.3} s", e.event.describe(), e.at_ms as f64 / 1000.0)
}

/// Why an action at the run's end is refused: nothing is left to run it in (review 11). Said in
/// the banner, and under the request form where a request is typed (review 20). The action is
/// quoted as words ("crash b1"), not as code: the banner shows text, not markdown.
pub fn run_ended(ev: &ScenarioEvent) -> String {
    format!(
        "The run has ended, so \u{201c}{}\u{201d} would change nothing: scrub back and act earlier, or give \
         the run more time (the Editor's stop at (ms)).",
        ev.describe()
    )
}

/// What a fork cost, said once: the actions done by hand later in the old future are not in the
/// new one, which would otherwise surprise whoever waits for them.
fn forked(now: SimTime, gone: &[Timed]) -> String {
    format!(
        "A change at {:.3} s starts a new future, without what you did later in the old one: {}.",
        now.as_ms_f64() / 1000.0,
        listed(gone)
    )
}

/// "crash n2 at 3.000 s, pause n3 at 4.000 s and 2 more": the first three, said.
fn listed(events: &[Timed]) -> String {
    let first: Vec<String> = events.iter().take(3).map(said).collect();
    match events.len().saturating_sub(3) {
        0 => first.join(", "),
        more => format!("{} and {more} more", first.join(", ")),
    }
}

/// What Undo says of the actions done since the change it took back: those kept, and the
/// messages lost by hand since, which belonged to the run undone (none of either: nothing).
fn kept(since: &[Timed], lost: &[Timed]) -> Option<String> {
    let kept = (!since.is_empty()).then(|| format!("What you did since is kept: {}.", listed(since)));
    let gone = (!lost.is_empty()).then(|| {
        format!("Not kept: {}, a message of the run undone (its id is another message here).", listed(lost))
    });
    match (kept, gone) {
        (None, None) => None,
        (k, g) => Some(format!("Undone. {}", [k, g].into_iter().flatten().collect::<Vec<_>>().join(" "))),
    }
}

/// Keep only the spotlit kinds the current protocol sends (a kind left from another scenario's
/// protocol would otherwise dim everything).
fn forget_foreign_kinds(session: &RefCell<Session>, spotlight: &mut Vec<String>) {
    let kinds = session.borrow().sim().message_kinds();
    spotlight.retain(|k| kinds.contains(&k.as_str()));
}
