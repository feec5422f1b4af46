//! Page components. Each renders views it reads from the `Player` context (or plain props) and
//! changes things only by dispatching actions; none knows a protocol.

pub mod charts;
pub mod compare;
pub mod controls;
pub mod editor;
pub mod embed_dialog;
pub mod eventlog;
pub mod faults;
pub mod frozen;
pub mod gallery;
pub mod history;
pub mod inspector;
pub mod invariants;
pub mod lesson;
pub mod lesson_editor;
pub mod lincheck;
pub mod logs;
pub mod markdown;
pub mod modal;
pub mod narrator;
pub mod notice;
pub mod picture_key;
pub mod run_exports;
pub mod share;
pub mod shortcuts;
pub mod spacetime;
pub mod spacetime_pick;
pub mod status;
pub mod tabs;
pub mod timeline;
pub mod topology;
pub mod tour_card;
pub mod traces;

use crate::player::Player;
use yew::Properties;

/// The props of the inner half of a component split in two around the `Player` context: the outer
/// half reads the context and draws the inner one only under a player, so every hook of the inner
/// half runs on every render (a hook after an early return breaks Yew's rule on hook order).
#[derive(Properties, PartialEq)]
pub struct OfPlayer {
    pub player: Player,
}

pub use charts::Charts;
pub use compare::Compare;
pub use controls::Controls;
pub use editor::Editor;
pub use embed_dialog::EmbedDialog;
pub use eventlog::EventLog;
pub use faults::Faults;
pub use gallery::Gallery;
pub use history::History;
pub use inspector::Inspector;
pub use invariants::Invariants;
pub use lesson::Lesson;
pub use logs::Logs;
pub use narrator::Narrator;
pub use share::Share;
pub use shortcuts::Shortcuts;
pub use spacetime::SpaceTime;
pub use status::Status;
pub use tabs::Tabs;
pub use timeline::Timeline;
pub use topology::Topology;
pub use tour_card::TourCard;
pub use traces::Traces;
