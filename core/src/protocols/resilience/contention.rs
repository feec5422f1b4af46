//! R4 experiment: N clients contend on one compare-and-set register, each until its write lands
//! (the AWS Architecture Blog's backoff-and-jitter experiment). Several groups, one register and
//! one retry policy each, run side by side so one run compares the policies.
//!
//! A client sends `Cas { expect }` with the value it believes is current; the register (one
//! worker, `op_us` per operation) answers `CasOk` if it matched (and increments), else
//! `CasFailed { current }`. The client learns the current value, waits its backoff and tries
//! again. Every register publishes `cas_calls`, `cas_conflicts` and, once all of its clients
//! have succeeded, the gauge `done_ms` (the time the last one succeeded).

use super::backoff::{BackoffState, RetryPolicy};
use crate::blocks::{Admit, Server, ServerSpec};
use crate::dist::Dist;
use crate::ids::NodeId;
use crate::node::{Ctx, Kind, Node, Shape};
use crate::scenario::{limits, Scenario, ScenarioError};
use crate::time::SimDuration;
use crate::view::NodeView;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentionConfig {
    /// Clients per group.
    pub clients: u32,
    /// Time the register spends on one operation.
    pub op_us: u64,
    pub groups: Vec<ContentionGroup>,
}

/// A register and its clients, all using one retry policy (`max_retries` is ignored: clients
/// retry until they succeed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentionGroup {
    pub name: String,
    pub retry: RetryPolicy,
}

impl ContentionConfig {
    pub fn validate(&self, _sc: &Scenario) -> Result<(), ScenarioError> {
        let total = (self.clients as u64 + 1) * self.groups.len() as u64;
        ScenarioError::require(self.clients > 0, "protocol.clients", "must be at least 1")?;
        ScenarioError::require(!self.groups.is_empty(), "protocol.groups", "need at least one group")?;
        let most = (limits::MAX_NODES as u64 / self.groups.len() as u64).saturating_sub(1);
        let msg = format!("must be at most {most}: each of the {} groups has the clients and a lock server, 512 nodes in all", self.groups.len());
        ScenarioError::require(total <= limits::MAX_NODES as u64, "protocol.clients", msg)?;
        if self.op_us == 0 || self.op_us > 1_000_000 {
            return Err(ScenarioError::invalid("protocol.op_us", "must be 1 to 1000000"));
        }
        for (i, g) in self.groups.iter().enumerate() {
            if g.name.is_empty()
                || g.name.len() > 30
                || self.groups.iter().filter(|o| o.name == g.name).count() > 1
            {
                return Err(ScenarioError::invalid(
                    format!("protocol.groups[{i}].name"),
                    "1 to 30 characters, unique",
                ));
            }
            g.retry.check().map_err(|m| ScenarioError::invalid(format!("protocol.groups[{i}].retry"), m))?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CasMsg {
    Cas { expect: i64 },
    CasOk,
    CasFailed { current: i64 },
}

impl Kind for CasMsg {
    const KINDS: &'static [&'static str] = &["Cas", "CasOk", "CasFailed"];

    fn kind(&self) -> &'static str {
        match self {
            CasMsg::Cas { .. } => "Cas",
            CasMsg::CasOk => "CasOk",
            CasMsg::CasFailed { .. } => "CasFailed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CasTimer {
    /// Register: the operation at the head is done.
    Done,
    /// Client: backoff over, try again.
    Retry,
}

impl Kind for CasTimer {
    fn kind(&self) -> &'static str {
        match self {
            CasTimer::Done => "Done",
            CasTimer::Retry => "Retry",
        }
    }
}

#[derive(Clone, Debug)]
pub enum CasNode {
    Register {
        server: Server<(NodeId, i64)>,
        head: Option<(NodeId, i64)>,
        value: i64,
        clients: i64,
    },
    Client {
        register: NodeId,
        policy: RetryPolicy,
        belief: i64,
        tries: u32,
        backoff: BackoffState,
        done: bool,
    },
}

type C<'a> = Ctx<'a, CasMsg, CasTimer>;

/// Nodes: for each group `reg-<name>` then `<name>-1 … <name>-N`.
pub fn build(_sc: &Scenario, cfg: &ContentionConfig) -> Vec<(String, CasNode)> {
    let mut out = Vec::new();
    for g in &cfg.groups {
        let reg = NodeId(out.len() as u32);
        let spec = ServerSpec { workers: 1, queue_cap: 1_000_000, service: Dist::Constant { us: cfg.op_us } };
        out.push((
            format!("reg-{}", g.name),
            CasNode::Register {
                server: Server::new(spec),
                head: None,
                value: 0,
                clients: cfg.clients as i64,
            },
        ));
        for i in 1..=cfg.clients {
            let c = CasNode::Client {
                register: reg,
                policy: g.retry.clone(),
                belief: 0,
                tries: 0,
                backoff: BackoffState::default(),
                done: false,
            };
            out.push((format!("{}-{i}", g.name), c));
        }
    }
    out
}

impl CasNode {
    fn register_done(&mut self, ctx: &mut C<'_>) {
        let CasNode::Register { server, head, value, clients } = self else { return };
        let Some((from, expect)) = head.take() else { return };
        ctx.count_here("cas_calls", 1);
        if expect == *value {
            *value += 1;
            ctx.send(from, CasMsg::CasOk);
            if *value == *clients {
                ctx.gauge_here("done_ms", (ctx.now().as_us() / 1000) as i64);
                ctx.note(format!("all {clients} clients have written"));
            }
        } else {
            ctx.count_here("cas_conflicts", 1);
            ctx.send(from, CasMsg::CasFailed { current: *value });
        }
        if let Some((next, d)) = server.complete(ctx.rng()) {
            *head = Some(next);
            ctx.set_timer(CasTimer::Done, d);
        }
    }
}

impl Node for CasNode {
    type Msg = CasMsg;
    type Timer = CasTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        // Listed for the run report from the start (review 27 B2).
        match self {
            CasNode::Register { .. } => {
                ctx.reports_here(Shape::Counter, &["cas_calls", "cas_conflicts"]);
                ctx.reports_here(Shape::Gauge, &["done_ms"]);
            }
            CasNode::Client { .. } => ctx.reports(Shape::Counter, &["cas_successes"]),
        }
        if let CasNode::Client { register, belief, done: false, .. } = self {
            ctx.send(*register, CasMsg::Cas { expect: *belief });
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: CasMsg) {
        match (self, msg) {
            (CasNode::Register { server, head, .. }, CasMsg::Cas { expect }) => {
                if let Admit::Start(d) = server.arrive((from, expect), ctx.rng()) {
                    *head = Some((from, expect));
                    ctx.set_timer(CasTimer::Done, d);
                }
            }
            (CasNode::Client { done, .. }, CasMsg::CasOk) => {
                *done = true;
                ctx.count("cas_successes", 1);
            }
            (CasNode::Client { belief, tries, backoff, policy, .. }, CasMsg::CasFailed { current }) => {
                *belief = current;
                *tries += 1;
                let delay = backoff.next_delay(policy, *tries, ctx.rng());
                ctx.set_timer(CasTimer::Retry, delay.max(SimDuration(1)));
            }
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: CasTimer) {
        match (&*self, timer) {
            (CasNode::Register { .. }, CasTimer::Done) => self.register_done(ctx),
            (CasNode::Client { register, belief, done: false, .. }, CasTimer::Retry) => {
                ctx.send(*register, CasMsg::Cas { expect: *belief });
            }
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    fn on_crash(&mut self) {
        if let CasNode::Register { server, head, .. } = self {
            server.reset();
            *head = None;
        }
    }

    fn view(&self) -> NodeView {
        match self {
            CasNode::Register { value, clients, server, .. } => {
                NodeView::new("register", format!("value {value}/{clients}, {} queued", server.queued()))
                    .field("value", value)
            }
            CasNode::Client { belief, tries, done, .. } => NodeView::new(
                "client",
                if *done { "written".to_string() } else { format!("{tries} conflicts") },
            )
            .field("belief", belief)
            .field("tries", tries),
        }
    }
}
