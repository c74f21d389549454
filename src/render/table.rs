//! The table `run` prints, for a one-year run and a plan alike: each
//! indicator's median and 10–90% range (a plan's per year), each target set
//! with every target's probability and the joint one, and a plan's targets
//! with their required path.
//! Columns are aligned by display width, so Chinese labels line up.
//! Chinese by default; `--lang en` prints the English table exactly as it
//! was before the tables were translated, since scripts and
//! `tests/golden/table.txt` read it.

use super::format;
use super::lang::Lang;
use crate::scenario::Rule;
use crate::scenario::horizon::Measure;
use crate::scenario::{Kind, Scenario};
use crate::summary::plan::kind_of;
use crate::summary::{IndicatorSummary, Summary};
use unicode_width::UnicodeWidthStr;

/// Pad to a display width (wide characters count two).
pub fn pad(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    if w >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - w))
    }
}

pub fn pad_left(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    if w >= width {
        s.to_string()
    } else {
        format!("{}{s}", " ".repeat(width - w))
    }
}

/// Cut to a display width, marking the cut.
fn clip(s: &str, width: usize) -> String {
    if UnicodeWidthStr::width(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        let next = format!("{out}{c}");
        if UnicodeWidthStr::width(next.as_str()) + 1 > width {
            break;
        }
        out = next;
    }
    out.push('…');
    out
}

/// A rule in the language: `>= 9.0%`, `<= 3.5%`, `10.0% ± 0.5%`, and a
/// range as `8.0% to 10.0%` (English) or `8.0% 至 10.0%`.
pub fn rule_text(rule: &Rule, fmt: impl Fn(f64) -> String, lang: Lang) -> String {
    match (lang, rule) {
        (Lang::Zh, Rule::Range { low, high }) => format!("{} 至 {}", fmt(*low), fmt(*high)),
        _ => rule.describe(fmt),
    }
}

/// The printed result of any run: a one-year run's indicators one per row,
/// a plan's with a column per year; then the target sets (a plan's targets
/// with their year) and the plan targets.
pub fn render(scenario: &Scenario, summary: &Summary, lang: Lang) -> String {
    let mut out = String::new();
    let hash = &summary.scenario.hash[..summary.scenario.hash.len().min(19)];
    out.push_str(&match lang {
        Lang::En => format!(
            "{}\n{} draws, seed {}, scenario {} ({hash})",
            scenario.title_in(lang),
            thousands(summary.draws),
            summary.seed,
            scenario.name,
        ),
        Lang::Zh => format!(
            "{}\n{} 次抽样，种子 {}，情景 {}（{hash}）",
            scenario.title_in(lang),
            thousands(summary.draws),
            summary.seed,
            scenario.name,
        ),
    });
    if let Some(h) = &summary.horizon {
        out.push_str(&match lang {
            Lang::En => format!(
                ", years {}–{} from {}",
                h.years[0],
                h.years[h.years.len() - 1],
                h.base_year
            ),
            Lang::Zh => format!(
                "，{}–{} 年，基年 {}",
                h.years[0],
                h.years[h.years.len() - 1],
                h.base_year
            ),
        });
    }
    out.push_str("\n\n");
    let name_w = scenario
        .indicators
        .iter()
        .map(|i| i.name.len())
        .max()
        .unwrap_or(9)
        .max(9);
    if summary.is_plan() {
        indicators_by_year(&mut out, scenario, summary, name_w, lang);
    } else {
        indicators(&mut out, summary, name_w, lang);
    }
    target_sets(&mut out, summary, name_w, lang);
    if summary.plan_targets.is_some() {
        plan_targets(&mut out, scenario, summary, lang);
    }
    // Rows without a unit end in padding; trim it.
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// One row per indicator: name, label, median, 10–90%, unit.
fn indicators(out: &mut String, summary: &Summary, name_w: usize, lang: Lang) {
    out.push_str(&format!(
        "{}  {}  {}  {}\n",
        pad(lang.t("指标", "indicator"), name_w),
        pad(lang.t("名称", "label"), 26),
        pad_left(lang.t("中位数", "median"), 9),
        pad_left("10% – 90%", 21)
    ));
    for (name, ind) in summary.indicators() {
        let label = ind
            .label
            .clone()
            .or_else(|| ind.label_en.clone())
            .unwrap_or_default();
        out.push_str(&format!(
            "{}  {}  {}  {}  {}\n",
            pad(name, name_w),
            pad(&clip(&label, 26), 26),
            pad_left(&format::value(ind.quantiles.p50, ind.kind), 9),
            pad_left(&range(ind), 21),
            unit(ind)
        ));
    }
}

const COL: usize = 17;

/// Two rows per indicator, a column per year: the median, and 10–90% below it.
fn indicators_by_year(
    out: &mut String,
    scenario: &Scenario,
    summary: &Summary,
    name_w: usize,
    lang: Lang,
) {
    let mut head = format!("{}  ", pad(lang.t("指标", "indicator"), name_w));
    for y in &summary.years {
        head.push_str(&pad_left(&y.year.unwrap_or_default().to_string(), COL));
    }
    out.push_str(&format!(
        "{head}\n{}  {}\n",
        pad("", name_w),
        lang.t(
            "中位数，下一行为 10% – 90%",
            "median, and 10% – 90% below it"
        )
    ));
    for ind in &scenario.indicators {
        let mut med = format!("{}  ", pad(&ind.name, name_w));
        let mut ranges = format!("{}  ", pad("", name_w));
        let mut unit_text = String::new();
        for year in &summary.years {
            let Some(v) = year.indicators.get(&ind.name) else {
                continue;
            };
            med.push_str(&pad_left(&format::value(v.quantiles.p50, v.kind), COL));
            ranges.push_str(&pad_left(&range(v), COL));
            unit_text = unit(v);
        }
        let label = ind.meta.label.clone().unwrap_or_default();
        out.push_str(&format!("{med}  {label}\n{ranges}  {unit_text}\n"));
    }
}

fn range(ind: &IndicatorSummary) -> String {
    format!(
        "{} – {}",
        format::value(ind.quantiles.p10, ind.kind),
        format::value(ind.quantiles.p90, ind.kind)
    )
}

/// The unit a level is shown in (rates and counts show their own).
fn unit(ind: &IndicatorSummary) -> String {
    if ind.kind == Kind::Level {
        ind.unit.clone().unwrap_or_default()
    } else {
        String::new()
    }
}

fn set_label(l: &Option<String>, e: &Option<String>) -> String {
    match (l, e) {
        (Some(a), Some(b)) => format!("  {a} {b}"),
        (Some(a), None) | (None, Some(a)) => format!("  {a}"),
        _ => String::new(),
    }
}

fn probability_se(p: f64, se: f64, width: usize, lang: Lang) -> String {
    let text = match lang {
        Lang::En => format!("{} (se {:.2})", format::probability(p), se * 100.0),
        Lang::Zh => format!("{}（标准误 {:.2}）", format::probability(p), se * 100.0),
    };
    pad_left(&text, width)
}

/// Each target set: its targets (a plan's with their year) and all together.
fn target_sets(out: &mut String, summary: &Summary, name_w: usize, lang: Lang) {
    // A plan's rows start with the year; its rule and probability columns
    // are narrower so that a row still fits 80 columns.
    let plan = summary.is_plan();
    let (rule_w, p_w, all_w) = if plan {
        (16, 18, name_w + 6)
    } else {
        (18, 22, name_w)
    };
    for (set_name, set) in &summary.target_sets {
        out.push_str(&format!(
            "\n{} {set_name}{}\n",
            lang.t("目标组", "target set"),
            set_label(&set.label, &set.label_en)
        ));
        if !plan {
            out.push_str(&format!(
                "  {}  {}  {}\n",
                pad(lang.t("目标", "target"), name_w),
                pad(lang.t("要求", "rule"), rule_w),
                pad_left(
                    lang.t("达成概率（标准误，百分点）", "P(met) (se, points)"),
                    p_w
                )
            ));
        }
        for t in &set.targets {
            let kind = summary
                .indicator(&t.indicator, t.year)
                .map_or(Kind::Level, |i| i.kind);
            let rule = rule_text(&t.rule, |x| format::threshold(x, kind), lang);
            let year = t.year.map(|y| format!("{y}  ")).unwrap_or_default();
            let wording = t
                .wording
                .as_deref()
                .map(|w| format!("  {w}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {year}{}  {}  {}{wording}\n",
                pad(&t.indicator, name_w),
                pad(&rule, rule_w),
                probability_se(t.probability, t.se, p_w, lang),
            ));
        }
        out.push_str(&format!(
            "  {}  {}  {}   {}\n",
            pad(&all_together(set.targets.len(), lang), all_w),
            pad("", rule_w),
            probability_se(set.joint_probability, set.joint_se, p_w, lang),
            match lang {
                Lang::En => format!(
                    "(if independent: {})",
                    format::probability(set.independent_product)
                ),
                Lang::Zh => format!(
                    "（若相互独立：{}）",
                    format::probability(set.independent_product)
                ),
            },
        ));
    }
}

/// The plan targets, each with its required path and whether it stays
/// reachable if next year's target is met.
fn plan_targets(out: &mut String, scenario: &Scenario, s: &Summary, lang: Lang) {
    let (Some(plan), Some(h)) = (&s.plan_targets, &s.horizon) else {
        return;
    };
    let kind_of = |name: &str| kind_of(scenario, name);
    out.push_str(&format!(
        "\n{}{}\n",
        lang.t("规划目标", "plan targets"),
        set_label(&plan.label, &plan.label_en)
    ));
    for t in &plan.targets {
        let kind = match t.measure {
            Measure::Level => kind_of(&t.indicator),
            _ => Kind::Rate,
        };
        let what = match t.measure {
            Measure::Level => t.indicator.clone(),
            Measure::CumulativeGrowth => {
                format!(
                    "{} {}",
                    t.indicator,
                    lang.t("累计增长", "cumulative growth")
                )
            }
            Measure::AverageGrowth => {
                format!("{} {}", t.indicator, lang.t("年均增长", "average growth"))
            }
        };
        let rule = rule_text(&t.rule, |x| format::threshold(x, kind), lang);
        out.push_str(&format!(
            "  {}  {}  {}  {}{}\n",
            t.year,
            pad(&what, 32),
            pad(&rule, 10),
            probability_se(t.probability, t.se, 18, lang),
            t.wording
                .as_deref()
                .map(|w| format!("  {w}"))
                .unwrap_or_default()
        ));
        if let Some(rp) = &t.required_path {
            if rp.quantiles.p50.is_finite() && lang == Lang::Zh {
                out.push_str(&format!(
                    "        所需路径：{} 年达到 {}，{} 需在 {}–{} 年每年增长 {}（各抽样的中位数；10% – 90%：{} – {}）；中位抽样中每年增长 {}\n",
                    t.year,
                    format::value(t.level_needed, kind_of(&t.indicator)),
                    t.indicator,
                    rp.from_year,
                    rp.to_year,
                    format::value(rp.quantiles.p50, Kind::Rate),
                    format::value(rp.quantiles.p10, Kind::Rate),
                    format::value(rp.quantiles.p90, Kind::Rate),
                    format::value(rp.simulated.p50, Kind::Rate),
                ));
            } else if rp.quantiles.p50.is_finite() {
                out.push_str(&format!(
                    "        required path: to reach {} in {}, {} must grow {} a year over {}–{} (median over draws; 10% – 90%: {} – {}); it grows {} a year in the median draw\n",
                    format::value(t.level_needed, kind_of(&t.indicator)),
                    t.year,
                    t.indicator,
                    format::value(rp.quantiles.p50, Kind::Rate),
                    rp.from_year,
                    rp.to_year,
                    format::value(rp.quantiles.p10, Kind::Rate),
                    format::value(rp.quantiles.p90, Kind::Rate),
                    format::value(rp.simulated.p50, Kind::Rate),
                ));
            } else if lang == Lang::Zh {
                out.push_str(&format!(
                    "        所需路径：无定义：{} 的首年值在全部 {} 次抽样中均不为正（增长需要正的起点）\n",
                    t.indicator, rp.excluded_draws
                ));
            } else {
                out.push_str(&format!(
                    "        required path: not defined: the first-year value of {} is not positive in any of the {} draws (growth needs a positive start)\n",
                    t.indicator, rp.excluded_draws
                ));
            }
        }
        for r in &t.reachable_if_met {
            let ck = kind_of(&r.indicator);
            if lang == Lang::Zh {
                out.push_str(&format!(
                    "        若 {} 年 {} 恰为 {}（{} 年目标组 {}；{} 次抽样落在 {} – {}）：仍可达成的概率 {}（标准误 {:.2}）\n",
                    h.years[0],
                    r.indicator,
                    format::threshold(r.value, ck),
                    h.years[0],
                    r.target_set,
                    thousands(r.band_draws),
                    format::threshold(r.band_low, ck),
                    format::threshold(r.band_high, ck),
                    format::probability(r.probability),
                    r.se * 100.0
                ));
                continue;
            }
            out.push_str(&format!(
                "        if {} {} = {} exactly ({} target set {}; {} draws within {} – {}): still reachable in {} (se {:.2})\n",
                h.years[0],
                r.indicator,
                format::threshold(r.value, ck),
                h.years[0],
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
        pad(&all_together(plan.targets.len(), lang), 46),
        probability_se(plan.joint_probability, plan.joint_se, 18, lang)
    ));
}

/// The joint row's name: `all 3 together` or `3 项同时达成`.
fn all_together(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("all {n} together"),
        Lang::Zh => format!("{n} 项同时达成"),
    }
}

/// 1000000 -> 1,000,000
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_twice_when_padding() {
        assert_eq!(pad("增速", 6), "增速  ");
        assert_eq!(pad_left("9%", 4), "  9%");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }
}
