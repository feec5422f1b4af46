//! What a canvas must repaint for besides the run moving on: the page's theme (the ◐ button sets
//! `data-theme` on `<html>`; without it the system's preference counts) and the canvas's own
//! size (a canvas drawn for another size is stretched or squashed by CSS).

use crate::laid_out::Observed;
use gloo::events::EventListener;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlCanvasElement, MutationObserver, MutationObserverInit};
use yew::prelude::*;

/// The observers of one canvas, disconnected when it unmounts.
struct Watchers {
    theme: Option<(MutationObserver, Closure<dyn FnMut()>)>,
    /// Listening for as long as it is kept.
    _system: Option<EventListener>,
    /// Disconnected when dropped.
    _size: Option<Observed>,
}

impl Drop for Watchers {
    fn drop(&mut self) {
        if let Some((o, _)) = &self.theme {
            o.disconnect();
        }
    }
}

/// Observe `<html>`'s theme attributes, calling `bump` on a change.
fn watch_theme(bump: impl Fn() + 'static) -> Option<(MutationObserver, Closure<dyn FnMut()>)> {
    let html = web_sys::window()?.document()?.document_element()?;
    let cb = Closure::<dyn FnMut()>::new(bump);
    let observer = MutationObserver::new(cb.as_ref().unchecked_ref()).ok()?;
    let options = MutationObserverInit::new();
    options.set_attributes(true);
    options.set_attribute_filter(&js_sys::Array::of2(&"data-theme".into(), &"class".into()));
    observer.observe_with_options(&html, &options).ok()?;
    Some((observer, cb))
}

/// Call `bump` when the system switches between light and dark.
fn watch_system(bump: impl Fn() + 'static) -> Option<EventListener> {
    let query = web_sys::window()?.match_media("(prefers-color-scheme: dark)").ok()??;
    Some(EventListener::new(&query, "change", move |_| bump()))
}

/// Call `bump` when the canvas is laid out at a size other than the one it was drawn for (in
/// device pixels: see `hidpi`; a window dragged to a denser screen counts). The size is recorded
/// for the paint to read (see `laid_out`).
fn watch_size(canvas: HtmlCanvasElement, bump: impl Fn() + 'static) -> Option<Observed> {
    let target: Element = canvas.clone().into();
    crate::laid_out::observe(target, move || {
        let dpr = super::hidpi::ratio();
        let (w, h) = crate::laid_out::size(&canvas);
        let device = |css: i32| super::hidpi::device(css.max(0) as u32, dpr);
        if w > 0 && (device(w.max(320)) != canvas.width() || (h > 0 && device(h) != canvas.height())) {
            bump();
        }
    })
}

/// A number that changes whenever `canvas` should be repainted for its surroundings (theme or
/// width): put it among the paint's dependencies.
#[hook]
pub fn use_repaint_on_change(canvas: NodeRef) -> u64 {
    let count = use_mut_ref(|| 0u64);
    let update = use_force_update();
    {
        let count = count.clone();
        use_effect_with(canvas, move |canvas| {
            let bump = move || {
                *count.borrow_mut() += 1;
                update.force_update();
            };
            let watchers = Watchers {
                theme: watch_theme(bump.clone()),
                _system: watch_system(bump.clone()),
                _size: canvas.cast::<HtmlCanvasElement>().and_then(|c| watch_size(c, bump)),
            };
            move || drop(watchers)
        });
    }
    let n = *count.borrow();
    n
}
