//! The four projection methods, each from the growth rates before the
//! forecast year only (`past`, oldest first, at least
//! [`super::MIN_HISTORY`] values). `n` is `past.len()`; `z`, `t` are the
//! two-sided quantiles at the interval level.
//!
//! * `naive`: last year's growth; predictive `N(g_last, s²)` with `s` the
//!   root-mean-square of the `n − 1` past naive errors `g_t − g_{t−1}`
//!   (interval `± z·s`).
//! * `mean`: the mean `ḡ` of the past growth rates; predictive
//!   `ḡ + sd·√(1 + 1/n)·T` with `T` Student t with `n − 1` degrees of freedom
//!   (sd with `n − 1`): the prediction interval `± t(n − 1)·sd·√(1 + 1/n)`
//!   for a new observation from a normal population.
//! * `ar1`: `g_t = a + b·g_{t−1} + e_t` fitted by least squares on the
//!   `n − 1` pairs (conditional on the first observation); forecast
//!   `a + b·g_last`, predictive `N(forecast, SSR/(n − 1))` (interval
//!   `± z·√(SSR/(n − 1))`). When all past growth rates are equal the slope
//!   is 0.
//! * `sim`: targetsim's own projection: the distribution `fit` would give
//!   the driver (split normal by the method of moments, or with
//!   `SimDist::Normal` the normal with mean and sd), simulated with the
//!   project's random streams and the scenario distributions; when the split
//!   normal cannot be fitted (a side without spread) the normal is used,
//!   and with no spread at all a point mass.

use super::predictive::Predictive;
use crate::fit;
use crate::model::distribution::Distribution;
use crate::sampling::{BLOCK, block_rng};
use rand::RngExt;
use rand_distr::StandardNormal;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Naive,
    Mean,
    Ar1,
    Sim,
}

impl Method {
    pub const ALL: [Method; 4] = [Method::Naive, Method::Mean, Method::Ar1, Method::Sim];

    pub fn name(self) -> &'static str {
        match self {
            Method::Naive => "naive",
            Method::Mean => "mean",
            Method::Ar1 => "ar1",
            Method::Sim => "sim",
        }
    }
}

/// Which distribution `sim` fits and simulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SimDist {
    SplitNormal,
    Normal,
}

/// How `sim` draws: `draws` values for forecast number `index`, from the
/// streams `block_rng(seed, index·B + b)`, `B = ⌈draws / BLOCK⌉`, each
/// giving up to `BLOCK` standard normal scores mapped through the marginal.
#[derive(Debug, Clone, Copy)]
pub struct SimSpec {
    pub dist: SimDist,
    pub draws: usize,
    pub seed: u64,
    pub index: u64,
}

pub fn naive(past: &[f64]) -> Predictive {
    let n = past.len();
    let ms = past.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>() / (n - 1) as f64;
    Predictive::normal(past[n - 1], ms.sqrt())
}

pub fn mean(past: &[f64]) -> Predictive {
    let n = past.len() as f64;
    let f = fit::normal(past);
    Predictive::student_t(f.mean, f.sd * (1.0 + 1.0 / n).sqrt(), n - 1.0)
}

/// Least-squares intercept and slope of `g_t` on `g_{t−1}`, and the SSR.
pub fn ar1_coefficients(past: &[f64]) -> (f64, f64, f64) {
    let x = &past[..past.len() - 1];
    let y = &past[1..];
    let k = x.len() as f64;
    let mx = x.iter().sum::<f64>() / k;
    let my = y.iter().sum::<f64>() / k;
    let sxx: f64 = x.iter().map(|v| (v - mx).powi(2)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let b = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let a = my - b * mx;
    let ssr = x.iter().zip(y).map(|(u, v)| (v - a - b * u).powi(2)).sum();
    (a, b, ssr)
}

pub fn ar1(past: &[f64]) -> Predictive {
    let (a, b, ssr) = ar1_coefficients(past);
    let fitted = (past.len() - 1) as f64;
    Predictive::normal(a + b * past[past.len() - 1], (ssr / fitted).sqrt())
}

/// The fitted distribution for `sim`, as a scenario distribution.
pub fn sim_distribution(past: &[f64], dist: SimDist) -> Option<Distribution> {
    if dist == SimDist::SplitNormal
        && let Some(f) = fit::split_normal_moments(past)
        && let Ok(d) = Distribution::split_normal(f.mode, f.sd_low, f.sd_high)
    {
        return Some(d);
    }
    let f = fit::normal(past);
    Distribution::normal(f.mean, f.sd).ok()
}

pub fn sim(past: &[f64], spec: SimSpec) -> Predictive {
    let Some(marginal) = sim_distribution(past, spec.dist).and_then(|d| d.marginal().ok()) else {
        return Predictive::Point(fit::normal(past).mean);
    };
    let blocks = spec.draws.div_ceil(BLOCK) as u64;
    let mut draws = vec![0.0; spec.draws];
    let mut scores = vec![0.0; BLOCK];
    for (b, chunk) in draws.chunks_mut(BLOCK).enumerate() {
        let mut rng = block_rng(spec.seed, spec.index * blocks + b as u64);
        for z in scores.iter_mut().take(chunk.len()) {
            *z = rng.sample(StandardNormal);
        }
        marginal.fill_from_scores(&scores[..chunk.len()], chunk);
    }
    Predictive::sample(draws)
}

pub fn predict(method: Method, past: &[f64], spec: SimSpec) -> Predictive {
    match method {
        Method::Naive => naive(past),
        Method::Mean => mean(past),
        Method::Ar1 => ar1(past),
        Method::Sim => sim(past, spec),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_squares_recovers_an_exact_ar1_process() {
        // g_t = 0.02 + 0.6 g_{t-1}, no noise: OLS returns the coefficients
        // and the forecast continues the process exactly.
        let mut g = vec![0.10];
        for _ in 0..12 {
            let last = *g.last().unwrap();
            g.push(0.02 + 0.6 * last);
        }
        let (a, b, ssr) = ar1_coefficients(&g);
        assert!((a - 0.02).abs() < 1e-12 && (b - 0.6).abs() < 1e-12 && ssr < 1e-24);
        let next = 0.02 + 0.6 * g.last().unwrap();
        assert!((ar1(&g).point() - next).abs() < 1e-12);
    }

    #[test]
    fn naive_and_mean_intervals_follow_their_definitions() {
        let past = [0.01, 0.03, 0.02, 0.06];
        // Naive errors 0.02, -0.01, 0.04: rms sqrt(0.0021/3).
        match naive(&past) {
            Predictive::Normal { mean, sd } => {
                assert_eq!(mean, 0.06);
                assert!((sd - (0.0021f64 / 3.0).sqrt()).abs() < 1e-15);
            }
            other => panic!("{other:?}"),
        }
        // Mean 0.03, sd sqrt(0.0014/3), scale sd·sqrt(1 + 1/4), df 3.
        match mean(&past) {
            Predictive::StudentT { loc, scale, df } => {
                assert!((loc - 0.03).abs() < 1e-15);
                assert!((scale - (0.0014f64 / 3.0 * 1.25).sqrt()).abs() < 1e-15);
                assert_eq!(df, 3.0);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sim_draws_repeat_for_the_same_seed_and_index_and_differ_otherwise() {
        let past = [0.01, 0.03, 0.02, 0.06, 0.04, 0.035];
        let spec = SimSpec {
            dist: SimDist::SplitNormal,
            draws: 10_000,
            seed: 5,
            index: 2,
        };
        let a = sim(&past, spec);
        assert_eq!(a, sim(&past, spec));
        assert_ne!(a, sim(&past, SimSpec { index: 3, ..spec }));
    }
}
