//! Keep the address bar's fragment equal to the session (`#s=…&t=…`) so "copy link" is always
//! just the URL. Written when the scenario changes and when playback stops, not every frame.

use crate::player::Player;
use yew::prelude::*;

/// Replace the fragment without adding a history entry.
pub fn write_fragment(fragment: &str) {
    let Some(w) = web_sys::window() else { return };
    let Ok(history) = w.history() else { return };
    let url = format!(
        "{}{}{}",
        w.location().pathname().unwrap_or_default(),
        w.location().search().unwrap_or_default(),
        fragment
    );
    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
}

/// The page's full link for the current session.
pub fn share_url(p: &Player) -> String {
    let frag = p.session.borrow().fragment();
    let Some(w) = web_sys::window() else { return frag };
    let loc = w.location();
    format!("{}{}{}", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default(), frag)
}

#[hook]
pub fn use_url_sync(p: &Player, enabled: bool) {
    // While paused every change (seek, step, action) rewrites the playhead; while playing only
    // scenario changes do.
    let key = (p.scenario_rev, p.playing, if p.playing { 0 } else { p.frame });
    let session = p.session.clone();
    let playing = p.playing;
    use_effect_with(key, move |_| {
        if enabled && !playing {
            write_fragment(&session.borrow().fragment());
        }
    });
}
