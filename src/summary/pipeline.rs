//! The pipeline's section of the summary: each project's start frequency
//! and its contribution to each target that reads the pipeline, and the
//! critical projects.
//!
//! Definitions (README, "Project pipelines"):
//! * a project's targets are those whose indicator reads an aggregate that
//!   counts the project;
//! * its *contribution* to one of them is P(target missed | the project
//!   does not start), the issue's "how often the target is missed when the
//!   project does not start". It is a conditional frequency, not a
//!   counterfactual: when the project shares the common factor, its not
//!   starting also signals a squeeze that stalls the others;
//! * its *lift* is that minus P(target missed | the project starts): how
//!   many points of the miss probability hang on the project;
//! * a project is *critical* for a target when its lift is at least
//!   [`CRITICAL_LIFT`]; the list holds at most [`MAX_CRITICAL`], largest
//!   lift first (ties by the project's order in the list).

use super::proportion_se;
use crate::model::pipeline::tracked_targets;
use crate::scenario::{Rule, Scenario};
use serde::Serialize;

/// Five points of miss probability hang on the project.
pub const CRITICAL_LIFT: f64 = 0.05;
/// A list a bureau can read in a meeting.
pub const MAX_CRITICAL: usize = 20;

#[derive(Debug, Clone, Serialize)]
pub struct PipelineSummary {
    /// Targets whose indicator reads a pipeline aggregate, in set order.
    pub targets: Vec<TrackedTarget>,
    pub projects: Vec<ProjectSummary>,
    pub critical: Vec<Critical>,
    pub critical_lift: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrackedTarget {
    pub indicator: String,
    #[serde(flatten)]
    pub rule: Rule,
    pub p_missed: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectSummary {
    pub name: String,
    /// The probability the scenario gives.
    pub p: f64,
    /// How often it started in the run.
    pub p_started: f64,
    pub se: f64,
    pub amount_mean: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarter: Option<u8>,
    pub firm: bool,
    pub loading: f64,
    /// Per tracked target: P(missed | not started); `null` when it always
    /// started, or when the target does not read an aggregate that counts it.
    pub p_missed_if_not_started: Vec<Option<f64>>,
    /// Per tracked target: P(missed | not started) - P(missed | started).
    pub lift: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Critical {
    pub project: String,
    pub indicator: String,
    pub p_missed_if_not_started: f64,
    pub p_missed_if_started: f64,
    pub lift: f64,
}

/// Build the section from the run's counts (see
/// `model::pipeline::ProjectsModel::n_counts` for their layout).
pub fn section(s: &Scenario, draws: u64, counts: &[u64]) -> Option<PipelineSummary> {
    let pl = s.pipeline.as_ref()?;
    let tracked = tracked_targets(s);
    let (np, nt) = (pl.projects.len(), tracked.len());
    if counts.len() != np + nt + nt * np || draws == 0 {
        return None;
    }
    let n = draws as f64;
    let missed = &counts[np..np + nt];
    let targets: Vec<TrackedTarget> = tracked
        .iter()
        .zip(missed)
        .map(|(&(i, rule), &m)| TrackedTarget {
            indicator: s.indicators[i].name.clone(),
            rule,
            p_missed: m as f64 / n,
        })
        .collect();
    // A project's targets: those reading an aggregate that counts it.
    let readers = crate::model::pipeline::readers(s);
    let feeds = |pr: &crate::scenario::pipeline::Project, t: usize| {
        pl.aggregates
            .iter()
            .zip(&readers)
            .any(|(a, r)| a.includes(pr) && r[tracked[t].0])
    };
    let mut critical = Vec::new();
    let projects = pl
        .projects
        .iter()
        .enumerate()
        .map(|(i, pr)| {
            let started = counts[i];
            let not = draws - started;
            let mut ifnot = Vec::with_capacity(nt);
            let mut lift = Vec::with_capacity(nt);
            for t in 0..nt {
                if !feeds(pr, t) {
                    ifnot.push(None);
                    lift.push(None);
                    continue;
                }
                let both = counts[np + nt + t * np + i];
                let m_not = missed[t] - both;
                let a = (not > 0).then(|| m_not as f64 / not as f64);
                let b = (started > 0).then(|| both as f64 / started as f64);
                let l = a.map(|a| a - b.unwrap_or(0.0));
                if let (Some(a), Some(l)) = (a, l)
                    && l >= CRITICAL_LIFT
                {
                    critical.push(Critical {
                        project: pr.name.clone(),
                        indicator: targets[t].indicator.clone(),
                        p_missed_if_not_started: a,
                        p_missed_if_started: b.unwrap_or(0.0),
                        lift: l,
                    });
                }
                ifnot.push(a);
                lift.push(l);
            }
            let p_started = started as f64 / n;
            ProjectSummary {
                name: pr.name.clone(),
                p: pr.p,
                p_started,
                se: proportion_se(p_started, draws),
                amount_mean: pr.amount.mean(),
                sector: pr.sector.clone(),
                quarter: pr.quarter,
                firm: pr.firm,
                loading: pr.loading,
                p_missed_if_not_started: ifnot,
                lift,
            }
        })
        .collect();
    // Stable: equal lifts keep the list's order.
    critical.sort_by(|a, b| b.lift.total_cmp(&a.lift));
    critical.truncate(MAX_CRITICAL);
    Some(PipelineSummary {
        targets,
        projects,
        critical,
        critical_lift: CRITICAL_LIFT,
    })
}
