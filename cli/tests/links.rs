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

#[test]
fn a_bad_playhead_or_one_past_the_end_is_one_line_and_status_2() {
    for (args, said) in [
        (&["run", "d4-raft-election", "--at", "soon"][..], "expected a playhead such as t=2500"),
        (
            &["run", "d4-raft-election", "--at", "t=99999"][..],
            "--at t=99999 is after the run's end (15000 ms)",
        ),
        (&["run", "#preset=d4-raft-election&t=99999"][..], "the link's t=99999 is after the run's end"),
        (&["run", "#preset=no-such&t=5"][..], "the link:"),
        (&["run", "d4-raft-election", "--at", "t=1", "--until-ms", "3"][..], "cannot be used with"),
    ] {
        let (code, out, err) = dsplay(args);
        assert!(
            code == 2 && out.is_empty() && err.lines().count() == 1 && err.contains(said),
            "{args:?}: {err}"
        );
    }
}
