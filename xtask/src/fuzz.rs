//! `cargo xtask fuzz [--secs N]`: the cargo-fuzz target `decode` (fuzz/), seeded with the presets.

use crate::setup::{self, Needs};
use crate::sh::{cmd, root, Result};

pub const DEFAULT_SECS: u64 = 20;

pub fn secs_from_args(args: &[String]) -> Result<u64> {
    match args {
        [] => Ok(DEFAULT_SECS),
        [flag, n] if flag == "--secs" => n.parse().map_err(|_| format!("--secs: not a number: {n:?}")),
        _ => Err("usage: cargo xtask fuzz [--secs N]".into()),
    }
}

pub fn run(secs: u64) -> Result {
    setup::run(&Needs { chromium: false, cargo_fuzz: true })?;
    fuzz(secs)
}

/// Run the fuzzer (setup already done). Tries AddressSanitizer first, then none.
pub fn fuzz(secs: u64) -> Result {
    let corpus = root().join("fuzz").join("corpus").join("decode");
    std::fs::create_dir_all(&corpus).map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
    match attempt(secs, None) {
        Ok(()) => Ok(()),
        Err(AttemptError::Build(e)) => {
            println!("fuzz: the AddressSanitizer build failed ({e}); retrying with --sanitizer none");
            attempt(secs, Some("none")).map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}

enum AttemptError {
    Build(String),
    Run(String),
}

impl std::fmt::Display for AttemptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AttemptError::Build(e) => write!(f, "fuzz target did not build: {e}"),
            AttemptError::Run(e) => write!(f, "fuzzing found a failure (see fuzz/artifacts/decode/): {e}"),
        }
    }
}

fn attempt(secs: u64, sanitizer: Option<&str>) -> std::result::Result<(), AttemptError> {
    let san: Vec<&str> = sanitizer.map(|s| vec!["--sanitizer", s]).unwrap_or_default();
    // cargo-fuzz passes -Z flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them.
    let mut build = cmd("cargo", &[&["fuzz", "build", "decode"], san.as_slice()].concat());
    build.env("RUSTC_BOOTSTRAP", "1");
    crate::sh::run(build).map_err(AttemptError::Build)?;
    let time = format!("-max_total_time={secs}");
    let args = [
        &["fuzz", "run", "decode"],
        san.as_slice(),
        &["fuzz/corpus/decode", "core/presets", "--", &time, "-max_len=65536"],
    ]
    .concat();
    let mut run = cmd("cargo", &args);
    run.env("RUSTC_BOOTSTRAP", "1");
    crate::sh::run(run).map_err(AttemptError::Run)
}
