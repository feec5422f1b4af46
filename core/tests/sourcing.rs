//! E4: each preset's lesson, checked on its run; time travel by hand; the knobs' limits.

use dsplay_core::sim::trace::TraceKind;
use dsplay_core::Simulation;
use serde_json::{json, Value};

use crate::common;

const MATCHES_LOG: &str = "projection matches the log";
const NO_NEGATIVE: &str = "no negative balance";
const MISAPPLIED: &str = "misapplied (since its last rebuild)";

use common::{gauge, node_id, run_preset as run, run_preset_to as run_to, view};

fn total(sim: &dyn Simulation, name: &str) -> u64 {
    common::counter(sim, name)
}

/// The highest value a node's gauge took.
fn peak(sim: &dyn Simulation, name: &str, node: &str) -> f64 {
    let m = sim.metrics().get(name, Some(node_id(sim, node))).expect("gauge");
    m.series.iter().map(|p| p.value).fold(f64::MIN, f64::max)
}

fn field(sim: &dyn Simulation, node: &str, name: &str) -> String {
    let v = view(sim, node);
    v.fields.into_iter().find(|(k, _)| k == name).unwrap_or_else(|| panic!("{node} has no {name}")).1
}

/// Every note containing `text`, with its time in ms.
fn notes(sim: &dyn Simulation, text: &str) -> Vec<(f64, String)> {
    sim.trace()
        .said()
        .filter(|e| e.kind == TraceKind::Note)
        .filter_map(|e| e.text.as_deref().filter(|t| t.contains(text)).map(|t| (e.at.as_ms_f64(), t.into())))
        .collect()
}

fn note(sim: &dyn Simulation, text: &str) -> (f64, String) {
    notes(sim, text).into_iter().next().unwrap_or_else(|| panic!("no note says {text:?}"))
}

fn violations(sim: &dyn Simulation, rule: &str) -> Vec<(f64, String)> {
    sim.violations().iter().filter(|v| v.rule == rule).map(|v| (v.at.as_ms_f64(), v.detail.clone())).collect()
}

/// The balances line of a node's inspector: a projection's own, or the log's fold.
fn balances(sim: &dyn Simulation, node: &str) -> String {
    field(sim, node, if node == "log" { "balances (fold of the log)" } else { "balances" })
}

#[test]
fn e4_a_crashed_projection_rebuilds_its_state_by_replaying_the_log() {
    let id = "e4-event-replay";
    // Before the crash both projections agree with the log's fold of its 678 events.
    let before = run_to(id, 5999);
    assert_eq!(gauge(&*before, "log_length", None), 677);
    let truth = balances(&*before, "log");
    assert!(truth.starts_with("acct 1: 376") && truth.contains("acct 5: 972"), "{truth}");
    assert_eq!((balances(&*before, "p1"), balances(&*before, "p2")), (truth.clone(), truth.clone()));
    // Restarted empty, p2 knows nothing of the log (its old head is gone with the crash); its
    // first batch, at 8.004 s, tells it the log holds 902 events: all lag.
    let restart = run_to(id, 8000);
    assert_eq!(gauge(&*restart, "log_length", None), 902);
    assert_eq!(gauge(&*run_to(id, 8003), "known_lag", Some("p2")), 0);
    assert_eq!(gauge(&*run_to(id, 8004), "known_lag", Some("p2")), 902);
    assert_eq!(gauge(&*run_to(id, 8100), "known_lag", Some("p2")), 863);
    let mid = run_to(id, 8500);
    assert_eq!(gauge(&*mid, "known_lag", Some("p2")), 511);
    // The chart draws each 100 ms's highest value: the lesson names what it reads there too
    // (review 51 C4: a student read 601 off the chart at 8.5 s against the lesson's 511).
    let p2 = Some(node_id(&*mid, "p2"));
    let lag = mid.metrics().get("known_lag", p2).expect("known_lag").series.clone();
    let at = |ms: f64| lag.iter().find(|p| p.t_ms == ms).map(|p| p.value);
    assert_eq!((at(8100.0), at(8500.0)), (Some(908.0), Some(601.0)));
    assert!(view(&*mid, "p2").badges.contains(&"rebuilding".to_string()));
    // Mid-replay: an old balance, never a wrong one.
    assert!(balances(&*mid, "p2").contains("acct 2: 258") && balances(&*mid, "log").contains("acct 2: 585"));
    let sim = run(id);
    let (at, said) = note(&*sim, "p2 rebuilt its state from the log");
    assert!(
        (at - 9023.7).abs() < 1.0
            && said.contains("replayed 1002 events in 1023 ms (978 events/s) since 8.000 s"),
        "{at}: {said}"
    );
    assert_eq!(total(&*sim, "replayed"), 1002);
    assert_eq!(peak(&*sim, "known_lag", "p2"), 908.0);
    // Catching up a moving log: L / (r - a), with the log growing by about 120 a second.
    let grew = gauge(&*run_to(id, 9024), "log_length", None) - 902;
    let a = grew as f64 / (at - 8000.0) * 1000.0;
    assert_eq!(a.round(), 120.0, "{grew} in {at}");
    assert_eq!((902.0 / (978.0 - 120.0) * 100.0_f64).round(), 105.0, "≈ 1.05 s, measured 1.023 s");
    assert_eq!(gauge(&*sim, "replay_events_per_s", None), 978, "the last rebuild's speed");
    let rebuild = sim.metrics().get("rebuild_ms", Some(node_id(&*sim, "p2"))).expect("rebuild_ms");
    assert!(format!("{:?}", rebuild.kind).contains("count: 1"), "{:?}", rebuild.kind);
    // After it, p2 and p1 agree again, and at the end both agree with the log.
    let after = run_to(id, 9030);
    assert_eq!(gauge(&*after, "known_lag", Some("p2")), 0);
    assert_eq!(balances(&*after, "p2"), balances(&*after, "p1"));
    assert_eq!(balances(&*sim, "p2"), balances(&*sim, "log"));
    assert_eq!(balances(&*sim, "p1"), balances(&*sim, "log"));
    assert_eq!(total(&*sim, "misapplied"), 0);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    assert_eq!(sim.invariants(), [MATCHES_LOG, NO_NEGATIVE]);
}

/// The lesson's "Try": five times slower, the rebuild needs more than the preset's 12 s; it
/// takes 8.0 s, less than L / (r - a); and replaying slower than the log grows never catches up.
#[test]
fn e4_a_slower_replay_chases_the_growing_log() {
    let slow = |us: u64, stop: u64| {
        common::run(&common::scenario("e4-event-replay", |v| {
            v["protocol"]["replay_us_per_event"] = json!(us);
            v["stop_at_ms"] = json!(stop);
        }))
    };
    assert!(notes(&*slow(5000, 12000), "p2 rebuilt").is_empty(), "not within the preset's 12 s");
    let sim = slow(5000, 20000);
    let (at, said) = note(&*sim, "p2 rebuilt its state from the log");
    assert!(
        (at - 16026.6).abs() < 0.5 && said.contains("replayed 1599 events in 8026 ms (199 events/s)"),
        "{at}: {said}"
    );
    let sc = common::scenario("e4-event-replay", |v| {
        v["protocol"]["replay_us_per_event"] = json!(5000);
        v["stop_at_ms"] = json!(20000);
    });
    let len = gauge(&*common::run_to(&sc, 16026), "log_length", None);
    assert_eq!(len, 1822);
    let a = (len - 902) as f64 / 8.026;
    assert_eq!(a.round(), 115.0);
    assert_eq!((902.0 / (199.0 - 115.0) * 10.0_f64).round(), 107.0, "≈ 10.7 s");
    // 10 ms per record: 100 a second, slower than the log grows; 30 s later still not caught up.
    let never = slow(10_000, 40000);
    assert!(notes(&*never, "p2 rebuilt").is_empty());
    assert!(gauge(&*never, "known_lag", Some("p2")) > 1000, "{}", gauge(&*never, "known_lag", Some("p2")));
}

/// The lesson's "Try": `as_of 677` shows the balances the log had at 6 s; `rebuild` comes back.
#[test]
fn e4_time_travel_replays_a_prefix_of_the_log_and_rebuild_returns_to_the_present() {
    let truth_at_6s = balances(&*run_to("e4-event-replay", 5999), "log");
    let sc = common::scenario("e4-event-replay", |v| {
        v["events"] = json!([
            { "at_ms": 10000, "event": { "type": "client", "node": "p1", "request": { "op": "as_of", "value": 677 } } },
            { "at_ms": 11000, "event": { "type": "client", "node": "p1", "request": { "op": "rebuild" } } }
        ]);
        v["stop_at_ms"] = json!(13000);
    });
    let back = common::run_to(&sc, 10900);
    assert_eq!(balances(&*back, "p1"), truth_at_6s, "p1 as of event 677 is the log at 6 s");
    assert!(view(&*back, "p1").badges.contains(&"as of event 677".to_string()));
    assert_eq!(view(&*back, "p1").label, "as of event 677");
    let (_, said) = note(&*back, "p1 rebuilt its state from the log up to event 677");
    assert!(said.contains(&truth_at_6s), "{said}");
    let sim = common::run(&sc);
    assert_eq!(balances(&*sim, "p1"), balances(&*sim, "log"));
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    assert_eq!(sim.requests(node_id(&*sim, "p1")), ["rebuild", "as_of"]);
    assert_eq!(sim.requests(node_id(&*sim, "c1")), ["deposit", "withdraw"]);
}

#[test]
fn e4_per_partition_order_holds_early_records_back_and_never_diverges() {
    let sim = run("e4-ordering-per-partition");
    let (at, said) = note(&*sim, "holds back");
    assert!(
        (at - 60.5).abs() < 1.0
            && said.starts_with("p1 holds back Deposited(acct 3, 23) (partition 0 offset 1): offset 0"),
        "{at}: {said}"
    );
    assert_eq!((total(&*sim, "commands"), total(&*sim, "rejected_commands")), (1775, 73));
    let rejects = notes(&*sim, "writer rejects");
    let not_open = rejects.iter().filter(|(_, t)| t.contains("is not open")).count();
    let overdrafts = rejects.iter().filter(|(_, t)| t.contains(", less than ")).count();
    assert_eq!((rejects.len(), overdrafts, not_open), (73, 65, 8));
    assert_eq!(gauge(&*sim, "log_length", None), 1708);
    assert_eq!(total(&*sim, "held_back"), 304);
    assert_eq!(
        (field(&*sim, "p1", "held back"), field(&*sim, "p2", "held back")),
        ("158".into(), "146".into())
    );
    assert_eq!(peak(&*sim, "known_lag", "p1").max(peak(&*sim, "known_lag", "p2")), 4.0);
    assert_eq!((total(&*sim, "misapplied"), total(&*sim, "negative_applies")), (0, 0));
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    let truth = balances(&*sim, "log");
    assert!(truth.starts_with("acct 1: 154") && truth.contains("acct 3: 1688 · acct 4: 2177"), "{truth}");
    assert_eq!(balances(&*sim, "p1"), truth);
    // p2 has all but the last record, still in flight at the stop: only that record's account differs.
    assert_eq!(field(&*sim, "p2", "processed"), "1707");
    // ... and its known lag is 0: it cannot know of a record that has not reached it.
    assert_eq!(gauge(&*sim, "known_lag", Some("p2")), 0);
    let others =
        |b: String| b.split(" · ").filter(|a| !a.starts_with("acct 3:")).collect::<Vec<_>>().join(" · ");
    assert_eq!(others(balances(&*sim, "p2")), others(truth.clone()));
    assert_ne!(balances(&*sim, "p2"), truth);
    // The lesson's "Try": one partition, still in order.
    let one = common::run(&common::scenario("e4-ordering-per-partition", |v| {
        v["protocol"]["partitions"] = json!(1)
    }));
    assert!(one.violations().is_empty() && total(&*one, "held_back") > 0);
}

/// An account's balance in an inspector's balances line.
fn acct(sim: &dyn Simulation, node: &str, a: u32) -> i64 {
    let line = balances(sim, node);
    let pre = format!("acct {a}: ");
    let v = line.split(" · ").find_map(|x| x.strip_prefix(pre.as_str()));
    v.unwrap_or_else(|| panic!("{node} has no acct {a}: {line}")).parse().expect("number")
}

#[test]
fn e4_unordered_delivery_loses_events_for_accounts_not_open_yet() {
    let id = "e4-out-of-order";
    let sim = run(id);
    // The same traffic as the ordered run.
    assert_eq!((total(&*sim, "commands"), total(&*sim, "rejected_commands")), (1775, 73));
    assert_eq!(gauge(&*sim, "log_length", None), 1708);
    let (at, said) = note(&*sim, "drops");
    assert!((at - 60.5).abs() < 1.0 && said.starts_with("p1 drops Deposited(acct 3, 23)"), "{at}: {said}");
    assert!(said.contains("acct 3 misses this change for good"), "{said}");
    let matches = violations(&*sim, MATCHES_LOG);
    assert_eq!(matches.len(), 1, "red once, and for good: {matches:?}");
    assert!(
        (matches[0].0 - 60.5).abs() < 1.0
            && matches[0].1.starts_with(
                "p1 has no acct 3 (it dropped what it could not apply) after processing 1 of acct 3's events, \
                 not its Opened; the log has acct 3 at 0 after its first 1"
            ),
        "{:?}",
        matches[0]
    );
    assert_eq!(total(&*sim, "misapplied"), 7);
    assert_eq!((field(&*sim, "p1", MISAPPLIED), field(&*sim, "p2", MISAPPLIED)), ("2".into(), "5".into()));
    let drops: Vec<String> = notes(&*sim, " drops ")
        .into_iter()
        .map(|(at, t)| {
            assert!(at < 200.0, "all while the accounts open: {at} {t}");
            t.split(" (partition").next().expect("text").to_string()
        })
        .collect();
    assert_eq!(
        drops,
        [
            "p1 drops Deposited(acct 3, 23)",
            "p1 drops Deposited(acct 1, 35)",
            "p2 drops Deposited(acct 1, 35)",
            "p2 drops Deposited(acct 4, 99)",
            "p2 drops Deposited(acct 4, 66)",
            "p2 drops Withdrew(acct 5, 2)",
            "p2 drops Deposited(acct 5, 16)"
        ]
    );
    // The lasting damage is exactly what was dropped.
    assert_eq!((acct(&*sim, "log", 1), acct(&*sim, "p1", 1)), (154, 119));
    assert_eq!(154 - 119, 35);
    assert_eq!((acct(&*sim, "log", 4), acct(&*sim, "p2", 4)), (2177, 2012));
    assert_eq!(2177 - 2012, 99 + 66);
    assert_eq!(acct(&*sim, "log", 5) - acct(&*sim, "p2", 5), 16 - 2);
    assert!(view(&*sim, "p2").alerts.iter().any(|a| a == "dropped 5 events: diverged from the log"));
    // 45 negative applies: 44 after-effects of a drop, 1 withdrawal before its deposit.
    assert_eq!(total(&*sim, "negative_applies"), 45);
    let after_drop = notes(&*sim, "earlier events, so this balance is wrong for good");
    let early = notes(&*sim, "the dip is temporary");
    assert_eq!((after_drop.len(), early.len()), (44, 1));
    assert!(
        after_drop[0].1.starts_with("p2 applies Withdrew(acct 5, 49)")
            && after_drop[0].1.contains("to a balance of 46: acct 5 goes to -3")
            && after_drop[0].1.contains("p2 dropped 2 of acct 5's earlier events"),
        "{:?}",
        after_drop[0]
    );
    let (at, said) = &early[0];
    assert!((at - 801.9).abs() < 0.5, "{at}");
    assert!(
        said.starts_with("p2 applies Withdrew(acct 2, 3)")
            && said.contains("balance of 2: acct 2 goes to -1")
    );
    // It heals when the deposit lands, at 0.807 s: 51, as in the log.
    assert_eq!(acct(&*run_to(id, 806), "p2", 2), -1);
    let healed = run_to(id, 807);
    assert_eq!((acct(&*healed, "p2", 2), acct(&*healed, "log", 2)), (51, 51));
    let negative = violations(&*sim, NO_NEGATIVE);
    assert_eq!(negative.len(), 25);
    assert!((negative[0].0 - 572.5).abs() < 1.0 && negative[0].1.starts_with("p2 shows acct 5 at -3"));
    assert_eq!(
        sim.sendable_kinds(),
        ["Command", "Accepted", "Rejected", "Append", "Appended", "Deliver", "Fetch", "Batch"]
    );
    // The lesson's "Try": with 1–3 ms of jitter an account's first two events still overtake.
    let calm = common::run(&common::scenario(id, |v| v["network"]["links"] = json!([])));
    assert_eq!(total(&*calm, "misapplied"), 5);
    assert!(!violations(&*calm, NO_NEGATIVE).is_empty() && !violations(&*calm, MATCHES_LOG).is_empty());
}

/// The lesson's "Try": the version check parks an account's early events until their turn.
#[test]
fn e4_the_version_check_applies_each_accounts_events_in_order() {
    let sim =
        common::run(&common::scenario("e4-out-of-order", |v| v["protocol"]["version_check"] = json!(true)));
    assert_eq!(total(&*sim, "parked"), 150);
    assert_eq!((field(&*sim, "p1", "parked"), field(&*sim, "p2", "parked")), ("73".into(), "77".into()));
    let (at, said) = note(&*sim, "parks");
    assert!((at - 60.5).abs() < 1.0 && said.starts_with("p1 parks Deposited(acct 3, 23)"), "{at}: {said}");
    assert_eq!((total(&*sim, "misapplied"), total(&*sim, "negative_applies")), (0, 0));
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    assert_eq!(balances(&*sim, "p1"), balances(&*sim, "log"));
    assert!(view(&*sim, "p1").badges.contains(&"unordered, version check".to_string()));
    // Per-partition order held back 304 of the same records.
    assert_eq!(total(&*run("e4-ordering-per-partition"), "held_back"), 304);
}

/// The lesson: a rebuild replays the log in order and repairs a diverged projection — until the
/// next record arrives out of order.
#[test]
fn e4_a_rebuild_repairs_a_diverged_projection_until_the_next_reordering() {
    let sc = common::scenario("e4-out-of-order", |v| {
        v["events"] = json!([
            { "at_ms": 5000, "event": { "type": "client", "node": "p1", "request": { "op": "rebuild" } } },
            { "at_ms": 5000, "event": { "type": "client", "node": "p2", "request": { "op": "rebuild" } } }
        ]);
        v["stop_at_ms"] = json!(8000);
    });
    let sim = common::run(&sc);
    let done: Vec<f64> = notes(&*sim, "rebuilt its state from the log").into_iter().map(|(t, _)| t).collect();
    assert_eq!(done.len(), 2, "{done:?}");
    let last = done.iter().copied().fold(0.0, f64::max);
    assert!(last < 6000.0, "{done:?}");
    // Red from the first drop, green once both have replayed, red again at the next reordering.
    let broken = violations(&*sim, MATCHES_LOG);
    assert!(broken.len() > 2, "{broken:?}");
    assert!((broken[0].0 - 60.5).abs() < 1.0);
    assert!(broken[1].0 > last && broken[1].0 < last + 500.0, "{:?} after {last}", broken[1]);
    assert!(broken[1].1.contains("after processing"), "{}", broken[1].1);
    assert!(view(&*sim, "p1").alerts.iter().all(|a| !a.starts_with("dropped")), "the drops are forgotten");
    // With every account open, nothing is dropped after the rebuild.
    assert_eq!((field(&*sim, "p1", MISAPPLIED), field(&*sim, "p2", MISAPPLIED)), ("0".into(), "0".into()));
}

/// The lesson's "Try": with snapshots a restart replays only what came after the last one.
#[test]
fn e4_a_snapshot_shortens_the_rebuild() {
    let every = |n: u64| {
        let sc = common::scenario("e4-event-replay", |v| v["protocol"]["snapshot_every"] = json!(n));
        common::run(&sc)
    };
    let sim = every(100);
    let (at, said) = note(&*sim, "p2 restores its snapshot");
    assert!(at == 8000.0 && said.contains("after 600 events"), "{at}: {said}");
    let (_, said) = note(&*sim, "p2 rebuilt its state from the log after its snapshot of 600 events");
    assert!(said.contains("replayed 322 events in 329 ms"), "{said}");
    assert_eq!(total(&*sim, "replayed"), 322);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    assert_eq!(balances(&*sim, "p2"), balances(&*sim, "log"));
    let (_, said) = note(&*every(500), "p2 rebuilt its state from the log after its snapshot of 500 events");
    assert!(said.contains("in 450 ms"), "{said}");
    // Without snapshots (the preset) it is 1023 ms; a rebuild by hand always starts from 0.
    let sc = common::scenario("e4-event-replay", |v| {
        v["protocol"]["snapshot_every"] = json!(100);
        v["events"] = json!([{ "at_ms": 6000, "event": { "type": "client", "node": "p2", "request": { "op": "rebuild" } } }]);
    });
    let by_hand = common::run(&sc);
    assert!(notes(&*by_hand, "restores its snapshot").is_empty());
    let starts: Vec<f64> =
        notes(&*by_hand, "p2 starts empty and replays the log from offset 0").iter().map(|n| n.0).collect();
    assert_eq!(starts, [0.0, 6000.0]);
    // Out of order there is never a clean prefix to save.
    let sc = common::scenario("e4-out-of-order", |v| v["protocol"]["snapshot_every"] = json!(100));
    assert_eq!(total(&*common::run(&sc), "snapshots"), 0);
}

/// Lost messages and a log crash: appends are sent again and taken once, in order; a projection
/// missing a delivery fetches the gap. Time is lost, never correctness.
#[test]
fn e4_losses_and_a_log_crash_cost_time_not_correctness() {
    let sc = common::scenario("e4-ordering-per-partition", |v| {
        v["network"]["default"]["loss_ppm"] = json!(20_000);
        for link in v["network"]["links"].as_array_mut().expect("links") {
            link["spec"]["loss_ppm"] = json!(20_000);
        }
        v["events"] = json!([
            { "at_ms": 5000, "event": { "type": "crash", "node": "log" } },
            { "at_ms": 6000, "event": { "type": "restart", "node": "log" } }
        ]);
    });
    let sim = common::run(&sc);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    assert!(total(&*sim, "gap_fetches") > 0, "lost deliveries were fetched");
    assert!(!notes(&*sim, "writer sends").is_empty(), "unacknowledged appends were sent again");
    assert!(total(&*sim, "timeouts") > 0, "clients gave up while the log was down");
    // Nothing is stuck: both projections are within a few records of the log at the end.
    let len = gauge(&*sim, "log_length", None);
    for p in ["p1", "p2"] {
        let done: i64 = field(&*sim, p, "processed").parse().expect("number");
        assert!(len - done <= 3, "{p}: {done} of {len}");
    }
}

/// Same seed, each delivery mode, five seeds: unordered always diverges, ordered never.
#[test]
fn e4_whatever_the_seed_order_matters() {
    for seed in 1..=5 {
        let ordered =
            common::run(&common::scenario("e4-ordering-per-partition", |v| v["seed"] = json!(seed)));
        assert!(ordered.violations().is_empty(), "seed {seed}: {:?}", ordered.violations().first());
        let unordered = common::run(&common::scenario("e4-out-of-order", |v| v["seed"] = json!(seed)));
        assert!(!violations(&*unordered, MATCHES_LOG).is_empty(), "seed {seed}");
    }
}

fn invalid(edit: impl FnOnce(&mut Value)) -> String {
    common::refused("e4-event-replay", edit)
}

#[test]
fn e4_absurd_knobs_are_refused_naming_the_field_and_the_range() {
    let cases: [(&str, Value, &str); 10] = [
        ("clients", json!(0), "1 to 3"),
        ("clients", json!(9), "1 to 3"),
        ("accounts", json!(0), "1 to 1000"),
        ("partitions", json!(17), "1 to 16"),
        ("projections", json!(4), "1 to 3"),
        ("withdraw_permille", json!(1001), "0 to 1000"),
        ("batch", json!(0), "1 to 10000"),
        ("replay_us_per_event", json!(100_001), "0 to 100000"),
        ("snapshot_every", json!(1_000_001), "0 (none) to 1000000"),
        ("think", json!({ "type": "constant", "us": 4_000_000_000u64 }), "one hour"),
    ];
    common::each_refused_naming_its_range("e4-event-replay", &cases);
    let e = invalid(|v| v["protocol"]["version_check"] = json!(true));
    assert!(e.contains("protocol.version_check") && e.contains("needs delivery unordered"), "{e}");
    let e = invalid(|v| v["protocol"]["delivery"] = json!("fifo"));
    assert!(e.contains("protocol") && e.contains("per_partition"), "{e}");
}

/// A command by hand the node would only note as ignored is refused when the scenario is built
/// (and so in the request form): an account the bank does not keep, an amount under 1, an
/// `as_of` without its count. The form asks for each of these fields (`request_form`).
#[test]
fn e4_requests_the_nodes_would_ignore_are_refused_and_the_form_asks_for_their_fields() {
    let refused = |node: &str, request: Value| {
        let sc = common::scenario("e4-event-replay", |v| {
            v["events"] =
                json!([{ "at_ms": 100, "event": { "type": "client", "node": node, "request": request } }]);
        });
        dsplay_core::registry::build(&sc).map(drop).err().map(|e| e.to_string())
    };
    let said = refused("c1", json!({ "op": "deposit", "key": "acct 9", "value": 5 })).expect("no account 9");
    assert!(said.contains("c1 would ignore this deposit to account \"9\": name one from 1 to 6"), "{said}");
    let said = refused("c2", json!({ "op": "withdraw", "key": "2", "value": 0 })).expect("an amount of 0");
    assert!(said.contains("c2 would ignore this withdraw of 0: an amount is at least 1"), "{said}");
    let said = refused("p1", json!({ "op": "as_of" })).expect("no count");
    assert!(said.contains("p1 would ignore this as_of: it needs how many events"), "{said}");
    assert_eq!(refused("c1", json!({ "op": "deposit", "key": "acct 6", "value": 5 })), None);
    assert_eq!(refused("c1", json!({ "op": "deposit" })), None, "account 1, amount 10");
    assert_eq!(refused("p1", json!({ "op": "as_of", "value": 0 })), None);
    let sim = run_to("e4-event-replay", 10);
    let form = |node: &str, op: &str| sim.request_form(node_id(&*sim, node), op);
    let label = |f: Option<dsplay_core::node::RequestField>| f.map(|f| f.label);
    assert_eq!(
        (label(form("c1", "deposit").key), label(form("c1", "deposit").value)),
        (Some("account"), Some("amount"))
    );
    assert_eq!((label(form("p1", "as_of").key), label(form("p1", "as_of").value)), (None, Some("events")));
    assert_eq!(form("p1", "rebuild"), Default::default());
}

/// A duplicated `Batch` was queued twice during a rebuild: its records were counted twice (1188
/// replayed from a log of 557) and its partition's cursor moved on by twice the batch, so the
/// next fetch could ask from past records not read yet, and an answer to the fetch before was
/// dropped as stale. A batch is now taken only as the answer to the fetch outstanding.
#[test]
fn e4_a_duplicated_batch_is_replayed_once() {
    let sc = common::scenario("e4-out-of-order", |v| {
        v["protocol"]["version_check"] = json!(true);
        let dup =
            json!({"latency": {"type": "uniform", "min_us": 1000, "max_us": 3000}, "dup_ppm": 1_000_000});
        v["events"] = json!([
            { "at_ms": 5000, "event": { "type": "link", "from": "log", "to": "p2", "spec": dup } },
            { "at_ms": 5000, "event": { "type": "client", "node": "p2", "request": { "op": "rebuild" } } },
            { "at_ms": 7000, "event": { "type": "reset_links" } }
        ]);
    });
    let sim = common::run(&sc);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    let (_, said) = note(&*sim, "p2 rebuilt its state from the log");
    let len = gauge(&*common::run_to(&sc, 5000), "log_length", None);
    let replayed: i64 =
        said.split("replayed ").nth(1).and_then(|s| s.split(' ').next()).expect("count").parse().expect("n");
    assert!(
        replayed >= len && replayed < len + 100,
        "each record of the {len} once (and the few appended meanwhile): {said}"
    );
    let (p1, p2): (i64, i64) = (
        field(&*sim, "p1", "processed").parse().expect("n"),
        field(&*sim, "p2", "processed").parse().expect("n"),
    );
    assert!((p1 - p2).abs() <= 3, "p2 keeps up with p1: {p2} and {p1}");
}

/// A rebuild whose `Fetch`es (or their `Batch`es) were lost waited for them for good, and the
/// projection, which follows the log only once its rebuild is done, stayed empty (swarm_sourcing
/// seed 2: p3's rebuild by hand at 5.815 s, cut off from the log, was still at 0 of 340 events
/// 8 s after the heal). A rebuild with no batch for 500 ms now fetches again what it waits for.
#[test]
fn e4_a_rebuild_whose_fetches_were_lost_fetches_again() {
    let sc = common::scenario("e4-event-replay", |v| {
        let cut = json!({"type": "partition", "groups": [["p2"], ["c1", "c2", "c3", "writer", "log", "p1"]]});
        v["events"].as_array_mut().expect("events").extend([
            json!({ "at_ms": 7900, "event": cut }),
            json!({ "at_ms": 8500, "event": { "type": "heal" } }),
        ]);
    });
    let sim = common::run(&sc);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    let (at, _) = note(&*sim, "p2 rebuilt its state from the log");
    assert!(at > 8500.0 && at < 10_500.0, "rebuilt after the heal: {at}");
    assert!(total(&*sim, "refetches") >= 3, "each partition fetched again");
    assert_eq!(balances(&*sim, "p2"), balances(&*sim, "p1"));
}

/// A projection that lost many deliveries fetched one gap per two `Gap` checks, about half a
/// second each (swarm_sourcing seed 5027: 33 gaps, still 816 records behind 2 s after the
/// clients stopped). A gap fetch that fills a gap now fetches the next one at once.
#[test]
fn e4_lost_deliveries_are_fetched_one_gap_after_another() {
    let sc = common::scenario("e4-ordering-per-partition", |v| {
        let lossy =
            json!({"latency": {"type": "uniform", "min_us": 1000, "max_us": 3000}, "loss_ppm": 150_000});
        v["events"] = json!([
            { "at_ms": 1000, "event": { "type": "link", "from": "log", "to": "p1", "spec": lossy } },
            { "at_ms": 2000, "event": { "type": "reset_links" } }
        ]);
    });
    // Without the fix: p1 at 161 of 271 at 2.5 s, and caught up only by 6 s.
    let sim = common::run_to(&sc, 2500);
    let p1: i64 = field(&*sim, "p1", "processed").parse().expect("number");
    let len = gauge(&*sim, "log_length", None);
    assert!(len - p1 <= 3, "p1 at {p1} of {len} half a second after the losses");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
}

/// With `version_check`, a lost `Deliver` parked every later event of its account for good,
/// with both invariants green (review 57 B3: 1627 parked, p1 853 events behind at the end). A
/// projection that parks now arms the gap check too, and fetches a partition stuck behind a
/// missing record, as in partition order.
#[test]
fn e4_the_version_check_fetches_a_lost_delivery() {
    let sc = common::scenario("e4-out-of-order", |v| {
        v["protocol"]["version_check"] = json!(true);
        for link in v["network"]["links"].as_array_mut().expect("links") {
            link["spec"]["loss_ppm"] = json!(5000);
        }
    });
    let sim = common::run(&sc);
    assert!(total(&*sim, "gap_fetches") > 0, "the lost records were fetched");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    for p in ["p1", "p2"] {
        let lag: u64 = field(&*sim, p, "known lag (events)").parse().expect("number");
        // Without the fix: 853 and 698 of 1713 (the last records may still be on their way).
        assert!(lag <= 3, "{p} is {lag} events behind");
    }
}
