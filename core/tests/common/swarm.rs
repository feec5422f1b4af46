//! Shared by the swarm tests (TigerBeetle-VOPR style): a seed becomes a random fault timeline,
//! the run is checked for safety after every event, and a failure names the seed and the `#s=`
//! link that replays it in the playground.

use dsplay_core::rng::{Purpose, Rng};
use dsplay_core::scenario::{encode_fragment, Scenario};
use dsplay_core::{registry, SimTime, Simulation};
use serde_json::{json, Value};

/// How many seeds a safety swarm runs: `DSPLAY_SWARM_SEEDS`, or `default`. A contrast test (some
/// seed must catch the unsafe mode) runs a fixed count instead: its claim is about those seeds,
/// and a small `DSPLAY_SWARM_SEEDS` (`cargo xtask swarm --seeds 3`) could leave none that catches.
pub fn seeds(default: u64) -> u64 {
    std::env::var("DSPLAY_SWARM_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// `prefix1`, `prefix2`, … `prefixN`.
pub fn names(prefix: &str, n: u64) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}{i}")).collect()
}

/// A crash of each of `nodes` at `at_ms`: how a swarm stops a closed loop's clients, which no
/// burst stops (a closed loop refuses bursts).
pub fn crashes<'a>(at_ms: u64, nodes: impl IntoIterator<Item = &'a String>) -> Vec<Value> {
    nodes.into_iter().map(|n| json!({"at_ms": at_ms, "event": {"type": "crash", "node": n}})).collect()
}

/// A random bad link: slow, lossy, duplicating, reordering.
pub fn link_spec(rng: &mut Rng) -> Value {
    json!({
        "latency": {"type": "uniform", "min_us": 1000, "max_us": 1000 + rng.below(40_000)},
        "loss_ppm": rng.below(200_000),
        "dup_ppm": rng.below(100_000),
        "reorder_ppm": rng.below(300_000)
    })
}

/// Which faults a swarm injects, on which nodes, and until when.
pub struct Plan<'a> {
    /// Nodes that may crash (and are restarted later).
    pub crash: &'a [String],
    /// Nodes partitions split at random. Empty: no partitions (their draws become bad links).
    pub cut: &'a [String],
    /// Nodes whose links go bad (one end each; `*` is not used).
    pub links: &'a [String],
    /// Nodes that may pause (a GC pause) and resume. Empty: no pauses.
    pub pause: &'a [String],
    /// Nodes whose clocks may be skewed (offset and drift). Empty: no skew.
    pub skew: &'a [String],
    /// With pausing or skewed nodes, one fault in this many is a pause, resume or skew.
    pub extras_one_in: u64,
    /// Faults happen before this time; then everything heals, restarts and resumes.
    pub until_ms: u64,
}

impl<'a> Plan<'a> {
    /// Every fault on every one of `nodes` (crash, cut, bad link, pause, skew), an extra (pause,
    /// resume or skew) one fault in four, until `until_ms`.
    pub fn everything(nodes: &'a [String], until_ms: u64) -> Plan<'a> {
        Plan { crash: nodes, cut: nodes, links: nodes, pause: nodes, skew: nodes, extras_one_in: 4, until_ms }
    }

    fn extras(&self) -> bool {
        !self.pause.is_empty() || !self.skew.is_empty()
    }
}

/// The nodes down and paused so far, so restarts and resumes name real ones.
#[derive(Default)]
struct State {
    down: Vec<String>,
    paused: Vec<String>,
}

fn pick(rng: &mut Rng, v: &[String]) -> String {
    v[rng.below(v.len() as u64) as usize].clone()
}

/// The two ends of a bad link: different nodes when there are two to choose from (a link from a
/// node to itself is no link: the network delivers such a message at once, untouched). Drawn as
/// two picks, the second again while it equals the first, so a draw whose ends already differed
/// is what it always was.
fn link_ends(rng: &mut Rng, links: &[String]) -> (String, String) {
    let from = pick(rng, links);
    let mut to = pick(rng, links);
    while to == from && links.len() > 1 {
        to = pick(rng, links);
    }
    (from, to)
}

/// A pause, resume or clock skew: only drawn when the plan has pausing or skewed nodes.
fn extra(rng: &mut Rng, plan: &Plan, st: &mut State) -> Value {
    let roll = rng.below(4);
    if roll == 0 && !st.paused.is_empty() {
        let node = st.paused.remove(rng.below(st.paused.len() as u64) as usize);
        return json!({"type": "resume", "node": node});
    }
    if plan.skew.is_empty() || (roll < 2 && !plan.pause.is_empty()) {
        let node = pick(rng, plan.pause);
        if !st.paused.contains(&node) {
            st.paused.push(node.clone());
        }
        return json!({"type": "pause", "node": node});
    }
    let node = pick(rng, plan.skew);
    let offset_us = rng.below(400_000) as i64 - 200_000;
    let drift_ppm = rng.below(200_000) as i32 - 100_000;
    json!({"type": "clock_skew", "node": node, "offset_us": offset_us, "drift_ppm": drift_ppm})
}

/// One random fault. Without pausing or skewed nodes this draws what the Raft swarm always drew,
/// so its seeds keep their scenarios — except where a bad link's two ends came out the same node,
/// a fault that did nothing: the far end is drawn again until it differs.
fn fault(rng: &mut Rng, plan: &Plan, st: &mut State) -> Value {
    if plan.extras() && rng.below(plan.extras_one_in.max(1)) == 0 {
        return extra(rng, plan, st);
    }
    match rng.below(10) {
        0..=2 => {
            let node = pick(rng, plan.crash);
            if !st.down.contains(&node) {
                st.down.push(node.clone());
            }
            json!({"type": "crash", "node": node})
        }
        3..=4 if !st.down.is_empty() => {
            let node = st.down.remove(rng.below(st.down.len() as u64) as usize);
            json!({"type": "restart", "node": node})
        }
        // With no nodes to cut (a crash-only swarm), a partition's draw goes bad on a link instead.
        3..=6 if !plan.cut.is_empty() => {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for n in plan.cut {
                if rng.below(2) == 0 {
                    a.push(n.clone())
                } else {
                    b.push(n.clone())
                }
            }
            json!({"type": "partition", "groups": [a, b]})
        }
        7 => json!({"type": "heal"}),
        _ => {
            let (from, to) = link_ends(rng, plan.links);
            json!({"type": "link", "from": from, "to": to, "spec": link_spec(rng), "both_ways": rng.below(2) == 0})
        }
    }
}

/// The timed events of one seed: a fault every 50–650 ms from 200–700 ms on, then at `until_ms`
/// the network heals, links reset, and every crashed node restarts and every paused one resumes.
pub fn timeline(rng: &mut Rng, plan: &Plan) -> Vec<Value> {
    let mut st = State::default();
    let mut events = Vec::new();
    let mut t = 200 + rng.below(500);
    while t < plan.until_ms {
        let event = fault(rng, plan, &mut st);
        events.push(json!({"at_ms": t, "event": event}));
        t += 50 + rng.below(600);
    }
    let end = [json!({"type": "heal"}), json!({"type": "reset_links"})];
    let restarts = st.down.iter().map(|d| json!({"type": "restart", "node": d}));
    let resumes = st.paused.iter().map(|p| json!({"type": "resume", "node": p}));
    for e in end.into_iter().chain(restarts).chain(resumes) {
        events.push(json!({"at_ms": plan.until_ms, "event": e}));
    }
    events
}

/// The workload's arrival for `seed`: open at `rate_per_s` for two seeds in three, and a closed
/// loop for every third (1–4 operations per client, 1 ms to 5–100 ms of thought between them),
/// so the invariants are checked under both. The closed loop's draws come from a stream of their
/// own: the seed's other draws, and so its faults, stay what they were.
pub fn arrival(seed: u64, rate_per_s: u64) -> Value {
    if seed % 3 != 2 {
        return json!({"type": "open", "rate_per_s": rate_per_s});
    }
    let mut rng = Rng::stream(seed, Purpose::Workload, 0);
    let concurrency = 1 + rng.below(4);
    let think = json!({"type": "uniform", "min_us": 1_000, "max_us": 5_000 + rng.below(95_001)});
    json!({"type": "closed", "concurrency": concurrency, "think": think})
}

/// Validate a generated scenario; a refusal is a bug in the generator.
pub fn scenario(seed: u64, v: &Value) -> Scenario {
    Scenario::from_json(&v.to_string())
        .unwrap_or_else(|e| panic!("seed {seed}: generated scenario invalid: {e}"))
}

/// "seed 17; replay: #s=…".
pub fn repro(seed: u64, sc: &Scenario) -> String {
    format!("seed {seed}; replay: {}", encode_fragment(sc))
}

/// Build `sc` and run it to `ms` (or its stop time, if sooner).
pub fn run_to(sc: &Scenario, ms: u64) -> Box<dyn Simulation> {
    let mut sim = registry::build(sc).expect("swarm scenario builds");
    sim.run_until(SimTime::from_ms(ms));
    sim
}

/// Panic with the first violation, or a halt, naming the seed and its replay link.
pub fn assert_safe(sim: &dyn Simulation, seed: u64, sc: &Scenario) {
    if let Some(v) = sim.violations().first() {
        panic!(
            "safety violated at {} ms: {}: {}\n{}",
            v.at.as_us() / 1000,
            v.rule,
            v.detail,
            repro(seed, sc)
        );
    }
    assert!(sim.halted().is_none(), "halted: {:?}\n{}", sim.halted(), repro(seed, sc));
}

/// The seeds among `0..n` whose scenario (from `generate`) breaks an invariant by `ms`, with the
/// rule broken first.
pub fn caught(n: u64, ms: u64, generate: impl Fn(u64) -> Scenario) -> Vec<(u64, String)> {
    (0..n)
        .filter_map(|seed| {
            let sim = run_to(&generate(seed), ms);
            sim.violations().first().map(|v| (seed, v.rule.to_string()))
        })
        .collect()
}
