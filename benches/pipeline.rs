//! Engine only, issue 14's pipeline requirement: a streamed run with its
//! summary (as `run` does, without writing files) of the 10,000-project
//! scenario against the same scenario without its `[pipeline]`, at 1e5
//! draws. The scenarios come from `benches/pipeline/make_scenario.py`:
//!
//!     python3 benches/pipeline/make_scenario.py --out /tmp/pipe10k
//!     PIPELINE_BENCH=/tmp/pipe10k cargo bench --bench pipeline
//!
//! Quote the medians and their ratio; `benches/pipeline/time.sh` times the
//! whole command.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use targetsim::model::years::YearModel;
use targetsim::{RunOptions, engine, scenario, summary};

fn pipeline(c: &mut Criterion) {
    let Ok(dir) = std::env::var("PIPELINE_BENCH") else {
        eprintln!("set PIPELINE_BENCH to the folder make_scenario.py wrote");
        return;
    };
    let mut group = c.benchmark_group("pipeline_10k");
    group.sample_size(10);
    for name in ["plain", "projects"] {
        let s = match scenario::load(&Path::new(&dir).join(format!("{name}.toml"))) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("cannot load {name}.toml: {e}");
                return;
            }
        };
        let model = YearModel::of(&s);
        let opts = RunOptions::new(100_000, 20251201);
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    engine::stream(&s, &model, &opts).map(|run| summary::summarise(&s, &run).draws),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
