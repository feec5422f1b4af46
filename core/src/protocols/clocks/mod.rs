//! # D6 — Logical clocks and causal delivery
//!
//! **The problem.** Processes have no shared clock, and their physical clocks drift, so "which
//! happened first?" cannot be answered by timestamps. Lamport's *happened-before* relation is
//! what can be known: `a → b` if `a` precedes `b` on one process, or `a` is the send of a message
//! whose receive is `b`, or by transitivity. Events related by neither order are *concurrent*.
//!
//! **Clocks** ([`vclock`]). A Lamport clock is one counter: `+1` on every event, `max(own,
//! received) + 1` on a receive; `a → b` implies `L(a) < L(b)`, but a smaller Lamport timestamp does
//! not mean "happened before" — it also orders concurrent events arbitrarily. A vector clock keeps
//! one counter per process and characterises the relation exactly: `a → b` iff `V(a) < V(b)`.
//! Every send, receive and local event is annotated in the trace (`ctx.clock`: a note labelled
//! `clock`, e.g. `L=5 V=[1,0,2] receive from p3`), so the space-time diagram shows the clocks.
//!
//! **Applications.**
//! - `gossip`: each process `p1…` acts on its `Event` timer (exponential gaps, mean
//!   `event_every_ms`): with probability `send_permille` it sends `Ping` (carrying both clocks) to a
//!   random peer, else it records a local event. A process also takes `send` (key: `p2`) and
//!   `local` as client requests, by hand or from the script; with `event_every_ms = 0` those are
//!   its only events, so a scenario can draw a textbook figure event by event. On each receive it notes whether the message's
//!   send event and its own previous event were concurrent (`concurrent_receipts`,
//!   `ordered_receipts`) and counts the concurrent pairs whose Lamport timestamps still differ —
//!   an order Lamport clocks suggest that did not happen (`lamport_false_order`).
//! - `bank`: `p1` (accounts) broadcasts `AccountCreated #k` every `event_every_ms`; `p2` (payments),
//!   on applying an account, broadcasts a `Payment` to it; every process applies both. If the
//!   link from p1 to a ledger is slow, the payment overtakes the account: with
//!   `causal_delivery = false` the ledger applies a payment to an account it does not have
//!   (violation `causal_order`, counter `out_of_order`). With `causal_delivery = true` each
//!   broadcast carries its dependencies (broadcasts delivered at the sender, Birman–Schiper–
//!   Stephenson) and a receiver holds it back until they are delivered (`held_back` and
//!   `holdback_queue` per process, both from the start so an idle ledger shows its 0; the queue
//!   is sampled at its peak since the last sample, as holds are shorter than a sample; `holdback_ms`
//!   over all). A copy of a broadcast it already has, delivered or held (a duplicate the network
//!   made), it ignores: the copy could never be delivered, so held back it would wait for ever.
//! - Repair. The algorithm assumes reliable links: a broadcast lost on the wire, or gone with a
//!   ledger's hold-back queue when it crashed, would hold every later one from its sender back
//!   for ever. So a receiver that has held a broadcast back `repair_after_ms` asks each sender
//!   for the broadcasts it lacks (`Resend`, from the next it would deliver to the last a held one
//!   depends on), and asks again as often while it still holds one; senders keep what they sent
//!   (`resend_requests` per process, `resent`). A lost broadcast that nothing later depends on
//!   goes unnoticed: nothing says it exists. `repair_after_ms = 0` never asks.
//!
//! **What to watch.** The clock notes on every event; a receive merging a vector (`[2,0,0]` +
//! `[0,3,1]` → `[2,4,1]`); the note "concurrent (∥)". In the bank run, p3's `Payment` arriving before
//! `AccountCreated` — a red violation without causal delivery, a *hold back* note and the `holding
//! back` badge with it.
//!
//! **References.** L. Lamport, *Time, clocks, and the ordering of events in a distributed system*
//! (CACM 1978); C. Fidge (1988) and F. Mattern (1989) on vector time; K. Birman, A. Schiper, P.
//! Stephenson, *Lightweight causal and atomic group multicast* (TOCS 1991).

mod node;
pub mod vclock;

pub use node::{Body, Broadcast, ClockMsg, ClockTimer, Process};
pub use vclock::{Lamport, VectorClock};

use crate::scenario::{Scenario, ScenarioError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Which application the processes run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClocksApp {
    /// Random local events and point-to-point messages.
    #[default]
    Gossip,
    /// Accounts and payments broadcast to every process.
    Bank,
}

/// D6 configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClocksConfig {
    #[serde(default)]
    pub app: ClocksApp,
    pub processes: u32,
    /// Gossip: mean gap between a process's events (0: none at random, only the script's `send`
    /// and `local` requests, for a textbook figure). Bank: gap between new accounts (0: none, so
    /// nothing happens: a bank takes no requests).
    pub event_every_ms: u64,
    /// Gossip: share of events that are sends, per mille.
    #[serde(default = "half")]
    pub send_permille: u32,
    /// Bank: hold broadcasts back until their causal dependencies are delivered.
    #[serde(default)]
    pub causal_delivery: bool,
    /// No new events from here on (0 = never stop).
    #[serde(default)]
    pub events_until_ms: u64,
    /// Bank with causal delivery: a receiver that has held a broadcast back this long asks the
    /// senders for the broadcasts it is missing, and asks again as often while it still holds
    /// one (0: never asks, the textbook algorithm, which assumes reliable links).
    #[serde(default = "repair_after")]
    pub repair_after_ms: u64,
}

fn half() -> u32 {
    500
}

fn repair_after() -> u64 {
    250
}

impl ClocksConfig {
    pub fn validate(&self, _sc: &Scenario) -> Result<(), ScenarioError> {
        let min = if self.app == ClocksApp::Bank { 3 } else { 2 };
        if self.processes < min || self.processes > 16 {
            return Err(ScenarioError::invalid("protocol.processes", format!("must be {min} to 16")));
        }
        if self.event_every_ms > 600_000 {
            let why = "must be 0 to 600000 ms (0: nothing at random, only what the script does)";
            return Err(ScenarioError::invalid("protocol.event_every_ms", why));
        }
        if self.repair_after_ms > 600_000 {
            let why = "must be 0 to 600000 ms (0: never ask for a missing broadcast)";
            return Err(ScenarioError::invalid("protocol.repair_after_ms", why));
        }
        if self.send_permille > 1000 {
            return Err(ScenarioError::invalid("protocol.send_permille", "must be 0 to 1000"));
        }
        Ok(())
    }
}

/// The processes `p1…` of a D6 run.
pub fn build(_sc: &Scenario, cfg: &ClocksConfig) -> Vec<(String, Process)> {
    let cfg = Arc::new(cfg.clone());
    (0..cfg.processes).map(|i| (format!("p{}", i + 1), Process::new(cfg.clone(), i))).collect()
}
