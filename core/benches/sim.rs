//! Simulator throughput: events per second for the T1 presets, tracing on; and what a frame's
//! snapshot of the world (`view`) costs, which the page builds once a frame and slow motion in an
//! edited Raft run once more.
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

/// One `view()` halfway through a run: a five-server Raft cluster, and the 50-node scale-out run.
fn view_cost(c: &mut Criterion) {
    let mut group = c.benchmark_group("view");
    for id in ["d4-raft-election", "t1-scale-out"] {
        let sc = presets::get(id).expect("preset");
        let mut sim = registry::build(&sc).expect("build");
        let half = dsplay_core::SimTime::from_ms(sim.stop_at().as_us() / 2000);
        sim.run_until(half);
        group.bench_function(id, |b| b.iter(|| sim.view().nodes.len()));
    }
    group.finish();
}

criterion_group!(benches, presets_throughput, view_cost);
criterion_main!(benches);
