//! Reading a scenario file: size limit, format by extension, syntax errors
//! with line and column, and conversion of either format into one document
//! tree (`serde_json::Value`, in declaration order) for validation.
//!
//! A scenario file is untrusted input. Files over [`MAX_FILE_BYTES`] are
//! refused before they are read whole, and nesting deeper than
//! [`MAX_NESTING`] brackets is refused before any recursive parser sees it.

use crate::error::ScenarioError;
use serde_json::Value;
use std::path::Path;

/// Far larger than any scenario a planner writes (the seed district is 8 KB).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Brackets nested deeper than this are refused (a scenario needs 3).
pub const MAX_NESTING: usize = 64;

/// Stand-ins for non-finite TOML floats, which JSON values cannot hold, so
/// that validation can name them instead of seeing `null`.
pub const NAN_MARK: &str = "\u{0}nan";
pub const INF_MARK: &str = "\u{0}inf";
pub const NEG_INF_MARK: &str = "\u{0}-inf";

/// The file's format, from its extension: `.json` is JSON, anything else TOML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
}

impl Format {
    pub fn of(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Toml,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Toml => "TOML",
            Format::Json => "JSON",
        }
    }
}

/// Read the file's bytes: a regular file only (a FIFO or a device is
/// refused before it is opened), and oversized files without reading them
/// whole.
pub fn read(path: &Path) -> Result<Vec<u8>, ScenarioError> {
    use crate::input::file::{self, ReadError};
    file::read(path, MAX_FILE_BYTES).map_err(|e| match e {
        ReadError::Io(source) => ScenarioError::Read {
            file: path.to_path_buf(),
            source,
        },
        ReadError::TooLarge { size, limit } => ScenarioError::TooLarge {
            file: path.to_path_buf(),
            size,
            limit,
        },
    })
}

/// Parse the text into a document tree.
pub fn parse(path: &Path, bytes: &[u8], format: Format) -> Result<Value, ScenarioError> {
    let syntax = |line: usize, column: usize, message: String| ScenarioError::Syntax {
        file: path.to_path_buf(),
        format: format.name(),
        line,
        column,
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(bytes, e.valid_up_to());
        syntax(
            line,
            column,
            "the file is not valid UTF-8 text (save it as UTF-8)".into(),
        )
    })?;
    if let Some(offset) = too_deep(text) {
        let (line, column) = line_col(bytes, offset);
        return Err(syntax(
            line,
            column,
            format!("brackets nested more than {MAX_NESTING} levels deep"),
        ));
    }
    match format {
        Format::Json => super::json::from_str(text).map_err(|e| {
            let message = strip_position(&e.to_string());
            syntax(
                e.line(),
                e.column(),
                crate::input::text::for_terminal(&message).into_owned(),
            )
        }),
        Format::Toml => {
            let table = text.parse::<toml::Table>().map_err(|e| {
                let (line, column) = e.span().map(|s| line_col(bytes, s.start)).unwrap_or((1, 1));
                syntax(
                    line,
                    column,
                    crate::input::text::for_terminal(e.message().trim()).into_owned(),
                )
            })?;
            Ok(toml_to_json(toml::Value::Table(table)))
        }
    }
}

/// serde_json appends " at line L column C"; we print the position first.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Byte offset of the first bracket nested deeper than [`MAX_NESTING`],
/// skipping strings and comments. Conservative: it only has to be right for
/// files that nest deeply, which no valid scenario does.
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            q @ (b'"' | b'\'') => {
                let triple = bytes[i..].starts_with(&[q, q, q]);
                i += if triple { 3 } else { 1 };
                while i < bytes.len() {
                    if q == b'"' && bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if triple {
                        if bytes[i..].starts_with(&[q, q, q]) {
                            i += 2;
                            break;
                        }
                    } else if bytes[i] == q || bytes[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => match serde_json::Number::from_f64(f) {
            Some(n) => Value::Number(n),
            None if f.is_nan() => Value::String(NAN_MARK.into()),
            None if f > 0.0 => Value::String(INF_MARK.into()),
            None => Value::String(NEG_INF_MARK.into()),
        },
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters_not_bytes() {
        let text = "a = 1\nb = \"地区\" x";
        let offset = text.find('x').unwrap();
        assert_eq!(line_col(text.as_bytes(), offset), (2, 10));
    }

    #[test]
    fn deep_brackets_are_found_but_brackets_in_strings_are_not() {
        let deep = format!("x = {}{}", "[".repeat(100), "]".repeat(100));
        assert!(too_deep(&deep).is_some());
        let quoted = format!("x = \"{}\"", "[".repeat(100));
        assert_eq!(too_deep(&quoted), None);
        let commented = format!("# {}\nx = 1", "{".repeat(100));
        assert_eq!(too_deep(&commented), None);
    }

    #[test]
    fn toml_nan_and_infinity_survive_as_marks() {
        let v = parse(
            Path::new("s.toml"),
            b"a = nan\nb = -inf\nc = 1.5",
            Format::Toml,
        )
        .unwrap();
        assert_eq!(v["a"], Value::String(NAN_MARK.into()));
        assert_eq!(v["b"], Value::String(NEG_INF_MARK.into()));
        assert_eq!(v["c"], Value::from(1.5));
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let err = parse(Path::new("s.toml"), b"a = 1\nb = = 2\n", Format::Toml).unwrap_err();
        match err {
            ScenarioError::Syntax { line, .. } => assert_eq!(line, 2),
            other => panic!("expected a syntax error, got {other:?}"),
        }
        let err = parse(Path::new("s.json"), b"{\n \"a\": }", Format::Json).unwrap_err();
        match err {
            ScenarioError::Syntax { line, column, .. } => assert_eq!((line, column), (2, 7)),
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }
}
