//! Fan charts of a multi-year run, drawn as central banks draw them: the
//! median as a line, nested bands around it for the central 10%, 20%, ...,
//! 90% of draws (darkest inside), the history before the horizon as a black
//! line, annual targets as vermillion crosses and the plan target as an
//! orange diamond. Rates are drawn on a percent axis. Colours are the
//! Okabe–Ito palette (readable with colour blindness).
//!
//! One drawing routine serves both formats: [`svg`] returns the SVG text
//! (with real text, so Chinese labels show in any browser and can be put in
//! an HTML report), and [`png`] rasterises the same drawing with the font
//! shipped in `assets/fonts/` (registered as the one-year charts do, see
//! [`super::chart`]), so PNGs need no system fonts. [`render_all`] draws
//! every fan chart of a run.

use super::format;
use crate::scenario::Kind;
use crate::summary::plan::FAN_LEVELS;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::DrawingErrorKind;

/// Okabe–Ito colours.
const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
const GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);

pub const WIDTH: u32 = 860;
pub const HEIGHT: u32 = 500;

/// Everything one chart shows.
#[derive(Debug, Clone)]
pub struct FanChart {
    /// Heading, e.g. `地区生产总值 GDP (gdp)`.
    pub title: String,
    /// Under the heading: unit, draws, the plan.
    pub subtitle: String,
    pub kind: Kind,
    /// Known values before the horizon, ascending, ending at year 0 when known.
    pub history: Vec<(i32, f64)>,
    /// Horizon years.
    pub years: Vec<i32>,
    /// Per horizon year, the quantiles at `FAN_LEVELS` (5%, 10%, ..., 95%).
    pub quantiles: Vec<Vec<f64>>,
    /// Annual targets: year, value, short label.
    pub annual_targets: Vec<(i32, f64, String)>,
    /// Plan targets on this indicator's level: year, value, short label.
    pub plan_targets: Vec<(i32, f64, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum FanError {
    /// A glyph could not be drawn (a bug: the font is shipped in the program).
    #[error("cannot draw the chart's text: {0}")]
    Font(String),
    #[error("cannot draw the chart: {0}")]
    Draw(String),
}

/// The chart as SVG text.
pub fn svg(chart: &FanChart) -> Result<String, FanError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, chart).map_err(|e| FanError::Draw(e.to_string()))?;
        root.present().map_err(|e| FanError::Draw(e.to_string()))?;
    }
    Ok(out)
}

/// The chart as PNG bytes, its text drawn with the shipped font.
pub fn png(chart: &FanChart) -> Result<Vec<u8>, FanError> {
    super::chart::register_font();
    let (w, h) = (WIDTH, HEIGHT);
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw(&root, chart).map_err(|e| match e {
            DrawingAreaErrorKind::BackendError(DrawingErrorKind::FontError(f)) => {
                FanError::Font(f.to_string())
            }
            other => FanError::Draw(other.to_string()),
        })?;
        root.present().map_err(|e| FanError::Draw(e.to_string()))?;
    }
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc
            .write_header()
            .map_err(|e| FanError::Draw(e.to_string()))?;
        writer
            .write_image_data(&rgb)
            .map_err(|e| FanError::Draw(e.to_string()))?;
    }
    Ok(bytes)
}

/// A blend of `c` toward white: `t` = 0 is `c`, 1 is white.
fn tint(c: RGBColor, t: f64) -> RGBColor {
    let m = |x: u8| (x as f64 + (255.0 - x as f64) * t).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// About five round tick values covering [lo, hi].
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-12);
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

fn axis_label(x: f64, step: f64, kind: Kind) -> String {
    match kind {
        Kind::Rate => {
            let digits = if step * 100.0 >= 1.0 { 0 } else { 1 };
            format!("{:.*}%", digits, x * 100.0)
        }
        _ => {
            if step >= 1.0 {
                format!("{x:.0}")
            } else {
                format::level(x)
            }
        }
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    c: &FanChart,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (left, right, top, bottom) = (78i32, 190i32, 64i32, 46i32);
    let (w, h) = (WIDTH as i32, HEIGHT as i32);
    let (x0, x1, y0, y1) = (left, w - right, top, h - bottom);

    let first_year = c
        .history
        .first()
        .map_or(c.years[0] - 1, |(y, _)| *y)
        .min(c.years[0] - 1);
    let last_year = *c.years.last().unwrap_or(&first_year);
    let mut values: Vec<f64> = c.history.iter().map(|(_, v)| *v).collect();
    for q in &c.quantiles {
        values.extend(q.iter().copied());
    }
    values.extend(c.annual_targets.iter().map(|t| t.1));
    values.extend(c.plan_targets.iter().map(|t| t.1));
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
    let px = |year: f64| -> i32 {
        let span = (last_year - first_year).max(1) as f64;
        x0 + ((year - first_year as f64) / span * (x1 - x0) as f64).round() as i32
    };
    let py = |v: f64| -> i32 { y1 - ((v - lo) / (hi - lo) * (y1 - y0) as f64).round() as i32 };

    let font = |size: f64| (super::chart::FONT_FAMILY, size).into_font();
    let text = |s: &str, size: f64, color: RGBColor, pos: (i32, i32), h: HPos, v: VPos| {
        Text::new(
            s.to_string(),
            pos,
            font(size).color(&color).pos(Pos::new(h, v)),
        )
    };
    root.draw(&text(
        &c.title,
        20.0,
        BLACK,
        (x0, 14),
        HPos::Left,
        VPos::Top,
    ))?;
    root.draw(&text(
        &c.subtitle,
        13.0,
        RGBColor(0x44, 0x44, 0x44),
        (x0, 40),
        HPos::Left,
        VPos::Top,
    ))?;

    // The horizon starts after year 0: shade the projection period lightly.
    let base_x = px((c.years[0] - 1) as f64);
    root.draw(&Rectangle::new(
        [(base_x, y0), (x1, y1 - 1)],
        tint(GREY, 0.92).filled(),
    ))?;
    // Grid and axes.
    let ys = ticks(lo, hi);
    let step = if ys.len() > 1 { ys[1] - ys[0] } else { hi - lo };
    for &v in &ys {
        let y = py(v);
        root.draw(&PathElement::new(vec![(x0, y), (x1, y)], tint(GREY, 0.6)))?;
        root.draw(&text(
            &axis_label(v, step, c.kind),
            12.0,
            BLACK,
            (x0 - 8, y),
            HPos::Right,
            VPos::Center,
        ))?;
    }
    for year in first_year..=last_year {
        let x = px(year as f64);
        root.draw(&PathElement::new(vec![(x, y1), (x, y1 + 5)], BLACK))?;
        root.draw(&text(
            &year.to_string(),
            12.0,
            BLACK,
            (x, y1 + 9),
            HPos::Center,
            VPos::Top,
        ))?;
    }
    root.draw(&PathElement::new(vec![(x0, y0), (x0, y1), (x1, y1)], BLACK))?;

    // The fan starts from year 0's known value when there is one.
    let start = c
        .history
        .iter()
        .find(|(y, _)| *y == c.years[0] - 1)
        .map(|(_, v)| *v);
    let mut xs: Vec<f64> = Vec::new();
    let mut qs: Vec<Vec<f64>> = Vec::new();
    if let Some(v) = start {
        xs.push((c.years[0] - 1) as f64);
        qs.push(vec![v; FAN_LEVELS.len()]);
    }
    for (y, q) in c.years.iter().zip(&c.quantiles) {
        xs.push(*y as f64);
        qs.push(q.clone());
    }
    let mid = FAN_LEVELS.len() / 2;
    // Outer band (90%) first, lightest; each inner band on top, darker.
    for band in (1..=mid).rev() {
        let lo_i = mid - band;
        let hi_i = mid + band;
        let mut pts: Vec<(i32, i32)> = xs
            .iter()
            .zip(&qs)
            .map(|(x, q)| (px(*x), py(q[hi_i])))
            .collect();
        pts.extend(xs.iter().zip(&qs).rev().map(|(x, q)| (px(*x), py(q[lo_i]))));
        let t = 0.2 + 0.65 * (band - 1) as f64 / (mid - 1).max(1) as f64;
        root.draw(&Polygon::new(pts, tint(BLUE, t).filled()))?;
    }
    let median: Vec<(i32, i32)> = xs
        .iter()
        .zip(&qs)
        .map(|(x, q)| (px(*x), py(q[mid])))
        .collect();
    root.draw(&PathElement::new(median, tint(BLUE, 0.0).stroke_width(3)))?;
    // History.
    if c.history.len() > 1 {
        let pts: Vec<(i32, i32)> = c
            .history
            .iter()
            .map(|(y, v)| (px(*y as f64), py(*v)))
            .collect();
        root.draw(&PathElement::new(pts.clone(), BLACK.stroke_width(2)))?;
    }
    for (y, v) in &c.history {
        root.draw(&Circle::new((px(*y as f64), py(*v)), 3, BLACK.filled()))?;
    }
    // Targets.
    for (y, v, _) in &c.annual_targets {
        root.draw(&Cross::new(
            (px(*y as f64), py(*v)),
            6,
            VERMILLION.stroke_width(3),
        ))?;
    }
    for (y, v, _) in &c.plan_targets {
        let (x, yy) = (px(*y as f64), py(*v));
        root.draw(&Polygon::new(
            vec![(x, yy - 9), (x + 9, yy), (x, yy + 9), (x - 9, yy)],
            ORANGE.filled(),
        ))?;
        root.draw(&PathElement::new(
            vec![
                (x - 9, yy),
                (x, yy - 9),
                (x + 9, yy),
                (x, yy + 9),
                (x - 9, yy),
            ],
            BLACK,
        ))?;
    }

    // Legend, right of the plot.
    let lx = x1 + 18;
    let mut ly = y0 + 4;
    let row = 20;
    root.draw(&PathElement::new(
        vec![(lx, ly + 6), (lx + 22, ly + 6)],
        BLUE.stroke_width(3),
    ))?;
    root.draw(&text(
        "median 中位数",
        12.0,
        BLACK,
        (lx + 30, ly + 6),
        HPos::Left,
        VPos::Center,
    ))?;
    ly += row;
    for (k, band) in [1usize, 5, 9].iter().enumerate() {
        let t = 0.2 + 0.65 * (band - 1) as f64 / (mid - 1).max(1) as f64;
        root.draw(&Rectangle::new(
            [(lx, ly), (lx + 22, ly + 12)],
            tint(BLUE, t).filled(),
        ))?;
        let label = match k {
            0 => "central 10% of draws".to_string(),
            _ => format!("central {}%", band * 10),
        };
        root.draw(&text(
            &label,
            12.0,
            BLACK,
            (lx + 30, ly + 6),
            HPos::Left,
            VPos::Center,
        ))?;
        ly += row;
    }
    root.draw(&text(
        "(bands in 10% steps)",
        11.0,
        RGBColor(0x44, 0x44, 0x44),
        (lx, ly + 2),
        HPos::Left,
        VPos::Center,
    ))?;
    ly += row;
    if !c.history.is_empty() {
        root.draw(&PathElement::new(
            vec![(lx, ly + 6), (lx + 22, ly + 6)],
            BLACK.stroke_width(2),
        ))?;
        root.draw(&text(
            "history 历史",
            12.0,
            BLACK,
            (lx + 30, ly + 6),
            HPos::Left,
            VPos::Center,
        ))?;
        ly += row;
    }
    if !c.annual_targets.is_empty() {
        root.draw(&Cross::new(
            (lx + 11, ly + 6),
            6,
            VERMILLION.stroke_width(3),
        ))?;
        root.draw(&text(
            "annual target 年度目标",
            12.0,
            BLACK,
            (lx + 30, ly + 6),
            HPos::Left,
            VPos::Center,
        ))?;
        ly += row;
        for (y, v, l) in &c.annual_targets {
            let s = format!("{y} {l}: {}", format::threshold(*v, c.kind));
            root.draw(&text(
                &s,
                11.0,
                RGBColor(0x44, 0x44, 0x44),
                (lx + 30, ly + 6),
                HPos::Left,
                VPos::Center,
            ))?;
            ly += row - 4;
        }
    }
    if !c.plan_targets.is_empty() {
        ly += 4;
        root.draw(&Polygon::new(
            vec![
                (lx + 11, ly - 2),
                (lx + 19, ly + 6),
                (lx + 11, ly + 14),
                (lx + 3, ly + 6),
            ],
            ORANGE.filled(),
        ))?;
        root.draw(&text(
            "plan target 规划目标",
            12.0,
            BLACK,
            (lx + 30, ly + 6),
            HPos::Left,
            VPos::Center,
        ))?;
        ly += row;
        for (y, v, l) in &c.plan_targets {
            let s = format!("{y} {l}: {}", format::threshold(*v, c.kind));
            root.draw(&text(
                &s,
                11.0,
                RGBColor(0x44, 0x44, 0x44),
                (lx + 30, ly + 6),
                HPos::Left,
                VPos::Center,
            ))?;
            ly += row - 4;
        }
    }
    Ok(())
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
    png: bool,
) -> Result<Vec<Drawn>, FanError> {
    use rayon::prelude::*;
    charts(s, sum)
        .into_par_iter()
        .map(|(name, chart)| {
            Ok(Drawn {
                stem: format!("fan-{name}"),
                svg: svg(&chart)?,
                png: if png { self::png(&chart)? } else { Vec::new() },
                title: chart.title,
                indicator: name,
            })
        })
        .collect()
}

/// One chart per indicator of a multi-year run, in the scenario's order:
/// `(indicator name, chart)`.
pub fn charts(
    s: &crate::scenario::Scenario,
    sum: &crate::summary::Summary,
) -> Vec<(String, FanChart)> {
    let Some(h) = s.horizon.as_ref() else {
        return Vec::new();
    };
    s.indicators
        .iter()
        .map(|ind| {
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
                .flat_map(|(set, ts)| {
                    ts.targets
                        .iter()
                        .filter(|t| t.indicator == ind.name)
                        .map(move |t| {
                            (
                                t.year.unwrap_or_default(),
                                t.rule.reference_value(),
                                set.clone(),
                            )
                        })
                })
                .collect();
            let plan_targets = sum
                .plan_targets
                .iter()
                .flat_map(|p| p.targets.iter())
                .filter(|t| t.indicator == ind.name && t.level_needed.is_finite())
                .map(|t| {
                    let what = match t.measure {
                        crate::scenario::horizon::Measure::Level => "level".to_string(),
                        m => m.name().replace('_', " "),
                    };
                    (t.year, t.level_needed, what)
                })
                .collect();
            let unit = match ind.meta.kind {
                Kind::Rate => "percent".to_string(),
                _ => ind.meta.unit.clone().unwrap_or_default(),
            };
            let mut subtitle = format!(
                "{}{}{} draws; bands: central 10%–90% of draws",
                unit,
                if unit.is_empty() { "" } else { "; " },
                super::table::thousands(sum.draws)
            );
            if let Some(e) = &ind.meta.label_en {
                subtitle = format!("{e}; {subtitle}");
            }
            let title = match &ind.meta.label {
                Some(l) => format!("{l} ({})", ind.name),
                None => ind.name.clone(),
            };
            (
                ind.name.clone(),
                FanChart {
                    title,
                    subtitle,
                    kind: ind.meta.kind,
                    history: h.history.path(&ind.name),
                    years: h.years.clone(),
                    quantiles,
                    annual_targets,
                    plan_targets,
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
            title: "地区生产总值 GDP".into(),
            subtitle: "亿元".into(),
            kind: Kind::Level,
            history: vec![(2024, 242.0), (2025, 260.0)],
            years: vec![2026, 2027],
            quantiles: vec![
                (0..19).map(|i| 280.0 + i as f64).collect(),
                (0..19).map(|i| 300.0 + 2.0 * i as f64).collect(),
            ],
            annual_targets: vec![(2026, 283.4, "draft".into())],
            plan_targets: vec![(2027, 310.0, "plan".into())],
        }
    }

    #[test]
    fn a_fan_chart_is_well_formed_svg_with_its_title_and_nine_bands() {
        let s = svg(&chart()).expect("svg");
        assert!(s.starts_with("<svg"), "{}", &s[..40]);
        assert!(s.trim_end().ends_with("</svg>"));
        assert!(s.contains("地区生产总值 GDP"));
        assert!(s.contains("2027"));
        // Nine bands plus the two plan-target diamonds (chart and legend).
        assert_eq!(s.matches("<polygon").count(), 9 + 2);
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        let t = ticks(0.061, 0.118);
        assert!(t.len() >= 3 && t.len() <= 7, "{t:?}");
        assert!(t[0] >= 0.061 && *t.last().unwrap() <= 0.118);
        let step = t[1] - t[0];
        assert!((step - 0.01).abs() < 1e-12, "{step}");
    }
}

#[cfg(test)]
mod png_tests {
    use super::*;

    #[test]
    fn a_fan_chart_png_draws_its_chinese_title_with_the_shipped_font() {
        let decode = |bytes: Vec<u8>| {
            let mut r = png::Decoder::new(std::io::Cursor::new(bytes))
                .read_info()
                .expect("a PNG");
            let mut buf = vec![0; r.output_buffer_size()];
            let info = r.next_frame(&mut buf).expect("a frame");
            assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
            buf
        };
        let mut c = tests_chart();
        let plain = decode(png(&c).expect("png"));
        c.title = "地区生产总值".into();
        let chinese = decode(png(&c).expect("png"));
        // The title's pixels differ, and not only by a missing-glyph box of
        // the same width for every character.
        assert_ne!(plain, chinese);
        c.title = "\u{E000}\u{E000}\u{E000}\u{E000}\u{E000}\u{E000}".into();
        let missing = decode(png(&c).expect("png"));
        assert_ne!(chinese, missing);
    }

    fn tests_chart() -> FanChart {
        FanChart {
            title: "t".into(),
            subtitle: String::new(),
            kind: Kind::Rate,
            history: vec![],
            years: vec![2026],
            quantiles: vec![(0..19).map(|i| 0.05 + 0.001 * i as f64).collect()],
            annual_targets: vec![],
            plan_targets: vec![],
        }
    }
}
