//! Every operation's latency over the run so far, as Jepsen's latency plot draws it: a dot per
//! operation at its call time, as high as it took to return (a log scale: a 3 ms read and a 2 s
//! timeout on one plot), coloured as its bar is (review 17, gap 15). A stall, a leader election
//! or a retry storm is a column of high dots.

use super::model::Ended;
use dsplay_core::sim::history::{HistoryOp, Outcome};
use dsplay_core::SimTime;
use yew::prelude::*;

/// Most dots drawn: beyond, every k-th operation (the figure's shape stays, its cost does not).
pub const MOST_DOTS: usize = 2_000;

/// One returned operation: when it was called, how long it took, how it ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dot {
    pub call: SimTime,
    pub took_us: u64,
    pub ended: Ended,
}

/// The operations returned by `now`, at most [`MOST_DOTS`] of them (evenly thinned).
pub fn dots(ops: &[HistoryOp], now: SimTime) -> Vec<Dot> {
    let done: Vec<&HistoryOp> = ops.iter().filter(|o| o.ret.is_some_and(|r| r <= now)).collect();
    let every = done.len().div_ceil(MOST_DOTS).max(1);
    let dot = |o: &&HistoryOp| {
        let ended = match o.outcome {
            Outcome::Ok { .. } => Ended::Ok,
            Outcome::Fail => Ended::Failed,
            Outcome::Info => Ended::Unknown,
            Outcome::Pending => Ended::Pending,
        };
        Dot { call: o.call, took_us: o.ret.map_or(0, |r| r.as_us().saturating_sub(o.call.as_us())), ended }
    };
    done.iter().step_by(every).map(dot).collect()
}

const W: f64 = 800.0;
const H: f64 = 160.0;
const LEFT: f64 = 56.0;
const BOTTOM: f64 = 18.0;

/// Powers of ten from the fastest operation's (0.1 ms at least) up to the slowest's, in µs: the
/// y axis.
fn decades(fastest_us: u64, slowest_us: u64) -> Vec<u64> {
    let mut low = 100;
    while low * 10 <= fastest_us {
        low *= 10;
    }
    let mut out = vec![low];
    while *out.last().unwrap_or(&low) < slowest_us.max(low * 10) {
        out.push(out.last().unwrap_or(&low) * 10);
    }
    out
}

fn said(us: u64) -> String {
    match us {
        0..=999 => format!("{:.1} ms", us as f64 / 1000.0),
        1_000..=999_999 => format!("{} ms", us / 1000),
        _ => format!("{} s", us / 1_000_000),
    }
}

pub fn draw(dots: &[Dot], now: SimTime) -> Html {
    let slowest = dots.iter().map(|d| d.took_us).max().unwrap_or(0);
    let fastest = dots.iter().map(|d| d.took_us).min().unwrap_or(0);
    let ticks = decades(fastest, slowest);
    let bottom = ticks.first().copied().unwrap_or(100);
    let (lo, hi) = ((bottom as f64).log10(), (*ticks.last().unwrap_or(&1_000) as f64).log10());
    let y = |us: u64| {
        let v = (us.max(bottom) as f64).log10();
        (H - BOTTOM) - (v - lo) / (hi - lo).max(1e-9) * (H - BOTTOM - 6.0)
    };
    let end = now.as_us().max(1) as f64;
    let x = |t: SimTime| LEFT + t.as_us() as f64 / end * (W - LEFT - 4.0);
    let grid = ticks.iter().map(|&t| {
        let yy = y(t);
        html! { <g class="grid"><line x1={LEFT.to_string()} x2={W.to_string()} y1={format!("{yy:.1}")} y2={format!("{yy:.1}")} />
            <text x={(LEFT - 4.0).to_string()} y={format!("{:.1}", yy + 3.5)}>{said(t)}</text></g> }
    });
    let points = dots.iter().map(|d| {
        html! { <circle class={classes!("dot", d.ended.class())} cx={format!("{:.1}", x(d.call))}
        cy={format!("{:.1}", y(d.took_us))} r="2.2" /> }
    });
    html! {
        <svg class="latency-svg" viewBox={format!("0 0 {W} {H}")} role="img"
            aria-label={format!("Latency of {} operations up to {}; the slowest took {}", dots.len(),
                crate::components::invariants::secs(now), said(slowest))}>
            {for grid}
            {for points}
            <text class="tick" x={LEFT.to_string()} y={(H - 3.0).to_string()}>{"0 s"}</text>
            <text class="tick end" x={(W - 4.0).to_string()} y={(H - 3.0).to_string()}>{crate::components::invariants::secs(now)}</text>
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsplay_core::sim::history::OpKind;
    use dsplay_core::NodeId;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_dot_per_returned_operation_thinned_past_the_most_and_decades_to_the_slowest() {
        let op = |id: u64, call: u64, ret: Option<u64>, outcome: Outcome| HistoryOp {
            id,
            client: NodeId(0),
            key: 1,
            op: OpKind::Read,
            call: SimTime::from_ms(call),
            ret: ret.map(SimTime::from_ms),
            outcome,
        };
        let ops = vec![
            op(1, 0, Some(3), Outcome::Ok { value: None }),
            op(2, 10, Some(2_010), Outcome::Info),
            op(3, 20, None, Outcome::Pending),
            op(4, 30, Some(5_000), Outcome::Fail),
        ];
        let d = dots(&ops, SimTime::from_ms(3_000));
        assert_eq!(
            d.iter().map(|d| (d.took_us, d.ended)).collect::<Vec<_>>(),
            [(3_000, Ended::Ok), (2_000_000, Ended::Unknown)]
        );
        assert_eq!(decades(3_000, 2_000_000), [1_000, 10_000, 100_000, 1_000_000, 10_000_000]);
        assert_eq!(decades(0, 50), [100, 1_000]);
        let many: Vec<HistoryOp> =
            (0..5_000).map(|i| op(i, i, Some(i + 1), Outcome::Ok { value: None })).collect();
        assert!(dots(&many, SimTime::from_ms(10_000)).len() <= MOST_DOTS);
    }
}
