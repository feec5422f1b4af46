//! Keys that act on nodes, in a page of their own: after two actions by hand on d4 and the app
//! destroyed, the next app mounted in the same page rendered but never ran its effects (its
//! shortcut listener was never added), so a test that follows this one in `app.rs` timed out.
//! A page loads one app for its whole life; only the tests' harness destroys and mounts again.

mod common;
use common::app::{attr, document, key_on, mount, unmount, wait_until};
use common::until;

use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// X and P act on the focused node (or the selected one): crash, restart, pause, resume, each a
/// timed event by hand (review 15: from the keyboard, Crash was 17 Tabs past the node).
#[wasm_bindgen_test]
async fn x_and_p_crash_restart_pause_and_resume_the_focused_node() {
    let root = mount("#preset=d4-raft-election&t=2000");
    wait_until(&root, "#run-result", |el| attr(el, "data-now-ms") == "2000").await;
    // Found afresh for each key: a node drawn again is another element, and a key sent to the
    // old one would reach no listener.
    let n2 = || common::find(&root, "[data-node=\"n2\"]").expect("n2");
    let is = |want: &'static str| {
        move |el: &Element| el.get_attribute("class").is_some_and(|c| c.split(' ').any(|k| k == want))
    };
    for (key, then) in [("x", "down"), ("x", "up"), ("p", "paused")] {
        key_on(&n2(), key);
        until(&format!("{key}: n2 {then}"), || Some(n2()).filter(|el| is(then)(el))).await;
    }
    // With no node focused, the selected one.
    key_on(&n2(), "Enter");
    wait_until(&root, ".inspector h2", |_| true).await;
    key_on(&document().body().expect("body"), "p");
    until("the selected n2 resumed", || Some(n2()).filter(|el| is("up")(el))).await;
    let by_hand: Vec<String> =
        common::all(&root, ".fault-list .what").iter().filter_map(|e| e.text_content()).collect();
    assert_eq!(by_hand.iter().filter(|w| w.contains("n2")).count(), 4, "{by_hand:?}");
    unmount();
}
