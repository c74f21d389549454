//! The progress bar of long runs: on stderr, only when stderr is a
//! terminal, never with `--quiet`. Results never depend on it.

use super::status;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;
use targetsim::render::lang::Lang;

pub struct Progress(Option<ProgressBar>, Lang);

impl Progress {
    /// A bar over `draws`, or nothing when quiet or not on a terminal.
    pub fn new(draws: u64, quiet: bool) -> Progress {
        Progress::in_lang(draws, quiet, Lang::En)
    }

    /// [`Progress::new`] whose words are in `lang`.
    pub fn in_lang(draws: u64, quiet: bool, lang: Lang) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None, lang);
        }
        let bar = ProgressBar::with_draw_target(Some(draws), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(status::bar(lang)) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(status::simulating(lang));
        Progress(Some(bar), lang)
    }

    /// Count finished draws (called from worker threads); once all are
    /// made, say that the summary is being computed.
    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc(n);
            if b.length().is_some_and(|len| b.position() >= len) {
                self.step(status::summarising(self.1));
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
