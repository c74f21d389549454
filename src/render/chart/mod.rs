//! Charts of a run, each drawn once by plotters and written twice: as SVG
//! (real `<text>`, for the HTML report and for editing) and as PNG (for
//! pasting into a document).
//!
//! Which charts (file stems in `DIR/charts/`):
//! - `dist-<indicator>`: for every indicator that some target applies to,
//!   its distribution with each target set's threshold and probability, the
//!   median and the 10–90% range ([`distribution`]);
//! - `set-<target set>`: for every target set, the probability of each target
//!   and of all together ([`targets`]);
//! - `ranges`: the targeted indicators side by side: median, 50% and 90%
//!   ranges and the targets ([`ranges`]).
//!
//! Conventions: growth rates and shares (kind `rate`) read as percents;
//! every axis says its unit; colours are the Okabe–Ito palette, which
//! readers with colour-vision deficiencies can tell apart; sizes are chosen
//! to stay readable at half an A4 page. PNG text is drawn with the font
//! shipped in `assets/fonts/` (a subset of WenQuanYi Micro Hei covering the
//! CJK Unified Ideographs), so PNGs render the same on a machine with no
//! fonts installed; SVG text names common CJK fonts first.

pub mod distribution;
pub mod ranges;
pub mod targets;

use crate::error::RunError;
use crate::output::Staging;
use crate::scenario::{Kind, Rule};
use crate::summary::{IndicatorSummary, Summary};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rayon::prelude::*;
use std::path::PathBuf;

/// Font families of chart text, as written into SVG. PNGs are drawn with
/// the shipped font, registered under this same name.
pub const FONT_FAMILY: &str = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Heiti SC, SimHei, Arial, sans-serif";

pub(crate) static FONT_BYTES: &[u8] =
    include_bytes!("../../../assets/fonts/wqy-microhei-subset.ttf");

/// Sub-directory of the output directory that holds the chart files.
pub const DIR: &str = "charts";

/// Okabe–Ito palette (Okabe and Ito 2008), safe for colour-vision deficiencies.
pub mod palette {
    use plotters::style::RGBColor;
    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    pub const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);
    /// Text and axes: a dark grey, softer than black.
    pub const INK: RGBColor = RGBColor(40, 40, 40);
    pub const GREY: RGBColor = RGBColor(110, 110, 110);

    /// Colour of the `i`-th target set (declaration order).
    pub fn target_set(i: usize) -> RGBColor {
        const SETS: [RGBColor; 5] = [VERMILLION, BLUE, BLUISH_GREEN, REDDISH_PURPLE, ORANGE];
        SETS[i % SETS.len()]
    }
}

/// Text sizes in pixels; charts are 1200 pixels wide, so at half an A4 page
/// (about 17 cm wide) body text prints at about 9 points.
pub const TITLE: f64 = 34.0;
pub const TEXT: f64 = 24.0;
pub const SMALL: f64 = 21.0;
pub const WIDTH: u32 = 1200;

/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    /// Distribution of the indicator at this index (declaration order).
    Distribution(usize),
    /// Probabilities of the target set at this index.
    TargetSet(usize),
    /// Ranges of the targeted indicators.
    Ranges,
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
/// font and size is fixed).
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot draw chart: {0}")]
pub struct ChartError(pub String);

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>>
    for ChartError
{
    fn from(e: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
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

/// The charts of a run, in the order the report shows them.
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
pub fn render_all(summary: &Summary, png: bool) -> Result<Vec<Chart>, ChartError> {
    specs(summary)
        .par_iter()
        .map(|&spec| render(summary, spec, png))
        .collect()
}

/// Draw one chart as SVG and, when `png`, as PNG.
pub fn render(summary: &Summary, spec: Spec, png: bool) -> Result<Chart, ChartError> {
    register_font();
    let (stem, title, height) = match spec {
        Spec::Distribution(i) => {
            let (name, ind) = summary
                .indicators()
                .get_index(i)
                .ok_or_else(|| ChartError(format!("no indicator {i}")))?;
            (
                format!("dist-{name}"),
                indicator_title(name, ind),
                distribution::HEIGHT,
            )
        }
        Spec::TargetSet(i) => {
            let (name, set) = summary
                .target_sets
                .get_index(i)
                .ok_or_else(|| ChartError(format!("no target set {i}")))?;
            (
                format!("set-{name}"),
                targets::title(name, set),
                targets::height(set),
            )
        }
        Spec::Ranges => (
            "ranges".to_string(),
            ranges::TITLE_TEXT.to_string(),
            ranges::height(summary),
        ),
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        draw(summary, spec, &root)?;
        root.present()?;
    }
    let png = if png {
        let mut rgb = vec![0u8; WIDTH as usize * height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, height)).into_drawing_area();
            draw(summary, spec, &root)?;
            root.present()?;
        }
        encode_png(&rgb, WIDTH, height)?
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

fn draw<DB: DrawingBackend>(
    summary: &Summary,
    spec: Spec,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    match spec {
        Spec::Distribution(i) => distribution::draw(summary, i, root),
        Spec::TargetSet(i) => targets::draw(summary, i, root),
        Spec::Ranges => ranges::draw(summary, root),
    }
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

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let fail = |e: png::EncodingError| ChartError(format!("PNG encoding: {e}"));
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut w = enc.write_header().map_err(fail)?;
        w.write_image_data(rgb).map_err(fail)?;
    }
    Ok(out)
}

/// Register the shipped font with plotters under [`FONT_FAMILY`] and
/// `sans-serif` (once per process); every bitmap chart calls it first.
pub(crate) fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // A failure shows as a drawing error naming the missing font.
        for name in [FONT_FAMILY, "sans-serif"] {
            let _ = plotters::style::register_font(name, FontStyle::Normal, FONT_BYTES);
        }
    });
}

/// A text style of the chart font.
pub fn font(size: f64, color: &RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: FontDesc::new(FontFamily::Name(FONT_FAMILY), size, FontStyle::Normal),
        color: color.to_backend_color(),
        pos: Pos::new(HPos::Left, VPos::Top),
    }
}

/// `font` anchored at a corner or side of the text.
pub fn anchored(size: f64, color: &RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    font(size, color).pos(Pos::new(h, v))
}

/// `地区生产总值增速 · GDP real growth`, or the name when there is no label.
pub fn indicator_title(name: &str, ind: &IndicatorSummary) -> String {
    match (&ind.label, &ind.label_en) {
        (Some(a), Some(b)) => format!("{a} · {b}"),
        (Some(a), None) | (None, Some(a)) => a.clone(),
        (None, None) => name.to_string(),
    }
}

/// Short label: the planners' label, else the English one, else the name.
pub fn indicator_label(name: &str, ind: &IndicatorSummary) -> String {
    ind.label
        .clone()
        .or_else(|| ind.label_en.clone())
        .unwrap_or_else(|| name.to_string())
}

/// The unit an axis of this indicator's values carries: `%` for rates,
/// `count` for counts without a unit.
pub fn axis_unit(ind: &IndicatorSummary) -> Option<String> {
    match ind.kind {
        Kind::Rate => Some("%".into()),
        Kind::Count => Some(ind.unit.clone().unwrap_or_else(|| "count".into())),
        Kind::Level => ind.unit.clone(),
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

/// An axis tick: as many decimals as the tick step needs, percent for rates.
pub fn tick(x: f64, kind: Kind, step: f64) -> String {
    let (x, step, suffix) = match kind {
        Kind::Rate => (x * 100.0, step * 100.0, "%"),
        _ => (x, step, ""),
    };
    let decimals = if step > 0.0 && step.is_finite() {
        (-step.log10().floor()).clamp(0.0, 6.0) as usize
    } else {
        1
    };
    // -0.0 prints as "-0"
    let x = if x.abs() < step.abs() * 1e-9 { 0.0 } else { x };
    format!("{x:.decimals$}{suffix}")
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

/// Draw `text` with a white box behind it, so it stays legible over bars.
pub fn boxed_text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    pos: (i32, i32),
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (w, h) = root.estimate_text_size(text, style)?;
    let (w, h) = (w as i32, h as i32);
    let x0 = match style.pos.h_pos {
        HPos::Left => pos.0,
        HPos::Center => pos.0 - w / 2,
        HPos::Right => pos.0 - w,
    };
    let y0 = match style.pos.v_pos {
        VPos::Top => pos.1,
        VPos::Center => pos.1 - h / 2,
        VPos::Bottom => pos.1 - h,
    };
    root.draw(&Rectangle::new(
        [(x0 - 4, y0 - 3), (x0 + w + 4, y0 + h + 3)],
        WHITE.mix(0.85).filled(),
    ))?;
    root.draw_text(text, style, pos)?;
    Ok(())
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
        assert_eq!(nice_step(0.2, 8.0), 0.02);
        assert_eq!(nice_step(100.0, 10.0), 10.0);
    }

    /// Draw `text` black on white into a small bitmap.
    fn raster(text: &str) -> Vec<u8> {
        register_font();
        let mut buf = vec![255u8; 120 * 60 * 3];
        {
            let root = BitMapBackend::with_buffer(&mut buf, (120, 60)).into_drawing_area();
            root.draw_text(text, &font(40.0, &palette::BLACK), (4, 4))
                .unwrap();
            root.present().unwrap();
        }
        buf
    }

    #[test]
    fn png_text_draws_chinese_with_the_shipped_font_and_no_system_fonts() {
        let blank = vec![255u8; 120 * 60 * 3];
        // U+E000 (private use) is not in the font: drawn as the empty box.
        let missing = raster("\u{E000}");
        assert_ne!(missing, blank);
        // So is a character outside the subset (CJK Extension B): the
        // comparison below can tell a missing glyph.
        assert_eq!(raster("\u{20000}"), missing);
        for c in ["地", "区", "增", "速", "值", "镇", "%", "≥"] {
            let b = raster(c);
            assert_ne!(b, blank, "{c} is not drawn");
            assert_ne!(b, missing, "{c} is drawn as a missing glyph");
        }
        assert_ne!(raster("地"), raster("区"));
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
