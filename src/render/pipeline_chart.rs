//! `pipeline.svg`: the key-project list against the threshold its sum must
//! reach, in the chart vocabulary of [`super::chart`] (its SVG writer,
//! fonts, Okabe–Ito colours, shared axis ticks, titles in the output's
//! language). Projects are ordered by their probability of starting, most
//! likely first; the chart climbs by each project's amount (or by one, for
//! a count) in steps, since the sum moves only when a project is added, so
//! it shows how far down the list the threshold lies; the dashed steps
//! below add up probability times amount, the sum to expect. Each project
//! is a dot at its cumulative height, more opaque the likelier it is to
//! start; critical projects are ringed in black (vermillion is the first
//! target set's colour, used by the threshold).
//!
//! The threshold is that of the first target on an aggregate indicator
//! (`pipeline = "amount"` or `"count"`), drawn at its true value in its
//! target set's colour and labelled with its unit; the chart covers that
//! aggregate's projects.

use super::chart::nice_step;
use super::chart::style::{self, Shape};
use super::chart::svg::{
    Anchor, Doc, Key, PALETTE, Scale, TickKind, escape, legend, x_axis, y_axis,
};
use super::format;
use super::lang::Lang;
use crate::scenario::pipeline::{Aggregate, Measure};
use crate::scenario::{Kind, Rule, Scenario};
use crate::summary::pipeline::PipelineSummary;

/// File name inside the output directory (with `.png` beside it).
pub const STEM: &str = "pipeline";
const WIDTH: f64 = style::WIDTH;
const HEIGHT: f64 = 480.0;
/// Dots are drawn only up to this many projects; beyond, the steps alone.
const MAX_DOTS: usize = 120;

/// The chart in `lang`, or `None` without a pipeline section.
pub fn svg(s: &Scenario, summary: &PipelineSummary, lang: Lang) -> Option<String> {
    let pl = s.pipeline.as_ref()?;
    // The first target on an aggregate itself gives the threshold: its
    // set (for the colour and name), aggregate and value.
    let target: Option<(usize, &Aggregate, f64)> =
        s.target_sets.iter().enumerate().find_map(|(k, set)| {
            set.targets.iter().find_map(|t| {
                let a = pl.aggregates.iter().find(|a| a.indicator == t.indicator)?;
                let x = match t.rule {
                    Rule::AtLeast { threshold } => threshold,
                    Rule::Range { low, .. } => low,
                    Rule::About { value, tolerance } => value - tolerance,
                    Rule::AtMost { .. } => return None,
                };
                Some((k, a, x))
            })
        });
    let agg = target.map(|t| t.1);
    let by_amount = agg.is_none_or(|a| a.measure == Measure::Amount);
    let meta = agg.map(|a| &s.indicators[a.indicator].meta);
    let kind = if by_amount { Kind::Level } else { Kind::Count };
    let unit: String = match (meta.and_then(|m| m.unit.as_deref()), by_amount) {
        (Some(u), _) if !u.is_empty() => u.to_string(),
        (_, false) => lang.t("个", "projects").to_string(),
        _ => String::new(),
    };
    let with_unit = |v: f64| {
        let n = format::value(v, kind);
        if unit.is_empty() {
            n
        } else {
            format!("{n} {unit}")
        }
    };
    let mut rows: Vec<(usize, f64, f64)> = pl
        .projects
        .iter()
        .enumerate()
        .filter(|(_, p)| agg.is_none_or(|a| a.includes(p)))
        .map(|(i, p)| (i, p.p, if by_amount { p.amount.mean() } else { 1.0 }))
        .collect();
    // Most likely first; equal probabilities keep the list's order.
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    let total: f64 = rows.iter().map(|r| r.2).sum();
    let expected: f64 = rows.iter().map(|r| r.1 * r.2).sum();
    let threshold = target.map(|t| t.2);
    let top = threshold.unwrap_or(0.0).max(total).max(1e-9) * 1.08;

    let what = match (by_amount, lang) {
        (true, Lang::Zh) => "累计金额",
        (true, Lang::En) => "cumulative amount",
        (false, Lang::Zh) => "累计项目数",
        (false, Lang::En) => "cumulative count",
    };
    let title = match lang {
        Lang::Zh => format!("重点项目：{} 个项目按开工概率排列的{what}", rows.len()),
        Lang::En => format!(
            "Key projects: {} projects by probability, {what}",
            rows.len()
        ),
    };
    let mut doc = Doc::new(WIDTH, HEIGHT, &title);
    doc.title(&title);
    doc.subtitle(&match lang {
        Lang::Zh => format!(
            "全部开工：{} · 期望（{}）：{}",
            with_unit(total),
            if by_amount {
                "概率 × 金额之和"
            } else {
                "概率之和"
            },
            with_unit(expected)
        ),
        Lang::En => format!(
            "all start: {} · expected ({}): {}",
            with_unit(total),
            if by_amount {
                "sum of p × amount"
            } else {
                "sum of p"
            },
            with_unit(expected)
        ),
    });
    let (left, right, up, down) = (84.0, 24.0, 104.0, 64.0);
    let (pw, ph) = (WIDTH - left - right, HEIGHT - up - down);
    let n = rows.len().max(1) as f64;
    let sx = Scale::new(0.0, n, left, left + pw);
    let sy = Scale::new(0.0, top, up + ph, up);
    let step = match kind {
        Kind::Count => nice_step(top, 5.0).max(1.0).round(),
        _ => nice_step(top, 5.0),
    };
    let axis_title = if unit.is_empty() {
        what.to_string()
    } else {
        match lang {
            Lang::Zh => format!("{what}（{unit}）"),
            Lang::En => format!("{what} ({unit})"),
        }
    };
    y_axis(
        &mut doc,
        &sy,
        step,
        TickKind::Value(kind),
        left,
        left + pw,
        &axis_title,
    );
    x_axis(
        &mut doc,
        &sx,
        nice_step(n, 6.0).max(1.0).round(),
        TickKind::Value(Kind::Count),
        up + ph,
        up,
        lang.t(
            "项目序号（开工概率由高到低）",
            "projects, most likely to start first",
        ),
    );
    legend(
        &mut doc,
        24.0,
        80.0,
        WIDTH - 24.0,
        &[
            (
                Key::Line(PALETTE[0].into(), false),
                lang.t("全部开工", "if all start").into(),
            ),
            (
                Key::Line(PALETTE[1].into(), true),
                lang.t("期望", "expected").into(),
            ),
            (
                Key::Marker(Shape::Ring, style::INK.into()),
                lang.t("关键项目", "critical project").into(),
            ),
        ],
    );
    // Cumulative sums as steps: project k (from 1) adds its amount at
    // k - 1 and holds it to k.
    let steps = |value: &dyn Fn(&(usize, f64, f64)) -> f64| {
        let mut pts = vec![(sx.at(0.0), sy.at(0.0))];
        let mut c = 0.0;
        for (k, r) in rows.iter().enumerate() {
            c += value(r);
            pts.push((sx.at(k as f64), sy.at(c)));
            pts.push((sx.at(k as f64 + 1.0), sy.at(c)));
        }
        pts
    };
    doc.polyline(&steps(&|r| r.2), PALETTE[0], 2.0);
    let exp = steps(&|r| r.1 * r.2);
    let mut d = String::new();
    for (x, y) in &exp {
        d.push_str(&format!("{x:.1},{y:.1} "));
    }
    doc.raw(&format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\" stroke-dasharray=\"6 4\"/>\n",
        d.trim_end(),
        PALETTE[1]
    ));
    // The probability of a few projects along the list, above the plot.
    for k in 0..=4 {
        let idx = (rows.len().saturating_sub(1) * k) / 4;
        if let Some(r) = rows.get(idx) {
            // The ends align inward so they stay inside the plot.
            let anchor = match k {
                0 => Anchor::Start,
                4 => Anchor::End,
                _ => Anchor::Middle,
            };
            doc.text(
                sx.at(idx as f64 + 0.5),
                up - 8.0,
                style::SMALL,
                anchor,
                style::MUTED,
                &format!("p = {}", format::probability(r.1)),
            );
        }
    }
    // A dot per project (up to MAX_DOTS) and a ring on every critical one.
    let mut c = 0.0;
    for (k, r) in rows.iter().enumerate() {
        c += r.2;
        let name = &pl.projects[r.0].name;
        let (x, y) = (sx.at(k as f64 + 1.0), sy.at(c));
        if rows.len() <= MAX_DOTS {
            doc.raw(&format!(
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{}\" fill-opacity=\"{:.2}\" stroke=\"{}\" stroke-width=\"0.8\"><title>{}</title></circle>\n",
                PALETTE[0],
                0.15 + 0.85 * r.1,
                PALETTE[0],
                escape(&format!("{name}: p = {}, {}", format::probability(r.1), with_unit(r.2)))
            ));
        }
        if summary.critical.iter().any(|cr| &cr.project == name) {
            let hover = format!(
                "{name}: p = {}, {}",
                format::probability(r.1),
                with_unit(r.2)
            );
            doc.marker_as("critical", Shape::Ring, (x, y), 10.0, style::INK, &hover);
        }
    }
    if let (Some(t), Some((set, _, _))) = (threshold, target) {
        let colour = style::palette::target_set(set);
        let set_meta = &s.target_sets[set];
        let who = lang.label(
            set_meta.meta.label.as_deref(),
            set_meta.meta.label_en.as_deref(),
            &set_meta.name,
        );
        doc.raw(&format!(
            "<line class=\"threshold\" data-set=\"{}\" x1=\"{:.3}\" y1=\"{:.3}\" x2=\"{:.3}\" y2=\"{:.3}\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"8 4\"/>\n",
            escape(&set_meta.name),
            sx.at(0.0),
            sy.at(t),
            sx.at(n),
            sy.at(t)
        ));
        // How far down the list the threshold lies, if all above start.
        let mut c = 0.0;
        let reach = rows.iter().position(|r| {
            c += r.2;
            c >= t
        });
        let note = match (reach, lang) {
            (Some(k), Lang::Zh) => format!(
                "{who} ≥ {}：前 {} 个最可能开工的项目即可达到（最后一个 p = {}）",
                with_unit(t),
                k + 1,
                format::probability(rows[k].1)
            ),
            (Some(k), Lang::En) => format!(
                "{who} ≥ {}: reached by the {} most likely projects (the last with p = {})",
                with_unit(t),
                k + 1,
                format::probability(rows[k].1)
            ),
            (None, Lang::Zh) => format!("{who} ≥ {}：超过整个清单", with_unit(t)),
            (None, Lang::En) => format!("{who} ≥ {}: more than the whole list", with_unit(t)),
        };
        doc.boxed(
            left + 8.0,
            sy.at(t) - 7.0,
            super::chart::svg::fit_size(&note, style::SMALL, doc.width - left - 16.0),
            Anchor::Start,
            colour,
            &note,
        );
    }
    Some(doc.finish())
}
