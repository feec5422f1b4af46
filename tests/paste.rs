//! A link pasted into an open page: in a page of its own, since a hash change left queued by
//! another test's navigation (Back, Forward, a link) could reach this test's app and reload it
//! (it failed that way once in CI among the other app tests, and never alone).

mod common;
use common::app::{attr, mount, unmount, wait_until};
use common::until;

use dsplay_core::presets;
use dsplay_core::scenario::encode_fragment;
use dsplay_web::link::default_preset;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_link_pasted_into_an_open_page_opens_and_a_bad_one_keeps_the_session() {
    let root = mount("");
    wait_until(&root, "#run-result", |el| attr(el, "data-preset") == default_preset()).await;
    let location = web_sys::window().expect("a window").location();
    // Pasting changes only the fragment, so the page does not reload: it must follow the link.
    let other = presets::ids().find(|id| *id != default_preset()).expect("a second preset");
    let sc = presets::get(other).expect("preset");
    let pasted = format!("{}&t=1200", encode_fragment(&sc));
    location.set_hash(&pasted).expect("paste a link");
    let opened = |el: &Element| attr(el, "data-preset") == other && attr(el, "data-now-ms") == "1200";
    wait_until(&root, "#run-result", opened).await;
    // The page writes its own link after each render; wait until that has settled on the session's
    // link (the pasted one names a preset as it ships: by name) rather than read whatever the
    // address bar holds in between.
    let own = format!("#preset={other}&t=1200");
    let kept = until("the address bar shows the opened session's link", || {
        location.hash().ok().filter(|h| *h == own)
    })
    .await;
    // A bad paste: a banner says why, the session stays, and the address bar gets its link back,
    // so a reload cannot lose the session.
    location.set_hash("#s=garbage").expect("paste a bad link");
    let banner = wait_until(&root, "#banner", |_| true).await.text_content().unwrap_or_default();
    assert!(banner.contains("could not be opened") && banner.contains("unchanged"), "banner: {banner}");
    wait_until(&root, "#run-result", opened).await;
    until("the address bar shows the session's link again", || location.hash().ok().filter(|h| *h == kept))
        .await;
    // The banner's × clears it.
    wait_until(&root, "#banner .dismiss", |_| true).await.unchecked_into::<HtmlElement>().click();
    until("the banner is gone", || root.query_selector("#banner").ok().flatten().is_none().then_some(()))
        .await;
    unmount();
}
