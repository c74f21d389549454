//! Backtest charts as SVG with real text (no font is embedded: the viewer's
//! sans-serif font draws the labels, so the files stay small and the text
//! stays selectable and searchable):
//!
//! * `forecasts.svg`: one panel per method; each forecast year's interval
//!   (a vertical bar), point forecast (a dot) and the outcomes (a black
//!   line), on a shared vertical scale so panels compare directly;
//! * `pit.svg`: one PIT histogram per method, with the count a calibrated
//!   method would give per bin as a dashed line.

use crate::backtest::{Backtest, PIT_BINS};
use std::fmt::Write;

const W: f64 = 960.0;
const H: f64 = 640.0;
const TOP: f64 = 56.0;
const PANEL_W: f64 = W / 2.0;
const PANEL_H: f64 = (H - TOP) / 2.0;
const COLOURS: [&str; 4] = ["#7f7f7f", "#1f77b4", "#2ca02c", "#d62728"];

/// The one chart escaper (it also drops control characters).
fn esc(s: &str) -> String {
    super::chart::svg::escape(s)
}

/// Round numbers for axis ticks between `lo` and `hi`.
fn ticks(lo: f64, hi: f64, want: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-12);
    let raw = span / want;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= want)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

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
            x0: col * PANEL_W + 64.0,
            y0: TOP + row * PANEL_H + 30.0,
            w: PANEL_W - 84.0,
            h: PANEL_H - 62.0,
        }
    }
}

fn header(out: &mut String, title: &str, subtitle: &str) {
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="{}">"#,
        super::chart::FONT_FAMILY
    );
    let _ = writeln!(out, r#"<title>{}</title>"#, esc(title));
    let _ = writeln!(out, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="{}" y="24" font-size="17" text-anchor="middle" font-weight="bold">{}</text>"#,
        W / 2.0,
        esc(title)
    );
    let _ = writeln!(
        out,
        r##"<text x="{}" y="44" font-size="12" text-anchor="middle" fill="#444">{}</text>"##,
        W / 2.0,
        esc(subtitle)
    );
}

/// Forecasts with intervals against outcomes.
pub fn forecasts_svg(b: &Backtest) -> Vec<u8> {
    let mut out = String::new();
    header(
        &mut out,
        &format!("Backtest: {} growth, one year ahead", b.series),
        &format!(
            "{:.0}% intervals (bars), forecasts (dots), outcomes (black line), {}..{}",
            100.0 * b.options.level,
            b.forecast_years.0,
            b.forecast_years.1
        ),
    );
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
    if lo >= hi || lo.is_nan() || hi.is_nan() {
        lo -= 0.01;
        hi += 0.01;
    }
    let pad = 0.04 * (hi - lo);
    let (lo, hi) = (lo - pad, hi + pad);
    let (y_first, y_last) = (
        b.forecast_years.0 as f64 - 0.5,
        b.forecast_years.1 as f64 + 0.5,
    );
    for (k, m) in b.methods.iter().enumerate() {
        let p = Panel::at(k);
        let sx = |year: f64| p.x0 + (year - y_first) / (y_last - y_first) * p.w;
        let sy = |v: f64| p.y0 + p.h - (v - lo) / (hi - lo) * p.h;
        let _ = writeln!(
            out,
            r##"<text x="{}" y="{}" font-size="14" font-weight="bold">{}</text><text x="{}" y="{}" font-size="11" text-anchor="end" fill="#444">coverage {:.0}%, RMSE {:.2}%, CRPS {:.2}%</text>"##,
            p.x0,
            p.y0 - 10.0,
            m.method.name(),
            p.x0 + p.w,
            p.y0 - 10.0,
            100.0 * m.metrics.coverage,
            100.0 * m.metrics.rmse,
            100.0 * m.metrics.crps
        );
        let _ = writeln!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#999"/>"##,
            p.x0, p.y0, p.w, p.h
        );
        for t in ticks(lo, hi, 6.0) {
            let y = sy(t);
            let _ = writeln!(
                out,
                r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e5e5e5"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{}%</text>"##,
                p.x0,
                p.x0 + p.w,
                p.x0 - 4.0,
                y + 3.5,
                fmt_pct(t)
            );
        }
        for t in ticks(y_first, y_last, 7.0) {
            let x = sx(t);
            let _ = writeln!(
                out,
                r#"<text x="{x:.1}" y="{:.1}" font-size="10" text-anchor="middle">{}</text>"#,
                p.y0 + p.h + 14.0,
                t.round() as i64
            );
        }
        let c = COLOURS[k % COLOURS.len()];
        for f in &m.forecasts {
            let x = sx(f.year as f64);
            let _ = writeln!(
                out,
                r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{c}" stroke-opacity="0.45" stroke-width="4"/><circle cx="{x:.1}" cy="{:.1}" r="2.5" fill="{c}"/>"#,
                sy(f.lo),
                sy(f.hi),
                sy(f.forecast)
            );
        }
        let pts: Vec<String> = m
            .forecasts
            .iter()
            .map(|f| format!("{:.1},{:.1}", sx(f.year as f64), sy(f.actual)))
            .collect();
        let _ = writeln!(
            out,
            r#"<polyline points="{}" fill="none" stroke="black" stroke-width="1.3"/>"#,
            pts.join(" ")
        );
    }
    out.push_str("</svg>\n");
    out.into_bytes()
}

fn fmt_pct(v: f64) -> String {
    let p = 100.0 * v;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}", p.round() as i64)
    } else {
        let s = format!("{p:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// PIT histograms, one per method.
pub fn pit_svg(b: &Backtest) -> Vec<u8> {
    let mut out = String::new();
    let n = b.methods[0].forecasts.len();
    header(
        &mut out,
        &format!("PIT histograms: {} growth", b.series),
        &format!(
            "{n} outcomes placed in their forecast distributions; a calibrated method fills each of the {PIT_BINS} bins equally (dashed line)"
        ),
    );
    let expected = n as f64 / PIT_BINS as f64;
    let max = b
        .methods
        .iter()
        .flat_map(|m| m.metrics.pit_histogram.iter().copied())
        .max()
        .unwrap_or(1) as f64;
    let top = max.max(expected) * 1.1;
    for (k, m) in b.methods.iter().enumerate() {
        let p = Panel::at(k);
        let sy = |v: f64| p.y0 + p.h - v / top * p.h;
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" font-size="14" font-weight="bold">{}</text>"#,
            p.x0,
            p.y0 - 10.0,
            m.method.name()
        );
        let bw = p.w / PIT_BINS as f64;
        for (i, &c) in m.metrics.pit_histogram.iter().enumerate() {
            let x = p.x0 + i as f64 * bw;
            let _ = writeln!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}" fill-opacity="0.7" stroke="white"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle">{c}</text>"#,
                x,
                sy(c as f64),
                bw,
                p.y0 + p.h - sy(c as f64),
                COLOURS[k % COLOURS.len()],
                x + bw / 2.0,
                sy(c as f64) - 3.0
            );
        }
        for i in 0..=PIT_BINS {
            let _ = writeln!(
                out,
                r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle">{:.1}</text>"#,
                p.x0 + i as f64 * bw,
                p.y0 + p.h + 14.0,
                i as f64 / PIT_BINS as f64
            );
        }
        let _ = writeln!(
            out,
            r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="black" stroke-dasharray="5,4"/><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#999"/>"##,
            p.x0,
            sy(expected),
            p.x0 + p.w,
            sy(expected),
            p.x0,
            p.y0 + p.h,
            p.x0 + p.w,
            p.y0 + p.h
        );
    }
    out.push_str("</svg>\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside_the_range() {
        let t = ticks(0.0, 1.0, 5.0);
        assert_eq!(t.len(), 6);
        assert_eq!((t[0], t[1], t[5]), (0.0, 0.2, 1.0));
        let t = ticks(-0.031, 0.072, 6.0);
        assert!(t.iter().all(|&v| (-0.031..=0.072).contains(&v)));
        assert!(t.contains(&0.0));
        assert_eq!(fmt_pct(0.02), "2");
        assert_eq!(fmt_pct(0.025), "2.5");
    }
}
