//! `targetsim new NAME`: a scenario to start from, seeded from the seed
//! district (see [`targetsim::scenario::starter`]).

use super::Failure;
use super::console::outln;
use std::path::PathBuf;
use targetsim::scenario::starter;

/// Start a scenario: write DIR/NAME.toml and DIR/NAME-inputs.xlsx, seeded
/// from the seed district, for a planner to fill in. Never replaces a file.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  targetsim new east-district\n  targetsim new east-district --dir plans/2026\n\nNAME.toml keeps the seed district's drivers, correlations and indicators and\nincludes NAME-inputs.xlsx, whose sheets 基数 (base values) and 目标 (target sets)\nhold the seed district's figures. Edit both, then `targetsim validate`."
)]
pub struct Args {
    /// The scenario's name and the files' stem: ASCII letters, digits, `-`, `_`, `.`.
    pub name: String,
    /// The folder the two files go in (made if missing).
    #[arg(long, default_value = "scenarios")]
    pub dir: PathBuf,
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let usage = |m: String| Failure::Usage(format!("error: {m}"));
    let made = starter::starter(&args.name).map_err(usage)?;
    let toml_path = args.dir.join(format!("{}.toml", args.name));
    let xlsx_path = args.dir.join(starter::inputs_name(&args.name));
    // Both names are checked before either file is written.
    for p in [&toml_path, &xlsx_path] {
        if std::fs::symlink_metadata(p).is_ok() {
            return Err(usage(format!(
                "{} already exists; targetsim new never replaces a file\n  hint: choose another NAME, or move the file away",
                p.display()
            )));
        }
    }
    if !args.dir.is_dir() {
        std::fs::create_dir_all(&args.dir).map_err(|e| {
            usage(format!(
                "--dir {}: cannot create the folder: {e}",
                args.dir.display()
            ))
        })?;
    }
    let raced = |p: &PathBuf| {
        usage(format!(
            "{} appeared while the scenario was being written; it was left as it is",
            p.display()
        ))
    };
    // The workbook first: a scenario without its workbook would not load.
    targetsim::output::write_new_file(&xlsx_path, &made.workbook)?
        .ok_or_else(|| raced(&xlsx_path))?;
    if targetsim::output::write_new_file(&toml_path, made.toml.as_bytes())?.is_none() {
        // Someone else's file took the name: ours goes, theirs stays.
        let _ = std::fs::remove_file(&xlsx_path);
        return Err(raced(&toml_path));
    }
    outln!("wrote {}", toml_path.display())?;
    outln!("wrote {}", xlsx_path.display())?;
    outln!(
        "next: fill in {} (sheets 基数 and 目标), then `targetsim validate {}`",
        xlsx_path.display(),
        toml_path.display()
    )?;
    Ok(())
}
