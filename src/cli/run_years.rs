//! `targetsim run` on a multi-year scenario (one with `horizon`): the same
//! command and options, with per-year results, plan targets, the required
//! path, fan charts and the plan's report.

use super::Failure;
use std::path::PathBuf;
use targetsim::RunOptions;
use targetsim::render::{chart, fan, html, html_plan, json, years_csv, years_table};
use targetsim::scenario::Scenario;

/// What `run` writes besides the tables (its `--quiet`, `--no-charts` and
/// `--no-report`).
#[derive(Debug, Clone, Copy)]
pub struct Outputs {
    pub quiet: bool,
    pub charts: bool,
    pub report: bool,
}

pub fn execute(s: &Scenario, opts: &RunOptions, dir: PathBuf, out: Outputs) -> Result<(), Failure> {
    let years = s.horizon.as_ref().map_or(1, |h| h.n_years());
    // The result columns: every indicator in every year.
    targetsim::engine::check_memory(opts.draws, s.indicators.len() * years)?;
    let staging = targetsim::output::Staging::begin(&targetsim::output::RUN, &dir, &[&s.file])?;
    let Some(summary) = targetsim::run_years(s, opts)? else {
        return Err(Failure::Run("error: the scenario has no horizon".into()));
    };
    // Everything is drawn before anything is written, so a failure leaves
    // the previous results in place.
    let fans = if out.charts || out.report {
        fan::render_all(s, &summary, out.charts).map_err(|e| Failure::Run(format!("error: {e}")))?
    } else {
        Vec::new()
    };
    let page = out
        .report
        .then(|| html_plan::report(s, &summary, &fans).to_html());
    let mut written = Vec::new();
    let files: [(&str, Vec<u8>); 4] = [
        ("summary.json", json::to_pretty_bytes(&summary)),
        ("indicators.csv", years_csv::indicators(&summary)),
        ("targets.csv", years_csv::targets(&summary)),
        ("required_path.csv", years_csv::required_path(&summary)),
    ];
    for (name, bytes) in &files {
        written.push(staging.write(name, bytes)?);
    }
    let charts_dir = dir.join(chart::DIR);
    if out.charts {
        for f in &fans {
            staging.write(&format!("{}/{}.svg", chart::DIR, f.stem), f.svg.as_bytes())?;
            staging.write(&format!("{}/{}.png", chart::DIR, f.stem), &f.png)?;
        }
    }
    let report = match page {
        Some(page) => Some(staging.write(html::FILE, page.as_bytes())?),
        None => None,
    };
    staging.commit()?;
    if !out.quiet {
        print!("{}", years_table::render(s, &summary));
        println!();
        for p in &written {
            println!("wrote {}", p.display());
        }
        if out.charts {
            println!(
                "wrote {} fan charts (SVG and PNG) to {}",
                fans.len(),
                charts_dir.display()
            );
        }
        if let Some(p) = report {
            println!("report: {}", p.display());
        }
    }
    Ok(())
}
