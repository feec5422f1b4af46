//! The D3 node: a storage replica that also coordinates requests, or a client.

use super::client::{Client, MONOTONIC_READS};
use super::coordinator::Coordinator;
use super::msg::{QMsg, QTimer};
use super::replica::Replica;
use super::Params;
use crate::ids::NodeId;
use crate::node::{ClientRequest, Ctx, Kind, Node, RequestForm, Shape};
use crate::view::NodeView;
use std::sync::Arc;

type C<'a> = Ctx<'a, QMsg, QTimer>;

/// A storage node: replica and coordinator in one.
#[derive(Clone, Debug)]
pub struct Server {
    pub replica: Replica,
    pub coordinator: Coordinator,
}

/// A D3 participant.
#[derive(Clone, Debug)]
pub enum QuorumNode {
    Server(Box<Server>),
    Client(Box<Client>),
}

impl QuorumNode {
    pub fn server(params: Arc<Params>) -> Self {
        QuorumNode::Server(Box::new(Server {
            replica: Replica::new(params.clone()),
            coordinator: Coordinator::new(params),
        }))
    }

    pub fn as_server(&self) -> Option<&Server> {
        match self {
            QuorumNode::Server(s) => Some(s),
            QuorumNode::Client(_) => None,
        }
    }
}

impl Node for QuorumNode {
    type Msg = QMsg;
    type Timer = QTimer;
    const KEEPS_HISTORY: bool = true;

    /// Only ABD promises that a client never reads older than it has seen: Dynamo mode's
    /// `stale_reads` are the lesson, not a broken invariant.
    fn invariants(nodes: &[Self]) -> &'static [&'static str] {
        let checked = nodes.iter().any(|n| matches!(n, QuorumNode::Client(c) if c.linearizable()));
        if checked {
            &[MONOTONIC_READS]
        } else {
            &[]
        }
    }

    /// A t-visibility probe's fresh key is just that: its number (2^40 + 10^9 × client + count)
    /// says nothing to a reader, and the operation's client is named beside it.
    fn key_label(key: u64) -> String {
        if key >= super::PROBE_KEY_BASE {
            "a fresh probe key".to_string()
        } else {
            format!("key {key}")
        }
    }

    fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["stale_reads", "errors", "timeouts"]);
        match self {
            QuorumNode::Server(s) => {
                // Everything a replica and coordinator may record, for the run report (review 27 B2).
                let coordinator = ["quorum_failures", "read_repairs", "sloppy_fallbacks"];
                ctx.reports(Shape::Counter, &coordinator);
                ctx.reports(Shape::Counter, &["read_repairs_applied", "hints_stored", "hints_handed_off"]);
                ctx.reports_here(Shape::Counter, &["late_replies"]);
                s.replica.init(ctx)
            }
            QuorumNode::Client(c) => c.init(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: QMsg) {
        match (self, msg) {
            (QuorumNode::Client(c), QMsg::ClientReply { op, result }) => c.on_reply(ctx, op, result),
            (QuorumNode::Server(s), QMsg::ClientGet { op, key }) => {
                s.coordinator.on_client(ctx, from, op, key, None)
            }
            (QuorumNode::Server(s), QMsg::ClientPut { op, key, value }) => {
                s.coordinator.on_client(ctx, from, op, key, Some(value))
            }
            (QuorumNode::Server(s), QMsg::ReadReply { req, stored }) => {
                s.coordinator.on_read_reply(ctx, from, req, stored)
            }
            (QuorumNode::Server(s), QMsg::WriteAck { req }) => s.coordinator.on_write_ack(ctx, from, req),
            (QuorumNode::Server(s), m) => s.replica.on_message(ctx, from, m),
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: QTimer) {
        match (self, timer) {
            (QuorumNode::Client(c), QTimer::Next) => c.on_next(ctx),
            (QuorumNode::Client(c), QTimer::Think(_)) => c.start_generated(ctx),
            (QuorumNode::Client(c), QTimer::Timeout(op)) => c.on_timeout(ctx, op),
            (QuorumNode::Client(c), QTimer::ProbeRead { key, bucket }) => c.on_probe_read(ctx, key, bucket),
            (QuorumNode::Server(s), QTimer::Deadline(req)) => s.coordinator.on_deadline(ctx, req),
            (QuorumNode::Server(s), QTimer::Sloppy(req)) => s.coordinator.on_sloppy(ctx, req),
            (QuorumNode::Server(s), QTimer::Leg(leg)) => s.replica.on_leg(ctx, leg),
            (QuorumNode::Server(s), QTimer::Handoff) => s.replica.on_handoff(ctx),
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    fn requests(&self) -> &'static [&'static str] {
        match self {
            QuorumNode::Client(_) => &["read", "write"],
            _ => &[],
        }
    }

    fn request_form(&self, op: &str) -> RequestForm {
        match self {
            QuorumNode::Client(_) => RequestForm::key_value(op),
            _ => RequestForm::default(),
        }
    }

    /// Clients take `read`/`get` (key) and `write`/`put` (key, value) by hand.
    fn on_client(&mut self, ctx: &mut C<'_>, req: &ClientRequest) {
        let QuorumNode::Client(c) = self else {
            ctx.note("only clients take requests by hand");
            return;
        };
        let key = match req.numbered_key() {
            Ok(key) => key,
            Err(why) => return ctx.note(format!("ignored {:?}: {why}", req.op)),
        };
        match req.read_or_write() {
            Ok(write) => c.start(ctx, key, write, None, false),
            Err(why) => ctx.note(why),
        }
    }

    fn on_crash(&mut self) {
        match self {
            QuorumNode::Server(s) => {
                s.replica.crash();
                s.coordinator.crash();
            }
            QuorumNode::Client(c) => c.crash(),
        }
    }

    fn view(&self) -> NodeView {
        match self {
            QuorumNode::Server(s) => {
                let hints = s.replica.hints.len();
                let mut v =
                    NodeView::new("replica", format!("{} keys, {hints} hints", s.replica.store.len()))
                        .field("keys", s.replica.store.len())
                        .field("hints", hints)
                        .field("coordinating", s.coordinator.open_requests())
                        .field("delayed legs", s.replica.pending_legs());
                if hints > 0 {
                    v = v.alert("hinted");
                }
                v
            }
            QuorumNode::Client(c) => {
                let v = NodeView::new("client", format!("{} pending", c.pending()))
                    .field("sent", c.sent())
                    .field("pending", c.pending());
                // The lesson's point where it happens (review 14: only a chart showed it).
                match c.stale_reads() {
                    (0, _) | (_, None) => v,
                    (n, Some((at, key))) => v
                        .alert(&format!("{n} stale read{}", if n == 1 { "" } else { "s" }))
                        .field("stale reads", n)
                        .field("newest stale read", format!("key {key} at {:.3} s", at.as_us() as f64 / 1e6)),
                }
            }
        }
    }
}
