//! "Save as": the edited scenario as a new TOML file beside the original.
//!
//! The overrides are applied to the original text with `toml_edit`, so the
//! file keeps its comments, order and layout; only the changed numbers
//! differ, and a header comment lists them. The file is written whole or
//! not at all and never replaces one ([`crate::output::write_new_file`]),
//! always in the scenario's own folder: a name the planner gives is a bare
//! file name, never a path.

use crate::error::RunError;
use crate::scenario::Format;
use crate::scenario::variants::{Step, path_steps};
use std::path::{Path, PathBuf};
use toml_edit::{DocumentMut, Item, Table, Value};

/// Why a file was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The planner's part: a bad name, a value the file cannot take. HTTP 400.
    #[error("{0}")]
    Refused(String),
    /// The name is taken. HTTP 409.
    #[error("{0} exists: choose another name (the workshop never replaces a file)")]
    Exists(String),
    /// The disk's part. HTTP 500.
    #[error(transparent)]
    Write(#[from] RunError),
}

/// One line of the header: a path and its value before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: String,
    pub before: Option<serde_json::Value>,
    pub after: serde_json::Value,
}

/// The original text with `changes` applied and the header on top; `name`
/// (the scenario's `name = ...`, when the file sets one) becomes `stem` so
/// that `run` writes the saved scenario's results to a folder of its own.
pub fn edit(
    original: &str,
    source: &str,
    variant: Option<&str>,
    changes: &[Change],
    stem: &str,
) -> Result<String, SaveError> {
    let mut doc: DocumentMut = original
        .parse()
        .map_err(|e| SaveError::Refused(format!("{source} cannot be edited as TOML: {e}")))?;
    for c in changes {
        set(doc.as_table_mut(), &c.path, &c.after)
            .map_err(|why| SaveError::Refused(format!("cannot save `{}`: {why}", c.path)))?;
    }
    let renamed = match doc.as_table_mut().get_mut("name") {
        Some(Item::Value(v @ Value::String(_))) if plain_name(stem) => {
            let decor = v.decor().clone();
            *v = Value::from(stem);
            *v.decor_mut() = decor;
            true
        }
        _ => false,
    };
    let mut head = format!("# Saved by `targetsim serve` from {source}");
    if let Some(v) = variant {
        head.push_str(&format!(", variant `{v}` applied"));
    }
    head.push_str(".\n");
    if changes.is_empty() {
        head.push_str("# No value changed.\n");
    } else {
        head.push_str("# Changed:\n");
        for c in changes {
            let before = c
                .before
                .as_ref()
                .map_or_else(|| "(unset)".to_string(), |v| v.to_string());
            head.push_str(&format!("#   {} = {} (was {before})\n", c.path, c.after));
        }
    }
    if renamed {
        head.push_str(&format!(
            "#   name = \"{stem}\" (so `run` writes to output/{stem})\n"
        ));
    }
    head.push('\n');
    Ok(format!("{head}{doc}"))
}

/// A scenario name `run` accepts as a folder name.
fn plain_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The file name a planner typed, checked: a bare name in the scenario's
/// folder, `.toml` added when missing.
pub fn check_name(name: &str) -> Result<String, SaveError> {
    let name = name.trim();
    let bad = |why: &str| {
        SaveError::Refused(format!(
            "`{}` cannot be the file name: {why}",
            name.escape_default()
        ))
    };
    if name.is_empty() {
        return Err(bad("it is empty"));
    }
    if name.contains(['/', '\\']) || name.contains("..") {
        return Err(bad(
            "give a bare file name: the file is saved beside the scenario, never elsewhere",
        ));
    }
    if name.starts_with('.') || name.chars().any(char::is_control) || name.chars().count() > 100 {
        return Err(bad("use letters, digits, `-`, `_` and `.` (at most 100)"));
    }
    let stem = name.strip_suffix(".toml").unwrap_or(name);
    if !plain_name(stem) {
        return Err(bad("use letters, digits, `-`, `_` and `.` (at most 100)"));
    }
    Ok(format!("{stem}.toml"))
}

/// Write `text` beside `scenario` as `name`, or as the first free
/// `<stem>-workshop-N.toml` when no name is given. `render` makes the text
/// for a file stem (the header and `name` mention it).
pub fn write_beside(
    scenario: &Path,
    name: Option<&str>,
    render: impl Fn(&str) -> Result<String, SaveError>,
) -> Result<PathBuf, SaveError> {
    if Format::of(scenario) != Format::Toml {
        return Err(SaveError::Refused(
            "save writes TOML scenarios; this one is JSON (use the API's overrides with `[variants]` instead)"
                .into(),
        ));
    }
    let dir = scenario.parent().unwrap_or(Path::new(""));
    let stem = scenario
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario");
    if let Some(name) = name {
        let file = check_name(name)?;
        let text = render(file.trim_end_matches(".toml"))?;
        let target = dir.join(&file);
        return match crate::output::write_new_file(&target, text.as_bytes())? {
            Some(p) => Ok(p),
            None => Err(SaveError::Exists(file)),
        };
    }
    // The first free number; a file made meanwhile by someone else is
    // skipped, not replaced (write_new_file refuses an existing name).
    for n in 1..10_000 {
        let file_stem = format!("{stem}-workshop-{n}");
        let target = dir.join(format!("{file_stem}.toml"));
        if std::fs::symlink_metadata(&target).is_ok() {
            continue;
        }
        let text = render(&file_stem)?;
        if let Some(p) = crate::output::write_new_file(&target, text.as_bytes())? {
            return Ok(p);
        }
    }
    Err(SaveError::Refused(format!(
        "{stem}-workshop-1 to -9999 all exist: give a name"
    )))
}

/// Where a path step leads in the document.
enum Node<'a> {
    Table(&'a mut Table),
    Item(&'a mut Item),
    Value(&'a mut Value),
}

/// Replace the value at a dotted override path, keeping its spacing and
/// comments. The path was already applied to the parsed document, so a
/// failure here means the value is not in this file's own text (it comes
/// from an included file).
fn set(root: &mut Table, path: &str, new: &serde_json::Value) -> Result<(), String> {
    let steps = path_steps(path).ok_or("not a dotted path")?;
    let not_here = || {
        "the value is not written in this file (it comes from an included file, which save does not change)"
            .to_string()
    };
    let last = steps.len().saturating_sub(1);
    let mut node = Node::Table(root);
    for (i, step) in steps.iter().enumerate() {
        node = match (node, step) {
            (Node::Table(t), Step::Key(k)) => Node::Item(t.get_mut(k).ok_or_else(not_here)?),
            (Node::Item(Item::Table(t)), Step::Key(k)) => {
                Node::Item(t.get_mut(k).ok_or_else(not_here)?)
            }
            (Node::Item(Item::Value(v)) | Node::Value(v), step) => {
                Node::Value(step_value(v, step, i == last).ok_or_else(not_here)?)
            }
            (Node::Item(Item::ArrayOfTables(a)), Step::Index(j)) => {
                Node::Table(a.get_mut(*j).ok_or_else(not_here)?)
            }
            (Node::Item(Item::ArrayOfTables(a)), Step::Key(k)) => {
                let found = a
                    .iter_mut()
                    .find(|t| t.get("indicator").and_then(Item::as_str) == Some(k.as_str()));
                Node::Table(found.ok_or_else(not_here)?)
            }
            _ => return Err(not_here()),
        };
    }
    let value = toml_value(new)?;
    match node {
        Node::Value(v) | Node::Item(Item::Value(v)) => {
            let decor = v.decor().clone();
            *v = value;
            *v.decor_mut() = decor;
            Ok(())
        }
        _ => Err("names a table, not a value".into()),
    }
}

/// One step inside a value: a key of an inline table, an entry of an
/// array (by index, or a target by its indicator), or `.value` /
/// `.formula` of a base value written bare.
fn step_value<'a>(v: &'a mut Value, step: &Step, last: bool) -> Option<&'a mut Value> {
    match (v, step) {
        (Value::InlineTable(t), Step::Key(k)) => t.get_mut(k),
        (Value::Array(a), Step::Index(j)) => a.get_mut(*j),
        (Value::Array(a), Step::Key(k)) => a.iter_mut().find(|t| {
            t.as_inline_table()
                .and_then(|t| t.get("indicator"))
                .and_then(Value::as_str)
                == Some(k.as_str())
        }),
        (bare @ (Value::Float(_) | Value::Integer(_) | Value::String(_)), Step::Key(k))
            if last && (k == "value" || k == "formula") =>
        {
            Some(bare)
        }
        _ => None,
    }
}

fn toml_value(v: &serde_json::Value) -> Result<Value, String> {
    match v {
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(Value::from(i)),
            (None, Some(x)) => Ok(Value::from(x)),
            _ => Err(format!("{n} does not fit in a TOML number")),
        },
        serde_json::Value::String(s) => Ok(Value::from(s.as_str())),
        serde_json::Value::Bool(b) => Ok(Value::from(*b)),
        other => Err(format!(
            "save writes numbers, text and true/false, not {other}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TEXT: &str = "# top comment\nname = \"d\"\n[base]\ngdp = { value = 100, label = \"GDP\" }  # why\nfai = 50\n[drivers]\ng = { dist = \"normal\", mean = 0.08, sd = 0.02 }\n[target_sets.draft]\ntargets = [\n  { indicator = \"gdp_1\", at_least = 0.09 },  # the speech\n]\n";

    fn change(path: &str, after: serde_json::Value) -> Change {
        Change {
            path: path.into(),
            before: None,
            after,
        }
    }

    #[test]
    fn changed_numbers_keep_the_files_comments_order_and_spacing() {
        let changes = [
            change("target_sets.draft.targets.0.at_least", json!(0.085)),
            change("drivers.g.mean", json!(0.07)),
            change("base.fai", json!(55)),
            change("base.gdp.value", json!(101.5)),
        ];
        let out = edit(TEXT, "d.toml", None, &changes, "d-workshop-1").expect("edited");
        let body = out.split_once("\n\n").expect("header").1;
        let want = TEXT
            .replace("at_least = 0.09", "at_least = 0.085")
            .replace("mean = 0.08", "mean = 0.07")
            .replace("fai = 50", "fai = 55")
            .replace("value = 100", "value = 101.5")
            .replace("name = \"d\"", "name = \"d-workshop-1\"");
        assert_eq!(body, want);
        assert!(out.starts_with("# Saved by `targetsim serve` from d.toml.\n# Changed:\n#   target_sets.draft.targets.0.at_least = 0.085 (was (unset))\n"), "{out}");
    }

    #[test]
    fn a_target_may_be_named_by_its_indicator() {
        let changes = [change(
            "target_sets.draft.targets.gdp_1.at_least",
            json!(0.1),
        )];
        let out = edit(TEXT, "d.toml", None, &changes, "x").expect("edited");
        assert!(out.contains("{ indicator = \"gdp_1\", at_least = 0.1 },  # the speech"));
    }

    #[test]
    fn a_value_not_written_in_the_file_is_refused_by_name() {
        let e = edit(
            TEXT,
            "d.toml",
            None,
            &[change("drivers.h.mean", json!(1))],
            "x",
        );
        let msg = e.expect_err("refused").to_string();
        assert!(
            msg.contains("drivers.h.mean") && msg.contains("included file"),
            "{msg}"
        );
    }

    #[test]
    fn names_with_a_path_are_refused_and_toml_is_added() {
        assert_eq!(check_name("draft-2").expect("ok"), "draft-2.toml");
        assert_eq!(check_name("draft-2.toml").expect("ok"), "draft-2.toml");
        for bad in ["../x", "a/b", "a\\b", "..", ".hidden", "", "a b", "x\u{7}"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
