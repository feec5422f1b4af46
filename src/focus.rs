//! Keeping keyboard focus when an action removes or disables the focused control: pressing Crash
//! disables Crash, "Cut off 2 nodes" goes away, Esc closes the inspector. The browser then drops
//! focus to `<body>` and the next Tab starts again at the top of the page.

use wasm_bindgen::JsCast;
use web_sys::Element;

thread_local! {
    /// The control a [`rescue`] moved the focus to after an action, until the user moves it.
    static MOVED: std::cell::RefCell<Option<Element>> = const { std::cell::RefCell::new(None) };
}

/// Whether `el` has the focus because an action moved it there (Crash's to Restart, Isolate's to
/// Heal), not because the user picked it: Space there plays, as after a click, rather than
/// pressing what undoes the action (review 51: a keyboard demo's Isolate, then Space to play,
/// healed the partition at once and stayed paused).
pub fn moved_here(el: &Element) -> bool {
    MOVED.with(|m| m.borrow().as_ref() == Some(el))
}

/// The user moved the focus (Tab, a click): what a rescue picked is theirs now.
pub fn forget_moved() {
    MOVED.with(|m| m.borrow_mut().take());
}

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

/// How many times, a frame apart, to look for what an action's render draws: usually the first
/// look (a 0 ms timer) already comes after it, but Yew yields to the browser during a long
/// render, and on a loaded machine the editor's new "+ section" button was not there yet at the
/// first look (logged), so the key stayed on the page's body.
const LOOKS: u32 = 12;

/// Call `look` now (on a 0 ms timer) and then a frame apart until it says it is done, at most
/// [`LOOKS`] times.
pub fn until_done(look: impl FnMut() -> bool + 'static) {
    again(look, 0, LOOKS);
}

fn again(mut look: impl FnMut() -> bool + 'static, wait_ms: u32, left: u32) {
    gloo::timers::callback::Timeout::new(wait_ms, move || {
        if !look() && left > 1 {
            again(look, 16, left - 1);
        }
    })
    .forget();
}

fn after_render(selectors: Vec<String>, only_if_lost: bool) {
    // A rescue looks once. Looking again until focus is lost misfired both ways tried: the render
    // may keep focus on a control it reused (Yew gave a removed event's x button to the next
    // event), and a later look pulled focus back after the user had left it.
    let looks = if only_if_lost { 1 } else { LOOKS };
    again(move || settled(&selectors, only_if_lost), 0, looks);
}

/// Moves focus if it should and can now; whether there is nothing more to do.
fn settled(selectors: &[String], only_if_lost: bool) -> bool {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return true };
    // A document without the focus has nothing to keep: an embed's reader is on the course page,
    // and focusing in the frame would take them away from it (review 56 A1).
    if !doc.has_focus().unwrap_or(false) {
        return true;
    }
    let lost = match doc.active_element() {
        None => true,
        Some(el) => el.tag_name() == "BODY" || el.has_attribute("disabled"),
    };
    if only_if_lost && !lost {
        return true;
    }
    let found = |selector: &String| doc.query_selector_all(selector).ok();
    let nodes =
        selectors.iter().filter_map(found).flat_map(|l| (0..l.length()).filter_map(move |i| l.item(i)));
    // Enabled and drawn: an embed's minimal controls hide the network tools, and focusing their
    // Heal did nothing, so the key was lost after all.
    let drawn = |el: &Element| {
        let r = el.get_bounding_client_rect();
        r.width() > 0.0 || r.height() > 0.0
    };
    let usable = nodes
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .find(|el| !el.has_attribute("disabled") && drawn(el));
    let Some(el) = usable else { return false };
    focus(&el);
    MOVED.with(|m| *m.borrow_mut() = only_if_lost.then_some(el));
    true
}

/// `focus()` of an HTML or an SVG element (a topology node or a History bar is an SVG `<g>`).
pub fn focus(el: &Element) {
    let focus = js_sys::Reflect::get(el, &"focus".into()).ok();
    if let Some(f) = focus.and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
        let _ = f.call0(el);
    }
}

/// Which arrow keys move the focus along a [`rove`] list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrows {
    /// ↓ and ↑ only (a vertical list, where ← and → stay the page's step keys).
    UpDown,
    /// → and ↓ to the next, ← and ↑ to the one before.
    All,
}

/// Roving focus in a list that is one Tab stop: the key of `e` moves the focus from `at` to the
/// next or previous of the elements matching `items` inside `list` (Home and End: the first and
/// the last). Whether it moved; the key is then used up. The gallery's list, the History
/// figure's bars and the stage's nodes move this way.
pub fn rove(e: &web_sys::KeyboardEvent, at: &Element, list: &Element, items: &str, arrows: Arrows) -> bool {
    let Ok(found) = list.query_selector_all(items) else { return false };
    let all: Vec<Element> = (0..found.length()).filter_map(|k| found.item(k)?.dyn_into().ok()).collect();
    let Some(here) = all.iter().position(|el| el.is_same_node(Some(at))) else { return false };
    let sideways = arrows == Arrows::All;
    let to = match e.key().as_str() {
        "ArrowDown" => here + 1,
        "ArrowRight" if sideways => here + 1,
        "ArrowUp" => here.saturating_sub(1),
        "ArrowLeft" if sideways => here.saturating_sub(1),
        "Home" => 0,
        "End" => all.len() - 1,
        _ => return false,
    };
    e.prevent_default();
    focus(&all[to.min(all.len() - 1)]);
    true
}
