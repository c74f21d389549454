//! The table `run` prints for a multi-year scenario: each indicator's median
//! and 10–90% range per year, each target set's targets by year, and the
//! plan targets with their required path.

use super::format;
use super::table::{pad, pad_left, thousands};
use crate::scenario::Kind;
use crate::scenario::Scenario;
use crate::scenario::horizon::Measure;
use crate::summary::years::{YearSummary, kind_of};

const COL: usize = 17;

fn label_of(l: &Option<String>, e: &Option<String>) -> String {
    match (l, e) {
        (Some(a), Some(b)) => format!("  {a} {b}"),
        (Some(a), None) | (None, Some(a)) => format!("  {a}"),
        _ => String::new(),
    }
}

pub fn render(scenario: &Scenario, s: &YearSummary) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{}\n{} draws, seed {}, scenario {} ({}), years {}–{} from {}\n\n",
        scenario.title,
        thousands(s.draws),
        s.seed,
        scenario.name,
        &s.scenario.hash[..s.scenario.hash.len().min(19)],
        s.horizon.years[0],
        s.horizon.years[s.horizon.years.len() - 1],
        s.horizon.base_year,
    ));
    let name_w = scenario
        .indicators
        .iter()
        .map(|i| i.name.len())
        .max()
        .unwrap_or(9)
        .max(9);
    let mut head = format!("{}  ", pad("indicator", name_w));
    for y in s.years.keys() {
        head.push_str(&pad_left(y, COL));
    }
    out.push_str(&head);
    out.push('\n');
    out.push_str(&format!(
        "{}  median, and 10% – 90% below it\n",
        pad("", name_w)
    ));
    for ind in &scenario.indicators {
        let kind = ind.meta.kind;
        let mut med = format!("{}  ", pad(&ind.name, name_w));
        let mut range = format!("{}  ", pad("", name_w));
        for year in s.years.values() {
            let Some(v) = year.indicators.get(&ind.name) else {
                continue;
            };
            let q = &v.summary.quantiles;
            med.push_str(&pad_left(&format::value(q.p50, kind), COL));
            range.push_str(&pad_left(
                &format!(
                    "{} – {}",
                    format::value(q.p10, kind),
                    format::value(q.p90, kind)
                ),
                COL,
            ));
        }
        let unit = if kind == Kind::Level {
            ind.meta.unit.clone().unwrap_or_default()
        } else {
            String::new()
        };
        let label = ind.meta.label.clone().unwrap_or_default();
        out.push_str(&format!("{med}  {label}\n{range}  {unit}\n"));
    }
    for (name, set) in &s.target_sets {
        out.push_str(&format!(
            "\ntarget set {name}{}\n",
            label_of(&set.label, &set.label_en)
        ));
        for t in &set.targets {
            let kind = kind_of(scenario, &t.indicator);
            let rule = t.rule.describe(|x| format::threshold(x, kind));
            out.push_str(&format!(
                "  {}  {}  {}  {}{}\n",
                t.year,
                pad(&t.indicator, name_w),
                pad(&rule, 16),
                pad_left(
                    &format!(
                        "{} (se {:.2})",
                        format::probability(t.probability),
                        t.se * 100.0
                    ),
                    18
                ),
                t.wording
                    .as_deref()
                    .map(|w| format!("  {w}"))
                    .unwrap_or_default()
            ));
        }
        out.push_str(&format!(
            "  {}  {}  {}   (if independent: {})\n",
            pad(&format!("all {} together", set.targets.len()), name_w + 6),
            pad("", 16),
            pad_left(
                &format!(
                    "{} (se {:.2})",
                    format::probability(set.joint_probability),
                    set.joint_se * 100.0
                ),
                18
            ),
            format::probability(set.independent_product)
        ));
    }
    if let Some(plan) = &s.plan_targets {
        out.push_str(&format!(
            "\nplan targets{}\n",
            label_of(&plan.label, &plan.label_en)
        ));
        for t in &plan.targets {
            let kind = match t.measure {
                Measure::Level => kind_of(scenario, &t.indicator),
                _ => Kind::Rate,
            };
            let what = match t.measure {
                Measure::Level => t.indicator.clone(),
                Measure::CumulativeGrowth => format!("{} cumulative growth", t.indicator),
                Measure::AverageGrowth => format!("{} average growth", t.indicator),
            };
            let rule = t.rule.describe(|x| format::threshold(x, kind));
            out.push_str(&format!(
                "  {}  {}  {}  {}{}\n",
                t.year,
                pad(&what, 32),
                pad(&rule, 10),
                pad_left(
                    &format!(
                        "{} (se {:.2})",
                        format::probability(t.probability),
                        t.se * 100.0
                    ),
                    18
                ),
                t.wording
                    .as_deref()
                    .map(|w| format!("  {w}"))
                    .unwrap_or_default()
            ));
            if let Some(rp) = t
                .required_path
                .as_ref()
                .filter(|rp| !rp.quantiles.p50.is_finite())
            {
                out.push_str(&format!(
                    "        required path: not defined: the first-year value of {} is not positive in any of the {} draws (growth needs a positive start)\n",
                    t.indicator, rp.excluded_draws
                ));
            }
            if let Some(rp) = t
                .required_path
                .as_ref()
                .filter(|rp| rp.quantiles.p50.is_finite())
            {
                let lk = kind_of(scenario, &t.indicator);
                out.push_str(&format!(
                    "        required path: to reach {} in {}, {} must grow {} a year over {}–{} (median over draws; 10% – 90%: {} – {}); it grows {} a year in the median draw\n",
                    format::value(t.level_needed, lk),
                    t.year,
                    t.indicator,
                    format::value(rp.quantiles.p50, Kind::Rate),
                    rp.from_year,
                    rp.to_year,
                    format::value(rp.quantiles.p10, Kind::Rate),
                    format::value(rp.quantiles.p90, Kind::Rate),
                    format::value(rp.simulated.p50, Kind::Rate),
                ));
            }
            for r in &t.reachable_if_met {
                let ck = kind_of(scenario, &r.indicator);
                out.push_str(&format!(
                    "        if {} {} = {} exactly ({} target set {}; {} draws within {} – {}): still reachable in {} (se {:.2})\n",
                    s.horizon.years[0],
                    r.indicator,
                    format::threshold(r.value, ck),
                    s.horizon.years[0],
                    r.target_set,
                    thousands(r.band_draws),
                    format::threshold(r.band_low, ck),
                    format::threshold(r.band_high, ck),
                    format::probability(r.probability),
                    r.se * 100.0
                ));
            }
        }
        out.push_str(&format!(
            "  {}  {}\n",
            pad(&format!("all {} together", plan.targets.len()), 46),
            pad_left(
                &format!(
                    "{} (se {:.2})",
                    format::probability(plan.joint_probability),
                    plan.joint_se * 100.0
                ),
                18
            )
        ));
    }
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
