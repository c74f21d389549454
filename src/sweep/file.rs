//! The sweep file: which scenarios (globs relative to the file), which of
//! their variants, and the draws, seed and shards of each, read and checked
//! into [`Sweep`], whose units are validated scenarios.
//!
//! ```toml
//! title = "示例市 各县 2026 年目标"
//! draws = 200000            # defaults for every [[scenarios]] entry
//! shards = 4
//!
//! [[scenarios]]
//! files = "counties/*.toml" # or a list of files and globs
//! variants = true           # all (the default), false (the base only), or a list of names
//! seed = 7                  # default: each scenario's own [simulation] seed
//! ```
//!
//! Every problem is collected and reported with the sweep file, the dotted
//! field path, the value and a fix, as for scenarios (exit 2).

use crate::calibrate::Bands;
use crate::engine::n_blocks;
use crate::error::{Problem, ScenarioError};
use crate::scenario::{self, Scenario, fields, source};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The folder of a unit's base scenario (`DIR/<scenario>/base/`).
pub const BASE: &str = "base";
/// Top-level names a sweep writes into its folder, which no scenario may take.
pub const RESERVED: [&str; 7] = [
    "precision.json",
    "shards",
    "slurm",
    "sweep.csv",
    "sweep.xlsx",
    "report.html",
    "sweep.json",
];
/// Most shards a run may be split into (as `run --shard`).
pub const MAX_SHARDS: u64 = 1_000_000;

const TOP_KEYS: [&str; 9] = [
    "title",
    "draws",
    "precision",
    "seed",
    "shards",
    "variants",
    "ambitious_below",
    "timid_above",
    "scenarios",
];
const ENTRY_KEYS: [&str; 6] = ["files", "variants", "draws", "precision", "seed", "shards"];

/// A checked sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The sweep file, as given.
    pub file: PathBuf,
    pub title: String,
    /// The verdict bands of the province view (`ambitious_below`, `timid_above`).
    pub bands: Bands,
    /// Scenario × variant, in the order of the entries and their matches.
    pub units: Vec<Unit>,
}

/// One scenario or one of its variants, with how to run it.
#[derive(Debug, Clone)]
pub struct Unit {
    /// The scenario (its variant applied, see `Scenario::into_variant`).
    /// Its `file` is the path relative to the sweep file's folder, so that
    /// what it writes does not depend on where the sweep was started from
    /// (a direct `run` from that folder writes the same bytes).
    pub scenario: Scenario,
    /// The scenario file to open (the sweep file's folder joined with the match).
    pub path: PathBuf,
    /// The draws; for a unit with a `precision`, 0 until
    /// [`super::precision::resolve`] has found them.
    pub draws: u64,
    /// Draws for a stated precision (the sweep's, else the scenario's
    /// `[simulation] precision` when the sweep gives no draws).
    pub precision: Option<f64>,
    pub seed: u64,
    pub shards: u64,
    /// The sweep entry it came from, e.g. `scenarios[1]`.
    pub entry: String,
}

impl Unit {
    /// `base`, or the variant's name: the second level of its folders.
    pub fn variant_dir(&self) -> &str {
        self.scenario.variant.as_deref().unwrap_or(BASE)
    }

    /// `<scenario>/<variant>`, as shown to people.
    pub fn label(&self) -> String {
        format!("{}/{}", self.scenario.name, self.variant_dir())
    }

    /// Where its results go: `DIR/<scenario>/<variant>/`.
    pub fn dir(&self, out: &Path) -> PathBuf {
        out.join(&self.scenario.name).join(self.variant_dir())
    }

    /// Where its shard files go: `DIR/shards/<scenario>/<variant>/`.
    pub fn shard_dir(&self, out: &Path) -> PathBuf {
        out.join("shards")
            .join(&self.scenario.name)
            .join(self.variant_dir())
    }

    /// Shard `k` (1-based) of its `shards`.
    pub fn shard_path(&self, out: &Path, k: u64) -> PathBuf {
        self.shard_dir(out)
            .join(crate::shard::file_name(k, self.shards))
    }
}

/// Read and check a sweep file, loading every scenario it names.
pub fn load(path: &Path) -> Result<Sweep, ScenarioError> {
    let invalid = |problems: Vec<Problem>| ScenarioError::Invalid {
        file: path.to_path_buf(),
        problems,
    };
    let bytes = std::fs::read(path).map_err(|e| {
        invalid(vec![
            Problem::new("", format!("cannot read the sweep file: {e}"))
                .hint("give the path of a sweep file (TOML), e.g. scenarios/province/sweep.toml"),
        ])
    })?;
    if bytes.len() as u64 > source::MAX_FILE_BYTES {
        return Err(invalid(vec![
            Problem::new(
                "",
                format!(
                    "the file is {} bytes; a sweep file is at most {} bytes",
                    bytes.len(),
                    source::MAX_FILE_BYTES
                ),
            )
            .hint("is this the right file? list scenarios with globs rather than one by one"),
        ]));
    }
    let doc = source::parse(path, &bytes, source::Format::Toml)?;
    let mut p = Vec::new();
    let Value::Object(top) = &doc else {
        return Err(invalid(vec![Problem::new(
            "",
            "a sweep file must be a TOML table",
        )]));
    };
    unknown_keys(top, "", &TOP_KEYS, &mut p);
    let title = match top.get("title") {
        None => path
            .file_stem()
            .map_or_else(|| "sweep".into(), |s| s.to_string_lossy().into_owned()),
        Some(Value::String(s)) => s.clone(),
        Some(v) => {
            p.push(Problem::new("title", "must be a string").value(show(v)));
            String::new()
        }
    };
    let mut bands = Bands::default();
    if let Some(v) = probability(top.get("ambitious_below"), "ambitious_below", &mut p) {
        bands.too_ambitious_below = v;
    }
    if let Some(v) = probability(top.get("timid_above"), "timid_above", &mut p) {
        bands.too_timid_above = v;
    }
    if bands.too_ambitious_below > bands.too_timid_above {
        p.push(
            Problem::new("ambitious_below", "must not be above timid_above")
                .value(bands.too_ambitious_below.to_string())
                .hint(format!("timid_above is {}", bands.too_timid_above)),
        );
    }
    let defaults = Settings::read(top, "", &Settings::default(), &mut p);
    let entries: Vec<(String, &serde_json::Map<String, Value>)> = match top.get("scenarios") {
        Some(Value::Array(list)) if !list.is_empty() => list
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let at = format!("scenarios[{i}]");
                match v {
                    Value::Object(m) => Some((at, m)),
                    other => {
                        p.push(
                            Problem::new(at, "must be a table ([[scenarios]])").value(show(other)),
                        );
                        None
                    }
                }
            })
            .collect(),
        Some(v) => {
            p.push(
                Problem::new(
                    "scenarios",
                    "must be a non-empty list of [[scenarios]] tables",
                )
                .value(show(v))
                .hint("[[scenarios]]\nfiles = \"counties/*.toml\""),
            );
            Vec::new()
        }
        None => {
            p.push(
                Problem::new("scenarios", "no scenarios listed")
                    .hint("add [[scenarios]] with files = \"counties/*.toml\" (globs relative to the sweep file)"),
            );
            Vec::new()
        }
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut units: Vec<Unit> = Vec::new();
    let mut seen: Vec<(PathBuf, String)> = Vec::new();
    for (at, entry) in entries {
        unknown_keys(entry, &at, &ENTRY_KEYS, &mut p);
        let settings = Settings::read(entry, &at, &defaults, &mut p);
        for file in matches(entry.get("files"), &at, dir, &mut p) {
            let key = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if let Some((_, other)) = seen.iter().find(|(k, _)| *k == key) {
                p.push(
                    Problem::new(format!("{at}.files"), "matches a scenario already listed")
                        .value(file.display().to_string())
                        .hint(format!("{other} lists it already; list each scenario once")),
                );
                continue;
            }
            seen.push((key, at.clone()));
            let s = scenario::load(&file)?;
            let before = units.len();
            unit_variants(&s, &settings, &at, dir, &mut units, &mut p);
            for u in &mut units[before..] {
                u.seed = settings.seed.unwrap_or(u.scenario.simulation.seed);
            }
        }
    }
    check_units(&units, &mut p);
    if !p.is_empty() {
        return Err(invalid(p));
    }
    Ok(Sweep {
        file: path.to_path_buf(),
        title,
        bands,
        units,
    })
}

/// What an entry (or the top level, as defaults) says about its runs.
#[derive(Debug, Clone, Default)]
struct Settings {
    draws: Option<u64>,
    precision: Option<f64>,
    seed: Option<u64>,
    shards: Option<u64>,
    /// `None`: all variants; `Some(list)`: those (empty: the base only).
    variants: Option<Vec<String>>,
}

impl Settings {
    fn read(
        m: &serde_json::Map<String, Value>,
        at: &str,
        defaults: &Settings,
        p: &mut Vec<Problem>,
    ) -> Settings {
        let path = |k: &str| {
            if at.is_empty() {
                k.to_string()
            } else {
                format!("{at}.{k}")
            }
        };
        let mut s = defaults.clone();
        if let Some(v) = m.get("draws") {
            match v.as_u64().map(scenario::check_draws) {
                Some(Ok(d)) => {
                    s.draws = Some(d);
                    s.precision = None;
                }
                Some(Err(msg)) => p.push(Problem::new(path("draws"), msg).value(show(v))),
                None => p.push(
                    Problem::new(path("draws"), "must be a whole number of draws")
                        .value(show(v))
                        .hint("for example draws = 1000000"),
                ),
            }
        }
        if let Some(v) = m.get("precision") {
            if m.contains_key("draws") {
                p.push(
                    Problem::new(path("precision"), "give draws or a precision, not both")
                        .value(show(v))
                        .hint("a precision chooses the draws: remove draws"),
                );
            }
            let checked = v
                .as_f64()
                .ok_or_else(|| "must be a number".to_string())
                .and_then(crate::engine::precision::check);
            match checked {
                Ok(e) => {
                    s.precision = Some(e);
                    s.draws = None;
                }
                Err(msg) => p.push(Problem::new(path("precision"), msg).value(show(v)).hint(
                    "precision = 0.001 gives every probability to about ±0.1 percentage points",
                )),
            }
        }
        if let Some(v) = m.get("seed") {
            match v.as_u64() {
                Some(x) => s.seed = Some(x),
                None => p.push(
                    Problem::new(path("seed"), "must be a whole number from 0 to 2^64 - 1")
                        .value(show(v)),
                ),
            }
        }
        if let Some(v) = m.get("shards") {
            match v.as_u64() {
                Some(x) if (1..=MAX_SHARDS).contains(&x) => s.shards = Some(x),
                _ => p.push(
                    Problem::new(
                        path("shards"),
                        format!("must be a whole number from 1 to {MAX_SHARDS}"),
                    )
                    .value(show(v))
                    .hint("shards = 1 runs each scenario in one piece"),
                ),
            }
        }
        if let Some(v) = m.get("variants") {
            match v {
                Value::Bool(true) => s.variants = None,
                Value::Bool(false) => s.variants = Some(Vec::new()),
                Value::Array(list) if list.iter().all(Value::is_string) => {
                    s.variants = Some(
                        list.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect(),
                    );
                }
                other => p.push(
                    Problem::new(
                        path("variants"),
                        "must be true (all variants), false (the base only) or a list of variant names",
                    )
                    .value(show(other))
                    .hint("variants = [\"downside\"]"),
                ),
            }
        }
        s
    }
}

/// The scenario files an entry's `files` matches, sorted within each pattern.
fn matches(v: Option<&Value>, at: &str, dir: &Path, p: &mut Vec<Problem>) -> Vec<PathBuf> {
    let field = format!("{at}.files");
    let patterns: Vec<&str> = match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(list)) if !list.is_empty() && list.iter().all(Value::is_string) => {
            list.iter().filter_map(Value::as_str).collect()
        }
        Some(other) => {
            p.push(
                Problem::new(field, "must be a file or glob, or a list of them")
                    .value(show(other))
                    .hint("files = \"counties/*.toml\""),
            );
            return Vec::new();
        }
        None => {
            p.push(
                Problem::new(field, "is missing: which scenario files to run")
                    .hint("files = \"counties/*.toml\" (relative to the sweep file)"),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for pattern in patterns {
        let full = dir.join(pattern);
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        let found = match glob::glob_with(&full.to_string_lossy(), options) {
            Ok(paths) => paths,
            Err(e) => {
                p.push(
                    Problem::new(field.clone(), format!("is not a valid glob: {}", e.msg))
                        .value(show(&Value::String(pattern.into())))
                        .hint("use * and ? for any characters, [ab] for a set; write [[] for a literal ["),
                );
                continue;
            }
        };
        let mut files: Vec<PathBuf> = found
            .filter_map(Result::ok)
            .filter(|f| f.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            p.push(
                Problem::new(field.clone(), format!("matches no scenario file in {}", shown_dir(dir)))
                    .value(show(&Value::String(pattern.into())))
                    .hint("patterns are relative to the sweep file's folder; check the folder and the extension"),
            );
        }
        out.extend(files);
    }
    out
}

fn shown_dir(dir: &Path) -> String {
    if dir.as_os_str().is_empty() {
        ".".into()
    } else {
        dir.display().to_string()
    }
}

/// The base and the chosen variants of one scenario, as units.
fn unit_variants(
    s: &Scenario,
    settings: &Settings,
    at: &str,
    dir: &Path,
    units: &mut Vec<Unit>,
    p: &mut Vec<Problem>,
) {
    let names: Vec<&str> = s.variants.iter().map(|v| v.name.as_str()).collect();
    let chosen: Vec<&str> = match &settings.variants {
        None => names.clone(),
        Some(list) => list.iter().map(String::as_str).collect(),
    };
    let precision = match settings.draws {
        Some(_) => None,
        None => settings.precision.or(s.simulation.precision),
    };
    let draws = match precision {
        Some(_) => 0,
        None => settings.draws.unwrap_or(s.simulation.draws),
    };
    let shards = settings.shards.unwrap_or(1);
    let blocks = n_blocks(draws);
    if precision.is_none() && shards > blocks {
        p.push(
            Problem::new(format!("{at}.shards"), format!(
                "{} has {draws} draws, {blocks} block(s) of {} draws, so at most {blocks} shard(s)",
                s.file.display(),
                crate::sampling::BLOCK
            ))
            .value(shards.to_string())
            .hint(format!("use shards = {blocks} or fewer, or more draws")),
        );
        return;
    }
    let shown = s.file.strip_prefix(dir).unwrap_or(&s.file).to_path_buf();
    let unit = |mut scenario: Scenario| Unit {
        path: s.file.clone(),
        scenario: {
            scenario.file = shown.clone();
            scenario
        },
        draws,
        precision,
        seed: 0,
        shards,
        entry: at.to_string(),
    };
    units.push(unit(s.clone()));
    for name in chosen {
        if name == BASE {
            p.push(
                Problem::new(format!("{at}.variants"), format!(
                    "{} has a variant named `{BASE}`, the folder a sweep gives the base scenario",
                    s.file.display()
                ))
                .value(name)
                .hint("rename the variant in the scenario file"),
            );
            continue;
        }
        match s.clone().into_variant(name) {
            Ok(v) => units.push(unit(v)),
            Err(_) => {
                let hint = match fields::nearest(name, names.iter().copied()) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None if names.is_empty() => {
                        "the scenario has no [variants]; use variants = false".into()
                    }
                    None => format!("its variants are: {}", names.join(", ")),
                };
                p.push(
                    Problem::new(
                        format!("{at}.variants"),
                        format!("{} has no variant of this name", s.file.display()),
                    )
                    .value(format!("\"{name}\""))
                    .hint(hint),
                );
            }
        }
    }
}

/// Two units in one folder, or a scenario named like the sweep's own files.
fn check_units(units: &[Unit], p: &mut Vec<Problem>) {
    for (i, u) in units.iter().enumerate() {
        if u.scenario.variant.is_none() && RESERVED.contains(&u.scenario.name.as_str()) {
            p.push(
                Problem::new(
                    format!("{}.files", u.entry),
                    format!(
                        "{}: the scenario's name is one a sweep uses for its own files ({})",
                        u.path.display(),
                        RESERVED.join(", ")
                    ),
                )
                .value(u.scenario.name.clone())
                .hint("give the scenario another `name`"),
            );
        }
        // Variants of two same-named scenarios clash too, but the bases say it once.
        if u.scenario.variant.is_none()
            && let Some(other) = units[..i]
                .iter()
                .find(|o| o.scenario.name == u.scenario.name && o.variant_dir() == u.variant_dir())
        {
            p.push(
                Problem::new(
                    format!("{}.files", u.entry),
                    format!(
                        "{} and {} have the same name, so their results would share a folder",
                        other.path.display(),
                        u.path.display()
                    ),
                )
                .value(u.scenario.name.clone())
                .hint("give each scenario its own `name`"),
            );
        }
    }
}

fn unknown_keys(
    m: &serde_json::Map<String, Value>,
    at: &str,
    known: &[&str],
    p: &mut Vec<Problem>,
) {
    for k in m.keys() {
        if !known.contains(&k.as_str()) {
            let path = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            let hint = match fields::nearest(k, known.iter().copied()) {
                Some(n) => format!("did you mean `{n}`?"),
                None => format!("the keys here are: {}", known.join(", ")),
            };
            p.push(Problem::new(path, "unknown key").hint(hint));
        }
    }
}

fn probability(v: Option<&Value>, path: &str, p: &mut Vec<Problem>) -> Option<f64> {
    let v = v?;
    match v.as_f64() {
        Some(x) if (0.0..=1.0).contains(&x) => Some(x),
        _ => {
            p.push(
                Problem::new(path, "must be a probability from 0 to 1")
                    .value(show(v))
                    .hint("for example 0.5"),
            );
            None
        }
    }
}

fn show(v: &Value) -> String {
    fields::show(v)
}
