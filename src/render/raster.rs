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
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::from_scale(SCALE, SCALE),
            &mut pixmap,
        );
        // Opaque after the white fill, so dropping alpha loses nothing.
        rgb.resize(w as usize * h as usize * 3, 0);
        for (o, p) in rgb.chunks_exact_mut(3).zip(page.chunks_exact(4)) {
            o.copy_from_slice(&p[..3]);
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
}
