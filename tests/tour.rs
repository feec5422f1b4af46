//! The guided tour in a real browser: started from the lesson on d4, it pauses exactly at each
//! note's time with the card saying that step; Continue plays to the next, Back returns, Esc
//! leaves. Waits on conditions, not time.

mod common;
use common::app::{attr, document, key_on, mount, unmount, wait_until};

use dsplay_core::presets;
use dsplay_core::scenario::tour::Tour;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Wait until the card says `step`, the player is paused and the playhead is at `ms` exactly.
async fn stopped_at(root: &Element, step: &str, ms: u64) {
    let card =
        wait_until(root, ".tour-card .tour-step", |el| el.text_content().as_deref() == Some(step)).await;
    assert!(card.text_content().is_some());
    wait_until(root, "#run-result", |el| {
        attr(el, "data-now-ms") == ms.to_string() && attr(el, "data-playing") == "false"
    })
    .await;
}

fn press(root: &Element, selector: &str) {
    let el: HtmlElement = root.query_selector(selector).ok().flatten().expect(selector).unchecked_into();
    el.click();
}

#[wasm_bindgen_test]
async fn the_tour_stops_at_each_note_and_goes_on_back_and_out() {
    let tour = Tour::of(&presets::get("d4-raft-election").expect("d4"));
    let ms: Vec<u64> = tour.stops.iter().map(|s| s.at.as_us() / 1000).collect();
    let n = tour.len();
    let root = mount("#preset=d4-raft-election");
    let start = wait_until(&root, ".lesson .take-tour", |_| true).await;
    assert_eq!(start.text_content().unwrap_or_default(), format!("Take the tour ({n} steps)"));
    press(&root, ".lesson .take-tour");
    stopped_at(&root, &format!("Step 1 of {n}"), ms[0]).await;
    let said = wait_until(&root, ".tour-card .md", |_| true).await.text_content().unwrap_or_default();
    assert!(said.starts_with("Five servers start as followers"), "the first note, rendered: {said}");
    // The card moves the focus from an effect, which may run a frame after the card is drawn.
    let focused = || document().active_element().map(|el| el.class_name()).unwrap_or_default();
    if common::within(|| focused().contains("tour-next")).await.is_none() {
        panic!("the focus went from the lesson's button to Continue: {}", focused());
    }
    // The card speaks at a stop; the narrator does not talk over it with where the run paused
    // (review 41 C4). Effects run after every queued render, so it has rendered by now.
    let narration = document().get_element_by_id("narration").and_then(|n| n.text_content());
    assert!(!narration.clone().unwrap_or_default().contains("Paused at"), "{narration:?}");
    assert!(root.query_selector(".tour-stale").ok().flatten().is_none(), "the run is as shipped");

    press(&root, ".tour-card .tour-next");
    stopped_at(&root, &format!("Step 2 of {n}"), ms[1]).await;
    press(&root, ".tour-card .tour-back");
    stopped_at(&root, &format!("Step 1 of {n}"), ms[0]).await;
    // The keys: → continues, ← goes back, Esc leaves.
    key_on(&document(), "ArrowRight");
    stopped_at(&root, &format!("Step 2 of {n}"), ms[1]).await;
    key_on(&document(), "ArrowLeft");
    stopped_at(&root, &format!("Step 1 of {n}"), ms[0]).await;
    key_on(&document(), "Escape");
    wait_until(&root, "#run-result", |_| root.query_selector(".tour-card").ok().flatten().is_none()).await;
    unmount();
}

#[wasm_bindgen_test]
async fn a_scenario_without_notes_offers_no_tour() {
    let root = mount("#preset=d1-cap-ap");
    wait_until(&root, ".lesson h2", |_| true).await;
    assert!(root.query_selector(".take-tour").ok().flatten().is_none());
    unmount();
}

#[wasm_bindgen_test]
async fn a_tour_of_a_changed_run_says_its_notes_tell_the_run_as_shipped() {
    // Another seed: another election, so "n4's timer ran out first" may be untrue from the start.
    let mut sc = presets::get("d4-raft-election").expect("d4");
    sc.seed += 1;
    let root = mount(&dsplay_core::scenario::encode_fragment(&sc));
    wait_until(&root, ".lesson .take-tour", |_| true).await;
    press(&root, ".lesson .take-tour");
    let n = Tour::of(&presets::get("d4-raft-election").expect("d4")).len();
    wait_until(&root, ".tour-card .tour-step", |el| el.text_content() == Some(format!("Step 1 of {n}")))
        .await;
    let said = wait_until(&root, ".tour-card .tour-stale", |_| true).await.text_content().unwrap_or_default();
    assert!(said.starts_with("You changed this run at 0.00 s"), "{said}");
    unmount();
}

/// An author's own notes were written for the changed run: their tour says nothing of a change,
/// while a note the preset ships, kept in it, still does (review 30 B1).
#[wasm_bindgen_test]
async fn an_authors_own_notes_are_not_marked_as_the_run_as_shipped() {
    use dsplay_core::scenario::{ScenarioEvent, Timed};
    let mut sc = presets::get("d4-raft-election").expect("d4");
    sc.seed += 1;
    let shipped =
        sc.events.iter().position(|e| matches!(e.event, ScenarioEvent::Note { .. })).expect("a note");
    let kept = sc.events[shipped].clone();
    sc.events.retain(|e| !matches!(e.event, ScenarioEvent::Note { .. }));
    let own = |at_ms: u64, text: &str| Timed {
        at_ms,
        event: ScenarioEvent::Note { text: text.into() },
        ..kept.clone()
    };
    sc.events.push(kept.clone());
    sc.events.push(own(kept.at_ms + 40, "My own words for my own run."));
    sc.events.sort_by_key(|e| e.at_ms);
    let root = mount(&dsplay_core::scenario::encode_fragment(&sc));
    wait_until(&root, ".lesson .take-tour", |_| true).await;
    press(&root, ".lesson .take-tour");
    wait_until(&root, ".tour-card .tour-step", |el| el.text_content().as_deref() == Some("Step 1 of 2"))
        .await;
    let said = wait_until(&root, ".tour-card .tour-stale", |_| true).await.text_content().unwrap_or_default();
    assert!(said.starts_with("You changed this run at 0.00 s"), "the preset's own note: {said}");
    press(&root, ".tour-card .tour-next");
    let said = wait_until(&root, ".tour-card .md", |el| {
        el.text_content().is_some_and(|t| t.starts_with("My own words"))
    })
    .await;
    assert!(said.text_content().is_some());
    assert!(root.query_selector(".tour-stale").ok().flatten().is_none(), "the author's own note");
    unmount();
}

/// Finish takes the card away: the key goes on from Play, as after the × (review 41 B2: it fell
/// to the page's body, and a screen reader lost its place).
#[wasm_bindgen_test]
async fn finishing_the_tour_leaves_the_key_on_play() {
    let tour = Tour::of(&presets::get("d6-textbook-figure").expect("d6"));
    let n = tour.len();
    let root = mount("#preset=d6-textbook-figure");
    wait_until(&root, ".lesson .take-tour", |_| true).await;
    press(&root, ".lesson .take-tour");
    stopped_at(&root, &format!("Step 1 of {n}"), tour.stops[0].at.as_us() / 1000).await;
    for k in 2..=n {
        press(&root, ".tour-card .tour-next");
        stopped_at(&root, &format!("Step {k} of {n}"), tour.stops[k - 1].at.as_us() / 1000).await;
    }
    let finish: HtmlElement =
        wait_until(&root, ".tour-card .tour-next", |el| el.text_content().as_deref() == Some("Finish"))
            .await
            .unchecked_into();
    finish.focus().expect("focus");
    finish.click();
    wait_until(&root, "#run-result", |_| root.query_selector(".tour-card").ok().flatten().is_none()).await;
    wait_until(&root, "#play", |el| document().active_element().as_ref() == Some(el)).await;
    unmount();
}
