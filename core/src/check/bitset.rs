//! A fixed-size bitset (which operations are linearized) and a deterministic FNV-1a hasher for the
//! memo table, so the checker behaves identically natively and in WebAssembly.

use std::hash::{BuildHasherDefault, Hasher};

/// One bit per operation of a partition.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bitset(Vec<u64>);

impl Bitset {
    pub fn new(bits: usize) -> Self {
        Bitset(vec![0; bits.div_ceil(64)])
    }
    pub fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    pub fn clear(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }
    pub fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
}

/// FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
#[derive(Clone, Copy, Debug)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv64 {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, v: u64) {
        // One multiply per word instead of eight: the memo table hashes many bitset words.
        self.0 ^= v;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        self.0 ^= self.0 >> 29;
    }
}

/// Build-hasher for `HashSet`s used only for membership (never iterated).
pub type FnvBuild = BuildHasherDefault<Fnv64>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_clear() {
        let mut b = Bitset::new(130);
        b.set(0);
        b.set(129);
        assert!(b.get(0) && b.get(129) && !b.get(64));
        b.clear(129);
        assert!(!b.get(129));
    }

    #[test]
    fn fnv1a_known_value() {
        let mut h = Fnv64::default();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
    }
}
