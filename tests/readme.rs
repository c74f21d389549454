//! The README's example output is what the tool prints: each excerpt is
//! rerun here and compared line by line, so it cannot go stale.

use assert_cmd::Command;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fenced `text` block of the README that starts with `first`.
fn block(first: &str) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find(&format!("```text\n{first}"))
        .unwrap_or_else(|| panic!("README has a block starting with {first:?}"))
        + "```text\n".len();
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_string()
}

fn stdout(args: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("targetsim")
        .unwrap()
        .current_dir(root())
        .args(args)
        .arg("--out")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    // The README shows the default output folder.
    String::from_utf8(out.stdout)
        .unwrap()
        .replace(tmp.path().to_str().unwrap(), "output/seed-district")
}

/// Every line of `excerpt` appears in `printed`, in order.
fn assert_excerpt(excerpt: &str, printed: &str) {
    let mut lines = printed.lines();
    for want in excerpt.lines() {
        assert!(
            lines.any(|got| got.trim_end() == want.trim_end()),
            "README line not printed (in this order):\n{want}\n--- printed:\n{printed}"
        );
    }
}

#[test]
fn the_quickstart_table_is_what_run_prints() {
    let printed = stdout(&[
        "run",
        "scenarios/seed-district.toml",
        "--no-charts",
        "--no-report",
        "--lang",
        "en",
    ]);
    assert_excerpt(
        &block("Seed district: next year's targets\n1,000,000 draws"),
        &printed,
    );
}

#[test]
fn the_keep_plan_excerpt_is_what_calibrate_prints() {
    let printed = stdout(&[
        "calibrate",
        "scenarios/seed-district-plan.toml",
        "--confidence",
        "0.7",
        "--draws",
        "200000",
        "--keep-plan",
        "0.5",
        "--lang",
        "en",
    ]);
    assert_excerpt(&block("keeping the plan (--keep-plan)"), &printed);
}

#[test]
fn the_calibrate_example_is_what_calibrate_prints() {
    let printed = stdout(&[
        "calibrate",
        "scenarios/seed-district.toml",
        "--confidence",
        "0.7",
        "--lang",
        "en",
    ]);
    assert_excerpt(
        &block("Seed district: next year's targets\ncalibration of target set draft"),
        &printed,
    );
}

#[test]
fn the_compare_example_is_what_compare_prints() {
    let printed = stdout(&["compare", "scenarios/seed-district.toml", "--lang", "en"]);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    // The second block that opens like the quickstart's is compare's.
    let first = readme
        .find("```text\nSeed district: next year's targets\n1,000,000 draws")
        .unwrap();
    let at = first
        + 8
        + readme[first + 8..]
            .find("```text\nSeed district: next year's targets\n1,000,000 draws")
            .unwrap();
    let start = at + "```text\n".len();
    let end = start + readme[start..].find("```").unwrap();
    assert_excerpt(&readme[start..end], &printed);
}

/// The README's sensitivity excerpt (rounded) is `run`'s `summary.json`:
/// every number shown equals the file's to the digits shown.
#[test]
fn the_sensitivity_excerpt_is_what_run_writes() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("```json\n{\n  \"linear_r2\"").unwrap() + "```json\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let excerpt = &readme[start..end];
    let shown: serde_json::Value = serde_json::from_str(excerpt).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    Command::cargo_bin("targetsim")
        .unwrap()
        .current_dir(root())
        .args([
            "run",
            "scenarios/seed-district.toml",
            "--no-charts",
            "--no-report",
            "-q",
            "--out",
        ])
        .arg(tmp.path())
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("summary.json")).unwrap()).unwrap();
    let actual = &summary["sensitivity"]["indicators"]["gdp_growth"];
    // Each number's text gives its precision: half a unit of its last digit.
    let digits = |key: &str| -> f64 {
        let at = excerpt.find(&format!("\"{key}\": ")).unwrap() + key.len() + 4;
        let text: String = excerpt[at..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
            .collect();
        let decimals = text.split('.').nth(1).map_or(0, str::len);
        0.5 * 10f64.powi(-(decimals as i32)) + 1e-12
    };
    let check = |path: &[&str], want: &serde_json::Value| {
        let mut got = actual;
        for p in path {
            got = &got[*p];
        }
        let (w, g) = (want.as_f64().unwrap(), got.as_f64().unwrap());
        let key = path[path.len() - 1];
        assert!(
            (w - g).abs() <= digits(key),
            "{path:?}: README {w}, run {g}"
        );
    };
    check(&["at_medians"], &shown["at_medians"]);
    for (k, v) in shown["drivers"]["g_secondary"].as_object().unwrap() {
        check(&["drivers", "g_secondary", k], v);
    }
    check(
        &["misses", "draft", "miss_rate"],
        &shown["misses"]["draft"]["miss_rate"],
    );
    for (k, v) in shown["misses"]["draft"]["drivers"]["g_secondary"]
        .as_object()
        .unwrap()
    {
        check(&["misses", "draft", "drivers", "g_secondary", k], v);
    }
}

/// Every number of a README JSON excerpt equals the file's at the same
/// place, to the digits shown (shortened lists are skipped).
fn assert_numbers_match(shown: &serde_json::Value, actual: &serde_json::Value, path: &str) {
    use serde_json::Value;
    match (shown, actual) {
        (Value::Object(s), Value::Object(a)) => {
            for (k, v) in s {
                if let Some(av) = a.get(k) {
                    assert_numbers_match(v, av, &format!("{path}.{k}"));
                }
            }
        }
        (Value::Array(s), Value::Array(a)) if s.len() == a.len() => {
            for (i, (v, av)) in s.iter().zip(a).enumerate() {
                assert_numbers_match(v, av, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(s), Value::Number(a)) => {
            let (w, g) = (s.as_f64().unwrap(), a.as_f64().unwrap());
            // The shortest text of the number shown gives its precision.
            let text = format!("{w}");
            let decimals = text.split('.').nth(1).map_or(0, str::len);
            let tol = 0.5 * 10f64.powi(-(decimals as i32)) * (1.0 + 1e-9);
            assert!(
                (w - g).abs() <= tol,
                "{path}: README {w}, the tool writes {g}"
            );
        }
        _ => {}
    }
}

fn summary_of(args: &[&str]) -> serde_json::Value {
    let tmp = tempfile::tempdir().unwrap();
    Command::cargo_bin("targetsim")
        .unwrap()
        .current_dir(root())
        .args(args)
        .args(["--no-charts", "--no-report", "-q", "--out"])
        .arg(tmp.path())
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(tmp.path().join("summary.json")).unwrap()).unwrap()
}

fn json_block(opening: &str) -> serde_json::Value {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find(&format!("```json\n{opening}"))
        .unwrap_or_else(|| panic!("README has a JSON block opening with {opening:?}"))
        + "```json\n".len();
    let end = start + readme[start..].find("```").unwrap();
    serde_json::from_str(&readme[start..end]).unwrap()
}

#[test]
fn the_summary_json_excerpts_are_what_run_writes() {
    let one = summary_of(&["run", "scenarios/seed-district.toml"]);
    let shown = json_block(
        "{\n  \"schema_version\": 1,\n  \"tool\": { \"name\": \"targetsim\", \"version\": \"0.1.0\" },\n  \"scenario\"",
    );
    assert_numbers_match(&shown, &one, "summary.json");
    let plan = summary_of(&[
        "run",
        "scenarios/seed-district-plan.toml",
        "--draws",
        "200000",
    ]);
    let shown = json_block("{\n  \"horizon\"");
    assert_numbers_match(&shown, &plan, "plan summary.json");
}

#[test]
fn the_sweep_error_excerpt_is_what_sweep_prints() {
    let tmp = tempfile::tempdir().unwrap();
    let src = root().join("scenarios/province");
    std::fs::create_dir(tmp.path().join("counties")).unwrap();
    std::fs::copy(src.join("common.toml"), tmp.path().join("common.toml")).unwrap();
    std::fs::copy(
        src.join("counties/anping.toml"),
        tmp.path().join("counties/anping.toml"),
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("sweep.toml"),
        "[[scenarios]]\nfiles = \"counties/anping.toml\"\nvariants = [\"downsid\"]\n",
    )
    .unwrap();
    let out = Command::cargo_bin("targetsim")
        .unwrap()
        .current_dir(tmp.path())
        .args(["sweep", "sweep.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let printed = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        printed.trim_end(),
        block("error: sweep.toml: scenarios[0].variants").trim_end()
    );
}

#[test]
fn the_pipeline_example_is_what_run_prints() {
    let printed = stdout(&[
        "run",
        "scenarios/seed-district-projects.toml",
        "--no-charts",
        "--no-report",
        "--lang",
        "en",
    ]);
    assert_excerpt(
        &block("target set speech  讲话目标 the speech's pipeline and ranking targets"),
        &printed,
    );
}

#[test]
fn the_headline_is_what_run_prints_first() {
    let printed = stdout(&[
        "run",
        "scenarios/seed-district.toml",
        "--no-charts",
        "--no-report",
    ]);
    let excerpt = block("结论\n");
    assert!(printed.starts_with("结论\n"), "{printed}");
    assert_excerpt(&excerpt, &printed);
}

/// Width, height and RGB(A) pixels of a PNG.
fn pixels(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut r = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("a PNG");
    let mut buf = vec![0; r.output_buffer_size()];
    let info = r.next_frame(&mut buf).expect("a frame");
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[test]
fn the_readme_picture_is_the_ladder_run_draws() {
    // The picture at the top of the README is the draft set's target
    // ladder of the main command. Compared by pixels, allowing a few to
    // differ (anti-aliasing may round differently on another CPU); a stale
    // picture (any moved marker or changed number) differs in far more.
    let tmp = tempfile::tempdir().unwrap();
    Command::cargo_bin("targetsim")
        .unwrap()
        .current_dir(root())
        .args(["run", "scenarios/seed-district.toml", "-q", "--no-report"])
        .arg("--out")
        .arg(tmp.path())
        .assert()
        .success();
    let drawn = pixels(&std::fs::read(tmp.path().join("charts/ladder-draft.png")).unwrap());
    let shown = pixels(&std::fs::read(root().join("docs/seed-district-ladder.png")).unwrap());
    assert_eq!((shown.0, shown.1), (drawn.0, drawn.1), "picture size");
    let differ = shown
        .2
        .iter()
        .zip(&drawn.2)
        .filter(|(a, b)| a.abs_diff(**b) > 8)
        .count();
    assert!(
        differ * 1000 < drawn.2.len(),
        "{differ} of {} channel values differ: regenerate docs/seed-district-ladder.png",
        drawn.2.len()
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("summary.json")).unwrap()).unwrap();
    let joint = summary["target_sets"]["draft"]["joint_probability"]
        .as_f64()
        .unwrap();
    assert!(
        readme.contains(&format!("all ten together in {:.1}%", joint * 100.0)),
        "the picture's caption gives another joint probability than {joint}"
    );
}
