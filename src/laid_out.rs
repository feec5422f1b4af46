//! An element's laid-out size in CSS pixels, read without forcing a layout.
//!
//! `clientWidth` after the DOM has changed makes the browser lay the page out there and then, in
//! the middle of the frame. The topology's particles and the charts are drawn right after each
//! render (every frame of playback), so each read was a forced layout: about 1.5 ms a frame on the
//! benchmark's page. A ResizeObserver is called after the browser's own layout, where the size is
//! known for free; it writes the size on the element (`data-css-size="w h"`), and drawing reads it
//! back from there.

use wasm_bindgen::prelude::*;
use web_sys::{Element, ResizeObserver};
use yew::prelude::*;

const ATTR: &str = "data-css-size";

/// The size last recorded by [`observe`]; measured now (forcing a layout if one is due) before
/// the first record.
pub fn size(el: &Element) -> (i32, i32) {
    let kept = el.get_attribute(ATTR).and_then(|s| {
        let (w, h) = s.split_once(' ')?;
        Some((w.parse().ok()?, h.parse().ok()?))
    });
    kept.unwrap_or_else(|| (el.client_width(), el.client_height()))
}

/// Observing one element; it stops when dropped.
#[derive(Debug)]
pub struct Observed {
    observer: ResizeObserver,
    _callback: Closure<dyn FnMut()>,
}

impl Drop for Observed {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Record `el`'s size after every layout that changes it (and once at the start), then call
/// `then`.
pub fn observe(el: Element, then: impl Fn() + 'static) -> Option<Observed> {
    let target = el.clone();
    let callback = Closure::<dyn FnMut()>::new(move || {
        let _ = el.set_attribute(ATTR, &format!("{} {}", el.client_width(), el.client_height()));
        then();
    });
    let observer = ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(&target);
    Some(Observed { observer, _callback: callback })
}

/// Keep the size of the element behind `node` recorded for as long as the component lives, and
/// render the component again when it changes (a drawing made for the old size, while paused,
/// would otherwise stay stretched and out of place).
#[hook]
pub fn use_recorded_size(node: NodeRef) {
    let update = use_force_update();
    use_effect_with(node, move |node| {
        let observed = node.cast::<Element>().and_then(|el| observe(el, move || update.force_update()));
        move || drop(observed)
    });
}
