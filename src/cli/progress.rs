//! The progress bar of long runs: on stderr, only when stderr is a
//! terminal, never with `--quiet`. Results never depend on it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar over `draws`, or nothing when quiet or not on a terminal.
    pub fn new(draws: u64, quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(Some(draws), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {msg} {human_len} draws [{wide_bar}] {percent:>3}% {eta:>3}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message("simulating");
        Progress(Some(bar))
    }

    /// Count finished draws (called from worker threads); once all are
    /// made, say that the summary is being computed.
    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc(n);
            if b.length().is_some_and(|len| b.position() >= len) {
                self.step("summarising");
            }
        }
    }

    /// Switch to a spinner for a step without a count.
    pub fn step(&self, message: &'static str) {
        if let Some(b) = &self.0 {
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                b.set_style(style);
            }
            b.set_message(message);
            b.enable_steady_tick(Duration::from_millis(100));
        }
    }

    /// Remove the bar before the results are printed.
    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    /// A failed run leaves no bar behind its error message.
    fn drop(&mut self) {
        self.finish();
    }
}
