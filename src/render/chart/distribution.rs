//! One indicator's distribution: a histogram of the draws (share of draws
//! per bin, or per value for an indicator with few values), the 10–90%
//! range shaded, the median as a dashed line, and each target set's
//! threshold as a line in the set's colour, labelled with the rule and the
//! probability of meeting it.

use super::{ChartError, SMALL, TEXT, TITLE, palette};
use crate::render::format;
use crate::summary::Summary;
use crate::summary::histogram::Histogram;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

pub const HEIGHT: u32 = 800;

/// One target line: set label, set index (colour), rule text, probability.
struct Line {
    set: String,
    colour: RGBColor,
    rule: crate::scenario::Rule,
    probability: f64,
}

pub fn draw<DB: DrawingBackend>(
    summary: &Summary,
    index: usize,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (name, ind) = summary
        .indicators()
        .get_index(index)
        .ok_or_else(|| ChartError(format!("no indicator {index}")))?;
    let kind = ind.kind;
    let q = &ind.quantiles;
    // On bars of single values a line through a bar would not say on which
    // side that value counts: move it half a gap to the side of the values
    // that miss the target.
    let values: &[f64] = match &ind.histogram {
        Histogram::Values { values, .. } => values,
        Histogram::Bins { .. } => &[],
    };
    let half_gap = values
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min)
        / 2.0;
    let on_value = |x: f64| values.contains(&x) && half_gap.is_finite();
    let positions = |rule: &crate::scenario::Rule| -> Vec<f64> {
        use crate::scenario::Rule::*;
        let lines = super::rule_lines(rule);
        match *rule {
            AtLeast { threshold } if on_value(threshold) => vec![threshold - half_gap],
            AtMost { threshold } if on_value(threshold) => vec![threshold + half_gap],
            About { .. } | Range { .. } => vec![
                if on_value(lines[0]) {
                    lines[0] - half_gap
                } else {
                    lines[0]
                },
                if on_value(lines[1]) {
                    lines[1] + half_gap
                } else {
                    lines[1]
                },
            ],
            _ => lines,
        }
    };
    let lines: Vec<Line> = summary
        .target_sets
        .iter()
        .enumerate()
        .filter_map(|(k, (set_name, set))| {
            set.targets
                .iter()
                .find(|t| &t.indicator == name)
                .map(|t| Line {
                    set: set.label.clone().unwrap_or_else(|| set_name.clone()),
                    colour: palette::target_set(k),
                    rule: t.rule,
                    probability: t.probability,
                })
        })
        .collect();

    // Title and subtitle.
    let (head, body) = root.split_vertically(104);
    head.draw_text(
        &super::indicator_title(name, ind),
        &super::anchored(TITLE, &palette::INK, HPos::Left, VPos::Top),
        (24, 16),
    )?;
    head.draw_text(
        &format!(
            "median {} (dashed) · 80% of draws between {} and {} (shaded) · {} draws",
            format::value(q.p50, kind),
            format::value(q.p10, kind),
            format::value(q.p90, kind),
            crate::render::table::thousands(summary.draws),
        ),
        &super::anchored(SMALL, &palette::GREY, HPos::Left, VPos::Top),
        (24, 62),
    )?;

    // The x range: the histogram's, widened to show every target line.
    let total = ind.histogram.total().max(1) as f64;
    let (mut x0, mut x1) = ind.histogram.span();
    let (bars, gap): (Vec<(f64, f64, f64)>, f64) = match &ind.histogram {
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
                    Some(&v) if kind != crate::scenario::Kind::Count && v != 0.0 => 0.2 * v.abs(),
                    _ => 1.0,
                }
            };
            let bars = values
                .iter()
                .zip(counts)
                .map(|(&v, &c)| (v - 0.35 * gap, v + 0.35 * gap, 100.0 * c as f64 / total))
                .collect();
            x0 -= 0.6 * gap;
            x1 += 0.6 * gap;
            (bars, gap)
        }
        Histogram::Bins { lo, hi, counts, .. } => {
            let w = (hi - lo) / counts.len().max(1) as f64;
            let bars = counts
                .iter()
                .enumerate()
                .map(|(k, &c)| {
                    (
                        lo + k as f64 * w,
                        lo + (k + 1) as f64 * w,
                        100.0 * c as f64 / total,
                    )
                })
                .collect();
            (bars, w)
        }
    };
    for l in &lines {
        for v in positions(&l.rule) {
            x0 = x0.min(v - gap);
            x1 = x1.max(v + gap);
        }
    }
    if x1.partial_cmp(&x0) != Some(std::cmp::Ordering::Greater) {
        x0 -= 0.5;
        x1 += 0.5;
    }
    let pad = 0.02 * (x1 - x0);
    let (x0, x1) = (x0 - pad, x1 + pad);
    let y_max = bars.iter().map(|b| b.2).fold(0.0, f64::max).max(1e-9);
    // Room above the bars for one label row per target line.
    let y1 = y_max * (1.12 + 0.1 * lines.len() as f64);

    let unit = super::axis_unit(ind)
        .map(|u| format!(" ({u})"))
        .unwrap_or_default();
    let x_desc = format!("{}{unit}", super::indicator_label(name, ind));
    let x_step = super::nice_step(x1 - x0, 8.0);
    let y_step = super::nice_step(y1, 6.0);
    let x_fmt = |x: &f64| super::tick(*x, kind, x_step);
    // The room left above 100% for labels gets no ticks.
    let y_fmt = |y: &f64| {
        if *y > 100.0 + 1e-9 {
            String::new()
        } else {
            format!("{}%", super::tick(*y, crate::scenario::Kind::Level, y_step))
        }
    };

    let mut chart = ChartBuilder::on(&body)
        .margin_left(24)
        .margin_right(40)
        .margin_bottom(16)
        .margin_top(8)
        .x_label_area_size(86)
        .y_label_area_size(110)
        .build_cartesian_2d(x0..x1, 0.0..y1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(((x1 - x0) / x_step).round() as usize + 1)
        .y_labels((y1 / y_step).round() as usize + 1)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(x_desc)
        .y_desc("share of draws (%)")
        .label_style(super::font(TEXT, &palette::INK))
        .axis_desc_style(super::font(TEXT, &palette::INK))
        .bold_line_style(palette::GREY.mix(0.25))
        .light_line_style(TRANSPARENT)
        .axis_style(palette::GREY)
        .draw()?;

    // 10–90% range, behind the bars.
    chart.draw_series(std::iter::once(Rectangle::new(
        [(q.p10.max(x0), 0.0), (q.p90.min(x1), y1)],
        palette::BLACK.mix(0.07).filled(),
    )))?;
    chart.draw_series(
        bars.iter()
            .map(|&(a, b, h)| Rectangle::new([(a, 0.0), (b, h)], palette::SKY_BLUE.filled())),
    )?;
    chart.draw_series(DashedLineSeries::new(
        [(q.p50, 0.0), (q.p50, y1)],
        12,
        8,
        palette::BLACK.stroke_width(3),
    ))?;

    // Target lines first, then their labels (one row each from the top),
    // so no line crosses a label. A label sits on the side of its line away
    // from the median, unless it would run out of the plot there.
    for l in &lines {
        for v in positions(&l.rule) {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(v, 0.0), (v, y1)],
                l.colour.stroke_width(4),
            )))?;
        }
    }
    let plot = chart.plotting_area().get_pixel_range();
    let (median_px, _) = chart.backend_coord(&(q.p50, 0.0));
    for (row, l) in lines.iter().enumerate() {
        // A range's label starts outside its outer line.
        let xs = positions(&l.rule);
        let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (lo_px, _) = chart.backend_coord(&(lo, 0.0));
        let (hi_px, _) = chart.backend_coord(&(hi, 0.0));
        let px = (lo_px + hi_px) / 2;
        let py = plot.1.start + 10 + row as i32 * 36;
        let text = format!(
            "{} {}: P(met) {}",
            l.set,
            super::rule_text(&l.rule, kind),
            format::probability(l.probability)
        );
        let left_style = super::anchored(TEXT, &l.colour, HPos::Right, VPos::Top);
        let (w, _) = root.estimate_text_size(&text, &left_style)?;
        let w = w as i32 + 20;
        let fits_left = lo_px - w >= plot.0.start;
        let fits_right = hi_px + w <= plot.0.end;
        let go_left = if px < median_px {
            fits_left || !fits_right
        } else {
            !fits_right && fits_left
        };
        let (h, x) = if go_left {
            (HPos::Right, lo_px - 10)
        } else {
            (HPos::Left, hi_px + 10)
        };
        super::boxed_text(
            root,
            &text,
            &super::anchored(TEXT, &l.colour, h, VPos::Top),
            (x, py),
        )?;
    }
    Ok(())
}
