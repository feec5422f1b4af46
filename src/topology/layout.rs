//! Where nodes go: columns by role tier (clients → front → servers → stores → monitors), a ring
//! when the servers are peers, or one column per region. Pure geometry in a view box (a
//! [`Frame`]) that the SVG and the canvas share. The frame follows the stage's size, so one unit
//! is about one CSS pixel and labels stay legible; a portrait stage gets the layout turned on its
//! side (clients on top, servers below). Partition cuts are drawn by `cuts`.

use super::ring::{self, Ring, Room};
use dsplay_core::view::NodeState;

/// Room left and right of the outer columns.
const MARGIN: f64 = 44.0;
/// Room above and below a column's footprints.
const PAD: f64 = 8.0;
/// A node's footprint beyond its circle: a badge on its rim above, two text lines below.
const ABOVE: f64 = 11.0;
const BELOW: f64 = 33.0;

/// The view box every layer draws in, in layout units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub w: f64,
    pub h: f64,
}

impl Frame {
    /// The frame before the stage has been measured.
    pub const DEFAULT: Frame = Frame { w: 1000.0, h: 560.0 };

    /// The frame for a stage of `w` × `h` CSS pixels showing `n` nodes: one unit per pixel when
    /// the stage is big enough for that many nodes, otherwise zoomed out just enough to fit them.
    pub fn for_stage(w: f64, h: f64, n: usize) -> Frame {
        if !(w > 1.0 && h > 1.0) {
            return Frame::DEFAULT;
        }
        let need = match n {
            0..=8 => 560.0,
            9..=16 => 640.0,
            17..=30 => 760.0,
            _ => 900.0,
        };
        let zoom = (w.max(h) / need).min(1.0);
        Frame { w: (w / zoom).round(), h: (h / zoom).round() }
    }

    fn grown(self, k: f64) -> Frame {
        Frame { w: (self.w * k).round(), h: (self.h * k).round() }
    }

    fn portrait(self) -> bool {
        self.h > self.w
    }

    fn turned(self) -> Frame {
        Frame { w: self.h, h: self.w }
    }
}

impl Default for Frame {
    fn default() -> Self {
        Frame::DEFAULT
    }
}

/// A region's background box.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionBox {
    pub name: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// Node centres (by node index), their radius, and decorations.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Layout {
    pub pos: Vec<(f64, f64)>,
    pub r: f64,
    /// Centre and radius of the ring, when the servers form one (its horizontal radius, when a
    /// ring of log-keeping servers is stretched: see `ring`).
    pub ring: Option<(f64, f64, f64)>,
    pub regions: Vec<RegionBox>,
    /// The view box all of the above is in.
    pub frame: Frame,
    /// Some column was too long for the frame and wrapped into sub-columns.
    pub wrapped: bool,
    /// How wide each node's labels may be (see [`label_room`]), measured once per layout: it is
    /// quadratic in the nodes, and a stage draws 60 frames a second. Empty: measured when asked.
    pub rooms: Vec<f64>,
}

/// Space kept between the labels of two neighbours in a row: with their halos (4.5 px), 8 left
/// two "2/4 busy, 0 queued" in t1-power-of-two all but touching (review 32 B6).
const LABEL_GAP: f64 = 12.0;

/// How wide node `i`'s label may be: the distance to its nearest neighbour in the same row, less
/// a gap (unbounded when it has none).
pub fn label_room(pos: &[(f64, f64)], i: usize) -> f64 {
    let (x, y) = pos[i];
    let nearest = pos
        .iter()
        .enumerate()
        .filter(|&(j, &(_, v))| j != i && (v - y).abs() < 20.0)
        .map(|(_, &(u, _))| (u - x).abs())
        .fold(f64::INFINITY, f64::min);
    nearest - LABEL_GAP
}

impl Layout {
    /// Node `i`'s label room.
    pub fn room(&self, i: usize) -> f64 {
        self.rooms.get(i).copied().unwrap_or_else(|| label_room(&self.pos, i))
    }

    fn measured(mut self) -> Layout {
        self.rooms = (0..self.pos.len()).map(|i| label_room(&self.pos, i)).collect();
        self
    }
}

/// Left-to-right tier of a role. Roles that change at run time (leader, follower, candidate,
/// primary, backup) share a tier, so a node never jumps when it is elected.
pub fn tier(role: &str) -> u8 {
    // Asked for every node several times a frame, of a handful of distinct roles: remembered.
    thread_local! {
        static KNOWN: std::cell::RefCell<Vec<(String, u8)>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    KNOWN.with(|known| {
        let mut known = known.borrow_mut();
        if let Some(&(_, t)) = known.iter().find(|(r, _)| r == role) {
            return t;
        }
        if known.len() >= 64 {
            known.clear();
        }
        let t = tier_of(role);
        known.push((role.to_string(), t));
        t
    })
}

fn tier_of(role: &str) -> u8 {
    let r = role.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| r.contains(w));
    if has(&["monitor", "driver", "witness", "observer", "checker"]) {
        4
    } else if has(&["client", "producer", "user", "source"]) {
        0
    } else if has(&["balancer", "gateway", "router", "coordinator", "broker", "proxy", "limiter"]) {
        1
    } else if has(&["store", "ledger", "database", "db", "sink"]) {
        3
    } else {
        2
    }
}

fn radius(n: usize) -> f64 {
    match n {
        0..=8 => 28.0,
        9..=16 => 22.0,
        17..=30 => 17.0,
        _ => 13.0,
    }
}

/// How nodes are spaced in a column: centre to centre along it (`pitch`), between sub-columns
/// (`gap`), and the extent of one node with its badge and labels along it (`first`). Labels are
/// wide and short, so a column that will be turned into a row (portrait) spaces by label width.
#[derive(Clone, Copy, Debug)]
struct Spacing {
    pitch: f64,
    gap: f64,
    first: f64,
    /// How far up a column sits so its labels (below) and badges (above) balance; a row needs none.
    lift: f64,
}

impl Spacing {
    fn new(r: f64, turned: bool) -> Spacing {
        // Small nodes show no label line, only the role (about 50 px wide).
        let (label_w, tall, below) =
            if r >= 15.0 { (104.0, ABOVE + BELOW, 40.0) } else { (56.0, ABOVE + 17.0, 30.0) };
        let (across_h, across_w) = (2.0 * r + below, (2.0 * r + 12.0).max(label_w));
        if turned {
            Spacing { pitch: across_w, gap: across_h, first: across_w, lift: 0.0 }
        } else {
            Spacing { pitch: across_h, gap: across_w, first: 2.0 * r + tall, lift: (BELOW - ABOVE) / 2.0 }
        }
    }

    /// How many nodes fit in one column of height `h`.
    fn per_column(&self, h: f64) -> usize {
        (((h - self.first) / self.pitch).floor() + 1.0).max(1.0) as usize
    }

    /// Sub-columns a band of `n` nodes needs (used to share the width fairly).
    fn width_units(&self, n: usize, h: f64) -> f64 {
        n.div_ceil(self.per_column(h)).max(1) as f64
    }
}

/// Stack `members` (node indices) in the band `top .. top + h` centred on `cx`, wrapping into
/// sub-columns. Returns whether the column had to wrap.
fn column(pos: &mut [(f64, f64)], members: &[usize], cx: f64, top: f64, h: f64, sp: Spacing) -> bool {
    let per = sp.per_column(h);
    let cols = members.len().div_ceil(per).max(1);
    for (k, &i) in members.iter().enumerate() {
        let (c, row) = (k / per, k % per);
        let in_col = (members.len() - c * per).min(per);
        let x = cx + (c as f64 - (cols as f64 - 1.0) / 2.0) * sp.gap;
        let mid = top + h / 2.0 - sp.lift;
        let y = mid + (row as f64 - (in_col as f64 - 1.0) / 2.0) * sp.pitch;
        if let Some(p) = pos.get_mut(i) {
            *p = (x, y);
        }
    }
    cols > 1
}

/// Lay out `bands` (each a list of node indices) as columns across the view box.
/// `top` is the room kept above them (for region names).
fn columns(
    pos: &mut [(f64, f64)],
    bands: &[Vec<usize>],
    sp: Spacing,
    f: Frame,
    top: f64,
) -> (Vec<(f64, f64)>, bool) {
    let h = f.h - top - PAD;
    let units: Vec<f64> = bands.iter().map(|b| sp.width_units(b.len(), h) + 0.6).collect();
    let total: f64 = units.iter().sum::<f64>().max(1.0);
    let mut x = MARGIN;
    let (mut spans, mut wrapped) = (Vec::new(), false);
    for (band, u) in bands.iter().zip(&units) {
        let w = (f.w - 2.0 * MARGIN) * u / total;
        wrapped |= column(pos, band, x + w / 2.0, top, h, sp);
        spans.push((x, w));
        x += w;
    }
    (spans, wrapped)
}

/// Lay out the nodes of one view for a stage of `w` × `h` CSS pixels: in
/// [`Frame::for_stage`], zoomed out further (up to 8 times by a fifth) while nodes would leave the
/// frame or overlap, and (for the first step) while a column would wrap. The frame
/// used is in [`Layout::frame`].
///
/// A stage so small that this shrinks text below [`LEGIBLE_SCALE`] (a phone-width embed showed
/// names 5 px tall) is laid out again two ways, and the layout drawn largest wins: with a long
/// column wrapped at once instead of after zooming out (d9's five shards: 0.69 px per unit, names
/// 7 px tall, where wrapping fitted at 0.82), and with compact nodes from one unit per pixel.
pub fn layout_for_stage(nodes: &[NodeState], w: f64, h: f64) -> Layout {
    let r = radius(nodes.len());
    let start = Frame::for_stage(w, h, nodes.len());
    let usual = fitted(nodes, start, r, Wrap::AfterAStep);
    let scale = |l: &Layout| w / l.frame.w;
    if scale(&usual) >= LEGIBLE_SCALE || !(w > 1.0 && h > 1.0) {
        return usual.measured();
    }
    // Wrapping at once only where zooming did not make it legible: side by side, sub-columns'
    // labels come closer than one column's, so a legible layout keeps its columns whole.
    let mut best = usual;
    let wrapped = fitted(nodes, start, r, Wrap::AtOnce);
    if scale(&wrapped) > scale(&best) {
        best = wrapped;
    }
    // Compact only where it keeps every column whole: side-by-side sub-columns of small nodes
    // ran their labels and badges into each other.
    if r > COMPACT_R {
        let compact = fitted(nodes, Frame { w: w.round(), h: h.round() }, COMPACT_R, Wrap::Never);
        if !compact.wrapped && scale(&compact) > scale(&best) {
            best = compact;
        }
    }
    best.measured()
}

/// Below this many CSS pixels per unit, text (11 units for a role) gets hard to read.
pub const LEGIBLE_SCALE: f64 = 0.7;
/// The smallest node that still shows its label line (see `Spacing::new`).
const COMPACT_R: f64 = 15.0;

/// When [`fitted`] lets a column too long for the frame wrap into sub-columns.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wrap {
    /// Only once the frame has been zoomed out a step and the column still does not fit.
    AfterAStep,
    AtOnce,
    Never,
}

/// `frame`, zoomed out (up to 8 times by a fifth) until nodes of radius `r` fit, with columns
/// wrapped as `wrap` allows.
fn fitted(nodes: &[NodeState], mut frame: Frame, r: f64, wrap: Wrap) -> Layout {
    let mut lay = layout_with(nodes, frame, r);
    for step in 0..8 {
        let may_wrap = match wrap {
            Wrap::AfterAStep => step >= 1,
            Wrap::AtOnce => true,
            Wrap::Never => false,
        };
        if fits(&lay) && (!lay.wrapped || may_wrap) {
            break;
        }
        frame = frame.grown(1.2);
        lay = layout_with(nodes, frame, r);
    }
    lay
}

/// The last layout and what it depended on: the stage size and each node's tier and region.
/// Those rarely change while a run plays, so a frame usually reuses the layout instead of
/// fitting it again (and the check allocates nothing).
#[derive(Debug, Default)]
pub struct LayoutCache {
    stage: Option<(f64, f64)>,
    /// Each node's tier and region, or `None` before the first layout.
    nodes: Option<Vec<(u8, Option<String>)>>,
    last: Layout,
}

impl LayoutCache {
    /// The layout for `nodes` on a stage of `stage` CSS pixels (`None`: not measured yet).
    pub fn get(&mut self, nodes: &[NodeState], stage: Option<(f64, f64)>) -> Layout {
        let same = self.stage == stage
            && self.nodes.as_ref().is_some_and(|k| {
                k.len() == nodes.len()
                    && k.iter().zip(nodes).all(|((t, r), n)| *t == tier(&n.view.role) && *r == n.region)
            });
        if !same {
            self.last = match stage {
                Some((w, h)) => layout_for_stage(nodes, w, h),
                None => layout(nodes, Frame::DEFAULT),
            };
            self.stage = stage;
            self.nodes = Some(nodes.iter().map(|n| (tier(&n.view.role), n.region.clone())).collect());
        }
        self.last.clone()
    }
}

/// Every node with its badge and labels inside the frame, and no two nodes overlapping.
pub fn fits(lay: &Layout) -> bool {
    let (f, r) = (lay.frame, lay.r);
    lay.pos.iter().enumerate().all(|(i, &(x, y))| {
        x >= r
            && x <= f.w - r
            && y >= r + ABOVE
            && y <= f.h - r - BELOW
            && lay.pos[i + 1..].iter().all(|&(u, v)| (x - u).powi(2) + (y - v).powi(2) >= 4.0 * r * r)
    })
}

/// Lay out the nodes of one view in `frame`: in a portrait frame, the landscape layout of the
/// turned frame, turned back (columns become rows).
pub fn layout(nodes: &[NodeState], frame: Frame) -> Layout {
    layout_with(nodes, frame, radius(nodes.len())).measured()
}

fn layout_with(nodes: &[NodeState], frame: Frame, r: f64) -> Layout {
    if !frame.portrait() {
        return landscape(nodes, frame, false, r);
    }
    let t = landscape(nodes, frame.turned(), true, r);
    Layout {
        pos: t.pos.iter().map(|&(x, y)| (y, x)).collect(),
        r: t.r,
        ring: t.ring.map(|(x, y, rr)| (y, x, rr)),
        regions: t.regions.into_iter().map(|g| RegionBox { x: g.y, y: g.x, w: g.h, h: g.w, ..g }).collect(),
        frame,
        wrapped: t.wrapped,
        rooms: Vec::new(),
    }
}

/// The layout in a landscape frame; `turned` when it will be turned into a portrait one.
fn landscape(nodes: &[NodeState], f: Frame, turned: bool, r: f64) -> Layout {
    let n = nodes.len();
    let sp = Spacing::new(r, turned);
    let mut pos = vec![(f.w / 2.0, f.h / 2.0); n];
    if nodes.iter().any(|s| s.region.is_some()) {
        let mut names: Vec<Option<&str>> = Vec::new();
        let mut bands: Vec<Vec<usize>> = Vec::new();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| (tier(&nodes[i].view.role), i));
        for i in order {
            let reg = nodes[i].region.as_deref();
            match names.iter().position(|x| *x == reg) {
                Some(k) => bands[k].push(i),
                None => {
                    names.push(reg);
                    bands.push(vec![i]);
                }
            }
        }
        let (spans, wrapped) = columns(&mut pos, &bands, sp, f, 34.0);
        let regions = names
            .iter()
            .zip(spans)
            .filter_map(|(name, (x, w))| {
                let name = (*name)?.to_string();
                Some(RegionBox { name, x: x + 6.0, y: 10.0, w: w - 12.0, h: f.h - 20.0 })
            })
            .collect();
        return Layout { pos, r, ring: None, regions, frame: f, wrapped, rooms: Vec::new() };
    }
    let mut tiers: [Vec<usize>; 5] = Default::default();
    for (i, s) in nodes.iter().enumerate() {
        tiers[tier(&s.view.role) as usize].push(i);
    }
    let peers = tiers[1].is_empty() && tiers[3].is_empty() && tiers[2].len() >= 3;
    if !peers {
        let bands: Vec<Vec<usize>> = tiers.into_iter().filter(|t| !t.is_empty()).collect();
        let (_, wrapped) = columns(&mut pos, &bands, sp, f, PAD);
        return Layout { pos, r, ring: None, regions: Vec::new(), frame: f, wrapped, rooms: Vec::new() };
    }
    // Peers on a ring, clients in a column (or several) on the left, monitors on the right.
    let h = f.h - 2.0 * PAD;
    let side = |band: &[usize]| match band.len() {
        0 => 0.0,
        k => sp.width_units(k, h) * sp.gap + 56.0,
    };
    let (ls, rs) = (side(&tiers[0]), side(&tiers[4]));
    let (left, right) = (MARGIN + ls, f.w - MARGIN - rs);
    let wrapped = column(&mut pos, &tiers[0], MARGIN + ls / 2.0, PAD, h, sp)
        | column(&mut pos, &tiers[4], f.w - MARGIN - rs / 2.0, PAD, h, sp);
    let (cx, cy) = ((left + right) / 2.0, f.h / 2.0 - 6.0);
    let k = tiers[2].len() as f64;
    // Neighbours on the ring at least a node and its label apart; if the frame is too small for
    // that, nodes leave it and `layout_for_stage` zooms out.
    let spaced = (2.0 * r + 40.0) / (2.0 * (std::f64::consts::PI / k).sin());
    let radius = spaced.max(((right - left) / 2.0).min(f.h / 2.0) - r - 30.0);
    let mut ring = Ring::circle(cx, cy, radius);
    // Servers that keep a log (Raft) get the shape under which their strips fit (see `ring`).
    if r >= 15.0 && tiers[2].iter().any(|&i| nodes[i].view.log.is_some()) {
        let max_rx = ((right - left) / 2.0 - 20.0).max(radius);
        let max_ry = (f.h / 2.0 - r - 20.0).max(radius);
        let room = Room { max_rx, max_ry, w: f.w, h: f.h, turned };
        ring = ring::for_strips(&pos, &tiers[2], ring, room, r);
    }
    ring.place(&mut pos, &tiers[2]);
    let ring = Some((ring.cx, ring.cy, ring.rx));
    Layout { pos, r, ring, regions: Vec::new(), frame: f, wrapped, rooms: Vec::new() }
}

/// The uniform scale and offset that fit the frame in a `w` × `h` element (SVG "meet").
pub fn fit(f: Frame, w: f64, h: f64) -> (f64, f64, f64) {
    let s = (w / f.w).min(h / f.h).max(1e-6);
    (s, (w - f.w * s) / 2.0, (h - f.h * s) / 2.0)
}
