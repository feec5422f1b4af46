//! State-machine tests on exact message sequences (no simulator: one handler call at a time).

use super::msg::{Cmd, Entry, RaftMsg, RaftTimer};
use super::server::{Params, Role, Server};
use crate::ids::NodeId;
use crate::node::{Bench, Ctx, Effect};
use crate::time::SimTime;
use std::sync::Arc;

type Out = Vec<Effect<RaftMsg, RaftTimer>>;

struct World {
    bench: Bench,
}

impl World {
    fn new() -> Self {
        World { bench: Bench::new(1) }
    }
    /// Run `f` as node `id`; return the effects.
    fn on(&mut self, id: u32, f: impl FnOnce(&mut Ctx<'_, RaftMsg, RaftTimer>)) -> Out {
        self.bench.run((NodeId(id), SimTime::ZERO, 5), f).1
    }
}

fn params(unsafe_votes: bool) -> Arc<Params> {
    Arc::new(Params {
        servers: 5,
        timeout_min_us: 150_000,
        timeout_max_us: 300_000,
        heartbeat_us: 50_000,
        unsafe_skip_log_check: unsafe_votes,
        driver: None,
        ineligible: 0,
    })
}

fn server_with_log(id: u32, terms: &[u64], unsafe_votes: bool) -> Server {
    let mut s = Server::new(params(unsafe_votes), NodeId(id));
    for &t in terms {
        s.push_entry(Entry::new(t, Cmd::Put { key: 1, value: t as i64 }, None));
    }
    s.term = terms.last().copied().unwrap_or(0);
    s
}

fn sent(out: &Out) -> Vec<(NodeId, RaftMsg)> {
    out.iter()
        .filter_map(|e| match e {
            Effect::Send { to, msg } => Some((*to, msg.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_vote_needs_an_up_to_date_log_unless_the_mutation_is_on() {
    let mut w = World::new();
    for (unsafe_votes, expect) in [(false, false), (true, true)] {
        let mut voter = server_with_log(0, &[1, 1, 2], unsafe_votes);
        // Candidate n2 in term 3 whose log ends at (index 3, term 1): behind the voter's (3, 2).
        let out = w.on(0, |ctx| voter.on_request_vote(ctx, NodeId(1), 3, (3, 1)));
        assert_eq!(sent(&out), vec![(NodeId(1), RaftMsg::Vote { term: 3, granted: expect })]);
        assert_eq!(voter.term, 3, "a higher term is adopted even when the vote is refused");
    }
    let mut voter = server_with_log(0, &[1, 1, 2], false);
    let out = w.on(0, |ctx| voter.on_request_vote(ctx, NodeId(1), 3, (2, 2)));
    assert_eq!(sent(&out), vec![(NodeId(1), RaftMsg::Vote { term: 3, granted: false })], "shorter log");
    let out = w.on(0, |ctx| voter.on_request_vote(ctx, NodeId(2), 3, (3, 2)));
    assert_eq!(sent(&out), vec![(NodeId(2), RaftMsg::Vote { term: 3, granted: true })]);
    let out = w.on(0, |ctx| voter.on_request_vote(ctx, NodeId(3), 3, (9, 3)));
    assert_eq!(sent(&out), vec![(NodeId(3), RaftMsg::Vote { term: 3, granted: false })], "one vote per term");
}

#[test]
fn append_entries_checks_consistency_and_truncates_conflicts() {
    let mut w = World::new();
    let mut f = server_with_log(1, &[1, 1, 2, 2], false);
    let entries = |terms: &[u64]| terms.iter().map(|&t| Entry::new(t, Cmd::Noop, None)).collect::<Vec<_>>();
    // Missing prev entry (index 6): rejected with a hint.
    let msg = RaftMsg::AppendEntries { term: 3, prev_index: 6, prev_term: 3, entries: vec![], commit: 0 };
    let out = w.on(1, |ctx| f.on_append_entries(ctx, NodeId(0), msg));
    assert_eq!(
        sent(&out),
        vec![(NodeId(0), RaftMsg::AppendReply { term: 3, success: false, match_index: 4 })]
    );
    // Matches at index 2 (term 1); entries 3.. conflict (term 3 vs 2): truncated and replaced.
    let msg =
        RaftMsg::AppendEntries { term: 3, prev_index: 2, prev_term: 1, entries: entries(&[3]), commit: 3 };
    let out = w.on(1, |ctx| f.on_append_entries(ctx, NodeId(0), msg));
    assert_eq!(
        sent(&out),
        vec![(NodeId(0), RaftMsg::AppendReply { term: 3, success: true, match_index: 3 })]
    );
    assert_eq!(f.log.iter().map(|e| e.term).collect::<Vec<_>>(), vec![1, 1, 3]);
    assert_eq!((f.commit, f.applied), (3, 3));
    // A stale, reordered copy of an older message does not truncate anything.
    let msg =
        RaftMsg::AppendEntries { term: 3, prev_index: 1, prev_term: 1, entries: entries(&[1]), commit: 0 };
    w.on(1, |ctx| f.on_append_entries(ctx, NodeId(0), msg));
    assert_eq!(f.last_index(), 3);
}

#[test]
fn a_leader_commits_only_entries_of_its_own_term_by_counting() {
    // Figure 8: leader of term 4 holds an entry of term 2 at index 2, replicated to a majority.
    let mut w = World::new();
    let mut l = server_with_log(0, &[1, 2], false);
    l.term = 4;
    l.role = Role::Leader;
    l.next = vec![3; 5];
    l.sent = vec![2; 5];
    l.matched = vec![2, 0, 0, 0, 0];
    for peer in [1, 2] {
        w.on(0, |ctx| l.on_append_reply(ctx, NodeId(peer), 4, true, 2));
    }
    assert_eq!(l.commit, 0, "index 2 (term 2) is on 3 of 5 but is not from term 4");
    w.on(0, |ctx| l.on_request(ctx, NodeId(7), 1, Cmd::Put { key: 5, value: 50 }));
    for peer in [1, 2] {
        w.on(0, |ctx| l.on_append_reply(ctx, NodeId(peer), 4, true, 3));
    }
    assert_eq!(l.commit, 3, "the term-4 entry commits, and the term-2 entry with it");
    assert_eq!(l.kv.get(&5), Some(&50));
}

/// A success reply from an older term says what a follower matched of another leader's log: a
/// leader counting it could commit on a majority that does not exist (review 29 A1: dropping
/// `term != self.term` passed every test, the swarm at 1500 seeds too).
#[test]
fn a_reply_from_an_older_term_counts_for_nothing() {
    let mut w = World::new();
    let mut l = server_with_log(0, &[1, 3], false);
    w.on(0, |ctx| l.on_election_timeout(ctx));
    for voter in [3, 4] {
        w.on(0, |ctx| l.on_vote(ctx, NodeId(voter), 4, true));
    }
    assert_eq!((l.role, l.term, l.last_index()), (Role::Leader, 4, 3), "leads term 4 with its no-op at 3");
    // n2 matched five entries of the term-2 leader's log; its reply arrives this late.
    w.on(0, |ctx| l.on_append_reply(ctx, NodeId(1), 2, true, 5));
    w.on(0, |ctx| l.on_append_reply(ctx, NodeId(2), 4, true, 3));
    assert_eq!(l.commit, 0, "index 3 is on the leader and n3 only: 2 of 5");
    w.on(0, |ctx| l.on_append_reply(ctx, NodeId(1), 4, true, 3));
    assert_eq!(l.commit, 3, "n2's own ack in term 4 makes the majority");
}

/// Figure 2: a follower commits up to `min(leaderCommit, index of the last new entry)`, not to its
/// own last index. An append cut short (batches are bounded) leaves an old term's suffix behind
/// it that the leader never sent (review 29 B2: `min(leaderCommit, last_index)` passed every test).
#[test]
fn a_follower_commits_no_further_than_what_the_leader_sent() {
    let mut w = World::new();
    let mut f = server_with_log(1, &[1, 1, 2, 2, 2], false);
    let entries = vec![Entry::new(1, Cmd::Put { key: 1, value: 1 }, None)];
    let msg = RaftMsg::AppendEntries { term: 3, prev_index: 1, prev_term: 1, entries, commit: 5 };
    w.on(1, |ctx| f.on_append_entries(ctx, NodeId(0), msg));
    assert_eq!(f.commit, 2, "entries 3 to 5 are term 2's, not the leader's: not committed");
}

#[test]
fn a_crash_keeps_term_vote_and_log_and_a_higher_term_deposes_a_leader() {
    let mut w = World::new();
    let mut s = server_with_log(0, &[1, 1], false);
    s.voted_for = Some(NodeId(0));
    s.role = Role::Leader;
    s.commit = 2;
    s.applied = 2;
    s.crash();
    assert_eq!((s.term, s.voted_for, s.last_index()), (1, Some(NodeId(0)), 2));
    assert_eq!((s.role, s.commit, s.applied), (Role::Follower, 0, 0));
    s.role = Role::Leader;
    let out = w.on(0, |ctx| s.on_append_reply(ctx, NodeId(3), 5, false, 0));
    assert_eq!((s.role, s.term, s.voted_for), (Role::Follower, 5, None));
    assert!(out.iter().any(|e| matches!(e, Effect::Note(t) if t.contains("stepped down"))));
}

fn notes(out: &Out) -> Vec<String> {
    out.iter()
        .filter_map(|e| match e {
            Effect::Note(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_command_typed_by_hand_is_said_in_words() {
    // Review 10: a follower said "rejected Put { key: 3, value: 42 }: not the leader (try n4)".
    let mut w = World::new();
    let mut f = server_with_log(1, &[1], false);
    f.leader = Some(NodeId(3));
    let said = notes(&w.on(1, |ctx| f.on_hand_command(ctx, Cmd::Put { key: 3, value: 42 })));
    assert_eq!(said, vec!["rejected put 42 at key 3: not the leader (try n4)".to_string()]);
    let mut l = server_with_log(0, &[1], false);
    l.role = Role::Leader;
    l.next = vec![2; 5];
    l.sent = vec![1; 5];
    l.matched = vec![1, 0, 0, 0, 0];
    let said = notes(&w.on(0, |ctx| l.on_hand_command(ctx, Cmd::Get { key: 3 })));
    assert_eq!(said, vec!["appended get key 3 at index 2".to_string()]);
    assert_eq!(Cmd::Noop.said(), "a no-op");
}

/// The logs table's data: a leader publishes each follower's nextIndex and matchIndex, and they
/// step back after a refused append and forward after an accepted one; every entry's command is
/// there in a few characters.
#[test]
fn a_leaders_view_shows_next_and_match_stepping_back_after_a_refused_append() {
    use super::node::RaftNode;
    use crate::node::Node;
    let progress_of = |l: &Server, peer: u32| {
        let view = RaftNode::Server(Box::new(l.clone())).view();
        let tail = view.log.expect("a server publishes its log");
        let p = tail.peers.iter().find(|p| p.peer == NodeId(peer)).copied().expect("each follower");
        (p.next, p.matched)
    };
    let mut w = World::new();
    let mut l = server_with_log(0, &[1, 1, 3], false);
    l.role = Role::Leader;
    l.next = vec![4; 5];
    l.sent = vec![3; 5];
    l.matched = vec![3, 0, 0, 0, 0];
    assert_eq!(progress_of(&l, 1), (4, 0));
    // n2 holds only index 1 (hint 1): nextIndex steps back to 2.
    w.on(0, |ctx| l.on_append_reply(ctx, NodeId(1), 3, false, 1));
    assert_eq!(progress_of(&l, 1), (2, 0));
    w.on(0, |ctx| l.on_append_reply(ctx, NodeId(1), 3, true, 3));
    assert_eq!(progress_of(&l, 1), (4, 3));
    let tail = RaftNode::Server(Box::new(l.clone())).view().log.expect("log");
    assert_eq!((tail.cmd(1), tail.cmd(3), tail.term(3)), (Some("k1=1"), Some("k1=3"), Some(3)));
    assert!(tail.peers.iter().all(|p| p.peer != NodeId(0)), "not itself");
    l.role = Role::Follower;
    let tail = RaftNode::Server(Box::new(l)).view().log.expect("log");
    assert!(tail.peers.is_empty(), "only a leader says where its followers stand");
    assert_eq!((Cmd::Noop.short(), Cmd::Get { key: 4 }.short()), ("noop".into(), "get k4".into()));
}

#[test]
fn a_candidates_view_carries_its_term_and_the_votes_granted_a_followers_only_its_term() {
    use super::node::RaftNode;
    use crate::node::Node;
    let view = |s: &Server| RaftNode::Server(Box::new(s.clone())).view();
    let mut w = World::new();
    let mut c = server_with_log(2, &[1], false);
    assert_eq!((view(&c).term, view(&c).votes.len()), (Some(1), 0), "a follower: its term, no votes");
    w.on(2, |ctx| c.on_election_timeout(ctx));
    assert_eq!((view(&c).term, view(&c).votes.clone()), (Some(2), vec![NodeId(2)]), "its own vote");
    w.on(2, |ctx| c.on_vote(ctx, NodeId(4), 2, true));
    w.on(2, |ctx| c.on_vote(ctx, NodeId(0), 2, false));
    assert_eq!(view(&c).votes, vec![NodeId(2), NodeId(4)], "a refusal adds no dot");
    w.on(2, |ctx| c.on_vote(ctx, NodeId(1), 2, true));
    assert_eq!((c.role, view(&c).votes.len()), (Role::Leader, 0), "a leader draws no vote dots");
}

/// A server whose log lost an entry it applied is one finding, not one per pair it is in (review
/// 49 C4: five servers reported n3's loss four times); two servers applying different commands
/// are still found pair by pair.
#[test]
fn a_lost_applied_entry_is_found_once_per_server() {
    let mut lost = server_with_log(2, &[1, 1], false);
    lost.applied = 3;
    let others: Vec<Server> =
        (0..4).map(|i| server_with_log(if i < 2 { i } else { i + 1 }, &[1, 1, 1], false)).collect();
    let servers: Vec<&Server> = vec![&others[0], &others[1], &lost, &others[2], &others[3]];
    let mut out = Vec::new();
    super::check::check(&servers, &[true; 5], &mut out);
    let safety: Vec<&str> = out
        .iter()
        .filter(|(r, _)| *r == super::check::STATE_MACHINE_SAFETY)
        .map(|(_, d)| d.as_str())
        .collect();
    assert_eq!(safety, ["n3 applied index 3 but its log lost it"]);
    // n1 and n2 apply different commands at index 2 (terms 1 then 2 against 1 then 1).
    let mut a = server_with_log(0, &[1, 1], false);
    let mut b = server_with_log(1, &[1, 2], false);
    (a.applied, b.applied) = (2, 2);
    let mut out = Vec::new();
    super::check::check(&[&a, &b], &[true; 2], &mut out);
    let said: Vec<&str> = out.iter().map(|(_, d)| d.as_str()).collect();
    assert!(said.contains(&"n1 and n2 applied different commands up to index 2"), "{said:?}");
}
