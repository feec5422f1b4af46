//! `use_player`: the session, its reducer, and the requestAnimationFrame loop that plays it.

use crate::player::{reduce, Action, Player, UiState};
use dsplay_core::session::Session;
use gloo::render::{request_animation_frame, AnimationFrame};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

/// The reducer's state: the shared session (compared by pointer) and the UI state.
#[derive(Clone)]
pub struct PlayerState {
    session: Rc<RefCell<Session>>,
    ui: UiState,
}

impl PartialEq for PlayerState {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.session, &o.session) && self.ui == o.ui
    }
}

impl Reducible for PlayerState {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let ui = reduce(&self.session, self.ui.clone(), action);
        if ui == self.ui {
            self
        } else {
            Rc::new(PlayerState { session: self.session.clone(), ui })
        }
    }
}

type Slot = Rc<RefCell<Option<AnimationFrame>>>;

fn schedule(slot: Slot, last: Rc<Cell<Option<f64>>>, dispatch: UseReducerDispatcher<PlayerState>) {
    let next = slot.clone();
    let frame = request_animation_frame(move |ts| {
        let dt = last.get().map_or(0.0, |prev| ts - prev);
        last.set(Some(ts));
        dispatch.dispatch(Action::Frame(dt));
        schedule(next, last, dispatch);
    });
    *slot.borrow_mut() = Some(frame);
}

/// Own `initial` and play it (tests and simple hosts; the session is built on every render, only
/// the first one is kept: prefer [`use_player_lazy`] for anything costly).
#[hook]
pub fn use_player(initial: Session, autoplay: bool, speed: f64) -> Player {
    use_player_lazy(move || initial, autoplay, speed)
}

/// Own the session `make` builds (called once, on first render) and play it.
/// `autoplay` starts playing at once.
#[hook]
pub fn use_player_lazy<F>(make: F, autoplay: bool, speed: f64) -> Player
where
    F: FnOnce() -> Session + 'static,
{
    let state = use_reducer_eq(move || PlayerState {
        session: Rc::new(RefCell::new(make())),
        ui: UiState { playing: autoplay, speed, ..UiState::default() },
    });
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            let slot: Slot = Rc::new(RefCell::new(None));
            schedule(slot.clone(), Rc::new(Cell::new(None)), dispatch);
            move || drop(slot.borrow_mut().take())
        });
    }
    let view = {
        let session = state.session.clone();
        use_memo(state.ui.frame, move |_| session.borrow().sim().view())
    };
    let dispatcher = state.dispatcher();
    Player {
        session: state.session.clone(),
        ui: state.ui.clone(),
        view,
        dispatch: Callback::from(move |a| dispatcher.dispatch(a)),
    }
}
