//! The page in a real browser: mount the app, click Run, read the result from the DOM; open a bad
//! link and see the banner while the default preset stays selected. Waits on conditions, not time.

mod common;

use dsplay_web::{link::default_preset, App};
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Set the location hash, then mount a fresh app on its own element.
fn mount(hash: &str) -> Element {
    let window = web_sys::window().expect("a window");
    window.location().set_hash(hash).expect("set the hash");
    let doc = window.document().expect("a document");
    let root = doc.create_element("div").expect("create a div");
    doc.body().expect("a body").append_child(&root).expect("attach the root");
    yew::Renderer::<App>::with_root(root.clone()).render();
    root
}

/// Poll until `selector` matches inside `root` (5 s at most).
async fn wait_for(root: &Element, selector: &str) -> Element {
    for _ in 0..500 {
        if let Ok(Some(el)) = root.query_selector(selector) {
            return el;
        }
        yew::platform::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {selector:?}");
}

#[wasm_bindgen_test]
async fn clicking_run_shows_the_golden_trace_hash() {
    let root = mount("");
    let preset = default_preset();
    let select: HtmlSelectElement = wait_for(&root, "#preset").await.unchecked_into();
    assert_eq!(select.value(), preset);
    assert!(root.query_selector("#banner").ok().flatten().is_none(), "no banner without a link");
    let run: HtmlElement = wait_for(&root, "#run").await.unchecked_into();
    run.click();
    let result = wait_for(&root, "#run-result[data-trace-hash]").await;
    let want = common::golden_hash(preset);
    assert_eq!(result.get_attribute("data-trace-hash").as_deref(), want);
    let report = wait_for(&root, "#run-result pre.report").await.text_content().unwrap_or_default();
    assert!(report.contains("\"metrics\""), "the report shows the metrics: {report}");
}

#[wasm_bindgen_test]
async fn a_bad_link_shows_a_banner_and_keeps_the_default_preset() {
    let root = mount("#s=this-is-not-a-scenario");
    let banner = wait_for(&root, "#banner").await.text_content().unwrap_or_default();
    assert!(banner.contains("could not be opened") && banner.contains("bad link"), "banner: {banner}");
    let select: HtmlSelectElement = wait_for(&root, "#preset").await.unchecked_into();
    assert_eq!(select.value(), default_preset());
    web_sys::window().expect("a window").location().set_hash("").expect("clear the hash");
}
