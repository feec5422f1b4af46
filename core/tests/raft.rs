//! D4 Raft and D5 split brain: each preset's lesson, as facts about its run.

use dsplay_core::protocols::raft::{self, RaftNode, Role, Server};
use dsplay_core::protocols::ProtocolConfig;
use dsplay_core::sim::{Sim, Simulation};
use dsplay_core::{presets, registry, Scenario, SimTime};

fn raft_sim(sc: &Scenario) -> Sim<RaftNode> {
    let ProtocolConfig::Raft(cfg) = &sc.protocol else { panic!("not raft") };
    Sim::new(sc, raft::build(sc, cfg)).expect("builds")
}

fn server(sim: &Sim<RaftNode>, name: &str) -> Server {
    let i: usize = name[1..].parse::<usize>().expect("server name") - 1;
    sim.nodes()[i].as_server().expect("a server").clone()
}

fn leaders(sim: &Sim<RaftNode>) -> Vec<(usize, u64)> {
    let servers = sim.nodes().iter().filter_map(RaftNode::as_server).enumerate();
    servers
        .filter(|(i, s)| s.role == Role::Leader && sim.status(*i) == dsplay_core::sim::Status::Up)
        .map(|(i, s)| (i + 1, s.term))
        .collect()
}

#[test]
fn election_preset_re_elects_after_the_leader_crashes_and_the_old_leader_catches_up() {
    let sc = presets::get("d4-raft-election").expect("preset");
    let mut sim = raft_sim(&sc);
    sim.run_until(SimTime::from_ms(4_999));
    assert_eq!(leaders(&sim), vec![(4, 1)], "n4 leads term 1, as the lesson says");
    let committed_before = server(&sim, "n4").commit;
    assert!(committed_before > 50, "steady writes commit: {committed_before}");
    sim.run_until(SimTime::from_ms(9_999));
    let after = leaders(&sim);
    assert_eq!(after.len(), 1);
    assert!(after[0].0 != 4 && after[0].1 >= 2, "a new leader in a later term: {after:?}");
    let new_leader = server(&sim, &format!("n{}", after[0].0));
    assert!(new_leader.commit > committed_before + 50, "writes commit again after the crash");
    sim.run_until(SimTime::from_ms(sc.stop_at_ms));
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    let (n4, leader) = (server(&sim, "n4"), server(&sim, &format!("n{}", after[0].0)));
    assert_eq!(n4.role, Role::Follower);
    assert!(n4.commit + 5 >= leader.commit && n4.commit > committed_before, "restarted n4 caught up");
    assert_eq!(n4.chain_at(n4.commit), leader.chain_at(n4.commit));
}

#[test]
fn partition_preset_minority_leader_cannot_commit_and_steps_down_after_heal() {
    let sc = presets::get("d4-raft-partition").expect("preset");
    let mut sim = raft_sim(&sc);
    sim.run_until(SimTime::from_ms(4_100));
    let frozen = server(&sim, "n4").commit;
    sim.run_until(SimTime::from_ms(8_999));
    let old = server(&sim, "n4");
    assert_eq!((old.role, old.term), (Role::Leader, 1), "n4 still thinks it leads");
    assert_eq!(old.commit, frozen, "but commits nothing without a majority");
    assert!(old.last_index() > frozen, "while it keeps appending c1's writes");
    let majority_leaders: Vec<_> = leaders(&sim).into_iter().filter(|(i, _)| *i <= 3).collect();
    assert_eq!(majority_leaders.len(), 1, "the majority side elects its own leader");
    assert!(majority_leaders[0].1 >= 2);
    sim.run_until(SimTime::from_ms(sc.stop_at_ms));
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    let n4 = server(&sim, "n4");
    assert_eq!(n4.role, Role::Follower, "n4 stepped down after heal");
    assert!(sim.metrics().counter("step_downs", None) >= 1);
    let leader = server(&sim, &format!("n{}", leaders(&sim)[0].0));
    assert_eq!(n4.chain_at(n4.commit), leader.chain_at(n4.commit), "n4's uncommitted entries were replaced");
}

fn downtime(sets: impl FnOnce(&mut raft::RaftConfig)) -> (u64, f64, f64) {
    let mut sc = presets::get("d4-election-downtime").expect("preset");
    let ProtocolConfig::Raft(cfg) = &mut sc.protocol else { panic!("not raft") };
    sets(cfg);
    let mut sim = registry::build(&sc).expect("builds");
    sim.run_until(SimTime::from_ms(sc.stop_at_ms));
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    let h = sim.metrics().histogram("election_downtime_ms", None).expect("histogram");
    (h.len(), h.min() as f64 / 1000.0, h.mean() / 1000.0)
}

#[test]
fn downtime_experiment_measures_every_trial_and_stale_logs_make_it_longer() {
    let (count, min_ms, mean_ms) = downtime(|_| {});
    assert_eq!(count, 50, "every trial is measured");
    // Followers heard the last heartbeat at most 50 ms before the crash and wait at least 150 ms.
    assert!(min_ms >= 100.0, "downtime can't beat the shortest timeout minus a heartbeat: {min_ms}");
    assert!(mean_ms < 400.0, "and converges quickly on average: {mean_ms}");
    let (count2, _, mean_stale) = downtime(|c| c.experiment.as_mut().expect("exp").ineligible = 2);
    assert_eq!(count2, 50);
    assert!(mean_stale > mean_ms, "two ineligible survivors: {mean_stale} ms vs {mean_ms} ms");
}

#[test]
fn the_experiment_stops_at_its_number_of_trials() {
    // The last trial's deadline timer once outlived it and started one more trial every 12 s.
    let mut sc = presets::get("d4-election-downtime").expect("preset");
    sc.stop_at_ms *= 3;
    let mut sim = registry::build(&sc).expect("builds");
    sim.run_until(SimTime::from_ms(sc.stop_at_ms));
    assert_eq!(sim.metrics().counter("trials", None), 50);
}

fn split_brain(id: &str) -> Box<dyn Simulation> {
    let sc = presets::get(id).expect("preset");
    let mut sim = registry::build(&sc).expect("builds");
    sim.run_until(SimTime::from_ms(sc.stop_at_ms));
    sim
}

#[test]
fn naive_failover_has_two_primaries_and_quorum_leases_do_not() {
    let naive = split_brain("d5-split-brain-naive");
    assert!(naive.violations().iter().any(|v| v.rule == "at most one primary accepting writes"));
    assert!(naive.metrics().counter("conflicting_writes", None) > 10);
    let quorum = split_brain("d5-split-brain-quorum");
    assert!(quorum.violations().is_empty(), "{:?}", quorum.violations());
    assert_eq!(quorum.metrics().counter("conflicting_writes", None), 0);
    assert!(quorum.metrics().counter("rejected_writes", None) > 10, "the minority side refuses writes");
    assert_eq!(quorum.metrics().counter("promotions", None), 1, "the majority side still fails over");
}
