//! A traffic run's load on the stage, in a real browser: worker slots and a queue pile on each
//! backend, a token bucket per client beside the rate limiter (the abuser's empty; under a
//! sliding window chosen at the playhead, its window full), the legend's
//! red for answers that turn requests away (only where a protocol can), Follow, which slows a
//! hop to about half a second and back, and the balancer's algorithm switched at the playhead
//! from the inspector. Waits on conditions, not time.

mod common;
use common::all;
use common::app::{attr, mount, unmount, wait_until};

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

async fn open_at(preset: &str, ms: u64) -> Element {
    let root = mount(&format!("#preset={preset}&t={ms}"));
    wait_until(&root, "#run-result", |el| attr(el, "data-now-ms") == ms.to_string()).await;
    root
}

fn title(el: &Element) -> String {
    el.query_selector("title").ok().flatten().and_then(|t| t.text_content()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_slow_backend_piles_up_its_queue_beside_its_busy_worker() {
    // t1-round-robin at 10 s: round robin keeps feeding the slow b4.
    let root = open_at("t1-round-robin", 10_000).await;
    let pile = wait_until(&root, ".topo-svg [data-node=b4] .pile", |_| true).await;
    let queued: u32 = title(&pile).split(' ').next().and_then(|n| n.parse().ok()).expect("'N queued'");
    let items = all(&pile, "rect").len() as u32;
    assert!(queued > 1 && items == queued.min(items), "{} for {queued}", title(&pile));
    assert!(items >= 2, "a pile, not one mark");
    let slots = root.query_selector("[data-node=b4] .slots").ok().flatten().expect("b4's worker ring");
    // A queue waits only while every worker is busy: "4 of 4 workers busy".
    let said = title(&slots);
    let words: Vec<&str> = said.split(' ').collect();
    assert!(words.len() == 5 && words[0] == words[2] && said.ends_with("workers busy"), "{said}");
    let busy = all(&slots, ".slot-busy").len();
    assert_eq!(busy, 1, "one arc of busy slots over the faint ring of all");
    // The clients hold no work.
    assert!(root.query_selector("[data-node=c1] .work").ok().flatten().is_none());
    unmount();
}

#[wasm_bindgen_test]
async fn the_abusers_bucket_is_empty_and_the_legend_keys_the_red() {
    // t6 at 8 s: c1 has sent 400 a second against its bucket's 50 for 3 s.
    let root = open_at("t6-rate-limiting", 8_000).await;
    wait_until(&root, ".topo-svg [data-node=lb] .bucket", |_| true).await;
    let buckets = all(&root, ".topo-svg [data-node=lb] .bucket");
    assert_eq!(buckets.len(), 4, "one per client");
    let of = |c: &str| buckets.iter().find(|b| title(b).contains(&format!("for {c}:"))).expect(c).clone();
    assert!(attr(&of("c1"), "class").contains("refusing"), "{}", title(&of("c1")));
    assert!(!attr(&of("c2"), "class").contains("refusing"), "{}", title(&of("c2")));
    assert!(title(&of("c2")).ends_with("of 20 (+50 a second)"), "{}", title(&of("c2")));
    // Each on its own link as drawn: c2's link bows round c4, and its bucket lay under c4's.
    let rims: Vec<web_sys::DomRect> = buckets
        .iter()
        .filter_map(|b| b.query_selector(".bucket-rim").ok().flatten())
        .map(|r| r.get_bounding_client_rect())
        .collect();
    for (i, a) in rims.iter().enumerate() {
        for b in &rims[..i] {
            let apart = a.right() <= b.left()
                || b.right() <= a.left()
                || a.bottom() <= b.top()
                || b.bottom() <= a.top();
            assert!(apart, "buckets overlap: {:?} and {:?}", (a.x(), a.y()), (b.x(), b.y()));
        }
    }
    wait_until(&root, ".topo-legend .says-no", |el| el.text_content().as_deref() == Some("turned away"))
        .await;
    unmount();
    let root = open_at("d4-raft-election", 1_000).await;
    wait_until(&root, ".topo-legend li.dead", |_| true).await;
    assert!(root.query_selector(".topo-legend .says-no").ok().flatten().is_none(), "Raft turns nothing away");
    unmount();
}

#[wasm_bindgen_test]
async fn follow_slows_a_hop_to_about_half_a_second_and_back() {
    let root = open_at("t1-round-robin", 2_000).await;
    let follow: HtmlElement =
        wait_until(&root, "#follow", |el| !el.has_attribute("disabled")).await.unchecked_into();
    assert_eq!(attr(&follow, "aria-pressed"), "false");
    follow.click();
    // t1's hops take a few milliseconds: a few thousandths of 1×.
    let slow =
        wait_until(&root, "#speed-value", |el| el.text_content().is_some_and(|t| t.starts_with("0.00")));
    let said = slow.await.text_content().unwrap_or_default();
    wait_until(&root, "#follow", |el| attr(el, "aria-pressed") == "true").await;
    assert!(attr(&follow, "title").contains("1×"), "pressed, it says it goes back ({said})");
    follow.click();
    wait_until(&root, "#speed-value", |el| el.text_content().as_deref() == Some("1×")).await;
    unmount();
}

fn dispatch_click(el: &Element) {
    let click =
        js_sys::Function::new_with_args("el", "el.dispatchEvent(new MouseEvent('click', { bubbles: true }))");
    click.call1(&wasm_bindgen::JsValue::NULL, el).expect("a click");
}

fn scrub_to(root: &Element, ms: u64) {
    let scrubber: web_sys::HtmlInputElement =
        root.query_selector("#scrubber").ok().flatten().expect("the scrubber").unchecked_into();
    scrubber.set_value(&ms.to_string());
    scrubber.dispatch_event(&web_sys::Event::new("input").expect("event")).expect("dispatch");
}

/// lb's menu for `knob` under Settings, once lb is clicked.
async fn lbs_knob(root: &Element, knob: &str) -> web_sys::HtmlSelectElement {
    dispatch_click(&wait_until(root, ".topo-svg [data-node=lb]", |_| true).await);
    let menu = format!(".inspector .knobs [data-knob={knob}] select");
    wait_until(root, &menu, |_| true).await.unchecked_into()
}

/// Choose `to` in lb's `menu` for `knob`: a by-hand event at the playhead, listed as such.
async fn choose(root: &Element, menu: &web_sys::HtmlSelectElement, knob: &str, to: &str) {
    menu.set_value(to);
    menu.dispatch_event(&web_sys::Event::new("change").expect("event")).expect("dispatch");
    let said = format!("lb: {} → {}", knob.replace('_', " "), to.replace('_', " "));
    wait_until(root, ".fault-list .what", |el| el.text_content().as_deref() == Some(said.as_str())).await;
}

#[wasm_bindgen_test]
async fn least_connections_chosen_at_10_s_drains_b4s_pile_from_there_on() {
    let root = open_at("t1-round-robin", 10_000).await;
    let menu = lbs_knob(&root, "algorithm").await;
    assert_eq!(menu.value(), "round_robin");
    let piled = title(&wait_until(&root, "[data-node=b4] .pile", |_| true).await);
    choose(&root, &menu, "algorithm", "least_connections").await;
    // The menu shows what is in force.
    wait_until(&root, ".inspector .knobs [data-knob=algorithm] select", |el| {
        el.unchecked_ref::<web_sys::HtmlSelectElement>().value() == "least_connections"
    })
    .await;
    scrub_to(&root, 15_000);
    wait_until(&root, "#run-result", |el| attr(el, "data-now-ms") == "15000").await;
    let left =
        root.query_selector("[data-node=b4] .pile title").ok().flatten().and_then(|t| t.text_content());
    let queued: u32 = left.as_deref().and_then(|t| t.split(' ').next()?.parse().ok()).unwrap_or(0);
    assert!(queued < 5, "b4 had {piled} at 10 s; at 15 s: {left:?}");
    // Back before the switch, round robin is in force again.
    scrub_to(&root, 9_000);
    wait_until(&root, ".inspector .knobs [data-knob=algorithm] select", |el| {
        el.unchecked_ref::<web_sys::HtmlSelectElement>().value() == "round_robin"
    })
    .await;
    unmount();
}

#[wasm_bindgen_test]
async fn a_sliding_window_chosen_at_the_playhead_counts_each_clients_requests_and_rims_the_abusers_red() {
    // t6 at 8 s under its token bucket; from then on a sliding window of 50 a second.
    let root = open_at("t6-rate-limiting", 8_000).await;
    let menu = lbs_knob(&root, "rate_limit").await;
    assert_eq!(menu.value(), "token_bucket");
    choose(&root, &menu, "rate_limit", "sliding_window").await;
    scrub_to(&root, 8_500);
    wait_until(&root, "#run-result", |el| attr(el, "data-now-ms") == "8500").await;
    let bucket = |c: &str| {
        let all = all(&root, ".topo-svg [data-node=lb] .bucket");
        all.into_iter().find(|b| title(b).contains(&format!("for {c}:"))).expect(c)
    };
    // c1 sends 400 a second: its window is full and it is turned away; c2 sends about 20.
    let (c1, c2) = (bucket("c1"), bucket("c2"));
    assert_eq!(title(&c1), "in window for c1: 50 of 50");
    assert!(attr(&c1, "class").contains("refusing"), "{}", title(&c1));
    assert!(title(&c2).starts_with("in window for c2: ") && !attr(&c2, "class").contains("refusing"));
    unmount();
}
