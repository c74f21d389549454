//! A five-year plan against one year, through the same engine and measured
//! in the same run: the seed district (1 year) and the seed district plan
//! (5 years), streamed with their accumulators (no summary, no file I/O),
//! at 1e5 and 1e6 draws. The cost
//! should grow with years x draws x indicators: about 5 x 20/17 = 5.9 times
//! the one-year time.
//!
//! Run: `cargo bench --bench plan`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use targetsim::model::years::YearModel;
use targetsim::{RunOptions, engine, scenario};

fn plan_vs_one_year(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (one, plan) = match (
        scenario::load(&root.join("scenarios/seed-district.toml")),
        scenario::load(&root.join("scenarios/seed-district-plan.toml")),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        _ => {
            eprintln!("cannot load the seed district scenarios");
            return;
        }
    };
    let one_model = YearModel::of(&one);
    let plan_model = YearModel::of(&plan);
    let mut group = c.benchmark_group("plan_vs_one_year");
    group.sample_size(10);
    for draws in [100_000u64, 1_000_000] {
        let opts = RunOptions::new(draws, 20251126);
        group.throughput(Throughput::Elements(draws));
        group.bench_with_input(BenchmarkId::new("one_year", draws), &opts, |b, opts| {
            b.iter(|| black_box(engine::stream(&one, &one_model, opts).map(|run| run.tally.draws)))
        });
        group.bench_with_input(BenchmarkId::new("five_years", draws), &opts, |b, opts| {
            b.iter(|| {
                black_box(engine::stream(&plan, &plan_model, opts).map(|run| run.tally.draws))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, plan_vs_one_year);
criterion_main!(benches);
