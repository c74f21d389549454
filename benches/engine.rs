//! Engine throughput on the seed district: simulate keeping columns (as
//! calibrate and compare do), and the streamed run with its summary (as
//! `run` does, without file I/O), at 1e5 and 1e6 draws.
//!
//! Run: `cargo bench --bench engine`. Quote medians and the ratio between
//! the two sizes (cost should grow linearly with draws).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use targetsim::model::Model;
use targetsim::model::years::YearModel;
use targetsim::{RunOptions, engine, scenario, summary};

fn seed_district(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district.toml");
    let s = match scenario::load(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot load the seed district: {e}");
            return;
        }
    };
    let model = Model::compile(&s);
    let streamed = YearModel::of(&s);
    let mut group = c.benchmark_group("seed_district");
    group.sample_size(10);
    for draws in [100_000u64, 1_000_000] {
        let opts = RunOptions::new(draws, 20251126);
        group.throughput(Throughput::Elements(draws));
        group.bench_with_input(BenchmarkId::new("simulate", draws), &opts, |b, opts| {
            b.iter(|| black_box(engine::simulate(&model, opts).map(|sim| sim.counts)))
        });
        group.bench_with_input(
            BenchmarkId::new("stream_and_summarise", draws),
            &opts,
            |b, opts| {
                b.iter(|| {
                    black_box(
                        engine::stream(&s, &streamed, opts)
                            .map(|run| summary::summarise(&s, &run).draws),
                    )
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, seed_district);
criterion_main!(benches);
