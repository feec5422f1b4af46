//! The network at run time: partitions, one-way blocks, per-link overrides and regions.
//! It decides, with its own random stream, whether and when a message arrives.

use crate::ids::NodeId;
use crate::rng::Rng;
use crate::scenario::LinkSpec;
use std::collections::{BTreeMap, BTreeSet};

/// The fate of one send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Dropped(&'static str),
    /// Arrives after `latency_us`; `dup_latency_us` if the network also duplicates it.
    Arrives {
        latency_us: u64,
        dup_latency_us: Option<u64>,
    },
}

#[derive(Clone, Debug)]
pub struct NetState {
    pub default_link: LinkSpec,
    pub overrides: BTreeMap<(u32, u32), LinkSpec>,
    /// Partition group of each node; different groups cannot talk.
    pub group: Vec<u32>,
    pub blocked: BTreeSet<(u32, u32)>,
    /// Region index per node, and the base latency matrix in µs.
    pub region: Vec<Option<u32>>,
    pub region_us: Vec<Vec<u64>>,
    pub rng: Rng,
}

impl NetState {
    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        from != to
            && (self.group[from.index()] != self.group[to.index()] || self.blocked.contains(&(from.0, to.0)))
    }

    pub fn link(&self, from: NodeId, to: NodeId) -> &LinkSpec {
        if self.overrides.is_empty() {
            return &self.default_link;
        }
        self.overrides.get(&(from.0, to.0)).unwrap_or(&self.default_link)
    }

    fn base_us(&self, from: NodeId, to: NodeId) -> u64 {
        match (self.region[from.index()], self.region[to.index()]) {
            (Some(a), Some(b)) => self.region_us[a as usize][b as usize],
            _ => 0,
        }
    }

    /// Decide what happens to a message sent now. `slow_pct` stretches the latency (a slow receiver).
    pub fn fate(&mut self, from: NodeId, to: NodeId, slow_pct: u32) -> Fate {
        if self.is_cut(from, to) {
            return Fate::Dropped("partitioned");
        }
        if from == to {
            return Fate::Arrives { latency_us: 0, dup_latency_us: None };
        }
        let spec = self.link(from, to).clone();
        if self.rng.chance_ppm(spec.loss_ppm) {
            return Fate::Dropped("lost");
        }
        let base = self.base_us(from, to);
        let one = |rng: &mut Rng| {
            let mut lat = base + spec.latency.sample(rng);
            if rng.chance_ppm(spec.reorder_ppm) {
                lat += rng.below(2 * lat + 1);
            }
            if slow_pct != 100 {
                lat = (lat as u128 * slow_pct as u128 / 100) as u64;
            }
            lat
        };
        let latency_us = one(&mut self.rng);
        let dup_latency_us = if self.rng.chance_ppm(spec.dup_ppm) { Some(one(&mut self.rng)) } else { None };
        Fate::Arrives { latency_us, dup_latency_us }
    }

    /// Split into groups; nodes not listed share one extra group.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        let rest = groups.len() as u32 + 1;
        self.group.iter_mut().for_each(|g| *g = rest);
        for (i, g) in groups.iter().enumerate() {
            for n in g {
                self.group[n.index()] = i as u32 + 1;
            }
        }
    }

    pub fn heal(&mut self) {
        self.group.iter_mut().for_each(|g| *g = 0);
        self.blocked.clear();
    }
}
