//! # Linearizability checking (catalog D11)
//!
//! **The problem.** A replicated store claims to behave like one copy of the data that executes
//! each operation atomically at some instant between its call and its return. A client history
//! (who called what, when, and what came back) either admits such an order or it doesn't; when it
//! doesn't, some read saw a value that no sequential execution respecting real time could give.
//!
//! **The algorithm.** Wing & Gong's search, with Lowe's memoisation: walk the calls and returns in
//! time order, tentatively linearize any call whose output the sequential model accepts, backtrack
//! on reaching a return whose operation has not been linearized, and remember every
//! (linearized set, model state) pair already explored so no configuration is searched twice
//! ([`search`]). Histories are split first by key (P-compositionality, Herlihy & Wing: a history
//! is linearizable iff each per-object sub-history is), which turns one exponential search into
//! many small ones. This is the algorithm of porcupine (Athalye) and Knossos' `linear` checker.
//!
//! **Unknown outcomes.** An operation that timed out (`Outcome::Info`) or never returned may or
//! may not have taken effect: it gets an unbounded return, so it may be linearized at any point
//! after its call, including "after everything" (which is the same as never). Its output is
//! unknown, so the model accepts any. A read with an unknown result cannot constrain anything and
//! is dropped; an operation that definitely failed (`Outcome::Fail`) is dropped too.
//!
//! **Bounded.** Every search turn costs one step of a budget; an exhausted budget yields
//! [`Verdict::Unknown`] instead of a hang.
//!
//! **What the UI gets.** [`check_history`] returns a [`Verdict`]; a failure names the operation
//! the search could never get past (its id and call time), so the timeline can jump to it.
//!
//! References: Herlihy & Wing 1990; Wing & Gong 1993; G. Lowe, "Testing for linearizability"
//! (2017); A. Athalye, porcupine (github.com/anishathalye/porcupine); Kingsbury, Knossos.

pub mod bitset;
pub mod model;
pub mod parse;
pub mod search;

use crate::sim::history::{History, OpKind, Outcome};
use model::{Model, Register, RegisterInput, RegisterOutput};
use search::{check_partition, PartResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Default step budget: about a second of search, and a memo table of bounded size (each step
/// may remember one (set, state) pair).
pub const DEFAULT_BUDGET: u64 = 5_000_000;

/// One operation as the checker sees it. Times are in the history's own unit (µs for simulator
/// histories, line numbers for log files); `ret == None` means unbounded (unknown outcome).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op<I, O> {
    pub id: u64,
    pub client: u64,
    /// Partition key (ignored when checking as a single object).
    pub key: u64,
    pub call: u64,
    pub ret: Option<u64>,
    pub input: I,
    /// `None`: unknown (timed out); any output is accepted.
    pub output: Option<O>,
}

/// How to split a history before searching.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Partitioning {
    /// All operations act on one object (keys ignored): the `register` model.
    Single,
    /// One independent object per key: the `kv` model.
    ByKey,
}

/// The operation a failed check points at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadOp {
    pub op_id: u64,
    pub client: u64,
    pub key: u64,
    /// Call time in the history's unit (µs for simulator histories).
    pub call: u64,
    /// e.g. `read → 3`.
    pub description: String,
}

/// The checker's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Linearizable,
    NotLinearizable {
        first_bad: BadOp,
    },
    /// The step budget ran out before a verdict.
    Unknown {
        steps: u64,
    },
}

impl Verdict {
    pub fn is_linearizable(&self) -> bool {
        matches!(self, Verdict::Linearizable)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Linearizable => write!(f, "linearizable"),
            Verdict::NotLinearizable { first_bad: b } => write!(
                f,
                "not linearizable: op {} ({}, client {}, key {}) called at {}",
                b.op_id, b.description, b.client, b.key, b.call
            ),
            Verdict::Unknown { steps } => write!(f, "unknown (budget of {steps} steps exhausted)"),
        }
    }
}

/// A verdict plus how much work it took.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub verdict: Verdict,
    pub steps: u64,
    pub partitions: u32,
    pub ops: u64,
}

/// Check a simulator history with the per-key register model and the default budget.
pub fn check_history(h: &History) -> Verdict {
    check_history_with(h, Partitioning::ByKey, DEFAULT_BUDGET).verdict
}

/// Check a simulator history, choosing the partitioning and the budget.
pub fn check_history_with(h: &History, by: Partitioning, budget: u64) -> Report {
    check_ops(&Register, &history_ops(h), by, budget)
}

/// Convert a simulator history into register operations. A CAS reports `Ok { value: Some(v) }`
/// with `v != 0` when it applied, `Some(0)` (or `None`) when the comparison failed.
pub fn history_ops(h: &History) -> Vec<Op<RegisterInput, RegisterOutput>> {
    // In a truncated history, operations called after the cut are missing: a read that returned
    // after the last recorded call might have seen one of them, so it is treated as unknown.
    let last_call = h.ops.iter().map(|o| o.call.as_us()).max().unwrap_or(0);
    h.ops.iter().filter_map(|o| convert(o, h.truncated.then_some(last_call))).collect()
}

fn convert(
    o: &crate::sim::history::HistoryOp,
    cut: Option<u64>,
) -> Option<Op<RegisterInput, RegisterOutput>> {
    let input = match o.op {
        OpKind::Read => RegisterInput::Read,
        OpKind::Write { value } => RegisterInput::Write(value),
        OpKind::Cas { expect, value } => RegisterInput::Cas(expect, value),
    };
    let ret = o.ret.map(|t| t.as_us());
    let (ret, output) = match (o.outcome, input) {
        (Outcome::Fail, _) => return None,
        (Outcome::Info | Outcome::Pending, RegisterInput::Read) => return None,
        (Outcome::Info | Outcome::Pending, _) => (None, None),
        (Outcome::Ok { .. }, RegisterInput::Read) if cut.is_some_and(|c| ret > Some(c)) => return None,
        (Outcome::Ok { value }, RegisterInput::Read) => (ret, Some(RegisterOutput::Value(value))),
        (Outcome::Ok { .. }, RegisterInput::Write(_)) => (ret, Some(RegisterOutput::Written)),
        (Outcome::Ok { value }, RegisterInput::Cas(..)) => {
            (ret, Some(RegisterOutput::Cas(value.is_some_and(|v| v != 0))))
        }
    };
    Some(Op { id: o.id, client: u64::from(o.client.0), key: o.key, call: o.call.as_us(), ret, input, output })
}

/// Steps each remaining partition may still use once one has failed: enough to find an earlier
/// bad operation in an easy partition, not enough to wait on a hard one.
const SETTLE_BUDGET: u64 = 100_000;

/// Check operations against `model`: partition, then search each partition (smallest first).
/// First pass: each partition gets a fair share of what is left of the budget, so one hard key
/// cannot starve the others; once one fails the rest only get [`SETTLE_BUDGET`] each. Second pass
/// (only if nothing failed): the partitions that ran out are retried with all that is left.
/// The reported bad operation is the earliest-called one among the partitions found to fail.
pub fn check_ops<M: Model>(
    model: &M,
    ops: &[Op<M::Input, M::Output>],
    by: Partitioning,
    budget: u64,
) -> Report {
    let mut owned: BTreeMap<u64, Ops<M::Input, M::Output>> = BTreeMap::new();
    for op in ops {
        owned.entry(if by == Partitioning::ByKey { op.key } else { 0 }).or_default().push(op.clone());
    }
    owned.values_mut().for_each(|p| model.prune(p));
    let parts: BTreeMap<u64, Part<'_, M::Input, M::Output>> =
        owned.iter().map(|(k, p)| (*k, p.iter().collect())).collect();
    let mut order: Vec<&Part<'_, M::Input, M::Output>> = parts.values().collect();
    order.sort_by_key(|p| p.len());
    let mut run = Run { left: budget, bad: None, exhausted: Vec::new() };
    for (done, part) in order.iter().enumerate() {
        let remaining = (order.len() - done) as u64;
        let share = if run.bad.is_some() { SETTLE_BUDGET.min(run.left) } else { run.left / remaining };
        run.search(model, part, share.max(1));
    }
    if run.bad.is_none() {
        for part in std::mem::take(&mut run.exhausted) {
            run.search(model, part, run.left);
        }
    }
    let steps = budget - run.left;
    let verdict = match (run.bad, run.exhausted.is_empty()) {
        (Some(first_bad), _) => Verdict::NotLinearizable { first_bad },
        (None, false) => Verdict::Unknown { steps },
        (None, true) => Verdict::Linearizable,
    };
    Report { verdict, steps, partitions: parts.len() as u32, ops: ops.len() as u64 }
}

/// One key's operations, owned (simplified by [`Model::prune`]).
type Ops<I, O> = Vec<Op<I, O>>;

/// The operations of one key.
type Part<'a, I, O> = Vec<&'a Op<I, O>>;

/// The state of one check across partitions.
struct Run<'a, I, O> {
    left: u64,
    bad: Option<BadOp>,
    exhausted: Vec<&'a Part<'a, I, O>>,
}

impl<'a, I, O> Run<'a, I, O> {
    fn search<M: Model<Input = I, Output = O>>(
        &mut self,
        model: &M,
        part: &'a Vec<&'a Op<I, O>>,
        share: u64,
    ) {
        let share = share.min(self.left);
        let mut slice = share;
        let result = check_partition(model, part, &mut slice);
        self.left -= share - slice;
        // Out of steps, a cheap proof the model knows may still decide it.
        let result = match result {
            PartResult::Exhausted => model.refute(part).map_or(PartResult::Exhausted, PartResult::Bad),
            decided => decided,
        };
        match result {
            PartResult::Linearizable => {}
            PartResult::Exhausted => self.exhausted.push(part),
            PartResult::Bad(i) => {
                let o = part[i];
                if self.bad.as_ref().is_none_or(|b| (o.call, o.id) < (b.call, b.op_id)) {
                    let description = model.describe(&o.input, o.output.as_ref());
                    self.bad =
                        Some(BadOp { op_id: o.id, client: o.client, key: o.key, call: o.call, description });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
