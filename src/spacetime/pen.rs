//! What the space-time diagram is drawn with: the few canvas calls its paint makes, behind one
//! trait, so the same paint goes to the screen's canvas (and a PNG's) or into an SVG document.

use std::cell::RefCell;
use std::fmt::Write as _;
use wasm_bindgen::JsValue;
use web_sys::CanvasRenderingContext2d as Ctx;

/// The drawing calls of a 2D canvas the diagram uses (a path is begun, extended, then stroked or
/// filled; `save` and `restore` bracket a clip).
pub trait Pen {
    fn set_fill_style_str(&self, colour: &str);
    fn set_stroke_style_str(&self, colour: &str);
    fn set_line_width(&self, w: f64);
    fn set_global_alpha(&self, a: f64);
    /// Dash and gap lengths; empty for solid lines.
    fn set_line_dash(&self, dash: &[f64]);
    fn fill_rect(&self, x: f64, y: f64, w: f64, h: f64);
    fn begin_path(&self);
    fn move_to(&self, x: f64, y: f64);
    fn line_to(&self, x: f64, y: f64);
    /// A whole circle, as its own subpath.
    fn circle(&self, x: f64, y: f64, r: f64);
    fn rect(&self, x: f64, y: f64, w: f64, h: f64);
    fn stroke(&self);
    fn fill(&self);
    /// Clip later drawing to the current path, until `restore`.
    fn clip(&self);
    fn save(&self);
    fn restore(&self);
    /// 11 px sans-serif text with its baseline at `y`, squeezed to `max_w` if given.
    fn fill_text(&self, text: &str, x: f64, y: f64, max_w: Option<f64>);
    /// The width `text` takes (11 px sans-serif).
    fn measure(&self, text: &str) -> f64;
}

/// The diagram's font, on the canvas and in the SVG.
pub const FONT: &str = "11px sans-serif";

/// A canvas's context.
pub struct CanvasPen(pub Ctx);

/// The width of `text` on `ctx` (about 6 px a character if it cannot say).
pub fn measure_on(ctx: &Ctx, text: &str) -> f64 {
    ctx.set_font(FONT);
    ctx.measure_text(text).map_or(6.0 * text.chars().count() as f64, |m| m.width())
}

impl Pen for CanvasPen {
    fn set_fill_style_str(&self, colour: &str) {
        self.0.set_fill_style_str(colour);
    }
    fn set_stroke_style_str(&self, colour: &str) {
        self.0.set_stroke_style_str(colour);
    }
    fn set_line_width(&self, w: f64) {
        self.0.set_line_width(w);
    }
    fn set_global_alpha(&self, a: f64) {
        self.0.set_global_alpha(a);
    }
    fn set_line_dash(&self, dash: &[f64]) {
        let parts: js_sys::Array = dash.iter().map(|d| JsValue::from(*d)).collect();
        self.0.set_line_dash(&parts).ok();
    }
    fn fill_rect(&self, x: f64, y: f64, w: f64, h: f64) {
        self.0.fill_rect(x, y, w, h);
    }
    fn begin_path(&self) {
        self.0.begin_path();
    }
    fn move_to(&self, x: f64, y: f64) {
        self.0.move_to(x, y);
    }
    fn line_to(&self, x: f64, y: f64) {
        self.0.line_to(x, y);
    }
    fn circle(&self, x: f64, y: f64, r: f64) {
        self.0.move_to(x + r, y);
        self.0.arc(x, y, r, 0.0, std::f64::consts::TAU).ok();
    }
    fn rect(&self, x: f64, y: f64, w: f64, h: f64) {
        self.0.rect(x, y, w, h);
    }
    fn stroke(&self) {
        self.0.stroke();
    }
    fn fill(&self) {
        self.0.fill();
    }
    fn clip(&self) {
        self.0.clip();
    }
    fn save(&self) {
        self.0.save();
    }
    fn restore(&self) {
        self.0.restore();
    }
    fn fill_text(&self, text: &str, x: f64, y: f64, max_w: Option<f64>) {
        self.0.set_font(FONT);
        match max_w {
            Some(m) => self.0.fill_text_with_max_width(text, x, y, m).ok(),
            None => self.0.fill_text(text, x, y).ok(),
        };
    }
    fn measure(&self, text: &str) -> f64 {
        measure_on(&self.0, text)
    }
}

/// What an SVG pen has been told so far.
#[derive(Default)]
struct SvgState {
    out: String,
    path: String,
    fill: String,
    stroke: String,
    width: f64,
    alpha: f64,
    dash: String,
    /// Groups opened by clips, and how many were open at each `save`.
    open: usize,
    saved: Vec<usize>,
    clips: usize,
}

/// Writes what it is told to draw as SVG elements; measures text with `measure` (a canvas's
/// context, so labels are laid out as on screen).
pub struct SvgPen {
    state: RefCell<SvgState>,
    measure: Option<Ctx>,
}

impl SvgPen {
    pub fn new(measure: Option<Ctx>) -> SvgPen {
        let state = SvgState {
            width: 1.0,
            alpha: 1.0,
            fill: "#000".into(),
            stroke: "#000".into(),
            ..Default::default()
        };
        SvgPen { state: RefCell::new(state), measure }
    }

    /// The document, `w` × `h` px.
    pub fn finish(self, w: f64, h: f64) -> String {
        let mut s = self.state.into_inner();
        s.out.push_str(&"</g>".repeat(s.open));
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n{}</svg>\n",
            s.out
        )
    }

    fn opacity(s: &SvgState) -> String {
        if s.alpha < 1.0 {
            format!(" opacity=\"{:.2}\"", s.alpha)
        } else {
            String::new()
        }
    }
}

/// `text` with XML's special characters escaped.
pub fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl Pen for SvgPen {
    fn set_fill_style_str(&self, colour: &str) {
        self.state.borrow_mut().fill = colour.to_string();
    }
    fn set_stroke_style_str(&self, colour: &str) {
        self.state.borrow_mut().stroke = colour.to_string();
    }
    fn set_line_width(&self, w: f64) {
        self.state.borrow_mut().width = w;
    }
    fn set_global_alpha(&self, a: f64) {
        self.state.borrow_mut().alpha = a;
    }
    fn set_line_dash(&self, dash: &[f64]) {
        let parts: Vec<String> = dash.iter().map(|d| d.to_string()).collect();
        self.state.borrow_mut().dash = parts.join(",");
    }
    fn fill_rect(&self, x: f64, y: f64, w: f64, h: f64) {
        let s = &mut *self.state.borrow_mut();
        let o = Self::opacity(s);
        let _ = writeln!(
            s.out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\"{o}/>",
            s.fill
        );
    }
    fn begin_path(&self) {
        self.state.borrow_mut().path.clear();
    }
    fn move_to(&self, x: f64, y: f64) {
        let _ = write!(self.state.borrow_mut().path, "M{x:.1} {y:.1}");
    }
    fn line_to(&self, x: f64, y: f64) {
        let _ = write!(self.state.borrow_mut().path, "L{x:.1} {y:.1}");
    }
    fn circle(&self, x: f64, y: f64, r: f64) {
        let d = 2.0 * r;
        let _ = write!(
            self.state.borrow_mut().path,
            "M{:.1} {y:.1}a{r} {r} 0 1 0 {d} 0a{r} {r} 0 1 0 -{d} 0",
            x - r
        );
    }
    fn rect(&self, x: f64, y: f64, w: f64, h: f64) {
        let _ = write!(self.state.borrow_mut().path, "M{x:.1} {y:.1}h{w:.1}v{h:.1}h{:.1}Z", -w);
    }
    fn stroke(&self) {
        let s = &mut *self.state.borrow_mut();
        if s.path.is_empty() {
            return;
        }
        let o = Self::opacity(s);
        let dash =
            if s.dash.is_empty() { String::new() } else { format!(" stroke-dasharray=\"{}\"", s.dash) };
        let _ = writeln!(
            s.out,
            "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{dash}{o}/>",
            s.path, s.stroke, s.width
        );
    }
    fn fill(&self) {
        let s = &mut *self.state.borrow_mut();
        if s.path.is_empty() {
            return;
        }
        let o = Self::opacity(s);
        let _ = writeln!(s.out, "<path d=\"{}\" fill=\"{}\"{o}/>", s.path, s.fill);
    }
    fn clip(&self) {
        let s = &mut *self.state.borrow_mut();
        s.clips += 1;
        let id = s.clips;
        let _ = writeln!(
            s.out,
            "<clipPath id=\"c{id}\"><path d=\"{}\"/></clipPath><g clip-path=\"url(#c{id})\">",
            s.path
        );
        s.open += 1;
    }
    fn save(&self) {
        let s = &mut *self.state.borrow_mut();
        s.saved.push(s.open);
    }
    fn restore(&self) {
        let s = &mut *self.state.borrow_mut();
        let to = s.saved.pop().unwrap_or(0);
        while s.open > to {
            s.out.push_str("</g>\n");
            s.open -= 1;
        }
    }
    fn fill_text(&self, text: &str, x: f64, y: f64, max_w: Option<f64>) {
        let squeeze = max_w
            .filter(|m| self.measure(text) > *m)
            .map(|m| format!(" textLength=\"{m:.1}\" lengthAdjust=\"spacingAndGlyphs\""))
            .unwrap_or_default();
        let s = &mut *self.state.borrow_mut();
        let o = Self::opacity(s);
        let t = xml_escape(text);
        let _ = writeln!(s.out, "<text x=\"{x:.1}\" y=\"{y:.1}\" fill=\"{}\"{squeeze}{o}>{t}</text>", s.fill);
    }
    fn measure(&self, text: &str) -> f64 {
        match &self.measure {
            Some(ctx) => measure_on(ctx, text),
            None => 6.0 * text.chars().count() as f64,
        }
    }
}
