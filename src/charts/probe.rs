//! Which metrics a run will have, known before it plays: a protocol registers most of its
//! metrics on their first use, so at time zero only the counters it declares exist, and default
//! charts picked from those alone would appear one by one as the run starts. A short look ahead
//! in a throwaway session of the same scenario finds the rest.

use super::choice::{catalog, split_counters};
use super::series::Kind;
use dsplay_core::scenario::Scenario;
use dsplay_core::session::Session;
use dsplay_core::time::{SimDuration, SimTime};

/// How far the look ahead goes in simulated time, and how many events it may handle at most.
const AHEAD: SimTime = SimTime::from_ms(3_000);
const BUDGET: u64 = 30_000;

/// The metrics (name and kind, sorted by name) of `scenario` a little way into its run, and its
/// counters kept per node ([`split_counters`]); nothing if the scenario does not start.
pub fn early_catalog(scenario: &Scenario) -> (Vec<(String, Kind)>, Vec<String>) {
    let Ok(mut s) = Session::new(scenario.clone()) else { return Default::default() };
    let until = AHEAD.min(s.stop_at());
    s.advance(SimDuration(until.as_us()), BUDGET);
    (catalog(s.sim().metrics()), split_counters(s.sim().metrics()))
}

/// Both catalogs in one, sorted by name (the first's kind wins for a name in both).
pub fn union(a: &[(String, Kind)], b: &[(String, Kind)]) -> Vec<(String, Kind)> {
    let mut all: Vec<(String, Kind)> = a.to_vec();
    all.extend(b.iter().filter(|(n, _)| !a.iter().any(|(m, _)| m == n)).cloned());
    all.sort_by(|x, y| x.0.cmp(&y.0));
    all
}
