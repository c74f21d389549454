//! `targetsim run`: simulate a scenario, print the table, write the results.

use super::Failure;
use std::path::PathBuf;
use targetsim::RunOptions;
use targetsim::render::{Export, chart, csv, html, json, raster, table, tornado};
use targetsim::scenario::{self, Scenario};

/// Simulate a scenario: each indicator's distribution, each target's
/// probability, each target set's joint probability.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  targetsim run scenarios/seed-district.toml\n  targetsim run scenarios/seed-district.toml --draws 1000000 --seed 7 --out output/try\n\nWrites to the output directory (default output/<scenario name>/): summary.json,\nindicators.csv, targets.csv, tornado.svg and .png (what decides a miss),\ncharts/ (SVG and PNG) and report.html. The same scenario and seed give\nbyte-identical files for any --threads."
)]
pub struct Args {
    /// The scenario file (TOML, or JSON with a .json extension).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub sim: Simulate,
    /// Print nothing but errors (no table, no progress bar).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Do not write charts/ (report.html still shows the charts).
    #[arg(long)]
    pub no_charts: bool,
    /// Do not write report.html.
    #[arg(long)]
    pub no_report: bool,
}

/// The options every command that simulates takes.
#[derive(clap::Args)]
pub struct Simulate {
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
}

impl Simulate {
    /// The library's run options: the scenario's draws and seed unless
    /// overridden.
    pub fn options(&self, s: &Scenario) -> Result<RunOptions<'static>, Failure> {
        let draws = self.draws.unwrap_or(s.simulation.draws);
        let draws = scenario::check_draws(draws)
            .map_err(|m| Failure::Usage(format!("error: --draws {draws}: {m}")))?;
        let mut opts = RunOptions::new(draws, self.seed.unwrap_or(s.simulation.seed));
        opts.threads = self.threads.map(|t| t as usize);
        Ok(opts)
    }

    /// `--out`, else `output/<scenario name>`.
    pub fn out_dir(&self, s: &Scenario) -> PathBuf {
        self.out
            .clone()
            .unwrap_or_else(|| PathBuf::from("output").join(&s.name))
    }
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let s = scenario::load(&args.scenario)?;
    let opts = args.sim.options(&s)?;
    let dir = args.sim.out_dir(&s);
    if s.horizon.is_some() {
        let out = super::run_years::Outputs {
            quiet: args.quiet,
            charts: !args.no_charts,
            report: !args.no_report,
        };
        return super::run_years::execute(&s, &opts, dir, out);
    }
    targetsim::engine::check_memory(opts.draws, s.indicators.len())?;
    let out = targetsim::output::Staging::begin(&targetsim::output::RUN, &dir, &[&s.file])?;
    let progress = super::progress::Progress::new(opts.draws, args.quiet);
    let count = |n: u64| progress.inc(n);
    let mut counted: RunOptions<'_> = opts;
    counted.progress = Some(&count);
    let summary = targetsim::run(&s, &counted);
    progress.step("sensitivity: what decides a miss");
    let mut summary = summary?;
    let model = targetsim::model::Model::compile(&s);
    summary.sensitivity = Some(targetsim::sensitivity::run(&s, &model, &opts)?);
    progress.step("drawing charts, writing the report");
    // Everything is drawn before anything is written, so a failure leaves
    // the previous results in place.
    let draw_charts = || {
        if args.no_charts && args.no_report {
            Ok(Vec::new())
        } else {
            chart::render_all(&summary, !args.no_charts)
                .map_err(|e| Failure::Run(format!("error: {e}")))
        }
    };
    // The tornado panels as one SVG file and its PNG copy.
    let draw_tornado = || -> Result<Option<(String, Vec<u8>)>, Failure> {
        match summary.sensitivity.as_ref().filter(|_| !args.no_charts) {
            Some(sens) => {
                let svg = tornado::svg_all(&s, sens);
                let png = raster::png(&svg).map_err(|e| Failure::Run(format!("error: {e}")))?;
                Ok(Some((svg, png)))
            }
            None => Ok(None),
        }
    };
    let (charts, tornado) = rayon::join(draw_charts, draw_tornado);
    let (charts, tornado) = (charts?, tornado?);
    let page = (!args.no_report).then(|| html::standard(&s, &summary, &charts).to_html());
    let exports: [&dyn Export; 3] = [&json::Json, &csv::IndicatorsCsv, &csv::TargetsCsv];
    let mut written = Vec::new();
    for e in exports {
        written.push(out.write(e.file_name(), &e.render(&summary))?);
    }
    if let Some((svg, png)) = &tornado {
        written.push(out.write("tornado.svg", svg.as_bytes())?);
        written.push(out.write("tornado.png", png)?);
    }
    let chart_files = if args.no_charts {
        Vec::new()
    } else {
        chart::write_all(&out, &charts)?
    };
    let report = match page {
        Some(page) => Some(out.write(html::FILE, page.as_bytes())?),
        None => None,
    };
    out.commit()?;
    progress.finish();
    if !args.quiet {
        print!("{}", table::render(&s, &summary));
        println!();
        for p in &written {
            println!("wrote {}", p.display());
        }
        if !chart_files.is_empty() {
            println!(
                "wrote {} charts (SVG and PNG) to {}",
                charts.len(),
                dir.join(chart::DIR).display()
            );
        }
        if let Some(p) = report {
            println!("report: {}", p.display());
        }
    }
    Ok(())
}
