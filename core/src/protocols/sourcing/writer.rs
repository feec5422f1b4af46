//! The command handler: validates a command against the balances its own events produced, and
//! turns it into events for the log — or refuses it.

use super::msg::{Change, Event, Op, SourcingMsg, C};
use super::Layout;
use crate::ids::NodeId;
use crate::view::NodeView;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct Writer {
    log: NodeId,
    /// The write model: every account opened, with its balance. Durable (a real one would
    /// rebuild it from the log, as a projection does).
    balances: BTreeMap<u32, i64>,
    /// Appends sent so far (durable with the balances): the next one's number.
    appends: u64,
    commands: u64,
    rejected: u64,
}

impl Writer {
    pub fn new(layout: Layout) -> Self {
        Writer { log: layout.log(), balances: BTreeMap::new(), appends: 0, commands: 0, rejected: 0 }
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["commands", "rejected_commands"]);
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
        ctx.send(self.log, SourcingMsg::Append { n, client: from, cmd, events, balance: after });
    }

    fn reject(&mut self, ctx: &mut C<'_>, to: NodeId, cmd: u64, reason: String) {
        self.rejected += 1;
        ctx.count("rejected_commands", 1);
        ctx.note(format!("writer rejects c{}'s command {cmd}: {reason}; nothing is appended", to.0 + 1));
        ctx.send(to, SourcingMsg::Rejected { cmd, reason });
    }

    /// The log has the events: the command is done.
    pub fn on_appended(&mut self, ctx: &mut C<'_>, client: NodeId, cmd: u64, balance: i64) {
        ctx.send(client, SourcingMsg::Accepted { cmd, balance });
    }

    pub fn view(&self) -> NodeView {
        NodeView::new("command handler", format!("{} commands", self.commands))
            .field("commands", self.commands)
            .field("rejected", self.rejected)
            .field("balances", super::msg::balances_line(&self.balances))
    }
}
