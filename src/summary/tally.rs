//! What a run accumulates while it streams: each block's draws are folded
//! into per-column accumulators while they are in cache, then dropped, so a
//! run's memory does not grow with its draws (apart from a few numbers per
//! block for the moments, and the pilot sample).
//!
//! Everything here merges exactly and in any order (integer counts,
//! extremes, per-block moments kept by block index and combined in block
//! order at the end), so one run, any number of threads and any split into
//! shards give the same bytes.
//!
//! Columns: indicator `i` in year `y` is column `y * indicators + i`; after
//! them, for each plan target with a required path, the growth needed and
//! the growth taken (see `summary::years`).

use super::histogram::{HistTally, Histogram};
use super::place;
use super::plan::{BAND_SHARE, FAN_LEVELS, nearest_draws};
use super::sketch::{Distinct, Grid, PILOT_BLOCKS, Sketch};
use super::{QUANTILE_LEVELS, stats};
use crate::engine::SetCounts;
use crate::engine::block::{BlockCounts, Workspace, plan_met};
use crate::model::years::YearModel;
use crate::sampling::BLOCK;
use crate::scenario::Scenario;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The quantile levels of a column: the reported ones, then (plans) the fan's.
pub fn levels(plan: bool) -> Vec<f64> {
    let mut l: Vec<f64> = QUANTILE_LEVELS.iter().map(|(_, p)| *p).collect();
    if plan {
        l.extend(FAN_LEVELS);
    }
    l
}

/// The pilot: the run's first blocks, kept whole. It lays out the sketches
/// and bands, gives exact results when it holds every draw, and feeds the
/// sensitivity analysis.
#[derive(Debug, Clone)]
pub struct Pilot {
    pub draws: usize,
    /// Every column (indicators by year, then required-path columns).
    pub columns: Vec<Vec<f64>>,
    /// Year-0 driver columns.
    pub drivers: Vec<Vec<f64>>,
    pub counts: BlockCounts,
    /// Each pilot block's own counts, in block order (a run folds the
    /// pilot's blocks from here rather than simulating them again).
    pub blocks: Vec<BlockCounts>,
}

/// A required path: plan target `target` (index into the model's plan) on
/// `indicator`, year `year` (> 0), with its level needed.
#[derive(Debug, Clone)]
pub struct PathSpec {
    pub target: usize,
    pub indicator: usize,
    pub year: usize,
    pub level_needed: f64,
    /// Columns of the growth needed and taken.
    pub need: usize,
    pub took: usize,
}

/// "Still reachable if next year's target is met": plan target `target`,
/// set `set`, conditioned on `indicator` in year 0 lying in `[lo, hi]`.
#[derive(Debug, Clone)]
pub struct ReachSpec {
    pub target: usize,
    pub set: usize,
    pub indicator: usize,
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

/// How a run's accumulators are laid out. A function of the scenario, the
/// seed and the draws alone (every shard computes the same one).
#[derive(Debug, Clone)]
pub struct Layout {
    pub draws: u64,
    pub seed: u64,
    pub plan: bool,
    pub n_columns: usize,
    /// First draw of each column, the shift of its sums.
    pub shifts: Vec<f64>,
    pub grids: Vec<Grid>,
    /// Whether each column gets a chart histogram, and its bins.
    pub hists: Vec<Option<HistTally>>,
    /// Whether each column's pilot took few enough values to count them.
    pub discrete: Vec<bool>,
    pub paths: Vec<PathSpec>,
    pub reach: Vec<ReachSpec>,
}

impl Layout {
    /// Whether the pilot holds every draw (exact quantiles, exact bands).
    pub fn exact(&self, pilot: &Pilot) -> bool {
        self.draws as usize <= pilot.draws
    }
}

/// Blocks in the pilot of a run of `draws` draws.
pub fn pilot_blocks(draws: u64) -> usize {
    (draws as usize).div_ceil(BLOCK).min(PILOT_BLOCKS)
}

/// A block's indicator columns, wherever they are: in the workspace that
/// just ran it, or in the pilot that kept it.
#[derive(Clone, Copy)]
pub(crate) enum BlockView<'a> {
    Ran(&'a Workspace),
    /// Pilot block `b`.
    Kept(&'a Pilot, usize),
}

impl BlockView<'_> {
    /// Indicator `i` in year `y`, `n` draws.
    #[inline]
    fn indicator(&self, model: &YearModel, y: usize, i: usize, n: usize) -> &[f64] {
        match self {
            BlockView::Ran(ws) => ws.indicator(model, y, i, n),
            BlockView::Kept(pilot, b) => {
                let at = b * BLOCK;
                &pilot.columns[y * model.n_indicators + i][at..at + n]
            }
        }
    }
}

/// The required paths and the reachability conditions of a model.
pub fn paths_and_reach(s: &Scenario, model: &YearModel) -> (Vec<PathSpec>, Vec<ReachSpec>) {
    let k = model.n_indicators;
    let base = k * model.n_years();
    let mut paths = Vec::new();
    let mut reach = Vec::new();
    let Some(h) = s.horizon.as_ref() else {
        return (paths, reach);
    };
    for (ti, t) in model.plan.iter().enumerate() {
        let level_needed = t.level_needed(t.year + 1);
        if t.year > 0 && level_needed.is_finite() {
            let c = base + 2 * paths.len();
            paths.push(PathSpec {
                target: ti,
                indicator: t.indicator,
                year: t.year,
                level_needed,
                need: c,
                took: c + 1,
            });
        }
        for (si, set) in h.target_sets.iter().enumerate() {
            if let Some(yt) = set
                .targets
                .iter()
                .find(|yt| yt.year == 0 && yt.target.indicator == t.condition_on)
            {
                reach.push(ReachSpec {
                    target: ti,
                    set: si,
                    indicator: t.condition_on,
                    value: yt.target.rule.reference_value(),
                    lo: f64::NAN,
                    hi: f64::NAN,
                });
            }
        }
    }
    (paths, reach)
}

/// Growth needed and taken in one draw, `None` when the first-year value is
/// not positive.
#[inline]
fn path_values(p: &PathSpec, x1: f64, xt: f64) -> Option<(f64, f64)> {
    (x1 > 0.0).then(|| {
        let m = p.year as f64;
        (
            (p.level_needed / x1).powf(1.0 / m) - 1.0,
            (xt / x1).powf(1.0 / m) - 1.0,
        )
    })
}

impl Pilot {
    /// Collect the pilot's columns from blocks run one after another.
    pub fn new(model: &YearModel, paths: &[PathSpec]) -> Pilot {
        let k = model.n_indicators;
        Pilot {
            draws: 0,
            columns: vec![Vec::new(); k * model.n_years() + 2 * paths.len()],
            drivers: vec![Vec::new(); model.n_drivers],
            counts: BlockCounts {
                sets: model
                    .target_sets
                    .iter()
                    .map(|s| SetCounts::zero(s.len()))
                    .collect(),
                plan: SetCounts::zero(model.plan.len()),
                // The pilot does not count contributions: the tally does.
                pipeline: Vec::new(),
            },
            blocks: Vec::new(),
        }
    }

    /// The required-path columns of one block just run: per path, the
    /// growth needed and taken of the draws whose first-year value is
    /// positive.
    pub(crate) fn path_columns(
        model: &YearModel,
        paths: &[PathSpec],
        ws: &Workspace,
        n: usize,
    ) -> Vec<[Vec<f64>; 2]> {
        paths
            .iter()
            .map(|p| {
                let x1 = ws.indicator(model, 0, p.indicator, n);
                let xt = ws.indicator(model, p.year, p.indicator, n);
                let (mut need, mut took) = (Vec::new(), Vec::new());
                for (&a, &b) in x1.iter().zip(xt) {
                    if let Some((u, v)) = path_values(p, a, b) {
                        need.push(u);
                        took.push(v);
                    }
                }
                [need, took]
            })
            .collect()
    }

    /// Add the next block, whose indicator and driver columns are already
    /// in place: its counts and its required-path columns.
    pub(crate) fn add_block(
        &mut self,
        paths: &[PathSpec],
        n: usize,
        counts: BlockCounts,
        path_columns: Vec<[Vec<f64>; 2]>,
    ) {
        for (p, [need, took]) in paths.iter().zip(path_columns) {
            self.columns[p.need].extend(need);
            self.columns[p.took].extend(took);
        }
        for (t, c) in self.counts.sets.iter_mut().zip(&counts.sets) {
            t.add(c);
        }
        self.counts.plan.add(&counts.plan);
        self.blocks.push(counts);
        self.draws += n;
    }
}

impl Layout {
    /// Lay out a run of `draws` draws from its pilot.
    pub fn new(s: &Scenario, model: &YearModel, draws: u64, pilot: &Pilot) -> Layout {
        let plan = s.horizon.is_some();
        let (paths, mut reach) = paths_and_reach(s, model);
        let k = model.n_indicators;
        let n_columns = pilot.columns.len();
        let targeted: Vec<bool> = (0..k)
            .map(|i| {
                s.target_sets
                    .iter()
                    .any(|set| set.targets.iter().any(|t| t.indicator == i))
            })
            .collect();
        // Each column laid out on its own (a sort of its pilot draws), in
        // parallel; collected in column order, so the same for any threads.
        let per_column: Vec<(f64, Grid, bool, Option<HistTally>)> = pilot
            .columns
            .par_iter()
            .enumerate()
            .map(|(c, col)| {
                let indicator_col = c < k * model.n_years();
                let lv = if indicator_col {
                    levels(plan)
                } else {
                    levels(false)
                };
                let shift = col.first().copied().unwrap_or(0.0);
                // The few order statistics the layout reads (the sketch
                // windows' ends, the histogram's range), selected rather
                // than sorted.
                let m = col.len();
                let hist_levels = [0.0, 0.01, 0.99, 1.0];
                let mut ranks = Grid::ranks(m, &lv);
                if m > 0 {
                    ranks.extend(
                        hist_levels
                            .iter()
                            .flat_map(|&p| stats::quantile_ranks(m, p)),
                    );
                }
                let values = stats::select_ranks(col, &ranks);
                let at = |r: usize| values[ranks.iter().position(|&x| x == r).expect("selected")];
                let grid = Grid::from_order_statistics(m, &lv, at);
                let discrete = Distinct::default().add_all(col);
                // Chart histograms: the one-year charts draw the targeted indicators.
                let hist = (!plan && indicator_col && targeted[c] && m > 0).then(|| {
                    let q = |p: f64| stats::quantile_from(m, p, at);
                    HistTally::new(q(0.0), q(1.0), q(0.01), q(0.99), draws)
                });
                (shift, grid, discrete, hist)
            })
            .collect();
        let mut grids = Vec::with_capacity(n_columns);
        let mut hists = Vec::with_capacity(n_columns);
        let mut shifts = Vec::with_capacity(n_columns);
        let mut discrete = Vec::with_capacity(n_columns);
        for (shift, grid, d, hist) in per_column {
            shifts.push(shift);
            grids.push(grid);
            discrete.push(d);
            hists.push(hist);
        }
        // The band of first-year values nearest to each target: the pilot's
        // nearest BAND_SHARE of draws.
        let band = ((BAND_SHARE * pilot.draws as f64).round() as usize).max(1);
        for r in &mut reach {
            let x = &pilot.columns[r.indicator];
            let near = nearest_draws(x, r.value, band);
            let (lo, hi) = near
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                    (lo.min(x[i]), hi.max(x[i]))
                });
            r.lo = lo;
            r.hi = hi;
        }
        Layout {
            draws,
            seed: 0,
            plan,
            n_columns,
            shifts,
            grids,
            hists,
            discrete,
            paths,
            reach,
        }
    }
}

/// One block's moments of one column: the shifted sums of its two halves of
/// 4,096 draws (the summation order of `stats::mean`), and the sum of
/// squared deviations from the block's own mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    pub n: u64,
    pub sums: [f64; 2],
    pub m2: f64,
}

impl Moments {
    /// The moments of one block's column, in separate passes (what
    /// `Tally::add_columns` computes in its fused passes).
    #[cfg(test)]
    fn of(col: &[f64], shift: f64) -> Moments {
        let mut sums = [0.0; 2];
        for (s, c) in sums.iter_mut().zip(col.chunks(BLOCK / 2)) {
            *s = c.iter().map(|x| x - shift).sum::<f64>();
        }
        let n = col.len();
        if n == 0 {
            return Moments {
                n: 0,
                sums,
                m2: 0.0,
            };
        }
        let mean = shift + (sums[0] + sums[1]) / n as f64;
        let m2 = col.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>();
        Moments {
            n: n as u64,
            sums,
            m2,
        }
    }
}

/// Columns whose second passes run side by side ([`Tally::add_columns`]).
const GROUP: usize = 4;

/// The second pass of `N` columns `cs` of one block: each column's sum of
/// squared deviations from its block mean (a chain in draw order from -0.0,
/// as `Iterator::sum` adds), and its draws counted into its sketch bins.
#[inline(always)]
fn second_pass<const N: usize>(
    columns: &mut [ColumnTally],
    cs: &[usize],
    cols: &[&[f64]],
    firsts: &[([f64; 2], f64)],
    places: &[([u32; BLOCK], [u8; BLOCK])],
) -> [f64; N] {
    let n = cols[..N]
        .iter()
        .map(|c| c.len())
        .min()
        .unwrap_or(0)
        .min(BLOCK);
    let xs: [&[f64]; N] = std::array::from_fn(|k| &cols[k][..n]);
    let bins: [&[u32]; N] = std::array::from_fn(|k| &places[k].0[..n]);
    let means: [f64; N] = std::array::from_fn(|k| firsts[k].1);
    let mut m2 = [-0.0f64; N];
    let cs: [usize; N] = std::array::from_fn(|k| cs[k]);
    let Ok(ts) = columns.get_disjoint_mut(cs) else {
        // Not a group (a column twice, or out of range): nothing to count into.
        return m2;
    };
    let counts: [&mut [u64]; N] = ts.map(|t| &mut t.sketch.counts[..]);
    for i in 0..n {
        for k in 0..N {
            let x = xs[k][i];
            m2[k] += (x - means[k]) * (x - means[k]);
            if let Some(c) = counts[k].get_mut(bins[k][i] as usize) {
                *c += 1;
            }
        }
    }
    m2
}

/// One column's order-free accumulators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnTally {
    #[serde(with = "extreme")]
    pub min: f64,
    #[serde(with = "extreme")]
    pub max: f64,
    pub sketch: Sketch,
    /// The values counted one by one, while there are few (see `sketch::Distinct`).
    pub distinct: Option<Distinct>,
    pub hist: Option<HistTally>,
}

/// Counts of "still reachable if met": draws in the band, and of them the
/// draws that meet the plan target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReachCount {
    pub band: u64,
    pub hits: u64,
}

/// Everything accumulated over some blocks of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub draws: u64,
    /// Per block index: each column's moments.
    pub blocks: BTreeMap<u64, Vec<Moments>>,
    pub columns: Vec<ColumnTally>,
    pub sets: Vec<SetCounts>,
    pub plan: SetCounts,
    pub reach: Vec<ReachCount>,
    /// Per required path: draws left out (first-year value not positive).
    pub excluded: Vec<u64>,
    /// The pipeline's contribution counts (see `model::pipeline`); empty without one.
    #[serde(default)]
    pub pipeline: Vec<u64>,
    /// Buffers for a block's required-path columns (not part of the state).
    #[serde(skip)]
    scratch: [Vec<f64>; 2],
    /// Each draw's sketch bin and chart bin, for one block's column at a
    /// time (not part of the state).
    #[serde(skip)]
    places: Places,
}

/// Per-draw scratch of `Tally::add_columns`: no part of a tally's value, so
/// any two are equal.
#[derive(Clone)]
struct Places(Box<[([u32; BLOCK], [u8; BLOCK]); GROUP]>);

impl Default for Places {
    fn default() -> Self {
        Places(Box::new([([0; BLOCK], [0; BLOCK]); GROUP]))
    }
}

impl PartialEq for Places {
    fn eq(&self, _: &Places) -> bool {
        true
    }
}

impl std::fmt::Debug for Places {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Places")
    }
}

impl Tally {
    pub fn new(layout: &Layout, model: &YearModel) -> Tally {
        Tally {
            draws: 0,
            blocks: BTreeMap::new(),
            columns: (0..layout.n_columns)
                .map(|c| ColumnTally {
                    min: f64::INFINITY,
                    max: f64::NEG_INFINITY,
                    sketch: Sketch::new(layout.grids[c].clone()),
                    distinct: layout.discrete[c].then(Distinct::default),
                    hist: layout.hists[c].clone(),
                })
                .collect(),
            sets: model
                .target_sets
                .iter()
                .map(|s| SetCounts::zero(s.len()))
                .collect(),
            plan: SetCounts::zero(model.plan.len()),
            reach: vec![ReachCount::default(); layout.reach.len()],
            excluded: vec![0; layout.paths.len()],
            pipeline: model
                .extras
                .as_ref()
                .and_then(|x| x.projects.as_ref())
                .map_or_else(Vec::new, |p| vec![0; p.n_counts()]),
            scratch: [Vec::new(), Vec::new()],
            places: Places::default(),
        }
    }

    /// Rebuild lookup tables after deserialising.
    pub fn index(&mut self) {
        for c in &mut self.columns {
            c.sketch.index();
        }
    }

    /// Fold one block's columns `cs` (ascending, at most [`GROUP`]) into
    /// their accumulators: the same sums, extremes and counts as
    /// [`Moments::of`], `Sketch::add_all`, `Distinct::add_all` and
    /// `HistTally::add_all` one after another, in two passes over each
    /// column's draws while they are in cache. The first (`place::first_pass`)
    /// finds the shifted sums, the extremes, and every draw's sketch bin and
    /// chart bin; the second, once each block mean is known, the squared
    /// deviations and the counting, for the group's columns at once. Each
    /// sum is a chain of additions in draw order (as `stats::mean` adds, so
    /// the results are the same to the bit); a chain waits an addition's
    /// latency per draw, so the group's chains run side by side.
    fn add_columns(
        &mut self,
        layout: &Layout,
        cs: &[usize],
        cols: &[&[f64]],
        moments: &mut Vec<Moments>,
    ) {
        debug_assert!(cs.len() <= GROUP && cs.len() == cols.len());
        let places = &mut *self.places.0;
        let mut firsts = [([0.0; 2], 0.0); GROUP];
        for (k, (&c, &col)) in cs.iter().zip(cols).enumerate() {
            debug_assert!(col.len() <= BLOCK);
            let col = &col[..col.len().min(BLOCK)];
            let t = &mut self.columns[c];
            // Every entry a pass reads was written by the first pass, so the
            // buffers are reused as they are rather than cleared.
            let (bins, chart) = &mut places[k];
            let binner = t.hist.as_ref().and_then(HistTally::binner);
            let (sums, (min, max)) = place::first_pass(
                col,
                layout.shifts[c],
                (t.min, t.max),
                &t.sketch,
                binner.as_ref(),
                bins,
                chart,
            );
            (t.min, t.max) = (min, max);
            let n = col.len();
            let mean = layout.shifts[c] + (sums[0] + sums[1]) / n as f64;
            firsts[k] = (sums, mean);
        }
        let m2 = match cs.len() {
            4 => second_pass::<4>(&mut self.columns, cs, cols, &firsts, places).to_vec(),
            3 => second_pass::<3>(&mut self.columns, cs, cols, &firsts, places).to_vec(),
            2 => second_pass::<2>(&mut self.columns, cs, cols, &firsts, places).to_vec(),
            _ => cs
                .iter()
                .zip(cols)
                .zip(&firsts)
                .zip(places.iter())
                .map(|(((&c, &col), f), p)| {
                    second_pass::<1>(
                        &mut self.columns,
                        &[c],
                        &[col],
                        &[*f],
                        std::slice::from_ref(p),
                    )[0]
                })
                .collect(),
        };
        for (k, (&c, &col)) in cs.iter().zip(cols).enumerate() {
            let n = col.len().min(BLOCK);
            let col = &col[..n];
            moments.push(Moments {
                n: n as u64,
                sums: firsts[k].0,
                m2: if n > 0 { m2[k] } else { 0.0 },
            });
            let t = &mut self.columns[c];
            if let Some(h) = &mut t.hist {
                match h.binner() {
                    Some(_) => h.add_indices(&places[k].1[..n]),
                    None => h.add_all(col),
                }
            }
            if let Some(d) = &mut t.distinct
                && !d.add_all(col)
            {
                t.distinct = None;
            }
        }
    }

    /// Fold block `b` of `n` draws.
    pub(crate) fn add_block(
        &mut self,
        layout: &Layout,
        model: &YearModel,
        ws: BlockView,
        b: usize,
        n: usize,
        counts: &BlockCounts,
    ) {
        let k = model.n_indicators;
        let mut moments = Vec::with_capacity(layout.n_columns);
        let indicators: Vec<usize> = (0..k * model.n_years()).collect();
        for cs in indicators.chunks(GROUP) {
            let cols: Vec<&[f64]> = cs
                .iter()
                .map(|&c| ws.indicator(model, c / k, c % k, n))
                .collect();
            self.add_columns(layout, cs, &cols, &mut moments);
        }
        for (pi, p) in layout.paths.iter().enumerate() {
            let x1 = ws.indicator(model, 0, p.indicator, n);
            let xt = ws.indicator(model, p.year, p.indicator, n);
            let [mut need, mut took] = std::mem::take(&mut self.scratch);
            need.clear();
            took.clear();
            for (&a, &bb) in x1.iter().zip(xt) {
                if let Some((u, v)) = path_values(p, a, bb) {
                    need.push(u);
                    took.push(v);
                }
            }
            self.excluded[pi] += (n - need.len()) as u64;
            self.add_columns(layout, &[p.need, p.took], &[&need, &took], &mut moments);
            self.scratch = [need, took];
        }
        for (r, count) in layout.reach.iter().zip(&mut self.reach) {
            let t = &model.plan[r.target];
            let x1 = ws.indicator(model, 0, r.indicator, n);
            let xt = ws.indicator(model, t.year, t.indicator, n);
            for (&a, &bb) in x1.iter().zip(xt) {
                if r.lo <= a && a <= r.hi {
                    count.band += 1;
                    count.hits += plan_met(t, bb) as u64;
                }
            }
        }
        for (t, c) in self.sets.iter_mut().zip(&counts.sets) {
            t.add(c);
        }
        self.plan.add(&counts.plan);
        add_counts(&mut self.pipeline, &counts.pipeline);
        self.draws += n as u64;
        self.blocks.insert(b as u64, moments);
    }

    /// Add another tally of other blocks of the same run.
    pub fn merge(&mut self, o: Tally) {
        self.draws += o.draws;
        self.blocks.extend(o.blocks);
        for (a, b) in self.columns.iter_mut().zip(&o.columns) {
            a.min = a.min.min(b.min);
            a.max = a.max.max(b.max);
            a.sketch.merge(&b.sketch);
            match (&mut a.distinct, &b.distinct) {
                (Some(d), Some(od)) => {
                    if !d.merge(od) {
                        a.distinct = None;
                    }
                }
                _ => a.distinct = None,
            }
            if let (Some(h), Some(oh)) = (&mut a.hist, &b.hist) {
                h.merge(oh);
            }
        }
        for (a, b) in self.sets.iter_mut().zip(&o.sets) {
            a.add(b);
        }
        self.plan.add(&o.plan);
        add_counts(&mut self.pipeline, &o.pipeline);
        for (a, b) in self.reach.iter_mut().zip(&o.reach) {
            a.band += b.band;
            a.hits += b.hits;
        }
        for (a, b) in self.excluded.iter_mut().zip(&o.excluded) {
            *a += b;
        }
    }

    /// Mean and sample sd of column `c`: from the pilot's draws when it
    /// holds them all (two passes, as `stats::mean` and `stats::sd`), else
    /// from the blocks' moments combined in block order (Chan et al.).
    pub fn mean_sd(&self, layout: &Layout, pilot: &Pilot, c: usize) -> (f64, f64) {
        if layout.exact(pilot) {
            let col = &pilot.columns[c];
            let mean = stats::mean(col);
            return (mean, stats::sd(col, mean));
        }
        let shift = layout.shifts[c];
        let mut total = 0.0;
        let (mut n, mut mean, mut m2) = (0u64, 0.0f64, 0.0f64);
        for m in self.blocks.values() {
            let b = m[c];
            total += b.sums[0];
            total += b.sums[1];
            if b.n == 0 {
                continue;
            }
            let bmean = shift + (b.sums[0] + b.sums[1]) / b.n as f64;
            if n == 0 {
                (n, mean, m2) = (b.n, bmean, b.m2);
            } else {
                let nn = n + b.n;
                let delta = bmean - mean;
                mean += delta * b.n as f64 / nn as f64;
                m2 += b.m2 + delta * delta * (n as f64) * (b.n as f64) / nn as f64;
                n = nn;
            }
        }
        if n == 0 {
            return (f64::NAN, f64::NAN);
        }
        let mean = shift + total / n as f64;
        let sd = if n < 2 {
            0.0
        } else {
            (m2 / (n - 1) as f64).sqrt()
        };
        (mean, sd)
    }

    /// Quantiles of column `c` at `levels`: exact type 7 when the pilot holds
    /// every draw, else from the sketch.
    pub fn quantiles(&self, layout: &Layout, pilot: &Pilot, c: usize, levels: &[f64]) -> Vec<f64> {
        if layout.exact(pilot) {
            stats::quantiles_in_place(&mut pilot.columns[c].clone(), levels)
        } else {
            let t = &self.columns[c];
            match &t.distinct {
                Some(d) => d.quantiles(levels),
                None => t.sketch.quantiles(levels, t.min, t.max),
            }
        }
    }

    /// The chart histogram of column `c` (empty when it has none).
    pub fn histogram(
        &self,
        layout: &Layout,
        pilot: &Pilot,
        c: usize,
        p01: f64,
        p99: f64,
    ) -> Histogram {
        let t = &self.columns[c];
        match &t.hist {
            None => Histogram::default(),
            Some(_) if layout.exact(pilot) => {
                Histogram::of_column(&pilot.columns[c], t.min, t.max, p01, p99)
            }
            Some(h) => h.clone().finish(t.distinct.as_ref()),
        }
    }
}

/// An extreme as JSON: a number, or `"inf"`/`"-inf"` for an empty column's.
mod extreme {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else if *x > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_str("-inf")
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum V {
            N(f64),
            S(String),
        }
        match V::deserialize(d)? {
            V::N(x) => Ok(x),
            V::S(s) if s == "inf" => Ok(f64::INFINITY),
            V::S(s) if s == "-inf" => Ok(f64::NEG_INFINITY),
            V::S(s) => Err(serde::de::Error::custom(format!(
                "expected a number, \"inf\" or \"-inf\", found {s:?}"
            ))),
        }
    }
}

/// Values beyond this (in absolute value) are refused at the end of a run:
/// their squares, and so their spread, would overflow.
pub const MAX_REPORTED: f64 = 1e150;

/// Refuse a run whose indicators reach values too large to summarise, or
/// whose statistics overflow, naming the indicator.
pub fn check_reportable(
    names: &[String],
    tally: &Tally,
    layout: &Layout,
    pilot: &Pilot,
) -> Result<(), crate::error::RunError> {
    for (c, name) in names.iter().enumerate() {
        let t = &tally.columns[c];
        let (mean, sd) = tally.mean_sd(layout, pilot, c);
        let checks = [
            ("largest value", t.max),
            ("smallest value", t.min),
            ("mean", mean),
            ("standard deviation", sd),
        ];
        for (what, value) in checks {
            if tally.columns[c].sketch.count() > 0 && (value.is_nan() || value.abs() > MAX_REPORTED)
            {
                return Err(crate::error::RunError::Overflow {
                    indicator: name.clone(),
                    what,
                    value,
                    limit: MAX_REPORTED,
                });
            }
        }
    }
    Ok(())
}

/// Add counts element by element (a block's pipeline counts into a tally's).
fn add_counts(to: &mut [u64], from: &[u64]) {
    for (a, b) in to.iter_mut().zip(from) {
        *a += b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed district's pilot and layout for a run of `draws` draws.
    fn seed_district(draws: u64) -> (YearModel, Pilot, Layout) {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district.toml");
        let s = crate::scenario::load(&path).expect("the seed district loads");
        let model = YearModel::of(&s);
        let opts = crate::RunOptions::new(draws, 20251126);
        let (pilot, layout) = crate::engine::pilot(&s, &model, &opts).expect("the pilot runs");
        (model, pilot, layout)
    }

    #[test]
    fn folding_a_block_in_two_passes_gives_what_the_separate_accumulators_give() {
        let (model, pilot, layout) = seed_district(1_000_000);
        let mut tally = Tally::new(&layout, &model);
        let mut separate = Tally::new(&layout, &model);
        // Every column of the pilot's blocks, then a made-up column with
        // the values that take the rare roads: NaN, infinities, values
        // beyond every window, a partial block.
        let odd: Vec<f64> = (0..3000)
            .map(|i| match i % 7 {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2 => f64::NEG_INFINITY,
                3 => -1e300,
                4 => 1e300,
                _ => pilot.columns[4][i] * (1.0 + (i % 3) as f64 * 1e-3),
            })
            .collect();
        // Groups as `add_block` makes them (every column of a block, four
        // at a time), and the made-up column alone and in a pair.
        let mut groups: Vec<Vec<(usize, &[f64])>> = Vec::new();
        let blocks = pilot.columns[0].len().div_ceil(BLOCK);
        for b in 0..blocks {
            let cols: Vec<(usize, &[f64])> = pilot
                .columns
                .iter()
                .enumerate()
                .map(|(c, col)| (c, &col[b * BLOCK..((b + 1) * BLOCK).min(col.len())]))
                .collect();
            groups.extend(cols.chunks(GROUP).map(|g| g.to_vec()));
        }
        groups.push(vec![(4, &odd[..])]);
        groups.push(vec![(5, &odd[..2000]), (15, &odd[1000..])]);
        for group in groups {
            let cs: Vec<usize> = group.iter().map(|g| g.0).collect();
            let cols: Vec<&[f64]> = group.iter().map(|g| g.1).collect();
            let mut fused = Vec::new();
            tally.add_columns(&layout, &cs, &cols, &mut fused);
            for (k, &(c, col)) in group.iter().enumerate() {
                let want = Moments::of(col, layout.shifts[c]);
                assert_eq!(format!("{:?}", fused[k]), format!("{want:?}"), "column {c}");
                let t = &mut separate.columns[c];
                for &x in col {
                    t.min = t.min.min(x);
                    t.max = t.max.max(x);
                }
                for &x in col {
                    let b = t.sketch.bin(x) as usize;
                    t.sketch.counts[b] += 1;
                }
                if let Some(h) = &mut t.hist {
                    h.add_each(col);
                }
                if let Some(d) = &mut t.distinct
                    && !col.iter().all(|&x| d.add(x, 1))
                {
                    t.distinct = None;
                }
                let (a, b) = (&tally.columns[c], &separate.columns[c]);
                assert_eq!(
                    (a.min.to_bits(), a.max.to_bits()),
                    (b.min.to_bits(), b.max.to_bits())
                );
                assert_eq!(a.sketch.counts, b.sketch.counts, "column {c}");
                assert_eq!(a.hist, b.hist, "column {c}");
                assert_eq!(a.distinct, b.distinct, "column {c}");
            }
        }
    }

    #[test]
    fn the_pilot_blocks_fold_as_the_blocks_they_were() {
        let (model, pilot, layout) = seed_district(100_000);
        let mut kept = Tally::new(&layout, &model);
        let mut ran = Tally::new(&layout, &model);
        let mut ws = crate::engine::block::Workspace::new(&model);
        for b in 0..pilot.blocks.len() {
            let counts =
                crate::engine::block::run(&model, 20251126, b, BLOCK, &mut ws).expect("runs");
            assert_eq!(counts, pilot.blocks[b]);
            ran.add_block(&layout, &model, BlockView::Ran(&ws), b, BLOCK, &counts);
            kept.add_block(
                &layout,
                &model,
                BlockView::Kept(&pilot, b),
                b,
                BLOCK,
                &pilot.blocks[b],
            );
        }
        assert_eq!(kept, ran);
        assert_eq!(kept.draws, pilot.draws as u64);
    }
}
