//! The network model as data: a default link, per-link overrides, and optional regions.

use crate::dist::Dist;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How one directed link behaves. Probabilities are parts per million.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinkSpec {
    /// One-way delay.
    pub latency: Dist,
    pub loss_ppm: u32,
    pub dup_ppm: u32,
    /// With this probability a message is held back by up to twice its latency (reordering).
    pub reorder_ppm: u32,
}

impl Default for LinkSpec {
    fn default() -> Self {
        LinkSpec {
            latency: Dist::Uniform { min_us: 1_000, max_us: 3_000 },
            loss_ppm: 0,
            dup_ppm: 0,
            reorder_ppm: 0,
        }
    }
}

impl LinkSpec {
    /// In short words: "~200 ms, 20 % loss" (mean latency, then what is not zero).
    pub fn said(&self) -> String {
        let short = |x: f64| format!("{x:.1}").trim_end_matches(".0").to_string();
        let mut said = format!("~{} ms", short(self.latency.mean_us() / 1000.0));
        for (ppm, what) in [(self.loss_ppm, "loss"), (self.dup_ppm, "dup"), (self.reorder_ppm, "reorder")] {
            if ppm > 0 {
                said += &format!(", {} % {what}", short(f64::from(ppm) / 10_000.0));
            }
        }
        said
    }
}

/// A link override from the start of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkOverride {
    pub from: String,
    pub to: String,
    pub spec: LinkSpec,
    #[serde(default)]
    pub both_ways: bool,
}

/// Regions with a one-way base latency matrix; node latency = matrix + the link's own latency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regions {
    pub names: Vec<String>,
    /// `latency_ms[i][j]`: base one-way latency from region i to region j.
    pub latency_ms: Vec<Vec<u64>>,
    /// Node name → region name.
    pub of: BTreeMap<String, String>,
}

/// The whole network model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    #[serde(rename = "default")]
    pub default_link: LinkSpec,
    pub links: Vec<LinkOverride>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regions: Option<Regions>,
}
