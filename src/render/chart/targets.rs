//! One target set: the probability of meeting each target as a horizontal
//! bar in the set's colour, and below them, set apart in ink, the
//! probability that all are met in the same year, with what it would be if
//! the targets were independent. The gap between the long single bars and
//! the short joint bar is the point of the chart.

use super::ChartError;
use super::style::{self, palette};
use super::svg::{Anchor, Doc, Scale, TickKind, text_width, x_axis};
use crate::briefing::Settings;
use crate::render::format;
use crate::render::lang::Lang;
use crate::summary::{Summary, TargetSetSummary};

const ROW: f64 = 34.0;
const TOP: f64 = 84.0;
const BOTTOM: f64 = 70.0;

pub fn title(name: &str, set: &TargetSetSummary, lang: Lang) -> String {
    let label = lang.label(set.label.as_deref(), set.label_en.as_deref(), name);
    match lang {
        Lang::Zh => format!("{label}：各目标实现概率"),
        Lang::En => format!("{label}: probability of each target"),
    }
}

pub fn svg(summary: &Summary, index: usize, settings: &Settings) -> Result<String, ChartError> {
    let lang = settings.lang;
    let (name, set) = summary
        .target_sets
        .get_index(index)
        .ok_or_else(|| ChartError(format!("no target set {index}")))?;
    let colour = palette::target_set(index);
    let mut rows: Vec<(String, f64, &str, String)> = set
        .targets
        .iter()
        .map(|t| {
            let (label, kind, unit) = summary
                .indicator(&t.indicator, t.year)
                .map(|ind| {
                    (
                        super::indicator_title(&t.indicator, ind, lang),
                        ind.kind,
                        ind.unit.clone(),
                    )
                })
                .unwrap_or_else(|| (t.indicator.clone(), crate::scenario::Kind::Level, None));
            let year = t.year.map(|y| format!("{y} ")).unwrap_or_default();
            (
                format!(
                    "{year}{label} {}",
                    super::rule_text_unit(&t.rule, kind, unit.as_deref())
                ),
                t.probability,
                colour,
                format!("{name}/{}", t.indicator),
            )
        })
        .collect();
    rows.push((
        format!("{} ({})", style::met_together(lang), set.targets.len()),
        set.joint_probability,
        style::INK,
        format!("{name}: joint"),
    ));
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.0, style::TEXT))
        .fold(0.0, f64::max)
        .min(style::WIDTH / 2.0);
    let left = 24.0 + label_w + 12.0;
    let right = style::WIDTH - 40.0;
    let n = rows.len() as f64;
    // From the top: the targets, one empty slot, the joint bar.
    let height = TOP + ROW * (n + 1.0) + BOTTOM;
    let mut d = Doc::new(style::WIDTH, height, &title(name, set, lang));
    d.bold(
        24.0,
        32.0,
        style::TITLE,
        Anchor::Start,
        style::INK,
        &title(name, set, lang),
    );
    d.subtitle(&match lang {
        Lang::Zh => format!(
            "每个目标的实现概率，以及全部 {} 个目标同时实现的概率 · {}",
            set.targets.len(),
            style::draws(summary.draws, lang)
        ),
        Lang::En => format!(
            "probability that each target is met, and that all {} are met together · {}",
            set.targets.len(),
            style::draws(summary.draws, lang)
        ),
    });
    let bottom = TOP + ROW * (n + 1.0);
    let x = Scale::new(0.0, 1.0, left, right);
    x_axis(
        &mut d,
        &x,
        0.1,
        TickKind::Percent,
        bottom,
        TOP - 4.0,
        style::p_met(lang),
    );
    for (k, (text, p, c, hover)) in rows.iter().enumerate() {
        let slot = if k + 1 == rows.len() { n } else { k as f64 };
        let y = TOP + ROW * slot + ROW / 2.0;
        d.text(
            left - 12.0,
            y + 5.0,
            style::TEXT,
            Anchor::End,
            style::INK,
            text,
        );
        d.rect(
            left,
            y - ROW * 0.34,
            x.at(*p) - left,
            ROW * 0.68,
            c,
            Some(hover),
        );
        let mut value = format::probability(*p);
        if k + 1 == rows.len() {
            value.push_str(&format!(
                "  ({}: {})",
                style::if_independent(lang),
                format::probability(set.independent_product)
            ));
        }
        if *p > 0.8 {
            d.text(
                x.at(*p) - 8.0,
                y + 5.0,
                style::TEXT,
                Anchor::End,
                "#FFFFFF",
                &value,
            );
        } else {
            d.text(
                x.at(*p) + 8.0,
                y + 5.0,
                style::TEXT,
                Anchor::Start,
                c,
                &value,
            );
        }
    }
    // A rule between the single targets and the joint probability.
    let sep = TOP + ROW * (n - 1.0) + ROW / 2.0;
    d.line((24.0, sep), (right, sep), style::AXIS, 1.5);
    Ok(d.finish())
}
