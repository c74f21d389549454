//! Which assumptions decide a miss: for each targeted indicator, its drivers
//! ranked by influence, how the draws that miss a target differ from all
//! draws, and a one-at-a-time tornado.
//!
//! Definitions (normative; the README repeats them):
//!
//! - **Analysed draws.** The first [`DRAWS`] draws of the run (all of them
//!   when the run has fewer), with the driver columns kept: `run` takes them
//!   from its pilot ([`of_pilot`]), the other commands simulate them again
//!   ([`run`]). The streams are per block and [`DRAWS`] is a whole number of
//!   blocks, so these are exactly the run's first draws; memory stays small
//!   at any `--draws`.
//! - **Drivers of an indicator**: the drivers its formula reaches, directly or
//!   through other indicators. Other drivers have no influence by construction
//!   and are not listed.
//! - **`rank_correlation`**: Spearman's rank correlation of the driver and the
//!   indicator (Pearson correlation of mid-ranks, so ties count half).
//! - **`variance_share`**: from the least-squares fit of the indicator on its
//!   drivers, `b_j · cov(x_j, y) / var(y)` (Pratt's measure). The shares sum
//!   to the fit's R²; for independent drivers each is `b_j² var(x_j) / var(y)`.
//!   Reported only when the fit is close to linear (`linear_r2 ≥ 0.9`); with
//!   correlated drivers a share can be negative (drivers offsetting each other).
//! - **Tornado**: the indicator evaluated with every driver at its median
//!   except one, which is set to its 10th and then its 90th percentile (exact
//!   quantiles of its distribution). Correlation is ignored by design: it shows
//!   each assumption alone. `swing = at_p90 − at_p10`.
//! - **Misses**: the draws in which a target on the indicator is not met. For
//!   each driver: its mean in all draws and in the misses, the shift in
//!   standard deviations `(mean_misses − mean_all) / sd_all`, and
//!   `percentile_in_misses`, the average percentile (mid-rank, 0 to 1) of the
//!   driver in the missing draws: 0.5 means the misses look like all draws,
//!   0.2 means misses happen when this driver is low.

use crate::RunOptions;
use crate::engine::{self, Simulation};
use crate::error::RunError;
use crate::model::Model;
use crate::model::expr::Scratch;
use crate::sampling::BLOCK;
use crate::scenario::{Rule, Scenario};
use crate::summary::tally::Pilot;
use indexmap::IndexMap;
use rayon::prelude::*;
use serde::Serialize;

/// Draws analysed: 8 blocks, so exactly the run's first draws.
pub const DRAWS: u64 = 8 * BLOCK as u64;
/// A linear fit with at least this R² is close enough to report variance shares.
pub const NEAR_LINEAR_R2: f64 = 0.9;

pub const METHOD: &str = "rank_correlation: Spearman (Pearson correlation of mid-ranks); variance_share: b_j cov(x_j, y) / var(y) of the least-squares fit on the indicator's drivers, when its R^2 >= 0.9; tornado: the indicator with every driver at its median except one at its 10th / 90th percentile; misses: draws where the target is not met";

/// `sensitivity` in `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Sensitivity {
    /// Draws analysed: the run's first `draws` draws.
    pub draws: u64,
    /// Short definitions of every figure below.
    pub method: &'static str,
    /// Variance shares are reported when the linear fit's R² is at least this.
    pub near_linear_r2: f64,
    /// Per targeted indicator, in the scenario's order.
    pub indicators: IndexMap<String, IndicatorSensitivity>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorSensitivity {
    /// R² of the least-squares fit of the indicator on its drivers (null when
    /// the indicator or every driver is constant).
    pub linear_r2: Option<f64>,
    /// Whether `linear_r2 ≥ near_linear_r2`, so `variance_share` is given.
    pub near_linear: bool,
    /// The indicator with every driver at its median (the tornado's centre).
    pub at_medians: Option<f64>,
    /// Per driver, most influential first (by |rank_correlation|, then
    /// declaration order).
    pub drivers: IndexMap<String, DriverSensitivity>,
    /// Per target set with a target on this indicator.
    pub misses: IndexMap<String, Misses>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DriverSensitivity {
    /// Spearman rank correlation with the indicator (null for a constant driver).
    pub rank_correlation: Option<f64>,
    /// Share of the indicator's variance (see `method`); null unless near-linear.
    pub variance_share: Option<f64>,
    /// The driver's 10th and 90th percentiles.
    pub p10: f64,
    pub p90: f64,
    /// The indicator with this driver at p10 (p90) and the others at their medians.
    pub at_p10: Option<f64>,
    pub at_p90: Option<f64>,
    /// `at_p90 − at_p10`.
    pub swing: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Misses {
    /// The target's rule, as in `target_sets`.
    #[serde(flatten)]
    pub rule: Rule,
    /// Fraction of the analysed draws that miss the target.
    pub miss_rate: f64,
    /// Per driver, in the order of `drivers` above.
    pub drivers: IndexMap<String, MissShift>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MissShift {
    pub mean_all: f64,
    /// Null when no draw misses.
    pub mean_misses: Option<f64>,
    /// `(mean_misses − mean_all) / sd_all`; null when no draw misses or the driver is constant.
    pub shift_sd: Option<f64>,
    /// Average mid-rank percentile (0 to 1) of the driver in the missing draws; 0.5 = no shift.
    pub percentile_in_misses: Option<f64>,
}

/// Re-simulate the run's first draws with driver columns and analyse them.
pub fn run(scenario: &Scenario, model: &Model, opts: &RunOptions) -> Result<Sensitivity, RunError> {
    let mut sub = *opts;
    sub.draws = opts.draws.min(DRAWS);
    sub.keep_drivers = true;
    sub.progress = None;
    let sim = engine::simulate(model, &sub)?;
    Ok(analyse(scenario, model, &sim))
}

/// Analyse the run's first draws as its pilot kept them (the first year's
/// indicators and drivers): the draws [`run`] simulates again, without
/// simulating them again.
pub fn of_pilot(scenario: &Scenario, model: &Model, pilot: &Pilot) -> Sensitivity {
    let k = model.n_indicators.min(pilot.columns.len());
    analyse_columns(
        scenario,
        model,
        pilot.draws,
        &pilot.columns[..k],
        &pilot.drivers,
    )
}

/// Analyse a simulation that kept its driver columns (columns aligned by draw).
pub fn analyse(scenario: &Scenario, model: &Model, sim: &Simulation) -> Sensitivity {
    analyse_columns(scenario, model, sim.draws, &sim.indicators, &sim.drivers)
}

/// Analyse `n` draws: indicator and driver columns aligned by draw.
fn analyse_columns(
    scenario: &Scenario,
    model: &Model,
    n: usize,
    indicator_cols: &[Vec<f64>],
    driver_cols: &[Vec<f64>],
) -> Sensitivity {
    let targeted: Vec<usize> = (0..scenario.indicators.len())
        .filter(|&k| {
            scenario
                .target_sets
                .iter()
                .any(|s| s.targets.iter().any(|t| t.indicator == k))
        })
        .collect();
    let ancestors = driver_ancestors(model);
    let tornado = tornado_points(scenario, model);
    // Rank every column that will be used once, in parallel (each column is
    // independent, so the result does not depend on the thread count).
    let mut used_drivers: Vec<usize> = targeted
        .iter()
        .flat_map(|&k| ancestors[k].iter().copied())
        .collect();
    used_drivers.sort_unstable();
    used_drivers.dedup();
    let ranked_cols: Vec<(bool, usize)> = used_drivers
        .iter()
        .map(|&j| (true, j))
        .chain(targeted.iter().map(|&k| (false, k)))
        .collect();
    let ranks: Vec<Vec<f64>> = ranked_cols
        .par_iter()
        .map(|&(is_driver, i)| {
            if is_driver {
                mid_ranks(&driver_cols[i])
            } else {
                mid_ranks(&indicator_cols[i])
            }
        })
        .collect();
    let rank_of_driver = |j: usize| &ranks[used_drivers.iter().position(|&u| u == j).unwrap_or(0)];
    let rank_of_indicator =
        |k: usize| &ranks[used_drivers.len() + targeted.iter().position(|&t| t == k).unwrap_or(0)];

    let mut indicators = IndexMap::new();
    for &k in &targeted {
        let y = &indicator_cols[k];
        let ry = rank_of_indicator(k);
        let own: &[usize] = &ancestors[k];
        let xs: Vec<&[f64]> = own.iter().map(|&j| driver_cols[j].as_slice()).collect();
        let (r2, shares) = linear_shares(&xs, y);
        let near_linear = r2.is_some_and(|r| r >= NEAR_LINEAR_R2);
        let mut rows: Vec<(usize, Option<f64>, Option<f64>)> = own
            .iter()
            .enumerate()
            .map(|(pos, &j)| {
                let rc = pearson(rank_of_driver(j), ry);
                let share = if near_linear {
                    shares.as_ref().map(|s| s[pos])
                } else {
                    None
                };
                (j, rc, share)
            })
            .collect();
        rows.sort_by(|a, b| {
            let key = |r: Option<f64>| r.map_or(-1.0, f64::abs);
            key(b.1).total_cmp(&key(a.1)).then(a.0.cmp(&b.0))
        });
        let drivers: IndexMap<String, DriverSensitivity> = rows
            .iter()
            .map(|&(j, rc, share)| {
                let lo = tornado.value(k, 1 + 2 * j);
                let hi = tornado.value(k, 2 + 2 * j);
                (
                    scenario.drivers[j].name.clone(),
                    DriverSensitivity {
                        rank_correlation: rc,
                        variance_share: share,
                        p10: tornado.p10[j],
                        p90: tornado.p90[j],
                        at_p10: lo,
                        at_p90: hi,
                        swing: lo.zip(hi).map(|(a, b)| b - a),
                    },
                )
            })
            .collect();
        let mut misses = IndexMap::new();
        for set in &scenario.target_sets {
            let Some(t) = set.targets.iter().find(|t| t.indicator == k) else {
                continue;
            };
            let missed: Vec<usize> = (0..n).filter(|&i| !t.rule.is_met(y[i])).collect();
            let m = missed.len();
            let shifts = rows
                .iter()
                .map(|&(j, _, _)| {
                    let x = &driver_cols[j];
                    let mean_all = crate::summary::stats::mean(x);
                    let sd_all = crate::summary::stats::sd(x, mean_all);
                    let (mean_misses, pct) = if m == 0 {
                        (None, None)
                    } else {
                        let r = rank_of_driver(j);
                        let sx: f64 = missed.iter().map(|&i| x[i]).sum();
                        let sr: f64 = missed.iter().map(|&i| r[i] - 0.5).sum();
                        (Some(sx / m as f64), Some(sr / (m as f64 * n as f64)))
                    };
                    let shift = mean_misses
                        .filter(|_| sd_all > 0.0)
                        .map(|mm| (mm - mean_all) / sd_all);
                    (
                        scenario.drivers[j].name.clone(),
                        MissShift {
                            mean_all,
                            mean_misses,
                            shift_sd: shift,
                            percentile_in_misses: pct,
                        },
                    )
                })
                .collect();
            misses.insert(
                set.name.clone(),
                Misses {
                    rule: t.rule,
                    miss_rate: m as f64 / n.max(1) as f64,
                    drivers: shifts,
                },
            );
        }
        indicators.insert(
            scenario.indicators[k].name.clone(),
            IndicatorSensitivity {
                linear_r2: r2,
                near_linear,
                at_medians: tornado.value(k, 0),
                drivers,
                misses,
            },
        );
    }
    Sensitivity {
        draws: n as u64,
        method: METHOD,
        near_linear_r2: NEAR_LINEAR_R2,
        indicators,
    }
}

/// For each indicator, the drivers its formula reaches (sorted).
fn driver_ancestors(model: &Model) -> Vec<Vec<usize>> {
    let d = model.n_drivers;
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); model.n_indicators];
    // Evaluation order: every indicator after the ones it reads.
    for plan in &model.indicators {
        let mut mine = Vec::new();
        for s in plan.program.slots() {
            if s < d {
                mine.push(s);
            } else if let Some(up) = out.get(s - d) {
                mine.extend_from_slice(up);
            }
        }
        mine.sort_unstable();
        mine.dedup();
        out[plan.slot - d] = mine;
    }
    out
}

/// The model evaluated at a few points: point 0 has every driver at its
/// median; point `1 + 2j` (`2 + 2j`) has driver `j` at its 10th (90th)
/// percentile and the others at their medians.
struct Tornado {
    p10: Vec<f64>,
    p90: Vec<f64>,
    /// Indicator columns, one value per point.
    values: Vec<Vec<f64>>,
}

impl Tornado {
    fn value(&self, k: usize, point: usize) -> Option<f64> {
        self.values
            .get(k)
            .and_then(|c| c.get(point))
            .copied()
            .filter(|x| x.is_finite())
    }
}

fn tornado_points(scenario: &Scenario, model: &Model) -> Tornado {
    let d = model.n_drivers;
    let m = 1 + 2 * d;
    let q = |u: f64| -> Vec<f64> {
        scenario
            .drivers
            .iter()
            .map(|x| x.marginal.quantile(u))
            .collect()
    };
    let (med, p10, p90) = (q(0.5), q(0.1), q(0.9));
    let mut cols: Vec<Vec<f64>> = (0..d + model.n_indicators).map(|_| vec![0.0; m]).collect();
    for j in 0..d {
        cols[j].fill(med[j]);
        cols[j][1 + 2 * j] = p10[j];
        cols[j][2 + 2 * j] = p90[j];
    }
    let mut scratch = Scratch::default();
    for plan in &model.indicators {
        let mut out = std::mem::take(&mut cols[plan.slot]);
        {
            let views: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
            plan.program.eval(&views, &mut out, &mut scratch);
        }
        cols[plan.slot] = out;
    }
    Tornado {
        p10,
        p90,
        values: cols.split_off(d),
    }
}

/// 1-based ranks, ties given the average of the ranks they span.
pub fn mid_ranks(xs: &[f64]) -> Vec<f64> {
    // (value, position) pairs by value: ranks are a hot spot of a run (tens
    // of columns of 65,536 draws), so a bucket sort (see `sort_by_draw`). The
    // order among equal values does not matter, they share a rank.
    let order = crate::summary::stats::sort_by_draw(xs, |i| (xs[i], i as u32), |p| p.0);
    let mut ranks = vec![0.0; xs.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && order[j].0 == order[i].0 {
            j += 1;
        }
        // Positions i..j (0-based) hold ranks i+1..=j; their average:
        let r = (i + 1 + j) as f64 / 2.0;
        for &(_, o) in &order[i..j] {
            ranks[o as usize] = r;
        }
        i = j;
    }
    ranks
}

/// Pearson correlation; `None` when either column is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let mx = crate::summary::stats::mean(x);
    let my = crate::summary::stats::mean(y);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// R² of the least-squares fit of `y` on `xs` and each column's share
/// `b_j cov(x_j, y) / var(y)` (0 for a constant column). `None` when `y`
/// is constant or the fit cannot be solved.
pub fn linear_shares(xs: &[&[f64]], y: &[f64]) -> (Option<f64>, Option<Vec<f64>>) {
    let n = y.len();
    if n < 2 {
        return (None, None);
    }
    let my = crate::summary::stats::mean(y);
    let syy: f64 = y.iter().map(|v| (v - my) * (v - my)).sum();
    if syy <= 0.0 {
        return (None, None);
    }
    let means: Vec<f64> = xs.iter().map(|x| crate::summary::stats::mean(x)).collect();
    // Only columns that vary enter the fit.
    let live: Vec<usize> = (0..xs.len())
        .filter(|&j| xs[j].iter().any(|&v| v != xs[j][0]))
        .collect();
    if live.is_empty() {
        return (Some(0.0), Some(vec![0.0; xs.len()]));
    }
    let p = live.len();
    let mut sxx = nalgebra::DMatrix::<f64>::zeros(p, p);
    let mut sxy = nalgebra::DVector::<f64>::zeros(p);
    for a in 0..p {
        let xa = xs[live[a]];
        let ma = means[live[a]];
        sxy[a] = xa.iter().zip(y).map(|(u, v)| (u - ma) * (v - my)).sum();
        for b in a..p {
            let xb = xs[live[b]];
            let mb = means[live[b]];
            let s: f64 = xa.iter().zip(xb).map(|(u, v)| (u - ma) * (v - mb)).sum();
            sxx[(a, b)] = s;
            sxx[(b, a)] = s;
        }
    }
    let Some(chol) = sxx.cholesky() else {
        return (None, None);
    };
    let b = chol.solve(&sxy);
    let mut shares = vec![0.0; xs.len()];
    for (a, &j) in live.iter().enumerate() {
        shares[j] = b[a] * sxy[a] / syy;
    }
    let r2 = shares.iter().sum::<f64>().min(1.0);
    (Some(r2), Some(shares))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_the_average_of_their_ranks() {
        assert_eq!(
            mid_ranks(&[3.0, 1.0, 3.0, 2.0, 3.0]),
            vec![4.0, 1.0, 4.0, 2.0, 4.0]
        );
    }

    #[test]
    fn an_exact_linear_relation_gives_its_shares_and_r2_of_one() {
        // y = 2a - b on a small grid where a and b are uncorrelated.
        let a = [-1.0, -1.0, 1.0, 1.0];
        let b = [-1.0, 1.0, -1.0, 1.0];
        let y: Vec<f64> = a.iter().zip(&b).map(|(a, b)| 2.0 * a - b).collect();
        let (r2, shares) = linear_shares(&[&a, &b], &y);
        let shares = shares.unwrap();
        assert!((r2.unwrap() - 1.0).abs() < 1e-12);
        assert!((shares[0] - 0.8).abs() < 1e-12);
        assert!((shares[1] - 0.2).abs() < 1e-12);
    }

    #[test]
    fn a_constant_column_has_no_correlation() {
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        let r = pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]).unwrap();
        assert!(r > 0.99 && r <= 1.0);
    }
}
