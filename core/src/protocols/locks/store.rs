//! The inventory store: one item's stock, read and overwritten by buyers. It remembers the highest
//! token any request (read or write) has carried; with fencing it refuses a read or a write under
//! an older one, as a Chubby server checks a sequencer on every request.

use super::buyer::name;
use super::msg::{secs, LockMsg, C};
use super::LocksConfig;
use crate::ids::NodeId;
use crate::time::SimTime;
use crate::view::NodeView;
use std::collections::BTreeMap;

pub const NO_DOUBLE_SALE: &str = "no item sold twice";
pub const ONE_HOLDER: &str = "one holder at a time";

/// A request to the store, for the token check and its notes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Req {
    Read,
    /// A write of this stock.
    Write(u64),
}

impl Req {
    /// "read", "write of stock 72": what the store refuses.
    fn what(self) -> String {
        match self {
            Req::Read => "read".into(),
            Req::Write(stock) => format!("write of stock {stock}"),
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Req::Read => "read",
            Req::Write(_) => "write",
        }
    }
    /// Simple past: "c1 wrote under token 48".
    fn did(self) -> &'static str {
        match self {
            Req::Read => "read",
            Req::Write(_) => "wrote",
        }
    }
    /// Past perfect's participle: "after c3 had written under token 58".
    fn did_perfect(self) -> &'static str {
        match self {
            Req::Read => "read",
            Req::Write(_) => "written",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    pub fencing: bool,
    pub initial: u64,
    stock: u64,
    /// The highest token a request (read or write) has carried, who carried it, and in what.
    highest: Option<(u64, NodeId, Req)>,
    /// The last write served under a token: (token, buyer, stock). A grant buys one item, so the
    /// same write again is the network's duplicate of it, not a second purchase.
    last_write: Option<(u64, NodeId, u64)>,
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
            last_write: None,
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

    pub fn on_read(&mut self, ctx: &mut C<'_>, from: NodeId, token: Option<u64>) {
        if self.admit(ctx, from, token, Req::Read) {
            ctx.send(from, LockMsg::Value { stock: self.stock, token });
        }
    }

    pub fn on_write(&mut self, ctx: &mut C<'_>, from: NodeId, stock: u64, token: Option<u64>) {
        if !self.admit(ctx, from, token, Req::Write(stock)) {
            return;
        }
        if let Some(t) = token.filter(|&t| self.last_write == Some((t, from, stock))) {
            // A duplicate (a retransmission, or the network's copy): answer it again, sell nothing.
            ctx.note(format!(
                "store already wrote {}'s stock {stock} under token {t}: a duplicate, answered again, \
                 nothing sold",
                name(from)
            ));
            ctx.send(from, LockMsg::Written { stock, token });
            return;
        }
        self.last_write = token.map(|t| (t, from, stock));
        self.sell(ctx, from, stock);
        self.stock = stock;
        ctx.gauge_here("stock", stock as i64);
        ctx.send(from, LockMsg::Written { stock, token });
    }

    /// The token check every request goes through, reads and writes alike. With fencing, a
    /// token lower than the highest seen is refused (false: the request is not served). Without,
    /// the request is served, and if its token is lower than one already seen, two buyers have
    /// acted as the holder: `one holder at a time` is broken. A served request's token raises
    /// the highest seen.
    fn admit(&mut self, ctx: &mut C<'_>, from: NodeId, token: Option<u64>, req: Req) -> bool {
        if self.fencing {
            let t = token.unwrap_or(0);
            if let Some((h, _, _)) = self.highest.filter(|&(h, _, _)| t < h) {
                self.refused += 1;
                ctx.count("refused_stale_token", 1);
                ctx.note(format!(
                    "store refuses {}'s {}: token {t} is older than token {h} it has already seen",
                    name(from),
                    req.what()
                ));
                ctx.send(from, LockMsg::Refused { token: t, highest: h });
                return false;
            }
        }
        let Some(t) = token else { return true };
        match self.highest {
            Some((h, who, did)) if t < h => ctx.violation(
                ONE_HOLDER,
                format!(
                    "{} {} under token {t} after {} had {} under token {h}: two buyers acted as the \
                     lock holder",
                    name(from),
                    req.did(),
                    name(who),
                    did.did_perfect()
                ),
            ),
            // The same token again (the holder's write after its read): remember the latest.
            _ => self.highest = Some((t, from, req)),
        }
        true
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
        let highest =
            self.highest.map_or("-".into(), |(t, c, r)| format!("{t} (from {}'s {})", name(c), r.noun()));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::{Bench, Effect};
    use crate::protocols::locks::{test_config, LockMode, LockTimer};

    fn store(mode: LockMode) -> Store {
        Store::new(&test_config(mode, 2))
    }

    /// One request to the store at `ms`: what it answered, and the rules it reported broken.
    fn ask(
        bench: &mut Bench,
        s: &mut Store,
        ms: u64,
        from: NodeId,
        msg: LockMsg,
    ) -> (Vec<LockMsg>, Vec<&'static str>) {
        let ((), out) =
            bench.run::<LockMsg, LockTimer, ()>((NodeId(2), SimTime::from_ms(ms), 5), |ctx| match msg {
                LockMsg::Read { token } => s.on_read(ctx, from, token),
                LockMsg::Write { stock, token } => s.on_write(ctx, from, stock, token),
                _ => unreachable!(),
            });
        let sent =
            out.iter()
                .filter_map(|e| if let Effect::Send { msg, .. } = e { Some(msg.clone()) } else { None });
        let broken =
            out.iter()
                .filter_map(|e| if let Effect::Violation { rule, .. } = e { Some(*rule) } else { None });
        (sent.collect(), broken.collect())
    }

    /// c2 (token 2) has read the stock; c1, still holding token 1 in its own mind, now reads or
    /// writes. With fencing the store refuses either: it learned token 2 from c2's read. With
    /// leases alone it serves them, and `one holder at a time` sees the two holders.
    #[test]
    fn the_token_is_checked_on_reads_as_well_as_writes() {
        let (c1, c2) = (NodeId(0), NodeId(1));
        let refused = LockMsg::Refused { token: 1, highest: 2 };
        for (mode, fenced) in [(LockMode::LeaseFencing, true), (LockMode::Lease, false)] {
            let (mut b, mut s) = (Bench::new(1), store(mode));
            assert_eq!(
                ask(&mut b, &mut s, 0, c1, LockMsg::Read { token: Some(1) }).0,
                [LockMsg::Value { stock: 10, token: Some(1) }]
            );
            let (got, broken) = ask(&mut b, &mut s, 10, c2, LockMsg::Read { token: Some(2) });
            assert_eq!(
                (got, broken),
                (vec![LockMsg::Value { stock: 10, token: Some(2) }], vec![]),
                "a higher token is fine"
            );
            // The stale holder's write lands inside c2's read-to-write window.
            let (got, broken) = ask(&mut b, &mut s, 20, c1, LockMsg::Write { stock: 9, token: Some(1) });
            let stale_read = ask(&mut b, &mut s, 30, c1, LockMsg::Read { token: Some(1) });
            if fenced {
                assert_eq!((got, broken), (vec![refused.clone()], vec![]));
                assert_eq!(stale_read, (vec![refused.clone()], vec![]));
                assert_eq!((s.refused, s.sold), (2, 0));
            } else {
                assert_eq!(
                    (got, broken),
                    (vec![LockMsg::Written { stock: 9, token: Some(1) }], vec![ONE_HOLDER])
                );
                assert_eq!(stale_read, (vec![LockMsg::Value { stock: 9, token: Some(1) }], vec![ONE_HOLDER]));
            }
            // c2's write under its own token is served in both modes; without fencing it sells
            // item #10 a second time.
            let (got, broken) = ask(&mut b, &mut s, 40, c2, LockMsg::Write { stock: 9, token: Some(2) });
            assert_eq!(got, [LockMsg::Written { stock: 9, token: Some(2) }]);
            assert_eq!(broken, if fenced { vec![] } else { vec![NO_DOUBLE_SALE] });
        }
    }
}
