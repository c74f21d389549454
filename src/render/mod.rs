//! Output formats. Each format turns a [`Summary`] into bytes; where the
//! bytes go (a file, written whole or not at all, or stdout) is decided in
//! one place, [`crate::output`].

pub mod chart;
pub mod csv;
pub mod format;
pub mod html;
pub mod json;
pub mod sparkline;
pub mod table;

use crate::summary::Summary;

/// One output file of a run.
pub trait Export {
    /// File name inside the output directory.
    fn file_name(&self) -> &'static str;
    fn render(&self, summary: &Summary) -> Vec<u8>;
}
