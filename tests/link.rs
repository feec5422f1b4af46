//! The link codec as the page uses it: a scenario survives the URL round trip, and a bad link is
//! refused with a reason (the page shows it in the banner and keeps the default scenario).

use dsplay_core::presets;
use dsplay_core::scenario::{decode_fragment, encode_fragment};
use dsplay_web::link::{default_preset, percent_decoded, scenario_from_hash};
use dsplay_web::run::run_to_stop;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn every_preset_round_trips_through_the_url() {
    for id in presets::ids() {
        let sc = presets::get(id).expect("preset loads");
        let frag = encode_fragment(&sc);
        assert!(frag.starts_with("#s="), "{id}: fragment {frag:?}");
        assert_eq!(decode_fragment(&frag).as_ref(), Ok(&sc), "{id}: decode(encode(s)) != s");
        let full = format!("http://127.0.0.1:8080/{frag}&t=1200");
        assert_eq!(scenario_from_hash(&full), Ok(Some(sc)), "{id}: full URL with playhead");
    }
}

#[wasm_bindgen_test]
fn an_empty_hash_means_the_default_preset() {
    assert_eq!(scenario_from_hash(""), Ok(None));
    assert_eq!(scenario_from_hash("#"), Ok(None));
    assert!(presets::get(default_preset()).is_ok());
}

#[wasm_bindgen_test]
fn a_bad_link_is_refused_with_a_reason() {
    for bad in ["#s=!!!not-base64", "#s=", "#s=AAAA", "#t=300"] {
        let err = scenario_from_hash(bad).expect_err(bad);
        assert!(err.contains("could not be opened"), "{bad}: {err}");
        assert!(err.len() > "could not be opened".len() + 20, "{bad}: reason too terse: {err}");
        assert!(!err.contains("bad link"), "{bad}: the sentence says it once: {err}");
    }
    // A short link a teacher typed: a preset by name, or a near miss with what was meant.
    let d4 = presets::get("d4-raft-election").expect("preset loads");
    assert_eq!(scenario_from_hash("#preset=d4-raft-election&t=5000"), Ok(Some(d4)));
    let err = scenario_from_hash("#preset=d4-raft-elektion").expect_err("a typo");
    assert!(
        err.contains("could not be opened") && err.contains("did you mean \"d4-raft-election\""),
        "{err}"
    );
    // A link that arrived percent-encoded reads as typed: its stray space ignored, its error
    // quoting what the link says, not its escapes.
    let d4 = presets::get("d4-raft-election").expect("preset loads");
    assert_eq!(scenario_from_hash("#preset=d4-raft-election%20"), Ok(Some(d4)));
    let err = scenario_from_hash("#preset=d4%20raft").expect_err("no such preset");
    assert!(err.contains("\"d4 raft\"") && !err.contains("%20"), "{err}");
    assert_eq!(percent_decoded("a%2Fb%20c"), "a/b c");
    assert_eq!(percent_decoded("a%2Fb%zz%"), "a%2Fb%zz%", "text that does not decode is read as it is");
    // A link that parses but names a node the scenario does not have: refused, not swapped for
    // another scenario when the simulation fails to build.
    let mut sc = presets::get("d4-raft-election").expect("preset loads");
    let crash = dsplay_core::ScenarioEvent::Crash { node: "n99".into() };
    sc.events.push(dsplay_core::scenario::Timed::at(1_000, crash));
    let err = scenario_from_hash(&encode_fragment(&sc)).expect_err("n99 does not exist");
    assert!(err.contains("could not be opened") && err.contains("n99"), "{err}");
    // A cut-off link: a valid fragment with its tail missing.
    let frag = encode_fragment(&presets::get(default_preset()).expect("preset loads"));
    assert!(scenario_from_hash(&frag[..frag.len() / 2]).is_err());
}

#[wasm_bindgen_test]
fn the_run_button_path_reports_hash_events_and_metrics() {
    let sc = presets::get(default_preset()).expect("preset loads");
    let out = run_to_stop(&sc).expect("default preset runs");
    assert_eq!(out.trace_hash.len(), 16);
    assert!(out.events > 0);
    let report: serde_json::Value = serde_json::from_str(&out.report).expect("report is JSON");
    assert_eq!(report["trace_hash"].as_str(), Some(out.trace_hash.as_str()));
    assert!(report["metrics"].is_object() || report["metrics"].is_array());
}
