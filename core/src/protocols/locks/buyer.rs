//! A buyer: acquire the lock, read the stock, think, check the lease, write stock − 1, release;
//! again and again until the item is sold out.

use super::msg::{secs, LockMsg, LockTimer, C};
use super::LocksConfig;
use crate::dist::Dist;
use crate::ids::NodeId;
use crate::time::{SimDuration, SimTime};
use crate::view::NodeView;

/// Where a buyer is in its purchase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Between purchases (its `Shop` timer is set).
    Idle,
    /// Asked the lock, not granted yet.
    Waiting,
    /// Asked the store for the stock.
    Reading,
    /// Read `read` items left; thinking.
    Thinking { read: u64 },
    /// Checked its lease at `checked`; the write of `read − 1` goes out when `Send` fires.
    Sending { read: u64, checked: SimTime },
    /// The write is on its way; waiting for the store's answer.
    Writing { read: u64 },
    /// Read a stock of 0: stopped shopping.
    SoldOut,
}

/// A grant as the buyer believes it: its token, and when it ends by the buyer's own clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lease {
    pub token: u64,
    pub until: SimTime,
}

#[derive(Clone, Debug)]
pub struct Buyer {
    lock: Option<NodeId>,
    store: NodeId,
    think: Dist,
    between: Dist,
    write_delay: SimDuration,
    /// How long to wait for an answer before giving the purchase up (None: for ever).
    timeout: Option<SimDuration>,
    pub step: Step,
    pub lease: Option<Lease>,
    /// The highest token any `Granted` has brought it, taken or given back. Tokens only grow and
    /// the lock grants one at a time, so a `Granted` with a token no higher is a copy of a grant
    /// it has already had (the network's duplicate, or a late one), and that grant has ended at
    /// the lock. Durable, like the lock's counter: a copy may land after a restart.
    seen: u64,
    bought: u64,
}

pub(super) fn name(id: NodeId) -> String {
    format!("c{}", id.0 + 1)
}

impl Buyer {
    pub fn new(cfg: &LocksConfig, lock: Option<NodeId>, store: NodeId) -> Self {
        Buyer {
            lock,
            store,
            think: cfg.think.clone(),
            between: cfg.between.clone(),
            write_delay: SimDuration::from_ms(cfg.write_delay_ms),
            timeout: (cfg.timeout_ms > 0).then(|| SimDuration::from_ms(cfg.timeout_ms)),
            step: Step::Idle,
            lease: None,
            seen: 0,
            bought: 0,
        }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare_here(&["bought"]);
        ctx.declare(&["requests", "responses", "errors", "timeouts"]);
        if self.lock.is_some() {
            ctx.declare(&["lease_lost_before_write", "wrote_after_lease_end"]);
        }
        self.step = Step::Idle;
        self.lease = None;
        self.shop_later(ctx);
    }

    pub fn crash(&mut self) {
        self.step = Step::Idle;
        self.lease = None;
    }

    fn shop_later(&mut self, ctx: &mut C<'_>) {
        self.step = Step::Idle;
        let gap = SimDuration::from_us(self.between.sample(ctx.rng()));
        ctx.set_timer(LockTimer::Shop, gap);
    }

    /// Start a purchase (a client request, in `requests`): ask the lock, or with no lock go
    /// straight to the store.
    pub fn shop(&mut self, ctx: &mut C<'_>) {
        ctx.count("requests", 1);
        match self.lock {
            Some(lock) => {
                self.step = Step::Waiting;
                self.ask(ctx, lock, LockMsg::Acquire);
            }
            None => self.read(ctx),
        }
    }

    fn read(&mut self, ctx: &mut C<'_>) {
        self.step = Step::Reading;
        let token = self.lease.map(|l| l.token);
        self.ask(ctx, self.store, LockMsg::Read { token });
    }

    /// Send a request that expects an answer, and start waiting for it.
    fn ask(&mut self, ctx: &mut C<'_>, to: NodeId, msg: LockMsg) {
        ctx.send(to, msg);
        if let Some(t) = self.timeout {
            ctx.set_timer(LockTimer::Timeout, t);
        }
    }

    /// The answer came: stop waiting for it.
    fn answered(&mut self, ctx: &mut C<'_>) {
        if self.timeout.is_some() {
            ctx.cancel_timer(LockTimer::Timeout);
        }
    }

    /// No answer in time: give this purchase up and start another at once.
    pub fn on_timeout(&mut self, ctx: &mut C<'_>) {
        let waited_for = match self.step {
            Step::Waiting => "grant from the lock",
            Step::Reading => "stock reading from the store",
            Step::Writing { .. } => "answer to its write, so it does not know whether it bought",
            _ => return,
        };
        ctx.count("timeouts", 1);
        ctx.count("errors", 1);
        ctx.note(format!(
            "{}: no {waited_for} in {} ms; it gives this purchase up and starts again",
            name(ctx.id()),
            self.timeout.map_or(0, ms)
        ));
        self.release(ctx);
        self.shop(ctx);
    }

    /// Hand back the grant it believes it holds, if any.
    fn release(&mut self, ctx: &mut C<'_>) {
        if let (Some(lease), Some(lock)) = (self.lease.take(), self.lock) {
            ctx.send(lock, LockMsg::Release { token: lease.token });
        }
    }

    pub fn on_granted(&mut self, ctx: &mut C<'_>, token: u64, lease_ms: u64) {
        if token <= self.seen {
            // Taking it would make a second holder: the lock has had this grant back, or its lease
            // ran out, or the buyer holds it already and its lease would seem to start again.
            return ctx.note(format!(
                "{} ignored a copy of the grant of token {token}: it has already been handed token {}",
                name(ctx.id()),
                self.seen
            ));
        }
        self.seen = token;
        if self.step != Step::Waiting {
            // A grant it no longer waits for (it crashed since, or this is a second grant after it
            // timed out and asked again): give it back.
            ctx.note(format!("{} did not ask for token {token}: released at once", name(ctx.id())));
            if let Some(lock) = self.lock {
                ctx.send(lock, LockMsg::Release { token });
            }
            return;
        }
        self.answered(ctx);
        let lease = SimDuration::from_ms(lease_ms);
        let until = ctx.now() + SimDuration::from_us(lease.as_us() - lease.as_us() / 10);
        self.lease = Some(Lease { token, until });
        self.read(ctx);
    }

    pub fn on_value(&mut self, ctx: &mut C<'_>, stock: u64, token: Option<u64>) {
        if self.step != Step::Reading || token != self.lease.map(|l| l.token) {
            return ctx.note(format!("{} ignored a stock reading it did not ask for", name(ctx.id())));
        }
        self.answered(ctx);
        if stock == 0 {
            ctx.note(format!("{} reads a stock of 0: sold out, it stops shopping", name(ctx.id())));
            self.release(ctx);
            self.step = Step::SoldOut;
            return;
        }
        self.step = Step::Thinking { read: stock };
        let d = SimDuration::from_us(self.think.sample(ctx.rng()));
        ctx.set_timer(LockTimer::Think, d);
    }

    /// Done thinking: the careful buyer checks its lease before it writes.
    pub fn on_think(&mut self, ctx: &mut C<'_>) {
        let Step::Thinking { read } = self.step else { return };
        let me = name(ctx.id());
        let now = ctx.now();
        if let Some(lease) = self.lease {
            if now >= lease.until {
                ctx.count("lease_lost_before_write", 1);
                ctx.count("errors", 1);
                ctx.note(format!(
                    "{me} checked its lease (token {}): it ran out {} ms ago by its own clock, so it \
                     does not write; it releases and starts again",
                    lease.token,
                    ms(now.since(lease.until))
                ));
                self.release(ctx);
                return self.shop_later(ctx);
            }
            ctx.note(format!(
                "{me} checked its lease (token {}): {} ms left; its write of stock {} goes out in {} ms",
                lease.token,
                ms(lease.until.since(now)),
                read.saturating_sub(1),
                ms(self.write_delay)
            ));
        }
        self.step = Step::Sending { read, checked: now };
        ctx.set_timer(LockTimer::Send, self.write_delay);
    }

    /// The prepared write goes out, without another look at the lease: the check was just done.
    pub fn on_send(&mut self, ctx: &mut C<'_>) {
        let Step::Sending { read, checked } = self.step else { return };
        let now = ctx.now();
        let token = self.lease.map(|l| l.token);
        if let Some(lease) = self.lease.filter(|l| now >= l.until) {
            ctx.count("wrote_after_lease_end", 1);
            ctx.note(format!(
                "{} writes stock {} with token {}, believing it holds the lock: it checked its lease \
                 {} ms ago, at {}; by its own clock that lease ran out {} ms ago",
                name(ctx.id()),
                read.saturating_sub(1),
                lease.token,
                ms(now.since(checked)),
                secs(checked),
                ms(now.since(lease.until))
            ));
        }
        self.step = Step::Writing { read };
        self.ask(ctx, self.store, LockMsg::Write { stock: read.saturating_sub(1), token });
    }

    pub fn on_written(&mut self, ctx: &mut C<'_>, stock: u64, token: Option<u64>) {
        let Step::Writing { read } = self.step else { return };
        if stock != read.saturating_sub(1) || token != self.lease.map(|l| l.token) {
            // The answer to an earlier write (the network's late copy): this purchase's write is
            // still on its way, and the grant must be held until it lands.
            return ctx
                .note(format!("{} ignored an answer to a write it is not waiting for", name(ctx.id())));
        }
        self.answered(ctx);
        self.bought += 1;
        ctx.count_here("bought", 1);
        ctx.count("responses", 1);
        if stock == 0 {
            ctx.note(format!("{} bought the last item", name(ctx.id())));
        }
        self.release(ctx);
        self.shop_later(ctx);
    }

    pub fn on_refused(&mut self, ctx: &mut C<'_>, token: u64, highest: u64) {
        let what = match self.step {
            Step::Reading => "read",
            Step::Writing { .. } => "write",
            _ => return,
        };
        if self.lease.map(|l| l.token) != Some(token) {
            // A late copy of the refusal of an earlier purchase: the grant it holds now is fine.
            return ctx.note(format!(
                "{} ignored a refusal of token {token}: it holds a newer grant",
                name(ctx.id())
            ));
        }
        self.answered(ctx);
        ctx.count("errors", 1);
        ctx.note(format!(
            "{}'s {what} was refused: its token {token} is older than token {highest} the store has \
             seen, so someone else held the lock since; it buys again from the start",
            name(ctx.id())
        ));
        self.release(ctx);
        self.shop_later(ctx);
    }

    /// A purchase by hand: start now unless one is under way.
    pub fn buy_now(&mut self, ctx: &mut C<'_>) {
        match self.step {
            Step::Idle | Step::SoldOut => {
                ctx.cancel_timer(LockTimer::Shop);
                ctx.note(format!("{} starts a purchase by hand", name(ctx.id())));
                self.shop(ctx);
            }
            _ => ctx.note(format!("{} is busy with a purchase; try again when it is idle", name(ctx.id()))),
        }
    }

    pub fn view(&self) -> NodeView {
        let label = match self.step {
            Step::Idle => format!("bought {}", self.bought),
            Step::Waiting => "waiting for the lock".into(),
            Step::Reading => "reading the stock".into(),
            Step::Thinking { read } => format!("thinking: {read} left"),
            Step::Sending { read, .. } | Step::Writing { read } => {
                format!("writing stock {}", read.saturating_sub(1))
            }
            Step::SoldOut => format!("sold out; bought {}", self.bought),
        };
        let lease = self.lease.map_or("-".into(), |l| format!("token {} until {}", l.token, secs(l.until)));
        let mut v = NodeView::new("buyer client", label).field("bought", self.bought).field("lease", lease);
        if let Some(l) = self.lease {
            v = v.badge(&format!("holds token {}", l.token));
        }
        v
    }
}

/// Whole milliseconds, for notes.
fn ms(d: SimDuration) -> u64 {
    d.as_us() / 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::{Bench, Effect};
    use crate::protocols::locks::{test_config, LockMode};

    const LOCK: NodeId = NodeId(1);
    const STORE: NodeId = NodeId(2);

    fn buyer() -> Buyer {
        Buyer::new(&test_config(LockMode::LeaseFencing, 1), Some(LOCK), STORE)
    }

    /// Run one handler on buyer c1 at `ms`: the messages it sent, as (to, message).
    fn step(
        bench: &mut Bench,
        b: &mut Buyer,
        ms: u64,
        f: impl FnOnce(&mut Buyer, &mut C<'_>),
    ) -> Vec<(NodeId, LockMsg)> {
        let ((), out) = bench.run((NodeId(0), SimTime::from_ms(ms), 3), |ctx| f(b, ctx));
        out.into_iter()
            .filter_map(|e| match e {
                Effect::Send { to, msg } => Some((to, msg)),
                _ => None,
            })
            .collect()
    }

    /// One whole purchase under `token`, from the `Shop` timer to the release: the stock read is 5.
    fn purchase(bench: &mut Bench, b: &mut Buyer, ms: u64, token: u64) {
        assert_eq!(step(bench, b, ms, |b, c| b.shop(c)), [(LOCK, LockMsg::Acquire)]);
        let read = LockMsg::Read { token: Some(token) };
        assert_eq!(step(bench, b, ms + 1, |b, c| b.on_granted(c, token, 500)), [(STORE, read)]);
        step(bench, b, ms + 2, |b, c| b.on_value(c, 5, Some(token)));
        step(bench, b, ms + 3, |b, c| b.on_think(c));
        let write = LockMsg::Write { stock: 4, token: Some(token) };
        assert_eq!(step(bench, b, ms + 4, |b, c| b.on_send(c)), [(STORE, write)]);
        let release = LockMsg::Release { token };
        assert_eq!(step(bench, b, ms + 5, |b, c| b.on_written(c, 4, Some(token))), [(LOCK, release)]);
        assert_eq!((b.step, b.lease), (Step::Idle, None));
    }

    /// A copy of a grant it already had — the network's duplicate, landing while the buyer waits
    /// for its next grant, even after a crash and restart — is ignored: taking it would make the
    /// buyer a second holder, under a token the lock has had back, with its lease counted afresh.
    #[test]
    fn a_copy_of_an_old_grant_is_never_taken() {
        let (mut bench, mut b) = (Bench::new(1), buyer());
        purchase(&mut bench, &mut b, 0, 7);
        assert_eq!(step(&mut bench, &mut b, 100, |b, c| b.shop(c)), [(LOCK, LockMsg::Acquire)]);
        assert!(step(&mut bench, &mut b, 110, |b, c| b.on_granted(c, 7, 500)).is_empty());
        assert_eq!((b.step, b.lease), (Step::Waiting, None), "still waiting, holding nothing");
        // Crashed and restarted, it waits for a grant again; the copy lands now.
        b.crash();
        step(&mut bench, &mut b, 200, |b, c| b.init(c));
        step(&mut bench, &mut b, 201, |b, c| b.shop(c));
        assert!(step(&mut bench, &mut b, 210, |b, c| b.on_granted(c, 7, 500)).is_empty());
        assert_eq!(b.lease, None);
        // A new grant is taken; then the copy of a grant between the two is not: tokens never go back.
        let read = |t| vec![(STORE, LockMsg::Read { token: Some(t) })];
        assert_eq!(step(&mut bench, &mut b, 220, |b, c| b.on_granted(c, 9, 500)), read(9));
        assert!(step(&mut bench, &mut b, 221, |b, c| b.on_granted(c, 8, 500)).is_empty());
        assert_eq!(b.lease.map(|l| l.token), Some(9));
    }

    /// The answers of an earlier purchase, landing late while this one's write is on the wire, do
    /// not end it: a late `Written` would have the buyer count a purchase it does not know it made
    /// and release the lock before its write lands; a late `Refused` would give up a sound grant.
    #[test]
    fn late_answers_to_an_earlier_purchase_do_not_end_this_one() {
        let (mut bench, mut b) = (Bench::new(1), buyer());
        purchase(&mut bench, &mut b, 0, 7);
        step(&mut bench, &mut b, 100, |b, c| b.shop(c));
        step(&mut bench, &mut b, 101, |b, c| b.on_granted(c, 8, 500));
        step(&mut bench, &mut b, 102, |b, c| b.on_value(c, 5, Some(8)));
        step(&mut bench, &mut b, 103, |b, c| b.on_think(c));
        step(&mut bench, &mut b, 104, |b, c| b.on_send(c));
        assert!(step(&mut bench, &mut b, 105, |b, c| b.on_written(c, 4, Some(7))).is_empty());
        assert!(step(&mut bench, &mut b, 106, |b, c| b.on_refused(c, 7, 9)).is_empty());
        assert_eq!((b.step, b.bought), (Step::Writing { read: 5 }, 1), "still writing; one bought");
        let release = vec![(LOCK, LockMsg::Release { token: 8 })];
        assert_eq!(step(&mut bench, &mut b, 107, |b, c| b.on_written(c, 4, Some(8))), release);
        assert_eq!(b.bought, 2);
    }
}
