//! The command handler: validates a command against the balances its own events produced, and
//! turns it into events for the log — or refuses it.

use super::log::Append;
use super::msg::{Change, Event, Op, SourcingMsg, SourcingTimer, C};
use super::Layout;
use crate::ids::NodeId;
use crate::time::SimDuration;
use crate::view::NodeView;
use std::collections::BTreeMap;

/// How long the writer waits for the log's acknowledgement before sending an append again.
const RESEND: SimDuration = SimDuration::from_ms(500);

#[derive(Clone, Debug)]
pub struct Writer {
    log: NodeId,
    /// The write model: every account opened, with its balance. Durable (a real one would
    /// rebuild it from the log, as a projection does).
    balances: BTreeMap<u32, i64>,
    /// Appends sent so far (durable with the balances): the next one's number.
    appends: u64,
    /// Appends sent and not acknowledged yet (durable): sent again every `RESEND`.
    unacked: BTreeMap<u64, Append>,
    commands: u64,
    rejected: u64,
}

impl Writer {
    pub fn new(layout: Layout) -> Self {
        let (balances, unacked) = (BTreeMap::new(), BTreeMap::new());
        Writer { log: layout.log(), balances, appends: 0, unacked, commands: 0, rejected: 0 }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["commands", "rejected_commands"]);
        if !self.unacked.is_empty() {
            ctx.set_timer(SourcingTimer::Resend, RESEND);
        }
    }

    /// Validate and decide. The balance moves at once, so the next command on the account is
    /// judged against it even before the log has answered: one writer, so no race.
    pub fn on_command(&mut self, ctx: &mut C<'_>, from: NodeId, cmd: u64, op: Op, account: u32, amount: u64) {
        self.commands += 1;
        ctx.count("commands", 1);
        let signed = i64::try_from(amount).unwrap_or(i64::MAX);
        let balance = self.balances.get(&account).copied();
        let events = match (op, balance) {
            (Op::Deposit, None) => vec![
                Event { account, change: Change::Opened },
                Event { account, change: Change::Deposited(amount) },
            ],
            (Op::Deposit, Some(_)) => vec![Event { account, change: Change::Deposited(amount) }],
            (Op::Withdraw, None) => {
                return self.reject(ctx, from, cmd, format!("acct {account} is not open"))
            }
            (Op::Withdraw, Some(b)) if b < signed => {
                return self.reject(ctx, from, cmd, format!("acct {account} holds {b}, less than {amount}"))
            }
            (Op::Withdraw, Some(_)) => vec![Event { account, change: Change::Withdrew(amount) }],
        };
        let after = match op {
            Op::Deposit => balance.unwrap_or(0).saturating_add(signed),
            Op::Withdraw => balance.unwrap_or(0).saturating_sub(signed),
        };
        self.balances.insert(account, after);
        let n = self.appends;
        self.appends += 1;
        if self.unacked.is_empty() {
            ctx.set_timer(SourcingTimer::Resend, RESEND);
        }
        let append = Append { n, client: from, cmd, events, balance: after };
        self.unacked.insert(n, append.clone());
        let Append { n, client, cmd, events, balance } = append;
        ctx.send(self.log, SourcingMsg::Append { n, client, cmd, events, balance });
    }

    fn reject(&mut self, ctx: &mut C<'_>, to: NodeId, cmd: u64, reason: String) {
        self.rejected += 1;
        ctx.count("rejected_commands", 1);
        ctx.note(format!("writer rejects c{}'s command {cmd}: {reason}; nothing is appended", to.0 + 1));
        ctx.send(to, SourcingMsg::Rejected { cmd, reason });
    }

    /// The log has append `n`: its command is done (a second acknowledgement changes nothing).
    pub fn on_appended(&mut self, ctx: &mut C<'_>, n: u64) {
        let Some(a) = self.unacked.remove(&n) else { return };
        ctx.send(a.client, SourcingMsg::Accepted { cmd: a.cmd, balance: a.balance });
        if self.unacked.is_empty() {
            ctx.cancel_timer(SourcingTimer::Resend);
        }
    }

    /// Appends still unacknowledged (lost on the way, or the log was down): send them again; the
    /// log takes each once, in order.
    pub fn on_resend(&mut self, ctx: &mut C<'_>) {
        if self.unacked.is_empty() {
            return;
        }
        ctx.note(format!(
            "writer sends {} appends again: the log has not acknowledged them",
            self.unacked.len()
        ));
        for a in self.unacked.values().cloned() {
            let Append { n, client, cmd, events, balance } = a;
            ctx.send(self.log, SourcingMsg::Append { n, client, cmd, events, balance });
        }
        ctx.set_timer(SourcingTimer::Resend, RESEND);
    }

    pub fn view(&self) -> NodeView {
        NodeView::new("command handler", format!("{} commands", self.commands))
            .field("commands", self.commands)
            .field("rejected", self.rejected)
            .field("balances", super::msg::balances_line(&self.balances))
    }
}
