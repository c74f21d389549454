//! `run --precision E`: the draws are the first checkpoint (65,536, doubling)
//! at which every target's and set's standard error is at most E, checked
//! here against plain runs at each checkpoint, and the results are those of
//! a plain run with that many draws, byte for byte.

use assert_cmd::Command;
use predicates::str::contains;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(dir: &Path, scenario: &Path, args: &[&str], out: &str) -> Vec<u8> {
    Command::cargo_bin("targetsim")
        .unwrap()
        .current_dir(dir)
        .arg("run")
        .arg(scenario)
        .args(args)
        .args(["--out", out, "-q", "--no-charts", "--no-report"])
        .assert()
        .success();
    std::fs::read(dir.join(out).join("summary.json")).unwrap()
}

/// The largest `se` and `joint_se` of every target set in a summary.json.
fn max_se(summary: &[u8]) -> f64 {
    let v: serde_json::Value = serde_json::from_slice(summary).unwrap();
    let mut m: f64 = 0.0;
    for set in v["target_sets"].as_object().unwrap().values() {
        m = m.max(set["joint_se"].as_f64().unwrap());
        for t in set["targets"].as_object().unwrap().values() {
            m = m.max(t["se"].as_f64().unwrap());
        }
    }
    m
}

#[test]
fn precision_stops_at_the_first_checkpoint_where_every_se_is_small_enough() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let scenario = root().join("scenarios/seed-district.toml");
    // A target with p near 0.5 has se 0.5/sqrt(n): 0.00195 at 65,536 draws,
    // 0.00138 at 131,072; 0.0015 lies between.
    let precision = 0.0015;
    let got = run(dir, &scenario, &["--precision", "0.0015"], "precise");
    let mut expected = None;
    for n in [65_536u64, 131_072, 262_144] {
        let plain = run(
            dir,
            &scenario,
            &["--draws", &n.to_string()],
            &format!("plain{n}"),
        );
        if max_se(&plain) <= precision {
            expected = Some((n, plain));
            break;
        }
    }
    let (n, plain) = expected.expect("a checkpoint up to 262,144 draws meets 0.0015");
    assert_eq!(n, 131_072, "0.5/sqrt(65,536) > 0.0015 >= 0.5/sqrt(131,072)");
    let v: serde_json::Value = serde_json::from_slice(&got).unwrap();
    assert_eq!(v["draws"], n);
    assert!(
        got == plain,
        "the precise run differs from a plain run at {n} draws"
    );
}

#[test]
fn the_scenarios_precision_is_used_unless_draws_are_given() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let text = std::fs::read_to_string(root().join("scenarios/seed-district.toml")).unwrap();
    let text = text.replace("draws = 1000000", "draws = 1000000\nprecision = 0.0015");
    assert!(text.contains("precision = 0.0015"));
    std::fs::write(dir.join("s.toml"), text).unwrap();
    Command::cargo_bin("targetsim")
        .unwrap()
        .current_dir(dir)
        .args(["run", "s.toml", "--out", "a", "--no-charts", "--no-report"])
        .assert()
        .success()
        .stdout(contains("精度 0.0015：131,072 次模拟"));
    let with_draws = run(dir, Path::new("s.toml"), &["--draws", "20000"], "b");
    let v: serde_json::Value = serde_json::from_slice(&with_draws).unwrap();
    assert_eq!(v["draws"], 20_000);
    // Out of range: exit 2 naming the field.
    std::fs::write(
        dir.join("bad.toml"),
        std::fs::read_to_string(dir.join("s.toml"))
            .unwrap()
            .replace("precision = 0.0015", "precision = 0"),
    )
    .unwrap();
    Command::cargo_bin("targetsim")
        .unwrap()
        .current_dir(dir)
        .args(["run", "bad.toml", "--out", "c"])
        .assert()
        .code(2)
        .stderr(contains("simulation.precision = 0"))
        .stderr(contains("from 0.00001 to 0.5"));
}
