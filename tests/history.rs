//! The History tab in a real browser: offered for a key-value run (not for one whose clients
//! keep no history), a lane per client and a bar per operation up to the playhead, the first
//! operation no linear order explains ringed, and a click on a bar moves the playhead to its
//! return. Waits on conditions, not time.

mod common;
use common::app::{attr, mount, unmount, wait_until};
use common::{all, until};

use dsplay_core::check::{check_history, Verdict};
use dsplay_core::{presets, registry};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn click(root: &Element, selector: &str) {
    let el: HtmlElement = root.query_selector(selector).ok().flatten().expect(selector).unchecked_into();
    el.click();
}

#[wasm_bindgen_test]
async fn the_history_rings_the_first_bad_read_and_a_bar_goes_to_its_return() {
    // Where d3's first bad read returns, found by the core's own check of the whole run.
    let sc = presets::get("d3-quorum-stale-read").expect("d3");
    let mut sim = registry::build(&sc).expect("builds");
    sim.run_until(sim.stop_at());
    let Verdict::NotLinearizable { first_bad } = check_history(sim.history()) else {
        panic!("d3 reads stale")
    };
    let bad = sim.history().ops.iter().find(|o| o.id == first_bad.op_id).expect("the bad op").clone();
    let ret_ms = bad.ret.expect("it returned").as_us().div_ceil(1000);
    let root = mount(&format!("#preset=d3-quorum-stale-read&t={ret_ms}"));
    wait_until(&root, "#run-result", |el| attr(el, "data-now-ms") == ret_ms.to_string()).await;
    click(&root, "#tab-history");
    let ringed = wait_until(&root, ".history-svg .op.bad", |_| true).await;
    let said =
        ringed.query_selector("title").ok().flatten().and_then(|t| t.text_content()).unwrap_or_default();
    assert!(said.contains("read") && said.contains("returned"), "{said}");
    // Its name says it is the bad one, not only its ring (review 46 C6).
    let name = ringed.get_attribute("aria-label").unwrap_or_default();
    assert!(name.ends_with("the first operation no linearizable order explains"), "{name}");
    // The same from the keyboard: a button that says where it returned.
    let go = wait_until(&root, ".history-bad", |_| true).await.text_content().unwrap_or_default();
    let when = dsplay_web::components::invariants::secs(bad.ret.expect("returned"));
    assert!(go.contains("first bad operation returned") && go.contains(&when), "{go}");
    let lanes: Vec<String> =
        all(&root, ".history-svg .client").iter().filter_map(|c| c.text_content()).collect();
    assert!(lanes.len() >= 2 && lanes.iter().all(|c| c.starts_with('c')), "a lane per client: {lanes:?}");
    let summary = wait_until(&root, ".history-summary", |_| true).await.text_content().unwrap_or_default();
    assert!(summary.contains(" ok, ") && summary.ends_with("in the 2 s before the playhead"), "{summary}");
    // Back a little (d3's first bad read returns early in the run), then a click on a bar that
    // returned before that goes to its return.
    let back = ret_ms * 3 / 4;
    let scrubber: web_sys::HtmlInputElement =
        root.query_selector("#scrubber").ok().flatten().expect("the scrubber").unchecked_into();
    scrubber.set_value(&back.to_string());
    scrubber.dispatch_event(&web_sys::Event::new("input").expect("event")).expect("dispatch");
    wait_until(&root, "#run-result", |el| attr(el, "data-now-ms") == back.to_string()).await;
    until("the window moved back", || {
        root.query_selector(".history-svg .op.bad").ok().flatten().is_none().then_some(())
    })
    .await;
    let bars = all(&root, ".history-svg .op.ok");
    let bar = bars.last().expect("an operation that returned ok in the window").clone();
    let target = bar.query_selector("rect").ok().flatten().expect("its rect");
    // A bubbling click, as a pointer makes (Yew listens at the app's root).
    let init = web_sys::PointerEventInit::new();
    init.set_bubbles(true);
    let click = web_sys::PointerEvent::new_with_event_init_dict("click", &init).expect("a click");
    target.dispatch_event(&click).expect("dispatch");
    until("the playhead moved to a return before the scrub point", || {
        let now: u64 =
            attr(&root.query_selector("#run-result").ok().flatten()?, "data-now-ms").parse().ok()?;
        (now < back && now + 2_000 >= back).then_some(())
    })
    .await;
    unmount();
}

#[wasm_bindgen_test]
async fn a_run_whose_clients_keep_no_history_has_no_history_tab() {
    let root = mount("#preset=t1-round-robin");
    wait_until(&root, "#tab-charts", |_| true).await;
    assert!(root.query_selector("#tab-history").ok().flatten().is_none());
    unmount();
    let root = mount("#preset=d4-raft-election");
    wait_until(&root, "#tab-history", |_| true).await;
    unmount();
}

/// From the keyboard (review 22: the bars were a picture, out of a keyboard's reach): one Tab
/// stop, the arrows move from bar to bar without stepping the run, Enter goes to a return.
#[wasm_bindgen_test]
async fn the_arrows_walk_the_bars_and_enter_goes_to_a_return() {
    let root = mount("#preset=d3-quorum-stale-read&t=3000");
    wait_until(&root, "#run-result", |el| attr(el, "data-now-ms") == "3000").await;
    click(&root, "#tab-history");
    wait_until(&root, ".history-svg .op.ok", |_| true).await;
    let bars = all(&root, ".history-svg .op");
    let stops: Vec<&Element> = bars.iter().filter(|b| attr(b, "tabindex") == "0").collect();
    assert_eq!(stops.len(), 1, "one Tab stop for the figure");
    assert!(bars.iter().all(|b| attr(b, "role") == "button" && attr(b, "aria-label").starts_with('c')));
    let focused = || web_sys::window()?.document()?.active_element();
    dsplay_web::focus::focus(&bars[0]);
    common::app::key_on(&bars[0], "ArrowRight");
    assert!(focused().is_some_and(|f| f.is_same_node(Some(&bars[1]))), "→: the next bar");
    common::app::key_on(&bars[1], "End");
    let last = bars.last().expect("bars");
    assert!(focused().is_some_and(|f| f.is_same_node(Some(last))), "End: the last");
    common::app::key_on(last, "Home");
    assert!(focused().is_some_and(|f| f.is_same_node(Some(&bars[0]))), "Home: the first");
    let now = || attr(&root.query_selector("#run-result").ok().flatten().expect("status"), "data-now-ms");
    assert_eq!(now(), "3000", "the arrows moved the focus, not the run");
    // Enter on a bar that returned ok, before the playhead: the playhead goes to its return.
    let ok = all(&root, ".history-svg .op.ok").into_iter().next().expect("an ok bar");
    dsplay_web::focus::focus(&ok);
    common::app::key_on(&ok, "Enter");
    until("Enter went to the return", || (now().parse::<u64>().ok()? < 3000).then_some(())).await;
    unmount();
}
