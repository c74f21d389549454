//! Charts and `report.html` from the command line: which files `run`
//! leaves, what they hold (real SVG text, decodable PNGs, a report with
//! every chart and nothing fetched from anywhere), escaping of scenario
//! text, the switches that turn them off, and byte-identical output for any
//! number of threads.

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};

fn seed_district() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district.toml")
}

fn targetsim(args: &[&str], out: &Path) -> assert_cmd::assert::Assert {
    Command::cargo_bin("targetsim")
        .expect("binary")
        .args(args)
        .arg("--out")
        .arg(out)
        .assert()
        .success()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Sorted file names in a directory.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Width, height and number of distinct colours (up to 100) of a PNG.
fn png_facts(p: &Path) -> (u32, u32, usize) {
    let file = std::fs::File::open(p).expect("png file");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let px = info.color_type.samples();
    let mut colours = std::collections::BTreeSet::new();
    for c in buf[..info.buffer_size()].chunks(px) {
        colours.insert(c.to_vec());
        if colours.len() >= 100 {
            break;
        }
    }
    (info.width, info.height, colours.len())
}

const STEMS: [&str; 15] = [
    "dist-attracted_funds",
    "dist-fai_1",
    "dist-fai_growth",
    "dist-fiscal_growth",
    "dist-gdp_growth",
    "dist-income_rural_growth",
    "dist-income_urban_growth",
    "dist-new_scale_firms",
    "dist-pv_mw",
    "dist-retail_growth",
    "ladder-city",
    "ladder-draft",
    "ranges",
    "set-city",
    "set-draft",
];

#[test]
fn run_leaves_svg_and_png_charts_and_a_self_contained_report_and_points_to_it() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = dir.path().join("out");
    let seed = seed_district();
    targetsim(&["run", &seed.to_string_lossy(), "--draws", "20000"], &out).stdout(
        // The status lines in the tables' language (Chinese by default).
        contains(format!("报告：{}", out.join("report.html").display()))
            .and(contains("已写入 15 张图（SVG 和 PNG）"))
            .and(contains(format!(
                "已写入 {}",
                out.join("summary.json").display()
            )))
            .and(contains("wrote ").not()),
    );
    let mut want: Vec<String> = STEMS
        .iter()
        .flat_map(|s| [format!("{s}.png"), format!("{s}.svg")])
        .collect();
    want.sort();
    assert_eq!(names(&out.join("charts")), want);

    for stem in STEMS {
        let svg = read(&out.join(format!("charts/{stem}.svg")));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.matches("<text").count() > 5, "{stem}: no real text");
        assert!(svg.contains("font-family=\"Microsoft YaHei, PingFang SC, Noto Sans CJK SC"));
        let (w, h, colours) = png_facts(&out.join(format!("charts/{stem}.png")));
        // 800 SVG units (960 for a ladder) at 1.5 pixels each.
        let want = if stem.starts_with("ladder-") {
            1440
        } else {
            1200
        };
        assert_eq!(w, want, "{stem}");
        assert!((400..=2000).contains(&h), "{stem}: height {h}");
        assert!(colours >= 10, "{stem}: {colours} colours");
    }
    // The distribution of GDP growth: Chinese title, percent axis, both
    // target sets' thresholds labelled.
    let gdp = read(&out.join("charts/dist-gdp_growth.svg"));
    for text in [
        "地区生产总值增速",
        "地区生产总值增速 (%)",
        "模拟次数占比 (%)",
        ">8%</text>",
        "区草案 ≥ 9.0%: 实现概率",
        "市下达 ≥ 10.0%: 实现概率",
    ] {
        assert!(gdp.contains(text), "dist-gdp_growth.svg lacks {text:?}");
    }
    let draft = read(&out.join("charts/set-draft.svg"));
    assert!(draft.contains("全部同时实现 (10)") && draft.contains("(若相互独立:"));
    assert!(draft.contains(">实现概率</text>"));

    let html = read(&out.join("report.html"));
    // The ladders go into the report with its headline (the report half of
    // issue 10); every other chart is there now.
    for stem in STEMS.iter().filter(|s| !s.starts_with("ladder-")) {
        assert!(
            html.contains(&format!("<figure id=\"chart-{stem}\"")),
            "no figure for {stem}"
        );
    }
    // Nothing to fetch: the only URL is the SVG namespace.
    let urls = html.matches("http://").count() + html.matches("https://").count();
    let namespaces = html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
    assert_eq!(urls, namespaces);
    for banned in [
        "<script", "<link", "<img", "<iframe", "src=", "url(", "@import",
    ] {
        assert!(!html.contains(banned), "report.html contains {banned}");
    }
    for text in [
        // The scenario's own Chinese title (title_zh), the report being Chinese.
        "示例区：明年主要目标测算",
        "Content-Security-Policy",
        "@media print",
        "sha256:",
        "20251126",
        "targetsim 0.1.0",
        "fiscal_elasticity * gdp_nominal_growth",
        "class=\"spark\"",
    ] {
        assert!(html.contains(text), "report.html lacks {text:?}");
    }
}

const HOSTILE: &str = r#"
title = "<script>alert(1)</script>"
description = "a & b <img src=x onerror=alert(2)>"
[simulation]
draws = 5000
[base]
gdp = { value = 100, label = "<script>alert(1)</script>" }
[drivers]
g = { dist = "normal", mean = 0.08, sd = 0.02, kind = "rate", label = "<b>g</b>" }
[indicators]
gdp_growth = { formula = "g", kind = "rate", label = "<script>alert(1)</script>", unit = "\"'>" }
[target_sets.draft]
label = "</svg><script>alert(3)</script>"
targets = [{ indicator = "gdp_growth", at_least = 0.08, wording = "<i>力争</i>" }]
"#;

#[test]
fn scenario_text_shows_as_text_in_the_report_and_the_charts() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let scenario = dir.path().join("hostile.toml");
    std::fs::write(&scenario, HOSTILE).expect("write scenario");
    let out = dir.path().join("out");
    targetsim(&["run", &scenario.to_string_lossy(), "--quiet"], &out);
    let html = read(&out.join("report.html"));
    for banned in ["<script", "<img", "<b>g", "<i>力争", "</svg><script"] {
        assert!(!html.contains(banned), "report.html contains {banned}");
    }
    for escaped in [
        "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>",
        "a &amp; b &lt;img src=x onerror=alert(2)&gt;",
        "&lt;/svg&gt;&lt;script&gt;alert(3)&lt;/script&gt;",
        "&lt;i&gt;力争&lt;/i&gt;",
    ] {
        assert!(html.contains(escaped), "report.html lacks {escaped}");
    }
    for name in names(&out.join("charts")) {
        if let Some(stem) = name.strip_suffix(".svg") {
            let svg = read(&out.join("charts").join(&name));
            assert!(!svg.contains("<script"), "{stem} contains a script");
            assert!(
                svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{stem}"
            );
            assert_eq!(svg.matches("<svg").count(), 1, "{stem}");
        }
    }
}

#[test]
fn no_charts_and_no_report_leave_only_the_tables() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let seed = seed_district();
    let seed = seed.to_string_lossy();
    let out = dir.path().join("none");
    let assert = targetsim(
        &["run", &seed, "-n", "5000", "--no-charts", "--no-report"],
        &out,
    );
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(!stdout.contains("report:") && !stdout.contains("charts"));
    assert_eq!(
        names(&out),
        [
            ".targetsim-run",
            "indicators.csv",
            "results.xlsx",
            "summary.json",
            "targets.csv"
        ]
    );
    // Without chart files the report still shows the charts.
    let out = dir.path().join("report-only");
    targetsim(&["run", &seed, "-n", "5000", "--no-charts", "-q"], &out);
    assert_eq!(
        names(&out),
        [
            ".targetsim-run",
            "indicators.csv",
            "report.html",
            "results.xlsx",
            "summary.json",
            "targets.csv"
        ]
    );
    assert_eq!(
        read(&out.join("report.html"))
            .matches("<figure id=\"chart-")
            .count(),
        13
    );
}

#[test]
fn charts_and_report_are_byte_identical_for_one_thread_and_two() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let seed = seed_district();
    let seed = seed.to_string_lossy();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    targetsim(&["run", &seed, "-n", "30000", "-t", "1", "-q"], &a);
    targetsim(&["run", &seed, "-n", "30000", "-t", "2", "-q"], &b);
    let files: Vec<String> = std::iter::once("report.html".to_string())
        .chain(
            names(&a.join("charts"))
                .into_iter()
                .map(|n| format!("charts/{n}")),
        )
        .collect();
    assert_eq!(files.len(), 1 + 2 * STEMS.len());
    for f in files {
        let (x, y) = (
            std::fs::read(a.join(&f)).expect("file"),
            std::fs::read(b.join(&f)).expect("file"),
        );
        assert!(x == y, "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn without_a_terminal_run_draws_no_progress_bar() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let seed = seed_district();
    // stderr is a pipe here, as in a script or a log file.
    targetsim(
        &["run", &seed.to_string_lossy(), "-n", "200000"],
        dir.path(),
    )
    .stderr("")
    .stdout(contains("报告："));
}

/// The first `<tbody>` group of the sensitivity table whose heading names `indicator`.
fn sensitivity_group<'a>(html: &'a str, indicator_label: &str) -> &'a str {
    let section = &html[html
        .find("<section id=\"sensitivity\">")
        .expect("a sensitivity section")..];
    let section = &section[..section.find("</section>").expect("section end")];
    section
        .split("<tbody")
        .find(|g| {
            g.split("</tr>")
                .next()
                .is_some_and(|head| head.contains(indicator_label))
        })
        .unwrap_or_else(|| panic!("no group for {indicator_label}"))
}

#[test]
fn the_report_shows_what_decides_a_miss_as_summary_json_ranks_it() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = dir.path().join("out");
    let seed = seed_district();
    targetsim(&["run", &seed.to_string_lossy(), "-n", "20000", "-q"], &out);
    let html = read(&out.join("report.html"));
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("summary.json"))).expect("summary.json");
    let sens = json["sensitivity"]["indicators"]
        .as_object()
        .expect("sensitivity.indicators");
    assert_eq!(sens.len(), 10);
    assert!(html.contains("<a href=\"#sensitivity\">什么决定未达成</a>"));
    for (name, ind) in sens {
        let label = json["indicators"][name]["label"].as_str().expect("label");
        let group = sensitivity_group(&html, label);
        let drivers = ind["drivers"].as_object().expect("drivers");
        // The top drivers, in summary.json's order, with their rank
        // correlation and, per set, their percentile in the misses.
        let mut at = 0;
        for (driver, d) in drivers.iter().take(3) {
            let pos = group[at..]
                // Labels as written; the code name only as the hover.
                .find(&format!("<td class=\"driver\"><span title=\"{driver}\">"))
                .unwrap_or_else(|| panic!("{name}: {driver} missing or out of order"))
                + at;
            at = pos + 1;
            let row = &group[pos..pos + group[pos..].find("</tr>").expect("row end")];
            let rc = d["rank_correlation"].as_f64().expect("rank correlation");
            assert!(row.contains(&format!("{rc:+.2}")), "{name} {driver}: {row}");
            for (set, m) in ind["misses"].as_object().expect("misses") {
                let p = m["drivers"][driver]["percentile_in_misses"]
                    .as_f64()
                    .expect("percentile");
                assert!(
                    row.contains(&format!("p{:.0}", p * 100.0)),
                    "{name} {driver} {set}: {row}"
                );
            }
        }
        // A tornado figure exactly when there is more than one bar.
        let figure = html.contains(&format!("<figure id=\"tornado-{name}\""));
        assert_eq!(figure, drivers.len() > 1, "{name}");
    }
    assert!(html.contains("<figure id=\"tornado-gdp_growth\""));
}

fn plan_scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district-plan.toml")
}

/// The plan scenario's 20 indicators and 3 target sets.
const PLAN_INDICATORS: usize = 20;
const PLAN_SETS: usize = 3;

#[test]
fn a_plan_run_leaves_fan_charts_as_svg_and_png_and_a_self_contained_report() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = dir.path().join("out");
    let plan = plan_scenario();
    targetsim(&["run", &plan.to_string_lossy(), "-n", "20000"], &out).stdout(
        contains(format!("报告：{}", out.join("report.html").display())).and(contains(format!(
            "已写入 {PLAN_INDICATORS} 张扇形图（SVG 和 PNG）"
        ))),
    );
    let files = names(&out.join("charts"));
    // A fan per indicator and a ladder per target set.
    assert_eq!(files.len(), 2 * (PLAN_INDICATORS + PLAN_SETS), "{files:?}");
    let html = read(&out.join("report.html"));
    for f in &files {
        let stem = f
            .strip_suffix(".svg")
            .or_else(|| f.strip_suffix(".png"))
            .expect("svg or png");
        if stem.starts_with("ladder-") {
            continue;
        }
        assert!(stem.starts_with("fan-"), "{f}");
        assert!(
            html.contains(&format!("<figure id=\"chart-{stem}\"")),
            "no figure for {stem}"
        );
        if f.ends_with(".png") {
            let (w, h, colours) = png_facts(&out.join("charts").join(f));
            // 800 by 470 SVG units at 1.5 pixels each.
            assert_eq!((w, h), (1200, 705), "{f}");
            assert!(colours >= 10, "{f}: {colours} colours");
        }
    }
    let urls = html.matches("http://").count() + html.matches("https://").count();
    let namespaces = html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
    assert_eq!(urls, namespaces);
    for banned in [
        "<script", "<link", "<img", "<iframe", "src=", "url(", "@import",
    ] {
        assert!(!html.contains(banned), "report.html contains {banned}");
    }
    // The plan's story: its targets with probabilities, the required path,
    // whether the plan is still reachable, each year's targets, the
    // drivers' persistence; the numbers are summary.json's.
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("summary.json"))).expect("summary.json");
    let plan_json = &json["plan_targets"];
    let joint = plan_json["joint_probability"].as_f64().expect("joint");
    for text in [
        // The scenario's own Chinese title (title_zh), the report being Chinese.
        "示例区：五年规划目标测算（2026—2030年）".to_string(),
        "<h2>规划目标</h2>".to_string(),
        "其余年份需要达到的增长".to_string(),
        "2026 年目标恰好实现时，规划目标仍可实现吗？".to_string(),
        // The report is Chinese by default (`--lang en`: "Targets by year").
        "<h2>分年度目标</h2>".to_string(),
        "驱动因素逐年".to_string(),
        "年均增长8.5%以上".to_string(),
        format!("<strong>{:.1}%</strong>", joint * 100.0),
        "Content-Security-Policy".to_string(),
        "gdp[t-1]".to_string(),
    ] {
        assert!(html.contains(&text), "report.html lacks {text:?}");
    }
    for t in plan_json["targets"].as_array().expect("plan targets") {
        for r in t["reachable_if_met"].as_array().expect("reachable") {
            let p = r["probability"].as_f64().expect("probability");
            assert!(
                html.contains(&format!("{:.1}%", p * 100.0)),
                "no reachable probability {p}"
            );
        }
    }
}

#[test]
fn a_plan_run_honours_no_charts_and_no_report_and_is_byte_identical_across_threads() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let plan = plan_scenario();
    let plan = plan.to_string_lossy();
    let out = dir.path().join("none");
    let assert = targetsim(
        &["run", &plan, "-n", "5000", "--no-charts", "--no-report"],
        &out,
    );
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(!stdout.contains("report:") && !stdout.contains("charts"));
    let tables = [
        ".targetsim-run",
        "indicators.csv",
        "required_path.csv",
        "results.xlsx",
        "summary.json",
        "targets.csv",
    ];
    assert_eq!(names(&out), tables);
    let out = dir.path().join("report-only");
    targetsim(&["run", &plan, "-n", "5000", "--no-charts", "-q"], &out);
    let mut want = tables.to_vec();
    want.insert(2, "report.html");
    assert_eq!(names(&out), want);
    assert_eq!(
        read(&out.join("report.html"))
            .matches("<figure id=\"chart-fan-")
            .count(),
        PLAN_INDICATORS
    );

    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    targetsim(&["run", &plan, "-n", "20000", "-t", "1", "-q"], &a);
    targetsim(&["run", &plan, "-n", "20000", "-t", "2", "-q"], &b);
    let files: Vec<String> = std::iter::once("report.html".to_string())
        .chain(
            names(&a.join("charts"))
                .into_iter()
                .map(|n| format!("charts/{n}")),
        )
        .collect();
    assert_eq!(files.len(), 1 + 2 * (PLAN_INDICATORS + PLAN_SETS));
    for f in files {
        let (x, y) = (
            std::fs::read(a.join(&f)).expect("file"),
            std::fs::read(b.join(&f)).expect("file"),
        );
        assert!(x == y, "{f} differs between 1 and 2 threads");
    }
}

const HOSTILE_PLAN: &str = r#"
title = "<script>alert(1)</script>"
description = "a & b <img src=x onerror=alert(2)>"
[simulation]
draws = 5000
horizon = [2026, 2027, 2028]
[base]
x = { value = 100, label = "<script>alert(1)</script>" }
[drivers]
g = { dist = "normal", mean = [0.08, 0.07, 0.06], sd = 0.02, persistence = 0.5, kind = "rate", label = "<b>g</b>" }
[indicators]
x = { formula = "x[t-1] * (1 + g)", label = "<script>alert(1)</script>", unit = "\"'>" }
[target_sets.draft]
label = "</svg><script>alert(3)</script>"
targets = [{ indicator = "x", year = 2026, at_least = 108, wording = "<i>力争</i>" }]
[plan_targets]
label = "<script>alert(4)</script>"
targets = [{ indicator = "x", at_least = 120, wording = "<i>确保</i>" }]
"#;

#[test]
fn scenario_text_shows_as_text_in_the_plan_report_and_its_fan_charts() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let scenario = dir.path().join("hostile-plan.toml");
    std::fs::write(&scenario, HOSTILE_PLAN).expect("write scenario");
    let out = dir.path().join("out");
    targetsim(&["run", &scenario.to_string_lossy(), "--quiet"], &out);
    let html = read(&out.join("report.html"));
    for banned in [
        "<script",
        "<img",
        "<b>g",
        "<i>力争",
        "<i>确保",
        "</svg><script",
    ] {
        assert!(!html.contains(banned), "report.html contains {banned}");
    }
    for escaped in [
        "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>",
        "a &amp; b &lt;img src=x onerror=alert(2)&gt;",
        "&lt;/svg&gt;&lt;script&gt;alert(3)&lt;/script&gt;",
        "&lt;script&gt;alert(4)&lt;/script&gt;",
        "&lt;i&gt;力争&lt;/i&gt;",
        "&lt;i&gt;确保&lt;/i&gt;",
    ] {
        assert!(html.contains(escaped), "report.html lacks {escaped}");
    }
    let svg = read(&out.join("charts/fan-x.svg"));
    assert!(!svg.contains("<script"), "fan-x.svg contains a script");
    assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(svg.matches("<svg").count(), 1);
}

/// How many times each `#rrggbb` appears as a fill or stroke in an SVG.
fn colour_count(svg: &str, hex: &str) -> usize {
    svg.matches(&format!("fill=\"{hex}\"")).count()
        + svg.matches(&format!("stroke=\"{hex}\"")).count()
}

#[test]
fn each_target_set_keeps_one_colour_in_every_chart_that_shows_it() {
    // Declaration order: draft vermillion, city blue (chart::palette).
    const DRAFT: &str = "#D55E00";
    const CITY: &str = "#0072B2";
    let tmp = tempfile::tempdir().expect("tmp");
    let run = tmp.path().join("run");
    targetsim(
        &[
            "run",
            seed_district().to_str().unwrap(),
            "--draws",
            "20000",
            "-q",
        ],
        &run,
    );
    let charts = run.join("charts");
    // A set's own chart draws its targets in its colour, and nothing in
    // the other set's.
    let draft = read(&charts.join("set-draft.svg"));
    let city = read(&charts.join("set-city.svg"));
    assert!(colour_count(&draft, DRAFT) >= 10, "draft's 10 targets");
    assert_eq!(colour_count(&draft, CITY), 0);
    assert!(colour_count(&city, CITY) >= 6, "city's 6 targets");
    assert_eq!(colour_count(&city, DRAFT), 0);
    // GDP growth carries a target of both sets: both colours, and the
    // ranges chart shows both.
    for stem in ["dist-gdp_growth", "ranges"] {
        let svg = read(&charts.join(format!("{stem}.svg")));
        assert!(colour_count(&svg, DRAFT) > 0, "{stem}: draft");
        assert!(colour_count(&svg, CITY) > 0, "{stem}: city");
    }
    // The ladders: a set's own markers in its colour, the upper level's
    // (the city's) in the city's; the city's ladder shows no draft colour.
    let roles = |svg: &str, role: &str| -> Vec<String> {
        svg.split(&format!("<g class=\"marker\" data-role=\"{role}\""))
            .skip(1)
            .map(|m| m[..m.find("</g>").expect("marker end")].to_string())
            .collect()
    };
    let ladder = read(&charts.join("ladder-draft.svg"));
    let own = roles(&ladder, "draft");
    assert_eq!(own.len(), 10, "draft's 10 targets");
    assert!(own.iter().all(|m| m.contains(&format!("fill=\"{DRAFT}\""))));
    let upper = roles(&ladder, "upper");
    assert_eq!(
        upper.len(),
        6,
        "the city's 6 targets on the draft's indicators"
    );
    assert!(
        upper
            .iter()
            .all(|m| m.contains(&format!("fill=\"{CITY}\"")))
    );
    let ladder = read(&charts.join("ladder-city.svg"));
    assert!(
        roles(&ladder, "draft")
            .iter()
            .all(|m| m.contains(&format!("fill=\"{CITY}\"")))
    );
    assert_eq!(colour_count(&ladder, DRAFT), 0);
    // The comparison's legend gives each set its colour.
    let cmp = tmp.path().join("compare");
    targetsim(
        &[
            "compare",
            seed_district().to_str().unwrap(),
            "--draws",
            "20000",
            "-q",
        ],
        &cmp,
    );
    let svg = read(&cmp.join("comparison.svg"));
    for (set, hex) in [("区草案", DRAFT), ("市下达", CITY)] {
        let at = svg
            .find(&format!(">{set}"))
            .unwrap_or_else(|| panic!("legend entry for {set}"));
        let rect = svg[..at].rfind("<rect").expect("legend swatch");
        assert!(
            svg[rect..at].contains(&format!("fill=\"{hex}\"")),
            "{set}'s swatch: {}",
            &svg[rect..at]
        );
    }
}

/// The text of one `<section id="...">` of a report.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let s = &html[html
        .find(&format!("<section id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"))..];
    &s[..s.find("</section>").expect("section end")]
}

/// Whether a string has a CJK ideograph or fullwidth punctuation.
fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
            || ('\u{3000}'..='\u{303f}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
    })
}

#[test]
fn the_plan_section_follows_the_language_and_names_indicators_by_label() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let plan = plan_scenario();
    let plan = plan.to_string_lossy();
    let zh = dir.path().join("zh");
    targetsim(&["run", &plan, "-n", "5000", "--no-charts", "-q"], &zh);
    let en = dir.path().join("en");
    let args = [
        "run",
        &plan,
        "-n",
        "5000",
        "--no-charts",
        "-q",
        "--lang",
        "en",
    ];
    targetsim(&args, &en);
    let zh = read(&zh.join("report.html"));
    let en = read(&en.join("report.html"));
    let (zh_plan, en_plan) = (section(&zh, "plan"), section(&en, "plan"));
    for text in ["<h2>规划目标</h2>", "所需水平", "年均增长", "4 项同时实现"] {
        assert!(
            zh_plan.contains(text),
            "the Chinese plan section lacks {text:?}"
        );
    }
    for text in [
        "<h2>Plan targets</h2>",
        "level needed",
        "average annual growth",
        "all 4 together",
        "What the remaining years must deliver",
        "Still reachable if 2026's target is met exactly?",
    ] {
        assert!(
            en_plan.contains(text),
            "the English plan section lacks {text:?}"
        );
    }
    // Labels as written, code names only in hovers: `gdp` is a title, and
    // the cell shows 地区生产总值 / the English label.
    assert!(zh_plan.contains("<span title=\"gdp\">地区生产总值</span>"));
    assert!(!zh_plan.contains("<code>gdp</code>") && !en_plan.contains("<code>gdp</code>"));
    // English: no Chinese outside the scenario's own text (the wording
    // column keeps the plan's words as written).
    let mut rest = en_plan.to_string();
    while let Some(i) = rest.find("<td>") {
        let j = i + rest[i..].find("</td>").expect("cell end");
        let cell = &rest[i + 4..j];
        let wording = [
            "年均增长8.5%以上",
            "2030年达到400亿元",
            "五年累计增长60%",
            "三产占比42%以上",
        ];
        if wording.contains(&cell) {
            rest.replace_range(i..j + 5, "");
        } else {
            rest.replace_range(i..i + 4, "<td >");
        }
    }
    assert!(!has_chinese(&rest), "{rest}");
    // Drivers by year, the fans' captions: the same language.
    assert!(zh.contains("驱动因素逐年") && en.contains("Drivers by year"));
    assert!(!en.contains("驱动因素逐年") && !zh.contains("<h3>Drivers by year"));
}

#[test]
fn the_pipeline_and_sensitivity_sections_follow_the_language() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let projects =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district-projects.toml");
    let projects = projects.to_string_lossy();
    let (zh, en) = (dir.path().join("zh"), dir.path().join("en"));
    targetsim(&["run", &projects, "-n", "5000", "--no-charts", "-q"], &zh);
    let args = [
        "run",
        &projects,
        "-n",
        "5000",
        "--no-charts",
        "-q",
        "--lang",
        "en",
    ];
    targetsim(&args, &en);
    let (zh, en) = (read(&zh.join("report.html")), read(&en.join("report.html")));
    let (zp, ep) = (section(&zh, "pipeline"), section(&en, "pipeline"));
    assert!(
        zp.contains("<h2>重点项目</h2>") && zp.contains("未实现概率"),
        "{zp}"
    );
    assert!(
        ep.contains("<h2>Key projects</h2>") && ep.contains("P(missed)"),
        "{ep}"
    );
    // Indicators by their labels, code names only as hovers.
    assert!(zp.contains("<span title=\"projects_started\">"), "{zp}");
    assert!(!zp.contains("<code>") && !ep.contains("<code>"));
    let (zs, es) = (section(&zh, "sensitivity"), section(&en, "sensitivity"));
    assert!(
        zs.contains("<h2>什么决定未达成</h2>") && zs.contains("秩相关"),
        "{zs}"
    );
    assert!(es.contains("<h2>What decides a miss</h2>") && es.contains("rank correlation"));
    assert!(!es.contains("秩相关") && !zs.contains("rank correlation"));
}

/// Characters no page or chart may hold: control characters other than
/// newline and tab (an SVG is written with newlines between elements).
fn controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| c.is_control() && c != '\n' && c != '\t')
        .collect()
}

#[test]
fn control_characters_and_markup_in_labels_reach_neither_the_report_nor_any_chart_raw() {
    // Validation refuses control characters in a scenario file (checked
    // below), so the labels are put into the loaded scenario, as a caller
    // of the library could, to test the renderers themselves.
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("plain.toml");
    let plain = r#"
title = "t"
[simulation]
draws = 4000
[base]
gdp = { value = 100, label = "b" }
[drivers]
g = { dist = "normal", mean = 0.08, sd = 0.02, kind = "rate", label = "g" }
h = { dist = "normal", mean = 0.05, sd = 0.02, kind = "rate", label = "h" }
[indicators]
gdp_growth = { formula = "g + h", kind = "rate", label = "x" }
[target_sets.draft]
label = "d"
targets = [{ indicator = "gdp_growth", at_least = 0.12, wording = "w" }]
"#;
    std::fs::write(&file, plain).expect("write scenario");
    let hostile = "增长\u{7}\u{1b}[31m<script>alert(1)</script>";
    let mut with_control = plain.replace("label = \"x\"", "label = \"增\\u0007长\"");
    with_control = with_control.replace("label = \"d\"", "label = \"草\\u001b[1m案\"");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, with_control).expect("write scenario");
    Command::cargo_bin("targetsim")
        .expect("binary")
        .args(["validate"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(contains("control character U+0007"));

    let mut s = targetsim::scenario::load(&file).expect("the scenario loads");
    s.title = hostile.into();
    s.description = format!("{hostile}\nsecond line");
    s.base[0].meta.label = Some(hostile.into());
    s.drivers[0].meta.label = Some(hostile.into());
    s.indicators[0].meta.label = Some(hostile.into());
    s.target_sets[0].meta.label = Some(hostile.into());
    s.target_sets[0].targets[0].wording = Some(hostile.into());
    let summary = targetsim::run(&s, &targetsim::RunOptions::new(4000, 1)).expect("the run");
    let settings = targetsim::briefing::Settings::default();
    let briefing = targetsim::briefing::build(&s, &summary, &settings);
    let mut charts = targetsim::render::chart::ladder::render_all(&briefing.sets, &settings, false)
        .expect("ladders");
    charts
        .extend(targetsim::render::chart::render_all(&summary, &settings, false).expect("charts"));
    let ladders: Vec<(String, String)> = charts
        .iter()
        .filter_map(|c| Some((c.stem.strip_prefix("ladder-")?.to_string(), c.svg.clone())))
        .collect();
    let page =
        targetsim::render::html::report_briefed(&s, &summary, &briefing, &charts, &[], &ladders)
            .to_html();
    assert_eq!(controls(&page), Vec::<char>::new(), "report.html");
    assert!(!page.contains("<script"), "report.html holds a script");
    // The label is shown, as text, without its control characters.
    assert!(page.contains("增长[31m&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("second line"));
    assert!(charts.len() >= 3, "{} charts", charts.len());
    let mut shown = 0;
    for c in &charts {
        assert_eq!(controls(&c.svg), Vec::<char>::new(), "{}.svg", c.stem);
        assert!(!c.svg.contains("<script"), "{}.svg holds a script", c.stem);
        shown += usize::from(
            c.svg
                .contains("增长[31m&lt;script&gt;alert(1)&lt;/script&gt;"),
        );
    }
    assert!(shown > 0, "no chart shows the label");
}
