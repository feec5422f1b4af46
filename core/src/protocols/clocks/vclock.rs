//! Lamport timestamps and vector clocks as plain values.
//!
//! A vector clock `V` has one counter per process. Process `i` ticks `V[i]` on every event; a
//! receive first merges (pointwise max) the sender's vector. Then for events `a`, `b`:
//! `a → b` (happened-before) iff `V(a) < V(b)` (every entry ≤, at least one <); `a ∥ b`
//! (concurrent) iff neither `V(a) ≤ V(b)` nor `V(b) ≤ V(a)`. The merge is the least upper bound
//! of the partial order: commutative, associative and idempotent (see `tests/clock_laws.rs`).

use std::cmp::Ordering;
use std::fmt;

/// A Lamport clock: one counter, `max(own, received) + 1` on receive, `+ 1` on any other event.
/// If `a → b` then `L(a) < L(b)` — but not conversely.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lamport(pub u64);

impl Lamport {
    /// A local or send event.
    pub fn tick(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
    /// A receive event of a message stamped `received`.
    pub fn receive(&mut self, received: u64) -> u64 {
        self.0 = self.0.max(received) + 1;
        self.0
    }
}

/// A vector clock over processes `0..n` (missing entries are 0).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct VectorClock(pub Vec<u64>);

impl VectorClock {
    pub fn new(n: u32) -> Self {
        VectorClock(vec![0; n as usize])
    }

    fn at(&self, i: usize) -> u64 {
        self.0.get(i).copied().unwrap_or(0)
    }

    /// Process `me` records an event.
    pub fn tick(&mut self, me: u32) {
        let i = me as usize;
        if self.0.len() <= i {
            self.0.resize(i + 1, 0);
        }
        self.0[i] += 1;
    }

    /// Pointwise maximum: the least upper bound of the two clocks.
    pub fn merge(&mut self, other: &VectorClock) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (i, x) in self.0.iter_mut().enumerate() {
            *x = (*x).max(other.at(i));
        }
    }

    /// The least upper bound, as a new value.
    pub fn join(&self, other: &VectorClock) -> VectorClock {
        let mut out = self.clone();
        out.merge(other);
        out
    }

    /// Every entry ≤ the other's.
    pub fn leq(&self, other: &VectorClock) -> bool {
        let n = self.0.len().max(other.0.len());
        (0..n).all(|i| self.at(i) <= other.at(i))
    }

    /// `self → other`: strictly less in the partial order.
    pub fn happened_before(&self, other: &VectorClock) -> bool {
        self.leq(other) && !other.leq(self)
    }

    /// Neither happened before the other, and they differ.
    pub fn concurrent(&self, other: &VectorClock) -> bool {
        !self.leq(other) && !other.leq(self)
    }

    /// Equal as clocks (trailing zeros do not matter).
    pub fn same(&self, other: &VectorClock) -> bool {
        self.leq(other) && other.leq(self)
    }
}

impl PartialOrd for VectorClock {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self.leq(other), other.leq(self)) {
            (true, true) => Some(Ordering::Equal),
            (true, false) => Some(Ordering::Less),
            (false, true) => Some(Ordering::Greater),
            (false, false) => None,
        }
    }
}

impl fmt::Display for VectorClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[")?;
        for (i, x) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, ",")?;
            }
            write!(f, "{x}")?;
        }
        write!(f, "]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_textbook_example() {
        // p0 sends to p1 after one local event; p2 acts alone.
        let mut p0 = VectorClock::new(3);
        p0.tick(0);
        p0.tick(0);
        let sent = p0.clone();
        let mut p1 = VectorClock::new(3);
        p1.tick(1);
        p1.merge(&sent);
        p1.tick(1);
        let mut p2 = VectorClock::new(3);
        p2.tick(2);
        assert_eq!(p1.to_string(), "[2,2,0]");
        assert!(sent.happened_before(&p1));
        assert!(p2.concurrent(&p1) && p2.concurrent(&sent));
        assert_eq!(sent.partial_cmp(&p1), Some(Ordering::Less));
        let mut l = Lamport::default();
        l.tick();
        assert_eq!(l.receive(7), 8);
    }
}
