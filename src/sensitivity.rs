//! Which assumptions decide a miss: for each targeted indicator, its drivers
//! ranked by influence, how the draws that miss a target differ from all
//! draws, and a one-at-a-time tornado.
//!
//! Definitions (normative; the README repeats them):
//!
//! - **Analysed draws.** The first [`DRAWS`] draws of the run (all of them
//!   when the run has fewer), re-simulated with the driver columns kept. The
//!   streams are per block and [`DRAWS`] is a whole number of blocks, so these
//!   are exactly the run's first draws; memory stays small at any `--draws`.
//! - **Drivers of an indicator**: the drivers its formula reaches, directly or
//!   through other indicators. Other drivers have no influence by construction
//!   and are not listed.
//! - **Plans.** Every target of every year and every plan target is analysed,
//!   under its name in the plan view (`gdp_growth@2027`,
//!   `gdp@2030:average_growth`), and its drivers are each driver in each year
//!   it reaches through lagged terms (`g_secondary@2026`). The tornado moves
//!   one driver in one year; a plan target's values are in its measure.
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
//! - **`met_low` / `met_high`**: P(target met) among the analysed draws
//!   whose driver is in its lowest (highest) tenth: mid-rank percentile at
//!   most 0.1 (at least 0.9), with the binomial standard error
//!   `sqrt(p (1 − p) / draws)`. Unlike the tornado, this keeps the other
//!   drivers as drawn (correlation included): the target chart of "what
//!   decides a miss" draws `met_low` → `met_high` in probability units.

use crate::RunOptions;
use crate::engine;
use crate::error::RunError;
use crate::model::expr::Scratch;
use crate::model::years::YearModel;
use crate::plan_view::{self, Column, View};
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

pub const METHOD: &str = "rank_correlation: Spearman (Pearson correlation of mid-ranks); variance_share: b_j cov(x_j, y) / var(y) of the least-squares fit on the indicator's drivers, when its R^2 >= 0.9; tornado: the indicator with every driver at its median except one at its 10th / 90th percentile; misses: draws where the target is not met; met_low / met_high: P(met) in the draws with the driver in its lowest / highest tenth (mid-rank percentile <= 0.1 / >= 0.9)";

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
    /// P(target met) in the analysed draws with the driver in its lowest
    /// tenth (mid-rank percentile at most 0.1), its binomial standard error
    /// and the number of those draws; null when there are none.
    pub met_low: Option<Decile>,
    /// The same in the driver's highest tenth (percentile at least 0.9).
    pub met_high: Option<Decile>,
}

/// The probability of meeting a target in a tenth of the analysed draws.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Decile {
    pub probability: f64,
    pub se: f64,
    pub draws: u64,
}

impl Decile {
    /// P(met) among the draws `inside` selects.
    fn of(met: &[bool], inside: impl Fn(usize) -> bool) -> Option<Decile> {
        let (mut k, mut m) = (0u64, 0u64);
        for (i, &ok) in met.iter().enumerate() {
            if inside(i) {
                k += 1;
                m += ok as u64;
            }
        }
        (k > 0).then(|| {
            let p = m as f64 / k as f64;
            Decile {
                probability: p,
                se: crate::summary::proportion_se(p, k),
                draws: k,
            }
        })
    }
}

/// Re-simulate the run's first draws, keeping the targeted columns and the
/// drivers they depend on, and analyse them. A plan is analysed through its
/// [`crate::plan_view`]: every year's targets and the plan targets, each
/// explained by the drivers of every year (`name@year`) it depends on.
pub fn run(scenario: &Scenario, opts: &RunOptions) -> Result<Sensitivity, RunError> {
    let model = YearModel::of(scenario);
    let view = plan_view::view(scenario);
    let problem = Problem::new(&model, &view);
    let mut wanted: Vec<Column> = problem.outputs.iter().map(|&c| view.columns[c]).collect();
    wanted.extend(problem.used.iter().map(|&i| {
        let (driver, year) = problem.inputs[i];
        Column::Driver { driver, year }
    }));
    let mut sub = *opts;
    sub.draws = opts.draws.min(DRAWS);
    sub.keep_drivers = false;
    sub.progress = None;
    let sim = engine::keep_columns(&model, &wanted, &sub)?;
    let columns: Vec<&[f64]> = sim.indicators.iter().map(Vec::as_slice).collect();
    let (outputs, inputs) = columns.split_at(problem.outputs.len());
    Ok(analyse(&model, &view, &problem, sim.draws, outputs, inputs))
}

/// [`run`], reading a one-year run's first draws from the pilot it kept
/// (its indicator and first-year driver columns) instead of simulating
/// them again; a plan's driver columns of later years are not in the
/// pilot, so a plan is simulated again as in [`run`].
pub fn of_pilot(
    scenario: &Scenario,
    opts: &RunOptions,
    pilot: &Pilot,
) -> Result<Sensitivity, RunError> {
    let model = YearModel::of(scenario);
    if scenario.horizon.is_some()
        || pilot.draws as u64 != opts.draws.min(DRAWS)
        || pilot.drivers.len() != model.n_drivers
    {
        return run(scenario, opts);
    }
    let view = plan_view::view(scenario);
    let problem = Problem::new(&model, &view);
    // One year: output `c` is indicator `c`, input `j` is driver `j`.
    let outputs: Vec<&[f64]> = problem
        .outputs
        .iter()
        .map(|&c| pilot.columns[c].as_slice())
        .collect();
    let inputs: Vec<&[f64]> = problem
        .used
        .iter()
        .map(|&j| pilot.drivers[j].as_slice())
        .collect();
    Ok(analyse(
        &model,
        &view,
        &problem,
        pilot.draws,
        &outputs,
        &inputs,
    ))
}

/// What is analysed: the view's targeted columns (`outputs`), and the
/// inputs, each driver in each year (`inputs[y * drivers + j]`), of which
/// `used` are those some output depends on.
struct Problem {
    inputs: Vec<(usize, usize)>,
    outputs: Vec<usize>,
    /// Per output, the inputs it depends on (sorted).
    ancestors: Vec<Vec<usize>>,
    used: Vec<usize>,
}

impl Problem {
    fn new(model: &YearModel, view: &View) -> Problem {
        let s = &view.scenario;
        let d = model.n_drivers;
        let inputs: Vec<(usize, usize)> = (0..model.n_years())
            .flat_map(|y| (0..d).map(move |j| (j, y)))
            .collect();
        let outputs: Vec<usize> = (0..s.indicators.len())
            .filter(|&c| {
                s.target_sets
                    .iter()
                    .any(|set| set.targets.iter().any(|t| t.indicator == c))
            })
            .collect();
        let reach = driver_ancestors(model);
        let k = model.n_indicators;
        let ancestors: Vec<Vec<usize>> = outputs
            .iter()
            .map(|&c| match view.columns[c] {
                Column::Value { indicator, year } => reach[year * k + indicator].clone(),
                Column::Plan { target } => {
                    let t = &model.plan[target];
                    reach[t.year * k + t.indicator].clone()
                }
                Column::Driver { driver, year } => vec![year * d + driver],
            })
            .collect();
        let mut used: Vec<usize> = ancestors.iter().flatten().copied().collect();
        used.sort_unstable();
        used.dedup();
        Problem {
            inputs,
            outputs,
            ancestors,
            used,
        }
    }
}

/// Analyse `n` draws of the outputs and the used inputs (columns aligned by draw).
fn analyse(
    model: &YearModel,
    view: &View,
    problem: &Problem,
    n: usize,
    output_cols: &[&[f64]],
    input_cols: &[&[f64]],
) -> Sensitivity {
    let scenario = &view.scenario;
    let tornado = tornado_points(model, &problem.inputs);
    let input_col = |i: usize| {
        let pos = problem.used.binary_search(&i).unwrap_or(0);
        input_cols[pos]
    };
    // Rank every column that will be used once, in parallel (each column is
    // independent, so the result does not depend on the thread count).
    let ranks: Vec<Vec<f64>> = input_cols
        .par_iter()
        .chain(output_cols.par_iter())
        .map(|c| mid_ranks(c))
        .collect();
    let (input_ranks, output_ranks) = ranks.split_at(input_cols.len());
    let rank_of_input = |i: usize| &input_ranks[problem.used.binary_search(&i).unwrap_or(0)];

    let mut indicators = IndexMap::new();
    for (o, &c) in problem.outputs.iter().enumerate() {
        let y = output_cols[o];
        let ry = &output_ranks[o];
        let own: &[usize] = &problem.ancestors[o];
        let xs: Vec<&[f64]> = own.iter().map(|&i| input_col(i)).collect();
        let (r2, shares) = linear_shares(&xs, y);
        let near_linear = r2.is_some_and(|r| r >= NEAR_LINEAR_R2);
        let mut rows: Vec<(usize, Option<f64>, Option<f64>)> = own
            .iter()
            .enumerate()
            .map(|(pos, &i)| {
                let rc = pearson(rank_of_input(i), ry);
                let share = if near_linear {
                    shares.as_ref().map(|s| s[pos])
                } else {
                    None
                };
                (i, rc, share)
            })
            .collect();
        rows.sort_by(|a, b| {
            let key = |r: Option<f64>| r.map_or(-1.0, f64::abs);
            key(b.1).total_cmp(&key(a.1)).then(a.0.cmp(&b.0))
        });
        let column = view.columns[c];
        let drivers: IndexMap<String, DriverSensitivity> = rows
            .iter()
            .map(|&(i, rc, share)| {
                let lo = tornado.value(model, column, 1 + 2 * i);
                let hi = tornado.value(model, column, 2 + 2 * i);
                (
                    scenario.drivers[i].name.clone(),
                    DriverSensitivity {
                        rank_correlation: rc,
                        variance_share: share,
                        p10: tornado.p10[i],
                        p90: tornado.p90[i],
                        at_p10: lo,
                        at_p90: hi,
                        swing: lo.zip(hi).map(|(a, b)| b - a),
                    },
                )
            })
            .collect();
        let mut misses = IndexMap::new();
        for set in &scenario.target_sets {
            let Some(t) = set.targets.iter().find(|t| t.indicator == c) else {
                continue;
            };
            let met: Vec<bool> = (0..n).map(|i| t.rule.is_met(y[i])).collect();
            let missed: Vec<usize> = (0..n).filter(|&i| !met[i]).collect();
            let m = missed.len();
            let shifts = rows
                .iter()
                .map(|&(i, _, _)| {
                    let x = input_col(i);
                    let mean_all = crate::summary::stats::mean(x);
                    let sd_all = crate::summary::stats::sd(x, mean_all);
                    let (mean_misses, in_misses) = if m == 0 {
                        (None, None)
                    } else {
                        let r = rank_of_input(i);
                        let sx: f64 = missed.iter().map(|&k| x[k]).sum();
                        let sr: f64 = missed.iter().map(|&k| r[k] - 0.5).sum();
                        (Some(sx / m as f64), Some(sr / (m as f64 * n as f64)))
                    };
                    let shift = mean_misses
                        .filter(|_| sd_all > 0.0)
                        .map(|mm| (mm - mean_all) / sd_all);
                    // Deciles by mid-rank percentile, so tied values fall
                    // on one side together.
                    let r = rank_of_input(i);
                    let pct = |k: usize| (r[k] - 0.5) / n as f64;
                    let met_low = Decile::of(&met, |k| pct(k) <= 0.1);
                    let met_high = Decile::of(&met, |k| pct(k) >= 0.9);
                    (
                        scenario.drivers[i].name.clone(),
                        MissShift {
                            mean_all,
                            mean_misses,
                            shift_sd: shift,
                            percentile_in_misses: in_misses,
                            met_low,
                            met_high,
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
            scenario.indicators[c].name.clone(),
            IndicatorSensitivity {
                linear_r2: r2,
                near_linear,
                at_medians: tornado.value(model, column, 0),
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

/// For each indicator in each year (`year * indicators + i`), the inputs
/// (`year * drivers + j`) its formula reaches, directly, through other
/// indicators or through earlier years (sorted).
fn driver_ancestors(model: &YearModel) -> Vec<Vec<usize>> {
    let (d, k, w) = (model.n_drivers, model.n_indicators, model.width());
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); k * model.n_years()];
    // Year by year, in evaluation order: every indicator after the ones it reads.
    for (y, programs) in model.programs.iter().enumerate() {
        for plan in programs {
            let mut mine = Vec::new();
            for slot in plan.program.slots() {
                let (year, r) = (slot / w, slot % w);
                if r < d {
                    mine.push(year * d + r);
                } else if let Some(up) = out.get(year * k + r - d) {
                    mine.extend_from_slice(up);
                }
            }
            mine.sort_unstable();
            mine.dedup();
            out[y * k + plan.slot % w - d] = mine;
        }
    }
    out
}

/// The model evaluated at a few points: point 0 has every input at its
/// median; point `1 + 2i` (`2 + 2i`) has input `i` at its 10th (90th)
/// percentile and the others at their medians.
struct Tornado {
    p10: Vec<f64>,
    p90: Vec<f64>,
    /// Every slot of every year, one value per point.
    slots: Vec<Vec<f64>>,
}

impl Tornado {
    fn value(&self, model: &YearModel, column: Column, point: usize) -> Option<f64> {
        let w = model.width();
        let d = model.n_drivers;
        let at = |slot: usize| self.slots.get(slot).and_then(|c| c.get(point)).copied();
        let x = match column {
            Column::Value { indicator, year } => at(year * w + d + indicator),
            Column::Plan { target } => {
                let t = &model.plan[target];
                at(t.year * w + d + t.indicator).map(|x| t.measure_of(x, t.year + 1))
            }
            Column::Driver { driver, year } => at(year * w + driver),
        };
        x.filter(|x| x.is_finite())
    }
}

fn tornado_points(model: &YearModel, inputs: &[(usize, usize)]) -> Tornado {
    let (d, w) = (model.n_drivers, model.width());
    let m = 1 + 2 * inputs.len();
    let q = |u: f64| -> Vec<f64> {
        inputs
            .iter()
            .map(|&(j, y)| model.drivers[j].per_year[y].marginal.quantile(u))
            .collect()
    };
    let (med, p10, p90) = (q(0.5), q(0.1), q(0.9));
    let mut slots: Vec<Vec<f64>> = (0..w * model.n_years()).map(|_| vec![0.0; m]).collect();
    for (i, &(j, y)) in inputs.iter().enumerate() {
        let c = &mut slots[y * w + j];
        c.fill(med[i]);
        c[1 + 2 * i] = p10[i];
        c[2 + 2 * i] = p90[i];
    }
    debug_assert!(inputs.iter().all(|&(j, _)| j < d));
    let mut scratch = Scratch::default();
    for programs in &model.programs {
        for plan in programs {
            let mut out = std::mem::take(&mut slots[plan.slot]);
            {
                let views: Vec<&[f64]> = slots.iter().map(|c| c.as_slice()).collect();
                plan.program.eval(&views, &mut out, &mut scratch);
            }
            slots[plan.slot] = out;
        }
    }
    Tornado { p10, p90, slots }
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

#[cfg(test)]
mod decile_tests {
    use super::*;

    /// y = a + b with a, b independent uniform(0, 1); the target y >= 1 is
    /// met when b >= 1 - a, which has probability a given a. So P(met | a
    /// in its top tenth [0.9, 1]) = E[a | a >= 0.9] = 0.95, and in its
    /// bottom tenth 0.05 (exactly; the empirical deciles move this by
    /// about sqrt(0.09 / 65536) / 2 = 0.0006).
    #[test]
    fn p_met_in_a_drivers_top_and_bottom_tenth_matches_the_closed_form() {
        let toml = r#"
title = "deciles"
[simulation]
draws = 65536
seed = 11
[drivers]
a = { dist = "uniform", min = 0, max = 1 }
b = { dist = "uniform", min = 0, max = 1 }
[indicators]
y = { formula = "a + b" }
[target_sets.t]
targets = [{ indicator = "y", at_least = 1.0 }]
"#;
        let s = crate::scenario::from_bytes(
            std::path::Path::new("deciles.toml"),
            toml.as_bytes(),
            crate::scenario::Format::Toml,
        )
        .expect("scenario");
        let sens = run(&s, &RunOptions::new(DRAWS, 11)).expect("sensitivity");
        let a = &sens.indicators["y"].misses["t"].drivers["a"];
        let (lo, hi) = (a.met_low.expect("low"), a.met_high.expect("high"));
        for (d, want) in [(lo, 0.05), (hi, 0.95)] {
            // A tenth of the draws, give or take the ties (none here).
            assert!((d.draws as f64 - 6553.6).abs() <= 1.0, "{d:?}");
            let se = (want * (1.0 - want) / d.draws as f64).sqrt();
            assert!((d.se - se).abs() < 0.1 * se, "{d:?}");
            assert!(
                (d.probability - want).abs() <= 4.0 * se + 0.001,
                "{d:?}, want {want}"
            );
        }
    }
}
