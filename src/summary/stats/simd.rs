//! The selection's passes over a column ([`super::select_ranks`],
//! [`super::quantiles_in_place`]) for CPUs with AVX-512: the range and NaN
//! check, every draw's bucket, and the draws that fall in wanted buckets.
//! The crate is built for the x86-64 baseline (two lanes), and the bucket's
//! saturating float-to-integer conversion kept the compiler from
//! vectorising that pass at all. Each function gives exactly what its
//! portable counterpart gives (tested in `super::tests`).

use super::{BUCKETS, Buckets};
use std::arch::x86_64::*;

/// [`super::range_and_nan_portable`] with its eight lanes in one register:
/// lane `k` folds draws `k`, `k + 8`, ... as there (`min` returns its
/// second operand, the running extreme, for a NaN, as `if x < lo` does),
/// the rest go to lane 0, and the lanes are folded in the same order.
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
pub(super) fn range_and_nan(xs: &[f64]) -> (f64, f64, bool) {
    let mut lo = _mm512_set1_pd(f64::INFINITY);
    let mut hi = _mm512_set1_pd(f64::NEG_INFINITY);
    let mut nan: __mmask8 = 0;
    let whole = xs.len() / 8 * 8;
    for x8 in xs[..whole].chunks_exact(8) {
        // SAFETY: `x8` holds 8 values.
        let x = unsafe { _mm512_loadu_pd(x8.as_ptr()) };
        lo = _mm512_min_pd(x, lo);
        hi = _mm512_max_pd(x, hi);
        nan |= _mm512_cmp_pd_mask::<_CMP_UNORD_Q>(x, x);
    }
    let mut lanes = ([0.0f64; 8], [0.0f64; 8]);
    // SAFETY: each array holds 8 values.
    unsafe {
        _mm512_storeu_pd(lanes.0.as_mut_ptr(), lo);
        _mm512_storeu_pd(lanes.1.as_mut_ptr(), hi);
    }
    let (mut lo, mut hi) = lanes;
    let mut any_nan = nan != 0;
    for &x in &xs[whole..] {
        lo[0] = if x < lo[0] { x } else { lo[0] };
        hi[0] = if x > hi[0] { x } else { hi[0] };
        any_nan |= x.is_nan();
    }
    let lo = lo.iter().fold(f64::INFINITY, |a, &b| a.min(b));
    let hi = hi.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    (lo, hi, any_nan)
}

/// [`Buckets::of`] of every draw, eight at a time.
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
pub(super) fn buckets(b: Buckets, xs: &[f64]) -> Vec<u16> {
    let mut out = vec![0u16; xs.len()];
    let (lo, scale) = (_mm512_set1_pd(b.lo), _mm512_set1_pd(b.scale));
    let (zero, last) = (_mm512_setzero_pd(), _mm512_set1_pd((BUCKETS - 1) as f64));
    let whole = xs.len() / 8 * 8;
    for (x8, o8) in xs[..whole].chunks_exact(8).zip(out.chunks_exact_mut(8)) {
        // SAFETY: `x8` holds 8 values and `o8` 8 u16s.
        unsafe {
            let x = _mm512_loadu_pd(x8.as_ptr());
            // `max` returns its second operand (0) for a NaN, as `f64::max`
            // ignores it; clamped, the value converts exactly.
            let d = _mm512_mul_pd(_mm512_sub_pd(x, lo), scale);
            let d = _mm512_min_pd(_mm512_max_pd(d, zero), last);
            let k = _mm512_cvttpd_epi32(d);
            _mm_storeu_si128(o8.as_mut_ptr().cast(), _mm256_cvtepi32_epi16(k));
        }
    }
    for (o, &x) in out[whole..].iter_mut().zip(&xs[whole..]) {
        *o = b.of(x) as u16;
    }
    out
}

/// Most wanted buckets [`matching`] compares with (two registers of 32).
pub(super) const MAX_WANTED: usize = 64;

/// Call `f(i)` for every draw `i` (ascending) whose bucket `of[i]` is one
/// of `wanted` (at most [`MAX_WANTED`]): 32 buckets compared at a time
/// with each wanted one, the few matches then visited one by one.
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
pub(super) fn matching(of: &[u16], wanted: &[u16], mut f: impl FnMut(usize)) {
    debug_assert!(wanted.len() <= MAX_WANTED);
    let whole = of.len() / 32 * 32;
    for (c, b32) in of[..whole].chunks_exact(32).enumerate() {
        // SAFETY: `b32` holds 32 u16s.
        let v = unsafe { _mm512_loadu_si512(b32.as_ptr().cast()) };
        let mut hit: __mmask32 = 0;
        for &w in wanted {
            hit |= _mm512_cmpeq_epi16_mask(v, _mm512_set1_epi16(w as i16));
        }
        while hit != 0 {
            f(c * 32 + hit.trailing_zeros() as usize);
            hit &= hit - 1;
        }
    }
    for (i, b) in of.iter().enumerate().skip(whole) {
        if wanted.contains(b) {
            f(i);
        }
    }
}
