//! The overview: one row per targeted indicator (every indicator when no
//! target is set), each on its own scale because units differ: the 90%
//! range (5% to 95% of draws) as a thin bar, the 50% range (25% to 75%) as
//! a thick bar, the median as a black tick, and each target set's target as
//! a marker in the set's colour (both bounds of a range or "about" target). The numbers are written on the bars, each
//! with its unit, in place of a shared axis.

use super::{ChartError, SMALL, TEXT, TITLE, palette};
use crate::render::format;
use crate::summary::Summary;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

pub const TITLE_TEXT: &str = "Ranges of the targeted indicators";

const ROW: u32 = 100;
const TOP: u32 = 150;
const BOTTOM: u32 = 30;

/// The indicators shown, by index.
pub fn rows(summary: &Summary) -> Vec<usize> {
    let t = super::targeted(summary);
    if t.is_empty() {
        (0..summary.indicators().len()).collect()
    } else {
        t
    }
}

pub fn height(summary: &Summary) -> u32 {
    TOP + BOTTOM + ROW * rows(summary).len() as u32
}

pub fn draw<DB: DrawingBackend>(
    summary: &Summary,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    root.draw_text(
        TITLE_TEXT,
        &super::anchored(TITLE, &palette::INK, HPos::Left, VPos::Top),
        (24, 16),
    )?;
    root.draw_text(
        &format!(
            "each row on its own scale · {} draws",
            crate::render::table::thousands(summary.draws)
        ),
        &super::anchored(SMALL, &palette::GREY, HPos::Left, VPos::Top),
        (24, 62),
    )?;
    // Legend.
    let ly = 112;
    let mut lx = 24;
    let small = super::anchored(SMALL, &palette::INK, HPos::Left, VPos::Center);
    root.draw(&Rectangle::new(
        [(lx, ly - 5), (lx + 40, ly + 5)],
        palette::SKY_BLUE.filled(),
    ))?;
    root.draw_text("90% of draws", &small, (lx + 48, ly))?;
    lx += 48 + root.estimate_text_size("90% of draws", &small)?.0 as i32 + 28;
    root.draw(&Rectangle::new(
        [(lx, ly - 11), (lx + 40, ly + 11)],
        palette::BLUE.filled(),
    ))?;
    root.draw_text("50%", &small, (lx + 48, ly))?;
    lx += 48 + root.estimate_text_size("50%", &small)?.0 as i32 + 28;
    root.draw(&Rectangle::new(
        [(lx, ly - 15), (lx + 5, ly + 15)],
        palette::BLACK.filled(),
    ))?;
    root.draw_text("median", &small, (lx + 14, ly))?;
    lx += 14 + root.estimate_text_size("median", &small)?.0 as i32 + 28;
    for (k, (set_name, set)) in summary.target_sets.iter().enumerate() {
        let colour = palette::target_set(k);
        triangle(root, lx + 10, ly - 9, &colour)?;
        let text = format!(
            "{} target",
            set.label.clone().unwrap_or_else(|| set_name.clone())
        );
        root.draw_text(&text, &small, (lx + 26, ly))?;
        lx += 26 + root.estimate_text_size(&text, &small)?.0 as i32 + 28;
    }

    let shown = rows(summary);
    let label_style = super::anchored(TEXT, &palette::INK, HPos::Right, VPos::Center);
    let labels: Vec<String> = shown
        .iter()
        .filter_map(|&i| summary.indicators().get_index(i))
        .map(|(name, ind)| {
            let unit = super::axis_unit(ind)
                .filter(|u| u != "%")
                .map(|u| format!(" ({u})"))
                .unwrap_or_default();
            format!("{}{unit}", super::indicator_label(name, ind))
        })
        .collect();
    let mut label_w = 0;
    for l in &labels {
        label_w = label_w.max(root.estimate_text_size(l, &label_style)?.0 as i32);
    }
    let left = (24 + label_w + 110).min(super::WIDTH as i32 / 2);
    let right = super::WIDTH as i32 - 110;

    for (row, (&i, label)) in shown.iter().zip(&labels).enumerate() {
        let Some((name, ind)) = summary.indicators().get_index(i) else {
            continue;
        };
        let q = &ind.quantiles;
        let kind = ind.kind;
        let cy = (TOP + ROW * row as u32 + ROW / 2) as i32 - 4;
        if row % 2 == 0 {
            root.draw(&Rectangle::new(
                [
                    (12, cy - ROW as i32 / 2),
                    (super::WIDTH as i32 - 12, cy + ROW as i32 / 2),
                ],
                palette::BLACK.mix(0.035).filled(),
            ))?;
        }
        root.draw_text(label, &label_style, (24 + label_w, cy))?;
        let targets: Vec<(f64, RGBColor)> = summary
            .target_sets
            .values()
            .enumerate()
            .filter_map(|(k, s)| {
                s.targets
                    .iter()
                    .find(|t| &t.indicator == name)
                    .map(|t| (t, palette::target_set(k)))
            })
            // A range or "about" target is marked at both bounds.
            .flat_map(|(t, colour)| {
                super::rule_lines(&t.rule)
                    .into_iter()
                    .map(move |v| (v, colour))
            })
            .collect();
        let mut a = q.p05;
        let mut b = q.p95;
        for &(v, _) in &targets {
            a = a.min(v);
            b = b.max(v);
        }
        if b.partial_cmp(&a) != Some(std::cmp::Ordering::Greater) {
            a -= 0.5;
            b += 0.5;
        }
        let pad = 0.06 * (b - a);
        let (a, b) = (a - pad, b + pad);
        let x = |v: f64| left + ((v - a) / (b - a) * (right - left) as f64).round() as i32;
        root.draw(&Rectangle::new(
            [(x(q.p05), cy - 5), (x(q.p95), cy + 5)],
            palette::SKY_BLUE.filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(x(q.p25), cy - 11), (x(q.p75), cy + 11)],
            palette::BLUE.filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(x(q.p50) - 2, cy - 17), (x(q.p50) + 3, cy + 17)],
            palette::BLACK.filled(),
        ))?;
        let small_ink = |h| super::anchored(SMALL, &palette::INK, h, VPos::Center);
        root.draw_text(
            &format::value(q.p05, kind),
            &small_ink(HPos::Right),
            (x(q.p05) - 8, cy),
        )?;
        root.draw_text(
            &format::value(q.p95, kind),
            &small_ink(HPos::Left),
            (x(q.p95) + 8, cy),
        )?;
        root.draw_text(
            &format::value(q.p50, kind),
            &super::anchored(SMALL, &palette::INK, HPos::Center, VPos::Bottom),
            (x(q.p50), cy - 19),
        )?;
        let mut written: Vec<f64> = Vec::new();
        for (v, colour) in targets {
            triangle(root, x(v), cy + 6, &colour)?;
            if !written.contains(&v) {
                written.push(v);
                root.draw_text(
                    &format::threshold(v, kind),
                    &super::anchored(SMALL, &colour, HPos::Center, VPos::Top),
                    (x(v), cy + 26),
                )?;
            }
        }
    }
    Ok(())
}

/// An upward triangle with its tip at (x, y), 20 pixels wide, 18 high.
fn triangle<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: i32,
    y: i32,
    colour: &RGBColor,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    root.draw(&Polygon::new(
        vec![(x, y), (x - 10, y + 18), (x + 10, y + 18)],
        colour.filled(),
    ))?;
    Ok(())
}
