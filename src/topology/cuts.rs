//! Where partitions are drawn: the cut lines between partition groups, and which nodes a dragged
//! box holds. Pure geometry in the layout's [`Frame`].

use super::layout::Frame;

type Seg = ((f64, f64), (f64, f64));

/// The part of the line `m + t·d` inside the frame where every `k0 + k1·t >= 0` holds.
fn segment(f: Frame, m: (f64, f64), d: (f64, f64), mut half: Vec<(f64, f64)>) -> Option<Seg> {
    half.extend([(m.0, d.0), (f.w - m.0, -d.0), (m.1, d.1), (f.h - m.1, -d.1)]);
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
fn best_cut(f: Frame, a: &[(f64, f64)], b: &[(f64, f64)]) -> Option<Seg> {
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
    segment(f, (u.0 * off, u.1 * off), (-u.1, u.0), Vec::new())
}

/// Points whose hull holds what is drawn with a node at `p`: its shape, within `reach.0` of its
/// centre all round (an octagon about a circle or box of the node's radius, its first badge half
/// on it, and a margin), and the column of badges and labels from `reach.0` above the centre to
/// `reach.1` below.
fn drawing(p: (f64, f64), reach: (f64, f64)) -> [(f64, f64); 10] {
    let mut out = [(p.0, p.1 - reach.0); 10];
    out[1] = (p.0, p.1 + reach.1);
    for (k, o) in out[2..].iter_mut().enumerate() {
        let a = std::f64::consts::FRAC_PI_4 * k as f64;
        *o = (p.0 + reach.0 * a.cos(), p.1 + reach.0 * a.sin());
    }
    out
}

/// Whether the segment `s` may pass through the hull of `pts`: neither the line through it nor
/// its ends keep them to one side (a little cautious by a segment's ends, never in the middle).
fn crosses(s: Seg, pts: &[(f64, f64)]) -> bool {
    let ((x0, y0), (x1, y1)) = s;
    let (dx, dy) = (x1 - x0, y1 - y0);
    let span = |u: (f64, f64)| {
        pts.iter()
            .map(|p| (p.0 - x0) * u.0 + (p.1 - y0) * u.1)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    let (across, along) = (span((-dy, dx)), span((dx, dy)));
    across.0 <= 0.0 && across.1 >= 0.0 && along.1 >= 0.0 && along.0 <= dx * dx + dy * dy
}

/// The cuts between partition groups (`groups[i]` is node i's group): for two groups the widest
/// straight gap between them; for more, the Voronoi edges between the group centroids, clipped to
/// the frame, when every node lies in its own group's cell. A cut is drawn only where it clears
/// everything drawn with every node (`reach`: how far its badges stand above its centre and its
/// labels below; see [`drawing`]): a line through a node reads as that node being on the other
/// side (a cut between p1 and its "primary epoch 1" put the label there; a fallback line through
/// the centres ran through n3, on the majority side, to isolate n4 below it). None otherwise, and
/// [`islands`] then rings the nodes cut off instead.
pub fn cut_lines(f: Frame, pos: &[(f64, f64)], groups: &[u32], reach: (f64, f64)) -> Vec<Seg> {
    let mut ids: Vec<u32> = groups.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let drawn: Vec<[(f64, f64); 10]> = pos.iter().map(|&p| drawing(p, reach)).collect();
    let cuts = if ids.len() == 2 {
        let side = |g: u32| -> Vec<(f64, f64)> {
            drawn.iter().zip(groups).filter(|(_, &x)| x == g).flat_map(|(d, _)| *d).collect()
        };
        best_cut(f, &side(ids[0]), &side(ids[1])).into_iter().collect()
    } else {
        voronoi_cuts(f, pos, groups, &ids)
    };
    let clear = cuts.iter().all(|&s| drawn.iter().all(|d| !crosses(s, d)));
    if clear {
        cuts
    } else {
        Vec::new()
    }
}

/// The Voronoi edges between the centroids of groups `ids`, clipped to the frame; none when some
/// node lies outside its own group's cell.
fn voronoi_cuts(f: Frame, pos: &[(f64, f64)], groups: &[u32], ids: &[u32]) -> Vec<Seg> {
    let cents: Vec<(f64, f64)> = ids
        .iter()
        .map(|g| {
            let pts: Vec<(f64, f64)> =
                pos.iter().zip(groups).filter(|(_, x)| *x == g).map(|(p, _)| *p).collect();
            let k = pts.len().max(1) as f64;
            (pts.iter().map(|p| p.0).sum::<f64>() / k, pts.iter().map(|p| p.1).sum::<f64>() / k)
        })
        .collect();
    let d2 = |p: (f64, f64), c: (f64, f64)| (p.0 - c.0).powi(2) + (p.1 - c.1).powi(2);
    let in_own_cell = pos.iter().zip(groups).all(|(&p, g)| {
        let own = ids.iter().position(|x| x == g).map_or(0.0, |k| d2(p, cents[k]));
        cents.iter().all(|&c| own <= d2(p, c) + 1e-9)
    });
    if !in_own_cell {
        return Vec::new();
    }
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
            out.extend(segment(f, m, d, half));
        }
    }
    out
}

/// The nodes to ring when no straight cut keeps the groups apart clear of every node's drawing:
/// every node outside the largest group (the first of the largest, if several are as large). None
/// when the network is whole.
pub fn islands(groups: &[u32]) -> Vec<usize> {
    let size = |g: u32| groups.iter().filter(|&&x| x == g).count();
    let Some(main) = groups.iter().copied().max_by_key(|&g| (size(g), std::cmp::Reverse(g))) else {
        return Vec::new();
    };
    (0..groups.len()).filter(|&i| groups[i] != main).collect()
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
