//! From the parsed document tree to a [`Scenario`], collecting every problem
//! rather than stopping at the first.

use super::fields::{Fields, did_you_mean, index, join, number, show, type_name};
use super::{
    BaseValue, DEFAULT_DRAWS, DEFAULT_SEED, Driver, Indicator, Kind, MAX_DRAWS, Meta, Rule,
    Scenario, Simulation, Target, TargetSet,
};
use crate::error::Problem;
use crate::model::distribution::{Distribution, KIND_NAMES, ParamError};
use crate::model::expr;
use crate::sampling::correlation::{Correlation, CorrelationError};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Most variables of each kind a scenario may declare: far beyond real use,
/// low enough that nothing quadratic in them can run away.
const MAX_VARIABLES: usize = 2000;

pub(super) type Problems = Vec<Problem>;

pub fn scenario(path: &Path, bytes: &[u8], doc: &Value) -> Result<Scenario, Problems> {
    let mut p = Problems::new();
    // A multi-year scenario is checked as the one-year view of its first
    // year, then its multi-year fields are read (see `horizon`).
    // Variants override the whole document, multi-year fields included.
    let whole = doc;
    let split = super::horizon::split(doc);
    let doc = split.as_ref().map_or(doc, |(view, _)| view);
    let Some(mut top) = Fields::of(doc, "", &mut p) else {
        return Err(p);
    };
    if let Some(v) = top.get("schema")
        && v.as_u64() != Some(1)
    {
        p.push(
            Problem::new(
                "schema",
                "this version of targetsim reads scenario schema 1",
            )
            .value(show(v))
            .hint("write `schema = 1` or leave it out"),
        );
    }
    let name = match top.opt_str("name", &mut p) {
        Some(n) => {
            check_name(&n, "name", &mut p);
            n
        }
        None => default_name(path),
    };
    let title = top.opt_str("title", &mut p).unwrap_or_else(|| name.clone());
    let description = top.opt_str("description", &mut p).unwrap_or_default();
    let in_language = super::Translations {
        title_zh: top.opt_str("title_zh", &mut p),
        title_en: top.opt_str("title_en", &mut p),
        description_zh: top.opt_str("description_zh", &mut p),
        description_en: top.opt_str("description_en", &mut p),
    };
    let simulation = simulation(top.get("simulation"), &mut p);

    let base = base_values(top.get("base"), &mut p);
    let drivers = drivers(top.get("drivers"), &mut p);
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for b in &base {
        seen.insert(&b.name, "base");
    }
    for d in &drivers {
        if seen.contains_key(d.name.as_str()) {
            p.push(
                Problem::new(
                    join("drivers", &d.name),
                    "has the same name as a base value",
                )
                .hint("give the driver its own name, for example a `g_` prefix for a growth rate"),
            );
        }
    }
    let (correlation, correlation_adjustments) =
        correlations(top.get("correlations"), &drivers, &mut p);
    let (indicators, specials) = indicators(top.get("indicators"), &mut p);
    // Names as declared, valid or not, so that a driver with a bad
    // parameter is not reported a second time as unknown in every formula.
    let declared = |key: &str| -> Vec<String> {
        doc.get(key)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    if declared("indicators").is_empty() && doc.get("indicators").is_none_or(Value::is_object) {
        p.push(
            Problem::new(
                "indicators",
                "the scenario has no indicators, so there is nothing to simulate or report",
            )
            .hint("a minimal scenario needs a driver and an indicator computed from it, e.g.\n[drivers]\ng = { dist = \"normal\", mean = 0.06, sd = 0.01 }\n[indicators]\ngdp_growth = \"g\""),
        );
    }
    // Indicators whose own formula is broken count as declared too.
    let broken = declared("indicators")
        .into_iter()
        .filter(|n| !indicators.iter().any(|i| &i.name == n));
    let inputs: Vec<String> = declared("base")
        .into_iter()
        .chain(declared("drivers"))
        .chain(broken)
        .collect();
    let evaluation_order = check_formulas(&inputs, &indicators, split.is_some(), &mut p);
    let (pipeline, peers, pipeline_bytes) = super::pipeline::read(
        path,
        top.get("pipeline"),
        top.get("peers"),
        split.is_some(),
        &drivers,
        &indicators,
        &specials,
        &mut p,
    );
    let (mut target_sets, upper_level) =
        target_sets(top.get("target_sets"), &indicators, &drivers, &mut p);
    // Variants are checked by applying them and validating the result
    // again (see `variants`); only once the base itself is valid, so that a
    // base problem is not reported once per variant.
    let report = super::report::read(top.get("report"), &indicators, &mut p);
    top.allow(&["variants"]);
    let variants_value = whole.get("variants");
    top.finish(&mut p);
    let horizon = split.and_then(|(_, raw)| {
        let checked = super::horizon::Checked {
            base: &base,
            drivers: &drivers,
            indicators: &indicators,
        };
        super::horizon::finish(raw, checked, &mut p)
    });
    if let Some(h) = &horizon {
        target_sets = super::horizon::first_year_sets(&h.target_sets);
    }
    let variants = if p.is_empty() {
        super::variants::read(path, bytes, whole, variants_value, &mut p)
    } else {
        Vec::new()
    };

    if !p.is_empty() {
        return Err(p);
    }
    Ok(Scenario {
        file: path.to_path_buf(),
        inputs: vec![path.to_path_buf()],
        // The project list's file is part of the scenario: hashed after it.
        hash: if pipeline_bytes.is_empty() {
            super::hash_bytes(bytes)
        } else {
            super::hash_bytes(&[bytes, &pipeline_bytes[..]].concat())
        },
        name,
        title,
        description,
        in_language,
        simulation,
        base,
        drivers,
        correlation,
        correlation_adjustments,
        indicators,
        evaluation_order,
        target_sets,
        horizon,
        upper_level,
        variants,
        variant: None,
        pipeline,
        peers,
        report,
    })
}

fn default_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario");
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() || clean.starts_with('.') {
        "scenario".into()
    } else {
        clean
    }
}

/// The scenario name becomes a directory under `output/`: keep it to one
/// plain path component.
fn check_name(name: &str, path: &str, p: &mut Problems) {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        p.push(
            Problem::new(path, "a scenario name is 1 to 64 letters, digits, `-`, `_` or `.`, not starting with `.` (it names the output directory)")
                .value(format!("\"{name}\""))
                .hint("put free text in `title` and keep `name` short, e.g. \"seed-district\""),
        );
    }
}

/// Variable names appear in formulas: identifiers only.
fn check_identifier(name: &str, path: &str, p: &mut Problems) -> bool {
    let mut chars = name.chars();
    let ok = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 64;
    if !ok {
        p.push(
            Problem::new(path, "a variable name is letters, digits and `_`, starting with a letter (it is used in formulas); put other text in `label`")
                .hint("for example `gdp_growth = { ..., label = \"地区生产总值增速\" }`"),
        );
    }
    ok
}

fn simulation(v: Option<&Value>, p: &mut Problems) -> Simulation {
    let mut sim = Simulation {
        draws: DEFAULT_DRAWS,
        seed: DEFAULT_SEED,
        precision: None,
    };
    let Some(v) = v else { return sim };
    let Some(mut f) = Fields::of(v, "simulation", p) else {
        return sim;
    };
    if let Some(d) = f.opt_u64("draws", p) {
        match check_draws(d) {
            Ok(d) => sim.draws = d,
            Err(msg) => p.push(
                Problem::new("simulation.draws", msg)
                    .value(d.to_string())
                    .hint("100000 draws give probabilities to about ±0.3 percentage points"),
            ),
        }
    }
    if let Some(s) = f.opt_u64("seed", p) {
        sim.seed = s;
    }
    if let Some(e) = f.opt_f64("precision", p) {
        match crate::engine::precision::check(e) {
            Ok(e) => sim.precision = Some(e),
            Err(msg) => p.push(
                Problem::new("simulation.precision", msg)
                    .value(e.to_string())
                    .hint("precision = 0.001 gives every probability to about ±0.1 percentage points (one standard error)"),
            ),
        }
    }
    f.finish(p);
    sim
}

/// The rule for draw counts, shared with the command line.
pub fn check_draws(draws: u64) -> Result<u64, String> {
    if draws == 0 {
        Err("the number of draws must be at least 1".into())
    } else if draws > MAX_DRAWS {
        Err(format!("the number of draws must be at most {MAX_DRAWS}"))
    } else {
        Ok(draws)
    }
}

/// Read the entries of a named table (`[base]`, `[drivers]`, ...), each as a
/// table of its own or, where `bare` allows, a bare number.
pub(super) fn entries<'a>(
    v: Option<&'a Value>,
    path: &str,
    p: &mut Problems,
) -> Vec<(&'a str, &'a Value, String)> {
    let Some(v) = v else { return Vec::new() };
    match v {
        Value::Object(map) => {
            if map.len() > MAX_VARIABLES {
                p.push(Problem::new(
                    path,
                    format!(
                        "has {} entries; at most {MAX_VARIABLES} are allowed",
                        map.len()
                    ),
                ));
                return Vec::new();
            }
            map.iter()
                .filter_map(|(k, v)| {
                    let child = join(path, k);
                    check_identifier(k, &child, p).then_some((k.as_str(), v, child))
                })
                .collect()
        }
        other => {
            p.push(
                Problem::new(path, format!("must be a table, not {}", type_name(other)))
                    .value(show(other)),
            );
            Vec::new()
        }
    }
}

pub(super) fn meta(f: &mut Fields, default_kind: Kind, p: &mut Problems) -> Meta {
    let kind = match f.opt_str("kind", p) {
        None => default_kind,
        Some(k) => match k.as_str() {
            "level" => Kind::Level,
            "rate" | "share" | "growth" => Kind::Rate,
            "count" => Kind::Count,
            other => {
                p.push(
                    Problem::new(
                        f.child_path("kind"),
                        "must be \"level\", \"rate\" or \"count\"",
                    )
                    .value(format!("\"{other}\""))
                    .maybe_hint(did_you_mean(other, ["level", "rate", "count"])),
                );
                default_kind
            }
        },
    };
    Meta {
        label: f.opt_str("label", p),
        label_en: f.opt_str("label_en", p),
        unit: f.opt_str("unit", p),
        kind,
        note: f.opt_str("note", p),
    }
}

fn base_values(v: Option<&Value>, p: &mut Problems) -> Vec<BaseValue> {
    let mut out = Vec::new();
    for (name, v, path) in entries(v, "base", p) {
        let value = match v {
            Value::Object(_) => {
                let Some(mut f) = Fields::of(v, &path, p) else {
                    continue;
                };
                let value = f.req_f64("value", "a base value", p);
                let m = meta(&mut f, Kind::Level, p);
                f.finish(p);
                value.map(|x| (x, m))
            }
            other => number(other, &path, p).map(|x| (x, Meta::default())),
        };
        if let Some((value, meta)) = value {
            out.push(BaseValue {
                name: name.to_string(),
                value,
                meta,
            });
        }
    }
    out
}

/// Names planners may write for a distribution, beyond the canonical ones.
fn canonical_dist(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase().replace(['-', ' '], "_");
    let alias = match n.as_str() {
        "gaussian" => "normal",
        "log_normal" => "lognormal",
        "two_piece_normal" | "split_gaussian" | "twopiece_normal" | "splitnormal" => "split_normal",
        "triangle" => "triangular",
        "beta_pert" => "pert",
        "constant" | "const" => "fixed",
        other => other,
    };
    KIND_NAMES.iter().copied().find(|k| *k == alias)
}

fn drivers(v: Option<&Value>, p: &mut Problems) -> Vec<Driver> {
    let mut out = Vec::new();
    for (name, v, path) in entries(v, "drivers", p) {
        let Some(mut f) = Fields::of(v, &path, p) else {
            continue;
        };
        let dist = distribution(&mut f, p);
        let default_kind = match &dist {
            Some(Distribution::Binomial { .. } | Distribution::Bernoulli { .. }) => Kind::Count,
            _ => Kind::Level,
        };
        let m = meta(&mut f, default_kind, p);
        f.finish(p);
        if let Some(distribution) = dist {
            match distribution.marginal() {
                Ok(marginal) => out.push(Driver {
                    name: name.to_string(),
                    distribution,
                    marginal,
                    meta: m,
                }),
                Err(e) => p.push(param_problem(&path, &e)),
            }
        }
    }
    out
}

pub(crate) fn distribution(f: &mut Fields, p: &mut Problems) -> Option<Distribution> {
    let dist_path = f.child_path("dist");
    let kind = match f.opt_str("dist", p) {
        None => {
            if !f.has("dist") {
                p.push(
                    Problem::new(
                        f.path().to_string(),
                        "a driver needs `dist`, its distribution",
                    )
                    .hint(format!(
                        "add for example `dist = \"normal\", mean = 0.1, sd = 0.02`; known: {}",
                        KIND_NAMES.join(", ")
                    )),
                );
            }
            // Still mark every parameter name as known so they are not
            // reported as unknown on top.
            f.allow(&[
                "mean", "sd", "median", "sigma", "mode", "sd_low", "sd_high", "min", "max",
                "lambda", "alpha", "beta", "n", "p", "values", "weights", "value",
            ]);
            return None;
        }
        Some(k) => k,
    };
    let Some(kind) = canonical_dist(&kind) else {
        p.push(
            Problem::new(dist_path, "unknown distribution")
                .value(format!("\"{kind}\""))
                .hint(
                    did_you_mean(&kind, KIND_NAMES.iter().copied())
                        .unwrap_or_else(|| format!("known: {}", KIND_NAMES.join(", "))),
                ),
        );
        f.allow(&[
            "mean", "sd", "median", "sigma", "mode", "sd_low", "sd_high", "min", "max", "lambda",
            "alpha", "beta", "n", "p", "values", "weights", "value",
        ]);
        return None;
    };
    let what = format!("a {kind} distribution");
    let req = |f: &mut Fields, key: &'static str, p: &mut Problems| f.req_f64(key, &what, p);
    let result: Option<Result<Distribution, ParamError>> = match kind {
        "normal" => {
            let (m, s) = (req(f, "mean", p), req(f, "sd", p));
            Some((m?, s?)).map(|(m, s)| Distribution::normal(m, s))
        }
        "lognormal" => {
            if f.has("median") || f.has("sigma") || !(f.has("mean") || f.has("sd")) {
                let (m, s) = (req(f, "median", p), req(f, "sigma", p));
                f.allow(&["mean", "sd"]);
                if f.has("mean") || f.has("sd") {
                    p.push(Problem::new(f.path().to_string(), "a lognormal takes either `median` and `sigma` (of the log) or `mean` and `sd`, not both").hint("remove one pair"));
                    return None;
                }
                Some((m?, s?)).map(|(m, s)| Distribution::lognormal_median(m, s))
            } else {
                let (m, s) = (req(f, "mean", p), req(f, "sd", p));
                Some((m?, s?)).map(|(m, s)| Distribution::lognormal_mean_sd(m, s))
            }
        }
        "split_normal" => {
            let (m, a, b) = (req(f, "mode", p), req(f, "sd_low", p), req(f, "sd_high", p));
            Some((m?, a?, b?)).map(|(m, a, b)| Distribution::split_normal(m, a, b))
        }
        "triangular" => {
            let (a, m, b) = (req(f, "min", p), req(f, "mode", p), req(f, "max", p));
            Some((a?, m?, b?)).map(|(a, m, b)| Distribution::triangular(a, m, b))
        }
        "pert" => {
            let (a, m, b) = (req(f, "min", p), req(f, "mode", p), req(f, "max", p));
            let lambda = f.opt_f64("lambda", p).unwrap_or(4.0);
            Some((a?, m?, b?)).map(|(a, m, b)| Distribution::pert(a, m, b, lambda))
        }
        "uniform" => {
            let (a, b) = (req(f, "min", p), req(f, "max", p));
            Some((a?, b?)).map(|(a, b)| Distribution::uniform(a, b))
        }
        "beta" => {
            let (al, be) = (req(f, "alpha", p), req(f, "beta", p));
            let lo = f.opt_f64("min", p).unwrap_or(0.0);
            let hi = f.opt_f64("max", p).unwrap_or(1.0);
            Some((al?, be?)).map(|(al, be)| Distribution::beta(al, be, lo, hi))
        }
        "binomial" => {
            let (n, pr) = (req(f, "n", p), req(f, "p", p));
            Some((n?, pr?)).map(|(n, pr)| Distribution::binomial(n, pr))
        }
        "bernoulli" => req(f, "p", p).map(Distribution::bernoulli),
        "fixed" => req(f, "value", p).map(Distribution::fixed),
        "discrete" => {
            let values = number_list(f, "values", p);
            let weights = if f.has("weights") {
                number_list(f, "weights", p)
            } else {
                f.allow(&["weights"]);
                values.as_ref().map(|v| vec![1.0; v.len()])
            };
            Some((values?, weights?)).map(|(v, w)| Distribution::discrete(v, w))
        }
        _ => None,
    };
    match result? {
        Ok(d) => Some(d),
        Err(e) => {
            p.push(param_problem(f.path(), &e));
            None
        }
    }
}

pub(super) fn param_problem(path: &str, e: &ParamError) -> Problem {
    Problem::new(join(path, e.param), e.message.clone())
        .value(e.value.clone())
        .maybe_hint(e.hint.clone())
}

fn number_list(f: &mut Fields, key: &'static str, p: &mut Problems) -> Option<Vec<f64>> {
    let path = f.child_path(key);
    let v = f.get(key);
    match v {
        None => {
            p.push(
                Problem::new(
                    f.path().to_string(),
                    format!("a discrete distribution needs `{key}`"),
                )
                .hint(format!("add `{key} = [...]`")),
            );
            None
        }
        Some(Value::Array(items)) => {
            let before = p.len();
            let xs: Vec<f64> = items
                .iter()
                .enumerate()
                .filter_map(|(i, x)| number(x, &index(&path, i), p))
                .collect();
            (p.len() == before).then_some(xs)
        }
        Some(other) => {
            p.push(
                Problem::new(
                    path,
                    format!("must be an array of numbers, not {}", type_name(other)),
                )
                .value(show(other)),
            );
            None
        }
    }
}

fn correlations(
    v: Option<&Value>,
    drivers: &[Driver],
    p: &mut Problems,
) -> (Correlation, Vec<crate::sampling::correlation::Adjustment>) {
    let n = drivers.len();
    let identity = || (Correlation::identity(n), Vec::new());
    let Some(v) = v else { return identity() };
    let Some(mut f) = Fields::of(v, "correlations", p) else {
        return identity();
    };
    let repair = f.opt_bool("repair", p).unwrap_or(false);
    let names: Vec<&str> = drivers.iter().map(|d| d.name.as_str()).collect();
    let find = |name: &str, path: &str, p: &mut Problems| -> Option<usize> {
        let i = names.iter().position(|d| *d == name);
        if i.is_none() {
            p.push(
                Problem::new(path, "names no driver")
                    .value(format!("\"{name}\""))
                    .hint(
                        did_you_mean(name, names.iter().copied()).unwrap_or_else(|| {
                            "correlations join drivers, not base values or indicators".into()
                        }),
                    ),
            );
        }
        i
    };
    let before = p.len();
    let mut matrix = vec![0.0; n * n];
    for i in 0..n {
        matrix[i * n + i] = 1.0;
    }
    // Where each entry was set, to name it in later messages.
    let mut set_at: HashMap<(usize, usize), (String, f64)> = HashMap::new();
    let mut put = |i: usize, j: usize, rho: f64, path: String, p: &mut Problems| {
        if i == j {
            p.push(
                Problem::new(path, "correlates a driver with itself")
                    .hint("list pairs of two different drivers"),
            );
            return;
        }
        if !(-1.0..=1.0).contains(&rho) {
            p.push(
                Problem::new(path, "a correlation must be between -1 and 1")
                    .value(rho.to_string())
                    .hint(if rho.abs() <= 100.0 && rho.abs() > 1.0 {
                        format!("did you mean {}?", rho / 100.0)
                    } else {
                        "use a value between -1 and 1".into()
                    }),
            );
            return;
        }
        let key = (i.min(j), i.max(j));
        if let Some((first, old)) = set_at.get(&key) {
            if *old != rho {
                p.push(
                    Problem::new(
                        path,
                        format!("this pair is already set to {old} at {first}"),
                    )
                    .value(rho.to_string())
                    .hint("give each pair once"),
                );
            }
            return;
        }
        set_at.insert(key, (path, rho));
        matrix[i * n + j] = rho;
        matrix[j * n + i] = rho;
    };
    if let Some(pairs) = f.get("pairs") {
        match pairs {
            Value::Array(items) => {
                for (k, item) in items.iter().enumerate() {
                    let path = index("correlations.pairs", k);
                    let triple = match item {
                        Value::Array(t) if t.len() == 3 => Some(t),
                        _ => None,
                    };
                    let Some(t) = triple else {
                        p.push(
                            Problem::new(
                                path,
                                "each pair is [\"driver_a\", \"driver_b\", correlation]",
                            )
                            .value(show(item)),
                        );
                        continue;
                    };
                    let (a, b) = (t[0].as_str(), t[1].as_str());
                    let (Some(a), Some(b)) = (a, b) else {
                        p.push(
                            Problem::new(
                                path,
                                "the first two items of a pair are driver names in quotes",
                            )
                            .value(show(item)),
                        );
                        continue;
                    };
                    let ia = find(a, &path, p);
                    let ib = find(b, &path, p);
                    let rho = number(&t[2], &index(&path, 2), p);
                    if let (Some(i), Some(j), Some(rho)) = (ia, ib, rho) {
                        put(i, j, rho, path, p);
                    }
                }
            }
            other => p.push(Problem::new(
                "correlations.pairs",
                format!(
                    "must be an array of [\"a\", \"b\", rho] triples, not {}",
                    type_name(other)
                ),
            )),
        }
    }
    if let Some(m) = f.get("matrix") {
        matrix_entries(m, &names, &find, &mut put, p);
    }
    f.finish(p);
    if p.len() > before {
        return identity();
    }
    let result = if repair {
        Correlation::repaired(n, &matrix)
    } else {
        Correlation::from_matrix(n, &matrix).map(|c| (c, Vec::new()))
    };
    match result {
        Ok(ok) => ok,
        Err(e) => {
            p.push(correlation_problem(&e, &names, &set_at));
            identity()
        }
    }
}

/// `matrix = { drivers = [..], values = [[..], ..] }`: a full matrix over
/// some drivers, in the order listed.
fn matrix_entries(
    m: &Value,
    names: &[&str],
    find: &dyn Fn(&str, &str, &mut Problems) -> Option<usize>,
    put: &mut dyn FnMut(usize, usize, f64, String, &mut Problems),
    p: &mut Problems,
) {
    let Some(mut f) = Fields::of(m, "correlations.matrix", p) else {
        return;
    };
    let order: Vec<Option<usize>> = match f.get("drivers") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(k, v)| match v.as_str() {
                Some(s) => find(s, &index("correlations.matrix.drivers", k), p),
                None => {
                    p.push(
                        Problem::new(
                            index("correlations.matrix.drivers", k),
                            "must be a driver name in quotes",
                        )
                        .value(show(v)),
                    );
                    None
                }
            })
            .collect(),
        _ => {
            p.push(
                Problem::new(
                    "correlations.matrix",
                    "needs `drivers = [...]`, the names of its rows and columns",
                )
                .hint(format!(
                    "for example drivers = [{}]",
                    names
                        .iter()
                        .take(3)
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
            Vec::new()
        }
    };
    let k = order.len();
    match f.get("values") {
        Some(Value::Array(rows)) if rows.len() == k => {
            for (r, row) in rows.iter().enumerate() {
                let rpath = index("correlations.matrix.values", r);
                match row {
                    Value::Array(cells) if cells.len() == k => {
                        for (c, cell) in cells.iter().enumerate() {
                            let cpath = index(&rpath, c);
                            let Some(x) = number(cell, &cpath, p) else {
                                continue;
                            };
                            if r == c {
                                if x != 1.0 {
                                    p.push(
                                        Problem::new(
                                            cpath,
                                            "the diagonal of a correlation matrix is 1",
                                        )
                                        .value(x.to_string()),
                                    );
                                }
                            } else if let (Some(i), Some(j)) = (order[r], order[c])
                                && r < c
                            {
                                let other = rows[c]
                                    .as_array()
                                    .and_then(|row| row.get(r))
                                    .and_then(Value::as_f64);
                                if other.is_some_and(|o| (o - x).abs() > 1e-12) {
                                    p.push(Problem::new(cpath.clone(), format!("the matrix is not symmetric: values[{c}][{r}] is {}", other.unwrap_or(f64::NAN))).value(x.to_string()).hint("a correlation matrix reads the same across the diagonal"));
                                    continue;
                                }
                                put(i, j, x, cpath, p);
                            }
                        }
                    }
                    other => p.push(
                        Problem::new(rpath, format!("must be a row of {k} numbers"))
                            .value(show(other)),
                    ),
                }
            }
        }
        Some(other) => p.push(
            Problem::new(
                "correlations.matrix.values",
                format!("must be {k} rows of {k} numbers, one per driver listed"),
            )
            .value(show(other)),
        ),
        None => p.push(Problem::new(
            "correlations.matrix",
            "needs `values = [[...], ...]`",
        )),
    }
    f.finish(p);
}

fn correlation_problem(
    e: &CorrelationError,
    names: &[&str],
    set_at: &HashMap<(usize, usize), (String, f64)>,
) -> Problem {
    match e {
        CorrelationError::NotPositiveDefinite {
            pairs,
            min_eigenvalue,
        } => {
            // A large inconsistent matrix can implicate thousands of pairs.
            const LISTED: usize = 20;
            let mut listed: Vec<String> = pairs
                .iter()
                .take(LISTED)
                .map(|&(i, j)| {
                    let rho = set_at.get(&(i.min(j), i.max(j))).map_or(0.0, |s| s.1);
                    format!("{} ~ {}: {rho}", names[i], names[j])
                })
                .collect();
            if pairs.len() > LISTED {
                listed.push(format!("... and {} more pairs", pairs.len() - LISTED));
            }
            Problem::new(
                "correlations",
                format!(
                    "the correlations are not consistent with each other: the matrix is not positive definite (smallest eigenvalue {min_eigenvalue:.4})\nthe pairs involved:\n  {}",
                    listed.join("\n  ")
                ),
            )
            .hint("weaken one of these correlations, or add `repair = true` under [correlations] to use the nearest valid matrix (the adjusted values are reported)")
        }
        other => Problem::new("correlations", other.to_string()),
    }
}

/// An indicator computed by the engine rather than from a formula: its
/// name, its field path, and what it computes (see `pipeline`).
type Specials = Vec<(String, String, super::pipeline::Special)>;

fn indicators(v: Option<&Value>, p: &mut Problems) -> (Vec<Indicator>, Specials) {
    let mut out = Vec::new();
    let mut specials = Specials::new();
    for (name, v, path) in entries(v, "indicators", p) {
        let (formula, m) = match v {
            Value::String(s) => (Some(s.clone()), Meta::default()),
            Value::Object(_) => {
                let Some(mut f) = Fields::of(v, &path, p) else {
                    continue;
                };
                if let Some(kind) = super::pipeline::default_kind(&f) {
                    let special = super::pipeline::special(&mut f, p);
                    let m = meta(&mut f, kind, p);
                    f.finish(p);
                    let Some((special, text, ordering)) = special else {
                        continue;
                    };
                    match expr::parse(&ordering) {
                        Ok(e) => {
                            specials.push((name.to_string(), path.clone(), special));
                            out.push(Indicator {
                                name: name.to_string(),
                                formula: text,
                                expr: e,
                                meta: m,
                            });
                        }
                        Err(e) => p.push(
                            Problem::new(
                                join(&path, "rank"),
                                "must name one of the district's indicators",
                            )
                            .value(format!("\"{ordering}\""))
                            .maybe_hint(e.hint.clone()),
                        ),
                    }
                    continue;
                }
                let formula = f.opt_str("formula", p);
                if formula.is_none() && !f.has("formula") {
                    p.push(
                        Problem::new(path.clone(), "an indicator needs `formula`")
                            .hint("add for example `formula = \"gdp_1 / gdp - 1\"`"),
                    );
                }
                let m = meta(&mut f, Kind::Level, p);
                f.finish(p);
                (formula, m)
            }
            other => {
                p.push(
                    Problem::new(
                        path.clone(),
                        format!(
                            "must be a formula in quotes or a table with `formula`, not {}",
                            type_name(other)
                        ),
                    )
                    .value(show(other)),
                );
                continue;
            }
        };
        let Some(formula) = formula else { continue };
        match expr::parse(&formula) {
            Ok(e) => out.push(Indicator {
                name: name.to_string(),
                formula,
                expr: e,
                meta: m,
            }),
            Err(e) => p.push(
                Problem::new(
                    join(&path, "formula"),
                    format!("{}\n{}", e.message, caret(&formula, e.offset)),
                )
                .maybe_hint(e.hint.clone()),
            ),
        }
    }
    (out, specials)
}

/// Resolve every name in every formula and order the indicators so each
/// comes after what it reads. An indicator may take the name of a driver or
/// base value to report it: inside its own formula that name means the
/// driver (or base value); everywhere else it means the indicator.
///
/// In a multi-year scenario (`multi_year`) a lagged reference `x[t-k]` reads
/// an earlier year, so it adds no dependency within the year; whether it
/// reaches a value is checked in `horizon`.
fn check_formulas(
    inputs: &[String],
    indicators: &[Indicator],
    multi_year: bool,
    p: &mut Problems,
) -> Vec<usize> {
    let by_name: HashMap<&str, usize> = indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| (ind.name.as_str(), i))
        .collect();
    let inputs: HashSet<&str> = inputs.iter().map(String::as_str).collect();
    let all_names: Vec<&str> = inputs
        .iter()
        .copied()
        .chain(by_name.keys().copied())
        .collect();
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); indicators.len()];
    for (i, ind) in indicators.iter().enumerate() {
        let path = join(&join("indicators", &ind.name), "formula");
        for r in ind.expr.references() {
            if r.lag > 0 && multi_year {
                continue;
            }
            if r.lag > 0 {
                p.push(
                    Problem::new(path.clone(), format!("`{}[t-{}]` refers to an earlier year, but this scenario has one year\n{}", r.name, r.lag, caret(&ind.formula, r.offset)))
                        .hint("use the base value's name for year 0, or give the scenario several years with `horizon = [...]` under [simulation]"),
                );
                continue;
            }
            match by_name.get(r.name) {
                Some(&j) if j != i => deps[i].push(j),
                _ if inputs.contains(r.name) => {}
                Some(_) => p.push(
                    Problem::new(
                        path.clone(),
                        format!(
                            "`{}` refers to itself\n{}",
                            r.name,
                            caret(&ind.formula, r.offset)
                        ),
                    )
                    .hint(
                        "an indicator cannot be computed from itself; use a driver or base value",
                    ),
                ),
                None => p.push(
                    Problem::new(
                        path.clone(),
                        format!(
                            "unknown name `{}`\n{}",
                            r.name,
                            caret(&ind.formula, r.offset)
                        ),
                    )
                    .hint(
                        did_you_mean(r.name, all_names.iter().copied()).unwrap_or_else(|| {
                            "names in formulas are base values, drivers or indicators".into()
                        }),
                    ),
                ),
            }
        }
    }
    match topological_order(&deps) {
        Ok(order) => order,
        Err(cycle) => {
            let names: Vec<&str> = cycle.iter().map(|&i| indicators[i].name.as_str()).collect();
            let formulas: Vec<String> = cycle
                .iter()
                .take(cycle.len() - 1)
                .map(|&i| format!("{} = {}", indicators[i].name, indicators[i].formula))
                .collect();
            p.push(
                Problem::new(
                    join("indicators", names[0]),
                    format!(
                        "the formulas form a cycle: {}\n  {}",
                        names.join(" -> "),
                        formulas.join("\n  ")
                    ),
                )
                .hint("one of these must be computed from drivers or base values instead"),
            );
            Vec::new()
        }
    }
}

fn caret(formula: &str, offset: usize) -> String {
    expr::caret(formula, offset)
        .lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Kahn's algorithm in declaration order (so the order is deterministic);
/// on a cycle, return it as a closed path `[a, b, ..., a]`.
fn topological_order(deps: &[Vec<usize>]) -> Result<Vec<usize>, Vec<usize>> {
    let n = deps.len();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let before = order.len();
        for i in 0..n {
            if !done[i] && deps[i].iter().all(|&j| done[j]) {
                done[i] = true;
                order.push(i);
            }
        }
        if order.len() == before {
            // Walk unfinished dependencies until a node repeats.
            let start = (0..n).find(|&i| !done[i]).unwrap_or(0);
            let mut path = vec![start];
            let mut cur = start;
            loop {
                let Some(&next) = deps[cur].iter().find(|&&j| !done[j]) else {
                    return Err(path);
                };
                if let Some(pos) = path.iter().position(|&x| x == next) {
                    let mut cycle = path[pos..].to_vec();
                    cycle.push(next);
                    return Err(cycle);
                }
                path.push(next);
                cur = next;
            }
        }
    }
    Ok(order)
}

fn target_sets(
    v: Option<&Value>,
    indicators: &[Indicator],
    drivers: &[Driver],
    p: &mut Problems,
) -> (Vec<TargetSet>, Option<usize>) {
    let mut out = Vec::new();
    let mut upper: Vec<(usize, String)> = Vec::new();
    let names: Vec<&str> = indicators.iter().map(|i| i.name.as_str()).collect();
    for (name, v, path) in entries(v, "target_sets", p) {
        let Some(mut f) = Fields::of(v, &path, p) else {
            continue;
        };
        let m = meta(&mut f, Kind::Level, p);
        let _ = f.opt_str("description", p);
        if f.opt_bool("upper_level", p) == Some(true) {
            upper.push((out.len(), f.child_path("upper_level")));
        }
        let tpath = f.child_path("targets");
        let mut targets = Vec::new();
        match f.get("targets") {
            Some(Value::Array(items)) => {
                for (k, item) in items.iter().enumerate() {
                    if let Some(t) = target(item, &index(&tpath, k), &names, drivers, p) {
                        if targets.iter().any(|o: &Target| o.indicator == t.indicator) {
                            p.push(Problem::new(index(&tpath, k), format!("a second target on `{}` in the same set", names[t.indicator])).hint("a set holds one target per indicator; put alternatives in another target set"));
                        } else {
                            targets.push(t);
                        }
                    }
                }
            }
            Some(other) => p.push(Problem::new(
                tpath,
                format!("must be an array of targets, not {}", type_name(other)),
            )),
            None => p.push(
                Problem::new(path.clone(), "a target set needs `targets = [...]`").hint(
                    "for example targets = [{ indicator = \"gdp_growth\", at_least = 0.09 }]",
                ),
            ),
        }
        f.finish(p);
        out.push(TargetSet {
            name: name.to_string(),
            meta: m,
            targets,
        });
    }
    if let [_, second, ..] = upper.as_slice() {
        p.push(
            Problem::new(
                second.1.clone(),
                "only one target set can be the upper level",
            )
            .value("true")
            .hint(format!(
                "`{}` is already marked upper_level = true",
                upper[0].1
            )),
        );
    }
    (out, upper.first().map(|u| u.0))
}

const RULE_KEYS: [&str; 4] = ["at_least", "at_most", "about", "range"];

pub(super) fn target(
    v: &Value,
    path: &str,
    names: &[&str],
    drivers: &[Driver],
    p: &mut Problems,
) -> Option<Target> {
    let mut f = Fields::of(v, path, p)?;
    let ind = f.opt_str("indicator", p);
    if ind.is_none() && !f.has("indicator") {
        p.push(
            Problem::new(path, "a target needs `indicator`")
                .hint("for example indicator = \"gdp_growth\""),
        );
    }
    let wording = f.opt_str("wording", p);
    let _ = f.opt_str("note", p);
    let given: Vec<&str> = RULE_KEYS.iter().copied().filter(|k| f.has(k)).collect();
    let rule = match given.as_slice() {
        [] => {
            p.push(Problem::new(path, "a target needs a rule: `at_least`, `at_most`, `about` (with `tolerance`) or `range = [low, high]`").hint("for example at_least = 0.09 (以上)"));
            None
        }
        [_, _, ..] => {
            p.push(
                Problem::new(
                    path,
                    format!(
                        "a target takes one rule, but this one has {}",
                        given.join(" and ")
                    ),
                )
                .hint("split it into two targets in two sets, or use `range = [low, high]`"),
            );
            None
        }
        [one] => match *one {
            "at_least" => f
                .opt_f64("at_least", p)
                .map(|threshold| Rule::AtLeast { threshold }),
            "at_most" => f
                .opt_f64("at_most", p)
                .map(|threshold| Rule::AtMost { threshold }),
            "about" => {
                let value = f.opt_f64("about", p);
                let tol = if f.has("tolerance") {
                    f.opt_f64("tolerance", p)
                } else {
                    p.push(Problem::new(path, "an `about` target needs `tolerance`, the distance that still counts as met").hint("for example about = 0.09, tolerance = 0.005 for 9% ± 0.5 points"));
                    None
                };
                match (value, tol) {
                    (Some(_), Some(t)) if t < 0.0 => {
                        p.push(
                            Problem::new(join(path, "tolerance"), "must be at least 0")
                                .value(t.to_string())
                                .hint(format!("did you mean {}?", -t)),
                        );
                        None
                    }
                    (Some(value), Some(tolerance)) => Some(Rule::About { value, tolerance }),
                    _ => None,
                }
            }
            _ => {
                let rpath = join(path, "range");
                match f.get("range") {
                    Some(Value::Array(a)) if a.len() == 2 => {
                        let lo = number(&a[0], &index(&rpath, 0), p);
                        let hi = number(&a[1], &index(&rpath, 1), p);
                        match (lo, hi) {
                            (Some(low), Some(high)) if low <= high => {
                                Some(Rule::Range { low, high })
                            }
                            (Some(low), Some(high)) => {
                                p.push(
                                    Problem::new(
                                        rpath,
                                        "the range's low end is above its high end",
                                    )
                                    .value(format!("[{low}, {high}]"))
                                    .hint(format!("write [{high}, {low}]")),
                                );
                                None
                            }
                            _ => None,
                        }
                    }
                    Some(other) => {
                        p.push(Problem::new(rpath, "must be [low, high]").value(show(other)));
                        None
                    }
                    None => None,
                }
            }
        },
    };
    f.allow(&["at_least", "at_most", "about", "range", "tolerance"]);
    f.finish(p);
    let ind = ind?;
    let Some(i) = names.iter().position(|n| *n == ind) else {
        let hint = if drivers.iter().any(|d| d.name == ind) {
            format!(
                "`{ind}` is a driver; report it as an indicator first: {ind} = {{ formula = \"{ind}\" }}"
            )
        } else {
            did_you_mean(&ind, names.iter().copied())
                .unwrap_or_else(|| "targets apply to indicators".into())
        };
        p.push(
            Problem::new(join(path, "indicator"), "names no indicator")
                .value(format!("\"{ind}\""))
                .hint(hint),
        );
        return None;
    };
    Some(Target {
        indicator: i,
        rule: rule?,
        wording,
    })
}
