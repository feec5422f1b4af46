//! Preset scenarios: files in `core/presets/`, compiled in. They are the gallery, the lessons and
//! the golden-test inputs at once.

use crate::scenario::{Scenario, ScenarioError};

macro_rules! presets {
    ($($id:literal),* $(,)?) => {
        /// `(id, JSON)` for every preset, in gallery order.
        pub const PRESETS: &[(&str, &str)] = &[$(($id, include_str!(concat!("../presets/", $id, ".json")))),*];
    };
}

presets!["t1-round-robin", "t1-smooth-wrr", "t1-least-connections", "t1-power-of-two",];

/// The preset ids, in gallery order.
pub fn ids() -> impl Iterator<Item = &'static str> {
    PRESETS.iter().map(|(id, _)| *id)
}

/// A preset's JSON text.
pub fn json(id: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(i, _)| *i == id).map(|(_, j)| *j)
}

/// A parsed, validated preset.
pub fn get(id: &str) -> Result<Scenario, ScenarioError> {
    let text = json(id).ok_or_else(|| {
        let known: Vec<&str> = ids().collect();
        ScenarioError::invalid("preset", format!("no preset {id:?}; presets are {}", known.join(", ")))
    })?;
    Scenario::from_json(text)
}

/// Every preset, parsed. Presets are checked by the test suite, so failures here are bugs.
pub fn all() -> Vec<Scenario> {
    ids().filter_map(|id| get(id).ok()).collect()
}
