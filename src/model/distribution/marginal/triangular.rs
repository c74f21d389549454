//! The triangular distribution's quantiles, one at a time and for a batch
//! of uniforms (a pipeline's drawn amounts) in a form the compiler
//! vectorises.

#[derive(Debug, Clone)]
pub(super) struct Triangular {
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
    pub(super) fn new(min: f64, mode: f64, max: f64) -> Self {
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
    pub(super) fn lower(&self, p: f64) -> f64 {
        if p <= self.f_mode {
            self.left(p)
        } else {
            self.right(1.0 - p)
        }
    }

    #[inline]
    pub(super) fn upper(&self, q: f64) -> f64 {
        if q <= self.s_mode {
            self.right(q)
        } else {
            self.left(1.0 - q)
        }
    }

    /// [`Marginal::quantile`] for `0 < u < 1`, bit for bit, without a branch:
    /// the same side, argument and arithmetic chosen by selects. The
    /// reference [`Triangular::quantiles_any`] is tested against.
    #[cfg(test)]
    fn quantile_inner(&self, u: f64) -> f64 {
        use std::hint::select_unpredictable as select;
        let q = 1.0 - u;
        let low = u <= 0.5;
        let use_left = select(low, u <= self.f_mode, q > self.s_mode);
        let x = select(use_left, select(low, u, 1.0 - q), q);
        let r = x.sqrt();
        let left = (self.min + self.k_left * r).min(self.max);
        let right = (self.max - self.k_right * r).max(self.min);
        select(use_left, left, right)
    }

    /// [`Triangular::quantile_inner`] over a batch, bit for bit, in a form
    /// the compiler vectorises: both sides computed, plain selects (blends),
    /// one square root per value (correctly rounded in SIMD as in scalar,
    /// and no fused multiply-add, which Rust never contracts to). Every `u`
    /// must lie in `(0, 1)`.
    /// Says whether every `u` was inside.
    #[inline(always)]
    fn quantiles_any(&self, u: &[f64], out: &mut [f64]) -> bool {
        let mut inside = true;
        for (o, &u) in out.iter_mut().zip(u) {
            inside &= u > 0.0 && u < 1.0;
            let q = 1.0 - u;
            let low = u <= 0.5;
            let use_left = (low & (u <= self.f_mode)) | (!low & (q > self.s_mode));
            let x = if use_left {
                if low { u } else { 1.0 - q }
            } else {
                q
            };
            let r = x.sqrt();
            let left = (self.min + self.k_left * r).min(self.max);
            let right = (self.max - self.k_right * r).max(self.min);
            *o = if use_left { left } else { right };
        }
        inside
    }

    /// [`Triangular::quantiles_any`] compiled for the widest vectors the
    /// CPU has (a pipeline's drawn amounts: tens of millions of values).
    pub(super) fn quantiles(&self, u: &[f64], out: &mut [f64]) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("avx512vl")
            {
                // SAFETY: the CPU has AVX-512F, DQ and VL (checked just above).
                return unsafe { self.quantiles_avx512(u, out) };
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2 (checked just above).
                return unsafe { self.quantiles_avx2(u, out) };
            }
        }
        self.quantiles_any(u, out)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl")]
    fn quantiles_avx512(&self, u: &[f64], out: &mut [f64]) -> bool {
        self.quantiles_any(u, out)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn quantiles_avx2(&self, u: &[f64], out: &mut [f64]) -> bool {
        self.quantiles_any(u, out)
    }

    pub(super) fn cdf(&self, x: f64) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::super::Kind;
    use crate::model::distribution::Distribution;
    use crate::model::distribution::test_util::marginal;

    #[test]
    fn every_compiled_batch_of_triangular_quantiles_is_the_scalar_quantile_bit_for_bit() {
        let cases = [
            (0.0, 1.0, 2.0),
            (1.0, 1.0, 3.0),
            (1.0, 3.0, 3.0),
            (0.2, 0.3, 2.5),
            (0.37, 0.49, 0.71),
            (2.9, 3.5, 5.3),
            (-1.0, 0.9999, 1.0),
        ];
        // Random uniforms as the pipeline makes them, ((v >> 11) + 1/2) 2^-53.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut u: Vec<f64> = (0..20_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
            })
            .collect();
        u.extend((1..2000).map(|i| i as f64 / 2000.0));
        u.extend([
            f64::MIN_POSITIVE,
            5e-324,
            0.5 / (1u64 << 53) as f64,
            1e-300,
            0.5,
            0.5 - f64::EPSILON / 4.0,
            0.5 + f64::EPSILON / 2.0,
            1.0 - f64::EPSILON / 2.0,
            1.0 - 0.5 / (1u64 << 53) as f64,
            1.0 - 1e-16,
        ]);
        for (min, mode, max) in cases {
            let m = marginal(Distribution::triangular(min, mode, max));
            let Kind::Triangular(t) = &m.kind else {
                panic!("not triangular")
            };
            // The break points exactly and their neighbours.
            let mut u = u.clone();
            for x in [t.f_mode, 1.0 - t.s_mode, 1.0 - t.f_mode, t.s_mode] {
                u.extend([x, x.next_down(), x.next_up()]);
            }
            u.retain(|&u| u > 0.0 && u < 1.0);
            let want: Vec<u64> = u.iter().map(|&u| m.quantile(u).to_bits()).collect();
            let inner: Vec<u64> = u.iter().map(|&u| t.quantile_inner(u).to_bits()).collect();
            assert_eq!(inner, want, "quantile_inner, {min} {mode} {max}");
            let mut out = vec![0.0; u.len()];
            let check = |name: &str, out: &[f64]| {
                for ((&u, &x), &w) in u.iter().zip(out).zip(&want) {
                    assert_eq!(x.to_bits(), w, "{name}, {min} {mode} {max}, u = {u:e}");
                }
            };
            assert!(t.quantiles_any(&u, &mut out));
            check("portable", &out);
            assert!(t.quantiles(&u, &mut out));
            check("dispatched", &out);
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2 (checked just above).
                    assert!(unsafe { t.quantiles_avx2(&u, &mut out) });
                    check("avx2", &out);
                }
                if std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                    && std::arch::is_x86_feature_detected!("avx512vl")
                {
                    // SAFETY: the CPU has AVX-512F, DQ and VL (checked just above).
                    assert!(unsafe { t.quantiles_avx512(&u, &mut out) });
                    check("avx512", &out);
                }
            }
        }
    }
}
