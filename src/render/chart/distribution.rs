//! One indicator's distribution: a histogram of the draws (share of draws
//! per bin, or one bar per value for an indicator with few values, such as
//! a count), the settings' interval shaded grey, the median as a dashed
//! black line drawn over everything else, and each target set's threshold
//! as a line in the set's colour at its true value, the area where that
//! set's target is met shaded in the same colour, labelled with the rule
//! (with its unit) and the probability of meeting it.
//!
//! When two sets ask the same threshold, both lines stay visible (the
//! first wide, the next narrower on top of it), each label has its own row
//! and each line carries its set's marker, side by side.

use super::ChartError;
use super::style::{self, palette};
use super::svg::{Anchor, Doc, Key, Scale, TickKind, legend, text_width, x_axis, y_axis};
use crate::briefing::Settings;
use crate::render::format;
use crate::render::lang::Lang;
use crate::scenario::{Kind, Rule};
use crate::summary::Summary;
use crate::summary::histogram::Histogram;

pub const HEIGHT: f64 = 540.0;

/// One target line.
struct Line {
    set: String,
    index: usize,
    rule: Rule,
    probability: f64,
}

pub fn svg(summary: &Summary, index: usize, settings: &Settings) -> Result<String, ChartError> {
    let lang = settings.lang;
    let (name, ind) = summary
        .indicators()
        .get_index(index)
        .ok_or_else(|| ChartError(format!("no indicator {index}")))?;
    let kind = ind.kind;
    let unit = ind.unit.as_deref();
    let q = &ind.quantiles;
    let (ilo, ihi) = settings.interval.bounds(q);
    let lines: Vec<Line> = summary
        .target_sets
        .iter()
        .enumerate()
        .filter_map(|(k, (set_name, set))| {
            set.targets
                .iter()
                .find(|t| &t.indicator == name)
                .map(|t| Line {
                    set: style::set_label(
                        set.label.as_deref(),
                        set.label_en.as_deref(),
                        set_name,
                        lang,
                    ),
                    index: k,
                    rule: t.rule,
                    probability: t.probability,
                })
        })
        .collect();

    // Bars: (left, right, share of draws) and the gap between values.
    let total = ind.histogram.total().max(1) as f64;
    let (mut x0, mut x1) = ind.histogram.span();
    let (bars, gap, discrete): (Vec<(f64, f64, f64)>, f64, bool) = match &ind.histogram {
        Histogram::Values { values, counts } => {
            let gap = values
                .windows(2)
                .map(|w| w[1] - w[0])
                .fold(f64::INFINITY, f64::min);
            // A single value: bars as wide as a count's, or a fifth of the value.
            let gap = if gap.is_finite() {
                gap
            } else {
                match values.first() {
                    Some(&v) if kind != Kind::Count && v != 0.0 => 0.2 * v.abs(),
                    _ => 1.0,
                }
            };
            let bars = values
                .iter()
                .zip(counts)
                .map(|(&v, &c)| (v - 0.35 * gap, v + 0.35 * gap, c as f64 / total))
                .collect();
            x0 -= 0.6 * gap;
            x1 += 0.6 * gap;
            (bars, gap, true)
        }
        Histogram::Bins { lo, hi, counts, .. } => {
            let w = (hi - lo) / counts.len().max(1) as f64;
            let bars = counts
                .iter()
                .enumerate()
                .map(|(k, &c)| (lo + k as f64 * w, lo + (k + 1) as f64 * w, c as f64 / total))
                .collect();
            (bars, w, false)
        }
    };
    for l in &lines {
        for v in super::rule_lines(&l.rule) {
            x0 = x0.min(v - gap);
            x1 = x1.max(v + gap);
        }
    }
    let pad = 0.02 * (x1 - x0).max(1e-9);
    let (x0, x1) = (x0 - pad, x1 + pad);

    let title = super::indicator_title(name, ind, lang);
    let mut d = Doc::new(style::WIDTH, HEIGHT, &title);
    d.title(&title);
    d.subtitle(&format!(
        "{} {} · {} {} – {} · {}",
        style::median(lang),
        format::value(q.p50, kind),
        style::interval_name(settings),
        format::value(ilo, kind),
        format::value(ihi, kind),
        style::draws(summary.draws, lang),
    ));
    let mut keys = vec![
        (
            Key::Swatch(style::BAND.into()),
            style::interval_name(settings),
        ),
        (
            Key::Line(style::MEDIAN.into(), true),
            style::median(lang).to_string(),
        ),
    ];
    for l in &lines {
        keys.push((
            Key::Swatch(palette::target_set(l.index).into()),
            match lang {
                Lang::Zh => format!("{}目标 · 实现区域", l.set),
                Lang::En => format!("{} target · where met", l.set),
            },
        ));
    }
    legend(&mut d, 24.0, 80.0, style::WIDTH - 24.0, &keys);

    let (left, right, top, bottom) = (92.0, style::WIDTH - 28.0, 96.0, HEIGHT - 78.0);
    // One label row per target line above the bars.
    let label_rows = 26.0 * lines.len() as f64 + 8.0;
    let y_max = bars.iter().map(|b| b.2).fold(0.0, f64::max).max(1e-9);
    let plot_top = top + label_rows;
    let y_step = super::nice_step(y_max, 4.0);
    let y_hi = (y_max / y_step).ceil() * y_step;
    let x = Scale::new(x0, x1, left, right);
    let y = Scale::new(0.0, y_hi, bottom, plot_top);
    let x_step = super::nice_step(x1 - x0, 8.0);

    // Behind the bars: the interval.
    d.rect(
        x.at(ilo.max(x0)),
        plot_top,
        x.at(ihi.min(x1)) - x.at(ilo.max(x0)),
        bottom - plot_top,
        style::BAND,
        None,
    );
    // Each set's met area as a strip in its label row, in its colour, so
    // two sets' areas never mix. A met value's bar counts whole: the strip
    // starts at the bar's edge.
    let edge = if discrete { 0.36 * gap } else { 0.0 };
    for (row, l) in lines.iter().enumerate() {
        let (a, b) = match l.rule {
            Rule::AtLeast { threshold } => (threshold - edge, x1),
            Rule::AtMost { threshold } => (x0, threshold + edge),
            Rule::About { value, tolerance } => {
                (value - tolerance - edge, value + tolerance + edge)
            }
            Rule::Range { low, high } => (low - edge, high + edge),
        };
        let (a, b) = (a.max(x0), b.min(x1));
        if b > a {
            d.raw(&format!(
                "<rect class=\"met\" x=\"{:.3}\" y=\"{:.1}\" width=\"{:.3}\" height=\"22\" fill=\"{}\" fill-opacity=\"0.16\"/>\n",
                x.at(a),
                top + 3.0 + 26.0 * row as f64,
                x.at(b) - x.at(a),
                palette::target_set(l.index),
            ));
        }
    }
    let unit_label = super::axis_unit(ind, lang)
        .map(|u| format!(" ({u})"))
        .unwrap_or_default();
    x_axis(
        &mut d,
        &x,
        x_step,
        TickKind::Value(kind),
        bottom,
        top,
        &format!("{title}{unit_label}"),
    );
    y_axis(
        &mut d,
        &y,
        y_step,
        TickKind::Percent,
        left,
        right,
        style::share_of_draws(lang),
    );
    for &(a, b, h) in &bars {
        let hover = if discrete {
            format!(
                "{}: {}",
                format::value((a + b) / 2.0, kind),
                format::probability(h)
            )
        } else {
            format!(
                "{} – {}: {}",
                format::value(a, kind),
                format::value(b, kind),
                format::probability(h)
            )
        };
        d.rect(
            x.at(a),
            y.at(h),
            x.at(b) - x.at(a),
            bottom - y.at(h),
            style::DIST,
            Some(&hover),
        );
    }

    // Threshold lines at their true values; a line another set also draws
    // narrows so both colours show.
    let all: Vec<f64> = lines
        .iter()
        .flat_map(|l| super::rule_lines(&l.rule))
        .collect();
    let mut drawn: Vec<f64> = Vec::new();
    for l in &lines {
        for v in super::rule_lines(&l.rule) {
            let same = drawn.iter().filter(|w| (**w - v).abs() < 1e-12).count();
            let n = all.iter().filter(|w| (**w - v).abs() < 1e-12).count();
            // The first of n coinciding lines is widest, each next narrower.
            let width = if n == 1 {
                4.0
            } else {
                3.0 + 3.0 * (n - 1 - same) as f64
            };
            let c = palette::target_set(l.index);
            d.raw(&format!(
                "<line class=\"threshold\" data-set=\"{}\" x1=\"{xv:.3}\" y1=\"{top:.1}\" x2=\"{xv:.3}\" y2=\"{bottom:.1}\" stroke=\"{c}\" stroke-width=\"{width}\"/>\n",
                super::svg::escape(&l.set),
                xv = x.at(v),
            ));
            drawn.push(v);
        }
    }
    // The median over the thresholds, never hidden.
    d.dashed(
        (x.at(q.p50), plot_top),
        (x.at(q.p50), bottom),
        style::MEDIAN,
        2.5,
    );

    // Labels: one row each from the top, on the side of the line away from
    // the median unless they would run out of the plot there; each row
    // starts with the set's marker on its line.
    let median_px = x.at(q.p50);
    for (row, l) in lines.iter().enumerate() {
        let xs: Vec<f64> = super::rule_lines(&l.rule)
            .iter()
            .map(|&v| x.at(v))
            .collect();
        let lo_px = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi_px = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let py = top + 20.0 + 26.0 * row as f64;
        let c = palette::target_set(l.index);
        // Markers of coinciding thresholds are on different rows.
        for &px in &xs {
            d.marker(style::set_shape(l.index), (px, py - 5.0), 7.0, c, &l.set);
        }
        let threshold = format!(
            "{}: {} {}",
            super::rule_text_unit(&l.rule, kind, unit),
            style::p_met(lang),
            format::probability(l.probability)
        );
        // The set's name first where it fits; else the threshold and
        // probability alone (the marker's shape and colour and the legend
        // say whose), on the side with more room: a label never runs off
        // the plot (the city's ran past the right edge, its probability cut).
        let full = format!("{} {threshold}", l.set);
        let room_left = lo_px - left;
        let room_right = right - hi_px;
        let fits = |t: &str, room: f64| text_width(t, style::TEXT) + 20.0 <= room;
        let prefer_left = (lo_px + hi_px) / 2.0 < median_px;
        let (text, go_left) = [&full, &threshold]
            .into_iter()
            .find_map(|t| {
                let (l_ok, r_ok) = (fits(t, room_left), fits(t, room_right));
                match (prefer_left, l_ok, r_ok) {
                    (true, true, _) | (false, true, false) => Some((t, true)),
                    (false, _, true) | (true, false, true) => Some((t, false)),
                    _ => None,
                }
            })
            .unwrap_or((&threshold, room_left > room_right));
        if go_left {
            d.text(lo_px - 14.0, py, style::TEXT, Anchor::End, c, text);
        } else {
            d.text(hi_px + 14.0, py, style::TEXT, Anchor::Start, c, text);
        }
    }
    Ok(d.finish())
}
