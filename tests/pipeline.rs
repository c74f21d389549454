//! Project pipelines and peer ranks against closed forms, each at four Monte
//! Carlo standard errors with a fixed seed: a binomial count, the Vasicek
//! large-pool limit, exact sums of a small correlated pipeline by
//! quadrature, P(rank <= k) = k/N for exchangeable districts, a known mean
//! shift against normal peers by quadrature, and the contribution of each
//! project in closed form, drawn amounts and sure starts. Also: bad project
//! CSVs exit 2 naming the line; one thread or two, the same summary.

use assert_cmd::Command;
use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, Normal};
use std::path::Path;
use targetsim::RunOptions;
use targetsim::scenario::{self, Format, Scenario};
use targetsim::summary::Summary;

const SEED: u64 = 20251201;

fn load(text: &str) -> Scenario {
    match scenario::from_bytes(Path::new("test.toml"), text.as_bytes(), Format::Toml) {
        Ok(s) => s,
        Err(e) => panic!("test scenario is invalid:\n{e}"),
    }
}

fn run(s: &Scenario, draws: u64) -> Summary {
    targetsim::run(s, &RunOptions::new(draws, SEED)).unwrap_or_else(|e| panic!("{e}"))
}

fn phi(z: f64) -> f64 {
    Normal::standard().cdf(z)
}

fn phi_inv(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

fn density(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Simpson's rule for the integral of `f` over [lo, hi] (an even number of
/// panels); every integrand here is smooth and bounded by a normal density,
/// so 4000 panels on [-10, 10] are exact to far below 1e-9.
fn simpson(lo: f64, hi: f64, f: impl Fn(f64) -> f64) -> f64 {
    let m = 4000;
    let h = (hi - lo) / m as f64;
    let mut s = f(lo) + f(hi);
    for i in 1..m {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        s += w * f(lo + i as f64 * h);
    }
    s * h / 3.0
}

fn assert_probability(what: &str, p_hat: f64, p: f64, n: u64) {
    let tol = 4.0 * (p * (1.0 - p) / n as f64).sqrt();
    assert!(
        (p_hat - p).abs() <= tol.max(1e-12),
        "{what}: simulated {p_hat}, exact {p}, tolerance {tol}"
    );
}

fn target_p(s: &Summary, set: &str, ind: &str) -> f64 {
    s.target_sets[set].target(ind).expect("target").probability
}

/// Conditional start probability given the factor's score `z`.
fn p_given(p: f64, rho: f64, z: f64) -> f64 {
    phi((phi_inv(p) - rho.sqrt() * z) / (1.0 - rho).sqrt())
}

#[test]
fn independent_projects_give_a_binomial_count() {
    let mut text = String::from(
        "[drivers]\ng = { dist = \"normal\", mean = 0, sd = 1 }\n\
         [indicators]\nstarted = { pipeline = \"count\" }\n\
         [target_sets.main]\ntargets = [{ indicator = \"started\", at_least = 10 }]\n\
         [target_sets.few]\ntargets = [{ indicator = \"started\", at_most = 5 }]\n",
    );
    for i in 0..30 {
        text.push_str(&format!(
            "[[pipeline.projects]]\nname = \"p{i}\"\np = 0.3\namount = 1\n"
        ));
    }
    let s = load(&text);
    let n = 100_000;
    let out = run(&s, n);
    let bin = Binomial::new(0.3, 30).unwrap();
    assert_probability(
        "P(count >= 10)",
        target_p(&out, "main", "started"),
        1.0 - bin.cdf(9),
        n,
    );
    assert_probability(
        "P(count <= 5)",
        target_p(&out, "few", "started"),
        bin.cdf(5),
        n,
    );
    let mean = out.indicator("started", None).unwrap().mean;
    let tol = 4.0 * (30.0f64 * 0.3 * 0.7).sqrt() / (n as f64).sqrt();
    assert!((mean - 9.0).abs() <= tol, "mean count {mean}, exact 9");
}

/// A pipeline of `n` projects from a CSV beside the scenario, in a temp dir.
fn csv_scenario(dir: &Path, n: usize, p: f64, loading: f64, extra: &str) -> Scenario {
    let mut csv = String::from("name,p,amount\n");
    for i in 0..n {
        csv.push_str(&format!("project {i},{p},1\n"));
    }
    std::fs::write(dir.join("projects.csv"), csv).unwrap();
    let text = format!(
        "[drivers]\ng = {{ dist = \"normal\", mean = 0, sd = 1 }}\n\
         [indicators]\nstarted = {{ pipeline = \"count\" }}\nshare = \"started / {n}\"\n\
         [pipeline]\nfile = \"projects.csv\"\nloading = {loading}\n{extra}"
    );
    let path = dir.join("s.toml");
    std::fs::write(&path, text).unwrap();
    scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_large_correlated_pool_follows_the_vasicek_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (n, p, rho, x) = (10_000usize, 0.1, 0.2, 0.15);
    let s = csv_scenario(
        dir.path(),
        n,
        p,
        rho,
        &format!("[target_sets.main]\ntargets = [{{ indicator = \"share\", at_most = {x} }}]\n"),
    );
    // Vasicek: P(L <= x) = Phi((sqrt(1 - rho) Phi^-1(x) - Phi^-1(p)) / sqrt(rho)).
    let vasicek = phi(((1.0 - rho).sqrt() * phi_inv(x) - phi_inv(p)) / rho.sqrt());
    // The pool is finite: the exact law integrates a binomial over the
    // factor. It must sit well inside the tolerance of the limit, or the
    // comparison below would test the pool size, not the engine.
    let k = (x * n as f64).floor() as u64;
    let exact = simpson(-10.0, 10.0, |z| {
        let b = Binomial::new(p_given(p, rho, z).clamp(0.0, 1.0), n as u64).unwrap();
        density(z) * b.cdf(k)
    });
    let draws = 20_000;
    let se = (vasicek * (1.0 - vasicek) / draws as f64).sqrt();
    assert!(
        (exact - vasicek).abs() < se,
        "finite pool {exact} vs limit {vasicek}"
    );
    let out = run(&s, draws);
    assert_probability(
        "P(L <= 0.15)",
        target_p(&out, "main", "share"),
        vasicek,
        draws,
    );
}

/// Five projects with their own probabilities, amounts and loadings: the
/// exact P(sum >= threshold), and jointly with the factor's sign, by
/// enumerating the 32 subsets inside a quadrature over the factor.
#[test]
fn small_correlated_pipelines_match_exact_sums() {
    let ps = [0.9, 0.7, 0.5, 0.35, 0.2];
    let amounts = [3.0, 5.0, 7.0, 11.0, 13.0];
    let rhos = [0.1, 0.2, 0.3, 0.4, 0.5];
    let threshold = 20.0;
    let sum_at_least = |z: f64| -> f64 {
        let q: Vec<f64> = (0..5).map(|i| p_given(ps[i], rhos[i], z)).collect();
        let mut total = 0.0;
        for mask in 0u32..32 {
            let mut pr = 1.0;
            let mut sum = 0.0;
            for i in 0..5 {
                if mask >> i & 1 == 1 {
                    pr *= q[i];
                    sum += amounts[i];
                } else {
                    pr *= 1.0 - q[i];
                }
            }
            if sum >= threshold {
                total += pr;
            }
        }
        total
    };
    let exact = simpson(-10.0, 10.0, |z| density(z) * sum_at_least(z));
    // The factor is the driver `credit`, entering with its sign reversed (a
    // higher credit growth makes starts likelier): credit <= its mean is z >= 0.
    let joint = simpson(0.0, 10.0, |z| density(z) * sum_at_least(z));
    let mut text = String::from(
        "[drivers]\ncredit = { dist = \"normal\", mean = 0.05, sd = 0.02 }\n\
         [indicators]\ninvest = { pipeline = \"amount\" }\ncredit_growth = \"credit\"\n\
         [target_sets.main]\ntargets = [{ indicator = \"invest\", at_least = 20 }]\n\
         [target_sets.downturn]\ntargets = [{ indicator = \"invest\", at_least = 20 }, { indicator = \"credit_growth\", at_most = 0.05 }]\n\
         [pipeline]\nfactor = \"credit\"\n",
    );
    for i in 0..5 {
        text.push_str(&format!(
            "[[pipeline.projects]]\nname = \"p{i}\"\np = {}\namount = {}\nloading = {}\n",
            ps[i], amounts[i], rhos[i]
        ));
    }
    let s = load(&text);
    let n = 100_000;
    let out = run(&s, n);
    assert_probability("P(sum >= 20)", target_p(&out, "main", "invest"), exact, n);
    assert_probability(
        "P(sum >= 20 and credit <= mean)",
        out.target_sets["downturn"].joint_probability,
        joint,
        n,
    );
    // Positive loadings: in a credit squeeze fewer projects start, so the
    // sum is reached in well under half of the draws that reach it.
    assert!(joint < 0.5 * exact - 0.01, "{joint} vs {exact}");
}

#[test]
fn exchangeable_districts_rank_uniformly() {
    // District: sqrt(.5) city + sqrt(.5) own; peers share the city factor
    // with the same loading; all five are exchangeable, so P(rank <= k) = k/5.
    let text = "[drivers]\ncity = { dist = \"normal\", mean = 0, sd = 1 }\n\
        own = { dist = \"normal\", mean = 0, sd = 1 }\n\
        [indicators]\ngrowth = \"0.7071067811865476 * city + 0.7071067811865476 * own\"\n\
        rank = { rank = \"growth\" }\n\
        [peers]\ndistricts = [\"a\", \"b\", \"c\", \"d\"]\nfactor = \"city\"\n\
        [peers.indicators.growth]\ndist = \"normal\"\nmean = 0\nsd = 1\nloading = 0.5\n\
        [target_sets.top1]\ntargets = [{ indicator = \"rank\", at_most = 1 }]\n\
        [target_sets.top3]\ntargets = [{ indicator = \"rank\", at_most = 3 }]\n";
    let s = load(text);
    let n = 100_000;
    let out = run(&s, n);
    assert_probability("P(rank <= 1)", target_p(&out, "top1", "rank"), 0.2, n);
    assert_probability("P(rank <= 3)", target_p(&out, "top3", "rank"), 0.6, n);
    // Independent peers, no factor: the same.
    let iid = "[drivers]\nown = { dist = \"normal\", mean = 0.06, sd = 0.01 }\n\
        [indicators]\ngrowth = \"own\"\nrank = { rank = \"growth\" }\n\
        [peers]\ndistricts = [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\"]\n\
        [peers.indicators.growth]\ndist = \"normal\"\nmean = 0.06\nsd = 0.01\n\
        [target_sets.top3]\ntargets = [{ indicator = \"rank\", at_most = 3 }]\n";
    let out = run(&load(iid), n);
    assert_probability(
        "P(rank <= 3 of 8)",
        target_p(&out, "top3", "rank"),
        3.0 / 8.0,
        n,
    );
}

#[test]
fn a_known_mean_shift_matches_quadrature() {
    // District N(0.5, 1), six peers N(0, 1): P(rank <= 3) = integral of
    // phi(x - 0.5) P(at most 2 of 6 peers above x).
    let (mu, peers, k) = (0.5, 6u64, 3u64);
    let exact = simpson(-10.0, 10.0, |x| {
        let above = Binomial::new(1.0 - phi(x), peers).unwrap();
        density(x - mu) * above.cdf(k - 1)
    });
    let text = "[drivers]\nown = { dist = \"normal\", mean = 0.5, sd = 1 }\n\
        [indicators]\ngrowth = \"own\"\nrank = { rank = \"growth\" }\n\
        [peers]\ndistricts = [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"]\n\
        [peers.indicators.growth]\ndist = \"normal\"\nmean = 0\nsd = 1\n\
        [target_sets.top3]\ntargets = [{ indicator = \"rank\", at_most = 3 }]\n";
    let n = 100_000;
    let out = run(&load(text), n);
    assert_probability("P(rank <= 3)", target_p(&out, "top3", "rank"), exact, n);
}

/// One bad project CSV: exit 2, the message names the file, the line and
/// the column.
fn bad_csv(csv: &str, wants: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("projects.csv"), csv).unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(
        &path,
        "[drivers]\ng = { dist = \"normal\", mean = 0, sd = 1 }\n\
         [indicators]\nstarted = { pipeline = \"count\" }\n\
         [pipeline]\nfile = \"projects.csv\"\n",
    )
    .unwrap();
    let out = Command::cargo_bin("targetsim")
        .unwrap()
        .args(["run", "-q", "--no-charts", "--no-report"])
        .arg(&path)
        .arg("-o")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for w in wants {
        assert!(err.contains(w), "missing `{w}` in:\n{err}");
    }
    assert!(!dir.path().join("out").exists(), "no output on bad input");
}

#[test]
fn bad_project_lists_exit_2_naming_the_line() {
    bad_csv(
        "name,amount\nA,3\n",
        &["projects.csv) line 1", "no column p"],
    );
    bad_csv(
        "name,p,amount\nA,0.5,3\nB,1.5,4\n",
        &["projects.csv) line 3, column p", "1.5", "between 0 and 1"],
    );
    bad_csv(
        "name,p,amount\nA,0.5,3\nB,0.4,4\nA,0.3,5\n",
        &[
            "projects.csv) line 4, column name",
            "same name as the project on line 2",
        ],
    );
}

#[test]
fn contributions_match_the_conditional_closed_form() {
    // Three independent projects, target: at least two start. When A does
    // not start the target needs both B and C: P(miss | A not) = 1 - pB pC;
    // when A starts it needs one of them: P(miss | A) = (1 - pB)(1 - pC).
    let (pa, pb, pc) = (0.8, 0.6, 0.5);
    let text = format!(
        "[drivers]\ng = {{ dist = \"normal\", mean = 0, sd = 1 }}\n\
         [indicators]\nstarted = {{ pipeline = \"count\" }}\n\
         [target_sets.main]\ntargets = [{{ indicator = \"started\", at_least = 2 }}]\n\
         [[pipeline.projects]]\nname = \"A\"\np = {pa}\namount = 1\n\
         [[pipeline.projects]]\nname = \"B\"\np = {pb}\namount = 1\n\
         [[pipeline.projects]]\nname = \"C\"\np = {pc}\namount = 1\n"
    );
    let n = 100_000;
    let out = run(&load(&text), n);
    let pl = out.pipeline.as_ref().expect("pipeline section");
    let a = &pl.projects[0];
    let not_started = ((1.0 - a.p_started) * n as f64) as u64;
    let started = n - not_started;
    let if_not = a.p_missed_if_not_started[0].unwrap();
    assert_probability(
        "P(miss | A not started)",
        if_not,
        1.0 - pb * pc,
        not_started,
    );
    let if_started = if_not - a.lift[0].unwrap();
    assert_probability(
        "P(miss | A started)",
        if_started,
        (1.0 - pb) * (1.0 - pc),
        started,
    );
    assert_probability("P(A started)", a.p_started, pa, n);
    // Lifts: A 0.5, B 1 - pA pC - (1 - pA)(1 - pC) = 0.5, C 0.4; all critical.
    let names: Vec<&str> = pl.critical.iter().map(|c| c.project.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[2], "C", "{names:?}");
}

/// Sure and impossible starts stay sure and impossible under a loading, and
/// a drawn amount is added only when its project starts: with a project that
/// always starts (amount 10), one that never does, and one that starts with
/// p = 0.7 and a triangular(1, 2, 4) amount T, the count is 1 + B(0.7) and
/// P(amount >= x) = 0.7 P(T >= x - 10), with P(T >= x') = (4 - x')^2 / 6
/// above the mode and 1 - (x' - 1)^2 / 3 below it.
#[test]
fn drawn_amounts_and_sure_starts_match_closed_forms() {
    let text = "[drivers]\ng = { dist = \"normal\", mean = 0, sd = 1 }\n\
        [indicators]\nstarted = { pipeline = \"count\" }\n\
        invested = { pipeline = \"amount\" }\n\
        [pipeline]\nloading = 0.5\n\
        [[pipeline.projects]]\nname = \"sure\"\np = 1\namount = 10\n\
        [[pipeline.projects]]\nname = \"never\"\np = 0\namount = 50\n\
        [[pipeline.projects]]\nname = \"drawn\"\np = 0.7\nloading = 0.3\n\
        amount = { dist = \"triangular\", min = 1, mode = 2, max = 4 }\n\
        [target_sets.count]\ntargets = [{ indicator = \"started\", at_least = 1 }]\n\
        [target_sets.two]\ntargets = [{ indicator = \"started\", at_least = 2 }]\n\
        [target_sets.three]\ntargets = [{ indicator = \"started\", at_least = 3 }]\n\
        [target_sets.high]\ntargets = [{ indicator = \"invested\", at_least = 12.5 }]\n\
        [target_sets.low]\ntargets = [{ indicator = \"invested\", at_least = 11.5 }]\n";
    let s = load(text);
    let n = 100_000;
    let out = run(&s, n);
    assert_eq!(target_p(&out, "count", "started"), 1.0, "the sure project");
    assert_eq!(
        target_p(&out, "three", "started"),
        0.0,
        "the impossible one"
    );
    assert_probability("P(count >= 2)", target_p(&out, "two", "started"), 0.7, n);
    let above = |x: f64| (4.0 - x).powi(2) / 6.0;
    let below = |x: f64| 1.0 - (x - 1.0).powi(2) / 3.0;
    assert_probability(
        "P(amount >= 12.5)",
        target_p(&out, "high", "invested"),
        0.7 * above(2.5),
        n,
    );
    assert_probability(
        "P(amount >= 11.5)",
        target_p(&out, "low", "invested"),
        0.7 * below(1.5),
        n,
    );
}

/// The worked scenario's pipeline (353 projects, a driver as the factor,
/// contributions) and peers give the same summary on one thread as on two.
#[test]
fn a_pipeline_run_does_not_depend_on_the_threads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district-projects.toml");
    let s = scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let on = |threads| {
        let opts = RunOptions {
            threads: Some(threads),
            ..RunOptions::new(30_000, SEED)
        };
        let out = targetsim::run(&s, &opts).unwrap_or_else(|e| panic!("{e}"));
        serde_json::to_string(&out).unwrap_or_else(|e| panic!("{e}"))
    };
    let one = on(1);
    assert!(
        one.contains("p_missed_if_not_started"),
        "no pipeline section"
    );
    assert_eq!(one, on(2));
}
