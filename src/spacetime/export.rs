//! The space-time diagram as a PNG or an SVG, for a slide: drawn again at the on-screen width by
//! the same paint (see [`super::pen`]), with its colour key (see [`super::key`]) and a footer
//! saying what run and moment it is from.

use super::key;
use super::paint::{draw, height, Scene};
use super::pen::{CanvasPen, Pen, SvgPen};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d as Ctx, HtmlCanvasElement};

/// Height of the footer under the diagram.
const FOOTER: f64 = 20.0;
/// A PNG's pixels per CSS pixel: sharp on a projector.
const PNG_SCALE: f64 = 2.0;

/// Under the lanes (which end at `h`), on the background: the colour key's `entries`, then the
/// footer's text. Returns the whole picture's height.
fn under(pen: &dyn Pen, entries: &[(key::Swatch, String)], (w, h): (f64, f64), about: &str) -> f64 {
    let below = key::height(pen, entries, w) + FOOTER;
    pen.set_fill_style_str(background());
    pen.fill_rect(0.0, h, w, below);
    key::draw(pen, entries, (h, w), text_colour());
    pen.set_fill_style_str(text_colour());
    pen.fill_text(about, 4.0, h + below - 6.0, None);
    h + below
}

/// Whether the page's theme is dark.
fn dark() -> bool {
    crate::charts::draw::current_palette() == crate::charts::draw::DARK
}

/// The colour the footer's text takes (the axis labels' colour).
fn text_colour() -> &'static str {
    if dark() {
        "#e6e8eb"
    } else {
        "#1d1f23"
    }
}

/// The background under the footer.
fn background() -> &'static str {
    if dark() {
        "#1d2026"
    } else {
        "#ffffff"
    }
}

/// The diagram `w` px wide as an SVG document, its labels measured with `measure` (the on-screen
/// canvas's context, so they land where they do on screen).
pub fn to_svg(scene: &Scene, w: f64, measure: Option<Ctx>, about: &str) -> String {
    let h = height(scene.session.sim().node_names().len());
    let pen = SvgPen::new(measure);
    draw(&pen, w, scene);
    let whole = under(&pen, &key::entries(scene.session.sim(), dark()), (w, h), about);
    pen.finish(w, whole)
}

/// The diagram `w` px wide as a PNG data URL, drawn at twice the CSS size.
pub fn to_png(scene: &Scene, w: f64, about: &str) -> Result<String, String> {
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let canvas: HtmlCanvasElement =
        doc.create_element("canvas").map_err(|_| "no canvas")?.dyn_into().map_err(|_| "not a canvas")?;
    let h = height(scene.session.sim().node_names().len());
    let ctx: Ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or("no 2d context")?
        .dyn_into()
        .map_err(|_| "not a 2d context")?;
    // The key's rows, measured with this canvas's text before it is sized (which resets it).
    let entries = key::entries(scene.session.sim(), dark());
    let keyed = key::height(&CanvasPen(ctx.clone()), &entries, w);
    canvas.set_width((w * PNG_SCALE) as u32);
    canvas.set_height(((h + keyed + FOOTER) * PNG_SCALE) as u32);
    ctx.set_transform(PNG_SCALE, 0.0, 0.0, PNG_SCALE, 0.0, 0.0).map_err(|_| "cannot scale")?;
    let pen = CanvasPen(ctx);
    draw(&pen, w, scene);
    under(&pen, &entries, (w, h), about);
    canvas.to_data_url_with_type("image/png").map_err(|_| "cannot encode the PNG".to_string())
}

/// The on-screen canvas's width (CSS px, as laid out) and a context to measure text with.
pub fn measured(canvas: &HtmlCanvasElement) -> (f64, Option<Ctx>) {
    let w = crate::laid_out::size(canvas).0.max(320) as f64;
    (w, canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<Ctx>().ok()))
}
