//! The messages and timers of E1–E3; consumers and the payment ledger, and the `Node` impl that
//! hands each input to its role (producers are in `producer.rs`, the broker in `broker.rs`).

use super::broker::Broker;
use super::producer::Producer;
use super::MessagingConfig;
use crate::blocks::{Admit, Generator, Server, ServerSpec};
use crate::ids::NodeId;
use crate::node::{ClientRequest, Ctx, Kind, Node, Shape};
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;
use std::collections::BTreeSet;
use std::fmt;

/// How long a consumer waits for `Charged` before charging again: a lost `Charge` or `Charged`
/// would otherwise hold it for good, and every message the broker hands it after.
const CHARGE_RETRY: SimDuration = SimDuration::from_ms(250);

/// How long a consumer waits for `ConsumeOk` before registering again: a lost `Consume` would
/// otherwise leave what its last incarnation held unacknowledged at the broker.
const REGISTER_RETRY: SimDuration = SimDuration::from_ms(1000);

/// A message's id: the producer that published it and that producer's own count, read `p2#1`
/// (p2's first message) in notes, payloads, timers and the inspector. Unambiguous without a
/// global counter no producer could share, and it orders as the old `node << 40 | seq` did:
/// by producer, then by count.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MsgId {
    /// The producer's node index (producers are the first nodes, `p1` is 0).
    pub producer: u32,
    pub seq: u64,
}

impl fmt::Display for MsgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "p{}#{}", u64::from(self.producer) + 1, self.seq)
    }
}

/// The same words as `Display`: the payload and timer views read `Debug`, and `p2#1` is the
/// whole value.
impl fmt::Debug for MsgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A message as the broker keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    pub id: MsgId,
    pub created: SimTime,
    /// When the broker accepted it.
    pub enqueued: SimTime,
    /// Can never be processed.
    pub poison: bool,
    pub deliveries: u32,
    /// The broker's tag for its latest delivery (0 before the first), echoed by the consumer's
    /// `Ack` or `Nack`: an answer to an earlier delivery settles nothing (AMQP's delivery tag).
    pub tag: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvMsg {
    Publish {
        msg: Message,
        /// Sent again: no `Accepted` came for it in time (block mode).
        again: bool,
    },
    Rejected {
        id: MsgId,
    },
    /// Block mode: the broker took the message (possibly after holding it while the queue was full).
    Accepted {
        id: MsgId,
    },
    Deliver {
        msg: Message,
    },
    Ack {
        id: MsgId,
        tag: u64,
    },
    Nack {
        id: MsgId,
        tag: u64,
    },
    /// A consumer starting (at the start, after a restart): `session` is when it started. The
    /// broker requeues what an earlier session of this consumer held, as AMQP requeues a closed
    /// channel's unacknowledged deliveries.
    Consume {
        session: SimTime,
    },
    ConsumeOk {
        session: SimTime,
    },
    /// The order is the message; with idempotency keys its id is also the key.
    Charge {
        order: MsgId,
        key: Option<MsgId>,
    },
    Charged {
        order: MsgId,
    },
}

impl Kind for EvMsg {
    const KINDS: &'static [&'static str] = &[
        "Publish",
        "Rejected",
        "Accepted",
        "Deliver",
        "Ack",
        "Nack",
        "Consume",
        "ConsumeOk",
        "Charge",
        "Charged",
    ];

    fn kind(&self) -> &'static str {
        match self {
            EvMsg::Publish { .. } => "Publish",
            EvMsg::Rejected { .. } => "Rejected",
            EvMsg::Accepted { .. } => "Accepted",
            EvMsg::Deliver { .. } => "Deliver",
            EvMsg::Ack { .. } => "Ack",
            EvMsg::Nack { .. } => "Nack",
            EvMsg::Consume { .. } => "Consume",
            EvMsg::ConsumeOk { .. } => "ConsumeOk",
            EvMsg::Charge { .. } => "Charge",
            EvMsg::Charged { .. } => "Charged",
        }
    }

    const CAN_SAY_NO: bool = true;

    fn says_no(&self) -> bool {
        matches!(self, EvMsg::Rejected { .. } | EvMsg::Nack { .. })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EvTimer {
    Next,
    /// Producer: closed-loop think time over.
    Think(MsgId),
    AckTimeout(MsgId),
    Work,
    /// Consumer: no `Charged` for the charge in hand yet; charge it again (same order, same key).
    ChargeRetry,
    /// Producer, block mode: no `Accepted` for this publish yet; publish it again.
    Confirm(MsgId),
    /// Consumer: no `ConsumeOk` yet; register again.
    Register,
}

impl Kind for EvTimer {
    fn kind(&self) -> &'static str {
        match self {
            EvTimer::Next => "Next",
            EvTimer::Think(_) => "Think",
            EvTimer::AckTimeout(_) => "AckTimeout",
            EvTimer::Work => "Work",
            EvTimer::ChargeRetry => "ChargeRetry",
            EvTimer::Confirm(_) => "Confirm",
            EvTimer::Register => "Register",
        }
    }
}

pub(super) type C<'a> = Ctx<'a, EvMsg, EvTimer>;

#[derive(Clone, Debug)]
pub struct Consumer {
    broker: NodeId,
    /// Where payments are charged, in a run that charges them.
    ledger: Option<NodeId>,
    keys: bool,
    server: Server<Message>,
    current: Option<Message>,
    /// Not yet taken on by the broker: it joins when the queue is this deep (E1 scaling). The
    /// first message it is handed ends the wait.
    standby: Option<u32>,
    /// When it started (this incarnation): it registers under it until the broker confirms.
    session: SimTime,
}

#[derive(Clone, Debug, Default)]
pub struct Ledger {
    charged: BTreeSet<MsgId>,
    dedup: BTreeSet<MsgId>,
    charges: u64,
}

#[derive(Clone, Debug)]
pub enum EvNode {
    Producer(Producer),
    Broker(Box<Broker>),
    Consumer(Consumer),
    Ledger(Ledger),
}

impl EvNode {
    pub fn producer(gen: Generator, broker: NodeId, poison_ppm: u32, window: u32) -> Self {
        EvNode::Producer(Producer::new(gen, broker, poison_ppm, window))
    }
    /// `confirms`: the producers wait for `Accepted`.
    pub fn broker(cfg: MessagingConfig, first_consumer: u32, confirms: bool) -> Self {
        EvNode::Broker(Box::new(Broker::new(cfg, first_consumer, confirms)))
    }
    /// `standby`: the queue depth at which the broker will take it on, if it does not start active.
    pub fn consumer(
        cfg: &MessagingConfig,
        broker: NodeId,
        ledger: Option<NodeId>,
        standby: Option<u32>,
    ) -> Self {
        let spec = ServerSpec { workers: 1, queue_cap: 1_000_000, service: cfg.work.clone() };
        EvNode::Consumer(Consumer {
            broker,
            ledger,
            keys: cfg.idempotency_keys,
            server: Server::new(spec),
            current: None,
            standby,
            session: SimTime::ZERO,
        })
    }
    pub fn ledger() -> Self {
        EvNode::Ledger(Ledger::default())
    }
}

impl EvNode {
    /// Everything this role may record, whatever the broker's features, listed for the run
    /// report from the start (review 27 B2).
    fn list_report_keys(&self, ctx: &mut C<'_>) {
        match self {
            EvNode::Producer(_) => {
                ctx.reports(Shape::Counter, &["published", "republished"]);
                ctx.reports_here(Shape::Counter, &["rejected_here"]);
                ctx.reports_here(Shape::Gauge, &["producer_backlog"]);
            }
            EvNode::Broker(_) => {
                let flow = ["accepted", "blocked", "dropped", "rejected", "consumed"];
                ctx.reports(Shape::Counter, &flow);
                let failures = ["ack_timeouts", "failed_deliveries", "redelivered", "dead_lettered"];
                ctx.reports(Shape::Counter, &failures);
                ctx.reports_here(Shape::Gauge, &["queue_depth", "dlq_depth", "active_consumers"]);
                ctx.reports(Shape::Histogram, &["queue_latency_ms", "e2e_latency_ms"]);
            }
            EvNode::Consumer(_) => {
                ctx.reports_here(Shape::Counter, &["poison_failures"]);
                ctx.reports(Shape::Counter, &["charge_retries"]);
            }
            EvNode::Ledger(_) => ctx.reports(Shape::Counter, &["charges", "deduplicated", "double_charges"]),
        }
    }
}

impl Consumer {
    /// Register with the broker, and again every `REGISTER_RETRY` until it confirms.
    fn register(&mut self, ctx: &mut C<'_>) {
        ctx.send(self.broker, EvMsg::Consume { session: self.session });
        ctx.set_timer(EvTimer::Register, REGISTER_RETRY);
    }

    fn on_consume_ok(&mut self, ctx: &mut C<'_>, session: SimTime) {
        // The pending `Register` timer is what "not yet confirmed" is; a second `ConsumeOk`
        // cancels nothing.
        if session == self.session {
            ctx.cancel_timer(EvTimer::Register);
        }
    }

    fn on_deliver(&mut self, ctx: &mut C<'_>, m: Message) {
        self.standby = None;
        if let Admit::Start(d) = self.server.arrive(m, ctx.rng()) {
            self.current = Some(m);
            ctx.set_timer(EvTimer::Work, d);
        }
    }

    fn on_work(&mut self, ctx: &mut C<'_>) {
        let Some(m) = self.current else { return };
        if m.poison {
            ctx.count_here("poison_failures", 1);
            ctx.send(self.broker, EvMsg::Nack { id: m.id, tag: m.tag });
            self.next(ctx);
        } else if self.ledger.is_some() {
            self.charge(ctx, m.id);
        } else {
            ctx.send(self.broker, EvMsg::Ack { id: m.id, tag: m.tag });
            self.next(ctx);
        }
    }

    /// Charge the order in hand, and again every `CHARGE_RETRY` until `Charged` comes: with an
    /// idempotency key the ledger takes it once, without one a retry is a second charge.
    fn charge(&mut self, ctx: &mut C<'_>, order: MsgId) {
        let Some(ledger) = self.ledger else { return };
        let key = self.keys.then_some(order);
        ctx.send(ledger, EvMsg::Charge { order, key });
        ctx.set_timer(EvTimer::ChargeRetry, CHARGE_RETRY);
    }

    fn on_charge_retry(&mut self, ctx: &mut C<'_>) {
        let Some(m) = self.current else { return };
        ctx.count("charge_retries", 1);
        ctx.note(format!("no Charged for order {} from the ledger: charging it again", m.id));
        self.charge(ctx, m.id);
    }

    fn on_charged(&mut self, ctx: &mut C<'_>, order: MsgId) {
        if let Some(m) = self.current.filter(|m| m.id == order) {
            ctx.cancel_timer(EvTimer::ChargeRetry);
            ctx.send(self.broker, EvMsg::Ack { id: order, tag: m.tag });
            self.next(ctx);
        } else {
            ctx.note(format!("ignored Charged for order {order}: not the message in hand"));
        }
    }

    fn next(&mut self, ctx: &mut C<'_>) {
        self.current = None;
        if let Some((m, d)) = self.server.complete(ctx.rng()) {
            self.current = Some(m);
            ctx.set_timer(EvTimer::Work, d);
        }
    }
}

impl Ledger {
    fn on_charge(&mut self, ctx: &mut C<'_>, from: NodeId, order: MsgId, key: Option<MsgId>) {
        if let Some(k) = key {
            if !self.dedup.insert(k) {
                ctx.count("deduplicated", 1);
                ctx.send(from, EvMsg::Charged { order });
                return;
            }
        }
        self.charges += 1;
        ctx.count("charges", 1);
        if !self.charged.insert(order) {
            ctx.count("double_charges", 1);
            ctx.violation("no payment charged twice", format!("order {order} was charged again"));
        }
        ctx.send(from, EvMsg::Charged { order });
    }
}

impl Node for EvNode {
    type Msg = EvMsg;
    type Timer = EvTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["dropped", "rejected", "dead_lettered", "failed_deliveries", "redelivered"]);
        self.list_report_keys(ctx);
        // Only a run that charges payments (and so has a ledger) can charge twice.
        if matches!(self, EvNode::Ledger(_)) {
            ctx.declare(&["double_charges"]);
        }
        if let EvNode::Broker(b) = self {
            b.start(ctx);
        }
        if let EvNode::Producer(p) = self {
            p.init(ctx);
        }
        if let EvNode::Consumer(c) = self {
            c.session = ctx.now();
            c.register(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: EvMsg) {
        match (self, msg) {
            (EvNode::Broker(b), EvMsg::Publish { msg, again }) => b.on_publish(ctx, from, msg, again),
            (EvNode::Broker(b), EvMsg::Ack { id, tag }) => b.on_ack(ctx, id, tag),
            (EvNode::Broker(b), EvMsg::Nack { id, tag }) => b.on_nack(ctx, id, tag),
            (EvNode::Broker(b), EvMsg::Consume { session }) => b.on_consume(ctx, from, session),
            (EvNode::Consumer(c), EvMsg::ConsumeOk { session }) => c.on_consume_ok(ctx, session),
            (EvNode::Producer(p), EvMsg::Accepted { id }) => p.on_accepted(ctx, id),
            (EvNode::Producer(_), EvMsg::Rejected { .. }) => ctx.count_here("rejected_here", 1),
            (EvNode::Consumer(c), EvMsg::Deliver { msg }) => c.on_deliver(ctx, msg),
            (EvNode::Consumer(c), EvMsg::Charged { order }) => c.on_charged(ctx, order),
            (EvNode::Ledger(l), EvMsg::Charge { order, key }) => l.on_charge(ctx, from, order, key),
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: EvTimer) {
        match (self, timer) {
            (EvNode::Producer(p), t) => p.on_timer(ctx, t),
            (EvNode::Broker(b), EvTimer::AckTimeout(id)) => b.on_ack_timeout(ctx, id),
            (EvNode::Consumer(c), EvTimer::Work) => c.on_work(ctx),
            (EvNode::Consumer(c), EvTimer::ChargeRetry) => c.on_charge_retry(ctx),
            (EvNode::Consumer(c), EvTimer::Register) => c.register(ctx),
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    fn requests(&self) -> &'static [&'static str] {
        match self {
            EvNode::Producer(_) => &["publish"],
            _ => &[],
        }
    }

    fn on_client(&mut self, ctx: &mut C<'_>, req: &ClientRequest) {
        match self {
            EvNode::Producer(p) => {
                ctx.note(format!("user published a message ({})", req.op));
                p.produce(ctx, false);
            }
            _ => ctx.note("only producers take requests by hand"),
        }
    }

    fn on_crash(&mut self) {
        match self {
            EvNode::Producer(p) => p.crash(),
            EvNode::Broker(b) => b.reset(),
            EvNode::Consumer(c) => {
                c.server.reset();
                c.current = None;
            }
            // The ledger and its dedup store are durable.
            EvNode::Ledger(_) => {}
        }
    }

    fn view(&self) -> NodeView {
        match self {
            EvNode::Producer(p) => p.view(),
            EvNode::Broker(b) => {
                NodeView::new("broker", format!("{} queued, {} dead", b.depth(), b.dlq_len()))
                    .work(b.work())
                    .field("depth", b.depth())
                    .field("dead letters", b.dlq_len())
                    .field("active consumers", b.active())
            }
            EvNode::Consumer(c) => match c.standby {
                Some(depth) => NodeView::new("consumer", "standby: not joined yet")
                    .field(
                        "joins",
                        match depth {
                            0 => "never: scaling is off (scale_up_depth 0)".to_string(),
                            d => format!("when the queue reaches {d}"),
                        },
                    )
                    .badge("standby"),
                None => NodeView::new("consumer", format!("{} waiting", c.server.queued()))
                    .work(c.server.work())
                    .field("busy", c.current.is_some()),
            },
            EvNode::Ledger(l) => NodeView::new("ledger", format!("{} charges", l.charges))
                .field("orders", l.charged.len())
                .field("dedup keys", l.dedup.len()),
        }
    }

    fn invariants(nodes: &[Self]) -> &'static [&'static str] {
        if nodes.iter().any(|n| matches!(n, EvNode::Ledger(_))) {
            &["no payment charged twice"]
        } else {
            &[]
        }
    }
}
