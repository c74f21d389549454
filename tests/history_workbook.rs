//! `fit` and `backtest` read history from a workbook (`.xlsx`, the first
//! sheet or `--sheet NAME`) as they read it from CSV: the US consumption
//! series (the test copy of ../shared/data, checked equal to it by
//! tests/history.rs) written into a workbook here with rust_xlsxwriter give
//! byte-identical outputs, apart from the data file's name, which `fit` and
//! `backtest` record. Malformed history workbooks exit 2 naming the
//! workbook, the sheet and the cell.

use assert_cmd::Command;
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use std::path::{Path, PathBuf};

const US: &str = "us_consumption_1950_1993.csv";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("targetsim").expect("binary");
    c.current_dir(dir).args(args);
    c
}

/// The CSV's header and rows, parsed as `History` parses them (`str::parse`).
fn us_rows() -> (Vec<String>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(data(US)).expect("read data");
    let mut lines = text.lines();
    let header = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(|f| f.parse().expect("number")).collect())
        .collect();
    (header, rows)
}

/// Write the CSV's table on `ws`, levels in a thousands-separated number
/// format as a bureau keeps them (the format must not change the numbers).
fn write_history(ws: &mut Worksheet) {
    let (header, rows) = us_rows();
    let money = Format::new().set_num_format("#,##0");
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_number(r, 0, row[0]).expect("year");
        for (c, x) in row.iter().enumerate().skip(1) {
            ws.write_number_with_format(r, c as u16, *x, &money)
                .expect("level");
        }
    }
}

/// A workbook whose first sheet holds the history.
fn history_first() -> Vec<u8> {
    let mut wb = Workbook::new();
    write_history(wb.add_worksheet().set_name("data").expect("name"));
    wb.save_to_buffer().expect("bytes")
}

/// A workbook with a notes sheet first and the history on `历年数据`.
fn history_second() -> Vec<u8> {
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet().set_name("说明").expect("name");
    notes
        .write_string(0, 0, "source: US consumption, 1950-1993")
        .expect("note");
    write_history(wb.add_worksheet().set_name("历年数据").expect("name"));
    wb.save_to_buffer().expect("bytes")
}

/// Every file under `dir`, by relative name, with `from` replaced by `to`
/// in text files (the data file's name, which the outputs record).
fn outputs(dir: &Path, from: &str, to: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&p).expect("read output");
        let bytes = match String::from_utf8(bytes) {
            Ok(t) => t.replace(from, to).into_bytes(),
            Err(e) => e.into_bytes(),
        };
        out.push((name, bytes));
    }
    out.sort();
    out
}

#[test]
fn the_same_history_from_csv_and_from_a_workbook_gives_byte_identical_fit_and_backtest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let csv_dir = tmp.path().join("csv");
    std::fs::create_dir(&csv_dir).unwrap();
    std::fs::copy(data(US), csv_dir.join("us.csv")).unwrap();
    // (sheet argument, workbook bytes): first sheet, and a named sheet.
    let cases: [(Option<&str>, Vec<u8>); 2] = [
        (None, history_first()),
        (Some("历年数据"), history_second()),
    ];
    let fit = |dir: &Path, file: &str, sheet: Option<&str>| {
        let mut args = vec![
            "fit",
            file,
            "--series",
            "income,expenditure",
            "--out",
            "drivers.toml",
        ];
        if let Some(s) = sheet {
            args.extend(["--sheet", s]);
        }
        let o = cmd(dir, &args).output().expect("run fit");
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        o.stdout
    };
    let backtest = |dir: &Path, file: &str, sheet: Option<&str>| {
        let mut args = vec![
            "backtest", file, "--series", "income", "--draws", "2000", "--out", "bt",
        ];
        if let Some(s) = sheet {
            args.extend(["--sheet", s]);
        }
        let o = cmd(dir, &args).output().expect("run backtest");
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        o.stdout
    };
    let csv_fit = fit(&csv_dir, "us.csv", None);
    let csv_bt = backtest(&csv_dir, "us.csv", None);
    let csv_fragment = std::fs::read(csv_dir.join("drivers.toml")).unwrap();
    let csv_outputs = outputs(&csv_dir.join("bt"), "", "");
    // The five outputs and the folder's marker.
    assert_eq!(csv_outputs.len(), 6);
    for (k, (sheet, bytes)) in cases.into_iter().enumerate() {
        let dir = tmp.path().join(format!("xlsx{k}"));
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("us.xlsx"), bytes).unwrap();
        let same = |a: Vec<u8>| String::from_utf8(a).unwrap().replace("us.xlsx", "us.csv");
        let fit_out = fit(&dir, "us.xlsx", sheet);
        // The file name is recorded: it must be the workbook's.
        assert!(String::from_utf8_lossy(&fit_out).contains("us.xlsx"));
        assert_eq!(same(fit_out), String::from_utf8(csv_fit.clone()).unwrap());
        let fragment = std::fs::read(dir.join("drivers.toml")).unwrap();
        assert_eq!(
            same(fragment),
            String::from_utf8(csv_fragment.clone()).unwrap()
        );
        assert_eq!(
            same(backtest(&dir, "us.xlsx", sheet)),
            String::from_utf8(csv_bt.clone()).unwrap()
        );
        let xlsx_outputs = outputs(&dir.join("bt"), "us.xlsx", "us.csv");
        assert_eq!(xlsx_outputs.len(), csv_outputs.len());
        for ((n1, a), (n2, b)) in csv_outputs.iter().zip(&xlsx_outputs) {
            assert_eq!(n1, n2);
            if n1 == ".targetsim-backtest" {
                // The folder's marker holds the outputs' hashes, so it
                // differs with backtest.json's recorded file name; the
                // outputs themselves are compared here.
                continue;
            }
            assert!(a == b, "{n1} differs between CSV and workbook input");
        }
    }
}

/// Run `args` in a directory holding `history.xlsx` made of `bytes` (and a
/// `history.csv`); the exit code and standard error.
fn refused(bytes: &[u8], args: &[&str]) -> (Option<i32>, String) {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("history.xlsx"), bytes).unwrap();
    std::fs::copy(data(US), tmp.path().join("history.csv")).unwrap();
    let o = cmd(tmp.path(), args).output().expect("run");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !tmp.path().join("bt").exists() && !tmp.path().join("f.toml").exists(),
        "a refused command wrote output"
    );
    (o.status.code(), err)
}

fn sheet_with(fill: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
    let mut wb = Workbook::new();
    fill(wb.add_worksheet().set_name("data").expect("name"));
    wb.save_to_buffer().expect("bytes")
}

fn head(ws: &mut Worksheet) {
    ws.write_string(0, 0, "year").unwrap();
    ws.write_string(0, 1, "gdp").unwrap();
}

#[test]
fn malformed_history_workbooks_exit_2_naming_workbook_sheet_and_cell() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "text where a number belongs",
            sheet_with(|ws| {
                head(ws);
                ws.write_number(1, 0, 2000.0).unwrap();
                ws.write_number(1, 1, 100.0).unwrap();
                ws.write_number(2, 0, 2001.0).unwrap();
                ws.write_string(2, 1, "105").unwrap();
            }),
            "history.xlsx, sheet data, B3: \"105\" is text, not a number: the cell is formatted as text",
        ),
        (
            "empty sheet",
            sheet_with(|_| {}),
            "history.xlsx, sheet data: is empty",
        ),
        (
            "no year column",
            sheet_with(|ws| {
                ws.write_string(0, 0, "gdp").unwrap();
                ws.write_number(1, 0, 1.0).unwrap();
            }),
            "history.xlsx, sheet data, A1: \"gdp\" is not the `year` column's header",
        ),
        (
            "merged cells",
            sheet_with(|ws| {
                head(ws);
                ws.merge_range(1, 0, 2, 0, "2000", &Format::new()).unwrap();
                ws.write_number(1, 1, 1.0).unwrap();
                ws.write_number(2, 1, 2.0).unwrap();
            }),
            "history.xlsx, sheet data, A2:A3: are merged cells",
        ),
        (
            "formula without a cached value",
            sheet_with(|ws| {
                ws.set_formula_result_default("");
                head(ws);
                ws.write_number(1, 0, 2000.0).unwrap();
                ws.write_number(1, 1, 100.0).unwrap();
                ws.write_number(2, 0, 2001.0).unwrap();
                ws.write_formula(2, 1, "=B2*1.05").unwrap();
            }),
            "history.xlsx, sheet data, B3: =B2*1.05 is a formula whose value was never computed",
        ),
        (
            "a missing year",
            sheet_with(|ws| {
                head(ws);
                for (r, y) in [(1, 2000.0), (2, 2001.0), (3, 2003.0)] {
                    ws.write_number(r, 0, y).unwrap();
                    ws.write_number(r, 1, 1.0).unwrap();
                }
            }),
            "history.xlsx, sheet data, A4: year 2003 follows 2001; year 2002 is missing",
        ),
        (
            "an empty level",
            sheet_with(|ws| {
                head(ws);
                ws.write_number(1, 0, 2000.0).unwrap();
                ws.write_number(1, 1, 1.0).unwrap();
                ws.write_number(2, 0, 2001.0).unwrap();
            }),
            "history.xlsx, sheet data, B3: is empty: fill in the value for this year",
        ),
        (
            "not a workbook",
            b"year,gdp\n2000,1\n2001,2\n".to_vec(),
            "history.xlsx: is not an Excel workbook (.xlsx)",
        ),
    ];
    for (what, bytes, want) in cases {
        for command in ["fit", "backtest"] {
            let mut args = vec![command, "history.xlsx", "--series", "gdp"];
            args.extend(if command == "fit" {
                ["--out", "f.toml"]
            } else {
                ["--out", "bt"]
            });
            let (code, err) = refused(&bytes, &args);
            assert_eq!(code, Some(2), "{what} ({command}): {err}");
            assert!(
                err.contains(want),
                "{what} ({command}): want {want:?} in\n{err}"
            );
        }
    }
}

#[test]
fn an_unknown_sheet_is_refused_with_the_closest_name_and_sheet_with_a_csv_is_a_usage_error() {
    let (code, err) = refused(
        &history_second(),
        &[
            "fit",
            "history.xlsx",
            "--sheet",
            "历年数具",
            "--series",
            "income",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("history.xlsx: has no sheet 历年数具 (its sheets: 说明, 历年数据): did you mean --sheet 历年数据?"),
        "{err}"
    );
    // The first sheet is the notes: no `year` header there.
    let (code, err) = refused(
        &history_second(),
        &[
            "backtest",
            "history.xlsx",
            "--series",
            "income",
            "--out",
            "bt",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("sheet 说明, A1"), "{err}");
    for command in ["fit", "backtest"] {
        let (code, err) = refused(
            &history_first(),
            &[
                command,
                "history.csv",
                "--sheet",
                "data",
                "--series",
                "income",
            ],
        );
        assert_eq!(code, Some(2), "{command}: {err}");
        assert!(
            err.contains("history.csv: --sheet data: the file is not a workbook"),
            "{command}: {err}"
        );
    }
    // --sheet belongs to a history, not to --targets.
    let (code, err) = refused(
        &history_first(),
        &["backtest", "--targets", "history.csv", "--sheet", "data"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--sheet"), "{err}");
}
