//! Scenario variants: named sets of overrides of a scenario's own values, so
//! that planners compare a downside or a policy change without copying the
//! file.
//!
//! ```toml
//! [variants.downside]
//! label = "农产品价格下跌"
//! "drivers.g_primary.mode" = 0.03
//! "base.fiscal_revenue.value" = 15
//! "target_sets.draft.targets.gdp_growth.at_least" = 0.085
//! ```
//!
//! Each key other than `label`, `label_en` and `note` is the dotted path of a
//! value that already exists in the scenario (TOML's unquoted dotted keys and
//! nested tables are read the same way). A path step into a list is either
//! an index (`targets[2]` or `targets.2`, counting from 0) or, for a list of
//! targets, the target's indicator name. A base value or formula written
//! bare (`fai = 236.0`) is overridden as `base.fai` or `base.fai.value`.
//!
//! A variant is applied to the parsed document and the result is validated
//! again as a whole scenario, so every rule still holds; its problems are
//! reported under `variants.<name>`. `simulation` cannot be overridden:
//! variants share the base's draws and seed (common random numbers).

use super::Meta;
use super::Scenario;
use super::fields::{did_you_mean, join, show, type_name};
use crate::error::Problem;
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

/// One overridden value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Override {
    /// Dotted path in the scenario, as written in the variant.
    pub path: String,
    /// The value that replaces the scenario's.
    pub value: Value,
}

/// A named variant: its overrides and the whole scenario they give.
#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    /// `label`, `label_en` and `note` of the variant.
    pub meta: Meta,
    pub overrides: Vec<Override>,
    /// The base scenario with the overrides applied, validated.
    pub scenario: Scenario,
}

const META_KEYS: [&str; 3] = ["label", "label_en", "note"];
/// Top-level tables a variant may not override, with the reason.
const FIXED_ROOTS: [(&str, &str); 2] = [
    (
        "simulation",
        "variants share the base scenario's draws and seed (common random numbers); use --draws and --seed",
    ),
    ("variants", "a variant cannot change other variants"),
];

/// Read `[variants]` and validate each variant as a whole scenario.
pub(super) fn read(
    path: &Path,
    bytes: &[u8],
    doc: &Value,
    v: Option<&Value>,
    p: &mut Vec<Problem>,
) -> Vec<Variant> {
    let mut base = doc.clone();
    if let Value::Object(map) = &mut base {
        map.shift_remove("variants");
    }
    let mut out = Vec::new();
    for (name, value, vpath) in super::validate::entries(v, "variants", p) {
        let Value::Object(map) = value else {
            p.push(
                Problem::new(
                    vpath,
                    format!("a variant must be a table, not {}", type_name(value)),
                )
                .value(show(value))
                .hint("for example [variants.downside] with \"drivers.g_primary.mode\" = 0.03"),
            );
            continue;
        };
        let before = p.len();
        let mut meta = Meta::default();
        let mut overrides = Vec::new();
        for (key, val) in map {
            if META_KEYS.contains(&key.as_str()) {
                let text = match val {
                    Value::String(s) => Some(s.clone()),
                    other => {
                        p.push(
                            Problem::new(
                                join(&vpath, key),
                                format!("must be a string, not {}", type_name(other)),
                            )
                            .value(show(other)),
                        );
                        None
                    }
                };
                match key.as_str() {
                    "label" => meta.label = text,
                    "label_en" => meta.label_en = text,
                    _ => meta.note = text,
                }
            } else {
                flatten(key, val, &mut overrides);
            }
        }
        let mut changed = base.clone();
        for o in &overrides {
            if let Err(problem) = apply(&mut changed, o) {
                p.push(problem.within(&vpath, &o.path));
            }
        }
        if p.len() > before {
            continue;
        }
        match super::validate::scenario(path, bytes, &changed) {
            Ok(scenario) => out.push(Variant {
                name: name.to_string(),
                meta,
                overrides,
                scenario,
            }),
            Err(problems) => p.extend(problems.into_iter().map(|q| in_variant(name, q))),
        }
    }
    out
}

/// A scenario kept as its document, so that sets of overrides can be
/// applied to it again and again (`targetsim serve`), each checked exactly
/// as a variant's are: applied to the document, then the whole validated.
#[derive(Debug)]
pub struct Editable {
    path: std::path::PathBuf,
    /// Includes merged, `[variants]` taken out (overrides change the base).
    expanded: super::include::Expanded,
    /// The scenario as written, with its variants.
    pub scenario: Scenario,
}

impl Editable {
    /// Read and validate a scenario file and keep its document.
    pub fn load(path: &Path) -> Result<Editable, crate::error::ScenarioError> {
        let bytes = super::source::read(path)?;
        let mut expanded = super::expand(path, &bytes, super::Format::of(path))?;
        let scenario = super::validated(path, &expanded, &expanded.doc)?;
        if let Value::Object(map) = &mut expanded.doc {
            map.shift_remove("variants");
        }
        Ok(Editable {
            path: path.to_path_buf(),
            expanded,
            scenario,
        })
    }

    /// The document without its variants: the paths overrides may name.
    pub fn document(&self) -> &Value {
        &self.expanded.doc
    }

    /// The document with the variant `variant` (if any), then `overrides`,
    /// applied; a path that names no value is a problem under `overrides`.
    pub fn document_with(
        &self,
        variant: Option<&str>,
        overrides: &[Override],
    ) -> Result<Value, crate::error::ScenarioError> {
        let invalid = |problems| crate::error::ScenarioError::Invalid {
            file: self.path.clone(),
            problems,
        };
        let mut doc = self.expanded.doc.clone();
        if let Some(name) = variant {
            let Some(v) = self.scenario.variants.iter().find(|v| v.name == name) else {
                let names = self.scenario.variants.iter().map(|v| v.name.as_str());
                let hint = did_you_mean(name, names)
                    .unwrap_or_else(|| "choose one of the scenario's [variants]".into());
                return Err(invalid(vec![
                    Problem::new("variant", "no variant of this name")
                        .value(name)
                        .hint(hint),
                ]));
            };
            for o in &v.overrides {
                apply(&mut doc, o).map_err(|p| invalid(vec![p.within("variants", name)]))?;
            }
        }
        // The overrides' text follows the file's rule (no control
        // characters, bounded length), checked as a variant's is at load.
        let given: serde_json::Map<String, Value> = overrides
            .iter()
            .map(|o| (o.path.clone(), o.value.clone()))
            .collect();
        let text = super::inert::check(&Value::Object(given), "overrides");
        if !text.is_empty() {
            return Err(invalid(text));
        }
        let problems: Vec<Problem> = overrides
            .iter()
            .filter_map(|o| {
                apply(&mut doc, o)
                    .err()
                    .map(|p| p.within("overrides", &o.path))
            })
            .collect();
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
        Ok(doc)
    }

    /// The whole scenario of the variant `variant` (if any) with
    /// `overrides` applied, validated as the file itself is.
    pub fn with(
        &self,
        variant: Option<&str>,
        overrides: &[Override],
    ) -> Result<Scenario, crate::error::ScenarioError> {
        let doc = self.document_with(variant, overrides)?;
        let mut s = super::validated(&self.path, &self.expanded, &doc)?;
        s.variant = variant.map(str::to_string);
        Ok(s)
    }
}

/// The steps of a dotted override path, as [`Editable::with`] reads it;
/// `None` when it is not one.
pub fn path_steps(path: &str) -> Option<Vec<Step>> {
    steps(path).ok()
}

/// Nested tables (TOML's unquoted dotted keys) become dotted paths.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<Override>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
        other => out.push(Override {
            path: prefix.to_string(),
            value: other.clone(),
        }),
    }
}

/// A problem with an override path, before it is placed under the variant.
struct PathProblem {
    message: String,
    hint: Option<String>,
}

impl PathProblem {
    fn within(self, vpath: &str, key: &str) -> Problem {
        Problem::new(join(vpath, key), self.message).maybe_hint(self.hint)
    }
}

/// One step of a dotted override path.
#[derive(Debug, PartialEq)]
pub enum Step {
    /// A key of a table; in a list of targets, a target's indicator.
    Key(String),
    /// An entry of a list, counted from 0.
    Index(usize),
}

fn steps(path: &str) -> Result<Vec<Step>, PathProblem> {
    let bad = |why: &str| PathProblem {
        message: format!("`{path}` is not a dotted path: {why}"),
        hint: Some(
            "write it like \"drivers.g_primary.mode\" or \"target_sets.draft.targets[0].at_least\""
                .into(),
        ),
    };
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() && rest.is_empty() {
            return Err(bad("it has an empty step"));
        }
        if !key.is_empty() {
            match key.parse::<usize>() {
                Ok(i) => out.push(Step::Index(i)),
                Err(_) => out.push(Step::Key(key.to_string())),
            }
        }
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(|| bad("a `[` has no `]`"))?;
            let i = rest[1..close]
                .trim()
                .parse::<usize>()
                .map_err(|_| bad("a list index must be a whole number"))?;
            out.push(Step::Index(i));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(bad("text after `]`"));
            }
        }
    }
    Ok(out)
}

/// Replace the value at the override's path; the value must exist.
fn apply(doc: &mut Value, o: &Override) -> Result<(), PathProblem> {
    let steps = steps(&o.path)?;
    if let Some(Step::Key(root)) = steps.first()
        && let Some((_, why)) = FIXED_ROOTS.iter().find(|(r, _)| r == root)
    {
        return Err(PathProblem {
            message: format!("cannot be overridden: {why}"),
            hint: None,
        });
    }
    let last = steps.len().saturating_sub(1);
    let mut cur: &mut Value = doc;
    let mut walked = String::new();
    for (i, step) in steps.iter().enumerate() {
        let here = if walked.is_empty() {
            "the scenario".to_string()
        } else {
            format!("`{walked}`")
        };
        let missing = |what: String, hint: Option<String>| PathProblem {
            message: format!("names no value in the scenario: {here} has no {what}"),
            hint,
        };
        cur = match (step, cur) {
            (Step::Key(k), Value::Object(map)) => {
                if !map.contains_key(k) {
                    let hint = did_you_mean(k, map.keys().map(String::as_str)).or_else(|| {
                        Some(format!(
                            "known here: {}",
                            map.keys().cloned().collect::<Vec<_>>().join(", ")
                        ))
                    });
                    return Err(missing(format!("`{k}`"), hint));
                }
                walked = join(&walked, k);
                match map.get_mut(k) {
                    Some(v) => v,
                    None => return Err(missing(format!("`{k}`"), None)),
                }
            }
            // A list of targets: step by the target's indicator.
            (Step::Key(k), Value::Array(items)) => {
                let found = items
                    .iter()
                    .position(|t| t.get("indicator").and_then(Value::as_str) == Some(k));
                let Some(j) = found else {
                    let names: Vec<&str> = items
                        .iter()
                        .filter_map(|t| t.get("indicator").and_then(Value::as_str))
                        .collect();
                    let hint = did_you_mean(k, names.iter().copied())
                        .or_else(|| Some("step into a list by index, e.g. [0]".into()));
                    return Err(missing(format!("entry for `{k}`"), hint));
                };
                walked = format!("{walked}[{j}]");
                &mut items[j]
            }
            (Step::Index(j), Value::Array(items)) => {
                let len = items.len();
                walked = format!("{walked}[{j}]");
                match items.get_mut(*j) {
                    Some(v) => v,
                    None => {
                        return Err(missing(
                            format!("entry [{j}]"),
                            Some(format!("the list has {len} entries, counted from 0")),
                        ));
                    }
                }
            }
            // A bare base value or formula: `.value` / `.formula` names itself.
            (Step::Key(k), bare @ (Value::Number(_) | Value::String(_)))
                if i == last && (k == "value" || k == "formula") =>
            {
                bare
            }
            (step, other) => {
                let what = match step {
                    Step::Key(k) => format!("`{k}`"),
                    Step::Index(j) => format!("entry [{j}]"),
                };
                return Err(PathProblem {
                    message: format!(
                        "names no value in the scenario: {here} is {}, which has no {what}",
                        type_name(other)
                    ),
                    hint: None,
                });
            }
        };
    }
    *cur = o.value.clone();
    Ok(())
}

fn in_variant(name: &str, mut q: Problem) -> Problem {
    q.path = if q.path.is_empty() {
        format!("variants.{name}")
    } else {
        format!("variants.{name}: {}", q.path)
    };
    q.message = format!(
        "in variant `{name}`, after its overrides: {}",
        q.message.trim_start()
    );
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Format, from_bytes};

    const BASE: &str = r#"
name = "v"
[base]
gdp = { value = 100, label = "地区生产总值" }
fai = 50
[drivers]
g = { dist = "normal", mean = 0.08, sd = 0.02, kind = "rate" }
[indicators]
gdp_1 = "gdp * (1 + g)"
gdp_growth = { formula = "gdp_1 / gdp - 1", kind = "rate" }
[target_sets.draft]
targets = [{ indicator = "gdp_growth", at_least = 0.08 }, { indicator = "gdp_1", at_least = 105 }]
"#;

    fn load(extra: &str) -> Result<Scenario, String> {
        let text = format!("{BASE}\n{extra}");
        from_bytes(Path::new("v.toml"), text.as_bytes(), Format::Toml).map_err(|e| e.to_string())
    }

    #[test]
    fn an_override_replaces_exactly_the_named_value() {
        let s = load(
            "[variants.low]\nlabel = \"下行\"\n\"drivers.g.mean\" = 0.05\nbase.gdp.value = 90\n\"target_sets.draft.targets.gdp_1.at_least\" = 100\n\"base.fai\" = 60",
        )
        .unwrap();
        assert_eq!(s.variants.len(), 1);
        let v = &s.variants[0];
        assert_eq!(v.meta.label.as_deref(), Some("下行"));
        assert_eq!(v.overrides.len(), 4);
        let d = v.scenario.drivers[0].distribution.mean();
        assert!((d - 0.05).abs() < 1e-15);
        assert_eq!(v.scenario.base[0].value, 90.0);
        assert_eq!(v.scenario.base[1].value, 60.0);
        assert_eq!(
            v.scenario.target_sets[0].targets[1].rule,
            crate::scenario::Rule::AtLeast { threshold: 100.0 }
        );
        // The base is untouched.
        assert_eq!(s.base[0].value, 100.0);
        assert!(s.variants[0].scenario.variants.is_empty());
    }

    #[test]
    fn list_steps_by_index_and_bare_values_by_value() {
        let s = load("[variants.x]\n\"target_sets.draft.targets[0].at_least\" = 0.07\n\"base.fai.value\" = 55\n\"indicators.gdp_1.formula\" = \"gdp * (1 + g) + 1\"").unwrap();
        let v = &s.variants[0].scenario;
        assert_eq!(
            v.target_sets[0].targets[0].rule,
            crate::scenario::Rule::AtLeast { threshold: 0.07 }
        );
        assert_eq!(v.base[1].value, 55.0);
        assert_eq!(v.indicators[0].formula, "gdp * (1 + g) + 1");
    }

    #[test]
    fn an_override_of_a_value_that_does_not_exist_names_the_variant_and_path() {
        let e = load("[variants.down]\n\"drivers.g.maen\" = 0.05").unwrap_err();
        assert!(e.contains("variants.down.\"drivers.g.maen\""), "{e}");
        assert!(e.contains("did you mean `mean`?"), "{e}");
        let e = load("[variants.down]\n\"drivers.h.mean\" = 0.05").unwrap_err();
        assert!(e.contains("has no `h`"), "{e}");
        let e = load("[variants.down]\n\"simulation.seed\" = 5").unwrap_err();
        assert!(e.contains("common random numbers"), "{e}");
    }

    #[test]
    fn a_variant_that_breaks_a_rule_is_reported_under_its_name() {
        let e = load("[variants.bad]\n\"drivers.g.sd\" = -0.02").unwrap_err();
        assert!(e.contains("variants.bad: drivers.g.sd"), "{e}");
        assert!(e.contains("in variant `bad`"), "{e}");
    }

    #[test]
    fn an_editable_scenario_applies_a_variant_then_overrides_and_names_a_bad_path() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let file = dir.path().join("v.toml");
        let text = format!("{BASE}\n[variants.low]\n\"drivers.g.mean\" = 0.05");
        std::fs::write(&file, text).expect("write");
        let e = Editable::load(&file).expect("valid");
        assert!(e.document().get("variants").is_none());
        let mean = |s: &Scenario| match s.drivers[0].distribution {
            crate::model::distribution::Distribution::Normal { mean, .. } => mean,
            _ => f64::NAN,
        };
        let o = |path: &str, v: f64| Override {
            path: path.into(),
            value: serde_json::json!(v),
        };
        assert_eq!(mean(&e.with(None, &[]).expect("base")), 0.08);
        let low = e.with(Some("low"), &[]).expect("variant");
        assert_eq!((mean(&low), low.variant.as_deref()), (0.05, Some("low")));
        // The overrides come after the variant's.
        let both = e
            .with(Some("low"), &[o("drivers.g.mean", 0.06)])
            .expect("both");
        assert_eq!(mean(&both), 0.06);
        let bad = e
            .with(None, &[o("drivers.g.maen", 0.06)])
            .expect_err("a bad path");
        let msg = bad.to_string();
        assert!(
            msg.contains("overrides.\"drivers.g.maen\"") && msg.contains("did you mean `mean`?"),
            "{msg}"
        );
        let rule = e
            .with(None, &[o("drivers.g.sd", -0.02)])
            .expect_err("a broken rule");
        assert!(rule.to_string().contains("drivers.g.sd"), "{rule}");
        assert!(e.with(Some("high"), &[]).is_err());
        // Text is held to the file's rule: no terminal control sequences.
        let label = Override {
            path: "drivers.g.label".into(),
            value: serde_json::json!("g\u{1b}[31m"),
        };
        let text = e.with(None, &[label]).expect_err("control characters");
        assert!(
            text.to_string().contains("overrides.\"drivers.g.label\""),
            "{text}"
        );
    }

    #[test]
    fn paths_parse_into_keys_and_indices() {
        assert_eq!(
            steps("a.b[2][3].c").ok(),
            Some(vec![
                Step::Key("a".into()),
                Step::Key("b".into()),
                Step::Index(2),
                Step::Index(3),
                Step::Key("c".into())
            ])
        );
        assert_eq!(
            steps("t.2.x").ok(),
            Some(vec![
                Step::Key("t".into()),
                Step::Index(2),
                Step::Key("x".into())
            ])
        );
        assert!(steps("a..b").is_err());
        assert!(steps("a[x]").is_err());
    }
}
