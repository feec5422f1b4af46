//! What keeps an embed cheap: pause when the tab is hidden or the widget is off-screen, and
//! honour `prefers-reduced-motion`.

use crate::player::{Action, Player};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{IntersectionObserver, IntersectionObserverEntry};
use yew::prelude::*;

/// `(prefers-reduced-motion: reduce)`.
pub fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Shared between the listeners: the latest player and why we paused.
#[derive(Default)]
struct Watch {
    playing: bool,
    dispatch: Option<Callback<Action>>,
    page_hidden: bool,
    off_screen: bool,
    paused_by_us: bool,
}

impl Watch {
    fn update(&mut self) {
        let Some(dispatch) = self.dispatch.clone() else { return };
        if self.page_hidden || self.off_screen {
            if self.playing {
                self.paused_by_us = true;
                self.playing = false;
                dispatch.emit(Action::Unseen);
            }
        } else if self.paused_by_us {
            self.paused_by_us = false;
            dispatch.emit(Action::Play);
        }
    }
}

/// Pause while the page is hidden or `root` is out of the viewport; resume when it comes back if
/// it had been playing.
#[hook]
pub fn use_visibility_pause(player: &Player, root: NodeRef) {
    let watch = use_mut_ref(Watch::default);
    {
        let mut w = watch.borrow_mut();
        w.playing = player.playing;
        w.dispatch = Some(player.dispatch.clone());
        if player.playing {
            w.paused_by_us = false;
        }
    }
    use_effect_with(root, move |root| {
        let doc = web_sys::window().and_then(|w| w.document());
        let listener = doc.map(|doc| {
            let watch = watch.clone();
            gloo::events::EventListener::new(&doc.clone().into(), "visibilitychange", move |_| {
                let mut w = watch.borrow_mut();
                w.page_hidden = doc.hidden();
                w.update();
            })
        });
        let observer = observe(root, watch);
        move || {
            drop(listener);
            if let Some((obs, _closure)) = observer {
                obs.disconnect();
            }
        }
    });
}

type Observed = (IntersectionObserver, Closure<dyn FnMut(js_sys::Array)>);

fn observe(root: &NodeRef, watch: Rc<RefCell<Watch>>) -> Option<Observed> {
    let el = root.cast::<web_sys::Element>()?;
    let closure = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let Some(last) = entries.iter().last() else { return };
        let entry: IntersectionObserverEntry = last.unchecked_into();
        let mut w = watch.borrow_mut();
        w.off_screen = !entry.is_intersecting();
        w.update();
    });
    let obs = IntersectionObserver::new(closure.as_ref().unchecked_ref()).ok()?;
    obs.observe(&el);
    Some((obs, closure))
}
