//! Exports: trace as JSON, metrics as CSV, charts as PNG/SVG. Building the text is pure;
//! `download*` hands it to the browser via a Blob, an object URL and a temporary `<a download>`.

use dsplay_core::sim::metrics::{MetricKind, Metrics};
use dsplay_core::sim::trace::Trace;
use std::fmt::Write as _;
use wasm_bindgen::JsCast;

/// The retained trace records as JSON, with what a reader needs beside them: the node names the
/// records' `node`/`peer` indexes point into, the trace hash, and whether older records were let go
/// (the trace keeps the newest `sim.trace_capacity`).
pub fn trace_json(trace: &Trace, names: &[String], scenario: &str, seed: u64) -> String {
    let records: Vec<_> = trace.records().iter().collect();
    let dropped = trace.len_total() - records.len() as u64;
    let note = (dropped > 0).then(|| {
        format!(
            "the first {dropped} of {} records are not kept; raise sim.trace_capacity (the Editor) to keep more",
            trace.len_total()
        )
    });
    let doc = serde_json::json!({
        "scenario": scenario,
        "seed": seed,
        "trace_hash": trace.hash_hex(),
        "nodes": names,
        "at_unit": "microseconds of simulated time",
        "records_total": trace.len_total(),
        "records_kept": records.len(),
        "note": note,
        "records": records,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Every sampled point, one row each:
/// `t_ms,metric,node,kind,value,unit,p50_ms,p95_ms,p99_ms` (node empty for global metrics). A
/// counter's value is its rate per second over the sample interval; a gauge's is its level; a
/// histogram's is how many samples fell in the interval, with their percentiles (empty when none
/// did, rather than a 0 that would read as "0 ms").
pub fn metrics_csv(metrics: &Metrics, names: &[String]) -> String {
    let mut out = String::from("t_ms,metric,node,kind,value,unit,p50_ms,p95_ms,p99_ms\n");
    for m in metrics.all() {
        let node = m
            .node
            .map_or_else(String::new, |n| names.get(n.index()).cloned().unwrap_or_else(|| n.to_string()));
        let (kind, unit) = match m.kind {
            MetricKind::Counter { .. } => ("counter", "per_s"),
            MetricKind::Gauge { .. } | MetricKind::Unset => ("gauge", ""),
            MetricKind::Histogram { .. } => ("histogram", "samples"),
        };
        for p in &m.series {
            let pcts = if kind == "histogram" && p.value > 0.0 {
                format!("{},{},{}", p.p50, p.p95, p.p99)
            } else {
                ",,".to_string()
            };
            let _ =
                writeln!(out, "{},{},{},{kind},{},{unit},{pcts}", p.t_ms, m.name, csv_field(&node), p.value);
        }
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Make a safe file name part from a metric or preset name.
pub fn file_stem(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// The name an export of `what` (a chart's key, `trace`, `metrics`) is saved under: the scenario,
/// whether it was edited from its preset, what, and the playhead, so files from different presets,
/// edits and moments do not overwrite or pass for each other: `d4-raft-election-edited-trace-2500ms`.
pub fn export_stem(s: &dsplay_core::session::Session, what: &str) -> String {
    let sc = s.scenario();
    let edited = dsplay_core::presets::get(&sc.meta.id).map_or(true, |p| p != *sc);
    let ms = s.now().as_us() / 1000;
    file_stem(&format!("{}{}-{what}-{ms}ms", sc.meta.file_id(), if edited { "-edited" } else { "" }))
}

/// Save `url` (a data: or blob: URL) as `filename` through a temporary `<a download>`.
pub fn download_url(filename: &str, url: &str) -> Result<(), String> {
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement =
        doc.create_element("a").map_err(|_| "cannot create a link")?.dyn_into().map_err(|_| "not a link")?;
    a.set_href(url);
    a.set_download(filename);
    a.set_attribute("hidden", "").ok();
    let body = doc.body().ok_or("no body")?;
    body.append_child(&a).map_err(|_| "cannot attach the link")?;
    a.click();
    a.remove();
    Ok(())
}

/// Save `text` as `filename` with the given MIME type.
pub fn download_text(filename: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(|_| "cannot make a blob")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "cannot make a URL")?;
    let done = download_url(filename, &url);
    // Revoke later: the download may still be reading the blob.
    gloo::timers::callback::Timeout::new(30_000, move || drop(web_sys::Url::revoke_object_url(&url)))
        .forget();
    done
}

/// Save a chart's `data` as drawn on `canvas` (at its CSS size), as PNG or SVG, named `stem`:
/// what every chart's export buttons do, on the Charts tab and in Compare.
pub fn save_chart(data: &crate::charts::series::ChartData, canvas: &yew::NodeRef, stem: &str, png: bool) {
    use crate::charts::draw::{css_size, current_palette, to_png, to_svg, HEIGHT};
    let css = canvas.cast::<web_sys::HtmlCanvasElement>().map_or((640, HEIGHT), |c| css_size(&c));
    let _ = if png {
        to_png(data, css).and_then(|url| download_url(&format!("{stem}.png"), &url))
    } else {
        to_svg(data, css, &current_palette())
            .and_then(|text| download_text(&format!("{stem}.svg"), "image/svg+xml", &text))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsplay_core::{ids::NodeId, SimTime};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn csv_has_a_header_and_one_row_per_point() {
        let mut m = Metrics::new(100_000, 1_000_000);
        m.count("requests", None, 5, SimTime(0));
        m.gauge("load", Some(NodeId(1)), 3, SimTime(0));
        m.observe("latency_ms", None, 4_000, SimTime(50_000));
        m.advance_to(SimTime(200_000));
        let csv = metrics_csv(&m, &["a".into(), "b,1".into()]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "t_ms,metric,node,kind,value,unit,p50_ms,p95_ms,p99_ms");
        assert_eq!(lines.len(), 7);
        assert!(lines.contains(&"100,requests,,counter,50,per_s,,,"), "{csv}");
        assert!(lines.contains(&"200,load,\"b,1\",gauge,3,,,,"), "{csv}");
        // HDR histograms keep two significant digits: 4 ms is stored as 4.015.
        assert!(lines.contains(&"100,latency_ms,,histogram,1,samples,4.015,4.015,4.015"), "{csv}");
        assert!(
            lines.contains(&"200,latency_ms,,histogram,0,samples,,,"),
            "an empty interval has no percentiles: {csv}"
        );
    }

    #[wasm_bindgen_test]
    fn the_trace_export_names_the_nodes_and_says_what_it_let_go() {
        let mut sc = dsplay_core::presets::get("t1-round-robin").expect("preset");
        sc.sim.trace_capacity = 50;
        let mut sim = dsplay_core::registry::build(&sc).expect("build");
        sim.run_until(SimTime::from_ms(500));
        let text = trace_json(sim.trace(), sim.node_names(), &sc.meta.id, sc.seed);
        let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(doc["nodes"].as_array().map(Vec::len), Some(sim.node_names().len()));
        assert_eq!(doc["records"].as_array().map(Vec::len), Some(50));
        assert_eq!(doc["trace_hash"].as_str(), Some(sim.trace().hash_hex().as_str()));
        let total = sim.trace().len_total();
        assert!(total > 50 && doc["records_total"] == total);
        let note = doc["note"].as_str().unwrap_or_default();
        assert!(
            note.contains(&format!("first {} of {total}", total - 50)) && note.contains("trace_capacity"),
            "{note}"
        );
    }
}
