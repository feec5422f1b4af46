//! Retry policies: how long to wait before retry number k (the AWS Architecture Blog's
//! "Exponential Backoff And Jitter" definitions), and a retry budget (Finagle-style token bucket)
//! that caps retries to a share of first attempts.

use crate::rng::Rng;
use crate::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// The waiting rule between attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackoffKind {
    /// Retry at once.
    None,
    /// Always `base`.
    Constant,
    /// `min(cap, base · 2^k)`.
    Exponential,
    /// `random(0, min(cap, base · 2^k))`.
    FullJitter,
    /// `t/2 + random(0, t/2)` with `t = min(cap, base · 2^k)`.
    EqualJitter,
    /// `min(cap, random(base, previous · 3))`, starting from `previous = base`.
    DecorrelatedJitter,
}

/// A retry policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    pub backoff: BackoffKind,
    pub base_ms: u64,
    pub cap_ms: u64,
    /// Optional budget: retries may not exceed this share of first attempts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetConfig>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_retries: 0, backoff: BackoffKind::None, base_ms: 10, cap_ms: 1000, budget: None }
    }
}

impl RetryPolicy {
    pub fn check(&self) -> Result<(), String> {
        if self.max_retries > 100 {
            return Err("max_retries must be at most 100".into());
        }
        if self.cap_ms > 3_600_000 || self.base_ms > self.cap_ms.max(1) {
            return Err("need base_ms ≤ cap_ms ≤ 3600000".into());
        }
        if let Some(b) = &self.budget {
            if b.ratio_permille > 10_000 || b.min_per_s > 100_000 {
                return Err("budget.ratio_permille ≤ 10000 and budget.min_per_s ≤ 100000".into());
            }
        }
        Ok(())
    }
}

/// The per-call backoff state (decorrelated jitter remembers its last sleep).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BackoffState {
    prev_us: u64,
}

impl BackoffState {
    /// The wait before retry number `retry` (1 for the first retry).
    pub fn next_delay(&mut self, p: &RetryPolicy, retry: u32, rng: &mut Rng) -> SimDuration {
        let base = p.base_ms * 1000;
        let cap = p.cap_ms * 1000;
        let exp = || base.saturating_mul(1u64 << (retry.saturating_sub(1)).min(40)).min(cap);
        let us = match p.backoff {
            BackoffKind::None => 0,
            BackoffKind::Constant => base,
            BackoffKind::Exponential => exp(),
            BackoffKind::FullJitter => rng.range_inclusive(0, exp()),
            BackoffKind::EqualJitter => {
                let t = exp();
                t / 2 + rng.range_inclusive(0, t / 2)
            }
            BackoffKind::DecorrelatedJitter => {
                let prev = if self.prev_us == 0 { base } else { self.prev_us };
                let hi = prev.saturating_mul(3).max(base);
                rng.range_inclusive(base, hi).min(cap)
            }
        };
        self.prev_us = us;
        SimDuration(us)
    }
}

/// Retries allowed per first attempt, plus a floor per second.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetConfig {
    /// Each first attempt earns this many thousandths of a retry (100 = retries ≤ 10 %).
    pub ratio_permille: u32,
    /// Retries always allowed per second (on average over the budget's 10 s), whatever the traffic.
    #[serde(default)]
    pub min_per_s: u32,
}

/// How long an earned retry (and a spent one) counts: Finagle's RetryBudget default TTL. The
/// budget is what the last `BUDGET_TTL_S` seconds earned, less what they spent.
pub const BUDGET_TTL_S: u64 = 10;

/// A retry budget as Finagle keeps one: each second's deposits (first attempts × the ratio) and
/// withdrawals (retries) in thousandths of a retry, forgotten after [`BUDGET_TTL_S`], plus a
/// reserve of `min_per_s` × the TTL. So a calm minute saves no more than a calm ten seconds: with
/// a cap of "ten seconds' worth" counted in retries, 60 s of calm had saved api about 1,000
/// retries, and a pause at 65 s brought back the storm the budget is for (review 7).
#[derive(Clone, Debug)]
pub struct RetryBudget {
    cfg: BudgetConfig,
    /// (second of the run, thousandths earned less spent in it), oldest first.
    seconds: VecDeque<(u64, i64)>,
}

impl RetryBudget {
    pub fn new(cfg: BudgetConfig) -> Self {
        RetryBudget { cfg, seconds: VecDeque::new() }
    }

    /// Forget the seconds past the TTL; `now`'s second is the last one.
    fn roll(&mut self, now: SimTime) {
        let s = now.as_us() / 1_000_000;
        while self.seconds.front().is_some_and(|&(t, _)| t + BUDGET_TTL_S <= s) {
            self.seconds.pop_front();
        }
        if self.seconds.back().is_none_or(|&(t, _)| t != s) {
            self.seconds.push_back((s, 0));
        }
    }

    fn add(&mut self, now: SimTime, milli: i64) {
        self.roll(now);
        if let Some(last) = self.seconds.back_mut() {
            last.1 += milli;
        }
    }

    /// Thousandths of a retry available now.
    fn balance(&self) -> i64 {
        let reserve = i64::from(self.cfg.min_per_s) * BUDGET_TTL_S as i64 * 1000;
        reserve + self.seconds.iter().map(|&(_, m)| m).sum::<i64>()
    }

    /// A first attempt was made: earn a share of a retry.
    pub fn deposit(&mut self, now: SimTime) {
        self.add(now, i64::from(self.cfg.ratio_permille));
    }

    /// Take one retry if the budget holds one.
    pub fn try_withdraw(&mut self, now: SimTime) -> bool {
        self.roll(now);
        let ok = self.balance() >= 1000;
        if ok {
            self.add(now, -1000);
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(backoff: BackoffKind) -> RetryPolicy {
        RetryPolicy { max_retries: 10, backoff, base_ms: 10, cap_ms: 100, budget: None }
    }

    fn delays_ms(backoff: BackoffKind, seed: u64) -> Vec<u64> {
        let p = policy(backoff);
        let mut st = BackoffState::default();
        let mut r = Rng::seed_from(seed);
        (1..=6).map(|k| st.next_delay(&p, k, &mut r).as_us() / 1000).collect()
    }

    #[test]
    fn exponential_doubles_up_to_the_cap() {
        assert_eq!(delays_ms(BackoffKind::Exponential, 0), vec![10, 20, 40, 80, 100, 100]);
        assert_eq!(delays_ms(BackoffKind::Constant, 0), vec![10; 6]);
        assert_eq!(delays_ms(BackoffKind::None, 0), vec![0; 6]);
    }

    #[test]
    fn jitters_stay_in_their_ranges_and_replay_for_a_seed() {
        for seed in 0..50 {
            let full = delays_ms(BackoffKind::FullJitter, seed);
            let equal = delays_ms(BackoffKind::EqualJitter, seed);
            let exp = delays_ms(BackoffKind::Exponential, 0);
            for k in 0..6 {
                assert!(full[k] <= exp[k], "full jitter in [0, exp]: {full:?}");
                assert!(equal[k] >= exp[k] / 2 && equal[k] <= exp[k], "equal jitter in [exp/2, exp]");
            }
            let deco = delays_ms(BackoffKind::DecorrelatedJitter, seed);
            assert!(deco.iter().all(|&d| (10..=100).contains(&d)), "decorrelated in [base, cap]: {deco:?}");
            assert_eq!(full, delays_ms(BackoffKind::FullJitter, seed), "same rng, same delays");
        }
    }

    #[test]
    fn decorrelated_jitter_follows_its_previous_sleep() {
        // Exact sequence for a given rng: each delay is drawn from [base, 3 × previous] ∩ cap.
        let p = policy(BackoffKind::DecorrelatedJitter);
        let mut st = BackoffState::default();
        let mut r = Rng::seed_from(7);
        let mut check = Rng::seed_from(7);
        let mut prev = 10_000u64;
        for k in 1..=8 {
            let want = check.range_inclusive(10_000, prev * 3).min(100_000);
            assert_eq!(st.next_delay(&p, k, &mut r).as_us(), want);
            prev = want;
        }
    }

    #[test]
    fn full_jitter_matches_the_rng_exactly() {
        let p = policy(BackoffKind::FullJitter);
        let mut st = BackoffState::default();
        let mut r = Rng::seed_from(3);
        let mut check = Rng::seed_from(3);
        for (k, cap_us) in [(1, 10_000), (2, 20_000), (3, 40_000), (4, 80_000), (5, 100_000)] {
            assert_eq!(st.next_delay(&p, k, &mut r).as_us(), check.range_inclusive(0, cap_us));
        }
    }

    #[test]
    fn budget_allows_a_share_of_first_attempts() {
        let mut b = RetryBudget::new(BudgetConfig { ratio_permille: 200, min_per_s: 0 });
        let t = SimTime::from_ms(1);
        assert!(!b.try_withdraw(t), "no first attempts, no retries");
        for _ in 0..10 {
            b.deposit(t);
        }
        // 10 first attempts × 0.2 = 2 retries.
        assert!(b.try_withdraw(t));
        assert!(b.try_withdraw(t));
        assert!(!b.try_withdraw(t));
    }

    #[test]
    fn the_floor_allows_min_per_s_over_the_ttl_and_comes_back_as_retries_expire() {
        let mut b = RetryBudget::new(BudgetConfig { ratio_permille: 0, min_per_s: 2 });
        let t0 = SimTime::from_ms(0);
        assert_eq!((0..30).filter(|_| b.try_withdraw(t0)).count(), 20, "2 a second over 10 s");
        assert!(!b.try_withdraw(SimTime::from_ms(9_999)), "still spent");
        assert!(b.try_withdraw(SimTime::from_ms(10_000)), "the retries of second 0 have expired");
    }

    #[test]
    fn earned_retries_expire_so_a_long_calm_saves_no_more_than_ten_seconds() {
        let mut b = RetryBudget::new(BudgetConfig { ratio_permille: 100, min_per_s: 0 });
        // 100 first attempts a second for 60 s: 10 retries earned each second.
        for ms in (0..60_000).step_by(10) {
            b.deposit(SimTime::from_ms(ms));
        }
        let now = SimTime::from_ms(60_000);
        let saved = (0..1_000).filter(|_| b.try_withdraw(now)).count();
        assert!((90..=100).contains(&saved), "about 10 s worth, not 60: {saved}");
    }
}
