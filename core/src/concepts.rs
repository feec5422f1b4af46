//! The catalog's concepts by name: what "D4" means, and the words a teacher searches for it by.
//!
//! Presets tag themselves with concept ids (`"concepts": ["D4"]`); the gallery showed the bare
//! codes, and searching for "consensus" found no Raft lesson (review 47 B5). The names are the
//! catalog's headings; the words are what a course calls the same idea.

/// One concept of the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Concept {
    pub id: &'static str,
    /// The catalog's heading: "Raft".
    pub name: &'static str,
    /// Other words for it, searched too: "consensus leader election log replication".
    pub words: &'static str,
}

const fn c(id: &'static str, name: &'static str, words: &'static str) -> Concept {
    Concept { id, name, words }
}

/// Every concept, in catalog order.
pub const ALL: &[Concept] = &[
    c("D1", "CAP under partition", "consistency availability partition tolerance cp ap"),
    c("D2", "Replication modes", "leader follower synchronous asynchronous semi-sync replication lag"),
    c("D3", "Quorums (Dynamo-style)", "n r w read repair sloppy quorum hinted handoff stale read"),
    c("D4", "Raft", "consensus paxos leader election log replication commit term"),
    c("D5", "Split brain", "failover two primaries fencing heartbeat"),
    c("D6", "Logical clocks", "lamport vector clocks happened-before causality space-time"),
    c("D7", "Conflict resolution", "last-write-wins lww clock skew siblings vector clock"),
    c("D8", "CRDTs", "g-counter pn-counter or-set lww register gossip convergence"),
    c("D9", "Sharding", "partitioning range hash consistent hashing virtual nodes rebalancing"),
    c("D10", "Multi-region and data locality", "geo regions latency nearest replica"),
    c("D11", "Linearizability", "consistency history checker jepsen knossos"),
    c("T1", "Load balancing", "round robin weighted least connections power of two choices"),
    c("T2", "Health checks and failover", "active passive checks thresholds"),
    c("T3", "Horizontal scaling with redundancy", "tasks replicas minimum healthy rolling"),
    c("T4", "Auto-scaling", "scale out scale in cpu target cool-down"),
    c("T5", "Stateless vs stateful", "sticky sessions shared store carts"),
    c("T6", "Rate limiting", "token bucket leaky bucket fixed window sliding window throttling 429"),
    c("T7", "Caching", "ttl lru hit ratio cache stampede"),
    c("R1", "Timeouts", "slow dependency worker pool exhaustion"),
    c("R2", "Circuit breaker", "closed open half-open failure rate"),
    c("R3", "Bulkheads", "isolation worker pools"),
    c("R4", "Retries with backoff", "exponential backoff jitter retry storm"),
    c("R5", "Graceful degradation", "fallback stale cache load shedding overload"),
    c("R6", "Chaos", "fault injection chaos engineering"),
    c("E1", "Queues and backpressure", "producer consumer bounded queue messaging"),
    c("E2", "Dead-letter queues", "poison messages dlq retries"),
    c("E3", "Idempotency", "at-least-once duplicates idempotency keys dedup exactly-once"),
    c("E4", "Event sourcing and replay", "event log replay projection snapshot"),
    c("E5", "Sagas vs two-phase commit", "2pc transactions compensation coordinator"),
    c("E6", "Distributed locks", "leases fencing tokens mutual exclusion"),
    c("E7", "Tracing and observability", "spans traces waterfall jaeger"),
];

/// The concept with this id ("D4"), if the catalog has it.
pub fn get(id: &str) -> Option<&'static Concept> {
    ALL.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_concept_a_preset_names_is_in_the_catalog_once() {
        for id in crate::presets::ids() {
            let sc = crate::presets::get(id).expect("preset");
            for concept in &sc.meta.concepts {
                assert!(get(concept).is_some(), "{id} names {concept}, which has no name here");
            }
        }
        for (i, a) in ALL.iter().enumerate() {
            assert!(ALL[i + 1..].iter().all(|b| b.id != a.id), "{} listed twice", a.id);
        }
    }

    #[test]
    fn raft_is_found_as_consensus() {
        assert_eq!(get("D4").map(|c| c.name), Some("Raft"));
        assert!(get("D4").is_some_and(|c| c.words.contains("consensus")));
        assert_eq!(get("Z9"), None);
    }
}
