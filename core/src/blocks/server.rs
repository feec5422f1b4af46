//! A server model: a pool of workers, a bounded FIFO queue, and a service-time distribution.
//! The node that owns it sets a completion timer for every job that starts.

use crate::dist::Dist;
use crate::rng::Rng;
use crate::time::SimDuration;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How a server is configured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSpec {
    pub workers: u32,
    /// Jobs that may wait when every worker is busy; more are rejected.
    pub queue_cap: u32,
    pub service: Dist,
}

impl Default for ServerSpec {
    fn default() -> Self {
        ServerSpec { workers: 4, queue_cap: 64, service: Dist::Exponential { mean_us: 10_000 } }
    }
}

impl ServerSpec {
    /// The field of the spec that is wrong (`workers`) and why ("must be 1 to 10000"): a form
    /// shows it at that field, and a value that is not even a number (-1) is told these limits
    /// (review 48 C7: -1 workers was told "0 or more", then 0 "must be 1 to 10000").
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.workers == 0 || self.workers > 10_000 {
            return Err(("workers", "must be 1 to 10000".into()));
        }
        if self.queue_cap > 1_000_000 {
            return Err(("queue_cap", "must be at most 1000000".into()));
        }
        self.service.check(0).map_err(|e| ("service", e))
    }
}

/// What happened to an arriving job.
#[derive(Debug, PartialEq, Eq)]
pub enum Admit<J> {
    /// A worker took it; it completes after this long.
    Start(SimDuration),
    Queued,
    Rejected(J),
}

/// The running server.
#[derive(Clone, Debug)]
pub struct Server<J> {
    pub spec: ServerSpec,
    busy: u32,
    queue: VecDeque<J>,
}

impl<J> Server<J> {
    pub fn new(spec: ServerSpec) -> Self {
        Server { spec, busy: 0, queue: VecDeque::new() }
    }

    pub fn busy(&self) -> u32 {
        self.busy
    }
    pub fn queued(&self) -> u32 {
        self.queue.len() as u32
    }
    /// What it holds, for its node's view.
    pub fn work(&self) -> crate::view::Work {
        let (busy, queued) = (self.busy, self.queued());
        crate::view::Work { busy, workers: self.spec.workers, queued, queue_cap: Some(self.spec.queue_cap) }
    }
    /// Busy workers plus waiting jobs.
    pub fn load(&self) -> u32 {
        self.busy + self.queued()
    }

    pub fn arrive(&mut self, job: J, rng: &mut Rng) -> Admit<J> {
        if self.busy < self.spec.workers {
            self.busy += 1;
            Admit::Start(SimDuration(self.spec.service.sample(rng)))
        } else if (self.queue.len() as u32) < self.spec.queue_cap {
            self.queue.push_back(job);
            Admit::Queued
        } else {
            Admit::Rejected(job)
        }
    }

    /// A worker finished; if a job is waiting, it starts now and is returned with its service time.
    pub fn complete(&mut self, rng: &mut Rng) -> Option<(J, SimDuration)> {
        match self.queue.pop_front() {
            Some(job) => Some((job, SimDuration(self.spec.service.sample(rng)))),
            None => {
                self.busy = self.busy.saturating_sub(1);
                None
            }
        }
    }

    /// Forget everything (a crash).
    pub fn reset(&mut self) {
        self.busy = 0;
        self.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_then_queue_then_reject() {
        let spec = ServerSpec { workers: 2, queue_cap: 1, service: Dist::Constant { us: 5 } };
        let mut s = Server::new(spec);
        let mut r = Rng::seed_from(0);
        assert_eq!(s.arrive(1, &mut r), Admit::Start(SimDuration(5)));
        assert_eq!(s.arrive(2, &mut r), Admit::Start(SimDuration(5)));
        assert_eq!(s.arrive(3, &mut r), Admit::Queued);
        assert_eq!(s.arrive(4, &mut r), Admit::Rejected(4));
        assert_eq!(s.load(), 3);
        assert_eq!(s.complete(&mut r), Some((3, SimDuration(5))));
        assert_eq!(s.complete(&mut r), None);
        assert_eq!(s.busy(), 1);
    }
}
