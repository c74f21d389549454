//! Draws for a stated precision: keep adding whole blocks, checking at fixed
//! checkpoints (65,536 draws, then doubling), until every target's and every
//! set's standard error, sqrt(p (1 - p) / n), is at most the precision.
//!
//! Only the blocks' met counts are needed to decide, so the checkpoints are
//! found by a counting pass (no accumulators); the run itself is then a
//! plain run with the draws found, so its results are those of a plain run
//! with that many draws, byte for byte. Block `b` draws the same numbers
//! whatever the run's length (its stream is (seed, b)), so the counts at a
//! checkpoint are the counts of a run of that length, and the answer is
//! deterministic for any number of threads. Costs about one run's sampling
//! on top of the run.

use super::block::{self, Workspace};
use super::{SetCounts, n_blocks, pool};
use crate::error::RunError;
use crate::model::years::YearModel;
use crate::sampling::BLOCK;
use rayon::prelude::*;

/// The first checkpoint; later ones double it.
pub const FIRST_CHECKPOINT: u64 = 65_536;
/// The smallest precision accepted: 1/(4 e^2) draws always suffice (p (1 - p)
/// is at most 1/4), which must stay below `scenario::MAX_DRAWS`.
pub const MIN_PRECISION: f64 = 1e-5;

/// `Ok(precision)` for a precision in [`MIN_PRECISION`], 0.5].
pub fn check(precision: f64) -> Result<f64, String> {
    if precision.is_finite() && (MIN_PRECISION..=0.5).contains(&precision) {
        Ok(precision)
    } else {
        Err(format!(
            "a precision (the largest standard error wanted) must be from {MIN_PRECISION} to 0.5"
        ))
    }
}

/// The largest standard error of any target or set after `n` draws.
pub fn max_se(sets: &[SetCounts], plan: &SetCounts, n: u64) -> f64 {
    let se = |met: u64| {
        let p = met as f64 / n as f64;
        (p * (1.0 - p) / n as f64).sqrt()
    };
    sets.iter()
        .chain(std::iter::once(plan))
        .flat_map(|s| s.met.iter().copied().chain(std::iter::once(s.joint)))
        .map(se)
        .fold(0.0, f64::max)
}

/// The first checkpoint at which every standard error is at most `precision`.
/// `progress` is told each block's draws.
pub fn draws_for(
    model: &YearModel,
    seed: u64,
    precision: f64,
    threads: Option<usize>,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<u64, RunError> {
    let pool = pool(threads)?;
    pool.install(|| {
        let zero = || BlockTotals::zero(model);
        let mut totals = zero();
        let mut done = 0u64;
        let mut n = FIRST_CHECKPOINT;
        loop {
            let part = (done..n_blocks(n))
                .into_par_iter()
                .map_init(
                    || Workspace::new(model),
                    |ws, b| -> Result<BlockTotals, RunError> {
                        let counts = block::run(model, seed, b as usize, BLOCK, ws)?;
                        if let Some(p) = progress {
                            p(BLOCK as u64);
                        }
                        let mut t = zero();
                        t.add(&counts.sets, &counts.plan);
                        Ok(t)
                    },
                )
                .try_reduce(zero, |mut a, b| {
                    a.add(&b.sets, &b.plan);
                    Ok(a)
                })?;
            totals.add(&part.sets, &part.plan);
            done = n_blocks(n);
            if max_se(&totals.sets, &totals.plan, n) <= precision || n >= crate::scenario::MAX_DRAWS
            {
                return Ok(n.min(crate::scenario::MAX_DRAWS));
            }
            n *= 2;
        }
    })
}

/// Met counts summed over blocks (integers: any order gives the same sums).
struct BlockTotals {
    sets: Vec<SetCounts>,
    plan: SetCounts,
}

impl BlockTotals {
    fn zero(model: &YearModel) -> BlockTotals {
        BlockTotals {
            sets: model
                .target_sets
                .iter()
                .map(|s| SetCounts::zero(s.len()))
                .collect(),
            plan: SetCounts::zero(model.plan.len()),
        }
    }

    fn add(&mut self, sets: &[SetCounts], plan: &SetCounts) {
        for (t, c) in self.sets.iter_mut().zip(sets) {
            t.add(c);
        }
        self.plan.add(plan);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_standard_error_is_that_of_the_probability_nearest_a_half() {
        let sets = vec![SetCounts {
            met: vec![100, 500],
            joint: 50,
        }];
        let plan = SetCounts::zero(0);
        // p = 0.5 at n = 1000: sqrt(0.25 / 1000).
        assert!((max_se(&sets, &plan, 1000) - (0.25f64 / 1000.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn precisions_outside_the_range_are_refused() {
        assert!(check(0.001).is_ok());
        assert!(check(0.0).is_err());
        assert!(check(0.6).is_err());
        assert!(check(f64::NAN).is_err());
    }
}
