//! One chart-drawing function, generic over the plotters backend: a canvas in the app (`HiDpi`),
//! `SVGBackend` into a `String` for the SVG export and the tests.

use super::footer;
use super::hidpi::{ratio, HiDpi};
use super::legend;
use super::series::{chart, is_band, state_name, Band, ChartData, ChartSpec, Line, LINE_HUES};
use dsplay_core::session::Session;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;

/// Colours of a chart (the app passes the theme's; exports use the light one).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    pub bg: RGBColor,
    pub fg: RGBColor,
    pub grid: RGBColor,
    /// Line colours (see [`OKABE_ITO`]).
    pub lines: [RGBColor; LINE_HUES],
    /// How strongly a fault's band is shaded (see `shade`): faint on white, more on the dark
    /// background, where the same mix barely showed.
    pub shade: f64,
}

pub const LIGHT: Palette = Palette {
    bg: RGBColor(0xff, 0xff, 0xff),
    fg: RGBColor(0x1d, 0x1f, 0x23),
    grid: RGBColor(0xdc, 0xdf, 0xe4),
    lines: ON_LIGHT,
    shade: 0.10,
};
pub const DARK: Palette = Palette {
    bg: RGBColor(0x1d, 0x20, 0x26),
    fg: RGBColor(0xe6, 0xe8, 0xeb),
    grid: RGBColor(0x32, 0x36, 0x3e),
    lines: OKABE_ITO,
    shade: 0.20,
};

/// The page's theme: `data-theme="dark"|"light"` on `<html>` if set, else the system preference.
pub fn current_palette() -> Palette {
    let Some(window) = web_sys::window() else { return LIGHT };
    let attr =
        window.document().and_then(|d| d.document_element()).and_then(|e| e.get_attribute("data-theme"));
    let dark = match attr.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => window.match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|m| m.matches()),
    };
    if dark {
        DARK
    } else {
        LIGHT
    }
}

/// Line colours: the colour-blind-friendly Okabe–Ito set, ordered so that neighbours differ in hue
/// (orange and vermillion side by side read as one colour: d1's failures chart).
const OKABE_ITO: [RGBColor; LINE_HUES] = [
    RGBColor(0x00, 0x72, 0xb2),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0x88, 0x88, 0x88),
    RGBColor(0xf0, 0xe4, 0x42),
];

/// The same hues on a white chart, each darkened just enough for 3:1 against white (WCAG's
/// contrast for lines): orange, sky blue and yellow were 2.3, 2.3 and 1.3 (review 11).
const ON_LIGHT: [RGBColor; LINE_HUES] = [
    RGBColor(0x00, 0x72, 0xb2),
    RGBColor(0xc1, 0x85, 0x00),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xc9, 0x77, 0xa5),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0x49, 0x9a, 0xc8),
    RGBColor(0x88, 0x88, 0x88),
    RGBColor(0x9b, 0x94, 0x2a),
];

/// Band colour of a state: 0 normal (teal green), 1 bad (red), 2 recovering (amber), others
/// purple. A bluish green and a yellowish red stay apart to a deuteranope: the breaker's closed
/// #2ea043 and open #d62828 were two olives to one, ΔE 6.8 (review 35 B5).
pub fn state_colour(state: i64) -> RGBColor {
    match state {
        0 => RGBColor(0x1f, 0x9e, 0x89),
        1 => RGBColor(0xc0, 0x39, 0x2b),
        2 => RGBColor(0xe6, 0x9f, 0x00),
        _ => RGBColor(0x8e, 0x44, 0xad),
    }
}

/// `1500` → "1.5 s" on long axes, "1500 ms" on short ones.
pub fn fmt_time(t_ms: f64, end_ms: f64) -> String {
    if end_ms >= 5_000.0 {
        let s = t_ms / 1000.0;
        if s.fract().abs() < 1e-9 {
            format!("{s:.0} s")
        } else {
            format!("{s:.1} s")
        }
    } else {
        format!("{t_ms:.0} ms")
    }
}

/// A y tick's label in one format for the whole axis: thousands as `k` on an axis that reaches
/// 10 000 (`5k`, `12.5k`), else the number (`0.25`, `40`).
pub fn y_label(v: f64, y_max: f64) -> String {
    let short = |x: f64| {
        let t = format!("{x:.2}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if v == 0.0 {
        "0".into()
    } else if y_max >= 10_000.0 {
        format!("{}k", short((v / 100.0).round() / 10.0))
    } else {
        short(v)
    }
}

/// A chart's title: the metric in words with its unit once, then the name the lessons use, if it
/// is more than one word ("Commit latency (ms) · commit_latency_ms", "Errors (total)"; review
/// 14: titles were bare identifiers, some with the unit twice).
pub fn titled(name: &str, unit: &str) -> String {
    let bare = name.strip_suffix(&format!("_{unit}")).filter(|_| !unit.is_empty()).unwrap_or(name);
    let mut words = bare.replace('_', " ");
    // ASCII only: `to_uppercase` brought in Unicode's case tables, 7 KB of wasm.
    if let Some(first) = words.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let with_unit = if unit.is_empty() { words } else { format!("{words} ({unit})") };
    // Past 44 characters ("Client availability (permille) · client_availability_permille") a
    // phone's chart clips the title: the words alone.
    let both = format!("{with_unit} · {name}");
    if name.contains('_') && both.chars().count() <= 44 {
        both
    } else {
        with_unit
    }
}

/// Width of the y labels' gutter.
const Y_LABELS_W: u32 = 48;

pub(super) type DrawResult = Result<(), String>;

/// Height of the title row.
const TITLE_H: i32 = 22;

/// The legend's strip has at most this many rows (a crowd of lines keeps the plot's room; past 8
/// lines the colours repeat anyway).
const LEGEND_ROWS: i32 = 3;

/// How much wider than 2 px line `i` of `n` is drawn, so that where a later line covers it
/// exactly it still shows on both sides: 1 px a side with three lines or fewer (half a pixel
/// a side hid p95 under p99), half that with four, none with more (a busy chart's lines rarely
/// coincide, and thick ones would bury it).
fn beneath(n: usize, i: usize) -> u32 {
    let step = match n {
        2..=3 => 2,
        4 => 1,
        _ => 0,
    };
    (n - 1 - i) as u32 * step
}

/// Line `i`'s pen, in the plot and in the legend.
fn pen(pal: &Palette, i: usize, l: &Line) -> ShapeStyle {
    pal.lines[l.pen.hue.unwrap_or(i) % pal.lines.len()].stroke_width(2)
}

pub(super) fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("chart drawing failed: {e:?}")
}

/// What a chart with nothing to draw says (up to the playhead).
pub const NO_VALUE: &str = "no value yet";

/// Draw `data` on `root`: title, time axis, y axis in its unit, the run's faults, bands, lines with
/// a legend, and a vertical playhead at `now`. Returns where the plot spans across, in the
/// backend's pixels (a pointer's x is read against it: [`super::readout`]).
pub fn draw_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    pal: &Palette,
) -> Result<std::ops::Range<i32>, String> {
    root.fill(&pal.bg).map_err(err)?;
    let only_bands = data.only_bands();
    let peak = data.lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).fold(0.0f64, f64::max);
    let y_max = if only_bands { data.bands.len().max(1) as f64 } else { (peak * 1.1).max(1.0) };
    let text = ("sans-serif", 12).into_font().color(&pal.fg);
    let body = head(root, data, pal, &text)?;
    // Over time, 0 to the stop time; over categories, half a step of room either side.
    let ticks = &data.x_ticks;
    let x_range = if ticks.is_empty() { 0.0..data.end_ms } else { -0.5..ticks.len() as f64 - 0.5 };
    let mut chart = ChartBuilder::on(&body)
        .margin(8)
        .margin_top(2)
        // Room for the last time label ("30 s"), which is centred on the right edge.
        .margin_right(20)
        .x_label_area_size(22)
        // The same gutter with or without y labels, so every chart's time axis lines up.
        .y_label_area_size(Y_LABELS_W)
        .build_cartesian_2d(x_range.clone(), 0f64..y_max)
        .map_err(err)?;
    let end = data.end_ms;
    let fmt_x = move |x: &f64| match ticks.is_empty() {
        true => fmt_time(*x, end),
        // A category's label at its whole x; none between.
        false => ticks
            .get(x.round() as usize)
            .filter(|_| (x - x.round()).abs() < 1e-6)
            .cloned()
            .unwrap_or_default(),
    };
    // Whole numbers only (counts, states): no "0.5 failures" between 0 and 1.
    let whole = data.lines.iter().all(|l| l.points.iter().all(|p| p.1.fract() == 0.0));
    let fmt_y = move |v: &f64| if whole && v.fract() != 0.0 { String::new() } else { y_label(*v, y_max) };
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(if ticks.is_empty() { 6 } else { ticks.len() + 1 })
        .y_labels(if only_bands { 0 } else { 5 })
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&fmt_y)
        .label_style(text.clone())
        .axis_style(pal.grid)
        .bold_line_style(pal.grid.mix(0.6))
        .light_line_style(pal.grid.mix(0.25));
    mesh.draw().map_err(err)?;
    if ticks.is_empty() {
        // Behind everything else: the faults so far.
        super::shade::draw_faults(&mut chart, &data.faults, (data.now_ms, data.end_ms, y_max), pal)?;
    }
    bands(&mut chart, data, y_max, &text)?;
    lines(&mut chart, data, pal)?;
    if ticks.is_empty() {
        // Short dashes in the text colour: no series is drawn so (a solid blue one read as data).
        let playhead = [(data.now_ms, 0.0), (data.now_ms, y_max)];
        chart.draw_series(DashedLineSeries::new(playhead, 3, 3, pal.fg.stroke_width(1))).map_err(err)?;
    } else {
        // A few categories: each point marked, so a lone one shows.
        for (i, l) in data.lines.iter().enumerate() {
            let dots = l.points.iter().map(|&p| Circle::new(p, 3, pen(pal, i, l).filled()));
            chart.draw_series(dots).map_err(err)?;
        }
    }
    if data.is_empty() {
        // A gauge declared before its first reading (d8's `convergence_ms` before the heal).
        let middle =
            ("sans-serif", 13).into_font().color(&pal.fg.mix(0.7)).pos(Pos::new(HPos::Center, VPos::Center));
        let at = ((x_range.start + x_range.end) / 2.0, y_max / 2.0);
        chart.draw_series(std::iter::once(Text::new(NO_VALUE, at, middle))).map_err(err)?;
    }
    let across = chart.plotting_area().get_pixel_range().0;
    root.present().map_err(err)?;
    Ok(across)
}

/// The title, then the legend's strip (at most three rows) above the plot: a legend inside the
/// plot always covered some of the data. Returns the area left for the plot.
fn head<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    pal: &Palette,
    text: &TextStyle<'a>,
) -> Result<DrawingArea<DB, Shift>, String> {
    let only_bands = data.only_bands();
    let width = root.dim_in_pixel().0 as i32;
    // A band chart's legend is its states' colours in words (a breaker's every state, so the
    // open one is known before it comes).
    let keys = if only_bands { state_keys(data) } else { Vec::new() };
    let labels: Vec<&str> = match only_bands {
        true => keys.iter().map(|(_, w)| w.as_str()).collect(),
        false => data.lines.iter().map(|l| l.label.as_str()).collect(),
    };
    let mut at = legend::layout(&labels, width - 16);
    at.retain(|&(_, row)| row < LEGEND_ROWS);
    let rows = at.iter().map(|&(_, row)| row + 1).max().unwrap_or(0);
    // Before its first sample a line chart keeps a row for the legend to come, so the plot does
    // not jump down when the data arrives (a band chart has no legend).
    let rows = if data.is_empty() && !is_band(&data.title) { rows.max(1) } else { rows };
    let legend_h = if rows > 0 { rows * legend::ROW_H + 2 } else { 0 };
    let (head, body) = root.split_vertically(TITLE_H + legend_h);
    let centred = ("sans-serif", 14).into_font().color(&pal.fg).pos(Pos::new(HPos::Center, VPos::Top));
    head.draw(&Text::new(titled(&data.title, data.y_unit), (width / 2, 6), centred)).map_err(err)?;
    if rows > 0 {
        // Rows fill in order, so the entries kept are the first lines'.
        let strip = head.margin(TITLE_H as u32, 0, 8, 8);
        if only_bands {
            legend::draw_keys(&strip, &keys, &at, text)?;
        } else {
            legend::draw(&strip, &data.lines, &at, |i, l| pen(pal, i, l), text)?;
        }
    }
    Ok(body)
}

/// The bands: shading behind the lines, or, in a chart of bands only, a row each with its label
/// and, where a span is wide enough, its state in words.
fn bands<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    data: &ChartData,
    y_max: f64,
    text: &TextStyle<'_>,
) -> DrawResult {
    let only_bands = data.only_bands();
    for (row, band) in data.bands.iter().enumerate() {
        let (lo, hi) = if only_bands { (row as f64 + 0.1, row as f64 + 0.9) } else { (0.0, y_max) };
        draw_band(chart, band, lo, hi, only_bands)?;
        if only_bands {
            let at = (data.end_ms * 0.005, row as f64 + 0.75);
            chart
                .draw_series(std::iter::once(Text::new(band.label.clone(), at, text.clone())))
                .map_err(err)?;
            // A span wide enough says its state in words too: red and green alone are one colour
            // to many readers.
            let breaker = data.title.starts_with("breaker_state");
            let px = |x: f64| chart.backend_coord(&(x, 0.0)).0;
            // The state at the playhead, in a span too narrow for its word, is said just right of
            // it, where nothing is drawn yet: else the row's only word was an older state's
            // (review 48 C6: "cart closed" with cart's breaker open since 6 s).
            let last = band.spans.len().saturating_sub(1);
            let said = band.spans.iter().enumerate().filter_map(|(i, sp)| {
                let word = state_name(breaker, sp.state);
                let room = px(sp.to_ms) - px(sp.from_ms);
                let after = px(data.end_ms) - px(sp.to_ms);
                let x = match room >= word_px(&word) {
                    true => sp.from_ms + (sp.to_ms - sp.from_ms) * 0.02,
                    false if i == last && after >= word_px(&word) + 6 => sp.to_ms + (data.end_ms * 0.008),
                    false => return None,
                };
                Some(Text::new(word, (x, row as f64 + 0.35), text.clone()))
            });
            let said: Vec<_> = said.collect();
            chart.draw_series(said).map_err(err)?;
        }
    }
    Ok(())
}

/// The lines. With a few, each is wider than the next ([`beneath`]): a line hidden under an
/// identical later one (t2's `upstream_timeouts` under `errors`, p95 under p99 when an interval's
/// few samples make them one) still shows as its outline. A total (`errors` beside its breakdown)
/// is drawn last, on top, in short dashes; a NaN point is a break in its line.
fn lines<DB: DrawingBackend>(chart: &mut Chart2d<'_, DB>, data: &ChartData, pal: &Palette) -> DrawResult {
    let n = data.lines.len();
    let order = data
        .lines
        .iter()
        .enumerate()
        .filter(|l| !l.1.pen.total)
        .chain(data.lines.iter().enumerate().filter(|l| l.1.pen.total));
    for (i, l) in order {
        let under = if l.pen.total { 0 } else { beneath(n, i) };
        let style = pen(pal, i, l).stroke_width(2 + under);
        let dashes = match (l.pen.dashed, l.pen.total) {
            (true, _) => Some((6, 4)),
            (false, true) => Some((3, 3)),
            (false, false) => None,
        };
        for stretch in l.points.split(|p| p.1.is_nan()) {
            let points = stretch.iter().copied();
            if let Some((size, gap)) = dashes {
                chart.draw_series(DashedLineSeries::new(points, size, gap, style)).map_err(err)?;
            } else if let Some(step) = l.pen.bridge_ms {
                bridged(chart, stretch, step, style)?;
            } else {
                chart.draw_series(LineSeries::new(points, style)).map_err(err)?;
            }
        }
    }
    Ok(())
}

/// A stretch of a line with a step between samples: solid where the samples follow one another,
/// thin and dashed across intervals with none (a guide from one reading to the next, not one).
fn bridged<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    stretch: &[(f64, f64)],
    step_ms: f64,
    style: ShapeStyle,
) -> DrawResult {
    let thin = ShapeStyle { stroke_width: 1, ..style };
    let mut from = 0;
    for i in 1..=stretch.len() {
        let empty_between = i < stretch.len() && stretch[i].0 - stretch[i - 1].0 > step_ms;
        if i == stretch.len() || empty_between {
            chart.draw_series(LineSeries::new(stretch[from..i].iter().copied(), style)).map_err(err)?;
            from = i;
        }
        if empty_between {
            let across = [stretch[i - 1], stretch[i]];
            chart.draw_series(DashedLineSeries::new(across, 3, 3, thin)).map_err(err)?;
        }
    }
    Ok(())
}

/// The room `word` needs written in a band's span (12 px text, a little to spare).
fn word_px(word: &str) -> i32 {
    (word.chars().count() as f64 * 6.6) as i32 + 8
}

/// The states a band chart shows, with their colours and words: every state of a circuit
/// breaker, else those the bands have.
fn state_keys(data: &ChartData) -> Vec<(RGBColor, String)> {
    let breaker = data.title.starts_with("breaker_state");
    let mut states: Vec<i64> = data.bands.iter().flat_map(|b| b.spans.iter().map(|s| s.state)).collect();
    if breaker {
        states.extend([0, 1, 2]);
    }
    states.sort_unstable();
    states.dedup();
    states.into_iter().map(|s| (state_colour(s), state_name(breaker, s))).collect()
}

pub(super) type Chart2d<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

fn draw_band<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    band: &Band,
    lo: f64,
    hi: f64,
    solid: bool,
) -> DrawResult {
    let alpha = if solid { 0.55 } else { 0.14 };
    let rects = band
        .spans
        .iter()
        .filter(|s| solid || s.state != 0) // behind lines only the abnormal states are shaded
        .map(|s| Rectangle::new([(s.from_ms, lo), (s.to_ms, hi)], state_colour(s.state).mix(alpha).filled()));
    chart.draw_series(rects).map_err(err)?;
    Ok(())
}

/// The chart as an SVG document (for the SVG export and the tests).
pub fn to_svg(data: &ChartData, size: (u32, u32), pal: &Palette) -> Result<String, String> {
    to_svg_about(data, size, pal, None)
}

/// [`to_svg`], with a line under the chart saying what run it is from (an export: the file
/// leaves the page that said so), in [`FOOTER_H`] more pixels a line (`footer` wraps a long one).
pub fn to_svg_about(
    data: &ChartData,
    size: (u32, u32),
    pal: &Palette,
    about: Option<&str>,
) -> Result<String, String> {
    let mut out = String::new();
    {
        let lines = footer_lines(about, size.0);
        let tall = (size.0, size.1 + footer::height(lines.len()) as u32);
        let root = SVGBackend::with_string(&mut out, tall).into_drawing_area();
        draw_about(&root, data, pal, &lines)?;
    }
    Ok(out)
}

/// Height of an export's footer of one line (a longer one takes more: see `footer`).
pub const FOOTER_H: i32 = 18;

/// `about`, if any, in lines that fit a chart `width` wide.
fn footer_lines(about: Option<&str>, width: u32) -> Vec<String> {
    about.map(|a| footer::lines(a, width)).unwrap_or_default()
}

/// Draw `data`, and under it the footer's `lines` (if any) in a strip of their own.
fn draw_about<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    pal: &Palette,
    lines: &[String],
) -> DrawResult {
    if lines.is_empty() {
        return draw_chart(root, data, pal).map(drop);
    }
    let h = root.dim_in_pixel().1 as i32;
    let (chart, foot) = root.split_vertically(h - footer::height(lines.len()));
    // The footer first: drawing the chart ends by presenting the whole backend.
    footer::draw(&foot, lines, pal)?;
    draw_chart(&chart, data, pal).map(drop)
}

/// Height of a chart in CSS pixels (canvas and SVG export).
pub const HEIGHT: u32 = 220;

/// The chart's data at the session's playhead.
pub fn chart_data(session: &Session, spec: &ChartSpec) -> ChartData {
    let sim = session.sim();
    chart(sim.metrics(), spec, sim.node_names(), sim.now().as_ms_f64(), session.stop_at().as_ms_f64())
}

/// Device pixels per CSS pixel of a PNG export, at least: a slide on a projector or a printout
/// needs more than a 1× screen's pixels.
pub const PNG_RATIO: f64 = 2.0;

/// The chart as a PNG data URL, drawn `css` in size (as on screen) on a canvas of its own at
/// [`PNG_RATIO`] or the screen's density, whichever is more.
/// [`to_svg_about`]'s footer too, if `about` is given.
pub fn to_png(data: &ChartData, css: (u32, u32), about: Option<&str>) -> Result<String, String> {
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let canvas: HtmlCanvasElement =
        doc.create_element("canvas").map_err(|_| "no canvas")?.dyn_into().map_err(|_| "not a canvas")?;
    let lines = footer_lines(about, css.0);
    let tall = (css.0, css.1 + footer::height(lines.len()) as u32);
    let backend = HiDpi::at_ratio(&canvas, tall, ratio().max(PNG_RATIO)).ok_or("no 2d context")?;
    draw_about(&backend.into_drawing_area(), data, &current_palette(), &lines)?;
    canvas.to_data_url().map_err(|_| "the canvas would not give its pixels".to_string())
}

/// Draw `data` on an app canvas, at its CSS size (the stylesheet sets the height: less on a
/// phone) and the screen's pixel density, `zoom` times larger (see [`super::hidpi::zoom`]).
/// Returns the plot's left and right edges in the canvas's CSS pixels.
pub fn paint(canvas: &HtmlCanvasElement, data: &ChartData, zoom: f64) -> Result<(f64, f64), String> {
    let (w, h) = css_size(canvas);
    // Never laid out narrower than an unzoomed chart may be: ticks and legend need the room.
    let zoom = zoom.min(w as f64 / 320.0).max(1.0);
    let backend = HiDpi::new(canvas, (w, h), zoom).ok_or("no 2d context")?;
    let across = draw_chart(&backend.into_drawing_area(), data, &current_palette())?;
    Ok((across.start as f64 * zoom, across.end as f64 * zoom))
}

/// The size a chart canvas is drawn at, in CSS pixels: its laid-out size (at least 320 wide, and
/// `HEIGHT` high before it is laid out).
pub fn css_size(canvas: &HtmlCanvasElement) -> (u32, u32) {
    let (w, h) = crate::laid_out::size(canvas);
    (w.max(320) as u32, if h > 0 { h as u32 } else { HEIGHT })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::series::{Line, Span};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn data() -> ChartData {
        ChartData {
            title: "latency_ms".into(),
            y_unit: "ms",
            lines: vec![Line::new("p99".into(), vec![(0.0, 1.0), (100.0, 3.0), (200.0, 2.0)])],
            bands: vec![Band {
                label: "b1".into(),
                spans: vec![Span { from_ms: 50.0, to_ms: 120.0, state: 1 }],
            }],
            now_ms: 200.0,
            end_ms: 1000.0,
            x_ticks: Vec::new(),
            faults: Default::default(),
        }
    }

    /// Where `colour` last strokes in `svg` (plotters writes colours in upper-case hex).
    fn last_stroke(svg: &str, colour: &RGBColor) -> Option<usize> {
        svg.rfind(&format!("stroke=\"#{:02X}{:02X}{:02X}\"", colour.0, colour.1, colour.2))
    }

    #[wasm_bindgen_test]
    fn a_total_is_drawn_on_top_of_the_lines_it_sums() {
        use crate::charts::series::{Pen, ERRORS_TOTAL};
        // t1's shape until 20 s: every error is a rejection, so the two lines are one.
        let points = vec![(0.0, 0.0), (500.0, 40.0), (1000.0, 80.0)];
        let total = Line {
            pen: Pen { total: true, ..Pen::default() },
            ..Line::new(ERRORS_TOTAL.into(), points.clone())
        };
        let data = ChartData {
            title: "failures".into(),
            y_unit: "total",
            lines: vec![total, Line::new("rejected".into(), points)],
            bands: Vec::new(),
            ..data()
        };
        let svg = to_svg(&data, (480, 220), &LIGHT).expect("draws");
        let (first, second) = (last_stroke(&svg, &LIGHT.lines[0]), last_stroke(&svg, &LIGHT.lines[1]));
        assert!(
            first.is_some() && second.is_some() && first > second,
            "the total last: {first:?} {second:?}"
        );
        assert!(svg.contains(ERRORS_TOTAL), "the legend says what it is");
    }

    /// The widest stroke in `colour` (the plot's line; the legend's sample is 2 px).
    fn line_width(svg: &str, colour: &RGBColor) -> Option<u32> {
        let stroke = format!("stroke=\"#{:02X}{:02X}{:02X}\"", colour.0, colour.1, colour.2);
        let tags = svg.split('<').filter(|tag| tag.split('>').next().is_some_and(|t| t.contains(&stroke)));
        let widths =
            tags.filter_map(|tag| tag.split_once("stroke-width=\"")?.1.split('"').next()?.parse().ok());
        widths.max()
    }

    #[wasm_bindgen_test]
    fn p95_under_an_identical_p99_shows_a_pixel_each_side() {
        // d3's read latency: an interval's few samples make p95 and p99 the same value.
        let same = vec![(0.0, 8.0), (500.0, 9.0), (1000.0, 8.5)];
        let lines = ["p50", "p95", "p99"].map(|p| Line::new(p.into(), same.clone())).to_vec();
        let data = ChartData { lines, bands: Vec::new(), ..data() };
        let svg = to_svg(&data, (480, 220), &LIGHT).expect("draws");
        let widths: Vec<u32> = (0..3).filter_map(|i| line_width(&svg, &LIGHT.lines[i])).collect();
        assert_eq!(widths.len(), 3, "three lines drawn: {svg}");
        assert!(
            widths.windows(2).all(|w| w[0] >= w[1] + 2),
            "each wider by 2 px than the one over it: {widths:?}"
        );
    }

    #[wasm_bindgen_test]
    fn svg_has_title_line_legend_band_and_playhead() {
        let svg = to_svg(&data(), (480, 220), &LIGHT).expect("draws");
        assert!(
            svg.contains("<svg")
                && svg.contains("Latency (ms) · latency_ms")
                && !svg.contains("latency_ms (ms)")
                && svg.contains("p99"),
            "the title says the unit once: {svg}"
        );
        assert!(svg.contains("<polyline") || svg.contains("<path"), "a line: {svg}");
        assert!(svg.contains("<rect"), "a band");
        assert!(svg.contains("200 ms"), "time labels in ms");
        // The legend sits in its own strip under the title, above the plot, not over the data.
        let y: f64 = svg
            .split("<text")
            .filter_map(|el| el.split_once('>'))
            .find(|(_, rest)| rest.split("</text>").next().map(str::trim) == Some("p99"))
            .and_then(|(attrs, _)| attrs.split("y=\"").nth(1)?.split('"').next()?.parse().ok())
            .expect("a legend entry with a y position");
        let top = plot_top(&svg);
        assert!(y < top, "legend entry at y = {y}, plot from y = {top}");
        // The playhead: short dashes in the text colour, unlike any series.
        let fg = format!("#{:02X}{:02X}{:02X}", LIGHT.fg.0, LIGHT.fg.1, LIGHT.fg.2);
        assert!(svg.contains(&format!("stroke=\"{fg}\"")), "a playhead in {fg}: {svg}");
    }

    /// Review: a breaker chart's title was "breaker_state: green 0 · red 1 · amber 2", and its
    /// states differed by colour alone.
    #[wasm_bindgen_test]
    fn a_breaker_chart_keys_its_states_in_words_and_writes_them_in_wide_spans() {
        let texts = |svg: &str| -> Vec<String> {
            svg.split("<text")
                .skip(1)
                .filter_map(|el| Some(el.split_once('>')?.1.split("</text>").next()?.trim().to_string()))
                .collect()
        };
        let band = |spans: Vec<Span>| Band { label: "cart".into(), spans };
        let breaker = ChartData {
            title: "breaker_state".into(),
            y_unit: "",
            lines: Vec::new(),
            bands: vec![band(vec![
                Span { from_ms: 0.0, to_ms: 6_000.0, state: 0 },
                Span { from_ms: 6_000.0, to_ms: 6_100.0, state: 1 },
            ])],
            now_ms: 6_100.0,
            end_ms: 20_000.0,
            x_ticks: Vec::new(),
            faults: Default::default(),
        };
        let said = texts(&to_svg(&breaker, (640, 220), &LIGHT).expect("draws"));
        assert!(said.iter().all(|t| !t.contains("green")), "{said:?}");
        for key in ["closed", "open", "half-open"] {
            assert!(said.iter().any(|t| t == key), "the key {key} in {said:?}");
        }
        // "closed" once as a key and once in the long span. The 100 ms open span at the playhead
        // is too narrow for its word, which goes just right of it: the state now is said.
        assert_eq!(said.iter().filter(|t| *t == "closed").count(), 2, "{said:?}");
        assert_eq!(said.iter().filter(|t| *t == "open").count(), 2, "{said:?}");
        // An older narrow span (not the playhead's) says nothing.
        let mut earlier = breaker.clone();
        earlier.bands[0].spans.push(Span { from_ms: 6_100.0, to_ms: 12_000.0, state: 0 });
        earlier.now_ms = 12_000.0;
        let said_then = texts(&to_svg(&earlier, (640, 220), &LIGHT).expect("draws"));
        assert_eq!(said_then.iter().filter(|t| *t == "open").count(), 1, "{said_then:?}");
        // Another protocol's states are named by number, only those it had.
        let other = ChartData { title: "leader_state".into(), ..breaker };
        let said = texts(&to_svg(&other, (640, 220), &LIGHT).expect("draws"));
        assert!(said.iter().any(|t| t == "state 1") && !said.iter().any(|t| t == "state 2"), "{said:?}");
    }

    /// Review: an exported chart said only "latency_ms (ms)": not which run, nor when.
    #[wasm_bindgen_test]
    fn an_export_says_what_run_it_is_from_under_the_chart() {
        let about = "t1-round-robin, seed 1 · at 0.200 s of 1.0 s of simulated time";
        let svg = to_svg_about(&data(), (480, 220), &LIGHT, Some(about)).expect("draws");
        assert!(svg.contains(&format!("height=\"{}\"", 220 + FOOTER_H)), "taller by the footer");
        assert!(svg.contains("t1-round-robin, seed 1") && svg.contains("simulated time"), "{svg}");
        // The chart keeps its own size above the footer: the same plot as on screen.
        assert_eq!(plot_top(&svg), plot_top(&to_svg(&data(), (480, 220), &LIGHT).expect("draws")));
    }

    #[wasm_bindgen_test]
    fn a_chart_with_nothing_measured_yet_says_so() {
        let mut empty = data();
        empty.bands.clear();
        empty.lines[0].points.clear();
        assert!(to_svg(&empty, (480, 220), &LIGHT).expect("draws").contains(NO_VALUE));
        assert!(!to_svg(&data(), (480, 220), &LIGHT).expect("draws").contains(NO_VALUE));
    }

    /// Where the plot starts: where the mesh's vertical grid lines end.
    fn plot_top(svg: &str) -> f64 {
        svg.split("<line")
            .find_map(|el| el.split("y2=\"").nth(1)?.split('"').next()?.parse().ok())
            .expect("a grid line")
    }

    #[wasm_bindgen_test]
    fn the_plot_stays_put_when_the_first_sample_arrives() {
        let mut one = data();
        one.bands.clear();
        let mut none = one.clone();
        none.lines.clear();
        let top = |d: &ChartData| plot_top(&to_svg(d, (480, 220), &LIGHT).expect("draws"));
        assert_eq!(top(&none), top(&one), "a row is kept for the legend to come");
        none.title = "breaker_state".into();
        assert!(top(&none) < top(&one), "a band chart has no legend row");
    }

    #[wasm_bindgen_test]
    fn a_chart_over_categories_labels_them_and_has_no_playhead() {
        let mut d = data();
        d.bands.clear();
        d.lines = vec![Line::new("fresh reads".into(), vec![(0.0, 65.0), (1.0, 80.0), (2.0, 100.0)])];
        d.x_ticks = ["0 ms", "5 ms", "50 ms"].map(String::from).to_vec();
        let svg = to_svg(&d, (480, 220), &LIGHT).expect("draws");
        for tick in ["0 ms", "5 ms", "50 ms"] {
            assert!(
                svg.contains(&format!(">{tick}<")) || svg.contains(&format!(">\n{tick}")),
                "{tick}: {svg}"
            );
        }
        assert!(!svg.contains("200 ms"), "no time axis");
        let fg = format!("#{:02X}{:02X}{:02X}", LIGHT.fg.0, LIGHT.fg.1, LIGHT.fg.2);
        assert!(!svg.contains(&format!("stroke=\"{fg}\"")), "no playhead");
        assert_eq!(svg.matches("<circle").count(), 3, "each point marked");
    }

    #[wasm_bindgen_test]
    fn time_labels_switch_to_seconds() {
        assert_eq!(fmt_time(1500.0, 10_000.0), "1.5 s");
        assert_eq!(fmt_time(2000.0, 10_000.0), "2 s");
        assert_eq!(fmt_time(250.0, 1_000.0), "250 ms");
    }

    #[wasm_bindgen_test]
    fn a_title_says_its_unit_once() {
        assert_eq!(
            [titled("commit_latency_ms", "ms"), titled("errors", "total"), titled("backend_load", "")],
            ["Commit latency (ms) · commit_latency_ms", "Errors (total)", "Backend load · backend_load"]
        );
        assert_eq!(titled("client_availability_permille", "‰"), "Client availability permille (‰)");
    }

    #[wasm_bindgen_test]
    fn an_axis_labels_its_ticks_in_one_format() {
        let big: Vec<String> =
            [0.0, 5_000.0, 10_000.0, 12_500.0].iter().map(|v| y_label(*v, 14_000.0)).collect();
        assert_eq!(big, ["0", "5k", "10k", "12.5k"]);
        let small: Vec<String> = [0.0, 0.25, 5_000.0].iter().map(|v| y_label(*v, 9_000.0)).collect();
        assert_eq!(small, ["0", "0.25", "5000"]);
    }
}
