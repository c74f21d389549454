//! What the charts say, read back from the SVG `run` writes: every tick
//! label is the value at its gridline, a count's threshold sits at its true
//! value, the ladder puts each marker at its probability and its bands at
//! the verdict edges; English charts carry no Chinese but the scenario's
//! own labels.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use targetsim::briefing::Settings;
use targetsim::render::chart;
use targetsim::render::lang::Lang;
use targetsim::{RunOptions, scenario};

fn scenario_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn run(scenario: &str, out: &Path) {
    Command::cargo_bin("targetsim")
        .expect("binary")
        .args([
            "run",
            &scenario_path(scenario).to_string_lossy(),
            "-n",
            "20000",
            "-q",
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The SVG files of a directory, sorted.
fn svgs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("charts directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    v.sort();
    v
}

/// The value of attribute `name` in the markup `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[at..at + tag[at..].find('"')?])
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

/// An axis: label numbers at its two ends and where they are drawn.
#[derive(Debug, Clone, Copy)]
struct Axis {
    lo: f64,
    hi: f64,
    px0: f64,
    px1: f64,
}

impl Axis {
    /// The label number at drawing position `px`.
    fn value(&self, px: f64) -> f64 {
        self.lo + (px - self.px0) / (self.px1 - self.px0) * (self.hi - self.lo)
    }
    /// Label units per drawing unit.
    fn per_unit(&self) -> f64 {
        ((self.hi - self.lo) / (self.px1 - self.px0)).abs()
    }
}

/// An axis's ticks: gridline position and label.
type Ticks = Vec<(f64, String)>;

/// Every axis of an SVG: its direction, scale and ticks (gridline
/// position, label).
fn axes(svg: &str) -> Vec<(String, Axis, Ticks)> {
    svg.split("<g class=\"axis\"")
        .skip(1)
        .map(|chunk| {
            let head = &chunk[..chunk.find('>').expect("axis tag")];
            let dir = attr(head, "data-axis").expect("data-axis").to_string();
            let s: Vec<f64> = attr(head, "data-scale")
                .expect("data-scale")
                .split(' ')
                .map(num)
                .collect();
            let axis = Axis {
                lo: s[0],
                hi: s[1],
                px0: s[2],
                px1: s[3],
            };
            let body = &chunk[..chunk.find("</g>\n</g>").map_or(chunk.len(), |e| e + 4)];
            let ticks = body
                .split("<g class=\"tick\">")
                .skip(1)
                .map(|t| {
                    let line = &t[..t.find("/>").expect("gridline")];
                    let pos =
                        num(attr(line, if dir == "x" { "x1" } else { "y1" }).expect("position"));
                    let label = t
                        [t.find("\">").expect("text") + 2..t.find("</text>").expect("end")]
                        .to_string();
                    (pos, label)
                })
                .collect();
            (dir, axis, ticks)
        })
        .collect()
}

/// The number a tick label shows (`12.5%` → 12.5, `-2` → -2).
fn shown(label: &str) -> f64 {
    num(label.trim_end_matches('%'))
}

#[test]
fn every_tick_label_of_every_chart_run_writes_is_the_value_at_its_gridline() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut checked = 0;
    for (scenario, min_files) in [("seed-district.toml", 15), ("seed-district-plan.toml", 23)] {
        let out = dir.path().join(scenario);
        run(scenario, &out);
        let mut files = svgs(&out.join("charts"));
        files.push(out.join("tornado.svg"));
        assert!(
            files.len() >= min_files,
            "{scenario}: {} charts",
            files.len()
        );
        for f in files {
            // `ranges` writes each row's numbers in place of an axis.
            let ranges = f.file_stem().is_some_and(|s| s == "ranges");
            checked += ticks_read_back(&read(&f), &f.display().to_string(), !ranges);
        }
    }
    assert!(checked > 300, "only {checked} ticks");
}

/// Checks that every tick label of `svg` is the value at its gridline;
/// returns how many ticks were checked.
fn ticks_read_back(svg: &str, what: &str, needs_axis: bool) -> usize {
    let axes = axes(svg);
    assert!(!needs_axis || !axes.is_empty(), "{what}: no axis");
    let mut checked = 0;
    for (dir, axis, ticks) in axes {
        assert!(
            ticks.len() >= 3,
            "{what}: {dir} axis has {} ticks",
            ticks.len()
        );
        for (pos, label) in ticks {
            let at = axis.value(pos);
            // Positions are written to 0.001 units: the label must be the
            // value there, not a rounding of it (a 12.5% gridline labelled
            // 12% is half a point off).
            let tol = 0.002 * axis.per_unit() + 1e-9 * at.abs().max(1.0);
            assert!(
                (shown(&label) - at).abs() <= tol,
                "{what}: {dir} tick at {pos} is {at} but reads {label:?}"
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn backtest_and_pipeline_charts_share_the_axes_the_words_and_the_threshold_rules() {
    let dir = tempfile::tempdir().expect("tmp");
    let history =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/us_consumption_1950_1993.csv");
    let mut checked = 0;
    for lang in ["zh", "en"] {
        let out = dir.path().join(format!("bt-{lang}"));
        command(
            &[
                "backtest",
                &history.to_string_lossy(),
                "--series",
                "income",
                "-q",
                "--lang",
                lang,
            ],
            &out,
        );
        for chart in ["forecasts", "pit"] {
            let svg = read(&out.join(format!("{chart}.svg")));
            let what = format!("{chart}.svg ({lang})");
            // Four panels, each with its two axes.
            assert_eq!(axes(&svg).len(), 8, "{what}");
            checked += ticks_read_back(&svg, &what, true);
            let chinese = visible_text(&svg).iter().any(|t| t.chars().any(is_cjk));
            assert_eq!(chinese, lang == "zh", "{what}: Chinese shown: {chinese}");
            assert!(svg.contains(&format!("font-family=\"{}\"", chart::FONT_FAMILY)));
        }
        let pit = read(&out.join("pit.svg"));
        // Counts are bars: 4 methods × 5 bins.
        assert_eq!(pit.matches("<rect x=").count(), 20, "pit bars");
    }

    // The pipeline chart: its threshold (the speech's "at least 300
    // projects started") is drawn at 300 on its axis, in the set's colour,
    // with its unit; the count axis reads back.
    let out = dir.path().join("projects");
    run("seed-district-projects.toml", &out);
    let svg = read(&out.join("pipeline.svg"));
    checked += ticks_read_back(&svg, "pipeline.svg", true);
    let (_, y, _) = axes(&svg)
        .into_iter()
        .find(|a| a.0 == "y")
        .expect("a y axis");
    let line = svg
        .split("<line class=\"threshold\"")
        .nth(1)
        .expect("a threshold line");
    let line = &line[..line.find("/>").expect("line end")];
    assert!((y.value(num(attr(line, "y1").expect("y1"))) - 300.0).abs() < 0.01);
    assert_eq!(
        attr(line, "stroke"),
        Some(targetsim::render::chart::style::palette::target_set(0))
    );
    assert!(svg.contains("≥ 300 个"), "the threshold carries its unit");
    assert!(visible_text(&svg).iter().any(|t| t.contains("重点项目")));
    assert!(checked > 80, "only {checked} ticks");
}

/// The x position, in the x axis's label units, of the `threshold` line
/// each set draws.
fn thresholds(svg: &str) -> Vec<(String, f64)> {
    let (_, x, _) = axes(svg)
        .into_iter()
        .find(|a| a.0 == "x")
        .expect("an x axis");
    svg.split("<line class=\"threshold\"")
        .skip(1)
        .map(|t| {
            let tag = &t[..t.find("/>").expect("line end")];
            (
                attr(tag, "data-set").expect("data-set").to_string(),
                x.value(num(attr(tag, "x1").expect("x1"))),
            )
        })
        .collect()
}

#[test]
fn counts_are_bars_of_their_values_with_the_threshold_at_its_true_value() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("seed");
    run("seed-district.toml", &out);
    // PV capacity is 50 MW per project: `≥ 300 MW` is drawn at 300, not
    // half a gap lower at 275.
    let pv = read(&out.join("charts/dist-pv_mw.svg"));
    let t = thresholds(&pv);
    assert_eq!(t.len(), 1);
    assert!((t[0].1 - 300.0).abs() < 0.01, "{t:?}");
    assert!(
        pv.contains("区草案 ≥ 300.0 MW: 实现概率"),
        "the threshold carries its unit"
    );
    // New firms: a count, one bar per value, `≥ 10` at 10.
    let firms = read(&out.join("charts/dist-new_scale_firms.svg"));
    let t = thresholds(&firms);
    assert!((t[0].1 - 10.0).abs() < 0.01, "{t:?}");
    let bars = firms.matches("<rect x=").count();
    // The binomial(16, 0.6) takes about 13 values in 20,000 draws; bins of
    // a continuous histogram would be 20 or more.
    assert!((8..20).contains(&bars), "{bars} bars");
    // Coinciding thresholds (fiscal growth: both sets ask 15%) are both
    // drawn at 15%, and each label says whose it is.
    let fiscal = read(&out.join("charts/dist-fiscal_growth.svg"));
    let t = thresholds(&fiscal);
    assert_eq!(t.len(), 2, "{t:?}");
    assert!(t.iter().all(|(_, v)| (v - 15.0).abs() < 0.01), "{t:?}");
    assert!(
        fiscal.contains(">区草案 ≥ 15.0%: 实现概率")
            && fiscal.contains(">市下达 ≥ 15.0%: 实现概率")
    );
}

#[test]
fn a_ladder_puts_each_marker_at_its_probability_and_its_bands_at_the_verdict_edges() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("seed");
    run("seed-district.toml", &out);
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("summary.json"))).expect("summary.json");
    let svg = read(&out.join("charts/ladder-draft.svg"));
    let (_, x, _) = axes(&svg).into_iter().find(|a| a.0 == "x").expect("x axis");
    // The axis is in percent.
    assert_eq!((x.lo, x.hi), (0.0, 100.0));
    let marker_x = |role: &str| -> Vec<f64> {
        svg.split(&format!("data-role=\"{role}\" transform=\"translate("))
            .skip(1)
            .map(|m| x.value(num(&m[..m.find(',').expect("x")])) / 100.0)
            .collect()
    };
    let sets = &json["target_sets"];
    let want: Vec<f64> = sets["draft"]["targets"]
        .as_object()
        .expect("targets")
        .values()
        .map(|t| t["probability"].as_f64().expect("p"))
        .collect();
    let got = marker_x("draft");
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-5, "draft marker at {g}, P(met) {w}");
    }
    // The upper level's markers: the district's probability of meeting the
    // city's target on the same indicator, in the draft's order.
    let city = sets["city"]["targets"].as_object().expect("city");
    let want: Vec<f64> = sets["draft"]["targets"]
        .as_object()
        .expect("targets")
        .keys()
        .filter_map(|k| city.get(k))
        .map(|t| t["probability"].as_f64().expect("p"))
        .collect();
    let got = marker_x("upper");
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-5, "upper marker at {g}, P(met) {w}");
    }
    let joint = sets["draft"]["joint_probability"].as_f64().expect("joint");
    assert!((marker_x("joint")[0] - joint).abs() < 1e-5);
    // Bands at the default verdict edges 50% and 90%.
    let bands: Vec<(f64, f64)> = svg
        .split("<rect class=\"band\"")
        .skip(1)
        .map(|r| {
            let tag = &r[..r.find("/>").expect("rect")];
            let x0 = num(attr(tag, "x").expect("x"));
            let w = num(attr(tag, "width").expect("width"));
            (x.value(x0), x.value(x0 + w))
        })
        .collect();
    assert_eq!(bands.len(), 3, "{bands:?}");
    for ((a, b), (wa, wb)) in bands.iter().zip([(0.0, 50.0), (50.0, 90.0), (90.0, 100.0)]) {
        assert!((a - wa).abs() < 1e-3 && (b - wb).abs() < 1e-3, "{bands:?}");
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// The `label = "…"` and `unit = "…"` values of a scenario file: the only
/// Chinese an English chart may show (a label without an English one, a
/// unit as the scenario writes it: 亿元).
fn labels(scenario: &str) -> Vec<String> {
    let text = read(&scenario_path(scenario));
    let mut out: Vec<String> = ["label = \"", "unit = \""]
        .iter()
        .flat_map(|key| text.split(key).skip(1))
        .map(|s| s[..s.find('"').expect("value end")].to_string())
        .collect();
    // Longest first, so a label is removed before a shorter one inside it.
    out.sort_by_key(|l| std::cmp::Reverse(l.len()));
    out
}

/// Visible text of an SVG: `<text>` contents (hover `<title>`s may name
/// code names and are not shown).
fn visible_text(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .map(|t| t[t.find('>').expect("text") + 1..t.find("</text>").expect("end")].to_string())
        .collect()
}

fn assert_english(svg: &str, labels: &[String], what: &str) {
    for t in visible_text(svg) {
        let mut rest = t.clone();
        for l in labels {
            rest = rest.replace(l.as_str(), "");
        }
        assert!(!rest.chars().any(is_cjk), "{what}: {t:?} is not English");
    }
}

/// Every `<text>` of an SVG lies inside its canvas: a label never runs off
/// the edge. Widths as the embedded font draws them, near enough: a CJK
/// character 1 em, any other 0.45 em (the charts' own layout estimate,
/// `svg::text_width`, is wider on purpose).
fn shown_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if is_cjk(c) { 1.0 } else { 0.45 })
        .sum::<f64>()
        * size
}

fn assert_inside(svg: &str, what: &str) {
    let canvas = attr(&svg[svg.find("<svg").expect("svg")..], "width").map_or(0.0, num);
    for t in svg.split("<text").skip(1) {
        let tag = &t[..t.find('>').expect("tag end")];
        let body = &t[t.find('>').expect("tag end") + 1..t.find("</text>").expect("end")];
        // Text without its inner tags and with entities as one character.
        let mut shown = String::new();
        let mut inside = false;
        for c in body.chars() {
            match c {
                '<' => inside = true,
                '>' => inside = false,
                _ if !inside => shown.push(c),
                _ => {}
            }
        }
        let shown = shown
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'");
        let (Some(x), Some(size)) = (attr(tag, "x"), attr(tag, "font-size")) else {
            continue;
        };
        if tag.contains("transform=") {
            continue; // rotated axis titles: measured along another axis
        }
        let (x, w) = (num(x), shown_width(&shown, num(size)));
        let (from, to) = match attr(tag, "text-anchor") {
            Some("end") => (x - w, x),
            Some("middle") => (x - w / 2.0, x + w / 2.0),
            _ => (x, x + w),
        };
        assert!(
            from >= -0.5 && to <= canvas + 0.5,
            "{what}: {shown:?} spans {from:.1}..{to:.1} of a {canvas} wide canvas"
        );
    }
}

#[test]
fn english_charts_show_no_chinese_except_inside_scenario_labels() {
    let en = Settings {
        lang: Lang::En,
        ..Settings::default()
    };
    let s = scenario::load(&scenario_path("seed-district.toml")).expect("seed");
    let summary = targetsim::run(&s, &RunOptions::new(20_000, 7)).expect("run");
    let labels_seed = labels("seed-district.toml");
    let charts = chart::render_all(&summary, &en, false).expect("charts");
    assert_eq!(charts.len(), 13);
    for c in &charts {
        assert_english(&c.svg, &labels_seed, &c.stem);
        // The same chart in Chinese does show Chinese: the test can fail.
        let zh = chart::render(&summary, &Settings::default(), c.spec, false).expect("zh");
        assert!(visible_text(&zh.svg).iter().any(|t| t.chars().any(is_cjk)));
        // The English labels are the longer: every one stays on the canvas
        // (the ladder cut "fixed-asset investment, next year at least 280
        // 亿元" at its left edge); the Chinese ones too.
        assert_inside(&c.svg, &c.stem);
        assert_inside(&zh.svg, &zh.stem);
    }
    let p = scenario::load(&scenario_path("seed-district-plan.toml")).expect("plan");
    let summary = targetsim::run(&p, &RunOptions::new(5_000, 7)).expect("run");
    let labels_plan = labels("seed-district-plan.toml");
    let fans = targetsim::render::fan::render_all(&p, &summary, &en, false).expect("fans");
    assert_eq!(fans.len(), 20);
    for f in &fans {
        assert_english(&f.svg, &labels_plan, &f.stem);
        // Their side column wraps to the canvas (English ran past it).
        assert_inside(&f.svg, &f.stem);
    }
}

#[test]
fn the_tornado_is_in_probability_units_and_shows_only_drivers_that_matter() {
    use targetsim::render::tornado;
    let s = scenario::load(&scenario_path("seed-district.toml")).expect("seed");
    let sens = targetsim::sensitivity::run(&s, &RunOptions::new(65_536, 7)).expect("sensitivity");
    let panels = tornado::panels(&s, &sens, &Settings::default());
    // Retail, income, investment growth and the levels are one-driver
    // identities: only GDP growth (two thresholds) and fiscal growth (one
    // threshold both sets ask) have panels.
    let names: Vec<(&str, &str)> = panels
        .iter()
        .map(|p| (p.indicator.as_str(), p.set.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("gdp_growth", "区草案"),
            ("gdp_growth", "市下达"),
            ("fiscal_growth", "区草案、市下达")
        ]
    );
    for p in &panels {
        for r in &p.rows {
            assert!(
                tornado::matters(&r.low, &r.high),
                "{}: {}",
                p.title,
                r.driver
            );
            // A tenth of the analysed draws at each end.
            assert!((r.low.draws as f64 - 6553.6).abs() < 2.0, "{:?}", r.low);
        }
        // All draws lie between the tenths' probabilities for the strongest driver.
        let top = &p.rows[0];
        let (a, b) = (
            top.low.probability.min(top.high.probability),
            top.low.probability.max(top.high.probability),
        );
        assert!(a <= p.probability && p.probability <= b, "{}", p.title);
    }
    // GDP growth rises with secondary growth: P(≥ 9%) in its top tenth is
    // above that in its bottom tenth, and the title carries the threshold.
    let gdp = &panels[0];
    assert_eq!(gdp.title, "P(地区生产总值增速 ≥ 9.0%)");
    let g2 = gdp
        .rows
        .iter()
        .find(|r| r.driver == "g_secondary")
        .expect("g_secondary");
    assert!(g2.high.probability > g2.low.probability + 0.5);
}

fn command(args: &[&str], out: &Path) {
    Command::cargo_bin("targetsim")
        .expect("binary")
        .args(args)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// `translate(x,…)` of every marker with `role`, in label units of the x axis.
fn marker_values(svg: &str, role: &str) -> Vec<f64> {
    let (_, x, _) = axes(svg).into_iter().find(|a| a.0 == "x").expect("x axis");
    svg.split(&format!("data-role=\"{role}\" transform=\"translate("))
        .skip(1)
        .map(|m| x.value(num(&m[..m.find(',').expect("x")])))
        .collect()
}

#[test]
fn the_variants_chart_shows_only_moved_targets_at_their_paired_change() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("cmp");
    let scenario = scenario_path("seed-district-variants.toml");
    command(
        &["compare", &scenario.to_string_lossy(), "-n", "20000", "-q"],
        &out,
    );
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("comparison.json"))).expect("comparison.json");
    let svg = read(&out.join("comparison-variants-draft.svg"));
    // Expected dots, in order: per variant its moved targets, then the joint.
    let mut want: Vec<f64> = Vec::new();
    let mut unchanged = 0;
    for v in json["variants"].as_object().expect("variants").values() {
        let set = &v["sets"]["draft"];
        for t in set["targets"].as_object().expect("targets").values() {
            let (c, se) = (
                t["change"].as_f64().unwrap(),
                t["change_se"].as_f64().unwrap(),
            );
            if c.abs() >= 0.001 && c.abs() > 2.0 * se {
                want.push(100.0 * c);
            } else {
                unchanged += 1;
            }
        }
        want.push(100.0 * set["joint_change"].as_f64().unwrap());
    }
    assert!(unchanged > 10, "the variants leave most targets unchanged");
    let got = marker_values(&svg, "change");
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-3, "dot at {g} pp, change {w} pp");
    }
    // The sets chart: each set's joint bar, a threshold with its unit.
    let sets = read(&out.join("comparison.svg"));
    assert!(sets.contains("区草案 ≥ 280.0 亿元: ") && sets.contains(">全部同时实现</text>"));
}

#[test]
fn calibrate_draws_its_recommended_thresholds_as_a_ladder() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("cal");
    let scenario = scenario_path("seed-district.toml");
    command(
        &[
            "calibrate",
            &scenario.to_string_lossy(),
            "--confidence",
            "0.7",
            "-n",
            "20000",
            "-q",
        ],
        &out,
    );
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("calibration.json"))).expect("calibration.json");
    let svg = read(&out.join("calibration.svg"));
    assert!(
        std::fs::metadata(out.join("calibration.png"))
            .expect("png")
            .len()
            > 10_000
    );
    let targets = json["targets"].as_object().expect("targets");
    // The recommendation is drawn as it can be published (rounded, at
    // its own probability), as run's ladder draws it.
    for (role, key) in [
        ("draft", &["probability"][..]),
        ("recommendation", &["published", "probability"][..]),
    ] {
        let got = marker_values(&svg, role);
        assert_eq!(got.len(), targets.len(), "{role}");
        for (g, t) in got.iter().zip(targets.values()) {
            let w = 100.0 * key.iter().fold(t, |v, k| &v[*k]).as_f64().unwrap();
            assert!((g - w).abs() < 1e-3, "{role} at {g}%, want {w}%");
        }
    }
}

#[test]
fn every_chart_of_every_command_keeps_its_text_on_the_canvas_in_both_languages() {
    // The English wording is the longer: the comparison's bar labels, the
    // plan's tornado heading and the pipeline's note ran past the edge.
    let dir = tempfile::tempdir().expect("tmp");
    let mut checked = 0;
    for lang in ["en", "zh"] {
        let jobs: [(&str, &str, &[&str]); 5] = [
            ("compare", "seed-district-variants.toml", &[]),
            ("compare", "seed-district-plan.toml", &[]),
            (
                "calibrate",
                "seed-district-plan.toml",
                &["--set", "annual_path"],
            ),
            ("run", "seed-district-plan.toml", &[]),
            ("run", "seed-district-projects.toml", &[]),
        ];
        for (k, (cmd, file, extra)) in jobs.iter().enumerate() {
            let out = dir.path().join(format!("{lang}-{k}"));
            let path = scenario_path(file);
            let mut args = vec![*cmd, path.to_str().expect("utf-8"), "-n", "20000", "-q"];
            args.extend(["--lang", lang]);
            args.extend(extra.iter().copied());
            command(&args, &out);
            let mut files = svgs(&out);
            if out.join("charts").is_dir() {
                files.extend(svgs(&out.join("charts")));
            }
            assert!(!files.is_empty(), "{cmd} {file} drew no chart");
            for f in files {
                assert_inside(&read(&f), &format!("{lang} {cmd} {file}: {}", f.display()));
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "{checked} charts");
}
