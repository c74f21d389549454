//! From simulated columns to the numbers a planner reads: per indicator its
//! distribution, per target the probability it is met, per target set the
//! probability that all its targets are met in the same draw.
//!
//! [`Summary`] is also the schema of `summary.json`: every field's doc
//! comment is its documentation.

pub mod histogram;
pub mod sketch;
pub mod stats;
pub mod tally;
pub mod years;

use crate::engine::Streamed;
use crate::scenario::{Kind, Rule, Scenario};
use histogram::Histogram;
use indexmap::IndexMap;
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

/// The whole result of a run.
#[derive(Debug, Clone, Serialize)]
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
    /// Definition of the quantiles.
    /// Definition of the quantiles: exact type 7 when draws <= 65536, else
    /// type 7 read from the sketch (see `summary::sketch`).
    pub quantile_method: &'static str,
    /// Per indicator, in the scenario's order. Growth rates and shares are fractions (0.09 = 9%).
    pub indicators: IndexMap<String, IndicatorSummary>,
    /// Per target set, in the scenario's order.
    pub target_sets: IndexMap<String, TargetSetSummary>,
    /// Which drivers decide each targeted indicator (see `crate::sensitivity`);
    /// absent when not computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<crate::sensitivity::Sensitivity>,
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
    fn from_values(q: &[f64]) -> Quantiles {
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

#[derive(Debug, Clone, Serialize)]
pub struct TargetSetSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    /// Per target, keyed by the indicator it applies to, in the set's order.
    pub targets: IndexMap<String, TargetSummary>,
    /// Probability that every target of the set is met in the same draw.
    pub joint_probability: f64,
    /// Monte Carlo standard error of `joint_probability`: sqrt(p (1 - p) / draws).
    pub joint_se: f64,
    /// The product of the targets' probabilities: what the joint probability
    /// would be if the targets were independent. The gap to
    /// `joint_probability` is the effect of their correlation.
    pub independent_product: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetSummary {
    /// The rule and its numbers: `at_least`/`at_most` with `threshold`,
    /// `about` with `value` and `tolerance`, `range` with `low` and `high`.
    #[serde(flatten)]
    pub rule: Rule,
    #[serde(skip_serializing_if = "Option::is_none")]
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

/// Summarise a streamed one-year run.
pub fn summarise(s: &Scenario, run: &Streamed) -> Summary {
    let Streamed {
        pilot,
        layout,
        tally,
    } = run;
    let draws = tally.draws;
    let levels = tally::levels(false);
    let indicators = s
        .indicators
        .iter()
        .enumerate()
        .map(|(c, ind)| {
            let (mean, sd) = tally.mean_sd(layout, pilot, c);
            let t = &tally.columns[c];
            let quantiles = Quantiles::from_values(&tally.quantiles(layout, pilot, c, &levels));
            let histogram = tally.histogram(layout, pilot, c, quantiles.p01, quantiles.p99);
            (
                ind.name.clone(),
                IndicatorSummary {
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
                },
            )
        })
        .collect();
    let target_sets = s
        .target_sets
        .iter()
        .zip(&tally.sets)
        .map(|(set, counts)| {
            let targets: IndexMap<String, TargetSummary> = set
                .targets
                .iter()
                .zip(&counts.met)
                .map(|(t, &met)| {
                    let p = met as f64 / draws as f64;
                    (
                        s.indicators[t.indicator].name.clone(),
                        TargetSummary {
                            rule: t.rule,
                            wording: t.wording.clone(),
                            probability: p,
                            se: proportion_se(p, draws),
                        },
                    )
                })
                .collect();
            let joint = counts.joint as f64 / draws as f64;
            let product = targets.values().map(|t| t.probability).product();
            (
                set.name.clone(),
                TargetSetSummary {
                    label: set.meta.label.clone(),
                    label_en: set.meta.label_en.clone(),
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
        indicators,
        target_sets,
        sensitivity: None,
    }
}
