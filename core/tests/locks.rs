//! E6: each preset's lesson, checked on its run; the knobs' limits; what each mode sends.

use dsplay_core::sim::trace::TraceKind;
use dsplay_core::Simulation;
use serde_json::{json, Value};

use crate::common;

const ONE_HOLDER: &str = "one holder at a time";
const NO_DOUBLE_SALE: &str = "no item sold twice";
const ONE_LEASE: &str = "one lease at a time";

use common::{gauge, run_preset as run, run_preset_to as run_to, view};

fn total(sim: &dyn Simulation, name: &str) -> u64 {
    common::counter(sim, name)
}

/// The first note containing `text`, with its time in ms.
fn note(sim: &dyn Simulation, text: &str) -> (f64, String) {
    sim.trace()
        .said()
        .filter(|e| e.kind == TraceKind::Note)
        .find_map(|e| e.text.as_deref().filter(|t| t.contains(text)).map(|t| (e.at.as_ms_f64(), t.into())))
        .unwrap_or_else(|| panic!("no note says {text:?}"))
}

fn violations(sim: &dyn Simulation, rule: &str) -> Vec<(f64, String)> {
    sim.violations().iter().filter(|v| v.rule == rule).map(|v| (v.at.as_ms_f64(), v.detail.clone())).collect()
}

#[test]
fn e6_a_paused_holder_outlives_its_lease_and_items_are_sold_twice() {
    let id = "e6-lock-lease-expiry";
    let sim = run(id);
    // c1 checks its lease 2 ms before the pause: 392 ms left.
    let (at, said) = note(&*sim, "c1 checked its lease (token 48)");
    assert!((at - 4543.4).abs() < 1.0 && said.contains("392 ms left"), "{at}: {said}");
    // The lock's own timer frees the lock and hands it to c2.
    let (at, said) = note(&*sim, "c1's lease (token 48) expired");
    assert!((at - 4984.0).abs() < 1.0 && said.contains("granted to c2, token 49"), "{at}: {said}");
    assert_eq!(total(&*sim, "lease_expired"), 1);
    // Two holders while c1 is paused, until its late release reaches the lock.
    assert_eq!(gauge(&*run_to(id, 4980), "holders", None), 1);
    let paused = run_to(id, 5000);
    assert_eq!(gauge(&*paused, "holders", None), 2);
    assert!(view(&*paused, "c1").badges.contains(&"holds token 48".to_string()));
    assert!(view(&*paused, "lock")
        .alerts
        .iter()
        .any(|a| a.contains("c1 may still believe it holds token 48")));
    // Between two purchases of the others only c1 is left believing; its late release ends that.
    let before = run_to(id, 6048);
    assert_eq!((gauge(&*before, "holders", None), view(&*before, "lock").label.as_str()), (1, "free"));
    assert_eq!(gauge(&*run_to(id, 6050), "holders", None), 0);
    // c1 resumes and writes without looking again; the stock jumps back up from 63 to 72.
    let (at, said) = note(&*sim, "c1 writes stock 72 with token 48");
    assert!(
        at == 6045.0
            && said.contains("checked its lease 1501 ms ago")
            && said.contains("ran out 1108 ms ago")
    );
    assert_eq!(total(&*sim, "wrote_after_lease_end"), 1);
    assert_eq!(gauge(&*run_to(id, 6046), "stock", Some("store")), 63);
    assert_eq!(gauge(&*run_to(id, 6047), "stock", Some("store")), 72);
    // Both invariants break at the store when that write lands.
    let one = violations(&*sim, ONE_HOLDER);
    assert_eq!(one.len(), 1, "{one:?}");
    assert!(
        (one[0].0 - 6046.5).abs() < 1.0 && one[0].1.contains("token 48 after c3 had written under token 58")
    );
    let twice = violations(&*sim, NO_DOUBLE_SALE);
    assert_eq!(twice.len(), 10);
    assert!(twice[0].1.starts_with("item #73 sold twice: to c2 at 5.074 s and now to c1"), "{}", twice[0].1);
    assert_eq!(sim.violations().len(), 11);
    // The lock ignores the stale release.
    assert!(note(&*sim, "ignored c1's release of token 48").0 > 6045.0);
    // The sale ends with ten items sold twice: 130 sales of 120 items.
    assert_eq!((total(&*sim, "double_sold"), total(&*sim, "sold")), (10, 130));
    assert_eq!(gauge(&*sim, "stock", Some("store")), 0);
    let over = sim.trace().said().filter(|e| e.text.as_deref().is_some_and(|t| t.contains("sold out")));
    let end = over.map(|e| e.at.as_ms_f64()).fold(0.0, f64::max);
    assert!((12850.0..12950.0).contains(&end), "sold out by {end}");
    assert_eq!(total(&*sim, "lease_lost_before_write"), 0);
}

#[test]
fn e6_fencing_tokens_refuse_the_stale_write() {
    let id = "e6-fencing-tokens";
    let sim = run(id);
    assert_eq!(total(&*sim, "lease_expired"), 1);
    assert_eq!(gauge(&*run_to(id, 5000), "holders", None), 2, "leases alone still make two holders");
    let (at, said) = note(&*sim, "store refuses c1's write of stock 72");
    assert!((at - 6046.5).abs() < 1.0 && said.contains("token 48 is older than token 58"), "{at}: {said}");
    let store = view(&*run_to(id, 6046), "store");
    assert!(store.fields.iter().any(|(k, v)| k == "highest token seen" && v == "58 (from c3's write)"));
    assert_eq!(total(&*sim, "refused_stale_token"), 1);
    assert_eq!(total(&*sim, "double_sold"), 0);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    // The stock never goes up.
    let stock = sim.metrics().get("stock", Some(dsplay_core::NodeId(4))).expect("stock");
    assert!(stock.series.windows(2).all(|w| w[1].value <= w[0].value));
    // c1 buys again, normally, under a fresh token.
    let (at, _) = note(&*sim, "c1 checked its lease (token 61)");
    assert!((at - 6312.1).abs() < 1.0, "{at}");
    assert_eq!(total(&*sim, "sold"), 120, "exactly the stock");
    let end = note(&*sim, "bought the last item").0;
    assert!((12030.0..12040.0).contains(&end), "{end}");
}

#[test]
fn e6_the_careful_check_catches_a_pause_before_it_and_a_short_pause_is_harmless() {
    let paused = |from: u64, to: u64| {
        common::scenario("e6-lock-lease-expiry", |v| {
            v["events"] = json!([
                { "at_ms": from, "event": { "type": "pause", "node": "c1" } },
                { "at_ms": to, "event": { "type": "resume", "node": "c1" } }
            ]);
        })
    };
    // 50 ms earlier: c1 is still thinking, and its check after the pause sees the lease is gone.
    let early = common::run(&paused(4495, 5995));
    assert_eq!(common::counter(&*early, "lease_lost_before_write"), 1);
    assert_eq!(common::counter(&*early, "lease_expired"), 1);
    assert!(early.violations().is_empty(), "{:?}", early.violations().first());
    assert_eq!(common::counter(&*early, "sold"), 120);
    // Shorter than what was left of the lease: nothing happens at all.
    let short = common::run(&paused(4545, 4845));
    assert_eq!(common::counter(&*short, "lease_expired"), 0);
    assert!(short.violations().is_empty());
    // Fencing refuses however late the holder wakes up.
    let late = common::scenario("e6-fencing-tokens", |v| v["events"][1]["at_ms"] = json!(9000));
    let late = common::run(&late);
    assert_eq!(common::counter(&*late, "refused_stale_token"), 1);
    assert!(late.violations().is_empty());
}

/// Review 8, A1: c1 resumes at 5.020 s instead of 6.045 s, inside c2's read-to-write window: c2
/// read the stock (73) under token 49 at 4.988 s and writes at 5.074 s. The store learned token 49
/// from that read, so with fencing it refuses c1's token-48 write; with leases alone it takes it,
/// then c2's write too, and item #73 is sold twice.
#[test]
fn e6_fencing_covers_the_read_a_stale_write_inside_the_new_holders_window_is_refused() {
    let at = |mode: &str| {
        common::run(&common::scenario("e6-fencing-tokens", |v| {
            v["protocol"]["mode"] = json!(mode);
            v["events"][1]["at_ms"] = json!(5020);
        }))
    };
    let fenced = at("lease_fencing");
    // What the store knows when c1 wakes up: token 49, from c2's read; nothing written under it.
    let field = |sim: &dyn Simulation, f: &str| {
        view(sim, "store").fields.into_iter().find(|(k, _)| k == f).map(|(_, v)| v).expect("field")
    };
    let woke = common::run_to(
        &common::scenario("e6-fencing-tokens", |v| v["events"][1]["at_ms"] = json!(5020)),
        5020,
    );
    assert_eq!(field(&*woke, "highest token seen"), "49 (from c2's read)");
    assert_eq!(gauge(&*woke, "stock", Some("store")), 73);
    let (t, _) = note(&*fenced, "c2 checked its lease (token 49)");
    assert!((t - 5051.1).abs() < 1.0, "c2 still between its read and its write at 5.020 s: {t}");
    let (t, said) = note(&*fenced, "store refuses c1's write of stock 72");
    assert!((t - 5022.8).abs() < 1.0 && said.contains("token 48 is older than token 49"), "{t}: {said}");
    assert_eq!(total(&*fenced, "refused_stale_token"), 1);
    assert_eq!((total(&*fenced, "double_sold"), total(&*fenced, "sold")), (0, 120));
    assert!(fenced.violations().is_empty(), "{:?}", fenced.violations().first());

    let leased = at("lease");
    let one = violations(&*leased, ONE_HOLDER);
    assert_eq!(one.len(), 1, "{one:?}");
    assert!(
        (one[0].0 - 5022.8).abs() < 1.0
            && one[0].1.contains("c1 wrote under token 48 after c2 had read under token 49"),
        "{one:?}"
    );
    let twice = violations(&*leased, NO_DOUBLE_SALE);
    assert_eq!(twice.len(), 1, "{twice:?}");
    assert!(
        (twice[0].0 - 5073.5).abs() < 1.0
            && twice[0].1.starts_with("item #73 sold twice: to c1 at 5.023 s and now to c2"),
        "{twice:?}"
    );
    assert_eq!((total(&*leased, "double_sold"), total(&*leased, "sold")), (1, 121));
}

/// Review 8, A2: the lock crashes at 2.970 s, while c2 holds token 31 (its lease runs until about
/// 3.46 s), and restarts 5 ms later; c1 and c3 ask for the lock at once. The restarted lock does
/// not know c2 holds it, so it grants nothing until a whole lease has passed: c2 writes under
/// token 31 undisturbed, and c1 gets token 32 only at 3.475 s. Leases alone, no fencing: the
/// lock's wait is all that keeps the holders apart.
#[test]
fn e6_a_restarted_lock_waits_out_a_lease_before_granting_again() {
    let sc = common::scenario("e6-lock-lease-expiry", |v| {
        v["events"] = json!([
            { "at_ms": 2970, "event": { "type": "crash", "node": "lock" } },
            { "at_ms": 2975, "event": { "type": "restart", "node": "lock" } },
            { "at_ms": 2980, "event": { "type": "client", "node": "c1", "request": { "op": "buy" } } },
            { "at_ms": 2980, "event": { "type": "client", "node": "c3", "request": { "op": "buy" } } }
        ]);
    });
    let sim = common::run(&sc);
    let (t, said) = note(&*sim, "lock restarted");
    assert!(t == 2975.0 && said.contains("grants nothing for 500 ms, until 3.475 s"), "{t}: {said}");
    assert!(note(&*sim, "c1 waits in line").0 < 2990.0);
    assert!(note(&*sim, "c3 waits in line").0 < 2990.0);
    let (t, _) = note(&*sim, "c2 checked its lease (token 31)");
    assert!((t - 3039.6).abs() < 1.0, "c2 still holds token 31 after the restart: {t}");
    let (t, said) = note(&*sim, "any lease granted before the crash has run out");
    assert!(t == 3475.0 && said.contains("lock granted to c1, token 32"), "{t}: {said}");
    // No grant at all between the restart and the end of the wait.
    let grants = |from: f64, to: f64| {
        sim.trace()
            .records()
            .iter()
            .filter(|e| e.kind == TraceKind::Send && e.label == "Granted")
            .filter(|e| (from..to).contains(&e.at.as_ms_f64()))
            .count()
    };
    assert_eq!(grants(2975.0, 3475.0), 0);
    assert_eq!(grants(3475.0, 3476.0), 1);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    assert_eq!((total(&*sim, "double_sold"), total(&*sim, "sold")), (0, 120));
}

/// The lock service crashes for half a second: its queue is lost; restarted at 3.5 s, it waits out
/// a lease (until 4 s) before granting again; the waiting buyers time out and ask again, and the
/// token counter, durable, goes on from where it was.
#[test]
fn e6_a_lock_crash_costs_timeouts_not_safety() {
    let sc = common::scenario("e6-fencing-tokens", |v| {
        v["events"] = json!([
            { "at_ms": 3000, "event": { "type": "crash", "node": "lock" } },
            { "at_ms": 3500, "event": { "type": "restart", "node": "lock" } }
        ]);
    });
    let sim = common::run(&sc);
    assert_eq!(common::counter(&*sim, "timeouts"), 3, "each buyer gave up waiting once");
    assert!(common::counter(&*sim, "errors") >= 3);
    assert_eq!(common::counter(&*sim, "sold"), 120);
    assert!(sim.violations().is_empty());
    let tokens: Vec<u64> = sim
        .trace()
        .said()
        .filter_map(|e| {
            e.text.as_deref()?.split("checked its lease (token ").nth(1)?.split(')').next()?.parse().ok()
        })
        .collect();
    assert!(tokens.len() > 100 && tokens.windows(2).all(|w| w[0] < w[1]), "tokens only grow: {tokens:?}");
}

#[test]
fn e6_without_a_lock_two_buyers_sell_the_last_item_twice() {
    let sim = run("e6-no-lock-race");
    let twice = violations(&*sim, NO_DOUBLE_SALE);
    assert!((twice[0].0 - 175.2).abs() < 1.0, "{:?}", twice[0]);
    assert!(twice[0].1.starts_with("item #120 sold twice: to c2 at 0.136 s and now to c1"), "{}", twice[0].1);
    assert_eq!((total(&*sim, "double_sold"), total(&*sim, "sold")), (76, 196));
    assert_eq!(twice.len(), 76);
    let last: Vec<(f64, String)> = sim
        .trace()
        .said()
        .filter_map(|e| {
            e.text
                .as_deref()
                .filter(|t| t.ends_with("bought the last item"))
                .map(|t| (e.at.as_ms_f64(), t.into()))
        })
        .collect();
    assert_eq!(last.len(), 2, "{last:?}");
    assert!((last[0].0 - 15993.3).abs() < 1.0 && last[0].1.starts_with("c2"));
    assert!((last[1].0 - 16037.9).abs() < 1.0 && last[1].1.starts_with("c1"));
    assert!(twice.last().is_some_and(|v| v.1.starts_with("the last item sold twice: to c2")));
    assert_eq!(sim.invariants(), [NO_DOUBLE_SALE]);
    assert_eq!(sim.sendable_kinds(), ["Read", "Value", "Write", "Written"]);
    assert!(sim.node_names().iter().all(|n| n != "lock"), "no lock service without a lock");
    // The lesson's "Try": whatever the seed, something is sold twice.
    for seed in 1..=5 {
        let sc = common::scenario("e6-no-lock-race", |v| v["seed"] = json!(seed));
        assert!(common::counter(&*common::run(&sc), "double_sold") > 0, "seed {seed}");
    }
}

#[test]
fn e6_each_mode_lists_the_kinds_it_can_send_and_the_invariants_it_checks() {
    let lease = run_to("e6-lock-lease-expiry", 10);
    assert_eq!(
        lease.sendable_kinds(),
        ["Acquire", "Granted", "Release", "Read", "Value", "Write", "Written"]
    );
    assert_eq!(lease.invariants(), [NO_DOUBLE_SALE, ONE_HOLDER, ONE_LEASE]);
    let fencing = run_to("e6-fencing-tokens", 10);
    assert!(fencing.sendable_kinds().contains(&"Refused"));
    assert_eq!(fencing.node_names(), ["c1", "c2", "c3", "lock", "store"]);
    // Roles that lay out in the right tiers: buyers left, the lock in the middle, the store right.
    let roles: Vec<String> = fencing.view().nodes.into_iter().map(|n| n.view.role).collect();
    assert_eq!(
        roles,
        ["buyer client", "buyer client", "buyer client", "lock coordinator", "inventory store"]
    );
}

#[test]
fn e6_a_buyer_takes_a_purchase_by_hand() {
    let sc = common::scenario("e6-no-lock-race", |v| {
        v["events"] = json!([{ "at_ms": 17000, "event": { "type": "client", "node": "c1", "request": { "op": "buy" } } }]);
        v["stop_at_ms"] = json!(17100);
    });
    let sim = common::run(&sc);
    assert_eq!(sim.requests(dsplay_core::NodeId(0)), ["buy"]);
    assert!(note(&*sim, "c1 starts a purchase by hand").0 >= 17000.0);
    assert_eq!(common::counter(&*sim, "requests"), 199, "one more than the preset's 198");
}

fn invalid(edit: impl FnOnce(&mut Value)) -> String {
    common::refused("e6-lock-lease-expiry", edit)
}

#[test]
fn e6_absurd_knobs_are_refused_naming_the_field_and_the_range() {
    let cases: [(&str, Value, &str); 6] = [
        ("buyers", json!(0), "1 to 16"),
        ("buyers", json!(17), "1 to 16"),
        ("stock", json!(0), "1 to 100000"),
        ("lease_ms", json!(5), "10 to 600000"),
        ("write_delay_ms", json!(60_001), "0 to 60000"),
        ("think", json!({ "type": "constant", "us": 4_000_000_000u64 }), "one hour"),
    ];
    common::each_refused_naming_its_range("e6-lock-lease-expiry", &cases);
    let e = invalid(|v| v["protocol"]["mode"] = json!("optimistic"));
    assert!(e.contains("protocol") && e.contains("lease_fencing"), "{e}");
}

/// c1 crashes (instead of pausing) while it holds token 48, and restarts 1.5 s later. The lock
/// cannot tell the crash from a pause, so `holders` counts c1's expired grant meanwhile; but
/// when c1 asks again it plainly holds nothing, and the lock stops counting token 48.
#[test]
fn e6_a_crashed_buyer_that_asks_again_no_longer_counts_as_a_holder() {
    let sc = common::scenario("e6-lock-lease-expiry", |v| {
        v["events"] = json!([
            { "at_ms": 4545, "event": { "type": "crash", "node": "c1" } },
            { "at_ms": 6045, "event": { "type": "restart", "node": "c1" } }
        ]);
    });
    let down = common::run_to(&sc, 5000);
    assert_eq!(gauge(&*down, "holders", None), 2, "c2's grant, and c1's the lock cannot know is dead");
    let sim = common::run(&sc);
    let (at, said) = note(&*sim, "c1 asks for the lock again, so it no longer holds its expired token 48");
    assert!(at > 6045.0, "{at}: {said}");
    let after = common::run_to(&sc, at.ceil() as u64);
    assert!(gauge(&*after, "holders", None) <= 1, "one grant at most per buyer, and only c2 or c3 holds");
    assert!(
        view(&*after, "lock").alerts.iter().all(|a| !a.contains("token 48")),
        "{:?}",
        view(&*after, "lock").alerts
    );
    let peak = sim
        .metrics()
        .get("holders", None)
        .expect("holders")
        .series
        .iter()
        .filter(|p| p.t_ms > at)
        .map(|p| p.value as i64)
        .max();
    assert_eq!(peak, Some(1), "never two once c1 has asked again: no lease runs out in this run after that");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
}

/// A fencing run with the given knobs and events, to `stop_ms`.
fn fenced(seed: u64, protocol: Value, events: Value, stop_ms: u64) -> Box<dyn Simulation> {
    let mut p = json!({"kind": "locks", "mode": "lease_fencing"});
    p.as_object_mut().expect("object").extend(protocol.as_object().expect("object").clone());
    let sc = json!({
        "v": 1, "seed": seed, "stop_at_ms": stop_ms,
        "meta": {"id": "e6-regression", "title": "E6 regression", "concepts": ["E6"]},
        "protocol": p,
        "network": {"default": {"latency": {"type": "uniform", "min_us": 1000, "max_us": 5000}}},
        "workload": {"clients": 0, "arrival": {"type": "none"}},
        "events": events
    });
    common::run(&dsplay_core::Scenario::from_json(&sc.to_string()).expect("valid"))
}

/// Found by the swarm (swarm_locks, seed 263): a duplicating link delivers c1's write twice. The
/// store used to sell item #38 a second time to the same buyer (the stock stayed 37, `sold`
/// counted 2); now it answers the copy again and sells nothing.
#[test]
fn e6_fencing_a_duplicated_write_is_answered_again_not_sold_twice() {
    let protocol = json!({"buyers": 2, "stock": 49, "lease_ms": 193, "write_delay_ms": 20,
        "think": {"type": "uniform", "min_us": 40735, "max_us": 73900},
        "between": {"type": "uniform", "min_us": 109977, "max_us": 153805}, "timeout_ms": 662});
    let events = json!([
        {"at_ms": 922, "event": {"type": "partition", "groups": [["c1"], ["c2", "lock", "store"]]}},
        {"at_ms": 1029, "event": {"type": "partition", "groups": [["c1", "lock", "store"], ["c2"]]}},
        {"at_ms": 1267, "event": {"type": "heal"}},
        {"at_ms": 1657, "event": {"type": "link", "from": "c1", "to": "store", "both_ways": true,
            "spec": {"latency": {"type": "uniform", "min_us": 1000, "max_us": 25855},
                     "loss_ppm": 66387, "dup_ppm": 67054, "reorder_ppm": 209970}}}
    ]);
    let sim = fenced(263, protocol, events, 2200);
    let (at, said) = note(&*sim, "a duplicate, answered again, nothing sold");
    assert!((at - 2166.4).abs() < 1.0 && said.contains("c1's stock 37 under token 13"), "{at}: {said}");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
}

/// Found by the swarm (swarm_locks, seed 86514): the store is paused for most of the run and
/// answers a pile of old reads when it resumes. c4 holds token 18, but its own read was lost in
/// a partition; it used to take the late answer to its read under token 9 instead, write under
/// token 18 a stock the store had never let it read, and sell item #36 a second time (c1 had
/// bought it under token 15 a moment before). Now a buyer takes only the answer to its own read.
#[test]
fn e6_fencing_a_buyer_takes_only_the_answer_to_its_own_read() {
    let protocol = json!({"buyers": 5, "stock": 38, "lease_ms": 342, "write_delay_ms": 20,
        "think": {"type": "uniform", "min_us": 26000, "max_us": 76000},
        "between": {"type": "uniform", "min_us": 65000, "max_us": 77000}, "timeout_ms": 1014});
    let events = json!([
        {"at_ms": 222, "event": {"type": "pause", "node": "store"}},
        {"at_ms": 1835, "event": {"type": "pause", "node": "c3"}},
        {"at_ms": 4339, "event": {"type": "partition", "groups": [["c1", "c2", "c4", "lock"], ["c3", "c5", "store"]]}},
        {"at_ms": 4478, "event": {"type": "pause", "node": "c1"}},
        {"at_ms": 6000, "event": {"type": "heal"}},
        {"at_ms": 6000, "event": {"type": "resume", "node": "store"}},
        {"at_ms": 6000, "event": {"type": "resume", "node": "c1"}}
    ]);
    let sim = fenced(86514, protocol, events, 6500);
    let ignored: Vec<_> = sim
        .trace()
        .said()
        .filter(|e| e.at.as_ms_f64() > 6000.0)
        .filter_map(|e| e.text.as_deref())
        .filter(|t| t.starts_with("c4 ignored a stock reading"))
        .collect();
    assert!(!ignored.is_empty(), "c4 is sent the late answers to its old reads");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations().first());
    assert!(total(&*sim, "sold") > 0, "the buyers still buy");
}

/// Two buyers, 40 items, a 300 ms lease, quick purchases, no pause; the link `from` → `to` is
/// slower (1–30 ms) and duplicates `dup_ppm` of its messages.
fn dup_link(mode: &str, from: &str, to: &str, dup_ppm: u32) -> Box<dyn Simulation> {
    let sc = json!({
        "v": 1, "seed": 5, "stop_at_ms": 3000,
        "meta": {"id": "e6-duplicating-link", "title": "E6 duplicating link", "concepts": ["E6"]},
        "protocol": {"kind": "locks", "mode": mode, "buyers": 2, "stock": 40, "lease_ms": 300,
            "write_delay_ms": 0, "think": {"type": "uniform", "min_us": 1000, "max_us": 2000},
            "between": {"type": "uniform", "min_us": 1000, "max_us": 3000}, "timeout_ms": 1000},
        "network": {"default": {"latency": {"type": "uniform", "min_us": 1000, "max_us": 2000}}},
        "workload": {"clients": 0, "arrival": {"type": "none"}},
        "events": [{"at_ms": 0, "event": {"type": "link", "from": from, "to": to, "spec": {
            "latency": {"type": "uniform", "min_us": 1000, "max_us": 30_000},
            "dup_ppm": dup_ppm, "loss_ppm": 0, "reorder_ppm": 0}}}]
    });
    common::run(&dsplay_core::Scenario::from_json(&sc.to_string()).expect("valid"))
}

/// Leases alone, no pause: every grant reaches c1 within 30 ms, a tenth of the 300 ms lease (what
/// a buyer allows for the grant's flight), so c1's lease always ends, by its own count, before
/// the lock's. But the link from the lock to c1 duplicates every message, and a copy lands up to
/// 30 ms after its original: often after c1 has bought, released and asked again. c1 used to
/// take the copy as a new grant and act as the holder under its old token, beside the real one
/// (`one holder at a time` broke within 0.1 s, then items sold twice; with fencing, the store
/// refused the stale token again and again). Now a buyer takes each token once and never a lower
/// one: the copies are ignored, and both modes sell the stock exactly.
#[test]
fn e6_a_duplicated_grant_is_taken_once() {
    for mode in ["lease", "lease_fencing"] {
        for dup_ppm in [0, 1_000_000] {
            let sim = dup_link(mode, "lock", "c1", dup_ppm);
            assert!(sim.violations().is_empty(), "{mode}, dup {dup_ppm}: {:?}", sim.violations().first());
            assert_eq!((total(&*sim, "sold"), total(&*sim, "double_sold")), (40, 0), "{mode}, dup {dup_ppm}");
            assert_eq!(gauge(&*sim, "stock", Some("store")), 0);
            if mode == "lease_fencing" {
                assert_eq!(
                    total(&*sim, "refused_stale_token"),
                    0,
                    "dup {dup_ppm}: no stale holder to refuse"
                );
            }
            let copies = sim
                .trace()
                .records()
                .iter()
                .filter(|e| e.kind == TraceKind::Note)
                .filter(|e| {
                    e.text.as_deref().is_some_and(|t| t.starts_with("c1 ignored a copy of the grant"))
                })
                .count();
            if dup_ppm == 0 {
                assert_eq!(copies, 0);
            } else {
                assert!(copies > 10, "{mode}: the copies landed ({copies})");
            }
        }
    }
}

/// The essay's other way for leases alone to break without a pause: the link from c1 to the store
/// duplicates c1's writes, and a copy landing after c1 has released is a write under an expired
/// grant. The buyer cannot help it; only the store can, and with fencing it refuses the copy.
#[test]
fn e6_leases_alone_a_late_copy_of_a_write_is_a_stale_write() {
    let leased = dup_link("lease", "c1", "store", 1_000_000);
    let one = violations(&*leased, ONE_HOLDER);
    assert!(one.first().is_some_and(|v| v.1.starts_with("c1 wrote under token")), "{one:?}");
    let fenced = dup_link("lease_fencing", "c1", "store", 1_000_000);
    assert!(fenced.violations().is_empty(), "{:?}", fenced.violations().first());
    assert!(total(&*fenced, "refused_stale_token") > 0);
    assert_eq!((total(&*fenced, "sold"), total(&*fenced, "double_sold")), (40, 0));
}
