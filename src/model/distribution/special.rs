//! Special functions: the standard normal distribution function and its
//! inverse, the regularised incomplete beta function and its inverse, and
//! compensated summation.

use statrs::function::gamma::ln_gamma;

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

/// Where [`std_normal_cdf`]'s first range ends: qnorm(3/4).
pub(crate) const CDF_CENTRAL: f64 = 0.67448975;

/// [`std_normal_cdf`] in its first range, `|z| <= CDF_CENTRAL`:
/// 0.5 + z R(z²). Finite for any finite `z` (a batch computes it for every
/// draw and keeps it for those in the range).
#[inline(always)]
pub(crate) fn cdf_central(z: f64) -> f64 {
    let zsq = z * z;
    let mut num = CODY_A[4] * zsq;
    let mut den = zsq;
    for i in 0..3 {
        num = (num + CODY_A[i]) * zsq;
        den = (den + CODY_B[i]) * zsq;
    }
    0.5 + z * (num + CODY_A[3]) / (den + CODY_B[3])
}

/// Where [`std_normal_quantile`]'s central range ends, in `|p - 1/2|`.
pub(crate) const QUANTILE_CENTRAL: f64 = 0.425;

/// [`std_normal_quantile`] in its central range, `q = p - 1/2` with
/// `|q| <= QUANTILE_CENTRAL`.
#[inline(always)]
pub(crate) fn quantile_central(q: f64) -> f64 {
    let r = 0.180625 - q * q;
    q * rational7(&AS241_A, &AS241_B, r)
}

/// The standard normal distribution function `Φ(z) = P(Z ≤ z)`.
///
/// W. J. Cody's rational Chebyshev approximation (ACM TOMS 715, the algorithm
/// of R's `pnorm`): relative error about 1e-15 for every `z`, including deep in
/// the lower tail (`Φ(−37.5) ≈ 4.6e-308`). `Φ(NaN) = NaN`.
#[inline]
pub fn std_normal_cdf(z: f64) -> f64 {
    let y = z.abs();
    if y <= CDF_CENTRAL {
        cdf_central(z)
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
    if q.abs() <= QUANTILE_CENTRAL {
        return quantile_central(q);
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

/// `ln(Γ(a+b)/(Γ(a)Γ(b))) = −ln B(a, b)`.
pub(super) fn ln_beta_norm(a: f64, b: f64) -> f64 {
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
pub(super) fn ln_inc_beta_parts(
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
pub(super) fn inc_beta(a: f64, b: f64, ln_norm: f64, x: f64) -> f64 {
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
pub(super) fn beta_inv_ln(
    a: f64,
    b: f64,
    ln_norm: f64,
    scale: f64,
    p: f64,
    start: Option<f64>,
) -> f64 {
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
pub(super) fn exp_parts(t: f64) -> (f64, f64, f64) {
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

/// Compensated (Neumaier) summation.
#[derive(Default, Clone, Copy)]
pub(super) struct Neumaier {
    sum: f64,
    comp: f64,
}

impl Neumaier {
    pub(super) fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }

    pub(super) fn value(&self) -> f64 {
        self.sum + self.comp
    }
}

#[cfg(test)]
// reference values are kept with all the digits mpmath printed
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;
    use statrs::distribution::{ContinuousCDF, Normal};
    use statrs::function::beta::checked_beta_reg;

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
}
