//! The trace: every send, delivery, drop, duplicate, timer, fault and note, in order.
//!
//! Memory is bounded: only the newest `capacity` records are kept, but the stable hash covers
//! every record ever pushed, so two runs can be compared by hash no matter how long they are.
//! The hash is a word-at-a-time mix (SplitMix64's finaliser) over fixed-width fields: value-stable
//! across targets and releases, which `std`'s `DefaultHasher` does not promise.

use crate::ids::NodeId;
use crate::time::SimTime;
use serde::Serialize;
use std::collections::VecDeque;
use std::fmt::Write as _;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceKind {
    Send = 1,
    Deliver = 2,
    Drop = 3,
    Duplicate = 4,
    Timer = 5,
    Fault = 6,
    Note = 7,
    Client = 8,
    Violation = 9,
}

impl TraceKind {
    pub fn name(self) -> &'static str {
        match self {
            TraceKind::Send => "send",
            TraceKind::Deliver => "deliver",
            TraceKind::Drop => "drop",
            TraceKind::Duplicate => "dup",
            TraceKind::Timer => "timer",
            TraceKind::Fault => "fault",
            TraceKind::Note => "note",
            TraceKind::Client => "client",
            TraceKind::Violation => "violation",
        }
    }
}

/// One trace record. `label` is the message kind, timer name, fault or reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceEvent {
    pub at: SimTime,
    pub kind: TraceKind,
    /// Where it happened: the sender for send/dup, the receiver for deliver and for drop (the
    /// node a dropped message was meant for, whether it died on the wire or at arrival).
    pub node: NodeId,
    /// The other end of a message: the receiver for send/dup, the sender for deliver/drop.
    pub peer: Option<NodeId>,
    /// Message id for send/deliver/drop/dup.
    pub msg: u64,
    pub label: &'static str,
    /// Free text for notes, faults and drop reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Box<str>>,
}

/// The label of a note the scenario's script wrote (a teacher's `note` event): words about the
/// run, said by no node. A node's own notes are labelled `note`.
pub const ANNOTATION: &str = "annotation";
/// The label of the note that says why the run halted.
pub const HALTED: &str = "halted";
/// The label of the note that says a scripted event was skipped, and why.
pub const SKIPPED: &str = "skipped";

/// The labels of faults of the whole network, not of one node: filed under node 0.
pub const NETWORK_FAULTS: [&str; 5] = ["partition", "block", "heal", "reset_links", "surge"];

impl TraceEvent {
    /// A record said by no node: the script's annotation, a scripted event skipped, the run
    /// halted, or a fault of the whole network (a partition, its heal…). It is filed under node 0
    /// (or the node a skipped event named), and is no event of that node's (in the space-time
    /// diagram, d6-textbook-figure's tour notes drew dots on p1's lane, and a pick counted them in
    /// p1's causal past and future: review 21; a partition was a dot on p1's lane: review 24).
    pub fn is_by_no_node(&self) -> bool {
        match self.kind {
            TraceKind::Note => matches!(self.label, ANNOTATION | HALTED | SKIPPED),
            TraceKind::Fault => self.is_network_fault(),
            _ => false,
        }
    }

    /// A fault of the whole network (see [`NETWORK_FAULTS`]).
    pub fn is_network_fault(&self) -> bool {
        self.kind == TraceKind::Fault && NETWORK_FAULTS.contains(&self.label)
    }

    /// A note worth reading in the log: a node's own, or the script's.
    pub fn is_said_note(&self) -> bool {
        self.kind == TraceKind::Note && (self.label == "note" || self.label == ANNOTATION)
    }
}

/// Where a restored checkpoint puts the trace back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceMark {
    pushed: u64,
    hash: u64,
}

/// Bounded trace with a running hash.
#[derive(Clone, Debug)]
pub struct Trace {
    records: VecDeque<TraceEvent>,
    /// The newest records that say something in words (notes, faults, violations) with their
    /// total indices, oldest first, kept apart from `records`: the event log reads these without
    /// scanning the message records between them (a busy run writes tens of thousands between
    /// two notes), and they outlive the records let go for capacity.
    said: VecDeque<(u64, TraceEvent)>,
    capacity: usize,
    pushed: u64,
    hash: u64,
    enabled: bool,
}

const SEED: u64 = 0x6473_706c_6179_2121; // "dsplay!!"

/// How many of the newest notes, faults and violations are kept for the event log.
pub const SAID_KEPT: usize = 1_000;

#[inline]
fn mix(h: u64, w: u64) -> u64 {
    let mut z = (h ^ w).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn mix_str(mut h: u64, s: &str) -> u64 {
    h = mix(h, s.len() as u64);
    for chunk in s.as_bytes().chunks(8) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        h = mix(h, u64::from_le_bytes(w));
    }
    h
}

impl Trace {
    /// `capacity` records are kept in memory; `enabled == false` still hashes but stores nothing.
    pub fn new(capacity: usize, enabled: bool) -> Self {
        Trace {
            records: VecDeque::new(),
            said: VecDeque::new(),
            capacity: capacity.max(1),
            pushed: 0,
            hash: SEED,
            enabled,
        }
    }

    pub fn push(&mut self, ev: TraceEvent) {
        let mut h = mix(self.hash, ev.at.as_us());
        let peer = ev.peer.map_or(u32::MAX, |p| p.0) as u64;
        h = mix(h, (ev.kind as u64) | (ev.node.0 as u64) << 8 | peer << 40);
        h = mix(h, ev.msg);
        h = mix_str(h, ev.label);
        if let Some(t) = &ev.text {
            h = mix_str(h, t);
        }
        self.hash = h;
        let index = self.pushed;
        self.pushed += 1;
        if self.enabled {
            if self.records.len() == self.capacity {
                self.records.pop_front();
            }
            if matches!(ev.kind, TraceKind::Note | TraceKind::Fault | TraceKind::Violation) {
                if self.said.len() == SAID_KEPT {
                    self.said.pop_front();
                }
                self.said.push_back((index, ev.clone()));
            }
            self.records.push_back(ev);
        }
    }

    /// Stable hash of everything pushed so far.
    pub fn hash(&self) -> u64 {
        self.hash
    }
    pub fn hash_hex(&self) -> String {
        format!("{:016x}", self.hash)
    }
    /// Records pushed over the whole run (kept or not).
    pub fn len_total(&self) -> u64 {
        self.pushed
    }
    /// The records still in memory, oldest first.
    pub fn records(&self) -> &VecDeque<TraceEvent> {
        &self.records
    }
    /// The newest notes, faults and violations (up to [`SAID_KEPT`]), oldest first.
    pub fn said(&self) -> impl DoubleEndedIterator<Item = &TraceEvent> {
        self.said.iter().map(|(_, ev)| ev)
    }
    /// Total index of the first retained record.
    pub fn first_index(&self) -> u64 {
        self.pushed - self.records.len() as u64
    }

    pub fn mark(&self) -> TraceMark {
        TraceMark { pushed: self.pushed, hash: self.hash }
    }

    /// Roll back to a mark taken earlier in this same run.
    pub fn rewind(&mut self, m: TraceMark) {
        let keep = m.pushed.saturating_sub(self.first_index());
        self.records.truncate(keep as usize);
        while self.said.back().is_some_and(|(i, _)| *i >= m.pushed) {
            self.said.pop_back();
        }
        self.pushed = m.pushed;
        self.hash = m.hash;
    }

    /// Fixed-column text, one record per line: `time kind node peer msg label text`.
    pub fn format_line(ev: &TraceEvent, names: &[String], out: &mut String) {
        let name = |n: NodeId| names.get(n.index()).map_or("?", |s| s.as_str());
        let peer = ev.peer.map_or("-", name);
        let msg = if ev.msg == 0 { "-".to_string() } else { ev.msg.to_string() };
        let _ = write!(
            out,
            "{:>14} {:<9} {:<8} {:<8} {:>7} {}",
            ev.at.to_string(),
            ev.kind.name(),
            name(ev.node),
            peer,
            msg,
            ev.label
        );
        if let Some(t) = &ev.text {
            let _ = write!(out, " {t}");
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(at: u64, label: &'static str) -> TraceEvent {
        TraceEvent {
            at: SimTime(at),
            kind: TraceKind::Note,
            node: NodeId(0),
            peer: None,
            msg: 0,
            label,
            text: None,
        }
    }

    #[test]
    fn network_faults_and_the_scripts_notes_are_no_nodes_events() {
        let fault = |label| TraceEvent { kind: TraceKind::Fault, ..ev(0, label) };
        for label in NETWORK_FAULTS {
            assert!(fault(label).is_by_no_node() && fault(label).is_network_fault(), "{label}");
        }
        // A crash is its node's; a node's own note is too.
        assert!(!fault("crash").is_by_no_node() && !fault("crash").is_network_fault());
        assert!(ev(0, ANNOTATION).is_by_no_node() && !ev(0, "note").is_by_no_node());
        assert!(!ev(0, "partition").is_by_no_node(), "a note labelled like a fault is still a note");
    }

    #[test]
    fn bounded_but_hashes_everything() {
        let mut a = Trace::new(3, true);
        let mut b = Trace::new(1000, true);
        for i in 0..10 {
            a.push(ev(i, "x"));
            b.push(ev(i, "x"));
        }
        assert_eq!(a.records().len(), 3);
        assert_eq!(a.hash(), b.hash());
        assert_eq!(a.len_total(), 10);
        let mut c = Trace::new(1000, true);
        c.push(ev(0, "y"));
        assert_ne!(c.hash(), Trace::new(1, true).hash());
    }

    #[test]
    fn what_was_said_outlives_its_records_and_is_rewound_with_them() {
        let note = |at: u64, text: &str| TraceEvent { text: Some(text.into()), ..ev(at, "note") };
        let send = |at: u64| TraceEvent { kind: TraceKind::Send, ..ev(at, "Ping") };
        let said =
            |t: &Trace| t.said().filter_map(|r| r.text.as_deref().map(String::from)).collect::<Vec<_>>();
        let mut t = Trace::new(4, true);
        t.push(note(1, "one"));
        t.push(send(2));
        t.push(note(3, "two"));
        let m = t.mark();
        t.push(send(4));
        t.push(note(5, "three"));
        // Capacity 4: the first note's record is gone, but not what it said.
        assert_eq!(t.records().len(), 4);
        assert_eq!(said(&t), ["one", "two", "three"]);
        t.rewind(m);
        assert_eq!(said(&t), ["one", "two"]);
        for at in 6..(10 + SAID_KEPT as u64) {
            t.push(note(at, "more"));
        }
        assert_eq!(t.said().count(), SAID_KEPT, "the newest are kept");
    }

    #[test]
    fn rewind_restores_hash_and_records() {
        let mut t = Trace::new(100, true);
        t.push(ev(1, "a"));
        let m = t.mark();
        let h = t.hash();
        t.push(ev(2, "b"));
        t.rewind(m);
        assert_eq!((t.hash(), t.records().len()), (h, 1));
    }
}
