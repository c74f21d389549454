//! `report.html`: one self-contained file that tells a run's whole story
//! offline: the scenario, the targets and their probabilities, the charts
//! (inline SVG), the assumptions they rest on, and what is needed to
//! reproduce the numbers.
//!
//! Promises:
//! - no network requests: no scripts, fonts, styles or images from anywhere;
//!   a Content-Security-Policy (`default-src 'none'`) makes the browser
//!   refuse any that slipped in;
//! - every text that comes from the scenario (titles, descriptions, labels,
//!   formulas, names) goes through [`escape`]; chart SVG is written by
//!   plotters, which escapes its text;
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

/// File name inside the output directory.
pub const FILE: &str = "report.html";

/// Escape text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One part of the report, with its own heading and entry in the contents.
#[derive(Debug, Clone)]
pub struct Section {
    /// Anchor id: letters, digits and `-` only.
    pub id: String,
    /// Heading text (escaped when written).
    pub heading: String,
    /// The section's HTML. Build it with [`escape`] for every scenario text.
    pub body: String,
}

impl Section {
    pub fn new(id: &str, heading: &str, body: String) -> Section {
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
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Page title and main heading (escaped when written).
    pub title: String,
    /// HTML under the main heading, before the contents.
    pub lead: String,
    pub sections: Vec<Section>,
    /// The page's language (`lang` attribute, the contents' heading).
    pub lang: Lang,
}

impl Report {
    pub fn new(title: &str) -> Report {
        Report {
            title: title.to_string(),
            ..Report::default()
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
        let mut out = String::with_capacity(1 << 20);
        out.push_str(&format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n",
            self.lang.t("zh-CN", "en")
        ));
        out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        out.push_str(&format!("<title>{}</title>\n", escape(&self.title)));
        out.push_str("<style>\n");
        out.push_str(STYLE);
        out.push_str("</style>\n</head>\n<body>\n<header>\n");
        out.push_str(&format!("<h1>{}</h1>\n", escape(&self.title)));
        out.push_str(&self.lead);
        out.push_str(&format!(
            "</header>\n<nav><h2>{}</h2><ol>\n",
            self.lang.t("目录", "Contents")
        ));
        for s in &self.sections {
            out.push_str(&format!(
                "<li><a href=\"#{}\">{}</a></li>\n",
                s.id,
                escape(&s.heading)
            ));
        }
        out.push_str("</ol></nav>\n<main>\n");
        for s in &self.sections {
            out.push_str(&format!(
                "<section id=\"{}\">\n<h2>{}</h2>\n",
                s.id,
                escape(&s.heading)
            ));
            // Every table scrolls inside its own box on a narrow screen,
            // so the page itself never gets wider than the phone.
            out.push_str(
                &s.body
                    .replace("<table", "<div class=\"scroll\"><table")
                    .replace("</table>", "</table></div>"),
            );
            out.push_str("</section>\n");
        }
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }
}

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
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  figure, tr, .keep, .set, p, ul { break-inside: avoid; }
  thead { display: table-header-group; }
  .scroll { overflow: visible; }
  section#headline { break-inside: avoid-page; border-width: 1.5px; }
  section { orphans: 3; widows: 3; }
  table { orphans: 3; widows: 3; }
  figure svg { max-height: 125mm; }
  figure#chart-ranges svg { max-height: 240mm; }
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
        super::headline::html(briefing, ladders).into_string(),
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
    let mut body = assumptions_in(scenario, lang);
    body.push_str(&super::html_plan::drivers_by_year(scenario, summary, lang));
    r.push(Section::new(
        "assumptions",
        lang.t("测算假设", "Assumptions"),
        body,
    ));
    r.push(Section::new(
        "reproducibility",
        lang.t("附：如何复现", "Appendix: reproducing these numbers"),
        reproducibility(scenario, summary, lang),
    ));
    r
}

fn lead(scenario: &Scenario, summary: &Summary, lang: Lang) -> String {
    let mut out = String::new();
    let description = scenario.description_in(lang).trim();
    if !description.is_empty() {
        out.push_str(&format!(
            "<p class=\"description\">{}</p>\n",
            escape(description)
        ));
    }
    out.push_str(&format!(
        "<p class=\"meta\">{} {} · {} {} · {} {}</p>\n",
        lang.t("模拟次数", "draws"),
        thousands(summary.draws),
        lang.t("随机种子", "seed"),
        summary.seed,
        summary.tool.name,
        summary.tool.version,
    ));
    if let Some(h) = &summary.horizon {
        let (a, b) = (
            h.years.first().copied().unwrap_or_default(),
            h.years.last().copied().unwrap_or_default(),
        );
        out.push_str(&match lang {
            Lang::Zh => format!(
                "<p class=\"meta\">{a}–{b}年，基期为{}年。</p>\n",
                h.base_year
            ),
            Lang::En => format!(
                "<p class=\"meta\">Years {a}–{b}, from year 0 = {} (the base values).</p>\n",
                h.base_year
            ),
        });
    }
    out
}

fn short_hash(h: &str) -> &str {
    &h[..h.len().min(19)]
}

fn figure(chart: &Chart) -> String {
    chart_figure(&chart.stem, &chart.title, &chart.svg)
}

/// A chart inline, captioned with its title and its files in `charts/`.
pub(crate) fn chart_figure(stem: &str, title: &str, svg: &str) -> String {
    format!(
        "<figure id=\"chart-{}\" class=\"chart\">\n{}\n<figcaption>{} — <code>charts/{}.svg</code>, <code>.png</code></figcaption>\n</figure>\n",
        escape(stem),
        strip_xml_prolog(svg),
        escape(title),
        escape(stem),
    )
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
) -> String {
    format!(
        "<span title=\"{}\">{}</span>",
        escape(name),
        escape(&super::headline::clean(lang.label(label, label_en, name)))
    )
}

/// Every target set: the joint probability, a table of its targets (a
/// plan's with their year) and, for a one-year run, its chart.
fn targets(summary: &Summary, charts: &[Chart], lang: Lang) -> String {
    let mut out = String::new();
    if summary.target_sets.is_empty() {
        out.push_str(lang.t(
            "<p>情景未设目标。</p>\n",
            "<p>The scenario sets no targets.</p>\n",
        ));
    }
    let plan = summary.is_plan();
    for (k, (name, set)) in summary.target_sets.iter().enumerate() {
        out.push_str(&format!(
            "<h3 id=\"set-{}\">{}</h3>\n",
            escape(name),
            label_in(lang, name, set.label.as_deref(), set.label_en.as_deref()),
        ));
        if set.targets.len() > 1 {
            out.push_str(&match lang {
                Lang::Zh => format!(
                    "<p>全部{}项目标同时实现的概率为<strong>{}</strong>（标准误 {:.2} 个百分点）；若各项相互独立，则为 {}。</p>\n",
                    set.targets.len(),
                    format::probability(set.joint_probability),
                    set.joint_se * 100.0,
                    format::probability(set.independent_product),
                ),
                Lang::En => format!(
                    "<p>All {} targets are met together in <strong>{}</strong> of simulated {} (se {:.2} points); if the targets were independent it would be {}.</p>\n",
                    set.targets.len(),
                    format::probability(set.joint_probability),
                    if plan { "paths" } else { "years" },
                    set.joint_se * 100.0,
                    format::probability(set.independent_product),
                ),
            });
        }
        // The wording column only when some target has one.
        let worded = set.targets.iter().any(|t| t.wording.is_some());
        out.push_str(&format!(
            "<table class=\"keep\"><thead><tr>{}<th>{}</th><th>{}</th>{}<th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>\n",
            if plan { lang.t("<th>年份</th>", "<th>year</th>") } else { "" },
            lang.t("指标", "indicator"),
            lang.t("目标", "target"),
            if worded { lang.t("<th>表述</th>", "<th>wording</th>") } else { "" },
            lang.t("实现概率", "P(met)"),
            lang.t("标准误（百分点）", "se (points)"),
        ));
        for t in &set.targets {
            let ind = summary.indicator(&t.indicator, t.year);
            let kind = ind.map_or(Kind::Level, |i| i.kind);
            out.push_str(&format!(
                "<tr>{}<td>{}</td><td>{}</td>{}{}</tr>\n",
                t.year.map(|y| format!("<td>{y}</td>")).unwrap_or_default(),
                label_in(
                    lang,
                    &t.indicator,
                    ind.and_then(|i| i.label.as_deref()),
                    ind.and_then(|i| i.label_en.as_deref())
                ),
                escape(&crate::briefing::publish::text(
                    &t.rule,
                    kind,
                    ind.and_then(|i| i.unit.as_deref()),
                    lang
                )),
                if worded {
                    format!(
                        "<td>{}</td>",
                        escape(&super::headline::clean(t.wording.as_deref().unwrap_or("")))
                    )
                } else {
                    String::new()
                },
                probability_cells(t.probability, t.se),
            ));
        }
        out.push_str(&format!(
            "<tr class=\"joint\"><td colspan=\"{}\">{}</td>{}</tr>\n</tbody></table>\n",
            2 + usize::from(plan) + usize::from(worded),
            match lang {
                Lang::Zh => format!("全部{}项同时实现", set.targets.len()),
                Lang::En => format!("all {} together", set.targets.len()),
            },
            probability_cells(set.joint_probability, set.joint_se)
        ));
        if let Some(c) = charts.iter().find(|c| c.spec == Spec::TargetSet(k)) {
            out.push_str(&figure(c));
        }
    }
    out
}

/// A probability and its standard error in points, as two table cells.
pub(crate) fn probability_cells(p: f64, se: f64) -> String {
    format!(
        "<td class=\"num\">{}</td><td class=\"num\">{:.2}</td>",
        format::probability(p),
        se * 100.0
    )
}

/// The indicators: a one-year run's one per row with its median, range,
/// mean and sd (and the charts); a plan's with a column per year.
fn indicators(scenario: &Scenario, summary: &Summary, charts: &[Chart], lang: Lang) -> String {
    if summary.is_plan() {
        return super::html_plan::indicators_by_year(scenario, summary, lang);
    }
    let mut out = String::new();
    if let Some(c) = charts.iter().find(|c| c.spec == Spec::Ranges) {
        out.push_str(&figure(c));
    }
    out.push_str(&format!(
        "<table><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">10% – 90%</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead><tbody>\n",
        lang.t("指标", "indicator"),
        lang.t("中位数", "median"),
        lang.t("均值", "mean"),
        lang.t("标准差", "sd"),
        lang.t("单位", "unit"),
    ));
    for (name, ind) in summary.indicators() {
        let q = &ind.quantiles;
        let unit = match ind.kind {
            Kind::Rate => "%".to_string(),
            _ => ind.unit.clone().unwrap_or_default(),
        };
        out.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} – {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
            label_in(lang, name, ind.label.as_deref(), ind.label_en.as_deref()),
            format::value(q.p50, ind.kind),
            format::value(q.p10, ind.kind),
            format::value(q.p90, ind.kind),
            format::value(ind.mean, ind.kind),
            format::value(ind.sd, ind.kind),
            escape(&unit),
        ));
    }
    out.push_str(lang.t(
        "</tbody></table>\n<p class=\"note\">中位数与10%–90%区间：一半的模拟年份低于中位数，80%落在区间内。</p>\n",
        "</tbody></table>\n<p class=\"note\">Median and 10% – 90%: half of the simulated years fall below the median; 80% fall between the two bounds. Quantiles are type 7 (R and NumPy's default); sd is the sample standard deviation.</p>\n",
    ));
    let dists: Vec<&Chart> = charts
        .iter()
        .filter(|c| matches!(c.spec, Spec::Distribution(_)))
        .collect();
    if !dists.is_empty() {
        out.push_str(lang.t(
            "<h3>目标指标的分布</h3>\n",
            "<h3>Distributions of the targeted indicators</h3>\n",
        ));
        for c in dists {
            out.push_str(&figure(c));
        }
    }
    out
}

fn meta_value(x: f64, meta: &Meta) -> String {
    format::value(x, meta.kind)
}

/// The assumptions in `lang`. Its tables name each variable by its code
/// name too: they are the report's glossary of the scenario's names.
pub(crate) fn assumptions_in(s: &Scenario, lang: Lang) -> String {
    let mut out = String::new();
    out.push_str(lang.t("<h3>基期数值</h3>\n", "<h3>Base-year values</h3>\n"));
    if s.base.is_empty() {
        out.push_str(lang.t("<p>无。</p>\n", "<p>None.</p>\n"));
    } else {
        out.push_str(lang.t("<table><thead><tr><th>代码名</th><th>名称</th><th class=\"num\">数值</th><th>单位</th></tr></thead><tbody>\n", "<table><thead><tr><th>name</th><th>label</th><th class=\"num\">value</th><th>unit</th></tr></thead><tbody>\n"));
        for b in &s.base {
            out.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
                escape(&b.name),
                label_in(lang, &b.name, b.meta.label.as_deref(), b.meta.label_en.as_deref()),
                meta_value(b.value, &b.meta),
                escape(b.meta.unit.as_deref().unwrap_or("")),
            ));
        }
        out.push_str("</tbody></table>\n");
    }

    out.push_str(lang.t("<h3>不确定因素</h3>\n", "<h3>Uncertain drivers</h3>\n"));
    if s.drivers.is_empty() {
        out.push_str(lang.t("<p>无。</p>\n", "<p>None.</p>\n"));
    } else {
        out.push_str(lang.t("<table><thead><tr><th>代码名</th><th>名称</th><th>分布</th><th class=\"num\">均值</th><th class=\"num\">5% – 95%</th><th>形状</th></tr></thead><tbody>\n", "<table><thead><tr><th>name</th><th>label</th><th>distribution</th><th class=\"num\">mean</th><th class=\"num\">5% – 95%</th><th>shape</th></tr></thead><tbody>\n"));
        for d in &s.drivers {
            let m = &d.marginal;
            out.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} – {}</td><td>{}</td></tr>\n",
                escape(&d.name),
                label_in(lang, &d.name, d.meta.label.as_deref(), d.meta.label_en.as_deref()),
                escape(&d.distribution.describe()),
                meta_value(m.mean(), &d.meta),
                meta_value(m.quantile(0.05), &d.meta),
                meta_value(m.quantile(0.95), &d.meta),
                super::sparkline::svg(m, &format!("distribution of {}", d.name)),
            ));
        }
        out.push_str(lang.t("</tbody></table>\n<p class=\"note\">形状：连续因素在0.5%至99.5%分位数之间的密度，或离散因素各取值的概率。</p>\n", "</tbody></table>\n<p class=\"note\">Shape: the density of a continuous driver between its 0.5% and 99.5% quantiles, or the probability of each value of a discrete one.</p>\n"));
    }

    out.push_str(lang.t("<h3>相关性</h3>\n", "<h3>Correlations</h3>\n"));
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
    if pairs.is_empty() {
        out.push_str(lang.t(
            "<p>各因素相互独立。</p>\n",
            "<p>The drivers are independent.</p>\n",
        ));
    } else {
        out.push_str(lang.t("<p>各因素之间的相关系数（高斯copula）；未列出的两两之间相互独立。</p>\n<table><thead><tr><th>因素</th><th>因素</th><th class=\"num\">相关系数</th><th class=\"num\">秩相关系数</th></tr></thead><tbody>\n", "<p>Correlations of the drivers' normal scores (Gaussian copula); unlisted pairs are independent.</p>\n<table><thead><tr><th>driver</th><th>driver</th><th class=\"num\">correlation</th><th class=\"num\">rank correlation</th></tr></thead><tbody>\n"));
        for (i, j, rho) in pairs {
            let adjusted = s
                .correlation_adjustments
                .iter()
                .find(|a| (a.i, a.j) == (i, j) || (a.i, a.j) == (j, i))
                .map(|a| format!(" (repaired from {:.3})", a.from))
                .unwrap_or_default();
            out.push_str(&format!(
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td class=\"num\">{:.2}{}</td><td class=\"num\">{:.2}</td></tr>\n",
                escape(&s.drivers[i].name),
                escape(&s.drivers[j].name),
                rho,
                adjusted,
                crate::sampling::correlation::spearman_from_normal(rho),
            ));
        }
        out.push_str("</tbody></table>\n");
    }

    out.push_str(lang.t("<h3>计算公式</h3>\n<table><thead><tr><th>代码名</th><th>名称</th><th>公式</th></tr></thead><tbody>\n", "<h3>Formulas</h3>\n<table><thead><tr><th>indicator</th><th>label</th><th>formula</th></tr></thead><tbody>\n"));
    for ind in &s.indicators {
        out.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td></tr>\n",
            escape(&ind.name),
            label_in(
                lang,
                &ind.name,
                ind.meta.label.as_deref(),
                ind.meta.label_en.as_deref()
            ),
            escape(&ind.formula),
        ));
    }
    out.push_str("</tbody></table>\n");
    out
}

/// A short plain appendix: what to keep to get the same numbers again.
fn reproducibility(s: &Scenario, summary: &Summary, lang: Lang) -> String {
    let command = format!(
        "targetsim run {} --seed {} --draws {}",
        s.file.display(),
        summary.seed,
        summary.draws
    );
    let hash = escape(short_hash(&summary.scenario.hash));
    match lang {
        Lang::Zh => format!(
            "<p class=\"note\">以上数字由 {} {} 对情景文件 <code>{}</code>（指纹 <code>{hash}</code>）模拟 {} 次、随机种子 {} 得出。保留该文件，运行 <code>{}</code> 即可在任何电脑上得到完全相同的结果。</p>\n",
            summary.tool.name,
            summary.tool.version,
            escape(&summary.scenario.file),
            thousands(summary.draws),
            summary.seed,
            escape(&command),
        ),
        Lang::En => format!(
            "<p class=\"note\">These numbers come from {} {} simulating the scenario file <code>{}</code> (fingerprint <code>{hash}</code>) {} times with seed {}. Keep the file and run <code>{}</code> to get exactly the same results on any computer.</p>\n",
            summary.tool.name,
            summary.tool.version,
            escape(&summary.scenario.file),
            thousands(summary.draws),
            summary.seed,
            escape(&command),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            escape("<script>alert(1)</script> & \"x\" 'y'"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &#39;y&#39;"
        );
        assert_eq!(escape("地区生产总值增速"), "地区生产总值增速");
    }

    #[test]
    fn a_later_section_slots_in_without_touching_the_others() {
        let mut r = Report::new("t <b>");
        r.push(Section::new("a", "A", "<p>a</p>".into()));
        r.push(Section::new("c", "C", "<p>c</p>".into()));
        r.insert_before("c", Section::new("b", "B & b", "<p>b</p>".into()));
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
