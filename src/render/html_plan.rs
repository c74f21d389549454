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
use super::html::{self, label_in};
use super::lang::Lang;
use super::table::thousands;
use crate::scenario::horizon::Measure;
use crate::scenario::{Kind, Meta, Scenario};
use crate::summary::Summary;
use crate::summary::plan::{PlanTargetSummary, kind_of};
use maud::{Markup, html};

fn meta_of<'a>(s: &'a Scenario, name: &str) -> Option<&'a Meta> {
    s.indicators
        .iter()
        .find(|i| i.name == name)
        .map(|i| &i.meta)
}

/// An indicator's label in the page's language, its code name as a hover.
fn indicator_label(s: &Scenario, name: &str, lang: Lang) -> Markup {
    let m = meta_of(s, name);
    label_in(
        lang,
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

fn measure_text(t: &PlanTargetSummary, lang: Lang) -> &'static str {
    match t.measure {
        Measure::Level => lang.t("水平", "level"),
        Measure::CumulativeGrowth => lang.t("累计增长", "cumulative growth"),
        Measure::AverageGrowth => lang.t("年均增长", "average annual growth"),
    }
}

fn rule(s: &Scenario, t: &PlanTargetSummary) -> String {
    super::chart::rule_text(&t.rule, measure_kind(s, t))
}

/// A probability and its standard error in points, as two table cells.
fn probability_cells(p: f64, se: f64) -> Markup {
    html! {
        td.num { (format::probability(p)) }
        td.num { (format!("{:.2}", se * 100.0)) }
    }
}

/// The plan targets section (`None` without `[plan_targets]`).
pub(crate) fn plan(s: &Scenario, sum: &Summary, lang: Lang) -> Option<Markup> {
    let p = sum.plan_targets.as_ref()?;
    let label = match lang.label(p.label.as_deref(), p.label_en.as_deref(), "") {
        "" => lang.t("规划目标", "the plan's targets").to_string(),
        l => l.to_string(),
    };
    let worded = p.targets.iter().any(|t| t.wording.is_some());
    let n = p.targets.len();
    let paths: Vec<&PlanTargetSummary> = p
        .targets
        .iter()
        .filter(|t| t.required_path.is_some())
        .collect();
    let first = sum.years[0].year.unwrap_or_default();
    let reachable = p.targets.iter().any(|t| !t.reachable_if_met.is_empty());
    let r = |x: f64| format::value(x, Kind::Rate);
    let markup = html! {
        p {
            (label) (lang.t("：全部 ", ": all "))
            (n)
            (lang.t(" 项目标同时实现的模拟路径占 ", " targets are met together in "))
            strong { (format::probability(p.joint_probability)) }
            (match lang {
                Lang::Zh => format!("（标准误 {:.2} 个百分点）。", p.joint_se * 100.0),
                Lang::En => format!(" of simulated paths (se {:.2} points).", p.joint_se * 100.0),
            })
        }
        table.keep {
            thead { tr {
                th { (lang.t("年份", "year")) }
                th { (lang.t("指标", "indicator")) }
                th { (lang.t("口径", "measure")) }
                th { (lang.t("目标", "target")) }
                @if worded { th { (lang.t("表述", "wording")) } }
                th.num { (lang.t("所需水平", "level needed")) }
                th.num { (lang.t("实现概率", "P(met)")) }
                th.num { (lang.t("标准误（百分点）", "se (points)")) }
            } }
            tbody {
                @for t in &p.targets {
                    tr {
                        td { (t.year) }
                        td { (indicator_label(s, &t.indicator, lang)) }
                        td { (measure_text(t, lang)) }
                        td { (rule(s, t)) }
                        @if worded { td { (t.wording.as_deref().unwrap_or("")) } }
                        td.num { (format::value(t.level_needed, kind_of(s, &t.indicator))) }
                        (probability_cells(t.probability, t.se))
                    }
                }
                tr.joint {
                    td colspan=(if worded { 6 } else { 5 }) {
                        (match lang {
                            Lang::Zh => format!("{n} 项同时实现"),
                            Lang::En => format!("all {n} together"),
                        })
                    }
                    (probability_cells(p.joint_probability, p.joint_se))
                }
            }
        }
        p.note { (lang.t(
            "所需水平：目标所对应的目标年份指标值（增长目标由基年值换算为水平）。",
            "Level needed: the indicator's value in the target year that the target stands for (a growth target turned into a level from the year-0 value).",
        )) }
        @if !paths.is_empty() {
            h3 { (lang.t("其余年份需要达到的增长", "What the remaining years must deliver")) }
            p { (lang.t(
                "对每条模拟路径，按第一年之后所处位置，其余各年为达到所需水平需要的年均增长；旁边是同一时期路径实际的增长。",
                "For each simulated path, the average annual growth the years after the first would need to reach the level needed, given where that path stands after the first year; beside it, the growth the paths actually took over the same years.",
            )) }
            table.keep {
                thead { tr {
                    th { (lang.t("目标", "target")) }
                    th { (lang.t("年份", "years")) }
                    th.num { (lang.t("所需增长：中位数", "growth needed: median")) }
                    th.num { "10% – 90%" }
                    th.num { (lang.t("模拟增长：中位数", "growth simulated: median")) }
                    th.num { "10% – 90%" }
                } }
                tbody {
                    @for t in &paths {
                        @if let Some(rp) = &t.required_path {
                            tr {
                                td {
                                    (indicator_label(s, &t.indicator, lang)) " "
                                    (measure_text(t, lang)) " " (rule(s, t))
                                    (match lang {
                                        Lang::Zh => format!("（{} 年）", t.year),
                                        Lang::En => format!(" in {}", t.year),
                                    })
                                }
                                td.num { (rp.from_year) "–" (rp.to_year) }
                                td.num { (r(rp.quantiles.p50)) }
                                td.num { (r(rp.quantiles.p10)) " – " (r(rp.quantiles.p90)) }
                                td.num { (r(rp.simulated.p50)) }
                                td.num { (r(rp.simulated.p10)) " – " (r(rp.simulated.p90)) }
                            }
                        }
                    }
                }
            }
        }
        @if reachable {
            h3 { (match lang {
                Lang::Zh => format!("{first} 年目标恰好实现时，规划目标仍可实现吗？"),
                Lang::En => format!("Still reachable if {first}'s target is met exactly?"),
            }) }
            p { (match lang {
                Lang::Zh => format!("在 {first} 年的值最接近各目标组 {first} 年目标的模拟路径中，实现规划目标的比例（已计入持续性和相关性）。"),
                Lang::En => format!("The share of simulated paths that meet the plan target among those whose {first} value lies nearest to the {first} target of each set (persistence and correlations included)."),
            }) }
            table.keep {
                thead { tr {
                    th { (lang.t("规划目标", "plan target")) }
                    th { (match lang {
                        Lang::Zh => format!("若 {first} 年"),
                        Lang::En => format!("if in {first}"),
                    }) }
                    th { (lang.t("目标组", "target set")) }
                    th.num { (lang.t("所用路径数", "paths used")) }
                    th.num { (lang.t("规划目标实现概率", "P(plan target met)")) }
                    th.num { (lang.t("标准误（百分点）", "se (points)")) }
                } }
                tbody {
                    @for t in &p.targets {
                        @for rm in &t.reachable_if_met {
                            @let ck = kind_of(s, &rm.indicator);
                            tr {
                                td {
                                    (indicator_label(s, &t.indicator, lang)) " "
                                    (measure_text(t, lang)) " " (rule(s, t))
                                }
                                td {
                                    (indicator_label(s, &rm.indicator, lang))
                                    " = " (format::threshold(rm.value, ck)) " "
                                    span.note {
                                        "(" (format::threshold(rm.band_low, ck)) " – "
                                        (format::threshold(rm.band_high, ck)) ")"
                                    }
                                }
                                td { (set_label(sum, &rm.target_set, lang)) }
                                td.num { (thousands(rm.band_draws)) }
                                (probability_cells(rm.probability, rm.se))
                            }
                        }
                    }
                }
            }
        }
    };
    Some(markup)
}

/// A target set's label in the page's language, its code name as a hover.
fn set_label(sum: &Summary, name: &str, lang: Lang) -> Markup {
    let set = sum.target_sets.get(name);
    label_in(
        lang,
        name,
        set.and_then(|t| t.label.as_deref()),
        set.and_then(|t| t.label_en.as_deref()),
    )
}

/// The indicators with a target first (in the scenario's order), then the others.
pub(crate) fn fan_figures(sum: &Summary, fans: &[Drawn], lang: Lang) -> Markup {
    let targeted = |name: &str| {
        sum.target_sets
            .values()
            .any(|set| set.targets.iter().any(|t| t.indicator == name))
            || sum
                .plan_targets
                .as_ref()
                .is_some_and(|p| p.targets.iter().any(|t| t.indicator == name))
    };
    let (with, without): (Vec<&Drawn>, Vec<&Drawn>) =
        fans.iter().partition(|f| targeted(&f.indicator));
    let groups = [
        (lang.t("有目标的指标", "Indicators with a target"), with),
        (lang.t("其他指标", "Other indicators"), without),
    ];
    html! {
        p.note { (lang.t(
            "每张图：中位路径为线，由内到外的色带依次为中间 10%、20%……90% 的模拟路径（越靠内颜色越深），预测期之前的历史为黑色，年度目标为叉，规划目标为菱形。",
            "Each chart: the median path as a line, nested bands for the central 10%, 20%, …, 90% of simulated paths (darkest inside), history before the horizon in black, annual targets as crosses, plan targets as diamonds.",
        )) }
        @for (heading, group) in &groups {
            @if !group.is_empty() {
                h3 { (heading) }
                @for f in group {
                    (html::chart_figure(&f.stem, &f.title, &f.svg))
                }
            }
        }
    }
}

/// The indicators, a column per year: each cell the median and the 10–90% range.
pub(crate) fn indicators_by_year(s: &Scenario, sum: &Summary, lang: Lang) -> Markup {
    html! {
        table {
            thead { tr {
                th { (lang.t("指标", "indicator")) }
                @for y in &sum.years { th.num { (y.year.unwrap_or_default()) } }
                th { (lang.t("单位", "unit")) }
            } }
            tbody {
                @for ind in &s.indicators {
                    @let kind = ind.meta.kind;
                    tr {
                        td { (indicator_label(s, &ind.name, lang)) }
                        @for year in &sum.years {
                            @match year.indicators.get(&ind.name) {
                                Some(v) => {
                                    td.num {
                                        (format::value(v.quantiles.p50, kind)) br;
                                        span.note {
                                            (format::value(v.quantiles.p10, kind)) " – "
                                            (format::value(v.quantiles.p90, kind))
                                        }
                                    }
                                }
                                None => { td {} }
                            }
                        }
                        td { (match kind {
                            Kind::Rate => "%",
                            _ => ind.meta.unit.as_deref().unwrap_or_default(),
                        }) }
                    }
                }
            }
        }
        p.note { (lang.t(
            "每格：中位数，下方为 10% – 90% 区间（80% 的模拟路径落在其间）。分位数按第 7 类方法计算。",
            "Each cell: the median, and below it the 10% – 90% range (80% of simulated paths fall between the two). Quantiles are type 7.",
        )) }
    }
}

/// Each driver's persistence and mean in every year (empty for one year).
pub(crate) fn drivers_by_year(s: &Scenario, sum: &Summary, lang: Lang) -> Markup {
    let Some(h) = &s.horizon else {
        return html! {};
    };
    html! {
        h3 { (lang.t("驱动因素逐年", "Drivers by year")) }
        p { (lang.t(
            "上方的不确定驱动因素表给出的是第一年。此处为每个驱动因素各年的均值及其持续性，即其正态得分逐年的 AR(1) 系数（0：各年相互独立；0.5：坏年份之后往往仍偏弱）。",
            "The table of uncertain drivers above shows their first year. Here: each driver's mean in every year, and its persistence, the AR(1) coefficient of its normal score from one year to the next (0: years independent; 0.5: a bad year tends to be followed by a weak one).",
        )) }
        table {
            thead { tr {
                th { (lang.t("驱动因素", "driver")) }
                th.num { (lang.t("持续性", "persistence")) }
                @for y in &sum.years { th.num { (y.year.unwrap_or_default()) } }
            } }
            tbody {
                @for (d, path) in s.drivers.iter().zip(&h.drivers) {
                    tr {
                        td { (label_in(lang, &d.name, d.meta.label.as_deref(), d.meta.label_en.as_deref())) }
                        td.num { (format!("{:.2}", path.persistence)) }
                        @for y in &path.per_year {
                            td.num { (format::value(y.marginal.mean(), d.meta.kind)) }
                        }
                    }
                }
            }
        }
    }
}
