//! Comparison: the target sets of one scenario side by side, and the
//! scenario's variants against its base with common random numbers.
//!
//! Definitions (normative; the README repeats them):
//!
//! - **percentile** of a threshold: the fraction of draws strictly below it
//!   (the centre for `about`/`range` targets). 0.5 is the indicator's own
//!   median; a city threshold at 0.64 asks for more than 64% of the
//!   projected outcomes.
//! - **Plans** are compared on their view (`crate::plan_view`): each year's
//!   target is a row of its own (`gdp_growth@2027`), the plan targets form
//!   the set `plan_targets` (rows such as `gdp@2030:average_growth`), and
//!   every set's joint probability spans all its years.
//! - **Variants** run with the base's draws and seed, so draw `i` of a variant
//!   uses the same random numbers as draw `i` of the base (common random
//!   numbers) as long as the variant keeps the stream layout: the same
//!   drivers, in the copula or not as before, each drawn the same way
//!   (normal score, uniform or fixed). `common_random_numbers` says whether
//!   it does. A difference in probability is then the effect of the change,
//!   not noise: its standard error is that of the paired difference,
//!   `sqrt((b + c)/n − ((b − c)/n)²) / sqrt(n)`, with `b` (`c`) the draws met
//!   in the variant only (in the base only).

use crate::RunOptions;
use crate::engine::{self, Simulation};
use crate::error::RunError;
use crate::model::{Model, Source};
use crate::plan_view;
use crate::scenario::{Kind, Override, Rule, Scenario};
use crate::summary::{ScenarioInfo, Tool, proportion_se, stats};
use indexmap::IndexMap;
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

/// `comparison.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub schema_version: u32,
    pub tool: Tool,
    pub scenario: ScenarioInfo,
    pub seed: u64,
    pub draws: u64,
    pub generator: &'static str,
    /// The base scenario's target sets, in the scenario's order.
    pub sets: IndexMap<String, SetColumn>,
    /// Each targeted indicator, in the scenario's order, with every set's target on it.
    pub indicators: IndexMap<String, IndicatorRow>,
    /// The scenario's variants, each against the base (same draws and seed).
    pub variants: IndexMap<String, VariantResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SetColumn {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    /// Whether this set is the upper level's requirement.
    pub upper_level: bool,
    /// Probability that all its targets are met in the same draw.
    pub joint_probability: f64,
    pub joint_se: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub kind: Kind,
    /// Type-7 quantiles of the projected distribution.
    pub p10: f64,
    pub median: f64,
    pub p90: f64,
    /// Per set that has a target on this indicator.
    pub targets: IndexMap<String, SetTarget>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SetTarget {
    #[serde(flatten)]
    pub rule: Rule,
    pub probability: f64,
    pub se: f64,
    /// Fraction of draws below the threshold (see the module docs).
    pub percentile: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct VariantResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    /// The overridden values, as written.
    pub overrides: Vec<Override>,
    /// Whether the variant keeps the base's stream layout (see the module docs).
    pub common_random_numbers: bool,
    /// Per target set present in both the base and the variant.
    pub sets: IndexMap<String, VariantSet>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VariantSet {
    pub joint_probability: f64,
    /// Variant minus base.
    pub joint_change: f64,
    pub joint_change_se: f64,
    /// Per target on an indicator the base set also targets.
    pub targets: IndexMap<String, VariantTarget>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VariantTarget {
    /// The variant's rule (it may override the threshold).
    #[serde(flatten)]
    pub rule: Rule,
    pub probability: f64,
    /// Variant minus base.
    pub change: f64,
    /// Standard error of the paired difference.
    pub change_se: f64,
}

/// Per draw, whether a target (or a whole set) is met, as bits.
#[derive(Clone)]
struct Flags(Vec<u64>);

impl Flags {
    fn from_fn(n: usize, f: impl Fn(usize) -> bool) -> Flags {
        let mut words = vec![0u64; n.div_ceil(64)];
        for i in 0..n {
            if f(i) {
                words[i / 64] |= 1 << (i % 64);
            }
        }
        Flags(words)
    }

    fn and(&self, other: &Flags) -> Flags {
        Flags(self.0.iter().zip(&other.0).map(|(a, b)| a & b).collect())
    }

    /// (met in self only, met in other only)
    fn discordant(&self, other: &Flags) -> (u64, u64) {
        self.0.iter().zip(&other.0).fold((0, 0), |(b, c), (x, y)| {
            (
                b + (x & !y).count_ones() as u64,
                c + (!x & y).count_ones() as u64,
            )
        })
    }

    fn count(&self) -> u64 {
        self.0.iter().map(|w| w.count_ones() as u64).sum()
    }
}

/// Standard error of a paired difference of proportions.
fn paired_se(only_a: u64, only_b: u64, n: u64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    let n_f = n as f64;
    let d = (only_a as f64 - only_b as f64) / n_f;
    let m = (only_a + only_b) as f64 / n_f;
    ((m - d * d).max(0.0) / n_f).sqrt()
}

/// Target and joint flags of every set.
struct SetFlags {
    name: String,
    /// (indicator index, flags)
    targets: Vec<(usize, Flags)>,
    joint: Flags,
}

fn flags(s: &Scenario, sim: &Simulation) -> Vec<SetFlags> {
    let n = sim.draws;
    s.target_sets
        .iter()
        .map(|set| {
            let targets: Vec<(usize, Flags)> = set
                .targets
                .iter()
                .map(|t| {
                    let col = &sim.indicators[t.indicator];
                    (t.indicator, Flags::from_fn(n, |i| t.rule.is_met(col[i])))
                })
                .collect();
            let joint = targets
                .iter()
                .fold(Flags::from_fn(n, |_| true), |acc, (_, f)| acc.and(f));
            SetFlags {
                name: set.name.clone(),
                targets,
                joint,
            }
        })
        .collect()
}

/// Whether two models draw their drivers from the streams the same way.
pub fn same_stream_layout(a: &Model, b: &Model) -> bool {
    a.n_drivers == b.n_drivers
        && a.n_copula() == b.n_copula()
        && a.drivers
            .iter()
            .zip(&b.drivers)
            .all(|(x, y)| match (&x.source, &y.source) {
                (Source::Copula(i), Source::Copula(j)) => i == j,
                (Source::Score, Source::Score)
                | (Source::Uniform, Source::Uniform)
                | (Source::Constant(_), Source::Constant(_)) => true,
                _ => false,
            })
}

/// Compare the target sets and the variants of a scenario. A plan is
/// compared on its view (`crate::plan_view`): every year's targets and the
/// plan targets, with common random numbers across all years.
pub fn compare(original: &Scenario, opts: &RunOptions) -> Result<Comparison, RunError> {
    let mut run = *opts;
    run.keep_drivers = false;
    let view = plan_view::view(original);
    let s = &view.scenario;
    let model = Model::compile(original);
    let sim = engine::columns(original, &run)?;
    let n = sim.draws;
    let nu = n as u64;
    let base_flags = flags(s, &sim);

    let sets = s
        .target_sets
        .iter()
        .enumerate()
        .map(|(k, set)| {
            let p = sim.counts[k].joint as f64 / n as f64;
            (
                set.name.clone(),
                SetColumn {
                    label: set.meta.label.clone(),
                    label_en: set.meta.label_en.clone(),
                    upper_level: s.upper_level == Some(k),
                    joint_probability: p,
                    joint_se: proportion_se(p, nu),
                },
            )
        })
        .collect();

    let mut indicators = IndexMap::new();
    for (k, ind) in s.indicators.iter().enumerate() {
        let col = &sim.indicators[k];
        let mut targets = IndexMap::new();
        for (j, set) in s.target_sets.iter().enumerate() {
            if let Some(pos) = set.targets.iter().position(|t| t.indicator == k) {
                let rule = set.targets[pos].rule;
                let p = sim.counts[j].met[pos] as f64 / n as f64;
                let centre = rule.reference_value();
                let below = col.iter().filter(|&&x| x < centre).count();
                targets.insert(
                    set.name.clone(),
                    SetTarget {
                        rule,
                        probability: p,
                        se: proportion_se(p, nu),
                        percentile: below as f64 / n as f64,
                    },
                );
            }
        }
        if targets.is_empty() {
            continue;
        }
        let mut work = col.clone();
        let q = stats::quantiles_in_place(&mut work, &[0.1, 0.5, 0.9]);
        indicators.insert(
            ind.name.clone(),
            IndicatorRow {
                label: ind.meta.label.clone(),
                kind: ind.meta.kind,
                p10: q[0],
                median: q[1],
                p90: q[2],
                targets,
            },
        );
    }
    drop(sim);

    let mut variants = IndexMap::new();
    for v in &original.variants {
        let vmodel = Model::compile(&v.scenario);
        let vview = plan_view::view(&v.scenario).scenario;
        let vsim = engine::columns(&v.scenario, &run)?;
        let vflags = flags(&vview, &vsim);
        let mut vsets = IndexMap::new();
        for (j, vset) in vview.target_sets.iter().enumerate() {
            let Some(base) = base_flags.iter().find(|b| b.name == vset.name) else {
                continue;
            };
            let vf = &vflags[j];
            let mut targets = IndexMap::new();
            for (pos, t) in vset.targets.iter().enumerate() {
                let Some((_, bf)) = base.targets.iter().find(|(i, _)| *i == t.indicator) else {
                    continue;
                };
                let f = &vf.targets[pos].1;
                let (only_v, only_b) = f.discordant(bf);
                let p = f.count() as f64 / n as f64;
                let pb = bf.count() as f64 / n as f64;
                targets.insert(
                    vview.indicators[t.indicator].name.clone(),
                    VariantTarget {
                        rule: t.rule,
                        probability: p,
                        change: p - pb,
                        change_se: paired_se(only_v, only_b, nu),
                    },
                );
            }
            let (only_v, only_b) = vf.joint.discordant(&base.joint);
            let p = vf.joint.count() as f64 / n as f64;
            let pb = base.joint.count() as f64 / n as f64;
            vsets.insert(
                vset.name.clone(),
                VariantSet {
                    joint_probability: p,
                    joint_change: p - pb,
                    joint_change_se: paired_se(only_v, only_b, nu),
                    targets,
                },
            );
        }
        variants.insert(
            v.name.clone(),
            VariantResult {
                label: v.meta.label.clone(),
                label_en: v.meta.label_en.clone(),
                overrides: v.overrides.clone(),
                common_random_numbers: same_stream_layout(&model, &vmodel),
                sets: vsets,
            },
        );
    }

    Ok(Comparison {
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        scenario: ScenarioInfo::of(original),
        seed: opts.seed,
        draws: nu,
        generator: crate::sampling::GENERATOR,
        sets,
        indicators,
        variants,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discordant_pairs_count_each_side() {
        let a = Flags::from_fn(130, |i| i % 2 == 0);
        let b = Flags::from_fn(130, |i| i % 3 == 0);
        let (only_a, only_b) = a.discordant(&b);
        let exp_a = (0..130).filter(|i| i % 2 == 0 && i % 3 != 0).count() as u64;
        let exp_b = (0..130).filter(|i| i % 2 != 0 && i % 3 == 0).count() as u64;
        assert_eq!((only_a, only_b), (exp_a, exp_b));
        assert_eq!(a.count(), 65);
        assert_eq!(a.and(&b).count(), 22);
    }

    #[test]
    fn identical_flags_have_no_difference_and_no_error() {
        assert_eq!(paired_se(0, 0, 1000), 0.0);
        // One discordant draw each way in 4: d = 0, m = 0.5, se = sqrt(0.5/4).
        assert!((paired_se(1, 1, 4) - (0.125f64).sqrt()).abs() < 1e-15);
    }
}
