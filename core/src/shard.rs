//! # D9 — Sharding: which shard holds a key?
//!
//! Four placement schemes, as pure functions, and the figure that separates them: how many keys
//! move when a shard is added.
//! - **Range**: contiguous key ranges. String keys by their first letter, the alphabet cut into N
//!   equal parts (N = 2 gives A–M / N–Z; keys not starting with a letter go to shard 0); numeric
//!   keys by equal ranges of the u64 space. Ordered scans are cheap, hot ranges are hot spots.
//! - **Mod**: `hash(key) mod N`. Even, but going from N to N + 1 shards moves almost every key.
//! - **Ring**: consistent hashing (Karger et al. 1997) with `vnodes` virtual nodes per shard; a
//!   key belongs to the first point clockwise from its hash. N → N + 1 moves about 1/(N + 1).
//! - **Jump**: Lamping & Veach's jump consistent hash (2014), exactly as published: the 64-bit
//!   LCG `key * 2862933555777941757 + 1` and the double-precision step. No memory, perfectly even,
//!   moves exactly the keys the new bucket takes; shards can only be added or removed at the end.
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

/// Shards `0..shards` under one scheme (the ring is built once).
#[derive(Clone, Debug)]
pub struct Placement {
    scheme: Scheme,
    shards: u32,
    ring: BTreeMap<u64, u32>,
}

impl Placement {
    /// `shards` must be at least 1 (0 is treated as 1).
    pub fn new(scheme: Scheme, shards: u32) -> Self {
        let shards = shards.max(1);
        let mut ring = BTreeMap::new();
        if let Scheme::Ring { vnodes } = scheme {
            for s in 0..shards {
                for v in 0..vnodes.max(1) {
                    // On the (astronomically rare) collision the lower shard keeps the point.
                    ring.entry(fmix64(fnv1a64(format!("shard-{s}-vnode-{v}").as_bytes()))).or_insert(s);
                }
            }
        }
        Placement { scheme, shards, ring }
    }

    pub fn shard_of(&self, key: &str) -> u32 {
        match self.scheme {
            Scheme::Range => self.range_shard(key),
            Scheme::Mod => (key_hash(key) % u64::from(self.shards)) as u32,
            Scheme::Ring { .. } => {
                let h = fmix64(key_hash(key));
                self.ring.range(h..).next().or_else(|| self.ring.iter().next()).map_or(0, |(_, s)| *s)
            }
            Scheme::Jump => jump_consistent_hash(key_hash(key), self.shards),
        }
    }

    /// Each of `keys` whose shard differs under `other`, with its shard here and there.
    pub fn moves_to<'k>(&self, other: &Placement, keys: &'k [String]) -> Vec<(&'k str, u32, u32)> {
        let both = keys.iter().map(|k| (k.as_str(), self.shard_of(k), other.shard_of(k)));
        both.filter(|&(_, from, to)| from != to).collect()
    }

    fn range_shard(&self, key: &str) -> u32 {
        let n = u64::from(self.shards);
        if let Ok(v) = key.parse::<u64>() {
            return ((u128::from(v) * u128::from(n)) >> 64) as u32;
        }
        match key.chars().next().map(|c| c.to_ascii_lowercase()) {
            Some(c @ 'a'..='z') => ((c as u64 - 'a' as u64) * n / 26) as u32,
            _ => 0,
        }
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
}
