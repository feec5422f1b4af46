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
    let window = web_sys::window().expect("a window");
    window.location().set_hash(hash).expect("set the hash");
    let doc = window.document().expect("a document");
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

/// End a test that opened a link: the app goes first, then its hash. Cleared under a live app,
/// the hash change reached its listener, which put its own link back (as it must for a user), and
/// the next test's app could boot from that link instead of its own.
pub fn unmount() {
    if let Some(old) = MOUNTED.with(|m| m.borrow_mut().take()) {
        old.destroy();
    }
    web_sys::window().expect("a window").location().set_hash("").expect("clear the hash");
}

/// Wait until `selector` matches inside `root` and `ok` holds for it.
pub async fn wait_until(root: &Element, selector: &str, ok: impl Fn(&Element) -> bool) -> Element {
    until(&format!("{selector:?}"), || root.query_selector(selector).ok().flatten().filter(|el| ok(el))).await
}

pub fn attr(el: &Element, name: &str) -> String {
    el.get_attribute(name).unwrap_or_default()
}
