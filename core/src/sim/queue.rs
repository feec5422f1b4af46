//! The event queue: a binary heap ordered by `(time, seq)`; `seq` is a global counter, so events at
//! the same time run in the order they were scheduled (FIFO), which keeps runs deterministic.

use crate::ids::NodeId;
use crate::time::SimTime;
use std::cmp::Ordering;

/// Something scheduled to happen. A `Refusal` is the reset a node crashed refusing connections
/// sent back for `msg`, on its way to `to` (who sent `msg`); its `id` is the reset's own.
#[derive(Clone, Debug)]
pub enum Ev<M, T> {
    Deliver { from: NodeId, to: NodeId, msg: M, id: u64, sent: SimTime, dup: bool },
    Timer { node: NodeId, timer: T, gen: u64 },
    Refusal { from: NodeId, to: NodeId, msg: M, id: u64, sent: SimTime },
}

impl<M, T> Ev<M, T> {
    pub fn node(&self) -> NodeId {
        match self {
            Ev::Deliver { to, .. } | Ev::Refusal { to, .. } => *to,
            Ev::Timer { node, .. } => *node,
        }
    }
}

/// A heap entry. The ordering is reversed so `BinaryHeap` (a max-heap) pops the earliest.
#[derive(Clone, Debug)]
pub struct Entry<M, T> {
    pub at: SimTime,
    pub seq: u64,
    pub ev: Ev<M, T>,
}

impl<M, T> PartialEq for Entry<M, T> {
    fn eq(&self, o: &Self) -> bool {
        self.at == o.at && self.seq == o.seq
    }
}
impl<M, T> Eq for Entry<M, T> {}
impl<M, T> PartialOrd for Entry<M, T> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<M, T> Ord for Entry<M, T> {
    fn cmp(&self, o: &Self) -> Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BinaryHeap;

    #[test]
    fn pops_by_time_then_fifo() {
        let mut h = BinaryHeap::new();
        let t = |at, seq| Entry::<(), u8> {
            at: SimTime(at),
            seq,
            ev: Ev::Timer { node: NodeId(0), timer: 0, gen: 0 },
        };
        for (at, seq) in [(5, 0), (1, 1), (5, 2), (1, 3), (0, 4)] {
            h.push(t(at, seq));
        }
        let order: Vec<(u64, u64)> = std::iter::from_fn(|| h.pop()).map(|e| (e.at.0, e.seq)).collect();
        assert_eq!(order, vec![(0, 4), (1, 1), (1, 3), (5, 0), (5, 2)]);
    }
}
