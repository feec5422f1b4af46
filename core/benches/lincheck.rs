//! Linearizability checker throughput on porcupine's corpus: prints the verdict counts, the steps
//! and the wall time per family and in total. `cargo bench -p dsplay-core --bench lincheck`.

use dsplay_core::check::model::{AppendCell, Register};
use dsplay_core::check::parse::{parse_edn, parse_jepsen};
use dsplay_core::check::{check_ops, Partitioning, Report, DEFAULT_BUDGET};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/porcupine");
    if !dir.join("README.md").exists() {
        eprintln!("lincheck bench: corpus not found at {}", dir.display());
        return;
    }
    let mut total = Duration::ZERO;
    let mut tally = Tally::default();
    for n in 0..=102u32 {
        let text = read(&dir.join(format!("jepsen/etcd_{n:03}.log")));
        let Ok(ops) = parse_jepsen(&text) else { continue };
        let t0 = Instant::now();
        let report = check_ops(&Register, &ops, Partitioning::Single, DEFAULT_BUDGET);
        total += tally.add(&report, t0.elapsed());
    }
    println!("etcd (102 files): {tally}");
    let etcd = total;
    let mut kv = Tally::default();
    for name in ["c01-ok", "c01-bad", "c10-ok", "c10-bad", "c50-ok", "c50-bad"] {
        let text = read(&dir.join(format!("kv/{name}.txt")));
        let Ok((ops, _)) = parse_edn(&text) else { continue };
        let t0 = Instant::now();
        let report = check_ops(&AppendCell, &ops, Partitioning::ByKey, DEFAULT_BUDGET);
        let took = t0.elapsed();
        println!(
            "  {name}: {} ops, {} steps, {:.1} ms, {}",
            report.ops,
            report.steps,
            ms(took),
            report.verdict
        );
        total += kv.add(&report, took);
    }
    println!("kv (6 files): {kv}");
    println!("total: {:.1} ms (etcd {:.1} ms)", ms(total), ms(etcd));
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[derive(Default)]
struct Tally {
    linearizable: u32,
    not: u32,
    unknown: u32,
    steps: u64,
    max_steps: u64,
    time: Duration,
}

impl Tally {
    fn add(&mut self, r: &Report, took: Duration) -> Duration {
        match r.verdict {
            dsplay_core::check::Verdict::Linearizable => self.linearizable += 1,
            dsplay_core::check::Verdict::NotLinearizable { .. } => self.not += 1,
            dsplay_core::check::Verdict::Unknown { .. } => self.unknown += 1,
        }
        self.steps += r.steps;
        self.max_steps = self.max_steps.max(r.steps);
        self.time += took;
        took
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} linearizable, {} not, {} unknown; {} steps (at most {} per file); {:.1} ms",
            self.linearizable,
            self.not,
            self.unknown,
            self.steps,
            self.max_steps,
            self.time.as_secs_f64() * 1e3
        )
    }
}
