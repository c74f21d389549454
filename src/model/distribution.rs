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

use std::fmt;

use statrs::function::gamma::ln_gamma;

/// The names of the distribution kinds, as planners write them.
pub const KIND_NAMES: &[&str] = &[
    "normal",
    "lognormal",
    "split_normal",
    "triangular",
    "pert",
    "uniform",
    "beta",
    "binomial",
    "bernoulli",
    "discrete",
    "fixed",
];

/// The PERT `lambda` used when a planner does not give one.
pub const DEFAULT_PERT_LAMBDA: f64 = 4.0;
/// The largest PERT `lambda` accepted.
pub const MAX_PERT_LAMBDA: f64 = 1_000.0;
/// The smallest beta shape parameter (`alpha`, `beta`) accepted.
pub const MIN_BETA_SHAPE: f64 = 0.001;
/// The largest beta shape parameter (`alpha`, `beta`) accepted.
pub const MAX_BETA_SHAPE: f64 = 10_000.0;
/// The largest binomial `n` accepted.
pub const MAX_BINOMIAL_N: u64 = 10_000_000;
/// The largest number of values of a discrete distribution.
pub const MAX_DISCRETE_VALUES: usize = 100_000;

/// A marginal distribution of an uncertain driver. See the module
/// documentation for the exact meaning of every parameter.
///
/// Build it with the validating constructors ([`Distribution::normal`], ...);
/// a value built directly is checked by [`Distribution::validate`] and by
/// [`Distribution::marginal`].
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    Normal {
        mean: f64,
        sd: f64,
    },
    /// mu and sigma of ln X; median = exp(mu)
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    /// two-piece normal: density proportional to N(mode, sd_low) left of mode
    /// and N(mode, sd_high) right, continuous at mode;
    /// P(X <= mode) = sd_low/(sd_low+sd_high)
    SplitNormal {
        mode: f64,
        sd_low: f64,
        sd_high: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// PERT: Beta(alpha, beta) scaled to [min,max] with
    /// alpha = 1 + lambda (mode-min)/(max-min),
    /// beta = 1 + lambda (max-mode)/(max-min), lambda = 4 by default
    Pert {
        min: f64,
        mode: f64,
        max: f64,
        lambda: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    /// Beta(alpha, beta) scaled to [min, max] (default 0, 1)
    Beta {
        alpha: f64,
        beta: f64,
        min: f64,
        max: f64,
    },
    Binomial {
        n: u64,
        p: f64,
    },
    Bernoulli {
        p: f64,
    },
    /// values with weights (normalised to sum 1); value i drawn with
    /// probability w_i
    Discrete {
        values: Vec<f64>,
        weights: Vec<f64>,
    },
    Fixed {
        value: f64,
    },
}

/// A parameter that breaks a rule, as the planner wrote it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{param} = {value}: {message}")]
pub struct ParamError {
    /// The parameter's name as the planner writes it (`sd`, `p`, `mode`, ...).
    pub param: &'static str,
    /// The offending value, printed.
    pub value: String,
    /// The rule that was broken.
    pub message: String,
    /// A likely fix, where one is obvious.
    pub hint: Option<String>,
}

impl ParamError {
    fn new(param: &'static str, value: impl Into<String>, message: impl Into<String>) -> Self {
        ParamError {
            param,
            value: value.into(),
            message: message.into(),
            hint: None,
        }
    }

    fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

// ---------------------------------------------------------------------------
// Standard normal distribution function and its inverse
// ---------------------------------------------------------------------------

/// sqrt(32), where Cody's middle range ends
const SQRT_32: f64 = 5.656_854_249_492_381;

/// 1/sqrt(2 pi)
#[allow(clippy::excessive_precision)]
const FRAC_1_SQRT_2PI: f64 = 0.398942280401432677939946059934;

#[allow(clippy::excessive_precision)]
const CODY_A: [f64; 5] = [
    2.2352520354606839287,
    161.02823106855587881,
    1067.6894854603709582,
    18154.981253343561249,
    0.065682337918207449113,
];
#[allow(clippy::excessive_precision)]
const CODY_B: [f64; 4] = [
    47.20258190468824187,
    976.09855173777669322,
    10260.932208618978205,
    45507.789335026729956,
];
#[allow(clippy::excessive_precision)]
const CODY_C: [f64; 9] = [
    0.39894151208813466764,
    8.8831497943883759412,
    93.506656132177855979,
    597.27027639480026226,
    2494.5375852903726711,
    6848.1904505362823326,
    11602.651437647350124,
    9842.7148383839780218,
    1.0765576773720192317e-8,
];
#[allow(clippy::excessive_precision)]
const CODY_D: [f64; 8] = [
    22.266688044328115691,
    235.38790178262499861,
    1519.377599407554805,
    6485.558298266760755,
    18615.571640885098091,
    34900.952721145977266,
    38912.003286093271411,
    19685.429676859990727,
];
#[allow(clippy::excessive_precision)]
const CODY_P: [f64; 6] = [
    0.21589853405795699,
    0.1274011611602473639,
    0.022235277870649807,
    0.001421619193227893466,
    2.9112874951168792e-5,
    0.02307344176494017303,
];
#[allow(clippy::excessive_precision)]
const CODY_Q: [f64; 5] = [
    1.28426009614491121,
    0.468238212480865118,
    0.0659881378689285515,
    0.00378239633202758244,
    7.29751555083966205e-5,
];

/// `exp(-y²/2)` with the square split so that the tail keeps full relative
/// accuracy (Cody's trick: `y = ys + d` with `ys` a multiple of 1/16).
#[inline]
fn half_gauss_exp(y: f64) -> f64 {
    let ys = (y * 16.0).trunc() / 16.0;
    let del = (y - ys) * (y + ys);
    (-ys * ys * 0.5).exp() * (-del * 0.5).exp()
}

/// The standard normal distribution function `Φ(z) = P(Z ≤ z)`.
///
/// W. J. Cody's rational Chebyshev approximation (ACM TOMS 715, the algorithm
/// of R's `pnorm`): relative error about 1e-15 for every `z`, including deep in
/// the lower tail (`Φ(−37.5) ≈ 4.6e-308`). `Φ(NaN) = NaN`.
#[inline]
pub fn std_normal_cdf(z: f64) -> f64 {
    let y = z.abs();
    if y <= 0.67448975 {
        // |z| <= qnorm(3/4): 0.5 + z R(z²)
        let zsq = z * z;
        let mut num = CODY_A[4] * zsq;
        let mut den = zsq;
        for i in 0..3 {
            num = (num + CODY_A[i]) * zsq;
            den = (den + CODY_B[i]) * zsq;
        }
        0.5 + z * (num + CODY_A[3]) / (den + CODY_B[3])
    } else if y <= SQRT_32 {
        // qnorm(3/4) < |z| <= sqrt(32)
        let mut num = CODY_C[8] * y;
        let mut den = y;
        for i in 0..7 {
            num = (num + CODY_C[i]) * y;
            den = (den + CODY_D[i]) * y;
        }
        let tail = half_gauss_exp(y) * (num + CODY_C[7]) / (den + CODY_D[7]);
        if z > 0.0 { 1.0 - tail } else { tail }
    } else if y < 40.0 {
        // sqrt(32) < |z| < 40: asymptotic expansion in 1/z²
        let zsq = 1.0 / (z * z);
        let mut num = CODY_P[5] * zsq;
        let mut den = zsq;
        for i in 0..4 {
            num = (num + CODY_P[i]) * zsq;
            den = (den + CODY_Q[i]) * zsq;
        }
        let r = zsq * (num + CODY_P[4]) / (den + CODY_Q[4]);
        let tail = half_gauss_exp(y) * (FRAC_1_SQRT_2PI - r) / y;
        if z > 0.0 { 1.0 - tail } else { tail }
    } else if z > 0.0 {
        1.0
    } else if z < 0.0 {
        0.0
    } else {
        f64::NAN
    }
}

#[allow(clippy::excessive_precision)]
const AS241_A: [f64; 8] = [
    3.3871328727963666080e0,
    1.3314166789178437745e+2,
    1.9715909503065514427e+3,
    1.3731693765509461125e+4,
    4.5921953931549871457e+4,
    6.7265770927008700853e+4,
    3.3430575583588128105e+4,
    2.5090809287301226727e+3,
];
#[allow(clippy::excessive_precision)]
const AS241_B: [f64; 8] = [
    1.0,
    4.2313330701600911252e+1,
    6.8718700749205790830e+2,
    5.3941960214247511077e+3,
    2.1213794301586595867e+4,
    3.9307895800092710610e+4,
    2.8729085735721942674e+4,
    5.2264952788528545610e+3,
];
#[allow(clippy::excessive_precision)]
const AS241_C: [f64; 8] = [
    1.42343711074968357734e0,
    4.63033784615654529590e0,
    5.76949722146069140550e0,
    3.64784832476320460504e0,
    1.27045825245236838258e0,
    2.41780725177450611770e-1,
    2.27238449892691845833e-2,
    7.74545014278341407640e-4,
];
#[allow(clippy::excessive_precision)]
const AS241_D: [f64; 8] = [
    1.0,
    2.05319162663775882187e0,
    1.67638483018380384940e0,
    6.89767334985100004550e-1,
    1.48103976427480074590e-1,
    1.51986665636164571966e-2,
    5.47593808499534494600e-4,
    1.05075007164441684324e-9,
];
#[allow(clippy::excessive_precision)]
const AS241_E: [f64; 8] = [
    6.65790464350110377720e0,
    5.46378491116411436990e0,
    1.78482653991729133580e0,
    2.96560571828504891230e-1,
    2.65321895265761230930e-2,
    1.24266094738807843860e-3,
    2.71155556874348757815e-5,
    2.01033439929228813265e-7,
];
#[allow(clippy::excessive_precision)]
const AS241_F: [f64; 8] = [
    1.0,
    5.99832206555887937690e-1,
    1.36929880922735805310e-1,
    1.48753612908506148525e-2,
    7.86869131145613259100e-4,
    1.84631831751005468180e-5,
    1.42151175831644588870e-7,
    2.04426310338993978564e-15,
];

/// Ratio of two degree-7 polynomials (coefficients lowest order first).
#[inline]
fn rational7(num: &[f64; 8], den: &[f64; 8], r: f64) -> f64 {
    let mut n = num[7];
    let mut d = den[7];
    for i in (0..7).rev() {
        n = n * r + num[i];
        d = d * r + den[i];
    }
    n / d
}

/// The standard normal quantile `Φ⁻¹(p)`: the `z` with `Φ(z) = p`.
///
/// Wichura's algorithm AS 241 (`PPND16`), relative error about 1e-16.
/// `Φ⁻¹(0) = −∞`, `Φ⁻¹(1) = +∞`; NaN or `p` outside `[0, 1]` gives NaN.
#[inline]
pub fn std_normal_quantile(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * rational7(&AS241_A, &AS241_B, r);
    }
    if p > 0.0 && p < 1.0 {
        // tail: r = sqrt(-ln(min(p, 1-p))); 1 - p is exact for p >= 0.5
        let tail = if q < 0.0 { p } else { 1.0 - p };
        let r = (-tail.ln()).sqrt();
        let x = if r <= 5.0 {
            rational7(&AS241_C, &AS241_D, r - 1.6)
        } else {
            rational7(&AS241_E, &AS241_F, r - 5.0)
        };
        if q < 0.0 { -x } else { x }
    } else if p == 0.0 {
        f64::NEG_INFINITY
    } else if p == 1.0 {
        f64::INFINITY
    } else {
        f64::NAN
    }
}

// ---------------------------------------------------------------------------
// Regularised incomplete beta function and its inverse
// ---------------------------------------------------------------------------

/// `ln(Γ(a+b)/(Γ(a)Γ(b))) = −ln B(a, b)`.
fn ln_beta_norm(a: f64, b: f64) -> f64 {
    ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b)
}

/// Continued fraction for the incomplete beta function (modified Lentz),
/// converging fast for `x < (a+1)/(a+b+2)`.
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const MAX_ITER: u32 = 1_000;
    const TINY: f64 = 1e-300;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=MAX_ITER {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() <= f64::EPSILON {
            break;
        }
    }
    h
}

/// `ln I_x(a, b)` for `0 < x < 1`, given `x`, `1 − x`, `ln x`, `ln(1 − x)`
/// (so that callers working in `ln x` lose nothing to underflow).
fn ln_inc_beta_parts(
    a: f64,
    b: f64,
    ln_norm: f64,
    x: f64,
    omx: f64,
    ln_x: f64,
    ln_omx: f64,
) -> f64 {
    let ln_front = ln_norm + a * ln_x + b * ln_omx;
    if x < (a + 1.0) / (a + b + 2.0) {
        (ln_front + (beta_cf(a, b, x) / a).ln()).min(0.0)
    } else {
        let upper = (ln_front.exp() * beta_cf(b, a, omx) / b).clamp(0.0, 1.0);
        (-upper).ln_1p()
    }
}

/// The regularised incomplete beta function `I_x(a, b) = P(B ≤ x)` for
/// `B ~ Beta(a, b)`, with `ln_norm = −ln B(a, b)`.
fn inc_beta(a: f64, b: f64, ln_norm: f64, x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_norm + a * x.ln() + b * (-x).ln_1p();
    if x < (a + 1.0) / (a + b + 2.0) {
        (ln_front.exp() * beta_cf(a, b, x) / a).clamp(0.0, 1.0)
    } else {
        (1.0 - ln_front.exp() * beta_cf(b, a, 1.0 - x) / b).clamp(0.0, 1.0)
    }
}

/// Solves `I_x(a, b) = p` for `t = ln x`.
///
/// Works in `t`, where the lower tail is nearly linear
/// (`I_x ≈ x^a/(a B(a, b))`) and nothing underflows, with Halley steps on
/// `g(t) = ln I − ln p` safeguarded by a bracket `[lo, hi]` on `t` (bisection
/// when a step leaves it). `scale` is the relative spread of `B`: a Halley step
/// below `1e-6·scale` (a Newton step below `1e-9·scale`) leaves an error below
/// `1e-18·scale` once applied, so the iteration stops there. Always returns a
/// value in `[−∞, 0]` after a bounded number of iterations.
fn beta_inv_ln(a: f64, b: f64, ln_norm: f64, scale: f64, p: f64, start: Option<f64>) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return 0.0;
    }
    // Closed forms: I_x(a, 1) = x^a, I_x(1, b) = 1 − (1 − x)^b.
    if b == 1.0 {
        return p.ln() / a;
    }
    if a == 1.0 {
        return (-((-p).ln_1p() / b).exp_m1()).ln();
    }
    const MAX_ITER: u32 = 200;
    let ln_p = p.ln();
    let mut t = match start {
        Some(t0) if t0 < 0.0 && t0.is_finite() => t0,
        _ => beta_inv_guess(a, b, ln_norm, p, ln_p),
    };
    let mut lo = f64::NEG_INFINITY;
    let mut hi = 0.0_f64;
    for _ in 0..MAX_ITER {
        let (x, omx, ln_omx) = exp_parts(t);
        let ln_i = ln_inc_beta_parts(a, b, ln_norm, x, omx, t, ln_omx);
        let g = ln_i - ln_p;
        if g == 0.0 {
            return t;
        }
        if g > 0.0 {
            hi = t;
        } else {
            lo = t;
        }
        // g' = x f(x)/I and g''/g' = a − (b − 1) x/(1 − x) − g'.
        let dg = (a * t + (b - 1.0) * ln_omx + ln_norm - ln_i).exp();
        let newton = g / dg;
        let denom = 1.0 - 0.5 * newton * (a - (b - 1.0) * x / omx - dg);
        let (step, tol) = if denom > 0.5 && denom < 2.0 {
            (newton / denom, 1e-6)
        } else {
            (newton, 1e-9)
        };
        let t_new = t - step;
        if step.abs() <= tol * scale.min(t.abs()).min(1.0) {
            return t_new.min(0.0);
        }
        t = if t_new > lo && t_new < hi {
            t_new
        } else if lo.is_finite() {
            0.5 * (lo + hi)
        } else {
            t - t.abs().max(1.0)
        };
        if lo.is_finite() && hi - lo <= 2.0 * f64::EPSILON * lo.abs() {
            break;
        }
    }
    t.min(0.0)
}

/// `x = e^t`, `1 − x` and `ln(1 − x)`, each to full relative accuracy: `ln(1 − x)`
/// feeds `b·ln(1 − x)` with `b` up to 1e4, so it must not inherit the rounding
/// of `1 − x` when `x` is small.
#[inline]
fn exp_parts(t: f64) -> (f64, f64, f64) {
    let x = t.exp();
    let omx = -t.exp_m1();
    let ln_omx = if x < 0.5 { (-x).ln_1p() } else { omx.ln() };
    (x, omx, ln_omx)
}

/// Starting point `ln x₀` for [`beta_inv`]: the lower-tail asymptote
/// `x₀ = (p·a·B(a, b))^(1/a)` far in the tail, otherwise the approximations
/// of AS 109 (Carter's, for `a, b > 1`) and AS 64.
fn beta_inv_guess(a: f64, b: f64, ln_norm: f64, p: f64, ln_p: f64) -> f64 {
    let t_tail = (ln_p + a.ln() - ln_norm) / a;
    if t_tail < 0.0 && t_tail.exp() * (b + 1.0) < 0.2 {
        return t_tail;
    }
    let y = -std_normal_quantile(p);
    let x0 = if a > 1.0 && b > 1.0 {
        let r = (y * y - 3.0) / 6.0;
        let s = 1.0 / (2.0 * a - 1.0);
        let t = 1.0 / (2.0 * b - 1.0);
        let h = 2.0 / (s + t);
        let w = y * (h + r).sqrt() / h - (t - s) * (r + 5.0 / 6.0 - 2.0 / (3.0 * h));
        a / (a + b * (2.0 * w).exp())
    } else {
        let t = 1.0 / (9.0 * b);
        let chi2 = 2.0 * b * (1.0 - t + y * t.sqrt()).powi(3);
        if chi2 <= 0.0 {
            -(((-p).ln_1p() + b.ln() - ln_norm) / b).exp_m1()
        } else {
            let t = (4.0 * a + 2.0 * b - 2.0) / chi2;
            if t <= 1.0 {
                ((ln_p + a.ln() - ln_norm) / a).exp()
            } else {
                1.0 - 2.0 / (t + 1.0)
            }
        }
    };
    let t0 = x0.ln();
    if t0.is_finite() && t0 < 0.0 {
        t0
    } else if t_tail.is_finite() && t_tail < 0.0 {
        t_tail
    } else {
        -1.0
    }
}

// ---------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------

/// Prints a parameter value the way a planner would read it.
fn fmt_value(v: f64) -> String {
    let a = v.abs();
    if v.is_finite() && v != 0.0 && !(1e-6..1e15).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Prints a number for [`Distribution::describe`].
fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() || v == 0.0 || (1e-3..1e7).contains(&a) {
        format!("{v:.3}")
    } else {
        format!("{v:.3e}")
    }
}

fn check_finite(param: &'static str, v: f64) -> Result<(), ParamError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(ParamError::new(
            param,
            fmt_value(v),
            format!("{param} must be a finite number"),
        ))
    }
}

/// A strictly positive spread parameter.
fn check_spread(param: &'static str, v: f64, message: &str) -> Result<(), ParamError> {
    check_finite(param, v)?;
    if v > 0.0 {
        return Ok(());
    }
    let err = ParamError::new(param, fmt_value(v), message);
    Err(if v < 0.0 {
        err.with_hint(format!("did you mean {}?", fmt_value(-v)))
    } else {
        err.with_hint("a quantity with no uncertainty is a fixed distribution")
    })
}

fn check_sd(param: &'static str, v: f64) -> Result<(), ParamError> {
    check_spread(param, v, "a standard deviation must be greater than 0")
}

fn check_sigma(v: f64) -> Result<(), ParamError> {
    check_spread(
        "sigma",
        v,
        "sigma (the standard deviation of ln X) must be greater than 0",
    )
}

fn check_probability(param: &'static str, v: f64) -> Result<(), ParamError> {
    check_finite(param, v)?;
    if (0.0..=1.0).contains(&v) {
        return Ok(());
    }
    let err = ParamError::new(param, fmt_value(v), "a probability must be between 0 and 1");
    Err(if v > 1.0 && v <= 100.0 {
        err.with_hint(format!(
            "{param} is a fraction: did you mean {}?",
            fmt_value(v / 100.0)
        ))
    } else if (-1.0..0.0).contains(&v) {
        err.with_hint(format!("did you mean {}?", fmt_value(-v)))
    } else {
        err
    })
}

/// `min < max`, both finite, with a finite width.
fn check_range(min: f64, max: f64) -> Result<(), ParamError> {
    check_finite("min", min)?;
    check_finite("max", max)?;
    if max > min {
        if (max - min).is_finite() {
            return Ok(());
        }
        return Err(ParamError::new(
            "max",
            fmt_value(max),
            format!("the range max - min is too wide (min = {})", fmt_value(min)),
        ));
    }
    let err = ParamError::new(
        "max",
        fmt_value(max),
        format!("max must be greater than min = {}", fmt_value(min)),
    );
    Err(if max < min {
        err.with_hint("min <= mode <= max: did you swap min and max?")
    } else {
        err.with_hint("a quantity with no uncertainty is a fixed distribution")
    })
}

/// `min <= mode <= max` (after [`check_range`]).
fn check_mode(min: f64, mode: f64, max: f64) -> Result<(), ParamError> {
    check_finite("mode", mode)?;
    if min <= mode && mode <= max {
        return Ok(());
    }
    Err(ParamError::new(
        "mode",
        fmt_value(mode),
        "the mode must lie between min and max",
    )
    .with_hint(format!(
        "min <= mode <= max: here min = {} and max = {}",
        fmt_value(min),
        fmt_value(max)
    )))
}

fn check_beta_shape(param: &'static str, v: f64) -> Result<(), ParamError> {
    check_finite(param, v)?;
    if v <= 0.0 {
        let err = ParamError::new(
            param,
            fmt_value(v),
            format!("the beta shape {param} must be greater than 0"),
        );
        return Err(if v < 0.0 {
            err.with_hint(format!("did you mean {}?", fmt_value(-v)))
        } else {
            err
        });
    }
    if v < MIN_BETA_SHAPE {
        return Err(ParamError::new(
            param,
            fmt_value(v),
            format!("the beta shape {param} must be at least {MIN_BETA_SHAPE}"),
        ));
    }
    if v > MAX_BETA_SHAPE {
        return Err(ParamError::new(
            param,
            fmt_value(v),
            format!("the beta shape {param} must be at most {MAX_BETA_SHAPE}"),
        )
        .with_hint("such a narrow beta is practically a normal distribution: use that"));
    }
    Ok(())
}

fn check_lambda(lambda: f64) -> Result<(), ParamError> {
    check_finite("lambda", lambda)?;
    if lambda > 0.0 && lambda <= MAX_PERT_LAMBDA {
        return Ok(());
    }
    let message = if lambda <= 0.0 {
        "lambda must be greater than 0".to_string()
    } else {
        format!("lambda must be at most {MAX_PERT_LAMBDA}")
    };
    Err(ParamError::new("lambda", fmt_value(lambda), message)
        .with_hint("the standard PERT distribution has lambda = 4"))
}

fn check_binomial_n(n: u64) -> Result<(), ParamError> {
    if n == 0 {
        return Err(ParamError::new(
            "n",
            "0",
            "n (the number of trials) must be at least 1",
        ));
    }
    if n > MAX_BINOMIAL_N {
        return Err(ParamError::new(
            "n",
            n.to_string(),
            format!("n (the number of trials) must be at most {MAX_BINOMIAL_N}"),
        )
        .with_hint(
            "for so many trials use a normal distribution with mean n*p and sd sqrt(n*p*(1-p))",
        ));
    }
    Ok(())
}

/// Checks a discrete distribution; returns the largest weight.
fn check_discrete(values: &[f64], weights: &[f64]) -> Result<f64, ParamError> {
    if values.is_empty() {
        return Err(ParamError::new(
            "values",
            "[]",
            "at least one value is needed",
        ));
    }
    if values.len() > MAX_DISCRETE_VALUES {
        return Err(ParamError::new(
            "values",
            format!("{} values", values.len()),
            format!("at most {MAX_DISCRETE_VALUES} values are allowed"),
        )
        .with_hint("group the values into fewer, coarser ones, or use a continuous distribution"));
    }
    if weights.len() != values.len() {
        return Err(ParamError::new(
            "weights",
            format!("{} weights", weights.len()),
            format!(
                "there must be exactly one weight per value ({} values)",
                values.len()
            ),
        ));
    }
    if let Some((i, &v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(ParamError::new(
            "values",
            fmt_value(v),
            format!(
                "every value must be a finite number (value number {})",
                i + 1
            ),
        ));
    }
    let mut max_w = 0.0_f64;
    for (i, &w) in weights.iter().enumerate() {
        if !w.is_finite() {
            return Err(ParamError::new(
                "weights",
                fmt_value(w),
                format!(
                    "every weight must be a finite number (weight number {})",
                    i + 1
                ),
            ));
        }
        if w < 0.0 {
            return Err(ParamError::new(
                "weights",
                fmt_value(w),
                format!("a weight must be 0 or more (weight number {})", i + 1),
            )
            .with_hint(format!("did you mean {}?", fmt_value(-w))));
        }
        max_w = max_w.max(w);
    }
    if max_w > 0.0 {
        Ok(max_w)
    } else {
        Err(ParamError::new(
            "weights",
            "all 0",
            "at least one weight must be greater than 0",
        ))
    }
}

/// Compensated (Neumaier) summation.
#[derive(Default, Clone, Copy)]
struct Neumaier {
    sum: f64,
    comp: f64,
}

impl Neumaier {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn value(&self) -> f64 {
        self.sum + self.comp
    }
}

/// Mean and variance of a discrete distribution with raw weights.
fn discrete_moments(values: &[f64], weights: &[f64]) -> (f64, f64) {
    let max_w = weights.iter().fold(0.0_f64, |m, &w| m.max(w));
    let mut total = Neumaier::default();
    let mut first = Neumaier::default();
    for (&v, &w) in values.iter().zip(weights) {
        let w = w / max_w;
        total.add(w);
        first.add(w * v);
    }
    let total = total.value();
    let mean = first.value() / total;
    let mut second = Neumaier::default();
    for (&v, &w) in values.iter().zip(weights) {
        second.add(w / max_w * (v - mean) * (v - mean));
    }
    (mean, second.value() / total)
}

// ---------------------------------------------------------------------------
// Distribution: constructors and closed forms
// ---------------------------------------------------------------------------

impl Distribution {
    /// Normal with the given `mean` and standard deviation `sd > 0`.
    pub fn normal(mean: f64, sd: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Normal { mean, sd })
    }

    /// Lognormal with the given `median > 0` and `sigma > 0`, the standard
    /// deviation of `ln X` (`mu = ln median`).
    pub fn lognormal_median(median: f64, sigma: f64) -> Result<Self, ParamError> {
        check_finite("median", median)?;
        if median <= 0.0 {
            return Err(ParamError::new(
                "median",
                fmt_value(median),
                "the median of a lognormal quantity must be greater than 0",
            )
            .with_hint(
                "a lognormal quantity is always positive; for one that can be 0 or negative \
                 use a normal or split normal distribution",
            ));
        }
        check_sigma(sigma)?;
        Self::checked(Distribution::LogNormal {
            mu: median.ln(),
            sigma,
        })
    }

    /// Lognormal with the given `mean > 0` and standard deviation `sd > 0` of
    /// `X` itself: `sigma² = ln(1 + sd²/mean²)`, `mu = ln mean − sigma²/2`.
    pub fn lognormal_mean_sd(mean: f64, sd: f64) -> Result<Self, ParamError> {
        check_finite("mean", mean)?;
        if mean <= 0.0 {
            return Err(ParamError::new(
                "mean",
                fmt_value(mean),
                "the mean of a lognormal quantity must be greater than 0",
            )
            .with_hint(
                "a lognormal quantity is always positive; for one that can be 0 or negative \
                 use a normal or split normal distribution",
            ));
        }
        check_sd("sd", sd)?;
        let ratio = sd / mean;
        let sigma2 = (ratio * ratio).ln_1p();
        let sigma = sigma2.sqrt();
        let mu = mean.ln() - 0.5 * sigma2;
        if !(sigma > 0.0 && sigma.is_finite() && mu.is_finite()) {
            return Err(ParamError::new(
                "sd",
                fmt_value(sd),
                format!(
                    "sd/mean = {} is too far from 1 for a lognormal distribution",
                    fmt_value(ratio)
                ),
            ));
        }
        Self::checked(Distribution::LogNormal { mu, sigma })
    }

    /// Split (two-piece) normal with most likely value `mode`, spread
    /// `sd_low > 0` below it and `sd_high > 0` above it.
    pub fn split_normal(mode: f64, sd_low: f64, sd_high: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::SplitNormal {
            mode,
            sd_low,
            sd_high,
        })
    }

    /// Triangular on `[min, max]` with peak at `mode`.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Triangular { min, mode, max })
    }

    /// PERT on `[min, max]` with peak at `mode` and weight `lambda` of the mode
    /// (usually [`DEFAULT_PERT_LAMBDA`] = 4).
    pub fn pert(min: f64, mode: f64, max: f64, lambda: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Pert {
            min,
            mode,
            max,
            lambda,
        })
    }

    /// The standard PERT (`lambda = 4`).
    pub fn pert_default(min: f64, mode: f64, max: f64) -> Result<Self, ParamError> {
        Self::pert(min, mode, max, DEFAULT_PERT_LAMBDA)
    }

    /// Uniform on `[min, max]`.
    pub fn uniform(min: f64, max: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Uniform { min, max })
    }

    /// Beta(`alpha`, `beta`) scaled to `[min, max]`.
    pub fn beta(alpha: f64, beta: f64, min: f64, max: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Beta {
            alpha,
            beta,
            min,
            max,
        })
    }

    /// Beta(`alpha`, `beta`) on `[0, 1]`.
    pub fn standard_beta(alpha: f64, beta: f64) -> Result<Self, ParamError> {
        Self::beta(alpha, beta, 0.0, 1.0)
    }

    /// Binomial: successes in `n` trials of probability `p`. `n` is taken as
    /// written so that a fractional or negative count can be reported.
    pub fn binomial(n: f64, p: f64) -> Result<Self, ParamError> {
        check_finite("n", n)?;
        if n.fract() != 0.0 {
            let m = n.abs();
            let (lo, hi) = (m.floor().max(1.0), m.ceil().max(1.0));
            let hint = if lo == hi {
                format!("did you mean {lo}?")
            } else {
                format!("did you mean {lo} or {hi}?")
            };
            return Err(ParamError::new(
                "n",
                fmt_value(n),
                "n (the number of trials) must be a whole number",
            )
            .with_hint(hint));
        }
        if n < 1.0 {
            let err = ParamError::new(
                "n",
                fmt_value(n),
                "n (the number of trials) must be at least 1",
            );
            return Err(if n < 0.0 {
                err.with_hint(format!("did you mean {}?", fmt_value(-n)))
            } else {
                err
            });
        }
        if n > MAX_BINOMIAL_N as f64 {
            return Err(ParamError::new(
                "n",
                fmt_value(n),
                format!("n (the number of trials) must be at most {MAX_BINOMIAL_N}"),
            )
            .with_hint(
                "for so many trials use a normal distribution with mean n*p and sd sqrt(n*p*(1-p))",
            ));
        }
        check_probability("p", p)?;
        Self::checked(Distribution::Binomial { n: n as u64, p })
    }

    /// Bernoulli: 1 with probability `p`, else 0.
    pub fn bernoulli(p: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Bernoulli { p })
    }

    /// Discrete: `values[i]` with probability `weights[i]/Σ weights`. The stored
    /// weights are normalised to sum to 1.
    pub fn discrete(values: Vec<f64>, weights: Vec<f64>) -> Result<Self, ParamError> {
        let max_w = check_discrete(&values, &weights)?;
        let mut total = Neumaier::default();
        for &w in &weights {
            total.add(w / max_w);
        }
        let total = total.value();
        let weights = weights.iter().map(|&w| w / max_w / total).collect();
        Self::checked(Distribution::Discrete { values, weights })
    }

    /// Always `value`.
    pub fn fixed(value: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Fixed { value })
    }

    fn checked(d: Distribution) -> Result<Self, ParamError> {
        d.validate()?;
        Ok(d)
    }

    /// Checks every parameter against the rules of the module documentation.
    /// The constructors call it; call it on a value built directly.
    pub fn validate(&self) -> Result<(), ParamError> {
        match self {
            Distribution::Normal { mean, sd } => {
                check_finite("mean", *mean)?;
                check_sd("sd", *sd)
            }
            Distribution::LogNormal { mu, sigma } => {
                check_finite("mu", *mu)?;
                check_sigma(*sigma)
            }
            Distribution::SplitNormal {
                mode,
                sd_low,
                sd_high,
            } => {
                check_finite("mode", *mode)?;
                check_sd("sd_low", *sd_low)?;
                check_sd("sd_high", *sd_high)?;
                if (sd_low + sd_high).is_finite() {
                    Ok(())
                } else {
                    Err(ParamError::new(
                        "sd_high",
                        fmt_value(*sd_high),
                        "sd_low + sd_high is too large",
                    ))
                }
            }
            Distribution::Triangular { min, mode, max } => {
                check_range(*min, *max)?;
                check_mode(*min, *mode, *max)
            }
            Distribution::Pert {
                min,
                mode,
                max,
                lambda,
            } => {
                check_range(*min, *max)?;
                check_mode(*min, *mode, *max)?;
                check_lambda(*lambda)
            }
            Distribution::Uniform { min, max } => check_range(*min, *max),
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => {
                check_beta_shape("alpha", *alpha)?;
                check_beta_shape("beta", *beta)?;
                check_range(*min, *max)
            }
            Distribution::Binomial { n, p } => {
                check_binomial_n(*n)?;
                check_probability("p", *p)
            }
            Distribution::Bernoulli { p } => check_probability("p", *p),
            Distribution::Discrete { values, weights } => {
                check_discrete(values, weights).map(|_| ())
            }
            Distribution::Fixed { value } => check_finite("value", *value),
        }
    }

    /// The precomputed sampler for this distribution (validates first).
    pub fn marginal(&self) -> Result<Marginal, ParamError> {
        Marginal::new(self)
    }

    /// The kind's name as planners write it, one of [`KIND_NAMES`].
    pub fn kind_name(&self) -> &'static str {
        match self {
            Distribution::Normal { .. } => "normal",
            Distribution::LogNormal { .. } => "lognormal",
            Distribution::SplitNormal { .. } => "split_normal",
            Distribution::Triangular { .. } => "triangular",
            Distribution::Pert { .. } => "pert",
            Distribution::Uniform { .. } => "uniform",
            Distribution::Beta { .. } => "beta",
            Distribution::Binomial { .. } => "binomial",
            Distribution::Bernoulli { .. } => "bernoulli",
            Distribution::Discrete { .. } => "discrete",
            Distribution::Fixed { .. } => "fixed",
        }
    }

    /// Whether the distribution takes only separate values (binomial,
    /// bernoulli, discrete, fixed).
    pub fn is_discrete(&self) -> bool {
        matches!(
            self,
            Distribution::Binomial { .. }
                | Distribution::Bernoulli { .. }
                | Distribution::Discrete { .. }
                | Distribution::Fixed { .. }
        )
    }

    /// PERT's beta shapes `(alpha, beta)`.
    fn pert_shapes(min: f64, mode: f64, max: f64, lambda: f64) -> (f64, f64) {
        let range = max - min;
        (
            1.0 + lambda * (mode - min) / range,
            1.0 + lambda * (max - mode) / range,
        )
    }

    /// The mean (closed form).
    pub fn mean(&self) -> f64 {
        match self {
            Distribution::Normal { mean, .. } => *mean,
            Distribution::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
            Distribution::SplitNormal {
                mode,
                sd_low,
                sd_high,
            } => mode + (2.0 / std::f64::consts::PI).sqrt() * (sd_high - sd_low),
            Distribution::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Distribution::Pert {
                min,
                mode,
                max,
                lambda,
            } => (min + lambda * mode + max) / (lambda + 2.0),
            Distribution::Uniform { min, max } => 0.5 * (min + max),
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => min + (max - min) * alpha / (alpha + beta),
            Distribution::Binomial { n, p } => *n as f64 * p,
            Distribution::Bernoulli { p } => *p,
            Distribution::Discrete { values, weights } => discrete_moments(values, weights).0,
            Distribution::Fixed { value } => *value,
        }
    }

    /// The variance (closed form).
    pub fn variance(&self) -> f64 {
        match self {
            Distribution::Normal { sd, .. } => sd * sd,
            Distribution::LogNormal { mu, sigma } => {
                let s2 = sigma * sigma;
                s2.exp_m1() * (2.0 * mu + s2).exp()
            }
            Distribution::SplitNormal {
                sd_low, sd_high, ..
            } => {
                let d = sd_high - sd_low;
                (1.0 - 2.0 / std::f64::consts::PI) * d * d + sd_low * sd_high
            }
            Distribution::Triangular { min, mode, max } => {
                (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0
            }
            Distribution::Pert {
                min,
                mode,
                max,
                lambda,
            } => {
                let (a, b) = Self::pert_shapes(*min, *mode, *max, *lambda);
                let range = max - min;
                range * range * a * b / ((a + b) * (a + b) * (a + b + 1.0))
            }
            Distribution::Uniform { min, max } => (max - min) * (max - min) / 12.0,
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => {
                let range = max - min;
                let s = alpha + beta;
                range * range * alpha * beta / (s * s * (s + 1.0))
            }
            Distribution::Binomial { n, p } => *n as f64 * p * (1.0 - p),
            Distribution::Bernoulli { p } => p * (1.0 - p),
            Distribution::Discrete { values, weights } => discrete_moments(values, weights).1,
            Distribution::Fixed { .. } => 0.0,
        }
    }

    /// The smallest and largest possible values (`−∞`/`+∞` when unbounded).
    pub fn support(&self) -> (f64, f64) {
        match self {
            Distribution::Normal { .. } | Distribution::SplitNormal { .. } => {
                (f64::NEG_INFINITY, f64::INFINITY)
            }
            Distribution::LogNormal { .. } => (0.0, f64::INFINITY),
            Distribution::Triangular { min, max, .. }
            | Distribution::Pert { min, max, .. }
            | Distribution::Uniform { min, max }
            | Distribution::Beta { min, max, .. } => (*min, *max),
            Distribution::Binomial { n, p } => {
                let n = *n as f64;
                if *p <= 0.0 {
                    (0.0, 0.0)
                } else if *p >= 1.0 {
                    (n, n)
                } else {
                    (0.0, n)
                }
            }
            Distribution::Bernoulli { p } => {
                if *p <= 0.0 {
                    (0.0, 0.0)
                } else if *p >= 1.0 {
                    (1.0, 1.0)
                } else {
                    (0.0, 1.0)
                }
            }
            Distribution::Discrete { values, weights } => values
                .iter()
                .zip(weights)
                .filter(|&(_, &w)| w > 0.0)
                .fold((f64::NAN, f64::NAN), |(lo, hi), (&v, _)| {
                    (lo.min(v), hi.max(v))
                }),
            Distribution::Fixed { value } => (*value, *value),
        }
    }

    /// A one-line description for planners, e.g.
    /// `split normal: mode 0.060, sd_low 0.020, sd_high 0.012`.
    pub fn describe(&self) -> String {
        match self {
            Distribution::Normal { mean, sd } => {
                format!("normal: mean {}, sd {}", fmt_num(*mean), fmt_num(*sd))
            }
            Distribution::LogNormal { mu, sigma } => format!(
                "lognormal: median {}, sigma {} (mu {})",
                fmt_num(mu.exp()),
                fmt_num(*sigma),
                fmt_num(*mu)
            ),
            Distribution::SplitNormal {
                mode,
                sd_low,
                sd_high,
            } => format!(
                "split normal: mode {}, sd_low {}, sd_high {}",
                fmt_num(*mode),
                fmt_num(*sd_low),
                fmt_num(*sd_high)
            ),
            Distribution::Triangular { min, mode, max } => format!(
                "triangular: min {}, mode {}, max {}",
                fmt_num(*min),
                fmt_num(*mode),
                fmt_num(*max)
            ),
            Distribution::Pert {
                min,
                mode,
                max,
                lambda,
            } => format!(
                "PERT: min {}, mode {}, max {}, lambda {}",
                fmt_num(*min),
                fmt_num(*mode),
                fmt_num(*max),
                fmt_num(*lambda)
            ),
            Distribution::Uniform { min, max } => {
                format!("uniform: min {}, max {}", fmt_num(*min), fmt_num(*max))
            }
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => format!(
                "beta: alpha {}, beta {}, min {}, max {}",
                fmt_num(*alpha),
                fmt_num(*beta),
                fmt_num(*min),
                fmt_num(*max)
            ),
            Distribution::Binomial { n, p } => format!("binomial: n {n}, p {}", fmt_num(*p)),
            Distribution::Bernoulli { p } => format!("bernoulli: p {}", fmt_num(*p)),
            Distribution::Discrete { values, weights } => {
                if values.len() <= 6 {
                    let total: f64 = weights.iter().sum();
                    let items: Vec<String> = values
                        .iter()
                        .zip(weights)
                        .map(|(&v, &w)| format!("{} (p {})", fmt_num(v), fmt_num(w / total)))
                        .collect();
                    format!("discrete: {}", items.join(", "))
                } else {
                    let (lo, hi) = self.support();
                    format!(
                        "discrete: {} values from {} to {}",
                        values.len(),
                        fmt_num(lo),
                        fmt_num(hi)
                    )
                }
            }
            Distribution::Fixed { value } => format!("fixed: {}", fmt_num(*value)),
        }
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

// ---------------------------------------------------------------------------
// Marginal: the precomputed sampler
// ---------------------------------------------------------------------------

/// A validated distribution with everything the sampler needs precomputed
/// (split-normal break point, beta shapes and normaliser, probability tables).
/// Build it once per driver with [`Distribution::marginal`]; its methods are
/// the engine's hot path.
#[derive(Debug, Clone)]
pub struct Marginal {
    dist: Distribution,
    support: (f64, f64),
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Normal { mean: f64, sd: f64 },
    LogNormal { mu: f64, sigma: f64 },
    SplitNormal(SplitNormal),
    Triangular(Triangular),
    Uniform { min: f64, max: f64 },
    Beta(ScaledBeta),
    Steps(StepTable),
    Fixed(f64),
}

#[derive(Debug, Clone)]
struct SplitNormal {
    mode: f64,
    sd_low: f64,
    sd_high: f64,
    /// c = P(X <= mode) = sd_low/(sd_low + sd_high)
    c: f64,
    /// 1 − c = sd_high/(sd_low + sd_high)
    one_minus_c: f64,
    two_c: f64,
    two_one_minus_c: f64,
}

impl SplitNormal {
    fn new(mode: f64, sd_low: f64, sd_high: f64) -> Self {
        let sum = sd_low + sd_high;
        SplitNormal {
            mode,
            sd_low,
            sd_high,
            c: sd_low / sum,
            one_minus_c: sd_high / sum,
            two_c: 2.0 * sd_low / sum,
            two_one_minus_c: 2.0 * sd_high / sum,
        }
    }

    /// `F⁻¹(p)` for `p ≤ c`.
    #[inline]
    fn left(&self, p: f64) -> f64 {
        self.mode + self.sd_low * std_normal_quantile(p / self.two_c)
    }

    /// `F⁻¹(1 − q)` for `q ≤ 1 − c`.
    #[inline]
    fn right(&self, q: f64) -> f64 {
        self.mode - self.sd_high * std_normal_quantile(q / self.two_one_minus_c)
    }

    #[inline]
    fn lower(&self, p: f64) -> f64 {
        if p <= self.c {
            self.left(p)
        } else {
            self.right(1.0 - p)
        }
    }

    #[inline]
    fn upper(&self, q: f64) -> f64 {
        if q <= self.one_minus_c {
            self.right(q)
        } else {
            self.left(1.0 - q)
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        if x < self.mode {
            self.two_c * std_normal_cdf((x - self.mode) / self.sd_low)
        } else {
            1.0 - self.two_one_minus_c * std_normal_cdf((self.mode - x) / self.sd_high)
        }
    }
}

#[derive(Debug, Clone)]
struct Triangular {
    min: f64,
    mode: f64,
    max: f64,
    /// F(mode) = (mode − min)/(max − min)
    f_mode: f64,
    /// 1 − F(mode) = (max − mode)/(max − min)
    s_mode: f64,
    /// sqrt((max − min)(mode − min))
    k_left: f64,
    /// sqrt((max − min)(max − mode))
    k_right: f64,
}

impl Triangular {
    fn new(min: f64, mode: f64, max: f64) -> Self {
        let range = max - min;
        Triangular {
            min,
            mode,
            max,
            f_mode: (mode - min) / range,
            s_mode: (max - mode) / range,
            k_left: range.sqrt() * (mode - min).sqrt(),
            k_right: range.sqrt() * (max - mode).sqrt(),
        }
    }

    #[inline]
    fn left(&self, p: f64) -> f64 {
        (self.min + self.k_left * p.sqrt()).min(self.max)
    }

    #[inline]
    fn right(&self, q: f64) -> f64 {
        (self.max - self.k_right * q.sqrt()).max(self.min)
    }

    #[inline]
    fn lower(&self, p: f64) -> f64 {
        if p <= self.f_mode {
            self.left(p)
        } else {
            self.right(1.0 - p)
        }
    }

    #[inline]
    fn upper(&self, q: f64) -> f64 {
        if q <= self.s_mode {
            self.right(q)
        } else {
            self.left(1.0 - q)
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            f64::NAN
        } else if x <= self.min {
            0.0
        } else if x >= self.max {
            1.0
        } else if x <= self.mode {
            let r = (x - self.min) / self.k_left;
            r * r
        } else {
            let r = (self.max - x) / self.k_right;
            1.0 - r * r
        }
    }
}

#[derive(Debug, Clone)]
struct ScaledBeta {
    min: f64,
    max: f64,
    range: f64,
    a: f64,
    b: f64,
    /// −ln B(a, b)
    ln_norm: f64,
    /// F at the mean a/(a + b): quantiles below it are solved for B, those
    /// above it for 1 − B, so that the solver always works on the side where
    /// its unknown is not crowded against 1
    f_mean: f64,
    /// solves for B (targets up to f_mean) and for 1 − B (up to 1 − f_mean)
    ab: BetaSide,
    ba: BetaSide,
}

impl ScaledBeta {
    fn new(a: f64, b: f64, min: f64, max: f64) -> Self {
        let ln_norm = ln_beta_norm(a, b);
        let f_mean = inc_beta(a, b, ln_norm, a / (a + b));
        ScaledBeta {
            min,
            max,
            range: max - min,
            a,
            b,
            ln_norm,
            f_mean,
            ab: BetaSide::new(a, b, ln_norm, f_mean),
            ba: BetaSide::new(b, a, ln_norm, 1.0 - f_mean),
        }
    }

    /// Solves `P(B ≤ x) = p`: `(false, ln x)` or `(true, ln(1 − x))`.
    #[inline]
    fn solve_lower(&self, p: f64) -> (bool, f64) {
        if p <= self.f_mean {
            (false, self.ab.solve(p))
        } else {
            (true, self.ba.solve(1.0 - p))
        }
    }

    /// Solves `P(B > x) = q`: `(false, ln(1 − x))` or `(true, ln x)`.
    #[inline]
    fn solve_upper(&self, q: f64) -> (bool, f64) {
        if q <= 1.0 - self.f_mean {
            (false, self.ba.solve(q))
        } else {
            (true, self.ab.solve(1.0 - q))
        }
    }

    #[inline]
    fn lower(&self, p: f64) -> f64 {
        let x = match self.solve_lower(p) {
            (false, ln_x) => ln_x.exp(),
            (true, ln_1mx) => -ln_1mx.exp_m1(),
        };
        (self.min + self.range * x).min(self.max)
    }

    #[inline]
    fn upper(&self, q: f64) -> f64 {
        let y = match self.solve_upper(q) {
            (false, ln_y) => ln_y.exp(),
            (true, ln_1my) => -ln_1my.exp_m1(),
        };
        (self.max - self.range * y).max(self.min)
    }

    fn cdf(&self, x: f64) -> f64 {
        inc_beta(self.a, self.b, self.ln_norm, (x - self.min) / self.range)
    }
}

/// Nodes of a [`BetaSide`] guide table, evenly spaced in `ln p` from
/// `ln 1e-18` (below every `Φ(z)` with `z > −8.7`) up to the side's largest
/// target.
const GUIDE_NODES: usize = 160;
const GUIDE_LN_MIN: f64 = -41.446_531_673_892_82;

/// Solves `I_x(a, b) = p` for `ln x`, `0 < p ≤ p_max`, starting from a quintic
/// Hermite interpolation of `ln x` against `ln p` through exact solutions at
/// [`GUIDE_NODES`] nodes (slopes and curvatures in `ln p` exact too). The
/// guess is usually within the solver's stopping distance, so most draws
/// cost a single evaluation of `I`; accuracy does not depend on the table.
#[derive(Debug, Clone)]
struct BetaSide {
    a: f64,
    b: f64,
    ln_norm: f64,
    scale: f64,
    /// node spacing in ln p (the first node is at `GUIDE_LN_MIN`)
    h: f64,
    /// ln x at the nodes
    t: Vec<f64>,
    /// d ln x/d ln p at the nodes, times h
    dt: Vec<f64>,
    /// d² ln x/d(ln p)² at the nodes, times h²
    d2t: Vec<f64>,
}

impl BetaSide {
    fn new(a: f64, b: f64, ln_norm: f64, p_max: f64) -> Self {
        let mut side = BetaSide {
            a,
            b,
            ln_norm,
            scale: (b / (a * (a + b + 1.0))).sqrt(),
            h: 0.0,
            t: Vec::new(),
            dt: Vec::new(),
            d2t: Vec::new(),
        };
        let s_max = p_max.ln();
        // closed forms need no guess; a degenerate range gets no table
        if a == 1.0 || b == 1.0 || s_max.is_nan() || s_max < GUIDE_LN_MIN + 1.0 {
            return side;
        }
        let h = (s_max - GUIDE_LN_MIN) / (GUIDE_NODES - 1) as f64;
        let mut t = Vec::with_capacity(GUIDE_NODES);
        let mut dt = Vec::with_capacity(GUIDE_NODES);
        let mut d2t = Vec::with_capacity(GUIDE_NODES);
        let mut start = None;
        for k in 0..GUIDE_NODES {
            let s = GUIDE_LN_MIN + k as f64 * h;
            let tk = beta_inv_ln(a, b, ln_norm, side.scale, s.exp(), start);
            let (x, omx, ln_omx) = exp_parts(tk);
            let ln_i = ln_inc_beta_parts(a, b, ln_norm, x, omx, tk, ln_omx);
            // t' = 1/g' and t'' = −(g''/g')·t'², in ln p
            let dg = (a * tk + (b - 1.0) * ln_omx + ln_norm - ln_i).exp();
            let dk = h / dg;
            let ek = -(a - (b - 1.0) * x / omx - dg) * dk * dk;
            if !(tk.is_finite() && dk.is_finite() && ek.is_finite()) {
                return side;
            }
            t.push(tk);
            dt.push(dk);
            d2t.push(ek);
            start = Some(tk + dk + 0.5 * ek);
        }
        side.h = h;
        side.t = t;
        side.dt = dt;
        side.d2t = d2t;
        side
    }

    #[inline]
    fn guess(&self, p: f64) -> Option<f64> {
        let n = self.t.len();
        let u = (p.ln() - GUIDE_LN_MIN) / self.h;
        if n < 2 || u.is_nan() || u < 0.0 || u > (n - 1) as f64 {
            return None;
        }
        let k = (u as usize).min(n - 2);
        let f = u - k as f64;
        let (f2, f3) = (f * f, f * f * f);
        let (f4, f5) = (f3 * f, f3 * f2);
        // quintic Hermite: values, slopes and curvatures at both ends
        Some(
            (1.0 - 10.0 * f3 + 15.0 * f4 - 6.0 * f5) * self.t[k]
                + (f - 6.0 * f3 + 8.0 * f4 - 3.0 * f5) * self.dt[k]
                + 0.5 * (f2 - 3.0 * f3 + 3.0 * f4 - f5) * self.d2t[k]
                + 0.5 * (f3 - 2.0 * f4 + f5) * self.d2t[k + 1]
                + (-4.0 * f3 + 7.0 * f4 - 3.0 * f5) * self.dt[k + 1]
                + (10.0 * f3 - 15.0 * f4 + 6.0 * f5) * self.t[k + 1],
        )
    }

    #[inline]
    fn solve(&self, p: f64) -> f64 {
        beta_inv_ln(self.a, self.b, self.ln_norm, self.scale, p, self.guess(p))
    }
}

/// A distribution on finitely many values, with cumulative tables from both
/// ends and guide tables that jump straight to the right entry.
#[derive(Debug, Clone)]
struct StepTable {
    /// sorted ascending, distinct, each with positive probability
    values: Vec<f64>,
    pmf: Vec<f64>,
    /// cum[i] = P(X <= values[i]); the last is exactly 1
    cum: Vec<f64>,
    /// sf[i] = P(X > values[i]); the last is exactly 0
    sf: Vec<f64>,
    /// guide_lo[j] = first i with cum[i] >= j/G, j = 0..=G
    guide_lo: Vec<u32>,
    /// guide_hi[j] = first i with sf[i] <= j/G, j = 0..=G
    guide_hi: Vec<u32>,
}

impl StepTable {
    /// `values` sorted ascending and distinct, `weights` positive and finite
    /// (any scale), same non-zero length.
    fn new(mut values: Vec<f64>, weights: &[f64]) -> Self {
        let n = values.len().min(weights.len());
        values.truncate(n);
        let mut total = Neumaier::default();
        for &w in &weights[..n] {
            total.add(w);
        }
        let total = total.value();
        let pmf: Vec<f64> = weights[..n].iter().map(|&w| w / total).collect();

        let mut cum = Vec::with_capacity(n);
        let mut acc = Neumaier::default();
        let mut prev = 0.0_f64;
        for &w in &weights[..n] {
            acc.add(w);
            let c = (acc.value() / total).max(prev).min(1.0);
            cum.push(c);
            prev = c;
        }
        if let Some(last) = cum.last_mut() {
            *last = 1.0;
        }

        let mut sf = vec![0.0; n];
        let mut acc = Neumaier::default();
        let mut prev = 0.0_f64;
        for i in (0..n).rev() {
            sf[i] = prev;
            acc.add(weights[i]);
            prev = (acc.value() / total).max(prev).min(1.0);
        }

        let g = n.max(1);
        let gf = g as f64;
        let mut guide_lo = Vec::with_capacity(g + 1);
        let mut i = 0usize;
        for j in 0..=g {
            let t = j as f64 / gf;
            while i + 1 < n && cum[i] < t {
                i += 1;
            }
            guide_lo.push(i as u32);
        }
        let mut guide_hi = Vec::with_capacity(g + 1);
        let mut i = n.saturating_sub(1);
        for j in 0..=g {
            let t = j as f64 / gf;
            while i > 0 && sf[i - 1] <= t {
                i -= 1;
            }
            guide_hi.push(i as u32);
        }
        StepTable {
            values,
            pmf,
            cum,
            sf,
            guide_lo,
            guide_hi,
        }
    }

    fn from_pairs(mut pairs: Vec<(f64, f64)>) -> Self {
        pairs.retain(|&(_, w)| w > 0.0);
        pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut values: Vec<f64> = Vec::with_capacity(pairs.len());
        let mut weights: Vec<f64> = Vec::with_capacity(pairs.len());
        for (v, w) in pairs {
            match (values.last(), weights.last_mut()) {
                (Some(&last), Some(lw)) if last == v => *lw += w,
                _ => {
                    values.push(v);
                    weights.push(w);
                }
            }
        }
        StepTable::new(values, &weights)
    }

    fn discrete(values: &[f64], weights: &[f64]) -> Self {
        let max_w = weights.iter().fold(0.0_f64, |m, &w| m.max(w));
        StepTable::from_pairs(
            values
                .iter()
                .zip(weights)
                .map(|(&v, &w)| (v, w / max_w))
                .collect(),
        )
    }

    /// Binomial probabilities by the ratio recurrence outward from the mode,
    /// leaving out the terms below 1e-300 of the mode's.
    fn binomial(n: u64, p: f64) -> Self {
        if p <= 0.0 {
            return StepTable::new(vec![0.0], &[1.0]);
        }
        if p >= 1.0 {
            return StepTable::new(vec![n as f64], &[1.0]);
        }
        const CUT: f64 = 1e-300;
        let q = 1.0 - p;
        let nf = n as f64;
        let mode = ((nf + 1.0) * p).floor().max(0.0).min(nf) as u64;
        let mut up = Vec::new();
        let mut w = 1.0_f64;
        let mut k = mode;
        while k < n {
            // P(k+1)/P(k) = (n − k)/(k + 1) · p/q
            w = w * ((n - k) as f64 * p) / ((k + 1) as f64 * q);
            if w < CUT {
                break;
            }
            up.push(w);
            k += 1;
        }
        let mut down = Vec::new();
        let mut w = 1.0_f64;
        let mut k = mode;
        while k > 0 {
            // P(k−1)/P(k) = k/(n − k + 1) · q/p
            w = w * (k as f64 * q) / ((n - k + 1) as f64 * p);
            if w < CUT {
                break;
            }
            down.push(w);
            k -= 1;
        }
        let lo = mode - down.len() as u64;
        let len = down.len() + 1 + up.len();
        let mut weights = Vec::with_capacity(len);
        weights.extend(down.iter().rev());
        weights.push(1.0);
        weights.extend(up.iter());
        let values = (0..len as u64).map(|i| (lo + i) as f64).collect();
        StepTable::new(values, &weights)
    }

    /// The smallest value with `F(value) ≥ p`, `0 < p ≤ 1`.
    #[inline]
    fn lower(&self, p: f64) -> f64 {
        let i = Self::search(&self.cum, &self.guide_lo, p, |c| c < p, false);
        self.values.get(i).copied().unwrap_or(f64::NAN)
    }

    /// The smallest value with `P(X > value) ≤ q`, i.e. `F⁻¹(1 − q)`.
    #[inline]
    fn upper(&self, q: f64) -> f64 {
        let i = Self::search(&self.sf, &self.guide_hi, q, |s| s > q, true);
        self.values.get(i).copied().unwrap_or(f64::NAN)
    }

    /// The first index `i` of the monotone `table` with `!before(table[i])`
    /// (the last index if there is none). The guide entries around `x`
    /// bracket the answer, which is then found by binary search inside the
    /// bracket; a full binary search backs this up should rounding have put
    /// the answer outside the bracket.
    #[inline]
    fn search(
        table: &[f64],
        guide: &[u32],
        x: f64,
        before: impl Fn(f64) -> bool,
        descending: bool,
    ) -> usize {
        let n = table.len();
        if n == 0 || x.is_nan() {
            return usize::MAX;
        }
        let g = guide.len().saturating_sub(1).max(1);
        let j = ((x * g as f64) as usize).min(g - 1);
        let (j_lo, j_hi) = if descending { (j + 1, j) } else { (j, j + 1) };
        let start = guide.get(j_lo).map_or(0, |&k| k as usize).min(n - 1);
        let end = guide
            .get(j_hi)
            .map_or(n - 1, |&k| k as usize)
            .min(n - 1)
            .max(start);
        let i = (start + table[start..=end].partition_point(|&v| before(v))).min(n - 1);
        let found = !before(table[i]) || i == n - 1;
        if found && (i == 0 || before(table[i - 1])) {
            i
        } else {
            table.partition_point(|&v| before(v)).min(n - 1)
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        let k = self.values.partition_point(|&v| v <= x);
        if k == 0 { 0.0 } else { self.cum[k - 1] }
    }

    fn pmf(&self, x: f64) -> f64 {
        let k = self.values.partition_point(|&v| v < x);
        match self.values.get(k) {
            Some(&v) if v == x => self.pmf[k],
            _ => 0.0,
        }
    }
}

impl Marginal {
    /// Validates `dist` and precomputes its sampler.
    pub fn new(dist: &Distribution) -> Result<Self, ParamError> {
        dist.validate()?;
        let kind = match dist {
            Distribution::Normal { mean, sd } => Kind::Normal {
                mean: *mean,
                sd: *sd,
            },
            Distribution::LogNormal { mu, sigma } => Kind::LogNormal {
                mu: *mu,
                sigma: *sigma,
            },
            Distribution::SplitNormal {
                mode,
                sd_low,
                sd_high,
            } => Kind::SplitNormal(SplitNormal::new(*mode, *sd_low, *sd_high)),
            Distribution::Triangular { min, mode, max } => {
                Kind::Triangular(Triangular::new(*min, *mode, *max))
            }
            Distribution::Pert {
                min,
                mode,
                max,
                lambda,
            } => {
                let (a, b) = Distribution::pert_shapes(*min, *mode, *max, *lambda);
                Kind::Beta(ScaledBeta::new(a, b, *min, *max))
            }
            Distribution::Uniform { min, max } => Kind::Uniform {
                min: *min,
                max: *max,
            },
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => Kind::Beta(ScaledBeta::new(*alpha, *beta, *min, *max)),
            Distribution::Binomial { n, p } => Kind::Steps(StepTable::binomial(*n, *p)),
            Distribution::Bernoulli { p } => {
                Kind::Steps(StepTable::from_pairs(vec![(0.0, 1.0 - p), (1.0, *p)]))
            }
            Distribution::Discrete { values, weights } => {
                Kind::Steps(StepTable::discrete(values, weights))
            }
            Distribution::Fixed { value } => Kind::Fixed(*value),
        };
        Ok(Marginal {
            dist: dist.clone(),
            support: dist.support(),
            kind,
        })
    }

    /// The distribution this sampler was built from.
    pub fn distribution(&self) -> &Distribution {
        &self.dist
    }

    /// See [`Distribution::kind_name`].
    pub fn kind_name(&self) -> &'static str {
        self.dist.kind_name()
    }

    /// See [`Distribution::is_discrete`].
    pub fn is_discrete(&self) -> bool {
        self.dist.is_discrete()
    }

    /// See [`Distribution::mean`].
    pub fn mean(&self) -> f64 {
        self.dist.mean()
    }

    /// See [`Distribution::variance`].
    pub fn variance(&self) -> f64 {
        self.dist.variance()
    }

    /// See [`Distribution::support`].
    pub fn support(&self) -> (f64, f64) {
        self.support
    }

    /// See [`Distribution::describe`].
    pub fn describe(&self) -> String {
        self.dist.describe()
    }

    /// `F⁻¹(p)` for `0 < p < 1`, accurate when `p` is small.
    #[inline]
    fn lower(&self, p: f64) -> f64 {
        match &self.kind {
            Kind::Normal { mean, sd } => mean + sd * std_normal_quantile(p),
            Kind::LogNormal { mu, sigma } => (mu + sigma * std_normal_quantile(p)).exp(),
            Kind::SplitNormal(s) => s.lower(p),
            Kind::Triangular(t) => t.lower(p),
            Kind::Uniform { min, max } => (min + p * (max - min)).min(*max),
            Kind::Beta(b) => b.lower(p),
            Kind::Steps(s) => s.lower(p),
            Kind::Fixed(v) => *v,
        }
    }

    /// `F⁻¹(1 − q)` for `0 < q < 1`, accurate when `q` is small.
    #[inline]
    fn upper(&self, q: f64) -> f64 {
        match &self.kind {
            Kind::Normal { mean, sd } => mean - sd * std_normal_quantile(q),
            Kind::LogNormal { mu, sigma } => (mu - sigma * std_normal_quantile(q)).exp(),
            Kind::SplitNormal(s) => s.upper(q),
            Kind::Triangular(t) => t.upper(q),
            Kind::Uniform { min, max } => (max - q * (max - min)).max(*min),
            Kind::Beta(b) => b.upper(q),
            Kind::Steps(s) => s.upper(q),
            Kind::Fixed(v) => *v,
        }
    }

    /// The quantile `F⁻¹(u)` for `0 ≤ u ≤ 1` (the smallest `x` with
    /// `F(x) ≥ u` for discrete kinds). `u = 0` and `u = 1` give the ends of the
    /// support; `u` outside `[0, 1]` or NaN gives NaN.
    #[inline]
    pub fn quantile(&self, u: f64) -> f64 {
        if u > 0.0 && u < 1.0 {
            if u <= 0.5 {
                self.lower(u)
            } else {
                self.upper(1.0 - u)
            }
        } else if u == 0.0 {
            self.support.0
        } else if u == 1.0 {
            self.support.1
        } else {
            f64::NAN
        }
    }

    /// The draw for the copula score `z`: `F⁻¹(Φ(z))`. Exact arithmetic for
    /// normal (`mean + sd·z`), lognormal (`exp(mu + sigma·z)`), a symmetric
    /// split normal and fixed; otherwise the tail probability `Φ(−|z|)` is used
    /// directly so that both tails keep full accuracy.
    #[inline]
    #[allow(clippy::wrong_self_convention)] // the engine's name for it: a draw *from* a score
    pub fn from_score(&self, z: f64) -> f64 {
        match &self.kind {
            Kind::Normal { mean, sd } => mean + sd * z,
            Kind::LogNormal { mu, sigma } => (mu + sigma * z).exp(),
            Kind::Fixed(v) => *v,
            Kind::SplitNormal(s) if s.sd_low == s.sd_high => s.mode + s.sd_low * z,
            _ => self.score_by_tails(z),
        }
    }

    #[inline]
    fn score_by_tails(&self, z: f64) -> f64 {
        // Beyond |z| ≈ 38.5 the tail probability underflows; use the smallest
        // positive one instead, so that every finite score gives a finite draw.
        const TINIEST: f64 = 5e-324;
        if z <= 0.0 {
            self.lower(std_normal_cdf(z).max(TINIEST))
        } else if z > 0.0 {
            self.upper(std_normal_cdf(-z).max(TINIEST))
        } else {
            f64::NAN
        }
    }

    /// `out[i] = from_score(z[i])` for `i < min(z.len(), out.len())`.
    pub fn fill_from_scores(&self, z: &[f64], out: &mut [f64]) {
        match &self.kind {
            Kind::Normal { mean, sd } => {
                for (o, &z) in out.iter_mut().zip(z) {
                    *o = mean + sd * z;
                }
            }
            Kind::LogNormal { mu, sigma } => {
                for (o, &z) in out.iter_mut().zip(z) {
                    *o = (mu + sigma * z).exp();
                }
            }
            Kind::Fixed(v) => {
                for o in out.iter_mut().take(z.len()) {
                    *o = *v;
                }
            }
            _ => {
                for (o, &z) in out.iter_mut().zip(z) {
                    *o = self.from_score(z);
                }
            }
        }
    }

    /// `out[i] = quantile(u[i])` for `i < min(u.len(), out.len())`.
    pub fn fill_from_uniforms(&self, u: &[f64], out: &mut [f64]) {
        for (o, &u) in out.iter_mut().zip(u) {
            *o = self.quantile(u);
        }
    }

    /// The distribution function `F(x) = P(X ≤ x)`.
    pub fn cdf(&self, x: f64) -> f64 {
        match &self.kind {
            Kind::Normal { mean, sd } => std_normal_cdf((x - mean) / sd),
            Kind::LogNormal { mu, sigma } => {
                if x > 0.0 {
                    std_normal_cdf((x.ln() - mu) / sigma)
                } else if x.is_nan() {
                    f64::NAN
                } else {
                    0.0
                }
            }
            Kind::SplitNormal(s) => s.cdf(x),
            Kind::Triangular(t) => t.cdf(x),
            Kind::Uniform { min, max } => ((x - min) / (max - min)).clamp(0.0, 1.0),
            Kind::Beta(b) => b.cdf(x),
            Kind::Steps(s) => s.cdf(x),
            Kind::Fixed(v) => {
                if x.is_nan() {
                    f64::NAN
                } else if x < *v {
                    0.0
                } else {
                    1.0
                }
            }
        }
    }

    /// The probability `P(X = x)`: positive only at the values of a discrete
    /// kind (0 everywhere for continuous kinds).
    pub fn pmf(&self, x: f64) -> f64 {
        match &self.kind {
            Kind::Steps(s) => s.pmf(x),
            Kind::Fixed(v) if x == *v => 1.0,
            _ => 0.0,
        }
    }
}

#[cfg(test)]
// reference values are kept with all the digits mpmath printed
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;
    use statrs::distribution::{Binomial as StatrsBinomial, ContinuousCDF, DiscreteCDF, Normal};
    use statrs::function::beta::checked_beta_reg;

    /// Grid size for the deterministic quadrature `u_i = (i + 1/2)/N`.
    const N: usize = 200_000;

    fn marginal(d: Result<Distribution, ParamError>) -> Marginal {
        match d.and_then(|d| d.marginal()) {
            Ok(m) => m,
            Err(e) => panic!("unexpected parameter error: {e}"),
        }
    }

    fn err_of<T: fmt::Debug>(r: Result<T, ParamError>) -> ParamError {
        match r {
            Ok(v) => panic!("expected a parameter error, got {v:?}"),
            Err(e) => e,
        }
    }

    fn continuous_cases() -> Vec<Marginal> {
        vec![
            marginal(Distribution::normal(0.06, 0.02)),
            marginal(Distribution::lognormal_median(210.0, 0.15)),
            marginal(Distribution::lognormal_mean_sd(100.0, 40.0)),
            marginal(Distribution::split_normal(0.06, 0.02, 0.012)),
            marginal(Distribution::split_normal(-3.0, 1.0, 4.0)),
            marginal(Distribution::split_normal(5.0, 2.0, 2.0)),
            marginal(Distribution::triangular(1.0, 2.0, 5.0)),
            marginal(Distribution::triangular(0.0, 0.0, 1.0)),
            marginal(Distribution::triangular(0.0, 1.0, 1.0)),
            marginal(Distribution::pert(10.0, 12.0, 20.0, 4.0)),
            marginal(Distribution::pert_default(0.0, 0.0, 1.0)),
            marginal(Distribution::pert_default(0.0, 1.0, 1.0)),
            marginal(Distribution::pert(-1.0, 0.3, 1.0, 10.0)),
            marginal(Distribution::uniform(-2.0, 3.0)),
            marginal(Distribution::standard_beta(2.0, 3.0)),
            marginal(Distribution::standard_beta(0.5, 0.5)),
            marginal(Distribution::beta(0.3, 2.5, 100.0, 200.0)),
            marginal(Distribution::beta(40.0, 15.0, -1.0, 1.0)),
        ]
    }

    fn discrete_cases() -> Vec<Marginal> {
        vec![
            marginal(Distribution::binomial(16.0, 0.6)),
            marginal(Distribution::binomial(6.0, 0.8)),
            marginal(Distribution::binomial(1000.0, 0.003)),
            marginal(Distribution::binomial(5.0, 0.0)),
            marginal(Distribution::binomial(5.0, 1.0)),
            marginal(Distribution::bernoulli(0.3)),
            marginal(Distribution::discrete(
                vec![5.0, 1.0, 3.0, 2.0, 3.0],
                vec![0.2, 0.0, 0.25, 0.3, 0.25],
            )),
            marginal(Distribution::fixed(3.0)),
        ]
    }

    fn all_cases() -> Vec<Marginal> {
        let mut v = continuous_cases();
        v.extend(discrete_cases());
        v
    }

    fn grid() -> impl Iterator<Item = f64> {
        (0..N).map(|i| (i as f64 + 0.5) / N as f64)
    }

    // ----- standard normal ------------------------------------------------

    /// Φ(x) from mpmath at 50 digits.
    const PHI_REF: &[(f64, f64)] = &[
        (-37.5, 4.6053530095819548438e-308),
        (-30.0, 4.9067139271481870595e-198),
        (-20.0, 2.7536241186062336951e-89),
        (-12.3, 4.5287069561587846514e-35),
        (-10.0, 7.619853024160526066e-24),
        (-8.0, 6.2209605742717841235e-16),
        (-6.0, 9.865876450376981407e-10),
        (-5.65, 8.0223918506634975991e-9),
        (-5.0, 2.8665157187919391167e-7),
        (-3.0, 0.0013498980316300945267),
        (-1.0, 0.15865525393145705141),
        (-0.6745, 0.24999674286369916889),
        (-0.5, 0.30853753872598689636),
        (-1e-10, 0.49999999996010577196),
        (0.0, 0.5),
        (0.3, 0.61791142218895263307),
        (0.67449, 0.75000007938182630997),
        (1.0, 0.84134474606854294859),
        (2.0, 0.9772498680518207928),
        (3.5, 0.99976737092096447496),
        (5.0, 0.99999971334842812081),
        (5.7, 0.99999999400962859894),
        (7.0, 0.99999999999872018746),
        (8.0, 0.9999999999999993779),
    ];

    /// Φ⁻¹(p) from mpmath at 50 digits, for the exact f64 p.
    const PHI_INV_REF: &[(f64, f64)] = &[
        (1e-300, -37.04709629936119923655),
        (1e-100, -21.273453560965324294),
        (1e-20, -9.2623400897984075796),
        (1e-10, -6.3613409024040561991),
        (1e-05, -4.2648907939228246102),
        (0.01, -2.3263478740408410931),
        (0.07, -1.4757910281791706856),
        (0.075, -1.4395314709384559349),
        (0.08, -1.4050715603096325447),
        (0.3, -0.52440051270804081597),
        (0.7, 0.52440051270804065631),
        (0.925, 1.4395314709384562291),
        (0.99, 2.3263478740408407676),
        (0.9999999, 5.1993375822906610937),
        (0.9999999999, 6.3613408896974218642),
        (0.9999999999999999, 8.2095361516013868556),
    ];

    #[test]
    fn std_normal_cdf_matches_high_precision_values() {
        for &(x, want) in PHI_REF {
            let got = std_normal_cdf(x);
            if x <= 0.0 {
                // relative accuracy in the lower tail
                assert!(
                    ((got - want) / want).abs() < 2e-15,
                    "Phi({x}) = {got:e}, want {want:e}"
                );
            } else {
                // upper tail: compare the tail probabilities 1 - Phi
                let tail = 1.0 - want;
                assert!(
                    ((1.0 - got) - tail).abs() <= 1.2e-16 + 2e-15 * tail,
                    "Phi({x}) = {got:e}, want {want:e}"
                );
            }
        }
    }

    #[test]
    fn std_normal_cdf_matches_statrs() {
        // statrs 0.19's erfc is good to about 2e-10 relative (4e-11 at z = −3
        // and 5e-11 at z = −37 by mpmath, where ours agrees to 1e-15 above),
        // so this is a coarse cross-check over a dense grid.
        let n = Normal::standard();
        let mut z = -37.0;
        while z <= 8.3 {
            let (got, want) = (std_normal_cdf(z), n.cdf(z));
            let tail = want.min(1.0 - want);
            assert!(
                (got - want).abs() <= 5e-10 * tail + 3e-16,
                "z = {z}: {got:e} vs {want:e}"
            );
            if z > 0.0 {
                let (t_got, t_want) = (std_normal_cdf(-z), n.sf(z));
                assert!(((t_got - t_want) / t_want).abs() < 5e-10, "z = {z}");
            }
            z += 0.00731;
        }
    }

    #[test]
    fn std_normal_cdf_special_values() {
        assert_eq!(std_normal_cdf(0.0), 0.5);
        assert_eq!(std_normal_cdf(f64::NEG_INFINITY), 0.0);
        assert_eq!(std_normal_cdf(f64::INFINITY), 1.0);
        assert_eq!(std_normal_cdf(-50.0), 0.0);
        assert_eq!(std_normal_cdf(50.0), 1.0);
        assert!(std_normal_cdf(f64::NAN).is_nan());
        // symmetry Φ(z) + Φ(−z) = 1
        for i in 0..=900 {
            let z = i as f64 / 100.0;
            assert!((std_normal_cdf(z) + std_normal_cdf(-z) - 1.0).abs() <= 2.3e-16);
        }
    }

    #[test]
    fn std_normal_quantile_matches_high_precision_values() {
        for &(p, want) in PHI_INV_REF {
            let got = std_normal_quantile(p);
            assert!(
                ((got - want) / want).abs() < 1e-15,
                "Phi^-1({p:e}) = {got}, want {want}"
            );
        }
        // the smallest subnormal
        let got = std_normal_quantile(5e-324);
        assert!((got + 38.46740561714434625078).abs() < 1e-13, "{got}");
    }

    #[test]
    fn std_normal_quantile_matches_statrs() {
        let n = Normal::standard();
        let mut ps = vec![1e-300, 1e-200, 1e-50, 1e-16, 1.0 - 1e-16, 1.0 - 1e-10];
        for i in 1..2000 {
            let p = i as f64 / 2000.0;
            ps.extend([p, p * 1e-8, p * 1e-30, p * 1e-250]);
        }
        for p in ps {
            let (got, want) = (std_normal_quantile(p), n.inverse_cdf(p));
            assert!(
                (got - want).abs() <= 1e-14 * want.abs().max(1e-2),
                "p = {p:e}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn std_normal_quantile_inverts_cdf() {
        // Lower half: Φ(z) carries full relative precision, so z comes back to
        // ~1e-15. Upper half: Φ(z) = 1 − tail is rounded to 1.1e-16 absolute,
        // which moves z by 1.1e-16/φ(z); allow that.
        let mut z = -37.0;
        while z < 8.0 {
            let back = std_normal_quantile(std_normal_cdf(z));
            let rounding = if z > 0.0 {
                1.2e-16 / (FRAC_1_SQRT_2PI * (-0.5 * z * z).exp())
            } else {
                0.0
            };
            assert!(
                (back - z).abs() <= 2e-15 * z.abs().max(1.0) + rounding,
                "z = {z}: {back}"
            );
            z += 0.0013;
        }
    }

    #[test]
    fn std_normal_quantile_special_values() {
        assert_eq!(std_normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(std_normal_quantile(1.0), f64::INFINITY);
        assert_eq!(std_normal_quantile(0.5), 0.0);
        assert!(std_normal_quantile(f64::NAN).is_nan());
        assert!(std_normal_quantile(-0.1).is_nan());
        assert!(std_normal_quantile(1.1).is_nan());
        assert!(std_normal_quantile(f64::INFINITY).is_nan());
        for i in 1..1000 {
            // 1 − p is exact for these p, so symmetry must hold exactly
            let p = i as f64 / 2048.0;
            assert_eq!(std_normal_quantile(1.0 - p), -std_normal_quantile(p));
        }
    }

    // ----- incomplete beta and its inverse --------------------------------

    #[test]
    fn incomplete_beta_matches_statrs_and_high_precision_values() {
        let shapes = [0.05, 0.3, 0.5, 1.0, 1.7, 3.0, 12.0, 80.0, 300.0];
        let xs = [1e-12, 1e-5, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0 - 1e-7];
        for &a in &shapes {
            for &b in &shapes {
                let ln_norm = ln_beta_norm(a, b);
                for &x in &xs {
                    let got = inc_beta(a, b, ln_norm, x);
                    let want = match checked_beta_reg(a, b, x) {
                        Ok(v) => v,
                        Err(e) => panic!("statrs: {e}"),
                    };
                    let tol = 1e-12 * want.min(1.0 - want) + 1e-15;
                    assert!(
                        (got - want).abs() <= tol,
                        "I({x}; {a}, {b}) = {got:e} vs {want:e}"
                    );
                }
            }
        }
        // mpmath, 40 digits; for shapes of 10 000 the error of ln B(a, b)
        // (cancellation of ln Γ terms of size 2e5) dominates: ~1e-10.
        let refs: &[(f64, f64, f64, f64, f64)] = &[
            (2.0, 3.0, 0.1, 0.052300000000000005396, 1e-14),
            (0.5, 0.5, 1e-8, 0.000063661977342861430846, 1e-14),
            (50.0, 50.0, 0.45, 0.1586521989370988487, 1e-12),
            (1000.0, 1000.0, 0.49, 0.18555265943151144994, 1e-11),
            (10000.0, 10000.0, 0.499, 0.38864995214253754957, 1e-9),
            (10000.0, 10000.0, 0.51, 0.99766294066988985049, 1e-9),
            (0.01, 2.0, 1e-50, 0.31939004367700630497, 1e-14),
            (0.001, 0.001, 0.3, 0.4995769621396764663, 1e-14),
            (1.2, 400.0, 0.001, 0.24470407968285507608, 1e-13),
        ];
        for &(a, b, x, want, tol) in refs {
            let got = inc_beta(a, b, ln_beta_norm(a, b), x);
            assert!(
                ((got - want) / want).abs() < tol,
                "I({x}; {a}, {b}) = {got:e} vs {want:e}"
            );
        }
    }

    #[test]
    fn beta_quantile_matches_high_precision_values() {
        // (alpha, beta, p, x) with I_x(alpha, beta) = p, mpmath bisection at 50 digits
        let refs: &[(f64, f64, f64, f64)] = &[
            (2.0, 3.0, 0.1, 0.14255931671003072354),
            (2.0, 3.0, 1e-06, 0.00040835946020425728928),
            (2.0, 3.0, 0.5, 0.38572756813238954828),
            (0.5, 0.5, 1e-08, 2.467401100272339555e-16),
            (0.5, 0.5, 0.3, 0.20610737385376342131),
            (3.0, 3.0, 0.025, 0.14663279963467312197),
            (1.5, 4.5, 0.05, 0.036447268045388846364),
            (1.5, 4.5, 0.2, 0.10066665731194511217),
            (0.2, 0.3, 0.001, 8.9378476882948752858e-15),
            (0.2, 0.3, 0.4, 0.086839429333451935934),
            (30.0, 20.0, 0.01, 0.43655178585473343103),
            (30.0, 20.0, 1e-12, 0.15981179335799039556),
        ];
        for &(a, b, p, want) in refs {
            let m = marginal(Distribution::standard_beta(a, b));
            let got = m.quantile(p);
            assert!(
                ((got - want) / want).abs() < 2e-14,
                "Beta({a}, {b}) quantile({p:e}) = {got:e}, want {want:e}"
            );
            // the upper tail of the mirrored distribution: F⁻¹(1 − p) of Beta(b, a)
            let mirror = marginal(Distribution::standard_beta(b, a));
            let got = 1.0 - mirror.upper(p);
            assert!(
                (got - want).abs() < 1e-15 + 2e-14 * want,
                "mirror: {got:e} vs {want:e}"
            );
        }
        // closed forms: Beta(a, 1) is x^a, Beta(1, b) is 1 − (1 − x)^b
        let m = marginal(Distribution::standard_beta(2.5, 1.0));
        assert!((m.quantile(0.3) - 0.3f64.powf(1.0 / 2.5)).abs() < 1e-15);
        let m = marginal(Distribution::standard_beta(1.0, 4.0));
        assert!((m.quantile(0.3) - (1.0 - 0.7f64.powf(0.25))).abs() < 1e-15);
    }

    #[test]
    fn beta_solver_is_robust_over_shapes_and_tails() {
        let shapes = [1e-3, 0.01, 0.1, 0.5, 0.9, 1.5, 2.0, 5.0, 30.0, 300.0, 1e4];
        let ps = [
            1e-300, 1e-100, 1e-20, 1e-10, 1e-4, 0.01, 0.1, 0.3, 0.5, 0.7, 0.99, 0.999999,
        ];
        for &a in &shapes {
            for &b in &shapes {
                let sb = ScaledBeta::new(a, b, 0.0, 1.0);
                for &p in &ps {
                    let x = sb.lower(p);
                    let y = sb.upper(p);
                    assert!(
                        (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y),
                        "Beta({a}, {b}) at {p:e}"
                    );
                    // Check in the variable actually solved for, t = ln x or ln(1 − x),
                    // where nothing underflows: ln I(t) = ln target up to the rounding
                    // of t, amplified by g' = d ln I/d t.
                    for (flipped, t, upper) in [
                        (sb.solve_lower(p).0, sb.solve_lower(p).1, false),
                        (sb.solve_upper(p).0, sb.solve_upper(p).1, true),
                    ] {
                        // solving for B when (lower, not flipped) or (upper, flipped)
                        let for_b = flipped == upper;
                        let (sa, sb_) = if for_b { (a, b) } else { (b, a) };
                        let target = if flipped { 1.0 - p } else { p };
                        assert!(t <= 0.0, "Beta({a}, {b}) at {p:e}: t = {t}");
                        let (v, omv, ln_omv) = exp_parts(t);
                        let ln_i = ln_inc_beta_parts(sa, sb_, sb.ln_norm, v, omv, t, ln_omv);
                        let dg = (sa * t + (sb_ - 1.0) * ln_omv + sb.ln_norm - ln_i).exp();
                        let g = ln_i - target.ln();
                        // The evaluation of ln I is good to a few 1e-13 for moderate
                        // shapes; the rounding in the continued fraction grows with
                        // a + b (about 1e-10 at a = b = 1e4), and so does the rounding
                        // of the sum of the large terms a·ln v + b·ln(1 − v) − ln B.
                        // t = ln v carries v to relative precision eps, i.e.
                        // |Δt| ~ eps, amplified by g'.
                        let terms = sa * t.abs() + sb_ * ln_omv.abs() + sb.ln_norm.abs();
                        let tol = 5e-13 + 1e-14 * (a + b) + 4e-16 * (terms + dg * t.abs().max(1.0));
                        assert!(
                            g.abs() <= tol,
                            "Beta({a}, {b}) at {p:e} (upper {upper}, flipped {flipped}): \
                             t = {t:e}, ln I − ln p = {g:e} > {tol:e}"
                        );
                    }
                }
            }
        }
    }

    // ----- every distribution: quadrature, round trips, scores ------------

    #[test]
    fn quadrature_mean_and_variance_match_closed_forms() {
        // The midpoint rule on u_i = (i + 1/2)/N has interior error O(N^-2);
        // the error is dominated by the two end cells, where the quantile
        // function may be unbounded. On the cell [0, 1/N] the rule replaces
        // Q(u) by Q(1/(2N)), an error of at most |Q(ε) − Q(1/(2N))|/N for a
        // monotone Q, where ε bounds the part of the cell that carries the
        // weight (ε = 1e-6/N for the tails of all cases here). Same for the
        // squared deviations, and for the top cell.
        for m in continuous_cases() {
            let (mean, var) = (m.mean(), m.variance());
            let n = N as f64;
            let (mut s1, mut s2) = (Neumaier::default(), Neumaier::default());
            for u in grid() {
                let x = m.quantile(u);
                s1.add(x);
                s2.add((x - mean) * (x - mean));
            }
            let (q_mean, q_var) = (s1.value() / n, s2.value() / n);
            let eps = 1e-6 / n;
            let (lo_edge, hi_edge) = (m.quantile(0.5 / n), m.quantile(1.0 - 0.5 / n));
            let (lo_far, hi_far) = (m.quantile(eps), m.quantile(1.0 - eps));
            let tol_mean =
                ((lo_far - lo_edge).abs() + (hi_far - hi_edge).abs()) / n + 1e-12 * var.sqrt();
            let sq = |x: f64| (x - mean) * (x - mean);
            let tol_var = ((sq(lo_far) - sq(lo_edge)).abs() + (sq(hi_far) - sq(hi_edge)).abs()) / n
                + 1e-12 * var;
            assert!(
                (q_mean - mean).abs() <= tol_mean,
                "{}: quadrature mean {q_mean} vs {mean} (tol {tol_mean:e})",
                m.describe()
            );
            assert!(
                (q_var - var).abs() <= tol_var,
                "{}: quadrature variance {q_var} vs {var} (tol {tol_var:e})",
                m.describe()
            );
            // the tolerance is a real constraint: it detects an error of 0.1 % of
            // the spread in the mean and of 1 % in the variance
            assert!(
                tol_mean < 1e-3 * var.sqrt() && tol_var < 1e-2 * var,
                "{}",
                m.describe()
            );
        }
    }

    #[test]
    fn discrete_grid_fractions_match_probabilities() {
        // Value v_k is drawn for u in (F(v_{k−1}), F(v_k)], an interval of
        // length P(X = v_k); it holds N·P(X = v_k) ± 1 grid points.
        for m in discrete_cases() {
            let mut counts: Vec<(f64, usize)> = Vec::new();
            for u in grid() {
                let x = m.quantile(u);
                match counts.last_mut() {
                    Some((v, c)) if *v == x => *c += 1,
                    _ => {
                        assert!(counts.last().is_none_or(|&(v, _)| v < x), "not monotone");
                        counts.push((x, 1));
                    }
                }
            }
            let n = N as f64;
            let table: Vec<f64> = match &m.kind {
                Kind::Steps(t) => t.values.clone(),
                Kind::Fixed(v) => vec![*v],
                _ => panic!("{} is not discrete", m.describe()),
            };
            let mut total_p = Neumaier::default();
            for &v in &table {
                let p = m.pmf(v);
                assert!(p > 0.0, "{}: value {v} has no mass", m.describe());
                total_p.add(p);
                let c = counts.iter().find(|&&(x, _)| x == v).map_or(0, |&(_, c)| c);
                assert!(
                    (c as f64 / n - p).abs() <= 1.0 / n + 1e-12,
                    "{}: value {v}",
                    m.describe()
                );
            }
            assert!((total_p.value() - 1.0).abs() < 1e-14, "{}", m.describe());
            assert!(counts.iter().all(|&(x, _)| table.contains(&x)));
            // and the closed-form moments follow within the same resolution
            let (mean, var) = (m.mean(), m.variance());
            let q_mean: f64 = counts.iter().map(|&(v, c)| v * c as f64).sum::<f64>() / n;
            let q_var: f64 = counts
                .iter()
                .map(|&(v, c)| (v - mean) * (v - mean) * c as f64)
                .sum::<f64>()
                / n;
            let tol_mean: f64 =
                counts.iter().map(|&(v, _)| (v - mean).abs()).sum::<f64>() / n + 1e-12;
            let tol_var: f64 = counts
                .iter()
                .map(|&(v, _)| (v - mean) * (v - mean))
                .sum::<f64>()
                / n
                + 1e-12;
            assert!(
                (q_mean - mean).abs() <= tol_mean,
                "{}: {q_mean} vs {mean}",
                m.describe()
            );
            assert!(
                (q_var - var).abs() <= tol_var,
                "{}: {q_var} vs {var}",
                m.describe()
            );
        }
    }

    #[test]
    fn cdf_inverts_quantile_for_continuous_kinds() {
        let mut us = vec![1e-12, 1e-9, 1e-6, 1e-4, 1.0 - 1e-4, 1.0 - 1e-6, 1.0 - 1e-9];
        us.extend((1..1000).map(|i| i as f64 / 1000.0));
        for m in continuous_cases() {
            for &u in &us {
                let x = m.quantile(u);
                let back = m.cdf(x);
                // u itself to 1e-12 relative (in the nearer tail), plus the effect
                // of rounding x to a double: the jump of F across 2–4 ulps of x
                let d = 4.0 * f64::EPSILON * x.abs().max(f64::MIN_POSITIVE);
                let (up, down) = (x + d, x - d);
                let rounding = (m.cdf(up) - back).max(back - m.cdf(down));
                let tol = 1e-12 * u.min(1.0 - u) + 2.0 * rounding + 2e-16;
                assert!(
                    (back - u).abs() <= tol,
                    "{}: cdf(quantile({u:e})) = {back:e}",
                    m.describe()
                );
            }
        }
    }

    #[test]
    fn from_score_is_quantile_of_phi() {
        // For z > 0, quantile(Φ(z)) sees Φ(z) rounded to 1.1e-16 absolute while
        // from_score uses the tail Φ(−z) directly; keep z <= 3, where that moves
        // the draw by under 3e-14 of the spread.
        for m in all_cases() {
            let scale = m.variance().sqrt().max(1e-300);
            let mut prev = f64::NEG_INFINITY;
            let mut z = -8.0;
            while z <= 3.0 {
                let a = m.from_score(z);
                let b = m.quantile(std_normal_cdf(z));
                assert!(
                    (a - b).abs() <= 1e-12 * (scale + a.abs()),
                    "{}: z = {z}: from_score {a} vs quantile(Phi) {b}",
                    m.describe()
                );
                assert!(a >= prev, "{}: not monotone at z = {z}", m.describe());
                prev = a;
                z += 0.00317;
            }
            // far scores stay finite and inside the support
            let (lo, hi) = m.support();
            for z in [-1e10_f64, -40.0, -38.0, -20.0, -9.0, 9.0, 20.0, 40.0, 1e10] {
                if z.abs() > 100.0 && m.kind_name() == "lognormal" {
                    continue; // exp(mu + sigma·z) overflows: that is the exact value
                }
                let x = m.from_score(z);
                assert!(
                    x.is_finite() && x >= lo && x <= hi,
                    "{}: z = {z}: {x}",
                    m.describe()
                );
            }
        }
    }

    #[test]
    fn block_versions_match_single_draws() {
        let zs: Vec<f64> = (0..500).map(|i| -4.0 + i as f64 * 0.016).collect();
        let us: Vec<f64> = (0..500).map(|i| (i as f64 + 0.5) / 500.0).collect();
        for m in all_cases() {
            let mut out = vec![0.0; 500];
            m.fill_from_scores(&zs, &mut out);
            for (&z, &x) in zs.iter().zip(&out) {
                assert_eq!(x.to_bits(), m.from_score(z).to_bits(), "{}", m.describe());
            }
            m.fill_from_uniforms(&us, &mut out);
            for (&u, &x) in us.iter().zip(&out) {
                assert_eq!(x.to_bits(), m.quantile(u).to_bits(), "{}", m.describe());
            }
            // mismatched lengths: only the common part is written, no panic
            let mut short = vec![f64::NAN; 3];
            m.fill_from_scores(&zs, &mut short);
            assert_eq!(short[2].to_bits(), m.from_score(zs[2]).to_bits());
            let mut long = vec![-7.0; 600];
            m.fill_from_uniforms(&us, &mut long);
            assert_eq!(long[550], -7.0);
        }
    }

    #[test]
    fn quantile_ends_and_invalid_input() {
        for m in all_cases() {
            let (lo, hi) = m.support();
            assert_eq!(m.quantile(0.0), lo, "{}", m.describe());
            assert_eq!(m.quantile(1.0), hi, "{}", m.describe());
            assert!(m.quantile(f64::NAN).is_nan());
            assert!(m.quantile(-0.1).is_nan());
            assert!(m.quantile(1.5).is_nan());
            assert!(m.cdf(f64::NAN).is_nan());
            assert_eq!(m.cdf(f64::NEG_INFINITY), 0.0, "{}", m.describe());
            assert_eq!(m.cdf(f64::INFINITY), 1.0, "{}", m.describe());
            let x = m.from_score(f64::NAN);
            assert!(x.is_nan() || m.kind_name() == "fixed");
        }
        let n = marginal(Distribution::normal(1.0, 2.0));
        assert_eq!(n.support(), (f64::NEG_INFINITY, f64::INFINITY));
        assert_eq!(n.from_score(f64::NEG_INFINITY), f64::NEG_INFINITY);
        let l = marginal(Distribution::lognormal_median(3.0, 0.5));
        assert_eq!(l.quantile(0.0), 0.0);
        assert_eq!(l.quantile(1.0), f64::INFINITY);
        assert_eq!(l.cdf(-1.0), 0.0);
    }

    // ----- individual kinds ----------------------------------------------

    #[test]
    fn normal_and_lognormal_fast_paths() {
        let n = marginal(Distribution::normal(0.06, 0.02));
        assert_eq!(n.from_score(1.5), 0.06 + 0.02 * 1.5);
        let l = marginal(Distribution::lognormal_median(210.0, 0.15));
        assert_eq!(l.from_score(-0.7), (210f64.ln() - 0.15 * 0.7).exp());
        let s = marginal(Distribution::split_normal(5.0, 2.0, 2.0));
        assert_eq!(s.from_score(0.3), 5.0 + 2.0 * 0.3);
        let f = marginal(Distribution::fixed(4.25));
        assert_eq!(f.from_score(-2.0), 4.25);
        assert_eq!(f.quantile(0.3), 4.25);
        assert_eq!(f.mean(), 4.25);
        assert_eq!(f.variance(), 0.0);
        assert_eq!((f.cdf(4.0), f.cdf(4.25), f.pmf(4.25)), (0.0, 1.0, 1.0));
    }

    #[test]
    fn lognormal_parameterisations() {
        // P(X >= 200) for median 210, sigma 0.15 is Φ(ln(210/200)/0.15) (mpmath)
        let m = marginal(Distribution::lognormal_median(210.0, 0.15));
        assert!((1.0 - m.cdf(200.0) - 0.62751078586502318978).abs() < 1e-15);
        assert!((m.quantile(0.5) - 210.0).abs() < 1e-12);
        assert!((m.from_score(0.0) - 210.0).abs() < 1e-12);
        // the mean/sd form reproduces the mean and sd exactly
        for (mean, sd) in [(100.0, 40.0), (0.05, 0.001), (3.0, 30.0)] {
            let m = marginal(Distribution::lognormal_mean_sd(mean, sd));
            assert!((m.mean() - mean).abs() < 1e-14 * mean, "{mean}");
            assert!((m.variance().sqrt() - sd).abs() < 1e-13 * sd, "{sd}");
            let sigma2 = (sd * sd / (mean * mean)).ln_1p();
            match m.distribution() {
                Distribution::LogNormal { mu, sigma } => {
                    assert!((sigma * sigma - sigma2).abs() < 1e-14 * sigma2);
                    assert!((mu - (mean.ln() - sigma2 / 2.0)).abs() < 1e-14 * (1.0 + mu.abs()));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn split_normal_break_point_and_continuity() {
        for (mode, lo, hi) in [(0.06, 0.02, 0.012), (-3.0, 1.0, 4.0), (10.0, 5.0, 0.5)] {
            let m = marginal(Distribution::split_normal(mode, lo, hi));
            let c = lo / (lo + hi);
            assert!((m.cdf(mode) - c).abs() < 1e-15, "P(X <= mode)");
            assert!((m.cdf(mode - 1e-300) - c).abs() < 1e-15, "left limit");
            // quantile continuous through u = c, and equal to the mode there
            assert!((m.quantile(c) - mode).abs() < 1e-15 * (lo + hi));
            for d in [1e-9, 1e-6] {
                let below = m.quantile(c * (1.0 - d));
                let above = m.quantile(c + (1.0 - c) * d);
                assert!(below <= mode && above >= mode);
                // F'(mode) = 2/(sqrt(2 pi) (lo + hi)) so du = d·c moves x by ~d·c·(lo+hi)·1.25
                assert!(mode - below < 1.3 * d * c * (lo + hi) + 1e-15, "{below}");
                assert!(
                    above - mode < 1.3 * d * (1.0 - c) * (lo + hi) + 1e-15,
                    "{above}"
                );
            }
            // the two halves: x = mode + sd_low Φ⁻¹(u/2c) and mode − sd_high Φ⁻¹((1−u)/(2(1−c)))
            for u in [0.01, 0.2 * c, 0.9 * c] {
                let want = mode + lo * std_normal_quantile(u / (2.0 * c));
                assert!((m.quantile(u) - want).abs() < 1e-14 * (lo + hi + want.abs()));
            }
            for u in [c + 0.1 * (1.0 - c), 0.999] {
                let want = mode - hi * std_normal_quantile((1.0 - u) / (2.0 * (1.0 - c)));
                assert!((m.quantile(u) - want).abs() < 1e-13 * (lo + hi + want.abs()));
            }
        }
    }

    #[test]
    fn triangular_and_pert_closed_forms() {
        let t = marginal(Distribution::triangular(1.0, 2.0, 5.0));
        // F(mode) = (mode − min)/(max − min)
        assert!((t.cdf(2.0) - 0.25).abs() < 1e-16);
        assert!((t.quantile(0.25) - 2.0).abs() < 1e-15);
        assert!((t.quantile(0.01) - (1.0 + (0.01f64 * 4.0 * 1.0).sqrt())).abs() < 1e-15);
        assert!((t.quantile(0.99) - (5.0 - (0.01f64 * 4.0 * 3.0).sqrt())).abs() < 1e-14);
        assert!((t.mean() - 8.0 / 3.0).abs() < 1e-15);
        assert!((t.variance() - (1.0 + 4.0 + 25.0 - 2.0 - 5.0 - 10.0) / 18.0).abs() < 1e-15);
        // PERT with lambda = 4: mean (min + 4 mode + max)/6
        let p = marginal(Distribution::pert_default(10.0, 12.0, 20.0));
        assert!((p.mean() - (10.0 + 48.0 + 20.0) / 6.0).abs() < 1e-14);
        let mean = p.mean();
        assert!((p.variance() - (mean - 10.0) * (20.0 - mean) / 7.0).abs() < 1e-13);
        // and it is the scaled Beta(1 + 4·0.2, 1 + 4·0.8)
        let b = marginal(Distribution::beta(1.8, 4.2, 10.0, 20.0));
        for u in [1e-6, 0.1, 0.5, 0.77, 0.999] {
            assert!((p.quantile(u) - b.quantile(u)).abs() < 1e-13, "{u}");
        }
        // mode at min: Beta(1, 5), quantile 1 − (1 − u)^(1/5)
        let p = marginal(Distribution::pert_default(0.0, 0.0, 1.0));
        assert!((p.quantile(0.3) - (1.0 - 0.7f64.powf(0.2))).abs() < 1e-15);
    }

    #[test]
    fn binomial_probabilities() {
        // P(Binomial(16, 0.6) >= 10) as the exact sum in f64 and from mpmath
        let m = marginal(Distribution::binomial(16.0, 0.6));
        let exact: f64 = (10..=16u64)
            .map(|k| {
                let c = statrs::function::factorial::binomial(16, k);
                c * 0.6f64.powi(k as i32) * 0.4f64.powi(16 - k as i32)
            })
            .sum();
        let got = 1.0 - m.cdf(9.0);
        assert!((got - exact).abs() < 1e-15, "{got} vs {exact}");
        assert!((got - 0.527174113591296).abs() < 1e-15, "{got}");
        assert_eq!(m.cdf(9.5), m.cdf(9.0));
        // P(Binomial(6, 0.8) = 6) = 0.8^6
        let m = marginal(Distribution::binomial(6.0, 0.8));
        assert!((m.pmf(6.0) - 0.8f64.powi(6)).abs() < 1e-16);
        assert!((1.0 - m.cdf(5.0) - 0.8f64.powi(6)).abs() < 1e-15);
        assert_eq!(m.quantile(1.0 - 0.8f64.powi(6) / 2.0), 6.0);
        assert_eq!(m.pmf(5.5), 0.0);
        // against statrs over a wide table
        let m = marginal(Distribution::binomial(1000.0, 0.3));
        let s = match StatrsBinomial::new(0.3, 1000) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        for k in (200..=400).step_by(7) {
            let (got, want) = (m.cdf(k as f64), s.cdf(k));
            assert!(
                (got - want).abs() <= 1e-12 * want.min(1.0 - want) + 1e-15,
                "k = {k}"
            );
        }
        // degenerate p
        let m = marginal(Distribution::binomial(5.0, 0.0));
        assert_eq!(
            (m.quantile(0.7), m.cdf(0.0), m.support()),
            (0.0, 1.0, (0.0, 0.0))
        );
        let m = marginal(Distribution::binomial(5.0, 1.0));
        assert_eq!(
            (m.quantile(0.7), m.cdf(4.0), m.support()),
            (5.0, 0.0, (5.0, 5.0))
        );
    }

    #[test]
    fn binomial_with_ten_million_trials() {
        let (n, p) = (1e7, 0.37);
        let m = marginal(Distribution::binomial(n, p));
        let (mean, var) = (n * p, n * p * (1.0 - p));
        let (mut s0, mut s1, mut s2) = (
            Neumaier::default(),
            Neumaier::default(),
            Neumaier::default(),
        );
        if let Kind::Steps(t) = &m.kind {
            assert!(
                t.values.len() < 200_000,
                "table of {} entries",
                t.values.len()
            );
            for (&v, &w) in t.values.iter().zip(&t.pmf) {
                s0.add(w);
                s1.add(w * v);
                s2.add(w * (v - mean) * (v - mean));
            }
        } else {
            panic!("binomial must be tabulated");
        }
        assert!((s0.value() - 1.0).abs() < 1e-14);
        assert!((s1.value() - mean).abs() < 1e-9 * mean);
        assert!((s2.value() - var).abs() < 1e-9 * var);
        // median of a binomial is floor or ceil of n·p
        let med = m.quantile(0.5);
        assert!(med == mean.floor() || med == mean.ceil(), "{med}");
        // tails stay in range and ordered
        let (a, b) = (m.from_score(-8.0), m.from_score(8.0));
        assert!(a > 0.0 && b < n && a < med && b > med);
        assert!(((b - mean) / var.sqrt() - 8.0).abs() < 0.01);
    }

    #[test]
    fn discrete_unsorted_with_zero_weights() {
        let d = match Distribution::discrete(
            vec![5.0, 1.0, 3.0, 2.0, 3.0],
            vec![2.0, 0.0, 2.5, 3.0, 2.5],
        ) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        // weights normalised
        if let Distribution::Discrete { weights, .. } = &d {
            assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-15);
            assert!((weights[0] - 0.2).abs() < 1e-16);
        }
        let m = marginal(Ok(d));
        // sorted: 2 (0.3), 3 (0.5, pooled), 5 (0.2); 1 never drawn
        assert_eq!(m.support(), (2.0, 5.0));
        assert_eq!(m.quantile(1e-12), 2.0);
        assert_eq!(m.quantile(0.3 - 1e-12), 2.0);
        assert_eq!(m.quantile(0.3 + 1e-12), 3.0);
        assert_eq!(m.quantile(0.8 - 1e-12), 3.0);
        assert_eq!(m.quantile(0.8 + 1e-12), 5.0);
        assert_eq!(m.pmf(1.0), 0.0);
        assert!((m.pmf(3.0) - 0.5).abs() < 1e-16);
        assert_eq!(m.cdf(1.5), 0.0);
        assert!((m.cdf(3.0) - 0.8).abs() < 1e-16);
        assert!((m.mean() - (0.6 + 1.5 + 1.0)).abs() < 1e-15);
        let b = marginal(Distribution::bernoulli(0.3));
        assert_eq!((b.quantile(0.7), b.quantile(0.7 + 1e-12)), (0.0, 1.0));
        assert_eq!((b.mean(), b.variance()), (0.3, 0.3 * 0.7));
    }

    // ----- validation -----------------------------------------------------

    fn check(r: Result<Distribution, ParamError>, param: &str, hint: Option<&str>) {
        let e = err_of(r);
        assert_eq!(e.param, param, "{e}");
        if let Some(h) = hint {
            match &e.hint {
                Some(got) => assert!(got.contains(h), "hint {got:?} lacks {h:?}"),
                None => panic!("no hint in {e:?}"),
            }
        }
    }

    #[test]
    fn constructors_report_bad_parameters() {
        let e = err_of(Distribution::normal(0.05, -0.07));
        assert_eq!(
            e.to_string(),
            "sd = -0.07: a standard deviation must be greater than 0"
        );
        assert_eq!(e.hint.as_deref(), Some("did you mean 0.07?"));
        check(Distribution::normal(0.05, 0.0), "sd", Some("fixed"));
        check(Distribution::normal(f64::NAN, 1.0), "mean", None);
        assert_eq!(err_of(Distribution::normal(f64::NAN, 1.0)).value, "NaN");
        check(Distribution::normal(1.0, f64::INFINITY), "sd", None);
        check(
            Distribution::lognormal_median(-5.0, 0.1),
            "median",
            Some("always positive"),
        );
        check(
            Distribution::lognormal_median(5.0, -0.1),
            "sigma",
            Some("did you mean 0.1?"),
        );
        check(Distribution::lognormal_mean_sd(0.0, 1.0), "mean", None);
        check(
            Distribution::lognormal_mean_sd(10.0, -1.0),
            "sd",
            Some("did you mean 1?"),
        );
        check(
            Distribution::split_normal(0.06, -0.02, 0.01),
            "sd_low",
            Some("did you mean 0.02?"),
        );
        check(Distribution::split_normal(0.06, 0.02, 0.0), "sd_high", None);
        check(
            Distribution::split_normal(f64::NAN, 0.02, 0.01),
            "mode",
            None,
        );
        check(
            Distribution::triangular(1.0, 0.5, 3.0),
            "mode",
            Some("min <= mode <= max"),
        );
        check(
            Distribution::triangular(1.0, 5.0, 3.0),
            "mode",
            Some("min <= mode <= max"),
        );
        check(Distribution::triangular(3.0, 2.0, 1.0), "max", Some("swap"));
        check(
            Distribution::triangular(1.0, 1.0, 1.0),
            "max",
            Some("fixed"),
        );
        check(
            Distribution::triangular(f64::NEG_INFINITY, 1.0, 2.0),
            "min",
            None,
        );
        check(
            Distribution::pert(0.0, 2.0, 1.0, 4.0),
            "mode",
            Some("min <= mode <= max"),
        );
        check(
            Distribution::pert(0.0, 0.5, 1.0, 0.0),
            "lambda",
            Some("lambda = 4"),
        );
        check(Distribution::pert(0.0, 0.5, 1.0, 5000.0), "lambda", None);
        check(Distribution::uniform(2.0, 2.0), "max", None);
        check(Distribution::uniform(-1e308, 1e308), "max", None);
        check(
            Distribution::beta(-2.0, 3.0, 0.0, 1.0),
            "alpha",
            Some("did you mean 2?"),
        );
        check(Distribution::beta(2.0, 0.0, 0.0, 1.0), "beta", None);
        check(Distribution::beta(2.0, 1e5, 0.0, 1.0), "beta", None);
        check(Distribution::beta(1e-4, 1.0, 0.0, 1.0), "alpha", None);
        assert!(Distribution::beta(MIN_BETA_SHAPE, MAX_BETA_SHAPE, 0.0, 1.0).is_ok());
        check(Distribution::beta(2.0, 3.0, 1.0, 0.0), "max", Some("swap"));
        check(Distribution::binomial(16.5, 0.5), "n", Some("16 or 17"));
        check(Distribution::binomial(0.0, 0.5), "n", None);
        check(
            Distribution::binomial(-3.0, 0.5),
            "n",
            Some("did you mean 3?"),
        );
        check(Distribution::binomial(2e7, 0.5), "n", Some("normal"));
        check(Distribution::binomial(f64::NAN, 0.5), "n", None);
        let e = err_of(Distribution::binomial(16.0, 60.0));
        assert_eq!(e.param, "p");
        assert_eq!(
            e.hint.as_deref(),
            Some("p is a fraction: did you mean 0.6?")
        );
        check(
            Distribution::binomial(16.0, -0.2),
            "p",
            Some("did you mean 0.2?"),
        );
        check(
            Distribution::bernoulli(1.5),
            "p",
            Some("did you mean 0.015?"),
        );
        check(Distribution::bernoulli(f64::NAN), "p", None);
        check(Distribution::discrete(vec![], vec![]), "values", None);
        check(
            Distribution::discrete(vec![1.0, 2.0], vec![1.0]),
            "weights",
            None,
        );
        check(
            Distribution::discrete(vec![1.0, f64::NAN], vec![1.0, 1.0]),
            "values",
            None,
        );
        check(
            Distribution::discrete(vec![1.0, 2.0], vec![1.0, -0.5]),
            "weights",
            Some("did you mean 0.5?"),
        );
        check(
            Distribution::discrete(vec![1.0, 2.0], vec![0.0, 0.0]),
            "weights",
            None,
        );
        check(
            Distribution::discrete(vec![1.0, 2.0], vec![1.0, f64::INFINITY]),
            "weights",
            None,
        );
        check(
            Distribution::discrete(
                vec![0.0; MAX_DISCRETE_VALUES + 1],
                vec![1.0; MAX_DISCRETE_VALUES + 1],
            ),
            "values",
            None,
        );
        check(Distribution::fixed(f64::NAN), "value", None);
        // large but valid
        assert!(Distribution::binomial(1e7, 0.5).is_ok());
        assert!(
            Distribution::discrete(
                vec![0.0; MAX_DISCRETE_VALUES],
                vec![1.0; MAX_DISCRETE_VALUES]
            )
            .is_ok()
        );
        assert!(Distribution::discrete(vec![1.0, 2.0], vec![1e308, 1e308]).is_ok());
    }

    #[test]
    fn directly_built_values_are_checked_by_marginal() {
        let bad = [
            Distribution::Normal {
                mean: 0.0,
                sd: -1.0,
            },
            Distribution::LogNormal {
                mu: f64::NAN,
                sigma: 1.0,
            },
            Distribution::Binomial { n: 0, p: 0.5 },
            Distribution::Binomial {
                n: u64::MAX,
                p: 0.5,
            },
            Distribution::Pert {
                min: 0.0,
                mode: 0.5,
                max: 1.0,
                lambda: -4.0,
            },
            Distribution::Discrete {
                values: vec![1.0],
                weights: vec![],
            },
            Distribution::Beta {
                alpha: 1.0,
                beta: f64::INFINITY,
                min: 0.0,
                max: 1.0,
            },
        ];
        for d in bad {
            assert!(d.marginal().is_err(), "{d:?}");
            assert!(d.validate().is_err());
        }
        // unnormalised weights built directly are fine
        let d = Distribution::Discrete {
            values: vec![1.0, 2.0],
            weights: vec![1.0, 3.0],
        };
        let m = marginal(Ok(d));
        assert!((m.mean() - 1.75).abs() < 1e-15);
        assert!((m.cdf(1.0) - 0.25).abs() < 1e-16);
    }

    #[test]
    fn names_and_descriptions() {
        let all = [
            Distribution::normal(0.0, 1.0),
            Distribution::lognormal_median(1.0, 0.1),
            Distribution::split_normal(0.06, 0.02, 0.012),
            Distribution::triangular(0.0, 1.0, 2.0),
            Distribution::pert_default(0.0, 1.0, 2.0),
            Distribution::uniform(0.0, 1.0),
            Distribution::standard_beta(2.0, 2.0),
            Distribution::binomial(10.0, 0.5),
            Distribution::bernoulli(0.5),
            Distribution::discrete(vec![1.0], vec![1.0]),
            Distribution::fixed(1.0),
        ];
        let names: Vec<&str> = all
            .iter()
            .map(|d| match d {
                Ok(d) => d.kind_name(),
                Err(e) => panic!("{e}"),
            })
            .collect();
        assert_eq!(names, KIND_NAMES);
        let d = marginal(Distribution::split_normal(0.06, 0.02, 0.012));
        assert_eq!(
            d.describe(),
            "split normal: mode 0.060, sd_low 0.020, sd_high 0.012"
        );
        assert_eq!(d.distribution().to_string(), d.describe());
        let d = marginal(Distribution::lognormal_median(210.0, 0.15));
        assert!(
            d.describe()
                .starts_with("lognormal: median 210.000, sigma 0.150")
        );
        let d = marginal(Distribution::discrete(vec![1.0, 2.0], vec![1.0, 3.0]));
        assert_eq!(d.describe(), "discrete: 1.000 (p 0.250), 2.000 (p 0.750)");
        let d = marginal(Distribution::binomial(16.0, 0.6));
        assert_eq!(d.describe(), "binomial: n 16, p 0.600");
        assert!(d.is_discrete() && !marginal(Distribution::uniform(0.0, 1.0)).is_discrete());
    }
}
