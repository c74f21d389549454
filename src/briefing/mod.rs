//! The planner's briefing: the answer to "neither too high nor too low"
//! (不高不低) for each target set. Verdicts (偏高 / 适中 / 偏低), publishable
//! recommended targets, the upper level's targets read against the
//! district's distribution, and for a plan whether it stays reachable.
//!
//! These types are what the report's headline (结论), the printed headline
//! and the target ladder chart (`charts/ladder-<set>.svg`) are drawn from,
//! so the three always say the same thing. [`Settings`] carries the choices
//! a scenario or the command line can make about them.

mod build;
pub mod probe;
pub mod publish;

pub use build::build;

use crate::render::lang::Lang;
use crate::scenario::{Kind, Rule};
use crate::summary::Quantiles;

/// Choices about the briefing shared by every output that shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Language of reports, charts and printed tables.
    pub lang: Lang,
    /// Probability a recommended target should be met with (default 0.7).
    pub confidence: f64,
    /// Where 偏高 ends and 偏低 begins.
    pub bands: Bands,
    /// The one interval every table, band, shading, sparkline and fan shows.
    pub interval: Interval,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: Lang::Zh,
            confidence: 0.7,
            bands: Bands::default(),
            interval: Interval::default(),
        }
    }
}

/// Verdict bands on P(met): below `high_below` a target is 偏高 (too
/// high), above `low_above` it is 偏低 (too low), in between 适中.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bands {
    pub high_below: f64,
    pub low_above: f64,
}

impl Default for Bands {
    fn default() -> Self {
        Bands {
            high_below: 0.5,
            low_above: 0.9,
        }
    }
}

/// What a target's probability says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// 偏高: met with probability below `Bands::high_below`.
    High,
    /// 适中: between the bands.
    Fit,
    /// 偏低: met with probability above `Bands::low_above`.
    Low,
}

impl Verdict {
    /// The verdict on a target met with probability `p`.
    pub fn of(p: f64, bands: &Bands) -> Verdict {
        if p < bands.high_below {
            Verdict::High
        } else if p > bands.low_above {
            Verdict::Low
        } else {
            Verdict::Fit
        }
    }

    /// `偏高` / `too high`, and so on.
    pub fn text(self, lang: Lang) -> &'static str {
        match self {
            Verdict::High => lang.t("偏高", "too high"),
            Verdict::Fit => lang.t("适中", "about right"),
            Verdict::Low => lang.t("偏低", "too low"),
        }
    }
}

/// The central interval shown everywhere, from the quantiles every
/// summary keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interval {
    /// 10%–90% (the default: an 80% interval).
    #[default]
    P10P90,
    /// 5%–95%.
    P05P95,
    /// 25%–75%.
    P25P75,
}

impl Interval {
    /// Lower and upper probabilities.
    pub fn probabilities(self) -> (f64, f64) {
        match self {
            Interval::P10P90 => (0.10, 0.90),
            Interval::P05P95 => (0.05, 0.95),
            Interval::P25P75 => (0.25, 0.75),
        }
    }

    /// The interval's ends in an indicator's quantiles.
    pub fn bounds(self, q: &Quantiles) -> (f64, f64) {
        match self {
            Interval::P10P90 => (q.p10, q.p90),
            Interval::P05P95 => (q.p05, q.p95),
            Interval::P25P75 => (q.p25, q.p75),
        }
    }

    /// `10–90%`.
    pub fn label(self) -> &'static str {
        match self {
            Interval::P10P90 => "10–90%",
            Interval::P05P95 => "5–95%",
            Interval::P25P75 => "25–75%",
        }
    }
}

/// The briefing of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Briefing {
    pub settings: Settings,
    /// One per target set, in the scenario's order.
    pub sets: Vec<SetBriefing>,
    /// For a plan: its targets' joint probability and reachability.
    pub plan: Option<PlanBriefing>,
}

/// One target set's headline.
#[derive(Debug, Clone, PartialEq)]
pub struct SetBriefing {
    /// The set's code name.
    pub name: String,
    /// Its label in the briefing's language.
    pub label: String,
    /// Whether this is the scenario's `upper_level` set.
    pub upper_level: bool,
    /// P(every target met in the same draw) and its standard error.
    pub joint: f64,
    pub joint_se: f64,
    /// What the joint probability would be if the targets were independent.
    pub independent: f64,
    /// How many targets are 偏高, 适中, 偏低 (in that order).
    pub counts: [usize; 3],
    pub targets: Vec<TargetBriefing>,
}

/// One target's line in the headline and row in the ladder.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetBriefing {
    pub indicator: String,
    /// The target's year in a plan; `None` in a one-year run.
    pub year: Option<i32>,
    /// The indicator's label in the briefing's language.
    pub label: String,
    pub unit: Option<String>,
    pub kind: Kind,
    pub rule: Rule,
    /// 以上 / 左右 / 以内 / 区间, as the scenario words it.
    pub wording: Option<String>,
    /// The target as it would be published: `9%以上`.
    pub text: String,
    pub probability: f64,
    pub se: f64,
    pub verdict: Verdict,
    /// The publishable target met with probability about
    /// `Settings::confidence`; `None` when none can be given.
    pub recommendation: Option<Recommendation>,
    /// For a district's target that the upper level also sets: where the
    /// upper level's target sits in the district's distribution.
    pub upper: Option<UpperComparison>,
}

/// A publishable recommended target.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    /// The rounded rule (half a point for growth rates by default, three
    /// significant figures for levels, whole numbers for counts).
    pub rule: Rule,
    /// As it would be published, wording kept: `8.5%以上`, `9%左右`.
    pub text: String,
    /// P(met) of the rounded rule itself, and its standard error.
    pub probability: f64,
    pub se: f64,
    /// Advice in words when the rule's shape should change (for example,
    /// state an `about` target as "at least").
    pub advice: Option<String>,
}

/// The upper level's target on the same indicator, read against the
/// district's simulated distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct UpperComparison {
    /// The upper level's set (code name) and its target's rule.
    pub set: String,
    pub rule: Rule,
    /// P(district meets the upper level's target).
    pub probability: f64,
    /// The percentile of the district's distribution at the upper level's
    /// threshold (0–100).
    pub percentile: f64,
    /// District's threshold minus the upper level's, in percentage points
    /// for rates, in the indicator's unit otherwise.
    pub gap: f64,
}

/// A plan's headline.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanBriefing {
    /// P(every plan target met).
    pub joint: f64,
    pub joint_se: f64,
    /// One line per plan target.
    pub targets: Vec<PlanTargetBriefing>,
}

/// One plan target's headline line.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanTargetBriefing {
    pub indicator: String,
    pub year: i32,
    /// `年均增长 ≥ 8.5%`, in its own measure.
    pub text: String,
    pub probability: f64,
    pub se: f64,
    /// P(plan target met | next year's draft target met), when the plan
    /// summary computes it.
    pub reachable_if_met: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_follow_the_bands_with_their_edges_in_the_middle_band() {
        let b = Bands::default();
        assert_eq!(Verdict::of(0.49, &b), Verdict::High);
        assert_eq!(Verdict::of(0.5, &b), Verdict::Fit);
        assert_eq!(Verdict::of(0.9, &b), Verdict::Fit);
        assert_eq!(Verdict::of(0.91, &b), Verdict::Low);
        assert_eq!(Verdict::High.text(Lang::Zh), "偏高");
    }
}
