//! A 2PC participant: lock, prepare and vote; then wait — in doubt, holding the locks — for the
//! coordinator's decision, asking again every `status_query_ms`.

use super::locks::Queued;
use super::node::{Order, TxMsg, TxTimer, Waiter, C};
use super::service::{Local, Record, ServiceNode};
use crate::time::SimDuration;

impl ServiceNode {
    pub(super) fn on_prepare(&mut self, ctx: &mut C<'_>, order: Order) {
        let yes = match self.records.get(&order.id).map(|r| r.state) {
            None => {
                self.lock_or_queue(ctx, order);
                return;
            }
            Some(Local::Waiting | Local::Working) => return,
            Some(Local::Prepared | Local::Committed) => true,
            Some(_) => false,
        };
        ctx.send(self.hub, TxMsg::Vote { order: order.id, yes });
    }

    fn lock_or_queue(&mut self, ctx: &mut C<'_>, order: Order) {
        let Some(res) = self.resource(&order) else {
            self.start_work(ctx, order);
            return;
        };
        if self.locks.try_lock(res, order.id) {
            ctx.observe("lock_wait_ms", SimDuration::ZERO);
            self.start_work(ctx, order);
            return;
        }
        let now = ctx.now();
        self.records.insert(order.id, Record { order, state: Local::Waiting, since: now });
        self.locks.enqueue(res, Queued::Prepare(order, now));
        if let Some(t) = self.lock_wait_timeout {
            ctx.set_timer(TxTimer::LockTimeout(Waiter::Order(order.id)), t);
        }
    }

    /// The prepare's work is done: vote. Yes means "I can commit, and will hold my locks until
    /// told"; no aborts here and now.
    pub(super) fn on_prepared_work(&mut self, ctx: &mut C<'_>, id: u64) {
        let Some(&Record { order, state: Local::Working, .. }) = self.records.get(&id) else { return };
        match self.can_do(ctx, &order) {
            Ok(()) => {
                if let Some(r) = self.records.get_mut(&id) {
                    r.state = Local::Prepared;
                    r.since = ctx.now();
                }
                self.in_doubt.insert(id);
                ctx.set_timer(TxTimer::StatusQuery(id), self.status_query);
                if let Some(t) = self.heuristic_abort {
                    ctx.set_timer(TxTimer::GiveUp(id), t);
                }
                ctx.send(self.hub, TxMsg::Vote { order: id, yes: true });
            }
            Err(why) => {
                ctx.note(format!("order {id}: {why}: voting no"));
                self.finish(ctx, order, Local::Aborted { heuristic: false });
                ctx.send(self.hub, TxMsg::Vote { order: id, yes: false });
            }
        }
    }

    pub(super) fn on_commit(&mut self, ctx: &mut C<'_>, id: u64) {
        match self.records.get(&id).copied() {
            Some(Record { order, state: Local::Prepared, .. }) => {
                self.apply(&order, false);
                self.finish(ctx, order, Local::Committed);
            }
            Some(Record { state: Local::Committed, .. }) => {}
            Some(Record { state: Local::Aborted { heuristic: true }, .. }) => ctx.note(format!(
                "the coordinator decided COMMIT for order {id}, which this participant had aborted on its own: atomicity is lost"
            )),
            other => {
                let state = other.map_or("unknown here", |r| r.state.said());
                ctx.note(format!("order {id}: Commit while {state}: nothing to apply"))
            }
        }
        ctx.send(self.hub, TxMsg::Ack { order: id });
    }

    /// Presumed abort: aborts are not acknowledged.
    pub(super) fn on_abort(&mut self, ctx: &mut C<'_>, id: u64) {
        match self.records.get(&id).copied() {
            None => {
                // Its Prepare has not arrived yet (or was lost): when it does, the vote is no.
                let order = Order { id, customer: 0, item: 0, price: 0 };
                let state = Local::Aborted { heuristic: false };
                self.records.insert(id, Record { order, state, since: ctx.now() });
                self.settle(id, state);
            }
            Some(Record { order, state: Local::Waiting, .. }) => {
                self.locks.remove(Waiter::Order(id));
                ctx.cancel_timer(TxTimer::LockTimeout(Waiter::Order(id)));
                self.settle(order.id, Local::Aborted { heuristic: false });
            }
            Some(Record { order, state: Local::Working | Local::Prepared, .. }) => {
                ctx.cancel_timer(TxTimer::Work(id));
                self.finish(ctx, order, Local::Aborted { heuristic: false });
            }
            Some(_) => {}
        }
    }

    /// The order is decided here: record it, stop doubting, release its lock.
    fn finish(&mut self, ctx: &mut C<'_>, order: Order, state: Local) {
        self.settle(order.id, state);
        if self.in_doubt.remove(&order.id) {
            ctx.cancel_timer(TxTimer::StatusQuery(order.id));
            ctx.cancel_timer(TxTimer::GiveUp(order.id));
        }
        let Some(res) = self.resource(&order) else { return };
        for next in self.locks.release(res, order.id) {
            match next {
                Queued::Read { from, req, item, since } => {
                    ctx.cancel_timer(TxTimer::LockTimeout(Waiter::Read(from, req)));
                    self.answer_read(ctx, from, req, item, Some(since));
                }
                Queued::Prepare(o, since) => {
                    ctx.cancel_timer(TxTimer::LockTimeout(Waiter::Order(o.id)));
                    ctx.observe("lock_wait_ms", ctx.now().since(since));
                    self.start_work(ctx, o);
                }
            }
        }
    }

    pub(super) fn on_lock_timeout(&mut self, ctx: &mut C<'_>, w: Waiter) {
        let Some(q) = self.locks.remove(w) else { return };
        ctx.count("lock_timeouts", 1);
        let (res, since) = match q {
            Queued::Prepare(o, since) => (self.resource(&o), since),
            Queued::Read { item, since, .. } => (Some(super::locks::Resource::Item(item)), since),
        };
        let holder = res.and_then(|r| self.locks.holder(r).map(|h| format!("{r} (held by order {h})")));
        let waited = ctx.now().since(since);
        ctx.observe("lock_wait_ms", waited);
        let on = holder.unwrap_or_else(|| "its lock".into());
        match q {
            Queued::Prepare(o, _) => {
                ctx.note(format!("order {} waited {} ms for {on}: voting no", o.id, waited.as_us() / 1000));
                self.settle(o.id, Local::Aborted { heuristic: false });
                ctx.send(self.hub, TxMsg::Vote { order: o.id, yes: false });
            }
            Queued::Read { from, req, item, .. } => {
                let client = from.0 + 1;
                ctx.note(format!(
                    "c{client}'s stock read of item {item} waited {} ms for {on}: refused",
                    waited.as_us() / 1000
                ));
                ctx.send(from, TxMsg::Stock { req, item, count: None });
            }
        }
    }

    pub(super) fn on_status_timer(&mut self, ctx: &mut C<'_>, id: u64) {
        let Some(r) = self.records.get(&id).filter(|r| r.state == Local::Prepared) else { return };
        let doubt_ms = ctx.now().since(r.since).as_us() / 1000;
        ctx.count("status_queries", 1);
        ctx.note(format!(
            "in doubt about order {id} for {doubt_ms} ms, holding its locks: asking the coordinator"
        ));
        ctx.send(self.hub, TxMsg::StatusQuery { order: id });
        ctx.set_timer(TxTimer::StatusQuery(id), self.status_query);
    }

    /// A heuristic decision: give up waiting and abort alone, freeing the locks.
    pub(super) fn on_give_up(&mut self, ctx: &mut C<'_>, id: u64) {
        let Some(&Record { order, state: Local::Prepared, since }) = self.records.get(&id) else { return };
        ctx.count("heuristic_aborts", 1);
        let ms = ctx.now().since(since).as_us() / 1000;
        ctx.note(format!(
            "in doubt about order {id} for {ms} ms: aborting on its own (heuristic) and freeing its locks"
        ));
        self.finish(ctx, order, Local::Aborted { heuristic: true });
    }

    /// After a restart: in-doubt orders still hold their locks; ask about them again.
    pub(super) fn rearm_in_doubt(&mut self, ctx: &mut C<'_>) {
        for &id in &self.in_doubt {
            ctx.set_timer(TxTimer::StatusQuery(id), self.status_query);
            if let Some(t) = self.heuristic_abort {
                ctx.set_timer(TxTimer::GiveUp(id), t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::NodeId;
    use crate::node::{Bench, Effect, Kind};
    use crate::protocols::transactions::{Service, TxMode};
    use crate::time::SimTime;

    fn inventory() -> ServiceNode {
        let cfg = crate::protocols::transactions::test_config(TxMode::TwoPhaseCommit);
        ServiceNode::new(&cfg, Service::Inventory, NodeId(1), 3)
    }

    fn order(id: u64) -> Order {
        Order { id, customer: id, item: 2, price: 20 }
    }

    /// Run one call as inventory (node 3 of 6); the kinds it sent, and whether it set a Work timer.
    fn step(
        b: &mut Bench,
        s: &mut ServiceNode,
        f: impl FnOnce(&mut ServiceNode, &mut C<'_>),
    ) -> (Vec<String>, bool) {
        let ((), out) = b.run((NodeId(3), SimTime::ZERO, 6), |ctx| f(s, ctx));
        let sent = out
            .iter()
            .filter_map(|e| match e {
                Effect::Send { to, msg } => Some(format!("{} {}", msg.kind(), to.0)),
                _ => None,
            })
            .collect();
        let works = out.iter().any(|e| matches!(e, Effect::SetTimer { timer: TxTimer::Work(_), .. }));
        (sent, works)
    }

    #[test]
    fn an_in_doubt_order_keeps_its_lock_until_the_decision_then_the_queue_moves() {
        let (mut b, mut s) = (Bench::new(1), inventory());
        assert_eq!(step(&mut b, &mut s, |s, c| s.on_prepare(c, order(1))), (vec![], true));
        assert_eq!(
            step(&mut b, &mut s, |s, c| s.on_prepare(c, order(2))),
            (vec![], false),
            "item 2 is locked"
        );
        let (sent, _) =
            step(&mut b, &mut s, |s, c| s.on_message(c, NodeId(0), TxMsg::Read { req: 9, item: 2 }));
        assert!(sent.is_empty(), "a read of a locked item waits");
        let (sent, _) = step(&mut b, &mut s, |s, c| s.on_prepared_work(c, 1));
        assert_eq!(sent, ["VoteYes 1"]);
        assert_eq!((s.in_doubt.len(), s.locks.held(), s.locks.waiting()), (1, 1, 2), "in doubt, lock held");
        let (sent, works) = step(&mut b, &mut s, |s, c| s.on_commit(c, 1));
        assert_eq!(sent, ["Ack 1"], "the read queued behind order 2's prepare: first come, first served");
        assert!(works, "order 2 got the lock and started its prepare");
        assert_eq!(s.stock_left(2), 4, "the commit took one unit");
        assert_eq!((s.in_doubt.len(), s.locks.holder(super::super::locks::Resource::Item(2))), (0, Some(2)));
        let (sent, _) = step(&mut b, &mut s, |s, c| s.on_abort(c, 2));
        assert_eq!(sent, ["Stock 0"], "presumed abort: no ack; the read behind it is answered");
        assert_eq!((s.locks.held(), s.decided(2)), (0, Some(false)));
    }
}
