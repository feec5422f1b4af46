//! State-based CRDTs (convergent replicated data types) as pure values. `merge` is the join of a
//! semilattice: commutative, associative and idempotent, so replicas that have seen the same
//! updates, in any order and any number of times, hold equal states (`core/tests/crdt_laws.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::hash::Hash;

/// A state-based CRDT.
pub trait Crdt: Clone + PartialEq + Debug {
    /// Fold `other` in: afterwards `self` reflects every update either side had seen.
    fn merge(&mut self, other: &Self);
}

/// Grow-only counter: one monotone count per replica; the value is their sum; merge takes maxima.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct GCounter {
    pub counts: BTreeMap<u32, u64>,
}

impl GCounter {
    pub fn increment(&mut self, replica: u32, by: u64) {
        let c = self.counts.entry(replica).or_insert(0);
        *c = c.saturating_add(by);
    }
    pub fn value(&self) -> u64 {
        self.counts.values().fold(0u64, |a, c| a.saturating_add(*c))
    }
}

impl Crdt for GCounter {
    fn merge(&mut self, other: &Self) {
        for (r, c) in &other.counts {
            let mine = self.counts.entry(*r).or_insert(0);
            *mine = (*mine).max(*c);
        }
    }
}

/// Counter with increments and decrements: two G-Counters, value = P − N.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PnCounter {
    pub p: GCounter,
    pub n: GCounter,
}

impl PnCounter {
    pub fn increment(&mut self, replica: u32, by: u64) {
        self.p.increment(replica, by);
    }
    pub fn decrement(&mut self, replica: u32, by: u64) {
        self.n.increment(replica, by);
    }
    pub fn value(&self) -> i64 {
        self.p.value() as i64 - self.n.value() as i64
    }
}

impl Crdt for PnCounter {
    fn merge(&mut self, other: &Self) {
        self.p.merge(&other.p);
        self.n.merge(&other.n);
    }
}

/// A unique tag for one add: (replica, that replica's add counter).
pub type Tag = (u32, u64);

/// Observed-remove set, add-wins: an element is present while some add tag of it has not been
/// removed. A remove only cancels the adds it has *observed*, so a concurrent add survives.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrSet<T: Ord> {
    pub adds: BTreeMap<T, BTreeSet<Tag>>,
    pub removed: BTreeMap<T, BTreeSet<Tag>>,
    /// Highest add counter used per replica (so tags stay unique after merges).
    pub clock: BTreeMap<u32, u64>,
}

impl<T: Ord> Default for OrSet<T> {
    fn default() -> Self {
        OrSet { adds: BTreeMap::new(), removed: BTreeMap::new(), clock: BTreeMap::new() }
    }
}

impl<T: Ord + Clone + Debug> OrSet<T> {
    pub fn add(&mut self, replica: u32, elem: T) {
        let c = self.clock.entry(replica).or_insert(0);
        *c += 1;
        let tag = (replica, *c);
        self.adds.entry(elem).or_default().insert(tag);
    }

    /// Remove every add of `elem` this replica has seen.
    pub fn remove(&mut self, elem: &T) {
        if let Some(tags) = self.adds.get(elem) {
            self.removed.entry(elem.clone()).or_default().extend(tags.iter().copied());
        }
    }

    pub fn contains(&self, elem: &T) -> bool {
        let gone = self.removed.get(elem);
        self.adds.get(elem).is_some_and(|tags| tags.iter().any(|t| gone.is_none_or(|g| !g.contains(t))))
    }

    pub fn elements(&self) -> Vec<T> {
        self.adds.keys().filter(|e| self.contains(e)).cloned().collect()
    }
}

fn union_into<T: Ord + Clone>(mine: &mut BTreeMap<T, BTreeSet<Tag>>, theirs: &BTreeMap<T, BTreeSet<Tag>>) {
    for (e, tags) in theirs {
        mine.entry(e.clone()).or_default().extend(tags.iter().copied());
    }
}

impl<T: Ord + Clone + Debug> Crdt for OrSet<T> {
    fn merge(&mut self, other: &Self) {
        union_into(&mut self.adds, &other.adds);
        union_into(&mut self.removed, &other.removed);
        for (r, c) in &other.clock {
            let mine = self.clock.entry(*r).or_insert(0);
            *mine = (*mine).max(*c);
        }
    }
}

/// Last-writer-wins register. The stamp is (timestamp, replica); ties between equal stamps are
/// broken by the value itself so that merge stays commutative for any input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LwwRegister<T: Ord> {
    pub stamp: (u64, u32),
    pub value: Option<T>,
}

impl<T: Ord> Default for LwwRegister<T> {
    fn default() -> Self {
        LwwRegister { stamp: (0, 0), value: None }
    }
}

impl<T: Ord + Clone + Debug> LwwRegister<T> {
    /// Write `value` (or clear it with `None`) at `timestamp` by `replica`.
    pub fn set(&mut self, timestamp: u64, replica: u32, value: Option<T>) {
        let mut other = LwwRegister { stamp: (timestamp, replica), value };
        std::mem::swap(self, &mut other);
        self.merge(&other);
    }
}

impl<T: Ord + Clone + Debug> Crdt for LwwRegister<T> {
    fn merge(&mut self, other: &Self) {
        if (&other.stamp, &other.value) > (&self.stamp, &self.value) {
            self.stamp = other.stamp;
            self.value = other.value.clone();
        }
    }
}

/// A map of LWW registers; a removal is a write of `None` (a tombstone that keeps its stamp).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LwwMap<K: Ord, V: Ord> {
    pub entries: BTreeMap<K, LwwRegister<V>>,
}

impl<K: Ord, V: Ord> Default for LwwMap<K, V> {
    fn default() -> Self {
        LwwMap { entries: BTreeMap::new() }
    }
}

impl<K: Ord + Clone + Debug, V: Ord + Clone + Debug> LwwMap<K, V> {
    pub fn put(&mut self, timestamp: u64, replica: u32, key: K, value: V) {
        self.entries.entry(key).or_default().set(timestamp, replica, Some(value));
    }
    pub fn remove(&mut self, timestamp: u64, replica: u32, key: K) {
        self.entries.entry(key).or_default().set(timestamp, replica, None);
    }
    pub fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key).and_then(|r| r.value.as_ref())
    }
    /// Live entries (tombstones left out).
    pub fn len(&self) -> usize {
        self.entries.values().filter(|r| r.value.is_some()).count()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K: Ord + Clone + Debug, V: Ord + Clone + Debug> Crdt for LwwMap<K, V> {
    fn merge(&mut self, other: &Self) {
        for (k, r) in &other.entries {
            self.entries.entry(k.clone()).or_default().merge(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn or_set_add_wins_over_a_concurrent_remove() {
        let mut a: OrSet<u32> = OrSet::default();
        a.add(1, 7);
        let mut b = a.clone();
        b.remove(&7);
        a.add(1, 7);
        a.merge(&b);
        assert!(a.contains(&7), "the second add was not observed by the remove");
        b.merge(&a);
        assert_eq!(a, b);
    }

    #[test]
    fn pn_counter_and_lww() {
        let mut c = PnCounter::default();
        c.increment(1, 5);
        c.decrement(2, 7);
        assert_eq!(c.value(), -2);
        let mut m: LwwMap<u8, i64> = LwwMap::default();
        m.put(10, 1, 3, 30);
        m.remove(5, 2, 3);
        assert_eq!(m.get(&3), Some(&30), "the older remove loses");
        m.remove(11, 2, 3);
        assert_eq!(m.get(&3), None);
    }
}
