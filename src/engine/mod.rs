//! Block-wise, columnar evaluation of a compiled model.
//!
//! Draws are made and evaluated in blocks of [`BLOCK`] draws. Each block
//! fills one column per driver, runs every indicator's program over whole
//! columns, copies the indicator columns into the result, and counts which
//! targets are met. Blocks run in parallel; each has its own random stream
//! (see [`crate::sampling`]), and the per-block counts are integers, so the
//! result does not depend on the number of threads.

mod memory;
pub mod years;

use crate::error::RunError;
use crate::model::expr::Scratch;
use crate::model::{Model, Source};
use crate::sampling::{BLOCK, block_rng};
use crate::scenario::Rule;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Open01, StandardNormal};
use rayon::prelude::*;

pub use memory::{available_memory_bytes, check as check_memory};
pub use years::{YearSimulation, simulate_years};

/// What to run. Plain data: the CLI fills it from its arguments.
#[derive(Clone, Copy)]
pub struct RunOptions<'a> {
    pub draws: u64,
    pub seed: u64,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// Also return the driver columns (for sensitivity analysis).
    pub keep_drivers: bool,
    /// Called after each block with the number of draws it finished.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
}

impl RunOptions<'_> {
    pub fn new(draws: u64, seed: u64) -> Self {
        RunOptions {
            draws,
            seed,
            threads: None,
            keep_drivers: false,
            progress: None,
        }
    }
}

/// How often each target, and each whole set, was met.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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

/// The simulated columns.
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

/// Run the model.
pub fn simulate(model: &Model, opts: &RunOptions) -> Result<Simulation, RunError> {
    let columns = model.n_indicators
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
    pool.install(|| simulate_in_pool(model, opts, draws))
}

fn simulate_in_pool(
    model: &Model,
    opts: &RunOptions,
    draws: usize,
) -> Result<Simulation, RunError> {
    let mut indicators: Vec<Vec<f64>> = (0..model.n_indicators).map(|_| vec![0.0; draws]).collect();
    let mut drivers: Vec<Vec<f64>> = if opts.keep_drivers {
        (0..model.n_drivers).map(|_| vec![0.0; draws]).collect()
    } else {
        Vec::new()
    };
    let mut columns: Vec<&mut Vec<f64>> = indicators.iter_mut().chain(drivers.iter_mut()).collect();
    let results = in_blocks(
        &mut columns,
        draws,
        opts,
        || Workspace::new(model),
        |ws, b, n, outs| run_block(model, opts.seed, b, n, ws, outs),
    );
    let mut counts: Vec<SetCounts> = model
        .target_sets
        .iter()
        .map(|set| SetCounts::zero(set.len()))
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
/// slices, so threads share no mutable state), plus a per-thread workspace
/// from `init`. Reports progress after each block.
pub(crate) fn in_blocks<W, R: Send>(
    columns: &mut [&mut Vec<f64>],
    draws: usize,
    opts: &RunOptions,
    init: impl Fn() -> W + Sync + Send,
    block: impl Fn(&mut W, usize, usize, &mut [&mut [f64]]) -> R + Sync + Send,
) -> Vec<R> {
    let n_blocks = draws.div_ceil(BLOCK);
    let mut per_block: Vec<Vec<&mut [f64]>> = (0..n_blocks).map(|_| Vec::new()).collect();
    for col in columns.iter_mut() {
        for (b, chunk) in col.chunks_mut(BLOCK).enumerate() {
            per_block[b].push(chunk);
        }
    }
    per_block
        .into_par_iter()
        .enumerate()
        .map_init(init, |ws, (b, mut outs)| {
            let n = draws.saturating_sub(b * BLOCK).min(BLOCK);
            let result = block(ws, b, n, &mut outs);
            if let Some(progress) = opts.progress {
                progress(n as u64);
            }
            result
        })
        .collect()
}

/// Per-thread buffers, reused across blocks so the hot loop never allocates
/// after warm-up.
struct Workspace {
    /// Drivers then indicators, BLOCK each.
    cols: Vec<Vec<f64>>,
    /// Copula normal scores, BLOCK each.
    scores: Vec<Vec<f64>>,
    tmp: Vec<f64>,
    joint: Vec<bool>,
    scratch: Scratch,
}

impl Workspace {
    fn new(model: &Model) -> Self {
        Workspace {
            cols: (0..model.n_drivers + model.n_indicators)
                .map(|_| vec![0.0; BLOCK])
                .collect(),
            scores: (0..model.n_copula()).map(|_| vec![0.0; BLOCK]).collect(),
            tmp: vec![0.0; BLOCK],
            joint: vec![true; BLOCK],
            scratch: Scratch::default(),
        }
    }
}

fn fill_normal(rng: &mut ChaCha8Rng, out: &mut [f64]) {
    for x in out {
        *x = rng.sample(StandardNormal);
    }
}

fn fill_uniform(rng: &mut ChaCha8Rng, out: &mut [f64]) {
    for x in out {
        *x = rng.sample(Open01);
    }
}

/// One block: drivers, indicators, copy-out, target counts.
fn run_block(
    model: &Model,
    seed: u64,
    b: usize,
    n: usize,
    ws: &mut Workspace,
    outs: &mut [&mut [f64]],
) -> Result<Vec<SetCounts>, RunError> {
    let mut rng = block_rng(seed, b as u64);
    let d = model.n_drivers;
    // The order in which the stream is consumed is part of the contract:
    // first the copula's scores, driver by driver, then each independent
    // driver in declaration order.
    for z in &mut ws.scores {
        fill_normal(&mut rng, &mut z[..n]);
    }
    // Cannot fail: the workspace holds one full-length column per copula driver.
    let _ = model.copula.correlate_columns(&mut ws.scores);
    for (i, plan) in model.drivers.iter().enumerate() {
        let col = &mut ws.cols[i][..n];
        match plan.source {
            Source::Copula(pos) => plan.marginal.fill_from_scores(&ws.scores[pos][..n], col),
            Source::Score => {
                fill_normal(&mut rng, &mut ws.tmp[..n]);
                plan.marginal.fill_from_scores(&ws.tmp[..n], col);
            }
            Source::Uniform => {
                fill_uniform(&mut rng, &mut ws.tmp[..n]);
                plan.marginal.fill_from_uniforms(&ws.tmp[..n], col);
            }
            Source::Constant(v) => col.fill(v),
        }
    }
    for plan in &model.indicators {
        let mut out = std::mem::take(&mut ws.cols[plan.slot]);
        {
            let views: Vec<&[f64]> = ws.cols.iter().map(|c| c.as_slice()).collect();
            plan.program.eval(&views, &mut out[..n], &mut ws.scratch);
        }
        let bad = out[..n].iter().position(|x| !x.is_finite());
        ws.cols[plan.slot] = out;
        if let Some(i) = bad {
            return Err(non_finite(model, plan.slot, b * BLOCK + i, i, &ws.cols));
        }
    }
    for (k, out) in outs.iter_mut().enumerate() {
        let slot = if k < model.n_indicators {
            d + k
        } else {
            k - model.n_indicators
        };
        out.copy_from_slice(&ws.cols[slot][..n]);
    }
    let mut counts = Vec::with_capacity(model.target_sets.len());
    for set in &model.target_sets {
        let joint = &mut ws.joint[..n];
        joint.fill(true);
        let mut met = Vec::with_capacity(set.len());
        for t in set {
            met.push(count_met(t.rule, &ws.cols[d + t.indicator][..n], joint));
        }
        let joint = joint.iter().filter(|&&j| j).count() as u64;
        counts.push(SetCounts { met, joint });
    }
    Ok(counts)
}

/// Count the draws meeting `rule` and clear `joint` where it is missed.
/// Matching on the rule once, outside the loop, lets each loop vectorise.
pub(crate) fn count_met(rule: Rule, col: &[f64], joint: &mut [bool]) -> u64 {
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

fn non_finite(model: &Model, slot: usize, draw: usize, i: usize, cols: &[Vec<f64>]) -> RunError {
    let k = slot - model.n_drivers;
    let plan = model.indicators.iter().find(|p| p.slot == slot);
    let inputs = plan
        .map(|p| {
            p.program
                .slots()
                .iter()
                .map(|&s| format!("{} = {}", model.slot_names[s], cols[s][i]))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    RunError::NonFinite {
        indicator: model.slot_names[slot].clone(),
        formula: model.formulas[k].clone(),
        draw: draw as u64,
        value: cols[slot][i],
        inputs,
    }
}
