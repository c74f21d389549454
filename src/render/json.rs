//! `summary.json` and the other JSON outputs: pretty, with a final newline.
//! The layouts of `summary.json` are in [`crate::summary::layout`]; field
//! order follows the scenario.

/// Pretty JSON with a final newline. Serialising plain data into memory
/// cannot fail; should it ever, the error text is written instead so that a
/// bug shows rather than an empty file.
pub fn to_pretty_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}").into_bytes());
    out.push(b'\n');
    out
}
