//! Quantiles that stream and merge: a fixed-grid sketch whose grid comes
//! from a pilot sample, holding integer counts, so that any split of the
//! draws into blocks, threads or shards merges to the same bytes.
//!
//! Definitions (normative, documented in the README, "Quantiles"):
//! - The pilot is the run's first [`PILOT_BLOCKS`] blocks (65,536 draws, or
//!   every draw of a smaller run). When a run has no more draws than the
//!   pilot, its quantiles are exact type 7 over all draws.
//! - Otherwise each reported level `p` gets a window around the pilot's own
//!   quantile: from the pilot's order statistic `k` ranks below `(m - 1) p`
//!   to the one `k` ranks above, with `k = ceil(6 sqrt(p (1 - p) m)) + 2` and
//!   `m` the pilot size. Overlapping windows are merged. Each window is cut
//!   into [`FINE_BINS`] equal sub-bins; the stretches between windows are one
//!   bin each. Every bin keeps its count.
//! - The type-7 quantile `x_j + (h - j)(x_{j+1} - x_j)` with `h = (n - 1) p`
//!   needs the order statistics `x_j` and `x_{j+1}`. Each is read from the
//!   bin that holds its rank, taking the bin's `c` draws as spread evenly
//!   over it: the `q`-th of them at `lo + (q + 1/2) / c` of its width.
//! - A column whose pilot takes at most 64 distinct values (a count of
//!   projects, a fixed value) is also counted value by value
//!   ([`Distinct`]); while it stays within 64 values its quantiles are exact.
//! - Error bound: at most one sub-bin's width when the rank falls inside its
//!   window. A window spans about 12 pilot standard errors of the quantile,
//!   so a sub-bin is `12 sqrt(n / m) / 1024` Monte Carlo standard errors of a
//!   run of `n` draws wide: 0.046 at 1e6 draws, 0.15 at 1e7, 0.46 at 1e8.
//!   The rank falls outside its window only when the pilot's quantile is more
//!   than 6 of its standard errors off (about 2e-9 for a continuous
//!   indicator); the quantile is then interpolated across the stretch
//!   (between the neighbouring windows' ends, or the column's extremes).

use super::place::Windows;
use serde::{Deserialize, Serialize};

/// Blocks in the pilot sample.
pub const PILOT_BLOCKS: usize = 8;
/// Sub-bins per window.
pub const FINE_BINS: usize = 1024;
/// Half-width of a window in pilot standard errors of the quantile.
pub const WINDOW_SE: f64 = 6.0;

/// One bin as the quantiles read it: how many draws it holds, and the span
/// they lie in.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cell {
    pub n: u64,
    pub min: f64,
    pub max: f64,
}

impl Cell {
    /// The `q`-th smallest draw of the bin (0-based), its draws taken as
    /// spread evenly over the bin's span.
    fn value(&self, q: u64) -> f64 {
        if self.min == self.max {
            self.min
        } else {
            self.min + (self.max - self.min) * (q as f64 + 0.5) / self.n as f64
        }
    }
}

/// The grid of one column: its windows, `[lo, hi]` each, ascending and
/// disjoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub windows: Vec<(f64, f64)>,
}

impl Grid {
    /// The grid for `levels` from a sorted pilot sample.
    pub fn from_pilot(sorted: &[f64], levels: &[f64]) -> Grid {
        Grid::from_order_statistics(sorted.len(), levels, |r| sorted[r])
    }

    /// The pilot ranks (0-based, of `m` sorted draws) whose values the
    /// grid for `levels` reads: each window's two ends.
    pub fn ranks(m: usize, levels: &[f64]) -> Vec<usize> {
        if m == 0 {
            return Vec::new();
        }
        levels
            .iter()
            .flat_map(|&p| {
                let r = (m - 1) as f64 * p;
                let k = (WINDOW_SE * (p * (1.0 - p) * m as f64).sqrt()).ceil() as usize + 2;
                let lo = (r.floor() as usize).saturating_sub(k);
                let hi = (r.ceil() as usize + k).min(m - 1);
                [lo, hi]
            })
            .collect()
    }

    /// The grid for `levels` of a pilot of `m` draws, `at(r)` being its
    /// value of rank `r` (one of [`Grid::ranks`]).
    pub fn from_order_statistics(m: usize, levels: &[f64], at: impl Fn(usize) -> f64) -> Grid {
        let ranks = Grid::ranks(m, levels);
        let mut w: Vec<(f64, f64)> = ranks.chunks(2).map(|r| (at(r[0]), at(r[1]))).collect();
        w.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut windows: Vec<(f64, f64)> = Vec::with_capacity(w.len());
        for (lo, hi) in w {
            match windows.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => windows.push((lo, hi)),
            }
        }
        Grid { windows }
    }
}

/// A column's distinct values and their counts, ascending; kept while there
/// are at most [`MAX_DISTINCT`](super::histogram::MAX_DISTINCT).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Distinct {
    pub values: Vec<f64>,
    pub counts: Vec<u64>,
}

impl Distinct {
    /// Count `xs`; false when there are now too many values.
    pub fn add_all(&mut self, xs: &[f64]) -> bool {
        // A table from a hash of the value's bits to its index finds the
        // known values without searching (a count column repeats a handful
        // of values in no particular order, so a binary search per draw
        // mispredicts most of its branches); counts gather in a local array
        // until the values change. A value the table does not know goes to
        // the search, which counts it or inserts it. Values are told apart
        // by their bits, the equality of `total_cmp` that keeps them sorted.
        let mut table = HashIndex::of(&self.values);
        let mut local = [0u64; super::histogram::MAX_DISTINCT];
        let flush = |local: &mut [u64; super::histogram::MAX_DISTINCT], counts: &mut [u64]| {
            for (c, l) in counts.iter_mut().zip(local.iter_mut()) {
                *c += std::mem::take(l);
            }
        };
        for &x in xs {
            if let Some(i) = table.find(x, &self.values) {
                local[i] += 1;
                continue;
            }
            flush(&mut local, &mut self.counts);
            let before = self.values.len();
            if !self.add(x, 1) {
                return false;
            }
            if self.values.len() != before {
                table = HashIndex::of(&self.values);
            }
        }
        flush(&mut local, &mut self.counts);
        true
    }

    /// Count `x` `n` times by search; false when it would be one value too many.
    pub(crate) fn add(&mut self, x: f64, n: u64) -> bool {
        match self.values.binary_search_by(|v| v.total_cmp(&x)) {
            Ok(i) => self.counts[i] += n,
            Err(i) => {
                if self.values.len() == super::histogram::MAX_DISTINCT {
                    return false;
                }
                self.values.insert(i, x);
                self.counts.insert(i, n);
            }
        }
        true
    }

    /// Add another count; false when the union has too many values.
    pub fn merge(&mut self, o: &Distinct) -> bool {
        o.values
            .iter()
            .zip(&o.counts)
            .all(|(&x, &n)| self.add(x, n))
    }

    /// Exact type-7 quantiles.
    pub fn quantiles(&self, levels: &[f64]) -> Vec<f64> {
        let n: u64 = self.counts.iter().sum();
        if n == 0 {
            return vec![f64::NAN; levels.len()];
        }
        let at = |r: u64| {
            let mut before = 0;
            for (&v, &c) in self.values.iter().zip(&self.counts) {
                if r < before + c {
                    return v;
                }
                before += c;
            }
            self.values[self.values.len() - 1]
        };
        type7(levels, n, at)
    }
}

/// Index of a few distinct values by a hash of their bits: each slot holds
/// a value's index, or EMPTY. The multiplier is the first of a few that
/// gives every value its own slot (a collision only sends the draws of one
/// value to the search).
struct HashIndex {
    shift_mul: u64,
    slots: [u8; HashIndex::SLOTS],
}

impl HashIndex {
    const BITS: u32 = 10;
    const SLOTS: usize = 1 << Self::BITS;
    const EMPTY: u8 = u8::MAX;
    const MULTIPLIERS: [u64; 4] = [
        0x9E37_79B9_7F4A_7C15,
        0xC2B2_AE3D_27D4_EB4F,
        0x1656_67B1_9E37_79F9,
        0xD6E8_FEB8_6659_FD93,
    ];

    #[inline(always)]
    fn slot(mul: u64, x: f64) -> usize {
        (x.to_bits().wrapping_mul(mul) >> (64 - Self::BITS)) as usize
    }

    fn of(values: &[f64]) -> HashIndex {
        debug_assert!(values.len() < Self::EMPTY as usize);
        let mut best = HashIndex {
            shift_mul: Self::MULTIPLIERS[0],
            slots: [Self::EMPTY; Self::SLOTS],
        };
        for mul in Self::MULTIPLIERS {
            let mut slots = [Self::EMPTY; Self::SLOTS];
            let mut clash = false;
            for (i, &v) in values.iter().enumerate() {
                let s = &mut slots[Self::slot(mul, v)];
                clash |= *s != Self::EMPTY;
                *s = i as u8;
            }
            best = HashIndex {
                shift_mul: mul,
                slots,
            };
            if !clash {
                break;
            }
        }
        best
    }

    /// The index of `x` among `values`, if the table holds it.
    #[inline(always)]
    fn find(&self, x: f64, values: &[f64]) -> Option<usize> {
        let i = self.slots[Self::slot(self.shift_mul, x)] as usize;
        values
            .get(i)
            .filter(|v| v.to_bits() == x.to_bits())
            .map(|_| i)
    }
}

/// Type-7 quantiles at `levels` of `n` sorted draws, given the `j`-th
/// smallest through `at(j)`.
fn type7(levels: &[f64], n: u64, at: impl Fn(u64) -> f64) -> Vec<f64> {
    levels
        .iter()
        .map(|&p| {
            let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
            let j = (h.floor() as u64).min(n - 1);
            let frac = h - j as f64;
            if frac > 0.0 && j + 1 < n {
                let (a, b) = (at(j), at(j + 1));
                a + frac * (b - a)
            } else {
                at(j)
            }
        })
        .collect()
}

/// Cells of the coarse lookup table that routes a draw to its bin.
const TABLE: usize = 4096;
/// Table code of a cell that holds a window's edge (searched exactly).
const MIXED: u16 = u16::MAX;
/// How far past its ends (in cells) a cell must hold no window edge to be
/// routed by the table: far more than the rounding of a draw's position.
const CELL_MARGIN: f64 = 1e-6;

/// Counts on a grid. Merging adds counts and takes extremes, which is
/// exact and order-free: any split of the draws gives the same sketch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    pub grid: Grid,
    /// Draws per bin, in ascending order of value: stretch 0 (below every
    /// window), window 0's sub-bins, stretch 1, window 1's sub-bins, ...,
    /// the last stretch (above every window). Stretch `g` is at
    /// `g * (FINE_BINS + 1)`, window `w`'s sub-bins follow it.
    pub counts: Vec<u64>,
    #[serde(skip)]
    lookup: Lookup,
}

/// Routes a draw to its bin without searching: a uniform table over the
/// windows' span says, for most draws, which stretch or window holds them.
#[derive(Debug, Clone, Default, PartialEq)]
struct Lookup {
    lo: f64,
    scale: f64,
    /// Per cell: `2 g` for stretch `g`, `2 w + 1` for window `w`, or MIXED.
    codes: Vec<u16>,
    lows: Vec<f64>,
    highs: Vec<f64>,
    scales: Vec<f64>,
    /// The windows as the vector placement reads them, when it can.
    windows: Option<Windows>,
}

impl Lookup {
    fn new(grid: &Grid) -> Lookup {
        let lows: Vec<f64> = grid.windows.iter().map(|w| w.0).collect();
        let highs: Vec<f64> = grid.windows.iter().map(|w| w.1).collect();
        let scales = grid
            .windows
            .iter()
            .map(|&(lo, hi)| {
                if hi > lo {
                    FINE_BINS as f64 / (hi - lo)
                } else {
                    0.0
                }
            })
            .collect();
        // A spare entry for the last stretch, so every code indexes them.
        let (mut lows, mut scales): (Vec<f64>, Vec<f64>) = (lows, scales);
        let first_last = (lows.first().copied(), highs.last().copied());
        lows.push(0.0);
        scales.push(0.0);
        let mut l = Lookup {
            lo: 0.0,
            scale: 0.0,
            codes: Vec::new(),
            windows: Windows::new(&lows, &highs, &scales),
            lows,
            highs,
            scales,
        };
        let (Some(first), Some(last)) = first_last else {
            return l;
        };
        if last <= first || !(last - first).is_finite() {
            return l;
        }
        // The table spans the windows; draws beyond it fall in the outer
        // stretches, which the clamped end cells route (they are MIXED when
        // a window touches the table's end).
        l.lo = first;
        l.scale = TABLE as f64 / (last - first);
        // The cell widened a little each side: a draw whose rounded
        // position falls in the cell lies within a few ulps of it, so a
        // cell is pure only when no window edge lies even that close (then
        // `route` is `code` exactly).
        let scale = l.scale;
        let (ca, cb) = (
            l.codes_at(|c| first + (c as f64 - CELL_MARGIN) / scale),
            l.codes_at(|c| first + ((c + 1) as f64 + CELL_MARGIN) / scale),
        );
        l.codes = (0..TABLE)
            .map(|c| {
                // Both ends and everything between in one stretch or window.
                if ca[c] == cb[c] && c > 0 && c + 1 < TABLE {
                    ca[c]
                } else {
                    MIXED
                }
            })
            .collect();
        l
    }

    /// `code(at(c))` for every cell `c`, `at` ascending in `c`. The
    /// windows ascending and disjoint (as `Windows::new` checks them), one
    /// sweep counts the lower ends at or below each point; otherwise each
    /// point is searched. A new sketch per column and worker each turn
    /// made the search per cell a twentieth of a workshop turn.
    fn codes_at(&self, at: impl Fn(usize) -> f64) -> Vec<u16> {
        if self.windows.is_none() {
            return (0..TABLE).map(|c| self.code(at(c))).collect();
        }
        let lows = &self.lows[..self.highs.len()];
        let mut w = 0;
        (0..TABLE)
            .map(|c| {
                let x = at(c);
                while w < lows.len() && lows[w] <= x {
                    w += 1;
                }
                if w > 0 && x <= self.highs[w - 1] {
                    (2 * (w - 1) + 1) as u16
                } else {
                    (2 * w) as u16
                }
            })
            .collect()
    }

    /// The exact code of `x`, by search.
    #[inline]
    fn code(&self, x: f64) -> u16 {
        let lows = &self.lows[..self.highs.len()];
        // The windows are few and ascending: counting those that start at
        // or below `x` is the search's answer, without its mispredicted
        // branches (a discrete column's draws all sit on window edges).
        let w = if lows.len() <= 32 {
            lows.iter().map(|&lo| (lo <= x) as usize).sum()
        } else {
            lows.partition_point(|&lo| lo <= x)
        };
        if w > 0 && x <= self.highs[w - 1] {
            (2 * (w - 1) + 1) as u16
        } else {
            (2 * w) as u16
        }
    }

    #[inline(always)]
    fn route(&self, x: f64) -> u16 {
        if self.codes.is_empty() {
            return self.code(x);
        }
        let c = ((x - self.lo) * self.scale).clamp(0.0, (TABLE - 1) as f64) as usize;
        match self.codes[c] {
            MIXED => self.code(x),
            code => code,
        }
    }
}

/// [`Sketch::bin`] for a block of draws: the lookup's fields held in
/// locals, and each float-to-index conversion done once, through `i64`
/// and an integer clamp (Rust's saturating `f64 as usize` costs a dozen
/// instructions). Places every draw exactly where `Sketch::bin` does: a
/// NaN converts to 0 either way, a negative value clamps to 0, a large one
/// to the last cell.
#[derive(Clone, Copy)]
pub struct Placer<'a> {
    lookup: &'a Lookup,
    lo: f64,
    scale: f64,
    codes: &'a [u16; TABLE],
    lows: &'a [f64],
    scales: &'a [f64],
}

impl<'a> Placer<'a> {
    #[inline(always)]
    pub fn bin(&self, x: f64) -> u32 {
        let c = (((x - self.lo) * self.scale) as i64).clamp(0, TABLE as i64 - 1) as usize;
        let code = match self.codes[c] {
            MIXED => self.lookup.code(x),
            code => code,
        } as usize;
        let (w, in_window) = (code >> 1, code & 1);
        let (lo, scale) = match (self.lows.get(w), self.scales.get(w)) {
            (Some(&lo), Some(&scale)) => (lo, scale),
            _ => (0.0, 0.0),
        };
        let k = (((x - lo) * scale) as i64).clamp(0, FINE_BINS as i64 - 1) as usize;
        (w * (FINE_BINS + 1) + in_window * (1 + k)) as u32
    }
}

impl Sketch {
    pub fn new(grid: Grid) -> Sketch {
        let n = grid.windows.len();
        let mut s = Sketch {
            counts: vec![0; n * (FINE_BINS + 1) + 1],
            grid,
            lookup: Lookup::default(),
        };
        s.index();
        s
    }

    /// Rebuild the lookup table (after deserialising).
    pub fn index(&mut self) {
        self.lookup = Lookup::new(&self.grid);
    }

    /// The bin of `x`: its index in `counts`.
    #[inline(always)]
    pub fn bin(&self, x: f64) -> u32 {
        let l = &self.lookup;
        // Branch-free but for the rare draw near a window's edge: the
        // sub-bin is computed for every draw and kept for window draws only
        // (`lows` and `scales` have a spare entry for the last stretch).
        let code = l.route(x) as usize;
        let (w, in_window) = (code >> 1, code & 1);
        let k = (((x - l.lows[w]) * l.scales[w]) as usize).min(FINE_BINS - 1);
        (w * (FINE_BINS + 1) + in_window * (1 + k)) as u32
    }

    /// A fast [`Sketch::bin`] for many draws (`None` without a lookup
    /// table, when the sketch has no windows to route between).
    #[inline]
    pub fn placer(&self) -> Option<Placer<'_>> {
        let l = &self.lookup;
        Some(Placer {
            lookup: l,
            lo: l.lo,
            scale: l.scale,
            codes: l.codes.as_slice().try_into().ok()?,
            lows: &l.lows,
            scales: &l.scales,
        })
    }

    /// The windows laid out for the vector placement (`None` when there
    /// are none, too many, or they are not finite).
    #[inline]
    pub fn windows(&self) -> Option<&Windows> {
        self.lookup.windows.as_ref()
    }

    /// Count draws whose bins ([`Sketch::bin`]) are `bins`.
    #[inline]
    pub fn count_bins(&mut self, bins: &[u32]) {
        let counts = &mut self.counts[..];
        for &b in bins {
            if let Some(c) = counts.get_mut(b as usize) {
                *c += 1;
            }
        }
    }

    #[inline]
    pub fn add_all(&mut self, xs: &[f64]) {
        // Two passes per chunk: first every draw's bin, then the counting.
        // Counting as the bins are found stalls the processor whenever two
        // draws close together land in one bin (the store's address comes
        // late, so the next load is replayed); with the bins known up
        // front, the counting loop runs at its natural speed.
        let mut bins = [0u32; 2048];
        for chunk in xs.chunks(bins.len()) {
            for (b, &x) in bins.iter_mut().zip(chunk) {
                *b = self.bin(x);
            }
            self.count_bins(&bins[..chunk.len()]);
        }
    }

    pub fn merge(&mut self, o: &Sketch) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The bins in ascending order of value, each as its count and the
    /// span its draws lie in: a sub-bin's own edges; for a stretch, the
    /// neighbouring windows' ends, or the column's `min` and `max` outside
    /// them.
    fn cells(&self, min: f64, max: f64) -> impl Iterator<Item = Cell> + '_ {
        let n = self.grid.windows.len();
        (0..=n).flat_map(move |g| {
            let at = g * (FINE_BINS + 1);
            let gap = Cell {
                n: self.counts[at],
                min: if g == 0 {
                    min
                } else {
                    self.grid.windows[g - 1].1
                },
                max: if g == n { max } else { self.grid.windows[g].0 },
            };
            let (lo, hi) = self.grid.windows.get(g).copied().unwrap_or((0.0, 0.0));
            let width = (hi - lo) / FINE_BINS as f64;
            let fine = if g < n {
                &self.counts[at + 1..at + 1 + FINE_BINS]
            } else {
                &[][..]
            };
            std::iter::once(gap).chain(fine.iter().enumerate().map(move |(k, &c)| Cell {
                n: c,
                min: lo + k as f64 * width,
                max: lo + (k + 1) as f64 * width,
            }))
        })
    }

    /// Type-7 quantiles at `levels` (see the module's definitions), for a
    /// column whose extremes are `min` and `max`.
    pub fn quantiles(&self, levels: &[f64], min: f64, max: f64) -> Vec<f64> {
        let n = self.count();
        if n == 0 {
            return vec![f64::NAN; levels.len()];
        }
        let mut wanted: Vec<u64> = Vec::with_capacity(2 * levels.len());
        for &p in levels {
            let j = (((n - 1) as f64 * p.clamp(0.0, 1.0)).floor() as u64).min(n - 1);
            wanted.push(j);
            wanted.push((j + 1).min(n - 1));
        }
        wanted.sort_unstable();
        wanted.dedup();
        let mut values = Vec::with_capacity(wanted.len());
        let mut next = wanted.iter().peekable();
        let mut before = 0u64;
        for c in self.cells(min, max) {
            while let Some(&&r) = next.peek() {
                if r < before + c.n {
                    values.push(c.value(r - before));
                    next.next();
                } else {
                    break;
                }
            }
            before += c.n;
        }
        type7(levels, n, |r| values[wanted.partition_point(|&x| x < r)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::stats::quantiles_in_place;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, LogNormal, Normal, Poisson, StudentT};

    const LEVELS: [f64; 9] = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99];

    /// Sketch quantiles of `xs` (pilot = the first 65,536) against exact
    /// type 7 on the same draws, in units of the Monte Carlo standard error
    /// of each quantile, sqrt(p (1 - p) / n) / f(x_p), with the density f
    /// estimated from the exact order statistics around x_p.
    fn worst_error_in_se(xs: &[f64]) -> f64 {
        let m = 65_536.min(xs.len());
        let mut pilot = xs[..m].to_vec();
        pilot.sort_by(f64::total_cmp);
        let mut sk = Sketch::new(Grid::from_pilot(&pilot, &LEVELS));
        // Added in two parts and merged, as two threads or shards would.
        let (a, b) = xs.split_at(xs.len() / 3);
        sk.add_all(a);
        let mut other = Sketch::new(sk.grid.clone());
        other.add_all(b);
        sk.merge(&other);
        let (lo, hi) = crate::summary::stats::min_max(xs);
        let got = sk.quantiles(&LEVELS, lo, hi);
        let mut sorted = xs.to_vec();
        let exact = quantiles_in_place(&mut sorted.clone(), &LEVELS);
        sorted.sort_by(f64::total_cmp);
        let n = xs.len() as f64;
        LEVELS
            .iter()
            .zip(got.iter().zip(&exact))
            .map(|(&p, (&g, &e))| {
                // Density from the spacing of order statistics 0.5% apart.
                let dp = 0.005;
                let lo = sorted[((p - dp).max(0.0) * (n - 1.0)) as usize];
                let hi = sorted[((p + dp).min(1.0) * (n - 1.0)) as usize];
                let f = ((p + dp).min(1.0) - (p - dp).max(0.0)) / (hi - lo);
                let se = (p * (1.0 - p) / n).sqrt() / f;
                (g - e).abs() / se
            })
            .fold(0.0, f64::max)
    }

    fn draws<D: Distribution<f64>>(d: D, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n).map(|_| d.sample(&mut rng)).collect()
    }

    #[test]
    fn within_a_tenth_of_the_standard_error_at_a_million_draws() {
        let n = 1_000_000;
        for (name, xs) in [
            ("normal", draws(Normal::new(0.09, 0.02).unwrap(), n, 1)),
            (
                "lognormal sigma 1",
                draws(LogNormal::new(0.0, 1.0).unwrap(), n, 2),
            ),
            (
                "student t 2 (heavy tails)",
                draws(StudentT::new(2.0).unwrap(), n, 3),
            ),
            (
                "student t 1 (Cauchy)",
                draws(StudentT::new(1.0).unwrap(), n, 4),
            ),
        ] {
            let e = worst_error_in_se(&xs);
            eprintln!("{name}: worst quantile error {e:.4} standard errors");
            assert!(e <= 0.1, "{name}: worst error {e:.3} standard errors");
        }
    }

    #[test]
    fn a_discrete_indicator_counted_value_by_value_is_exact() {
        let xs = draws(Poisson::new(30.0).unwrap(), 300_000, 5);
        let exact = quantiles_in_place(&mut xs.clone(), &LEVELS);
        let mut d = Distinct::default();
        d.add_all(&xs);
        assert_eq!(d.quantiles(&LEVELS), exact);
    }

    #[test]
    fn any_split_merges_to_the_same_sketch() {
        let xs = draws(LogNormal::new(1.0, 0.5).unwrap(), 100_000, 6);
        let mut pilot = xs[..65_536].to_vec();
        pilot.sort_by(f64::total_cmp);
        let grid = Grid::from_pilot(&pilot, &LEVELS);
        let mut whole = Sketch::new(grid.clone());
        whole.add_all(&xs);
        for parts in [2, 3, 7] {
            let mut merged = Sketch::new(grid.clone());
            for chunk in xs.chunks(xs.len().div_ceil(parts)).rev() {
                let mut s = Sketch::new(grid.clone());
                s.add_all(chunk);
                merged.merge(&s);
            }
            assert_eq!(merged, whole, "{parts} parts");
        }
    }

    #[test]
    fn the_placer_bins_every_value_where_the_sketch_does() {
        let mut xs = draws(StudentT::new(1.5).unwrap(), 200_000, 7);
        let mut pilot = xs[..65_536].to_vec();
        pilot.sort_by(f64::total_cmp);
        let sk = Sketch::new(Grid::from_pilot(&pilot, &LEVELS));
        // Window edges and their neighbours, and the values that convert
        // oddly to integers.
        for &(lo, hi) in &sk.grid.windows {
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
        let placer = sk.placer().expect("a table");
        for &x in &xs {
            assert_eq!(placer.bin(x), sk.bin(x), "x = {x:e}");
        }
    }

    #[test]
    fn the_swept_table_is_the_table_searched_cell_by_cell() {
        for (seed, p) in [(9, 1.5), (10, 3.0), (11, 0.7)] {
            let xs = draws(StudentT::new(p).unwrap(), 65_536, seed);
            let mut pilot = xs.clone();
            pilot.sort_by(f64::total_cmp);
            let levels: Vec<f64> = (1..40).map(|i| i as f64 / 40.0).collect();
            for lv in [&LEVELS[..], &levels[..20], &levels[..]] {
                let sk = Sketch::new(Grid::from_pilot(&pilot, lv));
                let l = &sk.lookup;
                let searched: Vec<u16> = (0..TABLE)
                    .map(|c| {
                        let a = l.lo + (c as f64 - CELL_MARGIN) / l.scale;
                        let b = l.lo + ((c + 1) as f64 + CELL_MARGIN) / l.scale;
                        let (ca, cb) = (l.code(a), l.code(b));
                        if ca == cb && c > 0 && c + 1 < TABLE {
                            ca
                        } else {
                            MIXED
                        }
                    })
                    .collect();
                assert_eq!(l.codes, searched, "{} windows", sk.grid.windows.len());
            }
        }
    }

    #[test]
    fn a_value_count_by_table_equals_one_by_search() {
        let xs = draws(Poisson::new(3.0).unwrap(), 50_000, 8);
        let mut table = Distinct::default();
        assert!(table.add_all(&xs));
        let mut search = Distinct::default();
        for &x in &xs {
            assert!(search.add(x, 1));
        }
        assert_eq!(table, search);
        // Past MAX_DISTINCT values the count gives up.
        let many: Vec<f64> = (0..100).map(f64::from).collect();
        assert!(!Distinct::default().add_all(&many));
    }

    #[test]
    fn a_constant_column_comes_back_unchanged() {
        let xs = vec![0.07; 100_000];
        let mut sk = Sketch::new(Grid::from_pilot(&xs[..65_536], &LEVELS));
        sk.add_all(&xs);
        assert!(sk.quantiles(&LEVELS, 0.07, 0.07).iter().all(|&q| q == 0.07));
    }
}
