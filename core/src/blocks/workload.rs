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
        Generator {
            arrival: w.arrival.clone(),
            bursts: w.bursts.clone(),
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
            .find(|b| ms >= b.at_ms && ms < b.at_ms + b.duration_ms)
            .map(|b| b.rate_pct)
            .unwrap_or(100)
    }

    /// Open loop: the gap until this client's next request, or `None` if there is no open-loop load.
    /// `load_pct` is a surge in force ([`crate::node::Ctx::load_pct`], 100 = none), on top of the
    /// workload's bursts. During a burst at 0 % the client checks back every 100 ms.
    pub fn next_gap(&self, now: SimTime, load_pct: u32, rng: &mut Rng) -> Option<SimDuration> {
        if self.mean_gap_us <= 0.0 {
            return None;
        }
        // At most 100× normal, however a burst and a surge stack.
        let pct = (self.rate_pct(now) as u64 * load_pct as u64 / 100).min(10_000) as u32;
        if pct == 0 {
            return Some(SimDuration::from_ms(100));
        }
        let mean = self.mean_gap_us * 100.0 / pct as f64;
        let gap = -mean * libm::log(rng.next_f64_open0());
        Some(SimDuration((libm::round(gap) as u64).max(1)))
    }

    /// Closed loop: requests each client keeps going (0 when not closed-loop).
    pub fn concurrency(&self) -> u32 {
        match self.arrival {
            Arrival::Closed { concurrency, .. } => concurrency,
            _ => 0,
        }
    }

    /// Closed loop: the pause before the next request.
    pub fn think(&self, rng: &mut Rng) -> SimDuration {
        match &self.arrival {
            Arrival::Closed { think, .. } => SimDuration(think.sample(rng).max(1)),
            _ => SimDuration::from_ms(1),
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
}
