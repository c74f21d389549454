//! Tornado charts: for one indicator, how far it moves when each driver goes
//! from its 10th to its 90th percentile with the others at their medians
//! (see [`crate::sensitivity`]). Bars are sorted by the size of the swing;
//! the centre line is the indicator with every driver at its median.

use super::chart::svg::{PALETTE, header, text, text_width};
use super::format;
use crate::scenario::{Kind, Scenario};
use crate::sensitivity::{IndicatorSensitivity, Sensitivity};

const ROW: f64 = 26.0;

/// The panel body (without the `<svg>` wrapper) and its height.
fn panel(
    title: &str,
    kind: Kind,
    sens: &IndicatorSensitivity,
    driver_label: &dyn Fn(&str) -> String,
    width: f64,
) -> (String, f64) {
    let Some(centre) = sens.at_medians else {
        return (
            text(
                10.0,
                20.0,
                13.0,
                "start",
                &format!(
                    "{title}: no tornado (the indicator is not finite at the drivers' medians)"
                ),
            ),
            30.0,
        );
    };
    let mut rows: Vec<(String, f64, f64)> = sens
        .drivers
        .iter()
        .filter_map(|(name, d)| Some((driver_label(name), d.at_p10?, d.at_p90?)))
        .collect();
    rows.sort_by(|a, b| (b.2 - b.1).abs().total_cmp(&(a.2 - a.1).abs()));
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.0, 11.0))
        .fold(60.0, f64::max)
        .min(260.0)
        + 16.0;
    let (top, right) = (56.0, 70.0);
    // Room between the driver labels and the plot for the value at a bar's end.
    let left = label_w + 56.0;
    let plot_w = width - left - right;
    let (mut lo, mut hi) = (centre, centre);
    for r in &rows {
        lo = lo.min(r.1).min(r.2);
        hi = hi.max(r.1).max(r.2);
    }
    if hi - lo <= 0.0 {
        hi = lo + 1e-9_f64.max(lo.abs() * 1e-6);
    }
    let x = |v: f64| left + plot_w * (v - lo) / (hi - lo);
    let height = top + ROW * rows.len().max(1) as f64 + 30.0;
    let mut s = String::new();
    s.push_str(&text(10.0, 20.0, 14.0, "start", title));
    s.push_str(&format!(
        "<rect x=\"10\" y=\"30\" width=\"12\" height=\"12\" fill=\"{}\"/>\n",
        PALETTE[0]
    ));
    s.push_str(&text(
        26.0,
        40.0,
        11.0,
        "start",
        "driver at its 10th percentile",
    ));
    s.push_str(&format!(
        "<rect x=\"210\" y=\"30\" width=\"12\" height=\"12\" fill=\"{}\"/>\n",
        PALETTE[1]
    ));
    s.push_str(&text(
        226.0,
        40.0,
        11.0,
        "start",
        "driver at its 90th percentile",
    ));
    s.push_str(&text(
        width - 10.0,
        40.0,
        11.0,
        "end",
        &format!(
            "all drivers at their medians: {}",
            format::value(centre, kind)
        ),
    ));
    for (i, (label, a, b)) in rows.iter().enumerate() {
        let y = top + ROW * i as f64;
        s.push_str(&text(label_w, y + 16.0, 11.0, "end", label));
        for (v, colour) in [(*a, PALETTE[0]), (*b, PALETTE[1])] {
            let (x0, x1) = if v < centre {
                (x(v), x(centre))
            } else {
                (x(centre), x(v))
            };
            s.push_str(&format!(
                "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>\n",
                y + 4.0,
                (x1 - x0).max(0.5),
                ROW - 8.0
            ));
            let (tx, anchor) = if v < centre {
                (x(v) - 4.0, "end")
            } else {
                (x(v) + 4.0, "start")
            };
            s.push_str(&text(tx, y + 17.0, 10.0, anchor, &format::value(v, kind)));
        }
    }
    let xc = x(centre);
    s.push_str(&format!(
        "<line x1=\"{xc:.1}\" x2=\"{xc:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#333333\"/>\n",
        top - 4.0,
        top + ROW * rows.len() as f64 + 4.0
    ));
    (s, height)
}

fn driver_labeller(s: &Scenario) -> impl Fn(&str) -> String + '_ {
    move |name: &str| match s
        .drivers
        .iter()
        .find(|d| d.name == name)
        .and_then(|d| d.meta.label.as_deref())
    {
        Some(l) => format!("{name} {l}"),
        None => name.to_string(),
    }
}

fn indicator_title(s: &Scenario, name: &str) -> (String, Kind) {
    match s.indicators.iter().find(|i| i.name == name) {
        Some(i) => (
            match &i.meta.label {
                Some(l) => format!("{name} {l}"),
                None => name.to_string(),
            },
            i.meta.kind,
        ),
        None => (name.to_string(), Kind::Level),
    }
}

/// The tornado of one indicator as a whole SVG document, or `None` if the
/// indicator has no sensitivity entry.
pub fn svg(s: &Scenario, sens: &Sensitivity, indicator: &str) -> Option<String> {
    let is = sens.indicators.get(indicator)?;
    let (title, kind) = indicator_title(s, indicator);
    let width = 760.0;
    let (body, height) = panel(&title, kind, is, &driver_labeller(s), width);
    let mut out = header(width, height, &format!("tornado: {title}"));
    out.push_str(&body);
    out.push_str("</svg>\n");
    Some(out)
}

/// Every targeted indicator's tornado, stacked in one SVG document.
pub fn svg_all(s: &Scenario, sens: &Sensitivity) -> String {
    let width = 760.0;
    let labeller = driver_labeller(s);
    let mut body = String::new();
    let mut y = 0.0;
    for (name, is) in &sens.indicators {
        let (title, kind) = indicator_title(s, name);
        let (panel, h) = panel(&title, kind, is, &labeller, width);
        body.push_str(&format!(
            "<g transform=\"translate(0,{y:.1})\">\n{panel}</g>\n"
        ));
        y += h + 10.0;
    }
    let mut out = header(
        width,
        y.max(40.0),
        &format!("{}: one-at-a-time sensitivity (tornado)", s.title),
    );
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}
