//! A D7 replica: adds items to shopping carts, replicates, and resolves conflicts.

use super::store::{add_sibling, context, Sibling, Stamped};
use super::{ConflictConfig, Resolution};
use crate::ids::NodeId;
use crate::node::{Ctx, Kind, Node, Shape};
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// One cart's state as shipped between replicas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CartState {
    Stamped(Stamped),
    Siblings(Vec<Sibling>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConflictMsg {
    /// A fresh write, pushed to every peer.
    Replicate { cart: u32, state: CartState },
    /// Anti-entropy: every cart.
    Sync { carts: Vec<(u32, CartState)> },
}

impl Kind for ConflictMsg {
    const KINDS: &'static [&'static str] = &["Replicate", "Sync"];

    fn kind(&self) -> &'static str {
        match self {
            ConflictMsg::Replicate { .. } => "Replicate",
            ConflictMsg::Sync { .. } => "Sync",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConflictTimer {
    Update,
    Sync,
}

impl Kind for ConflictTimer {
    fn kind(&self) -> &'static str {
        match self {
            ConflictTimer::Update => "Update",
            ConflictTimer::Sync => "Sync",
        }
    }
}

type C<'a> = Ctx<'a, ConflictMsg, ConflictTimer>;

/// A replica. Its carts are durable.
#[derive(Clone, Debug)]
pub struct Replica {
    cfg: Arc<ConflictConfig>,
    pub carts: BTreeMap<u32, CartState>,
    /// Every item this replica has ever seen added, per cart (items are only ever added).
    pub seen: BTreeMap<u32, BTreeSet<u32>>,
    adds: u32,
}

impl Replica {
    pub fn new(cfg: Arc<ConflictConfig>) -> Self {
        Replica { cfg, carts: BTreeMap::new(), seen: BTreeMap::new(), adds: 0 }
    }

    /// The items a read of `cart` returns (siblings: their union, as the application would merge).
    pub fn items(&self, cart: u32) -> BTreeSet<u32> {
        match self.carts.get(&cart) {
            Some(CartState::Stamped(s)) => s.items.clone(),
            Some(CartState::Siblings(set)) => set.iter().flat_map(|s| s.items.iter().copied()).collect(),
            None => BTreeSet::new(),
        }
    }

    /// Items this replica knows were added but its carts no longer hold.
    pub fn lost_items(&self) -> u64 {
        self.seen.iter().map(|(c, seen)| seen.difference(&self.items(*c)).count() as u64).sum()
    }

    pub fn siblings(&self) -> usize {
        self.carts
            .values()
            .map(|c| if let CartState::Siblings(s) = c { s.len() } else { 1 })
            .max()
            .unwrap_or(0)
    }

    fn n(&self) -> usize {
        self.cfg.replicas as usize
    }

    fn note_seen(&mut self, cart: u32, state: &CartState) {
        let entry = self.seen.entry(cart).or_default();
        match state {
            CartState::Stamped(s) => entry.extend(s.items.iter().copied()),
            CartState::Siblings(set) => set.iter().for_each(|s| entry.extend(s.items.iter().copied())),
        }
    }

    /// The user adds an item to a cart at this replica: read, modify, write.
    fn on_update(&mut self, ctx: &mut C<'_>) {
        let me = ctx.id().0;
        let cart = ctx.rng().below(u64::from(self.cfg.carts)) as u32;
        self.adds += 1;
        let item = me * 100_000 + self.adds;
        ctx.count("adds", 1);
        let state = match self.cfg.resolution {
            Resolution::Siblings => self.write_sibling(ctx, cart, item),
            Resolution::Lww | Resolution::Versioned => self.write_stamped(ctx, cart, item),
        };
        self.note_seen(cart, &state);
        for p in (0..self.cfg.replicas).filter(|p| *p != me) {
            ctx.send(NodeId(p), ConflictMsg::Replicate { cart, state: state.clone() });
        }
        self.report(ctx);
    }

    fn write_stamped(&mut self, ctx: &mut C<'_>, cart: u32, item: u32) -> CartState {
        let current = match self.carts.get(&cart) {
            Some(CartState::Stamped(s)) => s.clone(),
            _ => Stamped::default(),
        };
        let version = if self.cfg.resolution == Resolution::Versioned { current.version + 1 } else { 0 };
        let mut items = current.items.clone();
        items.insert(item);
        let new = Stamped { version, ts_us: ctx.now().as_us(), node: ctx.id().0, items };
        if new.key() < current.key() {
            // The writer saw `current` and wrote after it, yet its stamp is smaller: the write is lost.
            ctx.count("lost_updates", 1);
            ctx.note(format!(
                "cart {cart}: my write (add {item}) stamped {} µs loses to an earlier write stamped {} µs by r{} — my clock is behind",
                new.ts_us,
                current.ts_us,
                current.node + 1
            ));
            ctx.violation(
                "no_lost_updates",
                format!("cart {cart}: add {item} at r{} was discarded", ctx.id().0 + 1),
            );
            // Shipped anyway, as a real store would: every replica discards it the same way.
            return CartState::Stamped(new);
        }
        ctx.note(format!("cart {cart}: add {item}, stamp (v{version}, {} µs, r{})", new.ts_us, new.node + 1));
        self.carts.insert(cart, CartState::Stamped(new.clone()));
        CartState::Stamped(new)
    }

    fn write_sibling(&mut self, ctx: &mut C<'_>, cart: u32, item: u32) -> CartState {
        let me = ctx.id().index();
        let set = match self.carts.get(&cart) {
            Some(CartState::Siblings(s)) => s.clone(),
            _ => Vec::new(),
        };
        let mut vv = context(&set, self.n());
        let mut items: BTreeSet<u32> = set.iter().flat_map(|s| s.items.iter().copied()).collect();
        if set.len() > 1 {
            ctx.count("sibling_merges", 1);
            let shown: Vec<String> = set.iter().map(|s| s.items.len().to_string()).collect();
            ctx.note(format!(
                "cart {cart}: {} siblings (sizes {}) handed to the application, merged by union into {} items",
                set.len(),
                shown.join(", "),
                items.len()
            ));
        }
        items.insert(item);
        vv[me] += 1;
        let new = Sibling { vv, items };
        self.carts.insert(cart, CartState::Siblings(vec![new.clone()]));
        CartState::Siblings(vec![new])
    }

    fn on_state(&mut self, ctx: &mut C<'_>, from: NodeId, cart: u32, state: CartState) {
        self.note_seen(cart, &state);
        match (self.carts.get_mut(&cart), state) {
            (Some(CartState::Stamped(mine)), CartState::Stamped(theirs)) => {
                if theirs.key() > mine.key() {
                    *mine = theirs;
                }
            }
            (Some(CartState::Siblings(mine)), CartState::Siblings(theirs)) => {
                let before = mine.len();
                theirs.into_iter().for_each(|s| {
                    add_sibling(mine, s);
                });
                if mine.len() > before {
                    ctx.count("siblings_created", (mine.len() - before) as u64);
                    ctx.note(format!(
                        "cart {cart}: concurrent write from r{}: now {} siblings",
                        from.0 + 1,
                        mine.len()
                    ));
                }
            }
            (_, s) => {
                self.carts.insert(cart, s);
            }
        }
    }

    /// Per-replica gauges: items known lost, most siblings of any cart.
    fn report(&self, ctx: &mut C<'_>) {
        ctx.gauge_here("lost_items", self.lost_items() as i64);
        ctx.gauge_here("max_siblings", self.siblings() as i64);
    }

    fn schedule(&self, ctx: &mut C<'_>) {
        let mean = self.cfg.update_every_ms as f64 * 1000.0;
        let gap = (-mean * libm::log(ctx.rng().next_f64_open0())).max(1.0) as u64;
        ctx.set_timer(ConflictTimer::Update, SimDuration(gap));
    }
}

impl Node for Replica {
    type Msg = ConflictMsg;
    type Timer = ConflictTimer;

    fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["lost_updates"]);
        // Everything a replica may record, listed for the run report from the start (review 27 B2).
        ctx.reports(Shape::Counter, &["adds", "lost_updates", "siblings_created", "sibling_merges"]);
        ctx.reports_here(Shape::Gauge, &["lost_items", "max_siblings"]);
        self.schedule(ctx);
        let jitter = ctx.rng().below(self.cfg.sync_ms * 1000);
        ctx.set_timer(ConflictTimer::Sync, SimDuration(1 + jitter));
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: ConflictMsg) {
        match msg {
            ConflictMsg::Replicate { cart, state } => self.on_state(ctx, from, cart, state),
            ConflictMsg::Sync { carts } => {
                carts.into_iter().for_each(|(c, s)| self.on_state(ctx, from, c, s))
            }
        }
        self.report(ctx);
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: ConflictTimer) {
        match timer {
            ConflictTimer::Update => {
                let until = self.cfg.updates_until_ms;
                if until == 0 || ctx.now() < SimTime::from_ms(until) {
                    self.on_update(ctx);
                    self.schedule(ctx);
                }
            }
            ConflictTimer::Sync => {
                let carts: Vec<(u32, CartState)> = self.carts.iter().map(|(c, s)| (*c, s.clone())).collect();
                let me = ctx.id().0;
                for p in (0..self.cfg.replicas).filter(|p| *p != me) {
                    ctx.send(NodeId(p), ConflictMsg::Sync { carts: carts.clone() });
                }
                ctx.set_timer(ConflictTimer::Sync, SimDuration::from_ms(self.cfg.sync_ms));
            }
        }
    }

    fn on_crash(&mut self) {}

    fn view(&self) -> NodeView {
        let total: usize = (0..self.cfg.carts).map(|c| self.items(c).len()).sum();
        let mut v = NodeView::new("replica", format!("{total} items, {} lost", self.lost_items()))
            .field("items in carts", total)
            .field("items lost", self.lost_items())
            .field("most siblings", self.siblings());
        for (c, state) in &self.carts {
            let text = match state {
                CartState::Stamped(s) => {
                    format!("{} items @ (v{}, {} µs, r{})", s.items.len(), s.version, s.ts_us, s.node + 1)
                }
                CartState::Siblings(set) => {
                    let vvs: Vec<String> = set.iter().map(|s| format!("{:?}", s.vv)).collect();
                    format!("{} items, clocks {}", self.items(*c).len(), vvs.join(" ∥ "))
                }
            };
            v = v.field(&format!("cart {c}"), text);
        }
        if self.siblings() > 1 {
            v = v.alert("siblings");
        }
        v
    }

    fn invariants(_nodes: &[Self]) -> &'static [&'static str] {
        &["no_lost_updates"]
    }
}
