//! How far apart two colours look to the least-able of three viewers: normal vision, a
//! deuteranope and a protanope. Tests hold the picture's colour sets to it (message kinds, chart
//! bands, fault shading, History's outcomes), so a kind or a state is never told by a hue a
//! twelfth of students cannot see (review 35 B4, B5).
//!
//! Colour blindness is simulated with Machado, Oliveira and Fernandes (2009) at full severity, in
//! linear RGB; the difference is CIEDE2000 in CIELAB (D65). About 10 and more reads as two
//! colours for a small dot; under 5 as one.

/// Machado et al.'s matrices (severity 1.0), for linear RGB.
const DEUTERANOPIA: [[f64; 3]; 3] =
    [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]];
const PROTANOPIA: [[f64; 3]; 3] =
    [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]];

fn linear(c: f64) -> f64 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// `#rrggbb` as linear RGB.
fn rgb(hex: &str) -> [f64; 3] {
    let byte = |i: usize| u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).expect("#rrggbb") as f64 / 255.0;
    [linear(byte(0)), linear(byte(1)), linear(byte(2))]
}

fn seen(c: [f64; 3], m: Option<&[[f64; 3]; 3]>) -> [f64; 3] {
    m.map_or(c, |m| std::array::from_fn(|i| (0..3).map(|j| m[i][j] * c[j]).sum::<f64>().clamp(0.0, 1.0)))
}

fn lab([r, g, b]: [f64; 3]) -> [f64; 3] {
    let f = |t: f64| if t > 0.008856 { t.cbrt() } else { 7.787 * t + 16.0 / 116.0 };
    let x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
    let y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
    let z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
    [116.0 * y - 16.0, 500.0 * (x - y), 200.0 * (y - z)]
}

/// CIEDE2000 (Sharma, Wu and Dalal's formulation).
fn ciede2000([l1, a1, b1]: [f64; 3], [l2, a2, b2]: [f64; 3]) -> f64 {
    let c_bar = (a1.hypot(b1) + a2.hypot(b2)) / 2.0;
    let g = 0.5 * (1.0 - (c_bar.powi(7) / (c_bar.powi(7) + 25f64.powi(7))).sqrt());
    let (a1, a2) = ((1.0 + g) * a1, (1.0 + g) * a2);
    let (c1, c2) = (a1.hypot(b1), a2.hypot(b2));
    let hue = |b: f64, a: f64| b.atan2(a).to_degrees().rem_euclid(360.0);
    let (h1, h2) = (hue(b1, a1), hue(b2, a2));
    let dh = match h2 - h1 {
        _ if c1 * c2 == 0.0 => 0.0,
        d if d > 180.0 => d - 360.0,
        d if d < -180.0 => d + 360.0,
        d => d,
    };
    let big_dh = 2.0 * (c1 * c2).sqrt() * (dh / 2.0).to_radians().sin();
    let (l_bar, c_bar) = ((l1 + l2) / 2.0, (c1 + c2) / 2.0);
    let h_bar = match (h1 - h2).abs() {
        _ if c1 * c2 == 0.0 => h1 + h2,
        d if d <= 180.0 => (h1 + h2) / 2.0,
        _ if h1 + h2 < 360.0 => (h1 + h2 + 360.0) / 2.0,
        _ => (h1 + h2 - 360.0) / 2.0,
    };
    let cos = |deg: f64| deg.to_radians().cos();
    let t = 1.0 - 0.17 * cos(h_bar - 30.0) + 0.24 * cos(2.0 * h_bar) + 0.32 * cos(3.0 * h_bar + 6.0)
        - 0.20 * cos(4.0 * h_bar - 63.0);
    let turn = 30.0 * (-((h_bar - 275.0) / 25.0).powi(2)).exp();
    let rc = 2.0 * (c_bar.powi(7) / (c_bar.powi(7) + 25f64.powi(7))).sqrt();
    let sl = 1.0 + 0.015 * (l_bar - 50.0).powi(2) / (20.0 + (l_bar - 50.0).powi(2)).sqrt();
    let (sc, sh) = (1.0 + 0.045 * c_bar, 1.0 + 0.015 * c_bar * t);
    let rt = -(2.0 * turn).to_radians().sin() * rc;
    let (dl, dc, dh) = ((l2 - l1) / sl, (c2 - c1) / sc, big_dh / sh);
    (dl * dl + dc * dc + dh * dh + rt * dc * dh).sqrt()
}

/// The smallest CIEDE2000 difference between `a` and `b` (`#rrggbb`) in normal, deuteranope and
/// protanope vision.
pub fn worst_difference(a: &str, b: &str) -> f64 {
    [None, Some(&DEUTERANOPIA), Some(&PROTANOPIA)]
        .into_iter()
        .map(|m| ciede2000(lab(seen(rgb(a), m)), lab(seen(rgb(b), m))))
        .fold(f64::INFINITY, f64::min)
}

/// WCAG's contrast ratio of two `#rrggbb` colours (1 to 21).
pub fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |hex: &str| {
        let [r, g, b] = rgb(hex);
        0.2126 * r + 0.7152 * g + 0.0722 * b
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The closest two of `colours` for the least-able viewer: `(difference, a, b)`.
pub fn closest_pair<'a>(colours: &[&'a str]) -> (f64, &'a str, &'a str) {
    let mut worst = (f64::INFINITY, "", "");
    for (i, a) in colours.iter().enumerate() {
        for b in &colours[i + 1..] {
            let d = worst_difference(a, b);
            if d < worst.0 {
                worst = (d, a, b);
            }
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The reviewer's measurement, on Chromium's own simulated rendering: Tableau's red and green
    /// as one olive to a deuteranope (ΔE 0.8); black and white as far apart as colours go.
    #[wasm_bindgen_test]
    fn red_and_green_collapse_for_a_deuteranope_black_and_white_do_not() {
        let d = worst_difference("#e15759", "#59a14f");
        assert!(d < 2.0, "{d}");
        assert!(worst_difference("#000000", "#ffffff") > 99.0);
        assert!(worst_difference("#0072b2", "#0072b2") < 1e-9);
    }

    fn hex(c: plotters::style::RGBColor) -> String {
        format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
    }

    fn at_least(what: &str, colours: &[&str], min: f64) {
        let (d, a, b) = closest_pair(colours);
        assert!(d >= min, "{what}: {a} and {b} differ by ΔE {d:.1} for some reader, under {min}");
    }

    /// Most protocols' kinds fit in the first eight colours; a 2PC run or a saga uses all
    /// fifteen. The reset's grey is told from all of them.
    #[wasm_bindgen_test]
    fn message_kinds_stay_apart_for_red_green_colour_blind_readers() {
        use crate::topology::kind_colour::{DARK_PALETTE, PALETTE};
        for palette in [PALETTE, DARK_PALETTE] {
            at_least("the first eight kinds", &palette[..8], 12.0);
            at_least("every kind and the reset", &palette, 6.0);
        }
    }

    /// Each kind's colour against its theme's panel: WCAG's 3:1 for a graphic on the dark one
    /// (review 36: five were 2.6 to 2.9:1, faint dots); the light palette keeps its 2:1.
    #[wasm_bindgen_test]
    fn every_kind_stands_out_from_its_themes_panel() {
        use crate::topology::kind_colour::{DARK_PALETTE, PALETTE};
        for (palette, panel, least) in [(PALETTE, "#ffffff", 2.0), (DARK_PALETTE, "#1d2026", 3.0)] {
            for c in palette {
                let ratio = contrast(c, panel);
                assert!(ratio >= least, "{c} on {panel}: {ratio:.2}:1, under {least}:1");
            }
        }
        assert!(contrast("#107010", "#1d2026") < 3.0, "the colour review 36 found faint");
    }

    /// A chart's state bands (a breaker's closed, open and half-open), the fault shading behind
    /// every chart, and History's outcomes.
    #[wasm_bindgen_test]
    fn bands_faults_and_outcomes_stay_apart_for_red_green_colour_blind_readers() {
        use crate::charts::{draw::state_colour, shade::kind_colour};
        use dsplay_core::scenario::fault_spans::FaultKind as F;
        let states: Vec<String> = (0..4).map(|s| hex(state_colour(s))).collect();
        at_least("state bands", &states.iter().map(String::as_str).collect::<Vec<_>>(), 20.0);
        let faults = [F::Down, F::Paused, F::Cut, F::Link, F::Slow, F::Surge].map(|k| hex(kind_colour(k)));
        at_least("fault shading", &faults.iter().map(String::as_str).collect::<Vec<_>>(), 10.0);
        let css = include_str!("../static/history.css");
        for theme in 0..2 {
            let outcome = |name: &str| {
                let key = format!("--op-{name}: light-dark(");
                let at = css.find(&key).expect(name) + key.len();
                css[at..].split([',', ')']).nth(theme).expect("two colours").trim().to_string()
            };
            let ops = ["ok", "failed", "unknown"].map(outcome);
            at_least("History's outcomes", &ops.iter().map(String::as_str).collect::<Vec<_>>(), 12.0);
        }
    }
}
