//! `dsplay run LINK` and `--at`: a link from the page, stepped to a fraction of a millisecond or
//! partway through an instant, runs to the trace hash the page shows (review 25 B2: only
//! whole-millisecond playheads could be replayed here).

use dsplay_core::session::Session;
use dsplay_core::{presets, SimTime};
use std::process::Command;

fn dsplay(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dsplay")).args(args).output().expect("runs");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8");
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

fn hash_of(report: &str) -> &str {
    report.lines().find_map(|l| l.trim().strip_prefix("trace hash ")).unwrap_or("")
}

#[test]
fn a_stepped_links_playhead_runs_to_the_pages_hash() {
    // The page's session, stepped event by event from 1 s until it stands partway through an
    // instant: its link then carries `e=`.
    let mut s = Session::new(presets::get("t1-round-robin").expect("preset")).expect("session");
    s.seek(SimTime::from_ms(1_000));
    let mut steps = 0;
    while s.playhead().events.is_none() {
        s.step_event();
        steps += 1;
        assert!(steps < 10_000, "no instant with two events after 1 s");
    }
    let link = format!("http://127.0.0.1:8080/{}", s.fragment());
    assert!(link.contains("&e="), "{link}");
    let want = format!("{:016x}", s.sim().trace_hash());
    let tail = link.split_once('&').map(|(_, t)| t).expect("a playhead");
    let runs = [
        dsplay(&["run", &link]),
        dsplay(&["run", "t1-round-robin", "--at", tail]),
        dsplay(&["run", "t1-round-robin", "--at", &link]),
    ];
    for (code, out, err) in &runs {
        assert_eq!((*code, hash_of(out)), (0, want.as_str()), "{link}: {err}");
    }
    // A fraction of a millisecond, without `e=`.
    s.step_event();
    let at = s.playhead();
    let (code, out, err) = dsplay(&["run", "t1-round-robin", "--at", &at.to_query()]);
    assert_eq!((code, hash_of(&out)), (0, format!("{:016x}", s.sim().trace_hash()).as_str()), "{err}");
    // The trace command stops there too.
    let (code, out, _) = dsplay(&["trace", &link]);
    assert!(
        code == 0 && out.trim_end().ends_with(&format!("hash {want}")),
        "{}",
        out.lines().last().unwrap_or("")
    );
}

/// The address a course page embeds runs to its `t=`, as the link it opens does; `url` of a
/// stepped link keeps its playhead, and the fragment it prints runs to the same hash.
#[test]
fn an_embeds_address_and_a_links_playhead_carry_over() {
    let (code, link, err) = dsplay(&["run", "#preset=d4-raft-election&t=3000"]);
    assert_eq!(code, 0, "{err}");
    let embed = "https://course.example/sim/?embed=1&preset=d4-raft-election&autoplay=1&t=3000&controls=min";
    let (code, out, err) = dsplay(&["run", embed]);
    assert_eq!((code, hash_of(&out)), (0, hash_of(&link)), "{err}");
    assert!(hash_of(&link).len() == 16, "{link}");

    let (code, frag, err) = dsplay(&["url", "#preset=t1-round-robin&t=1520.125", "--seed", "9"]);
    assert!(code == 0 && frag.trim_end().ends_with("&t=1520.125"), "{frag}{err}");
    let (_, direct, _) = dsplay(&["run", "t1-round-robin", "--seed", "9", "--at", "t=1520.125"]);
    let (code, out, err) = dsplay(&["run", frag.trim_end()]);
    assert_eq!((code, hash_of(&out)), (0, hash_of(&direct)), "{err}");
    // An `e=` the variant's instant does not have is refused, not printed.
    let (code, out, err) = dsplay(&["url", "#preset=d4-raft-election&t=3000.5&e=7"]);
    assert!(code == 2 && out.is_empty() && err.contains("were handled before that instant"), "{err}");
}

/// `url` does not print a link the app would refuse for its length, and `decode` says that the
/// JSON it prints leaves the link's playhead behind (review 30 C7, C8).
#[test]
fn url_refuses_a_link_too_long_to_open_and_decode_names_the_playhead_it_drops() {
    let mut sc = presets::get("d4-raft-election").expect("preset");
    // Text that does not compress: a 64-bit LCG's letters.
    let mut x: u64 = 1;
    let mut text = |n: usize| {
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                char::from(b'a' + (x >> 59) as u8 % 26)
            })
            .collect::<String>()
    };
    sc.meta.lesson = text(20_000);
    sc.events.retain(|e| !matches!(e.event, dsplay_core::ScenarioEvent::Note { .. }));
    for i in 0..900 {
        let note = dsplay_core::ScenarioEvent::Note { text: text(500) };
        sc.events.push(dsplay_core::scenario::Timed { at_ms: 1 + i * 11, event: note, by_hand: false });
    }
    sc.events.sort_by_key(|e| e.at_ms);
    let file = std::env::temp_dir().join(format!("dsplay-long-link-{}.json", std::process::id()));
    std::fs::write(&file, sc.to_json()).expect("written");
    let (code, out, err) = dsplay(&["url", file.to_str().expect("a path")]);
    let _ = std::fs::remove_file(&file);
    assert!(
        code == 2 && out.is_empty() && err.contains("the app opens links of up to 262144"),
        "{code} {err}"
    );

    let (code, out, err) = dsplay(&["decode", "#preset=d4-raft-election&t=3000.5"]);
    assert!(code == 0 && out.contains("\"d4-raft-election\""), "{err}");
    assert!(err.contains("--at 't=3000.5'"), "{err}");
    // What is not a playhead is not offered to --at, but said (review 50 C10).
    let (code, _, err) = dsplay(&["decode", "#preset=d4-raft-election&seed=7"]);
    assert!(code == 0 && !err.contains("--at") && err.contains("left out of the JSON: seed=7: "), "{err}");
    assert!(!err.contains("--seed"), "decode has no --seed: {err}");
    let (_, _, err) = dsplay(&["decode", "#preset=d4-raft-election&t=abc"]);
    assert!(!err.contains("--at") && err.contains("t=abc is not a time"), "{err}");
}

/// The JSON report says where the run stopped as a link writes it: `sim_time_ms` is whole
/// milliseconds, and a playhead within an instant has its `e=` (review 27 C1).
#[test]
fn the_report_names_its_playhead() {
    for at in ["t=1002.599", "t=133.010&e=2616", "t=2000"] {
        let preset = if at.contains("e=") { "r4-backoff-contention" } else { "t1-round-robin" };
        let (code, out, err) = dsplay(&["run", preset, "--at", at, "--json"]);
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!((code, v["playhead"].as_str()), (0, Some(at)), "{err}");
    }
}

/// A variant made with --set and --seed can be shared: `url` takes them as `run` does, and the
/// link runs to the same hash (review 27 B3).
#[test]
fn a_variant_from_the_command_line_is_a_link_that_runs_the_same() {
    let variant = ["--seed", "2", "--set", "protocol.algorithm=random"];
    let (code, link, err) = dsplay(&[&["url", "t1-round-robin"][..], &variant].concat());
    assert_eq!(code, 0, "{err}");
    let (_, direct, _) = dsplay(&[&["run", "t1-round-robin", "--until-ms", "3000"][..], &variant].concat());
    let (code, linked, err) = dsplay(&["run", link.trim(), "--until-ms", "3000"]);
    assert_eq!((code, hash_of(&linked)), (0, hash_of(&direct)), "{err}");
    let (_, shipped, _) = dsplay(&["run", "t1-round-robin", "--until-ms", "3000"]);
    assert_ne!(hash_of(&shipped), hash_of(&direct), "the variant is another run");
    // bench and trace take them too; bench's advice to add --set is one it can follow.
    let (code, _, err) = dsplay(&[
        "bench",
        "d4-raft-election",
        "--repeat",
        "1",
        "--set",
        "stop_at_ms=20000",
        "--until-ms",
        "18000",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) =
        dsplay(&[&["trace", "t1-round-robin", "--until-ms", "3000"][..], &variant].concat());
    assert!(code == 0 && out.trim_end().ends_with(&format!("hash {}", hash_of(&direct))), "{err}");
}

#[test]
fn a_bad_playhead_or_one_past_the_end_is_one_line_and_status_2() {
    // What the page opens anyway and says something about, a script is told and refused (review
    // 27 B1: `t=abc` ran to the end, where the page opens at 0 s; `seed=3` went unsaid).
    for (args, said) in [
        (&["run", "d4-raft-election", "--at", "soon"][..], "--at: soon: each part of a link is a key=value"),
        (
            &["run", "d4-raft-election", "--at", "t=99999"][..],
            "--at: t=99999 is past the end of the run (15.0 s).",
        ),
        (&["run", "#preset=d4-raft-election&t=99999"][..], "the link: t=99999 is past the end of the run"),
        (&["run", "#preset=t1-round-robin&t=abc"][..], "the link: t=abc is not a time"),
        (&["run", "#preset=t1-round-robin&t=5000&e=abc"][..], "the link: e=abc is not a count of events."),
        (
            &["run", "#preset=t1-round-robin&t=5000&seed=3"][..],
            "the link: seed=3: a link's seed is inside its scenario. Use --seed.",
        ),
        (&["trace", "#preset=t1-round-robin&t=abc"][..], "the link: t=abc is not a time"),
        (
            &["run", "r4-backoff-contention", "--at", "t=133.010&e=5"][..],
            "2615 were handled before that instant",
        ),
        (
            &["run", "r4-backoff-contention", "--at", "t=133.010&e=999999"][..],
            "e=999999 is past the last event at t=133.010 (2617 events by then).",
        ),
        (&["run", "#preset=no-such&t=5"][..], "bad link: no preset"),
        (&["run", "#preset=t1-round-robin&e=5"][..], "the link \"e=5\": expected a playhead such as t=2500"),
        (&["run", "d4-raft-election", "--at", "t=1", "--until-ms", "3"][..], "cannot be used with"),
        // A key twice is refused, the scenario's as the playhead's, and a link whose scenario part
        // is not first is still a link (review 50 C10: two presets ran the first with status 0).
        (
            &["run", "#preset=d4-raft-election&preset=t1-round-robin"][..],
            "the link has preset= twice: keep one",
        ),
        (&["run", "#preset=t1-round-robin&t=1&t=2"][..], "the link has t= twice: keep one"),
        (&["run", "#v=2&preset=t1-round-robin"][..], "v=2: a link has s= or preset="),
        (&["bench", "--repeat", "1000000"][..], "1000000 is not in 1..=1000"),
        // The link's own parts with --until-ms or --at (review 52: its seed= went unsaid).
        (
            &["run", "#preset=d4-raft-election&seed=7", "--until-ms", "1000"][..],
            "the link: seed=7: a link's seed is inside its scenario. Use --seed.",
        ),
        (&["trace", "#preset=d4-raft-election&seed=7", "--at", "t=100"][..], "the link: seed=7"),
        // A negative number is a value told what is wrong with it, not an unknown flag.
        (
            &["run", "d4-raft-election", "--seed", "-1"][..],
            "-1 is negative: a seed is a whole number, 0 or more",
        ),
        (
            &["run", "d4-raft-election", "--until-ms", "-5"][..],
            "-5 is negative: a time in ms is a whole number",
        ),
    ] {
        let (code, out, err) = dsplay(args);
        assert!(
            code == 2 && out.is_empty() && err.lines().count() == 1 && err.contains(said),
            "{args:?}: {err}"
        );
    }
}

/// A run its event budget cut short says so on stderr, and lincheck too (review 27 B4: it said
/// `linearizable` of 47 ms of a 20 s run without a word).
#[test]
fn a_run_cut_short_by_its_event_budget_says_so() {
    let said = "dsplay: note: stopped after 100 events (sim.max_events), at ";
    for args in [&["run", "t1-round-robin"][..], &["lincheck", "d3-quorum-abd"][..]] {
        let (code, out, err) = dsplay(&[args, &["--set", "sim.max_events=100"]].concat());
        assert!(code == 0 && !out.is_empty() && err.starts_with(said), "{args:?}: {err}");
    }
    let (_, _, err) = dsplay(&["run", "t1-round-robin", "--until-ms", "100"]);
    assert!(err.is_empty(), "a whole run says nothing: {err}");
}
