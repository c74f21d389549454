//! One block of draws: every year's drivers and indicators, and the target
//! counts. The only place that consumes a block's random stream, for
//! one-year runs (a plan whose horizon is one year) and plans alike.
//!
//! Each block of [`BLOCK`] draws has its own stream and walks the years in
//! order. In each year the stream is consumed in a fixed order: the copula's
//! scores driver by driver, then each independent driver in declaration
//! order. A driver with persistence `rho` turns the year's score `u_t` into
//! `z_t = rho z_{t-1} + sqrt(1 - rho^2) u_t` before its marginal maps it.

use super::{SetCounts, count_met, count_only};
use crate::error::RunError;
use crate::model::Source;
use crate::model::expr::Scratch;
use crate::model::years::YearModel;
use crate::sampling::{BLOCK, block_rng};
use crate::scenario::horizon::PlanTarget;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Open01, StandardNormal};

/// Per-thread buffers, reused across blocks so the hot loop never allocates
/// after warm-up.
pub(crate) struct Workspace {
    /// Every year's drivers then indicators, BLOCK each: slot `y * width + j`.
    pub cols: Vec<Vec<f64>>,
    /// The year's copula scores.
    scores: Vec<Vec<f64>>,
    /// Each driver's normal score of the previous year.
    state: Vec<Vec<f64>>,
    tmp: Vec<f64>,
    joint: Vec<bool>,
    scratch: Scratch,
    /// The pipeline's and peers' buffers (empty without them).
    extra: super::projects::Work,
}

impl Workspace {
    pub fn new(model: &YearModel) -> Self {
        Workspace {
            cols: (0..model.width() * model.n_years())
                .map(|_| vec![0.0; BLOCK])
                .collect(),
            scores: (0..model.copula.n()).map(|_| vec![0.0; BLOCK]).collect(),
            state: (0..model.n_drivers).map(|_| vec![0.0; BLOCK]).collect(),
            tmp: vec![0.0; BLOCK],
            joint: vec![true; BLOCK],
            scratch: Scratch::default(),
            extra: super::projects::Work::new(model),
        }
    }

    /// Indicator `i` in year `y`, for the block last run (`n` draws).
    #[inline]
    pub fn indicator(&self, model: &YearModel, y: usize, i: usize, n: usize) -> &[f64] {
        &self.cols[y * model.width() + model.n_drivers + i][..n]
    }

    /// Driver `j` in year `y`, for the block last run.
    #[inline]
    pub fn driver(&self, model: &YearModel, y: usize, j: usize, n: usize) -> &[f64] {
        &self.cols[y * model.width() + j][..n]
    }
}

/// What a block's draws met: per target set (targets of every year), and the
/// plan targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockCounts {
    pub sets: Vec<SetCounts>,
    pub plan: SetCounts,
    /// The pipeline's contribution counts (empty without a pipeline).
    pub pipeline: Vec<u64>,
}

pub(crate) fn fill_normal(rng: &mut ChaCha8Rng, out: &mut [f64]) {
    for x in out {
        *x = rng.sample(StandardNormal);
    }
}

fn fill_uniform(rng: &mut ChaCha8Rng, out: &mut [f64]) {
    for x in out {
        *x = rng.sample(Open01);
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

/// Whether a plan target is met by the indicator's value `x` in its year.
#[inline]
pub fn plan_met(t: &PlanTarget, x: f64) -> bool {
    t.rule.is_met(t.measure_of(x, t.year + 1))
}

/// Run block `b` of `n` draws into the workspace and count the targets met.
pub(crate) fn run(
    model: &YearModel,
    seed: u64,
    b: usize,
    n: usize,
    ws: &mut Workspace,
) -> Result<BlockCounts, RunError> {
    let mut rng = block_rng(seed, b as u64);
    let d = model.n_drivers;
    let w = model.width();
    for y in 0..model.n_years() {
        for z in &mut ws.scores {
            fill_normal(&mut rng, &mut z[..n]);
        }
        // Cannot fail: the workspace holds one full-length column per copula driver.
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
        if y == 0 {
            super::projects::draw(model, seed, b, n, &ws.cols, &mut ws.extra);
        }
        for plan in &model.programs[y] {
            let mut out = std::mem::take(&mut ws.cols[plan.slot]);
            {
                let views: Vec<&[f64]> = ws.cols.iter().map(|c| c.as_slice()).collect();
                plan.program.eval(&views, &mut out[..n], &mut ws.scratch);
            }
            if let Some(x) = &model.extras {
                super::projects::after_program(x, plan.slot - y * w - d, &mut out[..n], &ws.extra);
            }
            let bad = out[..n].iter().position(|x| !x.is_finite());
            ws.cols[plan.slot] = out;
            if let Some(i) = bad {
                return Err(non_finite(model, plan, y, b * BLOCK + i, i, &ws.cols));
            }
        }
    }
    let mut sets = Vec::with_capacity(model.target_sets.len());
    for (si, set) in model.target_sets.iter().enumerate() {
        if si >= model.joint_sets {
            let met = set
                .iter()
                .map(|t| {
                    count_only(
                        t.target.rule,
                        &ws.cols[t.year * w + d + t.target.indicator][..n],
                    )
                })
                .collect();
            sets.push(SetCounts { met, joint: 0 });
            continue;
        }
        let joint = &mut ws.joint[..n];
        joint.fill(true);
        let mut met = Vec::with_capacity(set.len());
        for t in set {
            let col = &ws.cols[t.year * w + d + t.target.indicator][..n];
            met.push(count_met(t.target.rule, col, joint));
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
    Ok(BlockCounts {
        sets,
        plan: SetCounts { met, joint },
        pipeline: super::projects::count(model, &ws.cols, n, &mut ws.extra),
    })
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
    let one_year = model.n_years() == 1;
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
        indicator: if one_year {
            model.slot_names[local].clone()
        } else {
            format!("{} ({})", model.slot_names[local], model.years[year])
        },
        formula: model.formulas[local - model.n_drivers].clone(),
        draw: draw as u64,
        value: cols[plan.slot][i],
        inputs,
    }
}
