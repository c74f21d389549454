//! From simulated columns to the numbers a planner reads: per indicator its
//! distribution, per target the probability it is met, per target set the
//! probability that all its targets are met in the same draw.
//!
//! [`Summary`] is also the schema of `summary.json`: every field's doc
//! comment is its documentation.

pub mod histogram;
pub mod layout;
pub mod pipeline;
pub mod place;
pub mod plan;
pub mod sketch;
pub mod stats;
pub mod tally;

use crate::engine::Streamed;
use crate::scenario::{Kind, Meta, Rule, Scenario, Target};
use histogram::Histogram;
use indexmap::IndexMap;
use plan::{HorizonInfo, PlanSummary};
use serde::Serialize;

/// Version of the `summary.json` layout. Bumped when a field changes meaning
/// or disappears; adding fields does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// The quantile levels reported, in order, with their JSON names.
pub const QUANTILE_LEVELS: [(&str, f64); 9] = [
    ("p01", 0.01),
    ("p05", 0.05),
    ("p10", 0.10),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p90", 0.90),
    ("p95", 0.95),
    ("p99", 0.99),
];

pub const QUANTILE_METHOD: &str =
    "Hyndman-Fan type 7 (linear interpolation between order statistics; R and NumPy default)";

/// The quantile method of a run with more draws than the pilot.
pub const QUANTILE_METHOD_SKETCH: &str = "Hyndman-Fan type 7 (linear interpolation between order statistics; R and NumPy default), read from a mergeable sketch laid out by the first 65536 draws: within a tenth of a Monte Carlo standard error at 1e6 draws (README, Quantiles); exact when draws <= 65536";

/// What `quantile_method` says: exact type 7, or type 7 from the sketch.
pub fn quantile_method(exact: bool) -> &'static str {
    if exact {
        QUANTILE_METHOD
    } else {
        QUANTILE_METHOD_SKETCH
    }
}

/// The whole result of a run, one-year or multi-year: per year and
/// indicator the distribution, per target set each target's probability
/// (with its year) and the joint one, the plan targets, the sensitivity.
///
/// A one-year run is a plan whose horizon is one year: one entry in
/// `years`, with no calendar year. `summary.json` keeps the two layouts
/// scripts read (see [`layout`]): the one-year layout for a one-year run,
/// the plan layout (with `horizon` and `years`) for a plan.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Version of this layout (see `SCHEMA_VERSION`).
    pub schema_version: u32,
    /// The program that wrote it.
    pub tool: Tool,
    /// Which scenario, identified by the hash of its file's bytes.
    pub scenario: ScenarioInfo,
    /// Seed of the random streams; the same seed and scenario give the same bytes.
    pub seed: u64,
    /// Number of Monte Carlo draws.
    pub draws: u64,
    /// The random number generator and how streams are derived from the seed.
    pub generator: &'static str,
    /// Draws per block; each block has its own stream.
    pub block_size: usize,
    /// Definition of the quantiles: exact type 7 when draws <= 65536, else
    /// type 7 read from the sketch (see `summary::sketch`).
    pub quantile_method: &'static str,
    /// The horizon of a plan; `None` for a one-year run.
    pub horizon: Option<HorizonInfo>,
    /// Per year of the horizon (one for a one-year run), in order.
    pub years: Vec<YearResults>,
    /// Per target set, in the scenario's order.
    pub target_sets: IndexMap<String, TargetSetSummary>,
    /// The plan targets, when the scenario has `[plan_targets]`.
    pub plan_targets: Option<PlanSummary>,
    /// Which drivers decide each targeted indicator (see `crate::sensitivity`);
    /// absent when not computed.
    pub sensitivity: Option<crate::sensitivity::Sensitivity>,
    /// The key-project list's contributions and critical projects, when the
    /// scenario has a `[pipeline]`.
    pub pipeline: Option<pipeline::PipelineSummary>,
    /// The rounded candidates of the recommended targets, counted during
    /// the run (see `briefing::probe`); empty when not probed (a merge of
    /// shards). Not written to JSON.
    pub probes: Vec<crate::briefing::probe::Probe>,
}

impl Summary {
    /// Whether this is a plan (a run with a horizon).
    pub fn is_plan(&self) -> bool {
        self.horizon.is_some()
    }

    /// The first (for a one-year run, the only) year's indicators.
    pub fn indicators(&self) -> &IndexMap<String, IndicatorSummary> {
        &self.years[0].indicators
    }

    /// The year's position in `years` (0 for a one-year run's `None`).
    pub fn year_index(&self, year: Option<i32>) -> Option<usize> {
        self.years.iter().position(|y| y.year == year)
    }

    /// The summary of `indicator` in `year`.
    pub fn indicator(&self, name: &str, year: Option<i32>) -> Option<&IndicatorSummary> {
        self.years[self.year_index(year)?].indicators.get(name)
    }
}

/// One year's indicators.
#[derive(Debug, Clone, Serialize)]
pub struct YearResults {
    /// The calendar year; `None` in a one-year run.
    #[serde(skip)]
    pub year: Option<i32>,
    pub indicators: IndexMap<String, IndicatorSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    /// This program, as every JSON output names it.
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub title: String,
    /// The path as given on the command line.
    pub file: String,
    /// `sha256:` and the hex digest of the scenario file's bytes.
    pub hash: String,
    /// The variant run (`run --variant`, sweeps); absent for the base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl ScenarioInfo {
    /// Which scenario a JSON output describes.
    pub fn of(s: &Scenario) -> ScenarioInfo {
        ScenarioInfo {
            name: s.name.clone(),
            title: s.title.clone(),
            file: s.file.display().to_string(),
            hash: s.hash.clone(),
            variant: s.variant.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// `level`, `rate` (a fraction, shown as a percent) or `count`.
    pub kind: Kind,
    /// The formula as written in the scenario.
    pub formula: String,
    /// Arithmetic mean of the draws.
    pub mean: f64,
    /// Sample standard deviation (n - 1 denominator).
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    /// Type-7 quantiles (see `quantile_method`).
    pub quantiles: Quantiles,
    /// The shape of the distribution, for charts (not written to JSON).
    #[serde(skip)]
    pub histogram: Histogram,
    /// Plans: type-7 quantiles at `horizon.fan_levels` (5%, 10%, ..., 95%);
    /// empty (and not written) in a one-year run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fan_quantiles: Vec<f64>,
}

/// Quantiles by level: `p05` is the value the indicator falls below in 5% of draws.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Quantiles {
    pub p01: f64,
    pub p05: f64,
    pub p10: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
}

impl Quantiles {
    pub(crate) fn from_values(q: &[f64]) -> Quantiles {
        let g = |i: usize| q.get(i).copied().unwrap_or(f64::NAN);
        Quantiles {
            p01: g(0),
            p05: g(1),
            p10: g(2),
            p25: g(3),
            p50: g(4),
            p75: g(5),
            p90: g(6),
            p95: g(7),
            p99: g(8),
        }
    }

    /// Level and value pairs, in order.
    pub fn pairs(&self) -> [(f64, f64); 9] {
        [
            (0.01, self.p01),
            (0.05, self.p05),
            (0.10, self.p10),
            (0.25, self.p25),
            (0.50, self.p50),
            (0.75, self.p75),
            (0.90, self.p90),
            (0.95, self.p95),
            (0.99, self.p99),
        ]
    }
}

#[derive(Debug, Clone)]
pub struct TargetSetSummary {
    pub label: Option<String>,
    pub label_en: Option<String>,
    /// Per target with its year, in the set's order.
    pub targets: Vec<TargetSummary>,
    /// Probability that every target of the set is met in the same draw.
    pub joint_probability: f64,
    /// Monte Carlo standard error of `joint_probability`: sqrt(p (1 - p) / draws).
    pub joint_se: f64,
    /// The product of the targets' probabilities: what the joint probability
    /// would be if the targets were independent. The gap to
    /// `joint_probability` is the effect of their correlation.
    pub independent_product: f64,
}

impl TargetSetSummary {
    /// The set's (first) target on `indicator`, whatever its year.
    pub fn target(&self, indicator: &str) -> Option<&TargetSummary> {
        self.targets.iter().find(|t| t.indicator == indicator)
    }
}

#[derive(Debug, Clone)]
pub struct TargetSummary {
    /// The indicator the target applies to.
    pub indicator: String,
    /// The calendar year of a plan's target; `None` in a one-year run.
    pub year: Option<i32>,
    /// The rule and its numbers: `at_least`/`at_most` with `threshold`,
    /// `about` with `value` and `tolerance`, `range` with `low` and `high`.
    pub rule: Rule,
    pub wording: Option<String>,
    /// Fraction of draws in which the target is met.
    pub probability: f64,
    /// Monte Carlo standard error: sqrt(p (1 - p) / draws).
    pub se: f64,
}

/// Binomial standard error of a proportion.
pub fn proportion_se(p: f64, n: u64) -> f64 {
    if n == 0 {
        f64::NAN
    } else {
        (p * (1.0 - p) / n as f64).sqrt()
    }
}

/// Summarise a streamed run, one-year or plan.
pub fn summarise(s: &Scenario, run: &Streamed) -> Summary {
    let Streamed {
        pilot,
        layout,
        tally,
    } = run;
    let draws = tally.draws;
    let plan = s.horizon.as_ref();
    let levels = tally::levels(plan.is_some());
    let k = s.indicators.len();
    let calendar: Vec<Option<i32>> = match plan {
        Some(h) => h.years.iter().map(|&y| Some(y)).collect(),
        None => vec![None],
    };
    let years = calendar
        .iter()
        .enumerate()
        .map(|(y, &year)| {
            let indicators = s
                .indicators
                .iter()
                .enumerate()
                .map(|(i, ind)| {
                    let c = y * k + i;
                    let (mean, sd) = tally.mean_sd(layout, pilot, c);
                    let t = &tally.columns[c];
                    let q = tally.quantiles(layout, pilot, c, &levels);
                    let quantiles = Quantiles::from_values(&q[..QUANTILE_LEVELS.len()]);
                    let histogram = tally.histogram(layout, pilot, c, quantiles.p01, quantiles.p99);
                    let summary = IndicatorSummary {
                        label: ind.meta.label.clone(),
                        label_en: ind.meta.label_en.clone(),
                        unit: ind.meta.unit.clone(),
                        kind: ind.meta.kind,
                        formula: ind.formula.clone(),
                        mean,
                        sd,
                        min: t.min,
                        max: t.max,
                        quantiles,
                        histogram,
                        fan_quantiles: q[QUANTILE_LEVELS.len()..].to_vec(),
                    };
                    (ind.name.clone(), summary)
                })
                .collect();
            YearResults { year, indicators }
        })
        .collect();
    let target_sets = sets(s)
        .into_iter()
        .zip(&tally.sets)
        .map(|((name, meta, targets), counts)| {
            let targets: Vec<TargetSummary> = targets
                .into_iter()
                .zip(&counts.met)
                .map(|((year, t), &met)| {
                    let p = met as f64 / draws as f64;
                    TargetSummary {
                        indicator: s.indicators[t.indicator].name.clone(),
                        year: calendar[year],
                        rule: t.rule,
                        wording: t.wording.clone(),
                        probability: p,
                        se: proportion_se(p, draws),
                    }
                })
                .collect();
            let joint = counts.joint as f64 / draws as f64;
            let product = targets.iter().map(|t| t.probability).product();
            (
                name.to_string(),
                TargetSetSummary {
                    label: meta.label.clone(),
                    label_en: meta.label_en.clone(),
                    targets,
                    joint_probability: joint,
                    joint_se: proportion_se(joint, draws),
                    independent_product: product,
                },
            )
        })
        .collect();
    Summary {
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        scenario: ScenarioInfo::of(s),
        seed: layout.seed,
        draws,
        generator: crate::sampling::GENERATOR,
        block_size: crate::sampling::BLOCK,
        quantile_method: quantile_method(layout.exact(pilot)),
        horizon: plan.map(|h| plan::horizon_info(s, h)),
        years,
        target_sets,
        plan_targets: plan.and_then(|h| plan::plan_section(s, h, run)),
        sensitivity: None,
        pipeline: pipeline::section(s, draws, &tally.pipeline),
        probes: Vec::new(),
    }
}

/// A target set's name, labels, and targets with their year index.
type SetTargets<'a> = (&'a str, &'a Meta, Vec<(usize, &'a Target)>);

/// Each target set, for a one-year scenario (year 0) and a plan alike.
fn sets(s: &Scenario) -> Vec<SetTargets<'_>> {
    match &s.horizon {
        Some(h) => h
            .target_sets
            .iter()
            .map(|set| {
                let targets = set.targets.iter().map(|t| (t.year, &t.target)).collect();
                (set.name.as_str(), &set.meta, targets)
            })
            .collect(),
        None => s
            .target_sets
            .iter()
            .map(|set| {
                let targets = set.targets.iter().map(|t| (0, t)).collect();
                (set.name.as_str(), &set.meta, targets)
            })
            .collect(),
    }
}
