//! Marginal distributions of the uncertain drivers of a plan.
//!
//! Every uncertain driver (a price, a growth rate, a number of hires, ...) has a
//! *marginal distribution*: the distribution of that one quantity on its own.
//! This module defines the distributions a planner can choose, checks their
//! parameters, and turns random numbers into draws.
//!
//! # From a copula score to a draw
//!
//! The simulator draws all drivers of a trial together through a Gaussian
//! copula: it draws a vector of correlated standard-normal *scores* `z`, one per
//! driver, and maps each score to a value of its driver by
//!
//! ```text
//! x = F⁻¹(u),   u = Φ(z)
//! ```
//!
//! where `Φ` is the standard normal distribution function and `F⁻¹` is the
//! quantile function of the driver's marginal distribution. Because `Φ(z)` is
//! uniform on (0, 1) whenever `z` is standard normal, every driver has exactly
//! the marginal distribution written below, whatever the correlations; the
//! correlations only decide which draws go together. A higher score always
//! gives a higher (or equal) draw. A draw from a plain uniform `u` uses the same
//! map `x = F⁻¹(u)`.
//!
//! For normal and lognormal drivers the map is exact arithmetic
//! (`mean + sd·z`, `exp(mu + sigma·z)`). For the others the score's tail
//! probability is computed directly (`Φ(z)` for `z ≤ 0`, `1 − Φ(z) = Φ(−z)` for
//! `z > 0`), so both tails keep full relative accuracy.
//!
//! # The distributions and their parameters
//!
//! `Φ` is the standard normal distribution function, `φ` its density and `Φ⁻¹`
//! its inverse. Every parameter must be a finite number.
//!
//! * **normal** (`mean`, `sd`), `sd > 0`: the bell curve with the given mean and
//!   standard deviation. `F(x) = Φ((x − mean)/sd)`. Mean `mean`, variance `sd²`.
//!   Unbounded.
//!
//! * **lognormal**: `X = exp(Y)` with `Y` normal with mean `mu` and standard
//!   deviation `sigma` (`sigma > 0`), i.e. `ln X` is normal. Always positive.
//!   `F(x) = Φ((ln x − mu)/sigma)` for `x > 0`. Median `exp(mu)`, mean
//!   `exp(mu + sigma²/2)`, variance `(exp(sigma²) − 1)·exp(2·mu + sigma²)`.
//!   A planner gives it in one of two ways:
//!   - `median` (`> 0`) and `sigma`: `mu = ln(median)`. `sigma` is the standard
//!     deviation of `ln X`; for small values it is roughly the relative spread
//!     (`sigma = 0.15` is about ±15 % around the median for one standard
//!     deviation).
//!   - `mean` (`> 0`) and `sd` (`> 0`) of `X` itself:
//!     `sigma² = ln(1 + sd²/mean²)`, `mu = ln(mean) − sigma²/2`.
//!
//! * **split_normal** (`mode`, `sd_low`, `sd_high`), both `sd`s `> 0`: two halves
//!   of normal curves joined at the most likely value `mode`, with spread
//!   `sd_low` below it and `sd_high` above it. The density is
//!   `2/(sd_low + sd_high)·φ((x − mode)/sd_low)` for `x < mode` and
//!   `2/(sd_low + sd_high)·φ((x − mode)/sd_high)` for `x ≥ mode`, continuous at
//!   the mode. With `c = sd_low/(sd_low + sd_high)`:
//!   - `P(X ≤ mode) = c`;
//!   - `F(x) = 2c·Φ((x − mode)/sd_low)` for `x < mode`, and
//!     `F(x) = c + 2(1 − c)·(Φ((x − mode)/sd_high) − 1/2)` for `x ≥ mode`;
//!   - `F⁻¹(u) = mode + sd_low·Φ⁻¹(u/(2c))` for `u ≤ c`, and
//!     `F⁻¹(u) = mode − sd_high·Φ⁻¹((1 − u)/(2(1 − c)))` for `u > c`;
//!   - mean `mode + √(2/π)·(sd_high − sd_low)`, variance
//!     `(1 − 2/π)·(sd_high − sd_low)² + sd_low·sd_high`.
//!
//!   Note that the mode is neither the median nor the mean unless
//!   `sd_low = sd_high` (then it is the normal distribution).
//!
//! * **triangular** (`min`, `mode`, `max`), `min < max`, `min ≤ mode ≤ max`:
//!   density rising in a straight line from `min` to a peak at `mode` and
//!   falling to `max`. `F(x) = (x − min)²/((max − min)(mode − min))` for
//!   `min ≤ x ≤ mode`, `F(x) = 1 − (max − x)²/((max − min)(max − mode))` for
//!   `mode ≤ x ≤ max`. Mean `(min + mode + max)/3`, variance
//!   `(min² + mode² + max² − min·mode − min·max − mode·max)/18`.
//!
//! * **pert** (`min`, `mode`, `max`, `lambda`), `min < max`,
//!   `min ≤ mode ≤ max`, `0 < lambda ≤ 1000`, `lambda = 4` unless given: a
//!   smooth bell between `min` and `max` peaking at `mode`:
//!   `X = min + (max − min)·B` with `B` beta distributed with
//!   `alpha = 1 + lambda·(mode − min)/(max − min)` and
//!   `beta = 1 + lambda·(max − mode)/(max − min)`. Mean
//!   `(min + lambda·mode + max)/(lambda + 2)` (`(min + 4·mode + max)/6` for the
//!   usual `lambda = 4`), variance `(mean − min)(max − mean)/(lambda + 3)`.
//!   A larger `lambda` concentrates the draws closer to the mode.
//!
//! * **uniform** (`min`, `max`), `min < max`: every value between `min` and
//!   `max` equally likely. `F(x) = (x − min)/(max − min)`. Mean `(min + max)/2`,
//!   variance `(max − min)²/12`.
//!
//! * **beta** (`alpha`, `beta`, `min`, `max`), `0.001 ≤ alpha, beta ≤ 10000`,
//!   `min < max`, `min = 0` and `max = 1` unless given: `X = min + (max − min)·B`
//!   where `B` has density `b^(alpha−1)·(1 − b)^(beta−1)/B(alpha, beta)` on
//!   `[0, 1]`. Mean `min + (max − min)·alpha/(alpha + beta)`, variance
//!   `(max − min)²·alpha·beta/((alpha + beta)²·(alpha + beta + 1))`.
//!
//! * **binomial** (`n`, `p`), `n` a whole number from 1 to 10 000 000,
//!   `0 ≤ p ≤ 1`: the number of successes in `n` independent trials that each
//!   succeed with probability `p`. `P(X = k) = C(n, k)·p^k·(1 − p)^(n−k)` for
//!   `k = 0, 1, …, n`. Mean `n·p`, variance `n·p·(1 − p)`.
//!
//! * **bernoulli** (`p`), `0 ≤ p ≤ 1`: `1` with probability `p`, `0`
//!   otherwise. Mean `p`, variance `p·(1 − p)`.
//!
//! * **discrete** (`values`, `weights`): one of the listed values, value `i`
//!   with probability `wᵢ/Σw`. The weights need not sum to 1 (they are
//!   normalised), must be `≥ 0` and not all 0; there is one weight per value,
//!   at most 100 000 values. The values may be listed in any order; a value
//!   listed twice gets the sum of its weights; a value with weight 0 is never
//!   drawn. Mean `Σ pᵢ·vᵢ`, variance `Σ pᵢ·(vᵢ − mean)²`.
//!
//! * **fixed** (`value`): always `value` (no uncertainty). Mean `value`,
//!   variance 0.
//!
//! # Quantile conventions
//!
//! For the discrete kinds (binomial, bernoulli, discrete, fixed) `F` is a step
//! function and the quantile is the left-continuous generalised inverse
//!
//! ```text
//! F⁻¹(u) = the smallest x with F(x) ≥ u,
//! ```
//!
//! so the value `vₖ` is drawn exactly when `F(vₖ₋₁) < u ≤ F(vₖ)`: a range of
//! `u` whose length is `P(X = vₖ)`.
//!
//! `F⁻¹(0)` and `F⁻¹(1)` are the ends of the support (the smallest and largest
//! possible values; `−∞`/`+∞` for unbounded distributions, `0` for the lower
//! end of a lognormal). Uniforms from the engine lie strictly inside (0, 1), so
//! their draws are finite. A score so extreme that its tail probability
//! underflows (`|z|` above about 38.5, probability below 1e-323) is mapped as
//! if that probability were the smallest positive double, so finite scores
//! give finite draws too (up to overflow of `exp` for an absurd lognormal).
//!
//! # Accuracy
//!
//! `Φ` is W. J. Cody's rational Chebyshev approximation (as in R's `pnorm`),
//! relative error about 1e-15 in both tails; `Φ⁻¹` is Wichura's AS 241
//! (`PPND16`), relative error about 1e-16. Beta and PERT quantiles solve
//! `I_x(alpha, beta) = u` by safeguarded Halley iteration on `ln x`, to about
//! 1e-14 relative (the regularised incomplete beta function `I` is evaluated
//! by its continued fraction with `ln B(alpha, beta)` computed once; its
//! relative error is about 1e-13 for shape parameters up to a few hundred and
//! 1e-10 at 10 000). Binomial probabilities come from the ratio recurrence
//! outward from the mode, normalised by a compensated sum (relative error
//! about 1e-13), with terms below 1e-300 of the largest one left out.

mod marginal;
mod spec;
mod special;

pub use marginal::Marginal;
pub use spec::{
    DEFAULT_PERT_LAMBDA, Distribution, KIND_NAMES, MAX_BETA_SHAPE, MAX_BINOMIAL_N,
    MAX_DISCRETE_VALUES, MAX_PERT_LAMBDA, MIN_BETA_SHAPE, ParamError,
};
pub use special::{std_normal_cdf, std_normal_quantile};

/// Helpers shared by the submodules' tests.
#[cfg(test)]
mod test_util {
    use super::{Distribution, Marginal, ParamError};

    pub(super) fn marginal(d: Result<Distribution, ParamError>) -> Marginal {
        match d.and_then(|d| d.marginal()) {
            Ok(m) => m,
            Err(e) => panic!("unexpected parameter error: {e}"),
        }
    }
}
