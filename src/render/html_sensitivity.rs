//! The report's "What decides a miss" section: for every targeted indicator
//! its top drivers (rank correlation, the tornado's swing, where the driver
//! sits in the draws that miss each target), and the tornado charts of the
//! indicators that depend on more than one driver. Definitions are those of
//! [`crate::sensitivity`].

use super::format;
use super::html::{Section, label_in};
use super::lang::Lang;
use super::table::thousands;
use crate::scenario::{Kind, Scenario};
use crate::sensitivity::Sensitivity;
use maud::{Markup, PreEscaped, html};

/// Section id, for [`super::html::Report::insert_before`].
pub const ID: &str = "sensitivity";
/// Drivers listed per indicator in the table (all are in `summary.json`).
pub const TOP: usize = 3;

/// The section's heading in a language.
pub fn heading(lang: Lang) -> &'static str {
    lang.t("什么决定未达成", "What decides a miss")
}

/// The section, or `None` when no indicator was analysed.
pub fn section(s: &Scenario, sens: &Sensitivity, lang: Lang) -> Option<Section> {
    if sens.indicators.is_empty() {
        return None;
    }
    // One column per target set that has a target on some analysed indicator.
    let sets: Vec<(&str, Markup)> = s
        .target_sets
        .iter()
        .filter(|t| {
            sens.indicators
                .values()
                .any(|i| i.misses.contains_key(t.name.as_str()))
        })
        .map(|t| {
            let label = label_in(
                lang,
                &t.name,
                t.meta.label.as_deref(),
                t.meta.label_en.as_deref(),
            );
            (t.name.as_str(), label)
        })
        .collect();
    let meta_of = |name: &str| {
        s.indicators
            .iter()
            .find(|i| i.name == name)
            .map(|i| &i.meta)
    };
    let driver_meta = |name: &str| s.drivers.iter().find(|x| x.name == name).map(|x| &x.meta);
    // Tornado charts where there is more than one bar to compare.
    let multi: Vec<&String> = sens
        .indicators
        .iter()
        .filter(|(_, i)| i.drivers.len() > 1)
        .map(|(n, _)| n)
        .collect();
    // The tornado uses only the language of the briefing's settings.
    let tornado_settings = crate::briefing::Settings {
        lang,
        ..crate::briefing::Settings::default()
    };
    let markup = html! {
        @match lang {
            Lang::Zh => { p {
                "哪些假设决定目标能否实现，依据本次运行的前 " (thousands(sens.draws)) " 次抽样。"
                strong { "秩相关" } "：驱动因素与指标之间的 Spearman 相关系数（±1：指标只随该驱动因素变动）。"
                strong { "p10 → p90" } "：该驱动因素从第 10 百分位移到第 90 百分位、其他驱动因素取中位数时的指标值（见下方龙卷风图）。"
                strong { "未达成时的百分位" } "：在未达成该目标组目标的抽样中，该驱动因素的平均百分位：p50 表示未达成的抽样与全部抽样无异，p20 表示该驱动因素偏低时目标往往落空。"
            } }
            Lang::En => { p {
                "Which assumptions decide whether a target is met, from the run's first " (thousands(sens.draws)) " draws. "
                strong { "Rank correlation" } ": Spearman's, between the driver and the indicator (±1: the indicator moves with the driver alone). "
                strong { "p10 → p90" } ": the indicator when this driver moves from its 10th to its 90th percentile and every other driver stays at its median (the tornado below). "
                strong { "Percentile in the misses" } ": the driver's average percentile in the draws that miss the set's target: p50 means the misses look like all draws, p20 that targets are missed when this driver is low."
            } }
        }
        table {
            thead { tr {
                th { (lang.t("驱动因素", "driver")) }
                th.num { (lang.t("秩相关", "rank correlation")) }
                th.num { "p10 → p90" }
                @for (_, label) in &sets {
                    th.num {
                        (lang.t("未达成 ", "misses of ")) (label) ":" br;
                        (lang.t("百分位", "percentile"))
                    }
                }
            } }
            @for (name, ind) in &sens.indicators {
                @let meta = meta_of(name);
                @let kind = meta.map_or(Kind::Level, |m| m.kind);
                @let more = ind.drivers.len().saturating_sub(TOP);
                // A group per indicator: its name, then how often each set's
                // target on it is missed, then its top drivers.
                tbody.keep {
                    tr.group {
                        td colspan="3" {
                            (label_in(lang, name, meta.and_then(|m| m.label.as_deref()), meta.and_then(|m| m.label_en.as_deref())))
                            @if more > 0 {
                                " " span.note { (match lang {
                                    Lang::Zh => format!("（另有 {more} 个驱动因素见 summary.json）"),
                                    Lang::En => format!("({more} more driver{} in summary.json)", if more == 1 { "" } else { "s" }),
                                }) }
                            }
                        }
                        @for (set, _) in &sets {
                            td.num { @if let Some(m) = ind.misses.get(*set) {
                                (lang.t("未达成 ", "missed in ")) (format::probability(m.miss_rate))
                            } }
                        }
                    }
                    @if ind.drivers.is_empty() {
                        tr { td colspan=(3 + sets.len()) { (lang.t("没有不确定的驱动因素", "no uncertain driver")) } }
                    }
                    @for (driver, d) in ind.drivers.iter().take(TOP) {
                        @let dm = driver_meta(driver);
                        tr {
                            td.driver { (label_in(lang, driver, dm.and_then(|m| m.label.as_deref()), dm.and_then(|m| m.label_en.as_deref()))) }
                            td.num { (d.rank_correlation.map_or_else(|| "–".to_string(), |r| format!("{r:+.2}"))) }
                            td.num { (match (d.at_p10, d.at_p90) {
                                (Some(a), Some(b)) => format!("{} → {}", format::value(a, kind), format::value(b, kind)),
                                _ => "–".to_string(),
                            }) }
                            @for (set, _) in &sets {
                                td.num { (ind.misses.get(*set)
                                    .and_then(|m| m.drivers.get(driver))
                                    .and_then(|x| x.percentile_in_misses)
                                    .map_or_else(String::new, |p| format!("p{:.0}", p * 100.0))) }
                            }
                        }
                    }
                }
            }
        }
        @if !multi.is_empty() {
            h3 { (lang.t("逐一改变一个假设", "One assumption at a time")) }
            p.note { (lang.t(
                "每根条：某一驱动因素处于其模拟值最低一成或最高一成时目标的实现概率（附标准误），其他因素照常随机；竖线为全部模拟的实现概率。只列出明显改变实现概率的因素；只取决于一个驱动因素的指标见上表。全部面板在 tornado.svg 和 tornado.png 中。",
                "Each bar: the target's probability of being met when one driver lies in its lowest or highest tenth of the simulated draws (with its standard error), every other driver varying as simulated; the line is the probability over all draws. Only drivers that move it noticeably are shown; indicators that depend on one driver only are in the table above. Every panel is in tornado.svg and tornado.png.",
            )) }
            @for name in &multi {
                @if let Some(svg) = super::tornado::svg(s, sens, name, &tornado_settings) {
                    @let m = meta_of(name);
                    figure id={ "tornado-" (name) } class="tornado" {
                        // Drawn by the chart module, which escapes its own text.
                        (PreEscaped(svg))
                        figcaption {
                            (lang.t("最能影响 ", "What moves "))
                            (label_in(lang, name, m.and_then(|m| m.label.as_deref()), m.and_then(|m| m.label_en.as_deref())))
                            (lang.t(" 的因素 — tornado.svg 中的一幅", " most — one panel of tornado.svg"))
                        }
                    }
                }
            }
        }
    };
    Some(Section::new(ID, heading(lang), markup))
}
