//! Swarm tests for D9 sharding: every seed generates a placement scheme, shards (and maybe one
//! added mid-run), shard servers, clients, load (open loop, or closed loop for one seed in three)
//! and key popularity, and a fault timeline (crashes and restarts of clients, the router and
//! shards, GC pauses, skewed clocks, partitions, lossy, duplicating and reordering links).
//!
//! The essay's promises that faults could break: at `add_shard_at_ms` "placement uses one more
//! shard" — exactly one, however the router crashes and restarts — and the router counts "over
//! the whole key space, the keys whose shard changed" (`keys_moved`: the N → N + 1 figure of the
//! placement function, recomputed here). Routing itself is a pure function of the key, so no
//! fault can route a key elsewhere; what faults can do is lose requests. Liveness: once the
//! network heals and the requests caught in it have timed out, every request is served (no
//! timeouts, no rejections: the shards are sized well above the load) and responses flow.
//!
//! No contrast test: the protocol declares no invariant a mode could break.
//!
//! `DSPLAY_SWARM_SEEDS=2000 cargo test --release -p dsplay-core --test integration swarm_sharding::` runs more seeds.

use crate::common;

use common::swarm::{self, Plan};
use dsplay_core::protocols::sharding::{key_name, ShardingConfig};
use dsplay_core::protocols::ProtocolConfig;
use dsplay_core::rng::Rng;
use dsplay_core::scenario::Keys;
use dsplay_core::shard::Placement;
use dsplay_core::sim::metrics::MetricKind;
use dsplay_core::{registry, Scenario, SimTime, Simulation};
use serde_json::json;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Faults happen before this time; then the network heals and every node restarts and resumes.
const FAULTS_UNTIL_MS: u64 = 4_000;

const SCHEMES: [&str; 4] = ["range", "mod", "ring", "jump"];

fn generate(seed: u64) -> Scenario {
    let mut rng = Rng::seed_from(seed);
    let clients = 1 + rng.below(4);
    let shards = 1 + rng.below(6);
    let add_at_ms = [0, 300 + rng.below(FAULTS_UNTIL_MS)][rng.below(3).min(1) as usize];
    let mut nodes = swarm::names("c", clients);
    nodes.push("router".into());
    nodes.extend(swarm::names("s", shards + u64::from(add_at_ms > 0)));
    let plan = Plan::everything(&nodes, FAULTS_UNTIL_MS);
    // At most 150 requests a second, each shard serving at least 500 (one worker, 2 ms on
    // average) with room for 20 more waiting: a full queue is as good as impossible. A closed
    // loop keeps at most 16 requests going in all, so it cannot fill one either.
    let keys = match rng.below(2) {
        0 => json!({"type": "uniform", "count": 1 + rng.below(2_000)}),
        _ => json!({"type": "zipf", "count": 1 + rng.below(2_000), "s_milli": 500 + rng.below(1_000)}),
    };
    let timeout_ms = 100 + rng.below(900);
    let rate_per_s = 20 + rng.below(130);
    let arrival = swarm::arrival(seed, rate_per_s);
    let sc = json!({
        "v": 1,
        "meta": {"id": format!("swarm-sharding-{seed}"), "title": "Sharding swarm", "concepts": ["D9"]},
        "seed": seed,
        "stop_at_ms": settled_ms(timeout_ms) + liveness_ms(clients, rate_per_s),
        "protocol": {"kind": "sharding", "scheme": SCHEMES[rng.below(4) as usize], "shards": shards,
            "vnodes": 1 + rng.below(200), "add_shard_at_ms": add_at_ms,
            "server": {"workers": 1 + rng.below(4), "queue_cap": 20 + rng.below(80),
                "service": {"type": "exponential", "mean_us": 200 + rng.below(1_800)}}},
        "network": {"default": {"latency": {"type": "uniform", "min_us": 1000, "max_us": 5000}}},
        "workload": {"clients": clients, "arrival": arrival,
            "keys": keys, "read_permille": 500, "timeout_ms": timeout_ms},
        "events": swarm::timeline(&mut rng, &plan)
    });
    swarm::scenario(seed, &sc)
}

/// When every request caught in the faults has timed out: the heal, a timeout stretched by a
/// drifting clock (up to 10 %), and a margin.
fn settled_ms(timeout_ms: u64) -> u64 {
    FAULTS_UNTIL_MS + timeout_ms * 6 / 5 + 100
}

/// Liveness window: from the settling point on, every request is served, and every client
/// keeps sending; the run goes on this long after it: twenty of a client's mean gaps (a chance
/// of e⁻²⁰ that one sends nothing), and at least 1.5 s (a closed loop sends again within a think
/// time, at most 100 ms, of each answer).
fn liveness_ms(clients: u64, rate_per_s: u64) -> u64 {
    (20 * 1000 * clients / rate_per_s).max(1_500)
}

/// A global gauge's value, if it has one.
fn gauge(sim: &dyn Simulation, name: &str) -> Option<i64> {
    match sim.metrics().get(name, None).map(|m| &m.kind) {
        Some(MetricKind::Gauge { value }) => Some(*value),
        _ => None,
    }
}

/// (requests answered, errors, requests each client has sent) so far.
fn served(sim: &dyn Simulation) -> (u64, u64, Vec<String>) {
    let answered = sim.metrics().histogram("latency_ms", None).map_or(0, |h| h.len());
    let clients = sim.node_names().iter().filter(|n| n.starts_with('c'));
    let sent =
        clients.map(|c| common::view(sim, c).fields.into_iter().find(|(k, _)| k == "sent").expect("sent").1);
    (answered, common::counter(sim, "errors"), sent.collect())
}

/// Build and run `sc`, reading what was served at `settled` ms on the way: a panic as a problem.
type Run = (Box<dyn Simulation>, (u64, u64, Vec<String>));
fn run(sc: &Scenario, settled: u64) -> Result<Run, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut sim = registry::build(sc).expect("swarm scenario builds");
        sim.run_until(SimTime::from_ms(settled));
        let before = served(&*sim);
        sim.run_until(SimTime::from_ms(sc.stop_at_ms));
        (sim, before)
    }))
    .map_err(|e| {
        let why =
            e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
        format!("panicked: {}", why.unwrap_or_default())
    })
}

/// With a shard added: exactly one more is active, and `keys_moved` is the N → N + 1 figure.
fn resized_once(sim: &dyn Simulation, sc: &Scenario, cfg: &ShardingConfig) -> Option<String> {
    let active = gauge(sim, "active_shards");
    if active != Some(i64::from(cfg.shards) + 1) {
        return Some(format!("{} shards then one added, yet active_shards is {active:?}", cfg.shards));
    }
    let (old, new) = (Placement::new(cfg.scheme(), cfg.shards), Placement::new(cfg.scheme(), cfg.shards + 1));
    let (Keys::Uniform { count } | Keys::Zipf { count, .. }) = sc.workload.keys;
    let moved = (0..u64::from(count)).filter(|k| old.shard_of(&key_name(*k)) != new.shard_of(&key_name(*k)));
    let want = moved.count() as i64;
    let said = gauge(sim, "keys_moved");
    (said != Some(want)).then(|| format!("keys_moved is {said:?}; {want} keys change shard"))
}

/// Run the seed's scenario with the checks: the first problem, if any.
fn problem(sc: &Scenario) -> Option<String> {
    let ProtocolConfig::Sharding(cfg) = &sc.protocol else { panic!("not a sharding scenario") };
    let settled = settled_ms(sc.workload.timeout_ms);
    let (sim, before) = match run(sc, settled) {
        Ok(done) => done,
        Err(e) => return Some(e),
    };
    if let Some(v) = sim.violations().first() {
        return Some(format!("at {} ms: {}: {}", v.at.as_us() / 1000, v.rule, v.detail));
    }
    if let Some(h) = sim.halted() {
        return Some(format!("halted: {h}"));
    }
    if let Some(p) = (cfg.add_shard_at_ms > 0).then(|| resized_once(&*sim, sc, cfg)).flatten() {
        return Some(p);
    }
    let after = served(&*sim);
    if let Some(c) = (0..after.2.len()).find(|c| after.2[*c] == before.2[*c]) {
        return Some(format!("c{} sent nothing from {settled} ms on (it sent {})", c + 1, after.2[c]));
    }
    let (answered, errors) = (after.0 - before.0, after.1 - before.1);
    (answered == 0 || errors > 0).then(|| {
        format!(
            "from {settled} ms on (the heal at {FAULTS_UNTIL_MS} ms and the timeout after it): \
             {answered} requests answered, {errors} errors"
        )
    })
}

#[test]
fn one_shard_is_added_and_every_request_is_served_after_the_heal() {
    for seed in 0..swarm::seeds(200) {
        let sc = generate(seed);
        if let Some(p) = problem(&sc) {
            panic!("{p}\n{}", swarm::repro(seed, &sc));
        }
    }
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(generate(7), generate(7));
    assert_ne!(generate(7), generate(8));
}
