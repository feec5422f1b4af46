//! The core's and the CLI's integration tests each build as one binary whose root file names
//! every other file in its `tests/` folder as a module (see `core/tests/integration.rs` for why).
//! Cargo does not look for test files once a crate sets `autotests = false`, so a file left out
//! of its root's list would compile into nothing and never run. This test fails on such a file.
//!
//! The browser tests (`tests/`) stay one binary per file: each binary gets a page of its own.
//! In one binary the files' mounted apps and hosts stayed on one page and took each other's
//! clicks and focus (tried: 4 of 244 failed).

use crate::sh::root;
use std::path::Path;

/// `(tests folder, root file)` for each crate whose tests are one binary.
const ROOTS: &[(&str, &str)] = &[("core/tests", "integration.rs"), ("cli/tests", "integration.rs")];

/// The `*.rs` files in `dir` that are neither `root_file` nor a `mod` in it.
fn unlisted(dir: &Path, root_file: &str) -> Vec<String> {
    let root_text = std::fs::read_to_string(dir.join(root_file)).expect("read the root test file");
    let declared: Vec<&str> =
        root_text.lines().filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';')).collect();
    let mut missing: Vec<String> = std::fs::read_dir(dir)
        .expect("list the tests folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| f != root_file)
        .filter(|f| f.strip_suffix(".rs").is_some_and(|m| !declared.contains(&m)))
        .collect();
    missing.sort();
    missing
}

#[test]
fn every_test_file_is_a_module_of_its_crates_test_binary() {
    for (dir, root_file) in ROOTS {
        let missing = unlisted(&root().join(dir), root_file);
        assert!(missing.is_empty(), "add `mod <name>;` to {dir}/{root_file} for {missing:?}");
    }
}

#[test]
fn a_file_left_out_is_found() {
    let dir = std::env::temp_dir().join(format!("dsplay-test-roots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("make a folder");
    for (name, text) in [("main.rs", "mod a;\n"), ("a.rs", ""), ("b.rs", ""), ("notes.txt", "")] {
        std::fs::write(dir.join(name), text).expect("write a file");
    }
    let missing = unlisted(&dir, "main.rs");
    std::fs::remove_dir_all(&dir).expect("clean up");
    assert_eq!(missing, ["b.rs"]);
}
