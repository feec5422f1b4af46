//! Running trunk on this workspace.
//!
//! trunk 0.21 builds the app with `cargo build --target=wasm32-unknown-unknown --manifest-path
//! <root>/Cargo.toml` and no package flag, so cargo builds the workspace's `default-members`
//! (core, cli, xtask), not the root package, and trunk then finds no app to bundle. Until trunk
//! can select a package, a tiny `cargo` shim (first on trunk's PATH) adds `--package dsplay-web`
//! to exactly that invocation and passes everything else through unchanged.

use crate::sh::{self, cmd, root, Result};
use std::path::PathBuf;
use std::process::Command;

pub const PACKAGE: &str = "dsplay-web";

fn shim_dir() -> PathBuf {
    root().join(".tools").join("trunk-cargo")
}

/// (Re)write the shim; it is cheap and keeps the path to the real cargo current.
fn write_shim() -> Result {
    let real = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let script = format!(
        "#!/bin/sh\n\
         # Written by `cargo xtask` (xtask/src/web.rs): select the web app for trunk's build.\n\
         if [ \"$1\" = build ] && [ \"$2\" = --target=wasm32-unknown-unknown ]; then\n\
         \x20 shift\n\
         \x20 exec '{real}' build --package {PACKAGE} \"$@\"\n\
         fi\n\
         exec '{real}' \"$@\"\n"
    );
    let dir = shim_dir();
    let path = dir.join("cargo");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::write(&path, script).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    set_executable(&path)
}

#[cfg(unix)]
fn set_executable(path: &std::path::Path) -> Result {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("cannot make {} executable: {e}", path.display()))
}

#[cfg(not(unix))]
fn set_executable(_: &std::path::Path) -> Result {
    Err("the trunk cargo shim is a POSIX shell script; use Linux or macOS".into())
}

/// `trunk <args>` from the repo root, with the shim first on PATH.
pub fn trunk(args: &[&str]) -> Result<Command> {
    write_shim()?;
    let old = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(shim_dir()).chain(std::env::split_paths(&old));
    let path = std::env::join_paths(dirs).map_err(|e| e.to_string())?;
    let mut c = cmd("trunk", args);
    c.env("PATH", path);
    for_size(&mut c);
    Ok(c)
}

/// What ships to browsers is built for size; native release builds stay at opt-level 3.
///
/// Besides opt-level z, the standard library is rebuilt with its `optimize_for_size` feature
/// (smaller sort, formatting and collection code): 44 KB less gzipped wasm, measured with
/// `cargo xtask weight`. Rebuilding std is a cargo `-Z` option, so the stable toolchain is told to
/// accept it with `RUSTC_BOOTSTRAP`, as the fuzz build already does; `cargo xtask setup` installs
/// the `rust-src` component it needs. Panics keep their messages (the crash panel shows them):
/// `-Cpanic=immediate-abort` would save 28 KB more but leave the panel nothing to say.
pub fn for_size(c: &mut Command) {
    c.env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size");
}

/// `trunk build --release` into `dist/`, then print the page size.
pub fn build_release() -> Result {
    sh::run(trunk(&["build", "--release"])?)?;
    crate::size::report(&root().join("dist")).map(|_| ())
}
