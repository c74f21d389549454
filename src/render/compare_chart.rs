//! Charts of a comparison: each target's probability grouped by target set,
//! and, per target set, grouped by variant. Each function returns a whole SVG
//! document, for a file or for embedding in a report.

use super::chart::palette;
use super::svg_chart::{Series, grouped_bars};
use crate::compare::Comparison;

/// P(met) per targeted indicator, one bar per target set.
pub fn sets_svg(title: &str, c: &Comparison) -> String {
    let groups: Vec<String> = c.indicators.keys().cloned().collect();
    let series: Vec<Series> = c
        .sets
        .iter()
        .enumerate()
        .map(|(k, (name, set))| Series {
            colour: Some(palette::target_set_hex(k)),
            name: match &set.label {
                Some(l) => format!("{name} {l}"),
                None => name.clone(),
            },
            values: c
                .indicators
                .values()
                .map(|row| row.targets.get(name).map(|t| t.probability))
                .collect(),
        })
        .collect();
    grouped_bars(
        title,
        "probability that each target is met, by target set",
        &groups,
        &series,
    )
}

/// P(met) per target of one set, one bar for the base and one per variant.
/// `None` when the set does not exist.
pub fn variants_svg(title: &str, c: &Comparison, set: &str) -> Option<String> {
    let k = c.sets.get_index_of(set)?;
    let groups: Vec<String> = c
        .indicators
        .iter()
        .filter(|(_, row)| row.targets.contains_key(set))
        .map(|(k, _)| k.clone())
        .collect();
    // The base in the set's own colour; variants in the palette's others.
    let mut series = vec![Series {
        colour: Some(palette::target_set_hex(k)),
        name: "base".into(),
        values: groups
            .iter()
            .map(|g| c.indicators[g].targets.get(set).map(|t| t.probability))
            .collect(),
    }];
    for (name, v) in &c.variants {
        series.push(Series {
            colour: None,
            name: match &v.label {
                Some(l) => format!("{name} {l}"),
                None => name.clone(),
            },
            values: groups
                .iter()
                .map(|g| {
                    v.sets
                        .get(set)
                        .and_then(|s| s.targets.get(g))
                        .map(|t| t.probability)
                })
                .collect(),
        });
    }
    Some(grouped_bars(
        title,
        &format!(
            "probability that each target of set {set} is met, base and variants (same draws)"
        ),
        &groups,
        &series,
    ))
}
