//! What a user may change on the gateway while it runs ([`ScenarioEvent::Tune`]): how it
//! dispatches to tasks, and which rate limiter guards each client. Switched at the playhead, the
//! tasks' queues (and the clients' 429s) change course from that moment on, beside the same run
//! before it.
//!
//! [`ScenarioEvent::Tune`]: crate::ScenarioEvent::Tune

use super::gateway::Gateway;
use super::limiter::LimitAlgorithm;
use super::node::C;
use super::Dispatch;
use crate::node::Knob;

const DISPATCH: [(Dispatch, &str); 2] =
    [(Dispatch::RoundRobin, "round_robin"), (Dispatch::LeastConnections, "least_connections")];
const DISPATCH_NAMES: [&str; 2] = [DISPATCH[0].1, DISPATCH[1].1];

const LIMITERS: [(LimitAlgorithm, &str); 4] = [
    (LimitAlgorithm::TokenBucket, "token_bucket"),
    (LimitAlgorithm::LeakyBucket, "leaky_bucket"),
    (LimitAlgorithm::FixedWindow, "fixed_window"),
    (LimitAlgorithm::SlidingWindow, "sliding_window"),
];
const LIMITER_NAMES: [&str; 4] = [LIMITERS[0].1, LIMITERS[1].1, LIMITERS[2].1, LIMITERS[3].1];

fn name_of<T: PartialEq + Copy>(all: &[(T, &'static str)], v: T) -> &'static str {
    all.iter().find(|(x, _)| *x == v).map_or("", |(_, n)| n)
}

fn named<T: Copy>(all: &[(T, &'static str)], name: &str) -> Option<T> {
    all.iter().find(|(_, n)| *n == name).map(|(x, _)| *x)
}

impl Gateway {
    /// `dispatch` always; `rate_limit` where the scenario has a rate limiter.
    pub fn knobs(&self) -> Vec<Knob> {
        let mut k = vec![Knob {
            name: "dispatch",
            values: &DISPATCH_NAMES,
            now: name_of(&DISPATCH, self.cfg.dispatch),
        }];
        if let Some(rl) = &self.cfg.rate_limit {
            k.push(Knob {
                name: "rate_limit",
                values: &LIMITER_NAMES,
                now: name_of(&LIMITERS, rl.algorithm),
            });
        }
        k
    }

    /// Dispatch or limit another way from now on. A new limiter starts each client afresh (a
    /// full bucket, an empty window): the old one's count means nothing to it.
    pub fn on_tune(&mut self, ctx: &mut C<'_>, knob: &str, to: &str) {
        match knob {
            "dispatch" => {
                let Some(d) = named(&DISPATCH, to) else { return };
                self.cfg.dispatch = d;
                ctx.note(format!("dispatching by {to} from now on"));
            }
            "rate_limit" => {
                let (Some(a), Some(rl)) = (named(&LIMITERS, to), self.cfg.rate_limit.as_mut()) else {
                    return;
                };
                rl.algorithm = a;
                self.limiters.clear();
                ctx.note(format!("limiting each client by a {to} from now on, every client starting afresh"));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_is_named_as_a_scenario_names_it() {
        for (d, n) in DISPATCH {
            assert_eq!(serde_json::to_value(d).expect("serialises").as_str(), Some(n));
        }
        for (a, n) in LIMITERS {
            assert_eq!(serde_json::to_value(a).expect("serialises").as_str(), Some(n));
        }
    }
}
