//! Client workload generation: open-loop Poisson arrivals (with bursts), closed loop with think
//! time, and key popularity (uniform or Zipf). Pure functions of a random stream.

use crate::dist::Dist;
use crate::rng::Rng;
use crate::scenario::{Arrival, Burst, Keys, Workload};
use crate::time::{SimDuration, SimTime};
use std::sync::Arc;

/// Picks keys with a given popularity.
#[derive(Clone, Debug)]
pub enum KeyPicker {
    Uniform(u64),
    /// Cumulative distribution over keys `0..n` (key 0 is the hottest).
    Zipf(Arc<[f64]>),
}

impl KeyPicker {
    pub fn new(keys: &Keys) -> Self {
        match *keys {
            Keys::Uniform { count } => KeyPicker::Uniform(count.max(1) as u64),
            Keys::Zipf { count, s_milli } => {
                let s = s_milli as f64 / 1000.0;
                let mut acc = 0.0;
                let mut cdf: Vec<f64> = (1..=count.max(1))
                    .map(|k| {
                        acc += 1.0 / libm::pow(k as f64, s);
                        acc
                    })
                    .collect();
                cdf.iter_mut().for_each(|c| *c /= acc);
                KeyPicker::Zipf(cdf.into())
            }
        }
    }

    pub fn count(&self) -> u64 {
        match self {
            KeyPicker::Uniform(n) => *n,
            KeyPicker::Zipf(c) => c.len() as u64,
        }
    }

    pub fn pick(&self, rng: &mut Rng) -> u64 {
        match self {
            KeyPicker::Uniform(n) => rng.below(*n),
            KeyPicker::Zipf(cdf) => {
                let u = rng.next_f64();
                (cdf.partition_point(|&c| c <= u) as u64).min(cdf.len() as u64 - 1)
            }
        }
    }
}

/// One client's share of the workload.
#[derive(Clone, Debug)]
pub struct Generator {
    pub arrival: Arrival,
    bursts: Vec<Burst>,
    /// With a burst at 0 %: every time the bursts' rate may change (a burst starts or ends), in
    /// µs, sorted. Empty otherwise: nothing is skipped.
    edges_us: Arc<[u64]>,
    /// Mean gap between this client's open-loop arrivals, in µs (0 = no open-loop load).
    mean_gap_us: f64,
    pub keys: KeyPicker,
    pub read_permille: u32,
    pub timeout: Option<SimDuration>,
}

impl Generator {
    pub fn new(w: &Workload) -> Self {
        let clients = w.clients.max(1) as f64;
        let mean_gap_us = match w.arrival {
            Arrival::Open { rate_per_s } if rate_per_s > 0 => 1e6 * clients / rate_per_s as f64,
            _ => 0.0,
        };
        let mut edges_us: Vec<u64> = Vec::new();
        if w.bursts.iter().any(|b| b.rate_pct == 0) {
            let ends = w.bursts.iter().flat_map(|b| [b.at_ms, b.at_ms.saturating_add(b.duration_ms)]);
            edges_us = ends.map(|ms| ms.saturating_mul(1000)).collect();
            edges_us.sort_unstable();
            edges_us.dedup();
        }
        Generator {
            arrival: w.arrival.clone(),
            bursts: w.bursts.clone(),
            edges_us: edges_us.into(),
            mean_gap_us,
            keys: KeyPicker::new(&w.keys),
            read_permille: w.read_permille,
            timeout: (w.timeout_ms > 0).then(|| SimDuration::from_ms(w.timeout_ms)),
        }
    }

    /// Rate multiplier (percent) in force at `now`.
    pub fn rate_pct(&self, now: SimTime) -> u32 {
        let ms = now.as_us() / 1000;
        self.bursts
            .iter()
            .rev()
            .find(|b| ms >= b.at_ms && ms < b.at_ms.saturating_add(b.duration_ms))
            .map(|b| b.rate_pct)
            .unwrap_or(100)
    }

    /// Open loop: the gap until this client's next request, or `None` if there is no open-loop load.
    /// `load_pct` is a surge in force ([`crate::node::Ctx::load_pct`], 100 = none), on top of the
    /// workload's bursts; the gap is drawn at the rate in force now (at 0 %, at the rate the burst
    /// ends into). Bursts at 0 % do not count towards it: the clock stops through them, so no
    /// request falls in one, and a client in one schedules nothing until it ends.
    pub fn next_gap(&self, now: SimTime, load_pct: u32, rng: &mut Rng) -> Option<SimDuration> {
        if self.mean_gap_us <= 0.0 {
            return None;
        }
        // In a burst at 0 %: draw from where it ends.
        let from = if self.rate_pct(now) == 0 { self.zero_ends(now) } else { now };
        let burst_pct = self.rate_pct(from) as u64;
        // At most 100× normal, however a burst and a surge stack; a surge (1 % at least) never
        // makes a running load 0.
        let pct = (burst_pct * load_pct as u64 / 100).clamp(1, 10_000) as u32;
        let mean = self.mean_gap_us * 100.0 / pct as f64;
        let gap = -mean * libm::log(rng.next_f64_open0());
        let gap = SimDuration((libm::round(gap) as u64).max(1));
        Some(self.skip_zero(from, gap).since(now))
    }

    /// The end of the burst at 0 % that `t` is in: the first time after it that the bursts' rate
    /// is above 0 (no burst in force at the last edge, so there is one).
    fn zero_ends(&self, t: SimTime) -> SimTime {
        let mut later = self.edges_us.iter().map(|us| SimTime(*us)).filter(|e| *e > t);
        later.find(|e| self.rate_pct(*e) > 0).unwrap_or(t)
    }

    /// `from + gap` with the clock stopped through every burst at 0 % on the way.
    fn skip_zero(&self, from: SimTime, gap: SimDuration) -> SimTime {
        let (mut t, mut left) = (from, gap);
        loop {
            let zero = self.edges_us.iter().map(|us| SimTime(*us)).find(|e| *e > t && self.rate_pct(*e) == 0);
            match zero {
                // A burst holds from its start: a request due at that instant waits too.
                Some(start) if start <= t + left => {
                    left = SimDuration(left.as_us() - start.since(t).as_us());
                    t = self.zero_ends(start);
                }
                _ => return t + left,
            }
        }
    }

    /// Closed loop: requests each client keeps going (0 when not closed-loop).
    pub fn concurrency(&self) -> u32 {
        match self.arrival {
            Arrival::Closed { concurrency, .. } => concurrency,
            _ => 0,
        }
    }

    /// Closed loop: the pause after a request ends before the next takes its place, for a request
    /// the workload `generated`. `None` (and nothing drawn) for an open loop, or for a request
    /// sent by hand: it holds no place, so its end starts nothing (review: each hand request
    /// grew the loop by one for good).
    pub fn think_after(&self, generated: bool, rng: &mut Rng) -> Option<SimDuration> {
        match &self.arrival {
            Arrival::Closed { think, .. } if generated => Some(SimDuration(think.sample(rng).max(1))),
            _ => None,
        }
    }

    pub fn key(&self, rng: &mut Rng) -> u64 {
        self.keys.pick(rng)
    }

    pub fn is_read(&self, rng: &mut Rng) -> bool {
        rng.below(1000) < self.read_permille as u64
    }
}

/// A helper for closed-loop think time when a protocol wants a plain distribution.
pub fn sample_duration(d: &Dist, rng: &mut Rng) -> SimDuration {
    SimDuration(d.sample(rng))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_is_skewed_and_uniform_is_flat() {
        let mut r = Rng::seed_from(5);
        let z = KeyPicker::new(&Keys::Zipf { count: 100, s_milli: 1000 });
        let mut hits = [0u32; 100];
        for _ in 0..100_000 {
            hits[z.pick(&mut r) as usize] += 1;
        }
        assert!(hits[0] > 15_000 && hits[0] > 5 * hits[9], "key 0 is hot: {:?}", &hits[..10]);
        let u = KeyPicker::new(&Keys::Uniform { count: 4 });
        assert!((0..1000).all(|_| u.pick(&mut r) < 4));
    }

    #[test]
    fn poisson_gaps_have_the_right_mean_and_bursts_scale_them() {
        let w = Workload {
            clients: 2,
            arrival: Arrival::Open { rate_per_s: 1000 },
            bursts: vec![Burst { at_ms: 1000, duration_ms: 1000, rate_pct: 400 }],
            ..Workload::default()
        };
        let g = Generator::new(&w);
        let mut r = Rng::seed_from(1);
        let mean = |t: u64, load: u32, r: &mut Rng| {
            (0..50_000)
                .map(|_| g.next_gap(SimTime::from_ms(t), load, r).map_or(0, |d| d.as_us()))
                .sum::<u64>() as f64
                / 50_000.0
        };
        let base = mean(0, 100, &mut r);
        assert!((base - 2000.0).abs() < 50.0, "2 clients at 1000/s: 2 ms per client, got {base}");
        let burst = mean(1500, 100, &mut r);
        assert!((burst - 500.0).abs() < 15.0, "4x during the burst, got {burst}");
        // A surge stacks on the burst, up to 100× in all.
        let surge = mean(0, 500, &mut r);
        assert!((surge - 400.0).abs() < 12.0, "5x under a surge, got {surge}");
        let both = mean(1500, 500, &mut r);
        assert!((both - 100.0).abs() < 4.0, "20x under both, got {both}");
        let capped = mean(1500, 10_000, &mut r);
        assert!((capped - 20.0).abs() < 2.0, "at most 100x, got {capped}");
    }

    /// A burst at 0 % from 1 s to 3 s, nested in a ×2 one from 0.5 s to 5 s (the later burst
    /// rules where they overlap), and another at 0 % from 6 s to 6.5 s.
    fn with_zero_bursts() -> (Generator, Generator) {
        let bursts = vec![
            Burst { at_ms: 500, duration_ms: 4_500, rate_pct: 200 },
            Burst { at_ms: 1_000, duration_ms: 2_000, rate_pct: 0 },
            Burst { at_ms: 6_000, duration_ms: 500, rate_pct: 0 },
        ];
        let w = Workload { clients: 1, arrival: Arrival::Open { rate_per_s: 10 }, ..Workload::default() };
        let plain = Generator::new(&w);
        (Generator::new(&Workload { bursts, ..w }), plain)
    }

    /// Until the fix a client in a burst at 0 % was told to check back in 100 ms, over and over:
    /// ten timers a second each, and a request at each in the protocols that did not look again.
    #[test]
    fn a_client_in_a_burst_at_zero_percent_waits_for_its_end_and_its_gaps_skip_such_bursts() {
        let (g, plain) = with_zero_bursts();
        let at = |ms: u64| SimTime::from_ms(ms);
        for seed in 0..200 {
            let r = Rng::seed_from(seed);
            let gap =
                |g: &Generator, ms: u64, load: u32| g.next_gap(at(ms), load, &mut r.clone()).expect("load");
            // In the burst at 0 %: the gap a client would draw at 3 s (×2 there), plus the wait.
            assert_eq!(gap(&g, 1_500, 100), SimDuration::from_ms(1_500) + gap(&plain, 0, 200), "seed {seed}");
            // Drawn at 0.9 s (×2): a request due in the burst waits until it ends, the clock stopped.
            let drawn = gap(&plain, 0, 200);
            let moved =
                if at(900) + drawn >= at(1_000) { drawn + SimDuration::from_ms(2_000) } else { drawn };
            assert_eq!(gap(&g, 900, 100), moved, "seed {seed}");
            // Drawn at 5.9 s (normal rate), under a ×3 surge: the 6 s burst stops it too.
            let drawn = gap(&plain, 5_900, 300);
            let moved =
                if at(5_900) + drawn >= at(6_000) { drawn + SimDuration::from_ms(500) } else { drawn };
            assert_eq!(gap(&g, 5_900, 300), moved, "seed {seed}");
            // Nowhere near a burst at 0 %: as without one.
            assert_eq!(gap(&g, 10_000, 100), gap(&plain, 10_000, 100), "seed {seed}");
        }
        // No request ever lands in a burst at 0 %.
        let mut r = Rng::seed_from(9);
        let mut t = SimTime::ZERO;
        while t < at(8_000) {
            t = t + g.next_gap(t, 100, &mut r).expect("load");
            assert!(g.rate_pct(t) > 0, "a request at {t:?}");
        }
    }
}
