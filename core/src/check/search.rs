//! The Wing–Gong search with Lowe's memoisation, over one partition (one key).
//!
//! Calls and returns are laid out in time order in a doubly linked list. The search walks it:
//! at a call it tries to linearize that operation now (the model must accept its output); if the
//! pair (set of linearized operations, model state) was seen before, that branch is known to fail
//! and is skipped. Reaching a *return* means the operation it belongs to should already have taken
//! effect: backtrack. The list empties exactly when a linearization exists. Each loop turn costs
//! one step of the budget, so a pathological history ends in "budget exhausted", never a hang.
//! (Wing & Gong 1993; Lowe, "Testing for linearizability", 2017; porcupine's `checkSingle`.)

use super::bitset::{Bitset, FnvBuild};
use super::model::Model;
use super::Op;
use std::collections::HashSet;

/// The result for one partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartResult {
    Linearizable,
    /// Not linearizable; the index (into the partition's ops) of the operation whose return the
    /// search could never get past, the furthest point any partial linearization reached.
    Bad(usize),
    Exhausted,
}

const NIL: usize = usize::MAX;
const HEAD: usize = 0;

/// The call/return list: node 0 is the head sentinel, nodes 1.. are entries in time order.
struct EntryList {
    op: Vec<usize>,
    is_call: Vec<bool>,
    matching: Vec<usize>,
    prev: Vec<usize>,
    next: Vec<usize>,
}

impl EntryList {
    /// Calls before returns at equal times (touching intervals count as concurrent); an unbounded
    /// return (`ret == None`) goes after everything.
    fn new<I, O>(ops: &[&Op<I, O>]) -> Self {
        let mut entries: Vec<(u64, bool, usize)> = Vec::with_capacity(ops.len() * 2);
        for (i, op) in ops.iter().enumerate() {
            entries.push((op.call, false, i));
            entries.push((op.ret.unwrap_or(u64::MAX), true, i));
        }
        entries.sort_unstable();
        let len = entries.len() + 1;
        let mut list = EntryList {
            op: vec![NIL; len],
            is_call: vec![false; len],
            matching: vec![NIL; len],
            prev: (0..len).map(|i| i.wrapping_sub(1)).collect(),
            next: (1..=len).map(|i| if i == len { NIL } else { i }).collect(),
        };
        let mut call_node = vec![NIL; ops.len()];
        for (pos, &(_, is_return, op)) in entries.iter().enumerate() {
            let node = pos + 1;
            list.op[node] = op;
            list.is_call[node] = !is_return;
            if is_return {
                list.matching[call_node[op]] = node;
            } else {
                call_node[op] = node;
            }
        }
        list
    }

    fn unlink(&mut self, i: usize) {
        let (p, n) = (self.prev[i], self.next[i]);
        self.next[p] = n;
        if n != NIL {
            self.prev[n] = p;
        }
    }

    fn relink(&mut self, i: usize) {
        let (p, n) = (self.prev[i], self.next[i]);
        self.next[p] = i;
        if n != NIL {
            self.prev[n] = i;
        }
    }

    fn lift(&mut self, call: usize) {
        self.unlink(call);
        self.unlink(self.matching[call]);
    }

    fn unlift(&mut self, call: usize) {
        self.relink(self.matching[call]);
        self.relink(call);
    }
}

/// Search one partition. `budget` is decremented once per step and shared across partitions.
pub fn check_partition<M: Model>(
    model: &M,
    ops: &[&Op<M::Input, M::Output>],
    budget: &mut u64,
) -> PartResult {
    let mut list = EntryList::new(ops);
    let mut state = model.init();
    let mut linearized = Bitset::new(ops.len());
    let mut seen: HashSet<(Bitset, M::State), FnvBuild> = HashSet::default();
    let mut calls: Vec<(usize, M::State)> = Vec::new();
    let mut furthest_return = 0;
    let mut entry = list.next[HEAD];
    while list.next[HEAD] != NIL {
        if *budget == 0 {
            return PartResult::Exhausted;
        }
        *budget -= 1;
        if list.is_call[entry] {
            let i = list.op[entry];
            if let Some(next_state) = model.step(&state, &ops[i].input, ops[i].output.as_ref()) {
                linearized.set(i);
                if seen.insert((linearized.clone(), next_state.clone())) {
                    calls.push((entry, std::mem::replace(&mut state, next_state)));
                    list.lift(entry);
                    entry = list.next[HEAD];
                    continue;
                }
                linearized.clear(i);
            }
            entry = list.next[entry];
        } else {
            furthest_return = furthest_return.max(entry);
            let Some((call, previous)) = calls.pop() else {
                return PartResult::Bad(list.op[furthest_return]);
            };
            state = previous;
            linearized.clear(list.op[call]);
            list.unlift(call);
            entry = list.next[call];
        }
    }
    PartResult::Linearizable
}
