//! The compiled pipeline and peers: per project the two numbers the
//! one-factor copula needs, each aggregate's members, each peer's marginal,
//! and which indicators the engine fills in itself (aggregates, ranks).
//!
//! Copula: project `i` with probability `p_i` and loading `rho_i` starts in a
//! draw when `sqrt(rho_i) Z + sqrt(1 - rho_i) e_i <= Phi^-1(p_i)`, with `Z`
//! the draw's common factor and `e_i` its own standard normal. The engine
//! tests the equivalent `e_i <= a_i - b_i Z` with
//! `a_i = Phi^-1(p_i) / sqrt(1 - rho_i)` and `b_i = sqrt(rho_i / (1 - rho_i))`,
//! one multiply-add per project and draw.

use super::distribution::Marginal;
use super::distribution::std_normal_quantile;
use crate::scenario::pipeline::{Amount, Factor, Measure};
use crate::scenario::{Rule, Scenario};

/// What the engine does after an indicator's program has run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// Nothing: an ordinary formula.
    None,
    /// Overwrite with aggregate `k` of the pipeline.
    Aggregate(usize),
    /// Turn the district's value (which the program copied) into its rank
    /// among the peers' values of peer indicator `k`.
    Rank(usize),
}

#[derive(Debug, Clone)]
pub struct ProjectsModel {
    pub a: Vec<f64>,
    pub b: Vec<f64>,
    /// Fixed amounts (the mean for a drawn one, unused).
    pub fixed: Vec<f64>,
    /// Per project, its amount's marginal when drawn.
    pub drawn: Vec<Option<Marginal>>,
    pub factor: Option<Factor>,
    /// Per project, the aggregates it counts towards and whether they add its amount.
    pub members: Vec<Vec<(u32, bool)>>,
    pub n_aggregates: usize,
    /// The targets whose contributions are counted: `(indicator, rule)`.
    pub tracked: Vec<(usize, Rule)>,
}

impl ProjectsModel {
    pub fn n(&self) -> usize {
        self.a.len()
    }

    /// Counts a block adds up: per project the draws it started; per tracked
    /// target the draws it was missed; per target and project the draws it
    /// was missed while the project started.
    pub fn n_counts(&self) -> usize {
        let (p, t) = (self.n(), self.tracked.len());
        p + t + t * p
    }
}

#[derive(Debug, Clone)]
pub struct PeerColumns {
    /// `sqrt(loading)` and `sqrt(1 - loading)`.
    pub common: f64,
    pub own: f64,
    pub marginals: Vec<Marginal>,
}

#[derive(Debug, Clone)]
pub struct PeersModel {
    pub factor: Option<Factor>,
    pub indicators: Vec<PeerColumns>,
    pub n_peers: usize,
}

/// Everything beyond drivers and formulas; `None` in a model without a
/// pipeline or peers, so those run exactly as before.
#[derive(Debug, Clone)]
pub struct Extras {
    pub projects: Option<ProjectsModel>,
    pub peers: Option<PeersModel>,
    /// Per indicator (its index, not its slot).
    pub hooks: Vec<Hook>,
}

impl Extras {
    pub fn of(s: &Scenario) -> Option<Extras> {
        if s.pipeline.is_none() && s.peers.is_none() {
            return None;
        }
        let mut hooks = vec![Hook::None; s.indicators.len()];
        let projects = s.pipeline.as_ref().map(|pl| {
            let mut members = vec![Vec::new(); pl.projects.len()];
            for (k, agg) in pl.aggregates.iter().enumerate() {
                hooks[agg.indicator] = Hook::Aggregate(k);
                for (i, pr) in pl.projects.iter().enumerate() {
                    if agg.includes(pr) {
                        members[i].push((k as u32, agg.measure == Measure::Amount));
                    }
                }
            }
            ProjectsModel {
                a: pl
                    .projects
                    .iter()
                    .map(|pr| std_normal_quantile(pr.p) / (1.0 - pr.loading).sqrt())
                    .collect(),
                b: pl
                    .projects
                    .iter()
                    .map(|pr| (pr.loading / (1.0 - pr.loading)).sqrt())
                    .collect(),
                fixed: pl.projects.iter().map(|pr| pr.amount.mean()).collect(),
                drawn: pl
                    .projects
                    .iter()
                    .map(|pr| match &pr.amount {
                        Amount::Fixed(_) => None,
                        Amount::Drawn(m) => Some((**m).clone()),
                    })
                    .collect(),
                factor: pl.factor,
                members,
                n_aggregates: pl.aggregates.len(),
                tracked: tracked_targets(s),
            }
        });
        let peers = s.peers.as_ref().map(|pe| {
            for r in &pe.ranks {
                hooks[r.indicator] = Hook::Rank(r.peer);
            }
            PeersModel {
                factor: pe.factor,
                indicators: pe
                    .indicators
                    .iter()
                    .map(|pi| PeerColumns {
                        common: pi.loading.sqrt(),
                        own: (1.0 - pi.loading).sqrt(),
                        marginals: pi.marginals.clone(),
                    })
                    .collect(),
                n_peers: pe.names.len(),
            }
        });
        Some(Extras {
            projects,
            peers,
            hooks,
        })
    }
}

/// The targets of a one-year scenario whose indicator reads a pipeline
/// aggregate (directly or through other indicators), each `(indicator,
/// rule)` once, in the order of the target sets.
pub fn tracked_targets(s: &Scenario) -> Vec<(usize, Rule)> {
    let by_aggregate = readers(s);
    let reads: Vec<bool> = (0..s.indicators.len())
        .map(|i| by_aggregate.iter().any(|r| r[i]))
        .collect();
    let mut out: Vec<(usize, Rule)> = Vec::new();
    for set in &s.target_sets {
        for t in &set.targets {
            if reads[t.indicator] && !out.iter().any(|&(i, r)| i == t.indicator && r == t.rule) {
                out.push((t.indicator, t.rule));
            }
        }
    }
    out
}

/// Per aggregate, per indicator: whether the indicator reads the aggregate
/// (is it, or reads it through other indicators' formulas).
pub fn readers(s: &Scenario) -> Vec<Vec<bool>> {
    let Some(pl) = &s.pipeline else {
        return Vec::new();
    };
    pl.aggregates
        .iter()
        .map(|a| {
            let mut reads = vec![false; s.indicators.len()];
            reads[a.indicator] = true;
            // Evaluation order puts every indicator after what it reads.
            for &i in &s.evaluation_order {
                let own = &s.indicators[i].name;
                let hit = s.indicators[i].expr.references().iter().any(|r| {
                    r.name != own.as_str() && s.indicator_index(r.name).is_some_and(|j| reads[j])
                });
                reads[i] |= hit;
            }
            reads
        })
        .collect()
}
