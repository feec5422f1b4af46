//! The 2PC coordinator, presumed abort: collect votes, force the commit record, send the
//! decision, re-send it every `decision_resend_ms` to the participants that have not acknowledged
//! it (and to all after a restart), answer in-doubt participants' queries.

use super::node::{price_of, Order, TxMsg, TxTimer, C};
use super::{Layout, Service, TransactionsConfig};
use crate::ids::NodeId;
use crate::node::Kind;
use crate::time::SimDuration;
use crate::view::NodeView;
use std::collections::BTreeMap;

/// All four participants answered (a bit per participant).
const ALL: u8 = 0b1111;

/// An order whose votes are being collected (volatile: a crash forgets it, and with no log record
/// its participants will hear "abort" when they ask).
#[derive(Clone, Debug)]
struct Pending {
    client: NodeId,
    req: u64,
    yes: u8,
    /// The commit record is being forced to the log.
    logging: bool,
}

/// A commit record in the durable log (presumed abort logs no aborts); `ended` is its end record,
/// written once all four acknowledged; `acks` (volatile) says who has.
#[derive(Clone, Debug)]
pub struct Record {
    pub ended: bool,
    acks: u8,
}

#[derive(Clone, Debug)]
pub struct Coordinator {
    layout: Layout,
    log_write: SimDuration,
    vote_timeout: SimDuration,
    decision_resend: SimDuration,
    // Durable.
    next_order: u64,
    pub log: BTreeMap<u64, Record>,
    // Volatile.
    pending: BTreeMap<u64, Pending>,
    started: bool,
}

impl Coordinator {
    pub fn new(cfg: &TransactionsConfig, layout: Layout) -> Self {
        Coordinator {
            layout,
            log_write: SimDuration::from_ms(cfg.log_write_ms),
            vote_timeout: SimDuration::from_ms(cfg.vote_timeout_ms),
            decision_resend: SimDuration::from_ms(cfg.decision_resend_ms),
            next_order: 0,
            log: BTreeMap::new(),
            pending: BTreeMap::new(),
            started: false,
        }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["committed", "aborted", "presumed_aborts", "decisions_resent"]);
        if !self.started {
            self.started = true;
            ctx.gauge_here("unacknowledged_commits", 0);
            return;
        }
        // A restart: every commit not known to be applied everywhere is sent again.
        let unended: Vec<u64> = self.log.iter().filter(|(_, r)| !r.ended).map(|(&o, _)| o).collect();
        let resend = match unended.len() {
            0 => "every commit in the log was acknowledged".to_string(),
            n => format!("re-sending the {n} commit(s) in the log not yet acknowledged by everyone"),
        };
        ctx.note(format!(
            "restarted: {resend}; orders that were collecting votes are forgotten (presumed abort: \
             participants that ask will hear Abort)"
        ));
        for order in unended {
            ctx.count("decisions_resent", 1);
            for p in self.layout.services() {
                ctx.send(p, TxMsg::Commit { order });
            }
            ctx.set_timer(TxTimer::ResendDecision(order), self.decision_resend);
        }
    }

    pub fn crash(&mut self) {
        self.pending.clear();
        self.log.values_mut().for_each(|r| r.acks = 0);
    }

    pub fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: TxMsg) {
        match msg {
            TxMsg::Submit { req, customer, item } => self.on_submit(ctx, from, req, customer, item),
            TxMsg::Vote { order, yes } => self.on_vote(ctx, from, order, yes),
            TxMsg::Ack { order } => self.on_ack(ctx, from, order),
            TxMsg::StatusQuery { order } => self.on_status_query(ctx, from, order),
            m => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: TxTimer) {
        match timer {
            TxTimer::LogWritten(order) => self.on_logged(ctx, order),
            TxTimer::ResendDecision(order) => self.on_resend(ctx, order),
            TxTimer::VoteTimeout(order) => {
                if self.pending.get(&order).is_some_and(|p| !p.logging) {
                    ctx.note(format!("order {order}: not every participant voted in time: abort"));
                    self.abort(ctx, order);
                }
            }
            t => ctx.ignored_timer(&t),
        }
    }

    fn on_submit(&mut self, ctx: &mut C<'_>, client: NodeId, req: u64, customer: u64, item: u64) {
        self.next_order += 1;
        let order = Order { id: self.next_order, customer, item, price: price_of(item) };
        self.pending.insert(order.id, Pending { client, req, yes: 0, logging: false });
        for p in self.layout.services() {
            ctx.send(p, TxMsg::Prepare { order });
        }
        ctx.set_timer(TxTimer::VoteTimeout(order.id), self.vote_timeout);
    }

    fn bit(&self, from: NodeId) -> u8 {
        let i = from.0.saturating_sub(self.layout.hub().0 + 1);
        if i < 4 {
            1 << i
        } else {
            0
        }
    }

    fn on_vote(&mut self, ctx: &mut C<'_>, from: NodeId, order: u64, yes: bool) {
        let bit = self.bit(from);
        let Some(p) = self.pending.get_mut(&order) else {
            ctx.ignored("late_votes", &format!("ignored a vote on order {order}: already decided"));
            return;
        };
        if !yes {
            self.abort(ctx, order);
            return;
        }
        p.yes |= bit;
        if p.yes == ALL && !p.logging {
            p.logging = true;
            ctx.cancel_timer(TxTimer::VoteTimeout(order));
            ctx.note(format!("order {order}: all 4 voted yes; forcing the commit record to the log"));
            ctx.set_timer(TxTimer::LogWritten(order), self.log_write);
        }
    }

    /// The commit record is durable: from now on the order commits, whatever happens.
    fn on_logged(&mut self, ctx: &mut C<'_>, order: u64) {
        let Some(p) = self.pending.remove(&order) else { return };
        self.log.insert(order, Record { ended: false, acks: 0 });
        ctx.count("committed", 1);
        let open = self.log.values().filter(|r| !r.ended).count();
        ctx.gauge_here("unacknowledged_commits", open as i64);
        for s in self.layout.services() {
            ctx.send(s, TxMsg::Commit { order });
        }
        ctx.set_timer(TxTimer::ResendDecision(order), self.decision_resend);
        ctx.send(p.client, TxMsg::Outcome { req: p.req, order, ok: true });
    }

    /// No end record yet: the Commit (or its Ack) was lost on the way. Send it again to the
    /// participants whose Ack is missing, and again after the same wait, until all four answered.
    fn on_resend(&mut self, ctx: &mut C<'_>, order: u64) {
        let Some(r) = self.log.get(&order).filter(|r| !r.ended) else { return };
        let missing: Vec<Service> =
            Service::ALL.into_iter().filter(|&s| r.acks & self.bit(self.layout.service(s)) == 0).collect();
        let names: Vec<&str> = missing.iter().map(|&s| s.name()).collect();
        ctx.count("decisions_resent", 1);
        ctx.note(format!(
            "order {order}: no Ack from {} after {} ms: sending Commit again",
            names.join(", "),
            self.decision_resend.as_us() / 1000
        ));
        for s in missing {
            ctx.send(self.layout.service(s), TxMsg::Commit { order });
        }
        ctx.set_timer(TxTimer::ResendDecision(order), self.decision_resend);
    }

    /// Presumed abort: nothing is logged; a participant that asks later hears "abort" all the same.
    fn abort(&mut self, ctx: &mut C<'_>, order: u64) {
        let Some(p) = self.pending.remove(&order) else { return };
        ctx.cancel_timer(TxTimer::VoteTimeout(order));
        ctx.count("aborted", 1);
        for s in self.layout.services() {
            ctx.send(s, TxMsg::Abort { order });
        }
        ctx.send(p.client, TxMsg::Outcome { req: p.req, order, ok: false });
    }

    fn on_ack(&mut self, ctx: &mut C<'_>, from: NodeId, order: u64) {
        let bit = self.bit(from);
        let Some(r) = self.log.get_mut(&order) else { return };
        r.acks |= bit;
        if r.acks == ALL && !r.ended {
            r.ended = true;
            ctx.cancel_timer(TxTimer::ResendDecision(order));
            let open = self.log.values().filter(|r| !r.ended).count();
            ctx.gauge_here("unacknowledged_commits", open as i64);
        }
    }

    fn on_status_query(&mut self, ctx: &mut C<'_>, from: NodeId, order: u64) {
        if self.log.contains_key(&order) {
            ctx.send(from, TxMsg::Commit { order });
        } else if self.pending.contains_key(&order) {
            // Still collecting votes: the participant keeps waiting.
        } else {
            ctx.count("presumed_aborts", 1);
            ctx.note(format!("no record of order {order} in the log: presumed abort"));
            ctx.send(from, TxMsg::Abort { order });
        }
    }

    pub fn view(&self) -> NodeView {
        let tail: Vec<String> = self
            .log
            .iter()
            .rev()
            .take(4)
            .map(|(o, r)| format!("{o} commit{}", if r.ended { " ✓" } else { " (acks due)" }))
            .collect();
        let deciding = self.pending.len();
        let mut v = NodeView::new("coordinator", format!("{deciding} deciding, {} logged", self.log.len()))
            .field("orders numbered", self.next_order)
            .field("collecting votes", deciding)
            .field("log tail", if tail.is_empty() { "-".into() } else { tail.join(", ") });
        let unacked = self.log.values().filter(|r| !r.ended).count();
        if unacked > 0 {
            v = v.badge(&format!("{unacked} commit{} unacked", if unacked == 1 { "" } else { "s" }));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::node::{Bench, Effect};
    use crate::time::SimTime;

    fn cfg() -> TransactionsConfig {
        let mut sc = crate::presets::get("e5-2pc-coordinator-crash").expect("preset");
        match &mut sc.protocol {
            crate::protocols::ProtocolConfig::Transactions(c) => {
                c.work = Dist::constant_ms(1);
                c.clone()
            }
            _ => panic!("not a transactions preset"),
        }
    }

    /// Run one coordinator call (node 1 of 6: a client, the coordinator, four services).
    fn step(
        bench: &mut Bench,
        c: &mut Coordinator,
        f: impl FnOnce(&mut Coordinator, &mut C<'_>),
    ) -> Vec<String> {
        let ((), out) = bench.run((NodeId(1), SimTime::ZERO, 6), |ctx| f(c, ctx));
        out.iter()
            .filter_map(|e| match e {
                Effect::Send { to, msg } => Some(format!("{} {}", msg.kind(), to.0)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_logged_commit_is_sent_again_after_a_restart_and_a_forgotten_order_is_presumed_aborted() {
        let (mut bench, mut c) = (Bench::new(1), Coordinator::new(&cfg(), Layout { clients: 1 }));
        step(&mut bench, &mut c, |c, ctx| c.init(ctx));
        let sent = step(&mut bench, &mut c, |c, ctx| c.on_submit(ctx, NodeId(0), 1, 3, 2));
        assert_eq!(sent, ["Prepare 2", "Prepare 3", "Prepare 4", "Prepare 5"]);
        for p in 2..6 {
            step(&mut bench, &mut c, |c, ctx| c.on_vote(ctx, NodeId(p), 1, true));
        }
        let sent = step(&mut bench, &mut c, |c, ctx| c.on_logged(ctx, 1));
        assert_eq!(sent, ["Commit 2", "Commit 3", "Commit 4", "Commit 5", "Confirmed 0"]);
        step(&mut bench, &mut c, |c, ctx| c.on_ack(ctx, NodeId(2), 1));
        // A second order is collecting votes when the coordinator crashes.
        step(&mut bench, &mut c, |c, ctx| c.on_submit(ctx, NodeId(0), 2, 3, 2));
        c.crash();
        let sent = step(&mut bench, &mut c, |c, ctx| c.init(ctx));
        assert_eq!(sent, ["Commit 2", "Commit 3", "Commit 4", "Commit 5"], "order 1 from the log, to all");
        let sent = step(&mut bench, &mut c, |c, ctx| c.on_status_query(ctx, NodeId(4), 2));
        assert_eq!(sent, ["Abort 4"], "order 2 left no record: presumed abort");
        let sent = step(&mut bench, &mut c, |c, ctx| c.on_status_query(ctx, NodeId(4), 1));
        assert_eq!(sent, ["Commit 4"]);
        assert_eq!(bench.metrics().counter("presumed_aborts", None), 1);
    }

    #[test]
    fn a_commit_is_sent_again_only_to_the_participants_whose_ack_is_missing_until_all_answered() {
        let (mut bench, mut c) = (Bench::new(1), Coordinator::new(&cfg(), Layout { clients: 1 }));
        step(&mut bench, &mut c, |c, ctx| c.init(ctx));
        step(&mut bench, &mut c, |c, ctx| c.on_submit(ctx, NodeId(0), 1, 3, 2));
        for p in 2..6 {
            step(&mut bench, &mut c, |c, ctx| c.on_vote(ctx, NodeId(p), 1, true));
        }
        step(&mut bench, &mut c, |c, ctx| c.on_logged(ctx, 1));
        // payment and shipping acknowledged; inventory's Commit or Ack was lost, notification's too.
        step(&mut bench, &mut c, |c, ctx| c.on_ack(ctx, NodeId(2), 1));
        step(&mut bench, &mut c, |c, ctx| c.on_ack(ctx, NodeId(4), 1));
        let sent = step(&mut bench, &mut c, |c, ctx| c.on_timer(ctx, TxTimer::ResendDecision(1)));
        assert_eq!(sent, ["Commit 3", "Commit 5"], "only to the two that have not acknowledged");
        step(&mut bench, &mut c, |c, ctx| c.on_ack(ctx, NodeId(5), 1));
        let sent = step(&mut bench, &mut c, |c, ctx| c.on_timer(ctx, TxTimer::ResendDecision(1)));
        assert_eq!(sent, ["Commit 3"], "and again, until inventory answers");
        step(&mut bench, &mut c, |c, ctx| c.on_ack(ctx, NodeId(3), 1));
        step(&mut bench, &mut c, |c, ctx| c.on_ack(ctx, NodeId(3), 1));
        assert!(c.log.get(&1).is_some_and(|r| r.ended), "all four acknowledged: the end record");
        let sent = step(&mut bench, &mut c, |c, ctx| c.on_timer(ctx, TxTimer::ResendDecision(1)));
        assert!(sent.is_empty(), "a stale timer sends nothing");
        assert_eq!(bench.metrics().counter("decisions_resent", None), 2);
    }
}
