//! The embed's "open in dsplay ↗" link: the full app on the embedded session, at its playhead.

use crate::player::Player;
use crate::urlsync::share_url;
use web_sys::HtmlAnchorElement;
use yew::prelude::*;

/// The link's address is the session's, written the moment it is used (hover, pointer down,
/// focus or click) rather than on every frame: encoding the scenario costs more than a frame
/// should. It is also written when the scenario changes and while paused when the playhead
/// moves, as the address bar's sync does: with `./` in between, a copied link address opened
/// the default preset (review 47 C10).
#[function_component(OpenInApp)]
pub fn open_in_app() -> Html {
    let p = use_context::<Player>();
    let anchor = use_node_ref();
    let moved = p.as_ref().filter(|p| !p.playing && p.travel.is_none()).map_or(0, |p| p.frame);
    let key = p.as_ref().map(|p| (p.scenario_rev, p.playing, moved));
    {
        let (anchor, p) = (anchor.clone(), p.clone());
        use_effect_with(key, move |_| {
            if let (Some(a), Some(p)) = (anchor.cast::<HtmlAnchorElement>(), p) {
                a.set_href(&share_url(&p));
            }
        });
    }
    let Some(p) = p else { return html! {} };
    let refresh = {
        let anchor = anchor.clone();
        move || {
            if let Some(a) = anchor.cast::<HtmlAnchorElement>() {
                a.set_href(&share_url(&p));
            }
        }
    };
    let (on_enter, on_down, on_focus, on_click) = {
        let (a, b, c, d) = (refresh.clone(), refresh.clone(), refresh.clone(), refresh);
        (
            Callback::from(move |_: PointerEvent| a()),
            Callback::from(move |_: PointerEvent| b()),
            Callback::from(move |_: FocusEvent| c()),
            Callback::from(move |_: MouseEvent| d()),
        )
    };
    html! {
        <a ref={anchor} class="embed-credit" href="./" target="_blank" rel="noopener" onpointerenter={on_enter}
            onpointerdown={on_down} onfocus={on_focus} onclick={on_click}>{"open in dsplay"}<span aria-hidden="true">{" ↗"}</span></a>
    }
}
