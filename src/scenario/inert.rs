//! The inert-text rule ([`crate::input::text`]) applied to a whole parsed
//! document: every key and every string, wherever it sits (labels, units,
//! wording, titles, formulas, variant overrides, include lists), before any
//! other check reads them. Descriptions, notes and formulas are long text
//! (65,536 characters, may span lines); everything else is one line of at
//! most 4,096 characters.
//!
//! The walk uses its own stack rather than recursion, so a document nested
//! as deep as the parser allows cannot exhaust the thread's stack.

use super::fields::{index, join};
use super::source::{INF_MARK, NAN_MARK, NEG_INF_MARK};
use crate::error::Problem;
use crate::input::text::{self, TextKind};
use serde_json::Value;

/// At most this many text problems are listed; the rest are counted.
const MAX_LISTED: usize = 20;

/// Every key and string of `doc` that breaks the rule, paths under `prefix`.
pub fn check(doc: &Value, prefix: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut more = 0usize;
    let mut push = |p: Problem, problems: &mut Vec<Problem>| {
        if problems.len() < MAX_LISTED {
            problems.push(p);
        } else {
            more += 1;
        }
    };
    // (value, its path, the key it sits under, that table's own key)
    let mut stack: Vec<(&Value, String, &str, &str)> = vec![(doc, prefix.to_string(), "", "")];
    while let Some((value, path, key, parent)) = stack.pop() {
        match value {
            Value::String(s) if s == NAN_MARK || s == INF_MARK || s == NEG_INF_MARK => {}
            Value::String(s) => {
                let kind = kind_of(key, parent);
                if let Err(e) = text::check(s, kind) {
                    push(
                        Problem::new(path, format!("the text {e}"))
                            .value(format!("\"{}\"", text::excerpt(s, 60)))
                            .hint(e.hint(kind)),
                        &mut problems,
                    );
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((item, index(&path, i), key, parent));
                }
            }
            Value::Object(map) => {
                let mut children = Vec::with_capacity(map.len());
                for (k, v) in map {
                    let child = join(&path, k);
                    if let Err(e) = text::check(k, TextKind::Line) {
                        push(
                            Problem::new(child, format!("the key {e}"))
                                .hint(e.hint(TextKind::Line)),
                            &mut problems,
                        );
                        continue;
                    }
                    children.push((v, child, k.as_str(), key));
                }
                stack.extend(children.into_iter().rev());
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    if more > 0 {
        problems.push(
            Problem::new(
                prefix,
                format!("and {more} more pieces of text break the same rules"),
            )
            .hint("fix the ones listed and validate again"),
        );
    }
    problems
}

/// The kind of text a string is, by the key it sits under and that key's
/// table: a formula (`formula = "..."`, or written bare under
/// `[indicators]`), a description or a note is long text; so is a variant's
/// override of one (`"indicators.x.formula" = "..."`, `"indicators.x" = "..."`).
fn kind_of(key: &str, parent: &str) -> TextKind {
    if parent == "indicators" {
        return TextKind::Long;
    }
    let mut steps = key.split('.');
    let first = steps.next().unwrap_or("");
    let last = key.rsplit('.').next().unwrap_or(key);
    if TextKind::of_key(last) == TextKind::Long
        || (first == "indicators" && key.split('.').count() == 2)
    {
        TextKind::Long
    } else {
        TextKind::Line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_key_and_string_is_checked_with_its_path() {
        let doc = json!({
            "title": "ok",
            "description": "two\nlines",
            "drivers": { "g": { "label": "bad\u{1b}[2J", "unit": "%" } },
            "include": ["a.toml", "b\u{7f}.toml"],
            "variants": { "v": { "drivers.g.\u{9b}mode": 0.1 } },
        });
        let p = check(&doc, "");
        let paths: Vec<&str> = p.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "drivers.g.label",
                "include[1]",
                "variants.v.\"drivers.g.\\u{9b}mode\""
            ]
        );
        assert_eq!(
            p[0].hint.as_deref(),
            Some("remove the control character U+001B at position 4")
        );
        assert_eq!(p[0].value.as_deref(), Some("\"bad\\u{1b}[2J\""));
    }

    #[test]
    fn a_long_label_is_refused_but_a_long_description_is_not() {
        let long = "x".repeat(5000);
        let doc = json!({ "description": long, "base": { "a": { "label": long } } });
        let p = check(&doc, "");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].path, "base.a.label");
        assert!(p[0].message.contains("5000 characters"), "{}", p[0].message);
    }

    #[test]
    fn formulas_bare_or_in_a_table_or_a_variant_are_long_text() {
        let long = "g + ".repeat(1500) + "g";
        let doc = json!({
            "indicators": { "a": long, "b": { "formula": long, "label": "x" } },
            "variants": { "v": { "indicators.a": long, "indicators.b.formula": long } },
        });
        assert!(check(&doc, "").is_empty());
        let doc = json!({ "indicators": { "b": { "formula": "g", "label": long } } });
        assert_eq!(check(&doc, "")[0].path, "indicators.b.label");
    }

    #[test]
    fn many_problems_are_listed_up_to_a_limit_and_counted() {
        let labels: serde_json::Map<String, Value> = (0..50)
            .map(|i| (format!("d{i}"), json!({ "label": "\u{0}" })))
            .collect();
        let p = check(&json!({ "drivers": labels }), "");
        assert_eq!(p.len(), MAX_LISTED + 1);
        assert!(p[MAX_LISTED].message.contains("30 more"));
    }

    #[test]
    fn the_marks_for_toml_nan_and_infinity_are_left_to_the_number_checks() {
        let doc = json!({ "base": { "a": NAN_MARK, "b": INF_MARK } });
        assert!(check(&doc, "").is_empty());
    }
}
