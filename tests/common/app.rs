//! Mounting the whole app for a test: one at a time, its hash set first, the previous one
//! destroyed (used by `app.rs` and `paste.rs`).

use super::until;
use dsplay_web::App;
use web_sys::Element;

thread_local! {
    /// The app the previous test mounted. Removing its element is not enough: its listeners
    /// (`hashchange`, keys) would go on acting, so two apps would both follow a pasted link and
    /// each write its own session's link back.
    static MOUNTED: std::cell::RefCell<Option<yew::AppHandle<App>>> = const { std::cell::RefCell::new(None) };
}

/// Set the location hash, then mount a fresh app on its own element (the previous one destroyed).
pub fn mount(hash: &str) -> Element {
    if let Some(old) = MOUNTED.with(|m| m.borrow_mut().take()) {
        old.destroy();
    }
    set_fragment(hash);
    let doc = web_sys::window().and_then(|w| w.document()).expect("a document");
    let root = doc.create_element("div").expect("create a div");
    // One app on screen at a time: an app scrolled off-screen pauses itself (as embeds must).
    let old = doc.query_selector_all(".test-app-root").expect("query");
    for i in 0..old.length() {
        if let Some(n) = old.item(i) {
            n.parent_node().map(|p| p.remove_child(&n));
        }
    }
    root.set_class_name("test-app-root");
    root.set_attribute("style", "position: fixed; inset: 0; overflow: auto; z-index: 1").expect("style");
    doc.body().expect("a body").append_child(&root).expect("attach the root");
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    MOUNTED.with(|m| *m.borrow_mut() = Some(handle));
    root
}

/// End a test that opened a link: the app goes first, then its hash, so the next test's app
/// boots from its own link and no app writes this one's back.
pub fn unmount() {
    if let Some(old) = MOUNTED.with(|m| m.borrow_mut().take()) {
        old.destroy();
    }
    set_fragment("");
}

/// Put `hash` in the address bar without a `hashchange`. `location.hash = …` queues that event,
/// and under load it could fire after the next test's app had mounted and booted from the same
/// link: its listener took the event for a pasted link and reloaded the session in the middle of
/// the test (a different test timed out each run). A user's page boots from the link it opened
/// and hears no event for it either; `paste.rs` fires one on purpose.
fn set_fragment(hash: &str) {
    let window = web_sys::window().expect("a window");
    let location = window.location();
    let url = format!("{}{}{hash}", location.pathname().expect("path"), location.search().expect("query"));
    window
        .history()
        .expect("history")
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        .expect("replace the URL");
}

/// Wait until `selector` matches inside `root` and `ok` holds for it.
pub async fn wait_until(root: &Element, selector: &str, ok: impl Fn(&Element) -> bool) -> Element {
    until(&format!("{selector:?}"), || root.query_selector(selector).ok().flatten().filter(|el| ok(el))).await
}

pub fn attr(el: &Element, name: &str) -> String {
    el.get_attribute(name).unwrap_or_default()
}

pub fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
}

/// A keydown on `el`, bubbling to the page's shortcuts as a real one does.
pub fn key_on(el: &web_sys::EventTarget, key: &str) -> web_sys::KeyboardEvent {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let e = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("key");
    el.dispatch_event(&e).expect("dispatch");
    e
}
