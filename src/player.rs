//! The player: one `Session` (scenario + simulation + checkpoints) shared by every component
//! through a Yew context, and the actions that change it. The animation clock is not the sim
//! clock: each frame turns wall-clock Δt × speed into simulated time, under a budget of events
//! and of wall time.

use dsplay_core::scenario::tour::Tour;
use dsplay_core::scenario::{Playhead, Timed};
use dsplay_core::session::Session;
use dsplay_core::view::{MsgView, WorldView};
use dsplay_core::{NodeId, Scenario, ScenarioError, ScenarioEvent, SimTime};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Most events handled in one animation frame (with [`crate::travel::PLAY_SLICE_MS`] of wall time).
pub const FRAME_EVENT_BUDGET: u64 = 20_000;
/// Longest wall-clock step honoured per frame (a backgrounded tab does not jump ahead).
pub const MAX_FRAME_MS: f64 = 100.0;
/// Slow enough for a 1 ms hop to take a second: each request can be followed by eye.
pub const MIN_SPEED: f64 = 0.001;
pub const MAX_SPEED: f64 = 100.0;

/// Everything a user can ask the player to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Play,
    Pause,
    /// Pause because the widget went out of sight (an embed scrolled away, a hidden tab): as
    /// [`Action::Pause`], but the narrator does not announce it (review 23 C4: embeds below the
    /// fold said "Paused at 0.00 seconds" as the course page loaded).
    Unseen,
    Toggle,
    StepEvent,
    StepMessage,
    /// Simulated ms per wall-clock ms, clamped to 0.001–100.
    Speed(f64),
    /// Move the playhead (a far one is travelled to over several frames, see [`UiState::travel`]).
    Seek(SimTime),
    /// Return to a link's playhead (which may name an event inside an instant).
    Goto(Playhead),
    /// Travel back 1 % of the run (←), from where the playhead is heading if a seek is under way.
    Back,
    /// Stop travelling where the playhead has got to (Esc, or the Stop button).
    StopTravel,
    Restart,
    /// A fault or user action at the playhead (forks if in the past).
    Act(ScenarioEvent),
    /// Open a different scenario (a preset, a link, an edit). Errors keep the current one.
    Load(Scenario),
    /// Keep the scenario and the playhead, change the configuration (editor, seed).
    Replace(Scenario),
    Select(Option<NodeId>),
    /// Spotlight a message kind, or take it out of the spotlight (legend presses).
    Spotlight(String),
    /// Advance by one animation frame of `wall_ms` (sent by the frame loop).
    Frame(f64),
    /// Say something in the banner (a refused link), or clear it with `None` (its × button).
    Notice(Option<String>),
    /// Take the scenario's event at this index out; the run replays without it to the playhead.
    Remove(usize),
    /// Take back the last action that dropped the old future's later events, or a removal.
    Undo,
    /// Play only part of the run (an embed's `t=…&until=…&loop=1`).
    Clip(Option<Clip>),
    /// Play the scenario's slow-motion stretches slower (on), or everything at the chosen speed.
    SlowMotion(bool),
    /// Present (on): the stage across the window and drawn larger, the side columns folded, for
    /// a projector.
    Present(bool),
    /// A new title and lesson for the scenario (the run is unchanged; the link carries them).
    Describe {
        title: String,
        lesson: String,
    },
    /// A move in the guided tour of the scenario's notes (see [`TourMove`]).
    Tour(TourMove),
}

/// The tour (The Secret Lives of Data style): playing pauses exactly at each of the scenario's
/// notes, as a clip stops at its end, and a card over the stage says it.
///
/// A reader who scrubs or presses Play by hand is still on the tour: the stops stay, the card
/// shows the last stop at or before the playhead, and playing still pauses at the next one. That
/// is what a reader who looked back at something, or played on while reading, expects; leaving
/// the tour is the card's × (or Esc).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TourMove {
    /// From the start of the run: plays to the first stop (or stays, if a note is at 0).
    Start,
    /// Play to the next stop; while playing, jump there at once; after the last, play to the end
    /// and leave the tour.
    Continue,
    /// To the stop before the one shown, or to the start, paused.
    Back,
    Exit,
}

/// The part of a run an embed plays: playing stops when the playhead crosses `until` (or the run
/// ends), or, with `looping`, goes back to `from` and plays on. Play at `until` plays the clip
/// again; a playhead the reader moved past `until` plays on to the end (the clip stops a run
/// where it was asked to, not every run after it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clip {
    pub from: SimTime,
    pub until: Option<SimTime>,
    pub looping: bool,
}

/// What components read: the shared session, the UI state (`p.playing`, `p.frame`… through
/// `Deref`), and the world as of this frame. `frame` changes whenever the session did, so
/// components re-render.
#[derive(Clone)]
pub struct Player {
    pub session: Rc<RefCell<Session>>,
    pub ui: UiState,
    /// Built once per frame and shared: components never call `sim().view()` themselves.
    pub view: Rc<WorldView>,
    pub dispatch: Callback<Action>,
}

impl std::ops::Deref for Player {
    type Target = UiState;
    fn deref(&self) -> &UiState {
        &self.ui
    }
}

impl PartialEq for Player {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.session, &o.session) && Rc::ptr_eq(&self.view, &o.view) && self.ui == o.ui
    }
}

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

/// Mutable player state behind the context (the session itself is in an `Rc<RefCell<_>>`).
#[derive(Clone, Debug, PartialEq)]
pub struct UiState {
    pub frame: u64,
    pub playing: bool,
    pub speed: f64,
    pub selected: Option<NodeId>,
    /// The last error from an action (shown in the banner), if any.
    pub error: Option<String>,
    /// Bumped whenever the scenario changes (the link must be rewritten).
    pub scenario_rev: u64,
    /// Message kinds spotlit in the legend (view state, not part of the link): the topology and
    /// the space-time diagram draw these in full and dim the rest. Empty: every kind in full.
    pub spotlight: Vec<String>,
    /// What Undo takes back: the last action that dropped later events, or a removal.
    pub undo: Option<Rc<Undo>>,
    /// Where the playhead is travelling to, while a seek too far for one frame goes on.
    pub travel: Option<Playhead>,
    /// The part of the run an embed plays, if it plays only part.
    pub clip: Option<Clip>,
    /// The speed playing actually reaches while a frame's budget holds it below `speed`.
    pub pace: Option<Pace>,
    /// Whether the scenario's slow-motion stretches (`meta.slow_motion`) play slower.
    pub slow_motion: bool,
    /// Presenting: see [`Action::Present`].
    pub presenting: bool,
    /// When the run stopped being its preset's as shipped (see [`changed_from`]): the lesson's
    /// slow-motion stretches were timed for the shipped run, so from then on elections are slowed
    /// wherever they happen (see [`crate::slow_auto`]).
    pub changed_from: Option<SimTime>,
    /// On the guided tour: see [`TourMove`].
    pub tour: bool,
    /// The last action was [`Action::Unseen`].
    pub unseen: bool,
}

/// A run too busy for its speed: frames stop at [`FRAME_EVENT_BUDGET`] events or after
/// [`crate::travel::PLAY_SLICE_MS`] of simulating, so the playhead moves slower than asked.
/// `reached` is smoothed over frames; it is forgotten after [`EASY_FRAMES`] frames in a row that
/// kept up, so a speed that is only sometimes held back does not make the label flicker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pace {
    pub reached: f64,
    easy: u32,
}

const EASY_FRAMES: u32 = 30;

impl Pace {
    /// The pace after a frame of `wall_ms` that moved the playhead `moved_us`, `capped` if it
    /// stopped short of where it was going.
    fn next(pace: Option<Pace>, wall_ms: f64, moved_us: u64, capped: bool) -> Option<Pace> {
        let now = moved_us as f64 / 1000.0 / wall_ms.max(1.0);
        match (pace, capped) {
            (None, false) => None,
            (None, true) => Some(Pace { reached: now, easy: 0 }),
            (Some(p), true) => Some(Pace { reached: p.reached * 0.8 + now * 0.2, easy: 0 }),
            (Some(p), false) => (p.easy + 1 < EASY_FRAMES).then_some(Pace { easy: p.easy + 1, ..p }),
        }
    }
}

impl Default for UiState {
    fn default() -> Self {
        UiState {
            frame: 0,
            playing: false,
            speed: 1.0,
            selected: None,
            error: None,
            scenario_rev: 0,
            spotlight: Vec::new(),
            undo: None,
            travel: None,
            clip: None,
            pace: None,
            slow_motion: true,
            presenting: false,
            changed_from: None,
            tour: false,
            unseen: false,
        }
    }
}

/// The speed factor at `now` (1 with slow motion off) and when the next slow stretch starts: the
/// lesson's stretches, and the elections caused by hand (see [`crate::slow_auto`]).
pub fn slow_motion(s: &Session, ui: &UiState, now: SimTime) -> (f64, Option<SimTime>) {
    if !ui.slow_motion {
        return (1.0, None);
    }
    let (factor, next) = dsplay_core::scenario::slow_motion::factor_at(&s.scenario().meta.slow_motion, now);
    if factor < 1.0 {
        return (factor, next);
    }
    let (by_hand, next_timer) = crate::slow_auto::factor(s, now, ui.changed_from);
    (by_hand, next.into_iter().chain(next_timer).min())
}

/// When `sc` stopped being its preset as shipped: the start for a changed scenario, else the
/// first action done by hand; `None` for a preset as it ships or a scenario of no preset.
pub fn changed_from(sc: &dsplay_core::Scenario) -> Option<SimTime> {
    dsplay_core::presets::StaleNotes::of(sc).map(|s| s.from)
}

/// Apply one action. Returns the new UI state; the session is changed in place.
pub fn reduce(session: &RefCell<Session>, ui: UiState, action: Action) -> UiState {
    let rev = ui.scenario_rev;
    let mut ui = reduce_action(session, ui, action);
    if ui.scenario_rev != rev {
        ui.changed_from = changed_from(session.borrow().scenario());
    }
    ui
}

fn reduce_action(session: &RefCell<Session>, mut ui: UiState, action: Action) -> UiState {
    ui.frame += 1;
    ui.unseen = matches!(action, Action::Unseen);
    // Stepping, acting or opening something works on the state on screen: a travel ends there.
    // An edit (Replace) rebuilds the run and heads for the travel's target; Undo for its own.
    let target = ui.travel;
    let edit = matches!(action, Action::Replace(_) | Action::Remove(_) | Action::Undo);
    if ends_travel(&action) {
        ui.travel = None;
    }
    // At a clip's end, Play plays the clip again, as a video player does at the end of one.
    let play = matches!(action, Action::Play | Action::Toggle) && !ui.playing;
    if let Some(from) = at_clip_end(session, &ui).filter(|_| play) {
        travel_to(session, &mut ui, Playhead::at(from));
        ui.playing = true;
        return ui;
    }
    match action {
        Action::Play => ui.playing = !session.borrow().finished(),
        Action::Pause | Action::Unseen => {
            ui.playing = false;
            session.borrow_mut().settle();
        }
        // At the end of the run, Space plays it again from the start, as the Play button does.
        Action::Toggle if !ui.playing && session.borrow().finished() => {
            session.borrow_mut().restart();
            ui.playing = true;
        }
        Action::Toggle => {
            ui.playing = !ui.playing && !session.borrow().finished();
            if !ui.playing {
                session.borrow_mut().settle();
            }
        }
        Action::StepEvent => {
            ui.playing = false;
            session.borrow_mut().step_event();
        }
        Action::StepMessage => {
            ui.playing = false;
            session.borrow_mut().step_message(100_000);
        }
        Action::Speed(s) => {
            ui.speed = s.clamp(MIN_SPEED, MAX_SPEED);
            ui.pace = None;
        }
        Action::Seek(t) => travel_to(session, &mut ui, Playhead::at(t)),
        Action::Goto(p) => travel_to(session, &mut ui, p),
        Action::Back => {
            let s = session.borrow();
            let from = target.map_or(s.now(), |p| p.at);
            let to = SimTime(from.as_us().saturating_sub(s.stop_at().as_us() / 100));
            drop(s);
            travel_to(session, &mut ui, Playhead::at(to));
        }
        Action::StopTravel => session.borrow_mut().settle(),
        Action::Restart => {
            session.borrow_mut().restart();
            ui.playing = false;
        }
        // At the run's end nothing is left to run an action in: it would sit in the link and
        // change nothing (review 11).
        Action::Act(ev) if session.borrow().finished() => ui.error = Some(run_ended(&ev)),
        Action::Act(ev) => {
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
                        // A fork's banner and its Undo stay until dismissed: the next click must
                        // not hide what the fork cost. Any other message (a refusal) goes.
                        ui.error = ui.undo.as_ref().map(|u| u.said.clone());
                    }
                }
                Err(e) => ui.error = Some(e.to_string()),
            }
        }
        Action::Remove(i) => {
            let (before, now) = {
                let s = session.borrow();
                (s.scenario().clone(), s.now())
            };
            let mut sc = before.clone();
            if i < sc.events.len() {
                let gone = sc.events.remove(i);
                let after = sc.events.clone();
                match rebuild(session, &mut ui, sc, target.unwrap_or(Playhead::at(now))) {
                    Ok(()) => {
                        let said =
                            format!("Removed {} from the scenario: the run replays without it.", said(&gone));
                        ui.undo = Some(Rc::new(Undo { before, at: now, after, said: said.clone() }));
                        ui.error = Some(said);
                    }
                    Err(e) => ui.error = Some(e.to_string()),
                }
            }
        }
        Action::Undo => {
            if let Some(u) = ui.undo.take() {
                let (sc, since, lost) = u.restored(&session.borrow().scenario().events);
                if rebuild(session, &mut ui, sc, Playhead::at(u.at)).is_ok() {
                    ui.error = kept(&since, &lost);
                }
            }
        }
        Action::Load(sc) => match Session::new(sc) {
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
        },
        Action::Replace(sc) => {
            let back_to = target.unwrap_or(Playhead::at(session.borrow().now()));
            match rebuild(session, &mut ui, sc, back_to) {
                Ok(()) => {
                    ui.undo = None;
                    ui.error = None;
                    forget_foreign_kinds(session, &mut ui.spotlight);
                }
                // The scenario (and so the editor's draft, which follows its revision) is kept,
                // and so is a travel under way.
                Err(e) => ui.error = Some(e.to_string()),
            }
        }
        Action::Select(n) => ui.selected = n,
        // A fork's banner is where its Undo lives: a message shown over it (a refusal, a notice)
        // gives way to it again when dismissed, and only dismissing the fork's own banner lets
        // the Undo go (review 28 B1: a refusal at the run's end, dismissed, lost the Undo and
        // with it the old future's actions).
        Action::Notice(None) => {
            match ui.undo.as_ref().filter(|u| ui.error.as_deref() != Some(u.said.as_str())) {
                Some(u) => ui.error = Some(u.said.clone()),
                None => (ui.undo, ui.error) = (None, None),
            }
        }
        Action::Notice(text) => ui.error = text,
        Action::Spotlight(kind) => {
            let sent = session.borrow().sim().message_kinds().contains(&kind.as_str());
            match ui.spotlight.iter().position(|k| *k == kind) {
                Some(i) => drop(ui.spotlight.remove(i)),
                None if sent => ui.spotlight.push(kind),
                None => {}
            }
        }
        Action::Frame(_) if target.is_some() => {
            if let Some(to) = target {
                travel_to(session, &mut ui, to);
            }
        }
        Action::Frame(wall_ms) => {
            if ui.playing {
                let mut s = session.borrow_mut();
                let before = s.now();
                let (factor, stretch) = slow_motion(&s, &ui, before);
                let sim_us = (wall_ms.clamp(0.0, MAX_FRAME_MS) * ui.speed * factor * 1000.0) as u64;
                // A clip's end is reached exactly, not overshot by a frame's worth of time; a
                // slow-motion stretch starts where it says, not a full-speed frame later.
                let clip_end = ui.clip.and_then(|c| c.until).filter(|&u| before < u);
                // A tour's stop likewise: the note's instant, exactly.
                let tour_stop = ui.tour.then(|| Tour::of(s.scenario()).next_after(before)).flatten();
                let end = clip_end.into_iter().chain(stretch).chain(tour_stop).min();
                let step = end.map_or(sim_us.max(1), |u| sim_us.max(1).min(u.as_us() - before.as_us()));
                // On a whole millisecond, as a link's `&t=` is mostly written; inside a slow-motion
                // stretch a frame may move less (rounded up, a 1 % stretch at 1× played at 6 %).
                let target = match factor < 1.0 {
                    true => SimTime(before.as_us() + step),
                    false => SimTime::from_ms((before.as_us() + step).div_ceil(1000)),
                };
                let arrived = crate::travel::play_slice(&mut s, target, FRAME_EVENT_BUDGET);
                let moved = s.now().as_us().saturating_sub(before.as_us());
                ui.pace = Pace::next(ui.pace, wall_ms, moved, !arrived);
                let clip_over = clip_end.is_some_and(|u| s.now() >= u) || s.finished();
                let at_stop = tour_stop.is_some_and(|u| s.now() >= u);
                drop(s);
                match ui.clip.filter(|_| clip_over) {
                    _ if at_stop => {
                        ui.playing = false;
                        session.borrow_mut().settle();
                    }
                    Some(Clip { from, looping: true, .. }) => travel_to(session, &mut ui, Playhead::at(from)),
                    Some(_) => {
                        ui.playing = false;
                        session.borrow_mut().settle();
                    }
                    None => ui.playing &= !session.borrow().finished(),
                }
            } else {
                ui.frame -= 1; // nothing changed: no re-render
            }
        }
        Action::Clip(c) => ui.clip = c,
        Action::SlowMotion(on) => ui.slow_motion = on,
        Action::Present(on) => ui.presenting = on,
        Action::Tour(m) => {
            let now = target.map_or_else(|| session.borrow().now(), |p| p.at);
            tour_move(session, &mut ui, m, now);
        }
        Action::Describe { title, lesson } => match session.borrow_mut().describe(&title, &lesson) {
            Ok(()) => ui.scenario_rev += 1,
            Err(e) => ui.error = Some(e.to_string()),
        },
    }
    if !ui.playing {
        ui.pace = None;
    }
    // An edit that took the last note out leaves no tour to be on.
    if ui.tour && edit {
        ui.tour = !Tour::of(session.borrow().scenario()).is_empty();
    }
    ui
}

/// Apply a tour move with the playhead at (or heading for) `now`.
fn tour_move(session: &RefCell<Session>, ui: &mut UiState, m: TourMove, now: SimTime) {
    let tour = Tour::of(session.borrow().scenario());
    match m {
        TourMove::Start => {
            ui.tour = !tour.is_empty();
            travel_to(session, ui, Playhead::at(SimTime::ZERO));
            ui.playing = ui.tour && tour.shown(SimTime::ZERO).is_none();
        }
        TourMove::Continue => match tour.next_after(now) {
            Some(next) if ui.playing => {
                ui.playing = false;
                travel_to(session, ui, Playhead::at(next));
            }
            Some(_) => ui.playing = !session.borrow().finished(),
            None => {
                ui.tour = false;
                ui.playing = !session.borrow().finished();
            }
        },
        TourMove::Back => {
            ui.playing = false;
            travel_to(session, ui, Playhead::at(tour.back_from(now)));
        }
        TourMove::Exit => ui.tour = false,
    }
}

/// The clip's start, if the playhead stands at its end (where playing stopped); a playhead the
/// reader moved elsewhere plays on from there.
pub fn at_clip_end(session: &RefCell<Session>, ui: &UiState) -> Option<SimTime> {
    let clip = ui.clip?;
    (clip.until == Some(session.borrow().now()) && ui.travel.is_none()).then_some(clip.from)
}

/// Whether `action` ends a travel in progress.
fn ends_travel(action: &Action) -> bool {
    matches!(
        action,
        Action::StepEvent
            | Action::StepMessage
            | Action::Restart
            | Action::Act(_)
            | Action::Load(_)
            | Action::Seek(_)
            | Action::Goto(_)
            | Action::Back
            | Action::StopTravel
    )
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

/// Head for `to`: the first slice runs now, and a seek that does not arrive in it goes on in the
/// next frames.
fn travel_to(session: &RefCell<Session>, ui: &mut UiState, to: Playhead) {
    let arrived = crate::travel::slice(&mut session.borrow_mut(), to);
    ui.travel = (!arrived).then_some(to);
    // A link's `e=` past its instant's events: it opened after the last of them, and says so.
    let s = session.borrow();
    let had = s.sim().events();
    if let Some(asked) = to.events.filter(|&e| arrived && s.now() == to.at && e > had) {
        let said = dsplay_core::scenario::LinkProblem::PastInstant { asked, at: to.at, had }.said();
        ui.error = Some(match ui.error.take() {
            // The same link followed again (a hash change) says it once.
            Some(before) if before.contains(&said) => before,
            Some(before) => format!("{before} {said}"),
            None => said,
        });
    }
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

/// Speed label: "0.1×", "0.8×", "1×", "1.6×", "10×", "100×" (one decimal below 10, none above,
/// never a trailing ".0").
pub fn speed_label(speed: f64) -> String {
    if speed >= 9.95 {
        format!("{speed:.0}×")
    } else if speed < 0.095 {
        // Below 0.1×: one significant digit (0.05×, 0.005×).
        let digits = (-speed.max(1e-6).log10()).ceil() as usize;
        format!("{speed:.digits$}×")
    } else {
        format!("{}×", format!("{speed:.1}").trim_end_matches(".0"))
    }
}

/// The speeds + and − step through, so a few presses always land back on 1×.
const LADDER: [f64; 16] =
    [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];

/// The next speed up the ladder (from any speed, even one the slider left between rungs).
pub fn faster(speed: f64) -> f64 {
    LADDER.into_iter().find(|&r| r > speed * 1.001).unwrap_or(MAX_SPEED)
}
pub fn slower(speed: f64) -> f64 {
    LADDER.into_iter().rev().find(|&r| r < speed / 1.001).unwrap_or(MIN_SPEED)
}

/// How long one hop takes on screen when following requests by eye.
const HOP_WALL_MS: f64 = 600.0;

/// The speed at which the median message on the wire takes [`HOP_WALL_MS`] to cross, on the
/// ladder's rung at or below it, never faster than 1×; `None` with nothing on the wire. At 1× a
/// 2 ms hop crosses in a tenth of a frame: only streaks show who talks to whom.
pub fn follow_speed(msgs: &[MsgView]) -> Option<f64> {
    let mut hops: Vec<u64> = msgs.iter().map(|m| m.deliver_at.since(m.sent_at).as_us()).collect();
    if hops.is_empty() {
        return None;
    }
    let mid = hops.len() / 2;
    let hop_ms = *hops.select_nth_unstable(mid).1 as f64 / 1000.0;
    let s = (hop_ms / HOP_WALL_MS).clamp(MIN_SPEED, 1.0);
    Some(LADDER.into_iter().rev().find(|&r| r <= s * 1.001).unwrap_or(MIN_SPEED))
}

/// Slider position 0–1000 ↔ speed on a log scale from 0.001× to 100×.
pub fn speed_from_slider(pos: f64) -> f64 {
    let (lo, hi) = (MIN_SPEED.ln(), MAX_SPEED.ln());
    (lo + (hi - lo) * (pos / 1000.0).clamp(0.0, 1.0)).exp()
}
pub fn slider_from_speed(speed: f64) -> f64 {
    let (lo, hi) = (MIN_SPEED.ln(), MAX_SPEED.ln());
    ((speed.clamp(MIN_SPEED, MAX_SPEED).ln() - lo) / (hi - lo) * 1000.0).round()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn speed_labels_read_the_same_way_at_every_speed() {
        let said: Vec<String> = [0.1, 0.8, 0.97, 1.0, 1.04, 1.56, 9.96, 12.4, 100.0].map(speed_label).into();
        assert_eq!(said, ["0.1×", "0.8×", "1×", "1×", "1×", "1.6×", "10×", "12×", "100×"]);
        let slow: Vec<String> = [0.05, 0.02, 0.01, 0.005, 0.001].map(speed_label).into();
        assert_eq!(slow, ["0.05×", "0.02×", "0.01×", "0.005×", "0.001×"]);
    }

    #[wasm_bindgen_test]
    fn following_slows_a_hop_to_about_half_a_second_on_a_rung() {
        let hop = |id, us| MsgView {
            id,
            from: NodeId(0),
            to: NodeId(1),
            kind: "Request".into(),
            sent_at: SimTime::ZERO,
            deliver_at: SimTime(us),
            duplicate: false,
            says_no: false,
        };
        // Median 3 ms: 3/600 = 0.005×; a 300 ms hop is at most 0.5×, a minute's never past 1×.
        assert_eq!(follow_speed(&[hop(1, 1_000), hop(2, 3_000), hop(3, 900_000)]), Some(0.005));
        assert_eq!(follow_speed(&[hop(1, 300_000)]), Some(0.5));
        assert_eq!(follow_speed(&[hop(1, 60_000_000)]), Some(1.0));
        assert_eq!(follow_speed(&[hop(1, 10)]), Some(MIN_SPEED));
        assert_eq!(follow_speed(&[]), None);
    }

    #[wasm_bindgen_test]
    fn plus_and_minus_walk_a_ladder_that_comes_back_to_one() {
        assert_eq!(faster(0.8), 1.0, "from a slider position between rungs");
        assert_eq!(slower(1.6), 1.0);
        let mut s = 100.0;
        let mut down = vec![];
        while s > MIN_SPEED {
            s = slower(s);
            down.push(s);
        }
        let rungs = [50.0, 20.0, 10.0, 5.0, 2.0, 1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001];
        assert_eq!(down, rungs);
        assert_eq!((faster(MAX_SPEED), slower(MIN_SPEED)), (MAX_SPEED, MIN_SPEED));
    }
}
