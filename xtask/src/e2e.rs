//! End-to-end tests and UI benchmarks: node scripts in tests/e2e driving the system Chromium
//! (playwright-core from .tools) against the release build in dist/.

use crate::setup::{self, Needs};
use crate::sh::{self, cmd, root, Result};

fn node_script(script: &str) -> Result {
    let mut c = cmd("node", &[&root().join("tests/e2e").join(script).to_string_lossy()]);
    c.env("NODE_PATH", root().join(".tools/node_modules")).env("CHROMIUM", setup::CHROMIUM);
    sh::run(c)
}

/// Real clicks on the release build (run after `build_release` has filled dist/).
pub fn e2e() -> Result {
    node_script("e2e.cjs")
}

/// `cargo xtask bench-ui`: build for release, then measure frames in headless Chromium.
pub fn bench_ui() -> Result {
    setup::run(&Needs { chromium: true, cargo_fuzz: false })?;
    sh::run(cmd("cargo", &["build", "--release", "-p", "dsplay-cli"]))?;
    crate::web::build_release()?;
    node_script("bench-ui.cjs")
}
