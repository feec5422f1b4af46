//! R1–R6: each preset's lesson, checked on its run, plus the mechanisms on exact sequences.

use dsplay_core::{presets, registry, Scenario, SimTime, Simulation};

fn preset(id: &str) -> Scenario {
    presets::get(id).unwrap_or_else(|e| panic!("{id}: {e}"))
}

fn run_until(sc: &Scenario, ms: u64) -> Box<dyn Simulation> {
    let mut sim = registry::build(sc).unwrap_or_else(|e| panic!("build: {e}"));
    sim.run_until(SimTime::from_ms(ms.min(sc.stop_at_ms)));
    assert!(sim.halted().is_none(), "halted: {:?}", sim.halted());
    sim
}

fn run(sc: &Scenario) -> Box<dyn Simulation> {
    run_until(sc, sc.stop_at_ms)
}

/// A counter of one node (by name), or the global one with `None`.
fn counter(sim: &dyn Simulation, name: &str, node: Option<&str>) -> u64 {
    let id = node.map(|n| {
        let i = sim.node_names().iter().position(|x| x == n).unwrap_or_else(|| panic!("no node {n}"));
        dsplay_core::NodeId(i as u32)
    });
    sim.metrics().counter(name, id)
}

fn gauge(sim: &dyn Simulation, name: &str, node: &str) -> Option<i64> {
    let i = sim.node_names().iter().position(|x| x == node)?;
    match sim.metrics().get(name, Some(dsplay_core::NodeId(i as u32)))?.kind {
        dsplay_core::sim::metrics::MetricKind::Gauge { value } => Some(value),
        _ => None,
    }
}

/// The values a per-node gauge took over the run (its sampled series).
fn gauge_series(sim: &dyn Simulation, name: &str, node: &str) -> Vec<i64> {
    let i = sim.node_names().iter().position(|x| x == node).expect("node");
    sim.metrics()
        .get(name, Some(dsplay_core::NodeId(i as u32)))
        .map(|m| m.series.iter().map(|p| p.value as i64).collect())
        .unwrap_or_default()
}

// ---------- R2 ----------

#[test]
fn r2_with_breakers_cart_stays_up_while_recommendation_is_down() {
    let sim = run(&preset("r2-circuit-breaker-cascade"));
    let s = &*sim;
    let cart_ok = counter(s, "served_ok", Some("cart"));
    let cart_bad = counter(s, "served_failed", Some("cart")) + counter(s, "rejected", Some("cart"));
    assert!(cart_bad * 100 <= cart_ok, "cart fails ≤ 1 %: {cart_bad} of {cart_ok}");
    let (ok, err) = (counter(s, "responses", None), counter(s, "errors", None));
    assert!(err * 100 <= ok, "clients see ≤ 1 % errors: {err} vs {ok}");
    assert!(counter(s, "fallbacks", Some("cart")) > 500, "cart answered with the fallback");
    assert!(counter(s, "short_circuited", Some("cart")) > 500, "the open breaker refused calls at once");
    let p99 = s.metrics().histogram("latency_ms", None).expect("latency").value_at_quantile(0.99);
    assert!(p99 < 1_000_000, "p99 latency stays under 1 s: {p99} µs");
    let band = gauge_series(s, "breaker_state", "cart");
    assert!(band.contains(&1) && band.contains(&2), "the band shows open and half-open: {band:?}");
    assert_eq!(gauge(s, "breaker_state", "cart"), Some(0), "closed again after recommendation restarts");
}

/// A metric's sampled series as (time in ms, point): a node's, or the global one with `None`.
fn series(
    sim: &dyn Simulation,
    name: &str,
    node: Option<&str>,
) -> Vec<(f64, dsplay_core::sim::metrics::Point)> {
    let id = node.map(|n| {
        let i = sim.node_names().iter().position(|x| x == n).unwrap_or_else(|| panic!("no node {n}"));
        dsplay_core::NodeId(i as u32)
    });
    sim.metrics().get(name, id).map(|m| m.series.iter().map(|p| (p.t_ms, *p)).collect()).unwrap_or_default()
}

#[test]
fn r2_the_breaker_needs_a_second_of_timeouts_before_it_opens_then_latency_recovers() {
    // The lesson: cart's 8 workers each wait 500 ms for the dead service, so the first 8 failures
    // land at 5.5 s and the breaker (10 failures of the last 20 calls) opens near 6 s; until then
    // the pools and queues fill and clients wait; the last queued requests finish and latency is back to normal within a second.
    let sim = run(&preset("r2-circuit-breaker-cascade"));
    let s = &*sim;
    let opened = series(s, "breaker_state", Some("cart")).into_iter().find(|(_, p)| p.value == 1.0);
    let opened = opened.expect("the breaker opens").0;
    assert!((5_500.0..=6_500.0).contains(&opened), "opens about 1 s after the 5 s crash, at {opened} ms");
    let during = |name: &str, node: Option<&str>, from: f64, to: f64| {
        series(s, name, node).into_iter().filter(move |(t, _)| (from..=to).contains(t)).map(|(_, p)| p)
    };
    let busy = during("pool_busy", Some("cart"), 5_000.0, opened).map(|p| p.value).fold(0.0, f64::max);
    assert_eq!(busy, 8.0, "all 8 cart workers wait on timeouts before it opens");
    let queued = during("pool_queued", Some("product"), 5_000.0, opened).map(|p| p.value).fold(0.0, f64::max);
    assert!(queued >= 20.0, "product's queue fills too: {queued}");
    let slow = during("latency_ms", None, 5_000.0, opened + 300.0).map(|p| p.p99).fold(0.0, f64::max);
    assert!(slow > 400.0, "clients wait: p99 {slow} ms");
    let after: Vec<f64> = during("latency_ms", None, opened + 800.0, 8_000.0).map(|p| p.p99).collect();
    assert!(!after.is_empty() && after.iter().all(|&p| p < 100.0), "back to normal once open: {after:?}");
}

#[test]
fn r2_without_breakers_cart_goes_down_and_takes_the_product_page_with_it() {
    let sim = run(&preset("r2-no-breaker-cascade"));
    let s = &*sim;
    let cart_ok = counter(s, "served_ok", Some("cart"));
    let cart_rejected = counter(s, "rejected", Some("cart"));
    assert!(cart_rejected * 5 > cart_ok, "cart rejects a lot: {cart_rejected} vs {cart_ok} served");
    let (ok, err) = (counter(s, "responses", None), counter(s, "errors", None));
    assert!(err * 3 > ok, "clients see the outage: {err} errors vs {ok} answers");
}

#[test]
fn r2_breaker_state_band_is_closed_before_the_crash() {
    let sim = run_until(&preset("r2-circuit-breaker-cascade"), 4_900);
    assert_eq!(gauge(&*sim, "breaker_state", "cart"), Some(0));
    assert_eq!(counter(&*sim, "short_circuited", Some("cart")), 0);
}

// ---------- R4 ----------

fn contention_counter(sim: &dyn Simulation, name: &str, group: &str) -> u64 {
    counter(sim, name, Some(&format!("reg-{group}")))
}

#[test]
fn r4_full_jitter_needs_the_fewest_calls_and_exponential_the_longest_time() {
    let sim = run(&preset("r4-backoff-contention"));
    let s = &*sim;
    assert_eq!(counter(s, "cas_successes", None), 200, "every client of every group wrote once");
    let calls = |g| contention_counter(s, "cas_calls", g);
    let done = |g| gauge(s, "done_ms", &format!("reg-{g}")).expect("group finished");
    let (none, exp, full, deco) =
        (calls("none"), calls("exponential"), calls("full-jitter"), calls("decorrelated-jitter"));
    assert!(none >= 700, "no backoff: about N²/2 = 800 calls, got {none}");
    assert!(exp * 10 >= none * 9, "exponential without jitter stays in lock-step: {exp} vs {none}");
    assert!(
        full * 10 <= exp * 6 && deco * 10 <= exp * 6,
        "jitter roughly halves the work: {full}, {deco} vs {exp}"
    );
    assert!(done("full-jitter") < done("exponential") && done("full-jitter") < done("equal-jitter"));
    assert!(done("exponential") > done("decorrelated-jitter"));
}

#[test]
fn r4_retry_storm_never_recovers_after_the_pause() {
    let sc = preset("r4-retry-storm");
    let before = run_until(&sc, 5_000);
    let after_blip = run_until(&sc, 10_000);
    let end = run(&sc);
    let ok = |s: &dyn Simulation| counter(s, "responses", None);
    assert!(ok(&*before) > 450, "healthy before the pause");
    assert_eq!(ok(&*end), ok(&*after_blip), "not one success in the last 10 s, 3.5 s after db resumed");
    let amplification = counter(&*end, "attempts", Some("api")) / counter(&*end, "requests", None).max(1);
    assert!(amplification >= 5, "retries multiplied the load on db by {amplification}");
}

#[test]
fn r4_without_retries_or_with_a_budget_the_system_recovers() {
    let mut sc = preset("r4-retry-storm");
    if let dsplay_core::protocols::ProtocolConfig::Resilience(m) = &mut sc.protocol {
        m.entries[0].retry.max_retries = 0;
        m.services[0].endpoints[0].calls[0].retry.max_retries = 0;
    }
    for sc in [sc, preset("r4-retry-budget")] {
        let mid = run_until(&sc, 10_000);
        let end = run(&sc);
        let late_ok = counter(&*end, "responses", None) - counter(&*mid, "responses", None);
        let late_err = counter(&*end, "errors", None) - counter(&*mid, "errors", None);
        assert!(late_ok > 900 && late_err == 0, "the last 10 s are healthy: {late_ok} ok, {late_err} errors");
    }
}

// ---------- R1 / R3: per-client success while the dependency is slow (5 s to 15 s) ----------

/// `client_ok` of each named client between 5 s and 15 s, and `client_failed` likewise.
fn during_slowdown(id: &str, clients: &[&str]) -> Vec<(u64, u64)> {
    let sc = preset(id);
    let a = run_until(&sc, 5_000);
    let b = run_until(&sc, 15_000);
    clients
        .iter()
        .map(|c| {
            let d = |n| counter(&*b, n, Some(c)) - counter(&*a, n, Some(c));
            (d("client_ok"), d("client_failed"))
        })
        .collect()
}

#[test]
fn r1_without_timeouts_the_unrelated_endpoint_goes_down_too() {
    // c2 and c4 call `account`, which never touches the slow inventory.
    let account = during_slowdown("r1-no-timeouts", &["c2", "c4"]);
    for (ok, failed) in account {
        assert!(failed > ok, "account is mostly down: {ok} ok, {failed} failed");
    }
}

#[test]
fn r1_with_timeouts_the_unrelated_endpoint_stays_up() {
    let account = during_slowdown("r1-timeouts", &["c2", "c4"]);
    for (ok, failed) in account {
        assert!(ok > 200 && failed == 0, "account unaffected: {ok} ok, {failed} failed");
    }
    let catalog = during_slowdown("r1-timeouts", &["c1"]);
    assert!(catalog[0].1 > 100, "catalog fails fast instead: {:?}", catalog[0]);
}

#[test]
fn r3_a_shared_pool_starves_healthy_dependencies_and_bulkheads_do_not() {
    let shared = during_slowdown("r3-shared-pool", &["c2", "c3"]);
    for (ok, failed) in shared {
        assert!(failed * 3 > ok, "customers/orders starve in the shared pool: {ok} ok, {failed} failed");
    }
    let bulk = during_slowdown("r3-bulkheads", &["c1", "c2", "c3"]);
    assert!(bulk[0].1 > 100, "products itself still fails: {:?}", bulk[0]);
    for &(ok, failed) in &bulk[1..] {
        assert!(ok > 450 && failed == 0, "customers/orders untouched: {ok} ok, {failed} failed");
    }
}

// ---------- R5 ----------

#[test]
fn r5_shedding_and_stale_cache_keep_the_page_up_and_turning_them_off_does_not() {
    let sc = preset("r5-graceful-degradation");
    let sim = run(&sc);
    let s = &*sim;
    let (ok, err) = (counter(s, "responses", None), counter(s, "errors", None));
    assert!(err * 200 <= ok, "≤ 0.5 % errors through the spike and the outage: {err} of {ok}");
    assert!(counter(s, "shed", Some("home")) > 500, "optional calls were shed under load");
    assert!(
        counter(s, "stale_served", Some("home")) > 100,
        "stale recommendations while the service was down"
    );
    assert!(counter(s, "degraded", None) > 1000);

    let mut off = sc.clone();
    if let dsplay_core::protocols::ProtocolConfig::Resilience(m) = &mut off.protocol {
        let ep = &mut m.services[0].endpoints[0];
        ep.shed_above_pct = 0;
        ep.calls.iter_mut().for_each(|c| c.fallback = dsplay_core::protocols::resilience::Fallback::None);
    }
    let sim = run(&off);
    let (ok, err) = (counter(&*sim, "responses", None), counter(&*sim, "errors", None));
    assert!(err * 5 > ok, "without degradation many pages fail: {err} errors vs {ok}");
    assert!(counter(&*sim, "rejected", Some("home")) > 100, "the spike fills home's pool");
}

// ---------- R6 ----------

fn fault_labels(sim: &dyn Simulation) -> Vec<&'static str> {
    use dsplay_core::sim::trace::TraceKind;
    sim.trace().records().iter().filter(|e| e.kind == TraceKind::Fault).map(|e| e.label).collect()
}

#[test]
fn r6_chaos_injects_seeded_faults_and_the_protected_chain_keeps_its_slo() {
    let sc = preset("r6-chaos");
    let sim = run(&sc);
    let labels = fault_labels(&*sim);
    for kind in ["crash", "restart", "link", "slow"] {
        assert!(labels.contains(&kind), "chaos injected {kind}: {labels:?}");
    }
    let (ok, err) = (counter(&*sim, "responses", None), counter(&*sim, "errors", None));
    assert!(err * 10 < ok, "availability above 90 % under chaos: {ok} ok, {err} errors");
    assert_eq!(sim.trace_hash(), run(&sc).trace_hash(), "the same seed replays the same chaos");

    let mut bare = preset("r2-no-breaker-cascade");
    bare.events.clear();
    bare.stop_at_ms = sc.stop_at_ms;
    bare.chaos = sc.chaos.clone();
    let sim = run(&bare);
    let (ok, err) = (counter(&*sim, "responses", None), counter(&*sim, "errors", None));
    assert!(err * 3 > ok, "the unprotected chain loses far more under the same chaos: {ok} ok, {err} errors");
}

#[test]
fn chaos_works_on_any_scenario_and_checks_its_targets() {
    let mut sc = preset("t1-round-robin");
    let plain = run_until(&sc, 5_000).trace_hash();
    sc.chaos = Some(dsplay_core::scenario::ChaosConfig { mean_gap_ms: 500, ..Default::default() });
    let a = run_until(&sc, 5_000);
    assert!(!fault_labels(&*a).is_empty(), "faults on a load-balancing run");
    assert_ne!(a.trace_hash(), plain);
    assert_eq!(a.trace_hash(), run_until(&sc, 5_000).trace_hash());

    sc.chaos =
        Some(dsplay_core::scenario::ChaosConfig { targets: vec!["nope".into()], ..Default::default() });
    let Err(err) = registry::build(&sc) else { panic!("an unknown target must be refused") };
    let err = err.to_string();
    assert!(err.contains("chaos.targets"), "{err}");
}
