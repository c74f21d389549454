//! The command line end to end: the main job, its files, and a clear error
//! (file, field path, value, fix; exit code 2; nothing written) for every
//! kind of bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A scratch directory with scenario files in it and a command builder.
struct Work {
    dir: TempDir,
}

impl Work {
    fn new() -> Self {
        Work {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write fixture");
        p
    }

    /// `targetsim ARGS` run inside the scratch directory.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("targetsim").expect("binary");
        c.current_dir(self.dir.path()).args(args);
        c
    }

    /// Nothing but the given files exist in the scratch directory.
    fn assert_only(&self, names: &[&str]) {
        let mut found: Vec<String> = std::fs::read_dir(self.dir.path())
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        found.sort();
        let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(found, want, "files written on failure");
    }
}

fn seed_district_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district.toml")
}

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

/// A bad scenario: exit 2, each expected fragment in stderr, no files.
fn rejects(text: &str, expected: &[&str]) {
    let w = Work::new();
    w.write("s.toml", text);
    let mut assert = w.cmd(&["run", "s.toml"]).assert().code(2).stdout("");
    for e in expected {
        assert = assert.stderr(contains(*e));
    }
    assert.stderr(contains("panicked").not());
    w.assert_only(&["s.toml"]);
}

#[test]
fn each_language_shows_its_own_title_and_description_and_falls_back_to_the_plain_ones() {
    let w = Work::new();
    let text = SMALL.replace(
        "name = \"small\"",
        "name = \"small\"\ntitle = \"Plain title\"\ndescription = \"Plain words.\"\n\
         title_zh = \"中文标题\"\ndescription_zh = \"中文说明。\"",
    );
    w.write("s.toml", &text);
    for (lang, title, description, other) in [
        ("zh", "中文标题", "中文说明。", "Plain title"),
        ("en", "Plain title", "Plain words.", "中文标题"),
    ] {
        w.cmd(&["run", "s.toml", "--lang", lang, "--no-charts"])
            .assert()
            .success()
            .stdout(contains(title).and(contains(other).not()));
        let html = std::fs::read_to_string(w.path("output/small/report.html")).unwrap();
        assert!(html.contains(&format!("<title>{title}</title>")), "{lang}");
        assert!(
            html.contains(description) && !html.contains(other),
            "{lang}"
        );
    }
    // summary.json keeps `title` as written, whatever the language.
    let json = std::fs::read_to_string(w.path("output/small/summary.json")).unwrap();
    assert!(json.contains("\"title\": \"Plain title\""));
}

#[test]
fn run_prints_the_table_and_writes_summary_json_with_the_contract_paths() {
    let w = Work::new();
    w.write("s.toml", SMALL);
    w.cmd(&["run", "s.toml"]).assert().success().stdout(
        contains("gdp_growth")
            .and(contains("1 项同时达成"))
            .and(contains("output/small/summary.json")),
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.path("output/small/summary.json")).unwrap())
            .unwrap();
    assert_eq!(json["draws"], 2000);
    assert_eq!(json["seed"], 5);
    for q in ["p05", "p10", "p25", "p50", "p75", "p90", "p95"] {
        assert!(
            json["indicators"]["gdp_growth"]["quantiles"][q].is_f64(),
            "{q}"
        );
    }
    assert!(json["indicators"]["gdp_growth"]["mean"].is_f64());
    assert!(json["indicators"]["gdp_growth"]["sd"].is_f64());
    let t = &json["target_sets"]["draft"]["targets"]["gdp_growth"];
    assert!(t["probability"].is_f64() && t["se"].is_f64());
    assert!(json["target_sets"]["draft"]["joint_probability"].is_f64());
    assert!(
        json["scenario"]["hash"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert!(w.path("output/small/indicators.csv").exists());
    assert!(w.path("output/small/targets.csv").exists());
}

#[test]
fn the_seed_district_runs_with_overrides_and_records_them() {
    let w = Work::new();
    let scenario = seed_district_path();
    w.cmd(&[
        "run",
        scenario.to_str().unwrap(),
        "--draws",
        "20000",
        "--seed",
        "9",
        "--out",
        "res",
        "--quiet",
    ])
    .assert()
    .success()
    .stdout("");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.path("res/summary.json")).unwrap()).unwrap();
    assert_eq!(json["draws"], 20000);
    assert_eq!(json["seed"], 9);
    for name in [
        "gdp_growth",
        "gdp_nominal_growth",
        "tertiary_share",
        "fai_1",
        "fai_growth",
        "fiscal_growth",
        "fiscal_revenue_1",
        "retail_growth",
        "income_urban_growth",
        "income_rural_growth",
        "attracted_funds",
        "new_scale_firms",
        "pv_mw",
    ] {
        assert!(json["indicators"][name]["mean"].is_f64(), "{name} missing");
    }
    assert_eq!(
        json["target_sets"]["draft"]["targets"]
            .as_object()
            .unwrap()
            .len(),
        10
    );
    assert_eq!(
        json["target_sets"]["city"]["targets"]
            .as_object()
            .unwrap()
            .len(),
        6
    );
}

#[test]
fn a_json_scenario_gives_the_same_results_as_the_same_toml() {
    let w = Work::new();
    w.write("s.toml", SMALL);
    let doc: toml::Table = SMALL.parse().unwrap();
    w.write("s.json", &serde_json::to_string_pretty(&doc).unwrap());
    w.cmd(&["run", "s.toml", "--out", "a", "-q"])
        .assert()
        .success();
    w.cmd(&["run", "s.json", "--out", "b", "-q"])
        .assert()
        .success();
    let strip = |p: &str| {
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(w.path(p)).unwrap()).unwrap();
        v["scenario"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip("a/summary.json"), strip("b/summary.json"));
}

#[test]
fn validate_accepts_the_seed_district() {
    Work::new()
        .cmd(&["validate", seed_district_path().to_str().unwrap()])
        .assert()
        .success()
        .stdout(contains("12 drivers (8 correlated)").and(contains("2 target sets")));
}

#[test]
fn validate_reports_every_problem_not_only_the_first() {
    let w = Work::new();
    w.write(
        "s.toml",
        r#"
[drivers]
a = { dist = "normal", mean = 0.1, sd = -0.02 }
b = { dist = "binomial", n = 16, p = 60 }
c = { dist = "normall", mean = 1, sd = 1 }
[indicators]
x = "a + bb"
"#,
    );
    w.cmd(&["validate", "s.toml"]).assert().code(2).stderr(
        contains("drivers.a.sd = -0.02")
            .and(contains("drivers.b.p = 60"))
            .and(contains("drivers.c.dist = \"normall\""))
            .and(contains("unknown name `bb`"))
            .and(contains("4 problems found")),
    );
}

#[test]
fn help_explains_the_options_with_an_example() {
    for sub in ["run", "validate"] {
        Work::new()
            .cmd(&[sub, "--help"])
            .assert()
            .success()
            .stdout(contains("Example").and(contains("seed-district")));
    }
    Work::new()
        .cmd(&["--help"])
        .assert()
        .success()
        .stdout(contains("Examples"));
}

#[test]
fn a_missing_file_is_named() {
    let w = Work::new();
    w.cmd(&["run", "nope.toml"])
        .assert()
        .code(2)
        .stderr(contains("nope.toml").and(contains("cannot read")));
    w.assert_only(&[]);
}

#[test]
fn a_directory_is_not_a_scenario() {
    let w = Work::new();
    std::fs::create_dir(w.path("d.toml")).unwrap();
    w.cmd(&["run", "d.toml"])
        .assert()
        .code(2)
        .stderr(contains("d.toml").and(contains("directory")));
}

#[test]
fn a_toml_syntax_error_gives_line_and_column() {
    rejects(
        "name = \"x\"\n[drivers]\ng = { dist = \"normal\", mean = 0.1 sd = 1 }\n",
        &["s.toml:3:", "TOML syntax error"],
    );
}

#[test]
fn a_json_syntax_error_gives_line_and_column() {
    let w = Work::new();
    w.write("s.json", "{\n  \"name\": \"x\",\n  \"drivers\": {,}\n}\n");
    w.cmd(&["run", "s.json"])
        .assert()
        .code(2)
        .stderr(contains("s.json:3:").and(contains("JSON syntax error")));
    w.assert_only(&["s.json"]);
}

#[test]
fn an_unknown_field_suggests_the_nearest_name() {
    rejects(
        &SMALL.replace("gdp = { value = 100, label", "gdp = { value = 100, lable"),
        &["base.gdp.lable", "unknown field", "did you mean `label`?"],
    );
    rejects(
        &format!("{SMALL}\n[simulaton]\ndraws = 5\n"),
        &["simulaton", "did you mean `simulation`?"],
    );
}

#[test]
fn an_unknown_distribution_suggests_the_nearest_name() {
    rejects(
        &SMALL.replace("dist = \"normal\"", "dist = \"nromal\""),
        &[
            "drivers.g.dist = \"nromal\"",
            "unknown distribution",
            "did you mean `normal`?",
        ],
    );
}

#[test]
fn a_non_positive_sd_is_refused_with_a_fix() {
    rejects(
        &SMALL.replace("sd = 0.02", "sd = -0.02"),
        &["s.toml: drivers.g.sd = -0.02", "greater than 0", "hint:"],
    );
    rejects(&SMALL.replace("sd = 0.02", "sd = 0"), &["drivers.g.sd = 0"]);
}

#[test]
fn a_probability_outside_zero_one_is_refused() {
    rejects(
        &SMALL.replace(
            "dist = \"normal\", mean = 0.08, sd = 0.02",
            "dist = \"binomial\", n = 16, p = 60",
        ),
        &["drivers.g.p = 60", "0.6"],
    );
    rejects(
        &SMALL.replace(
            "dist = \"normal\", mean = 0.08, sd = 0.02",
            "dist = \"bernoulli\", p = -0.1",
        ),
        &["drivers.g.p = -0.1"],
    );
}

#[test]
fn a_triangular_out_of_order_is_refused() {
    rejects(
        &SMALL.replace(
            "dist = \"normal\", mean = 0.08, sd = 0.02",
            "dist = \"triangular\", min = 0.2, mode = 0.1, max = 0.05",
        ),
        &["drivers.g.", "min <= mode <= max"],
    );
}

#[test]
fn a_binomial_n_must_be_a_positive_whole_number() {
    rejects(
        &SMALL.replace(
            "dist = \"normal\", mean = 0.08, sd = 0.02",
            "dist = \"binomial\", n = 16.5, p = 0.6",
        ),
        &["drivers.g.n = 16.5"],
    );
    rejects(
        &SMALL.replace(
            "dist = \"normal\", mean = 0.08, sd = 0.02",
            "dist = \"binomial\", n = 0, p = 0.6",
        ),
        &["drivers.g.n = 0"],
    );
}

#[test]
fn nan_and_infinite_values_are_refused() {
    rejects(
        &SMALL.replace("mean = 0.08", "mean = nan"),
        &["drivers.g.mean = nan", "finite"],
    );
    rejects(
        &SMALL.replace("value = 100", "value = inf"),
        &["base.gdp.value = inf", "finite"],
    );
}

#[test]
fn a_formula_syntax_error_points_at_the_character() {
    rejects(
        &SMALL.replace("gdp * (1 + g)", "gdp * (1 + * g)"),
        &["indicators.gdp_1.formula", "gdp * (1 + * g)", "^"],
    );
}

#[test]
fn an_unknown_name_in_a_formula_is_quoted_with_a_suggestion() {
    rejects(
        &SMALL.replace("gdp_1 / gdp - 1", "gdp_1 / gpd - 1"),
        &[
            "indicators.gdp_growth.formula",
            "unknown name `gpd`",
            "did you mean `gdp`?",
        ],
    );
}

#[test]
fn a_cycle_between_formulas_is_named() {
    rejects(
        &SMALL.replace("gdp * (1 + g)", "gdp_growth * gdp"),
        &["cycle", "gdp_1 -> gdp_growth -> gdp_1"],
    );
    rejects(
        &SMALL.replace("gdp * (1 + g)", "gdp_1 + g"),
        &["indicators.gdp_1.formula", "`gdp_1` refers to itself"],
    );
}

#[test]
fn a_formula_nested_thousands_deep_is_refused_cleanly() {
    let deep = format!("{}g{}", "(".repeat(3000), ")".repeat(3000));
    rejects(
        &SMALL.replace("\"gdp * (1 + g)\"", &format!("\"{deep}\"")),
        &["indicators.gdp_1.formula", "deep"],
    );
    let deep_toml = format!(
        "{SMALL}\nx = {}1{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    rejects(&deep_toml, &["nested more than"]);
}

#[test]
fn a_file_far_larger_than_a_scenario_is_refused() {
    let big = format!("{SMALL}\n# {}\n", "x".repeat(5 << 20));
    rejects(&big, &["s.toml", "at most"]);
}

#[test]
fn correlations_are_checked_by_name_range_and_consistency() {
    let three = r#"
[drivers]
a = { dist = "normal", mean = 0, sd = 1 }
b = { dist = "normal", mean = 0, sd = 1 }
c = { dist = "normal", mean = 0, sd = 1 }
[indicators]
x = "a + b + c"
[correlations]
"#;
    rejects(
        &format!("{three}pairs = [[\"a\", \"bb\", 0.5]]\n"),
        &["correlations.pairs[0]", "\"bb\"", "did you mean `b`?"],
    );
    rejects(
        &format!("{three}pairs = [[\"a\", \"b\", 1.5]]\n"),
        &["correlations.pairs[0] = 1.5", "between -1 and 1"],
    );
    rejects(
        &format!(
            "{three}pairs = [[\"a\", \"b\", 0.9], [\"b\", \"c\", 0.9], [\"a\", \"c\", -0.9]]\n"
        ),
        &[
            "not positive definite",
            "a ~ b: 0.9",
            "b ~ c: 0.9",
            "a ~ c: -0.9",
            "repair = true",
        ],
    );
    let w = Work::new();
    w.write("s.toml", &format!("{three}repair = true\npairs = [[\"a\", \"b\", 0.9], [\"b\", \"c\", 0.9], [\"a\", \"c\", -0.9]]\n"));
    w.cmd(&["validate", "s.toml"])
        .assert()
        .success()
        .stdout(contains("repaired correlation a ~ b: 0.9 ->"));
}

#[test]
fn a_target_on_an_unknown_indicator_is_refused() {
    rejects(
        &SMALL.replace("indicator = \"gdp_growth\"", "indicator = \"gdp_grwth\""),
        &[
            "target_sets.draft.targets[0].indicator = \"gdp_grwth\"",
            "did you mean `gdp_growth`?",
        ],
    );
    rejects(
        &SMALL.replace("indicator = \"gdp_growth\"", "indicator = \"g\""),
        &["is a driver"],
    );
}

#[test]
fn zero_draws_and_draws_that_cannot_fit_are_refused() {
    rejects(
        &SMALL.replace("draws = 2000", "draws = 0"),
        &["simulation.draws = 0", "at least 1"],
    );
    let w = Work::new();
    w.write("s.toml", SMALL);
    w.cmd(&["run", "s.toml", "--draws", "0"])
        .assert()
        .code(2)
        .stderr(contains("--draws 0"));
    // Runs stream, so memory no longer bounds the draws; the hard limit does.
    w.cmd(&["run", "s.toml", "--draws", "20000000000"])
        .assert()
        .code(2)
        .stderr(contains("--draws 20000000000").and(contains("at most 10000000000")));
    w.assert_only(&["s.toml"]);
}

#[test]
fn an_output_directory_that_cannot_be_written_is_refused_before_the_run() {
    let w = Work::new();
    w.write("s.toml", SMALL);
    w.write("file", "not a directory");
    w.cmd(&["run", "s.toml", "--out", "file/sub"])
        .assert()
        .code(2)
        .stderr(contains("file/sub").and(contains("cannot create")));
}

#[test]
fn a_formula_that_divides_by_zero_stops_the_run_and_names_the_draw() {
    let w = Work::new();
    w.write(
        "s.toml",
        &SMALL.replace("gdp_1 / gdp - 1", "gdp_1 / (g - g) - 1"),
    );
    w.cmd(&["run", "s.toml"]).assert().code(1).stderr(
        contains("indicator `gdp_growth`")
            .and(contains("in draw 0"))
            .and(contains("inputs in that draw")),
    );
    assert!(!w.path("output/small/summary.json").exists());
}

#[test]
fn indicators_too_large_to_summarise_are_a_clear_run_error() {
    let w = Work::new();
    w.write(
        "s.toml",
        r#"
name = "huge"
title = "huge"
[simulation]
draws = 1000
[base]
gdp = 1e150
[drivers]
g = { dist = "normal", mean = 0.05, sd = 0.01 }
[indicators]
x = "gdp * gdp * (1 + g)"
[target_sets.a]
targets = [{ indicator = "x", at_least = 1 }]
"#,
    );
    w.cmd(&["run", "s.toml", "--out", "out"])
        .assert()
        .code(1)
        .stderr(contains("indicator `x`").and(contains("too large to report")));
    assert!(!w.path("out").join("summary.json").exists());
}
