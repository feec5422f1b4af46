//! The roles of D5: two servers (primary and backup), three lease witnesses, clients.

use super::client::Client;
use super::{FailoverMode, SplitBrainConfig};
use crate::blocks::Generator;
use crate::ids::NodeId;
use crate::node::{Ctx, Kind, Node, Shape};
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;

pub const ONE_PRIMARY: &str = "at most one primary accepting writes";
const WITNESSES: [NodeId; 3] = [NodeId(2), NodeId(3), NodeId(4)];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SbMsg {
    Heartbeat {
        epoch: u64,
        since: SimTime,
    },
    LeaseRequest {
        round: u64,
    },
    LeaseGrant {
        round: u64,
    },
    LeaseDenied {
        round: u64,
    },
    Write {
        id: u64,
    },
    Ack {
        id: u64,
    },
    /// A primary without a lease refuses writes.
    Rejected {
        id: u64,
    },
    NotPrimary {
        id: u64,
    },
}

impl Kind for SbMsg {
    const KINDS: &'static [&'static str] =
        &["Heartbeat", "LeaseRequest", "LeaseGrant", "LeaseDenied", "Write", "Ack", "Rejected", "NotPrimary"];

    fn kind(&self) -> &'static str {
        match self {
            SbMsg::Heartbeat { .. } => "Heartbeat",
            SbMsg::LeaseRequest { .. } => "LeaseRequest",
            SbMsg::LeaseGrant { .. } => "LeaseGrant",
            SbMsg::LeaseDenied { .. } => "LeaseDenied",
            SbMsg::Write { .. } => "Write",
            SbMsg::Ack { .. } => "Ack",
            SbMsg::Rejected { .. } => "Rejected",
            SbMsg::NotPrimary { .. } => "NotPrimary",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SbTimer {
    Heartbeat,
    Failover,
    Renew,
    LeaseExpiry,
    Next,
    Timeout(u64),
    /// Closed loop: the pause after write `id` before the next one.
    Think(u64),
}

impl Kind for SbTimer {
    fn kind(&self) -> &'static str {
        match self {
            SbTimer::Heartbeat => "Heartbeat",
            SbTimer::Failover => "Failover",
            SbTimer::Renew => "Renew",
            SbTimer::LeaseExpiry => "LeaseExpiry",
            SbTimer::Next => "Next",
            SbTimer::Timeout(_) => "Timeout",
            SbTimer::Think(_) => "Think",
        }
    }
}

pub(super) type C<'a> = Ctx<'a, SbMsg, SbTimer>;

#[derive(Clone, Debug)]
pub struct Server {
    mode: FailoverMode,
    me: u32,
    hb: SimDuration,
    failover: SimDuration,
    lease: SimDuration,
    pub primary: bool,
    epoch: u64,
    since: SimTime,
    lease_until: Option<SimTime>,
    round: u64,
    /// The rounds asked for whose lease could still run: (round, when asked, the distinct
    /// witnesses that granted it, so a duplicated `LeaseGrant` cannot make a majority of one).
    /// A grant of an earlier round still counts (review 58 B4): its lease runs from when that
    /// round was asked, so a round trip longer than the renewal period is no outage.
    rounds: Vec<(u64, SimTime, Vec<NodeId>)>,
    accepted: Vec<SimTime>,
    /// The time of the last input it handled: `check` and `view` are given no clock.
    seen: SimTime,
    /// Crashed and not restarted: `primary` is kept (the naive primary comes back believing it),
    /// but a server that is down accepts nothing and its view must not say it does.
    down: bool,
}

#[derive(Clone, Debug)]
pub struct Witness {
    lease: SimDuration,
    holder: Option<(NodeId, SimTime)>,
    /// Crashed since it started: the holder it forgot may still hold a lease it granted.
    forgot: bool,
    /// After a restart, no grant before this time: any lease granted before the crash has run out.
    quiet_until: Option<SimTime>,
}

#[derive(Clone, Debug)]
pub enum SbNode {
    Server(Server),
    Witness(Witness),
    Client(Client),
}

impl SbNode {
    pub fn server(cfg: &SplitBrainConfig, me: u32) -> Self {
        SbNode::Server(Server {
            mode: cfg.mode,
            me,
            hb: SimDuration::from_ms(cfg.heartbeat_ms),
            failover: SimDuration::from_ms(cfg.failover_ms),
            lease: SimDuration::from_ms(cfg.lease_ms),
            primary: me == 0,
            epoch: 1,
            since: SimTime::ZERO,
            lease_until: None,
            round: 0,
            rounds: Vec::new(),
            accepted: Vec::new(),
            seen: SimTime::ZERO,
            down: false,
        })
    }
    pub fn witness(lease_ms: u64) -> Self {
        SbNode::Witness(Witness {
            lease: SimDuration::from_ms(lease_ms),
            holder: None,
            forgot: false,
            quiet_until: None,
        })
    }
    pub fn client(gen: Generator, target: u32) -> Self {
        SbNode::Client(Client::new(gen, target))
    }
}

pub(super) fn name(server: u32) -> String {
    format!("p{}", server + 1)
}

impl Server {
    /// A primary accepts writes at `now` in naive mode, or while its lease runs: a lease that ran
    /// out while it was paused, its `LeaseExpiry` not handled yet, is no lease (review 58 B3).
    pub fn accepting(&self, now: SimTime) -> bool {
        self.primary && (self.mode == FailoverMode::Naive || self.lease_until.is_some_and(|u| now < u))
    }
    fn peer(&self) -> NodeId {
        NodeId(1 - self.me)
    }

    fn init(&mut self, ctx: &mut C<'_>) {
        self.down = false;
        self.seen = ctx.now();
        if self.primary {
            self.on_heartbeat_timer(ctx);
            if self.mode == FailoverMode::Quorum {
                self.renew(ctx);
            }
        } else {
            ctx.set_timer(SbTimer::Failover, self.failover);
        }
    }

    fn on_heartbeat_timer(&mut self, ctx: &mut C<'_>) {
        if self.primary {
            ctx.send(self.peer(), SbMsg::Heartbeat { epoch: self.epoch, since: self.since });
            ctx.set_timer(SbTimer::Heartbeat, self.hb);
        }
    }

    fn renew(&mut self, ctx: &mut C<'_>) {
        self.round += 1;
        let (now, lease) = (ctx.now(), self.lease);
        self.rounds.retain(|(_, asked, _)| *asked + lease > now);
        self.rounds.push((self.round, now, Vec::new()));
        for w in WITNESSES {
            ctx.send(w, SbMsg::LeaseRequest { round: self.round });
        }
        ctx.set_timer(SbTimer::Renew, SimDuration(self.lease.as_us() / 3));
    }

    /// A grant of any round still asked for. Its lease runs from when the round was asked, so it
    /// stops before the witness would grant to another; one that has already run out (the holder
    /// was paused) grants nothing (review 58 B3), and a shorter one than held changes nothing.
    fn on_grant(&mut self, ctx: &mut C<'_>, from: NodeId, round: u64) {
        let now = ctx.now();
        let Some((_, asked, granted)) = self.rounds.iter_mut().find(|(r, _, _)| *r == round) else {
            return;
        };
        if granted.contains(&from) {
            return;
        }
        granted.push(from);
        let until = *asked + self.lease;
        if granted.len() != 2 {
            return;
        }
        if until <= now {
            let at = until.as_ms_f64() / 1000.0;
            ctx.note(format!("{}: round {round}'s lease ran out at {at:.6} s: ignored", name(self.me)));
            return;
        }
        if self.lease_until.is_some_and(|u| u >= until && now < u) {
            return;
        }
        self.lease_until = Some(until);
        ctx.set_timer(SbTimer::LeaseExpiry, until.since(now));
        if !self.primary {
            self.promote(ctx, "a majority of witnesses granted the lease");
        }
    }

    fn on_lease_expiry(&mut self, ctx: &mut C<'_>) {
        if self.lease_until.is_some_and(|u| u <= ctx.now()) {
            self.lease_until = None;
            ctx.note(format!("{}: lease expired, refusing writes", name(self.me)));
        }
    }

    fn promote(&mut self, ctx: &mut C<'_>, why: &str) {
        self.primary = true;
        self.epoch += 1;
        self.since = ctx.now();
        ctx.count("promotions", 1);
        ctx.note(format!("{} promoted itself to primary (epoch {}): {why}", name(self.me), self.epoch));
        self.on_heartbeat_timer(ctx);
    }

    fn on_failover(&mut self, ctx: &mut C<'_>) {
        if self.primary {
            return;
        }
        match self.mode {
            FailoverMode::Naive => self.promote(ctx, "no heartbeat"),
            FailoverMode::Quorum => {
                ctx.note(format!("{}: no heartbeat; asking the witnesses for the lease", name(self.me)));
                self.renew(ctx);
            }
        }
    }

    fn on_peer_heartbeat(&mut self, ctx: &mut C<'_>, epoch: u64, since: SimTime) {
        let peer_wins = epoch > self.epoch || (epoch == self.epoch && self.me > 1 - self.me);
        if self.primary && peer_wins {
            let conflicting = self.accepted.iter().filter(|&&t| t >= since).count() as u64;
            ctx.count("conflicting_writes", conflicting);
            let (me, peer) = (name(self.me), name(1 - self.me));
            let conflict = match conflicting {
                0 => format!("{me} accepted no writes after that, so none conflict"),
                1 => format!("the 1 write {me} accepted after that conflicts"),
                n => format!("the {n} writes {me} accepted after that conflict"),
            };
            let from = since.as_ms_f64() / 1000.0;
            ctx.note(format!(
                "{me} steps down: {peer} has been primary of epoch {epoch} since {from:.2} s; {conflict}"
            ));
            self.primary = false;
            self.lease_until = None;
            ctx.cancel_timer(SbTimer::Heartbeat);
            ctx.cancel_timer(SbTimer::LeaseExpiry);
        }
        if !self.primary {
            self.epoch = self.epoch.max(epoch);
            // A primary is alive: stop asking for the lease, and let no late grant of the round
            // in flight promote this server — it would lead with no `Renew` running, its lease
            // would run out for good, and no server would accept writes again.
            self.rounds.clear();
            ctx.cancel_timer(SbTimer::Renew);
            ctx.set_timer(SbTimer::Failover, self.failover);
        }
    }

    fn on_write(&mut self, ctx: &mut C<'_>, from: NodeId, id: u64) {
        if self.accepting(ctx.now()) {
            self.accepted.push(ctx.now());
            ctx.count_here("writes_accepted", 1);
            ctx.send(from, SbMsg::Ack { id });
        } else if self.primary {
            ctx.send(from, SbMsg::Rejected { id });
        } else {
            ctx.send(from, SbMsg::NotPrimary { id });
        }
    }
}

impl Witness {
    /// On a restart the witness has forgotten whom it granted the lease to, and that holder may
    /// still count on it for up to `lease_ms`: granting to someone else now could make two
    /// majorities. So it grants nothing for `lease_ms` (Gray & Cheriton; E6's lock service).
    fn init(&mut self, ctx: &mut C<'_>) {
        if !self.forgot {
            return;
        }
        let until = ctx.now() + self.lease;
        self.quiet_until = Some(until);
        ctx.note(format!(
            "witness restarted: it forgot whom it granted the lease to, so it grants nothing for {} ms",
            self.lease.as_us() / 1000
        ));
    }

    fn on_request(&mut self, ctx: &mut C<'_>, from: NodeId, round: u64) {
        let now = ctx.now();
        if self.quiet_until.is_some_and(|t| now < t) {
            ctx.send(from, SbMsg::LeaseDenied { round });
            return;
        }
        let free = match self.holder {
            None => true,
            Some((h, until)) => h == from || until <= now,
        };
        if free {
            self.holder = Some((from, now + self.lease));
            ctx.send(from, SbMsg::LeaseGrant { round });
        } else {
            ctx.send(from, SbMsg::LeaseDenied { round });
        }
    }
}

impl Node for SbNode {
    type Msg = SbMsg;
    type Timer = SbTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["conflicting_writes", "rejected_writes", "errors", "timeouts"]);
        // Everything each role may record, listed for the run report from the start (review 27 B2).
        match self {
            SbNode::Server(_) => {
                ctx.reports(Shape::Counter, &["promotions", "conflicting_writes"]);
                ctx.reports_here(Shape::Counter, &["writes_accepted"]);
            }
            SbNode::Client(_) => {
                let writes = ["writes", "acked_writes", "rejected_writes", "errors", "timeouts"];
                ctx.reports(Shape::Counter, &writes);
                ctx.reports(Shape::Histogram, &["latency_ms"]);
            }
            SbNode::Witness(_) => {}
        }
        match self {
            SbNode::Server(s) => s.init(ctx),
            SbNode::Client(c) => c.init(ctx),
            SbNode::Witness(w) => w.init(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: SbMsg) {
        if let SbNode::Server(s) = self {
            s.seen = ctx.now();
        }
        match (self, msg) {
            (SbNode::Server(s), SbMsg::Heartbeat { epoch, since }) => s.on_peer_heartbeat(ctx, epoch, since),
            (SbNode::Server(s), SbMsg::LeaseGrant { round }) => s.on_grant(ctx, from, round),
            (SbNode::Server(_), SbMsg::LeaseDenied { .. }) => {}
            (SbNode::Server(s), SbMsg::Write { id }) => s.on_write(ctx, from, id),
            (SbNode::Witness(w), SbMsg::LeaseRequest { round }) => w.on_request(ctx, from, round),
            (SbNode::Client(c), m) => c.on_reply(ctx, m),
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: SbTimer) {
        if let SbNode::Server(s) = self {
            s.seen = ctx.now();
        }
        match (self, timer) {
            (SbNode::Server(s), SbTimer::Heartbeat) => s.on_heartbeat_timer(ctx),
            (SbNode::Server(s), SbTimer::Failover) => s.on_failover(ctx),
            (SbNode::Server(s), SbTimer::Renew) => s.renew(ctx),
            (SbNode::Server(s), SbTimer::LeaseExpiry) => s.on_lease_expiry(ctx),
            (SbNode::Client(c), t) => c.on_timer(ctx, t),
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    fn on_crash(&mut self) {
        match self {
            SbNode::Server(s) => {
                s.lease_until = None;
                s.rounds.clear();
                s.down = true;
            }
            SbNode::Witness(w) => {
                w.holder = None;
                w.forgot = true;
            }
            SbNode::Client(c) => c.crash(),
        }
    }

    fn view(&self) -> NodeView {
        match self {
            SbNode::Server(s) => {
                let role = if s.primary { "primary" } else { "backup" };
                let mut v = NodeView::new(role, format!("epoch {}", s.epoch))
                    .field("epoch", s.epoch)
                    .field("writes accepted", s.accepted.len())
                    .field("lease", if s.lease_until.is_some_and(|u| s.seen < u) { "held" } else { "-" });
                if s.accepting(s.seen) && !s.down {
                    v = v.badge("accepting");
                }
                v
            }
            SbNode::Witness(w) => {
                let holder = w.holder.map_or("-".into(), |(h, _)| name(h.0));
                NodeView::new("witness", format!("lease: {holder}")).field("holder", holder)
            }
            SbNode::Client(c) => c.view(),
        }
    }

    fn invariants(_nodes: &[Self]) -> &'static [&'static str] {
        &[ONE_PRIMARY]
    }

    const GLOBAL_CHECK: bool = true;
    fn check(nodes: &[Self], up: &[bool], out: &mut Vec<(&'static str, String)>) {
        // The latest time a server has seen: never after now, and a lease that ran out before
        // it has run out now (a paused primary's lease, its expiry not handled yet).
        let now = nodes.iter().filter_map(|n| match n {
            SbNode::Server(s) => Some(s.seen),
            _ => None,
        });
        let now = now.max().unwrap_or_default();
        let accepting: Vec<String> = nodes
            .iter()
            .zip(up)
            .filter_map(|(n, &u)| match n {
                SbNode::Server(s) if u && s.accepting(now) => Some(name(s.me)),
                _ => None,
            })
            .collect();
        if accepting.len() > 1 {
            out.push((ONE_PRIMARY, format!("{} accept writes at once", accepting.join(" and "))));
        }
    }
}
