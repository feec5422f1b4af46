//! E1–E3: each preset's lesson, checked on its run.

use dsplay_core::sim::metrics::MetricKind;
use dsplay_core::{presets, registry, NodeId, Simulation};

fn run(id: &str) -> Box<dyn Simulation> {
    let sc = presets::get(id).unwrap_or_else(|e| panic!("{id}: {e}"));
    let mut sim = registry::build(&sc).unwrap_or_else(|e| panic!("build: {e}"));
    sim.run_until(sim.stop_at());
    assert!(sim.halted().is_none(), "{id} halted: {:?}", sim.halted());
    sim
}

fn total(sim: &dyn Simulation, name: &str) -> u64 {
    sim.metrics().counter(name, None)
}

fn node(sim: &dyn Simulation, n: &str) -> NodeId {
    NodeId(sim.node_names().iter().position(|x| x == n).expect("node") as u32)
}

/// A per-node gauge: its final value and the largest sampled value.
fn gauge(sim: &dyn Simulation, name: &str, n: &str) -> (i64, i64) {
    let m = sim.metrics().get(name, Some(node(sim, n))).expect("gauge");
    let last = match m.kind {
        MetricKind::Gauge { value } => value,
        _ => panic!("{name} is not a gauge"),
    };
    (last, m.series.iter().map(|p| p.value as i64).max().unwrap_or(last).max(last))
}

fn p99_ms(sim: &dyn Simulation, name: &str) -> f64 {
    sim.metrics().histogram(name, None).expect("histogram").value_at_quantile(0.99) as f64 / 1000.0
}

#[test]
fn e1_unbounded_queue_grows_and_latency_with_it() {
    let sim = run("e1-unbounded-queue");
    let (depth, _) = gauge(&*sim, "queue_depth", "broker");
    assert!(depth > 500, "20 s at +40/s: the queue holds {depth}");
    assert!(p99_ms(&*sim, "queue_latency_ms") > 3000.0, "messages wait seconds");
    assert_eq!(
        total(&*sim, "dropped") + total(&*sim, "rejected") + total(&*sim, "blocked"),
        0,
        "nothing ever pushes back"
    );
}

#[test]
fn e1_bounded_queues_bound_depth_and_queue_time() {
    let bp = run("e1-backpressure");
    let (_, max) = gauge(&*bp, "queue_depth", "broker");
    assert!(max <= 100, "never over capacity: {max}");
    assert!(p99_ms(&*bp, "queue_latency_ms") < 1000.0, "bounded time in the broker");
    let backlog = gauge(&*bp, "producer_backlog", "p1").0 + gauge(&*bp, "producer_backlog", "p2").0;
    assert!(backlog > 300 && total(&*bp, "blocked") > 0, "the overload moved to the producers: {backlog}");
    assert_eq!(total(&*bp, "dropped"), 0, "blocking loses nothing");

    let shed = run("e1-load-shedding");
    assert!(gauge(&*shed, "queue_depth", "broker").1 <= 100);
    assert!(p99_ms(&*shed, "e2e_latency_ms") < 1000.0, "dropping keeps end-to-end latency bounded");
    let (dropped, published) = (total(&*shed, "dropped"), total(&*shed, "published"));
    assert!(dropped * 10 > published, "…at the price of the excess: {dropped} of {published} dropped");
}

#[test]
fn e1_scaling_consumers_drains_the_queue() {
    let sim = run("e1-consumer-scaling");
    let (active, _) = gauge(&*sim, "active_consumers", "broker");
    assert!(active >= 3, "a third consumer joined");
    let (depth, max) = gauge(&*sim, "queue_depth", "broker");
    assert!(max >= 40 && depth < 20, "the depth rose to about the threshold ({max}) then drained ({depth})");
    assert!(total(&*sim, "consumed") + 20 >= total(&*sim, "published"), "everything got consumed");
}

#[test]
fn e2_dead_letter_queue_parks_poison_and_the_rest_flows() {
    let dlq = run("e2-dead-letter-queue");
    let parked = total(&*dlq, "dead_lettered");
    assert!(parked > 5, "poison messages were parked: {parked}");
    assert_eq!(total(&*dlq, "failed_deliveries"), parked * 3, "each one tried exactly 3 times");
    assert_eq!(gauge(&*dlq, "dlq_depth", "broker").0 as u64, parked);
    let good = total(&*dlq, "published") - parked;
    assert!(total(&*dlq, "consumed") + 5 >= good, "the rest flowed");
    assert!(p99_ms(&*dlq, "e2e_latency_ms") < 100.0);

    let stuck = run("e2-poison-message");
    assert_eq!(total(&*stuck, "dead_lettered"), 0);
    assert!(
        total(&*stuck, "consumed") * 2 < total(&*stuck, "published"),
        "poison at the head stops the flow"
    );
    assert!(gauge(&*stuck, "queue_depth", "broker").0 > 500);
}

#[test]
fn e3_at_least_once_charges_twice_and_idempotency_keys_prevent_it() {
    let unsafe_run = run("e3-at-least-once-duplicates");
    assert!(total(&*unsafe_run, "redelivered") > 20, "lost acks cause redeliveries");
    let doubles = total(&*unsafe_run, "double_charges");
    assert!(doubles > 20, "duplicates were charged: {doubles}");
    let v = unsafe_run.violations();
    assert_eq!(v.len() as u64, doubles);
    assert!(v.iter().all(|v| v.rule == "no payment charged twice"));

    let safe = run("e3-idempotency-keys");
    assert!(total(&*safe, "redelivered") > 20, "delivery is still at least once");
    assert!(total(&*safe, "deduplicated") <= total(&*safe, "redelivered"));
    assert!(total(&*safe, "deduplicated") > 20, "the ledger absorbed the repeats");
    assert_eq!(total(&*safe, "double_charges"), 0);
    assert!(safe.violations().is_empty(), "no payment charged twice");
}
