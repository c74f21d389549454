//! Charts of a run, each written once as hand-written SVG ([`svg`], real
//! `<text>`, for the HTML report and for editing) and rasterised to PNG by
//! resvg with the shipped font ([`crate::render::raster`], for pasting
//! into a document). Every chart speaks the vocabulary of [`style`]: one
//! colour and marker per target set, one interval, words in the output's
//! language.
//!
//! Which charts (file stems in `DIR/charts/`):
//! - `ladder-<target set>`: every target of the set on one probability
//!   scale against the 偏高 / 适中 / 偏低 bands, with the upper level's and
//!   the recommended targets ([`ladder`]);
//! - `dist-<indicator>`: for every indicator that some target applies to,
//!   its distribution with each target set's threshold and probability, the
//!   median and the interval ([`distribution`]);
//! - `set-<target set>`: for every target set, the probability of each target
//!   and of all together ([`targets`]);
//! - `ranges`: the targeted indicators side by side: median, interval and
//!   the targets ([`ranges`]).
//!
//! PNG text is drawn with the font shipped in `assets/fonts/` (a subset of
//! WenQuanYi Micro Hei covering the CJK Unified Ideographs), so PNGs render
//! the same on a machine with no fonts installed; SVG text names common CJK
//! fonts first.

pub mod distribution;
pub mod ladder;
pub mod ranges;
pub mod style;
pub mod svg;
pub mod targets;

pub use style::palette;

use crate::briefing::Settings;
use crate::error::RunError;
use crate::output::Staging;
use crate::scenario::{Kind, Rule};
use crate::summary::{IndicatorSummary, Summary};
use rayon::prelude::*;
use std::path::PathBuf;

/// Font families of chart text, as written into SVG. PNGs are drawn with
/// the shipped font, whatever family the SVG names.
pub const FONT_FAMILY: &str = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Heiti SC, SimHei, Arial, sans-serif";

pub(crate) static FONT_BYTES: &[u8] =
    include_bytes!("../../../assets/fonts/wqy-microhei-subset.ttf");

/// Sub-directory of the output directory that holds the chart files.
pub const DIR: &str = "charts";

/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    /// Distribution of the indicator at this index (declaration order).
    Distribution(usize),
    /// Probabilities of the target set at this index.
    TargetSet(usize),
    /// Ranges of the targeted indicators.
    Ranges,
    /// The target ladder of the target set at this index.
    Ladder(usize),
}

/// One drawn chart.
#[derive(Debug, Clone)]
pub struct Chart {
    pub spec: Spec,
    /// File name without extension, e.g. `dist-gdp_growth`.
    pub stem: String,
    /// Human title, for the report's figure captions and alt text.
    pub title: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// A chart that could not be drawn (a bug rather than bad input: every
/// font and size is fixed and scenario text is escaped).
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot draw chart: {0}")]
pub struct ChartError(pub String);

impl From<crate::render::raster::RasterError> for ChartError {
    fn from(e: crate::render::raster::RasterError) -> Self {
        ChartError(e.to_string())
    }
}

/// Indices of the indicators that some target applies to, in declaration order.
pub fn targeted(summary: &Summary) -> Vec<usize> {
    summary
        .indicators()
        .keys()
        .enumerate()
        .filter(|(_, name)| {
            summary
                .target_sets
                .values()
                .any(|s| s.targets.iter().any(|t| &t.indicator == *name))
        })
        .map(|(i, _)| i)
        .collect()
}

/// The charts of a one-year run, in the order the report shows them
/// (the ladders are drawn by [`ladder::render_all`], for plans too).
pub fn specs(summary: &Summary) -> Vec<Spec> {
    let mut out: Vec<Spec> = (0..summary.target_sets.len())
        .map(Spec::TargetSet)
        .collect();
    if !summary.indicators().is_empty() {
        out.push(Spec::Ranges);
    }
    out.extend(targeted(summary).into_iter().map(Spec::Distribution));
    out
}

/// Draw every chart, in parallel; the result is in [`specs`] order and
/// does not depend on the number of threads.
/// With `png` false only the SVG is drawn (`png` is left empty).
pub fn render_all(
    summary: &Summary,
    settings: &Settings,
    png: bool,
) -> Result<Vec<Chart>, ChartError> {
    specs(summary)
        .par_iter()
        .map(|&spec| render(summary, settings, spec, png))
        .collect()
}

/// Draw one chart as SVG and, when `png`, as PNG.
pub fn render(
    summary: &Summary,
    settings: &Settings,
    spec: Spec,
    png: bool,
) -> Result<Chart, ChartError> {
    let lang = settings.lang;
    let (stem, title, svg) = match spec {
        Spec::Distribution(i) => {
            let (name, ind) = summary
                .indicators()
                .get_index(i)
                .ok_or_else(|| ChartError(format!("no indicator {i}")))?;
            (
                format!("dist-{name}"),
                indicator_title(name, ind, lang),
                distribution::svg(summary, i, settings)?,
            )
        }
        Spec::TargetSet(i) => {
            let (name, set) = summary
                .target_sets
                .get_index(i)
                .ok_or_else(|| ChartError(format!("no target set {i}")))?;
            (
                format!("set-{name}"),
                targets::title(name, set, lang),
                targets::svg(summary, i, settings)?,
            )
        }
        Spec::Ranges => (
            "ranges".to_string(),
            ranges::title(lang).to_string(),
            ranges::svg(summary, settings),
        ),
        Spec::Ladder(_) => {
            return Err(ChartError(
                "a ladder is drawn from the briefing (ladder::render_all)".into(),
            ));
        }
    };
    let png = if png {
        crate::render::raster::png(&svg)?
    } else {
        Vec::new()
    };
    Ok(Chart {
        spec,
        stem,
        title,
        svg,
        png,
    })
}

/// Stage every chart as `charts/<stem>.svg` and `.png` in the output;
/// returns the paths they will have.
pub fn write_all(out: &Staging, charts: &[Chart]) -> Result<Vec<PathBuf>, RunError> {
    // In parallel: most of the time goes to flushing each file to disk,
    // which the file system can overlap. The paths come back in order.
    let files: Vec<(String, &[u8])> = charts
        .iter()
        .flat_map(|c| {
            [
                (format!("{DIR}/{}.svg", c.stem), c.svg.as_bytes()),
                (format!("{DIR}/{}.png", c.stem), c.png.as_slice()),
            ]
        })
        .collect();
    let written = files
        .par_iter()
        .map(|(name, bytes)| out.write(name, bytes))
        .collect::<Result<Vec<PathBuf>, RunError>>()?;
    Ok(written)
}

/// An indicator's title in the language: its label (`地区生产总值增速`,
/// `GDP real growth`), the code name only when it has none.
pub fn indicator_title(
    name: &str,
    ind: &IndicatorSummary,
    lang: crate::render::lang::Lang,
) -> String {
    lang.label(ind.label.as_deref(), ind.label_en.as_deref(), name)
        .to_string()
}

/// The unit an axis of this indicator's values carries: `%` for rates,
/// `个` / `count` for counts without a unit.
pub fn axis_unit(ind: &IndicatorSummary, lang: crate::render::lang::Lang) -> Option<String> {
    match ind.kind {
        Kind::Rate => Some("%".into()),
        Kind::Count => Some(
            ind.unit
                .clone()
                .unwrap_or_else(|| lang.t("个", "count").into()),
        ),
        Kind::Level => ind.unit.clone(),
    }
}

/// A threshold with its unit: `9.0%`, `300 MW`, `283.4 亿元`.
pub fn with_unit(x: f64, kind: Kind, unit: Option<&str>) -> String {
    let v = super::format::threshold(x, kind);
    match (kind, unit) {
        (Kind::Rate, _) | (_, None) => v,
        (_, Some("")) => v,
        (_, Some(u)) => format!("{v} {u}"),
    }
}

/// A rule with its unit: `≥ 9.0%`, `≥ 300 MW`, `280.0 – 300.0 亿元`.
pub fn rule_text_unit(rule: &Rule, kind: Kind, unit: Option<&str>) -> String {
    let t = rule_text(rule, kind);
    match (kind, unit) {
        (Kind::Rate, _) | (_, None) => t,
        (_, Some("")) => t,
        (_, Some(u)) => format!("{t} {u}"),
    }
}

/// A rule as planners read it: `≥ 9.0%`, `≤ 5`, `9.0% ± 0.5%`, `8.0% – 10.0%`.
pub fn rule_text(rule: &Rule, kind: Kind) -> String {
    let f = |x| super::format::threshold(x, kind);
    match *rule {
        Rule::AtLeast { threshold } => format!("≥ {}", f(threshold)),
        Rule::AtMost { threshold } => format!("≤ {}", f(threshold)),
        Rule::About { value, tolerance } => format!("{} ± {}", f(value), f(tolerance)),
        Rule::Range { low, high } => format!("{} – {}", f(low), f(high)),
    }
}

/// The values a rule draws as lines: one threshold, or both bounds.
pub fn rule_lines(rule: &Rule) -> Vec<f64> {
    match *rule {
        Rule::AtLeast { threshold } | Rule::AtMost { threshold } => vec![threshold],
        Rule::About { value, tolerance } => vec![value - tolerance, value + tolerance],
        Rule::Range { low, high } => vec![low, high],
    }
}

/// An axis tick: as many decimals as the tick step needs to show every
/// multiple of it exactly (a step of 2.5% needs one: 7.5%, never 8%),
/// percent for rates. Every chart's ticks go through here.
pub fn tick(x: f64, kind: Kind, step: f64) -> String {
    let (x, step, suffix) = match kind {
        Kind::Rate => (x * 100.0, step * 100.0, "%"),
        _ => (x, step, ""),
    };
    let decimals = if step > 0.0 && step.is_finite() {
        decimals(step)
    } else {
        1
    };
    // -0.0 prints as "-0"
    let x = if x.abs() < step.abs() * 1e-9 { 0.0 } else { x };
    format!("{x:.decimals$}{suffix}")
}

/// The fewest decimals (at most 6) that write `step`, and so every
/// multiple of it, exactly.
fn decimals(step: f64) -> usize {
    (0..=6)
        .find(|&d| {
            let v = step * 10f64.powi(d);
            (v - v.round()).abs() <= 1e-9 * v.abs().max(1.0)
        })
        .unwrap_or(6) as usize
}

/// A "nice" tick step giving about `n` ticks over `span`.
pub fn nice_step(span: f64, n: f64) -> f64 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / n;
    let mag = 10f64.powf(raw.log10().floor());
    let r = raw / mag;
    let m = if r < 1.5 {
        1.0
    } else if r < 3.5 {
        2.0
    } else if r < 7.5 {
        5.0
    } else {
        10.0
    };
    m * mag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_show_percents_for_rates_with_the_digits_the_step_needs() {
        assert_eq!(tick(0.09, Kind::Rate, 0.01), "9%");
        assert_eq!(tick(0.095, Kind::Rate, 0.005), "9.5%");
        assert_eq!(tick(280.0, Kind::Level, 20.0), "280");
        assert_eq!(tick(1e-17, Kind::Level, 0.5), "0.0");
        // A 2.5-point step: the label is the gridline's exact value.
        assert_eq!(tick(0.075, Kind::Rate, 0.025), "7.5%");
        assert_eq!(tick(0.125, Kind::Rate, 0.025), "12.5%");
        assert_eq!(tick(0.1, Kind::Rate, 0.025), "10.0%");
        assert_eq!(tick(375.0, Kind::Level, 25.0), "375");
        assert_eq!(tick(0.75, Kind::Level, 0.25), "0.75");
        assert_eq!(nice_step(0.2, 8.0), 0.02);
        assert_eq!(nice_step(100.0, 10.0), 10.0);
    }

    #[test]
    fn rules_read_with_comparison_signs_and_percents() {
        assert_eq!(
            rule_text(&Rule::AtLeast { threshold: 0.09 }, Kind::Rate),
            "≥ 9.0%"
        );
        assert_eq!(
            rule_text(
                &Rule::Range {
                    low: 280.0,
                    high: 300.0
                },
                Kind::Level
            ),
            "280.0 – 300.0"
        );
    }
}
