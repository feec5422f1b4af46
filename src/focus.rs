//! Keeping keyboard focus when an action removes or disables the focused control: pressing Crash
//! disables Crash, "Cut off 2 nodes" goes away, Esc closes the inspector. The browser then drops
//! focus to `<body>` and the next Tab starts again at the top of the page.

use wasm_bindgen::JsCast;
use web_sys::Element;

/// After the render the action causes, if focus was lost (on `<body>` or a disabled control),
/// move it to the first enabled element matching the first of `selectors` that matches one.
/// Focus the user moved elsewhere in the meantime is left alone.
pub fn rescue(selectors: Vec<String>) {
    after_render(selectors, true);
}

/// After the render the action causes, move focus to the first enabled element matching the
/// first of `selectors` that matches one, wherever focus is: a control that became another (the
/// editor's "Remove autoscale" turning into "+ autoscale", whose old place the next section's
/// button took) or something new out of view (it is scrolled to).
pub fn move_to(selectors: Vec<String>) {
    after_render(selectors, false);
}

fn after_render(selectors: Vec<String>, only_if_lost: bool) {
    gloo::timers::callback::Timeout::new(0, move || {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let lost = match doc.active_element() {
            None => true,
            Some(el) => el.tag_name() == "BODY" || el.has_attribute("disabled"),
        };
        if only_if_lost && !lost {
            return;
        }
        let found = |selector: &String| doc.query_selector_all(selector).ok();
        let nodes =
            selectors.iter().filter_map(found).flat_map(|l| (0..l.length()).filter_map(move |i| l.item(i)));
        let usable =
            nodes.filter_map(|n| n.dyn_into::<Element>().ok()).find(|el| !el.has_attribute("disabled"));
        if let Some(el) = usable {
            focus(&el);
        }
    })
    .forget();
}

/// `focus()` of an HTML or an SVG element (a topology node or a History bar is an SVG `<g>`).
pub fn focus(el: &Element) {
    let focus = js_sys::Reflect::get(el, &"focus".into()).ok();
    if let Some(f) = focus.and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
        let _ = f.call0(el);
    }
}
