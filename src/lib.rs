#![doc = include_str!("../README.md")]

pub mod calibrate;
pub mod compare;
pub mod engine;
pub mod error;
pub mod model;
pub mod output;
pub mod render;
pub mod sampling;
pub mod scenario;
pub mod sensitivity;
pub mod summary;

use error::RunError;
use scenario::Scenario;
use summary::Summary;

pub use engine::RunOptions;

/// Compile, simulate and summarise a validated scenario: the whole `run`
/// job without any file output.
pub fn run(scenario: &Scenario, opts: &RunOptions) -> Result<Summary, RunError> {
    let model = model::Model::compile(scenario);
    let sim = engine::simulate(&model, opts)?;
    Ok(summary::summarise(scenario, sim))
}
