//! A D2 server: the leader replicating writes, or a follower applying them and watching for the
//! leader's silence.

use super::node::{ReplMsg, ReplTimer};
use super::{ReplMode, ReplicationConfig};
use crate::ids::NodeId;
use crate::node::Ctx;
use crate::time::{SimDuration, SimTime};
use std::collections::BTreeMap;
use std::sync::Arc;

mod failover;

type C<'a> = Ctx<'a, ReplMsg, ReplTimer>;

/// A write waiting for follower acks: (client, client op).
type Waiting = (NodeId, u64);

#[derive(Clone, Debug)]
pub struct Server {
    cfg: Arc<ReplicationConfig>,
    pub me: NodeId,
    pub epoch: u64,
    /// The leader it last knew (itself, for a leader that crashed).
    pub leader: NodeId,
    /// Acting as leader now. Volatile: a leader that restarts cannot know whether a follower took
    /// over while it was down, so it comes back as a follower and waits to hear who leads.
    pub leading: bool,
    /// The log: (value, when the leader wrote it); index i + 1 at position i (durable).
    pub log: Vec<(i64, SimTime)>,
    /// Leader: per follower, (highest index it has applied, highest index shipped to it).
    pub followers: BTreeMap<u32, (u64, u64)>,
    /// Leader: a `Ship` timer is pending.
    ship_pending: bool,
    /// Leader: per follower with entries shipped and not acked, since when its acks have not
    /// advanced. After `failover_ms` of that, the `Append` (or its `Ack`) is taken as lost and
    /// everything past its applied index is sent again.
    stalled_since: BTreeMap<u32, SimTime>,
    waiting: BTreeMap<u64, Waiting>,
    /// Follower: entries that arrived ahead of a gap.
    early: BTreeMap<u64, (i64, SimTime)>,
    /// Follower: probe replies (server → (last index, epoch)) during a failover round.
    probe: Option<BTreeMap<u32, (u64, u64)>>,
    /// Leader: its log's length when it took over. Entries past it may differ from what servers
    /// of older epochs hold, so `NewLeader` tells them to cut there.
    start: u64,
    /// Follower: the most entries it has been behind the leader (at a heartbeat).
    pub max_lag: u64,
    /// The newest epoch it has heard of without joining it (volatile). While it is newer than its
    /// own, some server leads it: this one waits to hear who rather than taking over.
    heard_of: u64,
}

impl Server {
    pub fn new(cfg: Arc<ReplicationConfig>, index: u32) -> Self {
        let followers =
            if index == 0 { (1..cfg.servers).map(|f| (f, (0, 0))).collect() } else { BTreeMap::new() };
        Server {
            cfg,
            me: NodeId(index),
            epoch: 1,
            leader: NodeId(0),
            leading: index == 0,
            log: Vec::new(),
            followers,
            ship_pending: false,
            stalled_since: BTreeMap::new(),
            waiting: BTreeMap::new(),
            early: BTreeMap::new(),
            probe: None,
            start: 0,
            max_lag: 0,
            heard_of: 0,
        }
    }

    pub fn is_leader(&self) -> bool {
        self.leading
    }

    /// Leader: the lowest index of a write still waiting for follower acks. Writes are answered
    /// in index order, so every write of this leader's before it has been acknowledged.
    pub fn first_unacked(&self) -> Option<u64> {
        self.waiting.keys().next().copied()
    }

    fn last(&self) -> u64 {
        self.log.len() as u64
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        if self.is_leader() {
            ctx.set_timer(ReplTimer::Heartbeat, SimDuration::from_ms(self.cfg.heartbeat_ms));
        } else {
            ctx.set_timer(ReplTimer::Failover, SimDuration::from_ms(self.cfg.failover_ms));
        }
    }

    pub fn crash(&mut self) {
        self.leading = false;
        self.followers.clear();
        self.waiting.clear();
        self.ship_pending = false;
        self.stalled_since.clear();
        self.early.clear();
        self.probe = None;
        self.heard_of = 0;
    }

    /// Acks a write needs from followers before the client hears back.
    fn needed(&self) -> u64 {
        let n = self.followers.len() as u64;
        match self.cfg.mode {
            ReplMode::Async => 0,
            ReplMode::SemiSync => u64::from(self.cfg.acks).min(n),
            ReplMode::Sync => n,
        }
    }

    pub fn on_write(&mut self, ctx: &mut C<'_>, client: NodeId, op: u64, value: i64) {
        if !self.is_leader() {
            ctx.send(client, ReplMsg::NotLeader { op, leader: self.leader });
            return;
        }
        self.log.push((value, ctx.now()));
        self.waiting.insert(self.last(), (client, op));
        if self.cfg.ship_ms == 0 {
            self.ship(ctx);
        } else if !self.ship_pending {
            self.ship_pending = true;
            ctx.set_timer(ReplTimer::Ship, SimDuration::from_ms(self.cfg.ship_ms));
        }
        self.release(ctx);
    }

    /// Send every follower the entries it has not been sent yet, in one `Append`.
    pub fn ship(&mut self, ctx: &mut C<'_>) {
        self.ship_pending = false;
        let last = self.last();
        for (f, (_, sent)) in self.followers.iter_mut() {
            if *sent < last {
                let entries = self.log[*sent as usize..].to_vec();
                ctx.send(NodeId(*f), ReplMsg::Append { epoch: self.epoch, first: *sent + 1, entries });
                *sent = last;
            }
        }
    }

    /// Answer every waiting write that has enough follower acks (in index order).
    fn release(&mut self, ctx: &mut C<'_>) {
        let needed = self.needed();
        while let Some((&index, _)) = self.waiting.first_key_value() {
            let have = self.followers.values().filter(|(m, _)| *m >= index).count() as u64;
            if have < needed {
                break;
            }
            let (client, op) = self.waiting.remove(&index).expect("present");
            ctx.send(client, ReplMsg::WriteAck { op, index, epoch: self.epoch });
        }
    }

    pub fn on_ack(&mut self, ctx: &mut C<'_>, from: NodeId, epoch: u64, applied: u64) {
        if self.newer_epoch(ctx, from, epoch) {
            return;
        }
        if epoch != self.epoch || !self.is_leader() {
            ctx.note("ignored Ack from another epoch");
            return;
        }
        match self.followers.get_mut(&from.0) {
            Some((m, _)) => {
                if applied > *m {
                    self.stalled_since.remove(&from.0);
                }
                *m = (*m).max(applied)
            }
            None => {
                // A server that was down at the failover answers `NewLeader` with what it holds.
                ctx.note(format!("s{} joins as a follower with {applied} entries", from.0 + 1));
                self.followers.insert(from.0, (applied, applied));
                self.ship(ctx);
            }
        }
        self.release(ctx);
    }

    pub fn on_heartbeat_timer(&mut self, ctx: &mut C<'_>) {
        if !self.is_leader() {
            return;
        }
        for f in self.followers.keys() {
            ctx.send(NodeId(*f), ReplMsg::Heartbeat { epoch: self.epoch, last: self.last() });
        }
        self.resend_stalled(ctx);
        ctx.set_timer(ReplTimer::Heartbeat, SimDuration::from_ms(self.cfg.heartbeat_ms));
    }

    /// The network may lose an `Append` or its `Ack`: a follower whose acks have not advanced for
    /// `failover_ms` while entries were outstanding is sent everything past its applied index
    /// again (it ignores entries it holds). Without this one lost message stalls it for good, and
    /// a sync leader with it.
    fn resend_stalled(&mut self, ctx: &mut C<'_>) {
        let (now, patience) = (ctx.now(), SimDuration::from_ms(self.cfg.failover_ms));
        for (f, (m, sent)) in self.followers.iter_mut() {
            if *m >= *sent {
                self.stalled_since.remove(f);
                continue;
            }
            let since = *self.stalled_since.entry(*f).or_insert(now);
            if now.since(since) >= patience {
                ctx.note(format!(
                    "s{} has acked nothing past {m} for {} ms: sending again",
                    f + 1,
                    self.cfg.failover_ms
                ));
                let entries = self.log[*m as usize..*sent as usize].to_vec();
                ctx.send(NodeId(*f), ReplMsg::Append { epoch: self.epoch, first: *m + 1, entries });
                self.stalled_since.insert(*f, now);
            }
        }
    }

    /// Follower: any message from the current leader resets the failover clock. A newer epoch
    /// is joined on a message that says where this log may part from the new leader's: `keep`
    /// entries at most (`NewLeader`'s start, an `Append`'s first index − 1); a `Heartbeat`
    /// (`keep == None`) does not say, so a newer one waits for those.
    ///
    /// A message of an older epoch comes from a leader that missed a failover: it is answered
    /// with an `Ack` of this server's epoch (as a Raft follower answers a stale `AppendEntries`
    /// with its term), which tells that leader it has been replaced.
    fn heard_leader(&mut self, ctx: &mut C<'_>, from: NodeId, epoch: u64, keep: Option<u64>) -> bool {
        if epoch < self.epoch {
            ctx.note(format!(
                "ignored a message from s{} of old epoch {epoch}: telling it of epoch {}",
                from.0 + 1,
                self.epoch
            ));
            ctx.send(from, ReplMsg::Ack { epoch: self.epoch, applied: self.last() });
            return false;
        }
        if epoch == self.epoch && from != self.leader {
            ctx.note(format!("ignored a message from s{} of epoch {epoch}, led by another", from.0 + 1));
            return false;
        }
        if epoch > self.epoch {
            let Some(keep) = keep else {
                if !self.newer_epoch(ctx, from, epoch) {
                    ctx.note(format!("ignored a heartbeat of newer epoch {epoch}: waiting for NewLeader"));
                }
                return false;
            };
            if self.leading {
                self.stop_leading(ctx);
            }
            if self.leader == ctx.id() {
                // A leader that crashed and missed the failover: its log may end in writes that
                // never left it, and nothing tells where they begin. It starts over from the new
                // leader's.
                ctx.note(format!(
                    "was leader of epoch {}: dropping my log to take s{}'s",
                    self.epoch,
                    from.0 + 1
                ));
                self.log.clear();
            } else if epoch > self.epoch + 1 {
                // Epochs went by without it: its log parts from the new leader's somewhere
                // before `keep`, where is not known.
                ctx.note(format!(
                    "missed epochs {}–{}: dropping my log to take s{}'s",
                    self.epoch + 1,
                    epoch - 1,
                    from.0 + 1
                ));
                self.log.clear();
            } else {
                // Entries past `keep` came from the old leader after the new one took over.
                self.log.truncate(keep as usize);
            }
            self.early.clear();
        }
        self.epoch = epoch;
        self.leader = from;
        self.leading = false;
        self.probe = None;
        ctx.set_timer(ReplTimer::Failover, SimDuration::from_ms(self.cfg.failover_ms));
        true
    }

    pub fn on_append(
        &mut self,
        ctx: &mut C<'_>,
        from: NodeId,
        epoch: u64,
        first: u64,
        entries: Vec<(i64, SimTime)>,
    ) {
        if !self.heard_leader(ctx, from, epoch, Some(first - 1)) {
            return;
        }
        for (i, e) in entries.into_iter().enumerate() {
            if first + i as u64 > self.last() {
                self.early.insert(first + i as u64, e);
            }
        }
        while let Some(entry) = self.early.remove(&(self.last() + 1)) {
            self.log.push(entry);
            let lag = ctx.now().since(entry.1);
            ctx.observe_here("replication_lag_ms", lag);
            ctx.gauge_here("lag_ms", (lag.as_us() / 1000) as i64);
        }
        ctx.send(from, ReplMsg::Ack { epoch: self.epoch, applied: self.last() });
    }

    pub fn on_heartbeat(&mut self, ctx: &mut C<'_>, from: NodeId, epoch: u64, last: u64) {
        if self.heard_leader(ctx, from, epoch, None) {
            let lag = last.saturating_sub(self.last());
            self.max_lag = self.max_lag.max(lag);
            ctx.gauge_here("lag_entries", lag as i64);
            ctx.gauge_here("max_lag_entries", self.max_lag as i64);
        }
    }

    pub fn on_new_leader(&mut self, ctx: &mut C<'_>, from: NodeId, epoch: u64, last: u64) {
        if self.heard_leader(ctx, from, epoch, Some(last)) {
            self.followers.clear();
            ctx.note(format!("following s{} in epoch {epoch}", from.0 + 1));
            ctx.send(from, ReplMsg::Ack { epoch, applied: self.last() });
        }
    }
}
