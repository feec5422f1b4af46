//! The payloads of the newest messages sent, so a delivered or dropped one can still be described
//! when a student hovers its arrow in the space-time diagram or reads a node's recent messages.
//!
//! Cost, by design: a send clones its message into the open block (nothing is formatted until
//! someone asks); every [`BLOCK`] sends the block is frozen behind an `Rc`, and the oldest frozen
//! block is let go once [`KEPT`] newer messages are held. A checkpoint copies the open block and
//! the `Rc`s, so checkpoints a few hundred milliseconds apart share the blocks they have in common
//! instead of holding a copy each, and a restored checkpoint answers exactly as the run did then.

use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

/// Messages per block.
const BLOCK: usize = 256;
/// At least this many of the newest messages are kept (at most `KEPT + BLOCK - 1`). The space-time
/// diagram draws at most 2,000 delivered arrows, the newest; with the drops and the messages still
/// in flight beside them, this covers the window it draws but for runs that lose thousands of
/// messages within it (those older arrows say only what became of them).
pub const KEPT: usize = 4_096;

/// The newest messages sent, with their ids (ids only ever grow).
#[derive(Clone)]
pub struct Recent<M> {
    /// Full blocks, oldest first.
    frozen: VecDeque<Rc<[(u64, M)]>>,
    /// The block being filled.
    open: Vec<(u64, M)>,
    /// Keep every message, not only the newest [`KEPT`]: for an export that says what each
    /// message carried, never for a run being watched.
    all: bool,
}

impl<M> Default for Recent<M> {
    fn default() -> Self {
        Recent { frozen: VecDeque::new(), open: Vec::new(), all: false }
    }
}

impl<M: Clone> Recent<M> {
    /// Keep a copy of message `id`, just sent (ids must come in increasing order).
    pub fn keep(&mut self, id: u64, msg: &M) {
        debug_assert!(self.newest().is_none_or(|n| n < id), "message ids grow");
        if self.open.capacity() == 0 {
            self.open.reserve_exact(BLOCK);
        }
        self.open.push((id, msg.clone()));
        if self.open.len() == BLOCK {
            let full = std::mem::replace(&mut self.open, Vec::with_capacity(BLOCK));
            self.frozen.push_back(Rc::from(full));
            if !self.all && self.frozen.len() * BLOCK > KEPT {
                self.frozen.pop_front();
            }
        }
    }
}

impl<M> Recent<M> {
    /// From now on, keep every message sent.
    pub fn keep_all(&mut self) {
        self.all = true;
    }

    /// Message `id`, if it is among those kept.
    pub fn get(&self, id: u64) -> Option<&M> {
        let block: &[(u64, M)] = if self.open.first().is_some_and(|(first, _)| *first <= id) {
            &self.open
        } else {
            // The last full block that starts at or before `id`.
            let after = self.frozen.partition_point(|b| b.first().is_some_and(|(first, _)| *first <= id));
            self.frozen.get(after.checked_sub(1)?)?
        };
        let k = block.binary_search_by_key(&id, |(i, _)| *i).ok()?;
        Some(&block[k].1)
    }

    /// How many messages are kept.
    fn len(&self) -> usize {
        self.frozen.len() * BLOCK + self.open.len()
    }

    fn newest(&self) -> Option<u64> {
        self.open.last().or_else(|| self.frozen.back().and_then(|b| b.last())).map(|(id, _)| *id)
    }
}

/// Says how many are kept, not what: a checkpoint's `Debug` should not print thousands of messages.
impl<M> fmt::Debug for Recent<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recent({} messages up to {:?})", self.len(), self.newest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(n: u64) -> Recent<String> {
        let mut r = Recent::default();
        for id in 1..=n {
            r.keep(id, &format!("m{id}"));
        }
        r
    }

    #[test]
    fn finds_every_kept_message_and_none_older() {
        let r = kept(10);
        assert_eq!(r.get(1).map(String::as_str), Some("m1"));
        assert_eq!(r.get(10).map(String::as_str), Some("m10"));
        assert_eq!(r.get(0), None);
        assert_eq!(r.get(11), None, "not sent yet");
        let n = (KEPT + 3 * BLOCK + 17) as u64;
        let r = kept(n);
        assert!((KEPT..KEPT + BLOCK).contains(&r.len()), "{} kept", r.len());
        let oldest = n + 1 - r.len() as u64;
        for id in [oldest, oldest + 1, oldest + BLOCK as u64, n - 17, n - 16, n] {
            assert_eq!(r.get(id), Some(&format!("m{id}")), "message {id}");
        }
        assert_eq!(r.get(oldest - 1), None, "beyond the newest {KEPT}");
        assert_eq!(r.get(1), None);
    }

    #[test]
    fn told_to_keep_all_it_forgets_none() {
        let mut r = Recent::default();
        r.keep_all();
        let n = (KEPT + 3 * BLOCK + 17) as u64;
        for id in 1..=n {
            r.keep(id, &id);
        }
        assert_eq!(r.len(), n as usize);
        assert!([1, 2, BLOCK as u64 + 1, n].iter().all(|id| r.get(*id) == Some(id)));
    }

    #[test]
    fn ids_may_skip() {
        let mut r = Recent::default();
        for id in (1..=3 * BLOCK as u64).map(|i| i * 3) {
            r.keep(id, &id);
        }
        assert_eq!(r.get(300), Some(&300));
        assert_eq!(r.get(301), None);
        assert_eq!(r.get(3 * BLOCK as u64 * 3), Some(&(3 * BLOCK as u64 * 3)));
    }

    #[test]
    fn a_copy_shares_the_full_blocks_and_goes_its_own_way() {
        let mut a = kept(2 * BLOCK as u64 + 5);
        let b = a.clone();
        assert!(Rc::ptr_eq(&a.frozen[0], &b.frozen[0]), "frozen blocks are shared, not copied");
        a.keep(1_000, &"later".to_string());
        assert_eq!(a.get(1_000).map(String::as_str), Some("later"));
        assert_eq!(b.get(1_000), None, "the copy is a snapshot");
        assert_eq!(b.get(2), Some(&"m2".to_string()));
    }
}
