//! The first pass of folding a block's column into its accumulators
//! (`tally::Tally::add_columns`): each half-block's shifted sum, the column's
//! extremes, and every draw's places, its sketch bin and its chart bin.
//!
//! The sums are chains of additions in draw order (the order `stats::mean`
//! adds in, so streamed and whole-column results agree to the bit); a chain
//! costs an addition's latency per draw, and the placing runs in its shadow
//! when it is cheap enough. One draw at a time it is not (a table look-up
//! and two saturating conversions, about forty instructions), so on CPUs
//! with AVX-512 eight draws are placed at once, with no table: a draw's
//! window is found by comparing it with every window's lower end (the
//! windows are few, ascending and disjoint), and its sub-bin by the same
//! subtraction, multiplication and clamp as one at a time. Hardware gathers
//! would serve the table look-up, but on this project's machines they cost
//! more than the scalar code they replace. Every path gives the same bins
//! (tested against `Sketch::bin` and `Binner::index` below).

use super::histogram::Binner;
use super::sketch::{FINE_BINS, Sketch};
use crate::sampling::BLOCK;

/// Most windows the vector placement handles (two 16-entry permute tables).
pub const MAX_WINDOWS: usize = 32;

/// A sketch's windows laid out for the vector placement: each window's
/// lower end, upper end and sub-bin scale (`FINE_BINS / (hi - lo)`, or 0),
/// padded to [`MAX_WINDOWS`] entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Windows {
    n: usize,
    lows: [f64; MAX_WINDOWS],
    highs: [f64; MAX_WINDOWS],
    scales: [f64; MAX_WINDOWS],
}

impl Windows {
    /// The layout of windows `[lows[j], highs[j]]` with sub-bin `scales`
    /// (the sketch's own values); `None` unless there are 1 to
    /// [`MAX_WINDOWS`] windows, finite, ascending and disjoint, which is
    /// what counting the lower ends at or below a draw relies on.
    pub fn new(lows: &[f64], highs: &[f64], scales: &[f64]) -> Option<Windows> {
        let n = highs.len();
        if n == 0 || n > MAX_WINDOWS || lows.len() < n || scales.len() < n {
            return None;
        }
        let ordered = (0..n).all(|j| {
            lows[j].is_finite()
                && highs[j].is_finite()
                && scales[j].is_finite()
                && lows[j] <= highs[j]
                && (j + 1 == n || highs[j] < lows[j + 1])
        });
        if !ordered {
            return None;
        }
        let mut w = Windows {
            n,
            lows: [0.0; MAX_WINDOWS],
            highs: [0.0; MAX_WINDOWS],
            scales: [0.0; MAX_WINDOWS],
        };
        w.lows[..n].copy_from_slice(&lows[..n]);
        w.highs[..n].copy_from_slice(&highs[..n]);
        w.scales[..n].copy_from_slice(&scales[..n]);
        Some(w)
    }
}

/// The first pass over one block's column (at most [`BLOCK`] draws): each
/// half-block's sum of `x - shift` (a chain in draw order starting at
/// -0.0, as `Iterator::sum` adds), the extremes folded in draw order from
/// `extremes`, each draw's sketch bin into `bins` and, when `hist` is
/// given, its chart bin into `places`.
pub fn first_pass(
    col: &[f64],
    shift: f64,
    extremes: (f64, f64),
    sketch: &Sketch,
    hist: Option<&Binner>,
    bins: &mut [u32; BLOCK],
    places: &mut [u8; BLOCK],
) -> ([f64; 2], (f64, f64)) {
    #[cfg(target_arch = "x86_64")]
    if let Some(w) = sketch.windows()
        && crate::cpu::avx512()
    {
        // SAFETY: the CPU has AVX-512 (checked just above).
        return unsafe { avx512::first_pass(col, shift, extremes, sketch, w, hist, bins, places) };
    }
    first_pass_scalar(col, shift, extremes, sketch, hist, bins, places)
}

/// [`first_pass`] one draw at a time.
pub fn first_pass_scalar(
    col: &[f64],
    shift: f64,
    extremes: (f64, f64),
    sketch: &Sketch,
    hist: Option<&Binner>,
    bins: &mut [u32; BLOCK],
    places: &mut [u8; BLOCK],
) -> ([f64; 2], (f64, f64)) {
    match (sketch.placer(), hist) {
        (Some(p), Some(h)) => sums_and_places(col, shift, extremes, bins, places, |x| {
            (p.bin(x), h.index(x))
        }),
        (Some(p), None) => sums_and_places(col, shift, extremes, bins, places, |x| (p.bin(x), 0)),
        (None, Some(h)) => sums_and_places(col, shift, extremes, bins, places, |x| {
            (sketch.bin(x), h.index(x))
        }),
        (None, None) => sums_and_places(col, shift, extremes, bins, places, |x| (sketch.bin(x), 0)),
    }
}

#[inline(always)]
fn sums_and_places(
    col: &[f64],
    shift: f64,
    extremes: (f64, f64),
    bins: &mut [u32; BLOCK],
    places: &mut [u8; BLOCK],
    place: impl Fn(f64) -> (u32, u8),
) -> ([f64; 2], (f64, f64)) {
    let (mut lo, mut hi) = extremes;
    let mut sums = [0.0; 2];
    let halves = col
        .chunks(BLOCK / 2)
        .zip(bins.chunks_mut(BLOCK / 2).zip(places.chunks_mut(BLOCK / 2)));
    for (s, (half, (b, p))) in sums.iter_mut().zip(halves) {
        let mut sum = -0.0;
        for ((&x, b), p) in half.iter().zip(b).zip(p) {
            sum += x - shift;
            (lo, hi) = extreme(x, lo, hi);
            (*b, *p) = place(x);
        }
        *s = sum;
    }
    (sums, (lo, hi))
}

/// The extremes after draw `x`: `f64::min` and `max` as they run here
/// (`minsd`/`maxsd` with a NaN check on the running extreme, which is never
/// NaN: it starts infinite and a NaN draw never replaces it), without the
/// check: one instruction each.
#[inline(always)]
fn extreme(x: f64, lo: f64, hi: f64) -> (f64, f64) {
    (if x < lo { x } else { lo }, if x > hi { x } else { hi })
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{BLOCK, Binner, FINE_BINS, MAX_WINDOWS, Sketch, Windows, extreme};
    use std::arch::x86_64::*;

    /// A table of up to [`MAX_WINDOWS`] values in four registers.
    #[derive(Clone, Copy)]
    struct Table([__m512d; 4]);

    impl Table {
        #[inline]
        #[target_feature(enable = "avx512f")]
        fn load(v: &[f64; MAX_WINDOWS]) -> Table {
            // SAFETY: every load reads 8 of the array's 32 values.
            unsafe {
                Table([
                    _mm512_loadu_pd(v.as_ptr()),
                    _mm512_loadu_pd(v.as_ptr().add(8)),
                    _mm512_loadu_pd(v.as_ptr().add(16)),
                    _mm512_loadu_pd(v.as_ptr().add(24)),
                ])
            }
        }

        /// Entry `i` (taken mod 32) of each lane; `wide` when entries past
        /// 16 are used.
        #[inline]
        #[target_feature(enable = "avx512f,avx512dq")]
        fn at(&self, i: __m512i, wide: bool) -> __m512d {
            let low = _mm512_permutex2var_pd(self.0[0], i, self.0[1]);
            if !wide {
                return low;
            }
            let high = _mm512_permutex2var_pd(self.0[2], i, self.0[3]);
            let upper = _mm512_test_epi64_mask(i, _mm512_set1_epi64(16));
            _mm512_mask_mov_pd(low, upper, high)
        }
    }

    /// The sketch bins of eight draws: as `Sketch::bin`, by counting the
    /// windows that start at or below each draw.
    #[inline]
    #[target_feature(enable = "avx512f,avx512dq")]
    fn bins8(
        x: __m512d,
        w: &Windows,
        lows: &Table,
        highs: &Table,
        scales: &Table,
        wide: bool,
    ) -> __m512i {
        let one = _mm512_set1_epi64(1);
        let mut count = _mm512_setzero_si512();
        for &lo in &w.lows[..w.n] {
            // lo <= x, false for a NaN draw (as the scalar count has it).
            let m = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(x, _mm512_set1_pd(lo));
            count = _mm512_mask_add_epi64(count, m, count, one);
        }
        // Window `count - 1` holds the draw if it reaches no further than
        // the window's upper end; else stretch `count` does.
        let j = _mm512_sub_epi64(count, one);
        let started = _mm512_cmpgt_epi64_mask(count, _mm512_setzero_si512());
        let inside = started & _mm512_cmp_pd_mask::<_CMP_LE_OQ>(x, highs.at(j, wide));
        // The sub-bin: `((x - lo) * scale) as i64` clamped to
        // [0, FINE_BINS - 1], clamped here before the conversion instead
        // (the same integer: NaN and negatives to 0, anything past the
        // last sub-bin, infinity included, to it).
        let d = _mm512_mul_pd(_mm512_sub_pd(x, lows.at(j, wide)), scales.at(j, wide));
        let d = _mm512_max_pd(d, _mm512_setzero_pd());
        let d = _mm512_min_pd(d, _mm512_set1_pd((FINE_BINS - 1) as f64));
        let k = _mm512_cvttpd_epi64(d);
        // Bin: stretch or window index times (FINE_BINS + 1), plus 1 + k
        // inside a window.
        let g = _mm512_mask_sub_epi64(count, inside, count, one);
        let base = _mm512_mullo_epi64(g, _mm512_set1_epi64((FINE_BINS + 1) as i64));
        _mm512_add_epi64(base, _mm512_maskz_add_epi64(inside, k, one))
    }

    /// The chart bins of eight draws, as `Binner::index`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512dq")]
    fn places8(x: __m512d, h: &Binner) -> __m512i {
        let (lo, hi, scale, last) = h.parts();
        let lo_v = _mm512_set1_pd(lo);
        let d = _mm512_mul_pd(_mm512_sub_pd(x, lo_v), _mm512_set1_pd(scale));
        let d = _mm512_max_pd(d, _mm512_setzero_pd());
        let d = _mm512_min_pd(d, _mm512_set1_pd(last as f64));
        let k = _mm512_add_epi64(_mm512_cvttpd_epi64(d), _mm512_set1_epi64(1));
        let above = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(x, _mm512_set1_pd(hi));
        let below = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(x, lo_v);
        let k = _mm512_mask_mov_epi64(k, above, _mm512_set1_epi64(last as i64 + 2));
        _mm512_mask_mov_epi64(k, below, _mm512_setzero_si512())
    }

    /// [`super::first_pass`] with eight draws placed at a time.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) fn first_pass(
        col: &[f64],
        shift: f64,
        extremes: (f64, f64),
        sketch: &Sketch,
        w: &Windows,
        hist: Option<&Binner>,
        bins: &mut [u32; BLOCK],
        places: &mut [u8; BLOCK],
    ) -> ([f64; 2], (f64, f64)) {
        let (lows, highs, scales) = (
            Table::load(&w.lows),
            Table::load(&w.highs),
            Table::load(&w.scales),
        );
        let wide = w.n > 16;
        let (mut lo, mut hi) = extremes;
        let mut sums = [0.0; 2];
        let halves = col
            .chunks(BLOCK / 2)
            .zip(bins.chunks_mut(BLOCK / 2).zip(places.chunks_mut(BLOCK / 2)));
        for (s, (half, (b, p))) in sums.iter_mut().zip(halves) {
            let mut sum = -0.0;
            let eights = half.len() / 8 * 8;
            for ((xs, b8), p8) in half[..eights]
                .chunks_exact(8)
                .zip(b.chunks_exact_mut(8))
                .zip(p.chunks_exact_mut(8))
            {
                for &x in xs {
                    sum += x - shift;
                    (lo, hi) = extreme(x, lo, hi);
                }
                // SAFETY: `xs` holds 8 values, `b8` 8 u32 and `p8` 8 bytes.
                unsafe {
                    let x = _mm512_loadu_pd(xs.as_ptr());
                    let bin = bins8(x, w, &lows, &highs, &scales, wide);
                    _mm256_storeu_si256(b8.as_mut_ptr().cast(), _mm512_cvtepi64_epi32(bin));
                    if let Some(h) = hist {
                        _mm_storel_epi64(
                            p8.as_mut_ptr().cast(),
                            _mm512_cvtepi64_epi8(places8(x, h)),
                        );
                    }
                }
            }
            for ((&x, b), p) in half[eights..]
                .iter()
                .zip(&mut b[eights..])
                .zip(&mut p[eights..])
            {
                sum += x - shift;
                (lo, hi) = extreme(x, lo, hi);
                *b = sketch.bin(x);
                if let Some(h) = hist {
                    *p = h.index(x);
                }
            }
            *s = sum;
        }
        (sums, (lo, hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::histogram::HistTally;
    use crate::summary::sketch::Grid;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A grid of `n` windows, some of them single points, spread over
    /// [-3, 3] with gaps between them.
    fn grid(n: usize, rng: &mut ChaCha8Rng) -> Grid {
        let mut ends: Vec<f64> = (0..2 * n).map(|_| rng.random_range(-3.0..3.0)).collect();
        ends.sort_by(f64::total_cmp);
        ends.dedup();
        let windows = ends
            .chunks_exact(2)
            .map(|e| {
                if rng.random_bool(0.2) {
                    (e[0], e[0])
                } else {
                    (e[0], e[1])
                }
            })
            .collect();
        Grid { windows }
    }

    /// Draws that test the placement: ordinary ones, every window end and
    /// its neighbours, and the values that convert oddly to integers.
    fn draws(g: &Grid, rng: &mut ChaCha8Rng) -> Vec<f64> {
        let mut xs: Vec<f64> = (0..3000).map(|_| rng.random_range(-4.0..4.0)).collect();
        for &(lo, hi) in &g.windows {
            for e in [lo, hi] {
                xs.extend([e, e.next_up(), e.next_down()]);
            }
        }
        xs.extend([
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            1e300,
            -1e300,
        ]);
        // Mixed up, so that the odd values land in every lane.
        for i in (1..xs.len()).rev() {
            xs.swap(i, rng.random_range(0..=i));
        }
        xs
    }

    #[test]
    fn every_path_places_every_draw_where_one_at_a_time_does() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for n in [1, 2, 7, 8, 9, 15, 16, 17, 21, 31, 32] {
            let g = grid(n, &mut rng);
            let sketch = Sketch::new(g.clone());
            let hist = HistTally::new(-3.5, 3.5, -2.0, 2.0, 100_000);
            let binner = hist.binner().expect("a byte's worth of bins");
            let xs = draws(&g, &mut rng);
            for &x in &xs {
                // The table's route is the exact search's answer.
                assert_eq!(
                    sketch.placer().map(|p| p.bin(x)).unwrap_or(sketch.bin(x)),
                    sketch.bin(x)
                );
            }
            assert!(sketch.windows().is_some(), "{n} windows");
            for (i, col) in xs.chunks(BLOCK).enumerate() {
                let (mut b1, mut p1) = ([0u32; BLOCK], [0u8; BLOCK]);
                let (mut b2, mut p2) = ([0u32; BLOCK], [0u8; BLOCK]);
                let h = (i % 2 == 0).then_some(&binner);
                let want = first_pass_scalar(
                    col,
                    0.5,
                    (f64::INFINITY, f64::NEG_INFINITY),
                    &sketch,
                    h,
                    &mut b1,
                    &mut p1,
                );
                let got = first_pass(
                    col,
                    0.5,
                    (f64::INFINITY, f64::NEG_INFINITY),
                    &sketch,
                    h,
                    &mut b2,
                    &mut p2,
                );
                assert_eq!(
                    got.0.map(f64::to_bits),
                    want.0.map(f64::to_bits),
                    "{n} windows: sums"
                );
                assert_eq!(
                    (got.1.0.to_bits(), got.1.1.to_bits()),
                    (want.1.0.to_bits(), want.1.1.to_bits())
                );
                for (j, &x) in col.iter().enumerate() {
                    assert_eq!(b2[j], sketch.bin(x), "{n} windows, x = {x:e}");
                    assert_eq!(b1[j], b2[j], "{n} windows, x = {x:e}");
                    if h.is_some() {
                        assert_eq!(p2[j], binner.index(x), "x = {x:e}");
                        assert_eq!(p1[j], p2[j], "x = {x:e}");
                    }
                }
            }
        }
    }

    #[test]
    fn windows_the_vector_placement_cannot_read_are_left_to_the_scalar_one() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        // Too many windows, a NaN end, touching windows.
        let many = grid(40, &mut rng);
        assert!(many.windows.len() > MAX_WINDOWS);
        assert!(Sketch::new(many).windows().is_none());
        let nan = Grid {
            windows: vec![(0.0, 1.0), (2.0, f64::NAN)],
        };
        assert!(Sketch::new(nan).windows().is_none());
        assert!(Windows::new(&[0.0, 1.0], &[1.0, 2.0], &[1.0, 1.0]).is_none());
        assert!(Windows::new(&[0.0, 1.5], &[1.0, 2.0], &[1.0, 1.0]).is_some());
        // The scalar pass still places them.
        let g = grid(40, &mut rng);
        let sketch = Sketch::new(g.clone());
        let xs = draws(&g, &mut rng);
        let (mut b, mut p) = ([0u32; BLOCK], [0u8; BLOCK]);
        let col = &xs[..BLOCK.min(xs.len())];
        first_pass(
            col,
            0.0,
            (f64::INFINITY, f64::NEG_INFINITY),
            &sketch,
            None,
            &mut b,
            &mut p,
        );
        for (j, &x) in col.iter().enumerate() {
            assert_eq!(b[j], sketch.bin(x), "x = {x:e}");
        }
    }
}
