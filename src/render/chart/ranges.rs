//! The overview: one row per targeted indicator (every indicator when no
//! target is set), each on its own scale because units differ: the one
//! interval of the settings as a bar, the median as a black tick, and each
//! target set's target as its marker in its colour (both bounds of a range
//! or "about" target). The numbers are written on the bars, each with its
//! unit, in place of a shared axis.

use super::style::{self, palette};
use super::svg::{Anchor, Doc, Key, Scale, legend, text_width};
use crate::briefing::Settings;
use crate::render::format;
use crate::render::lang::Lang;
use crate::summary::Summary;

const ROW: f64 = 84.0;
const TOP: f64 = 110.0;
const BOTTOM: f64 = 16.0;

pub fn title(lang: Lang) -> &'static str {
    lang.t("目标指标的模拟区间", "Ranges of the targeted indicators")
}

/// The indicators shown, by index.
pub fn rows(summary: &Summary) -> Vec<usize> {
    let t = super::targeted(summary);
    if t.is_empty() {
        (0..summary.indicators().len()).collect()
    } else {
        t
    }
}

pub fn svg(summary: &Summary, settings: &Settings) -> String {
    let lang = settings.lang;
    let shown = rows(summary);
    let height = TOP + BOTTOM + ROW * shown.len() as f64;
    let mut d = Doc::new(style::WIDTH, height, title(lang));
    d.bold(
        24.0,
        32.0,
        style::TITLE,
        Anchor::Start,
        style::INK,
        title(lang),
    );
    d.subtitle(&format!(
        "{} · {}",
        lang.t("每行各用自己的刻度", "each row on its own scale"),
        style::draws(summary.draws, lang)
    ));
    let mut keys = vec![
        (
            Key::Swatch(style::DIST.into()),
            style::interval_name(settings),
        ),
        (
            Key::Line(style::MEDIAN.into(), false),
            style::median(lang).to_string(),
        ),
    ];
    for (k, (set_name, set)) in summary.target_sets.iter().enumerate() {
        keys.push((
            Key::Marker(style::set_shape(k), palette::target_set(k).into()),
            style::set_label(
                set.label.as_deref(),
                set.label_en.as_deref(),
                set_name,
                lang,
            ),
        ));
    }
    legend(&mut d, 24.0, 84.0, style::WIDTH - 24.0, &keys);

    let labels: Vec<String> = shown
        .iter()
        .filter_map(|&i| summary.indicators().get_index(i))
        .map(|(name, ind)| {
            let unit = super::axis_unit(ind, lang)
                .filter(|u| u != "%")
                .map(|u| format!(" ({u})"))
                .unwrap_or_default();
            format!("{}{unit}", super::indicator_title(name, ind, lang))
        })
        .collect();
    let label_w = labels
        .iter()
        .map(|l| text_width(l, style::SMALL))
        .fold(0.0, f64::max);
    let left = (24.0 + label_w + 70.0).min(style::WIDTH / 2.0);
    let right = style::WIDTH - 70.0;

    for (row, (&i, label)) in shown.iter().zip(&labels).enumerate() {
        let Some((name, ind)) = summary.indicators().get_index(i) else {
            continue;
        };
        let kind = ind.kind;
        let (lo, hi) = settings.interval.bounds(&ind.quantiles);
        let med = ind.quantiles.p50;
        let cy = TOP + ROW * row as f64 + ROW / 2.0 - 4.0;
        if row % 2 == 0 {
            d.rect_alpha(
                12.0,
                cy - ROW / 2.0 + 4.0,
                style::WIDTH - 24.0,
                ROW,
                "#000000",
                0.035,
                None,
            );
        }
        d.text(
            24.0 + label_w,
            cy + 5.0,
            style::SMALL,
            Anchor::End,
            style::INK,
            label,
        );
        // (value, set index, set name, rule text) of each target line.
        let targets: Vec<(f64, usize, String)> = summary
            .target_sets
            .iter()
            .enumerate()
            .filter_map(|(k, (set_name, s))| {
                s.targets
                    .iter()
                    .find(|t| &t.indicator == name)
                    .map(|t| (t, k, set_name.clone()))
            })
            .flat_map(|(t, k, n)| {
                super::rule_lines(&t.rule)
                    .into_iter()
                    .map(move |v| (v, k, n.clone()))
            })
            .collect();
        let (mut a, mut b) = (lo, hi);
        for (v, _, _) in &targets {
            a = a.min(*v);
            b = b.max(*v);
        }
        let pad = 0.06 * (b - a).max(1e-9);
        let x = Scale::new(a - pad, b + pad, left, right);
        d.rect(
            x.at(lo),
            cy - 7.0,
            x.at(hi) - x.at(lo),
            14.0,
            style::DIST,
            None,
        );
        d.rect(x.at(med) - 1.5, cy - 14.0, 3.0, 28.0, style::MEDIAN, None);
        d.text(
            x.at(lo) - 6.0,
            cy + 5.0,
            style::SMALL,
            Anchor::End,
            style::INK,
            &format::value(lo, kind),
        );
        d.text(
            x.at(hi) + 6.0,
            cy + 5.0,
            style::SMALL,
            Anchor::Start,
            style::INK,
            &format::value(hi, kind),
        );
        d.text(
            x.at(med),
            cy - 18.0,
            style::SMALL,
            Anchor::Middle,
            style::INK,
            &format::value(med, kind),
        );
        // Markers of coinciding targets sit side by side, each set's own.
        let mut written: Vec<(f64, usize)> = Vec::new();
        for (v, k, set_name) in &targets {
            let same = written.iter().filter(|w| (w.0 - v).abs() < 1e-12).count();
            let mx = x.at(*v) + 14.0 * same as f64;
            d.marker(
                style::set_shape(*k),
                (mx, cy + 18.0),
                7.0,
                palette::target_set(*k),
                &format!("{set_name}: {}", format::threshold(*v, kind)),
            );
            if same == 0 {
                d.text(
                    x.at(*v),
                    cy + 40.0,
                    style::SMALL,
                    Anchor::Middle,
                    palette::target_set(*k),
                    &format::threshold(*v, kind),
                );
            }
            written.push((*v, *k));
        }
    }
    d.finish()
}
