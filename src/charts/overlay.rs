//! Compare's charts: run A's and run B's data of one chart merged into one chart. A's lines are
//! solid, B's dashed in the hue of A's line of the same name; legend entries and bands are
//! prefixed "A ·" and "B ·". Pure, like `series`.

use super::choice::defaults;
use super::series::{Band, ChartData, ChartSpec, Line, Pen, TVIS_READS};
use dsplay_core::sim::metrics::Metrics;

/// B's version of A's chart `spec`, if B has one: the same metric, else B's default chart of the
/// same kind (B's throughput and failures charts may count other counters than A's). An error rate needs only
/// B's requests: with no errors yet, B's rate is 0 %.
pub fn counterpart(b: &Metrics, spec: &ChartSpec) -> Option<ChartSpec> {
    let has = |name: &str| b.all().iter().any(|m| m.name == name);
    let own = || defaults(b).into_iter().find(|s| s.key() == spec.key());
    match spec {
        ChartSpec::Metric(name) => has(name).then(|| spec.clone()),
        ChartSpec::Throughput(_) | ChartSpec::Failures(_) => own(),
        ChartSpec::ErrorRate => has("requests").then(|| spec.clone()),
        ChartSpec::Visibility => b.all().iter().any(|m| m.name.starts_with(TVIS_READS)).then(|| spec.clone()),
    }
}

fn prefixed(run: &str, bands: Vec<Band>) -> impl Iterator<Item = Band> + '_ {
    bands.into_iter().map(move |b| Band { label: format!("{run} · {}", b.label), ..b })
}

/// One chart of A (title, unit and playhead) with B's lines and bands added, if B has the chart.
pub fn overlay(a: ChartData, b: Option<ChartData>) -> ChartData {
    // A line's own colour (a node's, see `series::node_hues`) if it has one, else its place.
    let hued: Vec<(String, usize)> =
        a.lines.iter().enumerate().map(|(i, l)| (l.label.clone(), l.pen.hue.unwrap_or(i))).collect();
    let mut lines: Vec<Line> = a
        .lines
        .into_iter()
        .zip(&hued)
        .map(|(l, (_, hue))| Line {
            label: format!("A · {}", l.label),
            // Not drawn as a total (short dashes) either: the caption's rule is A solid, B dashed
            // (review 24 C2: A's `errors`, the total of its breakdown, was dotted).
            pen: Pen { hue: Some(*hue), dashed: false, total: false },
            ..l
        })
        .collect();
    let mut bands: Vec<Band> = prefixed("A", a.bands).collect();
    let mut end_ms = a.end_ms;
    if let Some(b) = b {
        // B's lines that A lacks get hues A's lines do not use.
        let mut free = (0..).filter(|h| !hued.iter().any(|(_, used)| used == h));
        for l in b.lines {
            let same = hued.iter().find(|(n, _)| *n == l.label).map(|(_, hue)| *hue);
            let hue = same.or_else(|| free.next()).unwrap_or_default();
            lines.push(Line {
                label: format!("B · {}", l.label),
                pen: Pen { hue: Some(hue), dashed: true, total: false },
                ..l
            });
        }
        bands.extend(prefixed("B", b.bands));
        end_ms = end_ms.max(b.end_ms);
    }
    ChartData { lines, bands, end_ms, ..a }
}
