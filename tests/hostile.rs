//! Outputs you can trust under faults and hostile input: no command panics
//! whatever it reads or wherever it prints (closed pipes, a full disk,
//! FIFOs), every numeric option is bounded before anything is allocated,
//! and text from a file can neither drive the terminal, nor break a
//! generated file, nor stall the program.
//!
//! The corpus in `tests/hostile/` is run through every subcommand; the
//! cases that cannot live in git (FIFOs, file names with newlines) are made
//! in a temporary directory.

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

const SMALL: &str = r#"
name = "small"
[simulation]
draws = 2000
seed = 5
[base]
gdp = { value = 100, label = "地区生产总值" }
[drivers]
g = { dist = "normal", mean = 0.08, sd = 0.02, kind = "rate" }
[indicators]
gdp_1 = "gdp * (1 + g)"
gdp_growth = { formula = "gdp_1 / gdp - 1", kind = "rate" }
[target_sets.draft]
targets = [{ indicator = "gdp_growth", at_least = 0.08 }]
"#;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile")
        .join(name)
}

fn history_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/us_consumption_1950_1993.csv")
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_targetsim")
}

/// `targetsim ARGS` in `dir`, stopped after 60 s if it hangs.
fn cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("targetsim").expect("binary");
    c.current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(60));
    c
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

/// Nothing printed may panic or carry a raw escape, bell or C1 control.
fn assert_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(!text.contains("panicked"), "{what} panicked:\n{text}");
    assert!(
        !text
            .chars()
            .any(|c| matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')),
        "{what} printed a control character:\n{}",
        text.escape_debug()
    );
}

/// The write end of a pipe whose read end is already closed: every write
/// to it fails with EPIPE, as when `head -1` has gone.
#[cfg(unix)]
fn closed_pipe() -> std::fs::File {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: `pipe` fills two new descriptors; the read end is closed at
    // once and the write end is owned by the returned File.
    unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
        libc::close(fds[0]);
        std::fs::File::from_raw_fd(fds[1])
    }
}

// ---------------------------------------------------------------------------
// 1. Printing never panics
// ---------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn printing_into_a_closed_pipe_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "s.toml", SMALL);
    write(dir.path(), "bad.toml", "x = [\n");
    cmd(
        dir.path(),
        &[
            "run", "s.toml", "--draws", "2000", "--shard", "1/1", "-o", "shards", "-q",
        ],
    )
    .assert()
    .success();
    let h = history_data();
    let h = h.to_str().unwrap();
    let cases: [(&[&str], i32); 9] = [
        (&["validate", "s.toml"], 0),
        (&["--help"], 0),
        (&["run", "s.toml", "--draws", "2000", "-o", "r"], 0),
        (
            &[
                "calibrate",
                "s.toml",
                "--confidence",
                "0.7",
                "--draws",
                "2000",
                "-o",
                "c",
            ],
            0,
        ),
        (&["compare", "s.toml", "--draws", "2000", "-o", "m"], 0),
        (&["merge", "shards/shard-1-of-1.tsim", "-o", "g"], 0),
        (&["fit", h, "--series", "income,expenditure"], 0),
        (
            &[
                "backtest", h, "--series", "income", "--draws", "200", "-o", "bt",
            ],
            0,
        ),
        (&["validate", "bad.toml"], 2),
    ];
    for (args, code) in cases {
        let out = std::process::Command::new(bin())
            .current_dir(dir.path())
            .args(args)
            .stdout(Stdio::from(closed_pipe()))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {out:?}");
        assert_inert(&format!("{args:?}"), &out.stderr);
        if code == 0 {
            assert!(out.stderr.is_empty(), "{args:?}: quiet, but said {out:?}");
        }
    }
    // The commands wrote their files before the printing found the pipe closed.
    for f in [
        "bt/backtest.json",
        "r/summary.json",
        "c/calibration.json",
        "m/comparison.json",
        "g/summary.json",
    ] {
        assert!(dir.path().join(f).is_file(), "{f}");
    }
    // An error message into a closed pipe (`2>&1 | head -1`) keeps its exit code.
    for (args, code) in [
        (&["validate", "bad.toml"][..], 2),
        (&["validate", "s.toml"], 0),
    ] {
        let out = std::process::Command::new(bin())
            .current_dir(dir.path())
            .args(args)
            .stdout(Stdio::from(closed_pipe()))
            .stderr(Stdio::from(closed_pipe()))
            .status()
            .unwrap();
        assert_eq!(out.code(), Some(code), "{args:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn printing_into_a_full_disk_fails_with_exit_1_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "s.toml", SMALL);
    cmd(
        dir.path(),
        &[
            "run", "s.toml", "--draws", "2000", "--shard", "1/1", "-o", "shards", "-q",
        ],
    )
    .assert()
    .success();
    let h = history_data();
    for args in [
        &["validate", "s.toml"][..],
        &["fit", h.to_str().unwrap(), "--series", "income"],
        &["--help"],
        &["run", "s.toml", "--draws", "2000", "-o", "r"],
        &[
            "calibrate",
            "s.toml",
            "--confidence",
            "0.7",
            "--draws",
            "2000",
            "-o",
            "c",
        ],
        &["compare", "s.toml", "--draws", "2000", "-o", "m"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(bin())
            .current_dir(dir.path())
            .args(args)
            .stdout(Stdio::from(full))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot write to standard output"), "{err}");
        assert_inert(&format!("{args:?}"), &out.stderr);
    }
}

// ---------------------------------------------------------------------------
// 2. Numeric options are bounded before allocation
// ---------------------------------------------------------------------------

#[test]
fn backtest_draws_beyond_the_bound_are_refused_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let h = history_data();
    let h = h.to_str().unwrap();
    cmd(
        dir.path(),
        &[
            "backtest",
            h,
            "--series",
            "income",
            "--draws",
            "18446744073709551615",
        ],
    )
    .assert()
    .code(2)
    .stderr(contains("--draws 18446744073709551615").and(contains("at most 10000000000")));
    // Within the bound but far beyond memory: says how many would fit.
    cmd(
        dir.path(),
        &["backtest", h, "--series", "income", "--draws", "9000000000"],
    )
    .assert()
    .code(2)
    .stderr(contains("lower --draws to at most"));
    assert!(!dir.path().join("output").exists(), "nothing written");
}

// ---------------------------------------------------------------------------
// 3. Inert text
// ---------------------------------------------------------------------------

#[test]
fn control_characters_in_scenario_text_are_refused_by_path_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 9] = [
        (
            "label-escape-sequence.toml",
            &["drivers.g.label", "U+001B at position 8", "\\u{1b}[2J"],
        ),
        ("unit-c1-control.toml", &["base.gdp.unit", "U+009B"]),
        (
            "wording-noncharacter.toml",
            &[
                "target_sets.draft.targets[0].wording",
                "non-character U+FFFE",
            ],
        ),
        ("title-bidi-override.toml", &["title", "U+202E"]),
        ("description-del.toml", &["description", "U+007F"]),
        ("formula-bell.toml", &["indicators.gdp_1", "U+0007"]),
        (
            "variant-hostile.toml",
            &["variants.down.label", "variants.other.", "the key contains"],
        ),
        (
            "include-hostile.toml",
            &["included-hostile.toml", "drivers.h.label", "U+001B"],
        ),
        ("escape-in-json.json", &["drivers.g.label", "U+001B"]),
    ];
    for (file, expected) in cases {
        let out = cmd(dir.path(), &["validate", corpus(file).to_str().unwrap()])
            .assert()
            .code(2)
            .stdout("");
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        for e in expected {
            assert!(err.contains(e), "{file}: expected {e:?} in\n{err}");
        }
        assert_inert(file, &out.get_output().stderr);
    }
    // Legal text in any script, tabs and Windows line ends in a description.
    cmd(
        dir.path(),
        &["validate", corpus("legal-unicode.toml").to_str().unwrap()],
    )
    .assert()
    .success();
}

#[test]
fn a_label_of_200000_characters_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let long = "地".repeat(200_000);
    let text = SMALL.replace("label = \"地区生产总值\"", &format!("label = \"{long}\""));
    write(dir.path(), "s.toml", &text);
    let start = Instant::now();
    cmd(dir.path(), &["run", "s.toml", "--draws", "2000", "-q"])
        .assert()
        .code(2)
        .stderr(contains("base.gdp.label").and(contains("200000 characters long; at most 4096")));
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
    assert!(!dir.path().join("output").exists());
}

#[test]
fn history_column_names_and_cells_are_inert_in_messages() {
    let dir = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (
            vec!["fit", "history-control-column.csv", "--series", "a"],
            "U+001B",
        ),
        (
            vec!["fit", "history-cell-escape.csv", "--series", "a"],
            "\\u{1b}]0;pwned",
        ),
        (
            vec![
                "backtest",
                "--targets",
                "targets-cell-escape.csv",
                "-o",
                "out",
            ],
            "\\u{1b}[31m",
        ),
    ] {
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                if a.ends_with(".csv") {
                    corpus(a).to_string_lossy().into_owned()
                } else {
                    a.to_string()
                }
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = cmd(dir.path(), &args).assert().code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains(expected), "{args:?}: {err}");
        assert_inert(&format!("{args:?}"), &out.get_output().stderr);
    }
}

// ---------------------------------------------------------------------------
// 4. Duplicate JSON keys
// ---------------------------------------------------------------------------

#[test]
fn a_json_scenario_with_a_repeated_key_is_refused_like_toml() {
    let dir = tempfile::tempdir().unwrap();
    cmd(
        dir.path(),
        &["validate", corpus("duplicate-key.json").to_str().unwrap()],
    )
    .assert()
    .code(2)
    .stderr(
        contains("duplicate-key.json:3:")
            .and(contains("duplicate key `sd`"))
            .and(contains("`drivers.g`")),
    );
    // TOML says the same in its own words.
    write(
        dir.path(),
        "d.toml",
        "[drivers]\ng = { dist = \"normal\", mean = 0.06, sd = 0.01, sd = 0.5 }\n[indicators]\nx = \"g\"\n",
    );
    cmd(dir.path(), &["validate", "d.toml"])
        .assert()
        .code(2)
        .stderr(contains("duplicate key"));
}

// ---------------------------------------------------------------------------
// 5. fit writes safe TOML and never over its input
// ---------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn a_history_file_name_with_a_newline_cannot_inject_toml() {
    let dir = tempfile::tempdir().unwrap();
    let name = "h\n[target_sets.evil]\ntargets = []\n.csv";
    std::fs::copy(history_data(), dir.path().join(name)).unwrap();
    cmd(
        dir.path(),
        &[
            "fit",
            name,
            "--series",
            "income,expenditure",
            "--out",
            "frag.toml",
        ],
    )
    .assert()
    .success();
    let fragment = std::fs::read_to_string(dir.path().join("frag.toml")).unwrap();
    let table: toml::Table = fragment.parse().expect("the fragment is TOML");
    let keys: Vec<&String> = table.keys().collect();
    assert_eq!(keys, ["drivers", "correlations"], "{fragment}");
    // And a scenario can include it.
    write(
        dir.path(),
        "s.toml",
        "include = [\"frag.toml\"]\n[indicators]\nx = \"g_income + g_expenditure\"\n",
    );
    cmd(dir.path(), &["validate", "s.toml"]).assert().success();
}

#[test]
fn columns_named_in_chinese_get_distinct_includable_driver_names() {
    let dir = tempfile::tempdir().unwrap();
    let h = corpus("history-chinese-columns.csv");
    cmd(
        dir.path(),
        &[
            "fit",
            h.to_str().unwrap(),
            "--series",
            "地区生产总值,固定资产投资",
            "--out",
            "frag.toml",
        ],
    )
    .assert()
    .success();
    let fragment = std::fs::read_to_string(dir.path().join("frag.toml")).unwrap();
    let table: toml::Table = fragment.parse().unwrap();
    let drivers: Vec<&String> = table["drivers"].as_table().unwrap().keys().collect();
    assert_eq!(drivers, ["g_1", "g_2"], "{fragment}");
    assert_eq!(
        table["drivers"]["g_1"]["label"].as_str(),
        Some("地区生产总值 growth")
    );
    write(
        dir.path(),
        "s.toml",
        "include = [\"frag.toml\"]\n[indicators]\nx = \"g_1 + g_2\"\n",
    );
    cmd(dir.path(), &["validate", "s.toml"])
        .assert()
        .success()
        .stdout(contains("2 drivers"));
}

#[test]
fn no_command_writes_over_its_own_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(history_data(), dir.path().join("h.csv")).unwrap();
    let before = std::fs::read(dir.path().join("h.csv")).unwrap();
    for out in ["h.csv", "./h.csv"] {
        cmd(
            dir.path(),
            &["fit", "h.csv", "--series", "income", "--out", out],
        )
        .assert()
        .code(2)
        .stderr(contains("input file").and(contains("--out")));
    }
    // A backtest whose output directory holds its input under an output's name.
    std::fs::create_dir(dir.path().join("bt")).unwrap();
    std::fs::copy(history_data(), dir.path().join("bt/backtest.json")).unwrap();
    cmd(
        dir.path(),
        &[
            "backtest",
            "bt/backtest.json",
            "--series",
            "income",
            "--draws",
            "200",
            "-o",
            "bt",
        ],
    )
    .assert()
    .code(2)
    .stderr(contains("overwrite"));
    assert_eq!(std::fs::read(dir.path().join("h.csv")).unwrap(), before);
    assert_eq!(
        std::fs::read(dir.path().join("bt/backtest.json")).unwrap(),
        before
    );
}

// ---------------------------------------------------------------------------
// 6. Lags
// ---------------------------------------------------------------------------

#[test]
fn a_lag_that_would_wrap_around_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["lag-wraps.toml", "lag-huge.toml"] {
        let f = corpus(file);
        for sub in ["validate", "run"] {
            cmd(dir.path(), &[sub, f.to_str().unwrap()])
                .assert()
                .code(2)
                .stderr(contains("indicators.gdp.formula").and(contains("a lag is at most")));
        }
    }
}

// ---------------------------------------------------------------------------
// 7. FIFOs, devices and directories
// ---------------------------------------------------------------------------

#[cfg(unix)]
fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[cfg(unix)]
#[test]
fn a_fifo_or_device_is_refused_instead_of_hanging() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("p.toml"));
    mkfifo(&dir.path().join("p.csv"));
    write(
        dir.path(),
        "inc.toml",
        &format!("include = [\"p.toml\"]\n{SMALL}"),
    );
    let cases: [&[&str]; 6] = [
        &["validate", "p.toml"],
        &["run", "p.toml"],
        &["validate", "inc.toml"],
        &["fit", "p.csv", "--series", "a"],
        &["backtest", "--targets", "p.csv"],
        &["validate", "/dev/zero"],
    ];
    for args in cases {
        let start = Instant::now();
        cmd(dir.path(), args)
            .timeout(Duration::from_secs(10))
            .assert()
            .code(2)
            .stderr(contains("not a regular file"));
        assert!(start.elapsed() < Duration::from_secs(10), "{args:?}");
    }
    cmd(dir.path(), &["fit", ".", "--series", "a"])
        .assert()
        .code(2)
        .stderr(contains("directory"));
}

// ---------------------------------------------------------------------------
// 8. Empty scenarios
// ---------------------------------------------------------------------------

#[test]
fn a_scenario_with_nothing_to_simulate_is_refused_with_a_minimal_example() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["empty.toml", "no-indicators.toml"] {
        let f = corpus(file);
        for sub in ["validate", "run"] {
            cmd(dir.path(), &[sub, f.to_str().unwrap()])
                .assert()
                .code(2)
                .stderr(contains("no indicators").and(contains("[indicators]")));
        }
    }
    assert!(!dir.path().join("output").exists(), "no empty report");
}

// ---------------------------------------------------------------------------
// 9. Correlation repair
// ---------------------------------------------------------------------------

#[test]
fn repairing_500_inconsistent_drivers_is_quick_and_summarised() {
    let dir = tempfile::tempdir().unwrap();
    let n = 500;
    let mut text = String::from("[drivers]\n");
    for i in 0..n {
        text.push_str(&format!(
            "d{i} = {{ dist = \"normal\", mean = 0, sd = 1 }}\n"
        ));
    }
    text.push_str("[indicators]\nx = \"d0\"\n[correlations]\nrepair = true\npairs = [\n");
    for i in 0..n - 2 {
        text.push_str(&format!(
            "  [\"d{i}\", \"d{}\", 0.9], [\"d{i}\", \"d{}\", -0.9],\n",
            i + 1,
            i + 2
        ));
    }
    text.push_str("]\n");
    write(dir.path(), "c.toml", &text);
    let start = Instant::now();
    let out = cmd(dir.path(), &["validate", "c.toml"]).assert().success();
    let took = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(took < Duration::from_secs(60), "took {took:?}");
    let lines = stdout.lines().count();
    assert!(lines <= 14, "{lines} lines:\n{stdout}");
    assert!(stdout.contains("correlations repaired:"), "{stdout}");
    assert!(stdout.contains("more pairs, each changed less"), "{stdout}");
}

// ---------------------------------------------------------------------------
// 10. Numbers too large to stay finite
// ---------------------------------------------------------------------------

#[test]
fn huge_finite_numbers_are_refused_before_they_overflow() {
    let dir = tempfile::tempdir().unwrap();
    for (file, path) in [
        ("base-huge.toml", "base.gdp.value = 1e+308"),
        ("sd-huge.toml", "drivers.g.sd = 1e+200"),
    ] {
        cmd(dir.path(), &["run", corpus(file).to_str().unwrap()])
            .assert()
            .code(2)
            .stderr(contains(path).and(contains("at most 1e150")));
    }
}

// ---------------------------------------------------------------------------
// The corpus through every subcommand
// ---------------------------------------------------------------------------

#[test]
fn every_subcommand_survives_every_file_of_the_hostile_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "md"))
        .collect();
    files.sort();
    assert!(files.len() >= 25, "the corpus is there: {files:?}");
    let mut ran = 0;
    for f in &files {
        let f = f.to_str().unwrap();
        let runs: [Vec<&str>; 8] = [
            vec!["validate", f],
            vec!["sweep", f, "-q", "-o", "out-sweep"],
            vec!["run", f, "--draws", "2000", "-q", "-o", "out-run"],
            vec![
                "calibrate",
                f,
                "--confidence",
                "0.7",
                "--draws",
                "2000",
                "-q",
                "-o",
                "out-cal",
            ],
            vec!["compare", f, "--draws", "2000", "-q", "-o", "out-cmp"],
            vec!["fit", f, "--series", "a"],
            vec![
                "backtest", f, "--series", "a", "--draws", "200", "-q", "-o", "out-bt",
            ],
            vec![
                "backtest",
                "--targets",
                f,
                "--draws",
                "200",
                "-q",
                "-o",
                "out-tg",
            ],
        ];
        for args in runs {
            let out = cmd(work, &args).output().unwrap();
            let code = out.status.code();
            assert!(code.is_some(), "{args:?} was killed: {out:?}");
            assert_ne!(code, Some(101), "{args:?} panicked: {out:?}");
            assert!(
                matches!(code, Some(0..=2)),
                "{args:?}: exit code {code:?}: {out:?}"
            );
            assert_inert(&format!("{args:?} stderr"), &out.stderr);
            assert_inert(&format!("{args:?} stdout"), &out.stdout);
            ran += 1;
        }
    }
    assert_eq!(ran, files.len() * 8);
}

// ---------------------------------------------------------------------------
// Any text at all
// ---------------------------------------------------------------------------

mod properties {
    use proptest::prelude::*;
    use std::path::Path;
    use targetsim::scenario::{self, Format};

    fn scenario_with(label: &str, key: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "title": label,
            "drivers": { "g": { "dist": "normal", "mean": 0.06, "sd": 0.01, "label": label, "unit": label } },
            "indicators": { "x": { "formula": "g", "label_en": label } },
            "variants": { "v": { "label": label, key: 0.05 } },
        }))
        .unwrap()
    }

    /// Cases per property: 200 in CI; more with `PROPTEST_CASES=N` (the
    /// README's fuzzing command).
    fn cases() -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(200)
    }

    /// Formulas as the grammar builds them (drivers `g` and `h`, the base
    /// `gdp`, numbers up to 1e300, operators and functions), so that most
    /// validate and run, overflow or divide by zero.
    fn formula_tree() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("g"),
            Just("h"),
            Just("gdp"),
            Just("0"),
            Just("1"),
            Just("2.5"),
            Just("1e300"),
            Just("-3"),
        ]
        .prop_map(String::from);
        leaf.prop_recursive(4, 32, 3, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    prop_oneof![Just("+"), Just("-"), Just("*"), Just("/"), Just("^")],
                    inner.clone()
                )
                    .prop_map(|(a, o, b)| format!("({a} {o} {b})")),
                (
                    prop_oneof![
                        Just("exp"),
                        Just("ln"),
                        Just("sqrt"),
                        Just("abs"),
                        Just("log10"),
                        Just("floor"),
                        Just("round")
                    ],
                    inner.clone()
                )
                    .prop_map(|(f, a)| format!("{f}({a})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
                inner.prop_map(|a| format!("-{a}")),
            ]
        })
    }

    /// A small one-year scenario with `formula` as its indicator.
    fn scenario_with_formula(formula: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "simulation": { "draws": 64 },
            "base": { "gdp": 100.0 },
            "drivers": {
                "g": { "dist": "normal", "mean": 0.06, "sd": 0.01 },
                "h": { "dist": "uniform", "min": -1.0, "max": 1.0 }
            },
            "indicators": { "x": { "formula": formula } },
            "target_sets": { "a": { "targets": [{ "indicator": "x", "at_least": 0.0 }] } },
        }))
        .unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(cases()))]

        /// Whatever the formula: it is refused with an inert message, or it
        /// runs to a summary or a clear run error; never a panic.
        #[test]
        fn any_formula_is_refused_or_runs_cleanly(
            formula in prop_oneof![
                3 => formula_tree(),
                1 => "[ghdpx0-9.eE+*/^(), a-z\\[\\]\\-]{0,30}",
            ],
        ) {
            let bytes = scenario_with_formula(&formula);
            match scenario::from_bytes(Path::new("f.json"), &bytes, Format::Json) {
                Ok(s) => {
                    let opts = targetsim::RunOptions::new(64, 1);
                    match targetsim::run(&s, &opts) {
                        Ok(summary) => prop_assert_eq!(summary.draws, 64),
                        Err(e) => {
                            let shown = e.to_string();
                            prop_assert!(!shown.is_empty());
                        }
                    }
                }
                Err(e) => {
                    let shown = e.to_string();
                    prop_assert!(
                        !shown.chars().any(|c| c != '\n' && targetsim::input::text::is_unsafe(c)),
                        "{}", shown.escape_debug()
                    );
                }
            }
        }

        /// Whatever a history file holds: it loads or is refused with an
        /// inert message, and what loads gives growth rates or a clear error.
        #[test]
        fn any_history_csv_loads_or_is_refused_inertly(
            header in "year,[a-z\\x80-\\u{ffff},\"]{0,12}",
            rows in proptest::collection::vec("[0-9]{0,5},[-0-9.eE,\"a-z\\x00-\\x7f]{0,16}", 0..8),
        ) {
            let text = format!("{header}\n{}\n", rows.join("\n"));
            match targetsim::history::History::from_bytes(Path::new("h.csv"), text.as_bytes()) {
                Ok(h) => {
                    for name in text.lines().next().unwrap_or("").split(',').skip(1) {
                        let _ = h.growth(name.trim(), None);
                    }
                }
                Err(e) => {
                    let shown = e.to_string();
                    prop_assert!(
                        !shown.chars().any(|c| c != '\n' && targetsim::input::text::is_unsafe(c)),
                        "{}", shown.escape_debug()
                    );
                }
            }
        }

        /// Whatever the text: loading never panics; what loads is inert,
        /// and what is refused is reported in inert text.
        #[test]
        fn any_scenario_text_loads_inert_or_is_refused_inertly(
            label in "\\PC{0,8}[\\x00-\\x1f\\x7f-\\x9f\\u{202a}-\\u{202e}\\u{fdd0}\\u{fffe}\\u{ffff}]?\\PC{0,8}",
            key in "(drivers\\.g\\.mean|[\\x00-\\x7f\\u{80}-\\u{ffff}]{0,12})",
        ) {
            let bytes = scenario_with(&label, &key);
            match scenario::from_bytes(Path::new("p.json"), &bytes, Format::Json) {
                Ok(s) => {
                    prop_assert!(targetsim::input::text::check(&s.title, targetsim::input::text::TextKind::Line).is_ok());
                    let meta = &s.drivers[0].meta;
                    prop_assert_eq!(meta.label.as_deref(), Some(label.as_str()));
                    prop_assert!(!label.chars().any(targetsim::input::text::is_unsafe));
                }
                Err(e) => {
                    let shown = e.to_string();
                    prop_assert!(
                        !shown.chars().any(|c| c != '\n' && targetsim::input::text::is_unsafe(c)),
                        "{}", shown.escape_debug()
                    );
                }
            }
        }
    }
}
