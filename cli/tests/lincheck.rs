//! `dsplay lincheck`: verdicts as exit codes, one-line errors for bad input.

use std::path::PathBuf;
use std::process::Command;

fn corpus(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/porcupine").join(file)
}

fn lincheck(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dsplay")).arg("lincheck").args(args).output().expect("runs");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8");
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

#[test]
fn verdicts_are_exit_codes() {
    let ok = corpus("jepsen/etcd_002.log");
    assert_eq!(lincheck(&[ok.to_str().expect("path")]), (0, "linearizable\n".into(), String::new()));
    let bad = corpus("kv/c01-bad.txt");
    let (code, out, _) = lincheck(&[bad.to_str().expect("path"), "--format", "edn", "--model", "kv"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("not linearizable: op "), "{out}");
}

#[test]
fn malformed_input_is_one_line_on_stderr_and_exit_2() {
    let dir = std::env::temp_dir().join(format!("dsplay-lincheck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let file = dir.join("bad.log");
    std::fs::write(&file, "INFO  jepsen.util - 0\t:invoke\t:frobnicate\t3\n").expect("write");
    let (code, out, err) = lincheck(&[file.to_str().expect("path")]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("line 1"), "{err}");
    let (code, _, _) = lincheck(&[dir.join("missing.json").to_str().expect("path")]);
    assert_eq!(code, 2);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_presets_run_is_changed_with_set_and_seed_as_its_lesson_says() {
    // d3-quorum-abd's "break it": Dynamo's mode races where ABD's does not, under the same load.
    let lesson = dsplay_core::presets::get("d3-quorum-abd").expect("preset").meta.lesson;
    let racy = ["--set", "workload.keys.count=1", "--set", "protocol.legs.write.mean_us=30000"];
    let dynamo = [&["d3-quorum-abd", "--set", "protocol.mode=dynamo"][..], &racy].concat();
    let command = format!("dsplay lincheck {}", dynamo.join(" "));
    assert!(lesson.replace('\n', " ").contains(&command), "the lesson gives the command: {command}");
    let (code, out, _) = lincheck(&dynamo);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("called at 19"), "at 0.19 s, as the lesson says: {out}");
    assert_eq!(lincheck(&[&["d3-quorum-abd"][..], &racy].concat()).0, 0, "ABD's mode holds");
    for seed in ["2", "3"] {
        assert_eq!(lincheck(&[&dynamo[..], &["--seed", seed]].concat()).0, 1, "seed {seed}");
    }
    let ok = corpus("jepsen/etcd_002.log");
    let (code, _, err) = lincheck(&[ok.to_str().expect("path"), "--set", "protocol.r=1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("history file is checked as it is"), "{err}");
}

#[test]
fn a_preset_id_is_run_and_its_history_checked() {
    assert_eq!(lincheck(&["d3-quorum-abd"]).0, 0);
    let (code, out, _) = lincheck(&["d3-quorum-stale-read"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("µs"), "simulator histories report call times in µs: {out}");
    assert_eq!(lincheck(&["t1-round-robin"]).0, 2, "no history to check");
}

/// Review 53 C3: `run` said `violations: 0` beside `stale_reads: 89` and nothing of the history.
/// Its report now ends with lincheck's verdict, word for word, on a run whose clients keep one.
#[test]
fn a_runs_report_gives_lincheck_s_verdict_on_its_history() {
    let run = |id: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_dsplay")).args(["run", id]).output().expect("runs");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let report = run("d3-quorum-stale-read");
    let (_, verdict, _) = lincheck(&["d3-quorum-stale-read"]);
    assert!(report.ends_with(&format!("  linearizability: {verdict}")), "{report}");
    assert!(verdict.starts_with("not linearizable: op "), "{verdict}");
    assert!(run("d3-quorum-abd").ends_with("  linearizability: linearizable\n"));
    assert!(!run("t1-round-robin").contains("linearizability"), "no history, no line");
}

#[test]
fn the_bad_operation_is_named_by_its_client() {
    let sc = dsplay_core::presets::get("d3-quorum-stale-read").expect("preset");
    let mut sim = dsplay_core::registry::build(&sc).expect("builds");
    let stop = sim.stop_at();
    sim.run_until(stop);
    let clients: Vec<&str> =
        sim.history().ops.iter().map(|o| sim.node_names()[o.client.index()].as_str()).collect();
    let (code, out, _) = lincheck(&["d3-quorum-stale-read"]);
    assert_eq!(code, 1, "{out}");
    let named = out.split(" by ").nth(1).and_then(|rest| rest.split(' ').next()).expect("a client");
    assert!(named.starts_with('c') && clients.contains(&named), "{named} is not a client of the run: {out}");
    assert!(!out.contains("client "), "no bare node index: {out}");

    // The same history from a file has no names: the number, and what it is.
    let dir = std::env::temp_dir().join(format!("dsplay-lincheck-names-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let file = dir.join("history.json");
    std::fs::write(&file, serde_json::to_string(sim.history()).expect("json")).expect("write");
    let (code, out, _) = lincheck(&[file.to_str().expect("path")]);
    assert_eq!(code, 1, "{out}");
    let index = sim.node_names().iter().position(|n| n == named).expect("a node");
    assert!(out.contains(&format!(" by node #{index} (a node index")), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}
