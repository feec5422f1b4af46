//! Painting chart canvases after render, throttled: each canvas at most ~10 times per second,
//! charts taking turns (one per task, so no task grows long), and a trailing paint once the gap
//! is over so the last state is always shown.

use gloo::timers::callback::Timeout;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// Shortest wall-clock gap between two paints of one canvas.
const REDRAW_MS: f64 = 100.0;

/// Last paint (wall ms), whether a trailing paint is pending, and its timer.
type Throttle = Rc<RefCell<(f64, bool, Option<Timeout>)>>;

thread_local! {
    /// When any chart last painted.
    static LAST_ANY: Cell<f64> = const { Cell::new(f64::MIN) };
}

fn now_wall() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}

/// `data-paint` on the canvas: `pending` while a trailing paint waits, `done` once it shows the
/// latest state (what tests wait for instead of sleeping).
fn mark(el: &HtmlCanvasElement, state: &str) {
    let _ = el.set_attribute("data-paint", state);
}

fn redraw<P>(canvas: NodeRef, paint: P, slot: Throttle)
where
    P: Fn(&HtmlCanvasElement) -> Result<(), String> + 'static,
{
    let pending = canvas.cast::<HtmlCanvasElement>();
    let draw = move |slot: &Throttle| {
        slot.borrow_mut().0 = now_wall();
        LAST_ANY.with(|l| l.set(now_wall()));
        let Some(el) = canvas.cast::<HtmlCanvasElement>() else { return };
        if let Err(e) = paint(&el) {
            gloo::console::warn!(e);
        }
        mark(&el, "done");
    };
    let elapsed = now_wall() - slot.borrow().0;
    let turn_taken = now_wall() - LAST_ANY.with(|l| l.get()) < 4.0; // another chart drew just now
    if elapsed >= REDRAW_MS && !turn_taken {
        draw(&slot);
    } else if !slot.borrow().1 {
        if let Some(el) = &pending {
            mark(el, "pending");
        }
        // The pending paint reads the state when it runs, so later requests can be dropped.
        let s = slot.clone();
        let timer = Timeout::new((REDRAW_MS - elapsed).max(1.0).ceil() as u32, move || {
            s.borrow_mut().1 = false;
            draw(&s);
        });
        let mut st = slot.borrow_mut();
        st.1 = true;
        st.2 = Some(timer);
    }
}

/// Paint `canvas` with `paint` after each render in which `deps` changed, throttled. `paint`
/// must read the state when called (a trailing paint runs the closure of an earlier render).
#[hook]
pub fn use_paint<D, P>(canvas: NodeRef, deps: D, paint: P)
where
    D: PartialEq + 'static,
    P: Fn(&HtmlCanvasElement) -> Result<(), String> + 'static,
{
    let slot: Throttle = use_mut_ref(|| (f64::MIN, false, None));
    {
        let slot = slot.clone();
        use_effect_with((), move |_| move || drop(slot.borrow_mut().2.take()));
    }
    use_effect_with(deps, move |_| redraw(canvas, paint, slot));
}
