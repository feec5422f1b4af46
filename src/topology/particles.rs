//! Messages as particles on a canvas: positioned by virtual send and delivery time, coloured by
//! kind, duplicates ringed, drops shown as a fading ✕, and each delivery leaving a fading streak on
//! its link (a 5 ms hop crosses the screen in a third of a frame at 1×; the streak is what shows
//! who talks to whom). Drawn imperatively, capped per frame.

pub use super::kind_colour::{palette, KindColours, DARK_PALETTE, PALETTE};
use super::layout::{fit, Frame};
use super::pen::Pen;
use super::route::{route, Route};
use dsplay_core::sim::trace::{TraceEvent, TraceKind};
use dsplay_core::view::{MsgView, WorldView};
use dsplay_core::{NodeId, SimTime};
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Most particles drawn in one frame.
pub const MAX_PARTICLES: usize = 3_000;
/// Newest trace records searched for drops and deliveries: enough for Raft's 0.3 s of streaks at
/// 1× (about 500 records), a bound at 100×. Scanning them costs microseconds a frame.
const RECENT_SCAN: usize = 4_000;

/// A drawn particle, for hover hit-testing: view-box position and index into the messages.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub x: f64,
    pub y: f64,
    pub msg: usize,
}

/// A message that died: its receiver, its sender when known, and how old the death is (0 new …
/// 1 gone).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Death {
    pub to: NodeId,
    pub from: Option<NodeId>,
    pub age: f64,
}

/// A message delivered a moment ago: its link keeps a streak of its kind's colour while `age`
/// goes from 0 (just now) to 1 (gone).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrival {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: &'static str,
    pub age: f64,
}

/// Everything one canvas frame needs.
#[derive(Debug, Default)]
pub struct Scene {
    pub now: SimTime,
    pub pos: Vec<(f64, f64)>,
    pub r: f64,
    pub frame: Frame,
    /// The frame's shared world view (its in-flight messages are the particles).
    pub world: Option<Rc<WorldView>>,
    /// The kinds' colours, worked out once per render.
    pub colours: KindColours,
    pub deaths: Vec<Death>,
    pub arrivals: Vec<Arrival>,
    /// Colours (kind indices) picked in the legend; when any are, the other kinds are dimmed.
    pub spot: Vec<usize>,
    /// The message held by a click (its card is open): ringed, so the card's dot is plain.
    pub held: Option<u64>,
    /// The page's theme is dark: the kinds take [`DARK_PALETTE`]'s colours.
    pub dark: bool,
}

impl Scene {
    pub fn msgs(&self) -> &[MsgView] {
        self.world.as_ref().map_or(&[], |w| &w.in_flight)
    }

    /// Colour `c`'s CSS value in the page's theme.
    fn hex(&self, c: usize) -> &'static str {
        palette(self.dark)[c]
    }

    /// Whether a kind's colour is drawn in full: no spotlight, or spotlit.
    fn shown(&self, colour: usize) -> bool {
        self.spot.is_empty() || self.spot.contains(&colour)
    }

    /// How strongly to draw a kind's particles: 1, or dimmed when other kinds are spotlit.
    fn weight(&self, colour: usize) -> f64 {
        if self.shown(colour) {
            1.0
        } else {
            DIMMED
        }
    }
}

/// The colour of an answer that turns its request away (a 429, a queue full), drawn as a square.
pub const SAYS_NO: &str = "#d62f3a";

/// The opacity of kinds left out of a spotlight.
pub const DIMMED: f64 = 0.15;

/// The newest trace records (at most `RECENT_SCAN`) in the last `window_us` of simulated time,
/// newest first, each with its age as a share of the window.
fn recent(
    records: &VecDeque<TraceEvent>,
    now: SimTime,
    window_us: u64,
) -> impl Iterator<Item = (&TraceEvent, f64)> {
    let since = now.as_us().saturating_sub(window_us);
    let window = window_us.max(1) as f64;
    let n = records.len();
    records
        .range(n.saturating_sub(RECENT_SCAN)..)
        .rev()
        .take_while(move |r| r.at.as_us() >= since)
        .map(move |r| (r, now.since(r.at).as_us() as f64 / window))
}

/// Drops in the last `window_us` of simulated time, from the newest trace records. A drop record
/// names the intended receiver as `node` and the sender as `peer`.
pub fn deaths(records: &VecDeque<TraceEvent>, now: SimTime, window_us: u64) -> Vec<Death> {
    recent(records, now, window_us)
        .filter(|(r, _)| r.kind == TraceKind::Drop)
        .map(|(r, age)| Death { to: r.node, from: r.peer, age })
        .collect()
}

/// Deliveries in the last `window_us` of simulated time. A delivery record names the receiver as
/// `node`, the sender as `peer` and the message kind as `label`.
pub fn arrivals(records: &VecDeque<TraceEvent>, now: SimTime, window_us: u64) -> Vec<Arrival> {
    recent(records, now, window_us)
        .filter(|(r, _)| r.kind == TraceKind::Deliver)
        .filter_map(|(r, age)| Some(Arrival { from: r.peer?, to: r.node, kind: r.label, age }))
        .collect()
}

/// Where a message is now along its link's route (see [`Route::point`]).
pub fn place(m: &MsgView, now: SimTime, route: &Route) -> (f64, f64) {
    let span = m.deliver_at.since(m.sent_at).as_us();
    let t = if span == 0 { 1.0 } else { (now.since(m.sent_at).as_us() as f64 / span as f64).clamp(0.0, 1.0) };
    route.point(t)
}

/// The routes of the links drawn, each worked out once for as long as the nodes stay where they
/// are (a route checks every other node for one in its way: at 50 nodes and 100 busy links, a
/// third of a millisecond a frame).
#[derive(Default)]
pub struct Routes {
    pos: Vec<(f64, f64)>,
    r: f64,
    frame: Frame,
    known: HashMap<(NodeId, NodeId), Option<Route>>,
}

impl Routes {
    /// Forget the routes if the nodes moved or resized since they were worked out.
    fn among(&mut self, pos: &[(f64, f64)], r: f64, frame: Frame) -> &mut Routes {
        if self.pos != pos || self.r != r || self.frame != frame {
            self.pos = pos.to_vec();
            self.r = r;
            self.frame = frame;
            self.known.clear();
        }
        self
    }

    fn of(&mut self, from: NodeId, to: NodeId) -> Option<Route> {
        let (pos, r, frame) = (&self.pos, self.r, self.frame);
        *self.known.entry((from, to)).or_insert_with(|| route(pos, r, frame, from, to))
    }
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// Size the canvas to its element (device-pixel aware), clear it, and draw the scene, with the
/// link routes kept in `routes` between frames. Returns the drawn particles for hit-testing.
pub fn draw(canvas: &HtmlCanvasElement, scene: &Scene, routes: &mut Routes) -> Vec<Hit> {
    let Some(ctx) = context(canvas) else { return Vec::new() };
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    let (w, h) = crate::laid_out::size(canvas);
    let (cw, ch) = (w.max(1) as f64, h.max(1) as f64);
    let (pw, ph) = ((cw * dpr).round() as u32, (ch * dpr).round() as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    }
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, pw as f64, ph as f64);
    let (s, ox, oy) = fit(scene.frame, cw, ch);
    let _ = ctx.set_transform(dpr * s, 0.0, 0.0, dpr * s, dpr * ox, dpr * oy);
    let routes = routes.among(&scene.pos, scene.r, scene.frame);
    let pen = Pen::new(dpr * s);
    edges(&ctx, scene, routes, pen);
    streaks(&ctx, scene, routes, pen);
    let hits = particles(&ctx, scene, routes);
    draw_deaths(&ctx, scene, routes);
    hits
}

/// Faint edges for every link that carries a message right now (under a spotlight, a message of
/// a spotlit kind).
fn edges(ctx: &CanvasRenderingContext2d, scene: &Scene, routes: &mut Routes, pen: Pen) {
    let mut links = HashSet::new();
    ctx.begin_path();
    for m in scene.msgs().iter().filter(|m| scene.shown(scene.colours.of(&m.kind))) {
        let key = (m.from.0.min(m.to.0), m.from.0.max(m.to.0));
        if links.len() < 2_000 && links.insert(key) {
            if let Some(route) = routes.of(m.from, m.to) {
                route.trace(ctx);
            }
        }
    }
    ctx.set_stroke_style_str("rgba(128,136,150,0.28)");
    pen.width(ctx, 1.2);
    ctx.stroke();
}

/// The messages in flight, batched by colour, smaller when there are many; returns where each was
/// drawn, for hit-testing.
fn particles(ctx: &CanvasRenderingContext2d, scene: &Scene, routes: &mut Routes) -> Vec<Hit> {
    let dot = match scene.msgs().len() {
        0..=300 => 4.0,
        301..=1_200 => 3.2,
        _ => 2.6,
    };
    let mut hits: Vec<(usize, Hit)> = Vec::with_capacity(scene.msgs().len().min(MAX_PARTICLES));
    for (i, m) in scene.msgs().iter().take(MAX_PARTICLES).enumerate() {
        if let Some(route) = routes.of(m.from, m.to) {
            let (x, y) = place(m, scene.now, &route);
            hits.push((scene.colours.of(&m.kind), Hit { x, y, msg: i }));
        }
    }
    // Dimmed kinds first, so spotlit particles lie on top.
    hits.sort_by_key(|h| (scene.shown(h.0), h.0));
    for group in hits.chunk_by(|a, b| a.0 == b.0) {
        ctx.set_global_alpha(scene.weight(group[0].0));
        colour_group(ctx, scene, group, dot);
    }
    ctx.set_global_alpha(1.0);
    if let Some((c, h)) = scene.held.and_then(|id| hits.iter().find(|(_, h)| scene.msgs()[h.msg].id == id)) {
        ctx.begin_path();
        let _ = ctx.arc(h.x, h.y, dot + 5.0, 0.0, std::f64::consts::TAU);
        ctx.set_stroke_style_str(scene.hex(*c));
        ctx.set_line_width(2.5);
        ctx.stroke();
    }
    hits.into_iter().map(|(_, h)| h).collect()
}

/// One colour's particles: dots, red squares for answers that turn their request away (whatever
/// their kind's colour), and a ring round each duplicate.
fn colour_group(ctx: &CanvasRenderingContext2d, scene: &Scene, group: &[(usize, Hit)], dot: f64) {
    ctx.begin_path();
    for (_, h) in group.iter().filter(|(_, h)| !scene.msgs()[h.msg].says_no) {
        ctx.move_to(h.x + dot, h.y);
        let _ = ctx.arc(h.x, h.y, dot, 0.0, std::f64::consts::TAU);
    }
    ctx.set_fill_style_str(scene.hex(group[0].0));
    ctx.fill();
    ctx.begin_path();
    for (_, h) in group.iter().filter(|(_, h)| scene.msgs()[h.msg].says_no) {
        ctx.rect(h.x - dot, h.y - dot, 2.0 * dot, 2.0 * dot);
    }
    ctx.set_fill_style_str(SAYS_NO);
    ctx.fill();
    let dups: Vec<&Hit> = group.iter().map(|(_, h)| h).filter(|h| scene.msgs()[h.msg].duplicate).collect();
    if !dups.is_empty() {
        ctx.begin_path();
        for h in dups {
            ctx.move_to(h.x + dot + 2.5, h.y);
            let _ = ctx.arc(h.x, h.y, dot + 2.5, 0.0, std::f64::consts::TAU);
        }
        ctx.set_stroke_style_str(scene.hex(group[0].0));
        ctx.set_line_width(1.5);
        ctx.stroke();
    }
}

/// Dropped messages: a fading ✕ near the receiver, rising as it fades.
fn draw_deaths(ctx: &CanvasRenderingContext2d, scene: &Scene, routes: &mut Routes) {
    ctx.set_stroke_style_str("#e5484d");
    ctx.set_line_width(2.2);
    for d in &scene.deaths {
        let Some(b) = scene.pos.get(d.to.index()).copied() else { continue };
        let (x, y) = match d.from.and_then(|from| routes.of(from, d.to)) {
            Some(route) => {
                let p = route.point(0.8);
                (p.0, p.1 - 10.0 * d.age)
            }
            None => (b.0, b.1 - scene.r - 8.0 - 10.0 * d.age),
        };
        ctx.set_global_alpha((1.0 - d.age).clamp(0.0, 1.0));
        let k = 5.5;
        ctx.begin_path();
        ctx.move_to(x - k, y - k);
        ctx.line_to(x + k, y + k);
        ctx.move_to(x + k, y - k);
        ctx.line_to(x - k, y + k);
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
}

/// Streaks of recent deliveries, one stroke per colour and per quarter of age.
/// Under a spotlight only the spotlit kinds streak: faint streaks of every other kind stacked on
/// one link would add up to a strong line.
fn streaks(ctx: &CanvasRenderingContext2d, scene: &Scene, routes: &mut Routes, pen: Pen) {
    // (fade step 0–3, colour, sender, receiver): many deliveries share all four (thousands of
    // deliveries in a busy run, a few hundred streaks), and each such streak is drawn once. The
    // set drops the repeats, so the sort orders only the distinct strokes.
    let distinct: HashSet<(usize, usize, NodeId, NodeId)> = scene
        .arrivals
        .iter()
        .map(|d| ((d.age.clamp(0.0, 0.999) * 4.0) as usize, scene.colours.of(d.kind), d.from, d.to))
        .filter(|k| scene.shown(k.1))
        .collect();
    let mut keys: Vec<_> = distinct.into_iter().collect();
    keys.sort_unstable();
    pen.hairline(ctx);
    for group in keys.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
        ctx.begin_path();
        for &(_, _, from, to) in group {
            if let Some(route) = routes.of(from, to) {
                pen.shifts(2.0).for_each(|shift| route.trace_travel(ctx, shift));
            }
        }
        let (fade, colour) = (group[0].0, group[0].1);
        ctx.set_global_alpha(0.5 * (1.0 - fade as f64 / 4.0));
        ctx.set_stroke_style_str(scene.hex(colour));
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
}

/// The particle nearest to `(x, y)` within `max_d` (all in view-box units).
pub fn nearest(hits: &[Hit], x: f64, y: f64, max_d: f64) -> Option<Hit> {
    hits.iter()
        .map(|h| (((h.x - x).powi(2) + (h.y - y).powi(2)), h))
        .filter(|(d2, _)| *d2 <= max_d * max_d)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, h)| *h)
}

/// Client coordinates → view-box coordinates (and the scale) for an element's bounding box
/// `(left, top, width, height)`.
pub fn to_view(f: Frame, rect: (f64, f64, f64, f64), client: (f64, f64)) -> (f64, f64, f64) {
    let (s, ox, oy) = fit(f, rect.2, rect.3);
    ((client.0 - rect.0 - ox) / s, (client.1 - rect.1 - oy) / s, s)
}
