//! `targetsim new NAME`: the seeded scenario runs to the seed district's
//! numbers, its workbook holds the seed's base values and targets under
//! Chinese headers with rates in percentage cells, and no file is ever
//! replaced.

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx};
use std::path::Path;

fn cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("targetsim").expect("binary");
    c.current_dir(dir).args(args);
    c
}

fn seed_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district.toml")
}

/// `run` with 20 000 draws; summary.json and the two CSVs.
fn run(dir: &Path, scenario: &str, out: &str) -> (serde_json::Value, Vec<u8>, Vec<u8>) {
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
            out,
        ],
    )
    .assert()
    .success();
    let read = |name: &str| std::fs::read(dir.join(out).join(name)).expect("output");
    (
        serde_json::from_slice(&read("summary.json")).expect("JSON"),
        read("targets.csv"),
        read("indicators.csv"),
    )
}

#[test]
fn a_new_scenario_validates_and_runs_to_the_seed_districts_numbers() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    cmd(dir, &["new", "east"])
        .assert()
        .success()
        .stdout(predicates::str::contains("wrote scenarios/east.toml"))
        .stdout(predicates::str::contains(
            "wrote scenarios/east-inputs.xlsx",
        ));
    cmd(dir, &["validate", "scenarios/east.toml"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "9 base values, 12 drivers (8 correlated), 17 indicators, 2 target sets, 16 targets",
        ));
    std::fs::copy(seed_path(), dir.join("seed-district.toml")).expect("copy seed");
    let (mut seed, seed_targets, seed_indicators) = run(dir, "seed-district.toml", "a");
    let (mut east, east_targets, east_indicators) = run(dir, "scenarios/east.toml", "b");
    // The seeded scenario is named NAME and titled "NAME: next year's
    // targets"; its file and hash are its own.
    let s = east["scenario"].as_object_mut().expect("scenario");
    assert_eq!(s["name"], "east");
    assert_eq!(s["title"], "east: next year's targets");
    assert_eq!(s["file"], "scenarios/east.toml");
    assert_ne!(s["hash"], seed["scenario"]["hash"]);
    for key in ["name", "title", "file", "hash"] {
        east["scenario"][key].take();
        seed["scenario"][key].take();
    }
    assert_eq!(
        seed["target_sets"]["draft"]["targets"]
            .as_object()
            .map(|t| t.len()),
        Some(10)
    );
    // Every other digit is the same, and so are the CSV tables.
    assert_eq!(
        serde_json::to_string_pretty(&seed).expect("JSON"),
        serde_json::to_string_pretty(&east).expect("JSON")
    );
    assert!(seed_targets == east_targets, "targets.csv differs");
    assert!(seed_indicators == east_indicators, "indicators.csv differs");
}

#[test]
fn the_workbook_has_chinese_headers_and_rates_in_percentage_cells() {
    let tmp = tempfile::tempdir().expect("tempdir");
    cmd(tmp.path(), &["new", "east", "--dir", "plans"])
        .assert()
        .success();
    let bytes = std::fs::read(tmp.path().join("plans/east-inputs.xlsx")).expect("workbook");
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).expect("opens");
    assert_eq!(wb.sheet_names(), vec!["基数", "目标"]);
    let base = wb.worksheet_range("基数").expect("基数");
    let row0: Vec<String> = base
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(row0, ["名称", "数值", "中文名称", "英文名称", "单位"]);
    let gdp = base
        .rows()
        .find(|r| r[0] == Data::String("gdp".into()))
        .expect("gdp row");
    assert_eq!(gdp[1], Data::Float(260.0));
    let targets = wb.worksheet_range("目标").expect("目标");
    let rows: Vec<&[Data]> = targets.rows().collect();
    assert_eq!(rows[0][0], Data::String("目标组".into()));
    assert_eq!(rows.len(), 1 + 16);
    // The draft's first target, 9% GDP growth, is the number 0.09 in a
    // percentage-formatted cell.
    assert_eq!(rows[1][1], Data::String("gdp_growth".into()));
    assert_eq!(rows[1][2], Data::String("以上".into()));
    assert_eq!(rows[1][3], Data::Float(0.09));
    let styles = {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut s = String::new();
        std::io::Read::read_to_string(&mut z.by_name("xl/styles.xml").expect("styles"), &mut s)
            .expect("read");
        s
    };
    assert!(styles.contains("formatCode=\"0.0%\""), "{styles}");
}

#[test]
fn a_second_new_is_refused_and_leaves_both_files_untouched() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    cmd(dir, &["new", "east"]).assert().success();
    let toml = dir.join("scenarios/east.toml");
    let xlsx = dir.join("scenarios/east-inputs.xlsx");
    // A planner's edits must survive.
    std::fs::write(&toml, "# edited\n").expect("edit");
    std::fs::write(&xlsx, b"edited").expect("edit");
    cmd(dir, &["new", "east"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "scenarios/east.toml already exists; targetsim new never replaces a file",
        ));
    assert_eq!(std::fs::read(&toml).unwrap(), b"# edited\n");
    assert_eq!(std::fs::read(&xlsx).unwrap(), b"edited");
    // Only the workbook there: still refused, and no TOML is written.
    std::fs::remove_file(&toml).expect("remove");
    cmd(dir, &["new", "east"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("east-inputs.xlsx already exists"));
    assert!(!toml.exists());
    assert_eq!(std::fs::read(&xlsx).unwrap(), b"edited");
}

#[test]
fn names_that_are_not_a_plain_file_stem_exit_2_with_a_fix() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (name, want) in [
        ("", "is empty"),
        ("../east", "holds a path separator"),
        ("a..b", "holds `..`"),
        ("a\u{7}b", "holds a control character"),
        ("东区", "holds a character other than ASCII"),
    ] {
        cmd(tmp.path(), &["new", name])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(want))
            .stderr(predicates::str::contains("hint: use 1 to 64 ASCII letters"));
    }
    assert!(!tmp.path().join("scenarios").exists());
}
