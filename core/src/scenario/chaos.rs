//! R6 — a seeded chaos mode for any scenario. The `chaos` section is expanded, when the
//! simulation is built, into ordinary timed fault events (crash/restart, lossy or slow links,
//! slow nodes) drawn from the `Chaos` random stream, so a chaos run replays exactly like any
//! other, and the timeline shows every fault it injected.

use super::{LinkSpec, ScenarioError, ScenarioEvent, Timed};
use crate::dist::Dist;
use crate::rng::{Purpose, Rng};
use serde::{Deserialize, Serialize};

/// Chaos Monkey for the simulator: faults at random times, on random nodes, each lasting a while.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChaosConfig {
    /// Nodes that may be hit (empty = every node).
    pub targets: Vec<String>,
    pub start_ms: u64,
    /// When chaos stops (0 = the end of the run).
    pub end_ms: u64,
    /// Mean time between faults (exponentially distributed gaps).
    pub mean_gap_ms: u64,
    /// How long each fault lasts before it is undone.
    pub duration_ms: u64,
    /// Relative weights of the fault kinds.
    pub kill_weight: u32,
    pub drop_weight: u32,
    pub delay_weight: u32,
    pub slow_weight: u32,
    /// Drop: share of packets to and from the node lost, in parts per million.
    pub loss_ppm: u32,
    /// Delay: one-way latency of every link to and from the node.
    pub delay_ms: u64,
    /// Slow: factor applied to the node's processing (percent).
    pub slow_factor_pct: u32,
}

impl Default for ChaosConfig {
    fn default() -> Self {
        ChaosConfig {
            targets: Vec::new(),
            start_ms: 1000,
            end_ms: 0,
            mean_gap_ms: 2000,
            duration_ms: 1000,
            kill_weight: 1,
            drop_weight: 1,
            delay_weight: 1,
            slow_weight: 1,
            loss_ppm: 300_000,
            delay_ms: 200,
            slow_factor_pct: 1000,
        }
    }
}

impl ChaosConfig {
    pub fn check(&self) -> Result<(), ScenarioError> {
        let bad = |f: &str, m: &str| ScenarioError::invalid(format!("chaos.{f}"), m.to_string());
        if self.mean_gap_ms < 10 || self.mean_gap_ms > 3_600_000 {
            return Err(bad("mean_gap_ms", "must be 10 to 3600000"));
        }
        let rule = |holds: bool, f: &str, m: &str| ScenarioError::require(holds, format!("chaos.{f}"), m);
        rule((1..=3_600_000).contains(&self.duration_ms), "duration_ms", "must be 1 to 3600000")?;
        rule(self.delay_ms <= 60_000, "delay_ms", "must be at most 60000")?;
        let weights = [
            ("kill_weight", self.kill_weight),
            ("drop_weight", self.drop_weight),
            ("delay_weight", self.delay_weight),
            ("slow_weight", self.slow_weight),
        ];
        for (f, w) in weights {
            rule(w <= 1000, f, "must be 0 to 1000")?;
        }
        let none = "the four weights are all 0: give at least one kind of fault a weight";
        rule(weights.iter().any(|&(_, w)| w > 0), "kill_weight", none)?;
        rule(self.loss_ppm <= 1_000_000, "loss_ppm", "must be at most 1000000 (100 %)")?;
        rule((1..=100_000).contains(&self.slow_factor_pct), "slow_factor_pct", "must be 1 to 100000")?;
        if self.targets.len() > 512 {
            return Err(bad("targets", "at most 512 names"));
        }
        Ok(())
    }

    /// The fault events for a run: `names` are the simulation's nodes, `normal` the link spec a
    /// degraded link returns to. A node is never hit again while one of its faults lasts.
    pub fn expand(&self, seed: u64, stop_at_ms: u64, names: &[String], normal: &LinkSpec) -> Vec<Timed> {
        let mut rng = Rng::stream(seed, Purpose::Chaos, 0);
        let pool: Vec<&String> =
            if self.targets.is_empty() { names.iter().collect() } else { self.targets.iter().collect() };
        let end = if self.end_ms == 0 { stop_at_ms } else { self.end_ms.min(stop_at_ms) };
        let gap = Dist::Exponential { mean_us: self.mean_gap_ms * 1000 };
        let mut busy_until = vec![0u64; pool.len()];
        let mut out = Vec::new();
        let mut t = self.start_ms;
        while !pool.is_empty() && out.len() < 5_000 {
            t += (gap.sample(&mut rng) / 1000).max(1);
            if t >= end {
                break;
            }
            let i = rng.below(pool.len() as u64) as usize;
            let kind = self.pick_kind(&mut rng);
            if busy_until[i] > t {
                continue;
            }
            let until = t + self.duration_ms;
            busy_until[i] = until;
            let (hit, undo) = self.fault(kind, pool[i], normal);
            out.push(Timed::at(t, hit));
            out.push(Timed::at(until, undo));
        }
        out.sort_by_key(|e| e.at_ms);
        out
    }

    fn pick_kind(&self, rng: &mut Rng) -> u32 {
        let w = [self.kill_weight, self.drop_weight, self.delay_weight, self.slow_weight];
        let mut x = rng.below(w.iter().map(|&v| v as u64).sum());
        for (k, &v) in w.iter().enumerate() {
            if x < v as u64 {
                return k as u32;
            }
            x -= v as u64;
        }
        0
    }

    fn fault(&self, kind: u32, node: &str, normal: &LinkSpec) -> (ScenarioEvent, ScenarioEvent) {
        let node = node.to_string();
        let link = |spec: LinkSpec| ScenarioEvent::Link {
            from: "*".into(),
            to: node.clone(),
            spec,
            both_ways: true,
        };
        match kind {
            0 => (ScenarioEvent::Crash { node: node.clone() }, ScenarioEvent::Restart { node }),
            1 => (link(LinkSpec { loss_ppm: self.loss_ppm, ..normal.clone() }), link(normal.clone())),
            2 => {
                let us = self.delay_ms * 1000;
                let latency = Dist::Uniform { min_us: us, max_us: us + us / 2 };
                (link(LinkSpec { latency, ..normal.clone() }), link(normal.clone()))
            }
            _ => (
                ScenarioEvent::Slow { node: node.clone(), factor_pct: self.slow_factor_pct },
                ScenarioEvent::Slow { node, factor_pct: 100 },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: u32) -> Vec<String> {
        (1..=n).map(|i| format!("n{i}")).collect()
    }

    #[test]
    fn expansion_is_seeded_paired_and_never_overlaps_on_a_node() {
        let c = ChaosConfig { mean_gap_ms: 300, duration_ms: 500, ..ChaosConfig::default() };
        let a = c.expand(7, 30_000, &names(4), &LinkSpec::default());
        assert_eq!(a, c.expand(7, 30_000, &names(4), &LinkSpec::default()), "same seed, same chaos");
        assert_ne!(a, c.expand(8, 30_000, &names(4), &LinkSpec::default()));
        assert!(a.len() > 20 && a.len() % 2 == 0, "faults come with their undo: {}", a.len());
        assert!(a.windows(2).all(|w| w[0].at_ms <= w[1].at_ms) && a[0].at_ms > 1000);
        // Per node, crash/restart alternate: never two crashes in a row.
        for n in names(4) {
            let mut down = false;
            for e in &a {
                match &e.event {
                    ScenarioEvent::Crash { node } if *node == n => {
                        assert!(!down, "{n} crashed twice");
                        down = true;
                    }
                    ScenarioEvent::Restart { node } if *node == n => down = false,
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn weights_select_the_fault_kinds_and_targets_restrict_the_nodes() {
        let c = ChaosConfig {
            targets: vec!["n2".into()],
            drop_weight: 0,
            delay_weight: 0,
            slow_weight: 0,
            mean_gap_ms: 100,
            duration_ms: 50,
            ..ChaosConfig::default()
        };
        let evs = c.expand(1, 10_000, &names(3), &LinkSpec::default());
        assert!(!evs.is_empty());
        assert!(evs.iter().all(|e| matches!(&e.event,
            ScenarioEvent::Crash { node } | ScenarioEvent::Restart { node } if node == "n2")));
    }
}
