//! The compiled multi-year model: for each year of the horizon, each
//! driver's sampler and each indicator's formula as a column program whose
//! lagged references (`gdp[t-1]`) point at the previous year's column, or at
//! a constant from `[base]`/`[history]` before the horizon.
//!
//! Column slots: year `y` (0 for the first horizon year) owns slots
//! `y * width .. (y + 1) * width`, drivers first, then indicators, where
//! `width = drivers + indicators`.

use super::distribution::{Distribution, Marginal};
use super::expr::{Operand, Program};
use super::{IndicatorPlan, Model, Source, TargetPlan};
use crate::sampling::correlation::Correlation;
use crate::scenario::Scenario;
use crate::scenario::horizon::{Horizon, PlanTarget};

/// How one driver is drawn in one year.
#[derive(Debug, Clone)]
pub struct YearDriver {
    pub marginal: Marginal,
    pub source: Source,
}

#[derive(Debug, Clone)]
pub struct DriverYears {
    /// AR(1) coefficient on the normal score.
    pub persistence: f64,
    /// `sqrt(1 - persistence^2)`, the weight of the year's innovation.
    pub innovation: f64,
    pub per_year: Vec<YearDriver>,
}

#[derive(Debug, Clone)]
pub struct YearTargetPlan {
    pub year: usize,
    pub target: TargetPlan,
}

#[derive(Debug, Clone)]
pub struct YearModel {
    pub years: Vec<i32>,
    pub n_drivers: usize,
    pub n_indicators: usize,
    /// Correlation of the innovations of the copula drivers (`Source::Copula`).
    pub copula: Correlation,
    pub drivers: Vec<DriverYears>,
    /// Per year, the indicator programs in evaluation order.
    pub programs: Vec<Vec<IndicatorPlan>>,
    pub target_sets: Vec<Vec<YearTargetPlan>>,
    /// Sets from this index on are counted target by target, without their
    /// joint (the hidden set of recommendation candidates,
    /// `briefing::probe`, whose joint means nothing); `usize::MAX` for none.
    pub joint_sets: usize,
    pub plan: Vec<PlanTarget>,
    /// Names of a year's slots (drivers, then indicators), for messages.
    pub slot_names: Vec<String>,
    pub formulas: Vec<String>,
    /// The pipeline and peers (one-year scenarios only), shared by the
    /// threads' copies of the model.
    pub extras: Option<std::sync::Arc<super::pipeline::Extras>>,
}

impl YearModel {
    pub fn width(&self) -> usize {
        self.n_drivers + self.n_indicators
    }

    pub fn n_years(&self) -> usize {
        self.years.len()
    }

    /// Compile any validated scenario: a plan as its horizon says, a
    /// one-year scenario as a plan whose horizon is one year (year 0). Both
    /// run through the same engine, and a one-year model draws exactly what
    /// the first year of a plan with the same drivers draws.
    pub fn of(s: &Scenario) -> YearModel {
        let mut m = Self::compile(s).unwrap_or_else(|| Self::one_year(Model::compile(s)));
        m.extras = super::pipeline::Extras::of(s).map(std::sync::Arc::new);
        m
    }

    /// A one-year model as a plan of one year (year 0).
    pub fn one_year(one: Model) -> YearModel {
        YearModel {
            years: vec![0],
            n_drivers: one.n_drivers,
            n_indicators: one.n_indicators,
            copula: one.copula,
            drivers: one
                .drivers
                .into_iter()
                .map(|p| DriverYears {
                    persistence: 0.0,
                    innovation: 1.0,
                    per_year: vec![YearDriver {
                        marginal: p.marginal,
                        source: p.source,
                    }],
                })
                .collect(),
            programs: vec![one.indicators],
            target_sets: one
                .target_sets
                .into_iter()
                .map(|set| {
                    set.into_iter()
                        .map(|target| YearTargetPlan { year: 0, target })
                        .collect()
                })
                .collect(),
            joint_sets: usize::MAX,
            plan: Vec::new(),
            slot_names: one.slot_names,
            formulas: one.formulas,
            extras: None,
        }
    }

    /// Compile a validated multi-year scenario (`None` for a one-year one).
    pub fn compile(s: &Scenario) -> Option<YearModel> {
        let h: &Horizon = s.horizon.as_ref()?;
        // The one-year model decides which drivers join the copula and how
        // the first year is drawn, so the first year consumes the random
        // stream exactly as a one-year run of the same drivers would.
        let one = Model::compile(s);
        let d = s.drivers.len();
        let k = s.indicators.len();
        let w = d + k;
        let n = h.n_years();
        let drivers = h
            .drivers
            .iter()
            .zip(&one.drivers)
            .map(|(path, first)| {
                let per_year =
                    path.per_year
                        .iter()
                        .map(|yd| {
                            let source = match first.source {
                                Source::Copula(pos) => Source::Copula(pos),
                                // A persistent driver carries its score from year to year.
                                _ if path.persistence != 0.0 => Source::Score,
                                _ => match yd.distribution {
                                    Distribution::Fixed { value } => Source::Constant(value),
                                    Distribution::Normal { .. }
                                    | Distribution::LogNormal { .. } => Source::Score,
                                    _ => Source::Uniform,
                                },
                            };
                            YearDriver {
                                marginal: yd.marginal.clone(),
                                source,
                            }
                        })
                        .collect();
                DriverYears {
                    persistence: path.persistence,
                    innovation: (1.0 - path.persistence * path.persistence).max(0.0).sqrt(),
                    per_year,
                }
            })
            .collect();
        let base = |name: &str| s.base.iter().find(|b| b.name == name).map(|b| b.value);
        let driver = |name: &str| s.drivers.iter().position(|x| x.name == name);
        let indicator = |name: &str| s.indicator_index(name);
        let programs = (0..n)
            .map(|y| {
                s.evaluation_order
                    .iter()
                    .map(|&i| {
                        let own = &s.indicators[i].name;
                        let resolve = |name: &str, lag: u32| -> Option<Operand> {
                            if lag == 0 {
                                if name != own
                                    && let Some(j) = indicator(name)
                                {
                                    return Some(Operand::Slot(y * w + d + j));
                                }
                                return driver(name)
                                    .map(|j| Operand::Slot(y * w + j))
                                    .or_else(|| base(name).map(Operand::Const));
                            }
                            let earlier = y as i64 - lag as i64;
                            if earlier >= 0 {
                                let e = earlier as usize;
                                indicator(name)
                                    .map(|j| Operand::Slot(e * w + d + j))
                                    .or_else(|| driver(name).map(|j| Operand::Slot(e * w + j)))
                            } else {
                                h.history
                                    .value(name, h.years[0] + earlier as i32)
                                    .map(Operand::Const)
                            }
                        };
                        let program = s.indicators[i]
                            .expr
                            .compile(&resolve)
                            // Validation resolved every reference already.
                            .unwrap_or_else(|_| Program::constant(f64::NAN));
                        IndicatorPlan {
                            slot: y * w + d + i,
                            program,
                        }
                    })
                    .collect()
            })
            .collect();
        let target_sets = h
            .target_sets
            .iter()
            .map(|set| {
                set.targets
                    .iter()
                    .map(|t| YearTargetPlan {
                        year: t.year,
                        target: TargetPlan {
                            indicator: t.target.indicator,
                            rule: t.target.rule,
                        },
                    })
                    .collect()
            })
            .collect();
        Some(YearModel {
            years: h.years.clone(),
            n_drivers: d,
            n_indicators: k,
            copula: one.copula,
            drivers,
            programs,
            target_sets,
            joint_sets: usize::MAX,
            plan: h
                .plan
                .as_ref()
                .map(|p| p.targets.clone())
                .unwrap_or_default(),
            slot_names: one.slot_names,
            formulas: one.formulas,
            extras: None,
        })
    }
}
