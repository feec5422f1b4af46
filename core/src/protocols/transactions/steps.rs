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
                    self.exposed.push_back((id, order.item, ctx.now(), 0));
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
                let seen = self.exposed.remove(i).map_or(0, |e| e.3);
                if seen > 0 {
                    ctx.count("dirty_reads", seen as u64);
                    ctx.note(format!(
                        "restocked item {} of order {}: {seen} stock read(s) meanwhile counted it as sold",
                        order.item, order.id
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
