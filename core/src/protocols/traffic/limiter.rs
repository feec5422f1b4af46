//! Per-client rate limiters as pure state machines over arrival times: token bucket, leaky bucket
//! (as a queue), fixed window, sliding window (log). Integer arithmetic only.

use crate::ids::NodeId;
use crate::time::{SimDuration, SimTime};
use crate::view::Gauge;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Most steps in which a sliding window's gauge says its count falls.
const LEAVES: usize = 32;

/// Which limiter guards each client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitAlgorithm {
    /// Tokens refill at `rate_per_s` up to `burst`; a request takes one or is rejected.
    TokenBucket,
    /// Requests queue in a bucket of `burst` and leave at `rate_per_s`, evenly spaced.
    LeakyBucket,
    /// At most `rate_per_s × window_ms / 1000` requests per aligned window (a whole number: the
    /// scenario check refuses a window that would round it).
    FixedWindow,
    /// The same limit over the last `window_ms`, whatever the alignment.
    SlidingWindow,
}

/// What the limiter says about one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Admit,
    /// Admitted, but held back this long (leaky bucket).
    Delay(SimDuration),
    /// Over the limit: HTTP 429.
    Reject,
}

/// One client's limiter state.
#[derive(Clone, Debug)]
pub struct Limiter {
    algorithm: LimitAlgorithm,
    rate_per_s: u64,
    burst: u64,
    window_us: u64,
    /// Token bucket: tokens in millionths.
    level: u64,
    /// Leaky bucket: when the bucket is next free, in µs × `rate_per_s`, so that `1/rate` is
    /// exact at any rate (one request is 1,000,000 of these). Whole µs made 150,000/s leak at
    /// 166,667/s (review 55 C1).
    free_at: u128,
    last_us: u64,
    window_start_us: u64,
    window_count: u64,
    log: VecDeque<u64>,
}

impl Limiter {
    pub fn new(algorithm: LimitAlgorithm, rate_per_s: u32, burst: u32, window_ms: u64) -> Self {
        let burst = burst.max(1) as u64;
        Limiter {
            algorithm,
            rate_per_s: rate_per_s.max(1) as u64,
            burst,
            window_us: window_ms.max(1) * 1000,
            level: if algorithm == LimitAlgorithm::TokenBucket { burst * 1_000_000 } else { 0 },
            free_at: 0,
            last_us: 0,
            window_start_us: 0,
            window_count: 0,
            log: VecDeque::new(),
        }
    }

    /// Requests allowed per window (fixed and sliding windows).
    pub fn window_limit(&self) -> u64 {
        (self.rate_per_s * self.window_us / 1_000_000).max(1)
    }

    /// The limiter's level for a view, as `who`'s: tokens left (refilling), requests held back
    /// (draining), or requests counted in the window (leaving when the window ends, or one by one
    /// as they age out of a sliding one).
    pub fn gauge(&self, who: NodeId) -> Gauge {
        let (rate, burst, at) = (self.rate_per_s as f64, self.burst as f64, SimTime(self.last_us));
        let gauge = |label: &str, level: f64, max: f64, per_s: f64, leaves: Vec<(SimTime, u32)>| Gauge {
            label: label.into(),
            of: Some(who),
            level,
            max,
            per_s,
            at,
            leaves,
        };
        let limit = self.window_limit() as f64;
        match self.algorithm {
            LimitAlgorithm::TokenBucket => gauge("tokens", self.level as f64 / 1e6, burst, rate, Vec::new()),
            LimitAlgorithm::LeakyBucket => {
                let held = self.free_at.saturating_sub(self.scaled(self.last_us)) as f64 / 1e6;
                gauge("held", held, burst, -rate, Vec::new())
            }
            LimitAlgorithm::FixedWindow => {
                let (count, ends) = (self.window_count, SimTime(self.window_start_us + self.window_us));
                let leaves = (count > 0).then_some((ends, count as u32)).into_iter().collect();
                gauge("in window", count as f64, limit, 0.0, leaves)
            }
            LimitAlgorithm::SlidingWindow => {
                let live: Vec<u64> =
                    self.log.iter().copied().filter(|&a| a + self.window_us > self.last_us).collect();
                // A view is built every frame: at most `LEAVES` steps, each when its last request
                // leaves (never room before there is).
                let leaves = live
                    .chunks(live.len().div_ceil(LEAVES).max(1))
                    .map(|c| (SimTime(c[c.len() - 1] + self.window_us), c.len() as u32))
                    .collect();
                gauge("in window", live.len() as f64, limit, 0.0, leaves)
            }
        }
    }

    pub fn offer(&mut self, now: SimTime) -> Decision {
        let t = now.as_us();
        match self.algorithm {
            LimitAlgorithm::TokenBucket => self.token_bucket(t),
            LimitAlgorithm::LeakyBucket => self.leaky_bucket(t),
            LimitAlgorithm::FixedWindow => self.fixed_window(t),
            LimitAlgorithm::SlidingWindow => self.sliding_window(t),
        }
    }

    fn token_bucket(&mut self, t: u64) -> Decision {
        let elapsed = t.saturating_sub(self.last_us);
        self.last_us = t;
        self.level = (self.level + elapsed * self.rate_per_s).min(self.burst * 1_000_000);
        if self.level >= 1_000_000 {
            self.level -= 1_000_000;
            Decision::Admit
        } else {
            Decision::Reject
        }
    }

    /// `t` µs in the leaky bucket's units (µs × rate).
    fn scaled(&self, t: u64) -> u128 {
        u128::from(t) * u128::from(self.rate_per_s)
    }

    /// The bucket as a queue: each admitted request leaves `1/rate` after the previous one; at most
    /// `burst` may wait (the one leaving now included).
    fn leaky_bucket(&mut self, t: u64) -> Decision {
        self.last_us = t;
        let now = self.scaled(t);
        let free_at = self.free_at.max(now);
        let waiting = (free_at - now).div_ceil(1_000_000);
        if waiting >= u128::from(self.burst) {
            return Decision::Reject;
        }
        self.free_at = free_at + 1_000_000;
        // Its turn, rounded up to the next whole µs the simulation can wake at.
        match (free_at - now).div_ceil(u128::from(self.rate_per_s)) as u64 {
            0 => Decision::Admit,
            d => Decision::Delay(SimDuration(d)),
        }
    }

    fn fixed_window(&mut self, t: u64) -> Decision {
        self.last_us = t;
        let start = t - t % self.window_us;
        if start != self.window_start_us {
            self.window_start_us = start;
            self.window_count = 0;
        }
        if self.window_count < self.window_limit() {
            self.window_count += 1;
            Decision::Admit
        } else {
            Decision::Reject
        }
    }

    fn sliding_window(&mut self, t: u64) -> Decision {
        self.last_us = t;
        while self.log.front().is_some_and(|&a| a + self.window_us <= t) {
            self.log.pop_front();
        }
        if (self.log.len() as u64) < self.window_limit() {
            self.log.push_back(t);
            Decision::Admit
        } else {
            Decision::Reject
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Decision::*;

    fn run(alg: LimitAlgorithm, rate: u32, burst: u32, window_ms: u64, at_ms: &[u64]) -> String {
        let mut l = Limiter::new(alg, rate, burst, window_ms);
        at_ms
            .iter()
            .map(|&ms| match l.offer(SimTime::from_ms(ms)) {
                Admit => 'A',
                Delay(_) => 'D',
                Reject => 'R',
            })
            .collect()
    }

    #[test]
    fn token_bucket_spends_its_burst_then_refills_at_the_rate() {
        // 10/s = one token per 100 ms, bucket of 3, full at the start.
        let at = [0, 0, 0, 0, 50, 100, 150, 200, 200, 1000, 1000, 1000, 1000];
        assert_eq!(run(LimitAlgorithm::TokenBucket, 10, 3, 0, &at), "AAARRARARAAAR");
    }

    #[test]
    fn leaky_bucket_spaces_requests_and_overflows() {
        // 10/s: one leaves every 100 ms; at most 3 in the bucket.
        let mut l = Limiter::new(LimitAlgorithm::LeakyBucket, 10, 3, 0);
        let t0 = SimTime::from_ms(0);
        assert_eq!(l.offer(t0), Admit);
        assert_eq!(l.offer(t0), Delay(SimDuration::from_ms(100)));
        assert_eq!(l.offer(t0), Delay(SimDuration::from_ms(200)));
        assert_eq!(l.offer(t0), Reject);
        assert_eq!(l.offer(SimTime::from_ms(150)), Delay(SimDuration::from_ms(150)));
        assert_eq!(l.offer(SimTime::from_ms(1000)), Admit);
    }

    #[test]
    fn a_fast_leaky_bucket_leaks_at_its_rate() {
        // 150,000/s is 6.67 µs a request: whole µs made it 6, 166,667/s.
        let mut l = Limiter::new(LimitAlgorithm::LeakyBucket, 150_000, 1_000_000, 0);
        let last = (0..150_000).map(|_| l.offer(SimTime(0))).last();
        assert_eq!(last, Some(Delay(SimDuration(999_994))), "the 150,000th leaves within the second");
        assert_eq!(l.offer(SimTime(0)), Delay(SimDuration(1_000_000)));
    }

    #[test]
    fn fixed_window_resets_at_the_boundary_and_lets_a_double_burst_through() {
        // 5/s over 1 s windows: 5 per window; 5 by 999 ms and 5 more at 1000 ms all pass.
        let mut at = vec![0, 100, 200];
        at.extend([999, 999, 999, 1000, 1000, 1000, 1000, 1000, 1000]);
        assert_eq!(run(LimitAlgorithm::FixedWindow, 5, 1, 1000, &at), "AAAAARAAAAAR");
    }

    #[test]
    fn sliding_window_counts_the_last_window_whatever_the_alignment() {
        let at = [0, 100, 200, 999, 999, 999, 1000, 1099, 1100, 1200];
        assert_eq!(run(LimitAlgorithm::SlidingWindow, 5, 1, 1000, &at), "AAAAARARAA");
    }

    /// Found by the property below: the bucket of rate 51 drains one request in 19,607.84 µs, and
    /// the gauge's f64 drain must neither leave a sliver that says no once it has, nor say yes a
    /// microsecond before.
    #[test]
    fn a_leaky_buckets_gauge_says_yes_when_it_has_drained_exactly() {
        let mut l = Limiter::new(LimitAlgorithm::LeakyBucket, 51, 1, 1);
        assert_eq!(l.offer(SimTime(0)), Decision::Admit);
        let early = SimTime(19_607);
        assert!(l.gauge(NodeId(3)).says_no_at(early), "{:?}", l.gauge(NodeId(3)));
        let now = SimTime(19_608);
        assert!(!l.gauge(NodeId(3)).says_no_at(now), "{:?}", l.gauge(NodeId(3)));
        assert_eq!(l.offer(now), Decision::Admit);
    }

    proptest::proptest! {
        /// What the view says of the next request (its gauge's `says_no_at`) is what the limiter
        /// then does with it, for every algorithm, whatever the arrivals.
        #[test]
        fn the_gauge_says_no_exactly_when_the_limiter_rejects(
            alg in 0usize..4,
            rate in 1u32..200,
            burst in 1u32..8,
            window_ms in 1u64..400,
            gaps in proptest::collection::vec(0u64..60_000, 1..120),
        ) {
            let alg = [LimitAlgorithm::TokenBucket, LimitAlgorithm::LeakyBucket,
                LimitAlgorithm::FixedWindow, LimitAlgorithm::SlidingWindow][alg];
            let mut l = Limiter::new(alg, rate, burst, window_ms);
            let who = NodeId(3);
            let mut t = 0u64;
            for gap in gaps {
                t += gap;
                let now = SimTime(t);
                let said = l.gauge(who).says_no_at(now);
                let done = l.offer(now);
                proptest::prop_assert_eq!(said, done == Reject, "{:?} at {} µs: {:?}", alg, t, l.gauge(who));
            }
        }
    }

    #[test]
    fn a_windows_count_leaves_when_the_window_ends_or_as_each_request_ages_out() {
        let ms = SimTime::from_ms;
        let mut fixed = Limiter::new(LimitAlgorithm::FixedWindow, 5, 1, 1000);
        for at in [100, 200, 300] {
            fixed.offer(ms(at));
        }
        let g = fixed.gauge(NodeId(1));
        assert_eq!((g.label.as_str(), g.level_at(ms(999)), g.max), ("in window", 3.0, 5.0));
        assert_eq!(g.level_at(ms(1000)), 0.0, "a new window");
        let mut sliding = Limiter::new(LimitAlgorithm::SlidingWindow, 5, 1, 1000);
        for at in [100, 200, 300] {
            sliding.offer(ms(at));
        }
        let g = sliding.gauge(NodeId(1));
        let at = |t| g.level_at(ms(t));
        assert_eq!((at(1099), at(1100), at(1200), at(1300)), (3.0, 2.0, 1.0, 0.0));
    }
}
