//! The backtest's outputs: `backtest.json`, `targets.json` and the terminal
//! tables. Rates are fractions in JSON (0.05 for 5%) and percents in tables.

use super::targets::{TargetsReport, Wording};
use super::{Backtest, MethodResult, PIT_BINS};
use crate::render::table::{pad, pad_left};
use indexmap::IndexMap;
use serde::Serialize;
use std::fmt::Write;

/// `backtest.json`.
#[derive(Serialize)]
pub struct BacktestJson<'a> {
    /// Bumped when a field changes meaning or disappears.
    pub schema_version: u32,
    pub tool: Tool,
    /// The data file as given.
    pub file: String,
    /// The series (column) whose growth rate is forecast.
    pub series: &'a str,
    /// First and last growth year in the data.
    pub growth_years: [i32; 2],
    /// First and last forecast year.
    pub forecast_years: [i32; 2],
    /// Central interval level (0.8: the 10% and 90% points).
    pub level: f64,
    /// `sim` draws per forecast.
    pub draws: usize,
    /// Seed of the `sim` streams.
    pub seed: u64,
    pub generator: &'static str,
    /// The distribution `sim` fits each year.
    pub sim_distribution: &'static str,
    /// Bins of `pit_histogram`, equal widths over (0, 1).
    pub pit_bins: usize,
    /// The methods in order: naive, mean, ar1, sim.
    pub methods: IndexMap<&'static str, &'a MethodResult>,
    /// Present for `backtest --targets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<&'a TargetsReport>,
}

#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

pub fn sim_distribution_name(b: &Backtest) -> &'static str {
    match b.options.sim_dist {
        super::SimDist::SplitNormal => {
            "split_normal fitted by the method of moments (normal when it cannot be fitted)"
        }
        super::SimDist::Normal => "normal (mean, sd with n - 1)",
    }
}

/// The JSON bytes.
pub fn json(b: &Backtest, file: &str, targets: Option<&TargetsReport>) -> Vec<u8> {
    let doc = BacktestJson {
        schema_version: 1,
        tool: Tool {
            name: "targetsim",
            version: env!("CARGO_PKG_VERSION"),
        },
        file: file.to_string(),
        series: &b.series,
        growth_years: [b.growth_years.0, b.growth_years.1],
        forecast_years: [b.forecast_years.0, b.forecast_years.1],
        level: b.options.level,
        draws: b.options.draws,
        seed: b.options.seed,
        generator: crate::sampling::GENERATOR,
        sim_distribution: sim_distribution_name(b),
        pit_bins: PIT_BINS,
        methods: b.methods.iter().map(|m| (m.method.name(), m)).collect(),
        targets,
    };
    let mut out = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

/// The metrics table.
pub fn table(b: &Backtest, file: &str) -> String {
    let mut out = String::new();
    let n = b.methods[0].forecasts.len();
    let _ = writeln!(
        out,
        "Backtest of `{}` growth from {}: one year ahead, expanding window",
        b.series, file
    );
    let _ = writeln!(
        out,
        "{} forecasts {}..{} (history from {}), {:.0}% intervals, sim: {} draws, seed {}",
        n,
        b.forecast_years.0,
        b.forecast_years.1,
        b.growth_years.0,
        100.0 * b.options.level,
        b.options.draws,
        b.options.seed
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}{}{}{}{}{}{}{}  PIT histogram",
        pad("method", 8),
        pad_left("MAE", 8),
        pad_left("RMSE", 8),
        pad_left("bias", 8),
        pad_left("coverage", 10),
        pad_left("width", 8),
        pad_left("CRPS", 8),
        pad_left("DM vs naive (p)", 17),
    );
    for m in &b.methods {
        let x = &m.metrics;
        let dm = match (&x.dm_vs_naive, m.method) {
            (_, super::Method::Naive) => "-".to_string(),
            (Some(d), _) => format!("{:+.2} ({:.2})", d.statistic, d.p_value),
            (None, _) => "n/a".to_string(),
        };
        let hist = x
            .pit_histogram
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            out,
            "{}{}{}{}{}{}{}{}  {}",
            pad(m.method.name(), 8),
            pad_left(&pct(x.mae), 8),
            pad_left(&pct(x.rmse), 8),
            pad_left(&format!("{:+.2}%", 100.0 * x.bias), 8),
            pad_left(&format!("{:.0}%", 100.0 * x.coverage), 10),
            pad_left(&pct(x.mean_width), 8),
            pad_left(&pct(x.crps), 8),
            pad_left(&dm, 17),
            hist
        );
    }
    let _ = writeln!(
        out,
        "\nbias = forecast - actual; coverage: share of outcomes inside the interval (aim {:.0}%);",
        100.0 * b.options.level
    );
    let _ = writeln!(
        out,
        "CRPS: lower is better; DM < 0: smaller squared errors than naive (HLN-corrected, p two-sided);"
    );
    let _ = writeln!(
        out,
        "PIT histogram: outcomes in {PIT_BINS} equal bins of the forecast distribution (flat when calibrated)."
    );
    out
}

/// The targets table.
pub fn targets_table(r: &TargetsReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Targets against outcomes ({} figures; \"about x\" met at >= x{})",
        match r.outcome {
            super::targets::Outcome::Final => "latest",
            super::targets::Outcome::FirstRelease => "first-release",
        },
        if r.about_tolerance > 0.0 {
            format!(" - {}", r.about_tolerance)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        out,
        "{}{}{}{}{}",
        pad("wording", 10),
        pad_left("years", 6),
        pad_left("met", 5),
        pad_left("share", 7),
        pad_left("mean margin", 13)
    );
    for w in r.by_wording.iter().chain(std::iter::once(&r.all)) {
        let name = w.wording.replace('_', " ");
        if w.wording == Wording::None.key() {
            let _ = writeln!(
                out,
                "{}{}{}{}{}",
                pad(&name, 10),
                pad_left(&w.years.to_string(), 6),
                pad_left("-", 5),
                pad_left("-", 7),
                pad_left("-", 13)
            );
            continue;
        }
        let mut line = format!(
            "{}{}{}{}{}",
            pad(&name, 10),
            pad_left(&w.years.to_string(), 6),
            pad_left(&w.met.to_string(), 5),
            pad_left(
                &w.met_share
                    .map_or("-".into(), |s| format!("{:.0}%", 100.0 * s)),
                7
            ),
            pad_left(
                &w.mean_margin.map_or("-".into(), |m| format!("{m:+.2} pt")),
                13
            )
        );
        if let Some(k) = w.within_range {
            line.push_str(&format!("   ({k} inside the range)"));
        }
        let _ = writeln!(out, "{line}");
    }
    let methods: Vec<&str> = r.mean_percentile.keys().copied().collect();
    if methods.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nPercentile of each target in the projection made the year before (100·P(growth <= target)):"
    );
    let mut head = format!(
        "{}{}{}{}{}",
        pad("year", 6),
        pad("wording", 10),
        pad_left("target", 8),
        pad_left("actual", 8),
        pad_left("met", 5)
    );
    for m in &methods {
        head.push_str(&pad_left(m, 7));
    }
    let _ = writeln!(out, "{head}");
    for y in r.years.iter().filter(|y| !y.percentile.is_empty()) {
        let target = match (y.target, y.target_hi, y.wording) {
            (Some(lo), Some(hi), Wording::Range) => format!("{lo}-{hi}"),
            (Some(t), _, _) => format!("{t}"),
            _ => "-".into(),
        };
        let mut line = format!(
            "{}{}{}{}{}",
            pad(&y.year.to_string(), 6),
            pad(y.wording.name(), 10),
            pad_left(&target, 8),
            pad_left(&format!("{:.1}", y.actual), 8),
            pad_left(if y.met == Some(true) { "yes" } else { "no" }, 5)
        );
        for m in &methods {
            line.push_str(&pad_left(
                &y.percentile
                    .get(m)
                    .map_or("-".into(), |p| format!("{p:.0}")),
                7,
            ));
        }
        let _ = writeln!(out, "{line}");
    }
    let mut mean = format!("{}{}", pad("mean", 37), "");
    for m in &methods {
        mean.push_str(&pad_left(&format!("{:.0}", r.mean_percentile[m]), 7));
    }
    let _ = writeln!(out, "{mean}");
    let _ = writeln!(
        out,
        "Above 50: bolder than the projection's median; below 50: more timid."
    );
    out
}
