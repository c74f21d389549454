//! Fan charts of a multi-year run: the median as a line, the settings' one
//! interval as a band around it (the same interval every table and chart
//! shows), the history before the horizon as a black line, and the targets
//! on the indicator, each in its set's colour and marker with its P(met):
//! - an annual target as a marker at its year; a path (a target in every
//!   year) as a line through its markers;
//! - a plan target as a black diamond at the level
//!   it needs in its year, labelled in its own measure ("年均增长 ≥ 8.5%:
//!   52.8%", with the level it implies), never a level under a growth
//!   label.
//!
//! The numbers go in a column right of the plot, one line per target, so
//! labels never overlap; markers that would overlap are set side by side.
//! Drawn by the one SVG writer ([`super::chart::svg`]) and rasterised by
//! resvg like every other chart.

use super::chart::style::{self, Shape, palette};
use super::chart::svg::{Anchor, Doc, Key, Scale, TickKind, legend, wrap, y_axis};
use super::format;
use crate::briefing::Settings;
use crate::render::lang::Lang;
use crate::scenario::Kind;
use crate::scenario::horizon::Measure;
use crate::summary::plan::FAN_LEVELS;

pub const WIDTH: f64 = 800.0;
pub const HEIGHT: f64 = 470.0;

/// One annual target on the chart.
#[derive(Debug, Clone)]
pub struct AnnualTarget {
    pub year: i32,
    pub value: f64,
    /// The set's label and index (colour and marker).
    pub set: String,
    pub index: usize,
    /// `≥ 9.0%`.
    pub rule: String,
    pub probability: f64,
}

/// One plan target on the chart.
#[derive(Debug, Clone)]
pub struct PlanTarget {
    pub year: i32,
    /// The level the target needs in its year (where it is drawn).
    pub level: f64,
    /// The target in its own measure: `年均增长 ≥ 8.5%`.
    pub text: String,
    /// The level it implies, when the measure is a growth: `2030 ≥ 391.0 亿元`.
    pub implies: Option<String>,
    pub probability: f64,
}

/// Everything one chart shows.
#[derive(Debug, Clone)]
pub struct FanChart {
    /// Heading: the indicator's label in the language.
    pub title: String,
    /// Under the heading: unit, draws, the interval.
    pub subtitle: String,
    pub kind: Kind,
    /// The axis title (label and unit).
    pub axis: String,
    /// Known values before the horizon, ascending, ending at year 0 when known.
    pub history: Vec<(i32, f64)>,
    /// Horizon years.
    pub years: Vec<i32>,
    /// Per horizon year, the quantiles at `FAN_LEVELS` (5%, 10%, ..., 95%).
    pub quantiles: Vec<Vec<f64>>,
    /// The interval's probabilities (lower, upper).
    pub interval: (f64, f64),
    pub annual_targets: Vec<AnnualTarget>,
    pub plan_targets: Vec<PlanTarget>,
    /// Plan label (`规划目标`) for the plan targets' legend.
    pub plan_label: String,
    pub lang: Lang,
    /// Interval name for the legend.
    pub interval_name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FanError {
    #[error("cannot draw the chart: {0}")]
    Draw(String),
}

/// Index in `FAN_LEVELS` of the level nearest `p`.
fn level_index(p: f64) -> usize {
    FAN_LEVELS
        .iter()
        .enumerate()
        .min_by(|a, b| (a.1 - p).abs().total_cmp(&(b.1 - p).abs()))
        .map_or(0, |(i, _)| i)
}

/// The chart as SVG text.
pub fn svg(c: &FanChart) -> Result<String, FanError> {
    if c.years.is_empty() {
        return Err(FanError::Draw("a fan chart needs a horizon".into()));
    }
    let lang = c.lang;
    // Right column: one line per annual target, two per plan target.
    let lines = c.annual_targets.len() + 2 * c.plan_targets.len() + 6;
    let height = HEIGHT.max(120.0 + 17.0 * lines as f64);
    let (left, right, top, bottom) = (86.0, WIDTH - 250.0, 96.0, height - 46.0);
    let first_year = c
        .history
        .first()
        .map_or(c.years[0] - 1, |(y, _)| *y)
        .min(c.years[0] - 1);
    let last_year = *c.years.last().unwrap_or(&first_year);
    let (ilo, ihi) = (level_index(c.interval.0), level_index(c.interval.1));
    let mid = FAN_LEVELS.len() / 2;
    let mut values: Vec<f64> = c.history.iter().map(|(_, v)| *v).collect();
    for q in &c.quantiles {
        values.extend([q.get(ilo), q.get(ihi), q.get(mid)].into_iter().flatten());
    }
    values.extend(c.annual_targets.iter().map(|t| t.value));
    values.extend(c.plan_targets.iter().map(|t| t.level));
    values.retain(|v| v.is_finite());
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        lo -= 0.5 * lo.abs().max(1e-3);
        hi += 0.5 * hi.abs().max(1e-3);
    }
    let pad = 0.06 * (hi - lo);
    let (lo, hi) = (lo - pad, hi + pad);
    let x = Scale::new(
        first_year as f64,
        last_year.max(first_year + 1) as f64,
        left,
        right,
    );
    let y = Scale::new(lo, hi, bottom, top);

    let mut d = Doc::new(WIDTH, height, &c.title);
    d.bold(
        24.0,
        32.0,
        style::TITLE,
        Anchor::Start,
        style::INK,
        &c.title,
    );
    d.subtitle(&c.subtitle);
    let mut keys = vec![
        (
            Key::Line(style::MEDIAN.into(), false),
            style::median(lang).to_string(),
        ),
        (Key::Swatch(style::DIST.into()), c.interval_name.clone()),
    ];
    if c.history.len() > 1 {
        keys.push((
            Key::Line(style::MUTED.into(), false),
            lang.t("历史", "history").into(),
        ));
    }
    legend(&mut d, 24.0, 80.0, WIDTH - 24.0, &keys);

    // The projection period lightly shaded.
    let base_x = x.at((c.years[0] - 1) as f64);
    d.rect(base_x, top, right - base_x, bottom - top, "#F4F4F4", None);
    let step = crate::render::chart::nice_step(hi - lo, 5.0);
    y_axis(
        &mut d,
        &y,
        step,
        TickKind::Value(c.kind),
        left,
        right,
        &c.axis,
    );
    for year in first_year..=last_year {
        let px = x.at(year as f64);
        d.line((px, bottom), (px, bottom + 5.0), style::AXIS, 1.0);
        d.text(
            px,
            bottom + 20.0,
            style::TICK,
            Anchor::Middle,
            style::INK,
            &year.to_string(),
        );
    }
    d.line((left, bottom), (right, bottom), style::AXIS, 1.2);

    // The fan starts from year 0's known value when there is one.
    let start = c
        .history
        .iter()
        .find(|(yr, _)| *yr == c.years[0] - 1)
        .map(|(_, v)| *v);
    let mut pts: Vec<(f64, [f64; 3])> = Vec::new();
    if let Some(v) = start {
        pts.push(((c.years[0] - 1) as f64, [v, v, v]));
    }
    for (yr, q) in c.years.iter().zip(&c.quantiles) {
        if let (Some(&a), Some(&m), Some(&b)) = (q.get(ilo), q.get(mid), q.get(ihi)) {
            pts.push((*yr as f64, [a, m, b]));
        }
    }
    let mut band: Vec<(f64, f64)> = pts.iter().map(|(t, q)| (x.at(*t), y.at(q[2]))).collect();
    band.extend(pts.iter().rev().map(|(t, q)| (x.at(*t), y.at(q[0]))));
    if !band.is_empty() {
        d.polygon(&band, style::DIST, None);
    }
    let median: Vec<(f64, f64)> = pts.iter().map(|(t, q)| (x.at(*t), y.at(q[1]))).collect();
    d.polyline(&median, style::MEDIAN, 2.5);
    if c.history.len() > 1 {
        let h: Vec<(f64, f64)> = c
            .history
            .iter()
            .map(|(t, v)| (x.at(*t as f64), y.at(*v)))
            .collect();
        d.polyline(&h, style::MUTED, 2.0);
    }
    for (t, v) in &c.history {
        d.circle((x.at(*t as f64), y.at(*v)), 3.0, style::MUTED, None);
    }

    // Markers: each placed at its year and value; a marker within 12 units
    // of one already drawn in the same year moves aside.
    let mut placed: Vec<(f64, f64)> = Vec::new();
    let mut place = |px: f64, py: f64| -> f64 {
        let mut dx = 0.0;
        let mut k: u32 = 0;
        while placed
            .iter()
            .any(|&(a, b)| (a - (px + dx)).abs() < 12.0 && (b - py).abs() < 12.0)
        {
            k += 1;
            dx = if k % 2 == 1 { 13.0 } else { -13.0 } * k.div_ceil(2) as f64;
        }
        placed.push((px + dx, py));
        px + dx
    };
    // Paths: a set with targets in more than one year on this indicator.
    let mut sets: Vec<usize> = c.annual_targets.iter().map(|t| t.index).collect();
    sets.dedup();
    for k in &sets {
        let path: Vec<(f64, f64)> = c
            .annual_targets
            .iter()
            .filter(|t| t.index == *k)
            .map(|t| (x.at(t.year as f64), y.at(t.value)))
            .collect();
        if path.len() > 1 {
            d.polyline(&path, palette::target_set(*k), 2.0);
        }
    }
    for t in &c.annual_targets {
        let px = place(x.at(t.year as f64), y.at(t.value));
        d.marker_as(
            "annual",
            style::set_shape(t.index),
            (px, y.at(t.value)),
            7.0,
            palette::target_set(t.index),
            &format!(
                "{} {} {}: {}",
                t.year,
                t.set,
                t.rule,
                format::probability(t.probability)
            ),
        );
    }
    for t in &c.plan_targets {
        let px = place(x.at(t.year as f64), y.at(t.level));
        d.marker_as(
            "plan",
            Shape::Diamond,
            (px, y.at(t.level)),
            8.0,
            style::INK,
            &format!(
                "{} {}: {}",
                c.plan_label,
                t.text,
                format::probability(t.probability)
            ),
        );
    }

    // The column of numbers, its text wrapped to the canvas: each call
    // writes `text` from line `ly` on and moves `ly` past it.
    let col = right + 22.0;
    let room = WIDTH - (col + 18.0) - 8.0;
    let lines = |d: &mut Doc, ly: &mut f64, text: &str, bold: bool, fill: &str| {
        for line in wrap(text, style::SMALL, room) {
            if bold {
                d.bold(col + 18.0, *ly, style::SMALL, Anchor::Start, fill, &line);
            } else {
                d.text(col + 18.0, *ly, style::SMALL, Anchor::Start, fill, &line);
            }
            *ly += 17.0;
        }
    };
    let mut ly = top + 8.0;
    let mut last_set = usize::MAX;
    for t in &c.annual_targets {
        let colour = palette::target_set(t.index);
        if t.index != last_set {
            d.marker(
                style::set_shape(t.index),
                (col + 6.0, ly - 5.0),
                6.0,
                colour,
                &t.set,
            );
            lines(
                &mut d,
                &mut ly,
                &format!("{} {}", t.set, t.rule),
                true,
                colour,
            );
            last_set = t.index;
        }
        let p_met = format!(
            "{}: {} {}",
            t.year,
            style::p_met(lang),
            format::probability(t.probability)
        );
        lines(&mut d, &mut ly, &p_met, false, style::INK);
    }
    if !c.plan_targets.is_empty() {
        ly += 6.0;
        d.marker(
            Shape::Diamond,
            (col + 6.0, ly - 5.0),
            6.0,
            style::INK,
            &c.plan_label,
        );
        lines(&mut d, &mut ly, &c.plan_label, true, style::INK);
        for t in &c.plan_targets {
            let text = format!("{}: {}", t.text, format::probability(t.probability));
            lines(&mut d, &mut ly, &text, false, style::INK);
            if let Some(i) = &t.implies {
                lines(&mut d, &mut ly, i, false, style::MUTED);
            }
        }
    }
    Ok(d.finish())
}

/// The chart as PNG bytes, rasterised by resvg with the shipped font.
pub fn png(chart: &FanChart) -> Result<Vec<u8>, FanError> {
    let s = svg(chart)?;
    super::raster::png(&s).map_err(|e| FanError::Draw(e.to_string()))
}

/// A fan chart drawn for the files and the report.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub indicator: String,
    /// File name without extension: `fan-<indicator>`.
    pub stem: String,
    /// The chart's heading, for captions.
    pub title: String,
    pub svg: String,
    /// Empty unless PNGs were asked for.
    pub png: Vec<u8>,
}

/// Every fan chart of a run, in the scenario's order, drawn in parallel
/// (the result does not depend on the number of threads). With `png` false
/// only the SVG is drawn.
pub fn render_all(
    s: &crate::scenario::Scenario,
    sum: &crate::summary::Summary,
    settings: &Settings,
    png: bool,
) -> Result<Vec<Drawn>, FanError> {
    use rayon::prelude::*;
    charts(s, sum, settings)
        .into_par_iter()
        .map(|(name, chart)| {
            let svg = svg(&chart)?;
            let png = if png {
                super::raster::png(&svg).map_err(|e| FanError::Draw(e.to_string()))?
            } else {
                Vec::new()
            };
            Ok(Drawn {
                stem: format!("fan-{name}"),
                svg,
                png,
                title: chart.title,
                indicator: name,
            })
        })
        .collect()
}

/// A plan target's measure in words: `年均增长` / `average growth`.
pub fn measure_words(m: Measure, lang: Lang) -> &'static str {
    match m {
        Measure::Level => "",
        Measure::AverageGrowth => lang.t("年均增长", "average growth"),
        Measure::CumulativeGrowth => lang.t("累计增长", "cumulative growth"),
    }
}

/// One chart per indicator of a multi-year run, in the scenario's order:
/// `(indicator name, chart)`.
pub fn charts(
    s: &crate::scenario::Scenario,
    sum: &crate::summary::Summary,
    settings: &Settings,
) -> Vec<(String, FanChart)> {
    let lang = settings.lang;
    let Some(h) = s.horizon.as_ref() else {
        return Vec::new();
    };
    s.indicators
        .iter()
        .map(|ind| {
            let kind = ind.meta.kind;
            let unit = ind.meta.unit.as_deref();
            let quantiles: Vec<Vec<f64>> = sum
                .years
                .iter()
                .map(|y| {
                    y.indicators
                        .get(&ind.name)
                        .map(|i| i.fan_quantiles.clone())
                        .unwrap_or_default()
                })
                .collect();
            let annual_targets = sum
                .target_sets
                .iter()
                .enumerate()
                .flat_map(|(k, (set, ts))| {
                    let label = lang
                        .label(ts.label.as_deref(), ts.label_en.as_deref(), set)
                        .to_string();
                    ts.targets
                        .iter()
                        .filter(|t| t.indicator == ind.name)
                        .map(move |t| AnnualTarget {
                            year: t.year.unwrap_or_default(),
                            value: t.rule.reference_value(),
                            set: label.clone(),
                            index: k,
                            rule: super::chart::rule_text_unit(&t.rule, kind, unit),
                            probability: t.probability,
                        })
                })
                .collect();
            let plan_targets = sum
                .plan_targets
                .iter()
                .flat_map(|p| p.targets.iter())
                .filter(|t| t.indicator == ind.name && t.level_needed.is_finite())
                .map(|t| {
                    let (text, implies) = match t.measure {
                        Measure::Level => (super::chart::rule_text_unit(&t.rule, kind, unit), None),
                        m => (
                            format!(
                                "{} {}",
                                measure_words(m, lang),
                                super::chart::rule_text(&t.rule, Kind::Rate)
                            ),
                            Some(match lang {
                                Lang::Zh => format!(
                                    "即{}年 ≥ {}",
                                    t.year,
                                    super::chart::with_unit(t.level_needed, kind, unit)
                                ),
                                Lang::En => format!(
                                    "i.e. {} ≥ {} in {}",
                                    lang.label(
                                        ind.meta.label.as_deref(),
                                        ind.meta.label_en.as_deref(),
                                        &ind.name
                                    ),
                                    super::chart::with_unit(t.level_needed, kind, unit),
                                    t.year
                                ),
                            }),
                        ),
                    };
                    PlanTarget {
                        year: t.year,
                        level: t.level_needed,
                        text,
                        implies,
                        probability: t.probability,
                    }
                })
                .collect();
            let title = lang.meta_label(&ind.meta, &ind.name).to_string();
            let unit_words = match kind {
                Kind::Rate => "%".to_string(),
                _ => unit.unwrap_or_default().to_string(),
            };
            let axis = if unit_words.is_empty() {
                title.clone()
            } else {
                format!("{title} ({unit_words})")
            };
            let subtitle = format!(
                "{} · {}{}",
                style::draws(sum.draws, lang),
                lang.t("阴影：", "shaded: "),
                style::interval_name(settings)
            );
            let plan_label = sum
                .plan_targets
                .as_ref()
                .map(|p| {
                    lang.label(p.label.as_deref(), p.label_en.as_deref(), "plan")
                        .to_string()
                })
                .unwrap_or_else(|| lang.t("规划目标", "plan targets").to_string());
            (
                ind.name.clone(),
                FanChart {
                    title,
                    subtitle,
                    kind,
                    axis,
                    history: h.history.path(&ind.name),
                    years: h.years.clone(),
                    quantiles,
                    interval: settings.interval.probabilities(),
                    annual_targets,
                    plan_targets,
                    plan_label,
                    lang,
                    interval_name: style::interval_name(settings),
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> FanChart {
        FanChart {
            title: "地区生产总值".into(),
            subtitle: "亿元".into(),
            kind: Kind::Level,
            axis: "地区生产总值 (亿元)".into(),
            history: vec![(2024, 242.0), (2025, 260.0)],
            years: vec![2026, 2027],
            quantiles: vec![
                (0..19).map(|i| 280.0 + i as f64).collect(),
                (0..19).map(|i| 300.0 + 2.0 * i as f64).collect(),
            ],
            interval: (0.1, 0.9),
            annual_targets: vec![AnnualTarget {
                year: 2026,
                value: 283.4,
                set: "区草案".into(),
                index: 0,
                rule: "≥ 283.4 亿元".into(),
                probability: 0.6,
            }],
            plan_targets: vec![
                PlanTarget {
                    year: 2027,
                    level: 310.0,
                    text: "年均增长 ≥ 8.5%".into(),
                    implies: Some("即2027年 ≥ 310.0 亿元".into()),
                    probability: 0.528,
                },
                PlanTarget {
                    year: 2027,
                    level: 311.0,
                    text: "≥ 311.0 亿元".into(),
                    implies: None,
                    probability: 0.5,
                },
            ],
            plan_label: "规划目标".into(),
            lang: Lang::Zh,
            interval_name: "80%区间 (10–90%)".into(),
        }
    }

    /// The `translate(x,y)` of every marker with `role`.
    fn markers(svg: &str, role: &str) -> Vec<(f64, f64)> {
        svg.split(&format!("data-role=\"{role}\" transform=\"translate("))
            .skip(1)
            .map(|s| {
                let (x, rest) = s.split_once(',').expect("x");
                let y = rest.split_once(')').expect("y").0;
                (x.parse().expect("x"), y.parse().expect("y"))
            })
            .collect()
    }

    #[test]
    fn a_fan_chart_is_well_formed_svg_with_its_title_band_and_targets_in_their_measure() {
        let s = svg(&chart()).expect("svg");
        assert!(s.starts_with("<svg"), "{}", &s[..40]);
        assert!(s.trim_end().ends_with("</svg>"));
        assert!(s.contains("地区生产总值"));
        assert!(s.contains("年均增长 ≥ 8.5%: 52.8%"));
        assert!(s.contains("即2027年 ≥ 310.0 亿元"));
        assert!(s.contains("2026: 实现概率 60.0%"));
        // Two plan markers a unit apart in the same year sit side by side.
        let m = markers(&s, "plan");
        assert_eq!(m.len(), 2);
        assert!(
            (m[0].0 - m[1].0).abs() >= 12.0 || (m[0].1 - m[1].1).abs() >= 12.0,
            "{m:?}"
        );
    }
}
