//! Health checking as pure state machines: active checks (consecutive probe results against
//! thresholds, as in AWS ELB and HAProxy `rise`/`fall`) and passive checks (nginx `max_fails`
//! within `fail_timeout`: too many failed requests in a window take a backend out for a while).

use crate::time::SimTime;
use std::collections::VecDeque;

/// A change of an active check's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    BecameHealthy,
    BecameUnhealthy,
}

/// Active check state: healthy after `healthy_threshold` passes in a row, unhealthy after
/// `unhealthy_threshold` failures in a row.
#[derive(Clone, Debug)]
pub struct ActiveHealth {
    pub healthy: bool,
    ok_streak: u32,
    fail_streak: u32,
}

impl ActiveHealth {
    pub fn new(healthy: bool) -> Self {
        ActiveHealth { healthy, ok_streak: 0, fail_streak: 0 }
    }

    /// Record one probe result (`ok` = answered within the timeout).
    pub fn record(
        &mut self,
        ok: bool,
        healthy_threshold: u32,
        unhealthy_threshold: u32,
    ) -> Option<Transition> {
        if ok {
            self.ok_streak += 1;
            self.fail_streak = 0;
            if !self.healthy && self.ok_streak >= healthy_threshold {
                self.healthy = true;
                return Some(Transition::BecameHealthy);
            }
        } else {
            self.fail_streak += 1;
            self.ok_streak = 0;
            if self.healthy && self.fail_streak >= unhealthy_threshold {
                self.healthy = false;
                return Some(Transition::BecameUnhealthy);
            }
        }
        None
    }
}

/// Passive check state: failure times within the window, and an ejection deadline.
#[derive(Clone, Debug, Default)]
pub struct PassiveHealth {
    fails: VecDeque<u64>,
    ejected_until_us: u64,
}

impl PassiveHealth {
    /// Record a failed request; `true` if this ejects the backend (for `eject_ms` from now).
    pub fn record_failure(&mut self, now: SimTime, max_fails: u32, window_ms: u64, eject_ms: u64) -> bool {
        let t = now.as_us();
        if t < self.ejected_until_us {
            return false;
        }
        while self.fails.front().is_some_and(|&f| f + window_ms * 1000 <= t) {
            self.fails.pop_front();
        }
        self.fails.push_back(t);
        if self.fails.len() as u32 >= max_fails {
            self.fails.clear();
            self.ejected_until_us = t + eject_ms * 1000;
            return true;
        }
        false
    }

    pub fn ejected(&self, now: SimTime) -> bool {
        now.as_us() < self.ejected_until_us
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Transition::*;

    #[test]
    fn active_thresholds_need_streaks() {
        let mut h = ActiveHealth::new(true);
        let seq = [true, false, true, false, false, true, true, false, true, true, true];
        let got: Vec<Option<Transition>> = seq.iter().map(|&ok| h.record(ok, 3, 2)).collect();
        let want = [
            None,
            None,
            None,
            None,
            Some(BecameUnhealthy),
            None,
            None,
            None,
            None,
            None,
            Some(BecameHealthy),
        ];
        assert_eq!(got, want);
        assert!(h.healthy);
    }

    #[test]
    fn passive_ejects_after_max_fails_within_the_window_then_returns() {
        let mut p = PassiveHealth::default();
        let t = SimTime::from_ms;
        assert!(!p.record_failure(t(0), 3, 1000, 5000));
        assert!(!p.record_failure(t(600), 3, 1000, 5000));
        assert!(!p.record_failure(t(1100), 3, 1000, 5000)); // the failure at 0 has left the window
        assert!(p.record_failure(t(1500), 3, 1000, 5000));
        assert!(p.ejected(t(6499)));
        assert!(!p.record_failure(t(3000), 3, 1000, 5000), "failures while out do not count");
        assert!(!p.ejected(t(6500)));
    }
}
