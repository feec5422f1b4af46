//! The space-time diagram as a figure: clock labels placed where nothing crosses them, its
//! PNG and SVG exports, and picking events (cones and verdicts), from real preset runs in a real
//! browser.

mod common;

use dsplay_core::session::Session;
use dsplay_core::{presets, SimTime};
use dsplay_web::spacetime::export::{to_png, to_svg};
use dsplay_web::spacetime::hover::Line;
use dsplay_web::spacetime::labels::{clock_label_place, crosses, Arrows};
use dsplay_web::spacetime::paint::{paint, Painted, Scene};
use dsplay_web::spacetime::{Spotlight, Sticky};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::HtmlCanvasElement;

wasm_bindgen_test_configure!(run_in_browser);

/// `preset` paused at `ms`.
fn session(preset: &str, ms: u64) -> Session {
    let mut s = Session::new(presets::get(preset).expect("preset")).expect("session");
    s.seek(SimTime::from_ms(ms));
    s
}

/// A canvas laid out `w` px wide (as `laid_out` records it), not in the page.
fn canvas(w: u32) -> HtmlCanvasElement {
    let doc = web_sys::window().and_then(|w| w.document()).expect("document");
    let c: HtmlCanvasElement = doc.create_element("canvas").expect("canvas").unchecked_into();
    c.set_attribute("data-css-size", &format!("{w} 200")).expect("size");
    c
}

fn painted(s: &Session, w: u32) -> Painted {
    let view = s.sim().view();
    paint(&canvas(w), s, &view, None, (0, &Sticky::default()), Spotlight::default(), 1.0).expect("painted")
}

/// Present draws the diagram larger: laid out as on a canvas `zoom` times narrower (the same
/// labels, the same dots), on a canvas as many device pixels wide and `zoom` times taller.
#[wasm_bindgen_test]
fn presenting_draws_the_picture_of_a_narrower_canvas_larger() {
    let s = session("d6-lamport-vector-clocks", 400);
    let view = s.sim().view();
    let wide = canvas(1380);
    let zoomed =
        paint(&wide, &s, &view, None, (0, &Sticky::default()), Spotlight::default(), 1.5).expect("painted");
    let narrow = painted(&s, 920);
    assert_eq!(zoomed.frame.w, 920.0);
    assert_eq!(zoomed.clocks, narrow.clocks, "the same clock labels");
    let at = |p: &Painted| {
        p.dots.iter().map(|d| (d.at.0.round() as i64, d.at.1.round() as i64)).collect::<Vec<_>>()
    };
    assert_eq!(at(&zoomed), at(&narrow), "the same dots, in the drawing's units");
    let dpr = web_sys::window().expect("window").device_pixel_ratio().clamp(1.0, 4.0);
    let unzoomed = canvas(1380);
    let plain = paint(&unzoomed, &s, &view, None, (0, &Sticky::default()), Spotlight::default(), 1.0)
        .expect("painted");
    assert_eq!(plain.frame.w, 1380.0);
    assert_eq!(wide.width(), (1380.0 * dpr).round() as u32, "as sharp as the screen");
    assert_eq!(wide.height(), (zoomed.frame.h * dpr * 1.5).round() as u32);
    assert_eq!(unzoomed.height(), (plain.frame.h * dpr).round() as u32);
}

/// A node selected on the stage brings its messages forward and fades the rest; with a kind
/// spotlit too, only its messages of that kind stay lit (review 24 B6: a dense diagram had no
/// way to follow one node).
#[wasm_bindgen_test]
fn a_selected_node_brings_its_own_messages_forward() {
    use dsplay_web::spacetime::{focus, Level};
    use dsplay_web::topology::particles::KindColours;
    let c = KindColours::new(&["Ping", "Pong"], &[]);
    let level = |spot: Spotlight, kind: &str, ends| focus(&c, spot, kind, ends).level;
    assert_eq!(level(Spotlight::default(), "Ping", (0, 1)), Level::Plain);
    let n1 = Spotlight { kinds: &[], node: Some(1) };
    assert_eq!(level(n1, "Ping", (0, 1)), Level::Lit, "to n1");
    assert_eq!(level(n1, "Pong", (1, 2)), Level::Lit, "from n1");
    assert_eq!(level(n1, "Ping", (2, 0)), Level::Dim, "between others");
    let pongs = ["Pong".to_string()];
    let both = Spotlight { kinds: &pongs, node: Some(1) };
    assert_eq!(level(both, "Pong", (1, 3)), Level::Lit);
    assert_eq!(level(both, "Ping", (1, 3)), Level::Dim, "n1's, but not the kind spotlit");
    assert_eq!(level(both, "Pong", (0, 3)), Level::Dim, "the kind, but not n1's");
}

fn overlap(a: Line, b: Line) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

#[wasm_bindgen_test]
fn a_label_box_is_crossed_by_the_arrows_through_it_and_no_others() {
    let label = (100.0, 40.0, 160.0, 50.0);
    assert!(crosses((90.0, 30.0, 170.0, 60.0), label), "diagonally through");
    assert!(crosses((130.0, 0.0, 130.0, 100.0), label), "a vertical playhead through it");
    assert!(!crosses((90.0, 30.0, 99.0, 60.0), label), "ends before it");
    assert!(!crosses((100.0, 0.0, 160.0, 39.0), label), "above it");
    // Filed by columns: a long arrow is found in the columns it crosses the middle of.
    let arrows = Arrows::new([(10.0, 0.0, 600.0, 100.0)], 640.0);
    assert!(arrows.cross((300.0, 45.0, 320.0, 55.0)));
    assert!(!arrows.cross((300.0, 80.0, 320.0, 90.0)));
    // A label goes where it is open: above right, else below right, else left.
    let (px, bounds, free) = (300.0, (84.0, 672.0), [f64::MIN; 2]);
    let place = |open: &dyn Fn(f64, usize) -> bool| clock_label_place(px, 100.0, &[px], bounds, free, open);
    assert_eq!(place(&|_, _| true), Some((303.0, 0)));
    assert_eq!(place(&|x, row| !(x > px && row == 0)), Some((303.0, 1)));
    assert_eq!(place(&|x, _| x < px), Some((197.0, 0)));
    assert_eq!(place(&|_, _| false), None, "no room: no label, the dot keeps its tooltip");
}

#[wasm_bindgen_test]
fn d6s_clock_labels_cross_no_arrow_no_label_and_no_edge() {
    for ms in [1_000, 3_000, 7_500] {
        let s = session("d6-lamport-vector-clocks", ms);
        for w in [390, 680, 1_000] {
            let p = painted(&s, w);
            let clock_dots = p.dots.iter().filter(|d| d.label == "clock").count();
            // A label split over and under its lane takes two boxes.
            let (written, of) = p.clocks;
            assert!(
                of == clock_dots && written <= p.labels.len() && p.labels.len() <= 2 * written,
                "{ms} ms, {w} px: {:?} of {} boxes",
                p.clocks,
                p.labels.len()
            );
            if w >= 680 {
                assert!(p.labels.len() * 4 >= clock_dots, "{ms} ms, {w} px: {:?} written", p.clocks);
            }
            for (i, &b) in p.labels.iter().enumerate() {
                assert!(b.0 >= 84.0 && b.2 <= w as f64 - 8.0, "{ms} ms, {w} px: {b:?} past an edge");
                let crossed = p.arrows.iter().find(|a| crosses(a.line, b));
                assert!(crossed.is_none(), "{ms} ms, {w} px: label {b:?} crossed by {crossed:?}");
                let over = p.labels[..i].iter().find(|&&o| overlap(o, b));
                assert!(over.is_none(), "{ms} ms, {w} px: label {b:?} over {over:?}");
            }
            web_sys::console::log_1(&format!("d6 at {ms} ms, {w} px: {:?} clock labels", p.clocks).into());
        }
    }
}

/// The textbook figure at the widths a laptop gives the diagram (review 24 B3: 9 of its 11
/// clocks were written at 704 px). Where one line has no room either side, the clocks go over
/// and under the lane: p1's first event (L=1 over V=[1,0,0]) is written so now. p2's three
/// events 5 ms apart still leave its receive at 35 ms to the tooltip below about 1,200 px: each
/// label is twice as wide as the gap between two of its dots.
#[wasm_bindgen_test]
fn the_textbook_figure_writes_its_clocks_over_and_under_a_lane_where_one_line_has_no_room() {
    let s = session("d6-textbook-figure", 100);
    for (w, want) in [(704, 10), (1_000, 10), (1_200, 11)] {
        let p = painted(&s, w);
        assert_eq!(p.clocks, (want, 11), "{w} px");
        for (i, &b) in p.labels.iter().enumerate() {
            let crossed = p.arrows.iter().find(|a| crosses(a.line, b));
            assert!(crossed.is_none(), "{w} px: label {b:?} crossed by {crossed:?}");
            let over = p.labels[..i].iter().find(|&&o| overlap(o, b));
            assert!(over.is_none(), "{w} px: label {b:?} over {over:?}");
        }
        // p1's first event, at 10 ms: at 704 px one box over its lane and one under, from one
        // x; with room, one line.
        let x = p.dots.iter().find(|d| d.t_ms == 10.0 && d.node == 0).map(|d| d.at.0 + 3.0).expect("the dot");
        let from_x: Vec<&Line> = p.labels.iter().filter(|b| (b.0 - x).abs() < 0.5).collect();
        assert_eq!(from_x.len(), if w == 704 { 2 } else { 1 }, "{w} px: {from_x:?}");
    }
}

/// The event a tour stop talks about is the newest, next to the playhead: its clocks are written
/// there, over the playhead if need be. Kept clear of the playhead, p2's receive at 35 ms had no
/// room at the 36 ms stop, nor p2's send at 40 ms at the 46 ms one, in the 600 px a 1366 px
/// laptop gives the diagram (review 38).
#[wasm_bindgen_test]
fn the_newest_events_clocks_are_written_beside_the_playhead() {
    for (ms, newest) in [(36, vec![(35.0, 1)]), (46, vec![(40.0, 1), (45.0, 2)])] {
        let s = session("d6-textbook-figure", ms);
        for w in [600, 704] {
            let p = painted(&s, w);
            for (t, lane) in &newest {
                let dot = p.dots.iter().find(|d| d.t_ms == *t && d.node == *lane && d.label == "clock");
                let x = dot.expect("the event").at.0;
                let beside =
                    p.labels.iter().any(|b| (b.0 - (x + 3.0)).abs() < 0.5 || (b.2 - (x - 3.0)).abs() < 0.5);
                assert!(beside, "{ms} ms, {w} px: a label beside p{}'s event at {t} ms", lane + 1);
            }
            for (i, &b) in p.labels.iter().enumerate() {
                assert!(p.arrows.iter().all(|a| !crosses(a.line, b)), "{ms} ms, {w} px: {b:?} crossed");
                assert!(p.labels[..i].iter().all(|&o| !overlap(o, b)), "{ms} ms, {w} px: {b:?} over another");
            }
        }
    }
}

/// Before any message has landed the window is the whole of a short run, not a second: d6's
/// 100 ms figure played its first 30 ms crowded into the left 3 % of the diagram, then jumped.
#[wasm_bindgen_test]
fn a_short_run_is_drawn_whole_before_its_first_message_lands() {
    for ms in [0, 20, 36, 100] {
        let p = painted(&session("d6-textbook-figure", ms), 704);
        assert_eq!((p.frame.t0, p.frame.window), (0.0, 100.0), "at {ms} ms");
    }
}

#[wasm_bindgen_test]
fn the_diagram_exports_as_an_svg_document_and_a_png_with_its_run_under_it() {
    let s = session("d6-lamport-vector-clocks", 3_000);
    let view = s.sim().view();
    let sticky = Sticky::default();
    let scene =
        Scene { session: &s, view: &view, choice: None, auto: (0, &sticky), spot: Spotlight::default() };
    let about = "d6-lamport-vector-clocks, seed 1 · at 3.000 s";
    let svg = to_svg(&scene, 680.0, None, about);
    let parse =
        js_sys::Function::new_with_args("s", "return new DOMParser().parseFromString(s, 'image/svg+xml')");
    let doc: web_sys::Document =
        parse.call1(&JsValue::NULL, &svg.as_str().into()).expect("parsed").unchecked_into();
    assert!(doc.get_elements_by_tag_name("parsererror").length() == 0, "well-formed: {svg}");
    let texts: Vec<String> = (0..doc.get_elements_by_tag_name("text").length())
        .filter_map(|i| doc.get_elements_by_tag_name("text").item(i)?.text_content())
        .collect();
    for lane in ["p1", "p2", "p3", "p4"] {
        assert!(texts.iter().any(|t| t == lane), "lane {lane} named: {texts:?}");
    }
    assert!(texts.iter().any(|t| t.starts_with("L=")), "clock labels: {texts:?}");
    assert!(texts.iter().any(|t| t == about), "says what run it is from: {texts:?}");
    assert!(doc.get_elements_by_tag_name("path").length() > 20, "arrows and dots");
    // Its colour key: every kind this run sends, the lost message's ✕ and the dots, all above
    // the footer (review 47 B6: a slide's diagram had no key).
    for kind in s.sim().sendable_kinds().iter().copied().chain(["lost", "timer", "note"]) {
        assert!(texts.iter().any(|t| t == kind), "the key names {kind}: {texts:?}");
    }
    let root = doc.document_element().expect("an svg");
    let tall: f64 = root.get_attribute("height").and_then(|h| h.parse().ok()).expect("a height");
    let ys: Vec<f64> = (0..doc.get_elements_by_tag_name("text").length())
        .filter_map(|i| doc.get_elements_by_tag_name("text").item(i)?.get_attribute("y")?.parse().ok())
        .collect();
    let footer = ys.iter().copied().fold(f64::MIN, f64::max);
    assert!(footer <= tall, "the footer is inside the picture: {footer} of {tall}");
    let png = to_png(&scene, 680.0, about).expect("a PNG");
    assert!(png.starts_with("data:image/png;base64,") && png.len() > 5_000, "{}", png.len());
}

mod picking {
    use super::common::host::{mount, player_of};
    use super::common::{find, until};
    use super::*;
    use dsplay_core::ids::NodeId;
    use dsplay_core::sim::causality::{vector, vector_order, Causality, Order};
    use dsplay_core::sim::trace::{TraceEvent, TraceKind};
    use dsplay_web::components::spacetime::SpaceTime;
    use dsplay_web::player::Action;
    use dsplay_web::spacetime::hover::Dot;
    use dsplay_web::spacetime::pick::{after_click, describe_event, verdict, Pick};
    use web_sys::Element;
    use yew::prelude::*;

    fn at(ms: u64) -> SimTime {
        SimTime::from_ms(ms)
    }

    #[wasm_bindgen_test]
    fn a_click_picks_a_second_click_compares_and_empty_space_or_the_same_event_clears() {
        let (a, b, c) = ((0, at(1)), (1, at(3)), (2, at(5)));
        let one = Some(Pick { first: a, second: None });
        assert_eq!(after_click(None, Some(a), false), one);
        assert_eq!(after_click(one, Some(b), false), Some(Pick { first: a, second: Some(b) }));
        assert_eq!(after_click(one, Some(a), false), None, "the picked event again");
        assert_eq!(after_click(one, None, false), None, "empty space");
        let two = Some(Pick { first: a, second: Some(b) });
        assert_eq!(after_click(two, Some(c), false), Some(Pick { first: c, second: None }), "starts again");
        assert_eq!(after_click(two, Some(c), true), Some(Pick { first: a, second: Some(c) }), "shift: new b");
    }

    fn rec(ms: u64, kind: TraceKind, node: u32, peer: u32, msg: u64) -> TraceEvent {
        TraceEvent {
            at: at(ms),
            kind,
            node: NodeId(node),
            peer: Some(NodeId(peer)),
            msg,
            label: "Ping",
            text: None,
        }
    }

    #[wasm_bindgen_test]
    fn a_verdict_names_the_chain_of_messages_or_says_there_is_none() {
        let records = [
            rec(120, TraceKind::Send, 0, 2, 1),
            rec(131, TraceKind::Deliver, 2, 0, 1),
            rec(140, TraceKind::Send, 1, 0, 2),
        ];
        let c = Causality::new(&records, false);
        let names: Vec<String> = ["p1", "p2", "p3"].map(String::from).to_vec();
        let e = |lane, ms| c.find(lane, at(ms)).expect("event");
        assert_eq!(
            verdict(&c, e(2, 131), e(0, 120), &names),
            "b → a: p1 sent Ping at 0.120 s, p3 received it at 0.131 s."
        );
        let apart = verdict(&c, e(1, 140), e(2, 131), &names);
        assert!(apart.starts_with("a ∥ b: no chain"), "{apart}");
    }

    #[wasm_bindgen_test]
    fn a_scripted_event_is_said_by_what_it_did_not_as_a_client() {
        let s = session("d6-textbook-figure", 80);
        let c = Causality::new(s.sim().trace().records(), false);
        let names: Vec<String> = s.sim().node_names().to_vec();
        let said = |lane, ms| describe_event(&c, c.find(lane, at(ms)).expect("an event"), &names);
        assert_eq!(said(0, 10), "p1 at 0.010 s: local event, on request · L=1 V=[1,0,0]");
        assert_eq!(said(0, 20), "p1 at 0.020 s: sent Ping to p2 · L=2 V=[2,0,0]");
        assert_eq!(said(1, 30), "p2 at 0.030 s: received Ping from p1 · L=3 V=[2,1,0]");
        // p3's last receive also notes a concurrency: a note, not an act.
        assert_eq!(said(2, 70), "p3 at 0.070 s: received Ping from p1 · L=8 V=[4,3,4]");
    }

    /// The dots a paint of `s` on a canvas as wide as `on` puts where the page's paint does.
    fn dots_as_drawn(s: &Session, on: &HtmlCanvasElement) -> Vec<Dot> {
        let c = canvas(crate::laid_out_width(on));
        let view = s.sim().view();
        paint(&c, s, &view, None, (0, &Sticky::default()), Spotlight::default(), 1.0).expect("painted").dots
    }

    /// A click (shift-click) at `(x, y)` CSS px on `canvas`.
    fn click(canvas: &HtmlCanvasElement, (x, y): (f64, f64), shift: bool) {
        let r = canvas.get_bounding_client_rect();
        let border = (r.width() - canvas.client_width() as f64) / 2.0;
        let init = web_sys::PointerEventInit::new();
        init.set_bubbles(true);
        init.set_shift_key(shift);
        init.set_client_x((r.left() + border + x + 0.5) as i32);
        init.set_client_y((r.top() + border + y + 0.5) as i32);
        let event = web_sys::PointerEvent::new_with_event_init_dict("click", &init).expect("event");
        canvas.dispatch_event(&event).expect("dispatch");
    }

    fn text(root: &Element, sel: &str) -> Option<String> {
        find(root, sel)?.text_content()
    }

    #[wasm_bindgen_test]
    async fn clicking_two_events_on_d6_gives_the_verdict_its_vector_clocks_give() {
        let root = mount("spacetime-pick", "d6-lamport-vector-clocks", html! { <SpaceTime /> });
        root.set_attribute("style", "width: 800px").expect("style");
        until("the host rendered", || find(&root, "canvas.spacetime-canvas").is_some()).await;
        let player = player_of(&root);
        player.dispatch.emit(Action::Seek(at(1_000)));
        until("at 1 s", || player_of(&root).session.borrow().now() == at(1_000)).await;
        let canvas: HtmlCanvasElement = until("the diagram painted at 1 s", || {
            let c: HtmlCanvasElement = find(&root, "canvas.spacetime-canvas")?.unchecked_into();
            let clocks = c.get_attribute("data-clock-labels")?;
            (c.width() > 0 && !clocks.ends_with(" 0")).then_some(c)
        })
        .await;
        let player = player_of(&root);
        let session = player.session.clone();
        let dots: Vec<Dot> = dots_as_drawn(&session.borrow(), &canvas);
        let clocks: Vec<&Dot> = dots.iter().filter(|d| d.label == "clock").collect();
        assert!(clocks.len() > 8, "{} clock dots", clocks.len());
        let hint = text(&root, "p.spacetime-pick").unwrap_or_default();
        assert!(hint.contains("Click (tap) a dot"), "says how: {hint}");
        let (mut ordered, mut concurrent) = (0, 0);
        for k in 0..6 {
            let (a, b) = (clocks[(k * 7) % clocks.len()], clocks[(k * 11 + 5) % clocks.len()]);
            if a.at == b.at {
                continue;
            }
            click(&canvas, a.at, false);
            let first = until("the first event described", || {
                text(&root, ".pick-first").filter(|t| t.contains(&format!("{:.3} s", a.t_ms / 1_000.0)))
            })
            .await;
            assert!(first.contains("V=["), "its clocks: {first}");
            click(&canvas, b.at, true);
            let said = until("a verdict", || text(&root, ".pick-verdict")).await;
            let v = |d: &Dot| vector(d.text.as_deref().expect("a clock")).expect("a vector");
            let expected = match vector_order(&v(a), &v(b)) {
                Order::Before => "a → b",
                Order::After => "b → a",
                _ => "a ∥ b",
            };
            assert!(said.starts_with(expected), "{expected} by the vectors; the page said {said}");
            assert!(!said.contains("otherwise"), "{said}");
            // A screen reader hears it in words, from a live region holding only the pick.
            let heard =
                until("the pick heard", || text(&root, ".pick-heard").filter(|t| t.contains("b: "))).await;
            let words = match expected {
                "a → b" => "a happened before b",
                "b → a" => "b happened before a",
                _ => "a and b are concurrent",
            };
            assert!(heard.starts_with("a: ") && heard.contains(words), "{heard}");
            assert!(!heard.contains(['→', '∥', '≤']) && !heard.contains("Clear"), "{heard}");
            ordered += usize::from(expected != "a ∥ b");
            concurrent += usize::from(expected == "a ∥ b");
            // Esc clears, from the caption's buttons (the keyboard's way in).
            let clear = find(&root, "button.pick-clear").expect("a Clear button");
            let esc = web_sys::KeyboardEventInit::new();
            esc.set_key("Escape");
            esc.set_bubbles(true);
            let key =
                web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &esc).expect("key");
            clear.dispatch_event(&key).expect("dispatch");
            until("the pick cleared", || find(&root, ".pick-first").is_none()).await;
        }
        web_sys::console::log_1(&format!("{ordered} ordered, {concurrent} concurrent pairs").into());
        assert!(ordered + concurrent >= 4);
        // The next-event button walks the pick along its lane without a mouse.
        click(&canvas, clocks[3].at, false);
        let before = until("a pick", || text(&root, ".pick-first")).await;
        let next = find(&root, "button.pick-next").expect("a Next button");
        next.unchecked_ref::<web_sys::HtmlElement>().click();
        until("the next event on the lane", || text(&root, ".pick-first").filter(|t| *t != before)).await;
        // A click on empty space (the lane names) clears.
        click(&canvas, (10.0, 2.0), false);
        until("cleared by empty space", || find(&root, ".pick-first").is_none()).await;
    }

    fn key(on: &HtmlCanvasElement, name: &str) {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(name);
        init.set_bubbles(true);
        init.set_cancelable(true);
        let key = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("key");
        on.dispatch_event(&key).expect("dispatch");
    }

    /// d6's diagram alone, 800 px wide, painted at 1 s: for the keyboard tests.
    async fn d6_diagram_at_1s(id: &str) -> (Element, HtmlCanvasElement) {
        let root = mount(id, "d6-lamport-vector-clocks", html! { <SpaceTime /> });
        root.set_attribute("style", "width: 800px").expect("style");
        until("the host rendered", || find(&root, "canvas.spacetime-canvas").is_some()).await;
        player_of(&root).dispatch.emit(Action::Seek(at(1_000)));
        until("at 1 s", || player_of(&root).session.borrow().now() == at(1_000)).await;
        let canvas = until("the diagram painted at 1 s", || {
            let c: HtmlCanvasElement = find(&root, "canvas.spacetime-canvas")?.unchecked_into();
            (c.width() > 0 && c.get_attribute("data-drawn-from-ms").is_some_and(|f| !f.is_empty()))
                .then_some(c)
        })
        .await;
        (root, canvas)
    }

    /// The same from the keyboard (review 22: picks took a pointer): an arrow picks the newest
    /// event, ↑ goes to another lane, Enter picks a second and the verdict comes, Esc clears.
    #[wasm_bindgen_test]
    async fn the_arrows_and_enter_pick_two_events_for_a_verdict() {
        let (root, canvas) = d6_diagram_at_1s("spacetime-keys").await;
        assert_eq!(canvas.get_attribute("tabindex").as_deref(), Some("0"), "a Tab stop");
        key(&canvas, "ArrowDown");
        let first = until("an arrow picks", || text(&root, ".pick-first")).await;
        // The newest event's lane: from the top lane ↓ goes to another, from any other ↑ does.
        let top = player_of(&root).session.borrow().sim().node_names()[0].clone();
        let (there, back) = if first.starts_with(&format!("a: {top} at ")) {
            ("ArrowDown", "ArrowUp")
        } else {
            ("ArrowUp", "ArrowDown")
        };
        key(&canvas, there);
        let up = until("↑ or ↓: another lane", || text(&root, ".pick-first").filter(|t| *t != first)).await;
        key(&canvas, "Enter");
        let verdict = until("Enter: a second and the verdict", || text(&root, ".pick-verdict")).await;
        assert!(["a → b", "b → a", "a ∥ b"].iter().any(|v| verdict.starts_with(v)), "{verdict}");
        assert_eq!(text(&root, ".pick-first"), Some(up), "a stays");
        let second = text(&root, ".pick-second").expect("b");
        // Back towards the newest event's lane: b goes to another lane.
        key(&canvas, back);
        until("↑ or ↓ moves b", || text(&root, ".pick-second").filter(|t| *t != second)).await;
        key(&canvas, "Escape");
        until("Esc clears", || find(&root, ".pick-first").is_none()).await;
    }

    /// The time a pick's line names: "a: p2 at 0.523 s …" → 0.523.
    fn picked_at(said: &str) -> f64 {
        let after = said.split(" at ").nth(1).unwrap_or_default();
        after.split(" s").next().and_then(|t| t.parse().ok()).expect("a time")
    }

    /// Home and End pick the first and last event of the lane (Home had gone on to the page and
    /// restarted the run: review 41 B4); Clear gives the key back to the diagram (it fell to the
    /// page's body: review 41 B3).
    #[wasm_bindgen_test]
    async fn home_and_end_pick_a_lanes_ends_and_clear_gives_the_key_back() {
        let (root, canvas) = d6_diagram_at_1s("spacetime-home-end").await;
        key(&canvas, "ArrowLeft");
        let start = until("an arrow picks", || text(&root, ".pick-first")).await;
        key(&canvas, "ArrowLeft");
        key(&canvas, "Home");
        let first =
            until("Home: the lane's first", || text(&root, ".pick-first").filter(|t| *t != start)).await;
        let lane = |t: &str| t.split(" at ").next().map(str::to_string);
        assert_eq!(lane(&first), lane(&start), "the same lane");
        assert!(picked_at(&first) < picked_at(&start), "{first} before {start}");
        key(&canvas, "ArrowLeft");
        assert_eq!(text(&root, ".pick-first"), Some(first.clone()), "nothing before the first");
        key(&canvas, "End");
        let last = until("End: the lane's last", || text(&root, ".pick-first").filter(|t| *t != first)).await;
        assert!(picked_at(&last) >= picked_at(&start), "{last} not before {start}");
        let clear: web_sys::HtmlElement = find(&root, ".pick-clear").expect("Clear").unchecked_into();
        clear.focus().expect("focus");
        clear.click();
        until("the pick cleared", || find(&root, ".pick-first").is_none()).await;
        let focused = || web_sys::window()?.document()?.active_element();
        until("the key back on the diagram", || {
            focused().is_some_and(|f| f.matches(".spacetime-canvas").unwrap_or(false))
        })
        .await;
    }
}

/// The width a canvas was laid out at (as `laid_out` records it).
fn laid_out_width(c: &HtmlCanvasElement) -> u32 {
    let size = c.get_attribute("data-css-size").unwrap_or_default();
    size.split(' ').next().and_then(|w| w.parse().ok()).unwrap_or(320)
}

/// A partition and its heal are faults of the whole network: lines across every lane, not dots
/// on the first lane's (review 24 B1: d6's partition was a dot on p1's lane, and a pick counted
/// it in p1's order).
#[wasm_bindgen_test]
fn a_partition_is_drawn_across_the_lanes_not_on_the_first_ones() {
    // d4-raft-partition splits the network at 4 s and heals it at 9 s.
    for (ms, word) in [(4_100, "partition"), (9_050, "heal")] {
        let s = session("d4-raft-partition", ms);
        let drawn = painted(&s, 800);
        assert!(
            !drawn.dots.iter().any(|d| d.label == "partition" || d.label == "heal"),
            "at {ms} ms a network fault is a dot: {:?}",
            drawn.dots.iter().filter(|d| d.kind == "fault").collect::<Vec<_>>()
        );
        let line = drawn.network.iter().find(|l| l.text.starts_with(word));
        let line = line.unwrap_or_else(|| panic!("at {ms} ms no {word} line: {:?}", drawn.network));
        let x = drawn.frame.x(line.t_ms);
        assert!(
            (line.x - x).abs() < 0.5 && line.x >= dsplay_web::spacetime::paint::LEFT,
            "{line:?} at x {x}"
        );
    }
}
