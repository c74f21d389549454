//! Block-wise, columnar evaluation of a compiled model: one engine for
//! one-year runs and plans (a one-year scenario is a plan whose horizon is
//! one year, see [`YearModel::of`]).
//!
//! Draws are made and evaluated in blocks of [`BLOCK`] draws
//! ([`block::run`]). [`stream`] folds each block into the run's
//! accumulators while it is in cache and drops it; [`simulate`] keeps whole
//! columns for the analyses that need draws aligned across indicators
//! (calibration, comparison, sensitivity). Blocks run in parallel; each has
//! its own random stream (see [`crate::sampling`]), and everything that is
//! added up is either an integer or combined in block order, so the result
//! does not depend on the number of threads.

pub mod block;
pub mod memory;
pub mod precision;
pub(crate) mod projects;

use crate::error::RunError;
use crate::model::Model;
use crate::model::years::{YearModel, YearTargetPlan};
use crate::plan_view::Column;
use crate::sampling::BLOCK;
use crate::scenario::{Rule, Scenario};
use crate::summary::tally::{BlockView, Layout, Pilot, Tally, pilot_blocks};
use block::Workspace;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub use memory::{Need, available_memory_bytes, check as check_memory, need};

/// What to run. Plain data: the CLI fills it from its arguments.
#[derive(Clone, Copy)]
pub struct RunOptions<'a> {
    pub draws: u64,
    pub seed: u64,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// Also return the driver columns (for sensitivity analysis).
    pub keep_drivers: bool,
    /// Keep the pilot's first-year driver columns, which a one-year run's
    /// sensitivity analysis reads (`sensitivity::of_pilot`); without them
    /// the pilot is 40% smaller on the seed district, which a workshop turn
    /// (no sensitivity) feels.
    pub pilot_drivers: bool,
    /// Called after each block with the number of draws it finished.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    /// Only the `k`-th (1-based) of `n` contiguous ranges of blocks.
    pub shard: Option<(u64, u64)>,
}

impl RunOptions<'_> {
    pub fn new(draws: u64, seed: u64) -> Self {
        RunOptions {
            draws,
            seed,
            threads: None,
            keep_drivers: false,
            pilot_drivers: true,
            progress: None,
            shard: None,
        }
    }
}

/// How often each target, and each whole set, was met.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SetCounts {
    /// Per target, in the set's order.
    pub met: Vec<u64>,
    /// Draws in which every target of the set was met.
    pub joint: u64,
}

impl SetCounts {
    /// No draw counted yet, for a set of `targets` targets.
    pub fn zero(targets: usize) -> SetCounts {
        SetCounts {
            met: vec![0; targets],
            joint: 0,
        }
    }

    /// Add one block's counts.
    pub fn add(&mut self, block: &SetCounts) {
        self.joint += block.joint;
        for (t, m) in self.met.iter_mut().zip(&block.met) {
            *t += m;
        }
    }
}

/// Blocks of a run of `draws` draws.
pub fn n_blocks(draws: u64) -> u64 {
    draws.div_ceil(BLOCK as u64)
}

/// The blocks shard `k` of `n` (1-based) runs: the `k`-th of `n`
/// contiguous, nearly equal ranges.
pub fn shard_blocks(draws: u64, k: u64, n: u64) -> std::ops::Range<u64> {
    let b = n_blocks(draws) as u128;
    let (k, n) = (k as u128, n as u128);
    ((k - 1) * b / n) as u64..(k * b / n) as u64
}

/// Draws in block `b` of a run of `draws` draws.
fn block_len(draws: u64, b: u64) -> usize {
    draws.saturating_sub(b * BLOCK as u64).min(BLOCK as u64) as usize
}

/// What a streamed run leaves: the pilot, the layout of the accumulators,
/// and the accumulators of the blocks it ran.
#[derive(Debug, Clone)]
pub struct Streamed {
    pub pilot: Pilot,
    pub layout: Layout,
    pub tally: Tally,
}

/// The pilot of a run: its first blocks, kept whole, and the layout they give.
pub fn pilot(
    s: &Scenario,
    model: &YearModel,
    opts: &RunOptions,
) -> Result<(Pilot, Layout), RunError> {
    let pool = pool(opts.threads)?;
    pool.install(|| {
        let pilot = pilot_in_pool(s, model, opts, &Mutex::new(Vec::new()))?;
        let layout = layout_of(s, model, opts, &pilot);
        Ok((pilot, layout))
    })
}

/// The layout the pilot gives a run.
fn layout_of(s: &Scenario, model: &YearModel, opts: &RunOptions, pilot: &Pilot) -> Layout {
    let mut layout = Layout::new(s, model, opts.draws, pilot);
    layout.seed = opts.seed;
    layout
}

fn pilot_in_pool(
    s: &Scenario,
    model: &YearModel,
    opts: &RunOptions,
    spare: &Mutex<Vec<Workspace>>,
) -> Result<Pilot, RunError> {
    let (paths, _) = crate::summary::tally::paths_and_reach(s, model);
    let blocks = pilot_blocks(opts.draws) as u64;
    let draws: usize = (0..blocks).map(|b| block_len(opts.draws, b)).sum();
    let (k, kept) = (model.n_indicators, model.n_indicators * model.n_years());
    // Every year's indicators, then the first year's drivers, each block
    // written straight into its place (no copies as the columns grow).
    let drivers = if opts.pilot_drivers {
        model.n_drivers
    } else {
        0
    };
    let mut whole: Vec<Vec<f64>> = (0..kept + drivers).map(|_| vec![0.0; draws]).collect();
    let mut cols: Vec<&mut Vec<f64>> = whole.iter_mut().collect();
    let quiet = RunOptions {
        progress: None,
        ..*opts
    };
    let results = in_blocks(
        &mut cols,
        draws,
        &quiet,
        spare,
        || Workspace::new(model),
        |ws, b, n, outs| {
            let counts = block::run(model, opts.seed, b, n, ws)?;
            for (c, out) in outs.iter_mut().enumerate() {
                out.copy_from_slice(if c < kept {
                    ws.indicator(model, c / k, c % k, n)
                } else {
                    ws.driver(model, 0, c - kept, n)
                });
            }
            Ok::<_, RunError>((n, counts, Pilot::path_columns(model, &paths, ws, n)))
        },
    );
    let mut pilot = Pilot::new(model, &paths);
    let drivers = whole.split_off(kept);
    for (c, col) in whole.into_iter().enumerate() {
        pilot.columns[c] = col;
    }
    pilot.drivers = drivers;
    // The first failing block in block order, so the message is deterministic.
    for result in results {
        let (n, counts, path_columns) = result?;
        pilot.add_block(&paths, n, counts, path_columns);
    }
    Ok(pilot)
}

/// What a streamed run needs, in bytes: a fixed part (per-thread block
/// buffers, the accumulators, the pilot and its sorted copies) and a part
/// per draw (each block's moments, kept until the end).
pub fn stream_memory(model: &YearModel, threads: usize) -> (u64, f64) {
    use crate::summary::sketch::{FINE_BINS, PILOT_BLOCKS};
    let years = model.n_years() as u64;
    let (k, d) = (model.n_indicators as u64, model.n_drivers as u64);
    let columns = k * years + 2 * model.plan.len() as u64;
    // Windows: one per distinct level (the fan's levels repeat some of the
    // reported ones).
    let mut levels = crate::summary::tally::levels(years > 1);
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    let levels = levels.len() as u64;
    let block = BLOCK as u64 * 8;
    let pilot_draws = (PILOT_BLOCKS * BLOCK) as u64;
    // Per thread: every year's block columns and the copula's scores.
    let workspace = (model.width() as u64 * years + model.copula.n() as u64 + d + 3) * block;
    // Per accumulator: every column's sketch and its lookup table.
    let sketch = columns * (levels * (FINE_BINS as u64 + 1) * 8 + 4096 * 2);
    // The pilot's columns (sensitivity reads its first year and drivers),
    // and, for a one-year run, the sensitivity's ranks of those.
    // A plan's sensitivity simulates its first draws again, keeping each
    // targeted column and every driver in every year (at most), and ranks
    // them all.
    let ranks = if years == 1 {
        pilot_draws * (k + d) * 8
    } else {
        let targeted = model.target_sets.iter().map(Vec::len).sum::<usize>() + model.plan.len();
        2 * pilot_draws * (targeted as u64 + d * years) * 8
    };
    let pilot = pilot_draws * (columns + d) * 8 + ranks;
    // The program, its font and the charts' buffers (measured: 26 MiB).
    let base = 26 << 20;
    let threads = threads.max(1) as u64;
    // One accumulator a thread (the first takes in the others), and each
    // thread's project pipeline buffers.
    let workspace = workspace + projects::work_bytes(model);
    let fixed = base + threads * workspace + threads * sketch + pilot;
    // Per block: 32 bytes per column, plus the map's node.
    let per_draw = (columns * 32 + 96) as f64 / BLOCK as f64;
    (fixed, per_draw)
}

/// Refuse a streamed run that would not fit, saying how many draws would
/// (before anything is allocated or written).
pub fn check_stream(model: &YearModel, opts: &RunOptions) -> Result<(), RunError> {
    let threads = opts
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    check_stream_memory(model, opts.draws, threads)
}

fn check_stream_memory(model: &YearModel, draws: u64, threads: usize) -> Result<(), RunError> {
    let (fixed, per_draw) = stream_memory(model, threads);
    let need = fixed.saturating_add((draws as f64 * per_draw) as u64);
    let columns = model.n_indicators * model.n_years();
    memory::check_bytes(need, "the run").map_err(|short| RunError::TooMuchMemory {
        draws,
        columns,
        need_mib: need >> 20,
        available_mib: short.limit.bytes >> 20,
        max_draws: (short.limit.bytes.saturating_sub(fixed) as f64 / per_draw) as u64,
    })
}

/// Run the blocks of `opts` (all, or the shard's) and fold them into the
/// run's accumulators.
pub fn stream(s: &Scenario, model: &YearModel, opts: &RunOptions) -> Result<Streamed, RunError> {
    stream_beside(s, model, opts, |_| ()).map(|(run, ())| run)
}

/// [`stream`], also running `beside` on the pilot while the blocks run:
/// work that needs only the pilot (a one-year run's sensitivity analysis)
/// then fills the workers' time instead of following the run on its own.
/// The first worker to start runs it, then joins the others on the blocks,
/// which are handed out one at a time, so the workers still finish
/// together. Its result depends on the pilot alone, not on where it ran.
pub fn stream_beside<R: Send>(
    s: &Scenario,
    model: &YearModel,
    opts: &RunOptions,
    beside: impl Fn(&Pilot) -> R + Sync,
) -> Result<(Streamed, R), RunError> {
    stream_extended(s, model, opts, |_| Vec::new(), beside)
}

/// [`stream_beside`], with target sets made from the pilot: `more` reads
/// the pilot and returns sets to append to the model's (the recommended
/// targets' rounded candidates, `briefing::probe`). They are counted on
/// the pilot's kept columns, then in every later block like any set, so
/// their counts are exact over all draws; the pilot is not simulated twice.
pub fn stream_extended<R: Send>(
    s: &Scenario,
    model: &YearModel,
    opts: &RunOptions,
    more: impl FnOnce(&Pilot) -> Vec<Vec<YearTargetPlan>> + Send,
    beside: impl Fn(&Pilot) -> R + Sync,
) -> Result<(Streamed, R), RunError> {
    let pool = pool(opts.threads)?;
    check_stream_memory(model, opts.draws, pool.current_num_threads())?;
    pool.install(|| {
        // The pilot's workspaces, for the streaming phase to reuse (the
        // probes' hidden set changes no workspace's shape).
        let spare = Mutex::new(Vec::new());
        let mut pilot = pilot_in_pool(s, model, opts, &spare)?;
        // The layout and the added sets each read only the pilot: made
        // side by side, their parallel parts share the workers (a workshop
        // turn waits for both between the pilot and the rest of the run).
        let (layout, sets) = rayon::join(|| layout_of(s, model, opts, &pilot), || more(&pilot));
        let extended;
        let model = if sets.is_empty() {
            model
        } else {
            let mut m = model.clone();
            m.joint_sets = m.target_sets.len();
            for set in sets {
                count_on_pilot(&m, &mut pilot, opts.draws, &set);
                m.target_sets.push(set);
            }
            extended = m;
            &extended
        };
        let taken = AtomicBool::new(false);
        let beside_result = std::sync::Mutex::new(None);
        let run_beside = || {
            if !taken.swap(true, Ordering::Relaxed) {
                let r = beside(&pilot);
                *beside_result.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
            }
        };
        let blocks = match opts.shard {
            Some((k, n)) => shard_blocks(opts.draws, k, n),
            None => 0..n_blocks(opts.draws),
        };
        let blocks = blocks.start as usize..blocks.end as usize;
        // One accumulator per worker (each holds every column's sketch).
        // The workers take the next block from a shared counter, so none
        // waits while another has blocks left, however busy the machine.
        // Accumulators merge exactly in any order, so which worker ran
        // which block does not matter.
        let next = AtomicUsize::new(blocks.start);
        let stop = AtomicBool::new(false);
        let parts: Vec<(Tally, Option<(usize, RunError)>)> = rayon::broadcast(|_| {
            run_beside();
            let mut tally = Tally::new(&layout, model);
            let mut ws: Option<Workspace> = None;
            let mut failed: Option<(usize, RunError)> = None;
            // After a failure no new block is taken: every block before it
            // was already taken and finishes, so the first failing block in
            // block order is always found and the message is deterministic.
            while !stop.load(Ordering::Relaxed) {
                let b = next.fetch_add(1, Ordering::Relaxed);
                if b >= blocks.end {
                    break;
                }
                let n = block_len(opts.draws, b as u64);
                if let Some(counts) = pilot.blocks.get(b) {
                    // The pilot's blocks are kept whole: fold them from there.
                    tally.add_block(&layout, model, BlockView::Kept(&pilot, b), b, n, counts);
                } else {
                    let ws = ws.get_or_insert_with(|| {
                        lock(&spare).pop().unwrap_or_else(|| Workspace::new(model))
                    });
                    match block::run(model, opts.seed, b, n, ws) {
                        Ok(counts) => {
                            tally.add_block(&layout, model, BlockView::Ran(ws), b, n, &counts)
                        }
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            if failed.as_ref().is_none_or(|(fb, _)| b < *fb) {
                                failed = Some((b, e));
                            }
                        }
                    }
                }
                if let Some(progress) = opts.progress {
                    progress(n as u64);
                }
            }
            (tally, failed)
        });
        let mut parts = parts.into_iter();
        let (mut tally, mut failed) = parts
            .next()
            .unwrap_or_else(|| (Tally::new(&layout, model), None));
        for (t, f) in parts {
            tally.merge(t);
            if let Some((b, e)) = f
                && failed.as_ref().is_none_or(|(fb, _)| b < *fb)
            {
                failed = Some((b, e));
            }
        }
        if let Some((_, e)) = failed {
            return Err(e);
        }
        // Every worker starts by offering to run it, so it has run (else
        // it runs here).
        let beside = beside_result
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or_else(|| beside(&pilot));
        let run = Streamed {
            pilot,
            layout,
            tally,
        };
        // A shard's values are checked when the shards are merged.
        if opts.shard.is_none() {
            check_reportable(model, &run)?;
        }
        Ok((run, beside))
    })
}

/// Count an added target set on the pilot's kept columns, block by block,
/// as `block::run` counts it (target by target, no joint: see
/// `YearModel::joint_sets`), adding its counts to the pilot's.
fn count_on_pilot(model: &YearModel, pilot: &mut Pilot, draws: u64, set: &[YearTargetPlan]) {
    let k = model.n_indicators;
    let columns = &pilot.columns;
    // Blocks in parallel (a workshop turn waits for this between the pilot
    // and the rest of the run); integer counts, so any order gives the same.
    let per_block: Vec<SetCounts> = (0..pilot.blocks.len())
        .into_par_iter()
        .map(|b| {
            let (start, n) = (b * BLOCK, block_len(draws, b as u64));
            let met = set
                .iter()
                .map(|t| {
                    let col = &columns[t.year * k + t.target.indicator][start..start + n];
                    count_only(t.target.rule, col)
                })
                .collect();
            SetCounts { met, joint: 0 }
        })
        .collect();
    let mut total = SetCounts::zero(set.len());
    for (counts, block) in pilot.blocks.iter_mut().zip(per_block) {
        total.add(&block);
        counts.sets.push(block);
    }
    pilot.counts.sets.push(total);
}

/// Refuse a run whose indicators are too large to summarise (their spread
/// would overflow), naming the indicator and its year.
pub fn check_reportable(model: &YearModel, run: &Streamed) -> Result<(), RunError> {
    let k = model.n_indicators;
    let names: Vec<String> = (0..k * model.n_years())
        .map(|c| {
            let name = &model.slot_names[model.n_drivers + c % k];
            if model.n_years() == 1 {
                name.clone()
            } else {
                format!("{name} ({})", model.years[c / k])
            }
        })
        .collect();
    crate::summary::tally::check_reportable(&names, &run.tally, &run.layout, &run.pilot)
}

/// The simulated columns of a one-year run, aligned by draw.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub draws: usize,
    /// The seed the streams were derived from.
    pub seed: u64,
    /// One column per indicator, in declaration order, each `draws` long.
    pub indicators: Vec<Vec<f64>>,
    /// One column per driver when asked for, else empty.
    pub drivers: Vec<Vec<f64>>,
    /// One entry per target set, in declaration order.
    pub counts: Vec<SetCounts>,
}

/// Run a one-year model keeping whole columns (for the analyses that need
/// draws aligned across indicators). Same engine, same draws as [`stream`].
pub fn simulate(model: &Model, opts: &RunOptions) -> Result<Simulation, RunError> {
    let model = YearModel::one_year(model.clone());
    let wanted: Vec<Column> = (0..model.n_indicators)
        .map(|indicator| Column::Value { indicator, year: 0 })
        .collect();
    keep_columns(&model, &wanted, opts)
}

/// The columns of a scenario's [`crate::plan_view`], aligned by draw: for
/// a one-year scenario its indicators ([`simulate`]); for a plan every
/// indicator in every year, then what each plan target measures, with the
/// view's target sets counted (every year's targets, then the plan's).
pub fn columns(s: &Scenario, opts: &RunOptions) -> Result<Simulation, RunError> {
    if s.horizon.is_none() {
        return simulate(&Model::compile(s), opts);
    }
    let view = crate::plan_view::view(s);
    keep_columns(&YearModel::of(s), &view.columns, opts)
}

/// Run `model` keeping the `wanted` columns (and, when asked, the first
/// year's drivers) whole; counts each target set, then the plan targets as
/// one more set when the model has any.
pub(crate) fn keep_columns(
    model: &YearModel,
    wanted: &[Column],
    opts: &RunOptions,
) -> Result<Simulation, RunError> {
    let n_cols = wanted.len();
    let columns = n_cols
        + if opts.keep_drivers {
            model.n_drivers
        } else {
            0
        };
    memory::check(opts.draws, columns)?;
    let draws = usize::try_from(opts.draws).map_err(|_| RunError::TooMuchMemory {
        draws: opts.draws,
        columns,
        need_mib: u64::MAX,
        available_mib: 0,
        max_draws: usize::MAX as u64,
    })?;
    let pool = pool(opts.threads)?;
    pool.install(|| {
        let mut indicators: Vec<Vec<f64>> = (0..n_cols).map(|_| vec![0.0; draws]).collect();
        let mut drivers: Vec<Vec<f64>> = if opts.keep_drivers {
            (0..model.n_drivers).map(|_| vec![0.0; draws]).collect()
        } else {
            Vec::new()
        };
        let mut cols: Vec<&mut Vec<f64>> =
            indicators.iter_mut().chain(drivers.iter_mut()).collect();
        let results = in_blocks(
            &mut cols,
            draws,
            opts,
            &Mutex::new(Vec::new()),
            || Workspace::new(model),
            |ws, b, n, outs| {
                let counts = block::run(model, opts.seed, b, n, ws)?;
                for (c, out) in outs.iter_mut().enumerate() {
                    match wanted.get(c) {
                        Some(Column::Value { indicator, year }) => {
                            out.copy_from_slice(ws.indicator(model, *year, *indicator, n))
                        }
                        Some(Column::Plan { target }) => {
                            let t = &model.plan[*target];
                            let x = ws.indicator(model, t.year, t.indicator, n);
                            for (o, &v) in out.iter_mut().zip(x) {
                                *o = t.measure_of(v, t.year + 1);
                            }
                        }
                        Some(Column::Driver { driver, year }) => {
                            out.copy_from_slice(ws.driver(model, *year, *driver, n))
                        }
                        None => out.copy_from_slice(ws.driver(model, 0, c - n_cols, n)),
                    }
                }
                let mut sets = counts.sets;
                if !model.plan.is_empty() {
                    sets.push(counts.plan);
                }
                Ok::<_, RunError>(sets)
            },
        );
        let mut counts: Vec<SetCounts> = model
            .target_sets
            .iter()
            .map(|set| SetCounts::zero(set.len()))
            .chain((!model.plan.is_empty()).then(|| SetCounts::zero(model.plan.len())))
            .collect();
        // The first failing block in block order, so the message is deterministic.
        for block in results {
            for (total, c) in counts.iter_mut().zip(&block?) {
                total.add(c);
            }
        }
        Ok(Simulation {
            draws,
            seed: opts.seed,
            indicators,
            drivers,
            counts,
        })
    })
}

/// The worker pool for a run: `threads` workers, or one per core.
pub(crate) fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, RunError> {
    let threads = threads.unwrap_or(0);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Threads {
            threads,
            message: e.to_string(),
        })
}

/// Run `block` over every block of draws in parallel and return its results
/// in block order. Each call gets the block's index, its number of draws and
/// its slice of every output column (the columns are cut into per-block
/// slices, so threads share no mutable state), plus a workspace. Reports
/// progress after each block.
///
/// One workspace per worker, taken from `spare` (or made by `init`) and put
/// back there at the end, so a later phase of the same run can reuse it:
/// a workspace is megabytes of columns, and making one per block (as a
/// split parallel iterator's `map_init` would) was a tenth of a workshop
/// turn in page faults and zeroing. Workers take the next block from a
/// shared counter, as the streaming phase does.
pub(crate) fn in_blocks<W: Send, R: Send>(
    columns: &mut [&mut Vec<f64>],
    draws: usize,
    opts: &RunOptions,
    spare: &Mutex<Vec<W>>,
    init: impl Fn() -> W + Sync,
    block: impl Fn(&mut W, usize, usize, &mut [&mut [f64]]) -> R + Sync,
) -> Vec<R> {
    let n_blocks = draws.div_ceil(BLOCK);
    let mut per_block: Vec<Vec<&mut [f64]>> = (0..n_blocks).map(|_| Vec::new()).collect();
    for col in columns.iter_mut() {
        for (b, chunk) in col.chunks_mut(BLOCK).enumerate() {
            per_block[b].push(chunk);
        }
    }
    let per_block: Vec<Mutex<Vec<&mut [f64]>>> = per_block.into_iter().map(Mutex::new).collect();
    let next = AtomicUsize::new(0);
    let parts: Vec<Vec<(usize, R)>> = rayon::broadcast(|_| {
        let mut done = Vec::new();
        let mut ws: Option<W> = None;
        loop {
            let b = next.fetch_add(1, Ordering::Relaxed);
            if b >= n_blocks {
                break;
            }
            let ws = ws.get_or_insert_with(|| lock(spare).pop().unwrap_or_else(&init));
            let mut outs = std::mem::take(&mut *lock(&per_block[b]));
            let n = draws.saturating_sub(b * BLOCK).min(BLOCK);
            done.push((b, block(ws, b, n, &mut outs)));
            if let Some(progress) = opts.progress {
                progress(n as u64);
            }
        }
        if let Some(ws) = ws {
            lock(spare).push(ws);
        }
        done
    });
    let mut all: Vec<(usize, R)> = parts.into_iter().flatten().collect();
    all.sort_unstable_by_key(|&(b, _)| b);
    all.into_iter().map(|(_, r)| r).collect()
}

/// A mutex's contents even if a worker panicked holding it (the panic is
/// propagated by the pool anyway; the data is plain buffers).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Draws in `col` meeting `rule` (as [`count_met`], without a joint).
pub fn count_only(rule: Rule, col: &[f64]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::avx512() {
        // SAFETY: the CPU has AVX-512 (checked just above): eight draws to
        // a register, where a workshop turn counts every recommended
        // target's candidates in every block.
        return unsafe { count_only_avx512(rule, col) };
    }
    count_only_any(rule, col)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn count_only_avx512(rule: Rule, col: &[f64]) -> u64 {
    count_only_any(rule, col)
}

#[inline(always)]
fn count_only_any(rule: Rule, col: &[f64]) -> u64 {
    #[inline(always)]
    fn count(col: &[f64], met: impl Fn(f64) -> bool) -> u64 {
        col.iter().map(|&x| met(x) as u64).sum()
    }
    match rule {
        Rule::AtLeast { threshold } => count(col, |x| x >= threshold),
        Rule::AtMost { threshold } => count(col, |x| x <= threshold),
        Rule::About { value, tolerance } => count(col, |x| (x - value).abs() <= tolerance),
        Rule::Range { low, high } => count(col, |x| low <= x && x <= high),
    }
}

/// Count the draws meeting `rule` and clear `joint` where it is missed.
/// Matching on the rule once, outside the loop, lets each loop vectorise.
pub fn count_met(rule: Rule, col: &[f64], joint: &mut [bool]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::avx512() {
        // SAFETY: the CPU has AVX-512 (checked just above): eight draws to
        // a register, where a workshop turn counts every recommended
        // target's candidates in every block.
        return unsafe { count_met_avx512(rule, col, joint) };
    }
    count_met_any(rule, col, joint)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn count_met_avx512(rule: Rule, col: &[f64], joint: &mut [bool]) -> u64 {
    count_met_any(rule, col, joint)
}

#[inline(always)]
fn count_met_any(rule: Rule, col: &[f64], joint: &mut [bool]) -> u64 {
    #[inline(always)]
    fn count(col: &[f64], joint: &mut [bool], met: impl Fn(f64) -> bool) -> u64 {
        let mut m = 0u64;
        for (j, &x) in joint.iter_mut().zip(col) {
            let ok = met(x);
            m += ok as u64;
            *j &= ok;
        }
        m
    }
    match rule {
        Rule::AtLeast { threshold } => count(col, joint, |x| x >= threshold),
        Rule::AtMost { threshold } => count(col, joint, |x| x <= threshold),
        Rule::About { value, tolerance } => count(col, joint, |x| (x - value).abs() <= tolerance),
        Rule::Range { low, high } => count(col, joint, |x| low <= x && x <= high),
    }
}
