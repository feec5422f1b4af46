//! Keys that act on nodes, in a page of their own: after two actions by hand on d4 and the app
//! destroyed, the next app mounted in the same page rendered but never ran its effects (its
//! shortcut listener was never added), so a test that follows this one in `app.rs` timed out.
//! A page loads one app for its whole life; only the tests' harness destroys and mounts again.

mod common;
use common::app::{attr, document, key_on, mount, unmount, wait_until};
use common::until;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// The page's key listener is added by an effect, which may run after the first paint: ? opens
/// the shortcut sheet once it listens (pressed until it does). The sheet is left open.
async fn sheet_opened_once_listening(root: &Element) {
    let body = document().body().expect("body");
    until("the page listens for keys", || {
        let open = common::find(root, "#shortcuts").is_some();
        if !open {
            key_on(&body, "?");
        }
        open
    })
    .await;
}

/// d4 mounted at 2 s with the page listening for keys (see [`sheet_opened_once_listening`]) and
/// the sheet closed again.
async fn d4_listening() -> Element {
    let root = mount("#preset=d4-raft-election&t=2000");
    wait_until(&root, "#run-result", |el| attr(el, "data-now-ms") == "2000").await;
    sheet_opened_once_listening(&root).await;
    key_on(&document().body().expect("body"), "Escape");
    until("the sheet closed", || common::find(&root, "#shortcuts").is_none()).await;
    root
}

/// The notice's words once it starts with `starts`, without its ×.
async fn notice_starting(root: &Element, starts: &str) -> String {
    until(&format!("a notice starting {starts:?}"), || {
        let said = common::find(root, "#banner").and_then(|b| b.text_content())?;
        Some(said.trim_end_matches('×').trim().to_string()).filter(|t| t.starts_with(starts))
    })
    .await
}

/// X and P act on the focused node (or the selected one): crash, restart, pause, resume, each a
/// timed event by hand (review 15: from the keyboard, Crash was 17 Tabs past the node).
#[wasm_bindgen_test]
async fn x_and_p_crash_restart_pause_and_resume_the_focused_node() {
    let root = d4_listening().await;
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
    // C hands the selected node a request; with none selected, the leader (n4 at 2 s). Each
    // write puts the next number, so the presses are told apart in the logs.
    let listed = |want: &'static str| {
        let root = &root;
        move || {
            let said: Vec<String> =
                common::all(root, ".fault-list .what").iter().filter_map(|e| e.text_content()).collect();
            said.iter().any(|w| w == want).then_some(())
        }
    };
    key_on(&document().body().expect("body"), "c");
    until("C on the selected n2", listed("write handed to n2 (key k1, value 1)")).await;
    key_on(&document().body().expect("body"), "Escape");
    until("nothing selected", || root.query_selector(".inspector.empty").ok().flatten()).await;
    key_on(&document().body().expect("body"), "c");
    until("C with nothing selected goes to the leader", listed("write handed to n4 (key k1, value 2)")).await;
    unmount();
}

/// In quorum, C names the nodes that take requests: not "wait for an election" (it has none), nor
/// "press C on a server" on r1, a server that takes none (review 46 C7).
#[wasm_bindgen_test]
async fn c_names_the_nodes_that_take_requests_where_there_is_no_leader() {
    let root = mount("#preset=d3-quorum-stale-read&t=1000");
    wait_until(&root, "#run-result", |el| attr(el, "data-now-ms") == "1000").await;
    key_on(&document().body().expect("body"), "c");
    let said = wait_until(&root, "#banner", |_| true).await.text_content().unwrap_or_default();
    assert!(said.contains("click or Tab to c1, c2, c3 or c4 first") && !said.contains("election"), "{said}");
    let r1 = common::find(&root, "[data-node=\"r1\"]").expect("r1");
    key_on(&r1, "c");
    let said = notice_starting(&root, "r1").await;
    assert_eq!(said, "r1 takes no requests by hand: press C on c1, c2, c3 or c4");
    unmount();
}

/// X, P and T with no node picked say what they do and how to pick one, and P on a crashed node
/// says to restart it: none does nothing without a word (review 49 C8).
#[wasm_bindgen_test]
async fn node_keys_with_no_node_to_act_on_say_why() {
    let root = d4_listening().await;
    let body = document().body().expect("body");
    key_on(&body, "x");
    let said = notice_starting(&root, "X ").await;
    assert_eq!(
        said,
        "X crashes the node you pick, or restarts it if it is down: click a node or Tab to one first"
    );
    key_on(&body, "t");
    let said = notice_starting(&root, "T ").await;
    assert_eq!(said, "T fires the election timer of the node you pick: click a node or Tab to one first");
    let n2 = || common::find(&root, "[data-node=\"n2\"]").expect("n2");
    key_on(&n2(), "x");
    until("n2 down", || n2().get_attribute("class").filter(|c| c.split(' ').any(|k| k == "down"))).await;
    key_on(&n2(), "p");
    let said = notice_starting(&root, "n2 is down").await;
    assert_eq!(said, "n2 is down, so it cannot be paused: press X to restart it");
    unmount();
    // Where no node keeps an election timer, T says so rather than send the user to pick one.
    let root = mount("#preset=t1-round-robin&t=1000");
    wait_until(&root, "#run-result", |el| attr(el, "data-now-ms") == "1000").await;
    key_on(&document().body().expect("body"), "t");
    let said = notice_starting(&root, "T ").await;
    assert_eq!(said, "T fires a node's election timer, and no node here keeps one");
    unmount();
}

/// Where an action moved the focus (Isolate's to Heal), Space plays rather than pressing what
/// undoes it; once the user moves the focus with Tab, Space presses the button again (review 51:
/// a keyboard demo's Isolate and then Space healed the partition and stayed paused).
#[wasm_bindgen_test]
async fn space_after_an_action_plays_rather_than_undoing_it() {
    let root = d4_listening().await;
    let n2 = common::find(&root, "[data-node=\"n2\"]").expect("n2");
    key_on(&n2, "Enter");
    let isolate = wait_until(&root, ".inspector .actions button.isolate", |_| true).await;
    // Reached with the keyboard and pressed: it is disabled by its own partition.
    let isolate = isolate.unchecked_into::<web_sys::HtmlElement>();
    isolate.focus().expect("focus");
    isolate.click();
    let heal = until("the focus on Heal", || {
        document().active_element().filter(|el| el.matches(".topo-tools button.heal").unwrap_or(false))
    })
    .await;
    assert!(key_on(&heal, " ").default_prevented(), "Space is the page's, not Heal's");
    wait_until(&root, "#run-result", |el| attr(el, "data-playing") == "true").await;
    key_on(&heal, " ");
    wait_until(&root, "#run-result", |el| attr(el, "data-playing") == "false").await;
    // The focus stays on Heal, so Enter next heals (review 52: it went on to Crash, and Enter
    // crashed the node). Looked at after another play and pause, by when any move of it after
    // the Spaces has happened.
    for playing in ["true", "false"] {
        key_on(&heal, "k");
        wait_until(&root, "#run-result", |el| attr(el, "data-playing") == playing).await;
    }
    assert_eq!(document().active_element().as_ref(), Some(&heal), "the focus stayed on Heal");
    // Tab hands the focus back to the user: Space on a button they reach presses it.
    key_on(&heal, "Tab");
    assert!(!key_on(&heal, " ").default_prevented(), "Space presses a button the user moved to");
    unmount();
}

/// Ctrl+Z is the notice's Undo: an event taken out with its × comes back, from wherever the focus
/// is (review 51 C6: after a fork from the stage, Undo was 75 Tabs away).
#[wasm_bindgen_test]
async fn ctrl_z_undoes_what_the_notice_offers_to() {
    let root = d4_listening().await;
    let body = document().body().expect("body");
    let events = || common::all(&root, ".fault-list .fault-remove").len();
    let before = events();
    let x = wait_until(&root, ".fault-list .fault-remove", |_| true).await;
    x.unchecked_ref::<web_sys::HtmlElement>().click();
    until("taken out", || (events() == before - 1).then_some(())).await;
    wait_until(&root, "#banner button.undo", |_| true).await;
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("z");
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let e = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("key");
    body.dispatch_event(&e).expect("dispatch");
    until("back", || (events() == before).then_some(())).await;
    unmount();
}

/// ← to before a scripted crash disables the focused Restart: the focus goes on to the
/// inspector's first open action, not to the top of the page (review 15).
#[wasm_bindgen_test]
async fn travelling_back_past_a_crash_keeps_the_focus_in_the_inspector() {
    let root = mount("#preset=d4-raft-election&t=5300");
    wait_until(&root, "#run-result", |el| attr(el, "data-now-ms") == "5300").await;
    let n4 = common::find(&root, "[data-node=\"n4\"]").expect("n4");
    key_on(&n4, "Enter");
    let restart = wait_until(&root, ".inspector button.restart", |el| !el.has_attribute("disabled")).await;
    restart.unchecked_ref::<web_sys::HtmlElement>().focus().expect("focus Restart");
    for _ in 0..3 {
        key_on(&restart, "ArrowLeft");
    }
    wait_until(&root, ".inspector button.restart", |el| el.has_attribute("disabled")).await;
    let focused = || document().active_element().map(|el| el.class_name());
    until("the focus kept", || (focused().as_deref() == Some("crash")).then_some(())).await;
    unmount();
}

/// The help sheet turns single-key shortcuts off (WCAG 2.1.4, review 22: X crashed the selected
/// node with the focus anywhere): X and ? then do nothing, while Esc and the arrows still act.
#[wasm_bindgen_test]
async fn single_key_shortcuts_turned_off_in_the_help_sheet_act_no_more() {
    dsplay_web::single_keys::set(true);
    let root = mount("#preset=d4-raft-election&t=2000");
    wait_until(&root, "#run-result", |el| attr(el, "data-now-ms") == "2000").await;
    let body = document().body().expect("body");
    sheet_opened_once_listening(&root).await;
    let switch = common::find(&root, "#shortcuts .single-keys input").expect("the switch");
    let input: web_sys::HtmlInputElement = switch.clone().unchecked_into();
    assert!(input.checked(), "on by default");
    input.click();
    until("turned off and kept", || (!dsplay_web::single_keys::on()).then_some(())).await;
    key_on(&body, "Escape");
    until("Esc still closes the sheet", || common::find(&root, "#shortcuts").is_none()).await;
    let events = || attr(&common::find(&root, "#run-result").expect("status"), "data-events");
    let before = events();
    let n2 = common::find(&root, "[data-node=\"n2\"]").expect("n2");
    key_on(&n2, "x");
    key_on(&body, "?");
    // → is no character: it still steps, and the keys before it were handled first.
    key_on(&body, "ArrowRight");
    until("→ stepped", || (events() != before).then_some(())).await;
    let down = common::all(&root, "[data-node=\"n2\"].down").len();
    assert_eq!(down, 0, "X crashed nothing");
    assert!(common::find(&root, "#shortcuts").is_none(), "? opened nothing");
    let said: Vec<String> =
        common::all(&root, ".fault-list .what").iter().filter_map(|e| e.text_content()).collect();
    assert!(!said.iter().any(|w| w.contains("n2")), "no action by hand: {said:?}");
    dsplay_web::single_keys::set(true);
    unmount();
}

/// The stage's nodes are one Tab stop, the selected node (or the first): the arrows, on a node
/// the keyboard reached, move the focus between nodes instead of stepping the run, so Tab goes
/// on to the inspector (review 22: 19 Tabs from a node to its inspector).
#[wasm_bindgen_test]
async fn the_arrows_walk_the_stages_nodes_and_the_selected_one_is_the_tab_stop() {
    let root = d4_listening().await;
    let nodes = || common::all(&root, ".topo-svg .nodes > [data-node]");
    let stops = || -> Vec<String> {
        nodes().iter().filter(|n| attr(n, "tabindex") == "0").map(|n| attr(n, "data-node")).collect()
    };
    let names: Vec<String> = nodes().iter().map(|n| attr(n, "data-node")).collect();
    assert!(names.len() >= 5, "{names:?}");
    assert_eq!(stops(), [names[0].clone()], "one stop, the first node, with none selected");
    let focused = || document().active_element().and_then(|el| el.get_attribute("data-node"));
    key_on(&nodes()[0], "ArrowRight");
    until("→ went to the second node", || (focused().as_ref() == Some(&names[1])).then_some(())).await;
    let last = names.last().expect("a node").clone();
    key_on(&nodes()[1], "End");
    until("End went to the last node", || (focused().as_ref() == Some(&last)).then_some(())).await;
    let status = common::find(&root, "#run-result").expect("status");
    assert_eq!(attr(&status, "data-now-ms"), "2000", "the arrows moved the focus, not the run");
    let at_last = nodes().into_iter().find(|n| attr(n, "data-node") == last).expect("the last node");
    key_on(&at_last, "Enter");
    wait_until(&root, ".inspector h2", |_| true).await;
    until("the selected node is the stop", || (stops() == [last.clone()]).then_some(())).await;
    unmount();
}

/// The legend's kinds are one Tab stop too, the spotlit kind (or the first): an embed with seven
/// kinds had seven of its sixteen stops there (review 56 B1).
#[wasm_bindgen_test]
async fn the_legend_is_one_tab_stop_and_the_arrows_walk_its_kinds() {
    let root = d4_listening().await;
    let kinds = || common::all(&root, ".topo-legend li > button");
    let stops = || -> Vec<String> {
        kinds().iter().filter(|b| attr(b, "tabindex") == "0").filter_map(|b| b.text_content()).collect()
    };
    let names: Vec<String> = kinds().iter().filter_map(|b| b.text_content()).collect();
    assert!(names.len() >= 3, "{names:?}");
    assert_eq!(stops(), [names[0].clone()], "one stop, the first kind, with none spotlit");
    let focused = || document().active_element().and_then(|el| el.text_content());
    key_on(&kinds()[0], "ArrowRight");
    until("→ went to the second kind", || (focused().as_ref() == Some(&names[1])).then_some(())).await;
    let status = common::find(&root, "#run-result").expect("status");
    assert_eq!(attr(&status, "data-now-ms"), "2000", "the arrow moved the focus, not the run");
    let second = kinds().into_iter().nth(1).expect("a second kind");
    second.dyn_ref::<web_sys::HtmlElement>().expect("a button").click();
    until("the spotlit kind is the stop", || (stops() == [names[1].clone()]).then_some(())).await;
    unmount();
}
