//! `dsplay`: run, trace, share and benchmark scenarios headless.
//!
//! Any bad input prints one line on stderr and exits with code 2; nothing panics.

mod input;
mod lincheck;
mod out;
mod shard;

use clap::{Parser, Subcommand};
use dsplay_core::scenario::{decode_fragment, encode_fragment, Playhead};
use dsplay_core::{presets, registry, report, SimTime, Simulation};
use input::{apply_sets, load, CliError};
use out::{out, outln};
use serde_json::json;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(name = "dsplay", version, about = "Deterministic distributed-systems playground, headless")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// List presets: `ID  TITLE` per line, or a JSON array.
    Presets {
        #[arg(long)]
        json: bool,
    },
    /// Print a preset's scenario JSON.
    Show { id: String },
    /// Run a scenario headless and print a report.
    Run {
        /// A preset id, a scenario file, or a link (a URL or its `#s=…`/`#preset=…` fragment,
        /// which runs to the link's playhead unless --until-ms or --at says otherwise).
        scenario: String,
        #[arg(long)]
        seed: Option<u64>,
        #[arg(long, conflicts_with = "at")]
        until_ms: Option<u64>,
        /// Stop at a link's playhead: `t=11920.372` or `t=52.346&e=106` (or a whole link).
        #[arg(long)]
        at: Option<String>,
        /// Override a field: PATH=VALUE (repeatable), e.g. workload.arrival.rate_per_s=900.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Print the trace as fixed-column text.
    Trace {
        /// A preset id, a scenario file, or a link (as for `run`).
        scenario: String,
        #[arg(long, conflicts_with = "at")]
        until_ms: Option<u64>,
        /// Stop at a link's playhead: `t=11920.372` or `t=52.346&e=106` (or a whole link).
        #[arg(long)]
        at: Option<String>,
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// After each send, what the message carried, in words.
        #[arg(long)]
        payloads: bool,
    },
    /// Print the `#s=…` URL fragment for a scenario.
    Url { scenario: String },
    /// Decode a URL or fragment back into scenario JSON.
    Decode { url: String },
    /// Measure simulated events per second, natively.
    Bench {
        #[arg(default_value = "t1-power-of-two")]
        scenario: String,
        #[arg(long)]
        until_ms: Option<u64>,
        /// Repeat the run this many times and report the best.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
        repeat: u32,
        #[arg(long)]
        json: bool,
    },
    /// Check a history file for linearizability (exit 0 yes, 1 no, 2 bad input, 3 unknown).
    Lincheck(lincheck::LincheckArgs),
    /// Print the shard of each key under a placement scheme (D9).
    Shard(shard::ShardArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        // --help and --version print as clap writes them; a mistake is one line, as every
        // other bad input is (clap's own runs to 19 lines, with a tip that misleads for `-5`).
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("dsplay: {} (see `dsplay --help`)", one_line(&e));
            return ExitCode::from(2);
        }
    };
    let result = match cli.cmd {
        Cmd::Lincheck(args) => lincheck::run(&args),
        other => dispatch(other).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("dsplay: {}", msg.replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

/// The gist of a command-line mistake: the first paragraph of clap's message, on one line.
fn one_line(e: &clap::Error) -> String {
    if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        return "name a command: presets, show, run, trace, url, decode, bench, lincheck or shard".into();
    }
    let text = e.to_string();
    let first = text.trim_start_matches("error: ").split("\n\n").next().unwrap_or_default();
    first.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn dispatch(cmd: Cmd) -> Result<(), CliError> {
    match cmd {
        Cmd::Presets { json } => list_presets(json),
        Cmd::Show { id } => {
            let text = presets::json(&id).ok_or_else(|| format!("no preset {id:?}; see `dsplay presets`"))?;
            out!("{text}");
            Ok(())
        }
        Cmd::Run { scenario, seed, until_ms, at, sets, json } => {
            let mut sc = apply_sets(load(&scenario)?, &sets)?;
            if let Some(s) = seed {
                sc.seed = s;
            }
            run(&sc, &source(&scenario, &sets), Stop::of(&scenario, until_ms, at.as_deref())?, json)
        }
        Cmd::Trace { scenario, until_ms, at, sets, payloads } => {
            let stop = Stop::of(&scenario, until_ms, at.as_deref())?;
            let mut sc = apply_sets(load(&scenario)?, &sets)?;
            sc.sim.trace_capacity = dsplay_core::scenario::limits::MAX_TRACE_CAPACITY;
            let mut sim = build(&sc, &source(&scenario, &sets))?;
            if payloads {
                sim.keep_every_message();
            }
            let end = stop.playhead(&*sim)?;
            run_to(&mut *sim, end);
            if sim.trace().first_index() > 0 {
                outln!("# the first {} records are not shown (trace capacity)", sim.trace().first_index());
            }
            out!("{}", report::trace_text(&*sim, payloads));
            outln!("# {} records, hash {:016x}", sim.trace().len_total(), sim.trace_hash());
            Ok(())
        }
        // Built, not only parsed: a link the app would refuse (a crash of a node that does not
        // exist) is refused here too, before a teacher hands it out.
        Cmd::Url { scenario } => {
            let sc = load(&scenario)?;
            registry::build(&sc)
                .map_err(|e| format!("{scenario}: {e}; the app would not open a link to it"))?;
            outln!("{}", encode_fragment(&sc));
            Ok(())
        }
        Cmd::Decode { url } => {
            let sc = decode_fragment(&url).map_err(|e| e.to_string())?;
            registry::build(&sc)
                .map_err(|e| format!("the link decodes but its scenario does not run: {e}"))?;
            outln!("{}", sc.to_json_pretty());
            Ok(())
        }
        Cmd::Bench { scenario, until_ms, repeat, json } => {
            bench(&load(&scenario)?, &source(&scenario, &[]), until_ms, repeat, json)
        }
        // Handled in `main`: its exit code carries the verdict.
        Cmd::Lincheck(args) => lincheck::run(&args).map(drop),
        Cmd::Shard(args) => shard::run(&args),
    }
}

/// `--until-ms`, or the scenario's end; past the end is refused, not cut short without a word.
fn until(sim: &dyn Simulation, until_ms: Option<u64>) -> Result<SimTime, CliError> {
    let stop = sim.stop_at();
    match until_ms {
        None => Ok(stop),
        Some(ms) if ms > stop.as_us() / 1000 => Err(format!(
            "--until-ms {ms} is after the run's end ({} ms): to run longer, add --set stop_at_ms={}",
            stop.as_us() / 1000,
            ms.min(dsplay_core::scenario::limits::MAX_STOP_MS)
        )),
        Some(ms) => Ok(SimTime::from_ms(ms)),
    }
}

/// Where `run` and `trace` stop: `--until-ms`, `--at` (a link's playhead, which may fall between
/// milliseconds or partway through an instant after the page's Step), the playhead of a link
/// given as the scenario, or the run's end. Review 25 B2: a stepped link (`t=11920.372`,
/// `e=106`) could not be replayed here, so its hash could not be checked against the page's.
enum Stop {
    Until(Option<u64>),
    At(Playhead, String),
}

impl Stop {
    fn of(scenario: &str, until_ms: Option<u64>, at: Option<&str>) -> Result<Stop, CliError> {
        if let Some(at) = at {
            let p = Playhead::parse(at).ok_or_else(|| {
                format!("--at {at:?}: expected a playhead such as t=2500, t=11920.372 or t=52.346&e=106")
            })?;
            return Ok(Stop::At(p, format!("--at {at}")));
        }
        let linked =
            (until_ms.is_none() && input::is_link(scenario)).then(|| Playhead::parse(scenario)).flatten();
        Ok(match linked {
            Some(p) => Stop::At(p, format!("the link's {}", p.to_query())),
            None => Stop::Until(until_ms),
        })
    }

    /// The playhead in `sim`'s run; one past its end is refused, as `--until-ms` is.
    fn playhead(&self, sim: &dyn Simulation) -> Result<Playhead, CliError> {
        match self {
            Stop::Until(ms) => until(sim, *ms).map(Playhead::at),
            Stop::At(p, said) if p.at > sim.stop_at() => {
                Err(format!("{said} is after the run's end ({} ms)", sim.stop_at().as_us() / 1000))
            }
            Stop::At(p, _) => Ok(*p),
        }
    }
}

/// Run `sim` to `p` as the page does: through every event at or before `p.at`; for a playhead
/// partway through an instant (`e=`, events handled so far), to just before the instant and then
/// event by event, never past it.
fn run_to(sim: &mut dyn Simulation, p: Playhead) {
    let Some(events) = p.events else {
        sim.run_until(p.at);
        return;
    };
    if p.at > SimTime::ZERO {
        sim.run_until(SimTime(p.at.as_us() - 1));
    }
    while sim.events() < events && sim.next_event_at() == Some(p.at) {
        sim.step();
    }
}

/// What the scenario came from, for an error found when building it (a crash of a node that does
/// not exist), named as `load` and `apply_sets` name their errors.
fn source(spec: &str, sets: &[String]) -> String {
    if !sets.is_empty() {
        "after --set".to_string()
    } else if presets::json(spec).is_some() {
        format!("preset {spec}")
    } else {
        spec.to_string()
    }
}

fn build(sc: &dsplay_core::Scenario, source: &str) -> Result<Box<dyn Simulation>, CliError> {
    registry::build(sc).map_err(|e| format!("{source}: {e}"))
}

fn list_presets(as_json: bool) -> Result<(), CliError> {
    let all: Vec<_> = presets::ids().map(|id| (id, presets::get(id))).collect();
    if as_json {
        let arr: Vec<_> = all
            .iter()
            .map(|(id, sc)| {
                let (title, concepts) =
                    sc.as_ref().map(|s| (s.meta.title.clone(), s.meta.concepts.clone())).unwrap_or_default();
                json!({ "id": id, "title": title, "concepts": concepts })
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&arr).map_err(|e| e.to_string())?);
    } else {
        let width = all.iter().map(|(id, _)| id.len()).max().unwrap_or(0);
        for (id, sc) in &all {
            let title = sc.as_ref().map(|s| s.meta.title.as_str()).unwrap_or("(invalid preset)");
            outln!("{id:<width$}  {title}");
        }
    }
    Ok(())
}

fn run(sc: &dsplay_core::Scenario, source: &str, stop: Stop, as_json: bool) -> Result<(), CliError> {
    let mut sim = build(sc, source)?;
    let end = stop.playhead(&*sim)?;
    let t0 = Instant::now();
    run_to(&mut *sim, end);
    let wall = t0.elapsed().as_secs_f64();
    let mut rep = report::report(&*sim);
    rep["wall_ms"] = json!((wall * 1e6).round() / 1e3);
    rep["events_per_sec"] = json!((sim.events() as f64 / wall.max(1e-9)).round());
    if as_json {
        outln!("{}", serde_json::to_string_pretty(&rep).map_err(|e| e.to_string())?);
    } else {
        print_human(&rep);
    }
    Ok(())
}

fn print_human(rep: &serde_json::Value) {
    outln!("{} (seed {})", rep["id"].as_str().unwrap_or(""), rep["seed"]);
    outln!(
        "  simulated {} ms, {} events, {} ms wall, {} events/s",
        rep["sim_time_ms"],
        rep["events"],
        rep["wall_ms"],
        rep["events_per_sec"]
    );
    outln!("  trace hash {}", rep["trace_hash"].as_str().unwrap_or(""));
    if let Some(h) = rep.get("halted") {
        outln!("  halted: {}", h.as_str().unwrap_or(""));
    }
    if let Some(m) = rep["metrics"].as_object() {
        for (k, v) in m {
            outln!("  {k}: {v}");
        }
    }
    let vs = rep["violations"].as_array().map_or(0, Vec::len);
    outln!("  violations: {vs}");
}

fn bench(
    sc: &dsplay_core::Scenario,
    source: &str,
    until_ms: Option<u64>,
    repeat: u32,
    as_json: bool,
) -> Result<(), CliError> {
    let mut best: Option<(u64, f64)> = None;
    for _ in 0..repeat {
        let mut sim = build(sc, source)?;
        let end = until(&*sim, until_ms)?;
        let t0 = Instant::now();
        sim.run_until(end);
        let wall = t0.elapsed().as_secs_f64();
        if best.is_none_or(|(_, w)| wall < w) {
            best = Some((sim.events(), wall));
        }
    }
    let (events, wall) = best.unwrap_or((0, 1.0));
    let eps = events as f64 / wall.max(1e-9);
    if as_json {
        let v = json!({ "id": sc.meta.id, "events": events, "wall_ms": (wall * 1e6).round() / 1e3, "events_per_sec": eps.round() });
        outln!("{v}");
    } else {
        outln!(
            "{}: {events} events in {:.1} ms = {:.2} M events/s (best of {repeat}, tracing on)",
            sc.meta.id,
            wall * 1e3,
            eps / 1e6
        );
    }
    Ok(())
}
