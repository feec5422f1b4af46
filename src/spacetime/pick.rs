//! Picking events on the space-time diagram: which event a click lands on, how a click changes
//! the pick, and what the caption says of a picked event and of two (the verdict, and why).
//! Events are named by lane and time, not by index, so a pick outlives the graph being rebuilt
//! as the playhead moves.

use super::hover::{nearest_dot, Fate};
use super::labels::clock_values;
use super::paint::Painted;
use dsplay_core::sim::causality::{vector, vector_order, Act, Causality, Order};
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::SimTime;

/// An event, by its lane and time.
pub type Spot = (usize, SimTime);

/// The picked event and, for a verdict, a second one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pick {
    pub first: Spot,
    pub second: Option<Spot>,
}

/// How near (CSS px) a click must be to a dot or an arrow's end to pick it.
const PICK_PX: f64 = 7.0;

/// The time of a drawn mark, back to the simulator's microseconds.
fn time(ms: f64) -> SimTime {
    SimTime((ms * 1_000.0).round() as u64)
}

/// The event a click at `(x, y)` lands on: a dot, else the end of an arrow (its send, or its
/// delivery; a loss or a message in flight ends in no event).
pub fn hit(drawn: &Painted, x: f64, y: f64) -> Option<Spot> {
    if let Some(d) = nearest_dot(&drawn.dots, x, y, PICK_PX) {
        return Some((d.node, time(d.t_ms)));
    }
    let near = |(px, py): (f64, f64)| ((px - x).powi(2) + (py - y).powi(2)).sqrt();
    let ends = drawn.arrows.iter().flat_map(|a| {
        let (x1, y1, x2, y2) = a.line;
        // A send before the window is clipped at the lanes' edge: that end is no event.
        let start = (a.sent_ms >= drawn.frame.t0).then_some(((x1, y1), (a.from, a.sent_ms)));
        let end = (a.fate == Fate::Delivered).then_some(((x2, y2), (a.to, a.end_ms)));
        start.into_iter().chain(end)
    });
    let best = ends.map(|(p, spot)| (near(p), spot)).filter(|(d, _)| *d <= PICK_PX);
    best.min_by(|a, b| a.0.total_cmp(&b.0)).map(|(_, (lane, ms))| (lane, time(ms)))
}

/// The pick after a click on `spot` (`None`: empty space). A click picks an event; with one
/// picked, a click (or shift-click) on another compares them; with two picked, a click starts
/// again from the new one and a shift-click swaps the second. Empty space, or the picked event
/// again, clears.
pub fn after_click(pick: Option<Pick>, spot: Option<Spot>, shift: bool) -> Option<Pick> {
    let spot = spot?;
    match pick {
        Some(p) if p.second.is_none() && p.first == spot => None,
        Some(p) if p.second.is_none() || shift => {
            Some(Pick { second: Some(spot).filter(|s| *s != p.first), ..p })
        }
        _ => Some(Pick { first: spot, second: None }),
    }
}

fn name(names: &[String], lane: usize) -> &str {
    names.get(lane).map_or("?", String::as_str)
}

fn secs(at: SimTime) -> String {
    format!("{:.3} s", at.as_ms_f64() / 1_000.0)
}

/// `p2 at 0.149 s: received Ping from p1 · L=6 V=[3,3,0,3]`; a request handed to a node is
/// said by what it made the node do (`sent Ping to p2`), or by its clock's words (`local`: a
/// scripted local event read "client": review 21).
pub fn describe_event(c: &Causality, e: usize, names: &[String]) -> String {
    let ev = &c.events[e];
    let peer = |p: Option<usize>| p.map_or("?", |p| name(names, p));
    let did =
        ev.acts.iter().any(|a| matches!(a.kind, TraceKind::Send | TraceKind::Deliver | TraceKind::Timer));
    let words = ev.clock.as_deref().and_then(|t| Some(t[clock_values(t)?.len()..].trim()));
    let asked = |a: &&Act| a.kind != TraceKind::Client || !did;
    let acts: Vec<String> = ev
        .acts
        .iter()
        .filter(|a| a.kind != TraceKind::Timer || ev.acts.len() == 1)
        .filter(asked)
        // A node's notes are words in the event log, not something it did ("received Ping from
        // p1, note" said nothing).
        .filter(|a| a.kind != TraceKind::Note)
        .take(3)
        .map(|a| match a.kind {
            TraceKind::Send => format!("sent {} to {}", a.label, peer(a.peer)),
            TraceKind::Deliver => format!("received {} from {}", a.label, peer(a.peer)),
            TraceKind::Timer => format!("timer {}", a.label),
            TraceKind::Client => match words.filter(|w| !w.is_empty()) {
                Some(w) => format!("{w} event, on request"),
                None => "a request".to_string(),
            },
            _ => a.label.to_string(),
        })
        .collect();
    let mut out = format!("{} at {}", name(names, ev.lane), secs(ev.at));
    if !acts.is_empty() {
        out = format!("{out}: {}", acts.join(", "));
    }
    match ev.clock.as_deref() {
        Some(clock) => format!("{out} · {}", clock_values(clock).unwrap_or(clock)),
        None => out,
    }
}

/// Most message hops a chain is told in; longer ones end in "…".
const HOPS_TOLD: usize = 4;

/// The messages along `chain`: "p1 sent Ping at 0.120 s, p3 received it at 0.131 s; then …";
/// a chain along one lane says so.
pub fn tell_chain(c: &Causality, chain: &[usize], names: &[String]) -> String {
    let hops: Vec<String> = chain
        .windows(2)
        .filter_map(|w| {
            let l = c.message(w[0], w[1])?;
            let (a, b) = (&c.events[w[0]], &c.events[w[1]]);
            let (from, to) = (name(names, a.lane), name(names, b.lane));
            Some(format!("{from} sent {} at {}, {to} received it at {}", l.label, secs(a.at), secs(b.at)))
        })
        .collect();
    match hops.len() {
        0 => format!(
            "both on {}, one after the other",
            chain.first().map_or("?", |&e| name(names, c.events[e].lane))
        ),
        n if n > HOPS_TOLD => format!("{}; … ({n} messages)", hops[..HOPS_TOLD].join("; then ")),
        _ => hops.join("; then "),
    }
}

/// A verdict's head as written (before, after, concurrent), and as it is said aloud.
pub const HEADS: [(&str, &str); 3] =
    [("a → b", "a happened before b"), ("b → a", "b happened before a"), ("a ∥ b", "a and b are concurrent")];

/// The verdict on `a` and `b`: one of [`HEADS`], with why (the chain, and the vectors where both
/// events carry one — and if the vectors disagreed, that too).
pub fn verdict(c: &Causality, a: usize, b: usize, names: &[String]) -> String {
    let (order, chain) = c.order(a, b);
    let head = match order {
        Order::Before => HEADS[0].0,
        Order::After => HEADS[1].0,
        Order::Concurrent => HEADS[2].0,
        Order::Same => return "a and b are the same event".into(),
    };
    let why = match order {
        Order::Concurrent => {
            "no chain of process order and messages leads from either to the other".to_string()
        }
        _ => tell_chain(c, &chain, names),
    };
    let vectors = |e: usize| c.events[e].clock.as_deref().and_then(vector);
    let Some((va, vb)) = vectors(a).zip(vectors(b)) else { return format!("{head}: {why}.") };
    let show = |v: &[u64]| format!("[{}]", v.iter().map(u64::to_string).collect::<Vec<_>>().join(","));
    let (sa, sb) = (show(&va), show(&vb));
    let by_vectors = match vector_order(&va, &vb) {
        _ if vector_order(&va, &vb) != order => {
            format!("Yet the vectors V(a)={sa}, V(b)={sb} say otherwise")
        }
        Order::Before => format!("V(a)={sa} ≤ V(b)={sb}"),
        Order::After => format!("V(b)={sb} ≤ V(a)={sa}"),
        _ => format!("Neither V ≤ the other: V(a)={sa}, V(b)={sb}"),
    };
    format!("{head}: {why}. {by_vectors}.")
}
