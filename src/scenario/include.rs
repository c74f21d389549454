//! `include = ["drivers.toml"]`: take drivers (and base values, indicators,
//! correlation pairs) from other files, such as the fragment `targetsim fit`
//! writes.
//!
//! Rules, chosen to keep a scenario readable and safe:
//! * `include` is a top-level list of file names (or one name), each
//!   relative to the directory of the scenario that names it; only those
//!   files are read, each with the same size and syntax checks as a
//!   scenario (TOML, or JSON by the `.json` extension).
//! * An included file may hold only `[base]`, `[drivers]`, `[indicators]`
//!   and `[correlations]` with `pairs`, and no `include` of its own.
//! * Its entries are added after the scenario's own, file by file, in the
//!   order listed; a name defined twice (in the scenario and a file, or in
//!   two files) is an error naming both places. Correlation pairs are
//!   appended to the scenario's `pairs`.
//! * Problems found later in an included entry name the file it came from.
//! * The scenario hash (`summary.json`) covers the scenario's bytes followed
//!   by each included file's bytes, in order.

use super::source::{self, Format};
use crate::error::{Problem, ScenarioError};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Included files may contribute to these sections.
const SECTIONS: [&str; 3] = ["base", "drivers", "indicators"];

/// Where merged entries came from: (`section.name` prefix, the file, or
/// for a workbook the file, sheet and cell or row). The longest prefix of a
/// problem's path names its place.
pub type Origins = Vec<(String, String)>;

/// A scenario document with its includes merged.
#[derive(Debug)]
pub struct Expanded {
    pub doc: Value,
    /// The bytes the scenario hash covers.
    pub hashed: Vec<u8>,
    pub origins: Origins,
    /// The included files, in the order listed.
    pub files: Vec<PathBuf>,
}

/// The scenario with its includes merged, the bytes to hash, and origins.
pub fn expand(path: &Path, bytes: &[u8], doc: Value) -> Result<Expanded, ScenarioError> {
    let mut files = Vec::new();
    let (doc, hashed, origins) = merge(path, bytes, doc, &mut files)?;
    Ok(Expanded {
        doc,
        hashed,
        origins,
        files,
    })
}

fn merge(
    path: &Path,
    bytes: &[u8],
    mut doc: Value,
    files: &mut Vec<PathBuf>,
) -> Result<(Value, Vec<u8>, Origins), ScenarioError> {
    let mut hashed = bytes.to_vec();
    let mut origins = Origins::new();
    let invalid = |problem: Problem| ScenarioError::Invalid {
        file: path.to_path_buf(),
        problems: vec![problem],
    };
    let Some(top) = doc.as_object_mut() else {
        return Ok((doc, hashed, origins));
    };
    let Some(list) = top.shift_remove("include") else {
        return Ok((doc, hashed, origins));
    };
    let names: Vec<String> = match &list {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => {
            let mut v = Vec::new();
            for (k, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) => v.push(s.to_string()),
                    None => {
                        return Err(invalid(
                            Problem::new(format!("include[{k}]"), "must be a file name in quotes")
                                .value(item.to_string()),
                        ));
                    }
                }
            }
            v
        }
        other => {
            return Err(invalid(
                Problem::new("include", "must be a list of file names")
                    .value(other.to_string())
                    .hint("write include = [\"drivers.toml\"]"),
            ));
        }
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    for (k, name) in names.iter().enumerate() {
        let file = dir.join(name);
        let from_workbook = super::workbook::is_workbook(&file);
        let (inc, inc_bytes, cells) = if from_workbook {
            super::workbook::read(&file)?
        } else {
            let inc_bytes = source::read(&file)?;
            let inc = source::parse(&file, &inc_bytes, Format::of(&file))?;
            (inc, inc_bytes, Vec::new())
        };
        hashed.extend_from_slice(&inc_bytes);
        files.push(file.clone());
        // The cells of a workbook's entries, for later problems; entries
        // themselves are recorded below as for any file.
        let place_of = |prefix: &str| {
            cells
                .iter()
                .find(|(p, _)| p == prefix)
                .map_or_else(|| file.display().to_string(), |(_, f)| f.clone())
        };
        let at = |p: &str| format!("include[{k}] ({}): {p}", file.display());
        let text = super::inert::check(&inc, "");
        if !text.is_empty() {
            return Err(ScenarioError::Invalid {
                file: path.to_path_buf(),
                problems: text
                    .into_iter()
                    .map(|mut p| {
                        p.path = at(&p.path);
                        p
                    })
                    .collect(),
            });
        }
        let Some(inc) = inc.as_object() else {
            return Err(invalid(Problem::new(at(""), "must be a table")));
        };
        for (key, value) in inc {
            if key == "correlations" {
                let pairs = value
                    .as_object()
                    .and_then(|o| (o.len() == 1).then(|| o.get("pairs")).flatten());
                let Some(Value::Array(pairs)) = pairs else {
                    return Err(invalid(
                        Problem::new(
                            at("correlations"),
                            "an included file may give correlations only as `pairs = [...]`",
                        )
                        .hint("move `matrix` or `repair` into the scenario itself"),
                    ));
                };
                let corr = top
                    .entry("correlations")
                    .or_insert_with(|| Value::Object(Map::new()));
                let Some(corr) = corr.as_object_mut() else {
                    // The scenario's own `correlations` is not a table: validation says so.
                    continue;
                };
                match corr
                    .entry("pairs")
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(own) => own.extend(pairs.iter().cloned()),
                    _ => continue,
                }
                continue;
            }
            let allowed =
                SECTIONS.contains(&key.as_str()) || (from_workbook && key == "target_sets");
            if !allowed {
                return Err(invalid(
                    Problem::new(at(key), "an included file may hold only [base], [drivers], [indicators] and [correlations] pairs")
                        .hint("move this into the scenario itself"),
                ));
            }
            let Some(entries) = value.as_object() else {
                return Err(invalid(Problem::new(at(key), "must be a table")));
            };
            let section = top
                .entry(key.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let Some(section) = section.as_object_mut() else {
                continue;
            };
            for (entry, v) in entries {
                let prefix = format!("{key}.{entry}");
                if section.contains_key(entry) {
                    let first = origins
                        .iter()
                        .find(|(p, _)| *p == prefix)
                        .map_or_else(|| path.display().to_string(), |(_, f)| f.clone());
                    let again = place_of(&prefix);
                    return Err(invalid(
                        Problem::new(
                            prefix.clone(),
                            format!("is defined in {first} and again in {again}"),
                        )
                        .hint("give each name once: delete one of them or rename it"),
                    ));
                }
                section.insert(entry.clone(), v.clone());
                let place = place_of(&prefix);
                origins.push((prefix, place));
            }
        }
        // Fields inside the entries, each at its cell.
        let fields: Vec<(String, String)> = cells
            .into_iter()
            .filter(|(p, _)| !origins.iter().any(|(o, _)| o == p))
            .collect();
        origins.extend(fields);
    }
    Ok((doc, hashed, origins))
}

/// Say which included file a problem's entry came from.
pub fn annotate(mut problems: Vec<Problem>, origins: &Origins) -> Vec<Problem> {
    for p in &mut problems {
        let within = |prefix: &str| {
            p.path == prefix
                || p.path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        };
        if let Some((_, place)) = origins
            .iter()
            .filter(|(prefix, _)| within(prefix))
            .max_by_key(|(prefix, _)| prefix.len())
        {
            p.message = format!("{} (from {place})", p.message);
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario_with(
        dir: &Path,
        main: &str,
        included: &str,
    ) -> Result<super::super::Scenario, ScenarioError> {
        std::fs::write(dir.join("inc.toml"), included).unwrap();
        let path = dir.join("main.toml");
        std::fs::write(&path, main).unwrap();
        super::super::load(&path)
    }

    #[test]
    fn included_drivers_and_pairs_join_the_scenario_and_the_hash_covers_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let main = "include = [\"inc.toml\"]\n[drivers]\na = { dist = \"normal\", mean = 0, sd = 1 }\n[indicators]\nx = \"a + b\"\n";
        let inc = "[drivers]\nb = { dist = \"normal\", mean = 0, sd = 1 }\n[correlations]\npairs = [[\"a\", \"b\", 0.5]]\n";
        let s = scenario_with(dir.path(), main, inc).unwrap();
        let names: Vec<&str> = s.drivers.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(s.correlation.get(0, 1), 0.5);
        let mut both = main.as_bytes().to_vec();
        both.extend_from_slice(inc.as_bytes());
        assert_eq!(s.hash, super::super::hash_bytes(&both));
    }

    #[test]
    fn an_included_file_may_not_hold_target_sets_or_includes() {
        let dir = tempfile::tempdir().unwrap();
        let main = "include = [\"inc.toml\"]\n[indicators]\nx = \"1\"\n";
        for inc in [
            "[target_sets.t]\ntargets = []\n",
            "include = [\"other.toml\"]\n",
        ] {
            let e = scenario_with(dir.path(), main, inc).unwrap_err();
            assert!(
                e.to_string().contains("an included file may hold only"),
                "{e}"
            );
        }
        let e = scenario_with(dir.path(), "include = \"missing.toml\"\n", "").unwrap_err();
        assert!(matches!(e, ScenarioError::Read { .. }));
    }
}
