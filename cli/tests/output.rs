//! Output to a reader that leaves early, or to a device that refuses it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dsplay"))
        .args(["trace", "d4-raft-election"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("piped")).read_line(&mut first).expect("reads a line");
    assert!(first.contains("timer"), "first trace line: {first:?}");
    // The reader is gone (like `| head -1`): the next write finds a closed pipe.
    let out = child.wait_with_output().expect("exits");
    assert_eq!(out.status.code(), Some(141), "status of a process whose reader left");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "no panic, no message");
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_one_line_and_status_2() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let out = Command::new(env!("CARGO_BIN_EXE_dsplay")).arg("presets").stdout(full).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("dsplay: cannot write the output:"), "{err}");
}

/// Every mistake on the command line is one line on stderr, starting `dsplay:`, and status 2.
#[test]
fn command_line_mistakes_are_one_line_and_status_2() {
    let cases: [&[&str]; 5] = [
        &["trace", "t1-round-robin", "--until-ms", "-5"],
        &["run"],
        &["run", "t1-round-robin", "--seed", "abc"],
        &["frobnicate"],
        &[],
    ];
    for args in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_dsplay")).args(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("dsplay: ") && !err.contains("error:"), "{args:?}: {err}");
    }
    let help = Command::new(env!("CARGO_BIN_EXE_dsplay")).arg("--help").output().expect("runs");
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage:"));
}

/// `url` and `decode` refuse a scenario the app would refuse to open.
#[test]
fn a_link_to_a_scenario_that_does_not_run_is_not_made() {
    let mut sc: serde_json::Value =
        serde_json::from_str(dsplay_core::presets::json("d4-raft-election").expect("preset")).expect("json");
    sc["events"]
        .as_array_mut()
        .expect("events")
        .push(serde_json::json!({"at_ms": 100, "event": {"type": "crash", "node": "n99"}}));
    let file = std::env::temp_dir().join(format!("dsplay-bad-node-{}.json", std::process::id()));
    std::fs::write(&file, sc.to_string()).expect("written");
    let out = Command::new(env!("CARGO_BIN_EXE_dsplay")).arg("url").arg(&file).output().expect("runs");
    let _ = std::fs::remove_file(&file);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no node named \"n99\"") && err.contains("would not open"), "{err}");
    assert!(out.stdout.is_empty(), "no link printed");
}

/// A scenario that parses but does not build names where it came from, as a parse error does;
/// `--until-ms` past the end and `--repeat 0` are refused, not quietly changed.
#[test]
fn build_errors_name_their_source_and_nothing_is_clamped_silently() {
    let dsplay =
        |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_dsplay")).args(args).output().expect("runs");
    let mut sc: serde_json::Value =
        serde_json::from_str(dsplay_core::presets::json("t1-round-robin").expect("preset")).expect("json");
    sc["events"][0]["event"]["node"] = "zz9".into();
    let file = std::env::temp_dir().join(format!("dsplay-build-{}.json", std::process::id()));
    std::fs::write(&file, sc.to_string()).expect("written");
    let name = file.to_string_lossy().to_string();
    let from_file = dsplay(&["run", &name]);
    let _ = std::fs::remove_file(&file);
    let set = dsplay(&["run", "t1-round-robin", "--set", "events[0].event.node=zz9"]);
    let past = dsplay(&["run", "t1-round-robin", "--until-ms", "40000"]);
    let zero = dsplay(&["bench", "--repeat", "0"]);
    let expect = [
        (from_file, format!("dsplay: {name}: `events[0].event`: no node named \"zz9\"")),
        (set, "dsplay: after --set: `events[0].event`: no node named \"zz9\"".to_string()),
        (past, "dsplay: --until-ms 40000 is after the run's end (30000 ms)".to_string()),
        (zero, "dsplay: invalid value '0' for '--repeat".to_string()),
    ];
    for (out, start) in expect {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.starts_with(&start) && err.lines().count() == 1, "{start}\n{err}");
    }
}

/// Only the ring has virtual nodes: other schemes take up to a million shards whatever --vnodes says.
#[test]
fn shard_counts_vnodes_against_the_ring_only() {
    let run = |scheme: &str| {
        Command::new(env!("CARGO_BIN_EXE_dsplay"))
            .args(["shard", "--scheme", scheme, "--shards", "200000", "alice"])
            .output()
            .expect("runs")
    };
    for scheme in ["mod", "jump", "range"] {
        let out = run(scheme);
        assert_eq!(out.status.code(), Some(0), "{scheme}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let ring = run("ring");
    assert_eq!(ring.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&ring.stderr).contains("--vnodes"));
}

/// `--moved` names each key that moves and where, beside the count (review 49 C10): under jump
/// hashing, going from 10 shards to 11, a key moves only to the new shard.
#[test]
fn shard_moved_names_each_key_that_moves() {
    let keys: Vec<String> = (0..40).map(|i| format!("user{i}")).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_dsplay"))
        .args(["shard", "--scheme", "jump", "--shards", "10", "--moved"])
        .args(&keys)
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let shard_of = |k: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{k}\t"))).map(str::to_string);
    let moves: Vec<(&str, &str)> =
        text.lines().filter_map(|l| l.strip_prefix("# ")?.split_once('\t')).collect();
    assert!(!moves.is_empty() && moves.len() < keys.len(), "{text}");
    assert!(text.contains(&format!("# {} of 40 keys move going to 11 shards", moves.len())), "{text}");
    for (key, said) in moves {
        let from = shard_of(key).expect("the key's own line");
        assert_eq!(said, format!("{from} → 10"), "{key} moves from its shard to the new one");
    }
}

/// `--removed S` (review 59 F8: the catalog's "keys that move when a shard is removed" had no
/// tool): on the ring only shard 2's keys move, each to a shard still there; a shard that is not
/// there is refused in one line.
#[test]
fn shard_removed_moves_only_the_removed_shards_keys_on_the_ring() {
    let keys: Vec<String> = (0..60).map(|i| format!("user{i}")).collect();
    let shard = |extra: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_dsplay"));
        c.args(["shard", "--scheme", "ring", "--shards", "5"]).args(extra).args(&keys);
        c.output().expect("runs")
    };
    let out = shard(&["--removed", "2"]);
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let on_2: Vec<&str> = text.lines().filter_map(|l| l.strip_suffix("\t2")).collect();
    let moves: Vec<(&str, &str)> =
        text.lines().filter_map(|l| l.strip_prefix("# ")?.split_once('\t')).collect();
    assert!(!on_2.is_empty(), "{text}");
    assert!(text.contains(&format!("# {} of 60 keys move when shard 2 is removed", on_2.len())), "{text}");
    assert_eq!(moves.iter().map(|m| m.0).collect::<Vec<_>>(), on_2, "exactly shard 2's keys move");
    assert!(moves.iter().all(|(_, to)| to.starts_with("2 → ") && !to.ends_with(" 2")), "{text}");
    let bad = shard(&["--removed", "5"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(err.trim(), "dsplay: --removed: shard 5 is not one of 0, 1, 2, 3, 4", "{err}");
}

/// A script groups violations by `id`, one spelling for rules named in words or as identifiers,
/// and reads `at_us` with its unit in its name (review 27 B7).
#[test]
fn violations_carry_an_id_to_key_on_and_a_time_in_microseconds() {
    let out = Command::new(env!("CARGO_BIN_EXE_dsplay"))
        .args(["run", "d5-split-brain-naive", "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "a broken invariant is a result, not an error");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let first = &report["violations"][0];
    assert_eq!(first["id"], "at_most_one_primary_accepting_writes", "{first}");
    assert_eq!(first["rule"], "at most one primary accepting writes");
    let at = first["at_us"].as_u64().expect("at_us in µs");
    assert!(at > 0 && at <= report["sim_time_ms"].as_u64().expect("ms") * 1000, "{first}");
    assert!(first.get("node").is_none(), "a check across the nodes has no one reporter: {first}");
}

/// A violation one node reported names it, so a script can group a run's losses by replica.
#[test]
fn a_violation_a_node_reported_names_the_node() {
    let out = Command::new(env!("CARGO_BIN_EXE_dsplay"))
        .args(["run", "d7-lww-clock-skew", "--json"])
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let names: Vec<&str> = report["violations"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v["node"].as_str().unwrap_or("none"))
        .collect();
    assert!(!names.is_empty() && names.iter().all(|n| n.starts_with('r')), "{names:?}");
}

/// The shape of a `metrics` value as a spreadsheet sees it: numbers and null (a gauge with no
/// reading) alike, and an object as its keys with each one's shape.
fn metric_shape(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(_) | serde_json::Value::Null => "number".into(),
        serde_json::Value::Object(o) => {
            let keys: Vec<String> = o.iter().map(|(k, v)| format!("{k}: {}", metric_shape(v))).collect();
            format!("{{{}}}", keys.join(", "))
        }
        other => format!("unexpected {other}"),
    }
}

/// `run --json` gives a preset's `metrics` the same keys, the same nodes in each per-node map and
/// the same kind of value however the run went (review 27 B2): cut at 100 ms, with a gentler
/// load, or with a balancer that overloads no backend, `rejected` was missing, and its map named
/// only the backend that had rejected.
#[test]
fn a_presets_metrics_have_the_same_keys_and_types_however_the_run_went() {
    let metrics = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_dsplay"))
            .args(["run", "t1-round-robin", "--json"])
            .args(extra)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let m = report["metrics"].as_object().cloned().expect("a metrics object");
        m.iter().map(|(k, v)| (k.clone(), metric_shape(v))).collect::<Vec<_>>()
    };
    let full = metrics(&[]);
    assert!(full.contains(&("rejected".into(), "{b1: number, b2: number, b3: number, b4: number}".into())));
    let variants: [&[&str]; 3] = [
        &["--until-ms", "100"],
        &["--set", "protocol.algorithm=least_connections"],
        &["--set", "workload.arrival.rate_per_s=100"],
    ];
    for extra in variants {
        assert_eq!(metrics(extra), full, "{extra:?}");
    }
}
