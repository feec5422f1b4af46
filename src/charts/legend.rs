//! A chart's legend, in a strip of its own between the title and the plot: inside the plot it
//! always covered some data (the start of the run, or the end once the playhead passed half way).

use super::series::Line;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Height of one row of entries.
pub const ROW_H: i32 = 15;
/// The sample stroke's length, and the space before the entry's text.
const SAMPLE_W: i32 = 15;
const SAMPLE_GAP: i32 = 4;
/// Space between two entries in a row.
const ENTRY_GAP: i32 = 14;
/// Average advance of a 12 px sans-serif character, a little generous.
const CHAR_W: f64 = 6.6;

fn entry_width(label: &str) -> i32 {
    SAMPLE_W + SAMPLE_GAP + (CHAR_W * label.chars().count() as f64).ceil() as i32
}

/// Where each entry goes in a strip `width` px wide: `(x, row)`, rows filled left to right and
/// each row centred.
pub fn layout(labels: &[&str], width: i32) -> Vec<(i32, i32)> {
    let mut rows: Vec<Vec<(usize, i32)>> = vec![Vec::new()];
    let mut used = 0;
    for (i, label) in labels.iter().enumerate() {
        let w = entry_width(label);
        let row = rows.last_mut().expect("one row at least");
        let need = if row.is_empty() { w } else { used + ENTRY_GAP + w };
        if !row.is_empty() && need > width {
            rows.push(vec![(i, w)]);
            used = w;
        } else {
            row.push((i, w));
            used = need;
        }
    }
    let mut at = vec![(0, 0); labels.len()];
    for (r, row) in rows.iter().enumerate() {
        let total: i32 = row.iter().map(|e| e.1).sum::<i32>() + ENTRY_GAP * (row.len() as i32 - 1).max(0);
        let mut x = ((width - total) / 2).max(0);
        for &(i, w) in row {
            at[i] = (x, r as i32);
            x += w + ENTRY_GAP;
        }
    }
    at
}

/// Draw an entry for each of the first `at.len()` lines at its `(x, row)` from [`layout`]: its
/// pen's sample (two strokes with a gap if dashed) and its label.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lines: &[Line],
    at: &[(i32, i32)],
    style: impl Fn(usize, &Line) -> ShapeStyle,
    text: &TextStyle,
) -> Result<(), String> {
    let text = text.pos(Pos::new(HPos::Left, VPos::Center));
    for ((i, line), &(x, row)) in lines.iter().enumerate().zip(at) {
        let y = row * ROW_H + ROW_H / 2;
        let pen = style(i, line);
        // Solid, one gap (dashed), or three short strokes (a total, as in the plot).
        let strokes: &[(i32, i32)] = match (line.pen.total, line.pen.dashed) {
            (true, false) => &[(0, 3), (6, 9), (12, SAMPLE_W)],
            (_, true) => &[(0, 5), (10, SAMPLE_W)],
            (false, false) => &[(0, SAMPLE_W)],
        };
        let failed = |e| format!("legend drawing failed: {e:?}");
        for &(a, b) in strokes {
            area.draw(&(EmptyElement::at((x, y)) + PathElement::new(vec![(a, 0), (b, 0)], pen)))
                .map_err(failed)?;
        }
        let label = Text::new(line.label.clone(), (SAMPLE_W + SAMPLE_GAP, 0), text.clone());
        area.draw(&(EmptyElement::at((x, y)) + label)).map_err(failed)?;
    }
    Ok(())
}

/// Draw a key for each state of a band chart at its `(x, row)` from [`layout`]: a filled square
/// in the state's colour and its word ("open").
pub fn draw_keys<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    keys: &[(RGBColor, String)],
    at: &[(i32, i32)],
    text: &TextStyle,
) -> Result<(), String> {
    let text = text.pos(Pos::new(HPos::Left, VPos::Center));
    for ((colour, word), &(x, row)) in keys.iter().zip(at) {
        let y = row * ROW_H + ROW_H / 2;
        let entry = EmptyElement::at((x, y))
            + Rectangle::new([(2, -5), (12, 5)], colour.mix(0.55).filled())
            + Text::new(word.clone(), (SAMPLE_W + SAMPLE_GAP, 0), text.clone());
        area.draw(&entry).map_err(|e| format!("legend drawing failed: {e:?}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::layout;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn entries_share_a_centred_row_and_wrap_when_it_is_full() {
        let one = layout(&["p50", "p95", "p99"], 480);
        assert!(one.iter().all(|&(_, r)| r == 0), "{one:?}");
        assert!(one[0].0 > 100 && one[0].0 < one[1].0 && one[1].0 < one[2].0, "centred, in order: {one:?}");
        let many: Vec<String> = (1..=16).map(|i| format!("backend b{i}")).collect();
        let labels: Vec<&str> = many.iter().map(String::as_str).collect();
        let wrapped = layout(&labels, 480);
        let rows = wrapped.iter().map(|&(_, r)| r).max().unwrap_or(0) + 1;
        assert!((3..=6).contains(&rows), "{rows} rows");
        assert!(wrapped.iter().all(|&(x, _)| (0..480).contains(&x)), "{wrapped:?}");
    }
}
