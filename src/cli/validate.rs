//! `targetsim validate`: check a scenario and report every problem.

use super::Failure;
use super::console::outln;
use std::path::PathBuf;
use targetsim::sampling::correlation;

/// Largest correlation changes listed after a repair.
const LISTED_ADJUSTMENTS: usize = 10;

/// Check a scenario file and report every problem found, not only the first.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  targetsim validate scenarios/seed-district.toml\n\nExit code 0 when the scenario is valid, 2 when it is not."
)]
pub struct Args {
    /// The scenario file (TOML, or JSON with a .json extension).
    pub scenario: PathBuf,
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let s = targetsim::scenario::load(&args.scenario)?;
    let correlated = targetsim::model::Model::compile(&s).n_copula();
    outln!(
        "ok: {}: {} base values, {} drivers ({} correlated), {} indicators, {} target sets, {} targets",
        args.scenario.display(),
        s.base.len(),
        s.drivers.len(),
        correlated,
        s.indicators.len(),
        s.target_sets.len(),
        s.target_sets.iter().map(|t| t.targets.len()).sum::<usize>()
    )?;
    if let Some(h) = &s.horizon {
        outln!(
            "  {} years, {}–{} (year 0: {}); {} targets over all years; {} plan targets",
            h.n_years(),
            h.years[0],
            h.years[h.n_years() - 1],
            h.base_year(),
            h.target_sets.iter().map(|t| t.targets.len()).sum::<usize>(),
            h.plan.as_ref().map_or(0, |p| p.targets.len())
        )?;
    }
    if let Some(u) = s.upper_level {
        outln!("  upper level: target set {}", s.target_sets[u].name)?;
    }
    if !s.variants.is_empty() {
        let names: Vec<&str> = s.variants.iter().map(|v| v.name.as_str()).collect();
        outln!("  variants: {}", names.join(", "))?;
    }
    // A repair can move every pair of hundreds of drivers: one summary line,
    // then the largest changes only.
    let repair = correlation::summarize(&s.correlation_adjustments, LISTED_ADJUSTMENTS);
    if let Some(top) = repair.largest.first() {
        outln!(
            "  correlations repaired: {} pair{} changed, the largest {} ~ {} by {:.4}",
            repair.pairs,
            if repair.pairs == 1 { "" } else { "s" },
            s.drivers[top.i].name,
            s.drivers[top.j].name,
            (top.to - top.from).abs()
        )?;
        for a in &repair.largest {
            outln!(
                "  repaired correlation {} ~ {}: {} -> {:.4}",
                s.drivers[a.i].name,
                s.drivers[a.j].name,
                a.from,
                a.to
            )?;
        }
        let rest = repair.pairs - repair.largest.len();
        if rest > 0 {
            outln!("  ... and {rest} more pairs, each changed less")?;
        }
    }
    Ok(())
}
