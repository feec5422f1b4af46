//! The linearizability checker against porcupine's corpus (Jepsen etcd logs and key-value logs)
//! with the verdicts listed in `shared/corpora/porcupine/README.md`. Every file must get its
//! verdict within the step budget below (an "unknown" counts as a failure).

use dsplay_core::check::model::{AppendCell, Register};
use dsplay_core::check::parse::{parse_edn, parse_jepsen};
use dsplay_core::check::{check_ops, Partitioning, Report, Verdict};
use std::path::PathBuf;

/// Steps allowed per file; the largest file needs far fewer (see the bench for the figures).
const BUDGET: u64 = 2_000_000;

/// The etcd logs the README lists as linearizable; all others (except the empty 095) are not.
const ETCD_LINEARIZABLE: [u32; 23] =
    [2, 5, 7, 18, 25, 31, 38, 45, 48, 49, 51, 53, 56, 67, 75, 76, 80, 87, 92, 98, 100, 101, 102];

fn corpus() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/porcupine");
    assert!(dir.join("README.md").exists(), "corpus missing at {}", dir.display());
    dir
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn etcd_jepsen_logs_get_the_readme_verdicts() {
    let (mut ok, mut bad) = (0, 0);
    for n in 0..=102u32 {
        let path = corpus().join(format!("jepsen/etcd_{n:03}.log"));
        let text = read(&path);
        if n == 95 {
            assert!(text.is_empty() && parse_jepsen(&text).is_err(), "095 is the empty file");
            continue;
        }
        let ops = parse_jepsen(&text).unwrap_or_else(|e| panic!("etcd_{n:03}: {e}"));
        let report = check_ops(&Register, &ops, Partitioning::Single, BUDGET);
        let expect = ETCD_LINEARIZABLE.contains(&n);
        assert_verdict(&format!("etcd_{n:03}"), &report, expect);
        if expect {
            ok += 1;
        } else {
            bad += 1;
        }
    }
    assert_eq!((ok, bad), (23, 79));
}

#[test]
fn kv_logs_get_their_file_name_verdicts() {
    for clients in ["c01", "c10", "c50"] {
        for (suffix, expect) in [("ok", true), ("bad", false)] {
            let name = format!("{clients}-{suffix}");
            let text = read(&corpus().join(format!("kv/{name}.txt")));
            let (ops, keys) = parse_edn(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(keys.len() > 1, "{name}: several keys expected");
            let report = check_ops(&AppendCell, &ops, Partitioning::ByKey, BUDGET);
            assert_eq!(report.partitions as usize, keys.len());
            assert_verdict(&name, &report, expect);
        }
    }
}

fn assert_verdict(name: &str, report: &Report, linearizable: bool) {
    match &report.verdict {
        Verdict::Linearizable => assert!(linearizable, "{name}: expected NOT linearizable"),
        Verdict::NotLinearizable { first_bad } => {
            assert!(!linearizable, "{name}: expected linearizable, got bad op {first_bad:?}");
        }
        Verdict::Unknown { steps } => panic!("{name}: budget exhausted after {steps} steps"),
    }
    assert!(report.steps < BUDGET, "{name}: {} steps", report.steps);
}

/// A return that does not answer its call is a malformed log, not a history (review 27 B6: a
/// write answered by a read passed as linearizable).
#[test]
fn a_return_that_does_not_answer_its_call_is_refused_with_both_lines() {
    let log = |lines: &[&str]| lines.iter().map(|l| format!("INFO jepsen.util - {l}\n")).collect::<String>();
    for (calls, said) in [
        (
            ["0 :invoke :write 3", "0 :ok :read 3"],
            "line 2: process 0's return is `:read 3`, its call on line 1 `:write 3`",
        ),
        (["0 :invoke :write 3", "0 :ok :write 4"], "return is `:write 4`, its call on line 1 `:write 3`"),
        (["0 :invoke :cas [1 2]", "0 :ok :cas [2 1]"], "its call on line 1 `:cas [1 2]`"),
        (["0 :invoke :read nil", "0 :fail :write 1"], "return is `:write 1`, its call on line 1 `:read`"),
    ] {
        let e = parse_jepsen(&log(&calls)).expect_err(said);
        assert!(e.to_string().contains(said), "{e}");
    }
    // A failed or unknown write may carry its value, or not.
    let fine = log(&[
        "0 :invoke :write 3",
        "0 :info :write 3",
        "1 :invoke :write 4",
        "1 :fail :write 4",
        "2 :invoke :read nil",
        "2 :ok :read 3",
    ]);
    assert!(parse_jepsen(&fine).is_ok());
}
