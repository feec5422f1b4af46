//! An exported chart's footer: what run it is from, centred under the chart in as many lines as
//! it takes to fit the chart's width. A Compare export's says what B changed too, and on one line
//! it was wider than the chart: the PNG lost the scenario's name at the start and B's change at
//! the end (review 19).

use super::draw::{err, DrawResult, Palette};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The footer's font size (px).
const FONT_PX: f64 = 11.0;
/// Height of one line, and the room above the first and below the last.
const LINE_H: i32 = 14;
const PAD: i32 = 2;
/// Room kept clear at either side of a line.
const SIDE: f64 = 8.0;
/// A generous average advance of an 11 px sans-serif character: the SVG is read with whatever
/// font its viewer has, so the browser's own measure is not trusted below this.
const CHAR_W: f64 = 6.0;

/// Height of a footer of `lines` lines (one line: [`super::draw::FOOTER_H`]).
pub fn height(lines: usize) -> i32 {
    if lines == 0 {
        0
    } else {
        2 * PAD + LINE_H * lines as i32
    }
}

/// How wide `text` is drawn in the footer's font: the browser's measure, or the estimate if more.
fn width(text: &str) -> f64 {
    let estimate = text.chars().count() as f64 * CHAR_W;
    let measured = ("sans-serif", FONT_PX).into_font().box_size(text).map_or(0.0, |(w, _)| f64::from(w));
    estimate.max(measured)
}

/// `about` in lines that fit `chart_w` pixels: broken between its parts (" · ") where it can,
/// else between words, and a word wider than the chart (a long path) between characters.
pub fn lines(about: &str, chart_w: u32) -> Vec<String> {
    let room = (f64::from(chart_w) - 2.0 * SIDE).max(CHAR_W);
    let fits = |s: &str| width(s) <= room;
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for part in about.split(" · ") {
        let joined = if line.is_empty() { part.to_string() } else { format!("{line} · {part}") };
        if fits(&joined) {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        // A part too wide on its own: by words, the last words starting the next line.
        for word in part.split(' ') {
            let joined = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if fits(&joined) {
                line = joined;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            if fits(word) {
                line = word.to_string();
                continue;
            }
            for c in word.chars() {
                if !line.is_empty() && !fits(&format!("{line}{c}")) {
                    out.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// Draw `lines` centred on `foot` (a strip [`height`] high).
pub fn draw<DB: DrawingBackend>(
    foot: &DrawingArea<DB, Shift>,
    lines: &[String],
    pal: &Palette,
) -> DrawResult {
    foot.fill(&pal.bg).map_err(err)?;
    let w = foot.dim_in_pixel().0 as i32;
    let small = ("sans-serif", FONT_PX)
        .into_font()
        .color(&pal.fg.mix(0.75))
        .pos(Pos::new(HPos::Center, VPos::Center));
    for (i, line) in lines.iter().enumerate() {
        let y = PAD + LINE_H * i as i32 + LINE_H / 2;
        foot.draw(&Text::new(line.clone(), (w / 2, y), small.clone())).map_err(err)?;
    }
    Ok(())
}
