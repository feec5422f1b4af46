//! The broker: a queue with an overflow policy, push delivery with prefetch, acknowledgement
//! timeouts (at-least-once), a dead-letter queue, and consumer scaling.

use super::node::{EvMsg, EvTimer, Message, MsgId, C};
use super::{MessagingConfig, Overflow};
use crate::ids::NodeId;
use crate::time::{SimDuration, SimTime};
use std::collections::{BTreeMap, VecDeque};

#[derive(Clone, Debug)]
pub struct Broker {
    cfg: MessagingConfig,
    /// The producers wait for `Accepted` (block mode, with a bound or a closed loop): only then
    /// is one sent.
    confirms: bool,
    first_consumer: u32,
    active: u32,
    last_scale: Option<SimTime>,
    queue: VecDeque<Message>,
    /// Delivered, not yet acknowledged: message and consumer index.
    unacked: BTreeMap<MsgId, (Message, u32)>,
    in_flight: Vec<u32>,
    /// Round-robin: the consumer whose turn it is next (if it has prefetch room).
    turn: u32,
    /// The last delivery tag given. Kept through a crash, so that a tag never names two
    /// deliveries: a late answer to one from before the crash settles nothing after it.
    last_tag: u64,
    dlq: Vec<Message>,
    /// Block mode: publishes held until there is room, in arrival order.
    waiting: VecDeque<(NodeId, Message)>,
    /// Per consumer, the session it last registered (`Consume`), if any since the broker started.
    sessions: Vec<Option<SimTime>>,
    /// It has said (once) what it does now that the queue is full: each overflow is counted,
    /// and a note for each would bury the event log.
    said_full: bool,
}

impl Broker {
    pub fn new(cfg: MessagingConfig, first_consumer: u32, confirms: bool) -> Self {
        let n = cfg.consumers as usize;
        Broker {
            confirms,
            active: cfg.initial(),
            cfg,
            first_consumer,
            last_scale: None,
            queue: VecDeque::new(),
            unacked: BTreeMap::new(),
            in_flight: vec![0; n],
            turn: 0,
            last_tag: 0,
            dlq: Vec::new(),
            waiting: VecDeque::new(),
            sessions: vec![None; n],
            said_full: false,
        }
    }

    pub fn depth(&self) -> usize {
        self.queue.len()
    }
    /// Its queue, for its node's view (a broker has no workers of its own).
    pub fn work(&self) -> crate::view::Work {
        let queue_cap = (self.cfg.capacity > 0).then_some(self.cfg.capacity);
        crate::view::Work { busy: 0, workers: 0, queued: self.depth() as u32, queue_cap }
    }
    pub fn dlq_len(&self) -> usize {
        self.dlq.len()
    }
    pub fn active(&self) -> u32 {
        self.active
    }

    fn full(&self) -> bool {
        self.cfg.capacity > 0 && self.queue.len() >= self.cfg.capacity as usize
    }

    /// A publish; `again`: the producer heard no `Accepted` for it and sent it again.
    pub fn on_publish(&mut self, ctx: &mut C<'_>, from: NodeId, m: Message, again: bool) {
        if again && self.holds(ctx, from, m.id) {
            return;
        }
        // A full queue is as deep as it gets: it must scale here too, or a bounded queue that
        // blocks would never scale past its first step while the backpressure lasts. A consumer
        // that joins takes its prefetch, making room for the publishes held longest first.
        if self.full() && self.maybe_scale(ctx) {
            self.unblock(ctx);
        }
        if self.full() {
            self.say_full(ctx);
            match self.cfg.overflow {
                Overflow::Block => {
                    ctx.count("blocked", 1);
                    self.waiting.push_back((from, m));
                    return;
                }
                Overflow::Reject => {
                    ctx.count("rejected", 1);
                    ctx.send(from, EvMsg::Rejected { id: m.id });
                    return;
                }
                Overflow::DropNewest => {
                    ctx.count("dropped", 1);
                    return;
                }
                Overflow::DropOldest => {
                    ctx.count("dropped", 1);
                    self.queue.pop_front();
                }
            }
        }
        self.accept(ctx, from, m);
        self.maybe_scale(ctx);
        self.dispatch(ctx);
    }

    /// A publish sent again that the broker still has is taken once: held (block mode, the
    /// queue full) it stays held, and `Accepted` comes when there is room; queued or delivered, it
    /// is accepted again. One it no longer has (consumed, dropped, lost in a crash) is new to it.
    fn holds(&mut self, ctx: &mut C<'_>, from: NodeId, id: MsgId) -> bool {
        if self.waiting.iter().any(|(_, w)| w.id == id) {
            return true;
        }
        let had = self.unacked.contains_key(&id) || self.queue.iter().any(|q| q.id == id);
        if had {
            ctx.send(from, EvMsg::Accepted { id });
        }
        had
    }

    fn accept(&mut self, ctx: &mut C<'_>, from: NodeId, mut m: Message) {
        ctx.count("accepted", 1);
        m.enqueued = ctx.now();
        self.queue.push_back(m);
        if self.confirms {
            ctx.send(from, EvMsg::Accepted { id: m.id });
        }
    }

    /// A scaling broker charts its consumer count from the start, so the first step up
    /// (e1-consumer-scaling's 2 → 3) shows as a step, not as a line that begins at 3.
    pub fn start(&self, ctx: &mut C<'_>) {
        if self.cfg.scale_up_depth > 0 {
            ctx.gauge_here("active_consumers", self.active as i64);
        }
    }

    /// Add a consumer if the queue is deep enough and the last one joined a second ago or more:
    /// checked wherever the depth can have reached the threshold (a publish taken or held, held
    /// publishes taken). True if one joined.
    fn maybe_scale(&mut self, ctx: &mut C<'_>) -> bool {
        let now = ctx.now();
        let cooled = self.last_scale.is_none_or(|t| now.since(t) >= SimDuration::from_ms(1000));
        let deep = self.cfg.scale_up_depth > 0 && self.queue.len() >= self.cfg.scale_up_depth as usize;
        if deep && cooled && self.active < self.cfg.consumers {
            self.active += 1;
            self.last_scale = Some(now);
            ctx.note(format!("queue depth {}: consumer k{} joins", self.queue.len(), self.active));
            ctx.gauge_here("active_consumers", self.active as i64);
            return true;
        }
        false
    }

    /// Hand queued messages out one at a time, round-robin among the active consumers with free
    /// prefetch slots, as RabbitMQ does (filling one consumer's prefetch before the next got any
    /// left k2 idle for seconds behind a prefetch of 1000).
    pub fn dispatch(&mut self, ctx: &mut C<'_>) {
        while !self.queue.is_empty() {
            let n = self.active.max(1);
            let room = |c: &u32| self.in_flight[*c as usize] < self.cfg.prefetch;
            let Some(c) = (0..n).map(|i| (self.turn + i) % n).find(room) else { break };
            let Some(mut m) = self.queue.pop_front() else { break };
            self.turn = (c + 1) % n;
            m.deliveries += 1;
            self.last_tag += 1;
            m.tag = self.last_tag;
            if m.deliveries > 1 {
                ctx.count("redelivered", 1);
            }
            self.in_flight[c as usize] += 1;
            let to = NodeId(self.first_consumer + c);
            ctx.send(to, EvMsg::Deliver { msg: m });
            if self.cfg.ack_timeout_ms > 0 {
                ctx.set_timer(EvTimer::AckTimeout(m.id), SimDuration::from_ms(self.cfg.ack_timeout_ms));
            }
            self.unacked.insert(m.id, (m, c));
        }
        self.show(ctx);
    }

    /// The delivery `tag` of message `id` is answered: settle it, if it is the one outstanding.
    fn settle_tag(&mut self, ctx: &mut C<'_>, id: MsgId, tag: u64) -> Option<Message> {
        match self.unacked.get(&id) {
            Some((m, _)) if m.tag == tag => self.settle(ctx, id),
            Some(_) => {
                let said =
                    format!("an earlier delivery's (tag {tag}): the message was delivered again since");
                ctx.note(format!("ignored answer for message {id}: {said}"));
                None
            }
            None => {
                ctx.note(format!("ignored answer for message {id} (tag {tag}): already settled"));
                None
            }
        }
    }

    fn settle(&mut self, ctx: &mut C<'_>, id: MsgId) -> Option<Message> {
        let (m, c) = self.unacked.remove(&id)?;
        ctx.cancel_timer(EvTimer::AckTimeout(id));
        self.in_flight[c as usize] = self.in_flight[c as usize].saturating_sub(1);
        Some(m)
    }

    pub fn on_ack(&mut self, ctx: &mut C<'_>, id: MsgId, tag: u64) {
        let Some(m) = self.settle_tag(ctx, id, tag) else { return };
        ctx.count("consumed", 1);
        ctx.observe("e2e_latency_ms", ctx.now().since(m.created));
        ctx.observe("queue_latency_ms", ctx.now().since(m.enqueued));
        self.unblock(ctx);
    }

    pub fn on_nack(&mut self, ctx: &mut C<'_>, id: MsgId, tag: u64) {
        let Some(m) = self.settle_tag(ctx, id, tag) else { return };
        self.retry_or_park(ctx, m);
        self.unblock(ctx);
    }

    pub fn on_ack_timeout(&mut self, ctx: &mut C<'_>, id: MsgId) {
        let Some((m, c)) = self.unacked.remove(&id) else { return };
        self.in_flight[c as usize] = self.in_flight[c as usize].saturating_sub(1);
        ctx.count("ack_timeouts", 1);
        ctx.note(format!("no ack for message {id} from k{}: delivering it again", c + 1));
        self.retry_or_park(ctx, m);
        // Parked, or with more handed out, the queue may have room for held publishes, as after an ack.
        self.unblock(ctx);
    }

    /// A delivery failed (a `Nack`, an ack timeout, a consumer that restarted holding it; each
    /// counts in `failed_deliveries`, as each counts towards `max_deliveries`): park the message
    /// after `max_deliveries`, else put it back at the head.
    fn retry_or_park(&mut self, ctx: &mut C<'_>, m: Message) {
        ctx.count("failed_deliveries", 1);
        if self.cfg.max_deliveries > 0 && m.deliveries >= self.cfg.max_deliveries {
            ctx.count("dead_lettered", 1);
            ctx.note(format!(
                "message {} failed {} times: moved to the dead-letter queue",
                m.id, m.deliveries
            ));
            self.dlq.push(m);
        } else {
            // With no dead-letter queue a poison message goes round for ever, and the log would
            // otherwise never say so (e2-poison-message): said at its 10th, 100th, 1000th… failure.
            if self.cfg.max_deliveries == 0
                && m.deliveries >= 10
                && 10u32.pow(m.deliveries.ilog10()) == m.deliveries
            {
                ctx.note(format!(
                    "message {} failed {} times and goes back to the head of the queue: with no dead-letter queue it is retried for ever",
                    m.id, m.deliveries
                ));
            }
            self.queue.push_front(m);
        }
    }

    /// A consumer registers: a new session means it restarted, and whatever it held before is
    /// lost with its old self. Those messages go back to the head of the queue and its prefetch
    /// slots are free again; a `Consume` sent again for the session already known changes nothing.
    pub fn on_consume(&mut self, ctx: &mut C<'_>, from: NodeId, session: SimTime) {
        let Some(c) = from.0.checked_sub(self.first_consumer).filter(|&c| c < self.cfg.consumers) else {
            return;
        };
        ctx.send(from, EvMsg::ConsumeOk { session });
        if self.sessions[c as usize].replace(session) == Some(session) {
            return;
        }
        let held: Vec<MsgId> = self.unacked.iter().filter(|(_, (_, k))| *k == c).map(|(&id, _)| id).collect();
        if !held.is_empty() {
            ctx.note(format!(
                "k{} registers anew: it restarted, so the {} message(s) it held unacknowledged go back to the queue",
                c + 1,
                held.len()
            ));
        }
        // In reverse, so that each goes to the head and they keep their (id) order.
        for id in held.into_iter().rev() {
            if let Some(m) = self.settle(ctx, id) {
                self.retry_or_park(ctx, m);
            }
        }
        self.in_flight[c as usize] = 0;
        self.unblock(ctx);
    }

    /// Block mode: take held publishes while there is room (the producers were waiting on them):
    /// after anything that hands messages out (an ack, a nack, an ack timeout).
    fn unblock(&mut self, ctx: &mut C<'_>) {
        self.dispatch(ctx);
        while !self.full() {
            let Some((from, m)) = self.waiting.pop_front() else { break };
            self.accept(ctx, from, m);
        }
        self.maybe_scale(ctx);
        self.dispatch(ctx);
    }

    fn show(&self, ctx: &mut C<'_>) {
        ctx.gauge_here("queue_depth", self.queue.len() as i64);
        // Only a broker that dead-letters has a dead-letter queue to chart.
        if self.cfg.max_deliveries > 0 {
            ctx.gauge_here("dlq_depth", self.dlq.len() as i64);
        }
    }

    /// The first overflow's note: what the policy does with this publish and the next ones. A
    /// shedding queue was silent in the trace, only its counter moved.
    fn say_full(&mut self, ctx: &mut C<'_>) {
        if std::mem::replace(&mut self.said_full, true) {
            return;
        }
        let (does, counter) = match self.cfg.overflow {
            Overflow::Block => ("each new publish waits for room", "blocked"),
            Overflow::Reject => ("each new publish is refused", "rejected"),
            Overflow::DropNewest => ("each new publish is dropped", "dropped"),
            Overflow::DropOldest => ("each new publish pushes out the oldest message", "dropped"),
        };
        let cap = self.cfg.capacity;
        ctx.note(format!("queue full ({cap} messages): while it is full, {does} (counted in {counter})"));
    }

    /// A crash loses all the broker holds (it keeps everything in memory): its queue, the
    /// deliveries awaiting an answer, the publishes it holds, its dead-letter queue, the
    /// registrations and the scaling cool-down. The consumers that joined stay active: they are
    /// running processes, not the broker's memory. Only the delivery tags go on (see `last_tag`).
    pub fn reset(&mut self) {
        self.queue.clear();
        self.dlq.clear();
        self.last_scale = None;
        self.unacked.clear();
        self.in_flight.iter_mut().for_each(|x| *x = 0);
        self.turn = 0;
        self.waiting.clear();
        self.sessions.iter_mut().for_each(|s| *s = None);
        self.said_full = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::node::Bench;
    use crate::node::Effect;

    fn cfg(capacity: u32, overflow: Overflow, max_deliveries: u32) -> MessagingConfig {
        MessagingConfig {
            capacity,
            overflow,
            consumers: 1,
            initial_consumers: None,
            scale_up_depth: 0,
            work: Dist::constant_ms(1),
            publish_window: 4,
            prefetch: 1,
            poison_ppm: 0,
            max_deliveries,
            ack_timeout_ms: 0,
            payments: false,
            idempotency_keys: false,
        }
    }

    fn msg(seq: u64) -> Message {
        Message {
            id: mid(seq),
            created: SimTime::ZERO,
            enqueued: SimTime::ZERO,
            poison: false,
            deliveries: 0,
            tag: 0,
        }
    }

    fn mid(seq: u64) -> MsgId {
        MsgId { producer: 0, seq }
    }

    /// Run one broker call and return the ids it delivered to the consumer (node 1).
    fn step(b: &mut Broker, f: impl FnOnce(&mut Broker, &mut C<'_>)) -> Vec<u64> {
        let ((), out) = Bench::new(0).run((NodeId(0), SimTime::ZERO, 2), |ctx| f(b, ctx));
        out.iter()
            .filter_map(|e| match e {
                Effect::Send { msg: EvMsg::Deliver { msg }, .. } => Some(msg.id.seq),
                _ => None,
            })
            .collect()
    }

    impl Broker {
        fn tag_of(&self, id: MsgId) -> u64 {
            self.unacked.get(&id).map_or(0, |(m, _)| m.tag)
        }
    }

    fn ids(b: &Broker) -> Vec<u64> {
        b.queue.iter().map(|m| m.id.seq).collect()
    }

    #[test]
    fn drop_oldest_keeps_the_newest_and_prefetch_limits_deliveries() {
        let mut b = Broker::new(cfg(2, Overflow::DropOldest, 0), 1, true);
        let p = NodeId(9);
        assert_eq!(
            step(&mut b, |b, c| b.on_publish(c, p, msg(1), false)),
            vec![1],
            "an idle consumer gets it"
        );
        step(&mut b, |b, c| b.on_publish(c, p, msg(2), false));
        step(&mut b, |b, c| b.on_publish(c, p, msg(3), false));
        assert_eq!(ids(&b), vec![2, 3], "prefetch 1: the rest waits");
        step(&mut b, |b, c| b.on_publish(c, p, msg(4), false));
        assert_eq!(ids(&b), vec![3, 4], "full: the oldest (2) was dropped");
        assert_eq!(step(&mut b, |b, c| b.on_ack(c, mid(1), b.tag_of(mid(1)))), vec![3]);
    }

    #[test]
    fn reject_and_drop_newest_refuse_the_new_message() {
        for overflow in [Overflow::Reject, Overflow::DropNewest] {
            let mut b = Broker::new(cfg(1, overflow, 0), 1, true);
            for id in 1..=3 {
                step(&mut b, |b, c| b.on_publish(c, NodeId(9), msg(id), false));
            }
            assert_eq!(ids(&b), vec![2], "{overflow:?}: 1 in flight, 2 queued, 3 refused");
        }
    }

    #[test]
    fn block_holds_publishes_until_there_is_room() {
        let mut b = Broker::new(cfg(1, Overflow::Block, 0), 1, true);
        for id in 1..=3 {
            step(&mut b, |b, c| b.on_publish(c, NodeId(9), msg(id), false));
        }
        assert_eq!((ids(&b), b.waiting.len()), (vec![2], 1), "3 is held, not lost");
        assert_eq!(step(&mut b, |b, c| b.on_ack(c, mid(1), b.tag_of(mid(1)))), vec![2]);
        assert_eq!((ids(&b), b.waiting.len()), (vec![3], 0), "room again: the held publish was accepted");
    }

    #[test]
    fn nacked_message_is_redelivered_first_then_dead_lettered() {
        let mut b = Broker::new(cfg(0, Overflow::Block, 3), 1, true);
        step(&mut b, |b, c| b.on_publish(c, NodeId(9), msg(1), false));
        step(&mut b, |b, c| b.on_publish(c, NodeId(9), msg(2), false));
        assert_eq!(
            step(&mut b, |b, c| b.on_nack(c, mid(1), b.tag_of(mid(1)))),
            vec![1],
            "back at the head: 1 again, not 2"
        );
        assert_eq!(step(&mut b, |b, c| b.on_nack(c, mid(1), b.tag_of(mid(1)))), vec![1]);
        assert_eq!(
            step(&mut b, |b, c| b.on_nack(c, mid(1), b.tag_of(mid(1)))),
            vec![2],
            "third failure: parked, 2 flows"
        );
        assert_eq!(b.dlq_len(), 1);
    }

    #[test]
    fn a_late_answer_to_an_earlier_delivery_settles_nothing() {
        let mut b =
            Broker::new(MessagingConfig { ack_timeout_ms: 100, ..cfg(0, Overflow::Block, 0) }, 1, true);
        step(&mut b, |b, c| b.on_publish(c, NodeId(9), msg(1), false));
        let first = b.tag_of(mid(1));
        assert_eq!(step(&mut b, |b, c| b.on_ack_timeout(c, mid(1))), vec![1], "delivered again");
        step(&mut b, |b, c| b.on_publish(c, NodeId(9), msg(2), false));
        assert_eq!(step(&mut b, |b, c| b.on_ack(c, mid(1), first)), Vec::<u64>::new(), "2 still waits");
        assert_eq!((b.in_flight[0], b.unacked.len()), (1, 1), "the second delivery is outstanding");
        assert_eq!(step(&mut b, |b, c| b.on_ack(c, mid(1), b.tag_of(mid(1)))), vec![2]);
    }
}
