//! AVX-512 forms of the pipeline's per-draw loops (see [`super::Level`]),
//! picked at run time on CPUs that have AVX-512 F, BW, DQ and VL. Each gives
//! the bits of the portable form it stands for (the tests in [`super`]
//! compare them): the same products, differences and comparisons, 8 draws
//! (64 for bytes) at a time, with the answers straight into mask registers.

use super::decide_any;
use std::arch::x86_64::*;

/// [`super::decide_any`] over a project's block, word by word (64 draws;
/// a last, shorter word goes the portable way).
///
/// The look-up of `bounds[u]` takes each draw's pair `[lo, hi]` as one
/// 16-byte load and transposes 8 pairs into a vector of `lo` and one of
/// `hi`: measured faster here than two hardware gathers or 16 scalar loads.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
pub(super) fn decide_words(
    a: f64,
    b: f64,
    z: &[f64],
    u: &[u8],
    bounds: &[[f64; 2]; 256],
    started: &mut [u64],
    open: &mut [u64],
) {
    let chunks = z.chunks(64).zip(u.chunks(64));
    for ((z, u), (s, o)) in chunks.zip(started.iter_mut().zip(open.iter_mut())) {
        (*s, *o) = match (<&[f64; 64]>::try_from(z), <&[u8; 64]>::try_from(u)) {
            (Ok(z), Ok(u)) => decide_word(a, b, z, u, bounds),
            _ => decide_any(a, b, z, u, bounds),
        };
    }
}

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
fn decide_word(
    a: f64,
    b: f64,
    z: &[f64; 64],
    u: &[u8; 64],
    bounds: &[[f64; 2]; 256],
) -> (u64, u64) {
    let av = _mm512_set1_pd(a);
    let bv = _mm512_set1_pd(b);
    let (mut started, mut open) = (0u64, 0u64);
    for k in 0..8 {
        let z = &z[8 * k..8 * k + 8];
        let u = &u[8 * k..8 * k + 8];
        // SAFETY: `z` holds 8 values, read unaligned.
        let z = unsafe { _mm512_loadu_pd(z.as_ptr()) };
        // Multiply, then subtract: two roundings, as `a - b * z` (no FMA).
        let c = _mm512_sub_pd(av, _mm512_mul_pd(bv, z));
        // SAFETY: each pair is 2 values, read unaligned.
        let pair = |j: usize| unsafe { _mm_loadu_pd(bounds[u[j] as usize].as_ptr()) };
        // x holds the pairs of draws 0, 2, 4, 6 and y those of 1, 3, 5, 7, so
        // the lane-wise unpacks give lo and hi in draw order.
        let x02 = _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(pair(0)), pair(2));
        let x46 = _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(pair(4)), pair(6));
        let y13 = _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(pair(1)), pair(3));
        let y57 = _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(pair(5)), pair(7));
        let x = _mm512_insertf64x4::<1>(_mm512_castpd256_pd512(x02), x46);
        let y = _mm512_insertf64x4::<1>(_mm512_castpd256_pd512(y13), y57);
        let lo = _mm512_unpacklo_pd(x, y);
        let hi = _mm512_unpackhi_pd(x, y);
        // `c >= hi` and `c > lo`, false for a NaN as in Rust: ordered, quiet.
        let yes = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(c, hi);
        let maybe = _mm512_mask_cmp_pd_mask::<_CMP_GT_OQ>(!yes, c, lo);
        started |= (yes as u64) << (8 * k);
        open |= (maybe as u64) << (8 * k);
    }
    (started, open)
}

/// [`super::decide_fixed_any`] over a project's block: 64 bytes compared
/// with each threshold at once.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
pub(super) fn decide_fixed(
    k_hi: usize,
    k_lo: usize,
    u: &[u8],
    started: &mut [u64],
    open: &mut [u64],
) {
    // The draws whose byte is below `k` (all of them for k = 256).
    let below = |v: __m512i, k: usize| match u8::try_from(k) {
        Ok(k) => _mm512_cmplt_epu8_mask(v, _mm512_set1_epi8(k as i8)),
        Err(_) => u64::MAX,
    };
    for (u, (s, o)) in u.chunks(64).zip(started.iter_mut().zip(open.iter_mut())) {
        (*s, *o) = match <&[u8; 64]>::try_from(u) {
            Ok(u) => {
                // SAFETY: `u` holds 64 bytes, read unaligned.
                let v = unsafe { _mm512_loadu_si512(u.as_ptr().cast()) };
                let yes = below(v, k_hi);
                (yes, below(v, k_lo) & !yes)
            }
            Err(_) => super::decide_fixed_any(k_hi, k_lo, u),
        };
    }
}

/// [`super::add_fixed`] aggregate by aggregate (they are independent), a
/// word (64 draws, 8 vectors) at a time: the word's stretch loaded once,
/// every waiting project's amount added to it in project order by masked
/// adds (the mask a byte of its starts, so a draw that did not start is
/// left untouched), stored once. The 8 vectors' additions do not wait on
/// each other, so they overlap.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
pub(super) fn add_fixed(
    agg: &mut [Vec<f64>],
    bits: &[u64],
    pending: &[(usize, f64, u32)],
    used: usize,
) {
    for (e, &(_, _, k)) in pending.iter().enumerate() {
        if pending[..e].iter().any(|p| p.2 == k) {
            continue;
        }
        let agg = &mut agg[k as usize];
        for wi in 0..used {
            let agg: &mut [f64; 64] = (&mut agg[64 * wi..64 * wi + 64])
                .try_into()
                .expect("a word's 64 draws");
            // SAFETY: each of the 8 stretches holds 8 values, read unaligned.
            let mut x: [__m512d; 8] =
                std::array::from_fn(|q| unsafe { _mm512_loadu_pd(agg[8 * q..].as_ptr()) });
            for &(first, amount, _) in pending[e..].iter().filter(|p| p.2 == k) {
                let word = bits[first + wi];
                let v = _mm512_set1_pd(amount);
                for (q, x) in x.iter_mut().enumerate() {
                    *x = _mm512_mask_add_pd(*x, (word >> (8 * q)) as u8, *x, v);
                }
            }
            for (q, x) in x.iter().enumerate() {
                // SAFETY: each stretch holds 8 values, written unaligned.
                unsafe { _mm512_storeu_pd(agg[8 * q..].as_mut_ptr(), *x) };
            }
        }
    }
}

/// [`super::add_amounts_any`]: the starts' amounts (one per set bit, in
/// draw order) expanded into the lanes of their draws and added there, 8
/// draws at a time.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
pub(super) fn add_amounts(agg: &mut [f64], bits: &[u64], amounts: &[f64]) {
    let starts: usize = bits.iter().map(|w| w.count_ones() as usize).sum();
    assert_eq!(starts, amounts.len(), "one amount per start");
    let mut next = 0;
    for (&word, agg) in bits.iter().zip(agg.chunks_exact_mut(64)) {
        for (k, agg) in agg.chunks_exact_mut(8).enumerate() {
            let m = (word >> (8 * k)) as u8;
            // SAFETY: the expanding load reads `m.count_ones()` values from
            // `next`, and the bits of `bits` add up to `amounts.len()`
            // (asserted above), so it stays inside `amounts`; `agg` holds 8
            // values, read and written unaligned.
            unsafe {
                let x = _mm512_loadu_pd(agg.as_ptr());
                let add = _mm512_maskz_expandloadu_pd(m, amounts.as_ptr().add(next));
                _mm512_storeu_pd(agg.as_mut_ptr(), _mm512_mask_add_pd(x, m, x, add));
            }
            next += m.count_ones() as usize;
        }
    }
}

/// [`super::uniforms_any`] with AVX-512 DQ's conversion of 64-bit integers.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
pub(super) fn uniforms(raw: &[u8], out: &mut [f64]) {
    super::uniforms_any(raw, out)
}

/// [`super::count_in`] 8 words at a time.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
pub(super) fn count_in(planes: &mut [u64], bits: &[u64], carry: &mut [u64]) {
    super::count_in(planes, bits, carry)
}

/// [`super::count_starts`] with the vector popcount, 8 words at a time.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx512vpopcntdq,popcnt")]
pub(super) fn count_starts(bits: &[u64], missed: &[u64], out: &mut [u64]) {
    super::count_starts(bits, missed, out)
}
