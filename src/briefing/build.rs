//! [`build`]: the briefing of a run, from its scenario and summary.

use super::probe::{Probe, Shape};
use super::publish;
use super::*;
use crate::scenario::Scenario;
use crate::scenario::horizon::Measure;
use crate::summary::{IndicatorSummary, Summary, TargetSummary, proportion_se};

/// An `about`/`range` target keeps its shape when the half-width it needs
/// is at most this many rounding steps for a rate or a count (1 point at
/// the default half-point step)...
pub const ABOUT_MAX_STEPS: f64 = 2.0;
/// ... or at most this share of the centre for a level. Wider than that,
/// "左右" promises a precision the district cannot deliver, and the
/// briefing advises stating the target as "at least".
pub const ABOUT_MAX_SHARE: f64 = 0.05;

/// The briefing of a run: verdicts, counts, recommendations, the upper
/// level read against the district, the plan.
pub fn build(s: &Scenario, summary: &Summary, settings: &Settings) -> Briefing {
    let lang = settings.lang;
    let upper_set = s.upper_level.and_then(|u| s.target_sets.get(u));
    let sets = summary
        .target_sets
        .iter()
        .enumerate()
        .map(|(si, (name, set))| {
            let is_upper = s.upper_level == Some(si);
            let upper = (!is_upper)
                .then(|| {
                    upper_set.and_then(|u| {
                        summary
                            .target_sets
                            .get(&u.name)
                            .map(|t| (u.name.clone(), t))
                    })
                })
                .flatten();
            let targets: Vec<TargetBriefing> = set
                .targets
                .iter()
                .enumerate()
                .map(|(ti, t)| {
                    let probes: Vec<&Probe> = summary
                        .probes
                        .iter()
                        .filter(|p| p.set == si && p.target == ti)
                        .collect();
                    target(s, summary, settings, t, &probes, is_upper, upper.as_ref())
                })
                .collect();
            let mut counts = [0usize; 3];
            for t in &targets {
                counts[match t.verdict {
                    Verdict::High => 0,
                    Verdict::Fit => 1,
                    Verdict::Low => 2,
                }] += 1;
            }
            SetBriefing {
                name: name.clone(),
                label: lang
                    .label(set.label.as_deref(), set.label_en.as_deref(), name)
                    .to_string(),
                upper_level: is_upper,
                joint: set.joint_probability,
                joint_se: set.joint_se,
                independent: set.independent_product,
                counts,
                targets,
            }
        })
        .collect();
    Briefing {
        settings: settings.clone(),
        sets,
        plan: plan(s, summary, lang),
    }
}

fn target(
    s: &Scenario,
    summary: &Summary,
    settings: &Settings,
    t: &TargetSummary,
    probes: &[&Probe],
    is_upper: bool,
    upper: Option<&(String, &crate::summary::TargetSetSummary)>,
) -> TargetBriefing {
    let lang = settings.lang;
    let ind = summary.indicator(&t.indicator, t.year);
    let i = s.indicator_index(&t.indicator);
    let meta = i.map(|i| &s.indicators[i].meta);
    let kind = meta.map_or(crate::scenario::Kind::Level, |m| m.kind);
    let unit = meta.and_then(|m| m.unit.clone());
    let label = meta
        .map(|m| lang.meta_label(m, &t.indicator).to_string())
        .unwrap_or_else(|| t.indicator.clone());
    let recommendation = if is_upper {
        None
    } else {
        recommend(
            t,
            kind,
            unit.as_deref(),
            settings,
            probes,
            ind,
            summary.draws,
        )
    };
    let upper = upper.and_then(|(name, set)| {
        let u = set
            .targets
            .iter()
            .find(|u| u.indicator == t.indicator && u.year == t.year)?;
        let percentile = match u.rule {
            // Share of draws below the upper level's threshold: exact, from
            // the same draws' count of the upper level's own target.
            crate::scenario::Rule::AtLeast { .. } => 100.0 * (1.0 - u.probability),
            crate::scenario::Rule::AtMost { .. } => 100.0 * u.probability,
            _ => 100.0 * ind.map_or(f64::NAN, |x| cdf(x, u.rule.reference_value())),
        };
        let scale = if kind == crate::scenario::Kind::Rate {
            100.0
        } else {
            1.0
        };
        Some(UpperComparison {
            set: name.clone(),
            rule: u.rule,
            probability: u.probability,
            percentile,
            gap: (t.rule.reference_value() - u.rule.reference_value()) * scale,
        })
    });
    TargetBriefing {
        indicator: t.indicator.clone(),
        year: t.year,
        label,
        unit: unit.clone(),
        kind,
        rule: t.rule,
        wording: t.wording.clone(),
        text: publish::text(&t.rule, kind, unit.as_deref(), lang),
        probability: t.probability,
        se: t.se,
        verdict: Verdict::of(t.probability, &settings.bands),
        recommendation,
        upper,
    }
}

/// The publishable recommendation of one target.
fn recommend(
    t: &TargetSummary,
    kind: crate::scenario::Kind,
    unit: Option<&str>,
    settings: &Settings,
    probes: &[&Probe],
    ind: Option<&IndicatorSummary>,
    draws: u64,
) -> Option<Recommendation> {
    use crate::scenario::Rule;
    let lang = settings.lang;
    let c = settings.confidence;
    let of = |shape: fn(&Shape) -> bool| probes.iter().find(|p| shape(&p.shape)).copied();
    let at_least = of(|s| matches!(s, Shape::AtLeast));
    let counted = |p: Option<&Probe>| -> Option<(Rule, f64, f64)> {
        let p = p?;
        let (rule, met) = p.choose(c)?;
        let prob = met as f64 / p.draws as f64;
        Some((rule, prob, proportion_se(prob, p.draws)))
    };
    let make = |rule: Rule, prob: f64, se: f64, advice: Option<String>| Recommendation {
        rule,
        text: publish::text(&rule, kind, unit, lang),
        probability: prob,
        se,
        advice,
    };
    let approximate = || {
        lang.t(
            "（概率由分位数表插值估计，非逐次计数）",
            " (probability interpolated from the quantile table, not counted)",
        )
        .to_string()
    };
    match t.rule {
        Rule::AtLeast { .. } | Rule::AtMost { .. } => {
            let probe = match t.rule {
                Rule::AtLeast { .. } => at_least,
                _ => of(|s| matches!(s, Shape::AtMost)),
            };
            if let Some((rule, p, se)) = counted(probe) {
                return Some(make(rule, p, se, None));
            }
            // Not probed (a merge of shards) or not bracketed: the
            // quantile table, interpolated, rounded the same way.
            let ind = ind?;
            let (rule, p) = fallback_one_sided(t.rule, kind, settings, ind)?;
            Some(make(rule, p, proportion_se(p, draws), Some(approximate())))
        }
        Rule::About { .. } | Rule::Range { .. } => {
            let half = of(|s| matches!(s, Shape::HalfWidth { .. }));
            let fits = |rule: &Rule, step: f64| {
                let (centre, h) = match *rule {
                    Rule::About { value, tolerance } => (value, tolerance),
                    Rule::Range { low, high } => (0.5 * (low + high), 0.5 * (high - low)),
                    _ => return false,
                };
                match kind {
                    crate::scenario::Kind::Level => h <= ABOUT_MAX_SHARE * centre.abs(),
                    _ => h <= ABOUT_MAX_STEPS * step * (1.0 + 1e-9),
                }
            };
            if let (Some(p), Some((rule, prob, se))) = (half, counted(half))
                && fits(&rule, p.step)
            {
                return Some(make(rule, prob, se, None));
            }
            // Too wide to publish as 左右 / 区间: state it as "at least".
            let wide = match (half, counted(half)) {
                (Some(_), Some((rule, _, _))) => publish::text(&rule, kind, unit, lang),
                _ => String::new(),
            };
            let advice = if wide.is_empty() {
                lang.t("建议改为“以上”表述", "state it as \"at least\"")
                    .to_string()
            } else {
                match lang {
                    crate::render::lang::Lang::Zh => {
                        format!(
                            "要达到{:.0}%的把握需写成{wide}，区间过宽，建议改为“以上”表述",
                            c * 100.0
                        )
                    }
                    crate::render::lang::Lang::En => format!(
                        "{:.0}% confidence would need {wide}, too wide to publish; state it as \"at least\"",
                        c * 100.0
                    ),
                }
            };
            if let Some((rule, p, se)) = counted(at_least) {
                return Some(make(rule, p, se, Some(advice)));
            }
            let ind = ind?;
            let (rule, p) = fallback_one_sided(
                Rule::AtLeast {
                    threshold: t.rule.reference_value(),
                },
                kind,
                settings,
                ind,
            )?;
            Some(make(
                rule,
                p,
                proportion_se(p, draws),
                Some(format!("{advice}{}", approximate())),
            ))
        }
    }
}

/// A one-sided recommendation from the quantile table (linear between the
/// reported levels), for a run whose candidates were not counted.
fn fallback_one_sided(
    rule: crate::scenario::Rule,
    kind: crate::scenario::Kind,
    settings: &Settings,
    ind: &IndicatorSummary,
) -> Option<(crate::scenario::Rule, f64)> {
    use crate::scenario::Rule;
    let c = settings.confidence;
    let step = |x: f64| publish::step(kind, None, x);
    match rule {
        Rule::AtLeast { .. } => {
            let q = quantile(ind, 1.0 - c)?;
            let t = publish::floor_to(q, step(q));
            Some((Rule::AtLeast { threshold: t }, 1.0 - cdf(ind, t)))
        }
        Rule::AtMost { .. } => {
            let q = quantile(ind, c)?;
            let t = publish::ceil_to(q, step(q));
            Some((Rule::AtMost { threshold: t }, cdf(ind, t)))
        }
        _ => None,
    }
}

/// The quantile at level `p`, linear between the reported levels.
fn quantile(ind: &IndicatorSummary, p: f64) -> Option<f64> {
    let pairs = ind.quantiles.pairs();
    pairs.windows(2).find_map(|w| {
        let ((a, x), (b, y)) = (w[0], w[1]);
        (a <= p && p <= b).then(|| x + (y - x) * (p - a) / (b - a))
    })
}

/// P(X < x), linear between the reported quantiles, clamped to [0.01, 0.99]
/// outside them.
fn cdf(ind: &IndicatorSummary, x: f64) -> f64 {
    let pairs = ind.quantiles.pairs();
    if x <= pairs[0].1 {
        return pairs[0].0;
    }
    for w in pairs.windows(2) {
        let ((a, lo), (b, hi)) = (w[0], w[1]);
        if x <= hi {
            return if hi > lo {
                a + (b - a) * (x - lo) / (hi - lo)
            } else {
                b
            };
        }
    }
    pairs[pairs.len() - 1].0
}

/// The plan's headline.
fn plan(s: &Scenario, summary: &Summary, lang: crate::render::lang::Lang) -> Option<PlanBriefing> {
    let plan = summary.plan_targets.as_ref()?;
    // "Still reachable" is read for the district's own first-year target:
    // the first set that is not the upper level's.
    let district = s
        .target_sets
        .iter()
        .enumerate()
        .find(|(i, _)| s.upper_level != Some(*i))
        .map(|(_, t)| t.name.as_str());
    let targets = plan
        .targets
        .iter()
        .map(|t| {
            let kind = crate::summary::plan::kind_of(s, &t.indicator);
            let unit = s
                .indicator_index(&t.indicator)
                .and_then(|i| s.indicators[i].meta.unit.clone());
            let measured = match t.measure {
                Measure::Level => (kind, unit.as_deref()),
                _ => (crate::scenario::Kind::Rate, None),
            };
            let rule_text = publish::text(&t.rule, measured.0, measured.1, lang);
            let text = match (lang, t.measure) {
                (crate::render::lang::Lang::Zh, _) if t.wording.is_some() => {
                    t.wording.clone().unwrap_or_default()
                }
                (crate::render::lang::Lang::Zh, Measure::Level) => {
                    format!("{}年{}", t.year, rule_text)
                }
                (crate::render::lang::Lang::Zh, Measure::AverageGrowth) => {
                    format!("年均增长{rule_text}")
                }
                (crate::render::lang::Lang::Zh, Measure::CumulativeGrowth) => {
                    format!("累计增长{rule_text}")
                }
                (crate::render::lang::Lang::En, Measure::Level) => {
                    format!("{rule_text} in {}", t.year)
                }
                (crate::render::lang::Lang::En, Measure::AverageGrowth) => {
                    format!("average annual growth {rule_text}")
                }
                (crate::render::lang::Lang::En, Measure::CumulativeGrowth) => {
                    format!("cumulative growth {rule_text}")
                }
            };
            let reachable_if_met = t
                .reachable_if_met
                .iter()
                .find(|r| Some(r.target_set.as_str()) == district)
                .or(t.reachable_if_met.first())
                .map(|r| r.probability);
            PlanTargetBriefing {
                indicator: t.indicator.clone(),
                year: t.year,
                text,
                probability: t.probability,
                se: t.se,
                reachable_if_met,
            }
        })
        .collect();
    Some(PlanBriefing {
        joint: plan.joint_probability,
        joint_se: plan.joint_se,
        targets,
    })
}
