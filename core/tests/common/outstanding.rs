//! Closed-loop checks shared by the protocol tests: how many operations the clients keep going,
//! and whether they are still sending.

use dsplay_core::sim::trace::TraceKind;
use dsplay_core::{SimTime, Simulation};
use serde_json::{json, Value};

/// A closed-loop arrival: `concurrency` operations per client, `think_ms` between them.
pub fn closed(concurrency: u32, think_ms: u64) -> Value {
    json!({"type": "closed", "concurrency": concurrency, "think": {"type": "constant", "us": think_ms * 1000}})
}

/// Run `sim` to its stop time one event at a time, checking after every event that no client
/// shows more than `limit` operations pending (its view's `pending` field): the most any showed.
pub fn pending_at_most(sim: &mut dyn Simulation, limit: usize) -> usize {
    let stop = sim.stop_at();
    pending_at_most_until(sim, limit, stop)
}

/// [`pending_at_most`], but only up to `until` (an event at `until` included), so that a later
/// part of the run can be held to another limit.
pub fn pending_at_most_until(sim: &mut dyn Simulation, limit: usize, until: SimTime) -> usize {
    let mut most = 0;
    while sim.next_event_at().is_some_and(|at| at <= until) {
        let Some(at) = sim.step() else { break };
        for n in sim.view().nodes.iter().filter(|n| n.view.role == "client") {
            let pending =
                n.view.fields.iter().find(|(k, _)| k == "pending").expect("a client shows `pending`");
            let pending: usize = pending.1.parse().expect("a count");
            assert!(pending <= limit, "{} has {pending} operations pending at {at:?}, over {limit}", n.name);
            most = most.max(pending);
        }
    }
    most
}

/// Messages node `name` sent between `from_ms` and `to_ms`. The trace must still hold them all.
pub fn sends_between(sim: &dyn Simulation, name: &str, from_ms: u64, to_ms: u64) -> usize {
    let node = super::node_id(sim, name);
    let records = sim.trace().records();
    let (from, to) = (SimTime::from_ms(from_ms), SimTime::from_ms(to_ms));
    assert!(
        records.front().is_some_and(|r| r.at <= from),
        "the trace no longer reaches back to {from_ms} ms"
    );
    let sent = records.iter().filter(|r| r.kind == TraceKind::Send && r.node == node);
    sent.filter(|r| (from..to).contains(&r.at)).count()
}
