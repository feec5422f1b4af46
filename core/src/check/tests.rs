//! Exact small histories with known verdicts.

use super::model::{AppendCell, CellInput, Register, RegisterInput as I, RegisterOutput as O};
use super::*;
use crate::ids::NodeId;
use crate::time::SimTime;

fn op(id: u64, call: u64, ret: Option<u64>, input: I, output: Option<O>) -> Op<I, O> {
    Op { id, client: id, key: 0, call, ret, input, output }
}

fn verdict(ops: &[Op<I, O>]) -> Verdict {
    check_ops(&Register, ops, Partitioning::Single, 10_000).verdict
}

#[test]
fn sequential_write_then_read_is_linearizable() {
    let ops = [
        op(1, 0, Some(1), I::Write(1), Some(O::Written)),
        op(2, 2, Some(3), I::Read, Some(O::Value(Some(1)))),
    ];
    assert_eq!(verdict(&ops), Verdict::Linearizable);
}

#[test]
fn stale_read_after_write_returned_is_caught_and_pointed_at() {
    let ops = [
        op(1, 0, Some(1), I::Write(1), Some(O::Written)),
        op(2, 2, Some(3), I::Write(2), Some(O::Written)),
        op(3, 4, Some(5), I::Read, Some(O::Value(Some(1)))),
    ];
    match verdict(&ops) {
        Verdict::NotLinearizable { first_bad } => {
            assert_eq!(first_bad.op_id, 3);
            assert_eq!(first_bad.call, 4);
            assert_eq!(first_bad.description, "read → 1");
        }
        v => panic!("expected a violation, got {v}"),
    }
}

#[test]
fn read_concurrent_with_write_may_see_either_value() {
    for seen in [None, Some(7)] {
        let ops = [
            op(1, 0, Some(10), I::Write(7), Some(O::Written)),
            op(2, 1, Some(2), I::Read, Some(O::Value(seen))),
        ];
        assert_eq!(verdict(&ops), Verdict::Linearizable, "read saw {seen:?}");
    }
}

#[test]
fn new_then_old_reads_during_one_write_are_not_linearizable() {
    let ops = [
        op(1, 0, Some(100), I::Write(7), Some(O::Written)),
        op(2, 10, Some(20), I::Read, Some(O::Value(Some(7)))),
        op(3, 30, Some(40), I::Read, Some(O::Value(None))),
    ];
    assert!(!verdict(&ops).is_linearizable());
}

#[test]
fn unknown_write_may_take_effect_late_or_never() {
    let late = [
        op(1, 0, None, I::Write(5), None),
        op(2, 50, Some(60), I::Read, Some(O::Value(None))),
        op(3, 70, Some(80), I::Read, Some(O::Value(Some(5)))),
    ];
    assert_eq!(verdict(&late), Verdict::Linearizable);
    let never = [op(1, 0, None, I::Write(5), None), op(2, 50, Some(60), I::Read, Some(O::Value(None)))];
    assert_eq!(verdict(&never), Verdict::Linearizable);
    let but_not_undone = [
        op(1, 0, None, I::Write(5), None),
        op(2, 50, Some(60), I::Read, Some(O::Value(Some(5)))),
        op(3, 70, Some(80), I::Read, Some(O::Value(None))),
    ];
    assert!(!verdict(&but_not_undone).is_linearizable());
}

#[test]
fn cas_outcomes_follow_the_state() {
    let ok = [
        op(1, 0, Some(1), I::Write(1), Some(O::Written)),
        op(2, 2, Some(3), I::Cas(1, 2), Some(O::Cas(true))),
        op(3, 4, Some(5), I::Cas(1, 3), Some(O::Cas(false))),
        op(4, 6, Some(7), I::Read, Some(O::Value(Some(2)))),
    ];
    assert_eq!(verdict(&ok), Verdict::Linearizable);
    let bad = [
        op(1, 0, Some(1), I::Write(1), Some(O::Written)),
        op(2, 2, Some(3), I::Cas(1, 2), Some(O::Cas(false))),
    ];
    assert!(!verdict(&bad).is_linearizable());
}

#[test]
fn partitions_by_key_and_single_object_differ() {
    let mut a = op(1, 0, Some(1), I::Write(1), Some(O::Written));
    let mut b = op(2, 2, Some(3), I::Read, Some(O::Value(None)));
    a.key = 1;
    b.key = 2;
    let ops = [a, b];
    assert!(check_ops(&Register, &ops, Partitioning::ByKey, 1000).verdict.is_linearizable());
    assert!(!check_ops(&Register, &ops, Partitioning::Single, 1000).verdict.is_linearizable());
}

#[test]
fn budget_exhaustion_is_reported_not_hung() {
    // Many concurrent writes and one impossible read: exponential without memo, bounded here.
    let mut ops: Vec<Op<I, O>> =
        (0..20).map(|i| op(i + 1, 0, Some(1000), I::Write(i as i64), Some(O::Written))).collect();
    ops.push(op(21, 0, Some(1000), I::Read, Some(O::Value(Some(99)))));
    let r = check_ops(&Register, &ops, Partitioning::Single, 50);
    assert_eq!(r.verdict, Verdict::Unknown { steps: 50 });
}

#[test]
fn append_cell_history() {
    let ops = vec![
        Op {
            id: 1,
            client: 1,
            key: 0,
            call: 0,
            ret: Some(1),
            input: CellInput::Append("a".into()),
            output: None,
        },
        Op {
            id: 2,
            client: 2,
            key: 0,
            call: 0,
            ret: Some(3),
            input: CellInput::Append("b".into()),
            output: None,
        },
        Op {
            id: 3,
            client: 3,
            key: 0,
            call: 4,
            ret: Some(5),
            input: CellInput::Get,
            output: Some("ba".into()),
        },
    ];
    assert!(check_ops(&AppendCell, &ops, Partitioning::ByKey, 1000).verdict.is_linearizable());
    let mut bad = ops.clone();
    bad[2].output = Some("a".into());
    assert!(!check_ops(&AppendCell, &bad, Partitioning::ByKey, 1000).verdict.is_linearizable());
}

#[test]
fn simulator_history_with_timeouts_and_failures() {
    let mut h = History::default();
    let w = h.invoke(NodeId(1), 9, OpKind::Write { value: 4 }, SimTime(0));
    h.complete(w, Outcome::Info, SimTime(10));
    let f = h.invoke(NodeId(2), 9, OpKind::Write { value: 6 }, SimTime(20));
    h.complete(f, Outcome::Fail, SimTime(21));
    let r = h.invoke(NodeId(3), 9, OpKind::Read, SimTime(30));
    h.complete(r, Outcome::Ok { value: Some(4) }, SimTime(40));
    assert_eq!(check_history(&h), Verdict::Linearizable);
    let r2 = h.invoke(NodeId(3), 9, OpKind::Read, SimTime(50));
    h.complete(r2, Outcome::Ok { value: Some(6) }, SimTime(60));
    match check_history(&h) {
        Verdict::NotLinearizable { first_bad } => assert_eq!((first_bad.op_id, first_bad.call), (r2, 50)),
        v => panic!("the failed write must not be visible: {v}"),
    }
}

#[test]
fn parsers_read_the_formats() {
    let jepsen =
        "noise\nINFO  jepsen.util - 0\t:invoke\t:write\t3\nINFO  jepsen.util - 1   :invoke :cas    [3 4]\n\
                  INFO  jepsen.util - 0\t:ok\t:write\t3\nINFO  jepsen.util - 1\t:ok\t:cas\t[3 4]\n\
                  INFO  jepsen.util - 2\t:invoke\t:read\tnil\nINFO  jepsen.util - 2\t:ok\t:read\t4\n";
    let ops = parse::parse_jepsen(jepsen).expect("parses");
    assert_eq!(ops.len(), 3);
    assert_eq!(ops[1].input, I::Cas(3, 4));
    assert_eq!(verdict(&ops), Verdict::Linearizable);
    assert!(parse::parse_jepsen("INFO  jepsen.util - 0\t:invoke\t:frob\t3\n").is_err());
    assert!(parse::parse_jepsen("").is_err());
    let edn = "{:process 0, :type :invoke, :f :put, :key \"k\", :value \"x, y\"}\n\
               {:process 0, :type :ok, :f :put, :key \"k\", :value \"x, y\"}\n\
               {:process 1, :type :invoke, :f :get, :key \"k\", :value nil}\n\
               {:process 1, :type :ok, :f :get, :key \"k\", :value \"x, y\"}\n";
    let (ops, keys) = parse::parse_edn(edn).expect("parses");
    assert_eq!(keys, vec!["k".to_string()]);
    assert_eq!(ops[1].output.as_deref(), Some("x, y"));
    assert!(parse::parse_edn("{:process 0, :type :invoke").is_err());
}

#[test]
fn unobserved_unknown_writes_are_pruned_without_changing_verdicts() {
    // 30 timed-out writes nobody read, concurrent with everything: trivial after pruning.
    let mut ops: Vec<Op<I, O>> =
        (0..30).map(|i| op(i + 1, i, None, I::Write(100 + i as i64), None)).collect();
    ops.push(op(31, 40, Some(41), I::Write(1), Some(O::Written)));
    ops.push(op(32, 50, Some(51), I::Read, Some(O::Value(Some(1)))));
    assert_eq!(check_ops(&Register, &ops, Partitioning::Single, 1000).verdict, Verdict::Linearizable);
    // An observed unknown write stays, and still may not be un-done.
    ops.push(op(33, 60, Some(61), I::Read, Some(O::Value(Some(105)))));
    ops.push(op(34, 70, Some(71), I::Read, Some(O::Value(Some(1)))));
    assert!(!check_ops(&Register, &ops, Partitioning::Single, 100_000).verdict.is_linearizable());
}

/// Review 18 C6: "line 0: no operations found" and serde's "EOF while parsing a value at line 1
/// column 0" for an empty file.
#[test]
fn unreadable_histories_are_said_in_words_at_a_real_line() {
    use super::parse::{parse_history_json, parse_jepsen};
    let said = |r: Result<_, parse::ParseError>| r.map(drop).expect_err("refused").to_string();
    assert_eq!(said(parse_history_json("  ")), "the file is empty: expected a history as JSON");
    assert_eq!(
        said(parse_history_json("{\"ops\": [")),
        "line 1: the JSON ends too early: was the file cut short?"
    );
    assert_eq!(
        said(parse_history_json("{\n\"ops\": 3}")),
        "line 2: invalid type: integer `3`, expected a sequence (column 8)"
    );
    assert_eq!(said(parse_jepsen("hello\n")), "no operations found (wrong --format?)");
    // Review 49 C6: the app's Trace JSON was told "missing field `ops`".
    let trace = "{\n  \"scenario\": \"d3\",\n  \"trace_hash\": \"ab\",\n  \"records\": [\n  ]\n}\n";
    assert!(said(parse_history_json(trace))
        .contains("this is a Trace JSON (messages, not operations): save History JSON"));
}

/// Review 53 A1: a read returning 5 before 5 was ever written (a read from the future) crashed
/// the search: pruning bounded the write's return by that read's, before the write's call.
#[test]
fn a_read_from_the_future_is_not_linearizable_and_does_not_crash() {
    let log = "INFO jepsen.util - 0 :invoke :read nil\nINFO jepsen.util - 0 :ok :read 5\n\
               INFO jepsen.util - 1 :invoke :write 5\nINFO jepsen.util - 1 :ok :write 5\n";
    let ops = parse::parse_jepsen(log).expect("parses");
    let verdict = check_ops(&Register, &ops, Partitioning::Single, 100_000).verdict;
    assert!(
        matches!(&verdict, Verdict::NotLinearizable { first_bad } if first_bad.op_id == 1),
        "{verdict:?}"
    );
    // The write never returning, or its outcome unknown, is the same read from the future.
    let open = &log[..log.rfind("INFO").expect("a last line")];
    let ops = parse::parse_jepsen(open).expect("parses");
    assert!(!check_ops(&Register, &ops, Partitioning::Single, 100_000).verdict.is_linearizable());
}

/// Review 53 A2 and C2: records that contradict themselves are refused, each saying which op
/// and why, not searched (a return before its call crashed the search).
#[test]
fn a_json_history_that_contradicts_itself_is_refused() {
    use super::parse::parse_history_json;
    let op = |id: u64, call: u64, ret: &str, outcome: &str| {
        format!(
            r#"{{"id":{id},"client":0,"key":0,"op":{{"type":"write","value":1}},"call":{call},"ret":{ret},"outcome":{{"type":"{outcome}"{}}}}}"#,
            if outcome == "ok" { r#","value":null"# } else { "" }
        )
    };
    let said = |ops: &[String]| {
        let text = format!(r#"{{"ops":[{}],"truncated":false}}"#, ops.join(","));
        parse_history_json(&text).map(drop).expect_err("refused").to_string()
    };
    assert_eq!(said(&[op(1, 10, "5", "ok")]), "op 1 returns at 5, before its call at 10");
    assert!(said(&[op(1, 10, "null", "ok")]).starts_with("op 1 ended (ok or fail) but has no `ret`"));
    assert!(said(&[op(1, 10, "20", "pending")]).starts_with("op 1 is pending but has a `ret`"));
    assert_eq!(
        said(&[op(1, 10, "20", "ok"), op(1, 30, "40", "ok")]),
        "op 1: the id is given to two operations"
    );
    assert_eq!(said(&[]), "no operations found: `ops` is empty");
    let fine =
        format!(r#"{{"ops":[{},{}],"truncated":false}}"#, op(1, 10, "20", "ok"), op(2, 30, "null", "info"));
    assert_eq!(parse_history_json(&fine).expect("a consistent history").len(), 2);
}

/// Review 53 B1 and B2: an EDN return is checked against its call (operation and key), and a
/// `get` that returned says what it read (a `nil` was taken as unknown, and any value passed).
#[test]
fn edn_returns_answer_their_calls_and_a_get_says_what_it_read() {
    let said = |edn: &str| parse::parse_edn(edn).map(drop).expect_err("refused").to_string();
    let put = "{:process 0, :type :invoke, :f :put, :key \"a\", :value \"x\"}\n";
    let get = "{:process 0, :type :invoke, :f :get, :key \"a\", :value nil}\n";
    assert_eq!(
        said(&format!("{put}{{:process 0, :type :ok, :f :get, :key \"a\", :value \"zzz\"}}")),
        "line 2: process 0's return is :get on key \"a\", its call on line 1 :put on key \"a\""
    );
    assert_eq!(
        said(&format!("{get}{{:process 0, :type :ok, :f :get, :key \"b\", :value \"zzz\"}}")),
        "line 2: process 0's return is :get on key \"b\", its call on line 1 :get on key \"a\""
    );
    for value in [":value nil", ""] {
        let text = format!(
            "{get}{{:process 0, :type :ok, :f :get, :key \"a\"{}{value}}}",
            if value.is_empty() { "" } else { ", " }
        );
        assert!(said(&text).starts_with("line 2: an :ok :get must say the value it read"), "{text}");
    }
    let read_empty = format!("{get}{{:process 0, :type :ok, :f :get, :key \"a\", :value \"\"}}");
    assert_eq!(parse::parse_edn(&read_empty).expect("an empty read").0.len(), 1);
    assert_eq!(said(" \n"), "the file is empty: expected EDN lines ({:process 0, :type :invoke, …})");
}
