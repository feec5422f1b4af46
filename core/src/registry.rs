//! The only place that matches on the protocol kind: scenario in, running simulation out.

use crate::protocols::{lb, ProtocolConfig};
use crate::scenario::{Scenario, ScenarioError};
use crate::sim::{Sim, Simulation};

/// Validate the scenario and build its simulation.
pub fn build(sc: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
    sc.validate()?;
    match &sc.protocol {
        ProtocolConfig::LoadBalancing(cfg) => Ok(Box::new(Sim::new(sc, lb::build(sc, cfg))?)),
    }
}
