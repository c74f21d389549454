//! The one SVG writer every chart uses: the document and its elements, the
//! one escaper of chart text, linear axes whose tick labels come from
//! [`super::tick`] (so a 12.5% gridline never reads 12%), and legends.
//!
//! Charts are hand-written SVG rather than drawn by a plotting crate: the
//! few elements they need are a line each here, every tick, marker and
//! label is placed exactly where the chart means it, and the PNG copy is
//! this same SVG rasterised by resvg ([`crate::render::raster`]) with the
//! one shipped font, so SVG and PNG cannot drift apart.

use super::style;
use std::fmt::Write;

/// Escape text for SVG content and attribute values, dropping what
/// [`crate::render::text::stripped`] names (control characters, which XML
/// 1.0 forbids and which would make the whole file unreadable).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(' '),
            c if crate::render::text::stripped(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Approximate width in SVG units of text at a font size (wide characters
/// count double), for layout. The shipped font's Latin glyphs are about
/// 0.55 em wide, its CJK glyphs 1 em.
pub fn text_width(s: &str, size: f64) -> f64 {
    use unicode_width::UnicodeWidthStr;
    UnicodeWidthStr::width(s) as f64 * size * 0.55
}

/// The font size, at most `size` and at least 10 units (in half units),
/// at which `s` takes no more than `room` (by [`text_width`]): a long line
/// is set smaller rather than run off the canvas.
pub fn fit_size(s: &str, size: f64, room: f64) -> f64 {
    let fitted = (size * room / text_width(s, size).max(1.0)).clamp(10.0_f64.min(size), size);
    (fitted * 2.0).floor() / 2.0
}

/// `s` broken into lines of at most `width` units at `size` (by
/// [`text_width`]): at spaces, or anywhere in a run without one (Chinese),
/// so a side column's text stays on the canvas.
pub fn wrap(s: &str, size: f64, width: f64) -> Vec<String> {
    let fits = |t: &str| text_width(t.trim_end(), size) <= width;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split_inclusive(' ') {
        if !line.is_empty() && !fits(&format!("{line}{word}")) {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        if fits(word) {
            line.push_str(word);
            continue;
        }
        // A run longer than a line: broken where it must be.
        for c in word.chars() {
            if !line.is_empty() && !fits(&format!("{line}{c}")) {
                lines.push(line.trim_end().to_string());
                line.clear();
            }
            line.push(c);
        }
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

#[cfg(test)]
mod wrap_tests {
    use super::*;

    #[test]
    fn lines_break_at_spaces_within_the_width_and_long_runs_anywhere() {
        let w = text_width("GDP growth of 8% or", 12.0);
        let lines = wrap("GDP growth of 8% or more in every year ≥ 8.0%", 12.0, w);
        assert_eq!(
            lines,
            ["GDP growth of 8% or", "more in every year", "≥ 8.0%"]
        );
        assert!(lines.iter().all(|l| text_width(l, 12.0) <= w));
        let cjk = wrap("五年规划目标二〇三〇年", 12.0, text_width("五年规划", 12.0));
        assert_eq!(cjk, ["五年规划", "目标二〇", "三〇年"]);
        assert_eq!(wrap("short", 12.0, 500.0), ["short"]);
    }
}

/// Okabe & Ito (2008), in their order, without black: series colours of
/// the charts that draw no target set (tornado, pipeline, sweep).
pub const PALETTE: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
];

/// The opening of an SVG document (see [`Doc::new`]), for charts that
/// write their markup as strings.
pub fn header(width: f64, height: f64, title: &str) -> String {
    let mut d = Doc::new(width, height, title);
    std::mem::take(&mut d.body)
}

/// A black `<text>` element with its baseline at `y`.
pub fn text(x: f64, y: f64, size: f64, anchor: &str, s: &str) -> String {
    format!(
        "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"{anchor}\">{}</text>\n",
        escape(s)
    )
}

/// Horizontal anchor of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn attr(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// An SVG document being written.
#[derive(Debug, Clone)]
pub struct Doc {
    pub width: f64,
    pub height: f64,
    body: String,
}

impl Doc {
    /// A white page of `width` by `height` units with a `<title>` (the
    /// hover text and the accessible name).
    pub fn new(width: f64, height: f64, title: &str) -> Doc {
        let mut body = String::new();
        let _ = write!(
            body,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"{}\" role=\"img\">\n<title>{}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>\n",
            super::FONT_FAMILY,
            escape(title)
        );
        Doc {
            width,
            height,
            body,
        }
    }

    /// Text with its baseline at `y`.
    pub fn text(&mut self, x: f64, y: f64, size: f64, anchor: Anchor, fill: &str, s: &str) {
        let _ = writeln!(
            self.body,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"{}\" fill=\"{fill}\">{}</text>",
            anchor.attr(),
            escape(s)
        );
    }

    /// A chart's title, at the top left in every chart.
    pub fn title(&mut self, s: &str) {
        self.bold(24.0, 32.0, style::TITLE, Anchor::Start, style::INK, s);
    }

    /// A chart's subtitle, under its title in every chart; a long one (an
    /// English target's wording) is set smaller, down to 10 units, rather
    /// than run off the canvas.
    pub fn subtitle(&mut self, s: &str) {
        let size = fit_size(s, style::SMALL, self.width - 24.0 - 8.0);
        self.text(24.0, 56.0, size, Anchor::Start, style::MUTED, s);
    }

    /// Bold text.
    pub fn bold(&mut self, x: f64, y: f64, size: f64, anchor: Anchor, fill: &str, s: &str) {
        let _ = writeln!(
            self.body,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" font-weight=\"bold\" text-anchor=\"{}\" fill=\"{fill}\">{}</text>",
            anchor.attr(),
            escape(s)
        );
    }

    /// Text with a white box behind it, so it stays legible over bars and
    /// lines.
    pub fn boxed(&mut self, x: f64, y: f64, size: f64, anchor: Anchor, fill: &str, s: &str) {
        let w = text_width(s, size);
        let x0 = match anchor {
            Anchor::Start => x,
            Anchor::Middle => x - w / 2.0,
            Anchor::End => x - w,
        };
        let _ = writeln!(
            self.body,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#FFFFFF\" fill-opacity=\"0.85\"/>",
            x0 - 3.0,
            y - size,
            w + 6.0,
            size * 1.3
        );
        self.text(x, y, size, anchor, fill, s);
    }

    /// Text turned a quarter left, centred on (x, y): a vertical axis title.
    pub fn vertical_text(&mut self, x: f64, y: f64, size: f64, fill: &str, s: &str) {
        let _ = writeln!(
            self.body,
            "<text transform=\"translate({x:.1},{y:.1}) rotate(-90)\" font-size=\"{size}\" text-anchor=\"middle\" fill=\"{fill}\">{}</text>",
            escape(s)
        );
    }

    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str, width: f64) {
        let _ = writeln!(
            self.body,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>"
        );
    }

    pub fn dashed(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str, width: f64) {
        let _ = writeln!(
            self.body,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{stroke}\" stroke-width=\"{width}\" stroke-dasharray=\"8 5\"/>"
        );
    }

    /// A filled rectangle; `hover`, when given, becomes its `<title>`.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, hover: Option<&str>) {
        self.rect_alpha(x, y, w, h, fill, 1.0, hover);
    }

    /// A rectangle filled with `fill` at `opacity`.
    #[allow(clippy::too_many_arguments)]
    pub fn rect_alpha(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: &str,
        opacity: f64,
        hover: Option<&str>,
    ) {
        let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
        let (y, h) = if h < 0.0 { (y + h, -h) } else { (y, h) };
        let op = if opacity < 1.0 {
            format!(" fill-opacity=\"{opacity}\"")
        } else {
            String::new()
        };
        match hover {
            Some(t) => {
                let _ = writeln!(
                    self.body,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{fill}\"{op}><title>{}</title></rect>",
                    escape(t)
                );
            }
            None => {
                let _ = writeln!(
                    self.body,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{fill}\"{op}/>"
                );
            }
        }
    }

    /// A closed polygon.
    pub fn polygon(&mut self, pts: &[(f64, f64)], fill: &str, stroke: Option<&str>) {
        let mut p = String::new();
        for (x, y) in pts {
            let _ = write!(p, "{x:.1},{y:.1} ");
        }
        let stroke = stroke
            .map(|s| format!(" stroke=\"{s}\" stroke-width=\"1.2\""))
            .unwrap_or_default();
        let _ = writeln!(
            self.body,
            "<polygon points=\"{}\" fill=\"{fill}\"{stroke}/>",
            p.trim_end()
        );
    }

    /// An open polyline.
    pub fn polyline(&mut self, pts: &[(f64, f64)], stroke: &str, width: f64) {
        let mut p = String::new();
        for (x, y) in pts {
            let _ = write!(p, "{x:.1},{y:.1} ");
        }
        let _ = writeln!(
            self.body,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width}\" stroke-linejoin=\"round\"/>",
            p.trim_end()
        );
    }

    pub fn circle(&mut self, (x, y): (f64, f64), r: f64, fill: &str, stroke: Option<&str>) {
        let stroke = stroke
            .map(|s| format!(" stroke=\"{s}\" stroke-width=\"1.5\""))
            .unwrap_or_default();
        let _ = writeln!(
            self.body,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\" fill=\"{fill}\"{stroke}/>"
        );
    }

    /// A marker of `shape` centred on (x, y), `r` units from centre to tip,
    /// with a hover title. The group is translated to the centre, so the
    /// marker's position can be read from its `transform`.
    pub fn marker(
        &mut self,
        shape: style::Shape,
        (x, y): (f64, f64),
        r: f64,
        fill: &str,
        hover: &str,
    ) {
        self.marker_as("", shape, (x, y), r, fill, hover);
    }

    /// [`Doc::marker`] with a `data-role` naming whose marker it is.
    #[allow(clippy::too_many_arguments)]
    pub fn marker_as(
        &mut self,
        role: &str,
        shape: style::Shape,
        (x, y): (f64, f64),
        r: f64,
        fill: &str,
        hover: &str,
    ) {
        let role = if role.is_empty() {
            String::new()
        } else {
            format!(" data-role=\"{}\"", escape(role))
        };
        let _ = write!(
            self.body,
            "<g class=\"marker\"{role} transform=\"translate({x:.3},{y:.3})\"><title>{}</title>",
            escape(hover)
        );
        let white = Some("#FFFFFF");
        match shape {
            style::Shape::Circle => self.circle((0.0, 0.0), r * 0.85, fill, white),
            style::Shape::Diamond => {
                self.polygon(&[(0.0, -r), (r, 0.0), (0.0, r), (-r, 0.0)], fill, white)
            }
            style::Shape::Triangle => {
                self.polygon(&[(0.0, -r), (r, 0.8 * r), (-r, 0.8 * r)], fill, white)
            }
            style::Shape::Square => {
                let s = r * 0.8;
                self.polygon(&[(-s, -s), (s, -s), (s, s), (-s, s)], fill, white)
            }
            style::Shape::Ring => {
                let _ = writeln!(
                    self.body,
                    "<circle cx=\"0\" cy=\"0\" r=\"{:.1}\" fill=\"#FFFFFF\" stroke=\"{fill}\" stroke-width=\"2.5\"/>",
                    r * 0.75
                );
            }
        }
        self.body.push_str("</g>\n");
    }

    /// Markup written as is (already escaped).
    pub fn raw(&mut self, s: &str) {
        self.body.push_str(s);
    }

    /// The finished document.
    pub fn finish(mut self) -> String {
        self.body.push_str("</svg>\n");
        self.body
    }
}

/// A linear scale from values to SVG units, and the ticks it shows.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Value range.
    pub lo: f64,
    pub hi: f64,
    /// Where `lo` and `hi` are drawn (`px1 < px0` for a vertical axis,
    /// which grows upwards).
    pub px0: f64,
    pub px1: f64,
}

impl Scale {
    pub fn new(lo: f64, hi: f64, px0: f64, px1: f64) -> Scale {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, lo + 0.5)
        };
        Scale { lo, hi, px0, px1 }
    }

    /// Where `v` is drawn.
    pub fn at(&self, v: f64) -> f64 {
        self.px0 + (v - self.lo) / (self.hi - self.lo) * (self.px1 - self.px0)
    }

    /// Tick values: the multiples of `step` inside the range.
    pub fn ticks(&self, step: f64) -> Vec<f64> {
        let first = (self.lo / step - 1e-9).ceil() as i64;
        let last = (self.hi / step + 1e-9).floor() as i64;
        (first..=last).map(|i| i as f64 * step).collect()
    }
}

/// How tick labels read: the value's kind (rates in percent) or a
/// probability in percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickKind {
    Value(crate::scenario::Kind),
    /// A probability or share 0–1 written in percent.
    Percent,
}

impl TickKind {
    /// The label of `v` at this step.
    pub fn label(self, v: f64, step: f64) -> String {
        match self {
            TickKind::Value(k) => super::tick(v, k, step),
            TickKind::Percent => super::tick(v, crate::scenario::Kind::Rate, step),
        }
    }

    /// Factor from a value to the number its label shows.
    fn factor(self) -> f64 {
        match self {
            TickKind::Value(crate::scenario::Kind::Rate) | TickKind::Percent => 100.0,
            TickKind::Value(_) => 1.0,
        }
    }
}

/// A horizontal axis along `y` with a gridline per tick from `y_top` down
/// to `y`, tick labels under it, and a title under those.
///
/// Each tick is a `<g class="tick">` holding its gridline and its label;
/// the axis group carries `data-scale` (the label numbers at the two ends
/// and where they are drawn) so a test can read every label back against
/// its gridline.
pub fn x_axis(
    doc: &mut Doc,
    s: &Scale,
    step: f64,
    kind: TickKind,
    y: f64,
    y_top: f64,
    title: &str,
) {
    let f = kind.factor();
    let _ = writeln!(
        doc.body,
        "<g class=\"axis\" data-axis=\"x\" data-scale=\"{} {} {:.3} {:.3}\">",
        s.lo * f,
        s.hi * f,
        s.px0,
        s.px1
    );
    for v in s.ticks(step) {
        let x = s.at(v);
        let _ = writeln!(
            doc.body,
            "<g class=\"tick\"><line x1=\"{x:.3}\" y1=\"{y_top:.1}\" x2=\"{x:.3}\" y2=\"{y:.1}\" stroke=\"{}\" stroke-width=\"1\"/><text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text></g>",
            style::GRID,
            y + style::TICK + 6.0,
            style::TICK,
            style::INK,
            escape(&kind.label(v, step))
        );
    }
    doc.body.push_str("</g>\n");
    doc.line(
        (s.px0.min(s.px1), y),
        (s.px0.max(s.px1), y),
        style::AXIS,
        1.2,
    );
    if !title.is_empty() {
        doc.text(
            (s.px0 + s.px1) / 2.0,
            y + 2.0 * style::TICK + 16.0,
            style::TEXT,
            Anchor::Middle,
            style::INK,
            title,
        );
    }
}

/// A vertical axis at `x` with a gridline per tick from `x` to `x_right`,
/// labels left of it, and a vertical title; see [`x_axis`] for the markup.
pub fn y_axis(
    doc: &mut Doc,
    s: &Scale,
    step: f64,
    kind: TickKind,
    x: f64,
    x_right: f64,
    title: &str,
) {
    let f = kind.factor();
    let _ = writeln!(
        doc.body,
        "<g class=\"axis\" data-axis=\"y\" data-scale=\"{} {} {:.3} {:.3}\">",
        s.lo * f,
        s.hi * f,
        s.px0,
        s.px1
    );
    let mut widest: f64 = 0.0;
    for v in s.ticks(step) {
        let y = s.at(v);
        let label = kind.label(v, step);
        widest = widest.max(text_width(&label, style::TICK));
        let _ = writeln!(
            doc.body,
            "<g class=\"tick\"><line x1=\"{x:.1}\" y1=\"{y:.3}\" x2=\"{x_right:.1}\" y2=\"{y:.3}\" stroke=\"{}\" stroke-width=\"1\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{}\" text-anchor=\"end\" fill=\"{}\">{}</text></g>",
            style::GRID,
            x - 6.0,
            y + style::TICK * 0.35,
            style::TICK,
            style::INK,
            escape(&label)
        );
    }
    doc.body.push_str("</g>\n");
    doc.line((x, s.px0), (x, s.px1), style::AXIS, 1.2);
    if !title.is_empty() {
        doc.vertical_text(
            x - widest - 18.0,
            (s.px0 + s.px1) / 2.0,
            style::TEXT,
            style::INK,
            title,
        );
    }
}

/// One legend entry.
pub enum Key {
    /// A filled swatch.
    Swatch(String),
    /// A line (dashed when true).
    Line(String, bool),
    /// A marker.
    Marker(style::Shape, String),
}

/// Legend entries in a row from (x, y), wrapping at `max_x`; returns the
/// y of the last row.
pub fn legend(doc: &mut Doc, x: f64, y: f64, max_x: f64, entries: &[(Key, String)]) -> f64 {
    let (mut lx, mut ly) = (x, y);
    let size = style::SMALL;
    for (key, label) in entries {
        let w = 26.0 + text_width(label, size) + 18.0;
        if lx + w > max_x && lx > x {
            lx = x;
            ly += size * 1.6;
        }
        let cy = ly - size * 0.35;
        match key {
            Key::Swatch(c) => doc.rect(lx, cy - 6.0, 18.0, 12.0, c, None),
            Key::Line(c, false) => doc.line((lx, cy), (lx + 18.0, cy), c, 3.0),
            Key::Line(c, true) => doc.dashed((lx, cy), (lx + 18.0, cy), c, 2.5),
            Key::Marker(shape, c) => doc.marker(*shape, (lx + 9.0, cy), 7.0, c, label),
        }
        doc.text(lx + 24.0, ly, size, Anchor::Start, style::INK, label);
        lx += w;
    }
    ly
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_control_characters_are_dropped() {
        assert_eq!(
            escape("a<b & \"c\" 'd'"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;"
        );
        assert_eq!(escape("x\u{0}\u{1b}[1my\u{7f}"), "x[1my");
        assert_eq!(escape("a\nb"), "a b");
        let mut d = Doc::new(100.0, 50.0, "t<1>\u{7}");
        d.text(1.0, 2.0, 10.0, Anchor::Start, style::INK, "</svg><script>");
        let s = d.finish();
        assert!(s.contains("<title>t&lt;1&gt;</title>"));
        assert!(s.contains("&lt;/svg&gt;&lt;script&gt;"));
        assert_eq!(s.matches("<svg").count(), 1);
        assert!(!s.contains('\u{7}'));
    }

    #[test]
    fn a_scale_maps_its_ends_and_ticks_are_the_multiples_inside() {
        let s = Scale::new(0.05, 0.2, 100.0, 500.0);
        assert!((s.at(0.05) - 100.0).abs() < 1e-9 && (s.at(0.2) - 500.0).abs() < 1e-9);
        let t = s.ticks(0.025);
        assert_eq!(t.len(), 7);
        assert!((t[0] - 0.05).abs() < 1e-12 && (t[6] - 0.2).abs() < 1e-12);
        assert_eq!(TickKind::Percent.label(0.125, 0.025), "12.5%");
    }
}
