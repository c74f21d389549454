//! Statistics of one column of draws.
//!
//! Definitions (normative, documented in the README):
//! - mean: arithmetic mean, summed block by block for accuracy;
//! - sd: the sample standard deviation, with n - 1 in the denominator
//!   (0 for a single draw), computed in two passes;
//! - quantile p: Hyndman and Fan's type 7, the default of R and NumPy:
//!   with the draws sorted x_0 <= ... <= x_{n-1}, h = (n - 1) p,
//!   Q(p) = x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h)).

/// Block size for partial sums; the same on every machine, so the sums are
/// reproducible.
const SUM_BLOCK: usize = 4096;

/// Summed as deviations from the first draw: more accurate when the spread
/// is small next to the level, and exact for a constant column (a fixed
/// value comes back unchanged).
pub fn mean(xs: &[f64]) -> f64 {
    let Some(&shift) = xs.first() else {
        return f64::NAN;
    };
    let total: f64 = xs
        .chunks(SUM_BLOCK)
        .map(|c| c.iter().map(|x| x - shift).sum::<f64>())
        .sum();
    shift + total / xs.len() as f64
}

/// Sample standard deviation around a known mean.
pub fn sd(xs: &[f64], mean: f64) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let ss: f64 = xs
        .chunks(SUM_BLOCK)
        .map(|c| c.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>())
        .sum();
    (ss / (xs.len() - 1) as f64).sqrt()
}

pub fn min_max(xs: &[f64]) -> (f64, f64) {
    xs.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

/// Type-7 quantiles at each of `ps` (each in [0, 1]). Reorders `xs` (a
/// partial sort by selection, O(n log k) for k quantiles instead of a full
/// O(n log n) sort).
pub fn quantiles_in_place(xs: &mut [f64], ps: &[f64]) -> Vec<f64> {
    let n = xs.len();
    if n == 0 {
        return vec![f64::NAN; ps.len()];
    }
    let positions: Vec<(usize, f64)> = ps
        .iter()
        .map(|&p| {
            let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
            let lo = (h.floor() as usize).min(n - 1);
            (lo, h - lo as f64)
        })
        .collect();
    let mut wanted: Vec<usize> = positions
        .iter()
        .flat_map(|&(lo, frac)| {
            let hi = if frac > 0.0 { (lo + 1).min(n - 1) } else { lo };
            [lo, hi]
        })
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    select_many(xs, 0, &wanted);
    positions
        .iter()
        .map(|&(lo, frac)| {
            if frac > 0.0 && lo + 1 < n {
                xs[lo] + frac * (xs[lo + 1] - xs[lo])
            } else {
                xs[lo]
            }
        })
        .collect()
}

/// Put the order statistics at the (sorted, absolute) `ranks` in place:
/// select the middle rank, then recurse into the two sides.
fn select_many(xs: &mut [f64], offset: usize, ranks: &[usize]) {
    if ranks.is_empty() || xs.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let k = ranks[mid] - offset;
    let (left, _, right) = xs.select_nth_unstable_by(k, f64::total_cmp);
    select_many(left, offset, &ranks[..mid]);
    select_many(right, offset + k + 1, &ranks[mid + 1..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted_type7(xs: &[f64], p: f64) -> f64 {
        let mut s = xs.to_vec();
        s.sort_by(f64::total_cmp);
        let h = (s.len() - 1) as f64 * p;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(s.len() - 1);
        s[lo] + (h - lo as f64) * (s[hi] - s[lo])
    }

    #[test]
    fn type7_matches_numpy_on_a_small_case() {
        // numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.9]) = [1.75, 2.5, 3.7]
        let mut xs = vec![4.0, 1.0, 3.0, 2.0];
        let q = quantiles_in_place(&mut xs, &[0.25, 0.5, 0.9]);
        assert_eq!(q[0], 1.75);
        assert_eq!(q[1], 2.5);
        assert!((q[2] - 3.7).abs() < 1e-15);
    }

    #[test]
    fn selection_agrees_with_a_full_sort() {
        let ps = [0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0];
        for n in [1usize, 2, 3, 10, 101, 1000, 4097] {
            // A deterministic scramble with ties.
            let xs: Vec<f64> = (0..n).map(|i| ((i * 7919) % 997) as f64 / 10.0).collect();
            let mut work = xs.clone();
            let q = quantiles_in_place(&mut work, &ps);
            for (p, got) in ps.iter().zip(q) {
                assert_eq!(got, sorted_type7(&xs, *p), "n = {n}, p = {p}");
            }
        }
    }

    #[test]
    fn mean_and_sample_sd_of_a_known_set() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let m = mean(&xs);
        assert_eq!(m, 5.0);
        // sum of squares 32, n - 1 = 7
        assert!((sd(&xs, m) - (32.0f64 / 7.0).sqrt()).abs() < 1e-15);
        assert_eq!(min_max(&xs), (2.0, 9.0));
    }
}
