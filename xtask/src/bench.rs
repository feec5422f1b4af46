//! `cargo xtask bench`: events/sec of the benchmark preset natively (`dsplay bench`) and in
//! headless Chromium (tests/bench.rs, optimised), and their ratio.

use crate::setup::{self, Needs};
use crate::sh::{self, cmd, Result};
use crate::test::{browser_tests, WASM};
use serde_json::Value;

const PRESET: &str = "t1-power-of-two";
/// Marks the browser figure in the test runner's output.
const MARK: &str = "DSPLAY_BENCH ";

pub fn run() -> Result {
    setup::run(&Needs { chromium: true, cargo_fuzz: false })?;
    let native = sh::run_capture(cmd(
        "cargo",
        &["run", "--release", "-p", "dsplay-cli", "--", "bench", PRESET, "--json"],
    ))?;
    let native = parse(&native, "")?;
    // The bench profile: opt-level 3 like the native run, but a quicker (thin-LTO) build.
    let args = [
        "test",
        "-p",
        "dsplay-web",
        "--profile",
        "bench",
        "--target",
        WASM,
        "--test",
        "bench",
        "--",
        "--include-ignored",
        "--nocapture",
    ];
    let browser = sh::run_capture(browser_tests(&args))?;
    let browser = parse(&browser, MARK)?;
    let (n, b) = (eps(&native)?, eps(&browser)?);
    println!(
        "bench {PRESET}: native {n:.0} events/s, browser (wasm) {b:.0} events/s, wasm/native = {:.2}",
        b / n
    );
    Ok(())
}

/// The last JSON object in `out` on a line starting with `prefix` (after trimming).
fn parse(out: &str, prefix: &str) -> Result<Value> {
    out.lines()
        .rev()
        .filter_map(|l| l.trim().strip_prefix(prefix))
        .filter(|l| l.starts_with('{'))
        .find_map(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| format!("no {prefix:?}JSON result in the output"))
}

fn eps(v: &Value) -> Result<f64> {
    v["events_per_sec"].as_f64().ok_or_else(|| format!("no events_per_sec in {v}"))
}
