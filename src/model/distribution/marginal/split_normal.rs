//! The split normal's quantiles, one draw at a time and for a block of
//! copula scores at once.

use super::TINIEST;
use crate::model::distribution::special::{std_normal_cdf, std_normal_quantile};
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

/// Draws per pass of [`SplitNormal::fill_from_scores`]: its buffers live on the
/// stack, and its draw indices fit a `u16`.
const CHUNK: usize = 512;

/// Where `Φ` leaves its first range (`std_normal_cdf`'s rational in `z²`).
const CDF_CENTRAL: f64 = 0.67448975;
/// Where `Φ⁻¹` leaves its central range (`std_normal_quantile`'s `|p - 1/2|`).
const QUANTILE_CENTRAL: f64 = 0.425;

impl SplitNormal {
    /// `out[i] = from_score(z[i])` (`Marginal::from_score`: the lower or
    /// upper tail of `Φ(z)` mapped through `lower` or `upper`) for a block
    /// of scores, bit for bit, in passes without unpredictable branches.
    ///
    /// One draw at a time, a score's sign, `Φ`'s range, the side of the
    /// mode and `Φ⁻¹`'s range are each a coin toss for the branch
    /// predictor, and the mispredictions cost more than the arithmetic. So
    /// each draw's tail probability is found by `std_normal_cdf` in one of
    /// two loops, one per range (each loop takes the same branch every
    /// time); the side and argument are chosen by selects; and `Φ⁻¹` runs
    /// likewise in one loop per range. Every draw goes through the same
    /// functions and operations as `from_score`.
    pub(super) fn fill_from_scores(&self, z: &[f64], out: &mut [f64]) {
        let n = z.len().min(out.len());
        for (z, out) in z[..n].chunks(CHUNK).zip(out[..n].chunks_mut(CHUNK)) {
            self.chunk(z, out);
        }
    }

    fn chunk(&self, z: &[f64], out: &mut [f64]) {
        let mut v = [0.0f64; CHUNK];
        let mut near = [0u16; CHUNK];
        let mut far = [0u16; CHUNK];
        // The argument of `Φ`: the score's lower tail, `z` (z <= 0) or `-z`.
        let (mut n_near, mut n_far) = (0, 0);
        for (i, &z) in z.iter().enumerate() {
            let t = select(z <= 0.0, z, -z);
            v[i] = t;
            let inside = t.abs() <= CDF_CENTRAL;
            near[n_near] = i as u16;
            far[n_far] = i as u16;
            n_near += inside as usize;
            n_far += !inside as usize;
        }
        for &i in near[..n_near].iter().chain(&far[..n_far]) {
            let i = i as usize;
            v[i] = std_normal_cdf(v[i]).max(TINIEST);
        }
        // The side of the mode and the argument of `Φ⁻¹`: below the mode
        // (`left`) `p / 2c`, above it (`right`) `q / 2(1 - c)`, as `lower`
        // (z <= 0, p = Φ(z)) and `upper` (z > 0, q = Φ(-z)) choose them.
        let mut left = [false; CHUNK];
        let (mut n_near, mut n_far) = (0, 0);
        for (i, &z) in z.iter().enumerate() {
            let p = v[i];
            let below = z <= 0.0;
            let flip = p > select(below, self.c, self.one_minus_c);
            let arg = select(flip, 1.0 - p, p);
            let l = below != flip;
            let a = arg / select(l, self.two_c, self.two_one_minus_c);
            left[i] = l;
            v[i] = a;
            let inside = (a - 0.5).abs() <= QUANTILE_CENTRAL;
            near[n_near] = i as u16;
            far[n_far] = i as u16;
            n_near += inside as usize;
            n_far += !inside as usize;
        }
        for &i in near[..n_near].iter().chain(&far[..n_far]) {
            let i = i as usize;
            v[i] = std_normal_quantile(v[i]);
        }
        for (i, (o, &z)) in out.iter_mut().zip(z).enumerate() {
            let x = select(
                left[i],
                self.mode + self.sd_low * v[i],
                self.mode - self.sd_high * v[i],
            );
            // A NaN score has no tail (`from_score` gives NaN).
            *o = select(z.is_nan(), f64::NAN, x);
        }
    }
}
