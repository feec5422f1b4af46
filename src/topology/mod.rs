//! Helpers of the topology view: layout geometry, canvas particles, the toolbar (with the surge
//! button) and the "partition mode" switch.

pub mod cuts;
pub mod layout;
pub mod particles;
pub mod surge;
pub mod svg;

use dsplay_core::view::{NodeState, Status};
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
