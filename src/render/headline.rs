//! The headline (结论): the first thing `report.html` and `run` show. Per
//! target set its joint probability, how many targets are 偏高 / 适中 /
//! 偏低, each target's P(met), verdict and publishable recommendation with
//! that recommendation's own probability; the upper level's targets read
//! against the district's distribution; a plan's P(plan met) and whether
//! it stays reachable. Everything here comes from one
//! [`crate::briefing::Briefing`], so the page, the terminal and the target
//! ladder chart say the same thing.

use super::format::probability;
use super::lang::Lang;
use super::table::{pad, pad_left};
use crate::briefing::{Briefing, SetBriefing, TargetBriefing, Verdict};
use maud::{Markup, html};
use unicode_width::UnicodeWidthStr;

/// Section id of the headline in `report.html`.
pub const ID: &str = "headline";

/// File of a set's target ladder chart (drawn by `render::chart`), relative
/// to the output folder.
pub fn ladder_file(set: &str) -> String {
    format!("charts/ladder-{set}.svg")
}

/// `偏高 2 · 适中 5 · 偏低 3`.
fn counts(set: &SetBriefing, lang: Lang) -> String {
    [Verdict::High, Verdict::Fit, Verdict::Low]
        .iter()
        .zip(set.counts)
        .map(|(v, n)| format!("{} {n}", v.text(lang)))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn joint_line(set: &SetBriefing, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "全部{}项同时实现的概率 {}（若各项独立则为 {}）",
            set.targets.len(),
            probability(set.joint),
            probability(set.independent)
        ),
        Lang::En => format!(
            "all {} targets met together: {} (if they were independent: {})",
            set.targets.len(),
            probability(set.joint),
            probability(set.independent)
        ),
    }
}

/// What the upper level's target means for the district: its percentile
/// and the gap in points to the district's own target.
fn upper_text(t: &TargetBriefing, b: &Briefing) -> Option<String> {
    let u = t.upper.as_ref()?;
    let lang = b.settings.lang;
    let who = b
        .sets
        .iter()
        .find(|s| s.name == u.set)
        .map_or(u.set.as_str(), |s| s.label.as_str());
    let rule = crate::briefing::publish::text(&u.rule, t.kind, t.unit.as_deref(), lang);
    let unit = match (t.kind, lang) {
        (crate::scenario::Kind::Rate, Lang::Zh) => "个百分点".to_string(),
        (crate::scenario::Kind::Rate, Lang::En) => " points".to_string(),
        (_, Lang::Zh) => t.unit.clone().unwrap_or_default(),
        (_, Lang::En) => t.unit.as_ref().map(|u| format!(" {u}")).unwrap_or_default(),
    };
    let gap = crate::briefing::publish::number(u.gap.abs(), crate::scenario::Kind::Level);
    let gap = match (lang, u.gap.partial_cmp(&0.0)) {
        (Lang::Zh, Some(std::cmp::Ordering::Less)) => format!("本区目标低{gap}{unit}"),
        (Lang::Zh, Some(std::cmp::Ordering::Greater)) => format!("本区目标高{gap}{unit}"),
        (Lang::Zh, _) => "与本区目标持平".to_string(),
        (Lang::En, Some(std::cmp::Ordering::Less)) => {
            format!("the district's target is {gap}{unit} lower")
        }
        (Lang::En, Some(std::cmp::Ordering::Greater)) => {
            format!("the district's target is {gap}{unit} higher")
        }
        (Lang::En, _) => "the same as the district's".to_string(),
    };
    Some(match lang {
        Lang::Zh => format!(
            "{who}{rule}：位于本区分布第{:.0}百分位，实现概率 {}；{gap}",
            u.percentile,
            probability(u.probability),
        ),
        Lang::En => format!(
            "{who} {rule}: at the {:.0}th percentile of the district's distribution, met with {}; {gap}",
            u.percentile,
            probability(u.probability),
        ),
    })
}

/// `建议 8.5%以上（实现概率 71.2%）`, with advice when the shape changes.
fn recommendation_text(t: &TargetBriefing, lang: Lang) -> String {
    match &t.recommendation {
        Some(r) => {
            let mut s = match lang {
                Lang::Zh => format!("{}（{}）", r.text, probability(r.probability)),
                Lang::En => format!("{} ({})", r.text, probability(r.probability)),
            };
            if let Some(a) = &r.advice {
                s.push_str(match lang {
                    Lang::Zh => "；",
                    Lang::En => "; ",
                });
                s.push_str(a);
            }
            s
        }
        None => "—".into(),
    }
}

/// The headline as `run` prints it, before its tables.
pub fn text(b: &Briefing) -> String {
    let lang = b.settings.lang;
    let mut out = String::new();
    out.push_str(lang.t("结论", "Conclusion"));
    out.push('\n');
    let conf = format!("{:.0}%", b.settings.confidence * 100.0);
    for set in &b.sets {
        out.push_str(&format!(
            "\n{}{}\n  {}\n  {}\n",
            set.label,
            if set.upper_level {
                lang.t("（上级要求）", " (upper level)")
            } else {
                ""
            },
            joint_line(set, lang),
            counts(set, lang)
        ));
        let rows: Vec<[String; 5]> = set
            .targets
            .iter()
            .map(|t| {
                [
                    match t.year {
                        Some(y) => format!("{} {y}", t.label),
                        None => t.label.clone(),
                    },
                    t.text.clone(),
                    probability(t.probability),
                    t.verdict.text(lang).to_string(),
                    if set.upper_level {
                        String::new()
                    } else {
                        recommendation_text(t, lang)
                    },
                ]
            })
            .collect();
        let head = [
            lang.t("指标", "indicator").to_string(),
            lang.t("目标", "target").to_string(),
            lang.t("实现概率", "P(met)").to_string(),
            lang.t("判断", "verdict").to_string(),
            if set.upper_level {
                String::new()
            } else {
                match lang {
                    Lang::Zh => format!("建议目标（置信水平{conf}）"),
                    Lang::En => format!("recommended target ({conf} confidence)"),
                }
            },
        ];
        let width = |c: usize| {
            rows.iter()
                .map(|r| r[c].as_str())
                .chain([head[c].as_str()])
                .map(UnicodeWidthStr::width)
                .max()
                .unwrap_or(0)
        };
        let w = [width(0), width(1), width(2), width(3)];
        let line = |r: &[String; 5]| {
            format!(
                "  {}  {}  {}  {}  {}",
                pad(&r[0], w[0]),
                pad(&r[1], w[1]),
                pad_left(&r[2], w[2]),
                pad(&r[3], w[3]),
                r[4]
            )
            .trim_end()
            .to_string()
        };
        out.push_str(&line(&head));
        out.push('\n');
        for r in &rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        for t in &set.targets {
            if let Some(u) = upper_text(t, b) {
                out.push_str(&format!("  {}: {u}\n", t.label));
            }
        }
    }
    if let Some(p) = &b.plan {
        out.push_str(&format!(
            "\n{}: {}\n",
            lang.t("规划目标全部实现的概率", "P(every plan target met)"),
            probability(p.joint)
        ));
        for t in &p.targets {
            out.push_str(&format!("  {}  {}", t.text, probability(t.probability)));
            if let Some(r) = t.reachable_if_met {
                out.push_str(&match lang {
                    Lang::Zh => format!("；若明年目标恰好实现，仍可实现的概率 {}", probability(r)),
                    Lang::En => format!(
                        "; still reachable if next year's target is just met: {}",
                        probability(r)
                    ),
                });
            }
            out.push('\n');
        }
    }
    out
}

/// The headline section's body in `report.html`: per set a summary line,
/// the slot of the set's target ladder (`ladders` holds `(set, svg)` of
/// those drawn), a table and the upper level's reading.
pub fn html(b: &Briefing, ladders: &[(String, String)]) -> Markup {
    let lang = b.settings.lang;
    let conf = format!("{:.0}%", b.settings.confidence * 100.0);
    html! {
        @if let Some(p) = &b.plan {
            p.lead {
                (lang.t("规划目标全部实现的概率：", "P(every plan target met): "))
                strong { (probability(p.joint)) }
            }
            table.keep {
                thead { tr {
                    th { (lang.t("规划目标", "plan target")) }
                    th.num { (lang.t("实现概率", "P(met)")) }
                    th.num { (lang.t("明年目标恰好实现时仍可实现", "still reachable if next year's target is just met")) }
                } }
                tbody { @for t in &p.targets { tr {
                    td { (t.text) }
                    td.num { (probability(t.probability)) }
                    td.num { (t.reachable_if_met.map(probability).unwrap_or_else(|| "—".into())) }
                } } }
            }
        }
        @for set in &b.sets {
            div.set id=(format!("headline-{}", set.name)) {
                h3 title=(set.name) {
                    (set.label)
                    @if set.upper_level { " " span.note { (lang.t("（上级要求）", "(upper level)")) } }
                }
                p.lead {
                    (joint_line(set, lang)) " · "
                    span.counts { (counts(set, lang)) }
                }
                // The set's target ladder right under its summary line, before
                // the table: the picture is the answer, the table its detail
                // (and printed, page 1 holds the first set's ladder).
                @if let Some((_, svg)) = ladders.iter().find(|(n, _)| n == &set.name) {
                    figure.chart.ladder id=(format!("chart-ladder-{}", set.name)) {
                        (maud::PreEscaped(strip_prolog(svg)))
                        figcaption { (set.label) " — " code { (ladder_file(&set.name)) } }
                    }
                }
                table {
                    thead { tr {
                        th { (lang.t("指标", "indicator")) }
                        th { (lang.t("目标", "target")) }
                        th.num { (lang.t("实现概率", "P(met)")) }
                        th { (lang.t("判断", "verdict")) }
                        @if !set.upper_level {
                            th { @match lang {
                                Lang::Zh => { "建议目标（置信水平" (conf) "）" }
                                Lang::En => { "recommended target (" (conf) " confidence)" }
                            } }
                        }
                    } }
                    tbody { @for t in &set.targets { tr {
                        td title=(t.indicator) {
                            (t.label)
                            @if let Some(y) = t.year { " " (y) }
                        }
                        td { (t.text) }
                        td.num { (probability(t.probability)) }
                        td class=(verdict_class(t.verdict)) { (t.verdict.text(lang)) }
                        @if !set.upper_level { td { (recommendation_text(t, lang)) } }
                    } } }
                }
                @let uppers: Vec<(String, String)> = set.targets.iter().filter_map(|t| Some((t.label.clone(), upper_text(t, b)?))).collect();
                @if !uppers.is_empty() {
                    ul.upper { @for (label, u) in &uppers { li { (label) (lang.t("：", ": ")) (u) } } }
                }
            }
        }
        p.note {
            @match lang {
                Lang::Zh => { "判断：实现概率低于" (pct(b.settings.bands.high_below)) "为偏高，高于" (pct(b.settings.bands.low_above)) "为偏低，其间为适中。建议目标按置信水平" (conf) "测算并取整（增速取半个百分点，总量取三位有效数字，个数取整数），所示概率为取整后目标本身的实现概率。" }
                Lang::En => { "Verdict: met with probability below " (pct(b.settings.bands.high_below)) " is too high, above " (pct(b.settings.bands.low_above)) " too low, in between about right. Recommended targets are set at " (conf) " confidence and rounded (growth rates to half a point, levels to three significant figures, counts to whole numbers); the probability shown is that of the rounded target itself." }
            }
        }
    }
}

fn pct(p: f64) -> String {
    format!(
        "{}%",
        crate::briefing::publish::number(p * 100.0, crate::scenario::Kind::Level)
    )
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::High => "verdict high",
        Verdict::Fit => "verdict fit",
        Verdict::Low => "verdict low",
    }
}

fn strip_prolog(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}
