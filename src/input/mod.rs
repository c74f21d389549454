//! What every file a planner hands us passes through before anything else
//! reads it: [`file`] refuses what is not a regular file, or is too large,
//! before opening it for a long read; [`text`] holds the one rule for text
//! that ends up in messages, tables, charts and reports (no control
//! characters, no Unicode non-characters, a length limit per kind of field)
//! and the one escaper for echoing untrusted text back to a terminal.

pub mod file;
pub mod text;
pub mod workbook;
