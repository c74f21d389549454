//! `targetsim run`: simulate a scenario, print the table, write the results.

use super::Failure;
use std::path::PathBuf;
use targetsim::RunOptions;
use targetsim::render::{Export, csv, json, table};
use targetsim::scenario::{self, Scenario};

/// Simulate a scenario: each indicator's distribution, each target's
/// probability, each target set's joint probability.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  targetsim run scenarios/seed-district.toml\n  targetsim run scenarios/seed-district.toml --draws 1000000 --seed 7 --out output/try\n\nWrites summary.json, indicators.csv and targets.csv to the output directory\n(default output/<scenario name>/). The same scenario and seed give byte-identical\nfiles for any --threads."
)]
pub struct Args {
    /// The scenario file (TOML, or JSON with a .json extension).
    pub scenario: PathBuf,
    /// Number of Monte Carlo draws [default: the scenario's, else 100000].
    #[arg(long, short = 'n')]
    pub draws: Option<u64>,
    /// Seed of the random streams [default: the scenario's, else 1].
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long, short = 't', value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Output directory [default: output/<scenario name>].
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// The options shared by every command that simulates.
pub fn options(
    s: &Scenario,
    draws: Option<u64>,
    seed: Option<u64>,
    threads: Option<u64>,
) -> Result<RunOptions<'static>, Failure> {
    let draws = draws.unwrap_or(s.simulation.draws);
    let draws = scenario::check_draws(draws)
        .map_err(|m| Failure::Usage(format!("error: --draws {draws}: {m}")))?;
    let mut opts = RunOptions::new(draws, seed.unwrap_or(s.simulation.seed));
    opts.threads = threads.map(|t| t as usize);
    Ok(opts)
}

pub fn out_dir(s: &Scenario, out: Option<PathBuf>) -> PathBuf {
    out.unwrap_or_else(|| PathBuf::from("output").join(&s.name))
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let s = scenario::load(&args.scenario)?;
    let opts = options(&s, args.draws, args.seed, args.threads)?;
    let dir = out_dir(&s, args.out);
    if s.horizon.is_some() {
        return super::run_years::execute(&s, &opts, dir, args.quiet);
    }
    targetsim::engine::check_memory(opts.draws, s.indicators.len())?;
    targetsim::output::prepare_dir(&dir)?;
    let mut summary = targetsim::run(&s, &opts)?;
    let model = targetsim::model::Model::compile(&s);
    summary.sensitivity = Some(targetsim::sensitivity::run(&s, &model, &opts)?);
    let exports: [&dyn Export; 3] = [&json::Json, &csv::IndicatorsCsv, &csv::TargetsCsv];
    let mut written = Vec::new();
    for e in exports {
        written.push(targetsim::output::write_atomic(
            &dir,
            e.file_name(),
            &e.render(&summary),
        )?);
    }
    if let Some(sens) = &summary.sensitivity {
        let svg = targetsim::render::tornado::svg_all(&s, sens);
        written.push(targetsim::output::write_atomic(
            &dir,
            "tornado.svg",
            svg.as_bytes(),
        )?);
    }
    if !args.quiet {
        print!("{}", table::render(&s, &summary));
        println!();
        for p in &written {
            println!("wrote {}", p.display());
        }
    }
    Ok(())
}
