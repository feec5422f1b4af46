//! A D10 replica: one per region. The primary orders writes and ships its state in batches; the
//! others forward what they cannot serve, watch the primary's heartbeats and take over in the
//! configured order.

use super::node::{MrMsg, MrTimer, Reply};
use super::{MultiRegionConfig, ReadMode};
use crate::ids::NodeId;
use crate::node::Ctx;
use crate::time::{SimDuration, SimTime};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

type C<'a> = Ctx<'a, MrMsg, MrTimer>;

/// A version: the primary's epoch, then a sequence number within that epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tag {
    pub epoch: u64,
    pub seq: u64,
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "v{}.{}", self.epoch, self.seq)
    }
}

/// The state a primary ships: its epoch, where that epoch forked off, and the register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shipped {
    pub epoch: u64,
    pub fork: Tag,
    pub tag: Tag,
    pub value: Option<i64>,
}

/// Forwarded operations kept at most (older ones are forgotten; their clients time out).
const MAX_FORWARDS: usize = 4096;
/// Writes a primary remembers having served, to answer a duplicate again (older ones are
/// forgotten: a duplicate that late would be applied again).
const MAX_SERVED: usize = 4096;

#[derive(Clone, Debug)]
pub struct Replica {
    cfg: Arc<MultiRegionConfig>,
    /// This replica's region index (= its node id).
    pub region: u32,
    names: Vec<String>,
    // Durable: survives a crash.
    pub epoch: u64,
    /// Region index of the primary this replica follows (itself when primary).
    pub primary: u32,
    /// Where this epoch's count of lost writes starts: the newest version of the previous epoch
    /// its primary knew had been acknowledged when it took over (its own copy, or the version the
    /// old primary's last heartbeat named). The old primary counts, when it hears of this epoch,
    /// the writes it acknowledged past it; the new primary counted those it lacked up to it.
    pub fork: Tag,
    pub tag: Tag,
    pub value: Option<i64>,
    /// The newest version this replica assigned as primary.
    own_last: Tag,
    /// The newest version the primary of its epoch said (in a heartbeat) it had acknowledged.
    heard_last: Tag,
    started: bool,
    // Volatile.
    pub leading: bool,
    /// When the primary sent the newest heartbeat this replica received (primary's clock).
    pub last_sign_of_life: SimTime,
    /// Adopt the primary's next shipped state whatever its version (after an epoch change).
    resync: bool,
    forwards: BTreeMap<u64, (NodeId, u64)>,
    next_fwd: u64,
    /// Forwards numbered below this were forgotten (an epoch change, a crash, too many in flight):
    /// an answer to one of them is not a copy of an answer passed on.
    forgotten_below: u64,
    /// The writes this replica served as primary, by (client, operation), with its answer: a
    /// duplicate of one (the network's copy of a `ClientWrite` or `Forward`) is answered again,
    /// not applied again — applied late, it would bring back a value newer writes replaced.
    served: BTreeMap<(NodeId, u64), Reply>,
    served_order: VecDeque<(NodeId, u64)>,
}

impl Replica {
    pub fn new(cfg: Arc<MultiRegionConfig>, region: u32, names: Vec<String>) -> Self {
        Replica {
            cfg,
            region,
            names,
            epoch: 0,
            primary: 0,
            fork: Tag::default(),
            tag: Tag::default(),
            value: None,
            own_last: Tag::default(),
            heard_last: Tag::default(),
            started: false,
            leading: false,
            last_sign_of_life: SimTime::default(),
            resync: false,
            forwards: BTreeMap::new(),
            forgotten_below: 0,
            next_fwd: 0,
            served: BTreeMap::new(),
            served_order: VecDeque::new(),
        }
    }

    pub fn region_name(&self, r: u32) -> &str {
        self.names.get(r as usize).map_or("?", String::as_str)
    }

    fn rank(&self, region: u32) -> u32 {
        self.cfg.order.iter().position(|r| *r == region).map_or(0, |p| p as u32)
    }

    /// This replica's distance after the primary in the failover order: 1 for the next region,
    /// a whole round (the number of regions) for the primary itself.
    fn distance(&self) -> u64 {
        let n = self.cfg.order.len().max(1) as u32;
        let d = (self.rank(self.region) + n - self.rank(self.primary)) % n;
        u64::from(if d == 0 { n } else { d })
    }

    /// How long without heartbeats before this replica takes over: its distance after the
    /// primary times `failover_after_ms`.
    fn patience(&self) -> SimDuration {
        SimDuration::from_ms(self.cfg.failover_after_ms * self.distance())
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        self.last_sign_of_life = ctx.now();
        if !self.started {
            self.started = true;
            ctx.declare_gauge("failover_ms");
            self.epoch = 1;
            self.primary = self.cfg.order.first().copied().unwrap_or(0);
            if self.primary == self.region {
                self.lead(ctx);
                return;
            }
        } else {
            ctx.note("restarted: waiting for the primary's heartbeat before doing anything as primary");
        }
        ctx.set_timer(MrTimer::Silence, self.patience());
    }

    pub fn crash(&mut self) {
        self.leading = false;
        self.resync = false;
        self.forget_forwards();
        self.served.clear();
        self.served_order.clear();
    }

    fn lead(&mut self, ctx: &mut C<'_>) {
        self.leading = true;
        self.primary = self.region;
        ctx.cancel_timer(MrTimer::Silence);
        self.on_heartbeat_timer(ctx);
        ctx.set_timer(MrTimer::Replicate, SimDuration::from_ms(self.cfg.replicate_ms));
    }

    fn peers(&self) -> Vec<NodeId> {
        (0..self.names.len() as u32).filter(|r| *r != self.region).map(NodeId).collect()
    }

    pub fn on_heartbeat_timer(&mut self, ctx: &mut C<'_>) {
        if !self.leading {
            return;
        }
        for p in self.peers() {
            let (epoch, fork, last, sent_us) = (self.epoch, self.fork, self.tag, ctx.now().as_us());
            ctx.send(p, MrMsg::Heartbeat { epoch, fork, last, sent_us });
        }
        ctx.set_timer(MrTimer::Heartbeat, SimDuration::from_ms(self.cfg.heartbeat_ms));
    }

    /// Asynchronous replication: one batch per period carrying the latest state.
    pub fn on_replicate_timer(&mut self, ctx: &mut C<'_>) {
        if !self.leading {
            return;
        }
        let s = Shipped { epoch: self.epoch, fork: self.fork, tag: self.tag, value: self.value };
        for p in self.peers() {
            ctx.send(p, MrMsg::Replicate(s));
        }
        ctx.set_timer(MrTimer::Replicate, SimDuration::from_ms(self.cfg.replicate_ms));
    }

    /// No heartbeat for `patience()`: take over as primary of a new epoch. The epoch goes up by
    /// this replica's distance after the primary, so epoch `k` only ever belongs to the region at
    /// rank `(k − 1) mod n` in the failover order (as Paxos numbers ballots): two regions that
    /// take over without hearing each other (a cut, lost heartbeats) lead different epochs, and
    /// when they hear each other the higher one wins. Were both to lead the same epoch, each
    /// would ignore the other's claim for ever.
    pub fn on_silence(&mut self, ctx: &mut C<'_>) {
        if self.leading {
            return;
        }
        let silent = ctx.now().since(self.last_sign_of_life);
        let old = self.region_name(self.primary).to_string();
        self.count_lost_at_takeover(ctx, &old);
        self.epoch += self.distance();
        self.forget_forwards();
        ctx.count("failovers", 1);
        ctx.gauge("failover_ms", (silent.as_us() / 1000) as i64);
        ctx.note(format!(
            "taking over: {old}'s last heartbeat was sent {} ms ago; primary of epoch {} from version {}",
            silent.as_us() / 1000,
            self.epoch,
            self.tag
        ));
        self.lead(ctx);
    }

    /// Taking over: the writes the old primary said it had acknowledged (its last heartbeat's
    /// version) that this replica lacks are lost now, whether or not the old region ever comes
    /// back (review 58 B5: they were counted only when it did). The new epoch's `fork` says up to
    /// where they were counted.
    fn count_lost_at_takeover(&mut self, ctx: &mut C<'_>, old: &str) {
        let known =
            if self.heard_last.epoch == self.epoch { self.heard_last.max(self.tag) } else { self.tag };
        let have = if self.tag.epoch == known.epoch { self.tag.seq } else { 0 };
        if known.epoch == self.epoch && known.seq > have {
            let lost = known.seq - have;
            ctx.count("lost_writes", lost);
            ctx.note(format!(
                "{old} had acknowledged writes up to {known}; I have {}: {lost} acknowledged writes are lost",
                self.tag
            ));
        }
        self.fork = known;
    }

    /// Someone runs a newer epoch: follow its primary, count the writes this replica acknowledged
    /// as primary that the new epoch never got.
    fn adopt_epoch(&mut self, ctx: &mut C<'_>, epoch: u64, primary: u32, fork: Tag) {
        if self.own_last.epoch == fork.epoch && self.own_last.seq > fork.seq {
            let lost = self.own_last.seq - fork.seq;
            ctx.count("lost_writes", lost);
            ctx.note(format!(
                "epoch {epoch} counted its losses up to {fork}: {lost} more acknowledged writes up to {} were never replicated and are lost",
                self.own_last
            ));
        }
        if !self.leading {
            ctx.note(format!("following {}, primary of epoch {epoch}", self.region_name(primary)));
        } else {
            ctx.note(format!("stepping down: {} is primary of epoch {epoch}", self.region_name(primary)));
            ctx.cancel_timer(MrTimer::Heartbeat);
            ctx.cancel_timer(MrTimer::Replicate);
        }
        self.leading = false;
        self.epoch = epoch;
        self.primary = primary;
        self.fork = fork;
        self.resync = true;
        self.forget_forwards();
    }

    /// `Heartbeat` (no state) or `Replicate` (state) from a replica that believes it is primary.
    /// `claim`: its (epoch, fork, newest version acknowledged).
    pub fn on_primary_msg(
        &mut self,
        ctx: &mut C<'_>,
        from: NodeId,
        claim: (u64, Tag, Tag),
        state: Option<Shipped>,
    ) {
        let (epoch, fork, last) = claim;
        if epoch < self.epoch {
            ctx.note(format!(
                "ignored message of old epoch {epoch}: telling the sender about epoch {}",
                self.epoch
            ));
            let msg = MrMsg::NewEpoch { epoch: self.epoch, primary: self.primary, fork: self.fork };
            ctx.send(from, msg);
            return;
        }
        if epoch > self.epoch {
            self.adopt_epoch(ctx, epoch, from.0, fork);
        } else if from.0 != self.primary || self.leading {
            ctx.note(format!(
                "ignored: {} claims epoch {epoch}, which already has a primary",
                self.region_name(from.0)
            ));
            return;
        }
        ctx.set_timer(MrTimer::Silence, self.patience());
        if last.epoch == self.epoch {
            self.heard_last = self.heard_last.max(last);
        }
        if let Some(s) = state {
            if s.tag > self.tag || self.resync {
                self.tag = s.tag;
                self.value = s.value;
                self.resync = false;
            }
        }
    }

    pub fn on_new_epoch(&mut self, ctx: &mut C<'_>, epoch: u64, primary: u32, fork: Tag) {
        if epoch <= self.epoch {
            return;
        }
        self.adopt_epoch(ctx, epoch, primary, fork);
        ctx.set_timer(MrTimer::Silence, self.patience());
    }

    /// A client of this region: serve, or forward to the primary.
    pub fn on_client(&mut self, ctx: &mut C<'_>, client: NodeId, op: u64, write: Option<i64>) {
        if write.is_none() && self.cfg.reads == ReadMode::Nearest {
            ctx.send(
                client,
                MrMsg::ClientReply { op, reply: Reply::Read { tag: self.tag, value: self.value } },
            );
        } else if self.leading {
            let reply = self.serve(ctx, write, (client, op));
            ctx.send(client, MrMsg::ClientReply { op, reply });
        } else if self.primary == self.region {
            ctx.note("dropped a client operation: no primary known yet");
        } else {
            self.next_fwd += 1;
            if self.forwards.len() >= MAX_FORWARDS {
                let oldest = self.forwards.pop_first().map_or(0, |(fwd, _)| fwd);
                self.forgotten_below = self.forgotten_below.max(oldest + 1);
            }
            self.forwards.insert(self.next_fwd, (client, op));
            ctx.send(NodeId(self.primary), MrMsg::Forward { fwd: self.next_fwd, write, client, op });
        }
    }

    /// Serve `origin`'s operation (client, operation id) as the primary.
    fn serve(&mut self, ctx: &mut C<'_>, write: Option<i64>, origin: (NodeId, u64)) -> Reply {
        let Some(v) = write else {
            return Reply::Read { tag: self.tag, value: self.value };
        };
        if let Some(&reply) = self.served.get(&origin) {
            ctx.note(format!(
                "a duplicate of a write already served (value {v}): answered again, not applied"
            ));
            return reply;
        }
        let seq = if self.tag.epoch == self.epoch { self.tag.seq + 1 } else { 1 };
        self.tag = Tag { epoch: self.epoch, seq };
        self.value = Some(v);
        self.own_last = self.tag;
        ctx.count_here("writes_coordinated", 1);
        let reply = Reply::Written { tag: self.tag };
        if self.served_order.len() >= MAX_SERVED {
            if let Some(old) = self.served_order.pop_front() {
                self.served.remove(&old);
            }
        }
        self.served.insert(origin, reply);
        self.served_order.push_back(origin);
        reply
    }

    pub fn on_forward(
        &mut self,
        ctx: &mut C<'_>,
        from: NodeId,
        fwd: u64,
        write: Option<i64>,
        origin: (NodeId, u64),
    ) {
        if !self.leading {
            ctx.note("ignored Forward: not the primary (any more)");
            return;
        }
        let reply = self.serve(ctx, write, origin);
        ctx.send(from, MrMsg::ForwardReply { fwd, reply });
    }

    pub fn on_forward_reply(&mut self, ctx: &mut C<'_>, fwd: u64, reply: Reply) {
        match self.forwards.remove(&fwd) {
            Some((client, op)) => ctx.send(client, MrMsg::ClientReply { op, reply }),
            None if fwd < self.forgotten_below => {
                ctx.note("ignored ForwardReply: its request was forgotten (an epoch change, a crash, or too many in flight)")
            }
            // Once said to be "forgotten after an epoch change" when no epoch had changed.
            None => ctx.ignored("duplicate_replies", "ignored ForwardReply: a copy of an answer already passed on"),
        }
    }

    /// Forget the forwards in flight: their answers will be ignored.
    fn forget_forwards(&mut self) {
        self.forwards.clear();
        self.forgotten_below = self.next_fwd + 1;
    }
}
