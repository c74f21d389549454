//! The briefing against closed forms: each recommended target is the
//! rounded quantile, and the probability shown is the rounded target's
//! own, within four Monte Carlo standard errors sqrt(p (1 - p) / n) of the
//! exact value (a normal CDF, or a binomial sum worked out by hand). Plus
//! small hand examples of verdict counts, wording and the upper level.

use statrs::distribution::{ContinuousCDF, Normal};
use std::path::Path;
use targetsim::briefing::{self, Settings, Verdict};
use targetsim::render::lang::Lang;
use targetsim::scenario::{self, Format, Rule, Scenario};
use targetsim::{RunOptions, run};

const SEED: u64 = 20251126;
const DRAWS: u64 = 200_000;

fn load(text: &str) -> Scenario {
    match scenario::from_bytes(Path::new("test.toml"), text.as_bytes(), Format::Toml) {
        Ok(s) => s,
        Err(e) => panic!("test scenario is invalid:\n{e}"),
    }
}

fn phi(z: f64) -> f64 {
    Normal::standard().cdf(z)
}

/// `p_hat` within four standard errors of the exact `p` at `DRAWS` draws.
fn close(p_hat: f64, p: f64, what: &str) {
    let se = (p * (1.0 - p) / DRAWS as f64).sqrt();
    assert!(
        (p_hat - p).abs() <= 4.0 * se,
        "{what}: {p_hat} vs exact {p} (4 se = {})",
        4.0 * se
    );
}

const SCENARIO: &str = r#"
[base]
level0 = { value = 283.7 }
[drivers]
g = { dist = "normal", mean = 0.08, sd = 0.02, kind = "rate" }
narrow = { dist = "normal", mean = 0.08, sd = 0.004, kind = "rate" }
firms = { dist = "binomial", n = 16, p = 0.6, kind = "count" }
z = { dist = "normal", mean = 0, sd = 1 }
[indicators]
growth = { formula = "g", label = "增速", label_en = "growth", kind = "rate" }
capped = { formula = "g", label = "控制率", label_en = "capped", kind = "rate" }
about = { formula = "narrow", label = "平稳增速", label_en = "steady growth", kind = "rate" }
wide = { formula = "g", label = "宽幅增速", label_en = "wide growth", kind = "rate" }
level = { formula = "level0 + 10 * z", label = "总量", label_en = "level", unit = "亿元" }
count = { formula = "firms", label = "新增企业", label_en = "new firms", kind = "count" }
[target_sets.draft]
label = "区草案"
label_en = "district draft"
targets = [
  { indicator = "growth", at_least = 0.09 },
  { indicator = "capped", at_most = 0.10 },
  { indicator = "about", about = 0.08, tolerance = 0.01 },
  { indicator = "wide", about = 0.08, tolerance = 0.01 },
  { indicator = "level", at_least = 280 },
  { indicator = "count", at_least = 10 },
]
[target_sets.city]
label = "市下达"
label_en = "city"
upper_level = true
targets = [
  { indicator = "growth", at_least = 0.10 },
]
"#;

fn briefing(text: &str, lang: Lang) -> (Scenario, briefing::Briefing) {
    let s = load(text);
    let summary = run(&s, &RunOptions::new(DRAWS, SEED)).expect("runs");
    let settings = s.report.settings(Some(lang));
    let b = briefing::build(&s, &summary, &settings);
    (s, b)
}

#[test]
fn recommendations_are_rounded_quantiles_and_carry_their_own_probability() {
    let (_, b) = briefing(SCENARIO, Lang::Zh);
    let draft = &b.sets[0];
    let rec = |i: usize| {
        draft.targets[i]
            .recommendation
            .clone()
            .expect("recommended")
    };

    // at_least on N(8%, 2%) at 0.7: the 0.3 quantile 6.95% rounds down to
    // 6.5%, met with Phi(0.75); 7% would be met with Phi(0.5) < 0.7.
    let r = rec(0);
    assert_eq!(r.rule, Rule::AtLeast { threshold: 0.065 });
    assert_eq!(r.text, "6.5%以上");
    close(r.probability, phi(0.75), "P(growth >= 6.5%)");
    assert!(r.advice.is_none());

    // at_most: the 0.7 quantile 9.05% rounds up to 9.5%, met with Phi(0.75).
    let r = rec(1);
    assert_eq!(r.rule, Rule::AtMost { threshold: 0.095 });
    assert_eq!(r.text, "9.5%以内");
    close(r.probability, phi(0.75), "P(capped <= 9.5%)");

    // about on N(8%, 0.4%): the half-width met with 0.7 is 0.4% z_0.85 =
    // 0.41%, rounded up to 0.5 points: met with 2 Phi(1.25) - 1.
    let r = rec(2);
    assert_eq!(
        r.rule,
        Rule::About {
            value: 0.08,
            tolerance: 0.005
        }
    );
    assert_eq!(r.text, "8%左右（±0.5个百分点）");
    close(
        r.probability,
        2.0 * phi(1.25) - 1.0,
        "P(|about - 8%| <= 0.5%)",
    );

    // about on N(8%, 2%): the half-width would be 2.5 points, too wide for
    // 左右, so the advice is "at least", at the at_least recommendation.
    let r = rec(3);
    assert_eq!(r.rule, Rule::AtLeast { threshold: 0.065 });
    assert!(r.advice.as_deref().unwrap_or("").contains("以上"), "{r:?}");
    close(r.probability, phi(0.75), "P(wide >= 6.5%)");

    // A level, three significant figures: 283.7 + 10 z at 0.3 is 278.46,
    // rounded down to 278; met with Phi(0.57) (279 would give Phi(0.47) < 0.7).
    let r = rec(4);
    assert_eq!(r.rule, Rule::AtLeast { threshold: 278.0 });
    assert_eq!(r.text, "278亿元以上");
    close(r.probability, phi(0.57), "P(level >= 278)");

    // A count, whole numbers: Binomial(16, 0.6) >= 9 with probability
    // 0.716063 (>= 10: 0.527174, below 0.7).
    let r = rec(5);
    assert_eq!(r.rule, Rule::AtLeast { threshold: 9.0 });
    close(r.probability, 0.716_063_352_717_311_9, "P(count >= 9)");
}

#[test]
fn verdicts_counts_and_the_upper_level_follow_the_draft_probabilities() {
    let (_, b) = briefing(SCENARIO, Lang::Zh);
    let draft = &b.sets[0];
    // P(growth >= 9%) = Phi(-0.5) = 0.309: too high; P(capped <= 10%) =
    // Phi(1) = 0.841: about right; about 8% ± 1% on sd 0.4%: 2 Phi(2.5) - 1
    // = 0.988: too low; wide: 2 Phi(0.5) - 1 = 0.383: too high; level >=
    // 280: Phi(0.37) = 0.644: about right; count >= 10: 0.527: about right.
    let want = [
        Verdict::High,
        Verdict::Fit,
        Verdict::Low,
        Verdict::High,
        Verdict::Fit,
        Verdict::Fit,
    ];
    let got: Vec<Verdict> = draft.targets.iter().map(|t| t.verdict).collect();
    assert_eq!(got, want);
    assert_eq!(draft.counts, [2, 3, 1]);
    assert!(!draft.upper_level && b.sets[1].upper_level);
    assert!(b.sets[1].targets[0].recommendation.is_none());
    // The city's 10% sits at the Phi(1) = 84.1th percentile of growth, one
    // point above the district's 9%.
    let u = draft.targets[0]
        .upper
        .as_ref()
        .expect("upper level compared");
    assert_eq!(u.set, "city");
    assert!((u.gap - -1.0).abs() < 1e-9, "{}", u.gap);
    close(
        u.percentile / 100.0,
        phi(1.0),
        "percentile of the city's 10%",
    );
    close(u.probability, 1.0 - phi(1.0), "P(growth >= 10%)");
    assert!(draft.targets[1].upper.is_none());
}

#[test]
fn a_rounding_step_from_the_scenario_is_used_and_english_keeps_the_wording() {
    let text = format!("{SCENARIO}\n[report]\nconfidence = 0.7\nround_to = {{ growth = 0.01 }}\n");
    let (_, b) = briefing(&text, Lang::En);
    let r = b.sets[0].targets[0]
        .recommendation
        .clone()
        .expect("recommended");
    // Whole points: 6.95% rounds down to 6%, met with Phi(1).
    assert_eq!(r.rule, Rule::AtLeast { threshold: 0.06 });
    assert_eq!(r.text, "at least 6%");
    close(r.probability, phi(1.0), "P(growth >= 6%)");
    assert_eq!(b.sets[0].label, "district draft");
    assert_eq!(b.sets[0].targets[0].label, "growth");
}

#[test]
fn report_settings_come_from_the_scenario_and_the_command_line_overrides_the_language() {
    let text = format!(
        "{SCENARIO}\n[report]\nlang = \"en\"\nconfidence = 0.8\nbands = [0.4, 0.95]\ninterval = \"5-95\"\n"
    );
    let s = load(&text);
    let set = s.report.settings(None);
    assert_eq!(set.lang, Lang::En);
    assert_eq!(set.confidence, 0.8);
    assert_eq!((set.bands.high_below, set.bands.low_above), (0.4, 0.95));
    assert_eq!(set.interval, briefing::Interval::P05P95);
    assert_eq!(s.report.settings(Some(Lang::Zh)).lang, Lang::Zh);
    assert_eq!(load(SCENARIO).report.settings(None), Settings::default());
}

#[test]
fn bad_report_settings_name_the_field_the_value_and_the_fix() {
    for (extra, field, value) in [
        ("lang = \"fr\"", "report.lang", "\"fr\""),
        ("confidence = 1.5", "report.confidence", "1.5"),
        ("bands = [0.9, 0.5]", "report.bands", "[0.9,0.5]"),
        ("interval = \"20-80\"", "report.interval", "\"20-80\""),
        ("round_to = { growht = 0.01 }", "report.round_to.growht", ""),
        ("round_to = { growth = -1 }", "report.round_to.growth", "-1"),
        ("lnag = \"en\"", "report.lnag", ""),
    ] {
        let text = format!("{SCENARIO}\n[report]\n{extra}\n");
        let err = scenario::from_bytes(Path::new("test.toml"), text.as_bytes(), Format::Toml)
            .expect_err(extra);
        let msg = err.to_string();
        assert!(msg.contains(field), "{extra}: {msg}");
        assert!(msg.contains(value), "{extra}: {msg}");
    }
}

#[test]
fn calibrate_publishes_the_same_rounded_target_with_its_own_probability() {
    use targetsim::calibrate::{self, Bands};
    let s = load(SCENARIO);
    let opts = calibrate::Options {
        run: RunOptions::new(DRAWS, SEED),
        set: 0,
        confidence: 0.7,
        bands: Bands::default(),
        joint: None,
        upper: None,
        keep_plan: None,
    };
    let c = calibrate::calibrate(&s, &opts).expect("calibrates");
    let growth = &c.targets["growth"].published;
    assert_eq!(growth.rule, Rule::AtLeast { threshold: 0.065 });
    close(
        growth.probability,
        phi(0.75),
        "calibrate: P(growth >= 6.5%)",
    );
    let capped = &c.targets["capped"].published;
    assert_eq!(capped.rule, Rule::AtMost { threshold: 0.095 });
    close(
        capped.probability,
        phi(0.75),
        "calibrate: P(capped <= 9.5%)",
    );
    let about = &c.targets["about"].published;
    assert_eq!(
        about.rule,
        Rule::About {
            value: 0.08,
            tolerance: 0.005
        }
    );
    close(about.probability, 2.0 * phi(1.25) - 1.0, "calibrate: about");
    let count = &c.targets["count"].published;
    assert_eq!(count.rule, Rule::AtLeast { threshold: 9.0 });
    close(
        count.probability,
        0.716_063_352_717_311_9,
        "calibrate: count",
    );
}

#[test]
fn a_plan_briefing_carries_the_plan_summary_and_reachability_of_the_district_set() {
    let s = scenario::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district-plan.toml"),
    )
    .expect("plan scenario");
    let summary = run(&s, &RunOptions::new(20_000, SEED)).expect("runs");
    let b = briefing::build(&s, &summary, &Settings::default());
    let plan = b.plan.as_ref().expect("plan headline");
    let want = summary.plan_targets.as_ref().expect("plan targets");
    assert_eq!(plan.joint, want.joint_probability);
    assert_eq!(plan.targets.len(), want.targets.len());
    let district = &s.target_sets[0].name;
    for (got, t) in plan.targets.iter().zip(&want.targets) {
        assert_eq!(got.probability, t.probability);
        let r = t
            .reachable_if_met
            .iter()
            .find(|r| &r.target_set == district)
            .map(|r| r.probability);
        assert_eq!(
            got.reachable_if_met,
            r.or(t.reachable_if_met.first().map(|r| r.probability))
        );
    }
    // Chinese keeps the scenario's own wording of a plan target.
    assert_eq!(plan.targets[0].text, "年均增长8.5%以上");
    // Year targets carry their year and get a recommendation.
    let draft = &b.sets[0];
    assert!(draft.targets.iter().all(|t| t.year.is_some()));
    assert!(draft.targets.iter().all(|t| t.recommendation.is_some()));
}

#[test]
fn calibrate_and_compare_write_their_page_in_the_chosen_language() {
    use assert_cmd::Command;
    let dir = tempfile::tempdir().expect("temporary directory");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district.toml");
    for (cmd, lang, want) in [
        (vec!["calibrate", "-c", "0.7"], "zh", "结论"),
        (vec!["calibrate", "-c", "0.7"], "en", "Conclusion"),
        (vec!["compare"], "zh", "结论"),
        (vec!["compare"], "en", "Conclusion"),
    ] {
        let file = if cmd[0] == "calibrate" {
            "calibration.html"
        } else {
            "comparison.html"
        };
        let out = dir.path().join(format!("{}-{lang}", cmd[0]));
        Command::cargo_bin("targetsim")
            .expect("binary")
            .args(&cmd)
            .arg(&seed)
            .args(["--draws", "20000", "--quiet", "--lang", lang, "--out"])
            .arg(&out)
            .assert()
            .success();
        let page = std::fs::read_to_string(out.join(file)).expect("the page");
        assert!(page.contains(&format!("<h2>{want}</h2>")), "{cmd:?} {lang}");
        assert!(page.contains("default-src 'none'"), "CSP kept");
    }
    let bad = Command::cargo_bin("targetsim")
        .expect("binary")
        .args(["run", "--lang", "fr"])
        .arg(&seed)
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("fr"));
}
