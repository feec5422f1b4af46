//! Keep the address bar's fragment equal to the session (`#s=…&t=…`) so "copy link" is always
//! just the URL. Written when the scenario changes and when playback stops, not every frame. A
//! link pasted into the address bar of an open page (only the fragment changes, so the page does
//! not reload) opens like a fresh one, or is refused with the banner and the session kept.

use crate::link;
use crate::player::{Action, Player};
use dsplay_core::scenario::{LinkProblem, Playhead};
use dsplay_core::SimTime;
use gloo::events::EventListener;
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

/// Keep `fragment` (the session on screen) in this history entry and start a new entry, which the
/// next write fills with the scenario opened next: Back then returns to this one.
pub fn new_entry(fragment: &str) {
    write_fragment(fragment);
    let Some(w) = web_sys::window() else { return };
    let (Ok(history), Ok(href)) = (w.history(), w.location().href()) else { return };
    let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href));
}

/// The session's link fragment. While a long seek is under way it names where the playhead is
/// going, not where it has got to: a reload or a copied link then lands where the user asked.
pub fn fragment(p: &Player) -> String {
    let s = p.session.borrow();
    s.fragment_at(p.travel.unwrap_or_else(|| s.playhead()))
}

/// The page's full link for the current session.
pub fn share_url(p: &Player) -> String {
    let frag = fragment(p);
    let Some(w) = web_sys::window() else { return frag };
    let loc = w.location();
    format!("{}{}{}", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default(), frag)
}

/// A page opened from a refused link leaves that link in the address bar (the banner says why it
/// was refused) until the user changes something: the scenario, or the playhead.
#[hook]
pub fn use_url_sync(p: &Player, enabled: bool) {
    // While paused every change (seek, step, action) rewrites the playhead; while playing only
    // scenario changes do, and while travelling only a new target does.
    let moved = if p.playing || p.travel.is_some() { 0 } else { p.frame };
    let key = (p.scenario_rev, p.playing, p.travel, moved);
    let session = p.session.clone();
    let playing = p.playing;
    let player = p.clone();
    // Read once, at the first render (not on every frame).
    let held = use_mut_ref(|| {
        let refused = link::scenario_from_hash(&link::current_hash()).is_err();
        refused.then(|| (p.scenario_rev, p.session.borrow().now()))
    });
    let rev = p.scenario_rev;
    use_effect_with(key, move |_| {
        if !enabled || playing {
            return;
        }
        let now = session.borrow().now();
        if held.borrow().is_some_and(|boot| boot == (rev, now)) {
            return;
        }
        *held.borrow_mut() = None;
        write_fragment(&fragment(&player));
    });
}

/// Follow `hashchange`: our own writes use `replaceState`, which fires none, so each one is the
/// user's (a pasted link, Back or Forward). A good link loads at its playhead; a bad one or an
/// empty fragment leaves the session alone and puts the session's own link back in the address
/// bar, so a reload cannot lose the work.
#[hook]
pub fn use_follow_hash(p: &Player) {
    let (session, dispatch) = (p.session.clone(), p.dispatch.clone());
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|w| {
            EventListener::new(&w, "hashchange", move |e| {
                // The event's own URL: the location may have been rewritten since it fired.
                let url = js_sys::Reflect::get(e, &"newURL".into()).ok().and_then(|u| u.as_string());
                let hash = url.and_then(|u| u.find('#').map(|i| u[i..].to_string())).unwrap_or_default();
                let own = session.borrow().fragment();
                if hash == own {
                    return;
                }
                let hash = link::percent_decoded(&hash);
                match link::scenario_from_hash(&hash) {
                    // Back, Forward or a pasted link would replace the run and the Editor's
                    // changes not applied yet: asked first, as a gallery pick is (review 48 C7).
                    // Cancel keeps both, and an entry of their own for this run, so the address
                    // bar names it and the entry Back reached keeps its link.
                    Ok(Some(_))
                        if !crate::components::editor::may_discard_edits("the run at this address") =>
                    {
                        new_entry(&own);
                    }
                    Ok(Some(sc)) => {
                        let said =
                            dsplay_core::scenario::link_problems(&hash, SimTime::from_ms(sc.stop_at_ms));
                        dispatch.emit(Action::Load(sc));
                        let p = Playhead::parse(&hash).unwrap_or(Playhead::at(SimTime::ZERO));
                        dispatch.emit(Action::Goto(p));
                        if !said.is_empty() {
                            let said: Vec<String> = said.iter().map(LinkProblem::said).collect();
                            dispatch.emit(Action::Notice(Some(said.join(" "))));
                        }
                    }
                    Ok(None) => write_fragment(&own),
                    Err(why) => {
                        write_fragment(&own);
                        dispatch.emit(Action::Notice(Some(format!("{why} Your session is unchanged."))));
                    }
                }
            })
        });
        move || drop(listener)
    });
}
