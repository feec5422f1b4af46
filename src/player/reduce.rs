//! The reducer: one action applied to the session and the UI state, and a frame of playing.

use super::edits;
use super::{Action, Clip, Pace, TourMove, UiState, FRAME_EVENT_BUDGET, MAX_FRAME_MS, MAX_SPEED, MIN_SPEED};
use dsplay_core::scenario::tour::Tour;
use dsplay_core::scenario::Playhead;
use dsplay_core::session::Session;
use dsplay_core::SimTime;
use std::cell::RefCell;

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
        Action::Play
        | Action::Pause
        | Action::Unseen
        | Action::Toggle
        | Action::StepEvent
        | Action::StepMessage
        | Action::Speed(_)
        | Action::Seek(_)
        | Action::Goto(_)
        | Action::Back
        | Action::StopTravel
        | Action::Restart => transport(session, &mut ui, action, target),
        // At the run's end nothing is left to run an action in: it would sit in the link and
        // change nothing (review 11).
        Action::Act(ev) if session.borrow().finished() => ui.error = Some(edits::run_ended(&ev)),
        Action::Act(ev) => edits::act(session, &mut ui, ev),
        Action::Remove(i) => edits::remove(session, &mut ui, i, target),
        Action::Undo => edits::undo(session, &mut ui),
        Action::Load(sc) => edits::load(session, &mut ui, sc),
        Action::Replace(sc) => edits::replace(session, &mut ui, sc, target),
        Action::Select(n) => ui.selected = n,
        Action::Notice(None) => dismiss(&mut ui),
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
        Action::Frame(wall_ms) if ui.playing => play_frame(session, &mut ui, wall_ms),
        Action::Frame(_) => ui.frame -= 1, // nothing changed: no re-render
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

/// The banner's ×. A fork's banner is where its Undo lives: a message shown over it (a refusal,
/// a notice) gives way to it again when dismissed, and only dismissing the fork's own banner lets
/// the Undo go (review 28 B1: a refusal at the run's end, dismissed, lost the Undo and with it the
/// old future's actions).
fn dismiss(ui: &mut UiState) {
    match ui.undo.as_ref().filter(|u| ui.error.as_deref() != Some(u.said.as_str())) {
        Some(u) => ui.error = Some(u.said.clone()),
        None => (ui.undo, ui.error) = (None, None),
    }
}

/// The transport: play, pause, step, speed, and moving the playhead (`target`: where a travel
/// under way was heading).
fn transport(session: &RefCell<Session>, ui: &mut UiState, action: Action, target: Option<Playhead>) {
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
        Action::Seek(t) => travel_to(session, ui, Playhead::at(t)),
        Action::Goto(p) => travel_to(session, ui, p),
        Action::Back => {
            let s = session.borrow();
            let from = target.map_or(s.now(), |p| p.at);
            let to = SimTime(from.as_us().saturating_sub(s.stop_at().as_us() / 100));
            drop(s);
            travel_to(session, ui, Playhead::at(to));
        }
        Action::StopTravel => session.borrow_mut().settle(),
        Action::Restart => {
            session.borrow_mut().restart();
            ui.playing = false;
        }
        _ => {}
    }
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

/// Head for `to`: the first slice runs now, and a seek that does not arrive in it goes on in the
/// next frames.
pub(super) fn travel_to(session: &RefCell<Session>, ui: &mut UiState, to: Playhead) {
    let arrived = crate::travel::slice(&mut session.borrow_mut(), to);
    ui.travel = (!arrived).then_some(to);
    // A link's `e=` past its instant's events: it opened after the last of them, and says so.
    let s = session.borrow();
    let had = s.sim().events();
    if let Some(asked) = to.events.filter(|&e| arrived && s.now() == to.at && e > had) {
        let said = dsplay_core::scenario::LinkProblem::PastInstant { asked, at: to.at, had }.said();
        add_notice(ui, said);
    }
    // A run its event budget stopped short of where it was sent (review 50 C7: a link's t=3000
    // opened at 0.025 s with only the footer's word for it).
    if arrived {
        stopped_short(&s, ui, to.at);
    }
}

/// If the run halted (its event budget spent) before `asked`, say where and why, and how to go
/// further.
fn stopped_short(s: &Session, ui: &mut UiState, asked: SimTime) {
    if let Some(why) = s.sim().halted().filter(|_| s.now() < asked) {
        let (at, asked) = (s.now().as_ms_f64() / 1000.0, asked.as_ms_f64() / 1000.0);
        let fix = match why.contains("sim.max_events") {
            true => " Raise `sim.max_events` in the Editor to run further.",
            false => "",
        };
        add_notice(ui, format!("The run stopped at {at:.3} s, before {asked:.3} s: {why}.{fix}"));
    }
}

/// Say `said` in the page's notice, after what it already says (once: the same link followed
/// again, on a hash change, says it once).
fn add_notice(ui: &mut UiState, said: String) {
    ui.error = Some(match ui.error.take() {
        Some(before) if before.contains(&said) => before,
        Some(before) => format!("{before} {said}"),
        None => said,
    });
}

/// Most election timers one frame stops at, reset before they ran out, before it ends anyway.
const MAX_TIMER_STOPS: u32 = 64;

/// A frame of `wall_ms` while playing: wall time × speed × slow motion in simulated time, ending
/// exactly at a clip's end, a slow-motion stretch or a tour's stop, under the frame's budget.
fn play_frame(session: &RefCell<Session>, ui: &mut UiState, wall_ms: f64) {
    let mut s = session.borrow_mut();
    let before = s.now();
    let (factor, mut stretch) = slow_motion(&s, ui, before);
    let sim_us = (wall_ms.clamp(0.0, MAX_FRAME_MS) * ui.speed * factor * 1000.0) as u64;
    // A clip's end is reached exactly, not overshot by a frame's worth of time; a slow-motion
    // stretch starts where it says, not a full-speed frame later.
    let clip_end = ui.clip.and_then(|c| c.until).filter(|&u| before < u);
    // A tour's stop likewise: the note's instant, exactly.
    let tour_stop = ui.tour.then(|| Tour::of(s.scenario()).next_after(before)).flatten();
    let (started, first_event) = (crate::travel::now_ms(), s.sim().events());
    let mut stops = 0;
    let arrived = loop {
        let now = s.now();
        let end = clip_end.into_iter().chain(stretch).chain(tour_stop).min();
        let left = sim_us.max(1).saturating_sub(now.as_us() - before.as_us()).max(1);
        let step = end.map_or(left, |u| left.min(u.as_us().saturating_sub(now.as_us()).max(1)));
        // On a whole millisecond, as a link's `&t=` is mostly written; inside a slow-motion
        // stretch a frame may move less (rounded up, a 1 % stretch at 1× played at 6 %).
        let target = match factor < 1.0 {
            true => SimTime(now.as_us() + step),
            false => SimTime::from_ms((now.as_us() + step).div_ceil(1000)),
        };
        let spent = s.sim().events().saturating_sub(first_event);
        let arrived =
            crate::travel::play_slice(&mut s, target, FRAME_EVENT_BUDGET.saturating_sub(spent).max(1));
        // Stopped at an election timer that a heartbeat then reset, the frame goes on to its
        // end: in a changed Raft run, where every follower's timer is watched, each frame
        // stopped at one, and 100× played at 10× (review 54 B3). A candidacy there (slow motion
        // from now), a stretch, a clip's end or a tour's stop ends it, as before.
        // Within half the frame's slice of wall time: the slice under way may take the rest.
        let timer_only = end.is_some_and(|u| Some(u) != clip_end && Some(u) != tour_stop);
        stops += 1;
        let may_go_on = arrived
            && factor >= 1.0
            && timer_only
            && stops < MAX_TIMER_STOPS
            && s.now().as_us() - before.as_us() < sim_us
            && !s.finished()
            && crate::travel::now_ms() - started < crate::travel::PLAY_SLICE_MS / 2.0;
        if !may_go_on {
            break arrived;
        }
        let (here, next) = slow_motion(&s, ui, s.now());
        if here < 1.0 {
            break arrived;
        }
        stretch = next;
    };
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
        Some(Clip { from, looping: true, .. }) => travel_to(session, ui, Playhead::at(from)),
        Some(_) => {
            ui.playing = false;
            session.borrow_mut().settle();
        }
        None => {
            let s = session.borrow();
            if s.finished() && ui.playing {
                // Played into its event budget, the run ended short of its stop without a word
                // but "Paused" (review 54 B2).
                stopped_short(&s, ui, s.stop_at());
            }
            ui.playing &= !s.finished();
        }
    }
}
