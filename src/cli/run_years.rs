//! `targetsim run` on a multi-year scenario (one with `horizon`): the same
//! command and options, with per-year results, plan targets, the required
//! path, fan charts and the plan's report.

use super::Failure;
use super::run::Outputs;
use std::path::Path;
use targetsim::render::{chart, fan, html, html_plan, json, years_csv, years_table};
use targetsim::scenario::Scenario;
use targetsim::summary::years::YearSummary;

/// Write and print the results of a multi-year run.
pub fn write(s: &Scenario, dir: &Path, out: Outputs, summary: &YearSummary) -> Result<(), Failure> {
    let dir = dir.to_path_buf();
    let summary = summary.clone();
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
        written.push(targetsim::output::write_atomic(&dir, name, bytes)?);
    }
    let charts_dir = dir.join(chart::DIR);
    if out.charts {
        targetsim::output::prepare_dir(&charts_dir)?;
        for f in &fans {
            targetsim::output::write_atomic(
                &charts_dir,
                &format!("{}.svg", f.stem),
                f.svg.as_bytes(),
            )?;
            targetsim::output::write_atomic(&charts_dir, &format!("{}.png", f.stem), &f.png)?;
        }
    }
    let report = match page {
        Some(page) => Some(targetsim::output::write_atomic(
            &dir,
            html::FILE,
            page.as_bytes(),
        )?),
        None => None,
    };
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
