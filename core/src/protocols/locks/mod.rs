//! # E6 — Distributed locks, leases and fencing tokens
//!
//! **The problem.** Two buyers want the last pair of sneakers. Each reads the stock (1), decides
//! to buy, and writes the stock minus one (0): both are told they bought it, and one pair was sold
//! twice. The classic fix is a lock: only the holder may read-modify-write. But a lock service
//! cannot wait for ever on a holder that may have died, so it grants *leases*: the lock is yours
//! for `lease_ms`, then it is free again. Now a holder that is merely slow (a stop-the-world GC
//! pause, a swapped-out process, a VM migration) loses the lock without knowing it, wakes up and
//! writes as if it still held it — two holders again. Checking the lease before writing cannot
//! help: the pause can fall between the check and the write. Only the resource can tell: with
//! *fencing tokens* every grant carries a number one higher than the last, the holder sends it
//! with every request, and the store refuses a read or a write whose token is lower than one it
//! has already seen. The read must be fenced too: a store that learned tokens only from writes
//! would take a stale write landing between the new holder's read and its write (the stale token
//! is higher than any written so far), then the new holder's write, and sell the item twice.
//!
//! **Message flow.** A buyer sends `Acquire` to the `lock`; the lock answers
//! `Granted { token, lease_ms }` at once if it is free, or queues the buyer (first come, first
//! served) until the holder sends `Release { token }` or its lease runs out by the lock's own
//! clock. The holder sends `Read { token }` to the `store` (`Value { stock, token }`), thinks,
//! checks its lease, and `Write { stock − 1, token }`s; the store answers each with
//! `Value`/`Written` or, with fencing and a stale token, `Refused`. A buyer takes only the `Value`
//! that answers its read under its current token: a late or duplicated answer to a read of an
//! earlier purchase (a stock others may have bought from since) is ignored, or the fencing would
//! be checked on one read and the write based on another. Likewise it takes only the `Written`
//! (or `Refused`) that answers its write under its current token: a late copy of the answer to
//! an earlier purchase would end this one, and release the lock, while its write is still on the
//! wire. A write identical to the last one the store served (same buyer, token and stock: the
//! network's duplicate) is answered `Written` again and sells nothing.
//! A buyer takes each grant once: it remembers the highest token any `Granted` has brought it
//! (durably, like the lock's counter), and ignores a `Granted` whose token is no higher. Such a
//! grant is a copy — the network duplicated it, and the copy can land after the buyer has
//! bought, released and asked again — and since the lock grants one token at a time, in
//! increasing order, that grant has already ended at the lock; taken, it would make a second
//! holder under an old token, its lease counted afresh from the copy's arrival.
//! The buyer then releases and, after a while, buys again until it reads a stock of 0 (sold out).
//! Without a lock (`mode: none`) a buyer goes straight to `Read` and `Write`, with no token.
//! A lock service that crashes forgets its holder and its queue but not its token counter; on
//! restart it cannot know whether a lease it granted is still running, so it grants nothing for
//! `lease_ms` (the longest a lease can run: Gray & Cheriton; Chubby's master after a fail-over).
//! `Acquire`s that arrive meanwhile are queued, not refused, and served in order when the wait
//! ends; a buyer that has waited `timeout_ms` by then asks again.
//!
//! **Roles and timers.** Buyers `c1…cN`: `Shop` (the next purchase), `Think` (done thinking:
//! check the lease), `Send` (`write_delay_ms` after the check, the write goes out), `Timeout`
//! (no answer in `timeout_ms`: the purchase is given up and started again; a buyer whose write
//! went unanswered does not know whether it bought). The lock service: `LeaseEnd(token)`, and
//! `Recovered` (`lease_ms` after a restart: it may grant again). The store: none. Clients do not
//! renew their leases: a lease is long enough for one purchase, and a renewal timer would be
//! frozen by a pause like everything else.
//! A buyer counts its lease from the moment the grant arrived, less a tenth as a margin for the
//! grant's flight: a heuristic, right only while a grant arrives within a tenth of the lease
//! (50 ms in the presets). The safe bound counts from when the buyer *asked* (Gray and Cheriton's
//! leases; D5's holders do this), which no slow link can break; a pause defeats either, which is
//! what fencing is for. A paused node's timers run on
//! the wall clock, as a real process's do through a GC pause: a `Send` that came due during the
//! pause fires the moment the buyer resumes, so the write goes out at once, not after the rest
//! of `write_delay_ms` — the delay is time that passed, not work left to do.
//! A buyer asks for the lock only when it holds no grant (it released, gave up, or crashed and
//! restarted): a new `Acquire` tells the lock that the buyer's expired grants are given up, and
//! `holders` stops counting them, though their `Release` never came.
//!
//! **Invariants.** `no item sold twice`: the store reports a write whose buyer read more stock
//! than is left, i.e. a write that puts items other buyers have bought back on sale.
//! `one holder at a time` (with a lock, in both modes): the store reports a request it served,
//! read or write, whose token is lower than one an earlier request carried — two buyers acted as
//! the holder. With fencing such a request is refused, not served, so neither invariant can break
//! however long a holder pauses; with leases alone both can break when a paused holder comes back,
//! and when the network hands the store a holder's write after its lease (a slow link, or a
//! duplicate of the write landing late): a message held up on the wire is a pause the holder
//! cannot see either.
//! `one lease at a time` (with a lock): the lock service's own, checked on ghost state a crash
//! does not take: it never grants while a lease it granted runs by its clock — restarted, it must
//! wait one lease out first. The store's checks cannot see a lock that grants twice when fencing
//! hides it.
//!
//! **What to watch.** The `holders` gauge (grants the lock handed out and has not had back: 2
//! while a paused holder still believes), `lease_expired`, the store's `stock` jumping *up* when a
//! stale write lands, `double_sold` and `sold` against the stock, `refused_stale_token` with
//! fencing, and the buyer's notes around the pause: "checked its lease … 480 ms left", then,
//! after the pause, "writes … its lease ran out 1 s ago".
//!
//! **References.** M. Kleppmann, *How to do distributed locking* (2016) and *Designing
//! Data-Intensive Applications*, ch. 8 ("The leader and the lock", fencing tokens); M. Burrows,
//! *The Chubby lock service for loosely-coupled distributed systems* (OSDI 2006: sequencers);
//! C. Gray, D. Cheriton, *Leases* (SOSP 1989).

mod buyer;
mod msg;
mod node;
mod service;
mod store;

pub use msg::{LockMsg, LockTimer};
pub use node::LockNode;

use crate::dist::Dist;
use crate::scenario::{Scenario, ScenarioError};
use serde::{Deserialize, Serialize};

/// How buyers keep each other out of the read-modify-write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockMode {
    /// No lock: every buyer reads and writes whenever it likes.
    None,
    /// A lock service with leases; the store takes any write.
    Lease,
    /// Leases, and the store refuses a read or a write whose fencing token is older than one it
    /// has seen.
    LeaseFencing,
}

/// E6 configuration: the buyers, the stock, the lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocksConfig {
    pub mode: LockMode,
    /// Buyer nodes `c1…`.
    pub buyers: u32,
    /// Items in stock at the start.
    pub stock: u64,
    /// How long a grant lasts without a release, by the lock service's clock.
    #[serde(default = "default_lease_ms")]
    pub lease_ms: u64,
    /// Time a buyer spends between reading the stock and checking its lease.
    pub think: Dist,
    /// From the lease check to the write going out (building the request): where a pause hurts.
    #[serde(default = "default_write_delay_ms")]
    pub write_delay_ms: u64,
    /// A buyer's wait between one purchase and the next (also before its first).
    pub between: Dist,
    /// A buyer that hears nothing back this long after a request gives the purchase up and
    /// starts again (0 = waits for ever).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_lease_ms() -> u64 {
    500
}
fn default_write_delay_ms() -> u64 {
    20
}
fn default_timeout_ms() -> u64 {
    1000
}

/// The config the locks' unit tests run: 10 in stock, 500 ms leases, 1 ms think and gaps.
#[cfg(test)]
pub(super) fn test_config(mode: LockMode, buyers: u32) -> LocksConfig {
    let d = Dist::Constant { us: 1000 };
    LocksConfig {
        mode,
        buyers,
        stock: 10,
        lease_ms: 500,
        think: d.clone(),
        write_delay_ms: 20,
        between: d,
        timeout_ms: 1000,
    }
}

impl LocksConfig {
    pub fn validate(&self, _sc: &Scenario) -> Result<(), ScenarioError> {
        let bad = |f: &str, m: &str| ScenarioError::invalid(format!("protocol.{f}"), m.to_string());
        if !(1..=16).contains(&self.buyers) {
            return Err(bad("buyers", "must be 1 to 16"));
        }
        if !(1..=100_000).contains(&self.stock) {
            return Err(bad("stock", "must be 1 to 100000"));
        }
        if !(10..=600_000).contains(&self.lease_ms) {
            return Err(bad("lease_ms", "must be 10 to 600000"));
        }
        if self.write_delay_ms > 60_000 {
            return Err(bad("write_delay_ms", "must be 0 to 60000"));
        }
        if self.timeout_ms > 600_000 {
            return Err(bad("timeout_ms", "must be 0 (wait for ever) to 600000"));
        }
        self.think.check(0).map_err(|m| bad("think", &m))?;
        self.between.check(0).map_err(|m| bad("between", &m))?;
        Ok(())
    }

    pub fn has_lock(&self) -> bool {
        self.mode != LockMode::None
    }
}

/// The nodes: buyers `c1…`, the `lock` service (unless `mode` is `none`), the `store`.
pub fn build(_sc: &Scenario, cfg: &LocksConfig) -> Vec<(String, LockNode)> {
    let lock = cfg.has_lock().then_some(crate::ids::NodeId(cfg.buyers));
    let store = crate::ids::NodeId(cfg.buyers + u32::from(cfg.has_lock()));
    let mut out: Vec<(String, LockNode)> =
        (1..=cfg.buyers).map(|i| (format!("c{i}"), LockNode::buyer(cfg, lock, store))).collect();
    if lock.is_some() {
        out.push(("lock".into(), LockNode::service(cfg.lease_ms)));
    }
    out.push(("store".into(), LockNode::store(cfg)));
    out
}
