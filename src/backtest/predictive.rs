//! A one-year-ahead predictive distribution and its scores.
//!
//! * normal `N(mean, sd²)`: CRPS in closed form (Gneiting and Raftery 2007),
//!   `sd·[z(2Φ(z) − 1) + 2φ(z) − 1/√π]` with `z = (y − mean)/sd`;
//! * Student t with `df > 1`, location `loc`, scale `scale`: CRPS in closed
//!   form (Jordan, Krüger and Lerch 2019), with `z = (y − loc)/scale`:
//!   `scale·[z(2F(z) − 1) + 2f(z)(df + z²)/(df − 1)
//!   − 2√df·B(1/2, df − 1/2)/((df − 1)·B(1/2, df/2)²)]`;
//! * a sample of `m` draws (the `sim` method): point forecast the mean of
//!   the draws, interval the type-7 quantiles, PIT the fraction of draws
//!   `≤ y`, CRPS the unbiased ("fair") sample estimator
//!   `(1/m)Σ|xᵢ − y| − (1/(2m(m − 1)))Σ_{i≠j}|xᵢ − xⱼ|`, computed exactly in
//!   `O(m log m)` from the sorted draws as
//!   `Σ_{i≠j}|xᵢ − xⱼ| = 2Σᵢ(2i − m + 1)x₍ᵢ₎` (0-based);
//! * a point mass (no spread in the history): CRPS `|x − y|`, interval of
//!   width 0, PIT 0, 1/2 or 1 as `y` is below, at or above it.

use crate::model::distribution::{std_normal_cdf, std_normal_quantile};
use statrs::distribution::{Continuous, ContinuousCDF, StudentsT};

#[derive(Debug, Clone, PartialEq)]
pub enum Predictive {
    Normal {
        mean: f64,
        sd: f64,
    },
    StudentT {
        loc: f64,
        scale: f64,
        df: f64,
    },
    /// Draws sorted ascending, with their mean.
    Sample {
        sorted: Vec<f64>,
        mean: f64,
    },
    Point(f64),
}

fn t(df: f64) -> Option<StudentsT> {
    StudentsT::new(0.0, 1.0, df).ok()
}

/// The two-sided `z` of a central interval at `level`: `Φ⁻¹((1 + level)/2)`.
pub fn z_quantile(level: f64) -> f64 {
    std_normal_quantile(0.5 * (1.0 + level))
}

/// The two-sided Student `t(df)` quantile at `level`.
pub fn t_quantile(level: f64, df: f64) -> f64 {
    t(df).map_or(f64::NAN, |d| d.inverse_cdf(0.5 * (1.0 + level)))
}

impl Predictive {
    /// Normal, or a point mass when `sd` is 0.
    pub fn normal(mean: f64, sd: f64) -> Predictive {
        if sd > 0.0 {
            Predictive::Normal { mean, sd }
        } else {
            Predictive::Point(mean)
        }
    }

    /// Student t, or a point mass when `scale` is 0.
    pub fn student_t(loc: f64, scale: f64, df: f64) -> Predictive {
        if scale > 0.0 {
            Predictive::StudentT { loc, scale, df }
        } else {
            Predictive::Point(loc)
        }
    }

    /// From draws (any order).
    pub fn sample(mut draws: Vec<f64>) -> Predictive {
        draws.sort_by(f64::total_cmp);
        let mean = crate::summary::stats::mean(&draws);
        Predictive::Sample {
            sorted: draws,
            mean,
        }
    }

    /// The point forecast: the mean.
    pub fn point(&self) -> f64 {
        match self {
            Predictive::Normal { mean, .. } => *mean,
            Predictive::StudentT { loc, .. } => *loc,
            Predictive::Sample { mean, .. } => *mean,
            Predictive::Point(x) => *x,
        }
    }

    /// The central interval at `level` (0 < level < 1).
    pub fn interval(&self, level: f64) -> (f64, f64) {
        match self {
            Predictive::Normal { mean, sd } => {
                let h = z_quantile(level) * sd;
                (mean - h, mean + h)
            }
            Predictive::StudentT { loc, scale, df } => {
                let h = t_quantile(level, *df) * scale;
                (loc - h, loc + h)
            }
            Predictive::Sample { sorted, .. } => (
                type7(sorted, 0.5 * (1.0 - level)),
                type7(sorted, 0.5 * (1.0 + level)),
            ),
            Predictive::Point(x) => (*x, *x),
        }
    }

    /// `P(Y ≤ y)`: the probability integral transform of an outcome.
    pub fn cdf(&self, y: f64) -> f64 {
        match self {
            Predictive::Normal { mean, sd } => std_normal_cdf((y - mean) / sd),
            Predictive::StudentT { loc, scale, df } => {
                t(*df).map_or(f64::NAN, |d| d.cdf((y - loc) / scale))
            }
            Predictive::Sample { sorted, .. } => {
                sorted.partition_point(|&x| x <= y) as f64 / sorted.len() as f64
            }
            Predictive::Point(x) => {
                if y < *x {
                    0.0
                } else if y > *x {
                    1.0
                } else {
                    0.5
                }
            }
        }
    }

    /// The continuous ranked probability score of outcome `y` (lower is better).
    pub fn crps(&self, y: f64) -> f64 {
        match self {
            Predictive::Normal { mean, sd } => crps_normal(*mean, *sd, y),
            Predictive::StudentT { loc, scale, df } => crps_t(*loc, *scale, *df, y),
            Predictive::Sample { sorted, .. } => crps_sample(sorted, y),
            Predictive::Point(x) => (x - y).abs(),
        }
    }
}

/// Type-7 quantile of sorted values.
fn type7(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(n - 1);
    let frac = h - lo as f64;
    if lo + 1 < n {
        sorted[lo] + frac * (sorted[lo + 1] - sorted[lo])
    } else {
        sorted[lo]
    }
}

fn phi(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Closed-form CRPS of `N(mean, sd²)` at `y`.
pub fn crps_normal(mean: f64, sd: f64, y: f64) -> f64 {
    let z = (y - mean) / sd;
    sd * (z * (2.0 * std_normal_cdf(z) - 1.0) + 2.0 * phi(z) - 1.0 / std::f64::consts::PI.sqrt())
}

/// Closed-form CRPS of a location-scale Student t with `df > 1` at `y`.
pub fn crps_t(loc: f64, scale: f64, df: f64, y: f64) -> f64 {
    let Some(d) = t(df) else {
        return f64::NAN;
    };
    use statrs::function::beta::ln_beta;
    let z = (y - loc) / scale;
    let last = 2.0 * df.sqrt() / (df - 1.0)
        * (ln_beta(0.5, df - 0.5) - 2.0 * ln_beta(0.5, 0.5 * df)).exp();
    scale * (z * (2.0 * d.cdf(z) - 1.0) + 2.0 * d.pdf(z) * (df + z * z) / (df - 1.0) - last)
}

/// The fair sample CRPS of sorted draws at `y` (see the module docs).
pub fn crps_sample(sorted: &[f64], y: f64) -> f64 {
    let m = sorted.len();
    if m == 0 {
        return f64::NAN;
    }
    let mf = m as f64;
    let to_y = sorted.iter().map(|x| (x - y).abs()).sum::<f64>() / mf;
    if m == 1 {
        return to_y;
    }
    let pairs: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * i as f64 - mf + 1.0) * x)
        .sum::<f64>()
        * 2.0;
    to_y - pairs / (2.0 * mf * (mf - 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampling::block_rng;
    use rand::RngExt;
    use rand_distr::StandardNormal;

    /// `∫ (F(x) − 1{x ≥ y})² dx` by the trapezoid rule on fine grids on
    /// each side of the jump at `y`.
    fn crps_by_integration(cdf: impl Fn(f64) -> f64, y: f64, lo: f64, hi: f64) -> f64 {
        let trapezoid = |a: f64, b: f64, f: &dyn Fn(f64) -> f64| {
            let n = 400_000;
            let h = (b - a) / n as f64;
            let mut s = 0.5 * (f(a) + f(b));
            for k in 1..n {
                s += f(a + k as f64 * h);
            }
            s * h
        };
        trapezoid(lo, y, &|x| cdf(x).powi(2)) + trapezoid(y, hi, &|x| (1.0 - cdf(x)).powi(2))
    }

    #[test]
    fn normal_and_t_crps_closed_forms_equal_the_defining_integral() {
        for y in [-2.5, -0.3, 0.0, 0.7, 3.0] {
            let exact = crps_by_integration(|x| std_normal_cdf((x - 0.5) / 1.5), y, -40.0, 40.0);
            assert!(
                (crps_normal(0.5, 1.5, y) - exact).abs() < 1e-6,
                "normal at {y}"
            );
            let d = t(5.0).unwrap();
            let exact = crps_by_integration(|x| d.cdf((x - 0.5) / 1.5), y, -4000.0, 4000.0);
            assert!((crps_t(0.5, 1.5, 5.0, y) - exact).abs() < 1e-4, "t at {y}");
        }
    }

    #[test]
    fn sample_crps_of_normal_draws_matches_the_closed_form_within_monte_carlo_error() {
        let (mu, sigma, y) = (0.06, 0.02, 0.085);
        let m = 200_000;
        let mut rng = block_rng(3, 0);
        let draws: Vec<f64> = (0..m)
            .map(|_| mu + sigma * rng.sample::<f64, _>(StandardNormal))
            .collect();
        // Standard error of the U-statistic from its first-order projection
        // ψ(x) = |x − y| − E|x − X'|, E|x − X'| = σ[z(2Φ(z) − 1) + 2φ(z)].
        let psi: Vec<f64> = draws
            .iter()
            .map(|&x| {
                let z = (x - mu) / sigma;
                (x - y).abs() - sigma * (z * (2.0 * std_normal_cdf(z) - 1.0) + 2.0 * phi(z))
            })
            .collect();
        let mean = crate::summary::stats::mean(&psi);
        let se = crate::summary::stats::sd(&psi, mean) / (m as f64).sqrt();
        let p = Predictive::sample(draws);
        let exact = crps_normal(mu, sigma, y);
        assert!(
            (p.crps(y) - exact).abs() <= 4.0 * se,
            "{} vs {exact}, se {se}",
            p.crps(y)
        );
    }

    #[test]
    fn sorted_pair_sum_equals_the_direct_double_sum() {
        let xs = [0.3, -1.0, 2.5, 0.3, 7.0, -0.2];
        let mut s = xs.to_vec();
        s.sort_by(f64::total_cmp);
        let y = 0.9;
        let direct: f64 = xs.iter().map(|x| (x - y).abs()).sum::<f64>() / 6.0
            - xs.iter()
                .flat_map(|a| xs.iter().map(move |b| (a - b).abs()))
                .sum::<f64>()
                / (2.0 * 6.0 * 5.0);
        assert!((crps_sample(&s, y) - direct).abs() < 1e-14);
    }

    #[test]
    fn intervals_use_two_sided_z_and_t_quantiles() {
        assert!((z_quantile(0.8) - 1.2815515655446004).abs() < 1e-9);
        // t(4) two-sided 80%: 1.533206.
        assert!((t_quantile(0.8, 4.0) - 1.533206).abs() < 1e-5);
        let (lo, hi) = Predictive::normal(1.0, 2.0).interval(0.8);
        assert!((hi - 1.0 - 2.0 * 1.2815515655446004).abs() < 1e-9);
        assert!((1.0 - lo - 2.0 * 1.2815515655446004).abs() < 1e-9);
        assert_eq!(Predictive::normal(1.0, 0.0), Predictive::Point(1.0));
        assert_eq!(Predictive::Point(1.0).crps(3.0), 2.0);
    }
}
