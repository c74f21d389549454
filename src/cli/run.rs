//! `targetsim run`: simulate a scenario, print the table, write the results.

use super::Failure;
use super::console::{out, outln};
use super::progress::Progress;
use std::path::PathBuf;
use targetsim::RunOptions;
use targetsim::engine::{self, Streamed};
use targetsim::model::years::YearModel;
use targetsim::output::{self, Staging};
use targetsim::render::{chart, csv, fan, html, json, raster, sheets, table, tornado};
use targetsim::scenario::{self, Scenario};
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
}

impl Writes {
    pub fn outputs(&self) -> Outputs {
        Outputs {
            quiet: self.quiet,
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
            outln!(
                "precision {e}: {} draws (the first checkpoint, from 65,536 doubling, where every standard error is at most {e})",
                table::thousands(opts.draws)
            )?;
        }
    }
    engine::check_stream(&model, &opts)?;
    let progress = Progress::new(opts.draws, out.quiet);
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
            outln!("wrote {}", path.display())?;
        }
        return Ok(());
    }
    // Every refusal of the output folder comes before the simulation.
    let staging = Staging::begin(&output::RUN, &dir, &s.input_paths())?;
    let run = engine::stream(&s, &model, &counted)?;
    opts.progress = None;
    finish(&s, &opts, staging, out, &run, &progress)
}

/// Summarise a streamed run (simulated here, or merged from shards), one-year
/// or plan, and write and print its results.
pub fn finish(
    s: &Scenario,
    opts: &RunOptions,
    staging: Staging,
    out: Outputs,
    run: &Streamed,
    progress: &Progress,
) -> Result<(), Failure> {
    let mut summary = summary::summarise(s, run);
    let plan = summary.is_plan();
    progress.step("sensitivity: what decides a miss");
    // A one-year run's pilot kept its first draws, the ones sensitivity
    // analyses; a plan's are simulated again.
    summary.sensitivity = Some(targetsim::sensitivity::of_pilot(s, opts, &run.pilot)?);
    progress.step("drawing charts, writing the report");
    let drawn = out.charts || out.report;
    let dir = staging.dir().to_path_buf();
    // Everything is drawn before anything is written, so a failure leaves
    // the previous results in place. A one-year run draws distributions,
    // target sets and ranges; a plan draws a fan chart per indicator.
    let draw_charts = || -> Result<Vec<chart::Chart>, Failure> {
        if !drawn {
            return Ok(Vec::new());
        }
        let settings = targetsim::briefing::Settings::default();
        let mut charts = chart::ladder::render_all(
            &provisional_briefing(s, &summary, &settings),
            &settings,
            out.charts,
        )
        .map_err(|e| Failure::Run(format!("error: {e}")))?;
        // A plan draws fans in place of the one-year charts.
        if plan {
            return Ok(charts);
        }
        charts.extend(
            chart::render_all(&summary, &settings, out.charts)
                .map_err(|e| Failure::Run(format!("error: {e}")))?,
        );
        Ok(charts)
    };
    let draw_fans = || -> Result<Vec<fan::Drawn>, Failure> {
        if !drawn || !plan {
            return Ok(Vec::new());
        }
        let settings = targetsim::briefing::Settings::default();
        fan::render_all(s, &summary, &settings, out.charts)
            .map_err(|e| Failure::Run(format!("error: {e}")))
    };
    // The tornado panels as one SVG file and its PNG copy.
    let draw_tornado = || -> Result<Option<(String, Vec<u8>)>, Failure> {
        match summary.sensitivity.as_ref().filter(|_| out.charts) {
            Some(sens) => {
                // A plan's columns and drivers are named as in its view (`gdp@2030`).
                let svg = tornado::svg_all(
                    &targetsim::plan_view::view(s).scenario,
                    sens,
                    &targetsim::briefing::Settings::default(),
                );
                let png = raster::png(&svg).map_err(|e| Failure::Run(format!("error: {e}")))?;
                Ok(Some((svg, png)))
            }
            None => Ok(None),
        }
    };
    let ((charts, fans), tornado) = rayon::join(|| (draw_charts(), draw_fans()), draw_tornado);
    let (charts, fans, tornado) = (charts?, fans?, tornado?);
    let page = out
        .report
        .then(|| html::report(s, &summary, &charts, &fans).to_html());
    let mut written = vec![staging.write("summary.json", &json::to_pretty_bytes(&summary))?];
    for (name, bytes) in csv::files(&summary) {
        written.push(staging.write(name, &bytes)?);
    }
    written.push(staging.write(
        "results.xlsx",
        &sheets::results_xlsx(&summary).map_err(xlsx_failure)?,
    )?);
    if let Some((svg, png)) = &tornado {
        written.push(staging.write("tornado.svg", svg.as_bytes())?);
        written.push(staging.write("tornado.png", png)?);
    }
    if out.charts
        && let Some(svg) = summary
            .pipeline
            .as_ref()
            .and_then(|p| targetsim::render::pipeline_chart::svg(s, p))
    {
        let png = raster::png(&svg).map_err(|e| Failure::Run(format!("error: {e}")))?;
        let stem = targetsim::render::pipeline_chart::STEM;
        written.push(staging.write(&format!("{stem}.svg"), svg.as_bytes())?);
        written.push(staging.write(&format!("{stem}.png"), &png)?);
    }
    if out.charts {
        chart::write_all(&staging, &charts)?;
        for f in &fans {
            staging.write(&format!("{}/{}.svg", chart::DIR, f.stem), f.svg.as_bytes())?;
            staging.write(&format!("{}/{}.png", chart::DIR, f.stem), &f.png)?;
        }
    }
    let report = match page {
        Some(page) => Some(staging.write(html::FILE, page.as_bytes())?),
        None => None,
    };
    staging.commit()?;
    progress.finish();
    if !out.quiet {
        out!("{}", table::render(s, &summary))?;
        outln!()?;
        for p in &written {
            outln!("wrote {}", p.display())?;
        }
        let charts_dir = dir.join(chart::DIR);
        if out.charts && !charts.is_empty() {
            outln!(
                "wrote {} charts (SVG and PNG) to {}",
                charts.len(),
                charts_dir.display()
            )?;
        }
        if out.charts && plan {
            outln!(
                "wrote {} fan charts (SVG and PNG) to {}",
                fans.len(),
                charts_dir.display()
            )?;
        }
        if let Some(p) = report {
            outln!("report: {}", p.display())?;
        }
    }
    Ok(())
}

/// TEMPORARY, until `briefing::build` is merged (issue 10, the report
/// half): the target sets' briefings as the ladder needs them, built
/// minimally from the summary: verdicts by `Verdict::of`, rules as
/// written, no recommendation, no upper-level comparison.
pub(crate) fn provisional_briefing(
    s: &Scenario,
    summary: &summary::Summary,
    settings: &targetsim::briefing::Settings,
) -> Vec<targetsim::briefing::SetBriefing> {
    use targetsim::briefing::{SetBriefing, TargetBriefing, Verdict};
    let lang = settings.lang;
    summary
        .target_sets
        .iter()
        .enumerate()
        .map(|(k, (name, set))| {
            let targets: Vec<TargetBriefing> = set
                .targets
                .iter()
                .map(|t| {
                    let ind = summary.indicator(&t.indicator, t.year);
                    let kind = ind.map_or(scenario::Kind::Level, |i| i.kind);
                    let unit = ind.and_then(|i| i.unit.clone());
                    TargetBriefing {
                        indicator: t.indicator.clone(),
                        year: t.year,
                        label: ind.map_or(t.indicator.clone(), |i| {
                            lang.label(i.label.as_deref(), i.label_en.as_deref(), &t.indicator)
                                .to_string()
                        }),
                        text: chart::rule_text_unit(&t.rule, kind, unit.as_deref()),
                        unit,
                        kind,
                        rule: t.rule,
                        wording: t.wording.clone(),
                        probability: t.probability,
                        se: t.se,
                        verdict: Verdict::of(t.probability, &settings.bands),
                        recommendation: None,
                        upper: None,
                    }
                })
                .collect();
            let mut counts = [0; 3];
            for t in &targets {
                counts[match t.verdict {
                    Verdict::High => 0,
                    Verdict::Fit => 1,
                    Verdict::Low => 2,
                }] += 1;
            }
            SetBriefing {
                name: name.clone(),
                label: lang
                    .label(set.label.as_deref(), set.label_en.as_deref(), name)
                    .to_string(),
                upper_level: s.upper_level == Some(k),
                joint: set.joint_probability,
                joint_se: set.joint_se,
                independent: set.independent_product,
                counts,
                targets,
            }
        })
        .collect()
}

/// A workbook that could not be made (rust_xlsxwriter refused a value).
pub fn xlsx_failure(e: rust_xlsxwriter::XlsxError) -> Failure {
    Failure::Run(format!("error: cannot write the workbook: {e}"))
}
