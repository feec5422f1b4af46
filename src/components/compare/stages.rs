//! Compare's two stages side by side: A and B at the same playhead, drawn by the stage's own
//! [`Topology`], so round robin's pile on the slow backend stands beside least connections'
//! empty one. Each stage is only looked at: it gets a player of its own whose actions go nowhere
//! (a crash or a partition belongs on the main stage, where it goes into the link). A spotlight
//! picked in the main stage's legend dims both.

use super::SharedB;
use crate::components::topology::Topology;
use crate::player::{Action, Player};
use dsplay_core::session::Session;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StagesProps {
    pub b: SharedB,
    /// How far B has run (µs): its view is built again when it moves.
    pub b_now: u64,
    pub built: u64,
}

/// A player that draws `session` as it is now, as `main` (the page's player) plays, and does
/// nothing asked of it.
fn looked_at(main: &Player, session: Rc<RefCell<Session>>, view: Rc<dsplay_core::view::WorldView>) -> Player {
    let dispatch = Callback::from(|_: Action| ());
    let mut ui = main.ui.clone();
    (ui.selected, ui.error, ui.tour, ui.presenting) = (None, None, false, false);
    Player { session, ui, view, dispatch }
}

#[function_component(Stages)]
pub fn stages(props: &StagesProps) -> Html {
    let player = use_context::<Player>();
    let shown = crate::components::tabs::use_panel_shown();
    // B's view, built when B moves (not on every frame of A's).
    let b_view = {
        let b = props.b.clone();
        use_memo((props.b_now, props.built), move |_| {
            b.0.borrow().as_ref().map(|r| (r.session.clone(), Rc::new(r.session.borrow().sim().view())))
        })
    };
    // A hidden panel draws nothing: two stages a frame, unseen, would cost as much as the page's.
    let (Some(player), Some((b_session, b_view)), true) = (player, (*b_view).clone(), shown) else {
        return html! {};
    };
    let a = looked_at(&player, player.session.clone(), player.view.clone());
    let b = looked_at(&player, b_session, b_view);
    let (label, paths) = props
        .b
        .0
        .borrow()
        .as_ref()
        .map(|r| (r.label().to_string(), r.paths().to_string()))
        .unwrap_or_default();
    html! {
        <div class="compare-stages">
            <figure class="compare-stage" data-run="A">
                <figcaption>{"A: as the scenario is"}</figcaption>
                <ContextProvider<Player> context={a}><Topology looked_at=true /></ContextProvider<Player>>
            </figure>
            <figure class="compare-stage" data-run="B">
                <figcaption title={paths}>{format!("B: {label}")}</figcaption>
                <ContextProvider<Player> context={b}><Topology looked_at=true /></ContextProvider<Player>>
            </figure>
        </div>
    }
}
