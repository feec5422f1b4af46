//! Helpers of the topology view: layout geometry, canvas particles, and the shared
//! "partition mode" switch that the topology and the fault toolbar both use.

pub mod cuts;
pub mod layout;
pub mod particles;
pub mod svg;

use dsplay_core::view::{NodeState, Status};
use std::cell::{Cell, RefCell};
use yew::prelude::*;

/// Whether taps and drags on the topology choose a partition side. Shared by the topology and
/// the fault toolbar: through a [`PartitionModeProvider`] if one is mounted, otherwise through one
/// page-wide switch (so no wiring is needed).
#[derive(Clone, Debug, PartialEq)]
pub struct PartitionMode {
    pub on: bool,
    pub set: Callback<bool>,
}

#[derive(Properties, PartialEq, Debug)]
pub struct ProviderProps {
    #[prop_or_default]
    pub children: Html,
}

/// Optional: scope a partition-mode switch to this subtree (tests, side-by-side views).
#[function_component(PartitionModeProvider)]
pub fn partition_mode_provider(props: &ProviderProps) -> Html {
    let on = use_state_eq(|| false);
    let set = {
        let on = on.clone();
        Callback::from(move |v: bool| on.set(v))
    };
    html! {
        <ContextProvider<PartitionMode> context={PartitionMode { on: *on, set }}>
            {props.children.clone()}
        </ContextProvider<PartitionMode>>
    }
}

thread_local! {
    static MODE: Cell<bool> = const { Cell::new(false) };
    static SUBSCRIBERS: RefCell<Vec<(u64, Callback<()>)>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
}

fn set_global(v: bool) {
    MODE.with(|m| m.set(v));
    let subs: Vec<Callback<()>> = SUBSCRIBERS.with(|s| s.borrow().iter().map(|(_, c)| c.clone()).collect());
    for c in subs {
        c.emit(());
    }
}

/// The partition mode from the nearest provider, or the page-wide one.
#[hook]
pub fn use_partition_mode() -> PartitionMode {
    let shared = use_context::<PartitionMode>();
    let update = use_force_update();
    use_effect_with((), move |_| {
        let id = NEXT_ID.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        let rerender = Callback::from(move |_: ()| update.force_update());
        SUBSCRIBERS.with(|s| s.borrow_mut().push((id, rerender)));
        move || SUBSCRIBERS.with(|s| s.borrow_mut().retain(|(i, _)| *i != id))
    });
    shared.unwrap_or_else(|| PartitionMode { on: MODE.with(Cell::get), set: Callback::from(set_global) })
}

/// `up`, `down` or `paused`: the CSS class and the word read out.
pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::Up => "up",
        Status::Down => "down",
        Status::Paused => "paused",
    }
}

/// What a screen reader says for a node: "n3, leader, term 4, up".
pub fn aria_label(n: &NodeState) -> String {
    let mut parts = vec![n.name.as_str()];
    if !n.view.role.is_empty() {
        parts.push(&n.view.role);
    }
    if !n.view.label.is_empty() {
        parts.push(&n.view.label);
    }
    parts.push(status_word(n.status));
    parts.join(", ")
}

/// How much simulated time a dropped message stays visible: about 0.7 s of wall-clock time at the
/// current speed (sim ms per wall ms), in µs.
pub fn death_window_us(speed: f64) -> u64 {
    ((speed * 700.0).clamp(5.0, 20_000.0) * 1000.0) as u64
}
