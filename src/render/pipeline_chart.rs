//! `pipeline.svg`: the key-project list against the threshold its sum must
//! reach. Projects are ordered by their probability of starting, most
//! likely first; the chart climbs by each project's amount (or by one, for
//! a count) so it shows how far down the list the threshold lies, and the
//! dashed line below it adds up probability times amount, the sum to expect.
//! Each project is a dot at its cumulative height, coloured by probability
//! (dark: likely); critical projects are circled in red.
//!
//! The threshold is that of the first target on an aggregate indicator
//! (`pipeline = "amount"` or `"count"`); the chart covers that aggregate's
//! projects. Hand-written SVG like the tornado, so the PNG comes from the
//! same bytes (see [`super::raster`]).

use super::chart::svg::{PALETTE, header, text};
use super::format;
use crate::scenario::pipeline::{Aggregate, Measure};
use crate::scenario::{Rule, Scenario};
use crate::summary::pipeline::PipelineSummary;

/// File name inside the output directory (with `.png` beside it).
pub const STEM: &str = "pipeline";
const WIDTH: f64 = 820.0;
const HEIGHT: f64 = 440.0;
/// Dots are drawn only up to this many projects; beyond, the lines alone.
const MAX_DOTS: usize = 400;

/// The chart, or `None` without a pipeline section.
pub fn svg(s: &Scenario, summary: &PipelineSummary) -> Option<String> {
    let pl = s.pipeline.as_ref()?;
    // The first target on an aggregate itself gives the threshold.
    let target: Option<(&Aggregate, f64)> = s
        .target_sets
        .iter()
        .flat_map(|set| &set.targets)
        .find_map(|t| {
            let a = pl.aggregates.iter().find(|a| a.indicator == t.indicator)?;
            let x = match t.rule {
                Rule::AtLeast { threshold } => threshold,
                Rule::Range { low, .. } => low,
                Rule::About { value, tolerance } => value - tolerance,
                Rule::AtMost { .. } => return None,
            };
            Some((a, x))
        });
    let agg = target.map(|t| t.0);
    let by_amount = agg.is_none_or(|a| a.measure == Measure::Amount);
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
    let threshold = target.map(|t| t.1);
    let top = threshold.unwrap_or(0.0).max(total).max(1e-9) * 1.05;
    let (left, right, up, down) = (70.0, 30.0, 64.0, 56.0);
    let (pw, ph) = (WIDTH - left - right, HEIGHT - up - down);
    let n = rows.len().max(1) as f64;
    let x = |k: f64| left + pw * k / n;
    let y = |v: f64| up + ph * (1.0 - v / top);
    let what = if by_amount { "amount" } else { "projects" };
    let title = format!(
        "Pipeline: {} projects by probability, cumulative {what}",
        rows.len()
    );
    let mut out = header(WIDTH, HEIGHT, &title);
    out.push_str(&text(left, 24.0, 15.0, "start", &title));
    out.push_str(&text(
        left,
        44.0,
        11.0,
        "start",
        &format!(
            "all start: {} · expected ({}): {}{}",
            format::level(total),
            if by_amount {
                "sum of p × amount"
            } else {
                "sum of p"
            },
            format::level(expected),
            threshold.map_or(String::new(), |t| format!(
                " · target: at least {}",
                format::level(t)
            ))
        ),
    ));
    // Axes and a few gridlines.
    for k in 0..=4 {
        let v = top / 1.05 * k as f64 / 4.0;
        out.push_str(&format!(
            "<line x1=\"{left:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>\n",
            left + pw,
            y(v),
            y(v)
        ));
        out.push_str(&text(
            left - 6.0,
            y(v) + 4.0,
            10.0,
            "end",
            &format::level(v),
        ));
    }
    out.push_str(&format!(
        "<line x1=\"{left:.1}\" x2=\"{left:.1}\" y1=\"{up:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>\n<line x1=\"{left:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>\n",
        up + ph,
        left + pw,
        up + ph,
        up + ph
    ));
    // The probability at a few positions along the list.
    for k in 0..=4 {
        let idx = ((rows.len().saturating_sub(1)) * k) / 4;
        if let Some(r) = rows.get(idx) {
            let xx = x(idx as f64 + 0.5);
            out.push_str(&text(
                xx,
                up + ph + 16.0,
                10.0,
                "middle",
                &format!("#{} p={}", idx + 1, format::probability(r.1)),
            ));
        }
    }
    out.push_str(&text(
        left + pw / 2.0,
        HEIGHT - 12.0,
        11.0,
        "middle",
        "projects, most likely to start first",
    ));
    // Cumulative amount if all start, and the expected one.
    let mut all = format!("M{:.1},{:.1}", x(0.0), y(0.0));
    let mut exp = all.clone();
    let (mut c, mut e) = (0.0, 0.0);
    for (k, r) in rows.iter().enumerate() {
        c += r.2;
        e += r.1 * r.2;
        all.push_str(&format!(" L{:.1},{:.1}", x(k as f64 + 1.0), y(c)));
        exp.push_str(&format!(" L{:.1},{:.1}", x(k as f64 + 1.0), y(e)));
    }
    out.push_str(&format!(
        "<path d=\"{all}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n<path d=\"{exp}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n",
        PALETTE[0], PALETTE[1]
    ));
    if rows.len() <= MAX_DOTS {
        let critical: Vec<&str> = summary
            .critical
            .iter()
            .map(|c| c.project.as_str())
            .collect();
        let mut c = 0.0;
        for (k, r) in rows.iter().enumerate() {
            c += r.2;
            // Darker for likelier projects.
            let shade = (200.0 * (1.0 - r.1)) as u8;
            let name = &pl.projects[r.0].name;
            out.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"rgb({shade},{shade},{})\"><title>{}</title></circle>\n",
                x(k as f64 + 1.0),
                y(c),
                shade.saturating_add(55),
                super::chart::svg::escape(&format!("{name}: p = {}, {what} {}", format::probability(r.1), format::level(r.2)))
            ));
            if critical.contains(&name.as_str()) {
                out.push_str(&format!(
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"6.5\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\"/>\n",
                    x(k as f64 + 1.0),
                    y(c)
                ));
            }
        }
    }
    if let Some(t) = threshold {
        out.push_str(&format!(
            "<line x1=\"{left:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#c0392b\" stroke-width=\"1.5\" stroke-dasharray=\"8 4\"/>\n",
            left + pw,
            y(t),
            y(t)
        ));
        // How far down the list the threshold lies, if all above start.
        let mut c = 0.0;
        let reach = rows.iter().position(|r| {
            c += r.2;
            c >= t
        });
        let note = match reach {
            Some(k) => format!(
                "target {}: reached by the {} most likely projects (the last with p = {})",
                format::level(t),
                k + 1,
                format::probability(rows[k].1)
            ),
            None => format!("target {}: more than the whole list", format::level(t)),
        };
        out.push_str(&text(left + 6.0, y(t) - 6.0, 11.0, "start", &note));
    }
    out.push_str(&text(
        left + pw,
        y(total) - 6.0,
        10.0,
        "end",
        "solid: if all start · dashed: expected",
    ));
    out.push_str("</svg>\n");
    Some(out)
}
