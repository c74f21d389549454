//! Charts of a comparison: each target's probability grouped by target set,
//! and, per target set, grouped by variant. Each function returns a whole SVG
//! document, for a file or for embedding in a report.

use super::chart::palette;
use super::chart::svg::{PALETTE, escape, header, text, text_width};
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

/// One series of a grouped bar chart: a name and one probability per group
/// (`None` where the series has no bar in that group).
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
    /// Its colour (`#rrggbb`): a target set's own; `None` takes the
    /// palette's `i`-th.
    pub colour: Option<String>,
}

impl Series {
    fn colour(&self, i: usize) -> String {
        self.colour
            .clone()
            .unwrap_or_else(|| PALETTE[i % PALETTE.len()].to_string())
    }
}

/// Probabilities per group, one bar per series, on a 0–100% axis.
pub fn grouped_bars(title: &str, subtitle: &str, groups: &[String], series: &[Series]) -> String {
    let k = series.len().max(1) as f64;
    let bar = 16.0;
    let group_w = (k * bar + 18.0).max(56.0);
    let label_room = groups
        .iter()
        .map(|g| text_width(g, 11.0))
        .fold(40.0, f64::max)
        .min(220.0)
        * 0.75;
    let (left, right, top) = (56.0, 20.0, 84.0);
    let bottom = label_room + 24.0;
    let plot_h = 260.0;
    let width = (left + right + group_w * groups.len() as f64).max(520.0);
    let height = top + plot_h + bottom;
    let y = |p: f64| top + plot_h * (1.0 - p.clamp(0.0, 1.0));
    let mut s = header(width, height, title);
    s.push_str(&text(left, 22.0, 15.0, "start", title));
    s.push_str(&text(left, 40.0, 11.0, "start", subtitle));
    // Legend.
    let mut lx = left;
    for (i, se) in series.iter().enumerate() {
        let c = se.colour(i);
        s.push_str(&format!(
            "<rect x=\"{lx:.1}\" y=\"52\" width=\"12\" height=\"12\" fill=\"{c}\"/>\n"
        ));
        s.push_str(&text(lx + 16.0, 62.0, 11.0, "start", &se.name));
        lx += 16.0 + text_width(&se.name, 11.0) + 18.0;
    }
    // Axis and grid.
    for t in 0..=5 {
        let p = t as f64 / 5.0;
        let yy = y(p);
        s.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#dddddd\"/>\n",
            width - right
        ));
        s.push_str(&text(
            left - 6.0,
            yy + 4.0,
            11.0,
            "end",
            &format!("{:.0}%", p * 100.0),
        ));
    }
    s.push_str(&format!(
        "<text transform=\"translate(14,{:.1}) rotate(-90)\" font-size=\"11\" text-anchor=\"middle\">P(met)</text>\n",
        top + plot_h / 2.0
    ));
    for (g, name) in groups.iter().enumerate() {
        let gx = left + group_w * g as f64;
        let present: Vec<usize> = (0..series.len())
            .filter(|&i| series[i].values.get(g).copied().flatten().is_some())
            .collect();
        let start = gx + (group_w - present.len() as f64 * bar) / 2.0;
        for (slot, &i) in present.iter().enumerate() {
            let Some(p) = series[i].values[g] else {
                continue;
            };
            let x = start + slot as f64 * bar;
            let c = series[i].colour(i);
            s.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{c}\"><title>{}: {:.1}%</title></rect>\n",
                y(p),
                bar - 2.0,
                (top + plot_h - y(p)).max(0.0),
                escape(&format!("{} {}", name, series[i].name)),
                p * 100.0
            ));
        }
        let lx = gx + group_w / 2.0;
        let ly = top + plot_h + 14.0;
        s.push_str(&format!(
            "<text transform=\"translate({lx:.1},{ly:.1}) rotate(-35)\" font-size=\"11\" text-anchor=\"end\">{}</text>\n",
            escape(name)
        ));
    }
    s.push_str(&format!(
        "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#333333\"/>\n",
        width - right,
        top + plot_h,
        top + plot_h
    ));
    s.push_str("</svg>\n");
    s
}
