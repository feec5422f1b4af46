//! When each node was down or paused within the diagram's window, so its lane can say so: a
//! crashed node's lane looked as alive as the others. Read backwards from the playhead, where the
//! view knows every node's state, undoing each crash, restart, pause and resume met on the way.

use dsplay_core::sim::trace::{TraceEvent, TraceKind};
use dsplay_core::view::Status;
use std::collections::VecDeque;

/// A stretch of a lane when its node was not up: `(lane, from_ms, to_ms, status)`.
pub type Span = (usize, f64, f64, Status);

/// The stretches in `[t0, now]` when nodes were down or paused, given each node's status at `now`
/// and the trace (in time order).
pub fn not_up(records: &VecDeque<TraceEvent>, now_status: &[Status], t0: f64, now: f64) -> Vec<Span> {
    let mut state = now_status.to_vec();
    let mut until = vec![now; state.len()];
    let mut out = Vec::new();
    let close = |lane: usize, from: f64, to: f64, s: Status, out: &mut Vec<Span>| {
        if s != Status::Up && to > from {
            out.push((lane, from, to, s));
        }
    };
    for r in records.iter().rev() {
        let t = r.at.as_ms_f64();
        if t > now {
            continue;
        }
        if t < t0 {
            break;
        }
        if r.kind != TraceKind::Fault {
            continue;
        }
        let lane = r.node.index();
        // The node's state just before this fault.
        let before = match r.label {
            "crash" | "pause" => Status::Up,
            "restart" => Status::Down,
            "resume" => Status::Paused,
            _ => continue,
        };
        let Some(s) = state.get(lane).copied() else { continue };
        close(lane, t, until[lane], s, &mut out);
        state[lane] = before;
        until[lane] = t;
    }
    for (lane, s) in state.into_iter().enumerate() {
        close(lane, t0, until[lane], s, &mut out);
    }
    out
}
