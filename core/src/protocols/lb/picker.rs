//! Backend selection algorithms, as pure state machines over backend indices.

use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// How the balancer picks a backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    RoundRobin,
    /// Classic (LVS) weighted round robin: the heavy backend's turns come in a burst ({5,1,1} →
    /// a a a a a b c).
    WeightedRoundRobin,
    /// nginx's smooth weighted round robin: picks interleave ({5,1,1} → a a b a c a a).
    SmoothWeightedRoundRobin,
    LeastConnections,
    /// Sample two backends at random, take the one with fewer active requests.
    PowerOfTwoChoices,
    Random,
    /// One shared FIFO queue at the balancer: a request goes to a backend only when one of its
    /// workers is free (M/M/c when service and arrivals are exponential).
    CentralQueue,
}

impl Algorithm {
    /// Every algorithm, in the order above.
    const ALL: [Algorithm; 7] = [
        Algorithm::RoundRobin,
        Algorithm::WeightedRoundRobin,
        Algorithm::SmoothWeightedRoundRobin,
        Algorithm::LeastConnections,
        Algorithm::PowerOfTwoChoices,
        Algorithm::Random,
        Algorithm::CentralQueue,
    ];
    /// Their names in a scenario, in the same order.
    pub const NAMES: [&'static str; 7] = [
        "round_robin",
        "weighted_round_robin",
        "smooth_weighted_round_robin",
        "least_connections",
        "power_of_two_choices",
        "random",
        "central_queue",
    ];

    /// The name a scenario gives it (`least_connections`).
    pub fn name(self) -> &'static str {
        let i = Self::ALL.iter().position(|&a| a == self).unwrap_or(0);
        Self::NAMES[i]
    }

    /// The algorithm a scenario names so.
    pub fn named(name: &str) -> Option<Algorithm> {
        Self::NAMES.iter().position(|&n| n == name).map(|i| Self::ALL[i])
    }
}

/// The picker's state.
#[derive(Clone, Debug)]
pub struct Picker {
    pub algorithm: Algorithm,
    weights: Vec<i64>,
    current: Vec<i64>,
    next: usize,
    wrr_i: usize,
    wrr_cw: i64,
    gcd: i64,
    max_w: i64,
}

impl Picker {
    pub fn new(algorithm: Algorithm, weights: &[u32]) -> Self {
        let weights: Vec<i64> = weights.iter().map(|&w| w.max(1) as i64).collect();
        let g = weights.iter().fold(0, |g, &w| crate::protocols::gcd(g, w as u64)).max(1) as i64;
        let max_w = weights.iter().copied().max().unwrap_or(1);
        let wrr_i = weights.len().saturating_sub(1);
        Picker {
            algorithm,
            current: vec![0; weights.len()],
            weights,
            next: 0,
            wrr_i,
            wrr_cw: 0,
            gcd: g,
            max_w,
        }
    }

    /// Pick by `to` from now on, its state fresh (a weighted cycle starts over).
    pub fn switch(&mut self, to: Algorithm) {
        self.algorithm = to;
        self.current.iter_mut().for_each(|c| *c = 0);
        (self.wrr_i, self.wrr_cw) = (self.weights.len().saturating_sub(1), 0);
    }

    /// Pick among `weights.len()` backends from now on (backends taken into or out of rotation):
    /// round robin goes on from where it was, a weighted cycle starts over.
    pub fn resize(&mut self, weights: &[u32]) {
        let next = self.next;
        *self = Picker::new(self.algorithm, weights);
        self.next = next;
    }

    /// Number of backends.
    pub fn len(&self) -> usize {
        self.weights.len()
    }
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Choose a backend among `0..n`; `active[i]` is its number of open requests.
    pub fn pick(&mut self, active: &[u32], rng: &mut Rng) -> usize {
        let n = self.weights.len();
        if n <= 1 {
            return 0;
        }
        match self.algorithm {
            Algorithm::RoundRobin => {
                let i = self.next % n;
                self.next = (i + 1) % n;
                i
            }
            Algorithm::WeightedRoundRobin => self.lvs_wrr(),
            Algorithm::SmoothWeightedRoundRobin => self.smooth_wrr(),
            Algorithm::LeastConnections | Algorithm::CentralQueue => {
                // Fewest active; ties rotate so equal backends share the load.
                let start = self.next % n;
                let best = (0..n).map(|k| (start + k) % n).min_by_key(|&i| active[i]).unwrap_or(0);
                self.next = (best + 1) % n;
                best
            }
            Algorithm::PowerOfTwoChoices => {
                let a = rng.below(n as u64) as usize;
                let b = (a + 1 + rng.below(n as u64 - 1) as usize) % n;
                if active[b] < active[a] {
                    b
                } else {
                    a
                }
            }
            Algorithm::Random => rng.below(n as u64) as usize,
        }
    }

    /// How many picks before the weighted algorithms' picks repeat: the weights' sum over their
    /// greatest common divisor ({5,1,1}: 7; {2,2}: 2; {13,10}: 23). Each backend gets its weight's
    /// share of every cycle, in both nginx's and LVS's algorithm.
    pub fn period(&self) -> u32 {
        (self.weights.iter().sum::<i64>() / self.gcd).clamp(1, i64::from(u32::MAX)) as u32
    }

    /// Why the weighted algorithms just picked `i`, from the state the pick left (the others'
    /// choice is plain from the load): for the event log of a student stepping through picks.
    pub fn why(&self, i: usize) -> Option<String> {
        let list = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        match self.algorithm {
            Algorithm::SmoothWeightedRoundRobin => {
                let total: i64 = self.weights.iter().sum();
                let mut added = self.current.clone();
                *added.get_mut(i)? += total;
                let before: Vec<i64> = added.iter().zip(&self.weights).map(|(c, w)| c - w).collect();
                Some(format!(
                    "b{}: current [{}] + weights [{}] = [{}], b{} is largest; minus the total {total} → [{}]",
                    i + 1,
                    list(&before),
                    list(&self.weights),
                    list(&added),
                    i + 1,
                    list(&self.current)
                ))
            }
            Algorithm::WeightedRoundRobin => Some(format!(
                "b{}: its weight {} ≥ the round's threshold {} (of weights [{}]; the threshold drops by {} each pass)",
                i + 1,
                self.weights.get(i)?,
                self.wrr_cw,
                list(&self.weights),
                self.gcd
            )),
            _ => None,
        }
    }

    /// nginx `ngx_http_upstream_get_peer`: add each weight to its current value, take the largest
    /// (the earlier backend on ties), subtract the total from it.
    fn smooth_wrr(&mut self) -> usize {
        let total: i64 = self.weights.iter().sum();
        let mut best = 0;
        for i in 0..self.weights.len() {
            self.current[i] += self.weights[i];
            if self.current[i] > self.current[best] {
                best = i;
            }
        }
        self.current[best] -= total;
        best
    }

    /// LVS interleaved weighted round robin.
    fn lvs_wrr(&mut self) -> usize {
        let n = self.weights.len();
        loop {
            self.wrr_i = (self.wrr_i + 1) % n;
            if self.wrr_i == 0 {
                self.wrr_cw -= self.gcd;
                if self.wrr_cw <= 0 {
                    self.wrr_cw = self.max_w;
                }
            }
            if self.weights[self.wrr_i] >= self.wrr_cw {
                return self.wrr_i;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(alg: Algorithm, w: &[u32], k: usize) -> String {
        let mut p = Picker::new(alg, w);
        let mut r = Rng::seed_from(0);
        let active = vec![0; w.len()];
        (0..k).map(|_| (b'a' + p.pick(&active, &mut r) as u8) as char).collect()
    }

    #[test]
    fn every_algorithm_is_named_as_a_scenario_names_it() {
        for a in Algorithm::ALL {
            let said = serde_json::to_value(a).expect("serialises");
            assert_eq!(said.as_str(), Some(a.name()));
            assert_eq!(Algorithm::named(a.name()), Some(a));
        }
        assert_eq!(Algorithm::named("fastest"), None);
    }

    #[test]
    fn smooth_wrr_matches_nginx() {
        assert_eq!(seq(Algorithm::SmoothWeightedRoundRobin, &[5, 1, 1], 7), "aabacaa");
        assert_eq!(seq(Algorithm::SmoothWeightedRoundRobin, &[5, 1, 1], 14), "aabacaaaabacaa");
        assert_eq!(seq(Algorithm::SmoothWeightedRoundRobin, &[1, 1, 1], 6), "abcabc");
    }

    #[test]
    fn a_weighted_pick_says_which_backend_and_the_weights_behind_it() {
        let mut p = Picker::new(Algorithm::SmoothWeightedRoundRobin, &[5, 1, 1]);
        let mut rng = Rng::seed_from(1);
        let first = p.pick(&[0, 0, 0], &mut rng);
        let why = p.why(first).unwrap_or_default();
        assert_eq!(
            why,
            "b1: current [0,0,0] + weights [5,1,1] = [5,1,1], b1 is largest; minus the total 7 → [-2,1,1]"
        );
        let second = p.pick(&[0, 0, 0], &mut rng);
        let why = p.why(second).unwrap_or_default();
        assert!(why.starts_with("b1: current [-2,1,1] + weights [5,1,1] = [3,2,2]"), "{why}");
        let mut lvs = Picker::new(Algorithm::WeightedRoundRobin, &[5, 1, 1]);
        let i = lvs.pick(&[0, 0, 0], &mut rng);
        assert_eq!(lvs.why(i).unwrap_or_default().split(':').next(), Some("b1"));
        assert!(lvs.why(i).is_some_and(|w| w.contains("threshold 5")));
        assert_eq!(Picker::new(Algorithm::RoundRobin, &[1, 1]).why(0), None, "no weights, nothing to say");
    }

    #[test]
    fn classic_wrr_and_rr() {
        assert_eq!(seq(Algorithm::WeightedRoundRobin, &[5, 1, 1], 7), "aaaaabc");
        assert_eq!(seq(Algorithm::RoundRobin, &[5, 1, 1], 6), "abcabc");
    }

    #[test]
    fn least_connections_prefers_idle_and_rotates_ties() {
        let mut p = Picker::new(Algorithm::LeastConnections, &[1, 1, 1]);
        let mut r = Rng::seed_from(0);
        assert_eq!(p.pick(&[3, 0, 2], &mut r), 1);
        assert_eq!(p.pick(&[0, 0, 0], &mut r), 2);
        assert_eq!(p.pick(&[0, 0, 0], &mut r), 0);
    }

    #[test]
    fn a_resize_picks_among_the_backends_in_rotation_only() {
        let mut r = Rng::seed_from(0);
        let mut rr = Picker::new(Algorithm::RoundRobin, &[1, 1, 1]);
        let picks: Vec<usize> = (0..2).map(|_| rr.pick(&[0; 4], &mut r)).collect();
        rr.resize(&[1, 1, 1, 1]);
        let more: Vec<usize> = (0..6).map(|_| rr.pick(&[0; 4], &mut r)).collect();
        assert_eq!((picks, more), (vec![0, 1], vec![2, 3, 0, 1, 2, 3]), "round robin goes on, b4 joins");
        let mut lc = Picker::new(Algorithm::LeastConnections, &[1, 1, 1, 1]);
        lc.resize(&[1, 1]);
        for _ in 0..4 {
            assert!(lc.pick(&[5, 5], &mut r) < 2, "b3 and b4 are out of rotation");
        }
        let mut wrr = Picker::new(Algorithm::SmoothWeightedRoundRobin, &[5, 1, 1]);
        wrr.pick(&[0; 3], &mut r);
        wrr.resize(&[5, 1]);
        let s: String = (0..6).map(|_| (b'a' + wrr.pick(&[0; 2], &mut r) as u8) as char).collect();
        assert_eq!(s, "aaabaa", "a fresh cycle over the two left");
    }

    #[test]
    fn the_period_is_the_first_repeat_of_the_picks() {
        let mut r = Rng::seed_from(1);
        for weights in [&[5u32, 1, 1][..], &[2, 2], &[13, 10], &[4, 6, 2], &[3]] {
            for algorithm in [Algorithm::SmoothWeightedRoundRobin, Algorithm::WeightedRoundRobin] {
                let mut p = Picker::new(algorithm, weights);
                let picks: Vec<usize> = (0..200).map(|_| p.pick(&[0; 3][..weights.len()], &mut r)).collect();
                let first = (1..100).find(|&k| picks.iter().zip(&picks[k..]).all(|(a, b)| a == b));
                assert_eq!(first, Some(p.period() as usize), "{algorithm:?} {weights:?}");
            }
        }
    }

    #[test]
    fn power_of_two_picks_the_less_loaded_of_two_distinct() {
        let mut p = Picker::new(Algorithm::PowerOfTwoChoices, &[1, 1]);
        let mut r = Rng::seed_from(3);
        for _ in 0..50 {
            assert_eq!(p.pick(&[9, 1], &mut r), 1);
        }
    }
}
