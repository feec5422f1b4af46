//! A Raft server: its durable and volatile state, and leader election (§5.2, §5.4.1).

use super::msg::{Entry, Observed, RaftMsg, RaftTimer};
use crate::ids::NodeId;
use crate::node::Ctx;
use crate::time::{SimDuration, SimTime};
use std::collections::BTreeMap;
use std::sync::Arc;

pub(super) type C<'a> = Ctx<'a, RaftMsg, RaftTimer>;

/// Knobs every server shares.
#[derive(Clone, Debug)]
pub struct Params {
    pub servers: u32,
    pub timeout_min_us: u64,
    pub timeout_max_us: u64,
    pub heartbeat_us: u64,
    /// The mutation: grant votes without the "candidate's log is at least as up to date" check.
    pub unsafe_skip_log_check: bool,
    /// The experiment driver to report to, if an experiment runs.
    pub driver: Option<NodeId>,
    /// Experiment: the last `ineligible` servers are never sent new entries (stale logs).
    pub ineligible: u32,
}

/// Servers are named `n1…nN` after their ids `0…N-1`.
pub fn server_name(id: NodeId) -> String {
    format!("n{}", id.0 + 1)
}

impl Params {
    pub fn majority(&self) -> u32 {
        self.servers / 2 + 1
    }
    pub fn is_laggard(&self, id: NodeId) -> bool {
        self.ineligible > 0 && id.0 >= self.servers - self.ineligible
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Follower,
    Candidate,
    Leader,
}

/// One Raft server. Durable: `term`, `voted_for`, `log` (and the ghost `led_terms`). Everything
/// else is volatile and lost in a crash.
#[derive(Clone, Debug)]
pub struct Server {
    pub p: Arc<Params>,
    pub id: NodeId,
    pub term: u64,
    pub voted_for: Option<NodeId>,
    /// Entry `i` (1-based) is `log[i - 1]`.
    pub log: Vec<Entry>,
    /// Ghost state for the election-safety check: every term this server led, ascending.
    pub led_terms: Vec<u64>,
    pub role: Role,
    pub leader: Option<NodeId>,
    pub votes: Vec<NodeId>,
    pub commit: u64,
    /// The term this server was in when it last learned a higher commit index (for the
    /// leader-completeness check: leaders of later terms must hold this prefix).
    pub commit_term: u64,
    pub applied: u64,
    pub kv: BTreeMap<u64, i64>,
    pub next: Vec<u64>,
    pub matched: Vec<u64>,
    /// Leader: the last index sent to each follower in this term: a reply sends more only if
    /// there is more than that (see `on_append_reply`).
    pub sent: Vec<u64>,
    /// Leader: when each not-yet-committed entry was appended (for `commit_latency_ms`).
    pub appended_at: BTreeMap<u64, SimTime>,
    /// Commands typed by hand on this server as leader: log index → (term, history op), so the
    /// run's history holds them (a read of a value only they wrote was judged not linearizable).
    /// Volatile: one whose server crashes stays pending, its outcome unknown, as a client's would.
    pub by_hand: BTreeMap<u64, (u64, u64)>,
    /// When the election timer was last set and when it fires (shown as a draining ring; no
    /// part of the protocol reads it).
    pub election_timer: Option<(SimTime, SimTime)>,
}

impl Server {
    pub fn new(p: Arc<Params>, id: NodeId) -> Self {
        Server {
            p,
            id,
            term: 0,
            voted_for: None,
            log: Vec::new(),
            led_terms: Vec::new(),
            role: Role::Follower,
            leader: None,
            votes: Vec::new(),
            commit: 0,
            commit_term: 0,
            applied: 0,
            kv: BTreeMap::new(),
            next: Vec::new(),
            matched: Vec::new(),
            sent: Vec::new(),
            appended_at: BTreeMap::new(),
            by_hand: BTreeMap::new(),
            election_timer: None,
        }
    }

    pub fn last_index(&self) -> u64 {
        self.log.len() as u64
    }
    pub fn term_at(&self, index: u64) -> u64 {
        if index == 0 {
            0
        } else {
            self.log.get(index as usize - 1).map_or(0, |e| e.term)
        }
    }
    pub fn chain_at(&self, index: u64) -> u64 {
        if index == 0 {
            0
        } else {
            self.log.get(index as usize - 1).map_or(0, |e| e.chain)
        }
    }
    pub fn last_term(&self) -> u64 {
        self.term_at(self.last_index())
    }

    /// Append locally, computing the prefix hash.
    pub fn push_entry(&mut self, mut e: Entry) {
        e.chain = e.chained(self.chain_at(self.last_index()));
        self.log.push(e);
    }

    pub fn peers(&self, me: NodeId) -> impl Iterator<Item = NodeId> {
        (0..self.p.servers).map(NodeId).filter(move |&i| i != me)
    }

    /// Volatile state is lost; the durable part stays.
    pub fn crash(&mut self) {
        self.role = Role::Follower;
        self.leader = None;
        self.votes.clear();
        self.commit = 0;
        self.commit_term = 0;
        self.applied = 0;
        self.kv.clear();
        self.next.clear();
        self.matched.clear();
        self.sent.clear();
        self.appended_at.clear();
        self.by_hand.clear();
        self.election_timer = None;
    }

    pub fn reset_election_timer(&mut self, ctx: &mut C<'_>) {
        let us = ctx.rng().range_inclusive(self.p.timeout_min_us, self.p.timeout_max_us);
        ctx.set_timer(RaftTimer::Election, SimDuration(us));
        self.election_timer = Some((ctx.now(), ctx.now() + SimDuration(us)));
    }

    /// Any message with a higher term: adopt it and become a follower (a stale leader steps down).
    pub fn observe_term(&mut self, ctx: &mut C<'_>, term: u64, from: NodeId) {
        if term <= self.term {
            return;
        }
        if self.role == Role::Leader {
            let (me, them) = (server_name(ctx.id()), server_name(from));
            ctx.note(format!(
                "{me} stepped down: saw term {term} from {them} (was leader of term {})",
                self.term
            ));
            ctx.count("step_downs", 1);
            ctx.cancel_timer(RaftTimer::Heartbeat);
            self.reset_election_timer(ctx);
        }
        self.term = term;
        self.voted_for = None;
        self.role = Role::Follower;
        self.leader = None;
    }

    pub fn on_election_timeout(&mut self, ctx: &mut C<'_>) {
        if self.role == Role::Leader {
            return;
        }
        self.term += 1;
        // The highest term any server is in, not the leader's: an isolated follower's term
        // climbs with every election it cannot win, and the chart shows it (review 47 B2).
        ctx.gauge_high("highest_term", self.term as i64);
        self.role = Role::Candidate;
        self.leader = None;
        self.voted_for = Some(ctx.id());
        self.votes = vec![ctx.id()];
        ctx.count("elections", 1);
        ctx.note(format!("{} timed out: candidate in term {}", server_name(ctx.id()), self.term));
        let (last_index, last_term) = (self.last_index(), self.last_term());
        for peer in self.peers(ctx.id()) {
            ctx.send(peer, RaftMsg::RequestVote { term: self.term, last_index, last_term });
        }
        self.reset_election_timer(ctx);
    }

    /// §5.4.1: is a candidate's log at least as up to date as ours?
    pub fn log_ok(&self, last_index: u64, last_term: u64) -> bool {
        last_term > self.last_term() || (last_term == self.last_term() && last_index >= self.last_index())
    }

    pub fn on_request_vote(&mut self, ctx: &mut C<'_>, from: NodeId, term: u64, last: (u64, u64)) {
        self.observe_term(ctx, term, from);
        let free = self.voted_for.is_none() || self.voted_for == Some(from);
        let up_to_date = self.p.unsafe_skip_log_check || self.log_ok(last.0, last.1);
        let granted = term == self.term && free && up_to_date;
        if granted {
            self.voted_for = Some(from);
            self.reset_election_timer(ctx);
        } else if term == self.term && free {
            ctx.note(format!(
                "refused {}: its log (last term {}, index {}) is behind ours",
                server_name(from),
                last.1,
                last.0
            ));
        }
        ctx.send(from, RaftMsg::Vote { term: self.term, granted });
    }

    pub fn on_vote(&mut self, ctx: &mut C<'_>, from: NodeId, term: u64, granted: bool) {
        self.observe_term(ctx, term, from);
        if self.role != Role::Candidate || term != self.term || !granted {
            return;
        }
        if !self.votes.contains(&from) {
            self.votes.push(from);
        }
        if self.votes.len() as u32 >= self.p.majority() {
            self.become_leader(ctx);
        }
    }

    fn become_leader(&mut self, ctx: &mut C<'_>) {
        let me = ctx.id();
        let name = server_name(me);
        self.role = Role::Leader;
        self.leader = Some(me);
        self.led_terms.push(self.term);
        ctx.note(format!("{name} became leader in term {}", self.term));
        ctx.count("leader_changes", 1);
        ctx.cancel_timer(RaftTimer::Election);
        self.election_timer = None;
        let n = self.p.servers as usize;
        self.next = vec![self.last_index() + 1; n];
        self.matched = vec![0; n];
        self.sent = vec![self.last_index(); n];
        self.appended_at.clear();
        self.append_local(ctx, Entry::new(self.term, super::msg::Cmd::Noop, None));
        self.report(ctx, Observed::BecameLeader);
        self.broadcast(ctx);
        ctx.set_timer(RaftTimer::Heartbeat, SimDuration(self.p.heartbeat_us));
    }

    pub fn report(&self, ctx: &mut C<'_>, event: Observed) {
        if let Some(d) = self.p.driver {
            let at = ctx.now();
            ctx.send(d, RaftMsg::Report { event, term: self.term, at });
        }
    }
}
