//! A test host: renders components inside a player on a preset, under its own root element
//! (tests run interleaved in one page, so each host keeps its player under its root's id).

use dsplay_core::session::Session;
use dsplay_core::{presets, Scenario};
use dsplay_web::hooks::use_player;
use dsplay_web::player::Player;
use std::cell::RefCell;
use std::collections::BTreeMap;
use web_sys::Element;
use yew::prelude::*;

thread_local! {
    static PLAYERS: RefCell<BTreeMap<String, Player>> = const { RefCell::new(BTreeMap::new()) };
}

pub fn player_of(root: &Element) -> Player {
    PLAYERS.with(|p| p.borrow().get(&root.id()).cloned()).expect("the host rendered")
}
pub fn scenario_of(root: &Element) -> Scenario {
    player_of(root).session.borrow().scenario().clone()
}

#[derive(Properties, PartialEq)]
struct HostProps {
    slot: AttrValue,
    preset: AttrValue,
    children: Html,
}

#[function_component(Host)]
fn host(props: &HostProps) -> Html {
    let session = Session::new(presets::get(&props.preset).expect("preset")).expect("session");
    let player = use_player(session, false, 1.0);
    PLAYERS.with(|p| p.borrow_mut().insert(props.slot.to_string(), player.clone()));
    html! { <ContextProvider<Player> context={player}>{props.children.clone()}</ContextProvider<Player>> }
}

/// Render `children` on `preset` under a new element with id `slot`.
pub fn mount(slot: &str, preset: &str, children: Html) -> Element {
    let doc = web_sys::window().expect("window").document().expect("document");
    let root = doc.create_element("div").expect("div");
    root.set_id(slot);
    doc.body().expect("body").append_child(&root).expect("attach");
    let props = HostProps {
        slot: AttrValue::from(slot.to_string()),
        preset: AttrValue::from(preset.to_string()),
        children,
    };
    yew::Renderer::<Host>::with_root_and_props(root.clone(), props).render();
    root
}
