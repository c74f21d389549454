//! Scenario files: what a planner writes, read and checked into types that
//! cannot hold bad values. After [`load`] succeeds the rest of the program
//! never checks the scenario again.
//!
//! The file format (TOML, or JSON with the same structure) is documented in
//! the README, section "Scenario format".

pub(crate) mod fields;
pub mod horizon;
pub mod include;
mod inert;
mod json;
pub mod pipeline;
pub mod report;
pub mod source;
pub mod starter;
mod validate;
pub mod variants;
pub mod workbook;

use crate::error::ScenarioError;
use crate::model::distribution::{Distribution, Marginal};
use crate::model::expr::Expr;
use crate::sampling::correlation::{Adjustment, Correlation};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub use source::Format;
pub use validate::check_draws;
pub use variants::{Editable, Override, Variant};

/// Draws when neither the scenario nor `--draws` says.
pub const DEFAULT_DRAWS: u64 = 100_000;
/// Seed when neither the scenario nor `--seed` says; always recorded in the output.
pub const DEFAULT_SEED: u64 = 1;
/// Upper bound on draws accepted from a file or the command line, before
/// the memory check. Far beyond what a 24 GiB machine could hold.
pub const MAX_DRAWS: u64 = 10_000_000_000;

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file it came from, as given on the command line.
    pub file: PathBuf,
    /// Every file read to build it: `file`, then each included file. A
    /// command must not write its results over any of them.
    pub inputs: Vec<PathBuf>,
    /// `sha256:` and the hex digest of the file's bytes.
    pub hash: String,
    /// Short name, safe as a directory name (`[A-Za-z0-9_.-]`, not starting with `.`).
    pub name: String,
    /// Title and description as written, in whatever language; a report
    /// in one language prefers that language's version when the scenario
    /// gives one (`title_zh`, `title_en`, ...: see [`Scenario::title_in`]).
    pub title: String,
    pub description: String,
    pub in_language: Translations,
    pub simulation: Simulation,
    /// Base-year values, in declaration order.
    pub base: Vec<BaseValue>,
    /// Uncertain drivers, in declaration order.
    pub drivers: Vec<Driver>,
    /// Correlation of the drivers' normal scores, indexed like `drivers`.
    pub correlation: Correlation,
    /// Entries changed by `repair = true` (empty otherwise).
    pub correlation_adjustments: Vec<Adjustment>,
    /// Indicators, in declaration order.
    pub indicators: Vec<Indicator>,
    /// Indices into `indicators`, each after everything it depends on.
    pub evaluation_order: Vec<usize>,
    /// Target sets, in declaration order. In a multi-year scenario: the
    /// first year's targets of each set (all years are in `horizon`).
    pub target_sets: Vec<TargetSet>,
    /// The years, per-year drivers and targets of a multi-year scenario
    /// (`[simulation] horizon = [...]`); `None` for a one-year scenario.
    pub horizon: Option<horizon::Horizon>,
    /// Index into `target_sets` of the upper level's requirement (the set
    /// marked `upper_level = true`), if any.
    pub upper_level: Option<usize>,
    /// Named variants, each a whole validated scenario (empty for a variant itself).
    pub variants: Vec<Variant>,
    /// The variant this scenario is, when chosen with [`Scenario::into_variant`]
    /// (`run --variant`, sweeps): recorded in `summary.json` and shard files,
    /// because a variant shares its base's file and so its hash.
    pub variant: Option<String>,
    /// The key-project list (`[pipeline]`), one-year scenarios only.
    pub pipeline: Option<pipeline::Pipeline>,
    /// The city's other districts (`[peers]`), one-year scenarios only.
    pub peers: Option<pipeline::Peers>,
    /// `[report]`: language, confidence, bands, interval and rounding steps
    /// of the briefing (see [`report`]).
    pub report: report::Report,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Simulation {
    pub draws: u64,
    pub seed: u64,
    /// Draws for a stated precision (`precision = 0.001`): the run uses the
    /// first checkpoint at which every standard error is at most this
    /// (see `engine::precision`) instead of `draws`.
    pub precision: Option<f64>,
}

/// How a variable's values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An amount in the variable's unit.
    #[default]
    Level,
    /// A growth rate or a share, held as a fraction (0.09) and shown as a percent (9%).
    Rate,
    /// A whole number of things (projects, firms).
    Count,
}

/// Labels and units shared by every kind of variable.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Meta {
    /// The label as planners write it (often Chinese, e.g. `地区生产总值`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// An English label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Meta {
    /// Best label for display: both languages when both are given.
    pub fn display_label(&self, name: &str) -> String {
        match (&self.label, &self.label_en) {
            (Some(a), Some(b)) => format!("{a} {b}"),
            (Some(a), None) | (None, Some(a)) => a.clone(),
            (None, None) => name.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BaseValue {
    pub name: String,
    pub value: f64,
    pub meta: Meta,
}

#[derive(Debug, Clone)]
pub struct Driver {
    pub name: String,
    pub distribution: Distribution,
    /// The distribution's sampler, built (and so checked) once at load.
    pub marginal: Marginal,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub name: String,
    pub formula: String,
    pub expr: Expr,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetSet {
    pub name: String,
    pub meta: Meta,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Index into `Scenario::indicators`.
    pub indicator: usize,
    pub rule: Rule,
    /// The planners' wording (`左右`, `力争`, `确保`...), shown in reports; the rule decides.
    pub wording: Option<String>,
}

/// When a target counts as met in one draw. Bounds are inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// x >= threshold (以上, "at least").
    AtLeast { threshold: f64 },
    /// x <= threshold (以内, "at most").
    AtMost { threshold: f64 },
    /// |x - value| <= tolerance (左右, "about").
    About { value: f64, tolerance: f64 },
    /// low <= x <= high.
    Range { low: f64, high: f64 },
}

impl Rule {
    #[inline]
    pub fn is_met(&self, x: f64) -> bool {
        match *self {
            Rule::AtLeast { threshold } => x >= threshold,
            Rule::AtMost { threshold } => x <= threshold,
            Rule::About { value, tolerance } => (x - value).abs() <= tolerance,
            Rule::Range { low, high } => low <= x && x <= high,
        }
    }

    /// The value a chart or table marks for this rule.
    pub fn reference_value(&self) -> f64 {
        match *self {
            Rule::AtLeast { threshold } | Rule::AtMost { threshold } => threshold,
            Rule::About { value, .. } => value,
            Rule::Range { low, high } => 0.5 * (low + high),
        }
    }

    /// `>= 0.09`, `<= 5`, `0.09 ± 0.005`, `[0.08, 0.1]` with a formatter for the numbers.
    pub fn describe(&self, fmt: impl Fn(f64) -> String) -> String {
        match *self {
            Rule::AtLeast { threshold } => format!(">= {}", fmt(threshold)),
            Rule::AtMost { threshold } => format!("<= {}", fmt(threshold)),
            Rule::About { value, tolerance } => format!("{} ± {}", fmt(value), fmt(tolerance)),
            Rule::Range { low, high } => format!("{} to {}", fmt(low), fmt(high)),
        }
    }
}

/// The optional per-language title and description (`title_zh`,
/// `title_en`, `description_zh`, `description_en` at the top of the file).
#[derive(Debug, Clone, Default)]
pub struct Translations {
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub description_zh: Option<String>,
    pub description_en: Option<String>,
}

impl Scenario {
    /// The title a report in `lang` shows: that language's version when
    /// the scenario gives one, else `title` as written.
    pub fn title_in(&self, lang: crate::render::lang::Lang) -> &str {
        use crate::render::lang::Lang;
        let t = &self.in_language;
        match lang {
            Lang::Zh => t.title_zh.as_deref(),
            Lang::En => t.title_en.as_deref(),
        }
        .unwrap_or(&self.title)
    }

    /// The description a report in `lang` shows, like [`Scenario::title_in`].
    pub fn description_in(&self, lang: crate::render::lang::Lang) -> &str {
        use crate::render::lang::Lang;
        let t = &self.in_language;
        match lang {
            Lang::Zh => t.description_zh.as_deref(),
            Lang::En => t.description_en.as_deref(),
        }
        .unwrap_or(&self.description)
    }

    /// The files this scenario was read from (its own and every include),
    /// which no command may write over.
    pub fn input_paths(&self) -> Vec<&std::path::Path> {
        let mut v: Vec<&std::path::Path> = vec![self.file.as_path()];
        v.extend(self.inputs.iter().map(|p| p.as_path()));
        v
    }
    pub fn indicator_index(&self, name: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i.name == name)
    }

    /// The whole scenario of the variant `name` (see [`variants`]), which
    /// keeps the base's file, inputs and hash and records its name.
    pub fn into_variant(mut self, name: &str) -> Result<Scenario, ScenarioError> {
        let Some(v) = self.variants.iter().position(|v| v.name == name) else {
            let names: Vec<&str> = self.variants.iter().map(|v| v.name.as_str()).collect();
            let hint = match fields::did_you_mean(name, names.iter().copied()) {
                Some(h) => h,
                None if names.is_empty() => "the scenario has no [variants]".to_string(),
                None => format!("its variants are: {}", names.join(", ")),
            };
            return Err(ScenarioError::Invalid {
                file: self.file.clone(),
                problems: vec![
                    crate::error::Problem::new("variants", "no variant of this name")
                        .value(name)
                        .hint(hint),
                ],
            });
        };
        let mut chosen = self.variants.swap_remove(v).scenario;
        chosen.inputs = self.inputs;
        chosen.variant = Some(name.to_string());
        Ok(chosen)
    }
}

/// Read, parse and validate a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let bytes = source::read(path)?;
    from_bytes(path, &bytes, Format::of(path))
}

/// Parse and validate scenario text; `path` is used in messages only.
pub fn from_bytes(path: &Path, bytes: &[u8], format: Format) -> Result<Scenario, ScenarioError> {
    let expanded = expand(path, bytes, format)?;
    validated(path, &expanded, &expanded.doc)
}

/// The parsed document, its text checked and its includes merged: what
/// [`validated`] checks, kept by [`variants::Editable`] to change again.
fn expand(path: &Path, bytes: &[u8], format: Format) -> Result<include::Expanded, ScenarioError> {
    let doc = source::parse(path, bytes, format)?;
    // Text that could drive a terminal or stall a later step is refused
    // before anything else reads the document.
    let text = inert::check(&doc, "");
    if !text.is_empty() {
        return Err(ScenarioError::Invalid {
            file: path.to_path_buf(),
            problems: text,
        });
    }
    include::expand(path, bytes, doc)
}

/// `doc`, the expanded document or one changed from it, validated; its
/// problems name the included file an entry came from.
fn validated(
    path: &Path,
    expanded: &include::Expanded,
    doc: &serde_json::Value,
) -> Result<Scenario, ScenarioError> {
    let mut s = validate::scenario(path, &expanded.hashed, doc).map_err(|problems| {
        ScenarioError::Invalid {
            file: path.to_path_buf(),
            problems: include::annotate(problems, &expanded.origins),
        }
    })?;
    s.inputs = std::iter::once(path.to_path_buf())
        .chain(expanded.files.iter().cloned())
        .chain(s.pipeline.as_ref().and_then(|p| p.file.clone()))
        .collect();
    Ok(s)
}

/// `sha256:<hex>` of the bytes.
pub fn hash_bytes(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(7 + 64);
    s.push_str("sha256:");
    for b in digest.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}
