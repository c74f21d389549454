//! Driver distributions estimated from history: for the growth rate of each
//! series a normal and a split normal, and the correlation matrix of the
//! growth rates shrunk toward the identity; written as a scenario fragment.
//!
//! # Definitions
//!
//! * **normal**: `mean` the arithmetic mean, `sd` the sample standard
//!   deviation with `n − 1` in the denominator.
//! * **split normal** (two-piece normal, parameters as in the scenario
//!   format), by one of two methods:
//!   - **method of moments** (the default): the split normal whose mean,
//!     variance and third central moment equal the sample's (`x̄`, `s²` with
//!     `n − 1`, and the unbiased `k₃ = n/((n − 1)(n − 2))·Σ(x − x̄)³`). With
//!     `d = sd_high − sd_low` the moments are (Wallis 2014)
//!     mean `mode + √(2/π)·d`, variance `(1 − 2/π)d² + sd_low·sd_high`, third
//!     central moment `√(2/π)·d·((4/π − 1)d² + sd_low·sd_high)`, so
//!     `k₃ = √(2/π)·d·(s² − (2 − 6/π)d²)`, which is solved for `d` by
//!     bisection (it is monotone where `sd_low·sd_high = s² − (1 − 2/π)d² > 0`);
//!     then `sd_low·sd_high = s² − (1 − 2/π)d²` gives both sds and the mean
//!     gives the mode. A split normal cannot be skewed beyond about ±0.995;
//!     `|d|` is capped at `0.9·s/√(1 − 2/π)` (skewness about ±0.95, the
//!     smaller sd then 0.12·s), and the fit says so when the cap binds.
//!     Stable for the 15–30 annual observations planners have.
//!   - **maximum likelihood** (John 1982; Villani and Larsson 2006).
//!     For a fixed mode `m`, with `S₁ = Σ_{x<m}(x − m)²` and
//!     `S₂ = Σ_{x≥m}(x − m)²`, the likelihood is maximised in closed form by
//!     `sd_low = √(S₁^{2/3}(S₁^{1/3} + S₂^{1/3})/n)` and
//!     `sd_high = √(S₂^{2/3}(S₁^{1/3} + S₂^{1/3})/n)`, and the profile
//!     log-likelihood is `−(3n/2)·ln(S₁^{1/3} + S₂^{1/3})` plus a constant. The
//!     mode is found by minimising `S₁^{1/3} + S₂^{1/3}` numerically: golden
//!     section search in each interval between consecutive sorted
//!     observations from the second smallest to the second largest (so both
//!     sides keep at least one observation and both sds are positive), and
//!     the best interval wins. Efficient in large samples, but with a few
//!     dozen observations the maximum often sits next to the largest or
//!     smallest observation, with one sd near 0 (US expenditure growth
//!     1951–1993: sd_high 0.09%): use it with long series only.
//! * **correlation**: the growth rates are standardised (mean 0, sd 1 with
//!   denominator `n`), so their sample covariance `S` is the Pearson
//!   correlation matrix. Ledoit and Wolf (2004) shrink it toward the target
//!   `μI` with `μ = tr(S)/p = 1`, i.e. toward the identity:
//!   `R = δ·I + (1 − δ)·S`, with intensity `δ = min(b̄², d²)/d²` where
//!   `d² = ‖S − I‖²` and `b̄² = (1/n²)·Σₖ ‖zₖzₖᵀ − S‖²` (`zₖ` the standardised
//!   observation of year `k`, `‖·‖` the Frobenius norm). `δ = 0` when
//!   `d² = 0` (nothing to shrink). Off the diagonal, `R = (1 − δ)·S`.

use crate::history::{Growth, History, HistoryError};
use crate::model::distribution::std_normal_cdf;
use std::fmt::Write;

/// Fewest growth rates `fit` accepts.
pub const MIN_OBSERVATIONS: usize = 5;

/// What to fit: plain data, filled by the CLI.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Column names, in the order wanted.
    pub series: Vec<String>,
    /// Levels of years `from..=to` (growth rates of `from + 1 ..= to`); the whole file when `None`.
    pub years: Option<(i32, i32)>,
    pub split_method: SplitMethod,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NormalFit {
    pub mean: f64,
    /// Sample standard deviation (denominator `n − 1`).
    pub sd: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitNormalFit {
    pub mode: f64,
    pub sd_low: f64,
    pub sd_high: f64,
    /// The log-likelihood of the sample at these parameters.
    pub log_likelihood: f64,
    /// Method of moments only: the sample was more skewed than the cap
    /// allows, so the fit is as skewed as allowed.
    pub capped: bool,
}

/// How the split normal is estimated (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitMethod {
    Moments,
    MaximumLikelihood,
}

impl SplitMethod {
    pub fn describe(self) -> &'static str {
        match self {
            SplitMethod::Moments => "the method of moments (mean, variance, third moment)",
            SplitMethod::MaximumLikelihood => "maximum likelihood (John 1982)",
        }
    }
}

/// The estimates for one series.
#[derive(Debug, Clone)]
pub struct SeriesFit {
    /// The driver's name in the fragment (see [`driver_names`]); the column
    /// name itself becomes its label.
    pub driver: String,
    pub growth: Growth,
    pub normal: NormalFit,
    pub split_normal: SplitNormalFit,
}

/// A Ledoit–Wolf shrunk correlation matrix (row-major, `p × p`).
#[derive(Debug, Clone, PartialEq)]
pub struct Shrinkage {
    pub p: usize,
    pub sample: Vec<f64>,
    pub shrunk: Vec<f64>,
    /// `δ` in `R = δ·I + (1 − δ)·S`.
    pub intensity: f64,
}

/// Everything `fit` estimates.
#[derive(Debug, Clone)]
pub struct Fit {
    pub file: std::path::PathBuf,
    /// Levels used (inclusive).
    pub level_years: (i32, i32),
    pub series: Vec<SeriesFit>,
    pub correlation: Shrinkage,
    pub split_method: SplitMethod,
}

/// Why a fit failed.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error("--series: give at least one column name")]
    NoSeries,
    #[error("--series: `{0}` is named twice")]
    Duplicate(String),
    #[error(
        "{file}: `{series}` has {n} growth rates in the chosen years; fitting needs at least {min}\n  hint: use more years (--years)"
    )]
    TooFew {
        file: std::path::PathBuf,
        series: String,
        n: usize,
        min: usize,
    },
    #[error(
        "{file}: the growth rate of `{series}` is the same every year; there is no spread to fit"
    )]
    NoSpread {
        file: std::path::PathBuf,
        series: String,
    },
}

/// Mean and sample sd (`n − 1`).
pub fn normal(xs: &[f64]) -> NormalFit {
    let mean = crate::summary::stats::mean(xs);
    NormalFit {
        mean,
        sd: crate::summary::stats::sd(xs, mean),
    }
}

/// Split normal by maximum likelihood (see the module docs); `None` with
/// fewer than 3 observations or when a side has no spread.
pub fn split_normal(xs: &[f64]) -> Option<SplitNormalFit> {
    let n = xs.len();
    if n < 3 {
        return None;
    }
    let centre = crate::summary::stats::mean(xs);
    let mut y: Vec<f64> = xs.iter().map(|x| x - centre).collect();
    y.sort_by(f64::total_cmp);
    // Prefix sums: p1[i] = Σ_{k<i} y_k, p2[i] = Σ_{k<i} y_k².
    let mut p1 = vec![0.0; n + 1];
    let mut p2 = vec![0.0; n + 1];
    for k in 0..n {
        p1[k + 1] = p1[k] + y[k];
        p2[k + 1] = p2[k] + y[k] * y[k];
    }
    // With `below` points under m: S₁, S₂.
    let sums = |m: f64, below: usize| -> (f64, f64) {
        let b = below as f64;
        let s1 = p2[below] - 2.0 * m * p1[below] + b * m * m;
        let s2 = (p2[n] - p2[below]) - 2.0 * m * (p1[n] - p1[below]) + (n as f64 - b) * m * m;
        (s1.max(0.0), s2.max(0.0))
    };
    let g = |m: f64, below: usize| {
        let (s1, s2) = sums(m, below);
        s1.cbrt() + s2.cbrt()
    };
    let mut best = (f64::INFINITY, y[1], 1usize);
    // Interval [y[i-1], y[i]] has `i` points at or below its left end.
    for i in 2..n - 1 {
        let (mut a, mut b) = (y[i - 1], y[i]);
        for m in [a, b] {
            let v = g(m, i);
            if v < best.0 {
                best = (v, m, i);
            }
        }
        if b <= a {
            continue;
        }
        let r = 0.5 * (5f64.sqrt() - 1.0);
        let mut c = b - r * (b - a);
        let mut d = a + r * (b - a);
        let (mut gc, mut gd) = (g(c, i), g(d, i));
        for _ in 0..60 {
            if gc <= gd {
                b = d;
                d = c;
                gd = gc;
                c = b - r * (b - a);
                gc = g(c, i);
            } else {
                a = c;
                c = d;
                gc = gd;
                d = a + r * (b - a);
                gd = g(d, i);
            }
            if b - a <= 1e-15 * (1.0 + a.abs().max(b.abs())) {
                break;
            }
        }
        for (v, m) in [(gc, c), (gd, d)] {
            if v < best.0 {
                best = (v, m, i);
            }
        }
    }
    let (_, m, below) = best;
    let (s1, s2) = sums(m, below);
    let k = (s1.cbrt() + s2.cbrt()) / n as f64;
    let sd_low = (s1.cbrt().powi(2) * k).sqrt();
    let sd_high = (s2.cbrt().powi(2) * k).sqrt();
    if !(sd_low > 0.0 && sd_high > 0.0) {
        return None;
    }
    let mode = m + centre;
    Some(SplitNormalFit {
        mode,
        sd_low,
        sd_high,
        log_likelihood: split_normal_log_likelihood(xs, mode, sd_low, sd_high),
        capped: false,
    })
}

/// `√(2/π)`.
const R2PI: f64 = 0.797_884_560_802_865_4;

/// The split normal with the given mean, variance and third central
/// moment; `capped` when `m3` was beyond the cap (see the module docs).
/// `None` unless `var > 0`.
pub fn split_normal_from_moments(mean: f64, var: f64, m3: f64) -> Option<(f64, f64, f64, bool)> {
    if var.is_nan() || var <= 0.0 || !m3.is_finite() || !mean.is_finite() {
        return None;
    }
    let a = 1.0 - 2.0 / std::f64::consts::PI;
    let c = 2.0 - 6.0 / std::f64::consts::PI;
    let cap = 0.9 * (var / a).sqrt();
    let h = |d: f64| R2PI * d * (var - c * d * d);
    let target = m3.abs();
    let (d, capped) = if target >= h(cap) {
        (cap, true)
    } else {
        let (mut lo, mut hi) = (0.0, cap);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if h(mid) < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (0.5 * (lo + hi), false)
    };
    let d = d.copysign(m3);
    let prod = var - a * d * d;
    let sd_low = 0.5 * (-d + (d * d + 4.0 * prod).sqrt());
    let sd_high = sd_low + d;
    if !(sd_low > 0.0 && sd_high > 0.0) {
        return None;
    }
    Some((mean - R2PI * d, sd_low, sd_high, capped))
}

/// Split normal by the method of moments (see the module docs); `None`
/// with fewer than 3 observations or no spread.
pub fn split_normal_moments(xs: &[f64]) -> Option<SplitNormalFit> {
    let n = xs.len();
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let f = normal(xs);
    let k3 = nf / ((nf - 1.0) * (nf - 2.0)) * xs.iter().map(|x| (x - f.mean).powi(3)).sum::<f64>();
    let (mode, sd_low, sd_high, capped) = split_normal_from_moments(f.mean, f.sd * f.sd, k3)?;
    Some(SplitNormalFit {
        mode,
        sd_low,
        sd_high,
        log_likelihood: split_normal_log_likelihood(xs, mode, sd_low, sd_high),
        capped,
    })
}

/// Split normal by the chosen method.
pub fn split_normal_by(xs: &[f64], method: SplitMethod) -> Option<SplitNormalFit> {
    match method {
        SplitMethod::Moments => split_normal_moments(xs),
        SplitMethod::MaximumLikelihood => split_normal(xs),
    }
}

/// `Σ ln f(x)` for the split normal density of the scenario format.
pub fn split_normal_log_likelihood(xs: &[f64], mode: f64, sd_low: f64, sd_high: f64) -> f64 {
    let c = (2.0 / (sd_low + sd_high)).ln() - 0.5 * (2.0 * std::f64::consts::PI).ln();
    xs.iter()
        .map(|&x| {
            let s = if x < mode { sd_low } else { sd_high };
            c - 0.5 * ((x - mode) / s).powi(2)
        })
        .sum()
}

/// Ledoit–Wolf shrinkage of the correlation matrix of `columns` (each of
/// the same length `n ≥ 2`, none constant) toward the identity.
pub fn ledoit_wolf(columns: &[&[f64]]) -> Shrinkage {
    let p = columns.len();
    let n = columns.first().map_or(0, |c| c.len());
    let z: Vec<Vec<f64>> = columns
        .iter()
        .map(|c| {
            let m = crate::summary::stats::mean(c);
            let s = (c.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64).sqrt();
            c.iter().map(|x| (x - m) / s).collect()
        })
        .collect();
    let nf = n as f64;
    let mut sample = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            sample[i * p + j] = if i == j {
                1.0
            } else {
                (0..n).map(|k| z[i][k] * z[j][k]).sum::<f64>() / nf
            };
        }
    }
    let d2: f64 = (0..p * p)
        .map(|ij| {
            let (i, j) = (ij / p, ij % p);
            let t = if i == j { 1.0 } else { 0.0 };
            (sample[ij] - t).powi(2)
        })
        .sum();
    let b2bar: f64 = (0..n)
        .map(|k| {
            (0..p * p)
                .map(|ij| {
                    let (i, j) = (ij / p, ij % p);
                    (z[i][k] * z[j][k] - sample[ij]).powi(2)
                })
                .sum::<f64>()
        })
        .sum::<f64>()
        / (nf * nf);
    let intensity = if d2 > 0.0 { b2bar.min(d2) / d2 } else { 0.0 };
    let shrunk = (0..p * p)
        .map(|ij| {
            if ij / p == ij % p {
                1.0
            } else {
                (1.0 - intensity) * sample[ij]
            }
        })
        .collect();
    Shrinkage {
        p,
        sample,
        shrunk,
        intensity,
    }
}

/// Fit every requested series of a history file.
pub fn fit(history: &History, opts: &FitOptions) -> Result<Fit, FitError> {
    if opts.series.is_empty() {
        return Err(FitError::NoSeries);
    }
    for (k, s) in opts.series.iter().enumerate() {
        if opts.series[..k].contains(s) {
            return Err(FitError::Duplicate(s.clone()));
        }
    }
    let first = history.years[0];
    let last = *history.years.last().unwrap_or(&first);
    let level_years = opts.years.unwrap_or((first, last));
    let mut series = Vec::new();
    let columns: Vec<(usize, &str)> = opts
        .series
        .iter()
        .map(|name| {
            let position = history
                .series
                .iter()
                .position(|s| s.name == *name)
                .map_or(0, |k| k + 1);
            (position, name.as_str())
        })
        .collect();
    let drivers = driver_names(&columns);
    for (name, driver) in opts.series.iter().zip(drivers) {
        let growth = history.growth(name, Some(level_years))?;
        let n = growth.values.len();
        if n < MIN_OBSERVATIONS {
            return Err(FitError::TooFew {
                file: history.file.clone(),
                series: name.clone(),
                n,
                min: MIN_OBSERVATIONS,
            });
        }
        let normal = normal(&growth.values);
        let no_spread = || FitError::NoSpread {
            file: history.file.clone(),
            series: name.clone(),
        };
        if normal.sd.is_nan() || normal.sd <= 0.0 {
            return Err(no_spread());
        }
        let split_normal =
            split_normal_by(&growth.values, opts.split_method).ok_or_else(no_spread)?;
        series.push(SeriesFit {
            driver,
            growth,
            normal,
            split_normal,
        });
    }
    let columns: Vec<&[f64]> = series.iter().map(|s| s.growth.values.as_slice()).collect();
    Ok(Fit {
        file: history.file.clone(),
        level_years,
        correlation: ledoit_wolf(&columns),
        series,
        split_method: opts.split_method,
    })
}

/// The distribution a fragment gives each driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FragmentDist {
    SplitNormal,
    Normal,
}

/// `g_` and the column name made safe as a scenario name (letters, digits
/// and `_`, lowercase), or `None` when the name holds letters with no plain
/// ASCII spelling (Chinese, Cyrillic, ...) or nothing usable at all.
/// Accented Latin letters lose their accents (`é` is `e`, `ß` is `ss`).
pub fn driver_name(series: &str) -> Option<String> {
    let mut s = String::new();
    for c in series.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if let Some(t) = transliterate(c) {
            s.push_str(t);
        } else if c.is_alphanumeric() {
            return None;
        } else {
            s.push('_');
        }
    }
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    // Identifiers are at most 64 characters; leave room for `g_` and a suffix.
    let s: String = s.trim_matches('_').chars().take(48).collect();
    let s = s.trim_end_matches('_');
    (!s.is_empty()).then(|| format!("g_{s}"))
}

/// Distinct, valid driver names for columns given as (position in the file,
/// counting from 1 after `year`; name): [`driver_name`] where it gives one,
/// else `g_<position>`; a name already taken gets `_2`, `_3`, ... added.
pub fn driver_names(columns: &[(usize, &str)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(columns.len());
    for &(position, name) in columns {
        let base = driver_name(name).unwrap_or_else(|| format!("g_{position}"));
        let mut candidate = base.clone();
        let mut k = 2;
        while out.contains(&candidate) {
            candidate = format!("{base}_{k}");
            k += 1;
        }
        out.push(candidate);
    }
    out
}

/// The plain ASCII spelling of an accented Latin letter, if it has one.
fn transliterate(c: char) -> Option<&'static str> {
    let lower = c.to_lowercase().next().unwrap_or(c);
    Some(match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ĺ' | 'ľ' | 'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

fn num(x: f64) -> String {
    // Six significant digits: more than any history supports, few enough to read.
    let s = format!("{:.6}", x);
    let s = s.trim_end_matches('0');
    let s = s.strip_suffix('.').unwrap_or(s);
    if s == "-0" { "0".into() } else { s.into() }
}

/// A TOML basic string: quoted, with `"`, `\\` and every control character
/// escaped, so no text can end the string, the line or the comment it is in.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if crate::input::text::is_control(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Fit {
    /// Growth years covered (first, last) and their number.
    pub fn growth_years(&self) -> (i32, i32, usize) {
        let g = &self.series[0].growth;
        (
            g.years[0],
            *g.years.last().unwrap_or(&g.years[0]),
            g.values.len(),
        )
    }

    fn file_name(&self) -> String {
        self.file.file_name().map_or_else(
            || self.file.display().to_string(),
            |f| f.to_string_lossy().into_owned(),
        )
    }

    /// A scenario fragment: `[drivers]` (one `g_<series>` per series) and
    /// `[correlations]` as pairs, with comments stating data, years, n and
    /// method. Include it from a scenario (`include = ["fit.toml"]`) or paste it.
    pub fn fragment(&self, dist: FragmentDist) -> String {
        let (g0, g1, n) = self.growth_years();
        let mut out = String::new();
        let _ = writeln!(out, "# Scenario fragment written by `targetsim fit`.");
        // The file name is the planner's, not ours: quoted and escaped, it
        // cannot end the comment line.
        let _ = writeln!(
            out,
            "# Data: {}, levels {}..{}: annual growth rates {}..{} (n = {} years each).",
            toml_string(&self.file_name()),
            self.level_years.0,
            self.level_years.1,
            g0,
            g1,
            n
        );
        let _ = writeln!(
            out,
            "# Growth rate of year t = level[t] / level[t-1] - 1, as a fraction (0.03 = 3%)."
        );
        match dist {
            FragmentDist::SplitNormal => {
                let _ = writeln!(
                    out,
                    "# Drivers: split normal fitted by {}; the normal",
                    self.split_method.describe()
                );
                let _ = writeln!(
                    out,
                    "# fit (mean, sd with n - 1) is given as a comment below each."
                );
            }
            FragmentDist::Normal => {
                let _ = writeln!(
                    out,
                    "# Drivers: normal, mean and sample sd (n - 1); the split normal fitted by"
                );
                let _ = writeln!(
                    out,
                    "# {} is given as a comment below each.",
                    self.split_method.describe()
                );
            }
        }
        let _ = writeln!(out, "\n[drivers]");
        for s in &self.series {
            let name = &s.driver;
            let label = toml_string(&format!("{} growth", s.growth.name));
            let sn = format!(
                "{{ dist = \"split_normal\", mode = {}, sd_low = {}, sd_high = {}, kind = \"rate\", label = {} }}",
                num(s.split_normal.mode),
                num(s.split_normal.sd_low),
                num(s.split_normal.sd_high),
                label
            );
            let nm = format!(
                "{{ dist = \"normal\", mean = {}, sd = {}, kind = \"rate\", label = {} }}",
                num(s.normal.mean),
                num(s.normal.sd),
                label
            );
            let (main, alt) = match dist {
                FragmentDist::SplitNormal => (sn, nm),
                FragmentDist::Normal => (nm, sn),
            };
            let _ = writeln!(out, "{name} = {main}");
            let _ = writeln!(out, "# {name} = {alt}");
        }
        if self.series.len() > 1 {
            let c = &self.correlation;
            let _ = writeln!(
                out,
                "\n# Correlations: Pearson correlation of the growth rates, shrunk toward the identity"
            );
            let _ = writeln!(
                out,
                "# (Ledoit and Wolf 2004): r = (1 - delta) * sample r, delta = {} (n = {}).",
                num(c.intensity),
                n
            );
            let _ = writeln!(out, "[correlations]\npairs = [");
            for i in 0..c.p {
                for j in i + 1..c.p {
                    let _ = writeln!(
                        out,
                        "  [{}, {}, {}],   # sample {}",
                        toml_string(&self.series[i].driver),
                        toml_string(&self.series[j].driver),
                        num(c.shrunk[i * c.p + j]),
                        num(c.sample[i * c.p + j])
                    );
                }
            }
            let _ = writeln!(out, "]");
        }
        out
    }

    /// The estimates as a terminal table, percents for rates.
    pub fn table(&self) -> String {
        use crate::render::table::{pad, pad_left};
        let pct = |x: f64| format!("{:.2}%", 100.0 * x);
        let (g0, g1, n) = self.growth_years();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Growth rates from {}: {}..{}, n = {} years per series",
            crate::input::text::escape(&self.file_name()),
            g0,
            g1,
            n
        );
        let _ = writeln!(
            out,
            "\n                          normal (sd: n-1)      split normal ({})",
            match self.split_method {
                SplitMethod::Moments => "method of moments",
                SplitMethod::MaximumLikelihood => "maximum likelihood",
            }
        );
        let _ = writeln!(
            out,
            "{}{}{}{}{}{}{}{}",
            pad("series", 16),
            pad_left("n", 4),
            pad_left("mean", 10),
            pad_left("sd", 9),
            pad_left("mode", 12),
            pad_left("sd_low", 9),
            pad_left("sd_high", 9),
            pad_left("P(<mode)", 10)
        );
        for s in &self.series {
            let sn = &s.split_normal;
            let _ = writeln!(
                out,
                "{}{}{}{}{}{}{}{}",
                pad(&s.growth.name, 16),
                pad_left(&s.growth.values.len().to_string(), 4),
                pad_left(&pct(s.normal.mean), 10),
                pad_left(&pct(s.normal.sd), 9),
                pad_left(&pct(sn.mode), 12),
                pad_left(&pct(sn.sd_low), 9),
                pad_left(&pct(sn.sd_high), 9),
                pad_left(
                    &format!("{:.0}%", 100.0 * sn.sd_low / (sn.sd_low + sn.sd_high)),
                    10
                )
            );
            if sn.capped {
                let _ = writeln!(
                    out,
                    "  ({}: sample skewness beyond what a split normal allows; capped at about ±0.95)",
                    s.growth.name
                );
            }
        }
        let c = &self.correlation;
        if c.p > 1 {
            let _ = writeln!(
                out,
                "\nCorrelation of growth rates, shrunk toward the identity (Ledoit-Wolf),"
            );
            let _ = writeln!(
                out,
                "intensity delta = {:.3}: shrunk = (1 - delta) x sample; n = {} years",
                c.intensity, n
            );
            for i in 0..c.p {
                for j in i + 1..c.p {
                    let _ = writeln!(
                        out,
                        "  {} ~ {}: {:.3} (sample {:.3})",
                        self.series[i].growth.name,
                        self.series[j].growth.name,
                        c.shrunk[i * c.p + j],
                        c.sample[i * c.p + j]
                    );
                }
            }
        }
        out
    }
}

/// `P(X ≤ x)` for a split normal (used by tests and the backtest).
pub fn split_normal_cdf(x: f64, f: &SplitNormalFit) -> f64 {
    let c = f.sd_low / (f.sd_low + f.sd_high);
    if x < f.mode {
        2.0 * c * std_normal_cdf((x - f.mode) / f.sd_low)
    } else {
        c + 2.0 * (1.0 - c) * (std_normal_cdf((x - f.mode) / f.sd_high) - 0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::distribution::Distribution;
    use crate::sampling::block_rng;
    use nalgebra::{Matrix3, Vector3};
    use rand::RngExt;
    use rand_distr::Open01;

    #[test]
    fn normal_fit_uses_n_minus_one() {
        let f = normal(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(f.mean, 2.5);
        assert!((f.sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn split_normal_maximum_likelihood_recovers_known_parameters_within_four_standard_errors() {
        let (mode, lo, hi) = (0.08, 0.03, 0.012);
        let m = Distribution::split_normal(mode, lo, hi)
            .unwrap()
            .marginal()
            .unwrap();
        let n = 40_000;
        let mut rng = block_rng(11, 0);
        let u: Vec<f64> = (0..n).map(|_| rng.sample(Open01)).collect();
        let mut x = vec![0.0; n];
        m.fill_from_uniforms(&u, &mut x);
        let f = split_normal(&x).unwrap();
        // Standard errors from the outer product of the per-observation
        // scores at the true parameters (the inverse Fisher information).
        let mut info = Matrix3::<f64>::zeros();
        for &xi in &x {
            let d = xi - mode;
            let s = if d < 0.0 {
                Vector3::new(
                    d / (lo * lo),
                    -1.0 / (lo + hi) + d * d / lo.powi(3),
                    -1.0 / (lo + hi),
                )
            } else {
                Vector3::new(
                    d / (hi * hi),
                    -1.0 / (lo + hi),
                    -1.0 / (lo + hi) + d * d / hi.powi(3),
                )
            };
            info += s * s.transpose();
        }
        let cov = info.try_inverse().unwrap();
        for (k, (est, truth)) in [(f.mode, mode), (f.sd_low, lo), (f.sd_high, hi)]
            .into_iter()
            .enumerate()
        {
            let se = cov[(k, k)].sqrt();
            assert!(
                (est - truth).abs() <= 4.0 * se,
                "parameter {k}: {est} vs {truth} (se {se})"
            );
        }
        // And the optimum is an optimum: nearby parameters fit worse.
        for (dm, dl, dh) in [
            (1e-3, 0.0, 0.0),
            (-1e-3, 0.0, 0.0),
            (0.0, 1e-3, 0.0),
            (0.0, 0.0, -1e-3),
        ] {
            let other = split_normal_log_likelihood(&x, f.mode + dm, f.sd_low + dl, f.sd_high + dh);
            assert!(other < f.log_likelihood);
        }
    }

    /// Mean, variance and third central moment of a split normal by
    /// numerical integration of its density (independent of Wallis's formulas).
    fn moments_by_integration(mode: f64, lo: f64, hi: f64) -> (f64, f64, f64) {
        let dens = |x: f64| {
            let s = if x < mode { lo } else { hi };
            2.0 / (lo + hi) * (-0.5 * ((x - mode) / s).powi(2)).exp()
                / (2.0 * std::f64::consts::PI).sqrt()
        };
        let (a, b, n) = (mode - 12.0 * lo, mode + 12.0 * hi, 200_000);
        let h = (b - a) / n as f64;
        let mut m = [0.0; 4];
        for k in 0..=n {
            let x = a + k as f64 * h;
            let w = if k == 0 || k == n { 0.5 } else { 1.0 } * h * dens(x);
            for (p, mp) in m.iter_mut().enumerate() {
                *mp += w * (x - mode).powi(p as i32);
            }
        }
        let mean = m[1] / m[0];
        let var = m[2] / m[0] - mean * mean;
        let m3 = m[3] / m[0] - 3.0 * mean * m[2] / m[0] + 2.0 * mean.powi(3);
        (mode + mean, var, m3)
    }

    #[test]
    fn the_method_of_moments_inverts_the_exact_moments_of_a_split_normal() {
        for (mode, lo, hi) in [(0.08, 0.03, 0.012), (0.02, 0.01, 0.025), (0.05, 0.02, 0.02)] {
            let (mean, var, m3) = moments_by_integration(mode, lo, hi);
            let (m, l, h, capped) = split_normal_from_moments(mean, var, m3).unwrap();
            assert!(!capped);
            assert!((m - mode).abs() < 1e-7, "{m} vs {mode}");
            assert!((l - lo).abs() < 1e-7 && (h - hi).abs() < 1e-7, "{l} {h}");
        }
        // Beyond the largest skewness: capped, both sds still positive.
        let (_, l, h, capped) = split_normal_from_moments(0.0, 1.0, 5.0).unwrap();
        assert!(capped && l > 0.0 && h > l);
    }

    #[test]
    fn the_method_of_moments_recovers_known_parameters_from_a_large_sample() {
        let (mode, lo, hi) = (0.06, 0.025, 0.01);
        let m = Distribution::split_normal(mode, lo, hi)
            .unwrap()
            .marginal()
            .unwrap();
        let (batches, size) = (25, 8000);
        let mut rng = block_rng(12, 0);
        let u: Vec<f64> = (0..batches * size).map(|_| rng.sample(Open01)).collect();
        let mut x = vec![0.0; u.len()];
        m.fill_from_uniforms(&u, &mut x);
        let whole = split_normal_moments(&x).unwrap();
        // Standard error of the whole-sample estimate from the spread of
        // the estimates of 25 independent batches: sd(batch) / √25.
        let parts: Vec<SplitNormalFit> = x
            .chunks(size)
            .map(|c| split_normal_moments(c).unwrap())
            .collect();
        let pick = |f: &SplitNormalFit, k: usize| [f.mode, f.sd_low, f.sd_high][k];
        for (k, truth) in [mode, lo, hi].into_iter().enumerate() {
            let v: Vec<f64> = parts.iter().map(|f| pick(f, k)).collect();
            let mean = crate::summary::stats::mean(&v);
            let se = crate::summary::stats::sd(&v, mean) / (batches as f64).sqrt();
            let est = pick(&whole, k);
            assert!(
                (est - truth).abs() <= 4.0 * se,
                "parameter {k}: {est} vs {truth} (se {se})"
            );
        }
    }

    #[test]
    fn the_closed_form_sds_maximise_the_likelihood_for_a_fixed_mode() {
        let x = [0.01, 0.03, 0.02, 0.05, 0.07, 0.04, 0.045, 0.06, -0.01];
        let f = split_normal(&x).unwrap();
        for (dl, dh) in [(1e-4, 0.0), (-1e-4, 0.0), (0.0, 1e-4), (0.0, -1e-4)] {
            let other = split_normal_log_likelihood(&x, f.mode, f.sd_low + dl, f.sd_high + dh);
            assert!(other < f.log_likelihood);
        }
        // A grid over the mode finds nothing better than the search.
        // The search covers modes from the second smallest to the second
        // largest observation (-0.01 < 0.01 ... 0.06 < 0.07).
        for k in 0..=2000 {
            let m = 0.01 + 0.05 * k as f64 / 2000.0;
            let s1: f64 = x.iter().filter(|&&v| v < m).map(|v| (v - m).powi(2)).sum();
            let s2: f64 = x.iter().filter(|&&v| v >= m).map(|v| (v - m).powi(2)).sum();
            if s1 == 0.0 || s2 == 0.0 {
                continue;
            }
            let a = s1.cbrt() + s2.cbrt();
            let (l, h) = (
                (s1.cbrt().powi(2) * a / 9.0).sqrt(),
                (s2.cbrt().powi(2) * a / 9.0).sqrt(),
            );
            assert!(split_normal_log_likelihood(&x, m, l, h) <= f.log_likelihood + 1e-12);
        }
    }

    #[test]
    fn ledoit_wolf_matches_hand_computed_cases() {
        // Uncorrelated and perfectly correlated: nothing to shrink / no noise.
        let a = [1.0, -1.0, 1.0, -1.0];
        let b = [1.0, -1.0, -1.0, 1.0];
        let s = ledoit_wolf(&[&a, &b]);
        assert_eq!(s.sample[1], 0.0);
        assert_eq!(s.intensity, 0.0);
        let s = ledoit_wolf(&[&a, &a]);
        assert_eq!(s.sample[1], 1.0);
        assert_eq!(s.intensity, 0.0);
        // x = (1, -1, 1, -1), y = (1, -1, 0, 0) standardised: y/sqrt(1/2).
        // r = (1 + 1)/4 / sqrt(1/2) = 1/sqrt 2; d² = 2 r² = 1.
        // zx² - 1 = 0 always; zy² = 2, 2, 0, 0 so (zy² - 1)² = 1 each;
        // zx·zy = √2, √2, 0, 0 so (zx·zy - r)² = 1/2, 1/2, 1/2, 1/2.
        // b̄² = (4·1 + 2·4·(1/2)) / 16 = 1/2; δ = 1/2.
        let y = [1.0, -1.0, 0.0, 0.0];
        let s = ledoit_wolf(&[&a, &y]);
        assert!((s.sample[1] - 0.5f64.sqrt()).abs() < 1e-15);
        assert!((s.intensity - 0.5).abs() < 1e-15);
        assert!((s.shrunk[1] - 0.5 * 0.5f64.sqrt()).abs() < 1e-15);
        assert_eq!(s.shrunk[0], 1.0);
    }

    #[test]
    fn driver_names_are_safe_scenario_names() {
        assert_eq!(driver_name("income").as_deref(), Some("g_income"));
        assert_eq!(
            driver_name("Retail Sales (real)").as_deref(),
            Some("g_retail_sales_real")
        );
        assert_eq!(
            driver_name("Épargne brute").as_deref(),
            Some("g_epargne_brute")
        );
        assert_eq!(driver_name("地区生产总值"), None);
        assert_eq!(driver_name("(%)"), None);
    }

    #[test]
    fn columns_without_an_ascii_name_get_distinct_names_by_position() {
        let names = driver_names(&[
            (1, "地区生产总值"),
            (2, "固定资产投资"),
            (3, "gdp"),
            (4, "GDP"),
            (5, "g d p"),
        ]);
        assert_eq!(names, ["g_1", "g_2", "g_gdp", "g_gdp_2", "g_g_d_p"]);
        // A name that happens to equal a positional one is still distinct.
        assert_eq!(driver_names(&[(2, "1"), (1, "收入")]), ["g_1", "g_1_2"]);
        let long = "x".repeat(500);
        let n = &driver_names(&[(1, long.as_str())])[0];
        assert!(n.len() <= 64, "{n}");
    }

    #[test]
    fn a_toml_string_cannot_end_its_line() {
        let s = toml_string("a\"b\\c\nd\u{1b}e 地区");
        assert_eq!(s, r#""a\"b\\c\nd\u001Be 地区""#);
        let t: toml::Table = format!("x = {s}").parse().unwrap();
        assert_eq!(t["x"].as_str(), Some("a\"b\\c\nd\u{1b}e 地区"));
    }

    #[test]
    fn the_split_normal_cdf_puts_the_right_mass_below_the_mode() {
        let f = SplitNormalFit {
            mode: 1.0,
            sd_low: 2.0,
            sd_high: 1.0,
            log_likelihood: 0.0,
            capped: false,
        };
        assert!((split_normal_cdf(1.0, &f) - 2.0 / 3.0).abs() < 1e-15);
        assert!(split_normal_cdf(-100.0, &f) < 1e-12);
        assert!((split_normal_cdf(100.0, &f) - 1.0).abs() < 1e-12);
    }
}
