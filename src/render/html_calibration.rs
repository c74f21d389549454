//! The report pages of `calibrate` (`calibration.html`) and `compare`
//! (`comparison.html`): named for their command, like their other files,
//! because the three commands share one output folder and `run` owns
//! `report.html`. The same page, stylesheet
//! and Content-Security-Policy as `run`'s report, in the headline's
//! vocabulary (实现概率, 偏高 / 适中 / 偏低, 建议目标), with the command's
//! charts inline when it drew them.

use super::format::probability;
use super::html::{Report, Section, chart_figure};
use super::lang::Lang;
use crate::briefing::publish;
use crate::calibrate::{Calibration, Verdict};
use crate::compare::Comparison;
use crate::scenario::Scenario;
use maud::{Markup, html};

fn verdict(v: Verdict, lang: Lang) -> &'static str {
    match v {
        Verdict::TooAmbitious => lang.t("偏高", "too high"),
        Verdict::Within => lang.t("适中", "about right"),
        Verdict::TooTimid => lang.t("偏低", "too low"),
    }
}

fn figures(charts: &[(String, String)]) -> Markup {
    html! { @for (stem, svg) in charts { (chart_figure(stem, stem, svg)) } }
}

/// File name of `calibrate`'s page.
pub const CALIBRATION_FILE: &str = "calibration.html";
/// File name of `compare`'s page.
pub const COMPARISON_FILE: &str = "comparison.html";

/// `calibrate`'s page.
pub fn calibration(
    s: &Scenario,
    c: &Calibration,
    lang: Lang,
    charts: &[(String, String)],
) -> Report {
    let mut r = Report::new(s.title_in(lang));
    r.lang = lang;
    let conf = format!(
        "{}%",
        publish::number(c.confidence * 100.0, crate::scenario::Kind::Level)
    );
    let set_label = lang.label(c.set_label.as_deref(), None, &c.set).to_string();
    let body: Markup = html! {
        p.lead {
            (set_label) " · "
            @match lang {
                Lang::Zh => { "置信水平 " (conf) " · 草案全部同时实现的概率 " strong { (probability(c.draft_joint_probability)) } " · 建议目标全部同时实现的概率 " (probability(c.recommended_joint_probability)) }
                Lang::En => { "confidence " (conf) " · all draft targets met together: " strong { (probability(c.draft_joint_probability)) } " · all recommended targets together: " (probability(c.recommended_joint_probability)) }
            }
        }
        table.keep {
            thead { tr {
                th { (lang.t("指标", "indicator")) }
                th { (lang.t("草案目标", "draft target")) }
                th.num { (lang.t("实现概率", "P(met)")) }
                th { (lang.t("判断", "verdict")) }
                th { (lang.t("建议目标", "recommended target")) }
                th.num { (lang.t("建议目标实现概率", "its P(met)")) }
                th { (lang.t("上级目标及差距", "upper level and gap")) }
            } }
            tbody { @for (name, t) in &c.targets {
                @let label = s.indicator_index(name).map(|i| lang.meta_label(&s.indicators[i].meta, name).to_string()).unwrap_or_else(|| t.label.clone().unwrap_or_else(|| name.clone()));
                @let unit = s.indicator_index(name).and_then(|i| s.indicators[i].meta.unit.clone());
                tr {
                    td title=(name) { (label) }
                    td { (publish::text(&t.draft, t.kind, unit.as_deref(), lang)) }
                    td.num { (probability(t.probability)) }
                    td class=(match t.verdict { Verdict::TooAmbitious => "verdict high", Verdict::Within => "verdict fit", Verdict::TooTimid => "verdict low" }) { (verdict(t.verdict, lang)) }
                    td { (publish::text(&t.published.rule, t.kind, unit.as_deref(), lang)) }
                    td.num { (probability(t.published.probability)) }
                    td {
                        @if let Some(u) = &t.upper {
                            (publish::text(&u.rule, t.kind, unit.as_deref(), lang))
                            " (" (probability(u.probability)) ")"
                        }
                    }
                }
            } }
        }
        p.note {
            @match lang {
                Lang::Zh => { "建议目标按置信水平测算并取整（增速取半个百分点，总量取三位有效数字，个数取整数），所示概率为取整后目标本身在同一批模拟中的实现概率。" }
                Lang::En => { "Recommended targets are computed at the confidence and rounded (growth rates to half a point, levels to three significant figures, counts to whole numbers); the probability shown is that of the rounded target itself in the same draws." }
            }
        }
    };
    r.push(Section::new(
        super::headline::ID,
        lang.t("结论", "Conclusion"),
        html! { (body) (figures(charts)) },
    ));
    r.push(Section::new(
        "reproducibility",
        lang.t("附：如何复现", "Appendix: reproducing these numbers"),
        appendix(
            s,
            c.seed,
            c.draws,
            lang,
            &format!("calibrate --confidence {} --set {}", c.confidence, c.set),
        ),
    ));
    r
}

/// `compare`'s page.
pub fn comparison(s: &Scenario, c: &Comparison, lang: Lang, charts: &[(String, String)]) -> Report {
    let mut r = Report::new(s.title_in(lang));
    r.lang = lang;
    let body: Markup = html! {
        table.keep {
            thead { tr {
                th { (lang.t("指标", "indicator")) }
                th.num { (lang.t("中位数", "median")) }
                @for (name, set) in &c.sets {
                    th title=(name) { (lang.label(set.label.as_deref(), set.label_en.as_deref(), name)) }
                }
            } }
            tbody {
                @for (name, row) in &c.indicators {
                    @let meta = s.indicator_index(name).map(|i| &s.indicators[i].meta);
                    @let unit = meta.and_then(|m| m.unit.clone());
                    tr {
                        td title=(name) { (meta.map(|m| lang.meta_label(m, name).to_string()).unwrap_or_else(|| name.clone())) }
                        td.num { (super::format::value(row.median, row.kind)) }
                        @for set in c.sets.keys() {
                            td {
                                @if let Some(t) = row.targets.get(set) {
                                    (publish::text(&t.rule, row.kind, unit.as_deref(), lang))
                                    br;
                                    span.note { (probability(t.probability)) }
                                } @else { "—" }
                            }
                        }
                    }
                }
                tr.joint {
                    td colspan="2" { (lang.t("全部同时实现", "all met together")) }
                    @for set in c.sets.values() { td { (probability(set.joint_probability)) } }
                }
            }
        }
        @if !c.variants.is_empty() {
            h3 { (lang.t("情景对比", "Scenario comparison")) }
            table {
                thead { tr {
                    th { (lang.t("情景", "variant")) }
                    th { (lang.t("目标集", "target set")) }
                    th.num { (lang.t("全部同时实现", "all met together")) }
                    th.num { (lang.t("变化（百分点）", "change (points)")) }
                } }
                tbody { @for (vname, v) in &c.variants { @for (sname, vs) in &v.sets {
                    tr {
                        td title=(vname) { (lang.label(v.label.as_deref(), v.label_en.as_deref(), vname)) }
                        td title=(sname) { (c.sets.get(sname).map(|x| lang.label(x.label.as_deref(), x.label_en.as_deref(), sname)).unwrap_or(sname)) }
                        td.num { (probability(vs.joint_probability)) }
                        td.num { (format!("{:+.2} ± {:.2}", vs.joint_change * 100.0, vs.joint_change_se * 100.0)) }
                    }
                } } }
            }
        }
    };
    r.push(Section::new(
        super::headline::ID,
        lang.t("结论", "Conclusion"),
        html! { (body) (figures(charts)) },
    ));
    r.push(Section::new(
        "reproducibility",
        lang.t("附：如何复现", "Appendix: reproducing these numbers"),
        appendix(s, c.seed, c.draws, lang, "compare"),
    ));
    r
}

fn appendix(s: &Scenario, seed: u64, draws: u64, lang: Lang, command: &str) -> Markup {
    let cmd = format!(
        "targetsim {command} {} --seed {seed} --draws {draws}",
        s.file.display()
    );
    html! {
        p.note {
            @match lang {
                Lang::Zh => { "保留情景文件，运行 " code { (cmd) } " 即可得到完全相同的结果。" }
                Lang::En => { "Keep the scenario file and run " code { (cmd) } " to get exactly the same results." }
            }
        }
    }
}
