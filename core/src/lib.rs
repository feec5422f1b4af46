//! # dsplay-core
//!
//! A deterministic discrete-event simulator and the protocol state machines it drives.
//! Sans-IO: no wall clock, no OS randomness, no web APIs. The same [`Scenario`] and seed give
//! the same trace, bit for bit, natively and in WebAssembly.
//!
//! Start at [`registry::build`] (scenario → [`Simulation`]), [`node::Node`] (how a protocol is
//! written) and [`scenario::Scenario`] (what a run is).

pub mod blocks;
pub mod check;
pub mod concepts;
pub mod dist;
pub mod ids;
pub mod node;
pub mod presets;
pub mod protocols;
pub mod readable;
pub mod registry;
pub mod report;
pub mod request_form;
pub mod rng;
pub mod scenario;
pub mod session;
pub mod shard;
pub mod sim;
pub mod spans;
pub mod time;
pub mod view;

pub use ids::NodeId;
pub use scenario::{Scenario, ScenarioError, ScenarioEvent};
pub use sim::{Simulation, Violation};
pub use time::{SimDuration, SimTime};
