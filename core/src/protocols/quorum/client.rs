//! A D3 client: sends gets and puts to a random coordinator, records every operation in the
//! history, counts stale reads (a read older than a version this client already saw), and in
//! probe mode runs the t-visibility experiment.

use super::msg::{QMsg, QTimer, Version, TVIS_FRESH, TVIS_MS, TVIS_PPM, TVIS_READS};
use super::{Params, QuorumMode};
use crate::blocks::{Generator, OpBook, OpenOp};
use crate::ids::NodeId;
use crate::node::{Ctx, Shape};
use crate::sim::history::Outcome;
use crate::time::{SimDuration, SimTime};
use std::collections::BTreeMap;
use std::sync::Arc;

type C<'a> = Ctx<'a, QMsg, QTimer>;

/// Probe writes use fresh keys from here on, so no other client's write interferes.
pub const PROBE_KEY_BASE: u64 = 1 << 40;

/// The invariant a linearizable (ABD) client checks on every read.
pub const MONOTONIC_READS: &str = "monotonic_reads";
/// Written values are `(client index + 1) × this + op id`: unique across the run.
const VALUE_SPACING: i64 = 1_000_000_000;

/// What an open operation remembers.
#[derive(Clone, Debug)]
struct Pending {
    key: u64,
    put: Option<i64>,
    /// Reads: the newest version of `key` this client knew when the read started.
    known_at_start: Version,
    /// Probe reads: (bucket, version the probe write committed).
    probe: Option<(u8, Version)>,
    /// Whether the workload generated it: only those hold a closed-loop slot (a request sent by
    /// hand and a probe read do not).
    generated: bool,
}

#[derive(Clone, Debug)]
pub struct Client {
    params: Arc<Params>,
    gen: Generator,
    index: u32,
    ops: OpBook<Pending>,
    /// Session knowledge: the newest version seen per key (own writes and reads).
    known: BTreeMap<u64, Version>,
    /// Probe keys whose write committed, with that version (until their last probe read).
    probes: BTreeMap<u64, Version>,
    tvis: [(u64, u64); 8],
    /// Reads that returned an older version than this client had seen, and the newest one's
    /// time and key (for the picture: the lesson's point shown on the client itself).
    stale: u64,
    last_stale: Option<(SimTime, u64)>,
}

impl Client {
    /// Whether this client runs against ABD, which promises monotonic reads.
    pub fn linearizable(&self) -> bool {
        self.params.mode == QuorumMode::Linearizable
    }

    pub fn new(params: Arc<Params>, gen: Generator, index: u32) -> Self {
        Client {
            params,
            gen,
            index,
            ops: OpBook::default(),
            known: BTreeMap::new(),
            probes: BTreeMap::new(),
            tvis: [(0, 0); 8],
            stale: 0,
            last_stale: None,
        }
    }

    /// How many stale reads this client has had, and when and on which key the newest was.
    pub fn stale_reads(&self) -> (u64, Option<(SimTime, u64)>) {
        (self.stale, self.last_stale)
    }

    pub fn pending(&self) -> usize {
        self.ops.open_count()
    }
    pub fn sent(&self) -> u64 {
        self.ops.started()
    }

    pub fn init(&mut self, ctx: &mut C<'_>) {
        self.list_report_keys(ctx);
        self.schedule_next(ctx);
        for _ in 0..self.gen.concurrency() {
            self.start_generated(ctx);
        }
    }

    /// Everything a client may record, listed for the run report from the start (review 27
    /// B2); the t-visibility buckets only when it probes.
    fn list_report_keys(&self, ctx: &mut C<'_>) {
        let ops = ["reads_ok", "writes_ok", "stale_reads", "errors", "timeouts", "probe_timeouts"];
        ctx.reports(Shape::Counter, &ops);
        ctx.reports(Shape::Histogram, &["read_latency_ms", "write_latency_ms"]);
        self.ops.list_report_keys(ctx);
        if self.params.probe_visibility {
            ctx.reports(Shape::Counter, &TVIS_READS);
            ctx.reports(Shape::Counter, &TVIS_FRESH);
            ctx.reports_here(Shape::Gauge, &TVIS_PPM);
        }
    }

    pub fn crash(&mut self) {
        self.ops.clear();
        self.probes.clear();
    }

    fn schedule_next(&mut self, ctx: &mut C<'_>) {
        let now = ctx.now();
        if let Some(gap) = self.gen.next_gap(now, ctx.load_pct(), ctx.rng()) {
            ctx.set_timer(QTimer::Next, gap);
        }
    }

    /// The next operation of the workload (or a probe write in t-visibility mode).
    pub fn start_generated(&mut self, ctx: &mut C<'_>) {
        if self.params.probe_visibility {
            let key = PROBE_KEY_BASE + u64::from(self.index) * 1_000_000_000 + self.ops.started();
            self.start(ctx, key, Some(self.fresh_value()), None, true);
        } else {
            let key = self.gen.key(ctx.rng());
            let put = self.ops.generated_write(&self.gen, ctx.rng(), self.index, VALUE_SPACING);
            self.start(ctx, key, put, None, true);
        }
    }

    fn fresh_value(&self) -> i64 {
        self.ops.fresh_value(self.index, VALUE_SPACING)
    }

    pub fn start(
        &mut self,
        ctx: &mut C<'_>,
        key: u64,
        put: Option<i64>,
        probe: Option<(u8, Version)>,
        generated: bool,
    ) {
        let known_at_start = self.known.get(&key).copied().unwrap_or_default();
        let op = self.ops.start(ctx, key, put, Pending { key, put, known_at_start, probe, generated });
        let coord = NodeId(ctx.rng().below(u64::from(self.params.replicas)) as u32);
        ctx.send(coord, put.map_or(QMsg::ClientGet { op, key }, |value| QMsg::ClientPut { op, key, value }));
        ctx.set_timer(QTimer::Timeout(op), self.params.client_timeout);
    }

    pub fn on_reply(&mut self, ctx: &mut C<'_>, op: u64, result: Option<(Version, Option<i64>)>) {
        let Some(o) = self.ops.reply(ctx, op, QTimer::Timeout(op)) else { return };
        let p = &o.extra;
        match result {
            // The coordinator missed its quorum: a write may still have reached some replicas.
            None => {
                ctx.count("errors", 1);
                ctx.history_complete(o.hist, Outcome::Info);
            }
            Some((version, value)) => self.on_success(ctx, &o, version, value),
        }
        self.after_op(ctx, op, p.generated);
    }

    fn on_success(&mut self, ctx: &mut C<'_>, o: &OpenOp<Pending>, version: Version, value: Option<i64>) {
        let (p, elapsed) = (&o.extra, ctx.now().since(o.sent));
        if p.put.is_some() {
            ctx.count("writes_ok", 1);
            ctx.observe("write_latency_ms", elapsed);
            ctx.history_complete(o.hist, Outcome::Ok { value: None });
            if self.params.probe_visibility && p.key >= PROBE_KEY_BASE {
                self.schedule_probes(ctx, p.key, version);
            }
        } else {
            ctx.count("reads_ok", 1);
            ctx.observe("read_latency_ms", elapsed);
            ctx.history_complete(o.hist, Outcome::Ok { value });
            if version < p.known_at_start {
                ctx.count("stale_reads", 1);
                self.stale += 1;
                self.last_stale = Some((ctx.now(), p.key));
                if self.params.mode == QuorumMode::Linearizable {
                    let detail = format!("key {} read an older version than this client had seen", p.key);
                    ctx.violation(MONOTONIC_READS, detail);
                }
            }
            if let Some((bucket, committed)) = p.probe {
                self.record_probe(ctx, bucket, version >= committed);
            }
        }
        let entry = self.known.entry(p.key).or_default();
        *entry = (*entry).max(version);
    }

    fn schedule_probes(&mut self, ctx: &mut C<'_>, key: u64, committed: Version) {
        self.probes.insert(key, committed);
        for (bucket, ms) in TVIS_MS.iter().enumerate() {
            ctx.set_timer(QTimer::ProbeRead { key, bucket: bucket as u8 }, SimDuration::from_ms(*ms));
        }
    }

    pub fn on_probe_read(&mut self, ctx: &mut C<'_>, key: u64, bucket: u8) {
        let last = bucket as usize + 1 == TVIS_MS.len();
        let committed = if last { self.probes.remove(&key) } else { self.probes.get(&key).copied() };
        if let Some(committed) = committed {
            self.start(ctx, key, None, Some((bucket, committed)), false);
        }
    }

    fn record_probe(&mut self, ctx: &mut C<'_>, bucket: u8, fresh: bool) {
        let b = bucket as usize;
        self.tvis[b].0 += 1;
        ctx.count(TVIS_READS[b], 1);
        if fresh {
            self.tvis[b].1 += 1;
            ctx.count(TVIS_FRESH[b], 1);
        }
        ctx.gauge_here(TVIS_PPM[b], (self.tvis[b].1 * 1_000_000 / self.tvis[b].0) as i64);
    }

    pub fn on_timeout(&mut self, ctx: &mut C<'_>, op: u64) {
        if let Some(o) = self.ops.time_out(ctx, op) {
            // A probe read only measures staleness; it is not a client request.
            if o.extra.probe.is_none() {
                ctx.count("timeouts", 1);
                ctx.count("errors", 1);
            } else {
                ctx.count("probe_timeouts", 1);
            }
            self.after_op(ctx, op, o.extra.generated);
        }
    }

    /// Closed loop: operation `op` is done; if the workload generated it, think, then start the
    /// next one in its slot.
    fn after_op(&mut self, ctx: &mut C<'_>, op: u64, generated: bool) {
        if let Some(think) = self.gen.think_after(generated, ctx.rng()) {
            ctx.set_timer(QTimer::Think(op), think);
        }
    }

    pub fn on_next(&mut self, ctx: &mut C<'_>) {
        self.start_generated(ctx);
        self.schedule_next(ctx);
    }
}
