//! Sharp charts on high-density screens. A canvas drawn at its CSS size is blurred on a phone or a
//! retina display (each drawn pixel is stretched over 2×2 or 3×3 device pixels). The canvas is
//! sized in device pixels and its context scaled by `devicePixelRatio`; this backend tells
//! plotters the CSS size, so the chart code keeps laying out in CSS pixels (fonts, margins) and
//! every stroke and glyph lands at full resolution.

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// A [`CanvasBackend`] on a canvas of `css` size whose context is scaled to device pixels.
pub struct HiDpi {
    inner: CanvasBackend,
    css: (u32, u32),
}

/// The screen's device pixels per CSS pixel (1 where it cannot be read).
pub fn ratio() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).clamp(1.0, 4.0)
}

/// How much larger the charts and the space-time diagram draw while presenting: the same picture
/// in fewer, larger pixels, so tick labels and clocks read from the back of a lecture hall.
pub const PRESENT_ZOOM: f64 = 1.5;

/// The zoom to draw canvases at: [`PRESENT_ZOOM`] while presenting, else 1.
pub fn zoom(presenting: bool) -> f64 {
    if presenting {
        PRESENT_ZOOM
    } else {
        1.0
    }
}

/// Device pixels for `css` CSS pixels at `dpr`.
pub fn device(css: u32, dpr: f64) -> u32 {
    (css as f64 * dpr).round() as u32
}

impl HiDpi {
    /// Size `canvas` to `css` × the device ratio and scale its context to match; everything
    /// drawn `zoom` times larger (laid out for `css` / `zoom`).
    pub fn new(canvas: &HtmlCanvasElement, css: (u32, u32), zoom: f64) -> Option<Self> {
        let smaller = |px: u32| (px as f64 / zoom).round() as u32;
        Self::at_ratio(canvas, (smaller(css.0), smaller(css.1)), ratio() * zoom)
    }

    /// Size `canvas` to `css` × `dpr` (an export drawn sharper than the screen) and scale its
    /// context to match.
    pub fn at_ratio(canvas: &HtmlCanvasElement, css: (u32, u32), dpr: f64) -> Option<Self> {
        let (w, h) = (device(css.0, dpr), device(css.1, dpr));
        if canvas.width() != w || canvas.height() != h {
            canvas.set_width(w);
            canvas.set_height(h);
        }
        let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok()?;
        // Round joins: a mitred corner of a sharp V (a gauge dropping to 0 and back) overshoots
        // its point, and a 0 was drawn below the zero line.
        ctx.set_line_join("round");
        Some(HiDpi { inner: CanvasBackend::with_canvas_object(canvas.clone())?, css })
    }
}

/// The canvas backend's error (its type is not exported by name).
type CanvasError = <CanvasBackend as DrawingBackend>::ErrorType;
type Drawn = Result<(), DrawingErrorKind<CanvasError>>;

impl DrawingBackend for HiDpi {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.css
    }
    fn ensure_prepared(&mut self) -> Drawn {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Drawn {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Drawn {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn {
        self.inner.draw_rect(a, b, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(&mut self, c: BackendCoord, r: u32, style: &S, fill: bool) -> Drawn {
        self.inner.draw_circle(c, r, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Drawn {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_text<T: BackendTextStyle>(&mut self, text: &str, style: &T, pos: BackendCoord) -> Drawn {
        self.inner.draw_text(text, style, pos)
    }
    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        self.inner.estimate_text_size(text, style)
    }
}
