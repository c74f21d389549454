//! A plan seen as one long year, for the analyses that compare targets
//! draw by draw (calibration, comparison): every indicator in every year is
//! a column of its own, `name@year`, and every plan target is a column of
//! what it measures, `name@year:measure` (the level, the cumulative growth
//! or the average growth from year 0). The target sets hold every year's
//! targets, and the plan targets form one more set, `plan_targets`.
//!
//! The view's drivers are every driver in every year, `name@year` (a
//! one-year scenario: its drivers), so that an analysis can name the
//! year of the assumption that decides a target.
//!
//! A one-year scenario is its own view. The columns of a plan's view come
//! from the same engine and draws as `run` ([`crate::engine::columns`]), so
//! a set's probabilities here equal `run`'s for the same draws and seed.

use crate::scenario::horizon::Measure;
use crate::scenario::{Driver, Indicator, Kind, Meta, Scenario, Target, TargetSet};

/// Name of the set that holds the plan targets.
pub const PLAN_SET: &str = "plan_targets";

/// One column of the view: indicator `indicator` in year `year` (index into
/// the horizon), or the measure a plan target takes of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Column {
    Value {
        indicator: usize,
        year: usize,
    },
    Plan {
        target: usize,
    },
    /// A driver's draws in one year (kept for the sensitivity analysis).
    Driver {
        driver: usize,
        year: usize,
    },
}

/// The scenario as the analyses see it, and what each of its indicators is.
#[derive(Debug, Clone)]
pub struct View {
    pub scenario: Scenario,
    pub columns: Vec<Column>,
}

fn measure_word(m: Measure) -> &'static str {
    match m {
        Measure::Level => "level",
        Measure::CumulativeGrowth => "cumulative_growth",
        Measure::AverageGrowth => "average_growth",
    }
}

fn measure_label(m: Measure) -> (&'static str, &'static str) {
    match m {
        Measure::Level => ("", ""),
        Measure::CumulativeGrowth => ("累计增长", "cumulative growth"),
        Measure::AverageGrowth => ("年均增长", "average growth"),
    }
}

/// The view of `s`: `s` itself for a one-year scenario.
pub fn view(s: &Scenario) -> View {
    let Some(h) = s.horizon.as_ref() else {
        return View {
            scenario: s.clone(),
            columns: (0..s.indicators.len())
                .map(|indicator| Column::Value { indicator, year: 0 })
                .collect(),
        };
    };
    let k = s.indicators.len();
    let mut flat = s.clone();
    let mut columns = Vec::new();
    let mut indicators = Vec::new();
    let with_year = |text: &Option<String>, year: i32, extra: &str| {
        text.as_ref().map(|t| {
            if extra.is_empty() {
                format!("{t} {year}")
            } else {
                format!("{t} {year} {extra}")
            }
        })
    };
    for (y, &year) in h.years.iter().enumerate() {
        for (i, ind) in s.indicators.iter().enumerate() {
            let mut meta = ind.meta.clone();
            meta.label = with_year(&ind.meta.label, year, "");
            meta.label_en = with_year(&ind.meta.label_en, year, "");
            indicators.push(Indicator {
                name: format!("{}@{year}", ind.name),
                formula: ind.formula.clone(),
                expr: ind.expr.clone(),
                meta,
            });
            columns.push(Column::Value {
                indicator: i,
                year: y,
            });
        }
    }
    let mut sets: Vec<TargetSet> = h
        .target_sets
        .iter()
        .map(|set| TargetSet {
            name: set.name.clone(),
            meta: set.meta.clone(),
            targets: set
                .targets
                .iter()
                .map(|yt| Target {
                    indicator: yt.year * k + yt.target.indicator,
                    rule: yt.target.rule,
                    wording: yt.target.wording.clone(),
                })
                .collect(),
        })
        .collect();
    if let Some(plan) = &h.plan {
        let mut targets = Vec::new();
        for (ti, t) in plan.targets.iter().enumerate() {
            let ind = &s.indicators[t.indicator];
            let year = h.years[t.year];
            let (zh, en) = measure_label(t.measure);
            let mut meta: Meta = ind.meta.clone();
            meta.label = with_year(&ind.meta.label, year, zh);
            meta.label_en = with_year(&ind.meta.label_en, year, en);
            if t.measure != Measure::Level {
                meta.kind = Kind::Rate;
                meta.unit = None;
            }
            targets.push(Target {
                indicator: indicators.len(),
                rule: t.rule,
                wording: t.wording.clone(),
            });
            indicators.push(Indicator {
                name: format!("{}@{year}:{}", ind.name, measure_word(t.measure)),
                formula: ind.formula.clone(),
                expr: ind.expr.clone(),
                meta,
            });
            columns.push(Column::Plan { target: ti });
        }
        sets.push(TargetSet {
            name: PLAN_SET.into(),
            meta: plan.meta.clone(),
            targets,
        });
    }
    flat.drivers = h
        .years
        .iter()
        .enumerate()
        .flat_map(|(y, &year)| {
            s.drivers.iter().zip(&h.drivers).map(move |(d, path)| {
                let mut meta = d.meta.clone();
                meta.label = with_year(&d.meta.label, year, "");
                meta.label_en = with_year(&d.meta.label_en, year, "");
                let yd = &path.per_year[y];
                Driver {
                    name: format!("{}@{year}", d.name),
                    distribution: yd.distribution.clone(),
                    marginal: yd.marginal.clone(),
                    meta,
                }
            })
        })
        .collect();
    flat.indicators = indicators;
    flat.target_sets = sets;
    flat.evaluation_order = (0..flat.indicators.len()).collect();
    // The view is analysed, never simulated: the engine runs the plan, and
    // each variant (kept as written) has a view of its own.
    View {
        scenario: flat,
        columns,
    }
}
