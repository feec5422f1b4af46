//! Where nodes go: columns by role tier (clients → front → servers → stores → monitors), a ring
//! when the servers are peers, or one column per region. Pure geometry in a fixed view box, so the
//! SVG and the canvas share one coordinate system and the layout is tested natively.

use dsplay_core::view::NodeState;

/// The fixed view box every layer draws in.
pub const VIEW_W: f64 = 1000.0;
pub const VIEW_H: f64 = 560.0;
const MARGIN: f64 = 44.0;

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
    /// Centre and radius of the ring, when the servers form one.
    pub ring: Option<(f64, f64, f64)>,
    pub regions: Vec<RegionBox>,
}

/// Left-to-right tier of a role. Roles that change at run time (leader, follower, candidate,
/// primary, backup) share a tier, so a node never jumps when it is elected.
pub fn tier(role: &str) -> u8 {
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

/// Place `members` (node indices) in a column band centred on `cx`, wrapping into sub-columns.
fn column(pos: &mut [(f64, f64)], members: &[usize], cx: f64, top: f64, h: f64, r: f64) {
    let pitch = 2.0 * r + 30.0;
    let per = ((h / pitch).floor() as usize).max(1);
    let cols = members.len().div_ceil(per).max(1);
    let col_gap = 2.0 * r + 34.0;
    for (k, &i) in members.iter().enumerate() {
        let (c, row) = (k / per, k % per);
        let in_col = (members.len() - c * per).min(per);
        let x = cx + (c as f64 - (cols as f64 - 1.0) / 2.0) * col_gap;
        let y = top + h / 2.0 + (row as f64 - (in_col as f64 - 1.0) / 2.0) * pitch - 8.0;
        if let Some(p) = pos.get_mut(i) {
            *p = (x, y);
        }
    }
}

/// Sub-columns a band of `n` nodes needs (used to share the width fairly).
fn width_units(n: usize, h: f64, r: f64) -> f64 {
    let per = ((h / (2.0 * r + 30.0)).floor() as usize).max(1);
    n.div_ceil(per).max(1) as f64
}

/// Lay out `bands` (each a list of node indices) as columns across the view box.
fn columns(pos: &mut [(f64, f64)], bands: &[Vec<usize>], r: f64) -> Vec<(f64, f64)> {
    let h = VIEW_H - 2.0 * MARGIN;
    let units: Vec<f64> = bands.iter().map(|b| width_units(b.len(), h, r) + 0.6).collect();
    let total: f64 = units.iter().sum::<f64>().max(1.0);
    let mut x = MARGIN;
    let mut spans = Vec::new();
    for (band, u) in bands.iter().zip(&units) {
        let w = (VIEW_W - 2.0 * MARGIN) * u / total;
        column(pos, band, x + w / 2.0, MARGIN, h, r);
        spans.push((x, w));
        x += w;
    }
    spans
}

/// Lay out the nodes of one view.
pub fn layout(nodes: &[NodeState]) -> Layout {
    let n = nodes.len();
    let r = radius(n);
    let mut pos = vec![(VIEW_W / 2.0, VIEW_H / 2.0); n];
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
        let spans = columns(&mut pos, &bands, r);
        let regions = names
            .iter()
            .zip(spans)
            .filter_map(|(name, (x, w))| {
                let name = (*name)?.to_string();
                Some(RegionBox { name, x: x + 6.0, y: 10.0, w: w - 12.0, h: VIEW_H - 20.0 })
            })
            .collect();
        return Layout { pos, r, ring: None, regions };
    }
    let mut tiers: [Vec<usize>; 5] = Default::default();
    for (i, s) in nodes.iter().enumerate() {
        tiers[tier(&s.view.role) as usize].push(i);
    }
    let peers = tiers[1].is_empty() && tiers[3].is_empty() && tiers[2].len() >= 3;
    if !peers {
        let bands: Vec<Vec<usize>> = tiers.into_iter().filter(|t| !t.is_empty()).collect();
        columns(&mut pos, &bands, r);
        return Layout { pos, r, ring: None, regions: Vec::new() };
    }
    // Peers on a ring, clients in a column on the left, monitors on the right.
    let side = 2.0 * r + 90.0;
    let left = if tiers[0].is_empty() { MARGIN } else { MARGIN + side };
    let right = if tiers[4].is_empty() { VIEW_W - MARGIN } else { VIEW_W - MARGIN - side };
    let h = VIEW_H - 2.0 * MARGIN;
    column(&mut pos, &tiers[0], MARGIN + side / 2.0, MARGIN, h, r);
    column(&mut pos, &tiers[4], VIEW_W - MARGIN - side / 2.0, MARGIN, h, r);
    let (cx, cy) = ((left + right) / 2.0, VIEW_H / 2.0 - 6.0);
    let ring = r.max(((right - left) / 2.0).min(VIEW_H / 2.0) - r - 30.0);
    let k = tiers[2].len() as f64;
    for (j, &i) in tiers[2].iter().enumerate() {
        let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * j as f64 / k;
        pos[i] = (cx + ring * a.cos(), cy + ring * a.sin());
    }
    Layout { pos, r, ring: Some((cx, cy, ring)), regions: Vec::new() }
}

type Seg = ((f64, f64), (f64, f64));

/// The part of the line `m + t·d` inside the view box where every `k0 + k1·t >= 0` holds.
fn segment(m: (f64, f64), d: (f64, f64), mut half: Vec<(f64, f64)>) -> Option<Seg> {
    half.extend([(m.0, d.0), (VIEW_W - m.0, -d.0), (m.1, d.1), (VIEW_H - m.1, -d.1)]);
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
    for (k0, k1) in half {
        if k1.abs() < 1e-12 {
            if k0 < 0.0 {
                return None;
            }
        } else if k1 > 0.0 {
            lo = lo.max(-k0 / k1);
        } else {
            hi = hi.min(-k0 / k1);
        }
    }
    (lo < hi && lo.is_finite() && hi.is_finite())
        .then_some(((m.0 + lo * d.0, m.1 + lo * d.1), (m.0 + hi * d.0, m.1 + hi * d.1)))
}

/// The straight cut with the widest gap between two point sets (directions every 5°), if any.
fn best_cut(a: &[(f64, f64)], b: &[(f64, f64)]) -> Option<Seg> {
    let span = |pts: &[(f64, f64)], u: (f64, f64)| {
        pts.iter()
            .map(|p| p.0 * u.0 + p.1 * u.1)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    let mut best: Option<(f64, f64, (f64, f64))> = None;
    for k in 0..36 {
        let th = std::f64::consts::PI * k as f64 / 36.0;
        let u = (th.cos(), th.sin());
        let ((a0, a1), (b0, b1)) = (span(a, u), span(b, u));
        let (gap, off) = if a1 < b0 { (b0 - a1, (a1 + b0) / 2.0) } else { (a0 - b1, (b1 + a0) / 2.0) };
        if gap > 0.0 && best.is_none_or(|b| gap > b.0) {
            best = Some((gap, off, u));
        }
    }
    let (_, off, u) = best?;
    segment((u.0 * off, u.1 * off), (-u.1, u.0), Vec::new())
}

/// The cuts between partition groups (`groups[i]` is node i's group): for two groups the widest
/// straight gap between them; otherwise (or if none exists) the Voronoi edges between the group
/// centroids, clipped to the view box.
pub fn cut_lines(pos: &[(f64, f64)], groups: &[u32]) -> Vec<Seg> {
    let mut ids: Vec<u32> = groups.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let sets: Vec<Vec<(f64, f64)>> = ids
        .iter()
        .map(|g| pos.iter().zip(groups).filter(|(_, x)| *x == g).map(|(p, _)| *p).collect())
        .collect();
    if sets.len() == 2 {
        if let Some(c) = best_cut(&sets[0], &sets[1]) {
            return vec![c];
        }
    }
    let cents: Vec<(f64, f64)> = sets
        .iter()
        .map(|pts| {
            let k = pts.len().max(1) as f64;
            (pts.iter().map(|p| p.0).sum::<f64>() / k, pts.iter().map(|p| p.1).sum::<f64>() / k)
        })
        .collect();
    let mut out = Vec::new();
    for a in 0..cents.len() {
        for b in a + 1..cents.len() {
            let (ca, cb) = (cents[a], cents[b]);
            let m = ((ca.0 + cb.0) / 2.0, (ca.1 + cb.1) / 2.0);
            let d = (-(cb.1 - ca.1), cb.0 - ca.0);
            if d.0.abs() + d.1.abs() < 1e-9 {
                continue;
            }
            // Keep the points no other centroid is closer to: |p-ck|² - |p-ca|² >= 0, linear in t.
            let half = (0..cents.len())
                .filter(|&c| c != a && c != b)
                .map(|c| {
                    let ck = cents[c];
                    let (ex, ey) = (ca.0 - ck.0, ca.1 - ck.1);
                    let base = ck.0 * ck.0 + ck.1 * ck.1 - ca.0 * ca.0 - ca.1 * ca.1;
                    (2.0 * (m.0 * ex + m.1 * ey) + base, 2.0 * (d.0 * ex + d.1 * ey))
                })
                .collect();
            out.extend(segment(m, d, half));
        }
    }
    out
}

/// Indices of the nodes whose centres lie inside the rectangle spanned by `a` and `b`.
pub fn inside(pos: &[(f64, f64)], a: (f64, f64), b: (f64, f64)) -> Vec<usize> {
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    pos.iter()
        .enumerate()
        .filter(|(_, p)| p.0 >= x0 && p.0 <= x1 && p.1 >= y0 && p.1 <= y1)
        .map(|(i, _)| i)
        .collect()
}

/// The uniform scale and offset that fit the view box in a `w` × `h` element (SVG "meet").
pub fn fit(w: f64, h: f64) -> (f64, f64, f64) {
    let s = (w / VIEW_W).min(h / VIEW_H).max(1e-6);
    (s, (w - VIEW_W * s) / 2.0, (h - VIEW_H * s) / 2.0)
}
