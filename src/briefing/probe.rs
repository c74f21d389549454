//! Exact probabilities for rounded recommendations.
//!
//! A recommended target is published rounded (`8.5%以上`), and the
//! probability the briefing shows must be that of the rounded rule, not of
//! the unrounded quantile. The streamed run keeps no draws, and its sketch
//! is fine only near the reported quantile levels, so a CDF read from it
//! between those levels could be off by more than the Monte Carlo error.
//! Instead the rounded candidates are *counted during the run*, exactly as
//! targets are:
//!
//! 1. The run's pilot (its first 65,536 draws, or all of a smaller run,
//!    kept whole; see `summary::sketch`) estimates, for each target, the
//!    quantile the recommendation rounds: the (1 − c) quantile for
//!    `at_least`, the c quantile for `at_most`, the c quantile of
//!    |x − centre| for the half-width of `about` and `range`.
//! 2. Around each estimate a window of ±[`WINDOW_SE`] of its standard
//!    errors (order statistics `k = ceil(6 sqrt(p (1 − p) m)) + 2` ranks
//!    either side, as the sketch's windows) is widened to the rounding
//!    grid plus one step each side; every grid point in it becomes a
//!    candidate rule.
//! 3. The candidates ride along as one hidden target set appended to the
//!    model after the pilot (`engine::stream_extended`): counted on the
//!    pilot's kept draws, then draw by draw in every later block like any
//!    target, so their probabilities are exact proportions over all draws
//!    (any threads, any block order: integer counts). Taking the pilot
//!    rather than a pre-run of its own saves simulating the first draws
//!    twice, and its four times as many draws halve the windows.
//! 4. The recommendation is the most demanding candidate met with
//!    probability at least c. It is *bracketed* when the candidate one
//!    step more demanding is in the window and falls short of c, so no
//!    grid point outside the window could be the answer. Outside the
//!    window (the full run's quantile more than 6 pilot standard errors
//!    from the pilot's, probability about 2e-9 for a continuous
//!    indicator) the briefing falls back to the quantile table and says so.

use super::publish;
use crate::engine::Streamed;
use crate::model::TargetPlan;
use crate::model::years::{YearModel, YearTargetPlan};
use crate::scenario::{Rule, Scenario};
use crate::summary::stats;
use crate::summary::tally::Pilot;
use rayon::prelude::*;
/// Half-width of a candidate window in standard errors of the quantile.
pub const WINDOW_SE: f64 = 6.0;
/// Candidates per probe at most; a wider window (a step far finer than the
/// indicator's spread) is not probed, and falls back.
pub const MAX_CANDIDATES: usize = 200;

/// What a probe's candidates are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// `at_least` thresholds, ascending.
    AtLeast,
    /// `at_most` thresholds, ascending.
    AtMost,
    /// Half-widths around `centre`, ascending: `about` rules when `range`
    /// is false, `range` rules otherwise.
    HalfWidth { centre: f64, range: bool },
}

/// One target's candidates and, after the run, how often each was met.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The target set (index in the scenario's order) and the target
    /// (index in the set).
    pub set: usize,
    pub target: usize,
    pub shape: Shape,
    /// The rounding step.
    pub step: f64,
    /// The candidate rules, least to most demanding for `AtLeast`, most to
    /// least for `AtMost` and `HalfWidth` (ascending values in all three).
    pub rules: Vec<Rule>,
    /// Draws meeting each rule (empty before the run).
    pub met: Vec<u64>,
    /// Draws counted.
    pub draws: u64,
}

/// The probes of a run and where their hidden set sits in the model.
#[derive(Debug, Clone, Default)]
pub struct Probes {
    pub probes: Vec<Probe>,
    /// Index of the hidden set in the model's target sets, once added.
    set: Option<usize>,
}

/// The ranks (0-based) of the type-7 window of order statistics around
/// the `p` quantile of `m` draws: `[r - k, r + k]`, clamped to the sample.
pub fn window_ranks(m: usize, p: f64) -> Option<(usize, usize)> {
    if m == 0 {
        return None;
    }
    let r = (m - 1) as f64 * p;
    let k = (WINDOW_SE * (p * (1.0 - p) * m as f64).sqrt()).ceil() as usize + 2;
    let lo = (r.floor() as usize).saturating_sub(k);
    let hi = (r.ceil() as usize + k).min(m - 1);
    Some((lo, hi))
}

/// The grid points from one step below `lo` to one step above `hi`.
pub fn grid(lo: f64, hi: f64, step: f64) -> Option<Vec<f64>> {
    let a = (lo / step - 1e-9).floor() - 1.0;
    let b = (hi / step + 1e-9).ceil() + 1.0;
    if !(a.is_finite() && b.is_finite()) || b - a + 1.0 > MAX_CANDIDATES as f64 {
        return None;
    }
    Some(
        (a as i64..=b as i64)
            .map(|k| publish::multiple(k as f64, step))
            .collect(),
    )
}

/// The quantile level a shape's recommendation rounds.
fn level(shape: Shape, confidence: f64) -> f64 {
    match shape {
        Shape::AtLeast => 1.0 - confidence,
        Shape::AtMost | Shape::HalfWidth { .. } => confidence,
    }
}

/// Candidates for one rule shape from its window's values (of the
/// indicator, or of |indicator − centre| for half-widths).
fn candidates(shape: Shape, (lo, hi): (f64, f64), step: f64) -> Option<Vec<Rule>> {
    let g = grid(lo, hi, step)?;
    Some(match shape {
        Shape::AtLeast => g
            .into_iter()
            .map(|threshold| Rule::AtLeast { threshold })
            .collect(),
        Shape::AtMost => g
            .into_iter()
            .map(|threshold| Rule::AtMost { threshold })
            .collect(),
        Shape::HalfWidth { centre, range } => g
            .into_iter()
            .filter(|&h| h > 0.0)
            .map(|h| {
                if range {
                    Rule::Range {
                        low: centre - h,
                        high: centre + h,
                    }
                } else {
                    Rule::About {
                        value: centre,
                        tolerance: h,
                    }
                }
            })
            .collect(),
    })
}

/// The probes of every target of every set that is not the upper level's,
/// from the run's pilot.
pub fn of_pilot(s: &Scenario, model: &YearModel, pilot: &Pilot, confidence: f64) -> Probes {
    let targets: Vec<(usize, usize)> = model
        .target_sets
        .iter()
        .enumerate()
        .filter(|&(si, _)| s.upper_level != Some(si) && si < s.target_sets.len())
        .flat_map(|(si, set)| (0..set.len()).map(move |ti| (si, ti)))
        .collect();
    // Targets in parallel (a workshop turn waits for this between the pilot
    // and the rest of the run), collected in their order.
    let per_target: Vec<Vec<Probe>> = targets
        .par_iter()
        .map(|&(si, ti)| of_target(s, model, pilot, confidence, si, ti))
        .collect();
    Probes {
        probes: per_target.into_iter().flatten().collect(),
        set: None,
    }
}

/// One target's probes: its shape's, and for `about` and `range` also the
/// "state it as at least" alternative.
fn of_target(
    s: &Scenario,
    model: &YearModel,
    pilot: &Pilot,
    confidence: f64,
    si: usize,
    ti: usize,
) -> Vec<Probe> {
    let t = &model.target_sets[si][ti];
    let i = t.target.indicator;
    let kind = s.indicators[i].meta.kind;
    let round_to = s.report.step(i);
    // A few order statistics of the pilot's 65,536 draws, selected rather
    // than sorted (a sort per target was a seventh of a workshop turn):
    // the median and the at-least window of the column in one selection,
    // a half-width's window of |x - centre| in another.
    let x = &pilot.columns[t.year * model.n_indicators + i];
    let m = x.len();
    let Some(at_least) = window_ranks(m, level(Shape::AtLeast, confidence)) else {
        return Vec::new();
    };
    let at_most = window_ranks(m, level(Shape::AtMost, confidence)).unwrap_or(at_least);
    let v = stats::select_ranks(x, &[m / 2, at_least.0, at_least.1, at_most.0, at_most.1]);
    let median = v[0];
    let mut probes = Vec::new();
    let mut push = |shape: Shape, window: (f64, f64), at: f64| {
        let step = publish::step(kind, round_to, at);
        if let Some(rules) = candidates(shape, window, step) {
            probes.push(Probe {
                set: si,
                target: ti,
                shape,
                step,
                rules,
                met: Vec::new(),
                draws: 0,
            });
        }
    };
    match t.target.rule {
        Rule::AtLeast { .. } => push(Shape::AtLeast, (v[1], v[2]), median),
        Rule::AtMost { .. } => push(Shape::AtMost, (v[3], v[4]), median),
        Rule::About { .. } | Rule::Range { .. } => {
            let range = matches!(t.target.rule, Rule::Range { .. });
            let centre = match t.target.rule {
                Rule::About { value, .. } => value,
                _ => t.target.rule.reference_value(),
            };
            let shape = Shape::HalfWidth { centre, range };
            let d: Vec<f64> = x.iter().map(|v| (v - centre).abs()).collect();
            let (lo, hi) = window_ranks(m, level(shape, confidence)).unwrap_or(at_least);
            let w = stats::select_ranks(&d, &[lo, hi]);
            push(shape, (w[0], w[1]), centre);
            // The "state it as at least" alternative.
            push(Shape::AtLeast, (v[1], v[2]), median);
        }
    }
    probes
}

impl Probes {
    /// The candidates as one hidden target set, to append after `model`'s
    /// sets (the scenario's, which `summarise` reads by position, so it
    /// never sees this one): for `engine::stream_extended`.
    pub fn sets(&mut self, model: &YearModel) -> Vec<Vec<YearTargetPlan>> {
        if self.probes.is_empty() {
            return Vec::new();
        }
        let mut hidden = Vec::new();
        for p in &self.probes {
            let t = &model.target_sets[p.set][p.target];
            for &rule in &p.rules {
                hidden.push(YearTargetPlan {
                    year: t.year,
                    target: TargetPlan {
                        indicator: t.target.indicator,
                        rule,
                    },
                });
            }
        }
        self.set = Some(model.target_sets.len());
        vec![hidden]
    }

    /// The probes with their counts from the finished run.
    pub fn read(mut self, run: &Streamed) -> Vec<Probe> {
        let Some(counts) = self.set.and_then(|i| run.tally.sets.get(i)) else {
            return Vec::new();
        };
        let mut met = counts.met.iter().copied();
        for p in &mut self.probes {
            p.met = met.by_ref().take(p.rules.len()).collect();
            p.draws = run.tally.draws;
        }
        self.probes
    }
}

impl Probe {
    /// The most demanding candidate met with probability at least `c`,
    /// with its count, when the window brackets it (see the module notes).
    pub fn choose(&self, c: f64) -> Option<(Rule, u64)> {
        if self.draws == 0 || self.met.len() != self.rules.len() {
            return None;
        }
        let ok = |i: usize| self.met[i] as f64 >= c * self.draws as f64;
        let n = self.rules.len();
        match self.shape {
            // Thresholds ascend: met falls. The last that is ok, with a
            // failing one after it.
            Shape::AtLeast => {
                let i = (0..n).rev().find(|&i| ok(i))?;
                (i + 1 < n).then_some((self.rules[i], self.met[i]))
            }
            // Thresholds / half-widths ascend: met rises. The first that
            // is ok, with a failing one before it.
            Shape::AtMost | Shape::HalfWidth { .. } => {
                let i = (0..n).find(|&i| ok(i))?;
                let bracketed = i > 0
                    || matches!(self.shape, Shape::HalfWidth { .. }) && {
                        // The smallest half-width candidate is one step: nothing
                        // narrower can be published.
                        let first = match self.rules[0] {
                            Rule::About { tolerance, .. } => tolerance,
                            Rule::Range { low, high } => 0.5 * (high - low),
                            _ => f64::NAN,
                        };
                        (first - self.step).abs() < 1e-9 * self.step.max(1.0)
                    };
                bracketed.then_some((self.rules[i], self.met[i]))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_follow_the_order_statistics_and_grids_pad_one_step() {
        // r = 999 * 0.3 = 299.7; k = ceil(6 sqrt(0.21 * 1000)) + 2 = 89.
        assert_eq!(window_ranks(1000, 0.3), Some((299 - 89, 300 + 89)));
        assert_eq!(window_ranks(10, 0.5), Some((0, 9)));
        assert_eq!(window_ranks(0, 0.5), None);
        assert_eq!(
            grid(0.0862, 0.0871, 0.005),
            Some(vec![0.08, 0.085, 0.09, 0.095])
        );
        assert_eq!(grid(0.0, 1e6, 1.0), None);
    }

    #[test]
    fn the_choice_is_the_most_demanding_candidate_still_at_the_confidence() {
        let rules: Vec<Rule> = [1.0, 2.0, 3.0]
            .iter()
            .map(|&threshold| Rule::AtLeast { threshold })
            .collect();
        let mut p = Probe {
            set: 0,
            target: 0,
            shape: Shape::AtLeast,
            step: 1.0,
            rules,
            met: vec![90, 71, 40],
            draws: 100,
        };
        assert_eq!(p.choose(0.7), Some((Rule::AtLeast { threshold: 2.0 }, 71)));
        // 0.7 exactly counts as reaching the confidence.
        p.met = vec![90, 70, 40];
        assert_eq!(p.choose(0.7), Some((Rule::AtLeast { threshold: 2.0 }, 70)));
        // Not bracketed: the most demanding candidate is still above c.
        p.met = vec![95, 90, 80];
        assert_eq!(p.choose(0.7), None);
        // Nothing reaches c.
        p.met = vec![60, 50, 40];
        assert_eq!(p.choose(0.7), None);
    }
}
