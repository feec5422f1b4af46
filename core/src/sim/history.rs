//! Client operation histories: every call and return a key-value client makes, in real (simulated)
//! time, so a linearizability checker can judge the run afterwards (or as it goes).
//!
//! Times are the simulator's true time, not a node's skewed local clock: linearizability is defined
//! against real time.

use crate::ids::NodeId;
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// What a client asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OpKind {
    Read,
    Write {
        value: i64,
    },
    /// Compare-and-set: succeeds if the current value equals `expect`.
    Cas {
        expect: i64,
        value: i64,
    },
}

/// How an operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outcome {
    /// Not returned yet.
    Pending,
    /// Completed; a read returns the value (None = never written), a CAS whether it applied.
    Ok { value: Option<i64> },
    /// Definitely did not take effect (e.g. rejected before doing anything).
    Fail,
    /// Unknown: timed out; it may or may not have taken effect.
    Info,
}

/// One operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryOp {
    pub id: u64,
    pub client: NodeId,
    pub key: u64,
    pub op: OpKind,
    pub call: SimTime,
    pub ret: Option<SimTime>,
    pub outcome: Outcome,
}

/// A bounded history (operations beyond the cap are not recorded, and `truncated` says so).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    pub ops: Vec<HistoryOp>,
    pub truncated: bool,
}

/// Most operations kept per run.
pub const MAX_HISTORY: usize = 200_000;

impl History {
    /// Record a call; returns its id (use it to complete the op). Ids start at 1; 0 means "not recorded".
    pub fn invoke(&mut self, client: NodeId, key: u64, op: OpKind, now: SimTime) -> u64 {
        if self.ops.len() >= MAX_HISTORY {
            self.truncated = true;
            return 0;
        }
        let id = self.ops.len() as u64 + 1;
        self.ops.push(HistoryOp { id, client, key, op, call: now, ret: None, outcome: Outcome::Pending });
        id
    }

    /// Record the return of operation `id`. Unknown ids and second completions are ignored.
    pub fn complete(&mut self, id: u64, outcome: Outcome, now: SimTime) {
        if id == 0 {
            return;
        }
        if let Some(op) = self.ops.get_mut(id as usize - 1) {
            if op.ret.is_none() && op.outcome == Outcome::Pending {
                op.ret = Some(now);
                op.outcome = outcome;
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoke_and_complete_once() {
        let mut h = History::default();
        let a = h.invoke(NodeId(1), 7, OpKind::Write { value: 3 }, SimTime(10));
        h.complete(a, Outcome::Ok { value: None }, SimTime(20));
        h.complete(a, Outcome::Fail, SimTime(30));
        assert_eq!(h.ops[0].ret, Some(SimTime(20)));
        assert_eq!(h.ops[0].outcome, Outcome::Ok { value: None });
        h.complete(0, Outcome::Fail, SimTime(1));
        h.complete(99, Outcome::Fail, SimTime(1));
    }
}
