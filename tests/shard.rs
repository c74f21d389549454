//! Shards and merge: a run split into N shards and merged gives the single
//! run's bytes; shard sets that overlap, miss blocks or mix runs are refused.

use assert_cmd::Command;
use predicates::str::contains;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn targetsim(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("targetsim").expect("binary");
    c.current_dir(dir);
    c
}

/// Draws that are not a multiple of the block size (8,192) and exceed the
/// pilot (65,536), so the sketch, not the exact pilot, gives the quantiles.
const DRAWS: &str = "100003";

fn run_shards(dir: &Path, scenario: &Path, n: u64, out: &str) {
    for k in 1..=n {
        targetsim(dir)
            .args(["run", scenario.to_str().unwrap(), "--draws", DRAWS])
            .args(["--shard", &format!("{k}/{n}"), "--out", out, "-q"])
            .assert()
            .success();
    }
}

fn shard_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".tsim"))
        .collect();
    v.sort();
    v
}

#[test]
fn merged_shards_are_byte_identical_to_the_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/seed-district.toml");
    targetsim(tmp.path())
        .args(["run", scenario.to_str().unwrap(), "--draws", DRAWS])
        .args(["--out", "single", "-q", "--no-charts", "--no-report"])
        .assert()
        .success();
    let single = std::fs::read(tmp.path().join("single/summary.json")).unwrap();
    for n in [1u64, 2, 3, 7] {
        let dir = format!("shards{n}");
        run_shards(tmp.path(), &scenario, n, &dir);
        let files = shard_files(&tmp.path().join(&dir));
        assert_eq!(files.len() as u64, n);
        let merged = format!("merged{n}");
        targetsim(tmp.path())
            .arg("merge")
            .args(&files)
            .args(["--out", &merged, "-q", "--no-charts", "--no-report"])
            .assert()
            .success();
        let got = std::fs::read(tmp.path().join(&merged).join("summary.json")).unwrap();
        assert!(
            got == single,
            "{n} shards: summary.json differs from the single run"
        );
    }
}

#[test]
fn a_merged_plan_is_byte_identical_to_the_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/seed-district-plan.toml");
    targetsim(tmp.path())
        .args(["run", scenario.to_str().unwrap(), "--draws", DRAWS])
        .args(["--out", "single", "-q", "--no-charts", "--no-report"])
        .assert()
        .success();
    run_shards(tmp.path(), &scenario, 3, "shards");
    targetsim(tmp.path())
        .arg("merge")
        .args(shard_files(&tmp.path().join("shards")))
        .args(["--out", "merged", "-q", "--no-charts", "--no-report"])
        .assert()
        .success();
    for f in ["summary.json", "targets.csv", "required_path.csv"] {
        let a = std::fs::read(tmp.path().join("single").join(f)).unwrap();
        let b = std::fs::read(tmp.path().join("merged").join(f)).unwrap();
        assert!(a == b, "{f} differs");
    }
}

#[test]
fn missing_overlapping_or_foreign_shards_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/seed-district.toml");
    run_shards(tmp.path(), &scenario, 3, "s");
    let f = shard_files(&tmp.path().join("s"));
    // Missing: shard 2 of 3 left out.
    targetsim(tmp.path())
        .args(["merge", &f[0], &f[2], "--out", "m"])
        .assert()
        .code(2)
        .stderr(contains("in no shard file given"));
    // Overlapping: shard 1 twice.
    targetsim(tmp.path())
        .args(["merge", &f[0], &f[0], &f[1], &f[2], "--out", "m"])
        .assert()
        .code(2)
        .stderr(contains("overlap"));
    // Another seed.
    targetsim(tmp.path())
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--draws",
            DRAWS,
            "--seed",
            "5",
        ])
        .args(["--shard", "2/3", "--out", "other", "-q"])
        .assert()
        .success();
    let other = shard_files(&tmp.path().join("other"));
    targetsim(tmp.path())
        .args(["merge", &f[0], &other[0], &f[2], "--out", "m"])
        .assert()
        .code(2)
        .stderr(contains("the seed"));
    // Not a shard file at all.
    std::fs::write(tmp.path().join("x.tsim"), "{}").unwrap();
    targetsim(tmp.path())
        .args(["merge", "x.tsim", "--out", "m"])
        .assert()
        .code(2)
        .stderr(contains("not a targetsim shard file"));
    assert!(!tmp.path().join("m").exists(), "nothing written");
}
