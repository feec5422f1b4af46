//! Sampling distributions for latencies, service times and think times.
//!
//! Parameters are integers (microseconds, or per-mille for shape parameters) so a scenario's JSON
//! round-trips exactly; transcendental functions go through `libm`, whose results are the same on
//! every target (the platform `f64::ln` may differ in the last bit between native and wasm).

use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// Largest value any distribution returns: one hour.
pub const MAX_SAMPLE_US: u64 = 3_600_000_000;

/// A distribution over non-negative durations in microseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Dist {
    /// Always `us`.
    Constant { us: u64 },
    /// Uniform over `[min_us, max_us]`.
    Uniform { min_us: u64, max_us: u64 },
    /// Normal, truncated at zero.
    Normal { mean_us: u64, std_us: u64 },
    /// Exponential with the given mean (memoryless: Poisson arrivals, M/M/c service).
    Exponential { mean_us: u64 },
    /// Log-normal given its median and its shape `sigma` in thousandths.
    LogNormal { median_us: u64, sigma_milli: u32 },
    /// Pareto (type I) with minimum `scale_us` and tail index `alpha` in thousandths (heavy tail).
    Pareto { scale_us: u64, alpha_milli: u32 },
    /// A weighted mixture, e.g. 99 % fast and 1 % slow.
    Mixture { parts: Vec<WeightedDist> },
    /// Draw uniformly from recorded samples.
    Empirical { samples_us: Vec<u64> },
}

/// One component of a mixture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedDist {
    pub weight: u32,
    pub dist: Dist,
}

impl Default for Dist {
    fn default() -> Self {
        Dist::Constant { us: 1000 }
    }
}

impl Dist {
    pub fn constant_ms(ms: u64) -> Self {
        Dist::Constant { us: ms * 1000 }
    }

    /// Draw one value in microseconds, clamped to `[0, MAX_SAMPLE_US]`.
    pub fn sample(&self, rng: &mut Rng) -> u64 {
        let v = match self {
            Dist::Constant { us } => *us as f64,
            Dist::Uniform { min_us, max_us } => {
                return rng.range_inclusive(*min_us, (*max_us).max(*min_us)).min(MAX_SAMPLE_US)
            }
            Dist::Normal { mean_us, std_us } => *mean_us as f64 + *std_us as f64 * std_normal(rng),
            Dist::Exponential { mean_us } => -(*mean_us as f64) * libm::log(rng.next_f64_open0()),
            Dist::LogNormal { median_us, sigma_milli } => {
                let sigma = *sigma_milli as f64 / 1000.0;
                *median_us as f64 * libm::exp(sigma * std_normal(rng))
            }
            Dist::Pareto { scale_us, alpha_milli } => {
                let alpha = (*alpha_milli).max(1) as f64 / 1000.0;
                *scale_us as f64 / libm::pow(rng.next_f64_open0(), 1.0 / alpha)
            }
            Dist::Mixture { parts } => return sample_mixture(parts, rng),
            Dist::Empirical { samples_us } => {
                if samples_us.is_empty() {
                    return 0;
                }
                return samples_us[rng.below(samples_us.len() as u64) as usize].min(MAX_SAMPLE_US);
            }
        };
        clamp_round(v)
    }

    /// The distribution's mean in microseconds (analytic where it exists), for lessons and
    /// utilisation figures.
    pub fn mean_us(&self) -> f64 {
        match self {
            Dist::Constant { us } => *us as f64,
            Dist::Uniform { min_us, max_us } => (*min_us as f64 + *max_us as f64) / 2.0,
            Dist::Normal { mean_us, .. } | Dist::Exponential { mean_us } => *mean_us as f64,
            Dist::LogNormal { median_us, sigma_milli } => {
                let s = *sigma_milli as f64 / 1000.0;
                *median_us as f64 * libm::exp(s * s / 2.0)
            }
            Dist::Pareto { scale_us, alpha_milli } => {
                let a = *alpha_milli as f64 / 1000.0;
                if a <= 1.0 {
                    f64::INFINITY
                } else {
                    a * *scale_us as f64 / (a - 1.0)
                }
            }
            Dist::Mixture { parts } => {
                let total: f64 = parts.iter().map(|p| p.weight as f64).sum();
                if total == 0.0 {
                    return 0.0;
                }
                parts.iter().map(|p| p.weight as f64 / total * p.dist.mean_us()).sum()
            }
            Dist::Empirical { samples_us } => {
                if samples_us.is_empty() {
                    0.0
                } else {
                    samples_us.iter().map(|&s| s as f64).sum::<f64>() / samples_us.len() as f64
                }
            }
        }
    }

    /// Check parameters; `Err` says what is wrong in words a scenario author understands.
    pub fn check(&self, depth: u32) -> Result<(), String> {
        if depth > 4 {
            return Err("mixtures may nest at most 4 deep".into());
        }
        let over = |v: u64, what: &str| {
            if v > MAX_SAMPLE_US {
                Err(format!("{what} = {v} is over the limit of {MAX_SAMPLE_US} µs (one hour)"))
            } else {
                Ok(())
            }
        };
        match self {
            Dist::Constant { us } => over(*us, "us"),
            Dist::Uniform { min_us, max_us } => {
                over(*max_us, "max_us")?;
                if min_us > max_us {
                    return Err(format!("min_us ({min_us}) is larger than max_us ({max_us})"));
                }
                Ok(())
            }
            Dist::Normal { mean_us, std_us } => {
                over(*mean_us, "mean_us")?;
                over(*std_us, "std_us")
            }
            Dist::Exponential { mean_us } => over(*mean_us, "mean_us"),
            Dist::LogNormal { median_us, sigma_milli } => {
                over(*median_us, "median_us")?;
                if *sigma_milli > 5_000 {
                    return Err(format!("sigma_milli = {sigma_milli} is over 5000 (sigma 5)"));
                }
                Ok(())
            }
            Dist::Pareto { scale_us, alpha_milli } => {
                over(*scale_us, "scale_us")?;
                if !(100..=100_000).contains(alpha_milli) {
                    return Err(format!(
                        "alpha_milli = {alpha_milli} must be between 100 and 100000 (alpha 0.1 to 100)"
                    ));
                }
                Ok(())
            }
            Dist::Mixture { parts } => {
                if parts.is_empty() || parts.len() > 16 {
                    return Err("a mixture needs 1 to 16 parts".into());
                }
                if parts.iter().all(|p| p.weight == 0) {
                    return Err("a mixture needs at least one part with weight > 0".into());
                }
                parts.iter().try_for_each(|p| p.dist.check(depth + 1))
            }
            Dist::Empirical { samples_us } => {
                if samples_us.is_empty() || samples_us.len() > 10_000 {
                    return Err("empirical samples_us needs 1 to 10000 values".into());
                }
                samples_us.iter().try_for_each(|&s| over(s, "a sample"))
            }
        }
    }
}

fn sample_mixture(parts: &[WeightedDist], rng: &mut Rng) -> u64 {
    let total: u64 = parts.iter().map(|p| p.weight as u64).sum();
    let mut pick = rng.below(total);
    for p in parts {
        if pick < p.weight as u64 {
            return p.dist.sample(rng);
        }
        pick -= p.weight as u64;
    }
    0
}

fn clamp_round(v: f64) -> u64 {
    if v.is_nan() || v <= 0.0 {
        0
    } else if v >= MAX_SAMPLE_US as f64 {
        MAX_SAMPLE_US
    } else {
        libm::round(v) as u64
    }
}

/// Standard normal by Box–Muller (one value per call; simple and target-independent).
pub fn std_normal(rng: &mut Rng) -> f64 {
    let u1 = rng.next_f64_open0();
    let u2 = rng.next_f64();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_of(d: &Dist, n: u32) -> f64 {
        let mut r = Rng::seed_from(11);
        (0..n).map(|_| d.sample(&mut r) as f64).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_analytic_means() {
        let cases = [
            Dist::Constant { us: 500 },
            Dist::Uniform { min_us: 100, max_us: 300 },
            Dist::Normal { mean_us: 10_000, std_us: 1_000 },
            Dist::Exponential { mean_us: 2_000 },
            Dist::LogNormal { median_us: 1_000, sigma_milli: 500 },
            Dist::Pareto { scale_us: 1_000, alpha_milli: 3_000 },
            Dist::Mixture {
                parts: vec![
                    WeightedDist { weight: 9, dist: Dist::Constant { us: 1_000 } },
                    WeightedDist { weight: 1, dist: Dist::Constant { us: 11_000 } },
                ],
            },
        ];
        for d in cases {
            let (got, want) = (mean_of(&d, 200_000), d.mean_us());
            assert!((got - want).abs() / want < 0.03, "{d:?}: sample mean {got}, analytic {want}");
        }
    }

    #[test]
    fn samples_are_clamped_and_deterministic() {
        let d = Dist::Pareto { scale_us: 1_000_000_000, alpha_milli: 100 };
        let mut a = Rng::seed_from(3);
        let mut b = Rng::seed_from(3);
        for _ in 0..1000 {
            let x = d.sample(&mut a);
            assert!(x <= MAX_SAMPLE_US);
            assert_eq!(x, d.sample(&mut b));
        }
    }

    #[test]
    fn check_rejects_nonsense() {
        assert!(Dist::Uniform { min_us: 5, max_us: 1 }.check(0).is_err());
        assert!(Dist::Constant { us: u64::MAX }.check(0).is_err());
        assert!(Dist::Mixture { parts: vec![] }.check(0).is_err());
        assert!(Dist::Exponential { mean_us: 10 }.check(0).is_ok());
    }
}
