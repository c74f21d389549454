//! `report.html` in a real browser: Debian's `chromium`, headless, driven
//! over the DevTools protocol on a pipe (`--remote-debugging-pipe`, no
//! network port). The page must load with no console message, no exception
//! and no request other than the file itself, show every chart, run no
//! script even when a label is `<script>alert(1)</script>`, and give a
//! screenshot that is not blank. The seed district's report must also show
//! its tornado charts, and the plan scenario's report every fan chart.
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
    let mut b = Browser::launch(&exe);

    // Page 1 when printed. A PDF of Chinese text keeps its characters as
    // font glyph ids (CID fonts), so its text cannot be searched without a
    // PDF parser; instead the page is laid out as Chromium prints it (print
    // media, A4's content width) and the headline's heading and the draft
    // set's joint probability must end above A4's content height, i.e. on
    // page 1. The PDF itself is printed too, so a print failure fails here.
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
    let pdf = b.call(
        "Page.printToPDF",
        json!({ "paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": true }),
        true,
    );
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(pdf["data"].as_str().expect("pdf data"))
        .expect("base64 pdf");
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
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
    b.open(&file_url(&report));
    let width = b.eval("document.documentElement.scrollWidth");
    assert!(
        width.as_f64().expect("width") <= 400.0,
        "page is {width} px wide at 400 px"
    );
    let unboxed = b.eval(
        "Array.from(document.querySelectorAll('table')).filter(t => !t.parentElement.classList.contains('scroll')).length",
    );
    assert_eq!(unboxed, json!(0), "tables outside a scrolling box");

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
