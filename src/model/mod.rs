//! The compiled model: each driver's sampler, the copula over the correlated
//! drivers, each indicator's formula as a column program, and each target as
//! a rule on an indicator column. Built once from a validated scenario; the
//! engine only executes it.

pub mod distribution;
pub mod expr;
pub mod pipeline;
pub mod years;

use crate::sampling::correlation::Correlation;
use crate::scenario::{Rule, Scenario};
use distribution::{Distribution, Marginal};
use expr::{Operand, Program};

/// How one driver's column is produced in a block.
#[derive(Debug, Clone)]
pub enum Source {
    /// A normal score from the copula, at this position among the correlated drivers.
    Copula(usize),
    /// An independent normal score (normal and lognormal marginals map it exactly).
    Score,
    /// An independent uniform on (0, 1), through the quantile function.
    Uniform,
    /// No randomness at all.
    Constant(f64),
}

#[derive(Debug, Clone)]
pub struct DriverPlan {
    pub marginal: Marginal,
    pub source: Source,
}

#[derive(Debug, Clone)]
pub struct IndicatorPlan {
    /// Column slot the result is written to.
    pub slot: usize,
    pub program: Program,
}

#[derive(Debug, Clone)]
pub struct TargetPlan {
    /// Index of the indicator (and of its result column).
    pub indicator: usize,
    pub rule: Rule,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub drivers: Vec<DriverPlan>,
    /// Correlation of the drivers with `Source::Copula`, in their order.
    pub copula: Correlation,
    /// In evaluation order.
    pub indicators: Vec<IndicatorPlan>,
    /// One list of targets per target set, in declaration order.
    pub target_sets: Vec<Vec<TargetPlan>>,
    /// Driver columns come first (slots 0..d), indicator columns after (d..d+k).
    pub n_drivers: usize,
    pub n_indicators: usize,
    /// Names of the slots (drivers, then indicators), for messages.
    pub slot_names: Vec<String>,
    /// Each indicator's formula as written, for messages.
    pub formulas: Vec<String>,
}

impl Model {
    pub fn compile(s: &Scenario) -> Model {
        let d = s.drivers.len();
        let n = s.correlation.n();
        // A driver joins the copula when any correlation involves it.
        let correlated: Vec<usize> = (0..d)
            .filter(|&i| (0..n).any(|j| j != i && s.correlation.get(i, j) != 0.0))
            .collect();
        let mut sub = Vec::with_capacity(correlated.len() * correlated.len());
        for &i in &correlated {
            for &j in &correlated {
                sub.push(s.correlation.get(i, j));
            }
        }
        // A principal submatrix of a positive definite matrix is positive
        // definite, so this cannot fail for a validated scenario.
        let copula = Correlation::from_matrix(correlated.len(), &sub)
            .unwrap_or_else(|_| Correlation::identity(correlated.len()));
        let drivers = s
            .drivers
            .iter()
            .enumerate()
            .map(|(i, drv)| {
                let source = if let Some(pos) = correlated.iter().position(|&c| c == i) {
                    Source::Copula(pos)
                } else {
                    match drv.distribution {
                        Distribution::Fixed { value } => Source::Constant(value),
                        Distribution::Normal { .. } | Distribution::LogNormal { .. } => {
                            Source::Score
                        }
                        _ => Source::Uniform,
                    }
                };
                DriverPlan {
                    marginal: drv.marginal.clone(),
                    source,
                }
            })
            .collect();

        let base = |name: &str| s.base.iter().find(|b| b.name == name).map(|b| b.value);
        let driver = |name: &str| s.drivers.iter().position(|x| x.name == name);
        let indicator = |name: &str| s.indicator_index(name);
        let indicators = s
            .evaluation_order
            .iter()
            .map(|&i| {
                let own = &s.indicators[i].name;
                // Resolution as validated: another indicator first; in its own
                // formula a shared name means the driver or base value.
                let resolve = |name: &str, lag: u32| -> Option<Operand> {
                    // In a multi-year scenario this is its first year: a
                    // lagged name reads year 0 or earlier.
                    if lag > 0 {
                        let h = s.horizon.as_ref()?;
                        return h
                            .history
                            .value(name, h.years[0] - lag as i32)
                            .map(Operand::Const);
                    }
                    if name != own
                        && let Some(j) = indicator(name)
                    {
                        return Some(Operand::Slot(d + j));
                    }
                    driver(name)
                        .map(Operand::Slot)
                        .or_else(|| base(name).map(Operand::Const))
                };
                let program = s.indicators[i]
                    .expr
                    .compile(&resolve)
                    // Validation resolved every name already.
                    .unwrap_or_else(|_| Program::constant(f64::NAN));
                IndicatorPlan {
                    slot: d + i,
                    program,
                }
            })
            .collect();
        let target_sets = s
            .target_sets
            .iter()
            .map(|set| {
                set.targets
                    .iter()
                    .map(|t| TargetPlan {
                        indicator: t.indicator,
                        rule: t.rule,
                    })
                    .collect()
            })
            .collect();
        Model {
            drivers,
            copula,
            indicators,
            target_sets,
            n_drivers: d,
            n_indicators: s.indicators.len(),
            slot_names: s
                .drivers
                .iter()
                .map(|x| x.name.clone())
                .chain(s.indicators.iter().map(|x| x.name.clone()))
                .collect(),
            formulas: s.indicators.iter().map(|x| x.formula.clone()).collect(),
        }
    }

    pub fn n_copula(&self) -> usize {
        self.copula.n()
    }
}
