//! Kernel behaviour, driven through a tiny ping protocol: every node pings every other node on a
//! timer and counts what it receives. Facts are read from the trace and the façade.

use dsplay_core::node::{Ctx, Kind, Node};
use dsplay_core::scenario::{LinkSpec, Scenario, ScenarioEvent, Timed};
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::sim::{Sim, Simulation};
use dsplay_core::view::{NodeView, Status};
use dsplay_core::{dist::Dist, presets, NodeId, SimDuration, SimTime};

#[derive(Clone, Debug)]
struct Ping;
impl Kind for Ping {
    fn kind(&self) -> &'static str {
        "Ping"
    }
}
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Tick;
impl Kind for Tick {
    fn kind(&self) -> &'static str {
        "Tick"
    }
}

#[derive(Clone, Debug, Default)]
struct Pinger {
    received: u64,
    inits: u64, // durable: survives crashes
    seen_local: Vec<SimTime>,
}

impl Node for Pinger {
    type Msg = Ping;
    type Timer = Tick;
    fn init(&mut self, ctx: &mut Ctx<'_, Ping, Tick>) {
        self.inits += 1;
        ctx.set_timer(Tick, SimDuration::from_ms(10));
    }
    fn on_message(&mut self, ctx: &mut Ctx<'_, Ping, Tick>, _from: NodeId, _m: Ping) {
        self.received += 1;
        ctx.count_here("received", 1);
    }
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Ping, Tick>, _t: Tick) {
        self.seen_local.push(ctx.now());
        let me = ctx.id();
        let peers: Vec<NodeId> = ctx.nodes().filter(|&n| n != me).collect();
        for p in peers {
            ctx.send(p, Ping);
        }
        ctx.set_timer(Tick, SimDuration::from_ms(10));
    }
    fn on_crash(&mut self) {
        self.received = 0;
    }
    fn view(&self) -> NodeView {
        NodeView::new("pinger", format!("{} received", self.received))
    }
    fn invariants(_nodes: &[Self]) -> &'static [&'static str] {
        &["received-bound"]
    }
    const GLOBAL_CHECK: bool = true;
    fn check(nodes: &[Self], _up: &[bool], out: &mut Vec<(&'static str, String)>) {
        if let Some(n) = nodes.iter().find(|n| n.received > 30) {
            out.push(("received-bound", format!("a node received {}", n.received)));
        }
    }
}

fn scenario(events: Vec<Timed>) -> Scenario {
    let mut sc = presets::get("t1-round-robin").expect("preset");
    sc.stop_at_ms = 300;
    sc.events = events;
    sc.network.default_link = LinkSpec { latency: Dist::Constant { us: 1_000 }, ..LinkSpec::default() };
    sc
}

fn at(ms: u64, event: ScenarioEvent) -> Timed {
    Timed::at(ms, event)
}

fn sim(sc: &Scenario, n: usize) -> Sim<Pinger> {
    let nodes = (0..n).map(|i| (format!("n{i}"), Pinger::default())).collect();
    Sim::new(sc, nodes).expect("sim")
}

fn count(s: &Sim<Pinger>, kind: TraceKind, text: Option<&str>) -> usize {
    s.trace()
        .records()
        .iter()
        .filter(|r| r.kind == kind && text.is_none_or(|t| r.text.as_deref() == Some(t)))
        .count()
}

fn run(sc: &Scenario, n: usize) -> Sim<Pinger> {
    let mut s = sim(sc, n);
    s.run_until(s.stop_at());
    s
}

#[test]
fn pings_flow_and_the_clock_stops_at_stop_time() {
    let s = run(&scenario(vec![]), 3);
    // 29 ticks (10..290 ms) × 2 peers per node × 3 nodes; the 300 ms ticks' pings arrive after stop.
    assert_eq!(count(&s, TraceKind::Deliver, None), 29 * 6);
    assert_eq!(s.now(), SimTime::from_ms(300));
}

#[test]
fn partition_drops_and_heal_restores() {
    let p = ScenarioEvent::Partition { groups: vec![vec!["n0".into()], vec!["n1".into(), "n2".into()]] };
    let s = run(&scenario(vec![at(100, p), at(200, ScenarioEvent::Heal)]), 3);
    let dropped = count(&s, TraceKind::Drop, Some("partitioned"));
    // Per tick, 4 of the 6 pings cross the cut. Ticks at 110..=190 ms are dropped at send (9 × 4);
    // the ticks at exactly 100 and 200 ms run before the scripted event at the same instant, so
    // their pings are sent and then dropped on arrival (2 × 4).
    assert_eq!(dropped, 44);
    let late =
        s.trace().records().iter().filter(|r| r.kind == TraceKind::Deliver && r.at > SimTime::from_ms(201));
    assert!(late.count() > 0, "traffic resumes after heal");
}

#[test]
fn one_way_block_drops_one_direction_only() {
    let b = ScenarioEvent::Block { from: vec!["n0".into()], to: vec!["n1".into()] };
    let s = run(&scenario(vec![at(0, b)]), 2);
    assert_eq!(s.nodes()[1].received, 0);
    // Every drop names the node it was meant for, like a delivery: n1, from n0.
    let drops: Vec<_> = s.trace().records().iter().filter(|r| r.kind == TraceKind::Drop).collect();
    assert!(!drops.is_empty());
    assert!(drops.iter().all(|r| r.node == NodeId(1) && r.peer == Some(NodeId(0))));
    assert!(s.nodes()[0].received > 20);
}

#[test]
fn crash_loses_volatile_state_and_restart_reinits() {
    let ev = vec![
        at(100, ScenarioEvent::Crash { node: "n1".into() }),
        at(200, ScenarioEvent::Restart { node: "n1".into() }),
    ];
    let s = run(&scenario(ev), 2);
    assert_eq!(s.nodes()[1].inits, 2, "init ran again on restart; durable field survived");
    assert!(count(&s, TraceKind::Drop, Some("node down")) >= 9, "pings to the crashed node are dropped");
    let n1_ticks = &s.nodes()[1].seen_local;
    assert!(
        !n1_ticks.iter().any(|t| *t > SimTime::from_ms(100) && *t < SimTime::from_ms(200)),
        "timers died with the crash"
    );
    assert!(s.nodes()[1].received < 12, "received count was reset by the crash");
}

#[test]
fn pause_holds_messages_until_resume() {
    let ev = vec![
        at(100, ScenarioEvent::Pause { node: "n1".into() }),
        at(150, ScenarioEvent::Resume { node: "n1".into() }),
    ];
    let mut s = sim(&scenario(ev), 2);
    s.run_until(SimTime::from_ms(149));
    assert_eq!(s.status(1), Status::Paused);
    let before = s.nodes()[1].received;
    s.run_until(SimTime::from_ms(151));
    assert!(s.nodes()[1].received >= before + 4, "held pings delivered on resume");
    s.run_until(s.stop_at());
    assert_eq!(count(&s, TraceKind::Drop, None), 0, "a pause loses nothing");
}

#[test]
fn total_loss_and_duplication() {
    let lossy = LinkSpec { loss_ppm: 1_000_000, ..LinkSpec::default() };
    let s = run(
        &scenario(vec![at(
            0,
            ScenarioEvent::Link { from: "*".into(), to: "*".into(), spec: lossy, both_ways: false },
        )]),
        2,
    );
    assert_eq!(s.nodes()[0].received + s.nodes()[1].received, 0);
    let dup = LinkSpec { dup_ppm: 1_000_000, ..LinkSpec::default() };
    let s = run(
        &scenario(vec![at(
            0,
            ScenarioEvent::Link { from: "n0".into(), to: "n1".into(), spec: dup, both_ways: false },
        )]),
        2,
    );
    assert!(s.nodes()[1].received >= 2 * s.nodes()[0].received - 2, "every n0→n1 ping arrives twice");
    assert!(count(&s, TraceKind::Duplicate, None) > 0);
}

#[test]
fn clock_skew_changes_local_time_only() {
    let skew = ScenarioEvent::ClockSkew { node: "n1".into(), offset_us: 5_000_000, drift_ppm: 0 };
    let s = run(&scenario(vec![at(0, skew)]), 2);
    assert!(s.nodes()[1].seen_local.iter().all(|t| *t >= SimTime::from_ms(5_000)));
    assert!(s.nodes()[0].seen_local.iter().all(|t| *t < SimTime::from_ms(400)));
}

#[test]
fn a_live_click_replays_identically_from_the_scenario() {
    let mut live = sim(&scenario(vec![]), 3);
    live.run_until(SimTime::from_ms(150));
    live.inject(&ScenarioEvent::Crash { node: "n2".into() }).expect("inject");
    live.run_until(live.stop_at());
    let replay = run(&scenario(vec![at(150, ScenarioEvent::Crash { node: "n2".into() })]), 3);
    assert_eq!(live.trace_hash(), replay.trace_hash());
    assert!(live.inject(&ScenarioEvent::Crash { node: "zz".into() }).is_err(), "unknown nodes are refused");
}

#[test]
fn checkpoint_restore_and_fork() {
    let crash = |ms| at(ms, ScenarioEvent::Crash { node: "n1".into() });
    let resume = Timed { at_ms: 200, event: ScenarioEvent::Resume { node: "n0".into() }, by_hand: true };
    let mut s = sim(&scenario(vec![resume, crash(250)]), 2);
    s.run_until(SimTime::from_ms(100));
    let cp = s.checkpoint();
    s.run_until(s.stop_at());
    let full = s.trace_hash();
    assert!(s.restore(&cp));
    assert_eq!(s.now(), SimTime::from_ms(100));
    s.run_until(s.stop_at());
    assert_eq!(s.trace_hash(), full, "seek back and replay gives the same future");
    // Fork at 120 ms: the old future's action by hand (resume at 200) is discarded, the script
    // (crash at 250) stays, and the new event is recorded.
    assert!(s.restore(&cp));
    s.run_until(SimTime::from_ms(120));
    s.fork();
    s.inject(&ScenarioEvent::Pause { node: "n0".into() }).expect("inject");
    s.run_until(s.stop_at());
    let fresh = run(&scenario(vec![at(120, ScenarioEvent::Pause { node: "n0".into() }), crash(250)]), 2);
    assert_eq!(s.trace_hash(), fresh.trace_hash(), "the forked run equals its own link");
}

#[test]
fn invariant_violations_are_reported_once_with_time() {
    // Three nodes: each receives 2 pings per 10 ms tick, so the bound of 30 breaks at 160 ms
    // and stays broken: one report, not one per event.
    let s = run(&scenario(vec![]), 3);
    let v = s.violations();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].rule, "received-bound");
    assert_eq!(v[0].at, SimTime::from_ms(161));
}

#[test]
fn limits_halt_with_a_reason() {
    let mut sc = scenario(vec![]);
    sc.sim.max_events = 50;
    let s = run(&sc, 3);
    assert_eq!(s.events(), 50);
    assert!(s.halted().is_some_and(|h| h.contains("max_events")));
}

#[test]
fn unknown_nodes_are_named_in_errors() {
    let sc = scenario(vec![at(5, ScenarioEvent::Crash { node: "ghost".into() })]);
    let err = Sim::new(&sc, vec![("n0".to_string(), Pinger::default())]).map(|_| ()).expect_err("must fail");
    let msg = err.to_string();
    assert!(msg.contains("events[0]") && msg.contains("ghost") && msg.contains("n0"), "{msg}");
}

#[test]
fn views_show_in_flight_messages_and_timers() {
    let mut s = sim(&scenario(vec![]), 3);
    s.run_until(SimTime::from_ms(10));
    let v = s.view();
    assert_eq!(v.nodes.len(), 3);
    assert_eq!(v.in_flight.len(), 6, "each node just pinged two peers");
    assert!(v.in_flight.iter().all(|m| m.deliver_at > m.sent_at && m.kind == "Ping"));
    assert_eq!(v.timers.len(), 3);
    // Payloads are formatted on request only, for the message asked about.
    let first = v.in_flight[0].id;
    assert_eq!(s.message_detail(first).as_deref(), Some("Ping"));
    assert_eq!(s.message_detail(u64::MAX), None, "no such message in flight");
}

#[test]
fn events_listed_out_of_order_run_at_their_own_time() {
    let crash = at(150, ScenarioEvent::Crash { node: "n2".into() });
    let note = at(50, ScenarioEvent::Note { text: "early".into() });
    let sorted = run(&scenario(vec![note.clone(), crash.clone()]), 3);
    let unsorted = run(&scenario(vec![crash, note]), 3);
    assert_eq!(sorted.trace_hash(), unsorted.trace_hash());
}

#[test]
fn the_clock_reaches_the_target_even_when_only_stale_timers_were_left() {
    // A cancelled timer due before the target is popped and skipped; the clock must still move.
    for ms in [5, 10, 15, 299, 300] {
        let mut s = sim(&scenario(vec![at(0, ScenarioEvent::Crash { node: "n1".into() })]), 2);
        s.run_until(SimTime::from_ms(ms));
        assert_eq!(s.now(), SimTime::from_ms(ms));
    }
}

/// A node that sets 20 alarms in a scrambled order, then cancels alarm 3 and re-sets alarm 5.
#[derive(Clone, Debug, Default)]
struct Alarms;
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Alarm(u64);
impl Kind for Alarm {
    fn kind(&self) -> &'static str {
        "Alarm"
    }
}
impl Node for Alarms {
    type Msg = Ping;
    type Timer = Alarm;
    fn init(&mut self, ctx: &mut Ctx<'_, Ping, Alarm>) {
        for k in (0..20).map(|i| (i * 7) % 20) {
            ctx.set_timer(Alarm(k), SimDuration::from_ms(10 + k));
        }
        ctx.cancel_timer(Alarm(3));
        ctx.set_timer(Alarm(5), SimDuration::from_ms(100));
    }
    fn on_message(&mut self, _: &mut Ctx<'_, Ping, Alarm>, _: NodeId, _: Ping) {}
    fn on_timer(&mut self, _: &mut Ctx<'_, Ping, Alarm>, _: Alarm) {}
    fn on_crash(&mut self) {}
    fn view(&self) -> NodeView {
        NodeView::new("alarms", "")
    }
}

#[test]
fn a_view_lists_each_nodes_soonest_live_timers_and_counts_the_rest() {
    let mut s = Sim::new(&scenario(vec![]), vec![("a".to_string(), Alarms)]).expect("sim");
    s.run_until(SimTime::from_ms(1));
    let v = s.view();
    assert_eq!(v.nodes[0].timers_pending, 19, "20 set, one cancelled (re-setting replaces)");
    let listed: Vec<(String, u64)> =
        v.timers.iter().map(|t| (t.timer.clone(), t.fires_at.as_us() / 1000)).collect();
    // Alarm(k) fires at 10 + k ms; 3 is cancelled and 5 moved to 100 ms.
    let soonest: Vec<(String, u64)> =
        [0, 1, 2, 4, 6, 7, 8, 9, 10, 11, 12, 13].map(|k| (format!("Alarm({k})"), 10 + k)).into();
    assert_eq!(listed.len(), dsplay_core::view::TIMERS_SHOWN);
    assert_eq!(listed, soonest, "the soonest live timers, in firing order");
}

/// A sample at a whole second holds what happened at that second, as a run stopped there
/// reports it (review 48 A1: t4's chart said 5 tasks at 30 s where `dsplay run --until-ms 30000`
/// said 8, the autoscaler's launches at 30 s left out).
#[test]
fn a_sample_at_an_instant_holds_that_instants_events() {
    let sc = presets::get("t4-autoscaling").expect("preset");
    let mut sim = dsplay_core::registry::build(&sc).expect("build");
    sim.run_until(SimTime::from_ms(30_000));
    let m = sim.metrics();
    let now = |name: &str| match m.get(name, None).map(|x| &x.kind) {
        Some(dsplay_core::sim::metrics::MetricKind::Gauge { value }) => *value as f64,
        other => panic!("{name}: {other:?}"),
    };
    let last = |name: &str| m.get(name, None).and_then(|x| x.series.last()).map(|p| (p.t_ms, p.value));
    assert_eq!(last("tasks_running"), Some((30_000.0, now("tasks_running"))));
    // A counter's rates, added up over the run, come to its total.
    let secs = m.interval_us() as f64 / 1e6;
    let total: f64 = m.get("launches", None).map_or(0.0, |x| x.series.iter().map(|p| p.value * secs).sum());
    assert_eq!((total.round() as u64, m.counter("launches", None)), (6, 6));
    assert_eq!(last("task_seconds"), Some((30_000.0, now("task_seconds"))));
}
