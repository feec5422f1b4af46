//! The run report shared by the CLI, the tests and the web app (wall-clock fields are added by
//! whoever owns a clock; the core has none).

use crate::sim::trace::TraceKind;
use crate::sim::Simulation;
use serde_json::{json, Value};

/// `id, seed, sim_time_ms, playhead, events, trace_hash, metrics, violations` (+ `halted` if it
/// stopped early). `playhead` is where the run stopped as a link writes it (`t=1002.599`, with
/// `&e=…` partway through an instant): `sim_time_ms` is whole milliseconds. Each violation is
/// `{id, rule, at_us, detail}` (see [`rule_id`]), and `node`, the reporter's name, when one node
/// reported it.
pub fn report(sim: &dyn Simulation) -> Value {
    let sc = sim.scenario();
    let names = sim.node_names();
    let mut v = json!({
        "id": sc.meta.id,
        "seed": sc.seed,
        "sim_time_ms": sim.now().as_us() / 1000,
        "playhead": crate::scenario::Playhead::of(sim).to_query(),
        "events": sim.events(),
        "trace_hash": format!("{:016x}", sim.trace_hash()),
        "metrics": sim.metrics().report(sim.node_names()),
        "violations": sim.violations().iter().map(|v| {
            let mut one = json!({
                "id": rule_id(&v.rule),
                "rule": v.rule,
                "at_us": v.at.as_us(),
                "detail": v.detail,
            });
            if let Some(name) = v.node.and_then(|n| names.get(n.index())) {
                one["node"] = json!(name);
            }
            one
        }).collect::<Vec<_>>(),
    });
    if let Some(h) = sim.halted() {
        v["halted"] = json!(h);
    }
    v
}

/// A rule's name as a script keys on it: protocols name their rules in words ("one holder at a
/// time", "election safety") or as identifiers (`monotonic_reads`); this is always lower-case
/// words joined by `_` (review 27 B7: grouping violations by rule needed a lookup table).
pub fn rule_id(rule: &str) -> String {
    let words: Vec<String> =
        rule.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    words.join("_")
}

/// The trace as fixed-column text; with `payloads`, each send ends in what the message carried,
/// in words, for as many messages as the simulation kept (see
/// [`Simulation::keep_every_message`]).
pub fn trace_text(sim: &dyn Simulation, payloads: bool) -> String {
    let mut out = String::new();
    for ev in sim.trace().records() {
        crate::sim::trace::Trace::format_line(ev, sim.node_names(), &mut out);
        let carried = (payloads && ev.kind == TraceKind::Send).then(|| crate::readable::message(sim, ev.msg));
        if let Some(words) = carried.flatten() {
            out.pop();
            out.push_str(" · ");
            out.push_str(&words);
            out.push('\n');
        }
    }
    out
}
