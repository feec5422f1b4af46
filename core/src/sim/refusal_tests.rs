//! A node crashed refusing connections, driven through a two-node protocol: n0 sends n1 one
//! `Ping` at 10 ms and writes down every refusal it hears of.

use super::trace::{TraceEvent, TraceKind};
use super::{Sim, Simulation, REFUSAL};
use crate::dist::Dist;
use crate::ids::NodeId;
use crate::node::{Ctx, Kind, Node};
use crate::scenario::{LinkSpec, Scenario, ScenarioEvent, Timed};
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;

#[derive(Clone, Debug)]
struct Ping;
impl Kind for Ping {
    const KINDS: &'static [&'static str] = &["Ping"];
    fn kind(&self) -> &'static str {
        "Ping"
    }
}
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Go;
impl Kind for Go {
    fn kind(&self) -> &'static str {
        "Go"
    }
}

#[derive(Clone, Debug, Default)]
struct Peer {
    received: u32,
    /// When (true time) a refusal reached this node, and from whom.
    refused: Vec<(SimTime, NodeId)>,
}

type C<'a> = Ctx<'a, Ping, Go>;

impl Node for Peer {
    type Msg = Ping;
    type Timer = Go;
    fn init(&mut self, ctx: &mut C<'_>) {
        if ctx.id() == NodeId(0) && ctx.now() == SimTime::ZERO {
            ctx.set_timer(Go, SimDuration::from_ms(10));
        }
    }
    fn on_message(&mut self, _ctx: &mut C<'_>, _from: NodeId, _m: Ping) {
        self.received += 1;
    }
    fn on_timer(&mut self, ctx: &mut C<'_>, _t: Go) {
        ctx.send(NodeId(1), Ping);
    }
    fn on_refused(&mut self, ctx: &mut C<'_>, to: NodeId, _msg: Ping) {
        self.refused.push((ctx.now(), to));
    }
    fn on_crash(&mut self) {}
    fn view(&self) -> NodeView {
        NodeView::new("peer", format!("{} received", self.received))
    }
}

/// n0 → n1 takes 1 ms, n1 → n0 takes 3 ms: a reset that took the forward latency would show.
fn run(events: Vec<(u64, ScenarioEvent)>) -> Sim<Peer> {
    let mut sc: Scenario = crate::presets::get("t1-round-robin").expect("preset");
    sc.stop_at_ms = 50;
    sc.events = events.into_iter().map(|(at, e)| Timed::at(at, e)).collect();
    let ms = |m: u64| LinkSpec { latency: Dist::Constant { us: m * 1000 }, ..LinkSpec::default() };
    sc.network.default_link = ms(1);
    sc.network.links = vec![crate::scenario::LinkOverride {
        from: "n1".into(),
        to: "n0".into(),
        spec: ms(3),
        both_ways: false,
    }];
    let nodes = vec![("n0".to_string(), Peer::default()), ("n1".to_string(), Peer::default())];
    let mut sim = Sim::new(&sc, nodes).expect("sim");
    sim.run_until(sim.stop_at());
    sim
}

fn refusing(node: &str) -> ScenarioEvent {
    ScenarioEvent::CrashRefusing { node: node.into() }
}

fn records(s: &Sim<Peer>, kind: TraceKind) -> Vec<TraceEvent> {
    s.trace().records().iter().filter(|r| r.kind == kind).cloned().collect()
}

fn resets(s: &Sim<Peer>) -> usize {
    s.trace().records().iter().filter(|r| r.label == REFUSAL).count()
}

#[test]
fn a_refusal_reaches_the_sender_after_the_way_back_s_latency() {
    let s = run(vec![(5, refusing("n1"))]);
    let t = SimTime::from_ms;
    // The ping reaches n1 at 11 ms and is refused there; the reset takes n1 → n0's 3 ms.
    let drop = records(&s, TraceKind::Drop);
    assert_eq!(drop.len(), 1);
    assert_eq!((drop[0].at, drop[0].node, drop[0].peer), (t(11), NodeId(1), Some(NodeId(0))));
    assert_eq!((drop[0].label, drop[0].text.as_deref()), ("Ping", Some("refused")));
    let sent: Vec<_> = records(&s, TraceKind::Send).into_iter().filter(|r| r.label == REFUSAL).collect();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].at, sent[0].node, sent[0].peer), (t(11), NodeId(1), Some(NodeId(0))));
    let back: Vec<_> = records(&s, TraceKind::Deliver).into_iter().filter(|r| r.label == REFUSAL).collect();
    assert_eq!(back.len(), 1);
    assert_eq!((back[0].at, back[0].node, back[0].msg), (t(14), NodeId(0), sent[0].msg));
    assert_eq!(s.nodes()[0].refused, [(t(14), NodeId(1))]);
    // Asked what the reset was, the run names the message refused.
    assert_eq!(s.message_detail(sent[0].msg).as_deref(), Some("Ping"));
    let fault = records(&s, TraceKind::Fault);
    assert_eq!(fault[0].text.as_deref(), Some("crash n1 (refusing connections)"));
    assert_eq!(fault[0].label, "crash", "drawn as any crash");
}

#[test]
fn no_refusal_crosses_a_partition_or_a_block() {
    // Cut before the send: the ping never reaches n1's host, so nothing answers.
    let cut = ScenarioEvent::Partition { groups: vec![vec!["n0".into()], vec!["n1".into()]] };
    let s = run(vec![(5, refusing("n1")), (8, cut)]);
    assert_eq!(resets(&s), 0);
    assert!(s.nodes()[0].refused.is_empty());
    let drops = records(&s, TraceKind::Drop);
    assert_eq!(drops.iter().map(|r| r.text.as_deref()).collect::<Vec<_>>(), [Some("partitioned")]);
    // Only the way back blocked: the ping is refused, and the reset is lost on the way.
    let back = ScenarioEvent::Block { from: vec!["n1".into()], to: vec!["n0".into()] };
    let s = run(vec![(5, refusing("n1")), (8, back)]);
    let drops = records(&s, TraceKind::Drop);
    let said: Vec<_> = drops.iter().map(|r| (r.label, r.text.as_deref())).collect();
    assert_eq!(said, [("Ping", Some("refused")), (REFUSAL, Some("partitioned"))]);
    assert!(s.nodes()[0].refused.is_empty(), "no reset arrived");
    // Cut while the reset is on its way (sent at 11 ms, due at 14): dropped on arrival.
    let cut = ScenarioEvent::Partition { groups: vec![vec!["n0".into()], vec!["n1".into()]] };
    let s = run(vec![(5, refusing("n1")), (12, cut)]);
    let last = records(&s, TraceKind::Drop).pop().expect("a drop");
    assert_eq!(
        (last.at, last.label, last.text.as_deref()),
        (SimTime::from_ms(14), REFUSAL, Some("partitioned"))
    );
    assert!(s.nodes()[0].refused.is_empty());
}

#[test]
fn a_restart_ends_the_refusing() {
    let restart = ScenarioEvent::Restart { node: "n1".into() };
    let s = run(vec![(5, refusing("n1")), (8, restart)]);
    assert_eq!(s.nodes()[1].received, 1, "the ping is delivered");
    assert_eq!(resets(&s), 0);
    assert!(s.nodes()[0].refused.is_empty());
    // Crashed again, silently: the mode went with the restart.
    let again = ScenarioEvent::Crash { node: "n1".into() };
    let s = run(vec![(2, refusing("n1")), (4, ScenarioEvent::Restart { node: "n1".into() }), (6, again)]);
    assert_eq!(resets(&s), 0);
    assert_eq!(records(&s, TraceKind::Drop)[0].text.as_deref(), Some("node down"));
}

#[test]
fn a_silent_crash_is_as_before() {
    let s = run(vec![(5, ScenarioEvent::Crash { node: "n1".into() })]);
    let drops = records(&s, TraceKind::Drop);
    assert_eq!(drops.len(), 1);
    assert_eq!((drops[0].at, drops[0].text.as_deref()), (SimTime::from_ms(11), Some("node down")));
    assert_eq!(resets(&s), 0);
    assert!(s.nodes()[0].refused.is_empty());
    assert_eq!(s.sh_refusing(), [false, false]);
}

#[test]
fn a_reset_to_a_sender_that_is_down_too_is_dropped_there() {
    // n0 crashes at 12 ms, while the reset (sent at 11, due at 14) is on its way.
    let s = run(vec![(5, refusing("n1")), (12, ScenarioEvent::Crash { node: "n0".into() })]);
    let last = records(&s, TraceKind::Drop).pop().expect("a drop");
    assert_eq!((last.node, last.label, last.text.as_deref()), (NodeId(0), REFUSAL, Some("node down")));
    assert!(s.nodes()[0].refused.is_empty());
}

impl Sim<Peer> {
    fn sh_refusing(&self) -> Vec<bool> {
        self.w.sh.refusing.clone()
    }
}
