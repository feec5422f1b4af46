//! Embedding: the options an `<iframe>` page reads from its query string, the iframe snippet to
//! copy, and the pieces that keep an embed cheap (pause when hidden or off-screen, honour
//! `prefers-reduced-motion`).

use crate::player::{Action, Player};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{IntersectionObserver, IntersectionObserverEntry};
use yew::prelude::*;

/// How much of the player chrome an embed shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Controls {
    /// Play/pause and the time slider only.
    #[default]
    Min,
    Full,
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Dark,
    Light,
}

/// `?embed=1&preset=ID&autoplay=1&speed=2&t=3000&controls=min|full|none&theme=dark|light`.
/// Unknown keys and malformed values are ignored (the default is kept).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedOptions {
    pub embed: bool,
    pub preset: Option<String>,
    pub autoplay: bool,
    /// Clamped to the player's 0.1–100×.
    pub speed: Option<f64>,
    /// Initial playhead in ms.
    pub t_ms: Option<u64>,
    pub controls: Controls,
    /// `None`: follow the page / system theme.
    pub theme: Option<Theme>,
}

fn truthy(v: &str) -> bool {
    matches!(v, "1" | "true" | "yes" | "on" | "")
}

/// `%XX` and `+` decoding; invalid escapes are kept verbatim.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl EmbedOptions {
    /// Parse a query string, with or without the leading `?` (a `#fragment` is ignored).
    pub fn parse(query: &str) -> Self {
        let query = query.split('#').next().unwrap_or_default();
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut o = EmbedOptions::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = decode(v);
            match decode(k).as_str() {
                "embed" => o.embed = truthy(&v),
                "preset" if !v.is_empty() && v.len() <= 100 => o.preset = Some(v),
                "autoplay" => o.autoplay = truthy(&v),
                "speed" => {
                    o.speed = v
                        .parse::<f64>()
                        .ok()
                        .filter(|s| s.is_finite() && *s > 0.0)
                        .map(|s| s.clamp(crate::player::MIN_SPEED, crate::player::MAX_SPEED))
                }
                "t" => o.t_ms = v.parse().ok(),
                "controls" => {
                    o.controls = match v.as_str() {
                        "full" => Controls::Full,
                        "none" => Controls::None,
                        _ => Controls::Min,
                    }
                }
                "theme" => {
                    o.theme = match v.as_str() {
                        "dark" => Some(Theme::Dark),
                        "light" => Some(Theme::Light),
                        _ => None,
                    }
                }
                _ => {}
            }
        }
        o
    }

    /// The page's own options (`window.location.search`).
    pub fn from_location() -> Self {
        let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        Self::parse(&search)
    }
}

/// What an embed shows: a preset, or a scenario link fragment (`#s=…&t=…`).
#[derive(Clone, Debug, PartialEq)]
pub enum EmbedSource {
    Preset(String),
    Fragment(String),
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The `<iframe>` snippet for `source`, served from `base` (the page URL without query or hash).
pub fn embed_code(base: &str, source: &EmbedSource, title: &str) -> String {
    let src = match source {
        EmbedSource::Preset(id) => {
            let id: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            format!("{base}?embed=1&preset={id}")
        }
        EmbedSource::Fragment(f) => format!("{base}?embed=1#{}", f.trim_start_matches('#')),
    };
    format!(
        r#"<iframe src="{}" width="720" height="420" loading="lazy" title="{}"></iframe>"#,
        escape_attr(&src),
        escape_attr(title)
    )
}

/// The snippet for this page, also written to the clipboard when the browser allows it.
pub fn copy_embed_code(source: &EmbedSource, title: &str) -> String {
    let loc = web_sys::window().map(|w| w.location());
    let base = loc
        .map(|l| format!("{}{}", l.origin().unwrap_or_default(), l.pathname().unwrap_or_default()))
        .unwrap_or_default();
    let code = embed_code(&base, source, title);
    if let Some(w) = web_sys::window() {
        // Best effort: the promise is dropped (copy needs a user gesture and a secure context).
        let _ = w.navigator().clipboard().write_text(&code);
    }
    code
}

/// `(prefers-reduced-motion: reduce)`.
pub fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Shared between the listeners: the latest player and why we paused.
#[derive(Default)]
struct Watch {
    playing: bool,
    dispatch: Option<Callback<Action>>,
    page_hidden: bool,
    off_screen: bool,
    paused_by_us: bool,
}

impl Watch {
    fn update(&mut self) {
        let Some(dispatch) = self.dispatch.clone() else { return };
        if self.page_hidden || self.off_screen {
            if self.playing {
                self.paused_by_us = true;
                self.playing = false;
                dispatch.emit(Action::Pause);
            }
        } else if self.paused_by_us {
            self.paused_by_us = false;
            dispatch.emit(Action::Play);
        }
    }
}

/// Pause while the page is hidden or `root` is out of the viewport; resume when it comes back if
/// it had been playing.
#[hook]
pub fn use_visibility_pause(player: &Player, root: NodeRef) {
    let watch = use_mut_ref(Watch::default);
    {
        let mut w = watch.borrow_mut();
        w.playing = player.playing;
        w.dispatch = Some(player.dispatch.clone());
        if player.playing {
            w.paused_by_us = false;
        }
    }
    use_effect_with(root, move |root| {
        let doc = web_sys::window().and_then(|w| w.document());
        let listener = doc.map(|doc| {
            let watch = watch.clone();
            gloo::events::EventListener::new(&doc.clone().into(), "visibilitychange", move |_| {
                let mut w = watch.borrow_mut();
                w.page_hidden = doc.hidden();
                w.update();
            })
        });
        let observer = observe(root, watch);
        move || {
            drop(listener);
            if let Some((obs, _closure)) = observer {
                obs.disconnect();
            }
        }
    });
}

type Observed = (IntersectionObserver, Closure<dyn FnMut(js_sys::Array)>);

fn observe(root: &NodeRef, watch: Rc<RefCell<Watch>>) -> Option<Observed> {
    let el = root.cast::<web_sys::Element>()?;
    let closure = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let Some(last) = entries.iter().last() else { return };
        let entry: IntersectionObserverEntry = last.unchecked_into();
        let mut w = watch.borrow_mut();
        w.off_screen = !entry.is_intersecting();
        w.update();
    });
    let obs = IntersectionObserver::new(closure.as_ref().unchecked_ref()).ok()?;
    obs.observe(&el);
    Some((obs, closure))
}
