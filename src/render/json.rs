//! `summary.json`: the machine-readable result. Its schema is the
//! [`Summary`] type; field order follows the scenario.

use super::Export;
use crate::summary::Summary;

pub struct Json;

impl Export for Json {
    fn file_name(&self) -> &'static str {
        "summary.json"
    }

    fn render(&self, summary: &Summary) -> Vec<u8> {
        to_pretty_bytes(summary)
    }
}

/// Pretty JSON with a final newline. Serialising plain data into memory
/// cannot fail; should it ever, the error text is written instead so that a
/// bug shows rather than an empty file.
pub fn to_pretty_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}").into_bytes());
    out.push(b'\n');
    out
}
