//! `dsplay trace`: the fixed-column trace, and with `--payloads` what each message carried.

use std::process::Command;

fn trace(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dsplay")).arg("trace").args(args).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn with_payloads_every_send_says_what_it_carried_and_the_run_is_the_same() {
    let run = ["d3-quorum-stale-read", "--until-ms", "6000"];
    let plain = trace(&run);
    let carried = trace(&[&run[..], &["--payloads"]].concat());
    let sends = |t: &str| t.lines().filter(|l| l.split_whitespace().nth(1) == Some("send")).count();
    let said: Vec<&str> = carried.lines().filter(|l| l.split_whitespace().nth(1) == Some("send")).collect();
    assert!(
        said.len() > 2 * dsplay_core::sim::MESSAGES_KEPT && said.len() == sends(&plain),
        "{} sends",
        said.len()
    );
    assert!(said.iter().all(|l| l.contains(" · ")), "every send, even the first of thousands");
    assert!(said[0].contains("ClientPut · ") && said[0].contains("write at"), "{}", said[0]);
    assert!(plain.lines().all(|l| !l.contains(" · ")), "only when asked");
    assert_eq!(plain.lines().last(), carried.lines().last(), "the same records and hash");
}
