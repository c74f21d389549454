//! `report.html`: one self-contained file that tells a run's whole story
//! offline: the scenario, the targets and their probabilities, the charts
//! (inline SVG), the assumptions they rest on, and what is needed to
//! reproduce the numbers.
//!
//! Promises:
//! - no network requests: no scripts, fonts, styles or images from anywhere;
//!   a Content-Security-Policy (`default-src 'none'`) makes the browser
//!   refuse any that slipped in;
//! - every page is written through maud templates, which escape every
//!   interpolated text: the one HTML escaper. Chart SVG is written by
//!   [`super::chart::svg`], which escapes its own text, and goes in as is;
//! - no control character reaches the page: [`Report::to_html`] drops what
//!   [`super::text::stripped`] names from the whole document, once;
//! - readable printed to PDF (a print stylesheet: A4, no navigation, figures
//!   and table rows not split across pages).
//!
//! The report is a [`Report`]: a title and a list of [`Section`]s. A later
//! feature (calibration, comparison, sensitivity, multi-year fans) adds its
//! own section with [`Report::push`] or [`Report::insert_before`] without
//! touching the others.

use super::chart::{Chart, Spec};
use super::fan::Drawn;
use super::format;
use super::lang::Lang;
use super::table::thousands;
use crate::briefing::Briefing;
use crate::scenario::{Kind, Meta, Scenario};
use crate::summary::Summary;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// File name inside the output directory.
pub const FILE: &str = "report.html";

/// One part of the report, with its own heading and entry in the contents.
#[derive(Debug, Clone)]
pub struct Section {
    /// Anchor id: letters, digits and `-` only.
    pub id: String,
    /// Heading text (escaped when written).
    pub heading: String,
    /// The section's HTML, from a maud template.
    pub body: Markup,
}

impl Section {
    pub fn new(id: &str, heading: &str, body: Markup) -> Section {
        Section {
            id: id
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect(),
            heading: heading.to_string(),
            body,
        }
    }
}

/// A report: a header and sections, in order.
#[derive(Debug, Clone)]
pub struct Report {
    /// Page title and main heading (escaped when written).
    pub title: String,
    /// HTML under the main heading, before the contents.
    pub lead: Markup,
    pub sections: Vec<Section>,
    /// The page's language (`lang` attribute, the contents' heading).
    pub lang: Lang,
}

impl Report {
    pub fn new(title: &str) -> Report {
        Report {
            title: title.to_string(),
            lead: PreEscaped(String::new()),
            sections: Vec::new(),
            lang: Lang::default(),
        }
    }

    pub fn push(&mut self, section: Section) -> &mut Self {
        self.sections.push(section);
        self
    }

    /// Insert before the section with this id (at the end if there is none).
    pub fn insert_before(&mut self, id: &str, section: Section) -> &mut Self {
        let at = self
            .sections
            .iter()
            .position(|s| s.id == id)
            .unwrap_or(self.sections.len());
        self.sections.insert(at, section);
        self
    }

    /// The whole page.
    pub fn to_html(&self) -> String {
        let lang = self.lang;
        let page = html! {
            (DOCTYPE)
            html lang=(lang.t("zh-CN", "en")) {
                head {
                    meta charset="utf-8";
                    meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (self.title) }
                    style { (PreEscaped(STYLE)) }
                }
                body {
                    header {
                        h1 { (self.title) }
                        (self.lead)
                    }
                    nav {
                        h2 { (lang.t("目录", "Contents")) }
                        ol { @for s in &self.sections { li { a href={ "#" (s.id) } { (s.heading) } } } }
                    }
                    main {
                        @for s in &self.sections {
                            section id=(s.id) {
                                h2 { (s.heading) }
                                // Every table scrolls inside its own box on a
                                // narrow screen, so the page itself never gets
                                // wider than the phone. `<table` cannot occur
                                // in escaped text, only in markup.
                                (PreEscaped(s.body.0
                                    .replace("<table", "<div class=\"scroll\"><table")
                                    .replace("</table>", "</table></div>")))
                            }
                        }
                    }
                }
            }
        };
        // One pass over the whole document: no control character from any
        // text (the scenario's, a chart's) reaches the page.
        let mut out = super::text::clean(&page.into_string());
        out.push('\n');
        out
    }
}

/// The stylesheet. Printed (`@media print`, measured by tests/browser.rs on
/// A4 from Chromium): page 1 holds the title, the headline's first set and
/// its ladder, so headings are compact and the ladder is capped lower than
/// other figures; figures are capped at 112 mm so two fit on a page and a
/// figure pushed to the next page never leaves more than half a page
/// empty; nothing larger than a figure, a row or an indicator's group of
/// rows (`tbody.keep`) refuses to break, since a whole section or table
/// that will not split is what left pages near-empty; a table's first row
/// stays with the next and its last with the one before, so no page holds
/// a lone row.
const STYLE: &str = r#"
:root { --ink: #282828; --grey: #6e6e6e; --rule: #d0d0d0; --blue: #0072B2; --verm: #D55E00; }
* { box-sizing: border-box; }
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Heiti SC", SimHei, Arial, sans-serif;
  color: var(--ink); max-width: 1000px; margin: 0 auto; padding: 24px; line-height: 1.5; font-size: 15px; }
h1 { font-size: 28px; margin: 0 0 8px; }
h2 { font-size: 22px; border-bottom: 2px solid var(--rule); padding-bottom: 4px; margin-top: 40px; }
h3 { font-size: 18px; margin: 28px 0 8px; }
.description { white-space: pre-line; }
.meta { color: var(--grey); font-size: 14px; }
nav ol { columns: 2; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
h1, h2, h3, p, li, figcaption { overflow-wrap: anywhere; }
td.verdict { white-space: nowrap; }
section#headline { border: 2px solid var(--ink); padding: 4px 16px 8px; margin-top: 16px; }
section#headline h2 { margin-top: 8px; }
p.lead { font-size: 16px; }
td.verdict.high { color: var(--verm); font-weight: bold; }
td.verdict.low { color: var(--blue); font-weight: bold; }
td.verdict.fit { color: #009E73; font-weight: bold; }
ul.upper { margin: 4px 0 12px; padding-left: 20px; font-size: 14px; }
@media (max-width: 600px) {
  body { padding: 10px; font-size: 14px; }
  nav ol { columns: 1; }
  h1 { font-size: 22px; }
}
th, td { border-bottom: 1px solid var(--rule); padding: 4px 10px; text-align: left; vertical-align: middle; }
th { background: #f4f4f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.joint td { font-weight: bold; color: var(--verm); border-top: 2px solid var(--ink); }
tr.group td { font-weight: bold; background: #fafafa; border-top: 2px solid var(--rule); }
tr.group td .note { font-weight: normal; }
td.driver { padding-left: 24px; }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 13px; }
figure { margin: 16px 0 28px; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--grey); font-size: 14px; }
svg.spark { display: block; }
.note { color: var(--grey); font-size: 14px; }
@media print {
  @page { size: A4; margin: 14mm; }
  body { max-width: none; padding: 0; font-size: 10pt; line-height: 1.4; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  h1 { font-size: 18pt; margin: 0 0 4px; }
  h2 { font-size: 14pt; margin: 18px 0 6px; }
  h3 { font-size: 12pt; margin: 14px 0 4px; }
  h2, h3, .lead { break-after: avoid; }
  figure, tr, tbody.keep, p, ul, li { break-inside: avoid; }
  thead { display: table-header-group; }
  th, td { padding: 2px 8px; }
  table { margin: 4px 0 10px; }
  tbody tr:first-child { break-after: avoid; }
  tbody tr:last-child { break-before: avoid; }
  .scroll { overflow: visible; }
  section#headline { border-width: 1.5px; padding: 0 12px 4px; }
  section#headline h2 { margin-top: 4px; }
  figure { margin: 8px 0 12px; }
  figure svg { max-height: 112mm; }
  figure.ladder svg { max-height: 105mm; }
  figure#chart-ranges svg { max-height: 200mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// The report of any `run`, one-year or plan: header; a plan's targets;
/// the target sets; a plan's fan charts; the indicators; what decides a
/// miss; the assumptions; reproducibility. `charts` and `fans` may be empty
/// (then no figures).
pub fn report(scenario: &Scenario, summary: &Summary, charts: &[Chart], fans: &[Drawn]) -> Report {
    let settings = scenario.report.settings(None);
    let briefing = crate::briefing::build(scenario, summary, &settings);
    report_briefed(scenario, summary, &briefing, charts, fans, &[])
}

/// [`report`] with its briefing, in the briefing's language; `ladders`
/// holds `(set, svg)` of the target ladders drawn, each shown right after
/// its set's headline.
pub fn report_briefed(
    scenario: &Scenario,
    summary: &Summary,
    briefing: &Briefing,
    charts: &[Chart],
    fans: &[Drawn],
    ladders: &[(String, String)],
) -> Report {
    let lang = briefing.settings.lang;
    let mut r = Report::new(scenario.title_in(lang));
    r.lang = lang;
    r.lead = lead(scenario, summary, lang);
    // The answer first (结论), then the evidence.
    r.push(Section::new(
        super::headline::ID,
        lang.t("结论", "Conclusion"),
        super::headline::html(briefing, ladders),
    ));
    if let Some(body) = super::html_plan::plan(scenario, summary, lang) {
        r.push(Section::new(
            "plan",
            lang.t("规划目标", "Plan targets"),
            body,
        ));
    }
    let heading = if summary.is_plan() {
        lang.t("分年度目标", "Targets by year")
    } else {
        lang.t("目标", "Targets")
    };
    r.push(Section::new(
        "targets",
        heading,
        targets(summary, charts, lang),
    ));
    if let Some(sec) = super::html_pipeline::section(scenario, summary, lang) {
        r.push(sec);
    }
    if !fans.is_empty() {
        r.push(Section::new(
            "fans",
            lang.t("扇形图", "Fan charts"),
            super::html_plan::fan_figures(summary, fans, lang),
        ));
    }
    let heading = if summary.is_plan() {
        lang.t("分年度指标", "Indicators by year")
    } else {
        lang.t("指标", "Indicators")
    };
    r.push(Section::new(
        "indicators",
        heading,
        indicators(scenario, summary, charts, lang),
    ));
    // Sensitivity names a plan's columns as its view does (`gdp@2030`).
    if let Some(sec) = summary.sensitivity.as_ref().and_then(|sens| {
        super::html_sensitivity::section(&crate::plan_view::view(scenario).scenario, sens, lang)
    }) {
        r.push(sec);
    }
    r.push(Section::new(
        "assumptions",
        lang.t("测算假设", "Assumptions"),
        html! {
            (assumptions_in(scenario, lang))
            (super::html_plan::drivers_by_year(scenario, summary, lang))
        },
    ));
    r.push(Section::new(
        "reproducibility",
        lang.t("附：如何复现", "Appendix: reproducing these numbers"),
        reproducibility(scenario, summary, lang),
    ));
    r
}

fn lead(scenario: &Scenario, summary: &Summary, lang: Lang) -> Markup {
    let description = scenario.description_in(lang).trim();
    html! {
        @if !description.is_empty() {
            p.description { (description) }
        }
        p.meta {
            (lang.t("模拟次数", "draws")) " " (thousands(summary.draws)) " · "
            (lang.t("随机种子", "seed")) " " (summary.seed) " · "
            (summary.tool.name) " " (summary.tool.version)
        }
        @if let Some(h) = &summary.horizon {
            @let a = h.years.first().copied().unwrap_or_default();
            @let b = h.years.last().copied().unwrap_or_default();
            p.meta { @match lang {
                Lang::Zh => { (a) "–" (b) "年，基期为" (h.base_year) "年。" }
                Lang::En => { "Years " (a) "–" (b) ", from year 0 = " (h.base_year) " (the base values)." }
            } }
        }
    }
}

fn short_hash(h: &str) -> &str {
    &h[..h.len().min(19)]
}

fn figure(chart: &Chart) -> Markup {
    chart_figure(&chart.stem, &chart.title, &chart.svg)
}

/// A chart inline, captioned with its title and its files in `charts/`.
/// The SVG is the chart module's, whose text [`super::chart::svg::escape`]
/// escaped; it goes in as is.
pub(crate) fn chart_figure(stem: &str, title: &str, svg: &str) -> Markup {
    html! {
        figure id={ "chart-" (stem) } class="chart" {
            (PreEscaped(strip_xml_prolog(svg)))
            figcaption { (title) " — " code { "charts/" (stem) ".svg" } ", " code { ".png" } }
        }
    }
}

fn strip_xml_prolog(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// A scenario label in the page's language, its code name as a hover.
pub(crate) fn label_in(
    lang: Lang,
    name: &str,
    label: Option<&str>,
    label_en: Option<&str>,
) -> Markup {
    html! { span title=(name) { (lang.label(label, label_en, name)) } }
}

/// Every target set: the joint probability, a table of its targets (a
/// plan's with their year) and, for a one-year run, its chart.
fn targets(summary: &Summary, charts: &[Chart], lang: Lang) -> Markup {
    let plan = summary.is_plan();
    html! {
        @if summary.target_sets.is_empty() {
            p { (lang.t("情景未设目标。", "The scenario sets no targets.")) }
        }
        @for (k, (name, set)) in summary.target_sets.iter().enumerate() {
            @let n = set.targets.len();
            // The wording column only when some target has one.
            @let worded = set.targets.iter().any(|t| t.wording.is_some());
            h3 id={ "set-" (name) } {
                (label_in(lang, name, set.label.as_deref(), set.label_en.as_deref()))
            }
            @if n > 1 {
                p { @match lang {
                    Lang::Zh => {
                        "全部" (n) "项目标同时实现的概率为" strong { (format::probability(set.joint_probability)) }
                        "（标准误 " (format!("{:.2}", set.joint_se * 100.0)) " 个百分点）；若各项相互独立，则为 "
                        (format::probability(set.independent_product)) "。"
                    }
                    Lang::En => {
                        "All " (n) " targets are met together in " strong { (format::probability(set.joint_probability)) }
                        " of simulated " (if plan { "paths" } else { "years" })
                        " (se " (format!("{:.2}", set.joint_se * 100.0)) " points); if the targets were independent it would be "
                        (format::probability(set.independent_product)) "."
                    }
                } }
            }
            table.keep {
                thead { tr {
                    @if plan { th { (lang.t("年份", "year")) } }
                    th { (lang.t("指标", "indicator")) }
                    th { (lang.t("目标", "target")) }
                    @if worded { th { (lang.t("表述", "wording")) } }
                    th.num { (lang.t("实现概率", "P(met)")) }
                    th.num { (lang.t("标准误（百分点）", "se (points)")) }
                } }
                tbody {
                    @for t in &set.targets {
                        @let ind = summary.indicator(&t.indicator, t.year);
                        @let kind = ind.map_or(Kind::Level, |i| i.kind);
                        tr {
                            @if let Some(y) = t.year { td { (y) } }
                            td { (label_in(lang, &t.indicator, ind.and_then(|i| i.label.as_deref()), ind.and_then(|i| i.label_en.as_deref()))) }
                            td { (crate::briefing::publish::text(&t.rule, kind, ind.and_then(|i| i.unit.as_deref()), lang)) }
                            @if worded { td { (t.wording.as_deref().unwrap_or("")) } }
                            (probability_cells(t.probability, t.se))
                        }
                    }
                    tr.joint {
                        td colspan=(2 + usize::from(plan) + usize::from(worded)) { @match lang {
                            Lang::Zh => { "全部" (n) "项同时实现" }
                            Lang::En => { "all " (n) " together" }
                        } }
                        (probability_cells(set.joint_probability, set.joint_se))
                    }
                }
            }
            @if let Some(c) = charts.iter().find(|c| c.spec == Spec::TargetSet(k)) {
                (figure(c))
            }
        }
    }
}

/// A probability and its standard error in points, as two table cells.
pub(crate) fn probability_cells(p: f64, se: f64) -> Markup {
    html! {
        td.num { (format::probability(p)) }
        td.num { (format!("{:.2}", se * 100.0)) }
    }
}

/// The indicators: a one-year run's one per row with its median, range,
/// mean and sd (and the charts); a plan's with a column per year.
fn indicators(scenario: &Scenario, summary: &Summary, charts: &[Chart], lang: Lang) -> Markup {
    if summary.is_plan() {
        return super::html_plan::indicators_by_year(scenario, summary, lang);
    }
    let dists: Vec<&Chart> = charts
        .iter()
        .filter(|c| matches!(c.spec, Spec::Distribution(_)))
        .collect();
    html! {
        @if let Some(c) = charts.iter().find(|c| c.spec == Spec::Ranges) {
            (figure(c))
        }
        table {
            thead { tr {
                th { (lang.t("指标", "indicator")) }
                th.num { (lang.t("中位数", "median")) }
                th.num { "10% – 90%" }
                th.num { (lang.t("均值", "mean")) }
                th.num { (lang.t("标准差", "sd")) }
                th { (lang.t("单位", "unit")) }
            } }
            tbody {
                @for (name, ind) in summary.indicators() {
                    @let q = &ind.quantiles;
                    tr {
                        td { (label_in(lang, name, ind.label.as_deref(), ind.label_en.as_deref())) }
                        td.num { (format::value(q.p50, ind.kind)) }
                        td.num { (format::value(q.p10, ind.kind)) " – " (format::value(q.p90, ind.kind)) }
                        td.num { (format::value(ind.mean, ind.kind)) }
                        td.num { (format::value(ind.sd, ind.kind)) }
                        td { @match ind.kind {
                            Kind::Rate => { "%" }
                            _ => { (ind.unit.as_deref().unwrap_or_default()) }
                        } }
                    }
                }
            }
        }
        p.note { (lang.t(
            "中位数与10%–90%区间：一半的模拟年份低于中位数，80%落在区间内。",
            "Median and 10% – 90%: half of the simulated years fall below the median; 80% fall between the two bounds. Quantiles are type 7 (R and NumPy's default); sd is the sample standard deviation.",
        )) }
        @if !dists.is_empty() {
            h3 { (lang.t("目标指标的分布", "Distributions of the targeted indicators")) }
            @for c in dists { (figure(c)) }
        }
    }
}

fn meta_value(x: f64, meta: &Meta) -> String {
    format::value(x, meta.kind)
}

/// The assumptions in `lang`. Its tables name each variable by its code
/// name too: they are the report's glossary of the scenario's names.
pub(crate) fn assumptions_in(s: &Scenario, lang: Lang) -> Markup {
    let n = s.correlation.n().min(s.drivers.len());
    let mut pairs = Vec::new();
    for i in 0..n {
        for j in (i + 1)..n {
            let rho = s.correlation.get(i, j);
            if rho != 0.0 {
                pairs.push((i, j, rho));
            }
        }
    }
    let none = html! { p { (lang.t("无。", "None.")) } };
    html! {
        h3 { (lang.t("基期数值", "Base-year values")) }
        @if s.base.is_empty() {
            (none)
        } @else {
            table {
                thead { tr {
                    th { (lang.t("代码名", "name")) }
                    th { (lang.t("名称", "label")) }
                    th.num { (lang.t("数值", "value")) }
                    th { (lang.t("单位", "unit")) }
                } }
                tbody { @for b in &s.base { tr {
                    td { code { (b.name) } }
                    td { (label_in(lang, &b.name, b.meta.label.as_deref(), b.meta.label_en.as_deref())) }
                    td.num { (meta_value(b.value, &b.meta)) }
                    td { (b.meta.unit.as_deref().unwrap_or("")) }
                } } }
            }
        }

        h3 { (lang.t("不确定因素", "Uncertain drivers")) }
        @if s.drivers.is_empty() {
            (none)
        } @else {
            table {
                thead { tr {
                    th { (lang.t("代码名", "name")) }
                    th { (lang.t("名称", "label")) }
                    th { (lang.t("分布", "distribution")) }
                    th.num { (lang.t("均值", "mean")) }
                    th.num { "5% – 95%" }
                    th { (lang.t("形状", "shape")) }
                } }
                tbody { @for d in &s.drivers {
                    @let m = &d.marginal;
                    tr {
                        td { code { (d.name) } }
                        td { (label_in(lang, &d.name, d.meta.label.as_deref(), d.meta.label_en.as_deref())) }
                        td { (d.distribution.describe()) }
                        td.num { (meta_value(m.mean(), &d.meta)) }
                        td.num { (meta_value(m.quantile(0.05), &d.meta)) " – " (meta_value(m.quantile(0.95), &d.meta)) }
                        // Drawn by the sparkline module, which escapes its own text.
                        td { (PreEscaped(super::sparkline::svg(m, &format!("distribution of {}", d.name)))) }
                    }
                } }
            }
            p.note { (lang.t(
                "形状：连续因素在0.5%至99.5%分位数之间的密度，或离散因素各取值的概率。",
                "Shape: the density of a continuous driver between its 0.5% and 99.5% quantiles, or the probability of each value of a discrete one.",
            )) }
        }

        h3 { (lang.t("相关性", "Correlations")) }
        @if pairs.is_empty() {
            p { (lang.t("各因素相互独立。", "The drivers are independent.")) }
        } @else {
            p { (lang.t(
                "各因素之间的相关系数（高斯copula）；未列出的两两之间相互独立。",
                "Correlations of the drivers' normal scores (Gaussian copula); unlisted pairs are independent.",
            )) }
            table {
                thead { tr {
                    th { (lang.t("因素", "driver")) }
                    th { (lang.t("因素", "driver")) }
                    th.num { (lang.t("相关系数", "correlation")) }
                    th.num { (lang.t("秩相关系数", "rank correlation")) }
                } }
                tbody { @for (i, j, rho) in pairs {
                    @let adjusted = s
                        .correlation_adjustments
                        .iter()
                        .find(|a| (a.i, a.j) == (i, j) || (a.i, a.j) == (j, i));
                    tr {
                        td { code { (s.drivers[i].name) } }
                        td { code { (s.drivers[j].name) } }
                        td.num {
                            (format!("{rho:.2}"))
                            @if let Some(a) = adjusted { @match lang {
                                Lang::Zh => { "（由 " (format!("{:.3}", a.from)) " 修正）" }
                                Lang::En => { " (repaired from " (format!("{:.3}", a.from)) ")" }
                            } }
                        }
                        td.num { (format!("{:.2}", crate::sampling::correlation::spearman_from_normal(rho))) }
                    }
                } }
            }
        }

        h3 { (lang.t("计算公式", "Formulas")) }
        table {
            thead { tr {
                th { (lang.t("代码名", "indicator")) }
                th { (lang.t("名称", "label")) }
                th { (lang.t("公式", "formula")) }
            } }
            tbody { @for ind in &s.indicators { tr {
                td { code { (ind.name) } }
                td { (label_in(lang, &ind.name, ind.meta.label.as_deref(), ind.meta.label_en.as_deref())) }
                td { code { (ind.formula) } }
            } } }
        }
    }
}

/// A short plain appendix: what to keep to get the same numbers again.
fn reproducibility(s: &Scenario, summary: &Summary, lang: Lang) -> Markup {
    let command = format!(
        "targetsim run {} --seed {} --draws {}",
        s.file.display(),
        summary.seed,
        summary.draws
    );
    let hash = short_hash(&summary.scenario.hash);
    let (tool, version) = (&summary.tool.name, &summary.tool.version);
    html! {
        p.note { @match lang {
            Lang::Zh => {
                "以上数字由 " (tool) " " (version) " 对情景文件 " code { (summary.scenario.file) }
                "（指纹 " code { (hash) } "）模拟 " (thousands(summary.draws)) " 次、随机种子 " (summary.seed)
                " 得出。保留该文件，运行 " code { (command) } " 即可在任何电脑上得到完全相同的结果。"
            }
            Lang::En => {
                "These numbers come from " (tool) " " (version) " simulating the scenario file " code { (summary.scenario.file) }
                " (fingerprint " code { (hash) } ") " (thousands(summary.draws)) " times with seed " (summary.seed)
                ". Keep the file and run " code { (command) } " to get exactly the same results on any computer."
            }
        } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_is_escaped_and_control_characters_dropped() {
        let r = Report::new("<script>alert(1)</script> & \"x\" \u{1b}[31m\u{7}区");
        let html = r.to_html();
        assert!(
            html.contains(
                "<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; [31m区</h1>"
            ),
            "{html}"
        );
        assert!(!html.contains("<script"));
        assert!(!html.chars().any(|c| c.is_control() && c != '\n'));
    }

    #[test]
    fn a_later_section_slots_in_without_touching_the_others() {
        let mut r = Report::new("t <b>");
        r.push(Section::new("a", "A", html! { p { "a" } }));
        r.push(Section::new("c", "C", html! { p { "c" } }));
        r.insert_before("c", Section::new("b", "B & b", html! { p { "b" } }));
        let html = r.to_html();
        let (a, b, c) = (
            html.find("<p>a</p>").unwrap(),
            html.find("<p>b</p>").unwrap(),
            html.find("<p>c</p>").unwrap(),
        );
        assert!(a < b && b < c);
        assert!(html.contains("<h1>t &lt;b&gt;</h1>"));
        assert!(html.contains("<a href=\"#b\">B &amp; b</a>"));
    }
}
