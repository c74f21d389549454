//! Small SVG building blocks shared by the tornado and comparison charts:
//! escaping, the Okabe–Ito colour-blind-safe palette, and a grouped bar
//! chart of probabilities on a percent axis. Text is real SVG text (no
//! embedded fonts), so labels stay searchable and copyable; Chinese labels
//! render with whatever CJK font the viewer has.

/// Okabe & Ito (2008), in their order, without black.
pub const PALETTE: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
];
pub const FONT: &str = "font-family=\"'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif\"";

/// Escape text for SVG content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Approximate display width in pixels of text at a font size (wide
/// characters count double), for layout.
pub fn text_width(s: &str, size: f64) -> f64 {
    use unicode_width::UnicodeWidthStr;
    UnicodeWidthStr::width(s) as f64 * size * 0.55
}

pub fn header(width: f64, height: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" {FONT}>\n<title>{}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        escape(title)
    )
}

pub fn text(x: f64, y: f64, size: f64, anchor: &str, s: &str) -> String {
    format!(
        "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"{anchor}\">{}</text>\n",
        escape(s)
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_labels_is_escaped() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        let svg = grouped_bars(
            "t<1>",
            "",
            &["g&1".into()],
            &[Series {
                name: "区草案".into(),
                values: vec![Some(0.5)],
                colour: None,
            }],
        );
        assert!(svg.contains("t&lt;1&gt;"));
        assert!(svg.contains("g&amp;1"));
        assert!(svg.contains("区草案"));
        assert!(!svg.contains("t<1>"));
    }
}
