//! Painting chart canvases after render, throttled: each canvas at most ~10 times per second while
//! it is on screen and once a second while it is scrolled out of view, charts taking turns (one per
//! task, so no task grows long), and a trailing paint once the gap is over so the last state is
//! always shown. A chart scrolled into view with a paint pending is painted at once, and so is
//! every chart (on screen or not) when the scenario changes and before the page is printed: a
//! chart below the fold kept the previous preset's run for up to a second, in print and in
//! full-page captures too.
//!
//! Off screen is the common case during playback (the charts sit below the stage): painting them
//! at the full rate cost the benchmark's page about 3 ms in its slowest frames, enough to miss one.

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlCanvasElement, IntersectionObserver, IntersectionObserverEntry};
use yew::prelude::*;

/// Shortest wall-clock gap between two paints of one canvas on screen, and off screen.
const REDRAW_MS: f64 = 100.0;
const HIDDEN_REDRAW_MS: f64 = 1000.0;

/// One canvas's throttle.
struct Slot {
    /// When it last painted (wall ms).
    last: f64,
    /// A trailing paint waits on `timer`; `again` is that paint, for a scroll into view.
    pending: bool,
    timer: Option<Timeout>,
    again: Option<Rc<dyn Fn()>>,
    /// On screen, as the IntersectionObserver last said (on screen until it has said).
    visible: bool,
    /// The scenario revision it last painted (see `use_paint`).
    rev: Option<u64>,
}

type Throttle = Rc<RefCell<Slot>>;

/// An IntersectionObserver and its callback (kept alive with it).
type Watched = (IntersectionObserver, Closure<dyn FnMut(js_sys::Array)>);

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

fn redraw<P>(canvas: NodeRef, paint: P, slot: Throttle, rev: u64)
where
    P: Fn(&HtmlCanvasElement) -> Result<(), String> + 'static,
{
    let pending = canvas.cast::<HtmlCanvasElement>();
    let draw: Rc<dyn Fn()> = {
        let slot = slot.clone();
        Rc::new(move || {
            {
                let mut s = slot.borrow_mut();
                s.last = now_wall();
                s.pending = false;
                s.again = None;
                s.rev = Some(rev);
            }
            LAST_ANY.with(|l| l.set(now_wall()));
            let Some(el) = canvas.cast::<HtmlCanvasElement>() else { return };
            if let Err(e) = paint(&el) {
                gloo::console::warn!(e);
            }
            mark(&el, "done");
        })
    };
    let (elapsed, gap, waiting) = {
        let s = slot.borrow();
        (now_wall() - s.last, if s.visible { REDRAW_MS } else { HIDDEN_REDRAW_MS }, s.pending)
    };
    // Another chart drew just now: wait for its turn.
    let turn_taken = now_wall() - LAST_ANY.with(|l| l.get()) < 4.0;
    // Another scenario: the picture is of another run, so it goes now, wherever the chart is.
    let another_run = slot.borrow().rev != Some(rev);
    if another_run || (elapsed >= gap && !turn_taken) {
        // A trailing paint waiting is this one, sooner (dropped here, not from its own timer).
        slot.borrow_mut().timer = None;
        draw();
    } else {
        // The newest request's paint is the one that waits: it holds this render's values. A
        // waiting one kept instead painted an earlier render's (review 35 B3: charts drawn while
        // out of sight, then Present pressed at the run's end, stayed at the unzoomed scale, as
        // no later frame asked again).
        slot.borrow_mut().again = Some(draw);
        if waiting {
            return;
        }
        if let Some(el) = &pending {
            mark(el, "pending");
        }
        let due = slot.clone();
        let timer = Timeout::new((gap - elapsed).max(1.0).ceil() as u32, move || {
            let draw = due.borrow_mut().again.take();
            if let Some(draw) = draw {
                draw();
            }
        });
        let mut s = slot.borrow_mut();
        s.pending = true;
        s.timer = Some(timer);
    }
}

/// Follow whether the canvas is on screen; one coming into view with a paint pending paints now.
fn watch_visibility(canvas: &HtmlCanvasElement, slot: Throttle) -> Option<Watched> {
    let cb = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let Some(last) = entries.iter().last() else { return };
        let visible = last.unchecked_into::<IntersectionObserverEntry>().is_intersecting();
        let now_due = {
            let mut s = slot.borrow_mut();
            s.visible = visible;
            if visible && s.pending {
                s.timer = None;
                s.again.take()
            } else {
                None
            }
        };
        if let Some(draw) = now_due {
            draw();
        }
    });
    let observer = IntersectionObserver::new(cb.as_ref().unchecked_ref()).ok()?;
    observer.observe(canvas);
    Some((observer, cb))
}

/// Before printing, paint now what waits: print shows the current run.
fn paint_before_print(slot: Throttle) -> Option<EventListener> {
    let window = web_sys::window()?;
    Some(EventListener::new(&window, "beforeprint", move |_| {
        let due = slot.borrow_mut().again.take();
        if let Some(draw) = due {
            draw();
        }
    }))
}

/// Paint `canvas` with `paint` after each render in which `deps` changed, throttled; at once,
/// wherever the canvas is, when the scenario revision `rev` is not the one last painted. `paint`
/// reads the shared state (the session) when called; what it captured by value is the latest
/// request's (a trailing paint runs the closure of the newest render that asked for one).
#[hook]
pub fn use_paint<D, P>(canvas: NodeRef, deps: D, rev: u64, paint: P)
where
    D: PartialEq + 'static,
    P: Fn(&HtmlCanvasElement) -> Result<(), String> + 'static,
{
    let slot: Throttle = use_mut_ref(|| Slot {
        last: f64::MIN,
        pending: false,
        timer: None,
        again: None,
        visible: true,
        rev: None,
    });
    {
        let (slot, canvas) = (slot.clone(), canvas.clone());
        use_effect_with((), move |_| {
            let watched = canvas.cast::<HtmlCanvasElement>().and_then(|c| watch_visibility(&c, slot.clone()));
            let print = paint_before_print(slot.clone());
            move || {
                drop(print);
                if let Some((observer, _)) = &watched {
                    observer.disconnect();
                }
                // The pending paint holds the slot: dropping both ends the cycle.
                let mut s = slot.borrow_mut();
                s.timer = None;
                s.again = None;
            }
        });
    }
    use_effect_with(deps, move |_| redraw(canvas, paint, slot, rev));
}
