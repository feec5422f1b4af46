//! The core's integration tests: scenarios run end to end, protocol laws, swarms and goldens.
//!
//! One test binary rather than one per file: each binary links the whole crate and its
//! dependencies again, which cost a link and ~50 MB of disk per file (gigabytes in all on a
//! CI machine). `cargo test -p dsplay-core --test integration raft::` runs one file's tests.
//! Every `tests/*.rs` must be named below; xtask's `test_roots` test checks that.

mod common;

mod black_hole;
mod cap;
mod clock_laws;
mod clocks;
mod closed_loop;
mod closed_loop_by_hand;
mod codec;
mod conflict;
mod crdt;
mod crdt_laws;
mod events;
mod kernel;
mod lb;
mod lincheck_brute;
mod lincheck_corpus;
mod load_view;
mod locks;
mod lose;
mod multiregion;
mod presets;
mod quorum;
mod raft;
mod replication;
mod report_shape;
mod resilience;
mod scale_out;
mod shard;
mod sharding;
mod sourcing;
mod splitbrain;
mod surge;
mod swarm_cap;
mod swarm_clocks;
mod swarm_conflict;
mod swarm_crdt;
mod swarm_events;
mod swarm_locks;
mod swarm_multiregion;
mod swarm_raft;
mod swarm_replication;
mod swarm_sharding;
mod swarm_sourcing;
mod swarm_splitbrain;
mod swarm_transactions;
mod timeout;
mod tracing;
mod traffic;
mod transactions;
mod tune;
mod zero_load;
