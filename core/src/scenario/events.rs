//! The fault and action vocabulary: everything a user can do to a running system, as data.

use super::network::LinkSpec;
use crate::node::ClientRequest;
use serde::{Deserialize, Serialize};

/// An event at a point in simulated time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timed {
    pub at_ms: u64,
    pub event: ScenarioEvent,
    /// Done by hand in the playground (`"by_hand": true` in a link), not scripted by the scenario.
    /// A fork from the past drops the old future's actions by hand and keeps the script.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_hand: bool,
}

impl Timed {
    /// A scripted event.
    pub fn at(at_ms: u64, event: ScenarioEvent) -> Timed {
        Timed { at_ms, event, by_hand: false }
    }
}

/// Faults (after turmoil, raft-rs and TigerBeetle) and user actions. Nodes are named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScenarioEvent {
    /// Stop a node: volatile state and timers are lost; messages to it are dropped.
    Crash {
        node: String,
    },
    /// Stop a node as `crash` does, but its host stays up and refuses connections: whatever is
    /// sent to it is dropped and its sender is told so (a TCP reset, one network hop back) instead
    /// of hearing nothing. A restart (or a plain crash) ends the refusing. A variant of its own,
    /// not a flag on `crash`, so every `Crash { node }` written in code reads as before.
    CrashRefusing {
        node: String,
    },
    /// Start a crashed node again from its durable state.
    Restart {
        node: String,
    },
    /// Freeze a node (a GC pause): messages and timers wait until it resumes.
    Pause {
        node: String,
    },
    Resume {
        node: String,
    },
    /// The node's election timer runs out now (RaftScope's "time out"): it acts exactly as when
    /// its own timer fires, so two of them at one instant make a split vote on demand. Only for
    /// nodes that keep an election timer (a Raft server); a leader has none running.
    Timeout {
        node: String,
    },
    /// Split the nodes into groups that cannot talk to each other. Unlisted nodes form one more group.
    Partition {
        groups: Vec<Vec<String>>,
    },
    /// Drop everything sent from any of `from` to any of `to` (a one-way partition).
    Block {
        from: Vec<String>,
        to: Vec<String>,
    },
    /// Remove all partitions and blocks.
    Heal,
    /// Override the link(s) between two nodes (`*` matches every node).
    Link {
        from: String,
        to: String,
        spec: LinkSpec,
        #[serde(default)]
        both_ways: bool,
    },
    /// Restore the default network on every link.
    ResetLinks,
    /// Make a node slow: messages to it take `factor_pct`/100 times longer, its timers too.
    Slow {
        node: String,
        factor_pct: u32,
    },
    /// Skew a node's local clock: `offset_us` now, plus `drift_ppm` per second of real time.
    ClockSkew {
        node: String,
        #[serde(default)]
        offset_us: i64,
        #[serde(default)]
        drift_ppm: i32,
    },
    /// A flash crowd: every client's open-loop request rate times `rate_pct`/100 for `duration_ms`
    /// (on top of the workload's own bursts; a newer surge replaces an older one). A closed loop
    /// has no rate to scale: its scenario refuses one.
    Surge {
        rate_pct: u32,
        duration_ms: u64,
    },
    /// Hand a request to a node, as a user would.
    Client {
        node: String,
        request: ClientRequest,
    },
    /// A teacher's annotation on the timeline.
    Note {
        text: String,
    },
    /// Change one of a node's settings while it runs (the balancer's `algorithm`, from round robin
    /// to least connections at the playhead): from then on the node works as if configured so.
    /// Which settings a node has, and the values each takes, are its protocol's
    /// ([`crate::node::Node::knobs`]); any other is refused when the scenario is built.
    Tune {
        node: String,
        knob: String,
        to: String,
    },
    /// Lose one message on the wire (RaftScope's "drop"): the message with this id, in flight
    /// when the event happens, never arrives, nor does a copy of it made by duplication. Ids
    /// count the run's sends from 1, so a replay of the same scenario loses the same message.
    LoseMessage {
        id: u64,
    },
}

impl ScenarioEvent {
    /// Short words for timelines and logs: "crash b2", "link b2->lb: ~40 ms, 10 % loss".
    pub fn describe(&self) -> String {
        use ScenarioEvent::*;
        match self {
            Crash { node } => format!("crash {node}"),
            CrashRefusing { node } => format!("crash {node} (refusing connections)"),
            Restart { node } => format!("restart {node}"),
            Pause { node } => format!("pause {node}"),
            Resume { node } => format!("resume {node}"),
            Timeout { node } => format!("time out {node}"),
            Partition { groups } => {
                let g: Vec<String> = groups.iter().map(|g| g.join(",")).collect();
                format!("partition {}", g.join(" | "))
            }
            Block { from, to } => format!("block {} -> {}", from.join(","), to.join(",")),
            Heal => "heal".into(),
            Link { from, to, spec, both_ways } => format!("{}: {}", links(from, to, *both_ways), spec.said()),
            ResetLinks => "reset links".into(),
            Slow { node, factor_pct: 100 } => format!("{node} back to normal speed"),
            Slow { node, factor_pct } => {
                let factor = format!("{}.{:02}", factor_pct / 100, factor_pct % 100);
                format!("slow {node} ×{}", factor.trim_end_matches('0').trim_end_matches('.'))
            }
            ClockSkew { node, offset_us, drift_ppm } => {
                let drift =
                    if *drift_ppm == 0 { String::new() } else { format!(", drifting {drift_ppm:+} ppm") };
                format!("clock skew {node} {}{drift}", signed_time(*offset_us))
            }
            Surge { rate_pct, duration_ms } => {
                let times = format!("{}", *rate_pct as f64 / 100.0);
                let lasting = if duration_ms % 1000 == 0 {
                    format!("{} s", duration_ms / 1000)
                } else {
                    format!("{duration_ms} ms")
                };
                format!("surge: client load x{times} for {lasting}")
            }
            Client { node, request } => {
                let mut said = format!("{} handed to {node}", request.op);
                match (&request.key, request.value) {
                    (Some(k), Some(v)) => said += &format!(" (key {k}, value {v})"),
                    (Some(k), None) => said += &format!(" (key {k})"),
                    (None, Some(v)) => said += &format!(" (value {v})"),
                    (None, None) => {}
                }
                said
            }
            Note { text } => text.clone(),
            LoseMessage { id } => format!("lose message #{id}"),
            // In the menu's words ("in rotation", "least connections"), not the link's.
            Tune { node, knob, to } => {
                format!("{node}: {} → {}", knob.replace('_', " "), to.replace('_', " "))
            }
        }
    }

    /// [`describe`](Self::describe) among a run's nodes (`names`): a partition also names the
    /// side its groups leave out, which the run makes of the nodes none lists ("partition
    /// n1,n2 | n3 | n4,n5 (the rest)"). Listed without it, a 7-server run's events named two
    /// sides while the stage showed three (review 47 B3).
    pub fn describe_among(&self, names: &[String]) -> String {
        let said = self.describe();
        let ScenarioEvent::Partition { groups } = self else { return said };
        let listed = |n: &String| groups.iter().flatten().any(|m| m == n);
        let rest: Vec<&str> = names.iter().filter(|n| !listed(n)).map(String::as_str).collect();
        if groups.is_empty() || rest.is_empty() {
            return said;
        }
        format!("{said} | {} (the rest)", rest.join(","))
    }

    /// The node names this event refers to.
    pub fn node_names(&self) -> Vec<&str> {
        use ScenarioEvent::*;
        match self {
            Crash { node }
            | CrashRefusing { node }
            | Restart { node }
            | Pause { node }
            | Resume { node }
            | Timeout { node } => vec![node],
            Slow { node, .. } | ClockSkew { node, .. } | Client { node, .. } | Tune { node, .. } => {
                vec![node]
            }
            Partition { groups } => groups.iter().flatten().map(String::as_str).collect(),
            Block { from, to } => from.iter().chain(to).map(String::as_str).collect(),
            Link { from, to, .. } => {
                [from, to].into_iter().filter(|n| *n != "*").map(String::as_str).collect()
            }
            Heal | ResetLinks | Surge { .. } | Note { .. } | LoseMessage { .. } => vec![],
        }
    }
}

/// Which links a link event changes, in words where a side is `*` (any node): "every link to
/// recommendation", not "link *<->recommendation"; two named nodes keep the arrow ("link b2<->lb").
fn links(from: &str, to: &str, both_ways: bool) -> String {
    match (from == "*", to == "*", both_ways) {
        (true, true, _) => "every link".into(),
        (true, false, true) => format!("every link to {to}"),
        (false, true, true) => format!("every link to {from}"),
        (true, false, false) => format!("every link into {to} (one way)"),
        (false, true, false) => format!("every link out of {from} (one way)"),
        (false, false, true) => format!("link {from}<->{to}"),
        (false, false, false) => format!("link {from}->{to}"),
    }
}

/// A clock offset in the unit a person would say it in: "-3 s", "+250 ms", "+1.5 ms".
fn signed_time(us: i64) -> String {
    let sign = if us < 0 { "-" } else { "+" };
    let a = us.unsigned_abs();
    let (value, unit) = if a >= 1_000_000 { (a as f64 / 1e6, "s") } else { (a as f64 / 1e3, "ms") };
    let digits = format!("{value:.3}");
    format!("{sign}{} {unit}", digits.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;

    #[test]
    fn a_partition_among_the_runs_nodes_names_the_side_no_group_lists() {
        let names: Vec<String> = ["n1", "n2", "n3", "n4"].map(String::from).to_vec();
        let side = |g: &[&str]| g.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let cut = ScenarioEvent::Partition { groups: vec![side(&["n1"]), side(&["n2"])] };
        assert_eq!(cut.describe_among(&names), "partition n1 | n2 | n3,n4 (the rest)");
        let whole = ScenarioEvent::Partition { groups: vec![side(&["n1", "n2"]), side(&["n3", "n4"])] };
        assert_eq!(whole.describe_among(&names), "partition n1,n2 | n3,n4");
        assert_eq!(ScenarioEvent::Heal.describe_among(&names), "heal");
    }

    #[test]
    fn a_link_change_says_its_new_values() {
        let spec = LinkSpec {
            latency: Dist::Uniform { min_us: 6_000, max_us: 9_000 },
            loss_ppm: 100_000,
            ..LinkSpec::default()
        };
        let ev = ScenarioEvent::Link { from: "b2".into(), to: "lb".into(), spec, both_ways: true };
        assert_eq!(ev.describe(), "link b2<->lb: ~7.5 ms, 10 % loss");
        let ev = ScenarioEvent::Link {
            from: "a".into(),
            to: "b".into(),
            spec: LinkSpec::default(),
            both_ways: false,
        };
        assert_eq!(ev.describe(), "link a->b: ~2 ms");
    }

    #[test]
    fn a_link_change_on_any_node_says_which_links_in_words() {
        let lossy = LinkSpec { loss_ppm: 300_000, ..LinkSpec::default() };
        let link = |from: &str, to: &str, both_ways| ScenarioEvent::Link {
            from: from.into(),
            to: to.into(),
            spec: lossy.clone(),
            both_ways,
        };
        let said = |from, to, both| link(from, to, both).describe();
        assert_eq!(said("*", "recommendation", true), "every link to recommendation: ~2 ms, 30 % loss");
        assert_eq!(said("cart", "*", true), "every link to cart: ~2 ms, 30 % loss");
        assert_eq!(said("*", "db", false), "every link into db (one way): ~2 ms, 30 % loss");
        assert_eq!(said("db", "*", false), "every link out of db (one way): ~2 ms, 30 % loss");
        assert_eq!(said("*", "*", true), "every link: ~2 ms, 30 % loss");
        assert_eq!(said("*", "*", false), "every link: ~2 ms, 30 % loss");
        for both in [true, false] {
            assert!(!said("*", "x", both).contains('*'), "no wildcard left in the words");
        }
    }

    #[test]
    fn a_clock_skew_is_said_in_seconds_or_milliseconds() {
        let skew =
            |offset_us, drift_ppm| ScenarioEvent::ClockSkew { node: "r3".into(), offset_us, drift_ppm };
        assert_eq!(skew(-3_000_000, 0).describe(), "clock skew r3 -3 s");
        assert_eq!(skew(250_000, 0).describe(), "clock skew r3 +250 ms");
        assert_eq!(skew(1_500, 50).describe(), "clock skew r3 +1.5 ms, drifting +50 ppm");
        assert_eq!(skew(0, -20).describe(), "clock skew r3 +0 ms, drifting -20 ppm");
    }

    #[test]
    fn a_request_by_hand_says_who_got_it_and_what_it_carries() {
        let req = |op: &str, key: Option<&str>, value| ScenarioEvent::Client {
            node: "c1".into(),
            request: crate::node::ClientRequest { op: op.into(), key: key.map(Into::into), value },
        };
        assert_eq!(req("write", Some("k1"), Some(5)).describe(), "write handed to c1 (key k1, value 5)");
        assert_eq!(req("read", Some("k1"), None).describe(), "read handed to c1 (key k1)");
        assert_eq!(req("request", None, None).describe(), "request handed to c1");
    }
}
