//! D8 nodes: replicas that update and gossip a CRDT document, and a monitor of digests.

use super::types::{Crdt, LwwMap, OrSet, PnCounter};
use super::CrdtConfig;
use crate::check::bitset::Fnv64;
use crate::ids::NodeId;
use crate::node::{Ctx, Kind, Node, Shape};
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The replicated document: one of each kind of CRDT.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Doc {
    pub likes: PnCounter,
    pub cart: OrSet<u32>,
    pub profile: LwwMap<u32, i64>,
}

impl Crdt for Doc {
    fn merge(&mut self, other: &Self) {
        self.likes.merge(&other.likes);
        self.cart.merge(&other.cart);
        self.profile.merge(&other.profile);
    }
}

impl Doc {
    /// FNV-1a over the canonical (ordered) state: equal documents, equal digests.
    pub fn digest(&self) -> u64 {
        let mut h = Fnv64::default();
        self.hash(&mut h);
        h.finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CrdtMsg {
    Gossip { doc: Box<Doc> },
    Digest { digest: u64 },
}

impl Kind for CrdtMsg {
    const KINDS: &'static [&'static str] = &["Gossip", "Digest"];

    fn kind(&self) -> &'static str {
        match self {
            CrdtMsg::Gossip { .. } => "Gossip",
            CrdtMsg::Digest { .. } => "Digest",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CrdtTimer {
    Update,
    Gossip,
    /// Monitor: the convergence deadline.
    Deadline,
}

impl Kind for CrdtTimer {
    fn kind(&self) -> &'static str {
        match self {
            CrdtTimer::Update => "Update",
            CrdtTimer::Gossip => "Gossip",
            CrdtTimer::Deadline => "Deadline",
        }
    }
}

/// A D8 participant. A replica's document is durable, and so is the monitor's record (the
/// digests and when they became equal): it is the experiment's instrument, and a crash of it must
/// not change what the run measured (review 59 F2: a restart wiped the time of convergence and,
/// past the deadline, reported replicas long equal as still differing).
#[derive(Clone, Debug)]
pub enum CrdtNode {
    Replica { cfg: Arc<CrdtConfig>, doc: Doc },
    Monitor { cfg: Arc<CrdtConfig>, digests: BTreeMap<u32, u64>, converged_at: Option<SimTime> },
}

type C<'a> = Ctx<'a, CrdtMsg, CrdtTimer>;

impl CrdtNode {
    pub fn replica(cfg: Arc<CrdtConfig>) -> Self {
        CrdtNode::Replica { cfg, doc: Doc::default() }
    }
    pub fn monitor(cfg: Arc<CrdtConfig>) -> Self {
        CrdtNode::Monitor { cfg, digests: BTreeMap::new(), converged_at: None }
    }
    pub fn doc(&self) -> Option<&Doc> {
        match self {
            CrdtNode::Replica { doc, .. } => Some(doc),
            CrdtNode::Monitor { .. } => None,
        }
    }
}

fn monitor_id(cfg: &CrdtConfig) -> NodeId {
    NodeId(cfg.replicas)
}

fn update_gap(cfg: &CrdtConfig, ctx: &mut C<'_>) -> SimDuration {
    let mean = cfg.update_every_ms as f64 * 1000.0;
    SimDuration((-mean * libm::log(ctx.rng().next_f64_open0())).max(1.0) as u64)
}

/// One random local update; returns what it did, for the trace.
fn local_update(doc: &mut Doc, ctx: &mut C<'_>) -> String {
    let me = ctx.id().0;
    let (stamp, pick) = (ctx.now().as_us(), ctx.rng().below(5));
    let item = ctx.rng().below(8) as u32;
    match pick {
        0 => {
            doc.likes.increment(me, 1);
            "likes +1".into()
        }
        1 => {
            doc.likes.decrement(me, 1);
            "likes −1".into()
        }
        2 => {
            doc.cart.add(me, item);
            format!("cart add {item}")
        }
        3 => {
            doc.cart.remove(&item);
            format!("cart remove {item}")
        }
        _ => {
            let value = ctx.rng().below(100) as i64;
            doc.profile.put(stamp, me, item, value);
            format!("profile[{item}] = {value}")
        }
    }
}

fn report_digest(doc: &Doc, cfg: &CrdtConfig, ctx: &mut C<'_>) {
    ctx.send(monitor_id(cfg), CrdtMsg::Digest { digest: doc.digest() });
}

/// Words for what a merge changed ("likes 3 → 5, cart +2").
fn merge_summary(before: &Doc, after: &Doc) -> String {
    let mut parts = Vec::new();
    if before.likes.value() != after.likes.value() {
        parts.push(format!("likes {} → {}", before.likes.value(), after.likes.value()));
    }
    let (b, a) = (before.cart.elements(), after.cart.elements());
    if a != b {
        parts.push(format!("cart {:?} → {:?}", b, a));
    }
    parts.extend(profile_change(&before.profile, &after.profile));
    if parts.is_empty() {
        "bookkeeping only (tags, tombstones, timestamps)".into()
    } else {
        parts.join(", ")
    }
}

/// What a merge did to the profile's live entries: "profile: 2 entries added and 1 changed".
/// Counts, not sizes: "5 → 5 entries" read as "no change" when values had changed. `None` when
/// no live value changed (only timestamps or tombstones did).
fn profile_change(before: &LwwMap<u32, i64>, after: &LwwMap<u32, i64>) -> Option<String> {
    let (mut added, mut changed, mut removed) = (0, 0, 0);
    let keys: BTreeSet<&u32> = before.entries.keys().chain(after.entries.keys()).collect();
    for key in keys {
        match (before.get(key), after.get(key)) {
            (None, Some(_)) => added += 1,
            (Some(_), None) => removed += 1,
            (Some(a), Some(b)) if a != b => changed += 1,
            _ => {}
        }
    }
    let counts: Vec<(u32, &str)> = [(added, "added"), (changed, "changed"), (removed, "removed")]
        .into_iter()
        .filter(|c| c.0 > 0)
        .collect();
    let (first, rest) = counts.split_first()?;
    let noun = if first.0 == 1 { "entry" } else { "entries" };
    let mut words = vec![format!("{} {noun} {}", first.0, first.1)];
    words.extend(rest.iter().map(|(n, what)| format!("{n} {what}")));
    let last = words.pop()?;
    Some(if words.is_empty() {
        format!("profile: {last}")
    } else {
        format!("profile: {} and {last}", words.join(", "))
    })
}

impl Node for CrdtNode {
    type Msg = CrdtMsg;
    type Timer = CrdtTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        match self {
            CrdtNode::Replica { cfg, doc } => {
                // Listed for the run report from the start (review 27 B2), like the monitor's.
                ctx.reports(Shape::Counter, &["updates", "merges", "merge_changes"]);
                let gap = update_gap(cfg, ctx);
                ctx.set_timer(CrdtTimer::Update, gap);
                let jitter = ctx.rng().below(cfg.gossip_ms * 1000);
                ctx.set_timer(CrdtTimer::Gossip, SimDuration(1 + jitter));
                report_digest(doc, cfg, ctx);
            }
            CrdtNode::Monitor { cfg, .. } => {
                ctx.reports(Shape::Gauge, &["divergent_replicas", "converged_at_ms", "convergence_ms"]);
                if cfg.updates_until_ms > 0 {
                    ctx.declare_gauge("converged_at_ms");
                    ctx.declare_gauge("convergence_ms");
                    let at = SimTime::from_ms(cfg.updates_until_ms + cfg.converge_within_ms);
                    let mut wait = at.since(ctx.now());
                    if ctx.now() > SimTime::ZERO {
                        // Back from a crash: judge once a round of digests is in, not on the
                        // record kept from before it.
                        wait = wait.max(SimDuration::from_ms(2 * cfg.gossip_ms));
                    }
                    ctx.set_timer(CrdtTimer::Deadline, wait);
                }
            }
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: CrdtMsg) {
        match (self, msg) {
            (CrdtNode::Replica { cfg, doc }, CrdtMsg::Gossip { doc: theirs }) => {
                ctx.count("merges", 1);
                let before = doc.clone();
                doc.merge(&theirs);
                if *doc != before {
                    ctx.count("merge_changes", 1);
                    ctx.note(format!("merged state from r{}: {}", from.0 + 1, merge_summary(&before, doc)));
                    report_digest(doc, cfg, ctx);
                }
            }
            (CrdtNode::Monitor { cfg, digests, converged_at }, CrdtMsg::Digest { digest }) => {
                digests.insert(from.0, digest);
                on_digests(cfg, digests, converged_at, ctx);
            }
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: CrdtTimer) {
        match (self, timer) {
            (CrdtNode::Replica { cfg, doc }, CrdtTimer::Update) => {
                if cfg.updates_until_ms == 0 || ctx.now() < SimTime::from_ms(cfg.updates_until_ms) {
                    let what = local_update(doc, ctx);
                    ctx.count("updates", 1);
                    ctx.note(format!("local update: {what}"));
                    report_digest(doc, cfg, ctx);
                    let gap = update_gap(cfg, ctx);
                    ctx.set_timer(CrdtTimer::Update, gap);
                }
            }
            (CrdtNode::Replica { cfg, doc }, CrdtTimer::Gossip) => {
                let me = ctx.id().0;
                // `fanout` distinct peers: a partial Fisher–Yates shuffle of the others (with
                // replacement, a fanout of every peer reached 2.8 of 4 a round; review 59 F3).
                let mut others: Vec<u32> = (1..cfg.replicas).map(|step| (me + step) % cfg.replicas).collect();
                for i in 0..cfg.fanout.min(cfg.replicas - 1) as usize {
                    let j = i + ctx.rng().below((others.len() - i) as u64) as usize;
                    others.swap(i, j);
                    ctx.send(NodeId(others[i]), CrdtMsg::Gossip { doc: Box::new(doc.clone()) });
                }
                report_digest(doc, cfg, ctx);
                ctx.set_timer(CrdtTimer::Gossip, SimDuration::from_ms(cfg.gossip_ms));
            }
            (CrdtNode::Monitor { cfg, converged_at, .. }, CrdtTimer::Deadline) => {
                if converged_at.is_none() {
                    let detail =
                        format!("replicas still differ {} ms after updates stopped", cfg.converge_within_ms);
                    ctx.violation("convergence", detail);
                }
            }
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    /// Listed so the Invariants panel shows it holding before its deadline, not only once broken.
    fn invariants(_nodes: &[Self]) -> &'static [&'static str] {
        &["convergence"]
    }

    /// Nothing volatile: a replica's document and the monitor's record are durable.
    fn on_crash(&mut self) {}

    fn view(&self) -> NodeView {
        match self {
            CrdtNode::Replica { doc, .. } => NodeView::new(
                "replica",
                format!("likes {}, cart {:?}", doc.likes.value(), doc.cart.elements()),
            )
            .field("likes", doc.likes.value())
            .field("cart", format!("{:?}", doc.cart.elements()))
            .field("profile entries", doc.profile.len())
            .field("digest", crate::readable::short_hash(doc.digest())),
            CrdtNode::Monitor { digests, converged_at, .. } => {
                NodeView::new("monitor", format!("{} divergent", divergent(digests)))
                    .field("divergent replicas", divergent(digests))
                    .field("converged at", converged_at.map_or("not yet".into(), |t| t.to_string()))
            }
        }
    }
}

/// Replicas whose digest differs from the most common one.
fn divergent(digests: &BTreeMap<u32, u64>) -> u64 {
    let mut tally: BTreeMap<u64, u64> = BTreeMap::new();
    digests.values().for_each(|d| *tally.entry(*d).or_insert(0) += 1);
    digests.len() as u64 - tally.values().max().copied().unwrap_or(0)
}

/// Record the monitor's view after a digest arrives.
///
/// `converged_at_ms` is set only once local updates have stopped (`updates_until_ms`): from then
/// on merges can only move replicas towards the join of every update, so equal digests stay
/// equal and the time is a fact about the run, true on the chart from that point to the end and
/// in the final report. Before that, equality is momentary (five empty documents at 2 ms are
/// "equal") and `divergent_replicas = 0` already shows it; if updates never stop, replicas never
/// converge for good and the gauge stays empty (`null` in the report), never a stale time. Should
/// the monitor see them differ again all the same (a late digest shows its earlier view was
/// stale), it takes the claim back: both gauges have no value until they agree.
fn on_digests(
    cfg: &CrdtConfig,
    digests: &BTreeMap<u32, u64>,
    converged_at: &mut Option<SimTime>,
    ctx: &mut C<'_>,
) {
    let d = divergent(digests);
    ctx.gauge("divergent_replicas", d as i64);
    let equal = d == 0 && digests.len() as u32 == cfg.replicas;
    let settled = cfg.updates_until_ms > 0 && ctx.now() >= SimTime::from_ms(cfg.updates_until_ms);
    match (equal && settled, *converged_at) {
        (true, None) => {
            *converged_at = Some(ctx.now());
            let ms = ctx.now().as_us() / 1000;
            ctx.gauge("converged_at_ms", ms as i64);
            ctx.gauge("convergence_ms", ms.saturating_sub(cfg.updates_until_ms) as i64);
        }
        (false, Some(_)) => {
            *converged_at = None;
            ctx.clear_gauge("converged_at_ms");
            ctx.clear_gauge("convergence_ms");
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(u32, i64)]) -> LwwMap<u32, i64> {
        let mut m = LwwMap::default();
        entries.iter().for_each(|&(k, v)| m.put(1, 0, k, v));
        m
    }

    #[test]
    fn a_profile_merge_says_what_changed_not_how_many_entries_there_are() {
        let before = map(&[(1, 10), (2, 20)]);
        let mut after = before.clone();
        after.put(5, 1, 2, 21);
        assert_eq!(profile_change(&before, &after).as_deref(), Some("profile: 1 entry changed"));
        after.put(5, 1, 3, 30);
        after.put(5, 1, 4, 40);
        assert_eq!(
            profile_change(&before, &after).as_deref(),
            Some("profile: 2 entries added and 1 changed")
        );
        after.remove(6, 1, 1);
        assert_eq!(
            profile_change(&before, &after).as_deref(),
            Some("profile: 2 entries added, 1 changed and 1 removed")
        );
        let mut restamped = before.clone();
        restamped.put(9, 1, 1, 10);
        assert_eq!(profile_change(&before, &restamped), None, "same values, newer timestamp");
    }
}
