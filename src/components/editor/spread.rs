//! Switching a distribution to another type keeps its scale. A latency of 1–3 ms switched to
//! `constant` is 2 ms, and switched to `exponential` has a mean of 2 ms. Before, each type came as
//! some preset's example: `constant` came as t1-queueing's 0 µs, a network with no delay at all,
//! and a think time the scenario refused.

use dsplay_core::dist::Dist;
use serde_json::{Map, Value};

/// `new`, a distribution of another type than `old`, with its scale set from `old`'s mean. Left
/// as it is when either is no distribution (a key law, an arrival), when `new` has no single scale
/// (a mixture, samples), or when `old` has no finite mean (a Pareto tail with alpha ≤ 1).
pub fn keep_scale(old: &Map<String, Value>, new: Value) -> Value {
    let as_dist = |v: Value| serde_json::from_value::<Dist>(v).ok();
    let (Some(was), Some(to)) = (as_dist(Value::Object(old.clone())), as_dist(new.clone())) else {
        return new;
    };
    let mean = was.mean_us();
    if !mean.is_finite() {
        return new;
    }
    let c = mean.round() as u64;
    let scaled = match to {
        Dist::Constant { .. } => Dist::Constant { us: c },
        Dist::Uniform { .. } => Dist::Uniform { min_us: c / 2, max_us: c + c / 2 },
        Dist::Normal { .. } => Dist::Normal { mean_us: c, std_us: c / 5 },
        Dist::Exponential { .. } => Dist::Exponential { mean_us: c },
        // Its median where the mean was: near enough for a shape the user then tunes.
        Dist::LogNormal { sigma_milli, .. } => Dist::LogNormal { median_us: c, sigma_milli },
        Dist::Pareto { alpha_milli, .. } if alpha_milli > 1000 => {
            let a = f64::from(alpha_milli) / 1000.0;
            Dist::Pareto { scale_us: (mean * (a - 1.0) / a).round() as u64, alpha_milli }
        }
        _ => return new,
    };
    serde_json::to_value(scaled).unwrap_or(new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wasm_bindgen_test::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[wasm_bindgen_test]
    fn a_switched_distribution_keeps_the_mean_it_had() {
        let uniform = obj(json!({"type": "uniform", "min_us": 1000, "max_us": 3000}));
        let zero = json!({"type": "constant", "us": 0});
        assert_eq!(keep_scale(&uniform, zero), json!({"type": "constant", "us": 2000}));
        let exp = json!({"type": "exponential", "mean_us": 10});
        assert_eq!(keep_scale(&uniform, exp), json!({"type": "exponential", "mean_us": 2000}));
        let constant = obj(json!({"type": "constant", "us": 4000}));
        let back = keep_scale(&constant, json!({"type": "uniform", "min_us": 0, "max_us": 1}));
        assert_eq!(back, json!({"type": "uniform", "min_us": 2000, "max_us": 6000}));
        let pareto = keep_scale(&constant, json!({"type": "pareto", "scale_us": 5, "alpha_milli": 2000}));
        assert_eq!(pareto, json!({"type": "pareto", "scale_us": 2000, "alpha_milli": 2000}));
    }

    #[wasm_bindgen_test]
    fn what_is_no_distribution_or_has_no_scale_is_left_alone() {
        let keys = obj(json!({"type": "uniform", "count": 100}));
        let zipf = json!({"type": "zipf", "count": 100, "s_milli": 1100});
        assert_eq!(keep_scale(&keys, zipf.clone()), zipf);
        let constant = obj(json!({"type": "constant", "us": 4000}));
        let samples = json!({"type": "empirical", "samples_us": [1, 2]});
        assert_eq!(keep_scale(&constant, samples.clone()), samples);
        let heavy = obj(json!({"type": "pareto", "scale_us": 5000, "alpha_milli": 900}));
        let exp = json!({"type": "exponential", "mean_us": 7});
        assert_eq!(keep_scale(&heavy, exp.clone()), exp, "no finite mean to keep");
    }
}
