//! What E6's nodes say to each other, and the timers they set.

use crate::node::{Ctx, Kind};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockMsg {
    /// Buyer → lock: "let me hold the lock" (queued while someone else holds it).
    Acquire,
    /// Lock → buyer: the lock is yours for `lease_ms`; `token` is the fencing number of this grant.
    /// A buyer takes a grant only once: a copy (a duplicate, or a late one) has a token no higher
    /// than one it has already been handed, and is ignored.
    Granted { token: u64, lease_ms: u64 },
    /// Buyer → lock: done with the grant `token` (ignored if that lease already expired).
    Release { token: u64 },
    /// Buyer → store: how many are left? Under its lock grant `token` if it holds one: the store
    /// checks the token on every request, reads included (Chubby's sequencers).
    Read { token: Option<u64> },
    /// Store → buyer: this many, answering the read under `token`: a buyer takes only the answer
    /// to the read it is waiting for, not a late or duplicated one from an earlier purchase.
    Value { stock: u64, token: Option<u64> },
    /// Buyer → store: set the stock to `stock` (what it read, minus the one it buys), under its
    /// lock grant `token` if it holds one.
    Write { stock: u64, token: Option<u64> },
    /// Store → buyer: the write of `stock` under `token` is done, and with it the purchase. Like
    /// `Value`, it names the write it answers: a late or duplicated answer to an earlier write must
    /// not end the purchase under way while its own write is still on the wire.
    Written { stock: u64, token: Option<u64> },
    /// Store → buyer (fencing): `token` is older than `highest`, a token the store has already
    /// seen; the read or write is refused.
    Refused { token: u64, highest: u64 },
}

impl Kind for LockMsg {
    const KINDS: &'static [&'static str] =
        &["Acquire", "Granted", "Release", "Read", "Value", "Write", "Written", "Refused"];

    fn kind(&self) -> &'static str {
        match self {
            LockMsg::Acquire => "Acquire",
            LockMsg::Granted { .. } => "Granted",
            LockMsg::Release { .. } => "Release",
            LockMsg::Read { .. } => "Read",
            LockMsg::Value { .. } => "Value",
            LockMsg::Write { .. } => "Write",
            LockMsg::Written { .. } => "Written",
            LockMsg::Refused { .. } => "Refused",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LockTimer {
    /// Buyer: time to start the next purchase.
    Shop,
    /// Buyer: done thinking about the stock it read; check the lease and prepare the write.
    Think,
    /// Buyer: the write it prepared goes out now.
    Send,
    /// Buyer: no answer to its last request (`Acquire`, `Read` or `Write`) in `timeout_ms`.
    Timeout,
    /// Lock service: the lease of grant `token` runs out now, by the service's clock.
    LeaseEnd(u64),
    /// Lock service, after a restart: a lease granted before the crash has surely run out now,
    /// so it may grant again.
    Recovered,
}

impl Kind for LockTimer {
    fn kind(&self) -> &'static str {
        match self {
            LockTimer::Shop => "Shop",
            LockTimer::Think => "Think",
            LockTimer::Send => "Send",
            LockTimer::Timeout => "Timeout",
            LockTimer::LeaseEnd(_) => "LeaseEnd",
            LockTimer::Recovered => "Recovered",
        }
    }
}

pub(super) type C<'a> = Ctx<'a, LockMsg, LockTimer>;

/// Seconds with three decimals, as notes show times ("3.412 s").
pub(super) fn secs(t: crate::time::SimTime) -> String {
    format!("{:.3} s", t.as_ms_f64() / 1000.0)
}
