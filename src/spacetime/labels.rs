//! Where the space-time diagram writes a clock note beside its dot, the way a textbook figure does:
//! in its lane's own band, above or below the lane, right of the dot or (near the right edge)
//! left of it, never over another label, another dot of its lane, or any arrow. A note with no
//! such room gets no label; its dot's tooltip still gives the clock, and the caption says how
//! many are written.

use super::hover::Line;

/// Space kept between a clock label and any dot of its lane but its own, so its own dot (3 px
/// off its end) is plainly the nearest.
const LABEL_CLEAR: f64 = 6.0;

/// Where a clock label `w` px wide for the dot at `px` goes: its left x and its row (0 above the
/// lane, 1 below). Right of the dot, else left of it, never past `bounds` (from, to), only in a
/// row that is free from `free_from[row]` on, and only where `open(x, row)` (no arrow crosses it).
/// A label under which another dot of its lane lies (`lane_dots`: every dot's x on the lane, in
/// order, its own included) would be read as that dot's ("L=6 … receive from p1", right-aligned
/// at the edge, sat on p3's send): then none (the dot keeps its tooltip).
pub fn clock_label_place(
    px: f64,
    w: f64,
    lane_dots: &[f64],
    bounds: (f64, f64),
    free_from: [f64; 2],
    open: &dyn Fn(f64, usize) -> bool,
) -> Option<(f64, usize)> {
    let x = sides(px, w, lane_dots, bounds);
    x.flat_map(|x| (0..2).map(move |row| (x, row))).find(|&(x, row)| x > free_from[row] && open(x, row))
}

/// Where a clock label too wide for either row goes split in two, `L=1` over the lane and
/// `V=[1,0,0]` under it, both starting at one x (so they read as one label of one dot): right of
/// the dot, else left of it, under the same rules as [`clock_label_place`] for each row (`widths`:
/// the top part's and the bottom part's). d6-textbook-figure's first event had no room for one
/// line either side at 704 px (review 24 B3).
pub fn stacked_place(
    px: f64,
    (top, bottom): (f64, f64),
    lane_dots: &[f64],
    bounds: (f64, f64),
    free_from: [f64; 2],
    open: &dyn Fn(f64, f64, usize) -> bool,
) -> Option<f64> {
    let mut x = sides(px, top.max(bottom), lane_dots, bounds);
    x.find(|&x| x > free_from[0] && x > free_from[1] && open(x, top, 0) && open(x, bottom, 1))
}

/// The left x of a label `w` px wide for the dot at `px`, right of it and then left of it, where
/// it stays within `bounds` and no other dot of its lane lies under it (`lane_dots`: every dot's
/// x on the lane, in order, its own included).
fn sides(px: f64, w: f64, lane_dots: &[f64], bounds: (f64, f64)) -> impl Iterator<Item = f64> + '_ {
    let clear = move |x: f64| {
        let (from, to) = (x - LABEL_CLEAR, x + w + LABEL_CLEAR);
        let first = lane_dots.partition_point(|&d| d < from);
        lane_dots[first..].iter().take_while(|&&d| d <= to).all(|&d| (d - px).abs() <= 1.0)
    };
    [px + 3.0, px - 3.0 - w].into_iter().filter(move |&x| x >= bounds.0 && x + w <= bounds.1 && clear(x))
}

/// The clocks a clock note starts with, without the words after them ("L=6 V=[5,0,4,0]" of
/// "L=6 V=[5,0,4,0] receive from p1"); none when there are no such words.
pub fn clock_values(text: &str) -> Option<&str> {
    let words = text.split(' ').take_while(|w| w.contains('=')).map(|w| w.len() + 1).sum::<usize>();
    (words > 0 && words < text.len()).then(|| &text[..words - 1])
}

/// Width of a column of [`Arrows`].
const COLUMN: f64 = 24.0;

/// The arrows on the canvas, filed by the columns of pixels they pass through, so asking whether
/// a label crosses one looks at the few arrows near it, not at every arrow (a frame's cost stays
/// about the arrows plus the labels, not their product).
pub struct Arrows {
    columns: Vec<Vec<Line>>,
}

impl Arrows {
    /// File `lines` on a canvas `width` px wide.
    pub fn new(lines: impl IntoIterator<Item = Line>, width: f64) -> Arrows {
        let n = (width / COLUMN).ceil().max(1.0) as usize;
        let mut columns = vec![Vec::new(); n];
        let col = |x: f64| ((x / COLUMN).floor().max(0.0) as usize).min(n - 1);
        for l in lines {
            let (a, b) = (col(l.0.min(l.2)), col(l.0.max(l.2)));
            for c in &mut columns[a..=b] {
                c.push(l);
            }
        }
        Arrows { columns }
    }

    /// Whether any arrow passes through the rectangle `(x1, y1)`–`(x2, y2)`.
    pub fn cross(&self, (x1, y1, x2, y2): Line) -> bool {
        let n = self.columns.len();
        let col = |x: f64| ((x / COLUMN).floor().max(0.0) as usize).min(n - 1);
        self.columns[col(x1)..=col(x2)].iter().flatten().any(|&l| crosses(l, (x1, y1, x2, y2)))
    }
}

/// Whether the segment `l` passes through the rectangle `(x1, y1)`–`(x2, y2)` (clipped to it,
/// Liang–Barsky).
pub fn crosses(l: Line, (x1, y1, x2, y2): Line) -> bool {
    let (dx, dy) = (l.2 - l.0, l.3 - l.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [(-dx, l.0 - x1), (dx, x2 - l.0), (-dy, l.1 - y1), (dy, y2 - l.1)] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    t0 <= t1
}

/// The box a label's text takes, `w` px wide from `x`, on the lane at `y`: above it (row 0, the
/// baseline 3 px over the lane) or below it (row 1, the baseline 11 px under).
pub fn label_box(x: f64, w: f64, y: f64, below: bool) -> Line {
    if below {
        (x, y + 2.5, x + w, y + 13.0)
    } else {
        (x, y - 11.5, x + w, y - 1.5)
    }
}
