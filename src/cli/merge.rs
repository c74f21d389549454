//! `targetsim merge`: put the shards of a run back together and write what
//! `run` writes.

use super::Failure;
use super::progress::Progress;
use std::path::PathBuf;
use targetsim::RunOptions;
use targetsim::engine::{self, Streamed};
use targetsim::model::years::YearModel;
use targetsim::shard;

/// Merge shard files of one run (from `run --shard K/N`) into its results.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  targetsim run scenarios/seed-district.toml --draws 10000000 --shard 1/2 --out output/shards\n  targetsim run scenarios/seed-district.toml --draws 10000000 --shard 2/2 --out output/shards\n  targetsim merge output/shards/shard-*.tsim --out output/seed-district\n\nThe shards must come from the same scenario file (checked by its hash), seed\nand number of draws, and cover every block exactly once. The results are\nbyte-identical to a single `run` with the same draws and seed."
)]
pub struct Args {
    /// The shard files (shard-K-of-N.tsim).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// The scenario file [default: the path recorded in the shards].
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Output directory [default: output/<scenario name>].
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long, short = 't', value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    #[command(flatten)]
    pub writes: super::run::Writes,
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let usage = |e: shard::MergeError| Failure::Usage(format!("error: {e}"));
    let mut shards = Vec::with_capacity(args.shards.len());
    for path in &args.shards {
        shards.push((path.clone(), shard::read(path).map_err(usage)?));
    }
    let (first, tally) = shard::merge(shards).map_err(usage)?;
    let path = args
        .scenario
        .clone()
        .unwrap_or_else(|| PathBuf::from(&first.scenario.file));
    let s = super::run::load(&path, first.scenario.variant.as_deref())?;
    if s.hash != first.scenario.hash {
        return Err(Failure::Usage(format!(
            "error: {}: the scenario's hash is {}, the shards were run on {}\n  hint: merge with the scenario file the shards were run on (--scenario PATH)",
            path.display(),
            s.hash,
            first.scenario.hash
        )));
    }
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| super::run::default_out_dir(&s));
    let threads = args.threads.map(|t| t as usize);
    write(
        &s,
        &first,
        tally,
        &args.shards,
        &dir,
        threads,
        args.writes.outputs(),
    )
}

/// Write what `run` writes from a merged tally (`first` is one of its
/// shards): the run's layout is checked against the scenario's first. Used
/// by `merge` and by `sweep` for each unit.
pub fn write(
    s: &targetsim::scenario::Scenario,
    first: &shard::Shard,
    tally: targetsim::summary::tally::Tally,
    shards: &[PathBuf],
    dir: &std::path::Path,
    threads: Option<usize>,
    out: super::run::Outputs,
) -> Result<(), Failure> {
    let mut opts = RunOptions::new(first.draws, first.seed);
    opts.threads = threads;
    let model = YearModel::of(s);
    // The pilot lays out the accumulators: it must be the shards' layout.
    let (pilot, layout) = engine::pilot(s, &model, &opts)?;
    let same_grids = tally
        .columns
        .iter()
        .zip(&layout.grids)
        .all(|(c, g)| &c.sketch.grid == g);
    if tally.columns.len() != layout.n_columns || !same_grids {
        return Err(Failure::Usage(format!(
            "error: {}: the shards' accumulators are laid out differently from this scenario's\n  hint: merge with the targetsim version the shards were run with ({})",
            shards
                .first()
                .map_or_else(String::new, |p| p.display().to_string()),
            first.tool.version
        )));
    }
    let mut inputs = s.input_paths();
    inputs.extend(shards.iter().map(|p| p.as_path()));
    let staging = targetsim::output::Staging::begin(&targetsim::output::RUN, dir, &inputs)?;
    let run = Streamed {
        pilot,
        layout,
        tally,
    };
    engine::check_reportable(&model, &run)?;
    let progress = Progress::new(0, true);
    super::run::finish(s, &opts, staging, out, &run, Default::default(), &progress)
}
