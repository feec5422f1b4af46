//! Compare in a real browser: the A/B merge of one chart's data (pure), B's charts for real preset
//! runs, and the component drawing one overlaid canvas per default chart. Waits on conditions.

mod common;
use common::{all, until};

use dsplay_core::session::Session;
use dsplay_core::{presets, SimTime};
use dsplay_web::charts::choice::{catalog, defaults, lesson_first, named_in, split_counters};
use dsplay_web::charts::draw::{chart_data, to_svg, LIGHT};
use dsplay_web::charts::overlay::{counterpart, overlay};
use dsplay_web::charts::series::{Band, ChartData, ChartSpec, Line, Pen};
use dsplay_web::components::compare::Compare;
use dsplay_web::components::editor::form::Edit;
use dsplay_web::components::editor::json::parse;
use dsplay_web::components::editor::{apply_edit, parse_draft};
use dsplay_web::hooks::use_player;
use dsplay_web::player::Player;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlCanvasElement, HtmlElement, HtmlSelectElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

fn data(lines: &[(&str, f64)], end_ms: f64) -> ChartData {
    let line = |(l, v): &(&str, f64)| Line::new(l.to_string(), vec![(0.0, *v), (900.0, *v)]);
    ChartData {
        title: "latency_ms".into(),
        y_unit: "ms",
        lines: lines.iter().map(line).collect(),
        bands: vec![Band { label: "worst".into(), spans: Vec::new() }],
        now_ms: 900.0,
        end_ms,
        x_ticks: Vec::new(),
        faults: Default::default(),
    }
}

fn polylines(d: &ChartData) -> usize {
    to_svg(d, (640, 220), &LIGHT).expect("draws").matches("<polyline").count()
}

#[wasm_bindgen_test]
fn overlay_puts_b_dashed_in_the_hue_of_as_line_of_the_same_name() {
    let a = data(&[("p50", 1.0), ("p99", 3.0)], 1_000.0);
    let merged = overlay(a.clone(), Some(data(&[("p99", 5.0), ("retries", 2.0)], 2_000.0)));
    let labels: Vec<&str> = merged.lines.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(labels, ["A · p50", "A · p99", "B · p99", "B · retries"]);
    let pen = |hue, dashed| Pen { hue: Some(hue), dashed, ..Pen::default() };
    let pens: Vec<Pen> = merged.lines.iter().map(|l| l.pen).collect();
    assert_eq!(pens, [pen(0, false), pen(1, false), pen(1, true), pen(2, true)], "B's p99 in A's p99 hue");
    assert_eq!(merged.lines[2].points, [(0.0, 5.0), (900.0, 5.0)], "B's own data");
    let bands: Vec<&str> = merged.bands.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(bands, ["A · worst", "B · worst"]);
    assert_eq!((merged.title.as_str(), merged.now_ms, merged.end_ms), ("latency_ms", 900.0, 2_000.0));
    // A total (`errors` beside its breakdown, drawn in short dashes alone) follows the caption's
    // rule too: A's solid, B's dashed.
    let mut totals = a.clone();
    totals.lines[1].pen.total = true;
    let merged_totals = overlay(totals.clone(), Some(totals));
    assert!(merged_totals.lines.iter().all(|l| !l.pen.total), "{:?}", merged_totals.lines);
    // Without B: A's lines only, still named as A's.
    let alone = overlay(a, None);
    assert_eq!(alone.lines.iter().map(|l| l.label.as_str()).collect::<Vec<_>>(), ["A · p50", "A · p99"]);
    // Drawn: the legend names B's lines and B's lines really are dashed (many short strokes).
    let svg = to_svg(&merged, (640, 220), &LIGHT).expect("draws");
    assert!(svg.contains("B · p99"), "legend names B's line");
    let mut solid = merged.clone();
    solid.lines.iter_mut().for_each(|l| l.pen.dashed = false);
    assert!(polylines(&merged) > polylines(&solid) + 10, "{} vs {}", polylines(&merged), polylines(&solid));
}

/// t1-round-robin as A, the same with least-connections as B (built the way Compare builds it).
fn a_and_b(at_ms: u64) -> (Session, Session) {
    let mut a = Session::new(presets::get("t1-round-robin").expect("preset")).expect("session");
    let mut v = serde_json::to_value(a.scenario()).expect("json");
    apply_edit(&mut v, &Edit::Tag(parse(".protocol.algorithm"), "least_connections".into()));
    let mut b = Session::new(parse_draft(&v).expect("B parses")).expect("B runs");
    a.seek(SimTime::from_ms(at_ms));
    b.seek(SimTime::from_ms(at_ms));
    (a, b)
}

#[wasm_bindgen_test]
fn every_default_chart_of_a_has_bs_counterpart_with_bs_own_data() {
    let (a, b) = a_and_b(3_000);
    let specs = defaults(a.sim().metrics());
    assert!(specs.len() >= 3, "latency, throughput and more: {specs:?}");
    let mut differs = false;
    for spec in &specs {
        let theirs = counterpart(b.sim().metrics(), spec).unwrap_or_else(|| panic!("B has {spec:?}"));
        let (da, db) = (chart_data(&a, spec), chart_data(&b, &theirs));
        differs |= da.lines != db.lines;
        let merged = overlay(da.clone(), Some(db.clone()));
        assert_eq!(merged.lines.len(), da.lines.len() + db.lines.len(), "{spec:?}");
        assert!(merged.lines.iter().any(|l| l.pen.dashed && !l.points.is_empty()), "B drawn in {spec:?}");
        assert!(merged.lines.iter().any(|l| !l.pen.dashed && !l.points.is_empty()), "A drawn in {spec:?}");
    }
    assert!(differs, "B's charts are B's, not a copy of A's");
    let missing = ChartSpec::Metric("breaker_state".into());
    assert_eq!(counterpart(b.sim().metrics(), &missing), None, "a chart B lacks shows A only");
}

/// Where the host leaves its player for the test.
#[derive(Clone, Default)]
struct Sink(Rc<RefCell<Option<Player>>>);

impl PartialEq for Sink {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.0, &o.0)
    }
}

#[derive(Properties, PartialEq)]
struct HostProps {
    sink: Sink,
}

#[function_component(Host)]
fn host(p: &HostProps) -> Html {
    let (a, _) = a_and_b(0);
    let player = use_player(a, false, 1.0);
    *p.sink.0.borrow_mut() = Some(player.clone());
    html! { <ContextProvider<Player> context={player}><Compare /></ContextProvider<Player>> }
}

/// Render `H` into a fresh `<div>` (with `style`) at the end of the page.
fn mount<H: BaseComponent<Properties = HostProps>>(style: &str, sink: &Sink) -> Element {
    let doc = web_sys::window().and_then(|w| w.document()).expect("a document");
    let root = doc.create_element("div").expect("a div");
    root.set_attribute("style", style).expect("style");
    doc.body().expect("a body").append_child(&root).expect("attach");
    yew::Renderer::<H>::with_root_and_props(root.clone(), HostProps { sink: sink.clone() }).render();
    root
}

/// [`mount`], and the app's handle: a test of a whole busy run (r4, d1) destroys its app when done.
/// The others stay mounted to the end of the page, and each such app left behind made every later
/// test slower (this file took 5 minutes instead of 40 s, and a seek timed out).
fn mount_owned<H: BaseComponent<Properties = HostProps>>(sink: &Sink) -> (Element, yew::AppHandle<H>) {
    let doc = web_sys::window().and_then(|w| w.document()).expect("a document");
    let root = doc.create_element("div").expect("a div");
    doc.body().expect("a body").append_child(&root).expect("attach");
    let app =
        yew::Renderer::<H>::with_root_and_props(root.clone(), HostProps { sink: sink.clone() }).render();
    (root, app)
}

/// The value of the field select's option named `name`: as the list says it, or its exact path
/// (the option's title).
fn option_value(field: &Element, name: &str) -> String {
    all(field, "option")
        .into_iter()
        .find(|o| {
            o.text_content().as_deref() == Some(name) || o.get_attribute("title").as_deref() == Some(name)
        })
        .and_then(|o| o.get_attribute("value"))
        .unwrap_or_else(|| panic!("{name} is offered"))
}

/// Choose `path` in the change's field menu `field`, then, once B's choices are that field's,
/// `value` for B.
async fn pick(root: &Element, field: &Element, path: &str, value: &str) {
    change(field, &option_value(field, path));
    let option = format!("select.compare-alt option[value={value}]");
    let alt = until(&format!("B's choices for {path}"), || all(root, &option).pop()).await;
    change(&alt.parent_element().expect("the select"), value);
}

fn change(el: &Element, value: &str) {
    el.unchecked_ref::<HtmlSelectElement>().set_value(value);
    el.dispatch_event(&web_sys::Event::new("change").expect("an event")).expect("dispatch");
}

/// Type `value` into B's number `input` and commit it, as Tab or Enter does.
fn typed(input: &Element, value: &str) {
    input.unchecked_ref::<web_sys::HtmlInputElement>().set_value(value);
    input.dispatch_event(&web_sys::Event::new("change").expect("an event")).expect("dispatch");
}

#[wasm_bindgen_test]
async fn compare_draws_one_overlaid_canvas_per_default_chart() {
    let sink = Sink::default();
    let root = mount::<Host>("width: 900px", &sink);
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    assert!(all(&root, ".compare-charts canvas").is_empty(), "no charts before B exists");
    // Every field of t1's, grouped: the slow backend's service time too (the list once stopped at
    // 16), and not the protocol's kind (another protocol is not a variant of this scenario).
    let offered: Vec<String> = all(&field, "option").iter().filter_map(|o| o.text_content()).collect();
    assert!(offered.iter().any(|f| f == "protocol.backends[1].server.service.mean_us"), "{offered:?}");
    assert!(!offered.iter().any(|f| f == "protocol.kind"), "{offered:?}");
    let groups: Vec<String> =
        all(&field, "optgroup").iter().filter_map(|g| g.get_attribute("label")).collect();
    assert_eq!(groups, ["protocol", "workload", "network", "run"]);
    // It opens on the first field listed, and B's choices are that field's.
    let shown =
        field.unchecked_ref::<HtmlSelectElement>().selected_options().item(0).and_then(|o| o.text_content());
    assert_eq!(shown.as_deref(), Some("protocol.algorithm"));
    assert_eq!(
        all(&root, ".compare-current").pop().and_then(|e| e.text_content()).as_deref(),
        Some("A: round_robin")
    );
    pick(&root, &field, "protocol.algorithm", "least_connections").await;
    all(&root, "button.compare-go")[0].unchecked_ref::<HtmlElement>().click();
    let player = || sink.0.borrow().clone().expect("the host rendered");
    // Compared before anything has run, both runs go to the end: "so far" was a table of zeros
    // (review 34 C3).
    until("A at its end", || {
        let s = player().session.clone();
        let s = s.borrow();
        (s.now() == s.stop_at()).then_some(())
    })
    .await;
    common::seek(&player, SimTime::from_ms(3_000)).await;
    let keys: Vec<String> = until("one painted canvas per chart of A, the lesson's first", || {
        let p = player();
        let s = p.session.borrow();
        let named = named_in(&s.scenario().meta.lesson, &catalog(s.sim().metrics()));
        let want: Vec<String> =
            lesson_first(&named, &split_counters(s.sim().metrics()), defaults(s.sim().metrics()))
                .iter()
                .map(|s| s.key())
                .collect();
        let figures = all(&root, ".compare-charts figure.chart");
        let got: Vec<String> = figures.iter().filter_map(|f| f.get_attribute("data-chart")).collect();
        let painted = all(&root, ".compare-charts figure.chart canvas")
            .iter()
            .all(|c| c.unchecked_ref::<HtmlCanvasElement>().width() >= 320);
        (s.now() == SimTime::from_ms(3_000) && got == want && painted).then_some(got)
    })
    .await;
    assert!(keys.len() >= 3, "{keys:?}");
    assert_eq!(all(&root, ".compare-charts canvas").len(), keys.len(), "one canvas per chart");
    for f in all(&root, ".compare-charts figure.chart") {
        assert_eq!(f.get_attribute("data-runs").as_deref(), Some("A B"), "B has every chart of A");
        let label = all(&f, "canvas")[0].get_attribute("aria-label").unwrap_or_default();
        let key = f.get_attribute("data-chart").unwrap_or_default();
        assert_eq!(f.get_attribute("aria-label"), Some(format!("{key} chart")));
        // Painted: the canvas says its values in words, A's and B's.
        assert!(label.contains(" s: A · ") && label.ends_with("(A solid, B dashed)"), "{label}");
    }
    let label = all(&root, ".compare-label")[0].text_content().unwrap_or_default();
    assert!(label.contains("protocol.algorithm = least_connections"), "{label}");
    assert!(all(&root, ".compare-same").is_empty(), "least connections is another run");
}

#[wasm_bindgen_test]
async fn b_that_changes_nothing_says_its_figures_are_as() {
    // Smooth weighted round robin over t1's equal weights picks as round robin does: the overlaid
    // lines coincide, and the panel says why (review 24 C1).
    let sink = Sink::default();
    let root = mount::<Host>("width: 900px", &sink);
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    pick(&root, &field, "protocol.algorithm", "smooth_weighted_round_robin").await;
    all(&root, "button.compare-go")[0].unchecked_ref::<HtmlElement>().click();
    let player = || sink.0.borrow().clone().expect("the host rendered");
    common::seek(&player, SimTime::from_ms(2_000)).await;
    // The panel renders the note as B catches up to each of A's frames: wait for A's playhead.
    let said = until("the note at 2 s", || {
        all(&root, ".compare-same")
            .pop()
            .and_then(|e| e.text_content())
            .filter(|t| t.contains("up to 2.000 s"))
    })
    .await;
    assert!(said.contains("every figure of B's is A's"), "{said}");
}

#[function_component(EditedHost)]
fn edited_host(p: &HostProps) -> Html {
    let mut sc = presets::get("t1-round-robin").expect("preset");
    sc.seed = 9;
    let crash = dsplay_core::ScenarioEvent::Crash { node: "b1".into() };
    sc.events.push(dsplay_core::scenario::Timed { at_ms: 5_000, event: crash, by_hand: false });
    let player = use_player(Session::new(sc).expect("session"), false, 1.0);
    *p.sink.0.borrow_mut() = Some(player.clone());
    html! { <ContextProvider<Player> context={player}><Compare /></ContextProvider<Player>> }
}

/// An edited preset offers B as the preset ships (its own seed and events, which are no field of
/// the form), and says B's seed is not A's (review 30 B5), and that the faults shaded are A's
/// when B's events are others. A preset as it ships does not.
#[wasm_bindgen_test]
async fn an_edited_preset_is_compared_with_the_preset_as_it_ships() {
    let sink = Sink::default();
    let (root, app) = mount_owned::<EditedHost>(&sink);
    let button = until("the button", || all(&root, ".compare-shipped button").pop()).await;
    button.unchecked_ref::<HtmlElement>().click();
    let label = b_label(&root).await;
    assert!(label.starts_with("B: the preset as it ships, seed 1 (A's is 9)."), "{label}");
    // A's crash of b1 is shaded on the charts; B has no such crash, and the label says whose
    // faults the shading is.
    assert!(label.ends_with("Shaded: A's faults; B's are its own (see its stage)."), "{label}");
    app.destroy();
    let plain = Sink::default();
    let root = mount::<Host>("width: 900px", &plain);
    until("the form", || all(&root, "select.compare-field").pop()).await;
    assert!(all(&root, ".compare-shipped").is_empty(), "t1 as it ships has nothing to compare with");
}

#[wasm_bindgen_test]
fn a_chart_of_bands_only_puts_as_rows_above_bs() {
    use dsplay_web::components::compare::overlay::a_rows_on_top;
    let bands =
        |run: &str| ["up", "down"].map(|l| Band { label: format!("{run}{l}"), spans: Vec::new() }).to_vec();
    let mut a = data(&[], 1_000.0);
    a.bands = bands("");
    let mut b = a.clone();
    b.bands = bands("");
    let merged = a_rows_on_top(overlay(a.clone(), Some(b)), a.bands.len());
    let rows: Vec<&str> = merged.bands.iter().map(|b| b.label.as_str()).collect();
    // Row 0 is drawn at the bottom: A's two rows come last, so they sit on top, in A's own order.
    assert_eq!(rows, ["B · up", "B · down", "A · up", "A · down"]);
    // With lines, bands are backgrounds, not rows: their order stays.
    let mut lined = a.clone();
    lined.lines = data(&[("p50", 1.0)], 1.0).lines;
    let kept = a_rows_on_top(overlay(lined.clone(), Some(lined)), 2);
    let order: Vec<&str> = kept.bands.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(order, ["A · up", "A · down", "B · up", "B · down"]);
}

#[function_component(TabsHost)]
fn tabs_host(p: &HostProps) -> Html {
    use dsplay_web::components::Tabs;
    let (a, _) = a_and_b(0);
    let player = use_player(a, false, 1.0);
    *p.sink.0.borrow_mut() = Some(player.clone());
    html! {
        <ContextProvider<Player> context={player}>
            <Tabs labels={vec!["Elsewhere", "Compare"]}><p>{"elsewhere"}</p><Compare /></Tabs>
        </ContextProvider<Player>>
    }
}

fn click(root: &Element, sel: &str) {
    all(root, sel).first().unwrap_or_else(|| panic!("{sel}")).unchecked_ref::<HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn run_b_survives_another_tab_and_an_empty_value_asks_for_one() {
    let root = mount::<TabsHost>("", &Sink::default());
    until("the tabs", || !all(&root, "#tab-compare").is_empty()).await;
    click(&root, "#tab-compare");
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    // An enum's A value is shown as the value, not as JSON.
    change(&field, &option_value(&field, "protocol.algorithm"));
    let current = || all(&root, ".compare-current").pop().and_then(|e| e.text_content()).unwrap_or_default();
    until("A's value", || current() == "A: round_robin").await;
    // A number left empty: B is not built, and the message says what to do.
    change(&field, &option_value(&field, "workload.clients"));
    until("a number field", || current() == "A: 4").await;
    click(&root, "button.compare-go");
    let said =
        until("the message", || all(&root, ".compare .field-error").pop().and_then(|e| e.text_content()))
            .await;
    assert!(said.starts_with("Enter a value for B") && said.contains("workload.clients"), "{said}");
    assert!(all(&root, "table.compare-table").is_empty());
    let alt = all(&root, "input.compare-alt").pop().expect("B's value");
    // Text that is no number is named as such, not taken for nothing (review 45 F6).
    typed(&alt, "abc");
    click(&root, "button.compare-go");
    let said = until("the message", || {
        all(&root, ".compare .field-error").pop().and_then(|e| e.text_content()).filter(|t| t.contains("abc"))
    })
    .await;
    assert!(said.contains("\"abc\" is not a number"), "{said}");
    typed(&alt, "2");
    click(&root, "button.compare-go");
    until("B", || !all(&root, "table.compare-table").is_empty()).await;
    // Away and back: B is still there.
    click(&root, "#tab-elsewhere");
    let panels = || all(&root, "[role=tabpanel]");
    until("the other tab", || panels()[1].has_attribute("hidden")).await;
    click(&root, "#tab-compare");
    until("Compare again", || !panels()[1].has_attribute("hidden")).await;
    assert_eq!(all(&root, "table.compare-table").len(), 1, "B was kept");
    let label = all(&root, ".compare-label")[0].text_content().unwrap_or_default();
    assert!(label.contains("workload.clients = 2"), "{label}");
}

/// A player of `preset` played to its end.
#[hook]
fn use_ended(preset: &'static str) -> Player {
    dsplay_web::hooks::use_player_lazy(
        move || {
            let mut a = Session::new(presets::get(preset).expect("preset")).expect("session");
            a.seek(a.stop_at());
            a
        },
        false,
        1.0,
    )
}

fn compare_over(player: Player, p: &HostProps) -> Html {
    *p.sink.0.borrow_mut() = Some(player.clone());
    html! { <ContextProvider<Player> context={player}><Compare /></ContextProvider<Player>> }
}

#[function_component(BusyHost)]
fn busy_host(p: &HostProps) -> Html {
    compare_over(use_ended("t1-queueing"), p)
}

#[function_component(StaleHost)]
fn stale_host(p: &HostProps) -> Html {
    compare_over(use_ended("d3-quorum-stale-read"), p)
}

/// Review: d3's table said "violations A 0, B 82", as if Dynamo mode were the safe one. Dynamo
/// mode checks no invariant; its stale reads, the lesson's figure, were in no row.
#[wasm_bindgen_test]
async fn the_table_names_its_latency_counts_the_lessons_failures_and_says_what_is_not_checked() {
    let sink = Sink::default();
    let root = mount::<StaleHost>("", &sink);
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    pick(&root, &field, "protocol.mode", "linearizable").await;
    click(&root, "button.compare-go");
    let rows = || {
        all(&root, "table.compare-table tbody tr")
            .iter()
            .map(|r| {
                all(r, "th, td").iter().map(|c| c.text_content().unwrap_or_default()).collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    let checked = |r: &Vec<Vec<String>>| r.iter().any(|r| r[0] == "linearizable" && !r[1].contains("paused"));
    let table = until("B at the end", || {
        Some(rows()).filter(|r| !r.is_empty() && all(&root, ".catching-up").is_empty() && checked(r))
    })
    .await;
    let row = |name: &str| {
        table.iter().find(|r| r[0] == name).cloned().unwrap_or_else(|| panic!("{name}: {table:?}"))
    };
    // The count the latencies are of, then each latency by name.
    assert_eq!(table[0][0], "successes", "{table:?}");
    assert!(
        table[1][0].ends_with("latency_ms p50 of successes") && !table[1][0].starts_with("latency_ms"),
        "named: {table:?}"
    );
    let stale = row("stale_reads");
    assert!(stale[1].parse::<u64>().expect("a count") > 0, "Dynamo mode reads stale data: {stale:?}");
    assert_eq!(row("invariants broken")[1], "none declared", "{table:?}");
    assert!(row("invariants broken")[2].parse::<u64>().is_ok(), "{table:?}");
    // The verdict the Invariants tab gives, for A too (review 10: only "not checked" said). The
    // mode alone does not make the reads fresh (B's stale reads are its broken invariants).
    let lin = row("linearizable");
    // Who read what, not the history's code for the value read (review 11: "read → 3000000004").
    let said = |t: &str| t.starts_with("✗ no: c") && t.contains("'s read on key ") && !t.contains('→');
    assert!(said(&lin[1]) && said(&lin[2]), "{lin:?}");
}

#[function_component(CacheHost)]
fn cache_host(p: &HostProps) -> Html {
    compare_over(use_ended("t7-caching"), p)
}

/// Review 16: t7's table left out the lesson's headline gauge, and at time 0 its zeros read as
/// results. A run-wide gauge the lesson names is a row, and the caption says how far it counts.
#[wasm_bindgen_test]
async fn the_table_shows_the_gauge_the_lesson_is_about_and_says_up_to_when() {
    let sink = Sink::default();
    let root = mount::<CacheHost>("", &sink);
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    change(&field, &option_value(&field, "protocol.cache.capacity"));
    let alt = until("B's capacity", || all(&root, "input.compare-alt").pop()).await;
    typed(&alt, "10");
    click(&root, "button.compare-go");
    let hit = until("B at the end", || {
        let row = all(&root, "table.compare-table tbody tr").into_iter().find(|r| {
            all(r, "th").pop().and_then(|h| h.text_content()).as_deref() == Some("hit_ratio_permille")
        })?;
        let cells: Vec<String> =
            all(&row, "td").iter().map(|c| c.text_content().unwrap_or_default()).collect();
        all(&root, ".catching-up").is_empty().then_some(cells)
    })
    .await;
    let (a, b): (i64, i64) = (hit[0].parse().expect("A's ratio"), hit[1].parse().expect("B's ratio"));
    assert!(a > 500 && b < 250, "a 100-entry cache hits more than a 10-entry one: {a} vs {b}");
    let caption = all(&root, "table.compare-table caption").pop().and_then(|c| c.text_content());
    assert_eq!(caption.as_deref(), Some("The whole run, to 20.000 s"));
    let seek = sink.0.borrow().clone().expect("a player").dispatch;
    seek.emit(dsplay_web::player::Action::Seek(dsplay_core::SimTime::from_ms(5_000)));
    until("the caption follows the playhead", || {
        all(&root, "table.compare-table caption")
            .pop()
            .and_then(|c| c.text_content())
            .filter(|t| t.starts_with("So far: the first 5.000 s of 20.000 s"))
    })
    .await;
}

#[wasm_bindgen_test]
fn the_linearizable_row_says_yes_for_abd_and_nothing_for_a_run_without_a_history() {
    use dsplay_web::components::compare::stats::linearizable;
    let ended = |id: &str| {
        let mut s = Session::new(presets::get(id).expect("preset")).expect("session");
        s.seek(s.stop_at());
        s
    };
    assert_eq!(linearizable(ended("d3-quorum-abd").sim()).as_deref(), Some("✓ yes"));
    assert_eq!(linearizable(ended("t1-round-robin").sim()), None);
}

#[wasm_bindgen_test]
async fn b_built_at_the_end_of_a_busy_run_catches_up_over_several_frames_and_says_so() {
    let sink = Sink::default();
    let root = mount::<BusyHost>("", &sink);
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    change(&field, &option_value(&field, "workload.clients"));
    let alt = until("B's value", || all(&root, "input.compare-alt").pop()).await;
    typed(&alt, "3");
    click(&root, "button.compare-go");
    // A whole run is more than one slice of a frame: B says how far it has got, and goes on.
    let said =
        until("B catching up", || all(&root, ".catching-up").pop().and_then(|e| e.text_content())).await;
    let a_end = dsplay_web::components::invariants::secs(sink.0.borrow().as_ref().expect("player").view.now);
    assert!(said.contains("B is catching up") && said.ends_with(&format!("of {a_end}.")), "{said}");
    until("B arrived", || all(&root, ".catching-up").is_empty().then_some(())).await;
    assert_eq!(all(&root, "table.compare-table").len(), 1);
    // Its charts are drawn to the end too, though A's playhead stood still all along (they
    // once stopped where B was when A last moved).
    let end_ms = (sink.0.borrow().as_ref().expect("player").view.now.as_us() / 1000).to_string();
    until("every overlay painted with all of B", || {
        let canvases = all(&root, ".compare-charts canvas");
        (!canvases.is_empty()
            && canvases.iter().all(|c| c.get_attribute("data-b-ms").as_deref() == Some(&end_ms)))
        .then_some(())
    })
    .await;
}

#[wasm_bindgen_test]
async fn b_that_cannot_run_says_which_field_and_which_event_it_broke() {
    let root = mount::<Host>("", &Sink::default());
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    let error = || all(&root, ".compare .field-error").pop().and_then(|e| e.text_content());
    let try_b = |value: &str| {
        let alt = all(&root, "input.compare-alt").pop().expect("B's value");
        alt.unchecked_ref::<web_sys::HtmlInputElement>().set_value(value);
        alt.dispatch_event(&web_sys::Event::new("change").expect("an event")).expect("dispatch");
        click(&root, "button.compare-go");
    };
    change(&field, &option_value(&field, "protocol.backends[0].count"));
    until("a number field", || all(&root, "input.compare-alt").pop()).await;
    // Whole, but far over the limit: out of range, at the field B changed (not at `protocol`).
    try_b("1e30");
    let said = until("the message", error).await;
    assert_eq!(
        said,
        "B could not run: protocol.backends[0].count: 1e+30 is out of range: use a whole number from 0 to 4294967295"
    );
    // No fast backends: the scripted crash of b2 names a node B does not have, and Compare (which
    // shows no event list) says which event.
    try_b("0");
    let said = until("another message", || error().filter(|e| e.contains("event"))).await;
    assert!(said.contains("with protocol.backends[0].count changed"), "{said}");
    assert!(said.contains("\"crash b2 at 20.000 s\" fails: no node named \"b2\""), "{said}");
    assert!(all(&root, "table.compare-table").is_empty(), "B was not built");
}

/// d3's lesson asks for r = 2 and w = 2 together; B could change only one field.
#[wasm_bindgen_test]
async fn b_changes_several_fields_at_once() {
    let sink = Sink::default();
    let root = mount::<StaleHost>("", &sink);
    let stale_reads_with = |sets: &[(&str, u64)]| {
        let mut v: serde_json::Value =
            serde_json::from_str(&presets::get("d3-quorum-stale-read").expect("preset").to_json())
                .expect("json");
        for (field, value) in sets {
            v["protocol"][*field] = (*value).into();
        }
        let mut s =
            Session::new(dsplay_core::Scenario::from_json(&v.to_string()).expect("valid")).expect("session");
        s.seek(s.stop_at());
        s.sim().metrics().counter_sum("stale_reads").to_string()
    };
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    change(&field, &option_value(&field, "protocol.r"));
    let alt = until("B's r", || all(&root, "input.compare-alt").pop()).await;
    typed(&alt, "2");
    click(&root, "button.compare-add");
    let second =
        until("a second change", || Some(all(&root, "select.compare-field")).filter(|f| f.len() == 2)).await;
    // It starts on the next field the lesson names, not on protocol.mode (review 46 C10).
    let offered = second[1].unchecked_ref::<HtmlSelectElement>().value();
    assert_eq!(offered, option_value(&second[1], "protocol.w"), "the second change's field");
    let alt = until("B's w", || Some(all(&root, "input.compare-alt")).filter(|a| a.len() == 2)).await;
    typed(&alt[1], "2");
    click(&root, "button.compare-go");
    let label = until("B", || {
        all(&root, ".compare-label").pop().and_then(|l| l.text_content()).filter(|t| t.starts_with("B: "))
    })
    .await;
    assert!(label.starts_with("B: protocol.r = 2, protocol.w = 2, same seed"), "{label}");
    let b_stale = until("B at the end", || {
        let row = all(&root, "table.compare-table tbody tr")
            .into_iter()
            .find(|r| all(r, "th").pop().and_then(|h| h.text_content()).as_deref() == Some("stale_reads"))?;
        all(&root, ".catching-up").is_empty().then(|| all(&row, "td")[1].text_content().unwrap_or_default())
    })
    .await;
    // The lesson says both latencies rise: both are in the table.
    let heads: Vec<String> =
        all(&root, "table.compare-table tbody th").iter().filter_map(|h| h.text_content()).collect();
    for want in ["read_latency_ms p50 of successes", "write_latency_ms p99 of successes"] {
        assert!(heads.iter().any(|h| h == want), "{want} in {heads:?}");
    }
    let (both, r_only) = (stale_reads_with(&[("r", 2), ("w", 2)]), stale_reads_with(&[("r", 2)]));
    assert_ne!(both, r_only, "the two changes differ from the first alone");
    assert_eq!(b_stale, both, "B ran with both changes");
    // A change can be taken back.
    click(&root, "button.compare-remove");
    let left =
        until("one change left", || Some(all(&root, "select.compare-field")).filter(|f| f.len() == 1)).await;
    let shown = left[0].unchecked_ref::<HtmlSelectElement>().value();
    assert_eq!(shown, option_value(&left[0], "protocol.w"), "the row left shows its own field");
    let alt = all(&root, "input.compare-alt").pop().expect("B's w");
    assert_eq!(alt.unchecked_ref::<web_sys::HtmlInputElement>().value(), "2", "and its own value");
}

/// A change that takes a later change's field away (another protocol) is refused, not run
/// without it under a label that says otherwise.
#[wasm_bindgen_test]
async fn a_change_whose_field_an_earlier_change_took_away_is_refused() {
    let sink = Sink::default();
    let root = mount::<StaleHost>("", &sink);
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    pick(&root, &field, "workload.arrival.type", "closed").await;
    click(&root, "button.compare-add");
    let second =
        until("a second change", || Some(all(&root, "select.compare-field")).filter(|f| f.len() == 2)).await;
    change(&second[1], &option_value(&second[1], "workload.arrival.rate_per_s"));
    let alt = until("B's rate", || all(&root, "input.compare-alt").pop()).await;
    typed(&alt, "50");
    click(&root, "button.compare-go");
    let said =
        until("the refusal", || all(&root, ".compare .field-error").pop().and_then(|e| e.text_content()))
            .await;
    assert!(
        said.contains("B has no workload.arrival.rate_per_s once the changes before it are made"),
        "{said}"
    );
    assert!(all(&root, "table.compare-table").is_empty(), "no B ran");
    // Said under the change it is about, whose value is marked (review 11: under the buttons).
    let invalid: Vec<Option<String>> =
        all(&root, ".compare-alt").iter().map(|a| a.get_attribute("aria-invalid")).collect();
    assert_eq!(invalid, [Some("false".into()), Some("true".into())]);
    let error = all(&root, ".compare .field-error").pop().expect("the error");
    let row = error.previous_element_sibling().expect("the row before it");
    assert_eq!(Some(row), all(&root, ".compare-change").pop(), "right under the second change");
    // The same field twice is refused too (which value would B take?).
    let fields = all(&root, "select.compare-field");
    change(&fields[1], &option_value(&fields[1], "workload.arrival.type"));
    click(&root, "button.compare-go");
    until("the second refusal", || {
        all(&root, ".compare .field-error")
            .pop()
            .and_then(|e| e.text_content())
            .filter(|t| t.contains("twice"))
    })
    .await;
}

#[function_component(HealthHost)]
fn health_host(p: &HostProps) -> Html {
    compare_over(use_ended("t2-health-checks"), p)
}

#[function_component(RaftHost)]
fn raft_host(p: &HostProps) -> Html {
    compare_over(use_ended("d4-raft-election"), p)
}

#[function_component(BlackHoleHost)]
fn black_hole_host(p: &HostProps) -> Html {
    compare_over(use_ended("t1-least-connections-black-hole"), p)
}

/// Review 14: d4's Compare opened on `protocol.unsafe_skip_log_check`. B changes first a field
/// the lesson names, else the first that is not an `unsafe_` switch nor a section A lacks.
#[wasm_bindgen_test]
async fn compare_starts_on_a_field_the_lesson_names_and_never_on_an_unsafe_switch() {
    let picked = |root: &Element| {
        let field: HtmlSelectElement =
            all(root, "select.compare-field").pop().expect("the field").unchecked_into();
        field.selected_options().item(0).and_then(|o| o.text_content()).unwrap_or_default()
    };
    let sink = Sink::default();
    let root = mount::<RaftHost>("", &sink);
    until("the form", || all(&root, "select.compare-field").pop()).await;
    assert!(!picked(&root).contains("unsafe_"), "{}", picked(&root));
    // Nor on adding a section A leaves out (review 45: d4 opened on `protocol.experiment`, a
    // driver that crashes leader after leader); and the run's length, which B cannot have on A's
    // playhead, is not offered at all.
    assert_ne!(picked(&root), "protocol.experiment");
    let field: HtmlSelectElement =
        all(&root, "select.compare-field").pop().expect("the field").unchecked_into();
    let offered: Vec<String> =
        (0..field.length()).filter_map(|i| field.item(i)).filter_map(|o| o.text_content()).collect();
    assert!(offered.iter().any(|o| o == "protocol.experiment"), "still offered: {offered:?}");
    assert!(!offered.iter().any(|o| o.contains("stop_at_ms")), "{offered:?}");
    let root = mount::<BlackHoleHost>("", &Sink::default());
    until("the form", || all(&root, "select.compare-field").pop()).await;
    assert_eq!(picked(&root), "protocol.algorithm", "the lesson's Try names it");
    // Review 15: d3's lesson writes `protocol.r = 2` first and `workload.timeout_ms` later.
    let root = mount::<StaleHost>("", &Sink::default());
    until("the form", || all(&root, "select.compare-field").pop()).await;
    assert_eq!(picked(&root), "protocol.r", "the lesson names it first");
}

#[function_component(CausalHost)]
fn causal_host(p: &HostProps) -> Html {
    compare_over(use_ended("d6-causal-delivery"), p)
}

/// Preset `id` run to its end with `change` made to its JSON first.
fn ended_with(id: &str, change: impl Fn(&mut serde_json::Value)) -> Session {
    let mut v: serde_json::Value =
        serde_json::from_str(&presets::get(id).expect("preset").to_json()).expect("json");
    change(&mut v);
    let mut s =
        Session::new(dsplay_core::Scenario::from_json(&v.to_string()).expect("valid")).expect("session");
    s.seek(s.stop_at());
    s
}

/// B's figure in the table's row `name`, once B has caught up with A.
async fn b_figure(root: &Element, name: &str) -> String {
    until(&format!("B's {name}"), || {
        let row = all(root, "table.compare-table tbody tr")
            .into_iter()
            .find(|r| all(r, "th").pop().and_then(|h| h.text_content()).as_deref() == Some(name))?;
        all(root, ".catching-up").is_empty().then(|| all(&row, "td")[1].text_content().unwrap_or_default())
    })
    .await
}

/// The label Compare gives B, once B has caught up with A: on a slow machine the label first
/// shows while B still runs, with " B is catching up: …" at its end.
async fn b_label(root: &Element) -> String {
    settled_b_label(root).await.text_content().unwrap_or_default()
}

async fn settled_b_label(root: &Element) -> Element {
    let settled = |l: &Element| {
        l.text_content().is_some_and(|t| t.starts_with("B: ")) && all(l, ".catching-up").is_empty()
    };
    until("B caught up", || all(root, ".compare-label").pop().filter(settled)).await
}

/// t2's and t4's lessons remove an optional section, d6's unticks a switch: Compare offered
/// only enums and numbers, so those lessons could point to the Editor alone.
#[wasm_bindgen_test]
async fn b_runs_without_an_optional_section_a_has() {
    let sink = Sink::default();
    let root = mount::<HealthHost>("", &sink);
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    let current = |root: &Element| all(root, ".compare-current").pop().and_then(|c| c.text_content());
    pick(&root, &field, "protocol.passive_check", "removed").await;
    assert_eq!(current(&root).as_deref(), Some("A: present"), "A has the section");
    click(&root, "button.compare-go");
    assert!(b_label(&root).await.starts_with("B: no protocol.passive_check, same seed"));
    let without = ended_with("t2-health-checks", |v| {
        v["protocol"].as_object_mut().expect("protocol").remove("passive_check");
    });
    let a = ended_with("t2-health-checks", |_| {});
    let errors = |s: &Session| s.sim().metrics().counter_sum("errors");
    assert_ne!(errors(&without), errors(&a), "the check changes the run");
    assert_eq!(b_figure(&root, "errors").await, errors(&without).to_string(), "B ran without it");
    // A section A leaves out is offered too, to add (taken from a preset that has one).
    let offered: Vec<String> = all(&field, "option").iter().filter_map(|o| o.text_content()).collect();
    assert!(offered.iter().any(|o| o == "protocol.autoscale"), "t4's section, absent here: {offered:?}");
    pick(&root, &field, "protocol.autoscale", "added").await;
    assert_eq!(current(&root).as_deref(), Some("A: absent"));
    click(&root, "button.compare-go");
    // t4's autoscale allows 10 tasks, more than t2's 4 slots: B says so, and what to change.
    let said =
        until("the refusal", || all(&root, ".compare .field-error").pop().and_then(|e| e.text_content()))
            .await;
    assert!(said.contains("protocol.autoscale.max_tasks") && said.contains("tasks.slots is 4"), "{said}");
}

#[wasm_bindgen_test]
async fn b_flips_a_switch() {
    let sink = Sink::default();
    let root = mount::<CausalHost>("", &sink);
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    pick(&root, &field, "protocol.causal_delivery", "false").await;
    click(&root, "button.compare-go");
    assert!(b_label(&root).await.starts_with("B: protocol.causal_delivery = false, same seed"));
    let off = ended_with("d6-causal-delivery", |v| v["protocol"]["causal_delivery"] = false.into());
    let broken = off.sim().violations().len();
    assert!(broken > 0, "without causal delivery the order breaks");
    assert_eq!(b_figure(&root, "invariants broken").await, broken.to_string());
}

/// What b4's queue pile on `run`'s stage says ("12 queued of 50"), or "" with no queue.
fn pile_of(root: &Element, run: &str) -> String {
    let sel = format!(".compare-stage[data-run={run}] [data-node=b4] .pile title");
    all(root, &sel).pop().and_then(|t| t.text_content()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_and_bs_stages_stand_side_by_side_at_the_playhead() {
    let sink = Sink::default();
    let root = mount::<Host>("width: 1000px", &sink);
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    assert!(all(&root, ".compare-stage").is_empty(), "no stages before B exists");
    pick(&root, &field, "protocol.algorithm", "least_connections").await;
    all(&root, "button.compare-go")[0].unchecked_ref::<HtmlElement>().click();
    let player = || sink.0.borrow().clone().expect("the host rendered");
    common::seek(&player, SimTime::from_ms(10_000)).await;
    // The runs' own queues at 10 s: round robin's b4 has a long one, least connections' a short one.
    let (a, b) = a_and_b(10_000);
    let queued = |s: &Session| {
        let v = s.sim().view();
        v.nodes.iter().find(|n| n.name == "b4").and_then(|n| n.view.work).expect("b4's work").queued
    };
    let (qa, qb) = (queued(&a), queued(&b));
    assert!(qa > qb + 10, "round robin piles up b4: {qa} vs {qb}");
    let said = |q: u32| if q == 0 { String::new() } else { format!("{q} queued of 50") };
    until("both stages at 10 s", || {
        (pile_of(&root, "A") == said(qa) && pile_of(&root, "B") == said(qb)).then_some(())
    })
    .await;
    let stages = all(&root, ".compare-stage");
    let runs: Vec<String> = stages.iter().filter_map(|f| f.get_attribute("data-run")).collect();
    assert_eq!(runs, ["A", "B"], "A first (their layout side by side is the e2e's: no CSS here)");
    let caption = all(&stages[1], "figcaption")[0].text_content().unwrap_or_default();
    assert_eq!(caption, "B: protocol.algorithm = least_connections");
    // Only looked at: its nodes are pictures, not Tab stops or buttons (review 22: X on B's n2,
    // focused, crashed the main run's n2), and a click on one selects nothing on the page's player.
    for node in all(&stages[1], "[data-node]") {
        assert_eq!(node.get_attribute("role").as_deref(), Some("img"));
        assert_eq!(node.get_attribute("tabindex"), None, "no Tab stop");
        assert_eq!(node.get_attribute("aria-pressed"), None, "nothing to press");
        assert_eq!(node.get_attribute("aria-keyshortcuts"), None, "no keys act on it");
    }
    assert!(all(&stages[0], ".hits rect").is_empty(), "no click areas");
    let click =
        js_sys::Function::new_with_args("el", "el.dispatchEvent(new MouseEvent('click', { bubbles: true }))");
    click.call1(&wasm_bindgen::JsValue::NULL, &all(&stages[0], "[data-node=b4]")[0]).expect("a click");
    // A later action has been through the player: a selection would have been before it.
    common::seek(&player, SimTime::from_ms(10_500)).await;
    // Read from a render after the seek, not the snapshot from before it (flake audit F14).
    common::until("the seek rendered", || player().view.now == SimTime::from_ms(10_500)).await;
    assert_eq!(player().selected, None);
}

/// A player of `preset` at its start.
#[hook]
fn use_fresh(preset: &'static str) -> Player {
    let fresh = move || Session::new(presets::get(preset).expect("preset")).expect("session");
    dsplay_web::hooks::use_player_lazy(fresh, false, 1.0)
}

/// Review 45: a slower Raft heartbeat showed 298 successes against 297 and "no difference"; the
/// elections it causes are in the table (`dsplay run d4-raft-election --set
/// protocol.heartbeat_ms=120`: 4 elections, A's 2).
#[wasm_bindgen_test]
async fn a_raft_comparison_counts_elections() {
    let sink = Sink::default();
    let (root, app) = mount_owned::<RaftHost>(&sink);
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    change(&field, &option_value(&field, "protocol.heartbeat_ms"));
    let alt = until("B's heartbeat", || all(&root, "input.compare-alt").pop()).await;
    typed(&alt, "120");
    click(&root, "button.compare-go");
    let table = settled_rows(&root).await;
    let row =
        |name: &str| table.iter().find(|r| r[0] == name).cloned().unwrap_or_else(|| panic!("{table:?}"));
    assert_eq!(row("elections"), ["elections", "2", "4"]);
    assert_eq!(row("leader_changes"), ["leader_changes", "2", "2"]);
    app.destroy();
}

/// The table alone, of two made-up runs (the sink is not used).
#[function_component(TableHost)]
fn table_host(_: &HostProps) -> Html {
    use dsplay_web::components::compare::stats::Summary;
    let run = |timed: u64, downtime: i64| Summary {
        latency: vec![("commit_latency_ms", Some([9.5, 12.9, 13.8]))],
        timed,
        throughput: timed as f64 / 60.0,
        named: vec![("election_downtime_p50_ms".into(), Some(downtime)), ("elections".into(), Some(51))],
        ..Summary::default()
    };
    let stop = SimTime::from_ms(60_000);
    dsplay_web::components::compare::table::table(&run(51, 172), &run(700, 194), (stop, stop), None)
}

/// Review 45: d4-election-downtime's table read "election_downtime_p50_ms 172 | 194" with no
/// unit, and "commits per second 1 | 1" for 0.85 a second.
#[wasm_bindgen_test]
async fn the_tables_figures_carry_their_unit_and_a_slow_rate_its_decimal() {
    let (root, app) = mount_owned::<TableHost>(&Sink::default());
    let table = settled_rows(&root).await;
    let cells = |name: &str| table.iter().find(|r| r[0] == name).map(|r| r[1..].to_vec()).unwrap_or_default();
    assert_eq!(cells("election_downtime_p50_ms"), ["172 ms", "194 ms"]);
    assert_eq!(cells("elections"), ["51", "51"]);
    assert_eq!(cells("commits per second"), ["0.8", "12"]);
    app.destroy();
}

#[function_component(FreshRaftHost)]
fn fresh_raft_host(p: &HostProps) -> Html {
    compare_over(use_fresh("d4-raft-election"), p)
}

/// Review 45: "Run both to the end" pressed before any Compare ran A alone, and the panel stayed
/// empty without a word. It builds B from the form as it stands, then runs both.
#[wasm_bindgen_test]
async fn run_both_before_compare_builds_b_and_runs_both() {
    let sink = Sink::default();
    let (root, app) = mount_owned::<FreshRaftHost>(&sink);
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    change(&field, &option_value(&field, "protocol.heartbeat_ms"));
    let alt = until("B's heartbeat", || all(&root, "input.compare-alt").pop()).await;
    typed(&alt, "120");
    assert!(all(&root, "table.compare-table").is_empty(), "no B yet");
    click(&root, "button.compare-run");
    let caption = || all(&root, "table.compare-table caption").pop().and_then(|c| c.text_content());
    until("B's table of the whole run", || caption().filter(|c| c.starts_with("The whole run"))).await;
    assert_eq!(caption().as_deref(), Some("The whole run, to 15.000 s"));
    assert_eq!(all(&root, "table.compare-table th.b").len(), 1, "B's column");
    app.destroy();
}

#[function_component(StormHost)]
fn storm_host(p: &HostProps) -> Html {
    compare_over(use_ended("r4-retry-storm"), p)
}

#[function_component(FreshStormHost)]
fn fresh_storm_host(p: &HostProps) -> Html {
    compare_over(use_fresh("r4-retry-storm"), p)
}

/// r4's two retry settings, as its lesson says them (exact paths).
const API_RETRIES: &str = "protocol.services[0].endpoints[0].calls[0].retry.max_retries";
const CLIENT_RETRIES: &str = "protocol.entries[0].retry.max_retries";

/// B sets both of r4's retries to 0, as its lesson's Try does, and Compare builds it.
async fn no_retries_in_b(root: &Element) {
    let field = until("the form", || all(root, "select.compare-field").pop()).await;
    change(&field, &option_value(&field, API_RETRIES));
    click(root, "button.compare-add");
    let fields =
        until("a second change", || Some(all(root, "select.compare-field")).filter(|f| f.len() == 2)).await;
    // It starts on the next field the lesson names (review 46 C10).
    let offered = fields[1].unchecked_ref::<HtmlSelectElement>().value();
    assert_eq!(offered, option_value(&fields[1], CLIENT_RETRIES), "the second change's field");
    let alts =
        until("two numbers for B", || Some(all(root, "input.compare-alt")).filter(|a| a.len() == 2)).await;
    for alt in alts {
        typed(&alt, "0");
    }
    click(root, "button.compare-go");
}

/// The table's rows as text, once B has caught up with A.
async fn settled_rows(root: &Element) -> Vec<Vec<String>> {
    until("B caught up", || {
        let rows: Vec<Vec<String>> = all(root, "table.compare-table tbody tr")
            .iter()
            .map(|r| all(r, "th, td").iter().map(|c| c.text_content().unwrap_or_default()).collect())
            .collect();
        let paused = rows.iter().any(|r| r[0] == "linearizable" && r[1].contains("paused"));
        (!rows.is_empty() && all(root, ".catching-up").is_empty() && !paused).then_some(rows)
    })
    .await
}

/// Review 19: r4's storm (A) read as faster than the run without retries (B): p99 56 ms against
/// 252 ms, though A's latency was of its few successes. The rows say what they are of, and the
/// count of it comes first.
#[wasm_bindgen_test]
async fn the_tables_latency_says_it_is_of_successes_and_how_many() {
    let (root, app) = mount_owned::<StormHost>(&Sink::default());
    no_retries_in_b(&root).await;
    let table = settled_rows(&root).await;
    let heads: Vec<&str> = table.iter().map(|r| r[0].as_str()).collect();
    let at =
        |name: &str| heads.iter().position(|h| *h == name).unwrap_or_else(|| panic!("{name}: {heads:?}"));
    for p in ["p50", "p95", "p99"] {
        at(&format!("latency_ms {p} of successes"));
    }
    assert!(!heads.contains(&"latency_ms p99"), "{heads:?}");
    assert!(at("successes") < at("latency_ms p50 of successes"), "the count first: {heads:?}");
    // The storm's successes are few: its latency is of them.
    let count =
        |run: usize| table[at("successes")][run].parse::<u64>().unwrap_or_else(|_| panic!("{table:?}"));
    let (ok_a, ok_b) = (count(1), count(2));
    assert!(ok_a > 0 && ok_a * 2 < ok_b, "{table:?}");
    at("successes per second");
    app.destroy();
}

/// Review 19: "invariants broken: not checked" for both of d1's runs, right above their
/// linearizable verdicts. CAP declares no invariant of its own: its check is linearizability.
#[wasm_bindgen_test]
async fn a_run_checked_only_for_linearizability_does_not_say_not_checked() {
    let (root, app) = mount_owned::<CapHost>(&Sink::default());
    until("the form", || all(&root, "select.compare-field").pop()).await;
    click(&root, "button.compare-go");
    let table = settled_rows(&root).await;
    let cells: Vec<&String> = table.iter().flatten().collect();
    assert!(!cells.iter().any(|c| c.contains("not checked")), "{table:?}");
    assert!(!table.iter().any(|r| r[0] == "invariants broken"), "CAP declares none: {table:?}");
    let lin = table.iter().find(|r| r[0] == "linearizable").unwrap_or_else(|| panic!("{table:?}"));
    assert!(lin[1].starts_with('✓') || lin[1].starts_with('✗'), "{lin:?}");
    app.destroy();
}

/// d1 at 3 s, not at its end: the table and its linearizable verdict are the same rows, and the
/// whole run (B's, and the check of its history) in this unoptimised build took the test past its
/// wait with twenty earlier Compares still mounted in the page.
#[function_component(CapHost)]
fn cap_host(p: &HostProps) -> Html {
    let player = dsplay_web::hooks::use_player_lazy(
        || {
            let mut a = Session::new(presets::get("d1-cap-cp").expect("preset")).expect("session");
            a.seek(SimTime::from_ms(3_000));
            a
        },
        false,
        1.0,
    );
    compare_over(player, p)
}

/// Review 19: r4's field list read `protocol.services[0].endpoints[0].calls[0].retry.max_retries`,
/// and so did B's label and stage. Each field is said by the names the scenario gives the parts on
/// its way, with the exact path beside it (a title).
#[wasm_bindgen_test]
async fn fields_are_named_by_the_scenarios_names_with_the_path_beside() {
    let (root, app) = mount_owned::<FreshStormHost>(&Sink::default());
    let field = until("the form", || all(&root, "select.compare-field").pop()).await;
    let said = |path: &str| {
        let option =
            all(&field, "option").into_iter().find(|o| o.get_attribute("title").as_deref() == Some(path));
        option.and_then(|o| o.text_content()).unwrap_or_else(|| panic!("{path} is offered"))
    };
    assert_eq!(said(API_RETRIES), "api › get → db: retry.max_retries");
    assert_eq!(said(CLIENT_RETRIES), "clients → api: retry.max_retries");
    // The lesson names them as the list does (review 48 C5: it gave only the paths).
    let lesson = presets::get("r4-retry-storm").expect("preset").meta.lesson;
    for path in [API_RETRIES, CLIENT_RETRIES] {
        assert!(lesson.contains(&format!("*{}*", said(path))), "the lesson names {path} as the list does");
    }
    assert_eq!(said("protocol.services[1].pools[0].workers"), "db › main: workers");
    assert_eq!(said("workload.clients"), "workload.clients", "a path through nothing named");
    no_retries_in_b(&root).await;
    let words = "api › get → db: retry.max_retries = 0, clients → api: retry.max_retries = 0";
    let paths = format!("{API_RETRIES} = 0, {CLIENT_RETRIES} = 0");
    let label = settled_b_label(&root).await;
    assert_eq!(
        label.text_content().unwrap_or_default(),
        format!("B: {words}, same seed. Charts: A solid, B dashed.")
    );
    assert_eq!(label.get_attribute("title"), Some(paths.clone()));
    let stage = until("B's stage", || all(&root, ".compare-stage[data-run=B] figcaption").pop()).await;
    assert_eq!(stage.text_content().unwrap_or_default(), format!("B: {words}"));
    assert_eq!(stage.get_attribute("title"), Some(paths));
    app.destroy();
}

/// Review 19: a Compare chart's exported footer ran past both edges at Compare's 702 px: "m, seed
/// 1 · at 20.000 s … retry.max". Every line of it fits the chart's width, measured as the browser
/// draws 11 px sans-serif, and together they say all of it.
#[wasm_bindgen_test]
fn a_long_export_footer_is_wrapped_to_fit_the_chart() {
    use dsplay_web::charts::draw::to_svg_about;
    let mut a = Session::new(presets::get("r4-retry-storm").expect("preset")).expect("session");
    a.seek(a.stop_at());
    // The longest a B's label says it: by the exact paths.
    let about = format!("{} · B: {API_RETRIES} = 0, {CLIENT_RETRIES} = 0", dsplay_web::export::about(&a));
    let width = 702.0;
    let svg = to_svg_about(&data(&[("p99", 3.0)], 1_000.0), (width as u32, 220), &LIGHT, Some(&about))
        .expect("draws");
    // The footer's texts: those below the chart's 220 px.
    let texts: Vec<(f64, f64, String)> = svg
        .split("<text")
        .skip(1)
        .filter_map(|el| {
            let (attrs, rest) = el.split_once('>')?;
            let num = |k: &str| -> Option<f64> {
                attrs.split(&format!(" {k}=\"")).nth(1)?.split('"').next()?.parse().ok()
            };
            let text = rest.split("</text>").next()?.trim().replace("&amp;", "&");
            Some((num("x")?, num("y")?, text))
        })
        .filter(|(_, y, _)| *y > 220.0)
        .collect();
    assert!(texts.len() >= 2, "wrapped onto lines of their own: {texts:?}");
    let canvas: HtmlCanvasElement = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .expect("a canvas")
        .unchecked_into();
    let ctx: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").ok().flatten().expect("a 2d context").unchecked_into();
    ctx.set_font("11px sans-serif");
    for (x, _, text) in &texts {
        let w = ctx.measure_text(text).expect("measured").width();
        // Centred on x (text-anchor middle).
        assert!(x - w / 2.0 >= 0.0 && x + w / 2.0 <= width, "{text:?} is {w} px wide at {x}");
    }
    let words = |s: &str| s.split_whitespace().filter(|w| *w != "·").map(String::from).collect::<Vec<_>>();
    let drawn: Vec<String> = texts.iter().flat_map(|(.., t)| words(t)).collect();
    assert_eq!(drawn, words(&about), "all of it, in order");
    let height = svg.split("height=\"").nth(1).and_then(|h| h.split('"').next()?.parse::<f64>().ok());
    let bottom = texts.iter().map(|(_, y, _)| *y).fold(0.0, f64::max);
    assert!(height.is_some_and(|h| bottom + 5.0 <= h), "the last line inside: {bottom} of {height:?}");
}

/// Calls from one list to one service are told apart by their endpoint; a call alone to its
/// service is not given one (review 50 C12: r3's three "clients → gateway: retry.backoff").
#[wasm_bindgen_test]
fn calls_to_one_service_are_told_apart_by_endpoint() {
    use dsplay_web::components::compare::names::named;
    let r3: serde_json::Value =
        serde_json::from_str(&presets::get("r3-shared-pool").expect("r3").to_json()).expect("json");
    let said: Vec<String> =
        (0..3).map(|i| named(&r3, &parse(&format!("protocol.entries[{i}].retry.backoff")))).collect();
    assert_eq!(
        said,
        [
            "clients → gateway › products: retry.backoff",
            "clients → gateway › customers: retry.backoff",
            "clients → gateway › orders: retry.backoff"
        ]
    );
    let r4: serde_json::Value =
        serde_json::from_str(&presets::get("r4-retry-storm").expect("r4").to_json()).expect("json");
    assert_eq!(
        named(&r4, &parse("protocol.entries[0].retry.max_retries")),
        "clients → api: retry.max_retries"
    );
}
