//! The Logs tab on d4-raft-partition: before the heal, the old leader n4's uncommitted term-1
//! entries sit where the new leader n2 has term-2 ones, and n2's nextIndex for n4 is still
//! where it was when n2 was elected; after the heal n4's log is repaired to n2's and n2's
//! matchIndex for it catches up.

mod common;

use common::host::{mount, player_of};
use common::{all, find, until};
use dsplay_core::SimTime;
use dsplay_web::components::Logs;
use dsplay_web::player::Action;
use wasm_bindgen_test::*;
use web_sys::Element;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The terms in `node`'s row, index by index (`None` where it holds no entry).
fn terms(root: &Element, node: &str) -> Vec<(u64, Option<u64>)> {
    let heads: Vec<u64> =
        all(root, "thead th:not(.who)").iter().filter_map(|h| h.text_content()?.parse().ok()).collect();
    let row = find(root, &format!("tr.server[data-node=\"{node}\"]")).expect("a row per server");
    let cells = all(&row, "td");
    let term =
        |c: &Element| c.query_selector("b").ok().flatten().and_then(|b| b.text_content()?.parse().ok());
    heads.into_iter().zip(cells.iter().map(term)).collect()
}

fn marks(root: &Element, follower: &str) -> Option<(u64, u64)> {
    let row = find(root, &format!("tr.progress[data-follower=\"{follower}\"]"))?;
    let num = |a: &str| row.get_attribute(a)?.parse().ok();
    Some((num("data-next")?, num("data-match")?))
}

async fn seek(root: &Element, ms: u64) {
    player_of(root).dispatch.emit(Action::Seek(SimTime::from_ms(ms)));
    until("the seek", || player_of(root).view.now >= SimTime::from_ms(ms)).await;
}

#[wasm_bindgen_test]
async fn a_partitioned_leaders_conflicting_entries_are_shown_then_repaired() {
    let root = mount("logs-repair", "d4-raft-partition", html! { <Logs /> });
    until("the tab", || find(&root, ".logs-scroll").is_some()).await;
    seek(&root, 8_990).await;
    until("n2 marks its followers", || marks(&root, "n4").is_some()).await;
    let (n2, n4) = (terms(&root, "n2"), terms(&root, "n4"));
    let conflicts: Vec<u64> = n2
        .iter()
        .zip(&n4)
        .filter(|((_, a), (_, b))| matches!((a, b), (Some(2), Some(1))))
        .map(|((i, _), _)| *i)
        .collect();
    assert!(!conflicts.is_empty(), "n4's term-1 entries where n2 has term 2: {n2:?} {n4:?}");
    assert!(
        all(&root, "tr.server[data-node=\"n4\"] td.entry.term-1:not(.committed)").len() >= conflicts.len(),
        "n4's conflicting entries are hollow: never committed"
    );
    let (next, matched) = marks(&root, "n4").expect("n2's view of n4");
    assert_eq!((next, matched), (93, 0), "n2 never heard from n4: its nextIndex is where n2 began");
    assert!(find(&root, "tr.progress[data-follower=\"n4\"] td.next").is_some(), "a ▸ next mark is drawn");
    assert!(marks(&root, "n2").is_none(), "no marks under the leader itself");

    seek(&root, 9_200).await;
    until("n4 repaired", || terms(&root, "n4").iter().all(|(_, t)| *t != Some(1))).await;
    until("n2's matchIndex for n4 catches up", || marks(&root, "n4").is_some_and(|(_, m)| m > 112)).await;
    until("n4's log is n2's again", || terms(&root, "n4") == terms(&root, "n2")).await;
    let (next, matched) = marks(&root, "n4").expect("marks");
    assert!(next == matched + 1, "next just after match: {next} {matched}");
    let matched_cell = all(&root, "tr.progress[data-follower=\"n4\"] td");
    assert!(matched_cell.iter().any(|c| c.text_content().as_deref() == Some("match")), "a match mark");
}
