//! Monte Carlo results against values worked out exactly (closed forms and
//! enumerations). Every check uses a fixed seed and a tolerance of four
//! Monte Carlo standard errors, so a correct engine fails it with
//! probability about 6e-5 per check, and a wrong one fails it reliably.

use statrs::distribution::{
    Beta, Binomial, ContinuousCDF, DiscreteCDF, LogNormal, Normal, Triangular, Uniform,
};
use std::path::Path;
use targetsim::model::Model;
use targetsim::scenario::{self, Format, Scenario};
use targetsim::summary::Summary;
use targetsim::{RunOptions, engine};

const SEED: u64 = 20251126;

fn load(text: &str) -> Scenario {
    match scenario::from_bytes(Path::new("test.toml"), text.as_bytes(), Format::Toml) {
        Ok(s) => s,
        Err(e) => panic!("test scenario is invalid:\n{e}"),
    }
}

fn seed_district() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district.toml");
    scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn run(s: &Scenario, draws: u64) -> Summary {
    targetsim::run(s, &RunOptions::new(draws, SEED)).unwrap_or_else(|e| panic!("{e}"))
}

fn phi(z: f64) -> f64 {
    Normal::standard().cdf(z)
}

/// |p_hat - p| <= 4 sqrt(p (1 - p) / n)
fn assert_probability(what: &str, p_hat: f64, p: f64, n: u64) {
    let tol = 4.0 * (p * (1.0 - p) / n as f64).sqrt();
    assert!(
        (p_hat - p).abs() <= tol.max(1e-12),
        "{what}: simulated {p_hat}, exact {p}, tolerance {tol}"
    );
}

/// |mean_hat - mean| <= 4 sd / sqrt(n)
fn assert_mean(what: &str, mean_hat: f64, mean: f64, sd: f64, n: u64) {
    let tol = 4.0 * sd / (n as f64).sqrt();
    assert!(
        (mean_hat - mean).abs() <= tol.max(1e-12),
        "{what}: simulated mean {mean_hat}, exact {mean}, tolerance {tol}"
    );
}

fn target_p(s: &Summary, set: &str, ind: &str) -> f64 {
    s.target_sets[set].target(ind).expect("target").probability
}

/// P(Z1 >= a, Z2 >= b) for standard normals with correlation rho, by
/// Simpson's rule on the conditional form
/// int_b^inf phi(y) Phi((rho y - a) / sqrt(1 - rho^2)) dy.
fn bivariate_upper(a: f64, b: f64, rho: f64) -> f64 {
    let n = 20_000;
    let hi = 12.0;
    let h = (hi - b) / n as f64;
    let s = (1.0 - rho * rho).sqrt();
    let f = |y: f64| {
        (-0.5 * y * y).exp() / (2.0 * std::f64::consts::PI).sqrt() * phi((rho * y - a) / s)
    };
    let mut acc = f(b) + f(hi);
    for i in 1..n {
        acc += f(b + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    acc * h / 3.0
}

#[test]
fn seed_district_matches_the_reference_documents_exact_values() {
    let s = seed_district();
    let n = 400_000;
    let r = run(&s, n);
    assert_eq!(r.draws, n);
    // The five values listed in the reference document.
    assert_probability(
        "attracted_funds >= 200",
        target_p(&r, "draft", "attracted_funds"),
        phi((210.0f64 / 200.0).ln() / 0.15),
        n,
    );
    assert!((phi((210.0f64 / 200.0).ln() / 0.15) - 0.62751).abs() < 1e-5);
    let binom = Binomial::new(0.6, 16).unwrap();
    let p_firms = 1.0 - binom.cdf(9);
    let p_firms_by_sum: f64 = (10..=16u64)
        .map(|k| {
            let c = (0..k).fold(1.0, |acc, i| acc * (16 - i) as f64 / (i + 1) as f64);
            c * 0.6f64.powi(k as i32) * 0.4f64.powi(16 - k as i32)
        })
        .sum();
    assert!((p_firms - p_firms_by_sum).abs() < 1e-12);
    assert!((p_firms - 0.52717).abs() < 1e-5);
    assert_probability(
        "new_scale_firms >= 10",
        target_p(&r, "draft", "new_scale_firms"),
        p_firms,
        n,
    );
    assert_probability(
        "pv_mw >= 300",
        target_p(&r, "draft", "pv_mw"),
        0.8f64.powi(6),
        n,
    );
    assert_probability(
        "income_urban_growth >= 0.12",
        target_p(&r, "draft", "income_urban_growth"),
        0.5,
        n,
    );
    assert_probability(
        "retail_growth >= 0.12",
        target_p(&r, "draft", "retail_growth"),
        phi(0.2),
        n,
    );
    // More that follow from the normal marginals alone.
    assert_probability(
        "fai_growth >= 0.20",
        target_p(&r, "draft", "fai_growth"),
        phi(0.01 / 0.07),
        n,
    );
    assert_probability(
        "fai_1 >= 280",
        target_p(&r, "draft", "fai_1"),
        phi((0.21 - (280.0 / 236.0 - 1.0)) / 0.07),
        n,
    );
    assert_probability(
        "income_rural_growth >= 0.12",
        target_p(&r, "draft", "income_rural_growth"),
        phi(0.25),
        n,
    );
    assert_probability(
        "city: retail_growth >= 0.13",
        target_p(&r, "city", "retail_growth"),
        phi(-0.2),
        n,
    );
    assert_probability(
        "city: fai_growth >= 0.25",
        target_p(&r, "city", "fai_growth"),
        phi(-0.04 / 0.07),
        n,
    );
}

#[test]
fn seed_district_gdp_growth_has_the_exact_mean_of_its_split_normal_parts() {
    // E[split normal] = mode + sqrt(2 / pi) (sd_high - sd_low); gdp_growth
    // is linear in the three sector growth rates.
    let s = seed_district();
    let n = 200_000;
    let r = run(&s, n);
    let k = (2.0 / std::f64::consts::PI).sqrt();
    let e1 = 0.060 + k * (0.012 - 0.020);
    let e2 = 0.095 + k * (0.020 - 0.030);
    let e3 = 0.115;
    let exact = (36.4 * e1 + 119.6 * e2 + 104.0 * e3) / 260.0;
    let g = &r.indicators()["gdp_growth"];
    assert_mean("gdp_growth", g.mean, exact, g.sd, n);
    // pv_mw = 50 * Binomial(6, 0.8): mean 240, sd 50 sqrt(0.96)
    let pv = &r.indicators()["pv_mw"];
    assert_mean("pv_mw", pv.mean, 240.0, 50.0 * 0.96f64.sqrt(), n);
}

#[test]
fn the_joint_probability_of_two_correlated_normal_targets_is_the_bivariate_orthant() {
    // retail_growth and income_urban_growth are normal with score
    // correlation 0.5: P(both >= 0.12) = P(Z1 >= -0.2, Z2 >= 0).
    let text = r#"
        [drivers]
        r = { dist = "normal", mean = 0.125, sd = 0.025 }
        u = { dist = "normal", mean = 0.120, sd = 0.015 }
        [correlations]
        pairs = [["r", "u", 0.5]]
        [indicators]
        retail = "r"
        urban = "u"
        [target_sets.both]
        targets = [{ indicator = "retail", at_least = 0.12 }, { indicator = "urban", at_least = 0.12 }]
    "#;
    let n = 400_000;
    let r = run(&load(text), n);
    let exact = bivariate_upper(-0.2, 0.0, 0.5);
    // Cross-check the quadrature at a known point: P(Z1 >= 0, Z2 >= 0) = 1/4 + asin(rho) / (2 pi).
    assert!(
        (bivariate_upper(0.0, 0.0, 0.5) - (0.25 + 0.5f64.asin() / (2.0 * std::f64::consts::PI)))
            .abs()
            < 1e-9
    );
    assert_probability("joint", r.target_sets["both"].joint_probability, exact, n);
    let product = r.target_sets["both"].independent_product;
    assert!(
        r.target_sets["both"].joint_probability > product + 0.02,
        "positive correlation raises the joint probability"
    );
}

fn split_normal_cdf(x: f64, m: f64, s1: f64, s2: f64) -> f64 {
    let c = s1 / (s1 + s2);
    if x < m {
        2.0 * c * phi((x - m) / s1)
    } else {
        c + 2.0 * (1.0 - c) * (phi((x - m) / s2) - 0.5)
    }
}

#[test]
fn every_distribution_has_its_exact_mean_and_cdf() {
    let text = r#"
        [drivers]
        a = { dist = "normal", mean = 1.0, sd = 2.0 }
        b = { dist = "lognormal", median = 210, sigma = 0.15 }
        c = { dist = "lognormal", mean = 100, sd = 20 }
        d = { dist = "split_normal", mode = 0.06, sd_low = 0.02, sd_high = 0.012 }
        e = { dist = "triangular", min = 0.8, mode = 1.1, max = 1.6 }
        f = { dist = "pert", min = 0, mode = 2, max = 10 }
        g = { dist = "uniform", min = -1, max = 3 }
        h = { dist = "beta", alpha = 2, beta = 5 }
        i = { dist = "binomial", n = 16, p = 0.6 }
        j = { dist = "bernoulli", p = 0.3 }
        k = { dist = "discrete", values = [5, 1, 3], weights = [0.2, 0.5, 0.3] }
        l = { dist = "fixed", value = 4.25 }
        [indicators]
        a_ = "a"
        b_ = "b"
        c_ = "c"
        d_ = "d"
        e_ = "e"
        f_ = "f"
        g_ = "g"
        h_ = "h"
        i_ = "i"
        j_ = "j"
        k_ = "k"
        l_ = "l"
        [target_sets.at_most]
        targets = [
          { indicator = "a_", at_most = 2.0 },
          { indicator = "b_", at_most = 200 },
          { indicator = "c_", at_most = 90 },
          { indicator = "d_", at_most = 0.06 },
          { indicator = "e_", at_most = 1.0 },
          { indicator = "f_", at_most = 3.0 },
          { indicator = "g_", at_most = 0.5 },
          { indicator = "h_", at_most = 0.2 },
          { indicator = "i_", at_most = 9 },
          { indicator = "j_", at_most = 0 },
          { indicator = "k_", at_most = 3 },
          { indicator = "l_", at_most = 4.25 },
        ]
    "#;
    let n = 300_000;
    let r = run(&load(text), n);
    let sig_c = (1.0f64 + 0.04).ln().sqrt();
    let mu_c = 100f64.ln() - sig_c * sig_c / 2.0;
    let k = (2.0 / std::f64::consts::PI).sqrt();
    // PERT(0, 2, 10): alpha = 1 + 4 * 2 / 10 = 1.8, beta = 1 + 4 * 8 / 10 = 4.2
    let pert = Beta::new(1.8, 4.2).unwrap();
    let split_var = {
        // Var of a two-piece normal: (1 - 2/pi)(s2 - s1)^2 + s1 s2
        let (s1, s2) = (0.02f64, 0.012f64);
        (1.0 - 2.0 / std::f64::consts::PI) * (s2 - s1).powi(2) + s1 * s2
    };
    // (name, exact mean, exact sd, exact P(X <= threshold))
    let cases: Vec<(&str, f64, f64, f64)> = vec![
        ("a_", 1.0, 2.0, phi(0.5)),
        (
            "b_",
            210.0 * (0.15f64 * 0.15 / 2.0).exp(),
            210.0 * ((0.15f64 * 0.15).exp() - 1.0).sqrt() * (0.15f64 * 0.15 / 2.0).exp(),
            LogNormal::new(210f64.ln(), 0.15).unwrap().cdf(200.0),
        ),
        (
            "c_",
            100.0,
            20.0,
            LogNormal::new(mu_c, sig_c).unwrap().cdf(90.0),
        ),
        (
            "d_",
            0.06 + k * (0.012 - 0.02),
            split_var.sqrt(),
            split_normal_cdf(0.06, 0.06, 0.02, 0.012),
        ),
        (
            "e_",
            (0.8 + 1.1 + 1.6) / 3.0,
            triangular_sd(0.8, 1.1, 1.6),
            Triangular::new(0.8, 1.6, 1.1).unwrap().cdf(1.0),
        ),
        (
            "f_",
            10.0 * 1.8 / 6.0,
            10.0 * (1.8f64 * 4.2 / (36.0 * 7.0)).sqrt(),
            pert.cdf(0.3),
        ),
        (
            "g_",
            1.0,
            4.0 / 12f64.sqrt(),
            Uniform::new(-1.0, 3.0).unwrap().cdf(0.5),
        ),
        (
            "h_",
            2.0 / 7.0,
            (10.0f64 / (49.0 * 8.0)).sqrt(),
            Beta::new(2.0, 5.0).unwrap().cdf(0.2),
        ),
        (
            "i_",
            9.6,
            3.84f64.sqrt(),
            Binomial::new(0.6, 16).unwrap().cdf(9),
        ),
        ("j_", 0.3, 0.21f64.sqrt(), 0.7),
        (
            "k_",
            5.0 * 0.2 + 0.5 + 3.0 * 0.3,
            (25.0 * 0.2 + 0.5 + 9.0 * 0.3 - 2.4f64 * 2.4).sqrt(),
            0.8,
        ),
        ("l_", 4.25, 0.0, 1.0),
    ];
    assert!((split_normal_cdf(0.06, 0.06, 0.02, 0.012) - 0.625).abs() < 1e-15);
    for (name, mean, sd, p) in cases {
        let ind = &r.indicators()[name];
        assert_mean(name, ind.mean, mean, sd, n);
        if sd > 0.0 {
            // The sample sd agrees with the exact one to a few percent at this n.
            assert!(
                (ind.sd / sd - 1.0).abs() < 0.02,
                "{name}: sd {} vs exact {sd}",
                ind.sd
            );
        }
        assert_probability(name, target_p(&r, "at_most", name), p, n);
    }
}

/// sd of a triangular(a, c, b): variance (a^2 + b^2 + c^2 - ab - ac - bc) / 18.
fn triangular_sd(a: f64, c: f64, b: f64) -> f64 {
    ((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0).sqrt()
}

#[test]
fn the_copula_joins_non_normal_marginals_through_their_normal_scores() {
    // For any continuous marginals joined by a Gaussian copula with score
    // correlation rho, P(X <= median X, Y <= median Y) = 1/4 + asin(rho) / (2 pi).
    let text = r#"
        [drivers]
        x = { dist = "split_normal", mode = 0.095, sd_low = 0.03, sd_high = 0.02 }
        y = { dist = "triangular", min = 0.8, mode = 1.1, max = 1.6 }
        z = { dist = "lognormal", median = 5, sigma = 0.5 }
        [correlations]
        pairs = [["x", "y", 0.6], ["y", "z", -0.4]]
        [indicators]
        x_ = "x"
        y_ = "y"
        z_ = "z"
        [target_sets.low_x_low_y]
        targets = [{ indicator = "x_", at_most = 0.0 }, { indicator = "y_", at_most = 0.0 }]
        [target_sets.low_y_low_z]
        targets = [{ indicator = "y_", at_most = 0.0 }, { indicator = "z_", at_most = 5.0 }]
    "#;
    // Medians worked out from the quantile functions.
    let c = 0.03 / 0.05;
    let x_med = 0.095 + 0.03 * Normal::standard().inverse_cdf(0.5 / (2.0 * c));
    let y_med = 1.6 - ((1.0 - 0.5) * (1.6 - 0.8) * (1.6 - 1.1f64)).sqrt();
    let text = text
        .replacen(
            "indicator = \"x_\", at_most = 0.0",
            &format!("indicator = \"x_\", at_most = {x_med}"),
            1,
        )
        .replace(
            "indicator = \"y_\", at_most = 0.0",
            &format!("indicator = \"y_\", at_most = {y_med}"),
        );
    assert!((split_normal_cdf(x_med, 0.095, 0.03, 0.02) - 0.5).abs() < 1e-12);
    assert!((Triangular::new(0.8, 1.6, 1.1).unwrap().cdf(y_med) - 0.5).abs() < 1e-12);
    let n = 400_000;
    let r = run(&load(&text), n);
    let orthant = |rho: f64| 0.25 + rho.asin() / (2.0 * std::f64::consts::PI);
    assert_probability(
        "x, y",
        r.target_sets["low_x_low_y"].joint_probability,
        orthant(0.6),
        n,
    );
    assert_probability(
        "y, z",
        r.target_sets["low_y_low_z"].joint_probability,
        orthant(-0.4),
        n,
    );
}

#[test]
fn the_summary_is_byte_identical_for_any_thread_count_and_changes_with_the_seed() {
    let s = seed_district();
    // Not a multiple of the block size, so the last block is partial.
    let draws = 3 * targetsim::sampling::BLOCK as u64 + 1234;
    let bytes = |threads: usize, seed: u64| {
        let mut o = RunOptions::new(draws, seed);
        o.threads = Some(threads);
        let summary = targetsim::run(&s, &o).unwrap_or_else(|e| panic!("{e}"));
        targetsim::render::json::to_pretty_bytes(&summary)
    };
    let one = bytes(1, SEED);
    assert_eq!(one, bytes(2, SEED));
    assert_eq!(one, bytes(3, SEED));
    assert_eq!(one, bytes(1, SEED));
    assert_ne!(one, bytes(1, SEED + 1));
}

#[test]
fn driver_columns_are_returned_aligned_with_the_indicators() {
    let s = seed_district();
    let model = Model::compile(&s);
    let mut o = RunOptions::new(10_000, SEED);
    o.keep_drivers = true;
    let sim = engine::simulate(&model, &o).unwrap_or_else(|e| panic!("{e}"));
    let g_fai = s.drivers.iter().position(|d| d.name == "g_fai").unwrap();
    let fai_growth = s.indicator_index("fai_growth").unwrap();
    assert_eq!(sim.drivers[g_fai], sim.indicators[fai_growth]);
}

#[test]
fn about_and_range_targets_count_both_bounds() {
    // N(0.09, 0.01): about 0.09 ± 0.01 is P(|Z| <= 1); range [0.08, 0.11] is Phi(2) - Phi(-1).
    let text = r#"
        [drivers]
        g = { dist = "normal", mean = 0.09, sd = 0.01 }
        [indicators]
        growth = { formula = "g", kind = "rate" }
        [target_sets.about]
        targets = [{ indicator = "growth", about = 0.09, tolerance = 0.01 }]
        [target_sets.range]
        targets = [{ indicator = "growth", range = [0.08, 0.11] }]
    "#;
    let n = 200_000;
    let r = run(&load(text), n);
    assert_probability(
        "about",
        target_p(&r, "about", "growth"),
        phi(1.0) - phi(-1.0),
        n,
    );
    assert_probability(
        "range",
        target_p(&r, "range", "growth"),
        phi(2.0) - phi(-1.0),
        n,
    );
}
