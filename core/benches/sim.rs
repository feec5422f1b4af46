//! Simulator throughput: events per second for the T1 presets, tracing on.
//! `cargo bench -p dsplay-core --bench sim` (the CLI's `dsplay bench` prints the same figure).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dsplay_core::{presets, registry};

fn presets_throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate");
    group.sample_size(10);
    for id in ["t1-power-of-two", "t1-round-robin"] {
        let sc = presets::get(id).expect("preset");
        let events = {
            let mut sim = registry::build(&sc).expect("build");
            sim.run_until(sim.stop_at());
            sim.events()
        };
        group.throughput(Throughput::Elements(events));
        group.bench_function(id, |b| {
            b.iter(|| {
                let mut sim = registry::build(&sc).expect("build");
                sim.run_until(sim.stop_at());
                sim.trace_hash()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, presets_throughput);
criterion_main!(benches);
