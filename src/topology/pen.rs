//! Lines on the particle canvas, drawn as hairlines. A software canvas (headless Chromium, and
//! browsers without GPU rasterisation) fills a stroke one device pixel wide along a fast path, and
//! a wider one as a polygon: 170 links stroked 2 px wide took 10 ms a frame, as hairlines 0.8 ms.
//! So a line `w` wide is drawn as about `w` hairlines, one device pixel apart.

use web_sys::CanvasRenderingContext2d;

/// One device pixel, in view-box units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pen {
    px: f64,
}

impl Pen {
    /// The pen for a canvas drawn at `scale` device pixels per view-box unit.
    pub fn new(scale: f64) -> Pen {
        Pen { px: 1.0 / scale.max(1e-6) }
    }

    /// Where to draw the hairlines of a line `width` units wide: their shifts sideways from its
    /// middle (one per device pixel, at least one, at most four).
    pub fn shifts(self, width: f64) -> impl Iterator<Item = f64> {
        let n = (width / self.px).round().clamp(1.0, 4.0) as usize;
        (0..n).map(move |k| (k as f64 - (n - 1) as f64 / 2.0) * self.px)
    }

    /// Set `ctx`'s line width to `width`, as a hairline where that rounds to one device pixel.
    pub fn width(self, ctx: &CanvasRenderingContext2d, width: f64) {
        match (width / self.px).round() <= 1.0 {
            true => self.hairline(ctx),
            false => ctx.set_line_width(width),
        }
    }

    /// Set `ctx` to stroke hairlines (just under a device pixel, so rounding never tips it over).
    pub fn hairline(self, ctx: &CanvasRenderingContext2d) {
        ctx.set_line_width(0.98 * self.px);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_line_is_as_many_hairlines_as_it_is_device_pixels_wide_centred_on_its_middle() {
        let at = |scale: f64, width: f64| Pen::new(scale).shifts(width).collect::<Vec<_>>();
        assert_eq!(at(1.0, 2.0), [-0.5, 0.5]);
        assert_eq!(at(2.0, 2.0), [-0.75, -0.25, 0.25, 0.75], "four device pixels at 2×");
        assert_eq!(at(0.5, 2.0), [0.0], "under a device pixel: one hairline");
        assert_eq!(at(10.0, 2.0).len(), 4, "at most four");
    }
}
