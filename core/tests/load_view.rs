//! What a traffic run shows of its load: each server's work (busy workers, its queue), a rate
//! limiter's bucket per client, and the answers that turn requests away. Facts checked against
//! the run's own counters, at moments the lessons point to.

use crate::common;

use common::{node_id, run_preset_to, view};
use dsplay_core::sim::Simulation;
use dsplay_core::view::Work;
use dsplay_core::SimTime;

/// Every node's work agrees with the inspector's fields of the same view, and never holds more
/// than it can.
fn works(sim: &dyn Simulation) -> Vec<(String, Work)> {
    let world = sim.view();
    world.nodes.iter().filter_map(|n| Some((n.name.clone(), n.view.work?))).collect()
}

#[test]
fn a_busy_backend_shows_its_workers_and_queue_as_its_fields_say() {
    // t1-round-robin at 10 s: round robin keeps feeding the slow b4, whose queue grows.
    let sim = run_preset_to("t1-round-robin", 10_000);
    let shown = works(&*sim);
    assert!(shown.len() >= 2, "backends publish their work: {shown:?}");
    for (name, w) in &shown {
        let fields = view(&*sim, name).fields;
        let field =
            |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.parse::<u32>().expect("a count"));
        assert_eq!(Some(w.busy), field("busy"), "{name}");
        assert_eq!(Some(w.queued), field("queued"), "{name}");
        assert!(w.busy <= w.workers, "{name}: {w:?}");
        assert!(w.queue_cap.is_none_or(|cap| w.queued <= cap), "{name}: {w:?}");
    }
    assert!(shown.iter().any(|(_, w)| w.queued > 0), "b4's queue has built by 10 s: {shown:?}");
}

#[test]
fn the_abusive_client_empties_its_bucket_and_its_429s_fly_back_red() {
    // t6 at 8 s: c1 has sent 400/s over its bucket's 50/s for 3 s.
    let sim = run_preset_to("t6-rate-limiting", 8_000);
    let world = sim.view();
    let gw = view(&*sim, "lb");
    let c1 = node_id(&*sim, "c1");
    let bucket = |who| gw.gauges.iter().find(|g| g.of == Some(who)).expect("a bucket per client");
    let abused = bucket(c1);
    assert_eq!((abused.label.as_str(), abused.max, abused.per_s), ("tokens", 20.0, 50.0));
    assert!(abused.level_at(world.now) < 2.0, "c1's bucket is all but empty: {abused:?}");
    let polite = bucket(node_id(&*sim, "c2"));
    assert!(polite.level_at(world.now) > 10.0, "c2 keeps most of its burst: {polite:?}");
    // What is on the wire over the next 50 ms, frame by frame.
    let mut sim = sim;
    let (mut no, mut yes) = (Vec::new(), 0);
    for ms in 8_001..=8_050 {
        sim.run_until(SimTime::from_ms(ms));
        let world = sim.view();
        no.extend(world.in_flight.iter().filter(|m| m.says_no).cloned());
        yes += world.in_flight.iter().filter(|m| m.kind == "Response" && !m.says_no).count();
    }
    assert!(no.len() > 5, "429s on the wire: {no:?}");
    assert!(
        no.iter().all(|m| m.kind == "Response" && m.to == c1 && m.from == node_id(&*sim, "lb")),
        "{no:?}"
    );
    assert!(yes > 0, "the answers that got through are not red");
    assert!(sim.can_say_no());
    assert!(!run_preset_to("d4-raft-election", 10).can_say_no(), "Raft's legend keys no red");
}

#[test]
fn a_bucket_refills_at_its_rate_between_requests_up_to_its_burst() {
    let sim = run_preset_to("t6-rate-limiting", 8_000);
    let gw = view(&*sim, "lb");
    let g = gw.gauges.iter().find(|g| g.of == Some(node_id(&*sim, "c1"))).expect("c1's bucket");
    let later = |ms| g.level_at(g.at + dsplay_core::SimDuration::from_ms(ms));
    assert!((later(100) - (g.level + 5.0).min(20.0)).abs() < 1e-9, "50/s for 0.1 s is 5 tokens");
    assert_eq!(later(10_000), 20.0, "never past the burst");
}

#[test]
fn under_a_window_each_clients_gauge_counts_its_window_and_says_no_to_the_abuser() {
    // t6 with a fixed or a sliding window in place of the bucket, at 8.5 s (a fixed window
    // starts at 8 s): c1 sends 400 a second against 50, and fills every window by an eighth of
    // a second in; c2 sends about 20 a second and never does.
    for algorithm in ["fixed_window", "sliding_window"] {
        let sc = common::scenario("t6-rate-limiting", |v| {
            v["protocol"]["rate_limit"]["algorithm"] = algorithm.into()
        });
        let sim = common::run_to(&sc, 8_500);
        let gw = view(&*sim, "lb");
        let of = |c: &str| gw.gauges.iter().find(|g| g.of == Some(node_id(&*sim, c))).expect(c).clone();
        let now = sim.view().now;
        let (c1, c2) = (of("c1"), of("c2"));
        assert_eq!((c1.label.as_str(), c1.max), ("in window", 50.0), "{algorithm}: 50/s over 1 s");
        assert!(c1.says_no_at(now) && c1.level_at(now) == 50.0, "{algorithm}: {c1:?}");
        assert!(!c2.says_no_at(now) && c2.level_at(now) < 40.0, "{algorithm}: {c2:?}");
        // A window later, everything counted now has left it.
        assert_eq!(c1.level_at(now + dsplay_core::SimDuration::from_ms(1_000)), 0.0, "{algorithm}");
    }
}
