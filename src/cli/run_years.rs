//! `targetsim run` on a multi-year scenario (one with `horizon`): the same
//! command and options, with per-year results, plan targets, the required
//! path and fan charts.

use super::Failure;
use std::path::PathBuf;
use targetsim::RunOptions;
use targetsim::render::{fan, json, years_csv, years_table};
use targetsim::scenario::Scenario;

pub fn execute(s: &Scenario, opts: &RunOptions, dir: PathBuf, quiet: bool) -> Result<(), Failure> {
    let years = s.horizon.as_ref().map_or(1, |h| h.n_years());
    // The result columns: every indicator in every year.
    targetsim::engine::check_memory(opts.draws, s.indicators.len() * years)?;
    let charts_dir = dir.join("charts");
    targetsim::output::prepare_dir(&dir)?;
    targetsim::output::prepare_dir(&charts_dir)?;
    let Some(summary) = targetsim::run_years(s, opts)? else {
        return Err(Failure::Run("error: the scenario has no horizon".into()));
    };
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
    let mut png_note = None;
    let mut n_charts = 0;
    for (name, chart) in fan::charts(s, &summary) {
        let svg = fan::svg(&chart).map_err(|e| Failure::Run(format!("error: {e}")))?;
        targetsim::output::write_atomic(&charts_dir, &format!("fan-{name}.svg"), svg.as_bytes())?;
        n_charts += 1;
        match fan::png(&chart) {
            Ok(png) => {
                targetsim::output::write_atomic(&charts_dir, &format!("fan-{name}.png"), &png)?;
            }
            Err(fan::FanError::Font(_)) => {
                png_note = Some(
                    "note: PNG fan charts need a font, and none is bundled yet; SVG charts were written",
                );
            }
            Err(e) => return Err(Failure::Run(format!("error: {e}"))),
        }
    }
    if !quiet {
        print!("{}", years_table::render(s, &summary));
        println!();
        for p in &written {
            println!("wrote {}", p.display());
        }
        println!("wrote {} fan charts to {}", n_charts, charts_dir.display());
        if let Some(n) = png_note {
            println!("{n}");
        }
    }
    Ok(())
}
