//! Compare's charts: run A's and run B's data of one chart merged into one chart. A's lines are
//! solid, B's dashed in the hue of A's line of the same name; legend entries and bands are
//! prefixed "A ·" and "B ·". Pure, like `series`.

use super::choice::defaults;
use super::series::{Band, ChartData, ChartSpec, Line, Pen, TVIS_READS};
use dsplay_core::sim::metrics::Metrics;

/// B's version of A's chart `spec`, if B has one: the same metric, else B's default chart of the
/// same kind (B's throughput chart may count other counters than A's). An error rate needs only
/// B's requests: with no errors yet, B's rate is 0 %.
///
/// B's failures are A's kinds of failure and then B's own: a counter B never counted is B's flat
/// zero beside A's line, not missing (review 45 F7: B without errors read as "B has no such chart").
pub fn counterpart(b: &Metrics, spec: &ChartSpec) -> Option<ChartSpec> {
    let has = |name: &str| b.all().iter().any(|m| m.name == name);
    let own = || defaults(b).into_iter().find(|s| s.key() == spec.key());
    match spec {
        ChartSpec::Metric(name) => has(name).then(|| spec.clone()),
        ChartSpec::Throughput(_) => own(),
        ChartSpec::Failures(a_names) => {
            let mut names = a_names.clone();
            if let Some(ChartSpec::Failures(b_names)) = own() {
                names.extend(b_names.into_iter().filter(|n| !a_names.contains(n)));
            }
            Some(ChartSpec::Failures(names))
        }
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
            pen: Pen { hue: Some(*hue), dashed: false, total: false, ..l.pen },
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
                pen: Pen { hue: Some(hue), dashed: true, total: false, ..l.pen },
                ..l
            });
        }
        bands.extend(prefixed("B", b.bands));
        end_ms = end_ms.max(b.end_ms);
    }
    ChartData { lines, bands, end_ms, ..a }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::series::chart;
    use dsplay_core::{ids::NodeId, SimTime};
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A run of 1 s that counted `requests` and, if `failing`, `errors` and `rejected`.
    fn run(failing: bool) -> Metrics {
        let mut m = Metrics::new(100_000, 1_000_000);
        for step in 0..10u64 {
            let t = SimTime(step * 100_000);
            m.count("requests", None, 10, t);
            if failing {
                m.count("errors", Some(NodeId(0)), 2, t);
                m.count("rejected", None, 1, t);
            }
            m.advance_to(SimTime((step + 1) * 100_000));
        }
        m
    }

    #[wasm_bindgen_test]
    fn b_that_never_failed_draws_its_failures_as_zero_beside_a() {
        let a_spec = ChartSpec::Failures(vec!["errors".into(), "rejected".into()]);
        let b = run(false);
        let b_spec = counterpart(&b, &a_spec).expect("B has a failures chart: none of them");
        assert_eq!(b_spec, a_spec);
        let drawn = overlay(
            chart(&run(true), &a_spec, &[], 1_000.0, 1_000.0),
            Some(chart(&b, &b_spec, &[], 1_000.0, 1_000.0)),
        );
        let b_lines: Vec<&Line> = drawn.lines.iter().filter(|l| l.label.starts_with("B · ")).collect();
        assert_eq!(b_lines.len(), 2, "{:?}", drawn.lines.iter().map(|l| &l.label).collect::<Vec<_>>());
        for l in b_lines {
            assert_eq!(l.points.len(), 10, "{}: one zero per sample, as A has", l.label);
            assert!(l.points.iter().all(|&(_, v)| v == 0.0), "{}: {:?}", l.label, l.points);
        }
    }

    #[wasm_bindgen_test]
    fn b_failures_add_its_own_kinds_after_a_kinds() {
        let a_spec = ChartSpec::Failures(vec!["rejected".into()]);
        let Some(ChartSpec::Failures(names)) = counterpart(&run(true), &a_spec) else { panic!("no chart") };
        assert_eq!(names, ["rejected", "errors"]);
    }
}
