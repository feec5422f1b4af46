//! Log replication (§5.3): AppendEntries with the consistency check and conflict truncation,
//! nextIndex/matchIndex, commit on a majority for current-term entries only (§5.4.2), and applying
//! committed entries to the key-value state machine.

use super::msg::{Cmd, Entry, Observed, RaftMsg, RaftTimer};
use super::server::{server_name, Role, Server, C};
use crate::ids::NodeId;
use crate::sim::history::{OpKind, Outcome};
use crate::time::SimDuration;

/// Most entries in one AppendEntries.
const MAX_BATCH: usize = 64;

impl Server {
    /// Leader: append to its own log and count itself as matching.
    pub fn append_local(&mut self, ctx: &mut C<'_>, e: Entry) {
        self.push_entry(e);
        let last = self.last_index();
        let me = ctx.id().index();
        if let Some(m) = self.matched.get_mut(me) {
            *m = last;
        }
        self.appended_at.insert(last, ctx.now());
    }

    /// Every follower is sent what it has not acknowledged, from its nextIndex (the paper's rule):
    /// at each heartbeat, which also sends again what the network lost, and at each new command.
    pub fn broadcast(&mut self, ctx: &mut C<'_>) {
        for peer in self.peers(ctx.id()) {
            let i = peer.index();
            let upto = self.send_append(ctx, peer, self.next[i].max(1) - 1);
            self.sent[i] = self.sent[i].max(upto);
        }
    }

    /// AppendEntries to `peer` with the entries after `prev_index` (at most [`MAX_BATCH`]);
    /// returns the last index it carries.
    fn send_append(&mut self, ctx: &mut C<'_>, peer: NodeId, prev_index: u64) -> u64 {
        let entries: Vec<Entry> = if self.p.is_laggard(peer) {
            Vec::new()
        } else {
            self.log.iter().skip(prev_index as usize).take(MAX_BATCH).cloned().collect()
        };
        let upto = prev_index + entries.len() as u64;
        let msg = RaftMsg::AppendEntries {
            term: self.term,
            prev_index,
            prev_term: self.term_at(prev_index),
            entries,
            commit: self.commit,
        };
        ctx.send(peer, msg);
        upto
    }

    pub fn on_heartbeat(&mut self, ctx: &mut C<'_>) {
        if self.role != Role::Leader {
            return;
        }
        self.broadcast(ctx);
        ctx.set_timer(RaftTimer::Heartbeat, SimDuration(self.p.heartbeat_us));
    }

    pub fn on_append_entries(&mut self, ctx: &mut C<'_>, from: NodeId, msg: RaftMsg) {
        let RaftMsg::AppendEntries { term, prev_index, prev_term, entries, commit } = msg else { return };
        self.observe_term(ctx, term, from);
        if term < self.term {
            ctx.note(format!(
                "rejected AppendEntries from {}: stale term {term} < {}",
                server_name(from),
                self.term
            ));
            let reply = RaftMsg::AppendReply { term: self.term, success: false, match_index: 0 };
            ctx.send(from, reply);
            return;
        }
        if self.role == Role::Candidate {
            self.role = Role::Follower;
        }
        if self.leader != Some(from) {
            self.leader = Some(from);
            self.report(ctx, Observed::HeardLeader);
        }
        self.reset_election_timer(ctx);
        if prev_index > self.last_index() || self.term_at(prev_index) != prev_term {
            let hint = self.last_index().min(prev_index.saturating_sub(1));
            ctx.send(from, RaftMsg::AppendReply { term: self.term, success: false, match_index: hint });
            return;
        }
        let last_new = prev_index + entries.len() as u64;
        for (k, e) in entries.into_iter().enumerate() {
            let index = prev_index + 1 + k as u64;
            if index <= self.last_index() {
                if self.term_at(index) == e.term {
                    continue;
                }
                ctx.note(format!(
                    "conflict at index {index}: dropped {} entries",
                    self.last_index() - index + 1
                ));
                self.log.truncate(index as usize - 1);
            }
            self.push_entry(e);
        }
        let new_commit = commit.min(last_new);
        if new_commit > self.commit {
            self.commit = new_commit;
            self.commit_term = self.term;
            self.apply(ctx);
        }
        ctx.send(from, RaftMsg::AppendReply { term: self.term, success: true, match_index: last_new });
    }

    pub fn on_append_reply(&mut self, ctx: &mut C<'_>, from: NodeId, term: u64, ok: bool, index: u64) {
        self.observe_term(ctx, term, from);
        if self.role != Role::Leader || term != self.term {
            return;
        }
        let i = from.index();
        if ok {
            self.matched[i] = self.matched[i].max(index);
            self.next[i] = self.next[i].max(index + 1);
            self.advance_commit(ctx);
            // More only if some was never sent (a batch was full). Sending from nextIndex at every
            // reply while commands kept coming made each command start a chain of AppendEntries
            // and replies that lasted as long as the load: under 2,000 commands a second a 3 s run
            // took 3.7 million events, 600 per command, and doubling the rate took 17 times longer.
            if self.sent[i] < self.last_index() && !self.p.is_laggard(from) {
                let from_index = self.sent[i].max(self.next[i] - 1);
                self.sent[i] = self.send_append(ctx, from, from_index);
            }
        } else {
            let back = self.next[i].saturating_sub(1).min(index + 1);
            self.next[i] = back.max(self.matched[i] + 1).max(1);
            // What was sent past the mismatch is sent again, from the new nextIndex.
            self.sent[i] = self.send_append(ctx, from, self.next[i] - 1);
        }
    }

    /// §5.3/§5.4.2: the highest index stored on a majority whose entry is from the current term.
    fn advance_commit(&mut self, ctx: &mut C<'_>) {
        let majority = self.p.majority() as usize;
        let mut n = self.last_index();
        while n > self.commit && self.term_at(n) == self.term {
            if self.matched.iter().filter(|&&m| m >= n).count() >= majority {
                break;
            }
            n -= 1;
        }
        if n <= self.commit || self.term_at(n) != self.term {
            return;
        }
        for index in self.commit + 1..=n {
            if let Some(t) = self.appended_at.remove(&index) {
                ctx.observe("commit_latency_ms", ctx.now().since(t));
            }
        }
        self.commit = n;
        self.commit_term = self.term;
        // The cluster's count: a new leader that learns only now that its predecessor committed
        // an entry commits it again, and counted it twice (d4: commits 302, commit index 301;
        // review 47 A1).
        let newly = ctx.gauge_high("commit_index", n as i64);
        ctx.count("commits", newly);
        self.apply(ctx);
    }

    /// Apply committed entries in order; the leader answers the client that asked.
    fn apply(&mut self, ctx: &mut C<'_>) {
        while self.applied < self.commit {
            self.applied += 1;
            let Some(e) = self.log.get(self.applied as usize - 1) else { break };
            let value = match e.cmd {
                Cmd::Noop => None,
                Cmd::Put { key, value } => {
                    self.kv.insert(key, value);
                    None
                }
                Cmd::Get { key } => self.kv.get(&key).copied(),
            };
            if let (Role::Leader, Some((client, id))) = (self.role, e.origin) {
                ctx.send(client, RaftMsg::Response { id, value });
            }
            // The same index and term is the same entry (log matching): the hand command is done.
            let term = e.term;
            if let Some((_, op)) = self.by_hand.remove(&self.applied).filter(|&(t, _)| t == term) {
                ctx.history_complete(op, Outcome::Ok { value });
            }
        }
    }

    /// A client command: the leader appends it; anyone else redirects.
    pub fn on_request(&mut self, ctx: &mut C<'_>, from: NodeId, id: u64, cmd: Cmd) {
        if self.role != Role::Leader {
            ctx.count("redirects", 1);
            ctx.send(from, RaftMsg::NotLeader { id, hint: self.leader });
            return;
        }
        self.append_local(ctx, Entry::new(self.term, cmd, Some((from, id))));
        self.broadcast(ctx);
    }

    /// A command typed by the user on this server (no client to answer).
    pub fn on_hand_command(&mut self, ctx: &mut C<'_>, cmd: Cmd) {
        if self.role != Role::Leader {
            let hint =
                self.leader.map_or("no leader known".to_string(), |l| format!("try {}", server_name(l)));
            ctx.note(format!("rejected {}: not the leader ({hint})", cmd.said()));
            return;
        }
        let index = self.last_index() + 1;
        ctx.note(format!("appended {} at index {index}", cmd.said()));
        let op = match cmd {
            Cmd::Put { key, value } => Some((key, OpKind::Write { value })),
            Cmd::Get { key } => Some((key, OpKind::Read)),
            Cmd::Noop => None,
        };
        if let Some((key, op)) = op {
            let hist = ctx.history_invoke(key, op);
            self.by_hand.insert(index, (self.term, hist));
        }
        self.append_local(ctx, Entry::new(self.term, cmd, None));
        self.broadcast(ctx);
    }
}
