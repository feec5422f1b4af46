//! A node's setting changed while it runs (`tune`: a balancer's algorithm switched at the
//! playhead). The protocol says which settings each node has ([`Node::knobs`]); the simulator
//! refuses any other, when the scenario is built or when the click is made, so a link never
//! carries a change that silently does nothing.

use super::Sim;
use crate::ids::NodeId;
use crate::node::Node;
use crate::scenario::{Scenario, ScenarioError, ScenarioEvent};

impl<N: Node> Sim<N> {
    /// Refuse, when the scenario is built, a scripted `tune` or request the node cannot take.
    pub(super) fn check_tunes(&self, scenario: &Scenario) -> Result<(), ScenarioError> {
        for (i, e) in scenario.events.iter().enumerate() {
            if let Some(why) = self.refusal(&e.event) {
                return Err(ScenarioError::invalid(format!("events[{i}].event"), why));
            }
        }
        Ok(())
    }

    /// Why the node `ev` names cannot take it: a `tune` of a setting it lacks, or a request it
    /// would only note as ignored ([`Node::request_refusal`]).
    pub(super) fn refusal(&self, ev: &ScenarioEvent) -> Option<String> {
        let id = |node: &String| self.w.by_name.get(node).copied().unwrap_or(NodeId(0));
        match ev {
            ScenarioEvent::Tune { node, knob, to } => self.tune_refusal(id(node), knob, to),
            ScenarioEvent::Client { node, request } => {
                let name = self.w.names.get(id(node).index()).map_or("?", String::as_str);
                let n = self.p.nodes.get(id(node).index())?;
                n.request_refusal(id(node), request).map(|why| format!("{name} would ignore this {why}"))
            }
            _ => None,
        }
    }

    /// Why node `id` cannot set `knob` to `to`, if it cannot: it has no such knob (the message
    /// lists those it has), or the knob takes no such value (it lists the values).
    pub(super) fn tune_refusal(&self, id: NodeId, knob: &str, to: &str) -> Option<String> {
        let name = self.w.names.get(id.index()).map_or("?", String::as_str);
        let knobs = self.p.nodes.get(id.index()).map(Node::knobs).unwrap_or_default();
        let Some(k) = knobs.iter().find(|k| k.name == knob) else {
            let has: Vec<&str> = knobs.iter().map(|k| k.name).collect();
            return Some(match has.is_empty() {
                true => format!("tune: {name} has no settings to change while it runs"),
                false => format!("tune: {name} has no `{knob}`; it has {}", has.join(", ")),
            });
        };
        (!k.values.contains(&to))
            .then(|| format!("tune: {name}'s {knob} takes {}, not `{to}`", k.values.join(", ")))
    }
}
