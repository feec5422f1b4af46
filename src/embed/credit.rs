//! The embed's "open in dsplay ↗" link: the full app on the embedded session, at its playhead.

use crate::player::Player;
use crate::urlsync::share_url;
use web_sys::HtmlAnchorElement;
use yew::prelude::*;

/// The link's address is the session's, written the moment it is used (pointer down, focus or
/// click) rather than on every frame: encoding the scenario costs more than a frame should.
#[function_component(OpenInApp)]
pub fn open_in_app() -> Html {
    let p = use_context::<Player>();
    let anchor = use_node_ref();
    let Some(p) = p else { return html! {} };
    let refresh = {
        let anchor = anchor.clone();
        move || {
            if let Some(a) = anchor.cast::<HtmlAnchorElement>() {
                a.set_href(&share_url(&p));
            }
        }
    };
    let (on_down, on_focus, on_click) = {
        let (a, b, c) = (refresh.clone(), refresh.clone(), refresh);
        (
            Callback::from(move |_: PointerEvent| a()),
            Callback::from(move |_: FocusEvent| b()),
            Callback::from(move |_: MouseEvent| c()),
        )
    };
    html! {
        <a ref={anchor} class="embed-credit" href="./" target="_blank" rel="noopener"
            onpointerdown={on_down} onfocus={on_focus} onclick={on_click}>{"open in dsplay"}<span aria-hidden="true">{" ↗"}</span></a>
    }
}
