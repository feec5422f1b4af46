//! Determinism across targets: every preset's trace hash in headless Chromium equals the golden
//! hash computed natively (`core/tests/golden/hashes.txt`, lines `<id> <16 hex digits>`).

mod common;

use common::golden;
use dsplay_core::{presets, registry};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn golden_file_lists_every_preset_once() {
    let golden = golden();
    let listed: Vec<&str> = golden.iter().map(|(id, _)| *id).collect();
    let mut ids: Vec<&str> = presets::ids().collect();
    ids.sort_unstable();
    assert_eq!(listed, ids, "hashes.txt must list every preset exactly once, sorted by id");
    for (id, hash) in golden {
        assert!(
            hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{id}: golden hash {hash:?} is not 16 lowercase hex digits"
        );
    }
}

#[wasm_bindgen_test]
fn every_preset_matches_its_native_trace_hash() {
    let mut mismatches = Vec::new();
    for id in presets::ids() {
        let sc = presets::get(id).unwrap_or_else(|e| panic!("preset {id} does not load: {e}"));
        let mut sim = registry::build(&sc).unwrap_or_else(|e| panic!("preset {id} does not build: {e}"));
        let stop = sim.stop_at();
        sim.run_until(stop);
        let got = format!("{:016x}", sim.trace_hash());
        let want = common::golden_hash(id);
        console_log!("{id}: {} events, trace hash {got}", sim.events());
        if want != Some(got.as_str()) {
            mismatches.push(format!("{id}: browser {got}, native {}", want.unwrap_or("(missing)")));
        }
    }
    assert!(mismatches.is_empty(), "trace hashes differ from native:\n{}", mismatches.join("\n"));
}
