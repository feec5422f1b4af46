//! T1 queueing experiment and T2–T7 (traffic family): each preset's lesson, checked on its run.

use dsplay_core::protocols::lb::Algorithm;
use dsplay_core::protocols::traffic::{LimitAlgorithm, TrafficConfig};
use dsplay_core::protocols::ProtocolConfig;
use dsplay_core::scenario::Keys;
use dsplay_core::sim::metrics::MetricKind;
use dsplay_core::{presets, registry, Scenario, SimTime, Simulation};

use crate::common;
use common::outstanding::closed;
use common::run_to;

fn preset(id: &str) -> Scenario {
    presets::get(id).unwrap_or_else(|e| panic!("{id}: {e}"))
}

fn run(sc: &Scenario) -> Box<dyn Simulation> {
    let mut sim = registry::build(sc).unwrap_or_else(|e| panic!("{}: {e}", sc.meta.id));
    let stop = sim.stop_at();
    sim.run_until(stop);
    assert!(sim.halted().is_none(), "{} halted: {:?}", sc.meta.id, sim.halted());
    sim
}

fn traffic(sc: &mut Scenario) -> &mut TrafficConfig {
    match &mut sc.protocol {
        ProtocolConfig::Traffic(c) => c,
        p => panic!("not a traffic scenario: {}", p.kind()),
    }
}

fn counter(sim: &dyn Simulation, name: &str) -> u64 {
    sim.metrics().counter(name, None)
}

fn gauge(sim: &dyn Simulation, name: &str) -> i64 {
    match sim.metrics().get(name, None).map(|m| &m.kind) {
        Some(MetricKind::Gauge { value }) => *value,
        _ => panic!("no gauge {name}"),
    }
}

fn mean_ms(sim: &dyn Simulation, name: &str) -> f64 {
    sim.metrics().histogram(name, None).map_or(f64::NAN, |h| h.mean() / 1000.0)
}

fn p99_ms(sim: &dyn Simulation, name: &str) -> f64 {
    sim.metrics().histogram(name, None).map_or(f64::NAN, |h| h.value_at_quantile(0.99) as f64 / 1000.0)
}

/// A global metric's samples as (time in ms, value).
fn series(sim: &dyn Simulation, name: &str) -> Vec<(f64, f64)> {
    sim.metrics()
        .get(name, None)
        .map(|m| m.series.iter().map(|p| (p.t_ms, p.value)).collect())
        .unwrap_or_default()
}

/// When a global gauge first reaches `v`, in ms.
fn first_at_least(sim: &dyn Simulation, name: &str, v: f64) -> f64 {
    series(sim, name).iter().find(|p| p.1 >= v).map_or(f64::INFINITY, |p| p.0)
}

/// Erlang C: the mean response time of M/M/c, in the unit of `1/mu`.
fn erlang_c_response(c: u32, lambda: f64, mu: f64) -> f64 {
    let a = lambda / mu;
    let rho = a / c as f64;
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / k as f64;
        }
        sum += term;
    }
    let last = term * a / c as f64 / (1.0 - rho);
    let wait_prob = last / (sum + last);
    1.0 / mu + wait_prob / (c as f64 * mu - lambda)
}

fn with_algorithm(mut sc: Scenario, alg: Algorithm) -> Scenario {
    if let ProtocolConfig::LoadBalancing(c) = &mut sc.protocol {
        c.algorithm = alg;
    }
    sc
}

#[test]
fn central_queue_is_m_m_c_and_matches_erlang_c() {
    let mut sc = preset("t1-queueing");
    sc.stop_at_ms = 55_556; // ≈ 200,000 requests at 3,600/s
    sc.sim.trace_capacity = 1_000;
    let sim = run(&sc);
    assert!(counter(&*sim, "responses") > 190_000);
    let want = erlang_c_response(4, 3.6, 1.0); // per ms
    let got = mean_ms(&*sim, "latency_ms");
    let err = (got - want).abs() / want;
    println!("M/M/4 at 90 %: simulated {got:.3} ms, Erlang C {want:.3} ms ({:.2} %)", err * 100.0);
    assert!(err < 0.05, "mean response {got:.3} ms, Erlang C says {want:.3} ms");
}

#[test]
fn the_lesson_quotes_the_erlang_c_mean() {
    let lesson = preset("t1-queueing").meta.lesson;
    let want = erlang_c_response(4, 3.6, 1.0);
    assert!(lesson.contains(&format!("≈ **{want:.2} ms**")), "Erlang C gives {want:.3} ms");
    assert!(lesson.contains(&format!("(Erlang C: {want:.2})")), "Erlang C gives {want:.3} ms");
}

/// GI/M/1 with Erlang-`k` arrivals (rate `lambda` per stage, so `lambda / k` requests per unit) and
/// service rate `mu`: σ solves σ = (λ / (λ + μ(1 − σ)))^k, and the mean response is 1 / (μ(1 − σ)).
fn erlang_k_m_1_response(k: i32, lambda: f64, mu: f64) -> f64 {
    let mut sigma: f64 = 0.5;
    for _ in 0..10_000 {
        sigma = (lambda / (lambda + mu * (1.0 - sigma))).powi(k);
    }
    1.0 / (mu * (1.0 - sigma))
}

/// Round robin hands each of the four backends every fourth Poisson arrival: Erlang-4 arrivals.
#[test]
fn round_robin_is_e4_m_1_and_the_lesson_quotes_its_mean() {
    let want = erlang_k_m_1_response(4, 3.6, 1.0); // per ms
    let lesson = preset("t1-queueing").meta.lesson;
    assert!(lesson.contains(&format!("**{want:.2} ms**")), "GI/M/1 gives {want:.3} ms");
    let mut sc = with_algorithm(preset("t1-queueing"), Algorithm::RoundRobin);
    sc.stop_at_ms = 55_556; // ≈ 200,000 requests
    sc.sim.trace_capacity = 1_000;
    let got = mean_ms(&*run(&sc), "latency_ms");
    let err = (got - want).abs() / want;
    println!("E4/M/1 at 90 %: simulated {got:.3} ms, GI/M/1 {want:.3} ms ({:.2} %)", err * 100.0);
    assert!(err < 0.06, "round robin's mean {got:.3} ms, E4/M/1 says {want:.3} ms");
}

#[test]
fn a_shared_queue_beats_per_backend_queues() {
    let mean = |alg| mean_ms(&*run(&with_algorithm(preset("t1-queueing"), alg)), "latency_ms");
    let shared = mean(Algorithm::CentralQueue);
    let random = mean(Algorithm::Random);
    let rr = mean(Algorithm::RoundRobin);
    let p2c = mean(Algorithm::PowerOfTwoChoices);
    assert!(random > 2.0 * shared, "random {random:.2} ms vs shared {shared:.2} ms");
    assert!(rr > 1.5 * shared, "round robin {rr:.2} ms vs shared {shared:.2} ms");
    assert!(p2c < rr && p2c > shared, "two choices {p2c:.2} ms sits between");
}

#[test]
fn health_checks_take_traffic_off_a_dead_backend_and_a_replacement_takes_over() {
    let sim = run(&preset("t2-health-checks"));
    let errors = sim.metrics().get("errors", None).map(|m| m.series.clone()).unwrap_or_default();
    let late: f64 = errors.iter().filter(|p| p.t_ms > 7_000.0).map(|p| p.value).sum();
    assert!(counter(&*sim, "errors") > 0, "the crash costs some requests");
    assert_eq!(late, 0.0, "no errors once b2 is out (crash at 5 s)");
    let b4 = sim.node_names().iter().position(|n| n == "b4").map(|i| dsplay_core::NodeId(i as u32));
    assert!(sim.metrics().counter("task_requests", b4) > 100, "the replacement b4 serves");
    assert_eq!(gauge(&*sim, "healthy_tasks"), 3);

    let mut blind = preset("t2-health-checks");
    let cfg = traffic(&mut blind);
    (cfg.active_check, cfg.passive_check, cfg.replace) = (None, None, None);
    let blind = run(&blind);
    assert!(counter(&*blind, "errors") > 10 * counter(&*sim, "errors"), "without checks b2 keeps failing");
}

/// The lesson's two times: the passive check ejects b2 at 5.5 s, a second before the active
/// verdict (6.5 s) launches the replacement; `healthy_tasks` drops with the first (series are
/// sampled every 100 ms).
#[test]
fn the_passive_check_ejects_b2_a_second_before_the_active_verdict() {
    let sim = run(&preset("t2-health-checks"));
    let ejected = first_at_least(&*sim, "ejections", 1.0);
    let verdict = first_at_least(&*sim, "marked_unhealthy", 1.0);
    let unhealthy = series(&*sim, "healthy_tasks").iter().find(|p| p.0 > 5_000.0 && p.1 < 3.0).map(|p| p.0);
    assert!((5_500.0..=5_600.0).contains(&ejected), "passive ejection at {ejected} ms");
    assert!((6_500.0..=6_600.0).contains(&verdict), "active verdict at {verdict} ms");
    assert_eq!(unhealthy, Some(ejected), "healthy_tasks drops with the ejection");
    let lesson = preset("t2-health-checks").meta.lesson;
    assert!(lesson.contains("ejects b2 at 5.5 s") && lesson.contains("verdict at 6.5 s"));
}

#[test]
fn without_checks_a_third_of_the_requests_after_the_crash_fail_to_the_end() {
    let mut sc = preset("t2-health-checks");
    let cfg = traffic(&mut sc);
    (cfg.active_check, cfg.passive_check) = (None, None);
    let err = registry::build(&sc).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("protocol.replace"), "replace needs the active check: {err}");
    traffic(&mut sc).replace = None;
    let (before, after) = (run_to(&sc, 5_000), run(&sc));
    let failed = counter(&*after, "errors") - counter(&*before, "errors");
    let sent = counter(&*after, "requests") - counter(&*before, "requests");
    let share = failed as f64 / sent as f64;
    assert!((0.28..0.37).contains(&share), "{failed} of {sent} requests after the crash fail");
    let last = series(&*after, "errors").iter().filter(|p| p.0 > 18_000.0).map(|p| p.1).sum::<f64>();
    assert!(last > 0.0, "still failing in the last 2 s");
}

#[test]
fn three_tasks_have_no_downtime_two_tasks_do() {
    let two = run(&preset("t3-redundancy-2-tasks"));
    let three = run(&preset("t3-redundancy-3-tasks"));
    assert_eq!(gauge(&*three, "downtime_ms"), 0);
    assert_eq!(counter(&*three, "no_backend"), 0);
    assert!(gauge(&*two, "downtime_ms") > 10_000, "two tasks: {} ms down", gauge(&*two, "downtime_ms"));
    assert!(counter(&*two, "errors") > 10 * counter(&*three, "errors").max(1));
    assert!(gauge(&*three, "below_min_healthy_ms") > 0, "three tasks ran on one for a while");
}

/// The chart a student scrubs through the outage: `downtime_ms` climbs with it, not in jumps at
/// the health-check rounds 5 s apart (it read 0 until 75 s while the log said "outage" at 70.7 s).
#[test]
fn downtime_climbs_while_the_outage_goes_on() {
    let sc = preset("t3-redundancy-2-tasks");
    let outage_ms = 70_672.0; // b2 ejected: "no task can serve: outage"
    for at in [72_000, 74_000, 79_000] {
        let down = gauge(&*run_to(&sc, at), "downtime_ms") as f64;
        let since = at as f64 - outage_ms;
        assert!(down <= since && down > since - 250.0, "at {at} ms: {down} ms down, outage for {since}");
    }
}

#[test]
fn autoscaling_keeps_latency_down_for_less_than_the_peak_fleet_costs() {
    let scaled = run(&preset("t4-autoscaling"));
    let mut fixed = preset("t4-autoscaling");
    traffic(&mut fixed).autoscale = None;
    let fixed = run(&fixed);
    let mut peak = preset("t4-autoscaling");
    traffic(&mut peak).autoscale = None;
    traffic(&mut peak).tasks.count = 8;
    let peak = run(&peak);
    assert!(counter(&*scaled, "launches") >= 3, "the spike triggers scale-out");
    assert!(counter(&*scaled, "scale_ins") >= 1, "and the pool shrinks after it");
    let p50 = |s: &dyn Simulation| {
        s.metrics().histogram("latency_ms", None).map_or(0, |h| h.value_at_quantile(0.5))
    };
    assert!(
        p50(&*scaled) * 5 < p50(&*fixed) && counter(&*scaled, "errors") * 3 < counter(&*fixed, "errors"),
        "scaling: p50 {} µs, {} errors; two fixed tasks: p50 {} µs, {} errors",
        p50(&*scaled),
        counter(&*scaled, "errors"),
        p50(&*fixed),
        counter(&*fixed, "errors")
    );
    // The lesson's figures for no scaling at all (review 48 C10 found "ten times" loose).
    let ms = |s: &dyn Simulation| (p50(s) as f64 / 1000.0).round();
    let quoted = format!("{} ms against {} ms over the run", ms(&*fixed), ms(&*scaled));
    assert!(preset("t4-autoscaling").meta.lesson.contains(&quoted), "the lesson says {quoted}");
    assert!(p50(&*fixed) > 10 * p50(&*scaled), "over ten times higher");
    let (cost, peak_cost) = (gauge(&*scaled, "task_seconds"), gauge(&*peak, "task_seconds"));
    assert!(cost * 10 < peak_cost * 8, "cheaper than the peak fleet: {cost} vs {peak_cost} task-seconds");
    assert_eq!(counter(&*peak, "errors"), 0, "the peak fleet never overflows");
}

#[test]
fn autoscaling_climbs_to_ten_tasks_by_34_s_then_sheds_one_every_10_s_from_44_s() {
    let sim = run(&preset("t4-autoscaling"));
    let tasks = series(&*sim, "tasks_running");
    let top = tasks.iter().map(|p| p.1).fold(0.0, f64::max);
    assert_eq!(top, 10.0, "the limit, max_tasks");
    let at_top = first_at_least(&*sim, "tasks_running", 10.0);
    assert!((33_000.0..35_000.0).contains(&at_top), "10 tasks at {at_top} ms");
    let drops: Vec<(f64, f64)> =
        tasks.windows(2).filter(|w| w[1].1 < w[0].1).map(|w| (w[1].0, w[0].1 - w[1].1)).collect();
    assert!(
        drops.iter().all(|d| d.0 > at_top && d.1 == 1.0),
        "one task at a time, after the peak: {drops:?}"
    );
    assert!(drops.windows(2).all(|w| w[1].0 - w[0].0 >= 9_900.0), "at most every 10 s: {drops:?}");
    let first = drops.first().map_or(f64::INFINITY, |d| d.0);
    assert!((43_500.0..45_000.0).contains(&first), "the first scale-in, during the spike: {first} ms");
    assert_eq!(gauge(&*sim, "tasks_running"), 6, "at the end");
}

/// The preset with the ⚡ Surge button pressed at `at_ms` (×5 for 5 s).
fn surged(id: &str, at_ms: u64) -> Scenario {
    let mut sc = preset(id);
    let event = dsplay_core::ScenarioEvent::Surge { rate_pct: 500, duration_ms: 5_000 };
    sc.events.push(dsplay_core::scenario::Timed::at(at_ms, event));
    sc
}

#[test]
fn a_surge_before_the_spike_scales_out_too_late_for_itself_and_just_in_time_for_the_spike() {
    // t4's lesson: "Try ⚡ Surge at about 10 s".
    let calm = run(&preset("t4-autoscaling"));
    let sc = surged("t4-autoscaling", 10_000);
    let upto = |ms: u64| counter(&*run_to(&sc, ms), "errors");
    let (by_15, by_16) = (upto(15_000), upto(16_000));
    let surged = run(&sc);
    let all = counter(&*surged, "errors");
    assert!(by_15 > 1_000, "the surge overflows the two tasks: {by_15} errors by 15 s");
    assert_eq!(all, by_16, "all errors come by 16 s, before any new task serves; none in the spike");
    // b3 launches at 12 s and boots at 16 s, when b4 and b5 launch; each serves a second after
    // booting, once it has passed its check.
    let launched = first_at_least(&*surged, "tasks_running", 5.0);
    assert!((15_900.0..16_500.0).contains(&launched), "two more tasks launch at {launched} ms");
    let first = first_at_least(&*surged, "healthy_tasks", 3.0);
    assert!((16_500.0..17_500.0).contains(&first), "the first new task serves at {first} ms");
    let next = first_at_least(&*surged, "healthy_tasks", 5.0);
    assert!((20_500.0..21_500.0).contains(&next), "the next two serve at {next} ms");
    assert!(all < counter(&*calm, "errors"), "{all} errors, {} without the surge", counter(&*calm, "errors"));
    let (cost, calm_cost) = (gauge(&*surged, "task_seconds"), gauge(&*calm, "task_seconds"));
    assert!(cost < calm_cost, "{cost} task-seconds, {calm_cost} without the surge");
}

#[test]
fn a_surge_makes_the_per_client_limiter_turn_polite_clients_away() {
    // t6's lesson: "Try ⚡ Surge after the abuse, at about 16 s".
    assert_eq!(counter(&*run(&preset("t6-rate-limiting")), "polite_rejected_429"), 0);
    let sim = run(&surged("t6-rate-limiting", 16_000));
    let polite = counter(&*sim, "polite_rejected_429");
    assert!(polite > 300, "polite clients at twice their bucket's rate: {polite} rejected");
    let p50 =
        sim.metrics().histogram("polite_latency_ms", None).map_or(u64::MAX, |h| h.value_at_quantile(0.5));
    assert!((5_000..25_000).contains(&p50), "the tasks stay unhurried: polite p50 {p50} µs");
}

#[test]
fn sticky_sessions_lose_carts_a_shared_store_does_not() {
    let sticky = run(&preset("t5-sticky-sessions"));
    let shared = run(&preset("t5-shared-store"));
    assert!(counter(&*sticky, "items_lost") > 20 && counter(&*sticky, "carts_lost") >= 1);
    assert_eq!(counter(&*shared, "items_lost"), 0);
    assert!(counter(&*shared, "responses") > 1_000);
}

#[test]
fn a_crash_fails_in_flight_adds_with_504_and_nothing_is_retried() {
    let crashed = run(&preset("t5-shared-store"));
    let mut calm = preset("t5-shared-store");
    calm.events.clear();
    let calm = run(&calm);
    let timeouts = counter(&*crashed, "upstream_timeouts");
    assert!((1..=20).contains(&timeouts), "{timeouts} requests in flight on b1 fail");
    assert_eq!(counter(&*crashed, "errors"), timeouts, "every error is a 504");
    assert_eq!(counter(&*crashed, "items_lost"), 0);
    assert_eq!(counter(&*crashed, "requests"), counter(&*calm, "requests"), "no request is re-sent");
}

#[test]
fn every_limiter_stops_the_abuser_and_spares_everyone_else() {
    let mut open = preset("t6-rate-limiting");
    traffic(&mut open).rate_limit = None;
    let open = run(&open);
    let open_p99 = p99_ms(&*open, "polite_latency_ms");
    for alg in [
        LimitAlgorithm::TokenBucket,
        LimitAlgorithm::LeakyBucket,
        LimitAlgorithm::FixedWindow,
        LimitAlgorithm::SlidingWindow,
    ] {
        let mut sc = preset("t6-rate-limiting");
        if let Some(r) = traffic(&mut sc).rate_limit.as_mut() {
            r.algorithm = alg;
        }
        let sim = run(&sc);
        let p99 = p99_ms(&*sim, "polite_latency_ms");
        assert!(counter(&*sim, "rejected_429") > 2_000, "{alg:?}: the abuser is rejected");
        assert_eq!(counter(&*sim, "polite_rejected_429"), 0, "{alg:?}: polite clients are not");
        assert!(p99 * 3.0 < open_p99, "{alg:?}: polite p99 {p99} ms vs {open_p99} ms unprotected");
    }
}

#[test]
fn cache_hit_ratio_grows_with_size_and_skew() {
    let ratio = |capacity: u32, keys: Option<Keys>| {
        let mut sc = preset("t7-caching");
        if let Some(c) = traffic(&mut sc).cache.as_mut() {
            c.capacity = capacity;
        }
        if let Some(k) = keys {
            sc.workload.keys = k;
        }
        gauge(&*run(&sc), "hit_ratio_permille")
    };
    let (small, mid, large) = (ratio(10, None), ratio(100, None), ratio(1000, None));
    assert!(small < mid && mid < large, "hit ratio ‰ by size: {small} {mid} {large}");
    let lesson = preset("t7-caching").meta.lesson;
    let pct = |permille: i64| (permille as f64 / 10.0).round();
    for (said, permille) in [("capacity* of 10 (≈ {} %)", small), ("and 1000\n(≈ {} %)", large)] {
        let quoted = said.replace("{}", &pct(permille).to_string());
        assert!(lesson.contains(&quoted), "the lesson says {quoted}");
    }
    let uniform = ratio(100, Some(Keys::Uniform { count: 1000 }));
    assert!(uniform * 3 < mid, "skew matters: uniform {uniform}‰ vs Zipf {mid}‰");
}

#[test]
fn without_invalidation_the_cache_serves_stale_reads() {
    let stale = run(&preset("t7-caching"));
    let mut sc = preset("t7-caching");
    if let Some(c) = traffic(&mut sc).cache.as_mut() {
        c.invalidate_on_write = true;
    }
    let fresh = run(&sc);
    let (before, after) = (counter(&*stale, "stale_reads"), counter(&*fresh, "stale_reads"));
    assert!(before > 500, "stale reads without invalidation: {before}");
    assert!(after * 20 < before, "invalidation on write: {after} stale vs {before}");
    assert!(
        p99_ms(&*stale, "latency_ms")
            > 3.0
                * stale
                    .metrics()
                    .histogram("latency_ms", None)
                    .map_or(0.0, |h| h.value_at_quantile(0.3) as f64 / 1000.0)
    );
}

#[test]
fn bad_configs_name_the_field() {
    let mut sc = preset("t4-autoscaling");
    traffic(&mut sc).active_check = None;
    let err = registry::build(&sc).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("protocol.autoscale"), "{err}");
    let mut sc = preset("t6-rate-limiting");
    if let Some(r) = traffic(&mut sc).rate_limit.as_mut() {
        r.rate_per_s = 0;
    }
    let err = registry::build(&sc).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("protocol.rate_limit"), "{err}");
    let mut sc = preset("t2-health-checks");
    traffic(&mut sc).tasks.count = 9;
    let err = registry::build(&sc).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("protocol.tasks.count"), "{err}");
}

/// Review 12 (C6): t4's autoscale section added to t2 was refused with every rule of the section
/// ("needs active_check, target_util_pct 1 to 100, 1 ≤ min_tasks ≤ …"), though t2 has an active
/// check: the one rule broken is named, with the values that break it.
#[test]
fn a_section_that_breaks_one_rule_is_told_that_rule() {
    let mut sc = preset("t2-health-checks");
    traffic(&mut sc).autoscale = traffic(&mut preset("t4-autoscaling")).autoscale.clone();
    let err = registry::build(&sc).err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        err,
        "`protocol.autoscale.max_tasks`: is 10 but tasks.slots is 4: raise tasks.slots or lower max_tasks"
    );
    let mut sc = preset("t6-rate-limiting");
    if let Some(r) = traffic(&mut sc).rate_limit.as_mut() {
        r.burst = 0;
    }
    let err = registry::build(&sc).err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(err, "`protocol.rate_limit.burst`: must be 1 to 1000000");
}

/// Review 55 B4: 50/s over a 30 ms window floored 1.5 to 1 a window and admitted 33/s without a
/// word. A window that does not hold a whole number of requests is refused with one that would.
#[test]
fn a_window_of_a_fraction_of_a_request_is_refused_with_a_window_that_fits() {
    let window = |rate: u32, ms: u64| {
        let mut sc = preset("t6-rate-limiting");
        if let Some(r) = traffic(&mut sc).rate_limit.as_mut() {
            (r.rate_per_s, r.window_ms) = (rate, ms);
        }
        registry::build(&sc).err().map(|e| e.to_string())
    };
    let said = "`protocol.rate_limit.window_ms`: 50/s over 30 ms is 1.5 requests a window, and a window \
                limiter counts whole requests: use a multiple of 20 ms";
    assert_eq!(window(50, 30).as_deref(), Some(said));
    assert!(
        window(3, 100).is_some_and(|e| e.contains("is 0.3 requests") && e.contains("multiple of 1000 ms"))
    );
    assert_eq!(window(50, 20), None);
    assert_eq!(window(7, 1000), None);
}

#[test]
fn tasks_the_scaler_stopped_say_stopped_not_standby() {
    // Review 7: b7-b10, stopped by the scale-in, read "standby" like slots never launched.
    let sim = run(&preset("t4-autoscaling"));
    let labels: Vec<String> = sim.view().nodes.iter().map(|n| n.view.label.clone()).collect();
    let stopped = labels.iter().filter(|l| *l == "stopped").count();
    assert!(stopped >= 3 && !labels.iter().any(|l| l == "standby"), "{labels:?}");
}

/// Review 10 (C3): the inspector says a task's state in words, not as Rust's Debug text
/// ("Serving", "Standby"): t4 at 10 s has two tasks serving and eight on standby.
#[test]
fn t4_task_states_are_said_in_words() {
    let sim = run_to(&preset("t4-autoscaling"), 10_000);
    let gateway = common::view(&*sim, "lb");
    let slots: Vec<&str> =
        gateway.fields.iter().filter(|(k, _)| k.starts_with('b')).map(|(_, v)| v.as_str()).collect();
    assert_eq!(slots.len(), 10, "{slots:?}");
    assert!(slots[0].starts_with("serving healthy, "), "{slots:?}");
    assert!(slots[9].starts_with("standby "), "{slots:?}");
    let state = |name: &str| {
        let v = common::view(&*sim, name);
        v.fields.into_iter().find(|(k, _)| k == "state").map(|(_, s)| s)
    };
    assert_eq!(state("b1").as_deref(), Some("running"));
    assert_eq!(state("b10").as_deref(), Some("standby"));
    assert_eq!(common::view(&*sim, "b10").label, "standby");
}

/// Closed loop (2 requests per client): c1's abusive stream (400/s from 5 s to 15 s) is load on
/// top of its loop and holds no slot of it, so once the abuse is over c1 keeps 2 requests going,
/// as the polite clients do.
#[test]
fn a_closed_loop_abuser_is_back_to_its_loop_once_the_abuse_is_over() {
    let sc = common::scenario("t6-rate-limiting", |v| v["workload"]["arrival"] = closed(2, 20));
    let mut sim = registry::build(&sc).expect("build");
    sim.run_until(SimTime::from_ms(16_000));
    while let Some(at) = sim.step() {
        let c1 = common::view(&*sim, "c1");
        let pending = &c1.fields.iter().find(|(k, _)| k == "pending").expect("c1 shows `pending`").1;
        let pending: usize = pending.parse().expect("a count");
        assert!(pending <= 2, "c1 has {pending} requests pending at {at:?}");
    }
    assert!(common::outstanding::sends_between(&*sim, "c1", 19_000, 20_000) > 0, "c1 still sends");
}
