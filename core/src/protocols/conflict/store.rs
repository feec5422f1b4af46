//! The values a D7 replica keeps per cart: one stamped winner (LWW, versioned) or a set of
//! siblings with version vectors.

use std::collections::BTreeSet;

/// A cart value stamped for last-writer-wins. Ordered by `(version, ts_us, node)`; in plain LWW
/// mode `version` is always 0, so the clock decides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stamped {
    pub version: u64,
    pub ts_us: u64,
    pub node: u32,
    pub items: BTreeSet<u32>,
}

impl Stamped {
    pub fn key(&self) -> (u64, u64, u32) {
        (self.version, self.ts_us, self.node)
    }
}

/// A sibling: a cart value and the version vector of the write that made it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sibling {
    pub vv: Vec<u64>,
    pub items: BTreeSet<u32>,
}

/// `a ≤ b` entrywise.
pub fn dominated(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y)
}

/// Add `s` to a sibling set: dropped if some sibling already covers it; otherwise it replaces the
/// siblings it covers. Returns whether the set changed.
pub fn add_sibling(set: &mut Vec<Sibling>, s: Sibling) -> bool {
    if set.iter().any(|x| dominated(&s.vv, &x.vv)) {
        return false;
    }
    set.retain(|x| !dominated(&x.vv, &s.vv));
    set.push(s);
    true
}

/// The causal context of a read: the join of all siblings' vectors.
pub fn context(set: &[Sibling], n: usize) -> Vec<u64> {
    let mut vv = vec![0; n];
    for s in set {
        for (a, b) in vv.iter_mut().zip(&s.vv) {
            *a = (*a).max(*b);
        }
    }
    vv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sib(vv: &[u64], items: &[u32]) -> Sibling {
        Sibling { vv: vv.to_vec(), items: items.iter().copied().collect() }
    }

    #[test]
    fn concurrent_writes_become_siblings_and_a_later_write_replaces_both() {
        let mut set = vec![sib(&[1, 0], &[1])];
        assert!(add_sibling(&mut set, sib(&[1, 1], &[1, 2])), "descends: replaces");
        assert_eq!(set.len(), 1);
        assert!(add_sibling(&mut set, sib(&[2, 0], &[1, 3])), "concurrent: a sibling");
        assert_eq!(set.len(), 2);
        assert!(!add_sibling(&mut set, sib(&[1, 0], &[1])), "old news is ignored");
        let ctx = context(&set, 2);
        assert_eq!(ctx, vec![2, 1]);
        assert!(add_sibling(&mut set, sib(&[3, 1], &[1, 2, 3])));
        assert_eq!(set, vec![sib(&[3, 1], &[1, 2, 3])]);
    }

    #[test]
    fn versions_beat_clocks() {
        let early_but_newer = Stamped { version: 2, ts_us: 1, node: 0, items: BTreeSet::new() };
        let late_but_older = Stamped { version: 1, ts_us: 9, node: 1, items: BTreeSet::new() };
        assert!(early_but_newer.key() > late_but_older.key());
    }
}
