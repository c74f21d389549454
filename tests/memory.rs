//! The memory a command is checked against is the memory it uses: each
//! command's estimate (`engine::stream_memory` for `run`, `engine::need` for
//! the others) within 25% of the peak measured on the seed district's
//! scenarios.

use std::path::{Path, PathBuf};
use targetsim::scenario::Scenario;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(name: &str) -> Scenario {
    targetsim::scenario::load(Path::new(&root().join(name))).unwrap()
}

/// Run the binary and return its own peak resident memory, in bytes.
// The child is reaped by `wait4`, which `Child::wait` cannot replace: only
// `wait4` gives the child's own resource usage.
#[allow(clippy::zombie_processes)]
fn peak_of(args: &[&str], out: &Path) -> f64 {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_targetsim"))
        .current_dir(root())
        .args(args)
        .args(["-q", "--out"])
        .arg(out)
        .spawn()
        .unwrap();
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child, with valid pointers to fill.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{args:?}"
    );
    usage.ru_maxrss as f64 * 1024.0
}

#[test]
fn each_command_s_memory_estimate_is_within_a_quarter_of_its_measured_peak() {
    use targetsim::engine::{need, stream_memory};
    use targetsim::model::years::YearModel;
    use targetsim::plan_view::view;
    let tmp = tempfile::tempdir().unwrap();
    let one = load("scenarios/seed-district.toml");
    let plan = load("scenarios/seed-district-plan.toml");
    let variants = load("scenarios/seed-district-variants.toml");
    let streamed = |s: &Scenario, draws: f64| {
        let (fixed, per_draw) = stream_memory(&YearModel::of(s), 2);
        fixed as f64 + per_draw * draws
    };
    let targets = |s: &Scenario| -> usize {
        view(s)
            .scenario
            .target_sets
            .iter()
            .map(|t| t.targets.len() + 1)
            .sum()
    };
    let history = root().join("tests/data/us_consumption_1950_1993.csv");
    let cases: Vec<(&str, Vec<String>, f64)> = vec![
        (
            "run",
            vec![
                "run".into(),
                "scenarios/seed-district.toml".into(),
                "--draws".into(),
                "2000000".into(),
            ],
            streamed(&one, 2e6),
        ),
        (
            "run (plan)",
            vec![
                "run".into(),
                "scenarios/seed-district-plan.toml".into(),
                "--draws".into(),
                "1000000".into(),
            ],
            streamed(&plan, 1e6),
        ),
        (
            "compare",
            vec![
                "compare".into(),
                "scenarios/seed-district.toml".into(),
                "--draws".into(),
                "1000000".into(),
            ],
            need::compare(view(&one).columns.len(), targets(&one), false).at(1_000_000) as f64,
        ),
        (
            "compare (variants)",
            vec![
                "compare".into(),
                "scenarios/seed-district-variants.toml".into(),
                "--draws".into(),
                "1000000".into(),
            ],
            need::compare(view(&variants).columns.len(), targets(&variants), true).at(1_000_000)
                as f64,
        ),
        (
            "calibrate",
            vec![
                "calibrate".into(),
                "scenarios/seed-district.toml".into(),
                "--confidence".into(),
                "0.7".into(),
                "--draws".into(),
                "1000000".into(),
            ],
            need::calibrate(
                one.indicators.len(),
                one.target_sets[0].targets.len(),
                one.indicators.len(),
                one.drivers.len(),
            )
            .at(1_000_000) as f64,
        ),
        (
            "backtest",
            vec![
                "backtest".into(),
                history.to_string_lossy().into_owned(),
                "--series".into(),
                "income".into(),
                "--draws".into(),
                "1000000".into(),
            ],
            need::backtest(targetsim::backtest::SIM_COLUMNS).at(1_000_000) as f64,
        ),
    ];
    for (i, (what, args, estimate)) in cases.iter().enumerate() {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        if *what != "backtest" {
            args.extend(["--threads", "2"]);
        }
        let peak = peak_of(&args, &tmp.path().join(i.to_string()));
        let ratio = peak / estimate;
        eprintln!(
            "{what}: estimate {:.0} MiB, measured {:.0} MiB ({ratio:.2})",
            estimate / 1048576.0,
            peak / 1048576.0
        );
        assert!(
            (0.75..=1.25).contains(&ratio),
            "{what}: measured {peak:.0} bytes against an estimate of {estimate:.0} ({ratio:.2})"
        );
    }
}
