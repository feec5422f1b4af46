//! # E1–E3 — Queues, backpressure, dead letters and idempotency
//!
//! **The problem.** A producer hands work to a queue and consumers take it off. When producers
//! are faster than consumers the queue grows without limit (memory, and end-to-end latency, grow
//! with it) unless something gives: the queue blocks the producer (backpressure), rejects or drops
//! messages, or more consumers join (E1). A message that can never be processed (a *poison*
//! message) is redelivered for ever and, at the head of the queue, blocks everything behind it,
//! unless it is parked in a dead-letter queue after N tries (E2). Delivery is at least once: when
//! an acknowledgement is lost the broker delivers the message again, and a consumer that charges a
//! payment charges it twice, unless the charge carries an idempotency key that a dedup store
//! remembers: at-least-once delivery + idempotency = effectively once (E3).
//!
//! **Message flow.** Producers send `Publish` to the `broker`. The broker queues it (or, when the
//! queue is full, answers `Rejected`, drops it, drops the oldest, or holds it and answers
//! `Accepted` only when there is room: a producer waits once `publish_window` publishes are
//! unconfirmed), and sends `Deliver` to the consumers in turn, round-robin among those holding
//! fewer than `prefetch` messages unacknowledged (as RabbitMQ does). A consumer works on the
//! message and answers `Ack` (done) or `Nack` (failed: a poison message). With `payments`, the
//! consumer first sends `Charge` to the `ledger` and acks after `Charged`, charging again (the same
//! order, the same key) while no `Charged` comes.
//!
//! A consumer starting (at the start of the run, and after a restart) registers with `Consume`,
//! naming its session (when it started); the broker answers `ConsumeOk`. A crash is silent, so the
//! broker learns a consumer died when it comes back under a new session: what the old session
//! held unacknowledged goes back to the head of the queue and its prefetch slots are free again,
//! as RabbitMQ requeues a closed channel's unacknowledged deliveries. (RabbitMQ learns of the
//! closed connection at once; the simulator has no connections, and a heartbeat would add traffic
//! to every run. Until the restart — for good, if the consumer stays down — what it held waits,
//! unless `ack_timeout_ms` delivers it again sooner.)
//!
//! The broker keeps everything in memory: a crash loses its queue, the deliveries awaiting an
//! answer, the publishes it holds and its dead-letter queue. The consumers that joined stay.
//!
//! Producers run open loop, or closed loop with overflow `block`, whose broker answers every
//! publish it takes (`Accepted`): each producer keeps `concurrency` publishes going (sent, or
//! waiting for a place in its window) and publishes the next a think time after each `Accepted`.
//! The loop waits for the broker, not the consumers: on an unbounded queue it still outruns slow
//! ones. With reject or drop the broker answers nothing for a message it takes, so a closed loop
//! would have nothing to wait for: it is refused. Open-loop producers on an unbounded queue wait
//! for nothing either, and get no `Accepted`.
//!
//! **Roles and timers.** Producers `p1…` (`Next`: open-loop arrivals from the scenario's workload;
//! `Think`: closed loop; `Confirm`, in block mode: a publish not accepted within 1 s — it or its
//! answer was lost, or the broker crashed holding it — is sent again, and a broker that still has
//! it takes it once), the `broker` (`AckTimeout`: a delivery not acknowledged in time is
//! delivered again), consumers `k1…` (`Work`; `ChargeRetry`: no `Charged` 250 ms after a
//! `Charge`, it is sent again — a lost one would otherwise hold the consumer for good; `Register`:
//! no `ConsumeOk` 1 s after a `Consume`, it is sent again), and, when
//! payments are charged, the `ledger`.
//!
//! **Invariants.** `no payment charged twice`: the ledger reports a violation when an order it has
//! already charged is charged again (it happens only without idempotency keys).
//!
//! **What to watch.** `queue_depth` and `e2e_latency_ms` (E1: the latency counts from the moment
//! the producer created the message, so time spent waiting at a blocked producer is included),
//! `dlq_depth` and `consumed` while a poison message is in the queue (E2), `redelivered`,
//! `charges`, `deduplicated` and the violations (E3). Per-producer `producer_backlog` shows
//! backpressure reaching the producer. With `initial_consumers`, the consumers past it show a
//! `standby` badge until the broker, scaling on queue depth, hands them their first message.
//!
//! **References.** G. Hohpe and B. Woolf, *Enterprise Integration Patterns* (2003): Dead Letter
//! Channel, Idempotent Receiver; RabbitMQ and Amazon SQS documentation (prefetch, visibility
//! timeout, redrive policy); Stripe, "Designing robust and predictable APIs with idempotency".

mod broker;
mod node;
mod producer;

pub use node::{EvMsg, EvNode, EvTimer};

use crate::blocks::Generator;
use crate::dist::Dist;
use crate::scenario::{limits, Arrival, Scenario, ScenarioError};
use serde::{Deserialize, Serialize};

/// What a full queue does with a new message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Overflow {
    /// Hold the publish until there is room; producers, which keep at most `publish_window`
    /// publishes unconfirmed, wait (backpressure).
    #[default]
    Block,
    /// Refuse the message; the producer is told.
    Reject,
    /// Silently discard the new message.
    DropNewest,
    /// Discard the oldest queued message to make room.
    DropOldest,
}

/// E1–E3 configuration. Producers and their rate come from the scenario's `workload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagingConfig {
    /// Queue capacity (0 = unbounded).
    #[serde(default)]
    pub capacity: u32,
    #[serde(default)]
    pub overflow: Overflow,
    /// Consumer nodes.
    pub consumers: u32,
    /// Consumers working from the start; the broker adds one (up to `consumers`) whenever the
    /// depth reaches `scale_up_depth` (0 = never), at most once per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_consumers: Option<u32>,
    #[serde(default)]
    pub scale_up_depth: u32,
    /// Time a consumer spends on one message.
    pub work: Dist,
    /// Block mode: publishes a producer may have unconfirmed before it waits.
    #[serde(default = "four")]
    pub publish_window: u32,
    /// Messages a consumer may hold unacknowledged.
    #[serde(default = "one")]
    pub prefetch: u32,
    /// Share of messages that can never be processed, in parts per million.
    #[serde(default)]
    pub poison_ppm: u32,
    /// After this many failed deliveries a message goes to the dead-letter queue (0 = never:
    /// it is redelivered for ever, at the head of the queue).
    #[serde(default)]
    pub max_deliveries: u32,
    /// Deliver again if no acknowledgement comes within this time (0 = wait for ever: a consumer
    /// that crashed gives back what it held only when it restarts and registers again).
    #[serde(default)]
    pub ack_timeout_ms: u64,
    /// Consumers charge a payment on the `ledger` for every message.
    #[serde(default)]
    pub payments: bool,
    /// Charges carry the message id as an idempotency key; the ledger's dedup store ignores repeats.
    #[serde(default)]
    pub idempotency_keys: bool,
}

fn one() -> u32 {
    1
}
fn four() -> u32 {
    4
}

impl MessagingConfig {
    pub fn initial(&self) -> u32 {
        self.initial_consumers.unwrap_or(self.consumers).clamp(1, self.consumers.max(1))
    }

    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        let bad = |f: &str, m: &str| ScenarioError::invalid(format!("protocol.{f}"), m.to_string());
        let producers = sc.workload.clients;
        if producers == 0 {
            return Err(ScenarioError::invalid("workload.clients", "need at least one producer"));
        }
        if self.consumers == 0 || producers + self.consumers + 2 > limits::MAX_NODES {
            let most = limits::MAX_NODES.saturating_sub(producers + 2);
            return Err(bad(
                "consumers",
                &format!(
                    "must be 1 to {most} (512 nodes in all, with the producers, the broker and the ledger)"
                ),
            ));
        }
        if self.initial_consumers.is_some_and(|i| i == 0 || i > self.consumers) {
            return Err(bad("initial_consumers", "must be 1 to `consumers`"));
        }
        if self.capacity > 1_000_000 {
            return Err(bad("capacity", "must be at most 1000000"));
        }
        if self.scale_up_depth > 1_000_000 {
            return Err(bad("scale_up_depth", "must be at most 1000000"));
        }
        self.work.check(0).map_err(|m| bad("work", &m))?;
        if self.prefetch == 0 || self.prefetch > 1000 {
            return Err(bad("prefetch", "must be 1 to 1000"));
        }
        if self.publish_window == 0 || self.publish_window > 1000 {
            return Err(bad("publish_window", "must be 1 to 1000"));
        }
        if self.poison_ppm > limits::PPM {
            return Err(bad("poison_ppm", "must be at most 1000000 (100 %)"));
        }
        if self.max_deliveries > 1000 {
            return Err(bad("max_deliveries", "must be at most 1000"));
        }
        if self.ack_timeout_ms > 3_600_000 {
            return Err(bad("ack_timeout_ms", "must be at most 3600000"));
        }
        if self.idempotency_keys && !self.payments {
            return Err(bad("idempotency_keys", "only meaningful with payments"));
        }
        if matches!(sc.workload.arrival, Arrival::Closed { .. }) && self.overflow != Overflow::Block {
            return Err(ScenarioError::invalid(
                "workload.arrival",
                "a closed loop publishes its next message when the broker accepts one, and only \
                 overflow \"block\" says so (`Accepted`): with reject or drop the broker answers \
                 nothing for a message it takes. Use overflow \"block\", or an open arrival",
            ));
        }
        Ok(())
    }
}

/// The nodes: producers `p1…`, the `broker`, consumers `k1…`, and the `ledger` when payments are charged.
pub fn build(sc: &Scenario, cfg: &MessagingConfig) -> Vec<(String, EvNode)> {
    let producers = sc.workload.clients;
    let broker = crate::ids::NodeId(producers);
    // Only a run that charges payments has a ledger (and the invariant it reports).
    let ledger = cfg.payments.then_some(crate::ids::NodeId(producers + 1 + cfg.consumers));
    let gen = Generator::new(&sc.workload);
    // An unbounded queue never holds a publish, so open-loop producers need no window there; a
    // closed loop waits for each `Accepted` whatever the capacity.
    let closed_loop = gen.concurrency() > 0;
    let confirms = cfg.overflow == Overflow::Block && (cfg.capacity > 0 || closed_loop);
    let window = if confirms { cfg.publish_window } else { 0 };
    let mut out: Vec<(String, EvNode)> = (1..=producers)
        .map(|i| (format!("p{i}"), EvNode::producer(gen.clone(), broker, cfg.poison_ppm, window)))
        .collect();
    out.push(("broker".into(), EvNode::broker(cfg.clone(), producers + 1, confirms)));
    for i in 1..=cfg.consumers {
        let standby = (i > cfg.initial()).then_some(cfg.scale_up_depth);
        out.push((format!("k{i}"), EvNode::consumer(cfg, broker, ledger, standby)));
    }
    if ledger.is_some() {
        out.push(("ledger".into(), EvNode::ledger()));
    }
    out
}
