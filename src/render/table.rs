//! The table `run` prints: each indicator's median and 10–90% range, then
//! each target set with every target's probability and the joint one.
//! Columns are aligned by display width, so Chinese labels line up.

use super::format;
use crate::scenario::{Kind, Scenario};
use crate::summary::Summary;
use unicode_width::UnicodeWidthStr;

/// Pad to a display width (wide characters count two).
pub fn pad(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    if w >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - w))
    }
}

pub fn pad_left(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    if w >= width {
        s.to_string()
    } else {
        format!("{}{s}", " ".repeat(width - w))
    }
}

/// Cut to a display width, marking the cut.
fn clip(s: &str, width: usize) -> String {
    if UnicodeWidthStr::width(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        let next = format!("{out}{c}");
        if UnicodeWidthStr::width(next.as_str()) + 1 > width {
            break;
        }
        out = next;
    }
    out.push('…');
    out
}

pub fn render(scenario: &Scenario, summary: &Summary) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{}\n{} draws, seed {}, scenario {} ({})\n\n",
        scenario.title,
        thousands(summary.draws),
        summary.seed,
        scenario.name,
        &summary.scenario.hash[..summary.scenario.hash.len().min(19)]
    ));
    let kind_of = |name: &str| summary.indicators.get(name).map_or(Kind::Level, |i| i.kind);
    let name_w = summary
        .indicators
        .keys()
        .map(|k| k.len())
        .max()
        .unwrap_or(9)
        .max(9);
    out.push_str(&format!(
        "{}  {}  {}  {}\n",
        pad("indicator", name_w),
        pad("label", 26),
        pad_left("median", 9),
        pad_left("10% – 90%", 21)
    ));
    for (name, ind) in &summary.indicators {
        let label = ind
            .label
            .clone()
            .or_else(|| ind.label_en.clone())
            .unwrap_or_default();
        let unit = if ind.kind == Kind::Level {
            ind.unit.clone().unwrap_or_default()
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{}  {}  {}  {}  {}\n",
            pad(name, name_w),
            pad(&clip(&label, 26), 26),
            pad_left(&format::value(ind.quantiles.p50, ind.kind), 9),
            pad_left(
                &format!(
                    "{} – {}",
                    format::value(ind.quantiles.p10, ind.kind),
                    format::value(ind.quantiles.p90, ind.kind)
                ),
                21
            ),
            unit
        ));
    }
    for (set_name, set) in &summary.target_sets {
        let label = match (&set.label, &set.label_en) {
            (Some(a), Some(b)) => format!("  {a} {b}"),
            (Some(a), None) | (None, Some(a)) => format!("  {a}"),
            _ => String::new(),
        };
        out.push_str(&format!("\ntarget set {set_name}{label}\n"));
        out.push_str(&format!(
            "  {}  {}  {}\n",
            pad("target", name_w),
            pad("rule", 18),
            pad_left("P(met) (se, points)", 22)
        ));
        for (ind, t) in &set.targets {
            let kind = kind_of(ind);
            let rule = t.rule.describe(|x| format::threshold(x, kind));
            let wording = t
                .wording
                .as_deref()
                .map(|w| format!("  {w}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {}  {}  {}{wording}\n",
                pad(ind, name_w),
                pad(&rule, 18),
                pad_left(
                    &format!(
                        "{} (se {:.2})",
                        format::probability(t.probability),
                        t.se * 100.0
                    ),
                    22
                ),
            ));
        }
        out.push_str(&format!(
            "  {}  {}  {}   (if independent: {})\n",
            pad(&format!("all {} together", set.targets.len()), name_w),
            pad("", 18),
            pad_left(
                &format!(
                    "{} (se {:.2})",
                    format::probability(set.joint_probability),
                    set.joint_se * 100.0
                ),
                22
            ),
            format::probability(set.independent_product),
        ));
    }
    // Rows without a unit end in padding; trim it.
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// 1000000 -> 1,000,000
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_twice_when_padding() {
        assert_eq!(pad("增速", 6), "增速  ");
        assert_eq!(pad_left("9%", 4), "  9%");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }
}
