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
