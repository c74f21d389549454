//! The spreadsheet round trip: base values and target sets included from a
//! workbook give the same results as the same values in TOML; malformed
//! workbooks are refused naming the sheet and the cell (exit 2, never a
//! panic); CSV files open cleanly (byte-order mark, ten significant digits,
//! formulas neutralised); results.xlsx holds summary.json's numbers in
//! formatted number cells.
//!
//! The workbooks are made here with rust_xlsxwriter, as Excel saves them:
//! numbers as number cells, rates in percentage-formatted cells.

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn seed_text() -> String {
    std::fs::read_to_string(root().join("scenarios/seed-district.toml")).expect("seed district")
}

/// `targetsim ARGS` in `dir`.
fn cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("targetsim").expect("binary");
    c.current_dir(dir).args(args);
    c
}

/// The seed district's TOML without `[base]` and the target sets, which
/// the workbook then holds, and with `include = ["inputs.xlsx"]`.
fn seed_without_base_and_targets() -> String {
    let mut out = String::from("include = [\"inputs.xlsx\"]\n");
    let mut skipping = false;
    for line in seed_text().lines() {
        if line.starts_with('[') {
            skipping = line == "[base]" || line.starts_with("[target_sets.");
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The seed district's `[base]` and target sets, as a workbook: a `基数`
/// sheet and a `targets` sheet, thresholds of rate indicators in
/// percentage-formatted cells, as a planner keeps them.
fn seed_workbook() -> Vec<u8> {
    let doc: toml::Table = seed_text().parse().expect("seed district parses");
    let mut wb = Workbook::new();
    let percent = Format::new().set_num_format("0%");
    let base = wb.add_worksheet();
    base.set_name("基数").expect("sheet name");
    for (c, h) in ["name", "value", "label", "label_en", "unit"]
        .iter()
        .enumerate()
    {
        base.write_string(0, c as u16, *h).expect("header");
    }
    for (r, (name, v)) in doc["base"].as_table().expect("[base]").iter().enumerate() {
        let r = r as u32 + 1;
        base.write_string(r, 0, name).expect("name");
        base.write_number(r, 1, v["value"].as_float().expect("value"))
            .expect("value");
        for (c, key) in [(2, "label"), (3, "label_en"), (4, "unit")] {
            if let Some(s) = v.get(key).and_then(|s| s.as_str()) {
                base.write_string(r, c, s).expect("text");
            }
        }
    }
    let targets = wb.add_worksheet();
    targets.set_name("targets").expect("sheet name");
    let header = [
        "set",
        "indicator",
        "rule",
        "value",
        "set_label",
        "set_label_en",
        "upper_level",
    ];
    for (c, h) in header.iter().enumerate() {
        targets.write_string(0, c as u16, *h).expect("header");
    }
    let mut r = 1;
    for (set, v) in doc["target_sets"].as_table().expect("target sets") {
        for t in v["targets"].as_array().expect("targets") {
            let indicator = t["indicator"].as_str().expect("indicator");
            let x = t["at_least"]
                .as_float()
                .or_else(|| t["at_least"].as_integer().map(|i| i as f64));
            let x = x.expect("the seed district's targets are at_least");
            targets.write_string(r, 0, set).expect("set");
            targets.write_string(r, 1, indicator).expect("indicator");
            targets.write_string(r, 2, "以上").expect("rule");
            if indicator.ends_with("growth") {
                targets
                    .write_number_with_format(r, 3, x, &percent)
                    .expect("rate");
            } else {
                targets.write_number(r, 3, x).expect("level");
            }
            targets
                .write_string(r, 4, v["label"].as_str().expect("label"))
                .expect("label");
            targets
                .write_string(r, 5, v["label_en"].as_str().expect("label_en"))
                .expect("label_en");
            if v.get("upper_level").and_then(|b| b.as_bool()) == Some(true) {
                targets.write_boolean(r, 6, true).expect("upper level");
            }
            r += 1;
        }
    }
    wb.save_to_buffer().expect("workbook bytes")
}

fn summary_json(dir: &Path, scenario: &str) -> serde_json::Value {
    cmd(
        dir,
        &[
            "run",
            scenario,
            "-n",
            "20000",
            "--no-charts",
            "--no-report",
            "-q",
            "--out",
            "out",
        ],
    )
    .assert()
    .success();
    serde_json::from_slice(&std::fs::read(dir.join("out/summary.json")).expect("summary.json"))
        .expect("JSON")
}

#[test]
fn the_seed_district_with_base_and_targets_in_a_workbook_gives_the_same_summary_apart_from_the_hash()
 {
    let toml_dir = tempfile::tempdir().expect("tempdir");
    let xlsx_dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(toml_dir.path().join("seed-district.toml"), seed_text()).expect("write");
    std::fs::write(
        xlsx_dir.path().join("seed-district.toml"),
        seed_without_base_and_targets(),
    )
    .expect("write");
    std::fs::write(xlsx_dir.path().join("inputs.xlsx"), seed_workbook()).expect("write");
    let mut from_toml = summary_json(toml_dir.path(), "seed-district.toml");
    let mut from_xlsx = summary_json(xlsx_dir.path(), "seed-district.toml");
    // The hash covers the scenario's bytes and the workbook's: it must differ.
    let (h1, h2) = (
        from_toml["scenario"]["hash"].take(),
        from_xlsx["scenario"]["hash"].take(),
    );
    assert_ne!(h1, h2);
    assert!(h2.as_str().is_some_and(|h| h.starts_with("sha256:")));
    assert_eq!(
        from_toml["target_sets"]["city"]["targets"]
            .as_object()
            .map(|t| t.len()),
        Some(6)
    );
    // Everything else, every digit of every number, is the same.
    assert_eq!(
        serde_json::to_string_pretty(&from_toml).expect("JSON"),
        serde_json::to_string_pretty(&from_xlsx).expect("JSON")
    );
}

/// Run `targetsim validate` on a one-indicator scenario that includes the
/// workbook `bytes`; the exit code and standard error.
fn validate_with(bytes: &[u8]) -> (i32, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("s.toml"),
        "include = [\"inputs.xlsx\"]\nname = \"s\"\n[drivers]\ng = { dist = \"normal\", mean = 0.09, sd = 0.01 }\n[indicators]\ngrowth = \"g\"\ngdp = \"gdp0 * (1 + g)\"\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("inputs.xlsx"), bytes).expect("write");
    let out = cmd(dir.path(), &["validate", "s.toml"])
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A workbook with a `base` sheet of the given rows below the header
/// `name, value` (each cell written by the closure).
fn base_workbook(fill: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("base").expect("name");
    fill(ws);
    wb.save_to_buffer().expect("bytes")
}

fn header(ws: &mut rust_xlsxwriter::Worksheet) {
    ws.write_string(0, 0, "name").expect("cell");
    ws.write_string(0, 1, "value").expect("cell");
}

#[test]
fn a_valid_workbook_is_accepted_and_a_percentage_cell_reads_as_its_fraction() {
    let bytes = base_workbook(|ws| {
        header(ws);
        ws.write_string(1, 0, "gdp0").expect("cell");
        ws.write_number(1, 1, 260.0).expect("cell");
    });
    let (code, err) = validate_with(&bytes);
    assert_eq!(code, 0, "{err}");
    // A target at 9% typed into a percentage cell is the target 0.09 exactly.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("base").expect("name");
    header(ws);
    ws.write_string(1, 0, "gdp0").expect("cell");
    ws.write_number(1, 1, 260.0).expect("cell");
    let t = wb.add_worksheet();
    t.set_name("目标").expect("name");
    for (c, h) in ["目标组", "指标", "规则", "目标值"].iter().enumerate() {
        t.write_string(0, c as u16, *h).expect("cell");
    }
    t.write_string(1, 0, "draft").expect("cell");
    t.write_string(1, 1, "growth").expect("cell");
    t.write_string(1, 2, "at_least").expect("cell");
    t.write_number_with_format(1, 3, 0.09, &Format::new().set_num_format("0%"))
        .expect("cell");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("s.toml"),
        "include = [\"inputs.xlsx\"]\nname = \"s\"\n[drivers]\ng = { dist = \"normal\", mean = 0.09, sd = 0.01 }\n[indicators]\ngrowth = \"g\"\ngdp = \"gdp0 * (1 + g)\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("inputs.xlsx"),
        wb.save_to_buffer().expect("bytes"),
    )
    .expect("write");
    let s = targetsim::scenario::load(&dir.path().join("s.toml")).expect("loads");
    assert_eq!(s.base[0].value, 260.0);
    assert_eq!(
        s.target_sets[0].targets[0].rule,
        targetsim::scenario::Rule::AtLeast { threshold: 0.09 }
    );
}

#[test]
fn text_where_a_number_belongs_is_refused_naming_workbook_sheet_and_cell_with_a_fix() {
    let bytes = base_workbook(|ws| {
        header(ws);
        for r in 1..6 {
            ws.write_string(r, 0, format!("x{r}")).expect("cell");
            ws.write_number(r, 1, 1.0).expect("cell");
        }
        ws.write_string(6, 0, "gdp0").expect("cell");
        ws.write_string(6, 1, "9%").expect("cell");
    });
    let (code, err) = validate_with(&bytes);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "inputs.xlsx, sheet base, B7: \"9%\" is text, not a number: type 9% as a number or 0.09"
        ),
        "{err}"
    );
}

#[test]
fn malformed_workbooks_exit_2_naming_the_sheet_and_the_cell() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "empty sheet",
            base_workbook(|_| {}),
            "sheet base: is empty: put the headers name, value",
        ),
        (
            "missing column",
            base_workbook(|ws| {
                ws.write_string(0, 0, "name").expect("cell");
                ws.write_string(1, 0, "gdp0").expect("cell");
            }),
            "sheet base, row 1: has no `value` column",
        ),
        (
            "unknown column",
            base_workbook(|ws| {
                header(ws);
                ws.write_string(0, 2, "lable").expect("cell");
                ws.write_string(1, 0, "gdp0").expect("cell");
                ws.write_number(1, 1, 1.0).expect("cell");
            }),
            "sheet base, C1: \"lable\" is not a column this sheet may have: did you mean `label`?",
        ),
        (
            "merged cells",
            base_workbook(|ws| {
                header(ws);
                ws.merge_range(1, 0, 2, 0, "gdp0", &Format::new())
                    .expect("merge");
                ws.write_number(1, 1, 1.0).expect("cell");
                ws.write_number(2, 1, 2.0).expect("cell");
            }),
            "sheet base, A2:A3: are merged cells: unmerge them",
        ),
        (
            "formula without a cached value",
            base_workbook(|ws| {
                ws.set_formula_result_default("");
                header(ws);
                ws.write_string(1, 0, "gdp0").expect("cell");
                ws.write_formula(1, 1, "=100+160").expect("formula");
            }),
            "sheet base, B2: =100+160 is a formula whose value was never computed: open the workbook in Excel or WPS and save it",
        ),
        (
            "a date where a number belongs",
            base_workbook(|ws| {
                header(ws);
                ws.write_string(1, 0, "gdp0").expect("cell");
                let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 1, 1).expect("date");
                ws.write_datetime_with_format(
                    1,
                    1,
                    &d,
                    &Format::new().set_num_format("yyyy-mm-dd"),
                )
                .expect("date");
            }),
            "sheet base, B2: (a date) is a date, not a number",
        ),
        (
            "not a workbook",
            b"name,value\ngdp0,260\n".to_vec(),
            "inputs.xlsx: is not an Excel workbook (.xlsx)",
        ),
        (
            "no sheet we read",
            {
                let mut wb = Workbook::new();
                wb.add_worksheet().set_name("notes").expect("name");
                wb.save_to_buffer().expect("bytes")
            },
            "has no sheet named base or targets (its sheets: notes)",
        ),
    ];
    for (what, bytes, want) in cases {
        let (code, err) = validate_with(&bytes);
        assert_eq!(code, 2, "{what}: {err}");
        assert!(err.contains(want), "{what}: want {want:?} in\n{err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
    }
}

#[test]
fn a_workbook_over_the_size_limit_is_refused_before_it_is_read() {
    let big = vec![0u8; targetsim::input::workbook::MAX_WORKBOOK_BYTES as usize + 1];
    let (code, err) = validate_with(&big);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("inputs.xlsx") && err.contains("at most"),
        "{err}"
    );
}

#[test]
fn a_problem_the_validator_finds_in_a_workbook_entry_names_its_cell() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("base").expect("name");
    header(ws);
    ws.write_string(1, 0, "gdp0").expect("cell");
    ws.write_number(1, 1, 260.0).expect("cell");
    let t = wb.add_worksheet();
    t.set_name("targets").expect("name");
    for (c, h) in ["set", "indicator", "rule", "value"].iter().enumerate() {
        t.write_string(0, c as u16, *h).expect("cell");
    }
    t.write_string(1, 0, "draft").expect("cell");
    t.write_string(1, 1, "growht").expect("cell");
    t.write_string(1, 2, "at_least").expect("cell");
    t.write_number(1, 3, 0.09).expect("cell");
    let (code, err) = validate_with(&wb.save_to_buffer().expect("bytes"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("names no indicator"), "{err}");
    assert!(err.contains("inputs.xlsx, sheet targets, B2"), "{err}");
    assert!(err.contains("did you mean `growth`?"), "{err}");
}

/// The workbook's sheets, and each cell's value and number format.
struct Book {
    xlsx: Xlsx<std::io::Cursor<Vec<u8>>>,
}

impl Book {
    fn open(path: &Path) -> Book {
        let bytes = std::fs::read(path).expect("workbook");
        Book {
            xlsx: Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook calamine reads"),
        }
    }

    fn names(&self) -> Vec<String> {
        self.xlsx.sheet_names()
    }

    /// Rows of a sheet below its two header rows, keyed by the code names
    /// of the second header row: (code name -> (value, number format)).
    fn rows(&mut self, sheet: &str) -> Vec<Vec<(String, Data, String)>> {
        let range = self.xlsx.worksheet_range(sheet).expect("sheet");
        let styles = self.xlsx.worksheet_style(sheet).expect("styles");
        let formulas = self.xlsx.worksheet_formula(sheet).expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet} holds formulas"
        );
        let (h, w) = range.get_size();
        let codes: Vec<String> = (0..w)
            .map(|c| {
                range
                    .get_value((1, c as u32))
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            })
            .collect();
        (2..h as u32)
            .map(|r| {
                (0..w as u32)
                    .map(|c| {
                        let v = range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
                        let f = styles
                            .get((r, c))
                            .and_then(|s| s.number_format.as_ref())
                            .map(|n| n.format_code.clone())
                            .unwrap_or_default();
                        (codes[c as usize].clone(), v, f)
                    })
                    .collect()
            })
            .collect()
    }
}

fn field<'a>(row: &'a [(String, Data, String)], code: &str) -> &'a (String, Data, String) {
    row.iter()
        .find(|(c, _, _)| c == code)
        .unwrap_or_else(|| panic!("no column {code}"))
}

fn float(d: &Data) -> f64 {
    match d {
        Data::Float(x) => *x,
        Data::Int(i) => *i as f64,
        other => panic!("not a number cell: {other:?}"),
    }
}

#[test]
fn results_xlsx_holds_summary_json_numbers_in_formatted_number_cells() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed = root().join("scenarios/seed-district.toml");
    let seed = seed.to_str().expect("path");
    cmd(
        dir.path(),
        &[
            "run",
            seed,
            "-n",
            "20000",
            "--no-charts",
            "--no-report",
            "-q",
            "--out",
            "out",
        ],
    )
    .assert()
    .success();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/summary.json")).expect("json"))
            .expect("JSON");
    let mut book = Book::open(&dir.path().join("out/results.xlsx"));
    assert_eq!(book.names(), ["结论", "目标", "指标", "敏感性"]);
    // Headline: every set's joint probability, as a percentage.
    let head = book.rows("结论");
    assert_eq!(head.len(), 2);
    for row in &head {
        let set = field(row, "target_set").1.to_string();
        let (_, p, fmt) = field(row, "joint_probability");
        assert_eq!(
            float(p),
            json["target_sets"][&set]["joint_probability"]
                .as_f64()
                .expect("p")
        );
        assert_eq!(fmt, "0.0%");
    }
    // Targets: every target's probability and standard error, bit for bit.
    let targets = book.rows("目标");
    assert_eq!(targets.len(), 16);
    for row in &targets {
        let set = field(row, "target_set").1.to_string();
        let ind = field(row, "indicator").1.to_string();
        // A one-year summary.json keys a set's targets by indicator.
        let want = &json["target_sets"][&set]["targets"][&ind];
        assert!(want.is_object(), "{set}.{ind} in summary.json");
        let (_, p, fmt) = field(row, "probability");
        assert_eq!(
            float(p),
            want["probability"].as_f64().expect("p"),
            "{set}.{ind}"
        );
        assert_eq!(fmt, "0.0%");
        assert_eq!(float(&field(row, "se").1), want["se"].as_f64().expect("se"));
        let (_, thr, fmt) = field(row, "threshold");
        assert_eq!(float(thr), want["threshold"].as_f64().expect("threshold"));
        // Rates as percentages, amounts with thousands, counts whole.
        let kind = json["indicators"][&ind]["kind"].as_str().expect("kind");
        let want_fmt = match kind {
            "rate" => "0.0%",
            "count" => "0",
            _ => "#,##0.00",
        };
        assert_eq!(fmt, want_fmt, "{ind}");
        assert!(matches!(field(row, "label").1, Data::String(_)));
    }
    // Indicators: mean, sd and quantiles of every indicator.
    let inds = book.rows("指标");
    assert_eq!(
        inds.len(),
        json["indicators"].as_object().expect("map").len()
    );
    for row in &inds {
        let ind = field(row, "indicator").1.to_string();
        let want = &json["indicators"][&ind];
        assert_eq!(
            float(&field(row, "mean").1),
            want["mean"].as_f64().expect("mean")
        );
        assert_eq!(float(&field(row, "sd").1), want["sd"].as_f64().expect("sd"));
        for q in ["p01", "p50", "p99"] {
            assert_eq!(
                float(&field(row, q).1),
                want["quantiles"][q].as_f64().expect("q")
            );
        }
    }
    assert_eq!(
        float(&field(&inds[0], "mean").1),
        json["indicators"]["va_primary_1"]["mean"]
            .as_f64()
            .expect("mean")
    );
    assert_eq!(field(&inds[0], "mean").2, "#,##0.00");
    assert!(!book.rows("敏感性").is_empty());
}

#[test]
fn a_plan_has_a_path_sheet_and_calibrate_and_compare_write_their_workbooks_and_csvs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = root().join("scenarios/seed-district-plan.toml");
    let plan = plan.to_str().expect("path");
    cmd(
        dir.path(),
        &[
            "run",
            plan,
            "-n",
            "4000",
            "--no-charts",
            "--no-report",
            "-q",
            "--out",
            "p",
        ],
    )
    .assert()
    .success();
    let mut book = Book::open(&dir.path().join("p/results.xlsx"));
    assert_eq!(book.names(), ["结论", "目标", "指标", "敏感性", "路径"]);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("p/summary.json")).expect("json"))
            .expect("JSON");
    let path = book.rows("路径");
    let first = path
        .iter()
        .find(|r| matches!(&field(r, "row").1, Data::String(s) if s == "required_average_growth"))
        .expect("row");
    assert_eq!(
        float(&field(first, "mean").1),
        json["plan_targets"]["targets"][0]["required_path"]["mean"]
            .as_f64()
            .expect("mean")
    );

    let seed = root().join("scenarios/seed-district.toml");
    let seed = seed.to_str().expect("path");
    cmd(
        dir.path(),
        &[
            "calibrate",
            seed,
            "-c",
            "0.7",
            "-n",
            "4000",
            "-q",
            "--out",
            "c",
        ],
    )
    .assert()
    .success();
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("c/calibration.json")).expect("json"),
    )
    .expect("JSON");
    let mut book = Book::open(&dir.path().join("c/calibration.xlsx"));
    assert_eq!(book.names(), ["结论", "目标"]);
    let rows = book.rows("目标");
    assert_eq!(
        rows.len(),
        json["targets"].as_object().expect("targets").len()
    );
    for row in &rows {
        let ind = field(row, "indicator").1.to_string();
        assert_eq!(
            float(&field(row, "recommended").1),
            json["targets"][&ind]["recommended"]
                .as_f64()
                .expect("recommended")
        );
        assert!(matches!(&field(row, "verdict").1, Data::String(v) if !v.is_empty()));
    }
    let csv = std::fs::read(dir.path().join("c/calibration.csv")).expect("csv");
    assert!(csv.starts_with(b"\xEF\xBB\xBFtarget_set,"));
    assert_eq!(
        String::from_utf8_lossy(&csv).lines().count(),
        rows.len() + 1
    );

    let variants = root().join("scenarios/seed-district-variants.toml");
    let variants = variants.to_str().expect("path");
    cmd(
        dir.path(),
        &["compare", variants, "-n", "4000", "-q", "--out", "v"],
    )
    .assert()
    .success();
    let mut book = Book::open(&dir.path().join("v/comparison.xlsx"));
    assert_eq!(book.names(), ["结论", "对比"]);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("v/comparison.json")).expect("json"))
            .expect("JSON");
    let rows = book.rows("对比");
    let variant = rows
        .iter()
        .find(|r| !matches!(&field(r, "variant").1, Data::String(s) if s == "base"))
        .expect("a variant row");
    let (name, set) = (
        field(variant, "variant").1.to_string(),
        field(variant, "target_set").1.to_string(),
    );
    assert_eq!(
        float(&field(variant, "difference").1),
        json["variants"][&name]["sets"][&set]["joint_change"]
            .as_f64()
            .expect("change")
    );
    let csv = std::fs::read(dir.path().join("v/comparison.csv")).expect("csv");
    assert!(csv.starts_with(b"\xEF\xBB\xBFvariant,"));
}

#[test]
fn hostile_labels_come_out_inert_in_csv_and_xlsx() {
    let hostile = [
        "=HYPERLINK(\"http://example.invalid\",\"click\")",
        "+1+1",
        "-1+1",
        "@SUM(A1:A2)",
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from(
        "name = \"h\"\n[simulation]\ndraws = 2000\n[drivers]\ng = { dist = \"normal\", mean = -0.05, sd = 0.01 }\n[indicators]\n",
    );
    for (k, label) in hostile.iter().enumerate() {
        text.push_str(&format!(
            "x{k} = {{ formula = \"g\", label = {label:?}, kind = \"rate\" }}\n"
        ));
    }
    text.push_str("[target_sets.t]\nlabel = \"=1+2\"\ntargets = [{ indicator = \"x0\", at_least = -0.05, wording = \"@x\" }]\n");
    std::fs::write(dir.path().join("h.toml"), text).expect("write");
    cmd(
        dir.path(),
        &[
            "run",
            "h.toml",
            "--no-charts",
            "--no-report",
            "-q",
            "--out",
            "out",
        ],
    )
    .assert()
    .success();
    let csv = std::fs::read(dir.path().join("out/indicators.csv")).expect("csv");
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let mut rows = csv::Reader::from_reader(&csv[3..]);
    let labels: Vec<String> = rows
        .records()
        .map(|r| r.expect("record")[1].to_string())
        .collect();
    let want: Vec<String> = hostile.iter().map(|h| format!("'{h}")).collect();
    assert_eq!(labels, want);
    // Numbers are never escaped: a negative mean stays a number.
    let mean = csv::Reader::from_reader(&csv[3..])
        .records()
        .next()
        .expect("row")
        .expect("record")[5]
        .to_string();
    assert!(
        mean.starts_with('-') && mean.parse::<f64>().is_ok(),
        "{mean}"
    );
    let targets =
        String::from_utf8(std::fs::read(dir.path().join("out/targets.csv")).expect("csv"))
            .expect("UTF-8");
    assert!(targets.contains(",'@x,'=1+2"), "{targets}");
    assert!(targets.contains(",-0.05,"), "{targets}");
    // In the workbook: string cells, never formulas, with the text as written.
    let mut book = Book::open(&dir.path().join("out/results.xlsx"));
    let inds = book.rows("指标");
    for (row, h) in inds.iter().zip(hostile) {
        assert_eq!(field(row, "label").1, Data::String(h.to_string()));
        assert!(float(&field(row, "mean").1) < 0.0);
    }
    let head = book.rows("结论");
    assert_eq!(field(&head[0], "set_label").1, Data::String("=1+2".into()));
    // Excel's quote prefix marks them as text: it lives in the style sheet.
    let bytes = std::fs::read(dir.path().join("out/results.xlsx")).expect("xlsx");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut styles = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/styles.xml").expect("styles"),
        &mut styles,
    )
    .expect("read");
    assert!(styles.contains("quotePrefix=\"1\""), "{styles}");
}

#[test]
fn the_workbook_is_byte_identical_for_one_thread_and_two() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed = root().join("scenarios/seed-district.toml");
    let seed = seed.to_str().expect("path");
    for (t, out) in [("1", "a"), ("2", "b")] {
        cmd(
            dir.path(),
            &[
                "run",
                seed,
                "-n",
                "20000",
                "-t",
                t,
                "--no-charts",
                "--no-report",
                "-q",
                "--out",
                out,
            ],
        )
        .assert()
        .success();
    }
    let a = std::fs::read(dir.path().join("a/results.xlsx")).expect("a");
    let b = std::fs::read(dir.path().join("b/results.xlsx")).expect("b");
    assert!(a == b, "results.xlsx differs between 1 and 2 threads");
    // The fixed creation time, not the clock.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(a)).expect("zip");
    let mut core = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("docProps/core.xml").expect("core"),
        &mut core,
    )
    .expect("read");
    assert!(core.contains("2000-01-01T00:00:00Z"), "{core}");
}
