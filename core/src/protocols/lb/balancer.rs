//! The balancer `lb`: picks a backend for each request, counts what is open at each, relays
//! replies, and turns a backend's refusal into a fast error.

use super::node::{LbMsg, C};
use super::picker::{Algorithm, Picker};
use crate::ids::NodeId;
use crate::node::Knob;
use crate::view::NodeView;
use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct Balancer {
    pub(super) picker: Picker,
    /// Every backend's weight, those out of rotation too (the picker holds the first `rotation`).
    weights: Vec<u32>,
    /// Backends b1…b`rotation` take new requests; the rest are spares, or drain what they hold.
    rotation: usize,
    first_backend: u32,
    /// Open requests per backend: what least connections and two choices compare. Always
    /// `open[i].len()`, kept as the slice the picker reads on every request.
    pub(super) active: Vec<u32>,
    /// Per backend, its open requests as `(client, id, order forwarded in)`: which requests a
    /// refusal ends (see [`Balancer::on_refused`]). A few each, so a list beats a map.
    open: Vec<Vec<(NodeId, u64, u64)>>,
    forwarded: u64,
    /// Workers per backend (the central queue dispatches only to a free worker).
    capacity: Vec<u32>,
    /// Central queue: requests waiting for a free worker anywhere.
    waiting: VecDeque<(u64, NodeId)>,
    next_free: usize,
    /// Weighted picks noted so far (see `on_request`).
    noted: u32,
    /// Per backend: refusing since its last reply (noted once per spell, then only counted).
    refusing: Vec<bool>,
    /// The scenario crashes a node refusing connections: `refused` is listed from the start.
    pub(super) expect_refusals: bool,
}

/// Weighted picks are noted for this many full cycles of the weights: enough to step through and
/// see the pattern repeat, not a note per request for the whole run (14,000 in t1-smooth-wrr).
const NOTED_CYCLES: u32 = 3;
/// A cycle longer than this ({13,10}: 23 picks) is noted for this many picks a cycle.
const NOTED_CYCLE_MOST: u32 = 20;

impl Balancer {
    /// `capacity[i]` is backend i's worker count (used by the central queue). Every backend is
    /// in rotation (see [`Balancer::rotate`]).
    pub fn new(algorithm: Algorithm, weights: &[u32], first_backend: u32, capacity: Vec<u32>) -> Self {
        let n = weights.len();
        Balancer {
            picker: Picker::new(algorithm, weights),
            weights: weights.to_vec(),
            rotation: n,
            first_backend,
            active: vec![0; n],
            open: vec![Vec::new(); n],
            forwarded: 0,
            capacity,
            waiting: VecDeque::new(),
            next_free: 0,
            noted: 0,
            refusing: vec![false; n],
            expect_refusals: false,
        }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        if self.expect_refusals {
            ctx.declare(&["refused"]);
        }
    }

    /// Which backend (0-based) a node is, if it is one.
    fn backend_index(&self, node: NodeId) -> Option<usize> {
        let i = node.0.checked_sub(self.first_backend)? as usize;
        (i < self.active.len()).then_some(i)
    }

    pub fn on_request(&mut self, ctx: &mut C<'_>, id: u64, client: NodeId) {
        if self.picker.algorithm != Algorithm::CentralQueue {
            let i = self.picker.pick(&self.active[..self.rotation], ctx.rng());
            let period = self.picker.period();
            let budget = NOTED_CYCLES * period.min(NOTED_CYCLE_MOST);
            if self.noted < budget {
                if let Some(why) = self.picker.why(i) {
                    self.noted += 1;
                    // Clients are the first nodes, c1…
                    ctx.note(format!("c{}'s request {id} → {why}", client.0 + 1));
                    if self.noted == budget {
                        ctx.note(match period <= NOTED_CYCLE_MOST {
                            true => {
                                format!("the picks repeat every {period} requests; the rest are not noted")
                            }
                            false => format!(
                                "the picks repeat every {period} requests; only the first {budget} are noted"
                            ),
                        });
                    }
                }
            }
            self.forward(ctx, i, id, client);
        } else if let Some(i) = self.free_backend() {
            self.forward(ctx, i, id, client);
        } else {
            self.waiting.push_back((id, client));
            ctx.gauge_here("lb_queue", self.waiting.len() as i64);
        }
    }

    fn forward(&mut self, ctx: &mut C<'_>, i: usize, id: u64, client: NodeId) {
        self.active[i] += 1;
        self.forwarded += 1;
        self.open[i].push((client, id, self.forwarded));
        ctx.count_here("forwarded", 1);
        ctx.send(NodeId(self.first_backend + i as u32), LbMsg::Forward { id, client });
    }

    /// A backend answered: one fewer open there, and the answer goes on to the client.
    pub fn on_reply(&mut self, ctx: &mut C<'_>, from: NodeId, id: u64, client: NodeId, ok: bool) {
        // Only a reply to a request still open lowers the count: a duplicate's second reply, or
        // one to a request a refusal already ended, is relayed (the client counts it late) but
        // closes nothing.
        if let Some(i) = self.backend_index(from) {
            if let Some(k) = self.open[i].iter().position(|&(c, r, _)| (c, r) == (client, id)) {
                self.open[i].swap_remove(k);
                self.active[i] = self.active[i].saturating_sub(1);
            }
            self.refusing[i] = false;
        }
        ctx.send(client, LbMsg::Response { id, ok });
        self.drain_queue(ctx);
    }

    /// Backend `to` refused request `id` (it crashed refusing connections, and its host reset
    /// the connection): the request has failed, and the client hears so at once. So has every
    /// request forwarded to `to` before it and still open: the process that held them is gone,
    /// and with it their connections (a real kernel resets those when the process dies; here the
    /// balancer learns it from the first reset). Their open count goes down at once, which is
    /// what makes least connections pick a dead backend that refuses: its count stays near 0
    /// while the live ones count their work.
    pub fn on_refused(&mut self, ctx: &mut C<'_>, to: NodeId, id: u64, client: NodeId) {
        let Some(i) = self.backend_index(to) else { return };
        let Some(&(_, _, order)) = self.open[i].iter().find(|&&(c, r, _)| (c, r) == (client, id)) else {
            return; // already failed with an earlier refusal
        };
        let (mut ended, open): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.open[i]).into_iter().partition(|&(_, _, o)| o <= order);
        self.open[i] = open;
        ended.sort_by_key(|&(_, _, o)| o);
        for &(c, r, _) in &ended {
            self.active[i] = self.active[i].saturating_sub(1);
            ctx.count("refused", 1);
            ctx.send(c, LbMsg::Response { id: r, ok: false });
        }
        if !self.refusing[i] {
            self.refusing[i] = true;
            let also = match ended.len() {
                0 | 1 => String::new(),
                2 => " (as does the one request sent to it before, lost with its process)".to_string(),
                n => format!(" (as do the {} requests sent to it before, lost with its process)", n - 1),
            };
            ctx.note(format!(
                "b{n} refused c{}'s request {id}, connection reset: an error goes back at once{also}, and b{n}'s open count drops to {}. Further refusals are only counted (`refused`)",
                client.0 + 1,
                self.active[i],
                n = i + 1,
            ));
        }
        self.drain_queue(ctx);
    }

    /// A backend in rotation with an idle worker, searching round-robin from after the last one
    /// chosen.
    fn free_backend(&mut self) -> Option<usize> {
        let n = self.rotation;
        let i = (0..n).map(|k| (self.next_free + k) % n).find(|&i| self.active[i] < self.capacity[i])?;
        self.next_free = (i + 1) % n;
        Some(i)
    }

    /// Central queue: hand waiting requests to idle workers.
    fn drain_queue(&mut self, ctx: &mut C<'_>) {
        while !self.waiting.is_empty() {
            let Some(i) = self.free_backend() else { break };
            let Some((id, client)) = self.waiting.pop_front() else { break };
            self.forward(ctx, i, id, client);
            ctx.gauge_here("lb_queue", self.waiting.len() as i64);
        }
    }

    /// What a user may change while it runs: the algorithm, and how many backends are in
    /// rotation (where there are few enough to list).
    pub fn knobs(&self) -> Vec<Knob> {
        let mut k =
            vec![Knob { name: "algorithm", values: &Algorithm::NAMES, now: self.picker.algorithm.name() }];
        if let Some(values) = COUNTS.get(..self.weights.len()).filter(|v| v.len() > 1) {
            k.push(Knob { name: "in_rotation", values, now: COUNTS[self.rotation - 1] });
        }
        k
    }

    /// Take backends b1…b`k` in rotation (`1 ≤ k ≤` backends; the scenario checked it): new
    /// requests go to those only. One taken out keeps what it holds and answers it, and gets
    /// nothing new: it drains.
    pub(super) fn rotate(&mut self, k: usize) {
        self.rotation = k.clamp(1, self.weights.len());
        self.picker.resize(&self.weights[..self.rotation]);
        (self.noted, self.next_free) = (0, 0);
    }

    /// Balance by another algorithm from now on, or over more or fewer backends. Leaving the
    /// central queue, the requests waiting in it go out at once, each to the backend the new
    /// algorithm picks; new backends in rotation take from it at once.
    pub fn on_tune(&mut self, ctx: &mut C<'_>, knob: &str, to: &str) {
        if knob == "in_rotation" {
            let Ok(k) = to.parse::<usize>() else { return };
            let was = self.rotation;
            self.rotate(k);
            ctx.note(self.rotation_change(was));
            self.drain_queue(ctx);
            return;
        }
        let Some(to) = Algorithm::named(to).filter(|_| knob == "algorithm") else { return };
        let from = self.picker.algorithm;
        self.picker.switch(to);
        (self.noted, self.next_free) = (0, 0);
        ctx.note(format!("balancing by {} from now on (was {})", to.name(), from.name()));
        if to != Algorithm::CentralQueue {
            while let Some((id, client)) = self.waiting.pop_front() {
                let i = self.picker.pick(&self.active[..self.rotation], ctx.rng());
                self.forward(ctx, i, id, client);
            }
            if from == Algorithm::CentralQueue {
                ctx.gauge_here("lb_queue", 0);
            }
        }
    }

    /// What a change of rotation from `was` backends did, in words: "b4 joins the rotation, now
    /// b1–b4", "b3, b4 leave the rotation, now b1–b2: the 9 requests they hold finish there, and
    /// nothing new goes to them".
    fn rotation_change(&self, was: usize) -> String {
        let now = self.rotation;
        let moved = now.min(was)..now.max(was);
        let names: Vec<String> = moved.clone().map(super::backend_name).collect();
        let one = names.len() == 1;
        let (verb, it, holds) = if one { ("s", "it", "holds") } else { ("", "them", "hold") };
        let open: u32 = self.active[moved].iter().sum();
        let said = match now.cmp(&was) {
            std::cmp::Ordering::Equal => return format!("{} in rotation, as before", first(now)),
            std::cmp::Ordering::Greater => format!("join{verb}"),
            std::cmp::Ordering::Less => format!("leave{verb}"),
        };
        let drain = match (now < was, open) {
            (false, _) => String::new(),
            (true, 0) => format!(": {} {holds} no request", if one { "it" } else { "they" }),
            (true, n) => format!(
                ": the {n} request{} {} {holds} finish{} there, and nothing new goes to {it}",
                if n == 1 { "" } else { "s" },
                if one { "it" } else { "they" },
                if n == 1 { "es" } else { "" },
            ),
        };
        format!("{} {said} the rotation, now {}{drain}", names.join(", "), first(now))
    }

    pub fn on_crash(&mut self) {
        self.active.iter_mut().for_each(|a| *a = 0);
        self.open.iter_mut().for_each(Vec::clear);
        self.refusing.iter_mut().for_each(|r| *r = false);
        self.waiting.clear();
    }

    pub fn view(&self) -> NodeView {
        // The name the editor and the links use (`smooth_weighted_round_robin`), not Rust's.
        let mut label = self.picker.algorithm.name().replace('_', " ");
        if self.rotation < self.weights.len() {
            label = format!("{label}, {} in rotation", first(self.rotation));
        }
        let mut v = NodeView::new("balancer", label);
        if self.picker.algorithm == Algorithm::CentralQueue {
            v = v.field("queued", self.waiting.len());
        }
        if self.rotation < self.weights.len() {
            v = v.field("in rotation", format!("{} of {}", first(self.rotation), self.weights.len()));
        }
        for (i, a) in self.active.iter().enumerate() {
            let out = if i < self.rotation { "" } else { " (out of rotation)" };
            v = v.field(&format!("active b{}{out}", i + 1), a);
        }
        v
    }
}

/// The first `k` backends' names: "b1", "b1–b4".
fn first(k: usize) -> String {
    if k == 1 {
        "b1".into()
    } else {
        format!("b1–b{k}")
    }
}

/// The values of the `in_rotation` knob, for up to this many backends.
const COUNTS: [&str; 16] =
    ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::{Bench, Effect};
    use crate::time::SimTime;

    /// What the balancer answered (client, request, ok) and how many notes it wrote.
    fn said(out: &[Effect<LbMsg, super::super::LbTimer>]) -> (Vec<(u32, u64, bool)>, usize) {
        let answers = out.iter().filter_map(|e| match e {
            Effect::Send { to, msg: LbMsg::Response { id, ok } } => Some((to.0, *id, *ok)),
            _ => None,
        });
        (answers.collect(), out.iter().filter(|e| matches!(e, Effect::Note(_))).count())
    }

    #[test]
    fn a_refusal_ends_its_request_and_those_sent_before_it_once_each() {
        let mut bench = Bench::new(1);
        let mut b = Balancer::new(Algorithm::LeastConnections, &[1, 1], 4, vec![4, 4]);
        let (c1, c2, lb, b1) = (NodeId(0), NodeId(1), NodeId(3), NodeId(4));
        let mut act = |b: &mut Balancer, f: &dyn Fn(&mut Balancer, &mut C<'_>)| {
            bench.run((lb, SimTime::ZERO, 6), |ctx| f(b, ctx)).1
        };
        act(&mut b, &|b, ctx| {
            b.forward(ctx, 0, 1, c1);
            b.forward(ctx, 0, 2, c2);
            b.forward(ctx, 1, 3, c1);
            b.forward(ctx, 0, 4, c1);
        });
        assert_eq!(b.active, [3, 1]);
        // b1 refuses request 2: it ends, and so does 1, sent to b1 before it; 4 is on its way.
        let out = act(&mut b, &|b, ctx| b.on_refused(ctx, b1, 2, c2));
        assert_eq!(said(&out), (vec![(0, 1, false), (1, 2, false)], 1));
        assert_eq!(b.active, [1, 1]);
        // Request 1's own reset, later: already answered, nothing more.
        let out = act(&mut b, &|b, ctx| b.on_refused(ctx, b1, 1, c1));
        assert_eq!(said(&out), (vec![], 0));
        // A reply to an ended request is relayed (the client counts it late) but closes nothing.
        let out = act(&mut b, &|b, ctx| b.on_reply(ctx, b1, 1, c1, true));
        assert_eq!((said(&out).0, b.active.clone()), (vec![(0, 1, true)], vec![1, 1]));
        // Request 4's reset ends it. b1 answered in between, which ended the spell of refusals:
        // this one is noted again (within a spell, only the first is).
        let out = act(&mut b, &|b, ctx| b.on_refused(ctx, b1, 4, c1));
        assert_eq!(said(&out), (vec![(0, 4, false)], 1));
        assert_eq!(b.active, [0, 1]);
        // b2 refuses nothing: its request 3 is answered as usual.
        let out = act(&mut b, &|b, ctx| b.on_reply(ctx, NodeId(5), 3, c1, true));
        assert_eq!((said(&out).0, b.active.clone()), (vec![(0, 3, true)], vec![0, 0]));
        assert_eq!(bench.metrics().counter("refused", None), 3);
    }

    #[test]
    fn central_queue_hands_work_only_to_idle_workers_in_rotation() {
        let mut b = Balancer::new(Algorithm::CentralQueue, &[1, 1, 1], 4, vec![1, 2, 1]);
        let mut picks = Vec::new();
        while let Some(i) = b.free_backend() {
            b.active[i] += 1;
            picks.push(i);
        }
        assert_eq!(picks, [0, 1, 2, 1], "b2 has two workers; then everyone is busy");
        b.active[2] -= 1;
        assert_eq!(b.free_backend(), Some(2));
        b.active[2] += 1;
        b.active[0] -= 1;
        b.active[1] -= 1;
        assert_eq!(b.free_backend(), Some(0), "search starts after the last pick and wraps");
        assert_eq!(b.free_backend(), Some(1), "the rotation moves on to b2, which has an idle worker too");
    }
}
