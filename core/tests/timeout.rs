//! `timeout`: a node's election timer made to run out by hand (RaftScope's "time out"), on the
//! D4 election preset: an election on demand, a split vote on demand, and clear refusals.

use dsplay_core::protocols::raft::{self, RaftNode, Role, Server};
use dsplay_core::protocols::ProtocolConfig;
use dsplay_core::scenario::Timed;
use dsplay_core::sim::trace::TraceKind;
use dsplay_core::sim::{Sim, Simulation};
use dsplay_core::{presets, registry, NodeId, Scenario, ScenarioEvent, SimTime};

fn election() -> Scenario {
    presets::get("d4-raft-election").expect("preset")
}

/// `sc` with `timeout` events for `nodes` at `at_ms`.
fn timing_out(mut sc: Scenario, at_ms: u64, nodes: &[&str]) -> Scenario {
    for node in nodes {
        sc.events.push(Timed::at(at_ms, ScenarioEvent::Timeout { node: node.to_string() }));
    }
    sc.events.sort_by_key(|e| e.at_ms);
    sc
}

fn raft_sim(sc: &Scenario) -> Sim<RaftNode> {
    let ProtocolConfig::Raft(cfg) = &sc.protocol else { panic!("not raft") };
    Sim::new(sc, raft::build(sc, cfg)).expect("builds")
}

fn server<'a>(sim: &'a Sim<RaftNode>, name: &str) -> &'a Server {
    let i: usize = name[1..].parse::<usize>().expect("server name") - 1;
    sim.nodes()[i].as_server().expect("a server")
}

fn servers(sim: &Sim<RaftNode>) -> Vec<&Server> {
    sim.nodes().iter().filter_map(RaftNode::as_server).collect()
}

/// The notes traced at `at_ms` exactly.
fn notes_at(sim: &dyn Simulation, at_ms: u64) -> Vec<String> {
    let at = SimTime::from_ms(at_ms);
    let records = sim.trace().records().iter().filter(|r| r.at == at && r.kind == TraceKind::Note);
    records.filter_map(|r| r.text.as_deref().map(String::from)).collect()
}

#[test]
fn a_follower_timed_out_is_a_candidate_at_that_instant() {
    let mut sim = raft_sim(&timing_out(election(), 2_000, &["n1"]));
    sim.run_until(SimTime::from_ms(1_999));
    let (term, was) = (server(&sim, "n1").term, server(&sim, "n1").role);
    assert_eq!(was, Role::Follower, "n4 leads; n1 follows");
    sim.run_until(SimTime::from_ms(2_000));
    let n1 = server(&sim, "n1");
    assert_eq!((n1.role, n1.term, n1.voted_for), (Role::Candidate, term + 1, Some(NodeId(0))));
    let at = SimTime::from_ms(2_000);
    let now: Vec<_> = sim.trace().records().iter().filter(|r| r.at == at && r.node == NodeId(0)).collect();
    let said = |kind, label: &str| now.iter().any(|r| r.kind == kind && r.label == label);
    assert!(said(TraceKind::Fault, "timeout"), "the action is on the timeline");
    assert!(said(TraceKind::Timer, "Election"), "its election timer fired");
    let asked = now.iter().filter(|r| r.kind == TraceKind::Send && r.label == "RequestVote").count();
    assert_eq!(asked, 4, "it asked the four others for their votes at once");
    let description = ScenarioEvent::Timeout { node: "n2".into() }.describe();
    assert_eq!(description, "time out n2");
    assert!(notes_at(&sim, 2_000).contains(&format!("n1 timed out: candidate in term {}", term + 1)));
}

/// Two followers time out in the same millisecond while n4 is down: each votes for itself, and
/// the other two servers split theirs, so nobody reaches 3 of 5. 7,145 ms is one of the many
/// moments of n4's downtime where they do (with five servers up, three voters would always hand
/// one of the two a majority: see the test below for a split at every moment).
#[test]
fn two_followers_timed_out_at_once_split_the_vote_and_a_later_term_elects() {
    let at = 7_145;
    let sc = timing_out(election(), at, &["n1", "n2"]);
    let mut sim = raft_sim(&sc);
    sim.run_until(SimTime::from_ms(at));
    let (n1, n2) = (server(&sim, "n1"), server(&sim, "n2"));
    assert_eq!((n1.role, n2.role), (Role::Candidate, Role::Candidate));
    assert_eq!(n1.term, n2.term, "candidates of the same term");
    let split = n1.term;
    sim.run_until(SimTime::from_ms(at + 2_000));
    assert!(servers(&sim).iter().all(|s| !s.led_terms.contains(&split)), "nobody won term {split}");
    let later = servers(&sim).iter().flat_map(|s| s.led_terms.clone()).max().expect("a leader");
    assert!(later > split, "a later term elected a leader ({later})");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    // The same scenario and seed replay the same run, bit for bit.
    let mut again = raft_sim(&sc);
    again.run_until(SimTime::from_ms(at + 2_000));
    assert_eq!(again.trace_hash(), sim.trace_hash());
}

#[test]
fn three_followers_timed_out_at_once_while_n4_is_down_always_split_the_vote() {
    for at in (5_500..9_900).step_by(211) {
        let mut probe = raft_sim(&election());
        probe.run_until(SimTime::from_ms(at));
        let up = |i: usize| probe.status(i) == dsplay_core::sim::Status::Up;
        let followers: Vec<String> = (0..5)
            .filter(|&i| up(i) && probe.nodes()[i].as_server().is_some_and(|s| s.role == Role::Follower))
            .map(|i| format!("n{}", i + 1))
            .collect();
        assert_eq!(followers.len(), 3, "at {at} ms: a leader and three followers up");
        let names: Vec<&str> = followers.iter().map(String::as_str).collect();
        let mut sim = raft_sim(&timing_out(election(), at, &names));
        sim.run_until(SimTime::from_ms(at));
        let split = server(&sim, names[0]).term;
        assert!(names.iter().all(|n| server(&sim, n).term == split), "at {at} ms: one term");
        sim.run_until(SimTime::from_ms(at + 2_000));
        assert!(servers(&sim).iter().all(|s| !s.led_terms.contains(&split)), "at {at} ms");
        assert!(servers(&sim).iter().any(|s| s.led_terms.iter().any(|t| *t > split)), "at {at} ms");
    }
}

#[test]
fn a_leader_has_no_election_timer_to_run_out() {
    let mut s = dsplay_core::session::Session::new(election()).expect("session");
    s.seek(SimTime::from_ms(3_000));
    let e = s.act(ScenarioEvent::Timeout { node: "n4".into() }).expect_err("a leader refuses");
    assert_eq!(
        e.to_string(),
        "`event`: n4 cannot be timed out: it is the leader, which keeps no election timer"
    );
    assert!(s.scenario().events.iter().all(|e| !matches!(e.event, ScenarioEvent::Timeout { .. })));
    // Scripted, it is said in the trace, and nothing else happens.
    let mut sim = raft_sim(&timing_out(election(), 3_000, &["n4"]));
    sim.run_until(SimTime::from_ms(3_000));
    assert!(notes_at(&sim, 3_000).contains(&"n4 is the leader, which keeps no election timer".to_string()));
    assert_eq!((server(&sim, "n4").role, server(&sim, "n4").term), (Role::Leader, 1));
}

#[test]
fn a_crashed_node_is_refused_and_a_paused_one_acts_when_it_resumes() {
    let mut s = dsplay_core::session::Session::new(election()).expect("session");
    s.seek(SimTime::from_ms(6_000));
    let e = s.act(ScenarioEvent::Timeout { node: "n4".into() }).expect_err("down");
    assert_eq!(e.to_string(), "`event`: n4 cannot be timed out: it is down");
    let mut sim = raft_sim(&timing_out(election(), 6_000, &["n4"]));
    sim.run_until(SimTime::from_ms(6_000));
    assert!(notes_at(&sim, 6_000).contains(&"n4 is down: no timer of it runs".to_string()));
    // Paused and timed out at 2.1 s (its own timer would not run out before 2.15 s), resumed at
    // 2.12 s: a candidate then, not before. (What reached it before the timeout is handled first
    // on resuming: a heartbeat then would set the timer again, as it would its own.)
    let mut sc = election();
    sc.events.push(Timed::at(2_100, ScenarioEvent::Pause { node: "n1".into() }));
    let mut sc = timing_out(sc, 2_100, &["n1"]);
    sc.events.push(Timed::at(2_120, ScenarioEvent::Resume { node: "n1".into() }));
    sc.events.sort_by_key(|e| e.at_ms);
    let mut sim = raft_sim(&sc);
    sim.run_until(SimTime::from_ms(2_119));
    assert_eq!(server(&sim, "n1").role, Role::Follower, "frozen");
    sim.run_until(SimTime::from_ms(2_120));
    assert_eq!(server(&sim, "n1").role, Role::Candidate, "it acts on resuming");
}

#[test]
fn nodes_without_an_election_timer_are_refused_with_a_clear_message() {
    let e = registry::build(&timing_out(election(), 1_000, &["c1"])).expect_err("a client");
    assert!(e.to_string().ends_with("c1 cannot be timed out: it has no election timer"), "{e}");
    let sharding = presets::get("d9-sharding").expect("preset");
    let node = registry::build(&sharding).expect("builds").node_names()[0].clone();
    let e = registry::build(&timing_out(sharding.clone(), 1_000, &[&node])).expect_err("sharding");
    assert!(
        e.to_string().ends_with(&format!("{node} cannot be timed out: no node here keeps an election timer")),
        "{e}"
    );
    let mut s = dsplay_core::session::Session::new(sharding).expect("session");
    let e = s.act(ScenarioEvent::Timeout { node: node.clone() }).expect_err("clicked");
    assert!(
        e.to_string().ends_with(&format!("{node} cannot be timed out: no node here keeps an election timer")),
        "{e}"
    );
    assert!(!s.sim().keeps_election_timer(NodeId(0)));
    let raft = dsplay_core::session::Session::new(election()).expect("session");
    let c1 = raft.sim().node_names().iter().position(|n| n == "c1").expect("c1");
    assert!(raft.sim().keeps_election_timer(NodeId(0)));
    assert!(!raft.sim().keeps_election_timer(NodeId(c1 as u32)));
}

#[test]
fn a_timeout_reads_and_writes_as_json_like_the_other_node_actions() {
    let ev = ScenarioEvent::Timeout { node: "n2".into() };
    let json = serde_json::to_string(&ev).expect("json");
    assert_eq!(json, r#"{"type":"timeout","node":"n2"}"#);
    assert_eq!(serde_json::from_str::<ScenarioEvent>(&json).expect("parse"), ev);
    let sc = timing_out(election(), 1_000, &["n2"]);
    let back = dsplay_core::scenario::decode_fragment(&dsplay_core::scenario::encode_fragment(&sc));
    assert_eq!(back.expect("decodes"), sc);
}
