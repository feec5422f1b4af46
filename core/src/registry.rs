//! The only place that matches on the protocol kind: scenario in, running simulation out.

use crate::protocols::{lb, traffic, ProtocolConfig};
use crate::scenario::{Scenario, ScenarioError};
use crate::sim::{Sim, Simulation};

/// Validate the scenario and build its simulation.
pub fn build(sc: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
    sc.validate()?;
    match &sc.protocol {
        ProtocolConfig::LoadBalancing(cfg) => Ok(Box::new(Sim::new(sc, lb::build(sc, cfg))?)),
        ProtocolConfig::Traffic(cfg) => Ok(Box::new(Sim::new(sc, traffic::build(sc, cfg))?)),
        ProtocolConfig::Raft(cfg) => Ok(Box::new(Sim::new(sc, crate::protocols::raft::build(sc, cfg))?)),
        ProtocolConfig::SplitBrain(cfg) => {
            Ok(Box::new(Sim::new(sc, crate::protocols::splitbrain::build(sc, cfg))?))
        }
        ProtocolConfig::Resilience(cfg) => {
            Ok(Box::new(Sim::new(sc, crate::protocols::resilience::build(sc, cfg))?))
        }
        ProtocolConfig::RetryContention(cfg) => {
            Ok(Box::new(Sim::new(sc, crate::protocols::resilience::contention::build(sc, cfg))?))
        }
        ProtocolConfig::Messaging(cfg) => {
            Ok(Box::new(Sim::new(sc, crate::protocols::events::build(sc, cfg))?))
        }
        ProtocolConfig::Quorum(cfg) => Ok(Box::new(Sim::new(sc, crate::protocols::quorum::build(sc, cfg))?)),
        ProtocolConfig::Crdt(cfg) => Ok(Box::new(Sim::new(sc, crate::protocols::crdt::build(sc, cfg))?)),
        ProtocolConfig::Sharding(cfg) => {
            Ok(Box::new(Sim::new(sc, crate::protocols::sharding::build(sc, cfg))?))
        }
        ProtocolConfig::Cap(cfg) => Ok(Box::new(Sim::new(sc, crate::protocols::cap::build(sc, cfg))?)),
        ProtocolConfig::Clocks(cfg) => Ok(Box::new(Sim::new(sc, crate::protocols::clocks::build(sc, cfg))?)),
        ProtocolConfig::Replication(cfg) => {
            Ok(Box::new(Sim::new(sc, crate::protocols::replication::build(sc, cfg))?))
        }
        ProtocolConfig::Conflict(cfg) => {
            Ok(Box::new(Sim::new(sc, crate::protocols::conflict::build(sc, cfg))?))
        }
        ProtocolConfig::MultiRegion(cfg) => {
            Ok(Box::new(Sim::new(sc, crate::protocols::multiregion::build(sc, cfg))?))
        }
        ProtocolConfig::Locks(cfg) => Ok(Box::new(Sim::new(sc, crate::protocols::locks::build(sc, cfg))?)),
        ProtocolConfig::Transactions(cfg) => {
            Ok(Box::new(Sim::new(sc, crate::protocols::transactions::build(sc, cfg))?))
        }
        ProtocolConfig::Sourcing(cfg) => {
            Ok(Box::new(Sim::new(sc, crate::protocols::sourcing::build(sc, cfg))?))
        }
    }
}
