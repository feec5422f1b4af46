//! What the History view draws, worked out from the run's client history: one lane per client,
//! one bar per operation from its call to its return (or to the playhead, still pending), for the
//! operations that overlap a window ending at the playhead. Pure: tested without a browser.

use dsplay_core::sim::history::{HistoryOp, OpKind, Outcome};
use dsplay_core::SimTime;

/// Most bars drawn (the newest): a window of a busy run holds thousands of operations.
pub const MOST_BARS: usize = 400;

/// How an operation ended, as the bar's colour says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    Ok,
    /// Definitely did not happen.
    Failed,
    /// Timed out: it may or may not have happened (Jepsen's `info`).
    Unknown,
    /// Not returned by the playhead.
    Pending,
}

impl Ended {
    pub fn class(self) -> &'static str {
        match self {
            Ended::Ok => "ok",
            Ended::Failed => "failed",
            Ended::Unknown => "unknown",
            Ended::Pending => "pending",
        }
    }
}

/// One operation's bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub op_id: u64,
    pub from: SimTime,
    /// Its return, or the playhead for one still pending.
    pub to: SimTime,
    pub ended: Ended,
    /// Short, on the bar: "w k1=5", "r k1→5", "r k1→∅".
    pub label: String,
    /// Whole, for the tooltip and a screen reader.
    pub said: String,
    /// Its row in the lane: a client with operations in flight at once (a pipelining one) gets
    /// a row for each, so bars do not cover each other.
    pub row: usize,
}

/// One client's lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub client: String,
    pub bars: Vec<Bar>,
    /// How many rows its bars take (at least 1).
    pub rows: usize,
}

/// Give each bar of a lane the first row free at its call, leaving `gap_us` between two bars of
/// a row (sorted by call, as the history is).
fn stack(bars: &mut [Bar], gap_us: u64) -> usize {
    let mut ends: Vec<u64> = Vec::new();
    for b in bars.iter_mut() {
        let from = b.from.as_us();
        b.row = match ends.iter().position(|&e| e + gap_us <= from) {
            Some(r) => r,
            None => {
                ends.push(0);
                ends.len() - 1
            }
        };
        ends[b.row] = b.to.as_us();
    }
    ends.len().max(1)
}

/// The figure: the window shown and the lanes, by client name.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub from: SimTime,
    pub to: SimTime,
    pub lanes: Vec<Lane>,
    /// Operations in the window beyond [`MOST_BARS`], not drawn.
    pub left_out: usize,
}

/// A value as a bar has room for: long generated values (3000000004) by their last digits.
pub fn short_value(v: i64) -> String {
    if v.abs() < 10_000 {
        return v.to_string();
    }
    let s = v.abs().to_string();
    format!("{}…{}", if v < 0 { "-" } else { "" }, &s[s.len() - 3..])
}

fn read_value(outcome: Outcome) -> Option<Option<i64>> {
    match outcome {
        Outcome::Ok { value } => Some(value),
        _ => None,
    }
}

/// The bar's words for `op` (`key`: the key as the protocol names it).
fn words(op: &HistoryOp, key: &str, ended: Ended) -> (String, String) {
    let value = |v: Option<i64>| v.map_or("∅".to_string(), short_value);
    let whole = |v: Option<i64>| v.map_or("nothing".to_string(), |v| v.to_string());
    let (label, what) = match op.op {
        OpKind::Write { value: v } => (format!("w {key}={}", short_value(v)), format!("write {key} = {v}")),
        OpKind::Read => match read_value(op.outcome) {
            Some(v) => (format!("r {key}→{}", value(v)), format!("read {key}, returned {}", whole(v))),
            None => (format!("r {key}"), format!("read {key}")),
        },
        OpKind::Cas { expect, value: v } => (
            format!("cas {key} {}→{}", short_value(expect), short_value(v)),
            format!("compare-and-set {key} from {expect} to {v}"),
        ),
    };
    let how = match ended {
        Ended::Ok => "ok",
        Ended::Failed => "failed (it did not happen)",
        Ended::Unknown => "unknown (timed out: it may or may not have happened)",
        Ended::Pending => "pending",
    };
    (label, format!("{what}: {how}"))
}

/// The figure for `ops` with the playhead at `now`, over the `span` before it. `name` names a
/// client node, `key` a key.
pub fn figure(
    ops: &[HistoryOp],
    now: SimTime,
    span_us: u64,
    name: &dyn Fn(dsplay_core::NodeId) -> String,
    key: &dyn Fn(u64) -> String,
) -> Figure {
    let from = SimTime(now.as_us().saturating_sub(span_us));
    // Called by the playhead, and not returned before the window.
    let shown: Vec<&HistoryOp> =
        ops.iter().filter(|o| o.call <= now && o.ret.is_none_or(|r| r >= from)).collect();
    let left_out = shown.len().saturating_sub(MOST_BARS);
    let mut lanes: Vec<Lane> = Vec::new();
    for o in &shown[left_out..] {
        let returned = o.ret.filter(|&r| r <= now);
        let ended = match (returned, o.outcome) {
            (None, _) | (_, Outcome::Pending) => Ended::Pending,
            (Some(_), Outcome::Ok { .. }) => Ended::Ok,
            (Some(_), Outcome::Fail) => Ended::Failed,
            (Some(_), Outcome::Info) => Ended::Unknown,
        };
        // A read's value is not known before it returns.
        let mut seen = HistoryOp::clone(o);
        if ended == Ended::Pending {
            seen.outcome = Outcome::Pending;
        }
        let (label, said) = words(&seen, &key(o.key), ended);
        let bar = Bar { op_id: o.id, from: o.call, to: returned.unwrap_or(now), ended, label, said, row: 0 };
        let client = name(o.client);
        match lanes.iter_mut().find(|l| l.client == client) {
            Some(l) => l.bars.push(bar),
            None => lanes.push(Lane { client, bars: vec![bar], rows: 1 }),
        }
    }
    lanes.sort_by(|a, b| a.client.cmp(&b.client));
    for lane in &mut lanes {
        lane.rows = stack(&mut lane.bars, span_us / 200);
    }
    Figure { from, to: now, lanes, left_out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsplay_core::NodeId;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn op(id: u64, client: u32, op: OpKind, call: u64, ret: Option<u64>, outcome: Outcome) -> HistoryOp {
        let (call, ret) = (SimTime::from_ms(call), ret.map(SimTime::from_ms));
        HistoryOp { id, client: NodeId(client), key: 1, op, call, ret, outcome }
    }

    #[wasm_bindgen_test]
    fn bars_overlap_the_window_end_at_the_playhead_and_hide_what_is_not_known_yet() {
        let ops = vec![
            op(1, 5, OpKind::Write { value: 3 }, 100, Some(150), Outcome::Ok { value: None }),
            op(2, 6, OpKind::Read, 900, Some(1_200), Outcome::Ok { value: Some(3) }),
            op(3, 5, OpKind::Write { value: 3_000_000_004 }, 950, Some(3_000), Outcome::Info),
            op(4, 6, OpKind::Read, 1_100, None, Outcome::Pending),
            op(5, 5, OpKind::Read, 2_000, Some(2_010), Outcome::Fail),
        ];
        let name = |n: NodeId| format!("c{}", n.0);
        let key = |k: u64| format!("k{k}");
        let f = figure(&ops, SimTime::from_ms(1_000), 500_000, &name, &key);
        // #1 returned before 0.5 s; #5 is not called yet.
        let ids: Vec<Vec<u64>> = f.lanes.iter().map(|l| l.bars.iter().map(|b| b.op_id).collect()).collect();
        assert_eq!((f.lanes[0].client.as_str(), ids), ("c5", vec![vec![3], vec![2]]));
        let read = &f.lanes[1].bars[0];
        assert_eq!(
            (read.ended, read.to, read.label.as_str()),
            (Ended::Pending, SimTime::from_ms(1_000), "r k1")
        );
        assert_eq!(f.lanes[0].bars[0].label, "w k1=…004");
        assert_eq!(f.lanes.iter().map(|l| l.rows).collect::<Vec<_>>(), [1, 1]);
        // Later, the read's value and the write's unknown outcome are there.
        let f = figure(&ops, SimTime::from_ms(5_000), 5_000_000, &name, &key);
        let bar =
            |id: u64| f.lanes.iter().flat_map(|l| &l.bars).find(|b| b.op_id == id).cloned().expect("drawn");
        assert_eq!(bar(2).label, "r k1→3");
        assert_eq!(bar(3).ended, Ended::Unknown);
        assert!(bar(3).said.contains("may or may not"), "{}", bar(3).said);
        assert_eq!(
            (bar(5).ended, bar(4).ended, bar(4).to),
            (Ended::Failed, Ended::Pending, SimTime::from_ms(5_000))
        );
    }
}
