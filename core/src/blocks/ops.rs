//! The client side of key-value operations, for protocols whose clients record a history for the
//! linearizability checker: operation ids, the open operations with their history ids and send
//! times, and one rule for replies that never come: a timed-out operation is indeterminate
//! (`Outcome::Info`), since it may or may not have taken effect.

use crate::blocks::Generator;
use crate::node::{Ctx, Shape};
use crate::rng::Rng;
use crate::sim::history::{OpKind, Outcome};
use crate::time::SimTime;
use std::collections::{BTreeMap, BTreeSet};

/// An operation sent and not yet answered.
#[derive(Clone, Debug)]
pub struct OpenOp<X> {
    /// Its id in the run's history.
    pub hist: u64,
    pub sent: SimTime,
    /// What the protocol remembers about it.
    pub extra: X,
}

/// A client's operations: how many were started, and the open ones by operation id.
#[derive(Clone, Debug)]
pub struct OpBook<X> {
    started: u64,
    open: BTreeMap<u64, OpenOp<X>>,
    /// The latest operations that timed out, at most [`TIMED_OUT_KEPT`]: a reply to one is late;
    /// a reply to another operation no longer open is the network's copy of an answer already
    /// taken (once counted as late too, and noted "already timed out").
    timed_out: BTreeSet<u64>,
}

/// How many timed-out operations are remembered: a reply later than that many other timeouts is
/// taken for a copy.
const TIMED_OUT_KEPT: usize = 1024;

impl<X> Default for OpBook<X> {
    fn default() -> Self {
        OpBook { started: 0, open: BTreeMap::new(), timed_out: BTreeSet::new() }
    }
}

impl<X> OpBook<X> {
    /// The counters [`OpBook::reply`] may raise on this node, listed for the run report from
    /// the start (review 27 B2). Call from `init`.
    pub fn list_report_keys<M, T>(&self, ctx: &mut Ctx<'_, M, T>) {
        ctx.reports_here(Shape::Counter, &["late_replies", "duplicate_replies"]);
    }

    /// Operations started so far (the last operation id).
    pub fn started(&self) -> u64 {
        self.started
    }

    pub fn open_count(&self) -> usize {
        self.open.len()
    }

    /// A crash forgets the open operations (they stay open in the history: indeterminate).
    pub fn clear(&mut self) {
        self.open.clear();
    }

    /// A value no other write of the run uses: `(client index + 1) × spacing + next op id`.
    pub fn fresh_value(&self, index: u32, spacing: i64) -> i64 {
        i64::from(index + 1) * spacing + self.started as i64 + 1
    }

    /// The workload's next operation: a read (`None`) or a write of a fresh value, as the
    /// generator's read share decides.
    pub fn generated_write(&self, gen: &Generator, rng: &mut Rng, index: u32, spacing: i64) -> Option<i64> {
        (!gen.is_read(rng)).then(|| self.fresh_value(index, spacing))
    }

    /// Start a read of `key` (`write` = `None`) or a write of `write`: its operation id, with the
    /// call recorded in the history now.
    pub fn start<M, T>(&mut self, ctx: &mut Ctx<'_, M, T>, key: u64, write: Option<i64>, extra: X) -> u64 {
        self.started += 1;
        let op = self.started;
        let hist = ctx.history_invoke(key, write.map_or(OpKind::Read, |value| OpKind::Write { value }));
        self.open.insert(op, OpenOp { hist, sent: ctx.now(), extra });
        op
    }

    /// The reply to `op` arrived: the operation, with its `timeout` timer cancelled; `None` (and a
    /// note) when it had already timed out, or was answered already (a duplicated reply).
    pub fn reply<M, T>(&mut self, ctx: &mut Ctx<'_, M, T>, op: u64, timeout: T) -> Option<OpenOp<X>> {
        let Some(o) = self.open.remove(&op) else {
            match self.timed_out.remove(&op) {
                true => ctx.ignored("late_replies", "ignored ClientReply: the operation already timed out"),
                false => {
                    ctx.ignored("duplicate_replies", "ignored ClientReply: a copy of an answer already taken")
                }
            }
            return None;
        };
        ctx.cancel_timer(timeout);
        Some(o)
    }

    /// `op` timed out: the operation, completed in the history as indeterminate; `None` when it
    /// had already finished.
    pub fn time_out<M, T>(&mut self, ctx: &mut Ctx<'_, M, T>, op: u64) -> Option<OpenOp<X>> {
        let o = self.open.remove(&op)?;
        self.timed_out.insert(op);
        if self.timed_out.len() > TIMED_OUT_KEPT {
            self.timed_out.pop_first();
        }
        ctx.history_complete(o.hist, Outcome::Info);
        Some(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::NodeId;
    use crate::node::{Bench, Effect};

    #[test]
    fn an_operation_is_answered_once_and_only_the_first_late_reply_is_noted() {
        let mut book: OpBook<&str> = OpBook::default();
        let mut bench = Bench::new(0);
        let at = (NodeId(0), SimTime::ZERO, 1);
        let (op, _) = bench.run::<(), u8, _>(at, |ctx| book.start(ctx, 7, Some(5), "w"));
        assert_eq!((op, book.started(), book.open_count()), (1, 1, 1));
        assert_eq!(book.fresh_value(2, 1_000), 3_002, "client 2's next op is op 2");
        let (got, out) = bench.run::<(), u8, _>(at, |ctx| book.reply(ctx, op, 9).map(|o| o.extra));
        assert_eq!(got, Some("w"));
        assert!(matches!(out.as_slice(), [Effect::CancelTimer { timer: 9 }]), "{out:?}");
        // The network's copy of the answer: not late (it was once said to be), a copy.
        let (again, out) = bench.run::<(), u8, _>(at, |ctx| book.reply(ctx, op, 9).is_some());
        assert!(!again);
        assert!(matches!(out.as_slice(), [Effect::Note(n)] if n.contains("a copy of an answer")), "{out:?}");
        let (slow, _) = bench.run::<(), u8, _>(at, |ctx| book.start(ctx, 7, None, "r"));
        let _ = bench.run::<(), u8, _>(at, |ctx| book.time_out(ctx, slow).is_some());
        let (late, out) = bench.run::<(), u8, _>(at, |ctx| book.reply(ctx, slow, 9).is_some());
        assert!(!late);
        assert!(matches!(out.as_slice(), [Effect::Note(n)] if n.contains("already timed out")), "{out:?}");
        // Replies no longer used are routine: the first of each is noted, the rest only counted
        // (a note each buried the event log of every quorum run).
        let (_, out) = bench.run::<(), u8, _>(at, |ctx| book.reply(ctx, slow, 9).is_some());
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(bench.metrics().counter("late_replies", Some(NodeId(0))), 1);
        assert_eq!(bench.metrics().counter("duplicate_replies", Some(NodeId(0))), 2);
    }

    #[test]
    fn hand_requests_name_keys_as_k3_or_3_and_nothing_else() {
        let req = |key: Option<&str>| crate::node::ClientRequest {
            op: "write".into(),
            key: key.map(str::to_string),
            value: Some(5),
        };
        assert_eq!(req(Some("k3")).numbered_key(), Ok(3));
        assert_eq!(req(Some(" 12 ")).numbered_key(), Ok(12));
        for bad in ["k", "kk3", "k-1", "+3", "3.0", "nonsense key", "k99999999999999999999999"] {
            let err = req(Some(bad)).numbered_key().expect_err(bad);
            assert!(err.contains(&format!("{bad:?} is not a key")) && err.contains("k3"), "{err}");
        }
        let err = req(None).numbered_key().expect_err("no key");
        assert!(err.contains("needs a key"), "{err}");
        assert!(req(Some("  ")).numbered_key().is_err());
    }

    #[test]
    fn hand_requests_read_or_write() {
        let req = |op: &str, value| crate::node::ClientRequest { op: op.into(), key: None, value };
        assert_eq!(req("get", Some(4)).read_or_write(), Ok(None));
        assert_eq!(req("put", Some(4)).read_or_write(), Ok(Some(4)));
        assert_eq!(req("write", None).read_or_write(), Ok(Some(0)));
        let err = req("cas", None).read_or_write().expect_err("not a read or a write");
        assert!(err.contains("\"cas\"") && err.contains("use read or write"), "{err}");
    }

    #[test]
    fn a_timed_out_operation_is_indeterminate_in_the_history() {
        let mut book: OpBook<()> = OpBook::default();
        let mut bench = Bench::new(0);
        let at = (NodeId(0), SimTime::ZERO, 1);
        let (op, _) = bench.run::<(), u8, _>(at, |ctx| book.start(ctx, 1, None, ()));
        let (first, _) = bench.run::<(), u8, _>(at, |ctx| book.time_out(ctx, op).is_some());
        let (second, _) = bench.run::<(), u8, _>(at, |ctx| book.time_out(ctx, op).is_some());
        assert!(first && !second, "only the first timeout finds it open");
        let h = bench.history();
        assert_eq!((h.ops.len(), h.ops[0].outcome), (1, Outcome::Info));
    }
}
