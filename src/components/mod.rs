//! Page components. Each renders views it reads from the `Player` context (or plain props) and
//! changes things only by dispatching actions; none knows a protocol.

pub mod charts;
pub mod compare;
pub mod controls;
pub mod editor;
pub mod eventlog;
pub mod faults;
pub mod gallery;
pub mod inspector;
pub mod invariants;
pub mod lesson;
pub mod lesson_editor;
pub mod lincheck;
pub mod markdown;
pub mod narrator;
pub mod notice;
pub mod picture_key;
pub mod share;
pub mod shortcuts;
pub mod spacetime;
pub mod status;
pub mod tabs;
pub mod timeline;
pub mod topology;
pub mod traces;

pub use charts::Charts;
pub use compare::Compare;
pub use controls::Controls;
pub use editor::Editor;
pub use eventlog::EventLog;
pub use faults::Faults;
pub use gallery::Gallery;
pub use inspector::Inspector;
pub use invariants::Invariants;
pub use lesson::Lesson;
pub use narrator::Narrator;
pub use share::Share;
pub use shortcuts::Shortcuts;
pub use spacetime::SpaceTime;
pub use status::Status;
pub use tabs::Tabs;
pub use timeline::Timeline;
pub use topology::Topology;
pub use traces::Traces;
