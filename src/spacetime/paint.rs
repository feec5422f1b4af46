//! Painting the space-time diagram on a canvas: lanes, message arrows (one path per style, so
//! thousands of arrows cost a few draw calls), drops ending in ✕, in-flight messages dashed up
//! to now, dots for timers, faults and notes, clock notes as text, and the playhead. Messages take
//! their kind's colour, as in the topology's legend; under its spotlight the spotlit kinds are
//! drawn bolder and the rest faint.

use super::hover::{Arrow, Dot, Fate, Line};
use super::labels::{clock_label_place, clock_values, label_box, stacked_place, Arrows};
use super::pen::{CanvasPen, Pen};
use super::{
    auto_window, focus, states, tick_label, ticks, within_run, Focus, Level, Spotlight, Sticky, MAX_ARROWS,
};
use crate::topology::particles::{palette, DIMMED};
use dsplay_core::session::Session;
use dsplay_core::sim::trace::{TraceEvent, TraceKind};
use dsplay_core::view::{Status, WorldView};
use std::collections::{HashMap, VecDeque};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d as Ctx, HtmlCanvasElement};

/// Where the lanes start (right of the node names).
pub const LEFT: f64 = 84.0;
const TOP: f64 = 8.0;
/// The time axis's height, under the lanes.
pub const AXIS: f64 = 18.0;
/// Lost messages end in a red ✕, whatever their kind.
pub const DROP: &str = "#d62828";

/// A dot's colour on its lane: faults and broken invariants red, requests handed in green,
/// notes purple, timers grey (the exported key says so too).
pub fn dot_colour(kind: TraceKind) -> &'static str {
    match kind {
        TraceKind::Fault | TraceKind::Violation => "#d62828",
        TraceKind::Client => "#009e73",
        TraceKind::Note => "#8e44ad",
        _ => "#888888",
    }
}

/// A message's arrow and how the spotlight has it drawn.
type Mark = (Focus, Arrow);
/// Pixels per lane for `n` nodes: 12 for a crowd, 22 for a dozen, and up to 48 for a few, so four
/// processes' clock labels have a row above and below each lane instead of running into each other.
pub fn lane_height(n: usize) -> f64 {
    if n > 24 {
        12.0
    } else {
        (192.0 / n.max(1) as f64).clamp(22.0, 48.0)
    }
}

/// The focus of a message of a kind between two lanes (see [`focus`]).
type FocusOf<'a> = &'a dyn Fn(&str, (usize, usize)) -> Focus;

/// Where time and lanes land on the canvas (kept by a paint, so a click can be placed in time).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Frame {
    pub w: f64,
    pub h: f64,
    pub lane: f64,
    /// The window's start and width, in ms.
    pub t0: f64,
    pub window: f64,
}

impl Frame {
    /// The x of time `t` (ms).
    pub fn x(&self, t: f64) -> f64 {
        LEFT + (t - self.t0) / self.window * (self.w - LEFT - 8.0)
    }
    /// The y of lane `i`.
    pub fn y(&self, i: usize) -> f64 {
        TOP + (i as f64 + 0.5) * self.lane
    }
}

/// What the trace in the window turns into: the newest marks of each sort (at most
/// `MAX_ARROWS`: those nearest the playhead), and how many messages the window held in all.
#[derive(Default)]
struct Marks<'a> {
    arrows: VecDeque<Mark>,
    drops: VecDeque<Mark>,
    dots: VecDeque<&'a TraceEvent>,
    /// Faults of the whole network in the window (see [`super::network`]).
    network: Vec<&'a TraceEvent>,
    /// Deliveries and drops in the window, drawn or not.
    messages: usize,
}

/// Push `x` at the back of `q`, dropping the oldest past `MAX_ARROWS`.
fn keep_newest<T>(q: &mut VecDeque<T>, x: T) {
    if q.len() == MAX_ARROWS {
        q.pop_front();
    }
    q.push_back(x);
}

/// What a paint drew, for hovering: the message arrows and the dots; and how many of the
/// window's messages were drawn (`shown`) of how many (`total`).
#[derive(Default)]
pub struct Painted {
    pub arrows: Vec<Arrow>,
    pub dots: Vec<Dot>,
    pub shown: usize,
    pub total: usize,
    /// When the oldest message drawn ended (delivered or lost), in ms.
    pub from_ms: Option<f64>,
    /// Clock notes written beside their dot, of those in the window (the rest only on hover).
    pub clocks: (usize, usize),
    /// The box each written clock label takes.
    pub labels: Vec<Line>,
    /// Faults of the whole network, drawn across the lanes.
    pub network: Vec<super::network::Line>,
    /// Where time and lanes landed.
    pub frame: Frame,
}

/// The window's start: `window` ms before the playhead, or time zero while the playhead is
/// still within the first window (the data then fills the width from the left).
pub fn window_start(now: f64, window: f64) -> f64 {
    (now - window).max(0.0)
}

/// The diagram's height for `n` lanes.
pub fn height(n: usize) -> f64 {
    TOP + AXIS + lane_height(n) * n.max(1) as f64
}

/// What the diagram is drawn from: the session at its playhead, the window width in ms (`None`
/// = auto, kept in `auto`'s sticky cell per scenario revision) and what is spotlit.
pub struct Scene<'a> {
    pub session: &'a Session,
    pub view: &'a WorldView,
    pub choice: Option<f64>,
    pub auto: (u64, &'a Sticky),
    pub spot: Spotlight<'a>,
}

/// Draw the diagram at the session's playhead on `canvas` (`choice`: window width in ms, `None`
/// = auto; `spot`: what is spotlit), `zoom` times larger than laid out for its
/// width (Present: the same picture in fewer, larger pixels, so clocks read from the back of a
/// room; the canvas grows taller). Returns what was drawn, for hovering.
pub fn paint(
    canvas: &HtmlCanvasElement,
    session: &Session,
    view: &WorldView,
    choice: Option<f64>,
    auto: (u64, &Sticky),
    spot: Spotlight,
    zoom: f64,
) -> Option<Painted> {
    let ctx: Ctx = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    // The laid-out width as recorded after layout (see `laid_out`): no forced layout per frame.
    let w = (crate::laid_out::size(canvas).0 as f64 / zoom).max(320.0).round();
    let h = height(session.sim().node_names().len());
    // In device pixels, drawn in CSS pixels (see `charts::hidpi`): sharp on a phone.
    let dpr = crate::charts::hidpi::ratio() * zoom;
    let (dw, dh) = (crate::charts::hidpi::device(w as u32, dpr), crate::charts::hidpi::device(h as u32, dpr));
    if canvas.width() != dw || canvas.height() != dh {
        canvas.set_width(dw);
        canvas.set_height(dh);
    }
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok()?;
    Some(draw(&CanvasPen(ctx), w, &Scene { session, view, choice, auto, spot }))
}

/// Draw the diagram `w` px wide with `pen` (on a canvas, or into an SVG).
pub fn draw(pen: &dyn Pen, w: f64, scene: &Scene) -> Painted {
    let ctx = pen;
    let sim = scene.session.sim();
    let names = sim.node_names();
    let lane = lane_height(names.len());
    let h = height(names.len());
    let now = scene.view.now.as_ms_f64();
    let all = sim.trace().records();
    let (rev, sticky) = scene.auto;
    let known = Some(sticky.get()).filter(|s| s.0 == rev).and_then(|s| s.1);
    let found = known.or_else(|| auto_window(all.range(all.len().saturating_sub(2_000)..)));
    // Never wider than the whole run: a 100 ms figure drawn in a 500 ms window used a fifth of it.
    let found = found.map(|w| within_run(w, sim.stop_at().as_ms_f64()));
    sticky.set((rev, found));
    // Before the first message there is nothing to fit a window to: a second, or the whole run
    // when shorter (d6's 100 ms figure played its first 30 ms in the left 3 % of a second).
    let window = scene.choice.or(found).unwrap_or_else(|| within_run(1_000.0, sim.stop_at().as_ms_f64()));
    let f = Frame { w, h, lane, t0: window_start(now, window), window };
    let colours = lanes(ctx, &f, names, scene.spot.node);
    // Clipped to the lanes: messages sent before the window start off the left edge.
    ctx.save();
    ctx.begin_path();
    ctx.rect(LEFT, 0.0, w - LEFT, h - AXIS);
    ctx.clip();
    let status: Vec<Status> = scene.view.nodes.iter().map(|n| n.status).collect();
    not_up(ctx, &f, &states::not_up(all, &status, f.t0, now), colours.1);
    let cut_now = scene.view.nodes.iter().any(|n| n.group != 0);
    let hues = crate::topology::particles::KindColours::new(sim.message_kinds(), sim.sendable_kinds());
    let of = |kind: &str, ends: (usize, usize)| focus(&hues, scene.spot, kind, ends);
    let mut marks = collect(all, &f, &of);
    let network = super::network::draw(ctx, &f, &marks.network, cut_now, now);
    let hexes = palette(colours.2);
    stroke_focused(ctx, marks.arrows.make_contiguous(), (hexes, None), true);
    stroke_focused(ctx, marks.drops.make_contiguous(), (hexes, Some(DROP)), false);
    ctx.set_fill_style_str(colours.1);
    for &(focus, Arrow { line: (_, _, x2, y2), .. }) in &marks.drops {
        ctx.set_global_alpha(if focus.level == Level::Dim { DIMMED } else { 1.0 });
        ctx.fill_text("✕", x2 - 4.0, y2 + 4.0, None);
    }
    ctx.set_global_alpha(1.0);
    let flying = in_flight(ctx, &f, scene.view, now, (hues.kinds(), &of, hexes));
    // What labels must not cross: every arrow drawn. The playhead is drawn first and a label may
    // go over it on its own ground: kept clear of it, the newest event, the one a tour stop is
    // about, had no room for its clocks (review 38: d6's textbook tour at 36 and 46 ms).
    let lines = marks.arrows.iter().chain(&marks.drops).chain(&flying).map(|m| m.1.line);
    let blocking = Arrows::new(lines, w);
    playhead(ctx, &f, now);
    let (dots, labels, clocks) = dots(
        ctx,
        &f,
        marks.dots.make_contiguous(),
        (names.len(), &blocking),
        (colours.1, colours.0, f.x(now)),
        scene.spot.node.map(|n| (n, selected_tint(colours.2))),
    );
    ctx.restore();
    let shown = marks.arrows.len() + marks.drops.len();
    let from_ms = marks.arrows.iter().chain(&marks.drops).map(|m| m.1.end_ms).reduce(f64::min);
    if shown < marks.messages {
        cap_note(ctx, &f, shown, marks.messages, (colours.0, colours.1));
    }
    // What hovering can find is what shows: the part of each arrow right of the lane names.
    let arrows = marks.arrows.into_iter().chain(marks.drops).chain(flying);
    let arrows = arrows.filter_map(|(_, a)| Some(Arrow { line: clip_left(a.line, LEFT)?, ..a })).collect();
    Painted { arrows, dots, shown, total: marks.messages, from_ms, clocks, labels, network, frame: f }
}

/// The band over a selected node's lane.
fn selected_tint(dark: bool) -> &'static str {
    if dark {
        "rgba(122, 162, 255, 0.16)"
    } else {
        "rgba(36, 87, 197, 0.10)"
    }
}

/// Background, one lane per node with its name (the `selected` node's on a band), and the time
/// axis with round times; returns the background and text colours, and whether they are dark.
fn lanes(
    ctx: &dyn Pen,
    f: &Frame,
    names: &[String],
    selected: Option<usize>,
) -> (&'static str, &'static str, bool) {
    let dark = crate::charts::draw::current_palette() == crate::charts::draw::DARK;
    let (bg, fg, grid) =
        if dark { ("#1d2026", "#e6e8eb", "#32363e") } else { ("#ffffff", "#1d1f23", "#dcdfe4") };
    ctx.set_fill_style_str(bg);
    ctx.fill_rect(0.0, 0.0, f.w, f.h);
    if let Some(lane) = selected.filter(|&l| l < names.len()) {
        ctx.set_fill_style_str(selected_tint(dark));
        ctx.fill_rect(0.0, f.y(lane) - f.lane / 2.0, f.w, f.lane);
    }
    ctx.set_stroke_style_str(grid);
    ctx.set_line_width(1.0);
    ctx.begin_path();
    ctx.set_fill_style_str(fg);
    for (i, n) in names.iter().enumerate() {
        ctx.move_to(LEFT, f.y(i));
        ctx.line_to(f.w - 8.0, f.y(i));
        ctx.fill_text(n, 4.0, f.y(i) + 4.0, Some(LEFT - 8.0));
    }
    ctx.stroke();
    // Round times along the axis, each with a faint line up through the lanes (two labels, one
    // at each end, left the time of anything between to guesswork).
    let ticks = ticks(f.t0, f.window);
    let step = if ticks.len() > 1 { ticks[1] - ticks[0] } else { f.window };
    ctx.set_global_alpha(0.45);
    ctx.begin_path();
    for &t in &ticks {
        ctx.move_to(f.x(t), TOP);
        ctx.line_to(f.x(t), f.h - AXIS);
    }
    ctx.stroke();
    ctx.set_global_alpha(1.0);
    for &t in &ticks {
        let label = tick_label(t, step);
        let w = ctx.measure(&label);
        let x = (f.x(t) - w / 2.0).clamp(LEFT, f.w - 8.0 - w);
        ctx.fill_text(&label, x, f.h - 4.0, None);
    }
    (bg, fg, dark)
}

/// Shade the stretches of lanes whose node was down (red) or paused (amber), and say so where
/// there is room, in the text colour `fg` (red or amber words on their own shade read at 3:1 or
/// less, review 22).
fn not_up(ctx: &dyn Pen, f: &Frame, spans: &[states::Span], fg: &str) {
    for &(lane, from, to, status) in spans {
        let (x1, x2) = (f.x(from).max(LEFT), f.x(to));
        let (colour, word) = match status {
            Status::Down => ("rgba(214, 40, 40, 0.16)", "down"),
            _ => ("rgba(230, 159, 0, 0.2)", "paused"),
        };
        let top = f.y(lane) - f.lane / 2.0 + 2.0;
        ctx.set_fill_style_str(colour);
        ctx.fill_rect(x1, top, (x2 - x1).max(1.0), f.lane - 4.0);
        if x2 - x1 > 44.0 && f.lane >= 18.0 {
            ctx.set_fill_style_str(fg);
            ctx.fill_text(word, x1 + 3.0, top + 10.0, None);
        }
    }
}

/// Arrows for deliveries and drops in the window, and the other records as dots (each capped,
/// keeping the newest: the diagram is read at its right edge, next to the playhead).
fn collect<'a>(all: &'a VecDeque<TraceEvent>, f: &Frame, of: FocusOf) -> Marks<'a> {
    // Sends up to one window before the start: their deliveries may land inside it.
    let start = all.partition_point(|r| r.at.as_ms_f64() < f.t0 - f.window);
    let mut sent: HashMap<u64, (f64, usize)> = HashMap::new();
    let mut m = Marks::default();
    for r in all.range(start..) {
        let (t, n) = (r.at.as_ms_f64(), r.node.index());
        match r.kind {
            TraceKind::Send => drop(sent.insert(r.msg, (t, n))),
            TraceKind::Deliver if t >= f.t0 => {
                if let Some(&(ts, from)) = sent.get(&r.msg) {
                    m.messages += 1;
                    let line = (f.x(ts), f.y(from), f.x(t), f.y(n));
                    keep_newest(
                        &mut m.arrows,
                        (of(r.label, (from, n)), arrow(r, line, (from, n), (ts, t), Fate::Delivered)),
                    );
                }
            }
            TraceKind::Drop if t >= f.t0 => {
                m.messages += 1;
                // A drop names its intended receiver as `node`, its sender as `peer`.
                let (ts, from) = sent.get(&r.msg).copied().unwrap_or((t, r.peer.map_or(n, |p| p.index())));
                // The ✕ falls half a lane short of the receiver's lane: the arrow points at the
                // node it was meant for, and never ends on another node's lane (halfway from c2
                // to n4 lay on c1's, which read as "lost at c1"). A message the receiver's host
                // refused reached it: its ✕ is on the receiver's lane, where the reset starts
                // (review 20: t1's black hole read as lost on the way).
                let (x1, y1, y2) = (f.x(ts), f.y(from), f.y(n));
                let short =
                    if r.text.as_deref() == Some(dsplay_core::sim::REFUSED) { 0.0 } else { f.lane / 2.0 };
                let line = (x1, y1, f.x(t).max(x1 + 6.0), y2 - (y2 - y1).signum() * short);
                keep_newest(
                    &mut m.drops,
                    (of(r.label, (from, n)), arrow(r, line, (from, n), (ts, t), Fate::Dropped)),
                );
            }
            // A teacher's note (or the run's own: halted, an event skipped) is said by no node: a
            // dot on the first lane read as an event of it (d6-textbook-figure's tour put four on
            // p1).
            // A fault of the whole network is no node's either: drawn across every lane.
            TraceKind::Fault if r.is_network_fault() && t >= f.t0 => m.network.push(r),
            _ if r.is_by_no_node() => {}
            _ if t >= f.t0 => keep_newest(&mut m.dots, r),
            _ => {}
        }
    }
    m
}

/// "showing the latest 2000 of 5210 messages" at the top right, on a backing so it reads over
/// the arrows.
fn cap_note(ctx: &dyn Pen, f: &Frame, shown: usize, total: usize, (bg, fg): (&str, &str)) {
    // What to do about a mat of arrows (review 24 B6), where there is room to say it.
    let full = format!(
        "showing the latest {shown} of {total} messages: narrow the window, spotlight a kind in the legend, or select a node"
    );
    let text = if ctx.measure(&full) < f.w - LEFT - 24.0 {
        full
    } else {
        format!("showing the latest {shown} of {total} messages")
    };
    let w = ctx.measure(&text);
    let x = (f.w - 12.0 - w).max(LEFT);
    ctx.set_fill_style_str(bg);
    ctx.set_global_alpha(0.85);
    ctx.fill_rect(x - 4.0, 1.0, w + 8.0, 15.0);
    ctx.set_global_alpha(1.0);
    ctx.set_fill_style_str(fg);
    ctx.fill_text(&text, x, 12.0, None);
}

/// The part of `line` right of `x` (`None` if none is).
fn clip_left((x1, y1, x2, y2): Line, x: f64) -> Option<Line> {
    if x1 >= x {
        return Some((x1, y1, x2, y2));
    }
    if x2 <= x {
        return None;
    }
    let t = (x - x1) / (x2 - x1);
    Some((x, y1 + t * (y2 - y1), x2, y2))
}

fn arrow(r: &TraceEvent, line: Line, (from, to): (usize, usize), (ts, t): (f64, f64), fate: Fate) -> Arrow {
    Arrow { line, msg: r.msg, kind: r.label, from, to, sent_ms: ts, end_ms: t, fate }
}

/// Messages still on the wire: dashed, from the send to where they are now.
fn in_flight(
    ctx: &dyn Pen,
    f: &Frame,
    view: &WorldView,
    now: f64,
    (kinds, of, hexes): (&[&'static str], FocusOf, &[&'static str; 16]),
) -> Vec<Mark> {
    let mut flying: Vec<Mark> = view
        .in_flight
        .iter()
        .take(MAX_ARROWS)
        .map(|m| {
            let (ts, td) = (m.sent_at.as_ms_f64(), m.deliver_at.as_ms_f64());
            let done = if td > ts { ((now - ts) / (td - ts)).clamp(0.0, 1.0) } else { 1.0 };
            let (from, to) = (m.from.index(), m.to.index());
            let (ya, yb) = (f.y(from), f.y(to));
            let line = (f.x(ts), ya, f.x(now), ya + (yb - ya) * done);
            let kind = kinds.iter().copied().find(|k| *k == m.kind).unwrap_or("message");
            let fate = Fate::InFlight;
            (
                of(&m.kind, (from, to)),
                Arrow { line, msg: m.id, kind, from, to, sent_ms: ts, end_ms: td, fate },
            )
        })
        .collect();
    ctx.set_line_dash(&[4.0, 3.0]);
    stroke_focused(ctx, &mut flying, (hexes, None), false);
    ctx.set_line_dash(&[]);
    flying
}

/// Every record's x, by lane, in time order.
fn xs_by_lane(f: &Frame, records: &[&TraceEvent], n_lanes: usize) -> Vec<Vec<f64>> {
    let mut out = vec![Vec::new(); n_lanes];
    for r in records {
        if let Some(xs) = out.get_mut(r.node.index()) {
            xs.push(f.x(r.at.as_ms_f64()));
        }
    }
    out
}

/// Timers, faults, client requests and notes as dots; clock notes also as text beside their dot
/// (see [`super::labels`]): in the gap above the lane or, where that is taken, the gap below it
/// (shared with the next lane), never over another label in that gap, an arrow (`lanes.1`) or
/// another dot of its lane, never past the lanes' ends; cut to its clocks where the whole note
/// would not go, left out where they would not either. Written in `ink.0`; one over the playhead
/// (at x `ink.2`) on a patch of the background `ink.1`, tinted as its lane is when that is the
/// selected node's (`selected`). Returns the dots, for hovering, the boxes of
/// the labels written, and how many clock notes there were.
fn dots(
    ctx: &dyn Pen,
    f: &Frame,
    records: &[&TraceEvent],
    lanes: (usize, &Arrows),
    ink: (&str, &str, f64),
    selected: Option<(usize, &str)>,
) -> (Vec<Dot>, Vec<Line>, (usize, usize)) {
    let (fg, bg, now_x) = ink;
    let write = |text: &str, x: f64, w: f64, (py, lane): (f64, usize), below: bool| {
        let (x1, y1, x2, y2) = label_box(x, w, py, below);
        if x1 - 1.0 <= now_x && now_x <= x2 + 1.0 {
            let patch = (x1 - 1.0, y1, x2 - x1 + 2.0, y2 - y1);
            let tint = selected.filter(|s| s.0 == lane).map(|s| s.1);
            for colour in std::iter::once(bg).chain(tint) {
                ctx.set_fill_style_str(colour);
                ctx.fill_rect(patch.0, patch.1, patch.2, patch.3);
            }
        }
        ctx.set_fill_style_str(fg);
        ctx.fill_text(text, x, if below { py + 11.0 } else { py - 3.0 }, None);
    };
    let (n_lanes, arrows) = lanes;
    // Where the last label in each row ends. A lane has a row of labels above it and one below;
    // in a lane under 30 px the row below one lane is the row above the next (row `2i` is above
    // lane `i`, `2i + 1` below it).
    let mut ends = vec![f64::MIN; 2 * n_lanes + 2];
    let shared = f.lane < 30.0;
    let bounds = (LEFT, f.w - 8.0);
    let lane_dots = xs_by_lane(f, records, n_lanes);
    let mut out = Vec::with_capacity(records.len());
    let (mut labels, mut clocks, mut written) = (Vec::new(), 0, 0);
    for r in records {
        let (t, node) = (r.at.as_ms_f64(), r.node.index());
        let (px, py) = (f.x(t), f.y(node));
        ctx.set_fill_style_str(dot_colour(r.kind));
        ctx.begin_path();
        ctx.circle(px, py, 2.5);
        ctx.fill();
        let text = r.text.as_deref();
        out.push(Dot {
            at: (px, py),
            node,
            t_ms: t,
            kind: r.kind.name(),
            label: r.label,
            text: text.map(String::from),
        });
        let Some(text) = text.filter(|_| r.kind == TraceKind::Note && r.label == "clock") else { continue };
        clocks += 1;
        // Above the lane, else below it (in a lane under 22 px, above only).
        let rows = if f.lane >= 22.0 { [2 * node, 2 * node + 1] } else { [2 * node, 2 * node] };
        let row_of = |r: usize| if shared && r % 2 == 1 { r + 1 } else { r };
        let free = rows.map(|r| ends.get(row_of(r)).copied().unwrap_or(f64::MAX));
        let mine = lane_dots.get(node).map_or(&[][..], |xs| xs.as_slice());
        // Just its clocks, as in a textbook figure: the arrows say the rest ("receive from p3"),
        // and the whole note took the room of two labels.
        let placed = [clock_values(text).unwrap_or(text)].into_iter().find_map(|text| {
            let w = ctx.measure(text);
            let open = |x: f64, k: usize| !arrows.cross(label_box(x, w, py, rows[k] % 2 == 1));
            clock_label_place(px, w, mine, bounds, free, &open).map(|at| (text, w, at))
        });
        if let Some((text, w, (x, k))) = placed {
            write(text, x, w, (py, node), rows[k] % 2 == 1);
            ends[row_of(rows[k])] = x + w + 4.0;
            labels.push(label_box(x, w, py, rows[k] % 2 == 1));
            written += 1;
        } else if let Some((l, v)) =
            clock_values(text).unwrap_or(text).split_once(' ').filter(|_| rows[0] != rows[1])
        {
            // No room for one line: split over and under the lane, Lamport above.
            let (wl, wv) = (ctx.measure(l), ctx.measure(v));
            let open = |x: f64, w: f64, k: usize| !arrows.cross(label_box(x, w, py, k == 1));
            if let Some(x) = stacked_place(px, (wl, wv), mine, bounds, free, &open) {
                write(l, x, wl, (py, node), false);
                write(v, x, wv, (py, node), true);
                for (k, w) in [(0, wl), (1, wv)] {
                    ends[row_of(rows[k])] = x + w + 4.0;
                    labels.push(label_box(x, w, py, k == 1));
                }
                written += 1;
            }
        }
    }
    (out, labels, (written, clocks))
}

fn playhead(ctx: &dyn Pen, f: &Frame, now: f64) {
    ctx.set_stroke_style_str("#2457c5");
    ctx.set_line_width(2.0);
    ctx.begin_path();
    ctx.move_to(f.x(now), 0.0);
    ctx.line_to(f.x(now), f.h - AXIS);
    ctx.stroke();
}

/// Stroke marks grouped by focus, faint ones first and spotlit ones last (a little bolder), each
/// in its kind's colour among `hexes` (the theme's) or in `fixed` (drops are always red). Sorts
/// `marks` in place (stably, so each group stays in time order) rather than copy them every frame.
fn stroke_focused(
    ctx: &dyn Pen,
    marks: &mut [Mark],
    (hexes, fixed): (&[&str; 16], Option<&str>),
    heads: bool,
) {
    marks.sort_by_key(|m| m.0);
    for group in marks.chunk_by(|a, b| a.0 == b.0) {
        let focus = group[0].0;
        let lines: Vec<Line> = group.iter().map(|m| m.1.line).collect();
        let colour = fixed.unwrap_or(hexes[focus.colour]);
        let (alpha, width) = match focus.level {
            Level::Dim => (DIMMED, 1.0),
            Level::Plain => (1.0, 1.0),
            Level::Lit => (1.0, 1.5),
        };
        ctx.set_global_alpha(alpha);
        stroke_arrows(ctx, &lines, colour, heads, width);
    }
    ctx.set_global_alpha(1.0);
}

fn stroke_arrows(ctx: &dyn Pen, lines: &[Line], colour: &str, heads: bool, width: f64) {
    if lines.is_empty() {
        return;
    }
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(width);
    ctx.begin_path();
    for &(x1, y1, x2, y2) in lines {
        ctx.move_to(x1, y1);
        ctx.line_to(x2, y2);
        if heads {
            let a = (y2 - y1).atan2(x2 - x1);
            for d in [2.6, -2.6] {
                ctx.move_to(x2, y2);
                ctx.line_to(x2 - 6.0 * (a + d / 6.0).cos(), y2 - 6.0 * (a + d / 6.0).sin());
            }
        }
    }
    ctx.stroke();
}
