//! `dsplay lincheck FILE`: check a recorded history for linearizability.
//!
//! Prints `linearizable` (exit 0), `not linearizable: <first bad operation>` (exit 1), or
//! `unknown: ...` when the step budget runs out (exit 3). Malformed input: one line on stderr,
//! exit 2. The value semantics come from the format (Jepsen logs: an integer register with
//! read/write/cas; EDN: string cells with get/put/append; JSON: a simulator `History`, integer
//! registers); `--model` chooses one object (`register`) or one object per key (`kv`).

use crate::out::outln;
use clap::{Args, ValueEnum};
use dsplay_core::check::model::{AppendCell, Register};
use dsplay_core::check::parse::{parse_edn, parse_history_json, parse_jepsen};
use dsplay_core::check::{check_ops, Partitioning, Report, Verdict, DEFAULT_BUDGET};
use std::path::Path;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// One register: keys are ignored.
    Register,
    /// One register per key, checked independently (P-compositionality).
    Kv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Jepsen etcd log lines (`INFO jepsen.util - P :invoke :write 3`).
    Jepsen,
    /// porcupine's EDN-like key-value lines (`{:process 0, :type :invoke, :f :get, …}`).
    Edn,
    /// A simulator history as JSON (`{"ops": [...], "truncated": false}`).
    Json,
}

#[derive(Args, Debug)]
pub struct LincheckArgs {
    /// The history file, or a preset id: run the preset and check its recorded history.
    file: String,
    /// Default: register for Jepsen logs, kv otherwise.
    #[arg(long, value_enum)]
    model: Option<ModelArg>,
    /// Default: from the extension (.log → jepsen, .json → json, anything else → edn).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Most search steps before answering "unknown".
    #[arg(long, default_value_t = DEFAULT_BUDGET)]
    budget: u64,
    /// Also print the number of operations, partitions and steps on stderr.
    #[arg(long)]
    verbose: bool,
    /// With a preset: override a field of its scenario, PATH=VALUE (repeatable), as `run` does,
    /// e.g. protocol.mode=dynamo (a lesson's "break it", checked from the shell).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
    /// With a preset: run it with this seed.
    #[arg(long)]
    seed: Option<u64>,
}

/// `run`'s line on a run whose clients keep a history: its verdict, in lincheck's words and with
/// its default budget, so the two agree. A report said `violations: 0` beside `stale_reads: 89`
/// and nothing of the history that `dsplay lincheck` finds not linearizable (review 53 C3).
pub fn verdict_of_run(sim: &dyn dsplay_core::sim::Simulation) -> String {
    let report = dsplay_core::check::check_history_with(sim.history(), Partitioning::ByKey, DEFAULT_BUDGET);
    match report.verdict {
        Verdict::Unknown { steps } => {
            format!("undecided in {steps} steps (`dsplay lincheck` with a larger --budget searches longer)")
        }
        _ => with_labels_of(sim, |labels| describe(&report, "µs", None, labels)),
    }
}

/// `f` with a run's own words for its keys and its clients' names.
fn with_labels_of<R>(sim: &dyn dsplay_core::sim::Simulation, f: impl FnOnce(&Labels<'_>) -> R) -> R {
    let names = sim.node_names();
    let client = |c: u64| names.get(c as usize).cloned().unwrap_or_else(|| format!("node #{c}"));
    f(&Labels { key: &|k| sim.key_label(k), client: &client })
}

/// Run the check; `Err` is a one-line input error (exit 2).
pub fn run(args: &LincheckArgs) -> Result<ExitCode, String> {
    if dsplay_core::presets::json(&args.file).is_some() {
        let sim = run_preset(&args.file, &args.sets, args.seed)?;
        let text = serde_json::to_string(sim.history()).map_err(|e| e.to_string())?;
        return with_labels_of(&*sim, |labels| check_text(args, &text, Some(FormatArg::Json), labels));
    }
    if !args.sets.is_empty() || args.seed.is_some() {
        return Err(format!(
            "{}: --set and --seed change a preset's run; a history file is checked as it is",
            args.file
        ));
    }
    let text = std::fs::read_to_string(&args.file).map_err(|e| format!("cannot read {}: {e}", args.file))?;
    let format = args.format.unwrap_or_else(|| guess_format(&args.file));
    let client = |c: u64| match format {
        // A history file has no names: say what the number is.
        FormatArg::Json => format!("node #{c} (a node index: the file names no nodes)"),
        FormatArg::Jepsen | FormatArg::Edn => format!("process {c}"),
    };
    check_text(args, &text, Some(format), &Labels { key: &|k| format!("key {k}"), client: &client })
}

/// How the verdict names what the history numbers: keys, and the clients (a simulator history
/// numbers them by node index — `5` is the sixth node, `c1` when replicas are 0–4).
struct Labels<'a> {
    key: &'a dyn Fn(u64) -> String,
    client: &'a dyn Fn(u64) -> String,
}

/// Run a preset (with `sets` and `seed`, if given) to its stop time: its history is what is
/// checked, and its protocol names the keys.
fn run_preset(
    id: &str,
    sets: &[String],
    seed: Option<u64>,
) -> Result<Box<dyn dsplay_core::Simulation>, String> {
    let mut sc = crate::input::apply_sets(crate::input::load(id)?, sets)?;
    if let Some(s) = seed {
        sc.seed = s;
    }
    let mut sim = dsplay_core::registry::build(&sc).map_err(|e| e.to_string())?;
    let stop = sim.stop_at();
    sim.run_until(stop);
    crate::note_halted(&*sim);
    if sim.history().is_empty() {
        return Err(format!("preset {id} records no key-value history"));
    }
    Ok(sim)
}

fn check_text(
    args: &LincheckArgs,
    text: &str,
    format: Option<FormatArg>,
    labels: &Labels<'_>,
) -> Result<ExitCode, String> {
    let format = format.unwrap_or_else(|| guess_format(&args.file));
    let model =
        args.model.unwrap_or(if format == FormatArg::Jepsen { ModelArg::Register } else { ModelArg::Kv });
    let by = if model == ModelArg::Kv { Partitioning::ByKey } else { Partitioning::Single };
    let bad_input = |e: dsplay_core::check::parse::ParseError| format!("{}: {e}", args.file);
    let (report, unit, keys) = match format {
        FormatArg::Jepsen => {
            (check_ops(&Register, &parse_jepsen(text).map_err(bad_input)?, by, args.budget), "line", None)
        }
        FormatArg::Json => {
            (check_ops(&Register, &parse_history_json(text).map_err(bad_input)?, by, args.budget), "µs", None)
        }
        FormatArg::Edn => {
            let (ops, keys) = parse_edn(text).map_err(bad_input)?;
            (check_ops(&AppendCell, &ops, by, args.budget), "line", Some(keys))
        }
    };
    if args.verbose {
        eprintln!("{} ops, {} partitions, {} steps", report.ops, report.partitions, report.steps);
    }
    outln!("{}", describe(&report, unit, keys.as_deref(), labels));
    Ok(match report.verdict {
        Verdict::Linearizable => ExitCode::SUCCESS,
        Verdict::NotLinearizable { .. } => ExitCode::from(1),
        Verdict::Unknown { .. } => ExitCode::from(3),
    })
}

fn guess_format(file: &str) -> FormatArg {
    match Path::new(file).extension().and_then(|e| e.to_str()) {
        Some("log") => FormatArg::Jepsen,
        Some("json") => FormatArg::Json,
        _ => FormatArg::Edn,
    }
}

fn describe(report: &Report, unit: &str, keys: Option<&[String]>, labels: &Labels<'_>) -> String {
    match &report.verdict {
        Verdict::Linearizable => "linearizable".into(),
        Verdict::NotLinearizable { first_bad: b } => {
            let key = match keys.and_then(|k| k.get(b.key as usize)) {
                Some(name) => format!("key {name:?}"),
                None => (labels.key)(b.key),
            };
            let at = if unit == "line" { format!("line {}", b.call) } else { format!("{} {unit}", b.call) };
            format!(
                "not linearizable: op {} ({}) by {} on {key}, called at {at}",
                b.op_id,
                b.description,
                (labels.client)(b.client)
            )
        }
        Verdict::Unknown { steps } => {
            format!("unknown: step budget exhausted after {steps} steps (raise --budget)")
        }
    }
}
