//! Running commands: the repo root, PATH for child processes, and errors that name the command.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (the parent of `xtask/`). `cargo run` sets `CARGO_MANIFEST_DIR` for the
/// process it starts, so this is the checkout being worked on even when two clones share one
/// target dir (and so one xtask binary); the compile-time value is only a fallback.
pub fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let xtask = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        xtask.parent().map(Path::to_path_buf).unwrap_or(xtask)
    })
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set, else `target/` in the checkout.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// Bytes under `path`, symlinks not followed, a hard-linked file counted once (cargo links each
/// test binary into `deps/` and beside it); 0 for what cannot be read.
pub fn disk_bytes(path: &Path) -> u64 {
    bytes_once(path, &mut std::collections::HashSet::new())
}

fn bytes_once(path: &Path, seen: &mut std::collections::HashSet<(u64, u64)>) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else { return 0 };
    if meta.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else { return 0 };
        return entries.filter_map(|e| e.ok()).map(|e| bytes_once(&e.path(), seen)).sum();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 && !seen.insert((meta.dev(), meta.ino())) {
            return 0;
        }
    }
    meta.len()
}

/// Where `npm install --prefix` puts project-local tools (wasm-opt).
pub fn tools_bin() -> PathBuf {
    root().join(".tools").join("node_modules").join(".bin")
}

/// Put `.tools/node_modules/.bin` and cargo's bin directory first on PATH, for us and every child.
pub fn init_env() {
    let mut dirs = vec![tools_bin()];
    if let Some(cargo_home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        dirs.push(cargo_home.join("bin"));
    }
    let old = std::env::var_os("PATH").unwrap_or_default();
    dirs.extend(std::env::split_paths(&old).filter(|p| !dirs.contains(p)).collect::<Vec<_>>());
    if let Ok(path) = std::env::join_paths(dirs) {
        std::env::set_var("PATH", path);
    }
}

/// A command run from the repo root.
pub fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args).current_dir(root());
    c
}

fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Run with inherited stdio; an error if it cannot start or exits non-zero.
pub fn run(mut c: Command) -> Result {
    let what = describe(&c);
    println!("$ {what}");
    let status = c.status().map_err(|e| format!("`{what}` could not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{what}` failed ({status})"))
    }
}

/// Run, echoing and capturing stdout (stderr is inherited); an error on failure.
pub fn run_capture(mut c: Command) -> Result<String> {
    let what = describe(&c);
    println!("$ {what}");
    let out = c.stdout(Stdio::piped()).output().map_err(|e| format!("`{what}` could not start: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    print!("{text}");
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("`{what}` failed ({})", out.status))
    }
}

/// Quietly run and return stdout+stderr if it ran and succeeded (for version probes).
pub fn probe(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).stdin(Stdio::null()).output().ok()?;
    out.status.success().then(|| {
        let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
        s.push_str(&String::from_utf8_lossy(&out.stderr));
        s.trim().to_string()
    })
}

/// The first line of `s`, for one-line status output.
pub fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default().trim()
}

#[cfg(all(test, unix))]
mod tests {
    use super::disk_bytes;

    #[test]
    fn a_hard_linked_file_is_counted_once() {
        let dir = std::env::temp_dir().join(format!("dsplay-disk-bytes-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("deps")).expect("make folders");
        std::fs::write(dir.join("deps/bin"), [0u8; 1000]).expect("write a file");
        std::fs::write(dir.join("other"), [0u8; 24]).expect("write a file");
        let linked = std::fs::hard_link(dir.join("deps/bin"), dir.join("bin")).is_ok();
        let bytes = disk_bytes(&dir);
        std::fs::remove_dir_all(&dir).expect("clean up");
        assert!(linked, "this file system makes hard links");
        assert_eq!(bytes, 1024);
    }
}
