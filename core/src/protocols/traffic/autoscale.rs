//! The auto-scaler's decision, as a pure function of what it measured: target tracking on worker
//! utilisation (AWS Application Auto Scaling style) with separate scale-out and scale-in cool-downs.

use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// Auto-scaling policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoscaleConfig {
    /// Keep average worker utilisation near this (the "CPU" target).
    pub target_util_pct: u32,
    pub min_tasks: u32,
    pub max_tasks: u32,
    /// How often the scaler looks at the metric.
    pub eval_ms: u64,
    /// After a scale-out, no further scale-out for this long.
    pub scale_out_cooldown_ms: u64,
    /// After any scaling, no scale-in for this long.
    pub scale_in_cooldown_ms: u64,
    /// A new task serves this long after it is launched.
    pub boot_ms: u64,
}

/// What the scaler decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleAction {
    Out(u32),
    In(u32),
    Hold,
}

/// Scaler memory: when it last acted.
#[derive(Clone, Debug, Default)]
pub struct Scaler {
    last_out_us: Option<u64>,
    last_any_us: Option<u64>,
}

impl Scaler {
    /// `tasks`: running or booting; `util_permille`: mean utilisation of the serving tasks.
    pub fn decide(
        &mut self,
        cfg: &AutoscaleConfig,
        now: SimTime,
        tasks: u32,
        util_permille: u32,
    ) -> ScaleAction {
        let t = now.as_us();
        let cooled = |last: Option<u64>, ms: u64| last.is_none_or(|l| t >= l + ms * 1000);
        let target = (cfg.target_util_pct * 10).max(1) as u64;
        // Target tracking: the task count that would bring utilisation back to the target.
        let wanted = (tasks as u64 * util_permille as u64).div_ceil(target) as u32;
        let wanted = wanted.clamp(cfg.min_tasks, cfg.max_tasks);
        let action = if wanted > tasks && cooled(self.last_out_us, cfg.scale_out_cooldown_ms) {
            self.last_out_us = Some(t);
            ScaleAction::Out(wanted - tasks)
        } else if wanted < tasks && cooled(self.last_any_us, cfg.scale_in_cooldown_ms) {
            ScaleAction::In(1)
        } else {
            ScaleAction::Hold
        };
        if action != ScaleAction::Hold {
            self.last_any_us = Some(t);
        }
        action
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ScaleAction::*;

    #[test]
    fn scales_out_to_the_target_then_waits_out_the_cooldowns() {
        let cfg = AutoscaleConfig {
            target_util_pct: 70,
            min_tasks: 1,
            max_tasks: 8,
            eval_ms: 1000,
            scale_out_cooldown_ms: 3000,
            scale_in_cooldown_ms: 5000,
            boot_ms: 0,
        };
        let mut s = Scaler::default();
        let t = SimTime::from_ms;
        // (time, tasks, utilisation ‰) → decision
        let steps = [
            (0, 2, 500, Hold),      // 50 % is under the target
            (1000, 2, 980, Out(1)), // 2 × 98 % / 70 % = 2.8 → 3
            (2000, 3, 990, Hold),   // scale-out cool-down
            (4000, 3, 990, Out(2)), // 3 × 99 % / 70 % = 4.24 → 5
            (5000, 5, 300, Hold),   // scale-in waits 5 s after the last action
            (9000, 5, 300, In(1)),
            (10000, 4, 300, Hold),
            (14000, 4, 300, In(1)),
            (20000, 8, 1000, Hold), // already at max_tasks
            (25000, 1, 10, Hold),   // already at min_tasks
        ];
        for (ms, tasks, util, want) in steps {
            assert_eq!(s.decide(&cfg, t(ms), tasks, util), want, "at {ms} ms");
        }
    }
}
