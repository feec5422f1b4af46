//! # D9 — Sharding: which shard holds a key?
//!
//! Four placement schemes, as pure functions, and the figure that separates them: how many keys
//! move when a shard is added or removed.
//! - **Range**: contiguous key ranges. String keys by their first letter, the alphabet cut into N
//!   equal parts (N = 2 gives A–M / N–Z; keys not starting with a letter go to shard 0); numeric
//!   keys by equal ranges of the u64 space. Ordered scans are cheap, hot ranges are hot spots. A
//!   removed shard's range joins the previous shard's (the next one's, for the first).
//! - **Mod**: `hash(key) mod N`. Even, but going from N to N ± 1 shards moves almost every key.
//! - **Ring**: consistent hashing (Karger et al. 1997) with `vnodes` virtual nodes per shard; a
//!   key belongs to the first point clockwise from its hash. N → N + 1 moves about 1/(N + 1), and
//!   removing any one shard moves only its own keys.
//! - **Jump**: Lamping & Veach's jump consistent hash (2014), exactly as published: the 64-bit
//!   LCG `key * 2862933555777941757 + 1` and the double-precision step. No memory, even in
//!   expectation (each key is uniform over the buckets, so real counts carry a hash's noise), and
//!   a new bucket takes only the keys that move, about 1/(N + 1). Buckets are numbered: removing
//!   the last moves only its keys, but removing another renumbers every bucket after it, and the
//!   keys move with the numbers.
//!
//! **String keys** are hashed with FNV-1a 64 (offset basis 0xcbf29ce484222325, prime
//! 0x100000001b3) over their UTF-8 bytes; a key that parses as a u64 is used directly.
//! On the ring both the key's hash and the points (FNV-1a 64 of `"shard-<s>-vnode-<v>"`) go
//! through MurmurHash3's 64-bit finalizer ([`fmix64`]) first: FNV of similar short strings
//! differs mostly in its low bits, and the ring orders by the high bits.

use std::collections::BTreeMap;

/// FNV-1a, 64-bit, over `bytes`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// MurmurHash3's 64-bit finalizer (Appleby): a bijection with full avalanche.
pub fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The 64-bit hash input for a key: the number itself if it parses as a u64, else FNV-1a 64.
pub fn key_hash(key: &str) -> u64 {
    key.parse::<u64>().unwrap_or_else(|_| fnv1a64(key.as_bytes()))
}

/// Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm" (2014), figure 1.
pub fn jump_consistent_hash(mut key: u64, buckets: u32) -> u32 {
    let (mut b, mut j): (i64, i64) = (-1, 0);
    while j < i64::from(buckets) {
        b = j;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        j = ((b + 1) as f64 * ((1u64 << 31) as f64 / ((key >> 33) + 1) as f64)) as i64;
    }
    b.max(0) as u32
}

/// A placement scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Range,
    Mod,
    Ring { vnodes: u32 },
    Jump,
}

/// Shards under one scheme: `0..shards`, less any removed (the ring is built once).
#[derive(Clone, Debug)]
pub struct Placement {
    scheme: Scheme,
    /// The shards in service, in order: a hash scheme's bucket `b` is shard `live[b]`.
    live: Vec<u32>,
    /// How many equal parts the range scheme cuts the key space into (removals keep the cut).
    cut: u32,
    ring: BTreeMap<u64, u32>,
}

impl Placement {
    /// `shards` must be at least 1 (0 is treated as 1).
    pub fn new(scheme: Scheme, shards: u32) -> Self {
        let shards = shards.max(1);
        Placement::over(scheme, (0..shards).collect(), shards)
    }

    fn over(scheme: Scheme, live: Vec<u32>, cut: u32) -> Self {
        let mut ring = BTreeMap::new();
        if let Scheme::Ring { vnodes } = scheme {
            for &s in &live {
                for v in 0..vnodes.max(1) {
                    // On the (astronomically rare) collision the lower shard keeps the point.
                    ring.entry(fmix64(fnv1a64(format!("shard-{s}-vnode-{v}").as_bytes()))).or_insert(s);
                }
            }
        }
        Placement { scheme, live, cut, ring }
    }

    /// The same shards less `shard`, or why not: it is not one of them, or it is the last.
    pub fn without(&self, shard: u32) -> Result<Placement, String> {
        let shown: Vec<String> = self.live.iter().map(u32::to_string).collect();
        if !self.live.contains(&shard) {
            return Err(format!("shard {shard} is not one of {}", shown.join(", ")));
        }
        if self.live.len() == 1 {
            return Err(format!("shard {shard} is the only one: there is nowhere for its keys to go"));
        }
        let live = self.live.iter().copied().filter(|&s| s != shard).collect();
        Ok(Placement::over(self.scheme, live, self.cut))
    }

    pub fn shard_of(&self, key: &str) -> u32 {
        let n = self.live.len() as u32;
        match self.scheme {
            Scheme::Range => self.range_shard(key),
            Scheme::Mod => self.live[(key_hash(key) % u64::from(n)) as usize],
            Scheme::Ring { .. } => {
                let h = fmix64(key_hash(key));
                self.ring.range(h..).next().or_else(|| self.ring.iter().next()).map_or(0, |(_, s)| *s)
            }
            Scheme::Jump => self.live[jump_consistent_hash(key_hash(key), n) as usize],
        }
    }

    /// Each of `keys` whose shard differs under `other`, with its shard here and there.
    pub fn moves_to<'k>(&self, other: &Placement, keys: &'k [String]) -> Vec<(&'k str, u32, u32)> {
        let both = keys.iter().map(|k| (k.as_str(), self.shard_of(k), other.shard_of(k)));
        both.filter(|&(_, from, to)| from != to).collect()
    }

    /// The part of the cut the key falls in; a removed part belongs to the live shard before it
    /// (or, with none before, after it).
    fn range_shard(&self, key: &str) -> u32 {
        let n = u64::from(self.cut);
        let part = if let Ok(v) = key.parse::<u64>() {
            ((u128::from(v) * u128::from(n)) >> 64) as u32
        } else {
            match key.chars().next().map(|c| c.to_ascii_lowercase()) {
                Some(c @ 'a'..='z') => ((c as u64 - 'a' as u64) * n / 26) as u32,
                _ => 0,
            }
        };
        let before = self.live.iter().rev().find(|&&s| s <= part);
        *before.or(self.live.first()).unwrap_or(&0)
    }
}

/// How many of `keys` change shard when going from `shards` to `shards + 1`.
pub fn keys_moved(scheme: Scheme, shards: u32, keys: &[String]) -> usize {
    Placement::new(scheme, shards).moves_to(&Placement::new(scheme, shards + 1), keys).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_known_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn range_splits_the_alphabet() {
        let p = Placement::new(Scheme::Range, 2);
        assert_eq!(
            [p.shard_of("apple"), p.shard_of("Mango"), p.shard_of("nut"), p.shard_of("zebra")],
            [0, 0, 1, 1]
        );
        assert_eq!(p.shard_of("42"), 0);
        assert_eq!(p.shard_of(&u64::MAX.to_string()), 1);
    }

    fn keys() -> Vec<String> {
        (0..4000).map(|i| format!("user-{i}")).collect()
    }

    /// Removing shard 1 of 4: which keys move, and where, under each scheme.
    #[test]
    fn removing_a_shard_moves_its_keys_and_under_some_schemes_more() {
        let keys = keys();
        let schemes = [Scheme::Range, Scheme::Mod, Scheme::Ring { vnodes: 100 }, Scheme::Jump];
        for scheme in schemes {
            let four = Placement::new(scheme, 4);
            let three = four.without(1).expect("removable");
            let moved = four.moves_to(&three, &keys);
            let held = keys.iter().filter(|k| four.shard_of(k) == 1).count();
            assert!(moved.iter().all(|&(_, _, to)| to != 1), "{scheme:?}: nothing goes to the removed shard");
            assert!(moved.iter().filter(|&&(_, from, _)| from == 1).count() == held, "{scheme:?}");
            match scheme {
                // Only the removed shard's keys: the range joins shard 0, the ring's points go.
                Scheme::Range | Scheme::Ring { .. } => assert_eq!(moved.len(), held, "{scheme:?}"),
                // Re-modding and renumbering move far more than the removed shard held.
                Scheme::Mod | Scheme::Jump => assert!(moved.len() > 2 * held, "{scheme:?}: {}", moved.len()),
            }
        }
    }

    /// Jump hash's one cheap removal: the last bucket, whose keys alone move.
    #[test]
    fn jump_removes_its_last_bucket_cheaply() {
        let keys = keys();
        let four = Placement::new(Scheme::Jump, 4);
        let moved = four.moves_to(&four.without(3).expect("removable"), &keys);
        assert!(moved.iter().all(|&(_, from, _)| from == 3));
        assert_eq!(moved, four.moves_to(&Placement::new(Scheme::Jump, 3), &keys));
    }

    #[test]
    fn a_shard_not_there_or_the_last_one_cannot_be_removed() {
        let one = Placement::new(Scheme::Mod, 1);
        assert!(one.without(0).expect_err("the only shard").contains("only one"));
        assert!(Placement::new(Scheme::Mod, 3)
            .without(3)
            .expect_err("no shard 3")
            .contains("not one of 0, 1, 2"));
    }
}
