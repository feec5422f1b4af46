//! A field's name as a reader says it: `election_timeout_ms_min` is "election timeout min (ms)",
//! `loss_ppm` "loss (per million)", `mean_us` "mean (µs)". The JSON name stays beside it (the
//! label's title, and every message names the field by its path). And, for the fields whose name
//! does not say it, what they do.

/// Name parts that are units, and how the label writes them.
const UNITS: [(&str, &str); 7] = [
    ("ms", "ms"),
    ("us", "µs"),
    ("ppm", "per million"),
    ("permille", "‰"),
    ("pct", "%"),
    ("s", "s"),
    ("milli", "× 1000"),
];

/// The label for a field named `key`.
pub fn label(key: &str) -> String {
    // A constant distribution's one field is a unit alone.
    if key == "us" {
        return "value (µs)".into();
    }
    let mut words = Vec::new();
    let mut unit = None;
    let parts: Vec<&str> = key.split('_').filter(|p| !p.is_empty()).collect();
    for (i, part) in parts.iter().enumerate() {
        // "per s" is a rate's unit ("rate_per_s"); a lone first part is a word ("s" of a Zipf law).
        let is_unit = i > 0 && UNITS.iter().any(|(u, _)| u == part);
        match (is_unit, parts.get(i.wrapping_sub(1))) {
            (true, Some(&"per")) => {
                words.pop();
                unit = Some(format!("per {}", said(part)));
            }
            (true, _) => unit = Some(said(part).to_string()),
            (false, _) => words.push(*part),
        }
    }
    let text = words.join(" ");
    match unit {
        Some(u) if !text.is_empty() => format!("{text} ({u})"),
        Some(u) => u,
        None => text,
    }
}

fn said(unit: &str) -> &'static str {
    UNITS.iter().find(|(u, _)| *u == unit).map_or("", |(_, s)| s)
}

/// What a field does, for a reader who has not read the protocol's source: by the field's name,
/// or by its parent's and its own (`latency.type`). `None` where the name says it all.
pub fn help(parent: Option<&str>, key: &str) -> Option<&'static str> {
    let pair = parent.map(|p| format!("{p}.{key}"));
    let by_pair = match pair.as_deref() {
        Some("latency.type") => Some("how each message's one-way delay is drawn"),
        Some("service.type" | "work.type" | "write.type" | "read.type") => Some("how each duration is drawn"),
        Some("keys.count") => Some("how many distinct keys the clients use"),
        Some("window.calls") => Some("the breaker judges the last this many calls"),
        // What 0 means is the protocol's (review 45 F10): quorum's and replication's clients
        // never wait for ever.
        Some("workload.timeout_ms") => Some(
            "a client gives up on a request after this long; 0 is never, but quorum then waits twice its request timeout and replication 1 s",
        ),
        _ => None,
    };
    by_pair.or(match key {
        "min_us" | "max_us" => Some("1000 µs = 1 ms"),
        "us" => Some("the same every time; 1000 µs = 1 ms"),
        "mean_us" => Some("the average; 1000 µs = 1 ms"),
        "by_hand" => {
            Some("done in the playground, not scripted: a fork from before it drops it; untick to script it")
        }
        "at_ms" => Some("when it happens, in ms from the start (1000 = 1 s)"),
        "loss_ppm" => Some("messages lost per million sent: 10000 is 1 %"),
        "dup_ppm" => Some("messages delivered twice, per million"),
        "reorder_ppm" => {
            Some("messages held back (up to twice their delay) per million, so later ones overtake them")
        }
        "workers" => Some("requests served at the same time"),
        "queue_cap" => Some("requests that may wait for a worker; more are rejected"),
        "weight" => Some("share of the traffic against the other backends (weighted algorithms)"),
        "count" => Some("how many identical backends this entry makes"),
        "in_rotation" => {
            Some("how many backends (b1 on) take requests from the start; the rest are spares, taken in by lb's setting of the same name")
        }
        "election_timeout_ms_min" | "election_timeout_ms_max" => {
            Some("a follower that hears no leader for a random time between min and max starts an election")
        }
        "heartbeat_ms" => {
            // Four protocols have one: Raft's empty AppendEntries, a primary's Heartbeat (review
            // 21: d10's form spoke of AppendEntries, which multi-region never sends).
            Some("how often the leader (or primary) tells the others it is alive; below the timeout after which they replace it")
        }
        "unsafe_skip_log_check" => Some(
            "breaks Raft's election rule: a candidate with a stale log can win (to see why the rule exists)",
        ),
        "replicas" => Some("nodes that store data"),
        "n" => Some("copies of each key"),
        "r" => Some("replies a read waits for"),
        "w" => Some("acknowledgements a write waits for"),
        "read_repair" => Some("after a read, update the replicas that answered with an older version"),
        "sloppy_quorum" => Some("while replicas are down, write to stand-ins that hand the data back later"),
        "clients" => Some("client nodes sending the workload"),
        "rate_per_s" => Some("requests per second from all clients together, as a Poisson stream"),
        "concurrency" => Some("requests each client keeps outstanding (a closed loop)"),
        "read_permille" => Some("reads per thousand operations; the rest are writes"),
        "repair_after_ms" => Some("a process that has held a broadcast back this long asks for the ones it lacks (0: never)"),
        "timeout_ms" => Some("a caller gives up on a request after this long"),
        "s_milli" => Some("Zipf skew × 1000: 0 is uniform, 1000 the classic Zipf law"),
        "stop_at_ms" => Some("how long the run lasts, in simulated time"),
        "metrics_interval_ms" => Some("how often the charts take a sample"),
        "trace_capacity" => {
            Some("newest trace records kept for the diagram and exports; the run is the same")
        }
        "max_events" => Some("the run stops after this many events: a guard against a runaway scenario"),
        "failure_rate_pct" => Some("a breaker opens when this share of its recent calls failed"),
        "minimum_calls" => Some("calls needed in the window before the breaker may open"),
        "open_ms" => Some("how long an open breaker refuses calls before letting probes through"),
        "half_open_calls" => Some("probe calls let through while half-open"),
        "slow_call_ms" => Some("a call slower than this counts as slow, failed or not"),
        "slow_call_rate_pct" => Some("a breaker also opens when this share of its recent calls was slow"),
        "fallback" => Some("what the caller answers when the call fails or the breaker is open"),
        "tracing" => Some("record a trace of every request (a span per call and serve): the Traces tab"),
        "lease_ms" => Some("a holder that has not released by then (by the lock's clock) loses the lock"),
        "write_delay_ms" => Some("between a buyer's lease check and its write: where a pause hurts"),
        "log_write_ms" => Some("time to force the coordinator's decision to its durable log"),
        "lock_wait_timeout_ms" => {
            Some("a prepare waiting this long for a lock votes no, a read is refused; 0: wait for ever")
        }
        "vote_timeout_ms" => Some("the coordinator aborts an order whose votes are not all in by then"),
        "status_query_ms" => Some("how often a participant in doubt asks the coordinator for the outcome"),
        "heuristic_abort_ms" => {
            Some("0: never. Else a participant in doubt this long aborts on its own, breaking atomicity")
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::label;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn names_are_said_in_words_with_their_unit() {
        assert_eq!(label("election_timeout_ms_min"), "election timeout min (ms)");
        assert_eq!(label("heartbeat_ms"), "heartbeat (ms)");
        assert_eq!(label("mean_us"), "mean (µs)");
        assert_eq!(label("us"), "value (µs)", "a constant's one field");
        assert_eq!(label("loss_ppm"), "loss (per million)");
        assert_eq!(label("read_permille"), "read (‰)");
        assert_eq!(label("rate_per_s"), "rate (per s)");
        assert_eq!(label("s_milli"), "s (× 1000)");
        assert_eq!(label("queue_cap"), "queue cap");
        assert_eq!(label("servers"), "servers");
    }

    #[wasm_bindgen_test]
    fn a_field_is_explained_by_its_name_or_its_parents() {
        use super::help;
        assert_eq!(help(Some("default"), "loss_ppm"), Some("messages lost per million sent: 10000 is 1 %"));
        assert_eq!(help(Some("latency"), "type"), Some("how each message's one-way delay is drawn"));
        assert_eq!(help(Some("arrival"), "type"), None, "a choice whose options say it");
        assert_eq!(help(Some("meta"), "title"), None);
        let client = help(Some("workload"), "timeout_ms").expect("a client timeout hint");
        assert!(client.contains("0 is never") && client.contains("quorum"), "{client}");
        assert_ne!(help(Some("calls"), "timeout_ms"), Some(client), "a call's timeout is not a client's");
    }
}
