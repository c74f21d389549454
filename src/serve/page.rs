//! The workshop page: the controls on the left, the results on the right,
//! in the scenario's language. Written once, at start, with maud (the one
//! escaper); the results are the base run's, so the page shows numbers
//! before its script runs. The script ([`SCRIPT`], served as `/app.js`)
//! sends each change to `/api/run` and swaps in the redrawn results.
//!
//! Self-contained: no fonts, styles, scripts or images from anywhere, and a
//! Content-Security-Policy ([`CSP`]) that lets the page load its own script
//! and talk to its own server only.

use super::controls::{Control, Group, clean};
use crate::render::lang::Lang;
use crate::scenario::Scenario;
use maud::{DOCTYPE, PreEscaped, html};
use serde_json::{Map, Value};

/// The page's Content-Security-Policy: its own script and server only;
/// inline styles (the report's stylesheet, the charts' attributes) and
/// `data:` images as in `report.html`.
pub const CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The same policy in the page itself, for a copy saved from the browser;
/// `frame-ancestors` works only as a header, so it is left out here.
const CSP_META: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// The page's script.
pub const SCRIPT: &str = include_str!("app.js");

/// What the page shows besides the controls.
pub struct PageInfo<'a> {
    pub scenario: &'a Scenario,
    pub lang: Lang,
    pub draws: u64,
    pub seed: u64,
    pub token: &'a str,
    /// The base run's results ([`super::view::results`]).
    pub results: &'a str,
    /// Each control's value in the scenario and in each variant, by variant
    /// name (`""` for the scenario itself), in the order of the controls.
    pub references: &'a [Map<String, Value>],
}

pub fn html(info: &PageInfo, controls: &[Control]) -> String {
    let s = info.scenario;
    let lang = info.lang;
    let file = s.file.display().to_string();
    let draws = crate::render::table::thousands(info.draws);
    let title = format!(
        "{} — {}",
        lang.t("目标工作坊", "Target workshop"),
        crate::render::text::clean(s.title_in(lang))
    );
    let row = |(i, c): (usize, &Control)| {
        let shown = clean(c.value * c.scale);
        let refs = info
            .references
            .get(i)
            .map(|m| Value::Object(m.clone()).to_string())
            .unwrap_or_default();
        let id = format!("c{i}");
        html! {
            div.control data-path=(c.path) data-scale=(c.scale) data-suffix=(c.suffix) data-refs=(refs) {
                label for=(id) title=(c.path) { (c.label) }
                input type="range" min=(c.min) max=(c.max) step=(c.step) value=(shown) aria-label=(c.label) tabindex="-1";
                input type="number" id=(id) step=(c.step) value=(shown);
                span.unit { (c.suffix) }
                span.was {}
            }
        }
    };
    let numbered: Vec<(usize, &Control)> = controls.iter().enumerate().collect();
    let of_set = |name: &str| -> Vec<(usize, &Control)> {
        numbered
            .iter()
            .filter(|(_, c)| matches!(&c.group, Group::Target { set } if set == name))
            .copied()
            .collect()
    };
    let plan: Vec<(usize, &Control)> = numbered
        .iter()
        .filter(|(_, c)| c.group == Group::Plan)
        .copied()
        .collect();
    let drivers: Vec<(&str, Vec<(usize, &Control)>)> = s
        .drivers
        .iter()
        .map(|d| {
            let rows = numbered
                .iter()
                .filter(|(_, c)| matches!(&c.group, Group::Driver { name } if name == &d.name))
                .copied()
                .collect();
            (lang.meta_label(&d.meta, &d.name), rows)
        })
        .collect();
    let set_label = |name: &str| -> String {
        s.target_sets
            .iter()
            .find(|t| t.name == name)
            .map_or(name, |t| lang.meta_label(&t.meta, &t.name))
            .to_string()
    };
    html! {
        (DOCTYPE)
        html lang=(lang.t("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(CSP_META);
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body data-token=(info.token)
                data-was=(lang.t("原值 ", "was "))
                data-changes=(lang.t("处改动", " changed"))
                data-saved=(lang.t("已保存：", "saved: "))
                data-took=(lang.t("用时", "took"))
                data-stale=(lang.t("结果未更新：", "not updated: ")) {
                header {
                    h1 { (title) }
                    p.meta {
                        code { (file) } " · "
                        (draws) (lang.t(" 次模拟 · 种子 ", " draws · seed ")) (info.seed) " · "
                        (lang.t("每次改动都用同一组随机数（共同随机数），差别来自改动本身。", "every change is run on the same draws (common random numbers), so differences come from the change, not noise."))
                        " "
                        span #status role="status" {}
                    }
                }
                div.workshop {
                    aside #controls {
                        div.bar {
                            @if !s.variants.is_empty() {
                                label { (lang.t("情景 ", "variant ")) select #variant {
                                    option value="" { (lang.t("基准", "base")) }
                                    @for v in &s.variants {
                                        option value=(v.name) { (lang.label(v.meta.label.as_deref(), v.meta.label_en.as_deref(), &v.name)) }
                                    }
                                } }
                            }
                            @if !s.target_sets.is_empty() {
                                label { (lang.t("目标组 ", "target set ")) select #set {
                                    @for t in &s.target_sets {
                                        option value=(t.name) { (lang.meta_label(&t.meta, &t.name)) }
                                    }
                                } }
                            }
                            button #reset type="button" { (lang.t("恢复情景原值", "Reset to the scenario")) }
                            span #changes {}
                        }
                        div.bar {
                            input #save-name type="text" placeholder=(lang.t("文件名（可不填）", "file name (optional)")) aria-label=(lang.t("另存为文件名", "save as file name"));
                            button #save type="button" { (lang.t("另存为", "Save as")) }
                            span #saved {}
                        }
                        pre #problem hidden {}
                        @for t in &s.target_sets {
                            @let rows = of_set(&t.name);
                            @if !rows.is_empty() {
                                details.group open data-set=(t.name) {
                                    summary { (lang.t("目标：", "Targets: ")) (set_label(&t.name)) }
                                    @for r in rows { (row(r)) }
                                }
                            }
                        }
                        @if !plan.is_empty() {
                            details.group open {
                                summary { (lang.t("规划目标", "Plan targets")) }
                                @for r in plan { (row(r)) }
                            }
                        }
                        details.group.drivers {
                            summary { (lang.t("驱动因素（假设）", "Drivers (assumptions)")) }
                            @for (label, rows) in &drivers {
                                @if !rows.is_empty() {
                                    h4 { (label) }
                                    @for r in rows { (row(*r)) }
                                }
                            }
                        }
                    }
                    main #results { (PreEscaped(info.results)) }
                }
                script src=(format!("/app.js?token={}", info.token)) {}
            }
        }
    }
    .into_string()
}

/// The report's look (colours, verdict classes, tables) plus the
/// workshop's two-column layout, large enough for a projector.
const STYLE: &str = r#"
:root { --ink: #282828; --grey: #6e6e6e; --rule: #d0d0d0; --blue: #0072B2; --verm: #D55E00; --green: #009E73; }
* { box-sizing: border-box; }
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Heiti SC", SimHei, Arial, sans-serif;
  color: var(--ink); margin: 0; padding: 12px 20px; line-height: 1.45; font-size: 16px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h3 { font-size: 19px; margin: 12px 0 6px; }
h4 { font-size: 15px; margin: 10px 0 2px; color: var(--grey); }
.meta, .note { color: var(--grey); font-size: 14px; }
#status { color: var(--ink); font-variant-numeric: tabular-nums; }
.workshop { display: grid; grid-template-columns: minmax(330px, 30%) 1fr; gap: 20px; align-items: start; }
@media (max-width: 900px) { .workshop { grid-template-columns: 1fr; } }
aside { position: sticky; top: 8px; max-height: calc(100vh - 16px); overflow-y: auto; padding-right: 6px; }
.bar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 6px 0; }
.bar input[type=text] { flex: 1; min-width: 120px; }
button, select, input { font: inherit; font-size: 15px; }
details.group { border-top: 2px solid var(--rule); padding: 4px 0; }
details.group > summary { font-weight: bold; cursor: pointer; padding: 4px 0; }
.control { display: grid; grid-template-columns: 1fr 90px 3em; grid-template-areas: "label label label" "range number unit" "was was was"; gap: 0 6px; align-items: center; padding: 4px 4px; border-left: 4px solid transparent; }
.control label { grid-area: label; font-size: 14px; }
.control input[type=range] { grid-area: range; width: 100%; }
.control input[type=number] { grid-area: number; width: 90px; text-align: right; }
.control .unit { grid-area: unit; font-size: 13px; color: var(--grey); }
.control .was { grid-area: was; font-size: 13px; color: var(--verm); }
.control .was:empty { display: none; }
.control.changed { border-left-color: var(--verm); background: #fff4ec; }
.control.changed input[type=number] { font-weight: bold; color: var(--verm); }
#problem { white-space: pre-wrap; color: #fff; background: var(--verm); padding: 8px; font-size: 13px; }
main.stale { opacity: 0.5; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 16px; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 10px; text-align: left; }
th { background: #f4f4f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
p.lead { font-size: 18px; }
td.verdict { white-space: nowrap; }
td.verdict.high { color: var(--verm); font-weight: bold; }
td.verdict.low { color: var(--blue); font-weight: bold; }
td.verdict.fit { color: var(--green); font-weight: bold; }
ul.upper { margin: 4px 0 12px; padding-left: 20px; font-size: 14px; }
figure { margin: 10px 0 20px; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--grey); font-size: 14px; }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 13px; }
"#;
