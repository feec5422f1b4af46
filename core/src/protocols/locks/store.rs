//! The inventory store: one item's stock, read and overwritten by buyers. With fencing it
//! remembers the highest token it has seen and refuses writes under an older one.

use super::buyer::name;
use super::msg::{secs, LockMsg, C};
use super::LocksConfig;
use crate::ids::NodeId;
use crate::time::SimTime;
use crate::view::NodeView;
use std::collections::BTreeMap;

pub const NO_DOUBLE_SALE: &str = "no item sold twice";
pub const ONE_HOLDER: &str = "one holder at a time";

#[derive(Clone, Debug)]
pub struct Store {
    pub fencing: bool,
    pub initial: u64,
    stock: u64,
    /// The highest token a write has carried, and who carried it.
    highest: Option<(u64, NodeId)>,
    /// Who bought each item, by its number, and when.
    sold_to: BTreeMap<u64, (NodeId, SimTime)>,
    sold: u64,
    double_sold: u64,
    refused: u64,
}

impl Store {
    pub fn new(cfg: &LocksConfig) -> Self {
        Store {
            fencing: cfg.mode == super::LockMode::LeaseFencing,
            initial: cfg.stock,
            stock: cfg.stock,
            highest: None,
            sold_to: BTreeMap::new(),
            sold: 0,
            double_sold: 0,
            refused: 0,
        }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["sold", "double_sold"]);
        if self.fencing {
            ctx.declare(&["refused_stale_token"]);
        }
        ctx.gauge_here("stock", self.stock as i64);
    }

    pub fn on_read(&mut self, ctx: &mut C<'_>, from: NodeId) {
        ctx.send(from, LockMsg::Value { stock: self.stock });
    }

    pub fn on_write(&mut self, ctx: &mut C<'_>, from: NodeId, stock: u64, token: Option<u64>) {
        let highest = self.highest.map(|(h, _)| h);
        if self.fencing {
            let t = token.unwrap_or(0);
            if let Some(h) = highest.filter(|&h| t < h) {
                self.refused += 1;
                ctx.count("refused_stale_token", 1);
                ctx.note(format!(
                    "store refuses {}'s write of stock {stock}: token {t} is older than token {h} it has \
                     already seen",
                    name(from)
                ));
                return ctx.send(from, LockMsg::Refused { token: t, highest: h });
            }
        }
        if let (Some(t), Some((h, who))) = (token, self.highest) {
            if t < h {
                ctx.violation(
                    ONE_HOLDER,
                    format!(
                        "{} wrote under token {t} after {} had written under token {h}: two buyers acted \
                         as the lock holder",
                        name(from),
                        name(who)
                    ),
                );
            }
        }
        self.sell(ctx, from, stock);
        if let Some(t) = token.filter(|&t| highest.is_none_or(|h| t > h)) {
            self.highest = Some((t, from));
        }
        self.stock = stock;
        ctx.gauge_here("stock", stock as i64);
        ctx.send(from, LockMsg::Written { stock });
    }

    /// A write of `stock` sells item number `stock + 1` (counted from the bottom of the pile: the
    /// buyer read `stock + 1` left and took the top one). Selling a number twice is a double sale.
    fn sell(&mut self, ctx: &mut C<'_>, buyer: NodeId, stock: u64) {
        let item = stock.saturating_add(1);
        let now = ctx.now();
        self.sold += 1;
        ctx.count("sold", 1);
        let Some(&(first, at)) = self.sold_to.get(&item) else {
            self.sold_to.insert(item, (buyer, now));
            return;
        };
        self.double_sold += 1;
        ctx.count("double_sold", 1);
        let which = if item == 1 { "the last item".to_string() } else { format!("item #{item}") };
        let back_up = if stock > self.stock {
            format!("; the stock goes back up from {} to {stock}", self.stock)
        } else {
            String::new()
        };
        ctx.violation(
            NO_DOUBLE_SALE,
            format!(
                "{which} sold twice: to {} at {} and now to {}{back_up}",
                name(first),
                secs(at),
                name(buyer)
            ),
        );
    }

    pub fn view(&self) -> NodeView {
        let highest = self.highest.map_or("-".into(), |(t, c)| format!("{t} (from {})", name(c)));
        let mut v = NodeView::new("inventory store", format!("stock {}", self.stock))
            .field("stock", self.stock)
            .field("sold", format!("{} of {}", self.sold, self.initial))
            .field("highest token seen", highest)
            .field("double sold", self.double_sold);
        if self.fencing {
            v = v.field("refused (stale token)", self.refused).badge("fencing");
        }
        if self.sold > self.initial {
            v = v.alert(&format!("oversold by {}", self.sold - self.initial));
        }
        v
    }
}
