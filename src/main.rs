//! The `targetsim` command: a thin layer over the library. Each subcommand
//! lives in `src/cli/` and turns its arguments into library options.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
