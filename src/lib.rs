#![doc = include_str!("../README.md")]

pub mod backtest;
pub mod briefing;
pub mod calibrate;
pub mod compare;
mod cpu;
pub mod diagnostics;
pub mod engine;
pub mod error;
pub mod fit;
pub mod history;
pub mod input;
pub mod model;
pub mod output;
pub mod plan_view;
pub mod render;
pub mod sampling;
pub mod scenario;
pub mod sensitivity;
pub mod serve;
pub mod shard;
pub mod summary;
pub mod sweep;

use error::RunError;
use scenario::Scenario;
use summary::Summary;

pub use engine::RunOptions;

/// Compile, simulate and summarise a validated scenario, one-year or plan:
/// the whole `run` job without any file output.
///
/// The recommended targets' rounded candidates are counted along (see
/// [`briefing::probe`]), at the scenario's `[report] confidence`, so
/// [`briefing::build`] gives their probabilities exactly.
pub fn run(scenario: &Scenario, opts: &RunOptions) -> Result<Summary, RunError> {
    let model = model::years::YearModel::of(scenario);
    let confidence = scenario.report.settings(None).confidence;
    let mut probes = briefing::probe::Probes::default();
    let more = |pilot: &summary::tally::Pilot| {
        probes = briefing::probe::of_pilot(scenario, &model, pilot, confidence);
        probes.sets(&model)
    };
    // No sensitivity here, so the pilot need not keep the drivers.
    let opts = &RunOptions {
        pilot_drivers: false,
        ..*opts
    };
    let (run, ()) = engine::stream_extended(scenario, &model, opts, more, |_| ())?;
    let mut summary = summary::summarise(scenario, &run);
    summary.probes = probes.read(&run);
    Ok(summary)
}
