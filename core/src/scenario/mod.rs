//! Scenarios as data: everything a run depends on, in one serde value.
//!
//! A scenario is the seed, the protocol and its knobs, the network model, the workload, a timeline
//! of events (faults, user actions) and a stop time. The same scenario gives the same trace on every
//! machine; the URL codec puts it in a link. `validate()` enforces limits so that no input can
//! freeze a tab or exhaust memory, and every error names the field that is wrong.

mod chaos;
mod codec;
mod error;
mod events;
pub mod fault_spans;
mod link_problem;
mod network;
pub mod slow_motion;
pub mod tour;
mod validate;
mod workload;

pub use chaos::ChaosConfig;
pub use codec::{decode_fragment, encode_fragment, Playhead, MAX_FRAGMENT, MAX_JSON_BYTES};
pub use error::{whole_in_digits, ScenarioError};
pub use events::{ScenarioEvent, Timed};
pub use link_problem::{link_problems, quoted, LinkProblem};
pub use network::{LinkOverride, LinkSpec, NetworkConfig, Regions};
pub use validate::limits;
pub(crate) use validate::CLOSED_LOOP_HAS_NO_RATE;
pub use workload::{Arrival, Burst, Keys, Workload};

use crate::protocols::ProtocolConfig;
use serde::{Deserialize, Serialize};

/// The scenario format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A complete, replayable description of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Format version (currently 1).
    pub v: u32,
    #[serde(default)]
    pub meta: Meta,
    pub seed: u64,
    /// Simulated time at which the run ends.
    pub stop_at_ms: u64,
    pub protocol: ProtocolConfig,
    #[serde(default)]
    pub network: NetworkConfig,
    #[serde(default)]
    pub workload: Workload,
    /// Faults and user actions, in time order (ties keep their order).
    #[serde(default)]
    pub events: Vec<Timed>,
    #[serde(default)]
    pub sim: SimOptions,
    /// R6: seeded chaos, expanded into fault events when the simulation is built (off if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chaos: Option<ChaosConfig>,
}

/// What a person reads about the scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub title: String,
    /// Catalog IDs this scenario teaches (`T1`, `D4`, …).
    #[serde(default)]
    pub concepts: Vec<String>,
    /// Markdown: what to do, what to watch, why it happens.
    #[serde(default)]
    pub lesson: String,
    /// The lesson's key moments, played slower (see [`slow_motion`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slow_motion: Vec<slow_motion::SlowMotion>,
    /// The view under the stage the page opens on, when it is not the charts: a lesson about
    /// clocks is read on the space-time diagram (its tour said "click an event on the diagram"
    /// with the charts open and no diagram on the page: review 38 B1).
    #[serde(default, skip_serializing_if = "RunView::is_charts")]
    pub opens_on: RunView,
}

/// The views under the stage a scenario can open on (`meta.opens_on`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RunView {
    #[default]
    Charts,
    SpaceTime,
}

impl RunView {
    fn is_charts(&self) -> bool {
        *self == RunView::Charts
    }
}

impl Meta {
    /// What to call the scenario on screen: its title, else its id, else what it runs (a scenario
    /// written by hand may leave both out), e.g. "Untitled raft scenario".
    pub fn shown_title(&self, protocol: &ProtocolConfig) -> String {
        [&self.title, &self.id].into_iter().map(|t| t.trim()).find(|t| !t.is_empty()).map_or_else(
            || format!("Untitled {} scenario", protocol.kind().replace('_', " ")),
            str::to_string,
        )
    }

    /// The id to name files after: `scenario` when there is none.
    pub fn file_id(&self) -> &str {
        match self.id.trim() {
            "" => "scenario",
            id => id,
        }
    }
}

/// Knobs of the simulator itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimOptions {
    /// Requested metric sample interval (widened for long runs).
    pub metrics_interval_ms: u64,
    /// Trace records kept in memory (the hash covers all of them).
    pub trace_capacity: u32,
    /// Safety valve: the run stops after this many events.
    pub max_events: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions { metrics_interval_ms: 100, trace_capacity: 100_000, max_events: 50_000_000 }
    }
}

impl Scenario {
    /// Whether the script crashes a node refusing connections: its run sends resets (the legend
    /// lists `RST`) and its balancer counts `refused` from the start.
    pub fn crashes_refusing(&self) -> bool {
        self.events.iter().any(|e| matches!(e.event, ScenarioEvent::CrashRefusing { .. }))
    }

    /// Parse JSON, naming the path of the first bad field, then validate.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > MAX_JSON_BYTES {
            return Err(ScenarioError::TooLarge { bytes: text.len(), limit: MAX_JSON_BYTES });
        }
        // A byte order mark, as Windows editors save UTF-8, is no part of the JSON (review 50: a
        // file saved so was told it was "not an object").
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // serde reads a struct from a list too ("invalid type: 2, expected struct Meta" for [1,2,3]).
        if let Some(first) = text.trim_start().chars().next().filter(|c| *c != '{') {
            let what = match first {
                '[' => "a list",
                '"' => "a string",
                _ => "not an object",
            };
            return Err(ScenarioError::Json {
                path: "(top level)".into(),
                message: format!("a scenario is a JSON object, {{\"v\": 1, …}}; this is {what}"),
                raw: String::new(),
            });
        }
        Scenario::parsed(text).map_err(|e| e.deepened(text))
    }

    /// Parse and validate, the error where serde left it (at a tagged enum above a bad field).
    /// [`ScenarioError::at_in`] probes with it: its probes must not deepen in turn, or a link
    /// with many bad fields would cost two parses per bad field, nested.
    pub(crate) fn parsed(text: &str) -> Result<Scenario, ScenarioError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let sc: Scenario = serde_path_to_error::deserialize(de).map_err(ScenarioError::from_path)?;
        sc.validate()?;
        Ok(sc)
    }

    /// Compact JSON, as links carry it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
