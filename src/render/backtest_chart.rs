//! Backtest charts, in the chart vocabulary of [`super::chart`] (one SVG
//! writer, its fonts, Okabe–Ito series colours, ticks from the shared axis
//! code so a 2.5% gridline never reads 3%, titles and words in the output's
//! language):
//!
//! * `forecasts.svg`: one panel per method; each forecast year's interval
//!   (a bar), point forecast (a dot) and the outcomes (a black line), on a
//!   shared vertical scale so panels compare directly;
//! * `pit.svg`: one PIT histogram per method (counts, so bars), with the
//!   count a calibrated method would give per bin as a dashed line that
//!   says its value.

use super::chart::nice_step;
use super::chart::style;
use super::chart::svg::{Anchor, Doc, PALETTE, Scale, TickKind, x_axis, y_axis};
use super::lang::Lang;
use crate::backtest::methods::Method;
use crate::backtest::{Backtest, PIT_BINS};
use crate::scenario::Kind;

const W: f64 = 960.0;
const H: f64 = 720.0;
/// Below the title and subtitle.
const TOP: f64 = 84.0;
const PANEL_W: f64 = W / 2.0;
const PANEL_H: f64 = (H - TOP) / 2.0;

/// A method's name in the output's language, its code name (as written in
/// `backtest.json` and the table) after it.
fn method_name(m: Method, lang: Lang) -> String {
    let name = match m {
        Method::Naive => lang.t("上年值", "last year's"),
        Method::Mean => lang.t("历史均值", "past mean"),
        Method::Ar1 => lang.t("一阶自回归", "AR(1)"),
        Method::Sim => lang.t("模拟", "simulation"),
    };
    format!("{name} ({})", m.name())
}

/// Where a panel's plot area is.
struct Panel {
    x0: f64,
    y0: f64,
    w: f64,
    h: f64,
}

impl Panel {
    fn at(k: usize) -> Panel {
        let (col, row) = ((k % 2) as f64, (k / 2) as f64);
        Panel {
            x0: col * PANEL_W + 72.0,
            y0: TOP + row * PANEL_H + 34.0,
            w: PANEL_W - 104.0,
            h: PANEL_H - 34.0 - 56.0,
        }
    }

    /// The panel's heading: the method's name, and a note at the right.
    fn heading(&self, doc: &mut Doc, name: &str, note: &str) {
        doc.bold(
            self.x0,
            self.y0 - 12.0,
            style::TEXT,
            Anchor::Start,
            style::INK,
            name,
        );
        if !note.is_empty() {
            doc.text(
                self.x0 + self.w,
                self.y0 - 12.0,
                style::SMALL,
                Anchor::End,
                style::MUTED,
                note,
            );
        }
    }
}

fn pct(v: f64) -> String {
    super::format::value(v, Kind::Rate)
}

/// Error measures, which are small: two decimals of a percent.
fn pct2(v: f64) -> String {
    format!("{:.2}%", 100.0 * v)
}

/// Forecasts with intervals against outcomes, in `lang`.
pub fn forecasts_svg(b: &Backtest, lang: Lang) -> Vec<u8> {
    let level = format!("{:.0}%", 100.0 * b.options.level);
    let (first, last) = b.forecast_years;
    let title = match lang {
        Lang::Zh => format!("回测：{} 增速，提前一年预测", b.series),
        Lang::En => format!("Backtest: {} growth, one year ahead", b.series),
    };
    let mut doc = Doc::new(W, H, &title);
    doc.title(&title);
    doc.subtitle(&match lang {
        Lang::Zh => format!(
            "{level}预测区间（竖条）、点预测（圆点）与实际值（黑线），{first}–{last}年"
        ),
        Lang::En => format!(
            "{level} intervals (bars), point forecasts (dots) and outcomes (black line), {first}–{last}"
        ),
    });
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for m in &b.methods {
        for f in &m.forecasts {
            for v in [f.lo, f.hi, f.actual, f.forecast] {
                if v.is_finite() {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
    }
    if lo >= hi || !lo.is_finite() || !hi.is_finite() {
        let c = if lo.is_finite() { lo } else { 0.0 };
        (lo, hi) = (c - 0.01, c + 0.01);
    }
    let pad = 0.04 * (hi - lo);
    let (lo, hi) = (lo - pad, hi + pad);
    let (y_first, y_last) = (first as f64 - 0.5, last as f64 + 0.5);
    let value_step = nice_step(hi - lo, 5.0);
    let year_step = nice_step(y_last - y_first, 6.0).max(1.0);
    for (k, m) in b.methods.iter().enumerate() {
        let p = Panel::at(k);
        p.heading(
            &mut doc,
            &method_name(m.method, lang),
            &match lang {
                Lang::Zh => format!(
                    "覆盖率 {:.0}%，RMSE {}，CRPS {}",
                    100.0 * m.metrics.coverage,
                    pct2(m.metrics.rmse),
                    pct2(m.metrics.crps)
                ),
                Lang::En => format!(
                    "coverage {:.0}%, RMSE {}, CRPS {}",
                    100.0 * m.metrics.coverage,
                    pct2(m.metrics.rmse),
                    pct2(m.metrics.crps)
                ),
            },
        );
        let sx = Scale::new(y_first, y_last, p.x0, p.x0 + p.w);
        let sy = Scale::new(lo, hi, p.y0 + p.h, p.y0);
        y_axis(
            &mut doc,
            &sy,
            value_step,
            TickKind::Value(Kind::Rate),
            p.x0,
            p.x0 + p.w,
            "",
        );
        x_axis(
            &mut doc,
            &sx,
            year_step,
            TickKind::Value(Kind::Level),
            p.y0 + p.h,
            p.y0,
            lang.t("年份", "year"),
        );
        let c = PALETTE[k % PALETTE.len()];
        for f in &m.forecasts {
            let x = sx.at(f.year as f64);
            let hover = match lang {
                Lang::Zh => format!(
                    "{}年：预测 {}，{level}区间 {} – {}，实际 {}",
                    f.year,
                    pct(f.forecast),
                    pct(f.lo),
                    pct(f.hi),
                    pct(f.actual)
                ),
                Lang::En => format!(
                    "{}: forecast {}, {level} interval {} – {}, outcome {}",
                    f.year,
                    pct(f.forecast),
                    pct(f.lo),
                    pct(f.hi),
                    pct(f.actual)
                ),
            };
            doc.rect_alpha(
                x - 2.0,
                sy.at(f.hi),
                4.0,
                sy.at(f.lo) - sy.at(f.hi),
                c,
                0.45,
                Some(&hover),
            );
            doc.circle((x, sy.at(f.forecast)), 2.8, c, None);
        }
        let pts: Vec<(f64, f64)> = m
            .forecasts
            .iter()
            .map(|f| (sx.at(f.year as f64), sy.at(f.actual)))
            .collect();
        doc.polyline(&pts, style::palette::BLACK, 1.4);
    }
    doc.finish().into_bytes()
}

/// PIT histograms, one per method, in `lang`.
pub fn pit_svg(b: &Backtest, lang: Lang) -> Vec<u8> {
    let n = b.methods.first().map_or(0, |m| m.forecasts.len());
    let title = match lang {
        Lang::Zh => format!("PIT 直方图：{} 增速", b.series),
        Lang::En => format!("PIT histograms: {} growth", b.series),
    };
    let mut doc = Doc::new(W, H, &title);
    doc.title(&title);
    doc.subtitle(&match lang {
        Lang::Zh => format!(
            "{n} 个实际值落在各自预测分布中的位置；校准良好的方法在 {PIT_BINS} 个区间中各占相同个数（虚线）"
        ),
        Lang::En => format!(
            "{n} outcomes placed in their forecast distributions; a calibrated method fills each of the {PIT_BINS} bins equally (dashed line)"
        ),
    });
    let expected = n as f64 / PIT_BINS as f64;
    let max = b
        .methods
        .iter()
        .flat_map(|m| m.metrics.pit_histogram.iter().copied())
        .max()
        .unwrap_or(1) as f64;
    let top = max.max(expected).max(1.0) * 1.15;
    // Counts: whole-number ticks.
    let count_step = nice_step(top, 4.0).max(1.0).round();
    let bin = 1.0 / PIT_BINS as f64;
    for (k, m) in b.methods.iter().enumerate() {
        let p = Panel::at(k);
        // The calibrated count, said in the heading where no bar hides it.
        p.heading(
            &mut doc,
            &method_name(m.method, lang),
            &match lang {
                Lang::Zh => format!("虚线：校准时每区间 {expected:.1} 个"),
                Lang::En => format!("dashed: {expected:.1} per bin if calibrated"),
            },
        );
        let sx = Scale::new(0.0, 1.0, p.x0, p.x0 + p.w);
        let sy = Scale::new(0.0, top, p.y0 + p.h, p.y0);
        y_axis(
            &mut doc,
            &sy,
            count_step,
            TickKind::Value(Kind::Count),
            p.x0,
            p.x0 + p.w,
            lang.t("个数", "count"),
        );
        x_axis(
            &mut doc,
            &sx,
            bin,
            TickKind::Value(Kind::Level),
            p.y0 + p.h,
            p.y0,
            lang.t(
                "实际值在预测分布中的分位 (PIT)",
                "outcome's place in its forecast (PIT)",
            ),
        );
        let c = PALETTE[k % PALETTE.len()];
        for (i, &count) in m.metrics.pit_histogram.iter().enumerate() {
            let (a, z) = (sx.at(i as f64 * bin), sx.at((i + 1) as f64 * bin));
            let hover = match lang {
                Lang::Zh => format!(
                    "{:.1} – {:.1}：{count} 个",
                    i as f64 * bin,
                    (i + 1) as f64 * bin
                ),
                Lang::En => format!(
                    "{:.1} – {:.1}: {count}",
                    i as f64 * bin,
                    (i + 1) as f64 * bin
                ),
            };
            doc.rect_alpha(
                a + 1.0,
                sy.at(count as f64),
                z - a - 2.0,
                sy.at(0.0) - sy.at(count as f64),
                c,
                0.75,
                Some(&hover),
            );
            doc.text(
                (a + z) / 2.0,
                sy.at(count as f64) - 4.0,
                style::SMALL,
                Anchor::Middle,
                style::INK,
                &count.to_string(),
            );
        }
        let y = sy.at(expected);
        doc.dashed((p.x0, y), (p.x0 + p.w, y), style::INK, 1.5);
    }
    doc.finish().into_bytes()
}
