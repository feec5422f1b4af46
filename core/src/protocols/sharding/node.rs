//! D9 roles: client (its work is in `client.rs`), router, shard.

use super::client::Client;
use super::ShardingConfig;
use crate::blocks::{Admit, Generator, Server, ServerSpec};
use crate::ids::NodeId;
use crate::node::{Ctx, Kind, Node, Shape};
use crate::shard::{Placement, Scheme};
use crate::time::SimTime;
use crate::view::NodeView;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShardMsg {
    Request { id: u64, key: u64 },
    Forward { id: u64, client: NodeId, key: u64 },
    Reply { id: u64, client: NodeId, ok: bool },
    Response { id: u64, ok: bool },
}

impl Kind for ShardMsg {
    const KINDS: &'static [&'static str] = &["Request", "Forward", "Reply", "Response"];

    fn kind(&self) -> &'static str {
        match self {
            ShardMsg::Request { .. } => "Request",
            ShardMsg::Forward { .. } => "Forward",
            ShardMsg::Reply { .. } => "Reply",
            ShardMsg::Response { .. } => "Response",
        }
    }

    const CAN_SAY_NO: bool = true;

    fn says_no(&self) -> bool {
        matches!(self, ShardMsg::Reply { ok: false, .. } | ShardMsg::Response { ok: false, .. })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ShardTimer {
    Next,
    /// Client: closed-loop think time over.
    Think(u64),
    Timeout(u64),
    AddShard,
    Done(u64),
}

impl Kind for ShardTimer {
    fn kind(&self) -> &'static str {
        match self {
            ShardTimer::Next => "Next",
            ShardTimer::Think(_) => "Think",
            ShardTimer::Timeout(_) => "Timeout",
            ShardTimer::AddShard => "AddShard",
            ShardTimer::Done(_) => "Done",
        }
    }
}

/// Key k's name: a letter spread evenly over a–z, then the number (`q-17`).
pub fn key_name(key: u64) -> String {
    let letter = (b'a' + (key.wrapping_mul(7) % 26) as u8) as char;
    format!("{letter}-{key}")
}

#[derive(Clone, Debug)]
pub struct Router {
    scheme: Scheme,
    shards: u32,
    placement: Placement,
    first_shard: u32,
    key_space: u64,
    add_shard_at_ms: u64,
    /// The shard is added once: a router restarted after that must not add another.
    added: bool,
    per_shard: Vec<u64>,
}

#[derive(Clone, Debug)]
pub enum ShardNode {
    Client(Client),
    Router(Box<Router>),
    Shard {
        server: Server<(u64, NodeId)>,
        router: NodeId,
        next_job: u64,
        running: BTreeMap<u64, (u64, NodeId)>,
    },
}

pub(super) type C<'a> = Ctx<'a, ShardMsg, ShardTimer>;

impl ShardNode {
    pub fn client(gen: Generator, router: NodeId) -> Self {
        ShardNode::Client(Client::new(gen, router))
    }
    pub fn router(cfg: &ShardingConfig, first_shard: u32, key_space: u64) -> Self {
        ShardNode::Router(Box::new(Router {
            scheme: cfg.scheme(),
            shards: cfg.shards,
            placement: Placement::new(cfg.scheme(), cfg.shards),
            first_shard,
            key_space,
            add_shard_at_ms: cfg.add_shard_at_ms,
            added: false,
            per_shard: vec![0; cfg.shard_nodes() as usize],
        }))
    }
    pub fn shard(spec: ServerSpec, router: NodeId) -> Self {
        ShardNode::Shard { server: Server::new(spec), router, next_job: 0, running: BTreeMap::new() }
    }

    /// Everything this role may record, listed for the run report from the start (review 27 B2):
    /// every shard, the one added later too.
    fn list_report_keys(&self, ctx: &mut C<'_>) {
        match self {
            ShardNode::Client(_) => {
                ctx.reports(Shape::Counter, &["requests", "errors", "timeouts"]);
                ctx.reports_here(Shape::Counter, &["late_replies"]);
                ctx.reports(Shape::Histogram, &["latency_ms"]);
            }
            ShardNode::Router(_) => {
                let placement =
                    ["active_shards", "hottest_shard_permille", "keys_moved", "keys_moved_permille"];
                ctx.reports(Shape::Gauge, &placement);
            }
            ShardNode::Shard { .. } => {
                ctx.reports(Shape::Counter, &["rejected"]);
                ctx.reports_here(Shape::Counter, &["shard_requests"]);
                ctx.reports_here(Shape::Gauge, &["shard_load"]);
            }
        }
    }
}

impl Router {
    fn route(&mut self, ctx: &mut C<'_>, id: u64, client: NodeId, key: u64) {
        let shard = self.placement.shard_of(&key_name(key));
        self.per_shard[shard as usize] += 1;
        let total: u64 = self.per_shard.iter().sum();
        let hottest = self.per_shard.iter().max().copied().unwrap_or(0);
        ctx.gauge("hottest_shard_permille", (hottest * 1000 / total.max(1)) as i64);
        ctx.send(NodeId(self.first_shard + shard), ShardMsg::Forward { id, client, key });
    }

    /// Switch to one more shard and count the keys of the key space whose shard changed.
    fn add_shard(&mut self, ctx: &mut C<'_>) {
        let next = Placement::new(self.scheme, self.shards + 1);
        let moved = (0..self.key_space)
            .filter(|k| {
                let name = key_name(*k);
                self.placement.shard_of(&name) != next.shard_of(&name)
            })
            .count() as u64;
        self.shards += 1;
        self.added = true;
        self.placement = next;
        ctx.gauge("keys_moved", moved as i64);
        ctx.gauge("keys_moved_permille", (moved * 1000 / self.key_space.max(1)) as i64);
        ctx.note(format!("added shard s{}: {moved} of {} keys move", self.shards, self.key_space));
    }
}

impl Node for ShardNode {
    type Msg = ShardMsg;
    type Timer = ShardTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["errors", "rejected"]);
        self.list_report_keys(ctx);
        match self {
            ShardNode::Client(c) => c.init(ctx),
            ShardNode::Router(r) if r.add_shard_at_ms > 0 => {
                // Durable, like the rest of the router: restarted after the resize, it keeps the
                // shard it added and does not add another.
                if !r.added {
                    let at = SimTime::from_ms(r.add_shard_at_ms);
                    ctx.set_timer(ShardTimer::AddShard, at.since(ctx.now()));
                }
                ctx.gauge("active_shards", i64::from(r.shards));
                ctx.declare_gauge("keys_moved");
                ctx.declare_gauge("keys_moved_permille");
            }
            _ => {}
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: ShardMsg) {
        match (self, msg) {
            (ShardNode::Router(r), ShardMsg::Request { id, key }) => r.route(ctx, id, from, key),
            (ShardNode::Router(_), ShardMsg::Reply { id, client, ok }) => {
                ctx.send(client, ShardMsg::Response { id, ok })
            }
            (
                ShardNode::Shard { server, router, next_job, running },
                ShardMsg::Forward { id, client, .. },
            ) => {
                ctx.count_here("shard_requests", 1);
                match server.arrive((id, client), ctx.rng()) {
                    Admit::Start(d) => {
                        *next_job += 1;
                        running.insert(*next_job, (id, client));
                        ctx.set_timer(ShardTimer::Done(*next_job), d);
                    }
                    Admit::Queued => {}
                    Admit::Rejected(_) => {
                        ctx.count("rejected", 1);
                        ctx.send(*router, ShardMsg::Reply { id, client, ok: false });
                    }
                }
                ctx.gauge_here("shard_load", i64::from(server.load()));
            }
            (ShardNode::Client(c), ShardMsg::Response { id, ok }) => c.on_response(ctx, id, ok),
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: ShardTimer) {
        match (self, timer) {
            (ShardNode::Client(c), t) => c.on_timer(ctx, t),
            (ShardNode::Router(r), ShardTimer::AddShard) => {
                r.add_shard(ctx);
                ctx.gauge("active_shards", i64::from(r.shards));
            }
            (ShardNode::Shard { server, router, next_job, running }, ShardTimer::Done(job)) => {
                let Some((id, client)) = running.remove(&job) else { return };
                ctx.send(*router, ShardMsg::Reply { id, client, ok: true });
                if let Some((next, d)) = server.complete(ctx.rng()) {
                    *next_job += 1;
                    running.insert(*next_job, next);
                    ctx.set_timer(ShardTimer::Done(*next_job), d);
                }
                ctx.gauge_here("shard_load", i64::from(server.load()));
            }
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    fn on_crash(&mut self) {
        match self {
            ShardNode::Client(c) => c.crash(),
            ShardNode::Router(_) => {}
            ShardNode::Shard { server, running, .. } => {
                server.reset();
                running.clear();
            }
        }
    }

    fn view(&self) -> NodeView {
        match self {
            ShardNode::Client(c) => c.view(),
            ShardNode::Router(r) => {
                let mut v = NodeView::new("router", format!("{}, {} shards", r.scheme, r.shards));
                for (i, n) in r.per_shard.iter().enumerate() {
                    v = v.field(&format!("to s{}", i + 1), n);
                }
                v
            }
            ShardNode::Shard { server, .. } => NodeView::new(
                "shard",
                format!("{}/{} busy, {} queued", server.busy(), server.spec.workers, server.queued()),
            )
            .work(server.work())
            .field("busy", server.busy())
            .field("queued", server.queued()),
        }
    }
}
