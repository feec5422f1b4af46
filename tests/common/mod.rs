//! Shared by the browser tests: the golden trace hashes computed natively by the core's tests
//! (`core/tests/golden/hashes.txt`, one `<preset-id> <16 hex digits>` line per preset, by id).

#[allow(dead_code)] // Only the app tests mount the whole app.
pub mod app;
#[allow(dead_code)] // Only the component tests mount a host.
pub mod host;

const GOLDEN: &str = include_str!("../../core/tests/golden/hashes.txt");

/// Every `(id, hash)` line, in file order.
pub fn golden() -> Vec<(&'static str, &'static str)> {
    GOLDEN
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut it = l.split_whitespace();
            let (id, hash) = (it.next().unwrap_or_default(), it.next().unwrap_or_default());
            assert!(it.next().is_none(), "golden line has extra fields: {l:?}");
            (id, hash)
        })
        .collect()
}

/// The golden hash of one preset.
#[allow(dead_code)] // Not every test file that includes this module uses every function.
pub fn golden_hash(id: &str) -> Option<&'static str> {
    golden().into_iter().find(|(g, _)| *g == id).map(|(_, h)| h)
}

/// What a test can wait for: a condition (`bool`) or something to find (`Option<T>`).
pub trait Ready {
    type Out;
    fn ready(self) -> Option<Self::Out>;
}

impl Ready for bool {
    type Out = ();
    fn ready(self) -> Option<()> {
        self.then_some(())
    }
}

impl<T> Ready for Option<T> {
    type Out = T;
    fn ready(self) -> Option<T> {
        self
    }
}

/// Poll `cond` every 10 ms, letting the page render in between, until it is ready (3,000 polls,
/// 30 s at least); returns what it found. Tests wait on conditions like this, never on time
/// alone. The cap is generous: these are unoptimised builds, and a seek through a busy run took
/// over 1,000 polls with the machine's two cores also compiling.
#[allow(dead_code)]
pub async fn until<R: Ready>(what: &str, cond: impl FnMut() -> R) -> R::Out {
    within(cond).await.unwrap_or_else(|| panic!("timed out waiting for {what}"))
}

/// As [`until`], but a time-out is `None`, not a panic: for a test that changed the page's global
/// state (its theme, the screen's pixel ratio) and must put it back before it fails. A panic is
/// an abort in wasm, so no drop guard would run, and every later test in the binary would see
/// the change (flake audit F13).
#[allow(dead_code)]
pub async fn within<R: Ready>(mut cond: impl FnMut() -> R) -> Option<R::Out> {
    for _ in 0..3000 {
        if let Some(v) = cond().ready() {
            return Some(v);
        }
        yew::platform::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    None
}

/// The first element under `root` matching `sel`.
#[allow(dead_code)]
pub fn find(root: &web_sys::Element, sel: &str) -> Option<web_sys::Element> {
    root.query_selector(sel).ok().flatten()
}

/// Every element under `root` matching `sel`.
#[allow(dead_code)]
pub fn all(root: &web_sys::Element, sel: &str) -> Vec<web_sys::Element> {
    use wasm_bindgen::JsCast;
    let list = root.query_selector_all(sel).expect("a valid selector");
    (0..list.length()).filter_map(|i| list.item(i)).map(|n| n.unchecked_into()).collect()
}

/// Submit `form` as Enter or its submit button does: a bubbling, cancelable `submit` event.
#[allow(dead_code)]
pub fn submit(form: &web_sys::Element) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::Event::new_with_event_init_dict("submit", &init).expect("a submit event");
    form.dispatch_event(&event).expect("dispatch");
}

/// Whether an RGBA pixel is within `tolerance` per channel of the colour `#rrggbb`.
#[allow(dead_code)]
pub fn near(rgba: &[u8], colour: &str, tolerance: i32) -> bool {
    let want = |i: usize| i32::from_str_radix(&colour[1 + 2 * i..3 + 2 * i], 16).expect("a #rrggbb colour");
    (0..3).all(|i| (rgba[i] as i32 - want(i)).abs() <= tolerance)
}

/// Seek and wait until the playhead is there: a long seek goes on over the next frames, and a
/// debug build simulates slowly. `player` reads the current player (it changes every render).
#[allow(dead_code)]
pub async fn seek(player: impl Fn() -> dsplay_web::player::Player, t: dsplay_core::SimTime) {
    player().dispatch.emit(dsplay_web::player::Action::Seek(t));
    let target = t.min(player().session.borrow().stop_at());
    until("the seek to arrive", || player().session.borrow().now() == target).await;
}
