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
//!   bin each. Every bin keeps its count, its smallest and its largest draw.
//! - The type-7 quantile `x_j + (h - j)(x_{j+1} - x_j)` with `h = (n - 1) p`
//!   needs the order statistics `x_j` and `x_{j+1}`. Each is read from the
//!   bin that holds its rank: exactly when the bin holds one draw or one
//!   value (an atom of a discrete indicator), else by linear interpolation
//!   between the bin's smallest and largest draw by rank within the bin.
//! - Error bound: at most one sub-bin's width when the rank falls inside its
//!   window. A window spans about 12 pilot standard errors of the quantile,
//!   so a sub-bin is `12 sqrt(n / m) / 1024` Monte Carlo standard errors of a
//!   run of `n` draws wide: 0.046 at 1e6 draws, 0.15 at 1e7, 0.46 at 1e8.
//!   The rank falls outside its window only when the pilot's quantile is more
//!   than 6 of its standard errors off (about 2e-9 for a continuous
//!   indicator); the quantile is then interpolated across the stretch.

use serde::{Deserialize, Serialize};

/// Blocks in the pilot sample.
pub const PILOT_BLOCKS: usize = 8;
/// Sub-bins per window.
pub const FINE_BINS: usize = 1024;
/// Half-width of a window in pilot standard errors of the quantile.
pub const WINDOW_SE: f64 = 6.0;

/// One bin: how many draws it holds, and their extremes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub n: u64,
    pub min: f64,
    pub max: f64,
}

impl Cell {
    const EMPTY: Cell = Cell {
        n: 0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    };

    #[inline(always)]
    fn add(&mut self, x: f64) {
        self.n += 1;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    fn merge(&mut self, o: &Cell) {
        self.n += o.n;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }

    /// The `q`-th smallest draw of the bin (0-based), exact or interpolated.
    fn value(&self, q: u64) -> f64 {
        if self.n <= 1 || self.min == self.max {
            self.min
        } else {
            self.min + (self.max - self.min) * q as f64 / (self.n - 1) as f64
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
        let m = sorted.len();
        if m == 0 {
            return Grid {
                windows: Vec::new(),
            };
        }
        let mut w: Vec<(f64, f64)> = levels
            .iter()
            .map(|&p| {
                let r = (m - 1) as f64 * p;
                let k = (WINDOW_SE * (p * (1.0 - p) * m as f64).sqrt()).ceil() as usize + 2;
                let lo = (r.floor() as usize).saturating_sub(k);
                let hi = (r.ceil() as usize + k).min(m - 1);
                (sorted[lo], sorted[hi])
            })
            .collect();
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

/// Counts on a grid. Merging adds counts and takes extremes, which is
/// exact and order-free: any split of the draws gives the same sketch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    pub grid: Grid,
    /// Stretch `g` lies below window `g` (the last one above every window).
    pub gaps: Vec<Cell>,
    /// Window `w`'s sub-bins at `w * FINE_BINS ..`.
    pub fine: Vec<Cell>,
    #[serde(skip)]
    lows: Vec<f64>,
    #[serde(skip)]
    scales: Vec<f64>,
}

impl Sketch {
    pub fn new(grid: Grid) -> Sketch {
        let n = grid.windows.len();
        let mut s = Sketch {
            gaps: vec![Cell::EMPTY; n + 1],
            fine: vec![Cell::EMPTY; n * FINE_BINS],
            grid,
            lows: Vec::new(),
            scales: Vec::new(),
        };
        s.index();
        s
    }

    /// Rebuild the lookup tables (after deserialising).
    pub fn index(&mut self) {
        self.lows = self.grid.windows.iter().map(|w| w.0).collect();
        self.scales = self
            .grid
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
    }

    #[inline]
    pub fn add_all(&mut self, xs: &[f64]) {
        let lows = &self.lows[..];
        for &x in xs {
            // Windows whose low end is at most x.
            let w = lows.partition_point(|&lo| lo <= x);
            if w > 0 && x <= self.grid.windows[w - 1].1 {
                let k = (((x - lows[w - 1]) * self.scales[w - 1]) as usize).min(FINE_BINS - 1);
                self.fine[(w - 1) * FINE_BINS + k].add(x);
            } else {
                self.gaps[w].add(x);
            }
        }
    }

    pub fn merge(&mut self, o: &Sketch) {
        for (a, b) in self.gaps.iter_mut().zip(&o.gaps) {
            a.merge(b);
        }
        for (a, b) in self.fine.iter_mut().zip(&o.fine) {
            a.merge(b);
        }
    }

    pub fn count(&self) -> u64 {
        self.gaps.iter().chain(&self.fine).map(|c| c.n).sum()
    }

    /// The bins in ascending order of value.
    fn cells(&self) -> impl Iterator<Item = &Cell> {
        let n = self.grid.windows.len();
        (0..=n).flat_map(move |g| {
            let fine: &[Cell] = if g < n {
                &self.fine[g * FINE_BINS..(g + 1) * FINE_BINS]
            } else {
                &[]
            };
            std::iter::once(&self.gaps[g]).chain(fine.iter())
        })
    }

    /// Type-7 quantiles at `levels` (see the module's definitions).
    pub fn quantiles(&self, levels: &[f64]) -> Vec<f64> {
        let n = self.count();
        if n == 0 {
            return vec![f64::NAN; levels.len()];
        }
        let mut wanted: Vec<u64> = Vec::with_capacity(2 * levels.len());
        let positions: Vec<(u64, f64)> = levels
            .iter()
            .map(|&p| {
                let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
                let j = (h.floor() as u64).min(n - 1);
                (j, h - j as f64)
            })
            .collect();
        for &(j, _) in &positions {
            wanted.push(j);
            wanted.push((j + 1).min(n - 1));
        }
        wanted.sort_unstable();
        wanted.dedup();
        let mut values = Vec::with_capacity(wanted.len());
        let mut next = wanted.iter().peekable();
        let mut before = 0u64;
        for c in self.cells() {
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
        let at = |r: u64| values[wanted.partition_point(|&x| x < r)];
        positions
            .iter()
            .map(|&(j, frac)| {
                if frac > 0.0 && j + 1 < n {
                    let (a, b) = (at(j), at(j + 1));
                    a + frac * (b - a)
                } else {
                    at(j)
                }
            })
            .collect()
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
        let got = sk.quantiles(&LEVELS);
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
            assert!(e <= 0.1, "{name}: worst error {e:.3} standard errors");
        }
    }

    #[test]
    fn atoms_of_a_discrete_indicator_are_exact() {
        let xs = draws(Poisson::new(30.0).unwrap(), 300_000, 5);
        let m = 65_536;
        let mut pilot = xs[..m].to_vec();
        pilot.sort_by(f64::total_cmp);
        let mut sk = Sketch::new(Grid::from_pilot(&pilot, &LEVELS));
        sk.add_all(&xs);
        let exact = quantiles_in_place(&mut xs.clone(), &LEVELS);
        assert_eq!(sk.quantiles(&LEVELS), exact);
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
    fn a_constant_column_comes_back_unchanged() {
        let xs = vec![0.07; 100_000];
        let mut sk = Sketch::new(Grid::from_pilot(&xs[..65_536], &LEVELS));
        sk.add_all(&xs);
        assert!(sk.quantiles(&LEVELS).iter().all(|&q| q == 0.07));
    }
}
