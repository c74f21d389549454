//! `targetsim backtest`: how each projection method would have done, year
//! by year, and (with `--targets`) how past targets compared with outcomes.

use super::Failure;
use super::console::{out, outln};
use std::path::PathBuf;
use targetsim::backtest::{self, BacktestOptions, SimDist, report, targets};
use targetsim::history::History;
use targetsim::render::{backtest_chart, raster};

/// Backtest one-year-ahead projections of a growth series (naive, mean,
/// ar1, sim), or judge past targets against outcomes with --targets.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  targetsim backtest ../shared/data/us_consumption_1950_1993.csv --series income\n  targetsim backtest history.csv --series gdp --from 2010 --level 0.9 --out output/bt\n  targetsim backtest history.xlsx --sheet 历年数据 --series gdp\n  targetsim backtest --targets ../shared/data/china_gdp_targets.csv --from 2005\n\nWrites backtest.json, forecasts.svg and pit.svg (each chart with a PNG copy)\nto the output directory (default output/backtest-<series>, or\noutput/targets-<file name> with --targets)."
)]
pub struct Args {
    /// CSV or .xlsx file: `year`, then one column of levels per series.
    #[arg(required_unless_present = "targets", conflicts_with = "targets")]
    pub history: Option<PathBuf>,
    /// The workbook's sheet holding the history [default: the first sheet].
    #[arg(long, value_name = "NAME", conflicts_with = "targets")]
    pub sheet: Option<String>,
    /// The column whose growth rate is forecast.
    #[arg(long, required_unless_present = "targets", conflicts_with = "targets")]
    pub series: Option<String>,
    /// A file of past targets and outcomes (year, target_pct, target_form, actual_pct, target_hi, first_release_pct).
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// First forecast year [default: the year with 10 growth rates before it; at least 5].
    #[arg(long)]
    pub from: Option<i32>,
    /// Central interval level.
    #[arg(long, default_value_t = 0.8)]
    pub level: f64,
    /// Output directory.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Draws per forecast for the `sim` method.
    #[arg(long, short = 'n', default_value_t = 10_000)]
    pub draws: u64,
    /// Seed of the `sim` method's random streams.
    #[arg(long, short = 's', default_value_t = 1)]
    pub seed: u64,
    /// The distribution `sim` fits to the past growth rates.
    #[arg(long, value_enum, default_value = "split-normal")]
    pub sim_dist: Dist,
    /// With --targets: judge by the latest figures or the first release.
    #[arg(long, value_enum, default_value = "final")]
    pub outcome: Outcome,
    /// With --targets: an "about x" target counts as met at x minus this many points.
    #[arg(long, default_value_t = 0.0)]
    pub about_tolerance: f64,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Language of the charts: zh (中文) or en.
    #[arg(long, value_name = "zh|en", default_value = "zh")]
    pub lang: targetsim::render::lang::Lang,
}

#[derive(clap::ValueEnum, Clone, Copy)]
pub enum Dist {
    SplitNormal,
    Normal,
}

#[derive(clap::ValueEnum, Clone, Copy)]
pub enum Outcome {
    Final,
    FirstRelease,
}

/// The files a backtest writes, in its output directory.
const OUTPUTS: [&str; 5] = [
    "backtest.json",
    "forecasts.svg",
    "forecasts.png",
    "pit.svg",
    "pit.png",
];

fn usage(e: &dyn std::fmt::Display) -> Failure {
    Failure::Usage(format!("error: {e}"))
}

pub fn execute(args: Args) -> Result<(), Failure> {
    // The same bounds as `run --draws`, before anything is allocated: a
    // count that cannot be held is refused with the most that fits. `sim`
    // holds one forecast's draws and the sort's scratch at a time.
    let draws = targetsim::scenario::check_draws(args.draws)
        .map_err(|m| Failure::Usage(format!("error: --draws {}: {m}", args.draws)))?;
    targetsim::engine::need::backtest(backtest::SIM_COLUMNS).check(draws)?;
    let draws = usize::try_from(draws).map_err(|_| {
        Failure::Usage(format!(
            "error: --draws {draws}: more than this machine can address"
        ))
    })?;
    let opts = BacktestOptions {
        from: args.from,
        level: args.level,
        draws,
        seed: args.seed,
        sim_dist: match args.sim_dist {
            Dist::SplitNormal => SimDist::SplitNormal,
            Dist::Normal => SimDist::Normal,
        },
    };
    backtest::check_options(&opts).map_err(|e| usage(&e))?;
    if !(args.about_tolerance >= 0.0 && args.about_tolerance < 100.0) {
        return Err(Failure::Usage(format!(
            "error: --about-tolerance {}: give percentage points, 0 or more (e.g. 0.5)",
            args.about_tolerance
        )));
    }
    let stem = |p: &PathBuf| {
        p.file_stem()
            .map_or("data".into(), |s| s.to_string_lossy().into_owned())
    };
    let (file, growth, targets_report, dir) = match (&args.targets, &args.history, &args.series) {
        (Some(t), _, _) => {
            let rows = targets::load(t).map_err(|e| usage(&e))?;
            let outcome = match args.outcome {
                Outcome::Final => targets::Outcome::Final,
                Outcome::FirstRelease => targets::Outcome::FirstRelease,
            };
            let growth = targets::growth(t, &rows, outcome).map_err(|e| usage(&e))?;
            let report = targets::evaluate(&rows, &growth, outcome, args.about_tolerance, &opts)
                .map_err(|e| usage(&e))?;
            let dir = args
                .out
                .clone()
                .unwrap_or_else(|| PathBuf::from("output").join(format!("targets-{}", stem(t))));
            (t.clone(), growth, Some(report), dir)
        }
        (None, Some(h), Some(series)) => {
            let history = History::open(h, args.sheet.as_deref()).map_err(|e| usage(&e))?;
            let growth = history.growth(series, None).map_err(|e| usage(&e))?;
            let dir = args
                .out
                .clone()
                .unwrap_or_else(|| PathBuf::from("output").join(format!("backtest-{series}")));
            (h.clone(), growth, None, dir)
        }
        _ => {
            return Err(Failure::Usage(
                "error: give a history file and --series, or --targets FILE".into(),
            ));
        }
    };
    backtest::first_index(&growth, opts.from).map_err(|e| usage(&e))?;
    targetsim::input::file::refuse_overwrite(OUTPUTS.iter().map(|name| dir.join(name)), [&file])?;
    let out = targetsim::output::Staging::begin(&targetsim::output::BACKTEST, &dir, &[&file])?;
    let b = backtest::run(&growth, &opts).map_err(|e| usage(&e))?;
    let file_text = file.display().to_string();
    let forecasts = backtest_chart::forecasts_svg(&b, args.lang);
    let pit = backtest_chart::pit_svg(&b, args.lang);
    // PNG copies, drawn before anything is written.
    let png = |svg: &[u8]| {
        std::str::from_utf8(svg)
            .map_err(|e| e.to_string())
            .and_then(|svg| raster::png(svg).map_err(|e| e.to_string()))
            .map_err(|e| Failure::Run(format!("error: {e}")))
    };
    let (forecasts_png, pit_png) = (png(&forecasts)?, png(&pit)?);
    let [
        json_name,
        forecasts_svg,
        forecasts_png_name,
        pit_svg,
        pit_png_name,
    ] = OUTPUTS;
    let outputs: [(&str, Vec<u8>); 5] = [
        (
            json_name,
            report::json(&b, &file_text, targets_report.as_ref()),
        ),
        (forecasts_svg, forecasts),
        (forecasts_png_name, forecasts_png),
        (pit_svg, pit),
        (pit_png_name, pit_png),
    ];
    let mut written = Vec::new();
    for (name, bytes) in &outputs {
        written.push(out.write(name, bytes)?);
    }
    out.commit()?;
    if !args.quiet {
        out!("{}", report::table(&b, &file_text))?;
        if let Some(r) = &targets_report {
            outln!()?;
            out!("{}", report::targets_table(r))?;
        }
        outln!()?;
        for p in &written {
            outln!("wrote {}", p.display())?;
        }
    }
    Ok(())
}
