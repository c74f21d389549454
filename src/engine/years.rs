//! Block-wise evaluation of a multi-year model.
//!
//! Each block of [`BLOCK`] draws has its own stream, as in the one-year
//! engine, and walks the years in order. In each year the stream is consumed
//! exactly as a one-year block consumes it (the copula's scores driver by
//! driver, then each independent driver in declaration order), so the first
//! year of a multi-year run draws what a one-year run of the same drivers
//! draws. A driver with persistence `rho` turns the year's score `u_t` into
//! `z_t = rho z_{t-1} + sqrt(1 - rho^2) u_t` before its marginal maps it.
//!
//! Results are one column per indicator per year: 8 bytes x draws x
//! indicators x years.

use super::{SetCounts, fill_normal, fill_uniform};
use crate::error::RunError;
use crate::model::Source;
use crate::model::expr::Scratch;
use crate::model::years::YearModel;
use crate::sampling::{BLOCK, block_rng};
use crate::scenario::horizon::PlanTarget;

/// The simulated columns of a multi-year run.
#[derive(Debug, Clone)]
pub struct YearSimulation {
    pub draws: usize,
    pub seed: u64,
    pub years: Vec<i32>,
    pub n_indicators: usize,
    /// Column `y * n_indicators + i`: indicator `i` (declaration order) in year `y`.
    pub indicators: Vec<Vec<f64>>,
    /// Per target set (targets of every year).
    pub counts: Vec<SetCounts>,
    /// The plan targets.
    pub plan: SetCounts,
}

impl YearSimulation {
    pub fn column(&self, year: usize, indicator: usize) -> &[f64] {
        &self.indicators[year * self.n_indicators + indicator]
    }
}

/// Whether a plan target is met by the indicator's value `x` in its year.
#[inline]
pub fn plan_met(t: &PlanTarget, x: f64) -> bool {
    t.rule.is_met(t.measure_of(x, t.year + 1))
}

pub fn simulate_years(
    model: &YearModel,
    opts: &super::RunOptions,
) -> Result<YearSimulation, RunError> {
    let columns = model.n_indicators * model.n_years();
    super::memory::check(opts.draws, columns)?;
    let draws = usize::try_from(opts.draws).map_err(|_| RunError::TooMuchMemory {
        draws: opts.draws,
        columns,
        need_mib: u64::MAX,
        available_mib: 0,
        max_draws: usize::MAX as u64,
    })?;
    let pool = super::pool(opts.threads)?;
    pool.install(|| in_pool(model, opts, draws))
}

type BlockCounts = (Vec<SetCounts>, SetCounts);

fn in_pool(
    model: &YearModel,
    opts: &super::RunOptions,
    draws: usize,
) -> Result<YearSimulation, RunError> {
    let k = model.n_indicators;
    let n_cols = k * model.n_years();
    let mut indicators: Vec<Vec<f64>> = (0..n_cols).map(|_| vec![0.0; draws]).collect();
    let mut columns: Vec<&mut Vec<f64>> = indicators.iter_mut().collect();
    let results: Vec<Result<BlockCounts, RunError>> = super::in_blocks(
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
    let mut plan = SetCounts::zero(model.plan.len());
    for block in results {
        let (sets, p) = block?;
        for (total, c) in counts.iter_mut().zip(&sets) {
            total.add(c);
        }
        plan.add(&p);
    }
    Ok(YearSimulation {
        draws,
        seed: opts.seed,
        years: model.years.clone(),
        n_indicators: k,
        indicators,
        counts,
        plan,
    })
}

struct Workspace {
    /// Every year's drivers then indicators, BLOCK each.
    cols: Vec<Vec<f64>>,
    /// The year's copula scores.
    scores: Vec<Vec<f64>>,
    /// Each driver's normal score of the previous year.
    state: Vec<Vec<f64>>,
    tmp: Vec<f64>,
    joint: Vec<bool>,
    scratch: Scratch,
}

impl Workspace {
    fn new(model: &YearModel) -> Self {
        Workspace {
            cols: (0..model.width() * model.n_years())
                .map(|_| vec![0.0; BLOCK])
                .collect(),
            scores: (0..model.copula.n()).map(|_| vec![0.0; BLOCK]).collect(),
            state: (0..model.n_drivers).map(|_| vec![0.0; BLOCK]).collect(),
            tmp: vec![0.0; BLOCK],
            joint: vec![true; BLOCK],
            scratch: Scratch::default(),
        }
    }
}

/// `z = rho z_prev + sqrt(1 - rho^2) u` in place in `state` (`u` alone in the first year).
fn persist(state: &mut [f64], u: &[f64], rho: f64, innovation: f64, first: bool) {
    if first || rho == 0.0 {
        state.copy_from_slice(u);
    } else {
        for (z, &e) in state.iter_mut().zip(u) {
            *z = rho * *z + innovation * e;
        }
    }
}

fn run_block(
    model: &YearModel,
    seed: u64,
    b: usize,
    n: usize,
    ws: &mut Workspace,
    outs: &mut [&mut [f64]],
) -> Result<BlockCounts, RunError> {
    let mut rng = block_rng(seed, b as u64);
    let d = model.n_drivers;
    let k = model.n_indicators;
    let w = model.width();
    for y in 0..model.n_years() {
        for z in &mut ws.scores {
            fill_normal(&mut rng, &mut z[..n]);
        }
        let _ = model.copula.correlate_columns(&mut ws.scores);
        for (i, drv) in model.drivers.iter().enumerate() {
            let plan = &drv.per_year[y];
            let col = &mut ws.cols[y * w + i][..n];
            let state = &mut ws.state[i][..n];
            match plan.source {
                Source::Copula(pos) => {
                    persist(
                        state,
                        &ws.scores[pos][..n],
                        drv.persistence,
                        drv.innovation,
                        y == 0,
                    );
                    plan.marginal.fill_from_scores(state, col);
                }
                Source::Score => {
                    fill_normal(&mut rng, &mut ws.tmp[..n]);
                    persist(state, &ws.tmp[..n], drv.persistence, drv.innovation, y == 0);
                    plan.marginal.fill_from_scores(state, col);
                }
                Source::Uniform => {
                    fill_uniform(&mut rng, &mut ws.tmp[..n]);
                    plan.marginal.fill_from_uniforms(&ws.tmp[..n], col);
                }
                Source::Constant(v) => col.fill(v),
            }
        }
        for plan in &model.programs[y] {
            let mut out = std::mem::take(&mut ws.cols[plan.slot]);
            {
                let views: Vec<&[f64]> = ws.cols.iter().map(|c| c.as_slice()).collect();
                plan.program.eval(&views, &mut out[..n], &mut ws.scratch);
            }
            let bad = out[..n].iter().position(|x| !x.is_finite());
            ws.cols[plan.slot] = out;
            if let Some(i) = bad {
                return Err(non_finite(model, plan, y, b * BLOCK + i, i, &ws.cols));
            }
        }
    }
    for (c, out) in outs.iter_mut().enumerate() {
        let (y, i) = (c / k, c % k);
        out.copy_from_slice(&ws.cols[y * w + d + i][..n]);
    }
    let mut sets = Vec::with_capacity(model.target_sets.len());
    for set in &model.target_sets {
        let joint = &mut ws.joint[..n];
        joint.fill(true);
        let mut met = Vec::with_capacity(set.len());
        for t in set {
            let col = &ws.cols[t.year * w + d + t.target.indicator][..n];
            met.push(super::count_met(t.target.rule, col, joint));
        }
        let joint = joint.iter().filter(|&&j| j).count() as u64;
        sets.push(SetCounts { met, joint });
    }
    let joint = &mut ws.joint[..n];
    joint.fill(true);
    let mut met = Vec::with_capacity(model.plan.len());
    for t in &model.plan {
        let col = &ws.cols[t.year * w + d + t.indicator][..n];
        let mut m = 0u64;
        for (j, &x) in joint.iter_mut().zip(col) {
            let ok = plan_met(t, x);
            m += ok as u64;
            *j &= ok;
        }
        met.push(m);
    }
    let joint = joint.iter().filter(|&&j| j).count() as u64;
    Ok((sets, SetCounts { met, joint }))
}

fn non_finite(
    model: &YearModel,
    plan: &crate::model::IndicatorPlan,
    year: usize,
    draw: usize,
    i: usize,
    cols: &[Vec<f64>],
) -> RunError {
    let w = model.width();
    let local = plan.slot - year * w;
    let name = |s: usize| {
        let (yy, l) = (s / w, s % w);
        if yy == year {
            model.slot_names[l].clone()
        } else {
            format!("{}[{}]", model.slot_names[l], model.years[yy])
        }
    };
    let inputs = plan
        .program
        .slots()
        .iter()
        .map(|&s| format!("{} = {}", name(s), cols[s][i]))
        .collect::<Vec<_>>()
        .join(", ");
    RunError::NonFinite {
        indicator: format!("{} ({})", model.slot_names[local], model.years[year]),
        formula: model.formulas[local - model.n_drivers].clone(),
        draw: draw as u64,
        value: cols[plan.slot][i],
        inputs,
    }
}
