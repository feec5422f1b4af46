//! The space-time diagram as a figure: clock labels placed where nothing crosses them, and its
//! PNG and SVG exports, painted from real preset runs in a real browser.

use dsplay_core::session::Session;
use dsplay_core::{presets, SimTime};
use dsplay_web::spacetime::export::{to_png, to_svg};
use dsplay_web::spacetime::hover::Line;
use dsplay_web::spacetime::labels::{clock_label_place, crosses, Arrows};
use dsplay_web::spacetime::paint::{paint, Painted, Scene};
use dsplay_web::spacetime::Sticky;
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
    paint(&canvas(w), s, &view, None, (0, &Sticky::default()), &[]).expect("painted")
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
            assert_eq!(p.clocks, (p.labels.len(), clock_dots), "{ms} ms, {w} px: counted");
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

#[wasm_bindgen_test]
fn the_diagram_exports_as_an_svg_document_and_a_png_with_its_run_under_it() {
    let s = session("d6-lamport-vector-clocks", 3_000);
    let view = s.sim().view();
    let sticky = Sticky::default();
    let scene = Scene { session: &s, view: &view, choice: None, auto: (0, &sticky), spot: &[] };
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
    let png = to_png(&scene, 680.0, about).expect("a PNG");
    assert!(png.starts_with("data:image/png;base64,") && png.len() > 5_000, "{}", png.len());
}
