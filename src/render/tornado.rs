//! What decides a miss, in probability units: for one target (an
//! indicator's threshold in one target set), how far P(met) moves as each
//! driver goes from its lowest tenth of the draws to its highest ("P(地区生产
//! 总值增速 ≥ 9.0%) from 41% to 78% as 第二产业增速 goes from its 10th to its
//! 90th percentile"), from `met_low` / `met_high` of
//! [`crate::sensitivity`] (the other drivers as drawn, correlation kept).
//!
//! Only what matters is drawn:
//! - no panel for an indicator that is a one-driver identity (its P(met)
//!   in the driver's tenths is 0% or 100% by construction and says nothing
//!   the target does not);
//! - no row for a driver whose effect is negligible: a change under
//!   [`NEGLIGIBLE`] (2 percentage points) or under two standard errors of
//!   the difference.
//!
//! Each panel: the P(met) scale 0–100% with exact ticks, the target's
//! probability in all analysed draws as a line in its set's colour (the
//! threshold the panel is about), and per driver a bar from its low-tenth
//! to its high-tenth probability with ±1 SE whiskers at both ends.

use super::chart::style::{self, palette};
use super::chart::svg::{Anchor, Doc, Key, Scale, TickKind, escape, legend, text_width, x_axis};
use super::format;
use crate::briefing::Settings;
use crate::render::lang::Lang;
use crate::scenario::{Kind, Scenario};
use crate::sensitivity::{Decile, Sensitivity};

/// A driver moving P(met) by less than this is not drawn.
pub const NEGLIGIBLE: f64 = 0.02;
/// Most drivers drawn per panel.
const MAX_ROWS: usize = 8;
const ROW: f64 = 36.0;
const WIDTH: f64 = 800.0;
/// Driver at its lowest / highest tenth.
const LOW: &str = "#9A9A9A";
const HIGH: &str = "#3C3C3C";

/// One driver's row.
#[derive(Debug, Clone)]
pub struct Row {
    pub driver: String,
    pub label: String,
    pub low: Decile,
    pub high: Decile,
    /// The driver's 10th and 90th percentiles, as text.
    pub p10: String,
    pub p90: String,
}

/// One panel: a target and the drivers that move it.
#[derive(Debug, Clone)]
pub struct Panel {
    pub indicator: String,
    pub set: String,
    pub set_index: usize,
    /// `P(地区生产总值增速 ≥ 9.0%)`.
    pub title: String,
    pub rule: crate::scenario::Rule,
    /// P(met) in the analysed draws.
    pub probability: f64,
    pub rows: Vec<Row>,
}

/// Whether a driver's effect is worth a row.
pub fn matters(low: &Decile, high: &Decile) -> bool {
    let d = (high.probability - low.probability).abs();
    let se = (low.se * low.se + high.se * high.se).sqrt();
    d >= NEGLIGIBLE && d >= 2.0 * se
}

/// The panels of a run, in the order of the sensitivity's indicators and
/// then of the scenario's target sets. `s` names the columns as the
/// sensitivity does (for a plan, its [`crate::plan_view`]).
pub fn panels(s: &Scenario, sens: &Sensitivity, settings: &Settings) -> Vec<Panel> {
    let lang = settings.lang;
    let mut out = Vec::new();
    for (name, is) in &sens.indicators {
        if is.drivers.len() <= 1 {
            continue;
        }
        let ind = s.indicators.iter().find(|i| &i.name == name);
        let kind = ind.map_or(Kind::Level, |i| i.meta.kind);
        let unit = ind.and_then(|i| i.meta.unit.as_deref());
        let label = ind.map_or(name.as_str(), |i| lang.meta_label(&i.meta, name));
        for (set_name, m) in &is.misses {
            let Some(k) = s.target_sets.iter().position(|t| &t.name == set_name) else {
                continue;
            };
            let mut rows: Vec<Row> = m
                .drivers
                .iter()
                .filter_map(|(d, shift)| {
                    let (low, high) = (shift.met_low?, shift.met_high?);
                    if !matters(&low, &high) {
                        return None;
                    }
                    let drv = s.drivers.iter().find(|x| &x.name == d);
                    let dk = drv.map_or(Kind::Level, |x| x.meta.kind);
                    let ds = is.drivers.get(d)?;
                    Some(Row {
                        driver: d.clone(),
                        label: drv.map_or(d.clone(), |x| lang.meta_label(&x.meta, d).to_string()),
                        low,
                        high,
                        p10: format::value(ds.p10, dk),
                        p90: format::value(ds.p90, dk),
                    })
                })
                .collect();
            rows.sort_by(|a, b| {
                let w = |r: &Row| (r.high.probability - r.low.probability).abs();
                w(b).total_cmp(&w(a))
            });
            rows.truncate(MAX_ROWS);
            if rows.is_empty() {
                continue;
            }
            let set_label = s.target_sets[k]
                .meta
                .label
                .clone()
                .filter(|_| lang == Lang::Zh)
                .or_else(|| s.target_sets[k].meta.label_en.clone())
                .or_else(|| s.target_sets[k].meta.label.clone())
                .unwrap_or_else(|| set_name.clone());
            // Sets asking the same of the indicator share one panel.
            if let Some(same) = out
                .iter_mut()
                .find(|q: &&mut Panel| q.indicator == *name && q.rule == m.rule)
            {
                same.set = format!("{}{}{}", same.set, lang.t("、", ", "), set_label);
                continue;
            }
            out.push(Panel {
                rule: m.rule,
                indicator: name.clone(),
                set: set_label,
                set_index: k,
                title: format!(
                    "P({label} {})",
                    super::chart::rule_text_unit(&m.rule, kind, unit)
                ),
                probability: 1.0 - m.miss_rate,
                rows,
            });
        }
    }
    out
}

/// One panel's markup (without the `<svg>` wrapper) and its height.
fn panel(p: &Panel, lang: Lang) -> (String, f64) {
    let label_w = p
        .rows
        .iter()
        .map(|r| text_width(&r.label, style::SMALL).max(text_width(&range_text(r, lang), 11.0)))
        .fold(80.0, f64::max)
        .min(300.0);
    let left = 24.0 + label_w + 16.0;
    let right = WIDTH - 60.0;
    let top = 62.0;
    let bottom = top + ROW * p.rows.len() as f64 + 8.0;
    let height = bottom + 80.0;
    let mut d = Doc::new(WIDTH, height, "");
    let colour = palette::target_set(p.set_index);
    let heading = format!("{} · {}", p.set, p.title);
    d.bold(
        24.0,
        24.0,
        super::chart::svg::fit_size(&heading, style::TEXT, WIDTH - 32.0),
        Anchor::Start,
        colour,
        &heading,
    );
    d.text(
        24.0,
        44.0,
        style::SMALL,
        Anchor::Start,
        style::MUTED,
        &match lang {
            Lang::Zh => format!(
                "条形：某一因素处于其最低一成与最高一成模拟时的实现概率（±1 标准误）；竖线：全部模拟 {}",
                format::probability(p.probability)
            ),
            Lang::En => format!(
                "bars: P(met) with the driver in its lowest and highest tenth of the draws (±1 SE); line: all draws {}",
                format::probability(p.probability)
            ),
        },
    );
    let x = Scale::new(0.0, 1.0, left, right);
    x_axis(
        &mut d,
        &x,
        0.1,
        TickKind::Percent,
        bottom,
        top - 4.0,
        style::p_met(lang),
    );
    let xc = x.at(p.probability);
    for (i, r) in p.rows.iter().enumerate() {
        let y = top + ROW * i as f64 + ROW / 2.0;
        d.text(
            left - 10.0,
            y - 2.0,
            style::SMALL,
            Anchor::End,
            style::INK,
            &r.label,
        );
        d.text(
            left - 10.0,
            y + 12.0,
            11.0,
            Anchor::End,
            style::MUTED,
            &range_text(r, lang),
        );
        let (a, b) = (x.at(r.low.probability), x.at(r.high.probability));
        d.rect(
            a.min(xc),
            y - 7.0,
            (a - xc).abs(),
            14.0,
            LOW,
            Some(&hover(p, r, lang, false)),
        );
        d.rect(
            b.min(xc),
            y - 7.0,
            (b - xc).abs(),
            14.0,
            HIGH,
            Some(&hover(p, r, lang, true)),
        );
        for dec in [r.low, r.high] {
            let (w0, w1) = (
                x.at(dec.probability - dec.se),
                x.at(dec.probability + dec.se),
            );
            d.line((w0, y), (w1, y), style::INK, 1.2);
            d.line((w0, y - 4.0), (w0, y + 4.0), style::INK, 1.2);
            d.line((w1, y - 4.0), (w1, y + 4.0), style::INK, 1.2);
        }
        let (lo_end, hi_end) = if a <= b { (a, b) } else { (b, a) };
        let (lo_p, hi_p) = if a <= b {
            (r.low, r.high)
        } else {
            (r.high, r.low)
        };
        // A probability near 0% is written inside its bar, clear of the labels.
        let lo_text = format::probability(lo_p.probability);
        let lo_x = x.at(lo_p.probability - lo_p.se).min(lo_end).min(xc);
        if lo_x - 6.0 - text_width(&lo_text, 11.0) < left {
            d.text(
                lo_x + 4.0,
                y + 4.0,
                11.0,
                Anchor::Start,
                "#FFFFFF",
                &lo_text,
            );
        } else {
            d.text(lo_x - 6.0, y + 4.0, 11.0, Anchor::End, style::INK, &lo_text);
        }
        d.text(
            x.at(hi_p.probability + hi_p.se).max(hi_end).max(xc) + 6.0,
            y + 4.0,
            11.0,
            Anchor::Start,
            style::INK,
            &format::probability(hi_p.probability),
        );
    }
    d.line((xc, top - 4.0), (xc, bottom), colour, 2.5);
    legend(
        &mut d,
        24.0,
        height - 10.0,
        WIDTH - 24.0,
        &[
            (
                Key::Swatch(LOW.into()),
                lang.t("因素处于最低一成", "driver in its lowest tenth")
                    .into(),
            ),
            (
                Key::Swatch(HIGH.into()),
                lang.t("因素处于最高一成", "driver in its highest tenth")
                    .into(),
            ),
            (
                Key::Line(colour.into(), false),
                lang.t("全部模拟", "all draws").into(),
            ),
        ],
    );
    let svg = d.finish();
    // The body only: between the background rect and `</svg>`.
    let start = svg.find("fill=\"#FFFFFF\"/>\n").map_or(0, |i| i + 16);
    let end = svg.rfind("</svg>").unwrap_or(svg.len());
    (svg[start..end].to_string(), height)
}

fn range_text(r: &Row, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("P10 {} → P90 {}", r.p10, r.p90),
        Lang::En => format!("P10 {} → P90 {}", r.p10, r.p90),
    }
}

fn hover(p: &Panel, r: &Row, lang: Lang, high: bool) -> String {
    let d = if high { r.high } else { r.low };
    let tenth = if high {
        lang.t("最高一成", "highest tenth")
    } else {
        lang.t("最低一成", "lowest tenth")
    };
    format!(
        "{} ({}) {tenth}: {} {} ± {}, {} draws",
        r.label,
        r.driver,
        p.title,
        format::probability(d.probability),
        format::probability(d.se),
        d.draws
    )
}

/// Panels stacked in one SVG document.
fn document(title: &str, panels: &[Panel], lang: Lang) -> String {
    let mut body = String::new();
    let mut y = 0.0;
    for p in panels {
        let (markup, h) = panel(p, lang);
        body.push_str(&format!(
            "<g transform=\"translate(0,{y:.1})\">\n{markup}</g>\n"
        ));
        y += h + 10.0;
    }
    if panels.is_empty() {
        body.push_str(&format!(
            "<text x=\"24\" y=\"30\" font-size=\"{}\" fill=\"{}\">{}</text>\n",
            style::TEXT,
            style::INK,
            escape(lang.t(
                "没有哪个因素使某一目标的实现概率变化 2 个百分点以上。",
                "No driver moves any target's probability by 2 points or more."
            ))
        ));
        y = 50.0;
    }
    let mut d = Doc::new(WIDTH, y.max(50.0), title);
    d.raw(&body);
    d.finish()
}

/// The panels of one indicator as a whole SVG document (Chinese, the
/// default settings), or `None` when none is drawn for it.
pub fn svg(
    s: &Scenario,
    sens: &Sensitivity,
    indicator: &str,
    settings: &Settings,
) -> Option<String> {
    let panels: Vec<Panel> = panels(s, sens, settings)
        .into_iter()
        .filter(|p| p.indicator == indicator)
        .collect();
    (!panels.is_empty()).then(|| document(&format!("tornado: {indicator}"), &panels, settings.lang))
}

/// Every panel of a run, stacked in one SVG document.
pub fn svg_all(s: &Scenario, sens: &Sensitivity, settings: &Settings) -> String {
    let lang = settings.lang;
    let title = match lang {
        Lang::Zh => format!("{}：关键因素", s.title_in(lang)),
        Lang::En => format!("{}: what decides a miss", s.title_in(lang)),
    };
    document(&title, &panels(s, sens, settings), lang)
}
