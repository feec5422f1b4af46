//! Idempotent installs: each step checks first and prints one line saying what it found or did.

use crate::sh::{self, cmd, first_line, probe, Result};
use std::path::Path;

pub const WASM_BINDGEN: &str = "0.2.130";
pub const TRUNK: &str = "0.21.14";
pub const BINARYEN: &str = "132";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CARGO_FUZZ: &str = "0.13.2";
pub const PLAYWRIGHT_CORE: &str = "1.64.1";

/// Which optional pieces a command needs on top of the web build tools.
#[derive(Clone, Copy, Debug, Default)]
pub struct Needs {
    pub chromium: bool,
    pub cargo_fuzz: bool,
}

impl Needs {
    pub fn from_args(args: &[String]) -> Self {
        let all = args.iter().any(|a| a == "--all");
        Needs { chromium: all, cargo_fuzz: all }
    }
}

pub fn run(needs: &Needs) -> Result {
    components()?;
    wasm_target()?;
    rust_src()?;
    wasm_bindgen()?;
    trunk()?;
    wasm_opt()?;
    if needs.chromium {
        chromium()?;
        playwright_core()?;
    }
    if needs.cargo_fuzz {
        cargo_fuzz()?;
    }
    Ok(())
}

fn found(what: &str, detail: &str) {
    println!("setup: {what}: found {detail}");
}

fn installing(what: &str, how: &str) {
    println!("setup: {what}: missing, installing ({how})");
}

/// rustfmt and clippy (absent from rustup's `minimal` profile).
fn components() -> Result {
    let fmt = probe("cargo", &["fmt", "--version"]);
    let clippy = probe("cargo", &["clippy", "--version"]);
    if let (Some(f), Some(c)) = (&fmt, &clippy) {
        found("rustfmt + clippy", &format!("{}, {}", first_line(f), first_line(c)));
        return Ok(());
    }
    installing("rustfmt + clippy", "rustup component add rustfmt clippy");
    sh::run(cmd("rustup", &["component", "add", "rustfmt", "clippy"]))
}

fn wasm_target() -> Result {
    const T: &str = "wasm32-unknown-unknown";
    let installed = probe("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == T) {
        found("rust target", T);
        return Ok(());
    }
    installing("rust target", &format!("rustup target add {T}"));
    sh::run(cmd("rustup", &["target", "add", T]))
}

/// The standard library's source and the crates it depends on: the web release build rebuilds
/// std for size (`web::for_size`), and trunk runs cargo `--offline`, so on a fresh machine those
/// crates (`moto-rt`, `windows-sys`, …) must already be in cargo's cache: "no matching package
/// named `moto-rt` found" otherwise.
fn rust_src() -> Result {
    let sysroot = probe("rustc", &["--print", "sysroot"]).unwrap_or_default();
    let library = Path::new(first_line(&sysroot)).join("lib/rustlib/src/rust/library");
    if library.join("std/Cargo.toml").exists() {
        found("rust-src", &library.join("std").display().to_string());
    } else {
        installing("rust-src", "rustup component add rust-src");
        sh::run(cmd("rustup", &["component", "add", "rust-src"]))?;
    }
    let manifest = library.join("Cargo.toml");
    let manifest = manifest.to_string_lossy();
    let fetch = |offline: bool| {
        let mut args = vec!["fetch", "--manifest-path", &*manifest];
        args.extend(offline.then_some("--offline"));
        let mut c = cmd("cargo", &args);
        c.env("RUSTC_BOOTSTRAP", "1");
        c
    };
    if fetch(true)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        found("std's crates", "in cargo's cache");
        return Ok(());
    }
    installing("std's crates", "cargo fetch for the standard library's workspace");
    sh::run(fetch(false))
}

fn wasm_bindgen() -> Result {
    let want = format!("wasm-bindgen {WASM_BINDGEN}");
    let cli = probe("wasm-bindgen", &["--version"]).unwrap_or_default();
    let runner = probe("wasm-bindgen-test-runner", &["--version"]).unwrap_or_default();
    if first_line(&cli) == want && runner.contains(WASM_BINDGEN) {
        found("wasm-bindgen-cli", &want);
        return Ok(());
    }
    // Not --locked: the registry index here can lag behind the CLI's lock file.
    let spec = format!("wasm-bindgen-cli@{WASM_BINDGEN}");
    installing("wasm-bindgen-cli", &format!("cargo install {spec}, about 4 minutes"));
    sh::run(cmd("cargo", &["install", "--force", &spec]))
}

fn trunk() -> Result {
    let v = probe("trunk", &["--version"]).unwrap_or_default();
    if first_line(&v) == format!("trunk {TRUNK}") {
        found("trunk", first_line(&v));
        return Ok(());
    }
    let spec = format!("trunk@{TRUNK}");
    installing("trunk", &format!("cargo install --locked {spec}, about 7 minutes"));
    sh::run(cmd("cargo", &["install", "--locked", "--force", &spec]))
}

fn wasm_opt() -> Result {
    let bin = sh::tools_bin().join("wasm-opt");
    let v = probe(&bin.to_string_lossy(), &["--version"]).unwrap_or_default();
    if v.contains(&format!("version {BINARYEN}")) {
        found("wasm-opt", &format!("{} in .tools", first_line(&v)));
        return Ok(());
    }
    let spec = format!("binaryen@{BINARYEN}");
    installing("wasm-opt", &format!("npm install --prefix .tools {spec}"));
    sh::run(cmd("npm", &["install", "--prefix", ".tools", "--no-audit", "--no-fund", &spec]))
}

fn chromium() -> Result {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        let v = probe(CHROMIUM, &["--version"]).unwrap_or_else(|| CHROMIUM.to_string());
        found("chromium + chromedriver", first_line(&v));
        return Ok(());
    }
    installing("chromium + chromedriver", "apt-get install chromium chromium-driver");
    let root = probe("id", &["-u"]).is_some_and(|u| u == "0");
    let apt = |args: &[&str]| {
        let mut c = if root { cmd("apt-get", args) } else { cmd("sudo", &[&["apt-get"], args].concat()) };
        c.env("DEBIAN_FRONTEND", "noninteractive");
        sh::run(c)
    };
    apt(&["update"])?;
    apt(&["install", "-y", "chromium", "chromium-driver"])
}

fn cargo_fuzz() -> Result {
    if let Some(v) = probe("cargo", &["fuzz", "--version"]) {
        found("cargo-fuzz", first_line(&v));
        return Ok(());
    }
    installing("cargo-fuzz", &format!("cargo install cargo-fuzz@{CARGO_FUZZ}"));
    sh::run(cmd("cargo", &["install", &format!("cargo-fuzz@{CARGO_FUZZ}")]))
}

/// playwright-core drives the system Chromium in the end-to-end tests (it never downloads a browser).
fn playwright_core() -> Result {
    let pkg = sh::root().join(".tools/node_modules/playwright-core/package.json");
    let v = std::fs::read_to_string(&pkg).unwrap_or_default();
    if v.contains(&format!("\"version\": \"{PLAYWRIGHT_CORE}\"")) {
        found("playwright-core", &format!("{PLAYWRIGHT_CORE} in .tools"));
        return Ok(());
    }
    let spec = format!("playwright-core@{PLAYWRIGHT_CORE}");
    installing("playwright-core", &format!("npm install --prefix .tools {spec}"));
    sh::run(cmd("npm", &["install", "--prefix", ".tools", "--no-audit", "--no-fund", &spec]))
}
