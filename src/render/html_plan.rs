//! The sections `report.html` has for a plan only: the plan's targets with
//! their probabilities, what the remaining years must deliver (required
//! path) and whether the plan is still reachable if next year's target is
//! met exactly; the fan charts; the indicators year by year; each driver's
//! persistence and its mean in every year.
//!
//! They are sections of the one report ([`super::html::report`]), so they
//! keep its promises: no network requests, scenario text escaped, readable
//! printed.

use super::fan::Drawn;
use super::format;
use super::html::{self, escape, label_cell, probability_cells};
use super::table::thousands;
use crate::scenario::horizon::Measure;
use crate::scenario::{Kind, Meta, Scenario};
use crate::summary::Summary;
use crate::summary::plan::{PlanTargetSummary, kind_of};

fn meta_of<'a>(s: &'a Scenario, name: &str) -> Option<&'a Meta> {
    s.indicators
        .iter()
        .find(|i| i.name == name)
        .map(|i| &i.meta)
}

fn indicator_cell(s: &Scenario, name: &str) -> String {
    let m = meta_of(s, name);
    label_cell(
        name,
        m.and_then(|m| m.label.as_deref()),
        m.and_then(|m| m.label_en.as_deref()),
    )
}

/// The kind the plan target's rule reads in: the indicator's for a level,
/// a rate for growth.
fn measure_kind(s: &Scenario, t: &PlanTargetSummary) -> Kind {
    match t.measure {
        Measure::Level => kind_of(s, &t.indicator),
        _ => Kind::Rate,
    }
}

fn measure_text(t: &PlanTargetSummary) -> &'static str {
    match t.measure {
        Measure::Level => "level",
        Measure::CumulativeGrowth => "cumulative growth",
        Measure::AverageGrowth => "average annual growth",
    }
}

/// The plan targets section (`None` without `[plan_targets]`).
pub(crate) fn plan(s: &Scenario, sum: &Summary) -> Option<String> {
    let p = sum.plan_targets.as_ref()?;
    let mut out = String::new();
    let label = match (&p.label, &p.label_en) {
        (Some(a), Some(b)) => format!("{a} · {b}"),
        (Some(a), None) | (None, Some(a)) => a.clone(),
        (None, None) => "the plan's targets".into(),
    };
    out.push_str(&format!(
        "<p>{}: all {} targets are met together in <strong>{}</strong> of simulated paths (se {:.2} points).</p>\n",
        escape(&label),
        p.targets.len(),
        format::probability(p.joint_probability),
        p.joint_se * 100.0
    ));
    let worded = p.targets.iter().any(|t| t.wording.is_some());
    out.push_str(&format!(
        "<table class=\"keep\"><thead><tr><th>year</th><th>indicator</th><th>measure</th><th>target</th>{}<th class=\"num\">level needed</th><th class=\"num\">P(met)</th><th class=\"num\">se (points)</th></tr></thead><tbody>\n",
        if worded { "<th>wording</th>" } else { "" }
    ));
    for t in &p.targets {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}<td class=\"num\">{}</td>{}</tr>\n",
            t.year,
            indicator_cell(s, &t.indicator),
            measure_text(t),
            escape(&super::chart::rule_text(&t.rule, measure_kind(s, t))),
            if worded {
                format!("<td>{}</td>", escape(t.wording.as_deref().unwrap_or("")))
            } else {
                String::new()
            },
            format::value(t.level_needed, kind_of(s, &t.indicator)),
            probability_cells(t.probability, t.se),
        ));
    }
    out.push_str(&format!(
        "<tr class=\"joint\"><td colspan=\"{}\">all {} together</td>{}</tr>\n</tbody></table>\n",
        if worded { 6 } else { 5 },
        p.targets.len(),
        probability_cells(p.joint_probability, p.joint_se)
    ));
    out.push_str("<p class=\"note\">Level needed: the indicator's value in the target year that the target stands for (a growth target turned into a level from the year-0 value).</p>\n");

    let paths: Vec<&PlanTargetSummary> = p
        .targets
        .iter()
        .filter(|t| t.required_path.is_some())
        .collect();
    if !paths.is_empty() {
        out.push_str("<h3>What the remaining years must deliver</h3>\n<p>For each simulated path, the average annual growth the years after the first would need to reach the level needed, given where that path stands after the first year; beside it, the growth the paths actually took over the same years.</p>\n");
        out.push_str("<table class=\"keep\"><thead><tr><th>target</th><th>years</th><th class=\"num\">growth needed: median</th><th class=\"num\">10% – 90%</th><th class=\"num\">growth simulated: median</th><th class=\"num\">10% – 90%</th></tr></thead><tbody>\n");
        for t in paths {
            let Some(rp) = &t.required_path else {
                continue;
            };
            let r = |x: f64| format::value(x, Kind::Rate);
            out.push_str(&format!(
                "<tr><td><code>{}</code> {} {} in {}</td><td class=\"num\">{}–{}</td><td class=\"num\">{}</td><td class=\"num\">{} – {}</td><td class=\"num\">{}</td><td class=\"num\">{} – {}</td></tr>\n",
                escape(&t.indicator),
                measure_text(t),
                escape(&super::chart::rule_text(&t.rule, measure_kind(s, t))),
                t.year,
                rp.from_year,
                rp.to_year,
                r(rp.quantiles.p50),
                r(rp.quantiles.p10),
                r(rp.quantiles.p90),
                r(rp.simulated.p50),
                r(rp.simulated.p10),
                r(rp.simulated.p90),
            ));
        }
        out.push_str("</tbody></table>\n");
    }

    let first = sum.years[0].year.unwrap_or_default();
    if p.targets.iter().any(|t| !t.reachable_if_met.is_empty()) {
        out.push_str(&format!(
            "<h3>Still reachable if {first}'s target is met exactly?</h3>\n<p>The share of simulated paths that meet the plan target among those whose {first} value lies nearest to the {first} target of each set (persistence and correlations included).</p>\n"
        ));
        out.push_str(&format!(
            "<table class=\"keep\"><thead><tr><th>plan target</th><th>if in {first}</th><th>target set</th><th class=\"num\">paths used</th><th class=\"num\">P(plan target met)</th><th class=\"num\">se (points)</th></tr></thead><tbody>\n"
        ));
        for t in &p.targets {
            for r in &t.reachable_if_met {
                let ck = kind_of(s, &r.indicator);
                out.push_str(&format!(
                    "<tr><td><code>{}</code> {} {}</td><td><code>{}</code> = {} <span class=\"note\">({} – {})</span></td><td><code>{}</code></td><td class=\"num\">{}</td>{}</tr>\n",
                    escape(&t.indicator),
                    measure_text(t),
                    escape(&super::chart::rule_text(&t.rule, measure_kind(s, t))),
                    escape(&r.indicator),
                    format::threshold(r.value, ck),
                    format::threshold(r.band_low, ck),
                    format::threshold(r.band_high, ck),
                    escape(&r.target_set),
                    thousands(r.band_draws),
                    probability_cells(r.probability, r.se),
                ));
            }
        }
        out.push_str("</tbody></table>\n");
    }
    Some(out)
}

/// The indicators with a target first (in the scenario's order), then the others.
pub(crate) fn fan_figures(sum: &Summary, fans: &[Drawn]) -> String {
    let targeted = |name: &str| {
        sum.target_sets
            .values()
            .any(|set| set.targets.iter().any(|t| t.indicator == name))
            || sum
                .plan_targets
                .as_ref()
                .is_some_and(|p| p.targets.iter().any(|t| t.indicator == name))
    };
    let mut out = String::from(
        "<p class=\"note\">Each chart: the median path as a line, nested bands for the central 10%, 20%, …, 90% of simulated paths (darkest inside), history before the horizon in black, annual targets as crosses, plan targets as diamonds.</p>\n",
    );
    let (with, without): (Vec<&Drawn>, Vec<&Drawn>) =
        fans.iter().partition(|f| targeted(&f.indicator));
    for (heading, group) in [
        ("Indicators with a target", with),
        ("Other indicators", without),
    ] {
        if group.is_empty() {
            continue;
        }
        out.push_str(&format!("<h3>{heading}</h3>\n"));
        for f in group {
            out.push_str(&html::chart_figure(&f.stem, &f.title, &f.svg));
        }
    }
    out
}

/// The indicators, a column per year: each cell the median and the 10–90% range.
pub(crate) fn indicators_by_year(s: &Scenario, sum: &Summary) -> String {
    let mut out = String::from("<table><thead><tr><th>indicator</th><th>label</th>");
    for y in &sum.years {
        out.push_str(&format!(
            "<th class=\"num\">{}</th>",
            y.year.unwrap_or_default()
        ));
    }
    out.push_str("<th>unit</th></tr></thead><tbody>\n");
    for ind in &s.indicators {
        let kind = ind.meta.kind;
        out.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td>",
            escape(&ind.name),
            indicator_cell(s, &ind.name)
        ));
        for year in &sum.years {
            match year.indicators.get(&ind.name) {
                Some(v) => {
                    let q = &v.quantiles;
                    out.push_str(&format!(
                        "<td class=\"num\">{}<br><span class=\"note\">{} – {}</span></td>",
                        format::value(q.p50, kind),
                        format::value(q.p10, kind),
                        format::value(q.p90, kind)
                    ));
                }
                None => out.push_str("<td></td>"),
            }
        }
        let unit = match kind {
            Kind::Rate => "%".to_string(),
            _ => ind.meta.unit.clone().unwrap_or_default(),
        };
        out.push_str(&format!("<td>{}</td></tr>\n", escape(&unit)));
    }
    out.push_str("</tbody></table>\n<p class=\"note\">Each cell: the median, and below it the 10% – 90% range (80% of simulated paths fall between the two). Quantiles are type 7.</p>\n");
    out
}

/// Each driver's persistence and mean in every year (empty for one year).
pub(crate) fn drivers_by_year(s: &Scenario, sum: &Summary) -> String {
    let Some(h) = &s.horizon else {
        return String::new();
    };
    let mut out = String::from(
        "<h3>Drivers by year</h3>\n<p>The table of uncertain drivers above shows their first year. Here: each driver's mean in every year, and its persistence, the AR(1) coefficient of its normal score from one year to the next (0: years independent; 0.5: a bad year tends to be followed by a weak one).</p>\n<table><thead><tr><th>driver</th><th class=\"num\">persistence</th>",
    );
    for y in &sum.years {
        out.push_str(&format!(
            "<th class=\"num\">{}</th>",
            y.year.unwrap_or_default()
        ));
    }
    out.push_str("</tr></thead><tbody>\n");
    for (d, path) in s.drivers.iter().zip(&h.drivers) {
        out.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{:.2}</td>",
            label_cell(&d.name, d.meta.label.as_deref(), Some(&d.name)),
            path.persistence
        ));
        for y in &path.per_year {
            out.push_str(&format!(
                "<td class=\"num\">{}</td>",
                format::value(y.marginal.mean(), d.meta.kind)
            ));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    out
}
