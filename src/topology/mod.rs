//! Helpers of the topology view: layout geometry, the routes links take, canvas particles, the
//! toolbar (with the surge button) and the "partition mode" switch.

pub mod cuts;
pub mod held;
pub mod kind_colour;
pub mod layout;
pub mod load;
pub mod log_strip;
pub mod particles;
pub mod pen;
pub mod ring;
pub mod route;
pub mod split;
pub mod surge;
pub mod svg;

use dsplay_core::view::{NodeState, Status};
use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Whether taps and drags on the topology choose a partition side (the ✂ Partition switch).
#[derive(Clone, Debug, PartialEq)]
pub struct PartitionMode {
    pub on: bool,
    pub set: Callback<bool>,
}

/// The topology's partition-mode switch, off at first.
#[hook]
pub fn use_partition_mode() -> PartitionMode {
    let on = use_state_eq(|| false);
    let set = {
        let on = on.clone();
        Callback::from(move |v: bool| on.set(v))
    };
    PartitionMode { on: *on, set }
}

/// While partition mode is on, Esc (anywhere on the page) turns it off, and does nothing else:
/// heard first (in the capture phase) and kept from the page's keys, which also left Present on
/// the same press (review 35 B2). Esc takes off one layer at a time.
#[hook]
pub fn use_escape_leaves(mode: &PartitionMode) {
    let (on, set) = (mode.on, mode.set.clone());
    use_effect_with(on, move |on| {
        let doc = web_sys::window().and_then(|w| w.document()).filter(|_| *on);
        let listener = doc.map(|d| {
            let first = EventListenerOptions::run_in_capture_phase();
            let d2 = d.clone();
            EventListener::new_with_options(&d, "keydown", first, move |e| {
                // A dialog open over it (Help) is the top layer: its Esc closes it first.
                let dialog = || d2.query_selector(".dialog-backdrop").ok().flatten().is_some();
                if e.dyn_ref::<web_sys::KeyboardEvent>().is_some_and(|k| k.key() == "Escape") && !dialog() {
                    e.stop_propagation();
                    set.emit(false);
                }
            })
        });
        move || drop(listener)
    });
}

/// The partition groups after cutting the nodes `side` (indices) off, on top of the partition in
/// force (`NodeState::group`): each group keeps its other nodes and `side` becomes a group of its
/// own. The largest remaining group is left unlisted (a `Partition` event's "everyone else").
/// `None` when that changes nothing: `side` is empty, is every node, or already a group alone.
pub fn cut_off(nodes: &[NodeState], side: &[usize]) -> Option<Vec<Vec<String>>> {
    let cut = |i: usize| side.contains(&i);
    if side.is_empty() || (0..nodes.len()).all(cut) {
        return None;
    }
    let mut ids: Vec<u32> = nodes.iter().map(|n| n.group).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut rest: Vec<Vec<String>> = ids
        .iter()
        .map(|g| {
            let names = nodes.iter().enumerate().filter(|&(i, n)| n.group == *g && !cut(i));
            names.map(|(_, n)| n.name.clone()).collect::<Vec<String>>()
        })
        .filter(|g| !g.is_empty())
        .collect();
    let alone = side.iter().all(|&i| {
        let g = nodes.get(i).map(|n| n.group);
        g != Some(0) && nodes.iter().enumerate().all(|(j, n)| (Some(n.group) == g) == cut(j))
    });
    if alone {
        return None;
    }
    if let Some(big) = (0..rest.len()).max_by_key(|&k| (rest[k].len(), std::cmp::Reverse(k))) {
        rest.remove(big);
    }
    rest.push(side.iter().filter_map(|&i| nodes.get(i)).map(|n| n.name.clone()).collect());
    Some(rest)
}

/// `up`, `down` or `paused`: the CSS class and the word read out.
pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::Up => "up",
        Status::Down => "down",
        Status::Paused => "paused",
    }
}

/// The role a node shows under its name. A crashed node shows "down": what a protocol says of it
/// is the state it restarts in (a crashed Raft leader is already a follower), not a role it plays.
pub fn shown_role(n: &NodeState) -> &str {
    match n.status {
        Status::Down => "down",
        _ => &n.view.role,
    }
}

/// What a screen reader says for a node: "n3, leader, term 4, up"; "n4, down, term 1".
pub fn aria_label(n: &NodeState) -> String {
    let mut parts = vec![n.name.as_str()];
    let role = shown_role(n);
    if !role.is_empty() {
        parts.push(role);
    }
    if !n.view.label.is_empty() {
        parts.push(&n.view.label);
    }
    if n.status != Status::Down {
        parts.push(status_word(n.status));
    }
    // The badges too: a screen reader hears them, and a pointer reads those a crowded column
    // has no room to draw.
    // Raft's leader has role "leader" and a "leader" badge: said once.
    let badges = n.view.alerts.iter().chain(&n.view.badges).map(String::as_str);
    parts.extend(badges.filter(|b| *b != role));
    let log = n.view.log.as_ref().map(log_strip::describe);
    parts.extend(log.as_deref());
    parts.join(", ")
}

/// How much simulated time a dropped message stays visible: about 0.7 s of wall-clock time at the
/// current speed, in µs.
pub fn death_window_us(speed: f64) -> u64 {
    sim_window_us(speed, 700.0, 20_000.0)
}

/// How much simulated time a delivery's streak stays on its link: about 0.3 s of wall-clock time
/// at the current speed (long enough to see at 1×, short enough that an all-to-all quorum does
/// not light every link at once), in µs.
pub fn streak_window_us(speed: f64) -> u64 {
    sim_window_us(speed, 300.0, 10_000.0)
}

/// The simulated time (µs) that `wall_ms` of wall-clock time covers at `speed` (sim ms per wall
/// ms), at least 1 ms and at most `max_sim_ms`.
fn sim_window_us(speed: f64, wall_ms: f64, max_sim_ms: f64) -> u64 {
    ((speed * wall_ms).clamp(1.0, max_sim_ms) * 1000.0) as u64
}
