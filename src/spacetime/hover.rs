//! What the pointer is over in the space-time diagram: the arrows of the last paint, the one
//! nearest the pointer, and the sentence that describes it.

/// A line on the canvas, in CSS pixels: `(x1, y1, x2, y2)`.
pub type Line = (f64, f64, f64, f64);

/// What became of a message drawn as an arrow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Delivered,
    Dropped,
    /// Still on the wire (the arrow is dashed up to now).
    InFlight,
}

/// One message arrow as painted, with what the tooltip says of it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrow {
    pub line: Line,
    pub msg: u64,
    pub kind: &'static str,
    pub from: usize,
    pub to: usize,
    /// Sent and delivered, dropped or due (ms of simulated time).
    pub sent_ms: f64,
    pub end_ms: f64,
    pub fate: Fate,
}

/// The arrow nearest to `(x, y)` within `max_d` pixels (on a tie, the later one: drawn on top).
pub fn nearest(arrows: &[Arrow], x: f64, y: f64, max_d: f64) -> Option<&Arrow> {
    let mut best: Option<(f64, &Arrow)> = None;
    for a in arrows {
        let (x1, y1, x2, y2) = a.line;
        let d = distance_to_segment((x, y), (x1, y1), (x2, y2));
        if d <= max_d && best.is_none_or(|(b, _)| d <= b) {
            best = Some((d, a));
        }
    }
    best.map(|(_, a)| a)
}

/// How far `p` is from the segment `a`–`b`.
pub fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt()
}

/// `Write n1 → r2 · sent 2.310 s · delivered after 8 ms: key 3 · version: 7 by r1`: a drop names
/// its reason, a delivery what was odd about it (a duplicate), a message in flight when it is due;
/// each ends with its payload (`detail`) when known (the simulator keeps the newest few thousand).
pub fn describe(a: &Arrow, names: &[String], reason: Option<&str>, detail: Option<&str>) -> String {
    let name = |i: usize| names.get(i).map_or("?", String::as_str);
    let head = format!("{} {} → {} · sent {:.3} s", a.kind, name(a.from), name(a.to), a.sent_ms / 1000.0);
    let after = ms(a.end_ms - a.sent_ms);
    let fate = match a.fate {
        Fate::Delivered => match reason {
            Some(why) => format!("{head} · delivered after {after} ({why})"),
            None => format!("{head} · delivered after {after}"),
        },
        // "lost after 0 ms (lost)" said it twice (review 24 C2): a reason that is only "lost" goes.
        Fate::Dropped => match reason.filter(|why| *why != "lost") {
            Some(why) => format!("{head} · lost after {after} ({why})"),
            None => format!("{head} · lost after {after}"),
        },
        Fate::InFlight => format!("{head} · in flight, due at {:.3} s", a.end_ms / 1000.0),
    };
    match detail.filter(|d| !d.is_empty()) {
        Some(d) => format!("{fate}: {d}"),
        None => fate,
    }
}

/// `8 ms`, `0.25 ms`, `1.2 s`.
fn ms(t: f64) -> String {
    if t >= 1_000.0 {
        format!("{:.1} s", t / 1000.0)
    } else if t >= 10.0 || t == t.round() {
        format!("{t:.0} ms")
    } else {
        format!("{t:.2} ms")
    }
}

/// One dot as painted (a timer, fault, client request or note), with what its tooltip says.
#[derive(Clone, Debug, PartialEq)]
pub struct Dot {
    /// Its centre, in the drawing's pixels (CSS pixels, but while presenting, see `paint`).
    pub at: (f64, f64),
    pub node: usize,
    pub t_ms: f64,
    /// The record's kind (`timer`, `note`…) and label (`clock`, `election`…).
    pub kind: &'static str,
    pub label: &'static str,
    /// A clock note's value, a fault's or note's text.
    pub text: Option<String>,
}

/// The dot nearest to `(x, y)` within `max_d` pixels (on a tie, the later one).
pub fn nearest_dot(dots: &[Dot], x: f64, y: f64, max_d: f64) -> Option<&Dot> {
    let d = |p: &Dot| ((p.at.0 - x).powi(2) + (p.at.1 - y).powi(2)).sqrt();
    dots.iter().filter(|p| d(p) <= max_d).fold(None, |best: Option<&Dot>, p| match best {
        Some(b) if d(b) < d(p) => Some(b),
        _ => Some(p),
    })
}

/// What the dots drawn where `d` is say, one line each, the clock first: a receive's clock note
/// and its "concurrent (∥)" note share one spot (review 24 B2: the hover said the second and
/// never the clock the caption promised).
pub fn describe_spot(dots: &[Dot], d: &Dot, names: &[String]) -> String {
    let mut here: Vec<&Dot> = dots.iter().filter(|o| o.at == d.at).collect();
    here.sort_by_key(|o| o.label != "clock");
    here.iter().map(|o| describe_dot(o, names)).collect::<Vec<_>>().join("\n")
}

/// `note clock n2 · 2.310 s · L=5 [1,2,0]`.
pub fn describe_dot(d: &Dot, names: &[String]) -> String {
    let node = names.get(d.node).map_or("?", String::as_str);
    // "note note p1" said one thing twice, "note clock p1" one too many: a note says its label.
    let what = if d.kind == "note" || d.kind == d.label {
        d.label.to_string()
    } else {
        format!("{} {}", d.kind, d.label)
    };
    let head = format!("{what} {node} · {:.3} s", d.t_ms / 1000.0);
    match &d.text {
        Some(text) => format!("{head} · {text}"),
        None => head,
    }
}
