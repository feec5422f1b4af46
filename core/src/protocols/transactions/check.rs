//! The live checks: atomic commit (2PC), all-or-nothing sagas, money conserved. Each looks only at
//! the orders decided or ended lately, so a check after every event stays cheap.

use super::node::TxNode;
use super::service::ServiceNode;
use super::Service;

pub const ATOMIC: &str = "atomic commit";
pub const ALL_OR_NOTHING: &str = "every saga ends all-done or all-compensated";
pub const MONEY: &str = "money conserved";

/// The four services, by their place in [`Service::ALL`].
fn services(nodes: &[TxNode]) -> [Option<&ServiceNode>; 4] {
    let mut out = [None; 4];
    for n in nodes {
        if let TxNode::Service(s) = n {
            if let Some(slot) = out.get_mut(s.service.index()) {
                *slot = Some(&**s);
            }
        }
    }
    out
}

pub fn check(nodes: &[TxNode], out: &mut Vec<(&'static str, String)>) {
    let svc = services(nodes);
    let all = &svc;
    for n in nodes {
        match n {
            TxNode::Coordinator(c) => {
                atomic_commit(all, out);
                let ended = c.log.iter().rev().take(super::service::RECENT).filter(|(_, r)| r.ended);
                for (&order, _) in ended {
                    if money(&svc, order, out) {
                        break;
                    }
                }
            }
            TxNode::Orchestrator(o) => {
                for &(order, completed) in &o.ended {
                    if all_or_nothing(all, order, completed, out) || money(&svc, order, out) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
}

/// No order committed at one participant and aborted at another.
fn atomic_commit(all: &[Option<&ServiceNode>; 4], out: &mut Vec<(&'static str, String)>) {
    for s in all.iter().flatten() {
        for &order in &s.recent {
            let Some(mine) = s.decided(order) else { continue };
            if let Some(other) = all.iter().flatten().find(|t| t.decided(order).is_some_and(|d| d != mine)) {
                let (c, a) = if mine { (s, other) } else { (other, s) };
                out.push((
                    ATOMIC,
                    format!(
                        "order {order} committed at {} but aborted at {}",
                        c.service.name(),
                        a.service.name()
                    ),
                ));
                return;
            }
        }
    }
}

/// An ended saga's steps are all in force, or none is.
fn all_or_nothing(
    all: &[Option<&ServiceNode>; 4],
    order: u64,
    completed: bool,
    out: &mut Vec<(&'static str, String)>,
) -> bool {
    let wrong: Vec<&str> =
        all.iter().flatten().filter(|s| s.applied(order) != completed).map(|s| s.service.name()).collect();
    if wrong.is_empty() {
        return false;
    }
    let what = if completed { "completed, yet not done at" } else { "compensated, yet still in force at" };
    out.push((ALL_OR_NOTHING, format!("saga of order {order} {what} {}", wrong.join(", "))));
    true
}

/// An order that has ended kept its price in payment's ledger if it shipped (one parcel), and
/// nothing if not: money charged = refunded + the price of the orders shipped, order by order.
fn money(svc: &[Option<&ServiceNode>; 4], order: u64, out: &mut Vec<(&'static str, String)>) -> bool {
    let at = |s: Service| svc.get(s.index()).copied().flatten();
    let (Some(pay), Some(ship)) = (at(Service::Payment), at(Service::Shipping)) else { return false };
    let (kept, parcels) = (pay.net(order), ship.net(order));
    let price = pay.price(order).unwrap_or(0) as i64;
    if (parcels == 0 || parcels == 1) && kept == price * parcels {
        return false;
    }
    out.push((
        MONEY,
        format!("order {order} (price {price}): payment kept {kept}, shipping sent {parcels} parcel(s)"),
    ));
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::transactions::node::Order;
    use crate::protocols::transactions::service::{Local, Record};
    use crate::protocols::ProtocolConfig;
    use crate::time::SimTime;

    fn saga_nodes() -> Vec<TxNode> {
        let sc = crate::presets::get("e5-saga-compensation").expect("preset");
        let ProtocolConfig::Transactions(cfg) = &sc.protocol else { panic!("not E5") };
        super::super::build(&sc, cfg).into_iter().map(|(_, n)| n).collect()
    }

    /// Order 1 done at every service, and its saga ended as completed.
    fn completed_order(nodes: &mut [TxNode]) {
        let order = Order { id: 1, customer: 0, item: 0, price: 20 };
        for n in nodes.iter_mut() {
            match n {
                TxNode::Service(s) => {
                    s.records.insert(1, Record { order, state: Local::Done, since: SimTime::ZERO });
                    s.apply(&order, false);
                }
                TxNode::Orchestrator(o) => o.ended.push_back((1, true)),
                _ => {}
            }
        }
    }

    fn broken(nodes: &[TxNode]) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        check(nodes, &mut out);
        out
    }

    #[test]
    fn a_double_charge_breaks_money_conservation_even_with_every_step_done() {
        let mut nodes = saga_nodes();
        completed_order(&mut nodes);
        assert!(broken(&nodes).is_empty());
        let order = Order { id: 1, customer: 0, item: 0, price: 20 };
        for n in nodes.iter_mut() {
            if let TxNode::Service(s) = n {
                if s.service == Service::Payment {
                    s.apply(&order, false);
                }
            }
        }
        let found = broken(&nodes);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, MONEY);
        assert_eq!(found[0].1, "order 1 (price 20): payment kept 40, shipping sent 1 parcel(s)");
    }

    #[test]
    fn a_completed_saga_with_a_step_undone_is_neither_all_done_nor_all_compensated() {
        let mut nodes = saga_nodes();
        completed_order(&mut nodes);
        for n in nodes.iter_mut() {
            if let TxNode::Service(s) = n {
                if s.service == Service::Inventory {
                    s.settle(1, Local::Compensated);
                }
            }
        }
        let found = broken(&nodes);
        assert_eq!(found.first().map(|f| f.0), Some(ALL_OR_NOTHING), "{found:?}");
        assert!(found[0].1.ends_with("completed, yet not done at inventory"), "{}", found[0].1);
    }
}
