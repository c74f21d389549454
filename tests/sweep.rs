//! Sweeps: every unit's summary.json equals a direct `run`'s bytes; a
//! resumed sweep recomputes only missing or corrupt shards; bad sweep files
//! exit 2 naming the file, field, value and fix; the Slurm scripts run their
//! shards and merge through fake `sbatch` and `scontrol`, and `--resume`
//! resubmits only a failed shard and releases the merge job.

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

/// Small draws (several blocks of 8,192, not a multiple of it) and 3 shards.
const DRAWS: u64 = 20_000;

/// The province example copied into `dir` with `counties` (all when empty),
/// `DRAWS` draws and `shards` shards.
fn province(dir: &Path, counties: &[&str], shards: u64) {
    let src = root().join("scenarios/province");
    std::fs::create_dir_all(dir.join("counties")).unwrap();
    std::fs::copy(src.join("common.toml"), dir.join("common.toml")).unwrap();
    for e in std::fs::read_dir(src.join("counties")).unwrap() {
        let p = e.unwrap().path();
        let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
        if counties.is_empty() || counties.contains(&stem.as_str()) {
            std::fs::copy(&p, dir.join("counties").join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(
        dir.join("sweep.toml"),
        format!(
            "title = \"test\"\ndraws = {DRAWS}\nshards = {shards}\n[[scenarios]]\nfiles = \"counties/*.toml\"\nvariants = true\n"
        ),
    )
    .unwrap();
}

/// Every `summary.json` under `out/<scenario>/<variant>/`, by unit.
fn summaries(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    for s in std::fs::read_dir(out).unwrap() {
        let s = s.unwrap().path();
        if !s.is_dir() || s.ends_with("shards") || s.ends_with("slurm") {
            continue;
        }
        for u in std::fs::read_dir(&s).unwrap() {
            let u = u.unwrap().path();
            let f = u.join("summary.json");
            let name = u.strip_prefix(out).unwrap().display().to_string();
            v.push((name, std::fs::read(&f).unwrap()));
        }
    }
    v.sort();
    v
}

fn shard_files(out: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    let mut stack = vec![out.join("shards")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "tsim") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

#[test]
fn every_unit_of_a_local_sweep_is_byte_identical_to_a_direct_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    province(dir, &[], 3);
    targetsim(dir)
        .args(["sweep", "sweep.toml", "--out", "out", "--threads", "2"])
        .assert()
        .success()
        .stdout(contains("12 units, 36 shards; 0 already done, 36 to run"));
    let got = summaries(&dir.join("out"));
    assert_eq!(got.len(), 12, "six counties, each base and downside");
    for (unit, bytes) in &got {
        let (county, variant) = unit.split_once('/').unwrap();
        let mut direct = targetsim(dir);
        direct.args(["run", &format!("counties/{county}.toml")]);
        if variant != "base" {
            direct.args(["--variant", variant]);
        }
        let single = format!("direct/{county}-{variant}");
        direct
            .args(["--draws", &DRAWS.to_string(), "--out", &single, "-q"])
            .args(["--no-charts", "--no-report", "--threads", "1"])
            .assert()
            .success();
        let want = std::fs::read(dir.join(&single).join("summary.json")).unwrap();
        assert!(
            want == *bytes,
            "{unit}: the sweep's summary.json differs from run's"
        );
    }
    // The variant is recorded, the base has no variant field.
    let scenario = |bytes: &[u8]| {
        let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        v["scenario"].clone()
    };
    assert!(got[1].0.ends_with("/downside"), "{}", got[1].0);
    assert_eq!(scenario(&got[1].1)["variant"], "downside");
    assert!(scenario(&got[0].1).get("variant").is_none());
    assert_eq!(scenario(&got[0].1)["file"], "counties/anping.toml");
    // The province view: a row per unit and target set, the report self-contained.
    let csv = std::fs::read_to_string(dir.join("out/sweep.csv")).unwrap();
    assert!(csv.starts_with('\u{feff}'), "UTF-8 with a byte-order mark");
    assert_eq!(csv.lines().count(), 1 + 12 * 2);
    assert!(csv.contains("anping,downside,"));
    let html = std::fs::read_to_string(dir.join("out/report.html")).unwrap();
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains("Units ranked by joint probability"));
    assert!(!html.contains("<script"));
}

/// The joint probability the CSV reports for a unit and set is the one in
/// its summary.json.
#[test]
fn the_sweep_csv_repeats_each_summarys_probabilities() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    province(dir, &["hexi"], 1);
    targetsim(dir)
        .args([
            "sweep",
            "sweep.toml",
            "--out",
            "out",
            "-q",
            "--no-charts",
            "--no-report",
        ])
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/hexi/base/summary.json")).unwrap())
            .unwrap();
    let csv = std::fs::read_to_string(dir.join("out/sweep.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("hexi,base,") && l.contains(",draft,"))
        .unwrap()
        .split(',')
        .collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let draft = &summary["target_sets"]["draft"];
    let joint: f64 = row[col("joint_probability")].parse().unwrap();
    assert!((joint - draft["joint_probability"].as_f64().unwrap()).abs() < 5e-7);
    let p: f64 = row[col("p_gdp_growth")].parse().unwrap();
    let want = draft["targets"]["gdp_growth"]["probability"]
        .as_f64()
        .unwrap();
    assert!((p - want).abs() < 5e-7);
    // Counts of 偏高 / 适中 / 偏低 from the calibrate bands (0.5, 0.9).
    let probs: Vec<f64> = draft["targets"]
        .as_object()
        .unwrap()
        .values()
        .map(|t| t["probability"].as_f64().unwrap())
        .collect();
    let high = probs.iter().filter(|p| **p < 0.5).count();
    let low = probs.iter().filter(|p| **p > 0.9).count();
    assert_eq!(row[col("too_ambitious_偏高")], high.to_string());
    assert_eq!(row[col("too_timid_偏低")], low.to_string());
    assert_eq!(
        row[col("within_适中")],
        (probs.len() - high - low).to_string()
    );
    // sweep.xlsx holds the same row as number cells: the joint probability
    // and the target's exactly as in summary.json, in percent format.
    use calamine::{Data, DataType, Reader, Xlsx};
    let bytes = std::fs::read(dir.join("out/sweep.xlsx")).expect("sweep.xlsx");
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    assert_eq!(book.sheet_names(), ["汇总"]);
    let range = book.worksheet_range("汇总").expect("sheet");
    let rows: Vec<&[Data]> = range.rows().collect();
    let codes: Vec<String> = rows[1].iter().map(|c| c.to_string()).collect();
    let at = |name: &str| codes.iter().position(|h| h == name).unwrap();
    let hit = rows[2..]
        .iter()
        .find(|r| {
            r[at("scenario")] == "hexi"
                && r[at("variant")] == "base"
                && r[at("target_set")] == "draft"
        })
        .expect("hexi's draft row");
    assert_eq!(
        hit[at("joint_probability")].get_float(),
        draft["joint_probability"].as_f64()
    );
    assert_eq!(hit[at("p_gdp_growth")].get_float(), Some(want));
    assert_eq!(hit[at("too_timid_偏低")].get_float(), Some(low as f64));
}

#[test]
fn a_resumed_sweep_recomputes_only_missing_and_corrupt_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    province(dir, &["anping", "hexi"], 3);
    let sweep = |expect: &str| {
        targetsim(dir)
            .args([
                "sweep",
                "sweep.toml",
                "--out",
                "out",
                "--no-charts",
                "--no-report",
            ])
            .assert()
            .success()
            .stdout(contains(expect.to_string()));
    };
    sweep("4 units, 12 shards; 0 already done, 12 to run");
    let before = summaries(&dir.join("out"));
    let files = shard_files(&dir.join("out"));
    assert_eq!(files.len(), 12);
    let mtime = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
    let times: Vec<_> = files.iter().map(|p| mtime(p)).collect();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::remove_file(&files[0]).unwrap();
    std::fs::remove_file(&files[7]).unwrap();
    sweep("4 units, 12 shards; 10 already done, 2 to run");
    for (i, p) in files.iter().enumerate() {
        let changed = mtime(p) != times[i];
        assert_eq!(changed, i == 0 || i == 7, "{}", p.display());
    }
    assert_eq!(summaries(&dir.join("out")), before);
    // A truncated shard file is not this sweep's result: rerun.
    let bytes = std::fs::read(&files[3]).unwrap();
    std::fs::write(&files[3], &bytes[..bytes.len() / 2]).unwrap();
    sweep("11 already done, 1 to run");
    assert_eq!(std::fs::read(&files[3]).unwrap(), bytes);
    // A shard of another seed (same name) is refused and rerun too.
    std::fs::write(
        dir.join("sweep.toml"),
        format!(
            "draws = {DRAWS}\nshards = 3\nseed = 5\n[[scenarios]]\nfiles = \"counties/*.toml\"\n"
        ),
    )
    .unwrap();
    targetsim(dir)
        .args([
            "sweep",
            "sweep.toml",
            "--out",
            "out",
            "--no-charts",
            "--no-report",
        ])
        .assert()
        .success()
        .stdout(contains("0 already done, 12 to run"))
        .stdout(contains("its seed is"));
}

fn bad_sweep(text: &str, expect: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    province(dir, &["hexi"], 1);
    std::fs::write(dir.join("bad.toml"), text).unwrap();
    let mut a = targetsim(dir)
        .args(["sweep", "bad.toml", "--out", "out"])
        .assert()
        .code(2)
        .stderr(contains("bad.toml"));
    for e in expect {
        a = a.stderr(contains(e.to_string()));
    }
    assert!(!dir.join("out/sweep.csv").exists());
}

#[test]
fn a_sweep_file_whose_glob_matches_nothing_is_refused() {
    bad_sweep(
        "[[scenarios]]\nfiles = \"county/*.toml\"\n",
        &[
            "scenarios[0].files = \"county/*.toml\"",
            "matches no scenario file",
            "hint:",
        ],
    );
}

#[test]
fn a_sweep_file_naming_an_unknown_variant_is_refused() {
    bad_sweep(
        "[[scenarios]]\nfiles = \"counties/*.toml\"\nvariants = [\"downsid\"]\n",
        &[
            "scenarios[0].variants = \"downsid\"",
            "no variant of this name",
            "did you mean `downside`?",
        ],
    );
}

#[test]
fn a_sweep_file_with_fewer_than_one_shard_is_refused() {
    bad_sweep(
        "shards = 0\n[[scenarios]]\nfiles = \"counties/*.toml\"\n",
        &["shards = 0", "from 1 to 1000000"],
    );
    bad_sweep(
        "[[scenarios]]\nfiles = \"counties/*.toml\"\ndraws = 10000\nshards = 3\n",
        &["scenarios[0].shards = 3", "at most 2 shard(s)"],
    );
}

#[test]
fn a_sweep_file_with_an_unknown_key_or_no_scenarios_is_refused() {
    bad_sweep(
        "draw = 5\n",
        &[
            "draw",
            "unknown key",
            "did you mean `draws`?",
            "no scenarios listed",
        ],
    );
    bad_sweep(
        "draws = 5\n[[scenarios]]\nfiles = \"counties/[.toml\"\n",
        &["is not a valid glob"],
    );
}

#[test]
fn merge_refuses_shards_of_another_variant_or_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    province(dir, &["hexi"], 1);
    let shard = |extra: &[&str], k: u64, out: &str| {
        targetsim(dir)
            .args(["run", "counties/hexi.toml", "--draws", "20000", "-q"])
            .args(extra)
            .args(["--shard", &format!("{k}/2"), "--out", out])
            .assert()
            .success();
    };
    shard(&[], 1, "a");
    shard(&["--variant", "downside"], 2, "b");
    shard(&["--seed", "9"], 2, "c");
    targetsim(dir)
        .args([
            "merge",
            "a/shard-1-of-2.tsim",
            "b/shard-2-of-2.tsim",
            "--out",
            "m",
        ])
        .assert()
        .code(2)
        .stderr(contains(
            "the variant is downside, but a/shard-1-of-2.tsim has (base)",
        ));
    targetsim(dir)
        .args([
            "merge",
            "a/shard-1-of-2.tsim",
            "c/shard-2-of-2.tsim",
            "--out",
            "m",
        ])
        .assert()
        .code(2)
        .stderr(contains("the seed is 9"));
    // Shards of one variant merge into run --variant's bytes.
    shard(&["--variant", "downside"], 1, "b");
    targetsim(dir)
        .args([
            "merge",
            "b/shard-1-of-2.tsim",
            "b/shard-2-of-2.tsim",
            "--out",
            "m",
            "-q",
        ])
        .assert()
        .success();
    targetsim(dir)
        .args([
            "run",
            "counties/hexi.toml",
            "--variant",
            "downside",
            "--draws",
            "20000",
        ])
        .args(["--out", "r", "-q", "--no-charts", "--no-report"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(dir.join("m/summary.json")).unwrap(),
        std::fs::read(dir.join("r/summary.json")).unwrap()
    );
}

#[test]
fn run_refuses_an_unknown_variant_with_the_names_it_has() {
    targetsim(&root())
        .args([
            "run",
            "scenarios/seed-district-variants.toml",
            "--variant",
            "upside",
        ])
        .assert()
        .code(2)
        .stderr(contains("variants = upside"))
        .stderr(contains("downside, duties, projects"));
}

/// Fake `sbatch` and `scontrol`: they log their arguments, run an array's
/// tasks at once (in the order given) and a dependent job only when every
/// job it depends on succeeded; a job left waiting runs when `scontrol
/// update` points it at jobs that succeeded, as Slurm does.
const FAKE_SBATCH: &str = r#"#!/bin/bash
set -u
cd "$FAKE_SLURM"
echo "sbatch $*" >> calls.log
id=$(cat next 2>/dev/null || echo 100); echo $((id + 1)) > next
array=""; dep=""; offset=0; script="${@: -1}"
for a in "$@"; do
  case "$a" in
    --array=*) array="${a#--array=}" ;;
    --dependency=*) dep="${a#--dependency=}" ;;
    --export=*TARGETSIM_OFFSET=*) offset="${a##*TARGETSIM_OFFSET=}" ;;
  esac
done
deps_ok() {
  local d="${1#afterok:}"
  [ -z "$1" ] && return 0
  for j in ${d//:/ }; do [ "$(cat job-$j 2>/dev/null)" = ok ] || return 1; done
}
if [ -n "$array" ]; then
  status=ok
  for part in ${array//,/ }; do
    for i in $(seq "${part%-*}" "${part#*-}"); do
      SLURM_ARRAY_TASK_ID=$i TARGETSIM_OFFSET=$offset bash "$script" >> tasks.log 2>&1 || status=failed
    done
  done
  echo $status > job-$id
else
  echo "$script" > script-$id
  if deps_ok "$dep"; then
    if bash "$script" >> merge.log 2>&1; then echo ok > job-$id; else echo failed > job-$id; fi
  else
    echo pending > job-$id
  fi
fi
echo "$id;fake"
"#;

const FAKE_SCONTROL: &str = r#"#!/bin/bash
set -u
cd "$FAKE_SLURM"
echo "scontrol $*" >> calls.log
job=""; dep=""
for a in "$@"; do
  case "$a" in JobId=*) job="${a#JobId=}" ;; Dependency=*) dep="${a#Dependency=}" ;; esac
done
[ "$(cat job-$job 2>/dev/null)" = pending ] || { echo "Job has already finished" >&2; exit 1; }
for j in ${dep#afterok:}; do :; done
ok=1
d="${dep#afterok:}"
for j in ${d//:/ }; do [ "$(cat job-$j 2>/dev/null)" = ok ] || ok=0; done
if [ $ok = 1 ]; then
  if bash "$(cat script-$job)" >> merge.log 2>&1; then echo ok > job-$job; else echo failed > job-$job; fi
fi
"#;

#[test]
fn slurm_scripts_run_every_shard_and_resume_resubmits_only_the_failed_one() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    province(dir, &["anping", "hexi"], 2);
    let fake = dir.join("fake");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&fake).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    let real = assert_cmd::cargo::cargo_bin("targetsim");
    // One shard (hexi's second) fails the first time it runs.
    let wrapper = format!(
        "#!/bin/bash\nif [[ \"$*\" == *hexi.toml*--shard\\ 2/2* && ! -e {f}/failed-once ]]; then touch {f}/failed-once; echo boom >&2; exit 1; fi\nexec {real} \"$@\"\n",
        f = fake.display(),
        real = real.display()
    );
    for (name, text) in [
        ("sbatch", FAKE_SBATCH),
        ("scontrol", FAKE_SCONTROL),
        ("flaky-targetsim", wrapper.as_str()),
    ] {
        std::fs::write(bin.join(name), text).unwrap();
        std::fs::set_permissions(bin.join(name), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let slurm = |args: &[&str]| {
        let mut c = targetsim(dir);
        c.env("PATH", &path)
            .env("FAKE_SLURM", &fake)
            .env("TARGETSIM", bin.join("flaky-targetsim"))
            .args(["sweep", "sweep.toml", "--out", "cluster", "--slurm"])
            .args(args);
        c
    };
    // Without --submit: scripts and state only.
    slurm(&[])
        .assert()
        .success()
        .stdout(contains("8 array tasks"));
    assert!(!fake.join("calls.log").exists());
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("cluster/slurm/state.json")).unwrap())
            .unwrap();
    let tasks = state["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 8);
    assert_eq!(tasks[7]["scenario"], "hexi");
    assert_eq!(tasks[7]["variant"], "downside");
    assert_eq!(tasks[7]["shard"], "2/2");
    assert_eq!(tasks[5]["shard"], "2/2");
    assert!(tasks[5].get("variant").is_none());

    slurm(&[
        "--submit",
        "--partition",
        "debug",
        "--sbatch-arg=--time=00:10:00",
    ])
    .assert()
    .success()
    .stdout(contains("submitted array job 100: 8 shard(s), indices 0-7"))
    .stdout(contains("submitted merge job 101 (afterok:100)"));
    let calls = std::fs::read_to_string(fake.join("calls.log")).unwrap();
    let lines: Vec<&str> = calls.lines().collect();
    assert_eq!(lines.len(), 2, "{calls}");
    assert!(lines[0].starts_with("sbatch --parsable --array=0-7 --export=ALL,TARGETSIM_OFFSET=0 --partition=debug --time=00:10:00 "), "{}", lines[0]);
    assert!(lines[0].ends_with("cluster/slurm/array.sh"), "{}", lines[0]);
    assert!(
        lines[1].starts_with(
            "sbatch --parsable --cpus-per-task=1 --dependency=afterok:100 --partition=debug --time=00:10:00 "
        ),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with("cluster/slurm/merge.sh"), "{}", lines[1]);
    // Hexi's second base shard (index 5) failed: the merge job waits.
    assert_eq!(
        std::fs::read_to_string(fake.join("job-100"))
            .unwrap()
            .trim(),
        "failed"
    );
    assert_eq!(
        std::fs::read_to_string(fake.join("job-101"))
            .unwrap()
            .trim(),
        "pending"
    );
    assert!(
        !dir.join("cluster/shards/hexi/base/shard-2-of-2.tsim")
            .exists()
    );
    assert!(!dir.join("cluster/sweep.csv").exists());

    slurm(&["--resume", "--partition", "debug"])
        .assert()
        .success()
        .stdout(contains("submitted array job 102: 1 shard(s), indices 5"))
        .stdout(contains("merge job 101 now waits for afterok:102"));
    let calls = std::fs::read_to_string(fake.join("calls.log")).unwrap();
    let lines: Vec<&str> = calls.lines().collect();
    assert_eq!(lines.len(), 4, "{calls}");
    assert!(
        lines[2].starts_with(
            "sbatch --parsable --array=5 --export=ALL,TARGETSIM_OFFSET=0 --partition=debug "
        ),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3], "scontrol update JobId=101 Dependency=afterok:102");
    assert_eq!(
        std::fs::read_to_string(fake.join("job-101"))
            .unwrap()
            .trim(),
        "ok"
    );
    assert!(dir.join("cluster/sweep.csv").exists());
    assert!(dir.join("cluster/report.html").exists());

    // Every summary.json equals a local sweep's.
    targetsim(dir)
        .args([
            "sweep",
            "sweep.toml",
            "--out",
            "local",
            "-q",
            "--no-charts",
            "--no-report",
        ])
        .assert()
        .success();
    let (cluster, local) = (
        summaries(&dir.join("cluster")),
        summaries(&dir.join("local")),
    );
    assert_eq!(cluster.len(), 4);
    assert_eq!(cluster, local);

    // A second resume finds nothing to do; the finished merge job cannot be
    // re-pointed, so a new merge is submitted without a dependency.
    slurm(&["--resume"])
        .assert()
        .success()
        .stdout(contains("every shard file is done and valid"))
        .stdout(contains("submitted merge job 103\n"));
}

#[test]
fn the_merge_step_refuses_to_run_with_shards_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    province(dir, &["hexi"], 2);
    targetsim(dir)
        .args(["sweep", "sweep.toml", "--out", "out", "--merge"])
        .assert()
        .code(1)
        .stderr(contains("4 of 4 shard files are missing or invalid"))
        .stderr(contains("--slurm --resume"));
}

#[test]
fn a_sweep_of_two_scenarios_with_one_name_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    province(dir, &["hexi"], 1);
    std::fs::copy(
        dir.join("counties/hexi.toml"),
        dir.join("counties/hexi2.toml"),
    )
    .unwrap();
    targetsim(dir)
        .args(["sweep", "sweep.toml", "--out", "out"])
        .assert()
        .code(2)
        .stderr(contains("scenarios[0].files = hexi"))
        .stderr(contains("have the same name"))
        .stderr(contains("give each scenario its own `name`"));
}

#[test]
fn a_sweep_with_a_precision_runs_what_run_precision_runs_and_counts_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    province(dir, &["hexi"], 2);
    std::fs::write(
        dir.join("sweep.toml"),
        "precision = 0.0015\nshards = 2\n[[scenarios]]\nfiles = \"counties/*.toml\"\n",
    )
    .unwrap();
    let sweep = || {
        targetsim(dir)
            .args([
                "sweep",
                "sweep.toml",
                "--out",
                "out",
                "--no-charts",
                "--no-report",
            ])
            .assert()
            .success()
    };
    sweep()
        .stdout(contains("hexi/base: precision 0.0015 needs"))
        .stdout(contains("(counted for 2 unit(s)"));
    for (variant, extra) in [
        ("base", vec![]),
        ("downside", vec!["--variant", "downside"]),
    ] {
        targetsim(dir)
            .args(["run", "counties/hexi.toml", "--precision", "0.0015"])
            .args(extra)
            .args([
                "--out",
                &format!("direct-{variant}"),
                "-q",
                "--no-charts",
                "--no-report",
            ])
            .assert()
            .success();
        assert_eq!(
            std::fs::read(dir.join(format!("out/hexi/{variant}/summary.json"))).unwrap(),
            std::fs::read(dir.join(format!("direct-{variant}/summary.json"))).unwrap(),
            "{variant}"
        );
    }
    // Resumed: the draws come from precision.json, and every shard is kept.
    let again = sweep().get_output().stdout.clone();
    let again = String::from_utf8(again).unwrap();
    assert!(!again.contains("counted for"), "{again}");
    assert!(again.contains("4 already done, 0 to run"), "{again}");
}
