//! `targetsim calibrate`: recommended thresholds at a confidence, a verdict
//! on the draft, the gap to the upper level, and optionally a whole set
//! calibrated to a joint probability.

use super::Failure;
use super::console::{out, outln};
use super::run::Simulate;
use std::path::PathBuf;
use targetsim::calibrate::{self, Bands};
use targetsim::render::{calibration, json, sheets};
use targetsim::scenario::{self, Scenario};

/// Recommend thresholds each met with probability Q, and rate the draft's.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  targetsim calibrate scenarios/seed-district.toml\n  targetsim calibrate scenarios/seed-district.toml --confidence 0.7\n  targetsim calibrate scenarios/seed-district.toml --confidence 0.7 --joint 0.5\n  targetsim calibrate scenarios/seed-district.toml --confidence 0.8 --set city\n\nAt-least targets: the recommended threshold is the indicator's (1 - Q) quantile,\nthe value it reaches with probability Q; at-most targets: its Q quantile;\nabout/range targets keep their centre and get the half-width met with\nprobability Q. Writes calibration.json, .csv, .xlsx, .html, .svg and .png to the\noutput directory."
)]
pub struct Args {
    /// The scenario file (TOML, or JSON with a .json extension).
    pub scenario: PathBuf,
    /// Confidence Q: the probability each recommended threshold is met (0.7
    /// or 70%) [default: the scenario's [report] confidence, else 0.7, as
    /// the headline of `run` uses].
    #[arg(long, short = 'c', value_parser = fraction)]
    pub confidence: Option<f64>,
    /// Target set to calibrate [default: the first set that is not the upper level].
    #[arg(long)]
    pub set: Option<String>,
    /// Also calibrate the whole set so all targets are met together with probability P.
    #[arg(long, value_parser = fraction)]
    pub joint: Option<f64>,
    /// The upper level's target set [default: the set marked upper_level = true].
    #[arg(long)]
    pub upper: Option<String>,
    /// Plans: for each first-year target, the threshold below which the plan
    /// targets are reachable with probability less than Q (0.5 or 50%).
    #[arg(long, value_parser = fraction)]
    pub keep_plan: Option<f64>,
    /// A draft met with a probability below this is too ambitious.
    #[arg(long, value_parser = fraction, default_value = "0.5")]
    pub ambitious_below: f64,
    /// A draft met with a probability above this is too timid.
    #[arg(long, value_parser = fraction, default_value = "0.9")]
    pub timid_above: f64,
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

/// A probability strictly between 0 and 1, written as 0.7 or 70%.
pub fn fraction(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let x = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    }
    .map_err(|_| format!("`{s}` is not a number; write a probability such as 0.7 or 70%"))?;
    if x > 0.0 && x < 1.0 {
        Ok(x)
    } else {
        Err(format!(
            "`{s}` must be strictly between 0 and 1 (0% and 100%), for example 0.7"
        ))
    }
}

/// The index of a named target set, or a usage error listing the names.
pub fn set_index(s: &Scenario, name: &str, flag: &str) -> Result<usize, Failure> {
    s.target_sets
        .iter()
        .position(|t| t.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = s.target_sets.iter().map(|t| t.name.as_str()).collect();
            Failure::Usage(format!(
                "error: {flag} {name}: {} has no target set `{name}`\n  hint: its target sets are: {}",
                s.file.display(),
                if names.is_empty() { "(none)".to_string() } else { names.join(", ") }
            ))
        })
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let original = scenario::load(&args.scenario)?;
    if args.keep_plan.is_some() && original.horizon.as_ref().is_none_or(|h| h.plan.is_none()) {
        return Err(Failure::Usage(format!(
            "error: --keep-plan: {} has no [plan_targets]\n  hint: --keep-plan needs a multi-year scenario with plan targets",
            original.file.display()
        )));
    }
    // A plan is calibrated on its view: every year's targets, and the plan targets.
    let s = targetsim::plan_view::view(&original).scenario;
    if s.target_sets.is_empty() {
        return Err(Failure::Usage(format!(
            "error: {}: the scenario has no target set to calibrate\n  hint: add [target_sets.draft] with targets = [...]",
            s.file.display()
        )));
    }
    if args.ambitious_below >= args.timid_above {
        return Err(Failure::Usage(format!(
            "error: --ambitious-below {} must be below --timid-above {}",
            args.ambitious_below, args.timid_above
        )));
    }
    let upper = match &args.upper {
        Some(name) => Some(set_index(&s, name, "--upper")?),
        None => s.upper_level,
    };
    let set = match &args.set {
        Some(name) => set_index(&s, name, "--set")?,
        None => (0..s.target_sets.len())
            .find(|&i| Some(i) != upper)
            .unwrap_or(0),
    };
    let run = args.sim.options(&original)?;
    let dir = args.sim.out_dir(&original);
    targetsim::engine::need::calibrate(
        s.indicators.len(),
        s.target_sets[set].targets.len(),
        original.indicators.len(),
        original.drivers.len(),
    )
    .check(run.draws)?;
    let out = targetsim::output::Staging::begin(
        &targetsim::output::CALIBRATE,
        &dir,
        &original.input_paths(),
    )?;
    let settings = original.report.settings(args.lang);
    // The same confidence as the headline's recommendations, unless asked.
    let confidence = args.confidence.unwrap_or(settings.confidence);
    let opts = calibrate::Options {
        run,
        set,
        confidence,
        bands: Bands {
            too_ambitious_below: args.ambitious_below,
            too_timid_above: args.timid_above,
        },
        joint: args.joint,
        upper,
        keep_plan: args.keep_plan,
    };
    let c = calibrate::calibrate(&original, &opts)?;
    let xlsx = sheets::calibration_xlsx(&c).map_err(super::run::xlsx_failure)?;
    // The recommended thresholds as a ladder, drawn before anything is written.
    let svg = targetsim::render::chart::ladder::calibration_svg(&s, &c, &settings);
    let png = targetsim::render::raster::png(&svg)
        .map_err(|e| super::Failure::Run(format!("error: {e}")))?;
    let charts = [("calibration".to_string(), svg.clone())];
    let page =
        targetsim::render::html_calibration::calibration(&s, &c, settings.lang, &charts).to_html();
    let written = [
        out.write("calibration.json", &json::to_pretty_bytes(&c))?,
        out.write("calibration.csv", &sheets::calibration_targets(&c).to_csv())?,
        out.write("calibration.xlsx", &xlsx)?,
        out.write(
            targetsim::render::html_calibration::CALIBRATION_FILE,
            page.as_bytes(),
        )?,
        out.write("calibration.svg", svg.as_bytes())?,
        out.write("calibration.png", &png)?,
    ];
    out.commit()?;
    if !args.quiet {
        out!("{}", calibration::render(&s, &c, settings.lang))?;
        outln!()?;
        for path in &written {
            outln!("wrote {}", path.display())?;
        }
    }
    Ok(())
}
