//! The event log: append-only, split into partitions by account, the source of truth. It pushes
//! every new record to its subscribers and serves `Fetch`es from any offset.

use super::msg::{partition_of, Change, Event, Record, SourcingMsg, C};
use super::SourcingConfig;
use crate::ids::NodeId;
use crate::view::NodeView;
use std::collections::{BTreeMap, BTreeSet};

/// One `Append` of the writer's.
#[derive(Clone, Debug)]
pub struct Append {
    pub n: u64,
    pub client: NodeId,
    pub cmd: u64,
    pub events: Vec<Event>,
    pub balance: i64,
}

#[derive(Clone, Debug)]
pub struct Log {
    /// Each partition's records, offset = index.
    partitions: Vec<Vec<Record>>,
    /// Every record in append order (index = sequence number).
    all: Vec<Record>,
    /// The fold of the whole log: every opened account's balance. What a caught-up projection
    /// must show.
    pub truth: BTreeMap<u32, i64>,
    /// Per account, its balance after each of its events in turn: the state a projection must
    /// show for it after applying that many of them.
    pub history: BTreeMap<u32, Vec<i64>>,
    /// Projections that have fetched: every new record is delivered to them.
    subscribers: BTreeSet<NodeId>,
    /// The writer's next append number, and appends that overtook an earlier one on the way.
    next_append: u64,
    early: BTreeMap<u64, Append>,
    /// The node id of `p1` (projections follow the log), for notes.
    first_projection: u32,
}

/// Apply one event to balances, as the log's truth does (the writer guarantees its order).
pub fn fold(balances: &mut BTreeMap<u32, i64>, e: &Event) {
    let signed = |x: u64| i64::try_from(x).unwrap_or(i64::MAX);
    match e.change {
        Change::Opened => {
            balances.entry(e.account).or_insert(0);
        }
        Change::Deposited(x) => *balances.entry(e.account).or_insert(0) += signed(x),
        Change::Withdrew(x) => *balances.entry(e.account).or_insert(0) -= signed(x),
    }
}

impl Log {
    pub fn new(cfg: &SourcingConfig) -> Self {
        Log {
            partitions: vec![Vec::new(); cfg.partitions as usize],
            all: Vec::new(),
            truth: BTreeMap::new(),
            history: BTreeMap::new(),
            subscribers: BTreeSet::new(),
            next_append: 0,
            early: BTreeMap::new(),
            first_projection: cfg.clients + 2,
        }
    }

    pub fn len(&self) -> u64 {
        self.all.len() as u64
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        ctx.gauge("log_length", self.len() as i64);
    }

    /// An append from the writer: taken in the writer's order, the order it validated the
    /// commands in; one that arrives before an earlier one waits for it.
    pub fn on_append(&mut self, ctx: &mut C<'_>, from: NodeId, append: Append) {
        if append.n < self.next_append {
            // Already appended: the writer did not hear so, say it again.
            let Append { n, client, cmd, balance, .. } = append;
            return ctx.send(from, SourcingMsg::Appended { n, client, cmd, length: self.len(), balance });
        }
        self.early.insert(append.n, append);
        while let Some(a) = self.early.remove(&self.next_append) {
            self.next_append += 1;
            self.append(ctx, from, &a);
        }
    }

    fn append(&mut self, ctx: &mut C<'_>, from: NodeId, a: &Append) {
        for &event in &a.events {
            let partition = partition_of(event.account, self.partitions.len() as u32);
            let Some(part) = self.partitions.get_mut(partition as usize) else { continue };
            let version = self.history.get(&event.account).map_or(0, |h| h.len() as u64);
            let (seq, offset) = (self.all.len() as u64, part.len() as u64);
            let record = Record { seq, partition, offset, version, event };
            part.push(record);
            self.all.push(record);
            if event.change == Change::Opened {
                ctx.note(format!(
                    "log appends {record}: acct {} hashes to partition {partition}, where all its events go",
                    event.account
                ));
            }
            fold(&mut self.truth, &event);
            let after = self.truth.get(&event.account).copied().unwrap_or(0);
            self.history.entry(event.account).or_default().push(after);
            let head = self.len();
            for &p in &self.subscribers {
                ctx.send(p, SourcingMsg::Deliver { record, head });
            }
        }
        ctx.gauge("log_length", self.len() as i64);
        ctx.send(
            from,
            SourcingMsg::Appended {
                n: a.n,
                client: a.client,
                cmd: a.cmd,
                length: self.len(),
                balance: a.balance,
            },
        );
    }

    /// Up to `max` records of `partition` from `from`; the fetcher is subscribed from now on.
    pub fn on_fetch(&mut self, ctx: &mut C<'_>, from_node: NodeId, partition: u32, from: u64, max: u32) {
        if self.subscribers.insert(from_node) {
            ctx.note(format!(
                "p{} subscribes to the log: every new event is delivered to it from now on",
                from_node.0.saturating_sub(self.first_projection) + 1
            ));
        }
        let Some(part) = self.partitions.get(partition as usize) else {
            return ctx.note(format!("ignored a fetch of partition {partition}: there is no such partition"));
        };
        let start = usize::try_from(from).unwrap_or(usize::MAX).min(part.len());
        let end = start.saturating_add(max as usize).min(part.len());
        let records = part.get(start..end).map(<[Record]>::to_vec).unwrap_or_default();
        let msg = SourcingMsg::Batch { partition, from, records, end: part.len() as u64, head: self.len() };
        ctx.send(from_node, msg);
    }

    pub fn view(&self) -> NodeView {
        let parts: Vec<String> = self.partitions.iter().map(|p| p.len().to_string()).collect();
        let mut v = NodeView::new("event store (log)", format!("{} events", self.len()))
            .field("events", self.len())
            .field("per partition", parts.join(" · "))
            .field("balances (fold of the log)", super::msg::balances_line(&self.truth));
        for r in self.all.iter().rev().take(3) {
            v = v.field(&format!("#{}", r.seq), r);
        }
        v
    }
}
