//! `report.html` of a multi-year run: the plan's targets with their
//! probabilities, what the remaining years must deliver (required path) and
//! whether the plan is still reachable if next year's target is met exactly;
//! every target set by year; the fan charts inline; the indicators year by
//! year; the assumptions (as for one year, plus each driver's persistence
//! and its mean in every year); and what is needed to reproduce the run.
//!
//! Built from the same [`Report`] and helpers as the one-year report, so it
//! keeps its promises: no network requests, scenario text escaped, readable
//! printed.

use super::fan::Drawn;
use super::format;
use super::html::{self, Report, Section, escape, label_cell};
use super::table::thousands;
use crate::scenario::horizon::Measure;
use crate::scenario::{Kind, Meta, Scenario};
use crate::summary::years::{PlanTargetSummary, YearSummary, kind_of};

/// The whole report. `fans` may be empty (then no figures).
pub fn report(s: &Scenario, sum: &YearSummary, fans: &[Drawn]) -> Report {
    let mut r = Report::new(&s.title);
    r.lead = html::lead(s, sum.into());
    r.lead.push_str(&format!(
        "<p class=\"meta\">Years {}–{}, from year 0 = {} (the base values).</p>\n",
        sum.horizon.years.first().copied().unwrap_or_default(),
        sum.horizon.years.last().copied().unwrap_or_default(),
        sum.horizon.base_year
    ));
    if let Some(body) = plan(s, sum) {
        r.push(Section::new("plan", "Plan targets", body));
    }
    r.push(Section::new("targets", "Targets by year", targets(s, sum)));
    if !fans.is_empty() {
        r.push(Section::new("fans", "Fan charts", fan_figures(sum, fans)));
    }
    r.push(Section::new(
        "indicators",
        "Indicators by year",
        indicators(s, sum),
    ));
    let mut assumptions = html::assumptions(s);
    assumptions.push_str(&drivers_by_year(s, sum));
    r.push(Section::new("assumptions", "Assumptions", assumptions));
    r.push(Section::new(
        "reproducibility",
        "Reproducibility",
        html::reproducibility(s, sum.into()),
    ));
    r
}

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

fn probability_cells(p: f64, se: f64) -> String {
    format!(
        "<td class=\"num\">{}</td><td class=\"num\">{:.2}</td>",
        format::probability(p),
        se * 100.0
    )
}

fn plan(s: &Scenario, sum: &YearSummary) -> Option<String> {
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

    let first = sum.horizon.years.first().copied().unwrap_or_default();
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

fn targets(s: &Scenario, sum: &YearSummary) -> String {
    let mut out = String::new();
    if sum.target_sets.is_empty() {
        out.push_str("<p>The scenario sets no annual targets.</p>\n");
    }
    for (name, set) in &sum.target_sets {
        let label = match (&set.label, &set.label_en) {
            (Some(a), Some(b)) => format!("{a} · {b}"),
            (Some(a), None) | (None, Some(a)) => a.clone(),
            (None, None) => name.clone(),
        };
        out.push_str(&format!(
            "<h3 id=\"set-{}\">Target set {} <code>{}</code></h3>\n",
            escape(name),
            escape(&label),
            escape(name)
        ));
        if set.targets.len() > 1 {
            out.push_str(&format!(
                "<p>All {} targets are met together in <strong>{}</strong> of simulated paths (se {:.2} points); if the targets were independent it would be {}.</p>\n",
                set.targets.len(),
                format::probability(set.joint_probability),
                set.joint_se * 100.0,
                format::probability(set.independent_product),
            ));
        }
        let worded = set.targets.iter().any(|t| t.wording.is_some());
        out.push_str(&format!(
            "<table class=\"keep\"><thead><tr><th>year</th><th>indicator</th><th>target</th>{}<th class=\"num\">P(met)</th><th class=\"num\">se (points)</th></tr></thead><tbody>\n",
            if worded { "<th>wording</th>" } else { "" }
        ));
        for t in &set.targets {
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td>{}{}</tr>\n",
                t.year,
                indicator_cell(s, &t.indicator),
                escape(&super::chart::rule_text(&t.rule, kind_of(s, &t.indicator))),
                if worded {
                    format!("<td>{}</td>", escape(t.wording.as_deref().unwrap_or("")))
                } else {
                    String::new()
                },
                probability_cells(t.probability, t.se),
            ));
        }
        out.push_str(&format!(
            "<tr class=\"joint\"><td colspan=\"{}\">all {} together</td>{}</tr>\n</tbody></table>\n",
            if worded { 4 } else { 3 },
            set.targets.len(),
            probability_cells(set.joint_probability, set.joint_se)
        ));
    }
    out
}

/// The indicators with a target first (in the scenario's order), then the others.
fn fan_figures(sum: &YearSummary, fans: &[Drawn]) -> String {
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

fn indicators(s: &Scenario, sum: &YearSummary) -> String {
    let mut out = String::from("<table><thead><tr><th>indicator</th><th>label</th>");
    for y in sum.years.keys() {
        out.push_str(&format!("<th class=\"num\">{}</th>", escape(y)));
    }
    out.push_str("<th>unit</th></tr></thead><tbody>\n");
    for ind in &s.indicators {
        let kind = ind.meta.kind;
        out.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td>",
            escape(&ind.name),
            indicator_cell(s, &ind.name)
        ));
        for year in sum.years.values() {
            match year.indicators.get(&ind.name) {
                Some(v) => {
                    let q = &v.summary.quantiles;
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

fn drivers_by_year(s: &Scenario, sum: &YearSummary) -> String {
    let Some(h) = &s.horizon else {
        return String::new();
    };
    let mut out = String::from(
        "<h3>Drivers by year</h3>\n<p>The table of uncertain drivers above shows their first year. Here: each driver's mean in every year, and its persistence, the AR(1) coefficient of its normal score from one year to the next (0: years independent; 0.5: a bad year tends to be followed by a weak one).</p>\n<table><thead><tr><th>driver</th><th class=\"num\">persistence</th>",
    );
    for y in &sum.horizon.years {
        out.push_str(&format!("<th class=\"num\">{y}</th>"));
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
