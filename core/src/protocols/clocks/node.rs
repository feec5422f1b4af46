//! D6 processes: every event ticks a Lamport clock and a vector clock and annotates the trace;
//! the bank application broadcasts "account created" and "payment", optionally causally ordered.

use super::vclock::{Lamport, VectorClock};
use super::{ClocksApp, ClocksConfig};
use crate::ids::NodeId;
use crate::node::{Ctx, Kind, Node, RequestField, RequestForm, Shape};
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;
use std::collections::BTreeSet;
use std::sync::Arc;

/// What a bank broadcast says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    AccountCreated { account: u64 },
    Payment { account: u64, amount: u64 },
}

/// A broadcast with its causal dependencies: `deps[k]` = broadcasts from `k` delivered at the
/// sender before this one (and `deps[sender]` = this broadcast's number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broadcast {
    pub sender: u32,
    pub deps: Vec<u64>,
    pub body: Body,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClockMsg {
    Ping {
        lamport: u64,
        vc: VectorClock,
    },
    Bcast {
        lamport: u64,
        vc: VectorClock,
        b: Box<Broadcast>,
    },
    /// "Send me your broadcasts `#first` to `#last` again": a receiver missing them. A message
    /// like any other, so its send and receive are events with clocks.
    Resend {
        lamport: u64,
        vc: VectorClock,
        first: u64,
        last: u64,
    },
}

impl Kind for ClockMsg {
    const KINDS: &'static [&'static str] = &["Ping", "AccountCreated", "Payment", "Resend"];

    fn kind(&self) -> &'static str {
        match self {
            ClockMsg::Ping { .. } => "Ping",
            ClockMsg::Bcast { b, .. } => match b.body {
                Body::AccountCreated { .. } => "AccountCreated",
                Body::Payment { .. } => "Payment",
            },
            ClockMsg::Resend { .. } => "Resend",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClockTimer {
    /// Gossip: the next local event or send. Bank (p1): the next account.
    Event,
    /// Bank with causal delivery: a broadcast has been held back `repair_after_ms`; ask for
    /// what it waits on.
    Repair,
}

impl Kind for ClockTimer {
    fn kind(&self) -> &'static str {
        match self {
            ClockTimer::Event => "Event",
            ClockTimer::Repair => "Repair",
        }
    }
}

type C<'a> = Ctx<'a, ClockMsg, ClockTimer>;

/// One process. Clocks, the application state and the broadcasts it sent are durable; the
/// hold-back queue is not.
#[derive(Clone, Debug)]
pub struct Process {
    cfg: Arc<ClocksConfig>,
    index: u32,
    pub lamport: Lamport,
    pub vc: VectorClock,
    /// Broadcasts delivered to the application, per sender.
    pub delivered: Vec<u64>,
    /// Broadcasts received but held back until their dependencies are delivered (with arrival time).
    pub held: Vec<(Broadcast, SimTime)>,
    /// Its own broadcasts, `#1` first: what it resends to a receiver that lost one (kept only
    /// when receivers may ask, causal delivery with repair).
    sent: Vec<Broadcast>,
    pub accounts: BTreeSet<u64>,
    pub payments: u64,
    next_account: u64,
}

impl Process {
    pub fn new(cfg: Arc<ClocksConfig>, index: u32) -> Self {
        let n = cfg.processes;
        Process {
            cfg,
            index,
            lamport: Lamport::default(),
            vc: VectorClock::new(n),
            delivered: vec![0; n as usize],
            held: Vec::new(),
            sent: Vec::new(),
            accounts: BTreeSet::new(),
            payments: 0,
            next_account: 0,
        }
    }

    fn stamp(&self, ctx: &mut C<'_>, what: &str) {
        ctx.clock(format!("L={} V={} {what}", self.lamport.0, self.vc));
    }

    /// A local event or a send: both clocks tick.
    fn tick(&mut self, ctx: &C<'_>) {
        self.lamport.tick();
        self.vc.tick(ctx.id().0);
    }

    fn generating(&self, ctx: &C<'_>) -> bool {
        self.cfg.events_until_ms == 0 || ctx.now() < SimTime::from_ms(self.cfg.events_until_ms)
    }

    fn schedule(&self, ctx: &mut C<'_>) {
        let mean = self.cfg.event_every_ms as f64 * 1000.0;
        let gap = match self.cfg.app {
            ClocksApp::Gossip => (-mean * libm::log(ctx.rng().next_f64_open0())).max(1.0) as u64,
            ClocksApp::Bank => mean as u64,
        };
        ctx.set_timer(ClockTimer::Event, SimDuration(gap));
    }

    fn on_gossip_event(&mut self, ctx: &mut C<'_>) {
        let n = u64::from(self.cfg.processes);
        if ctx.rng().below(1000) < u64::from(self.cfg.send_permille) {
            let me = u64::from(ctx.id().0);
            let to = NodeId(((me + 1 + ctx.rng().below(n - 1)) % n) as u32);
            self.send_ping(ctx, to);
        } else {
            self.local_event(ctx);
        }
    }

    /// A send event: both clocks tick, and the `Ping` carries them.
    fn send_ping(&mut self, ctx: &mut C<'_>, to: NodeId) {
        self.tick(ctx);
        ctx.send(to, ClockMsg::Ping { lamport: self.lamport.0, vc: self.vc.clone() });
        ctx.count("sends", 1);
        self.stamp(ctx, &format!("send to p{}", to.0 + 1));
    }

    fn local_event(&mut self, ctx: &mut C<'_>) {
        self.tick(ctx);
        ctx.count("local_events", 1);
        self.stamp(ctx, "local");
    }

    /// The process a scripted `send` names (`p2`), if it is another one of this run's.
    fn peer_named(&self, me: NodeId, key: Option<&str>) -> Option<NodeId> {
        let k: u32 = key?.trim().strip_prefix('p')?.parse().ok()?;
        (1..=self.cfg.processes).contains(&k).then(|| NodeId(k - 1)).filter(|&to| to != me)
    }

    fn bad_peer(&self, key: Option<&str>) -> String {
        format!("send to {:?}: name another process, p1 to p{}", key.unwrap_or(""), self.cfg.processes)
    }

    /// A receive event: merge, tick, and say how the send relates to this process's last event.
    fn on_receive(&mut self, ctx: &mut C<'_>, from: NodeId, lamport: u64, vc: &VectorClock) {
        let before = (self.lamport.0, self.vc.clone());
        self.lamport.receive(lamport);
        self.vc.merge(vc);
        self.vc.tick(ctx.id().0);
        self.stamp(ctx, &format!("receive from p{}", from.0 + 1));
        if vc.concurrent(&before.1) {
            ctx.count("concurrent_receipts", 1);
            ctx.note(format!(
                "the send V={vc} and my previous event V={} are concurrent (∥): neither happened before the other",
                before.1
            ));
            if lamport != before.0 {
                ctx.count("lamport_false_order", 1);
            }
        } else {
            ctx.count("ordered_receipts", 1);
        }
    }

    fn broadcast(&mut self, ctx: &mut C<'_>, body: Body) {
        let me = ctx.id().0;
        self.tick(ctx);
        self.delivered[me as usize] += 1;
        self.apply(ctx, me, body);
        ctx.count("broadcasts", 1);
        let b = Broadcast { sender: me, deps: self.delivered.clone(), body };
        for p in (0..self.cfg.processes).filter(|p| *p != me) {
            let msg =
                ClockMsg::Bcast { lamport: self.lamport.0, vc: self.vc.clone(), b: Box::new(b.clone()) };
            ctx.send(NodeId(p), msg);
        }
        self.stamp(ctx, &format!("broadcast {}", describe(body)));
        if self.repairs() {
            self.sent.push(b);
        }
    }

    /// Receivers ask for what they miss (and senders keep what they sent for them).
    fn repairs(&self) -> bool {
        self.cfg.causal_delivery && self.cfg.repair_after_ms > 0
    }

    /// Ask each sender for the broadcasts the held ones wait on and this process lacks: from the
    /// next one it would deliver to the last one a held broadcast depends on. A broadcast lost
    /// with nothing later depending on it is not noticed: nothing says it exists.
    fn ask_for_missing(&mut self, ctx: &mut C<'_>) {
        let me = ctx.id().0 as usize;
        for k in (0..self.delivered.len()).filter(|&k| k != me) {
            let needs = |(b, _): &(Broadcast, SimTime)| {
                let d = b.deps.get(k).copied().unwrap_or(0);
                if b.sender as usize == k {
                    d.saturating_sub(1)
                } else {
                    d
                }
            };
            let last = self.held.iter().map(needs).max().unwrap_or(0);
            let first = self.delivered[k] + 1;
            if last < first {
                continue;
            }
            let waited = self.held.iter().map(|(_, since)| ctx.now().since(*since)).max().unwrap_or_default();
            ctx.count_here("resend_requests", 1);
            ctx.note(format!(
                "{} held back (the oldest for {} ms) wait on p{k1}'s broadcast{}: asking p{k1} again",
                self.held.len(),
                waited.as_us() / 1000,
                numbers(first, last),
                k1 = k + 1,
            ));
            self.tick(ctx);
            let ask = ClockMsg::Resend { lamport: self.lamport.0, vc: self.vc.clone(), first, last };
            ctx.send(NodeId(k as u32), ask);
            self.stamp(ctx, &format!("ask p{} for broadcast{}", k + 1, numbers(first, last)));
        }
    }

    /// Send again the broadcasts a receiver asked for (those this process has sent): each a
    /// send event of its own, with the original's dependencies.
    fn resend(&mut self, ctx: &mut C<'_>, to: NodeId, first: u64, last: u64) {
        let last = last.min(self.sent.len() as u64);
        if first == 0 || first > last {
            ctx.note(format!("p{} asked for broadcasts I have not sent", to.0 + 1));
            return;
        }
        for i in first..=last {
            self.tick(ctx);
            let b = Box::new(self.sent[i as usize - 1].clone());
            ctx.send(to, ClockMsg::Bcast { lamport: self.lamport.0, vc: self.vc.clone(), b });
            self.stamp(ctx, &format!("resend #{i} to p{}", to.0 + 1));
        }
        ctx.count("resent", last - first + 1);
    }

    fn on_new_account(&mut self, ctx: &mut C<'_>) {
        self.next_account += 1;
        self.broadcast(ctx, Body::AccountCreated { account: self.next_account });
    }

    fn deliverable(&self, b: &Broadcast) -> bool {
        let s = b.sender as usize;
        b.deps.iter().enumerate().all(|(k, d)| {
            let have = self.delivered.get(k).copied().unwrap_or(0);
            if k == s {
                *d == have + 1
            } else {
                *d <= have
            }
        })
    }

    /// Already delivered (or an earlier copy of it is): a duplicate the network made, never
    /// deliverable again, so holding it back would hold it for ever.
    fn duplicate(&self, b: &Broadcast) -> bool {
        let s = b.sender as usize;
        let n = b.deps.get(s).copied().unwrap_or(0);
        let held = |(h, _): &(Broadcast, SimTime)| h.sender == b.sender && h.deps.get(s) == Some(&n);
        n <= self.delivered[s] || self.held.iter().any(held)
    }

    fn on_broadcast(&mut self, ctx: &mut C<'_>, b: Broadcast) {
        if self.cfg.causal_delivery && self.duplicate(&b) {
            ctx.note(format!("ignored a duplicate of {}: I have it already", describe(b.body)));
            return;
        }
        if self.cfg.causal_delivery && !self.deliverable(&b) {
            ctx.count_here("held_back", 1);
            let what = describe(b.body);
            ctx.note(format!(
                "hold back {what}: it depends on {:?}, I have delivered {:?}",
                b.deps, self.delivered
            ));
            if self.held.is_empty() && self.repairs() {
                ctx.set_timer(ClockTimer::Repair, SimDuration::from_ms(self.cfg.repair_after_ms));
            }
            self.held.push((b, ctx.now()));
            ctx.gauge_peak_here("holdback_queue", self.held.len() as i64);
            return;
        }
        self.deliver(ctx, b);
        while let Some(i) = self.held.iter().position(|(h, _)| self.deliverable(h)) {
            let (h, since) = self.held.remove(i);
            ctx.observe("holdback_ms", ctx.now().since(since));
            ctx.note(format!("deliver held-back {} now that its dependencies are in", describe(h.body)));
            self.deliver(ctx, h);
        }
        if self.held.is_empty() && self.repairs() {
            ctx.cancel_timer(ClockTimer::Repair);
        }
        ctx.gauge_peak_here("holdback_queue", self.held.len() as i64);
    }

    fn deliver(&mut self, ctx: &mut C<'_>, b: Broadcast) {
        self.delivered[b.sender as usize] += 1;
        self.apply(ctx, b.sender, b.body);
    }

    /// The application: a payment needs its account.
    fn apply(&mut self, ctx: &mut C<'_>, sender: u32, body: Body) {
        ctx.count("applied", 1);
        match body {
            Body::AccountCreated { account } => {
                self.accounts.insert(account);
                if ctx.id().0 == 1 && sender != 1 {
                    let amount = 1 + ctx.rng().below(100);
                    self.broadcast(ctx, Body::Payment { account, amount });
                }
            }
            Body::Payment { account, .. } => {
                if self.accounts.contains(&account) {
                    self.payments += 1;
                } else {
                    ctx.count("out_of_order", 1);
                    let detail = format!(
                        "payment for account #{account} applied before account #{account} was created"
                    );
                    ctx.violation("causal_order", detail);
                }
            }
        }
    }
}

/// `#4` or `s #4 to #9` (after "broadcast").
fn numbers(first: u64, last: u64) -> String {
    match first == last {
        true => format!(" #{first}"),
        false => format!("s #{first} to #{last}"),
    }
}

fn describe(body: Body) -> String {
    match body {
        Body::AccountCreated { account } => format!("account #{account} created"),
        Body::Payment { account, amount } => format!("payment {amount} to #{account}"),
    }
}

impl Node for Process {
    type Msg = ClockMsg;
    type Timer = ClockTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        // Everything a process of this app may record, listed for the run report from the start
        // (review 27 B2); the other app's counters are not (review 59 F7: a bank said `sends: 0`
        // beside 1,197 sends).
        let events = ["ordered_receipts", "concurrent_receipts", "lamport_false_order"];
        ctx.reports(Shape::Counter, &events);
        if self.cfg.app == ClocksApp::Gossip {
            ctx.reports(Shape::Counter, &["local_events", "sends"]);
        }
        if self.cfg.app == ClocksApp::Bank {
            ctx.reports(Shape::Counter, &["broadcasts", "applied", "out_of_order", "resent"]);
            ctx.reports_here(Shape::Counter, &["held_back", "resend_requests"]);
            ctx.reports_here(Shape::Gauge, &["holdback_queue"]);
            ctx.reports(Shape::Histogram, &["holdback_ms"]);
            ctx.declare(&["out_of_order"]);
            // Per process, from the start: which replica is waiting (p3), and which never does.
            ctx.declare_here(&["held_back"]);
            if self.cfg.causal_delivery {
                ctx.gauge_peak_here("holdback_queue", self.held.len() as i64);
            }
        }
        // Without a pace, only the script (and the user) makes events.
        let starts = self.cfg.event_every_ms > 0
            && match self.cfg.app {
                ClocksApp::Gossip => true,
                ClocksApp::Bank => ctx.id().0 == 0,
            };
        if starts {
            self.schedule(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: ClockMsg) {
        match msg {
            ClockMsg::Ping { lamport, vc } => self.on_receive(ctx, from, lamport, &vc),
            ClockMsg::Bcast { lamport, vc, b } => {
                self.on_receive(ctx, from, lamport, &vc);
                self.on_broadcast(ctx, *b);
            }
            ClockMsg::Resend { lamport, vc, first, last } => {
                self.on_receive(ctx, from, lamport, &vc);
                self.resend(ctx, from, first, last);
            }
        }
    }

    /// Gossip processes take a `send` (key: the process to send to, `p2`) and a `local` event by
    /// hand or from the script: a textbook figure, event by event.
    fn requests(&self) -> &'static [&'static str] {
        match self.cfg.app {
            ClocksApp::Gossip => &["send", "local"],
            ClocksApp::Bank => &[],
        }
    }

    fn request_form(&self, op: &str) -> RequestForm {
        let to = RequestField::needed("to", "the process to send to", "p2");
        match self.cfg.app == ClocksApp::Gossip && op == "send" {
            true => RequestForm { key: Some(to), value: None },
            false => RequestForm::default(),
        }
    }

    fn request_refusal(&self, me: NodeId, req: &crate::node::ClientRequest) -> Option<String> {
        let send = self.cfg.app == ClocksApp::Gossip && req.op == "send";
        (send && self.peer_named(me, req.key.as_deref()).is_none()).then(|| self.bad_peer(req.key.as_deref()))
    }

    fn on_client(&mut self, ctx: &mut C<'_>, req: &crate::node::ClientRequest) {
        match (self.cfg.app, req.op.as_str()) {
            (ClocksApp::Gossip, "local") => self.local_event(ctx),
            (ClocksApp::Gossip, "send") => match self.peer_named(ctx.id(), req.key.as_deref()) {
                Some(to) => self.send_ping(ctx, to),
                None => ctx.note(format!("ignored {}", self.bad_peer(req.key.as_deref()))),
            },
            _ => ctx.note(format!("ignored {:?}: a process here takes send and local", req.op)),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: ClockTimer) {
        if timer == ClockTimer::Repair {
            self.ask_for_missing(ctx);
            if !self.held.is_empty() {
                ctx.set_timer(ClockTimer::Repair, SimDuration::from_ms(self.cfg.repair_after_ms));
            }
            return;
        }
        if !self.generating(ctx) {
            return;
        }
        match self.cfg.app {
            ClocksApp::Gossip => self.on_gossip_event(ctx),
            ClocksApp::Bank => self.on_new_account(ctx),
        }
        self.schedule(ctx);
    }

    fn on_crash(&mut self) {
        self.held.clear();
    }

    /// Gossip sends pings; the bank broadcasts accounts and payments.
    fn kinds(nodes: &[Self]) -> Vec<&'static str> {
        match nodes.first().map(|p| p.cfg.app) {
            Some(ClocksApp::Bank) if nodes[0].repairs() => vec!["AccountCreated", "Payment", "Resend"],
            Some(ClocksApp::Bank) => vec!["AccountCreated", "Payment"],
            _ => vec!["Ping"],
        }
    }

    fn view(&self) -> NodeView {
        let role = match (self.cfg.app, self.index) {
            (ClocksApp::Bank, 0) => "accounts",
            (ClocksApp::Bank, 1) => "payments",
            (ClocksApp::Bank, _) => "ledger",
            (ClocksApp::Gossip, _) => "process",
        };
        let mut v = NodeView::new(role, format!("L={} V={}", self.lamport.0, self.vc))
            .field("lamport", self.lamport.0)
            .field("vector clock", &self.vc);
        if self.cfg.app == ClocksApp::Bank {
            v = v
                .field("delivered", format!("{:?}", self.delivered))
                .field("held back", self.held.len())
                .field("accounts", self.accounts.len())
                .field("payments", self.payments);
            if !self.held.is_empty() {
                v = v.badge("holding back");
            }
        }
        v
    }

    fn invariants(_nodes: &[Self]) -> &'static [&'static str] {
        &["causal_order"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::Bench;
    use crate::node::Effect;

    fn cfg(causal: bool) -> Arc<ClocksConfig> {
        Arc::new(ClocksConfig {
            app: ClocksApp::Bank,
            processes: 3,
            event_every_ms: 100,
            send_permille: 500,
            causal_delivery: causal,
            events_until_ms: 0,
            repair_after_ms: 250,
        })
    }

    /// p3 (id 2) receives p2's payment for account 1 before p1's AccountCreated #1.
    fn payment_first(causal: bool) -> (Process, Vec<Effect<ClockMsg, ClockTimer>>) {
        let mut p3 = Process::new(cfg(causal), 2);
        let created = Broadcast { sender: 0, deps: vec![1, 0, 0], body: Body::AccountCreated { account: 1 } };
        let payment =
            Broadcast { sender: 1, deps: vec![1, 1, 0], body: Body::Payment { account: 1, amount: 5 } };
        let (l1, v1) = (1, VectorClock(vec![1, 0, 0]));
        let (l2, v2) = (3, VectorClock(vec![1, 2, 0]));
        let ((), out) = Bench::new(1).run((NodeId(2), SimTime::ZERO, 3), |ctx| {
            p3.on_message(ctx, NodeId(1), ClockMsg::Bcast { lamport: l2, vc: v2, b: Box::new(payment) });
            assert_eq!(p3.held.len(), usize::from(causal), "held back only with causal delivery");
            p3.on_message(ctx, NodeId(0), ClockMsg::Bcast { lamport: l1, vc: v1, b: Box::new(created) });
        });
        (p3, out)
    }

    #[test]
    fn causal_delivery_holds_the_payment_until_the_account_exists() {
        let (p3, out) = payment_first(true);
        assert!(p3.held.is_empty());
        assert_eq!((p3.accounts.len(), p3.payments, p3.delivered.clone()), (1, 1, vec![1, 1, 0]));
        assert!(!out.iter().any(|e| matches!(e, Effect::Violation { .. })));
        assert_eq!(p3.vc, VectorClock(vec![1, 2, 2]), "merged both senders' clocks and ticked twice");
        assert_eq!(p3.lamport.0, 5);
    }

    #[test]
    fn without_causal_delivery_the_payment_is_applied_first() {
        let (p3, out) = payment_first(false);
        assert_eq!(p3.payments, 0);
        assert!(out.iter().any(|e| matches!(e, Effect::Violation { rule: "causal_order", .. })));
        let clocks = out.iter().filter(|e| matches!(e, Effect::Clock(_))).count();
        assert_eq!(clocks, 2, "one clock annotation per receive event");
    }
}
