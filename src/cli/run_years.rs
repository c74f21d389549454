//! `targetsim run` on a multi-year scenario (one with `horizon`): the same
//! command and options, with per-year results, plan targets, the required
//! path, fan charts and the plan's report.

use super::Failure;
use super::console::{out, outln};
use super::run::Outputs;
use targetsim::output::Staging;
use targetsim::render::{chart, fan, html, html_plan, json, years_csv, years_table};
use targetsim::scenario::Scenario;
use targetsim::summary::years::YearSummary;

/// Write and print the results of a multi-year run.
pub fn write(
    s: &Scenario,
    staging: Staging,
    out: Outputs,
    summary: &YearSummary,
) -> Result<(), Failure> {
    let dir = staging.dir().to_path_buf();
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
        out!("{}", years_table::render(s, &summary))?;
        outln!()?;
        for p in &written {
            outln!("wrote {}", p.display())?;
        }
        if out.charts {
            outln!(
                "wrote {} fan charts (SVG and PNG) to {}",
                fans.len(),
                charts_dir.display()
            )?;
        }
        if let Some(p) = report {
            outln!("report: {}", p.display())?;
        }
    }
    Ok(())
}
