//! Run a scenario to its stop time and summarise it for the page.

use dsplay_core::{registry, report, Scenario};

/// What the page shows after a run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutcome {
    /// `format!("{:016x}", trace_hash)`.
    pub trace_hash: String,
    pub events: u64,
    /// The JSON run report, pretty-printed.
    pub report: String,
}

/// Build the simulation and run it to its stop time.
pub fn run_to_stop(sc: &Scenario) -> Result<RunOutcome, String> {
    let mut sim = registry::build(sc).map_err(|e| e.to_string())?;
    let stop = sim.stop_at();
    sim.run_until(stop);
    let report = serde_json::to_string_pretty(&report::report(sim.as_ref())).map_err(|e| e.to_string())?;
    Ok(RunOutcome { trace_hash: format!("{:016x}", sim.trace_hash()), events: sim.events(), report })
}
