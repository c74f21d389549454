//! `report.html` in a real browser: Debian's `chromium`, headless, driven
//! over the DevTools protocol on a pipe (`--remote-debugging-pipe`, no
//! network port). The page must load with no console message, no exception
//! and no request other than the file itself, show every chart, run no
//! script even when a label is `<script>alert(1)</script>`, and give a
//! screenshot that is not blank. The seed district's report must also show
//! its tornado charts, and the plan scenario's report every fan chart.
//!
//! Printed to A4 (Chromium's print to PDF, read back from the PDF's
//! structure tree and page contents), the seed district's and the plan's
//! reports hold the headline and the first target ladder on page 1, no
//! page but the last inked less than half-way down, and no lone table row
//! on any page. At 400 px wide, tables scroll in their own box and nothing
//! else reaches past the screen's edge.
//!
//! Without a browser the test fails when the environment variable `CI` is
//! set (`.ci/run` installs `chromium`), and otherwise skips with a notice.
//! `TARGETSIM_CHROMIUM` names another browser binary; `TARGETSIM_SCREENSHOT`
//! names a file to keep the screenshot in, to look at.

mod common;

use assert_cmd::Command;
use base64::Engine;
use common::browser::{Browser, browser_or_skip};
use serde_json::json;
use std::path::{Path, PathBuf};

fn file_url(p: &Path) -> String {
    format!(
        "file://{}",
        p.canonicalize().expect("absolute path").display()
    )
}

fn run_report(dir: &Path, scenario: &Path) -> PathBuf {
    Command::cargo_bin("targetsim")
        .expect("binary")
        .args(["run", "--draws", "20000", "--quiet", "--out"])
        .arg(dir)
        .arg(scenario)
        .assert()
        .success();
    dir.join("report.html")
}

const HOSTILE: &str = r#"
title = "<script>alert(1)</script> 区"
description = "<img src=x onerror=alert(2)>"
[simulation]
draws = 20000
[base]
gdp = { value = 100, label = "<script>alert(1)</script>" }
[drivers]
g = { dist = "normal", mean = 0.08, sd = 0.02, kind = "rate", label = "<b>g</b>" }
[indicators]
gdp_growth = { formula = "g", kind = "rate", label = "<script>alert(1)</script>" }
[target_sets.draft]
label = "</title><script>alert(3)</script>"
targets = [{ indicator = "gdp_growth", at_least = 0.08 }]
"#;

/// Distinct colours and the share of pixels unlike the top-left one.
fn picture_stats(png_bytes: &[u8]) -> (usize, f64, (u32, u32)) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    let px = info.color_type.samples();
    let data = &buf[..info.buffer_size()];
    let first = &data[..px];
    let mut colours = std::collections::BTreeSet::new();
    let mut differ = 0usize;
    let n = data.len() / px;
    for p in data.chunks(px) {
        if colours.len() < 1000 {
            colours.insert(p.to_vec());
        }
        if p != first {
            differ += 1;
        }
    }
    (
        colours.len(),
        differ as f64 / n as f64,
        (info.width, info.height),
    )
}

/// `[id, width, height, number of SVG text elements]` of each figure that
/// matches the CSS selector, in page order.
fn figures(b: &mut Browser, selector: &str) -> Vec<(String, f64, f64, u64)> {
    let shown = b.eval(&format!(
        "JSON.stringify(Array.from(document.querySelectorAll('{selector}')).map(f => {{ \
           const s = f.querySelector('svg'); const r = s ? s.getBoundingClientRect() : {{width: 0, height: 0}}; \
           return [f.id, r.width, r.height, s ? s.querySelectorAll('text').length : 0]; }}))"
    ));
    serde_json::from_str(shown.as_str().expect("a JSON string")).expect("figure list")
}

/// The open page shows one drawn chart figure per SVG file in `charts`.
fn every_chart_is_shown(b: &mut Browser, charts: &Path, count: usize) {
    let mut stems: Vec<String> = std::fs::read_dir(charts)
        .expect("charts directory")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".svg").map(str::to_string)
        })
        .collect();
    stems.sort();
    assert_eq!(stems.len(), count, "{stems:?}");
    let shown = figures(b, "figure.chart");
    let mut ids: Vec<String> = shown.iter().map(|f| f.0.clone()).collect();
    ids.sort();
    let want: Vec<String> = stems.iter().map(|s| format!("chart-{s}")).collect();
    assert_eq!(ids, want);
    for (id, w, h, texts) in &shown {
        assert!(*w > 300.0 && *h > 150.0, "{id} is drawn {w} x {h}");
        assert!(*texts > 5, "{id} has {texts} text elements");
    }
}

#[test]
fn the_report_loads_offline_in_chromium_with_every_chart_and_runs_no_scenario_text() {
    let Some(exe) = browser_or_skip() else {
        return;
    };
    let work = tempfile::tempdir().expect("temporary directory");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district.toml");
    let report = run_report(&work.path().join("seed"), &seed);
    let hostile_file = work.path().join("hostile.toml");
    std::fs::write(&hostile_file, HOSTILE).expect("write scenario");
    let hostile = run_report(&work.path().join("hostile"), &hostile_file);
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district-plan.toml");
    let plan_report = run_report(&work.path().join("plan"), &plan);

    let mut b = Browser::launch(&exe);

    // The harness itself can fail: a page that requests an image and logs
    // an error is caught.
    let bad = work.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><p>x</p><img src=\"http://127.0.0.1:9/x.png\"><script>console.error('boom')</script>",
    )
    .expect("write page");
    let log = b.open(&file_url(&bad));
    assert!(
        log.requests.iter().any(|u| u.contains("127.0.0.1:9")),
        "the harness missed a request: {log:?}"
    );
    assert!(
        log.console.iter().any(|m| m.contains("boom")),
        "the harness missed a console error: {log:?}"
    );

    // The seed district's report.
    let log = b.open(&file_url(&report));
    assert!(
        log.requests.is_empty(),
        "network requests: {:?}",
        log.requests
    );
    assert!(
        log.console.is_empty(),
        "console messages: {:?}",
        log.console
    );
    // Every chart file has its figure, with a drawn SVG of real size:
    // 2 target sets, the overview, 10 targeted indicators.
    every_chart_is_shown(&mut b, &work.path().join("seed/charts"), 15);
    // The tornado charts of "What decides a miss": the two indicators with
    // more than one driver (GDP and fiscal revenue growth).
    let tornados = figures(&mut b, "figure.tornado");
    let ids: Vec<&str> = tornados.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(ids, ["tornado-gdp_growth", "tornado-fiscal_growth"]);
    for (id, w, h, texts) in &tornados {
        assert!(*w > 300.0 && *h > 100.0, "{id} is drawn {w} x {h}");
        assert!(*texts > 5, "{id} has {texts} text elements");
    }
    assert_eq!(b.eval("document.scripts.length"), json!(0));
    let shot = b.screenshot();
    if let Some(p) = std::env::var_os("TARGETSIM_SCREENSHOT") {
        std::fs::write(p, &shot).expect("write the screenshot");
    }
    let (colours, share, size) = picture_stats(&shot);
    assert_eq!(size, (1200, 1400));
    assert!(
        colours >= 20 && share > 0.02,
        "blank screenshot: {colours} colours, {share:.4} of pixels differ from the corner"
    );

    // The plan's report: every fan chart, nothing fetched, nothing logged.
    let log = b.open(&file_url(&plan_report));
    assert!(
        log.requests.is_empty(),
        "network requests: {:?}",
        log.requests
    );
    assert!(
        log.console.is_empty(),
        "console messages: {:?}",
        log.console
    );
    every_chart_is_shown(&mut b, &work.path().join("plan/charts"), 23);
    assert_eq!(b.eval("document.scripts.length"), json!(0));

    // Markup in scenario text shows as text and runs nothing.
    let log = b.open(&file_url(&hostile));
    assert!(
        log.requests.is_empty(),
        "network requests: {:?}",
        log.requests
    );
    assert!(
        log.console.is_empty(),
        "console messages: {:?}",
        log.console
    );
    assert_eq!(b.eval("document.scripts.length"), json!(0));
    assert_eq!(b.eval("document.images.length"), json!(0));
    let text = b.eval("document.body.innerText");
    let text = text.as_str().expect("page text");
    assert!(text.contains("<script>alert(1)</script>"), "{text}");
    assert!(text.contains("</title><script>alert(3)</script>"));
    assert!(text.contains("<img src=x onerror=alert(2)>"));
    assert_eq!(
        b.eval("document.title"),
        json!("<script>alert(1)</script> 区")
    );
}

/// Whether `c` is a CJK character (ideographs, CJK punctuation, fullwidth
/// forms).
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// Every quoted string of a scenario file that holds CJK text: its labels,
/// units, wordings, title and description, as written.
fn scenario_texts(toml_text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in toml_text.split('"') {
        if piece.chars().any(is_cjk) && !piece.contains('\n') {
            out.push(piece.to_string());
        }
    }
    // Longest first, so a label is removed before a shorter one inside it.
    out.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    out
}

/// The report's print margin (`@page { margin: 14mm }`) in PDF points.
const PRINT_MARGIN: f64 = 14.0 / 25.4 * 72.0;
/// No page but the last may be inked less than this far down.
const LEAST_FILL: f64 = 0.5;

/// The open page printed to A4 as a user would (Chromium's print to PDF,
/// the page's own CSS size), read back: page 1 holds the headline's heading
/// and the first target ladder (whose SVG title is `ladder_title`), every
/// page but the last is inked at least half-way down, and no page holds a
/// lone row of a table of several. Returns the number of pages.
fn printed_pages(b: &mut Browser, ladder_title: &str, what: &str) -> usize {
    let pdf = b.call(
        "Page.printToPDF",
        json!({ "paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": true,
                "generateTaggedPDF": true }),
        true,
    );
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(pdf["data"].as_str().expect("pdf data"))
        .expect("base64 pdf");
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let pdf = Pdf::parse(&pdf);
    let n = pdf.pages.len();
    let elements = pdf.structure();

    // Page 1: the first section's heading (the navigation is not printed,
    // so that is 结论) and the first ladder. Everything before the ladder
    // in the page (the headline's first set, its joint probability) is
    // then on page 1 too.
    let first_h2 = elements.iter().find(|e| e.kind == "H2").expect("a heading");
    assert_eq!(first_h2.pages, [1], "{what}: the headline's heading");
    let ladder: Vec<&Element> = elements
        .iter()
        .filter(|e| e.kind == "Figure" && e.alt == ladder_title)
        .collect();
    assert!(
        !ladder.is_empty(),
        "{what}: no figure titled {ladder_title:?}"
    );
    for e in ladder {
        assert_eq!(e.pages, [1], "{what}: the first ladder ({ladder_title})");
    }

    // No near-empty page but the last.
    let fills = pdf.fills(PRINT_MARGIN);
    eprintln!(
        "{what}: {n} pages, inked down to {}",
        fills
            .iter()
            .map(|f| format!("{:.0}%", f * 100.0))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (i, f) in fills.iter().enumerate().take(n.saturating_sub(1)) {
        assert!(
            *f >= LEAST_FILL,
            "{what}: page {} of {n} is inked only {:.0}% of the way down",
            i + 1,
            f * 100.0
        );
    }

    // No lone row: for each table of two or more body rows (rows with a
    // data cell; repeated headers are not rows of the page), every page
    // that holds some of them holds at least two.
    let table_of = |mut i: usize| -> Option<usize> {
        while let Some(p) = elements[i].parent {
            if elements[p].kind == "Table" {
                return Some(p);
            }
            i = p;
        }
        None
    };
    let mut rows: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (i, e) in elements.iter().enumerate() {
        let body_row = e.kind == "TR"
            && elements
                .iter()
                .any(|c| c.parent == Some(i) && c.kind == "TD");
        if let (true, Some(t), Some(&page)) = (body_row, table_of(i), e.pages.first()) {
            rows.entry(t).or_default().push(page);
        }
    }
    assert!(!rows.is_empty(), "{what}: no table rows found in the PDF");
    for (t, pages) in &rows {
        if pages.len() < 2 {
            continue;
        }
        for p in pages {
            let on = pages.iter().filter(|q| *q == p).count();
            assert!(
                on >= 2,
                "{what}: page {p} holds a lone row of table {t} (rows by page: {pages:?})"
            );
        }
    }
    n
}

/// The `<title>` of an SVG file.
fn svg_title(p: &Path) -> String {
    let svg = std::fs::read_to_string(p).expect("an SVG");
    let t = &svg[svg.find("<title>").expect("a title") + 7..];
    t[..t.find("</title>").expect("end of title")].to_string()
}

/// An element of a tagged PDF's structure tree.
#[derive(Debug)]
struct Element {
    /// Its structure type: H2, Table, TR, TD, Figure...
    kind: String,
    /// Its alternative text (a figure's SVG title).
    alt: String,
    /// The pages it is drawn on, counting from 1.
    pages: Vec<usize>,
    /// Index of its parent in the list.
    parent: Option<usize>,
}

/// A PDF as Chromium prints it (Skia's writer): objects one after another,
/// none inside object streams, page contents Flate-compressed, and, with
/// `generateTaggedPDF`, a structure tree of the page's elements (H2, Table,
/// TR, Figure with its SVG's title as /Alt) whose marked content names the
/// page it is drawn on. Just enough of the format to say what lands on
/// which page and how far down each page is inked; a PDF crate would do
/// more, but nothing this test needs.
struct Pdf {
    objects: std::collections::BTreeMap<u32, Vec<u8>>,
    /// Page objects, in page order.
    pages: Vec<u32>,
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

impl Pdf {
    fn parse(bytes: &[u8]) -> Pdf {
        let mut objects = std::collections::BTreeMap::new();
        let mut pos = 0;
        // Objects in file order: "N 0 obj ... endobj", streams skipped by
        // their /Length so their bytes are never searched.
        while let Some(at) = find(bytes, b" 0 obj", pos) {
            let start = bytes[..at]
                .iter()
                .rposition(|b| !b.is_ascii_digit())
                .map_or(0, |i| i + 1);
            let num: u32 = std::str::from_utf8(&bytes[start..at])
                .ok()
                .and_then(|s| s.parse().ok())
                .expect("an object number");
            let body_start = at + b" 0 obj".len();
            let dict_end = find(bytes, b"endobj", body_start).expect("endobj");
            let stream = find(bytes, b"stream\n", body_start).filter(|&s| s < dict_end);
            let end = match stream {
                Some(s) => {
                    let dict = String::from_utf8_lossy(&bytes[body_start..s]);
                    let len = Pdf::int_after(&dict, "/Length").expect("a stream length");
                    let data = s + b"stream\n".len();
                    find(bytes, b"endobj", data + len).expect("endobj")
                }
                None => dict_end,
            };
            objects.insert(num, bytes[body_start..end].to_vec());
            pos = end + b"endobj".len();
        }
        let mut pdf = Pdf {
            objects,
            pages: Vec::new(),
        };
        let root = pdf
            .objects
            .iter()
            .find(|(_, o)| {
                let d = Pdf::dict_text(o);
                d.contains("/Type /Pages") && !d.contains("/Parent")
            })
            .map(|(k, _)| *k)
            .expect("a page tree");
        pdf.pages = pdf.leaf_pages(root);
        pdf
    }

    /// An object's dictionary (before any stream) as text.
    fn dict_text(o: &[u8]) -> String {
        let end = find(o, b"stream\n", 0).unwrap_or(o.len());
        String::from_utf8_lossy(&o[..end]).into_owned()
    }

    fn dict(&self, n: u32) -> String {
        self.objects
            .get(&n)
            .map_or_else(String::new, |o| Pdf::dict_text(o))
    }

    fn int_after(dict: &str, key: &str) -> Option<usize> {
        let at = dict.find(&format!("{key} "))? + key.len() + 1;
        let digits: String = dict[at..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        digits.parse().ok()
    }

    /// `key N 0 R` in a dictionary.
    fn reference(dict: &str, key: &str) -> Option<u32> {
        let at = dict.find(&format!("{key} "))? + key.len() + 1;
        let mut words = dict[at..].split_whitespace();
        let n = words.next()?.parse().ok()?;
        (words.next()? == "0" && words.next()?.starts_with('R')).then_some(n)
    }

    fn name(dict: &str, key: &str) -> Option<String> {
        let at = dict.find(&format!("{key} /"))? + key.len() + 2;
        Some(
            dict[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect(),
        )
    }

    fn leaf_pages(&self, n: u32) -> Vec<u32> {
        let d = self.dict(n);
        if !d.contains("/Type /Pages") {
            return vec![n];
        }
        let kids = &d[d.find("/Kids [").expect("page kids") + 7..];
        let kids = &kids[..kids.find(']').expect("end of kids")];
        let words: Vec<&str> = kids.split_whitespace().collect();
        words
            .chunks(3)
            .flat_map(|w| self.leaf_pages(w[0].parse().expect("a page reference")))
            .collect()
    }

    /// The /K entry of a structure element: child elements and the
    /// marked-content ids drawn on the element's page.
    fn kids(dict: &str) -> (Vec<u32>, Vec<u32>) {
        let Some(at) = dict.find("/K ").or_else(|| dict.find("/K[")) else {
            return (Vec::new(), Vec::new());
        };
        let rest = dict[at + 2..].trim_start();
        let body = if let Some(r) = rest.strip_prefix('[') {
            &r[..r.find(']').expect("end of /K")]
        } else {
            let end = rest.find('/').unwrap_or(rest.len());
            rest[..end].trim_end_matches(['>', '\n'])
        };
        let words: Vec<&str> = body.split_whitespace().collect();
        let (mut refs, mut ids) = (Vec::new(), Vec::new());
        let mut i = 0;
        while i < words.len() {
            if words.get(i + 2).is_some_and(|w| w.starts_with('R')) && words[i + 1] == "0" {
                refs.push(words[i].parse().expect("a reference"));
                i += 3;
            } else {
                if let Ok(id) = words[i].trim_end_matches('>').parse() {
                    ids.push(id);
                }
                i += 1;
            }
        }
        (refs, ids)
    }

    /// Every structure element below `n` (itself included), in document
    /// order; `page` is the page inherited from the parent.
    fn elements(&self, n: u32, page: Option<u32>, parent: Option<usize>, out: &mut Vec<Element>) {
        let d = self.dict(n);
        let page = Pdf::reference(&d, "/Pg").or(page);
        let (refs, ids) = Pdf::kids(&d);
        let mut pages: Vec<usize> = if ids.is_empty() {
            Vec::new()
        } else {
            page.and_then(|p| self.pages.iter().position(|&q| q == p))
                .map(|i| vec![i + 1])
                .unwrap_or_default()
        };
        let me = out.len();
        out.push(Element {
            kind: Pdf::name(&d, "/S").unwrap_or_default(),
            alt: Pdf::alt(&d),
            pages: Vec::new(),
            parent,
        });
        for r in refs {
            if self.dict(r).contains("/Type /StructElem") {
                let from = out.len();
                self.elements(r, page, Some(me), out);
                if let Some(child) = out.get(from) {
                    pages.extend(child.pages.iter().copied());
                }
            }
        }
        pages.sort_unstable();
        pages.dedup();
        out[me].pages = pages;
    }

    /// /Alt as text: UTF-16 hex (`<FEFF...>`) or a literal string.
    fn alt(dict: &str) -> String {
        let Some(at) = dict.find("/Alt ") else {
            return String::new();
        };
        let rest = &dict[at + 5..];
        if let Some(hex) = rest.strip_prefix("<FEFF") {
            let hex = &hex[..hex.find('>').unwrap_or(0)];
            let units: Vec<u16> = (0..hex.len() / 4)
                .filter_map(|i| u16::from_str_radix(&hex[4 * i..4 * i + 4], 16).ok())
                .collect();
            String::from_utf16_lossy(&units)
        } else if let Some(lit) = rest.strip_prefix('(') {
            lit[..lit.find(')').unwrap_or(0)].to_string()
        } else {
            String::new()
        }
    }

    fn structure(&self) -> Vec<Element> {
        let doc = self
            .objects
            .keys()
            .find(|&&k| {
                let d = self.dict(k);
                d.contains("/Type /StructElem") && d.contains("/S /Document")
            })
            .copied()
            .expect("a tagged PDF (generateTaggedPDF)");
        let mut out = Vec::new();
        self.elements(doc, None, None, &mut out);
        out
    }

    /// How far down each page is inked, as a share of the page's height
    /// inside `margin` points: from the top margin to the lowest text or
    /// painted path (clipping paths are not ink).
    fn fills(&self, margin: f64) -> Vec<f64> {
        self.pages
            .iter()
            .map(|&p| {
                let d = self.dict(p);
                let height: f64 = {
                    let mb = &d[d.find("/MediaBox [").expect("a media box") + 11..];
                    mb[..mb.find(']').expect("end of media box")]
                        .split_whitespace()
                        .nth(3)
                        .and_then(|h| h.parse().ok())
                        .expect("a page height")
                };
                let contents = Pdf::reference(&d, "/Contents").expect("page contents");
                let lowest = lowest_ink(&self.stream(contents)).unwrap_or(height - margin);
                ((height - margin - lowest) / (height - 2.0 * margin)).clamp(0.0, 1.0)
            })
            .collect()
    }

    fn stream(&self, n: u32) -> Vec<u8> {
        let o = &self.objects[&n];
        let d = Pdf::dict_text(o);
        let start = find(o, b"stream\n", 0).expect("a stream") + b"stream\n".len();
        let len = Pdf::int_after(&d, "/Length").expect("a stream length");
        let raw = &o[start..start + len];
        if d.contains("/FlateDecode") {
            miniz_oxide::inflate::decompress_to_vec_zlib(raw).expect("a Flate stream")
        } else {
            raw.to_vec()
        }
    }
}

/// The lowest y (PDF points, from the bottom) of any text drawn or path
/// painted in a page's content stream. Follows the current transformation
/// (q, Q, cm) and the text matrix (Tm, Td, TD); strings, names, arrays and
/// dictionaries are skipped as operands.
fn lowest_ink(content: &[u8]) -> Option<f64> {
    type M = [f64; 6];
    fn mul(a: &M, b: &M) -> M {
        [
            a[0] * b[0] + a[1] * b[2],
            a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2],
            a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4],
            a[4] * b[1] + a[5] * b[3] + b[5],
        ]
    }
    let y = |x: f64, yy: f64, m: &M| m[1] * x + m[3] * yy + m[5];
    const ID: M = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let (mut ctm, mut stack, mut tm, mut line) = (ID, Vec::new(), ID, ID);
    let (mut nums, mut path, mut low): (Vec<f64>, Vec<f64>, Option<f64>) =
        (Vec::new(), Vec::new(), None);
    fn ink(v: f64, low: &mut Option<f64>) {
        *low = Some(low.map_or(v, |l| l.min(v)));
    }
    let s = content;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        match c {
            b'(' => {
                // A literal string, with nesting and escapes.
                let mut depth = 0;
                while i < s.len() {
                    match s[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            b'<' if s.get(i + 1) != Some(&b'<') => {
                while i < s.len() && s[i] != b'>' {
                    i += 1;
                }
                i += 1;
            }
            b'/' => {
                i += 1;
                while i < s.len() && !b" \n\r\t/[]<>()".contains(&s[i]) {
                    i += 1;
                }
            }
            b'0'..=b'9' | b'-' | b'+' | b'.' => {
                let start = i;
                i += 1;
                while i < s.len()
                    && (s[i].is_ascii_digit()
                        || s[i] == b'.'
                        || s[i] == b'e'
                        || s[i] == b'E'
                        || s[i] == b'-')
                {
                    i += 1;
                }
                if let Ok(v) = std::str::from_utf8(&s[start..i]).unwrap_or("").parse() {
                    nums.push(v);
                }
            }
            c if c.is_ascii_alphabetic() || c == b'\'' || c == b'"' || c == b'*' => {
                let start = i;
                while i < s.len()
                    && (s[i].is_ascii_alphabetic() || s[i] == b'*' || s[i] == b'\'' || s[i] == b'"')
                {
                    i += 1;
                }
                let op = &s[start..i];
                let a = std::mem::take(&mut nums);
                let last = |k: usize| &a[a.len().saturating_sub(k)..];
                match op {
                    b"q" => stack.push(ctm),
                    b"Q" => ctm = stack.pop().unwrap_or(ID),
                    b"cm" if a.len() >= 6 => {
                        let m = last(6);
                        ctm = mul(&[m[0], m[1], m[2], m[3], m[4], m[5]], &ctm);
                    }
                    b"BT" => (tm, line) = (ID, ID),
                    b"Tm" if a.len() >= 6 => {
                        let m = last(6);
                        tm = [m[0], m[1], m[2], m[3], m[4], m[5]];
                        line = tm;
                    }
                    b"Td" | b"TD" if a.len() >= 2 => {
                        let m = last(2);
                        line = mul(&[1.0, 0.0, 0.0, 1.0, m[0], m[1]], &line);
                        tm = line;
                    }
                    b"Tj" | b"TJ" | b"'" | b"\"" => {
                        let m = mul(&tm, &ctm);
                        ink(y(0.0, 0.0, &m), &mut low);
                    }
                    b"re" if a.len() >= 4 => {
                        let r = last(4);
                        path.extend([y(r[0], r[1], &ctm), y(r[0] + r[2], r[1] + r[3], &ctm)]);
                    }
                    b"m" | b"l" | b"c" | b"v" | b"y" if a.len() >= 2 => {
                        let p = last(2);
                        path.push(y(p[0], p[1], &ctm));
                    }
                    // End the path without painting: a clip, not ink.
                    b"n" => path.clear(),
                    b"f" | b"F" | b"f*" | b"S" | b"s" | b"B" | b"B*" | b"b" | b"b*" => {
                        for v in path.drain(..) {
                            ink(v, &mut low);
                        }
                    }
                    _ => {}
                }
            }
            _ => i += 1,
        }
    }
    low
}

/// A4 in CSS pixels (96 per inch) less the report's 14 mm print margins.
const A4_CONTENT_WIDTH: f64 = (210.0 - 28.0) / 25.4 * 96.0;
const A4_CONTENT_HEIGHT: f64 = (297.0 - 28.0) / 25.4 * 96.0;

#[test]
fn the_headline_prints_on_page_one_english_has_no_chinese_of_its_own_and_phones_scroll_tables() {
    let Some(exe) = browser_or_skip() else {
        return;
    };
    let work = tempfile::tempdir().expect("temporary directory");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district.toml");
    let report = run_report(&work.path().join("seed"), &seed);
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district-plan.toml");
    let plan_report = run_report(&work.path().join("plan"), &plan);
    let mut b = Browser::launch(&exe);

    // Printed to A4 as a user prints it, read back from the PDF: the seed
    // district's and the plan's report.
    for (name, report) in [("seed", &report), ("plan", &plan_report)] {
        let title = svg_title(&work.path().join(name).join("charts/ladder-draft.svg"));
        b.open(&file_url(report));
        printed_pages(&mut b, &title, name);
    }

    // The headline's text, laid out as Chromium prints it (print media,
    // A4's content width): its heading reads 结论 and the draft set's
    // joint probability ends above A4's content height. (The PDF keeps
    // Chinese text as glyph ids, so its text is read from the layout.)
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": A4_CONTENT_WIDTH.floor() as u32, "height": A4_CONTENT_HEIGHT.floor() as u32,
                "deviceScaleFactor": 1, "mobile": false }),
        true,
    );
    b.call(
        "Emulation.setEmulatedMedia",
        json!({ "media": "print" }),
        true,
    );
    b.open(&file_url(&report));
    let bottom = |b: &mut Browser, js: &str| -> f64 {
        b.eval(&format!(
            "(() => {{ const e = {js}; if (!e) return -1; const r = e.getBoundingClientRect(); return r.bottom + window.scrollY; }})()"
        ))
        .as_f64()
        .expect("a position")
    };
    let heading = bottom(&mut b, "document.querySelector('section#headline h2')");
    let joint = bottom(&mut b, "document.querySelector('#headline-draft p.lead')");
    let heading_text = b.eval("document.querySelector('section#headline h2').innerText");
    assert_eq!(heading_text, json!("结论"));
    let joint_text = b.eval("document.querySelector('#headline-draft p.lead').innerText");
    assert!(
        joint_text.as_str().unwrap_or("").contains("同时实现的概率"),
        "{joint_text}"
    );
    assert!(heading > 0.0 && joint > heading, "{heading} {joint}");
    assert!(
        joint <= A4_CONTENT_HEIGHT,
        "the draft set's joint probability ends at {joint:.0} px, below page 1 ({A4_CONTENT_HEIGHT:.0} px)"
    );

    // 400 px wide: the page never gets wider than the screen; tables
    // scroll in their own box.
    b.call(
        "Emulation.setEmulatedMedia",
        json!({ "media": "screen" }),
        true,
    );
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 400, "height": 800, "deviceScaleFactor": 1, "mobile": true }),
        true,
    );
    for page in [&report, &plan_report] {
        b.open(&file_url(page));
        let width = b.eval("document.documentElement.scrollWidth");
        assert!(
            width.as_f64().expect("width") <= 400.0,
            "page is {width} px wide at 400 px"
        );
        let unboxed = b.eval(
            "Array.from(document.querySelectorAll('table')).filter(t => !t.parentElement.classList.contains('scroll')).length",
        );
        assert_eq!(unboxed, json!(0), "tables outside a scrolling box");
        // No element outside a scrolling box reaches past the screen's
        // right edge (text the page's width would not show).
        let off = b.eval(
            "JSON.stringify(Array.from(document.querySelectorAll('body *')).filter(e => !e.closest('.scroll') && !e.closest('svg') \
               && e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 40)))",
        );
        assert_eq!(off, json!("[]"), "off the right edge at 400 px");
    }

    // English: no Chinese once the scenario's own texts are taken out.
    let en = work.path().join("seed-en");
    Command::cargo_bin("targetsim")
        .expect("binary")
        .args([
            "run", "--draws", "20000", "--quiet", "--lang", "en", "--out",
        ])
        .arg(&en)
        .arg(&seed)
        .assert()
        .success();
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1200, "height": 1400, "deviceScaleFactor": 1, "mobile": false }),
        true,
    );
    b.open(&file_url(&en.join("report.html")));
    assert_eq!(b.eval("document.documentElement.lang"), json!("en"));
    let mut text = b
        .eval("document.body.innerText")
        .as_str()
        .expect("page text")
        .to_string();
    assert!(text.contains("Conclusion"), "no English headline");
    let scenario_text = std::fs::read_to_string(&seed).expect("scenario");
    for t in scenario_texts(&scenario_text) {
        text = text.replace(&t, "");
    }
    let left: String = text.chars().filter(|&c| is_cjk(c)).collect();
    assert!(
        left.is_empty(),
        "Chinese outside the scenario's labels in the English report: {left:?}"
    );
}
