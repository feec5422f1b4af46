//! Every preset: parses, runs to its stop time deterministically, and matches its golden trace.
//! `BLESS=1 cargo test -p dsplay-core --test integration presets::` rewrites the golden files.

use crate::common;
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::sim::REFUSAL;
use dsplay_core::{presets, registry, report, Simulation};
use std::fmt::Write as _;
use std::path::PathBuf;

const GOLDEN_LINES: usize = 300;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn run(id: &str) -> Box<dyn Simulation> {
    let mut sc = presets::get(id).unwrap_or_else(|e| panic!("preset {id} is invalid: {e}"));
    // Keep the start of the run for the golden text (the hash covers everything regardless).
    sc.sim.trace_capacity = dsplay_core::scenario::limits::MAX_TRACE_CAPACITY;
    let mut sim = registry::build(&sc).unwrap_or_else(|e| panic!("preset {id} does not build: {e}"));
    let stop = sim.stop_at();
    sim.run_until(stop);
    sim
}

#[test]
fn presets_are_valid_and_named_after_their_files() {
    let ids: Vec<&str> = presets::ids().collect();
    assert!(!ids.is_empty());
    for id in ids {
        let sc = presets::get(id).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(sc.meta.id, id, "meta.id must equal the file name");
        assert!(!sc.meta.title.is_empty() && sc.meta.lesson.len() > 200, "{id} needs a title and a lesson");
        assert!(!sc.meta.concepts.is_empty(), "{id} names no catalog concept");
    }
}

/// A tour stop at or past the end would never be reached by playing (the validator allows a
/// note at `stop_at_ms` itself); the four presets with tours keep theirs, with 4 to 8 stops.
#[test]
fn every_preset_tour_stop_is_before_the_end_of_its_run() {
    for id in presets::ids() {
        let sc = presets::get(id).unwrap_or_else(|e| panic!("{id}: {e}"));
        let tour = dsplay_core::scenario::tour::Tour::of(&sc);
        for stop in &tour.stops {
            assert!(
                stop.at.as_us() / 1000 < sc.stop_at_ms,
                "{id}: a note at {:?} is not before its end",
                stop.at
            );
        }
    }
    for id in
        ["d4-raft-election", "d3-quorum-stale-read", "r2-circuit-breaker-cascade", "e5-2pc-coordinator-crash"]
    {
        let sc = presets::get(id).expect("preset");
        let n = dsplay_core::scenario::tour::Tour::of(&sc).len();
        assert!((4..=8).contains(&n), "{id} has a tour of {n} stops");
        assert!(sc.meta.lesson.contains("Take the tour"), "{id}'s lesson says it has a tour");
    }
}

/// Presets that draw a figure from a handful of scripted events, not a run of many.
const FIGURES: &[&str] = &["d6-textbook-figure"];

#[test]
fn presets_run_deterministically_and_match_golden() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut hashes = String::new();
    let mut mismatches = Vec::new();
    for id in presets::ids() {
        let a = run(id);
        let b = run(id);
        assert_eq!(a.trace_hash(), b.trace_hash(), "{id}: same scenario twice gave different traces");
        assert!(a.halted().is_none(), "{id} halted: {:?}", a.halted());
        // A textbook figure is a few scripted events by design: each must have done something.
        let least =
            if FIGURES.contains(&id) { presets::get(id).expect("preset").events.len() as u64 } else { 1000 };
        assert!(a.events() > least, "{id} did almost nothing");
        let hash = format!("{:016x}", a.trace_hash());
        let _ = writeln!(hashes, "{id} {hash}");
        let text: String =
            report::trace_text(&*a, false).lines().take(GOLDEN_LINES).map(|l| format!("{l}\n")).collect();
        let path = golden_dir().join(format!("{id}.trace"));
        if bless {
            std::fs::write(&path, &text).unwrap_or_else(|e| panic!("write {path:?}: {e}"));
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            mismatches.push(format!("{id}: trace differs from {path:?}"));
        }
    }
    let sorted = {
        let mut l: Vec<&str> = hashes.lines().collect();
        l.sort();
        l.join("\n") + "\n"
    };
    let hpath = golden_dir().join("hashes.txt");
    if bless {
        std::fs::write(&hpath, &sorted).unwrap_or_else(|e| panic!("write {hpath:?}: {e}"));
    } else if std::fs::read_to_string(&hpath).ok().as_deref() != Some(sorted.as_str()) {
        mismatches.push(format!("hashes differ from {hpath:?}:\n{sorted}"));
    }
    assert!(
        mismatches.is_empty(),
        "golden mismatch (run with BLESS=1 if intended):\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn a_seed_changes_the_run() {
    let mut sc = presets::get("t1-round-robin").expect("preset");
    let h1 = {
        let mut s = registry::build(&sc).expect("build");
        s.run_until(dsplay_core::SimTime::from_ms(2000));
        s.trace_hash()
    };
    sc.seed += 1;
    let mut s = registry::build(&sc).expect("build");
    s.run_until(dsplay_core::SimTime::from_ms(2000));
    assert_ne!(h1, s.trace_hash());
}

/// The app colours messages by their kind's position in the protocol's list, so the list must
/// name every kind a preset sends, once; and its legend lists the kinds the run's nodes can send
/// (`sendable_kinds`), so those must include every kind the run does send.
#[test]
fn every_message_kind_sent_is_listed_once() {
    for id in presets::ids() {
        let sim = run(id);
        let (kinds, can) = (sim.message_kinds(), sim.sendable_kinds());
        for (i, k) in kinds.iter().enumerate() {
            assert!(!kinds[..i].contains(k), "{id}: {k} is listed twice in {kinds:?}");
        }
        // Only the simulator's reset (listed for a run with a scripted refusing crash) is not the
        // protocol's.
        let mut theirs = can.iter().filter(|k| **k != REFUSAL);
        assert!(theirs.all(|k| kinds.contains(k)), "{id}: {can:?} beyond {kinds:?}");
        let sent = sim.trace().records().iter().filter(|r| r.kind == TraceKind::Send);
        for r in sent {
            assert!(can.contains(&r.label), "{id}: sends {} which is not in {can:?}", r.label);
        }
        // The app offers a History view from the start when the protocol says its clients keep
        // one and the run has clients (d4-election-downtime's Raft has none).
        let clients = sim.view().nodes.iter().any(|n| n.view.role == "client");
        let kept = !sim.history().is_empty();
        assert_eq!(sim.keeps_history() && clients, kept, "{id}: offered, but the run kept {kept}");
    }
    let can = |id: &str| run(id).sendable_kinds().to_vec();
    assert!(!can("d4-raft-election").contains(&"Report"), "no experiment driver there");
    assert_eq!(can("t6-rate-limiting"), ["Request", "Response", "Forward", "Reply"]);
}

/// The app's error-rate chart is `errors` ÷ `requests`, so every protocol counts a failed client
/// request in `errors` whatever the reason, and the finer counters only break it down.
#[test]
fn errors_count_every_failed_client_request_once() {
    let mut checked = 0;
    for id in presets::ids() {
        let sim = run(id);
        let total = |name: &str| sim.metrics().counter(name, None);
        let errors = total("errors");
        for part in ["timeouts", "rejected_429"] {
            assert!(total(part) <= errors, "{id}: {} {part} but only {errors} errors", total(part));
        }
        if total("requests") > 0 {
            assert!(errors <= total("requests"), "{id}: {errors} errors of {} requests", total("requests"));
            checked += usize::from(errors > 0);
        }
    }
    assert!(checked >= 10, "only {checked} presets have both requests and errors");
}

/// A lesson that names another preset writes its id as code (`d1-cap-ap`): the app makes such a
/// span a link that opens it. In bold it was only text to retype (review 19: "Then open
/// **d1-cap-ap**").
#[test]
fn every_preset_a_lesson_names_is_a_code_span() {
    let ids: Vec<&str> = presets::ids().collect();
    for sc in presets::all() {
        // The lesson with its code spans taken out: what is left must name no preset.
        let plain: String = sc.meta.lesson.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        for id in &ids {
            let named = plain.match_indices(id).any(|(i, _)| {
                let next = plain[i + id.len()..].chars().next();
                !next.is_some_and(|c| c.is_alphanumeric() || c == '-')
            });
            assert!(!named, "{}: the lesson names {id} outside a code span: write `{id}`", sc.meta.id);
        }
    }
}

/// A lesson that says a counter "stays 0" points at something the student can find: the counter
/// is listed from the start (a counter otherwise appears on its first increment), and it is 0.
#[test]
fn the_counters_a_lesson_says_stay_zero_are_there_at_zero() {
    let zeros = [
        ("d1-cap-ap", "refused"),
        ("d2-replication-sync", "lost_acked_writes"),
        ("d2-replication-semisync", "lost_acked_writes"),
        ("d5-split-brain-quorum", "conflicting_writes"),
        ("d6-causal-delivery", "out_of_order"),
        ("d10-reads-primary", "stale_reads"),
        ("e4-event-replay", "misapplied"),
        ("e4-ordering-per-partition", "negative_applies"),
        ("t5-shared-store", "items_lost"),
        ("t6-rate-limiting", "polite_rejected_429"),
    ];
    for (id, name) in zeros {
        let lesson = presets::get(id).expect("preset").meta.lesson;
        assert!(lesson.contains(&format!("`{name}`")), "{id}: the lesson no longer names {name}");
        let sim = run(id);
        assert!(sim.metrics().get(name, None).is_some(), "{id}: {name} is not listed");
        assert_eq!(sim.metrics().counter(name, None), 0, "{id}: {name}");
    }
}

#[test]
fn a_mistyped_preset_id_gets_the_nearest_ids_not_a_list_of_all() {
    assert_eq!(presets::suggest("d4-raft-elektion"), ["d4-raft-election"]);
    assert_eq!(presets::suggest("t1-round"), ["t1-round-robin"]);
    assert_eq!(presets::suggest("D4").len(), 3, "an area prefix offers its first presets");
    assert!(presets::suggest("zzz").is_empty());
    let e = presets::get("d4-raft-elektion").expect_err("no such preset").to_string();
    assert!(e.contains("did you mean \"d4-raft-election\"?") && e.len() < 120, "{e}");
    let e = presets::get("zzz").expect_err("no such preset").to_string();
    assert!(e.contains("look like") && e.len() < 120, "{e}");
}

/// Every metric a lesson names (in backticks) can be charted from the start: the app's "Add a
/// chart" lists what a run has after its first 3 s (`charts::probe` in the app), and a metric
/// registered on its first update later than that (`served_failed`, first counted when something
/// fails; d8's `convergence_ms`, first set after the heal) would be missing just when the lesson
/// points at it. Counters are declared at 0; gauges and histograms with no reading yet.
#[test]
fn every_metric_a_lesson_names_is_there_within_its_first_3_s() {
    let (mut missing, mut checked) = (Vec::new(), 0);
    for id in presets::ids() {
        let sc = presets::get(id).expect("preset");
        let sim = run(id);
        let names: Vec<&'static str> = sim.metrics().all().iter().map(|m| m.name).collect();
        let early = common::run_to(&sc, 3_000.min(sc.stop_at_ms));
        let parts: Vec<&str> = sc.meta.lesson.split('`').skip(1).step_by(2).collect();
        for name in parts.into_iter().filter(|p| names.contains(p)) {
            if early.metrics().all().iter().all(|m| m.name != name) {
                missing.push(format!("{id}: {name}"));
            }
            checked += 1;
        }
    }
    missing.dedup();
    assert!(missing.is_empty(), "declare these in init: {missing:?}");
    assert!(checked > 40, "only {checked} metrics named in lessons");
}

/// A metric that only means something in some configurations is not charted in the others:
/// `polite_latency_ms` repeated `latency_ms` where no client abuses, and `dlq_depth` stayed 0 on
/// a broker that never dead-letters.
#[test]
fn metrics_of_a_feature_appear_only_where_the_feature_is_on() {
    let has = |id: &str, name: &str| run(id).metrics().all().iter().any(|m| m.name == name);
    assert!(has("t6-rate-limiting", "polite_latency_ms"));
    assert!(!has("t2-health-checks", "polite_latency_ms"));
    assert!(has("e2-dead-letter-queue", "dlq_depth"));
    assert!(!has("e1-unbounded-queue", "dlq_depth") && !has("e2-poison-message", "dlq_depth"));
}
