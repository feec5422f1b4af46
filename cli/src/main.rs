//! `dsplay`: run, trace, share and benchmark scenarios headless.
//!
//! Any bad input prints one line on stderr and exits with code 2; nothing panics.

mod input;
mod lincheck;
mod out;
mod shard;

use clap::{Parser, Subcommand};
use dsplay_core::scenario::{decode_fragment, encode_fragment, LinkProblem, Playhead};
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
        /// A JSON array of {id, title, concepts, concept_names}.
        #[arg(long)]
        json: bool,
    },
    /// Print a preset's scenario JSON.
    Show { id: String },
    /// Run a scenario headless and print a report.
    Run {
        /// A preset id, a scenario file, or a link (a URL or its `#s=…`/`#preset=…` fragment,
        /// which runs to the link's playhead unless --until-ms or --at says otherwise), or an
        /// embed's address (`…?embed=1&preset=ID&t=…`), read as the link it opens.
        #[arg(value_parser = input::spec)]
        scenario: String,
        #[command(flatten)]
        variant: Variant,
        /// Stop at this simulated time (ms); default: the run's end.
        #[arg(long, conflicts_with = "at", allow_hyphen_values = true, value_parser = whole("a time in ms"))]
        until_ms: Option<u64>,
        /// Stop at a link's playhead: `t=11920.372` or `t=52.346&e=106` (or a whole link).
        #[arg(long)]
        at: Option<String>,
        /// Print the report as JSON. Its `metrics` have the same keys whatever happened in the
        /// run: a counter that never fired is 0, a gauge with no reading null (README: "The
        /// command line").
        #[arg(long)]
        json: bool,
    },
    /// Print the trace as fixed-column text.
    Trace {
        /// A preset id, a scenario file, or a link (as for `run`).
        #[arg(value_parser = input::spec)]
        scenario: String,
        #[command(flatten)]
        variant: Variant,
        /// Stop at this simulated time (ms); default: the run's end.
        #[arg(long, conflicts_with = "at", allow_hyphen_values = true, value_parser = whole("a time in ms"))]
        until_ms: Option<u64>,
        /// Stop at a link's playhead: `t=11920.372` or `t=52.346&e=106` (or a whole link).
        #[arg(long)]
        at: Option<String>,
        /// After each send, what the message carried, in words.
        #[arg(long)]
        payloads: bool,
    },
    /// Print the `#s=…` URL fragment for a scenario (a variant made with --set and --seed too); a
    /// link's playhead is kept.
    Url {
        /// A preset id, a scenario file, or a link (as for `run`).
        #[arg(value_parser = input::spec)]
        scenario: String,
        #[command(flatten)]
        variant: Variant,
    },
    /// Decode a URL or fragment back into scenario JSON.
    Decode {
        #[arg(value_parser = input::spec)]
        url: String,
    },
    /// Measure simulated events per second, natively.
    Bench {
        #[arg(default_value = "t1-power-of-two", value_parser = input::spec)]
        scenario: String,
        #[command(flatten)]
        variant: Variant,
        /// Stop at this simulated time (ms); default: the run's end.
        #[arg(long, allow_hyphen_values = true, value_parser = whole("a time in ms"))]
        until_ms: Option<u64>,
        /// Repeat the run this many times and report the best (at most 1000).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
        repeat: u32,
        /// Print the figures as JSON.
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

/// A variant of the scenario: fields overridden, another seed. `run`, `trace`, `url` and `bench`
/// take the same two (review 27 B3: a variant could be run but not shared as a link, and `bench`
/// advised a --set it did not take).
#[derive(clap::Args, Debug)]
struct Variant {
    /// Run with this seed instead of the scenario's.
    #[arg(long, allow_hyphen_values = true, value_parser = whole("a seed"))]
    seed: Option<u64>,
    /// Override a field: PATH=VALUE (repeatable), e.g. workload.arrival.rate_per_s=900.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
}

impl Variant {
    /// `spec` loaded, with the overrides applied and the seed set.
    fn of(&self, spec: &str) -> Result<dsplay_core::Scenario, CliError> {
        let mut sc = apply_sets(load(spec)?, &self.sets)?;
        if let Some(s) = self.seed {
            sc.seed = s;
        }
        Ok(sc)
    }
}

fn dispatch(cmd: Cmd) -> Result<(), CliError> {
    match cmd {
        Cmd::Presets { json } => list_presets(json),
        Cmd::Show { id } => {
            let text = presets::json(&id).ok_or_else(|| {
                let near: Vec<String> = presets::suggest(&id).iter().map(|k| format!("{k:?}")).collect();
                let hint = if near.is_empty() {
                    String::new()
                } else {
                    format!("; did you mean {}?", near.join(" or "))
                };
                format!("no preset {id:?}{hint} (`dsplay presets` lists them)")
            })?;
            out!("{text}");
            Ok(())
        }
        Cmd::Run { scenario, variant, until_ms, at, json } => {
            let sc = variant.of(&scenario)?;
            run(&sc, &source(&scenario, &variant.sets), Stop::of(&scenario, until_ms, at.as_deref())?, json)
        }
        Cmd::Trace { scenario, variant, until_ms, at, payloads } => {
            let stop = Stop::of(&scenario, until_ms, at.as_deref())?;
            let mut sc = variant.of(&scenario)?;
            sc.sim.trace_capacity = dsplay_core::scenario::limits::MAX_TRACE_CAPACITY;
            let mut sim = build(&sc, &source(&scenario, &variant.sets))?;
            if payloads {
                sim.keep_every_message();
            }
            let end = stop.playhead(&*sim)?;
            run_to(&mut *sim, end)?;
            if sim.trace().first_index() > 0 {
                outln!("# the first {} records are not shown (trace capacity)", sim.trace().first_index());
            }
            out!("{}", report::trace_text(&*sim, payloads));
            outln!("# {} records, hash {:016x}", sim.trace().len_total(), sim.trace_hash());
            Ok(())
        }
        // Built, not only parsed: a link the app would refuse (a crash of a node that does not
        // exist) is refused here too, before a teacher hands it out.
        // A link's playhead stays: `url` of a stepped link is the same place in the variant.
        Cmd::Url { scenario, variant } => {
            let sc = variant.of(&scenario)?;
            let mut sim = registry::build(&sc)
                .map_err(|e| format!("{scenario}: {e}; the app would not open a link to it"))?;
            let stop = Stop::of(&scenario, None, None)?;
            let tail = match stop {
                Stop::At(..) => {
                    let p = stop.playhead(&*sim)?;
                    // Run there: an `e=` its instant does not have is refused, as `run` refuses it.
                    run_to(&mut *sim, p)?;
                    format!("&{}", p.to_query())
                }
                Stop::Until(_) => String::new(),
            };
            let fragment = encode_fragment(&sc);
            // A link the app would refuse is not printed (review 30 C7: incompressible notes made one).
            let payload = fragment.len() - "#s=".len();
            if payload > dsplay_core::scenario::MAX_FRAGMENT {
                return Err(format!(
                    "{scenario}: its link would be {payload} characters, and the app opens links of up to {}: \
                     shorten the lesson or the notes, or share the scenario's JSON file",
                    dsplay_core::scenario::MAX_FRAGMENT
                ));
            }
            outln!("{fragment}{tail}");
            Ok(())
        }
        Cmd::Decode { url } => {
            let sc = decode_fragment(&url).map_err(|e| e.to_string())?;
            registry::build(&sc)
                .map_err(|e| format!("the link decodes but its scenario does not run: {e}"))?;
            outln!("{}", sc.to_json_pretty());
            // The JSON is the scenario only: the link's playhead would be lost without a word
            // on the way through a file (review 30 C8).
            let tail = past_scenario(url.rsplit_once('#').map_or("", |(_, f)| f)).collect::<Vec<_>>();
            // Only a playhead that is one is offered to --at (review 50 C10: `seed=7` and `t=abc`
            // were); what is not one is said as the page says it.
            let stop = SimTime::from_ms(sc.stop_at_ms);
            let problems = dsplay_core::scenario::link_problems(&tail.join("&"), stop);
            if let Some(first) = problems.first() {
                // In the link's words: `decode` has no --seed to point at (review 52).
                eprintln!("dsplay: note: left out of the JSON: {}", first.fact().replace('`', ""));
            } else if !tail.is_empty() {
                eprintln!(
                    "dsplay: note: a link's playhead is not part of the scenario JSON: run the file \
                     with --at '{}' to stop where the link does",
                    tail.join("&")
                );
            }
            Ok(())
        }
        Cmd::Bench { scenario, variant, until_ms, repeat, json } => {
            bench(&variant.of(&scenario)?, &source(&scenario, &variant.sets), until_ms, repeat, json)
        }
        // Handled in `main`: its exit code carries the verdict.
        Cmd::Lincheck(args) => lincheck::run(&args).map(drop),
        Cmd::Shard(args) => shard::run(&args),
    }
}

/// A clap parser of a whole number 0 or more, whose refusal says what it is (`what`) and what is
/// wrong: `--seed -1` was "unexpected argument '-1' found" (review 50 C10).
fn whole(what: &'static str) -> impl Fn(&str) -> Result<u64, String> + Clone {
    move |text: &str| {
        text.trim().parse::<u64>().map_err(|_| match text.trim().parse::<f64>() {
            Ok(v) if v < 0.0 => format!("{text} is negative: {what} is a whole number, 0 or more"),
            Ok(v) if v >= u64::MAX as f64 => {
                format!("{text} is too big: {what} is a whole number from 0 to {}", u64::MAX)
            }
            Ok(v) if v.fract() == 0.0 => format!("{text}: write {what} as the whole number {v:.0}"),
            Ok(_) => format!("{text} is not whole: {what} is a whole number, 0 or more"),
            Err(_) => format!("{text} is not a number: {what} is a whole number, 0 or more"),
        })
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
    /// The playhead's words (`--at` or a link's tail), checked against the run once built.
    At(String, &'static str),
}

impl Stop {
    fn of(scenario: &str, until_ms: Option<u64>, at: Option<&str>) -> Result<Stop, CliError> {
        let tail = past_scenario(scenario.rsplit_once('#').map_or("", |(_, f)| f)).next().is_some();
        // A link's own parts are still its own with --at or --until-ms: its `seed=` went unsaid
        // (review 52). Its playhead is overridden, so no end is held against it.
        if input::is_link(scenario) && tail && (at.is_some() || until_ms.is_some()) {
            let frag = scenario.rsplit_once('#').map_or("", |(_, f)| f);
            if let Some(first) = dsplay_core::scenario::link_problems(frag, SimTime(u64::MAX)).first() {
                return Err(format!("the link: {}", refused(first)));
            }
        }
        Ok(match (at, until_ms) {
            (Some(at), _) => Stop::At(at.to_string(), "--at"),
            (None, None) if input::is_link(scenario) && tail => Stop::At(scenario.to_string(), "the link"),
            (None, ms) => Stop::Until(ms),
        })
    }

    /// The playhead in `sim`'s run. What the page would open anyway but say something about (a
    /// time that is not one, a part past the end, a `seed=` a link does not carry) is refused
    /// here, in the page's words: a script must not get another run than it asked for without a
    /// word (review 27 B1: `t=abc` ran to the end, where the page opens at 0 s).
    fn playhead(&self, sim: &dyn Simulation) -> Result<Playhead, CliError> {
        let (text, whose) = match self {
            Stop::Until(ms) => return until(sim, *ms).map(Playhead::at),
            Stop::At(text, whose) => (text, whose),
        };
        // `--at` takes a link's tail or a whole link: its scenario parts are not its business.
        let tail = if text.contains('#') { text.rsplit_once('#').map_or("", |(_, f)| f) } else { text };
        let said = dsplay_core::scenario::link_problems(tail, sim.stop_at());
        if let Some(first) = said.first() {
            return Err(format!("{whose}: {}", refused(first)));
        }
        Playhead::parse(tail).ok_or_else(|| {
            let shown = past_scenario(tail).collect::<Vec<_>>().join("&");
            format!("{whose} {shown:?}: expected a playhead such as t=2500, t=11920.372 or t=52.346&e=106")
        })
    }
}

/// A run its event budget stopped short says so on stderr, beside what it reports: a script
/// reading only the figures (or lincheck's verdict) got those of a few ms of the run without a
/// word (review 27 B4). The exit status stays 0: the report is right for what was run.
pub fn note_halted(sim: &dyn Simulation) {
    if let Some(why) = sim.halted() {
        eprintln!(
            "dsplay: note: {why}, at {} ms of a {} ms run; the figures are for that part",
            sim.now().as_us() / 1000,
            sim.stop_at().as_us() / 1000
        );
    }
}

/// A link fragment's parts besides its scenario (`t=`, `e=`, and what a link does not have).
fn past_scenario(frag: &str) -> impl Iterator<Item = &str> {
    frag.split('&').filter(|p| !p.is_empty() && !p.starts_with("s=") && !p.starts_with("preset="))
}

/// A link problem as the command line's refusal: what is wrong, and what to do here.
fn refused(problem: &LinkProblem) -> String {
    let fact = problem.fact().replace('`', "");
    match problem {
        LinkProblem::Seed { .. } => format!("{fact} Use --seed."),
        // "…and the first counts" is the page's, which opens it anyway; here it is refused.
        LinkProblem::Twice { key, whole, .. } => format!("the {whole} has {key}= twice: keep one"),
        _ => fact,
    }
}

/// Run `sim` to `p` as the page does: through every event at or before `p.at`; for a playhead
/// partway through an instant (`e=`, events handled so far), to just before the instant and then
/// event by event. An `e=` outside its instant's events (the page opens at the nearer end and
/// says so) is refused.
fn run_to(sim: &mut dyn Simulation, p: Playhead) -> Result<(), CliError> {
    let Some(events) = p.events else {
        sim.run_until(p.at);
        return Ok(());
    };
    if p.at > SimTime::ZERO {
        sim.run_until(SimTime(p.at.as_us() - 1));
    }
    let before = sim.events();
    while sim.events() < events && sim.next_event_at() == Some(p.at) {
        sim.step();
    }
    let at = p.to_query();
    if events < before {
        return Err(format!(
            "{at}: e= counts every event handled so far, and {before} were handled before that instant."
        ));
    }
    if sim.events() < events {
        let had = sim.events();
        return Err(refused(&LinkProblem::PastInstant { asked: events, at: p.at, had }));
    }
    Ok(())
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
                let names: Vec<_> =
                    concepts.iter().filter_map(|c| dsplay_core::concepts::get(c)).map(|c| c.name).collect();
                json!({ "id": id, "title": title, "concepts": concepts, "concept_names": names })
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
    run_to(&mut *sim, end)?;
    let wall = t0.elapsed().as_secs_f64();
    note_halted(&*sim);
    let mut rep = report::report(&*sim);
    rep["wall_ms"] = json!((wall * 1e6).round() / 1e3);
    rep["events_per_sec"] = json!((sim.events() as f64 / wall.max(1e-9)).round() as u64);
    if as_json {
        outln!("{}", serde_json::to_string_pretty(&rep).map_err(|e| e.to_string())?);
    } else {
        print_human(&rep);
        if sim.keeps_history() {
            outln!("  linearizability: {}", lincheck::verdict_of_run(&*sim));
        }
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
            match k.as_str() {
                "breaker_state" => {
                    outln!("  {k}: {v} ({})", dsplay_core::protocols::resilience::breaker::state_codes())
                }
                _ => outln!("  {k}: {v}"),
            }
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
        let v = json!({ "id": sc.meta.id, "events": events, "wall_ms": (wall * 1e6).round() / 1e3, "events_per_sec": eps.round() as u64 });
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
