//! Protocol families. Each is a module of sans-IO node state machines plus its config;
//! `ProtocolConfig` is the serde-tagged choice a scenario makes.

pub mod lb;

use crate::scenario::{Scenario, ScenarioError};
use serde::{Deserialize, Serialize};

/// Which protocol a scenario runs, with its knobs. Tagged by `kind`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProtocolConfig {
    /// T1: clients → balancer → heterogeneous backends.
    LoadBalancing(lb::LbConfig),
}

impl ProtocolConfig {
    /// Protocol-specific limits; errors name the field under `protocol.`.
    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        match self {
            ProtocolConfig::LoadBalancing(c) => c.validate(sc),
        }
    }

    /// The `kind` tag, for display.
    pub fn kind(&self) -> &'static str {
        match self {
            ProtocolConfig::LoadBalancing(_) => "load_balancing",
        }
    }
}
