//! The two layouts of `summary.json`, kept as scripts read them: a one-year
//! run writes the one-year layout (`indicators`, targets keyed by
//! indicator), a plan the plan layout (`horizon`, `years` keyed by calendar
//! year, targets as a list with their year, `plan_targets`). Both come from
//! the one [`Summary`]; the structs here only borrow it.

use super::plan::{HorizonInfo, PlanSummary};
use super::{IndicatorSummary, ScenarioInfo, Summary, TargetSetSummary, Tool};
use crate::scenario::Rule;
use crate::sensitivity::Sensitivity;
use indexmap::IndexMap;
use serde::{Serialize, Serializer};

/// The fields both layouts open with, in order.
#[derive(Serialize)]
struct Head<'a> {
    schema_version: u32,
    tool: &'a Tool,
    scenario: &'a ScenarioInfo,
    seed: u64,
    draws: u64,
    generator: &'static str,
    block_size: usize,
    quantile_method: &'static str,
}

#[derive(Serialize)]
struct OneYear<'a> {
    #[serde(flatten)]
    head: Head<'a>,
    indicators: &'a IndexMap<String, IndicatorSummary>,
    target_sets: IndexMap<&'a str, SetOf<'a, IndexMap<&'a str, OneYearTarget<'a>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sensitivity: Option<&'a Sensitivity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pipeline: Option<&'a super::pipeline::PipelineSummary>,
}

#[derive(Serialize)]
struct Plan<'a> {
    #[serde(flatten)]
    head: Head<'a>,
    horizon: &'a HorizonInfo,
    years: IndexMap<String, &'a super::YearResults>,
    target_sets: IndexMap<&'a str, SetOf<'a, Vec<PlanYearTarget<'a>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan_targets: Option<&'a PlanSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sensitivity: Option<&'a Sensitivity>,
}

#[derive(Serialize)]
struct SetOf<'a, T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label_en: Option<&'a str>,
    targets: T,
    joint_probability: f64,
    joint_se: f64,
    independent_product: f64,
}

/// A one-year target, keyed by its indicator.
#[derive(Serialize)]
struct OneYearTarget<'a> {
    #[serde(flatten)]
    rule: &'a Rule,
    #[serde(skip_serializing_if = "Option::is_none")]
    wording: Option<&'a str>,
    probability: f64,
    se: f64,
}

/// A plan's target, with its indicator and year.
#[derive(Serialize)]
struct PlanYearTarget<'a> {
    indicator: &'a str,
    year: i32,
    #[serde(flatten)]
    rule: &'a Rule,
    #[serde(skip_serializing_if = "Option::is_none")]
    wording: Option<&'a str>,
    probability: f64,
    se: f64,
}

fn set_of<'a, T>(set: &'a TargetSetSummary, targets: T) -> SetOf<'a, T> {
    SetOf {
        label: set.label.as_deref(),
        label_en: set.label_en.as_deref(),
        targets,
        joint_probability: set.joint_probability,
        joint_se: set.joint_se,
        independent_product: set.independent_product,
    }
}

impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let head = Head {
            schema_version: self.schema_version,
            tool: &self.tool,
            scenario: &self.scenario,
            seed: self.seed,
            draws: self.draws,
            generator: self.generator,
            block_size: self.block_size,
            quantile_method: self.quantile_method,
        };
        let sensitivity = self.sensitivity.as_ref();
        let Some(horizon) = &self.horizon else {
            let target_sets = self
                .target_sets
                .iter()
                .map(|(name, set)| {
                    let targets = set
                        .targets
                        .iter()
                        .map(|t| {
                            let row = OneYearTarget {
                                rule: &t.rule,
                                wording: t.wording.as_deref(),
                                probability: t.probability,
                                se: t.se,
                            };
                            (t.indicator.as_str(), row)
                        })
                        .collect();
                    (name.as_str(), set_of(set, targets))
                })
                .collect();
            return OneYear {
                head,
                indicators: self.indicators(),
                target_sets,
                sensitivity,
                pipeline: self.pipeline.as_ref(),
            }
            .serialize(ser);
        };
        let target_sets = self
            .target_sets
            .iter()
            .map(|(name, set)| {
                let targets = set
                    .targets
                    .iter()
                    .map(|t| PlanYearTarget {
                        indicator: &t.indicator,
                        year: t.year.unwrap_or_default(),
                        rule: &t.rule,
                        wording: t.wording.as_deref(),
                        probability: t.probability,
                        se: t.se,
                    })
                    .collect();
                (name.as_str(), set_of(set, targets))
            })
            .collect();
        Plan {
            head,
            horizon,
            years: self
                .years
                .iter()
                .map(|y| (y.year.unwrap_or_default().to_string(), y))
                .collect(),
            target_sets,
            plan_targets: self.plan_targets.as_ref(),
            sensitivity,
        }
        .serialize(ser)
    }
}
