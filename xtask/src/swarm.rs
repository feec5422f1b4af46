//! `cargo xtask swarm`: every VOPR-style swarm at full size, in release mode. CI runs each at its
//! default (a slice small enough for a debug build); this runs `--seeds N` (10,000 unless told)
//! seeds of each, for hunting the rare schedule.

use crate::sh::{self, cmd, root, Result};

const DEFAULT_SEEDS: u64 = 10_000;
/// Swarms that live in a protocol's own test file rather than a `swarm_*.rs` of their own.
const INSIDE: &[&str] = &["quorum"];

pub fn seeds_from_args(args: &[String]) -> Result<u64> {
    match args {
        [] => Ok(DEFAULT_SEEDS),
        [flag, n] if flag == "--seeds" => match n.parse() {
            Ok(0) | Err(_) => Err(format!("--seeds: not a whole number above 0: {n:?}")),
            Ok(n) => Ok(n),
        },
        _ => Err("usage: cargo xtask swarm [--seeds N]".into()),
    }
}

/// The test modules that hold a swarm: every `core/tests/swarm_*.rs`, and those in [`INSIDE`].
fn modules() -> Result<Vec<String>> {
    let dir = root().join("core/tests");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|f| f.strip_suffix(".rs").filter(|s| s.starts_with("swarm_")).map(String::from))
        .chain(INSIDE.iter().map(|s| s.to_string()))
        .collect();
    names.sort();
    Ok(names)
}

pub fn run(seeds: u64) -> Result {
    let names = modules()?;
    println!("swarm: {seeds} seeds each of {}", names.join(", "));
    // Every core test file is a module of the one `integration` binary; a filter per module.
    let mut c = cmd("cargo", &["test", "--release", "-p", "dsplay-core", "--test", "integration", "--"]);
    c.args(names.iter().map(|n| format!("{n}::")));
    c.env("DSPLAY_SWARM_SEEDS", seeds.to_string());
    sh::run(c)
}
