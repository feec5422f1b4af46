//! # E5 — Two-phase commit vs sagas
//!
//! **The problem.** An order touches four services, each with its own database: `payment`
//! charges the customer, `inventory` takes the item from stock, `shipping` books a courier,
//! `notification` sends the confirmation. Either all four happen or none may: a customer charged
//! for an order that never ships is the bug. There are two classic answers.
//!
//! *Two-phase commit* (2PC) makes the four act as one transaction. It is atomic, and it blocks: a
//! participant that voted yes has promised to commit if told to, so it may not decide alone and
//! must hold its locks until it learns the outcome. If the coordinator dies after the votes and
//! before the decision reaches everyone, those participants are *in doubt* and their locks stay
//! held until the coordinator comes back — everything else touching those rows waits.
//!
//! A *saga* gives up isolation instead: each step commits locally at once (no lock is held across
//! steps), and when a later step fails the earlier ones are undone by compensations run in
//! reverse (Refund, Restock, …). Nothing blocks, but everyone can see the intermediate states: a
//! stock read in the middle counts an item as gone for an order that is then cancelled.
//!
//! **Message flow, 2PC (presumed abort).** A client sends `Submit` to the `coordinator`, which
//! numbers the order and sends `Prepare` to the four participants. Each takes its lock (payment
//! the customer's account, inventory the item; shipping and notification lock nothing), waiting
//! behind other orders holding it (and voting no after `lock_wait_timeout_ms`), does the work,
//! writes its prepared record and answers `VoteYes`, or `VoteNo` (out of stock, a failure share)
//! and aborts. With four yes votes the coordinator forces the commit record to its log (taking
//! `log_write_ms`) and then sends `Commit`; participants apply, release their locks, `Ack` (a
//! duplicate `Commit` is acknowledged again, applying nothing). Until all four have acknowledged,
//! the coordinator keeps the record and sends `Commit` again every `decision_resend_ms` to those
//! whose `Ack` is missing: a lost `Commit` or a lost `Ack` costs a resend, never a stuck log. One no
//! vote (or `vote_timeout_ms` without all votes) and it sends `Abort`, writing nothing: with
//! *presumed abort* no record means abort. The client hears `Confirmed` or `Cancelled`. An
//! in-doubt participant asks `StatusQuery` every `status_query_ms`; the coordinator answers from
//! its log (no record: `Abort`) and answers nothing while it is down. Two orders can deadlock
//! across services — one holds an item at inventory and waits for an account at payment, the
//! other the reverse — and no single lock table sees the cycle: the lock-wait timeout breaks it.
//!
//! **Message flow, saga (orchestrated).** The `orchestrator` runs `Charge` → `Reserve` → `Ship` →
//! `Notify`, one at a time, each answered `Done` or `Failed`. After a failure it sends the
//! compensations of the completed steps in reverse (`CancelShipment`, `Restock`, `Refund`, each
//! answered `Undone`). Steps are idempotent and retried after `step_timeout_ms`; a step that
//! arrives after its compensation is refused, so a late retry cannot charge a cancelled order.
//! The orchestrator's saga log is durable: after a crash it resumes every unfinished saga.
//!
//! Clients also read stock (`Read` → `Stock`): in 2PC a read of an item locked by an order waits
//! for the lock (`ReadRefused` after the lock-wait timeout); in a saga it is answered at once.
//! Clients run open loop (orders and reads arrive at the workload's rate) or closed loop (each
//! keeps `concurrency` requests going; an outcome, a stock answer or a refusal, or the client's
//! timeout frees a place, taken again after a think time).
//!
//! **Roles and timers.** Clients `c1…` (`Next`: open-loop arrivals; `Think`: closed loop;
//! `Timeout`), the `coordinator` (`LogWritten`, `VoteTimeout`, `ResendDecision`) or
//! `orchestrator` (`StepTimeout`), and the services `payment`, `inventory`, `shipping`,
//! `notification` (`Work`, `LockTimeout`, `StatusQuery`, `GiveUp`).
//! Durable: the coordinator's log and order counter, the orchestrator's saga log, each service's
//! records and locks of prepared orders. Volatile: votes being collected, lock waiters.
//!
//! **Invariants.** 2PC: `atomic commit` — no order committed at one participant and aborted at
//! another. Saga: `every saga ends all-done or all-compensated`, checked once it has ended. Both:
//! `money conserved` — for each order that has ended, payment's ledger keeps its price (charges
//! minus refunds) if shipping sent its one parcel, and nothing if none: a double charge shows.
//! Set `heuristic_abort_ms` and in-doubt participants abort on their own after that long, as real
//! XA resource managers may ("heuristic decisions"): the locks are freed and atomicity is lost.
//!
//! **What to watch.** 2PC: `in_doubt` and `locks_held` per participant, `lock_wait_ms`, the badges
//! "in doubt: order 17" and "holds 2 locks", the coordinator's log tail; after a coordinator crash
//! the gauges stay up until the restart; on a lossy link `unacknowledged_commits` and
//! `decisions_resent` rise and the former falls back to 0 as resends get through. Saga: `completed`, `compensated`, `steps_compensated`
//! and `dirty_reads` (stock reads that counted an item taken by an order later restocked).
//!
//! **References.** J. Gray and A. Reuter, *Transaction Processing* (1992), ch. 10–12; P. Bernstein,
//! V. Hadzilacos and N. Goodman, *Concurrency Control and Recovery in Database Systems* (1987),
//! ch. 7; C. Mohan, B. Lindsay and R. Obermarck, "Transaction management in the R* distributed
//! database management system" (1986: presumed abort); H. Garcia-Molina and K. Salem, "Sagas"
//! (SIGMOD 1987); M. Kleppmann, *Designing Data-Intensive Applications*, ch. 9.

mod check;
mod client;
mod coordinator;
mod locks;
mod node;
mod orchestrator;
mod prepare;
mod service;
mod steps;

pub use node::{TxMsg, TxNode, TxTimer};

use crate::blocks::Generator;
use crate::dist::Dist;
use crate::ids::NodeId;
use crate::scenario::{limits, Scenario, ScenarioError};
use serde::{Deserialize, Serialize};

/// How the order's four steps are made all-or-nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxMode {
    /// One atomic transaction: prepare everywhere, then commit or abort everywhere.
    TwoPhaseCommit,
    /// Local transactions in order, compensated in reverse after a failure.
    Saga,
}

/// E5 configuration. Clients and their order rate come from the scenario's `workload`: its keys
/// are the items ordered, `read_permille` the share of requests that are stock reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransactionsConfig {
    pub mode: TxMode,
    /// Time a service spends on a prepare or a saga step.
    pub work: Dist,
    /// Customers whose accounts orders are charged to (payment locks the account in 2PC).
    #[serde(default = "ten")]
    pub customers: u32,
    /// Units of each item in stock at the start.
    #[serde(default = "thousand")]
    pub stock_per_item: u32,
    /// 2PC: time to force the commit record to the coordinator's log.
    #[serde(default = "five")]
    pub log_write_ms: u64,
    /// 2PC: a prepare (or read) waiting this long for a lock gives up: vote no (read refused).
    /// 0 = wait for ever.
    #[serde(default)]
    pub lock_wait_timeout_ms: u64,
    /// 2PC: the coordinator aborts an order whose votes are not all in after this long.
    #[serde(default = "two_thousand")]
    pub vote_timeout_ms: u64,
    /// 2PC: the coordinator sends a logged Commit again this often to the participants that
    /// have not acknowledged it, until all four have.
    #[serde(default = "thousand_u64")]
    pub decision_resend_ms: u64,
    /// 2PC: an in-doubt participant asks the coordinator for the outcome this often.
    #[serde(default = "thousand_u64")]
    pub status_query_ms: u64,
    /// 2PC: an in-doubt participant aborts on its own after this long (a heuristic decision;
    /// breaks atomicity). 0 = never, the protocol as specified.
    #[serde(default)]
    pub heuristic_abort_ms: u64,
    /// Saga: a step or compensation not answered in this time is sent again.
    #[serde(default = "thousand_u64")]
    pub step_timeout_ms: u64,
    /// Share of payment steps / prepares that fail (card declined), in parts per million.
    #[serde(default)]
    pub payment_fail_ppm: u32,
    #[serde(default)]
    pub inventory_fail_ppm: u32,
    /// No courier available.
    #[serde(default)]
    pub shipping_fail_ppm: u32,
    #[serde(default)]
    pub notification_fail_ppm: u32,
}

fn five() -> u64 {
    5
}
fn ten() -> u32 {
    10
}
fn thousand() -> u32 {
    1000
}
fn thousand_u64() -> u64 {
    1000
}
fn two_thousand() -> u64 {
    2000
}

impl TransactionsConfig {
    pub fn fail_ppm(&self) -> [u32; 4] {
        [self.payment_fail_ppm, self.inventory_fail_ppm, self.shipping_fail_ppm, self.notification_fail_ppm]
    }

    pub fn validate(&self, sc: &Scenario) -> Result<(), ScenarioError> {
        let bad = |f: &str, m: &str| ScenarioError::invalid(format!("protocol.{f}"), m.to_string());
        if sc.workload.clients == 0 || sc.workload.clients > 64 {
            return Err(ScenarioError::invalid("workload.clients", "transactions need 1 to 64 clients"));
        }
        self.work.check(0).map_err(|m| bad("work", &m))?;
        if self.customers == 0 || self.customers > 1_000_000 {
            return Err(bad("customers", "must be 1 to 1000000"));
        }
        if self.stock_per_item > 1_000_000 {
            return Err(bad("stock_per_item", "must be at most 1000000"));
        }
        let ms = [
            ("log_write_ms", self.log_write_ms, 0),
            ("lock_wait_timeout_ms", self.lock_wait_timeout_ms, 0),
            ("vote_timeout_ms", self.vote_timeout_ms, 1),
            ("decision_resend_ms", self.decision_resend_ms, 1),
            ("status_query_ms", self.status_query_ms, 1),
            ("heuristic_abort_ms", self.heuristic_abort_ms, 0),
            ("step_timeout_ms", self.step_timeout_ms, 1),
        ];
        for (field, v, min) in ms {
            if v < min || v > 600_000 {
                return Err(bad(field, &format!("must be {min} to 600000")));
            }
        }
        let fails = [
            ("payment_fail_ppm", self.payment_fail_ppm),
            ("inventory_fail_ppm", self.inventory_fail_ppm),
            ("shipping_fail_ppm", self.shipping_fail_ppm),
            ("notification_fail_ppm", self.notification_fail_ppm),
        ];
        for (field, v) in fails {
            if v > limits::PPM {
                return Err(bad(field, "must be 0 to 1000000 (parts per million)"));
            }
        }
        Ok(())
    }
}

/// The four services, in saga order; their node ids follow the clients and the coordinator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    Payment,
    Inventory,
    Shipping,
    Notification,
}

impl Service {
    pub const ALL: [Service; 4] =
        [Service::Payment, Service::Inventory, Service::Shipping, Service::Notification];

    pub fn name(self) -> &'static str {
        match self {
            Service::Payment => "payment",
            Service::Inventory => "inventory",
            Service::Shipping => "shipping",
            Service::Notification => "notification",
        }
    }
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Where everyone is: clients `0..clients`, then the coordinator, then the four services.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub clients: u32,
}

impl Layout {
    pub fn hub(self) -> NodeId {
        NodeId(self.clients)
    }
    pub fn service(self, s: Service) -> NodeId {
        NodeId(self.clients + 1 + s as u32)
    }
    pub fn services(self) -> [NodeId; 4] {
        Service::ALL.map(|s| self.service(s))
    }
}

/// Nodes: clients `c1…`, the `coordinator` (2PC) or `orchestrator` (saga), then `payment`,
/// `inventory`, `shipping` and `notification`.
pub fn build(sc: &Scenario, cfg: &TransactionsConfig) -> Vec<(String, TxNode)> {
    let layout = Layout { clients: sc.workload.clients };
    let gen = Generator::new(&sc.workload);
    let mut out: Vec<(String, TxNode)> = (1..=layout.clients)
        .map(|i| (format!("c{i}"), TxNode::client(gen.clone(), layout, cfg.customers)))
        .collect();
    match cfg.mode {
        TxMode::TwoPhaseCommit => out.push(("coordinator".into(), TxNode::coordinator(cfg, layout))),
        TxMode::Saga => out.push(("orchestrator".into(), TxNode::orchestrator(cfg, layout))),
    }
    let items = gen.keys.count();
    for s in Service::ALL {
        out.push((s.name().into(), TxNode::service(cfg, s, layout, items)));
    }
    out
}

/// A small shop for unit tests: ten customers, five of each item, no failures.
#[cfg(test)]
pub(crate) fn test_config(mode: TxMode) -> TransactionsConfig {
    TransactionsConfig {
        mode,
        work: Dist::constant_ms(10),
        customers: 10,
        stock_per_item: 5,
        log_write_ms: 5,
        lock_wait_timeout_ms: 0,
        vote_timeout_ms: 2000,
        decision_resend_ms: 1000,
        status_query_ms: 1000,
        heuristic_abort_ms: 0,
        step_timeout_ms: 1000,
        payment_fail_ppm: 0,
        inventory_fail_ppm: 0,
        shipping_fail_ppm: 0,
        notification_fail_ppm: 0,
    }
}
