//! Damaged and random input never crashes the program, and the invariants
//! of every result hold (quantiles ordered, probabilities in [0, 1], same
//! seed same bytes), over many generated scenarios.

use proptest::prelude::*;
use std::path::Path;
use targetsim::RunOptions;
use targetsim::scenario::{self, Format};

fn scenario_bytes(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(name),
    )
    .expect("shipped scenario")
}

fn seed_district_bytes() -> Vec<u8> {
    scenario_bytes("seed-district.toml")
}

/// Load must return Ok or Err, never panic; when it returns Ok, a short run
/// (one year, several years, sensitivity) must not panic either.
fn survives(bytes: &[u8], format: Format) {
    if let Ok(s) = scenario::from_bytes(Path::new("damaged.toml"), bytes, format) {
        let opts = RunOptions::new(64, 1);
        let _ = targetsim::run(&s, &opts);
        let model = targetsim::model::Model::compile(&s);
        let _ = targetsim::sensitivity::run(&s, &model, &opts);
    }
}

#[test]
fn a_scenario_cut_off_at_any_byte_never_crashes() {
    let bytes = seed_district_bytes();
    for cut in 0..bytes.len() {
        survives(&bytes[..cut], Format::Toml);
    }
    let json = serde_json::to_vec(
        &toml::from_str::<toml::Table>(std::str::from_utf8(&bytes).unwrap()).unwrap(),
    )
    .unwrap();
    for cut in (0..json.len()).step_by(3) {
        survives(&json[..cut], Format::Json);
    }
    // The multi-year and variant formats, every third byte.
    for name in ["seed-district-plan.toml", "seed-district-variants.toml"] {
        let bytes = scenario_bytes(name);
        for cut in (0..bytes.len()).step_by(3) {
            survives(&bytes[..cut], Format::Toml);
        }
    }
}

#[test]
fn a_scenario_with_any_single_line_damaged_never_crashes() {
    damage_every_line(&seed_district_bytes());
}

#[test]
fn the_plan_and_variants_scenarios_with_any_single_line_damaged_never_crash() {
    damage_every_line(&scenario_bytes("seed-district-plan.toml"));
    damage_every_line(&scenario_bytes("seed-district-variants.toml"));
}

fn damage_every_line(bytes: &[u8]) {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let damages: [&dyn Fn(&str) -> String; 8] = [
        &|_| String::new(),
        &|l| format!("{l}{l}"),
        &|l| l.replace('=', ""),
        &|l| l.replace('"', ""),
        &|l| l.replace(|c: char| c.is_ascii_digit(), "-9"),
        &|l| l.replace(['[', ']'], ""),
        &|l| l.chars().rev().collect(),
        &|l| l.replace("0.", "nan"),
    ];
    for i in 0..lines.len() {
        for damage in &damages {
            let mut damaged: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            damaged[i] = damage(lines[i]);
            survives(damaged.join("\n").as_bytes(), Format::Toml);
        }
    }
}

#[test]
fn a_repeated_line_of_the_seed_district_is_reported_not_crashed() {
    // Duplicate keys are a TOML error: the loader must say where.
    let text = String::from_utf8(seed_district_bytes()).unwrap();
    let line = text.lines().find(|l| l.starts_with("g_fai ")).unwrap();
    let damaged = text.replacen(line, &format!("{line}\n{line}"), 1);
    let err =
        scenario::from_bytes(Path::new("d.toml"), damaged.as_bytes(), Format::Toml).unwrap_err();
    assert!(err.to_string().contains("d.toml:"), "{err}");
}

fn small_scenario(mean: f64, sd: f64, rho: f64, threshold: f64, sd2: f64) -> String {
    format!(
        r#"
[drivers]
a = {{ dist = "normal", mean = {mean}, sd = {sd} }}
b = {{ dist = "split_normal", mode = {mean}, sd_low = {sd}, sd_high = {sd2} }}
c = {{ dist = "binomial", n = 7, p = 0.3 }}
[correlations]
pairs = [["a", "b", {rho}]]
[indicators]
x = "a"
y = "a * 2 + b"
z = "c + b"
[target_sets.t]
targets = [{{ indicator = "x", at_least = {threshold} }}, {{ indicator = "y", at_most = {threshold} }}, {{ indicator = "z", range = [0, 3] }}]
"#
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn quantiles_never_decrease_and_probabilities_stay_in_zero_one(
        mean in -10.0f64..10.0, sd in 0.001f64..5.0, sd2 in 0.001f64..5.0,
        rho in -0.95f64..0.95, threshold in -10.0f64..10.0, seed in 0u64..1000, draws in 1u64..3000,
    ) {
        let text = small_scenario(mean, sd, rho, threshold, sd2);
        let s = scenario::from_bytes(Path::new("p.toml"), text.as_bytes(), Format::Toml).unwrap();
        let r = targetsim::run(&s, &RunOptions::new(draws, seed)).unwrap();
        for ind in r.years.iter().flat_map(|y| y.indicators.values()) {
            let q = ind.quantiles.pairs();
            prop_assert!(ind.min <= q[0].1);
            for w in q.windows(2) {
                prop_assert!(w[0].1 <= w[1].1, "{:?}", q);
            }
            prop_assert!(q[8].1 <= ind.max);
            prop_assert!(ind.min <= ind.mean && ind.mean <= ind.max);
        }
        for set in r.target_sets.values() {
            prop_assert!((0.0..=1.0).contains(&set.joint_probability));
            for t in &set.targets {
                prop_assert!((0.0..=1.0).contains(&t.probability));
                prop_assert!(set.joint_probability <= t.probability);
            }
        }
    }

    #[test]
    fn a_fixed_value_comes_back_unchanged(value in -1e6f64..1e6) {
        let text = format!("[drivers]\nk = {{ dist = \"fixed\", value = {value:?} }}\n[indicators]\nx = \"k\"\n");
        let s = scenario::from_bytes(Path::new("f.toml"), text.as_bytes(), Format::Toml).unwrap();
        let r = targetsim::run(&s, &RunOptions::new(100, 3)).unwrap();
        let x = &r.indicators()["x"];
        prop_assert_eq!(x.mean, value);
        prop_assert_eq!(x.quantiles.p01, value);
        prop_assert_eq!(x.quantiles.p99, value);
        prop_assert_eq!(x.sd, 0.0);
    }

    #[test]
    fn one_thread_equals_several(seed in 0u64..u64::MAX, draws in 1u64..40_000, threads in 2usize..5) {
        let text = small_scenario(0.1, 0.02, 0.5, 0.1, 0.01);
        let s = scenario::from_bytes(Path::new("p.toml"), text.as_bytes(), Format::Toml).unwrap();
        let run = |t: usize| {
            let mut o = RunOptions::new(draws, seed);
            o.threads = Some(t);
            targetsim::render::json::to_pretty_bytes(&targetsim::run(&s, &o).unwrap())
        };
        prop_assert_eq!(run(1), run(threads));
    }
}
