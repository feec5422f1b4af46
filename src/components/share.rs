//! Share: copy the link (scenario + playhead), and open the Embed dialog for a course page.

use crate::player::Player;
use crate::urlsync::share_url;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// Copy `text`, then say `what` was copied. Where there is no clipboard (a page served over
/// plain http, an old browser) or it refuses, the text is offered in a prompt to copy by hand.
pub fn copy(text: String, done: UseStateHandle<Option<&'static str>>, what: &'static str) {
    let Some(w) = web_sys::window() else { return };
    let clipboard = js_sys::Reflect::get(&w.navigator(), &JsValue::from_str("clipboard"));
    if !clipboard.is_ok_and(|c| c.is_object()) {
        by_hand(&text);
        return;
    }
    let promise = w.navigator().clipboard().write_text(&text);
    let on_done = Closure::once(move |_: JsValue| done.set(Some(what)));
    let on_refused = Closure::once(move |_: JsValue| by_hand(&text));
    let _ = promise.then2(&on_done, &on_refused);
    // The promise settles once; the two small closures are intentionally kept alive until then.
    on_done.forget();
    on_refused.forget();
}

fn by_hand(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.prompt_with_message_and_default("The clipboard is not available here. Copy this:", text);
    }
}

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    /// Open the Embed dialog (the app shows it, over everything).
    pub on_embed: Callback<()>,
}

#[function_component(Share)]
pub fn share(props: &ShareProps) -> Html {
    let done = use_state(|| None::<&'static str>);
    // The note goes after a few seconds (on a phone it is a toast over the page); a new note, or
    // leaving the page, cancels the pending timer.
    {
        let clear = done.clone();
        use_effect_with(*done, move |note| {
            let timer = note.map(|_| gloo::timers::callback::Timeout::new(3_000, move || clear.set(None)));
            move || drop(timer)
        });
    }
    let Some(p) = use_context::<Player>() else { return html! {} };
    let on_link = {
        let (p, done) = (p.clone(), done.clone());
        Callback::from(move |_: MouseEvent| {
            crate::urlsync::write_fragment(&crate::urlsync::fragment(&p));
            let what = if crate::components::editor::has_unapplied_edits() {
                "Link copied, of the run as last applied: the Editor's changes are not in it until you Apply them"
            } else {
                "Link copied"
            };
            copy(share_url(&p), done.clone(), what);
        })
    };
    let on_embed = props.on_embed.reform(|_: MouseEvent| ());
    html! {
        <div class="share">
            <button id="copy-link" onclick={on_link} title="Copy a link that replays this session exactly">{"Copy link"}</button>
            <button id="embed" onclick={on_embed} aria-haspopup="dialog"
                title="Embed this run in a course page: choose how it opens and plays, preview it, copy the code"
                aria-label="Embed in a course page"><span class="long">{"Embed…"}</span>
                <span class="short" aria-hidden="true">{"Embed"}</span></button>
            <span class="copied" role="status">{ (*done).unwrap_or("") }</span>

        </div>
    }
}
