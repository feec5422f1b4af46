//! A chart's values under the pointer, in words: a student asked "what was p99 at 20 s?" had only
//! the screen reader's label, at the playhead, to read a number from (review 48 B3). The words
//! also say what each point covers: a latency point is the requests of one sample interval, not
//! the run so far.
//!
//! The chart is worked out as it stood with the playhead at the pointer's time (the same data a
//! scrub back there draws); each line's last point is then the sample at or before that time,
//! exactly as the metrics CSV has it (a long run's lines are thinned for drawing, but never their
//! last point).

use super::series::{num, ChartData};

/// Where a pointer at `x` CSS pixels falls on a plot spanning `across` (its left and right edges)
/// over `0..end_ms`: a time up to `now_ms` (nothing is drawn after the playhead; right of the plot
/// reads its end), or `None` over the y axis's labels.
pub fn time_at(x: f64, across: (f64, f64), end_ms: f64, now_ms: f64) -> Option<f64> {
    let (left, right) = across;
    if right <= left || x < left - 4.0 {
        return None;
    }
    Some(((x - left) / (right - left) * end_ms).clamp(0.0, now_ms))
}

/// `data` (a chart worked out with its playhead at the pointer's time) in words: "20.0 s, the 100 ms
/// before: p50 15.0 · p95 37.1 · p99 54.3 ms", and the time of the samples read. `window_ms` is the
/// metrics' sample interval. `None` before the first sample, or for a chart not over time.
pub fn readout(data: &ChartData, window_ms: f64) -> Option<(f64, String)> {
    if !data.x_ticks.is_empty() {
        return None;
    }
    let last = |pts: &[(f64, f64)]| pts.last().copied();
    let at = data.lines.iter().filter_map(|l| last(&l.points)).map(|p| p.0).fold(f64::NAN, f64::max);
    // A chart of bands only reads its states at the pointer's time (its playhead).
    let at = if at.is_nan() && data.bands.iter().any(|b| !b.spans.is_empty()) { data.now_ms } else { at };
    if at.is_nan() {
        return None;
    }
    let mut parts: Vec<String> = data
        .lines
        .iter()
        .filter_map(|l| {
            let (_, v) = last(&l.points)?;
            Some(match v.is_nan() {
                true => format!("{} no reading", l.label),
                false => format!("{} {}", l.label, num(v)),
            })
        })
        .collect();
    for b in &data.bands {
        if let Some(span) = b.spans.last() {
            parts.push(format!("{} {}", b.label, super::series::state_word(data.is_breaker(b), span.state)));
        }
    }
    let window = || format!("{} ms", num(window_ms));
    let (over, unit) = match data.y_unit {
        // Each point is one interval's percentiles (or one interval's rate).
        "ms" if data.lines.iter().any(|l| l.label.ends_with("p99")) => {
            (format!(", the {} before", window()), " ms")
        }
        "/s" => (format!(", over the {} before", window()), "/s"),
        "total" => (", so far".to_string(), ""),
        "%" => (format!(", the {} before", window()), " %"),
        "ms" => (String::new(), " ms"),
        _ => (String::new(), ""),
    };
    let unit = if data.lines.is_empty() { "" } else { unit };
    Some((at, format!("{:.1} s{over}: {}{unit}", at / 1000.0, parts.join(" · "))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::series::{chart, ChartSpec};
    use dsplay_core::{presets, registry};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_pointer_off_the_plot_or_past_the_playhead_reads_no_later_than_it() {
        assert_eq!(time_at(10.0, (50.0, 450.0), 30_000.0, 30_000.0), None);
        assert_eq!(time_at(470.0, (50.0, 450.0), 30_000.0, 30_000.0), Some(30_000.0));
        assert_eq!(time_at(250.0, (50.0, 450.0), 30_000.0, 30_000.0), Some(15_000.0));
        assert_eq!(time_at(450.0, (50.0, 450.0), 30_000.0, 12_000.0), Some(12_000.0));
    }

    /// A breaker's band reads the state at the pointer's time, not when that state began.
    #[wasm_bindgen_test]
    fn a_band_reads_its_state_at_the_pointers_time() {
        use crate::charts::series::{Band, Span};
        let spans = vec![
            Span { from_ms: 0.0, to_ms: 6_000.0, state: 0 },
            Span { from_ms: 6_000.0, to_ms: 7_000.0, state: 1 },
        ];
        let data = ChartData {
            title: "breaker_state".into(),
            y_unit: "",
            lines: Vec::new(),
            bands: vec![Band { label: "cart".into(), spans }],
            now_ms: 7_000.0,
            end_ms: 20_000.0,
            x_ticks: Vec::new(),
            faults: Default::default(),
        };
        assert_eq!(readout(&data, 100.0), Some((7_000.0, "7.0 s: cart open".to_string())));
    }

    /// What the pointer reads at 20 s is the CSV's row at 20 s: the interval's p99, said to be one.
    #[wasm_bindgen_test]
    fn the_readout_is_the_sample_at_or_before_the_pointer() {
        let sc = presets::get("t1-round-robin").expect("preset");
        let mut sim = registry::build(&sc).expect("build");
        sim.run_until(sim.stop_at());
        let m = sim.metrics();
        let at = chart(m, &ChartSpec::Metric("latency_ms".into()), sim.node_names(), 20_050.0, 30_000.0);
        let (t, said) = readout(&at, 100.0).expect("a reading");
        assert_eq!(t, 20_000.0);
        let series = m.get("latency_ms", None).map(|x| x.series.as_slice()).unwrap_or_default();
        let p99 = series.iter().find(|p| p.t_ms == 20_000.0).expect("a sample at 20 s").p99;
        assert!(said.starts_with("20.0 s, the 100 ms before: p50 "), "{said}");
        assert!(said.ends_with(&format!("p99 {} ms", num(p99))), "{said} (p99 {p99})");
    }
}
