//! `cargo xtask <command>`: set-up and test orchestration for dsplay.
//!
//! Every command installs what it needs first (idempotently: a warm machine pays nothing), so the
//! README's two commands, `cargo xtask serve` and `cargo xtask test`, work on a fresh machine.

mod bench;
mod e2e;
mod fuzz;
mod serve;
mod setup;
mod sh;
mod size;
mod swarm;
mod test;
#[cfg(test)]
mod test_roots;
mod web;
mod weight;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup           install the toolchain pieces that are missing (wasm target, wasm-bindgen,
                  trunk, wasm-opt; with --all also Chromium and cargo-fuzz)
  build           build the web app for release into dist/ and print its size
  weight [--top N]
                  where the page's wasm bytes go: gzipped code per crate and module (and the N
                  heaviest functions, copies of a generic one added up)
  serve           build the web app and serve it at http://127.0.0.1:8080/
  test            formatting, lints, native tests, browser tests, fuzzing, release build
                  (stops at the first failing step; --keep-going runs them all)
  fuzz [--secs N] fuzz the scenario decoders for N seconds (default 20)
  bench           simulator throughput natively and in headless Chromium
  bench-ui        frame times, long tasks and first render of the release build in headless Chromium
  swarm [--seeds N]
                  every swarm test at N seeds (default 10,000) in release mode";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    sh::init_env();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(&setup::Needs::from_args(&args[1..])),
        Some("build") => setup::run(&setup::Needs::default()).and_then(|()| web::build_release()),
        Some("serve") => serve::run(),
        Some("test") => return test::run(args[1..].iter().any(|a| a == "--keep-going")),
        Some("fuzz") => fuzz::secs_from_args(&args[1..]).and_then(fuzz::run),
        Some("bench") => bench::run(),
        Some("weight") => weight::top_from_args(&args[1..])
            .and_then(|top| setup::run(&setup::Needs::default()).map(|()| top))
            .and_then(weight::run),
        Some("bench-ui") => e2e::bench_ui(),
        Some("swarm") => swarm::seeds_from_args(&args[1..]).and_then(swarm::run),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown or missing command\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
