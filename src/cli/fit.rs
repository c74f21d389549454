//! `targetsim fit`: driver distributions and correlations from a history file.

use super::Failure;
use super::console::{out, outln};
use std::path::PathBuf;
use targetsim::fit::{self, FitOptions, FragmentDist};
use targetsim::history::{self, History};

/// Fit the growth rates of historical series: normal and split normal per
/// series, Ledoit-Wolf shrunk correlations, written as a scenario fragment.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  targetsim fit ../shared/data/us_consumption_1950_1993.csv --series income,expenditure\n  targetsim fit history.csv --series gdp,fai --years 2005..2024 --out drivers.toml\n  targetsim fit history.xlsx --sheet 历年数据 --series gdp\n\nThe history file (CSV, or a workbook's first sheet or --sheet NAME) has a `year`\ncolumn and one column of levels per series, one row per year without gaps. Growth of year t = level[t] / level[t-1] - 1. The fragment\ncan be included from a scenario with `include = [\"drivers.toml\"]`."
)]
pub struct Args {
    /// CSV or .xlsx file: `year`, then one column of levels per series.
    pub history: PathBuf,
    /// The workbook's sheet holding the history [default: the first sheet].
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Columns to fit, separated by commas.
    #[arg(long, value_delimiter = ',', required = true)]
    pub series: Vec<String>,
    /// Levels of years FROM..TO (inclusive) [default: the whole file].
    #[arg(long, value_name = "FROM..TO")]
    pub years: Option<String>,
    /// Write the scenario fragment to this file [default: print it].
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// The distribution the fragment gives each driver.
    #[arg(long, value_enum, default_value = "split-normal")]
    pub dist: Dist,
    /// How the split normal is estimated: moments (mean, variance, third
    /// moment) or ml (maximum likelihood; needs long series).
    #[arg(long, value_enum, default_value = "moments")]
    pub split_method: SplitMethodArg,
}

#[derive(clap::ValueEnum, Clone, Copy)]
pub enum SplitMethodArg {
    Moments,
    Ml,
}

#[derive(clap::ValueEnum, Clone, Copy)]
pub enum Dist {
    SplitNormal,
    Normal,
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let years = match &args.years {
        None => None,
        Some(t) => Some(history::parse_years(t).ok_or_else(|| {
            Failure::Usage(format!(
                "error: --years {t}: expected FROM..TO, e.g. 1950..1993"
            ))
        })?),
    };
    let usage = |e: &dyn std::fmt::Display| Failure::Usage(format!("error: {e}"));
    let h = History::open(&args.history, args.sheet.as_deref()).map_err(|e| usage(&e))?;
    let opts = FitOptions {
        series: args
            .series
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        years,
        split_method: match args.split_method {
            SplitMethodArg::Moments => fit::SplitMethod::Moments,
            SplitMethodArg::Ml => fit::SplitMethod::MaximumLikelihood,
        },
    };
    let f = fit::fit(&h, &opts).map_err(|e| usage(&e))?;
    let fragment = f.fragment(match args.dist {
        Dist::SplitNormal => FragmentDist::SplitNormal,
        Dist::Normal => FragmentDist::Normal,
    });
    // The fragment is written before anything is printed, so a reader that
    // closes the pipe early does not cost the file.
    let written = match &args.out {
        Some(path) => {
            targetsim::input::file::refuse_overwrite([path], [&args.history])?;
            if path.file_name().and_then(|n| n.to_str()).is_none() {
                return Err(Failure::Usage(format!(
                    "error: --out {}: not a file name",
                    path.display()
                )));
            }
            Some(targetsim::output::write_file(
                path,
                fragment.as_bytes(),
                &[&args.history],
            )?)
        }
        None => None,
    };
    out!("{}", f.table())?;
    match written {
        Some(path) => outln!("\nwrote {}", path.display())?,
        None => {
            outln!("\nScenario fragment (save with --out FILE):\n")?;
            out!("{fragment}")?;
        }
    }
    Ok(())
}
