//! The linearizability checker against the definition, on small random register histories:
//! a brute-force search over every order of the operations (completed ones must all appear,
//! in an order that respects real time; unknown ones may appear anywhere after their call, or
//! not at all) says whether the history is linearizable, and `check_ops` must say the same,
//! with both partitionings and with or without compare-and-set (which turns its pruning off).
//! Review 53 found a read from the future crashed the search after pruning; this draws such
//! histories (values come from three, so reads often return a value not yet written). The
//! model's cheap refutation, used when the search runs out of steps, is held to the same
//! definition.

use dsplay_core::check::model::{Model, Register, RegisterInput as I, RegisterOutput as O};
use dsplay_core::check::{check_ops, Op, Partitioning, Verdict};
use proptest::prelude::*;
use std::collections::HashSet;

type RegOp = Op<I, O>;

/// (client, call, length, what, value, expect, outcome): small ranges make overlaps, touching
/// intervals, equal values and reads of values not written yet common.
type Drawn = (u64, u64, u64, u8, i64, i64, u8);

fn drawn() -> impl Strategy<Value = Vec<Drawn>> {
    prop::collection::vec((0..3u64, 0..20u64, 0..8u64, 0..3u8, 1..4i64, 1..4i64, 0..10u8), 1..8)
}

/// The operations: reads that returned nil or a value, writes, and (if `cas`) compare-and-sets
/// that applied or not; about one write in five ended unknown (no return, any output). A
/// client's next call starts after its last return, and one whose call never returned makes no
/// more, as a real client's would.
fn history(drawn: &[Drawn], cas: bool) -> Vec<RegOp> {
    let mut free_at = [Some(0u64); 3];
    let mut ops = Vec::new();
    for (i, &(client, call, len, what, value, expect, outcome)) in drawn.iter().enumerate() {
        let Some(free) = free_at[client as usize] else { continue };
        let call = call.max(free);
        let (input, output) = match what {
            0 => (I::Read, O::Value((outcome % 4 != 0).then_some(value))),
            2 if cas => (I::Cas(expect, value), O::Cas(outcome % 2 == 0)),
            _ => (I::Write(value), O::Written),
        };
        // A read whose outcome is unknown constrains nothing (the parsers drop it): reads return.
        let unknown = outcome < 2 && input != I::Read;
        let ret = (!unknown).then_some(call + len);
        free_at[client as usize] = ret.map(|r| r + 1);
        let output = (!unknown).then_some(output);
        ops.push(Op { id: i as u64 + 1, client, key: client % 2, call, ret, input, output });
    }
    ops
}

/// Whether some order of `ops` (every completed one, any of the unknown ones) respects real time
/// and the register's rules: depth first over which operation takes effect next.
fn linearizable(ops: &[&RegOp]) -> bool {
    fn next(ops: &[&RegOp], done: u32, state: Option<i64>, seen: &mut HashSet<(u32, Option<i64>)>) -> bool {
        let required = ops.iter().enumerate().filter(|(_, o)| o.ret.is_some());
        if required.clone().all(|(i, _)| done & (1 << i) != 0) {
            return true;
        }
        if !seen.insert((done, state)) {
            return false;
        }
        for (i, o) in ops.iter().enumerate() {
            if done & (1 << i) != 0 {
                continue;
            }
            // Every completed operation that returned before this one was called goes first.
            let waits = ops
                .iter()
                .enumerate()
                .any(|(j, p)| done & (1 << j) == 0 && p.ret.is_some_and(|r| r < o.call));
            if waits {
                continue;
            }
            if let Some(after) = Register.step(&state, &o.input, o.output.as_ref()) {
                if next(ops, done | (1 << i), after, seen) {
                    return true;
                }
            }
        }
        false
    }
    next(ops, 0, None, &mut HashSet::new())
}

fn agree(ops: &[RegOp], by: Partitioning) -> Result<(), TestCaseError> {
    let keys: Vec<u64> = match by {
        Partitioning::Single => vec![0],
        Partitioning::ByKey => vec![0, 1],
    };
    let expected = keys.iter().all(|&k| {
        let part: Vec<&RegOp> = ops.iter().filter(|o| by == Partitioning::Single || o.key == k).collect();
        linearizable(&part)
    });
    let verdict = check_ops(&Register, ops, by, 1_000_000).verdict;
    prop_assert!(!matches!(verdict, Verdict::Unknown { .. }), "a handful of operations decided: {:?}", ops);
    prop_assert_eq!(verdict.is_linearizable(), expected, "{:?} for {:?}", verdict, ops);
    Ok(())
}

/// With a budget of one step the search gives up at once, and only the model's cheap proof
/// ([`Model::refute`]) can call a history bad: it must never call a linearizable one so.
fn refutes_only_the_unexplainable(ops: &[RegOp]) -> Result<(), TestCaseError> {
    let verdict = check_ops(&Register, ops, Partitioning::Single, 1).verdict;
    if let Verdict::NotLinearizable { first_bad } = &verdict {
        prop_assert!(!linearizable(&ops.iter().collect::<Vec<_>>()), "refuted {:?} in {:?}", first_bad, ops);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn reads_and_writes_are_judged_as_the_definition_judges_them(d in drawn()) {
        let ops = history(&d, false);
        agree(&ops, Partitioning::Single)?;
        agree(&ops, Partitioning::ByKey)?;
        refutes_only_the_unexplainable(&ops)?;
    }

    #[test]
    fn with_compare_and_set_too(d in drawn()) {
        let ops = history(&d, true);
        agree(&ops, Partitioning::Single)?;
        agree(&ops, Partitioning::ByKey)?;
    }
}
