//! The saga orchestrator: runs Charge → Reserve → Ship → Notify one step at a time; after a
//! failure, the compensations of the completed steps in reverse. Its saga log is durable: after a
//! restart it resumes every unfinished saga where it stood.

use super::node::{price_of, step_kind, Order, TxMsg, TxTimer, C};
use super::service::RECENT;
use super::{Layout, Service, TransactionsConfig};
use crate::ids::NodeId;
use crate::node::Kind;
use crate::time::SimDuration;
use crate::view::NodeView;
use std::collections::{BTreeMap, VecDeque};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Forward,
    Compensating,
}

#[derive(Clone, Copy, Debug)]
struct Saga {
    order: Order,
    client: NodeId,
    req: u64,
    /// Index into [`Service::ALL`] of the step (or compensation) in progress.
    step: usize,
    phase: Phase,
}

impl Saga {
    fn service(&self) -> Service {
        Service::ALL.get(self.step).copied().unwrap_or(Service::Notification)
    }
}

#[derive(Clone, Debug)]
pub struct Orchestrator {
    layout: Layout,
    step_timeout: SimDuration,
    started: bool,
    // Durable: the saga log.
    next_order: u64,
    sagas: BTreeMap<u64, Saga>,
    /// Sagas ended lately and whether they completed, for the live checks.
    pub ended: VecDeque<(u64, bool)>,
    completed: u64,
    compensated: u64,
}

impl Orchestrator {
    pub fn new(cfg: &TransactionsConfig, layout: Layout) -> Self {
        Orchestrator {
            layout,
            step_timeout: SimDuration::from_ms(cfg.step_timeout_ms),
            started: false,
            next_order: 0,
            sagas: BTreeMap::new(),
            ended: VecDeque::new(),
            completed: 0,
            compensated: 0,
        }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["completed", "compensated", "steps_compensated", "step_retries"]);
        ctx.gauge_here("sagas_in_flight", self.sagas.len() as i64);
        if !self.started {
            self.started = true;
            return;
        }
        ctx.note(format!("restarted: resuming {} unfinished saga(s) from the saga log", self.sagas.len()));
        let ids: Vec<u64> = self.sagas.keys().copied().collect();
        for id in ids {
            self.send_current(ctx, id);
        }
    }

    /// Nothing to lose: the saga log is durable and the timers are the simulator's.
    pub fn crash(&mut self) {}

    pub fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: TxMsg) {
        match msg {
            TxMsg::Submit { req, customer, item } => {
                self.next_order += 1;
                let order = Order { id: self.next_order, customer, item, price: price_of(item) };
                let saga = Saga { order, client: from, req, step: 0, phase: Phase::Forward };
                self.sagas.insert(order.id, saga);
                self.send_current(ctx, order.id);
            }
            TxMsg::StepResult { order, service, ok } => self.on_result(ctx, order, service, ok),
            TxMsg::Undone { order, service } => self.on_undone(ctx, order, service),
            m => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
        ctx.gauge_here("sagas_in_flight", self.sagas.len() as i64);
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: TxTimer) {
        match timer {
            TxTimer::StepTimeout(id) => {
                let Some(s) = self.sagas.get(&id) else { return };
                ctx.count("step_retries", 1);
                let verb = step_kind(s.service(), s.phase == Phase::Compensating);
                ctx.note(format!(
                    "order {id}: no answer to {verb} from {}: sending it again",
                    s.service().name()
                ));
                self.send_current(ctx, id);
            }
            t => ctx.ignored_timer(&t),
        }
    }

    fn send_current(&mut self, ctx: &mut C<'_>, id: u64) {
        let Some(s) = self.sagas.get(&id) else { return };
        let (service, undo) = (s.service(), s.phase == Phase::Compensating);
        ctx.send(self.layout.service(service), TxMsg::Step { order: s.order, service, undo });
        ctx.set_timer(TxTimer::StepTimeout(id), self.step_timeout);
    }

    /// The saga's reply for the step in progress, if `service` answers for it in `phase`.
    fn current(&mut self, id: u64, service: Service, phase: Phase) -> Option<&mut Saga> {
        self.sagas.get_mut(&id).filter(|s| s.phase == phase && s.service() == service)
    }

    fn on_result(&mut self, ctx: &mut C<'_>, id: u64, service: Service, ok: bool) {
        let Some(s) = self.current(id, service, Phase::Forward) else {
            ctx.ignored(
                "stale_replies",
                &format!("ignored a repeated answer from {} on order {id}", service.name()),
            );
            return;
        };
        if ok && s.step + 1 == Service::ALL.len() {
            self.end(ctx, id, true);
        } else if ok {
            s.step += 1;
            self.send_current(ctx, id);
        } else if s.step == 0 {
            ctx.note(format!(
                "order {id}: {} failed; nothing done yet, nothing to compensate",
                service.name()
            ));
            self.end(ctx, id, false);
        } else {
            let done: Vec<&str> = Service::ALL.iter().take(s.step).rev().map(|x| x.name()).collect();
            ctx.note(format!(
                "order {id}: {} failed: compensating {} in reverse",
                service.name(),
                done.join(", ")
            ));
            s.phase = Phase::Compensating;
            s.step -= 1;
            self.send_current(ctx, id);
        }
    }

    fn on_undone(&mut self, ctx: &mut C<'_>, id: u64, service: Service) {
        let Some(s) = self.current(id, service, Phase::Compensating) else {
            ctx.ignored(
                "stale_replies",
                &format!("ignored a repeated answer from {} on order {id}", service.name()),
            );
            return;
        };
        ctx.count("steps_compensated", 1);
        if s.step == 0 {
            self.end(ctx, id, false);
        } else {
            s.step -= 1;
            self.send_current(ctx, id);
        }
    }

    fn end(&mut self, ctx: &mut C<'_>, id: u64, completed: bool) {
        let Some(s) = self.sagas.remove(&id) else { return };
        ctx.cancel_timer(TxTimer::StepTimeout(id));
        if completed {
            self.completed += 1;
            ctx.count("completed", 1);
        } else {
            self.compensated += 1;
            ctx.count("compensated", 1);
        }
        self.ended.push_back((id, completed));
        if self.ended.len() > RECENT {
            self.ended.pop_front();
        }
        ctx.send(s.client, TxMsg::Outcome { req: s.req, order: id, ok: completed });
    }

    pub fn view(&self) -> NodeView {
        let tail: Vec<String> = self
            .sagas
            .values()
            .rev()
            .take(3)
            .map(|s| format!("{} {}", s.order.id, step_kind(s.service(), s.phase == Phase::Compensating)))
            .collect();
        NodeView::new("saga coordinator", format!("{} sagas running", self.sagas.len()))
            .field("completed", self.completed)
            .field("compensated", self.compensated)
            .field("saga log tail", if tail.is_empty() { "-".into() } else { tail.join(", ") })
    }
}
