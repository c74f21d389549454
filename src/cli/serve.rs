//! `targetsim serve`: the target workshop, a local page where a meeting
//! moves a target or an assumption and sees every probability update.

use super::Failure;
use super::console::outln;
use std::net::IpAddr;
use std::path::PathBuf;
use targetsim::scenario::{self, Editable};
use targetsim::serve::workshop::Workshop;
use targetsim::serve::{Options, ServeError, Server};

/// Serve the target workshop: a page on this machine with a slider or
/// number for every target and driver parameter; each change is simulated
/// at once by the same engine as `run` and every probability redrawn.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  targetsim serve scenarios/seed-district.toml\n  targetsim serve scenarios/seed-district-plan.toml --port 8400 --lang en\n\nPrints the address to open (it carries the access token). Listens on\n127.0.0.1 only unless --bind is given. Stop it with Ctrl-C."
)]
pub struct Args {
    /// The scenario file (TOML; a JSON scenario is served but cannot be saved).
    pub scenario: PathBuf,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, short = 'p', default_value_t = 8400)]
    pub port: u16,
    /// Address to listen on: another machine can reach the page only when
    /// this is one of its network addresses.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Draws per change [default: 100000, whatever the scenario says, so
    /// that each change answers in well under a second].
    #[arg(long, short = 'n')]
    pub draws: Option<u64>,
    /// Seed of the random streams [default: the scenario's, else 1].
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Worker threads of each run [default: all cores].
    #[arg(long, short = 't', value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Language of the page: zh (中文) or en [default: the scenario's [report] lang, else zh].
    #[arg(long, value_name = "zh|en")]
    pub lang: Option<targetsim::render::lang::Lang>,
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let editable = Editable::load(&args.scenario)?;
    let draws = args.draws.unwrap_or(scenario::DEFAULT_DRAWS);
    let draws = scenario::check_draws(draws)
        .map_err(|m| Failure::Usage(format!("error: --draws {draws}: {m}")))?;
    let seed = args.seed.unwrap_or(editable.scenario.simulation.seed);
    let workshop = Workshop {
        editable,
        draws,
        seed,
        threads: args.threads.map(|t| t as usize),
        lang: args.lang,
    };
    let opts = Options {
        bind: args.bind,
        port: args.port,
        describe: super::scenario_message,
    };
    let server = Server::start(workshop, opts).map_err(failure)?;
    outln!(
        "targetsim serve: the target workshop for {}",
        args.scenario.display()
    )?;
    outln!("open {}", server.url())?;
    outln!("(the address carries the access token; Ctrl-C stops the server)")?;
    server.serve().map_err(failure)
}

fn failure(e: ServeError) -> Failure {
    match e {
        ServeError::Run(e) => e.into(),
        ServeError::Invalid(m) => Failure::Usage(m),
        ServeError::Bind { .. } | ServeError::Unspecified(_) => {
            Failure::Usage(format!("error: {e}"))
        }
        ServeError::Token(_) => Failure::Run(format!("error: {e}")),
    }
}
