//! A Raft client: sends reads and writes to the server it believes leads, follows `NotLeader`
//! redirects, and records every operation in the run's history. When a request times out it tries
//! another server, but only if the request went to its current guess and that server has not
//! answered since (the usual leader-hint client, Raft paper §8).

use super::msg::{Cmd, RaftMsg, RaftTimer};
use crate::blocks::Generator;
use crate::ids::NodeId;
use crate::node::Ctx;
use crate::sim::history::{OpKind, Outcome};
use crate::time::{SimDuration, SimTime};
use std::collections::BTreeMap;

type C<'a> = Ctx<'a, RaftMsg, RaftTimer>;

/// Wait before retrying when nobody knows the leader (an election is running).
const RETRY_MS: u64 = 50;
/// Redirects followed before giving up on a request.
const MAX_TRIES: u32 = 20;

#[derive(Clone, Debug)]
struct Pending {
    cmd: Cmd,
    /// When it was handed in (its latency counts from here).
    sent: SimTime,
    hist: u64,
    tries: u32,
    /// Whether the workload generated it: only those hold a closed-loop slot (a request sent by
    /// hand does not).
    generated: bool,
    /// The server it went to last, and when.
    to: NodeId,
    at: SimTime,
}

#[derive(Clone, Debug)]
pub struct Client {
    gen: Generator,
    servers: u32,
    guess: NodeId,
    /// When the guess last answered a request: it was alive and leading then.
    heard: SimTime,
    next_id: u64,
    pending: BTreeMap<u64, Pending>,
}

impl Client {
    pub fn new(gen: Generator, servers: u32, index: u32) -> Self {
        let guess = NodeId(index % servers);
        Client { gen, servers, guess, heard: SimTime::ZERO, next_id: 0, pending: BTreeMap::new() }
    }

    pub fn pending(&self) -> usize {
        self.pending.len()
    }
    pub fn sent(&self) -> u64 {
        self.next_id
    }
    pub fn guess(&self) -> NodeId {
        self.guess
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        self.schedule_next(ctx);
        for _ in 0..self.gen.concurrency() {
            self.start_op(ctx, true);
        }
    }

    pub fn crash(&mut self) {
        self.pending.clear();
    }

    /// A random server other than `not`.
    fn another_server(&self, ctx: &mut C<'_>, not: NodeId) -> NodeId {
        let step = 1 + ctx.rng().below(self.servers as u64 - 1) as u32;
        NodeId((not.0 + step) % self.servers)
    }

    fn schedule_next(&mut self, ctx: &mut C<'_>) {
        let now = ctx.now();
        if let Some(gap) = self.gen.next_gap(now, ctx.load_pct(), ctx.rng()) {
            ctx.set_timer(RaftTimer::Next, gap);
        }
    }

    pub fn start_op(&mut self, ctx: &mut C<'_>, generated: bool) {
        self.next_id += 1;
        let id = self.next_id;
        let key = self.gen.key(ctx.rng());
        let (cmd, op) = if self.gen.is_read(ctx.rng()) {
            (Cmd::Get { key }, OpKind::Read)
        } else {
            let value = (ctx.id().0 as i64) * 1_000_000_000 + id as i64;
            (Cmd::Put { key, value }, OpKind::Write { value })
        };
        let hist = ctx.history_invoke(key, op);
        let (to, at) = (self.guess, ctx.now());
        self.pending.insert(id, Pending { cmd, sent: at, hist, tries: 0, to, at, generated });
        ctx.count("requests", 1);
        ctx.send(self.guess, RaftMsg::Request { id, cmd });
        if let Some(t) = self.gen.timeout {
            ctx.set_timer(RaftTimer::Timeout(id), t);
        }
    }

    fn resend(&mut self, ctx: &mut C<'_>, id: u64) {
        if let Some(p) = self.pending.get_mut(&id) {
            (p.to, p.at) = (self.guess, ctx.now());
            ctx.send(self.guess, RaftMsg::Request { id, cmd: p.cmd });
        }
    }

    pub fn on_not_leader(&mut self, ctx: &mut C<'_>, from: NodeId, id: u64, hint: Option<NodeId>) {
        let Some(p) = self.pending.get_mut(&id) else { return };
        p.tries += 1;
        if p.tries > MAX_TRIES {
            self.finish(ctx, id, Outcome::Fail);
            return;
        }
        match hint {
            Some(h) if h != from => {
                self.guess = h;
                self.resend(ctx, id);
            }
            _ => {
                self.guess = self.another_server(ctx, from);
                ctx.set_timer(RaftTimer::Retry(id), SimDuration::from_ms(RETRY_MS));
            }
        }
    }

    pub fn on_response(&mut self, ctx: &mut C<'_>, from: NodeId, id: u64, value: Option<i64>) {
        (self.guess, self.heard) = (from, ctx.now());
        let Some(p) = self.pending.get(&id) else {
            ctx.count("late_responses", 1);
            return;
        };
        let value = if matches!(p.cmd, Cmd::Get { .. }) { value } else { None };
        ctx.observe("latency_ms", ctx.now().since(p.sent));
        ctx.count("responses", 1);
        self.finish(ctx, id, Outcome::Ok { value });
    }

    fn finish(&mut self, ctx: &mut C<'_>, id: u64, outcome: Outcome) {
        let Some(p) = self.pending.remove(&id) else { return };
        ctx.cancel_timer(RaftTimer::Timeout(id));
        ctx.cancel_timer(RaftTimer::Retry(id));
        ctx.history_complete(p.hist, outcome);
        if outcome == Outcome::Fail {
            ctx.count("errors", 1);
        }
        // Closed loop: a generated request's slot goes to the next one after a think time.
        if let Some(think) = self.gen.think_after(p.generated, ctx.rng()) {
            ctx.set_timer(RaftTimer::Think(id), think);
        }
    }

    pub fn on_timer(&mut self, ctx: &mut C<'_>, timer: RaftTimer) {
        match timer {
            RaftTimer::Next => {
                // The generator schedules no arrival into a burst at 0 %; this guards against a
                // clock skewed into one after the arrival was drawn.
                if self.gen.rate_pct(ctx.now()) > 0 {
                    self.start_op(ctx, true);
                }
                self.schedule_next(ctx);
            }
            RaftTimer::Retry(id) => self.resend(ctx, id),
            RaftTimer::Think(_) => self.start_op(ctx, true),
            RaftTimer::Timeout(id) => {
                if let Some(p) = self.pending.get(&id) {
                    // Give up on the guess only if the request went to it and it has not
                    // answered anything since: a request sent to a crashed leader 2 s ago must not
                    // pull the client away from the new leader it has found meanwhile.
                    let silent = p.to == self.guess && self.heard <= p.at;
                    ctx.count("timeouts", 1);
                    ctx.count("errors", 1);
                    // Unknown outcome: the command may still commit.
                    self.finish(ctx, id, Outcome::Info);
                    if silent {
                        self.guess = self.another_server(ctx, self.guess);
                    }
                }
            }
            t => ctx.ignored_timer(&t),
        }
    }
}
