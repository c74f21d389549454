//! Cost of the pictures on the seed district (1e5 draws; charts do not
//! depend on the number of draws): every chart as SVG only, as SVG and PNG,
//! and the HTML report from drawn charts. No file I/O.
//!
//! Run: `cargo bench --bench report`. Compare with `seed_district/
//! simulate_and_summarise` of `cargo bench --bench engine` in the same run.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use targetsim::render::{chart, html};
use targetsim::{RunOptions, scenario};

fn pictures(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district.toml");
    let Ok(s) = scenario::load(&path) else {
        eprintln!("cannot load the seed district");
        return;
    };
    let Ok(summary) = targetsim::run(&s, &RunOptions::new(100_000, 20251126)) else {
        eprintln!("cannot run the seed district");
        return;
    };
    let settings = targetsim::briefing::Settings::default();
    let Ok(charts) = chart::render_all(&summary, &settings, true) else {
        eprintln!("cannot draw the charts");
        return;
    };
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    group.bench_function("charts_svg", |b| {
        b.iter(|| black_box(chart::render_all(&summary, &settings, false).map(|c| c.len())))
    });
    group.bench_function("charts_svg_and_png", |b| {
        b.iter(|| black_box(chart::render_all(&summary, &settings, true).map(|c| c.len())))
    });
    group.bench_function("html", |b| {
        b.iter(|| black_box(html::report(&s, &summary, &charts, &[]).to_html().len()))
    });
    group.finish();
}

criterion_group!(benches, pictures);
criterion_main!(benches);
