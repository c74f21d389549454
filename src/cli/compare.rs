//! `targetsim compare`: the scenario's target sets side by side, and its
//! variants against the base with common random numbers.

use super::Failure;
use super::console::{out, outln};
use super::run::Simulate;
use std::path::PathBuf;
use targetsim::render::{compare_chart, comparison, json, raster, sheets};
use targetsim::scenario;

/// Compare target sets (draft, city requirement, plan path) and scenario variants.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  targetsim compare scenarios/seed-district.toml\n  targetsim compare scenarios/seed-district-variants.toml --draws 200000\n\nVariants ([variants.NAME] in the scenario) run with the base's draws and seed\n(common random numbers), so differences are the effect of the change, not noise.\nWrites comparison.json, comparison.csv, comparison.xlsx, comparison.svg (by target set) and, when the scenario\nhas variants, comparison-variants-<set>.svg to the output directory, each\nchart with a PNG copy (.png)."
)]
pub struct Args {
    /// The scenario file (TOML, or JSON with a .json extension).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub sim: Simulate,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Language of report.html: zh (中文) or en [default: the scenario's
    /// [report] lang, else zh].
    #[arg(long, value_name = "zh|en")]
    pub lang: Option<targetsim::render::lang::Lang>,
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let s = scenario::load(&args.scenario)?;
    let opts = args.sim.options(&s)?;
    let dir = args.sim.out_dir(&s);
    // A plan is compared on its view: a column per indicator and year.
    let view = targetsim::plan_view::view(&s);
    let targets: usize = view
        .scenario
        .target_sets
        .iter()
        .map(|t| t.targets.len() + 1)
        .sum();
    targetsim::engine::need::compare(view.columns.len(), targets, !s.variants.is_empty())
        .check(opts.draws)?;
    let out =
        targetsim::output::Staging::begin(&targetsim::output::COMPARE, &dir, &s.input_paths())?;
    let c = targetsim::compare::compare(&s, &opts)?;
    let settings = s.report.settings(args.lang);
    let mut charts: Vec<(String, String)> = vec![(
        "comparison".into(),
        compare_chart::sets_svg(&view.scenario, &c, &settings),
    )];
    if !c.variants.is_empty() {
        for set in c.sets.keys() {
            if let Some(svg) = compare_chart::variants_svg(&view.scenario, &c, set, &settings) {
                charts.push((format!("comparison-variants-{set}"), svg));
            }
        }
    }
    // Every chart as SVG and a PNG copy, all drawn before anything is written.
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("comparison.json".into(), json::to_pretty_bytes(&c)),
        (
            "comparison.csv".into(),
            sheets::comparison_table(&c).to_csv(),
        ),
        (
            "comparison.xlsx".into(),
            sheets::comparison_xlsx(&c).map_err(super::run::xlsx_failure)?,
        ),
    ];
    let page =
        targetsim::render::html_calibration::comparison(&view.scenario, &c, settings.lang, &charts)
            .to_html();
    files.push((
        targetsim::render::html_calibration::COMPARISON_FILE.into(),
        page.into_bytes(),
    ));
    for (stem, svg) in charts {
        let png = raster::png(&svg).map_err(|e| Failure::Run(format!("error: {e}")))?;
        files.push((format!("{stem}.svg"), svg.into_bytes()));
        files.push((format!("{stem}.png"), png));
    }
    let mut written = Vec::new();
    for (name, bytes) in &files {
        written.push(out.write(name, bytes)?);
    }
    out.commit()?;
    if !args.quiet {
        out!("{}", comparison::render(&view.scenario, &c, settings.lang))?;
        outln!()?;
        for p in &written {
            outln!("wrote {}", p.display())?;
        }
    }
    Ok(())
}
