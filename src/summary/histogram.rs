//! The shape of an indicator's distribution, for charts: how many draws
//! fall at each value (an indicator that takes few distinct values, such as
//! a count of projects) or in each of equal-width bins (any other).
//!
//! A histogram counts draws, so it does not depend on their order: it is
//! computed from a column after its quantiles have reordered it, and needs no
//! second copy of the draws.
//!
//! Definitions (what the charts show):
//! - an indicator with at most [`MAX_DISTINCT`] distinct values gets
//!   [`Histogram::Values`]: every value with the number of draws equal to it;
//! - any other gets [`Histogram::Bins`]: equal-width bins over
//!   `[max(min, p01 − w/4), min(max, p99 + w/4)]` with `w = p99 − p01`, so the
//!   1% tails on each side are shown but a single extreme draw does not
//!   squeeze the picture; draws outside are counted in `below` and `above`.
//!   A bin holds the draws `x` with `lo + k·width ≤ x < lo + (k+1)·width`;
//!   the last bin also holds `hi`. The number of bins is `√draws / 4`, kept
//!   between 20 and 80.

/// A histogram counted block by block: the bins are laid out from the
/// pilot sample (its extremes and 1% and 99% quantiles, with the rule of
/// [`Histogram::of_column`]). Counts merge exactly in any order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HistTally {
    pub lo: f64,
    pub hi: f64,
    pub counts: Vec<u64>,
    pub below: u64,
    pub above: u64,
}

/// A histogram's rule for placing one draw (see [`HistTally::binner`]).
#[derive(Debug, Clone, Copy)]
pub struct Binner {
    lo: f64,
    hi: f64,
    scale: f64,
    last: usize,
}

impl Binner {
    /// Lower and upper end, bins per unit, last bin's index.
    pub(crate) fn parts(&self) -> (f64, f64, f64, usize) {
        (self.lo, self.hi, self.scale, self.last)
    }

    /// 0 for a draw below the bins, `1 + k` for bin `k`, `bins + 1` above;
    /// the same placement as [`HistTally::add_all`] one draw at a time.
    #[inline(always)]
    pub fn index(&self, x: f64) -> u8 {
        // Through `i64` and an integer clamp: the same bin as `as usize`
        // then `min` (NaN and negatives to 0), in fewer instructions.
        let k = (((x - self.lo) * self.scale) as i64).clamp(0, self.last as i64) as usize;
        if x < self.lo {
            0
        } else if x > self.hi {
            (self.last + 2) as u8
        } else {
            (1 + k) as u8
        }
    }
}

impl HistTally {
    /// Bins over the pilot's range for a run of `draws` draws.
    pub fn new(min: f64, max: f64, p01: f64, p99: f64, draws: u64) -> HistTally {
        let w = p99 - p01;
        let (mut lo, mut hi) = ((p01 - 0.25 * w).max(min), (p99 + 0.25 * w).min(max));
        if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
            (lo, hi) = (min, max);
        }
        let bins = ((draws as f64).sqrt() / 4.0).clamp(20.0, 80.0) as usize;
        HistTally {
            lo,
            hi,
            counts: vec![0; bins],
            below: 0,
            above: 0,
        }
    }

    pub fn add_all(&mut self, col: &[f64]) {
        match self.binner() {
            Some(b) => {
                let mut idx = [0u8; 2048];
                for chunk in col.chunks(idx.len()) {
                    for (i, &x) in idx.iter_mut().zip(chunk) {
                        *i = b.index(x);
                    }
                    self.add_indices(&idx[..chunk.len()]);
                }
            }
            None => self.add_each(col),
        }
    }

    /// Count one draw at a time (any number of bins).
    pub(crate) fn add_each(&mut self, col: &[f64]) {
        let bins = self.counts.len();
        let scale = if self.hi > self.lo {
            bins as f64 / (self.hi - self.lo)
        } else {
            0.0
        };
        for &x in col {
            if x < self.lo {
                self.below += 1;
            } else if x > self.hi {
                self.above += 1;
            } else {
                let k = (((x - self.lo) * scale) as usize).min(bins - 1);
                self.counts[k] += 1;
            }
        }
    }

    /// Where each draw goes as one small index ([`Binner::index`]), so a
    /// block's draws can be placed in one pass and counted in another; `None`
    /// when the bins are too many for a byte (never for a run's own layout).
    pub fn binner(&self) -> Option<Binner> {
        let bins = self.counts.len();
        (bins > 0 && bins < u8::MAX as usize - 1).then(|| Binner {
            lo: self.lo,
            hi: self.hi,
            scale: if self.hi > self.lo {
                bins as f64 / (self.hi - self.lo)
            } else {
                0.0
            },
            last: bins - 1,
        })
    }

    /// Count draws placed by [`Binner::index`].
    pub fn add_indices(&mut self, idx: &[u8]) {
        // Four sets of counters, so that runs of draws in one bin do not
        // wait on each other's increments.
        let mut c = [[0u64; u8::MAX as usize + 1]; 4];
        let mut quads = idx.chunks_exact(4);
        for q in &mut quads {
            c[0][q[0] as usize] += 1;
            c[1][q[1] as usize] += 1;
            c[2][q[2] as usize] += 1;
            c[3][q[3] as usize] += 1;
        }
        for &i in quads.remainder() {
            c[0][i as usize] += 1;
        }
        let at = |i: usize| c[0][i] + c[1][i] + c[2][i] + c[3][i];
        let bins = self.counts.len();
        self.below += at(0);
        for (k, n) in self.counts.iter_mut().enumerate() {
            *n += at(1 + k);
        }
        self.above += at(bins + 1);
    }

    pub fn merge(&mut self, o: &HistTally) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        self.below += o.below;
        self.above += o.above;
    }

    /// The histogram: value by value when the column's distinct values
    /// were kept, else the bins.
    pub fn finish(self, distinct: Option<&super::sketch::Distinct>) -> Histogram {
        match distinct {
            Some(d) => Histogram::Values {
                values: d.values.clone(),
                counts: d.counts.clone(),
            },
            None => Histogram::Bins {
                lo: self.lo,
                hi: self.hi,
                counts: self.counts,
                below: self.below,
                above: self.above,
            },
        }
    }
}

/// Columns with at most this many distinct values are counted value by value.
pub const MAX_DISTINCT: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Histogram {
    /// Few distinct values, ascending, each with its number of draws.
    Values { values: Vec<f64>, counts: Vec<u64> },
    /// Equal-width bins from `lo` to `hi`.
    Bins {
        lo: f64,
        hi: f64,
        counts: Vec<u64>,
        /// Draws below `lo`.
        below: u64,
        /// Draws above `hi`.
        above: u64,
    },
}

impl Histogram {
    /// Count a column, given its extremes and its 1% and 99% quantiles.
    pub fn of_column(col: &[f64], min: f64, max: f64, p01: f64, p99: f64) -> Histogram {
        if let Some((values, counts)) = distinct_values(col) {
            return Histogram::Values { values, counts };
        }
        let w = p99 - p01;
        let (mut lo, mut hi) = ((p01 - 0.25 * w).max(min), (p99 + 0.25 * w).min(max));
        if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
            (lo, hi) = (min, max);
        }
        let bins = ((col.len() as f64).sqrt() / 4.0).clamp(20.0, 80.0) as usize;
        let mut counts = vec![0u64; bins];
        let (mut below, mut above) = (0, 0);
        let scale = bins as f64 / (hi - lo);
        for &x in col {
            if x < lo {
                below += 1;
            } else if x > hi {
                above += 1;
            } else {
                let k = (((x - lo) * scale) as usize).min(bins - 1);
                counts[k] += 1;
            }
        }
        Histogram::Bins {
            lo,
            hi,
            counts,
            below,
            above,
        }
    }

    /// Every draw counted, inside the picture or not.
    pub fn total(&self) -> u64 {
        match self {
            Histogram::Values { counts, .. } => counts.iter().sum(),
            Histogram::Bins {
                counts,
                below,
                above,
                ..
            } => counts.iter().sum::<u64>() + below + above,
        }
    }

    /// The values the picture spans.
    pub fn span(&self) -> (f64, f64) {
        match self {
            Histogram::Values { values, .. } => (
                values.first().copied().unwrap_or(0.0),
                values.last().copied().unwrap_or(0.0),
            ),
            Histogram::Bins { lo, hi, .. } => (*lo, *hi),
        }
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::Values {
            values: Vec::new(),
            counts: Vec::new(),
        }
    }
}

/// The distinct values and their counts, or `None` as soon as there are
/// more than [`MAX_DISTINCT`] (a continuous column stops after a few draws).
fn distinct_values(col: &[f64]) -> Option<(Vec<f64>, Vec<u64>)> {
    let mut values: Vec<f64> = Vec::with_capacity(MAX_DISTINCT + 1);
    let mut counts: Vec<u64> = Vec::with_capacity(MAX_DISTINCT + 1);
    let mut last = 0usize;
    for &x in col {
        // Runs of equal values are common (the column is partly sorted by
        // the quantile search): check the last hit first.
        if values.get(last) == Some(&x) {
            counts[last] += 1;
            continue;
        }
        match values.binary_search_by(|v| v.total_cmp(&x)) {
            Ok(i) => {
                counts[i] += 1;
                last = i;
            }
            Err(i) => {
                if values.len() == MAX_DISTINCT {
                    return None;
                }
                values.insert(i, x);
                counts.insert(i, 1);
                last = i;
            }
        }
    }
    Some((values, counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_column_is_counted_value_by_value() {
        let col = [3.0, 1.0, 3.0, 2.0, 3.0, 1.0];
        let h = Histogram::of_column(&col, 1.0, 3.0, 1.0, 3.0);
        assert_eq!(
            h,
            Histogram::Values {
                values: vec![1.0, 2.0, 3.0],
                counts: vec![2, 1, 3]
            }
        );
        assert_eq!(h.total(), 6);
    }

    #[test]
    fn a_continuous_column_is_binned_with_every_draw_counted_once() {
        // 0, 1, ..., 9999: p01 = 99.99, p99 = 9899.01 (type 7), so the bins
        // span [0, 9999] once the quarter-width margins are clipped to the
        // extremes; 25 bins for 10,000 draws.
        let col: Vec<f64> = (0..10_000).map(f64::from).collect();
        let h = Histogram::of_column(&col, 0.0, 9999.0, 99.99, 9899.01);
        let Histogram::Bins {
            lo,
            hi,
            counts,
            below,
            above,
        } = &h
        else {
            panic!("expected bins, got {h:?}");
        };
        assert_eq!((*lo, *hi), (0.0, 9999.0));
        assert_eq!(counts.len(), 25);
        assert_eq!((*below, *above), (0, 0));
        assert_eq!(h.total(), 10_000);
        // Width 399.96: the first bin holds 0..=399.
        assert_eq!(counts[0], 400);
    }

    #[test]
    fn a_tally_counted_by_places_equals_one_counted_draw_by_draw() {
        let mut col: Vec<f64> = (0..10_000).map(|i| (f64::from(i) * 0.7548).sin()).collect();
        col.extend([
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.5,
            0.5,
            1e300,
            -0.0,
        ]);
        let fresh = HistTally::new(-1.0, 1.0, -0.5, 0.5, 10_000);
        let mut placed = fresh.clone();
        placed.add_all(&col);
        let mut each = fresh.clone();
        each.add_each(&col);
        assert_eq!(placed, each);
        assert_eq!(
            placed.counts.iter().sum::<u64>() + placed.below + placed.above,
            col.len() as u64
        );
    }

    #[test]
    fn far_tails_are_counted_outside_the_bins() {
        let mut col: Vec<f64> = (0..1000).map(|i| f64::from(i) / 1000.0).collect();
        col.push(1e6);
        col.push(-1e6);
        let h = Histogram::of_column(&col, -1e6, 1e6, 0.01, 0.99);
        let Histogram::Bins {
            lo, below, above, ..
        } = h
        else {
            panic!("expected bins");
        };
        assert!((lo - (0.01 - 0.245)).abs() < 1e-12);
        assert_eq!((below, above), (1, 1));
    }
}
