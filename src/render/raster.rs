//! PNG copies of the charts: every chart is hand-written SVG
//! ([`super::chart::svg`]), rasterised here by `resvg` (a pure-Rust
//! renderer), with text drawn in the font shipped in `assets/fonts/` and no
//! other: system fonts are never looked up, so a PNG is the same on every
//! machine and Chinese labels render on a machine with no fonts installed.
//! Every family the SVG names that is not the shipped font falls back to it.
//!
//! PNGs are drawn at [`SCALE`] times the SVG's size: the 800-unit-wide
//! charts become 1200 pixels wide, readable at half an A4 page. They are
//! compressed quickly (fast deflate after the Paeth filter) rather than
//! small: a run's time matters more than a few hundred kilobytes.

use resvg::tiny_skia::{FillRule, Paint, PixmapMut, Transform};
use resvg::usvg;
use std::sync::{Arc, OnceLock};

/// Pixels per SVG unit.
pub const SCALE: f32 = 1.5;

thread_local! {
    /// The pixels (RGBA, then RGB) of the chart being drawn on this
    /// thread, kept for the next.
    static PAGE: std::cell::RefCell<(Vec<u8>, Vec<u8>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// The family name inside the shipped font file.
const FAMILY: &str = "WenQuanYi Micro Hei";

/// An SVG that could not be rasterised (a bug rather than bad input: the
/// SVG is written by this program and scenario text in it is escaped).
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot draw the PNG copy of a chart: {0}")]
pub struct RasterError(pub String);

fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(super::chart::FONT_BYTES.to_vec());
        for set in [
            usvg::fontdb::Database::set_sans_serif_family,
            usvg::fontdb::Database::set_serif_family,
            usvg::fontdb::Database::set_monospace_family,
        ] {
            set(&mut db, FAMILY);
        }
        Arc::new(db)
    })
    .clone()
}

/// The SVG drawn as a PNG (RGB, white background) at [`SCALE`] times its
/// size (rounded to whole pixels).
pub fn png(svg: &str) -> Result<Vec<u8>, RasterError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| RasterError(format!("{what}: {e}"));
    let opts = usvg::Options {
        font_family: FAMILY.to_string(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opts).map_err(|e| fail("SVG", &e))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(SCALE)
        .ok_or_else(|| RasterError("the chart has no size".into()))?;
    let (w, h) = (size.width(), size.height());
    PAGE.with_borrow_mut(|(page, rgb)| {
        // White, premultiplied: every byte 255, written over the page the
        // last chart on this thread left (a fresh pixmap each time cost a
        // page fault per 4 KiB, the zeroing, then this fill).
        page.clear();
        page.resize(w as usize * h as usize * 4, 255);
        let mut pixmap = resvg::tiny_skia::PixmapMut::from_bytes(page, w, h)
            .ok_or_else(|| RasterError(format!("no {w} x {h} image")))?;
        let scale = resvg::tiny_skia::Transform::from_scale(SCALE, SCALE);
        draw(tree.root(), scale, &mut pixmap);
        // Opaque after the white fill, so dropping alpha loses nothing.
        rgb.resize(w as usize * h as usize * 3, 0);
        for (o, &[r, g, b, _]) in rgb
            .as_chunks_mut::<3>()
            .0
            .iter_mut()
            .zip(page.as_chunks::<4>().0)
        {
            *o = [r, g, b];
        }
        let mut out = Vec::new();
        let mut enc = ::png::Encoder::new(&mut out, w, h);
        enc.set_color(::png::ColorType::Rgb);
        enc.set_depth(::png::BitDepth::Eight);
        enc.set_compression(::png::Compression::Fast);
        enc.set_filter(::png::FilterType::Paeth);
        let mut writer = enc.write_header().map_err(|e| fail("PNG", &e))?;
        writer.write_image_data(rgb).map_err(|e| fail("PNG", &e))?;
        writer.finish().map_err(|e| fail("PNG", &e))?;
        Ok(out)
    })
}

/// Draw a group's children in order as `resvg::render` does (the same
/// calls to tiny-skia for every path in a solid colour, and resvg itself for
/// anything else), but for the charts' most common shape: an axis-aligned
/// rectangle in one solid colour (a `<rect>` fill: bars, bands, swatches; a
/// horizontal or vertical `<line>` stroke: gridlines, axes). resvg fills
/// those as paths, anti-aliased by 4x supersampling with a run-length
/// buffer per sub-scanline, about a third of a chart's drawing; tiny-skia's
/// own rectangle fill computes the edge pixels' coverage directly and fills
/// the inside in rows. Edge pixels' shades may differ by a few levels; the
/// picture is the same.
fn draw(group: &usvg::Group, ts: Transform, pixmap: &mut PixmapMut) {
    for node in group.children() {
        match node {
            usvg::Node::Group(g) if !g.should_isolate() => {
                draw(g, ts.pre_concat(g.transform()), pixmap);
            }
            // resvg draws a text as its glyphs' group.
            usvg::Node::Text(t) if !t.flattened().should_isolate() => {
                let g = t.flattened();
                draw(g, ts.pre_concat(g.transform()), pixmap);
            }
            usvg::Node::Path(p) if fill_as_rect(p, ts, pixmap) || paint(p, ts, pixmap) => {}
            _ => {
                // resvg draws one node as if into a pixmap of its own,
                // offset by its bounding box: undo the offset.
                if let Some(b) = node.abs_layer_bounding_box() {
                    let _ = resvg::render_node(node, ts.pre_translate(b.x(), b.y()), pixmap);
                }
            }
        }
    }
}

/// A solid colour as a tiny-skia paint (as resvg makes it).
fn solid(ink: &usvg::Paint, opacity: usvg::Opacity, p: &usvg::Path) -> Option<Paint<'static>> {
    let usvg::Paint::Color(c) = ink else {
        return None;
    };
    let mut paint = Paint::default();
    paint.set_color_rgba8(c.red, c.green, c.blue, opacity.to_u8());
    paint.anti_alias = p.rendering_mode().use_shape_antialiasing();
    Some(paint)
}

/// Fill and stroke `p` in solid colours exactly as resvg does; false (and
/// nothing drawn) for any other paint.
fn paint(p: &usvg::Path, ts: Transform, pixmap: &mut PixmapMut) -> bool {
    let fill = match p.fill() {
        Some(f) => match solid(f.paint(), f.opacity(), p) {
            Some(paint) => Some((paint, f.rule())),
            None => return false,
        },
        None => None,
    };
    let stroke = match p.stroke() {
        Some(s) => match solid(s.paint(), s.opacity(), p) {
            Some(paint) => Some((paint, s.to_tiny_skia())),
            None => return false,
        },
        None => None,
    };
    if !p.is_visible() {
        return true;
    }
    let data = p.data();
    let do_fill = |pixmap: &mut PixmapMut| {
        // resvg: horizontal and vertical lines cannot be filled.
        if let Some((paint, rule)) = &fill
            && data.bounds().width() != 0.0
            && data.bounds().height() != 0.0
        {
            let rule = match rule {
                usvg::FillRule::NonZero => FillRule::Winding,
                usvg::FillRule::EvenOdd => FillRule::EvenOdd,
            };
            pixmap.fill_path(data, paint, rule, ts, None);
        }
    };
    let do_stroke = |pixmap: &mut PixmapMut| {
        if let Some((paint, stroke)) = &stroke {
            pixmap.stroke_path(data, paint, stroke, ts, None);
        }
    };
    if p.paint_order() == usvg::PaintOrder::FillAndStroke {
        do_fill(pixmap);
        do_stroke(pixmap);
    } else {
        do_stroke(pixmap);
        do_fill(pixmap);
    }
    true
}

/// Fill `p` as a rectangle when it is one (see [`draw`]): true if drawn.
fn fill_as_rect(p: &usvg::Path, ts: Transform, pixmap: &mut PixmapMut) -> bool {
    use resvg::tiny_skia::Rect;
    use usvg::tiny_skia_path::PathVerb;
    if !p.is_visible() || !ts.is_scale_translate() || ts.sx <= 0.0 || ts.sy <= 0.0 {
        return false;
    }
    let (data, b) = (p.data(), p.data().bounds());
    let flat = b.width() == 0.0 || b.height() == 0.0;
    let (rect, paint) = match (p.fill(), p.stroke()) {
        // A closed four-corner path on its bounding box.
        (Some(fill), None) if !flat => {
            let corners = data.points().iter().all(|q| {
                (q.x == b.left() || q.x == b.right()) && (q.y == b.top() || q.y == b.bottom())
            });
            let verbs = [
                PathVerb::Move,
                PathVerb::Line,
                PathVerb::Line,
                PathVerb::Line,
                PathVerb::Close,
            ];
            if data.verbs() != verbs || !corners {
                return false;
            }
            (Some(b), solid(fill.paint(), fill.opacity(), p))
        }
        // A horizontal or vertical segment with butt ends (its fill, if
        // any, is not drawn: a line has no inside).
        (_, Some(stroke)) if flat => {
            let (q, w) = (data.points(), stroke.width().get() / 2.0);
            if data.verbs() != [PathVerb::Move, PathVerb::Line]
                || stroke.dasharray().is_some()
                || stroke.linecap() != usvg::LineCap::Butt
            {
                return false;
            }
            let (a, z) = (q[0], q[1]);
            let r = if a.y == z.y {
                Rect::from_ltrb(b.left(), a.y - w, b.right(), a.y + w)
            } else {
                Rect::from_ltrb(a.x - w, b.top(), a.x + w, b.bottom())
            };
            (r, solid(stroke.paint(), stroke.opacity(), p))
        }
        _ => return false,
    };
    let (Some(rect), Some(paint)) = (rect, paint) else {
        return false;
    };
    let Some(device) = Rect::from_ltrb(
        rect.left() * ts.sx + ts.tx,
        rect.top() * ts.sy + ts.ty,
        rect.right() * ts.sx + ts.tx,
        rect.bottom() * ts.sy + ts.ty,
    ) else {
        return false;
    };
    pixmap.fill_rect(device, &paint, Transform::identity(), None);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Width, height and RGB pixels of a PNG.
    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut r = ::png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .expect("a PNG");
        let mut buf = vec![0; r.output_buffer_size()];
        let info = r.next_frame(&mut buf).expect("a frame");
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    fn text_svg(text: &str, family: &str) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"40\" font-family=\"{family}\"><rect width=\"100%\" height=\"100%\" fill=\"white\"/><text x=\"4\" y=\"30\" font-size=\"28\">{text}</text></svg>"
        )
    }

    #[test]
    fn a_png_is_the_svg_at_one_and_a_half_times_its_size_on_white() {
        let (w, h, px) = decode(
            &png("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"30\" height=\"20\"><rect x=\"0\" y=\"0\" width=\"15\" height=\"20\" fill=\"#0072B2\"/></svg>")
                .expect("png"),
        );
        assert_eq!((w, h), (45, 30));
        // Left half blue, right half white.
        assert_eq!(&px[..3], &[0x00, 0x72, 0xB2]);
        assert_eq!(&px[px.len() - 3..], &[255, 255, 255]);
    }

    #[test]
    fn chinese_text_is_drawn_with_the_shipped_font_whatever_family_the_svg_asks_for() {
        let blank = decode(&png(&text_svg("", "sans-serif")).expect("png")).2;
        let di = decode(&png(&text_svg("地区", "'Noto Sans CJK SC',sans-serif")).expect("png")).2;
        let zeng = decode(&png(&text_svg("增速", "'Noto Sans CJK SC',sans-serif")).expect("png")).2;
        assert_ne!(di, blank, "no text drawn");
        assert_ne!(
            di, zeng,
            "different characters look the same (missing glyphs)"
        );
        // A family that exists nowhere falls back to the shipped font.
        let other = decode(&png(&text_svg("地区", "NoSuchFont")).expect("png")).2;
        assert_eq!(di, other);
    }

    /// resvg's own drawing of `svg` at [`SCALE`] on white, as RGB.
    fn resvg_rgb(svg: &str) -> Vec<u8> {
        let opts = usvg::Options {
            font_family: FAMILY.to_string(),
            fontdb: fonts(),
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_str(svg, &opts).expect("SVG");
        let size = tree.size().to_int_size().scale_by(SCALE).expect("size");
        let mut pixmap =
            resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("pixmap");
        pixmap.fill(resvg::tiny_skia::Color::WHITE);
        resvg::render(
            &tree,
            Transform::from_scale(SCALE, SCALE),
            &mut pixmap.as_mut(),
        );
        pixmap
            .data()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect()
    }

    #[test]
    fn rectangles_drawn_directly_differ_from_resvg_only_at_their_edges_and_by_less_than_a_quarter()
    {
        // Bars, a translucent band, a gridline and an axis at fractional
        // positions, one pair in a translated group (drawn directly), beside
        // a dashed line, a stroked polygon and text (drawn as resvg does).
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120" font-family="sans-serif">
<rect width="100%" height="100%" fill="#FFFFFF"/>
<rect x="10.3" y="20.7" width="30.2" height="60.45" fill="#0072B2"/>
<rect x="50.1" y="10.1" width="80.6" height="40.3" fill="#D55E00" fill-opacity="0.16"/>
<g transform="translate(3.3,1.7)"><line x1="10.0" y1="90.2" x2="180.0" y2="90.2" stroke="#6E6E6E" stroke-width="1"/>
<line x1="140.7" y1="5.0" x2="140.7" y2="100.0" stroke="#000000" stroke-width="2.5"/></g>
<line x1="170.3" y1="5.0" x2="170.3" y2="80.0" stroke="#000000" stroke-width="2.5" stroke-dasharray="8 5"/>
<polygon points="160,50 167,57 160,64 153,57" fill="#CC79A7" stroke="#FFFFFF" stroke-width="1.2"/>
<text x="60" y="110" font-size="13">地区 4%</text>
</svg>"##;
        let (w, h, ours) = decode(&png(svg).expect("png"));
        let theirs = resvg_rgb(svg);
        assert_eq!((w, h, ours.len()), (300, 180, theirs.len()));
        // The directly drawn shapes in pixels (left, top, right, bottom).
        let s = SCALE as f64;
        let shapes: Vec<[f64; 4]> = [
            [10.3, 20.7, 40.5, 81.15],
            [50.1, 10.1, 130.7, 50.4],
            [13.3, 91.4, 183.3, 92.4],
            [142.75, 6.7, 145.25, 101.7],
        ]
        .iter()
        .map(|r| r.map(|v| v * s))
        .collect();
        // A pixel on an edge: it meets the shape grown by a pixel, and is not
        // inside the shape shrunk by one.
        let on_edge = |x: f64, y: f64| {
            shapes.iter().any(|&[l, t, r, b]| {
                let meets = x + 1.0 > l - 1.0 && x < r + 1.0 && y + 1.0 > t - 1.0 && y < b + 1.0;
                let inside =
                    x >= l + 1.0 && x + 1.0 <= r - 1.0 && y >= t + 1.0 && y + 1.0 <= b - 1.0;
                meets && !inside
            })
        };
        let mut differ = 0;
        for (i, (a, b)) in ours.chunks_exact(3).zip(theirs.chunks_exact(3)).enumerate() {
            let d = a
                .iter()
                .zip(b)
                .map(|(p, q)| p.abs_diff(*q))
                .max()
                .unwrap_or(0);
            if d == 0 {
                continue;
            }
            differ += 1;
            let (x, y) = ((i % w as usize) as f64, (i / w as usize) as f64);
            assert!(
                on_edge(x, y),
                "pixel ({x}, {y}) differs by {d} off every edge"
            );
            // resvg's supersampled coverage of an edge pixel is within a
            // quarter of the exact coverage drawn here: 64 of 255 levels.
            assert!(d <= 64, "pixel ({x}, {y}) differs by {d}");
        }
        assert!(differ > 0, "the rectangles were not drawn directly");
    }
}
