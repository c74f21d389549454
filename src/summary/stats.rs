//! Statistics of one column of draws.
//!
//! Definitions (normative, documented in the README):
//! - mean: arithmetic mean, summed block by block for accuracy;
//! - sd: the sample standard deviation, with n - 1 in the denominator
//!   (0 for a single draw), computed in two passes;
//! - quantile p: Hyndman and Fan's type 7, the default of R and NumPy:
//!   with the draws sorted x_0 <= ... <= x_{n-1}, h = (n - 1) p,
//!   Q(p) = x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h)).

#[cfg(target_arch = "x86_64")]
mod simd;

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

/// One item per draw of `xs` (`item(i)` for draw `i`), in ascending order
/// of the draws by `f64::total_cmp` (`key` reads an item's draw back);
/// items of equal draws come in no particular order.
///
/// A bucket sort rather than a comparison sort: the sensitivity ranks sort
/// tens of columns of 65,536 draws per run, and
/// draws of a smooth distribution spread over equal-width buckets so evenly
/// that the sort is a counting pass and a scatter. Bucketing is monotone
/// (so the buckets are in order); each bucket is then sorted by
/// comparison, and a column with a NaN, an infinity or too few draws is
/// sorted by comparison alone.
pub fn sort_by_draw<T: Copy>(
    xs: &[f64],
    item: impl Fn(usize) -> T,
    key: impl Fn(&T) -> f64,
) -> Vec<T> {
    let n = xs.len();
    let (lo, hi) = min_max(xs);
    let scale = n as f64 / (hi - lo);
    let ok = n >= 64
        && n <= u32::MAX as usize
        && hi > lo
        && scale.is_finite()
        && (hi - lo).is_finite()
        && !xs.iter().any(|x| x.is_nan());
    if !ok {
        let mut out: Vec<T> = (0..n).map(item).collect();
        out.sort_unstable_by(|a, b| key(a).total_cmp(&key(b)));
        return out;
    }
    let bucket = |x: f64| (((x - lo) * scale) as usize).min(n - 1);
    let of: Vec<u32> = xs.iter().map(|&x| bucket(x) as u32).collect();
    let mut starts = vec![0u32; n + 1];
    for &b in &of {
        starts[b as usize + 1] += 1;
    }
    for b in 0..n {
        starts[b + 1] += starts[b];
    }
    let mut next = starts.clone();
    let mut out: Vec<T> = Vec::with_capacity(n);
    let spare = out.spare_capacity_mut();
    for (i, &b) in of.iter().enumerate() {
        let at = &mut next[b as usize];
        spare[*at as usize].write(item(i));
        *at += 1;
    }
    // SAFETY: the scatter wrote every one of the n slots once: the buckets'
    // ranges `starts[b]..starts[b + 1]` partition 0..n, and each bucket's
    // cursor ran through its range exactly as often as it has draws.
    unsafe { out.set_len(n) };
    for b in 0..n {
        let part = &mut out[starts[b] as usize..starts[b + 1] as usize];
        if part.len() > 1 {
            part.sort_unstable_by(|a, b| key(a).total_cmp(&key(b)));
        }
    }
    out
}

/// The values at `ranks` (0-based, in any order, repeats allowed) of `xs`
/// ordered by `f64::total_cmp`: the `r`-th of them sorted, for each `r`, without
/// sorting every draw. A run's layout needs a few dozen order statistics of
/// each pilot column (the sketch windows, the histogram's range): a
/// counting pass over equal-width buckets, then a selection inside the few
/// buckets that hold a wanted rank (as [`quantiles_in_place`] does), where
/// a sort of 65,536 draws was a fifth of a workshop turn's time.
///
/// Panics if a rank is not below `xs.len()`.
pub fn select_ranks(xs: &[f64], ranks: &[usize]) -> Vec<f64> {
    let mut want = ranks.to_vec();
    want.sort_unstable();
    want.dedup();
    let (lo, hi, nan) = range_and_nan(xs);
    // A NaN has no bucket (it sorts last under total_cmp); select instead.
    let counted = Buckets::new(lo, hi, xs.len())
        .filter(|_| !nan && xs.len() <= u32::MAX as usize)
        .map(|b| {
            let of = b.all(xs);
            order_statistics(xs, &of, &want, &bucket_counts(&of))
        });
    // Only the fallback reorders, so only it pays for a copy of the column.
    let found = counted.unwrap_or_else(|| select_in_place(&mut xs.to_vec(), &want));
    ranks
        .iter()
        .map(|r| found[want.partition_point(|w| w < r)])
        .collect()
}

/// [`min_max`] and whether any draw is NaN, in one pass. Eight running
/// extremes, one per lane, so the loop vectorises (`f64::min` with its NaN
/// rule keeps one chain in draw order): the least and greatest values are
/// the same whichever lane saw them. A NaN never replaces an extreme, as
/// `f64::min` and `max` ignore it.
fn range_and_nan(xs: &[f64]) -> (f64, f64, bool) {
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::avx512() {
        // SAFETY: the CPU has the features `simd` is compiled for.
        return unsafe { simd::range_and_nan(xs) };
    }
    range_and_nan_portable(xs)
}

#[inline(always)]
fn range_and_nan_portable(xs: &[f64]) -> (f64, f64, bool) {
    const LANES: usize = 8;
    let mut lo = [f64::INFINITY; LANES];
    let mut hi = [f64::NEG_INFINITY; LANES];
    let mut nan = [false; LANES];
    let mut chunks = xs.chunks_exact(LANES);
    for c in &mut chunks {
        for k in 0..LANES {
            let x = c[k];
            lo[k] = if x < lo[k] { x } else { lo[k] };
            hi[k] = if x > hi[k] { x } else { hi[k] };
            nan[k] |= x.is_nan();
        }
    }
    for &x in chunks.remainder() {
        lo[0] = if x < lo[0] { x } else { lo[0] };
        hi[0] = if x > hi[0] { x } else { hi[0] };
        nan[0] |= x.is_nan();
    }
    let lo = lo.iter().fold(f64::INFINITY, |a, &b| a.min(b));
    let hi = hi.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    (lo, hi, nan.iter().any(|&n| n))
}

/// Draws per bucket (at most `u32::MAX` draws). Even and odd draws count
/// into two tables, summed at the end: a count indicator's draws fall in a
/// handful of buckets, and one table would make them a single chain of
/// increments through memory.
fn bucket_counts(of: &[u16]) -> Vec<usize> {
    let mut pair = vec![[0u32; 2]; BUCKETS];
    let mut two = of.chunks_exact(2);
    for b in &mut two {
        pair[b[0] as usize][0] += 1;
        pair[b[1] as usize][1] += 1;
    }
    for &b in two.remainder() {
        pair[b as usize][0] += 1;
    }
    pair.iter().map(|&[e, o]| e as usize + o as usize).collect()
}

/// The two ranks a type-7 quantile at `p` of `n` sorted values reads
/// ([`quantile_sorted`]).
pub fn quantile_ranks(n: usize, p: f64) -> [usize; 2] {
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(n - 1);
    [lo, (lo + 1).min(n - 1)]
}

/// Type-7 quantile at `p` from the values at its [`quantile_ranks`].
pub fn quantile_from(n: usize, p: f64, at: impl Fn(usize) -> f64) -> f64 {
    let [lo, hi] = quantile_ranks(n, p);
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    at(lo) + (h - lo as f64) * (at(hi) - at(lo))
}

/// Type-7 quantile of sorted values.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Everything the summary reports about one column.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    pub mean: f64,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    /// Type-7 quantiles at the levels asked for, in their order.
    pub quantiles: Vec<f64>,
}

/// Mean, sd, min, max and type-7 quantiles of a column: (1) shifted sum,
/// min and max; (2) squared deviations; then [`quantiles_in_place`]'s
/// passes, from the range already found. Gives exactly what [`mean`], [`sd`],
/// [`min_max`] and [`quantiles_in_place`] give one by one. May reorder `xs`.
pub fn describe(xs: &mut [f64], ps: &[f64]) -> Description {
    let n = xs.len();
    let Some(&shift) = xs.first() else {
        return Description {
            mean: f64::NAN,
            sd: f64::NAN,
            min: f64::NAN,
            max: f64::NAN,
            quantiles: vec![f64::NAN; ps.len()],
        };
    };
    let (mut total, mut lo, mut hi) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
    for c in xs.chunks(SUM_BLOCK) {
        let mut t = 0.0;
        for &x in c {
            t += x - shift;
            lo = lo.min(x);
            hi = hi.max(x);
        }
        total += t;
    }
    let mean = shift + total / n as f64;
    let mut ss = 0.0;
    for c in xs.chunks(SUM_BLOCK) {
        let mut t = 0.0;
        for &x in c {
            t += (x - mean) * (x - mean);
        }
        ss += t;
    }
    let sd = if n < 2 {
        0.0
    } else {
        (ss / (n - 1) as f64).sqrt()
    };
    let quantiles = quantiles_with(xs, ps, lo, hi);
    Description {
        mean,
        sd,
        min: lo,
        max: hi,
        quantiles,
    }
}

/// Type-7 quantiles at each of `ps` (each in [0, 1]).
///
/// Exact order statistics without sorting: one pass counts the draws in
/// equal-width buckets between the minimum and the maximum (bucketing is
/// monotone, so every draw in a bucket is at most every draw in the next),
/// a second pass gathers only the buckets that hold a wanted rank (a third
/// the crowded ones, when a few extreme draws stretch the range), and a
/// selection inside those buckets finds the exact values. A column too
/// short for buckets is selected in place, which may reorder `xs`.
pub fn quantiles_in_place(xs: &mut [f64], ps: &[f64]) -> Vec<f64> {
    let (lo, hi) = min_max(xs);
    quantiles_with(xs, ps, lo, hi)
}

/// Quantiles given the column's range.
fn quantiles_with(xs: &mut [f64], ps: &[f64], lo: f64, hi: f64) -> Vec<f64> {
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
    let mut ranks: Vec<usize> = positions
        .iter()
        .flat_map(|&(lo, frac)| {
            let hi = if frac > 0.0 { (lo + 1).min(n - 1) } else { lo };
            [lo, hi]
        })
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    let values = match Buckets::new(lo, hi, n).filter(|_| n <= u32::MAX as usize) {
        Some(b) => {
            let of = b.all(xs);
            order_statistics(xs, &of, &ranks, &bucket_counts(&of))
        }
        None => select_in_place(xs, &ranks),
    };
    let at = |r: usize| values[ranks.partition_point(|&x| x < r)];
    positions
        .iter()
        .map(|&(lo, frac)| {
            if frac > 0.0 && lo + 1 < n {
                let (a, b) = (at(lo), at(lo + 1));
                a + frac * (b - a)
            } else {
                at(lo)
            }
        })
        .collect()
}

/// Buckets for the counting pass: enough that a bucket holds a few hundred
/// draws at a million, few enough that the counts stay in cache.
const BUCKETS: usize = 4096;

/// Equal-width buckets over [lo, hi]; `of` is monotone in x.
#[derive(Clone, Copy)]
struct Buckets {
    lo: f64,
    scale: f64,
}

impl Buckets {
    /// None for a constant column or one too short for buckets to pay off.
    fn new(lo: f64, hi: f64, n: usize) -> Option<Buckets> {
        (hi > lo && n >= 4 * BUCKETS && (hi - lo).is_finite()).then(|| Buckets {
            lo,
            scale: BUCKETS as f64 / (hi - lo),
        })
    }

    /// The bucket of `x`: 0 for a NaN or anything below `lo`, the last for
    /// anything from `hi` up. Clamped in floating point before the
    /// conversion (the same buckets as converting first and clamping
    /// after), so that [`Buckets::all`] vectorises.
    #[inline]
    fn of(self, x: f64) -> usize {
        ((x - self.lo) * self.scale)
            .max(0.0)
            .min((BUCKETS - 1) as f64) as i32 as usize
    }

    /// Every draw's bucket, in one pass the compiler vectorises, for the
    /// counting and the gathering passes to read rather than recompute.
    fn all(self, xs: &[f64]) -> Vec<u16> {
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::avx512() {
            // SAFETY: the CPU has the features `simd` is compiled for.
            return unsafe { simd::buckets(self, xs) };
        }
        xs.iter().map(|&x| self.of(x) as u16).collect()
    }
}

/// The values of the given (sorted, distinct) ranks, from every draw's
/// bucket ([`Buckets::all`]) and the bucket counts.
fn order_statistics(xs: &[f64], of: &[u16], ranks: &[usize], counts: &[usize]) -> Vec<f64> {
    let n = xs.len();
    // For each rank: its bucket and its rank inside the bucket.
    let mut starts = vec![0usize; BUCKETS + 1];
    for b in 0..BUCKETS {
        starts[b + 1] = starts[b] + counts[b];
    }
    let wanted: Vec<usize> = ranks
        .iter()
        .map(|&r| starts.partition_point(|&s| s <= r) - 1)
        .collect();
    // Wanted buckets' slots, u16 (at most BUCKETS of them) so the table
    // stays small beside the counts in cache.
    const NONE: u16 = u16::MAX;
    let mut slot = vec![NONE; BUCKETS];
    let mut buckets: Vec<usize> = wanted.clone();
    buckets.dedup();
    for (i, &b) in buckets.iter().enumerate() {
        slot[b] = i as u16;
    }
    // Gather the wanted buckets that are small; for every wanted bucket keep
    // its least and greatest draw, so a bucket of one repeated value (a
    // count, a binomial) needs no gathering at all.
    let cap = (n / 64).max(1024);
    let small: Vec<bool> = buckets.iter().map(|&b| counts[b] <= cap).collect();
    let mut gathered: Vec<Vec<f64>> = buckets
        .iter()
        .zip(&small)
        .map(|(&b, &small)| Vec::with_capacity(if small { counts[b] } else { 0 }))
        .collect();
    let mut extremes = vec![(f64::INFINITY, f64::NEG_INFINITY); buckets.len()];
    let mut take = |i: usize| {
        let s = slot[of[i] as usize] as usize;
        let x = xs[i];
        let e = &mut extremes[s];
        e.0 = e.0.min(x);
        e.1 = e.1.max(x);
        if small[s] {
            gathered[s].push(x);
        }
    };
    in_buckets(of, &buckets, &slot, &mut take);
    // A large wanted bucket of distinct values (a few extreme draws
    // stretched the range, so the middle buckets are crowded): gather it in
    // one more pass, still far less than selecting over the whole column.
    let large: Vec<bool> = (0..buckets.len())
        .map(|s| !small[s] && extremes[s].0 != extremes[s].1)
        .collect();
    if large.iter().any(|&l| l) {
        for (s, g) in gathered.iter_mut().enumerate() {
            if large[s] {
                g.reserve_exact(counts[buckets[s]]);
            }
        }
        let crowded: Vec<usize> = (0..buckets.len())
            .filter(|&s| large[s])
            .map(|s| buckets[s])
            .collect();
        let mut slot_of_crowded = vec![NONE; BUCKETS];
        for &b in &crowded {
            slot_of_crowded[b] = slot[b];
        }
        in_buckets(of, &crowded, &slot_of_crowded, &mut |i| {
            gathered[slot[of[i] as usize] as usize].push(xs[i]);
        });
    }
    ranks
        .iter()
        .zip(&wanted)
        .map(|(&r, &b)| {
            let s = slot[b] as usize;
            let (least, greatest) = extremes[s];
            if least == greatest {
                least
            } else {
                let inside = r - starts[b];
                *gathered[s].select_nth_unstable_by(inside, f64::total_cmp).1
            }
        })
        .collect()
}

/// Call `take(i)` for every draw `i` (ascending) whose bucket `of[i]` is
/// one of `buckets`, whose slots `slot` marks (every other bucket NONE).
fn in_buckets(of: &[u16], buckets: &[usize], slot: &[u16], take: &mut impl FnMut(usize)) {
    #[cfg(target_arch = "x86_64")]
    if buckets.len() <= simd::MAX_WANTED && crate::cpu::avx512() {
        let wanted: Vec<u16> = buckets.iter().map(|&b| b as u16).collect();
        // SAFETY: the CPU has the features `simd` is compiled for.
        return unsafe { simd::matching(of, &wanted, take) };
    }
    for (i, &b) in of.iter().enumerate() {
        if slot[b as usize] != u16::MAX {
            take(i);
        }
    }
}

/// Order statistics by selection in place (reorders `xs`): select the middle
/// rank, then recurse into the two sides.
fn select_in_place(xs: &mut [f64], ranks: &[usize]) -> Vec<f64> {
    select_many(xs, 0, ranks);
    ranks.iter().map(|&r| xs[r]).collect()
}

/// Put the order statistics at the (sorted, absolute) `ranks` in place.
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

    #[test]
    fn range_and_nan_agrees_with_min_max_at_every_length_and_position() {
        for n in 0..40 {
            let xs: Vec<f64> = (0..n).map(|i| ((i * 7919) % 23) as f64 - 11.0).collect();
            let (lo, hi) = min_max(&xs);
            assert_eq!(range_and_nan(&xs), (lo, hi, false), "n = {n}");
            for at in 0..n {
                let mut with = xs.clone();
                with[at] = f64::NAN;
                let (lo, hi) = min_max(&with);
                assert_eq!(range_and_nan(&with), (lo, hi, true), "n = {n}, NaN at {at}");
            }
            // Signed zeros as extremes: the same zero as the lanes one at a time.
            let zeros: Vec<f64> = (0..n)
                .map(|i| if i % 3 == 0 { -0.0 } else { 0.0 })
                .collect();
            let bits = |(a, b, c): (f64, f64, bool)| (a.to_bits(), b.to_bits(), c);
            assert_eq!(
                bits(range_and_nan(&zeros)),
                bits(range_and_nan_portable(&zeros)),
                "n = {n}"
            );
        }
    }

    #[test]
    fn every_draws_bucket_and_the_draws_in_wanted_buckets_agree_with_one_at_a_time() {
        // Lengths around the vector widths, values at and past both ends of
        // the range, NaN, infinities and signed zeros.
        let b = Buckets::new(-2.0, 3.0, 4 * BUCKETS).expect("buckets");
        let odd = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            -2.0,
            3.0,
            1e300,
            -1e300,
        ];
        for n in [0, 1, 7, 8, 9, 31, 32, 33, 1000] {
            let mut xs: Vec<f64> = (0..n)
                .map(|i| ((i * 7919) % 1013) as f64 / 180.0 - 2.5)
                .collect();
            for (i, &x) in odd.iter().enumerate() {
                if i < n {
                    xs[(i * 37) % n] = x;
                }
            }
            let of = b.all(&xs);
            let one_by_one: Vec<u16> = xs.iter().map(|&x| b.of(x) as u16).collect();
            assert_eq!(of, one_by_one, "n = {n}");
            let buckets: Vec<usize> = vec![0, 7, 1000, 2047, BUCKETS - 1];
            let mut slot = vec![u16::MAX; BUCKETS];
            for (s, &k) in buckets.iter().enumerate() {
                slot[k] = s as u16;
            }
            let mut found = Vec::new();
            in_buckets(&of, &buckets, &slot, &mut |i| found.push(i));
            let want: Vec<usize> = (0..n)
                .filter(|&i| buckets.contains(&(of[i] as usize)))
                .collect();
            assert_eq!(found, want, "n = {n}");
        }
    }

    fn sorted_type7(xs: &[f64], p: f64) -> f64 {
        let mut s = xs.to_vec();
        s.sort_by(f64::total_cmp);
        let h = (s.len() - 1) as f64 * p;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(s.len() - 1);
        s[lo] + (h - lo as f64) * (s[hi] - s[lo])
    }

    #[test]
    fn selected_ranks_are_the_sorted_values_at_those_ranks() {
        // Ties, signed zeros, infinities and a NaN, in a scrambled order;
        // ranks in any order and repeated.
        let mut xs: Vec<f64> = (0..500).map(|i| ((i * 37) % 101) as f64 / 7.0).collect();
        xs.extend([
            -0.0,
            0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            3.0,
            3.0,
        ]);
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let ranks = [506, 0, 250, 1, 250, 3, 505, 42, 2];
        let got = select_ranks(&xs, &ranks);
        for (r, g) in ranks.iter().zip(&got) {
            assert_eq!(g.to_bits(), sorted[*r].to_bits(), "rank {r}");
        }
        // A pilot-sized column (buckets counted, then selected inside):
        // skewed, with ties and signed zeros.
        let big: Vec<f64> = (0..70_000u64)
            .map(|i| {
                let u = ((i * 7919) % 40_000) as f64 / 40_000.0;
                if i % 1000 == 0 { -0.0 } else { u * u * u - 0.1 }
            })
            .collect();
        let mut sorted_big = big.clone();
        sorted_big.sort_by(f64::total_cmp);
        let ranks = [0, 69_999, 35_000, 700, 69_300, 1, 12_345, 35_000, 6_999];
        for (r, g) in ranks.iter().zip(select_ranks(&big, &ranks)) {
            assert_eq!(g.to_bits(), sorted_big[*r].to_bits(), "rank {r}");
        }
        // Two extreme draws stretch the range, so nearly every draw falls
        // in two or three crowded middle buckets (gathered in a second pass).
        let mut tail = big.clone();
        tail[17] = 1e12;
        tail[40_000] = -1e12;
        let mut sorted_tail = tail.clone();
        sorted_tail.sort_by(f64::total_cmp);
        for (r, g) in ranks.iter().zip(select_ranks(&tail, &ranks)) {
            assert_eq!(
                g.to_bits(),
                sorted_tail[*r].to_bits(),
                "rank {r}, heavy tail"
            );
        }
        // And the type-7 quantile read from them is quantile_sorted's.
        let n = xs.len() - 1;
        let finite = &sorted[1..n];
        for p in [0.0, 0.01, 0.37, 0.5, 0.99, 1.0] {
            let at = |r: usize| finite[r];
            assert_eq!(
                quantile_from(finite.len(), p, at).to_bits(),
                quantile_sorted(finite, p).to_bits()
            );
        }
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
        for n in [1usize, 2, 3, 10, 101, 1000, 4097, 20_000, 100_003] {
            // A deterministic scramble with ties.
            let xs: Vec<f64> = (0..n).map(|i| ((i * 7919) % 997) as f64 / 10.0).collect();
            check_against_sort(&xs, &ps);
            // Continuous values, and a heavy tail that defeats the buckets.
            let smooth: Vec<f64> = (0..n)
                .map(|i| ((i as f64 * 0.618_033_988_7).fract() - 0.5).powi(3))
                .collect();
            check_against_sort(&smooth, &ps);
            let mut tail = smooth.clone();
            if let Some(last) = tail.last_mut() {
                *last = 1e12;
            }
            check_against_sort(&tail, &ps);
        }
    }

    fn check_against_sort(xs: &[f64], ps: &[f64]) {
        let mut work = xs.to_vec();
        let q = quantiles_in_place(&mut work, ps);
        for (p, got) in ps.iter().zip(q) {
            assert_eq!(got, sorted_type7(xs, *p), "n = {}, p = {p}", xs.len());
        }
    }

    #[test]
    fn describe_gives_exactly_what_the_separate_functions_give() {
        let ps = [0.01, 0.05, 0.5, 0.95, 0.99];
        for n in [1usize, 7, 20_000, 100_003] {
            let xs: Vec<f64> = (0..n)
                .map(|i| 100.0 + ((i as f64 * 0.618_033_988_7).fract() - 0.3).powi(3))
                .collect();
            let m = mean(&xs);
            let d = describe(&mut xs.clone(), &ps);
            assert_eq!(d.mean, m);
            assert_eq!(d.sd, sd(&xs, m));
            assert_eq!((d.min, d.max), min_max(&xs));
            assert_eq!(d.quantiles, quantiles_in_place(&mut xs.clone(), &ps));
        }
    }

    #[test]
    fn the_bucket_sort_sorts_as_a_comparison_sort_does() {
        for n in [0usize, 1, 5, 63, 64, 1000, 65_536] {
            let smooth: Vec<f64> = (0..n)
                .map(|i| ((i as f64 * 0.618_033_988_7).fract() - 0.5).powi(3))
                .collect();
            let ties: Vec<f64> = (0..n).map(|i| ((i * 7919) % 97) as f64).collect();
            let mut tail = smooth.clone();
            if n > 2 {
                tail[n / 2] = 1e300;
                tail[1] = -1e300;
            }
            let mut signed_zeros = ties.clone();
            for (i, x) in signed_zeros.iter_mut().enumerate().step_by(3) {
                *x = if i % 2 == 0 { 0.0 } else { -0.0 };
            }
            let mut nan = smooth.clone();
            if n > 3 {
                nan[3] = f64::NAN;
            }
            for xs in [smooth, ties, tail, signed_zeros, nan] {
                let mut want = xs.clone();
                want.sort_by(f64::total_cmp);
                let got = sort_by_draw(&xs, |i| xs[i], |&x| x);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got), bits(&want), "n = {n}");
                // Positions come along with their draws.
                let pairs = sort_by_draw(&xs, |i| (xs[i], i), |p| p.0);
                assert!(pairs.iter().all(|&(x, i)| xs[i].to_bits() == x.to_bits()));
                let mut seen: Vec<usize> = pairs.iter().map(|p| p.1).collect();
                seen.sort_unstable();
                assert_eq!(seen, (0..n).collect::<Vec<_>>());
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
