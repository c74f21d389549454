//! Calibration: which threshold each target of a set can carry at a chosen
//! confidence, how the draft's own thresholds rate, and how far they sit from
//! the upper level's requirement.
//!
//! Definitions (normative; the README repeats them). All quantiles are type 7,
//! as in `summary.json`.
//!
//! - **Recommended threshold at confidence Q.** `at_least`: the indicator's
//!   (1 − Q) quantile, the value it reaches with probability Q. `at_most`: its
//!   Q quantile. `about` and `range` keep the draft's centre `c` (the `about`
//!   value, or the middle of the range) and recommend the half-width: the Q
//!   quantile of `|indicator − c|`, so `c ± that` holds with probability Q.
//! - **Verdict** of the draft threshold, from its probability p of being met:
//!   `too_ambitious` when p < the lower band (default 0.5), `too_timid` when
//!   p > the upper band (default 0.9), else `within`.
//! - **Joint calibration (`--joint P`).** Every target of the set at one
//!   common confidence q; q is found by bisection as the smallest q whose
//!   thresholds are all met together in at least a fraction P of the draws.
//!   The resulting set is then checked on an independent simulation (seed + 1,
//!   same number of draws), so the reported joint probability is not
//!   flattered by having chosen the thresholds on the same draws.
//! - **Plans.** On a multi-year scenario every analysis runs on its plan
//!   view (`crate::plan_view`): each target of the set in its own year
//!   (`gdp_growth@2027`), and the plan targets as the set `plan_targets`
//!   (what they measure: `gdp@2030:average_growth`); `--joint` spans years.
//! - **Keeping the plan (`--keep-plan Q`).** For each first-year `at_least`
//!   target of the set and each plan target conditioned on its indicator
//!   (`condition_on`, default the plan target's own), the lowest first-year
//!   threshold `x` at which the plan target is still met with probability
//!   at least Q among the draws whose first-year value is near `x`, and stays
//!   so for every higher `x`. "Near": the `max(1, round(2% of draws))` draws
//!   nearest in rank, as the plan summary's "reachable if met". A first-year
//!   target below `x` leaves the plan less likely than Q.
//! - **Gap to the upper level**: recommended threshold minus the upper
//!   level's threshold on the same indicator (in the indicator's units;
//!   fractions for rates). `recommended_meets_upper` says whether the
//!   recommended threshold is at least as demanding as the upper level's.

use crate::RunOptions;
use crate::engine::{self, Simulation};
use crate::error::RunError;
use crate::plan_view::{self, Column, View};
use crate::scenario::{Kind, Rule, Scenario, TargetSet};
use crate::sensitivity::{self, Sensitivity};
use crate::summary::stats::quantile_sorted;
use crate::summary::{ScenarioInfo, Tool, proportion_se};
use indexmap::IndexMap;
use rayon::prelude::*;
use serde::Serialize;

/// Version of the `calibration.json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Probabilities below `too_ambitious_below` or above `too_timid_above` get a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bands {
    pub too_ambitious_below: f64,
    pub too_timid_above: f64,
}

impl Default for Bands {
    fn default() -> Self {
        Bands {
            too_ambitious_below: 0.5,
            too_timid_above: 0.9,
        }
    }
}

/// What to calibrate. Plain data: the CLI fills it and checks the ranges.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    pub run: RunOptions<'a>,
    /// Index of the target set to calibrate.
    pub set: usize,
    /// Confidence Q in (0, 1).
    pub confidence: f64,
    pub bands: Bands,
    /// Joint probability P in (0, 1) for the whole set, if asked for.
    pub joint: Option<f64>,
    /// Index of the upper level's target set (by default the scenario's).
    pub upper: Option<usize>,
    /// For plans: the probability Q the plan targets should keep (`--keep-plan`).
    pub keep_plan: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    TooAmbitious,
    Within,
    TooTimid,
}

impl Verdict {
    pub fn of(p: f64, bands: Bands) -> Verdict {
        if p < bands.too_ambitious_below {
            Verdict::TooAmbitious
        } else if p > bands.too_timid_above {
            Verdict::TooTimid
        } else {
            Verdict::Within
        }
    }

    /// As planners say it (既不能太高，也不能过低).
    pub fn words(self) -> &'static str {
        match self {
            Verdict::TooAmbitious => "too ambitious 偏高",
            Verdict::Within => "within 适中",
            Verdict::TooTimid => "too timid 偏低",
        }
    }
}

/// `calibration.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    pub schema_version: u32,
    pub tool: Tool,
    pub scenario: ScenarioInfo,
    pub seed: u64,
    pub draws: u64,
    pub generator: &'static str,
    pub quantile_method: &'static str,
    /// The calibrated target set.
    pub set: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_label: Option<String>,
    /// Confidence Q: each recommended threshold is met with probability Q.
    pub confidence: f64,
    pub bands: Bands,
    /// Per target of the set, keyed by indicator, in the set's order.
    pub targets: IndexMap<String, TargetCalibration>,
    /// Probability that every draft threshold is met in the same draw.
    pub draft_joint_probability: f64,
    /// Probability that every recommended threshold (each at Q) is met in the same draw.
    pub recommended_joint_probability: f64,
    /// With `--joint P`: the whole set calibrated to a joint probability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joint: Option<JointCalibration>,
    /// The upper level's target set, when there is one and it is not the calibrated set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper_level: Option<UpperLevel>,
    /// Draws the `decided_by` figures are computed on (the run's first draws).
    pub sensitivity_draws: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetCalibration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub kind: Kind,
    /// The draft rule as written in the scenario.
    pub draft: Rule,
    /// Probability that the draft threshold is met.
    pub probability: f64,
    /// Its Monte Carlo standard error.
    pub se: f64,
    pub verdict: Verdict,
    /// The recommended threshold (`about`/`range`: the centre, see `recommended_rule`).
    pub recommended: f64,
    /// The whole recommended rule.
    pub recommended_rule: Rule,
    /// Probability that the recommended rule is met in these draws: Q, or
    /// more for an indicator that moves in steps (a count), whose values jump.
    pub recommended_probability: f64,
    /// The draft's position: fraction of draws below the draft's threshold (centre for about/range).
    pub draft_percentile: f64,
    /// The recommendation as it can be published: `recommended_rule`
    /// rounded to the indicator's step (half a point for a rate, three
    /// significant figures for a level, whole numbers for a count, or the
    /// scenario's `[report] round_to`): the most demanding step met with
    /// probability at least Q, and that rounded rule's own probability in
    /// these draws.
    pub published: Published,
    /// Comparison with the upper level's target on the same indicator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper: Option<UpperGap>,
    /// The three most influential drivers (see `sensitivity`).
    pub decided_by: Vec<Decider>,
    /// For plans with `--keep-plan Q`: the first-year threshold each plan
    /// target needs to stay reachable with probability Q.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keep_plan: Vec<KeepPlan>,
}

/// What a first-year target must be for a plan target to stay reachable.
#[derive(Debug, Clone, Serialize)]
pub struct KeepPlan {
    /// The plan target (its column in the plan view).
    pub plan_target: String,
    pub plan_rule: Rule,
    /// The probability Q asked for.
    pub keep: f64,
    /// The lowest first-year threshold keeping the plan target at Q or more
    /// (null: no first-year value does).
    pub threshold: Option<f64>,
    /// P(plan target met | first year near the draft's threshold).
    pub at_draft: f64,
    /// Draws in each conditioning band.
    pub band_draws: u64,
}

/// The conditional probability of `met` given `x` near each of its values:
/// sorted `x`, and for each rank the share of `met` among the `band`
/// draws around it.
fn conditional_curve(x: &[f64], met: &[bool], band: usize) -> (Vec<f64>, Vec<f64>) {
    let n = x.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0u64);
    for &i in &idx {
        prefix.push(prefix[prefix.len() - 1] + met[i] as u64);
    }
    let band = band.clamp(1, n.max(1));
    let p = (0..n)
        .map(|r| {
            let start = r.saturating_sub(band / 2).min(n - band);
            (prefix[start + band] - prefix[start]) as f64 / band as f64
        })
        .collect();
    (idx.iter().map(|&i| x[i]).collect(), p)
}

/// The lowest first-year value from which the conditional probability
/// stays at or above `q`, and the probability at `draft`.
fn keep_threshold(x: &[f64], met: &[bool], q: f64, draft: f64) -> (Option<f64>, f64, u64) {
    let n = x.len();
    if n == 0 {
        return (None, f64::NAN, 0);
    }
    let band = ((crate::summary::plan::BAND_SHARE * n as f64).round() as usize).max(1);
    let (sorted, p) = conditional_curve(x, met, band);
    // From the top down: the last rank at which the curve is still >= q.
    let mut threshold = None;
    for r in (0..n).rev() {
        if p[r] >= q {
            threshold = Some(sorted[r]);
        } else {
            break;
        }
    }
    let at = sorted.partition_point(|&v| v < draft).min(n - 1);
    (threshold, p[at], band.min(n) as u64)
}

/// A rounded, publishable recommendation (see `TargetCalibration::published`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Published {
    pub rule: Rule,
    pub probability: f64,
}

impl Ladder {
    /// The most demanding rule on the rounding grid of `step` met in at
    /// least a fraction `q` of the draws, counted on the sorted values.
    fn published(&self, q: f64, step: f64) -> Rule {
        use crate::briefing::publish::{ceil_to, floor_to, multiple};
        let n = self.sorted.len();
        let need = (q * n as f64).ceil() as usize;
        // Draws met by a grid point k * step, from the sorted values.
        let met = |k: i64| -> usize {
            let t = multiple(k as f64, step);
            match self.rule {
                Rule::AtLeast { .. } => n - self.sorted.partition_point(|&x| x < t),
                _ => self.sorted.partition_point(|&x| x <= t),
            }
        };
        let start = self.at(q);
        let rule_at = |k: i64| {
            let v = multiple(k as f64, step);
            match self.rule {
                Rule::AtLeast { .. } => Rule::AtLeast { threshold: v },
                Rule::AtMost { .. } => Rule::AtMost { threshold: v },
                Rule::About { value, .. } => Rule::About {
                    value,
                    tolerance: v,
                },
                Rule::Range { .. } => Rule::Range {
                    low: self.centre - v,
                    high: self.centre + v,
                },
            }
        };
        match self.rule {
            Rule::AtLeast { .. } => {
                let mut k = (floor_to(start.reference_value(), step) / step).round() as i64;
                // Type-7 interpolation can leave the floor one step off
                // either way: walk to the last grid point still met often enough.
                while met(k + 1) >= need {
                    k += 1;
                }
                while k > i64::MIN / 2 && met(k) < need {
                    k -= 1;
                }
                rule_at(k)
            }
            _ => {
                let x = match start {
                    Rule::About { tolerance, .. } => tolerance,
                    Rule::Range { low, high } => 0.5 * (high - low),
                    r => r.reference_value(),
                };
                let mut k = (ceil_to(x, step) / step).round() as i64;
                while met(k - 1) >= need
                    && !(matches!(self.rule, Rule::About { .. } | Rule::Range { .. }) && k <= 1)
                {
                    k -= 1;
                }
                while k < i64::MAX / 2 && met(k) < need {
                    k += 1;
                }
                rule_at(k)
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UpperGap {
    /// The upper level's rule on this indicator.
    pub rule: Rule,
    /// Probability that the upper level's threshold is met.
    pub probability: f64,
    /// Recommended minus the upper level's threshold (centre for about/range).
    pub gap: f64,
    /// Whether the recommended threshold is at least as demanding (one-sided rules only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended_meets_upper: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Decider {
    pub driver: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub rank_correlation: Option<f64>,
    /// Average percentile (0 to 1) of the driver in the draws that miss the draft target.
    pub percentile_in_misses: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpperLevel {
    pub set: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Probability that every target of the upper level's set is met.
    pub joint_probability: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct JointCalibration {
    /// The joint probability asked for.
    pub target: f64,
    /// The common per-target confidence found by bisection.
    pub common_confidence: f64,
    /// Joint probability of these thresholds in the draws they were chosen on.
    pub joint_probability_in_sample: f64,
    /// The thresholds, per indicator.
    pub targets: IndexMap<String, JointTarget>,
    /// The independent check.
    pub check: JointCheck,
}

#[derive(Debug, Clone, Serialize)]
pub struct JointTarget {
    pub recommended: f64,
    pub rule: Rule,
    /// Probability of being met in the check simulation.
    pub probability: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct JointCheck {
    pub seed: u64,
    pub draws: u64,
    pub joint_probability: f64,
    pub se: f64,
}

/// A target turned into "met when v <= threshold(q)": one sorted column per target.
struct Ladder {
    rule: Rule,
    /// Centre for about/range targets.
    centre: f64,
    /// Sorted x (one-sided rules) or sorted |x − centre| (two-sided).
    sorted: Vec<f64>,
}

impl Ladder {
    fn new(rule: Rule, col: &[f64]) -> Ladder {
        let centre = rule.reference_value();
        let mut sorted: Vec<f64> = match rule {
            Rule::AtLeast { .. } | Rule::AtMost { .. } => col.to_vec(),
            Rule::About { .. } | Rule::Range { .. } => {
                col.iter().map(|x| (x - centre).abs()).collect()
            }
        };
        sorted.par_sort_unstable_by(f64::total_cmp);
        Ladder {
            rule,
            centre,
            sorted,
        }
    }

    /// The rule met with probability q (type-7 quantiles).
    fn at(&self, q: f64) -> Rule {
        match self.rule {
            Rule::AtLeast { .. } => Rule::AtLeast {
                threshold: quantile_sorted(&self.sorted, 1.0 - q),
            },
            Rule::AtMost { .. } => Rule::AtMost {
                threshold: quantile_sorted(&self.sorted, q),
            },
            Rule::About { value, .. } => Rule::About {
                value,
                tolerance: quantile_sorted(&self.sorted, q),
            },
            Rule::Range { .. } => {
                let h = quantile_sorted(&self.sorted, q);
                Rule::Range {
                    low: self.centre - h,
                    high: self.centre + h,
                }
            }
        }
    }
}

/// Fraction of draws in which every rule holds on its column.
fn joint_fraction(cols: &[&[f64]], rules: &[Rule], draws: usize) -> f64 {
    if draws == 0 {
        return f64::NAN;
    }
    // Integer counts per chunk: the same total for any number of threads.
    const CHUNK: usize = 1 << 16;
    let met: usize = (0..draws.div_ceil(CHUNK))
        .into_par_iter()
        .map(|b| {
            (b * CHUNK..((b + 1) * CHUNK).min(draws))
                .filter(|&i| cols.iter().zip(rules).all(|(c, r)| r.is_met(c[i])))
                .count()
        })
        .sum();
    met as f64 / draws as f64
}

/// Calibrate a target set. The simulation is the same as `run`'s for the same
/// draws and seed.
pub fn calibrate(original: &Scenario, opts: &Options) -> Result<Calibration, RunError> {
    let view = plan_view::view(original);
    let sim = engine::columns(original, &opts.run)?;
    let sens = sensitivity::run(original, &opts.run)?;
    calibrate_simulation(original, &view, sim, &sens, opts)
}

fn calibrate_simulation(
    original: &Scenario,
    view: &View,
    sim: Simulation,
    sens: &Sensitivity,
    opts: &Options,
) -> Result<Calibration, RunError> {
    let s = &view.scenario;
    let set: &TargetSet = &s.target_sets[opts.set];
    let n = sim.draws;
    let counts = &sim.counts[opts.set];
    let cols: Vec<&[f64]> = set
        .targets
        .iter()
        .map(|t| sim.indicators[t.indicator].as_slice())
        .collect();
    let ladders: Vec<Ladder> = set
        .targets
        .iter()
        .zip(&cols)
        .map(|(t, c)| Ladder::new(t.rule, c))
        .collect();
    let upper = opts.upper.filter(|&u| u != opts.set);
    let mut targets = IndexMap::new();
    for (k, (t, ladder)) in set.targets.iter().zip(&ladders).enumerate() {
        let ind = &s.indicators[t.indicator];
        let p = counts.met[k] as f64 / n as f64;
        let rec = ladder.at(opts.confidence);
        let centre = t.rule.reference_value();
        let below = cols[k].iter().filter(|&&x| x < centre).count() as f64 / n as f64;
        let upper_gap = upper.and_then(|u| {
            let uset = &s.target_sets[u];
            let j = uset
                .targets
                .iter()
                .position(|x| x.indicator == t.indicator)?;
            let urule = uset.targets[j].rule;
            let gap = rec.reference_value() - urule.reference_value();
            let meets = match (rec, urule) {
                (Rule::AtLeast { threshold: a }, Rule::AtLeast { threshold: b }) => Some(a >= b),
                (Rule::AtMost { threshold: a }, Rule::AtMost { threshold: b }) => Some(a <= b),
                _ => None,
            };
            Some(UpperGap {
                rule: urule,
                probability: sim.counts[u].met[j] as f64 / n as f64,
                gap,
                recommended_meets_upper: meets,
            })
        });
        let decided_by = sens
            .indicators
            .get(&ind.name)
            .map(|is| {
                is.drivers
                    .iter()
                    .take(3)
                    .map(|(dname, ds)| Decider {
                        driver: dname.clone(),
                        label: s
                            .drivers
                            .iter()
                            .find(|d| &d.name == dname)
                            .and_then(|d| d.meta.label.clone()),
                        rank_correlation: ds.rank_correlation,
                        percentile_in_misses: is
                            .misses
                            .get(&set.name)
                            .and_then(|m| m.drivers.get(dname))
                            .and_then(|x| x.percentile_in_misses),
                    })
                    .collect()
            })
            .unwrap_or_default();
        targets.insert(
            ind.name.clone(),
            TargetCalibration {
                label: ind.meta.label.clone(),
                kind: ind.meta.kind,
                draft: t.rule,
                probability: p,
                se: proportion_se(p, n as u64),
                verdict: Verdict::of(p, opts.bands),
                recommended: rec.reference_value(),
                recommended_rule: rec,
                recommended_probability: cols[k].iter().filter(|&&x| rec.is_met(x)).count() as f64
                    / n as f64,
                draft_percentile: below,
                published: {
                    let original_index = original.indicator_index(&ind.name);
                    let round_to = original_index.and_then(|i| original.report.step(i));
                    let at = match t.rule {
                        Rule::AtLeast { .. } | Rule::AtMost { .. } => rec.reference_value(),
                        _ => centre,
                    };
                    let step = crate::briefing::publish::step(ind.meta.kind, round_to, at);
                    let rule = ladder.published(opts.confidence, step);
                    Published {
                        rule,
                        probability: cols[k].iter().filter(|&&x| rule.is_met(x)).count() as f64
                            / n as f64,
                    }
                },
                upper: upper_gap,
                decided_by,
                keep_plan: keep_plan(original, view, &sim, t, opts.keep_plan),
            },
        );
    }
    let rec_rules: Vec<Rule> = ladders.iter().map(|l| l.at(opts.confidence)).collect();
    let recommended_joint = joint_fraction(&cols, &rec_rules, n);
    let searched = opts.joint.map(|p| {
        let (q, rules, in_sample) = joint_search(&ladders, &cols, n, p);
        (p, q, rules, in_sample)
    });
    let upper_joint = upper.map(|u| sim.counts[u].joint as f64 / n as f64);
    let draft_joint = counts.joint as f64 / n as f64;
    let seed = sim.seed;
    // Free the draws before the check simulates a second set of them.
    drop((cols, ladders));
    drop(sim);
    let joint = match searched {
        Some(found) => Some(joint_check(original, s, set, found, opts)?),
        None => None,
    };
    let upper_level = upper.map(|u| UpperLevel {
        set: s.target_sets[u].name.clone(),
        label: s.target_sets[u].meta.label.clone(),
        joint_probability: upper_joint.unwrap_or(f64::NAN),
    });
    Ok(Calibration {
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        scenario: ScenarioInfo::of(s),
        seed,
        draws: n as u64,
        generator: crate::sampling::GENERATOR,
        quantile_method: crate::summary::QUANTILE_METHOD,
        set: set.name.clone(),
        set_label: set.meta.label.clone(),
        confidence: opts.confidence,
        bands: opts.bands,
        targets,
        draft_joint_probability: draft_joint,
        recommended_joint_probability: recommended_joint,
        joint,
        upper_level,
        sensitivity_draws: sens.draws,
    })
}

/// Bisection steps on the common confidence: 2^-40 is far below Monte Carlo error.
const BISECTION_STEPS: usize = 40;

#[allow(clippy::too_many_arguments)]
/// The common confidence, its rules and their joint fraction in these draws.
fn joint_search(
    ladders: &[Ladder],
    cols: &[&[f64]],
    n: usize,
    target: f64,
) -> (f64, Vec<Rule>, f64) {
    let rules_at = |q: f64| -> Vec<Rule> { ladders.iter().map(|l| l.at(q)).collect() };
    // joint(q) never decreases in q, and joint(1) = 1: every draw meets
    // thresholds at the extremes of the draws.
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..BISECTION_STEPS {
        let mid = 0.5 * (lo + hi);
        if joint_fraction(cols, &rules_at(mid), n) >= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let q = hi;
    let rules = rules_at(q);
    let in_sample = joint_fraction(cols, &rules, n);
    (q, rules, in_sample)
}

/// The independent check of a jointly calibrated set: the set's new
/// thresholds on fresh streams (seed + 1) of the same model.
fn joint_check(
    original: &Scenario,
    s: &Scenario,
    set: &TargetSet,
    (target, q, rules, in_sample): (f64, f64, Vec<Rule>, f64),
    opts: &Options,
) -> Result<JointCalibration, RunError> {
    let mut run = opts.run;
    run.seed = opts.run.seed.wrapping_add(1);
    run.keep_drivers = false;
    let sim = engine::columns(original, &run)?;
    let draws = sim.draws as u64;
    let mut joint = vec![true; sim.draws];
    let met: Vec<u64> = set
        .targets
        .iter()
        .zip(&rules)
        .map(|(t, r)| engine::count_met(*r, &sim.indicators[t.indicator], &mut joint))
        .collect();
    let p_check = joint.iter().filter(|&&j| j).count() as f64 / draws as f64;
    Ok(JointCalibration {
        target,
        common_confidence: q,
        joint_probability_in_sample: in_sample,
        targets: set
            .targets
            .iter()
            .zip(&rules)
            .zip(&met)
            .map(|((t, r), &m)| {
                (
                    s.indicators[t.indicator].name.clone(),
                    JointTarget {
                        recommended: r.reference_value(),
                        rule: *r,
                        probability: m as f64 / draws as f64,
                    },
                )
            })
            .collect(),
        check: JointCheck {
            seed: run.seed,
            draws,
            joint_probability: p_check,
            se: proportion_se(p_check, draws),
        },
    })
}

/// `--keep-plan Q` for one target of the set (see the module's definitions).
fn keep_plan(
    original: &Scenario,
    view: &View,
    sim: &Simulation,
    t: &crate::scenario::Target,
    q: Option<f64>,
) -> Vec<KeepPlan> {
    let (Some(q), Some(h)) = (q, original.horizon.as_ref()) else {
        return Vec::new();
    };
    let (Some(Column::Value { indicator, year: 0 }), Rule::AtLeast { threshold }) =
        (view.columns.get(t.indicator), t.rule)
    else {
        return Vec::new();
    };
    let Some(plan) = h.plan.as_ref() else {
        return Vec::new();
    };
    let x = &sim.indicators[t.indicator];
    view.columns
        .iter()
        .enumerate()
        .filter_map(|(c, col)| match col {
            Column::Plan { target } if plan.targets[*target].condition_on == *indicator => {
                let pt = &plan.targets[*target];
                let met: Vec<bool> = sim.indicators[c]
                    .iter()
                    .map(|&v| pt.rule.is_met(v))
                    .collect();
                let (found, at_draft, band) = keep_threshold(x, &met, q, threshold);
                Some(KeepPlan {
                    plan_target: view.scenario.indicators[c].name.clone(),
                    plan_rule: pt.rule,
                    keep: q,
                    threshold: found,
                    at_draft,
                    band_draws: band,
                })
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_follow_the_bands() {
        let b = Bands::default();
        assert_eq!(Verdict::of(0.49, b), Verdict::TooAmbitious);
        assert_eq!(Verdict::of(0.5, b), Verdict::Within);
        assert_eq!(Verdict::of(0.9, b), Verdict::Within);
        assert_eq!(Verdict::of(0.91, b), Verdict::TooTimid);
    }

    #[test]
    fn a_ladder_gives_type7_quantiles_for_each_rule() {
        let col = [4.0, 1.0, 3.0, 2.0];
        // type 7 of [1,2,3,4]: Q(0.25) = 1.75, Q(0.75) = 3.25
        let l = Ladder::new(Rule::AtLeast { threshold: 0.0 }, &col);
        assert_eq!(l.at(0.75), Rule::AtLeast { threshold: 1.75 });
        let l = Ladder::new(Rule::AtMost { threshold: 0.0 }, &col);
        assert_eq!(l.at(0.75), Rule::AtMost { threshold: 3.25 });
        // |x - 2.5| = [1.5, 1.5, 0.5, 0.5]: Q(0.5) = 1.0
        let l = Ladder::new(
            Rule::About {
                value: 2.5,
                tolerance: 0.1,
            },
            &col,
        );
        assert_eq!(
            l.at(0.5),
            Rule::About {
                value: 2.5,
                tolerance: 1.0
            }
        );
        let l = Ladder::new(
            Rule::Range {
                low: 2.0,
                high: 3.0,
            },
            &col,
        );
        assert_eq!(
            l.at(0.5),
            Rule::Range {
                low: 1.5,
                high: 3.5
            }
        );
    }
}
