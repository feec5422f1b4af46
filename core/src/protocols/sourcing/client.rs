//! A client: one command at a time — deposit or withdraw a random amount on a random account —
//! then a pause, then the next.

use super::msg::{Op, SourcingMsg, SourcingTimer, C};
use super::{Layout, SourcingConfig};
use crate::dist::Dist;
use crate::ids::NodeId;
use crate::time::SimDuration;
use crate::view::NodeView;

/// A command waiting for its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    pub cmd: u64,
    pub op: Op,
    pub account: u32,
    pub amount: u64,
}

#[derive(Clone, Debug)]
pub struct Client {
    writer: NodeId,
    think: Dist,
    accounts: u32,
    withdraw_permille: u32,
    max_amount: u64,
    next_cmd: u64,
    pub pending: Option<Pending>,
    accepted: u64,
    rejected: u64,
}

/// How long a client waits for an answer before giving the command up.
const TIMEOUT: SimDuration = SimDuration::from_ms(1000);

impl Client {
    pub fn new(cfg: &SourcingConfig, layout: Layout) -> Self {
        Client {
            writer: layout.writer(),
            think: cfg.think.clone(),
            accounts: cfg.accounts,
            withdraw_permille: cfg.withdraw_permille,
            max_amount: cfg.max_amount,
            next_cmd: 1,
            pending: None,
            accepted: 0,
            rejected: 0,
        }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["requests", "responses", "errors", "timeouts"]);
        self.pending = None;
        self.later(ctx);
    }

    pub fn crash(&mut self) {
        self.pending = None;
    }

    fn later(&mut self, ctx: &mut C<'_>) {
        let gap = SimDuration::from_us(self.think.sample(ctx.rng()));
        ctx.set_timer(SourcingTimer::Next, gap);
    }

    /// Draw the next command and send it.
    pub fn on_next(&mut self, ctx: &mut C<'_>) {
        if self.pending.is_some() {
            return;
        }
        let account = 1 + ctx.rng().below(u64::from(self.accounts)) as u32;
        let op = if ctx.rng().below(1000) < u64::from(self.withdraw_permille) {
            Op::Withdraw
        } else {
            Op::Deposit
        };
        let amount = ctx.rng().range_inclusive(1, self.max_amount);
        self.send(ctx, op, account, amount);
    }

    fn send(&mut self, ctx: &mut C<'_>, op: Op, account: u32, amount: u64) {
        let cmd = self.next_cmd;
        self.next_cmd += 1;
        self.pending = Some(Pending { cmd, op, account, amount });
        ctx.count("requests", 1);
        ctx.send(self.writer, SourcingMsg::Command { cmd, op, account, amount });
        ctx.set_timer(SourcingTimer::Timeout(cmd), TIMEOUT);
    }

    /// The answer to `cmd`: accepted (`Ok`) or rejected. A late answer to a command given up is
    /// ignored.
    pub fn on_answer(&mut self, ctx: &mut C<'_>, cmd: u64, ok: bool) {
        if self.pending.is_none_or(|p| p.cmd != cmd) {
            return;
        }
        ctx.cancel_timer(SourcingTimer::Timeout(cmd));
        self.pending = None;
        if ok {
            self.accepted += 1;
            ctx.count("responses", 1);
        } else {
            self.rejected += 1;
            ctx.count("errors", 1);
        }
        self.later(ctx);
    }

    pub fn on_timeout(&mut self, ctx: &mut C<'_>, cmd: u64) {
        if self.pending.is_none_or(|p| p.cmd != cmd) {
            return;
        }
        self.pending = None;
        ctx.count("timeouts", 1);
        ctx.count("errors", 1);
        ctx.note(format!("c{}: no answer to command {cmd} in 1 s; it gives it up", ctx.id().0 + 1));
        self.later(ctx);
    }

    /// A command by hand: `deposit` or `withdraw`, `key` the account ("3" or "acct 3"), `value`
    /// the amount.
    pub fn by_hand(&mut self, ctx: &mut C<'_>, req: &crate::node::ClientRequest) {
        let op = match req.op.as_str() {
            "deposit" => Op::Deposit,
            "withdraw" => Op::Withdraw,
            other => {
                return ctx.note(format!("ignored request {other:?}: a client takes deposit or withdraw"))
            }
        };
        let (account, amount) = match self.account_and_amount(req) {
            Ok(asked) => asked,
            Err(why) => return ctx.note(format!("ignored request: {why}")),
        };
        if self.pending.is_some() {
            return ctx.note("busy with a command; try again when it is answered");
        }
        ctx.cancel_timer(SourcingTimer::Next);
        self.send(ctx, op, account, amount);
    }

    /// The account a command by hand names (`key`: "3" or "acct 3"; account 1 if none) and its
    /// amount (`value`; 10 if none), or why the client would not send it.
    pub fn account_and_amount(&self, req: &crate::node::ClientRequest) -> Result<(u32, u64), String> {
        let key = req.key.as_deref().unwrap_or("1").trim().trim_start_matches("acct").trim();
        let account = key.parse::<u32>().ok().filter(|a| (1..=self.accounts).contains(a));
        let Some(account) = account else {
            return Err(format!("{} to account {key:?}: name one from 1 to {}", req.op, self.accounts));
        };
        match req.value.unwrap_or(10) {
            amount if amount >= 1 => Ok((account, amount.unsigned_abs())),
            amount => Err(format!("{} of {amount}: an amount is at least 1", req.op)),
        }
    }

    pub fn view(&self) -> NodeView {
        let label = match self.pending {
            Some(p) => match p.op {
                Op::Deposit => format!("deposit {} → acct {}", p.amount, p.account),
                Op::Withdraw => format!("withdraw {} ← acct {}", p.amount, p.account),
            },
            None => format!("{} accepted", self.accepted),
        };
        NodeView::new("client", label).field("accepted", self.accepted).field("rejected", self.rejected)
    }
}
