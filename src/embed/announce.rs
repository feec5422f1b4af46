//! An embed tells the page around its frame which scenario it shows, so `<dsplay-embed>` can name
//! the frame for a screen reader by the scenario's title. The element knows only its attributes:
//! for a `link=` it had nothing better than "a scenario" (review 30 C9).
//!
//! The message is `{dsplay: "title", title}`, posted to any origin: the title is in the frame's
//! address already, and the element checks that the message comes from its own frame.

use wasm_bindgen::JsValue;

/// Post the scenario's `title` to the window that frames this page, if any.
pub fn tell_title(title: &str) {
    let Some(window) = web_sys::window() else { return };
    let Some(parent) = window.parent().ok().flatten() else { return };
    let message = js_sys::Object::new();
    for (key, value) in [("dsplay", "title"), ("title", title)] {
        let _ = js_sys::Reflect::set(&message, &key.into(), &value.into());
    }
    let _ = parent.post_message(&JsValue::from(message), "*");
}
