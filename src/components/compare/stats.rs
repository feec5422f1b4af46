//! The numbers Compare puts side by side, and its overlaid p99 chart (drawn here with plotters,
//! independent of the main charts).

use dsplay_core::sim::metrics::{Metric, MetricKind};
use dsplay_core::Simulation;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// The key figures of one run so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// p50, p95, p99 in ms of the latency histogram, if the protocol has one.
    pub latency: Option<[f64; 3]>,
    pub errors: u64,
    /// Completed requests per simulated second.
    pub throughput: f64,
    pub violations: usize,
}

/// The run's request latency histogram: global `latency_ms`, else the first global `*latency*`.
pub fn latency_metric(sim: &dyn Simulation) -> Option<&Metric> {
    let hists = || {
        sim.metrics()
            .all()
            .iter()
            .filter(|m| m.node.is_none() && matches!(m.kind, MetricKind::Histogram { .. }))
    };
    hists().find(|m| m.name == "latency_ms").or_else(|| hists().find(|m| m.name.contains("latency")))
}

pub fn summary(sim: &dyn Simulation) -> Summary {
    let secs = sim.now().as_us() as f64 / 1e6;
    let mut s = Summary {
        errors: sim.metrics().counter_sum("errors"),
        violations: sim.violations().len(),
        ..Summary::default()
    };
    if let Some(MetricKind::Histogram { all, .. }) = latency_metric(sim).map(|m| &m.kind) {
        if !all.is_empty() {
            let q = |x: f64| all.value_at_quantile(x) as f64 / 1000.0;
            s.latency = Some([q(0.5), q(0.95), q(0.99)]);
        }
        s.throughput = if secs > 0.0 { all.len() as f64 / secs } else { 0.0 };
    }
    s
}

/// `(t_ms, p99)` of the latency series up to now.
pub fn p99_series(sim: &dyn Simulation) -> Vec<(f64, f64)> {
    let now = sim.now().as_us() as f64 / 1000.0;
    latency_metric(sim)
        .map(|m| {
            m.series.iter().filter(|p| p.t_ms <= now && p.value > 0.0).map(|p| (p.t_ms, p.p99)).collect()
        })
        .unwrap_or_default()
}

pub const COLOR_A: RGBColor = RGBColor(0x00, 0x72, 0xb2);
pub const COLOR_B: RGBColor = RGBColor(0xe6, 0x9f, 0x00);

/// Draw A's and B's p99 latency over time onto `canvas`.
pub fn draw(canvas: HtmlCanvasElement, a: &[(f64, f64)], b: &[(f64, f64)], dark: bool) -> Option<()> {
    let (bg, fg) =
        if dark { (RGBColor(0x1d, 0x20, 0x26), RGBColor(0xe6, 0xe8, 0xeb)) } else { (WHITE, BLACK) };
    let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
    root.fill(&bg).ok()?;
    let all = a.iter().chain(b);
    let x_max = all.clone().map(|p| p.0).fold(1.0, f64::max);
    let y_max = all.map(|p| p.1).fold(1.0, f64::max) * 1.1;
    let mut chart = ChartBuilder::on(&root)
        .margin(8)
        .x_label_area_size(24)
        .y_label_area_size(44)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)
        .ok()?;
    chart
        .configure_mesh()
        .light_line_style(bg.mix(0.0))
        .label_style(("sans-serif", 11).into_font().color(&fg))
        .axis_style(fg)
        .x_desc("sim ms")
        .y_desc("p99 ms")
        .draw()
        .ok()?;
    for (data, color, name) in [(a, COLOR_A, "A"), (b, COLOR_B, "B")] {
        chart
            .draw_series(LineSeries::new(data.iter().copied(), color.stroke_width(2)))
            .ok()?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .label_font(("sans-serif", 11).into_font().color(&fg))
        .background_style(bg.mix(0.8))
        .border_style(fg)
        .draw()
        .ok()?;
    root.present().ok()
}
