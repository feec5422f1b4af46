//! Swarm tests for E6 locks: every seed generates buyers, a stock, lease and timing knobs and a
//! fault timeline (crashes of any node, GC pauses, skewed clocks, partitions, lossy, duplicating
//! and reordering links). With fencing tokens (`lease_fencing`) the essay promises that neither
//! `no item sold twice` nor `one holder at a time` can break however long a holder pauses:
//! checked after every event. After the heal the buyers must sell the stock out within a bound.
//! With leases alone (`lease`, the lessons' contrast) some seed must break an invariant.
//!
//! `DSPLAY_SWARM_SEEDS=2000 cargo test --release -p dsplay-core --test integration swarm_locks::` runs more seeds.

use crate::common;

use common::swarm::{self, Plan};
use dsplay_core::rng::Rng;
use dsplay_core::Scenario;
use serde_json::json;

/// Faults happen before this time; then the network heals and every node restarts and resumes.
const FAULTS_UNTIL_MS: u64 = 6_000;
/// Liveness bound: the stock is sold out this long after the heal.
const LIVENESS_MS: u64 = 8_000;

fn generate(seed: u64, mode: &str) -> Scenario {
    let mut rng = Rng::seed_from(seed);
    let buyers = 2 + rng.below(4);
    let mut nodes = swarm::names("c", buyers);
    let buyer_names = nodes.clone();
    nodes.extend(["lock".to_string(), "store".to_string()]);
    let plan = Plan {
        crash: &nodes,
        cut: &nodes,
        links: &nodes,
        pause: &nodes,
        skew: &buyer_names,
        extras_one_in: 2,
        until_ms: FAULTS_UNTIL_MS,
    };
    // Think and write delay in ms; a lease long enough for a purchase with no fault (a shorter
    // one is a misconfiguration: the careful buyer never writes), but not by much.
    let (think_min, write_delay_ms) = (5 + rng.below(40), rng.below(40));
    let think_max = think_min + rng.below(60);
    let lease_ms = (think_max + write_delay_ms) * 10 / 9 + 40 + rng.below(300);
    let ms = |lo: u64, hi: u64| json!({"type": "uniform", "min_us": lo * 1000, "max_us": hi * 1000});
    let between_min = 10 + rng.below(100);
    let sc = json!({
        "v": 1,
        "meta": {"id": format!("swarm-locks-{seed}"), "title": "Locks swarm", "concepts": ["E6"]},
        "seed": seed,
        "stop_at_ms": FAULTS_UNTIL_MS + LIVENESS_MS,
        "protocol": {"kind": "locks", "mode": mode, "buyers": buyers, "stock": 20 + rng.below(40),
            "lease_ms": lease_ms, "think": ms(think_min, think_max), "write_delay_ms": write_delay_ms,
            "between": ms(between_min, between_min + rng.below(100)), "timeout_ms": 200 + rng.below(1_000)},
        "network": {"default": {"latency": {"type": "uniform", "min_us": 1000, "max_us": 5000}}},
        "workload": {"clients": 0, "arrival": {"type": "none"}},
        "events": swarm::timeline(&mut rng, &plan)
    });
    swarm::scenario(seed, &sc)
}

#[test]
fn fencing_is_safe_and_sells_out_under_random_faults() {
    for seed in 0..swarm::seeds(400) {
        let sc = generate(seed, "lease_fencing");
        let sim = swarm::run_to(&sc, sc.stop_at_ms);
        swarm::assert_safe(&*sim, seed, &sc);
        let stock = common::gauge(&*sim, "stock", Some("store"));
        assert_eq!(stock, 0, "not sold out {LIVENESS_MS} ms after the heal\n{}", swarm::repro(seed, &sc));
    }
}

#[test]
fn the_swarm_catches_leases_without_fencing() {
    let n = 150;
    let caught = swarm::caught(n, FAULTS_UNTIL_MS, |seed| generate(seed, "lease"));
    assert!(!caught.is_empty(), "no seed out of {n} caught leases without fencing");
    eprintln!("leases without fencing caught by {} of {n} seeds, first: {:?}", caught.len(), caught[0]);
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(generate(7, "lease_fencing"), generate(7, "lease_fencing"));
    assert_ne!(generate(7, "lease_fencing"), generate(8, "lease_fencing"));
}
