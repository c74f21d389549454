//! A small reader over the parsed document tree that collects problems
//! instead of stopping at the first one, and that knows the dotted path of
//! every field it reads. Each table is read through [`Fields`]: typed getters
//! mark a key as known, and [`Fields::finish`] reports every key left over as
//! unknown, with the nearest known name as a hint.

use crate::error::Problem;
use serde_json::{Map, Value};

/// Join a path and a key, quoting keys that are not plain identifiers.
pub fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    // A key is echoed in messages: escaped, and cut short when long.
    let key = if plain && key.len() <= 64 {
        key.to_string()
    } else {
        let escaped = key.escape_default().to_string();
        if escaped.chars().count() > 64 {
            let cut: String = escaped.chars().take(61).collect();
            format!("\"{cut}...\"")
        } else {
            format!("\"{escaped}\"")
        }
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

/// Path of an array element.
pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// The nearest of `candidates` to `word`, if it is close enough to be a
/// plausible typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    crate::diagnostics::suggest(word, candidates)
}

/// `did you mean `x`?` for the nearest candidate.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    nearest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// Short rendering of a value for messages, with control characters
/// escaped so that a hostile value cannot drive the terminal.
pub fn show(value: &Value) -> String {
    let s = match value {
        Value::String(s) => format!("\"{s}\""),
        // Only the start is shown: do not serialise a huge table whole.
        Value::Array(a) if a.len() > 20 => format!("[... {} items]", a.len()),
        Value::Object(m) if m.len() > 20 => format!("{{... {} entries}}", m.len()),
        other => other.to_string(),
    };
    crate::input::text::excerpt(&s, 60)
}

pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a table",
    }
}

/// Largest magnitude a number in a scenario may have. Far beyond any
/// economic quantity, and small enough that the product of two such
/// numbers is still finite (1e150 squared is 1e300 < 1.8e308), so a formula
/// multiplying inputs does not overflow to infinity on its first step.
pub const MAX_MAGNITUDE: f64 = 1e150;

/// A number as f64, refusing NaN and infinities (TOML allows `nan` and
/// `inf`) and magnitudes above [`MAX_MAGNITUDE`].
pub fn number(value: &Value, path: &str, problems: &mut Vec<Problem>) -> Option<f64> {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(x) if x.is_finite() && x.abs() > MAX_MAGNITUDE => {
                problems.push(
                    Problem::new(
                        path,
                        format!("is too large: a number in a scenario is at most {MAX_MAGNITUDE:e} in size, so that results stay finite"),
                    )
                    .value(n.to_string())
                    .hint("check the unit: write amounts in a larger unit (for example 亿元 instead of 元)"),
                );
                None
            }
            Some(x) if x.is_finite() => Some(x),
            _ => {
                problems.push(
                    Problem::new(path, "must be a finite number")
                        .value(n.to_string())
                        .hint("write an ordinary number such as 0.05"),
                );
                None
            }
        },
        // serde_json cannot hold NaN or infinity: the TOML reader turns them
        // into strings tagged below, so they can be named here.
        Value::String(s) if s == crate::scenario::source::NAN_MARK => {
            problems.push(
                Problem::new(path, "must be a finite number, not NaN")
                    .value("nan")
                    .hint("write an ordinary number such as 0.05"),
            );
            None
        }
        Value::String(s)
            if s == crate::scenario::source::INF_MARK
                || s == crate::scenario::source::NEG_INF_MARK =>
        {
            problems.push(
                Problem::new(path, "must be a finite number, not infinity")
                    .value(if s == crate::scenario::source::INF_MARK {
                        "inf"
                    } else {
                        "-inf"
                    })
                    .hint("write an ordinary number such as 0.05"),
            );
            None
        }
        Value::String(s) if s.trim().parse::<f64>().is_ok() => {
            problems.push(
                Problem::new(path, "must be a number, not a string")
                    .value(show(value))
                    .hint(format!("remove the quotes: {}", s.trim())),
            );
            None
        }
        other => {
            problems.push(
                Problem::new(path, format!("must be a number, not {}", type_name(other)))
                    .value(show(other)),
            );
            None
        }
    }
}

/// Reads one table. Every getter records the key as known; `finish` reports
/// the rest.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    path: String,
    known: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    /// Start reading `value` as a table; on anything else record a problem and
    /// return `None`.
    pub fn of(value: &'a Value, path: &str, problems: &mut Vec<Problem>) -> Option<Self> {
        match value {
            Value::Object(map) => Some(Fields {
                map,
                path: path.to_string(),
                known: Vec::new(),
            }),
            other => {
                problems.push(
                    Problem::new(path, format!("must be a table, not {}", type_name(other)))
                        .value(show(other)),
                );
                None
            }
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn child_path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// The raw value, marking the key as known.
    pub fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.known.push(key);
        self.map.get(key)
    }

    /// Mark keys as known without reading them (read elsewhere).
    pub fn allow(&mut self, keys: &[&'static str]) {
        self.known.extend_from_slice(keys);
    }

    pub fn opt_f64(&mut self, key: &'static str, problems: &mut Vec<Problem>) -> Option<f64> {
        let path = self.child_path(key);
        self.get(key).and_then(|v| number(v, &path, problems))
    }

    pub fn req_f64(
        &mut self,
        key: &'static str,
        what: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<f64> {
        if self.has(key) {
            self.opt_f64(key, problems)
        } else {
            self.known.push(key);
            problems.push(
                Problem::new(self.path.clone(), format!("{what} needs `{key}`"))
                    .hint(format!("add `{key} = ...`")),
            );
            None
        }
    }

    pub fn opt_str(&mut self, key: &'static str, problems: &mut Vec<Problem>) -> Option<String> {
        let path = self.child_path(key);
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                problems.push(
                    Problem::new(path, format!("must be a string, not {}", type_name(other)))
                        .value(show(other))
                        .hint("put the text in double quotes"),
                );
                None
            }
        }
    }

    pub fn opt_bool(&mut self, key: &'static str, problems: &mut Vec<Problem>) -> Option<bool> {
        let path = self.child_path(key);
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                problems.push(
                    Problem::new(
                        path,
                        format!("must be true or false, not {}", type_name(other)),
                    )
                    .value(show(other)),
                );
                None
            }
        }
    }

    /// A whole non-negative number (counts, seeds, draws).
    pub fn opt_u64(&mut self, key: &'static str, problems: &mut Vec<Problem>) -> Option<u64> {
        let path = self.child_path(key);
        let v = self.get(key)?;
        if let Some(u) = v.as_u64() {
            return Some(u);
        }
        let x = number(v, &path, problems)?;
        let hint = if x > 0.0 {
            format!("use a whole number such as {}", x.round())
        } else {
            "use a whole number of at least 0".to_string()
        };
        problems.push(
            Problem::new(path, "must be a whole number of at least 0")
                .value(show(v))
                .hint(hint),
        );
        None
    }

    /// Report every key that no getter asked for.
    pub fn finish(mut self, problems: &mut Vec<Problem>) {
        let mut seen = std::collections::HashSet::new();
        self.known.retain(|k| seen.insert(*k));
        for key in self.map.keys() {
            if !self.known.iter().any(|k| k == key) {
                let path = join(&self.path, key);
                let hint = did_you_mean(key, self.known.iter().copied())
                    .unwrap_or_else(|| format!("known fields here: {}", self.known.join(", ")));
                problems.push(Problem::new(path, "unknown field").hint(hint));
            }
        }
    }
}
