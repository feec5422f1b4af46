//! E4's roles as one node type, and the invariants checked across them.

use super::client::Client;
use super::log::Log;
use super::msg::{SourcingMsg, SourcingTimer, C};
use super::projection::Projection;
use super::writer::Writer;
use super::{Layout, SourcingConfig};
use crate::ids::NodeId;
use crate::node::{ClientRequest, Kind, Node, RequestField, RequestForm, Shape};
use crate::view::NodeView;

pub const MATCHES_LOG: &str = "projection matches the log";
pub const NO_NEGATIVE: &str = "no negative balance";

#[derive(Clone, Debug)]
pub enum SourcingNode {
    Client(Client),
    Writer(Writer),
    Log(Log),
    Projection(Projection),
}

impl SourcingNode {
    pub fn client(cfg: &SourcingConfig, layout: Layout) -> Self {
        SourcingNode::Client(Client::new(cfg, layout))
    }
    pub fn writer(layout: Layout) -> Self {
        SourcingNode::Writer(Writer::new(layout))
    }
    pub fn log(cfg: &SourcingConfig) -> Self {
        SourcingNode::Log(Log::new(cfg))
    }
    pub fn projection(cfg: &SourcingConfig, layout: Layout, number: u32) -> Self {
        SourcingNode::Projection(Projection::new(cfg, layout, number))
    }
}

impl Node for SourcingNode {
    type Msg = SourcingMsg;
    type Timer = SourcingTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        // Everything each role may record, whatever the projection's features, listed for the
        // run report from the start (review 27 B2).
        match self {
            SourcingNode::Client(_) => {
                ctx.reports(Shape::Counter, &["requests", "responses", "errors", "timeouts"])
            }
            SourcingNode::Writer(_) => ctx.reports(Shape::Counter, &["commands", "rejected_commands"]),
            SourcingNode::Log(_) => ctx.reports(Shape::Gauge, &["log_length"]),
            SourcingNode::Projection(_) => {
                let applies = ["replayed", "refetches", "misapplied", "negative_applies", "parked"];
                ctx.reports(Shape::Counter, &applies);
                ctx.reports(Shape::Counter, &["held_back", "gap_fetches", "snapshots"]);
                ctx.reports(Shape::Gauge, &["replay_events_per_s"]);
                ctx.reports_here(Shape::Gauge, &["known_lag"]);
                ctx.reports_here(Shape::Histogram, &["rebuild_ms"]);
            }
        }
        match self {
            SourcingNode::Client(c) => c.init(ctx),
            SourcingNode::Writer(w) => w.init(ctx),
            SourcingNode::Log(l) => l.init(ctx),
            SourcingNode::Projection(p) => p.init(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: SourcingMsg) {
        use SourcingMsg as M;
        match (self, msg) {
            (SourcingNode::Writer(w), M::Command { cmd, op, account, amount }) => {
                w.on_command(ctx, from, cmd, op, account, amount)
            }
            (SourcingNode::Writer(w), M::Appended { n, .. }) => w.on_appended(ctx, n),
            (SourcingNode::Client(c), M::Accepted { cmd, .. }) => c.on_answer(ctx, cmd, true),
            (SourcingNode::Client(c), M::Rejected { cmd, .. }) => c.on_answer(ctx, cmd, false),
            (SourcingNode::Log(l), M::Append { n, client, cmd, events, balance }) => {
                l.on_append(ctx, from, super::log::Append { n, client, cmd, events, balance })
            }
            (SourcingNode::Log(l), M::Fetch { partition, from: offset, max }) => {
                l.on_fetch(ctx, from, partition, offset, max)
            }
            (SourcingNode::Projection(p), M::Deliver { record, head }) => p.on_deliver(ctx, record, head),
            (SourcingNode::Projection(p), M::Batch { partition, from, records, end, head }) => {
                p.on_batch(ctx, partition, from, records, end, head)
            }
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: SourcingTimer) {
        match (self, timer) {
            (SourcingNode::Client(c), SourcingTimer::Next) => c.on_next(ctx),
            (SourcingNode::Client(c), SourcingTimer::Timeout(cmd)) => c.on_timeout(ctx, cmd),
            (SourcingNode::Projection(p), SourcingTimer::ApplyBatch) => p.on_apply_batch(ctx),
            (SourcingNode::Projection(p), SourcingTimer::Gap) => p.on_gap(ctx),
            (SourcingNode::Projection(p), SourcingTimer::Refetch) => p.on_refetch(ctx),
            (SourcingNode::Writer(w), SourcingTimer::Resend) => w.on_resend(ctx),
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    fn requests(&self) -> &'static [&'static str] {
        match self {
            SourcingNode::Client(_) => &["deposit", "withdraw"],
            SourcingNode::Projection(_) => &["rebuild", "as_of"],
            _ => &[],
        }
    }

    fn request_form(&self, op: &str) -> RequestForm {
        match (self, op) {
            (SourcingNode::Client(_), _) => RequestForm {
                key: Some(RequestField::needed("account", "an account", "1")),
                value: Some(RequestField::needed("amount", "an amount", "10")),
            },
            (SourcingNode::Projection(_), "as_of") => RequestForm {
                key: None,
                value: Some(RequestField::needed("events", "how many events to replay", "20")),
            },
            _ => RequestForm::default(),
        }
    }

    fn request_refusal(&self, _me: NodeId, req: &ClientRequest) -> Option<String> {
        match (self, req.op.as_str(), req.value) {
            (SourcingNode::Client(c), "deposit" | "withdraw", _) => c.account_and_amount(req).err(),
            (SourcingNode::Projection(_), "as_of", Some(n)) if n >= 0 => None,
            (SourcingNode::Projection(_), "as_of", _) => {
                Some("as_of: it needs how many events of the log to replay, 0 or more".into())
            }
            _ => None,
        }
    }

    fn on_client(&mut self, ctx: &mut C<'_>, req: &ClientRequest) {
        match self {
            SourcingNode::Client(c) => c.by_hand(ctx, req),
            SourcingNode::Projection(p) => match (req.op.as_str(), req.value) {
                ("rebuild", _) => {
                    ctx.note("rebuild by hand: the state is thrown away and the log replayed from offset 0");
                    p.start(ctx, None, false);
                }
                ("as_of", Some(n)) if n >= 0 => {
                    ctx.note(format!(
                        "time travel by hand: the state as of event {n}, replayed from offset 0"
                    ));
                    p.start(ctx, Some(n.unsigned_abs()), false);
                }
                ("as_of", _) => ctx.note("as_of needs a value: how many events of the log to replay"),
                (other, _) => {
                    ctx.note(format!("ignored request {other:?}: a projection takes rebuild or as_of"))
                }
            },
            _ => ctx.note("only clients and projections take requests by hand"),
        }
    }

    fn on_crash(&mut self) {
        match self {
            SourcingNode::Client(c) => c.crash(),
            SourcingNode::Projection(p) => p.crash(),
            // The log is the durable source of truth; the writer's balances are kept with it.
            SourcingNode::Writer(_) | SourcingNode::Log(_) => {}
        }
    }

    fn view(&self) -> NodeView {
        match self {
            SourcingNode::Client(c) => c.view(),
            SourcingNode::Writer(w) => w.view(),
            SourcingNode::Log(l) => l.view(),
            SourcingNode::Projection(p) => p.view(),
        }
    }

    fn invariants(_nodes: &[Self]) -> &'static [&'static str] {
        &[MATCHES_LOG, NO_NEGATIVE]
    }

    const GLOBAL_CHECK: bool = true;

    /// Every caught-up projection shows the log's fold; no projection shows a negative balance.
    fn check(nodes: &[Self], up: &[bool], out: &mut Vec<(&'static str, String)>) {
        let Some(log) = nodes.iter().find_map(|n| match n {
            SourcingNode::Log(l) => Some(l),
            _ => None,
        }) else {
            return;
        };
        let projections = nodes.iter().zip(up).filter(|(_, &u)| u).filter_map(|(n, _)| match n {
            SourcingNode::Projection(p) => Some(p),
            _ => None,
        });
        let (mut differs, mut negative) = (None, None);
        for p in projections {
            if let (None, Some((a, shown, due, k))) = (&differs, p.mismatch(&log.history)) {
                // A missing account is said as such: "shows acct 3 at no such account" read as garbled
                // (review 16).
                let shows = match shown {
                    Some(b) => format!("shows acct {a} at {b}"),
                    None => format!("has no acct {a} (it dropped what it could not apply)"),
                };
                // Which of the account's events it processed need not be the log's first k (review
                // 57 C7: "its first event" was acct 3's second); the log's balance is after its first k.
                let not_opened = if shown.is_none() { ", not its Opened" } else { "" };
                differs = Some(format!(
                    "p{} {shows} after processing {k} of acct {a}'s events{not_opened}; the log has acct {a} \
                     at {due} after its first {k}",
                    p.number
                ));
            }
            if let (None, Some((a, b))) = (&negative, p.balances.iter().find(|(_, b)| **b < 0)) {
                negative =
                    Some(format!("p{} shows acct {a} at {b}; the log never lets it go below 0", p.number));
            }
        }
        out.extend(differs.map(|d| (MATCHES_LOG, d)));
        out.extend(negative.map(|d| (NO_NEGATIVE, d)));
    }
}
