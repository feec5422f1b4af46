//! `use_player`: the session, its reducer, and the requestAnimationFrame loop that plays it.

use crate::player::{reduce, Action, Player, UiState};
use dsplay_core::session::Session;
use gloo::render::{request_animation_frame, AnimationFrame};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
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
    let state = use_reducer_eq(move || {
        let session = make();
        let changed_from = crate::player::changed_from(session.scenario());
        let ui = UiState { playing: autoplay, speed, changed_from, ..UiState::default() };
        PlayerState { session: Rc::new(RefCell::new(session)), ui }
    });
    // The frame loop runs only while there is something to move: playing, or a long seek under
    // way. Paused, it had re-armed itself every frame for nothing (review 13: 4 % of a core per
    // paused page, for each embed on a course page). Its first frame after a pause counts 0 ms.
    let running = state.ui.playing || state.ui.travel.is_some();
    {
        let dispatch = state.dispatcher();
        use_effect_with(running, move |&running| {
            let slot: Slot = Rc::new(RefCell::new(None));
            if running {
                schedule(slot.clone(), Rc::new(Cell::new(None)), dispatch);
            }
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

/// The CSS-pixel size of the element behind `node`, kept current by a `ResizeObserver`
/// (`None` until it has been measured once).
#[hook]
pub fn use_size(node: NodeRef) -> Option<(f64, f64)> {
    let size = use_state_eq(|| None::<(f64, f64)>);
    {
        let size = size.clone();
        use_effect_with(node, move |node| {
            let el = node.cast::<web_sys::Element>();
            let on_resize = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                let Ok(e) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>() else { return };
                let r = e.content_rect();
                size.set(Some((r.width().round(), r.height().round())));
            });
            let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(el)) = (&observer, &el) {
                o.observe(el);
            }
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(on_resize);
            }
        });
    }
    *size
}
