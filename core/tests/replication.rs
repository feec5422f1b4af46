//! D2 replication modes: latency ordering sync > semi-sync > async, replication lag per follower,
//! and acknowledged writes lost at failover only under async — for the preset and other seeds.

use dsplay_core::sim::metrics::MetricKind;
use dsplay_core::{NodeId, Simulation};
use serde_json::Value;

mod common;
use common::{counter, run, scenario};

fn p50_ms(sim: &dyn Simulation) -> f64 {
    let h = sim.metrics().histogram("write_latency_ms", None).expect("latency");
    h.value_at_quantile(0.5) as f64 / 1000.0
}

fn gauge(sim: &dyn Simulation, name: &str, node: u32) -> i64 {
    match sim.metrics().get(name, Some(NodeId(node))).map(|m| &m.kind) {
        Some(MetricKind::Gauge { value }) => *value,
        other => panic!("no gauge {name} on node {node}: {other:?}"),
    }
}

#[test]
fn write_latency_follows_the_acks_waited_for() {
    let sync = run(&scenario("d2-replication-sync", |_| {}));
    let semi = run(&scenario("d2-replication-semisync", |_| {}));
    let asyn = run(&scenario("d2-replication-async", |_| {}));
    let (a, b, c) = (p50_ms(&*sync), p50_ms(&*semi), p50_ms(&*asyn));
    assert!(a > 120.0 && b > 50.0 && c < 15.0, "p50 sync {a}, semi {b}, async {c}");
    assert!(a > b + 30.0 && b > c + 30.0, "sync waits for the far follower, semi for the near one");
    for sim in [&sync, &semi, &asyn] {
        assert!(counter(&**sim, "acked_writes") > 3000);
        assert_eq!(counter(&**sim, "failovers"), 1);
    }
}

#[test]
fn followers_lag_behind_the_leader() {
    let sim = run(&scenario("d2-replication-async", |_| {}));
    for f in [1, 2] {
        assert!(gauge(&*sim, "max_lag_entries", f) >= 10, "s{} lagged", f + 1);
    }
    let far = sim.metrics().histogram("replication_lag_ms", Some(NodeId(2))).expect("s3 lag");
    let near = sim.metrics().histogram("replication_lag_ms", Some(NodeId(1))).expect("s2 lag");
    assert!(far.max() > near.max(), "the far follower lags more");
}

#[test]
fn only_async_loses_acknowledged_writes_at_failover() {
    for seed in 1..=5u64 {
        let set = |v: &mut Value| v["seed"] = seed.into();
        let asyn = run(&scenario("d2-replication-async", set));
        let sync = run(&scenario("d2-replication-sync", set));
        let semi = run(&scenario("d2-replication-semisync", set));
        assert!(counter(&*asyn, "lost_acked_writes") > 0, "seed {seed}: async loses the unshipped tail");
        assert_eq!(counter(&*sync, "lost_acked_writes"), 0, "seed {seed}: sync");
        assert_eq!(
            counter(&*semi, "lost_acked_writes"),
            0,
            "seed {seed}: semi-sync with most-advanced failover"
        );
    }
}

#[test]
fn without_a_crash_nothing_is_lost_and_nobody_fails_over() {
    let calm = run(&scenario("d2-replication-async", |v| v["events"] = Value::Array(vec![])));
    assert_eq!(counter(&*calm, "lost_acked_writes"), 0);
    assert_eq!(counter(&*calm, "failovers"), 0);
    assert_eq!(counter(&*calm, "write_timeouts"), 0);
}
