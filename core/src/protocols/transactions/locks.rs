//! A 2PC participant's lock table: exclusive locks held by orders, and a first-come queue of
//! prepares and stock reads waiting for each.

use super::node::{Order, Waiter};
use crate::ids::NodeId;
use crate::time::SimTime;
use std::collections::{BTreeMap, VecDeque};
use std::fmt;

/// What an order locks: the customer's account (payment) or the item's stock row (inventory).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Resource {
    Account(u64),
    Item(u64),
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::Account(c) => write!(f, "account {c}"),
            Resource::Item(i) => write!(f, "item {i}"),
        }
    }
}

/// Someone waiting for a lock, and since when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queued {
    Prepare(Order, SimTime),
    Read { from: NodeId, req: u64, item: u64, since: SimTime },
}

impl Queued {
    pub fn waiter(&self) -> Waiter {
        match *self {
            Queued::Prepare(o, _) => Waiter::Order(o.id),
            Queued::Read { from, req, .. } => Waiter::Read(from, req),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Locks {
    held: BTreeMap<Resource, u64>,
    queues: BTreeMap<Resource, VecDeque<Queued>>,
}

impl Locks {
    pub fn holder(&self, r: Resource) -> Option<u64> {
        self.held.get(&r).copied()
    }

    pub fn held(&self) -> usize {
        self.held.len()
    }

    pub fn waiting(&self) -> usize {
        self.queues.values().map(VecDeque::len).sum()
    }

    /// Take `r` for `order` if it is free (or already its own) and nobody queues for it.
    pub fn try_lock(&mut self, r: Resource, order: u64) -> bool {
        match self.held.get(&r) {
            Some(&h) => h == order,
            None if self.queues.get(&r).is_some_and(|q| !q.is_empty()) => false,
            None => {
                self.held.insert(r, order);
                true
            }
        }
    }

    /// Whether a read of `r` must wait: the row is locked, or others queue for it.
    pub fn read_must_wait(&self, r: Resource) -> bool {
        self.held.contains_key(&r) || self.queues.get(&r).is_some_and(|q| !q.is_empty())
    }

    pub fn enqueue(&mut self, r: Resource, q: Queued) {
        self.queues.entry(r).or_default().push_back(q);
    }

    /// Take a waiter out of its queue (it timed out, or its order was aborted meanwhile).
    pub fn remove(&mut self, w: Waiter) -> Option<Queued> {
        for q in self.queues.values_mut() {
            if let Some(i) = q.iter().position(|x| x.waiter() == w) {
                return q.remove(i);
            }
        }
        None
    }

    /// Release `order`'s lock on `r`; hand back whoever proceeds now, in queue order: the reads at
    /// the front of the queue, then (holding the lock from now on) the first prepare, if any.
    pub fn release(&mut self, r: Resource, order: u64) -> Vec<Queued> {
        if self.held.get(&r) != Some(&order) {
            return Vec::new();
        }
        self.held.remove(&r);
        let mut go = Vec::new();
        let Some(q) = self.queues.get_mut(&r) else { return go };
        while let Some(next) = q.pop_front() {
            go.push(next);
            if let Queued::Prepare(o, _) = next {
                self.held.insert(r, o.id);
                break;
            }
        }
        if q.is_empty() {
            self.queues.remove(&r);
        }
        go
    }

    /// A crash loses the queue (the waiters' prepares were never voted on) but not the locks of
    /// prepared orders, which are in the participant's log; the caller re-takes those.
    pub fn clear(&mut self) {
        self.held.clear();
        self.queues.clear();
    }

    pub fn insert(&mut self, r: Resource, order: u64) {
        self.held.insert(r, order);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(id: u64) -> Order {
        Order { id, customer: 0, item: 1, price: 15 }
    }

    #[test]
    fn a_release_wakes_the_reads_in_front_and_hands_the_lock_to_the_next_prepare() {
        let mut l = Locks::default();
        let r = Resource::Item(1);
        assert!(l.try_lock(r, 1));
        assert!(!l.try_lock(r, 2), "held by 1");
        let read = Queued::Read { from: NodeId(0), req: 7, item: 1, since: SimTime::ZERO };
        l.enqueue(r, read);
        l.enqueue(r, Queued::Prepare(order(2), SimTime::ZERO));
        l.enqueue(r, Queued::Prepare(order(3), SimTime::ZERO));
        assert!(l.read_must_wait(r));
        assert!(l.release(r, 9).is_empty(), "only the holder releases");
        let go = l.release(r, 1);
        assert_eq!(go.len(), 2, "the read, then prepare 2");
        assert_eq!(l.holder(r), Some(2));
        assert_eq!(l.remove(Waiter::Order(3)).map(|q| q.waiter()), Some(Waiter::Order(3)));
        assert!(l.release(r, 2).is_empty());
        assert_eq!((l.held(), l.waiting()), (0, 0));
    }
}
