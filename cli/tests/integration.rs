//! The CLI's integration tests: the `dsplay` binary run as a user runs it.
//!
//! One test binary rather than one per file: each binary links the whole crate and its
//! dependencies again, which cost a link and ~50 MB of disk per file (gigabytes in all on a
//! CI machine). `cargo test -p dsplay-cli --test integration raft::` runs one file's tests.
//! Every `tests/*.rs` must be named below; xtask's `test_roots` test checks that.

mod lincheck;
mod links;
mod output;
mod trace;
