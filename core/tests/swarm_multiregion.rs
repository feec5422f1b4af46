//! Swarm tests for D10 multi-region: every seed generates 2–5 regions with a random latency
//! matrix and failover order, one or two clients per region (open loop or, one seed in three,
//! closed loop), timing knobs and the shared swarm's fault timeline: crashes and restarts of
//! replicas and clients, partitions, pauses, skewed clocks, and slow, lossy, duplicating and
//! reordering links. Checked after every event, what the essay promises under all of these:
//! - **one primary per epoch** (the simulator's invariant): an epoch's number says which region
//!   may lead it, so even regions that take over cut off from each other lead different epochs;
//! - **a restarted replica does not lead its old epoch again**: it waits for a heartbeat, and
//!   takes over only as the primary of a new epoch;
//! - **reads from the primary are never stale while the primary keeps its role** (no failover
//!   yet): no client reads a version older than one it saw or wrote; with nearest reads the same
//!   holds for the clients of the primary's own region, whose replica *is* the primary.
//!
//! In runs with primary reads and no failover at all, the client history is checked to be
//! linearizable at the end. After everything heals, restarts and resumes: one primary, every
//! replica in its epoch and following it, writes acknowledged again, and once the load stops,
//! every replica holding the primary's version — within a bound. The contrast: across a
//! failover, asynchronous replication loses acknowledged writes, and a primary read can be
//! stale (some seed must show it).
//!
//! `DSPLAY_SWARM_SEEDS=2000 cargo test --release -p dsplay-core --test integration swarm_multiregion::` runs more.

use crate::common;

use common::swarm::{self, repro, Plan};
use dsplay_core::check::{check_history, Verdict};
use dsplay_core::protocols::multiregion::{self, MrNode, ReadMode, Replica};
use dsplay_core::protocols::ProtocolConfig;
use dsplay_core::rng::Rng;
use dsplay_core::sim::Sim;
use dsplay_core::view::Status;
use dsplay_core::{Scenario, SimTime, Simulation};
use serde_json::json;

/// Faults happen before this time; then everything heals, restarts and resumes.
const FAULTS_UNTIL_MS: u64 = 6_000;
/// After the faults: one primary and writes acknowledged again within this long, then a quiet
/// spell ([`QUIET_MS`]) for the replicas to catch up.
const LIVENESS_MS: u64 = 6_000;
/// The clients stop this long before the end: the last `Replicate` batches reach every replica.
const QUIET_MS: u64 = 1_500;
const REGIONS: [&str; 5] = ["africa", "europe", "us", "asia", "oceania"];

/// The whole scenario for one seed.
fn generate(seed: u64, reads: &str) -> Scenario {
    let mut rng = Rng::seed_from(seed);
    let n = 2 + rng.below(4);
    let per = 1 + rng.below(2);
    let regions: Vec<String> = REGIONS[..n as usize].iter().map(|s| s.to_string()).collect();
    // One-way latency between regions (ms), the same both ways; 1 ms inside a region.
    let size = n as usize;
    let mut matrix = vec![vec![1u64; size]; size];
    let pairs: Vec<(usize, usize)> = (0..size).flat_map(|i| (i + 1..size).map(move |j| (i, j))).collect();
    for (i, j) in pairs {
        let ms = 10 + rng.below(150);
        (matrix[i][j], matrix[j][i]) = (ms, ms);
    }
    let mut order = regions.clone();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut of = serde_json::Map::new();
    let replica_names: Vec<String> = regions.iter().map(|g| multiregion::replica_name(g)).collect();
    let mut nodes = replica_names.clone();
    for g in &regions {
        of.insert(multiregion::replica_name(g), json!(g));
        for k in 1..=per as u32 {
            of.insert(multiregion::client_name(k, g), json!(g));
            nodes.push(multiregion::client_name(k, g));
        }
    }
    let plan = Plan {
        crash: &nodes,
        cut: &nodes,
        links: &nodes,
        pause: &nodes,
        // Clients' clocks stay true: a skewed client would keep writing into the quiet spell.
        skew: &replica_names,
        extras_one_in: 4,
        until_ms: FAULTS_UNTIL_MS,
    };
    let heartbeat_ms = 20 + rng.below(80);
    let failover_after_ms = 4 * heartbeat_ms + 200 + rng.below(800);
    let stop = FAULTS_UNTIL_MS + LIVENESS_MS + QUIET_MS;
    let mut sc = json!({
        "v": 1,
        "meta": {"id": format!("swarm-multiregion-{seed}"), "title": "Multi-region swarm", "concepts": ["D10"]},
        "seed": seed,
        "stop_at_ms": stop,
        "protocol": {"kind": "multi_region", "reads": reads, "failover_order": order,
            "replicate_ms": 20 + rng.below(300), "heartbeat_ms": heartbeat_ms,
            "failover_after_ms": failover_after_ms, "client_timeout_ms": 500 + rng.below(2500)},
        "network": {"default": {"latency": {"type": "uniform", "min_us": 500, "max_us": 2000}},
            "regions": {"names": regions, "latency_ms": matrix, "of": of}},
        "workload": {"clients": n * per, "arrival": swarm::arrival(seed, 20 + rng.below(40)),
            "bursts": [{"at_ms": stop - QUIET_MS, "duration_ms": QUIET_MS + 1, "rate_pct": 0}],
            "keys": {"type": "uniform", "count": 1}, "read_permille": 300 + rng.below(400), "timeout_ms": 0},
        "events": swarm::timeline(&mut rng, &plan)
    });
    if sc["workload"]["arrival"]["type"] == "closed" {
        // A closed loop refuses bursts (it has no rate to scale): its clients are stopped by
        // crashing them.
        sc["workload"]["bursts"] = json!([]);
        let clients = nodes.iter().filter(|n| !replica_names.contains(n));
        sc["events"].as_array_mut().expect("events").extend(swarm::crashes(stop - QUIET_MS, clients));
    }
    swarm::scenario(seed, &sc)
}

fn build(sc: &Scenario) -> Sim<MrNode> {
    let ProtocolConfig::MultiRegion(cfg) = &sc.protocol else { panic!("not a multi_region scenario") };
    Sim::new(sc, multiregion::build(sc, cfg)).expect("swarm scenario builds")
}

fn replicas(sim: &Sim<MrNode>) -> Vec<&Replica> {
    sim.nodes().iter().filter_map(MrNode::as_replica).collect()
}

/// The checker's memory across events.
struct Checker {
    primary_reads: bool,
    /// The region that starts as primary.
    first_primary: u32,
    /// Per replica: the epoch it was in when last seen down.
    went_down_in: Vec<Option<u64>>,
}

impl Checker {
    fn new(sc: &Scenario, sim: &Sim<MrNode>) -> Self {
        let ProtocolConfig::MultiRegion(cfg) = &sc.protocol else { panic!("not a multi_region scenario") };
        let reps = replicas(sim);
        Checker {
            primary_reads: cfg.reads == ReadMode::Primary,
            first_primary: reps.iter().find(|r| r.leading).map_or(0, |r| r.region),
            went_down_in: vec![None; reps.len()],
        }
    }

    /// The invariants after one event; the first one broken, in words.
    fn check(&mut self, sim: &Sim<MrNode>) -> Option<String> {
        if let Some(v) = sim.violations().first() {
            return Some(format!("{}: {}", v.rule, v.detail));
        }
        for (i, r) in replicas(sim).into_iter().enumerate() {
            match (sim.status(i), self.went_down_in[i]) {
                (Status::Down, _) => self.went_down_in[i] = Some(r.epoch),
                (_, Some(e)) if r.leading && r.epoch == e => {
                    return Some(format!("region {i} leads epoch {e} again after a restart"));
                }
                _ => {}
            }
        }
        if sim.metrics().counter("failovers", None) > 0 {
            return None;
        }
        let stale_reader = sim.nodes().iter().find_map(|n| match n {
            MrNode::Client(c) if c.stale > 0 && (self.primary_reads || c.region == self.first_primary) => {
                Some(c.region)
            }
            _ => None,
        });
        stale_reader.map(|g| {
            format!("a client of region {g} read a stale version from the primary, with no failover")
        })
    }
}

/// Safety after every event, then liveness: the first problem, if any.
fn problem(sc: &Scenario) -> Option<String> {
    let mut sim = build(sc);
    let mut checker = Checker::new(sc, &sim);
    let mut run_to = |sim: &mut Sim<MrNode>, ms: u64| {
        while let Some(at) = sim.step_until(SimTime::from_ms(ms)) {
            if let Some(p) = checker.check(sim) {
                return Some(format!("at {} ms: {p}", at.as_us() / 1000));
            }
        }
        None
    };
    let quiet = sc.stop_at_ms - QUIET_MS;
    if let Some(p) = run_to(&mut sim, quiet - 2_000) {
        return Some(p);
    }
    let acked = common::counter(&sim, "writes");
    if let Some(p) = run_to(&mut sim, quiet).or_else(|| run_to(&mut sim, sc.stop_at_ms)) {
        return Some(p);
    }
    if common::counter(&sim, "writes") == acked {
        return Some(format!("not live: no write acknowledged in the two seconds before {quiet} ms"));
    }
    let reps = replicas(&sim);
    let leaders: Vec<&&Replica> = reps.iter().filter(|r| r.leading).collect();
    let [p] = leaders.as_slice() else {
        return Some(format!("not live: {} primaries at the end", leaders.len()));
    };
    for r in &reps {
        if (r.epoch, r.primary, r.tag, r.value) != (p.epoch, p.region, p.tag, p.value) {
            return Some(format!(
                "not live: region {} (epoch {}, following {}, {}) differs from the primary {} (epoch {}, {})",
                r.region, r.epoch, r.primary, r.tag, p.region, p.epoch, p.tag
            ));
        }
    }
    if checker.primary_reads && common::counter(&sim, "failovers") == 0 {
        // Only a definite verdict counts: a long history with many timed-out operations can
        // outlast the checker's budget (`Unknown`), which is no evidence either way.
        if let Verdict::NotLinearizable { first_bad } = check_history(sim.history()) {
            return Some(format!("primary reads, no failover, yet not linearizable: {first_bad:?}"));
        }
    }
    None
}

fn swarm_is_safe_and_live(reads: &str, default_seeds: u64) {
    for seed in 0..swarm::seeds(default_seeds) {
        let sc = generate(seed, reads);
        if let Some(p) = problem(&sc) {
            panic!("{reads} reads: {p}\n{}", repro(seed, &sc));
        }
    }
}

#[test]
fn primary_reads_are_safe_and_live_under_random_faults() {
    swarm_is_safe_and_live("primary", 100);
}

#[test]
fn nearest_reads_are_safe_and_live_under_random_faults() {
    swarm_is_safe_and_live("nearest", 60);
}

/// The essay's promise stops at a failover: what the old primary acknowledged but had not
/// shipped is lost, and a client that saw it reads an older version from the new primary.
#[test]
fn across_a_failover_primary_reads_can_be_stale_and_acknowledged_writes_lost() {
    let n = 60;
    let found = (0..n).find_map(|seed| {
        let sc = generate(seed, "primary");
        let sim = swarm::run_to(&sc, sc.stop_at_ms);
        let stale = common::counter(&*sim, "stale_reads");
        (stale > 0).then(|| {
            (seed, stale, common::counter(&*sim, "lost_writes"), common::counter(&*sim, "failovers"))
        })
    });
    let (seed, stale, lost, failovers) = found.expect("some seed reads a stale version from a new primary");
    assert!(
        failovers > 0 && lost > 0,
        "seed {seed}: {stale} stale reads, {failovers} failovers, {lost} lost writes"
    );
    eprintln!("seed {seed}: {stale} stale primary reads after {failovers} failovers that lost {lost} writes");
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(generate(7, "primary"), generate(7, "primary"));
    assert_ne!(generate(7, "primary"), generate(8, "primary"));
}
