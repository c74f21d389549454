//! Argument parsing and the mapping from failures to exit codes:
//! 0 success, 1 a run failed (I/O, numerics), 2 bad usage or an invalid
//! scenario. Everything printed goes through [`console`], so no failed
//! write (closed pipe, full disk) ever panics.

mod backtest;
mod calibrate;
mod compare;
pub(crate) mod console;
mod fit;
mod merge;
mod new;
mod progress;
mod run;
mod serve;
mod status;
mod sweep;
mod validate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use targetsim::error::{ProblemDisplay, RunError, ScenarioError};

#[derive(Parser)]
#[command(
    name = "targetsim",
    version,
    about = "Set next year's targets with your eyes open: the probability that each target, and each target set, is met.",
    long_about = None,
    after_help = "Examples:\n  targetsim run scenarios/seed-district.toml\n  targetsim run scenarios/seed-district.toml --draws 1000000 --seed 7\n  targetsim validate scenarios/seed-district.toml\n  targetsim calibrate scenarios/seed-district.toml --confidence 0.7\n  targetsim compare scenarios/seed-district.toml\n  targetsim sweep scenarios/province/sweep.toml --out output/province\n  targetsim new east-district\n  targetsim serve scenarios/seed-district.toml"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Run(run::Args),
    Validate(validate::Args),
    Fit(fit::Args),
    Backtest(backtest::Args),
    Calibrate(calibrate::Args),
    Compare(compare::Args),
    Merge(merge::Args),
    Sweep(sweep::Args),
    New(new::Args),
    Serve(serve::Args),
}

/// Why a command stopped, and so its exit code.
pub enum Failure {
    /// The input was wrong: exit 2.
    Usage(String),
    /// The input was fine but the run could not finish: exit 1.
    Run(String),
    /// Standard output was closed by its reader (a pipe into `head`): stop
    /// quietly, exit 0.
    Closed,
}

impl From<targetsim::input::file::WouldOverwrite> for Failure {
    fn from(e: targetsim::input::file::WouldOverwrite) -> Self {
        Failure::Usage(format!("error: {e}"))
    }
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Self {
        Failure::Usage(scenario_message(&e))
    }
}

impl From<RunError> for Failure {
    fn from(e: RunError) -> Self {
        match e {
            // Asking for more draws than fit, or an output directory that
            // cannot be written, is a usage problem the planner fixes in the
            // command line.
            RunError::TooMuchMemory { .. } | RunError::OutputDir { .. } => {
                Failure::Usage(format!("error: {e}"))
            }
            other => Failure::Run(format!("error: {other}")),
        }
    }
}

/// Every problem of an invalid scenario, each as its own `error:` block.
pub fn scenario_message(e: &ScenarioError) -> String {
    match e {
        ScenarioError::Invalid { file, problems } => {
            let mut out = String::new();
            for p in problems {
                out.push_str(&format!("error: {}\n", ProblemDisplay { file, problem: p }));
            }
            let n = problems.len();
            out.push_str(&format!(
                "{} problem{} found in {}",
                n,
                if n == 1 { "" } else { "s" },
                file.display()
            ));
            out
        }
        ScenarioError::Workbook { file, problems } => {
            let mut out = String::new();
            for line in e.to_string().lines() {
                out.push_str(&format!("error: {line}\n"));
            }
            let n = problems.len();
            out.push_str(&format!(
                "{} problem{} found in {}",
                n,
                if n == 1 { "" } else { "s" },
                file.display()
            ));
            out
        }
        other => format!("error: {other}"),
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to standard output, usage errors to
            // standard error; a closed pipe is no failure.
            let code = e.exit_code();
            if let Err(io) = e.print()
                && !e.use_stderr()
                && let Failure::Run(msg) = console::stdout_failure(io)
            {
                console::errln!("{msg}");
                return ExitCode::from(1);
            }
            return ExitCode::from(u8::try_from(code).unwrap_or(2));
        }
    };
    let result = match cli.command {
        Command::Run(args) => run::execute(args),
        Command::Validate(args) => validate::execute(args),
        Command::Fit(args) => fit::execute(args),
        Command::Backtest(args) => backtest::execute(args),
        Command::Calibrate(args) => calibrate::execute(args),
        Command::Compare(args) => compare::execute(args),
        Command::Merge(args) => merge::execute(args),
        Command::Sweep(args) => sweep::execute(args),
        Command::New(args) => new::execute(args),
        Command::Serve(args) => serve::execute(args),
    };
    match result {
        Ok(()) | Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            console::errln!("{msg}");
            ExitCode::from(2)
        }
        Err(Failure::Run(msg)) => {
            console::errln!("{msg}");
            ExitCode::from(1)
        }
    }
}
