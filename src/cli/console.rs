//! Printing for the commands. Every line a command prints goes through here
//! instead of `println!`/`eprintln!`, which panic (exit 101) when a write
//! fails. Here:
//!
//! * standard output closed by the reader (`targetsim validate s.toml |
//!   head -1`, EPIPE) ends the command quietly: [`Failure::Closed`], exit 0,
//!   nothing more printed. Write result files before printing about them,
//!   so a reader that leaves early does not cost the results;
//! * any other failed write to standard output (`> /dev/full`, ENOSPC) is
//!   [`Failure::Run`], exit 1, with the reason on standard error;
//! * writes to standard error never fail a command: there is nowhere left to
//!   report that failure, so it is ignored and the exit code says the rest;
//! * text is made inert on the way out: control characters other than
//!   newline and tab are escaped (`\u{1b}`), so nothing printed can drive
//!   the terminal, whatever a file held.
//!
//! Use the macros like `print!`/`println!`, with `?`:
//!
//! ```ignore
//! use super::console::{errln, out, outln};
//! outln!("ok: {}", path.display())?;
//! out!("{table}")?;
//! outln!()?;
//! errln!("warning: {w}");   // no `?`: returns ()
//! ```
//!
//! Each call writes and flushes, so a failure is seen at the call that
//! caused it.

use super::Failure;
use std::fmt;
use std::io::{ErrorKind, Write};

/// Print to standard output (see the module docs for what a failure gives).
pub fn write_out(args: fmt::Arguments<'_>) -> Result<(), Failure> {
    let text = fmt::format(args);
    let text = targetsim::input::text::for_terminal(&text);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_failure)
}

/// Print to standard error; a failure is ignored (see the module docs).
pub fn write_err(args: fmt::Arguments<'_>) {
    let text = fmt::format(args);
    let text = targetsim::input::text::for_terminal(&text);
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// What a failed write to standard output means for the command.
pub fn stdout_failure(e: std::io::Error) -> Failure {
    if e.kind() == ErrorKind::BrokenPipe {
        Failure::Closed
    } else {
        Failure::Run(format!("error: cannot write to standard output: {e}"))
    }
}

/// `print!` to standard output: `Result<(), Failure>`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::console::write_out(format_args!($($arg)*))
    };
}

/// `println!` to standard output: `Result<(), Failure>`.
macro_rules! outln {
    () => {
        $crate::cli::console::write_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::console::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` to standard error: never fails, returns `()`.
macro_rules! errln {
    () => {
        $crate::cli::console::write_err(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::console::write_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

#[allow(unused_imports)]
pub(crate) use {errln, out, outln};
