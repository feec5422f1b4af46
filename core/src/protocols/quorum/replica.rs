//! A storage replica: a versioned key-value store, per-leg delays, and hinted handoff.

use super::msg::{QMsg, QTimer, Stored, Version};
use super::Params;
use crate::ids::NodeId;
use crate::node::{Ctx, Kind};
use crate::time::SimDuration;
use std::collections::BTreeMap;
use std::sync::Arc;

type C<'a> = Ctx<'a, QMsg, QTimer>;

/// Work waiting for a leg delay to elapse.
#[derive(Clone, Debug)]
enum LegAction {
    /// The write request is still "on the wire" (the `write` leg).
    Apply { coord: NodeId, req: u64, key: u64, version: Version, value: i64, hint: Option<NodeId> },
    /// The ack is still "on the wire" (the `ack` leg).
    Ack { coord: NodeId, req: u64 },
    /// The read request is still "on the wire" (the `read` leg).
    Read { coord: NodeId, req: u64, key: u64 },
    /// The read response is still "on the wire" (the `response` leg).
    Respond { coord: NodeId, req: u64, stored: Stored },
}

/// The storage side of a node. `store` and `hints` are durable (on disk); legs are volatile.
#[derive(Clone, Debug)]
pub struct Replica {
    params: Arc<Params>,
    pub store: BTreeMap<u64, (Version, i64)>,
    /// Values held for another node: (intended owner, key) → newest version.
    pub hints: BTreeMap<(u32, u64), (Version, i64)>,
    legs: BTreeMap<u64, LegAction>,
    next_leg: u64,
}

impl Replica {
    pub fn new(params: Arc<Params>) -> Self {
        Replica { params, store: BTreeMap::new(), hints: BTreeMap::new(), legs: BTreeMap::new(), next_leg: 0 }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        if self.params.sloppy_quorum {
            ctx.set_timer(QTimer::Handoff, SimDuration::from_ms(self.params.handoff_interval_ms));
        }
    }

    pub fn crash(&mut self) {
        self.legs.clear();
    }

    pub fn pending_legs(&self) -> usize {
        self.legs.len()
    }

    /// Apply `version` if it is newer than what is stored; true if it was.
    fn apply(&mut self, key: u64, version: Version, value: i64) -> bool {
        match self.store.get(&key) {
            Some((have, _)) if *have >= version => false,
            _ => {
                self.store.insert(key, (version, value));
                true
            }
        }
    }

    /// What a read sees: the store, or a newer hinted copy held for someone else.
    fn lookup(&self, key: u64) -> Stored {
        let hinted = self.hints.iter().filter(|((_, k), _)| *k == key).map(|(_, v)| *v);
        self.store.get(&key).copied().into_iter().chain(hinted).max()
    }

    /// Run `action` after a delay sampled from `leg`, or now if that leg has no extra delay.
    fn after_leg(&mut self, ctx: &mut C<'_>, leg: Option<&crate::dist::Dist>, action: LegAction) {
        let delay = leg.map_or(0, |d| d.sample(ctx.rng()));
        if delay == 0 {
            self.run(ctx, action);
        } else {
            self.next_leg += 1;
            self.legs.insert(self.next_leg, action);
            ctx.set_timer(QTimer::Leg(self.next_leg), SimDuration(delay));
        }
    }

    pub fn on_leg(&mut self, ctx: &mut C<'_>, leg: u64) {
        if let Some(action) = self.legs.remove(&leg) {
            self.run(ctx, action);
        }
    }

    fn run(&mut self, ctx: &mut C<'_>, action: LegAction) {
        let params = self.params.clone();
        match action {
            LegAction::Apply { coord, req, key, version, value, hint } => {
                match hint {
                    Some(owner) if owner != ctx.id() => {
                        let slot = self.hints.entry((owner.0, key)).or_insert((version, value));
                        *slot = (*slot).max((version, value));
                        ctx.count("hints_stored", 1);
                    }
                    _ => {
                        self.apply(key, version, value);
                    }
                }
                self.after_leg(ctx, params.legs.ack.as_ref(), LegAction::Ack { coord, req });
            }
            LegAction::Ack { coord, req } => ctx.send(coord, QMsg::WriteAck { req }),
            LegAction::Read { coord, req, key } => {
                let stored = self.lookup(key);
                self.after_leg(ctx, params.legs.response.as_ref(), LegAction::Respond { coord, req, stored });
            }
            LegAction::Respond { coord, req, stored } => ctx.send(coord, QMsg::ReadReply { req, stored }),
        }
    }

    /// Messages addressed to the storage role.
    pub fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: QMsg) {
        let params = self.params.clone();
        match msg {
            QMsg::Read { req, key } => {
                self.after_leg(ctx, params.legs.read.as_ref(), LegAction::Read { coord: from, req, key })
            }
            QMsg::Write { req, key, version, value, hint } => {
                let action = LegAction::Apply { coord: from, req, key, version, value, hint };
                self.after_leg(ctx, params.legs.write.as_ref(), action);
            }
            QMsg::Repair { key, version, value } => {
                if self.apply(key, version, value) {
                    ctx.count("read_repairs_applied", 1);
                }
            }
            QMsg::Handoff { key, version, value } => {
                self.apply(key, version, value);
                ctx.send(from, QMsg::HandoffAck { key, version });
            }
            QMsg::HandoffAck { key, version } => {
                if self.hints.get(&(from.0, key)).is_some_and(|(v, _)| *v == version) {
                    self.hints.remove(&(from.0, key));
                    ctx.count("hints_handed_off", 1);
                } else {
                    ctx.note("ignored HandoffAck: the hint was replaced by a newer one");
                }
            }
            m => ctx.note(format!("replica ignored an unexpected {}", m.kind())),
        }
    }

    /// Periodically offer every hint to its owner (the owner acks; unacked hints are retried).
    pub fn on_handoff(&mut self, ctx: &mut C<'_>) {
        for (&(owner, key), &(version, value)) in &self.hints {
            ctx.send(NodeId(owner), QMsg::Handoff { key, version, value });
        }
        ctx.set_timer(QTimer::Handoff, SimDuration::from_ms(self.params.handoff_interval_ms));
    }
}
