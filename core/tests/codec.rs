//! Scenario parsing, validation and the URL codec: round trips, and garbage never panics.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use dsplay_core::scenario::{
    decode_fragment, encode_fragment, link_problems, LinkProblem, Playhead, Scenario, ScenarioEvent, Timed,
};
use dsplay_core::{presets, registry, ScenarioError, SimTime};
use proptest::prelude::*;

fn base() -> Scenario {
    presets::get("t1-round-robin").expect("preset")
}

#[test]
fn every_preset_round_trips_through_a_link() {
    for sc in presets::all() {
        let frag = encode_fragment(&sc);
        assert!(
            frag.starts_with("#s=") && frag.len() < 4000,
            "{} gives a {}-char link",
            sc.meta.id,
            frag.len()
        );
        assert_eq!(decode_fragment(&frag).expect("decode"), sc);
        let url = format!("https://example.org/play/?embed=1{frag}&t=3200");
        assert_eq!(decode_fragment(&url).expect("decode url"), sc);
        assert_eq!(Playhead::parse(&url), Some(Playhead::at(SimTime::from_ms(3200))));
    }
}

#[test]
fn errors_name_the_field() {
    let mut v: serde_json::Value = serde_json::to_value(base()).expect("json");
    v["workload"]["arrival"]["rate_pr_s"] = 5.into();
    let e = Scenario::from_json(&v.to_string()).expect_err("unknown field");
    assert!(e.to_string().contains("workload.arrival") && e.to_string().contains("rate_pr_s"), "{e}");

    let mut v: serde_json::Value = serde_json::to_value(base()).expect("json");
    v["workload"]["timeout_ms"] = (-5).into();
    let e = Scenario::from_json(&v.to_string()).expect_err("negative");
    assert!(e.to_string().contains("workload.timeout_ms"), "{e}");
    // In words a student reads: no Rust type names, no column of a one-line link.
    let said = e.to_string();
    assert!(said.contains("-5") && said.contains("whole number, 0 or more"), "{said}");
    assert!(!said.contains("u64") && !said.contains("column"), "{said}");
    v["workload"]["timeout_ms"] = "".into();
    let said = Scenario::from_json(&v.to_string()).expect_err("empty").to_string();
    assert!(said.contains("string \"\"") && said.contains("whole number") && !said.contains("u64"), "{said}");
    // A file of several lines keeps the position, which points into it.
    let pretty = serde_json::to_string_pretty(&v).expect("json");
    let said = Scenario::from_json(&pretty).expect_err("empty").to_string();
    assert!(said.contains(" at line "), "{said}");

    let mut sc = base();
    sc.workload.clients = 1_000_000;
    let e = sc.validate().expect_err("a million clients");
    assert!(matches!(&e, ScenarioError::Invalid { field, .. } if field == "workload.clients"), "{e}");

    let mut v: serde_json::Value = serde_json::to_value(base()).expect("json");
    v["protocol"]["backends"][0]["count"] = 1_000_000.into();
    let e = Scenario::from_json(&v.to_string()).expect_err("a million backends");
    assert!(e.to_string().contains("protocol.backends"), "{e}");

    let mut sc = base();
    sc.events.push(Timed::at(10, ScenarioEvent::Crash { node: "b99".into() }));
    let e = registry::build(&sc).map(|_| ()).expect_err("unknown node");
    assert!(e.to_string().contains("b99") && e.to_string().contains("events["), "{e}");

    let mut sc = base();
    sc.stop_at_ms = 0;
    assert!(sc.validate().expect_err("zero").to_string().contains("stop_at_ms"));
    let mut sc = base();
    sc.v = 9;
    assert_eq!(sc.validate(), Err(ScenarioError::Version(9)));
}

#[test]
fn a_short_link_names_a_preset_and_a_mistyped_one_gets_a_suggestion() {
    let d4 = presets::get("d4-raft-election").expect("preset");
    assert_eq!(decode_fragment("#preset=d4-raft-election&t=5000").expect("short link"), d4);
    assert_eq!(decode_fragment("https://x.org/play/#t=5000&preset=d4-raft-election").expect("url"), d4);
    // A link pasted after another (review 11: "the link has neither an s= nor a preset= part").
    let twice = "#https://x.org/play/#preset=d4-raft-election&t=5000";
    assert_eq!(decode_fragment(twice).expect("the last link"), d4);
    assert_eq!(Playhead::parse(twice).map(|p| p.at.as_us()), Some(5_000_000));
    assert_eq!(
        Playhead::parse("#preset=d4-raft-election&t=5000").map(|p| p.at),
        Some(SimTime::from_ms(5000))
    );
    let e = decode_fragment("#preset=d4-raft-elektion").expect_err("typo").to_string();
    assert!(e.contains("did you mean \"d4-raft-election\""), "{e}");
    // A full scenario wins over a preset name beside it.
    let t1 = encode_fragment(&base());
    assert_eq!(decode_fragment(&format!("{t1}&preset=d4-raft-election")).expect("s="), base());
    // ... and the page says so rather than leave the preset's name unexplained (review 43 C2).
    assert_eq!(
        said_of(&format!("#preset=d4-raft-election&{}", &t1[1..]), SimTime(u64::MAX)),
        ["`preset=d4-raft-election` was ignored: the link's s= part is the scenario it opens; a link \
          has s= or preset=, not both."]
    );
}

/// The page's sentences for what `input` says that cannot be followed.
fn said_of(input: &str, stop_at: SimTime) -> Vec<String> {
    link_problems(input, stop_at).iter().map(LinkProblem::said).collect()
}

/// A long part (a link pasted twice, a tracker's thousands of characters) is quoted by its start
/// and its length, so the banner stays short; a NUL is shown, not left invisible (review 43).
#[test]
fn a_long_or_unprintable_part_is_quoted_short_and_visibly() {
    let junk = format!("utm={}", "x".repeat(5_000));
    let said = said_of(&format!("#preset=d4-raft-election&{junk}"), SimTime::from_ms(15_000));
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].len() < 160 && said[0].contains("… (5004 characters)"), "{}", said[0]);
    let said = said_of("#preset=d4-raft-election&t=\u{0}1", SimTime::from_ms(15_000));
    assert!(said[0].starts_with("`t=\u{fffd}1` is not a time"), "{said:?}");
}

/// Each problem in the page's words and as a bare fact (the CLI's), word for word.
#[test]
fn a_link_problem_is_said_by_the_page_and_stated_as_a_fact() {
    let part = || "seed=3".to_string();
    let cases = [
        (
            LinkProblem::Seed { part: part() },
            "`seed=3` was ignored: a link's seed is inside its scenario. Change it in the editor's Seed field.",
            "`seed=3`: a link's seed is inside its scenario.",
        ),
        (
            LinkProblem::Twice { part: "t=2".into(), key: "t".into(), whole: "query" },
            "`t=2` was ignored: the query has t= twice, and the first counts.",
            "`t=2`: the query has t= twice, and the first counts.",
        ),
        (
            LinkProblem::NotACount { value: "x".into() },
            "`e=x` is not a count of events; it was ignored.",
            "`e=x` is not a count of events.",
        ),
        (
            LinkProblem::NotATime { value: "abc".into() },
            "`t=abc` is not a time: t= takes milliseconds, like t=2500 or t=2500.125. Opened at 0 s.",
            "`t=abc` is not a time: t= takes milliseconds, like t=2500 or t=2500.125.",
        ),
        (
            LinkProblem::PastInstant { asked: 9, at: SimTime(133_010), had: 7 },
            "`e=9` is past the last event at t=133.010 (7 events by then): opened after it.",
            "`e=9` is past the last event at t=133.010 (7 events by then).",
        ),
        (
            LinkProblem::PastEnd { part: "t=9".into(), stop_at: SimTime::from_ms(1_500) },
            "`t=9` is past the end of the run (1.5 s): opened at the end.",
            "`t=9` is past the end of the run (1.5 s).",
        ),
        // A 1 ms run's end is not "0.0 s" (review 50 C11).
        (
            LinkProblem::PastEnd { part: "t=9".into(), stop_at: SimTime::from_ms(1) },
            "`t=9` is past the end of the run (0.001 s): opened at the end.",
            "`t=9` is past the end of the run (0.001 s).",
        ),
    ];
    for (problem, said, fact) in cases {
        assert_eq!((problem.said(), problem.fact()), (said.to_string(), fact.to_string()));
    }
}

#[test]
fn what_a_link_says_that_cannot_be_followed_is_said_and_the_rest_is_quiet() {
    let t1 = encode_fragment(&base());
    for fine in [format!("{t1}&t=2500.125&e=9"), "#preset=d4-raft-election&t=0".into(), "#".into(), t1] {
        assert_eq!(said_of(&fine, SimTime::from_ms(2_501)), Vec::<String>::new(), "{fine}");
    }
    let said = said_of("https://x/#preset=d4-raft-election&t=abc&seed=-3&e=x&zoom=2", SimTime(u64::MAX));
    assert_eq!(said.len(), 4, "{said:?}");
    assert!(said[0].starts_with("`t=abc` is not a time") && said[0].ends_with("Opened at 0 s."), "{said:?}");
    assert!(said[1].contains("`seed=-3` was ignored") && said[1].contains("Seed field"), "{said:?}");
    assert!(said[2].starts_with("`e=x` is not a count"), "{said:?}");
    assert!(said[3].contains("`zoom=2` was ignored"), "{said:?}");
    // A speed in a page link says where the speed is set (review 11).
    let said = said_of("#preset=d4-raft-election&speed=10", SimTime(u64::MAX));
    assert!(said[0].starts_with("`speed=10` was ignored") && said[0].contains("Speed slider"), "{said:?}");
    // A playhead too large for a number is past the end, not "not a time" (review 18).
    let said = said_of("#preset=t1-round-robin&t=99999999999999999999999", SimTime::from_ms(30_000));
    assert_eq!(said, ["`t=99999999999999999999999` is past the end of the run (30.0 s): opened at the end."]);
    assert_eq!(Playhead::parse("t=99999999999999999999999").map(|p| p.at), Some(SimTime(u64::MAX)));
    // A part without `=` was dropped without a word, while `foo=bar` was said (review 18).
    let said = said_of("#preset=d4-raft-election&foo", SimTime(u64::MAX));
    assert_eq!(said, ["`foo` was ignored: each part of a link is a key=value, like t=2500."]);
    // A playhead past the end opens at the end; a second t= does not silently lose to the first.
    let said = said_of("#preset=t1-round-robin&t=90000&t=2000", SimTime::from_ms(30_000));
    assert_eq!(
        said,
        [
            "`t=90000` is past the end of the run (30.0 s): opened at the end.",
            "`t=2000` was ignored: the link has t= twice, and the first counts."
        ]
    );
}

#[test]
fn a_playhead_names_microseconds_and_events_within_an_instant() {
    let p = |s: &str| Playhead::parse(s);
    assert_eq!(p("#s=x&t=129.457"), Some(Playhead::at(SimTime(129_457))));
    assert_eq!(p("t=129.5&e=12").map(|p| (p.at, p.events)), Some((SimTime(129_500), Some(12))));
    // Past the µs, decimals are dropped rather than the playhead refused.
    assert_eq!(p("t=5000.123456"), Some(Playhead::at(SimTime(5_000_123))));
    for bad in ["t=", "t=.5", "t=1.2.3", "t=-3", "t=1e3", "t=12a"] {
        assert_eq!(p(bad), None, "{bad}");
    }
    // Too large for the µs clock: the end of time, which every run stops before.
    assert_eq!(p("t=18446744073709551615"), Some(Playhead::at(SimTime(u64::MAX))));
}

proptest! {
    #[test]
    fn a_playhead_round_trips_through_its_query(us in 0u64..1u64 << 50, e in proptest::option::of(0u64..1 << 40)) {
        let ph = Playhead { at: SimTime(us), events: e };
        prop_assert_eq!(Playhead::parse(&format!("#s=abc&{}", ph.to_query())), Some(ph));
    }
}

#[test]
fn broken_links_say_why() {
    let frag = encode_fragment(&base());
    let cut = &frag[..frag.len() / 2];
    let e = decode_fragment(cut).expect_err("truncated");
    assert!(e.to_string().contains("cut short") || e.to_string().contains("invalid"), "{e}");
    assert!(decode_fragment("#s=").is_err());
    assert!(decode_fragment("https://x.org/page").is_err());
    let e = decode_fragment("#s=ab!!").expect_err("bad b64").to_string();
    assert!(e.contains("character 3") && e.contains("`!`") && !e.contains("  "), "{e}");
    // An unprintable character is named by its code point, not shown as an empty pair of quotes
    // (`#s=%00`, decoded by the page, said "is ` `"; review 43 C3).
    let e = decode_fragment("#s=a\u{0}b").expect_err("a NUL").to_string();
    assert!(e.contains("character 2 of the scenario part is the unprintable character U+0000,"), "{e}");
    let e = decode_fragment("#s=a b").expect_err("a space").to_string();
    assert!(e.contains("is a space,"), "{e}");
    let e = decode_fragment("#s=abcde").expect_err("a length no link has").to_string();
    assert!(e.contains("cut short"), "{e}");
    // A fragment that is neither form says what the forms are (it was read as a payload).
    let e = decode_fragment("#%%%").expect_err("not a link").to_string();
    assert!(e.contains("`#%%%` is not a dsplay link") && e.contains("#preset="), "{e}");
    let e = decode_fragment("#foo").expect_err("not a link").to_string();
    assert!(e.contains("`#foo` is not a dsplay link"), "{e}");
    // The payload pasted alone, without its `s=`, still opens.
    let payload = frag.trim_start_matches("#s=");
    assert_eq!(decode_fragment(payload).expect("a bare payload"), base());
    // A compression bomb: 2 MB of spaces packs into a short link. The reason names the limit, not
    // a decoder's internal status.
    let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 2 << 20], 9);
    let e =
        decode_fragment(&format!("#s={}", URL_SAFE_NO_PAD.encode(bomb))).expect_err("too big").to_string();
    assert!(e.contains("more than 1024 KB") && !e.contains("Output"), "{e}");
    let e =
        decode_fragment(&format!("#s={}", URL_SAFE_NO_PAD.encode(b"not deflate at all"))).expect_err("junk");
    assert!(e.to_string().contains("damaged") && !e.to_string().contains("Failed"), "{e}");
}

fn arb_event() -> impl Strategy<Value = Timed> {
    let node = prop::sample::select(vec!["c1", "lb", "b1", "b2", "b3", "b4"]).prop_map(String::from);
    let ev = prop_oneof![
        node.clone().prop_map(|node| ScenarioEvent::Crash { node }),
        node.clone().prop_map(|node| ScenarioEvent::CrashRefusing { node }),
        node.clone().prop_map(|node| ScenarioEvent::Restart { node }),
        node.clone().prop_map(|node| ScenarioEvent::Pause { node }),
        node.clone().prop_map(|node| ScenarioEvent::Resume { node }),
        node.clone().prop_map(|node| ScenarioEvent::Timeout { node }),
        Just(ScenarioEvent::Heal),
        // Two sides, a node on one only: one on both is refused (review 50 A1).
        (node.clone(), node)
            .prop_filter("a node on one side", |(a, b)| a != b)
            .prop_map(|(a, b)| ScenarioEvent::Partition { groups: vec![vec![a], vec![b]] }),
    ];
    (0u64..30_000, ev).prop_map(|(at_ms, event)| Timed::at(at_ms, event))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn scenarios_round_trip(seed in any::<u64>(), stop in 1u64..30_000, mut events in prop::collection::vec(arb_event(), 0..8)) {
        events.sort_by_key(|e| e.at_ms);
        let mut sc = base();
        sc.seed = seed;
        sc.stop_at_ms = 30_000.max(stop);
        sc.events = events;
        let back = decode_fragment(&encode_fragment(&sc)).expect("decode");
        prop_assert_eq!(&back, &sc);
        let json = serde_json::to_string(&sc).expect("json");
        prop_assert_eq!(Scenario::from_json(&json).expect("parse"), sc);
    }

    #[test]
    fn garbage_text_never_panics(s in ".{0,400}") {
        let _ = decode_fragment(&s);
        let _ = Scenario::from_json(&s);
        let _ = decode_fragment(&format!("#s={s}"));
    }

    #[test]
    fn garbage_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        let _ = decode_fragment(&format!("#s={b64}"));
        let packed = miniz_oxide::deflate::compress_to_vec(&bytes, 6);
        let _ = decode_fragment(&format!("#s={}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)));
    }

    #[test]
    fn mutated_valid_json_never_panics(pos in 0usize..2000, byte in any::<u8>(), events in prop::collection::vec(arb_event(), 0..4)) {
        let mut sc = base();
        sc.events = events;
        sc.events.sort_by_key(|e| e.at_ms);
        let mut json = serde_json::to_vec(&sc).expect("json");
        let i = pos % json.len();
        json[i] = byte;
        if let Ok(text) = std::str::from_utf8(&json) {
            if let Ok(sc) = Scenario::from_json(text) {
                if let Ok(mut sim) = registry::build(&sc) {
                    sim.run_bounded(dsplay_core::SimTime::from_ms(1000), 5_000);
                }
            }
        }
    }
}

/// A scenario written by hand may leave `meta` out: it is still called something on screen and
/// in file names ("" made an empty heading and files named "-trace-0ms.json").
#[test]
fn a_scenario_without_a_title_or_id_is_still_named() {
    let mut sc = presets::get("d4-raft-election").expect("preset");
    assert_eq!(sc.meta.shown_title(&sc.protocol), sc.meta.title);
    sc.meta.title = "  ".into();
    assert_eq!(sc.meta.shown_title(&sc.protocol), "d4-raft-election");
    assert_eq!(sc.meta.file_id(), "d4-raft-election");
    sc.meta.id.clear();
    assert_eq!(sc.meta.shown_title(&sc.protocol), "Untitled raft scenario");
    assert_eq!(sc.meta.file_id(), "scenario");
}

#[test]
fn a_scenario_may_script_a_thousand_events_and_no_more() {
    let note =
        |i: u64| Timed { at_ms: 1 + i, event: ScenarioEvent::Note { text: format!("n{i}") }, by_hand: false };
    let mut sc = base();
    sc.events = (0..1_000).map(note).collect();
    sc.validate().expect("a thousand events");
    sc.events.push(note(1_000));
    let said = sc.validate().expect_err("one too many").to_string();
    assert!(said.contains("1001 events; the limit is 1000: remove 1 of them"), "{said}");
}

#[test]
fn a_whole_number_written_as_a_decimal_is_not_called_out_of_range() {
    let mut v: serde_json::Value = serde_json::to_value(base()).expect("json");
    v["stop_at_ms"] = serde_json::json!(1000.0);
    let said = Scenario::from_json(&v.to_string()).expect_err("a decimal").to_string();
    assert!(said.contains("written as a decimal") && said.contains("whole number 1000"), "{said}");
    assert!(!said.contains("out of range"), "{said}");
    v["stop_at_ms"] = serde_json::json!(1e30);
    let said = Scenario::from_json(&v.to_string()).expect_err("too big").to_string();
    assert!(said.contains("out of range"), "{said}");
    // JSON's -0 is a decimal to serde; its whole number is 0, not "-0" (review 45 F10).
    v["stop_at_ms"] = serde_json::json!(1000);
    v["workload"]["timeout_ms"] = serde_json::json!(0);
    let json = v.to_string().replace("\"timeout_ms\":0", "\"timeout_ms\":-0");
    let said = Scenario::from_json(&json).expect_err("-0").to_string();
    assert!(said.ends_with("is written as a decimal: write it as the whole number 0"), "{said}");
    // 2^64 is a float equal to u64::MAX as a float: it is too big, not to be written as itself;
    // and past a field's top the top is said (review 50 B4).
    let json = v.to_string().replace("\"seed\":1,", "\"seed\":18446744073709551616,");
    assert!(json.contains("18446744073709551616"), "the seed was replaced");
    let said = Scenario::from_json(&json).expect_err("2^64").to_string();
    assert!(said.ends_with("is out of range: use a whole number from 0 to 18446744073709551615"), "{said}");
    // A whole number with a point is told to drop it, not the field's limits.
    let mut sc = presets::get("d4-raft-election").expect("preset");
    sc.seed = 1;
    let mut v = serde_json::to_value(&sc).expect("json");
    v["protocol"]["servers"] = serde_json::json!(5.0);
    let said = Scenario::from_json(&v.to_string()).expect_err("5.0").to_string();
    assert!(said.ends_with("5.0 is written as a decimal: write it as the whole number 5"), "{said}");
}

/// A protocol's own check names the field that is wrong, in words (review 18).
#[test]
fn protocol_checks_name_the_field_at_fault_in_words() {
    let refused = |id: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value = serde_json::to_value(presets::get(id).expect("preset")).expect("json");
        edit(&mut v);
        let sc = Scenario::from_json(&v.to_string());
        let e = sc.and_then(|sc| registry::build(&sc).map(drop)).expect_err("refused");
        (e.field().unwrap_or_default().to_string(), e.to_string())
    };
    let (field, said) =
        refused("d4-raft-election", &|v| v["protocol"]["election_timeout_ms_max"] = 99_999_999.into());
    assert_eq!(field, "protocol.election_timeout_ms_max", "{said}");
    let (field, said) = refused("r4-retry-storm", &|v| {
        let call = &mut v["protocol"]["services"][0]["endpoints"][0]["calls"][0];
        call["service"] = "db".into();
        call["endpoint"] = "zz".into();
    });
    assert!(field.ends_with("calls[0].endpoint"), "{field}: {said}");
    assert!(said.contains("service \"db\" has no endpoint \"zz\"; its endpoints are \"query\""), "{said}");
    assert!(!said.contains("Some("), "{said}");
}

#[test]
fn json_cut_short_names_the_field_it_was_in_or_none() {
    let said = |text: &str| Scenario::from_json(text).expect_err("cut short").to_string();
    let whole = said("{\"v\":1");
    assert!(whole.starts_with("scenario JSON is invalid: the JSON ends too early"), "{whole}");
    let inside = said("{\"v\":1,\"meta\":{");
    assert!(inside.starts_with("scenario JSON is invalid at `meta`: the JSON ends"), "{inside}");
}

#[test]
fn shortening_a_run_says_at_stop_at_ms_what_lies_after_it() {
    let mut sc = presets::get("d4-raft-election").expect("preset");
    sc.stop_at_ms = 1_000;
    let said = sc.validate().expect_err("events after the stop").to_string();
    let want = "`stop_at_ms`: 1000 ends the run before 6 scripted events and 2 slow-motion stretches \
                start: make it at least 10000, or remove them";
    assert!(said.contains(want), "{said}");
    sc.stop_at_ms = 10_000;
    sc.validate().expect("everything starts by the stop");
    // One thing after the stop is reported where it is: it was likely the one moved. (The tour's
    // last note is at the restart's time: without it, the restart is the one.)
    sc.events.pop();
    sc.stop_at_ms = 9_999;
    let said = sc.validate().expect_err("one event after the stop").to_string();
    assert!(said.contains("`events[8].at_ms`: 10000 is after stop_at_ms (9999)"), "{said}");
    let mut sc = base();
    sc.workload.bursts.push(dsplay_core::scenario::Burst {
        at_ms: sc.stop_at_ms + 1,
        duration_ms: 10,
        rate_pct: 200,
    });
    let said = sc.validate().expect_err("a burst after the stop").to_string();
    assert!(said.contains("workload.bursts[0].at_ms") && said.contains("after stop_at_ms"), "{said}");
}

/// `meta.opens_on` names the view a run opens on: written only when it is not the charts (the
/// links of every other scenario stay as they were), and a view there is none of is an error
/// that says which there are.
#[test]
fn the_view_a_scenario_opens_on_is_in_its_link_and_a_wrong_one_is_named() {
    use dsplay_core::scenario::RunView;
    let clocks = presets::get("d6-textbook-figure").expect("preset");
    assert_eq!(clocks.meta.opens_on, RunView::SpaceTime);
    assert!(clocks.to_json().contains(r#""opens_on":"space-time""#), "{}", clocks.to_json());
    assert_eq!(decode_fragment(&encode_fragment(&clocks)).expect("decode").meta.opens_on, RunView::SpaceTime);
    assert_eq!(base().meta.opens_on, RunView::Charts);
    assert!(!base().to_json().contains("opens_on"));
    let mut v: serde_json::Value = serde_json::to_value(base()).expect("json");
    v["meta"]["opens_on"] = "diagram".into();
    let said = Scenario::from_json(&v.to_string()).expect_err("no such view").to_string();
    assert!(
        said.contains("meta.opens_on") && said.contains("space-time") && said.contains("charts"),
        "{said}"
    );
}

/// A node in two groups of a partition is refused, naming it and both groups; the network would
/// have put it with the last group while the list showed it in both (review 50 A1).
#[test]
fn a_node_on_both_sides_of_a_partition_is_refused() {
    use dsplay_core::scenario::ScenarioEvent;
    let mut sc = presets::get("d4-raft-election").expect("preset");
    let i = sc.events.iter().position(|e| matches!(e.event, ScenarioEvent::Partition { .. }));
    let i = i.unwrap_or_else(|| {
        sc.events.push(dsplay_core::scenario::Timed::at(5_000, ScenarioEvent::Heal));
        sc.events.len() - 1
    });
    let side = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    sc.events[i].event = ScenarioEvent::Partition { groups: vec![side(&["n1", "n2"]), side(&["n2", "n3"])] };
    let said = sc.validate().expect_err("n2 on both sides").to_string();
    let want = format!(
        "`events[{i}].event.groups`: n2 is in group 1 and group 2: a node is on one side of a partition \
         only; take it out of one of them"
    );
    assert!(said.contains(&want), "{said}");
    sc.events[i].event = ScenarioEvent::Partition { groups: vec![side(&["n1", "n1"]), side(&["n3"])] };
    let said = sc.validate().expect_err("n1 twice").to_string();
    assert!(said.contains("n1 is named twice in group 1"), "{said}");
    sc.events[i].event = ScenarioEvent::Partition { groups: vec![side(&["n1", "n2"]), side(&["n3"])] };
    sc.validate().expect("each node once");
}

/// A file saved by an editor that writes a UTF-8 byte order mark reads as the same scenario.
#[test]
fn a_byte_order_mark_before_the_json_is_no_part_of_it() {
    let json = base().to_json();
    let with_bom = format!("\u{feff}{json}");
    assert_eq!(Scenario::from_json(&with_bom).expect("read past the mark"), base());
}
