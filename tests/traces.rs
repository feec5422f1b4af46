//! E7: the Traces tab, and the numbers e7-distributed-tracing's lesson gives (at 11 s, three
//! seconds into fraud's slowdown, and at the end).

mod common;
use common::host::{mount, player_of};
use common::{all, find, until};
use dsplay_core::session::Session;
use dsplay_core::spans::{SpanKind, SpanStatus};
use dsplay_core::{presets, SimDuration, SimTime};
use dsplay_web::components::Traces;
use dsplay_web::player::Action;
use dsplay_web::traces::{recent, red, tally, waterfall, Order, Red};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

fn at(ms: u64) -> Session {
    let mut s = Session::new(presets::get("e7-distributed-tracing").expect("preset")).expect("session");
    s.seek(SimTime::from_ms(ms));
    s
}

fn service<'a>(s: &Session, rows: &'a [Red], name: &str) -> &'a Red {
    rows.iter().find(|r| s.sim().node_names()[r.node.index()] == name).expect("a service")
}

fn ms(d: SimDuration) -> f64 {
    d.as_us() as f64 / 1000.0
}

#[wasm_bindgen_test]
fn the_red_table_at_11_s_blames_the_entry_and_not_the_cause() {
    let s = at(11_000);
    let rows = red(&s.sim().spans(), s.now());
    let (web, payment, fraud) =
        (service(&s, &rows, "web"), service(&s, &rows, "payment"), service(&s, &rows, "fraud"));
    assert_eq!(format!("{:.1} {:.0}", web.errors * 100.0, ms(web.p99)), "48.6 921");
    assert_eq!(
        format!("{:.1} {:.1} {:.1}", payment.rate, payment.errors * 100.0, ms(payment.p50)),
        "50.8 56.3 0.0"
    );
    assert_eq!(format!("{:.1} {:.2}", fraud.errors * 100.0, ms(fraud.p99) / 1000.0), "0.0 1.24");
    let failing = recent(&s.sim().spans(), s.now(), Order::Failures, 1000).len();
    let started = recent(&s.sim().spans(), s.now(), Order::Newest, 1000).len();
    assert_eq!((failing, started), (75, 148));
    assert_eq!(tally(&s.sim().spans(), s.now()), (148, 75), "what the list's header says");
    // At the end, every service is back: about 31 a second, no errors.
    let end = at(20_000);
    for r in red(&end.sim().spans(), end.now()) {
        assert!(r.errors == 0.0 && (30.0..33.0).contains(&r.rate), "{r:?}");
    }
}

#[wasm_bindgen_test]
fn the_slowest_trace_at_11_s_shows_work_outliving_its_callers() {
    let s = at(11_000);
    let spans = s.sim().spans();
    let top = &recent(&spans, s.now(), Order::Slowest, 1)[0];
    assert_eq!((top.start.as_us(), top.took.as_us() / 1000, top.status), (8_664_771, 928, SpanStatus::Error));
    assert_eq!((top.spans, top.failures), (17, 8));
    assert_eq!(s.sim().node_names()[top.client.index()], "c1");
    let (bars, whole) = waterfall(&spans, top.trace, s.now());
    assert_eq!(whole.as_us() / 10_000, 233, "2.34 s after it began, work for it still goes on");
    assert_eq!(bars.iter().filter(|b| b.span.end.is_none()).count(), 1, "the third charge");
    let ends = |name: &str, kind: SpanKind| -> Vec<(Option<u64>, SpanStatus)> {
        bars.iter()
            .filter(|b| &*b.span.name == name && b.span.kind == kind)
            .map(|b| (b.span.end.map(|_| (b.offset + b.length).as_us() / 10_000), b.span.status))
            .collect()
    };
    assert_eq!(ends("cart", SpanKind::Call), [(Some(2), SpanStatus::Ok)], "cart and inventory: 20 ms");
    let attempts: Vec<_> = ["payment", "payment (retry 1)", "payment (retry 2)"]
        .iter()
        .flat_map(|n| ends(n, SpanKind::Call))
        .collect();
    assert!(attempts.iter().all(|(_, st)| *st == SpanStatus::TimedOut), "{attempts:?}");
    assert_eq!(
        ends("charge", SpanKind::Serve),
        [(Some(127), SpanStatus::Error), (Some(193), SpanStatus::Ok), (None, SpanStatus::Open)],
        "payment's charges: fails at 1.27 s, succeeds at 1.93 s unheard, the third still running"
    );
    assert_eq!(ends("score", SpanKind::Serve)[0], (Some(168), SpanStatus::Ok), "fraud scores until 1.69 s");
    // At 13 s it is over: 19 spans, the last ending 2.71 s after the request began.
    let later = at(13_000);
    let (bars, whole) = waterfall(&later.sim().spans(), top.trace, later.now());
    assert!(bars.iter().all(|b| b.span.end.is_some()));
    assert_eq!((bars.len(), format!("{:.2}", whole.as_us() as f64 / 1e6)), (19, "2.71".to_string()));
    let lesson = presets::get("e7-distributed-tracing").expect("preset").meta.lesson;
    for said in [
        "19 spans",
        "2.71 s",
        "23.0 a second",
        "50.3 %",
        "48.6 %",
        "921 ms",
        "50.8",
        "56.3 %",
        "1.24 s",
        "8.665 s",
        "928 ms",
        "17 spans, 8 of them",
        "1.27 s",
        "1.69 s",
        "1.93 s",
        "2.34 s",
        "75 of the 148",
    ] {
        assert!(lesson.contains(said), "the lesson says {said}");
    }
}

/// The lesson's Try: without retries payment's load halves and web's errors barely move.
#[wasm_bindgen_test]
fn without_retries_payment_sees_half_the_load_for_two_points_of_errors() {
    let mut v = serde_json::to_value(presets::get("e7-distributed-tracing").expect("preset")).expect("json");
    v["protocol"]["services"][0]["endpoints"][0]["calls"][1]["retry"]["max_retries"] = 0.into();
    let sc = dsplay_core::Scenario::from_json(&v.to_string()).expect("valid");
    let mut s = Session::new(sc).expect("session");
    s.seek(SimTime::from_ms(11_000));
    let rows = red(&s.sim().spans(), s.now());
    let (web, payment) = (service(&s, &rows, "web"), service(&s, &rows, "payment"));
    assert_eq!(format!("{:.1} {:.1}", payment.rate, web.errors * 100.0), "23.0 50.3");
}

#[wasm_bindgen_test]
async fn the_tab_lists_traces_draws_the_picked_one_and_goes_to_its_start() {
    let root = mount("host-traces", "e7-distributed-tracing", html! { <Traces /> });
    until("the empty state", || find(&root, ".traces .muted").is_some()).await;
    player_of(&root).dispatch.emit(Action::Seek(SimTime::from_ms(11_000)));
    // The seek travels over frames and the tab draws each: its counts are read once at 11 s.
    let arrived =
        || player_of(&root).view.now == SimTime::from_ms(11_000) && player_of(&root).ui.travel.is_none();
    until("at 11 s", arrived).await;
    until("the list", || all(&root, ".trace-row").len() == 12).await;
    until("the waterfall", || all(&root, ".wf-row").len() == 17).await;
    assert_eq!(all(&root, "table.red tbody tr").len(), 5, "one row per service");
    let heading = find(&root, ".waterfall h3").and_then(|h| h.text_content()).unwrap_or_default();
    assert_eq!(heading, "Trace c1·195");
    assert_eq!(all(&root, ".wf-bar.st-timeout").len(), 4, "three attempts and payment's call to fraud");
    assert_eq!(all(&root, ".wf-bar.st-open").len(), 1);
    // The bars are laid out on the trace's time: the first starts at 0, none past the end.
    let lefts: Vec<String> = all(&root, ".wf-bar")
        .iter()
        .map(|b| {
            b.unchecked_ref::<web_sys::HtmlElement>().style().get_property_value("left").unwrap_or_default()
        })
        .collect();
    assert_eq!(lefts[0], "0%");
    // Another trace, then its start.
    let second = all(&root, ".trace-row")[1].clone();
    second.unchecked_ref::<web_sys::HtmlElement>().click();
    until("the second trace drawn", || {
        find(&root, ".trace-row[aria-pressed=true]").is_some_and(|b| b == second)
            && find(&root, ".waterfall h3").and_then(|h| h.text_content()).is_some_and(|t| t != heading)
    })
    .await;
    find(&root, ".waterfall .go").expect("go").unchecked_into::<web_sys::HtmlElement>().click();
    until("the playhead at its start", || player_of(&root).session.borrow().now() == SimTime(8_738_233))
        .await;
    find(&root, ".order button:nth-child(2)")
        .expect("order")
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    until("failures first", || {
        find(&root, ".order button[aria-pressed=true]").and_then(|b| b.text_content()).as_deref()
            == Some("With failures")
    })
    .await;
    // A focused row moves with its trace when the list re-sorts (review 22, C13: the focus
    // stayed in place, on whichever trace came there).
    let (failures, newest) = {
        let p = player_of(&root);
        let s = p.session.borrow();
        let spans = s.sim().spans();
        (recent(&spans, s.now(), Order::Failures, 12), recent(&spans, s.now(), Order::Newest, 12))
    };
    let index_in = |rows: &[dsplay_web::traces::TraceRow], t: u64| rows.iter().position(|r| r.trace == t);
    let moved = failures
        .iter()
        .map(|r| r.trace)
        .find(|&t| index_in(&newest, t).is_some_and(|k| Some(k) != index_in(&failures, t)))
        .expect("a trace in both orders, at another place");
    let row = find(&root, &format!(".trace-row[data-trace='{moved}']")).expect("its row");
    row.unchecked_ref::<web_sys::HtmlElement>().focus().expect("focus");
    // `click()` presses the button without taking the focus from the row.
    find(&root, ".order button:nth-child(3)")
        .expect("order")
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    until("newest first", || {
        all(&root, ".trace-row")
            .get(index_in(&newest, moved).unwrap_or(0))
            .and_then(|b| b.get_attribute("data-trace"))
            == Some(moved.to_string())
    })
    .await;
    let focused = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
    assert_eq!(
        focused.and_then(|el| el.get_attribute("data-trace")),
        Some(moved.to_string()),
        "the focus kept its trace"
    );
}
