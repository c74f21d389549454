//! What a plan's summary adds to a one-year one: the horizon, and per plan
//! target its probability, its required path and whether it stays
//! reachable if next year's target is met.
//!
//! Definitions (also in the README, "Several years"):
//! - Required path of a plan target whose year is `T` years after year 0:
//!   its rule's reference value as a level `L` in year T (a level target as
//!   is; cumulative growth `c`: `x_0 (1 + c)`; average growth `g`:
//!   `x_0 (1 + g)^T`), and for each draw the average annual growth the
//!   remaining `T - 1` years would need after the first horizon year,
//!   `(L / x_1)^(1 / (T - 1)) - 1`, with `x_1` that draw's first-year value.
//!   Reported as quantiles over the draws.
//! - Still reachable if next year's target is met exactly: for each target
//!   set with a first-year target on the plan target's `condition_on`
//!   indicator (default: its own), the fraction of the plan target being met
//!   among the draws whose first-year value of that indicator is nearest to
//!   the target's reference value: the `max(1, round(2% of draws))` nearest,
//!   ties broken by draw order. This estimates P(plan met | first year =
//!   target) with persistence and correlations included, because it
//!   conditions the simulated paths rather than restarting them.

use super::Quantiles;
use super::proportion_se;
use crate::engine::Streamed;
use crate::engine::block::plan_met;
use crate::scenario::Scenario;
use crate::scenario::horizon::{Horizon, Measure};
use crate::scenario::{Kind, Rule};
use indexmap::IndexMap;
use serde::Serialize;

/// Levels of the fan chart's quantiles: 5%, 10%, ..., 95%. Bands pair them
/// symmetrically around the median: the central 10%, 20%, ..., 90%.
pub const FAN_LEVELS: [f64; 19] = [
    0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80,
    0.85, 0.90, 0.95,
];

/// Share of the draws nearest to next year's target used to condition on it.
pub const BAND_SHARE: f64 = 0.02;

#[derive(Debug, Clone, Serialize)]
pub struct HorizonInfo {
    /// Year 0: the year of the `[base]` values.
    pub base_year: i32,
    pub years: Vec<i32>,
    /// Each driver's AR(1) coefficient on its normal score (0: independent years).
    pub persistence: IndexMap<String, f64>,
    /// Levels of `fan_quantiles` below.
    pub fan_levels: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    pub targets: Vec<PlanTargetSummary>,
    /// Probability that every plan target is met in the same draw.
    pub joint_probability: f64,
    pub joint_se: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanTargetSummary {
    pub indicator: String,
    pub year: i32,
    /// `level`, `cumulative_growth` (x_T / x_0 - 1) or `average_growth` ((x_T / x_0)^(1/T) - 1).
    pub measure: Measure,
    #[serde(flatten)]
    pub rule: Rule,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wording: Option<String>,
    /// Year-0 value of the indicator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_value: Option<f64>,
    /// The indicator's level in the target year that the rule's reference value stands for.
    pub level_needed: f64,
    pub probability: f64,
    pub se: f64,
    /// Average annual growth the years after the first would need (absent
    /// when the target is on the first year).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_path: Option<RequiredPath>,
    /// P(plan target met | next year's target met exactly), per target set.
    pub reachable_if_met: Vec<Reachable>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequiredPath {
    /// First and last year of the remaining years.
    pub from_year: i32,
    pub to_year: i32,
    /// Quantiles over the draws of the average annual growth needed.
    pub quantiles: Quantiles,
    pub mean: f64,
    /// Draws left out because their first-year value was not positive.
    pub excluded_draws: u64,
    /// For comparison, quantiles of the average annual growth the draws
    /// actually took over the same years, `(x_T / x_1)^(1 / (T - 1)) - 1`.
    pub simulated: Quantiles,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reachable {
    pub target_set: String,
    /// The indicator conditioned on, in the first horizon year.
    pub indicator: String,
    /// The first-year target's reference value (the threshold of `at_least`).
    pub value: f64,
    /// The draws used: the nearest `BAND_SHARE` of draws to `value`.
    pub band_draws: u64,
    pub band_low: f64,
    pub band_high: f64,
    pub probability: f64,
    pub se: f64,
}

/// Indices of the `m` draws whose `x` is nearest to `c`, ties by draw order.
pub fn nearest_draws(x: &[f64], c: f64, m: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    let key = |&i: &usize| ((x[i] - c).abs(), i);
    let m = m.min(idx.len());
    if m == 0 {
        return Vec::new();
    }
    if m < idx.len() {
        idx.select_nth_unstable_by(m - 1, |a, b| {
            let (da, ia) = key(a);
            let (db, ib) = key(b);
            da.total_cmp(&db).then(ia.cmp(&ib))
        });
        idx.truncate(m);
    }
    idx.sort_unstable();
    idx
}

pub(crate) fn plan_section(s: &Scenario, h: &Horizon, run: &Streamed) -> Option<PlanSummary> {
    let plan = h.plan.as_ref()?;
    let Streamed {
        pilot,
        layout,
        tally,
    } = run;
    let draws = tally.draws;
    let exact = layout.exact(pilot);
    let levels = super::tally::levels(false);
    let band = ((BAND_SHARE * draws as f64).round() as usize).max(1);
    let targets = plan
        .targets
        .iter()
        .enumerate()
        .zip(&tally.plan.met)
        .map(|((ti, t), &met)| {
            let p = met as f64 / draws as f64;
            let t_years = t.year + 1;
            let level_needed = t.level_needed(t_years);
            let required_path = layout
                .paths
                .iter()
                .position(|ps| ps.target == ti)
                .map(|pi| {
                    let ps = &layout.paths[pi];
                    let (mean, _) = tally.mean_sd(layout, pilot, ps.need);
                    let q = tally.quantiles(layout, pilot, ps.need, &levels);
                    let took = tally.quantiles(layout, pilot, ps.took, &levels);
                    RequiredPath {
                        simulated: Quantiles::from_values(&took),
                        from_year: h.years[1],
                        to_year: h.years[t.year],
                        quantiles: Quantiles::from_values(&q),
                        mean,
                        excluded_draws: tally.excluded[pi],
                    }
                });
            let reachable_if_met = layout
                .reach
                .iter()
                .zip(&tally.reach)
                .filter(|(r, _)| r.target == ti)
                .map(|(r, count)| {
                    // With every draw in the pilot, the nearest `band` draws
                    // exactly; else the pilot's band of values.
                    let (band_draws, hits, lo, hi) = if exact {
                        let cond = &pilot.columns[r.indicator];
                        let end = &pilot.columns[t.year * s.indicators.len() + t.indicator];
                        let near = nearest_draws(cond, r.value, band);
                        let hits = near.iter().filter(|&&i| plan_met(t, end[i])).count() as u64;
                        let (lo, hi) = near
                            .iter()
                            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                                (lo.min(cond[i]), hi.max(cond[i]))
                            });
                        (near.len() as u64, hits, lo, hi)
                    } else {
                        (count.band, count.hits, r.lo, r.hi)
                    };
                    let pr = hits as f64 / band_draws as f64;
                    Reachable {
                        target_set: h.target_sets[r.set].name.clone(),
                        indicator: s.indicators[r.indicator].name.clone(),
                        value: r.value,
                        band_draws,
                        band_low: lo,
                        band_high: hi,
                        probability: pr,
                        se: proportion_se(pr, band_draws),
                    }
                })
                .collect();
            PlanTargetSummary {
                indicator: s.indicators[t.indicator].name.clone(),
                year: h.years[t.year],
                measure: t.measure,
                rule: t.rule,
                wording: t.wording.clone(),
                base_value: t.base_value,
                level_needed,
                probability: p,
                se: proportion_se(p, draws),
                required_path,
                reachable_if_met,
            }
        })
        .collect();
    let joint = tally.plan.joint as f64 / draws as f64;
    Some(PlanSummary {
        label: plan.meta.label.clone(),
        label_en: plan.meta.label_en.clone(),
        targets,
        joint_probability: joint,
        joint_se: proportion_se(joint, draws),
    })
}

/// The horizon as `summary.json` describes it.
pub(crate) fn horizon_info(s: &Scenario, h: &Horizon) -> HorizonInfo {
    HorizonInfo {
        base_year: h.base_year(),
        years: h.years.clone(),
        persistence: s
            .drivers
            .iter()
            .zip(&h.drivers)
            .map(|(d, p)| (d.name.clone(), p.persistence))
            .collect(),
        fan_levels: FAN_LEVELS.to_vec(),
    }
}

/// The kind of an indicator by name, for formatting.
pub fn kind_of(s: &Scenario, name: &str) -> Kind {
    s.indicator_index(name)
        .map_or(Kind::Level, |i| s.indicators[i].meta.kind)
}
