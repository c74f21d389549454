//! The split normal's quantiles, one draw at a time and for a block of
//! copula scores at once.

use super::TINIEST;
use crate::model::distribution::special::{
    CDF_CENTRAL, QUANTILE_CENTRAL, cdf_central, quantile_central, std_normal_cdf,
    std_normal_quantile,
};
use std::hint::select_unpredictable as select;

#[derive(Debug, Clone)]
pub(super) struct SplitNormal {
    pub(super) mode: f64,
    pub(super) sd_low: f64,
    pub(super) sd_high: f64,
    /// c = P(X <= mode) = sd_low/(sd_low + sd_high)
    c: f64,
    /// 1 − c = sd_high/(sd_low + sd_high)
    one_minus_c: f64,
    two_c: f64,
    two_one_minus_c: f64,
}

impl SplitNormal {
    pub(super) fn new(mode: f64, sd_low: f64, sd_high: f64) -> Self {
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
    pub(super) fn lower(&self, p: f64) -> f64 {
        if p <= self.c {
            self.left(p)
        } else {
            self.right(1.0 - p)
        }
    }

    #[inline]
    pub(super) fn upper(&self, q: f64) -> f64 {
        if q <= self.one_minus_c {
            self.right(q)
        } else {
            self.left(1.0 - q)
        }
    }

    pub(super) fn cdf(&self, x: f64) -> f64 {
        if x < self.mode {
            self.two_c * std_normal_cdf((x - self.mode) / self.sd_low)
        } else {
            1.0 - self.two_one_minus_c * std_normal_cdf((self.mode - x) / self.sd_high)
        }
    }
}

/// Draws per pass of [`SplitNormal::fill_from_scores`]: its buffers live on
/// the stack, and its draw indices fit a `u16`.
const CHUNK: usize = 512;

impl SplitNormal {
    /// `out[i] = from_score(z[i])` (`Marginal::from_score`: the lower or
    /// upper tail of `Φ(z)` mapped through `lower` or `upper`) for a block
    /// of scores, bit for bit, in passes without unpredictable branches.
    ///
    /// One draw at a time, a score's sign, `Φ`'s range, the side of the
    /// mode and `Φ⁻¹`'s range are each a coin toss for the branch
    /// predictor, and the mispredictions cost more than the arithmetic. So
    /// `Φ` and `Φ⁻¹` are computed in their central ranges for every draw,
    /// in loops the compiler vectorises (eight draws to a register on CPUs
    /// with AVX-512), and again by `std_normal_cdf` and
    /// `std_normal_quantile` for the draws outside them, listed as they
    /// go; the side and argument are chosen by selects. Every draw gets the
    /// same operations as `from_score`.
    pub(super) fn fill_from_scores(&self, z: &[f64], out: &mut [f64]) {
        let n = z.len().min(out.len());
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::avx512() {
            // SAFETY: the CPU has AVX-512 (checked just above).
            return unsafe { self.fill_avx512(&z[..n], &mut out[..n]) };
        }
        self.fill_any(&z[..n], &mut out[..n]);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl")]
    fn fill_avx512(&self, z: &[f64], out: &mut [f64]) {
        self.fill_any(z, out);
    }

    #[inline(always)]
    fn fill_any(&self, z: &[f64], out: &mut [f64]) {
        for (z, out) in z.chunks(CHUNK).zip(out.chunks_mut(CHUNK)) {
            self.chunk(z, out);
        }
    }

    #[inline(always)]
    fn chunk(&self, z: &[f64], out: &mut [f64]) {
        let n = z.len().min(out.len()).min(CHUNK);
        let (z, out) = (&z[..n], &mut out[..n]);
        let mut t = [0.0f64; CHUNK];
        let mut v = [0.0f64; CHUNK];
        let mut far = [0u16; CHUNK];
        // The argument of `Φ`: the score's lower tail, `z` (z <= 0) or `-z`.
        for ((t, v), &z) in t.iter_mut().zip(&mut v).zip(z) {
            *t = select(z <= 0.0, z, -z);
            *v = cdf_central(*t);
        }
        let mut n_far = 0;
        for (i, &t) in t[..n].iter().enumerate() {
            far[n_far] = i as u16;
            n_far += (t.abs() > CDF_CENTRAL || t.is_nan()) as usize;
        }
        for &i in &far[..n_far] {
            let i = i as usize;
            v[i] = std_normal_cdf(t[i]);
        }
        // The side of the mode and the argument of `Φ⁻¹`: below the mode
        // (`left`) `p / 2c`, above it (`right`) `q / 2(1 - c)`, as `lower`
        // (z <= 0, p = Φ(z)) and `upper` (z > 0, q = Φ(-z)) choose them.
        let mut left = [false; CHUNK];
        for (((a, l), v), &z) in t.iter_mut().zip(&mut left).zip(&mut v).zip(z) {
            let p = v.max(TINIEST);
            let below = z <= 0.0;
            let flip = p > select(below, self.c, self.one_minus_c);
            let arg = select(flip, 1.0 - p, p);
            *l = below != flip;
            *a = arg / select(*l, self.two_c, self.two_one_minus_c);
            *v = quantile_central(*a - 0.5);
        }
        let mut n_far = 0;
        for (i, &a) in t[..n].iter().enumerate() {
            far[n_far] = i as u16;
            n_far += ((a - 0.5).abs() > QUANTILE_CENTRAL || a.is_nan()) as usize;
        }
        for &i in &far[..n_far] {
            let i = i as usize;
            v[i] = std_normal_quantile(t[i]);
        }
        for (((o, &z), &l), &v) in out.iter_mut().zip(z).zip(&left).zip(&v) {
            let x = select(l, self.mode + self.sd_low * v, self.mode - self.sd_high * v);
            // A NaN score has no tail (`from_score` gives NaN).
            *o = select(z.is_nan(), f64::NAN, x);
        }
    }
}
