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

/// An order that has ended is charged (net of refunds) exactly if it shipped.
fn money(svc: &[Option<&ServiceNode>; 4], order: u64, out: &mut Vec<(&'static str, String)>) -> bool {
    let at = |s: Service| svc.get(s.index()).copied().flatten();
    let (Some(pay), Some(ship)) = (at(Service::Payment), at(Service::Shipping)) else { return false };
    let (charged, shipped) = (pay.applied(order), ship.applied(order));
    if charged == shipped {
        return false;
    }
    let detail = if charged {
        format!("order {order} was charged but never shipped")
    } else {
        format!("order {order} shipped but its money was never taken (or was refunded)")
    };
    out.push((MONEY, detail));
    true
}
