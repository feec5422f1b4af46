//! The player: one `Session` (scenario + simulation + checkpoints) shared by every component
//! through a Yew context, and the actions that change it. The animation clock is not the sim
//! clock: each frame turns wall-clock Δt × speed into simulated time, under a budget of events
//! and of wall time.

mod edits;
mod reduce;
mod speed;

pub use edits::{run_ended, said, Undo};
pub use reduce::{at_clip_end, changed_from, reduce, slow_motion};
pub use speed::{faster, follow_speed, slider_from_speed, slower, speed_from_slider, speed_label};

use dsplay_core::scenario::Playhead;
use dsplay_core::session::Session;
use dsplay_core::view::WorldView;
use dsplay_core::{NodeId, Scenario, ScenarioEvent, SimTime};
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
