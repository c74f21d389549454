//! One target set: the probability of meeting each target as a horizontal
//! bar, and below them, set apart in another colour, the probability that
//! all are met in the same year, with what it would be if the targets were
//! independent. The gap between the long single bars and the short joint
//! bar is the point of the chart.

use super::{ChartError, SMALL, TEXT, TITLE, palette};
use crate::render::format;
use crate::summary::{Summary, TargetSetSummary};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

const ROW: u32 = 56;
const TOP: u32 = 110;
const BOTTOM: u32 = 120;

pub fn height(set: &TargetSetSummary) -> u32 {
    TOP + BOTTOM + ROW * (set.targets.len() as u32 + 2)
}

pub fn title(name: &str, set: &TargetSetSummary) -> String {
    let label = match (&set.label, &set.label_en) {
        (Some(a), Some(b)) => format!("{a} · {b}"),
        (Some(a), None) | (None, Some(a)) => a.clone(),
        (None, None) => name.to_string(),
    };
    format!("Target set {label}")
}

pub fn draw<DB: DrawingBackend>(
    summary: &Summary,
    index: usize,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (name, set) = summary
        .target_sets
        .get_index(index)
        .ok_or_else(|| ChartError(format!("no target set {index}")))?;
    let (head, body) = root.split_vertically(TOP);
    head.draw_text(
        &title(name, set),
        &super::anchored(TITLE, &palette::INK, HPos::Left, VPos::Top),
        (24, 16),
    )?;
    head.draw_text(
        &format!(
            "probability that each target is met, and that all {} are met in the same year · {} draws",
            set.targets.len(),
            crate::render::table::thousands(summary.draws)
        ),
        &super::anchored(SMALL, &palette::GREY, HPos::Left, VPos::Top),
        (24, 62),
    )?;

    // Row labels, and the room they need on the left.
    let mut rows: Vec<(String, f64, RGBColor)> = set
        .targets
        .iter()
        .map(|t| {
            let ind_name = &t.indicator;
            let (label, kind) = summary
                .indicators()
                .get(ind_name)
                .map(|ind| (super::indicator_label(ind_name, ind), ind.kind))
                .unwrap_or_else(|| (ind_name.clone(), crate::scenario::Kind::Level));
            (
                format!("{label} {}", super::rule_text(&t.rule, kind)),
                t.probability,
                palette::BLUE,
            )
        })
        .collect();
    rows.push((
        format!("all {} together", set.targets.len()),
        set.joint_probability,
        palette::VERMILLION,
    ));
    let label_style = super::anchored(TEXT, &palette::INK, HPos::Right, VPos::Center);
    let mut label_w = 0;
    for (text, _, _) in &rows {
        label_w = label_w.max(root.estimate_text_size(text, &label_style)?.0);
    }
    let label_w = (label_w + 40).min(super::WIDTH / 2);

    let n = rows.len() as f64;
    // From the top: the targets, one empty slot, the joint bar.
    let slot = |k: usize| {
        if k + 1 == rows.len() {
            0.0
        } else {
            n - k as f64
        }
    };
    let mut chart = ChartBuilder::on(&body)
        .margin_left(24)
        .margin_right(48)
        .margin_bottom(16)
        .x_label_area_size(86)
        .y_label_area_size(label_w)
        .build_cartesian_2d(0.0..100.0, -0.6..(n + 0.6))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(11)
        .x_label_formatter(&|x| format!("{x:.0}%"))
        .x_desc("probability of meeting the target (%)")
        .label_style(super::font(TEXT, &palette::INK))
        .axis_desc_style(super::font(TEXT, &palette::INK))
        .bold_line_style(palette::GREY.mix(0.25))
        .light_line_style(TRANSPARENT)
        .axis_style(palette::GREY)
        .draw()?;

    for (k, (text, p, colour)) in rows.iter().enumerate() {
        let y = slot(k);
        let pct = 100.0 * p;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y - 0.34), (pct, y + 0.34)],
            colour.filled(),
        )))?;
        let (px, py) = chart.backend_coord(&(0.0, y));
        root.draw_text(text, &label_style, (px - 12, py))?;
        let (bx, _) = chart.backend_coord(&(pct, y));
        let mut value = format::probability(*p);
        if k + 1 == rows.len() {
            value.push_str(&format!(
                "  (if independent: {})",
                format::probability(set.independent_product)
            ));
        }
        if pct > 80.0 {
            root.draw_text(
                &value,
                &super::anchored(TEXT, &WHITE, HPos::Right, VPos::Center),
                (bx - 10, py),
            )?;
        } else {
            root.draw_text(
                &value,
                &super::anchored(TEXT, colour, HPos::Left, VPos::Center),
                (bx + 10, py),
            )?;
        }
    }
    // A rule between the single targets and the joint probability.
    let (_, sep) = chart.backend_coord(&(0.0, 1.0));
    let plot = chart.plotting_area().get_pixel_range();
    root.draw(&PathElement::new(
        vec![(24, sep), (plot.0.end, sep)],
        palette::GREY.stroke_width(2),
    ))?;
    Ok(())
}
