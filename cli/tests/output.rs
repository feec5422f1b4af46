//! Output to a reader that leaves early, or to a device that refuses it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dsplay"))
        .args(["trace", "d4-raft-election"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("piped")).read_line(&mut first).expect("reads a line");
    assert!(first.contains("timer"), "first trace line: {first:?}");
    // The reader is gone (like `| head -1`): the next write finds a closed pipe.
    let out = child.wait_with_output().expect("exits");
    assert_eq!(out.status.code(), Some(141), "status of a process whose reader left");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "no panic, no message");
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_one_line_and_status_2() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let out = Command::new(env!("CARGO_BIN_EXE_dsplay")).arg("presets").stdout(full).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("dsplay: cannot write the output:"), "{err}");
}
