//! Exports: trace as JSON, metrics as CSV, charts as PNG/SVG. Building the text is pure;
//! `download*` hands it to the browser via a Blob, an object URL and a temporary `<a download>`.

use dsplay_core::readable;
use dsplay_core::session::Session;
use dsplay_core::sim::metrics::{MetricKind, Metrics, Shape};
use dsplay_core::sim::trace::{TraceEvent, TraceKind};
use dsplay_core::sim::Simulation;
use std::fmt::Write as _;
use wasm_bindgen::JsCast;

/// The retained trace records as JSON, with what a reader needs beside them: the node names the
/// records' `node`/`peer` indexes point into (each record names them too), the trace hash, the
/// link that replays the run (an edited scenario's whole, not just its preset's name), whether
/// older records were let go (the trace keeps the newest `sim.trace_capacity`), and on each send
/// what the message carried, in words, as far as `sim` kept it (see [`trace_with_payloads`]).
pub fn trace_json(sim: &dyn Simulation, link: &str) -> String {
    let mut out = trace_head(sim, link);
    trace_records(sim, &mut out, 0, f64::INFINITY);
    out + TRACE_TAIL
}

/// The document up to its records: `{ …every field…, "records": [`. One record a line follows.
fn trace_head(sim: &dyn Simulation, link: &str) -> String {
    let trace = sim.trace();
    let kept = trace.records().len();
    let dropped = trace.len_total() - kept as u64;
    let note = (dropped > 0).then(|| {
        format!(
            "the first {dropped} of {} records are not kept; raise sim.trace_capacity (the Editor) to keep more",
            trace.len_total()
        )
    });
    let doc = serde_json::json!({
        "scenario": sim.scenario().meta.id,
        "seed": sim.scenario().seed,
        "link": link,
        "trace_hash": trace.hash_hex(),
        "nodes": sim.node_names(),
        "at_unit": "microseconds of simulated time",
        "payload": "on a send: what the message carried, in words",
        "records_total": trace.len_total(),
        "records_kept": kept,
        "note": note,
    });
    opened_array(&doc, "records")
}

/// `doc`'s fields, pretty, then `key`'s array opened for one item a line to follow (and
/// [`TRACE_TAIL`] to close): a long list stays a line per item, not a dozen.
fn opened_array(doc: &serde_json::Value, key: &str) -> String {
    let text = serde_json::to_string_pretty(doc).unwrap_or_else(|_| "{".into());
    format!("{},\n  \"{key}\": [", text.trim_end().trim_end_matches('}').trim_end())
}

/// What closes the document after its records.
const TRACE_TAIL: &str = "\n  ]\n}\n";

/// The clients' operations up to the playhead as `dsplay lincheck FILE` reads them (its `json`
/// format: `ops` and `truncated`), one operation a line, with what a reader needs beside them:
/// the node names the ops' `client` indexes point into, the time unit and the link of the run.
/// The Trace JSON is no history, and lincheck could only refuse it (review 49 C6).
pub fn history_json(sim: &dyn Simulation, link: &str) -> String {
    let history = sim.history();
    let doc = serde_json::json!({
        "scenario": sim.scenario().meta.id,
        "seed": sim.scenario().seed,
        "link": link,
        "check": "dsplay lincheck FILE (exit 0 linearizable, 1 not, 3 unknown)",
        "nodes": sim.node_names(),
        "time_unit": "microseconds of simulated time (call, ret)",
        "truncated": history.truncated,
    });
    let mut out = opened_array(&doc, "ops");
    for (i, op) in history.ops.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(&serde_json::to_string(op).unwrap_or_default());
    }
    out + TRACE_TAIL
}

/// Write the records from `from` on, one a line, for at most `budget_ms` of wall time (looking at
/// the clock every 256); returns where the next slice starts (the number kept, once all are).
fn trace_records(sim: &dyn Simulation, out: &mut String, from: usize, budget_ms: f64) -> usize {
    let records = sim.trace().records();
    let start = crate::travel::now_ms();
    let mut i = from;
    while i < records.len() {
        let line = serde_json::to_string(&record(sim, &records[i])).unwrap_or_default();
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(&line);
        i += 1;
        if i % 256 == 0 && crate::travel::now_ms() - start >= budget_ms {
            break;
        }
    }
    i
}

/// One record as the trace writes it, with its nodes' names beside their indexes (a notebook
/// reads `"node_name": "n3"` without a join, review 11) and a send's payload in words.
fn record(sim: &dyn Simulation, r: &TraceEvent) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    let Some(fields) = v.as_object_mut() else { return v };
    let name = |id: dsplay_core::NodeId| sim.node_names().get(id.index()).cloned();
    if let Some(n) = name(r.node) {
        fields.insert("node_name".into(), n.into());
    }
    if let Some(n) = r.peer.and_then(name) {
        fields.insert("peer_name".into(), n.into());
    }
    if let Some(words) = (r.kind == TraceKind::Send).then(|| readable::message(sim, r.msg)).flatten() {
        fields.insert("payload".into(), words.into());
    }
    v
}

/// The session's run again, from the start to its playhead, keeping every message so the export
/// can say what each carried (a watched run keeps only the newest few thousand). The run is
/// deterministic, so it is the same run; `None` if the scenario no longer builds.
pub fn trace_with_payloads(s: &Session) -> Option<Session> {
    let mut again = Session::keeping_every_message(s.scenario().clone()).ok()?;
    again.goto(s.playhead());
    Some(again)
}

/// The Trace JSON export, a slice of wall time at a time, the page drawing between slices: the
/// run replayed keeping every message (as [`trace_with_payloads`]), then its records written. In
/// one go the button froze the page for a second on t1-power-of-two at 70 % of its run: 0.4 s of
/// replay and 0.65 s of writing (review 26 A1). `progress` hears what is under way and the share
/// done after each slice; `done` gets the document (of `s` itself if the scenario no longer builds).
pub fn trace_json_sliced(
    s: &Session,
    progress: impl Fn(&'static str, u8) + 'static,
    done: impl FnOnce(String) + 'static,
) {
    use dsplay_core::scenario::Playhead;
    use std::rc::Rc;
    type Progress = Rc<dyn Fn(&'static str, u8)>;
    let (to, link) = (s.playhead(), s.fragment());
    let Ok(again) = Session::keeping_every_message(s.scenario().clone()) else {
        return done(trace_json(s.sim(), &link));
    };
    /// The next slice, once the page has drawn.
    fn later(f: impl FnOnce() + 'static) {
        gloo::timers::callback::Timeout::new(0, f).forget();
    }
    fn write(
        again: Session,
        mut out: String,
        from: usize,
        progress: Progress,
        done: Box<dyn FnOnce(String)>,
    ) {
        let next = trace_records(again.sim(), &mut out, from, crate::travel::SLICE_MS);
        let kept = again.sim().trace().records().len();
        if next >= kept {
            return done(out + TRACE_TAIL);
        }
        progress("writing", (next * 100 / kept.max(1)).min(99) as u8);
        later(move || write(again, out, next, progress, done));
    }
    fn replay(
        mut again: Session,
        to: Playhead,
        link: String,
        progress: Progress,
        done: Box<dyn FnOnce(String)>,
    ) {
        if crate::travel::slice(&mut again, to) {
            let head = trace_head(again.sim(), &link);
            return write(again, head, 0, progress, done);
        }
        let share = again.now().as_us() as f64 / to.at.as_us().max(1) as f64;
        progress("replaying", (share * 100.0).clamp(0.0, 99.0) as u8);
        later(move || replay(again, to, link, progress, done));
    }
    let progress: Progress = Rc::new(progress);
    let done: Box<dyn FnOnce(String)> = Box::new(done);
    later(move || replay(again, to, link, progress, done));
}

/// The CSV header: see [`metrics_csv`].
pub const CSV_HEADER: &str = "t_ms,metric,node,kind,value,unit,total,p50_ms,p95_ms,p99_ms";

/// Every sampled point, one row each, under [`CSV_HEADER`] (node empty for global metrics). A
/// counter's value is its rate per second over the sample interval and `total` its running total
/// since the start (what the failures chart draws); a gauge's value is its level, in the unit its
/// name ends in; a histogram's is how many samples fell in the interval, with their percentiles
/// to three significant digits, as many as it keeps (empty when none did, rather than a 0 that
/// would read as "0 ms"). After its intervals, a histogram has one `whole_run` row at its last
/// sample time: every sample so far, their count as its value and total, and their percentiles
/// (review 45 F14: a lesson's "p99 of the run" was not in the file, and percentiles of
/// intervals do not add up to it). A counter or histogram the run lists but never recorded (t1's
/// `rejected` under least connections) has rows of 0, a counter's at every sample time and a
/// histogram's one `whole_run` row, as the CLI's report has it (review 48 C9: it was missing);
/// a gauge never read has none (the CLI's `null`). Every counter has a row at every sample time.
pub fn metrics_csv(metrics: &Metrics, names: &[String]) -> String {
    let interval_s = metrics.interval_us() as f64 / 1e6;
    let mut out = format!("{CSV_HEADER}\n");
    let name_of = |node: Option<dsplay_core::NodeId>| {
        node.map_or_else(String::new, |n| names.get(n.index()).cloned().unwrap_or_else(|| n.to_string()))
    };
    for m in metrics.all() {
        let node = name_of(m.node);
        let (kind, unit) = match m.kind {
            MetricKind::Counter { .. } => ("counter", "per_s".into()),
            MetricKind::Gauge { .. } | MetricKind::Unset => ("gauge", gauge_unit(m.name)),
            MetricKind::Histogram { .. } => ("histogram", "samples".into()),
        };
        // As the failures chart adds a counter's rates up.
        let mut add = crate::charts::series::running_total(interval_s);
        for p in &m.series {
            let pcts = if kind == "histogram" && p.value > 0.0 {
                format!("{},{},{}", sig3(p.p50), sig3(p.p95), sig3(p.p99))
            } else {
                ",,".to_string()
            };
            let total = if kind == "counter" { add(p.value).to_string() } else { String::new() };
            let _ = writeln!(
                out,
                "{},{},{},{kind},{},{unit},{total},{pcts}",
                p.t_ms,
                m.name,
                csv_field(&node),
                p.value
            );
        }
        let whole = metrics.histogram(m.name, m.node).filter(|h| !h.is_empty() && kind == "histogram");
        if let (Some(h), Some(last)) = (whole, m.series.last()) {
            let q = |x: f64| sig3(h.value_at_quantile(x) as f64 / 1000.0);
            let (count, node, t) = (h.len(), csv_field(&node), last.t_ms);
            let pcts = format!("{},{},{}", q(0.5), q(0.95), q(0.99));
            let _ = writeln!(out, "{t},{},{node},whole_run,{count},samples,{count},{pcts}", m.name);
        }
    }
    let last = metrics.all().iter().filter_map(|m| m.series.last()).map(|p| p.t_ms).fold(0.0, f64::max);
    let step_ms = metrics.interval_us() as f64 / 1000.0;
    let samples = (last / step_ms).round() as u64;
    for (name, node, shape) in metrics.listed_unrecorded() {
        let node = csv_field(&name_of(node));
        match shape {
            // A row at every sample time, as a counter counted once has (review 50 C8).
            Shape::Counter => (1..=samples).for_each(|k| {
                let _ = writeln!(out, "{},{name},{node},counter,0,per_s,0,,,", k as f64 * step_ms);
            }),
            Shape::Histogram => {
                let _ = writeln!(out, "{last},{name},{node},whole_run,0,samples,0,,,");
            }
            Shape::Gauge => {}
        }
    }
    out
}

/// A gauge's unit, from the end of its name (`queue_depth` is a count); a breaker's state says
/// what its numbers mean (review 48 C9).
fn gauge_unit(name: &str) -> std::borrow::Cow<'static, str> {
    let ends = |s: &str| name.ends_with(s);
    if name == "breaker_state" {
        return format!("state: {}", dsplay_core::protocols::resilience::breaker::state_codes()).into();
    }
    let unit = match () {
        _ if ends("_us") => "us",
        _ if ends("_ms") => "ms",
        _ if ends("_seconds") => "s",
        _ if ends("_per_s") => "per_s",
        _ if ends("_permille") => "permille",
        _ if ends("_pct") => "percent",
        _ if ends("_state") => "state",
        _ => "count",
    };
    unit.into()
}

/// `16.383` → `16.4`, `0.25` → `0.250`, `1234.5` → `1230`: HDR histograms keep about three
/// significant digits, and a figure should not claim more.
fn sig3(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = v.abs().log10().floor() as i32;
    let scale = 10f64.powi(2 - digits);
    let rounded = (v * scale).round() / scale;
    let decimals = (2 - digits).max(0) as usize;
    format!("{rounded:.decimals$}")
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
/// whether it was edited from its preset (and then its seed), what, and the playhead, so files from
/// different presets, edits, seeds and moments do not overwrite or pass for each other:
/// `d4-raft-election-edited-seed7-trace-2500ms` (review 24 C2: a student's runs at several seeds
/// were told apart only inside the files).
pub fn export_stem(s: &dsplay_core::session::Session, what: &str) -> String {
    let sc = s.scenario();
    // `-edited` tells a changed preset from the one it was: a scenario of no preset (its author's
    // own id) is not an edit of anything, but its seed still names the run (review 30 C3).
    let of_preset = dsplay_core::presets::json(&sc.meta.id).is_some();
    let edited = match (of_preset, dsplay_core::presets::as_shipped(sc)) {
        (_, true) => String::new(),
        (true, false) => format!("-edited-seed{}", sc.seed),
        (false, false) => format!("-seed{}", sc.seed),
    };
    let ms = s.now().as_us() / 1000;
    file_stem(&format!("{}{edited}-{what}-{ms}ms", sc.meta.file_id()))
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

/// What run an exported chart is from, for its footer: "d4-raft-election, seed 1 · at 6.000 s of
/// 15.000 s of simulated time" (", edited" after the id if it differs from its preset). Both times
/// to the ms: "at 0.100 s of 0.1 s" read as two precisions of one figure (review 24 C2).
pub fn about(s: &dsplay_core::session::Session) -> String {
    let sc = s.scenario();
    let edited = !dsplay_core::presets::as_shipped(sc);
    format!(
        "{}{}, seed {} · at {:.3} s of {:.3} s of simulated time",
        sc.meta.id,
        if edited { ", edited" } else { "" },
        sc.seed,
        s.now().as_ms_f64() / 1000.0,
        s.stop_at().as_ms_f64() / 1000.0
    )
}

/// Save a chart's `data` as drawn on `canvas` (at its CSS size), as PNG or SVG, named `stem`,
/// with `about` (see [`about`]) under it: what every chart's export buttons do, on the Charts tab
/// and in Compare.
pub fn save_chart(
    data: &crate::charts::series::ChartData,
    canvas: &yew::NodeRef,
    stem: &str,
    about: &str,
    png: bool,
) {
    use crate::charts::draw::{css_size, current_palette, to_png, to_svg_about, HEIGHT};
    let css = canvas.cast::<web_sys::HtmlCanvasElement>().map_or((640, HEIGHT), |c| css_size(&c));
    let _ = if png {
        to_png(data, css, Some(about)).and_then(|url| download_url(&format!("{stem}.png"), &url))
    } else {
        to_svg_about(data, css, &current_palette(), Some(about))
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
        // Listed, never recorded: a counter and a histogram are 0, a gauge absent, as
        // the CLI's report has them (0, count 0, null); a listed one recorded is not doubled.
        m.list("rejected", Some(NodeId(1)), Shape::Counter);
        m.list("queue_ms", None, Shape::Histogram);
        m.list("lag", None, Shape::Gauge);
        m.list("requests", None, Shape::Counter);
        m.advance_to(SimTime(200_000));
        let csv = metrics_csv(&m, &["a".into(), "b,1".into()]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "t_ms,metric,node,kind,value,unit,total,p50_ms,p95_ms,p99_ms");
        assert_eq!(lines.len(), 11);
        // A listed counter has a 0 at every sample time, as a counted one has a row at each.
        assert!(lines.contains(&"100,rejected,\"b,1\",counter,0,per_s,0,,,"), "{csv}");
        assert!(lines.contains(&"200,rejected,\"b,1\",counter,0,per_s,0,,,"), "{csv}");
        assert!(lines.contains(&"200,queue_ms,,whole_run,0,samples,0,,,"), "{csv}");
        assert!(!csv.contains(",lag,"), "{csv}");
        // The whole run's: its one sample, at the last interval's time (review 45 F14).
        assert!(lines.contains(&"200,latency_ms,,whole_run,1,samples,1,4.01,4.01,4.01"), "{csv}");
        // A counter's rate, and its running total (what the failures chart draws).
        assert!(lines.contains(&"100,requests,,counter,50,per_s,5,,,"), "{csv}");
        assert!(lines.contains(&"200,requests,,counter,0,per_s,5,,,"), "{csv}");
        assert!(lines.contains(&"200,load,\"b,1\",gauge,3,count,,,,"), "{csv}");
        // HDR histograms keep about three significant digits: 4 ms is stored as 4.015.
        assert!(lines.contains(&"100,latency_ms,,histogram,1,samples,,4.01,4.01,4.01"), "{csv}");
        assert!(
            lines.contains(&"200,latency_ms,,histogram,0,samples,,,,"),
            "an empty interval has no percentiles: {csv}"
        );
        assert_eq!([sig3(16.383), sig3(1234.5), sig3(0.25), sig3(120.0)], ["16.4", "1230", "0.250", "120"]);
        // t4's cost and e4's replay speed are not counts (review 19: task_seconds said "count"),
        // nor is lb's mean latency (review 24 B4: latency_mean_us said "count").
        let names = [
            "task_seconds",
            "replay_events_per_s",
            "util_pct",
            "failover_ms",
            "latency_mean_us",
            "queue_depth",
        ];
        assert_eq!(names.map(gauge_unit), ["s", "per_s", "percent", "ms", "us", "count"]);
        assert_eq!(gauge_unit("breaker_state"), "state: 0 closed; 1 open; 2 half-open");
    }

    #[wasm_bindgen_test]
    fn the_trace_export_names_the_nodes_and_says_what_it_let_go() {
        let mut sc = dsplay_core::presets::get("t1-round-robin").expect("preset");
        sc.sim.trace_capacity = 50;
        let mut sim = dsplay_core::registry::build(&sc).expect("build");
        sim.run_until(SimTime::from_ms(500));
        let text = trace_json(&*sim, "#s=abc&t=500");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(doc["nodes"].as_array().map(Vec::len), Some(sim.node_names().len()));
        assert_eq!(doc["records"].as_array().map(Vec::len), Some(50));
        assert_eq!(doc["trace_hash"].as_str(), Some(sim.trace().hash_hex().as_str()));
        assert_eq!(doc["link"].as_str(), Some("#s=abc&t=500"), "the link that replays it");
        // Each record names its nodes, as the list does.
        let names = sim.node_names();
        for r in doc["records"].as_array().into_iter().flatten() {
            let index = |k: &str| r[k].as_u64().map(|i| names[i as usize].as_str());
            assert_eq!(r["node_name"].as_str(), index("node"), "{r}");
            assert_eq!(r["peer_name"].as_str(), index("peer"), "{r}");
        }
        let total = sim.trace().len_total();
        assert!(total > 50 && doc["records_total"] == total);
        let note = doc["note"].as_str().unwrap_or_default();
        assert!(
            note.contains(&format!("first {} of {total}", total - 50)) && note.contains("trace_capacity"),
            "{note}"
        );
    }

    #[wasm_bindgen_test]
    fn the_history_export_is_the_runs_history_as_lincheck_reads_it() {
        use dsplay_core::check::{check_history, parse::parse_history_json, Verdict};
        let sc = dsplay_core::presets::get("d3-quorum-stale-read").expect("preset");
        let mut s = Session::new(sc).expect("session");
        s.seek(SimTime::from_ms(6_000));
        let history = s.sim().history();
        assert!(matches!(check_history(history), Verdict::NotLinearizable { .. }), "the lesson's stale read");
        let text = history_json(s.sim(), "#s=abc&t=6000");
        let back: dsplay_core::sim::history::History = serde_json::from_str(&text).expect("a history");
        assert_eq!(&back, history, "every operation, as it was recorded");
        assert_eq!(parse_history_json(&text).expect("lincheck reads it").len(), history.ops.len());
        let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(doc["link"], "#s=abc&t=6000");
        assert_eq!(doc["nodes"].as_array().map(Vec::len), Some(s.sim().node_names().len()));
        let lines = text.lines().filter(|l| l.trim_start().starts_with("{\"id\":")).count();
        assert_eq!(lines, history.ops.len(), "one operation a line");
    }

    #[wasm_bindgen_test]
    fn the_trace_export_says_what_every_message_carried_when_run_again_keeping_them() {
        let mut sc = dsplay_core::presets::get("d3-quorum-stale-read").expect("preset");
        sc.stop_at_ms = 3_000;
        sc.events.clear();
        let mut watched = Session::new(sc).expect("session");
        watched.seek(SimTime::from_ms(3_000));
        let sends = |text: &str| -> Vec<serde_json::Value> {
            let doc: serde_json::Value = serde_json::from_str(text).expect("JSON");
            let records = doc["records"].as_array().cloned().unwrap_or_default();
            records.into_iter().filter(|r| r["kind"] == "send").collect()
        };
        let forgetful = sends(&trace_json(watched.sim(), ""));
        assert!(
            forgetful.first().is_some_and(|r| r.get("payload").is_none()),
            "the first send is long forgotten"
        );
        let again = trace_with_payloads(&watched).expect("runs again");
        assert_eq!(again.sim().trace_hash(), watched.sim().trace_hash(), "the same run");
        let whole = sends(&trace_json(again.sim(), ""));
        assert_eq!(whole.len(), forgetful.len());
        assert!(
            whole.iter().all(|r| r["payload"].as_str().is_some_and(|p| !p.is_empty())),
            "every send says"
        );
        let first = whole[0]["payload"].as_str().unwrap_or_default();
        assert!(first.contains("key") && first.contains("write at"), "in words: {first}");
    }
}
