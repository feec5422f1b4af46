//! `cargo xtask test`: every check CI runs, in order, stopping at the first failure.
//! The last line is `N passed, M failed`.

use crate::setup::{self, Needs, CHROMEDRIVER};
use crate::sh::{self, cmd, root, Result};
use std::process::{Command, ExitCode};
use std::time::Instant;

type Step = (&'static str, fn() -> Result);

const STEPS: &[Step] = &[
    ("setup", || setup::run(&Needs { chromium: true, cargo_fuzz: true })),
    ("rustfmt", || sh::run(cmd("cargo", &["fmt", "--all", "--", "--check"]))),
    ("clippy (native)", || {
        sh::run(cmd(
            "cargo",
            &["clippy", "--workspace", "--exclude", "dsplay-web", "--all-targets", "--", "-D", "warnings"],
        ))
    }),
    ("clippy (wasm)", || {
        sh::run(cmd(
            "cargo",
            &["clippy", "-p", "dsplay-web", "--target", WASM, "--all-targets", "--", "-D", "warnings"],
        ))
    }),
    ("native tests", || sh::run(cmd("cargo", &["test", "--workspace", "--exclude", "dsplay-web"]))),
    ("browser tests (headless Chromium)", || {
        sh::run(browser_tests(&["test", "-p", "dsplay-web", "--target", WASM]))
    }),
    ("fuzz", || crate::fuzz::fuzz(crate::fuzz::DEFAULT_SECS)),
    ("release build + page size", crate::web::build_release),
    ("end-to-end (real clicks in headless Chromium)", crate::e2e::e2e),
];

pub const WASM: &str = "wasm32-unknown-unknown";

/// `cargo <args>` with the wasm test runner pointed at headless Chromium via chromedriver.
pub fn browser_tests(args: &[&str]) -> Command {
    let mut c = cmd("cargo", args);
    // No line tables in wasm: a panic's file:line comes from the panic itself, and the browser's
    // stack names functions from the name section. Without them each test binary is 16 MB, not 47.
    c.env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", root().join("webdriver.json"))
        .env("WASM_BINDGEN_TEST_TIMEOUT", "600");
    c
}

/// Run the steps; stop at the first failure unless `keep_going`.
pub fn run(keep_going: bool) -> ExitCode {
    // A full check, not an edit loop: incremental caches would add about a gigabyte per
    // profile and target to the disk a CI machine has, for rebuilds it never makes.
    std::env::set_var("CARGO_INCREMENTAL", "0");
    let (mut passed, mut failed) = (0, 0);
    let mut times = Vec::new();
    for (i, (name, step)) in STEPS.iter().enumerate() {
        println!("\n==> [{}/{}] {name}", i + 1, STEPS.len());
        let t0 = Instant::now();
        let result = step();
        let secs = t0.elapsed().as_secs_f64();
        times.push(format!("{name} {secs:.1}s"));
        match result {
            Ok(()) => {
                println!("==> ok: {name} ({secs:.1} s)");
                passed += 1;
            }
            Err(e) => {
                eprintln!("==> FAILED: step `{name}` ({secs:.1} s): {e}");
                failed += 1;
                if !keep_going {
                    break;
                }
            }
        }
    }
    println!("\ntimes: {}", times.join(", "));
    // cargo-fuzz builds the fuzz/ workspace into fuzz/target unless CARGO_TARGET_DIR is set.
    let fuzz = root().join("fuzz/target");
    let disk: Vec<String> = [sh::target_dir(), fuzz]
        .iter()
        .filter(|d| d.exists())
        .map(|d| format!("{} holds {:.2} GB", d.display(), sh::disk_bytes(d) as f64 / 1e9))
        .collect();
    println!("disk: {}", disk.join(", "));
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
