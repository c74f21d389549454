//! `targetsim run`: simulate a scenario, print the table, write the results.

use super::Failure;
use super::console::{out, outln};
use super::progress::Progress;
use super::status;
use std::borrow::Cow;
use std::path::PathBuf;
use targetsim::RunOptions;
use targetsim::engine::{self, Streamed};
use targetsim::error::RunError;
use targetsim::model::years::YearModel;
use targetsim::output::{self, Staging};
use targetsim::render::{chart, csv, fan, html, json, raster, sheets, table, tornado};
use targetsim::scenario::{self, Scenario};
use targetsim::sensitivity::Sensitivity;
use targetsim::shard::{self, Shard};
use targetsim::summary::{self, ScenarioInfo};

/// Simulate a scenario: each indicator's distribution, each target's
/// probability, each target set's joint probability.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  targetsim run scenarios/seed-district.toml\n  targetsim run scenarios/seed-district.toml --draws 1000000 --seed 7 --out output/try\n\nWrites to the output directory (default output/<scenario name>/): summary.json,\nindicators.csv, targets.csv, results.xlsx (a formatted workbook), tornado.svg and .png (what decides a miss),\ncharts/ (SVG and PNG) and report.html. The same scenario and seed give\nbyte-identical files for any --threads."
)]
pub struct Args {
    /// The scenario file (TOML, or JSON with a .json extension).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub sim: Simulate,
    #[command(flatten)]
    pub writes: Writes,
    /// Simulate only the K-th of N equal ranges of blocks and write
    /// DIR/shard-K-of-N.tsim, for `targetsim merge` (e.g. --shard 2/8).
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Run the scenario's variant NAME ([variants.NAME]) instead of its base;
    /// the default output directory is then output/<scenario name>-<NAME>.
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Draws for a stated precision: from 65,536 draws, doubling, until every
    /// target's and set's standard error is at most E (e.g. 0.001)
    /// [default: the scenario's [simulation] precision, if any].
    #[arg(long, value_name = "E", conflicts_with = "draws")]
    pub precision: Option<f64>,
}

/// The scenario file, or its variant `name` when one is asked for.
pub fn load(path: &std::path::Path, variant: Option<&str>) -> Result<Scenario, Failure> {
    let s = scenario::load(path)?;
    Ok(match variant {
        Some(name) => s.into_variant(name)?,
        None => s,
    })
}

/// `K/N` with 1 <= K <= N <= 1,000,000.
fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("`{text}` is not K/N with 1 <= K <= N (for example 2/8)");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || k > n || n > 1_000_000 {
        return Err(bad());
    }
    Ok((k, n))
}

/// What `run` writes besides the tables (its `--quiet`, `--no-charts` and
/// `--no-report`).
#[derive(Debug, Clone, Copy)]
pub struct Outputs {
    pub quiet: bool,
    /// `--lang`, overriding the scenario's `[report] lang`.
    pub lang: Option<targetsim::render::lang::Lang>,
    pub charts: bool,
    pub report: bool,
}

/// The options of the commands that write `run`'s results (`run`, `merge`).
#[derive(clap::Args)]
pub struct Writes {
    /// Print nothing but errors (no table, no progress bar).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Do not write charts/ (report.html still shows the charts).
    #[arg(long)]
    pub no_charts: bool,
    /// Do not write report.html.
    #[arg(long)]
    pub no_report: bool,
    /// Language of report.html and the printed tables: zh (中文) or en
    /// [default: the scenario's [report] lang, else zh].
    #[arg(long, value_name = "zh|en")]
    pub lang: Option<targetsim::render::lang::Lang>,
}

impl Writes {
    pub fn outputs(&self) -> Outputs {
        Outputs {
            quiet: self.quiet,
            lang: self.lang,
            charts: !self.no_charts,
            report: !self.no_report,
        }
    }
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

    /// `--out`, else `output/<scenario name>` (`-<variant>` for a variant).
    pub fn out_dir(&self, s: &Scenario) -> PathBuf {
        self.out.clone().unwrap_or_else(|| default_out_dir(s))
    }
}

/// `output/<scenario name>`, or `output/<scenario name>-<variant>`.
pub fn default_out_dir(s: &Scenario) -> PathBuf {
    match &s.variant {
        Some(v) => PathBuf::from("output").join(format!("{}-{v}", s.name)),
        None => PathBuf::from("output").join(&s.name),
    }
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let s = load(&args.scenario, args.variant.as_deref())?;
    let mut opts = args.sim.options(&s)?;
    let dir = args.sim.out_dir(&s);
    let out = args.writes.outputs();
    // The language of the status lines, as of the tables.
    let lang = s.report.settings(out.lang).lang;
    let model = YearModel::of(&s);
    let precision = match (args.precision, args.sim.draws) {
        (Some(e), _) => Some(
            engine::precision::check(e)
                .map_err(|m| Failure::Usage(format!("error: --precision {e}: {m}")))?,
        ),
        (None, None) => s.simulation.precision,
        (None, Some(_)) => None,
    };
    if let Some(e) = precision {
        opts.draws = engine::precision::draws_for(&model, opts.seed, e, opts.threads, None)?;
        if !out.quiet {
            outln!("{}", status::precision(lang, e, opts.draws))?;
        }
    }
    engine::check_stream(&model, &opts)?;
    let progress = Progress::in_lang(opts.draws, out.quiet, lang);
    let count = |n: u64| progress.inc(n);
    let mut counted: RunOptions<'_> = opts;
    counted.progress = Some(&count);
    if let Some((k, n)) = args.shard {
        // Shards of one run may be written into one folder at once (a job
        // array): each is one file, written whole or not at all.
        let target = dir.join(shard::file_name(k, n));
        std::fs::create_dir_all(&dir).map_err(|e| {
            Failure::Usage(format!(
                "error: {}: cannot create the output directory: {e}\n  hint: choose another directory with --out",
                dir.display()
            ))
        })?;
        counted.shard = Some((k, n));
        let run = engine::stream(&s, &model, &counted)?;
        let shard = Shard::new(ScenarioInfo::of(&s), opts.seed, opts.draws, k, n, run.tally);
        let path = output::write_file(&target, &shard.to_bytes(), &s.input_paths())?;
        progress.finish();
        if !out.quiet {
            outln!("{}", status::wrote(lang, &path))?;
        }
        return Ok(());
    }
    // Every refusal of the output folder comes before the simulation.
    let staging = Staging::begin(&output::RUN, &dir, &s.input_paths())?;
    // The rounded recommendations' candidates ride along with the run so
    // their probabilities are counted, not interpolated (briefing::probe).
    let confidence = s.report.settings(out.lang).confidence;
    let mut probes = targetsim::briefing::probe::Probes::default();
    let more = |pilot: &targetsim::summary::tally::Pilot| {
        probes = targetsim::briefing::probe::of_pilot(&s, &model, pilot, confidence);
        probes.sets(&model)
    };
    // A one-year run's sensitivity analysis reads only the pilot: it runs
    // beside the blocks (a plan's simulates its draws again, afterwards).
    let one_year = s.horizon.is_none();
    let (run, sensitivity) = engine::stream_extended(&s, &model, &counted, more, |pilot| {
        one_year.then(|| targetsim::sensitivity::of_pilot(&s, &opts, pilot))
    })?;
    let sensitivity = sensitivity.transpose()?;
    opts.progress = None;
    let beside = Beside {
        probes: Some(probes),
        sensitivity,
    };
    finish(&s, &opts, staging, out, &run, beside, &progress)
}

/// What a run made beside its blocks, for [`finish`]; a merge of shards
/// has neither (`Beside::default()`).
#[derive(Default)]
pub struct Beside {
    /// The recommendations' candidate thresholds, counted during the run.
    pub probes: Option<targetsim::briefing::probe::Probes>,
    /// The sensitivity analysis, when it was made from the pilot during the run.
    pub sensitivity: Option<Sensitivity>,
}

/// Summarise a streamed run (simulated here, or merged from shards), one-year
/// or plan, and write and print its results. `sensitivity` is the analysis
/// when it was already made beside the run (see [`execute`]).
pub fn finish(
    s: &Scenario,
    opts: &RunOptions,
    staging: Staging,
    out: Outputs,
    run: &Streamed,
    beside: Beside,
    progress: &Progress,
) -> Result<(), Failure> {
    let Beside {
        probes,
        sensitivity,
    } = beside;
    let mut summary = summary::summarise(s, run);
    summary.probes = probes.map(|p| p.read(run)).unwrap_or_default();
    let settings = s.report.settings(out.lang);
    let plan = summary.is_plan();
    progress.step(status::sensitivity(settings.lang));
    // A one-year run's pilot kept its first draws, the ones sensitivity
    // analyses; a plan's are simulated again.
    summary.sensitivity = Some(match sensitivity {
        Some(sens) => sens,
        None => targetsim::sensitivity::of_pilot(s, opts, &run.pilot)?,
    });
    progress.step(status::drawing(settings.lang));
    let briefing = targetsim::briefing::build(s, &summary, &settings);
    let summary = &summary;
    let drawn = out.charts || out.report;
    let dir = staging.dir().to_path_buf();
    // A one-year run draws distributions, target sets and ranges; a plan
    // draws a fan chart per indicator.
    let draw_charts = || -> Result<Vec<chart::Chart>, Failure> {
        if !drawn {
            return Ok(Vec::new());
        }
        let mut charts = chart::ladder::render_all(&briefing.sets, &settings, out.charts)
            .map_err(|e| Failure::Run(format!("error: {e}")))?;
        // A plan draws fans in place of the one-year charts.
        if plan {
            return Ok(charts);
        }
        charts.extend(
            chart::render_all(summary, &settings, out.charts)
                .map_err(|e| Failure::Run(format!("error: {e}")))?,
        );
        Ok(charts)
    };
    let draw_fans = || -> Result<Vec<fan::Drawn>, Failure> {
        if !drawn || !plan {
            return Ok(Vec::new());
        }
        fan::render_all(s, summary, &settings, out.charts)
            .map_err(|e| Failure::Run(format!("error: {e}")))
    };
    // The tornado panels, then the pipeline chart, each as one SVG file and
    // its PNG copy.
    let draw_extras = || -> Result<Vec<(String, String, Vec<u8>)>, Failure> {
        let mut drawn = Vec::new();
        if !out.charts {
            return Ok(drawn);
        }
        if let Some(sens) = summary.sensitivity.as_ref() {
            // A plan's columns and drivers are named as in its view (`gdp@2030`).
            let svg = tornado::svg_all(&targetsim::plan_view::view(s).scenario, sens, &settings);
            let png = raster::png(&svg).map_err(|e| Failure::Run(format!("error: {e}")))?;
            drawn.push(("tornado".to_string(), svg, png));
        }
        if let Some(svg) = summary
            .pipeline
            .as_ref()
            .and_then(|p| targetsim::render::pipeline_chart::svg(s, p, settings.lang))
        {
            let png = raster::png(&svg).map_err(|e| Failure::Run(format!("error: {e}")))?;
            let stem = targetsim::render::pipeline_chart::STEM;
            drawn.push((stem.to_string(), svg, png));
        }
        Ok(drawn)
    };
    // The tables: summary.json, the CSV files, results.xlsx.
    let tables = || -> Result<Vec<(String, Vec<u8>)>, Failure> {
        let mut files = vec![("summary.json".to_string(), json::to_pretty_bytes(summary))];
        for (name, bytes) in csv::files(summary) {
            files.push((name.to_string(), bytes));
        }
        let xlsx = sheets::results_xlsx(summary).map_err(xlsx_failure)?;
        files.push(("results.xlsx".to_string(), xlsx));
        Ok(files)
    };
    // The drawing and the tables run at once, each file is written (and
    // flushed to disk, most of the time of writing) on a thread of its own
    // as soon as it is made, so the flushes overlap each other and the
    // work. Nothing is in place before the commit, so a failure still
    // leaves the previous results. Files and bytes do not depend on the
    // order the threads finish in; the list printed is in a fixed order.
    // The charts outlive the writing threads, which borrow them.
    let pictures = std::sync::OnceLock::new();
    let (written, report) = std::thread::scope(|sc| {
        let write = |name: String, bytes| write_on_thread(sc, &staging, name, bytes);
        let (drawn, tables) = rayon::join(
            || {
                let ((charts, fans), extras) =
                    rayon::join(|| (draw_charts(), draw_fans()), draw_extras);
                Ok::<_, Failure>((charts?, fans?, extras?))
            },
            || -> Result<_, Failure> {
                Ok(tables()?
                    .into_iter()
                    .map(|(name, bytes)| write(name, Cow::Owned(bytes)))
                    .collect::<Vec<_>>())
            },
        );
        let (charts, fans, extras) = drawn?;
        let mut listed = tables?;
        for (stem, svg, png) in extras {
            listed.push(write(format!("{stem}.svg"), Cow::Owned(svg.into_bytes())));
            listed.push(write(format!("{stem}.png"), Cow::Owned(png)));
        }
        let (charts, fans) = pictures.get_or_init(|| (charts, fans));
        let mut unlisted = Vec::new();
        if out.charts {
            let files = charts
                .iter()
                .map(|c| (&c.stem, &c.svg, &c.png))
                .chain(fans.iter().map(|f| (&f.stem, &f.svg, &f.png)));
            for (stem, svg, png) in files {
                let name = |ext: &str| format!("{}/{stem}.{ext}", chart::DIR);
                unlisted.push(write(name("svg"), Cow::Borrowed(svg.as_bytes())));
                unlisted.push(write(name("png"), Cow::Borrowed(png)));
            }
        }
        let report = out.report.then(|| {
            // The target ladders, when the chart module draws them (`charts/ladder-<set>.svg`).
            let ladders: Vec<(String, String)> = charts
                .iter()
                .filter_map(|c| {
                    let set = c.stem.strip_prefix("ladder-")?;
                    Some((set.to_string(), c.svg.clone()))
                })
                .collect();
            let page =
                html::report_briefed(s, summary, &briefing, charts, fans, &ladders).to_html();
            write(html::FILE.to_string(), Cow::Owned(page.into_bytes()))
        });
        // Every thread is joined before the first failure (in the list's
        // order) is returned; a panic goes on as it would have.
        let join = |h: std::thread::ScopedJoinHandle<'_, Result<PathBuf, RunError>>| {
            h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
        };
        let listed: Vec<_> = listed.into_iter().map(join).collect();
        let unlisted: Vec<_> = unlisted.into_iter().map(join).collect();
        let report = report.map(join);
        let written = listed.into_iter().collect::<Result<Vec<PathBuf>, _>>()?;
        unlisted.into_iter().collect::<Result<Vec<PathBuf>, _>>()?;
        Ok::<_, Failure>((written, report.transpose()?))
    })?;
    let (charts, fans) = pictures.into_inner().unwrap_or_default();
    staging.commit()?;
    progress.finish();
    if !out.quiet {
        // The answer first, then the tables it rests on.
        out!("{}", targetsim::render::headline::text(&briefing))?;
        outln!()?;
        out!("{}", table::render(s, summary, briefing.settings.lang))?;
        outln!()?;
        // The status lines in the tables' language.
        let lang = settings.lang;
        for p in &written {
            outln!("{}", status::wrote(lang, p))?;
        }
        let charts_dir = dir.join(chart::DIR);
        if out.charts && !charts.is_empty() {
            outln!("{}", status::charts(lang, charts.len(), false, &charts_dir))?;
        }
        if out.charts && plan {
            outln!("{}", status::charts(lang, fans.len(), true, &charts_dir))?;
        }
        if let Some(p) = report {
            outln!("{}", status::report(lang, &p))?;
        }
    }
    Ok(())
}

/// Stage one result on a thread of its own (see [`finish`]).
fn write_on_thread<'scope, 'env>(
    sc: &'scope std::thread::Scope<'scope, 'env>,
    staging: &'env Staging,
    name: String,
    bytes: Cow<'env, [u8]>,
) -> std::thread::ScopedJoinHandle<'scope, Result<PathBuf, RunError>> {
    sc.spawn(move || staging.write(&name, &bytes))
}

/// A workbook that could not be made (rust_xlsxwriter refused a value).
pub fn xlsx_failure(e: rust_xlsxwriter::XlsxError) -> Failure {
    Failure::Run(format!("error: cannot write the workbook: {e}"))
}
