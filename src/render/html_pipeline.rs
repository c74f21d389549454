//! The report's "Key projects" section: the pipeline chart, how often each
//! pipeline target is missed, and the critical projects. Definitions are
//! those of [`crate::summary::pipeline`].

use super::format;
use super::html::{Section, label_in};
use super::lang::Lang;
use crate::scenario::Scenario;
use crate::summary::Summary;
use maud::{Markup, PreEscaped, html};

/// Section id.
pub const ID: &str = "pipeline";

/// An indicator's label in the page's language, its code name as a hover.
fn indicator(s: &Scenario, name: &str, lang: Lang) -> Markup {
    let m = s
        .indicators
        .iter()
        .find(|i| i.name == name)
        .map(|i| &i.meta);
    label_in(
        lang,
        name,
        m.and_then(|m| m.label.as_deref()),
        m.and_then(|m| m.label_en.as_deref()),
    )
}

/// The section, or `None` without a pipeline.
pub fn section(s: &Scenario, summary: &Summary, lang: Lang) -> Option<Section> {
    let pl = summary.pipeline.as_ref()?;
    let lift = (pl.critical_lift * 100.0).round();
    let markup = html! {
        @match lang {
            Lang::Zh => { p {
                "项目清单共 " (pl.projects.len()) " 个项目。项目对目标的"
                strong { "贡献" } "：该项目未开工的抽样中目标未实现的频率；其"
                strong { "拉动" } "：贡献减去该项目开工时目标未实现的频率。拉动至少 "
                (lift) " 个百分点的项目为" strong { "关键项目" } "。"
            } }
            Lang::En => { p {
                (pl.projects.len()) " projects on the list. A project's "
                strong { "contribution" } " to a target is how often the target is missed in the draws where the project does not start; its "
                strong { "lift" } " is that minus how often it is missed when the project starts. A project is "
                strong { "critical" } " when its lift is at least " (lift) " points."
            } }
        }
        @if let Some(svg) = super::pipeline_chart::svg(s, pl, lang) {
            figure {
                // Drawn by the chart module, which escapes its own text.
                (PreEscaped(svg))
                figcaption { (lang.t(
                    "按开工概率排列的项目清单，以及合计须达到的目标值。",
                    "The project list by probability of starting, and the threshold the sum must reach.",
                )) }
            }
        }
        @if !pl.targets.is_empty() {
            table {
                thead { tr {
                    th { (lang.t("与项目清单相关的目标", "target on the pipeline")) }
                    th.num { (lang.t("未实现概率", "P(missed)")) }
                } }
                tbody {
                    @for t in &pl.targets {
                        tr {
                            td { (indicator(s, &t.indicator, lang)) " " (t.rule.describe(format::level)) }
                            td.num { (format::probability(t.p_missed)) }
                        }
                    }
                }
            }
        }
        @if pl.critical.is_empty() {
            p { (lang.t(
                "没有关键项目：没有哪个单独项目能使目标的未实现概率变动这么多。",
                "No project is critical: no single project moves a target's miss probability by that much.",
            )) }
        } @else {
            h3 { (lang.t("关键项目", "Critical projects")) }
            table {
                thead { tr {
                    th { (lang.t("项目", "project")) }
                    th { (lang.t("目标", "target")) }
                    th.num { (lang.t("未实现概率 | 未开工", "P(missed | not started)")) }
                    th.num { (lang.t("未实现概率 | 开工", "P(missed | started)")) }
                    th.num { (lang.t("拉动（百分点）", "lift (points)")) }
                } }
                tbody {
                    @for c in &pl.critical {
                        tr {
                            td { (c.project) }
                            td { (indicator(s, &c.indicator, lang)) }
                            td.num { (format::probability(c.p_missed_if_not_started)) }
                            td.num { (format::probability(c.p_missed_if_started)) }
                            td.num { (format!("{:.1}", c.lift * 100.0)) }
                        }
                    }
                }
            }
        }
    };
    Some(Section::new(ID, lang.t("重点项目", "Key projects"), markup))
}
