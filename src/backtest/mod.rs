//! Backtests: how well would each projection method have forecast a growth
//! series one year ahead, using only what was known at the time?
//!
//! Rolling origin, expanding window: for each forecast year `T` from
//! `from` on, every method sees the growth rates from the first year of the
//! series up to `T − 1` and nothing later, and gives a predictive
//! distribution for year `T` (see [`methods`]). Each is then scored against
//! the outcome (see [`Metrics`]).
//!
//! Metrics per method, over the `N` forecast years, with forecast error
//! `eₜ = forecastₜ − actualₜ` (the forecast is the predictive mean):
//! * `mae = mean|eₜ|`, `rmse = √mean(eₜ²)`, `bias = mean(eₜ)` (positive:
//!   forecasts too high);
//! * `coverage`: share of years with `lo ≤ actual ≤ hi` for the central
//!   interval at the level; `mean_width = mean(hi − lo)`;
//! * `crps`: mean continuous ranked probability score (see
//!   [`predictive`]): closed form for the normal and t methods, from the
//!   draws for `sim`;
//! * `pit`: `F(actualₜ)`, the predictive probability of an outcome at or
//!   below the actual; for a well calibrated method uniform on (0, 1).
//!   Histogram: [`PIT_BINS`] equal bins, the last one closed;
//! * `dm_vs_naive`: Diebold–Mariano test of equal squared-error loss
//!   against `naive`, `h = 1`: `dₜ = eₜ² − e_naive,ₜ²`,
//!   `DM = d̄ / √(γ₀/N)` with `γ₀ = (1/N)Σ(dₜ − d̄)²`, multiplied by the
//!   Harvey–Leybourne–Newbold factor `√((N + 1 − 2h + h(h − 1)/N)/N) =
//!   √((N − 1)/N)` and compared with Student t with `N − 1` degrees of
//!   freedom (two-sided p-value). Negative: the method's squared errors
//!   are smaller than naive's. Absent when every `dₜ` is equal.

pub mod methods;
pub mod predictive;
pub mod report;
pub mod targets;

use crate::history::Growth;
pub use methods::{Method, SimDist, SimSpec};
use predictive::Predictive;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Fewest past growth rates a forecast may use.
pub const MIN_HISTORY: usize = 5;
/// Past growth rates before the first forecast when `from` is not given.
pub const DEFAULT_HISTORY: usize = 10;
/// Bins of the PIT histogram.
pub const PIT_BINS: usize = 5;
/// Columns of `draws` values the `sim` method holds at once (its draws and
/// the sort's scratch), for the memory check before a run.
pub const SIM_COLUMNS: usize = 2;

/// What to run: plain data, filled by the CLI.
#[derive(Debug, Clone)]
pub struct BacktestOptions {
    /// First forecast year; default: the year with [`DEFAULT_HISTORY`] growth rates before it.
    pub from: Option<i32>,
    /// Central interval level, strictly between 0 and 1.
    pub level: f64,
    /// Draws per forecast for `sim`.
    pub draws: usize,
    pub seed: u64,
    pub sim_dist: SimDist,
}

impl Default for BacktestOptions {
    fn default() -> Self {
        BacktestOptions {
            from: None,
            level: 0.8,
            draws: 10_000,
            seed: 1,
            sim_dist: SimDist::SplitNormal,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BacktestError {
    #[error("--level {0}: the interval level must be between 0 and 1, e.g. 0.8 for 80%")]
    Level(f64),
    #[error("--draws {0}: give at least 100 and at most {max} draws per forecast, e.g. 10000", max = crate::scenario::MAX_DRAWS)]
    Draws(usize),
    #[error(
        "--from {from}: a forecast needs at least {min} past growth rates; the first possible year is {earliest} and the last is {last}"
    )]
    From {
        from: i32,
        min: usize,
        earliest: i32,
        last: i32,
    },
    #[error(
        "`{series}` has {n} growth rates; a backtest needs at least {need} ({min} to fit, 1 to forecast)"
    )]
    TooShort {
        series: String,
        n: usize,
        need: usize,
        min: usize,
    },
}

/// One forecast year of one method.
#[derive(Debug, Clone, Serialize)]
pub struct Forecast {
    pub year: i32,
    /// Growth rates used (the years before `year`).
    pub n_past: usize,
    /// The outcome.
    pub actual: f64,
    /// The point forecast (predictive mean).
    pub forecast: f64,
    /// Lower end of the central interval.
    pub lo: f64,
    /// Upper end of the central interval.
    pub hi: f64,
    /// `F(actual)` under the predictive distribution.
    pub pit: f64,
    /// CRPS of the outcome.
    pub crps: f64,
}

/// Diebold–Mariano test against `naive` with the HLN correction.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct DieboldMariano {
    /// HLN-corrected statistic; negative when the method beats naive.
    pub statistic: f64,
    /// Two-sided p-value from Student t with `df` degrees of freedom.
    pub p_value: f64,
    pub df: f64,
    /// Mean loss differential `mean(e² − e_naive²)`.
    pub mean_loss_difference: f64,
}

/// Scores of one method over all forecast years.
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    pub mae: f64,
    pub rmse: f64,
    /// Mean of forecast minus actual.
    pub bias: f64,
    /// Share of outcomes inside the interval.
    pub coverage: f64,
    pub mean_width: f64,
    pub crps: f64,
    /// Counts of PIT values in [`PIT_BINS`] equal bins of (0, 1).
    pub pit_histogram: Vec<usize>,
    /// Absent for `naive` itself and when the loss differences do not vary.
    pub dm_vs_naive: Option<DieboldMariano>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodResult {
    /// The method (the key of `methods` in `backtest.json`).
    #[serde(skip)]
    pub method: Method,
    /// Written at the level of the method: `methods.naive.mae`, ...
    #[serde(flatten)]
    pub metrics: Metrics,
    pub forecasts: Vec<Forecast>,
}

/// A whole backtest.
#[derive(Debug, Clone)]
pub struct Backtest {
    pub series: String,
    pub growth_years: (i32, i32),
    pub forecast_years: (i32, i32),
    pub options: BacktestOptions,
    pub methods: Vec<MethodResult>,
}

/// The first forecast year allowed and the default one.
pub fn first_years(growth: &Growth) -> (i32, i32) {
    let y0 = growth.years[0];
    (y0 + MIN_HISTORY as i32, y0 + DEFAULT_HISTORY as i32)
}

pub fn check_options(opts: &BacktestOptions) -> Result<(), BacktestError> {
    if !(opts.level > 0.0 && opts.level < 1.0) {
        return Err(BacktestError::Level(opts.level));
    }
    if opts.draws < 100 || opts.draws as u64 > crate::scenario::MAX_DRAWS {
        return Err(BacktestError::Draws(opts.draws));
    }
    Ok(())
}

/// Index of the first forecast year in `growth`.
pub fn first_index(growth: &Growth, from: Option<i32>) -> Result<usize, BacktestError> {
    let n = growth.values.len();
    if n < MIN_HISTORY + 1 {
        return Err(BacktestError::TooShort {
            series: growth.name.clone(),
            n,
            need: MIN_HISTORY + 1,
            min: MIN_HISTORY,
        });
    }
    let (earliest, default) = first_years(growth);
    let last = *growth.years.last().unwrap_or(&earliest);
    let from = from.unwrap_or(default.min(last));
    if from < earliest || from > last {
        return Err(BacktestError::From {
            from,
            min: MIN_HISTORY,
            earliest,
            last,
        });
    }
    Ok((from - growth.years[0]) as usize)
}

/// Run every method over every forecast year.
pub fn run(growth: &Growth, opts: &BacktestOptions) -> Result<Backtest, BacktestError> {
    check_options(opts)?;
    let start = first_index(growth, opts.from)?;
    let n = growth.values.len();
    let methods: Vec<MethodResult> = Method::ALL
        .iter()
        .map(|&method| {
            let forecasts: Vec<Forecast> = (start..n)
                .map(|k| {
                    let spec = SimSpec {
                        dist: opts.sim_dist,
                        draws: opts.draws,
                        seed: opts.seed,
                        index: (k - start) as u64,
                    };
                    let p = methods::predict(method, &growth.values[..k], spec);
                    score(&p, growth.years[k], k, growth.values[k], opts.level)
                })
                .collect();
            MethodResult {
                method,
                metrics: metrics(&forecasts, None),
                forecasts,
            }
        })
        .collect();
    let mut methods = methods;
    let naive_errors: Vec<f64> = methods[0]
        .forecasts
        .iter()
        .map(|f| f.forecast - f.actual)
        .collect();
    for m in methods.iter_mut().skip(1) {
        let e: Vec<f64> = m.forecasts.iter().map(|f| f.forecast - f.actual).collect();
        m.metrics.dm_vs_naive = diebold_mariano(&e, &naive_errors);
    }
    Ok(Backtest {
        series: growth.name.clone(),
        growth_years: (growth.years[0], growth.years[n - 1]),
        forecast_years: (growth.years[start], growth.years[n - 1]),
        options: opts.clone(),
        methods,
    })
}

fn score(p: &Predictive, year: i32, n_past: usize, actual: f64, level: f64) -> Forecast {
    let (lo, hi) = p.interval(level);
    Forecast {
        year,
        n_past,
        actual,
        forecast: p.point(),
        lo,
        hi,
        pit: p.cdf(actual),
        crps: p.crps(actual),
    }
}

/// The metrics of a list of forecasts (DM filled in separately).
pub fn metrics(f: &[Forecast], dm: Option<DieboldMariano>) -> Metrics {
    let n = f.len() as f64;
    let e: Vec<f64> = f.iter().map(|x| x.forecast - x.actual).collect();
    let mut hist = vec![0; PIT_BINS];
    for x in f {
        let b = ((x.pit * PIT_BINS as f64).floor() as usize).min(PIT_BINS - 1);
        hist[b] += 1;
    }
    Metrics {
        mae: e.iter().map(|v| v.abs()).sum::<f64>() / n,
        rmse: (e.iter().map(|v| v * v).sum::<f64>() / n).sqrt(),
        bias: e.iter().sum::<f64>() / n,
        coverage: f
            .iter()
            .filter(|x| x.lo <= x.actual && x.actual <= x.hi)
            .count() as f64
            / n,
        mean_width: f.iter().map(|x| x.hi - x.lo).sum::<f64>() / n,
        crps: f.iter().map(|x| x.crps).sum::<f64>() / n,
        pit_histogram: hist,
        dm_vs_naive: dm,
    }
}

/// Diebold–Mariano with the Harvey–Leybourne–Newbold correction, `h = 1`,
/// squared-error loss; `None` with fewer than 2 years or constant `dₜ`.
pub fn diebold_mariano(errors: &[f64], naive_errors: &[f64]) -> Option<DieboldMariano> {
    let d: Vec<f64> = errors
        .iter()
        .zip(naive_errors)
        .map(|(a, b)| a * a - b * b)
        .collect();
    let t = d.len() as f64;
    if d.len() < 2 {
        return None;
    }
    let dbar = d.iter().sum::<f64>() / t;
    let gamma0 = d.iter().map(|x| (x - dbar).powi(2)).sum::<f64>() / t;
    if gamma0.is_nan() || gamma0 <= 0.0 {
        return None;
    }
    let dm = dbar / (gamma0 / t).sqrt();
    let statistic = dm * ((t - 1.0) / t).sqrt();
    let df = t - 1.0;
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some(DieboldMariano {
        statistic,
        p_value: 2.0 * (1.0 - dist.cdf(statistic.abs())),
        df,
        mean_loss_difference: dbar,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: Vec<f64>) -> Growth {
        Growth {
            name: "g".into(),
            years: (2000..2000 + values.len() as i32).collect(),
            values,
        }
    }

    #[test]
    fn a_constant_growth_series_gives_zero_errors_for_naive_mean_and_ar1() {
        let levels: Vec<f64> = (0..30).map(|t| 100.0 * 1.05f64.powi(t)).collect();
        let g = series(levels.windows(2).map(|w| w[1] / w[0] - 1.0).collect());
        let b = run(&g, &BacktestOptions::default()).unwrap();
        for m in &b.methods[..3] {
            assert!(m.metrics.mae < 1e-12, "{:?}: {}", m.method, m.metrics.mae);
            assert!(m.metrics.rmse < 1e-12);
        }
        assert_eq!(b.forecast_years, (2010, 2028));
    }

    #[test]
    fn ar1_forecasts_of_an_exact_ar1_process_have_zero_error() {
        let mut v = vec![0.09];
        for _ in 0..25 {
            let last = *v.last().unwrap();
            v.push(0.03 + 0.5 * last);
        }
        let b = run(&series(v), &BacktestOptions::default()).unwrap();
        let ar1 = &b.methods[2];
        assert_eq!(ar1.method, Method::Ar1);
        assert!(ar1.metrics.mae < 1e-12);
    }

    #[test]
    fn interval_coverage_on_a_long_iid_normal_series_is_within_binomial_error() {
        use crate::sampling::block_rng;
        use rand::RngExt;
        use rand_distr::StandardNormal;
        let mut rng = block_rng(17, 0);
        let v: Vec<f64> = (0..1500)
            .map(|_| 0.05 + 0.02 * rng.sample::<f64, _>(StandardNormal))
            .collect();
        let opts = BacktestOptions {
            from: Some(2000 + 30),
            draws: 100,
            sim_dist: SimDist::Normal,
            ..BacktestOptions::default()
        };
        let b = run(&series(v), &opts).unwrap();
        let n = b.methods[1].forecasts.len() as f64;
        let se = (0.8f64 * 0.2 / n).sqrt();
        // For iid normal data the mean method's t interval covers a new
        // observation with probability exactly 0.8; ar1 (slope near 0) uses
        // a plug-in sd from at least 30 years, so it is close to exact.
        for m in [&b.methods[1], &b.methods[2]] {
            let c = m.metrics.coverage;
            assert!((c - 0.8).abs() <= 4.0 * se, "{:?}: {c} (se {se})", m.method);
        }
    }

    #[test]
    fn diebold_mariano_matches_a_hand_computed_example() {
        // e = (1, 2, 0, 1), naive = (2, 2, 1, 2): d = (-3, 0, -1, -3),
        // d̄ = -7/4, γ₀ = ((5/4)² + (7/4)² + (3/4)² + (5/4)²)/4 = 108/64,
        // DM = d̄ / √(γ₀/4), HLN factor √(3/4).
        let dm = diebold_mariano(&[1.0, 2.0, 0.0, 1.0], &[2.0, 2.0, 1.0, 2.0]).unwrap();
        let want = -1.75 / (108.0f64 / 64.0 / 4.0).sqrt() * 0.75f64.sqrt();
        assert!((dm.statistic - want).abs() < 1e-12);
        assert_eq!(dm.df, 3.0);
        assert!(dm.p_value > 0.0 && dm.p_value < 0.2);
        assert!(diebold_mariano(&[1.0, 1.0], &[1.0, 1.0]).is_none());
    }

    #[test]
    fn from_before_enough_history_is_refused_with_the_earliest_year() {
        let g = series((0..20).map(|k| 0.01 * k as f64).collect());
        let e = run(
            &g,
            &BacktestOptions {
                from: Some(2003),
                ..BacktestOptions::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("first possible year is 2005"), "{e}");
        assert!(
            run(
                &g,
                &BacktestOptions {
                    level: 1.0,
                    ..BacktestOptions::default()
                }
            )
            .is_err()
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn scores_stay_in_range_and_repeat_for_any_series(
            values in proptest::collection::vec(-0.2f64..0.3, 7..25),
            seed in 0u64..1000,
        ) {
            let g = Growth {
                name: "g".into(),
                years: (1990..1990 + values.len() as i32).collect(),
                values,
            };
            let opts = BacktestOptions {
                from: Some(1990 + MIN_HISTORY as i32),
                draws: 200,
                seed,
                ..BacktestOptions::default()
            };
            let a = run(&g, &opts).unwrap();
            let b = run(&g, &opts).unwrap();
            for (m, n) in a.methods.iter().zip(&b.methods) {
                let x = &m.metrics;
                prop_assert!((0.0..=1.0).contains(&x.coverage));
                prop_assert!(x.mae <= x.rmse + 1e-15);
                prop_assert!(x.mean_width >= 0.0);
                prop_assert_eq!(x.pit_histogram.iter().sum::<usize>(), m.forecasts.len());
                for f in &m.forecasts {
                    prop_assert!((0.0..=1.0).contains(&f.pit));
                    prop_assert!(f.lo <= f.hi);
                    if m.method != Method::Sim {
                        // Symmetric predictive distributions: the mean is mid-interval,
                        // and the closed-form CRPS is never negative.
                        prop_assert!(f.lo <= f.forecast && f.forecast <= f.hi);
                        prop_assert!(f.crps >= 0.0);
                    }
                }
                prop_assert_eq!(
                    serde_json::to_string(m).unwrap(),
                    serde_json::to_string(n).unwrap()
                );
            }
        }
    }
}
