//! The report's "What decides a miss" section: for every targeted indicator
//! its top drivers (rank correlation, the tornado's swing, where the driver
//! sits in the draws that miss each target), and the tornado charts of the
//! indicators that depend on more than one driver. Definitions are those of
//! [`crate::sensitivity`].

use super::format;
use super::html::{Section, escape, label_cell};
use super::table::thousands;
use crate::scenario::{Kind, Scenario};
use crate::sensitivity::Sensitivity;

/// Section id, for [`super::html::Report::insert_before`].
pub const ID: &str = "sensitivity";
/// Drivers listed per indicator in the table (all are in `summary.json`).
pub const TOP: usize = 3;

/// The section, or `None` when no indicator was analysed.
pub fn section(s: &Scenario, sens: &Sensitivity) -> Option<Section> {
    if sens.indicators.is_empty() {
        return None;
    }
    // One column per target set that has a target on some analysed indicator.
    let sets: Vec<&str> = s
        .target_sets
        .iter()
        .map(|t| t.name.as_str())
        .filter(|name| {
            sens.indicators
                .values()
                .any(|i| i.misses.contains_key(*name))
        })
        .collect();
    let mut out = String::new();
    out.push_str(&format!(
        "<p>Which assumptions decide whether a target is met, from the run's first {} draws. \
         <strong>Rank correlation</strong>: Spearman's, between the driver and the indicator (±1: the indicator moves with the driver alone). \
         <strong>p10 → p90</strong>: the indicator when this driver moves from its 10th to its 90th percentile and every other driver stays at its median (the tornado below). \
         <strong>Percentile in the misses</strong>: the driver's average percentile in the draws that miss the set's target: p50 means the misses look like all draws, p20 that targets are missed when this driver is low.</p>\n",
        thousands(sens.draws)
    ));
    out.push_str("<table><thead><tr><th>driver</th><th class=\"num\">rank correlation</th><th class=\"num\">p10 → p90</th>");
    for set in &sets {
        out.push_str(&format!(
            "<th class=\"num\">misses of <code>{}</code>:<br>percentile</th>",
            escape(set)
        ));
    }
    out.push_str("</tr></thead>\n");
    for (name, ind) in &sens.indicators {
        let meta = s
            .indicators
            .iter()
            .find(|i| &i.name == name)
            .map(|i| &i.meta);
        let kind = meta.map_or(Kind::Level, |m| m.kind);
        let more = ind.drivers.len().saturating_sub(TOP);
        // A group per indicator: its name, then how often each set's
        // target on it is missed, then its top drivers.
        out.push_str(&format!(
            "<tbody class=\"keep\"><tr class=\"group\"><td colspan=\"3\">{}{}</td>",
            label_cell(
                name,
                meta.and_then(|m| m.label.as_deref()),
                meta.and_then(|m| m.label_en.as_deref())
            ),
            if more > 0 {
                format!(
                    " <span class=\"note\">({more} more driver{} in summary.json)</span>",
                    if more == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            }
        ));
        for set in &sets {
            let cell = ind.misses.get(*set).map_or_else(String::new, |m| {
                format!("missed in {}", format::probability(m.miss_rate))
            });
            out.push_str(&format!("<td class=\"num\">{cell}</td>"));
        }
        out.push_str("</tr>\n");
        if ind.drivers.is_empty() {
            out.push_str(&format!(
                "<tr><td colspan=\"{}\">no uncertain driver</td></tr>\n",
                3 + sets.len()
            ));
        }
        for (driver, d) in ind.drivers.iter().take(TOP) {
            let dmeta = s
                .drivers
                .iter()
                .find(|x| &x.name == driver)
                .map(|x| &x.meta);
            let tornado = match (d.at_p10, d.at_p90) {
                (Some(a), Some(b)) => {
                    format!("{} → {}", format::value(a, kind), format::value(b, kind))
                }
                _ => "–".to_string(),
            };
            out.push_str(&format!(
                "<tr><td class=\"driver\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                label_cell(
                    driver,
                    dmeta.and_then(|m| m.label.as_deref()),
                    Some(driver.as_str())
                ),
                d.rank_correlation
                    .map_or_else(|| "–".to_string(), |r| format!("{r:+.2}")),
                tornado,
            ));
            for set in &sets {
                let cell = ind
                    .misses
                    .get(*set)
                    .and_then(|m| m.drivers.get(driver))
                    .and_then(|x| x.percentile_in_misses)
                    .map_or_else(String::new, |p| format!("p{:.0}", p * 100.0));
                out.push_str(&format!("<td class=\"num\">{cell}</td>"));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n");

    // Tornado charts where there is more than one bar to compare.
    let multi: Vec<&String> = sens
        .indicators
        .iter()
        .filter(|(_, i)| i.drivers.len() > 1)
        .map(|(n, _)| n)
        .collect();
    if !multi.is_empty() {
        out.push_str("<h3>One assumption at a time</h3>\n<p class=\"note\">Each bar: the indicator when one driver moves to its 10th (blue) or 90th (orange) percentile, every other driver at its median; the line is the indicator with all drivers at their medians. Correlations are ignored on purpose, to show each assumption alone. Indicators that depend on one driver only are in the table above; every panel is in <code>tornado.svg</code> and <code>tornado.png</code>.</p>\n");
        for name in multi {
            if let Some(svg) = super::tornado::svg(s, sens, name) {
                out.push_str(&format!(
                    "<figure id=\"tornado-{}\" class=\"tornado\">\n{}<figcaption>What moves <code>{}</code> most — one panel of <code>tornado.svg</code></figcaption>\n</figure>\n",
                    escape(name),
                    svg,
                    escape(name),
                ));
            }
        }
    }
    Some(Section::new(ID, "What decides a miss", out))
}
