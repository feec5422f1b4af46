//! A TTL cache with least-recently-used eviction, as a pure state machine. Keys are `u64`, values
//! are versions (what the database held when the entry was filled).

use crate::time::SimTime;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug)]
struct Entry {
    version: u64,
    expires_us: u64,
    used: u64,
}

/// What a lookup found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A fresh entry holding this version.
    Hit(u64),
    /// An entry whose TTL ran out (dropped now).
    Expired,
    Miss,
}

/// LRU + TTL cache. `recency` maps a use counter to its key, so the least recently used key is the
/// first entry, and `expiry` orders (expiry, key) so the first to expire is: O(log n) per
/// operation, deterministic order. A full cache makes room by dropping an entry whose TTL has
/// run out, if there is one, before it evicts a live one (as Caffeine does: expiry before the
/// size bound). By recency alone a live entry went while a dead one kept its slot (review 55 C7).
#[derive(Clone, Debug)]
pub struct TtlLru {
    capacity: usize,
    ttl_us: u64,
    clock: u64,
    entries: BTreeMap<u64, Entry>,
    recency: BTreeMap<u64, u64>,
    expiry: BTreeSet<(u64, u64)>,
}

impl TtlLru {
    pub fn new(capacity: u32, ttl_ms: u64) -> Self {
        TtlLru {
            capacity: capacity as usize,
            ttl_us: ttl_ms * 1000,
            clock: 0,
            entries: BTreeMap::new(),
            recency: BTreeMap::new(),
            expiry: BTreeSet::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn touch(&mut self, key: u64) {
        self.clock += 1;
        if let Some(e) = self.entries.get_mut(&key) {
            self.recency.remove(&e.used);
            e.used = self.clock;
            self.recency.insert(self.clock, key);
        }
    }

    pub fn get(&mut self, key: u64, now: SimTime) -> Lookup {
        match self.entries.get(&key) {
            None => Lookup::Miss,
            Some(e) if e.expires_us <= now.as_us() => {
                self.remove(key);
                Lookup::Expired
            }
            Some(e) => {
                let v = e.version;
                self.touch(key);
                Lookup::Hit(v)
            }
        }
    }

    /// Store a value; returns the key evicted to make room, if any.
    pub fn put(&mut self, key: u64, version: u64, now: SimTime) -> Option<u64> {
        if self.capacity == 0 {
            return None;
        }
        let expires_us = now.as_us() + self.ttl_us;
        if let Some(e) = self.entries.get_mut(&key) {
            e.version = version;
            self.expiry.remove(&(e.expires_us, key));
            e.expires_us = expires_us;
            self.expiry.insert((expires_us, key));
            self.touch(key);
            return None;
        }
        let evicted = if self.entries.len() >= self.capacity {
            let dead = self.expiry.first().filter(|&&(at, _)| at <= now.as_us()).map(|&(_, k)| k);
            let lru = || self.recency.first_key_value().map(|(_, &k)| k);
            dead.or_else(lru).inspect(|&k| self.remove(k))
        } else {
            None
        };
        self.entries.insert(key, Entry { version, expires_us, used: 0 });
        self.expiry.insert((expires_us, key));
        self.touch(key);
        evicted
    }

    pub fn remove(&mut self, key: u64) {
        if let Some(e) = self.entries.remove(&key) {
            self.recency.remove(&e.used);
            self.expiry.remove(&(e.expires_us, key));
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.recency.clear();
        self.expiry.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SimTime {
        SimTime::from_ms(ms)
    }

    #[test]
    fn evicts_the_least_recently_used() {
        let mut c = TtlLru::new(2, 10_000);
        assert_eq!(c.put(1, 10, t(0)), None);
        assert_eq!(c.put(2, 20, t(0)), None);
        assert_eq!(c.get(1, t(1)), Lookup::Hit(10)); // 1 is now the most recent
        assert_eq!(c.put(3, 30, t(2)), Some(2));
        assert_eq!(c.get(2, t(3)), Lookup::Miss);
        assert_eq!(c.put(1, 11, t(4)), None); // update in place
        assert_eq!(c.put(4, 40, t(5)), Some(3));
        assert_eq!((c.get(1, t(6)), c.len()), (Lookup::Hit(11), 2));
    }

    #[test]
    fn a_full_cache_drops_an_expired_entry_before_a_live_one() {
        let mut c = TtlLru::new(2, 100);
        c.put(1, 10, t(0));
        c.put(2, 20, t(60));
        assert_eq!(c.get(1, t(70)), Lookup::Hit(10), "1 is the most recent, and expires at 100");
        // At 120, 1 is dead and 2 is live but less recently used: 1 goes.
        assert_eq!(c.put(3, 30, t(120)), Some(1));
        assert_eq!(c.get(2, t(121)), Lookup::Hit(20));
        // With none dead, the least recently used goes.
        assert_eq!(c.put(4, 40, t(130)), Some(3));
    }

    #[test]
    fn entries_expire_after_their_ttl() {
        let mut c = TtlLru::new(4, 100);
        c.put(7, 1, t(0));
        assert_eq!(c.get(7, t(99)), Lookup::Hit(1));
        assert_eq!(c.get(7, t(100)), Lookup::Expired);
        assert_eq!(c.get(7, t(101)), Lookup::Miss);
        c.put(7, 2, t(150)); // a refill restarts the clock
        assert_eq!(c.get(7, t(249)), Lookup::Hit(2));
        c.remove(7);
        assert!(c.is_empty());
    }
}
