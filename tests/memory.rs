//! The memory a run is checked against is the memory it uses: the estimate
//! (`engine::stream_memory`) within 25% of the measured peak. One test in its
//! own binary, so the peak of the children it waits for is its own.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Peak resident memory of the children waited for so far, in bytes.
fn children_peak() -> u64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct it is given.
    let r = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    assert_eq!(r, 0);
    u.ru_maxrss as u64 * 1024
}

#[test]
fn the_memory_estimate_is_within_a_quarter_of_the_measured_peak() {
    let tmp = tempfile::tempdir().unwrap();
    // Smallest first: the children's peak only grows.
    for (scenario, draws) in [
        ("scenarios/seed-district.toml", 2_000_000u64),
        ("scenarios/seed-district-plan.toml", 1_000_000),
    ] {
        let path = root().join(scenario);
        let s = targetsim::scenario::load(Path::new(&path)).unwrap();
        let model = targetsim::model::years::YearModel::of(&s);
        let (fixed, per_draw) = targetsim::engine::stream_memory(&model, 2);
        let estimate = fixed as f64 + per_draw * draws as f64;
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_targetsim"))
            .args(["run", path.to_str().unwrap(), "--threads", "2", "-q"])
            .args(["--draws", &draws.to_string(), "--out"])
            .arg(tmp.path().join(s.name.as_str()))
            .status()
            .unwrap();
        assert!(status.success());
        let peak = children_peak() as f64;
        let ratio = peak / estimate;
        eprintln!(
            "{scenario}: estimate {:.0} MiB, measured {:.0} MiB",
            estimate / 1048576.0,
            peak / 1048576.0
        );
        assert!(
            (0.75..=1.25).contains(&ratio),
            "{scenario} at {draws} draws: measured {peak:.0} bytes, estimated {estimate:.0} ({ratio:.2})"
        );
    }
}
