//! Calibration, comparison and sensitivity against closed forms. Every
//! statistical check uses a fixed seed and a tolerance of four standard
//! errors of the estimator, derived in the comment beside it.

use statrs::distribution::{Continuous, ContinuousCDF, Normal};
use std::f64::consts::PI;
use std::path::Path;
use targetsim::calibrate::{self, Bands, Verdict};
use targetsim::compare;
use targetsim::model::Model;
use targetsim::scenario::{self, Format, Rule, Scenario};
use targetsim::{RunOptions, engine, sensitivity};

const SEED: u64 = 20251126;

fn load(text: &str) -> Scenario {
    match scenario::from_bytes(Path::new("test.toml"), text.as_bytes(), Format::Toml) {
        Ok(s) => s,
        Err(e) => panic!("test scenario is invalid:\n{e}"),
    }
}

fn std_normal() -> Normal {
    Normal::standard()
}

fn options(draws: u64, q: f64) -> calibrate::Options<'static> {
    calibrate::Options {
        run: RunOptions::new(draws, SEED),
        set: 0,
        confidence: q,
        bands: Bands::default(),
        joint: None,
        upper: None,
        keep_plan: None,
    }
}

const NORMAL: &str = r#"
[drivers]
g = { dist = "normal", mean = 0.08, sd = 0.02, kind = "rate" }
[indicators]
up = { formula = "g", kind = "rate" }
down = { formula = "g", kind = "rate" }
near = { formula = "g", kind = "rate" }
band = { formula = "g", kind = "rate" }
[target_sets.draft]
targets = [
  { indicator = "up", at_least = 0.06 },
  { indicator = "down", at_most = 0.07 },
  { indicator = "near", about = 0.08, tolerance = 0.001 },
  { indicator = "band", range = [0.06, 0.10] },
]
"#;

/// Type-7 quantile error: the sample quantile at level u has standard error
/// sqrt(u (1 - u) / n) / f(x_u), f the density at the true quantile.
fn quantile_tolerance(u: f64, density: f64, n: u64) -> f64 {
    4.0 * (u * (1.0 - u) / n as f64).sqrt() / density
}

#[test]
fn the_recommended_threshold_of_a_normal_indicator_is_its_quantile() {
    let s = load(NORMAL);
    let n = 200_000;
    let (mu, sd) = (0.08, 0.02);
    for q in [0.6, 0.7, 0.9] {
        let c = calibrate::calibrate(&s, &options(n, q)).unwrap();
        // at_least: the (1 - Q) quantile, mu + sd * Phi^-1(1 - Q).
        let z = std_normal().inverse_cdf(1.0 - q);
        let exact = mu + sd * z;
        let got = c.targets["up"].recommended;
        let tol = quantile_tolerance(1.0 - q, std_normal().pdf(z) / sd, n);
        assert!(
            (got - exact).abs() <= tol,
            "at_least at Q = {q}: {got} vs {exact} (tolerance {tol})"
        );
        // In the draws themselves, the recommended threshold is met in a
        // fraction Q of them, up to the one draw type 7 interpolates across.
        let rp = c.targets["up"].recommended_probability;
        assert!((rp - q).abs() <= 2.0 / n as f64, "{rp} vs {q}");
        // at_most: the Q quantile.
        let z = std_normal().inverse_cdf(q);
        let exact = mu + sd * z;
        let got = c.targets["down"].recommended;
        let tol = quantile_tolerance(q, std_normal().pdf(z) / sd, n);
        assert!(
            (got - exact).abs() <= tol,
            "at_most at Q = {q}: {got} vs {exact}"
        );
        // about / range: the Q quantile of |X - centre|, centre = mu:
        // sd * Phi^-1((1 + Q) / 2); |X - mu| has density 2 phi(h / sd) / sd.
        let z = std_normal().inverse_cdf((1.0 + q) / 2.0);
        let exact = sd * z;
        let tol = quantile_tolerance(q, 2.0 * std_normal().pdf(z) / sd, n);
        match c.targets["near"].recommended_rule {
            Rule::About { value, tolerance } => {
                assert_eq!(value, 0.08);
                assert!(
                    (tolerance - exact).abs() <= tol,
                    "about: {tolerance} vs {exact}"
                );
            }
            other => panic!("about became {other:?}"),
        }
        match c.targets["band"].recommended_rule {
            Rule::Range { low, high } => {
                assert!(
                    ((high - low) / 2.0 - exact).abs() <= tol,
                    "range half-width"
                );
                assert!(
                    ((high + low) / 2.0 - 0.08).abs() < 1e-12,
                    "range keeps its centre"
                );
            }
            other => panic!("range became {other:?}"),
        }
    }
}

#[test]
fn the_recommended_threshold_is_the_summary_quantile_of_the_same_draws() {
    // At Q = 0.9 an at-least threshold is the 10th percentile, and at_most at
    // Q = 0.75 the 75th: the same type-7 quantiles of the same draws as
    // summary.json, up to the rounding of 1 - 0.9 in floating point.
    let s = load(NORMAL);
    let summary = targetsim::run(&s, &RunOptions::new(50_000, SEED)).unwrap();
    let c = calibrate::calibrate(&s, &options(50_000, 0.9)).unwrap();
    let q = &summary.indicators()["up"].quantiles;
    assert!((c.targets["up"].recommended - q.p10).abs() < 1e-12);
    let c = calibrate::calibrate(&s, &options(50_000, 0.75)).unwrap();
    let q = &summary.indicators()["down"].quantiles;
    assert!((c.targets["down"].recommended - q.p75).abs() < 1e-12);
}

#[test]
fn the_draft_probability_and_verdict_follow_the_bands() {
    let s = load(NORMAL);
    let n = 100_000;
    let c = calibrate::calibrate(&s, &options(n, 0.7)).unwrap();
    // P(g >= 0.06) = Phi(1); P(g <= 0.07) = Phi(-0.5); P(|g - 0.08| <= 0.001) = 2 Phi(0.05) - 1.
    let cases = [
        ("up", std_normal().cdf(1.0), Verdict::Within),
        ("down", std_normal().cdf(-0.5), Verdict::TooAmbitious),
        (
            "near",
            2.0 * std_normal().cdf(0.05) - 1.0,
            Verdict::TooAmbitious,
        ),
        ("band", 2.0 * std_normal().cdf(1.0) - 1.0, Verdict::Within),
    ];
    for (name, p, verdict) in cases {
        let t = &c.targets[name];
        let tol = 4.0 * (p * (1.0 - p) / n as f64).sqrt();
        assert!(
            (t.probability - p).abs() <= tol,
            "{name}: {} vs {p}",
            t.probability
        );
        assert_eq!(t.verdict, verdict, "{name}");
    }
    let mut timid = options(n, 0.7);
    timid.bands = Bands {
        too_ambitious_below: 0.2,
        too_timid_above: 0.8,
    };
    let c = calibrate::calibrate(&s, &timid).unwrap();
    assert_eq!(c.targets["up"].verdict, Verdict::TooTimid);
}

#[test]
fn the_joint_search_on_independent_targets_matches_the_product_of_probabilities() {
    let s = load(
        r#"
[drivers]
a = { dist = "normal", mean = 0, sd = 1 }
b = { dist = "uniform", min = 0, max = 1 }
c = { dist = "lognormal", median = 1, sigma = 0.5 }
[indicators]
ya = "a"
yb = "b"
yc = "c"
[target_sets.draft]
targets = [
  { indicator = "ya", at_least = 0 },
  { indicator = "yb", at_most = 0.5 },
  { indicator = "yc", at_least = 1 },
]
"#,
    );
    let n = 200_000u64;
    let nf = n as f64;
    let k = 3.0;
    for p in [0.3, 0.5, 0.8] {
        let mut o = options(n, 0.7);
        o.joint = Some(p);
        let c = calibrate::calibrate(&s, &o).unwrap();
        let j = c.joint.unwrap();
        // Independent targets each at confidence q are met together with
        // probability q^k, so q = P^(1/k). Through J = q^k, an error in the
        // joint fraction of sd sqrt(P(1-P)/n) moves q by that / (k q^(k-1)).
        let q = p.powf(1.0 / k);
        let tol_q = 4.0 * (p * (1.0 - p) / nf).sqrt() / (k * q.powf(k - 1.0));
        assert!(
            (j.common_confidence - q).abs() <= tol_q,
            "P = {p}: common confidence {} vs {q} (tolerance {tol_q})",
            j.common_confidence
        );
        // The independent check: binomial noise of the check run, plus the
        // thresholds' own noise (each target's true probability is off by
        // sd sqrt(q(1-q)/n), which moves J by J/q times that).
        let var = p * (1.0 - p) / nf + k * (p / q).powi(2) * q * (1.0 - q) / nf;
        let tol = 4.0 * var.sqrt();
        assert!(
            (j.check.joint_probability - p).abs() <= tol,
            "P = {p}: checked joint {} (tolerance {tol})",
            j.check.joint_probability
        );
        assert!(j.joint_probability_in_sample >= p);
        assert_eq!(j.check.seed, SEED + 1);
    }
}

const CRN: &str = r#"
[simulation]
draws = 100000
seed = 7
[base]
gdp = 100
[drivers]
g = { dist = "normal", mean = 0.08, sd = 0.02, kind = "rate" }
h = { dist = "triangular", min = 0, mode = 1, max = 2 }
[correlations]
pairs = [["g", "h", 0.5]]
[indicators]
gdp_growth = { formula = "g", kind = "rate" }
other = "h * gdp"
[target_sets.draft]
targets = [{ indicator = "gdp_growth", at_least = 0.08 }, { indicator = "other", at_least = 100 }]
[variants.same]
label = "no change"
"drivers.g.mean" = 0.08
[variants.empty]
[variants.lower]
"drivers.g.mean" = 0.07
"#;

#[test]
fn a_variant_that_changes_nothing_gives_identical_results() {
    let s = load(CRN);
    let base = engine::simulate(&Model::compile(&s), &RunOptions::new(50_000, 7)).unwrap();
    for v in &s.variants[..2] {
        let sim =
            engine::simulate(&Model::compile(&v.scenario), &RunOptions::new(50_000, 7)).unwrap();
        assert_eq!(sim.indicators, base.indicators, "variant {}", v.name);
        assert_eq!(sim.counts, base.counts, "variant {}", v.name);
    }
    let c = compare::compare(&s, &RunOptions::new(50_000, 7)).unwrap();
    for name in ["same", "empty"] {
        let v = &c.variants[name];
        assert!(v.common_random_numbers);
        let set = &v.sets["draft"];
        assert_eq!(set.joint_change, 0.0);
        assert_eq!(set.joint_change_se, 0.0);
        for t in set.targets.values() {
            assert_eq!(t.change, 0.0, "{name}");
            assert_eq!(t.change_se, 0.0, "{name}");
        }
    }
}

#[test]
fn a_variant_moves_a_probability_by_its_exact_amount_with_the_paired_error() {
    let s = load(CRN);
    let n = 100_000u64;
    let c = compare::compare(&s, &RunOptions::new(n, 7)).unwrap();
    let v = &c.variants["lower"];
    assert!(v.common_random_numbers);
    // P(g >= 0.08) goes from 1/2 to Phi(-0.5). With common random numbers
    // the draws met in the base only are exactly those with score z in
    // [0, 0.5), probability d = Phi(0.5) - 1/2, and none is met in the
    // variant only, so the difference's sd is sqrt((d - d^2) / n).
    let d = std_normal().cdf(0.5) - 0.5;
    let t = &v.sets["draft"].targets["gdp_growth"];
    let tol = 4.0 * ((d - d * d) / n as f64).sqrt();
    assert!((t.change + d).abs() <= tol, "change {} vs {}", t.change, -d);
    assert!((t.change_se - ((d - d * d) / n as f64).sqrt()).abs() <= tol);
    // `other` depends only on h, which the variant leaves alone: no change at all.
    assert_eq!(v.sets["draft"].targets["other"].change, 0.0);
    // The base's percentile of its own threshold: P(g < 0.08) = 1/2.
    let row = &c.indicators["gdp_growth"];
    let tol = 4.0 * (0.25 / n as f64).sqrt();
    assert!((row.targets["draft"].percentile - 0.5).abs() <= tol);
}

#[test]
fn a_variant_that_changes_how_drivers_are_drawn_is_flagged() {
    // Dropping the only correlation takes both drivers out of the copula, so
    // the variant consumes the random streams differently from the base.
    let s = load(&CRN.replace(
        "[variants.lower]",
        "[variants.uncorrelated]\n\"correlations.pairs[0][2]\" = 0\n[variants.lower]",
    ));
    let c = compare::compare(&s, &RunOptions::new(1000, 7)).unwrap();
    assert!(!c.variants["uncorrelated"].common_random_numbers);
    assert!(c.variants["lower"].common_random_numbers);
}

#[test]
fn sensitivity_ranks_the_drivers_of_a_known_linear_model() {
    // y = 3a + 2b + c with independent standard normals.
    let s = load(
        r#"
[drivers]
c = { dist = "normal", mean = 0, sd = 1 }
a = { dist = "normal", mean = 0, sd = 1 }
unused = { dist = "normal", mean = 0, sd = 1 }
b = { dist = "normal", mean = 0, sd = 1 }
[indicators]
y = "3 * a + 2 * b + c"
[target_sets.draft]
targets = [{ indicator = "y", at_least = 0 }]
"#,
    );
    let opts = RunOptions::new(1_000_000, SEED);
    let sens = sensitivity::run(&s, &opts).unwrap();
    let n = sens.draws as f64;
    assert_eq!(sens.draws, sensitivity::DRAWS);
    let y = &sens.indicators["y"];
    let names: Vec<&str> = y.drivers.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["a", "b", "c"],
        "ranked by influence; `unused` not listed"
    );
    let w = [3.0, 2.0, 1.0];
    let total: f64 = w.iter().map(|x| x * x).sum();
    for (j, name) in ["a", "b", "c"].iter().enumerate() {
        let d = &y.drivers[*name];
        // Spearman for a bivariate normal: (6/pi) asin(r/2), r = w_j / sqrt(14).
        // Its standard error: atanh(r_s) has variance 1.06/(n - 3) (Fieller,
        // Hartley and Pearson 1957), so se(r_s) = (1 - r_s^2) sqrt(1.06/(n - 3)).
        let r = w[j] / total.sqrt();
        let rs = 6.0 / PI * (r / 2.0).asin();
        let tol = 4.0 * (1.0 - rs * rs) * (1.06 / (n - 3.0)).sqrt();
        let got = d.rank_correlation.unwrap();
        assert!(
            (got - rs).abs() <= tol,
            "{name}: rank correlation {got} vs {rs}"
        );
        // Variance share w_j cov(x_j, y) / var(y) -> w_j^2 / 14. The fit is
        // exact, so the error comes from the sample covariance S = I + E
        // alone; by the delta method the share moves by sum g_kl E_kl, with
        // var(E_kk) = 2/n and var(E_kl) = 1/n for standard normals.
        let share = d.variance_share.unwrap();
        let exact = w[j] * w[j] / total;
        let mut var = 0.0;
        for k in 0..3 {
            for l in k..3 {
                let (dsw, dq) = if k == l {
                    (if j == k { w[k] } else { 0.0 }, w[k] * w[k])
                } else {
                    let dsw = if j == k { w[l] } else { 0.0 } + if j == l { w[k] } else { 0.0 };
                    (dsw, 2.0 * w[k] * w[l])
                };
                let g = w[j] * (dsw * total - w[j] * dq) / (total * total);
                var += g * g * if k == l { 2.0 } else { 1.0 } / n;
            }
        }
        let tol = 4.0 * var.sqrt();
        assert!(
            (share - exact).abs() <= tol,
            "{name}: share {share} vs {exact} (tolerance {tol})"
        );
        // Tornado: exact, y moves by w_j (z_0.9 - z_0.1) with the others at 0.
        let z = std_normal().inverse_cdf(0.9);
        assert!(
            (d.swing.unwrap() - w[j] * 2.0 * z).abs() < 1e-9,
            "{name}: swing"
        );
        // Misses (y < 0): the average percentile of x_j among them is
        // P(x' < x_j | y < 0) for an independent copy x' = 1/2 - asin(w_j / sqrt(2 * 14)) / pi.
        let m = &y.misses["draft"];
        let exact = 0.5 - (w[j] / (2.0 * total).sqrt()).asin() / PI;
        let misses = m.miss_rate * n;
        // Any [0, 1] variable has variance at most 1/4; the ranks themselves
        // are off by at most about 0.5/sqrt(n).
        let tol = 4.0 * ((0.25 / misses).sqrt() + 0.5 / n.sqrt());
        let got = m.drivers[*name].percentile_in_misses.unwrap();
        assert!(
            (got - exact).abs() <= tol,
            "{name}: misses at {got} vs {exact}"
        );
    }
    assert!((y.linear_r2.unwrap() - 1.0).abs() < 1e-9);
    assert_eq!(y.at_medians, Some(0.0));
}

#[test]
fn the_sensitivity_draws_are_exactly_the_runs_first_draws() {
    let s = load(CRN);
    let model = Model::compile(&s);
    let full = engine::simulate(&model, &RunOptions::new(sensitivity::DRAWS + 10_000, 3)).unwrap();
    let mut o = RunOptions::new(sensitivity::DRAWS, 3);
    o.keep_drivers = true;
    let sub = engine::simulate(&model, &o).unwrap();
    for (a, b) in full.indicators.iter().zip(&sub.indicators) {
        assert_eq!(&a[..sub.draws], &b[..]);
    }
}

// ------------------------------------------------------------ command line

mod cli {
    use assert_cmd::Command;
    use predicates::prelude::PredicateBooleanExt;
    use predicates::str::contains;
    use std::path::{Path, PathBuf};

    /// Width, height and number of distinct colours (up to 50) of a PNG file.
    fn png_facts(p: &Path) -> (u32, u32, usize) {
        let file = std::fs::File::open(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let mut r = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .expect("a PNG");
        let mut buf = vec![0; r.output_buffer_size()];
        let info = r.next_frame(&mut buf).expect("a frame");
        let px = info.color_type.samples();
        let mut colours = std::collections::BTreeSet::new();
        for c in buf[..info.buffer_size()].chunks(px) {
            colours.insert(c.to_vec());
            if colours.len() >= 50 {
                break;
            }
        }
        (info.width, info.height, colours.len())
    }

    /// The `width="..."` of an SVG document.
    fn svg_width(svg: &str) -> f64 {
        let at = svg.find("width=\"").expect("a width") + 7;
        svg[at..at + svg[at..].find('"').expect("closing quote")]
            .parse()
            .expect("a number")
    }

    fn scenario(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(name)
    }

    fn targetsim(dir: &Path, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("targetsim").expect("binary");
        c.current_dir(dir).args(args);
        c
    }

    fn json(path: &Path) -> serde_json::Value {
        let text = std::fs::read_to_string(path).expect("read output");
        serde_json::from_str(&text).expect("valid JSON")
    }

    #[test]
    fn calibrate_on_the_seed_district_gives_thresholds_verdicts_and_the_city_gap() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario("seed-district.toml");
        let run = targetsim(
            dir.path(),
            &[
                "calibrate",
                file.to_str().unwrap(),
                "--confidence",
                "0.7",
                "--draws",
                "20000",
                "--out",
                "out",
            ],
        )
        .assert()
        .success()
        // Chinese by default (`--lang en` is the README's, rerun there).
        .stdout(contains("建议目标（70.0%）"))
        .stdout(contains("市下达（上级要求）"))
        // Labels and published wording, not code names and `>= 9.0%`.
        .stdout(contains("地区生产总值增速"))
        .stdout(contains("9%以上"))
        .stdout(contains("280亿元以上"))
        .stdout(contains("第二产业增速 ρ"))
        .stdout(contains("gdp_growth").not())
        .stdout(contains(">=").not())
        .stdout(contains("偏高"))
        .stdout(contains("too ambitious").not())
        .stdout(contains("什么决定未达成"));
        let c = json(&dir.path().join("out/calibration.json"));
        // The Chinese table prints the publishable recommendation with the
        // rounded rule's own probability, as calibration.json records it.
        let published = {
            let p = &c["targets"]["gdp_growth"]["published"];
            let at = p["rule"]["threshold"].as_f64().unwrap() * 100.0;
            assert!(
                ((at * 2.0).round() / 2.0 - at).abs() < 1e-9,
                "not on the half-point grid: {at}"
            );
            format!(
                "{}%以上（{:.1}%）",
                (at * 2.0).round() / 2.0,
                p["probability"].as_f64().unwrap() * 100.0
            )
        };
        let printed = String::from_utf8(run.get_output().stdout.clone()).unwrap();
        let row = printed
            .lines()
            .find(|l| l.starts_with("地区生产总值增速 "))
            .expect("a row for 地区生产总值增速 (gdp_growth)");
        assert!(row.contains(&published), "{row:?} lacks {published:?}");
        let t = &c["targets"]["gdp_growth"];
        let rec = t["recommended"].as_f64().unwrap();
        assert!(rec > 0.05 && rec < 0.12, "{rec}");
        let p = t["probability"].as_f64().unwrap();
        assert!(p > 0.0 && p < 1.0);
        assert!(["too_ambitious", "within", "too_timid"].contains(&t["verdict"].as_str().unwrap()));
        assert_eq!(c["upper_level"]["set"], "city");
        assert_eq!(c["set"], "draft");
        assert_eq!(c["bands"]["too_ambitious_below"], 0.5);
        // The gap is recommended minus the city's 10%.
        let gap = t["upper"]["gap"].as_f64().unwrap();
        assert!((gap - (rec - 0.10)).abs() < 1e-12);
    }

    #[test]
    fn without_confidence_calibrate_uses_the_scenarios_report_confidence_as_the_headline_does() {
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(scenario("seed-district.toml")).unwrap();
        assert!(
            !text.contains("[report]"),
            "the seed district sets no [report]"
        );
        let with_report = dir.path().join("q80.toml");
        std::fs::write(
            &with_report,
            format!("{text}\n[report]\nconfidence = 0.8\n"),
        )
        .unwrap();
        let calibration = |file: &Path, q: Option<&str>, out: &str| -> String {
            let f = file.to_str().unwrap().to_string();
            let mut args = vec!["calibrate", f.as_str(), "-n", "20000", "-q", "--out", out];
            if let Some(q) = q {
                args.extend(["--confidence", q]);
            }
            targetsim(dir.path(), &args).assert().success();
            std::fs::read_to_string(dir.path().join(out).join("calibration.json")).unwrap()
        };
        let seed = scenario("seed-district.toml");
        // No [report]: 0.7, the headline's default.
        let default = calibration(&seed, None, "a");
        assert_eq!(default, calibration(&seed, Some("0.7"), "b"));
        let c: serde_json::Value = serde_json::from_str(&default).unwrap();
        assert_eq!(c["confidence"], 0.7);
        // `[report] confidence = 0.8`: 0.8, unless --confidence says otherwise.
        let from_report = calibration(&with_report, None, "c");
        let c: serde_json::Value = serde_json::from_str(&from_report).unwrap();
        assert_eq!(c["confidence"], 0.8);
        let explicit = calibration(&with_report, Some("0.8"), "d");
        let other = calibration(&with_report, Some("0.7"), "e");
        let thresholds = |j: &str| {
            let c: serde_json::Value = serde_json::from_str(j).unwrap();
            c["targets"]["gdp_growth"]["recommended"].as_f64().unwrap()
        };
        assert_eq!(from_report, explicit);
        // At 0.8 the recommended GDP growth is lower than at 0.7.
        assert!(thresholds(&from_report) < thresholds(&other));
    }

    #[test]
    fn calibrate_refuses_a_confidence_outside_zero_and_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario("seed-district.toml");
        targetsim(
            dir.path(),
            &["calibrate", file.to_str().unwrap(), "--confidence", "1.5"],
        )
        .assert()
        .code(2)
        .stderr(contains("strictly between 0 and 1"));
        targetsim(
            dir.path(),
            &[
                "calibrate",
                file.to_str().unwrap(),
                "--confidence",
                "70%",
                "--set",
                "cty",
            ],
        )
        .assert()
        .code(2)
        .stderr(contains("no target set `cty`"))
        .stderr(contains("draft, city"));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "nothing written"
        );
    }

    #[test]
    fn compare_writes_sets_and_variants_side_by_side_with_charts() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario("seed-district-variants.toml");
        targetsim(
            dir.path(),
            &[
                "compare",
                file.to_str().unwrap(),
                "--draws",
                "20000",
                "--out",
                "out",
            ],
        )
        .assert()
        .success()
        .stdout(contains("公共随机数"))
        .stdout(contains("downside"))
        // Labels and published wording in Chinese: sets, indicators,
        // thresholds with their units, variants heading their columns.
        .stdout(contains("目标组 区草案"))
        .stdout(contains("市下达（上级）"))
        .stdout(contains("地区生产总值增速"))
        .stdout(contains("280亿元以上"))
        .stdout(contains("农产品价格下跌"))
        .stdout(contains("gdp_growth").not())
        .stdout(contains(">=").not());
        let c = json(&dir.path().join("out/comparison.json"));
        assert_eq!(c["sets"]["city"]["upper_level"], true);
        let pct = c["indicators"]["gdp_growth"]["targets"]["city"]["percentile"]
            .as_f64()
            .unwrap();
        assert!(pct > 0.5, "the city asks for more than the median: {pct}");
        let v = &c["variants"]["downside"];
        assert_eq!(v["common_random_numbers"], true);
        assert!(
            v["sets"]["draft"]["targets"]["income_rural_growth"]["change"]
                .as_f64()
                .unwrap()
                < 0.0
        );
        // A driver the variant leaves alone changes nothing at all.
        assert_eq!(
            v["sets"]["draft"]["targets"]["retail_growth"]["change"].as_f64(),
            Some(0.0)
        );
        for name in [
            "comparison.svg",
            "comparison-variants-draft.svg",
            "comparison-variants-city.svg",
        ] {
            let svg = std::fs::read_to_string(dir.path().join("out").join(name)).unwrap();
            assert!(
                svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
                "{name}"
            );
            assert!(
                svg.contains("区草案") || svg.contains("农产品价格下跌"),
                "{name}"
            );
            assert!(svg.contains("100%"), "{name}: percent axis");
            // Its PNG copy: 1.5 pixels per SVG unit, drawn, not blank.
            let png = name.replace(".svg", ".png");
            let (w, _, colours) = png_facts(&dir.path().join("out").join(&png));
            assert_eq!(w, (svg_width(&svg) * 1.5).round() as u32, "{png}");
            assert!(colours >= 10, "{png}: {colours} colours");
        }
    }

    #[test]
    fn calibrate_and_compare_give_the_same_bytes_for_any_thread_count() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario("seed-district-variants.toml");
        let f = file.to_str().unwrap();
        for t in ["1", "2"] {
            let out = format!("t{t}");
            targetsim(
                dir.path(),
                &[
                    "calibrate",
                    f,
                    "-c",
                    "0.8",
                    "--joint",
                    "0.3",
                    "-n",
                    "30000",
                    "-t",
                    t,
                    "-o",
                    &out,
                    "-q",
                ],
            )
            .assert()
            .success();
            targetsim(
                dir.path(),
                &["compare", f, "-n", "30000", "-t", t, "-o", &out, "-q"],
            )
            .assert()
            .success();
            targetsim(
                dir.path(),
                &["run", f, "-n", "30000", "-t", t, "-o", &out, "-q"],
            )
            .assert()
            .success();
        }
        for name in [
            "calibration.json",
            "calibration.csv",
            "calibration.xlsx",
            "comparison.json",
            "comparison.csv",
            "comparison.xlsx",
            "summary.json",
            "results.xlsx",
            "tornado.svg",
            "tornado.png",
            "comparison.svg",
            "comparison.png",
            "calibration.svg",
            "calibration.png",
        ] {
            let a = std::fs::read(dir.path().join("t1").join(name)).unwrap();
            let b = std::fs::read(dir.path().join("t2").join(name)).unwrap();
            assert_eq!(a, b, "{name} differs between 1 and 2 threads");
        }
    }

    #[test]
    fn run_reports_sensitivity_in_the_summary_and_a_tornado_chart() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario("seed-district.toml");
        targetsim(
            dir.path(),
            &[
                "run",
                file.to_str().unwrap(),
                "-n",
                "20000",
                "-o",
                "out",
                "-q",
            ],
        )
        .assert()
        .success();
        let s = json(&dir.path().join("out/summary.json"));
        assert_eq!(s["schema_version"], 1);
        let sens = &s["sensitivity"];
        assert_eq!(sens["draws"], 20000);
        let first = sens["indicators"]["gdp_growth"]["drivers"]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .cloned();
        assert_eq!(first.as_deref(), Some("g_secondary"));
        let svg = std::fs::read_to_string(dir.path().join("out/tornado.svg")).unwrap();
        // In probability units, drivers by label with their 10th and 90th
        // percentiles.
        assert!(svg.contains("第二产业增速") && svg.contains("P10 ") && svg.contains("最高一成"));
        assert!(svg.contains("P(地区生产总值增速 ≥ 9.0%)"));
        let (w, h, colours) = png_facts(&dir.path().join("out/tornado.png"));
        assert_eq!(w, (svg_width(&svg) * 1.5).round() as u32);
        // GDP growth (draft, city) and fiscal growth (both sets at 15%):
        // three panels; the one-driver identities have none.
        assert_eq!(svg.matches("<g transform=\"translate(0,").count(), 3);
        assert!(h > 1000, "three panels stacked: {h} pixels high");
        assert!(colours >= 10, "{colours} colours");
    }

    #[test]
    fn a_variant_naming_a_value_that_does_not_exist_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(scenario("seed-district-variants.toml"))
            .unwrap()
            .replace("\"drivers.g_fai.sd\" = 0.08", "\"drivers.g_fia.sd\" = 0.08");
        std::fs::write(dir.path().join("v.toml"), text).unwrap();
        targetsim(dir.path(), &["compare", "v.toml"])
            .assert()
            .code(2)
            .stderr(contains("variants.duties.\"drivers.g_fia.sd\""))
            .stderr(contains("did you mean `g_fai`?"));
    }
}
