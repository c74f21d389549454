//! Output folders under faults: killed, interrupted, raced, out of disk,
//! over a file-size or memory limit, or pointed at their own input. After
//! each, the folder holds one whole run (the previous or the new one) and
//! nothing else.

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_targetsim")
}

fn seed_district() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district.toml")
}

fn targetsim(dir: &Path) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(dir);
    c
}

/// `run seed-district` with these draws and seed into `out`, in the background.
fn spawn_run(dir: &Path, out: &Path, draws: u64, seed: u64) -> Child {
    std::process::Command::new(bin())
        .current_dir(dir)
        .args(["run", seed_district().to_str().unwrap(), "-q"])
        .args(["--draws", &draws.to_string(), "--seed", &seed.to_string()])
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start targetsim")
}

/// Every file under `dir`, relative, `/`-separated.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The folder holds exactly the files its `run` marker lists, each with the
/// recorded hash, and summary.json and report.html name the same seed:
/// one run, whole. Returns that seed.
fn one_whole_run(out: &Path) -> u64 {
    let marker: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(".targetsim-run")).unwrap()).unwrap();
    let listed: BTreeMap<String, String> = marker["files"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let present: Vec<String> = files_under(out)
        .into_iter()
        .filter(|f| f != ".targetsim-run")
        .collect();
    assert_eq!(
        present,
        listed.keys().cloned().collect::<Vec<_>>(),
        "files in {} other than the marker lists",
        out.display()
    );
    for (name, hash) in &listed {
        let bytes = std::fs::read(out.join(name)).unwrap();
        assert_eq!(
            &targetsim::scenario::hash_bytes(&bytes),
            hash,
            "{name} is not the file its run wrote"
        );
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let seed = summary["seed"].as_u64().unwrap();
    if listed.contains_key("report.html") {
        let report = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(
            report.contains(&format!("seed {seed} ")),
            "report.html is from another run than summary.json (seed {seed})"
        );
    }
    seed
}

/// Nothing targetsim keeps while writing is left beside `out`.
fn nothing_left_beside(out: &Path) {
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    let leftovers: Vec<String> = names_in(out.parent().unwrap())
        .into_iter()
        .filter(|n| n.starts_with(&format!(".{name}.targetsim-")))
        .collect();
    assert!(
        leftovers.is_empty(),
        "left beside the output: {leftovers:?}"
    );
}

/// The staged `summary.json` of the run with this process id, once the
/// run has started writing its files.
fn staged_summary(out: &Path, pid: u32) -> PathBuf {
    out.parent()
        .unwrap()
        .join(format!(
            ".{}.targetsim-staging-{pid}",
            out.file_name().unwrap().to_string_lossy()
        ))
        .join("summary.json")
}

/// Sleep until `p` exists or `child` has exited; the time it took.
fn until_exists(p: &Path, child: &mut Child, since: Instant) -> Duration {
    while !p.exists() && child.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_micros(500));
    }
    since.elapsed()
}

#[test]
fn a_run_killed_at_any_moment_leaves_one_whole_run_in_the_folder() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    const DRAWS: u64 = 200_000;
    // A previous run, how long a whole run takes, and when it starts
    // writing its files.
    let t0 = Instant::now();
    let mut first = spawn_run(tmp.path(), &out, DRAWS, 1000);
    let writing = until_exists(&staged_summary(&out, first.id()), &mut first, t0);
    assert!(first.wait().unwrap().success());
    let whole = t0.elapsed();
    let write_phase = whole.saturating_sub(writing);
    assert_eq!(one_whole_run(&out), 1000);
    eprintln!(
        "a whole run: {:.0} ms, writing from {:.0} ms",
        whole.as_secs_f64() * 1e3,
        writing.as_secs_f64() * 1e3
    );
    // Deterministic pseudo-random kill points: a third anywhere in the run,
    // the rest while it writes its files and swaps them into place.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut uniform = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut previous = 1000;
    let (mut kept, mut replaced, mut finished) = (0, 0, 0);
    for i in 1..=20u64 {
        let seed = 1000 + i;
        let t = Instant::now();
        let mut child = spawn_run(tmp.path(), &out, DRAWS, seed);
        if i % 3 == 0 {
            std::thread::sleep(whole.mul_f64(uniform()));
        } else {
            until_exists(&staged_summary(&out, child.id()), &mut child, t);
            std::thread::sleep(write_phase.mul_f64(1.1 * uniform()));
        }
        if child.try_wait().unwrap().is_some() {
            finished += 1;
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let found = one_whole_run(&out);
        assert!(
            found == previous || found == seed,
            "kill {i} after {:.0} ms: seed {found}, expected {previous} or {seed}",
            t.elapsed().as_secs_f64() * 1e3
        );
        if found == seed {
            replaced += 1;
        } else {
            kept += 1;
        }
        previous = found;
    }
    eprintln!(
        "20 kills: {kept} left the previous run, {replaced} the new one ({finished} runs had finished)"
    );
    // The next run clears what the killed ones left beside the folder.
    assert!(
        spawn_run(tmp.path(), &out, 2000, 7)
            .wait()
            .unwrap()
            .success()
    );
    assert_eq!(one_whole_run(&out), 7);
    nothing_left_beside(&out);
    eprintln!("kill test took {:.1} s", started.elapsed().as_secs_f64());
}

/// Wait until the run has locked `out` (so it is past its checks).
fn wait_for_lock(out: &Path) {
    let lock = out.parent().unwrap().join(format!(
        ".{}.targetsim-lock",
        out.file_name().unwrap().to_string_lossy()
    ));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !lock.exists() {
        assert!(Instant::now() < deadline, "the run never took the lock");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_second_writer_of_the_same_folder_is_refused_and_sigterm_cleans_up() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut first = spawn_run(tmp.path(), &out, 3_000_000, 1);
    wait_for_lock(&out);
    for cmd in [&["run"][..], &["calibrate", "-c", "0.7"][..]] {
        targetsim(tmp.path())
            .args(cmd)
            .arg(seed_district())
            .args(["-n", "1000", "-q", "--out", "out"])
            .assert()
            .code(2)
            .stderr(contains("out: another targetsim command (process"));
    }
    // SIGTERM: the first one removes its staging folder and lock, and exits 143.
    // SAFETY: signalling our own child by its id.
    unsafe {
        libc::kill(first.id() as i32, libc::SIGTERM);
    }
    let status = first.wait().unwrap();
    assert_eq!(status.code(), Some(143), "{status:?}");
    assert_eq!(names_in(tmp.path()), Vec::<String>::new());
}

#[test]
fn sigint_during_a_run_leaves_the_previous_results() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert!(
        spawn_run(tmp.path(), &out, 2000, 3)
            .wait()
            .unwrap()
            .success()
    );
    let mut run = spawn_run(tmp.path(), &out, 3_000_000, 4);
    wait_for_lock(&out);
    std::thread::sleep(Duration::from_millis(100));
    // SAFETY: signalling our own child by its id.
    unsafe {
        libc::kill(run.id() as i32, libc::SIGINT);
    }
    assert_eq!(run.wait().unwrap().code(), Some(130));
    assert_eq!(one_whole_run(&out), 3);
    assert_eq!(names_in(tmp.path()), ["out"]);
}

#[test]
fn files_of_the_previous_run_that_this_run_does_not_write_are_gone() {
    let tmp = tempfile::tempdir().unwrap();
    let s = seed_district();
    let s = s.to_str().unwrap();
    let run = |extra: &[&str]| {
        targetsim(tmp.path())
            .args(["run", s, "-n", "2000", "-q", "--out", "out"])
            .args(extra)
            .assert()
            .success();
    };
    run(&[]);
    targetsim(tmp.path())
        .args([
            "calibrate",
            s,
            "-c",
            "0.7",
            "-n",
            "2000",
            "-q",
            "--out",
            "out",
        ])
        .assert()
        .success();
    // A stray file named like the charts folder, and a temporary file an
    // older version left when killed.
    std::fs::remove_dir_all(tmp.path().join("out/charts")).unwrap();
    std::fs::write(tmp.path().join("out/charts"), "not a folder").unwrap();
    std::fs::write(tmp.path().join("out/.tornado.png.Ab12Cd"), "half").unwrap();
    run(&["--no-report", "--no-charts", "--seed", "8"]);
    let names = names_in(&tmp.path().join("out"));
    assert_eq!(
        names,
        [
            ".targetsim-calibrate",
            ".targetsim-run",
            "calibration.csv",
            "calibration.html",
            "calibration.json",
            "calibration.png",
            "calibration.svg",
            "calibration.xlsx",
            "indicators.csv",
            "results.xlsx",
            "summary.json",
            "targets.csv"
        ],
        "the old report, charts and tornado are gone; calibrate's file stays"
    );
    run(&["--seed", "9"]);
    assert!(tmp.path().join("out/charts").is_dir());
    assert!(tmp.path().join("out/calibration.json").exists());
    nothing_left_beside(&tmp.path().join("out"));
}

#[test]
fn a_folder_holding_other_files_or_the_current_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("mine")).unwrap();
    std::fs::write(tmp.path().join("mine/notes.txt"), "keep me").unwrap();
    targetsim(tmp.path())
        .args(["run", seed_district().to_str().unwrap(), "-n", "1000"])
        .args(["--out", "mine"])
        .assert()
        .code(2)
        .stderr(contains(
            "mine: holds files targetsim did not write (notes.txt)",
        ));
    assert_eq!(names_in(&tmp.path().join("mine")), ["notes.txt"]);
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    targetsim(&empty)
        .args(["run", seed_district().to_str().unwrap(), "-n", "1000"])
        .args(["--out", "."])
        .assert()
        .code(2)
        .stderr(contains("is the current directory"));
}

#[test]
fn no_command_writes_over_its_own_input() {
    let tmp = tempfile::tempdir().unwrap();
    let mut csv = String::from("year,a\n");
    for (i, y) in (2000..2016).enumerate() {
        csv.push_str(&format!(
            "{y},{}\n",
            100.0 * 1.05f64.powi(i as i32) + i as f64
        ));
    }
    std::fs::write(tmp.path().join("h.csv"), &csv).unwrap();
    targetsim(tmp.path())
        .args(["fit", "h.csv", "--series", "a", "--out", "h.csv"])
        .assert()
        .code(2)
        .stderr(
            contains("h.csv")
                .and(contains("input"))
                .and(contains("overwrite")),
        );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("h.csv")).unwrap(),
        csv
    );
    // A JSON scenario named summary.json, run with --out the folder holding it.
    let toml_text = std::fs::read_to_string(seed_district()).unwrap();
    let doc: toml::Table = toml_text.parse().unwrap();
    let json = serde_json::to_string_pretty(&doc).unwrap();
    let dir = tmp.path().join("s");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("summary.json"), &json).unwrap();
    targetsim(tmp.path())
        .args(["run", "s/summary.json", "-n", "1000", "--out", "s"])
        .assert()
        .code(2)
        .stderr(contains("s: holds ").and(contains("summary.json, an input of this command")));
    assert_eq!(
        std::fs::read_to_string(dir.join("summary.json")).unwrap(),
        json
    );
    // Backtest, given its history file's own folder.
    targetsim(tmp.path())
        .args([
            "backtest", "h.csv", "--series", "a", "--from", "2008", "--out", ".",
        ])
        .assert()
        .code(2)
        .stderr(contains("an input of this command"));
}

/// A small tmpfs mounted for the test's life, if the system lets us.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(dir: &Path, size: &str) -> Option<Mount> {
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(dir.to_path_buf()))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_fails_with_exit_1_naming_the_file_and_keeps_the_previous_run() {
    let tmp = tempfile::tempdir().unwrap();
    let disk = tmp.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let Some(_mount) = Mount::tmpfs(&disk, "300k") else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    };
    let s = seed_district();
    let s = s.to_str().unwrap();
    targetsim(tmp.path())
        .args([
            "run",
            s,
            "-n",
            "2000",
            "-s",
            "5",
            "-q",
            "--no-charts",
            "--no-report",
        ])
        .args(["--out", "disk/out"])
        .assert()
        .success();
    targetsim(tmp.path())
        .args(["run", s, "-n", "2000", "-s", "6", "-q", "--out", "disk/out"])
        .assert()
        .code(1)
        .stderr(contains("error: disk/out/").and(contains("No space left on device")));
    assert_eq!(one_whole_run(&disk.join("out")), 5);
    assert_eq!(names_in(&disk), ["out"]);
    // The mount point itself cannot be swapped: refused before the run.
    std::fs::remove_dir_all(disk.join("out")).unwrap();
    targetsim(tmp.path())
        .args(["run", s, "-n", "2000", "-q", "--out", "disk"])
        .assert()
        .code(2)
        .stderr(contains("disk: is a mount point"));
}

#[test]
fn a_file_size_limit_fails_with_exit_1_naming_the_file_not_a_signal() {
    let tmp = tempfile::tempdir().unwrap();
    let cmd = format!(
        "ulimit -f 100; exec '{}' run '{}' -n 2000 -q --out out",
        bin(),
        seed_district().display()
    );
    Command::new("bash")
        .current_dir(tmp.path())
        .args(["-c", &cmd])
        .assert()
        .code(1)
        .stderr(contains("error: out/").and(contains("File too large")));
    assert_eq!(names_in(tmp.path()), Vec::<String>::new());
}

#[test]
fn draws_beyond_an_address_space_limit_are_refused_before_allocating() {
    let tmp = tempfile::tempdir().unwrap();
    let cmd = format!(
        // Runs stream (memory grows only with a few bytes a draw), so it
        // takes the largest run allowed to overflow a 400 MB address space.
        "ulimit -v 400000; exec '{}' run '{}' --draws 10000000000 -q",
        bin(),
        seed_district().display()
    );
    Command::new("bash")
        .current_dir(tmp.path())
        .args(["-c", &cmd])
        .assert()
        .code(2)
        .stderr(contains("lower --draws to at most"));
    assert_eq!(names_in(tmp.path()), Vec::<String>::new());
}
