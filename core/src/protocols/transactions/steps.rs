//! A service's side of a saga: run a step as a local transaction that commits at once, or undo
//! it (a compensation). Both are idempotent: repeats are answered from the record.

use super::node::{Order, TxMsg, TxTimer, C};
use super::service::{Local, Record, ServiceNode};
use super::Service;

impl ServiceNode {
    fn reply(&self, ctx: &mut C<'_>, order: u64, ok: bool) {
        ctx.send(self.hub, TxMsg::StepResult { order, service: self.service, ok });
    }

    /// Saga: a step. Repeats are answered from the record; a step arriving after its
    /// compensation is refused.
    pub(super) fn on_step(&mut self, ctx: &mut C<'_>, order: Order) {
        match self.records.get(&order.id).map(|r| r.state) {
            None => self.start_work(ctx, order),
            Some(Local::Done) => self.reply(ctx, order.id, true),
            Some(Local::Working) => {}
            Some(_) => self.reply(ctx, order.id, false),
        }
    }

    pub(super) fn on_step_work(&mut self, ctx: &mut C<'_>, id: u64) {
        let Some(&Record { order, state: Local::Working, .. }) = self.records.get(&id) else { return };
        match self.can_do(ctx, &order) {
            Ok(()) => {
                self.apply(&order, false);
                self.settle(id, Local::Done);
                if self.service == Service::Inventory {
                    self.exposed.push_back((id, order.item, ctx.now(), Vec::new()));
                }
                self.reply(ctx, id, true);
            }
            Err(why) => {
                ctx.note(format!("order {id}: {why}: step failed"));
                self.settle(id, Local::Failed);
                self.reply(ctx, id, false);
            }
        }
    }

    /// Saga: a compensation, idempotent. An order never seen is marked so a late step is refused.
    pub(super) fn on_undo(&mut self, ctx: &mut C<'_>, order: Order) {
        let state = self.records.get(&order.id).map(|r| r.state);
        if state == Some(Local::Done) {
            self.apply(&order, true);
            if let Some(i) = self.exposed.iter().position(|e| e.0 == order.id) {
                let seen = self.exposed.remove(i).map_or_else(Vec::new, |e| e.3);
                if !seen.is_empty() {
                    // Counted once: gone from the other reservations' lists too.
                    self.exposed.iter_mut().for_each(|e| e.3.retain(|r| !seen.contains(r)));
                    ctx.count("dirty_reads", seen.len() as u64);
                    ctx.note(format!(
                        "restocked item {} of order {}: {} stock read(s) meanwhile counted it as sold",
                        order.item,
                        order.id,
                        seen.len()
                    ));
                }
            }
        }
        if state == Some(Local::Working) {
            ctx.cancel_timer(TxTimer::Work(order.id));
        }
        if state.is_none() {
            self.records.insert(order.id, Record { order, state: Local::Compensated, since: ctx.now() });
        }
        self.settle(order.id, Local::Compensated);
        ctx.send(self.hub, TxMsg::Undone { order: order.id, service: self.service });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::NodeId;
    use crate::node::Bench;
    use crate::protocols::transactions::TxMode;
    use crate::time::SimTime;

    /// A read that counted two reservations of one item, both later undone, is one dirty read
    /// (review 57 C8: it counted two).
    #[test]
    fn a_read_is_counted_dirty_once_whatever_it_saw() {
        let cfg = crate::protocols::transactions::test_config(TxMode::Saga);
        let mut s = ServiceNode::new(&cfg, Service::Inventory, NodeId(1), 3);
        let mut b = Bench::new(1);
        let order = |id| Order { id, customer: id, item: 2, price: 20 };
        let mut call = |s: &mut ServiceNode, f: &dyn Fn(&mut ServiceNode, &mut C<'_>)| {
            let ((), _) = b.run((NodeId(3), SimTime::ZERO, 6), |ctx| f(s, ctx));
        };
        for id in [1, 2] {
            call(&mut s, &|s, c| s.on_step(c, order(id)));
            call(&mut s, &|s, c| s.on_step_work(c, id));
        }
        call(&mut s, &|s, c| s.on_message(c, NodeId(0), TxMsg::Read { req: 9, item: 2 }));
        call(&mut s, &|s, c| s.on_undo(c, order(1)));
        call(&mut s, &|s, c| s.on_undo(c, order(2)));
        assert_eq!(b.metrics().counter("dirty_reads", None), 1);
    }
}
